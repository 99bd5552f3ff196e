/* Lockstep: the block translator checked against the interpreter as the guest runs
 * (DESIGN.md, "Two engines, one set of semantics"; cpu/README.md, "Lockstep").
 *
 * A unit is one block. From its start state S the translator runs it (phase T), with
 * every write the CPU makes to physical memory logged with the bytes it replaced. Its
 * final state T is put aside, the writes are undone in reverse, S is put back, and the
 * interpreter runs the same number of instructions from S (phase I), logging its writes
 * too. The two final states must be equal field for field (the save-state description of
 * struct cpu: registers, lazy flags, segment caches, control and debug registers, MSRs,
 * x87, instruction count ...) and the two write logs equal entry for entry (address, size,
 * value, in order). The first difference stops the CPU: the unit is run again for 1, 2 ...
 * instructions to name the first instruction where the engines part.
 *
 * Devices never run twice, nor in a phase at all: during both phases the CPU's I/O bus is
 * a fence whose every port, like any MMIO access and the FERR# and SMIACT# outputs, ends
 * phase T (the "fence"). The block is then cut before that instruction: S is put back, the
 * instructions before it are compared as above, and the one that touches a device runs on
 * the interpreter alone, for real. In phase I a device access is a difference. The TSC's
 * clock is read for real in phase T and replayed in phase I. Interrupts are not taken in
 * phase I: when they are taken is the business of the loop between units, checked by the
 * identical-state test (tests/guest).
 *
 * Every write must be seen: while lockstep is on, the TLB holds no fast write entry
 * (cpu/memory.c), so all writes reach phys_write. Not undone: the accessed and dirty bits
 * the page walker sets (phase I finds them set, as the translator left them). */
#include "cpu/lockstep.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/savestate.h"
#include "cpu/exec.h"
#include "cpu/translate.h"

enum { PHASE_IDLE, PHASE_T, PHASE_I };
enum { TSC_MAX = 64, LOG_FIRST = 256 };

/* A write that reached physical memory: what the engines compare, and how to undo it. */
struct ls_write {
    uint32_t addr, value;
    uint8_t size;
    uint8_t old[4];
    uint8_t *host[4]; /* where each byte lives in RAM; NULL: not RAM (nothing changed) */
};

struct ls_log {
    struct ls_write *w;
    size_t n, cap;
};

struct lockstep {
    struct cpu start;      /* S: the state before the unit */
    struct cpu translated; /* T: the translator's state after it */
    struct ls_log log[2];  /* the writes of phase T and of phase I */
    uint64_t tsc[TSC_MAX]; /* the TSC clock as phase T read it */
    unsigned ntsc, tsc_next;
    struct iobus fence;    /* every port fences */
    uint8_t phase;
    uint8_t fenced;
    uint8_t failed;
    char msg[1024];
    struct cpu_lockstep_where where; /* with msg */
    lockstep_break_fn brk;
    void *brk_opaque;
    struct cpu_lockstep_stats st;
};

static void fail(struct cpu *cpu, const char *fmt, ...)
{
    struct lockstep *ls = cpu->ls;
    if (ls->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ls->msg, sizeof ls->msg, fmt, ap);
    va_end(ap);
    ls->failed = 1;
}

/* Stops the interpreter's run of phase I (cpu_run's landing sees no vector to deliver). */
static noreturn void stop_phase_i(struct cpu *cpu)
{
    cpu->shutdown = 1;
    cpu->fault_vector = -1;
    longjmp(*cpu->fault_jmp, 1);
}

/* A device would act: phase T ends there; in phase I the interpreter did what the
 * translator did not. */
static noreturn void device(struct cpu *cpu, const char *what, uint32_t where)
{
    struct lockstep *ls = cpu->ls;
    if (ls->phase == PHASE_T) {
        ls->fenced = 1;
        longjmp(*cpu->fault_jmp, 1);
    }
    fail(cpu, "the interpreter %s %#x where the translator touched no device", what, where);
    stop_phase_i(cpu);
}

static uint32_t fence_in(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    device(opaque, "reads port", port);
}

static void fence_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    (void)size, (void)value;
    device(opaque, "writes port", port);
}

