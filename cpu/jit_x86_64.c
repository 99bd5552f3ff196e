/* The native tier on x86-64 hosts (cpu/jit.h): a hot block becomes one host function that
 * does what tb_exec's threaded loop does for it, with the loop gone. For each instruction
 * it stores insn_eip and eip (the block's first EIP, kept in a register, plus constant
 * offsets), insn_esp (ESP before the instruction), calls the instruction's handler
 * directly with (cpu, insn), stores icount, and leaves when the handler set tb_exit. So
 * every handler, every fault unwinding from one (cpu_fault's longjmp abandons the
 * function's frame; cpu_run's setjmp restored the callee-saved registers), every device
 * reading icount through MMIO and every self-modifying write sees the state the threaded
 * loop gives it. Templates below write the commonest forms without a call, and leave out
 * the stores nothing can read before the next ones.
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
#include "cpu/handlers.h"

#define JIT_SIZE (16u << 20)
/* The most one instruction takes (the longest sequence below, with a far call). */
#define JIT_INSN_MAX 288u
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
#define OFF_EFLAGS ((int32_t)offsetof(struct cpu, eflags))
#define OFF_R(n) ((int32_t)(offsetof(struct cpu, r) + (n) * sizeof(uint32_t)))
#define OFF_LF(f) ((int32_t)offsetof(struct cpu, lf.f))
#define OFF_SEG(s, f) ((int32_t)(offsetof(struct cpu, seg) + (s) * sizeof(struct seg_cache) + \
                                 offsetof(struct seg_cache, f)))
#define OFF_TLB_E ((int32_t)offsetof(struct cpu, tlb.e))
_Static_assert(sizeof(struct tlb_entry) == 16, "entries indexed by a shift of 4");
_Static_assert(offsetof(struct tlb_entry, addend) == 8, "the host address at +8");

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

/* mov r32, [rbx + off] and mov [rbx + off], r32 (8B / 89, mod 10, rm rbx); reg: 0 eax,
 * 1 ecx, 2 edx. */
static void load_r(struct emit *e, unsigned reg, int32_t off)
{
    b1(e, 0x8B);
    b1(e, (uint8_t)(0x83 | reg << 3));
    b4(e, (uint32_t)off);
}

static void store_r(struct emit *e, unsigned reg, int32_t off)
{
    b1(e, 0x89);
    b1(e, (uint8_t)(0x83 | reg << 3));
    b4(e, (uint32_t)off);
}

/* icount = the count at entry (r14) + n: lea rax, [r14 + n]; mov [rbx + icount], rax. */
static void store_icount(struct emit *e, uint32_t n)
{
    b1(e, 0x49);
    b1(e, 0x8D);
    b1(e, 0x86);
    b4(e, n);
    b1(e, 0x48);
    b1(e, 0x89);
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_ICOUNT);
}

/* EFLAGS' bits in mask replaced by register reg's (0 eax, 1 ecx), which has no others set:
 * and dword [rbx + eflags], ~mask (81 /4 id); or [rbx + eflags], reg (09 /r). */
static void eflags_replace(struct emit *e, uint32_t mask, unsigned reg)
{
    b1(e, 0x81);
    b1(e, 0xA3);
    b4(e, (uint32_t)OFF_EFLAGS);
    b4(e, ~mask);
    b1(e, 0x09);
    b1(e, (uint8_t)(0x83 | reg << 3));
    b4(e, (uint32_t)OFF_EFLAGS);
}

/* ---- Templates: instructions written in host code, no handler called ----
 * Each writes exactly what its handler writes (cpu/ops_alu.c, cpu/ops_move.c): the
 * register, and the lazy flags record (flags.h set_lazy: op, bits, res, op1, op2) unless
 * the next instructions overwrite all of it first. Only register operands and 32-bit
 * operations: nothing here can fault or reach memory. */
enum tkind { T_NONE, T_MOV, T_LEA, T_ALU, T_LOAD, T_STORE, T_SHIFT, T_INC };
enum { A_ADD, A_OR, A_AND, A_SUB, A_XOR, A_CMP, A_TEST };

struct tmpl {
    uint8_t kind;
    uint8_t alu;     /* A_*; T_SHIFT: the ModRM reg of C1 (4 SHL, 5 SHR, 7 SAR);
                      * T_INC: 0 INC, 1 DEC */
    uint8_t dst;     /* register written (T_MOV, T_LEA) or first operand (T_ALU) */
    uint8_t src;     /* second register operand, or R_COUNT: the immediate */
    uint32_t imm;    /* T_SHIFT: the count, masked to 5 bits */
    uint8_t size;    /* T_LOAD, T_STORE: bytes accessed */
    uint8_t width;   /* T_LOAD: the register written, 8, 16 (low half) or 32 bits */
};

