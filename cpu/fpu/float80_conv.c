/* float80 conversions: integers, float32/float64, packed BCD (SDM Vol. 1 §4.2, §4.7,
 * §8.2.2; the x87 load/store instructions in Vol. 2A). */
#include "cpu/fpu/float80_impl.h"

struct f80 f80_from_i64(int64_t v)
{
    if (v == 0)
        return f80_zero(false);
    bool s = v < 0;
    uint64_t mag = s ? 0 - (uint64_t)v : (uint64_t)v;
    int n = f80_clz64(mag);
    return pack(s, F80_BIAS + 63 - n, mag << n);
}

/* Loads of the IEEE formats: fbits fraction bits, ebias exponent bias. */
static ALWAYS_INLINE struct f80 from_ieee(struct f80_ctx *c, uint64_t v, int fbits, int ebits)
{
    int32_t ebias = (1 << (ebits - 1)) - 1;
    bool s = (v >> (fbits + ebits)) & 1;
    int32_t e = (int32_t)((v >> fbits) & ((1u << ebits) - 1));
    uint64_t frac = v & ((1ull << fbits) - 1);
    uint64_t m = frac << (63 - fbits);
    if (e == (1 << ebits) - 1) {
        if (frac == 0)
            return f80_inf(s);
        if (!(frac >> (fbits - 1)))
            c->flags |= FE_IE; /* SNaN: quieted */
        return pack(s, 0x7FFF, 0xC000000000000000ull | m);
    }
    if (e == 0) {
        if (frac == 0)
            return f80_zero(s);
        c->flags |= FE_DE;
        int n = f80_clz64(m);
        return pack(s, 1 - ebias - n + F80_BIAS, m << n);
    }
    return pack(s, e - ebias + F80_BIAS, 0x8000000000000000ull | m);
}

struct f80 f80_operand_f32(uint32_t v, bool *den)
{
    struct f80_ctx c = { 0, 0, 0 };
    *den = (v & 0x7F800000u) == 0 && (v & 0x7FFFFFu) != 0;
    if ((v & 0x7F800000u) == 0x7F800000u && (v & 0x7FFFFFu) != 0) /* NaN, kept as it is */
        return pack(v >> 31, 0x7FFF, 0x8000000000000000ull | (uint64_t)(v & 0x7FFFFFu) << 40);
    return from_ieee(&c, v, 23, 8);
}

struct f80 f80_operand_f64(uint64_t v, bool *den)
{
    struct f80_ctx c = { 0, 0, 0 };
    uint64_t e = v & 0x7FF0000000000000ull, f = v & 0x000FFFFFFFFFFFFFull;
    *den = e == 0 && f != 0;
    if (e == 0x7FF0000000000000ull && f != 0)
        return pack(v >> 63, 0x7FFF, 0x8000000000000000ull | f << 11);
    return from_ieee(&c, v, 52, 11);
}

struct f80 f80_from_f32(struct f80_ctx *c, uint32_t v)
{
    return from_ieee(c, v, 23, 8);
}

struct f80 f80_from_f64(struct f80_ctx *c, uint64_t v)
{
    return from_ieee(c, v, 52, 11);
}

/* Stores into the IEEE formats: rounding by RC into the format's precision and range.
 * Unmasked overflow or underflow stores nothing (*stored = false), as on the host. */
static uint64_t to_ieee(struct f80_ctx *c, struct f80 a, int fbits, int ebits, bool *stored)
{
    int32_t ebias = (1 << (ebits - 1)) - 1, emax_field = (1 << ebits) - 1;
    enum f80_class ka = f80_classify(a);
    bool s = f80_sign(a);
    uint64_t sbit = (uint64_t)s << (fbits + ebits);
    uint64_t inf = (uint64_t)emax_field << fbits;
    *stored = true;
    switch (ka) {
    case F80_UNSUPPORTED:
        c->flags |= FE_IE;
        return (1ull << (fbits + ebits)) | inf | (1ull << (fbits - 1));
    case F80_SNAN:
        c->flags |= FE_IE;
        /* fall through */
    case F80_QNAN:
        return sbit | inf | (1ull << (fbits - 1)) | ((a.m << 1) >> (64 - fbits));
    case F80_INF:
        return sbit | inf;
    case F80_ZERO:
        return sbit;
    default:
        break;
    }
    int rc = rc_of(c), prec = fbits + 1; /* a denormal source raises no DE (host) */
    int32_t e, emin = 1 - ebias;
    uint64_t hi, lo = 0;
    bool inexact, up;
    f80_unpack(a, &e, &hi);
    e -= F80_BIAS;
    if (e < emin && tiny_after_rounding(rc, s, prec, e, emin, hi, lo)) {
        if (!(c->cw & FE_UE)) {
            c->flags |= FE_UE;
            *stored = false;
            return 0;
        }
        shr_jam(&hi, &lo, emin - e);
        round_sig(rc, s, prec, &hi, lo, &inexact, &up);
        if (inexact)
            c->flags |= FE_UE | FE_PE | (up ? FE_C1 : 0);
        uint64_t field = hi >> 63 ? 1 : 0;
        return sbit | (field << fbits) | ((hi >> (63 - fbits)) & ((1ull << fbits) - 1));
    }
    if (round_sig(rc, s, prec, &hi, lo, &inexact, &up)) {
        hi = 0x8000000000000000ull;
        e++;
    }
    if (e > ebias) {
        if (!(c->cw & FE_OE)) {
            c->flags |= FE_OE;
            *stored = false;
            return 0;
        }
        c->flags |= FE_OE | FE_PE;
        if (overflow_to_inf(rc, s)) {
            c->flags |= FE_C1;
            return sbit | inf;
        }
        return sbit | (inf - 1);
    }
    c->flags |= (inexact ? FE_PE : 0) | (up ? FE_C1 : 0);
    return sbit | ((uint64_t)(e + ebias) << fbits) | ((hi >> (63 - fbits)) & ((1ull << fbits) - 1));
}

