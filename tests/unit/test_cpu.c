/* SPDX-License-Identifier: MIT */
/* CPU behaviour in real mode through the unit-test harness (tests/unit/harness.h).
 *
 * Every test builds a fresh machine (code at 1000:0000, DS=2000, ES=3000, SS=4000, SP=1000;
 * IVT vector n points at a HLT at F000:n), runs a few hand-assembled instructions and checks
 * registers, memory and the exception frame against what the Intel SDM specifies. A real-mode
 * exception or interrupt pushes FLAGS, CS and IP (SDM Vol. 3A §20.1.4); for a fault IP is the
 * first byte of the faulting instruction, prefixes included, for a trap the next one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "harness.h"

/* ---- machine ---- */

static struct harness g_h;
static bool g_live;

static struct harness *machine(enum cpu_model model)
{
    if (g_live)
        h_free(&g_h);
    memset(&g_h, 0, sizeof g_h);
    h_init(&g_h, model);
    g_live = true;
    return &g_h;
}

static int group_teardown(void **state)
{
    (void)state;
    if (g_live)
        h_free(&g_h);
    g_live = false;
    return 0;
}

#define LIN(seg, off) ((((uint32_t)(seg)) << 4) + (uint32_t)(off))
#define CODE(off) LIN(H_CODE_SEG, off)
#define DS(off) LIN(0x2000, off)
#define ES(off) LIN(0x3000, off)
#define SS(off) LIN(0x4000, off)

static void poke8(struct harness *h, uint32_t lin, uint8_t v) { h->ram[lin] = v; }

static void poke16(struct harness *h, uint32_t lin, uint16_t v)
{
    h->ram[lin] = (uint8_t)v;
    h->ram[lin + 1] = (uint8_t)(v >> 8);
}

static void poke32(struct harness *h, uint32_t lin, uint32_t v)
{
    poke16(h, lin, (uint16_t)v);
    poke16(h, lin + 2, (uint16_t)(v >> 16));
}

static uint8_t peek8(const struct harness *h, uint32_t lin) { return h->ram[lin]; }

static uint16_t peek16(const struct harness *h, uint32_t lin)
{
    return (uint16_t)(h->ram[lin] | h->ram[lin + 1] << 8);
}

static uint32_t peek32(const struct harness *h, uint32_t lin)
{
    return peek16(h, lin) | (uint32_t)peek16(h, lin + 2) << 16;
}

static void load(struct harness *h, const uint8_t *code, size_t len)
{
    memcpy(h->ram + CODE(0), code, len);
}

/* Runs until HLT or shutdown, one instruction per cpu_run call. */
static uint64_t run(struct harness *h)
{
    uint64_t n = 0;
    while (n < 1000000 && !h->cpu.halted && !h->cpu.shutdown)
        n += cpu_run(&h->cpu, 1);
    return n;
}

#define LOAD(h, ...)                                                                       \
    do {                                                                                   \
        static const uint8_t code_[] = { __VA_ARGS__ };                                    \
        load(h, code_, sizeof code_);                                                      \
    } while (0)
#define RUN(h, ...)                                                                        \
    do {                                                                                   \
        LOAD(h, __VA_ARGS__);                                                              \
        run(h);                                                                            \
    } while (0)

static uint32_t flags(struct harness *h) { return cpu_get_eflags(&h->cpu); }
static uint16_t ax(const struct harness *h) { return (uint16_t)h->cpu.r[R_EAX]; }
static uint16_t reg16(const struct harness *h, int r) { return (uint16_t)h->cpu.r[r]; }

/* Execution ended on the HLT at code offset ip - 1. */
static void assert_halted_at(const struct harness *h, uint32_t ip)
{
    assert_false(h->cpu.shutdown);
    assert_true(h->cpu.halted);
    assert_int_equal(h->cpu.seg[S_CS].sel, H_CODE_SEG);
    assert_int_equal(h->cpu.eip, ip);
}

/* Vector `vector` was delivered with return address 1000:ip on the stack. */
static void assert_taken(const struct harness *h, int vector, uint16_t ip)
{
    assert_false(h->cpu.shutdown);
    assert_int_equal(h_vector(h), vector);
    uint32_t ss = h->cpu.seg[S_SS].base;
    uint16_t sp = (uint16_t)h->cpu.r[R_ESP];
    assert_int_equal(peek16(h, ss + sp), ip);
    assert_int_equal(peek16(h, ss + (uint16_t)(sp + 2)), H_CODE_SEG);
}

static uint16_t pushed_flags(const struct harness *h)
{
    uint32_t ss = h->cpu.seg[S_SS].base;
    return peek16(h, ss + (uint16_t)(h->cpu.r[R_ESP] + 4));
}

