/* Regression tests for the differences the CPU oracle (tests/cpu-oracle) found between
 * orrery and the host processor, each named after the behaviour. Every test runs one
 * instruction exactly as the oracle does: a Pentium II in flat 32-bit protected mode at
 * CPL 3 as Linux sets up a 32-bit process (tests/cpu-oracle/emu.c), and checks the outcome
 * the host processor showed and the SDM prescribes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cpu/descriptor.h"
#include "tests/cpu-oracle/emu.h"

/* A machine in the oracle's high layout: data 0x10000-0x11FFF (stack above 0x11000),
 * code from 0x12000. */
struct rig {
    struct oracle_shm *layout;
    struct emu e;
};

#define DATA ORACLE_HIGH_DATA
#define CODE (ORACLE_HIGH_CODE + 0x1000u)

static int setup(void **state)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->layout = calloc(1, sizeof *r->layout);
    assert_non_null(r->layout);
    r->layout->data_base = ORACLE_HIGH_DATA;
    r->layout->code_base = ORACLE_HIGH_CODE;
    r->layout->code_size = ORACLE_HIGH_CODE_SIZE;
    assert_int_equal(emu_init(&r->e, r->layout), 0);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    emu_free(&r->e);
    free(r->layout);
    free(r);
    return 0;
}

/* Registers in encoding order; ESP defaults to the middle of the stack page. */
struct regs {
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
};

static void run(struct rig *r, const void *code, size_t len, struct regs regs, uint32_t eflags,
                struct oracle_result *out)
{
    struct oracle_case c;
    memset(&c, 0, sizeof c);
    memcpy(c.regs, &regs, sizeof c.regs);
    if (!c.regs[4])
        c.regs[4] = DATA + 0x1800;
    c.eflags = eflags | 0x202;
    c.code_addr = CODE;
    c.code_len = (uint32_t)len;
    memcpy(c.code, code, len);
    emu_begin(&r->e, &c);
    emu_step(&r->e);
    emu_finish(&r->e, &c, out);
}

#define AC (1u << 18)

/* MOV to or from CR1, CR5-CR7 is an invalid opcode, and decoding faults rank above the
 * privilege check (SDM Vol. 2B "MOV—Move to/from Control Registers" #UD; Vol. 3A §6.9
 * Table 6-2: #UD while decoding before #GP while executing). The host: #UD at CPL 3. */
static void test_mov_cr_reserved_register_is_ud_at_cpl3(void **state)
{
    struct rig *r = *state;
    struct oracle_result res;
    static const uint8_t from_cr1[] = { 0x0F, 0x20, 0xC9 }; /* mov ecx, cr1 */
    static const uint8_t to_cr7[] = { 0x0F, 0x22, 0xFB };   /* mov cr7, ebx */
    static const uint8_t from_cr0[] = { 0x0F, 0x20, 0xC0 }; /* mov eax, cr0 */
    run(r, from_cr1, sizeof from_cr1, (struct regs){ 0 }, 0, &res);
    assert_int_equal(res.end, ORACLE_END_EXCEPTION);
    assert_int_equal(res.vector, 6);
    run(r, to_cr7, sizeof to_cr7, (struct regs){ 0 }, 0, &res);
    assert_int_equal(res.vector, 6);
    run(r, from_cr0, sizeof from_cr0, (struct regs){ 0 }, 0, &res);
    assert_int_equal(res.vector, 13);
    assert_int_equal(res.error, 0);
}

/* A read-modify-write of memory through a segment that cannot be written (here CS) is #GP
 * even when the read is misaligned under alignment checking: the destination's segment is
 * checked for writing when it is first accessed, and segment faults rank above #AC (SDM
 * Vol. 3A Table 6-2). The host: #GP(0), orrery used to raise #AC on the read. */
