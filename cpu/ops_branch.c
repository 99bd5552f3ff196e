/* Control transfer: Jcc, JMP, CALL, RET, LOOP, JCXZ, INT, INTO, INT3, INT1, IRET, BOUND
 * (SDM Vol. 2). Targets are checked against the CS limit before anything is pushed. */
#include "cpu/exec.h"
#include "cpu/handlers.h"

void op_jcc_rel8_16(struct cpu *cpu, const struct insn *in)
{
    if (cond(cpu, in->op & 15))
        jump_near(cpu, cpu->eip + (uint32_t)(int8_t)in->imm, false);
}

void op_jcc_rel8_32(struct cpu *cpu, const struct insn *in)
{
    if (cond(cpu, in->op & 15))
        jump_near(cpu, cpu->eip + (uint32_t)(int8_t)in->imm, true);
}

void op_jcc_rel16(struct cpu *cpu, const struct insn *in)
{
    if (cond(cpu, in->op & 15))
        jump_near(cpu, cpu->eip + (uint32_t)(int16_t)in->imm, false);
}

void op_jcc_rel32(struct cpu *cpu, const struct insn *in)
{
    if (cond(cpu, in->op & 15))
        jump_near(cpu, cpu->eip + in->imm, true);
}

void op_jmp_rel8_16(struct cpu *cpu, const struct insn *in) { jump_near(cpu, cpu->eip + (uint32_t)(int8_t)in->imm, false); }
void op_jmp_rel8_32(struct cpu *cpu, const struct insn *in) { jump_near(cpu, cpu->eip + (uint32_t)(int8_t)in->imm, true); }
void op_jmp_rel16(struct cpu *cpu, const struct insn *in) { jump_near(cpu, cpu->eip + in->imm, false); }
void op_jmp_rel32(struct cpu *cpu, const struct insn *in) { jump_near(cpu, cpu->eip + in->imm, true); }
void op_jmp_rm16(struct cpu *cpu, const struct insn *in) { jump_near(cpu, rm16_read(cpu, in), false); }
void op_jmp_rm32(struct cpu *cpu, const struct insn *in) { jump_near(cpu, rm32_read(cpu, in), true); }

void op_jmp_far16(struct cpu *cpu, const struct insn *in) { jump_far(cpu, (uint16_t)in->imm2, in->imm, false); }
void op_jmp_far32(struct cpu *cpu, const struct insn *in) { jump_far(cpu, (uint16_t)in->imm2, in->imm, true); }

void op_jmp_far_m16(struct cpu *cpu, const struct insn *in)
{
    uint32_t off = ea(cpu, in);
    uint16_t ip = rd16(cpu, in->seg, off);
    uint16_t cs = rd16(cpu, in->seg, (off + 2) & in->addr_mask);
    jump_far(cpu, cs, ip, false);
}

void op_jmp_far_m32(struct cpu *cpu, const struct insn *in)
{
    uint32_t off = ea(cpu, in);
    uint32_t ip = rd32(cpu, in->seg, off);
    uint16_t cs = rd16(cpu, in->seg, (off + 4) & in->addr_mask);
    jump_far(cpu, cs, ip, true);
}

static void call_near(struct cpu *cpu, uint32_t target, bool o32)
{
    if (!o32)
        target &= 0xFFFF;
    if (target > cpu->seg[S_CS].limit)
        cpu_fault(cpu, EXC_GP, 0);
    if (o32)
        push32(cpu, cpu->eip);
    else
        push16(cpu, (uint16_t)cpu->eip);
    cpu->eip = target;
}

void op_call_rel16(struct cpu *cpu, const struct insn *in) { call_near(cpu, cpu->eip + in->imm, false); }
void op_call_rel32(struct cpu *cpu, const struct insn *in) { call_near(cpu, cpu->eip + in->imm, true); }
void op_call_rm16(struct cpu *cpu, const struct insn *in) { call_near(cpu, rm16_read(cpu, in), false); }
void op_call_rm32(struct cpu *cpu, const struct insn *in) { call_near(cpu, rm32_read(cpu, in), true); }

void op_call_far16(struct cpu *cpu, const struct insn *in) { call_far(cpu, (uint16_t)in->imm2, in->imm, false); }
void op_call_far32(struct cpu *cpu, const struct insn *in) { call_far(cpu, (uint16_t)in->imm2, in->imm, true); }

void op_call_far_m16(struct cpu *cpu, const struct insn *in)
{
    uint32_t off = ea(cpu, in);
    uint16_t ip = rd16(cpu, in->seg, off);
    uint16_t cs = rd16(cpu, in->seg, (off + 2) & in->addr_mask);
    call_far(cpu, cs, ip, false);
}

void op_call_far_m32(struct cpu *cpu, const struct insn *in)
{
    uint32_t off = ea(cpu, in);
    uint32_t ip = rd32(cpu, in->seg, off);
    uint16_t cs = rd16(cpu, in->seg, (off + 4) & in->addr_mask);
    call_far(cpu, cs, ip, true);
}

