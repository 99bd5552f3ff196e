/* Shifts and rotates: ROL ROR RCL RCR SHL/SAL SHR SAR, SHLD SHRD (SDM Vol. 2B).
 * Counts are masked to 5 bits from the 286 on. A masked count of 0 changes nothing,
 * flags included. Flags are computed eagerly and committed after the result is written. */
#include "cpu/exec.h"
#include "cpu/handlers.h"

enum shift_kind { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

struct shift_out {
    uint32_t res;
    uint32_t flags; /* values of the arithmetic flags ... */
    uint32_t mask;  /* ... that the operation changes */
};

static uint32_t szp(uint32_t r, unsigned bits)
{
    uint32_t f = 0;
    if ((r & size_mask(bits)) == 0)
        f |= FL_ZF;
    if (r & (1u << (bits - 1)))
        f |= FL_SF;
    if (parity8(r))
        f |= FL_PF;
    return f;
}

/* Inlined into each handler, so that the kind and width fold away; CF is read (lazily
 * materialised) only by the rotations through it. */
static ALWAYS_INLINE struct shift_out shift(const struct cpu *cpu, enum shift_kind k,
                                            unsigned bits, uint32_t a, unsigned count)
{
    const uint32_t m = size_mask(bits), msb = 1u << (bits - 1);
    struct shift_out o = { a, 0, 0 };
    bool cf, of;
    unsigned n;

    count &= 0x1F;
    if (count == 0)
        return o;
    a &= m;
    switch (k) {
    case SH_ROL:
        n = count % bits;
        o.res = n ? ((a << n) | (a >> (bits - n))) & m : a;
        cf = o.res & 1;
        of = ((o.res & msb) != 0) != cf;
        o.mask = FL_CF | FL_OF;
        break;
    case SH_ROR:
        n = count % bits;
        o.res = n ? ((a >> n) | (a << (bits - n))) & m : a;
        cf = (o.res & msb) != 0;
        of = ((o.res ^ (o.res << 1)) & msb) != 0;
        o.mask = FL_CF | FL_OF;
        break;
    case SH_RCL: {
        n = count % (bits + 1);
        cf = get_cf(cpu);
        uint64_t v = ((uint64_t)cf << bits) | a; /* bits+1 wide rotation through CF */
        if (n)
            v = ((v << n) | (v >> (bits + 1 - n))) & ((2ull << bits) - 1);
        o.res = (uint32_t)v & m;
        cf = (v >> bits) & 1;
        of = ((o.res & msb) != 0) != cf;
        o.mask = FL_CF | FL_OF;
        break;
    }
    case SH_RCR: {
        n = count % (bits + 1);
        cf = get_cf(cpu);
        uint64_t v = ((uint64_t)cf << bits) | a;
        if (n)
            v = ((v >> n) | (v << (bits + 1 - n))) & ((2ull << bits) - 1);
        o.res = (uint32_t)v & m;
        cf = (v >> bits) & 1;
        of = ((o.res ^ (o.res << 1)) & msb) != 0;
        o.mask = FL_CF | FL_OF;
        break;
    }
    case SH_SHL:
    case SH_SAL: {
        uint64_t v = (uint64_t)a << count;
        o.res = (uint32_t)v & m;
        cf = (v >> bits) & 1;
        of = ((o.res & msb) != 0) != cf;
        o.mask = FL_ARITH;
        o.flags = szp(o.res, bits);
        break;
    }
    case SH_SHR:
        o.res = a >> count;
        cf = (a >> (count - 1)) & 1;
        /* OF of the last single-bit step: MSB before it XOR MSB after it, so 0 for counts
         * above 1 (286-real/C0.5.MOO.gz defines OF for every count). */
        of = (((a >> (count - 1)) ^ o.res) & msb) != 0;
        o.mask = FL_ARITH;
        o.flags = szp(o.res, bits);
        break;
    default: { /* SAR */
        int64_t s = (int64_t)(int32_t)(a << (32 - bits)) >> (32 - bits);
        o.res = (uint32_t)(s >> count) & m;
        cf = (s >> (count - 1)) & 1;
        of = false;
        o.mask = FL_ARITH;
        o.flags = szp(o.res, bits);
        break;
    }
    }
    o.flags |= (cf ? FL_CF : 0) | (of ? FL_OF : 0);
    return o;
}

#define SHIFT_RM(k, bits, count_expr)                                                      \
    do {                                                                                   \
        unsigned cnt_ = (count_expr);                                                      \
        uint32_t off_ = 0, a_;                                                             \
        if (in->mod == 3)                                                                  \
            a_ = bits == 8 ? get_r8(cpu, in->rm) : cpu->r[in->rm] & size_mask(bits);       \
        else {                                                                             \
            off_ = ea(cpu, in);                                                            \
            a_ = rd_rmw(cpu, in->seg, off_, bits / 8);                                     \
        }                                                                                  \
        struct shift_out o_ = shift(cpu, k, bits, a_, cnt_);                               \
        if (in->mod == 3) {                                                                \
            if (bits == 8) set_r8(cpu, in->rm, (uint8_t)o_.res);                           \
            else if (bits == 16) set_r16(cpu, in->rm, (uint16_t)o_.res);                   \
            else cpu->r[in->rm] = o_.res;                                                  \
        } else {                                                                           \
            if (bits == 8) wr8(cpu, in->seg, off_, (uint8_t)o_.res);                       \
            else if (bits == 16) wr16(cpu, in->seg, off_, (uint16_t)o_.res);               \
            else wr32(cpu, in->seg, off_, o_.res);                                         \
        }                                                                                  \
        if (o_.mask)                                                                       \
            set_flags_eager(cpu, o_.mask, o_.flags);                                       \
    } while (0)

#define DEFINE_SHIFT(name, k)                                                              \
    void op_##name##_rm8_imm8(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 8, in->imm); } \
    void op_##name##_rm16_imm8(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 16, in->imm); } \
    void op_##name##_rm32_imm8(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 32, in->imm); } \
    void op_##name##_rm8_1(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 8, 1); }    \
    void op_##name##_rm16_1(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 16, 1); }  \
    void op_##name##_rm32_1(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 32, 1); }  \
    void op_##name##_rm8_cl(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 8, get_r8(cpu, R_ECX)); } \
    void op_##name##_rm16_cl(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 16, get_r8(cpu, R_ECX)); } \
    void op_##name##_rm32_cl(struct cpu *cpu, const struct insn *in) { SHIFT_RM(k, 32, get_r8(cpu, R_ECX)); }

DEFINE_SHIFT(rol, SH_ROL)
DEFINE_SHIFT(ror, SH_ROR)
DEFINE_SHIFT(rcl, SH_RCL)
DEFINE_SHIFT(rcr, SH_RCR)
DEFINE_SHIFT(shl, SH_SHL)
DEFINE_SHIFT(shr, SH_SHR)
DEFINE_SHIFT(sar, SH_SAR)

/* SHLD/SHRD (SDM Vol. 2B): dest shifted with bits coming in from src. A 16-bit count above
 * 16 is undefined; orrery shifts the 48-bit pattern dest:src:dest as the P6 family does. */
static struct shift_out double_shift(bool left, unsigned bits, uint32_t d, uint32_t s,
                                     unsigned count)
{
    struct shift_out o = { d, 0, 0 };
    const uint32_t msb = 1u << (bits - 1);
    bool cf;
    count &= 0x1F;
    if (count == 0)
        return o;
    if (bits == 16) {
        if (left) {
            uint64_t v = ((uint64_t)d << 32) | ((uint64_t)s << 16) | d;
            o.res = (uint32_t)((v << count) >> 32) & 0xFFFF;
            cf = (v >> (48 - count)) & 1;
        } else {
            uint64_t v = d | ((uint64_t)s << 16) | ((uint64_t)d << 32);
            o.res = (uint32_t)(v >> count) & 0xFFFF;
            cf = (v >> (count - 1)) & 1;
        }
    } else {
        uint64_t v;
        if (left) {
            v = ((uint64_t)d << 32) | s;
            o.res = (uint32_t)((v << count) >> 32);
            cf = (d >> (32 - count)) & 1;
        } else {
            v = ((uint64_t)s << 32) | d;
            o.res = (uint32_t)(v >> count);
            cf = (d >> (count - 1)) & 1;
        }
    }
    o.flags = szp(o.res, bits) | (cf ? FL_CF : 0) | (((o.res ^ d) & msb) ? FL_OF : 0);
    o.mask = FL_ARITH;
    return o;
}

#define DSHIFT_RM(left, bits, count_expr)                                                  \
    do {                                                                                   \
        unsigned cnt_ = (count_expr);                                                      \
        uint32_t src_ = cpu->r[in->reg] & size_mask(bits);                                 \
        uint32_t off_ = 0, a_;                                                             \
        if (in->mod == 3)                                                                  \
            a_ = cpu->r[in->rm] & size_mask(bits);                                         \
        else {                                                                             \
            off_ = ea(cpu, in);                                                            \
            a_ = rd_rmw(cpu, in->seg, off_, bits / 8);                                     \
        }                                                                                  \
        struct shift_out o_ = double_shift(left, bits, a_, src_, cnt_);                    \
        if (in->mod == 3) {                                                                \
            if (bits == 16) set_r16(cpu, in->rm, (uint16_t)o_.res);                        \
            else cpu->r[in->rm] = o_.res;                                                  \
        } else {                                                                           \
            if (bits == 16) wr16(cpu, in->seg, off_, (uint16_t)o_.res);                    \
            else wr32(cpu, in->seg, off_, o_.res);                                         \
        }                                                                                  \
        if (o_.mask)                                                                       \
            set_flags_eager(cpu, o_.mask, o_.flags);                                       \
    } while (0)

void op_shld_rm16_imm(struct cpu *cpu, const struct insn *in) { DSHIFT_RM(true, 16, in->imm); }
void op_shld_rm32_imm(struct cpu *cpu, const struct insn *in) { DSHIFT_RM(true, 32, in->imm); }
void op_shld_rm16_cl(struct cpu *cpu, const struct insn *in) { DSHIFT_RM(true, 16, get_r8(cpu, R_ECX)); }
void op_shld_rm32_cl(struct cpu *cpu, const struct insn *in) { DSHIFT_RM(true, 32, get_r8(cpu, R_ECX)); }
void op_shrd_rm16_imm(struct cpu *cpu, const struct insn *in) { DSHIFT_RM(false, 16, in->imm); }
void op_shrd_rm32_imm(struct cpu *cpu, const struct insn *in) { DSHIFT_RM(false, 32, in->imm); }
void op_shrd_rm16_cl(struct cpu *cpu, const struct insn *in) { DSHIFT_RM(false, 16, get_r8(cpu, R_ECX)); }
void op_shrd_rm32_cl(struct cpu *cpu, const struct insn *in) { DSHIFT_RM(false, 32, get_r8(cpu, R_ECX)); }
