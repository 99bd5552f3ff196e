/* Declarations of every handler named in cpu/opcodes.def. */
#ifndef ORRERY_CPU_HANDLERS_H
#define ORRERY_CPU_HANDLERS_H

#include "cpu/decode.h"

#define OP(code, mn, form, h16, h32, model, fl)                                             \
    void h16(struct cpu *cpu, const struct insn *in);                                      \
    void h32(struct cpu *cpu, const struct insn *in);
#define GRP(code, reg, mn, form, h16, h32, model, fl) OP(code, mn, form, h16, h32, model, fl)
#define X87R(code, modrm, mn, h, model) void h(struct cpu *cpu, const struct insn *in);
#define X87_ABSENT(mn, h) void h(struct cpu *cpu, const struct insn *in);
#include "cpu/opcodes.def"
#undef OP
#undef GRP

#endif