static bool alu_of(insn_fn fn, unsigned *alu, unsigned *shape)
{
    /* shape 0: rm32, r32 (a = rm, b = reg); 1: r32, rm32; 2: eax, imm32; 3: rm32, imm32;
     * 4: rm32, imm8 sign-extended */
    static const struct {
        insn_fn f[5];
        unsigned alu;
    } rows[] = {
        { { op_add_rm32_r32, op_add_r32_rm32, op_add_eax_imm32, op_add_rm32_imm32, op_add_rm32_imm8 }, A_ADD },
        { { op_or_rm32_r32, op_or_r32_rm32, op_or_eax_imm32, op_or_rm32_imm32, op_or_rm32_imm8 }, A_OR },
        { { op_and_rm32_r32, op_and_r32_rm32, op_and_eax_imm32, op_and_rm32_imm32, op_and_rm32_imm8 }, A_AND },
        { { op_sub_rm32_r32, op_sub_r32_rm32, op_sub_eax_imm32, op_sub_rm32_imm32, op_sub_rm32_imm8 }, A_SUB },
        { { op_xor_rm32_r32, op_xor_r32_rm32, op_xor_eax_imm32, op_xor_rm32_imm32, op_xor_rm32_imm8 }, A_XOR },
        { { op_cmp_rm32_r32, op_cmp_r32_rm32, op_cmp_eax_imm32, op_cmp_rm32_imm32, op_cmp_rm32_imm8 }, A_CMP },
        { { op_test_rm32_r32, NULL, op_test_eax_imm32, op_test_rm32_imm, NULL }, A_TEST },
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        for (unsigned sh = 0; sh < 5; sh++)
            if (rows[k].f[sh] && rows[k].f[sh] == fn) {
                *alu = rows[k].alu;
                *shape = sh;
                return true;
            }
    return false;
}

static struct tmpl template_of(const struct insn *in)
{
    struct tmpl t = { T_NONE, 0, 0, R_COUNT, 0, 0, 0 };
    if (in->lock || !in->desc)
        return t;
    insn_fn fn = in->fn;
    unsigned alu, shape;
    if (fn == op_mov_r32_imm) {
        t = (struct tmpl){ T_MOV, 0, (uint8_t)(in->op & 7), R_COUNT, in->imm, 0, 0 };
    } else if (fn == op_mov_rm32_imm && in->mod == 3) {
        t = (struct tmpl){ T_MOV, 0, in->rm, R_COUNT, in->imm, 0, 0 };
    } else if (fn == op_mov_rm32_r32 && in->mod == 3) {
        t = (struct tmpl){ T_MOV, 0, in->rm, in->reg, 0, 0, 0 };
    } else if (fn == op_mov_r32_rm32 && in->mod == 3) {
        t = (struct tmpl){ T_MOV, 0, in->reg, in->rm, 0, 0, 0 };
    } else if (in->mod != 3 && (fn == op_mov_r32_rm32 || fn == op_movzx_r32_rm16 ||
                                fn == op_movzx_r32_rm8 || fn == op_mov_r16_rm16 ||
                                fn == op_mov_r8_rm8)) {
        const unsigned size = fn == op_mov_r32_rm32 ? 4
                            : fn == op_movzx_r32_rm16 || fn == op_mov_r16_rm16 ? 2 : 1;
        const unsigned width = fn == op_mov_r16_rm16 ? 16 : fn == op_mov_r8_rm8 ? 8 : 32;
        t = (struct tmpl){ T_LOAD, 0, in->reg, R_COUNT, 0, (uint8_t)size, (uint8_t)width };
    } else if (in->mod != 3 &&
               (fn == op_mov_rm32_r32 || fn == op_mov_rm16_r16 || fn == op_mov_rm8_r8)) {
        const unsigned size = fn == op_mov_rm32_r32 ? 4 : fn == op_mov_rm16_r16 ? 2 : 1;
        t = (struct tmpl){ T_STORE, 0, in->reg, R_COUNT, 0, (uint8_t)size, (uint8_t)(size * 8) };
    } else if (in->mod == 3 && (fn == op_shl_rm32_imm8 || fn == op_shr_rm32_imm8 ||
                                fn == op_sar_rm32_imm8 || fn == op_shl_rm32_1 ||
                                fn == op_shr_rm32_1 || fn == op_sar_rm32_1)) {
        const bool one = fn == op_shl_rm32_1 || fn == op_shr_rm32_1 || fn == op_sar_rm32_1;
        const unsigned k = fn == op_shl_rm32_imm8 || fn == op_shl_rm32_1 ? 4
                         : fn == op_shr_rm32_imm8 || fn == op_shr_rm32_1 ? 5 : 7;
        t = (struct tmpl){ T_SHIFT, (uint8_t)k, in->rm, R_COUNT, one ? 1 : in->imm & 0x1F, 0, 0 };
    } else if (fn == op_inc_r32 || fn == op_dec_r32) {
        t = (struct tmpl){ T_INC, fn == op_dec_r32, (uint8_t)(in->op & 7), R_COUNT, 0, 0, 0 };
    } else if (fn == op_lea32 && in->mod != 3) {
        t.kind = T_LEA;
        t.dst = in->reg;
    } else if (alu_of(fn, &alu, &shape)) {
        if (shape != 2 && in->mod != 3)
            return t;
        t.kind = T_ALU;
        t.alu = (uint8_t)alu;
        switch (shape) {
        case 0: t.dst = in->rm; t.src = in->reg; break;
        case 1: t.dst = in->reg; t.src = in->rm; break;
        case 2: t.dst = R_EAX; t.imm = in->imm; break;
        case 3: t.dst = in->rm; t.imm = in->imm; break;
        default: t.dst = in->rm; t.imm = (uint32_t)(int32_t)(int8_t)in->imm; break;
        }
    }
    return t;
}

/* Whether the flags record instruction i's template writes is overwritten whole by a
 * later template before anything could read it (only templates follow until then; the
 * block's last instruction is always its handler). */
static bool flags_dead(const struct tmpl *t, unsigned i, unsigned n)
{
    for (unsigned j = i + 1; j + 1 < n; j++) {
        if (t[j].kind == T_ALU)
            return true;
        if (t[j].kind == T_NONE || t[j].kind == T_LOAD || t[j].kind == T_STORE ||
            t[j].kind == T_SHIFT || t[j].kind == T_INC)
            return false; /* a handler, or one that may (faults push EFLAGS); shifts kept
                           * simple: taken as readers */
    }
    return false;
}

/* eax = the effective address (exec.h ea()): r[base] + (r[index] << scale) + disp,
 * masked to the address size. */
static void emit_ea(struct emit *e, const struct insn *in)
{
    if (in->base != R_ZERO) {
        load_r(e, 0, OFF_R(in->base));
    } else {
        b1(e, 0x31); /* xor eax, eax */
        b1(e, 0xC0);
    }
    if (in->index != R_ZERO) {
        load_r(e, 1, OFF_R(in->index));
        if (in->scale) {
            b1(e, 0xC1); /* shl ecx, scale */
            b1(e, 0xE1);
            b1(e, in->scale);
        }
        b1(e, 0x01); /* add eax, ecx */
        b1(e, 0xC8);
    }
    if (in->disp) {
        b1(e, 0x05); /* add eax, imm32 */
        b4(e, in->disp);
    }
    if (in->addr_mask != 0xFFFFFFFFu) {
        b1(e, 0x25); /* and eax, imm32 */
        b4(e, in->addr_mask);
    }
}

/* jcc rel32 to a label bound later: the place of its rel32 goes to *fix. */
static void jcc_fix(struct emit *e, uint8_t cc, uint8_t **fix)
{
    b1(e, 0x0F);
    b1(e, (uint8_t)(0x80 | cc));
    *fix = e->p;
    b4(e, 0);
}

static void bind(uint8_t *const *fix, unsigned n, const uint8_t *to)
{
    for (unsigned k = 0; k < n; k++) {
        uint32_t rel = (uint32_t)(to - (fix[k] + 4));
        memcpy(fix[k], &rel, 4);
    }
}

enum { CC_NE = 0x5, CC_A = 0x7 };
#define MEM_FIXES 5

/* Where set_r8 / get_r8 find register n (AL..BH) in little-endian struct cpu. */
static int32_t off_r8(unsigned n)
{
    return OFF_R(n & 3) + (int32_t)((n >> 2) & 1);
}

/* MOV (and MOVZX to 32 bits) between a register and memory of 1, 2 or 4 bytes when
 * everything is on the fast path of rd8/16/32 / wr8/16/32
 * (exec.h): no data breakpoint or watch (debug_data), EFLAGS.AC clear (no alignment
 * check), the segment's fast test (seg_addr: rights, not expand-down, the last byte within
 * the limit), and a TLB hit for the access's kind at the CPL (mem_read / mem_write: tag of
 * the last byte's page, then the host load or store). Every other case jumps to *slow,
 * where the handler runs as usual and does it all, faults included. */
static void emit_mem_fast(struct emit *e, const struct tmpl *t, const struct insn *in,
                          uint8_t *slow[MEM_FIXES])
{
    const bool store = t->kind == T_STORE;
    const unsigned need = store ? SEG_OK_WRITE : SEG_OK_READ;
    b1(e, 0x80); /* cmp byte [rbx + debug_data], 0 */
    b1(e, 0xBB);
    b4(e, (uint32_t)offsetof(struct cpu, debug_data));
    b1(e, 0);
    jcc_fix(e, CC_NE, &slow[0]);
    b1(e, 0xF7); /* test dword [rbx + eflags], FL_AC */
    b1(e, 0x83);
    b4(e, (uint32_t)offsetof(struct cpu, eflags));
    b4(e, FL_AC);
    jcc_fix(e, CC_NE, &slow[1]);
    emit_ea(e, in); /* eax = offset */
    b1(e, 0x0F); /* movzx ecx, byte [rbx + seg.ok] */
    b1(e, 0xB6);
    b1(e, 0x8B);
    b4(e, (uint32_t)OFF_SEG(in->seg, ok));
    b1(e, 0x83); /* and ecx, need | SEG_EXPDOWN */
    b1(e, 0xE1);
    b1(e, (uint8_t)(need | SEG_EXPDOWN));
    b1(e, 0x83); /* cmp ecx, need */
    b1(e, 0xF9);
    b1(e, (uint8_t)need);
    jcc_fix(e, CC_NE, &slow[4]);
    b1(e, 0x89); /* mov ecx, eax (rcx = offset, zero-extended) */
    b1(e, 0xC1);
    b1(e, 0x48); /* add rcx, size - 1: the last byte, in 64 bits as seg_addr computes it */
    b1(e, 0x83);
    b1(e, 0xC1);
    b1(e, (uint8_t)(t->size - 1));
    load_r(e, 2, OFF_SEG(in->seg, limit)); /* edx = limit */
    b1(e, 0x48); /* cmp rcx, rdx */
    b1(e, 0x39);
    b1(e, 0xD1);
    jcc_fix(e, CC_A, &slow[2]);
    b1(e, 0x03); /* add eax, [rbx + seg.base]: eax = linear */
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_SEG(in->seg, base));
    b1(e, 0x0F); /* movzx ecx, byte [rbx + cpl] */
    b1(e, 0xB6);
    b1(e, 0x8B);
    b4(e, (uint32_t)offsetof(struct cpu, cpl));
    b1(e, 0xFF); /* inc ecx */
    b1(e, 0xC1);
    b1(e, 0xC1); /* shr ecx, 2: TLB_USER at CPL 3 */
    b1(e, 0xE9);
    b1(e, 2);
    if (store) {
        b1(e, 0x83); /* or ecx, TLB_WRITE */
        b1(e, 0xC9);
        b1(e, TLB_WRITE);
    }
    b1(e, 0xC1); /* shl ecx, TLB_BITS */
    b1(e, 0xE1);
    b1(e, TLB_BITS);
    b1(e, 0x89); /* mov edx, eax */
    b1(e, 0xC2);
    b1(e, 0xC1); /* shr edx, 12 */
    b1(e, 0xEA);
    b1(e, 12);
    b1(e, 0x81); /* and edx, TLB_SIZE - 1 */
    b1(e, 0xE2);
    b4(e, TLB_SIZE - 1);
    b1(e, 0x01); /* add edx, ecx: kind * TLB_SIZE + index */
    b1(e, 0xCA);
    b1(e, 0xC1); /* shl edx, 4 */
    b1(e, 0xE2);
    b1(e, 4);
    b1(e, 0x8D); /* lea ecx, [rax + size - 1] */
    b1(e, 0x48);
    b1(e, (uint8_t)(t->size - 1));
    b1(e, 0x81); /* and ecx, TLB_PAGE_MASK */
    b1(e, 0xE1);
    b4(e, TLB_PAGE_MASK);
    b1(e, 0x3B); /* cmp ecx, [rbx + rdx + tlb.e] (the tag) */
    b1(e, 0x8C);
    b1(e, 0x13);
    b4(e, (uint32_t)OFF_TLB_E);
    jcc_fix(e, CC_NE, &slow[3]);
    b1(e, 0x48); /* mov rcx, [rbx + rdx + tlb.e + 8] (the addend) */
    b1(e, 0x8B);
    b1(e, 0x8C);
    b1(e, 0x13);
    b4(e, (uint32_t)(OFF_TLB_E + 8));
    b1(e, 0x89); /* mov eax, eax: the linear address zero-extended */
    b1(e, 0xC0);
    if (store) {
        /* edx = the register (get_r8 / get_r16 / r[]), then its bytes to host memory */
        if (t->size == 4) {
            load_r(e, 2, OFF_R(t->dst));
        } else {
            b1(e, 0x0F); /* movzx edx, byte / word [rbx + off] */
            b1(e, t->size == 1 ? 0xB6 : 0xB7);
            b1(e, 0x93);
            b4(e, (uint32_t)(t->size == 1 ? off_r8(t->dst) : OFF_R(t->dst)));
        }
        if (t->size == 2)
            b1(e, 0x66);
        b1(e, t->size == 1 ? 0x88 : 0x89); /* mov [rcx + rax], dl / dx / edx */
        b1(e, 0x14);
        b1(e, 0x01);
    } else {
        if (t->size == 4) {
            b1(e, 0x8B); /* mov eax, [rcx + rax] */
        } else {
            b1(e, 0x0F); /* movzx eax, byte / word [rcx + rax] */
            b1(e, t->size == 1 ? 0xB6 : 0xB7);
        }
        b1(e, 0x04);
        b1(e, 0x01);
        if (t->width == 32) {
            store_r(e, 0, OFF_R(t->dst));
        } else if (t->width == 16) {
            b1(e, 0x66); /* mov [rbx + r[dst]], ax: set_r16 keeps the high half */
            store_r(e, 0, OFF_R(t->dst));
        } else {
            b1(e, 0x88); /* mov [rbx + AL..BH], al: set_r8 */
            b1(e, 0x83);
            b4(e, (uint32_t)off_r8(t->dst));
        }
    }
}

