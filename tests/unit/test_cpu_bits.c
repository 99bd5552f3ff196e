/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): bit instructions: BT/BTS/BTR/BTC, BSF/BSR, SHLD/SHRD. */
#include "cpu_rig.h"

/* BT/BTS/BTR/BTC with a register bit offset and a memory operand address the bit string
 * relative to the operand: offset >> 4 (>> 5) words (dwords) away, signed (SDM Vol. 2A
 * "BT", Figure 3-2 / bit base addressing). */
static struct harness *bt_machine(void)
{
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x20;
    return h;
}

static void test_bt_register_offset_beyond_operand(void **state)
{
    (void)state;
    struct harness *h = bt_machine();
    poke16(h, DS(0x20), 0x0008); /* bit 3 of the operand itself: must not be used */
    h->cpu.r[R_EAX] = 35;        /* word at +4, bit 3 */
    RUN(h, 0x0F, 0xA3, 0x07, 0xF4); /* bt [bx], ax */
    assert_false(flags(h) & FL_CF);

    h = bt_machine();
    poke16(h, DS(0x24), 0x0008);
    h->cpu.r[R_EAX] = 35;
    RUN(h, 0x0F, 0xA3, 0x07, 0xF4);
    assert_true(flags(h) & FL_CF);

    h = bt_machine();
    poke16(h, DS(0x22), 0xFFFF);
    h->cpu.r[R_EAX] = 16;
    RUN(h, 0x0F, 0xB3, 0x07, 0xF4); /* btr [bx], ax: word at +2, bit 0 */
    assert_int_equal(peek16(h, DS(0x22)), 0xFFFE);
    assert_true(flags(h) & FL_CF);

    h = bt_machine();
    h->cpu.r[R_EAX] = 33;
    RUN(h, 0x0F, 0xBB, 0x07, 0xF4); /* btc [bx], ax: word at +4, bit 1 */
    assert_int_equal(peek16(h, DS(0x24)), 0x0002);
    assert_false(flags(h) & FL_CF);

    h = bt_machine();
    h->cpu.r[R_EAX] = 100; /* dword at +12, bit 4 */
    RUN(h, 0x66, 0x0F, 0xAB, 0x07, 0xF4); /* bts [bx], eax */
    assert_int_equal(peek32(h, DS(0x2C)), 0x10);
    assert_int_equal(peek32(h, DS(0x20)), 0);
}

static void test_bt_negative_register_offset(void **state)
{
    (void)state;
    struct harness *h = bt_machine();
    h->cpu.r[R_EAX] = 0xFFFF; /* -1: word at -2, bit 15 */
    RUN(h, 0x0F, 0xAB, 0x07, 0xF4); /* bts [bx], ax */
    assert_int_equal(peek16(h, DS(0x1E)), 0x8000);
    assert_int_equal(peek16(h, DS(0x20)), 0);
    assert_false(flags(h) & FL_CF);

    h = bt_machine();
    h->cpu.r[R_EAX] = 0xFFFFFFFFu; /* -1: dword at -4, bit 31 */
    RUN(h, 0x66, 0x0F, 0xAB, 0x07, 0xF4); /* bts [bx], eax */
    assert_int_equal(peek32(h, DS(0x1C)), 0x80000000u);
    assert_int_equal(peek32(h, DS(0x20)), 0);

    h = bt_machine();
    h->cpu.r[R_EAX] = (uint32_t)-33; /* dword at -8, bit 31 */
    poke32(h, DS(0x18), 0x80000000u);
    RUN(h, 0x66, 0x0F, 0xA3, 0x07, 0xF4); /* bt [bx], eax */
    assert_true(flags(h) & FL_CF);
}

/* An immediate bit offset is taken modulo the operand size; a register operand too. */
static void test_bt_immediate_and_register_operand_offsets_wrap(void **state)
{
    (void)state;
    struct harness *h = bt_machine();
    poke16(h, DS(0x20), 0x0008);
    RUN(h, 0x0F, 0xBA, 0x27, 0x23, 0xF4); /* bt word [bx], 35 */
    assert_true(flags(h) & FL_CF);

    h = bt_machine();
    h->cpu.r[R_ECX] = 35;
    h->cpu.r[R_EAX] = 0;
    RUN(h, 0x0F, 0xAB, 0xC8, 0xF4); /* bts ax, cx */
    assert_int_equal(ax(h), 0x0008);
    assert_false(flags(h) & FL_CF);
}

