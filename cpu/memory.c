/* Linear memory below segmentation: the slow path behind the TLB fast path of exec.h,
 * page walks through mmu/paging with #PF, CR3, INVLPG and the TLB flushes of SDM Vol. 3A
 * §4.10.4. */
#include "cpu/exec.h"
#include "cpu/lockstep.h"
#include "cpu/observe.h"
#include "mmu/paging.h"

/* Physical address lines with the A20 gate: the PAE models drive 36 of them. */
static uint64_t phys_mask(const struct cpu *cpu)
{
    uint64_t lines = cpu->info->addr_mask;
    if (cpu->info->cpuid_features_edx & CPUID_PAE)
        lines |= 0xF00000000ull;
    return lines & ~(uint64_t)(uint32_t)~cpu->mem->a20_mask;
}

static void paging_ctx_of(const struct cpu *cpu, struct paging_ctx *ctx)
{
    uint32_t cr4 = cpu->cr[4];
    ctx->cr3 = cpu->cr[3];
    ctx->flags = (cr4 & CR4_PSE ? PG_CTX_PSE : 0) | (cr4 & CR4_PAE ? PG_CTX_PAE : 0) |
                 (cr4 & CR4_PGE ? PG_CTX_PGE : 0) | (cpu->cr[0] & CR0_WP ? PG_CTX_WP : 0);
    ctx->phys_mask = phys_mask(cpu);
    for (unsigned i = 0; i < 4; i++)
        ctx->pdpte[i] = cpu->pdpte[i];
}

void cpu_tlb_resync(struct cpu *cpu)
{
    tlb_flush_all(&cpu->tlb);
    cpu->tlb.mem_gen = cpu->mem->gen;
    obs_mmu(cpu, CPU_OBS_FLUSH_ALL, 0, 0);
}

/* The TLB entry of kind for lin's page, filled by a walk when absent; raises #PF with
 * CR2 = lin when the access is not allowed. */
static const struct tlb_entry *translate(struct cpu *cpu, uint32_t lin, unsigned kind)
{
    struct tlb_entry *e = tlb_entry_of(&cpu->tlb, kind, lin);
    if ((e->tag & ~TLB_TAG_SLOW) == (lin & TLB_PAGE_MASK))
        return e;
    uint64_t phys;
    unsigned flags = 0;
    if (cpu->cr[0] & CR0_PG) {
        struct paging_ctx ctx;
        struct paging_result r;
        unsigned access = kind & TLB_USER ? PG_ACC_USER : 0;
        if ((kind & ~TLB_USER) == TLB_WRITE)
            access |= PG_ACC_WRITE;
        else if ((kind & ~TLB_USER) == TLB_EXEC)
            access |= PG_ACC_FETCH;
        paging_ctx_of(cpu, &ctx);
        if (!paging_walk(cpu->mem, &ctx, lin, access, &r)) {
            cpu->cr[2] = lin;
            obs_mmu(cpu, CPU_OBS_PAGE_FAULT, lin, r.error);
            cpu_fault(cpu, EXC_PF, r.error);
        }
        phys = r.phys;
        flags = (r.global ? TLB_GLOBAL : 0) |
                (r.page_shift == 22 ? TLB_LARGE_4M : r.page_shift == 21 ? TLB_LARGE_2M : 0);
    } else {
        phys = lin & cpu->info->addr_mask & cpu->mem->a20_mask;
    }
    struct tlb_entry *f = tlb_fill(&cpu->tlb, cpu->mem, kind, lin, phys, flags);
    /* Lockstep logs every write (cpu/lockstep.c): none may take the fast path. */
    if (unlikely(cpu->ls != NULL) && (kind & ~TLB_USER) == TLB_WRITE)
        f->tag |= TLB_TAG_SLOW;
    return f;
}

bool cpu_dbg_translate(struct cpu *cpu, uint32_t lin, uint64_t *phys)
{
    if (!(cpu->cr[0] & CR0_PG)) {
        *phys = lin & cpu->info->addr_mask & cpu->mem->a20_mask;
        return true;
    }
    /* A supervisor read may see every present page; PEEK leaves A and D alone. The TLB is
     * neither consulted nor filled. */
    struct paging_ctx ctx;
    struct paging_result r;
    paging_ctx_of(cpu, &ctx);
    if (!paging_walk(cpu->mem, &ctx, lin, PG_ACC_PEEK, &r))
        return false;
    *phys = r.phys;
    return true;
}

/* Physical accesses of the slow path. Nothing answers above 4 GiB (PAE): an empty bus. */
/* A device behind MMIO may change physical memory (gen): the interpreter would flush the
 * TLB before the next instruction, so a running block stops here. */
static uint32_t phys_read(struct cpu *cpu, uint64_t phys, unsigned size)
{
    if (phys >> 32)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (unlikely(cpu->ls != NULL))
        lockstep_phys_read(cpu, (uint32_t)phys, size);
    uint32_t gen = cpu->mem->gen;
    uint32_t v = physmem_read(cpu->mem, (uint32_t)phys, size);
    if (gen != cpu->mem->gen)
        cpu->tb_exit = 1;
    return v;
}

