/* SPDX-License-Identifier: MIT */
/* Unit tests for mmu/paging: walks of every format, accessed/dirty bits, access rights and
 * the page-fault error code (cmocka). Tables are built by hand in 16 MiB of RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/bits.h"
#include "mmu/paging.h"

#define RAM (16u << 20)
#define CR3 0x1000u     /* page directory (32-bit) or PDPT (PAE) */
#define PT 0x2000u      /* first page table / PAE page directory */
#define PT2 0x3000u     /* PAE page table */
#define DATA 0x00400000u

struct fx {
    struct physmem pm;
    uint8_t *ram;
    struct paging_ctx ctx;
    struct paging_result res;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(physmem_init(&f->pm), 0);
    f->ram = physmem_add_ram(&f->pm, 0, RAM);
    assert_non_null(f->ram);
    f->ctx.cr3 = CR3;
    f->ctx.phys_mask = 0xFFFFFFFFFull;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    physmem_free(&f->pm);
    free(f);
    return 0;
}

static uint32_t r32(struct fx *f, uint32_t a) { return load_le32(f->ram + a); }
static void w32(struct fx *f, uint32_t a, uint32_t v) { store_le32(f->ram + a, v); }
static uint64_t r64(struct fx *f, uint32_t a) { return r32(f, a) | (uint64_t)r32(f, a + 4) << 32; }
static void w64(struct fx *f, uint32_t a, uint64_t v)
{
    w32(f, a, (uint32_t)v);
    w32(f, a + 4, (uint32_t)(v >> 32));
}

/* 32-bit paging: lin -> phys through PT with the given PDE and PTE flag bits. */
static void map32(struct fx *f, uint32_t lin, uint32_t phys, uint32_t pde_flags, uint32_t pte_flags)
{
    w32(f, CR3 + (lin >> 22) * 4, PT | pde_flags);
    w32(f, PT + ((lin >> 12) & 0x3FF) * 4, (phys & 0xFFFFF000u) | pte_flags);
}
static uint32_t pde32(struct fx *f, uint32_t lin) { return r32(f, CR3 + (lin >> 22) * 4); }
static uint32_t pte32(struct fx *f, uint32_t lin) { return r32(f, PT + ((lin >> 12) & 0x3FF) * 4); }

/* PAE: PDPT at CR3, page directory at PT, page table at PT2. */
static void map_pae(struct fx *f, uint32_t lin, uint64_t phys, uint64_t pde_flags, uint64_t pte_flags)
{
    w64(f, CR3 + (lin >> 30) * 8, PT | PTE_P);
    w64(f, PT + ((lin >> 21) & 0x1FF) * 8, PT2 | pde_flags);
    w64(f, PT2 + ((lin >> 12) & 0x1FF) * 8, (phys & ~0xFFFull) | pte_flags);
    f->ctx.flags |= PG_CTX_PAE;
    assert_true(paging_load_pdptes(&f->pm, f->ctx.cr3, f->ctx.phys_mask, f->ctx.pdpte));
}
static uint64_t pde_pae(struct fx *f, uint32_t lin) { return r64(f, PT + ((lin >> 21) & 0x1FF) * 8); }
static uint64_t pte_pae(struct fx *f, uint32_t lin) { return r64(f, PT2 + ((lin >> 12) & 0x1FF) * 8); }

static bool walk(struct fx *f, uint32_t lin, unsigned access)
{
    f->res.error = 0xDEAD;
    return paging_walk(&f->pm, &f->ctx, lin, access, &f->res);
}

#define URW (PTE_P | PTE_RW | PTE_US)

static void test_walk_4k_translates_and_sets_accessed(void **state)
{
    struct fx *f = *state;
    map32(f, 0x00801234, 0x00567000, URW, URW);
    assert_true(walk(f, 0x00801234, 0));
    assert_int_equal(f->res.phys, 0x00567234);
    assert_int_equal(f->res.page_shift, 12);
    assert_false(f->res.global);
    assert_int_equal(pde32(f, 0x00801234), PT | URW | PTE_A);
    assert_int_equal(pte32(f, 0x00801234), 0x00567000 | URW | PTE_A); /* a read: no D */
}

