/* x87 instructions: bookkeeping shared by all (pending exceptions, pointers, flags,
 * stack faults), arithmetic, compares, register moves and the one-operand operations (SDM
 * Vol. 2 per instruction, Vol. 1 ch. 8); loads and stores are in x87_ldst.c. The masked and
 * unmasked responses follow the host processors the oracle (tests/fpu-oracle) compares
 * against; each place notes where a behaviour is one the manual leaves open. */
#include "cpu/fpu/x87.h"

/* ---- shared bookkeeping ---- */

void x87_update_ferr(struct cpu *cpu)
{
    if (cpu->ferr && !x87_pending(&cpu->fpu)) {
        cpu->ferr = 0;
        if (cpu->ferr_changed)
            cpu->ferr_changed(cpu->ferr_opaque, 0);
    }
}

/* A pending unmasked exception meets a waiting instruction. CR0.NE = 1: #MF before the
 * instruction. CR0.NE = 0 (PC style): FERR# rises for the platform's IRQ 13 and the
 * processor waits here (the instruction restarts) until the handler clears the exception
 * or IGNNE# is asserted; with nobody listening it goes on as under IGNNE#. */
void fpu_error(struct cpu *cpu)
{
    if (cpu->cr[0] & CR0_NE)
        cpu_fault(cpu, EXC_MF, 0);
    if (!cpu->ferr) {
        cpu->ferr = 1;
        if (cpu->ferr_changed)
            cpu->ferr_changed(cpu->ferr_opaque, 1);
    }
    if (cpu->ferr_changed && !cpu->ignne)
        cpu_fault(cpu, -2, 0); /* negative vector: restart without delivering anything */
}

void x87_begin(struct cpu *cpu, bool waiting)
{
    if (cpu->cr[0] & (CR0_EM | CR0_TS))
        cpu_fault(cpu, EXC_NM, 0);
    if (waiting && x87_pending(&cpu->fpu))
        fpu_error(cpu);
}

void x87_note(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    f->fop = (uint16_t)((in->op & 7) << 8 | in->mod << 6 | in->reg << 3 | in->rm);
    f->fip = cpu->insn_eip;
    f->fcs = cpu->seg[S_CS].sel;
    if (in->mod != 3) {
        f->fdp = ea(cpu, in);
        f->fds = cpu->seg[in->seg].sel;
    }
}

void x87_raise(struct cpu *cpu, uint16_t flags)
{
    struct fpu *f = &cpu->fpu;
    f->sw = (uint16_t)((f->sw & ~SW_C1) | (flags & (FE_ALL | FE_SF | FE_C1)));
}

bool x87_underflow(struct cpu *cpu)
{
    x87_raise(cpu, FE_IE | FE_SF);
    return cpu->fpu.cw & FE_IE;
}

bool x87_overflow(struct cpu *cpu)
{
    x87_raise(cpu, FE_IE | FE_SF | FE_C1);
    return cpu->fpu.cw & FE_IE;
}

/* The same as an operand of arithmetic or a compare: SNaNs stay signalling and a denormal
 * is reported through c->den_in, so the operation applies the exception priorities. */
static struct f80 arith_operand(struct cpu *cpu, const struct insn *in, int kind,
                                struct f80_ctx *c)
{
    uint32_t off = ea(cpu, in);
    bool den = false;
    struct f80 v;
    switch (kind) {
    case M_F32: v = f80_operand_f32(rd32(cpu, in->seg, off), &den); break;
    case M_F64: v = f80_operand_f64(x87_rd64(cpu, in, off), &den); break;
    default: return x87_load_operand(cpu, in, kind, c);
    }
    c->den_in = den;
    return v;
}

/* ---- arithmetic ---- */

/* The operation of ModRM.reg in D8/DC (memory and ST(0) destination forms). */
enum { AR_ADD, AR_MUL, AR_COM, AR_COMP, AR_SUB, AR_SUBR, AR_DIV, AR_DIVR };

static struct f80 arith(struct f80_ctx *c, unsigned op, struct f80 d, struct f80 s)
{
    switch (op) {
    case AR_ADD: return f80_add(c, d, s);
    case AR_MUL: return f80_mul(c, d, s);
    case AR_SUB: return f80_sub(c, d, s);
    case AR_SUBR: return f80_sub(c, s, d);
    case AR_DIV: return f80_div(c, d, s);
    default: return f80_div(c, s, d);
    }
}

