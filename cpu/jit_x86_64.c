/* The native tier on x86-64 hosts (cpu/jit.h): a hot block becomes one host function that
 * does what tb_exec's threaded loop does for it, with the loop gone. For each instruction
 * it stores insn_eip and eip (the block's first EIP, kept in a register, plus constant
 * offsets), insn_esp (ESP before the instruction), calls the instruction's handler
 * directly with (cpu, insn), stores icount, and leaves when the handler set tb_exit. So
 * every handler, every fault unwinding from one (cpu_fault's longjmp abandons the
 * function's frame; cpu_run's setjmp restored the callee-saved registers), every device
 * reading icount through MMIO and every self-modifying write sees the state the threaded
 * loop gives it.
 *
 * Host code (System V AMD64 ABI): rbx = cpu, r12 = the block's first struct insn,
 * r13d = EIP at entry, r14 = icount at entry. Encodings from the Intel SDM Vol. 2
 * (REX, ModRM, SIB; CALL rel32 E8, Jcc rel32 0F 8x, CMP r/m8, imm8 80 /7). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "cpu/jit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"

#define JIT_SIZE (16u << 20)
/* The most one instruction takes (the longest sequence below, with a far call). */
#define JIT_INSN_MAX 96u
#define JIT_BLOCK_EXTRA 64u
/* The longest block compiled (translate.c's are shorter). */
#define JIT_BLOCK_MAX 64u

struct jit {
    uint8_t *base;
    size_t used;
};

/* Offsets in struct cpu the code reads and writes. */
#define OFF_INSN_EIP ((int32_t)offsetof(struct cpu, insn_eip))
#define OFF_INSN_ESP ((int32_t)offsetof(struct cpu, insn_esp))
#define OFF_EIP ((int32_t)offsetof(struct cpu, eip))
#define OFF_ESP ((int32_t)(offsetof(struct cpu, r) + R_ESP * sizeof(uint32_t)))
#define OFF_ICOUNT ((int32_t)offsetof(struct cpu, icount))
#define OFF_TB_EXIT ((int32_t)offsetof(struct cpu, tb_exit))

struct emit {
    uint8_t *p;
};

static void b1(struct emit *e, uint8_t v)
{
    *e->p++ = v;
}

static void b4(struct emit *e, uint32_t v)
{
    memcpy(e->p, &v, 4); /* x86-64 is little-endian */
    e->p += 4;
}

static void b8(struct emit *e, uint64_t v)
{
    memcpy(e->p, &v, 8);
    e->p += 8;
}

static void bytes(struct emit *e, const uint8_t *v, size_t n)
{
    memcpy(e->p, v, n);
    e->p += n;
}

/* mov [rbx + off], eax (89 /r, mod 10, reg eax, rm rbx). */
static void store_eax(struct emit *e, int32_t off)
{
    b1(e, 0x89);
    b1(e, 0x83);
    b4(e, (uint32_t)off);
}

/* lea eax, [r13 + disp32] (41 8D /r, mod 10, reg eax, rm r13). */
static void lea_eax_r13(struct emit *e, uint32_t disp)
{
    b1(e, 0x41);
    b1(e, 0x8D);
    b1(e, 0x85);
    b4(e, disp);
}

/* call target: rel32 when it reaches from here, else through rax. */
static void call(struct emit *e, uintptr_t target)
{
    intptr_t rel = (intptr_t)target - (intptr_t)(e->p + 5);
    if (rel >= INT32_MIN && rel <= INT32_MAX) {
        b1(e, 0xE8);
        b4(e, (uint32_t)(int32_t)rel);
    } else {
        b1(e, 0x48); /* mov rax, imm64 */
        b1(e, 0xB8);
        b8(e, (uint64_t)target);
        b1(e, 0xFF); /* call rax */
        b1(e, 0xD0);
    }
}

struct jit *jit_new(void)
{
    struct jit *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    /* Near the handlers if the kernel agrees (direct rel32 calls), anywhere otherwise. */
    uintptr_t near = ((uintptr_t)&jit_new & ~(uintptr_t)0xFFFFF) - ((uintptr_t)256 << 20);
    void *m = mmap((void *)near, JIT_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        free(j);
        return NULL;
    }
    j->base = m;
    return j;
}

