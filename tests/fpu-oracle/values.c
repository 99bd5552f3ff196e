/* Operand generation for the oracle: classes and edges, see values.h. */
#include "tests/fpu-oracle/values.h"

void rng_seed(struct rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
}

/* splitmix64 */
uint64_t rng_u64(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t rng_u32(struct rng *r)
{
    return (uint32_t)(rng_u64(r) >> 32);
}

unsigned rng_below(struct rng *r, unsigned n)
{
    return (unsigned)(((rng_u64(r) >> 32) * n) >> 32);
}

uint64_t rng_u64_mmx(struct rng *r)
{
    static const uint16_t edge16[] = { 0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x00FF, 0xFF00, 0x7F80 };
    if (rng_below(r, 3))
        return rng_u64(r);
    uint64_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t w = rng_below(r, 2) ? edge16[rng_below(r, sizeof edge16 / sizeof edge16[0])]
                                     : (rng_u64(r) & 0xFFFF);
        v |= w << (16 * i);
    }
    return v;
}

/* A significand (integer bit set) whose low bits sit on or near a rounding boundary of
 * 24, 53 or 64 bits. */
static uint64_t gen_sig(struct rng *r)
{
    uint64_t m = rng_u64(r);
    switch (rng_below(r, 10)) {
    case 0: m = ~0ull; break;
    case 1: m = 0; break;
    case 2: m &= ~0ull << rng_below(r, 64); break;          /* short significand */
    case 3: m |= ~0ull >> rng_below(r, 64); break;          /* long run of ones */
    case 4:
    case 5:
    case 6: {
        static const unsigned drop[] = { 40, 11, 1, 40, 11 };
        unsigned d = drop[rng_below(r, 5)];
        uint64_t half = 1ull << (d - 1), mask = (1ull << d) - 1;
        uint64_t low;
        switch (rng_below(r, 5)) {
        case 0: low = half; break;
        case 1: low = half - 1; break;
        case 2: low = half + 1; break;
        case 3: low = 1; break;
        default: low = mask; break;
        }
        m = (m & ~mask) | low;
        break;
    }
    default: break;
    }
    return m | 0x8000000000000000ull;
}

static uint16_t gen_exp(struct rng *r)
{
    static const int edges[] = { 0, 1, -1, 15, 16, 31, 32, 63, 64, 126, 127, 128, -125, -126,
                                 -127, -149, -150, -151, 1022, 1023, 1024, -1021, -1022,
                                 -1023, -1074, -1075, -1076, 18, 59, 60 };
    int e;
    switch (rng_below(r, 10)) {
    case 0: return (uint16_t)(1 + rng_below(r, 0x7FFE));
    case 1: return (uint16_t)(1 + rng_below(r, 70));
    case 2: return (uint16_t)(0x7FFE - rng_below(r, 70));
    case 3:
    case 4:
        e = edges[rng_below(r, sizeof edges / sizeof edges[0])] + (int)rng_below(r, 5) - 2;
        return (uint16_t)(F80_BIAS + e);
    default: return (uint16_t)(F80_BIAS + (int)rng_below(r, 140) - 70);
    }
}

struct f80 gen_f80(struct rng *r)
{
    uint16_t s = rng_below(r, 2) ? 0x8000 : 0;
    unsigned k = rng_below(r, 100);
    uint64_t m;
    if (k < 55)
        return f80_make((uint16_t)(s | gen_exp(r)), gen_sig(r));
    if (k < 62)
        return f80_make(s, 0);
    if (k < 70) { /* denormal */
        m = (gen_sig(r) & 0x7FFFFFFFFFFFFFFFull) >> rng_below(r, 64);
        return f80_make(s, m ? m : 1);
    }
    if (k < 73)
        return f80_make(s, gen_sig(r)); /* pseudo-denormal */
    if (k < 78)
        return f80_make((uint16_t)(s | 0x7FFF), 0x8000000000000000ull);
    if (k < 84) {
        if (rng_below(r, 3) == 0)
            return f80_indefinite();
        return f80_make((uint16_t)(s | 0x7FFF), 0xC000000000000000ull | (rng_u64(r) >> rng_below(r, 64) >> 2));
    }
    if (k < 89) {
        m = (rng_u64(r) >> 2) >> rng_below(r, 62);
        return f80_make((uint16_t)(s | 0x7FFF), 0x8000000000000000ull | (m ? m : 1));
    }
    if (k < 92) /* unnormal */
        return f80_make((uint16_t)(s | gen_exp(r)), rng_u64(r) >> (1 + rng_below(r, 63)));
    if (k < 94) /* pseudo-NaN, pseudo-infinity */
        return f80_make((uint16_t)(s | 0x7FFF), rng_below(r, 2) ? 0 : rng_u64(r) >> 1);
    /* a small integer */
    int64_t v = (int64_t)rng_below(r, 1u << rng_below(r, 20));
    if (s)
        v = -v;
    return f80_from_i64(v);
}

