/* What the x87 and MMX instruction handlers share: stack access, the checks every x87
 * instruction starts with, status word bookkeeping. Internal to cpu/fpu/. */
#ifndef ORRERY_CPU_FPU_X87_H
#define ORRERY_CPU_FPU_X87_H

#include "cpu/exec.h"
#include "cpu/fpu/fpu.h"
#include "cpu/handlers.h"

enum { CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3, CR0_NE = 1u << 5 };

static ALWAYS_INLINE unsigned st_phys(const struct fpu *f, unsigned i)
{
    return (f->top + i) & 7;
}
static ALWAYS_INLINE struct f80 *st(struct fpu *f, unsigned i)
{
    return &f->st[st_phys(f, i)];
}
static ALWAYS_INLINE bool st_empty(const struct fpu *f, unsigned i)
{
    return !((f->valid >> st_phys(f, i)) & 1);
}
static ALWAYS_INLINE void st_set(struct fpu *f, unsigned i, struct f80 v)
{
    unsigned p = st_phys(f, i);
    f->st[p] = v;
    f->valid |= (uint8_t)(1u << p);
}
static ALWAYS_INLINE void st_push(struct fpu *f, struct f80 v)
{
    f->top = (f->top - 1) & 7;
    f->st[f->top] = v;
    f->valid |= (uint8_t)(1u << f->top);
}
static ALWAYS_INLINE void st_pop(struct fpu *f)
{
    f->valid &= (uint8_t)~(1u << f->top);
    f->top = (f->top + 1) & 7;
}

/* An unmasked exception is pending: ES and B of the status word. */
static ALWAYS_INLINE bool x87_pending(const struct fpu *f)
{
    return (f->sw & ~f->cw & FE_ALL) != 0;
}

/* The context for float80 with this instruction's control word. */
static ALWAYS_INLINE struct f80_ctx x87_ctx(const struct fpu *f)
{
    struct f80_ctx c = { f->cw, 0, 0 };
    return c;
}

/* Start of every x87 instruction: CR0.EM or TS raise #NM (SDM Vol. 3A Table 2-2); a
 * waiting instruction first delivers a pending unmasked exception (SDM Vol. 1 §8.6). */
void x87_begin(struct cpu *cpu, bool waiting);
/* Records the last instruction (and operand) pointers and opcode of a non-control
 * instruction (SDM Vol. 1 §8.1.8-8.1.9); call once its memory accesses succeeded. */
void x87_note(struct cpu *cpu, const struct insn *in);
/* Merges an instruction's exception flags into the status word; C1 takes the value of
 * FE_C1 in flags. (FERR# rises only at the next waiting instruction: fpu_error.) */
void x87_raise(struct cpu *cpu, uint16_t flags);
/* Drops FERR# once no unmasked exception is pending any more. */
void x87_update_ferr(struct cpu *cpu);

/* Stack faults (SDM Vol. 1 §8.5.1.1): IE and SF, C1 = 1 on overflow, 0 on underflow.
 * Return true when IE is masked and the instruction goes on with the indefinite. */
bool x87_underflow(struct cpu *cpu);
bool x87_overflow(struct cpu *cpu);

/* Exceptions that stop an instruction before it writes its result when unmasked. */
/* ST(0) = fn(ST(0)) with the stack, exception and masking rules of a one-operand
 * arithmetic instruction (cpu/fpu/x87.c). */
void x87_unary(struct cpu *cpu, const struct insn *in,
               struct f80 (*fn)(struct f80_ctx *, struct f80));

static inline bool x87_stops(const struct fpu *f, uint16_t flags, uint16_t which)
{
    return (flags & ~f->cw & which) != 0;
}

/* ---- memory operands: 8- and 10-byte writes check the whole range first ---- */

static inline uint64_t x87_rd64(struct cpu *cpu, const struct insn *in, uint32_t off)
{
    uint32_t lo = rd32(cpu, in->seg, off);
    uint32_t hi = rd32(cpu, in->seg, (off + 4) & in->addr_mask);
    return (uint64_t)hi << 32 | lo;
}

static inline void x87_wr64(struct cpu *cpu, const struct insn *in, uint32_t off, uint64_t v)
{
    seg_addr(cpu, in->seg, off, 8, SEG_OK_WRITE);
    wr32(cpu, in->seg, off, (uint32_t)v);
    wr32(cpu, in->seg, (off + 4) & in->addr_mask, (uint32_t)(v >> 32));
}

static inline void x87_rd80(struct cpu *cpu, const struct insn *in, uint32_t off, uint8_t b[10])
{
    uint64_t lo = x87_rd64(cpu, in, off);
    uint16_t hi = rd16(cpu, in->seg, (off + 8) & in->addr_mask);
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(lo >> (8 * i));
    b[8] = (uint8_t)hi;
    b[9] = (uint8_t)(hi >> 8);
}

static inline void x87_wr80(struct cpu *cpu, const struct insn *in, uint32_t off,
                            const uint8_t b[10])
{
    uint64_t lo = 0;
    seg_addr(cpu, in->seg, off, 10, SEG_OK_WRITE);
    for (int i = 0; i < 8; i++)
        lo |= (uint64_t)b[i] << (8 * i);
    x87_wr64(cpu, in, off, lo);
    wr16(cpu, in->seg, (off + 8) & in->addr_mask, (uint16_t)(b[8] | b[9] << 8));
}

static inline struct f80 x87_bytes_to_f80(const uint8_t b[10])
{
    uint64_t m = 0;
    for (int i = 0; i < 8; i++)
        m |= (uint64_t)b[i] << (8 * i);
    return f80_make((uint16_t)(b[8] | b[9] << 8), m);
}

static inline void x87_f80_to_bytes(struct f80 v, uint8_t b[10])
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v.m >> (8 * i));
    b[8] = (uint8_t)v.se;
    b[9] = (uint8_t)(v.se >> 8);
}

/* Memory operand kinds of the arithmetic escapes D8, DA, DC, DE. */
enum { M_F32, M_I32, M_F64, M_I16 };
struct f80 x87_load_operand(struct cpu *cpu, const struct insn *in, int kind,
                            struct f80_ctx *c);

/* Transcendental functions (cpu/fpu/ftrans.c). */
struct f80 ftrans_f2xm1(struct f80_ctx *c, struct f80 a);
struct f80 ftrans_yl2x(struct f80_ctx *c, struct f80 x, struct f80 y);
struct f80 ftrans_yl2xp1(struct f80_ctx *c, struct f80 x, struct f80 y);
struct f80 ftrans_atan2(struct f80_ctx *c, struct f80 y, struct f80 x);
/* sin, cos and tan of ST(0): *out_of_range when |x| >= 2^63 (C2 = 1, no change). The
 * flags of the sine go to c->flags, those of the cosine to *cos_flags. */
void ftrans_sincos(struct f80_ctx *c, struct f80 a, struct f80 *s, struct f80 *co,
                   uint16_t *cos_flags, bool *out_of_range);
struct f80 ftrans_tan(struct f80_ctx *c, struct f80 a, bool *out_of_range);
/* The constants of FLDPI and friends, rounded by the control word (ftrans.c). */
enum { K_L2T, K_L2E, K_PI, K_LG2, K_LN2 };
struct f80 ftrans_const(const struct f80_ctx *c, int which);

#endif