static void test_walk_4k_write_sets_dirty_in_pte_only(void **state)
{
    struct fx *f = *state;
    map32(f, 0x00801000, 0x00567000, URW, URW);
    assert_true(walk(f, 0x00801FFF, PG_ACC_WRITE | PG_ACC_USER));
    assert_int_equal(f->res.phys, 0x00567FFF);
    assert_int_equal(pde32(f, 0x00801000), PT | URW | PTE_A);
    assert_int_equal(pte32(f, 0x00801000), 0x00567000 | URW | PTE_A | PTE_D);
}

static void test_walk_4m_pse(void **state)
{
    struct fx *f = *state;
    f->ctx.flags = PG_CTX_PSE;
    w32(f, CR3 + 3 * 4, 0x00800000 | URW | PTE_PS);
    assert_true(walk(f, 0x00C12345, PG_ACC_WRITE));
    assert_int_equal(f->res.phys, 0x00812345);
    assert_int_equal(f->res.page_shift, 22);
    assert_int_equal(r32(f, CR3 + 3 * 4), 0x00800000 | URW | PTE_PS | PTE_A | PTE_D);
}

/* Without CR4.PSE the PS bit is ignored and the PDE points at a page table. */
static void test_walk_ps_ignored_without_pse(void **state)
{
    struct fx *f = *state;
    w32(f, CR3 + 3 * 4, PT | URW | PTE_PS);
    w32(f, PT + 0x12 * 4, 0x00345000 | URW);
    assert_true(walk(f, 0x00C12345, 0));
    assert_int_equal(f->res.phys, 0x00345345);
    assert_int_equal(f->res.page_shift, 12);
}

static void test_walk_4m_reserved_bits(void **state)
{
    struct fx *f = *state;
    f->ctx.flags = PG_CTX_PSE;
    for (unsigned bit = 13; bit <= 21; bit++) {
        w32(f, CR3, 0x00800000 | URW | PTE_PS | (1u << bit));
        assert_false(walk(f, 0x1000, 0));
        assert_int_equal(f->res.error, PF_P | PF_RSVD);
        assert_false(walk(f, 0x1000, PG_ACC_WRITE | PG_ACC_USER));
        assert_int_equal(f->res.error, PF_P | PF_RSVD | PF_W | PF_U);
        assert_false(r32(f, CR3) & PTE_A); /* a faulting walk sets nothing */
    }
    /* Bit 12 (PAT on later processors) is not checked on these models. */
    w32(f, CR3, 0x00800000 | URW | PTE_PS | (1u << 12));
    assert_true(walk(f, 0x1000, 0));
}

/* Plain 32-bit 4 KiB paging has no reserved bits. */
static void test_walk_4k_no_reserved_bits(void **state)
{
    struct fx *f = *state;
    map32(f, 0x5000, 0x6000, URW | 0xE80, URW | 0xE80);
    assert_true(walk(f, 0x5000, 0));
    assert_int_equal(f->res.phys, 0x6000);
}

static void test_walk_global(void **state)
{
    struct fx *f = *state;
    map32(f, 0x5000, 0x6000, URW, URW | PTE_G);
    assert_true(walk(f, 0x5000, 0));
    assert_false(f->res.global); /* G means nothing without CR4.PGE */
    f->ctx.flags = PG_CTX_PGE;
    assert_true(walk(f, 0x5000, 0));
    assert_true(f->res.global);
    f->ctx.flags = PG_CTX_PGE | PG_CTX_PSE;
    w32(f, CR3 + 4, 0x00800000 | URW | PTE_PS | PTE_G);
    assert_true(walk(f, 0x00400000, 0));
    assert_true(f->res.global);
}

static void test_walk_pae_4k(void **state)
{
    struct fx *f = *state;
    map_pae(f, 0xC0201234, 0x00567000, URW, URW);
    assert_true(walk(f, 0xC0201234, PG_ACC_WRITE));
    assert_int_equal(f->res.phys, 0x00567234);
    assert_int_equal(f->res.page_shift, 12);
    assert_int_equal(pde_pae(f, 0xC0201234), PT2 | URW | PTE_A);
    assert_int_equal(pte_pae(f, 0xC0201234), 0x00567000 | URW | PTE_A | PTE_D);
    /* PDPTEs have no accessed bit: the register is used, memory is not written. */
    assert_int_equal(r64(f, CR3 + 3 * 8), PT | PTE_P);
}

