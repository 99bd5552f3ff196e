/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): stack frames: ENTER/LEAVE, PUSHA/POPA, PUSHF/POPF. */
#include "cpu_rig.h"

/* ENTER (SDM Vol. 2A "ENTER" operation): push BP, copy level - 1 frame pointers from
 * [BP - size * i], push the new frame pointer, BP = frame, SP -= allocation. */
static void test_enter_leave_16bit_nesting(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EBP] = 0x0F00;
    poke16(h, SS(0x0EFE), 0xAAAA);
    poke16(h, SS(0x0EFC), 0xBBBB);
    LOAD(h, 0xC8, 0x08, 0x00, 0x03, 0xC9, 0xF4); /* enter 8, 3; leave; hlt */
    cpu_run(&h->cpu, 1);
    assert_int_equal(reg16(h, R_EBP), 0x0FFE);
    assert_int_equal(reg16(h, R_ESP), 0x0FF0);
    assert_int_equal(peek16(h, SS(0xFFE)), 0x0F00);
    assert_int_equal(peek16(h, SS(0xFFC)), 0xAAAA);
    assert_int_equal(peek16(h, SS(0xFFA)), 0xBBBB);
    assert_int_equal(peek16(h, SS(0xFF8)), 0x0FFE);
    run(h);
    assert_halted_at(h, 6);
    assert_int_equal(reg16(h, R_ESP), 0x1000);
    assert_int_equal(reg16(h, R_EBP), 0x0F00);
}

static void test_enter_leave_32bit_nesting(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBP] = 0x0F00;
    poke32(h, SS(0x0EFC), 0x11223344);
    LOAD(h, 0x66, 0xC8, 0x08, 0x00, 0x02, 0x66, 0xC9, 0xF4); /* enter 8, 2 (o32); leave */
    cpu_run(&h->cpu, 1);
    assert_int_equal(h->cpu.r[R_EBP], 0x0FFC);
    assert_int_equal(h->cpu.r[R_ESP], 0x0FEC);
    assert_int_equal(peek32(h, SS(0xFFC)), 0x0F00);
    assert_int_equal(peek32(h, SS(0xFF8)), 0x11223344);
    assert_int_equal(peek32(h, SS(0xFF4)), 0x0FFC);
    run(h);
    assert_halted_at(h, 8);
    assert_int_equal(h->cpu.r[R_ESP], 0x1000);
    assert_int_equal(h->cpu.r[R_EBP], 0x0F00);
}

static void test_enter_levels_0_1_and_32(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBP] = 0x1234;
    RUN(h, 0xC8, 0x04, 0x00, 0x00, 0xF4); /* enter 4, 0 */
    assert_int_equal(peek16(h, SS(0xFFE)), 0x1234);
    assert_int_equal(reg16(h, R_EBP), 0x0FFE);
    assert_int_equal(reg16(h, R_ESP), 0x0FFA);

    h = machine(CPU_386);
    h->cpu.r[R_EBP] = 0x1234;
    RUN(h, 0xC8, 0x04, 0x00, 0x01, 0xF4); /* enter 4, 1 */
    assert_int_equal(peek16(h, SS(0xFFE)), 0x1234);
    assert_int_equal(peek16(h, SS(0xFFC)), 0x0FFE);
    assert_int_equal(reg16(h, R_EBP), 0x0FFE);
    assert_int_equal(reg16(h, R_ESP), 0x0FF8);

    h = machine(CPU_386);
    h->cpu.r[R_EBP] = 0x1234;
    RUN(h, 0xC8, 0x00, 0x00, 0x20, 0xF4); /* enter 0, 32: the level is taken mod 32 */
    assert_int_equal(reg16(h, R_EBP), 0x0FFE);
    assert_int_equal(reg16(h, R_ESP), 0x0FFE);
}

/* A 32-bit ENTER on a 16-bit stack (66 C8 in real mode): the pushes move SP only, and
 * FrameTemp is all of ESP (SDM Vol. 2A "ENTER": FrameTemp <- ESP), so EBP and the pushed
 * frame pointer carry ESP's upper half; the outer frame is read at BP - 4, not EBP - 4. */
static void test_enter_o32_on_16bit_stack_frame_is_esp(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_ESP] = 0xABCD1000;
    h->cpu.r[R_EBP] = 0x12340F00;
    poke32(h, SS(0x0EFC), 0x55667788);
    RUN(h, 0x66, 0xC8, 0x10, 0x00, 0x02, 0xF4); /* o32 enter 0x10, 2 */
    assert_halted_at(h, 6);
    assert_int_equal(peek32(h, SS(0xFFC)), 0x12340F00);
    assert_int_equal(peek32(h, SS(0xFF8)), 0x55667788);
    assert_int_equal(peek32(h, SS(0xFF4)), 0xABCD0FFC);
    assert_int_equal(h->cpu.r[R_EBP], 0xABCD0FFC);
    assert_int_equal(h->cpu.r[R_ESP], 0xABCD0FE4);
}

/* POP m16 (8F /0) increments SP before it writes the destination (SDM Vol. 2B "POP"). On
 * the 286 a write that faults leaves SP incremented: the #GP frame of POP [0xFFFF] (a word
 * past the DS limit) goes below SP + 2. From the 386 on the fault restores SP first. */
