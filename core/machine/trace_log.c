/* The -d log items that watch the CPU, and the hooks both they and the binary trace hang
 * on (trace.h). Lines, one per event, in the log (-D FILE or stderr):
 *   in_asm CS:EIP lin=L phys=P bytes=.. DISASSEMBLY   (an address's first execution)
 *   exec   CS:EIP lin=L phys=P bytes=.. DISASSEMBLY   (every instruction)
 *   cpu    EAX=.. ... EIP=.. EFL=.. CS=.. ... CR0=.. CR3=.. CPL=N   (after it)
 *   int    KIND vector=0xNN [error=0x..] [cr2=0x..] CS:EIP cpl=N -> CS:EIP cpl=N
 *   mmu    page-fault lin=.. error=.. | cr3=.. | flush all | flush page lin=..
 *   unimp  WHAT at CS:EIP
 *   guest_errors in|out PORT SIZE [VALUE] (unclaimed port) | WHY at CS:EIP
 * Disassembly is capstone's (Intel syntax), here, outside cpu/. */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine/machine_impl.h"
#include "core/machine/trace.h"

struct machine_tracer {
    struct machine *m;
    FILE *log;
    unsigned items;                 /* MACHINE_LOG_* of TRACE_LOG_ITEMS */
    struct machine_range ranges[MACHINE_LOG_RANGES_MAX];
    unsigned nranges;
    struct cpu_obs_hooks hooks;
    struct trace_file *file;
    csh cs16, cs32;
    bool have_cs16, have_cs32;
    /* in_asm: the physical addresses (+1; 0 is empty) that ran already, open addressing. */
    uint64_t *seen;
    size_t seen_cap, seen_n;
    uint32_t last_lin;              /* the instruction the after hook reports on */
    io_observe_fn chained;          /* -d ioport's observer, called first */
    void *chained_opaque;
};

static bool in_ranges(const struct machine_tracer *t, uint32_t lin)
{
    if (!t->nranges)
        return true;
    for (unsigned i = 0; i < t->nranges; i++)
        if (lin >= t->ranges[i].lo && lin <= t->ranges[i].hi)
            return true;
    return false;
}

