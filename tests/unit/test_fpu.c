/* SPDX-License-Identifier: MIT */
/* x87 and MMX instructions run through the CPU (cmocka): state at reset, exceptions and
 * their delivery (#NM, #MF, FERR#), state images, and the behaviours the oracle found
 * (tests/fpu-oracle), each named after what it shows. Code runs in real mode at
 * 1000:0000 with DS = 2000 (tests/unit/harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpu/fpu/fpu.h"
#include "tests/unit/harness.h"

#define DS_LIN(off) ((0x2000u << 4) + (off))
#define D16(v) (uint8_t)(v), (uint8_t)((v) >> 8)

enum { NE = 0x20, EM = 0x4, TS = 0x8, MP = 0x2 };

static struct harness h;

static void put16(uint32_t lin, uint16_t v)
{
    h.ram[lin] = (uint8_t)v;
    h.ram[lin + 1] = (uint8_t)(v >> 8);
}

static uint16_t get16(uint32_t lin)
{
    return (uint16_t)(h.ram[lin] | h.ram[lin + 1] << 8);
}

static uint32_t get32(uint32_t lin)
{
    return get16(lin) | (uint32_t)get16(lin + 2) << 16;
}

static struct f80 st_of(unsigned i)
{
    const struct fpu *f = &h.cpu.fpu;
    return f->st[(f->top + i) & 7];
}

#define RUN(...)                                                                           \
    do {                                                                                   \
        static const uint8_t code_[] = { __VA_ARGS__ };                                    \
        h_run(&h, code_, sizeof code_, 200);                                               \
    } while (0)

#define assert_st(i, se_, m_)                                                              \
    do {                                                                                   \
        assert_int_equal(st_of(i).se, (se_));                                              \
        assert_int_equal(st_of(i).m, (m_));                                                \
    } while (0)

static int setup_p2(void **state)
{
    (void)state;
    h_init(&h, CPU_P2);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    h_free(&h);
    return 0;
}

/* SDM Vol. 3A Table 9-1: control word 0040H, status 0, tag word 5555H (+0.0 in all). */
static void test_reset_state_follows_sdm_table_9_1(void **state)
{
    (void)state;
    assert_int_equal(h.cpu.fpu.cw, 0x0040);
    assert_int_equal(fpu_status_word(&h.cpu.fpu), 0);
    assert_int_equal(fpu_tag_word(&h.cpu.fpu), 0x5555);
}

/* FNINIT empties the tags but leaves the register contents (host behaviour). */
static void test_fninit_keeps_register_contents(void **state)
{
    (void)state;
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0xDB, 0xE3, 0xF4); /* fninit; fld1; fninit; hlt */
    assert_int_equal(h.cpu.fpu.cw, 0x037F);
    assert_int_equal(fpu_tag_word(&h.cpu.fpu), 0xFFFF);
    assert_int_equal(h.cpu.fpu.st[7].m, 0x8000000000000000ull);
    assert_int_equal(h.cpu.fpu.st[7].se, 0x3FFF);
}

static void test_one_plus_one_stores_double_two(void **state)
{
    (void)state;
    /* fninit; fld1; fld1; faddp; fstp qword [0x100]; hlt */
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xE8, 0xDE, 0xC1, 0xDD, 0x1E, D16(0x100), 0xF4);
    assert_int_equal(get32(DS_LIN(0x100)), 0);
    assert_int_equal(get32(DS_LIN(0x104)), 0x40000000);
    assert_int_equal(h.cpu.fpu.valid, 0);
}

static void test_masked_divide_by_zero_gives_infinity(void **state)
{
    (void)state;
    /* fninit; fld1; fldz; fdivp st(1),st; fnstsw ax; hlt */
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9, 0xDF, 0xE0, 0xF4);
    assert_int_equal(h.cpu.r[R_EAX] & 0xFFFF, 0x3804);
    assert_st(0, 0x7FFF, 0x8000000000000000ull);
}

/* Divide-by-zero program used by the delivery tests: ZE unmasked by FLDCW, then a waiting
 * instruction at offset 14. */
