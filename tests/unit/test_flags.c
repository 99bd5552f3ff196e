/* SPDX-License-Identifier: MIT */
/* Lazy arithmetic flags (cpu/flags.h) against an eager reference, through real instructions.
 *
 * Every ALU operation (ADD OR ADC SBB AND SUB XOR CMP, INC DEC NEG, TEST) at 8, 16 and 32
 * bits runs on a real-mode machine, after a carry-setting instruction: CLC/STC (eager CF)
 * or CMP SI,0 / CMP SI,1 with SI = 0 (a lazily recorded CF). The reference below computes
 * results and flags with wide signed/unsigned arithmetic straight from the SDM Vol. 2
 * definitions (CF: carry/borrow out of the top bit; OF: the signed result does not fit;
 * AF: carry/borrow out of bit 3; PF: even number of ones in the low byte). It checks the
 * materialised EFLAGS (AF only where the SDM defines it: not for AND/OR/XOR/TEST), all 16
 * condition codes read from the lazy record (cond(), before anything materialises it), the
 * destination, every other register and the memory operand.
 *
 * Operands: 8-bit binary operations run every pair; 16/32-bit ones the edge values crossed
 * with each other plus a seeded xorshift sample; INC/DEC/NEG every 8-bit value and the 16/32-bit
 * edges in every encoding, plus the sample. Each case runs with CF = 0 and CF = 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cpu/flags.h"
#include "harness.h"

enum fop { O_ADD, O_OR, O_ADC, O_SBB, O_AND, O_SUB, O_XOR, O_CMP, O_INC, O_DEC, O_NEG, O_TEST };
static const char *const op_names[] = { "add", "or", "adc", "sbb", "and", "sub",
                                        "xor", "cmp", "inc", "dec", "neg", "test" };

/* ======================================================================== */
/* The eager reference */

struct ref {
    uint32_t res;     /* the result (also for CMP/TEST, which do not store it) */
    uint32_t flags;   /* FL_* arithmetic bits */
    uint32_t defined; /* which of them the SDM defines for this operation */
};

static int64_t sext(uint32_t v, unsigned bits)
{
    uint64_t m = (1ull << bits) - 1, s = 1ull << (bits - 1);
    uint64_t x = v & m;
    return (x & s) ? (int64_t)x - (int64_t)(1ull << bits) : (int64_t)x;
}

static bool even_parity(uint32_t v)
{
    unsigned n = 0;
    for (unsigned i = 0; i < 8; i++)
        n += (v >> i) & 1;
    return n % 2 == 0;
}

static struct ref reference(enum fop op, unsigned bits, uint32_t a32, uint32_t b32, bool cf_in)
{
    const uint64_t mask = (1ull << bits) - 1;
    const int64_t smin = -((int64_t)1 << (bits - 1)), smax = ((int64_t)1 << (bits - 1)) - 1;
    const uint64_t a = a32 & mask, b = b32 & mask, c = cf_in;
    const int64_t sa = sext(a32, bits), sb = sext(b32, bits);
    const uint64_t an = a & 0xF, bn = b & 0xF;
    uint64_t u = 0;  /* unsigned result before truncation (may wrap in 64 bits) */
    int64_t s = 0;   /* exact signed result */
    bool cf = false, af = false, logic = false;

    switch (op) {
    case O_ADD: u = a + b; s = sa + sb; cf = u > mask; af = an + bn > 0xF; break;
    case O_ADC: u = a + b + c; s = sa + sb + (int64_t)c; cf = u > mask; af = an + bn + c > 0xF; break;
    case O_SUB:
    case O_CMP: u = a - b; s = sa - sb; cf = a < b; af = an < bn; break;
    case O_SBB: u = a - b - c; s = sa - sb - (int64_t)c; cf = a < b + c; af = an < bn + c; break;
    case O_NEG: u = 0 - a; s = -sa; cf = a != 0; af = an != 0; break;
    case O_INC: u = a + 1; s = sa + 1; cf = cf_in; af = an + 1 > 0xF; break;
    case O_DEC: u = a - 1; s = sa - 1; cf = cf_in; af = an < 1; break;
    case O_AND:
    case O_TEST: u = a & b; logic = true; break;
    case O_OR: u = a | b; logic = true; break;
    case O_XOR: u = a ^ b; logic = true; break;
    }
    struct ref r;
    r.res = (uint32_t)(u & mask);
    bool of = !logic && (s < smin || s > smax);
    if (logic)
        cf = false; /* AND/OR/XOR/TEST: "OF and CF cleared ... AF undefined" */
    r.flags = (cf ? FL_CF : 0) | (of ? FL_OF : 0) | (af ? FL_AF : 0) |
              (r.res == 0 ? FL_ZF : 0) | ((r.res >> (bits - 1)) & 1 ? FL_SF : 0) |
              (even_parity(r.res) ? FL_PF : 0);
    r.defined = logic ? FL_ARITH & ~FL_AF : FL_ARITH;
    return r;
}

