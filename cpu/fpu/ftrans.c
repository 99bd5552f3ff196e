/* Transcendental functions and the x87 constants, in integer arithmetic.
 *
 * Values are carried in "xf": sign, unbounded exponent and a 128-bit significand, with
 * truncating arithmetic (about 2^-120 relative error after a series). The final rounding
 * to 64 bits by the control word is then correct except within 2^-120 of a rounding
 * boundary. Where the result is not the exact function, it follows the x87: FSIN, FCOS,
 * FSINCOS and FPTAN reduce their argument by multiples of pi/2 taken with the x87's
 * 66-bit pi (0xC90FDAA22168C234C * 2^-66), so for arguments near a multiple of pi/2 they
 * return what the hardware returns rather than the true function (measured on the host:
 * results within 0.61 ulp of this model). Constants: tools/fpu-constants.py. */
#include "cpu/fpu/x87.h"

/* ---- 128-bit floating helper ---- */

struct xf {
    bool s;
    int32_t e;     /* value = (h:l / 2^127) * 2^e */
    uint64_t h, l; /* normalised: bit 63 of h set, or both zero */
};

static const struct xf XF_ONE = { false, 0, 0x8000000000000000ull, 0 };

static bool xf_zero(struct xf a)
{
    return a.h == 0 && a.l == 0;
}

static struct xf xf_norm(struct xf a)
{
    if (xf_zero(a))
        return a;
    int n = a.h ? f80_clz64(a.h) : 64 + f80_clz64(a.l);
    if (n >= 64) {
        a.h = a.l << (n - 64);
        a.l = 0;
    } else if (n > 0) {
        a.h = (a.h << n) | (a.l >> (64 - n));
        a.l <<= n;
    }
    a.e -= n;
    return a;
}

static struct xf xf_from_f80(struct f80 v)
{
    struct xf r = { f80_sign(v), 0, 0, 0 };
    if (f80_classify(v) == F80_ZERO)
        return r;
    int32_t e;
    f80_unpack(v, &e, &r.h);
    r.e = e - F80_BIAS;
    return r;
}

static struct xf xf_from_int(int64_t v)
{
    struct xf r = { v < 0, 63, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 0 };
    return xf_norm(r);
}

static struct xf xf_neg(struct xf a)
{
    a.s = !a.s;
    return a;
}

static struct xf xf_abs(struct xf a)
{
    a.s = false;
    return a;
}

static struct xf xf_scale(struct xf a, int32_t n)
{
    a.e += n;
    return a;
}

/* Magnitude comparison: -1, 0, 1. */
static int xf_cmpmag(struct xf a, struct xf b)
{
    if (xf_zero(a) || xf_zero(b))
        return xf_zero(a) ? (xf_zero(b) ? 0 : -1) : 1;
    if (a.e != b.e)
        return a.e > b.e ? 1 : -1;
    if (a.h != b.h)
        return a.h > b.h ? 1 : -1;
    return a.l > b.l ? 1 : a.l < b.l ? -1 : 0;
}

static struct xf xf_mul(struct xf a, struct xf b)
{
    struct xf r = { a.s != b.s, a.e + b.e, 0, 0 };
    if (xf_zero(a) || xf_zero(b))
        return r;
    uint64_t hh, hl, m1h, m1l, m2h, m2l, lh, ll;
    f80_mul64(a.h, b.h, &hh, &hl);
    f80_mul64(a.h, b.l, &m1h, &m1l);
    f80_mul64(a.l, b.h, &m2h, &m2l);
    f80_mul64(a.l, b.l, &lh, &ll);
    (void)ll;
    uint64_t w1 = lh + m1l, c1 = w1 < lh;
    w1 += m2l;
    c1 += w1 < m2l;
    uint64_t w2 = hl + m1h, c2 = w2 < hl;
    w2 += m2h;
    c2 += w2 < m2h;
    w2 += c1;
    c2 += w2 < c1;
    uint64_t w3 = hh + c2;
    if (w3 >> 63) {
        r.h = w3;
        r.l = w2;
        r.e += 1;
    } else {
        r.h = (w3 << 1) | (w2 >> 63);
        r.l = (w2 << 1) | (w1 >> 63);
    }
    return r;
}

