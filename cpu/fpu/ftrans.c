/* Transcendental functions and the x87 constants, in integer arithmetic. */
#include "cpu/fpu/x87.h"

/* The constants to 128 bits (computed with tools/fpu-constants.py): significand with the
 * integer bit at bit 127 and unbiased exponent. */
static const struct { uint64_t hi, lo; int32_t e; } konst[] = {
    [K_L2T] = { 0xD49A784BCD1B8AFEull, 0x492BF6FF4DAFDB4Cull, 1 },
    [K_L2E] = { 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E88ull, 0 },
    [K_PI] = { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 1 },
    [K_LG2] = { 0x9A209A84FBCFF798ull, 0x8F8959AC0B7C9178ull, -2 },
    [K_LN2] = { 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull, -1 },
};

/* Rounded by RC to 64 bits; no exception is reported (SDM Vol. 2A "FLD1/FLDL2T/..."). */
struct f80 ftrans_const(const struct f80_ctx *c, int which)
{
    struct f80_ctx k = { (uint16_t)(c->cw | 0x300 | FE_ALL), 0, 0 };
    return f80_round_pack(&k, false, konst[which].e + F80_BIAS, konst[which].hi, konst[which].lo, 64);
}

static struct f80 todo(struct f80_ctx *c)
{
    c->flags |= FE_IE;
    return f80_indefinite();
}

struct f80 ftrans_f2xm1(struct f80_ctx *c, struct f80 a) { (void)a; return todo(c); }
struct f80 ftrans_yl2x(struct f80_ctx *c, struct f80 x, struct f80 y) { (void)x; (void)y; return todo(c); }
struct f80 ftrans_yl2xp1(struct f80_ctx *c, struct f80 x, struct f80 y) { (void)x; (void)y; return todo(c); }
struct f80 ftrans_atan2(struct f80_ctx *c, struct f80 y, struct f80 x) { (void)x; (void)y; return todo(c); }
void ftrans_sincos(struct f80_ctx *c, struct f80 a, struct f80 *s, struct f80 *co, bool *out_of_range)
{
    (void)a;
    *out_of_range = false;
    *s = *co = todo(c);
}
struct f80 ftrans_tan(struct f80_ctx *c, struct f80 a, bool *out_of_range) { (void)a; *out_of_range = false; return todo(c); }
