/* SPDX-License-Identifier: MIT */
/* Unit tests of cpu/fpu/float80: the extended-precision arithmetic by itself (cmocka).
 * Values are written as (sign/exponent, significand) pairs as the x87 holds them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cpu/fpu/float80.h"

#define ONE f80_make(0x3FFF, 0x8000000000000000ull)
#define TWO f80_make(0x4000, 0x8000000000000000ull)
#define THREE f80_make(0x4000, 0xC000000000000000ull)

static struct f80_ctx ctx(uint16_t cw)
{
    struct f80_ctx c = { cw, 0, 0 };
    return c;
}

#define assert_f80(v, se_, m_)                                                             \
    do {                                                                                   \
        struct f80 v_ = (v);                                                               \
        assert_int_equal(v_.se, (se_));                                                    \
        assert_int_equal(v_.m, (m_));                                                      \
    } while (0)

/* 1/3 in every rounding mode and precision (control word: RC bits 10-11, PC bits 8-9). */
static void test_divide_rounds_by_rc_and_pc(void **state)
{
    (void)state;
    static const struct { uint16_t cw; uint64_t m; uint16_t flags; } cases[] = {
        { 0x037F, 0xAAAAAAAAAAAAAAABull, FE_PE | FE_C1 }, /* 64 bits, nearest: up */
        { 0x077F, 0xAAAAAAAAAAAAAAAAull, FE_PE },         /* down */
        { 0x0B7F, 0xAAAAAAAAAAAAAAABull, FE_PE | FE_C1 }, /* up */
        { 0x0F7F, 0xAAAAAAAAAAAAAAAAull, FE_PE },         /* toward zero */
        { 0x027F, 0xAAAAAAAAAAAAA800ull, FE_PE },         /* 53 bits, nearest: down */
        { 0x007F, 0xAAAAAB0000000000ull, FE_PE | FE_C1 }, /* 24 bits, nearest: up */
        { 0x087F, 0xAAAAAB0000000000ull, FE_PE | FE_C1 }, /* 24 bits, up */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct f80_ctx c = ctx(cases[i].cw);
        struct f80 r = f80_div(&c, ONE, THREE);
        assert_f80(r, 0x3FFD, cases[i].m);
        assert_int_equal(c.flags, cases[i].flags);
    }
}

/* A result just below the smallest normal that rounds up to it at the precision is not
 * tiny: no UE (host behaviour; the manual allows either). */
static void test_tininess_is_detected_after_rounding(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x007F); /* 24 bits */
    struct f80 r = f80_mul(&c, f80_make(0x3FFF, 0xFFFFFF8000000000ull), f80_make(0x0000, 0x4000000000000000ull));
    assert_f80(r, 0x0001, 0x8000000000000000ull);
    assert_int_equal(c.flags, FE_DE | FE_PE | FE_C1);
    /* exactly representable at 64 bits with an unbounded exponent, so tiny: UE */
    c = ctx(0x037F);
    r = f80_mul(&c, f80_make(0x3FFE, ~0ull), f80_make(0x0001, 0x8000000000000000ull));
    assert_f80(r, 0x0001, 0x8000000000000000ull);
    assert_int_equal(c.flags, FE_UE | FE_PE | FE_C1);
}

static void test_unmasked_underflow_rebiases_exponent(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x036F); /* UE unmasked */
    struct f80 r = f80_mul(&c, f80_make(0x0000, 0x4000000000000000ull),
                           f80_make(0x0000, 0x4000000000000000ull));
    assert_f80(r, 0x2001, 0x8000000000000000ull); /* 2^-32766 + 24576 */
    assert_int_equal(c.flags, FE_UE | FE_DE);
}