/* Condition codes from flags (SDM Vol. 1 Appendix B, Table B-1). */
static bool ref_cond(uint32_t f, unsigned cc)
{
    bool CF = f & FL_CF, ZF = f & FL_ZF, SF = f & FL_SF, OF = f & FL_OF, PF = f & FL_PF, r;
    switch (cc >> 1) {
    case 0: r = OF; break;               /* O / NO */
    case 1: r = CF; break;               /* B / AE */
    case 2: r = ZF; break;               /* E / NE */
    case 3: r = CF || ZF; break;         /* BE / A */
    case 4: r = SF; break;               /* S / NS */
    case 5: r = PF; break;               /* P / NP */
    case 6: r = SF != OF; break;         /* L / GE */
    default: r = ZF || SF != OF; break;  /* LE / G */
    }
    return (cc & 1) ? !r : r;
}

/* A check of the reference itself on hand-computed cases (SDM examples and textbook ones). */
static void test_reference_selfcheck(void **state)
{
    (void)state;
    struct ref r;
    r = reference(O_ADD, 8, 0x7F, 0x01, 0);   /* 127 + 1 = -128: OF, AF, SF */
    assert_int_equal(r.res, 0x80);
    assert_int_equal(r.flags, FL_OF | FL_AF | FL_SF);
    r = reference(O_ADD, 8, 0xFF, 0x01, 0);   /* carry out, zero */
    assert_int_equal(r.flags, FL_CF | FL_AF | FL_ZF | FL_PF);
    r = reference(O_SUB, 16, 0x0000, 0x0001, 0); /* borrow: 0xFFFF */
    assert_int_equal(r.res, 0xFFFF);
    assert_int_equal(r.flags, FL_CF | FL_AF | FL_SF | FL_PF);
    r = reference(O_SUB, 32, 0x80000000u, 1, 0); /* -2^31 - 1 overflows; low byte 0xFF */
    assert_int_equal(r.res, 0x7FFFFFFF);
    assert_int_equal(r.flags, FL_OF | FL_AF | FL_PF);
    r = reference(O_ADC, 8, 0xFF, 0xFF, 1);   /* 0xFF + 0xFF + 1 = 0x1FF */
    assert_int_equal(r.res, 0xFF);
    assert_int_equal(r.flags, FL_CF | FL_AF | FL_SF | FL_PF);
    r = reference(O_SBB, 8, 0x80, 0x7F, 1);   /* -128 - 127 - 1 = -256: OF, result 0 */
    assert_int_equal(r.res, 0x00);
    assert_int_equal(r.flags, FL_OF | FL_AF | FL_ZF | FL_PF);
    r = reference(O_SBB, 8, 0x00, 0xFF, 1);   /* 0 - 255 - 1: borrow, result 0 */
    assert_int_equal(r.flags, FL_CF | FL_AF | FL_ZF | FL_PF);
    r = reference(O_NEG, 8, 0x80, 0, 0);      /* NEG -128 overflows */
    assert_int_equal(r.res, 0x80);
    assert_int_equal(r.flags, FL_CF | FL_OF | FL_SF);
    r = reference(O_NEG, 16, 0, 0, 1);        /* NEG 0: CF = 0 */
    assert_int_equal(r.flags, FL_ZF | FL_PF);
    r = reference(O_INC, 16, 0x7FFF, 0, 1);   /* CF kept */
    assert_int_equal(r.flags, FL_CF | FL_OF | FL_AF | FL_SF | FL_PF);
    r = reference(O_DEC, 32, 0x10, 0, 0);     /* borrow out of bit 3 */
    assert_int_equal(r.res, 0x0F);
    assert_int_equal(r.flags, FL_AF | FL_PF);
    r = reference(O_XOR, 16, 0x1234, 0x1234, 1);
    assert_int_equal(r.flags & r.defined, FL_ZF | FL_PF);
    r = reference(O_OR, 16, 0x0100, 0x0000, 0); /* PF from the low byte only */
    assert_int_equal(r.flags & r.defined, FL_PF);
    assert_true(ref_cond(FL_SF, 0xC));        /* L: SF != OF */
    assert_false(ref_cond(FL_SF | FL_OF, 0xC));
    assert_true(ref_cond(FL_ZF, 0xE));
    assert_true(ref_cond(0, 0x7));            /* A: !CF && !ZF */
}