/* Condition codes of a comparison: C3 C2 C0 = 000 greater, 001 less, 100 equal, 111
 * unordered; C1 = 0. */
static void set_compare_codes(struct fpu *f, enum f80_order o)
{
    static const uint16_t cc[4] = { SW_C0, SW_C3, 0, SW_C0 | SW_C2 | SW_C3 };
    f->sw = (uint16_t)((f->sw & ~(SW_C0 | SW_C1 | SW_C2 | SW_C3)) | cc[o]);
}

/* FCOM family on ST(0) and a value. The codes are set even when an unmasked IE or DE
 * stops the instruction, which then does not pop (host behaviour; the manual says the
 * codes are not set). */
static void compare(struct cpu *cpu, struct f80_ctx *c, struct f80 a, struct f80 b, bool quiet,
                    unsigned pops)
{
    struct fpu *f = &cpu->fpu;
    enum f80_order o = f80_compare(c, a, b, quiet);
    x87_raise(cpu, c->flags & ~FE_C1);
    set_compare_codes(f, o);
    if (x87_stops(f, c->flags, FE_IE | FE_DE))
        return;
    while (pops--)
        st_pop(f);
}

/* A compare whose operand register is empty: unordered; masked, the pops happen. */
static void compare_underflow(struct cpu *cpu, unsigned pops)
{
    bool masked = x87_underflow(cpu);
    set_compare_codes(&cpu->fpu, F80_UNORDERED);
    while (masked && pops--)
        st_pop(&cpu->fpu);
}

/* ST(d) = ST(d) op ST(s), then pop if asked. */
static void arith_reg(struct cpu *cpu, const struct insn *in, unsigned op, unsigned d,
                      unsigned s, bool pop)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, d) || st_empty(f, s)) {
        if (x87_underflow(cpu)) {
            st_set(f, d, f80_indefinite());
            if (pop)
                st_pop(f);
        }
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    struct f80 r = arith(&c, op, *st(f, d), *st(f, s));
    x87_raise(cpu, c.flags);
    if (x87_stops(f, c.flags, FE_IE | FE_DE | FE_ZE))
        return;
    st_set(f, d, r);
    if (pop)
        st_pop(f);
}

/* ST(0) = ST(0) op memory operand, or a compare with it. */
static void arith_mem(struct cpu *cpu, const struct insn *in, unsigned op, int kind)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    struct f80_ctx c = x87_ctx(f);
    struct f80 src = arith_operand(cpu, in, kind, &c);
    x87_note(cpu, in);
    unsigned pops = op == AR_COMP;
    if (st_empty(f, 0)) {
        if (op == AR_COM || op == AR_COMP)
            compare_underflow(cpu, pops);
        else if (x87_underflow(cpu))
            st_set(f, 0, f80_indefinite());
        return;
    }
    if (op == AR_COM || op == AR_COMP) {
        compare(cpu, &c, *st(f, 0), src, false, pops);
        return;
    }
    struct f80 r = arith(&c, op, *st(f, 0), src);
    x87_raise(cpu, c.flags);
    if (x87_stops(f, c.flags, FE_IE | FE_DE | FE_ZE))
        return;
    st_set(f, 0, r);
}

#define ARITH_MEM(name, op, kind)                                                          \
    void op_##name(struct cpu *cpu, const struct insn *in) { arith_mem(cpu, in, op, kind); }
