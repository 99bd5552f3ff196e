/* The block translator (cpu/translate.c), internal to cpu/: the execution loop in cpu.c
 * calls it; nothing else does. */
#ifndef ORRERY_CPU_TRANSLATE_H
#define ORRERY_CPU_TRANSLATE_H

#include <stdbool.h>

struct cpu;

struct tcache;

/* The cache of the CPU's physical memory, made on first use; NULL without memory for it,
 * or when something else watches that memory's code. */
struct tcache *tb_attach(struct cpu *cpu);
/* Runs the block at CS:EIP, at most up to run_end; false when there is none to run (its
 * first instruction is not in the TLB, crosses a page, runs past the CS limit, or cannot
 * be decoded ahead): the caller then steps one instruction with the interpreter, which
 * fetches, fills the TLB and faults exactly. Faults unwind through cpu_fault as usual. */
bool tb_exec(struct cpu *cpu);
/* Blocks compiled to host code since the cache was last flushed (tests). */
unsigned tb_native_blocks(const struct cpu *cpu);
/* Forgets every block of the CPU's physical memory (a state load, a reset). */
void tb_flush(struct cpu *cpu);

#endif
