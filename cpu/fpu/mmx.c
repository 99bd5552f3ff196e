/* MMX (SDM Vol. 1 ch. 9, Vol. 2 per instruction). MM0-MM7 are the significands of the
 * physical x87 registers R0-R7 (§9.5): every MMX instruction but EMMS sets TOP to 0 and
 * tags all registers valid; a register an MMX instruction writes gets exponent and sign
 * all ones. EMMS empties all tags (and sets TOP to 0 as well, as the host does). */
#include "cpu/fpu/x87.h"

/* CR0.EM: #UD, CR0.TS: #NM, then a pending x87 exception (SDM Vol. 3A Table 2-2). */
static void mmx_begin(struct cpu *cpu)
{
    if (cpu->cr[0] & CR0_EM)
        cpu_fault(cpu, EXC_UD, 0);
    if (cpu->cr[0] & CR0_TS)
        cpu_fault(cpu, EXC_NM, 0);
    if (x87_pending(&cpu->fpu))
        fpu_error(cpu);
}

static void mmx_state(struct fpu *f)
{
    f->top = 0;
    f->valid = 0xFF;
}

static void mm_set(struct fpu *f, unsigned i, uint64_t v)
{
    f->st[i & 7].m = v;
    f->st[i & 7].se = 0xFFFF;
}

static uint64_t rd64(struct cpu *cpu, const struct insn *in, uint32_t off)
{
    uint32_t lo = rd32(cpu, in->seg, off);
    uint32_t hi = rd32(cpu, in->seg, (off + 4) & in->addr_mask);
    return (uint64_t)hi << 32 | lo;
}

/* The source operand mm/m64 (bytes = 4: mm/m32 of the low unpacks). */
static uint64_t mm_src(struct cpu *cpu, const struct insn *in, unsigned bytes)
{
    if (in->mod == 3)
        return cpu->fpu.st[in->rm].m;
    uint32_t off = ea(cpu, in);
    return bytes == 4 ? rd32(cpu, in->seg, off) : rd64(cpu, in, off);
}

/* dst(reg) = fn(dst, src) for the two-operand forms. */
static void mm_op(struct cpu *cpu, const struct insn *in, unsigned bytes,
                  uint64_t (*fn)(uint64_t, uint64_t))
{
    mmx_begin(cpu);
    uint64_t s = mm_src(cpu, in, bytes);
    struct fpu *f = &cpu->fpu;
    mmx_state(f);
    mm_set(f, in->reg, fn(f->st[in->reg].m, s));
}

/* ---- lanes ---- */

static int64_t lane(uint64_t v, unsigned bits, unsigned i, bool sign)
{
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t x = (v >> (bits * i)) & mask;
    if (sign && bits < 64 && (x >> (bits - 1)))
        return (int64_t)(x | ~mask);
    return (int64_t)x;
}

static uint64_t put_lane(uint64_t v, unsigned bits, unsigned i, int64_t x)
{
    uint64_t mask = (1ull << bits) - 1;
    return (v & ~(mask << (bits * i))) | (((uint64_t)x & mask) << (bits * i));
}

static int64_t sat(int64_t x, int64_t lo, int64_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

enum { WRAP, SSAT, USAT };

static uint64_t addsub(uint64_t d, uint64_t s, unsigned bits, int mode, bool sub)
{
    uint64_t r = 0;
    bool sign = mode == SSAT;
    for (unsigned i = 0; i < 64 / bits; i++) {
        int64_t a = lane(d, bits, i, sign), b = lane(s, bits, i, sign);
        int64_t x = sub ? a - b : a + b;
        if (mode == SSAT)
            x = sat(x, -(1ll << (bits - 1)), (1ll << (bits - 1)) - 1);
        else if (mode == USAT)
            x = sat(x, 0, (1ll << bits) - 1);
        r = put_lane(r, bits, i, x);
    }
    return r;
}

#define ADDSUB(name, bits, mode, sub)                                                      \
    static uint64_t f_##name(uint64_t d, uint64_t s) { return addsub(d, s, bits, mode, sub); } \
    void op_##name(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_##name); }
ADDSUB(paddb, 8, WRAP, false)
ADDSUB(paddw, 16, WRAP, false)
ADDSUB(paddd, 32, WRAP, false)
ADDSUB(paddsb, 8, SSAT, false)
ADDSUB(paddsw, 16, SSAT, false)
ADDSUB(paddusb, 8, USAT, false)
ADDSUB(paddusw, 16, USAT, false)
ADDSUB(psubb, 8, WRAP, true)
ADDSUB(psubw, 16, WRAP, true)
ADDSUB(psubd, 32, WRAP, true)
ADDSUB(psubsb, 8, SSAT, true)
ADDSUB(psubsw, 16, SSAT, true)
ADDSUB(psubusb, 8, USAT, true)
ADDSUB(psubusw, 16, USAT, true)

static uint64_t cmp(uint64_t d, uint64_t s, unsigned bits, bool gt)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 64 / bits; i++) {
        int64_t a = lane(d, bits, i, true), b = lane(s, bits, i, true);
        r = put_lane(r, bits, i, (gt ? a > b : a == b) ? -1 : 0);
    }
    return r;
}

