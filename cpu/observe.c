/* What a tracer uses (cpu.h, "What a tracer uses"): hooks the execution loop and the
 * delivery of interrupts call, and a way to read the instruction just decoded. Nothing
 * here changes guest state: the code bytes come from the execute TLB entry the decoder
 * just used, or from a page walk that sets no accessed bit and a read of RAM or ROM only. */
#include <string.h>

#include "cpu/exec.h"
#include "cpu/observe.h"

void cpu_obs_set(struct cpu *cpu, const struct cpu_obs_hooks *hooks, void *opaque,
                 bool per_insn)
{
    cpu->obs.hooks = hooks;
    cpu->obs.opaque = opaque;
    cpu->obs.block = hooks && !per_insn && hooks->block && hooks->block_end && hooks->insn;
    cpu->obs.insn = hooks && hooks->insn && (per_insn || cpu->obs.block);
    cpu->obs.interp = hooks && hooks->insn && per_insn;
    cpu->obs.mem = hooks && hooks->mem;
    cpu->obs.delivering = 0;
    debug_update(cpu); /* DEBUG_DATA_OBS */
}

void obs_mem(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t value, unsigned kind,
             unsigned flags)
{
    /* The entry the access just used (or filled); a walk that sets nothing otherwise. */
    const struct tlb_entry *e = tlb_entry_of(&cpu->tlb, kind, lin);
    uint64_t phys;
    if ((e->tag & ~TLB_TAG_SLOW) == (lin & TLB_PAGE_MASK))
        phys = tlb_phys(e, lin);
    else if (!cpu_dbg_translate(cpu, lin, &phys))
        phys = ~(uint64_t)0;
    if (cpu->obs.delivering)
        flags |= CPU_OBS_MEM_DELIVERY;
    cpu->obs.hooks->mem(cpu->obs.opaque, cpu, lin, phys, size, value, flags);
}

void obs_block(struct cpu *cpu, const struct insn *in, unsigned n, const uint8_t *host,
               uint32_t phys)
{
    struct cpu_obs_block blk;
    blk.bytes = host;
    blk.lin = cpu->seg[S_CS].base + cpu->eip;
    blk.phys = phys;
    blk.n = n;
    unsigned size = 0;
    for (unsigned i = 0; i < n; i++) {
        blk.len[i] = in[i].len;
        size += in[i].len;
    }
    blk.size = size;
    cpu->obs.hooks->block(cpu->obs.opaque, cpu, &blk);
}

/* Reads n bytes at physical phys from RAM or ROM only (never a device); false otherwise. */
static bool peek_phys(struct cpu *cpu, uint64_t phys, uint8_t *out, unsigned n)
{
    if (phys >> 32)
        return false;
    const uint8_t *p = physmem_host_ptr(cpu->mem, (uint32_t)phys, false);
    if (!p)
        return false;
    memcpy(out, p, n);
    return true;
}

bool cpu_obs_code(struct cpu *cpu, uint32_t lin, unsigned len, uint8_t *bytes,
                  uint64_t *phys)
{
    if (len > 16)
        len = 16;
    memset(bytes, 0, len);
    const unsigned first = 0x1000 - (lin & 0xFFFu) < len ? 0x1000 - (lin & 0xFFFu) : len;
    const struct tlb_entry *e = tlb_entry_of(&cpu->tlb, TLB_EXEC | tlb_user(cpu), lin);
    uint64_t p0;
    if ((e->tag & ~TLB_TAG_SLOW) == (lin & TLB_PAGE_MASK)) {
        p0 = tlb_phys(e, lin);
    } else if (!cpu_dbg_translate(cpu, lin, &p0)) {
        *phys = 0;
        return false;
    }
    *phys = p0;
    if (!(e->tag & TLB_TAG_SLOW) && (e->tag & ~TLB_TAG_SLOW) == (lin & TLB_PAGE_MASK))
        memcpy(bytes, (const uint8_t *)(e->addend + lin), first);
    else if (!peek_phys(cpu, p0, bytes, first))
        return false;
    if (first == len)
        return true;
    uint64_t p1;
    uint32_t lin1 = lin + first;
    const struct tlb_entry *e1 = tlb_entry_of(&cpu->tlb, TLB_EXEC | tlb_user(cpu), lin1);
    if ((e1->tag & ~TLB_TAG_SLOW) == (lin1 & TLB_PAGE_MASK))
        p1 = tlb_phys(e1, lin1);
    else if (!cpu_dbg_translate(cpu, lin1, &p1))
        return false;
    return peek_phys(cpu, p1, bytes + first, len - first);
}

void obs_intr_begin(struct cpu *cpu, struct cpu_obs_intr *ev, unsigned kind, uint8_t vector)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = (uint8_t)kind;
    ev->vector = vector;
    ev->cpl_from = cpu->cpl;
    ev->mode_from = cpu->mode;
    ev->cs_from = cpu->seg[S_CS].sel;
    ev->eip_from = cpu->insn_eip;
    ev->lin_from = cpu->seg[S_CS].base + cpu->insn_eip;
    ev->cr2 = cpu->cr[2];
    cpu->obs.delivering = 1;
}

void obs_intr_end(struct cpu *cpu, struct cpu_obs_intr *ev)
{
    ev->cpl_to = cpu->cpl;
    ev->mode_to = cpu->mode;
    ev->cs_to = cpu->seg[S_CS].sel;
    ev->eip_to = cpu->eip;
    cpu->obs.delivering = 0;
    cpu->obs.hooks->intr(cpu->obs.opaque, cpu, ev);
}

uint32_t cpu_obs_eflags(const struct cpu *cpu)
{
    if (cpu->lf.op == LF_NONE)
        return cpu->eflags;
    return (cpu->eflags & ~FL_ARITH) | cpu_materialize_arith(cpu);
}