#define UNMASKED_ZE_THEN_FWAIT                                                             \
    0xDB, 0xE3, 0xD9, 0x2E, D16(0x100), 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9, 0xDF, 0xE0,     \
        0x9B
enum { FWAIT_AT = 14 };

/* CR0.NE = 1: the exception stays pending until the next waiting instruction, which
 * takes #MF before it executes (SDM Vol. 1 §8.6). FNSTSW does not wait. */
static void test_unmasked_exception_is_mf_at_next_waiting_insn(void **state)
{
    (void)state;
    h.cpu.cr[0] |= NE;
    put16(DS_LIN(0x100), 0x037B);
    RUN(UNMASKED_ZE_THEN_FWAIT, 0xF4);
    assert_int_equal(h_vector(&h), EXC_MF);
    assert_int_equal(get16((0x4000u << 4) + 0x1000 - 6), FWAIT_AT); /* return IP */
    assert_int_equal(h.cpu.r[R_EAX] & 0xFFFF, 0xB084);                /* B, TOP 6, ES, ZE */
    assert_st(1, 0x3FFF, 0x8000000000000000ull); /* the division did not store */
}

static int ferr_calls, ferr_level;
static void on_ferr(void *opaque, int level)
{
    (void)opaque;
    ferr_calls++;
    ferr_level = level;
}

/* CR0.NE = 0 with a platform listening: FERR# rises and the waiting instruction does not
 * execute until IGNNE# (or the handler clearing the exception) lets it. */
static void test_ferr_stalls_waiting_insn_until_ignne(void **state)
{
    (void)state;
    ferr_calls = 0;
    h.cpu.ferr_changed = on_ferr;
    put16(DS_LIN(0x100), 0x037B);
    RUN(UNMASKED_ZE_THEN_FWAIT, 0xDB, 0xE2, 0xF4); /* ...; fwait; fnclex; hlt */
    assert_false(h.cpu.halted);
    assert_int_equal(h.cpu.eip, FWAIT_AT);
    assert_int_equal(h.cpu.ferr, 1);
    assert_int_equal(ferr_calls, 1);
    assert_int_equal(ferr_level, 1);
    h.cpu.ignne = 1;
    for (int i = 0; i < 10 && !h.cpu.halted; i++)
        cpu_run(&h.cpu, 1);
    assert_true(h.cpu.halted);
    assert_int_equal(h.cpu.ferr, 0); /* FNCLEX cleared the exception */
    assert_int_equal(ferr_calls, 2);
    assert_int_equal(ferr_level, 0);
}

static void test_waiting_insn_proceeds_when_nobody_listens_to_ferr(void **state)
{
    (void)state;
    put16(DS_LIN(0x100), 0x037B);
    RUN(UNMASKED_ZE_THEN_FWAIT, 0xF4);
    assert_true(h.cpu.halted);
    assert_int_equal(h_vector(&h), -1);
    assert_int_equal(h.cpu.ferr, 1);
}

static void test_fpu_instructions_take_nm_on_em_or_ts(void **state)
{
    (void)state;
    h.cpu.cr[0] |= EM;
    RUN(0xD9, 0xE8, 0xF4);
    assert_int_equal(h_vector(&h), EXC_NM);
    h.cpu.cr[0] = (h.cpu.cr[0] & ~(uint32_t)EM) | TS;
    cpu_load_seg_real(&h.cpu, S_CS, H_CODE_SEG);
    h.cpu.eip = 0;
    h.cpu.halted = 0;
    RUN(0xD9, 0xE8, 0xF4);
    assert_int_equal(h_vector(&h), EXC_NM);
}

/* WAIT faults only with MP and TS both set (SDM Vol. 3A Table 2-2). */
static void test_wait_takes_nm_only_with_mp_and_ts(void **state)
{
    (void)state;
    h.cpu.cr[0] |= TS;
    RUN(0x9B, 0xF4);
    assert_int_equal(h_vector(&h), -1);
    h.cpu.cr[0] |= MP;
    cpu_load_seg_real(&h.cpu, S_CS, H_CODE_SEG);
    h.cpu.eip = 0;
    h.cpu.halted = 0;
    RUN(0x9B, 0xF4);
    assert_int_equal(h_vector(&h), EXC_NM);
}

