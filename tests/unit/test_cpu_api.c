/* The calls the machine makes into the CPU instead of writing its fields (cpu/cpu.h, "What
 * the machine uses"): the flat 32-bit entry state of a boot loader, the status between two
 * runs and the stop reasons, the pins, and the register snapshot (cpu_dbg_get_regs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/harness.h"

/* A GDT at 0x800 with flat code (0x10) and data (0x18), as a Linux boot loader writes it. */
static void write_gdt(struct harness *h)
{
    static const uint8_t gdt[32] = {
        [16] = 0xFF, 0xFF, 0, 0, 0, 0x9B, 0xCF, 0,
        [24] = 0xFF, 0xFF, 0, 0, 0, 0x93, 0xCF, 0,
    };
    memcpy(h->ram + 0x800, gdt, sizeof gdt);
}

static void test_flat32_entry_runs_32_bit_code_with_the_given_registers(void **state)
{
    (void)state;
    struct harness h;
    h_init(&h, CPU_P2);
    write_gdt(&h);
    for (int r = 0; r < 8; r++)
        h.cpu.r[r] = 0xDEAD0000u + (uint32_t)r;
    cpu_set_eflags(&h.cpu, 0x202 | FL_DF | FL_TF);
    /* mov eax, [esi + 4]; push eax; hlt */
    static const uint8_t code[] = { 0x8B, 0x46, 0x04, 0x50, 0xF4 };
    memcpy(h.ram + 0x100000, code, sizeof code);
    memcpy(h.ram + 0x90004, &(uint32_t){ 0x12345678u }, 4);
    cpu_enter_flat32(&h.cpu, &(struct cpu_flat_entry){ .cs = 0x10, .ds = 0x18, .gdt_base = 0x800,
                                                        .gdt_limit = 31, .eip = 0x100000,
                                                        .esp = 0x9F000, .esi = 0x90000 });
    struct cpu_dbg_regs r;
    cpu_dbg_get_regs(&h.cpu, &r);
    assert_int_equal(r.eip, 0x100000);
    assert_int_equal(r.eflags, 0x2);
    assert_true(r.attr[S_CS] & SEG_ATTR_DB);
    assert_int_equal(r.cr0 & 0x80000001u, 1); /* PE set, PG clear */
    assert_int_equal(r.sel[S_CS], 0x10);
    for (int s = 0; s < S_COUNT; s++) {
        if (s != S_CS)
            assert_int_equal(r.sel[s], 0x18);
        assert_int_equal(r.base[s], 0);
        assert_int_equal(r.limit[s], 0xFFFFFFFFu);
    }
    assert_int_equal(r.gdtr_base, 0x800);
    assert_int_equal(r.gdtr_limit, 31);
    for (int i = 0; i < 8; i++)
        assert_int_equal(r.gpr[i], i == R_ESI ? 0x90000u : i == R_ESP ? 0x9F000u : 0);
    assert_int_equal(cpu_status(&h.cpu, NULL), CPU_RUNNING);
    assert_false(cpu_interrupts_enabled(&h.cpu));
    cpu_run(&h.cpu, 10);
    assert_int_equal(cpu_status(&h.cpu, NULL), CPU_HALTED);
    cpu_dbg_get_regs(&h.cpu, &r);
    assert_int_equal(r.gpr[R_EAX], 0x12345678u);
    assert_int_equal(r.gpr[R_ESP], 0x9EFFCu);
    uint32_t pushed;
    memcpy(&pushed, h.ram + 0x9EFFC, 4);
    assert_int_equal(pushed, 0x12345678u);
    assert_int_equal(cpu_icount(&h.cpu), 3);
    h_free(&h);
}

static void test_status_names_a_triple_fault(void **state)
{
    (void)state;
    struct harness h;
    h_init(&h, CPU_P2);
    /* lidt [0x100] (limit 0); int3: the IVT entry is past the limit, so #GP, then #DF, then
     * a shutdown (SDM Vol. 3A §20.1.4) */
    static const uint8_t code[] = { 0x0F, 0x01, 0x1E, 0x00, 0x01, 0xCC };
    memset(h.ram + 0x20100, 0, 6);
    h_run(&h, code, sizeof code, 10);
    const char *why = NULL;
    assert_int_equal(cpu_status(&h.cpu, &why), CPU_SHUTDOWN);
    assert_non_null(strstr(why, "triple fault"));
    h_free(&h);
}

static void test_status_names_what_is_not_implemented(void **state)
{
    (void)state;
    struct harness h;
    h_init(&h, CPU_P2);
    h.cpu.shutdown = 1;
    h.cpu.fault_vector = -1; /* what cpu_unsupported leaves */
    h.cpu.stop_reason = "the frobnicator";
    const char *why = NULL;
    assert_int_equal(cpu_status(&h.cpu, &why), CPU_UNSUPPORTED);
    assert_string_equal(why, "the frobnicator");
    h_free(&h);
}

static int ack_vector_0x40(void *opaque)
{
    (*(int *)opaque)++;
    return 0x40;
}

static void test_hooks_and_intr_pin_deliver_an_interrupt(void **state)
{
    (void)state;
    struct harness h;
    h_init(&h, CPU_P2);
    int acks = 0;
    cpu_set_hooks(&h.cpu, &(struct cpu_hooks){ .intr_ack = ack_vector_0x40, .opaque = &acks });
    static const uint8_t code[] = { 0xFB, 0x90, 0x90, 0xF4 }; /* sti; nop; nop; hlt */
    cpu_set_intr(&h.cpu, 1);
    assert_true(cpu_intr_pending(&h.cpu));
    h_run(&h, code, sizeof code, 10);
    assert_int_equal(acks, 1);
    assert_int_equal(h_vector(&h), 0x40);
    cpu_set_intr(&h.cpu, 0);
    assert_false(cpu_intr_pending(&h.cpu));
    h_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat32_entry_runs_32_bit_code_with_the_given_registers),
        cmocka_unit_test(test_status_names_a_triple_fault),
        cmocka_unit_test(test_status_names_what_is_not_implemented),
        cmocka_unit_test(test_hooks_and_intr_pin_deliver_an_interrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
