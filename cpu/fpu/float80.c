/* Extended-precision arithmetic in integers (SDM Vol. 1 ch. 4 and 8). Significands are
 * handled as 128-bit pairs (hi, lo): hi holds the integer bit in bit 63 and the fraction
 * below it, lo the bits beyond the register's precision, with a sticky bit in its bottom.
 * Exponents are biased (16383) in int32_t and may leave the format's range until the
 * final rounding, which is the one place where precision, rounding mode, overflow and
 * underflow are decided. */
#include "cpu/fpu/float80_impl.h"

/* ---- 64/128-bit helpers ---- */


/* ---- classification, packing ---- */

static int prec_bits(uint16_t cw)
{
    switch ((cw >> 8) & 3) {
    case 0: return 24;
    case 2: return 53;
    default: return 64; /* 11, and the reserved 10 */
    }
}

/* The one rounding of every arithmetic result into the register format (SDM Vol. 1
 * §4.9.1.4-4.9.1.6, §8.5.4-8.5.6). A tiny result raises UE, when masked only if it is
 * also inexact. */
struct f80 f80_round_pack(struct f80_ctx *c, bool sign, int32_t exp, uint64_t hi, uint64_t lo,
                          int prec)
{
    int rc = rc_of(c);
    bool inexact, up;
    if (hi == 0 && lo == 0)
        return f80_zero(sign);
    if (!(hi >> 63)) { /* callers pass normalised values; accept the rest */
        int n = hi ? f80_clz64(hi) : 64 + f80_clz64(lo);
        shl128(&hi, &lo, n);
        exp -= n;
    }
    if (exp < 1 && tiny_after_rounding(rc, sign, prec, exp, 1, hi, lo)) {
        if (!(c->cw & FE_UE) && exp + 24576 < 1) {
            /* Beyond what the bias can bring back (FSCALE): zero (host behaviour). */
            c->flags |= FE_UE | FE_PE;
            return f80_zero(sign);
        }
        if (!(c->cw & FE_UE)) {
            /* Unmasked: the normal-precision result, exponent re-biased upward. */
            if (round_sig(rc, sign, prec, &hi, lo, &inexact, &up)) {
                hi = 0x8000000000000000ull;
                exp++;
            }
            c->flags |= FE_UE | (inexact ? FE_PE : 0) | (up ? FE_C1 : 0);
            return pack(sign, exp + 24576, hi);
        }
        shr_jam(&hi, &lo, 1 - exp);
        round_sig(rc, sign, prec, &hi, lo, &inexact, &up);
        if (inexact)
            c->flags |= FE_UE | FE_PE | (up ? FE_C1 : 0);
        return pack(sign, hi >> 63 ? 1 : 0, hi);
    }
    if (round_sig(rc, sign, prec, &hi, lo, &inexact, &up)) {
        hi = 0x8000000000000000ull;
        exp++;
    }
    if (exp >= 0x7FFF) {
        if (!(c->cw & FE_OE) && exp - 24576 >= 0x7FFF) {
            /* Beyond what the bias can bring back (FSCALE): infinity (host behaviour). */
            c->flags |= FE_OE | FE_PE | FE_C1;
            return f80_inf(sign);
        }
        if (!(c->cw & FE_OE)) {
            c->flags |= FE_OE | (inexact ? FE_PE : 0) | (up ? FE_C1 : 0);
            return pack(sign, exp - 24576, hi);
        }
        c->flags |= FE_OE | FE_PE;
        if (overflow_to_inf(rc, sign)) {
            c->flags |= FE_C1;
            return f80_inf(sign);
        }
        return pack(sign, 0x7FFE, ~0ull << (64 - prec));
    }
    c->flags |= (inexact ? FE_PE : 0) | (up ? FE_C1 : 0);
    return pack(sign, exp, hi);
}

/* f80_round_pack with the common case inline: normalised and in range even if rounding
 * carries (the guest benchmark's x87 loop: its call, with the rare cases' register saves,
 * was 10 % of the time). */
