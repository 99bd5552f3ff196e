/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): data movement and conversion: LAHF/SAHF, XLAT, CBW..CDQ, MOVZX/MOVSX, CMPXCHG, XADD, BSWAP, SETcc, CMOVcc. */
#include "cpu_rig.h"

/* LAHF/SAHF move SF ZF AF PF CF; bit 1 reads 1; OF is untouched (SDM Vol. 2A/2B). */
static void test_lahf_sahf(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    cpu_set_eflags(&h->cpu, FL_OF | 0x2);
    RUN(h, 0xB4, 0xFF, 0x9E, 0xB4, 0x00, 0x9F, 0xF4); /* mov ah, 0xff; sahf; mov ah, 0; lahf */
    assert_int_equal(ax(h) >> 8, 0xD7);
    assert_int_equal(flags(h), FL_OF | 0xD7);

    h = machine(CPU_386);
    cpu_set_eflags(&h->cpu, FL_OF | FL_ARITH | 0x2);
    RUN(h, 0xB4, 0x00, 0x9E, 0xB4, 0xFF, 0x9F, 0xF4);
    assert_int_equal(ax(h) >> 8, 0x02);
    assert_int_equal(flags(h), FL_OF | 0x2);
}

static void test_xlat(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EBX] = 0x100;
    h->cpu.r[R_EAX] = 0xAA05;
    poke8(h, DS(0x105), 0x42);
    RUN(h, 0xD7, 0xF4);
    assert_int_equal(ax(h), 0xAA42);

    h = machine(CPU_286);
    h->cpu.r[R_EBX] = 0x100;
    h->cpu.r[R_EAX] = 0xFF; /* AL is unsigned: BX + 255 */
    poke8(h, ES(0x1FF), 0x77);
    RUN(h, 0x26, 0xD7, 0xF4); /* es: xlat */
    assert_int_equal(ax(h), 0x0077);
}

static void test_cbw_cwde_cwd_cdq(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x12345680;
    RUN(h, 0x98, 0xF4); /* cbw */
    assert_int_equal(h->cpu.r[R_EAX], 0x1234FF80);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x12348000;
    RUN(h, 0x66, 0x98, 0xF4); /* cwde */
    assert_int_equal(h->cpu.r[R_EAX], 0xFFFF8000u);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x8000;
    h->cpu.r[R_EDX] = 0xABCD1234;
    RUN(h, 0x99, 0xF4); /* cwd */
    assert_int_equal(h->cpu.r[R_EDX], 0xABCDFFFFu);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x7FFF;
    h->cpu.r[R_EDX] = 0xABCD1234;
    RUN(h, 0x99, 0xF4);
    assert_int_equal(h->cpu.r[R_EDX], 0xABCD0000u);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x80000000u;
    RUN(h, 0x66, 0x99, 0xF4); /* cdq */
    assert_int_equal(h->cpu.r[R_EDX], 0xFFFFFFFFu);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x7FFFFFFFu;
    h->cpu.r[R_EDX] = 0x55555555u;
    RUN(h, 0x66, 0x99, 0xF4);
    assert_int_equal(h->cpu.r[R_EDX], 0);
}

/* ---- 386 and later instructions in real mode ---- */

static void test_movzx_movsx(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x00008080;
    h->cpu.r[R_EDX] = 0xAAAA0000u;
    RUN(h, 0x66, 0x0F, 0xB6, 0xC3, /* movzx eax, bl */
           0x66, 0x0F, 0xBE, 0xCB, /* movsx ecx, bl */
           0x0F, 0xBE, 0xD3,       /* movsx dx, bl */
           0x66, 0x0F, 0xBF, 0xF3, /* movsx esi, bx */
           0x66, 0x0F, 0xB7, 0xFB, /* movzx edi, bx */
           0xF4);
    assert_int_equal(h->cpu.r[R_EAX], 0x80);
    assert_int_equal(h->cpu.r[R_ECX], 0xFFFFFF80u);
    assert_int_equal(h->cpu.r[R_EDX], 0xAAAAFF80u);
    assert_int_equal(h->cpu.r[R_ESI], 0xFFFF8080u);
    assert_int_equal(h->cpu.r[R_EDI], 0x8080);

    h = machine(CPU_286);
    RUN(h, 0x0F, 0xB6, 0xC3, 0xF4);
    assert_taken(h, EXC_UD, 0);
}