/* ---- the interrupt shadow (SDM Vol. 3A §6.8.3, Vol. 2B "STI", "MOV", "POP") ---- */

static int acks;

/* The 8259's INTA: hands out vector 0x40 once and drops the line. */
static int ack_irq(void *opaque)
{
    struct cpu *c = opaque;
    c->intr_line = 0;
    acks++;
    return 0x40;
}

static struct harness *irq_machine(uint32_t eflags)
{
    struct harness *h = machine(CPU_386);
    h->cpu.intr_ack = ack_irq;
    h->cpu.intr_opaque = &h->cpu;
    cpu_set_eflags(&h->cpu, eflags);
    acks = 0;
    return h;
}

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

/* ---- #DE (SDM Vol. 2A "DIV", "IDIV", "AAM"): a fault, registers untouched ---- */

static void test_div8_by_zero_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x1234;
    h->cpu.r[R_EBX] = 0x5600;
    RUN(h, 0x90, 0xF6, 0xF3, 0xF4); /* nop; div bl; hlt */
    assert_taken(h, EXC_DE, 1);
    assert_int_equal(ax(h), 0x1234);
    assert_int_equal(reg16(h, R_EBX), 0x5600);
}

static void test_div8_quotient_overflow_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x1000; /* 0x1000 / 0x10 = 0x100 does not fit AL */
    h->cpu.r[R_EBX] = 0x10;
    RUN(h, 0xF6, 0xF3, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(ax(h), 0x1000);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = 0x0FFF; /* 0xFF remainder 0x0F: fits */
    h->cpu.r[R_EBX] = 0x10;
    RUN(h, 0xF6, 0xF3, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x0FFF);
}

/* The pushed IP is the segment-override prefix, not the opcode. */
static void test_div16_by_zero_pushes_prefix_ip(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0xAAAA;
    h->cpu.r[R_EDX] = 0x5555;
    h->cpu.r[R_EBX] = 0x0010;
    poke16(h, ES(0x10), 0);
    RUN(h, 0x90, 0x26, 0xF7, 0x37, 0xF4); /* nop; div word es:[bx]; hlt */
    assert_taken(h, EXC_DE, 1);
    assert_int_equal(ax(h), 0xAAAA);
    assert_int_equal(reg16(h, R_EDX), 0x5555);
}

static void test_div16_quotient_overflow_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EDX] = 0x0001; /* 0x10000 / 1 */
    h->cpu.r[R_EAX] = 0x0000;
    h->cpu.r[R_EBX] = 0x0001;
    RUN(h, 0xF7, 0xF3, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(reg16(h, R_EDX), 1);
    assert_int_equal(ax(h), 0);

    h = machine(CPU_286);
    h->cpu.r[R_EDX] = 0x0001; /* 0x10000 / 2 = 0x8000 rem 0 */
    h->cpu.r[R_EAX] = 0x0000;
    h->cpu.r[R_EBX] = 0x0002;
    RUN(h, 0xF7, 0xF3, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x8000);
    assert_int_equal(reg16(h, R_EDX), 0);
}

static void test_div32_by_zero_and_overflow_raise_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0;
    h->cpu.r[R_EAX] = 0x12345678;
    h->cpu.r[R_EBX] = 0;
    RUN(h, 0x90, 0x66, 0xF7, 0xF3, 0xF4); /* nop; div ebx; hlt */
    assert_taken(h, EXC_DE, 1);
    assert_int_equal(h->cpu.r[R_EAX], 0x12345678);

    h = machine(CPU_386);
    h->cpu.r[R_EDX] = 1; /* 2^32 / 1 */
    h->cpu.r[R_EAX] = 0;
    h->cpu.r[R_EBX] = 1;
    RUN(h, 0x66, 0xF7, 0xF3, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(h->cpu.r[R_EDX], 1);
    assert_int_equal(h->cpu.r[R_EAX], 0);

    h = machine(CPU_386);
    h->cpu.r[R_EDX] = 1; /* (2^32 + 5) / 2 = 0x80000002 rem 1 */
    h->cpu.r[R_EAX] = 5;
    h->cpu.r[R_EBX] = 2;
    RUN(h, 0x66, 0xF7, 0xF3, 0xF4);
    assert_halted_at(h, 4);
    assert_int_equal(h->cpu.r[R_EAX], 0x80000002u);
    assert_int_equal(h->cpu.r[R_EDX], 1);
}