static ALWAYS_INLINE struct f80 round_pack(struct f80_ctx *c, bool sign, int32_t exp,
                                           uint64_t hi, uint64_t lo, int prec)
{
    if (likely(hi >> 63 && exp >= 1 && exp < 0x7FFE)) {
        bool inexact, up;
        if (round_sig(rc_of(c), sign, prec, &hi, lo, &inexact, &up)) {
            hi = 0x8000000000000000ull;
            exp++;
        }
        c->flags |= (inexact ? FE_PE : 0) | (up ? FE_C1 : 0);
        return pack(sign, exp, hi);
    }
    return f80_round_pack(c, sign, exp, hi, lo, prec);
}

/* ---- NaNs (SDM Vol. 1 §4.8.3.5, Table 4-7) ---- */

struct f80 f80_quiet(struct f80 a)
{
    a.m |= 0x4000000000000000ull;
    return a;
}

/* One or two NaN operands: an SNaN is invalid; an SNaN and a QNaN give the QNaN; two of a
 * kind give the larger significand, and of equal significands the positive one. */
struct f80 f80_propagate_nan(struct f80_ctx *c, struct f80 a, struct f80 b)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    bool an = is_nan_class(ka), bn = is_nan_class(kb);
    if (ka == F80_SNAN || kb == F80_SNAN)
        c->flags |= FE_IE;
    if (an && bn) {
        if (ka != kb)
            return ka == F80_QNAN ? a : b;
        if (a.m != b.m)
            return f80_quiet(a.m > b.m ? a : b);
        return f80_quiet(f80_sign(a) ? b : a);
    }
    return f80_quiet(an ? a : b);
}

/* NaN and unsupported operands of a two-operand operation; true when *r is the result. */
static bool special_operands(struct f80_ctx *c, struct f80 a, enum f80_class ka, struct f80 b,
                             enum f80_class kb, struct f80 *r)
{
    if (ka == F80_UNSUPPORTED || kb == F80_UNSUPPORTED) {
        c->flags |= FE_IE;
        *r = f80_indefinite();
        return true;
    }
    if (is_nan_class(ka) || is_nan_class(kb)) {
        *r = f80_propagate_nan(c, a, b);
        return true;
    }
    return false;
}

static struct f80 invalid(struct f80_ctx *c)
{
    c->flags |= FE_IE;
    return f80_indefinite();
}

/* Flags a denormal operand; true when DE is unmasked and the operation must stop. */
static bool denormal_stops(struct f80_ctx *c, enum f80_class ka, enum f80_class kb)
{
    if (ka != F80_DENORMAL && kb != F80_DENORMAL && !c->den_in)
        return false;
    c->flags |= FE_DE;
    return !(c->cw & FE_DE);
}

/* ---- add, subtract ---- */

static struct f80 addsub(struct f80_ctx *c, struct f80 a, struct f80 b, bool negb)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    struct f80 r;
    if (special_operands(c, a, ka, b, kb, &r))
        return r;
    if (denormal_stops(c, ka, kb))
        return a;
    bool sa = f80_sign(a), sb = f80_sign(b) ^ negb;
    if (ka == F80_INF || kb == F80_INF) {
        if (ka == F80_INF && kb == F80_INF && sa != sb)
            return invalid(c);
        return f80_inf(ka == F80_INF ? sa : sb);
    }
    int prec = prec_bits(c->cw);
    if (ka == F80_ZERO && kb == F80_ZERO)
        return f80_zero(sa == sb ? sa : rc_of(c) == RC_DOWN);
    int32_t ea, eb;
    uint64_t ma, mb;
    if (ka == F80_ZERO) {
        f80_unpack(b, &eb, &mb);
        return f80_round_pack(c, sb, eb, mb, 0, prec);
    }
    f80_unpack(a, &ea, &ma);
    if (kb == F80_ZERO)
        return f80_round_pack(c, sa, ea, ma, 0, prec);
    f80_unpack(b, &eb, &mb);
    if (eb > ea || (eb == ea && mb > ma)) {
        int32_t te = ea; ea = eb; eb = te;
        uint64_t tm = ma; ma = mb; mb = tm;
        bool ts = sa; sa = sb; sb = ts;
    }
    uint64_t bh = mb, bl = 0, hi, lo;
    shr_jam(&bh, &bl, ea - eb);
    if (sa == sb) {
        lo = bl;
        hi = ma + bh;
        if (hi < ma) {
            lo = (lo >> 1) | (lo & 1) | (hi << 63);
            hi = (hi >> 1) | 0x8000000000000000ull;
            ea++;
        }
    } else {
        lo = 0 - bl;
        hi = ma - bh - (bl != 0);
        if (hi == 0 && lo == 0)
            return f80_zero(rc_of(c) == RC_DOWN);
        int n = hi ? f80_clz64(hi) : 64 + f80_clz64(lo);
        shl128(&hi, &lo, n);
        ea -= n;
    }
    return round_pack(c, sa, ea, hi, lo, prec);
}

