/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): #DE from DIV, IDIV and AAM; IMUL with two and three operands. */
#include "cpu_rig.h"

/* ---- #DE (SDM Vol. 2A "DIV", "IDIV", "AAM"): a fault, registers untouched ---- */

static void test_div8_by_zero_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x1234;
    h->cpu.r[R_EBX] = 0x5600;
    RUN(h, 0x90, 0xF6, 0xF3, 0xF4); /* nop; div bl; hlt */
    assert_taken(h, EXC_DE, 1);
    assert_int_equal(ax(h), 0x1234);
    assert_int_equal(reg16(h, R_EBX), 0x5600);
}

static void test_div8_quotient_overflow_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x1000; /* 0x1000 / 0x10 = 0x100 does not fit AL */
    h->cpu.r[R_EBX] = 0x10;
    RUN(h, 0xF6, 0xF3, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(ax(h), 0x1000);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x0FFF; /* 0xFF remainder 0x0F: fits */
    h->cpu.r[R_EBX] = 0x10;
    RUN(h, 0xF6, 0xF3, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x0FFF);
}

/* The pushed IP is the segment-override prefix, not the opcode. */
static void test_div16_by_zero_pushes_prefix_ip(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0xAAAA;
    h->cpu.r[R_EDX] = 0x5555;
    h->cpu.r[R_EBX] = 0x0010;
    poke16(h, ES(0x10), 0);
    RUN(h, 0x90, 0x26, 0xF7, 0x37, 0xF4); /* nop; div word es:[bx]; hlt */
    assert_taken(h, EXC_DE, 1);
    assert_int_equal(ax(h), 0xAAAA);
    assert_int_equal(reg16(h, R_EDX), 0x5555);
}

static void test_div16_quotient_overflow_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EDX] = 0x0001; /* 0x10000 / 1 */
    h->cpu.r[R_EAX] = 0x0000;
    h->cpu.r[R_EBX] = 0x0001;
    RUN(h, 0xF7, 0xF3, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(reg16(h, R_EDX), 1);
    assert_int_equal(ax(h), 0);

    h = machine(CPU_286);
    h->cpu.r[R_EDX] = 0x0001; /* 0x10000 / 2 = 0x8000 rem 0 */
    h->cpu.r[R_EAX] = 0x0000;
    h->cpu.r[R_EBX] = 0x0002;
    RUN(h, 0xF7, 0xF3, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x8000);
    assert_int_equal(reg16(h, R_EDX), 0);
}

static void test_div32_by_zero_and_overflow_raise_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0;
    h->cpu.r[R_EAX] = 0x12345678;
    h->cpu.r[R_EBX] = 0;
    RUN(h, 0x90, 0x66, 0xF7, 0xF3, 0xF4); /* nop; div ebx; hlt */
    assert_taken(h, EXC_DE, 1);
    assert_int_equal(h->cpu.r[R_EAX], 0x12345678);

    h = machine(CPU_386);
    h->cpu.r[R_EDX] = 1; /* 2^32 / 1 */
    h->cpu.r[R_EAX] = 0;
    h->cpu.r[R_EBX] = 1;
    RUN(h, 0x66, 0xF7, 0xF3, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(h->cpu.r[R_EDX], 1);
    assert_int_equal(h->cpu.r[R_EAX], 0);

    h = machine(CPU_386);
    h->cpu.r[R_EDX] = 1; /* (2^32 + 5) / 2 = 0x80000002 rem 1 */
    h->cpu.r[R_EAX] = 5;
    h->cpu.r[R_EBX] = 2;
    RUN(h, 0x66, 0xF7, 0xF3, 0xF4);
    assert_halted_at(h, 4);
    assert_int_equal(h->cpu.r[R_EAX], 0x80000002u);
    assert_int_equal(h->cpu.r[R_EDX], 1);
}

static void test_idiv8_quotient_overflow_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x8000; /* -32768 / -1 */
    h->cpu.r[R_EBX] = 0xFF;
    RUN(h, 0xF6, 0xFB, 0xF4); /* idiv bl */
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(ax(h), 0x8000);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x0080; /* 128 / 1 = +128 does not fit */
    h->cpu.r[R_EBX] = 0x01;
    RUN(h, 0xF6, 0xFB, 0xF4);
    assert_taken(h, EXC_DE, 0);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0xFF80; /* -128 / 1 = -128 fits (286 on) */
    h->cpu.r[R_EBX] = 0x01;
    RUN(h, 0xF6, 0xFB, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x0080);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = (uint16_t)-7; /* -7 / 2 = -3 rem -1 (truncation toward zero) */
    h->cpu.r[R_EBX] = 0x02;
    RUN(h, 0xF6, 0xFB, 0xF4);
    assert_int_equal(ax(h), 0xFFFD);
}