static void test_idiv8_quotient_overflow_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x8000; /* -32768 / -1 */
    h->cpu.r[R_EBX] = 0xFF;
    RUN(h, 0xF6, 0xFB, 0xF4); /* idiv bl */
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(ax(h), 0x8000);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x0080; /* 128 / 1 = +128 does not fit */
    h->cpu.r[R_EBX] = 0x01;
    RUN(h, 0xF6, 0xFB, 0xF4);
    assert_taken(h, EXC_DE, 0);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0xFF80; /* -128 / 1 = -128 fits (286 on) */
    h->cpu.r[R_EBX] = 0x01;
    RUN(h, 0xF6, 0xFB, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x0080);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = (uint16_t)-7; /* -7 / 2 = -3 rem -1 (truncation toward zero) */
    h->cpu.r[R_EBX] = 0x02;
    RUN(h, 0xF6, 0xFB, 0xF4);
    assert_int_equal(ax(h), 0xFFFD);
}

static void test_idiv16_quotient_overflow_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0x8000; /* -2^31 / -1 */
    h->cpu.r[R_EAX] = 0x0000;
    h->cpu.r[R_EBX] = 0xFFFF;
    RUN(h, 0xF7, 0xFB, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(reg16(h, R_EDX), 0x8000);
    assert_int_equal(ax(h), 0);
}

static void test_idiv32_most_negative_by_minus_one_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0x80000000u; /* -2^63 / -1 */
    h->cpu.r[R_EAX] = 0;
    h->cpu.r[R_EBX] = 0xFFFFFFFFu;
    RUN(h, 0x66, 0xF7, 0xFB, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(h->cpu.r[R_EDX], 0x80000000u);
    assert_int_equal(h->cpu.r[R_EAX], 0);

    h = machine(CPU_386);
    h->cpu.r[R_EDX] = 0xFFFFFFFFu; /* -2^31 / 1 fits */
    h->cpu.r[R_EAX] = 0x80000000u;
    h->cpu.r[R_EBX] = 1;
    RUN(h, 0x66, 0xF7, 0xFB, 0xF4);
    assert_halted_at(h, 4);
    assert_int_equal(h->cpu.r[R_EAX], 0x80000000u);
    assert_int_equal(h->cpu.r[R_EDX], 0);
}

static void test_aam_zero_raises_de(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x124F;
    RUN(h, 0xD4, 0x00, 0xF4);
    assert_taken(h, EXC_DE, 0);
    assert_int_equal(ax(h), 0x124F);

    h = machine(CPU_286);
    h->cpu.r[R_EAX] = 0x124F; /* 79 = 7 * 10 + 9 */
    RUN(h, 0xD4, 0x0A, 0xF4);
    assert_halted_at(h, 3);
    assert_int_equal(ax(h), 0x0709);
}

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
    assert_int_equal(h->cpu.r[R_EAX], 0x0543);
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

