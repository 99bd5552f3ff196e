/* Bit instructions BT BTS BTR BTC, BSF BSR, and the atomic read-modify-writes CMPXCHG,
 * CMPXCHG8B, XADD (SDM Vol. 2). */
#include "cpu/exec.h"
#include "cpu/handlers.h"

enum bt_kind { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

static uint32_t bt_apply(enum bt_kind k, uint32_t v, uint32_t bit)
{
    switch (k) {
    case BT_SET: return v | (1u << bit);
    case BT_RESET: return v & ~(1u << bit);
    case BT_COMPLEMENT: return v ^ (1u << bit);
    default: return v;
    }
}

/* With a register bit offset and a memory operand, the offset is signed and selects the
 * word/dword at ea + size * (offset >> log2(bits)) (SDM Vol. 2A "BT", bit base addressing).
 * With an immediate, the offset is taken modulo the operand size. */
static void bit_op(struct cpu *cpu, const struct insn *in, enum bt_kind k, unsigned bits,
                   uint32_t offset, bool from_reg)
{
    bool cf;
    if (in->mod == 3) {
        uint32_t bit = offset & (bits - 1);
        uint32_t v = cpu->r[in->rm];
        cf = (v >> bit) & 1;
        uint32_t r = bt_apply(k, v, bit);
        if (bits == 16)
            set_r16(cpu, in->rm, (uint16_t)r);
        else
            cpu->r[in->rm] = r;
    } else {
        uint32_t off = ea(cpu, in);
        uint32_t bit = offset & (bits - 1);
        if (from_reg) {
            int32_t sofs = bits == 16 ? (int16_t)offset : (int32_t)offset;
            int32_t unit = bits == 16 ? sofs >> 4 : sofs >> 5;
            off = (off + (uint32_t)unit * (bits / 8)) & in->addr_mask;
        }
        uint32_t v = k != BT_TEST ? rd_rmw(cpu, in->seg, off, bits / 8)
                   : bits == 16 ? rd16(cpu, in->seg, off) : rd32(cpu, in->seg, off);
        cf = (v >> bit) & 1;
        if (k != BT_TEST) {
            uint32_t r = bt_apply(k, v, bit);
            if (bits == 16)
                wr16(cpu, in->seg, off, (uint16_t)r);
            else
                wr32(cpu, in->seg, off, r);
        }
    }
    set_flags_eager(cpu, FL_CF, cf ? FL_CF : 0);
}

#define DEFINE_BT(name, k)                                                                 \
    void op_##name##_rm16_r16(struct cpu *cpu, const struct insn *in) { bit_op(cpu, in, k, 16, get_r16(cpu, in->reg), true); } \
    void op_##name##_rm32_r32(struct cpu *cpu, const struct insn *in) { bit_op(cpu, in, k, 32, cpu->r[in->reg], true); } \
    void op_##name##_rm16_imm(struct cpu *cpu, const struct insn *in) { bit_op(cpu, in, k, 16, in->imm, false); } \
    void op_##name##_rm32_imm(struct cpu *cpu, const struct insn *in) { bit_op(cpu, in, k, 32, in->imm, false); }

DEFINE_BT(bt, BT_TEST)
DEFINE_BT(bts, BT_SET)
DEFINE_BT(btr, BT_RESET)
DEFINE_BT(btc, BT_COMPLEMENT)

/* BSF/BSR: a zero source sets ZF and leaves the destination unchanged (as Intel parts do). */
static void bit_scan(struct cpu *cpu, const struct insn *in, bool reverse, unsigned bits)
{
    uint32_t v = bits == 16 ? rm16_read(cpu, in) : rm32_read(cpu, in);
    if (v == 0) {
        set_flags_eager(cpu, FL_ZF, FL_ZF);
        return;
    }
    unsigned i;
    if (reverse)
        for (i = bits - 1; !(v >> i & 1); i--)
            ;
    else
        for (i = 0; !(v >> i & 1); i++)
            ;
    if (bits == 16)
        set_r16(cpu, in->reg, (uint16_t)i);
    else
        cpu->r[in->reg] = i;
    set_flags_eager(cpu, FL_ZF, 0);
}

void op_bsf16(struct cpu *cpu, const struct insn *in) { bit_scan(cpu, in, false, 16); }
void op_bsf32(struct cpu *cpu, const struct insn *in) { bit_scan(cpu, in, false, 32); }
void op_bsr16(struct cpu *cpu, const struct insn *in) { bit_scan(cpu, in, true, 16); }
void op_bsr32(struct cpu *cpu, const struct insn *in) { bit_scan(cpu, in, true, 32); }

/* CMPXCHG: a memory destination is always written (with its own value when the compare
 * fails), as the locked bus cycle does (SDM Vol. 2A "CMPXCHG"). */
#define DEFINE_CMPXCHG(suffix, bits, READ, WRITE, GETR, SETR)                              \
    void op_cmpxchg_##suffix(struct cpu *cpu, const struct insn *in)                       \
    {                                                                                      \
        uint32_t acc = cpu->r[R_EAX] & size_mask(bits);                                    \
        uint32_t d = READ(cpu, in);                                                        \
        uint32_t src = GETR;                                                               \
        if (acc == d) {                                                                    \
            WRITE(cpu, in, src);                                                           \
        } else {                                                                           \
            if (in->mod != 3)                                                              \
                WRITE(cpu, in, d);                                                         \
            SETR;                                                                          \
        }                                                                                  \
        set_lazy(cpu, LF_SUB, bits, acc - d, acc, d);                                      \
    }

DEFINE_CMPXCHG(rm8_r8, 8, rm8_read_rmw, rm8_write, get_r8(cpu, in->reg), set_r8(cpu, R_EAX, (uint8_t)d))
DEFINE_CMPXCHG(rm16_r16, 16, rm16_read_rmw, rm16_write, get_r16(cpu, in->reg), set_r16(cpu, R_EAX, (uint16_t)d))
DEFINE_CMPXCHG(rm32_r32, 32, rm32_read_rmw, rm32_write, cpu->r[in->reg], cpu->r[R_EAX] = d)

/* m64 is one quadword: writable, and 8-byte aligned under alignment checking (SDM Vol. 3A
 * §6.15 Table 6-25), checked before either half is read. */
void op_cmpxchg8b(struct cpu *cpu, const struct insn *in)
{
    uint32_t off = ea(cpu, in);
    align_check(cpu, seg_addr(cpu, in->seg, off, 8, SEG_OK_READ | SEG_OK_WRITE), 8);
    uint32_t lo = rd32(cpu, in->seg, off), hi = rd32(cpu, in->seg, (off + 4) & in->addr_mask);
    bool eq = lo == cpu->r[R_EAX] && hi == cpu->r[R_EDX];
    if (eq) {
        wr32(cpu, in->seg, off, cpu->r[R_EBX]);
        wr32(cpu, in->seg, (off + 4) & in->addr_mask, cpu->r[R_ECX]);
    } else {
        wr32(cpu, in->seg, off, lo);
        wr32(cpu, in->seg, (off + 4) & in->addr_mask, hi);
        cpu->r[R_EAX] = lo;
        cpu->r[R_EDX] = hi;
    }
    set_flags_eager(cpu, FL_ZF, eq ? FL_ZF : 0);
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (so XADD r, r leaves the sum). */
void op_xadd_rm8_r8(struct cpu *cpu, const struct insn *in)
{
    uint8_t d = rm8_read_rmw(cpu, in), s = get_r8(cpu, in->reg), r = (uint8_t)(d + s);
    if (in->mod == 3)
        set_r8(cpu, in->reg, d);
    rm8_write(cpu, in, r);
    if (in->mod != 3)
        set_r8(cpu, in->reg, d);
    set_lazy(cpu, LF_ADD, 8, r, d, s);
}

void op_xadd_rm16_r16(struct cpu *cpu, const struct insn *in)
{
    uint16_t d = rm16_read_rmw(cpu, in), s = get_r16(cpu, in->reg), r = (uint16_t)(d + s);
    if (in->mod == 3)
        set_r16(cpu, in->reg, d);
    rm16_write(cpu, in, r);
    if (in->mod != 3)
        set_r16(cpu, in->reg, d);
    set_lazy(cpu, LF_ADD, 16, r, d, s);
}

void op_xadd_rm32_r32(struct cpu *cpu, const struct insn *in)
{
    uint32_t d = rm32_read_rmw(cpu, in), s = cpu->r[in->reg], r = d + s;
    if (in->mod == 3)
        cpu->r[in->reg] = d;
    rm32_write(cpu, in, r);
    if (in->mod != 3)
        cpu->r[in->reg] = d;
    set_lazy(cpu, LF_ADD, 32, r, d, s);
}
