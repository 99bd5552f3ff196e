/* Shared pieces of protected-mode control transfers (far JMP/CALL/RET, IRET, interrupts,
 * task switches). Internal to cpu/.
 *
 * These instructions check everything first, then build any new stack frame through a
 * private copy of the target stack (struct stk), and commit segment registers last, so
 * a fault part-way leaves the architectural state as it was. */
#ifndef ORRERY_CPU_TRANSFER_H
#define ORRERY_CPU_TRANSFER_H

#include "cpu/descriptor.h"
#include "cpu/exec.h"

/* A stack being built or read: its segment cache and stack pointer, not yet committed. */
struct stk {
    struct seg_cache ss;
    uint32_t esp;
    uint16_t fault_sel; /* error code of the #SS a limit violation raises */
    uint8_t user;       /* the current stack at CPL 3: accesses have user rights and are
                         * alignment checked (SDM Vol. 3A §6.15); any other stack (an inner
                         * stack from the TSS, or CPL 0-2) is accessed as supervisor (§4.6) */
};

void stk_from_current(struct cpu *cpu, struct stk *st);
void stk_push(struct cpu *cpu, struct stk *st, uint32_t v, unsigned size);
uint32_t stk_pop(struct cpu *cpu, struct stk *st, unsigned size);
uint32_t stk_peek(struct cpu *cpu, const struct stk *st, uint32_t offset, unsigned size);
/* Makes st the current stack: SS (cache and selector) and ESP by the stack's size. */
void stk_commit(struct cpu *cpu, const struct stk *st);

/* Range check of [off, off + size) against a cache (limit, expand-down). */
bool seg_limit_ok(const struct seg_cache *c, uint32_t off, unsigned size);

/* Loads CS from a checked code descriptor: the selector's RPL becomes cpl. */
void load_cs(struct cpu *cpu, const struct desc *d, uint16_t sel, unsigned cpl);

/* The inner stack (SS:ESP for privilege level dpl) from the current TSS, checked as a
 * stack for that level (SDM Vol. 3A §5.8.5, faults #TS). */
void tss_inner_stack(struct cpu *cpu, unsigned dpl, struct stk *st, struct desc *ss_desc);

/* After a return to an outer level: data segment registers the new CPL may not use are
 * loaded with null, and null selectors become 0 (SDM Vol. 2B "RET", "IRET"). */
void null_inaccessible_segs(struct cpu *cpu);

/* Sets CPL and the mode from CR0.PE, EFLAGS.VM and CS. */
void cpu_update_mode(struct cpu *cpu);

/* Hardware task switch (cpu/task.c). */
enum task_source { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };
void task_switch(struct cpu *cpu, uint16_t sel, struct desc *tss, enum task_source src);

/* Reads and writes through linear addresses with supervisor rights (descriptor tables,
 * TSS, IDT), whatever the CPL. */
static inline uint32_t sys_read(struct cpu *cpu, uint32_t lin, unsigned size)
{
    return lin_read_sys(cpu, lin, size);
}
static inline void sys_write(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t v)
{
    lin_write_sys(cpu, lin, size, v);
}

#endif