/* PAE reaches 36-bit physical addresses. */
static void test_walk_pae_above_4g(void **state)
{
    struct fx *f = *state;
    map_pae(f, 0x1000, 0xF12345000ull, URW, URW);
    assert_true(walk(f, 0x1ABC, 0));
    assert_int_equal(f->res.phys, 0xF12345ABCull);
}

static void test_walk_pae_2m(void **state)
{
    struct fx *f = *state;
    map_pae(f, 0, 0, URW, URW); /* sets up the PDPT */
    w64(f, PT + 5 * 8, 0x00C00000 | URW | PTE_PS | PTE_G);
    f->ctx.flags |= PG_CTX_PGE;
    assert_true(walk(f, 0x00B23456, PG_ACC_WRITE | PG_ACC_USER));
    assert_int_equal(f->res.phys, 0x00D23456);
    assert_int_equal(f->res.page_shift, 21);
    assert_true(f->res.global);
    assert_int_equal(r64(f, PT + 5 * 8), 0x00C00000 | URW | PTE_PS | PTE_G | PTE_A | PTE_D);
    /* PAE ignores CR4.PSE: PS maps a 2 MiB page either way. */
    f->ctx.flags |= PG_CTX_PSE;
    assert_true(walk(f, 0x00B23456, 0));
    assert_int_equal(f->res.phys, 0x00D23456);
}

static void test_walk_pae_reserved_bits(void **state)
{
    struct fx *f = *state;
    map_pae(f, 0x1000, 0x6000, URW, URW);
    /* PTE bits 36..62 and, without NXE, 63. */
    for (unsigned bit = 36; bit <= 63; bit++) {
        w64(f, PT2 + 8, 0x6000 | URW | 1ull << bit);
        assert_false(walk(f, 0x1000, PG_ACC_USER));
        assert_int_equal(f->res.error, PF_P | PF_RSVD | PF_U);
    }
    w64(f, PT2 + 8, 0x6000 | URW);
    /* A PDE that points at a table: same bits. */
    w64(f, PT, PT2 | URW | 1ull << 40);
    assert_false(walk(f, 0x1000, PG_ACC_WRITE));
    assert_int_equal(f->res.error, PF_P | PF_RSVD | PF_W);
    /* A 2 MiB PDE: also bits 20:13. */
    for (unsigned bit = 13; bit <= 20; bit++) {
        w64(f, PT, 0x00200000 | URW | PTE_PS | 1ull << bit);
        assert_false(walk(f, 0x1000, 0));
        assert_int_equal(f->res.error, PF_P | PF_RSVD);
    }
    w64(f, PT, 0x00200000 | URW | PTE_PS | 1ull << 12);
    assert_true(walk(f, 0x1000, 0));
    /* Reserved bits count only in present entries. */
    w64(f, PT, PT2 | URW);
    w64(f, PT2 + 8, 0xFFFFFFFFFFFFFFFEull);
    assert_false(walk(f, 0x1000, 0));
    assert_int_equal(f->res.error, 0);
}

static void test_pdpte_load_rejects_reserved_bits(void **state)
{
    struct fx *f = *state;
    static const uint64_t bad[] = { 1u << 1, 1u << 2, 1u << 5, 1u << 6, 1u << 7, 1u << 8,
                                    1ull << 36, 1ull << 63 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f->ctx.pdpte[0] = 0x1111;
        w64(f, CR3 + 16, PT | PTE_P | bad[i]);
        assert_false(paging_load_pdptes(&f->pm, CR3, f->ctx.phys_mask, f->ctx.pdpte));
        assert_int_equal(f->ctx.pdpte[0], 0x1111); /* not loaded */
        w64(f, CR3 + 16, PT | bad[i]); /* not present: anything goes */
        assert_true(paging_load_pdptes(&f->pm, CR3, f->ctx.phys_mask, f->ctx.pdpte));
    }
    /* PWT/PCD and the ignored bits 11:9 are allowed; the PDPT is 32-byte aligned. */
    w64(f, 0x1FE0 + 8, PT | PTE_P | 0x18 | 0xE00);
    assert_true(paging_load_pdptes(&f->pm, 0x1FE0 | 0x18, f->ctx.phys_mask, f->ctx.pdpte));
    assert_int_equal(f->ctx.pdpte[1], PT | PTE_P | 0x18 | 0xE00);
}