/* CMPXCHG (SDM Vol. 2A): accumulator == dest → dest = src, ZF = 1; else acc = dest, ZF = 0. */
static void test_cmpxchg_equal_and_unequal(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_486);
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_EAX] = 0x1111;
    h->cpu.r[R_ECX] = 0x2222;
    poke16(h, DS(0x40), 0x1111);
    RUN(h, 0x0F, 0xB1, 0x0F, 0xF4); /* cmpxchg [bx], cx */
    assert_int_equal(peek16(h, DS(0x40)), 0x2222);
    assert_int_equal(ax(h), 0x1111);
    assert_true(flags(h) & FL_ZF);

    h = machine(CPU_486);
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_EAX] = 0x1111;
    h->cpu.r[R_ECX] = 0x2222;
    poke16(h, DS(0x40), 0x3333);
    RUN(h, 0x0F, 0xB1, 0x0F, 0xF4);
    assert_int_equal(peek16(h, DS(0x40)), 0x3333);
    assert_int_equal(ax(h), 0x3333);
    assert_false(flags(h) & FL_ZF);
    assert_true(flags(h) & FL_CF); /* 0x1111 - 0x3333 borrows */

    h = machine(CPU_486);
    h->cpu.r[R_EAX] = 0x12345678;
    h->cpu.r[R_EBX] = 0x12345678;
    h->cpu.r[R_ECX] = 0xCAFEBABE;
    RUN(h, 0x66, 0x0F, 0xB1, 0xCB, 0xF4); /* cmpxchg ebx, ecx */
    assert_int_equal(h->cpu.r[R_EBX], 0xCAFEBABEu);
    assert_true(flags(h) & FL_ZF);

    h = machine(CPU_486);
    h->cpu.r[R_EAX] = 0x00AA;
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_ECX] = 0x55;
    poke8(h, DS(0x40), 0xAB);
    RUN(h, 0x0F, 0xB0, 0x0F, 0xF4); /* cmpxchg [bx], cl */
    assert_int_equal(ax(h), 0x00AB);
    assert_int_equal(peek8(h, DS(0x40)), 0xAB);

    h = machine(CPU_386);
    RUN(h, 0x0F, 0xB1, 0xCB, 0xF4);
    assert_taken(h, EXC_UD, 0);
}

static void test_cmpxchg8b(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_PENTIUM);
    h->cpu.r[R_ESI] = 0x40;
    poke32(h, DS(0x40), 0x22222222);
    poke32(h, DS(0x44), 0x11111111);
    h->cpu.r[R_EDX] = 0x11111111;
    h->cpu.r[R_EAX] = 0x22222222;
    h->cpu.r[R_ECX] = 0xCCCCCCCCu;
    h->cpu.r[R_EBX] = 0xBBBBBBBBu;
    RUN(h, 0x0F, 0xC7, 0x0C, 0xF4); /* cmpxchg8b [si] */
    assert_int_equal(peek32(h, DS(0x40)), 0xBBBBBBBBu);
    assert_int_equal(peek32(h, DS(0x44)), 0xCCCCCCCCu);
    assert_true(flags(h) & FL_ZF);

    h = machine(CPU_PENTIUM);
    h->cpu.r[R_ESI] = 0x40;
    poke32(h, DS(0x40), 0x22222222);
    poke32(h, DS(0x44), 0x11111111);
    h->cpu.r[R_EDX] = 0x11111111;
    h->cpu.r[R_EAX] = 0;
    h->cpu.r[R_ECX] = 0xCCCCCCCCu;
    h->cpu.r[R_EBX] = 0xBBBBBBBBu;
    cpu_set_eflags(&h->cpu, FL_ZF | 0x2);
    RUN(h, 0x0F, 0xC7, 0x0C, 0xF4);
    assert_int_equal(h->cpu.r[R_EAX], 0x22222222);
    assert_int_equal(h->cpu.r[R_EDX], 0x11111111);
    assert_int_equal(peek32(h, DS(0x40)), 0x22222222);
    assert_int_equal(peek32(h, DS(0x44)), 0x11111111);
    assert_false(flags(h) & FL_ZF);

    h = machine(CPU_PENTIUM);
    RUN(h, 0x0F, 0xC7, 0xC9, 0xF4); /* register operand: #UD */
    assert_taken(h, EXC_UD, 0);

    h = machine(CPU_486);
    h->cpu.r[R_ESI] = 0x40;
    RUN(h, 0x0F, 0xC7, 0x0C, 0xF4);
    assert_taken(h, EXC_UD, 0);
}

/* XADD (SDM Vol. 2B): TEMP = SRC + DEST; SRC = DEST; DEST = TEMP. */
static void test_xadd(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_486);
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_EAX] = 3;
    poke16(h, DS(0x40), 5);
    RUN(h, 0x0F, 0xC1, 0x07, 0xF4); /* xadd [bx], ax */
    assert_int_equal(peek16(h, DS(0x40)), 8);
    assert_int_equal(ax(h), 5);

    h = machine(CPU_486);
    h->cpu.r[R_EBX] = 10;
    h->cpu.r[R_EAX] = 3;
    RUN(h, 0x0F, 0xC1, 0xC3, 0xF4); /* xadd bx, ax */
    assert_int_equal(reg16(h, R_EBX), 13);
    assert_int_equal(ax(h), 10);

    h = machine(CPU_486);
    h->cpu.r[R_EAX] = 0xFFFF;
    h->cpu.r[R_EBX] = 1;
    RUN(h, 0x0F, 0xC1, 0xD8, 0xF4); /* xadd ax, bx */
    assert_int_equal(ax(h), 0);
    assert_int_equal(reg16(h, R_EBX), 0xFFFF);
    assert_int_equal(flags(h) & (FL_ZF | FL_CF), FL_ZF | FL_CF);
}