struct f80 f80_add(struct f80_ctx *c, struct f80 a, struct f80 b)
{
    return addsub(c, a, b, false);
}

struct f80 f80_sub(struct f80_ctx *c, struct f80 a, struct f80 b)
{
    return addsub(c, a, b, true);
}

/* ---- multiply, divide, square root ---- */

struct f80 f80_mul(struct f80_ctx *c, struct f80 a, struct f80 b)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    struct f80 r;
    if (special_operands(c, a, ka, b, kb, &r))
        return r;
    if (denormal_stops(c, ka, kb))
        return a;
    bool s = f80_sign(a) ^ f80_sign(b);
    if (ka == F80_INF || kb == F80_INF) {
        if (ka == F80_ZERO || kb == F80_ZERO)
            return invalid(c);
        return f80_inf(s);
    }
    if (ka == F80_ZERO || kb == F80_ZERO)
        return f80_zero(s);
    int32_t ea, eb;
    uint64_t ma, mb, hi, lo;
    f80_unpack(a, &ea, &ma);
    f80_unpack(b, &eb, &mb);
    f80_mul64(ma, mb, &hi, &lo);
    int32_t e = ea + eb - F80_BIAS + 1;
    if (!(hi >> 63)) {
        shl128(&hi, &lo, 1);
        e--;
    }
    return round_pack(c, s, e, hi, lo, prec_bits(c->cw));
}

/* (u1:u0) / v for u1 < v and v with bit 63 set: the 64-bit quotient and *rem. With
 * unsigned __int128 the compiler's division (on x86-64 libgcc's one DIV instruction for a
 * 64-bit quotient: 2.7 times as fast as the digits below); otherwise two steps of 32-bit
 * digits (Knuth's algorithm D, as in Hacker's Delight "divlu"). */
static uint64_t div128_64(uint64_t u1, uint64_t u0, uint64_t v, uint64_t *rem)
{
#if defined(__SIZEOF_INT128__)
    uint64_t q = (uint64_t)(((unsigned __int128)u1 << 64 | u0) / v);
    *rem = u0 - q * v; /* the remainder < v: exact modulo 2^64 */
    return q;
#else
    const uint64_t b = 1ull << 32;
    uint64_t vn1 = v >> 32, vn0 = v & 0xFFFFFFFFu;
    uint64_t un1 = u0 >> 32, un0 = u0 & 0xFFFFFFFFu;
    uint64_t q1 = u1 / vn1, rhat = u1 % vn1;
    while (q1 >= b || q1 * vn0 > ((rhat << 32) | un1)) {
        q1--;
        rhat += vn1;
        if (rhat >= b)
            break;
    }
    uint64_t un21 = (u1 << 32) + un1 - q1 * v; /* exact modulo 2^64: the true value < v */
    uint64_t q0 = un21 / vn1;
    rhat = un21 % vn1;
    while (q0 >= b || q0 * vn0 > ((rhat << 32) | un0)) {
        q0--;
        rhat += vn1;
        if (rhat >= b)
            break;
    }
    *rem = (un21 << 32) + un0 - q0 * v;
    return (q1 << 32) + q0;
#endif
}