/* ======================================================================== */
/* Running the real instruction */

static uint32_t xs_state = 0x2545F491u;

static uint32_t xorshift32(void)
{
    uint32_t x = xs_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return xs_state = x;
}

/* Instruction encodings under test (the register destination is ra, the source rb). */
enum form {
    FM_RM_R,   /* op r/m, reg        (mod = 3) */
    FM_R_RM,   /* op reg, r/m        (mod = 3) */
    FM_ACC,    /* op AL/AX/EAX, imm */
    FM_GRP,    /* 80/81 /n, F6/F7, FE/FF: register operand, immediate when the op has one */
    FM_GRP83,  /* 83 /n ib: sign-extended imm8 */
    FM_SAME,   /* op reg, same reg */
    FM_SHORT,  /* 40+r / 48+r */
    FM_MEM_DST,/* op [DI], reg / imm / unary */
    FM_MEM_SRC,/* op reg, [DI] */
    FM_MEM_IMM,/* 80/81 /n [DI], imm; F6/F7 /0 [DI], imm */
};
static const char *const form_names[] = { "rm,r", "r,rm", "acc,imm", "grp", "83", "same",
                                          "short", "[mem],src", "r,[mem]", "[mem],imm" };

#define MEM_OFF 0x0100u /* DS:DI */
#define MEM_LIN ((0x2000u << 4) + MEM_OFF)

static bool is_binary_alu(enum fop op) { return op <= O_CMP; }
static bool writes_dst(enum fop op) { return op != O_CMP && op != O_TEST; }

static unsigned forms_for(enum fop op, unsigned bits, enum form *out)
{
    unsigned n = 0;
    if (is_binary_alu(op)) {
        out[n++] = FM_RM_R;
        out[n++] = FM_R_RM;
        out[n++] = FM_ACC;
        out[n++] = FM_GRP;
        if (bits != 8)
            out[n++] = FM_GRP83;
        out[n++] = FM_SAME;
        out[n++] = FM_MEM_DST;
        out[n++] = FM_MEM_SRC;
        out[n++] = FM_MEM_IMM;
    } else if (op == O_TEST) {
        out[n++] = FM_RM_R;
        out[n++] = FM_ACC;
        out[n++] = FM_GRP;
        out[n++] = FM_SAME;
        out[n++] = FM_MEM_DST;
        out[n++] = FM_MEM_IMM;
    } else { /* INC DEC NEG */
        out[n++] = FM_GRP;
        if (op != O_NEG && bits != 8)
            out[n++] = FM_SHORT;
        out[n++] = FM_MEM_DST;
    }
    return n;
}

static void put_reg(uint32_t *r, unsigned bits, unsigned n, uint32_t v)
{
    if (bits == 8) {
        unsigned sh = (n & 4) ? 8 : 0;
        r[n & 3] = (r[n & 3] & ~(0xFFu << sh)) | ((v & 0xFF) << sh);
    } else if (bits == 16) {
        r[n] = (r[n] & 0xFFFF0000u) | (v & 0xFFFF);
    } else {
        r[n] = v;
    }
}

struct code {
    uint8_t b[24];
    unsigned n;
};

static void emit(struct code *c, uint32_t v) { c->b[c->n++] = (uint8_t)v; }

static void emit_imm(struct code *c, uint32_t v, unsigned bits)
{
    for (unsigned i = 0; i < bits / 8; i++)
        emit(c, v >> (8 * i));
}

static uint8_t modrm(unsigned mod, unsigned reg, unsigned rm)
{
    return (uint8_t)(mod << 6 | reg << 3 | rm);
}

/* /n of the group opcode for each op */
static unsigned grp_ext(enum fop op)
{
    switch (op) {
    case O_INC: return 0;
    case O_DEC: return 1;
    case O_NEG: return 3;
    case O_TEST: return 0;
    default: return (unsigned)op; /* ADD..CMP are /0../7 of 80-83 */
    }
}