#define ARITH_MEM_ALL(prefix, size, kind)                                                  \
    ARITH_MEM(prefix##add_##size, AR_ADD, kind) ARITH_MEM(prefix##mul_##size, AR_MUL, kind)    \
    ARITH_MEM(prefix##com_##size, AR_COM, kind) ARITH_MEM(prefix##comp_##size, AR_COMP, kind)  \
    ARITH_MEM(prefix##sub_##size, AR_SUB, kind) ARITH_MEM(prefix##subr_##size, AR_SUBR, kind)  \
    ARITH_MEM(prefix##div_##size, AR_DIV, kind) ARITH_MEM(prefix##divr_##size, AR_DIVR, kind)
ARITH_MEM_ALL(f, m32, M_F32)
ARITH_MEM_ALL(f, m64, M_F64)
ARITH_MEM_ALL(fi, m32, M_I32)
ARITH_MEM_ALL(fi, m16, M_I16)

#define ARITH_REG(name, op, d, s, pop)                                                     \
    void op_##name(struct cpu *cpu, const struct insn *in) { arith_reg(cpu, in, op, d, s, pop); }
ARITH_REG(fadd_st0_sti, AR_ADD, 0, in->rm, false)
ARITH_REG(fmul_st0_sti, AR_MUL, 0, in->rm, false)
ARITH_REG(fsub_st0_sti, AR_SUB, 0, in->rm, false)
ARITH_REG(fsubr_st0_sti, AR_SUBR, 0, in->rm, false)
ARITH_REG(fdiv_st0_sti, AR_DIV, 0, in->rm, false)
ARITH_REG(fdivr_st0_sti, AR_DIVR, 0, in->rm, false)
ARITH_REG(fadd_sti_st0, AR_ADD, in->rm, 0, false)
ARITH_REG(fmul_sti_st0, AR_MUL, in->rm, 0, false)
ARITH_REG(fsub_sti_st0, AR_SUB, in->rm, 0, false)
ARITH_REG(fsubr_sti_st0, AR_SUBR, in->rm, 0, false)
ARITH_REG(fdiv_sti_st0, AR_DIV, in->rm, 0, false)
ARITH_REG(fdivr_sti_st0, AR_DIVR, in->rm, 0, false)
ARITH_REG(faddp, AR_ADD, in->rm, 0, true)
ARITH_REG(fmulp, AR_MUL, in->rm, 0, true)
ARITH_REG(fsubp, AR_SUB, in->rm, 0, true)
ARITH_REG(fsubrp, AR_SUBR, in->rm, 0, true)
ARITH_REG(fdivp, AR_DIV, in->rm, 0, true)
ARITH_REG(fdivrp, AR_DIVR, in->rm, 0, true)

/* ---- compares ---- */

static void compare_reg(struct cpu *cpu, const struct insn *in, unsigned i, bool quiet,
                        unsigned pops)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0) || st_empty(f, i)) {
        compare_underflow(cpu, pops);
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    compare(cpu, &c, *st(f, 0), *st(f, i), quiet, pops);
}

void op_fcom_sti(struct cpu *cpu, const struct insn *in) { compare_reg(cpu, in, in->rm, false, 0); }
void op_fcomp_sti(struct cpu *cpu, const struct insn *in) { compare_reg(cpu, in, in->rm, false, 1); }
void op_fcompp(struct cpu *cpu, const struct insn *in) { compare_reg(cpu, in, 1, false, 2); }
void op_fucom(struct cpu *cpu, const struct insn *in) { compare_reg(cpu, in, in->rm, true, 0); }
void op_fucomp(struct cpu *cpu, const struct insn *in) { compare_reg(cpu, in, in->rm, true, 1); }
void op_fucompp(struct cpu *cpu, const struct insn *in) { compare_reg(cpu, in, 1, true, 2); }

/* FCOMI family (P6): the result goes to ZF, PF, CF; OF, SF, AF are cleared; C1 stays.
 * As with FCOM, the flags are set even when an unmasked exception stops the pop. */
static void compare_eflags(struct cpu *cpu, const struct insn *in, bool quiet, bool pop)
{
    static const uint32_t fl[4] = { FL_CF, FL_ZF, 0, FL_ZF | FL_PF | FL_CF };
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    enum f80_order o = F80_UNORDERED;
    bool go_on;
    if (st_empty(f, 0) || st_empty(f, in->rm)) {
        go_on = x87_underflow(cpu);
    } else {
        struct f80_ctx c = x87_ctx(f);
        o = f80_compare(&c, *st(f, 0), *st(f, in->rm), quiet);
        x87_raise(cpu, (c.flags & ~FE_C1) | (f->sw & SW_C1));
        go_on = !x87_stops(f, c.flags, FE_IE | FE_DE);
    }
    set_flags_eager(cpu, FL_ARITH, fl[o]);
    if (pop && go_on)
        st_pop(f);
}

void op_fcomi(struct cpu *cpu, const struct insn *in) { compare_eflags(cpu, in, false, false); }
void op_fcomip(struct cpu *cpu, const struct insn *in) { compare_eflags(cpu, in, false, true); }
void op_fucomi(struct cpu *cpu, const struct insn *in) { compare_eflags(cpu, in, true, false); }
void op_fucomip(struct cpu *cpu, const struct insn *in) { compare_eflags(cpu, in, true, true); }

void op_ftst(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0)) {
        compare_underflow(cpu, 0);
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    compare(cpu, &c, *st(f, 0), f80_zero(false), false, 0);
}

/* FXAM: C3 C2 C0 give the class, C1 the sign (SDM Vol. 2A "FXAM"). */
void op_fxam(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    struct f80 v = *st(f, 0);
    uint16_t cc;
    if (st_empty(f, 0)) {
        cc = SW_C3 | SW_C0;
    } else {
        switch (f80_classify(v)) {
        case F80_UNSUPPORTED: cc = 0; break;
        case F80_QNAN:
        case F80_SNAN: cc = SW_C0; break;
        case F80_NORMAL: cc = SW_C2; break;
        case F80_INF: cc = SW_C2 | SW_C0; break;
        case F80_ZERO: cc = SW_C3; break;
        default: cc = SW_C3 | SW_C2; break;
        }
    }
    if (f80_sign(v))
        cc |= SW_C1;
    f->sw = (uint16_t)((f->sw & ~(SW_C0 | SW_C1 | SW_C2 | SW_C3)) | cc);
}

/* ---- stack and register manipulation ---- */

void op_fxch(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0) || st_empty(f, in->rm)) {
        if (!x87_underflow(cpu))
            return;
        if (st_empty(f, 0))
            st_set(f, 0, f80_indefinite());
        if (st_empty(f, in->rm))
            st_set(f, in->rm, f80_indefinite());
    } else {
        x87_raise(cpu, 0);
    }
    struct f80 t = *st(f, 0);
    *st(f, 0) = *st(f, in->rm);
    *st(f, in->rm) = t;
}