/* True the first time key is seen; grows the table at half full. */
static bool first_time(struct machine_tracer *t, uint64_t key)
{
    key++;
    if (t->seen_n * 2 >= t->seen_cap) {
        size_t cap = t->seen_cap ? t->seen_cap * 2 : 4096;
        uint64_t *n = calloc(cap, sizeof *n);
        if (!n)
            return false; /* out of memory: in_asm says nothing more rather than fail */
        for (size_t i = 0; i < t->seen_cap; i++) {
            if (!t->seen[i])
                continue;
            size_t j = (size_t)(t->seen[i] * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
            while (n[j])
                j = (j + 1) & (cap - 1);
            n[j] = t->seen[i];
        }
        free(t->seen);
        t->seen = n;
        t->seen_cap = cap;
    }
    size_t j = (size_t)(key * 0x9E3779B97F4A7C15ull >> 20) & (t->seen_cap - 1);
    while (t->seen[j]) {
        if (t->seen[j] == key)
            return false;
        j = (j + 1) & (t->seen_cap - 1);
    }
    t->seen[j] = key;
    t->seen_n++;
    return true;
}

static void log_insn(struct machine_tracer *t, const char *tag, struct cpu *cpu, uint32_t lin,
                     unsigned len, const uint8_t *bytes, bool ok, uint64_t phys)
{
    FILE *f = t->log;
    bool c32 = (cpu->seg[S_CS].attr & SEG_ATTR_DB) != 0;
    fprintf(f, "%-6s %04x:%0*" PRIx32 " lin=%08" PRIx32, tag, cpu->seg[S_CS].sel, c32 ? 8 : 4,
            cpu->eip, lin);
    if (ok)
        fprintf(f, " phys=%08" PRIx64 " bytes=", phys);
    else
        fprintf(f, " phys=? bytes=");
    for (unsigned i = 0; i < len; i++)
        fprintf(f, "%02x", bytes[i]);
    csh h = c32 ? t->cs32 : t->cs16;
    cs_insn *insn = NULL;
    if (ok && (c32 ? t->have_cs32 : t->have_cs16) &&
        cs_disasm(h, bytes, len, c32 ? lin : cpu->eip, 1, &insn) == 1) {
        fprintf(f, "  %s%s%s\n", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
        cs_free(insn, 1);
    } else {
        fprintf(f, "  (bad)\n");
    }
}

static void on_insn(void *opaque, struct cpu *cpu, uint32_t lin, unsigned len)
{
    struct machine_tracer *t = opaque;
    t->last_lin = lin;
    if (t->file)
        trace_file_insn(t->file, cpu, lin, len);
    if (!(t->items & (MACHINE_LOG_IN_ASM | MACHINE_LOG_EXEC)) || !in_ranges(t, lin))
        return;
    uint8_t bytes[16];
    uint64_t phys;
    bool ok = cpu_obs_code(cpu, lin, len, bytes, &phys);
    if ((t->items & MACHINE_LOG_IN_ASM) && first_time(t, ok ? phys : (uint64_t)1 << 40 | lin))
        log_insn(t, "in_asm", cpu, lin, len, bytes, ok, phys);
    if (t->items & MACHINE_LOG_EXEC)
        log_insn(t, "exec", cpu, lin, len, bytes, ok, phys);
}

static void on_block(void *opaque, struct cpu *cpu, const struct cpu_obs_block *blk)
{
    trace_file_block(((struct machine_tracer *)opaque)->file, cpu, blk);
}

static void on_block_end(void *opaque, struct cpu *cpu)
{
    trace_file_block_end(((struct machine_tracer *)opaque)->file, cpu);
}

static void on_mem(void *opaque, struct cpu *cpu, uint32_t lin, uint64_t phys, unsigned size,
                   uint32_t value, unsigned flags)
{
    (void)cpu;
    trace_file_mem(((struct machine_tracer *)opaque)->file, lin, phys, size, value, flags);
}

static void on_after(void *opaque, struct cpu *cpu)
{
    struct machine_tracer *t = opaque;
    if (!in_ranges(t, t->last_lin))
        return;
    const uint32_t *r = cpu->r;
    fprintf(t->log,
            "cpu    EAX=%08" PRIx32 " EBX=%08" PRIx32 " ECX=%08" PRIx32 " EDX=%08" PRIx32
            " ESI=%08" PRIx32 " EDI=%08" PRIx32 " EBP=%08" PRIx32 " ESP=%08" PRIx32
            " EIP=%08" PRIx32 " EFL=%08" PRIx32 " ES=%04x CS=%04x SS=%04x DS=%04x FS=%04x"
            " GS=%04x CR0=%08" PRIx32 " CR2=%08" PRIx32 " CR3=%08" PRIx32 " CPL=%u\n",
            r[R_EAX], r[R_EBX], r[R_ECX], r[R_EDX], r[R_ESI], r[R_EDI], r[R_EBP], r[R_ESP],
            cpu->eip, cpu_obs_eflags(cpu), cpu->seg[S_ES].sel, cpu->seg[S_CS].sel,
            cpu->seg[S_SS].sel, cpu->seg[S_DS].sel, cpu->seg[S_FS].sel, cpu->seg[S_GS].sel,
            cpu->cr[0], cpu->cr[2], cpu->cr[3], cpu->cpl);
}

static void on_intr(void *opaque, struct cpu *cpu, const struct cpu_obs_intr *ev)
{
    struct machine_tracer *t = opaque;
    if (t->file)
        trace_file_intr(t->file, ev, cpu->icount);
    if (!(t->items & MACHINE_LOG_INT) || !in_ranges(t, ev->lin_from))
        return;
    static const char *const kinds[] = { "exception", "external", "software", "smi", "rsm" };
    fprintf(t->log, "int    %s vector=0x%02x", kinds[ev->kind % 5], ev->vector);
    if (ev->has_error)
        fprintf(t->log, " error=0x%04" PRIx32, ev->error);
    if (ev->kind == CPU_OBS_EXCEPTION && ev->vector == 14)
        fprintf(t->log, " cr2=0x%08" PRIx32, ev->cr2);
    fprintf(t->log, " %04x:%08" PRIx32 " cpl=%u -> %04x:%08" PRIx32 " cpl=%u\n", ev->cs_from,
            ev->eip_from, ev->cpl_from, ev->cs_to, ev->eip_to, ev->cpl_to);
}

static void on_mmu(void *opaque, struct cpu *cpu, enum cpu_obs_mmu_kind kind, uint32_t addr,
                   uint32_t value)
{
    struct machine_tracer *t = opaque;
    (void)cpu;
    switch (kind) {
    case CPU_OBS_PAGE_FAULT:
        fprintf(t->log, "mmu    page-fault lin=%08" PRIx32 " error=0x%" PRIx32 "\n", addr, value);
        break;
    case CPU_OBS_CR3:
        fprintf(t->log, "mmu    cr3=%08" PRIx32 " (non-global entries flushed)\n", value);
        break;
    case CPU_OBS_FLUSH_ALL:
        fprintf(t->log, "mmu    flush all\n");
        break;
    case CPU_OBS_FLUSH_PAGE:
        fprintf(t->log, "mmu    flush page lin=%08" PRIx32 "\n", addr);
        break;
    }
}

static void on_unimp(void *opaque, struct cpu *cpu, const char *what)
{
    struct machine_tracer *t = opaque;
    fprintf(t->log, "unimp  %s at %04x:%08" PRIx32 "\n", what, cpu->seg[S_CS].sel,
            cpu->insn_eip);
}

static void on_port(void *opaque, int is_write, uint16_t port, unsigned size, uint32_t value)
{
    struct machine_tracer *t = opaque;
    if (t->chained)
        t->chained(t->chained_opaque, is_write, port, size, value);
    if (t->m->io.port[port].read)
        return;
    if (is_write)
        fprintf(t->log, "guest_errors out to unclaimed port 0x%04x size %u value 0x%0*" PRIx32
                "\n", port, size, (int)(2 * size), value);
    else
        fprintf(t->log, "guest_errors in from unclaimed port 0x%04x size %u\n", port, size);
}

enum machine_status machine_trace_open(struct machine *m, const struct machine_config *cfg,
                                       char *err)
{
    unsigned items = cfg->log_items & TRACE_LOG_ITEMS;
    if (!items && !cfg->trace_path)
        return MACHINE_OK;
    struct machine_tracer *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, MACHINE_ERRMAX, "out of memory for tracing");
        return MACHINE_ERR_NOMEM;
    }
    t->m = m;
    t->log = m->log;
    t->items = items;
    t->nranges = cfg->nlog_ranges < MACHINE_LOG_RANGES_MAX ? cfg->nlog_ranges
                                                           : MACHINE_LOG_RANGES_MAX;
    memcpy(t->ranges, cfg->log_ranges, t->nranges * sizeof t->ranges[0]);
    if (cfg->trace_path) {
        t->file = trace_file_open(cfg->trace_path, m->cpu.icount, cfg->trace_mem, err);
        if (!t->file) {
            free(t);
            return MACHINE_ERR_FILE;
        }
    }
    if (items & (MACHINE_LOG_IN_ASM | MACHINE_LOG_EXEC)) {
        t->have_cs16 = cs_open(CS_ARCH_X86, CS_MODE_16, &t->cs16) == CS_ERR_OK;
        t->have_cs32 = cs_open(CS_ARCH_X86, CS_MODE_32, &t->cs32) == CS_ERR_OK;
    }
    /* The trace file alone takes whole blocks from the translator; the log items that
     * show each instruction need the interpreter. */
    bool per_insn = items & (MACHINE_LOG_IN_ASM | MACHINE_LOG_EXEC | MACHINE_LOG_CPU);
    t->hooks.insn = (t->file || per_insn) ? on_insn : NULL;
    t->hooks.block = t->file ? on_block : NULL;
    t->hooks.block_end = t->file ? on_block_end : NULL;
    t->hooks.mem = t->file && cfg->trace_mem ? on_mem : NULL;
    t->hooks.after = (items & MACHINE_LOG_CPU) ? on_after : NULL;
    t->hooks.intr = (t->file || (items & MACHINE_LOG_INT)) ? on_intr : NULL;
    t->hooks.mmu = (items & MACHINE_LOG_MMU) ? on_mmu : NULL;
    t->hooks.unimp = (items & MACHINE_LOG_UNIMP) ? on_unimp : NULL;
    if (items & MACHINE_LOG_GUEST_ERRORS) {
        t->chained = m->io.observe;
        t->chained_opaque = m->io.observe_opaque;
        m->io.observe = on_port;
        m->io.observe_opaque = t;
    }
    m->tracer = t;
    cpu_obs_set(&m->cpu, &t->hooks, t, per_insn);
    return MACHINE_OK;
}

