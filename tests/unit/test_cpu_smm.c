/* SPDX-License-Identifier: MIT */
/* CPU unit tests (tests/unit/cpu_rig.h): system management mode (SDM Vol. 3C chapter 34) —
 * SMI entry and its save area (Table 34-1), the handler's starting state (Table 34-4),
 * RSM, SMBASE relocation, auto HALT restart, SMI priority and latching, SMIACT#. */
#include "cpu_rig.h"

#define SMBASE0 0x30000u
#define SAVE(base, off) ((base) + 0x8000u + (off)) /* a field of Table 34-1 */
#define HANDLER(base) ((base) + 0x8000u)

static int smiact_calls, smiact_level;

static void smiact(void *opaque, int in_smm)
{
    (void)opaque;
    smiact_calls++;
    smiact_level = in_smm;
}

static struct harness *smm_machine(void)
{
    struct harness *h = machine(CPU_P2);
    h->cpu.smm_changed = smiact;
    smiact_calls = 0;
    smiact_level = 0;
    return h;
}

/* The SMI is taken at the next boundary: the state goes to SMBASE + 0xFE00.., the handler
 * starts at SMBASE + 0x8000 with CS = SMBASE >> 4, 4 GiB limits, EFLAGS 2, CR0.PE clear. */
static void test_smi_saves_state_and_starts_the_handler(void **state)
{
    (void)state;
    struct harness *h = smm_machine();
    LOAD(h, 0x90, 0x90, 0xF4);                 /* nop; nop; hlt */
    poke8(h, HANDLER(SMBASE0), 0x90);          /* the handler: nop */
    h->cpu.r[R_EAX] = 0x11223344;
    h->cpu.r[R_EDI] = 0x55667788;
    cpu_set_eflags(&h->cpu, FL_IF | FL_DF | 0x2);
    cpu_run(&h->cpu, 1);
    cpu_raise_smi(&h->cpu);
    cpu_run(&h->cpu, 1);                       /* SMI, then the handler's NOP */
    assert_true(cpu_in_smm(&h->cpu));
    assert_int_equal(smiact_calls, 1);
    assert_int_equal(smiact_level, 1);
    assert_int_equal(h->cpu.seg[S_CS].sel, SMBASE0 >> 4);
    assert_int_equal(h->cpu.seg[S_CS].base, SMBASE0);
    assert_int_equal(h->cpu.seg[S_CS].limit, 0xFFFFFFFFu);
    assert_int_equal(h->cpu.seg[S_DS].base, 0);
    assert_int_equal(h->cpu.seg[S_DS].limit, 0xFFFFFFFFu);
    assert_int_equal(h->cpu.eip, 0x8001);
    assert_int_equal(flags(h) & ~FL_ARITH, 0x2);
    assert_int_equal(h->cpu.dr[7], 0x400);
    /* Table 34-1. */
    assert_int_equal(peek32(h, SAVE(SMBASE0, 0x7FF0)), 1);             /* EIP */
    assert_int_equal(peek32(h, SAVE(SMBASE0, 0x7FD0)), 0x11223344);    /* EAX */
    assert_int_equal(peek32(h, SAVE(SMBASE0, 0x7FEC)), 0x55667788);    /* EDI */
    assert_int_equal(peek32(h, SAVE(SMBASE0, 0x7FF4)) & (FL_IF | FL_DF), FL_IF | FL_DF);
    assert_int_equal(peek32(h, SAVE(SMBASE0, 0x7FAC)), H_CODE_SEG);    /* CS */
    assert_int_equal(peek32(h, SAVE(SMBASE0, 0x7FB0)), 0x4000);        /* SS */
    assert_int_equal(peek32(h, SAVE(SMBASE0, 0x7EF8)), SMBASE0);       /* SMBASE */
    assert_int_equal(peek32(h, SAVE(SMBASE0, 0x7EFC)), 0x00020000);    /* revision */
    assert_int_equal(peek16(h, SAVE(SMBASE0, 0x7F02)), 0);             /* not halted */
}