static void test_masked_overflow_by_rounding_mode(void **state)
{
    (void)state;
    struct f80 big = f80_make(0x7FFE, 0xF000000000000000ull);
    struct f80_ctx c = ctx(0x037F);
    assert_f80(f80_add(&c, big, big), 0x7FFF, 0x8000000000000000ull);
    assert_int_equal(c.flags, FE_OE | FE_PE | FE_C1);
    c = ctx(0x0F7F); /* toward zero: the largest finite */
    assert_f80(f80_add(&c, big, big), 0x7FFE, ~0ull);
    assert_int_equal(c.flags, FE_OE | FE_PE);
    c = ctx(0x0C7F); /* toward zero, 24 bits: the largest 24-bit significand */
    assert_f80(f80_add(&c, big, big), 0x7FFE, 0xFFFFFF0000000000ull);
}

static void test_exact_cancellation_gives_signed_zero_by_rc(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    assert_f80(f80_sub(&c, THREE, THREE), 0x0000, 0);
    c = ctx(0x077F);
    assert_f80(f80_sub(&c, THREE, THREE), 0x8000, 0);
    assert_int_equal(c.flags, 0);
}

static void test_nan_propagation_picks_larger_significand_then_positive(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    struct f80 qa = f80_make(0x7FFF, 0xC000000000000001ull), qb = f80_make(0xFFFF, 0xC000000000000001ull);
    assert_f80(f80_add(&c, qb, qa), 0x7FFF, 0xC000000000000001ull);
    struct f80 sn = f80_make(0x7FFF, 0x8000000000000005ull), qn = f80_make(0xFFFF, 0xC000000000000000ull);
    assert_f80(f80_add(&c, sn, qn), 0xFFFF, 0xC000000000000000ull); /* SNaN and QNaN: the QNaN */
    assert_int_equal(c.flags, FE_IE);
}

static void test_unsupported_operand_is_invalid(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    struct f80 unnormal = f80_make(0x3FFF, 0x4000000000000000ull);
    assert_f80(f80_add(&c, unnormal, ONE), 0xFFFF, 0xC000000000000000ull);
    assert_int_equal(c.flags, FE_IE);
}

/* x / 0 with a denormal x raises ZE alone (host behaviour). */
static void test_divide_by_zero_outranks_denormal(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    assert_f80(f80_div(&c, f80_make(0x0000, 1), f80_zero(false)), 0x7FFF, 0x8000000000000000ull);
    assert_int_equal(c.flags, FE_ZE);
}

static void test_sqrt_correctly_rounded(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    assert_f80(f80_sqrt(&c, TWO), 0x3FFF, 0xB504F333F9DE6484ull);
    assert_int_equal(c.flags, FE_PE);
    c = ctx(0x037F);
    assert_f80(f80_sqrt(&c, f80_make(0x4002, 0x9000000000000000ull)), 0x4000, 0xC000000000000000ull);
    assert_int_equal(c.flags, 0); /* sqrt(9) = 3 exactly */
}

/* A partial remainder reduces by 2^N·ST(1) steps with N = 32 + (D mod 32), C2 set. */
static void test_fprem_partial_remainder(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    unsigned q;
    bool partial;
    struct f80 a = f80_make(0x3FFF + 200, 0x8000000000000000ull); /* 2^200 */
    struct f80 r = f80_rem(&c, a, THREE, false, &q, &partial);
    assert_true(partial);
    assert_int_equal(q, 0);
    /* D = 199, N = 39: the remainder is below 3 * 2^160 */
    assert_true(f80_exp(r) <= 0x3FFF + 161);
    while (partial)
        r = f80_rem(&c, r, THREE, false, &q, &partial);
    assert_f80(r, 0x3FFF, 0x8000000000000000ull); /* 2^200 mod 3 = 1 */
}

static void test_fprem1_rounds_quotient_to_nearest(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    unsigned q;
    bool partial;
    struct f80 five = f80_make(0x4001, 0xA000000000000000ull);
    assert_f80(f80_rem(&c, five, THREE, false, &q, &partial), 0x4000, 0x8000000000000000ull);
    assert_int_equal(q, 1);
    assert_f80(f80_rem(&c, five, THREE, true, &q, &partial), 0xBFFF, 0x8000000000000000ull);
    assert_int_equal(q, 2);
}

