#include "devices/piix3.h"

#include <string.h>

static uint8_t rcr_read(void *opaque)
{
    const struct piix3 *p = opaque;
    return p->s.rcr;
}

static void rcr_write(void *opaque, uint8_t v)
{
    struct piix3 *p = opaque;
    uint8_t old = p->s.rcr;
    p->s.rcr = v & PIIX3_RCR_SRST; /* RCPU is a trigger and reads back 0 */
    if (!(old & PIIX3_RCR_RCPU) && (v & PIIX3_RCR_RCPU))
        irq_pulse(&p->reset);
}

void piix3_reset(struct piix3 *p)
{
    struct pci_config *c = &p->s.cfg;
    memset(c, 0, sizeof(*c));
    pci_header(c, 0x8086, 0x7000, 0x00, 0x060100, 0x80);
    pci_set16(c, PCI_COMMAND, 0x0007);   /* I/O, memory, bus master */
    pci_set16(c, PCI_STATUS, 0x0200);    /* DEVSEL# medium */
    pci_set8(c, 0x4C, 0x4D);             /* IORT */
    pci_set16(c, 0x4E, 0x0003);          /* XBCS: RTC and keyboard controller decoded */
    for (unsigned i = 0; i < 4; i++)
        pci_set8(c, PIIX3_PIRQRC + i, 0x80);
    pci_set8(c, PIIX3_TOM, 0x02);
    pci_set8(c, 0x70, 0x80);             /* MBIRQ0 */
    pci_set8(c, 0x71, 0x80);             /* MBIRQ1 */
    pci_set16(c, 0x76, 0x0C0C);          /* MBDMA0/1 */
    pci_set16(c, 0x78, 0x0002);          /* PCSC */
    pci_set8(c, 0xA0, 0x08);             /* SMICNTL */
    pci_set8(c, 0xA8, 0x0F);             /* FTMR */
    p->s.rcr = 0;
}

int piix3_init(struct piix3 *p, struct pci_bus *bus, const struct irq_line *reset)
{
    memset(p, 0, sizeof(*p));
    if (reset)
        p->reset = *reset;
    pci_function_init(&p->fn, &p->s.cfg);
    struct pci_function *f = &p->fn;
    pci_wmask(f, PCI_COMMAND, 1, 0x08);     /* special cycle enable */
    f->w1cmask[PCI_STATUS + 1] = 0x78;      /* target/master abort status */
    pci_wmask(f, 0x4C, 1, 0x7F);            /* IORT */
    pci_wmask(f, 0x4E, 2, 0xFF);            /* XBCS */
    pci_wmask(f, PIIX3_PIRQRC, 4, 0x8F);    /* PIRQRC[A:D]: disable bit and IRQ */
    pci_wmask(f, PIIX3_TOM, 1, 0xFE);
    pci_wmask(f, 0x6A, 2, 0xFF);            /* MSTAT */
    pci_wmask(f, 0x70, 2, 0xCF);            /* MBIRQ0/1 */
    pci_wmask(f, 0x76, 2, 0x8F);            /* MBDMA0/1 */
    pci_wmask(f, 0x78, 2, 0xFF);            /* PCSC */
    pci_wmask(f, 0x80, 1, 0x3F);            /* APICBASE */
    pci_wmask(f, 0x82, 1, 0x0F);            /* DLC */
    pci_wmask(f, 0xA0, 15, 0xFF);           /* SMI control, enables, timers */
    piix3_reset(p);
    bus->rcr_read = rcr_read;
    bus->rcr_write = rcr_write;
    bus->rcr_opaque = p;
    return pci_bus_attach(bus, 1, 0, f);
}

static const struct savestate_field piix3_fields[] = {
    SS_ARRAY(struct piix3_state, cfg.b),
    SS_FIELD(struct piix3_state, rcr),
};
SAVESTATE_DESC(piix3_savestate, "piix3", 1, piix3_fields);