void machine_trace_stopped(struct machine *m, const char *why)
{
    struct machine_tracer *t = m->tracer;
    if (t && (t->items & MACHINE_LOG_GUEST_ERRORS))
        fprintf(t->log, "guest_errors %s at %04x:%08" PRIx32 "\n", why, m->cpu.seg[S_CS].sel,
                m->cpu.eip);
}

void machine_trace_flush(struct machine *m)
{
    if (m->tracer && m->tracer->file)
        trace_file_flush(m->tracer->file);
}

void machine_trace_loaded(struct machine *m)
{
    if (m->tracer && m->tracer->file)
        trace_file_loaded(m->tracer->file, m->cpu.icount);
}

bool machine_trace_failed(struct machine *m, char *err)
{
    const char *name;
    int e;
    if (!m->tracer || !m->tracer->file || !(e = trace_file_error(m->tracer->file, &name)))
        return false;
    snprintf(err, MACHINE_ERRMAX, "%s: cannot write: %s; free some space on its file system",
             name, strerror(e));
    return true;
}

void machine_trace_close(struct machine *m)
{
    struct machine_tracer *t = m->tracer;
    if (!t)
        return;
    cpu_obs_set(&m->cpu, NULL, NULL, false);
    if (t->file) {
        int e = trace_file_close(t->file, m->cpu.icount);
        if (e)
            fprintf(stderr, "orrery: trace file: cannot write: %s; free some space on its "
                    "file system\n", strerror(e));
    }
    if (t->have_cs16)
        cs_close(&t->cs16);
    if (t->have_cs32)
        cs_close(&t->cs32);
    if (m->io.observe == on_port) {
        m->io.observe = t->chained;
        m->io.observe_opaque = t->chained_opaque;
    }
    free(t->seen);
    free(t);
    m->tracer = NULL;
}
