#include "mmu/physmem.h"

#include <stdlib.h>
#include <string.h>

#include "core/bits.h"

int physmem_init(struct physmem *pm)
{
    memset(pm, 0, sizeof(*pm));
    pm->page_region = calloc(PHYS_PAGES, 1);
    pm->code = calloc(PHYS_PAGES / 8, 1);
    pm->a20_mask = 0xFFFFFFFFu;
    return pm->page_region && pm->code ? 0 : -1;
}

void physmem_free(struct physmem *pm)
{
    if (pm->code_free)
        pm->code_free(pm->code_opaque);
    pm->code_write = NULL;
    pm->code_free = NULL;
    for (unsigned i = 0; i < pm->nregions; i++)
        free(pm->region[i].host);
    free(pm->page_region);
    free(pm->page_shadow);
    free(pm->page_route);
    free(pm->dirty);
    free(pm->code);
    memset(pm, 0, sizeof(*pm));
}

static struct region *add_region(struct physmem *pm, enum region_kind kind, uint32_t base,
                                 uint32_t size)
{
    if (size == 0 || (base | size) & (PHYS_PAGE_SIZE - 1) || (uint64_t)base + size > (1ull << 32))
        return NULL;
    if (pm->nregions == PHYSMEM_MAX_REGIONS)
        return NULL;
    uint32_t first = base >> PHYS_PAGE_SHIFT, n = size >> PHYS_PAGE_SHIFT;
    for (uint32_t i = 0; i < n; i++)
        if (pm->page_region[first + i])
            return NULL;
    struct region *r = &pm->region[pm->nregions];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->base = base;
    r->size = size;
    if (kind != REGION_MMIO) {
        r->host = calloc(size, 1);
        if (!r->host)
            return NULL;
    }
    pm->nregions++;
    pm->gen++;
    for (uint32_t i = 0; i < n; i++)
        pm->page_region[first + i] = (uint8_t)pm->nregions;
    return r;
}

uint8_t *physmem_add_ram(struct physmem *pm, uint32_t base, uint32_t size)
{
    struct region *r = add_region(pm, REGION_RAM, base, size);
    return r ? r->host : NULL;
}

uint8_t *physmem_add_rom(struct physmem *pm, uint32_t base, uint32_t size)
{
    struct region *r = add_region(pm, REGION_ROM, base, size);
    return r ? r->host : NULL;
}

int physmem_add_mmio(struct physmem *pm, uint32_t base, uint32_t size, mmio_read_fn rd,
                     mmio_write_fn wr, void *opaque)
{
    struct region *r = add_region(pm, REGION_MMIO, base, size);
    if (!r)
        return -1;
    r->read = rd;
    r->write = wr;
    r->opaque = opaque;
    return 0;
}

int physmem_add_placeable(struct physmem *pm, enum region_kind kind, uint32_t size)
{
    if (size == 0 || size & (PHYS_PAGE_SIZE - 1) || kind == REGION_MMIO ||
        pm->nregions == PHYSMEM_MAX_REGIONS)
        return -1;
    struct region *r = &pm->region[pm->nregions];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->size = size;
    r->placeable = 1;
    r->host = calloc(size, 1);
    if (!r->host)
        return -1;
    return (int)pm->nregions++;
}

static void set_pages(struct physmem *pm, uint32_t base, uint32_t size, uint8_t v)
{
    uint32_t first = base >> PHYS_PAGE_SHIFT, n = size >> PHYS_PAGE_SHIFT;
    for (uint32_t i = 0; i < n; i++)
        pm->page_region[first + i] = v;
}

int physmem_place(struct physmem *pm, unsigned idx, uint32_t base, bool map)
{
    if (idx >= pm->nregions || !pm->region[idx].placeable)
        return -1;
    struct region *r = &pm->region[idx];
    if (map && r->mapped && r->base == base)
        return 0;
    if (r->mapped) {
        set_pages(pm, r->base, r->size, 0);
        r->mapped = 0;
        pm->gen++;
    }
    if (!map)
        return 0;
    if (base & (PHYS_PAGE_SIZE - 1) || (uint64_t)base + r->size > (1ull << 32))
        return -1;
    uint32_t first = base >> PHYS_PAGE_SHIFT, n = r->size >> PHYS_PAGE_SHIFT;
    for (uint32_t i = 0; i < n; i++)
        if (pm->page_region[first + i])
            return -1;
    r->base = base;
    r->mapped = 1;
    set_pages(pm, base, r->size, (uint8_t)(idx + 1));
    pm->gen++;
    return 0;
}

