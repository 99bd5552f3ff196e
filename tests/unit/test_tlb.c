/* SPDX-License-Identifier: MIT */
/* Unit tests for the software TLB and the CPU's paged memory access (cmocka): the fast path,
 * fills and flushes as hardware does them, #PF with CR2 and error code, page-crossing
 * accesses, ROM, MMIO, code pages and the A20 gate. The CPU is driven directly through the
 * accessors of cpu/exec.h; faults are caught with the CPU's own unwinding slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/bits.h"
#include "cpu/exec.h"
#include "mmu/paging.h"
#include "harness.h"

#define RAM_SIZE (12u << 20)
#define ROM_BASE 0x00C00000u /* 64 KiB of ROM */
#define MMIO_BASE 0x00D00000u /* one page of a counting device */
#define PD 0x1000u            /* page directory */
#define PT 0x2000u            /* page tables for 0..16 MiB: PT + 0x1000 * n */
#define URW (PTE_P | PTE_RW | PTE_US)

struct mmio_dev {
    unsigned reads, writes;
    uint32_t last_addr, last_value;
    unsigned last_size;
};

struct fx {
    struct physmem pm;
    struct iobus io;
    struct cpu cpu;
    uint8_t *ram, *rom;
    struct mmio_dev dev;
};

static uint32_t dev_read(void *opaque, uint32_t addr, unsigned size)
{
    struct mmio_dev *d = opaque;
    d->reads++;
    d->last_addr = addr;
    d->last_size = size;
    return 0xA5A5A5A5u & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
}

static void dev_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    struct mmio_dev *d = opaque;
    d->writes++;
    d->last_addr = addr;
    d->last_size = size;
    d->last_value = value;
}

static int setup_model(void **state, enum cpu_model model)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(physmem_init(&f->pm), 0);
    assert_int_equal(iobus_init(&f->io), 0);
    f->ram = physmem_add_ram(&f->pm, 0, RAM_SIZE);
    f->rom = physmem_add_rom(&f->pm, ROM_BASE, 0x10000);
    assert_non_null(f->ram);
    assert_non_null(f->rom);
    assert_int_equal(physmem_add_mmio(&f->pm, MMIO_BASE, 0x1000, dev_read, dev_write, &f->dev), 0);
    cpu_init(&f->cpu, model, &f->pm, &f->io);
    /* A flat code segment, so that fetch offsets are linear addresses. */
    f->cpu.seg[S_CS].base = 0;
    f->cpu.seg[S_CS].limit = 0xFFFFFFFFu;
    /* Identity-map 0..16 MiB, user read/write; tests change entries as they need. */
    for (uint32_t t = 0; t < 4; t++) {
        store_le32(f->ram + PD + 4 * t, (PT + 0x1000 * t) | URW);
        for (uint32_t i = 0; i < 1024; i++)
            store_le32(f->ram + PT + 0x1000 * t + 4 * i, ((t << 22) | (i << 12)) | URW);
    }
    *state = f;
    return 0;
}

static int setup(void **state) { return setup_model(state, CPU_P2); }

static int teardown(void **state)
{
    struct fx *f = *state;
    physmem_free(&f->pm);
    iobus_free(&f->io);
    free(f);
    return 0;
}

/* ---- driving the CPU, catching its faults ---- */

enum op { RD, WR, RD_SYS, WR_SYS, FETCH, CR0, CR3, CR4, INVLPG };

/* Runs one operation; returns the exception vector it raised, or -1. */
static int run_op(struct fx *f, enum op op, uint32_t a, unsigned size, uint32_t v, uint32_t *out)
{
    struct cpu *c = &f->cpu;
    jmp_buf jb;
    c->fault_jmp = &jb;
    if (setjmp(jb)) {
        c->fault_jmp = NULL;
        return c->fault_vector;
    }
    uint32_t r = 0;
    switch (op) {
    case RD: r = lin_read(c, a, size); break;
    case WR: lin_write(c, a, size, v); break;
    case RD_SYS: r = lin_read_sys(c, a, size); break;
    case WR_SYS: lin_write_sys(c, a, size, v); break;
    case FETCH: r = cpu_fetch8(c, a); break;
    case CR0: cpu_write_cr0(c, v); break;
    case CR3: cpu_write_cr3(c, v); break;
    case CR4: cpu_write_cr4(c, v); break;
    case INVLPG: tlb_flush_page(&c->tlb, a); break;
    }
    if (out)
        *out = r;
    c->fault_jmp = NULL;
    return -1;
}

static uint32_t rd(struct fx *f, uint32_t lin, unsigned size)
{
    uint32_t v;
    assert_int_equal(run_op(f, RD, lin, size, 0, &v), -1);
    return v;
}