/* IMUL r, r/m, imm (SDM Vol. 2A "IMUL"): CF = OF = 1 when the product does not fit. */
static void test_imul_three_operand(void **state)
{
    (void)state;
    struct harness *h = machine(CPU_286);
    h->cpu.r[R_EBX] = 300;
    h->cpu.r[R_EDX] = 0x5555;
    RUN(h, 0x69, 0xC3, 0xC8, 0x00, 0xF4); /* imul ax, bx, 200 */
    assert_int_equal(ax(h), 60000);
    assert_int_equal(reg16(h, R_EDX), 0x5555);
    assert_int_equal(flags(h) & (FL_CF | FL_OF), FL_CF | FL_OF);

    h = machine(CPU_286);
    h->cpu.r[R_EBX] = 7;
    cpu_set_eflags(&h->cpu, FL_CF | FL_OF | 0x2);
    RUN(h, 0x6B, 0xC3, 0xFE, 0xF4); /* imul ax, bx, -2 */
    assert_int_equal(ax(h), 0xFFF2);
    assert_int_equal(flags(h) & (FL_CF | FL_OF), 0);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 0x10000;
    RUN(h, 0x66, 0x69, 0xC3, 0x00, 0x00, 0x01, 0x00, 0xF4); /* imul eax, ebx, 0x10000 */
    assert_int_equal(h->cpu.r[R_EAX], 0);
    assert_int_equal(flags(h) & (FL_CF | FL_OF), FL_CF | FL_OF);

    h = machine(CPU_386);
    h->cpu.r[R_EBX] = 5;
    RUN(h, 0x66, 0x6B, 0xC3, 0xFF, 0xF4); /* imul eax, ebx, -1 */
    assert_int_equal(h->cpu.r[R_EAX], 0xFFFFFFFBu);
    assert_int_equal(flags(h) & (FL_CF | FL_OF), 0);

    h = machine(CPU_386);
    h->cpu.r[R_EAX] = (uint16_t)-3;
    h->cpu.r[R_EBX] = 4;
    RUN(h, 0x0F, 0xAF, 0xC3, 0xF4); /* imul ax, bx */
    assert_int_equal(ax(h), 0xFFF4);
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
        cmocka_unit_test(test_div8_by_zero_raises_de),
        cmocka_unit_test(test_div8_quotient_overflow_raises_de),
        cmocka_unit_test(test_div16_by_zero_pushes_prefix_ip),
        cmocka_unit_test(test_div16_quotient_overflow_raises_de),
        cmocka_unit_test(test_div32_by_zero_and_overflow_raise_de),
        cmocka_unit_test(test_idiv8_quotient_overflow_raises_de),
        cmocka_unit_test(test_idiv16_quotient_overflow_raises_de),
        cmocka_unit_test(test_idiv32_most_negative_by_minus_one_raises_de),
        cmocka_unit_test(test_aam_zero_raises_de),
        cmocka_unit_test(test_word_at_ffff_is_gp_on_286),
        cmocka_unit_test(test_ss_word_at_ffff_is_gp_on_286),
        cmocka_unit_test(test_ss_word_at_ffff_is_ss_on_386),
        cmocka_unit_test(test_ds_word_at_ffff_is_gp_on_386),
        cmocka_unit_test(test_addr32_offset_beyond_ffff_faults),
        cmocka_unit_test(test_push_with_sp_1_shuts_down),
        cmocka_unit_test(test_286_instruction_over_10_bytes_is_gp),
        cmocka_unit_test(test_386_instruction_over_15_bytes_is_gp),
        cmocka_unit_test(test_cpuid_is_ud_before_pentium),
        cmocka_unit_test(test_cpuid_pentium_vendor_and_signature),
        cmocka_unit_test(test_cpuid_pentium2_signature_has_cmov),
        cmocka_unit_test(test_lock_ud_rules_on_386),
        cmocka_unit_test(test_lock_accepted_anywhere_on_286),
        cmocka_unit_test(test_push_sp_pushes_old_value),
        cmocka_unit_test(test_shift_count_masked_to_5_bits),
        cmocka_unit_test(test_rep_movsb_longer_than_chunk_resumes),
        cmocka_unit_test(test_rep_movsb_interrupted_between_chunks),
        cmocka_unit_test(test_repe_cmpsb_stops_at_first_difference),
        cmocka_unit_test(test_repne_scasb_finds_byte),
        cmocka_unit_test(test_rep_movsb_addr32_uses_ecx_esi_edi),
        cmocka_unit_test(test_rep_movsw_with_df_goes_down),
        cmocka_unit_test(test_rep_movsw_fault_midway_is_precise_on_386),
        cmocka_unit_test(test_rep_with_cx_zero_does_nothing),
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
        cmocka_unit_test(test_enter_leave_16bit_nesting),
        cmocka_unit_test(test_enter_leave_32bit_nesting),
        cmocka_unit_test(test_enter_levels_0_1_and_32),
        cmocka_unit_test(test_pusha_popa_round_trip),
        cmocka_unit_test(test_pushf_popf_iopl_nt_by_model),
        cmocka_unit_test(test_lahf_sahf),
        cmocka_unit_test(test_xlat),
        cmocka_unit_test(test_cbw_cwde_cwd_cdq),
        cmocka_unit_test(test_movzx_movsx),
        cmocka_unit_test(test_bt_register_offset_beyond_operand),
        cmocka_unit_test(test_bt_negative_register_offset),
        cmocka_unit_test(test_bt_immediate_and_register_operand_offsets_wrap),
        cmocka_unit_test(test_bsf_bsr),
        cmocka_unit_test(test_bsf_zero_source_sets_zf_keeps_destination),
        cmocka_unit_test(test_shld_shrd),
        cmocka_unit_test(test_imul_three_operand),
        cmocka_unit_test(test_cmpxchg_equal_and_unequal),
        cmocka_unit_test(test_cmpxchg8b),
        cmocka_unit_test(test_xadd),
        cmocka_unit_test(test_xadd_same_register_leaves_sum),
        cmocka_unit_test(test_bswap),
        cmocka_unit_test(test_setcc),
        cmocka_unit_test(test_cmovcc),
        cmocka_unit_test(test_cmov_false_condition_still_reads_memory),
        cmocka_unit_test(test_jcc_rel16_rel32),
        cmocka_unit_test(test_rdtsc_monotonic),
        cmocka_unit_test(test_wrmsr_rdmsr_tsc),
        cmocka_unit_test(test_rdmsr_wrmsr_unknown_msr_is_gp),
        cmocka_unit_test(test_idt_limit_0_exception_triple_faults),
        cmocka_unit_test(test_lidt_limit_0_then_int3_shuts_down),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
