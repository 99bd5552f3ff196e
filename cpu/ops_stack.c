/* Stack instructions: PUSH/POP of registers, segment registers, memory and immediates,
 * PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE (SDM Vol. 2). A fault part-way leaves ESP as it was:
 * the execution loop restores it (cpu/cpu.c). */
#include "cpu/exec.h"
#include "cpu/handlers.h"

void op_push_r16(struct cpu *cpu, const struct insn *in)
{
    push16(cpu, get_r16(cpu, in->op & 7)); /* PUSH SP pushes the value before (286 on) */
}

void op_push_r32(struct cpu *cpu, const struct insn *in)
{
    push32(cpu, cpu->r[in->op & 7]);
}

void op_pop_r16(struct cpu *cpu, const struct insn *in)
{
    uint16_t v = pop16(cpu);
    set_r16(cpu, in->op & 7, v);
}

void op_pop_r32(struct cpu *cpu, const struct insn *in)
{
    uint32_t v = pop32(cpu);
    cpu->r[in->op & 7] = v;
}

/* 06/0E/16/1E push ES/CS/SS/DS, 07/17/1F pop; 0F A0/A8 push FS/GS, 0F A1/A9 pop. */
static unsigned sreg_of(const struct insn *in)
{
    return in->op >= 0x100 ? S_FS + ((in->op >> 3) & 1) : (in->op >> 3) & 3;
}

void op_push_sreg16(struct cpu *cpu, const struct insn *in)
{
    push16(cpu, cpu->seg[sreg_of(in)].sel);
}

void op_push_sreg32(struct cpu *cpu, const struct insn *in)
{
    push32(cpu, cpu->seg[sreg_of(in)].sel);
}

static void pop_sreg(struct cpu *cpu, unsigned s, uint16_t sel)
{
    load_seg(cpu, (int)s, sel);
    if (s == S_SS)
        cpu->inhibit = INHIBIT_IRQ | INHIBIT_DEBUG;
}

void op_pop_sreg16(struct cpu *cpu, const struct insn *in)
{
    pop_sreg(cpu, sreg_of(in), pop16(cpu));
}

void op_pop_sreg32(struct cpu *cpu, const struct insn *in)
{
    pop_sreg(cpu, sreg_of(in), (uint16_t)pop32(cpu));
}

void op_push_imm16(struct cpu *cpu, const struct insn *in) { push16(cpu, (uint16_t)in->imm); }
void op_push_imm32(struct cpu *cpu, const struct insn *in) { push32(cpu, in->imm); }
void op_push_imm8_16(struct cpu *cpu, const struct insn *in) { push16(cpu, (uint16_t)(int8_t)in->imm); }
void op_push_imm8_32(struct cpu *cpu, const struct insn *in) { push32(cpu, (uint32_t)(int32_t)(int8_t)in->imm); }

void op_push_rm16(struct cpu *cpu, const struct insn *in) { push16(cpu, rm16_read(cpu, in)); }
void op_push_rm32(struct cpu *cpu, const struct insn *in) { push32(cpu, rm32_read(cpu, in)); }

/* POP r/m computes a memory address after incrementing ESP (SDM Vol. 2B "POP"). The 286
 * does not undo that increment when the write then faults: the exception frame goes below
 * SP + 2 (held-out 286-real 8F vectors, issue 11; the shared subset has no faulting
 * write), the same early stepping as its string instructions (ops_string.c). The 386 on
 * restore SP (the execution loop, from insn_esp). */
void op_pop_rm16(struct cpu *cpu, const struct insn *in)
{
    uint16_t v = pop16(cpu);
    if (cpu->model == CPU_286)
        cpu->insn_esp = cpu->r[R_ESP];
    rm16_write(cpu, in, v);
}

void op_pop_rm32(struct cpu *cpu, const struct insn *in)
{
    uint32_t v = pop32(cpu);
    rm32_write(cpu, in, v);
}

void op_pusha16(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint16_t sp = get_r16(cpu, R_ESP);
    for (unsigned r = R_EAX; r <= R_EDI; r++)
        push16(cpu, r == R_ESP ? sp : get_r16(cpu, r));
}

void op_pusha32(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint32_t sp = cpu->r[R_ESP];
    for (unsigned r = R_EAX; r <= R_EDI; r++)
        push32(cpu, r == R_ESP ? sp : cpu->r[r]);
}