static void fence_ferr(void *opaque, int level)
{
    device(opaque, "changes FERR# to", (uint32_t)level);
}

static void fence_smm(void *opaque, int in)
{
    device(opaque, "changes SMIACT# to", (uint32_t)in);
}

static uint64_t replay_tsc(void *opaque)
{
    struct cpu *cpu = opaque;
    struct lockstep *ls = cpu->ls;
    if (ls->phase == PHASE_T) {
        if (ls->ntsc == TSC_MAX)
            device(cpu, "reads the TSC clock, time", TSC_MAX);
        uint64_t v = ls->start.tsc_clock(ls->start.tsc_opaque);
        ls->tsc[ls->ntsc++] = v;
        return v;
    }
    if (ls->tsc_next == ls->ntsc) {
        fail(cpu, "the interpreter reads the TSC clock more often (%u times) than the "
             "translator", ls->ntsc + 1);
        stop_phase_i(cpu);
    }
    return ls->tsc[ls->tsc_next++];
}

/* The CPU's outputs during a phase: the fence, the replayed clock; nobody observes phase
 * T (phase I is the run a tracer sees). Hooks the platform left NULL stay NULL, as the
 * CPU behaves differently without a listener. */
static void wire(struct cpu *cpu, int phase)
{
    struct lockstep *ls = cpu->ls;
    ls->phase = (uint8_t)phase;
    cpu->io = &ls->fence;
    if (cpu->ferr_changed) {
        cpu->ferr_changed = fence_ferr;
        cpu->ferr_opaque = cpu;
    }
    if (cpu->smm_changed) {
        cpu->smm_changed = fence_smm;
        cpu->smm_opaque = cpu;
    }
    if (cpu->tsc_clock) {
        cpu->tsc_clock = replay_tsc;
        cpu->tsc_opaque = cpu;
    }
    if (phase == PHASE_T)
        cpu->obs.hooks = NULL;
}

/* What the unit's runs changed that is not the guest's state: back as it was in S. */
static void settle(struct cpu *cpu)
{
    struct lockstep *ls = cpu->ls;
    const struct cpu *s = &ls->start;
    ls->phase = PHASE_IDLE;
    cpu->io = s->io;
    cpu->ferr_changed = s->ferr_changed;
    cpu->ferr_opaque = s->ferr_opaque;
    cpu->smm_changed = s->smm_changed;
    cpu->smm_opaque = s->smm_opaque;
    cpu->tsc_clock = s->tsc_clock;
    cpu->tsc_opaque = s->tsc_opaque;
    cpu->obs.hooks = s->obs.hooks;
    cpu->fault_jmp = s->fault_jmp;
    cpu->run_end = s->run_end;
    cpu->tc = s->tc;
    cpu->engine = s->engine;
    cpu->intr_line = s->intr_line;
    cpu->tb_single = 0;
    cpu->tb_exit = 0;
}

static bool touches_mmio(const struct physmem *pm, uint32_t addr, unsigned size, bool write)
{
    for (unsigned i = 0; i < size; i++) {
        const struct region *r = physmem_region_at(pm, addr + i, write);
        if (r && r->kind == REGION_MMIO)
            return true;
    }
    return false;
}

void lockstep_phys_read(struct cpu *cpu, uint32_t addr, unsigned size)
{
    if (cpu->ls->phase != PHASE_IDLE && touches_mmio(cpu->mem, addr, size, false))
        device(cpu, "reads MMIO at", addr);
}

void lockstep_phys_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t v)
{
    struct lockstep *ls = cpu->ls;
    if (ls->phase == PHASE_IDLE)
        return;
    if (touches_mmio(cpu->mem, addr, size, true))
        device(cpu, "writes MMIO at", addr);
    struct ls_log *l = &ls->log[ls->phase == PHASE_I];
    if (l->n == l->cap) {
        size_t cap = l->cap * 2;
        struct ls_write *w = realloc(l->w, cap * sizeof *w);
        if (!w) {
            /* Phase T: the instruction runs on the interpreter alone. */
            if (ls->phase == PHASE_T)
                device(cpu, "writes (no memory to log it) at", addr);
            fail(cpu, "no memory for the log of the interpreter's writes");
            stop_phase_i(cpu);
        }
        l->w = w;
        l->cap = cap;
    }
    struct ls_write *w = &l->w[l->n++];
    w->addr = addr;
    w->value = v;
    w->size = (uint8_t)size;
    for (unsigned i = 0; i < size; i++) {
        const struct region *r = physmem_region_at(cpu->mem, addr + i, true);
        w->host[i] = r && r->kind == REGION_RAM ? r->host + (addr + i - r->base) : NULL;
        w->old[i] = w->host[i] ? *w->host[i] : 0;
    }
}