static void wr(struct fx *f, uint32_t lin, unsigned size, uint32_t v)
{
    assert_int_equal(run_op(f, WR, lin, size, v, NULL), -1);
}

static void set_cr(struct fx *f, enum op cr, uint32_t v)
{
    assert_int_equal(run_op(f, cr, 0, 0, v, NULL), -1);
}

/* Expects a #PF with this error code and CR2. */
static void expect_pf(struct fx *f, enum op op, uint32_t lin, unsigned size, uint32_t error,
                      uint32_t cr2)
{
    f->cpu.cr[2] = 0xDEADBEEF;
    assert_int_equal(run_op(f, op, lin, size, 0x11223344, NULL), EXC_PF);
    assert_int_equal(f->cpu.fault_error, error);
    assert_int_equal(f->cpu.cr[2], cr2);
}

static uint32_t pte(struct fx *f, uint32_t lin) { return load_le32(f->ram + PT + (lin >> 12) * 4); }
static void set_pte(struct fx *f, uint32_t lin, uint32_t v) { store_le32(f->ram + PT + (lin >> 12) * 4, v); }
static void set_pde(struct fx *f, uint32_t lin, uint32_t v) { store_le32(f->ram + PD + (lin >> 22) * 4, v); }

static void paging_on(struct fx *f)
{
    set_cr(f, CR3, PD);
    set_cr(f, CR0, f->cpu.cr[0] | CR0_PE | CR0_PG);
}

static uint64_t slow(struct fx *f) { return f->cpu.tlb.slow; }

/* ---- the fast path ---- */

/* Repeated loads and stores to filled pages never enter the slow path: the hit costs no
 * call. Checked with paging off and on, for every size. */
static void check_fast_path_makes_no_call(struct fx *f)
{
    const uint32_t page = 0x00345000;
    rd(f, page, 1);
    wr(f, page, 1, 0);
    run_op(f, FETCH, page, 1, 0, NULL);
    uint64_t before = slow(f);
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 10000; i++) {
        uint32_t off = (i * 7) % 0xFFD;
        wr(f, page + off, 4, i);
        sum += rd(f, page + off, 4);
        wr(f, page + off, 2, (uint16_t)i);
        sum += rd(f, page + off, 2);
        wr(f, page + off, 1, (uint8_t)i);
        sum += rd(f, page + off, 1);
        uint32_t b;
        assert_int_equal(run_op(f, FETCH, page + off, 1, 0, &b), -1);
        assert_int_equal(b, (uint8_t)i);
    }
    assert_true(sum != 0);
    assert_int_equal(slow(f), before);
}

static void test_fast_path_makes_no_call_paging_off(void **state)
{
    check_fast_path_makes_no_call(*state);
}

static void test_fast_path_makes_no_call_paging_on(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    check_fast_path_makes_no_call(f);
}

/* Values go through in little-endian order, at any alignment within a page. */
static void test_fast_path_little_endian(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x00400000, 0x00567000 | URW);
    wr(f, 0x00400FFB, 4, 0x44332211);
    assert_memory_equal(f->ram + 0x00567FFB, "\x11\x22\x33\x44", 4);
    assert_int_equal(rd(f, 0x00400FFC, 2), 0x3322);
    assert_int_equal(rd(f, 0x00400FFE, 1), 0x44);
}

/* An access crossing into the next page never hits, even with both pages filled. */
static void test_crossing_access_misses_fast_path(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    rd(f, 0x5000, 1);
    rd(f, 0x6000, 1);
    uint64_t before = slow(f);
    f->ram[0x5FFF] = 0x11;
    f->ram[0x6000] = 0x22;
    assert_int_equal(rd(f, 0x5FFF, 2), 0x2211);
    assert_int_equal(slow(f), before + 1);
}

/* ---- translation ---- */

static void test_translates_4k_pages(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x00001000, 0x00789000 | URW);
    store_le32(f->ram + 0x00789ABC, 0xCAFEF00D);
    assert_int_equal(rd(f, 0x00001ABC, 4), 0xCAFEF00D);
    wr(f, 0x00001AB0, 2, 0xBEEF);
    assert_int_equal(load_le16(f->ram + 0x00789AB0), 0xBEEF);
    assert_int_equal(f->ram[0x1AB0], 0); /* not the identity page */
}

static void test_translates_4m_pages(void **state)
{
    struct fx *f = *state;
    set_cr(f, CR4, CR4_PSE);
    set_pde(f, 0x00C00000, 0x00400000 | URW | PTE_PS); /* 12 MiB -> 4 MiB */
    paging_on(f);
    store_le32(f->ram + 0x00523456, 0x12345678);
    assert_int_equal(rd(f, 0x00D23456, 4), 0x12345678);
    assert_int_equal(load_le32(f->ram + PD + 3 * 4), 0x00400000 | URW | PTE_PS | PTE_A);
}

