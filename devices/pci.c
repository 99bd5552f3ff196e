#include "devices/pci.h"

#include <string.h>

#include "core/bits.h"

#define ADDR_ENABLE 0x80000000u

void pci_set8(struct pci_config *c, unsigned reg, uint8_t v)
{
    c->b[reg & 0xFF] = v;
}

void pci_set16(struct pci_config *c, unsigned reg, uint16_t v)
{
    store_le16(&c->b[reg & 0xFE], v);
}

void pci_set32(struct pci_config *c, unsigned reg, uint32_t v)
{
    store_le32(&c->b[reg & 0xFC], v);
}

uint32_t pci_get(const struct pci_config *c, unsigned reg, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && reg + i < 256; i++)
        v |= (uint32_t)c->b[reg + i] << (8 * i);
    return v;
}

void pci_wmask(struct pci_function *f, unsigned reg, unsigned n, uint8_t mask)
{
    for (unsigned i = 0; i < n && reg + i < 256; i++)
        f->wmask[reg + i] = mask;
}

void pci_header(struct pci_config *c, uint16_t vendor, uint16_t device, uint8_t revision,
                uint32_t class_code, uint8_t header_type)
{
    pci_set16(c, PCI_VENDOR_ID, vendor);
    pci_set16(c, PCI_DEVICE_ID, device);
    pci_set8(c, PCI_REVISION, revision);
    pci_set8(c, PCI_PROG_IF, (uint8_t)class_code);
    pci_set8(c, PCI_SUBCLASS, (uint8_t)(class_code >> 8));
    pci_set8(c, PCI_CLASS, (uint8_t)(class_code >> 16));
    pci_set8(c, PCI_HEADER_TYPE, header_type);
}

void pci_function_init(struct pci_function *f, struct pci_config *cfg)
{
    memset(f, 0, sizeof(*f));
    f->cfg = cfg;
}

static struct pci_function *lookup(struct pci_bus *bus, unsigned slot, unsigned func)
{
    if (slot >= PCI_SLOTS || func >= PCI_FUNCS)
        return NULL;
    /* A function other than 0 exists only behind a multi-function header. */
    struct pci_function *f0 = bus->fn[slot][0];
    if (!f0 || (func && !(f0->cfg->b[PCI_HEADER_TYPE] & 0x80)))
        return NULL;
    return bus->fn[slot][func];
}

uint32_t pci_config_read(struct pci_bus *bus, unsigned slot, unsigned func, unsigned reg,
                         unsigned size)
{
    struct pci_function *f = lookup(bus, slot, func);
    if (!f)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    return pci_get(f->cfg, reg, size);
}

void pci_config_write(struct pci_bus *bus, unsigned slot, unsigned func, unsigned reg,
                      unsigned size, uint32_t value)
{
    struct pci_function *f = lookup(bus, slot, func);
    if (!f)
        return;
    for (unsigned i = 0; i < size && reg + i < 256; i++) {
        unsigned r = reg + i;
        uint8_t v = (uint8_t)(value >> (8 * i));
        uint8_t old = f->cfg->b[r];
        uint8_t now = (uint8_t)((old & ~f->wmask[r]) | (v & f->wmask[r]));
        now &= (uint8_t)~(v & f->w1cmask[r]);
        f->cfg->b[r] = now;
    }
    if (f->written)
        f->written(f->opaque, reg, size);
}

/* The register CONFIG_DATA + offset addresses now, or -1 when disabled or off bus 0. */
static int decode(const struct pci_bus *bus, unsigned offset, unsigned *slot, unsigned *func)
{
    uint32_t a = bus->s.address;
    if (!(a & ADDR_ENABLE) || ((a >> 16) & 0xFF) != 0)
        return -1;
    *slot = (a >> 11) & 0x1F;
    *func = (a >> 8) & 7;
    return (int)((a & 0xFC) + offset);
}

static uint32_t data_read(void *opaque, uint16_t port, unsigned size)
{
    struct pci_bus *bus = opaque;
    unsigned slot, func;
    int reg = decode(bus, port & 3, &slot, &func);
    if (reg < 0)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    return pci_config_read(bus, slot, func, (unsigned)reg, size);
}

static void data_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pci_bus *bus = opaque;
    unsigned slot, func;
    int reg = decode(bus, port & 3, &slot, &func);
    if (reg >= 0)
        pci_config_write(bus, slot, func, (unsigned)reg, size, value);
}

static uint32_t addr_read(void *opaque, uint16_t port, unsigned size)
{
    struct pci_bus *bus = opaque;
    if (port == PCI_CONFIG_ADDRESS && size == 4)
        return bus->s.address;
    if (port == PCI_CONFIG_ADDRESS + 1 && size == 1 && bus->rcr_read)
        return bus->rcr_read(bus->rcr_opaque);
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static void addr_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pci_bus *bus = opaque;
    if (port == PCI_CONFIG_ADDRESS && size == 4)
        bus->s.address = value & 0x80FFFFFCu; /* reserved bits 30-24 and 1-0 read 0 */
    else if (port == PCI_CONFIG_ADDRESS + 1 && size == 1 && bus->rcr_write)
        bus->rcr_write(bus->rcr_opaque, (uint8_t)value);
}

int pci_bus_attach(struct pci_bus *bus, unsigned slot, unsigned func, struct pci_function *f)
{
    if (slot >= PCI_SLOTS || func >= PCI_FUNCS || bus->fn[slot][func])
        return -1;
    bus->fn[slot][func] = f;
    return 0;
}

void pci_bus_reset(struct pci_bus *bus)
{
    bus->s.address = 0;
}

int pci_bus_init(struct pci_bus *bus, struct iobus *io)
{
    memset(bus, 0, sizeof(*bus));
    const struct io_handler a = { .read = addr_read, .write = addr_write, .opaque = bus,
                                  .flags = IOBUS_WIDE };
    const struct io_handler d = { .read = data_read, .write = data_write, .opaque = bus,
                                  .flags = IOBUS_WIDE };
    if (iobus_register(io, PCI_CONFIG_ADDRESS, 4, &a) || iobus_register(io, PCI_CONFIG_DATA, 4, &d))
        return -1;
    return 0;
}

static const struct savestate_field pci_bus_fields[] = {
    SS_FIELD(struct pci_bus_state, address),
};
SAVESTATE_DESC(pci_bus_savestate, "pci", 1, pci_bus_fields);