/* FCMOVcc (P6): ST(0) = ST(i) when the EFLAGS condition holds. */
static void fcmov(struct cpu *cpu, const struct insn *in, bool take)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0) || st_empty(f, in->rm)) {
        if (x87_underflow(cpu)) /* whatever the condition (host behaviour) */
            st_set(f, 0, f80_indefinite());
        return;
    }
    if (take) /* C1 stays */
        st_set(f, 0, *st(f, in->rm));
}

void op_fcmovb(struct cpu *cpu, const struct insn *in) { fcmov(cpu, in, get_cf(cpu)); }
void op_fcmove(struct cpu *cpu, const struct insn *in) { fcmov(cpu, in, get_zf(cpu)); }
void op_fcmovbe(struct cpu *cpu, const struct insn *in) { fcmov(cpu, in, get_cf(cpu) || get_zf(cpu)); }
void op_fcmovu(struct cpu *cpu, const struct insn *in) { fcmov(cpu, in, get_pf(cpu)); }
void op_fcmovnb(struct cpu *cpu, const struct insn *in) { fcmov(cpu, in, !get_cf(cpu)); }
void op_fcmovne(struct cpu *cpu, const struct insn *in) { fcmov(cpu, in, !get_zf(cpu)); }
void op_fcmovnbe(struct cpu *cpu, const struct insn *in) { fcmov(cpu, in, !get_cf(cpu) && !get_zf(cpu)); }
void op_fcmovnu(struct cpu *cpu, const struct insn *in) { fcmov(cpu, in, !get_pf(cpu)); }

void op_ffree(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, true);
    x87_note(cpu, in);
    x87_raise(cpu, 0);
    cpu->fpu.valid &= (uint8_t)~(1u << st_phys(&cpu->fpu, in->rm));
}

/* FFREEP (undocumented, P6): FFREE ST(i), then pop. */
void op_ffreep(struct cpu *cpu, const struct insn *in)
{
    op_ffree(cpu, in);
    st_pop(&cpu->fpu);
}

void op_fincstp(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, true);
    x87_note(cpu, in);
    x87_raise(cpu, 0);
    cpu->fpu.top = (cpu->fpu.top + 1) & 7;
}

void op_fdecstp(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, true);
    x87_note(cpu, in);
    x87_raise(cpu, 0);
    cpu->fpu.top = (cpu->fpu.top - 1) & 7;
}

void op_fnop(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, true);
    x87_note(cpu, in);
}