/* SHL, SHR, SAR r32 by a constant count, as ops_shift.c's shift() with set_flags_eager
 * (mask FL_ARITH, so the pending lazy record is dropped, not computed): a count of 0 changes
 * nothing; otherwise the register, then EFLAGS' six arithmetic flags replaced and lf.op =
 * LF_NONE. CF (the last bit shifted out), ZF, SF and PF are the host's from the same shift
 * (SDM Vol. 2B SAL/SAR/SHL/SHR: defined for every nonzero count); AF is cleared and OF is
 * the handler's: SHL MSB(result) XOR CF, SHR the operand's MSB for a count of 1 and 0
 * above, SAR 0 (the host's OF is defined only for a count of 1, its AF never). */
static void emit_shift(struct emit *e, const struct tmpl *t)
{
    if (t->imm == 0)
        return;
    load_r(e, 0, OFF_R(t->dst)); /* eax = a */
    const bool of_msb = t->alu == 5 && t->imm == 1;
    if (of_msb) {
        b1(e, 0x89); /* mov edx, eax */
        b1(e, 0xC2);
        b1(e, 0xC1); /* shr edx, 31 */
        b1(e, 0xEA);
        b1(e, 31);
        b1(e, 0xC1); /* shl edx, 11: OF */
        b1(e, 0xE2);
        b1(e, 11);
    }
    b1(e, 0xC1); /* shl / shr / sar eax, count */
    b1(e, (uint8_t)(0xC0 | t->alu << 3));
    b1(e, (uint8_t)t->imm);
    b1(e, 0x9C); /* pushfq */
    b1(e, 0x59); /* pop rcx */
    store_r(e, 0, OFF_R(t->dst));
    b1(e, 0x81); /* and ecx, CF | PF | ZF | SF */
    b1(e, 0xE1);
    b4(e, FL_CF | FL_PF | FL_ZF | FL_SF);
    if (t->alu == 4) {
        b1(e, 0x89); /* mov edx, ecx */
        b1(e, 0xCA);
        b1(e, 0xC1); /* shr edx, 7: SF to bit 0 */
        b1(e, 0xEA);
        b1(e, 7);
        b1(e, 0x31); /* xor edx, ecx: SF XOR CF */
        b1(e, 0xCA);
        b1(e, 0x83); /* and edx, 1 */
        b1(e, 0xE2);
        b1(e, 1);
        b1(e, 0xC1); /* shl edx, 11: OF */
        b1(e, 0xE2);
        b1(e, 11);
    }
    if (t->alu == 4 || of_msb) {
        b1(e, 0x09); /* or ecx, edx */
        b1(e, 0xD1);
    }
    eflags_replace(e, FL_ARITH, 1);
    b1(e, 0xC6); /* mov byte [rbx + lf.op], LF_NONE */
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_LF(op));
    b1(e, LF_NONE);
}