/* Significand quotient na / nb (both with bit 63 set) as hi:lo with the integer bit in
 * bit 63 of hi, one more bit and a sticky bit in lo; *adj is -1 when na < nb. */
static void div_sig(uint64_t na, uint64_t nb, uint64_t *hi, uint64_t *lo, int *adj)
{
    uint64_t r, q;
    if (na >= nb) { /* 1.q: 64 fraction bits */
        *adj = 0;
        q = div128_64(na - nb, 0, nb, &r);
        *hi = 0x8000000000000000ull | (q >> 1);
        *lo = (q << 63) | (r != 0);
    } else { /* 0.1q...: the first 64 bits, then one more */
        *adj = -1;
        q = div128_64(na, 0, nb, &r);
        bool next = r >= nb - r; /* 2r >= nb */
        uint64_t r2 = next ? r - (nb - r) : r << 1;
        *hi = q;
        *lo = ((uint64_t)next << 63) | (r2 != 0);
    }
}

struct f80 f80_div(struct f80_ctx *c, struct f80 a, struct f80 b)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    struct f80 r;
    if (special_operands(c, a, ka, b, kb, &r))
        return r;
    bool s = f80_sign(a) ^ f80_sign(b);
    if (kb == F80_ZERO) { /* before the denormal check: x/0 raises ZE alone (host) */
        if (ka == F80_ZERO)
            return invalid(c);
        if (ka != F80_INF)
            c->flags |= FE_ZE;
        return f80_inf(s);
    }
    if (denormal_stops(c, ka, kb))
        return a;
    if (ka == F80_INF)
        return kb == F80_INF ? invalid(c) : f80_inf(s);
    if (kb == F80_INF)
        return f80_zero(s);
    if (ka == F80_ZERO)
        return f80_zero(s);
    int32_t ea, eb;
    uint64_t ma, mb, hi, lo;
    int adj;
    f80_unpack(a, &ea, &ma);
    f80_unpack(b, &eb, &mb);
    div_sig(ma, mb, &hi, &lo, &adj);
    return round_pack(c, s, ea - eb + F80_BIAS + adj, hi, lo, prec_bits(c->cw));
}

/* Square roots with remainders by Zimmermann's recursive ("Karatsuba") square root
 * (P. Zimmermann, "Karatsuba Square Root", INRIA RR-3805, 1999): for n = a3·b³ + a2·b² +
 * a1·b + a0 with a3 >= b/4, the root s' and remainder r' of a3·b + a2 give
 * q = (r'·b + a1) / 2s' (remainder u), s = s'·b + q and r = u·b + a0 - q², and when r < 0
 * one correction, r += 2s - 1 and s -= 1. Each level halves the digits; r stays in
 * [0, 2s]. Three levels of one hardware division each replace a 64-step bit loop (the
 * guest benchmark's x87 loop: 5.7 s -> see the commit). */

/* x >= 2^14: the 8-bit root, *r = x - root². */
static uint32_t sqrtrem16(uint32_t x, uint32_t *r)
{
    uint32_t s = 0;
    for (uint32_t bit = 0x80; bit; bit >>= 1) {
        uint32_t t = s | bit;
        if (t * t <= x)
            s = t;
    }
    *r = x - s * s;
    return s;
}

/* x >= 2^30: the 16-bit root, *r = x - root² (<= 2·root). */
static uint32_t sqrtrem32(uint32_t x, uint32_t *r)
{
    uint32_t rp;
    uint32_t sp = sqrtrem16(x >> 16, &rp);
    uint32_t n = rp << 8 | ((x >> 8) & 0xFF), d = 2 * sp;
    uint32_t q = n / d, u = n % d;
    uint32_t s = (sp << 8) + q;
    int32_t rem = (int32_t)(u << 8 | (x & 0xFF)) - (int32_t)(q * q);
    if (rem < 0) {
        rem += (int32_t)(2 * s - 1);
        s--;
    }
    *r = (uint32_t)rem;
    return s;
}

