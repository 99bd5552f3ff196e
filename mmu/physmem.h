/* Guest physical memory: RAM, ROM and MMIO regions on 4 KiB granularity, and the A20 gate.
 *
 * A page map (one entry per 4 KiB page of the 4 GiB space) names the region that owns each
 * page. RAM and ROM have host storage; MMIO pages call their device. Unclaimed addresses
 * read as all ones and ignore writes, as an empty bus does. */
#ifndef ORRERY_MMU_PHYSMEM_H
#define ORRERY_MMU_PHYSMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHYS_PAGE_SHIFT 12
#define PHYS_PAGE_SIZE (1u << PHYS_PAGE_SHIFT)
#define PHYS_PAGES (1u << (32 - PHYS_PAGE_SHIFT))

typedef uint32_t (*mmio_read_fn)(void *opaque, uint32_t addr, unsigned size);
typedef void (*mmio_write_fn)(void *opaque, uint32_t addr, unsigned size, uint32_t value);

enum region_kind { REGION_RAM, REGION_ROM, REGION_MMIO };

struct region {
    enum region_kind kind;
    uint32_t base, size;
    uint8_t *host; /* RAM/ROM storage, owned by physmem */
    mmio_read_fn read;
    mmio_write_fn write;
    void *opaque;
    uint8_t placeable; /* moved by its device (a PCI BAR): physmem_place */
    uint8_t mapped;    /* placeable: base is where it shows now; 0: nowhere */
};

#define PHYSMEM_MAX_REGIONS 32

/* Where a page of shadow RAM sends each kind of access (physmem_shadow_route). */
enum { PHYS_ROUTE_READ = 1u << 0, PHYS_ROUTE_WRITE = 1u << 1 };

struct physmem {
    uint8_t *page_region; /* PHYS_PAGES entries: region index + 1, 0 = unclaimed */
    /* Shadow RAM, allocated with the first: per page the region index + 1 of the RAM under
     * it (0 = none), and the PHYS_ROUTE_* bits of the accesses that go to that RAM rather
     * than to page_region's view. */
    uint8_t *page_shadow;
    uint8_t *page_route;
    struct region region[PHYSMEM_MAX_REGIONS];
    unsigned nregions;
    uint32_t a20_mask;    /* 0xFFFFFFFF with A20 on; bit 20 clear with it off */
    uint8_t *dirty;       /* optional bitmap, one bit per page written since last clear */
    uint8_t *code;        /* bitmap, one bit per page holding translated code */
    /* Bumped whenever something a TLB caches about physical memory changes: the A20 gate,
     * the region map, a page becoming code, the dirty bitmap being cleared. A CPU compares
     * it with the value its TLB was filled under and flushes when they differ; devices
     * cannot call into cpu/ (DESIGN.md), so this is how they reach the TLB. */
    uint32_t gen;
    /* Told of every write that reaches RAM in a page whose code bit is set, before the
     * bytes change: the CPU's slow path, devices' DMA (physmem_write), and host pointers
     * handed out for writing (physmem_host_ptr: the rest of the page). host is where the
     * bytes live, so that two views of one address (shadow RAM) stay apart. */
    void (*code_write)(void *opaque, uint32_t addr, const uint8_t *host, unsigned size);
    void (*code_free)(void *opaque); /* called by physmem_free: the watcher lives as long */
    void *code_opaque;
};

int physmem_init(struct physmem *pm);
void physmem_free(struct physmem *pm);
/* Regions must be page aligned and must not overlap. Return the host pointer or NULL. */
uint8_t *physmem_add_ram(struct physmem *pm, uint32_t base, uint32_t size);
uint8_t *physmem_add_rom(struct physmem *pm, uint32_t base, uint32_t size);
int physmem_add_mmio(struct physmem *pm, uint32_t base, uint32_t size, mmio_read_fn rd,
                     mmio_write_fn wr, void *opaque);

/* A region its device moves, as a PCI BAR moves a device's memory: RAM or ROM storage of
 * size bytes (page aligned), owned by physmem and mapped nowhere until physmem_place.
 * Returns its index, or -1. */
int physmem_add_placeable(struct physmem *pm, enum region_kind kind, uint32_t size);
/* Maps placeable region idx at base (page aligned), or unmaps it when map is false. A
 * place that leaves the 4 GiB space or overlaps another region leaves it unmapped and
 * returns -1 (a guest may program a BAR anywhere; what it covers is not ours to take).
 * A change bumps gen. */
int physmem_place(struct physmem *pm, unsigned idx, uint32_t base, bool map);

/* Shadow RAM: RAM under another view of the same addresses — a ROM, MMIO or the empty
 * bus — that a chipset switches reads and writes to, separately (the i440FX's PAM
 * registers over the BIOS and option ROM area, SMRAM over the VGA window). It starts
 * with no access routed to it; its bytes are saved as RAM. Page aligned, not overlapping
 * another shadow; it may lie under anything or nothing. Returns the host pointer or NULL. */
uint8_t *physmem_add_shadow(struct physmem *pm, uint32_t base, uint32_t size);
/* Routes the accesses of [base, base + size) named by `route` (PHYS_ROUTE_* bits) to the
 * shadow RAM and the others to the view above it. Every page must have shadow RAM
 * (returns -1 and changes nothing otherwise). A change bumps gen. */
int physmem_shadow_route(struct physmem *pm, uint32_t base, uint32_t size, unsigned route);
/* The region a read or a write of addr reaches, after shadow routing; NULL: nothing. */
const struct region *physmem_region_at(const struct physmem *pm, uint32_t addr, bool write);

static inline void physmem_set_a20(struct physmem *pm, bool on)
{
    uint32_t m = on ? 0xFFFFFFFFu : ~(1u << 20);
    if (m != pm->a20_mask) {
        pm->a20_mask = m;
        pm->gen++;
    }
}

/* Host pointer for RAM (writable) or ROM (read only) at addr, else NULL. The pointer is
 * valid to the end of the 4 KiB page. */
uint8_t *physmem_host_ptr(struct physmem *pm, uint32_t addr, bool write);

/* Tells physmem that [addr, addr + size) of RAM was changed through a host pointer it
 * handed out earlier (physmem_add_ram's, a test rig's): code translated from those bytes
 * is dropped. Call it before the CPU runs again. */
void physmem_wrote(struct physmem *pm, uint32_t addr, uint32_t size);

/* Byte-granular slow-path access; size 1, 2 or 4, may cross pages and regions. */
uint32_t physmem_read(struct physmem *pm, uint32_t addr, unsigned size);
void physmem_write(struct physmem *pm, uint32_t addr, unsigned size, uint32_t value);

/* Dirty-page tracking, used by test rigs to find every byte a guest changed. */
int physmem_track_dirty(struct physmem *pm, bool on);
static inline bool physmem_page_dirty(const struct physmem *pm, uint32_t page)
{
    return pm->dirty && (pm->dirty[page >> 3] >> (page & 7) & 1);
}
void physmem_clear_dirty(struct physmem *pm);

/* Pages holding translated code (page = address >> 12). Writes to them must take the CPU's
 * slow path so the translator sees them; setting a bit therefore bumps gen. */
void physmem_code_set(struct physmem *pm, uint32_t page);
static inline void physmem_code_clear(struct physmem *pm, uint32_t page)
{
    page &= PHYS_PAGES - 1;
    pm->code[page >> 3] &= (uint8_t)~(1u << (page & 7));
}
static inline bool physmem_code_test(const struct physmem *pm, uint32_t page)
{
    page &= PHYS_PAGES - 1;
    return pm->code[page >> 3] >> (page & 7) & 1;
}

#endif
