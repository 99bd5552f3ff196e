/* x87 loads and stores of every format: FLD/FILD/FBLD, constants, FST/FIST/FBSTP, FST
 * to a register (SDM Vol. 2A per instruction, Vol. 1 §8.2). */
#include "cpu/fpu/x87.h"

/* A memory operand as FLD/FILD load it: SNaNs quieted with IE, denormals flag DE. */
struct f80 x87_load_operand(struct cpu *cpu, const struct insn *in, int kind,
                            struct f80_ctx *c)
{
    uint32_t off = ea(cpu, in);
    switch (kind) {
    case M_F32: return f80_from_f32(c, rd32(cpu, in->seg, off));
    case M_I32: return f80_from_i64((int32_t)rd32(cpu, in->seg, off));
    case M_F64: return f80_from_f64(c, x87_rd64(cpu, in, off));
    default: return f80_from_i64((int16_t)rd16(cpu, in->seg, off));
    }
}

/* ---- loads ---- */

/* Pushes a loaded value; flags are those of the conversion. An unmasked SNaN (IE) stops
 * the load; an unmasked denormal does not (host behaviour: the value is pushed). */
static void push_loaded(struct cpu *cpu, struct f80 v, uint16_t flags)
{
    struct fpu *f = &cpu->fpu;
    if (!st_empty(f, 7)) {
        if (x87_overflow(cpu))
            st_push(f, f80_indefinite());
        return;
    }
    x87_raise(cpu, flags & ~FE_C1);
    if (x87_stops(f, flags, FE_IE))
        return;
    st_push(f, v);
}

static void load_mem(struct cpu *cpu, const struct insn *in, int kind)
{
    x87_begin(cpu, true);
    struct f80_ctx c = x87_ctx(&cpu->fpu);
    struct f80 v = x87_load_operand(cpu, in, kind, &c);
    x87_note(cpu, in);
    push_loaded(cpu, v, c.flags);
}

void op_fld_m32(struct cpu *cpu, const struct insn *in) { load_mem(cpu, in, M_F32); }
void op_fld_m64(struct cpu *cpu, const struct insn *in) { load_mem(cpu, in, M_F64); }
void op_fild_m16(struct cpu *cpu, const struct insn *in) { load_mem(cpu, in, M_I16); }
void op_fild_m32(struct cpu *cpu, const struct insn *in) { load_mem(cpu, in, M_I32); }

void op_fild_m64(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, true);
    struct f80 v = f80_from_i64((int64_t)x87_rd64(cpu, in, ea(cpu, in)));
    x87_note(cpu, in);
    push_loaded(cpu, v, 0);
}

/* FLD m80 copies the bits: no exception for SNaNs or unsupported encodings. */
void op_fld_m80(struct cpu *cpu, const struct insn *in)
{
    uint8_t b[10];
    x87_begin(cpu, true);
    x87_rd80(cpu, in, ea(cpu, in), b);
    x87_note(cpu, in);
    push_loaded(cpu, x87_bytes_to_f80(b), 0);
}

void op_fbld(struct cpu *cpu, const struct insn *in)
{
    uint8_t b[10];
    x87_begin(cpu, true);
    x87_rd80(cpu, in, ea(cpu, in), b);
    x87_note(cpu, in);
    push_loaded(cpu, f80_from_bcd(b), 0);
}

void op_fld_sti(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, in->rm)) {
        if (x87_underflow(cpu))
            st_push(f, f80_indefinite());
        return;
    }
    push_loaded(cpu, *st(f, in->rm), 0);
}

static void load_const(struct cpu *cpu, const struct insn *in, int which)
{
    x87_begin(cpu, true);
    x87_note(cpu, in);
    struct f80_ctx c = x87_ctx(&cpu->fpu);
    push_loaded(cpu, ftrans_const(&c, which), 0);
}

void op_fld1(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, true);
    x87_note(cpu, in);
    push_loaded(cpu, f80_one(false), 0);
}

void op_fldz(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, true);
    x87_note(cpu, in);
    push_loaded(cpu, f80_zero(false), 0);
}

void op_fldl2t(struct cpu *cpu, const struct insn *in) { load_const(cpu, in, K_L2T); }
void op_fldl2e(struct cpu *cpu, const struct insn *in) { load_const(cpu, in, K_L2E); }
void op_fldpi(struct cpu *cpu, const struct insn *in) { load_const(cpu, in, K_PI); }
void op_fldlg2(struct cpu *cpu, const struct insn *in) { load_const(cpu, in, K_LG2); }
void op_fldln2(struct cpu *cpu, const struct insn *in) { load_const(cpu, in, K_LN2); }

