/* Extended-precision (80-bit) arithmetic as the x87 does it, in portable integer C: no host
 * floating point anywhere, so every host gives the same bits.
 *
 * Operations take a context holding the x87 control word (rounding control, precision
 * control, exception masks) and accumulate exception flags into it. The masks matter
 * inside the arithmetic because the masked and unmasked responses differ (SDM Vol. 1
 * §4.9, §8.5): an unmasked denormal operand stops the operation, unmasked overflow and
 * underflow deliver the result with its exponent re-biased by 24576. */
#ifndef ORRERY_CPU_FPU_FLOAT80_H
#define ORRERY_CPU_FPU_FLOAT80_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One register: 64-bit significand with explicit integer bit, sign and 15-bit exponent.
 * The padding is explicit so the struct is plain data for save states; scalar fields, not
 * an array, so GCC keeps a struct f80 in two registers (with an array it passed each
 * returned value through the stack, and its 8-byte stores read back as one 16-byte load
 * stalled store forwarding). */
struct f80 {
    uint64_t m;
    uint16_t se;
    uint16_t pad0, pad1, pad2;
};
_Static_assert(sizeof(struct f80) == 16 && offsetof(struct f80, se) == 8, "struct f80 layout");
#define F80_BIAS 16383
#define F80_EXP_MAX 0x7FFF

/* Exception flags and the rounded-up indication, in their status-word positions. */
enum {
    FE_IE = 0x0001, FE_DE = 0x0002, FE_ZE = 0x0004, FE_OE = 0x0008, FE_UE = 0x0010,
    FE_PE = 0x0020, FE_SF = 0x0040, FE_C1 = 0x0200,
};
#define FE_ALL 0x003F

/* Rounding control (control word bits 10-11). */
enum { RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3 };

struct f80_ctx {
    uint16_t cw;     /* the x87 control word in force */
    uint16_t flags;  /* FE_* raised so far; FE_C1: the last rounding went up in magnitude */
    uint16_t den_in; /* an operand converted from float32/64 was denormal there */
};

/* Operand classes (SDM Vol. 1 §8.2.2, Table 8-3; unsupported encodings: §8.2.2). */
enum f80_class {
    F80_ZERO, F80_NORMAL, F80_DENORMAL /* also pseudo-denormals */, F80_INF, F80_QNAN,
    F80_SNAN, F80_UNSUPPORTED /* unnormals, pseudo-NaNs, pseudo-infinities */
};

static inline enum f80_class f80_classify(struct f80 a)
{
    uint16_t e = a.se & 0x7FFF;
    bool ibit = a.m >> 63;
    if (e == 0)
        return a.m == 0 ? F80_ZERO : F80_DENORMAL;
    if (e == 0x7FFF) {
        if (!ibit)
            return F80_UNSUPPORTED;
        if ((a.m << 1) == 0)
            return F80_INF;
        return (a.m >> 62) & 1 ? F80_QNAN : F80_SNAN;
    }
    return ibit ? F80_NORMAL : F80_UNSUPPORTED;
}
static inline bool f80_sign(struct f80 a) { return a.se >> 15; }
static inline uint16_t f80_exp(struct f80 a) { return a.se & 0x7FFF; }
static inline struct f80 f80_make(uint16_t se, uint64_t m)
{
    struct f80 r = { m, se, 0, 0, 0 };
    return r;
}
static inline bool f80_is_nan(struct f80 a)
{
    enum f80_class c = f80_classify(a);
    return c == F80_QNAN || c == F80_SNAN;
}

/* The QNaN floating-point indefinite (SDM Vol. 1 Table 4-3). */
static inline struct f80 f80_indefinite(void) { return f80_make(0xFFFF, 0xC000000000000000ull); }
static inline struct f80 f80_zero(bool sign) { return f80_make((uint16_t)(sign << 15), 0); }
static inline struct f80 f80_inf(bool sign)
{
    return f80_make((uint16_t)(sign << 15 | 0x7FFF), 0x8000000000000000ull);
}
static inline struct f80 f80_one(bool sign)
{
    return f80_make((uint16_t)(sign << 15 | F80_BIAS), 0x8000000000000000ull);
}

/* Arithmetic; precision control applies (SDM Vol. 1 §8.1.5.2). */
struct f80 f80_add(struct f80_ctx *c, struct f80 a, struct f80 b);
struct f80 f80_sub(struct f80_ctx *c, struct f80 a, struct f80 b);
struct f80 f80_mul(struct f80_ctx *c, struct f80 a, struct f80 b);
struct f80 f80_div(struct f80_ctx *c, struct f80 a, struct f80 b);
struct f80 f80_sqrt(struct f80_ctx *c, struct f80 a);