uint8_t *physmem_add_shadow(struct physmem *pm, uint32_t base, uint32_t size)
{
    if (size == 0 || (base | size) & (PHYS_PAGE_SIZE - 1) || (uint64_t)base + size > (1ull << 32) ||
        pm->nregions == PHYSMEM_MAX_REGIONS)
        return NULL;
    if (!pm->page_shadow) {
        pm->page_shadow = calloc(PHYS_PAGES, 1);
        pm->page_route = calloc(PHYS_PAGES, 1);
        if (!pm->page_shadow || !pm->page_route)
            return NULL;
    }
    uint32_t first = base >> PHYS_PAGE_SHIFT, n = size >> PHYS_PAGE_SHIFT;
    for (uint32_t i = 0; i < n; i++)
        if (pm->page_shadow[first + i])
            return NULL;
    struct region *r = &pm->region[pm->nregions];
    memset(r, 0, sizeof(*r));
    r->kind = REGION_RAM;
    r->base = base;
    r->size = size;
    r->host = calloc(size, 1);
    if (!r->host)
        return NULL;
    pm->nregions++;
    for (uint32_t i = 0; i < n; i++) {
        pm->page_shadow[first + i] = (uint8_t)pm->nregions;
        pm->page_route[first + i] = 0;
    }
    return r->host;
}

int physmem_shadow_route(struct physmem *pm, uint32_t base, uint32_t size, unsigned route)
{
    if ((base | size) & (PHYS_PAGE_SIZE - 1) || (uint64_t)base + size > (1ull << 32) ||
        !pm->page_shadow)
        return -1;
    uint32_t first = base >> PHYS_PAGE_SHIFT, n = size >> PHYS_PAGE_SHIFT;
    for (uint32_t i = 0; i < n; i++)
        if (!pm->page_shadow[first + i])
            return -1;
    route &= PHYS_ROUTE_READ | PHYS_ROUTE_WRITE;
    bool changed = false;
    for (uint32_t i = 0; i < n; i++) {
        changed |= pm->page_route[first + i] != route;
        pm->page_route[first + i] = (uint8_t)route;
    }
    if (changed)
        pm->gen++; /* cached translations may point at the other view */
    return 0;
}

/* The region an access reaches: the shadow RAM when the page routes this kind of access
 * there, else the page's own region. */
static struct region *region_for(const struct physmem *pm, uint32_t addr, bool write)
{
    uint32_t page = addr >> PHYS_PAGE_SHIFT;
    if (pm->page_shadow && pm->page_shadow[page] &&
        (pm->page_route[page] & (write ? PHYS_ROUTE_WRITE : PHYS_ROUTE_READ)))
        return (struct region *)&pm->region[pm->page_shadow[page] - 1];
    uint8_t idx = pm->page_region[page];
    return idx ? (struct region *)&pm->region[idx - 1] : NULL;
}

const struct region *physmem_region_at(const struct physmem *pm, uint32_t addr, bool write)
{
    return region_for(pm, addr, write);
}

/* An access of size bytes at addr stays in region r (as seen from addr's page): inside it,
 * and not crossing into a page that shadow routing may send elsewhere. */
static bool whole_in(const struct physmem *pm, const struct region *r, uint32_t addr,
                     unsigned size)
{
    if (!r || addr - r->base > r->size - size)
        return false;
    return !pm->page_shadow || (addr & (PHYS_PAGE_SIZE - 1)) <= PHYS_PAGE_SIZE - size;
}

static void mark_dirty(struct physmem *pm, uint32_t addr)
{
    uint32_t page = addr >> PHYS_PAGE_SHIFT;
    if (pm->dirty)
        pm->dirty[page >> 3] |= (uint8_t)(1u << (page & 7));
}

/* A write of size bytes at addr (host: where they live) is about to change RAM. */
static inline void code_written(struct physmem *pm, uint32_t addr, const uint8_t *host,
                                unsigned size)
{
    if (pm->code_write && (physmem_code_test(pm, addr >> PHYS_PAGE_SHIFT) ||
                           physmem_code_test(pm, (addr + size - 1) >> PHYS_PAGE_SHIFT)))
        pm->code_write(pm->code_opaque, addr, host, size);
}

