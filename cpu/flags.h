/* Lazy arithmetic flags (DESIGN.md "Lazy flags").
 *
 * A flag-setting instruction records its operation, operand size, inputs and result; the
 * six arithmetic flags are computed when something reads them. The carry and overflow
 * formulas below hold with a carry/borrow in, so ADC and SBB share LF_ADD and LF_SUB:
 *   carry out of a + b (+ c) = r:  (a & b) | ((a | b) & ~r)   at the sign bit
 *   borrow out of a - b (- c) = r: (~a & b) | ((~a | b) & r)  at the sign bit
 * INC and DEC keep CF, which lives in cpu->eflags while they are the last operation.
 * MUL and IMUL (LF_MUL) keep the low half of the product in res and whether the product
 * overflowed it in op2: CF = OF = op2; SF, ZF, PF from res; AF clear. */
#ifndef ORRERY_CPU_FLAGS_H
#define ORRERY_CPU_FLAGS_H

#include "core/compiler.h"
#include "cpu/cpu.h"

static ALWAYS_INLINE uint32_t lf_sign(const struct lazy_flags *f)
{
    return 1u << (f->bits - 1);
}

static ALWAYS_INLINE uint32_t size_mask(unsigned bits)
{
    return bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
}

static ALWAYS_INLINE void set_lazy(struct cpu *cpu, uint8_t op, uint8_t bits, uint32_t res,
                                   uint32_t op1, uint32_t op2)
{
    cpu->lf.op = op;
    cpu->lf.bits = bits;
    cpu->lf.res = res & size_mask(bits);
    cpu->lf.op1 = op1;
    cpu->lf.op2 = op2;
}

/* INC/DEC: CF is not changed, so it must be taken out of the previous lazy record first. */
static ALWAYS_INLINE bool get_cf(const struct cpu *cpu);
static ALWAYS_INLINE void set_lazy_keep_cf(struct cpu *cpu, uint8_t op, uint8_t bits,
                                           uint32_t res, uint32_t op1)
{
    cpu->eflags = (cpu->eflags & ~FL_CF) | (get_cf(cpu) ? FL_CF : 0);
    set_lazy(cpu, op, bits, res, op1, 1);
}

/* Eager form: the instruction computed the flags itself (shifts, BCD, multiply...).
 * Only the bits in mask are replaced; the pending lazy record is computed first only when
 * some arithmetic flag survives (MUL and IMUL replace all six, and skip it). */
uint32_t cpu_materialize_arith(const struct cpu *cpu);
static ALWAYS_INLINE void set_flags_eager(struct cpu *cpu, uint32_t mask, uint32_t value)
{
    if (cpu->lf.op != LF_NONE) {
        if ((mask & FL_ARITH) != FL_ARITH)
            cpu->eflags = (cpu->eflags & ~FL_ARITH) | cpu_materialize_arith(cpu);
        cpu->lf.op = LF_NONE;
    }
    cpu->eflags = (cpu->eflags & ~mask) | (value & mask);
}

static ALWAYS_INLINE bool get_cf(const struct cpu *cpu)
{
    const struct lazy_flags *f = &cpu->lf;
    switch (f->op) {
    case LF_ADD: return ((f->op1 & f->op2) | ((f->op1 | f->op2) & ~f->res)) & lf_sign(f);
    case LF_SUB: return ((~f->op1 & f->op2) | ((~f->op1 | f->op2) & f->res)) & lf_sign(f);
    case LF_LOGIC: return false;
    case LF_MUL: return f->op2 != 0;
    default: return cpu->eflags & FL_CF;
    }
}

static ALWAYS_INLINE bool get_zf(const struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->eflags & FL_ZF) != 0 : cpu->lf.res == 0;
}

static ALWAYS_INLINE bool get_sf(const struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->eflags & FL_SF) != 0 : (cpu->lf.res & lf_sign(&cpu->lf)) != 0;
}

static ALWAYS_INLINE bool parity8(uint32_t v)
{
    v &= 0xFF;
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return !(v & 1);
}

/* The 286's divider on a zero divisor, before its #DE, sets SF, ZF and PF from value in
 * the operand's width, AF to af, CF and OF clear. DIV passes the dividend shifted right by
 * one with AF clear (286-real F6.6, F7.6: all 55 zero-divisor vectors; AAM 0 is the same
 * divider on AL), IDIV the dividend's low half with AF set (F6.7, F7.7: all 50). The
 * manuals leave these flags undefined; later models keep them here. */
static ALWAYS_INLINE void div_by_zero_flags(struct cpu *cpu, uint32_t value, unsigned bits,
                                            uint32_t af)
{
    if (cpu->model != CPU_286)
        return;
    uint32_t v = value & size_mask(bits);
    uint32_t f = (v == 0 ? FL_ZF : 0) | (v >> (bits - 1) ? FL_SF : 0) | (parity8(v) ? FL_PF : 0);
    set_flags_eager(cpu, FL_ARITH, f | af);
}

static ALWAYS_INLINE bool get_pf(const struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->eflags & FL_PF) != 0 : parity8(cpu->lf.res);
}

static ALWAYS_INLINE bool get_af(const struct cpu *cpu)
{
    const struct lazy_flags *f = &cpu->lf;
    switch (f->op) {
    case LF_NONE: return (cpu->eflags & FL_AF) != 0;
    case LF_LOGIC:
    case LF_MUL: return false;
    default: return ((f->op1 ^ f->op2 ^ f->res) & 0x10) != 0;
    }
}

static ALWAYS_INLINE bool get_of(const struct cpu *cpu)
{
    const struct lazy_flags *f = &cpu->lf;
    switch (f->op) {
    case LF_ADD:
    case LF_INC: return ((f->op1 ^ f->res) & (f->op2 ^ f->res) & lf_sign(f)) != 0;
    case LF_SUB:
    case LF_DEC: return ((f->op1 ^ f->op2) & (f->op1 ^ f->res) & lf_sign(f)) != 0;
    case LF_LOGIC: return false;
    case LF_MUL: return f->op2 != 0;
    default: return (cpu->eflags & FL_OF) != 0;
    }
}

/* Condition codes 0-15 of Jcc/SETcc/CMOVcc (SDM Vol. 1 Table B-1). */
static ALWAYS_INLINE bool cond(const struct cpu *cpu, unsigned cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = get_of(cpu); break;
    case 1: r = get_cf(cpu); break;
    case 2: r = get_zf(cpu); break;
    case 3: r = get_cf(cpu) || get_zf(cpu); break;
    case 4: r = get_sf(cpu); break;
    case 5: r = get_pf(cpu); break;
    case 6: r = get_sf(cpu) != get_of(cpu); break;
    default: r = get_zf(cpu) || get_sf(cpu) != get_of(cpu); break;
    }
    return r != (cc & 1);
}

#endif
