#include "devices/dma8237.h"

#include <string.h>

/* Which page register (port 0x80 + n) holds each channel's address bits 23-16. */
static const uint8_t page_of[8] = { 0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA };

enum { CMD_DISABLE = 0x04 };

static struct dma_controller *ctl(struct dma *d, unsigned ch)
{
    return &d->s.c[ch >> 2];
}

bool dma_channel_ready(const struct dma *d, unsigned ch)
{
    if (ch > 7)
        return false;
    const struct dma_controller *c = &d->s.c[ch >> 2];
    const struct dma_controller *c2 = &d->s.c[1];
    if ((c->command & CMD_DISABLE) || (c->mask >> (ch & 3) & 1) ||
        (c->ch[ch & 3].mode & 0xC0) == DMA_MODE_CASCADE)
        return false;
    /* DMA1 reaches the bus through DMA2's channel 4. */
    return ch >= 4 || (!(c2->command & CMD_DISABLE) && !(c2->mask & 1));
}

/* Runs the service routines of channels whose DREQ is up and which may run. */
static void kick(struct dma *d)
{
    for (unsigned ch = 0; ch < 8; ch++) {
        if (!ctl(d, ch)->ch[ch & 3].dreq || !d->service[ch] || (d->in_service >> ch & 1) ||
            !dma_channel_ready(d, ch))
            continue;
        d->in_service |= (uint8_t)(1u << ch);
        d->service[ch](d->opaque[ch], ch);
        d->in_service &= (uint8_t)~(1u << ch);
    }
}

void dma_set_dreq(struct dma *d, unsigned ch, bool level)
{
    if (ch > 7)
        return;
    ctl(d, ch)->ch[ch & 3].dreq = level;
    if (level)
        kick(d);
}

void dma_connect(struct dma *d, unsigned ch, dma_service_fn fn, void *opaque)
{
    if (ch > 7)
        return;
    d->service[ch] = fn;
    d->opaque[ch] = opaque;
}

size_t dma_transfer(struct dma *d, unsigned ch, uint8_t *buf, size_t n, bool *tc)
{
    if (tc)
        *tc = false;
    if (!dma_channel_ready(d, ch))
        return 0;
    struct dma_controller *c = ctl(d, ch);
    struct dma_channel *x = &c->ch[ch & 3];
    unsigned unit = ch >= 4 ? 2 : 1;
    uint8_t page = d->s.page[page_of[ch]];
    unsigned dir = x->mode & 0x0C;
    size_t moved = 0;
    while (moved + unit <= n) {
        uint32_t addr = ch >= 4 ? ((uint32_t)(page & 0xFE) << 16) | ((uint32_t)x->cur_addr << 1)
                                : ((uint32_t)page << 16) | x->cur_addr;
        for (unsigned k = 0; k < unit; k++) {
            if (dir == DMA_MODE_WRITE)
                physmem_write(d->mem, addr + k, 1, buf[moved + k]);
            else if (dir == DMA_MODE_READ)
                buf[moved + k] = (uint8_t)physmem_read(d->mem, addr + k, 1);
        }
        moved += unit;
        x->cur_addr = (uint16_t)(x->mode & DMA_MODE_DECREMENT ? x->cur_addr - 1
                                                              : x->cur_addr + 1);
        if (x->cur_count-- == 0) { /* past 0: terminal count */
            c->status |= (uint8_t)(1u << (ch & 3));
            c->request &= (uint8_t)~(1u << (ch & 3));
            if (x->mode & DMA_MODE_AUTOINIT) {
                x->cur_addr = x->base_addr;
                x->cur_count = x->base_count;
            } else {
                c->mask |= (uint8_t)(1u << (ch & 3));
            }
            if (tc)
                *tc = true;
            break;
        }
    }
    return moved;
}

static void master_clear(struct dma_controller *c)
{
    c->command = 0;
    c->status = 0;
    c->request = 0;
    c->flipflop = 0;
    c->mask = 0x0F;
}

/* ---- Ports ---- */

static uint8_t reg_read(struct dma *d, unsigned ci, unsigned reg)
{
    struct dma_controller *c = &d->s.c[ci];
    if (reg < 8) {
        struct dma_channel *x = &c->ch[reg >> 1];
        uint16_t v = reg & 1 ? x->cur_count : x->cur_addr;
        uint8_t b = c->flipflop ? (uint8_t)(v >> 8) : (uint8_t)v;
        c->flipflop ^= 1;
        return b;
    }
    switch (reg) {
    case 8: { /* status: TC bits clear on reading */
        uint8_t req = c->request;
        for (unsigned i = 0; i < 4; i++)
            if (c->ch[i].dreq)
                req |= (uint8_t)(1u << i);
        uint8_t v = (uint8_t)((c->status & 0x0F) | (req << 4));
        c->status &= (uint8_t)~0x0F;
        return v;
    }
    case 0xD:
        return 0; /* the temporary register: only memory-to-memory fills it */
    case 0xF:
        return (uint8_t)(0xF0 | c->mask); /* the PIIX3 reads back all mask bits */
    }
    return 0xFF;
}

