/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): the interrupt shadow after STI, MOV SS and POP SS, single-step traps, HLT wake-up. */
#include "cpu_rig.h"

/* ---- the interrupt shadow (SDM Vol. 3A §6.8.3, Vol. 2B "STI", "MOV", "POP") ---- */


/* STI with IF=0: the instruction after STI runs before the pending interrupt. */
static void test_sti_inhibits_irq(void **state)
{
    (void)state;
    struct harness *h = irq_machine(0x0002);
    h->cpu.intr_line = 1;
    LOAD(h, 0xFB, 0x90, 0x90, 0xF4); /* sti; nop; nop; hlt */
    cpu_run(&h->cpu, 1);              /* IF=0: no interrupt before STI */
    assert_int_equal(h->cpu.eip, 1);
    assert_true(flags(h) & FL_IF);
    assert_int_equal(acks, 0);
    cpu_run(&h->cpu, 1);              /* the shadowed NOP */
    assert_int_equal(h->cpu.eip, 2);
    assert_int_equal(acks, 0);
    run(h);
    assert_int_equal(acks, 1);
    assert_taken(h, 0x40, 2);
    assert_true(pushed_flags(h) & FL_IF);
    assert_false(flags(h) & FL_IF); /* cleared on entry */
}

/* STI with IF already 1 opens no shadow: the interrupt comes right after it. */
static void test_sti_with_if_set_does_not_inhibit_irq(void **state)
{
    (void)state;
    struct harness *h = irq_machine(FL_IF | 0x2);
    LOAD(h, 0xFB, 0x90, 0xF4); /* sti; nop; hlt */
    cpu_run(&h->cpu, 1);
    h->cpu.intr_line = 1;
    run(h);
    assert_taken(h, 0x40, 1);
}

static void test_mov_ss_inhibits_irq(void **state)
{
    (void)state;
    struct harness *h = irq_machine(FL_IF | 0x2);
    h->cpu.r[R_EAX] = 0x4000;
    LOAD(h, 0x8E, 0xD0, 0x90, 0xF4); /* mov ss, ax; nop; hlt */
    cpu_run(&h->cpu, 1);
    h->cpu.intr_line = 1;
    cpu_run(&h->cpu, 1); /* NOP runs inside the shadow */
    assert_int_equal(h->cpu.eip, 3);
    assert_int_equal(acks, 0);
    run(h);
    assert_taken(h, 0x40, 3);

    /* Control: MOV DS opens no shadow. */
    h = irq_machine(FL_IF | 0x2);
    h->cpu.r[R_EAX] = 0x2000;
    LOAD(h, 0x8E, 0xD8, 0x90, 0xF4); /* mov ds, ax; nop; hlt */
    cpu_run(&h->cpu, 1);
    h->cpu.intr_line = 1;
    run(h);
    assert_taken(h, 0x40, 2);
}

static void test_pop_ss_inhibits_irq(void **state)
{
    (void)state;
    struct harness *h = irq_machine(FL_IF | 0x2);
    poke16(h, SS(0x1000), 0x4000);
    LOAD(h, 0x17, 0x90, 0xF4); /* pop ss; nop; hlt */
    cpu_run(&h->cpu, 1);
    assert_int_equal(reg16(h, R_ESP), 0x1002);
    h->cpu.intr_line = 1;
    cpu_run(&h->cpu, 1);
    assert_int_equal(h->cpu.eip, 2);
    assert_int_equal(acks, 0);
    run(h);
    assert_taken(h, 0x40, 2);
    assert_int_equal(reg16(h, R_ESP), 0x1002 - 6);

    /* Control: POP DS opens no shadow. */
    h = irq_machine(FL_IF | 0x2);
    poke16(h, SS(0x1000), 0x2000);
    LOAD(h, 0x1F, 0x90, 0xF4); /* pop ds; nop; hlt */
    cpu_run(&h->cpu, 1);
    h->cpu.intr_line = 1;
    run(h);
    assert_taken(h, 0x40, 1);
}

/* Only MOV SS and POP SS open the shadow (SDM Vol. 3A §6.8.3); LSS loads SS and SP in one
 * instruction, so it needs none and has none (Vol. 2A "LDS/LES/LFS/LGS/LSS"). */