/* PAE: PDPT at 0x8000, page directory at 0x9000, page table at 0xA000. */
static void pae_tables(struct fx *f)
{
    memset(f->ram + 0x8000, 0, 0x3000);
    store_le32(f->ram + 0x8000, 0x9000 | PTE_P);
    store_le32(f->ram + 0x9000, 0xA000 | URW);
    store_le32(f->ram + 0x9008, 0x00600000 | URW | PTE_PS); /* 2..4 MiB -> 6..8 MiB */
    for (uint32_t i = 0; i < 512; i++)
        store_le32(f->ram + 0xA000 + 8 * i, (i << 12) | URW);
    store_le32(f->ram + 0xA000 + 8 * 5, 0x00345000 | URW); /* 0x5000 -> 0x345000 */
}

static void test_translates_pae_4k_and_2m(void **state)
{
    struct fx *f = *state;
    pae_tables(f);
    set_cr(f, CR3, 0x8000);
    set_cr(f, CR4, CR4_PAE);
    set_cr(f, CR0, f->cpu.cr[0] | CR0_PE | CR0_PG);
    assert_int_equal(f->cpu.pdpte[0], 0x9000 | PTE_P);
    store_le32(f->ram + 0x00345010, 0x01020304);
    store_le32(f->ram + 0x00712340, 0x05060708);
    assert_int_equal(rd(f, 0x5010, 4), 0x01020304);
    assert_int_equal(rd(f, 0x00312340, 4), 0x05060708);
    wr(f, 0x00312344, 4, 0xAABBCCDD);
    assert_int_equal(load_le32(f->ram + 0x00712344), 0xAABBCCDD);
    assert_true(load_le32(f->ram + 0x9008) & PTE_D);
    /* PDPT 1 is not present. */
    expect_pf(f, RD, 0x40000000, 4, 0, 0x40000000);
}

/* A PDPTE with reserved bits makes the MOV to CR3 (or CR0/CR4) #GP and changes nothing. */
static void test_pae_bad_pdpte_is_gp(void **state)
{
    struct fx *f = *state;
    pae_tables(f);
    set_cr(f, CR3, 0x8000);
    set_cr(f, CR4, CR4_PAE);
    set_cr(f, CR0, f->cpu.cr[0] | CR0_PE | CR0_PG);
    store_le32(f->ram + 0xB008, 0x9000 | PTE_P | 4); /* PDPTE 1: bit 2 reserved */
    assert_int_equal(run_op(f, CR3, 0, 0, 0xB000, NULL), EXC_GP);
    assert_int_equal(f->cpu.cr[3], 0x8000);
    assert_int_equal(f->cpu.pdpte[0], 0x9000 | PTE_P);
    /* The 32-bit page directory at PD, read as PDPTEs, has R/W and U/S set: enabling PAE
     * over it #GPs too, leaving CR4 as it was. */
    set_cr(f, CR0, f->cpu.cr[0] & ~CR0_PG);
    set_cr(f, CR4, 0);
    set_cr(f, CR3, PD);
    set_cr(f, CR0, f->cpu.cr[0] | CR0_PG);
    assert_int_equal(run_op(f, CR4, 0, 0, CR4_PAE, NULL), EXC_GP);
    assert_int_equal(f->cpu.cr[4], 0);
}

/* CR4 bits need the model: the Pentium has PSE but not PAE or PGE. */
static void test_cr4_paging_bits_follow_the_model(void **state)
{
    struct fx *f = *state;
    set_cr(f, CR4, CR4_PSE | CR4_PAE | CR4_PGE);
    struct cpu *c = &f->cpu;
    cpu_init(c, CPU_PENTIUM, &f->pm, &f->io);
    assert_int_equal(run_op(f, CR4, 0, 0, CR4_PSE, NULL), -1);
    assert_int_equal(run_op(f, CR4, 0, 0, CR4_PAE, NULL), EXC_GP);
    assert_int_equal(run_op(f, CR4, 0, 0, CR4_PGE, NULL), EXC_GP);
}

/* ---- accessed and dirty ---- */