/* Emits the instruction; rm = 5 with mod = 0 is [DI] in 16-bit addressing. */
static void encode(struct code *c, enum fop op, unsigned bits, enum form f, unsigned ra,
                   unsigned rb, uint32_t imm)
{
    const unsigned w = bits != 8;
    if (bits == 32)
        emit(c, 0x66);
    if (is_binary_alu(op)) {
        const unsigned base = (unsigned)op * 8;
        switch (f) {
        case FM_RM_R: emit(c, base + w); emit(c, modrm(3, rb, ra)); break;
        case FM_R_RM: emit(c, base + 2 + w); emit(c, modrm(3, ra, rb)); break;
        case FM_SAME: emit(c, base + w); emit(c, modrm(3, ra, ra)); break;
        case FM_ACC: emit(c, base + 4 + w); emit_imm(c, imm, bits); break;
        case FM_GRP: emit(c, 0x80 + w); emit(c, modrm(3, grp_ext(op), ra)); emit_imm(c, imm, bits); break;
        case FM_GRP83: emit(c, 0x83); emit(c, modrm(3, grp_ext(op), ra)); emit(c, imm); break;
        case FM_MEM_DST: emit(c, base + w); emit(c, modrm(0, rb, 5)); break;
        case FM_MEM_SRC: emit(c, base + 2 + w); emit(c, modrm(0, ra, 5)); break;
        case FM_MEM_IMM: emit(c, 0x80 + w); emit(c, modrm(0, grp_ext(op), 5)); emit_imm(c, imm, bits); break;
        default: fail();
        }
    } else if (op == O_TEST) {
        switch (f) {
        case FM_RM_R: emit(c, 0x84 + w); emit(c, modrm(3, rb, ra)); break;
        case FM_SAME: emit(c, 0x84 + w); emit(c, modrm(3, ra, ra)); break;
        case FM_ACC: emit(c, 0xA8 + w); emit_imm(c, imm, bits); break;
        case FM_GRP: emit(c, 0xF6 + w); emit(c, modrm(3, 0, ra)); emit_imm(c, imm, bits); break;
        case FM_MEM_DST: emit(c, 0x84 + w); emit(c, modrm(0, rb, 5)); break;
        case FM_MEM_IMM: emit(c, 0xF6 + w); emit(c, modrm(0, 0, 5)); emit_imm(c, imm, bits); break;
        default: fail();
        }
    } else {
        const unsigned grp = op == O_NEG ? 0xF6 : 0xFE;
        switch (f) {
        case FM_GRP: emit(c, grp + w); emit(c, modrm(3, grp_ext(op), ra)); break;
        case FM_SHORT: emit(c, (op == O_INC ? 0x40 : 0x48) + ra); break;
        case FM_MEM_DST: emit(c, grp + w); emit(c, modrm(0, grp_ext(op), 5)); break;
        default: fail();
        }
    }
}

/* Registers an operand may live in: all eight 8-bit registers (AL..BH live in EAX..EBX);
 * for 16/32 bits every register but SP, SI (carry setter) and DI (memory base). */
