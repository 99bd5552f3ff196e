/* Processor lifecycle and the interpreter loop. */
#include "cpu/cpu.h"

#include <stddef.h>
#include <string.h>

#include "cpu/lockstep.h"
#include "cpu/observe.h"
#include "cpu/transfer.h"
#include "cpu/translate.h"

uint32_t cpu_materialize_arith(const struct cpu *cpu)
{
    return (get_cf(cpu) ? FL_CF : 0) | (get_pf(cpu) ? FL_PF : 0) | (get_af(cpu) ? FL_AF : 0) |
           (get_zf(cpu) ? FL_ZF : 0) | (get_sf(cpu) ? FL_SF : 0) | (get_of(cpu) ? FL_OF : 0);
}

uint32_t cpu_get_eflags(struct cpu *cpu)
{
    if (cpu->lf.op != LF_NONE) {
        cpu->eflags = (cpu->eflags & ~FL_ARITH) | cpu_materialize_arith(cpu);
        cpu->lf.op = LF_NONE;
    }
    return cpu->eflags;
}

void cpu_set_eflags(struct cpu *cpu, uint32_t value)
{
    uint32_t v = (value & cpu->info->flags_writable) | cpu->info->flags_fixed1;
    /* A 286 in real mode cannot hold IOPL and NT (286-real vectors: no final FLAGS has them). */
    if (cpu->model == CPU_286 && cpu->mode == MODE_REAL)
        v &= ~(FL_IOPL | FL_NT);
    cpu->eflags = v;
    cpu->lf.op = LF_NONE;
}

/* CR0 (SDM Vol. 3A §2.5): ET reads 1 from the 486 on; the 286 MSW reads its upper bits
 * as 1. Setting PE enters protected mode at the next far transfer. With PAE paging on
 * afterwards, a change of PG, CD or NW loads the PDPTEs (§4.4.1); a change of PG, WP or PE
 * flushes the TLB (§4.10.4.1). */
void cpu_write_cr0(struct cpu *cpu, uint32_t v)
{
    uint32_t old = cpu->cr[0];
    if (cpu->model == CPU_286)
        v = (v & 0xF) | 0xFFF0;
    else if (cpu->model == CPU_386)
        v = (v & 0x8000000Fu) | 0x7FFEFFF0u; /* reserved bits read 1, ET 1 (386-real dump, MOO-FORMAT.md §5.2) */
    else
        v |= 0x10;
    if ((v & CR0_PG) && !(v & CR0_PE))
        cpu_fault(cpu, EXC_GP, 0); /* PG without PE */
    if ((v & CR0_NW) && !(v & CR0_CD) && cpu->model >= CPU_486)
        cpu_fault(cpu, EXC_GP, 0); /* NW without CD */
    if ((v & CR0_PG) && (cpu->cr[4] & CR4_PAE) && ((old ^ v) & (CR0_PG | CR0_CD | CR0_NW)))
        cpu_load_pdptes(cpu, cpu->cr[3]);
    cpu->cr[0] = v;
    cpu_update_mode(cpu);
    if ((old & CR0_PE) && !(v & CR0_PE)) {
        /* Back in real mode the caches keep their bases and limits ("unreal mode"), but real
         * mode checks no segment types (SDM Vol. 3A §20.1): a code segment becomes writable
         * through an override, a null or read-only one usable. */
        for (int s = 0; s < S_COUNT; s++)
            cpu->seg[s].ok = (uint8_t)((cpu->seg[s].ok & SEG_EXPDOWN) | SEG_OK_READ | SEG_OK_WRITE);
    }
    if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) {
        tlb_flush_all(&cpu->tlb);
        obs_mmu(cpu, CPU_OBS_FLUSH_ALL, 0, 0);
    }
}

/* CR4 (SDM Vol. 3A §2.5): bits this model does not have are reserved and #GP. With PAE
 * paging on afterwards, a change of PSE, PAE or PGE loads the PDPTEs (§4.4.1); any change
 * of them flushes the TLB, global entries included (§4.10.4.1). */
