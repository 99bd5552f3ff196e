/* The software TLB: fills and flushes. The lookup is inline in cpu/exec.h. */
#include "mmu/tlb.h"

static void invalidate_every_entry(struct tlb *t)
{
    for (unsigned k = 0; k < TLB_KINDS; k++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            t->e[k][i].tag = TLB_TAG_INVALID;
}

void tlb_init(struct tlb *t, const struct physmem *pm)
{
    invalidate_every_entry(t);
    t->slow = 0;
    t->mem_gen = pm->gen;
    t->large = 0;
    t->nlog = 0;
}

static struct tlb_entry *slot(struct tlb *t, uint16_t s)
{
    return &t->e[s >> TLB_BITS][s & (TLB_SIZE - 1)];
}

void tlb_flush_all(struct tlb *t)
{
    if (t->nlog <= TLB_LOG_SIZE) {
        for (uint32_t i = 0; i < t->nlog; i++)
            slot(t, t->log[i])->tag = TLB_TAG_INVALID;
    } else {
        invalidate_every_entry(t);
    }
    t->nlog = 0;
    t->large = 0;
}

void tlb_flush_nonglobal(struct tlb *t)
{
    if (t->nlog <= TLB_LOG_SIZE) {
        uint32_t kept = 0;
        for (uint32_t i = 0; i < t->nlog; i++) {
            struct tlb_entry *e = slot(t, t->log[i]);
            if (e->tag == TLB_TAG_INVALID)
                continue;
            if (e->info & TLB_GLOBAL)
                t->log[kept++] = t->log[i];
            else
                e->tag = TLB_TAG_INVALID;
        }
        t->nlog = kept;
        return;
    }
    for (unsigned k = 0; k < TLB_KINDS; k++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            if (!(t->e[k][i].info & TLB_GLOBAL))
                t->e[k][i].tag = TLB_TAG_INVALID;
}

void tlb_flush_page(struct tlb *t, uint32_t lin)
{
    uint32_t page = lin & TLB_PAGE_MASK;
    for (unsigned k = 0; k < TLB_KINDS; k++) {
        struct tlb_entry *e = tlb_entry_of(t, k, lin);
        if ((e->tag & ~TLB_TAG_SLOW) == page)
            e->tag = TLB_TAG_INVALID;
    }
    if (!t->large)
        return;
    /* The TLB holds large pages as 4 KiB pieces; INVLPG drops the whole page. */
    for (unsigned k = 0; k < TLB_KINDS; k++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            struct tlb_entry *e = &t->e[k][i];
            uint32_t span = e->info & TLB_LARGE_4M ? 0xFFC00000u
                            : e->info & TLB_LARGE_2M ? 0xFFE00000u : 0;
            if (span && e->tag != TLB_TAG_INVALID && ((e->tag ^ lin) & span) == 0)
                e->tag = TLB_TAG_INVALID;
        }
    }
}

struct tlb_entry *tlb_fill(struct tlb *t, struct physmem *pm, unsigned kind, uint32_t lin,
                           uint64_t phys, unsigned flags)
{
    struct tlb_entry *e = tlb_entry_of(t, kind, lin);
    if (e->tag == TLB_TAG_INVALID) {
        if (t->nlog < TLB_LOG_SIZE)
            t->log[t->nlog] = (uint16_t)(kind << TLB_BITS | ((lin >> 12) & (TLB_SIZE - 1)));
        if (t->nlog <= TLB_LOG_SIZE)
            t->nlog++;
    }
    uint32_t page = lin & TLB_PAGE_MASK;
    uint32_t ppn = (uint32_t)(phys >> 12);
    uint8_t *host = NULL;
    if (!(phys >> 32)) {
        bool write = (kind & ~TLB_USER) == TLB_WRITE;
        /* Writes to a page of translated code must reach the translator. */
        if (!write || !physmem_code_test(pm, ppn))
            host = physmem_host_ptr(pm, ppn << 12, write);
    }
    e->tag = host ? page : page | TLB_TAG_SLOW;
    e->info = ppn << 8 | flags;
    e->addend = host ? (uintptr_t)host - page : 0;
    if (flags & (TLB_LARGE_2M | TLB_LARGE_4M))
        t->large = 1;
    return e;
}