void op_popa16(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint16_t v[8];
    for (int r = R_EDI; r >= R_EAX; r--)
        v[r] = pop16(cpu);
    for (unsigned r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            set_r16(cpu, r, v[r]);
}

void op_popa32(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint32_t v[8];
    for (int r = R_EDI; r >= R_EAX; r--)
        v[r] = pop32(cpu);
    for (unsigned r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            cpu->r[r] = v[r];
}

/* PUSHF in virtual-8086 mode with IOPL < 3 faults, unless CR4.VME: then the image shows
 * VIF as IF and IOPL as 3 (SDM Vol. 3A §20.4.4). */
void op_pushf16(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint32_t fl = cpu_get_eflags(cpu);
    if (cpu->mode == MODE_V86 && iopl(cpu) < 3) {
        if (!(cpu->cr[4] & CR4_VME))
            cpu_fault(cpu, EXC_GP, 0);
        fl = (fl & ~FL_IF) | ((fl & FL_VIF) ? FL_IF : 0) | FL_IOPL;
    }
    push16(cpu, (uint16_t)fl);
}

void op_pushf32(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->mode == MODE_V86 && iopl(cpu) < 3)
        cpu_fault(cpu, EXC_GP, 0);
    push32(cpu, cpu_get_eflags(cpu) & ~(FL_VM | FL_RF));
}

/* The EFLAGS an instruction like POPF/IRET may load at the current privilege (SDM Vol. 2B
 * "POPF", Table 4-16): IOPL only at CPL 0, IF only at CPL <= IOPL, VM/VIP/VIF never. */
uint32_t eflags_for_popf(struct cpu *cpu, uint32_t value, uint32_t size_mask_)
{
    uint32_t old = cpu_get_eflags(cpu);
    uint32_t keep = FL_VM | FL_VIP | FL_VIF | ~size_mask_;
    if (cpu->mode != MODE_REAL) {
        if (cpu->cpl > 0)
            keep |= FL_IOPL;
        if (cpu->cpl > iopl(cpu))
            keep |= FL_IF;
    }
    return ((old & keep) | (value & ~keep)) & ~FL_RF;
}

/* POPF in virtual-8086 mode with IOPL < 3 and CR4.VME: IF goes to VIF; TF set, or IF
 * set while VIP is pending, is #GP (SDM Vol. 3A §20.4.4). */
void op_popf16(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->mode == MODE_V86 && iopl(cpu) < 3) {
        if (!(cpu->cr[4] & CR4_VME))
            cpu_fault(cpu, EXC_GP, 0);
        uint32_t sp = cpu->r[R_ESP] & stack_mask(cpu);
        uint16_t v = rd16(cpu, S_SS, sp);
        if ((v & FL_TF) || ((v & FL_IF) && (cpu->eflags & FL_VIP)))
            cpu_fault(cpu, EXC_GP, 0);
        set_sp(cpu, sp + 2);
        uint32_t old = cpu_get_eflags(cpu);
        uint32_t keep = 0xFFFF0000u | FL_IOPL | FL_IF;
        uint32_t nv = (old & keep) | (v & ~keep);
        nv = (nv & ~FL_VIF) | ((v & FL_IF) ? FL_VIF : 0);
        cpu_set_eflags(cpu, nv);
        return;
    }
    uint16_t v = pop16(cpu);
    cpu_set_eflags(cpu, eflags_for_popf(cpu, v, 0xFFFF));
}

void op_popf32(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->mode == MODE_V86 && iopl(cpu) < 3)
        cpu_fault(cpu, EXC_GP, 0);
    uint32_t v = pop32(cpu);
    cpu_set_eflags(cpu, eflags_for_popf(cpu, v, 0xFFFFFFFF));
}

/* ENTER imm16, imm8 (SDM Vol. 2A "ENTER", Operation). NestingLevel = imm8 MOD 32. The
 * operand size is the width of every push and of the frame pointer loaded (BP or EBP);
 * the stack's size (SS.B) decides SP or ESP for the pushes and the final allocation, and
 * BP or EBP for walking the outer frames: level - 1 frame pointers are read at
 * [SS:(E)BP - size * i] and pushed, then FrameTemp, the (E)SP after the first push --
 * all of ESP for a 32-bit operand even on a 16-bit stack, whose upper half stays.
 *
 * The models with enter_probe (cpu/models.c) then check a write of the operand size at
 * the final stack pointer: #SS beyond the limit, #AC when misaligned under alignment
 * checking, #PF with CR2 = its linear address. As on the host processor (an Intel P6
 * descendant: tests/cpu-oracle, and a #PF experiment in 64-bit mode), the frame is
 * already in memory when the probe faults; ESP and EBP are as they were (the execution
 * loop restores ESP, EBP is loaded after the probe). */
static void enter(struct cpu *cpu, const struct insn *in, unsigned size)
{
    const uint32_t sm = stack_mask(cpu);
    const unsigned level = in->imm2 & 31;
    const uint32_t alloc = in->imm & 0xFFFF;
    uint32_t bp = cpu->r[R_EBP];
    if (size == 2)
        push16(cpu, (uint16_t)bp);
    else
        push32(cpu, bp);
    const uint32_t frame = cpu->r[R_ESP];
    if (level > 0) {
        for (unsigned i = 1; i < level; i++) {
            bp = (bp & ~sm) | ((bp - size) & sm);
            if (size == 2)
                push16(cpu, rd16(cpu, S_SS, bp & sm));
            else
                push32(cpu, rd32(cpu, S_SS, bp & sm));
        }
        if (size == 2)
            push16(cpu, (uint16_t)frame);
        else
            push32(cpu, frame);
    }
    const uint32_t final = (cpu->r[R_ESP] - alloc) & sm;
    if (cpu->info->enter_probe) {
        uint32_t lin = seg_addr(cpu, S_SS, final, size, SEG_OK_WRITE);
        align_check(cpu, lin, size);
        lin_probe_write(cpu, lin, size);
    }
    if (size == 2)
        set_r16(cpu, R_EBP, (uint16_t)frame);
    else
        cpu->r[R_EBP] = frame;
    set_sp(cpu, final);
}

void op_enter16(struct cpu *cpu, const struct insn *in) { enter(cpu, in, 2); }
void op_enter32(struct cpu *cpu, const struct insn *in) { enter(cpu, in, 4); }

void op_leave16(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    set_sp(cpu, cpu->r[R_EBP]);
    uint16_t bp = pop16(cpu);
    set_r16(cpu, R_EBP, bp);
}

void op_leave32(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    set_sp(cpu, cpu->r[R_EBP]);
    cpu->r[R_EBP] = pop32(cpu);
}
