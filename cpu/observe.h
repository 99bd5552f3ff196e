/* The tracer's observation points inside cpu/ (cpu/observe.c): each costs one pointer
 * test when nobody observes. Internal to cpu/. */
#ifndef ORRERY_CPU_OBSERVE_H
#define ORRERY_CPU_OBSERVE_H

#include "core/compiler.h"
#include "cpu/cpu.h"

void obs_intr_begin(struct cpu *cpu, struct cpu_obs_intr *ev, unsigned kind, uint8_t vector);
void obs_intr_end(struct cpu *cpu, struct cpu_obs_intr *ev);

/* The translator's view of a block about to run (hooks->block), n <= CPU_OBS_BLOCK_MAX. */
struct insn;
void obs_block(struct cpu *cpu, const struct insn *in, unsigned n, const uint8_t *host,
               uint32_t phys);

static inline bool obs_wants_intr(const struct cpu *cpu)
{
    return unlikely(cpu->obs.hooks != NULL) && cpu->obs.hooks->intr;
}

static inline void obs_mmu(struct cpu *cpu, enum cpu_obs_mmu_kind kind, uint32_t addr,
                           uint32_t value)
{
    if (unlikely(cpu->obs.hooks != NULL) && cpu->obs.hooks->mmu)
        cpu->obs.hooks->mmu(cpu->obs.opaque, cpu, kind, addr, value);
}

/* A data access that completed, for hooks->mem (cpu->obs.mem set): kind the TLB kind
 * it used, flags CPU_OBS_MEM_WRITE / _SYS. */
void obs_mem(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t value, unsigned kind,
             unsigned flags);

#endif
