#include "devices/piix3_ide.h"

#include <string.h>

static const uint16_t cmd_base[2] = { 0x1F0, 0x170 };
static const uint16_t ctrl_port[2] = { 0x3F6, 0x376 };

static bool decoding(const struct piix3_ide *ide, unsigned c)
{
    const struct pci_config *cfg = &ide->s.cfg;
    return (cfg->b[PCI_COMMAND] & 0x01) &&
           (pci_get(cfg, PIIX3_IDE_IDETIM + 2 * c, 2) & 0x8000);
}

/* ---- Legacy ports ---- */

static uint32_t legacy_read(void *opaque, uint16_t port, unsigned size)
{
    struct piix3_ide *ide = opaque;
    unsigned c = (port & 0x80) ? 0 : 1; /* 0x1Fx/0x3F6 primary, 0x17x/0x376 secondary */
    if (!decoding(ide, c))
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    unsigned reg = port == ctrl_port[c] ? ATA_CTRL : (unsigned)(port - cmd_base[c]);
    return ata_read(&ide->ch[c], reg, size);
}

static void legacy_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct piix3_ide *ide = opaque;
    unsigned c = (port & 0x80) ? 0 : 1;
    if (!decoding(ide, c))
        return;
    unsigned reg = port == ctrl_port[c] ? ATA_CTRL : (unsigned)(port - cmd_base[c]);
    ata_write(&ide->ch[c], reg, size, value);
}

/* ---- Bus-master DMA ---- */

#define PRD_MAX 8192u /* descriptors walked per command at most (a 64 KiB table) */
#define CHUNK 4096u

static void run_dma(struct piix3_ide *ide, unsigned c)
{
    struct ata_channel *ch = &ide->ch[c];
    int dir = ata_dma_pending(ch);
    if (!dir || !(ide->s.bm_cmd[c] & BM_CMD_START) || !(ide->s.cfg.b[PCI_COMMAND] & 0x04))
        return;
    uint8_t tmp[CHUNK];
    uint32_t prd = ide->s.bm_prd[c];
    for (unsigned i = 0; i < PRD_MAX && ata_dma_pending(ch); i++, prd += 8) {
        uint32_t addr = physmem_read(ide->mem, prd, 4) & ~1u;
        uint32_t word = physmem_read(ide->mem, prd + 4, 4);
        uint32_t bytes = word & 0xFFFE;
        if (!bytes)
            bytes = 0x10000;
        while (bytes && ata_dma_pending(ch)) {
            uint32_t n = bytes < CHUNK ? bytes : CHUNK;
            if (dir == 2)
                for (uint32_t k = 0; k < n; k++)
                    tmp[k] = (uint8_t)physmem_read(ide->mem, addr + k, 1);
            size_t moved = ata_dma_rw(ch, tmp, n);
            if (dir == 1)
                for (size_t k = 0; k < moved; k++)
                    physmem_write(ide->mem, addr + (uint32_t)k, 1, tmp[k]);
            if (moved < n)
                break; /* the command ended: complete or failed */
            addr += n;
            bytes -= n;
        }
        if (word & 0x80000000u) { /* the end of the table: the bus master stops */
            ide->s.bm_status[c] &= (uint8_t)~BM_ST_ACTIVE;
            break;
        }
    }
}

static void dma_ready(void *opaque, unsigned c)
{
    run_dma(opaque, c);
}

static void intrq_changed(void *opaque, unsigned c, int level)
{
    struct piix3_ide *ide = opaque;
    if (level)
        ide->s.bm_status[c] |= BM_ST_INTR;
    irq_set(&ide->irq[c], level);
}

static uint32_t bm_read(void *opaque, uint16_t port, unsigned size)
{
    struct piix3_ide *ide = opaque;
    (void)size;
    unsigned off = (port - ide->bm_mapped) & 15, c = off >> 3;
    switch (off & 7) {
    case 0: return ide->s.bm_cmd[c];
    case 2: return ide->s.bm_status[c];
    case 4: case 5: case 6: case 7: return (uint8_t)(ide->s.bm_prd[c] >> (8 * (off & 3)));
    }
    return 0;
}

static void bm_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct piix3_ide *ide = opaque;
    (void)size;
    unsigned off = (port - ide->bm_mapped) & 15, c = off >> 3;
    uint8_t v = (uint8_t)value;
    switch (off & 7) {
    case 0: {
        uint8_t old = ide->s.bm_cmd[c];
        ide->s.bm_cmd[c] = v & (BM_CMD_START | BM_CMD_READ);
        if ((v & BM_CMD_START) && !(old & BM_CMD_START)) {
            ide->s.bm_status[c] |= BM_ST_ACTIVE;
            run_dma(ide, c);
        } else if (!(v & BM_CMD_START)) {
            ide->s.bm_status[c] &= (uint8_t)~BM_ST_ACTIVE;
        }
        break;
    }
    case 2:
        ide->s.bm_status[c] = (uint8_t)((ide->s.bm_status[c] & ~(0x60 | (v & 0x06))) |
                                        (v & 0x60));
        break;
    case 4: case 5: case 6: case 7: {
        unsigned sh = 8 * (off & 3);
        uint32_t p = (ide->s.bm_prd[c] & ~(0xFFu << sh)) | ((uint32_t)v << sh);
        ide->s.bm_prd[c] = p & ~3u;
        break;
    }
    }
}