static void test_fscale_beyond_rebias_range_saturates(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x0F77); /* OE unmasked, toward zero */
    struct f80 r = f80_scale(&c, ONE, f80_from_i64(50000));
    assert_f80(r, 0x7FFF, 0x8000000000000000ull);
    assert_int_equal(c.flags, FE_OE | FE_PE | FE_C1);
}

/* The SDM's tables give the operand itself for FPREM/FPREM1 by an infinity and FSCALE by a
 * zero: nothing is computed, so a denormal comes back as it is, with #D but no underflow
 * even when #U is unmasked (no rebiased result). The host (Intel family 6) does exactly
 * this; a pseudo-denormal comes back normalised. */
static void test_passed_through_denormal_does_not_underflow(void **state)
{
    (void)state;
    const struct f80 den = f80_make(0x0000, 0x00000014D708E2FFull);
    const struct f80 pinf = f80_make(0x7FFF, 0x8000000000000000ull);
    const struct f80 ninf = f80_make(0xFFFF, 0x8000000000000000ull);
    const uint16_t cw = 0x0B63 & ~0x0010; /* UM unmasked, DM masked */
    unsigned q;
    bool partial;
    for (int ieee = 0; ieee < 2; ieee++) {
        for (int s = 0; s < 2; s++) {
            struct f80_ctx c = ctx(cw);
            struct f80 r = f80_rem(&c, den, s ? ninf : pinf, ieee, &q, &partial);
            assert_f80(r, 0x0000, 0x00000014D708E2FFull);
            assert_int_equal(c.flags & (FE_UE | FE_PE), 0);
            assert_true(c.flags & FE_DE);
            assert_false(partial);
        }
    }
    const struct f80 nden = f80_make(0x8000, 0x00000000001FFFFFull);
    for (int s = 0; s < 2; s++) {
        struct f80_ctx c = ctx(cw);
        struct f80 r = f80_scale(&c, nden, f80_make(s ? 0x8000 : 0x0000, 0));
        assert_f80(r, 0x8000, 0x00000000001FFFFFull);
        assert_int_equal(c.flags & (FE_UE | FE_PE), 0);
        assert_true(c.flags & FE_DE);
    }
    /* a pseudo-denormal is 2^-16382, the smallest normal: normalised */
    struct f80_ctx c = ctx(cw);
    struct f80 r = f80_rem(&c, f80_make(0x0000, 0x8000000000000000ull), pinf, false, &q, &partial);
    assert_f80(r, 0x0001, 0x8000000000000000ull);
    assert_int_equal(c.flags & FE_UE, 0);
    /* a scale that is not zero computes: a result still tiny underflows */
    c = ctx(cw);
    r = f80_scale(&c, den, ONE);
    assert_true(c.flags & FE_UE);
}

static void test_integer_conversion_by_rounding_mode(void **state)
{
    (void)state;
    struct f80 v = f80_make(0x4000, 0xA000000000000000ull); /* 2.5 */
    static const int64_t want[4] = { 2, 2, 3, 2 };
    for (unsigned rc = 0; rc < 4; rc++) {
        struct f80_ctx c = ctx((uint16_t)(0x037F | rc << 10));
        assert_int_equal(f80_to_int(&c, v, 16), want[rc]);
        assert_true(c.flags & FE_PE);
    }
    struct f80_ctx c = ctx(0x037F);
    assert_int_equal(f80_to_int(&c, f80_make(0x400E, 0x8000000000000000ull), 16), INT16_MIN);
    assert_int_equal(c.flags, FE_IE); /* 32768 does not fit: the integer indefinite */
    c = ctx(0x037F);
    assert_int_equal(f80_to_int(&c, f80_make(0xC00E, 0x8000000000000000ull), 16), INT16_MIN);
    assert_int_equal(c.flags, 0); /* -32768 does */
}