/* x >= 2^62: the 32-bit root, *r = x - root² (<= 2·root). */
static uint64_t sqrtrem64(uint64_t x, uint64_t *r)
{
    uint32_t rp;
    uint64_t sp = sqrtrem32((uint32_t)(x >> 32), &rp);
    uint64_t n = (uint64_t)rp << 16 | ((x >> 16) & 0xFFFF), d = 2 * sp;
    uint64_t q = n / d, u = n % d;
    uint64_t s = (sp << 16) + q;
    int64_t rem = (int64_t)(u << 16 | (x & 0xFFFF)) - (int64_t)(q * q);
    if (rem < 0) {
        rem += (int64_t)(2 * s - 1);
        s--;
    }
    *r = (uint64_t)rem;
    return s;
}

/* Integer square root of the 128-bit n = nh:nl, nh >= 2^62: returns s = floor(sqrt(n)) and
 * whether the remainder n - s^2 is nonzero and whether it exceeds s (the root's next bit). */
static uint64_t isqrt128(uint64_t nh, uint64_t nl, bool *above_half, bool *nonzero)
{
    uint64_t rp;
    uint64_t sp = sqrtrem64(nh, &rp); /* rp <= 2·sp < 2^33 */
    /* q = (rp·2^32 + a1) / 2sp, a 65-bit dividend: floor(n / 2sp) = floor(floor(n / 2) / sp). */
    uint64_t a1 = nl >> 32;
    uint64_t q = (rp << 31 | a1 >> 1) / sp;
    uint64_t u = (rp << 32 | a1) - 2 * q * sp; /* < 2sp: exact modulo 2^64 */
    unsigned __int128 s = ((unsigned __int128)sp << 32) + q;
    __int128 rem = (__int128)((unsigned __int128)u << 32 | (uint32_t)nl) - (__int128)q * q;
    if (rem < 0) {
        rem += (__int128)(2 * s - 1);
        s--;
    }
    *nonzero = rem != 0;
    *above_half = rem > (__int128)s;
    return (uint64_t)s;
}

struct f80 f80_sqrt(struct f80_ctx *c, struct f80 a)
{
    enum f80_class ka = f80_classify(a);
    if (ka == F80_UNSUPPORTED)
        return invalid(c);
    if (is_nan_class(ka))
        return f80_propagate_nan(c, a, a);
    if (ka == F80_ZERO)
        return a;
    if (f80_sign(a))
        return invalid(c);
    if (denormal_stops(c, ka, ka))
        return a;
    if (ka == F80_INF)
        return a;
    int32_t e;
    uint64_t m, nh, nl;
    f80_unpack(a, &e, &m);
    int32_t ue = e - F80_BIAS;
    /* value = m/2^63 · 2^ue; radicand m·2^63 (ue even) or m·2^64 (ue odd). */
    if (ue & 1) {
        nh = m;
        nl = 0;
        ue -= 1;
    } else {
        nh = m >> 1;
        nl = m << 63;
    }
    bool above, nonzero;
    uint64_t s = isqrt128(nh, nl, &above, &nonzero);
    uint64_t lo = above ? 0x8000000000000001ull : (nonzero ? 1 : 0);
    return round_pack(c, false, ue / 2 + F80_BIAS, s, lo, prec_bits(c->cw));
}

/* ---- compare ---- */

