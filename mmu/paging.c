/* Page-table walks: 32-bit paging (4 KiB, 4 MiB) and PAE paging (4 KiB, 2 MiB). */
#include "mmu/paging.h"

/* MAXPHYADDR of the PAE-capable models (P6): 36 bits. */
#define PHYS_BITS 36
#define ADDR_36 ((1ull << PHYS_BITS) - 1)

/* Reserved bits (SDM Vol. 3A §4.7; bits M..62 and, without NXE, bit 63).
 * The PAT bit positions (PTE bit 7, large-page bit 12) are not checked: the models predate
 * PAT and the checked-bit tables of their era (SDM Vol. 3A, 2006, Table 4-10) list only
 * the address bits above MAXPHYADDR, the PDPTE's 8:5 and 2:1, and 20:13 of a 2 MiB PDE. */
#define RSVD_PAE_HIGH (0x7FFFFFFFFFFFFFFFull & ~ADDR_36) /* bits 62:36 */
#define RSVD_PAE_XD (1ull << 63)
#define RSVD_PAE_2M 0x1FE000ull  /* bits 20:13 */
#define RSVD_PDPTE ((0xFFFFFFFFFFFFFFFFull & ~ADDR_36) | 0x1E6ull) /* 63:36, 8:5, 2:1 */
/* A 4 MiB PDE without PSE-36: bits 21:13 (SDM Vol. 3A §4.7). */
#define RSVD_PSE_4M 0x3FE000u

static uint32_t rd32(struct physmem *pm, uint64_t addr)
{
    return addr >> 32 ? 0xFFFFFFFFu : physmem_read(pm, (uint32_t)addr, 4);
}

static uint64_t rd64(struct physmem *pm, uint64_t addr)
{
    return (uint64_t)rd32(pm, addr) | (uint64_t)rd32(pm, addr + 4) << 32;
}

/* Sets bits in the low doubleword of an entry (last read as seen) if they are clear,
 * re-reading it first as the processor's locked update does; a debugger's look
 * (PG_ACC_PEEK) sets nothing. */
static void set_bits(struct physmem *pm, unsigned access, uint64_t addr, uint32_t seen,
                     uint32_t bits)
{
    if ((seen & bits) == bits || addr >> 32 || (access & PG_ACC_PEEK))
        return;
    uint32_t v = physmem_read(pm, (uint32_t)addr, 4);
    if ((v & bits) != bits)
        physmem_write(pm, (uint32_t)addr, 4, v | bits);
}

/* The access rights of §4.6 for the combined R/W and U/S of every level. Supervisor
 * accesses may read any page; they may write a read-only one only with CR0.WP = 0. */
static bool allowed(unsigned access, uint32_t rights, uint32_t flags)
{
    bool write = access & PG_ACC_WRITE;
    if (access & PG_ACC_USER)
        return (rights & PTE_US) && (!write || (rights & PTE_RW));
    return !write || (rights & PTE_RW) || !(flags & PG_CTX_WP);
}

static bool fail(struct paging_result *res, uint32_t error)
{
    res->error = error;
    return false;
}

static bool walk32(struct physmem *pm, const struct paging_ctx *ctx, uint32_t lin,
                   unsigned access, uint32_t base_err, struct paging_result *res)
{
    uint64_t m = ctx->phys_mask;
    uint64_t pde_at = ((ctx->cr3 & 0xFFFFF000u) | (lin >> 22) << 2) & m;
    uint32_t pde = rd32(pm, pde_at);
    if (!(pde & PTE_P))
        return fail(res, base_err);

    if ((pde & PTE_PS) && (ctx->flags & PG_CTX_PSE)) {
        if (pde & RSVD_PSE_4M)
            return fail(res, base_err | PF_P | PF_RSVD);
        if (!allowed(access, pde, ctx->flags))
            return fail(res, base_err | PF_P);
        set_bits(pm, access, pde_at, (uint32_t)pde, PTE_A | (access & PG_ACC_WRITE ? PTE_D : 0));
        res->phys = ((pde & 0xFFC00000u) | (lin & 0x3FFFFFu)) & m;
        res->page_shift = 22;
        res->global = (pde & PTE_G) && (ctx->flags & PG_CTX_PGE);
        return true;
    }

    uint64_t pte_at = ((pde & 0xFFFFF000u) | ((lin >> 12) & 0x3FF) << 2) & m;
    uint32_t pte = rd32(pm, pte_at);
    if (!(pte & PTE_P))
        return fail(res, base_err);
    if (!allowed(access, pde & pte, ctx->flags))
        return fail(res, base_err | PF_P);
    set_bits(pm, access, pde_at, (uint32_t)pde, PTE_A);
    set_bits(pm, access, pte_at, (uint32_t)pte, PTE_A | (access & PG_ACC_WRITE ? PTE_D : 0));
    res->phys = ((pte & 0xFFFFF000u) | (lin & 0xFFFu)) & m;
    res->page_shift = 12;
    res->global = (pte & PTE_G) && (ctx->flags & PG_CTX_PGE);
    return true;
}

