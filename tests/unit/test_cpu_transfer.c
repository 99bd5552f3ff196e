/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): control transfer: INT/IRET, INTO, BOUND, LOOP, Jcc. */
#include "cpu_rig.h"

/* ---- control transfer ---- */

static void test_int_iret_round_trip(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    poke16(h, 0x80 * 4, 0x0100); /* IVT[0x80] = 1000:0100 */
    poke16(h, 0x80 * 4 + 2, H_CODE_SEG);
    static const uint8_t handler[] = { 0xB8, 0x34, 0x12, /* mov ax, 0x1234 */
                                       0x9C, 0x5B,       /* pushf; pop bx */
                                       0xCF };           /* iret */
    memcpy(h->ram + CODE(0x100), handler, sizeof handler);
    cpu_set_eflags(&h->cpu, FL_IF | FL_CF | 0x2);
    RUN(h, 0xCD, 0x80, 0xF4); /* int 0x80; hlt */
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x1234);
    assert_int_equal(reg16(h, R_EBX), FL_CF | 0x2); /* IF cleared in the handler */
    assert_int_equal(flags(h), FL_IF | FL_CF | 0x2);
    assert_int_equal(reg16(h, R_ESP), 0x1000);
    /* The frame the INT left behind: IP, CS, FLAGS. */
    assert_int_equal(peek16(h, SS(0xFFA)), 2);
    assert_int_equal(peek16(h, SS(0xFFC)), H_CODE_SEG);
    assert_int_equal(peek16(h, SS(0xFFE)), FL_IF | FL_CF | 0x2);
}

/* INTO is a trap: taken only with OF = 1, returning after it. */
static void test_into_traps_only_with_of(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    RUN(h, 0xB0, 0x7F, 0x04, 0x01, 0xCE, 0xF4); /* mov al, 0x7f; add al, 1; into */
    assert_taken(h, EXC_OF, 5);
    assert_true(pushed_flags(h) & FL_OF);

    h = machine(CPU_386);
    RUN(h, 0xB0, 0x01, 0x04, 0x01, 0xCE, 0xF4);
    assert_halted_at(h, 6);
}

static void test_int3_pushes_next_ip(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    RUN(h, 0x90, 0xCC, 0xF4);
    assert_taken(h, EXC_BP, 2);
}

/* BOUND (SDM Vol. 2A): signed compare against [m] and [m + size]; #BR is a fault. */
static void test_bound_out_of_range_raises_br(void **state)
{
    (void)state;
    static const struct { uint16_t v; bool fault; } cases[] = {
        { 21, true }, { 20, false }, { 10, false }, { 9, true }, { 0xFFFF, true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct harness *h = machine(CPU_286);
        h->cpu.r[R_EBX] = 0x10;
        poke16(h, DS(0x10), 10);
        poke16(h, DS(0x12), 20);
        h->cpu.r[R_EAX] = cases[i].v;
        RUN(h, 0x62, 0x07, 0xF4); /* bound ax, [bx] */
        if (cases[i].fault)
            assert_taken(h, EXC_BR, 0);
        else
            assert_halted_at(h, 3);
    }

    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x10;
    poke32(h, DS(0x10), (uint32_t)-5);
    poke32(h, DS(0x14), 100000);
    h->cpu.r[R_EAX] = 100001;
    RUN(h, 0x66, 0x62, 0x07, 0xF4); /* bound eax, [bx] */
    assert_taken(h, EXC_BR, 0);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x10;
    poke32(h, DS(0x10), (uint32_t)-5);
    poke32(h, DS(0x14), 100000);
    h->cpu.r[R_EAX] = (uint32_t)-5;
    RUN(h, 0x66, 0x62, 0x07, 0xF4);
    assert_halted_at(h, 4);

    h = machine(CPU_386);
    RUN(h, 0x62, 0xC0, 0xF4); /* bound ax, ax: register form is #UD */
    assert_taken(h, EXC_UD, 0);
}

/* Real-mode INT n with the vector past the IDTR limit is #GP, a fault at the INT (SDM
 * Vol. 2A "INT n", REAL-ADDRESS-MODE). */
static void test_int_vector_beyond_idt_limit_is_gp(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.idtr.limit = 0x3F; /* vectors 0-15 */
    RUN(h, 0x90, 0xCD, 0x20, 0xF4);
    assert_taken(h, EXC_GP, 1);

    h = machine(CPU_386);
    h->cpu.idtr.limit = 0x3F;
    RUN(h, 0xCD, 0x0F, 0xF4); /* vector 15 ends at 0x3F: inside */
    assert_taken(h, 0x0F, 2);
}

/* Pushes wrap within the 64 KiB stack segment: SP = 0 pushes at 0xFFFE. */
static void test_interrupt_frame_wraps_stack_at_sp_0(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_ESP] = 0;
    RUN(h, 0xCC, 0xF4);
    assert_taken(h, EXC_BP, 1);
    assert_int_equal(reg16(h, R_ESP), 0xFFFA);
    assert_int_equal(peek16(h, SS(0xFFFE)) & 0x2, 0x2); /* FLAGS */
}