static struct xf xf_add(struct xf a, struct xf b)
{
    if (xf_zero(b))
        return a;
    if (xf_zero(a))
        return b;
    if (xf_cmpmag(a, b) < 0) {
        struct xf t = a; a = b; b = t;
    }
    int32_t d = a.e - b.e;
    uint64_t bh = b.h, bl = b.l;
    if (d >= 128) {
        bh = bl = 0;
    } else if (d >= 64) {
        bl = bh >> (d - 64);
        bh = 0;
    } else if (d > 0) {
        bl = (bl >> d) | (bh << (64 - d));
        bh >>= d;
    }
    struct xf r = a;
    if (a.s == b.s) {
        r.l = a.l + bl;
        uint64_t c = r.l < bl;
        r.h = a.h + bh + c;
        if (r.h < a.h || (c && r.h == a.h)) {
            r.l = (r.l >> 1) | (r.h << 63);
            r.h = (r.h >> 1) | 0x8000000000000000ull;
            r.e++;
        }
        return r;
    }
    r.l = a.l - bl;
    r.h = a.h - bh - (a.l < bl);
    return xf_norm(r);
}

static struct xf xf_sub(struct xf a, struct xf b)
{
    return xf_add(a, xf_neg(b));
}

/* a / b with a 128-bit quotient (b nonzero). */
static struct xf xf_div(struct xf a, struct xf b)
{
    struct xf r = { a.s != b.s, a.e - b.e, 0, 0 };
    if (xf_zero(a))
        return r;
    uint64_t rh = a.h, rl = a.l, qh = 0, ql = 0;
    bool top = false; /* the remainder's bit 128 */
    if (rh < b.h || (rh == b.h && rl < b.l)) {
        r.e -= 1;
        top = rh >> 63;
        rh = (rh << 1) | (rl >> 63);
        rl <<= 1;
    }
    for (int i = 0; i < 128; i++) {
        qh = (qh << 1) | (ql >> 63);
        ql <<= 1;
        if (top || rh > b.h || (rh == b.h && rl >= b.l)) {
            uint64_t borrow = rl < b.l;
            rl -= b.l;
            rh -= b.h + borrow;
            ql |= 1;
        }
        top = rh >> 63;
        rh = (rh << 1) | (rl >> 63);
        rl <<= 1;
    }
    r.h = qh;
    r.l = ql;
    return r;
}

static struct xf xf_div_u32(struct xf a, uint32_t d)
{
    uint64_t qh = a.h / d, r = a.h % d;
    uint64_t t = (r << 32) | (a.l >> 32);
    uint64_t q1 = t / d;
    r = t % d;
    t = (r << 32) | (a.l & 0xFFFFFFFFu);
    a.h = qh;
    a.l = (q1 << 32) | (t / d);
    return xf_norm(a);
}

/* Rounds to the register format by the control word, 64-bit precision. A transcendental
 * result is never exact: a sticky bit below the 128 computed ones makes it inexact for
 * the rounding (PE, UE when tiny), without moving it off a representable value the
 * series already fell short of. */
static struct f80 xf_round(struct f80_ctx *c, struct xf a, bool sticky);
static struct f80 xf_to_f80(struct f80_ctx *c, struct xf a)
{
    return xf_round(c, a, true);
}

static struct f80 xf_round(struct f80_ctx *c, struct xf a, bool sticky)
{
    struct f80_ctx k = *c;
    k.cw |= 0x300; /* transcendentals ignore precision control (SDM Vol. 1 §8.1.5.2) */
    if (xf_zero(a))
        return f80_zero(a.s);
    int64_t e = (int64_t)a.e + F80_BIAS;
    if (e < -70000)
        e = -70000;
    if (e > 70000)
        e = 70000;
    struct f80 r = f80_round_pack(&k, a.s, (int32_t)e, a.h, a.l | sticky, 64);
    c->flags = k.flags;
    return r;
}