static void test_pdpte_not_present_faults(void **state)
{
    struct fx *f = *state;
    map_pae(f, 0x1000, 0x6000, URW, URW);
    assert_false(walk(f, 0x40001000, PG_ACC_WRITE | PG_ACC_USER));
    assert_int_equal(f->res.error, PF_W | PF_U);
}

/* NX only with NXE (no model enables it): XD on any level stops fetches, and I/D is
 * reported on every fault of a fetch. */
static void test_nx_only_with_nxe(void **state)
{
    struct fx *f = *state;
    map_pae(f, 0x1000, 0x6000, URW, URW | 1ull << 63);
    assert_false(walk(f, 0x1000, PG_ACC_FETCH)); /* bit 63 reserved without NXE */
    assert_int_equal(f->res.error, PF_P | PF_RSVD);
    f->ctx.flags |= PG_CTX_NXE;
    assert_true(walk(f, 0x1000, 0));
    assert_true(walk(f, 0x1000, PG_ACC_WRITE | PG_ACC_USER));
    assert_false(walk(f, 0x1000, PG_ACC_FETCH));
    assert_int_equal(f->res.error, PF_P | PF_ID);
    assert_false(walk(f, 0x1000, PG_ACC_FETCH | PG_ACC_USER));
    assert_int_equal(f->res.error, PF_P | PF_ID | PF_U);
    /* XD in the PDE covers the whole table. */
    w64(f, PT2 + 8, 0x6000 | URW);
    w64(f, PT, PT2 | URW | 1ull << 63);
    assert_false(walk(f, 0x1000, PG_ACC_FETCH));
    assert_int_equal(f->res.error, PF_P | PF_ID);
    w64(f, PT, PT2 | URW);
    assert_true(walk(f, 0x1000, PG_ACC_FETCH));
    /* Not present and reserved-bit faults of fetches carry I/D too. */
    w64(f, PT2 + 8, 0x6000);
    assert_false(walk(f, 0x1000, PG_ACC_FETCH | PG_ACC_USER));
    assert_int_equal(f->res.error, PF_ID | PF_U);
    w64(f, PT2 + 8, 0x6000 | URW | 1ull << 50);
    assert_false(walk(f, 0x1000, PG_ACC_FETCH));
    assert_int_equal(f->res.error, PF_P | PF_RSVD | PF_ID);
    /* Without PAE there is no NX and no I/D. */
    f->ctx.flags = PG_CTX_NXE;
    map32(f, 0x1000, 0x6000, URW, PTE_RW);
    assert_false(walk(f, 0x1000, PG_ACC_FETCH));
    assert_int_equal(f->res.error, 0);
    map32(f, 0x1000, 0x6000, URW, PTE_P);
    assert_false(walk(f, 0x1000, PG_ACC_FETCH | PG_ACC_USER));
    assert_int_equal(f->res.error, PF_P | PF_U);
}

/* The error codes of §4.7 and the rights of §4.6 for every combination of the PDE's and
 * PTE's R/W and U/S, CR0.WP, privilege and access, written out. */
struct rights_case {
    uint32_t pde, pte; /* R/W and U/S bits (P is added) */
    unsigned access;   /* PG_ACC_* */
    int wp;
    int ok;
    uint32_t error;
};