static void test_rmw_through_read_only_segment_is_gp_before_ac(void **state)
{
    struct rig *r = *state;
    struct oracle_result res;
    static const uint8_t not_cs[] = { 0x2E, 0xF7, 0x10 };        /* not dword cs:[eax] */
    static const uint8_t add_cs[] = { 0x2E, 0x66, 0x01, 0x18 };  /* add word cs:[eax], bx */
    static const uint8_t bts_cs[] = { 0x2E, 0x0F, 0xAB, 0x18 };  /* bts dword cs:[eax], ebx */
    static const uint8_t xchg_cs[] = { 0x2E, 0x87, 0x18 };       /* xchg cs:[eax], ebx */
    static const uint8_t cmp_cs[] = { 0x2E, 0x39, 0x18 };        /* cmp cs:[eax], ebx: reads only */
    struct regs regs = { .eax = DATA + 0x101 };
    run(r, not_cs, sizeof not_cs, regs, AC, &res);
    assert_int_equal(res.vector, 13);
    run(r, add_cs, sizeof add_cs, regs, AC, &res);
    assert_int_equal(res.vector, 13);
    run(r, bts_cs, sizeof bts_cs, regs, AC, &res);
    assert_int_equal(res.vector, 13);
    run(r, xchg_cs, sizeof xchg_cs, regs, AC, &res);
    assert_int_equal(res.vector, 13);
    run(r, cmp_cs, sizeof cmp_cs, regs, AC, &res);
    assert_int_equal(res.vector, 17);
}

/* CMPXCHG8B's m64 is one quadword: under alignment checking it must be 8-byte aligned
 * (SDM Vol. 3A §6.15, Table 6-25 "Quadword 8"). The host: #AC at an address 4 mod 8. */
static void test_cmpxchg8b_operand_must_be_8_byte_aligned(void **state)
{
    struct rig *r = *state;
    struct oracle_result res;
    static const uint8_t code[] = { 0x0F, 0xC7, 0x0B }; /* cmpxchg8b [ebx] */
    run(r, code, sizeof code, (struct regs){ .ebx = DATA + 0x104 }, AC, &res);
    assert_int_equal(res.end, ORACLE_END_EXCEPTION);
    assert_int_equal(res.vector, 17);
    run(r, code, sizeof code, (struct regs){ .ebx = DATA + 0x108 }, AC, &res);
    assert_int_equal(res.end, ORACLE_END_NORMAL);
}

/* Far CALL, far RET and IRET at CPL 3 read and write the user stack, which is subject to
 * alignment checking like any CPL 3 data access (SDM Vol. 2A "CALL", Vol. 2B "RET",
 * "IRET": #AC(0) if an unaligned memory reference is made at CPL 3 with alignment
 * checking enabled). The host: #AC with ESP 3 mod 4. */
static void test_far_transfers_alignment_check_the_user_stack(void **state)
{
    struct rig *r = *state;
    struct oracle_result res;
    static const uint8_t retf[] = { 0xCB };
    static const uint8_t iret[] = { 0xCF };
    static const uint8_t callf[] = { 0x9A, 0x00, 0x40, 0x01, 0x00, 0x23, 0x00 }; /* call 0x23:0x14000 */
    struct regs odd = { .esp = DATA + 0x1803 };
    run(r, retf, sizeof retf, odd, AC, &res);
    assert_int_equal(res.vector, 17);
    run(r, iret, sizeof iret, odd, AC, &res);
    assert_int_equal(res.vector, 17);
    run(r, callf, sizeof callf, odd, AC, &res);
    assert_int_equal(res.vector, 17);
    /* aligned, the call goes through */
    run(r, callf, sizeof callf, (struct regs){ .esp = DATA + 0x1800 }, AC, &res);
    assert_int_equal(res.end, ORACLE_END_NORMAL);
    assert_int_equal(res.eip, 0x14000);
}

/* ENTER's probe of its final stack pointer (SDM Vol. 2A "ENTER": #PF if "a write using the
 * final value of the stack pointer ... would cause a page fault") is a write of the
 * operand size, subject to alignment checking, made after the frame is pushed. The host:
 * ENTER 0x3FF, 1 from an aligned ESP is #AC with ESP and EBP as they were and the saved
 * EBP and FrameTemp already in memory (seed 7, single #21380); a 16-bit ENTER whose final
 * SP is 2 mod 4 runs through. */