static void test_read_sets_accessed_write_sets_dirty(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    assert_int_equal(pte(f, 0x7000), 0x7000 | URW);
    rd(f, 0x7000, 4);
    assert_int_equal(pte(f, 0x7000), 0x7000 | URW | PTE_A);
    assert_true(load_le32(f->ram + PD) & PTE_A);
    /* The read filled no write entry: the first write walks again and sets D. */
    uint64_t before = slow(f);
    wr(f, 0x7004, 4, 1);
    assert_int_equal(slow(f), before + 1);
    assert_int_equal(pte(f, 0x7000), 0x7000 | URW | PTE_A | PTE_D);
    wr(f, 0x7008, 4, 2);
    assert_int_equal(slow(f), before + 1);
}

/* ---- faults ---- */

static void test_page_fault_error_codes_and_cr2(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x10000, 0);                     /* not present */
    set_pte(f, 0x11000, 0x11000 | PTE_P);       /* supervisor, read-only */
    set_pte(f, 0x12000, 0x12000 | PTE_P | PTE_US); /* user, read-only */
    expect_pf(f, RD, 0x10123, 4, 0, 0x10123);
    expect_pf(f, WR, 0x10FFF, 1, PF_W, 0x10FFF);
    expect_pf(f, FETCH, 0x10001, 1, 0, 0x10001); /* no I/D without NX */
    f->cpu.cpl = 3;
    expect_pf(f, RD, 0x10002, 2, PF_U, 0x10002);
    expect_pf(f, WR, 0x10004, 4, PF_U | PF_W, 0x10004);
    expect_pf(f, RD, 0x11000, 4, PF_P | PF_U, 0x11000);
    expect_pf(f, FETCH, 0x11008, 1, PF_P | PF_U, 0x11008);
    expect_pf(f, WR, 0x11010, 4, PF_P | PF_U | PF_W, 0x11010);
    assert_int_equal(rd(f, 0x12000, 4), 0);
    expect_pf(f, WR, 0x12010, 4, PF_P | PF_U | PF_W, 0x12010);
    /* Implicit supervisor accesses use supervisor rights at CPL 3. */
    uint32_t v;
    assert_int_equal(run_op(f, RD_SYS, 0x11000, 4, 0, &v), -1);
    assert_int_equal(run_op(f, WR_SYS, 0x11000, 4, 5, NULL), -1); /* WP = 0 */
    assert_int_equal(load_le32(f->ram + 0x11000), 5);
    expect_pf(f, RD_SYS, 0x10000, 4, 0, 0x10000);
    f->cpu.cpl = 0;
    /* Reserved bits in a 4 MiB PDE. */
    set_cr(f, CR4, CR4_PSE);
    set_pde(f, 0x00800000, 0x00800000 | URW | PTE_PS | 1u << 15);
    expect_pf(f, WR, 0x00812345, 2, PF_P | PF_RSVD | PF_W, 0x00812345);
}

/* CR0.WP: with WP = 0 the supervisor writes read-only pages, user ones included; with
 * WP = 1 it faults. Changing WP flushes the TLB, so a filled write entry cannot outlive it. */
static void test_wp_supervisor_writes(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x20000, 0x20000 | PTE_P | PTE_US); /* user read-only */
    set_pte(f, 0x21000, 0x21000 | PTE_P);          /* supervisor read-only */
    wr(f, 0x20000, 4, 0x1111);
    wr(f, 0x21000, 4, 0x2222);
    assert_int_equal(load_le32(f->ram + 0x20000), 0x1111);
    assert_int_equal(load_le32(f->ram + 0x21000), 0x2222);
    set_cr(f, CR0, f->cpu.cr[0] | CR0_WP);
    expect_pf(f, WR, 0x20000, 4, PF_P | PF_W, 0x20000);
    expect_pf(f, WR, 0x21000, 4, PF_P | PF_W, 0x21000);
    assert_int_equal(load_le32(f->ram + 0x20000), 0x1111);
    set_cr(f, CR0, f->cpu.cr[0] & ~CR0_WP);
    wr(f, 0x20000, 4, 0x3333);
    assert_int_equal(load_le32(f->ram + 0x20000), 0x3333);
}

/* User and supervisor translations live in different tables: a supervisor fill does not
 * let CPL 3 in. */
static void test_user_and_supervisor_tables_are_separate(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x22000, 0x22000 | PTE_P | PTE_RW);
    wr(f, 0x22000, 4, 7);
    assert_int_equal(rd(f, 0x22000, 4), 7);
    f->cpu.cpl = 3;
    expect_pf(f, RD, 0x22000, 4, PF_P | PF_U, 0x22000);
    expect_pf(f, WR, 0x22000, 4, PF_P | PF_U | PF_W, 0x22000);
}

/* A write crossing into a page that faults writes no byte of the first page; CR2 is the
 * first address in the page that faulted. */