#define CMP(name, bits, gt)                                                                \
    static uint64_t f_##name(uint64_t d, uint64_t s) { return cmp(d, s, bits, gt); }       \
    void op_##name(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_##name); }
CMP(pcmpeqb, 8, false)
CMP(pcmpeqw, 16, false)
CMP(pcmpeqd, 32, false)
CMP(pcmpgtb, 8, true)
CMP(pcmpgtw, 16, true)
CMP(pcmpgtd, 32, true)

static uint64_t f_pmullw(uint64_t d, uint64_t s)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 4; i++)
        r = put_lane(r, 16, i, lane(d, 16, i, true) * lane(s, 16, i, true));
    return r;
}

static uint64_t f_pmulhw(uint64_t d, uint64_t s)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 4; i++) {
        int64_t p = lane(d, 16, i, true) * lane(s, 16, i, true);
        r = put_lane(r, 16, i, (int64_t)((uint64_t)p >> 16));
    }
    return r;
}

static uint64_t f_pmaddwd(uint64_t d, uint64_t s)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 2; i++) {
        int64_t x = lane(d, 16, 2 * i, true) * lane(s, 16, 2 * i, true) +
                    lane(d, 16, 2 * i + 1, true) * lane(s, 16, 2 * i + 1, true);
        r = put_lane(r, 32, i, x); /* 0x8000 pairs wrap to 0x80000000 */
    }
    return r;
}

static uint64_t f_pand(uint64_t d, uint64_t s) { return d & s; }
static uint64_t f_pandn(uint64_t d, uint64_t s) { return ~d & s; }
static uint64_t f_por(uint64_t d, uint64_t s) { return d | s; }
static uint64_t f_pxor(uint64_t d, uint64_t s) { return d ^ s; }

void op_pmullw(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_pmullw); }
void op_pmulhw(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_pmulhw); }
void op_pmaddwd(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_pmaddwd); }
void op_pand(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_pand); }
void op_pandn(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_pandn); }
void op_por(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_por); }
void op_pxor(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_pxor); }

/* ---- pack, unpack ---- */

static uint64_t pack(uint64_t d, uint64_t s, unsigned from, int64_t lo, int64_t hi)
{
    unsigned to = from / 2, n = 64 / from;
    uint64_t r = 0;
    for (unsigned i = 0; i < n; i++) {
        r = put_lane(r, to, i, sat(lane(d, from, i, true), lo, hi));
        r = put_lane(r, to, i + n, sat(lane(s, from, i, true), lo, hi));
    }
    return r;
}

static uint64_t f_packsswb(uint64_t d, uint64_t s) { return pack(d, s, 16, -128, 127); }
static uint64_t f_packssdw(uint64_t d, uint64_t s) { return pack(d, s, 32, -32768, 32767); }
static uint64_t f_packuswb(uint64_t d, uint64_t s) { return pack(d, s, 16, 0, 255); }

void op_packsswb(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_packsswb); }
void op_packssdw(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_packssdw); }
void op_packuswb(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_packuswb); }

/* Interleaves the low (high = false) or high halves' lanes of d and s. */
static uint64_t unpack(uint64_t d, uint64_t s, unsigned bits, bool high)
{
    unsigned n = 32 / bits, base = high ? n : 0;
    uint64_t r = 0;
    for (unsigned i = 0; i < n; i++) {
        r = put_lane(r, bits, 2 * i, lane(d, bits, base + i, false));
        r = put_lane(r, bits, 2 * i + 1, lane(s, bits, base + i, false));
    }
    return r;
}