/* No block translated here has its bytes changed by this (a block that writes its own
 * code ends there, and its blocks are dropped), so nothing is invalidated. */
static void undo(const struct ls_log *l)
{
    for (size_t k = l->n; k-- > 0;) {
        const struct ls_write *w = &l->w[k];
        for (unsigned i = w->size; i-- > 0;)
            if (w->host[i])
                *w->host[i] = w->old[i];
    }
}

/* Phase T: the block at CS:EIP on the translator, at most limit instructions (0: as the
 * block goes). Returns the instructions retired (a faulting one counts), 0 when there was
 * no block; *fenced when it stopped at a device, before the instruction that touched it. */
static uint64_t run_t(struct cpu *cpu, uint64_t limit, bool *fenced)
{
    struct lockstep *ls = cpu->ls;
    jmp_buf jb;
    const uint64_t from = cpu->icount;
    volatile bool ran = true;
    ls->log[0].n = 0;
    ls->ntsc = 0;
    ls->fenced = 0;
    wire(cpu, PHASE_T);
    if (limit)
        cpu->run_end = from + limit;
    cpu->tb_single = 1;
    cpu->fault_jmp = &jb;
    if (setjmp(jb)) {
        if (!ls->fenced)
            cpu_fault_landed(cpu); /* a nested fault lands here again, as in cpu_run */
    } else {
        ran = tb_exec(cpu);
        if (ran && ls->brk)
            ls->brk(cpu, ls->brk_opaque);
    }
    *fenced = ls->fenced;
    settle(cpu);
    return ran || *fenced ? cpu->icount - from : 0;
}

/* Phase I: n instructions on the interpreter, from the current state. */
static void run_i(struct cpu *cpu, uint64_t n)
{
    struct lockstep *ls = cpu->ls;
    ls->log[1].n = 0;
    ls->tsc_next = 0;
    wire(cpu, PHASE_I);
    cpu->engine = CPU_ENGINE_INTERP;
    cpu->intr_line = 0;
    cpu_run(cpu, n);
    settle(cpu);
}

static void back_to_start(struct cpu *cpu, const struct ls_log *l)
{
    undo(l);
    memcpy(cpu, &cpu->ls->start, sizeof *cpu);
}

static int regs(char *buf, size_t len, const struct cpu *c)
{
    return snprintf(buf, len,
                    "EAX=%08X ECX=%08X EDX=%08X EBX=%08X ESP=%08X EBP=%08X ESI=%08X "
                    "EDI=%08X EIP=%08X EFLAGS=%08X CS=%04X SS=%04X DS=%04X ES=%04X "
                    "icount=%llu",
                    c->r[0], c->r[1], c->r[2], c->r[3], c->r[4], c->r[5], c->r[6], c->r[7],
                    c->eip, cpu_obs_eflags(c), c->seg[S_CS].sel, c->seg[S_SS].sel,
                    c->seg[S_DS].sel, c->seg[S_ES].sel, (unsigned long long)c->icount);
}

/* Whether phase I ended as phase T did (the CPU holds phase I's state, ls->translated
 * phase T's); the difference in diff when not. */