static void test_crossing_write_faults_before_writing(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x31000, 0);
    memset(f->ram + 0x30FFC, 0xEE, 4);
    expect_pf(f, WR, 0x30FFE, 4, PF_W, 0x31000);
    assert_memory_equal(f->ram + 0x30FFC, "\xEE\xEE\xEE\xEE", 4);
    set_pte(f, 0x31000, 0x31000 | PTE_P | PTE_US); /* present, read-only */
    f->cpu.cpl = 3;
    expect_pf(f, WR, 0x30FFF, 2, PF_P | PF_W | PF_U, 0x31000);
    assert_memory_equal(f->ram + 0x30FFC, "\xEE\xEE\xEE\xEE", 4);
    /* A fault on the first page is reported there. */
    set_pte(f, 0x30000, 0);
    expect_pf(f, RD, 0x30FFF, 2, PF_U, 0x30FFF);
}

/* Page-crossing accesses to pages that are not physically adjacent. */
static void test_crossing_access_to_scattered_pages(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x40000, 0x00111000 | URW);
    set_pte(f, 0x41000, 0x00222000 | URW);
    wr(f, 0x40FFD, 4, 0x44332211);
    assert_memory_equal(f->ram + 0x00111FFD, "\x11\x22\x33", 3);
    assert_int_equal(f->ram[0x00222000], 0x44);
    assert_int_equal(rd(f, 0x40FFE, 4), 0x00443322);
    assert_int_equal(rd(f, 0x40FFF, 2), 0x4433);
}

/* With paging off an access at the top of the address space wraps to 0. */
static void test_crossing_the_top_wraps(void **state)
{
    struct fx *f = *state;
    f->ram[0] = 0x5A;
    assert_int_equal(rd(f, 0xFFFFFFFF, 2), 0x5AFF); /* unclaimed reads all ones */
}

/* ---- flushes ---- */

/* Fills lin, then remaps it in memory without telling the TLB; reports whether the next
 * read sees the new page (the TLB was flushed) or the old one. */
static void remap_behind_tlb(struct fx *f, uint32_t lin, uint32_t new_phys)
{
    f->ram[pte(f, lin) & 0xFFFFF000u] = 0x01;
    f->ram[new_phys] = 0x02;
    assert_int_equal(rd(f, lin, 1), 0x01);
    set_pte(f, lin, new_phys | URW | (pte(f, lin) & PTE_G));
}

static bool sees_new(struct fx *f, uint32_t lin) { return rd(f, lin, 1) == 0x02; }

static void test_cr3_reload_keeps_global_pages(void **state)
{
    struct fx *f = *state;
    set_cr(f, CR4, CR4_PGE);
    paging_on(f);
    set_pte(f, 0x50000, 0x50000 | URW | PTE_G);
    remap_behind_tlb(f, 0x50000, 0x60000);
    remap_behind_tlb(f, 0x51000, 0x61000);
    set_cr(f, CR3, PD);
    assert_false(sees_new(f, 0x50000)); /* global: survives */
    assert_true(sees_new(f, 0x51000));
    /* INVLPG drops global entries too. */
    assert_int_equal(run_op(f, INVLPG, 0x50123, 0, 0, NULL), -1);
    assert_true(sees_new(f, 0x50000));
}

/* Without CR4.PGE the G bit means nothing: CR3 flushes all. */
static void test_cr3_reload_without_pge_flushes_all(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x50000, 0x50000 | URW | PTE_G);
    remap_behind_tlb(f, 0x50000, 0x60000);
    set_cr(f, CR3, PD);
    assert_true(sees_new(f, 0x50000));
}

/* Clearing CR4.PGE flushes global entries (SDM Vol. 3A §4.10.4.1). */
static void test_pge_change_flushes_globals(void **state)
{
    struct fx *f = *state;
    set_cr(f, CR4, CR4_PGE);
    paging_on(f);
    set_pte(f, 0x50000, 0x50000 | URW | PTE_G);
    remap_behind_tlb(f, 0x50000, 0x60000);
    set_cr(f, CR4, 0);
    assert_true(sees_new(f, 0x50000));
}

static void test_invlpg_flushes_one_page(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    remap_behind_tlb(f, 0x52000, 0x62000);
    remap_behind_tlb(f, 0x53000, 0x63000);
    assert_int_equal(run_op(f, INVLPG, 0x52FFF, 0, 0, NULL), -1);
    assert_true(sees_new(f, 0x52000));
    assert_false(sees_new(f, 0x53000));
}