static void test_lss_does_not_inhibit_irq(void **state)
{
    (void)state;
    struct harness *h = irq_machine(FL_IF | 0x2);
    poke16(h, DS(0x40), 0x0800); /* SP */
    poke16(h, DS(0x42), 0x4000); /* SS */
    LOAD(h, 0x0F, 0xB2, 0x26, 0x40, 0x00, 0x90, 0xF4); /* lss sp, [0x40]; nop; hlt */
    cpu_run(&h->cpu, 1);
    assert_int_equal(reg16(h, R_ESP), 0x0800);
    h->cpu.intr_line = 1;
    run(h);
    assert_taken(h, 0x40, 5);
}

/* Single-step: the #DB trap after MOV SS is suppressed; the next instruction's is taken
 * (SDM Vol. 3A §6.8.3, §17.3.1.4). */
static void test_mov_ss_suppresses_single_step_trap(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    cpu_set_eflags(&h->cpu, FL_TF | 0x2);
    h->cpu.r[R_EAX] = 0x4000;
    LOAD(h, 0x8E, 0xD0, 0x90, 0x90, 0xF4); /* mov ss, ax; nop; nop; hlt */
    cpu_run(&h->cpu, 1);
    assert_int_equal(h->cpu.seg[S_CS].sel, H_CODE_SEG);
    assert_int_equal(h->cpu.eip, 2);
    run(h);
    assert_taken(h, EXC_DB, 3);
    assert_true(pushed_flags(h) & FL_TF);
    assert_false(flags(h) & FL_TF);
    assert_true(h->cpu.dr[6] & (1u << 14)); /* DR6.BS */
}

static void test_pop_ss_suppresses_single_step_trap(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    cpu_set_eflags(&h->cpu, FL_TF | 0x2);
    poke16(h, SS(0x1000), 0x4000);
    LOAD(h, 0x17, 0x90, 0x90, 0xF4); /* pop ss; nop; nop; hlt */
    cpu_run(&h->cpu, 1);
    assert_int_equal(h->cpu.seg[S_CS].sel, H_CODE_SEG);
    run(h);
    assert_taken(h, EXC_DB, 2);
}

static void test_single_step_traps_after_each_instruction(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    cpu_set_eflags(&h->cpu, FL_TF | 0x2);
    h->cpu.r[R_EAX] = 0x2000;
    RUN(h, 0x8E, 0xD8, 0x90, 0xF4); /* mov ds, ax; nop; hlt */
    assert_taken(h, EXC_DB, 2);
    assert_int_equal(h->cpu.seg[S_DS].sel, 0x2000);
    assert_true(pushed_flags(h) & FL_TF);
}

/* SDM Vol. 3A §17.3.1.4: no single-step trap after the instruction that sets TF (POPF);
 * the trap comes after the instruction that follows it. */
static void test_popf_setting_tf_traps_after_next_instruction(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    RUN(h, 0x68, 0x02, 0x01, /* push 0x0102 */
           0x9D,             /* popf: TF = 1 */
           0x90, 0x90, 0xF4);
    assert_taken(h, EXC_DB, 5);
}

/* HLT ends when an interrupt arrives; the frame returns to the instruction after HLT. */
static void test_hlt_wakes_on_irq_returning_after_hlt(void **state)
{
    (void)state;
    struct harness *h = irq_machine(FL_IF | 0x2);
    RUN(h, 0x90, 0xF4, 0x90, 0xF4);
    assert_halted_at(h, 2);
    assert_int_equal(cpu_run(&h->cpu, 10), 0); /* nothing to wake it */
    h->cpu.intr_line = 1;
    cpu_run(&h->cpu, 1); /* the interrupt, then the handler's HLT */
    assert_taken(h, 0x40, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sti_inhibits_irq),
        cmocka_unit_test(test_sti_with_if_set_does_not_inhibit_irq),
        cmocka_unit_test(test_mov_ss_inhibits_irq),
        cmocka_unit_test(test_pop_ss_inhibits_irq),
        cmocka_unit_test(test_lss_does_not_inhibit_irq),
        cmocka_unit_test(test_mov_ss_suppresses_single_step_trap),
        cmocka_unit_test(test_pop_ss_suppresses_single_step_trap),
        cmocka_unit_test(test_single_step_traps_after_each_instruction),
        cmocka_unit_test(test_popf_setting_tf_traps_after_next_instruction),
        cmocka_unit_test(test_hlt_wakes_on_irq_returning_after_hlt),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