/* INC, DEC r32 (ops_alu.c, flags.h set_lazy_keep_cf): CF taken out of the record in force
 * into EFLAGS, then the register and the record (LF_INC / LF_DEC, 32, res, op1 = a,
 * op2 = 1). Only right after a template whose record is known here (inc_known): an ALU
 * template (its record written, as an INC follows; eax, ecx still hold its operands, so CF
 * is the host's from the same ADD or SUB, 0 for the logical ones), a shift (LF_NONE: CF
 * is in EFLAGS already) or another INC/DEC (LF_INC/DEC keep CF in EFLAGS likewise). */
static bool inc_known(const struct tmpl *prev)
{
    return prev->kind == T_ALU || prev->kind == T_INC ||
           (prev->kind == T_SHIFT && prev->imm != 0);
}

static void emit_inc(struct emit *e, const struct tmpl *t, const struct tmpl *prev)
{
    if (prev->kind == T_ALU) {
        if (prev->alu == A_ADD || prev->alu == A_SUB || prev->alu == A_CMP) {
            b1(e, prev->alu == A_ADD ? 0x01 : 0x39); /* add eax, ecx / cmp eax, ecx */
            b1(e, 0xC8);
            b1(e, 0x0F); /* setc al */
            b1(e, 0x92);
            b1(e, 0xC0);
            b1(e, 0x0F); /* movzx eax, al */
            b1(e, 0xB6);
            b1(e, 0xC0);
        } else {
            b1(e, 0x31); /* xor eax, eax */
            b1(e, 0xC0);
        }
        eflags_replace(e, FL_CF, 0);
    }
    load_r(e, 0, OFF_R(t->dst)); /* eax = a */
    b1(e, 0x8D); /* lea edx, [rax + 1] / [rax - 1] */
    b1(e, 0x50);
    b1(e, t->alu ? 0xFF : 0x01);
    store_r(e, 2, OFF_R(t->dst));
    store_r(e, 2, OFF_LF(res));
    store_r(e, 0, OFF_LF(op1));
    b1(e, 0xC7); /* mov dword [rbx + lf.op2], 1 */
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_LF(op2));
    b4(e, 1);
    b1(e, 0xC6); /* mov byte [rbx + lf.op], LF_INC / LF_DEC */
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_LF(op));
    b1(e, t->alu ? LF_DEC : LF_INC);
    b1(e, 0xC6); /* mov byte [rbx + lf.bits], 32 */
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_LF(bits));
    b1(e, 32);
}

