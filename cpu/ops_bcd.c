/* Decimal arithmetic: DAA DAS AAA AAS AAM AAD, and SALC (SDM Vol. 2A; SALC is undocumented
 * but present on every model from the 8086 to the P6: 286-real/D6.MOO.gz). */
#include "cpu/exec.h"
#include "cpu/handlers.h"

static uint32_t szp8(uint8_t v)
{
    return (v == 0 ? FL_ZF : 0) | (v & 0x80 ? FL_SF : 0) | (parity8(v) ? FL_PF : 0);
}

void op_daa(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint8_t al = get_r8(cpu, R_EAX), old_al = al;
    bool old_cf = get_cf(cpu), cf = false, af = false;
    if ((al & 0x0F) > 9 || get_af(cpu)) {
        cf = old_cf || al > 0xF9;
        al = (uint8_t)(al + 6);
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = (uint8_t)(al + 0x60);
        cf = true;
    }
    set_r8(cpu, R_EAX, al);
    set_flags_eager(cpu, FL_ARITH,
                    szp8(al) | (cf ? FL_CF : 0) | (af ? FL_AF : 0) |
                    ((~old_al & al & 0x80) ? FL_OF : 0));
}

void op_das(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint8_t al = get_r8(cpu, R_EAX), old_al = al;
    bool old_cf = get_cf(cpu), cf = false, af = false;
    if ((al & 0x0F) > 9 || get_af(cpu)) {
        cf = old_cf || al < 6;
        al = (uint8_t)(al - 6);
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = (uint8_t)(al - 0x60);
        cf = true;
    }
    set_r8(cpu, R_EAX, al);
    set_flags_eager(cpu, FL_ARITH,
                    szp8(al) | (cf ? FL_CF : 0) | (af ? FL_AF : 0) |
                    ((old_al & ~al & 0x80) ? FL_OF : 0));
}

void op_aaa(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint16_t ax = get_r16(cpu, R_EAX);
    bool adjust = (ax & 0x0F) > 9 || get_af(cpu);
    if (adjust)
        ax = (uint16_t)(ax + 0x106);
    ax &= 0xFF0F;
    set_r16(cpu, R_EAX, ax);
    set_flags_eager(cpu, FL_ARITH, szp8((uint8_t)ax) | (adjust ? FL_CF | FL_AF : 0));
}

void op_aas(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint16_t ax = get_r16(cpu, R_EAX);
    bool adjust = (ax & 0x0F) > 9 || get_af(cpu);
    if (adjust)
        ax = (uint16_t)(ax - 0x106);
    ax &= 0xFF0F;
    set_r16(cpu, R_EAX, ax);
    set_flags_eager(cpu, FL_ARITH, szp8((uint8_t)ax) | (adjust ? FL_CF | FL_AF : 0));
}

void op_aam(struct cpu *cpu, const struct insn *in)
{
    uint8_t base = (uint8_t)in->imm, al = get_r8(cpu, R_EAX);
    if (base == 0) {
        div_by_zero_flags(cpu, al >> 1, 8, 0);
        cpu_fault(cpu, EXC_DE, 0);
    }
    uint8_t q = al / base, r = al % base;
    set_r16(cpu, R_EAX, (uint16_t)((q << 8) | r));
    set_lazy(cpu, LF_LOGIC, 8, r, r, r);
}

void op_aad(struct cpu *cpu, const struct insn *in)
{
    uint8_t al = get_r8(cpu, R_EAX), ah = get_r8(cpu, R_EAX + 4);
    uint8_t prod = (uint8_t)(ah * (uint8_t)in->imm);
    uint8_t r = (uint8_t)(al + prod);
    set_r16(cpu, R_EAX, r);
    set_lazy(cpu, LF_ADD, 8, r, al, prod);
}

void op_salc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    set_r8(cpu, R_EAX, get_cf(cpu) ? 0xFF : 0x00);
}