/* RSM restores what the save area holds, a change the handler made included. */
static void test_rsm_restores_the_saved_state(void **state)
{
    (void)state;
    struct harness *h = smm_machine();
    LOAD(h, 0x90, 0x90, 0xF4);
    static const uint8_t handler[] = {
        0x2E, 0x66, 0xC7, 0x06, 0xD0, 0xFF, 0xBE, 0xBA, 0xFE, 0xCA, /* mov dword [cs:ffd0], .. */
        0x0F, 0xAA,                                                 /* rsm */
    };
    memcpy(h->ram + HANDLER(SMBASE0), handler, sizeof handler);
    cpu_set_eflags(&h->cpu, FL_IF | 0x2);
    cpu_run(&h->cpu, 1);
    cpu_raise_smi(&h->cpu);
    cpu_run(&h->cpu, 0);                       /* no instruction, no boundary: not yet */
    assert_false(cpu_in_smm(&h->cpu));
    cpu_run(&h->cpu, 2);                       /* SMI; the handler changes the saved EAX; RSM */
    assert_false(cpu_in_smm(&h->cpu));
    assert_int_equal(smiact_calls, 2);
    assert_int_equal(smiact_level, 0);
    assert_int_equal(h->cpu.r[R_EAX], 0xCAFEBABE);
    assert_int_equal(h->cpu.seg[S_CS].sel, H_CODE_SEG);
    assert_int_equal(h->cpu.seg[S_CS].base, H_CODE_SEG << 4);
    assert_int_equal(h->cpu.seg[S_CS].limit, 0xFFFF);
    assert_int_equal(h->cpu.eip, 1);
    assert_true(flags(h) & FL_IF);
    run(h);
    assert_halted_at(h, 3);
}

/* SMBASE relocation: the handler writes a new SMBASE into its field; the next SMI saves
 * the state there and starts at the new base + 0x8000. */
static void test_rsm_relocates_smbase(void **state)
{
    (void)state;
    struct harness *h = smm_machine();
    LOAD(h, 0x90, 0x90, 0x90, 0xF4);
    static const uint8_t relocate[] = {
        0x2E, 0x66, 0xC7, 0x06, 0xF8, 0xFE, 0x00, 0x00, 0x05, 0x00, /* mov dword [cs:fef8], 50000h */
        0x0F, 0xAA,                                                 /* rsm */
    };
    memcpy(h->ram + HANDLER(SMBASE0), relocate, sizeof relocate);
    poke8(h, HANDLER(0x50000), 0x90);
    cpu_raise_smi(&h->cpu);
    cpu_run(&h->cpu, 2);
    assert_false(cpu_in_smm(&h->cpu));
    assert_int_equal(h->cpu.eip, 0);
    cpu_raise_smi(&h->cpu);
    cpu_run(&h->cpu, 1);
    assert_true(cpu_in_smm(&h->cpu));
    assert_int_equal(h->cpu.seg[S_CS].base, 0x50000);
    assert_int_equal(h->cpu.seg[S_CS].sel, 0x5000);
    assert_int_equal(h->cpu.eip, 0x8001);
    assert_int_equal(peek32(h, SAVE(0x50000, 0x7EF8)), 0x50000);
    assert_int_equal(peek32(h, SAVE(0x50000, 0x7FAC)), H_CODE_SEG);
}

/* An SMI wakes HLT; with the auto HALT restart field left at 1 RSM goes back into HLT,
 * with it cleared the instruction after HLT runs. */
static void test_smi_in_hlt_restarts_the_halt(void **state)
{
    (void)state;
    for (int clear = 0; clear < 2; clear++) {
        struct harness *h = smm_machine();
        LOAD(h, 0xF4, 0x90, 0xF4);             /* hlt; nop; hlt */
        static const uint8_t keep[] = { 0x90, 0x0F, 0xAA };      /* nop; rsm */
        static const uint8_t drop[] = {
            0x90, 0x2E, 0xC7, 0x06, 0x02, 0xFF, 0x00, 0x00,           /* mov word [cs:ff02], 0 */
            0x0F, 0xAA,
        };
        memcpy(h->ram + HANDLER(SMBASE0), clear ? drop : keep, clear ? sizeof drop : sizeof keep);
        run(h);
        assert_halted_at(h, 1);
        cpu_raise_smi(&h->cpu);
        cpu_run(&h->cpu, 1);
        assert_true(cpu_in_smm(&h->cpu));
        assert_false(h->cpu.halted);
        assert_int_equal(peek16(h, SAVE(SMBASE0, 0x7F02)), 1);
        cpu_run(&h->cpu, clear ? 2 : 1);           /* (the MOV,) RSM */
        assert_false(cpu_in_smm(&h->cpu));
        if (!clear) {
            assert_halted_at(h, 1);
        } else {
            assert_false(h->cpu.halted);
            assert_int_equal(h->cpu.eip, 1);
            run(h);
            assert_halted_at(h, 3);
        }
    }
}

/* RSM outside SMM is #UD. */
static void test_rsm_outside_smm_is_ud(void **state)
{
    (void)state;
    struct harness *h = smm_machine();
    RUN(h, 0x0F, 0xAA);
    assert_taken(h, EXC_UD, 0);
    assert_int_equal(smiact_calls, 0);
}

/* SMI comes before INTR and whatever IF says; in SMM (IF clear) INTR waits, and a second
 * SMI is latched until RSM. */
