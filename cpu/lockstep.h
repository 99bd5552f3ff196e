/* Lockstep (cpu/lockstep.c): each block run on the translator and again, from the same
 * state, on the interpreter, compared. Internal to cpu/ (and its unit tests). */
#ifndef ORRERY_CPU_LOCKSTEP_H
#define ORRERY_CPU_LOCKSTEP_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;

/* cpu_set_engine's: the state of the lockstep engine, made and freed. */
bool lockstep_start(struct cpu *cpu);
void lockstep_stop(struct cpu *cpu);

/* cpu_run's instead of tb_exec: one block checked. False when there is no block to run
 * here, or its first instruction touches a device: the caller steps the interpreter. */
bool lockstep_exec(struct cpu *cpu);

/* Why the engines differ ("lockstep: ..."), NULL while they agree. */
const char *lockstep_failure(const struct cpu *cpu);

/* The CPU's slow path, before it reaches physical memory (cpu/memory.c): a device behind
 * MMIO fences the block; a write is logged (and undone before the interpreter runs). */
void lockstep_phys_read(struct cpu *cpu, uint32_t addr, unsigned size);
void lockstep_phys_write(struct cpu *cpu, uint32_t addr, unsigned size, uint32_t v);

/* cpu.c's landing after a fault unwound to the loop: the exception delivered, the
 * instruction counted. */
void cpu_fault_landed(struct cpu *cpu);

/* Tests only: a broken translator. fn runs after each block the translator ran, as if its
 * last handler had also done what fn does (a change of state, a write through lin_write),
 * before the interpreter runs the same instructions. NULL: none. */
typedef void (*lockstep_break_fn)(struct cpu *cpu, void *opaque);
void lockstep_test_break(struct cpu *cpu, lockstep_break_fn fn, void *opaque);

#endif