static void test_idiv16_quotient_overflow_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0x8000; /* -2^31 / -1 */
    h->cpu.r[R_EAX] = 0x0000;
    h->cpu.r[R_EBX] = 0xFFFF;
    RUN(h, 0xF7, 0xFB, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(reg16(h, R_EDX), 0x8000);
    assert_int_equal(ax(h), 0);
}

static void test_idiv32_most_negative_by_minus_one_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0x80000000u; /* -2^63 / -1 */
    h->cpu.r[R_EAX] = 0;
    h->cpu.r[R_EBX] = 0xFFFFFFFFu;
    RUN(h, 0x66, 0xF7, 0xFB, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(h->cpu.r[R_EDX], 0x80000000u);
    assert_int_equal(h->cpu.r[R_EAX], 0);

    h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0xFFFFFFFFu; /* -2^31 / 1 fits */
    h->cpu.r[R_EAX] = 0x80000000u;
    h->cpu.r[R_EBX] = 1;
    RUN(h, 0x66, 0xF7, 0xFB, 0xF4);
    assert_halted_at(h, 4);
    assert_int_equal(h->cpu.r[R_EAX], 0x80000000u);
    assert_int_equal(h->cpu.r[R_EDX], 0);
}

static void test_aam_zero_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x124F;
    RUN(h, 0xD4, 0x00, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(ax(h), 0x124F);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x124F; /* 79 = 7 * 10 + 9 */
    RUN(h, 0xD4, 0x0A, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x0709);
}

/* IDIV's quotient range includes the most negative value (SDM Vol. 2A "IDIV": -128..127,
 * -32768..32767, -2^31..2^31-1) from the 286 on; the 8086 faulted on it. Coverage: orrery
 * already did this (the held-out 286 report of a #DE at -128 is not reproduced here). */
static void test_idiv_most_negative_quotient_returned(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x0080; /* 128 / -1 */
    h->cpu.r[R_EBX] = 0x00FF;
    RUN(h, 0xF6, 0xFB, 0xF4); /* idiv bl */
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x0080);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0xFF01; /* -255 / 2 = -127 r -1; and -256 / 2 = -128 */
    h->cpu.r[R_EBX] = 0x0002;
    RUN(h, 0xF6, 0xFB, 0xF4);
    assert_int_equal(ax(h), 0xFF81);
    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0xFF00;
    h->cpu.r[R_EBX] = 0x0002;
    RUN(h, 0xF6, 0xFB, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x0080);

    h = machine(CPU_286);
    h->cpu.r[R_EDX] = 0xFFFF; /* -65536 / 2 = -32768 */
    h->cpu.r[R_EAX] = 0x0000;
    h->cpu.r[R_EBX] = 0x0002;
    RUN(h, 0xF7, 0xFB, 0xF4); /* idiv bx */
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x8000);
    assert_int_equal(reg16(h, R_EDX), 0);

    h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0;
    h->cpu.r[R_EAX] = 0x80000000u; /* 2^31 / -1 = -2^31 */
    h->cpu.r[R_EBX] = 0xFFFFFFFFu;
    RUN(h, 0x66, 0xF7, 0xFB, 0xF4); /* idiv ebx */
    assert_halted_at(h, 4);
    assert_int_equal(h->cpu.r[R_EAX], 0x80000000u);
}

/* The 286 and 386 IDIV r/m8 quirk: a dividend whose quotient does not fit returns -128 when
 * the dividend with bit 14 flipped divides to exactly -128 (SingleStepTests/80386 issue 3:
 * eight 386EX vectors, e.g. f6.7 #516, AX = 9C71 / CL = 47 -> AH = F1, AL = 80, as if
 * AX were DC71; issue 11: held-out 286 vectors return -128 where orrery raised #DE).
 * Everything else that does not fit is #DE; the host processor (P6 lineage) faults. */