/* INVLPG of any address in a 4 MiB page drops every piece the TLB holds of it. */
static void test_invlpg_flushes_whole_large_page(void **state)
{
    struct fx *f = *state;
    set_cr(f, CR4, CR4_PSE);
    set_pde(f, 0x00800000, 0x00400000 | URW | PTE_PS);
    paging_on(f);
    f->ram[0x00401000] = 1;
    f->ram[0x007FF000] = 1;
    f->ram[0x00001000] = 2;
    f->ram[0x003FF000] = 2;
    assert_int_equal(rd(f, 0x00801000, 1), 1);
    assert_int_equal(rd(f, 0x00BFF000, 1), 1);
    set_pde(f, 0x00800000, 0x00000000 | URW | PTE_PS);
    assert_int_equal(run_op(f, INVLPG, 0x00A00000, 0, 0, NULL), -1);
    assert_int_equal(rd(f, 0x00801000, 1), 2);
    assert_int_equal(rd(f, 0x00BFF000, 1), 2);
}

/* Changes of CR0.PG, CR0.WP, CR0.PE, CR4.PSE, CR4.PAE and CR4.PGE flush the TLB; other
 * control-register writes do not. Seen through the slow-path counter. */
static void test_control_register_changes_flush(void **state)
{
    struct fx *f = *state;
    struct {
        enum op cr;
        uint32_t bit;
        bool flushes;
    } cases[] = {
        { CR0, CR0_WP, true }, { CR0, CR0_PG, true }, { CR0, 1u << 3 /* TS */, false },
        { CR4, CR4_PSE, true }, { CR4, CR4_PGE, true }, { CR4, CR4_PAE, true },
        { CR4, 1u << 2 /* TSD */, false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        set_cr(f, CR0, f->cpu.cr[0] | CR0_PE);
        if (cases[i].bit != CR4_PAE) /* PAE over these tables would #GP (see above) */
            paging_on(f);
        else
            set_cr(f, CR0, f->cpu.cr[0] & ~CR0_PG);
        rd(f, 0x9000, 4);
        uint64_t before = slow(f);
        enum op cr = cases[i].cr;
        uint32_t v = (cr == CR0 ? f->cpu.cr[0] : f->cpu.cr[4]) ^ cases[i].bit;
        set_cr(f, cr, v);
        rd(f, 0x9000, 4);
        assert_int_equal(slow(f), before + cases[i].flushes);
        set_cr(f, cr, v ^ cases[i].bit);
    }
    /* Leaving protected mode flushes too. */
    set_cr(f, CR0, f->cpu.cr[0] & ~CR0_PG);
    rd(f, 0x9000, 4);
    uint64_t before = slow(f);
    set_cr(f, CR0, f->cpu.cr[0] & ~CR0_PE);
    rd(f, 0x9000, 4);
    assert_int_equal(slow(f), before + 1);
}

/* ---- memory kinds ---- */

static void test_rom_reads_fast_writes_ignored(void **state)
{
    struct fx *f = *state;
    f->rom[0x10] = 0x77;
    assert_int_equal(rd(f, ROM_BASE + 0x10, 1), 0x77);
    uint64_t before = slow(f);
    assert_int_equal(rd(f, ROM_BASE + 0x10, 1), 0x77);
    assert_int_equal(slow(f), before);
    for (int i = 0; i < 3; i++)
        wr(f, ROM_BASE + 0x10, 1, 0x99);
    assert_int_equal(slow(f), before + 3); /* every ROM write takes the slow path */
    assert_int_equal(f->rom[0x10], 0x77);
    assert_int_equal(rd(f, ROM_BASE + 0x10, 1), 0x77);
}

static void test_mmio_always_slow_path(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x70000, MMIO_BASE | URW); /* reach the device through a paged address */
    uint64_t before = slow(f);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(rd(f, 0x70010, 2), 0xA5A5);
    wr(f, 0x70020, 4, 0x12345678);
    assert_int_equal(f->dev.reads, 4);
    assert_int_equal(f->dev.writes, 1);
    assert_int_equal(f->dev.last_addr, 0x20);
    assert_int_equal(f->dev.last_size, 4);
    assert_int_equal(f->dev.last_value, 0x12345678);
    assert_int_equal(slow(f), before + 5);
}

/* A page marked as holding translated code forces every write to it through the slow
 * path (where the translator will see it); reads stay fast. */
static void test_code_page_forces_slow_writes(void **state)
{
    struct fx *f = *state;
    paging_on(f);
    set_pte(f, 0x80000, 0x00456000 | URW);
    wr(f, 0x80000, 4, 1);
    rd(f, 0x80000, 4);
    uint64_t before = slow(f);
    wr(f, 0x80004, 4, 2);
    assert_int_equal(slow(f), before);

    physmem_code_set(&f->pm, 0x456);
    assert_true(physmem_code_test(&f->pm, 0x456));
    cpu_tlb_sync(&f->cpu); /* the instruction boundary */
    before = slow(f);
    for (uint32_t i = 0; i < 5; i++)
        wr(f, 0x80008 + 4 * i, 4, 0x100 + i);
    assert_int_equal(slow(f), before + 5);
    assert_int_equal(load_le32(f->ram + 0x00456010), 0x102);
    rd(f, 0x80000, 4); /* refill after the flush */
    before = slow(f);
    assert_int_equal(rd(f, 0x80008, 4), 0x100);
    assert_int_equal(slow(f), before);

    physmem_code_clear(&f->pm, 0x456);
    assert_false(physmem_code_test(&f->pm, 0x456));
}