uint8_t *physmem_host_ptr(struct physmem *pm, uint32_t addr, bool write)
{
    struct region *r = region_for(pm, addr, write);
    if (!r || r->kind == REGION_MMIO || (write && r->kind == REGION_ROM))
        return NULL;
    uint8_t *host = r->host + (addr - r->base);
    if (write) {
        mark_dirty(pm, addr);
        /* The caller may write anywhere to the end of the page. */
        code_written(pm, addr, host, PHYS_PAGE_SIZE - (addr & (PHYS_PAGE_SIZE - 1)));
    }
    return host;
}

void physmem_wrote(struct physmem *pm, uint32_t addr, uint32_t size)
{
    while (size) {
        uint32_t in_page = PHYS_PAGE_SIZE - (addr & (PHYS_PAGE_SIZE - 1));
        uint32_t n = size < in_page ? size : in_page;
        struct region *r = region_for(pm, addr, true);
        if (r && r->kind == REGION_RAM)
            code_written(pm, addr, r->host + (addr - r->base), n);
        addr += n;
        size -= n;
    }
}

static uint8_t read_byte(struct physmem *pm, uint32_t addr)
{
    struct region *r = region_for(pm, addr, false);
    if (!r)
        return 0xFF;
    if (r->kind == REGION_MMIO)
        return (uint8_t)r->read(r->opaque, addr - r->base, 1);
    return r->host[addr - r->base];
}

static void write_byte(struct physmem *pm, uint32_t addr, uint8_t v)
{
    struct region *r = region_for(pm, addr, true);
    if (!r || r->kind == REGION_ROM)
        return;
    if (r->kind == REGION_MMIO) {
        r->write(r->opaque, addr - r->base, 1, v);
        return;
    }
    mark_dirty(pm, addr);
    code_written(pm, addr, &r->host[addr - r->base], 1);
    r->host[addr - r->base] = v;
}

uint32_t physmem_read(struct physmem *pm, uint32_t addr, unsigned size)
{
    struct region *r = region_for(pm, addr, false);
    /* A whole access inside one region: MMIO goes to the device at its width, RAM and ROM
     * are read in one piece. */
    if (whole_in(pm, r, addr, size)) {
        if (r->kind == REGION_MMIO)
            return r->read(r->opaque, addr - r->base, size);
        const uint8_t *p = r->host + (addr - r->base);
        return load_le(p, size);
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)read_byte(pm, addr + i) << (8 * i);
    return v;
}

void physmem_write(struct physmem *pm, uint32_t addr, unsigned size, uint32_t value)
{
    struct region *r = region_for(pm, addr, true);
    if (r && r->kind != REGION_ROM && whole_in(pm, r, addr, size)) {
        if (r->kind == REGION_MMIO) {
            r->write(r->opaque, addr - r->base, size, value);
            return;
        }
        uint8_t *p = r->host + (addr - r->base);
        mark_dirty(pm, addr);
        mark_dirty(pm, addr + size - 1); /* the access may cross a page of the region */
        code_written(pm, addr, p, size);
        store_le(p, size, value);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        write_byte(pm, addr + i, (uint8_t)(value >> (8 * i)));
}

int physmem_track_dirty(struct physmem *pm, bool on)
{
    pm->gen++;
    free(pm->dirty);
    pm->dirty = on ? calloc(PHYS_PAGES / 8, 1) : NULL;
    return on && !pm->dirty ? -1 : 0;
}

/* TLB write entries mark their page dirty when filled (physmem_host_ptr), so they must be
 * refilled after a clear: the generation bump makes the CPU drop them. */
void physmem_clear_dirty(struct physmem *pm)
{
    if (pm->dirty) {
        memset(pm->dirty, 0, PHYS_PAGES / 8);
        pm->gen++;
    }
}

void physmem_code_set(struct physmem *pm, uint32_t page)
{
    page &= PHYS_PAGES - 1;
    uint8_t bit = (uint8_t)(1u << (page & 7));
    if (!(pm->code[page >> 3] & bit)) {
        pm->code[page >> 3] |= bit;
        pm->gen++;
    }
}
