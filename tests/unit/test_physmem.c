/* Guest physical memory (mmu/physmem.h): regions a PCI BAR places and moves; shadow RAM
 * under a ROM or the empty bus, routed
 * per page and per kind of access, as the i440FX's PAM and SMRAM registers use it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mmu/physmem.h"

#define ROM_BASE 0xF0000u
#define SHADOW_BASE 0xC0000u
#define SHADOW_SIZE 0x40000u

struct t {
    struct physmem pm;
    uint8_t *rom, *shadow;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    assert_int_equal(physmem_init(&t->pm), 0);
    t->rom = physmem_add_rom(&t->pm, ROM_BASE, 0x10000);
    assert_non_null(t->rom);
    memset(t->rom, 0xAA, 0x10000);
    t->shadow = physmem_add_shadow(&t->pm, SHADOW_BASE, SHADOW_SIZE);
    assert_non_null(t->shadow);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    physmem_free(&t->pm);
    free(t);
    return 0;
}

static void test_shadow_starts_unrouted(void **state)
{
    struct t *t = *state;
    /* Reads see the ROM, or the empty bus where there is none; writes reach nothing. */
    assert_int_equal(physmem_read(&t->pm, ROM_BASE, 4), 0xAAAAAAAAu);
    assert_int_equal(physmem_read(&t->pm, SHADOW_BASE, 2), 0xFFFF);
    physmem_write(&t->pm, ROM_BASE, 1, 0x11);
    physmem_write(&t->pm, SHADOW_BASE, 1, 0x22);
    assert_int_equal(t->shadow[ROM_BASE - SHADOW_BASE], 0);
    assert_int_equal(t->shadow[0], 0);
    assert_int_equal(t->rom[0], 0xAA);
    assert_null(physmem_host_ptr(&t->pm, SHADOW_BASE, false));
    assert_non_null(physmem_host_ptr(&t->pm, ROM_BASE, false));
    assert_null(physmem_host_ptr(&t->pm, ROM_BASE, true));
}

/* The BIOS copies itself: writes to RAM while reads still see the ROM, then reads from
 * RAM with writes refused (write protected), then everything back to the ROM. */
static void test_routes_split_reads_and_writes(void **state)
{
    struct t *t = *state;
    uint32_t gen = t->pm.gen;
    assert_int_equal(physmem_shadow_route(&t->pm, ROM_BASE, 0x10000, PHYS_ROUTE_WRITE), 0);
    assert_int_not_equal(t->pm.gen, gen);
    for (uint32_t a = ROM_BASE; a < ROM_BASE + 0x10000; a += 4)
        physmem_write(&t->pm, a, 4, physmem_read(&t->pm, a, 4) ^ 0x01010101u);
    assert_int_equal(physmem_read(&t->pm, ROM_BASE, 4), 0xAAAAAAAAu); /* still the ROM */
    assert_int_equal(t->shadow[ROM_BASE - SHADOW_BASE], 0xAB);
    assert_ptr_equal(physmem_host_ptr(&t->pm, ROM_BASE, true), t->shadow + 0x30000);
    assert_ptr_equal(physmem_host_ptr(&t->pm, ROM_BASE, false), t->rom);

    assert_int_equal(physmem_shadow_route(&t->pm, ROM_BASE, 0x10000, PHYS_ROUTE_READ), 0);
    assert_int_equal(physmem_read(&t->pm, ROM_BASE + 0x100, 4), 0xABABABABu);
    physmem_write(&t->pm, ROM_BASE + 0x100, 4, 0);
    assert_int_equal(physmem_read(&t->pm, ROM_BASE + 0x100, 4), 0xABABABABu);
    assert_null(physmem_host_ptr(&t->pm, ROM_BASE, true));
    assert_int_equal(t->rom[0x100], 0xAA);

    gen = t->pm.gen;
    assert_int_equal(physmem_shadow_route(&t->pm, ROM_BASE, 0x10000, PHYS_ROUTE_READ), 0);
    assert_int_equal(t->pm.gen, gen); /* nothing changed: no flush */
    assert_int_equal(physmem_shadow_route(&t->pm, ROM_BASE, 0x10000, 0), 0);
    assert_int_equal(physmem_read(&t->pm, ROM_BASE + 0x100, 1), 0xAA);
}