/* ---- one-operand operations on ST(0) ---- */

/* FCHS, FABS: sign operations, no exception but stack underflow. */
static void sign_op(struct cpu *cpu, const struct insn *in, bool abs)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0)) {
        if (x87_underflow(cpu))
            st_set(f, 0, f80_indefinite());
        return;
    }
    x87_raise(cpu, 0);
    struct f80 *v = st(f, 0);
    v->se = abs ? v->se & 0x7FFF : v->se ^ 0x8000;
}

void op_fchs(struct cpu *cpu, const struct insn *in) { sign_op(cpu, in, false); }
void op_fabs(struct cpu *cpu, const struct insn *in) { sign_op(cpu, in, true); }

/* ST(0) = fn(ST(0)): FSQRT, FRNDINT, F2XM1. */
void x87_unary(struct cpu *cpu, const struct insn *in,
               struct f80 (*fn)(struct f80_ctx *, struct f80))
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0)) {
        if (x87_underflow(cpu))
            st_set(f, 0, f80_indefinite());
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    struct f80 r = fn(&c, *st(f, 0));
    x87_raise(cpu, c.flags);
    if (x87_stops(f, c.flags, FE_IE | FE_DE))
        return;
    st_set(f, 0, r);
}

void op_fsqrt(struct cpu *cpu, const struct insn *in) { x87_unary(cpu, in, f80_sqrt); }
void op_frndint(struct cpu *cpu, const struct insn *in) { x87_unary(cpu, in, f80_round_int); }

void op_fscale(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0) || st_empty(f, 1)) {
        if (x87_underflow(cpu))
            st_set(f, 0, f80_indefinite());
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    struct f80 r = f80_scale(&c, *st(f, 0), *st(f, 1));
    x87_raise(cpu, c.flags);
    if (x87_stops(f, c.flags, FE_IE | FE_DE))
        return;
    st_set(f, 0, r);
}

/* FXTRACT: ST(0) becomes the exponent, then the significand is pushed. */
void op_fxtract(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0)) {
        if (x87_underflow(cpu)) {
            st_set(f, 0, f80_indefinite());
            st_push(f, f80_indefinite());
        }
        return;
    }
    if (!st_empty(f, 7)) {
        if (x87_overflow(cpu)) {
            st_set(f, 0, f80_indefinite());
            st_push(f, f80_indefinite());
        }
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    struct f80 sig, e = f80_extract(&c, *st(f, 0), &sig);
    x87_raise(cpu, c.flags);
    if (x87_stops(f, c.flags, FE_IE | FE_DE | FE_ZE))
        return;
    st_set(f, 0, e);
    st_push(f, sig);
}

/* FPREM/FPREM1: C0, C3, C1 = quotient bits 2, 1, 0 and C2 = 0 for a complete remainder;
 * C2 = 1 and the others 0 for a partial one. When there is no remainder (a stack fault,
 * NaN, invalid, unmasked denormal) C1 and C2 clear and C0, C3 stay (host behaviour). */
static void prem(struct cpu *cpu, const struct insn *in, bool ieee)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0) || st_empty(f, 1)) {
        f->sw &= (uint16_t)~SW_C2;
        if (x87_underflow(cpu))
            st_set(f, 0, f80_indefinite());
        return;
    }
    struct f80_ctx c = x87_ctx(f);
    unsigned q;
    bool partial;
    struct f80 r = f80_rem(&c, *st(f, 0), *st(f, 1), ieee, &q, &partial);
    x87_raise(cpu, c.flags & ~FE_C1);
    f->sw &= (uint16_t)~SW_C2;
    if (x87_stops(f, c.flags, FE_IE | FE_DE))
        return;
    st_set(f, 0, r);
    if (q == F80_NO_QUOTIENT)
        return;
    uint16_t cc = (uint16_t)((q & 4 ? SW_C0 : 0) | (q & 2 ? SW_C3 : 0) | (q & 1 ? SW_C1 : 0) |
                             (partial ? SW_C2 : 0));
    f->sw = (uint16_t)((f->sw & ~(SW_C0 | SW_C1 | SW_C2 | SW_C3)) | cc);
}

void op_fprem(struct cpu *cpu, const struct insn *in) { prem(cpu, in, false); }
void op_fprem1(struct cpu *cpu, const struct insn *in) { prem(cpu, in, true); }
