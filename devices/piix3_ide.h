/* The Intel 82371SB PIIX3 IDE interface, function 1 of the PIIX3: 00:01.1, vendor 8086,
 * device 7010, class 010180 (IDE, legacy mode on both channels, bus-master capable), as
 * the 82371FB/SB datasheet describes it.
 *
 * Legacy decode: the primary channel at 0x1F0-0x1F7 and 0x3F6 on IRQ 14, the secondary at
 * 0x170-0x177 and 0x376 on IRQ 15, each decoded only while PCICMD's I/O space enable and
 * the channel's IDETIM bit 15 (IDE decode enable, 0x40/0x42; 0 at reset, set by the
 * firmware) are on; otherwise its ports read all ones. Each channel is a devices/ata
 * cable with up to two disks.
 *
 * Bus-master IDE (BMIBA at 0x20, 16 I/O ports, placed on the bus while I/O space is
 * enabled): per channel BMICOM (start/stop, read/write control), BMISTA (active, error
 * and interrupt, both write-1-to-clear, the drive DMA-capable bits) and BMIDTP (the PRD
 * table's address). A DMA command runs once the bus master is started (and bus mastering
 * enabled in PCICMD): physical region descriptors (a 32-bit address, a byte count with 0
 * meaning 64 KiB, bit 31 ending the table) are walked through guest physical memory.
 * BMISTA's interrupt bit is set on each rising edge of the channel's INTRQ. */
#ifndef ORRERY_DEVICES_PIIX3_IDE_H
#define ORRERY_DEVICES_PIIX3_IDE_H

#include "core/irq.h"
#include "devices/ata.h"
#include "devices/pci.h"
#include "mmu/physmem.h"

enum { PIIX3_IDE_BMIBA = 0x20, PIIX3_IDE_IDETIM = 0x40 };
enum { BM_CMD_START = 0x01, BM_CMD_READ = 0x08 };  /* READ: the bus master writes memory */
enum { BM_ST_ACTIVE = 0x01, BM_ST_ERROR = 0x02, BM_ST_INTR = 0x04 };

struct piix3_ide_state {
    struct pci_config cfg;
    uint8_t bm_cmd[2], bm_status[2];
    uint32_t bm_prd[2];
};

struct piix3_ide {
    struct piix3_ide_state s;
    struct ata_channel ch[2];
    /* Wiring. */
    struct pci_function fn;
    struct iobus *io;
    struct physmem *mem;
    struct irq_line irq[2];   /* IRQ 14, IRQ 15 */
    uint32_t bm_mapped;       /* where the bus-master ports are on the bus; 0: nowhere */
};

/* disks[0..3]: primary master, primary slave, secondary master, secondary slave (NULL: none). */
int piix3_ide_init(struct piix3_ide *ide, struct pci_bus *bus, struct iobus *io,
                   struct physmem *mem, const struct irq_line *irq14,
                   const struct irq_line *irq15, struct disk *const disks[4]);
void piix3_ide_reset(struct piix3_ide *ide);
void piix3_ide_state_loaded(struct piix3_ide *ide); /* the BAR's ports, the IRQ lines */
/* What firmware does before an OS runs, for a boot without one (-kernel): I/O space on and
 * both channels' IDETIM decode enable set. */
void piix3_ide_enable(struct piix3_ide *ide);

extern const struct savestate_desc piix3_ide_savestate; /* struct piix3_ide_state */

#endif
