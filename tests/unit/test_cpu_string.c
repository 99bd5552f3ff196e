/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): string instructions under REP. */
#include "cpu_rig.h"

/* ---- string instructions under REP (SDM Vol. 2B "REP/REPE/REPZ/REPNE/REPNZ") ---- */

#define STRING_CHUNK 4096 /* iterations per execution step (cpu/ops_string.c) */

static void test_rep_movsb_longer_than_chunk_resumes(void **state)
{
    (void)state;
    const unsigned n = 2 * STRING_CHUNK + 1808;
    struct harness *h = machine(CPU_386);
    for (unsigned i = 0; i < n; i++)
        poke8(h, DS(i), (uint8_t)(i * 7 + 3));
    h->cpu.r[R_ECX] = n;
    LOAD(h, 0xF3, 0xA4, 0xF4); /* rep movsb; hlt */
    cpu_run(&h->cpu, 1);
    /* Interrupted between iterations: IP still on the instruction. */
    assert_int_equal(h->cpu.eip, 0);
    assert_int_equal(reg16(h, R_ECX), n - STRING_CHUNK);
    assert_int_equal(reg16(h, R_ESI), STRING_CHUNK);
    assert_int_equal(reg16(h, R_EDI), STRING_CHUNK);
    cpu_run(&h->cpu, 1);
    assert_int_equal(h->cpu.eip, 0);
    assert_int_equal(reg16(h, R_ECX), n - 2 * STRING_CHUNK);
    cpu_run(&h->cpu, 1);
    assert_int_equal(h->cpu.eip, 2);
    assert_int_equal(reg16(h, R_ECX), 0);
    run(h);
    assert_halted_at(h, 3);
    assert_int_equal(reg16(h, R_ESI), n);
    assert_int_equal(reg16(h, R_EDI), n);
    for (unsigned i = 0; i < n; i++)
        if (peek8(h, ES(i)) != (uint8_t)(i * 7 + 3))
            fail_msg("byte %u not copied", i);
    assert_int_equal(peek8(h, ES(n)), 0);
}

/* An interrupt between two chunks returns to the REP instruction, which then finishes. */
static void test_rep_movsb_interrupted_between_chunks(void **state)
{
    (void)state;
    const unsigned n = STRING_CHUNK + 10;
    struct harness *h = irq_machine(FL_IF | 0x2);
    for (unsigned i = 0; i < n; i++)
        poke8(h, DS(i), (uint8_t)i);
    h->cpu.r[R_ECX] = n;
    LOAD(h, 0xF3, 0xA4, 0xF4);
    cpu_run(&h->cpu, 1);
    h->cpu.intr_line = 1;
    run(h);
    assert_taken(h, 0x40, 0); /* returns to the REP MOVSB itself */
    assert_int_equal(reg16(h, R_ECX), 10);
}

static void test_repe_cmpsb_stops_at_first_difference(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    memcpy(h->ram + DS(0x100), "ABCDEF", 6);
    memcpy(h->ram + ES(0x200), "ABCXEF", 6);
    h->cpu.r[R_ESI] = 0x100;
    h->cpu.r[R_EDI] = 0x200;
    h->cpu.r[R_ECX] = 6;
    RUN(h, 0xF3, 0xA6, 0xF4); /* repe cmpsb */
    assert_halted_at(h, 3);
    assert_int_equal(reg16(h, R_ECX), 2);
    assert_int_equal(reg16(h, R_ESI), 0x104);
    assert_int_equal(reg16(h, R_EDI), 0x204);
    assert_false(flags(h) & FL_ZF);
    assert_true(flags(h) & FL_CF); /* 'D' - 'X' borrows */

    h = machine(CPU_386);
    memcpy(h->ram + DS(0x100), "ABCDEF", 6);
    memcpy(h->ram + ES(0x200), "ABCDEF", 6);
    h->cpu.r[R_ESI] = 0x100;
    h->cpu.r[R_EDI] = 0x200;
    h->cpu.r[R_ECX] = 6;
    RUN(h, 0xF3, 0xA6, 0xF4);
    assert_int_equal(reg16(h, R_ECX), 0);
    assert_true(flags(h) & FL_ZF);
}

static void test_repne_scasb_finds_byte(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    memcpy(h->ram + ES(0x200), "ABCXEF", 6);
    h->cpu.r[R_EAX] = 'X';
    h->cpu.r[R_EDI] = 0x200;
    h->cpu.r[R_ECX] = 6;
    RUN(h, 0xF2, 0xAE, 0xF4); /* repne scasb */
    assert_int_equal(reg16(h, R_ECX), 2);
    assert_int_equal(reg16(h, R_EDI), 0x204);
    assert_true(flags(h) & FL_ZF);
}