static uint64_t f_punpcklbw(uint64_t d, uint64_t s) { return unpack(d, s, 8, false); }
static uint64_t f_punpcklwd(uint64_t d, uint64_t s) { return unpack(d, s, 16, false); }
static uint64_t f_punpckldq(uint64_t d, uint64_t s) { return unpack(d, s, 32, false); }
static uint64_t f_punpckhbw(uint64_t d, uint64_t s) { return unpack(d, s, 8, true); }
static uint64_t f_punpckhwd(uint64_t d, uint64_t s) { return unpack(d, s, 16, true); }
static uint64_t f_punpckhdq(uint64_t d, uint64_t s) { return unpack(d, s, 32, true); }

/* The low unpacks read 32 bits from memory (SDM Vol. 2B "PUNPCKLBW": mm/m32). */
void op_punpcklbw(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 4, f_punpcklbw); }
void op_punpcklwd(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 4, f_punpcklwd); }
void op_punpckldq(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 4, f_punpckldq); }
void op_punpckhbw(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_punpckhbw); }
void op_punpckhwd(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_punpckhwd); }
void op_punpckhdq(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_punpckhdq); }

/* ---- shifts ---- */

enum { SH_LL, SH_RL, SH_RA };

static uint64_t shift(uint64_t d, uint64_t count, unsigned bits, int kind)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 64 / bits; i++) {
        int64_t x = lane(d, bits, i, kind == SH_RA);
        if (count >= bits) {
            x = kind == SH_RA ? (x < 0 ? -1 : 0) : 0;
        } else if (kind == SH_LL) {
            x = (int64_t)((uint64_t)x << count);
        } else if (kind == SH_RL) {
            x = (int64_t)((uint64_t)x >> count);
        } else {
            x = x < 0 ? ~(~x >> count) : x >> count;
        }
        r = bits == 64 ? (uint64_t)x : put_lane(r, bits, i, x);
    }
    return r;
}

#define SHIFT(name, bits, kind)                                                            \
    static uint64_t f_##name(uint64_t d, uint64_t s) { return shift(d, s, bits, kind); }   \
    void op_##name(struct cpu *cpu, const struct insn *in) { mm_op(cpu, in, 8, f_##name); } \
    void op_##name##_imm(struct cpu *cpu, const struct insn *in)                           \
    {                                                                                      \
        if (in->mod != 3)                                                                  \
            cpu_fault(cpu, EXC_UD, 0);                                                     \
        mmx_begin(cpu);                                                                    \
        struct fpu *f = &cpu->fpu;                                                         \
        mmx_state(f);                                                                      \
        mm_set(f, in->rm, shift(f->st[in->rm].m, in->imm & 0xFF, bits, kind));             \
    }
SHIFT(psllw, 16, SH_LL)
SHIFT(pslld, 32, SH_LL)
SHIFT(psllq, 64, SH_LL)
SHIFT(psrlw, 16, SH_RL)
SHIFT(psrld, 32, SH_RL)
SHIFT(psrlq, 64, SH_RL)
SHIFT(psraw, 16, SH_RA)
SHIFT(psrad, 32, SH_RA)

/* ---- moves, EMMS ---- */

void op_movd_mm_rm32(struct cpu *cpu, const struct insn *in)
{
    mmx_begin(cpu);
    uint32_t v = rm32_read(cpu, in);
    mmx_state(&cpu->fpu);
    mm_set(&cpu->fpu, in->reg, v);
}

void op_movd_rm32_mm(struct cpu *cpu, const struct insn *in)
{
    mmx_begin(cpu);
    rm32_write(cpu, in, (uint32_t)cpu->fpu.st[in->reg].m);
    mmx_state(&cpu->fpu);
}

void op_movq_mm_mmm64(struct cpu *cpu, const struct insn *in)
{
    mmx_begin(cpu);
    uint64_t v = mm_src(cpu, in, 8);
    mmx_state(&cpu->fpu);
    mm_set(&cpu->fpu, in->reg, v);
}

void op_movq_mmm64_mm(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    mmx_begin(cpu);
    uint64_t v = f->st[in->reg].m;
    if (in->mod == 3) {
        mmx_state(f);
        mm_set(f, in->rm, v);
        return;
    }
    uint32_t off = ea(cpu, in);
    seg_addr(cpu, in->seg, off, 8, SEG_OK_WRITE);
    wr32(cpu, in->seg, off, (uint32_t)v);
    wr32(cpu, in->seg, (off + 4) & in->addr_mask, (uint32_t)(v >> 32));
    mmx_state(f);
}

void op_emms(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    mmx_begin(cpu);
    cpu->fpu.valid = 0;
    cpu->fpu.top = 0; /* host behaviour */
}
