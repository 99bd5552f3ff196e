/* Processor lifecycle and the interpreter loop. */
#include "cpu/cpu.h"

#include <string.h>

#include "cpu/exec.h"

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
 * as 1. Setting PE enters protected mode at the next far transfer. */
void cpu_write_cr0(struct cpu *cpu, uint32_t v)
{
    if (cpu->model == CPU_286)
        v = (v & 0xF) | 0xFFF0;
    else if (cpu->model >= CPU_486)
        v |= 0x10;
    if ((v & 0x80000000u) && !(v & 1))
        cpu_fault(cpu, EXC_GP, 0); /* PG without PE */
    if ((v & 0x20000000u) && !(v & 0x40000000u) && cpu->model >= CPU_486)
        cpu_fault(cpu, EXC_GP, 0); /* NW without CD */
    if (v & 0x80000000u)
        cpu_unsupported(cpu, "paging (CR0.PG)");
    cpu->cr[0] = v;
    cpu->mode = (v & 1) ? MODE_PROT : MODE_REAL;
}

/* CR4 (SDM Vol. 3A §2.5): bits this model does not have are reserved and #GP. */
void cpu_write_cr4(struct cpu *cpu, uint32_t v)
{
    uint32_t valid = 0x1FF; /* VME PVI TSD DE PSE PAE MCE PGE PCE */
    if (cpu->model >= CPU_P2)
        valid |= 1u << 9; /* OSFXSR */
    if (v & ~valid)
        cpu_fault(cpu, EXC_GP, 0);
    cpu->cr[4] = v;
}

void cpu_load_seg_real(struct cpu *cpu, int sreg, uint16_t sel)
{
    struct seg_cache *s = &cpu->seg[sreg];
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
    s->limit = 0xFFFF;
    s->attr = sreg == S_CS ? 0x9B : 0x93; /* present, accessed, code exec/read or data r/w */
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
    bool ferr_was = cpu->ferr;

    memset(cpu, 0, sizeof(*cpu));
    cpu->info = info;
    cpu->model = (uint8_t)info->model;
    cpu->mem = mem;
    cpu->io = io;
    cpu->intr_ack = ack;
    cpu->intr_opaque = ack_opaque;
    cpu->ferr_changed = ferr_changed;
    cpu->ferr_opaque = ferr_opaque;

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
    cpu->dr[7] = 0x400;
    cpu->r[R_EDX] = info->reset_edx;
    fpu_reset(&cpu->fpu);
    if (ferr_was && ferr_changed)
        ferr_changed(ferr_opaque, 0); /* the reset dropped FERR# */
}

void cpu_init(struct cpu *cpu, enum cpu_model model, struct physmem *mem, struct iobus *io)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->info = cpu_model_get(model);
    cpu->mem = mem;
    cpu->io = io;
    cpu_reset(cpu);
}

/* An exception raised while an instruction ran: undo the instruction and deliver it. */
static void handle_fault(struct cpu *cpu)
{
    int vector = cpu->fault_vector;
    uint32_t error = cpu->fault_error;

    cpu->eip = cpu->insn_eip;
    cpu->r[R_ESP] = cpu->insn_esp;
    cpu->halted = 0;
    if (vector < 0) /* cpu_unsupported stopped the CPU, or an x87 instruction waits (FERR#) */
        return;
    if (cpu->fault_depth >= 2) {
        /* A fault while delivering a double fault: shutdown (SDM Vol. 3A §6.15, int 8). */
        cpu->shutdown = 1;
        cpu->stop_reason = "triple fault";
        cpu->fault_depth = 0;
        return;
    }
    if (cpu->fault_depth == 1) {
        vector = EXC_DF;
        error = 0;
    }
    cpu->fault_depth++;
    cpu_deliver_exception(cpu, (uint8_t)vector, error);
    cpu->fault_depth = 0;
}

static void step(struct cpu *cpu)
{
    struct insn in;
    bool trap = (cpu->eflags & FL_TF) != 0;

    cpu->inhibit = 0;
    cpu->insn_eip = cpu->eip;
    cpu->insn_esp = cpu->r[R_ESP];
    decode(cpu, &in);
    cpu->eip = cpu->seg[S_CS].attr & SEG_ATTR_DB ? cpu->eip + in.len : (cpu->eip + in.len) & 0xFFFF;
    in.fn(cpu, &in);
    cpu->icount++;
    /* Single-step trap after the instruction (SDM Vol. 3A §17.3.1.4); not after one that
     * set the interrupt shadow of MOV SS / POP SS. */
    if (unlikely(trap) && !(cpu->inhibit & INHIBIT_DEBUG)) {
        cpu->dr[6] |= 1u << 14; /* BS */
        cpu->insn_eip = cpu->eip;
        cpu->insn_esp = cpu->r[R_ESP];
        cpu->fault_depth = 1;
        cpu_deliver_exception(cpu, EXC_DB, 0);
        cpu->fault_depth = 0;
    }
}

static bool take_interrupt(struct cpu *cpu)
{
    if (!cpu->intr_line || !(cpu->eflags & FL_IF) || cpu->inhibit || !cpu->intr_ack)
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

uint64_t cpu_run(struct cpu *cpu, uint64_t n)
{
    jmp_buf jb;
    jmp_buf *outer = cpu->fault_jmp;
    const uint64_t start = cpu->icount;

    cpu->fault_jmp = &jb;
    if (setjmp(jb)) {
        handle_fault(cpu);
        cpu->icount++; /* a faulting instruction counts as a step, so runs always progress */
    }
    while (cpu->icount - start < n && !cpu->shutdown) {
        if (unlikely(cpu->intr_line) && take_interrupt(cpu))
            continue;
        if (cpu->halted)
            break;
        step(cpu);
    }
    cpu->fault_jmp = outer;
    return cpu->icount - start;
}