static bool same(struct cpu *cpu, char *diff, size_t len)
{
    struct lockstep *ls = cpu->ls;
    char path[128];
    if (ls->failed) {
        snprintf(diff, len, "%s", ls->msg);
        return false;
    }
    if (!savestate_equal(&cpu_savestate, &ls->translated, cpu, path, sizeof path)) {
        int n = snprintf(diff, len, "%s differs;\n  translator:  ", path);
        n += regs(diff + n, len - (size_t)n, &ls->translated);
        n += snprintf(diff + n, len - (size_t)n, "\n  interpreter: ");
        regs(diff + n, len - (size_t)n, cpu);
        return false;
    }
    const struct ls_log *t = &ls->log[0], *i = &ls->log[1];
    for (size_t k = 0; k < t->n || k < i->n; k++) {
        const struct ls_write *a = k < t->n ? &t->w[k] : NULL;
        const struct ls_write *b = k < i->n ? &i->w[k] : NULL;
        if (a && b && a->addr == b->addr && a->size == b->size && a->value == b->value)
            continue;
        int n = snprintf(diff, len, "memory write %zu differs: translator ", k + 1);
        n += a ? snprintf(diff + n, len - (size_t)n, "%u bytes %#x at physical %#x", a->size,
                          a->value, a->addr)
               : snprintf(diff + n, len - (size_t)n, "none");
        snprintf(diff + n, len - (size_t)n, ", interpreter ");
        n = (int)strlen(diff);
        if (b)
            snprintf(diff + n, len - (size_t)n, "%u bytes %#x at physical %#x", b->size,
                     b->value, b->addr);
        else
            snprintf(diff + n, len - (size_t)n, "none");
        return false;
    }
    return true;
}

/* The unit at the start state for n instructions on both engines (memory: as S); true
 * when they agree. Leaves phase I's state. */
static bool check(struct cpu *cpu, uint64_t n, char *diff, size_t len)
{
    struct lockstep *ls = cpu->ls;
    bool fenced;
    uint64_t ran = run_t(cpu, n, &fenced);
    if (ran != n || fenced) {
        snprintf(diff, len, "the translator ran %llu instructions of %llu the second time",
                 (unsigned long long)ran, (unsigned long long)n);
        return false;
    }
    memcpy(&ls->translated, cpu, offsetof(struct cpu, tlb)); /* what same() compares */
    back_to_start(cpu, &ls->log[0]);
    run_i(cpu, n);
    return same(cpu, diff, len);
}

/* The engines differ over the unit of n instructions (the CPU holds phase I's state, the
 * memory its writes): find the first instruction where they part, report, stop. */
static void report(struct cpu *cpu, uint64_t n, const char *diff)
{
    struct lockstep *ls = cpu->ls;
    const struct cpu *s = &ls->start;
    char first[sizeof ls->msg];
    uint64_t at = 0;
    for (uint64_t k = 1; k <= n && !at; k++) {
        undo(&ls->log[1]);
        memcpy(cpu, &ls->start, sizeof *cpu);
        ls->failed = 0;
        if (!check(cpu, k, first, sizeof first))
            at = k;
    }
    if (!at) {
        /* Run again, the engines agree: something outside the CPU's state decided. */
        at = n;
        snprintf(first, sizeof first, "%s (not when run again: not deterministic)", diff);
    }
    /* The instruction that differs: where phase I started it. */
    uint32_t eip = cpu->insn_eip;
    ls->failed = 0;
    fail(cpu, "lockstep: the engines differ at instruction %llu (%04X:%08X), the %llu%s of "
         "the block at %04X:%08X (linear %08X), which started after %llu: %s",
         (unsigned long long)(s->icount + at), cpu->seg[S_CS].sel, eip,
         (unsigned long long)at, at == 1 ? "st" : at == 2 ? "nd" : at == 3 ? "rd" : "th",
         s->seg[S_CS].sel, s->eip, s->seg[S_CS].base + s->eip,
         (unsigned long long)s->icount, first);
    ls->where.block_lin = s->seg[S_CS].base + s->eip;
    ls->where.block_eip = s->eip;
    ls->where.insn = (uint32_t)at;
    ls->where.code32 = (s->seg[S_CS].attr & SEG_ATTR_DB) != 0;
    cpu->shutdown = 1;
    cpu->stop_reason = ls->msg;
}

/* The translator runs only what the execute TLB maps, so the first instruction of a page
 * would always go to the interpreter unchecked (a test vector's only instruction, for
 * one). The translation the interpreter's fetch would make first is made here: with
 * nobody observing, and when it faults or touches a device, not at all (S as it was). */