#define W PG_ACC_WRITE
#define U PG_ACC_USER
#define X PG_ACC_FETCH
#define RW PTE_RW
#define US PTE_US
static const struct rights_case rights_cases[] = {
    /* supervisor reads and fetches: any page */
    { 0, 0, 0, 0, 1, 0 }, { 0, 0, 0, 1, 1, 0 }, { US, US, 0, 1, 1, 0 },
    { 0, 0, X, 1, 1, 0 }, { US, US, X, 0, 1, 0 },
    /* supervisor writes: anything with WP=0; with WP=1 only where every level says R/W */
    { 0, 0, W, 0, 1, 0 },
    { US, US, W, 0, 1, 0 },           /* a read-only user page, WP=0 */
    { 0, 0, W, 1, 0, PF_P | PF_W },
    { US, US, W, 1, 0, PF_P | PF_W }, /* a read-only user page, WP=1 */
    { RW, 0, W, 1, 0, PF_P | PF_W },
    { 0, RW, W, 1, 0, PF_P | PF_W },
    { RW, RW, W, 1, 1, 0 },
    { RW | US, RW | US, W, 1, 1, 0 },
    /* user reads: U/S on every level */
    { US, US, U, 0, 1, 0 },
    { US, US, U, 1, 1, 0 },
    { 0, US, U, 0, 0, PF_P | PF_U },
    { US, 0, U, 0, 0, PF_P | PF_U },
    { 0, 0, U, 1, 0, PF_P | PF_U },
    { RW, RW, U, 1, 0, PF_P | PF_U },
    /* user fetches: like reads (no NX) */
    { US, US, U | X, 0, 1, 0 },
    { US, 0, U | X, 0, 0, PF_P | PF_U },
    /* user writes: U/S and R/W on every level, whatever WP says */
    { RW | US, RW | US, U | W, 0, 1, 0 },
    { RW | US, RW | US, U | W, 1, 1, 0 },
    { US, RW | US, U | W, 0, 0, PF_P | PF_W | PF_U },
    { RW | US, US, U | W, 0, 0, PF_P | PF_W | PF_U },
    { RW | US, US, U | W, 1, 0, PF_P | PF_W | PF_U },
    { RW, RW | US, U | W, 0, 0, PF_P | PF_W | PF_U },
    { RW | US, RW, U | W, 1, 0, PF_P | PF_W | PF_U },
    { 0, 0, U | W, 0, 0, PF_P | PF_W | PF_U },
};
#undef W
#undef U
#undef X
#undef RW
#undef US

static void check_rights(struct fx *f, bool pae, bool large)
{
    for (size_t i = 0; i < sizeof(rights_cases) / sizeof(rights_cases[0]); i++) {
        const struct rights_case *c = &rights_cases[i];
        f->ctx.flags = (c->wp ? PG_CTX_WP : 0) | PG_CTX_PSE | (pae ? PG_CTX_PAE : 0);
        uint32_t lin = 0x00401000;
        if (large && pae) {
            /* A 2 MiB page has one level of rights: combine the case's two. */
            map_pae(f, lin, 0x6000, PTE_P, PTE_P);
            w64(f, PT + 2 * 8, 0x00600000 | PTE_P | PTE_PS | (c->pde & c->pte));
        } else if (large) {
            w32(f, CR3 + 4, 0x00800000 | PTE_P | PTE_PS | (c->pde & c->pte));
        } else if (pae) {
            map_pae(f, lin, 0x6000, PTE_P | c->pde, PTE_P | c->pte);
        } else {
            map32(f, lin, 0x6000, PTE_P | c->pde, PTE_P | c->pte);
        }
        bool ok = walk(f, lin, c->access);
        if (ok != (bool)c->ok || (!ok && f->res.error != c->error))
            fail_msg("case %zu (pae %d large %d): ok %d error %x, expected ok %d error %x",
                     i, pae, large, ok, f->res.error, c->ok, c->error);
        /* Only a completed access sets A (and D for writes). */
        uint64_t final = large ? (pae ? r64(f, PT + 2 * 8) : r32(f, CR3 + 4))
                               : (pae ? pte_pae(f, lin) : pte32(f, lin));
        assert_int_equal(!!(final & PTE_A), c->ok);
        assert_int_equal(!!(final & PTE_D), c->ok && (c->access & PG_ACC_WRITE));
    }
}

static void test_rights_and_error_codes_4k(void **state) { check_rights(*state, false, false); }
static void test_rights_and_error_codes_4m(void **state) { check_rights(*state, false, true); }
static void test_rights_and_error_codes_pae_4k(void **state) { check_rights(*state, true, false); }
static void test_rights_and_error_codes_pae_2m(void **state) { check_rights(*state, true, true); }

/* Not-present faults: P = 0 and the access bits, at either level; a not-present PTE wins
 * over rights the PDE would deny. */
static void test_not_present_error_codes(void **state)
{
    struct fx *f = *state;
    static const unsigned acc[] = { 0, PG_ACC_WRITE, PG_ACC_USER, PG_ACC_WRITE | PG_ACC_USER,
                                    PG_ACC_FETCH, PG_ACC_FETCH | PG_ACC_USER };
    for (int pae = 0; pae <= 1; pae++) {
        for (int level = 0; level < 2; level++) {
            for (size_t i = 0; i < sizeof(acc) / sizeof(acc[0]); i++) {
                f->ctx.flags = PG_CTX_WP;
                if (pae)
                    map_pae(f, 0x1000, 0x6000, level ? PTE_P : URW & ~PTE_P, level ? 0 : URW);
                else
                    map32(f, 0x1000, 0x6000, level ? PTE_P : URW & ~PTE_P, level ? 0 : URW);
                assert_false(walk(f, 0x1000, acc[i]));
                assert_int_equal(f->res.error, acc[i] & (PF_W | PF_U));
            }
        }
    }
}