/* ---- constants ---- */

static const struct { uint64_t hi, lo; int32_t e; } konst[] = {
    [K_L2T] = { 0xD49A784BCD1B8AFEull, 0x492BF6FF4DAFDB4Cull, 1 },
    [K_L2E] = { 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E88ull, 0 },
    [K_PI] = { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 1 },
    [K_LG2] = { 0x9A209A84FBCFF798ull, 0x8F8959AC0B7C9178ull, -2 },
    [K_LN2] = { 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull, -1 },
};

static struct xf xf_const(int which)
{
    struct xf r = { false, konst[which].e, konst[which].hi, konst[which].lo };
    return r;
}

static const struct xf XF_PI_2 = { false, 0, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull };
static const struct xf XF_PI_4 = { false, -1, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull };
static const struct xf XF_3PI_4 = { false, 1, 0x96CBE3F9990E91A7ull, 0x9394C9E8A0A5159Cull };
static const struct xf atan_j8[8] = {
    { false, -4, 0xFEADD4D5617B6E32ull, 0xC897989F3E888EF7ull },
    { false, -3, 0xFADBAFC96406EB15ull, 0x6DC79EF5F7A217E5ull },
    { false, -2, 0xB7B0CA0F26F78473ull, 0x8AA32122DCFE4483ull },
    { false, -2, 0xED63382B0DDA7B45ull, 0x6FE445ECBC3A8D03ull },
    { false, -1, 0x8F005D5EF7F59F9Bull, 0x5C835E1665C43747ull },
    { false, -1, 0xA4BC7D1934F70924ull, 0x19A87F2A457DAC9Eull },
    { false, -1, 0xB8053E2BC2319E73ull, 0xCB2DA55210A4443Dull },
    { false, -1, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull },
};

/* FLDPI and friends: rounded by RC to 64 bits; no exception (SDM Vol. 2A "FLD1/..."). */
struct f80 ftrans_const(const struct f80_ctx *c, int which)
{
    struct f80_ctx k = { (uint16_t)(c->cw | 0x300 | FE_ALL), 0, 0 };
    return f80_round_pack(&k, false, konst[which].e + F80_BIAS, konst[which].hi,
                          konst[which].lo, 64);
}

/* ---- series ---- */

/* True when term no longer changes sum at 128 bits. */
static bool negligible(struct xf term, struct xf sum)
{
    return xf_zero(term) || term.e < sum.e - 130;
}

/* A series stopped with a nonzero remainder: moves sum one unit of its last (128th) bit
 * toward it, so the value is never mistaken for exact and rounds the right way. */
static struct xf nudge(struct xf sum, struct xf rest, bool subtract)
{
    if (xf_zero(rest) || xf_zero(sum))
        return sum;
    if ((rest.s != subtract) == sum.s) {
        if (++sum.l == 0 && ++sum.h == 0) {
            sum.h = 0x8000000000000000ull;
            sum.e++;
        }
        return sum;
    }
    if (sum.l-- == 0)
        sum.h--;
    return xf_norm(sum);
}

/* sin(r)/r and cos(r) for |r| <= pi/4 (a little more: the reduction's remainder). */
static struct xf sin_series(struct xf r)
{
    struct xf r2 = xf_mul(r, r), term = XF_ONE, sum = XF_ONE;
    for (uint32_t n = 1; n < 40; n++) {
        term = xf_div_u32(xf_mul(term, r2), (2 * n) * (2 * n + 1));
        if (negligible(term, sum))
            return xf_mul(nudge(sum, term, n & 1), r);
        sum = (n & 1) ? xf_sub(sum, term) : xf_add(sum, term);
    }
    return xf_mul(sum, r);
}

static struct xf cos_series(struct xf r)
{
    struct xf r2 = xf_mul(r, r), term = XF_ONE, sum = XF_ONE;
    for (uint32_t n = 1; n < 40; n++) {
        term = xf_div_u32(xf_mul(term, r2), (2 * n - 1) * (2 * n));
        if (negligible(term, sum))
            return nudge(sum, term, n & 1);
        sum = (n & 1) ? xf_sub(sum, term) : xf_add(sum, term);
    }
    return sum;
}