static void test_enter_probe_is_an_aligned_write_after_the_pushes(void **state)
{
    struct rig *r = *state;
    struct oracle_result res;
    static const uint8_t enter32[] = { 0xC8, 0xFF, 0x03, 0x01 }; /* enter 0x3ff, 1 */
    static const uint8_t enter16[] = { 0x66, 0xC8, 0xFE, 0x03, 0x01 }; /* o16 enter 0x3fe, 1 */
    struct regs regs = { .esp = DATA + 0x1800, .ebp = DATA + 0x1900 };
    run(r, enter32, sizeof enter32, regs, AC, &res);
    assert_int_equal(res.end, ORACLE_END_EXCEPTION);
    assert_int_equal(res.vector, 17);
    assert_int_equal(res.regs[4], DATA + 0x1800);
    assert_int_equal(res.regs[5], DATA + 0x1900);
    assert_true(res.ndiff > 0);
    assert_int_equal(res.diff[0] >> 8, 0x17F8); /* FrameTemp, the last push */
    run(r, enter16, sizeof enter16, regs, AC, &res);
    assert_int_equal(res.end, ORACLE_END_NORMAL);
    assert_int_equal(res.regs[4], DATA + 0x1800 - 4 - 0x3FE);
}

/* A segment cache for one of the GDT entries the rig shares with Linux. */
static void cache(struct rig *r, uint16_t sel, uint64_t desc, struct seg_cache *c)
{
    struct desc d = { (uint32_t)desc, (uint32_t)(desc >> 32), 0 };
    desc_to_cache(&r->e.cpu, &d, sel, c);
}

/* IRET (and far RET) to an outer privilege level leaves a null selector in DS, ES, FS or GS
 * as 0, RPL included: "IF SegmentSelector = NULL ... THEN SegmentSelector <- 0" (SDM Vol. 2A
 * IRET and Vol. 2B RET, RETURN-TO-OUTER-PRIVILEGE-LEVEL). Seen from the oracle: the host
 * kernel's IRET to user mode turned a case's DS = 3 into 0. */
static void test_return_to_outer_level_zeroes_null_selectors(void **state)
{
    struct rig *r = *state;
    struct oracle_result res;
    struct oracle_case c;
    memset(&c, 0, sizeof c);
    c.regs[4] = DATA + 0x1800;
    c.eflags = 0x202;
    c.code_addr = CODE;
    c.code_len = 1;
    c.code[0] = 0xCF; /* iretd */
    /* the frame: EIP, CS 0x23, EFLAGS, ESP, SS 0x2B */
    uint32_t frame[5] = { CODE + 0x100, 0x23, 0x202, DATA + 0x1700, 0x2B };
    c.npatch = 2;
    c.patch[0].off = 0x1800;
    c.patch[0].len = 12;
    memcpy(c.patch[0].bytes, frame, 12);
    c.patch[1].off = 0x180C;
    c.patch[1].len = 8;
    memcpy(c.patch[1].bytes, frame + 3, 8);
    emu_begin(&r->e, &c);
    /* at CPL 0: kernel code and stack, DS null with RPL 3, ES the kernel's data (DPL 0),
     * FS null with RPL 0, GS the user's data */
    struct cpu *cpu = &r->e.cpu;
    cache(r, 0x08, 0x00CF9B000000FFFFull, &cpu->seg[S_CS]);
    cache(r, 0x18, 0x00CF93000000FFFFull, &cpu->seg[S_SS]);
    cache(r, 0x18, 0x00CF93000000FFFFull, &cpu->seg[S_ES]);
    cpu->seg[S_DS].sel = 3;
    cpu->seg[S_DS].attr = 0;
    cpu->seg[S_DS].ok = 0;
    cpu->seg[S_FS].sel = 0;
    cpu->seg[S_FS].attr = 0;
    cpu->seg[S_FS].ok = 0;
    cpu->cpl = 0;
    emu_step(&r->e);
    emu_finish(&r->e, &c, &res);
    assert_int_equal(res.end, ORACLE_END_NORMAL);
    assert_int_equal(res.eip, CODE + 0x100);
    assert_int_equal(res.sreg[S_CS], 0x23);
    assert_int_equal(res.sreg[S_SS], 0x2B);
    assert_int_equal(res.regs[4], DATA + 0x1700);
    assert_int_equal(res.sreg[S_DS], 0);    /* null: RPL cleared */
    assert_int_equal(res.sreg[S_ES], 0);    /* DPL 0 data below CPL 3 */
    assert_int_equal(res.sreg[S_FS], 0);
    assert_int_equal(res.sreg[S_GS], 0x2B); /* usable: kept */
}