static void test_float32_store_rounds_into_denormals(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    /* 2^-127 * 1.111..1 (24 ones) is tiny after rounding to 24 bits, then rounds up */
    assert_int_equal(f80_to_f32(&c, f80_make(0x3F80, 0xFFFFFF0000000000ull)), 0x00800000);
    assert_int_equal(c.flags, FE_UE | FE_PE | FE_C1);
    c = ctx(0x037F);
    assert_int_equal(f80_to_f32(&c, f80_make(0x3F80, 0xFFFFFF8000000000ull)), 0x00800000);
    assert_int_equal(c.flags, FE_PE | FE_C1); /* rounds to 2^-126 at 24 bits: not tiny */
}

static void test_float_loads_flag_snan_and_denormal(void **state)
{
    (void)state;
    struct f80_ctx c = ctx(0x037F);
    assert_f80(f80_from_f32(&c, 0x7F800001), 0x7FFF, 0xC000010000000000ull);
    assert_int_equal(c.flags, FE_IE);
    c = ctx(0x037F);
    assert_f80(f80_from_f64(&c, 1), 0x3BCD, 0x8000000000000000ull); /* 2^-1074 */
    assert_int_equal(c.flags, FE_DE);
}

static void test_bcd_round_trip_and_indefinite(void **state)
{
    (void)state;
    const uint8_t in[10] = { 0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x80 };
    uint8_t out[10];
    struct f80_ctx c = ctx(0x037F);
    struct f80 v = f80_from_bcd(in), want = f80_from_i64(-234567890123456789LL);
    assert_f80(v, want.se, want.m);
    f80_to_bcd(&c, v, out);
    assert_memory_equal(in, out, 10);
    f80_to_bcd(&c, f80_make(0x4050, 0x8000000000000000ull), out);
    const uint8_t indef[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF };
    assert_memory_equal(out, indef, 10);
    assert_true(c.flags & FE_IE);
}

static void test_round_int_of_small_values(void **state)
{
    (void)state;
    struct f80 half = f80_make(0xBFFE, 0x8000000000000000ull); /* -0.5 */
    struct f80_ctx c = ctx(0x037F);
    assert_f80(f80_round_int(&c, half), 0x8000, 0); /* ties to even: -0 */
    c = ctx(0x077F);
    assert_f80(f80_round_int(&c, half), 0xBFFF, 0x8000000000000000ull); /* down: -1 */
    assert_int_equal(c.flags, FE_PE | FE_C1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_divide_rounds_by_rc_and_pc),
        cmocka_unit_test(test_tininess_is_detected_after_rounding),
        cmocka_unit_test(test_unmasked_underflow_rebiases_exponent),
        cmocka_unit_test(test_masked_overflow_by_rounding_mode),
        cmocka_unit_test(test_exact_cancellation_gives_signed_zero_by_rc),
        cmocka_unit_test(test_nan_propagation_picks_larger_significand_then_positive),
        cmocka_unit_test(test_unsupported_operand_is_invalid),
        cmocka_unit_test(test_divide_by_zero_outranks_denormal),
        cmocka_unit_test(test_sqrt_correctly_rounded),
        cmocka_unit_test(test_fprem_partial_remainder),
        cmocka_unit_test(test_fprem1_rounds_quotient_to_nearest),
        cmocka_unit_test(test_fscale_beyond_rebias_range_saturates),
        cmocka_unit_test(test_integer_conversion_by_rounding_mode),
        cmocka_unit_test(test_float32_store_rounds_into_denormals),
        cmocka_unit_test(test_float_loads_flag_snan_and_denormal),
        cmocka_unit_test(test_bcd_round_trip_and_indefinite),
        cmocka_unit_test(test_round_int_of_small_values),
        cmocka_unit_test(test_passed_through_denormal_does_not_underflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