static void test_idiv8_bit14_quirk_286_386(void **state)
{
    (void)state;
    static const enum cpu_model quirky[] = { CPU_286, CPU_386 };
    for (size_t i = 0; i < 2; i++) {
        struct harness *h = machine(quirky[i]);
        h->cpu.r[R_EAX] = 0x9C71;
        h->cpu.r[R_ECX] = 0x47;
        RUN(h, 0xF6, 0xF9, 0xF4); /* idiv cl */
        assert_halted_at(h, 3);
        assert_int_equal(ax(h), 0xF180);

        h = machine(quirky[i]); /* 9C39 ^ 4000 = DC39 = -9159 = -129 * 71: still too big */
        h->cpu.r[R_EAX] = 0x9C39;
        h->cpu.r[R_ECX] = 0x47;
        RUN(h, 0xF6, 0xF9, 0xF4);
        assert_taken(h, EXC_DE, 0);

        h = machine(quirky[i]); /* a positive quotient of 128 after the flip still faults */
        h->cpu.r[R_EAX] = 0x638F; /* 638F ^ 4000 = 238F = 128 * 71 + 15 */
        h->cpu.r[R_ECX] = 0x47;
        RUN(h, 0xF6, 0xF9, 0xF4);
        assert_taken(h, EXC_DE, 0);
    }
    struct harness *h = machine(CPU_P2);
    h->cpu.r[R_EAX] = 0x9C71;
    h->cpu.r[R_ECX] = 0x47;
    RUN(h, 0xF6, 0xF9, 0xF4);
    assert_taken(h, EXC_DE, 0);
}

/* The 286's divider on a zero divisor leaves SF, ZF and PF as the dividend shifted right
 * by one bit gives them, in the operand's width, and AF, CF and OF clear: the FLAGS in its
 * #DE frame (286-real F6.6 and F7.6, all 55 zero-divisor vectors; e.g. F6.6 #84, DIV CH
 * with AX = 4C3D and CH = 0: 1E -> PF only). AAM 0 runs the same divider on AL. */
#define ARITH_FLAGS (FL_OF | FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

