/* info mem and info tlb: the guest's page mappings, read from its page tables in RAM (the
 * walk sets no accessed bit and leaves the TLB alone). Two-level 32-bit paging with 4 MiB
 * pages under CR4.PSE, and PAE (SDM Vol. 3A §4.3, §4.4). info tlb lists every present page
 * (linear: physical, then the flags X G P(S) D A C(PCD) T(PWT) U W as QEMU shows them);
 * info mem merges neighbouring pages of the same user/write rights into ranges. */
#include <stdio.h>
#include <string.h>

#include "frontends/monitor/cmd.h"

enum { PTE_P = 1u << 0, PTE_W = 1u << 1, PTE_U = 1u << 2, PTE_PWT = 1u << 3,
       PTE_PCD = 1u << 4, PTE_A = 1u << 5, PTE_D = 1u << 6, PTE_PS = 1u << 7,
       PTE_G = 1u << 8 };
#define PTE_NX (1ull << 63)

/* A walk's sink: called for each present leaf with its linear address, size, physical
 * address, the leaf entry and the rights of every level ANDed (U, W). */
struct walk {
    struct mon_ctx *c;
    bool tlb;
    /* info mem: the open range */
    bool open;
    uint32_t start, end, prot;
};

static void mem_flush(struct walk *w)
{
    if (!w->open)
        return;
    mon_printf(w->c, "%08x-%08x %08x %c%c%c\n", w->start, w->end, w->end - w->start,
               w->prot & PTE_U ? 'u' : '-', 'r', w->prot & PTE_W ? 'w' : '-');
    w->open = false;
}

static void leaf(struct walk *w, uint32_t lin, uint32_t size, uint64_t phys, uint64_t pte,
                 uint32_t rights)
{
    if (w->tlb) {
        mon_printf(w->c, "%016llx: %016llx %c%c%c%c%c%c%c%c%c\n", (unsigned long long)lin,
                   (unsigned long long)phys, pte & PTE_NX ? 'X' : '-', pte & PTE_G ? 'G' : '-',
                   pte & PTE_PS ? 'P' : '-', pte & PTE_D ? 'D' : '-', pte & PTE_A ? 'A' : '-',
                   pte & PTE_PCD ? 'C' : '-', pte & PTE_PWT ? 'T' : '-',
                   pte & PTE_U ? 'U' : '-', pte & PTE_W ? 'W' : '-');
        return;
    }
    uint32_t prot = rights & (PTE_U | PTE_W);
    if (w->open && w->end == lin && w->prot == prot && lin != 0) {
        w->end = lin + size;
        return;
    }
    mem_flush(w);
    w->open = true;
    w->start = lin;
    w->end = lin + size; /* 0 after the last page: printed as 00000000, as a wrap */
    w->prot = prot;
}

/* A table of n entries of `width` bytes at phys; false when it is not all readable. */
static bool read_table(struct machine *m, uint64_t phys, void *buf, size_t n, size_t width)
{
    return machine_debug_read(m, phys, buf, n * width, true) == n * width;
}

static uint64_t entry(const uint8_t *t, size_t i, size_t width)
{
    uint64_t v = 0;
    for (size_t b = 0; b < width; b++)
        v |= (uint64_t)t[i * width + b] << (8 * b);
    return v;
}

static void walk_32(struct walk *w, uint32_t cr3, bool pse)
{
    uint8_t pd[4096], pt[4096];
    if (!read_table(w->c->m, cr3 & ~0xFFFu, pd, 1024, 4))
        return;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t pde = (uint32_t)entry(pd, i, 4);
        if (!(pde & PTE_P))
            continue;
        uint32_t lin = i << 22;
        if (pse && (pde & PTE_PS)) {
            /* PSE-36: bits 13-16 are physical address bits 32-35. */
            uint64_t phys = (pde & 0xFFC00000u) | ((uint64_t)((pde >> 13) & 0xF) << 32);
            leaf(w, lin, 1u << 22, phys, pde, pde);
            continue;
        }
        if (!read_table(w->c->m, pde & ~0xFFFu, pt, 1024, 4))
            continue;
        for (uint32_t j = 0; j < 1024; j++) {
            uint32_t pte = (uint32_t)entry(pt, j, 4);
            if (pte & PTE_P)
                leaf(w, lin | (j << 12), 4096, pte & ~0xFFFu, pte & ~(uint32_t)PTE_PS,
                     pte & pde);
        }
    }
}

static void walk_pae(struct walk *w, uint32_t cr3)
{
    uint8_t pdpt[32], pd[4096], pt[4096];
    const uint64_t addr_mask = 0x000FFFFFFFFFF000ull;
    if (!read_table(w->c->m, cr3 & ~0x1Fu, pdpt, 4, 8))
        return;
    for (uint32_t i = 0; i < 4; i++) {
        uint64_t pdpte = entry(pdpt, i, 8);
        if (!(pdpte & PTE_P) || !read_table(w->c->m, pdpte & addr_mask, pd, 512, 8))
            continue;
        for (uint32_t j = 0; j < 512; j++) {
            uint64_t pde = entry(pd, j, 8);
            if (!(pde & PTE_P))
                continue;
            uint32_t lin = (i << 30) | (j << 21);
            if (pde & PTE_PS) {
                leaf(w, lin, 1u << 21, pde & addr_mask & ~0x1FFFFFull, pde, (uint32_t)pde);
                continue;
            }
            if (!read_table(w->c->m, pde & addr_mask, pt, 512, 8))
                continue;
            for (uint32_t k = 0; k < 512; k++) {
                uint64_t pte = entry(pt, k, 8);
                if (pte & PTE_P)
                    leaf(w, lin | (k << 12), 4096, pte & addr_mask, pte & ~(uint64_t)PTE_PS,
                         (uint32_t)(pte & pde));
            }
        }
    }
}

static void walk(struct mon_ctx *c, bool tlb)
{
    struct machine_dbg_regs r;
    machine_debug_get_regs(c->m, &r);
    if (!(r.cr0 & 0x80000000u)) {
        mon_printf(c, "PG disabled\n");
        return;
    }
    struct walk w = { .c = c, .tlb = tlb };
    if (r.cr4 & (1u << 5))
        walk_pae(&w, r.cr3);
    else
        walk_32(&w, r.cr3, r.cr4 & (1u << 4));
    mem_flush(&w);
}

void mon_info_mem(struct mon_ctx *c)
{
    walk(c, false);
}

void mon_info_tlb(struct mon_ctx *c)
{
    walk(c, true);
}
