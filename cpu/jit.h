/* The native tier of the block translator (cpu/translate.c), internal to cpu/: hot blocks
 * compiled into host code on x86-64 hosts (cpu/jit_x86_64.c, built when CMake's
 * CMAKE_SYSTEM_PROCESSOR is x86-64, which defines ORRERY_JIT). Elsewhere, and with
 * native off, blocks run threaded. */
#ifndef ORRERY_CPU_JIT_H
#define ORRERY_CPU_JIT_H

#include <stdbool.h>
#include <stddef.h>

struct cpu;
struct insn;

/* A compiled block: runs all of its instructions exactly as tb_exec's threaded loop does
 * (the same stores of insn_eip, insn_esp, eip and icount around the same handler calls,
 * stopping after an instruction that set tb_exit), given the block's first insn. The
 * caller has checked that the whole block fits before run_end. */
typedef void (*jit_block_fn)(struct cpu *cpu, const struct insn *insn);

struct jit;

/* A region of executable memory; NULL when the host gives none (the caller runs threaded,
 * silently). */
struct jit *jit_new(void);
void jit_free(struct jit *j);
/* Forgets every compiled block (the block cache was flushed). */
void jit_reset(struct jit *j);
/* Compiles the n instructions at insn (CS.D = code32); NULL when the region is full. */
jit_block_fn jit_compile(struct jit *j, const struct insn *insn, unsigned n, bool code32);

#endif