void cpu_write_cr4(struct cpu *cpu, uint32_t v)
{
    uint32_t valid = 0x1FF; /* VME PVI TSD DE PSE PAE MCE PGE PCE */
    uint32_t features = cpu->info->cpuid_features_edx;
    if (!(features & CPUID_PAE))
        valid &= ~CR4_PAE;
    if (!(features & CPUID_PGE))
        valid &= ~CR4_PGE;
    if (cpu->model >= CPU_P2)
        valid |= 1u << 9; /* OSFXSR */
    if (v & ~valid)
        cpu_fault(cpu, EXC_GP, 0);
    uint32_t changed = (cpu->cr[4] ^ v) & (CR4_PSE | CR4_PAE | CR4_PGE);
    if ((cpu->cr[0] & CR0_PG) && (v & CR4_PAE) && changed)
        cpu_load_pdptes(cpu, cpu->cr[3]);
    cpu->cr[4] = v;
    debug_update(cpu); /* CR4.DE turns I/O breakpoints on and off */
    if (changed) {
        tlb_flush_all(&cpu->tlb);
        obs_mmu(cpu, CPU_OBS_FLUSH_ALL, 0, 0);
    }
}

void cpu_load_seg_real(struct cpu *cpu, int sreg, uint16_t sel)
{
    struct seg_cache *s = &cpu->seg[sreg];
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
    s->limit = 0xFFFF;
    s->attr = sreg == S_CS ? 0x9B : 0x93; /* present, accessed, code exec/read or data r/w */
    s->ok = SEG_OK_READ | SEG_OK_WRITE;
}

void cpu_reset(struct cpu *cpu)
{
    const struct cpu_model_info *info = cpu->info;
    struct physmem *mem = cpu->mem;
    struct iobus *io = cpu->io;
    int (*ack)(void *) = cpu->intr_ack;
    void *ack_opaque = cpu->intr_opaque;
    void (*ferr_changed)(void *, int) = cpu->ferr_changed;
    void *ferr_opaque = cpu->ferr_opaque;
    uint64_t (*tsc_clock)(void *) = cpu->tsc_clock;
    void *tsc_opaque = cpu->tsc_opaque;
    void (*smm_changed)(void *, int) = cpu->smm_changed;
    void *smm_opaque = cpu->smm_opaque;
    bool ferr_was = cpu->ferr, smm_was = cpu->smm;
    /* Instructions retired count on across a reset: the machine's clock derives from them. */
    const uint64_t icount = cpu->icount;

    memset(cpu, 0, offsetof(struct cpu, tlb)); /* the TLB is flushed below, not cleared */
    cpu->icount = icount;
    cpu->info = info;
    cpu->model = (uint8_t)info->model;
    cpu->mem = mem;
    cpu->io = io;
    cpu->intr_ack = ack;
    cpu->intr_opaque = ack_opaque;
    cpu->ferr_changed = ferr_changed;
    cpu->ferr_opaque = ferr_opaque;
    cpu->tsc_clock = tsc_clock;
    cpu->tsc_opaque = tsc_opaque;
    cpu->smm_changed = smm_changed;
    cpu->smm_opaque = smm_opaque;
    cpu->smbase = 0x30000; /* SDM Vol. 3C §34.4 */
    if (smm_was && smm_changed)
        smm_changed(smm_opaque, 0); /* a reset leaves SMM */
    /* The TSC starts again from 0 (SDM Vol. 3A §9.1.1, Table 9-1). */
    cpu->tsc = 0 - (tsc_clock ? tsc_clock(tsc_opaque) : icount);

    /* SDM Vol. 3A §9.1.1, Table 9-1. */
    cpu->mode = MODE_REAL;
    cpu->eflags = info->flags_fixed1;
    cpu->eip = 0xFFF0;
    for (int s = 0; s < S_COUNT; s++)
        cpu_load_seg_real(cpu, s, 0);
    cpu_load_seg_real(cpu, S_CS, 0xF000);
    cpu->seg[S_CS].base = 0xFFFF0000u & info->addr_mask;
    cpu->idtr.limit = 0x3FF;
    cpu->gdtr.limit = 0xFFFF;
    cpu->ldtr.limit = 0xFFFF;
    cpu->ldtr.attr = 0x82;
    cpu->tr.limit = 0xFFFF;
    cpu->tr.attr = 0x8B;
    cpu->cr[0] = info->reset_cr0;
    cpu->dr[6] = 0xFFFF0FF0u;
    cpu->dr[7] = info->model >= CPU_486 ? 0x400 : 0; /* bit 10 reads 1 from the 486 on */
    cpu->r[R_EDX] = info->reset_edx;
    debug_update(cpu); /* a debugger's watchpoints outlive the reset */
    tlb_flush_all(&cpu->tlb);
    cpu->tlb.mem_gen = mem->gen;
    fpu_reset(&cpu->fpu);
    tb_flush(cpu); /* firmware may be copied in again */
    if (ferr_was && ferr_changed)
        ferr_changed(ferr_opaque, 0); /* the reset dropped FERR# */
}

