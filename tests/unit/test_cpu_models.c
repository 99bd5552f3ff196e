/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): model differences: CPUID, LOCK, PUSH SP, shift counts, RDTSC and MSRs. */
#include "cpu_rig.h"

/* ---- model differences ---- */

static void test_cpuid_is_ud_before_pentium(void **state)
{
    (void)state;
    static const enum cpu_model models[] = { CPU_286, CPU_386, CPU_486 };
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        struct harness *h = machine(models[i]);
        h->cpu.r[R_EAX] = 0;
        RUN(h, 0x0F, 0xA2, 0xF4);
        assert_taken(h, EXC_UD, 0);
        assert_int_equal(h->cpu.r[R_EAX], 0);
    }
}

/* CPUID leaf 0: max leaf, "GenuineIntel" in EBX EDX ECX; leaf 1: family/model/stepping in
 * EAX and the feature flags in EDX (SDM Vol. 2A "CPUID", Table 3-11). */
static void cpuid_leaf(struct harness *h, uint32_t leaf)
{
    h->cpu.r[R_EAX] = leaf;
    h->cpu.halted = 0;
    h->cpu.eip = 0;
    RUN(h, 0x0F, 0xA2, 0xF4);
    assert_halted_at(h, 3);
}

static void test_cpuid_pentium_vendor_and_signature(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_PENTIUM);
    cpuid_leaf(h, 0);
    assert_int_equal(h->cpu.r[R_EAX], 1);
    assert_int_equal(h->cpu.r[R_EBX], 0x756E6547); /* "Genu" */
    assert_int_equal(h->cpu.r[R_EDX], 0x49656E69); /* "ineI" */
    assert_int_equal(h->cpu.r[R_ECX], 0x6C65746E); /* "ntel" */
    cpuid_leaf(h, 1);
    assert_int_equal((h->cpu.r[R_EAX] >> 8) & 0xF, 5); /* family */
    assert_int_equal(h->cpu.r[R_EAX], 0x052C);
    uint32_t edx = h->cpu.r[R_EDX];
    assert_true(edx & (1u << 4)); /* TSC */
    assert_true(edx & (1u << 5)); /* MSR */
    assert_true(edx & (1u << 8)); /* CX8 */
    assert_false(edx & (1u << 15)); /* no CMOV on the P5 */
}

static void test_cpuid_pentium2_signature_has_cmov(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_P2);
    cpuid_leaf(h, 0);
    assert_int_equal(h->cpu.r[R_EAX], 2);
    assert_int_equal(h->cpu.r[R_EBX], 0x756E6547);
    assert_int_equal(h->cpu.r[R_EDX], 0x49656E69);
    assert_int_equal(h->cpu.r[R_ECX], 0x6C65746E);
    cpuid_leaf(h, 1);
    assert_int_equal((h->cpu.r[R_EAX] >> 8) & 0xF, 6);
    assert_int_equal(h->cpu.r[R_EAX], 0x0652);
    uint32_t edx = h->cpu.r[R_EDX];
    assert_true(edx & (1u << 4));
    assert_true(edx & (1u << 5));
    assert_true(edx & (1u << 8));
    assert_true(edx & (1u << 15)); /* CMOV */
}

/* SDM Vol. 2A "LOCK": #UD unless the instruction is one of the lockable read-modify-writes
 * with a memory destination. The 286 accepts LOCK anywhere. */
static void test_lock_ud_rules_on_386(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    RUN(h, 0xF0, 0x90, 0xF4); /* lock nop */
    assert_taken(h, EXC_UD, 0);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_EAX] = 2;
    poke16(h, DS(0x40), 1);
    RUN(h, 0xF0, 0x01, 0x07, 0xF4); /* lock add [bx], ax */
    assert_halted_at(h, 4);
    assert_int_equal(peek16(h, DS(0x40)), 3);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 5;
    RUN(h, 0xF0, 0x01, 0xC3, 0xF4); /* lock add bx, ax: register destination */
    assert_taken(h, EXC_UD, 0);
    assert_int_equal(reg16(h, R_EBX), 5);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x40;
    RUN(h, 0xF0, 0x89, 0x07, 0xF4); /* lock mov [bx], ax: not lockable */
    assert_taken(h, EXC_UD, 0);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_EAX] = 0x1234;
    poke16(h, ES(0x40), 0x5678);
    RUN(h, 0x26, 0xF0, 0x87, 0x07, 0xF4); /* es: lock xchg [bx], ax */
    assert_halted_at(h, 5);
    assert_int_equal(peek16(h, ES(0x40)), 0x1234);
    assert_int_equal(ax(h), 0x5678);
}

static void test_lock_accepted_anywhere_on_286(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    RUN(h, 0xF0, 0x90, 0xF4);
    assert_halted_at(h, 3);

    h = machine(CPU_286);
    h->cpu.r[R_EBX] = 0x40;
    h->cpu.r[R_EAX] = 0xBEEF;
    RUN(h, 0xF0, 0x89, 0x07, 0xF4);
    assert_halted_at(h, 4);
    assert_int_equal(peek16(h, DS(0x40)), 0xBEEF);
}

/* PUSH SP pushes SP as it was before the push from the 286 on (SDM Vol. 2B "PUSH",
 * IA-32 Architecture Compatibility). */
