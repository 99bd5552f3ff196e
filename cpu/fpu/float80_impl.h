/* Helpers shared by the float80 sources (float80.c, float80_conv.c). Internal to
 * cpu/fpu/. */
#ifndef ORRERY_CPU_FPU_FLOAT80_IMPL_H
#define ORRERY_CPU_FPU_FLOAT80_IMPL_H

#include "core/compiler.h"
#include "cpu/fpu/float80.h"

/* Shifts hi:lo right by n, OR-ing every bit shifted out into the lowest bit. */
static inline void shr_jam(uint64_t *hi, uint64_t *lo, int32_t n)
{
    uint64_t h = *hi, l = *lo;
    if (n <= 0)
        return;
    if (n >= 128) {
        l = (h | l) != 0;
        h = 0;
    } else if (n > 64) {
        l = (h >> (n - 64)) | (((h << (128 - n)) | l) != 0);
        h = 0;
    } else if (n == 64) {
        l = h | (l != 0);
        h = 0;
    } else {
        l = (h << (64 - n)) | (l >> n) | ((l << (64 - n)) != 0);
        h >>= n;
    }
    *hi = h;
    *lo = l;
}

static inline void shl128(uint64_t *hi, uint64_t *lo, int n)
{
    if (n <= 0)
        return;
    if (n >= 64) {
        *hi = *lo << (n - 64);
        *lo = 0;
    } else {
        *hi = (*hi << n) | (*lo >> (64 - n));
        *lo <<= n;
    }
}

static inline bool is_nan_class(enum f80_class k)
{
    return k == F80_QNAN || k == F80_SNAN;
}

static inline struct f80 pack(bool sign, int32_t exp, uint64_t m)
{
    return f80_make((uint16_t)((sign ? 0x8000 : 0) | (exp & 0x7FFF)), m);
}

static inline int rc_of(const struct f80_ctx *c)
{
    return (c->cw >> 10) & 3;
}

/* Rounds hi:lo to prec significant bits counted from bit 63 of hi. Returns true when the
 * increment carried out of hi (hi is then 0). */
static inline bool round_sig(int rc, bool sign, int prec, uint64_t *hi, uint64_t lo,
                             bool *inexact, bool *up)
{
    uint64_t h = *hi, unit, lsb;
    int cmp; /* remainder against half a unit */
    if (prec == 64) {
        *inexact = lo != 0;
        cmp = lo > 0x8000000000000000ull ? 1 : lo == 0x8000000000000000ull ? 0 : -1;
        unit = 1;
        lsb = h & 1;
    } else {
        int drop = 64 - prec;
        uint64_t mask = (1ull << drop) - 1, half = 1ull << (drop - 1), r = h & mask;
        *inexact = r != 0 || lo != 0;
        cmp = r > half ? 1 : r < half ? -1 : (lo != 0 ? 1 : 0);
        unit = 1ull << drop;
        lsb = (h >> drop) & 1;
        h &= ~mask;
    }
    bool u = false;
    if (*inexact) {
        switch (rc) {
        case RC_NEAREST: u = cmp > 0 || (cmp == 0 && lsb); break;
        case RC_DOWN: u = sign; break;
        case RC_UP: u = !sign; break;
        default: break;
        }
    }
    *up = u;
    bool carry = false;
    if (u) {
        h += unit;
        carry = h == 0;
    }
    *hi = h;
    return carry;
}

static inline bool overflow_to_inf(int rc, bool sign)
{
    return rc == RC_NEAREST || (rc == RC_UP && !sign) || (rc == RC_DOWN && sign);
}

/* Tininess is detected after rounding (host behaviour, for registers and memory alike):
 * a value just below the smallest normal that rounds to it at the precision, as if the
 * exponent were unbounded, is not tiny. exp is the exponent of the smallest normal. */
static inline bool tiny_after_rounding(int rc, bool sign, int prec, int32_t exp,
                                       int32_t emin, uint64_t hi, uint64_t lo)
{
    bool inexact, up;
    if (exp < emin - 1)
        return true;
    return !round_sig(rc, sign, prec, &hi, lo, &inexact, &up);
}

#endif