static void test_mmx_with_em_is_ud(void **state)
{
    (void)state;
    h.cpu.cr[0] |= EM;
    RUN(0x0F, 0x77, 0xF4);
    assert_int_equal(h_vector(&h), EXC_UD);
}

/* Without an x87 (386) every escape is the coprocessor escape: no #UD, no state. */
static void test_escape_without_fpu_is_a_no_op(void **state)
{
    (void)state;
    h_free(&h);
    h_init(&h, CPU_386);
    RUN(0xD9, 0xE8, 0x9B, 0xDA, 0xC1, 0xF4); /* fld1; fwait; fcmovb; hlt */
    assert_int_equal(h_vector(&h), -1);
    assert_true(h.cpu.halted);
    assert_int_equal(h.cpu.fpu.top, 0);
}

static void test_p6_forms_are_ud_on_pentium(void **state)
{
    (void)state;
    static const uint8_t forms[][3] = {
        { 0xDA, 0xC1, 0xF4 }, { 0xDB, 0xF1, 0xF4 }, { 0x0F, 0x6F, 0xC0 }, { 0x0F, 0x77, 0xF4 },
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        h_free(&h);
        h_init(&h, CPU_PENTIUM);
        uint8_t code[4] = { forms[i][0], forms[i][1], forms[i][2], 0xF4 };
        h_run(&h, code, sizeof code, 10);
        assert_int_equal(h_vector(&h), EXC_UD);
    }
}

static void test_cpuid_reports_fpu_cmov_mmx_fxsr(void **state)
{
    (void)state;
    RUN(0x66, 0xB8, 0x01, 0, 0, 0, 0x0F, 0xA2, 0xF4); /* mov eax, 1; cpuid; hlt */
    uint32_t want = 1u << 0 | 1u << 15 | 1u << 23 | 1u << 24;
    assert_int_equal(h.cpu.r[R_EDX] & want, want);
    h_free(&h);
    h_init(&h, CPU_PENTIUM);
    RUN(0x66, 0xB8, 0x01, 0, 0, 0, 0x0F, 0xA2, 0xF4);
    assert_int_equal(h.cpu.r[R_EDX] & (1u << 0 | 1u << 23), 1u << 0);
}

/* Real-mode layouts hold linear pointers: FIP 10006H, FDP 20200H, FOP 106H
 * (SDM Vol. 1 Figures 8-10 and 8-12). FNSTENV then masks all exceptions. */
static void test_fstenv_real_mode_layouts(void **state)
{
    (void)state;
    put16(DS_LIN(0x100), 0x0370);
    put16(DS_LIN(0x200), 0x0000);
    put16(DS_LIN(0x202), 0x3F80); /* 1.0f */
    /* fninit; fldcw [100]; fld dword [200]; fnstenv [300]; o32 fnstenv [400]; hlt */
    RUN(0xDB, 0xE3, 0xD9, 0x2E, D16(0x100), 0xD9, 0x06, D16(0x200), 0xD9, 0x36, D16(0x300),
        0x66, 0xD9, 0x36, D16(0x400), 0xF4);
    uint32_t e16 = DS_LIN(0x300), e32 = DS_LIN(0x400);
    assert_int_equal(get16(e16 + 0), 0x0370);
    assert_int_equal(get16(e16 + 2), 0x3800);
    assert_int_equal(get16(e16 + 4), 0x3FFF);
    assert_int_equal(get16(e16 + 6), 0x0006);
    assert_int_equal(get16(e16 + 8), 0x1106);
    assert_int_equal(get16(e16 + 10), 0x0200);
    assert_int_equal(get16(e16 + 12), 0x2000);
    assert_int_equal(get32(e32 + 0), 0xFFFF037F);
    assert_int_equal(get32(e32 + 12), 0xFFFF0006);
    assert_int_equal(get32(e32 + 16), 0x00001106);
    assert_int_equal(get32(e32 + 20), 0xFFFF0200);
    assert_int_equal(get32(e32 + 24), 0x00002000);
}