void jit_free(struct jit *j)
{
    if (!j)
        return;
    munmap(j->base, JIT_SIZE);
    free(j);
}

void jit_reset(struct jit *j)
{
    j->used = 0;
}

jit_block_fn jit_compile(struct jit *j, const struct insn *insn, unsigned n, bool code32)
{
    if (n > JIT_BLOCK_MAX || JIT_SIZE - j->used < (size_t)n * JIT_INSN_MAX + JIT_BLOCK_EXTRA)
        return NULL;
    uint8_t *start = j->base + j->used;
    struct emit e = { start };

    /* push rbx, r12, r13, r14; sub rsp, 8 (the stack 16-byte aligned at the calls) */
    static const uint8_t prologue[] = { 0x53, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56,
                                        0x48, 0x83, 0xEC, 0x08,
                                        0x48, 0x89, 0xFB,   /* mov rbx, rdi */
                                        0x49, 0x89, 0xF4 }; /* mov r12, rsi */
    bytes(&e, prologue, sizeof prologue);
    b1(&e, 0x44); /* mov r13d, [rbx + eip] */
    b1(&e, 0x8B);
    b1(&e, 0xAB);
    b4(&e, (uint32_t)OFF_EIP);
    b1(&e, 0x4C); /* mov r14, [rbx + icount] */
    b1(&e, 0x8B);
    b1(&e, 0xB3);
    b4(&e, (uint32_t)OFF_ICOUNT);

    uint8_t *exits[JIT_BLOCK_MAX];
    unsigned nexits = 0;
    uint32_t off = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct insn *in = &insn[i];
        const bool last = i + 1 == n;
        lea_eax_r13(&e, off);
        store_eax(&e, OFF_INSN_EIP);
        b1(&e, 0x8B); /* mov eax, [rbx + r[ESP]] */
        b1(&e, 0x83);
        b4(&e, (uint32_t)OFF_ESP);
        store_eax(&e, OFF_INSN_ESP);
        off += in->len;
        lea_eax_r13(&e, off);
        /* A 16-bit block never crosses offset 0xFFFF (translate.c): only the EIP after
         * its last instruction may wrap. */
        if (last && !code32) {
            b1(&e, 0x0F); /* movzx eax, ax */
            b1(&e, 0xB7);
            b1(&e, 0xC0);
        }
        store_eax(&e, OFF_EIP);
        b1(&e, 0x48); /* mov rdi, rbx */
        b1(&e, 0x89);
        b1(&e, 0xDF);
        b1(&e, 0x49); /* lea rsi, [r12 + i * sizeof(struct insn)] */
        b1(&e, 0x8D);
        b1(&e, 0xB4);
        b1(&e, 0x24);
        b4(&e, (uint32_t)(i * sizeof(struct insn)));
        call(&e, (uintptr_t)in->fn);
        b1(&e, 0x49); /* lea rax, [r14 + i + 1] */
        b1(&e, 0x8D);
        b1(&e, 0x86);
        b4(&e, i + 1);
        b1(&e, 0x48); /* mov [rbx + icount], rax */
        b1(&e, 0x89);
        b1(&e, 0x83);
        b4(&e, (uint32_t)OFF_ICOUNT);
        if (!last) {
            b1(&e, 0x80); /* cmp byte [rbx + tb_exit], 0 */
            b1(&e, 0xBB);
            b4(&e, (uint32_t)OFF_TB_EXIT);
            b1(&e, 0x00);
            b1(&e, 0x0F); /* jne exit (rel32, patched below) */
            b1(&e, 0x85);
            exits[nexits++] = e.p;
            b4(&e, 0);
        }
    }
    uint8_t *exit = e.p;
    for (unsigned k = 0; k < nexits; k++) {
        uint32_t rel = (uint32_t)(exit - (exits[k] + 4));
        memcpy(exits[k], &rel, 4);
    }
    static const uint8_t epilogue[] = { 0x48, 0x83, 0xC4, 0x08, /* add rsp, 8 */
                                        0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5B, 0xC3 };
    bytes(&e, epilogue, sizeof epilogue);
    /* Keep the next block's start 16-byte aligned. */
    j->used = ((size_t)(e.p - j->base) + 15) & ~(size_t)15;
    jit_block_fn fn;
    memcpy(&fn, &start, sizeof fn); /* a data pointer to code: no C conversion exists */
    return fn;
}