/* ---- stores ---- */

enum { S_F32, S_F64, S_I16, S_I32, S_I64 };

/* FST/FIST to memory. An empty ST(0) stores the indefinite when IE is masked; unmasked
 * IE, OE or UE store nothing and do not pop (host behaviour, SDM Vol. 1 §4.9.1.4-6). */
static void store_mem(struct cpu *cpu, const struct insn *in, int kind, bool pop)
{
    static const unsigned isize[] = { 4, 8, 2, 4, 8 };
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    uint32_t off = ea(cpu, in);
    struct f80_ctx c = x87_ctx(f);
    uint64_t v;
    bool empty = st_empty(f, 0);
    struct f80 x = empty ? f80_indefinite() : *st(f, 0);
    switch (kind) {
    case S_F32: v = f80_to_f32(&c, x); break;
    case S_F64: v = f80_to_f64(&c, x); break;
    default: v = (uint64_t)f80_to_int(&c, x, isize[kind] * 8); break;
    }
    if (empty)
        c.flags = FE_IE | FE_SF;
    if (!x87_stops(f, c.flags, FE_IE | FE_OE | FE_UE)) {
        switch (isize[kind]) {
        case 2: wr16(cpu, in->seg, off, (uint16_t)v); break;
        case 4: wr32(cpu, in->seg, off, (uint32_t)v); break;
        default: x87_wr64(cpu, in, off, v); break;
        }
    }
    x87_note(cpu, in);
    x87_raise(cpu, c.flags);
    if (!x87_stops(f, c.flags, FE_IE | FE_OE | FE_UE) && pop)
        st_pop(f);
}

void op_fst_m32(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_F32, false); }
void op_fstp_m32(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_F32, true); }
void op_fst_m64(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_F64, false); }
void op_fstp_m64(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_F64, true); }
void op_fist_m16(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_I16, false); }
void op_fistp_m16(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_I16, true); }
void op_fist_m32(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_I32, false); }
void op_fistp_m32(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_I32, true); }
void op_fistp_m64(struct cpu *cpu, const struct insn *in) { store_mem(cpu, in, S_I64, true); }

void op_fstp_m80(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    uint8_t b[10];
    x87_begin(cpu, true);
    uint32_t off = ea(cpu, in);
    bool empty = st_empty(f, 0);
    if (empty && !(f->cw & FE_IE)) {
        x87_note(cpu, in);
        x87_underflow(cpu);
        return;
    }
    x87_f80_to_bytes(empty ? f80_indefinite() : *st(f, 0), b);
    x87_wr80(cpu, in, off, b);
    x87_note(cpu, in);
    x87_raise(cpu, empty ? FE_IE | FE_SF : 0);
    st_pop(f);
}

void op_fbstp(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    uint8_t b[10];
    x87_begin(cpu, true);
    uint32_t off = ea(cpu, in);
    struct f80_ctx c = x87_ctx(f);
    bool empty = st_empty(f, 0);
    f80_to_bcd(&c, empty ? f80_indefinite() : *st(f, 0), b);
    if (empty)
        c.flags = FE_IE | FE_SF;
    if (!x87_stops(f, c.flags, FE_IE))
        x87_wr80(cpu, in, off, b);
    x87_note(cpu, in);
    x87_raise(cpu, c.flags);
    if (!x87_stops(f, c.flags, FE_IE))
        st_pop(f);
}

static void store_reg(struct cpu *cpu, const struct insn *in, bool pop)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    if (st_empty(f, 0)) {
        if (!x87_underflow(cpu))
            return;
        st_set(f, in->rm, f80_indefinite());
    } else {
        x87_raise(cpu, 0);
        st_set(f, in->rm, *st(f, 0));
    }
    if (pop)
        st_pop(f);
}

void op_fst_sti(struct cpu *cpu, const struct insn *in) { store_reg(cpu, in, false); }

/* FSTP1 (D9 D8+i, undocumented): FSTP ST(i) that never faults on an empty ST(0), which it
 * then does not copy; it only pops (host behaviour). */
void op_fstp1(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    x87_begin(cpu, true);
    x87_note(cpu, in);
    x87_raise(cpu, 0);
    if (!st_empty(f, 0))
        st_set(f, in->rm, *st(f, 0));
    st_pop(f);
}
void op_fstp_sti(struct cpu *cpu, const struct insn *in) { store_reg(cpu, in, true); }

