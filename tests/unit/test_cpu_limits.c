/* SPDX-License-Identifier: MIT */
/* CPU unit tests, real mode (tests/unit/cpu_rig.h): real-mode segment limits, instruction length limits, shutdown. */
#include "cpu_rig.h"

/* ---- real-mode segment limits (SDM Vol. 3A §20.1.1; Vol. 2A "MOV" real-address mode
 * exceptions: #GP outside CS/DS/ES/FS/GS, #SS outside SS) ---- */

static void test_word_at_ffff_is_gp_on_286(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x1111;
    RUN(h, 0xA1, 0xFF, 0xFF, 0xF4); /* mov ax, [0xffff] */
    assert_taken(h, EXC_GP, 0);
    assert_int_equal(ax(h), 0x1111);
}

/* The 286 reports an SS-relative limit violation in real mode as #GP too. */
static void test_ss_word_at_ffff_is_gp_on_286(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EBP] = 0xFFFF;
    RUN(h, 0x8B, 0x46, 0x00, 0xF4); /* mov ax, [bp+0] */
    assert_taken(h, EXC_GP, 0);
}

static void test_ss_word_at_ffff_is_ss_on_386(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBP] = 0xFFFF;
    RUN(h, 0x8B, 0x46, 0x00, 0xF4); /* mov ax, [bp+0] */
    assert_taken(h, EXC_SS, 0);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0xFFFF;
    RUN(h, 0x36, 0x8B, 0x07, 0xF4); /* mov ax, ss:[bx] */
    assert_taken(h, EXC_SS, 0);
}

static void test_ds_word_at_ffff_is_gp_on_386(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x1111;
    RUN(h, 0xA1, 0xFF, 0xFF, 0xF4); /* mov ax, [0xffff] */
    assert_taken(h, EXC_GP, 0);
    assert_int_equal(ax(h), 0x1111);

    h = machine(CPU_386);
    h->cpu.r[R_EBP] = 0xFFFF;
    RUN(h, 0x3E, 0x8B, 0x46, 0x00, 0xF4); /* mov ax, ds:[bp+0]: the override decides */
    assert_taken(h, EXC_GP, 0);

    h = machine(CPU_386);
    poke8(h, DS(0xFFFF), 0x5A);
    RUN(h, 0xA0, 0xFF, 0xFF, 0xF4); /* mov al, [0xffff]: the last byte is inside */
    assert_halted_at(h, 4);
    assert_int_equal(ax(h) & 0xFF, 0x5A);
}

/* 0x67: the 32-bit offset is not truncated, so 0x10000 is past the 64 KiB limit. */
static void test_addr32_offset_beyond_ffff_faults(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x10000;
    RUN(h, 0x67, 0x8B, 0x03, 0xF4); /* mov ax, [ebx] */
    assert_taken(h, EXC_GP, 0);

    h = machine(CPU_386);
    h->cpu.r[R_EBP] = 0x10000;
    RUN(h, 0x67, 0x8B, 0x45, 0x00, 0xF4); /* mov ax, [ebp+0] */
    assert_taken(h, EXC_SS, 0);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x0FFFE;
    poke16(h, DS(0xFFFE), 0xBEEF);
    RUN(h, 0x67, 0x8B, 0x03, 0xF4);
    assert_halted_at(h, 4);
    assert_int_equal(ax(h), 0xBEEF);
}

/* SDM Vol. 2B "PUSH": with SP = 1 in real mode the #SS cannot be delivered, the #DF
 * cannot either, and the processor shuts down. */
static void test_push_with_sp_1_shuts_down(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_ESP] = 1;
    RUN(h, 0x50, 0xF4); /* push ax */
    assert_true(h->cpu.shutdown);
    assert_false(h->cpu.halted);
}

/* ---- instruction length (80286: more than 10 bytes #GP; 386 on: 15, SDM Vol. 2A §2.3.11) ---- */

static void test_286_instruction_over_10_bytes_is_gp(void **state)
{
    (void)state;
    uint8_t code[16];
    struct harness *h = machine(CPU_286);
    memset(code, 0x26, sizeof code);
    code[10] = 0x90; /* 10 prefixes + NOP = 11 bytes */
    load(h, code, 11);
    run(h);
    assert_taken(h, EXC_GP, 0);

    h = machine(CPU_286);
    memset(code, 0x26, sizeof code);
    code[9] = 0x90; /* 10 bytes: fine */
    code[10] = 0xF4;
    load(h, code, 11);
    run(h);
    assert_halted_at(h, 11);
}