/* Protected-mode layouts hold selector:offset pairs (SDM Vol. 1 Figures 8-9 and 8-11).
 * The segment caches keep their real-mode contents; only the layout changes. */
static void test_fstenv_protected_mode_layouts(void **state)
{
    (void)state;
    h.cpu.mode = MODE_PROT;
    h.cpu.cr[0] |= 1;
    put16(DS_LIN(0x200), 0x0000);
    put16(DS_LIN(0x202), 0x3F80); /* 1.0f */
    /* fninit; nop; nop; fld dword [200]; fnstenv [300]; o32 fnstenv [400]; hlt */
    RUN(0xDB, 0xE3, 0x90, 0x90, 0x90, 0x90, 0xD9, 0x06, D16(0x200), 0xD9, 0x36, D16(0x300),
        0x66, 0xD9, 0x36, D16(0x400), 0xF4);
    uint32_t e16 = DS_LIN(0x300), e32 = DS_LIN(0x400);
    assert_int_equal(get16(e16 + 6), 0x0006);
    assert_int_equal(get16(e16 + 8), 0x1000);
    assert_int_equal(get16(e16 + 10), 0x0200);
    assert_int_equal(get16(e16 + 12), 0x2000);
    assert_int_equal(get32(e32 + 12), 0x00000006);
    assert_int_equal(get32(e32 + 16), 0x01061000);
    assert_int_equal(get32(e32 + 20), 0x00000200);
    assert_int_equal(get32(e32 + 24), 0xFFFF2000);
}

static void test_fsave_frstor_round_trip(void **state)
{
    (void)state;
    /* fninit; fld1; fldpi; fnsave [100]; frstor [100]; hlt */
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xEB, 0xDD, 0x36, D16(0x100), 0xDD, 0x26, D16(0x100),
        0xF4);
    assert_int_equal(fpu_tag_word(&h.cpu.fpu), 0x0FFF);
    assert_st(0, 0x4000, 0xC90FDAA22168C235ull);
    assert_st(1, 0x3FFF, 0x8000000000000000ull);
}

static void test_fxsave_requires_16_byte_alignment(void **state)
{
    (void)state;
    /* fninit; fld1; fxsave [101]; hlt */
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0x0F, 0xAE, 0x06, D16(0x101), 0xF4);
    assert_int_equal(h_vector(&h), EXC_GP);
    h_free(&h);
    h_init(&h, CPU_P2);
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0x0F, 0xAE, 0x06, D16(0x100), 0xF4);
    assert_int_equal(h_vector(&h), -1);
    assert_int_equal(get16(DS_LIN(0x100)), 0x037F);
    assert_int_equal(get16(DS_LIN(0x102)), 0x3800);
    assert_int_equal(h.ram[DS_LIN(0x104)], 0x80); /* abridged tag: R7 in use */
    assert_int_equal(get16(DS_LIN(0x120 + 8)), 0x3FFF);
}

/* A store that faults leaves the FPU as it was (precise exceptions). */
static void test_fstp_m80_past_limit_faults_without_popping(void **state)
{
    (void)state;
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0xDB, 0x3E, D16(0xFFF8), 0xF4); /* fstp tbyte [fff8] */
    assert_int_equal(h_vector(&h), EXC_GP);
    assert_int_equal(h.cpu.fpu.top, 7);
    assert_int_equal(h.cpu.fpu.valid, 0x80);
}

/* FSTP1 (D9 D8+i) pops an empty ST(0) without a stack fault (host behaviour). */
static void test_fstp1_alias_does_not_fault_on_empty(void **state)
{
    (void)state;
    RUN(0xDB, 0xE3, 0xD9, 0xD9, 0xDF, 0xE0, 0xF4);
    assert_int_equal(h.cpu.r[R_EAX] & 0xFFFF, 0x0800);
}

/* EMMS empties the tags and, as on the host, sets TOP to 0. */
static void test_emms_sets_top_to_zero(void **state)
{
    (void)state;
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0x0F, 0x77, 0xF4);
    assert_int_equal(h.cpu.fpu.top, 0);
    assert_int_equal(h.cpu.fpu.valid, 0);
}