static struct f80 related(struct rng *r, struct f80 a)
{
    uint16_t ea = a.se & 0x7FFF;
    uint16_t s = rng_below(r, 2) ? 0x8000 : 0;
    int e;
    switch (rng_below(r, 11)) {
    case 0:
    case 1:
    case 2: /* close exponent */
        e = ea + (int)rng_below(r, 7) - 3;
        break;
    case 3: /* cancellation: same value, low bits disturbed */
        if (ea == 0 || ea == 0x7FFF)
            return gen_f80(r);
        return f80_make((uint16_t)((a.se ^ (rng_below(r, 2) ? 0x8000 : 0))),
                        a.m ^ (rng_u64(r) >> rng_below(r, 64) >> 1));
    case 4: /* products and quotients near overflow and underflow */
        e = 2 * F80_BIAS - ea + (int)rng_below(r, 9) - 4;
        if (rng_below(r, 2))
            e = ea - F80_BIAS + (int)rng_below(r, 9) - 4;
        break;
    case 5: /* remainders: a smaller divisor */
        e = ea - (int)rng_below(r, 160);
        break;
    case 6: /* scale factors */
        if (rng_below(r, 2))
            return f80_from_i64((int64_t)rng_below(r, 90000) - 45000);
        return f80_from_i64((int64_t)rng_below(r, 140) - 70);
    case 7:
    case 8: { /* a product or quotient within a few ulps of 2^T at a boundary */
        static const int targets[] = { -16382, -16382, -16383, 16383, 16384, -16382 - 63 };
        if (ea == 0 || ea == 0x7FFF)
            return gen_f80(r);
        int t = targets[rng_below(r, sizeof targets / sizeof targets[0])];
        static const unsigned shifts[] = { 0, 0, 11, 40 };
        uint64_t nudge = (uint64_t)rng_below(r, 7) << shifts[rng_below(r, 4)];
        uint64_t m;
        if (rng_below(r, 2)) { /* product: the reciprocal's significand */
            struct f80_ctx c = { 0x037F, 0, 0 };
            struct f80 inv = f80_div(&c, f80_one(false), f80_make(F80_BIAS, a.m | 0x8000000000000000ull));
            m = inv.m + nudge - (3ull << shifts[0]);
            e = (inv.se & 0x7FFF) + t - (ea - F80_BIAS);
        } else { /* quotient: the same significand */
            m = a.m + nudge - 3;
            e = ea - t;
        }
        if (!(m >> 63) || e < 1 || e > 0x7FFE)
            return gen_f80(r);
        return f80_make((uint16_t)(s | e), m);
    }
    default:
        return gen_f80(r);
    }
    if (e < 1 || e > 0x7FFE)
        return gen_f80(r);
    return f80_make((uint16_t)(s | e), gen_sig(r));
}

void gen_operands(struct rng *r, struct f80 regs[8], unsigned sti)
{
    for (int i = 0; i < 8; i++)
        regs[i] = gen_f80(r);
    regs[1] = related(r, regs[0]);
    if (sti > 1)
        regs[sti] = related(r, regs[0]);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* IEEE formats with fbits fraction bits and ebits exponent bits. */
static uint64_t gen_ieee(struct rng *r, unsigned fbits, unsigned ebits)
{
    uint64_t s = (uint64_t)rng_below(r, 2) << (fbits + ebits);
    uint64_t emax = (1ull << ebits) - 1, fmask = (1ull << fbits) - 1;
    uint64_t f = (gen_sig(r) >> (63 - fbits)) & fmask;
    uint64_t e;
    switch (rng_below(r, 12)) {
    case 0: return s;
    case 1: return s | ((rng_u64(r) & fmask) >> rng_below(r, fbits)) | 1; /* denormal */
    case 2: return s | emax << fbits;
    case 3: return s | emax << fbits | (1ull << (fbits - 1)) | (rng_u64(r) & fmask >> 1); /* QNaN */
    case 4: return s | emax << fbits | (((rng_u64(r) & fmask) >> 1) | 1);                 /* SNaN */
    case 5: e = rng_below(r, 2) ? 1 + rng_below(r, 3) : emax - 1 - rng_below(r, 3); break;
    default: e = (emax >> 1) + rng_below(r, 80) - 40; break;
    }
    return s | e << fbits | f;
}

void gen_f32(struct rng *r, uint8_t *p)
{
    put_le(p, gen_ieee(r, 23, 8), 4);
}

void gen_f64(struct rng *r, uint8_t *p)
{
    put_le(p, gen_ieee(r, 52, 11), 8);
}

void gen_f80_bytes(struct rng *r, uint8_t *p)
{
    struct f80 v = gen_f80(r);
    put_le(p, v.m, 8);
    put_le(p + 8, v.se, 2);
}

void gen_int(struct rng *r, uint8_t *p, unsigned bytes)
{
    unsigned bits = 8 * bytes;
    uint64_t min = 1ull << (bits - 1);
    uint64_t v;
    switch (rng_below(r, 8)) {
    case 0: v = 0; break;
    case 1: v = 1; break;
    case 2: v = ~0ull; break;
    case 3: v = min; break;
    case 4: v = min - 1; break;
    case 5: v = min + 1; break;
    case 6: v = (uint64_t)(int64_t)((int)rng_below(r, 2000) - 1000); break;
    default: v = rng_u64(r) >> rng_below(r, bits); break;
    }
    put_le(p, v, bytes);
}

void gen_bcd(struct rng *r, uint8_t *p)
{
    unsigned digits = rng_below(r, 19);
    for (unsigned i = 0; i < 9; i++) {
        unsigned lo = 2 * i < digits ? rng_below(r, 10) : 0;
        unsigned hi = 2 * i + 1 < digits ? rng_below(r, 10) : 0;
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    p[9] = rng_below(r, 2) ? 0x80 : 0;
    if (rng_below(r, 10) == 0)
        p[rng_below(r, 10)] = (uint8_t)rng_u32(r); /* invalid digits or sign byte */
}