static const uint8_t regs8[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
static const uint8_t regs16[] = { R_EAX, R_ECX, R_EDX, R_EBX, R_EBP };

struct tcase {
    enum fop op;
    unsigned bits;
    enum form form;
    uint32_t a, b;  /* destination and source operand */
    bool cf_in;
    bool lazy_cf;   /* CF from CMP SI,imm instead of CLC/STC */
};

struct runner {
    struct harness h;
    uint32_t bg[8];         /* background register values */
    unsigned long cases;
};

static void fail_case(const struct tcase *t, const struct code *c, const char *what,
                      uint32_t got, uint32_t want)
{
    char hex[80];
    size_t o = 0;
    for (unsigned i = 0; i < c->n && o + 4 < sizeof hex; i++)
        o += (size_t)snprintf(hex + o, sizeof hex - o, "%s%02X", i ? " " : "", c->b[i]);
    fail_msg("%s%u %s a=%08X b=%08X cf=%u (%s) [%s]: %s %08X, want %08X", op_names[t->op],
             t->bits, form_names[t->form], t->a, t->b, t->cf_in, t->lazy_cf ? "lazy" : "eager",
             hex, what, got, want);
}

static void run_case(struct runner *rn, struct tcase *t)
{
    struct cpu *cpu = &rn->h.cpu;
    const unsigned bits = t->bits;
    const uint32_t mask = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    const uint8_t *pool = bits == 8 ? regs8 : regs16;
    const unsigned npool = bits == 8 ? 8 : 5;

    /* Pick distinct registers; the accumulator forms use register 0. */
    unsigned ra = pool[xorshift32() % npool], rb;
    do
        rb = pool[xorshift32() % npool];
    while (rb == ra);
    if (t->form == FM_ACC)
        ra = 0;
    if (t->form == FM_SAME) {
        rb = ra;
        t->b = t->a;
    }
    t->a &= mask;
    t->b &= mask;
    if (t->form == FM_GRP83 && ((uint32_t)(int32_t)(int8_t)(uint8_t)t->b & mask) != t->b)
        t->form = FM_GRP; /* b is not a sign-extended byte: use the full immediate */

    bool dst_mem = t->form == FM_MEM_DST || t->form == FM_MEM_IMM;
    bool src_mem = t->form == FM_MEM_SRC;
    bool src_reg = t->form == FM_RM_R || t->form == FM_R_RM || t->form == FM_MEM_DST;
    if (!is_binary_alu(t->op) && t->op != O_TEST)
        src_reg = false; /* unary */

    /* Registers before: background, then the operands. */
    uint32_t regs[8];
    for (unsigned i = 0; i < 8; i++)
        regs[i] = rn->bg[i] = (rn->bg[i] * 2654435761u) ^ xorshift32();
    regs[R_ESP] = 0x1000;
    regs[R_ESI] = 0;
    regs[R_EDI] = MEM_OFF;
    if (!dst_mem)
        put_reg(regs, bits, ra, t->a);
    if (src_reg)
        put_reg(regs, bits, rb, t->b);
    uint8_t *mem = rn->h.ram + MEM_LIN;
    uint32_t memval = xorshift32();
    if (dst_mem)
        memval = t->a;
    else if (src_mem)
        memval = t->b;
    for (unsigned i = 0; i < 4; i++)
        mem[i] = (uint8_t)(memval >> (8 * i));

    /* Code: the carry setter, then the instruction. */
    struct code c = { .n = 0 };
    if (t->lazy_cf) { /* CMP SI, 0 / CMP SI, 1 with SI = 0: CF from the lazy record */
        emit(&c, 0x83);
        emit(&c, 0xFE);
        emit(&c, t->cf_in);
    } else {
        emit(&c, t->cf_in ? 0xF9 : 0xF8); /* STC / CLC */
    }
    encode(&c, t->op, bits, t->form, ra, rb, t->b);
    memcpy(rn->h.ram + (H_CODE_SEG << 4), c.b, c.n);
    physmem_wrote(&rn->h.mem, H_CODE_SEG << 4, c.n);

    for (unsigned i = 0; i < 8; i++)
        cpu->r[i] = regs[i];
    cpu->eip = 0;
    /* Random arithmetic flags beforehand: nothing may leak into the result. */
    const uint32_t fl_before = (xorshift32() & FL_ARITH) | FL_DF | 0x2;
    cpu_set_eflags(cpu, fl_before);
    const uint64_t retired = cpu_run(cpu, 2);

    if (retired != 2 || cpu->eip != c.n || cpu->seg[S_CS].sel != H_CODE_SEG || cpu->halted)
        fail_case(t, &c, "did not run to the end; EIP", cpu->eip, c.n);

    struct ref r = reference(t->op, bits, t->a, t->b, t->cf_in);

    /* Condition codes straight from the lazy record. */
    for (unsigned cc = 0; cc < 16; cc++) {
        bool got = cond(cpu, cc), want = ref_cond(r.flags, cc);
        if (got != want)
            fail_case(t, &c, "condition code", cc << 4 | got, cc << 4 | want);
    }
    /* Materialised flags; the others are untouched. */
    uint32_t fl = cpu_get_eflags(cpu);
    if ((fl & r.defined) != (r.flags & r.defined))
        fail_case(t, &c, "flags", fl & r.defined, r.flags & r.defined);
    if ((fl & ~FL_ARITH) != (fl_before & ~FL_ARITH))
        fail_case(t, &c, "non-arithmetic flags", fl & ~FL_ARITH, fl_before & ~FL_ARITH);

    /* Destination and all other registers. */
    if (writes_dst(t->op) && !dst_mem)
        put_reg(regs, bits, ra, r.res);
    for (unsigned i = 0; i < 8; i++)
        if (cpu->r[i] != regs[i])
            fail_case(t, &c, i == ra ? "destination register" : "other register", cpu->r[i],
                      regs[i]);
    uint32_t mem_after = (uint32_t)mem[0] | (uint32_t)mem[1] << 8 | (uint32_t)mem[2] << 16 |
                         (uint32_t)mem[3] << 24;
    uint32_t mem_want = memval;
    if (dst_mem && writes_dst(t->op))
        mem_want = (memval & ~mask) | r.res;
    if (mem_after != mem_want)
        fail_case(t, &c, "memory", mem_after, mem_want);
    rn->cases++;
}

/* Operands: the edges of each size, and random values shaped towards the interesting ones. */
static unsigned edge_values(unsigned bits, uint32_t *out)
{
    const uint32_t mask = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    const uint32_t msb = 1u << (bits - 1);
    const uint32_t cand[] = { 0, 1, 2, 0x0F, 0x10, 0x11, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000,
                              0xFFFF, 0x10000, msb - 1, msb, msb + 1, mask - 1, mask,
                              mask & 0x0F0F0F0F, mask & 0xF0F0F0F0 };
    unsigned n = 0;
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
        uint32_t v = cand[i] & mask;
        bool dup = false;
        for (unsigned j = 0; j < n; j++)
            dup |= out[j] == v;
        if (!dup)
            out[n++] = v;
    }
    return n;
}

