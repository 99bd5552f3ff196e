/* SPDX-License-Identifier: MIT */
/* The hint-NOP space 0F 18-0F 1F: what a program built with -fcf-protection (every static
 * i386 program linked against Debian 12's glibc) executes at the start of its functions
 * and in setjmp/longjmp: ENDBR32 (F3 0F 1E FB), RDSSPD (F3 0F 1E /1, mod = 3), and the
 * multi-byte NOPs compilers pad with. On a family 6 processor every 0F 18-0F 1F form is
 * NOP Ev whatever its ModRM and prefixes (SDM Vol. 2B "NOP", Vol. 2D App. A Table A-3
 * "reserved NOP"); it reads no memory, so an operand past the segment limit does not fault.
 * Before the P6 (286 to Pentium) the whole range is an undefined opcode: #UD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "harness.h"

#define CODE_LIN (H_CODE_SEG << 4)
#define DATA_LIN 0x20000u /* DS = 0x2000 */

static const uint32_t init_regs[8] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444,
                                       0x00000800, 0x66666666, 0x00000100, 0x00000200 };

static void set_regs(struct harness *h)
{
    for (unsigned i = 0; i < 8; i++)
        h->cpu.r[i] = init_regs[i];
}

/* Appends one instruction: prefix (0 = none), 0F op, ModRM, then the addressing bytes. */
static size_t put(uint8_t *p, uint8_t prefix, uint8_t op, uint8_t modrm, const uint8_t *rest,
                  size_t nrest)
{
    size_t n = 0;
    if (prefix)
        p[n++] = prefix;
    p[n++] = 0x0F;
    p[n++] = op;
    p[n++] = modrm;
    if (nrest)
        memcpy(p + n, rest, nrest);
    return n + nrest;
}

/* The forms of one opcode and reg field: register operand, [BX+SI+disp16] (16-bit
 * addressing, real mode's default) and a 32-bit address far past the 64 KiB limit. */
static size_t forms(uint8_t *p, uint8_t prefix, uint8_t op, unsigned reg)
{
    static const uint8_t disp16[] = { 0x34, 0x12 };
    static const uint8_t far32[] = { 0x00, 0x00, 0x00, 0x80 }; /* 67: [disp32 0x80000000] */
    size_t n = 0;
    n += put(p + n, prefix, op, (uint8_t)(0xC0 | reg << 3 | (reg ^ 5)), NULL, 0);
    n += put(p + n, prefix, op, (uint8_t)(0x80 | reg << 3), disp16, sizeof disp16);
    p[n++] = 0x67;
    n += put(p + n, prefix, op, (uint8_t)(0x05 | reg << 3), far32, sizeof far32);
    return n;
}

static void run_p2(const uint8_t *code, size_t len, const char *what)
{
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h_init(h, CPU_P2);
    set_regs(h);
    memset(h->ram + DATA_LIN, 0x5A, 0x10000);
    uint8_t *buf = malloc(len + 1);
    assert_non_null(buf);
    memcpy(buf, code, len);
    buf[len] = 0xF4; /* HLT */
    const uint32_t flags = h->cpu.eflags;
    h_run(h, buf, len + 1, 100000);
    if (h_vector(h) >= 0)
        fail_msg("%s: exception %d", what, h_vector(h));
    assert_int_equal(h->cpu.seg[S_CS].sel, H_CODE_SEG);
    assert_int_equal(h->cpu.eip, len + 1);
    for (unsigned i = 0; i < 8; i++)
        if (h->cpu.r[i] != init_regs[i])
            fail_msg("%s: register %u changed to %08X", what, i, h->cpu.r[i]);
    assert_int_equal(h->cpu.eflags, flags);
    for (uint32_t a = 0; a < 0x10000; a++)
        if (h->ram[DATA_LIN + a] != 0x5A)
            fail_msg("%s: data byte %04X written", what, a);
    free(buf);
    h_free(h);
    free(h);
}