/* atanh(u)/u = 1 + u^2/3 + u^4/5 + ... (|u| < 0.18); with alt, atan(u)/u (alternating). */
static struct xf atanh_series(struct xf u, bool alt)
{
    struct xf u2 = xf_mul(u, u), p = XF_ONE, sum = XF_ONE;
    for (uint32_t n = 1; n < 80; n++) {
        p = xf_mul(p, u2);
        struct xf term = xf_div_u32(p, 2 * n + 1);
        if (negligible(term, sum))
            return nudge(sum, term, alt && (n & 1));
        sum = (alt && (n & 1)) ? xf_sub(sum, term) : xf_add(sum, term);
    }
    return sum;
}

/* atan(t) for 0 <= t <= 1: atan(j/8) + atan((t - j/8) / (1 + t j/8)), j = round(8t). */
static struct xf atan01(struct xf t)
{
    unsigned j = 0;
    if (!xf_zero(t) && t.e >= -4)
        j = (unsigned)((t.h >> (59 - t.e)) + 1) / 2; /* round(t * 8) from floor(t * 16) */
    if (j == 0)
        return xf_mul(t, atanh_series(t, true));
    struct xf c = xf_scale(xf_from_int(j), -3);
    struct xf u = xf_div(xf_sub(t, c), xf_add(XF_ONE, xf_mul(t, c)));
    return xf_add(atan_j8[j - 1], xf_mul(u, atanh_series(u, true)));
}

/* log2(x) for finite x > 0 (given as xf); *exact when x is a power of two. */
static struct xf log2_of(struct xf x, bool *exact)
{
    int32_t e = x.e;
    *exact = x.h == 0x8000000000000000ull && x.l == 0;
    x.e = 0; /* x in [1, 2) */
    if (x.h > 0xB504F333F9DE6484ull) { /* above sqrt(2): use x/2 in [sqrt(1/2), 1) */
        x.e = -1;
        e += 1;
    }
    struct xf u = xf_div(xf_sub(x, XF_ONE), xf_add(x, XF_ONE));
    struct xf l = xf_scale(xf_mul(xf_mul(u, atanh_series(u, false)), xf_const(K_L2E)), 1);
    return xf_add(xf_from_int(e), l);
}

/* ---- argument reduction for FSIN, FCOS, FSINCOS, FPTAN ---- */

/* pi/2 as the x87 takes it: 0xC90FDAA22168C234C * 2^-67 (68 bits). */
#define PIO2_HI 0xCull
#define PIO2_LO 0x90FDAA22168C234Cull

/* |x| = m * 2^(e - 63), |x| < 2^63: *k = round(|x| / (pi/2)), returns |x| - k pi/2 exactly. */
static struct xf reduce(uint64_t m, int32_t e, uint64_t *k)
{
    struct xf r = { false, e, m, 0 };
    *k = 0;
    if (e < -1)
        return r; /* below 0.5: no reduction */
    /* X = |x| * 2^67 as a 130-bit integer x2:x1:x0, divided by P = PIO2 bit by bit. */
    unsigned sh = (unsigned)(e + 4);
    uint64_t x0, x1, x2;
    if (sh < 64) {
        x0 = m << sh;
        x1 = sh ? m >> (64 - sh) : 0;
        x2 = 0;
    } else {
        x0 = 0;
        x1 = m << (sh - 64);
        x2 = sh > 64 ? m >> (128 - sh) : 0;
    }
    uint64_t rh = 0, rl = 0, q = 0;
    for (int i = 129; i >= 0; i--) {
        uint64_t bit = i >= 128 ? (x2 >> (i - 128)) & 1 : i >= 64 ? (x1 >> (i - 64)) & 1 : (x0 >> i) & 1;
        rh = (rh << 1) | (rl >> 63);
        rl = (rl << 1) | bit;
        q <<= 1;
        if (rh > PIO2_HI || (rh == PIO2_HI && rl >= PIO2_LO)) {
            rh -= PIO2_HI + (rl < PIO2_LO);
            rl -= PIO2_LO;
            q |= 1;
        }
    }
    /* round to nearest: remainder above half of P means one more quarter turn */
    uint64_t dh = (rh << 1) | (rl >> 63), dl = rl << 1;
    if (dh > PIO2_HI || (dh == PIO2_HI && dl >= PIO2_LO)) {
        q++;
        rh = PIO2_HI - rh - (PIO2_LO < rl);
        rl = PIO2_LO - rl;
        r.s = true;
    }
    *k = q;
    r.e = 60; /* rh:rl units of 2^-67: (rh:rl / 2^127) * 2^60 */
    r.h = rh;
    r.l = rl;
    return xf_norm(r);
}

