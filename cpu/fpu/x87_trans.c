/* x87 transcendental instructions (SDM Vol. 2A): FSIN, FCOS, FSINCOS, FPTAN, FPATAN,
 * F2XM1, FYL2X, FYL2XP1. Precision control does not apply: results are rounded to 64 bits
 * (SDM Vol. 1 §8.1.5.2). The arithmetic is in cpu/fpu/ftrans.c. */
#include "cpu/fpu/x87.h"

void op_f2xm1(struct cpu *cpu, const struct insn *in) { x87_unary(cpu, in, ftrans_f2xm1); }

/* ST(1) = fn(ST(0), ST(1)), then pop: FYL2X, FYL2XP1, FPATAN. */
static void binary_pop(struct cpu *cpu, const struct insn *in,
                       struct f80 (*fn)(struct f80_ctx *, struct f80, struct f80))
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0) || st_empty(f, 1)) {
        if (x87_underflow(cpu)) {
            st_set(f, 1, f80_indefinite());
            st_pop(f);
        }
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    struct f80 r = fn(&c, *st(f, 0), *st(f, 1));
    x87_raise(cpu, c.flags);
    if (c.flags & ~f->cw & (FE_IE | FE_DE | FE_ZE))
        return;
    st_set(f, 1, r);
    st_pop(f);
}

static struct f80 atan2_of(struct f80_ctx *c, struct f80 x, struct f80 y)
{
    return ftrans_atan2(c, y, x);
}

void op_fyl2x(struct cpu *cpu, const struct insn *in) { binary_pop(cpu, in, ftrans_yl2x); }
void op_fyl2xp1(struct cpu *cpu, const struct insn *in) { binary_pop(cpu, in, ftrans_yl2xp1); }
void op_fpatan(struct cpu *cpu, const struct insn *in) { binary_pop(cpu, in, atan2_of); }

enum { T_SIN, T_COS, T_SINCOS, T_TAN };

/* Trigonometry: |ST(0)| >= 2^63 leaves it unchanged with C2 = 1 (SDM Vol. 2A "FSIN"). */
static void trig(struct cpu *cpu, const struct insn *in, int which)
{
    struct fpu *f = &cpu->fpu;
    bool pushes = which == T_SINCOS || which == T_TAN;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    f->sw &= (uint16_t)~SW_C2; /* C2 reports only an out-of-range operand */
    if (st_empty(f, 0)) {
        if (x87_underflow(cpu)) {
            st_set(f, 0, f80_indefinite());
            if (pushes)
                st_push(f, f80_indefinite());
        }
        return;
    }
    if (pushes && !st_empty(f, 7)) {
        if (x87_overflow(cpu)) {
            st_set(f, 0, f80_indefinite());
            st_push(f, f80_indefinite());
        }
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    struct f80 s, co;
    bool oor;
    uint16_t cos_flags = 0;
    if (which == T_TAN)
        s = ftrans_tan(&c, *st(f, 0), &oor);
    else
        ftrans_sincos(&c, *st(f, 0), &s, &co, &cos_flags, &oor);
    if (which == T_COS)
        c.flags = cos_flags;
    else if (which == T_SINCOS)
        c.flags |= cos_flags & ~FE_C1;
    x87_raise(cpu, c.flags);
    if (oor)
        f->sw |= SW_C2;
    if (oor || (c.flags & ~f->cw & (FE_IE | FE_DE)))
        return;
    switch (which) {
    case T_SIN: st_set(f, 0, s); break;
    case T_COS: st_set(f, 0, co); break;
    case T_SINCOS:
        st_set(f, 0, s);
        st_push(f, co);
        break;
    default: /* FPTAN pushes 1.0, or the NaN it returns (host behaviour) */
        st_set(f, 0, s);
        st_push(f, f80_is_nan(s) ? s : f80_one(false));
        break;
    }
}

void op_fsin(struct cpu *cpu, const struct insn *in) { trig(cpu, in, T_SIN); }
void op_fcos(struct cpu *cpu, const struct insn *in) { trig(cpu, in, T_COS); }
void op_fsincos(struct cpu *cpu, const struct insn *in) { trig(cpu, in, T_SINCOS); }
void op_fptan(struct cpu *cpu, const struct insn *in) { trig(cpu, in, T_TAN); }