static bool fill_fetch(struct cpu *cpu)
{
    struct lockstep *ls = cpu->ls;
    const uint32_t lin = cpu->seg[S_CS].base + cpu->eip;
    const struct tlb_entry *e =
        &cpu->tlb.e[TLB_EXEC | tlb_user(cpu)][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag == (lin & TLB_PAGE_MASK))
        return true;
    jmp_buf jb;
    volatile bool ok = true;
    ls->phase = PHASE_T;
    cpu->obs.hooks = NULL;
    cpu->fault_jmp = &jb;
    if (setjmp(jb))
        ok = false;
    else
        cpu_fetch8(cpu, cpu->eip);
    ls->phase = PHASE_IDLE;
    cpu->obs.hooks = ls->start.obs.hooks;
    cpu->fault_jmp = ls->start.fault_jmp;
    if (!ok) {
        memcpy(cpu, &ls->start, sizeof *cpu);
        return false;
    }
    memcpy(&ls->start, cpu, sizeof *cpu);
    return true;
}

bool lockstep_exec(struct cpu *cpu)
{
    struct lockstep *ls = cpu->ls;
    char diff[sizeof ls->msg];
    bool fenced;
    if (ls->failed)
        return false;
    memcpy(&ls->start, cpu, sizeof *cpu);
    if (!fill_fetch(cpu))
        return false;
    uint64_t n = run_t(cpu, 0, &fenced);
    if (fenced) {
        ls->st.fenced++;
        back_to_start(cpu, &ls->log[0]);
        if (!n)
            return false; /* its first instruction touches a device: the interpreter's */
        if (!check(cpu, n, diff, sizeof diff)) {
            report(cpu, n, diff);
            return true;
        }
    } else {
        if (!n)
            return false;
        memcpy(&ls->translated, cpu, offsetof(struct cpu, tlb)); /* what same() compares */
        back_to_start(cpu, &ls->log[0]);
        run_i(cpu, n);
        if (!same(cpu, diff, sizeof diff)) {
            report(cpu, n, diff);
            return true;
        }
    }
    ls->st.blocks++;
    ls->st.insns += n;
    return true;
}

const char *lockstep_failure(const struct cpu *cpu)
{
    return cpu->ls->failed && cpu->ls->phase == PHASE_IDLE ? cpu->ls->msg : NULL;
}

bool lockstep_start(struct cpu *cpu)
{
    struct lockstep *ls = calloc(1, sizeof *ls);
    if (!ls)
        return false;
    ls->log[0].w = malloc(LOG_FIRST * sizeof *ls->log[0].w);
    ls->log[1].w = malloc(LOG_FIRST * sizeof *ls->log[1].w);
    if (!ls->log[0].w || !ls->log[1].w || iobus_init(&ls->fence) != 0) {
        free(ls->log[0].w);
        free(ls->log[1].w);
        free(ls);
        return false;
    }
    ls->log[0].cap = ls->log[1].cap = LOG_FIRST;
    const struct io_handler h = { fence_in, fence_out, cpu, IOBUS_WIDE };
    iobus_register(&ls->fence, 0, 65536, &h);
    cpu->ls = ls;
    /* Fast write entries filled before would write unseen. */
    tlb_flush_all(&cpu->tlb);
    return true;
}

void lockstep_stop(struct cpu *cpu)
{
    struct lockstep *ls = cpu->ls;
    iobus_free(&ls->fence);
    free(ls->log[0].w);
    free(ls->log[1].w);
    free(ls);
    cpu->ls = NULL;
    tlb_flush_all(&cpu->tlb); /* its slow write entries may be fast again */
}

void cpu_lockstep_stats(const struct cpu *cpu, struct cpu_lockstep_stats *st)
{
    if (cpu->ls)
        *st = cpu->ls->st;
    else
        memset(st, 0, sizeof *st);
}

bool cpu_lockstep_where(const struct cpu *cpu, struct cpu_lockstep_where *w)
{
    if (!cpu->ls || !lockstep_failure(cpu))
        return false;
    *w = cpu->ls->where;
    return true;
}

void lockstep_test_break(struct cpu *cpu, lockstep_break_fn fn, void *opaque)
{
    cpu->ls->brk = fn;
    cpu->ls->brk_opaque = opaque;
}