static void emit_template(struct emit *e, const struct tmpl *t, const struct tmpl *prev,
                          const struct insn *in, bool dead)
{
    switch (t->kind) {
    case T_MOV:
        if (t->src == R_COUNT) {
            b1(e, 0xC7); /* mov dword [rbx + r[dst]], imm32 */
            b1(e, 0x83);
            b4(e, (uint32_t)OFF_R(t->dst));
            b4(e, t->imm);
        } else {
            load_r(e, 0, OFF_R(t->src));
            store_r(e, 0, OFF_R(t->dst));
        }
        break;
    case T_LEA:
        emit_ea(e, in);
        store_r(e, 0, OFF_R(t->dst));
        break;
    case T_ALU: {
        static const uint8_t opcode[] = { [A_ADD] = 0x01, [A_OR] = 0x09, [A_AND] = 0x21,
                                          [A_SUB] = 0x29, [A_XOR] = 0x31, [A_CMP] = 0x29,
                                          [A_TEST] = 0x21 };
        static const uint8_t lf_op[] = { [A_ADD] = LF_ADD, [A_OR] = LF_LOGIC,
                                         [A_AND] = LF_LOGIC, [A_SUB] = LF_SUB,
                                         [A_XOR] = LF_LOGIC, [A_CMP] = LF_SUB,
                                         [A_TEST] = LF_LOGIC };
        load_r(e, 0, OFF_R(t->dst)); /* eax = a */
        if (t->src == R_COUNT) {
            b1(e, 0xB9); /* mov ecx, imm32 */
            b4(e, t->imm);
        } else {
            load_r(e, 1, OFF_R(t->src)); /* ecx = b */
        }
        b1(e, 0x89); /* mov edx, eax */
        b1(e, 0xC2);
        b1(e, opcode[t->alu]); /* op edx, ecx */
        b1(e, 0xCA);
        if (t->alu != A_CMP && t->alu != A_TEST)
            store_r(e, 2, OFF_R(t->dst));
        if (!dead) {
            store_r(e, 2, OFF_LF(res));
            store_r(e, 0, OFF_LF(op1));
            store_r(e, 1, OFF_LF(op2));
            b1(e, 0xC6); /* mov byte [rbx + lf.op], op */
            b1(e, 0x83);
            b4(e, (uint32_t)OFF_LF(op));
            b1(e, lf_op[t->alu]);
            b1(e, 0xC6); /* mov byte [rbx + lf.bits], 32 */
            b1(e, 0x83);
            b4(e, (uint32_t)OFF_LF(bits));
            b1(e, 32);
        }
        break;
    }
    case T_SHIFT:
        emit_shift(e, t);
        break;
    case T_INC:
        emit_inc(e, t, prev);
        break;
    default:
        break;
    }
}