static void test_386_instruction_over_15_bytes_is_gp(void **state)
{
    (void)state;
    uint8_t code[20];
    struct harness *h = machine(CPU_386);
    memset(code, 0x26, sizeof code);
    code[15] = 0x90; /* 16 bytes */
    load(h, code, 16);
    run(h);
    assert_taken(h, EXC_GP, 0);

    h = machine(CPU_386);
    memset(code, 0x66, sizeof code); /* any prefix counts */
    code[14] = 0x90;                 /* 15 bytes: fine */
    code[15] = 0xF4;
    load(h, code, 16);
    run(h);
    assert_halted_at(h, 16);

    /* The limit counts the whole instruction, immediates included. */
    h = machine(CPU_386);
    memset(code, 0x3E, sizeof code);
    /* 10 prefixes + 66 B8 imm32 = 16 bytes */
    code[10] = 0x66;
    code[11] = 0xB8;
    load(h, code, 16);
    run(h);
    assert_taken(h, EXC_GP, 0);
}

/* ---- shutdown (SDM Vol. 3A §6.15, interrupt 8: a fault while delivering #DF) ---- */

static void test_idt_limit_0_exception_triple_faults(void **state)
{
    (void)state;
    static const enum cpu_model models[] = { CPU_286, CPU_386, CPU_P2 };
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        struct harness *h = machine(models[i]);
        h->cpu.idtr.limit = 0;
        RUN(h, 0xD4, 0x00, 0xF4); /* aam 0: #DE → #GP → #DF → shutdown */
        assert_true(h->cpu.shutdown);
        assert_false(h->cpu.halted);
        assert_string_equal(h->cpu.stop_reason, "triple fault");
    }

    struct harness *h = machine(CPU_386);
    h->cpu.idtr.limit = 0;
    RUN(h, 0x0F, 0xFF, 0xF4); /* an undefined opcode: #UD */
    assert_true(h->cpu.shutdown);
}

static void test_lidt_limit_0_then_int3_shuts_down(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    /* DS:0x100 holds limit 0, base 0 */
    RUN(h, 0x0F, 0x01, 0x1E, 0x00, 0x01, /* lidt [0x100] */
           0xCC, 0xF4);                  /* int3 */
    assert_int_equal(h->cpu.idtr.limit, 0);
    assert_true(h->cpu.shutdown);
}

/* Back in real mode from protected mode, the segment caches keep their limits ("unreal
 * mode") but real mode checks no types (SDM Vol. 3A §20.1): a write through CS, which held
 * an execute/read code descriptor, is allowed (SYSLINUX's ldlinux does this). */
static void test_real_mode_after_protected_mode_writes_through_cs(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_P2);
    struct cpu_flat_entry e = { .cs = 0x10, .ds = 0x18, .gdt_base = 0x800, .gdt_limit = 0x1F,
                                .eip = 0, .esp = 0x9000, .esi = 0 };
    cpu_enter_flat32(&h->cpu, &e);
    h->cpu.seg[S_CS].attr &= (uint16_t)~SEG_ATTR_DB; /* a 16-bit code segment at 0x10000 */
    h->cpu.seg[S_CS].base = CODE(0);
    h->cpu.seg[S_CS].limit = 0xFFFF;
    RUN(h, 0x0F, 0x20, 0xC0,                   /* mov eax, cr0 */
           0x24, 0xFE,                         /* and al, 0feh */
           0x0F, 0x22, 0xC0,                   /* mov cr0, eax */
           0xEA, 0x0D, 0x00, 0x00, 0x10,       /* jmp 1000:000d */
           0x2E, 0xC6, 0x06, 0x00, 0x01, 0x5A, /* mov byte [cs:100h], 5ah */
           0xF4);
    assert_int_equal(h->cpu.mode, MODE_REAL);
    assert_halted_at(h, 0x14);
    assert_int_equal(peek8(h, CODE(0x100)), 0x5A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_word_at_ffff_is_gp_on_286),
        cmocka_unit_test(test_ss_word_at_ffff_is_gp_on_286),
        cmocka_unit_test(test_ss_word_at_ffff_is_ss_on_386),
        cmocka_unit_test(test_ds_word_at_ffff_is_gp_on_386),
        cmocka_unit_test(test_addr32_offset_beyond_ffff_faults),
        cmocka_unit_test(test_push_with_sp_1_shuts_down),
        cmocka_unit_test(test_286_instruction_over_10_bytes_is_gp),
        cmocka_unit_test(test_386_instruction_over_15_bytes_is_gp),
        cmocka_unit_test(test_idt_limit_0_exception_triple_faults),
        cmocka_unit_test(test_lidt_limit_0_then_int3_shuts_down),
        cmocka_unit_test(test_real_mode_after_protected_mode_writes_through_cs),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