static void test_push_sp_pushes_old_value(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    RUN(h, 0x54, 0xF4);
    assert_int_equal(reg16(h, R_ESP), 0x0FFE);
    assert_int_equal(peek16(h, SS(0x0FFE)), 0x1000);

    h = machine(CPU_386);
    RUN(h, 0x66, 0x54, 0xF4); /* push esp */
    assert_int_equal(h->cpu.r[R_ESP], 0x0FFC);
    assert_int_equal(peek32(h, SS(0x0FFC)), 0x1000);
}

/* SDM Vol. 2B "SAL/SAR/SHL/SHR": the count is masked to 5 bits from the 286 on. */
static void test_shift_count_masked_to_5_bits(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x4001;
    h->cpu.r[R_ECX] = 33;
    RUN(h, 0xD3, 0xE0, 0xF4); /* shl ax, cl */
    assert_int_equal(ax(h), 0x8002);
    assert_false(flags(h) & FL_CF);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x0081;
    RUN(h, 0xC0, 0xE0, 0x21, 0xF4); /* shl al, 33 */
    assert_int_equal(ax(h), 0x0002);
    assert_true(flags(h) & FL_CF);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x40000001;
    h->cpu.r[R_ECX] = 33;
    RUN(h, 0x66, 0xD3, 0xE0, 0xF4); /* shl eax, cl */
    assert_int_equal(h->cpu.r[R_EAX], 0x80000002u);

    /* A count of 32 masks to 0: nothing changes, flags included. */
    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x8000;
    cpu_set_eflags(&h->cpu, FL_CF | FL_ZF | 0x2);
    RUN(h, 0xC1, 0xE0, 0x20, 0xF4); /* shl ax, 32 */
    assert_int_equal(ax(h), 0x8000);
    assert_int_equal(flags(h) & FL_ARITH, FL_CF | FL_ZF);
}

/* RDTSC (SDM Vol. 2B): the counter only goes up. */
static void test_rdtsc_monotonic(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_PENTIUM);
    RUN(h, 0x0F, 0x31,             /* rdtsc */
           0x66, 0x89, 0xC6,       /* mov esi, eax */
           0x66, 0x89, 0xD7,       /* mov edi, edx */
           0x90, 0x90,
           0x0F, 0x31, 0xF4);      /* rdtsc; hlt */
    uint64_t t0 = (uint64_t)h->cpu.r[R_EDI] << 32 | h->cpu.r[R_ESI];
    uint64_t t1 = (uint64_t)h->cpu.r[R_EDX] << 32 | h->cpu.r[R_EAX];
    assert_true(t1 > t0);

    h = machine(CPU_486);
    RUN(h, 0x0F, 0x31, 0xF4);
    assert_taken(h, EXC_UD, 0);
}

/* WRMSR/RDMSR of IA32_TIME_STAMP_COUNTER (MSR 0x10; SDM Vol. 4 Table 2-2): the counter
 * continues from the written value. */
static void test_wrmsr_rdmsr_tsc(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_PENTIUM);
    h->cpu.r[R_ECX] = 0x10;
    h->cpu.r[R_EDX] = 1;
    h->cpu.r[R_EAX] = 0x100;
    RUN(h, 0x0F, 0x30, 0x0F, 0x32, 0xF4); /* wrmsr; rdmsr */
    assert_halted_at(h, 5);
    uint64_t v = (uint64_t)h->cpu.r[R_EDX] << 32 | h->cpu.r[R_EAX];
    assert_true(v >= 0x100000100ull);
    assert_true(v < 0x100000100ull + 16);

    h = machine(CPU_PENTIUM);
    h->cpu.r[R_ECX] = 0x10;
    h->cpu.r[R_EDX] = 0;
    h->cpu.r[R_EAX] = 0;
    RUN(h, 0x0F, 0x30, 0x0F, 0x31, 0xF4); /* wrmsr; rdtsc */
    assert_int_equal(h->cpu.r[R_EDX], 0);
    assert_true(h->cpu.r[R_EAX] < 16);
}

static void test_rdmsr_wrmsr_unknown_msr_is_gp(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_PENTIUM);
    h->cpu.r[R_ECX] = 0x12345678;
    h->cpu.r[R_EAX] = 0xAAAA;
    h->cpu.r[R_EDX] = 0xBBBB;
    RUN(h, 0x0F, 0x32, 0xF4); /* rdmsr */
    assert_taken(h, EXC_GP, 0);
    assert_int_equal(h->cpu.r[R_EAX], 0xAAAA);
    assert_int_equal(h->cpu.r[R_EDX], 0xBBBB);

    h = machine(CPU_PENTIUM);
    h->cpu.r[R_ECX] = 0xC0000080u;
    RUN(h, 0x0F, 0x30, 0xF4); /* wrmsr */
    assert_taken(h, EXC_GP, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpuid_is_ud_before_pentium),
        cmocka_unit_test(test_cpuid_pentium_vendor_and_signature),
        cmocka_unit_test(test_cpuid_pentium2_signature_has_cmov),
        cmocka_unit_test(test_lock_ud_rules_on_386),
        cmocka_unit_test(test_lock_accepted_anywhere_on_286),
        cmocka_unit_test(test_push_sp_pushes_old_value),
        cmocka_unit_test(test_shift_count_masked_to_5_bits),
        cmocka_unit_test(test_rdtsc_monotonic),
        cmocka_unit_test(test_wrmsr_rdmsr_tsc),
        cmocka_unit_test(test_rdmsr_wrmsr_unknown_msr_is_gp),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
