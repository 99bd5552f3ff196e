/* Page-table walks (SDM Vol. 3A ch. 4): 32-bit paging with 4 KiB pages and, with CR4.PSE,
 * 4 MiB pages; PAE paging with its four PDPTE registers, 4 KiB and 2 MiB pages; accessed
 * and dirty bits; the access rights of §4.6 and the page-fault error code of §4.7.
 *
 * This knows nothing of the CPU (DESIGN.md layering): the caller describes the paging
 * registers and the access, and on failure raises #PF itself with the error code returned
 * and CR2 = the linear address. */
#ifndef ORRERY_MMU_PAGING_H
#define ORRERY_MMU_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/physmem.h"

/* What the paging registers select. */
enum {
    PG_CTX_PSE = 1u << 0, /* CR4.PSE: PDE.PS maps a 4 MiB page (32-bit paging) */
    PG_CTX_PAE = 1u << 1, /* CR4.PAE */
    PG_CTX_PGE = 1u << 2, /* CR4.PGE: G makes a translation global */
    PG_CTX_WP = 1u << 3,  /* CR0.WP: supervisor writes obey R/W */
    PG_CTX_NXE = 1u << 4, /* IA32_EFER.NXE: bit 63 of PAE entries is XD. No orrery model
                           * reports NX, so the CPU never sets this; tests do. */
};

/* The access being translated. Bits 1 and 2 equal the error code's W/R and U/S. */
enum {
    PG_ACC_WRITE = 1u << 1,
    PG_ACC_USER = 1u << 2,  /* CPL 3, and not an implicit supervisor access */
    PG_ACC_FETCH = 1u << 4, /* instruction fetch */
    PG_ACC_PEEK = 1u << 5,  /* a debugger's look: no accessed or dirty bit is set */
};

/* Page-fault error code (SDM Vol. 3A §4.7, Figure 4-12). */
enum { PF_P = 1u << 0, PF_W = 1u << 1, PF_U = 1u << 2, PF_RSVD = 1u << 3, PF_ID = 1u << 4 };

/* Paging-structure entry bits (SDM Vol. 3A §4.3, §4.4.2). */
enum {
    PTE_P = 1u << 0, PTE_RW = 1u << 1, PTE_US = 1u << 2, PTE_A = 1u << 5, PTE_D = 1u << 6,
    PTE_PS = 1u << 7, PTE_G = 1u << 8,
};

struct paging_ctx {
    uint32_t cr3;
    uint32_t flags;     /* PG_CTX_* */
    uint64_t phys_mask; /* address lines and the A20 gate, applied to every physical address */
    uint64_t pdpte[4];  /* PAE: the PDPTE registers, as paging_load_pdptes filled them */
};

struct paging_result {
    uint64_t phys;      /* physical address of the linear address */
    uint32_t error;     /* when the walk failed: the #PF error code */
    uint8_t page_shift; /* the page that maps it: 12 (4 KiB), 21 (2 MiB) or 22 (4 MiB) */
    bool global;        /* G in the final entry with CR4.PGE */
};

/* Translates lin for access (PG_ACC_*): walks the tables in physical memory, checks the
 * rights, sets A in every entry used and D in the final one for writes (only when the
 * access is allowed: a faulting access changes nothing; a PG_ACC_PEEK walk changes
 * nothing either). Returns false with res->error set when the access must raise #PF. */
bool paging_walk(struct physmem *pm, const struct paging_ctx *ctx, uint32_t lin,
                 unsigned access, struct paging_result *res);

/* Reads the four PDPTEs of the table CR3 points at (PAE, SDM Vol. 3A §4.4.1). Returns
 * false, leaving pdpte untouched, when a present one has reserved bits set: the MOV to
 * CR0/CR3/CR4 that asked must raise #GP(0). */
bool paging_load_pdptes(struct physmem *pm, uint32_t cr3, uint64_t phys_mask,
                        uint64_t pdpte[4]);

#endif