/* An MMX write makes its register's exponent all ones, so FSTENV tags it special. */
static void test_mmx_write_aliases_x87_register(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++)
        h.ram[DS_LIN(0x100) + i] = (uint8_t)(0x11 * (i + 1));
    /* fninit; movq mm0, [100]; fnstenv [200]; hlt */
    RUN(0xDB, 0xE3, 0x0F, 0x6F, 0x06, D16(0x100), 0xD9, 0x36, D16(0x200), 0xF4);
    assert_int_equal(get16(DS_LIN(0x204)), 0x5556);
    assert_int_equal(h.cpu.fpu.st[0].se, 0xFFFF);
    assert_int_equal(h.cpu.fpu.st[0].m, 0x8877665544332211ull);
}

static void test_mmx_saturation_and_pmaddwd_wrap(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++) {
        h.ram[DS_LIN(0x100) + i] = 0xF0;
        h.ram[DS_LIN(0x108) + i] = 0x20;
        h.ram[DS_LIN(0x110) + i] = (uint8_t)(i & 1 ? 0x80 : 0x00);
    }
    /* movq mm0,[100]; paddusb mm0,[108]; movq mm1,[110]; pmaddwd mm1,[110];
     * movq [120],mm0; movq [128],mm1; hlt */
    RUN(0x0F, 0x6F, 0x06, D16(0x100), 0x0F, 0xDC, 0x06, D16(0x108), 0x0F, 0x6F, 0x0E, D16(0x110),
        0x0F, 0xF5, 0x0E, D16(0x110), 0x0F, 0x7F, 0x06, D16(0x120), 0x0F, 0x7F, 0x0E, D16(0x128),
        0xF4);
    assert_int_equal(get32(DS_LIN(0x120)), 0xFFFFFFFF);
    assert_int_equal(get32(DS_LIN(0x128)), 0x80000000);
    assert_int_equal(get32(DS_LIN(0x12C)), 0x80000000);
}

/* With IE unmasked, a compare with a NaN still sets C3 C2 C0 but does not pop. */
static void test_compare_with_unmasked_ie_sets_codes_without_popping(void **state)
{
    (void)state;
    put16(DS_LIN(0x100), 0x037E);
    for (int i = 0; i < 7; i++)
        h.ram[DS_LIN(0x110) + i] = 0;
    h.ram[DS_LIN(0x117)] = 0xC0;
    put16(DS_LIN(0x118), 0x7FFF); /* QNaN */
    /* fninit; fldcw [100]; fld tbyte [110]; fld1; fcompp; fnstsw ax; hlt */
    RUN(0xDB, 0xE3, 0xD9, 0x2E, D16(0x100), 0xDB, 0x2E, D16(0x110), 0xD9, 0xE8, 0xDE, 0xD9,
        0xDF, 0xE0, 0xF4);
    uint16_t sw = (uint16_t)h.cpu.r[R_EAX];
    assert_int_equal(sw & 0x4501, 0x4501);
    assert_int_equal((sw >> 11) & 7, 6);
}

/* F2XM1 is defined on [-1, 1]; beyond, the host returns the operand with PE. */
static void test_f2xm1_returns_operand_outside_its_domain(void **state)
{
    (void)state;
    put16(DS_LIN(0x100), 2);
    RUN(0xDB, 0xE3, 0xDF, 0x06, D16(0x100), 0xD9, 0xF0, 0xDF, 0xE0, 0xF4);
    assert_st(0, 0x4000, 0x8000000000000000ull);
    assert_int_equal(h.cpu.r[R_EAX] & 0x3F, 0x20);
}

/* FSIN reduces by the x87's 66-bit pi: FSIN(FLDPI) = -(FLDPI - pi66) = -2^-64. */
static void test_fsin_reduces_with_the_66_bit_pi(void **state)
{
    (void)state;
    RUN(0xDB, 0xE3, 0xD9, 0xEB, 0xD9, 0xFE, 0xF4);
    assert_st(0, 0xBFBF, 0x8000000000000000ull);
}