/* Writes to pages of translated code come here too: physmem tells the block translator
 * (physmem's code_write), which invalidates the blocks the bytes belong to. */
static void phys_write(struct cpu *cpu, uint64_t phys, unsigned size, uint32_t v)
{
    if (phys >> 32)
        return;
    if (unlikely(cpu->ls != NULL))
        lockstep_phys_write(cpu, (uint32_t)phys, size, v);
    uint32_t gen = cpu->mem->gen;
    physmem_write(cpu->mem, (uint32_t)phys, size, v);
    if (gen != cpu->mem->gen)
        cpu->tb_exit = 1;
}

/* The two parts of an access that crosses from lin's page into the next: translated (both,
 * before anything is accessed), each with its host pointer when its entry is fast. */
struct piece {
    uint8_t *host;
    uint64_t phys;
};

static void split(struct cpu *cpu, uint32_t lin, uint32_t n1, unsigned kind, struct piece pc[2])
{
    uint32_t at[2] = { lin, lin + n1 };
    for (unsigned k = 0; k < 2; k++) {
        const struct tlb_entry *e = translate(cpu, at[k], kind);
        pc[k].phys = tlb_phys(e, at[k]);
        pc[k].host = e->tag & TLB_TAG_SLOW ? NULL : (uint8_t *)(e->addend + at[k]);
    }
}

uint32_t cpu_read_slow(struct cpu *cpu, uint32_t lin, unsigned size, unsigned kind)
{
    cpu->tlb.slow++;
    cpu_tlb_sync(cpu);
    uint32_t n1 = 0x1000 - (lin & 0xFFF); /* bytes in the first page */
    if (likely(size <= n1)) {
        const struct tlb_entry *e = translate(cpu, lin, kind);
        if (!(e->tag & TLB_TAG_SLOW)) {
            const uint8_t *p = (const uint8_t *)(e->addend + lin);
            return load_le(p, size);
        }
        return phys_read(cpu, tlb_phys(e, lin), size);
    }
    /* Across a page boundary: both pages are translated (and may fault) before the access;
     * the bytes are read one by one, as they may lie in different regions. */
    struct piece pc[2];
    split(cpu, lin, n1, kind, pc);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        const struct piece *q = &pc[i >= n1];
        uint32_t at = i >= n1 ? i - n1 : i;
        v |= (uint32_t)(q->host ? q->host[at] : phys_read(cpu, q->phys + at, 1)) << (8 * i);
    }
    return v;
}

void cpu_write_slow(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t v, unsigned kind)
{
    cpu->tlb.slow++;
    cpu_tlb_sync(cpu);
    uint32_t n1 = 0x1000 - (lin & 0xFFF);
    if (likely(size <= n1)) {
        const struct tlb_entry *e = translate(cpu, lin, kind);
        if (!(e->tag & TLB_TAG_SLOW)) {
            uint8_t *p = (uint8_t *)(e->addend + lin);
            store_le(p, size, v);
            return;
        }
        phys_write(cpu, tlb_phys(e, lin), size, v);
        return;
    }
    /* Both pages are checked before any byte is written, so a fault on the second leaves
     * the first untouched. */
    struct piece pc[2];
    split(cpu, lin, n1, kind, pc);
    for (unsigned i = 0; i < size; i++) {
        const struct piece *q = &pc[i >= n1];
        uint32_t at = i >= n1 ? i - n1 : i;
        if (q->host)
            q->host[at] = (uint8_t)(v >> (8 * i));
        else
            phys_write(cpu, q->phys + at, 1, (uint8_t)(v >> (8 * i)));
    }
}

void cpu_probe_write(struct cpu *cpu, uint32_t lin, unsigned size)
{
    cpu_tlb_sync(cpu);
    unsigned kind = TLB_WRITE | tlb_user(cpu);
    uint32_t n1 = 0x1000 - (lin & 0xFFF);
    if (size <= n1) {
        translate(cpu, lin, kind);
        return;
    }
    struct piece pc[2];
    split(cpu, lin, n1, kind, pc);
}

void cpu_load_pdptes(struct cpu *cpu, uint32_t cr3)
{
    if (!paging_load_pdptes(cpu->mem, cr3, phys_mask(cpu), cpu->pdpte))
        cpu_fault(cpu, EXC_GP, 0);
}

/* MOV CR3 (SDM Vol. 3A §4.10.4.1): with PAE paging the PDPTEs are loaded (#GP(0) if
 * malformed, CR3 unchanged); every non-global translation is flushed. CR3 keeps bits 31:5
 * (the PAE table is 32-byte aligned) on PAE models and bits 31:12 otherwise, with PWT/PCD. */
void cpu_write_cr3(struct cpu *cpu, uint32_t v)
{
    v &= cpu->info->cpuid_features_edx & CPUID_PAE ? 0xFFFFFFF8u : 0xFFFFF018u;
    if ((cpu->cr[0] & CR0_PG) && (cpu->cr[4] & CR4_PAE))
        cpu_load_pdptes(cpu, v);
    cpu->cr[3] = v;
    tlb_flush_nonglobal(&cpu->tlb);
    obs_mmu(cpu, CPU_OBS_CR3, 0, v);
}