/* The physical-address mask (A20 gate, address lines) applies to table reads too. */
static void test_phys_mask_applies_to_tables(void **state)
{
    struct fx *f = *state;
    f->ctx.cr3 = 0x00101000; /* with A20 off this is 0x1000 */
    f->ctx.phys_mask = 0xFFFFFFFFFull & ~(1ull << 20);
    map32(f, 0x5000, 0x00106000, URW, URW);
    assert_true(walk(f, 0x5123, 0));
    assert_int_equal(f->res.phys, 0x6123);
}

/* An entry that is its own table (a self-map) keeps both A updates. */
static void test_self_map(void **state)
{
    struct fx *f = *state;
    w32(f, CR3 + 0x300 * 4, CR3 | PTE_P | PTE_RW); /* PDE 0x300 points at the directory */
    assert_true(walk(f, 0xC0300C00, PG_ACC_WRITE)); /* reads PDE 0x300 as a PTE */
    assert_int_equal(f->res.phys, CR3 + 0xC00);
    assert_int_equal(r32(f, CR3 + 0x300 * 4), CR3 | PTE_P | PTE_RW | PTE_A | PTE_D);
}

/* A debugger's look (PG_ACC_PEEK) translates like a supervisor read but sets no accessed
 * or dirty bit, on 4 KiB, 4 MiB and PAE pages. */
static void test_peek_sets_nothing(void **state)
{
    struct fx *f = *state;
    map32(f, 0x00801234, 0x00567000, URW, URW);
    assert_true(walk(f, 0x00801234, PG_ACC_PEEK));
    assert_int_equal(f->res.phys, 0x00567234);
    assert_int_equal(pde32(f, 0x00801234), PT | URW);
    assert_int_equal(pte32(f, 0x00801234), 0x00567000 | URW);
    f->ctx.flags |= PG_CTX_PSE;
    w32(f, CR3 + (0x00C00000u >> 22) * 4, 0x01000000u | URW | PTE_PS);
    assert_true(walk(f, 0x00C00010, PG_ACC_PEEK | PG_ACC_WRITE));
    assert_int_equal(f->res.phys, 0x01000010);
    assert_int_equal(r32(f, CR3 + (0x00C00000u >> 22) * 4), 0x01000000u | URW | PTE_PS);
    f->ctx.flags = 0;
    memset(f->ram + CR3, 0, 0x3000); /* the 32-bit tables out of the way */
    map_pae(f, 0x00403000, 0x00789000, URW, URW);
    assert_true(walk(f, 0x00403008, PG_ACC_PEEK));
    assert_int_equal(f->res.phys, 0x00789008);
    assert_int_equal(pde_pae(f, 0x00403000), PT2 | URW);
    assert_int_equal(pte_pae(f, 0x00403000), 0x00789000 | URW);
    assert_false(walk(f, 0x7FC00000, PG_ACC_PEEK)); /* nothing there: no fault, just false */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_walk_4k_translates_and_sets_accessed),
        T(test_peek_sets_nothing),
        T(test_walk_4k_write_sets_dirty_in_pte_only),
        T(test_walk_4m_pse),
        T(test_walk_ps_ignored_without_pse),
        T(test_walk_4m_reserved_bits),
        T(test_walk_4k_no_reserved_bits),
        T(test_walk_global),
        T(test_walk_pae_4k),
        T(test_walk_pae_above_4g),
        T(test_walk_pae_2m),
        T(test_walk_pae_reserved_bits),
        T(test_pdpte_load_rejects_reserved_bits),
        T(test_pdpte_not_present_faults),
        T(test_nx_only_with_nxe),
        T(test_rights_and_error_codes_4k),
        T(test_rights_and_error_codes_4m),
        T(test_rights_and_error_codes_pae_4k),
        T(test_rights_and_error_codes_pae_2m),
        T(test_not_present_error_codes),
        T(test_phys_mask_applies_to_tables),
        T(test_self_map),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