static uint32_t random_operand(unsigned bits)
{
    const uint32_t mask = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    const uint32_t msb = 1u << (bits - 1);
    uint32_t r = xorshift32(), small = xorshift32() & 0x1F;
    switch (r & 7) {
    case 0: return small;                            /* near 0 */
    case 1: return (msb + small - 16) & mask;        /* near the sign boundary */
    case 2: return (mask - small) & mask;            /* near all ones */
    case 3: return (xorshift32() & mask & ~0xFu) | 0xF; /* low nibble all ones */
    case 4: return xorshift32() & mask & ~0xFu;      /* low nibble zero */
    default: return xorshift32() & mask;             /* anywhere */
    }
}

#define RANDOM_PAIRS 1500

/* Each operand pair runs with CF = 0 and 1; the encoding rotates over the op's forms and the
 * carry setter alternates between CLC/STC and CMP every round of forms. */
static void run_pair(struct runner *rn, enum fop op, unsigned bits, const enum form *forms,
                     unsigned nforms, unsigned idx, uint32_t a, uint32_t b)
{
    for (unsigned cf = 0; cf < 2; cf++) {
        struct tcase t = { op, bits, forms[idx % nforms], a, b, cf != 0,
                           ((idx / nforms) & 1) != 0 };
        run_case(rn, &t);
    }
}

static void run_op(enum fop op)
{
    struct runner *rn = calloc(1, sizeof *rn);
    assert_non_null(rn);
    h_init(&rn->h, CPU_386);
    xs_state = 0x9E3779B9u ^ (uint32_t)op * 0x85EBCA6Bu;
    for (unsigned i = 0; i < 8; i++)
        rn->bg[i] = xorshift32();
    const bool unary = op == O_INC || op == O_DEC || op == O_NEG;

    for (unsigned bits = 8; bits <= 32; bits *= 2) {
        enum form forms[10];
        const unsigned nforms = forms_for(op, bits, forms);
        uint32_t edges[256];
        unsigned nedges = edge_values(bits, edges);
        const unsigned long before = rn->cases;
        unsigned idx = 0;
        if (unary) {
            if (bits == 8) { /* all of them */
                for (unsigned v = 0; v < 256; v++)
                    edges[v] = v;
                nedges = 256;
            }
            /* every edge in every form */
            for (unsigned e = 0; e < nedges; e++)
                for (unsigned f = 0; f < 2 * nforms; f++)
                    run_pair(rn, op, bits, forms, nforms, idx++, edges[e], 0);
            for (unsigned p = 0; p < RANDOM_PAIRS; p++)
                run_pair(rn, op, bits, forms, nforms, idx++, random_operand(bits), 0);
        } else if (bits == 8) { /* every pair */
            for (unsigned e = 0; e < 0x10000; e++)
                run_pair(rn, op, bits, forms, nforms, idx++, e >> 8, e & 0xFF);
        } else {
            for (unsigned e = 0; e < nedges * nedges; e++)
                run_pair(rn, op, bits, forms, nforms, idx++, edges[e / nedges],
                         edges[e % nedges]);
            for (unsigned p = 0; p < RANDOM_PAIRS; p++) {
                uint32_t a = random_operand(bits);
                run_pair(rn, op, bits, forms, nforms, idx++, a, random_operand(bits));
            }
        }
        print_message("  %-4s %2u-bit: %lu cases\n", op_names[op], bits, rn->cases - before);
    }
    h_free(&rn->h);
    free(rn);
}