void cpu_init(struct cpu *cpu, enum cpu_model model, struct physmem *mem, struct iobus *io)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->info = cpu_model_get(model);
    cpu->mem = mem;
    cpu->io = io;
    tlb_init(&cpu->tlb, mem);
    cpu->engine = CPU_ENGINE_TRANSLATE;
    cpu_reset(cpu);
}

bool cpu_set_engine(struct cpu *cpu, enum cpu_engine engine)
{
    if (engine == CPU_ENGINE_LOCKSTEP && !cpu->ls) {
        if (!lockstep_start(cpu))
            return false;
    } else if (engine != CPU_ENGINE_LOCKSTEP && cpu->ls) {
        lockstep_stop(cpu);
    }
    cpu->engine = (uint8_t)engine;
    return true;
}

void cpu_set_native(struct cpu *cpu, bool on)
{
    cpu->native_off = !on;
}

void cpu_free(struct cpu *cpu)
{
    if (cpu->ls)
        lockstep_stop(cpu);
}

void cpu_set_hooks(struct cpu *cpu, const struct cpu_hooks *h)
{
    cpu->intr_ack = h->intr_ack;
    cpu->intr_opaque = h->opaque;
    cpu->ferr_changed = h->ferr_changed;
    cpu->ferr_opaque = h->opaque;
    cpu->tsc_clock = h->tsc_clock;
    cpu->tsc_opaque = h->opaque;
    cpu->smm_changed = h->smm_changed;
    cpu->smm_opaque = h->opaque;
}

void cpu_enter_flat32(struct cpu *cpu, const struct cpu_flat_entry *e)
{
    /* The hidden parts as loading the GDT's descriptors sets them: code execute/read,
     * data read/write, both accessed, present, DPL 0, G and D/B set. */
    for (int s = 0; s < S_COUNT; s++) {
        struct seg_cache *c = &cpu->seg[s];
        bool code = s == S_CS;
        c->sel = code ? e->cs : e->ds;
        c->base = 0;
        c->limit = 0xFFFFFFFFu;
        c->attr = code ? 0xC09B : 0xC093;
        c->ok = code ? SEG_OK_READ : SEG_OK_READ | SEG_OK_WRITE;
    }
    cpu->gdtr.base = e->gdt_base;
    cpu->gdtr.limit = e->gdt_limit;
    cpu->idtr.base = 0;
    cpu->idtr.limit = 0;
    cpu->cr[0] = (cpu->cr[0] | CR0_PE) & ~CR0_PG;
    cpu->mode = MODE_PROT;
    cpu->cpl = 0;
    cpu->halted = 0;
    cpu->inhibit = 0;
    cpu_set_eflags(cpu, 0x2);
    for (int r = 0; r < R_ZERO; r++)
        cpu->r[r] = 0;
    cpu->r[R_ESI] = e->esi;
    cpu->r[R_ESP] = e->esp;
    cpu->eip = e->eip;
    tlb_flush_all(&cpu->tlb);
}

/* cpu_unsupported stops the CPU with fault_vector -1; a triple fault keeps the vector of
 * the fault that could not be delivered (exception.c, handle_fault below). */
enum cpu_status cpu_status(const struct cpu *cpu, const char **why)
{
    const char *diverged = cpu->ls ? lockstep_failure(cpu) : NULL;
    if (diverged) {
        if (why)
            *why = diverged;
        return CPU_DIVERGED;
    }
    if (cpu->shutdown) {
        bool unsupported = cpu->fault_vector < 0;
        if (why)
            *why = cpu->stop_reason ? cpu->stop_reason
                                    : unsupported ? "an unknown feature" : "shutdown";
        return unsupported ? CPU_UNSUPPORTED : CPU_SHUTDOWN;
    }
    return cpu->halted ? CPU_HALTED : CPU_RUNNING;
}