static void test_accesses_across_differently_routed_pages(void **state)
{
    struct t *t = *state;
    /* 0xC0000-0xC0FFF reads RAM, 0xC1000 reads the empty bus. */
    assert_int_equal(physmem_shadow_route(&t->pm, SHADOW_BASE, 0x1000,
                                          PHYS_ROUTE_READ | PHYS_ROUTE_WRITE), 0);
    physmem_write(&t->pm, SHADOW_BASE + 0xFFE, 4, 0x44332211);
    assert_int_equal(t->shadow[0xFFE], 0x11);
    assert_int_equal(t->shadow[0xFFF], 0x22);
    assert_int_equal(t->shadow[0x1000], 0); /* that page's writes go nowhere */
    assert_int_equal(physmem_read(&t->pm, SHADOW_BASE + 0xFFE, 4), 0xFFFF2211u);
}

static void test_bad_shadow_requests_are_refused(void **state)
{
    struct t *t = *state;
    assert_null(physmem_add_shadow(&t->pm, SHADOW_BASE, 0x1000)); /* overlaps */
    assert_null(physmem_add_shadow(&t->pm, 0x100, 0x1000));       /* not page aligned */
    assert_int_equal(physmem_shadow_route(&t->pm, 0xB0000, 0x20000, PHYS_ROUTE_READ), -1);
    assert_int_equal(physmem_read(&t->pm, 0xB0000, 1), 0xFF);
    const struct region *r = physmem_region_at(&t->pm, SHADOW_BASE, false);
    assert_null(r);
    assert_int_equal(physmem_shadow_route(&t->pm, SHADOW_BASE, 0x4000, PHYS_ROUTE_READ), 0);
    r = physmem_region_at(&t->pm, SHADOW_BASE, false);
    assert_non_null(r);
    assert_int_equal(r->kind, REGION_RAM);
    assert_null(physmem_region_at(&t->pm, SHADOW_BASE, true));
}

/* A PCI BAR's memory: mapped nowhere at first, then where the BAR says, moved, unmapped;
 * a place over another region is refused and leaves it unmapped. */
static void test_placeable_region_moves(void **state)
{
    struct t *t = *state;
    int idx = physmem_add_placeable(&t->pm, REGION_RAM, 0x2000);
    assert_true(idx >= 0);
    uint8_t *host = t->pm.region[idx].host;
    host[0x1004] = 0x5A;
    assert_int_equal(physmem_read(&t->pm, 0xE0001004u, 1), 0xFF);
    uint32_t gen = t->pm.gen;
    assert_int_equal(physmem_place(&t->pm, (unsigned)idx, 0xE0000000u, true), 0);
    assert_true(t->pm.gen != gen);
    assert_int_equal(physmem_read(&t->pm, 0xE0001004u, 1), 0x5A);
    physmem_write(&t->pm, 0xE0000010u, 2, 0xBEEF);
    assert_int_equal(host[0x10], 0xEF);
    assert_int_equal(physmem_place(&t->pm, (unsigned)idx, 0xD0000000u, true), 0);
    assert_int_equal(physmem_read(&t->pm, 0xE0001004u, 1), 0xFF);
    assert_int_equal(physmem_read(&t->pm, 0xD0001004u, 1), 0x5A);
    assert_int_equal(physmem_place(&t->pm, (unsigned)idx, ROM_BASE - 0x1000, true), -1);
    assert_int_equal(physmem_read(&t->pm, 0xD0001004u, 1), 0xFF);
    assert_int_equal(physmem_read(&t->pm, ROM_BASE, 1), 0xAA);
    assert_int_equal(physmem_place(&t->pm, (unsigned)idx, 0xFFFFF000u, true), -1);
    assert_int_equal(physmem_place(&t->pm, (unsigned)idx, 0xD0000000u, false), 0);
    assert_int_equal(physmem_place(&t->pm, 0, 0xD0000000u, true), -1); /* not placeable */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shadow_starts_unrouted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_routes_split_reads_and_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accesses_across_differently_routed_pages, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_shadow_requests_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_placeable_region_moves, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