uint32_t f80_to_f32(struct f80_ctx *c, struct f80 a)
{
    bool stored;
    uint32_t v = (uint32_t)to_ieee(c, a, 23, 8, &stored);
    return v;
}

uint64_t f80_to_f64(struct f80_ctx *c, struct f80 a)
{
    bool stored;
    return to_ieee(c, a, 52, 11, &stored);
}

/* Rounds a finite value to an integer by RC: magnitude in *mag (saturated to 2^64-1 when
 * it does not fit 64 bits, *big set). */
static uint64_t round_to_u64(struct f80_ctx *c, struct f80 a, bool *big)
{
    int32_t e;
    uint64_t m;
    *big = false;
    if (f80_classify(a) == F80_ZERO)
        return 0;
    f80_unpack(a, &e, &m);
    int32_t ue = e - F80_BIAS;
    if (ue >= 64) {
        *big = true;
        return ~0ull;
    }
    if (ue == 63)
        return m;
    uint64_t hi = m, lo = 0;
    bool inexact, up;
    shr_jam(&hi, &lo, 63 - ue);
    if (round_sig(rc_of(c), f80_sign(a), 64, &hi, lo, &inexact, &up)) {
        *big = true;
        return ~0ull;
    }
    c->flags |= (inexact ? FE_PE : 0) | (up ? FE_C1 : 0);
    return hi;
}

int64_t f80_to_int(struct f80_ctx *c, struct f80 a, unsigned bits)
{
    enum f80_class ka = f80_classify(a);
    uint64_t indefinite = 1ull << (bits - 1);
    int64_t indef = bits == 64 ? (int64_t)(0 - indefinite) : -(int64_t)indefinite;
    if (ka == F80_UNSUPPORTED || ka == F80_INF || is_nan_class(ka)) {
        c->flags |= FE_IE;
        return indef;
    }
    bool big, s = f80_sign(a);
    uint16_t saved = c->flags;
    uint64_t mag = round_to_u64(c, a, &big);
    if (big || mag > indefinite - (s ? 0 : 1)) {
        c->flags = saved | FE_IE;
        return indef;
    }
    if (s)
        return mag == indefinite ? indef : -(int64_t)mag;
    return (int64_t)mag;
}

struct f80 f80_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (uint64_t)(bcd[i] >> 4) * 10 + (bcd[i] & 15);
    bool s = bcd[9] >> 7;
    if (v == 0)
        return f80_zero(s);
    int n = f80_clz64(v);
    return pack(s, F80_BIAS + 63 - n, v << n);
}

void f80_to_bcd(struct f80_ctx *c, struct f80 a, uint8_t bcd[10])
{
    enum f80_class ka = f80_classify(a);
    bool big = false, s = f80_sign(a);
    uint64_t mag = 0;
    uint16_t saved = c->flags;
    if (ka == F80_UNSUPPORTED || ka == F80_INF || is_nan_class(ka))
        big = true;
    else
        mag = round_to_u64(c, a, &big);
    if (big || mag > 999999999999999999ull) {
        c->flags = saved | FE_IE;
        for (int i = 0; i < 7; i++)
            bcd[i] = 0;
        bcd[7] = 0xC0;
        bcd[8] = 0xFF;
        bcd[9] = 0xFF;
        return;
    }
    for (int i = 0; i < 9; i++) {
        unsigned lo = (unsigned)(mag % 10);
        mag /= 10;
        unsigned hi = (unsigned)(mag % 10);
        mag /= 10;
        bcd[i] = (uint8_t)(hi << 4 | lo);
    }
    bcd[9] = s ? 0x80 : 0;
}