/* A20 and the address lines apply to physical addresses. Turning the gate changes the
 * physmem generation; the CPU flushes before its next instruction. */
static void test_a20_change_flushes(void **state)
{
    struct fx *f = *state;
    f->ram[0x000123] = 0x10;
    f->ram[0x100123] = 0x20;
    physmem_set_a20(&f->pm, false);
    cpu_tlb_sync(&f->cpu);
    assert_int_equal(rd(f, 0x100123, 1), 0x10);
    physmem_set_a20(&f->pm, true);
    cpu_tlb_sync(&f->cpu);
    assert_int_equal(rd(f, 0x100123, 1), 0x20);
    /* With paging too: tables and pages are masked. */
    paging_on(f);
    physmem_set_a20(&f->pm, false);
    cpu_tlb_sync(&f->cpu);
    assert_int_equal(rd(f, 0x100123, 1), 0x10);
}

/* Dirty-page tracking stays exact under the fast path: a clear drops the write entries
 * (they marked their page when filled). The conformance rig depends on it. */
static void test_dirty_tracking_after_clear(void **state)
{
    struct fx *f = *state;
    assert_int_equal(physmem_track_dirty(&f->pm, true), 0);
    cpu_tlb_sync(&f->cpu);
    wr(f, 0x9000, 1, 1);
    assert_true(physmem_page_dirty(&f->pm, 9));
    physmem_clear_dirty(&f->pm);
    assert_false(physmem_page_dirty(&f->pm, 9));
    cpu_tlb_sync(&f->cpu);
    wr(f, 0x9000, 1, 2);
    assert_true(physmem_page_dirty(&f->pm, 9));
}

/* Flushes are exact whether the TLB could list its entries or had to scan them all. */
static void test_flush_after_many_fills(void **state)
{
    struct fx *f = *state;
    set_cr(f, CR4, CR4_PGE);
    paging_on(f);
    set_pte(f, 0xE8000, 0xE8000 | URW | PTE_G);
    rd(f, 0xE8000, 1);
    for (uint32_t p = 0; p < 200; p++) /* TLB slots 0..199: more than the fill log holds */
        rd(f, 0x00100000 + p * 0x1000, 1);
    remap_behind_tlb(f, 0xE9000, 0x61000);
    set_cr(f, CR3, PD);
    assert_true(sees_new(f, 0xE9000));
    uint64_t before = slow(f);
    rd(f, 0xE8000, 1); /* the global page is still there */
    assert_int_equal(slow(f), before);
    rd(f, 0x00100000, 1);
    assert_int_equal(slow(f), before + 1);
    /* And a full flush after the scan drops it. */
    set_cr(f, CR4, 0);
    rd(f, 0xE8000, 1);
    assert_int_equal(slow(f), before + 2);
}

/* ---- guest code ---- */

/* A guest turns paging on with MOV CR3/CR0, writes through a remapped page, remaps it,
 * INVLPGs and writes again. Its code and stack are identity-mapped. */