static void test_divide_by_zero_flags_286(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    cpu_set_eflags(&h->cpu, 0x2 | ARITH_FLAGS);
    h->cpu.r[R_EAX] = 0x4C3D; /* CH = 0 */
    RUN(h, 0xF6, 0xF5, 0xF4); /* div ch */
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(pushed_flags(h) & ARITH_FLAGS, FL_PF);

    h = machine(CPU_286);
    cpu_set_eflags(&h->cpu, 0x2);
    h->cpu.r[R_EDX] = 0xDC01;
    h->cpu.r[R_EAX] = 0x5202; /* (DX:AX >> 1) & FFFF = A901: SF; 01 has odd parity */
    h->cpu.r[R_EBX] = 0;
    RUN(h, 0xF7, 0xF3, 0xF4); /* div bx (F7.6 #419 has these registers) */
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(pushed_flags(h) & ARITH_FLAGS, FL_SF);

    h = machine(CPU_286);
    cpu_set_eflags(&h->cpu, 0x2);
    h->cpu.r[R_EDX] = 0x0001;
    h->cpu.r[R_EAX] = 0x0000; /* 8000: SF, and PF of the low byte 00 */
    RUN(h, 0xF7, 0xF3, 0xF4);
    assert_int_equal(pushed_flags(h) & ARITH_FLAGS, FL_SF | FL_PF);

    h = machine(CPU_286);
    cpu_set_eflags(&h->cpu, 0x2 | FL_SF | FL_CF | FL_OF | FL_AF);
    h->cpu.r[R_EAX] = 0xFF3D; /* AAM 0 divides AL: 3D >> 1 = 1E, AH plays no part */
    RUN(h, 0xD4, 0x00, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(pushed_flags(h) & ARITH_FLAGS, FL_PF);
    assert_int_equal(ax(h), 0xFF3D);

    h = machine(CPU_286);
    cpu_set_eflags(&h->cpu, 0x2 | FL_SF);
    h->cpu.r[R_EAX] = 0x0001; /* 01 >> 1 = 0 */
    RUN(h, 0xD4, 0x00, 0xF4);
    assert_int_equal(pushed_flags(h) & ARITH_FLAGS, FL_ZF | FL_PF);

    h = machine(CPU_386); /* no evidence for later models: their flags stay */
    cpu_set_eflags(&h->cpu, 0x2 | FL_SF | FL_CF);
    h->cpu.r[R_EAX] = 0x0001;
    RUN(h, 0xD4, 0x00, 0xF4);
    assert_int_equal(pushed_flags(h) & ARITH_FLAGS, FL_SF | FL_CF);
}

/* IDIV by zero on the 286: SF, ZF and PF of the dividend's low half (AL, AX) and AF set,
 * CF and OF clear (286-real F6.7 and F7.7, all 50 zero-divisor vectors). */
static void test_idiv_by_zero_flags_286(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    cpu_set_eflags(&h->cpu, 0x2 | FL_ZF | FL_PF | FL_CF | FL_OF);
    h->cpu.r[R_EAX] = 0x85F7; /* BL = 0; F7 */
    RUN(h, 0xF6, 0xFB, 0xF4); /* idiv bl */
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(pushed_flags(h) & ARITH_FLAGS, FL_SF | FL_AF);

    h = machine(CPU_286);
    cpu_set_eflags(&h->cpu, 0x2 | FL_SF);
    h->cpu.r[R_EDX] = 0xDCEF;
    h->cpu.r[R_EAX] = 0x0000; /* the low half AX = 0 */
    RUN(h, 0xF7, 0xFB, 0xF4); /* idiv bx */
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(pushed_flags(h) & ARITH_FLAGS, FL_ZF | FL_PF | FL_AF);
}

/* IMUL r, r/m, imm (SDM Vol. 2A "IMUL"): CF = OF = 1 when the product does not fit. */
static void test_imul_three_operand(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EBX] = 300;
    h->cpu.r[R_EDX] = 0x5555;
    RUN(h, 0x69, 0xC3, 0xC8, 0x00, 0xF4); /* imul ax, bx, 200 */
    assert_int_equal(ax(h), 60000);
    assert_int_equal(reg16(h, R_EDX), 0x5555);
    assert_int_equal(flags(h) & (FL_CF | FL_OF), FL_CF | FL_OF);

    h = machine(CPU_286);
    h->cpu.r[R_EBX] = 7;
    cpu_set_eflags(&h->cpu, FL_CF | FL_OF | 0x2);
    RUN(h, 0x6B, 0xC3, 0xFE, 0xF4); /* imul ax, bx, -2 */
    assert_int_equal(ax(h), 0xFFF2);
    assert_int_equal(flags(h) & (FL_CF | FL_OF), 0);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x10000;
    RUN(h, 0x66, 0x69, 0xC3, 0x00, 0x00, 0x01, 0x00, 0xF4); /* imul eax, ebx, 0x10000 */
    assert_int_equal(h->cpu.r[R_EAX], 0);
    assert_int_equal(flags(h) & (FL_CF | FL_OF), FL_CF | FL_OF);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 5;
    RUN(h, 0x66, 0x6B, 0xC3, 0xFF, 0xF4); /* imul eax, ebx, -1 */
    assert_int_equal(h->cpu.r[R_EAX], 0xFFFFFFFBu);
    assert_int_equal(flags(h) & (FL_CF | FL_OF), 0);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = (uint16_t)-3;
    h->cpu.r[R_EBX] = 4;
    RUN(h, 0x0F, 0xAF, 0xC3, 0xF4); /* imul ax, bx */
    assert_int_equal(ax(h), 0xFFF4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_div8_by_zero_raises_de),
        cmocka_unit_test(test_div8_quotient_overflow_raises_de),
        cmocka_unit_test(test_div16_by_zero_pushes_prefix_ip),
        cmocka_unit_test(test_div16_quotient_overflow_raises_de),
        cmocka_unit_test(test_div32_by_zero_and_overflow_raise_de),
        cmocka_unit_test(test_idiv8_quotient_overflow_raises_de),
        cmocka_unit_test(test_idiv16_quotient_overflow_raises_de),
        cmocka_unit_test(test_idiv32_most_negative_by_minus_one_raises_de),
        cmocka_unit_test(test_aam_zero_raises_de),
        cmocka_unit_test(test_divide_by_zero_flags_286),
        cmocka_unit_test(test_idiv_by_zero_flags_286),
        cmocka_unit_test(test_idiv_most_negative_quotient_returned),
        cmocka_unit_test(test_idiv8_bit14_quirk_286_386),
        cmocka_unit_test(test_imul_three_operand),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