/* The bus-master ports follow BMIBA and PCICMD's I/O space enable. */
static void map_bm(struct piix3_ide *ide)
{
    uint32_t base = pci_get(&ide->s.cfg, PIIX3_IDE_BMIBA, 4) & ~15u;
    if (!(ide->s.cfg.b[PCI_COMMAND] & 0x01) || base > 0xFFF0)
        base = 0;
    if (base == ide->bm_mapped)
        return;
    if (ide->bm_mapped)
        iobus_unregister(ide->io, (uint16_t)ide->bm_mapped, 16);
    ide->bm_mapped = 0;
    const struct io_handler h = { .read = bm_read, .write = bm_write, .opaque = ide };
    if (base && iobus_register(ide->io, (uint16_t)base, 16, &h) == 0)
        ide->bm_mapped = base; /* a range taken by another device is not decoded */
}

static void config_written(void *opaque, unsigned reg, unsigned size)
{
    (void)reg;
    (void)size;
    map_bm(opaque);
}

/* ---- Set-up ---- */

void piix3_ide_reset(struct piix3_ide *ide)
{
    struct pci_config *c = &ide->s.cfg;
    memset(&ide->s, 0, sizeof ide->s);
    pci_header(c, 0x8086, 0x7010, 0x00, 0x010180, 0x00);
    pci_set16(c, PCI_STATUS, 0x0280);     /* fast back-to-back, DEVSEL# medium */
    pci_set32(c, PIIX3_IDE_BMIBA, 0x00000001); /* an I/O BAR */
    map_bm(ide);
    ata_reset(&ide->ch[0]);
    ata_reset(&ide->ch[1]);
}

void piix3_ide_state_loaded(struct piix3_ide *ide)
{
    map_bm(ide);
    ata_state_loaded(&ide->ch[0]);
    ata_state_loaded(&ide->ch[1]);
}

void piix3_ide_enable(struct piix3_ide *ide)
{
    struct pci_config *c = &ide->s.cfg;
    c->b[PCI_COMMAND] |= 0x01;
    pci_set16(c, PIIX3_IDE_IDETIM, (uint16_t)(pci_get(c, PIIX3_IDE_IDETIM, 2) | 0x8000));
    pci_set16(c, PIIX3_IDE_IDETIM + 2, (uint16_t)(pci_get(c, PIIX3_IDE_IDETIM + 2, 2) | 0x8000));
    map_bm(ide);
}

int piix3_ide_init(struct piix3_ide *ide, struct pci_bus *bus, struct iobus *io,
                   struct physmem *mem, const struct irq_line *irq14,
                   const struct irq_line *irq15, struct disk *const disks[4])
{
    memset(ide, 0, sizeof *ide);
    ide->io = io;
    ide->mem = mem;
    if (irq14)
        ide->irq[0] = *irq14;
    if (irq15)
        ide->irq[1] = *irq15;
    for (unsigned c = 0; c < 2; c++) {
        ata_init(&ide->ch[c], c, disks ? disks[2 * c] : NULL, disks ? disks[2 * c + 1] : NULL);
        ide->ch[c].intrq_changed = intrq_changed;
        ide->ch[c].dma_ready = dma_ready;
        ide->ch[c].opaque = ide;
    }
    struct pci_function *f = &ide->fn;
    pci_function_init(f, &ide->s.cfg);
    f->written = config_written;
    f->opaque = ide;
    pci_wmask(f, PCI_COMMAND, 1, 0x05);       /* I/O space, bus master */
    f->w1cmask[PCI_STATUS + 1] = 0x38;        /* target/master abort status */
    pci_wmask(f, PCI_LATENCY, 1, 0xF0);
    pci_wmask(f, PIIX3_IDE_BMIBA, 1, 0xF0);
    /* Bits 31:16 are writable too, as firmware sizing a 16-byte I/O BAR expects (it
     * reads ~15 back); a base past 64 KiB decodes nothing. */
    pci_wmask(f, PIIX3_IDE_BMIBA + 1, 3, 0xFF);
    pci_wmask(f, PIIX3_IDE_IDETIM, 4, 0xFF);  /* IDETIM primary and secondary */
    pci_wmask(f, PIIX3_IDE_IDETIM + 1, 1, 0xF3);
    pci_wmask(f, PIIX3_IDE_IDETIM + 3, 1, 0xF3);
    pci_wmask(f, 0x44, 1, 0xFF);              /* SIDETIM */
    piix3_ide_reset(ide);
    const struct io_handler data = { .read = legacy_read, .write = legacy_write, .opaque = ide,
                                     .flags = IOBUS_WIDE };
    const struct io_handler regs = { .read = legacy_read, .write = legacy_write, .opaque = ide };
    for (unsigned c = 0; c < 2; c++) {
        if (iobus_register(io, cmd_base[c], 1, &data) ||
            iobus_register(io, (uint16_t)(cmd_base[c] + 1), 7, &regs) ||
            iobus_register(io, ctrl_port[c], 1, &regs))
            return -1;
    }
    return pci_bus_attach(bus, 1, 1, f);
}

static const struct savestate_field piix3_ide_fields[] = {
    SS_ARRAY(struct piix3_ide_state, cfg.b),
    SS_ARRAY(struct piix3_ide_state, bm_cmd),
    SS_ARRAY(struct piix3_ide_state, bm_status),
    SS_ARRAY(struct piix3_ide_state, bm_prd),
};
SAVESTATE_DESC(piix3_ide_savestate, "piix3-ide", 1, piix3_ide_fields);
