/* The software TLB: recent translations of linear pages, one direct-mapped table per access
 * kind (read, write, execute, each for supervisor and user), holding for RAM pages the host
 * address of the page so that a hit is an index, a tag compare and an add (DESIGN.md,
 * "Memory"). The CPU's inline fast path (cpu/exec.h) reads the tables directly; everything
 * else (misses, MMIO, ROM writes, code pages, faults) goes through the CPU's slow path,
 * which walks the page tables and calls tlb_fill.
 *
 * An entry is filled only after the access it was filled for was allowed, so a hit needs
 * no rights check: a write entry exists only for a page that was writable at that
 * privilege and already dirty. The TLB holds host pointers and is rebuilt, never saved. */
#ifndef ORRERY_MMU_TLB_H
#define ORRERY_MMU_TLB_H

#include <stdint.h>

#include "mmu/physmem.h"

#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_PAGE_MASK 0xFFFFF000u
#define TLB_LOG_SIZE 64

/* Access kinds: the table an access looks in is access + TLB_USER at CPL 3. */
enum { TLB_READ = 0, TLB_WRITE = 2, TLB_EXEC = 4, TLB_USER = 1, TLB_KINDS = 6 };

/* Tag: the linear page, plus low bits that make the fast path miss. */
enum {
    TLB_TAG_SLOW = 1u,        /* valid, but every access takes the slow path */
    TLB_TAG_INVALID = 0xFFFu, /* no page: the low bits never match a page address */
};

/* info: physical page number << 8 | these. */
enum { TLB_GLOBAL = 1u, TLB_LARGE_2M = 2u, TLB_LARGE_4M = 4u };

struct tlb_entry {
    uint32_t tag;
    uint32_t info;
    uintptr_t addend; /* host address of byte lin = addend + lin (fast entries only) */
};

struct tlb {
    struct tlb_entry e[TLB_KINDS][TLB_SIZE];
    uint64_t slow;    /* slow-path entries (statistics, and tests proving hits make no call) */
    uint32_t mem_gen; /* physmem gen the entries were filled under */
    uint32_t large;   /* nonzero: entries of 2/4 MiB pages may exist (INVLPG must scan) */
    /* Slots filled since the last flush, so that a flush touches only those; nlog above
     * TLB_LOG_SIZE means too many to list: flushes scan every entry. */
    uint32_t nlog;
    uint16_t log[TLB_LOG_SIZE];
};

static inline struct tlb_entry *tlb_entry_of(struct tlb *t, unsigned kind, uint32_t lin)
{
    return &t->e[kind][(lin >> 12) & (TLB_SIZE - 1)];
}

/* The physical address an entry gives for lin (which must be in the entry's page). */
static inline uint64_t tlb_phys(const struct tlb_entry *e, uint32_t lin)
{
    return (uint64_t)(e->info >> 8) << 12 | (lin & 0xFFFu);
}

void tlb_init(struct tlb *t, const struct physmem *pm);
/* Every entry: MOV CR3 without global pages, CR0.PG/WP/PE and CR4.PSE/PAE/PGE changes. */
void tlb_flush_all(struct tlb *t);
/* Every entry but global ones: MOV CR3 (SDM Vol. 3A §4.10.4.1). */
void tlb_flush_nonglobal(struct tlb *t);
/* Every entry for the page holding lin, global ones too, and when lin lies in a 2/4 MiB
 * page every entry filled from that page: INVLPG. */
void tlb_flush_page(struct tlb *t, uint32_t lin);

/* Fills the kind entry for lin's page with a translation to the physical page of phys
 * (flags: TLB_GLOBAL, TLB_LARGE_*). Pages without host memory for this kind (MMIO, ROM
 * for writes, pages above 4 GiB, code pages for writes) get a slow entry. Returns it. */
struct tlb_entry *tlb_fill(struct tlb *t, struct physmem *pm, unsigned kind, uint32_t lin,
                           uint64_t phys, unsigned flags);

#endif