static void test_guest_enables_paging_and_invlpg(void **state)
{
    (void)state;
    struct harness h;
    h_init(&h, CPU_P2);
    /* Tables at 0x1000 (PD) and 0x2000 (PT for 0..4 MiB): identity, except 0x30000. */
    store_le32(h.ram + 0x1000, 0x2000 | URW);
    for (uint32_t i = 0; i < 1024; i++)
        store_le32(h.ram + 0x2000 + 4 * i, (i << 12) | URW);
    store_le32(h.ram + 0x2000 + 0x30 * 4, 0x00150000 | URW); /* DS 0x3000: 0x30000 */
    /* DS = 0x3000 goes through the remapped page; ES = 0 reaches the page table. */
    static const uint8_t code[] = {
        0x66, 0xB8, 0x00, 0x10, 0x00, 0x00, /* mov eax, 0x1000 */
        0x0F, 0x22, 0xD8,                   /* mov cr3, eax */
        0x0F, 0x20, 0xC0,                   /* mov eax, cr0 */
        0x66, 0x0D, 0x01, 0x00, 0x00, 0x80, /* or eax, 0x80000001 */
        0x0F, 0x22, 0xC0,                   /* mov cr0, eax */
        0x3E, 0xC7, 0x06, 0x10, 0x00, 0x34, 0x12, /* mov word ds:[0x10], 0x1234 */
        0x26, 0xC7, 0x06, 0xC0, 0x20, 0x07, 0x00, /* mov word es:[0x20C0], URW */
        0x26, 0xC6, 0x06, 0xC2, 0x20, 0x16,       /* mov byte es:[0x20C2], 0x16: PTE 0x160007 */
        0x3E, 0x0F, 0x01, 0x3E, 0x10, 0x00,       /* invlpg ds:[0x10] */
        0x3E, 0xC7, 0x06, 0x10, 0x00, 0x78, 0x56, /* mov word ds:[0x10], 0x5678 */
        0xF4,                                     /* hlt */
    };
    cpu_load_seg_real(&h.cpu, S_DS, 0x3000);
    cpu_load_seg_real(&h.cpu, S_ES, 0x0000);
    h_run(&h, code, sizeof(code), 100);
    assert_true(h.cpu.halted);
    assert_int_equal(h_vector(&h), -1);
    assert_true(h.cpu.cr[0] & CR0_PG);
    assert_int_equal(h.cpu.cr[3], 0x1000);
    assert_int_equal(load_le16(h.ram + 0x00150010), 0x1234);
    assert_int_equal(load_le16(h.ram + 0x00160010), 0x5678);
    assert_int_equal(load_le16(h.ram + 0x30010), 0);
    h_free(&h);
}

/* A device turns the A20 gate from an OUT; the very next instruction sees the new map. */
static void a20_port_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    (void)port;
    (void)size;
    physmem_set_a20(opaque, value & 2);
}

static uint32_t a20_port_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0;
}

static void test_guest_a20_toggle_seen_by_next_instruction(void **state)
{
    (void)state;
    struct harness h;
    h_init(&h, CPU_P2);
    struct io_handler port92 = { a20_port_read, a20_port_write, &h.mem, 0 };
    assert_int_equal(iobus_register(&h.io, 0x92, 1, &port92), 0);
    h.ram[0x000010] = 0x11;
    h.ram[0x100010] = 0x22;
    static const uint8_t code[] = {
        0xB8, 0xFF, 0xFF,       /* mov ax, 0xFFFF */
        0x8E, 0xC0,             /* mov es, ax */
        0x26, 0xA0, 0x20, 0x00, /* mov al, es:[0x20]  (linear 0x100010) */
        0x88, 0xC3,             /* mov bl, al */
        0xB0, 0x00,             /* mov al, 0 */
        0xE6, 0x92,             /* out 0x92, al  (A20 off) */
        0x26, 0xA0, 0x20, 0x00, /* mov al, es:[0x20]  (now linear 0x000010) */
        0x88, 0xC7,             /* mov bh, al */
        0xF4,                   /* hlt */
    };
    h_run(&h, code, sizeof(code), 100);
    assert_true(h.cpu.halted);
    assert_int_equal(h.cpu.r[R_EBX] & 0xFFFF, 0x1122);
    h_free(&h);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_fast_path_makes_no_call_paging_off),
        T(test_fast_path_makes_no_call_paging_on),
        T(test_fast_path_little_endian),
        T(test_crossing_access_misses_fast_path),
        T(test_translates_4k_pages),
        T(test_translates_4m_pages),
        T(test_translates_pae_4k_and_2m),
        T(test_pae_bad_pdpte_is_gp),
        T(test_cr4_paging_bits_follow_the_model),
        T(test_read_sets_accessed_write_sets_dirty),
        T(test_page_fault_error_codes_and_cr2),
        T(test_wp_supervisor_writes),
        T(test_user_and_supervisor_tables_are_separate),
        T(test_crossing_write_faults_before_writing),
        T(test_crossing_access_to_scattered_pages),
        T(test_crossing_the_top_wraps),
        T(test_cr3_reload_keeps_global_pages),
        T(test_cr3_reload_without_pge_flushes_all),
        T(test_pge_change_flushes_globals),
        T(test_invlpg_flushes_one_page),
        T(test_invlpg_flushes_whole_large_page),
        T(test_control_register_changes_flush),
        T(test_rom_reads_fast_writes_ignored),
        T(test_mmio_always_slow_path),
        T(test_code_page_forces_slow_writes),
        T(test_a20_change_flushes),
        T(test_dirty_tracking_after_clear),
        T(test_flush_after_many_fills),
        T(test_guest_enables_paging_and_invlpg),
        T(test_guest_a20_toggle_seen_by_next_instruction),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
