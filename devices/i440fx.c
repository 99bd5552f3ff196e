#include "devices/i440fx.h"

#include <string.h>

void i440fx_reset(struct i440fx *h)
{
    struct pci_config *c = &h->cfg;
    memset(c, 0, sizeof(*c));
    pci_header(c, 0x8086, 0x1237, 0x02, 0x060000, 0x00);
    pci_set16(c, PCI_COMMAND, 0x0006);   /* memory access and bus master enabled */
    pci_set16(c, PCI_STATUS, 0x0280);    /* fast back-to-back, DEVSEL# medium */
    pci_set8(c, 0x53, 0x80);             /* DBC */
    pci_set8(c, 0x57, 0x01);             /* DRAMC */
    pci_set8(c, 0x58, 0x10);             /* DRAMT */
    for (unsigned i = 0; i < 8; i++)
        pci_set8(c, I440FX_DRB0 + i, 0x01); /* DRB: one 8 MiB row until firmware sizes RAM */
    pci_set8(c, 0x70, 0x20);             /* MTT */
    pci_set8(c, 0x71, 0x10);             /* CLT */
    pci_set8(c, I440FX_SMRAM, 0x02);     /* SMRAM: C_BASE_SEG = 010 (A0000) */
}

int i440fx_init(struct i440fx *h, struct pci_bus *bus)
{
    memset(h, 0, sizeof(*h));
    pci_function_init(&h->fn, &h->cfg);
    struct pci_function *f = &h->fn;
    pci_wmask(f, PCI_COMMAND, 1, 0x40);     /* parity error response */
    pci_wmask(f, PCI_COMMAND + 1, 1, 0x01); /* SERR# enable */
    f->w1cmask[PCI_STATUS + 1] = 0xF9;      /* error status bits */
    pci_wmask(f, PCI_LATENCY, 1, 0xF8);
    pci_wmask(f, 0x50, 2, 0xFF);            /* PMCCFG */
    pci_wmask(f, 0x52, 6, 0xFF);            /* DETURBO, DBC, AXC, DRAMR, DRAMC */
    pci_wmask(f, 0x58, 1, 0xFF);            /* DRAMT */
    pci_wmask(f, I440FX_PAM0, 7, 0x33);     /* PAM0-6: read/write enables per half */
    f->wmask[I440FX_PAM0] = 0x30;           /* PAM0 covers only F0000-FFFFF */
    pci_wmask(f, I440FX_DRB0, 9, 0xFF);     /* DRB0-7, FDHC */
    pci_wmask(f, 0x70, 2, 0xFF);            /* MTT, CLT */
    pci_wmask(f, I440FX_SMRAM, 1, 0x78);    /* D_OPEN, D_CLS, D_LCK, G_SMRAME */
    pci_wmask(f, 0x90, 1, 0xFF);            /* ERRCMD */
    f->w1cmask[0x91] = 0xFF;                /* ERRSTS */
    pci_wmask(f, 0x93, 1, 0xFF);            /* TRC */
    i440fx_reset(h);
    return pci_bus_attach(bus, 0, 0, f);
}

static const struct savestate_field i440fx_fields[] = {
    SS_ARRAY(struct pci_config, b),
};
SAVESTATE_DESC(i440fx_savestate, "i440fx", 1, i440fx_fields);