static void test_pop_m16_write_fault_sp_by_model(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    poke16(h, SS(0x1000), 0x4321);
    RUN(h, 0x8F, 0x06, 0xFF, 0xFF, 0xF4); /* pop word [0xFFFF] */
    assert_taken(h, EXC_GP, 0);
    assert_int_equal(reg16(h, R_ESP), 0x1002 - 6);
    assert_int_equal(peek8(h, DS(0xFFFF)), 0);

    h = machine(CPU_386);
    poke16(h, SS(0x1000), 0x4321);
    RUN(h, 0x8F, 0x06, 0xFF, 0xFF, 0xF4);
    assert_taken(h, EXC_GP, 0);
    assert_int_equal(reg16(h, R_ESP), 0x1000 - 6);

    h = machine(CPU_286); /* a register destination or a good write: SP + 2 as usual */
    poke16(h, SS(0x1000), 0x4321);
    RUN(h, 0x8F, 0x06, 0x10, 0x00, 0xF4); /* pop word [0x0010] */
    assert_halted_at(h, 5);
    assert_int_equal(reg16(h, R_ESP), 0x1002);
    assert_int_equal(peek16(h, DS(0x0010)), 0x4321);
}

static void test_pusha_popa_round_trip(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    for (int r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            h->cpu.r[r] = 0x1111u * (unsigned)(r + 1);
    LOAD(h, 0x60, 0x61, 0xF4); /* pusha; popa */
    cpu_run(&h->cpu, 1);
    assert_int_equal(reg16(h, R_ESP), 0x0FF0);
    /* AX CX DX BX SP(original) BP SI DI, from high to low addresses */
    assert_int_equal(peek16(h, SS(0xFFE)), 0x1111);
    assert_int_equal(peek16(h, SS(0xFFC)), 0x2222);
    assert_int_equal(peek16(h, SS(0xFFA)), 0x3333);
    assert_int_equal(peek16(h, SS(0xFF8)), 0x4444);
    assert_int_equal(peek16(h, SS(0xFF6)), 0x1000);
    assert_int_equal(peek16(h, SS(0xFF4)), 0x6666);
    assert_int_equal(peek16(h, SS(0xFF2)), 0x7777);
    assert_int_equal(peek16(h, SS(0xFF0)), 0x8888);
    for (int r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            h->cpu.r[r] = 0;
    poke16(h, SS(0xFF6), 0xDEAD); /* POPA skips the SP slot */
    run(h);
    assert_int_equal(reg16(h, R_ESP), 0x1000);
    for (int r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            assert_int_equal(reg16(h, r), 0x1111u * (unsigned)(r + 1));

    h = machine(CPU_386);
    for (int r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            h->cpu.r[r] = 0x11111111u * (unsigned)(r + 1);
    LOAD(h, 0x66, 0x60, 0x66, 0x61, 0xF4); /* pushad; popad */
    cpu_run(&h->cpu, 1);
    assert_int_equal(h->cpu.r[R_ESP], 0x0FE0);
    assert_int_equal(peek32(h, SS(0xFFC)), 0x11111111);
    assert_int_equal(peek32(h, SS(0xFEC)), 0x1000);
    assert_int_equal(peek32(h, SS(0xFE0)), 0x88888888u);
    for (int r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            h->cpu.r[r] = 0;
    run(h);
    assert_int_equal(h->cpu.r[R_ESP], 0x1000);
    assert_int_equal(h->cpu.r[R_EDI], 0x88888888u);
    assert_int_equal(h->cpu.r[R_EAX], 0x11111111u);
}

/* POPF 0xFEFF, PUSHF: a 286 in real mode keeps FLAGS bits 12-15 clear (how software tells
 * a 286 from a 386: SDM Vol. 3B ch. 22 "Architecture Compatibility", EFLAGS); the 386
 * keeps IOPL and NT, and bit 15 reads 0. */
static void test_pushf_popf_iopl_nt_by_model(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    RUN(h, 0x68, 0xFF, 0xFE, 0x9D, 0x9C, 0x58, 0xF4); /* push 0xfeff; popf; pushf; pop ax */
    assert_halted_at(h, 7);
    assert_int_equal(ax(h), 0x0ED7);

    h = machine(CPU_386);
    RUN(h, 0x68, 0xFF, 0xFE, 0x9D, 0x9C, 0x58, 0xF4);
    assert_halted_at(h, 7);
    assert_int_equal(ax(h), 0x7ED7);
    assert_int_equal(flags(h) & (FL_IOPL | FL_NT), FL_IOPL | FL_NT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enter_leave_16bit_nesting),
        cmocka_unit_test(test_enter_leave_32bit_nesting),
        cmocka_unit_test(test_enter_levels_0_1_and_32),
        cmocka_unit_test(test_enter_o32_on_16bit_stack_frame_is_esp),
        cmocka_unit_test(test_pop_m16_write_fault_sp_by_model),
        cmocka_unit_test(test_pusha_popa_round_trip),
        cmocka_unit_test(test_pushf_popf_iopl_nt_by_model),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