/* XADD r, r with the same register: SRC = DEST is overwritten by DEST = TEMP. */
static void test_xadd_same_register_leaves_sum(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_486);
    h->cpu.r[R_EAX] = 3;
    RUN(h, 0x0F, 0xC1, 0xC0, 0xF4); /* xadd ax, ax */
    assert_int_equal(ax(h), 6);

    h = machine(CPU_486);
    h->cpu.r[R_ECX] = 0x0540;
    RUN(h, 0x0F, 0xC0, 0xED, 0xF4); /* xadd ch, ch */
    assert_int_equal(reg16(h, R_ECX), 0x0A40);
}

static void test_bswap(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_486);
    h->cpu.r[R_EAX] = 0x12345678;
    h->cpu.r[R_EDI] = 0x000000FF;
    RUN(h, 0x66, 0x0F, 0xC8, 0x66, 0x0F, 0xCF, 0xF4); /* bswap eax; bswap edi */
    assert_int_equal(h->cpu.r[R_EAX], 0x78563412);
    assert_int_equal(h->cpu.r[R_EDI], 0xFF000000u);

    h = machine(CPU_386);
    RUN(h, 0x66, 0x0F, 0xC8, 0xF4);
    assert_taken(h, EXC_UD, 0);
}

static void test_setcc(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_ECX] = 0xAA00;
    h->cpu.r[R_EDX] = 0x00FF;
    poke8(h, DS(0x40), 0xFF);
    RUN(h, 0x39, 0xC0,             /* cmp ax, ax */
           0x0F, 0x94, 0xC1,       /* sete cl */
           0x0F, 0x95, 0x07,       /* setne [bx] */
           0x0F, 0x92, 0xC2,       /* setb dl */
           0x0F, 0x9E, 0xC6,       /* setle dh */
           0xF4);
    assert_int_equal(reg16(h, R_ECX), 0xAA01);
    assert_int_equal(peek8(h, DS(0x40)), 0);
    assert_int_equal(reg16(h, R_EDX), 0x0100);
}

/* CMOVcc (SDM Vol. 2A): the source is read whether or not the condition holds. */
static void test_cmovcc(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_P2);
    h->cpu.r[R_EAX] = 0x1111;
    h->cpu.r[R_EBX] = 0x2222;
    cpu_set_eflags(&h->cpu, FL_ZF | 0x2);
    RUN(h, 0x0F, 0x44, 0xC3, 0xF4); /* cmove ax, bx */
    assert_int_equal(ax(h), 0x2222);

    h = machine(CPU_P2);
    h->cpu.r[R_EAX] = 0x11111111;
    h->cpu.r[R_EBX] = 0x22222222;
    RUN(h, 0x66, 0x0F, 0x44, 0xC3, 0xF4); /* cmove eax, ebx with ZF = 0 */
    assert_int_equal(h->cpu.r[R_EAX], 0x11111111);
}

static void test_cmov_false_condition_still_reads_memory(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_P2);
    h->cpu.r[R_EAX] = 0x1111;
    RUN(h, 0x0F, 0x44, 0x06, 0xFF, 0xFF, 0xF4); /* cmove ax, [0xffff] with ZF = 0 */
    assert_taken(h, EXC_GP, 0);
    assert_int_equal(ax(h), 0x1111);

    h = machine(CPU_PENTIUM); /* CMOV arrived with the P6 family */
    RUN(h, 0x0F, 0x44, 0xC3, 0xF4);
    assert_taken(h, EXC_UD, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lahf_sahf),
        cmocka_unit_test(test_xlat),
        cmocka_unit_test(test_cbw_cwde_cwd_cdq),
        cmocka_unit_test(test_movzx_movsx),
        cmocka_unit_test(test_cmpxchg_equal_and_unequal),
        cmocka_unit_test(test_cmpxchg8b),
        cmocka_unit_test(test_xadd),
        cmocka_unit_test(test_xadd_same_register_leaves_sum),
        cmocka_unit_test(test_bswap),
        cmocka_unit_test(test_setcc),
        cmocka_unit_test(test_cmovcc),
        cmocka_unit_test(test_cmov_false_condition_still_reads_memory),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