/* With 0x67 the count is ECX and the indexes ESI/EDI, which do not wrap at 64 KiB. */
static void test_rep_movsb_addr32_uses_ecx_esi_edi(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_ECX] = 0x00010003; /* without 0x67 only CX = 3 counts */
    h->cpu.r[R_ESI] = 0x12340000;
    h->cpu.r[R_EDI] = 0x56780000;
    memcpy(h->ram + DS(0), "xyz", 3);
    RUN(h, 0xF3, 0xA4, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(h->cpu.r[R_ECX], 0x00010000);
    assert_int_equal(h->cpu.r[R_ESI], 0x12340003);
    assert_int_equal(h->cpu.r[R_EDI], 0x56780003);
    assert_memory_equal(h->ram + ES(0), "xyz", 3);

    h = machine(CPU_386);
    h->cpu.r[R_ECX] = 0x00010004;
    h->cpu.r[R_ESI] = 0xFFFE;
    h->cpu.r[R_EDI] = 0;
    poke16(h, DS(0xFFFE), 0x6261);
    RUN(h, 0x67, 0xF3, 0xA4, 0xF4); /* a32 rep movsb */
    /* Two bytes copied, then ESI = 0x10000 is past the limit (precise on the 386). */
    assert_taken(h, EXC_GP, 0);
    assert_int_equal(h->cpu.r[R_ECX], 0x00010002);
    assert_int_equal(h->cpu.r[R_ESI], 0x10000);
    assert_int_equal(h->cpu.r[R_EDI], 2);
    assert_int_equal(peek16(h, ES(0)), 0x6261);

    /* 16-bit addressing wraps SI instead. */
    h = machine(CPU_386);
    h->cpu.r[R_ECX] = 2;
    h->cpu.r[R_ESI] = 0xFFFF;
    poke8(h, DS(0xFFFF), 0x11);
    poke8(h, DS(0), 0x22);
    RUN(h, 0xF3, 0xA4, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(h->cpu.r[R_ESI], 1);
    assert_int_equal(peek16(h, ES(0)), 0x2211);
}

static void test_rep_movsw_with_df_goes_down(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    poke16(h, DS(0x10), 0x1111);
    poke16(h, DS(0x0E), 0x2222);
    poke16(h, DS(0x0C), 0x3333);
    poke16(h, DS(0x0A), 0x4444);
    h->cpu.r[R_ESI] = 0x10;
    h->cpu.r[R_EDI] = 0x20;
    h->cpu.r[R_ECX] = 3;
    RUN(h, 0xFD, 0xF3, 0xA5, 0xF4); /* std; rep movsw */
    assert_halted_at(h, 4);
    assert_int_equal(peek16(h, ES(0x20)), 0x1111);
    assert_int_equal(peek16(h, ES(0x1E)), 0x2222);
    assert_int_equal(peek16(h, ES(0x1C)), 0x3333);
    assert_int_equal(peek16(h, ES(0x1A)), 0);
    assert_int_equal(reg16(h, R_ESI), 0x0A);
    assert_int_equal(reg16(h, R_EDI), 0x1A);
    assert_int_equal(reg16(h, R_ECX), 0);
}

/* From the 386 on, a fault in iteration k leaves SI/DI/CX as they were before iteration
 * k, so the REP instruction restarts there (SDM Vol. 2B "REP", restartable). */
static void test_rep_movsw_fault_midway_is_precise_on_386(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    poke16(h, DS(0xFFFB), 0xAAAA);
    poke16(h, DS(0xFFFD), 0xBBBB);
    h->cpu.r[R_ESI] = 0xFFFB;
    h->cpu.r[R_EDI] = 0;
    h->cpu.r[R_ECX] = 5;
    RUN(h, 0x90, 0xF3, 0xA5, 0xF4); /* nop; rep movsw */
    assert_taken(h, EXC_GP, 1);
    assert_int_equal(reg16(h, R_ESI), 0xFFFF);
    assert_int_equal(reg16(h, R_EDI), 4);
    assert_int_equal(reg16(h, R_ECX), 3);
    assert_int_equal(peek16(h, ES(0)), 0xAAAA);
    assert_int_equal(peek16(h, ES(2)), 0xBBBB);
    assert_int_equal(peek16(h, ES(4)), 0);
}

/* Iterations within a page run in bulk (cpu/ops_string.c); they must come out as one at a
 * time: an overlapping forward copy repeats the first bytes, element by element. */
static void test_rep_movs_overlapping_copies_in_order(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    for (unsigned i = 0; i < 8; i++)
        poke8(h, DS(0x100 + i), (uint8_t)(0xA0 + i));
    /* rep movsb from DS:0x100 to ES:0x101 with ES = DS: the fill idiom. */
    h->cpu.seg[S_ES] = h->cpu.seg[S_DS];
    h->cpu.r[R_ESI] = 0x100;
    h->cpu.r[R_EDI] = 0x101;
    h->cpu.r[R_ECX] = 3000;
    RUN(h, 0xF3, 0xA4, 0xF4);
    assert_halted_at(h, 3);
    for (unsigned i = 0; i <= 3000; i++)
        if (peek8(h, DS(0x100 + i)) != 0xA0)
            fail_msg("byte %u is %02x", i, peek8(h, DS(0x100 + i)));
    assert_int_equal(peek8(h, DS(0x100 + 3001)), 0);
    assert_int_equal(reg16(h, R_ESI), 0x100 + 3000);
    assert_int_equal(reg16(h, R_EDI), 0x101 + 3000);

    /* rep movsd two bytes ahead: each dword read overlaps the one written before it. */
    h = machine(CPU_386);
    h->cpu.seg[S_ES] = h->cpu.seg[S_DS];
    uint8_t want[0x400] = { 0 };
    for (unsigned i = 0; i < 0x10; i++) {
        want[0x200 + i] = (uint8_t)(0x31 * i + 7);
        poke8(h, DS(0x200 + i), want[0x200 + i]);
    }
    for (unsigned j = 0; j < 100; j++) /* the architectural order, one dword at a time */
        memmove(want + 0x202 + 4 * j, want + 0x200 + 4 * j, 4);
    h->cpu.r[R_ESI] = 0x200;
    h->cpu.r[R_EDI] = 0x202;
    h->cpu.r[R_ECX] = 100;
    RUN(h, 0x66, 0xF3, 0xA5, 0xF4); /* rep movsd */
    assert_halted_at(h, 4);
    assert_memory_equal(h->ram + DS(0), want, sizeof want);
    assert_int_equal(reg16(h, R_ECX), 0);
}

/* Bulk runs stop at page ends: a copy and a fill across several pages, odd alignment. */
static void test_rep_movs_stos_across_pages(void **state)
{
    (void)state;
    const unsigned n = 5000; /* dwords: 20000 bytes, five page crossings on each side */
    struct harness *h = machine(CPU_386);
    for (unsigned i = 0; i < 4 * n; i++)
        poke8(h, DS(0x3 + i), (uint8_t)(i * 13 + 5));
    h->cpu.r[R_ESI] = 0x3;
    h->cpu.r[R_EDI] = 0x6;
    h->cpu.r[R_ECX] = n;
    RUN(h, 0x66, 0xF3, 0xA5, 0xF4); /* rep movsd */
    assert_halted_at(h, 4);
    for (unsigned i = 0; i < 4 * n; i++)
        if (peek8(h, ES(0x6 + i)) != (uint8_t)(i * 13 + 5))
            fail_msg("byte %u not copied", i);
    assert_int_equal(peek8(h, ES(0x6 + 4 * n)), 0);
    assert_int_equal(reg16(h, R_ESI), 0x3 + 4 * n);
    assert_int_equal(reg16(h, R_EDI), 0x6 + 4 * n);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x5A;
    h->cpu.r[R_EDI] = 0xFFF;
    h->cpu.r[R_ECX] = 9000;
    RUN(h, 0xF3, 0xAA, 0xF4); /* rep stosb */
    assert_halted_at(h, 3);
    assert_int_equal(peek8(h, ES(0xFFE)), 0);
    for (unsigned i = 0; i < 9000; i++)
        if (peek8(h, ES(0xFFF + i)) != 0x5A)
            fail_msg("byte %u not stored", i);
    assert_int_equal(peek8(h, ES(0xFFF + 9000)), 0);
    assert_int_equal(reg16(h, R_EDI), (0xFFF + 9000) & 0xFFFF);
}

static void test_rep_with_cx_zero_does_nothing(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0xFF;
    h->cpu.r[R_ECX] = 0xFFFF0000u; /* CX = 0 */
    RUN(h, 0xF3, 0xAA, 0xF4); /* rep stosb */
    assert_halted_at(h, 3);
    assert_int_equal(peek8(h, ES(0)), 0);
    assert_int_equal(h->cpu.r[R_EDI], 0);
    assert_int_equal(h->cpu.r[R_ECX], 0xFFFF0000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rep_movsb_longer_than_chunk_resumes),
        cmocka_unit_test(test_rep_movsb_interrupted_between_chunks),
        cmocka_unit_test(test_repe_cmpsb_stops_at_first_difference),
        cmocka_unit_test(test_repne_scasb_finds_byte),
        cmocka_unit_test(test_rep_movsb_addr32_uses_ecx_esi_edi),
        cmocka_unit_test(test_rep_movsw_with_df_goes_down),
        cmocka_unit_test(test_rep_movsw_fault_midway_is_precise_on_386),
        cmocka_unit_test(test_rep_movs_overlapping_copies_in_order),
        cmocka_unit_test(test_rep_movs_stos_across_pages),
        cmocka_unit_test(test_rep_with_cx_zero_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