/* Exception classes for a fault raised while delivering another (SDM Vol. 3A §6.15,
 * Tables 6-4 and 6-5): two contributory faults, or a page fault followed by a page fault or
 * a contributory fault, make a double fault; any other pair is handled one after the other. */
enum { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE };

static int exc_class(int vector)
{
    switch (vector) {
    case EXC_DE: case EXC_TS: case EXC_NP: case EXC_SS: case EXC_GP: return EXC_CONTRIBUTORY;
    case EXC_PF: return EXC_PAGE;
    default: return EXC_BENIGN;
    }
}

/* An exception raised while an instruction ran (or an event was delivered): undo the
 * instruction and deliver it. */
static void handle_fault(struct cpu *cpu)
{
    int vector = cpu->fault_vector;
    uint32_t error = cpu->fault_error;
    const int prev = cpu->delivering - 1;

    cpu->eip = cpu->insn_eip;
    cpu->r[R_ESP] = cpu->insn_esp;
    cpu->halted = 0;
    cpu->delivering = 0;
    if (vector < 0) /* cpu_unsupported stopped the CPU, or an x87 instruction waits (FERR#) */
        return;
    if (prev == EXC_DF) {
        /* A fault while delivering a double fault: shutdown (SDM Vol. 3A §6.15, int 8). */
        cpu->shutdown = 1;
        cpu->stop_reason = "triple fault";
        return;
    }
    if (prev >= 0) {
        int c1 = exc_class(prev), c2 = exc_class(vector);
        if ((c1 == EXC_CONTRIBUTORY && c2 == EXC_CONTRIBUTORY) ||
            (c1 == EXC_PAGE && c2 != EXC_BENIGN)) {
            vector = EXC_DF;
            error = 0;
        }
    }
    /* Faults other than instruction breakpoints push EFLAGS with RF set, so the
     * instruction restarts without breaking again (SDM Vol. 3A §17.3.1.1). */
    if (cpu->mode != MODE_REAL && !(vector == EXC_DB && (cpu->dr[6] & 0xF)))
        cpu->eflags |= FL_RF;
    cpu->delivering = vector + 1;
    cpu_deliver_exception(cpu, (uint8_t)vector, error);
    cpu->delivering = 0;
}

/* Delivers the debug trap an instruction earned: single step (BS) and data or I/O
 * breakpoints (B0-B3), together in one #DB (SDM Vol. 3A §17.3.1). */
static void debug_trap(struct cpu *cpu, bool single_step)
{
    uint32_t dr6 = cpu->dr[6];
    if (cpu->debug_pending)
        dr6 = (dr6 & ~0xFu) | cpu->debug_pending;
    if (single_step)
        dr6 |= 1u << 14; /* BS */
    cpu->dr[6] = dr6;
    cpu->debug_pending = 0;
    cpu->insn_eip = cpu->eip;
    cpu->insn_esp = cpu->r[R_ESP];
    cpu->delivering = EXC_DB + 1;
    cpu_deliver_exception(cpu, EXC_DB, 0);
    cpu->delivering = 0;
}