/* Every opcode, reg field, operand form and prefix, on the Pentium II, in one run. */
static void test_p6_hint_nop_space_is_nop(void **state)
{
    (void)state;
    static const uint8_t prefixes[] = { 0, 0x66, 0xF2, 0xF3 };
    uint8_t *code = malloc(8 * 8 * 4 * 32);
    assert_non_null(code);
    size_t n = 0;
    for (unsigned op = 0x18; op <= 0x1F; op++)
        for (unsigned reg = 0; reg < 8; reg++)
            for (unsigned p = 0; p < 4; p++)
                n += forms(code + n, prefixes[p], (uint8_t)op, reg);
    run_p2(code, n, "0F 18-1F sweep");
    free(code);
}

/* What a CET-built glibc function executes: ENDBR32, RDSSPD EAX after zeroing it (EAX
 * stays 0: no shadow stack, so INCSSPD is skipped), the padding NOPs. */
static void test_p6_runs_cet_built_code(void **state)
{
    (void)state;
    static const uint8_t code[] = {
        0xF3, 0x0F, 0x1E, 0xFB,                   /* endbr32 */
        0x50,                                     /* push ax (16-bit code: real mode) */
        0x31, 0xC0,                               /* xor ax,ax */
        0xF3, 0x0F, 0x1E, 0xC8,                   /* rdsspd eax */
        0x85, 0xC0,                               /* test ax,ax */
        0x75, 0xFE,                               /* jnz $ (would hang: shadow stack) */
        0x58,                                     /* pop ax */
        0x67, 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00, /* nop dword [eax+eax+0] */
        0x0F, 0x1F, 0x80, 0x00, 0x00,             /* nop [bx+si+0] */
        0x66, 0x67, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, /* nopd [eax+eax+0] */
        0xF3, 0x0F, 0x1E, 0xFA,                   /* endbr64 */
    };
    run_p2(code, sizeof code, "CET prologue");
}

/* Before the P6 the range is undefined: #UD at the instruction, nothing changed. */
static void test_hint_nop_space_is_ud_before_p6(void **state)
{
    (void)state;
    static const enum cpu_model models[] = { CPU_286, CPU_386, CPU_486, CPU_PENTIUM };
    static const uint8_t cases[][5] = {
        { 4, 0xF3, 0x0F, 0x1E, 0xFB }, /* endbr32 */
        { 4, 0xF3, 0x0F, 0x1E, 0xC8 }, /* rdsspd eax */
        { 3, 0x0F, 0x1F, 0xC0 },       /* nop ax */
        { 3, 0x0F, 0x18, 0x07 },       /* 0F 18 /0 [bx] (prefetchnta on SSE) */
        { 3, 0x0F, 0x19, 0x3F },       /* reserved NOP */
        { 4, 0x66, 0x0F, 0x1F, 0xC0 }, /* nop eax (386 on: 66 is a prefix) */
    };
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            struct harness *h = calloc(1, sizeof *h);
            assert_non_null(h);
            h_init(h, models[m]);
            set_regs(h);
            h_run(h, cases[c] + 1, cases[c][0], 2); /* the instruction, the handler's HLT */
            if (h_vector(h) != EXC_UD)
                fail_msg("%s: case %zu: vector %d, want #UD", cpu_model_get(models[m])->name,
                         c, h_vector(h));
            /* the frame (IP, CS, FLAGS below SS:SP): the faulting instruction's address */
            const uint8_t *frame = h->ram + 0x40000 + init_regs[R_ESP] - 6;
            assert_int_equal(frame[0] | frame[1] << 8, 0);
            assert_int_equal(frame[2] | frame[3] << 8, H_CODE_SEG);
            for (unsigned i = 0; i < 8; i++)
                if (i != R_ESP)
                    assert_int_equal(h->cpu.r[i], init_regs[i]);
            h_free(h);
            free(h);
        }
}

/* LOCK with a NOP is #UD (SDM Vol. 2B "NOP", Exceptions). */
static void test_lock_hint_nop_is_ud(void **state)
{
    (void)state;
    static const uint8_t code[] = { 0xF0, 0x0F, 0x1F, 0x07 };
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h_init(h, CPU_P2);
    h_run(h, code, sizeof code, 2);
    assert_int_equal(h_vector(h), EXC_UD);
    h_free(h);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p6_hint_nop_space_is_nop),
        cmocka_unit_test(test_p6_runs_cet_built_code),
        cmocka_unit_test(test_hint_nop_space_is_ud_before_p6),
        cmocka_unit_test(test_lock_hint_nop_is_ud),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