/* Common checks of the one-operand functions. Returns true with *res set when done. */
static bool special1(struct f80_ctx *c, struct f80 a, struct f80 *res)
{
    enum f80_class k = f80_classify(a);
    if (k == F80_UNSUPPORTED || k == F80_INF) {
        c->flags |= FE_IE;
        *res = f80_indefinite();
        return true;
    }
    if (k == F80_QNAN || k == F80_SNAN) {
        *res = f80_propagate_nan(c, a, a);
        return true;
    }
    if (k == F80_ZERO) {
        *res = a;
        return true;
    }
    if (k == F80_DENORMAL) {
        c->flags |= FE_DE;
        if (!(c->cw & FE_DE)) {
            *res = a;
            return true;
        }
    }
    return false;
}

static bool trig_out_of_range(struct f80 a)
{
    return f80_exp(a) >= F80_BIAS + 63;
}

void ftrans_sincos(struct f80_ctx *c, struct f80 a, struct f80 *s, struct f80 *co,
                   uint16_t *cos_flags, bool *out_of_range)
{
    *out_of_range = false;
    if (special1(c, a, s)) {
        *co = f80_classify(a) == F80_ZERO ? f80_one(false) : *s;
        *cos_flags = c->flags;
        return;
    }
    if (trig_out_of_range(a)) {
        *out_of_range = true;
        *s = *co = a;
        *cos_flags = c->flags;
        return;
    }
    int32_t e;
    uint64_t m, k;
    f80_unpack(a, &e, &m);
    struct xf r = reduce(m, e - F80_BIAS, &k);
    struct xf sn = sin_series(r), cs = cos_series(r);
    struct xf vs, vc;
    switch (k & 3) {
    case 0: vs = sn; vc = cs; break;
    case 1: vs = cs; vc = xf_neg(sn); break;
    case 2: vs = xf_neg(sn); vc = xf_neg(cs); break;
    default: vs = xf_neg(cs); vc = sn; break;
    }
    if (f80_sign(a))
        vs = xf_neg(vs);
    struct f80_ctx c2 = *c;
    *s = xf_to_f80(c, vs);
    *co = xf_to_f80(&c2, vc);
    *cos_flags = c2.flags;
}

struct f80 ftrans_tan(struct f80_ctx *c, struct f80 a, bool *out_of_range)
{
    struct f80 res;
    *out_of_range = false;
    if (special1(c, a, &res))
        return res;
    if (trig_out_of_range(a)) {
        *out_of_range = true;
        return a;
    }
    int32_t e;
    uint64_t m, k;
    f80_unpack(a, &e, &m);
    struct xf r = reduce(m, e - F80_BIAS, &k);
    struct xf t;
    if (!(k & 1) && r.e < -40) { /* r + r^3/3, the rest below 2^-160: keep its direction */
        struct xf r3 = xf_div_u32(xf_mul(xf_mul(r, r), r), 3);
        t = nudge(xf_add(r, r3), r, false);
    } else {
        struct xf sn = sin_series(r), cs = cos_series(r);
        t = (k & 1) ? xf_neg(xf_div(cs, sn)) : xf_div(sn, cs);
    }
    if (f80_sign(a))
        t = xf_neg(t);
    return xf_to_f80(c, t);
}