static void test_smi_priority_and_latching(void **state)
{
    (void)state;
    struct harness *h = smm_machine();
    h->cpu.intr_ack = ack_irq;
    h->cpu.intr_opaque = &h->cpu;
    cpu_set_eflags(&h->cpu, FL_IF | 0x2);
    acks = 0;
    LOAD(h, 0x90, 0x90, 0xF4);
    poke8(h, HANDLER(SMBASE0), 0x90);
    poke8(h, HANDLER(SMBASE0) + 1, 0x90);
    poke16(h, HANDLER(SMBASE0) + 2, 0xAA0F);
    h->cpu.intr_line = CPU_PIN_INTR;
    cpu_raise_smi(&h->cpu);
    cpu_run(&h->cpu, 1);
    assert_true(cpu_in_smm(&h->cpu));
    assert_int_equal(acks, 0);
    cpu_raise_smi(&h->cpu);                    /* latched */
    cpu_run(&h->cpu, 1);
    assert_int_equal(h->cpu.eip, 0x8002);
    assert_int_equal(smiact_calls, 1);
    cpu_run(&h->cpu, 1);                       /* RSM, IF back on */
    assert_false(cpu_in_smm(&h->cpu));
    cpu_run(&h->cpu, 1);                       /* the latched SMI first, then a NOP */
    assert_true(cpu_in_smm(&h->cpu));
    assert_int_equal(smiact_calls, 3);
    assert_int_equal(acks, 0);
}

/* From protected mode and back: the hidden parts of the segment registers, CPL and the
 * mode come back with RSM. */
static void test_rsm_returns_to_protected_mode(void **state)
{
    (void)state;
    struct harness *h = smm_machine();
    struct cpu_flat_entry e = { .cs = 0x10, .ds = 0x18, .gdt_base = 0x800, .gdt_limit = 0x1F,
                                .eip = CODE(0), .esp = 0x90000, .esi = 0 };
    cpu_enter_flat32(&h->cpu, &e);
    LOAD(h, 0x90, 0xF4);
    poke8(h, HANDLER(SMBASE0), 0x90);
    poke16(h, HANDLER(SMBASE0) + 1, 0xAA0F);
    cpu_raise_smi(&h->cpu);
    cpu_run(&h->cpu, 1);
    assert_true(cpu_in_smm(&h->cpu));
    assert_int_equal(h->cpu.mode, MODE_REAL);
    assert_int_equal(h->cpu.cr[0] & CR0_PE, 0);
    cpu_run(&h->cpu, 1);
    assert_false(cpu_in_smm(&h->cpu));
    assert_int_equal(h->cpu.mode, MODE_PROT);
    assert_int_equal(h->cpu.cr[0] & CR0_PE, CR0_PE);
    assert_int_equal(h->cpu.seg[S_CS].sel, 0x10);
    assert_true(h->cpu.seg[S_CS].attr & SEG_ATTR_DB);
    assert_int_equal(h->cpu.seg[S_CS].limit, 0xFFFFFFFFu);
    assert_int_equal(h->cpu.seg[S_DS].sel, 0x18);
    assert_int_equal(h->cpu.gdtr.base, 0x800);
    assert_int_equal(h->cpu.eip, CODE(0));
    assert_int_equal(h->cpu.r[R_ESP], 0x90000);
    run(h);
    assert_true(h->cpu.halted);
    assert_int_equal(h->cpu.eip, CODE(2));
}

/* A saved CR0 with PG but not PE cannot be returned to: RSM shuts the processor down. */
static void test_rsm_to_an_invalid_state_shuts_down(void **state)
{
    (void)state;
    struct harness *h = smm_machine();
    LOAD(h, 0x90, 0xF4);
    static const uint8_t bad[] = {
        0x2E, 0x66, 0x81, 0x0E, 0xFC, 0xFF, 0x00, 0x00, 0x00, 0x80, /* or dword [cs:fffc], PG */
        0x0F, 0xAA,
    };
    memcpy(h->ram + HANDLER(SMBASE0), bad, sizeof bad);
    cpu_raise_smi(&h->cpu);
    run(h);
    assert_true(h->cpu.shutdown);
    assert_false(cpu_in_smm(&h->cpu));
    assert_int_equal(smiact_level, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smi_saves_state_and_starts_the_handler),
        cmocka_unit_test(test_rsm_restores_the_saved_state),
        cmocka_unit_test(test_rsm_relocates_smbase),
        cmocka_unit_test(test_smi_in_hlt_restarts_the_halt),
        cmocka_unit_test(test_rsm_outside_smm_is_ud),
        cmocka_unit_test(test_smi_priority_and_latching),
        cmocka_unit_test(test_rsm_returns_to_protected_mode),
        cmocka_unit_test(test_rsm_to_an_invalid_state_shuts_down),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
