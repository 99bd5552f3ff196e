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
 * FE_C1 in flags. Updates FERR#. */
void x87_raise(struct cpu *cpu, uint16_t flags);
/* FERR# follows the pending state while CR0.NE = 0. */
void x87_update_ferr(struct cpu *cpu);

/* Stack faults (SDM Vol. 1 §8.5.1.1): IE and SF, C1 = 1 on overflow, 0 on underflow.
 * Return true when IE is masked and the instruction goes on with the indefinite. */
bool x87_underflow(struct cpu *cpu);
bool x87_overflow(struct cpu *cpu);

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
