/* SPDX-License-Identifier: MIT */
/* Unit tests for the decoder (cpu/decode.c), called directly: instruction lengths, the
 * decoded ModRM/SIB/displacement/segment/size/prefix fields, the #UD rules and the
 * instruction length limit. Expected values come from the SDM Vol. 2 encoding tables
 * (§2.1, Tables 2-1 to 2-3, Appendix A opcode maps), not from the decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cpu/decode.h"
#include "cpu/exec.h"
#include "cpu/handlers.h"
#include "harness.h"

#define NONE R_ZERO
#define FILLER 0xCC

static const enum cpu_model all_models[] = { CPU_286, CPU_386, CPU_486, CPU_PENTIUM, CPU_P2 };
#define NMODELS (sizeof(all_models) / sizeof(all_models[0]))

static const char *model_name(unsigned m)
{
    const struct cpu_model_info *i = cpu_model_get((enum cpu_model)m);
    return i ? i->name : "?";
}

/* One machine per model, made on first use and kept for the whole run. */
static struct harness *machines[CPU_MODEL_COUNT];

static struct cpu *machine(enum cpu_model m)
{
    if (!machines[m]) {
        machines[m] = calloc(1, sizeof(struct harness));
        assert_non_null(machines[m]);
        h_init(machines[m], m);
    }
    return &machines[m]->cpu;
}

static int free_machines(void **state)
{
    (void)state;
    for (unsigned m = 0; m < CPU_MODEL_COUNT; m++) {
        if (machines[m]) {
            h_free(machines[m]);
            free(machines[m]);
            machines[m] = NULL;
        }
    }
    return 0;
}

static void hexdump(char *out, size_t cap, const uint8_t *b, size_t n)
{
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%02X", i ? " " : "", b[i]);
}

/* Catches a decode-time fault: returns its vector, or -1 when decode() returned. */
static int catch_decode(struct cpu *cpu, struct insn *in)
{
    jmp_buf jb;
    cpu->fault_jmp = &jb;
    cpu->fault_vector = -1;
    cpu->fault_error = 0xDEADBEEF;
    if (setjmp(jb))
        return cpu->fault_vector;
    decode(cpu, in);
    return -1;
}

/* Puts the bytes at CS:0 (followed by filler) and decodes them in 16- or 32-bit code. */
static int dec(enum cpu_model m, bool code32, const uint8_t *b, size_t n, struct insn *in)
{
    struct cpu *cpu = machine(m);
    uint8_t *code = machines[m]->ram + (H_CODE_SEG << 4);
    memset(code, FILLER, 64);
    memcpy(code, b, n);
    if (code32)
        cpu->seg[S_CS].attr |= SEG_ATTR_DB;
    else
        cpu->seg[S_CS].attr &= (uint16_t)~SEG_ATTR_DB;
    cpu->eip = 0;
    memset(in, 0xA5, sizeof(*in)); /* stale fields must be overwritten */
    int v = catch_decode(cpu, in);
    cpu->seg[S_CS].attr &= (uint16_t)~SEG_ATTR_DB;
    return v;
}

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

/* ======================================================================== */
/* Instruction lengths */

struct lcase {
    uint8_t model;  /* first model the form exists on; tested on it and every later one */
    uint8_t code32;
    uint8_t len;
    uint8_t n;
    uint8_t b[16];
    const char *what;
};

