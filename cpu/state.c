/* The processor's saved state (core/savestate.h): what an instruction boundary leaves in
 * struct cpu and struct fpu, as plain fields. The TLB, the wiring to memory, I/O and the
 * platform, and the bookkeeping of an instruction in progress are not state: they are
 * rebuilt (cpu_state_loaded) or only mean something inside cpu_run. */
#include <stddef.h>

#include "core/savestate.h"
#include "cpu/cpu.h"
#include "cpu/translate.h"
#include "cpu/exec.h"

static const struct savestate_field lazy_flags_fields[] = {
    SS_FIELD(struct lazy_flags, res),
    SS_FIELD(struct lazy_flags, op1),
    SS_FIELD(struct lazy_flags, op2),
    SS_FIELD_RANGE(struct lazy_flags, op, LF_NONE, LF_MUL),
    SS_FIELD_RANGE(struct lazy_flags, bits, 0, 32),
};
static SAVESTATE_DESC(lazy_flags_desc, "cpu.lazy_flags", 1, lazy_flags_fields);

static const struct savestate_field seg_fields[] = {
    SS_FIELD(struct seg_cache, sel),
    SS_FIELD(struct seg_cache, attr),
    SS_FIELD(struct seg_cache, base),
    SS_FIELD(struct seg_cache, limit),
    SS_FIELD(struct seg_cache, ok),
};
static SAVESTATE_DESC(seg_desc, "cpu.seg", 1, seg_fields);

static const struct savestate_field dtr_fields[] = {
    SS_FIELD(struct dtr, base),
    SS_FIELD(struct dtr, limit),
};
static SAVESTATE_DESC(dtr_desc, "cpu.dtr", 1, dtr_fields);

static const struct savestate_field f80_fields[] = {
    SS_FIELD(struct f80, m),
    SS_FIELD(struct f80, se),
};
static SAVESTATE_DESC(f80_desc, "fpu.reg", 1, f80_fields);

static const struct savestate_field fpu_fields[] = {
    SS_STRUCTS(struct fpu, st, f80_desc),
    SS_FIELD(struct fpu, fip),
    SS_FIELD(struct fpu, fdp),
    SS_FIELD(struct fpu, fcs),
    SS_FIELD(struct fpu, fds),
    SS_FIELD(struct fpu, fop),
    SS_FIELD(struct fpu, cw),
    SS_FIELD(struct fpu, sw),
    SS_FIELD_RANGE(struct fpu, top, 0, 7),
    SS_FIELD(struct fpu, valid),
};
static SAVESTATE_DESC(fpu_desc, "fpu", 1, fpu_fields);

static const struct savestate_field cpu_fields[] = {
    SS_ARRAY(struct cpu, r),
    SS_FIELD(struct cpu, eip),
    SS_FIELD(struct cpu, eflags),
    SS_STRUCT(struct cpu, lf, lazy_flags_desc),
    SS_STRUCTS(struct cpu, seg, seg_desc),
    SS_STRUCT(struct cpu, gdtr, dtr_desc),
    SS_STRUCT(struct cpu, idtr, dtr_desc),
    SS_STRUCT(struct cpu, ldtr, seg_desc),
    SS_STRUCT(struct cpu, tr, seg_desc),
    SS_ARRAY(struct cpu, cr),
    SS_ARRAY(struct cpu, pdpte),
    SS_ARRAY(struct cpu, dr),
    SS_FIELD(struct cpu, tsc),
    SS_FIELD(struct cpu, msr_sysenter_cs),
    SS_FIELD(struct cpu, msr_sysenter_esp),
    SS_FIELD(struct cpu, msr_sysenter_eip),
    SS_ARRAY(struct cpu, perfctr),
    SS_ARRAY(struct cpu, evntsel),
    SS_FIELD_RANGE(struct cpu, mode, MODE_REAL, MODE_V86),
    SS_FIELD_RANGE(struct cpu, cpl, 0, 3),
    SS_FIELD(struct cpu, halted),
    SS_FIELD(struct cpu, shutdown),
    SS_FIELD(struct cpu, inhibit),
    SS_FIELD_RANGE(struct cpu, model, 0, CPU_MODEL_COUNT - 1),
    SS_FIELD(struct cpu, debug_exec),
    SS_FIELD(struct cpu, debug_data),
    SS_FIELD(struct cpu, debug_io),
    SS_FIELD(struct cpu, debug_pending),
    SS_FIELD(struct cpu, smm),
    SS_FIELD(struct cpu, smbase),
    SS_STRUCT(struct cpu, fpu, fpu_desc),
    SS_FIELD(struct cpu, icount),
    SS_FIELD(struct cpu, intr_line),
    SS_FIELD(struct cpu, ferr),
    SS_FIELD(struct cpu, ignne),
};
SAVESTATE_DESC(cpu_savestate, "cpu", 2, cpu_fields);

void cpu_state_loaded(struct cpu *cpu)
{
    /* Lazy flags of a width no instruction has (only a damaged file): take EFLAGS as is. */
    if (cpu->lf.op != LF_NONE && cpu->lf.bits != 8 && cpu->lf.bits != 16 && cpu->lf.bits != 32)
        cpu->lf.op = LF_NONE;
    cpu->insn_eip = cpu->eip;
    cpu->insn_esp = cpu->r[R_ESP];
    cpu->run_end = cpu->icount;
    cpu->delivering = 0;
    cpu->fault_vector = 0;
    cpu->fault_error = 0;
    cpu->stop_reason = cpu->shutdown ? "shutdown (restored from a saved state)" : NULL;
    debug_update(cpu); /* a debugger's watchpoints stay */
    tlb_flush_all(&cpu->tlb);
    tb_flush(cpu); /* memory was loaded behind the translator's back */
}
