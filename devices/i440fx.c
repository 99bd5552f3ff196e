#include "devices/i440fx.h"

#include <string.h>

#define SMRAM_BASE 0xA0000u
#define SMRAM_SIZE 0x20000u
#define SMRAM_WMASK (I440FX_SMRAM_D_OPEN | I440FX_SMRAM_D_CLS | I440FX_SMRAM_D_LCK | \
                     I440FX_SMRAM_G_SMRAME)

static unsigned pam_route(unsigned field)
{
    return ((field & I440FX_PAM_RE) ? PHYS_ROUTE_READ : 0) |
           ((field & I440FX_PAM_WE) ? PHYS_ROUTE_WRITE : 0);
}

/* Memory follows PAM0-6 and SMRAM. physmem refuses a segment with no shadow RAM under it
 * (a -kernel machine), which is then left as it is. */
static void apply(struct i440fx *h)
{
    const struct pci_config *c = &h->cfg;
    uint8_t smram = c->b[I440FX_SMRAM];
    /* D_LCK: D_OPEN stays 0, and the lock bits are read only until reset. */
    h->fn.wmask[I440FX_SMRAM] = (smram & I440FX_SMRAM_D_LCK) ? I440FX_SMRAM_D_CLS : SMRAM_WMASK;
    if (!h->mem)
        return;
    physmem_shadow_route(h->mem, 0xF0000, 0x10000, pam_route(c->b[I440FX_PAM0] >> 4));
    for (unsigned n = 1; n <= 6; n++) {
        uint8_t pam = c->b[I440FX_PAM0 + n];
        uint32_t base = 0xC0000u + (n - 1) * 0x8000u;
        physmem_shadow_route(h->mem, base, 0x4000, pam_route(pam & 3));
        physmem_shadow_route(h->mem, base + 0x4000, 0x4000, pam_route(pam >> 4 & 3));
    }
    bool open = (smram & I440FX_SMRAM_G_SMRAME) &&
                ((smram & I440FX_SMRAM_D_OPEN) || h->smiact);
    physmem_shadow_route(h->mem, SMRAM_BASE, SMRAM_SIZE,
                         open ? PHYS_ROUTE_READ | PHYS_ROUTE_WRITE : 0);
}

static void written(void *opaque, unsigned reg, unsigned size)
{
    struct i440fx *h = opaque;
    if (reg + size <= I440FX_PAM0 || reg > I440FX_SMRAM)
        return;
    uint8_t *smram = &h->cfg.b[I440FX_SMRAM];
    if (*smram & I440FX_SMRAM_D_LCK)
        *smram &= (uint8_t)~I440FX_SMRAM_D_OPEN;
    apply(h);
}

void i440fx_set_smiact(struct i440fx *h, bool on)
{
    if (h->smiact == on)
        return;
    h->smiact = on;
    apply(h);
}

void i440fx_reset(struct i440fx *h)
{
    struct pci_config *c = &h->cfg;
    memset(c, 0, sizeof(*c));
    pci_header(c, 0x8086, 0x1237, 0x02, 0x060000, 0x00);
    pci_set16(c, PCI_COMMAND, 0x0006);   /* memory access and bus master enabled */
    pci_set16(c, PCI_STATUS, 0x0280);    /* fast back-to-back, DEVSEL# medium */
    pci_set16(c, 0x2C, 0x1AF4);          /* subsystem vendor: Red Hat (QEMU) */
    pci_set16(c, 0x2E, 0x1100);          /* subsystem: QEMU virtual machine */
    pci_set8(c, 0x53, 0x80);             /* DBC */
    pci_set8(c, 0x57, 0x01);             /* DRAMC */
    pci_set8(c, 0x58, 0x10);             /* DRAMT */
    for (unsigned i = 0; i < 8; i++)
        pci_set8(c, I440FX_DRB0 + i, 0x01); /* DRB: one 8 MiB row until firmware sizes RAM */
    pci_set8(c, 0x70, 0x20);             /* MTT */
    pci_set8(c, 0x71, 0x10);             /* CLT */
    pci_set8(c, I440FX_SMRAM, 0x02);     /* SMRAM: C_BASE_SEG = 010 (A0000) */
    apply(h);                            /* PAM 0: the ROMs and the VGA window again */
}

void i440fx_state_loaded(struct i440fx *h)
{
    apply(h);
}

int i440fx_init(struct i440fx *h, struct pci_bus *bus, struct physmem *mem)
{
    memset(h, 0, sizeof(*h));
    h->mem = mem;
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
    pci_wmask(f, I440FX_SMRAM, 1, SMRAM_WMASK); /* D_OPEN, D_CLS, D_LCK, G_SMRAME */
    pci_wmask(f, 0x90, 1, 0xFF);            /* ERRCMD */
    f->w1cmask[0x91] = 0xFF;                /* ERRSTS */
    pci_wmask(f, 0x93, 1, 0xFF);            /* TRC */
    f->written = written;
    f->opaque = h;
    i440fx_reset(h);
    return pci_bus_attach(bus, 0, 0, f);
}

static const struct savestate_field i440fx_fields[] = {
    SS_ARRAY(struct pci_config, b),
};
SAVESTATE_DESC(i440fx_savestate, "i440fx", 1, i440fx_fields);
