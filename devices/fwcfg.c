#include "devices/fwcfg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WRITE_CHANNEL 0x4000u /* selector bit 14: ignored (fw_cfg.rst: writes are DMA only) */
#define FILE_ENTRY 64u        /* bytes per directory entry */
#define DMA_ACCESS 16u        /* bytes of the control structure */

static const uint8_t dma_signature[8] = { 'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G' };

static struct fwcfg_item *find(struct fwcfg *f, uint16_t key)
{
    for (unsigned i = 0; i < f->nitems; i++)
        if (f->item[i].key == key)
            return &f->item[i];
    return NULL;
}

static int put(struct fwcfg *f, uint16_t key, const void *data, uint32_t len)
{
    struct fwcfg_item *it = find(f, key);
    if (!it) {
        if (f->nitems == FWCFG_MAX_ITEMS)
            return -1;
        it = &f->item[f->nitems++];
        it->key = key;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    if (len)
        memcpy(copy, data, len);
    free(it->data);
    it->data = copy;
    it->len = len;
    return 0;
}

static void be32_put(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t be32_get(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t bswap32(uint32_t v)
{
    return v >> 24 | (v >> 8 & 0xFF00u) | (v << 8 & 0xFF0000u) | v << 24;
}

/* The selected item's byte at the current offset (0 past its end), advancing. */
static uint8_t next_byte(struct fwcfg *f)
{
    struct fwcfg_item *it = find(f, f->s.selector);
    if (!it || f->s.offset >= it->len)
        return 0;
    return it->data[f->s.offset++];
}

static void select_key(struct fwcfg *f, uint16_t key)
{
    f->s.selector = (uint16_t)(key & ~WRITE_CHANNEL);
    f->s.offset = 0;
}

/* Writes n bytes (src, or zeros when NULL) to guest physical memory at addr, a page at a
 * time: RAM directly, MMIO byte by byte, ROM and empty pages not at all (so that a
 * transfer over the whole empty 4 GiB space costs little). */
static void guest_write(struct fwcfg *f, uint32_t addr, const uint8_t *src, uint32_t n)
{
    struct physmem *pm = f->mem;
    while (n) {
        uint32_t k = PHYS_PAGE_SIZE - (addr & (PHYS_PAGE_SIZE - 1));
        if (k > n)
            k = n;
        uint8_t *host = physmem_host_ptr(pm, addr, true);
        if (host) {
            if (src)
                memcpy(host, src, k);
            else
                memset(host, 0, k);
        } else if (physmem_region_at(pm, addr, true) &&
                   physmem_region_at(pm, addr, true)->kind == REGION_MMIO) {
            for (uint32_t i = 0; i < k; i++)
                physmem_write(pm, addr + i, 1, src ? src[i] : 0);
        }
        if (src)
            src += k;
        addr += k;
        n -= k;
    }
}

/* One DMA operation on the control structure at addr (fw_cfg.rst, "Guest-side DMA
 * Interface"). */
static void dma_run(struct fwcfg *f, uint64_t addr)
{
    if (addr > 0x100000000ull - DMA_ACCESS)
        return; /* no memory answers there: nothing to read or write back */
    uint8_t acc[DMA_ACCESS];
    for (unsigned i = 0; i < DMA_ACCESS; i++)
        acc[i] = (uint8_t)physmem_read(f->mem, (uint32_t)addr + i, 1);
    uint32_t control = be32_get(acc), length = be32_get(acc + 4);
    uint64_t target = (uint64_t)be32_get(acc + 8) << 32 | be32_get(acc + 12);
    bool error = false;

    if (control & FWCFG_DMA_SELECT)
        select_key(f, (uint16_t)(control >> 16));
    if (control & FWCFG_DMA_READ) {
        if (target + length > 0x100000000ull) {
            error = true;
        } else {
            struct fwcfg_item *it = find(f, f->s.selector);
            uint32_t have = it && f->s.offset < it->len ? it->len - f->s.offset : 0;
            uint32_t n = have < length ? have : length;
            if (n)
                guest_write(f, (uint32_t)target, it->data + f->s.offset, n);
            if (length > n)
                guest_write(f, (uint32_t)target + n, NULL, length - n);
            f->s.offset += n;
        }
    } else if (control & FWCFG_DMA_WRITE) {
        error = true; /* every item is read only */
    } else if (control & FWCFG_DMA_SKIP) {
        struct fwcfg_item *it = find(f, f->s.selector);
        uint32_t len = it ? it->len : 0;
        uint64_t off = (uint64_t)f->s.offset + length;
        /* The offset stops at the item's end (and never moves back). */
        f->s.offset = off < len ? (uint32_t)off : f->s.offset > len ? f->s.offset : len;
    }
    uint8_t done[4];
    be32_put(done, error ? FWCFG_DMA_ERROR : 0);
    for (unsigned i = 0; i < 4; i++)
        physmem_write(f->mem, (uint32_t)addr + i, 1, done[i]);
}

static uint32_t fwcfg_read(void *opaque, uint16_t port, unsigned size)
{
    struct fwcfg *f = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        uint8_t b = 0;
        if (port == FWCFG_PORT_DATA) /* a wider read: the next bytes, in order */
            b = next_byte(f);
        else if (p >= FWCFG_PORT_DMA && p < FWCFG_PORT_DMA + 8)
            b = dma_signature[p - FWCFG_PORT_DMA];
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

static void fwcfg_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct fwcfg *f = opaque;
    if (port == FWCFG_PORT_SELECTOR && size >= 2) {
        select_key(f, (uint16_t)value);
    } else if (port == FWCFG_PORT_DMA && size == 4) {
        f->s.dma_high = bswap32(value);
    } else if (port == FWCFG_PORT_DMA + 4 && size == 4) {
        uint64_t addr = (uint64_t)f->s.dma_high << 32 | bswap32(value);
        f->s.dma_high = 0; /* the register reads 0 again after an operation */
        dma_run(f, addr);
    }
    /* Data writes, byte writes to the selector and partial DMA writes are ignored. */
}

void fwcfg_reset(struct fwcfg *f)
{
    memset(&f->s, 0, sizeof f->s);
}

int fwcfg_init(struct fwcfg *f, struct iobus *bus, struct physmem *mem)
{
    memset(f, 0, sizeof *f);
    f->mem = mem;
    uint8_t id[4] = { FWCFG_ID_TRADITIONAL | FWCFG_ID_DMA, 0, 0, 0 };
    uint8_t dir[4] = { 0 };
    if (put(f, FWCFG_SIGNATURE, "QEMU", 4) || put(f, FWCFG_ID, id, sizeof id) ||
        put(f, FWCFG_FILE_DIR, dir, sizeof dir))
        return -1;
    fwcfg_reset(f);
    const struct io_handler h = { .read = fwcfg_read, .write = fwcfg_write, .opaque = f,
                                  .flags = IOBUS_WIDE };
    if (iobus_register(bus, FWCFG_PORT_SELECTOR, 2, &h) ||
        iobus_register(bus, FWCFG_PORT_DMA, 8, &h))
        return -1;
    return 0;
}

void fwcfg_free(struct fwcfg *f)
{
    for (unsigned i = 0; i < f->nitems; i++) {
        free(f->item[i].data);
        f->item[i].data = NULL;
    }
    f->nitems = 0;
}

static bool own_key(uint16_t key)
{
    return key == FWCFG_SIGNATURE || key == FWCFG_ID || key == FWCFG_FILE_DIR;
}

int fwcfg_add(struct fwcfg *f, uint16_t key, const void *data, uint32_t len)
{
    key = (uint16_t)(key & ~WRITE_CHANNEL);
    if (own_key(key))
        return -1;
    return put(f, key, data, len);
}

/* The directory entry of the file called name; NULL when there is none. */
static uint8_t *dir_entry(struct fwcfg *f, const char *name)
{
    struct fwcfg_item *d = find(f, FWCFG_FILE_DIR);
    for (unsigned i = 0; i < f->nfiles; i++) {
        uint8_t *e = d->data + 4 + i * FILE_ENTRY;
        if (strcmp((const char *)e + 8, name) == 0)
            return e;
    }
    return NULL;
}

int fwcfg_set_file(struct fwcfg *f, const char *name, const void *data, uint32_t len)
{
    uint8_t *e = dir_entry(f, name);
    if (!e)
        return fwcfg_add_file(f, name, data, len);
    uint16_t key = (uint16_t)(e[4] << 8 | e[5]);
    if (put(f, key, data, len))
        return -1;
    be32_put(e, len);
    return key;
}

int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data, uint32_t len)
{
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen >= FWCFG_NAME_MAX || f->nfiles == FWCFG_MAX_FILES ||
        dir_entry(f, name))
        return -1;
    struct fwcfg_item *d = find(f, FWCFG_FILE_DIR);
    uint16_t key = (uint16_t)(FWCFG_FILE_FIRST + f->nfiles);
    if (put(f, key, data, len))
        return -1;
    /* The directory grows by one entry. */
    uint32_t dlen = 4 + (f->nfiles + 1) * FILE_ENTRY;
    uint8_t *dir = calloc(1, dlen);
    if (!dir)
        return -1;
    memcpy(dir, d->data, d->len);
    be32_put(dir, f->nfiles + 1);
    uint8_t *e = dir + 4 + f->nfiles * FILE_ENTRY;
    be32_put(e, len);
    e[4] = (uint8_t)(key >> 8);
    e[5] = (uint8_t)key;
    memcpy(e + 8, name, nlen);
    free(d->data);
    d->data = dir;
    d->len = dlen;
    f->nfiles++;
    return key;
}

static const struct savestate_field fwcfg_fields[] = {
    SS_FIELD(struct fwcfg_state, selector),
    SS_ARRAY(struct fwcfg_state, pad),
    SS_FIELD(struct fwcfg_state, offset),
    SS_FIELD(struct fwcfg_state, dma_high),
};
SAVESTATE_DESC(fwcfg_savestate, "fwcfg", 1, fwcfg_fields);