/* ---- 2^x - 1 ---- */

/* F2XM1, defined for |x| <= 1: x ln2 * (1 + t/2! + t^2/3! + ...), t = x ln2. Larger
 * operands (undefined in the manual) come back unchanged, as on the host. */
struct f80 ftrans_f2xm1(struct f80_ctx *c, struct f80 a)
{
    struct f80 res;
    if (f80_classify(a) == F80_INF) /* 2^+inf - 1 = +inf, 2^-inf - 1 = -1 */
        return f80_sign(a) ? f80_one(true) : a;
    if (special1(c, a, &res))
        return res;
    if (f80_exp(a) > F80_BIAS || (f80_exp(a) == F80_BIAS && a.m != 0x8000000000000000ull)) {
        c->flags |= FE_PE; /* beyond the domain: the operand, inexact (host behaviour) */
        return a;
    }
    struct xf t = xf_mul(xf_from_f80(a), xf_const(K_LN2));
    struct xf term = XF_ONE, sum = XF_ONE;
    for (uint32_t n = 1; n < 80; n++) {
        term = xf_div_u32(xf_mul(term, t), n + 1);
        if (negligible(term, sum)) {
            sum = nudge(sum, term, false);
            break;
        }
        sum = xf_add(sum, term);
    }
    return xf_to_f80(c, xf_mul(t, sum));
}

/* ---- logarithms ---- */

/* Operand checks of the two-operand functions: NaNs, unsupported, denormals. */
static bool special2(struct f80_ctx *c, struct f80 x, struct f80 y, struct f80 *res)
{
    enum f80_class kx = f80_classify(x), ky = f80_classify(y);
    if (kx == F80_UNSUPPORTED || ky == F80_UNSUPPORTED) {
        c->flags |= FE_IE;
        *res = f80_indefinite();
        return true;
    }
    if (kx == F80_QNAN || kx == F80_SNAN || ky == F80_QNAN || ky == F80_SNAN) {
        *res = f80_propagate_nan(c, x, y);
        return true;
    }
    return false;
}

static bool denormal_stops(struct f80_ctx *c, struct f80 x, struct f80 y, struct f80 *res)
{
    if (f80_classify(x) != F80_DENORMAL && f80_classify(y) != F80_DENORMAL)
        return false;
    c->flags |= FE_DE;
    *res = y;
    return !(c->cw & FE_DE);
}

static struct f80 invalid(struct f80_ctx *c)
{
    c->flags |= FE_IE;
    return f80_indefinite();
}

/* A logarithm result: the log of a power of two is exact, yet the host reports it as
 * inexact (PE, and UE when tiny) without rounding it. */
static struct f80 log_result(struct f80_ctx *c, struct xf v, bool exact)
{
    struct f80 r = xf_round(c, v, !exact);
    c->flags |= FE_PE;
    if (exact && f80_exp(r) == 0 && r.m)
        c->flags |= FE_UE;
    return r;
}

/* FYL2X: ST(1) * log2(ST(0)) (SDM Vol. 2A "FYL2X", Table 3-49). */
struct f80 ftrans_yl2x(struct f80_ctx *c, struct f80 x, struct f80 y)
{
    struct f80 res;
    if (special2(c, x, y, &res))
        return res;
    enum f80_class kx = f80_classify(x), ky = f80_classify(y);
    bool sy = f80_sign(y);
    if (f80_sign(x) && kx != F80_ZERO)
        return invalid(c);
    if (kx == F80_ZERO) { /* log2 = -inf */
        if (ky == F80_ZERO)
            return invalid(c);
        if (ky != F80_INF)
            c->flags |= FE_ZE;
        return f80_inf(!sy);
    }
    if (denormal_stops(c, x, y, &res))
        return res;
    if (kx == F80_INF) { /* log2 = +inf */
        if (ky == F80_ZERO)
            return invalid(c);
        return f80_inf(sy);
    }
    bool log2_exact;
    struct xf l = log2_of(xf_from_f80(x), &log2_exact);
    if (ky == F80_INF) {
        if (xf_zero(l))
            return invalid(c);
        return f80_inf(sy != l.s);
    }
    if (ky == F80_ZERO || xf_zero(l))
        return f80_zero(sy != (xf_zero(l) ? false : l.s));
    /* log2 of a power of two is exact; PE all the same, as the host reports it */
    return log_result(c, xf_mul(xf_from_f80(y), l), log2_exact);
}