/* IRET in real mode loads all of FLAGS the model can hold (SDM Vol. 2A "IRET"). */
static void test_iret_loads_flags_by_model(void **state)
{
    (void)state;
    static const uint8_t code[] = { 0x68, 0xFF, 0xFE, /* push 0xfeff (flags) */
                                    0x0E,             /* push cs */
                                    0x68, 0x09, 0x00, /* push 9 */
                                    0xCF,             /* iret */
                                    0x90, 0xF4 };     /* [8] nop [9] hlt */
    struct harness *h = machine(CPU_286);
    load(h, code, sizeof code);
    run(h);
    assert_halted_at(h, 10);
    assert_int_equal(flags(h), 0x0ED7);
    assert_int_equal(reg16(h, R_ESP), 0x1000);

    h = machine(CPU_386);
    load(h, code, sizeof code);
    run(h);
    assert_halted_at(h, 10);
    assert_int_equal(flags(h), 0x7ED7);
}

/* A fetch past the CS limit faults with IP at the instruction's first byte. */
static void test_instruction_crossing_cs_limit_is_gp(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    poke8(h, CODE(0xFFFF), 0xB8); /* mov ax, imm16: the immediate is past 0xFFFF */
    h->cpu.eip = 0xFFFF;
    run(h);
    assert_taken(h, EXC_GP, 0xFFFF);
}

/* MOVS reads through the override; the destination is always ES:DI. */
static void test_movs_segment_override_applies_to_source(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    poke8(h, ES(0x10), 0xE5);
    poke8(h, DS(0x10), 0xD5);
    h->cpu.r[R_ESI] = 0x10;
    h->cpu.r[R_EDI] = 0x20;
    RUN(h, 0x26, 0xA4, 0xF4); /* es: movsb */
    assert_int_equal(peek8(h, ES(0x20)), 0xE5);
    assert_int_equal(peek8(h, DS(0x20)), 0);
}

/* LOOP counts in ECX under 0x67 (SDM Vol. 2A "LOOP/LOOPcc"). */
static void test_loop_address_size_selects_cx_or_ecx(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_ECX] = 0x00010001; /* CX = 1: falls through at once */
    RUN(h, 0xE2, 0xFE, 0xF4);     /* loop $ */
    assert_halted_at(h, 3);
    assert_int_equal(h->cpu.r[R_ECX], 0x00010000);

    h = machine(CPU_386);
    h->cpu.r[R_ECX] = 0x00010001;
    LOAD(h, 0x67, 0xE2, 0xFD, 0xF4); /* a32 loop $ */
    cpu_run(&h->cpu, 5);
    assert_int_equal(h->cpu.r[R_ECX], 0x0000FFFC);
    assert_int_equal(h->cpu.eip, 0);
}

static void test_jcc_rel16_rel32(void **state)
{
    (void)state;
    uint8_t code[0x40];
    struct harness *h = machine(CPU_386);
    memset(code, 0x90, sizeof code);
    memcpy(code, (const uint8_t[]){ 0x31, 0xC0, 0x0F, 0x84, 0x10, 0x00 }, 6); /* xor; je +0x10 */
    code[6] = 0xF4;
    code[0x16] = 0xF4;
    load(h, code, sizeof code);
    run(h);
    assert_halted_at(h, 0x17);

    h = machine(CPU_386);
    memset(code, 0x90, sizeof code);
    memcpy(code, (const uint8_t[]){ 0x31, 0xC0, 0x0F, 0x85, 0x10, 0x00 }, 6); /* jne: not taken */
    code[6] = 0xF4;
    code[0x16] = 0xF4;
    load(h, code, sizeof code);
    run(h);
    assert_halted_at(h, 7);

    h = machine(CPU_386);
    memset(code, 0x90, sizeof code);
    memcpy(code, (const uint8_t[]){ 0x31, 0xC0, 0x66, 0x0F, 0x84, 0x20, 0x00, 0x00, 0x00 }, 9);
    code[9] = 0xF4;
    code[0x29] = 0xF4;
    load(h, code, sizeof code);
    run(h);
    assert_halted_at(h, 0x2A);

    /* Backwards: jmp 5; [2] hlt; ...; [5] xor ax, ax; [7] je -9 → 2 */
    h = machine(CPU_386);
    memset(code, 0x90, sizeof code);
    memcpy(code, (const uint8_t[]){ 0xEB, 0x03, 0xF4, 0x90, 0x90, 0x31, 0xC0,
                                    0x0F, 0x84, 0xF7, 0xFF, 0xF4 }, 12);
    load(h, code, sizeof code);
    run(h);
    assert_halted_at(h, 3);

    /* A rel32 target past the CS limit is #GP; IP stays on the Jcc. */
    h = machine(CPU_386);
    memset(code, 0x90, sizeof code);
    memcpy(code, (const uint8_t[]){ 0x31, 0xC0, 0x66, 0x0F, 0x84,
                                    0x00, 0x00, 0x01, 0x00, 0xF4 }, 10); /* je +0x10000 */
    load(h, code, sizeof code);
    run(h);
    assert_taken(h, EXC_GP, 2);

    h = machine(CPU_286);
    RUN(h, 0x0F, 0x84, 0x00, 0x00, 0xF4);
    assert_taken(h, EXC_UD, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_iret_round_trip),
        cmocka_unit_test(test_into_traps_only_with_of),
        cmocka_unit_test(test_int3_pushes_next_ip),
        cmocka_unit_test(test_bound_out_of_range_raises_br),
        cmocka_unit_test(test_int_vector_beyond_idt_limit_is_gp),
        cmocka_unit_test(test_interrupt_frame_wraps_stack_at_sp_0),
        cmocka_unit_test(test_iret_loads_flags_by_model),
        cmocka_unit_test(test_instruction_crossing_cs_limit_is_gp),
        cmocka_unit_test(test_movs_segment_override_applies_to_source),
        cmocka_unit_test(test_loop_address_size_selects_cx_or_ecx),
        cmocka_unit_test(test_jcc_rel16_rel32),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