#define OP_TEST(name, op)                                                                  \
    static void test_##name(void **state)                                                  \
    {                                                                                      \
        (void)state;                                                                       \
        run_op(op);                                                                        \
    }
OP_TEST(add, O_ADD)
OP_TEST(or, O_OR)
OP_TEST(adc, O_ADC)
OP_TEST(sbb, O_SBB)
OP_TEST(and, O_AND)
OP_TEST(sub, O_SUB)
OP_TEST(xor, O_XOR)
OP_TEST(cmp, O_CMP)
OP_TEST(inc, O_INC)
OP_TEST(dec, O_DEC)
OP_TEST(neg, O_NEG)
OP_TEST(test, O_TEST)

/* INC/DEC keep CF through a chain of lazy records (ADD sets it, INC keeps it, DEC keeps it,
 * and a following ADC consumes it). */
static void test_inc_dec_keep_lazy_cf(void **state)
{
    (void)state;
    struct harness h;
    h_init(&h, CPU_386);
    for (unsigned cf = 0; cf < 2; cf++) {
        /* mov al,0xFF / add al,cf? (cf: 1 -> carry) / inc bx / dec cx / adc dl,0 / hlt */
        const uint8_t code[] = { 0xB0, 0xFF, 0x04, (uint8_t)cf, 0x43, 0x49, 0x80, 0xD2, 0x00, 0xF4 };
        h.cpu.eip = 0;
        h.cpu.halted = 0;
        h.cpu.r[R_EBX] = 0x7FFF;
        h.cpu.r[R_ECX] = 0x8000;
        h.cpu.r[R_EDX] = 0x10;
        h_run(&h, code, sizeof code, 100);
        assert_int_equal(h_vector(&h), -1);
        assert_int_equal(h.cpu.r[R_EDX] & 0xFF, 0x10 + cf);
        assert_int_equal(h.cpu.r[R_EBX] & 0xFFFF, 0x8000);
        assert_int_equal(h.cpu.r[R_ECX] & 0xFFFF, 0x7FFF);
    }
    h_free(&h);
}

/* MUL after a lazy record (CMP: CF SF AF PF set) replaces all six arithmetic flags with
 * its own (set_flags_eager skips computing the record when nothing of it survives). */
static void test_mul_replaces_lazy_flags(void **state)
{
    (void)state;
    struct harness h;
    h_init(&h, CPU_386);
    /* mov al,0 / cmp al,1 / mov al,0x21 / mov cl,3 / mul cl / hlt */
    const uint8_t code[] = { 0xB0, 0x00, 0x3C, 0x01, 0xB0, 0x21, 0xB1, 0x03, 0xF6, 0xE1, 0xF4 };
    h.cpu.eip = 0;
    h_run(&h, code, sizeof code, 100);
    assert_int_equal(h_vector(&h), -1);
    assert_int_equal(h.cpu.r[R_EAX] & 0xFFFF, 0x63);
    assert_int_equal(cpu_materialize_arith(&h.cpu), FL_PF); /* 0x63: even parity */
    h_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_selfcheck),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_or),
        cmocka_unit_test(test_adc),
        cmocka_unit_test(test_sbb),
        cmocka_unit_test(test_and),
        cmocka_unit_test(test_sub),
        cmocka_unit_test(test_xor),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_inc),
        cmocka_unit_test(test_dec),
        cmocka_unit_test(test_neg),
        cmocka_unit_test(test_test),
        cmocka_unit_test(test_inc_dec_keep_lazy_cf),
        cmocka_unit_test(test_mul_replaces_lazy_flags),
    };
    return cmocka_run_group_tests_name("flags", tests, NULL, NULL);
}
