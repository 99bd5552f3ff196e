/* The Intel 82441FX PCI and memory controller (PMC) of the 440FX chipset: the host bridge
 * at 00:00.0, vendor 8086, device 1237, revision 02, class 060000 (82441FX datasheet,
 * "PCI configuration space"), with QEMU's subsystem IDs (1AF4:1100), by which SeaBIOS
 * knows it runs on an emulated i440FX.
 *
 * Its registers hold their datasheet reset values and are writable where the datasheet
 * says so: PMCCFG, DETURBO, DBC, AXC, DRAMR, DRAMC, DRAMT, PAM0-6 (0x59-0x5F), DRB0-7
 * (0x60-0x67), FDHC, MTT, CLT, SMRAM, ERRCMD/ERRSTS, TRC.
 *
 * PAM and SMRAM act on memory through physmem's shadow RAM. Each PAM field covers a
 * segment — PAM0 bits 5:4 0xF0000-0xFFFFF, PAMn (n = 1-6) bits 1:0 and 5:4 the two 16 KiB
 * halves of 0xC0000 + (n - 1) * 32 KiB — and its read enable (bit 0) and write enable
 * (bit 1) send reads and writes to DRAM; a clear bit sends them to PCI (the BIOS ROM, an
 * option ROM, or nothing). SMRAM: with G_SMRAME and D_OPEN set, 0xA0000-0xBFFFF is DRAM
 * instead of the VGA window, and so it is while the CPU is in system management mode
 * (SMIACT#, i440fx_set_smiact) with G_SMRAME set (D_CLS, which sends an SMM handler's data
 * accesses to the VGA window while its code runs from DRAM, is not modelled: in SMM both go
 * to DRAM); setting D_LCK
 * clears D_OPEN and makes D_OPEN, D_LCK and G_SMRAME read only until reset. A segment
 * without shadow RAM behind it (a -kernel machine, which has plain RAM there) is left
 * alone. */
#ifndef ORRERY_DEVICES_I440FX_H
#define ORRERY_DEVICES_I440FX_H

#include <stdbool.h>

#include "devices/pci.h"
#include "mmu/physmem.h"

enum { I440FX_PAM0 = 0x59, I440FX_DRB0 = 0x60, I440FX_SMRAM = 0x72 };
enum { I440FX_PAM_RE = 0x01, I440FX_PAM_WE = 0x02 };
enum { I440FX_SMRAM_G_SMRAME = 0x08, I440FX_SMRAM_D_LCK = 0x10, I440FX_SMRAM_D_CLS = 0x20,
       I440FX_SMRAM_D_OPEN = 0x40 };

struct i440fx {
    struct pci_config cfg;     /* state */
    struct pci_function fn;    /* wiring */
    struct physmem *mem;       /* NULL: PAM and SMRAM do not touch memory */
    bool smiact;               /* the CPU is in SMM (an input pin, not state) */
};

int i440fx_init(struct i440fx *h, struct pci_bus *bus, struct physmem *mem);
void i440fx_reset(struct i440fx *h);
/* After a load: memory follows the loaded PAM and SMRAM registers again. */
void i440fx_state_loaded(struct i440fx *h);
/* SMIACT# from the CPU: SMRAM shows while it is asserted (and G_SMRAME is set). */
void i440fx_set_smiact(struct i440fx *h, bool on);

extern const struct savestate_desc i440fx_savestate; /* describes struct pci_config */

#endif