/* Handlers that touch nothing but registers and flags, never fault, and read neither EIP,
 * the instruction count nor the bookkeeping of a fault: called with no stores around
 * them (the next other instruction, and the block's last, store all). By form: the opcode
 * and, for ModRM forms, a register operand (mod 3). */
static bool register_only(const struct insn *in)
{
    if (in->lock || !in->desc || in->fn == op_ud)
        return false;
    const unsigned op = in->op;
    const bool reg = in->mod == 3;
    if (op < 0x40 && (op & 7) < 4) /* ADD..CMP r/m, r and r, r/m */
        return reg;
    if (op < 0x40 && (op & 7) < 6) /* ADD..CMP AL/eAX, imm */
        return true;
    if (op >= 0x40 && op <= 0x4F) /* INC, DEC r */
        return true;
    if ((op >= 0x80 && op <= 0x81) || op == 0x83 || (op >= 0x84 && op <= 0x8B))
        return reg; /* group 1, TEST, XCHG, MOV */
    if (op >= 0x90 && op <= 0x99) /* XCHG eAX, r; CBW; CWD */
        return true;
    if (op >= 0xB0 && op <= 0xBF) /* MOV r, imm */
        return true;
    if (op == 0xC0 || op == 0xC1 || (op >= 0xD0 && op <= 0xD3)) /* shifts, rotates */
        return reg;
    if ((op == 0xF6 || op == 0xF7) && in->reg < 6) /* TEST NOT NEG MUL IMUL (not DIV) */
        return reg;
    if (op == 0xF5 || op == 0xF8 || op == 0xF9 || op == 0xFC || op == 0xFD) /* CMC CLC STC CLD STD */
        return true;
    if ((op >= 0x140 && op <= 0x14F) || op == 0x1AF || op == 0x1B6 || op == 0x1B7 ||
        op == 0x1BE || op == 0x1BF || op == 0x69 || op == 0x6B) /* CMOV IMUL MOVZX MOVSX */
        return reg;
    return false;
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

/* An instruction through its handler, with the stores the threaded loop makes around it
 * (off: its offset in the block; *stale: the count was not stored since register-only
 * instructions ran), the count after it, and unless it is the block's last, the tb_exit
 * test whose exit jump goes to exits. */
static void emit_full(struct emit *e, const struct insn *in, unsigned i, uint32_t off, bool last,
                      bool code32, bool *stale, uint8_t **exits, unsigned *nexits)
{
    lea_eax_r13(e, off);
    store_eax(e, OFF_INSN_EIP);
    b1(e, 0x8B); /* mov eax, [rbx + r[ESP]] */
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_ESP);
    store_eax(e, OFF_INSN_ESP);
    lea_eax_r13(e, off + in->len);
    /* A 16-bit block never crosses offset 0xFFFF (translate.c): only the EIP after
     * its last instruction may wrap. */
    if (last && !code32) {
        b1(e, 0x0F); /* movzx eax, ax */
        b1(e, 0xB7);
        b1(e, 0xC0);
    }
    store_eax(e, OFF_EIP);
    if (*stale) { /* the count before this instruction, as devices and faults see it */
        store_icount(e, i);
        *stale = false;
    }
    b1(e, 0x48); /* mov rdi, rbx */
    b1(e, 0x89);
    b1(e, 0xDF);
    b1(e, 0x49); /* lea rsi, [r12 + i * sizeof(struct insn)] */
    b1(e, 0x8D);
    b1(e, 0xB4);
    b1(e, 0x24);
    b4(e, (uint32_t)(i * sizeof(struct insn)));
    call(e, (uintptr_t)in->fn);
    store_icount(e, i + 1);
    if (!last) {
        b1(e, 0x80); /* cmp byte [rbx + tb_exit], 0 */
        b1(e, 0xBB);
        b4(e, (uint32_t)OFF_TB_EXIT);
        b1(e, 0x00);
        b1(e, 0x0F); /* jne exit (rel32, patched below) */
        b1(e, 0x85);
        exits[(*nexits)++] = e->p;
        b4(e, 0);
    }
}