enum f80_order f80_compare(struct f80_ctx *c, struct f80 a, struct f80 b, bool quiet)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    if (ka == F80_UNSUPPORTED || kb == F80_UNSUPPORTED) {
        c->flags |= FE_IE;
        return F80_UNORDERED;
    }
    if (is_nan_class(ka) || is_nan_class(kb)) {
        if (!quiet || ka == F80_SNAN || kb == F80_SNAN)
            c->flags |= FE_IE;
        return F80_UNORDERED;
    }
    if (ka == F80_DENORMAL || kb == F80_DENORMAL || c->den_in)
        c->flags |= FE_DE;
    if (ka == F80_ZERO && kb == F80_ZERO)
        return F80_EQ;
    bool sa = f80_sign(a), sb = f80_sign(b);
    if (ka == F80_ZERO)
        return sb ? F80_GT : F80_LT;
    if (kb == F80_ZERO)
        return sa ? F80_LT : F80_GT;
    if (sa != sb)
        return sa ? F80_LT : F80_GT;
    int32_t ea, eb;
    uint64_t ma, mb;
    if (ka == F80_INF || kb == F80_INF) {
        if (ka == kb)
            return F80_EQ;
        ea = ka == F80_INF;
        eb = kb == F80_INF;
        ma = mb = 0;
    } else {
        f80_unpack(a, &ea, &ma);
        f80_unpack(b, &eb, &mb);
    }
    int mag = ea != eb ? (ea > eb ? 1 : -1) : ma != mb ? (ma > mb ? 1 : -1) : 0;
    if (mag == 0)
        return F80_EQ;
    return (mag > 0) != sa ? F80_GT : F80_LT;
}

/* ---- partial remainder ---- */

/* FPREM/FPREM1 (SDM Vol. 2A): exact; a reduction spanning 64 or more binary orders stops
 * partway with C2 set. The amount it reduces by is the host-observed one: the remainder
 * of ST(0)·2^N modulo ST(1), N = 32 + (D mod 32), with D the exponent difference. */
/* An operand the result table returns as it is (FPREM by an infinity, FSCALE by a zero):
 * nothing is computed, so a denormal stays as it is and never underflows, even with #U
 * unmasked (the host, Intel family 6); anything else, a pseudo-denormal included, comes
 * back normalised. a is unpacked into sign sa, exponent ea and significand ma. */
static struct f80 passed_through(struct f80_ctx *c, struct f80 a, bool sa, int32_t ea, uint64_t ma)
{
    if (!(a.m >> 63))
        return a;
    return f80_round_pack(c, sa, ea, ma, 0, 64);
}

struct f80 f80_rem(struct f80_ctx *c, struct f80 a, struct f80 b, bool ieee, unsigned *q,
                   bool *partial)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    struct f80 r;
    *q = F80_NO_QUOTIENT;
    *partial = false;
    if (special_operands(c, a, ka, b, kb, &r))
        return r;
    if (ka == F80_INF || kb == F80_ZERO)
        return invalid(c);
    if (denormal_stops(c, ka, kb))
        return a;
    *q = 0;
    if (ka == F80_ZERO)
        return a;
    bool sa = f80_sign(a);
    int32_t ea, eb;
    uint64_t ma, mb;
    f80_unpack(a, &ea, &ma);
    if (kb == F80_INF) /* the dividend itself (SDM "FPREM" table) */
        return passed_through(c, a, sa, ea, ma);
    f80_unpack(b, &eb, &mb);
    int32_t d = ea - eb;
    if (d < -1 || (d == -1 && !ieee))
        return f80_round_pack(c, sa, ea, ma, 0, 64);
    if (d == -1) { /* FPREM1: |a| < |b|, quotient 0 or 1 */
        if (ma <= mb)
            return f80_round_pack(c, sa, ea, ma, 0, 64);
        *q = 1;
        return f80_round_pack(c, !sa, ea, mb - (ma - mb), 0, 64);
    }
    int32_t n = d;
    if (d >= 64) {
        n = 32 + (d & 31);
        *partial = true;
    }
    uint64_t rm = ma, quo = 0;
    if (rm >= mb) {
        rm -= mb;
        quo = 1;
    }
    for (int32_t i = 0; i < n; i++) {
        bool carry = rm >> 63;
        rm <<= 1;
        quo <<= 1;
        if (carry || rm >= mb) {
            rm -= mb;
            quo |= 1;
        }
    }
    bool s = sa;
    if (ieee && !*partial && (rm > mb - rm || (rm == mb - rm && (quo & 1)))) {
        rm = mb - rm;
        quo++;
        s = !s;
    }
    *q = *partial ? 0 : (unsigned)(quo & 7); /* a partial result reports no quotient bits */
    if (rm == 0)
        return f80_zero(sa);
    return f80_round_pack(c, s, eb + (d - n), rm, 0, 64);
}