static bool walk_pae(struct physmem *pm, const struct paging_ctx *ctx, uint32_t lin,
                     unsigned access, uint32_t base_err, struct paging_result *res)
{
    uint64_t m = ctx->phys_mask;
    bool nxe = ctx->flags & PG_CTX_NXE;
    uint64_t rsvd = RSVD_PAE_HIGH | (nxe ? 0 : RSVD_PAE_XD);

    /* The PDPTE registers were checked for reserved bits when loaded. */
    uint64_t pdpte = ctx->pdpte[lin >> 30];
    if (!(pdpte & PTE_P))
        return fail(res, base_err);

    uint64_t pde_at = ((pdpte & ADDR_36 & ~0xFFFull) | ((lin >> 21) & 0x1FF) << 3) & m;
    uint64_t pde = rd64(pm, pde_at);
    if (!(pde & PTE_P))
        return fail(res, base_err);

    if (pde & PTE_PS) {
        if (pde & (rsvd | RSVD_PAE_2M))
            return fail(res, base_err | PF_P | PF_RSVD);
        if (!allowed(access, (uint32_t)pde, ctx->flags) ||
            ((access & PG_ACC_FETCH) && nxe && (pde & RSVD_PAE_XD)))
            return fail(res, base_err | PF_P);
        set_bits(pm, access, pde_at, (uint32_t)pde, PTE_A | (access & PG_ACC_WRITE ? PTE_D : 0));
        res->phys = ((pde & ADDR_36 & ~0x1FFFFFull) | (lin & 0x1FFFFFu)) & m;
        res->page_shift = 21;
        res->global = (pde & PTE_G) && (ctx->flags & PG_CTX_PGE);
        return true;
    }
    if (pde & rsvd)
        return fail(res, base_err | PF_P | PF_RSVD);

    uint64_t pte_at = ((pde & ADDR_36 & ~0xFFFull) | ((lin >> 12) & 0x1FF) << 3) & m;
    uint64_t pte = rd64(pm, pte_at);
    if (!(pte & PTE_P))
        return fail(res, base_err);
    if (pte & rsvd)
        return fail(res, base_err | PF_P | PF_RSVD);
    if (!allowed(access, (uint32_t)(pde & pte), ctx->flags) ||
        ((access & PG_ACC_FETCH) && nxe && ((pde | pte) & RSVD_PAE_XD)))
        return fail(res, base_err | PF_P);
    set_bits(pm, access, pde_at, (uint32_t)pde, PTE_A);
    set_bits(pm, access, pte_at, (uint32_t)pte, PTE_A | (access & PG_ACC_WRITE ? PTE_D : 0));
    res->phys = ((pte & ADDR_36 & ~0xFFFull) | (lin & 0xFFFu)) & m;
    res->page_shift = 12;
    res->global = (pte & PTE_G) && (ctx->flags & PG_CTX_PGE);
    return true;
}

bool paging_walk(struct physmem *pm, const struct paging_ctx *ctx, uint32_t lin,
                 unsigned access, struct paging_result *res)
{
    /* W/R and U/S describe the access; I/D is reported only with NX enabled (§4.7), which
     * needs PAE. Not-present faults carry them too. */
    uint32_t err = access & (PF_W | PF_U);
    if ((access & PG_ACC_FETCH) && (ctx->flags & PG_CTX_PAE) && (ctx->flags & PG_CTX_NXE))
        err |= PF_ID;
    res->global = false;
    if (ctx->flags & PG_CTX_PAE)
        return walk_pae(pm, ctx, lin, access, err, res);
    return walk32(pm, ctx, lin, access, err, res);
}

bool paging_load_pdptes(struct physmem *pm, uint32_t cr3, uint64_t phys_mask,
                        uint64_t pdpte[4])
{
    uint64_t v[4];
    for (unsigned i = 0; i < 4; i++) {
        v[i] = rd64(pm, ((cr3 & 0xFFFFFFE0u) + 8 * i) & phys_mask);
        if ((v[i] & PTE_P) && (v[i] & RSVD_PDPTE))
            return false;
    }
    for (unsigned i = 0; i < 4; i++)
        pdpte[i] = v[i];
    return true;
}