#define L(model, c32, len, what, ...)                                                      \
    { model, c32, len, sizeof((const uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ }, what }

static const struct lcase len_cases[] = {
    /* ---- 16-bit code, 16-bit addressing (SDM Vol. 2A Table 2-1) ---- */
    L(CPU_286, 0, 1, "nop", 0x90),
    L(CPU_286, 0, 2, "add [bx+si],al", 0x00, 0x00),
    L(CPU_286, 0, 2, "add [si],al (rm=4 is [SI], no SIB in 16-bit)", 0x00, 0x04),
    L(CPU_286, 0, 2, "add [di],al (rm=5 is [DI], no disp)", 0x00, 0x05),
    L(CPU_286, 0, 4, "add [disp16],al (mod=0 rm=6)", 0x00, 0x06, 0x34, 0x12),
    L(CPU_286, 0, 2, "add [bx],al", 0x00, 0x07),
    L(CPU_286, 0, 3, "add [bx+si+d8],al", 0x00, 0x40, 0x12),
    L(CPU_286, 0, 3, "add [bp+d8],al", 0x00, 0x46, 0x12),
    L(CPU_286, 0, 4, "add [bx+si+d16],al", 0x00, 0x80, 0x34, 0x12),
    L(CPU_286, 0, 4, "add [bp+d16],al", 0x00, 0x86, 0x34, 0x12),
    L(CPU_286, 0, 2, "add al,al", 0x00, 0xC0),
    L(CPU_286, 0, 2, "add al,ib", 0x04, 0x12),
    L(CPU_286, 0, 3, "add ax,iw", 0x05, 0x34, 0x12),
    L(CPU_286, 0, 3, "add byte [bx+si],ib", 0x80, 0x00, 0x12),
    L(CPU_286, 0, 5, "add byte [d16],ib", 0x80, 0x06, 0x34, 0x12, 0x56),
    L(CPU_286, 0, 6, "add word [d16],iw", 0x81, 0x06, 0x34, 0x12, 0x78, 0x56),
    L(CPU_286, 0, 6, "add word [bx+d16],iw", 0x81, 0x87, 0x34, 0x12, 0x78, 0x56),
    L(CPU_286, 0, 4, "add ax,iw (81 /0)", 0x81, 0xC0, 0x34, 0x12),
    L(CPU_286, 0, 3, "add ax,ib (83 /0)", 0x83, 0xC0, 0x12),
    L(CPU_286, 0, 4, "adc byte [bp+d8],ib (82)", 0x82, 0x56, 0x12, 0x34),
    L(CPU_286, 0, 3, "test al,ib (F6 /0)", 0xF6, 0xC0, 0x12),
    L(CPU_286, 0, 5, "test byte [d16],ib (F6 /0)", 0xF6, 0x06, 0x34, 0x12, 0x56),
    L(CPU_286, 0, 2, "not al (F6 /2: no imm)", 0xF6, 0xD0),
    L(CPU_286, 0, 4, "not byte [d16] (F6 /2)", 0xF6, 0x16, 0x34, 0x12),
    L(CPU_286, 0, 2, "neg al (F6 /3)", 0xF6, 0xD8),
    L(CPU_286, 0, 2, "mul al (F6 /4)", 0xF6, 0xE0),
    L(CPU_286, 0, 2, "imul al (F6 /5)", 0xF6, 0xE8),
    L(CPU_286, 0, 2, "div al (F6 /6)", 0xF6, 0xF0),
    L(CPU_286, 0, 2, "idiv al (F6 /7)", 0xF6, 0xF8),
    L(CPU_286, 0, 4, "test ax,iw (F7 /0)", 0xF7, 0xC0, 0x34, 0x12),
    L(CPU_286, 0, 6, "test word [d16],iw (F7 /0)", 0xF7, 0x06, 0x34, 0x12, 0x78, 0x56),
    L(CPU_286, 0, 2, "not ax (F7 /2)", 0xF7, 0xD0),
    L(CPU_286, 0, 3, "neg word [bx+d8] (F7 /3)", 0xF7, 0x5F, 0x12),
    L(CPU_286, 0, 2, "mul ax (F7 /4)", 0xF7, 0xE0),
    L(CPU_286, 0, 2, "idiv ax (F7 /7)", 0xF7, 0xF8),
    L(CPU_286, 0, 2, "inc byte [bx] (FE /0)", 0xFE, 0x07),
    L(CPU_286, 0, 4, "dec word [d16] (FF /1)", 0xFF, 0x0E, 0x34, 0x12),
    L(CPU_286, 0, 2, "call ax (FF /2)", 0xFF, 0xD0),
    L(CPU_286, 0, 4, "call far [d16] (FF /3)", 0xFF, 0x1E, 0x34, 0x12),
    L(CPU_286, 0, 3, "jmp [bx+d8] (FF /4)", 0xFF, 0x67, 0x12),
    L(CPU_286, 0, 2, "jmp far [bx] (FF /5)", 0xFF, 0x2F),
    L(CPU_286, 0, 4, "push word [d16] (FF /6)", 0xFF, 0x36, 0x34, 0x12),
    L(CPU_286, 0, 4, "pop word [d16] (8F /0)", 0x8F, 0x06, 0x34, 0x12),
    L(CPU_286, 0, 5, "mov byte [d16],ib (C6 /0)", 0xC6, 0x06, 0x34, 0x12, 0x56),
    L(CPU_286, 0, 6, "mov word [d16],iw (C7 /0)", 0xC7, 0x06, 0x34, 0x12, 0x78, 0x56),
    L(CPU_286, 0, 4, "mov ax,iw (C7 /0 reg)", 0xC7, 0xC0, 0x34, 0x12),
    L(CPU_286, 0, 3, "shl al,ib (C0)", 0xC0, 0xE0, 0x04),
    L(CPU_286, 0, 3, "shl ax,ib (C1)", 0xC1, 0xE0, 0x04),
    L(CPU_286, 0, 5, "rol word [d16],ib (C1)", 0xC1, 0x06, 0x34, 0x12, 0x04),
    L(CPU_286, 0, 2, "shl al,1 (D0)", 0xD0, 0xE0),
    L(CPU_286, 0, 2, "shl ax,cl (D3)", 0xD3, 0xE0),
    L(CPU_286, 0, 4, "imul ax,ax,iw (69)", 0x69, 0xC0, 0x34, 0x12),
    L(CPU_286, 0, 6, "imul ax,[d16],iw (69)", 0x69, 0x06, 0x34, 0x12, 0x78, 0x56),
    L(CPU_286, 0, 3, "imul ax,ax,ib (6B)", 0x6B, 0xC0, 0x12),
    L(CPU_286, 0, 3, "push iw (68)", 0x68, 0x34, 0x12),
    L(CPU_286, 0, 2, "push ib (6A)", 0x6A, 0x12),
    L(CPU_286, 0, 4, "bound ax,[d16] (62)", 0x62, 0x06, 0x34, 0x12),
    L(CPU_286, 0, 4, "les ax,[d16] (C4)", 0xC4, 0x06, 0x34, 0x12),
    L(CPU_286, 0, 3, "lds ax,[bp+d8] (C5)", 0xC5, 0x46, 0x12),
    L(CPU_286, 0, 4, "lea ax,[d16] (8D)", 0x8D, 0x06, 0x34, 0x12),
    L(CPU_286, 0, 2, "mov ax,ds (8C)", 0x8C, 0xD8),
    L(CPU_286, 0, 4, "mov ds,[d16] (8E)", 0x8E, 0x1E, 0x34, 0x12),
    L(CPU_286, 0, 3, "mov al,[moffs16] (A0)", 0xA0, 0x34, 0x12),
    L(CPU_286, 0, 3, "mov ax,[moffs16] (A1)", 0xA1, 0x34, 0x12),
    L(CPU_286, 0, 3, "mov [moffs16],al (A2)", 0xA2, 0x34, 0x12),
    L(CPU_286, 0, 3, "mov [moffs16],ax (A3)", 0xA3, 0x34, 0x12),
    L(CPU_286, 0, 2, "mov al,ib (B0)", 0xB0, 0x12),
    L(CPU_286, 0, 2, "mov bh,ib (B7)", 0xB7, 0x12),
    L(CPU_286, 0, 3, "mov ax,iw (B8)", 0xB8, 0x34, 0x12),
    L(CPU_286, 0, 3, "mov di,iw (BF)", 0xBF, 0x34, 0x12),
    L(CPU_286, 0, 2, "test al,ib (A8)", 0xA8, 0x12),
    L(CPU_286, 0, 3, "test ax,iw (A9)", 0xA9, 0x34, 0x12),
    L(CPU_286, 0, 3, "ret iw (C2)", 0xC2, 0x34, 0x12),
    L(CPU_286, 0, 1, "ret (C3)", 0xC3),
    L(CPU_286, 0, 3, "retf iw (CA)", 0xCA, 0x34, 0x12),
    L(CPU_286, 0, 4, "enter iw,ib (C8)", 0xC8, 0x34, 0x12, 0x05),
    L(CPU_286, 0, 1, "leave (C9)", 0xC9),
    L(CPU_286, 0, 2, "int ib (CD)", 0xCD, 0x21),
    L(CPU_286, 0, 1, "int3 (CC)", 0xCC),
    L(CPU_286, 0, 2, "aam ib (D4)", 0xD4, 0x0A),
    L(CPU_286, 0, 2, "aad ib (D5)", 0xD5, 0x0A),
    L(CPU_286, 0, 5, "call ptr16:16 (9A)", 0x9A, 0x34, 0x12, 0x00, 0xF0),
    L(CPU_286, 0, 5, "jmp ptr16:16 (EA)", 0xEA, 0x34, 0x12, 0x00, 0xF0),
    L(CPU_286, 0, 3, "call rel16 (E8)", 0xE8, 0x34, 0x12),
    L(CPU_286, 0, 3, "jmp rel16 (E9)", 0xE9, 0x34, 0x12),
    L(CPU_286, 0, 2, "jmp rel8 (EB)", 0xEB, 0x12),
    L(CPU_286, 0, 2, "jo rel8 (70)", 0x70, 0x12),
    L(CPU_286, 0, 2, "jg rel8 (7F)", 0x7F, 0x12),
    L(CPU_286, 0, 2, "loop rel8 (E2)", 0xE2, 0x12),
    L(CPU_286, 0, 2, "jcxz rel8 (E3)", 0xE3, 0x12),
    L(CPU_286, 0, 2, "in al,ib (E4)", 0xE4, 0x60),
    L(CPU_286, 0, 2, "out ib,ax (E7)", 0xE7, 0x60),
    L(CPU_286, 0, 1, "in al,dx (EC)", 0xEC),
    L(CPU_286, 0, 2, "esc D8 reg", 0xD8, 0xC1),
    L(CPU_286, 0, 4, "esc D9 [d16]", 0xD9, 0x06, 0x34, 0x12),
    L(CPU_286, 0, 3, "esc DD [bp+d8]", 0xDD, 0x46, 0x12),
    L(CPU_286, 0, 2, "xchg [bx],ax (87)", 0x87, 0x07),
    L(CPU_286, 0, 1, "xchg ax,cx (91)", 0x91),
    L(CPU_286, 0, 1, "cbw", 0x98),
    L(CPU_286, 0, 1, "movsb", 0xA4),
    L(CPU_286, 0, 1, "pusha (60)", 0x60),
    L(CPU_286, 0, 1, "outsw (6F)", 0x6F),
    /* prefixes count towards the length */
    L(CPU_286, 0, 2, "rep movsb", 0xF3, 0xA4),
    L(CPU_286, 0, 3, "repne cmpsb with es:", 0xF2, 0x26, 0xA6),
    L(CPU_286, 0, 5, "four segment overrides + nop", 0x26, 0x2E, 0x36, 0x3E, 0x90),
    L(CPU_286, 0, 3, "lock add [bx+si],al", 0xF0, 0x00, 0x00),
    L(CPU_286, 0, 7, "es: add word [d16],iw", 0x26, 0x81, 0x06, 0x34, 0x12, 0x78, 0x56),
    /* two-byte opcodes (286) */
    L(CPU_286, 0, 5, "lgdt [d16] (0F 01 /2)", 0x0F, 0x01, 0x16, 0x34, 0x12),
    L(CPU_286, 0, 3, "smsw ax (0F 01 /4)", 0x0F, 0x01, 0xE0),
    L(CPU_286, 0, 4, "lmsw [bx+d8] (0F 01 /6)", 0x0F, 0x01, 0x77, 0x12),
    L(CPU_286, 0, 2, "clts (0F 06)", 0x0F, 0x06),

    /* ---- 16-bit code with 0x66 / 0x67 (386 on) ---- */
    L(CPU_386, 0, 6, "o32 add eax,id", 0x66, 0x05, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 7, "o32 add eax,id (81)", 0x66, 0x81, 0xC0, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 9, "o32 add dword [bx+si+d16],id", 0x66, 0x81, 0x80, 0x34, 0x12, 0x78, 0x56,
      0x34, 0x12),
    L(CPU_386, 0, 4, "o32 add eax,ib (83)", 0x66, 0x83, 0xC0, 0x12),
    L(CPU_386, 0, 7, "o32 test eax,id (F7 /0)", 0x66, 0xF7, 0xC0, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 3, "o32 not eax (F7 /2)", 0x66, 0xF7, 0xD0),
    L(CPU_386, 0, 4, "o32 shl eax,ib (C1)", 0x66, 0xC1, 0xE0, 0x04),
    L(CPU_386, 0, 7, "o32 imul eax,eax,id (69)", 0x66, 0x69, 0xC0, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 4, "o32 imul eax,eax,ib (6B)", 0x66, 0x6B, 0xC0, 0x12),
    L(CPU_386, 0, 9, "o32 mov dword [d16],id (C7)", 0x66, 0xC7, 0x06, 0x34, 0x12, 0x78, 0x56,
      0x34, 0x12),
    L(CPU_386, 0, 6, "o32 mov eax,id (B8)", 0x66, 0xB8, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 3, "o32 mov al,ib (B0: imm8 regardless)", 0x66, 0xB0, 0x12),
    L(CPU_386, 0, 6, "o32 push id (68)", 0x66, 0x68, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 3, "o32 push ib (6A)", 0x66, 0x6A, 0x12),
    L(CPU_386, 0, 4, "o32 ret iw (C2: imm16 regardless)", 0x66, 0xC2, 0x34, 0x12),
    L(CPU_386, 0, 4, "o32 retf iw (CA)", 0x66, 0xCA, 0x34, 0x12),
    L(CPU_386, 0, 5, "o32 enter iw,ib (C8)", 0x66, 0xC8, 0x34, 0x12, 0x05),
    L(CPU_386, 0, 8, "o32 call ptr16:32 (9A)", 0x66, 0x9A, 0x78, 0x56, 0x34, 0x12, 0x00, 0xF0),
    L(CPU_386, 0, 8, "o32 jmp ptr16:32 (EA)", 0x66, 0xEA, 0x78, 0x56, 0x34, 0x12, 0x00, 0xF0),
    L(CPU_386, 0, 6, "a32 jmp ptr16:16 (EA: 0x67 does not widen)", 0x67, 0xEA, 0x34, 0x12, 0x00,
      0xF0),
    L(CPU_386, 0, 6, "o32 call rel32 (E8)", 0x66, 0xE8, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 6, "o32 jmp rel32 (E9)", 0x66, 0xE9, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 4, "a32 call rel16 (E8: 0x67 does not widen)", 0x67, 0xE8, 0x34, 0x12),
    L(CPU_386, 0, 4, "o32 mov eax,[moffs16] (A1: 0x66 does not widen)", 0x66, 0xA1, 0x34, 0x12),
    L(CPU_386, 0, 6, "a32 mov al,[moffs32] (A0)", 0x67, 0xA0, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 6, "a32 mov ax,[moffs32] (A1)", 0x67, 0xA1, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 7, "o32 a32 mov [moffs32],eax (A3)", 0x66, 0x67, 0xA3, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 3, "a32 add [eax],al", 0x67, 0x00, 0x00),
    L(CPU_386, 0, 3, "a32 add [esi],al (no disp in 32-bit form)", 0x67, 0x00, 0x06),
    L(CPU_386, 0, 4, "a32 add [esp],al (SIB)", 0x67, 0x00, 0x04, 0x24),
    L(CPU_386, 0, 7, "a32 add [d32],al (mod=0 rm=5)", 0x67, 0x00, 0x05, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 8, "a32 add [d32],al (SIB base=5 mod=0)", 0x67, 0x00, 0x04, 0x25, 0x78, 0x56,
      0x34, 0x12),
    L(CPU_386, 0, 4, "a32 add [eax+d8],al", 0x67, 0x00, 0x40, 0x12),
    L(CPU_386, 0, 4, "a32 add [ebp+d8],al", 0x67, 0x00, 0x45, 0x12),
    L(CPU_386, 0, 5, "a32 add [esp+d8],al (SIB)", 0x67, 0x00, 0x44, 0x24, 0x12),
    L(CPU_386, 0, 7, "a32 add [eax+d32],al", 0x67, 0x00, 0x80, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 8, "a32 add [esp+d32],al (SIB)", 0x67, 0x00, 0x84, 0x24, 0x78, 0x56, 0x34,
      0x12),
    L(CPU_386, 0, 13, "o32 a32 add dword [esp+d32],id", 0x66, 0x67, 0x81, 0x84, 0x24, 0x78, 0x56,
      0x34, 0x12, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 5, "o32 o32 add eax,ib (83)", 0x66, 0x66, 0x83, 0xC0, 0x12),
    L(CPU_386, 0, 7, "o32 x2 add eax,id (66 66 05: still 32-bit)", 0x66, 0x66, 0x05, 0x78, 0x56,
      0x34, 0x12),
    L(CPU_386, 0, 4, "fs: mov ax,[bx+d8]", 0x64, 0x8B, 0x47, 0x12),
    L(CPU_386, 0, 4, "gs: mov ax,[bx+d8]", 0x65, 0x8B, 0x47, 0x12),
    /* two-byte opcodes (386 on) */
    L(CPU_386, 0, 4, "jo rel16 (0F 80)", 0x0F, 0x80, 0x34, 0x12),
    L(CPU_386, 0, 7, "o32 jg rel32 (0F 8F)", 0x66, 0x0F, 0x8F, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 0, 3, "seto al (0F 90)", 0x0F, 0x90, 0xC0),
    L(CPU_386, 0, 5, "setg [d16] (0F 9F)", 0x0F, 0x9F, 0x06, 0x34, 0x12),
    L(CPU_386, 0, 2, "push fs (0F A0)", 0x0F, 0xA0),
    L(CPU_386, 0, 2, "pop gs (0F A9)", 0x0F, 0xA9),
    L(CPU_386, 0, 3, "bt ax,ax (0F A3)", 0x0F, 0xA3, 0xC0),
    L(CPU_386, 0, 4, "shld ax,ax,ib (0F A4)", 0x0F, 0xA4, 0xC0, 0x04),
    L(CPU_386, 0, 6, "shld [d16],ax,ib (0F A4)", 0x0F, 0xA4, 0x06, 0x34, 0x12, 0x04),
    L(CPU_386, 0, 3, "shld ax,ax,cl (0F A5)", 0x0F, 0xA5, 0xC0),
    L(CPU_386, 0, 5, "shrd [bx+d8],ax,ib (0F AC)", 0x0F, 0xAC, 0x47, 0x12, 0x04),
    L(CPU_386, 0, 5, "imul ax,[d16] (0F AF)", 0x0F, 0xAF, 0x06, 0x34, 0x12),
    L(CPU_386, 0, 3, "movzx ax,al (0F B6)", 0x0F, 0xB6, 0xC0),
    L(CPU_386, 0, 3, "movsx ax,ax (0F BF)", 0x0F, 0xBF, 0xC0),
    L(CPU_386, 0, 5, "lss ax,[d16] (0F B2)", 0x0F, 0xB2, 0x06, 0x34, 0x12),
    L(CPU_386, 0, 4, "bt ax,ib (0F BA /4)", 0x0F, 0xBA, 0xE0, 0x05),
    L(CPU_386, 0, 6, "btc [d16],ib (0F BA /7)", 0x0F, 0xBA, 0x3E, 0x34, 0x12, 0x05),
    L(CPU_386, 0, 3, "bsf ax,ax (0F BC)", 0x0F, 0xBC, 0xC0),
    L(CPU_386, 0, 3, "mov eax,cr0 (0F 20)", 0x0F, 0x20, 0xC0),
    L(CPU_386, 0, 3, "mov esi,cr0 (0F 20, mod=0 rm=6: mod ignored, no disp)", 0x0F, 0x20, 0x06),
    L(CPU_386, 0, 3, "mov cr0,eax (0F 22, mod=1: no disp)", 0x0F, 0x22, 0x40),
    L(CPU_386, 0, 3, "mov dr7,eax (0F 23, mod=2: no disp)", 0x0F, 0x23, 0xB8),
    L(CPU_386, 0, 3, "mov eax,dr6 (0F 21)", 0x0F, 0x21, 0xF0),
    L(CPU_486, 0, 2, "bswap eax (0F C8)", 0x0F, 0xC8),
    L(CPU_486, 0, 3, "cmpxchg [bx],al (0F B0)", 0x0F, 0xB0, 0x07),
    L(CPU_486, 0, 5, "xadd [d16],ax (0F C1)", 0x0F, 0xC1, 0x06, 0x34, 0x12),
    L(CPU_486, 0, 2, "invd (0F 08)", 0x0F, 0x08),
    L(CPU_486, 0, 2, "wbinvd (0F 09)", 0x0F, 0x09),
    L(CPU_486, 0, 3, "invlpg [bx] (0F 01 /7)", 0x0F, 0x01, 0x3F),
    L(CPU_PENTIUM, 0, 2, "cpuid (0F A2)", 0x0F, 0xA2),
    L(CPU_PENTIUM, 0, 2, "rdtsc (0F 31)", 0x0F, 0x31),
    L(CPU_PENTIUM, 0, 2, "wrmsr (0F 30)", 0x0F, 0x30),
    L(CPU_PENTIUM, 0, 2, "rdmsr (0F 32)", 0x0F, 0x32),
    L(CPU_PENTIUM, 0, 5, "cmpxchg8b [d16] (0F C7 /1)", 0x0F, 0xC7, 0x0E, 0x34, 0x12),
    L(CPU_P2, 0, 3, "cmovo ax,ax (0F 40)", 0x0F, 0x40, 0xC0),
    L(CPU_P2, 0, 5, "cmovg ax,[d16] (0F 4F)", 0x0F, 0x4F, 0x06, 0x34, 0x12),

    /* ---- 32-bit code (CS.D = 1), 32-bit addressing (SDM Vol. 2A Tables 2-2, 2-3) ---- */
    L(CPU_386, 1, 1, "nop", 0x90),
    L(CPU_386, 1, 2, "add [eax],al", 0x00, 0x00),
    L(CPU_386, 1, 2, "add [esi],al", 0x00, 0x06),
    L(CPU_386, 1, 3, "add [esp],al (SIB)", 0x00, 0x04, 0x24),
    L(CPU_386, 1, 3, "add [eax+ecx*4],al (SIB)", 0x00, 0x04, 0x88),
    L(CPU_386, 1, 7, "add [d32],al (SIB base=5 mod=0, no index)", 0x00, 0x04, 0x25, 0x78, 0x56,
      0x34, 0x12),
    L(CPU_386, 1, 7, "add [ecx*4+d32],al (SIB base=5 mod=0)", 0x00, 0x04, 0x8D, 0x78, 0x56, 0x34,
      0x12),
    L(CPU_386, 1, 6, "add [d32],al (mod=0 rm=5)", 0x00, 0x05, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 3, "add [eax+d8],al", 0x00, 0x40, 0x12),
    L(CPU_386, 1, 3, "add [ebp+d8],al", 0x00, 0x45, 0x12),
    L(CPU_386, 1, 4, "add [esp+d8],al (SIB)", 0x00, 0x44, 0x24, 0x12),
    L(CPU_386, 1, 4, "add [ebp+ecx*2+d8],al (SIB base=5 mod=1)", 0x00, 0x44, 0x4D, 0x12),
    L(CPU_386, 1, 6, "add [eax+d32],al", 0x00, 0x80, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 6, "add [ebp+d32],al", 0x00, 0x85, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 7, "add [esp+d32],al (SIB)", 0x00, 0x84, 0x24, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 7, "add [ebp+d32],al (SIB base=5 mod=2)", 0x00, 0x84, 0x25, 0x78, 0x56, 0x34,
      0x12),
    L(CPU_386, 1, 2, "add al,al", 0x00, 0xC0),
    L(CPU_386, 1, 2, "add al,ib", 0x04, 0x12),
    L(CPU_386, 1, 5, "add eax,id", 0x05, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 4, "o16 add ax,iw", 0x66, 0x05, 0x34, 0x12),
    L(CPU_386, 1, 6, "add eax,id (81)", 0x81, 0xC0, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 11, "add dword [esp+d32],id", 0x81, 0x84, 0x24, 0x78, 0x56, 0x34, 0x12, 0x78,
      0x56, 0x34, 0x12),
    L(CPU_386, 1, 10, "add dword [d32],id", 0x81, 0x05, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34,
      0x12),
    L(CPU_386, 1, 9, "o16 add word [d32],iw", 0x66, 0x81, 0x05, 0x78, 0x56, 0x34, 0x12, 0x34,
      0x12),
    L(CPU_386, 1, 3, "add eax,ib (83)", 0x83, 0xC0, 0x12),
    L(CPU_386, 1, 3, "test al,ib (F6 /0)", 0xF6, 0xC0, 0x12),
    L(CPU_386, 1, 2, "not al (F6 /2)", 0xF6, 0xD0),
    L(CPU_386, 1, 6, "test eax,id (F7 /0)", 0xF7, 0xC0, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 5, "o16 test ax,iw (F7 /0)", 0x66, 0xF7, 0xC0, 0x34, 0x12),
    L(CPU_386, 1, 2, "not eax (F7 /2)", 0xF7, 0xD0),
    L(CPU_386, 1, 3, "neg dword [eax+d8] (F7 /3)", 0xF7, 0x58, 0x12),
    L(CPU_386, 1, 6, "o16 a16 add [d16],al", 0x66, 0x67, 0x00, 0x06, 0x34, 0x12),
    L(CPU_386, 1, 5, "a16 add [d16],al (mod=0 rm=6)", 0x67, 0x00, 0x06, 0x34, 0x12),
    L(CPU_386, 1, 3, "a16 add [si],al (no SIB)", 0x67, 0x00, 0x04),
    L(CPU_386, 1, 4, "a16 add [bp+d8],al", 0x67, 0x00, 0x46, 0x12),
    L(CPU_386, 1, 5, "a16 add [bx+si+d16],al", 0x67, 0x00, 0x80, 0x34, 0x12),
    L(CPU_386, 1, 5, "mov eax,[moffs32] (A1)", 0xA1, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 4, "a16 mov eax,[moffs16] (A1)", 0x67, 0xA1, 0x34, 0x12),
    L(CPU_386, 1, 6, "o16 mov ax,[moffs32] (A1)", 0x66, 0xA1, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 5, "mov [moffs32],al (A2)", 0xA2, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 7, "call ptr16:32 (9A)", 0x9A, 0x78, 0x56, 0x34, 0x12, 0x00, 0xF0),
    L(CPU_386, 1, 6, "o16 jmp ptr16:16 (EA)", 0x66, 0xEA, 0x34, 0x12, 0x00, 0xF0),
    L(CPU_386, 1, 5, "call rel32 (E8)", 0xE8, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 4, "o16 call rel16 (E8)", 0x66, 0xE8, 0x34, 0x12),
    L(CPU_386, 1, 2, "jmp rel8 (EB)", 0xEB, 0x12),
    L(CPU_386, 1, 6, "jo rel32 (0F 80)", 0x0F, 0x80, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 5, "o16 jo rel16 (0F 80)", 0x66, 0x0F, 0x80, 0x34, 0x12),
    L(CPU_386, 1, 3, "ret iw (C2)", 0xC2, 0x34, 0x12),
    L(CPU_386, 1, 4, "enter iw,ib (C8)", 0xC8, 0x34, 0x12, 0x05),
    L(CPU_386, 1, 5, "push id (68)", 0x68, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 4, "o16 push iw (68)", 0x66, 0x68, 0x34, 0x12),
    L(CPU_386, 1, 2, "push ib (6A)", 0x6A, 0x12),
    L(CPU_386, 1, 5, "mov eax,id (B8)", 0xB8, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 6, "imul eax,eax,id (69)", 0x69, 0xC0, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 3, "imul eax,eax,ib (6B)", 0x6B, 0xC0, 0x12),
    L(CPU_386, 1, 6, "mov dword [eax],id (C7)", 0xC7, 0x00, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 10, "mov dword [d32],id (C7)", 0xC7, 0x05, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56,
      0x34, 0x12),
    L(CPU_386, 1, 8, "mov byte [esp+d32],ib (C6, SIB)", 0xC6, 0x84, 0x24, 0x78, 0x56, 0x34, 0x12,
      0x9A),
    L(CPU_386, 1, 5, "bt dword [esp],ib (0F BA /4, SIB)", 0x0F, 0xBA, 0x24, 0x24, 0x05),
    L(CPU_386, 1, 7, "lea eax,[ecx*4+d32] (8D)", 0x8D, 0x04, 0x8D, 0x78, 0x56, 0x34, 0x12),
    L(CPU_386, 1, 3, "shl eax,ib (C1)", 0xC1, 0xE0, 0x04),
    L(CPU_386, 1, 3, "mov eax,cr0 (0F 20)", 0x0F, 0x20, 0xC0),
    L(CPU_386, 1, 3, "mov eax,cr0 (0F 20, mod=0 rm=5: no disp32)", 0x0F, 0x20, 0x05),
    L(CPU_386, 1, 3, "mov cr3,esp (0F 22, mod=0 rm=4: no SIB)", 0x0F, 0x22, 0x1C),
    L(CPU_386, 1, 7, "es: cs: ss: rep lock add [eax],al ... 7 bytes", 0x26, 0x2E, 0x36, 0xF3,
      0xF0, 0x00, 0x00),
};

static void test_lengths(void **state)
{
    (void)state;
    unsigned checked = 0, failed = 0;
    for (size_t i = 0; i < ARRAY_SIZE(len_cases); i++) {
        const struct lcase *c = &len_cases[i];
        for (size_t mi = 0; mi < NMODELS; mi++) {
            enum cpu_model m = all_models[mi];
            if (m < c->model)
                continue;
            struct insn in;
            int v = dec(m, c->code32, c->b, c->n, &in);
            char hex[80];
            hexdump(hex, sizeof hex, c->b, c->n);
            const char *code = c->code32 ? "32-bit" : "16-bit";
            checked++;
            if (v != -1)
                print_error("%s [%s] on %s, %s code: fault %d\n", c->what, hex, model_name(m),
                            code, v);
            else if (in.fn == op_ud)
                print_error("%s [%s] on %s, %s code: #UD\n", c->what, hex, model_name(m), code);
            else if (in.len != c->len)
                print_error("%s [%s] on %s, %s code: length %u, want %u\n", c->what, hex,
                            model_name(m), code, in.len, c->len);
            else
                continue;
            failed++;
        }
    }
    print_message("  %u length checks (%zu encodings)\n", checked, ARRAY_SIZE(len_cases));
    if (failed)
        fail_msg("%u length checks failed", failed);
}

/* Immediates: values, zero extension, second immediate. */
static void expect_imm(enum cpu_model m, bool c32, const uint8_t *b, size_t n, uint32_t imm,
                       uint32_t imm2, unsigned len)
{
    struct insn in;
    char hex[80];
    hexdump(hex, sizeof hex, b, n);
    assert_int_equal(dec(m, c32, b, n, &in), -1);
    if (in.fn == op_ud || in.len != len || in.imm != imm || in.imm2 != imm2)
        fail_msg("[%s] %s: len %u imm %08X imm2 %08X, want len %u imm %08X imm2 %08X", hex,
                 c32 ? "32-bit" : "16-bit", in.len, in.imm, in.imm2, len, imm, imm2);
}

static void test_immediates(void **state)
{
    (void)state;
    expect_imm(CPU_386, 0, BYTES(0x04, 0xFE), 0xFE, 0, 2);
    expect_imm(CPU_386, 0, BYTES(0x05, 0xFE, 0xFF), 0xFFFE, 0, 3);
    expect_imm(CPU_386, 0, BYTES(0x66, 0x05, 0x78, 0x56, 0x34, 0x92), 0x92345678, 0, 6);
    expect_imm(CPU_386, 0, BYTES(0x83, 0xC0, 0x80), 0x80, 0, 3); /* raw byte, zero-extended */
    expect_imm(CPU_386, 0, BYTES(0x80, 0x06, 0x34, 0x12, 0x9A), 0x9A, 0, 5);
    expect_imm(CPU_386, 0, BYTES(0x81, 0x47, 0x12, 0xCD, 0xAB), 0xABCD, 0, 5);
    expect_imm(CPU_386, 0, BYTES(0xC8, 0x34, 0x12, 0x05), 0x1234, 0x05, 4);
    expect_imm(CPU_386, 1, BYTES(0xC8, 0x34, 0x12, 0x05), 0x1234, 0x05, 4);
    expect_imm(CPU_386, 0, BYTES(0xEA, 0x34, 0x12, 0x00, 0xF0), 0x1234, 0xF000, 5);
    expect_imm(CPU_386, 0, BYTES(0x66, 0xEA, 0x78, 0x56, 0x34, 0x12, 0x00, 0xF0), 0x12345678,
               0xF000, 8);
    expect_imm(CPU_386, 1, BYTES(0x9A, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00), 0x12345678, 0x0008, 7);
    expect_imm(CPU_386, 1, BYTES(0x66, 0x9A, 0x34, 0x12, 0x08, 0x00), 0x1234, 0x0008, 6);
    expect_imm(CPU_386, 0, BYTES(0xA1, 0x34, 0x12), 0x1234, 0, 3);
    expect_imm(CPU_386, 0, BYTES(0x67, 0xA1, 0x78, 0x56, 0x34, 0x12), 0x12345678, 0, 6);
    expect_imm(CPU_386, 1, BYTES(0x67, 0xA1, 0x34, 0x12), 0x1234, 0, 4);
    expect_imm(CPU_386, 0, BYTES(0xC2, 0x34, 0x12), 0x1234, 0, 3);
    expect_imm(CPU_386, 1, BYTES(0xC2, 0x34, 0x12), 0x1234, 0, 3);
    expect_imm(CPU_386, 0, BYTES(0xF6, 0x06, 0x34, 0x12, 0x56), 0x56, 0, 5);
    expect_imm(CPU_386, 0, BYTES(0xF7, 0x06, 0x34, 0x12, 0x78, 0x56), 0x5678, 0, 6);
    expect_imm(CPU_386, 0, BYTES(0x69, 0x46, 0xFF, 0x78, 0x56), 0x5678, 0, 5);
    expect_imm(CPU_386, 0, BYTES(0x0F, 0xA4, 0x06, 0x34, 0x12, 0x1F), 0x1F, 0, 6);
    expect_imm(CPU_386, 0, BYTES(0x0F, 0x85, 0xFE, 0xFF), 0xFFFE, 0, 4);
    expect_imm(CPU_386, 1, BYTES(0x0F, 0x85, 0xFA, 0xFF, 0xFF, 0xFF), 0xFFFFFFFA, 0, 6);
    expect_imm(CPU_386, 0, BYTES(0xEB, 0xFE), 0xFE, 0, 2);
    expect_imm(CPU_386, 1, BYTES(0xC7, 0x44, 0x24, 0x08, 0x78, 0x56, 0x34, 0x12), 0x12345678, 0,
               8);
}

/* ======================================================================== */
/* Decoded fields: effective-address parts, default segment */

struct ea_exp {
    uint8_t len;    /* of the whole instruction */
    uint8_t base, index, scale;
    uint32_t disp;
    uint8_t seg;
};

/* SDM Vol. 2A Table 2-1 (16-bit addressing). d8/d16 are the displacement bytes given. */
static struct ea_exp exp16(unsigned mod, unsigned rm, int8_t d8, uint16_t d16)
{
    static const uint8_t r1[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
    static const uint8_t r2[8] = { R_ESI, R_EDI, R_ESI, R_EDI, NONE, NONE, NONE, NONE };
    struct ea_exp e = { 2, r1[rm], r2[rm], 0, 0, S_DS };
    if (mod == 0 && rm == 6) {
        e.base = NONE;
        e.disp = d16;
        e.len += 2;
    } else if (mod == 1) {
        e.disp = (uint16_t)(int16_t)d8;
        e.len += 1;
    } else if (mod == 2) {
        e.disp = d16;
        e.len += 2;
    }
    /* "BP used as a base register ... SS is the default segment" (SDM Vol. 1 §3.7.5) */
    if (e.base == R_EBP)
        e.seg = S_SS;
    return e;
}

/* SDM Vol. 2A Tables 2-2 and 2-3 (32-bit addressing with SIB). */
static struct ea_exp exp32(unsigned mod, unsigned rm, uint8_t sib, int8_t d8, uint32_t d32)
{
    struct ea_exp e = { 2, (uint8_t)rm, NONE, 0, 0, S_DS };
    bool disp32 = mod == 2, disp8 = mod == 1;
    if (rm == 4) {
        e.len++;
        unsigned ss = sib >> 6, idx = (sib >> 3) & 7, base = sib & 7;
        if (idx != 4) { /* index 100b: none */
            e.index = (uint8_t)idx;
            e.scale = (uint8_t)ss;
        }
        if (base == 5 && mod == 0) { /* [scaled index] + disp32, no base */
            e.base = NONE;
            disp32 = true;
        } else {
            e.base = (uint8_t)base;
        }
    } else if (rm == 5 && mod == 0) { /* disp32 only */
        e.base = NONE;
        disp32 = true;
    }
    if (disp32) {
        e.disp = d32;
        e.len += 4;
    } else if (disp8) {
        e.disp = (uint32_t)(int32_t)d8;
        e.len += 1;
    }
    /* ESP or EBP as the base: SS (SDM Vol. 1 §3.7.5); an EBP index does not count */
    if (e.base == R_ESP || e.base == R_EBP)
        e.seg = S_SS;
    return e;
}

static bool same_pair(uint8_t a1, uint8_t b1, uint8_t a2, uint8_t b2)
{
    return (a1 == a2 && b1 == b2) || (a1 == b2 && b1 == a2);
}

static void check_ea(const char *ctx, const uint8_t *b, size_t n, const struct insn *in,
                     const struct ea_exp *e, unsigned prefix_len, bool a32, unsigned mod,
                     unsigned reg, unsigned rm)
{
    char hex[80];
    hexdump(hex, sizeof hex, b, n);
    if (in->fn == op_ud)
        fail_msg("%s [%s]: #UD", ctx, hex);
    if (in->len != e->len + prefix_len)
        fail_msg("%s [%s]: length %u, want %u", ctx, hex, in->len, e->len + prefix_len);
    if (in->mod != mod || in->reg != reg || in->rm != rm)
        fail_msg("%s [%s]: mod/reg/rm %u/%u/%u, want %u/%u/%u", ctx, hex, in->mod, in->reg,
                 in->rm, mod, reg, rm);
    if (in->a32 != a32 || in->addr_mask != (a32 ? 0xFFFFFFFFu : 0xFFFFu))
        fail_msg("%s [%s]: a32 %u mask %08X", ctx, hex, in->a32, in->addr_mask);
    bool ok;
    if (a32) /* base and index are distinct roles with a scale */
        ok = in->base == e->base && in->index == e->index &&
             (e->index == NONE || in->scale == e->scale);
    else     /* 16-bit: the two registers are added, no scaling */
        ok = same_pair(in->base, in->index, e->base, e->index) &&
             (in->index == NONE || in->scale == 0);
    if (!ok)
        fail_msg("%s [%s]: base %u index %u scale %u, want base %u index %u scale %u", ctx, hex,
                 in->base, in->index, in->scale, e->base, e->index, e->scale);
    uint32_t m = a32 ? 0xFFFFFFFFu : 0xFFFFu;
    if ((in->disp & m) != (e->disp & m))
        fail_msg("%s [%s]: disp %08X, want %08X", ctx, hex, in->disp, e->disp);
    if (in->seg != e->seg)
        fail_msg("%s [%s]: seg %u, want %u", ctx, hex, in->seg, e->seg);
}

/* Every 16-bit ModRM memory form, in 16-bit code (286 and 386) and 32-bit code with 0x67. */
static void test_modrm16_fields(void **state)
{
    (void)state;
    unsigned checked = 0;
    const int8_t d8s[2] = { 0x7F, (int8_t)0x80 };
    for (unsigned variant = 0; variant < 3; variant++) {
        enum cpu_model m = variant == 0 ? CPU_286 : CPU_386;
        bool c32 = variant == 2;
        for (unsigned mod = 0; mod < 3; mod++)
            for (unsigned reg = 0; reg < 8; reg++)
                for (unsigned rm = 0; rm < 8; rm++)
                    for (unsigned di = 0; di < 2; di++) {
                        uint8_t b[8];
                        size_t n = 0;
                        if (c32)
                            b[n++] = 0x67;
                        b[n++] = 0x8B; /* mov r16/32, r/m */
                        b[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
                        b[n++] = (uint8_t)d8s[di];
                        b[n++] = 0x92;
                        struct ea_exp e = exp16(mod, rm, d8s[di], (uint16_t)(0x9200 | (uint8_t)d8s[di]));
                        struct insn in;
                        assert_int_equal(dec(m, c32, b, n, &in), -1);
                        check_ea(c32 ? "a16 in 32-bit code" : "16-bit", b, n, &in, &e, c32, false,
                                 mod, reg, rm);
                        checked++;
                    }
    }
    print_message("  %u 16-bit ModRM forms\n", checked);
}

/* Every 32-bit ModRM and SIB memory form, in 32-bit code and in 16-bit code with 0x67. */
static void test_modrm32_fields(void **state)
{
    (void)state;
    unsigned checked = 0;
    static const uint8_t dbytes[2][4] = { { 0x88, 0x56, 0x34, 0x92 }, { 0x7F, 0xA5, 0x5A, 0x01 } };
    for (unsigned variant = 0; variant < 2; variant++) {
        bool c32 = variant == 0;
        for (unsigned mod = 0; mod < 3; mod++)
            for (unsigned rm = 0; rm < 8; rm++)
                for (unsigned sib = 0; sib < (rm == 4 ? 256u : 1u); sib++)
                    for (unsigned di = 0; di < 2; di++) {
                        unsigned reg = (sib + rm + mod) & 7;
                        uint8_t b[12];
                        size_t n = 0;
                        if (!c32)
                            b[n++] = 0x67;
                        b[n++] = 0x8B;
                        b[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
                        if (rm == 4)
                            b[n++] = (uint8_t)sib;
                        const uint8_t *d = dbytes[di];
                        memcpy(b + n, d, 4);
                        n += 4;
                        uint32_t d32 = (uint32_t)d[0] | (uint32_t)d[1] << 8 |
                                       (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
                        struct ea_exp e = exp32(mod, rm, (uint8_t)sib, (int8_t)d[0], d32);
                        struct insn in;
                        assert_int_equal(dec(CPU_386, c32, b, n, &in), -1);
                        check_ea(c32 ? "32-bit" : "a32 in 16-bit code", b, n, &in, &e, !c32,
                                 true, mod, reg, rm);
                        checked++;
                    }
    }
    /* The same on later models, one pass in 32-bit code. */
    for (size_t mi = 2; mi < NMODELS; mi++)
        for (unsigned mod = 0; mod < 3; mod++)
            for (unsigned rm = 0; rm < 8; rm++)
                for (unsigned sib = 0; sib < (rm == 4 ? 256u : 1u); sib += 7) {
                    uint8_t b[] = { 0x8B, (uint8_t)(mod << 6 | rm), (uint8_t)sib, 0x11, 0x22,
                                    0x33, 0x44 };
                    size_t n = sizeof b;
                    if (rm != 4) {
                        memmove(b + 2, b + 3, 4);
                        n--;
                    }
                    struct ea_exp e = exp32(mod, rm, (uint8_t)sib, 0x11, 0x44332211);
                    struct insn in;
                    assert_int_equal(dec(all_models[mi], true, b, n, &in), -1);
                    check_ea(model_name(all_models[mi]), b, n, &in, &e, 0, true, mod, 0, rm);
                    checked++;
                }
    print_message("  %u 32-bit ModRM/SIB forms\n", checked);
}

/* Register forms (mod = 3) have no memory operand and no displacement. */
static void test_modrm_register_forms(void **state)
{
    (void)state;
    for (unsigned c32 = 0; c32 < 2; c32++)
        for (unsigned v = 0; v < 64; v++) {
            uint8_t b[] = { 0x8B, (uint8_t)(0xC0 | v), FILLER, FILLER };
            struct insn in;
            assert_int_equal(dec(CPU_386, c32, b, 2, &in), -1);
            assert_int_equal(in.len, 2);
            assert_int_equal(in.mod, 3);
            assert_int_equal(in.reg, v >> 3);
            assert_int_equal(in.rm, v & 7);
            assert_true(in.fn != op_ud);
        }
}

static const struct { uint8_t prefix, seg; } seg_prefixes[] = {
    { 0x26, S_ES }, { 0x2E, S_CS }, { 0x36, S_SS }, { 0x3E, S_DS }, { 0x64, S_FS }, { 0x65, S_GS },
};

static void expect_seg(enum cpu_model m, bool c32, const uint8_t *b, size_t n, unsigned seg,
                       unsigned len)
{
    struct insn in;
    char hex[80];
    hexdump(hex, sizeof hex, b, n);
    assert_int_equal(dec(m, c32, b, n, &in), -1);
    if (in.fn == op_ud || in.seg != seg || in.len != len)
        fail_msg("[%s] on %s %s code: seg %u len %u%s, want seg %u len %u", hex, model_name(m),
                 c32 ? "32-bit" : "16-bit", in.seg, in.len, in.fn == op_ud ? " #UD" : "", seg,
                 len);
}

static void test_segment_overrides(void **state)
{
    (void)state;
    /* defaults */
    expect_seg(CPU_286, 0, BYTES(0x8B, 0x07), S_DS, 2);              /* [bx] */
    expect_seg(CPU_286, 0, BYTES(0x8B, 0x46, 0x00), S_SS, 3);        /* [bp+0] */
    expect_seg(CPU_286, 0, BYTES(0x8B, 0x02), S_SS, 2);              /* [bp+si] */
    expect_seg(CPU_286, 0, BYTES(0x8B, 0x03), S_SS, 2);              /* [bp+di] */
    expect_seg(CPU_286, 0, BYTES(0x8B, 0x06, 0x34, 0x12), S_DS, 4);  /* [disp16] */
    expect_seg(CPU_286, 0, BYTES(0xA1, 0x34, 0x12), S_DS, 3);        /* moffs */
    expect_seg(CPU_286, 0, BYTES(0xA4), S_DS, 1);                    /* movsb source */
    expect_seg(CPU_386, 1, BYTES(0x8B, 0x04, 0x24), S_SS, 3);        /* [esp] */
    expect_seg(CPU_386, 1, BYTES(0x8B, 0x45, 0x00), S_SS, 3);        /* [ebp+0] */
    expect_seg(CPU_386, 1, BYTES(0x8B, 0x04, 0x2C), S_SS, 3);        /* [esp+ebp] */
    expect_seg(CPU_386, 1, BYTES(0x8B, 0x04, 0x6D, 0, 0, 0, 0), S_DS, 7); /* [ebp*2+d32] */
    expect_seg(CPU_386, 1, BYTES(0x8B, 0x04, 0x20), S_DS, 3);        /* [eax], index none */
    expect_seg(CPU_386, 1, BYTES(0x8B, 0x05, 0, 0, 0, 0), S_DS, 6);  /* [d32] */
    expect_seg(CPU_386, 0, BYTES(0x67, 0x8B, 0x04, 0x24), S_SS, 4);  /* a32 [esp] */

    for (size_t i = 0; i < ARRAY_SIZE(seg_prefixes); i++) {
        uint8_t p = seg_prefixes[i].prefix, s = seg_prefixes[i].seg;
        enum cpu_model m = (p == 0x64 || p == 0x65) ? CPU_386 : CPU_286;
        expect_seg(m, 0, BYTES(p, 0x8B, 0x07), s, 3);
        expect_seg(m, 0, BYTES(p, 0x8B, 0x46, 0x00), s, 4);
        expect_seg(m, 0, BYTES(p, 0xA1, 0x34, 0x12), s, 4);
        expect_seg(m, 0, BYTES(p, 0xA4), s, 2);
        expect_seg(CPU_386, 1, BYTES(p, 0x8B, 0x04, 0x24), s, 4);
        expect_seg(CPU_386, 1, BYTES(p, 0x8B, 0x45, 0x00), s, 4);
        /* last override wins */
        for (size_t j = 0; j < ARRAY_SIZE(seg_prefixes); j++) {
            uint8_t q = seg_prefixes[j].prefix;
            expect_seg(CPU_386, 0, BYTES(p, q, 0x8B, 0x46, 0x00), seg_prefixes[j].seg, 5);
            expect_seg(CPU_386, 1, BYTES(q, 0x66, p, 0x8B, 0x07), s, 5);
        }
    }
    expect_seg(CPU_286, 0, BYTES(0x26, 0xF3, 0x2E, 0xF0, 0x36, 0x00, 0x07), S_SS, 7);
}

struct size_exp {
    uint8_t o32, a32, rep, lock, len;
};

static void expect_sizes(enum cpu_model m, bool c32, const uint8_t *b, size_t n,
                         struct size_exp e, insn_fn fn)
{
    struct insn in;
    char hex[80];
    hexdump(hex, sizeof hex, b, n);
    assert_int_equal(dec(m, c32, b, n, &in), -1);
    if (in.o32 != e.o32 || in.a32 != e.a32 || in.rep != e.rep || in.lock != e.lock ||
        in.len != e.len || in.addr_mask != (e.a32 ? 0xFFFFFFFFu : 0xFFFFu))
        fail_msg("[%s] %s code: o32 %u a32 %u rep %02X lock %u len %u mask %08X, "
                 "want o32 %u a32 %u rep %02X lock %u len %u", hex, c32 ? "32-bit" : "16-bit",
                 in.o32, in.a32, in.rep, in.lock, in.len, in.addr_mask, e.o32, e.a32, e.rep,
                 e.lock, e.len);
    if (fn && in.fn != fn)
        fail_msg("[%s] %s code: wrong handler (operand size)", hex, c32 ? "32-bit" : "16-bit");
}

#define SZ(o, a, r, l, n) ((struct size_exp){ o, a, r, l, n })

static void test_size_and_rep_prefixes(void **state)
{
    (void)state;
    /* 16-bit code */
    expect_sizes(CPU_386, 0, BYTES(0x01, 0xC0), SZ(0, 0, 0, 0, 2), op_add_rm16_r16);
    expect_sizes(CPU_386, 0, BYTES(0x66, 0x01, 0xC0), SZ(1, 0, 0, 0, 3), op_add_rm32_r32);
    expect_sizes(CPU_386, 0, BYTES(0x66, 0x66, 0x01, 0xC0), SZ(1, 0, 0, 0, 4), op_add_rm32_r32);
    expect_sizes(CPU_386, 0, BYTES(0x66, 0x66, 0x66, 0x01, 0xC0), SZ(1, 0, 0, 0, 5),
                 op_add_rm32_r32);
    expect_sizes(CPU_386, 0, BYTES(0x67, 0x01, 0x00), SZ(0, 1, 0, 0, 3), op_add_rm16_r16);
    expect_sizes(CPU_386, 0, BYTES(0x67, 0x67, 0x01, 0x00), SZ(0, 1, 0, 0, 4), op_add_rm16_r16);
    expect_sizes(CPU_386, 0, BYTES(0x66, 0x67, 0x01, 0x00), SZ(1, 1, 0, 0, 4), op_add_rm32_r32);
    expect_sizes(CPU_386, 0, BYTES(0x67, 0x66, 0x01, 0x00), SZ(1, 1, 0, 0, 4), op_add_rm32_r32);
    expect_sizes(CPU_286, 0, BYTES(0x01, 0x00), SZ(0, 0, 0, 0, 2), op_add_rm16_r16);
    /* 32-bit code */
    expect_sizes(CPU_386, 1, BYTES(0x01, 0xC0), SZ(1, 1, 0, 0, 2), op_add_rm32_r32);
    expect_sizes(CPU_386, 1, BYTES(0x66, 0x01, 0xC0), SZ(0, 1, 0, 0, 3), op_add_rm16_r16);
    expect_sizes(CPU_386, 1, BYTES(0x66, 0x66, 0x01, 0xC0), SZ(0, 1, 0, 0, 4), op_add_rm16_r16);
    expect_sizes(CPU_386, 1, BYTES(0x67, 0x01, 0x00), SZ(1, 0, 0, 0, 3), op_add_rm32_r32);
    expect_sizes(CPU_386, 1, BYTES(0x67, 0x67, 0x01, 0x00), SZ(1, 0, 0, 0, 4), op_add_rm32_r32);
    expect_sizes(CPU_386, 1, BYTES(0x66, 0x67, 0x01, 0x00), SZ(0, 0, 0, 0, 4), op_add_rm16_r16);
    /* handlers that differ by operand size */
    expect_sizes(CPU_386, 0, BYTES(0x66, 0xE8, 0, 0, 0, 0), SZ(1, 0, 0, 0, 6), op_call_rel32);
    expect_sizes(CPU_386, 1, BYTES(0x66, 0xE8, 0, 0), SZ(0, 1, 0, 0, 4), op_call_rel16);
    expect_sizes(CPU_386, 0, BYTES(0x66, 0xA5), SZ(1, 0, 0, 0, 2), op_movsd);
    expect_sizes(CPU_386, 0, BYTES(0x67, 0xA5), SZ(0, 1, 0, 0, 2), op_movsw);
    /* REP/REPNE: the last one wins */
    expect_sizes(CPU_286, 0, BYTES(0xF3, 0xA4), SZ(0, 0, 0xF3, 0, 2), op_movsb);
    expect_sizes(CPU_286, 0, BYTES(0xF2, 0xA6), SZ(0, 0, 0xF2, 0, 2), op_cmpsb);
    expect_sizes(CPU_286, 0, BYTES(0xF2, 0xF3, 0xA6), SZ(0, 0, 0xF3, 0, 3), op_cmpsb);
    expect_sizes(CPU_286, 0, BYTES(0xF3, 0xF2, 0xA6), SZ(0, 0, 0xF2, 0, 3), op_cmpsb);
    expect_sizes(CPU_386, 0, BYTES(0xF3, 0x66, 0x26, 0xA5), SZ(1, 0, 0xF3, 0, 4), op_movsd);
    expect_sizes(CPU_386, 1, BYTES(0xF3, 0x67, 0xAB), SZ(1, 0, 0xF3, 0, 3), op_stosd);
    /* LOCK */
    expect_sizes(CPU_286, 0, BYTES(0xF0, 0x00, 0x07), SZ(0, 0, 0, 1, 3), op_add_rm8_r8);
    expect_sizes(CPU_386, 0, BYTES(0xF0, 0x01, 0x07), SZ(0, 0, 0, 1, 3), op_add_rm16_r16);
    expect_sizes(CPU_386, 1, BYTES(0xF0, 0x66, 0x01, 0x00), SZ(0, 1, 0, 1, 4), op_add_rm16_r16);
    expect_sizes(CPU_386, 0, BYTES(0x90), SZ(0, 0, 0, 0, 1), op_nop);
}

/* ======================================================================== */
/* #UD */

static void expect_ud(enum cpu_model m, bool c32, const uint8_t *b, size_t n, bool ud,
                      const char *what)
{
    struct insn in;
    char hex[80];
    hexdump(hex, sizeof hex, b, n);
    int v = dec(m, c32, b, n, &in);
    if (v != -1)
        fail_msg("%s [%s] on %s: fault %d at decode", what, hex, model_name(m), v);
    if ((in.fn == op_ud) != ud)
        fail_msg("%s [%s] on %s %s code: %s, want %s", what, hex, model_name(m),
                 c32 ? "32-bit" : "16-bit", in.fn == op_ud ? "#UD" : "decoded",
                 ud ? "#UD" : "decoded");
}

/* on every model, 16- and 32-bit code */
static void expect_ud_all(const uint8_t *b, size_t n, bool ud, const char *what)
{
    for (size_t mi = 0; mi < NMODELS; mi++) {
        expect_ud(all_models[mi], false, b, n, ud, what);
        if (all_models[mi] >= CPU_386)
            expect_ud(all_models[mi], true, b, n, ud, what);
    }
}

static void test_ud_undefined(void **state)
{
    (void)state;
    /* UD2, UD1, UD0 (SDM Vol. 2B "UD"): always #UD */
    expect_ud_all(BYTES(0x0F, 0x0B), true, "ud2");
    expect_ud_all(BYTES(0x0F, 0xB9, 0xC0), true, "ud1");
    expect_ud_all(BYTES(0x0F, 0xFF, 0xC0), true, "ud0");
    /* group holes (SDM Vol. 2D Table A-6) */
    expect_ud_all(BYTES(0x8F, 0x0F), true, "8F /1");
    expect_ud_all(BYTES(0x8F, 0xC8), true, "8F /1 reg");
    expect_ud_all(BYTES(0x8F, 0x3F), true, "8F /7");
    expect_ud_all(BYTES(0xC6, 0x0F, 0x12), true, "C6 /1");
    expect_ud_all(BYTES(0xC6, 0xF8, 0x12), true, "C6 /7");
    expect_ud_all(BYTES(0xC7, 0x0F, 0x34, 0x12), true, "C7 /1");
    expect_ud_all(BYTES(0xC7, 0xF8, 0x34, 0x12), true, "C7 /7");
    for (unsigned r = 2; r < 8; r++)
        expect_ud_all(BYTES(0xFE, (uint8_t)(r << 3 | 7)), true, "FE /2../7");
    expect_ud_all(BYTES(0xFF, 0x3F), true, "FF /7");
    expect_ud_all(BYTES(0xFF, 0xF8), true, "FF /7 reg");
    expect_ud_all(BYTES(0x0F, 0x01, 0x2F), true, "0F 01 /5");
    for (unsigned r = 0; r < 4; r++) {
        expect_ud(CPU_386, false, BYTES(0x0F, 0xBA, (uint8_t)(r << 3 | 7), 1), true, "0F BA /0-3");
        expect_ud(CPU_P2, true, BYTES(0x0F, 0xBA, (uint8_t)(r << 3 | 7), 1), true, "0F BA /0-3");
    }
    expect_ud(CPU_PENTIUM, false, BYTES(0x0F, 0xC7, 0x07), true, "0F C7 /0");
    expect_ud(CPU_P2, false, BYTES(0x0F, 0xC7, 0x37), true, "0F C7 /6");
    /* ARPL, SLDT, STR, LLDT, LTR, VERR, VERW, LAR, LSL exist from the 286 on; they are #UD
     * in real-address and virtual-8086 mode (SDM Vol. 2), which their handlers raise when
     * executed (the exceptions ROM checks it), since the same bytes decode in protected
     * mode. */
    for (size_t mi = 0; mi < NMODELS; mi++) {
        enum cpu_model m = all_models[mi];
        expect_ud(m, false, BYTES(0x63, 0xC0), false, "arpl decodes");
        expect_ud(m, false, BYTES(0x0F, 0x00, 0xC0), false, "sldt decodes");
        expect_ud(m, false, BYTES(0x0F, 0x00, 0x27), false, "verr decodes");
        expect_ud(m, false, BYTES(0x0F, 0x02, 0xC0), false, "lar decodes");
        expect_ud(m, false, BYTES(0x0F, 0x03, 0xC0), false, "lsl decodes");
    }
    /* 0x64-0x67 are prefixes from the 386 on; on the 286 they are undefined opcodes */
    expect_ud(CPU_286, false, BYTES(0x64, 0x90), true, "64 on the 286");
    expect_ud(CPU_286, false, BYTES(0x65, 0x90), true, "65 on the 286");
    expect_ud(CPU_286, false, BYTES(0x66, 0x90), true, "66 on the 286");
    expect_ud(CPU_286, false, BYTES(0x67, 0x90), true, "67 on the 286");
    expect_ud(CPU_386, false, BYTES(0x64, 0x90), false, "fs: nop");
    expect_ud(CPU_386, false, BYTES(0x67, 0x90), false, "a32 nop");
}

/* Rows gated by model: #UD before the first model that has them. */
static void test_ud_models(void **state)
{
    (void)state;
    static const struct {
        uint8_t first;
        uint8_t n;
        uint8_t b[6];
        const char *what;
    } rows[] = {
        { CPU_286, 2, { 0x0F, 0x06 }, "clts" },
        { CPU_286, 3, { 0x0F, 0x01, 0xE0 }, "smsw ax" },
        { CPU_286, 3, { 0xC0, 0xE0, 0x01 }, "shl al,ib (186)" },
        { CPU_286, 4, { 0xC8, 0, 0, 0 }, "enter (186)" },
        { CPU_286, 1, { 0x60 }, "pusha (186)" },
        { CPU_286, 3, { 0x62, 0x06, 0x00 }, "bound (186)" },
        { CPU_386, 4, { 0x0F, 0x80, 0, 0 }, "jo rel16" },
        { CPU_386, 3, { 0x0F, 0x90, 0xC0 }, "seto" },
        { CPU_386, 2, { 0x0F, 0xA0 }, "push fs" },
        { CPU_386, 3, { 0x0F, 0xB6, 0xC0 }, "movzx" },
        { CPU_386, 3, { 0x0F, 0xA3, 0xC0 }, "bt" },
        { CPU_386, 3, { 0x0F, 0x20, 0xC0 }, "mov eax,cr0" },
        { CPU_386, 3, { 0x0F, 0xAF, 0xC0 }, "imul r,rm" },
        { CPU_486, 2, { 0x0F, 0xC8 }, "bswap eax" },
        { CPU_486, 2, { 0x0F, 0xCF }, "bswap edi" },
        { CPU_486, 3, { 0x0F, 0xB1, 0x07 }, "cmpxchg" },
        { CPU_486, 3, { 0x0F, 0xC0, 0xC0 }, "xadd" },
        { CPU_486, 2, { 0x0F, 0x08 }, "invd" },
        { CPU_486, 2, { 0x0F, 0x09 }, "wbinvd" },
        { CPU_486, 3, { 0x0F, 0x01, 0x38 }, "invlpg" },
        { CPU_PENTIUM, 2, { 0x0F, 0xA2 }, "cpuid" },
        { CPU_PENTIUM, 2, { 0x0F, 0x30 }, "wrmsr" },
        { CPU_PENTIUM, 2, { 0x0F, 0x31 }, "rdtsc" },
        { CPU_PENTIUM, 2, { 0x0F, 0x32 }, "rdmsr" },
        { CPU_PENTIUM, 3, { 0x0F, 0xC7, 0x0F }, "cmpxchg8b" },
        { CPU_P2, 3, { 0x0F, 0x40, 0xC0 }, "cmovo" },
        { CPU_P2, 3, { 0x0F, 0x4F, 0x07 }, "cmovg" },
    };
    unsigned checked = 0;
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
        for (size_t mi = 0; mi < NMODELS; mi++) {
            enum cpu_model m = all_models[mi];
            expect_ud(m, false, rows[i].b, rows[i].n, m < rows[i].first, rows[i].what);
            if (m >= CPU_386)
                expect_ud(m, true, rows[i].b, rows[i].n, m < rows[i].first, rows[i].what);
            checked++;
        }
    print_message("  %u model-gate checks\n", checked);
}

/* OPF_MEM rows: the register form is #UD (SDM Vol. 2: LEA, LDS/LES/LSS/LFS/LGS, CALL/JMP
 * m16:16/32, BOUND, LGDT/LIDT/SGDT/SIDT, INVLPG, CMPXCHG8B "#UD if the source/destination
 * operand is a register"). */
static void test_ud_register_operand(void **state)
{
    (void)state;
    for (size_t mi = 0; mi < NMODELS; mi++) {
        enum cpu_model m = all_models[mi];
        for (unsigned c32 = 0; c32 < (m >= CPU_386 ? 2u : 1u); c32++) {
            expect_ud(m, c32, BYTES(0x8D, 0xC0), true, "lea ax,ax");
            expect_ud(m, c32, BYTES(0x8D, 0xFF), true, "lea di,di");
            expect_ud(m, c32, BYTES(0xC4, 0xC0), true, "les reg");
            expect_ud(m, c32, BYTES(0xC5, 0xC0), true, "lds reg");
            expect_ud(m, c32, BYTES(0x62, 0xC0), true, "bound reg");
            expect_ud(m, c32, BYTES(0xFF, 0xD8), true, "call far reg (FF /3 mod=3)");
            expect_ud(m, c32, BYTES(0xFF, 0xE8), true, "jmp far reg (FF /5 mod=3)");
            expect_ud(m, c32, BYTES(0x0F, 0x01, 0xC0), true, "sgdt reg");
            expect_ud(m, c32, BYTES(0x0F, 0x01, 0xD8), true, "lidt reg");
            /* the memory forms and the neighbouring register-capable rows decode */
            expect_ud(m, c32, BYTES(0x8D, 0x07), false, "lea [bx]");
            expect_ud(m, c32, BYTES(0xC4, 0x07), false, "les [bx]");
            expect_ud(m, c32, BYTES(0x62, 0x07), false, "bound [bx]");
            expect_ud(m, c32, BYTES(0xFF, 0x1F), false, "call far [bx]");
            expect_ud(m, c32, BYTES(0xFF, 0x2F), false, "jmp far [bx]");
            expect_ud(m, c32, BYTES(0xFF, 0xD0), false, "call ax (FF /2)");
            expect_ud(m, c32, BYTES(0xFF, 0xE0), false, "jmp ax (FF /4)");
            expect_ud(m, c32, BYTES(0x0F, 0x01, 0xE0), false, "smsw ax");
            expect_ud(m, c32, BYTES(0x0F, 0x01, 0xF0), false, "lmsw ax");
            if (m >= CPU_386) {
                expect_ud(m, c32, BYTES(0x0F, 0xB2, 0xC0), true, "lss reg");
                expect_ud(m, c32, BYTES(0x0F, 0xB4, 0xC0), true, "lfs reg");
                expect_ud(m, c32, BYTES(0x0F, 0xB5, 0xC0), true, "lgs reg");
                expect_ud(m, c32, BYTES(0x0F, 0xB2, 0x07), false, "lss [bx]");
                expect_ud(m, c32, BYTES(0x0F, 0x20, 0xC0), false, "mov eax,cr0");
            }
            if (m >= CPU_486)
                expect_ud(m, c32, BYTES(0x0F, 0x01, 0xF8), true, "invlpg reg");
            if (m >= CPU_PENTIUM) {
                expect_ud(m, c32, BYTES(0x0F, 0xC7, 0xC8), true, "cmpxchg8b reg");
                expect_ud(m, c32, BYTES(0x0F, 0xC7, 0x0F), false, "cmpxchg8b [bx]");
            }
        }
    }
}

/* LOCK (SDM Vol. 2A "LOCK"): from the 386, #UD unless the instruction is one of ADD ADC AND
 * BTC BTR BTS CMPXCHG CMPXCHG8B DEC INC NEG NOT OR SBB SUB XOR XADD XCHG with a memory
 * destination. The 286 raises no #UD for LOCK. LOCK BT m is #UD in the SDM, but the 80386
 * Programmer's Reference Manual lists "BT, BTS, BTR, BTC mem, reg/imm" as lockable, so it is
 * only asserted from the Pentium on (BAD_P5). */
enum { BAD = 1, BAD_P5 = 2 };

static void test_ud_lock(void **state)
{
    (void)state;
    static const struct {
        uint8_t first; /* model the instruction exists on */
        uint8_t bad;   /* #UD with LOCK: 0 never, BAD from the 386, BAD_P5 from the Pentium */
        uint8_t n;
        uint8_t b[7];
        const char *what;
    } rows[] = {
        { CPU_286, 1, 3, { 0xF0, 0x8B, 0x07 }, "lock mov ax,[bx]" },
        { CPU_286, 1, 3, { 0xF0, 0x89, 0x07 }, "lock mov [bx],ax" },
        { CPU_286, 1, 3, { 0xF0, 0x01, 0xC0 }, "lock add ax,ax (register dest)" },
        { CPU_286, 1, 3, { 0xF0, 0x03, 0x07 }, "lock add ax,[bx] (register dest)" },
        { CPU_286, 1, 3, { 0xF0, 0x38, 0x07 }, "lock cmp [bx],al" },
        { CPU_286, 1, 4, { 0xF0, 0x80, 0x3F, 0x12 }, "lock cmp byte [bx],ib" },
        { CPU_286, 1, 4, { 0xF0, 0x80, 0xC0, 0x12 }, "lock add al,ib (register)" },
        { CPU_286, 1, 3, { 0xF0, 0x04, 0x12 }, "lock add al,ib (04)" },
        { CPU_286, 1, 4, { 0xF0, 0xF6, 0x07, 0x12 }, "lock test byte [bx],ib" },
        { CPU_286, 1, 3, { 0xF0, 0x85, 0x07 }, "lock test [bx],ax" },
        { CPU_286, 1, 3, { 0xF0, 0xF7, 0x27 }, "lock mul word [bx]" },
        { CPU_286, 1, 3, { 0xF0, 0xFF, 0x37 }, "lock push word [bx]" },
        { CPU_286, 1, 2, { 0xF0, 0x90 }, "lock nop" },
        { CPU_286, 1, 2, { 0xF0, 0x40 }, "lock inc ax (40)" },
        { CPU_286, 1, 3, { 0xF0, 0xFE, 0xC0 }, "lock inc al (register)" },
        { CPU_286, 1, 3, { 0xF0, 0x86, 0xC0 }, "lock xchg al,al (register)" },
        { CPU_286, 1, 2, { 0xF0, 0xA4 }, "lock movsb" },
        { CPU_286, 1, 3, { 0xF0, 0xD1, 0x27 }, "lock shl word [bx],1" },
        { CPU_286, 0, 3, { 0xF0, 0x00, 0x07 }, "lock add [bx],al" },
        { CPU_286, 0, 3, { 0xF0, 0x09, 0x07 }, "lock or [bx],ax" },
        { CPU_286, 0, 3, { 0xF0, 0x11, 0x07 }, "lock adc [bx],ax" },
        { CPU_286, 0, 3, { 0xF0, 0x19, 0x07 }, "lock sbb [bx],ax" },
        { CPU_286, 0, 3, { 0xF0, 0x21, 0x07 }, "lock and [bx],ax" },
        { CPU_286, 0, 3, { 0xF0, 0x29, 0x07 }, "lock sub [bx],ax" },
        { CPU_286, 0, 3, { 0xF0, 0x31, 0x07 }, "lock xor [bx],ax" },
        { CPU_286, 0, 4, { 0xF0, 0x80, 0x07, 0x12 }, "lock add byte [bx],ib" },
        { CPU_286, 0, 5, { 0xF0, 0x81, 0x37, 0x34, 0x12 }, "lock xor word [bx],iw" },
        { CPU_286, 0, 4, { 0xF0, 0x83, 0x2F, 0x12 }, "lock sub word [bx],ib" },
        { CPU_286, 0, 3, { 0xF0, 0x86, 0x07 }, "lock xchg [bx],al" },
        { CPU_286, 0, 3, { 0xF0, 0x87, 0x07 }, "lock xchg [bx],ax" },
        { CPU_286, 0, 3, { 0xF0, 0xF6, 0x17 }, "lock not byte [bx]" },
        { CPU_286, 0, 3, { 0xF0, 0xF7, 0x1F }, "lock neg word [bx]" },
        { CPU_286, 0, 3, { 0xF0, 0xFE, 0x07 }, "lock inc byte [bx]" },
        { CPU_286, 0, 3, { 0xF0, 0xFF, 0x0F }, "lock dec word [bx]" },
        { CPU_386, BAD_P5, 4, { 0xF0, 0x0F, 0xA3, 0x07 }, "lock bt [bx],ax" },
        { CPU_386, BAD_P5, 5, { 0xF0, 0x0F, 0xBA, 0x27, 0x01 }, "lock bt [bx],ib" },
        { CPU_386, 1, 4, { 0xF0, 0x0F, 0xAB, 0xC0 }, "lock bts ax,ax (register)" },
        { CPU_386, 1, 4, { 0xF0, 0x0F, 0xB6, 0x07 }, "lock movzx" },
        { CPU_386, 0, 4, { 0xF0, 0x0F, 0xAB, 0x07 }, "lock bts [bx],ax" },
        { CPU_386, 0, 4, { 0xF0, 0x0F, 0xB3, 0x07 }, "lock btr [bx],ax" },
        { CPU_386, 0, 4, { 0xF0, 0x0F, 0xBB, 0x07 }, "lock btc [bx],ax" },
        { CPU_386, 0, 5, { 0xF0, 0x0F, 0xBA, 0x2F, 0x01 }, "lock bts [bx],ib" },
        { CPU_386, 0, 5, { 0xF0, 0x0F, 0xBA, 0x37, 0x01 }, "lock btr [bx],ib" },
        { CPU_386, 0, 5, { 0xF0, 0x0F, 0xBA, 0x3F, 0x01 }, "lock btc [bx],ib" },
        { CPU_486, 0, 4, { 0xF0, 0x0F, 0xB1, 0x07 }, "lock cmpxchg [bx],ax" },
        { CPU_486, 0, 4, { 0xF0, 0x0F, 0xC0, 0x07 }, "lock xadd [bx],al" },
        { CPU_486, 1, 4, { 0xF0, 0x0F, 0xC1, 0xC0 }, "lock xadd ax,ax (register)" },
        { CPU_PENTIUM, 0, 4, { 0xF0, 0x0F, 0xC7, 0x0F }, "lock cmpxchg8b [bx]" },
    };
    unsigned checked = 0;
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
        for (size_t mi = 0; mi < NMODELS; mi++) {
            enum cpu_model m = all_models[mi];
            if (m < rows[i].first)
                continue;
            if (rows[i].bad == BAD_P5 && m >= CPU_386 && m < CPU_PENTIUM)
                continue; /* not asserted, see above */
            bool ud = m >= CPU_386 && rows[i].bad != 0;
            expect_ud(m, false, rows[i].b, rows[i].n, ud, rows[i].what);
            if (m >= CPU_386)
                expect_ud(m, true, rows[i].b, rows[i].n, ud, rows[i].what);
            checked++;
        }
    /* The 286 keeps the handler of the instruction. */
    struct insn in;
    assert_int_equal(dec(CPU_286, false, BYTES(0xF0, 0x8B, 0x07), &in), -1);
    assert_true(in.fn == op_mov_r16_rm16);
    assert_int_equal(in.len, 3);
    assert_int_equal(dec(CPU_286, false, BYTES(0xF0, 0x01, 0xC0), &in), -1);
    assert_true(in.fn == op_add_rm16_r16);
    /* LOCK anywhere among the prefixes counts */
    assert_int_equal(dec(CPU_386, false, BYTES(0x26, 0xF0, 0x66, 0x01, 0xC0), &in), -1);
    assert_true(in.fn == op_ud);
    assert_int_equal(dec(CPU_386, false, BYTES(0x26, 0xF0, 0x66, 0x01, 0x07), &in), -1);
    assert_true(in.fn == op_add_rm32_r32);
    print_message("  %u lock checks\n", checked);
}

/* ======================================================================== */
/* Instruction length limit: #GP(0) beyond 10 bytes on the 286 (80286 PRM: "instruction
 * length limit of 10 bytes"), beyond 15 on the 386 on (SDM Vol. 2A §2.3.11 / §2.1: "the
 * maximum length of an instruction is 15 bytes"; #GP(0) when exceeded). */

static void expect_len_limit(enum cpu_model m, bool c32, const uint8_t *b, size_t n, int vector,
                             unsigned len)
{
    struct insn in;
    char hex[80];
    hexdump(hex, sizeof hex, b, n);
    int v = dec(m, c32, b, n, &in);
    if (v != vector)
        fail_msg("[%s] (%zu bytes) on %s: fault %d, want %d", hex, n, model_name(m), v, vector);
    if (v >= 0) {
        if (machine(m)->fault_error != 0)
            fail_msg("[%s] on %s: error code %08X, want 0", hex, model_name(m),
                     machine(m)->fault_error);
    } else if (in.len != len || in.fn == op_ud) {
        fail_msg("[%s] on %s: len %u%s, want %u", hex, model_name(m), in.len,
                 in.fn == op_ud ? " #UD" : "", len);
    }
}

static void test_length_limit(void **state)
{
    (void)state;
    uint8_t b[24];
    static const uint8_t pfx286[] = { 0x26, 0x2E, 0x36, 0x3E, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x26,
                                      0x2E, 0x36 };
    static const uint8_t pfx386[] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF3, 0x26,
                                      0x66, 0x66, 0x67, 0x3E, 0x65, 0x2E, 0x36 };

    /* 286: 10 bytes decode, 11 fault */
    memcpy(b, pfx286, 8);
    b[8] = 0x00, b[9] = 0xC0;
    expect_len_limit(CPU_286, false, b, 10, -1, 10);          /* 8 prefixes + add al,al */
    memcpy(b, pfx286, 9);
    b[9] = 0x00, b[10] = 0xC0;
    expect_len_limit(CPU_286, false, b, 11, EXC_GP, 0);       /* 9 prefixes + add al,al */
    memcpy(b, pfx286, 9);
    b[9] = 0x90;
    expect_len_limit(CPU_286, false, b, 10, -1, 10);          /* 9 prefixes + nop */
    memcpy(b, pfx286, 10);
    b[10] = 0x90;
    expect_len_limit(CPU_286, false, b, 11, EXC_GP, 0);       /* 10 prefixes + nop */
    expect_len_limit(CPU_286, false,
                     BYTES(0x26, 0x2E, 0x36, 0x3E, 0x81, 0x06, 0x34, 0x12, 0x78, 0x56), -1, 10);
    expect_len_limit(CPU_286, false,
                     BYTES(0x26, 0x2E, 0x36, 0x3E, 0x26, 0x81, 0x06, 0x34, 0x12, 0x78, 0x56),
                     EXC_GP, 0);                              /* the immediate crosses 10 */
    expect_len_limit(CPU_286, false,
                     BYTES(0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF2, 0xF3, 0x26, 0x0F, 0x06),
                     EXC_GP, 0);                              /* 11 with a 0F opcode */

    for (size_t mi = 1; mi < NMODELS; mi++) {
        enum cpu_model m = all_models[mi];
        for (unsigned c32 = 0; c32 < 2; c32++) {
            memcpy(b, pfx386, 14);
            b[14] = 0x90;
            expect_len_limit(m, c32, b, 15, -1, 15);          /* 14 prefixes + nop */
            memcpy(b, pfx386, 15);
            b[15] = 0x90;
            expect_len_limit(m, c32, b, 16, EXC_GP, 0);       /* 15 prefixes + nop */
            memcpy(b, pfx386, 16);
            b[16] = 0x90;
            expect_len_limit(m, c32, b, 17, EXC_GP, 0);       /* 16 prefixes + nop */
            memcpy(b, pfx386, 13);
            b[13] = 0x00, b[14] = 0xC0;
            expect_len_limit(m, c32, b, 15, -1, 15);          /* 13 prefixes + add al,al */
            memcpy(b, pfx386, 14);
            b[14] = 0x00, b[15] = 0xC0;
            expect_len_limit(m, c32, b, 16, EXC_GP, 0);       /* 14 prefixes + add al,al */
        }
        /* a 15-byte real instruction: es: o32 a32 lock add dword [esp+d32],id */
        const uint8_t *ok15 = (const uint8_t[]){ 0x26, 0x66, 0x67, 0xF0, 0x81, 0x84, 0x24, 0x78,
                                                 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12 };
        expect_len_limit(m, false, ok15, 15, -1, 15);
        uint8_t long16[16];
        long16[0] = 0x3E;
        memcpy(long16 + 1, ok15, 15);
        expect_len_limit(m, false, long16, 16, EXC_GP, 0);    /* its immediate crosses 15 */
        /* 32-bit code: 11 bytes of instruction, 4 prefixes: exactly 15 */
        expect_len_limit(m, true,
                         BYTES(0x26, 0x2E, 0xF0, 0x3E, 0x81, 0x84, 0x24, 0x78, 0x56, 0x34, 0x12,
                               0x78, 0x56, 0x34, 0x12),
                         -1, 15);
        expect_len_limit(m, true,
                         BYTES(0x26, 0x2E, 0xF0, 0x3E, 0x36, 0x81, 0x84, 0x24, 0x78, 0x56, 0x34,
                               0x12, 0x78, 0x56, 0x34, 0x12),
                         EXC_GP, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_immediates),
        cmocka_unit_test(test_modrm16_fields),
        cmocka_unit_test(test_modrm32_fields),
        cmocka_unit_test(test_modrm_register_forms),
        cmocka_unit_test(test_segment_overrides),
        cmocka_unit_test(test_size_and_rep_prefixes),
        cmocka_unit_test(test_ud_undefined),
        cmocka_unit_test(test_ud_models),
        cmocka_unit_test(test_ud_register_operand),
        cmocka_unit_test(test_ud_lock),
        cmocka_unit_test(test_length_limit),
    };
    return cmocka_run_group_tests_name("decode", tests, NULL, free_machines);
}