/* Comparison: FCOM/FUCOM order. quiet: only SNaNs are invalid (FUCOM); otherwise any NaN. */
enum f80_order { F80_LT, F80_EQ, F80_GT, F80_UNORDERED };
enum f80_order f80_compare(struct f80_ctx *c, struct f80 a, struct f80 b, bool quiet);

/* FPREM (ieee = false, quotient truncated) and FPREM1 (ieee = true, rounded to nearest):
 * *q gets the low three quotient bits, or F80_NO_QUOTIENT when the result is not a
 * remainder (NaN, invalid, stopped); *partial is set when the reduction is incomplete. */
#define F80_NO_QUOTIENT 8u
struct f80 f80_rem(struct f80_ctx *c, struct f80 a, struct f80 b, bool ieee, unsigned *q,
                   bool *partial);
struct f80 f80_scale(struct f80_ctx *c, struct f80 a, struct f80 b);
struct f80 f80_round_int(struct f80_ctx *c, struct f80 a);
/* FXTRACT: *sig gets the significand (exponent 0), the return value the exponent. */
struct f80 f80_extract(struct f80_ctx *c, struct f80 a, struct f80 *sig);

/* Conversions. Loads of integers are exact; loads of float32/float64 are exact but flag
 * SNaNs (quieted) and denormals. Stores round by rounding control into the format. */
struct f80 f80_from_i64(int64_t v);
struct f80 f80_from_f32(struct f80_ctx *c, uint32_t v);
struct f80 f80_from_f64(struct f80_ctx *c, uint64_t v);
/* float32/64 operands of arithmetic and compares: converted exactly, SNaNs kept as SNaNs
 * (the operation decides), a denormal source reported in *den for f80_ctx.den_in. */
struct f80 f80_operand_f32(uint32_t v, bool *den);
struct f80 f80_operand_f64(uint64_t v, bool *den);
/* Integer stores (bits 16, 32 or 64): out of range or NaN is invalid and gives the integer
 * indefinite (the most negative value). */
int64_t f80_to_int(struct f80_ctx *c, struct f80 a, unsigned bits);
uint32_t f80_to_f32(struct f80_ctx *c, struct f80 a);
uint64_t f80_to_f64(struct f80_ctx *c, struct f80 a);
/* Packed BCD (10 bytes, little-endian: 18 digits and the sign in bit 79). */
struct f80 f80_from_bcd(const uint8_t bcd[10]);
void f80_to_bcd(struct f80_ctx *c, struct f80 a, uint8_t bcd[10]);

/* Internal helpers shared with the transcendental functions (cpu/fpu/ftrans.c). */
struct f80 f80_round_pack(struct f80_ctx *c, bool sign, int32_t exp, uint64_t hi, uint64_t lo,
                          int prec);
struct f80 f80_propagate_nan(struct f80_ctx *c, struct f80 a, struct f80 b);
struct f80 f80_quiet(struct f80 a);
/* The 128-bit product hi:lo of a and b. */
static inline void f80_mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__)
    unsigned __int128 p = (unsigned __int128)a * b;
    *hi = (uint64_t)(p >> 64);
    *lo = (uint64_t)p;
#else
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *lo = (mid << 32) | (uint32_t)p00;
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}
/* Leading zero bits of x (64 for 0). */
static inline int f80_clz64(uint64_t x)
{
#if defined(__GNUC__)
    return x ? __builtin_clzll(x) : 64;
#else
    int n = 0;
    if (x == 0)
        return 64;
    if (!(x >> 32)) { n += 32; x <<= 32; }
    if (!(x >> 48)) { n += 16; x <<= 16; }
    if (!(x >> 56)) { n += 8; x <<= 8; }
    if (!(x >> 60)) { n += 4; x <<= 4; }
    if (!(x >> 62)) { n += 2; x <<= 2; }
    if (!(x >> 63)) { n += 1; }
    return n;
#endif
}
/* Normalises a finite nonzero value: *exp (biased, may fall below 1), *sig with bit 63 set. */
static inline void f80_unpack(struct f80 a, int32_t *exp, uint64_t *sig)
{
    int32_t e = a.se & 0x7FFF;
    if (e == 0)
        e = 1; /* denormals and pseudo-denormals have the smallest normal exponent */
    int n = f80_clz64(a.m);
    *sig = a.m << n;
    *exp = e - n;
}

#endif