static void release(struct cpu *cpu, uint32_t bytes)
{
    set_sp(cpu, cpu->r[R_ESP] + bytes);
}

void op_ret_near16(struct cpu *cpu, const struct insn *in) { (void)in; jump_near(cpu, pop16(cpu), false); }
void op_ret_near32(struct cpu *cpu, const struct insn *in) { (void)in; jump_near(cpu, pop32(cpu), true); }

void op_ret_near_imm16(struct cpu *cpu, const struct insn *in)
{
    jump_near(cpu, pop16(cpu), false);
    release(cpu, in->imm);
}

void op_ret_near_imm32(struct cpu *cpu, const struct insn *in)
{
    jump_near(cpu, pop32(cpu), true);
    release(cpu, in->imm);
}

void op_ret_far16(struct cpu *cpu, const struct insn *in) { (void)in; ret_far(cpu, false, 0); }
void op_ret_far32(struct cpu *cpu, const struct insn *in) { (void)in; ret_far(cpu, true, 0); }
void op_ret_far_imm16(struct cpu *cpu, const struct insn *in) { ret_far(cpu, false, in->imm); }
void op_ret_far_imm32(struct cpu *cpu, const struct insn *in) { ret_far(cpu, true, in->imm); }

/* LOOP/LOOPcc/JCXZ count in CX or ECX by address size; the target follows operand size. */
static uint32_t dec_count(struct cpu *cpu, const struct insn *in)
{
    uint32_t n = (cpu->r[R_ECX] - 1) & in->addr_mask;
    cpu->r[R_ECX] = (cpu->r[R_ECX] & ~in->addr_mask) | n;
    return n;
}

#define DEFINE_LOOP(name, take)                                                            \
    void op_##name##16(struct cpu *cpu, const struct insn *in)                             \
    {                                                                                      \
        uint32_t n = dec_count(cpu, in);                                                   \
        if (take)                                                                          \
            jump_near(cpu, cpu->eip + (uint32_t)(int8_t)in->imm, false);                  \
    }                                                                                      \
    void op_##name##32(struct cpu *cpu, const struct insn *in)                             \
    {                                                                                      \
        uint32_t n = dec_count(cpu, in);                                                   \
        if (take)                                                                          \
            jump_near(cpu, cpu->eip + (uint32_t)(int8_t)in->imm, true);                   \
    }

DEFINE_LOOP(loop, n != 0)
DEFINE_LOOP(loope, n != 0 && get_zf(cpu))
DEFINE_LOOP(loopne, n != 0 && !get_zf(cpu))

void op_jcxz16(struct cpu *cpu, const struct insn *in)
{
    if ((cpu->r[R_ECX] & in->addr_mask) == 0)
        jump_near(cpu, cpu->eip + (uint32_t)(int8_t)in->imm, false);
}

void op_jcxz32(struct cpu *cpu, const struct insn *in)
{
    if ((cpu->r[R_ECX] & in->addr_mask) == 0)
        jump_near(cpu, cpu->eip + (uint32_t)(int8_t)in->imm, true);
}

void op_int_imm8(struct cpu *cpu, const struct insn *in)
{
    if (cpu->mode == MODE_V86) {
        v86_software_interrupt(cpu, (uint8_t)in->imm);
        return;
    }
    cpu_interrupt(cpu, (uint8_t)in->imm, true, cpu->eip);
}

void op_int3(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_interrupt(cpu, EXC_BP, true, cpu->eip);
}

void op_into(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (get_of(cpu))
        cpu_interrupt(cpu, EXC_OF, true, cpu->eip);
}

/* INT1/ICEBP: a debug trap without the privilege check of INT n (SDM Vol. 3A §17.3.1). */
void op_int1(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_interrupt(cpu, EXC_DB, false, cpu->eip);
}

void op_iret16(struct cpu *cpu, const struct insn *in) { (void)in; iret(cpu, false); }
void op_iret32(struct cpu *cpu, const struct insn *in) { (void)in; iret(cpu, true); }

void op_bound16(struct cpu *cpu, const struct insn *in)
{
    uint32_t off = ea(cpu, in);
    int16_t lo = (int16_t)rd16(cpu, in->seg, off);
    int16_t hi = (int16_t)rd16(cpu, in->seg, (off + 2) & in->addr_mask);
    int16_t v = (int16_t)get_r16(cpu, in->reg);
    if (v < lo || v > hi)
        cpu_fault(cpu, EXC_BR, 0);
}

void op_bound32(struct cpu *cpu, const struct insn *in)
{
    uint32_t off = ea(cpu, in);
    int32_t lo = (int32_t)rd32(cpu, in->seg, off);
    int32_t hi = (int32_t)rd32(cpu, in->seg, (off + 4) & in->addr_mask);
    int32_t v = (int32_t)cpu->r[in->reg];
    if (v < lo || v > hi)
        cpu_fault(cpu, EXC_BR, 0);
}