static void step(struct cpu *cpu)
{
    struct insn in;
    bool trap = (cpu->eflags & FL_TF) != 0;

    cpu->inhibit = 0;
    cpu->insn_eip = cpu->eip;
    cpu->insn_esp = cpu->r[R_ESP];
    cpu->debug_pending = 0;
    if (unlikely(cpu->debug_exec) && !(cpu->eflags & FL_RF))
        debug_check_insn(cpu, cpu->seg[S_CS].base + cpu->eip);
    /* RF suppresses instruction breakpoints for one instruction (SDM Vol. 3A §17.3.1.1). */
    cpu->eflags &= ~FL_RF;
    decode(cpu, &in);
    /* A tracer's view of the instruction about to run: one flag when nobody traces. */
    if (unlikely(cpu->obs.insn)) {
        cpu->obs.delivering = 0; /* a delivery that faulted into a shutdown ends here */
        cpu->obs.hooks->insn(cpu->obs.opaque, cpu, cpu->seg[S_CS].base + cpu->eip, in.len);
    }
    cpu->eip = cpu->seg[S_CS].attr & SEG_ATTR_DB ? cpu->eip + in.len : (cpu->eip + in.len) & 0xFFFF;
    in.fn(cpu, &in);
    cpu->icount++;
    if (unlikely(cpu->obs.insn) && cpu->obs.hooks->after)
        cpu->obs.hooks->after(cpu->obs.opaque, cpu);
    /* Single-step trap after the instruction (SDM Vol. 3A §17.3.1.4); not after one that
     * set the interrupt shadow of MOV SS / POP SS. */
    bool step_trap = trap && !(cpu->inhibit & INHIBIT_DEBUG);
    if (unlikely(step_trap || cpu->debug_pending))
        debug_trap(cpu, step_trap);
}

static bool take_interrupt(struct cpu *cpu)
{
    /* SMI# before INTR, whatever IF says; latched while in SMM (SDM Vol. 3C §34.2). */
    if ((cpu->intr_line & CPU_PIN_SMI) && !cpu->smm && !cpu->inhibit) {
        if (cpu->dbg.step && !cpu->halted)
            return false;
        cpu_enter_smm(cpu);
        return true;
    }
    if (!(cpu->intr_line & CPU_PIN_INTR) || !(cpu->eflags & FL_IF) || cpu->inhibit ||
        !cpu->intr_ack)
        return false;
    if (cpu->dbg.step && !cpu->halted) /* a debugger's step runs the instruction it shows */
        return false;
    int vector = cpu->intr_ack(cpu->intr_opaque);
    if (vector < 0)
        return false;
    cpu->halted = 0;
    cpu->insn_eip = cpu->eip;
    cpu->insn_esp = cpu->r[R_ESP];
    cpu_interrupt(cpu, (uint8_t)vector, false, cpu->eip);
    return true;
}

void cpu_fault_landed(struct cpu *cpu)
{
    cpu->dbg.hit = 0; /* the faulting instruction's accesses did not happen */
    handle_fault(cpu);
    cpu->icount++; /* a faulting instruction counts as a step, so runs always progress */
}

uint64_t cpu_run(struct cpu *cpu, uint64_t n)
{
    jmp_buf jb;
    jmp_buf *outer = cpu->fault_jmp;
    const uint64_t start = cpu->icount;

    cpu->run_end = n > UINT64_MAX - start ? UINT64_MAX : start + n;
    cpu->fault_jmp = &jb;
    cpu->tc = cpu->engine != CPU_ENGINE_INTERP ? tb_attach(cpu) : NULL;
    if (setjmp(jb)) {
        cpu_fault_landed(cpu);
        if (unlikely(cpu->dbg.step))
            cpu->dbg.stop = CPU_DBG_STEP; /* stepped into the handler */
    }
    while (cpu->icount < cpu->run_end && !cpu->shutdown) {
        cpu_tlb_sync(cpu); /* a device may have changed physical memory (A20, ...) */
        if (unlikely(cpu->intr_line) && take_interrupt(cpu))
            continue;
        if (cpu->halted)
            break;
        /* Blocks while nothing needs an exact look between two instructions: no
         * debugger, no tracer watching each instruction, no single step, no debug
         * register, no interrupt shadow to honour. */
        if (likely(!cpu->dbg.active) && cpu->tc && !cpu->obs.interp &&
            !cpu->inhibit && !(cpu->eflags & FL_TF) &&
            !(cpu->debug_exec | cpu->debug_data | cpu->debug_io) &&
            (likely(!cpu->ls) ? tb_exec(cpu) : lockstep_exec(cpu)))
            continue;
        /* A debugger's breakpoints, watchpoints and steps: one flag when there are none. */
        if (unlikely(cpu->dbg.active) && cpu_dbg_before(cpu))
            break;
        step(cpu);
        if (unlikely(cpu->dbg.active) && cpu_dbg_after(cpu))
            break;
    }
    cpu->fault_jmp = outer;
    return cpu->icount - start;
}