static void reg_write(struct dma *d, unsigned ci, unsigned reg, uint8_t v)
{
    struct dma_controller *c = &d->s.c[ci];
    if (reg < 8) {
        struct dma_channel *x = &c->ch[reg >> 1];
        uint16_t *base = reg & 1 ? &x->base_count : &x->base_addr;
        uint16_t *cur = reg & 1 ? &x->cur_count : &x->cur_addr;
        *base = c->flipflop ? (uint16_t)((*base & 0x00FF) | (v << 8))
                            : (uint16_t)((*base & 0xFF00) | v);
        *cur = *base;
        c->flipflop ^= 1;
        return;
    }
    unsigned bit = 1u << (v & 3);
    switch (reg) {
    case 8: c->command = v; break;
    case 9:
        c->request = (uint8_t)(v & 4 ? c->request | bit : c->request & ~bit);
        break;
    case 0xA: c->mask = (uint8_t)(v & 4 ? c->mask | bit : c->mask & ~bit); break;
    case 0xB: c->ch[v & 3].mode = v & 0xFC; break;
    case 0xC: c->flipflop = 0; break;
    case 0xD: master_clear(c); break;
    case 0xE: c->mask = 0; break;
    case 0xF: c->mask = v & 0x0F; break;
    }
    kick(d); /* an unmask or enable may let a waiting device go on */
}

static uint32_t dma1_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    return reg_read(opaque, 0, port & 0x0F);
}

static void dma1_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    reg_write(opaque, 0, port & 0x0F, (uint8_t)value);
}

static uint32_t dma2_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    return reg_read(opaque, 1, (unsigned)(port - 0xC0) >> 1);
}

static void dma2_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    reg_write(opaque, 1, (unsigned)(port - 0xC0) >> 1, (uint8_t)value);
}

static uint32_t page_read(void *opaque, uint16_t port, unsigned size)
{
    const struct dma *d = opaque;
    (void)size;
    return d->s.page[port & 0x0F];
}

static void page_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct dma *d = opaque;
    (void)size;
    d->s.page[port & 0x0F] = (uint8_t)value;
}

void dma_reset(struct dma *d)
{
    memset(&d->s, 0, sizeof d->s);
    master_clear(&d->s.c[0]);
    master_clear(&d->s.c[1]);
}

int dma_init(struct dma *d, struct iobus *io, struct physmem *mem)
{
    memset(d, 0, sizeof *d);
    d->mem = mem;
    dma_reset(d);
    const struct io_handler h1 = { .read = dma1_read, .write = dma1_write, .opaque = d };
    const struct io_handler h2 = { .read = dma2_read, .write = dma2_write, .opaque = d };
    const struct io_handler hp = { .read = page_read, .write = page_write, .opaque = d };
    if (iobus_register(io, 0x00, 16, &h1) || iobus_register(io, 0xC0, 32, &h2) ||
        iobus_register(io, 0x81, 15, &hp))
        return -1;
    return 0;
}

static const struct savestate_field dma_channel_fields[] = {
    SS_FIELD(struct dma_channel, base_addr),
    SS_FIELD(struct dma_channel, cur_addr),
    SS_FIELD(struct dma_channel, base_count),
    SS_FIELD(struct dma_channel, cur_count),
    SS_FIELD(struct dma_channel, mode),
    SS_FIELD_RANGE(struct dma_channel, dreq, 0, 1),
    SS_ARRAY(struct dma_channel, pad),
};
static SAVESTATE_DESC(dma_channel_desc, "dma8237.channel", 1, dma_channel_fields);

static const struct savestate_field dma_controller_fields[] = {
    SS_STRUCTS(struct dma_controller, ch, dma_channel_desc),
    SS_FIELD(struct dma_controller, command),
    SS_FIELD(struct dma_controller, status),
    SS_FIELD_RANGE(struct dma_controller, mask, 0, 0x0F),
    SS_FIELD_RANGE(struct dma_controller, request, 0, 0x0F),
    SS_FIELD_RANGE(struct dma_controller, flipflop, 0, 1),
    SS_ARRAY(struct dma_controller, pad),
};
static SAVESTATE_DESC(dma_controller_desc, "dma8237.controller", 1, dma_controller_fields);

static const struct savestate_field dma_fields[] = {
    SS_STRUCTS(struct dma_state, c, dma_controller_desc),
    SS_ARRAY(struct dma_state, page),
};
SAVESTATE_DESC(dma_savestate, "dma8237", 1, dma_fields);