/* FYL2XP1: ST(1) * log2(ST(0) + 1), defined for |ST(0)| < 1 - sqrt(2)/2; beyond that the
 * host computes the function too, and returns ST(0) when it is -1 or less. */
struct f80 ftrans_yl2xp1(struct f80_ctx *c, struct f80 x, struct f80 y)
{
    struct f80 res;
    if (special2(c, x, y, &res))
        return res;
    enum f80_class kx = f80_classify(x), ky = f80_classify(y);
    bool sx = f80_sign(x), sy = f80_sign(y);
    if (kx == F80_ZERO || ky == F80_ZERO) {
        if (kx == F80_INF || ky == F80_INF)
            return invalid(c);
        if (denormal_stops(c, x, y, &res))
            return res;
        return f80_zero(sx != sy);
    }
    if (kx == F80_INF && sx) /* log of -inf + 1: invalid ahead of a denormal ST(1) */
        return invalid(c);
    if (denormal_stops(c, x, y, &res))
        return res;
    if (kx == F80_INF || ky == F80_INF)
        return f80_inf(sx != sy);
    struct xf xv = xf_from_f80(x), l;
    bool log2_exact = false;
    if (xv.e < -2) { /* 2 log2(e) atanh(x / (2 + x)): exact near 0 */
        struct xf u = xf_div(xv, xf_add(xf_from_int(2), xv));
        l = xf_scale(xf_mul(xf_mul(u, atanh_series(u, false)), xf_const(K_L2E)), 1);
    } else if (!sx || xf_cmpmag(xv, XF_ONE) < 0) { /* beyond the domain: 1 + x is exact */
        l = log2_of(xf_add(XF_ONE, xv), &log2_exact);
    } else { /* x <= -1: the operand comes back, inexact (host behaviour) */
        c->flags |= FE_PE;
        return x;
    }
    return log_result(c, xf_mul(xf_from_f80(y), l), log2_exact);
}

/* ---- arctangent ---- */

static struct f80 pi_multiple(struct f80_ctx *c, struct xf v, bool neg)
{
    v.s = neg;
    return xf_to_f80(c, v);
}

/* FPATAN: atan2(ST(1), ST(0)) (SDM Vol. 2A "FPATAN", Table 3-29). */
struct f80 ftrans_atan2(struct f80_ctx *c, struct f80 y, struct f80 x)
{
    struct f80 res;
    if (special2(c, x, y, &res))
        return res;
    enum f80_class kx = f80_classify(x), ky = f80_classify(y);
    bool sx = f80_sign(x), sy = f80_sign(y);
    struct xf pi = xf_const(K_PI);
    if (denormal_stops(c, x, y, &res))
        return res;
    if (ky == F80_ZERO)
        return sx ? pi_multiple(c, pi, sy) : f80_zero(sy);
    if (ky == F80_INF) {
        if (kx == F80_INF)
            return pi_multiple(c, sx ? XF_3PI_4 : XF_PI_4, sy);
        return pi_multiple(c, XF_PI_2, sy);
    }
    if (kx == F80_ZERO)
        return pi_multiple(c, XF_PI_2, sy);
    if (kx == F80_INF)
        return sx ? pi_multiple(c, pi, sy) : f80_zero(sy);
    struct xf a = xf_abs(xf_from_f80(y)), b = xf_abs(xf_from_f80(x)), t;
    if (xf_cmpmag(a, b) <= 0)
        t = atan01(xf_div(a, b));
    else
        t = xf_sub(XF_PI_2, atan01(xf_div(b, a)));
    if (sx)
        t = xf_sub(pi, t);
    t.s = sy;
    return xf_to_f80(c, t);
}