/* A block ending in Jcc (32-bit operand) right after an ALU template: the host's own flags
 * from the same operation on the values still in eax, ecx, edx give the condition (the
 * condition codes of Jcc are the host's, SDM Vol. 1 Table B-1; the template stored the
 * lazy record too, as the block ends here). Taken within the CS limit, EIP is the target;
 * beyond it the handler runs, which raises the #GP as jump_near does. */
static void emit_fused_jcc(struct emit *e, const struct tmpl *prev, const struct insn *in,
                           unsigned i, uint32_t off, bool code32, bool stale,
                           uint8_t **exits, unsigned *nexits)
{
    switch (prev->alu) {
    case A_SUB:
    case A_CMP:
        b1(e, 0x39); /* cmp eax, ecx */
        b1(e, 0xC8);
        break;
    case A_ADD:
        b1(e, 0x01); /* add eax, ecx */
        b1(e, 0xC8);
        break;
    default:
        b1(e, 0x85); /* test edx, edx: CF = OF = 0, SF ZF PF of the result */
        b1(e, 0xD2);
        break;
    }
    b1(e, 0x40); /* setcc sil */
    b1(e, 0x0F);
    b1(e, (uint8_t)(0x90 | (in->op & 15)));
    b1(e, 0xC6);
    lea_eax_r13(e, off);
    store_eax(e, OFF_INSN_EIP);
    b1(e, 0x8B); /* mov eax, [rbx + r[ESP]] */
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_ESP);
    store_eax(e, OFF_INSN_ESP);
    lea_eax_r13(e, off + in->len);
    if (!code32) {
        b1(e, 0x0F); /* movzx eax, ax */
        b1(e, 0xB7);
        b1(e, 0xC0);
    }
    store_eax(e, OFF_EIP);
    b1(e, 0x40); /* test sil, sil */
    b1(e, 0x84);
    b1(e, 0xF6);
    uint8_t *not_taken, *slow, *done;
    jcc_fix(e, 0x4, &not_taken); /* je */
    b1(e, 0x05); /* add eax, rel: the target, as jump_near with a 32-bit operand */
    b4(e, in->fn == op_jcc_rel8_32 ? (uint32_t)(int32_t)(int8_t)in->imm : in->imm);
    b1(e, 0x3B); /* cmp eax, [rbx + CS limit] */
    b1(e, 0x83);
    b4(e, (uint32_t)OFF_SEG(S_CS, limit));
    jcc_fix(e, CC_A, &slow);
    store_eax(e, OFF_EIP);
    bind(&not_taken, 1, e->p);
    store_icount(e, i + 1);
    b1(e, 0xE9); /* jmp done */
    done = e->p;
    b4(e, 0);
    bind(&slow, 1, e->p);
    emit_full(e, in, i, off, true, code32, &stale, exits, nexits);
    bind(&done, 1, e->p);
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
    struct tmpl t[JIT_BLOCK_MAX];
    for (unsigned i = 0; i < n; i++) {
        t[i] = template_of(&insn[i]);
        if (t[i].kind == T_INC && (i == 0 || !inc_known(&t[i - 1])))
            t[i].kind = T_NONE;
    }
    unsigned nexits = 0;
    uint32_t off = 0;
    bool stale = false; /* icount not stored since register-only instructions ran */
    for (unsigned i = 0; i < n; i++) {
        const struct insn *in = &insn[i];
        const bool last = i + 1 == n;
        const bool mem = t[i].kind == T_LOAD || t[i].kind == T_STORE;
        if (!last && t[i].kind != T_NONE && !mem) {
            emit_template(&e, &t[i], i ? &t[i - 1] : NULL, in, flags_dead(t, i, n));
            off += in->len;
            stale = true;
            continue;
        }
        if (!last && register_only(in)) {
            b1(&e, 0x48); /* mov rdi, rbx */
            b1(&e, 0x89);
            b1(&e, 0xDF);
            b1(&e, 0x49); /* lea rsi, [r12 + i * sizeof(struct insn)] */
            b1(&e, 0x8D);
            b1(&e, 0xB4);
            b1(&e, 0x24);
            b4(&e, (uint32_t)(i * sizeof(struct insn)));
            call(&e, (uintptr_t)in->fn);
            off += in->len;
            stale = true;
            continue;
        }
        if (!last && mem) { /* the fast path inline, else the handler */
            uint8_t *slow[MEM_FIXES], *done;
            emit_mem_fast(&e, &t[i], in, slow);
            b1(&e, 0xE9); /* jmp done */
            done = e.p;
            b4(&e, 0);
            bind(slow, MEM_FIXES, e.p);
            bool was = stale;
            emit_full(&e, in, i, off, false, code32, &was, exits, &nexits);
            bind(&done, 1, e.p);
            off += in->len;
            stale = true;
            continue;
        }
        if (last && i > 0 && t[i - 1].kind == T_ALU &&
            (in->fn == op_jcc_rel8_32 || in->fn == op_jcc_rel32))
            emit_fused_jcc(&e, &t[i - 1], in, i, off, code32, stale, exits, &nexits);
        else
            emit_full(&e, in, i, off, last, code32, &stale, exits, &nexits);
        off += in->len;
    }
    bind(exits, nexits, e.p);
    static const uint8_t epilogue[] = { 0x48, 0x83, 0xC4, 0x08, /* add rsp, 8 */
                                        0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5B, 0xC3 };
    bytes(&e, epilogue, sizeof epilogue);
    /* Keep the next block's start 16-byte aligned. */
    j->used = ((size_t)(e.p - j->base) + 15) & ~(size_t)15;
    jit_block_fn fn;
    memcpy(&fn, &start, sizeof fn); /* a data pointer to code: no C conversion exists */
    return fn;
}