/* ---- scale, round to integer, extract ---- */

struct f80 f80_scale(struct f80_ctx *c, struct f80 a, struct f80 b)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    struct f80 r;
    if (special_operands(c, a, ka, b, kb, &r))
        return r;
    if (denormal_stops(c, ka, kb))
        return a;
    bool sa = f80_sign(a), sb = f80_sign(b);
    if (kb == F80_INF) {
        if (!sb)
            return ka == F80_ZERO ? invalid(c) : f80_inf(sa);
        return ka == F80_INF ? invalid(c) : f80_zero(sa);
    }
    if (ka == F80_INF || ka == F80_ZERO)
        return a;
    if (kb == F80_ZERO) { /* ST(0) itself (SDM "FSCALE" table) */
        int32_t ea;
        uint64_t ma;
        f80_unpack(a, &ea, &ma);
        return passed_through(c, a, sa, ea, ma);
    }
    /* The scale: ST(1) truncated toward zero, clamped where the result saturates anyway. */
    int32_t n = 0;
    if (kb != F80_ZERO) {
        int32_t e;
        uint64_t m;
        f80_unpack(b, &e, &m);
        int32_t ue = e - F80_BIAS;
        if (ue > 20)
            n = 1 << 21;
        else if (ue >= 0)
            n = (int32_t)(m >> (63 - ue));
        if (sb)
            n = -n;
    }
    int32_t ea;
    uint64_t ma;
    f80_unpack(a, &ea, &ma);
    return f80_round_pack(c, sa, ea + n, ma, 0, 64);
}

struct f80 f80_round_int(struct f80_ctx *c, struct f80 a)
{
    enum f80_class ka = f80_classify(a);
    if (ka == F80_UNSUPPORTED)
        return invalid(c);
    if (is_nan_class(ka))
        return f80_propagate_nan(c, a, a);
    if (denormal_stops(c, ka, ka))
        return a;
    if (ka == F80_ZERO || ka == F80_INF)
        return a;
    bool s = f80_sign(a);
    int32_t e;
    uint64_t m;
    f80_unpack(a, &e, &m);
    int32_t ue = e - F80_BIAS;
    if (ue >= 63)
        return f80_round_pack(c, s, e, m, 0, 64);
    uint64_t hi = m, lo = 0;
    bool inexact, up;
    shr_jam(&hi, &lo, 63 - ue); /* hi: integer part, lo: fraction */
    if (round_sig(rc_of(c), s, 64, &hi, lo, &inexact, &up))
        return f80_round_pack(c, s, F80_BIAS + 64, 0x8000000000000000ull, 0, 64);
    c->flags |= (inexact ? FE_PE : 0) | (up ? FE_C1 : 0);
    if (hi == 0)
        return f80_zero(s);
    int n = f80_clz64(hi);
    return pack(s, F80_BIAS + 63 - n, hi << n);
}

struct f80 f80_extract(struct f80_ctx *c, struct f80 a, struct f80 *sig)
{
    enum f80_class ka = f80_classify(a);
    bool s = f80_sign(a);
    if (ka == F80_UNSUPPORTED) {
        *sig = invalid(c);
        return *sig;
    }
    if (is_nan_class(ka)) {
        *sig = f80_propagate_nan(c, a, a);
        return *sig;
    }
    if (ka == F80_ZERO) {
        c->flags |= FE_ZE;
        *sig = a;
        return f80_inf(true);
    }
    if (ka == F80_INF) {
        *sig = a;
        return f80_inf(false);
    }
    if (denormal_stops(c, ka, ka)) {
        *sig = a;
        return a;
    }
    int32_t e;
    uint64_t m;
    f80_unpack(a, &e, &m);
    *sig = pack(s, F80_BIAS, m);
    return f80_from_i64(e - F80_BIAS);
}