/* Control word bit 6 reads 1, bits 7 and 13-15 read 0 (host behaviour). */
static void test_fldcw_reserved_bits_read_fixed(void **state)
{
    (void)state;
    put16(DS_LIN(0x100), 0xFFFF);
    RUN(0xD9, 0x2E, D16(0x100), 0xD9, 0x3E, D16(0x102), 0xF4);
    assert_int_equal(get16(DS_LIN(0x102)), 0x1F7F);
}

/* ES and B summarise the unmasked exception flags: FLDCW raises and clears them. */
static void test_es_follows_unmasked_flags(void **state)
{
    (void)state;
    put16(DS_LIN(0x100), 0x037B);
    put16(DS_LIN(0x102), 0x037F);
    /* fninit; fld1; fldz; fdivp; fldcw [100]; fnstsw ax; fldcw [102]; fnstsw [104]; hlt */
    RUN(0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9, 0xD9, 0x2E, D16(0x100), 0xDF, 0xE0,
        0xD9, 0x2E, D16(0x102), 0xDD, 0x3E, D16(0x104), 0xF4);
    assert_int_equal(h.cpu.r[R_EAX] & 0xFFFF, 0xB884);
    assert_int_equal(get16(DS_LIN(0x104)), 0x3804);
}

static void test_fbld_fbstp_round_trip(void **state)
{
    (void)state;
    static const uint8_t bcd[10] = { 0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0x65, 0x87, 0x80 };
    memcpy(h.ram + DS_LIN(0x100), bcd, sizeof bcd);
    RUN(0xDB, 0xE3, 0xDF, 0x26, D16(0x100), 0xDF, 0x36, D16(0x110), 0xF4);
    assert_memory_equal(h.ram + DS_LIN(0x110), bcd, sizeof bcd);
}

static void test_fist_rounds_by_control_word(void **state)
{
    (void)state;
    put16(DS_LIN(0x100), 0x0B7F); /* round up */
    put16(DS_LIN(0x102), 0x0000);
    put16(DS_LIN(0x104), 0x4020); /* 2.5f */
    RUN(0xDB, 0xE3, 0xD9, 0x2E, D16(0x100), 0xD9, 0x06, D16(0x102), 0xDF, 0x1E, D16(0x110), 0xF4);
    assert_int_equal(get16(DS_LIN(0x110)), 3);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup_p2, teardown)
    const struct CMUnitTest tests[] = {
        T(test_reset_state_follows_sdm_table_9_1),
        T(test_fninit_keeps_register_contents),
        T(test_one_plus_one_stores_double_two),
        T(test_masked_divide_by_zero_gives_infinity),
        T(test_unmasked_exception_is_mf_at_next_waiting_insn),
        T(test_ferr_stalls_waiting_insn_until_ignne),
        T(test_waiting_insn_proceeds_when_nobody_listens_to_ferr),
        T(test_fpu_instructions_take_nm_on_em_or_ts),
        T(test_wait_takes_nm_only_with_mp_and_ts),
        T(test_mmx_with_em_is_ud),
        T(test_escape_without_fpu_is_a_no_op),
        T(test_p6_forms_are_ud_on_pentium),
        T(test_cpuid_reports_fpu_cmov_mmx_fxsr),
        T(test_fstenv_real_mode_layouts),
        T(test_fstenv_protected_mode_layouts),
        T(test_fsave_frstor_round_trip),
        T(test_fxsave_requires_16_byte_alignment),
        T(test_fstp_m80_past_limit_faults_without_popping),
        T(test_fstp1_alias_does_not_fault_on_empty),
        T(test_emms_sets_top_to_zero),
        T(test_mmx_write_aliases_x87_register),
        T(test_mmx_saturation_and_pmaddwd_wrap),
        T(test_compare_with_unmasked_ie_sets_codes_without_popping),
        T(test_f2xm1_returns_operand_outside_its_domain),
        T(test_fsin_reduces_with_the_66_bit_pi),
        T(test_fldcw_reserved_bits_read_fixed),
        T(test_es_follows_unmasked_flags),
        T(test_fbld_fbstp_round_trip),
        T(test_fist_rounds_by_control_word),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
