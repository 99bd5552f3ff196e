/* The Intel 82441FX PCI and memory controller (PMC) of the 440FX chipset: the host bridge
 * at 00:00.0, vendor 8086, device 1237, revision 02, class 060000 (82441FX datasheet,
 * "PCI configuration space").
 *
 * Its registers hold their datasheet reset values and are writable where the datasheet
 * says so: PMCCFG, DETURBO, DBC, AXC, DRAMR, DRAMC, DRAMT, PAM0-6 (0x59-0x5F), DRB0-7
 * (0x60-0x67), FDHC, MTT, CLT, SMRAM, ERRCMD/ERRSTS, TRC. PAM and SMRAM are stored but do
 * not yet change the memory map (the BIOS area stays ROM); firmware that shadows itself
 * needs that next. */
#ifndef ORRERY_DEVICES_I440FX_H
#define ORRERY_DEVICES_I440FX_H

#include "devices/pci.h"

enum { I440FX_PAM0 = 0x59, I440FX_DRB0 = 0x60, I440FX_SMRAM = 0x72 };

struct i440fx {
    struct pci_config cfg;     /* state */
    struct pci_function fn;    /* wiring */
};

int i440fx_init(struct i440fx *h, struct pci_bus *bus);
void i440fx_reset(struct i440fx *h);

extern const struct savestate_desc i440fx_savestate; /* describes struct pci_config */

#endif