/* BSF/BSR: index of the lowest/highest set bit; a zero source sets ZF and leaves the
 * destination as it was (SDM Vol. 2A "BSF": content undefined; Intel parts keep it). */
static void test_bsf_bsr(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x0018;
    RUN(h, 0x0F, 0xBC, 0xC3, 0x0F, 0xBD, 0xCB, 0xF4); /* bsf ax, bx; bsr cx, bx */
    assert_int_equal(ax(h), 3);
    assert_int_equal(reg16(h, R_ECX), 4);
    assert_false(flags(h) & FL_ZF);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x80000001u;
    RUN(h, 0x66, 0x0F, 0xBD, 0xC3, 0x66, 0x0F, 0xBC, 0xCB, 0xF4); /* bsr eax, ebx; bsf ecx, ebx */
    assert_int_equal(h->cpu.r[R_EAX], 31);
    assert_int_equal(h->cpu.r[R_ECX], 0);
}

static void test_bsf_zero_source_sets_zf_keeps_destination(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0;
    h->cpu.r[R_EAX] = 0x5555;
    h->cpu.r[R_ECX] = 0x12345678;
    RUN(h, 0x0F, 0xBC, 0xC3, 0x66, 0x0F, 0xBD, 0xCB, 0xF4); /* bsf ax, bx; bsr ecx, ebx */
    assert_int_equal(ax(h), 0x5555);
    assert_int_equal(h->cpu.r[R_ECX], 0x12345678);
    assert_true(flags(h) & FL_ZF);
}

/* SHLD/SHRD (SDM Vol. 2B): CF is the last bit shifted out of the destination. */
static void test_shld_shrd(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x12345678;
    h->cpu.r[R_EBX] = 0x9ABCDEF1;
    RUN(h, 0x66, 0x0F, 0xA4, 0xD8, 0x04, 0xF4); /* shld eax, ebx, 4 */
    assert_int_equal(h->cpu.r[R_EAX], 0x23456789);
    assert_true(flags(h) & FL_CF); /* bit 28 of 0x12345678 */
    assert_int_equal(h->cpu.r[R_EBX], 0x9ABCDEF1);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x12345678;
    h->cpu.r[R_EBX] = 0x9ABCDEF1;
    RUN(h, 0x66, 0x0F, 0xAC, 0xD8, 0x04, 0xF4); /* shrd eax, ebx, 4 */
    assert_int_equal(h->cpu.r[R_EAX], 0x11234567);
    assert_true(flags(h) & FL_CF); /* bit 3 of 0x12345678 */

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x1234;
    h->cpu.r[R_EBX] = 0x5678;
    h->cpu.r[R_ECX] = 4;
    RUN(h, 0x0F, 0xA5, 0xD8, 0xF4); /* shld ax, bx, cl */
    assert_int_equal(ax(h), 0x2345);
    assert_true(flags(h) & FL_CF);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_EDX] = 0xFFFF;
    poke16(h, DS(0x40), 0x8001);
    RUN(h, 0x0F, 0xAC, 0x17, 0x08, 0xF4); /* shrd [bx], dx, 8 */
    assert_int_equal(peek16(h, DS(0x40)), 0xFF80);
    assert_false(flags(h) & FL_CF); /* bit 7 of 0x8001 */

    /* A zero count changes nothing. */
    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x1234;
    h->cpu.r[R_EBX] = 0x5678;
    cpu_set_eflags(&h->cpu, FL_CF | 0x2);
    RUN(h, 0x0F, 0xA4, 0xD8, 0x20, 0xF4); /* shld ax, bx, 32 (masks to 0) */
    assert_int_equal(ax(h), 0x1234);
    assert_true(flags(h) & FL_CF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bt_register_offset_beyond_operand),
        cmocka_unit_test(test_bt_negative_register_offset),
        cmocka_unit_test(test_bt_immediate_and_register_operand_offsets_wrap),
        cmocka_unit_test(test_bsf_bsr),
        cmocka_unit_test(test_bsf_zero_source_sets_zf_keeps_destination),
        cmocka_unit_test(test_shld_shrd),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