/* UD1 (0F B9, the opcode map's Group 10) is decoded with its ModRM, SIB and displacement
 * before it raises #UD, so they count toward the 15-byte limit: past it the fault is #GP(0)
 * (SDM Vol. 2B "UD"; Vol. 2A §2.3.11). The host: #GP(0) for 13 prefixes, 0F B9 and a ModRM
 * (16 bytes); orrery used to stop decoding at the opcode and raise #UD. */
static void test_ud1_modrm_counts_toward_the_length_limit(void **state)
{
    struct rig *r = *state;
    struct oracle_result res;
    uint8_t code[16];
    memset(code, 0x3E, 13); /* ds: */
    code[13] = 0x0F;
    code[14] = 0xB9;
    code[15] = 0xC0; /* ud1 eax, eax */
    run(r, code, 16, (struct regs){ 0 }, 0, &res);
    assert_int_equal(res.end, ORACLE_END_EXCEPTION);
    assert_int_equal(res.vector, 13);
    assert_int_equal(res.error, 0);
    assert_int_equal(res.eip, CODE);
    /* 15 bytes with the ModRM and a disp8: #UD */
    uint8_t fits[15];
    memset(fits, 0x3E, 11);
    fits[11] = 0x0F;
    fits[12] = 0xB9;
    fits[13] = 0x40; /* ud1 eax, [eax + disp8] */
    fits[14] = 0x10;
    run(r, fits, sizeof fits, (struct regs){ 0 }, 0, &res);
    assert_int_equal(res.end, ORACLE_END_EXCEPTION);
    assert_int_equal(res.vector, 6);
    /* one prefix more, and the displacement is the 16th byte */
    uint8_t over[16];
    memset(over, 0x3E, 12);
    memcpy(over + 12, fits + 11, 4);
    run(r, over, sizeof over, (struct regs){ 0 }, 0, &res);
    assert_int_equal(res.vector, 13);
}

/* The P6 hint-NOP space 0F 18-0F 1F (SDM Vol. 2B "NOP", Vol. 2D App. A reserved NOPs),
 * whatever ModRM and prefix: ENDBR32 and RDSSPD of CET-built code, PREFETCHh, MPX and
 * CLDEMOTE encodings run as NOPs, and the operand is never accessed, even where nothing is
 * mapped (orrery's guard, the host's unmapped page). Found by orrery-oracle --sweep: the
 * host ran 0F 18-0F 1E, orrery raised #UD. */
static void test_hint_nops_run_without_touching_their_operand(void **state)
{
    struct rig *r = *state;
    struct oracle_result res;
    static const uint8_t forms[][8] = {
        { 4, 0xF3, 0x0F, 0x1E, 0xFB },       /* endbr32 */
        { 4, 0xF3, 0x0F, 0x1E, 0xC8 },       /* rdsspd eax */
        { 3, 0x0F, 0x18, 0x00 },             /* prefetchnta [eax] (SSE) */
        { 3, 0x0F, 0x1A, 0x38 },             /* 0F 1A /7 [eax] (MPX) */
        { 4, 0x66, 0x0F, 0x1C, 0x00 },       /* 0F 1C /0 [eax] (CLDEMOTE), o16 */
        { 4, 0xF2, 0x0F, 0x19, 0xD9 },       /* reserved NOP, register */
        { 5, 0x0F, 0x1F, 0x44, 0x00, 0x00 }, /* nop [eax+eax+0] */
    };
    const struct regs regs = { .eax = 0xF0000000u, .ecx = 1, .edx = 2, .ebx = 3 };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        run(r, forms[i] + 1, forms[i][0], regs, 0, &res);
        assert_int_equal(res.end, ORACLE_END_NORMAL);
        assert_int_equal(res.eip, CODE + forms[i][0]);
        assert_int_equal(res.regs[0], regs.eax);
        assert_int_equal(res.regs[3], regs.ebx);
        assert_int_equal(res.ndiff, 0);
        assert_int_equal(r->e.oob, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mov_cr_reserved_register_is_ud_at_cpl3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hint_nops_run_without_touching_their_operand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmw_through_read_only_segment_is_gp_before_ac, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmpxchg8b_operand_must_be_8_byte_aligned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_far_transfers_alignment_check_the_user_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enter_probe_is_an_aligned_write_after_the_pushes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_return_to_outer_level_zeroes_null_selectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ud1_modrm_counts_toward_the_length_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
