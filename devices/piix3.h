/* The Intel 82371SB PIIX3 PCI-to-ISA bridge, function 0: 00:01.0, vendor 8086, device 7000,
 * class 060100, a multi-function device (82371SB datasheet, "PCI to ISA bridge
 * configuration registers"), and its reset control register at I/O 0xCF9.
 *
 * Registers hold their reset values and are writable as the datasheet says: IORT, XBCS,
 * PIRQRC[A:D] (0x60-0x63, 0x80: not routed), TOM, MSTAT, MBIRQ0/1, MBDMA, PCSC, APICBASE,
 * DLC and the SMI registers. The routing is stored for the PCI devices to come; the
 * ELCR lives with the PICs (devices/pic8259). Writing RCR with bit 2 going from 0 to 1
 * resets the machine (bit 1 chooses hard or soft; both reset the CPU here). */
#ifndef ORRERY_DEVICES_PIIX3_H
#define ORRERY_DEVICES_PIIX3_H

#include "core/irq.h"
#include "devices/pci.h"

enum { PIIX3_PIRQRC = 0x60, PIIX3_TOM = 0x69 };
enum { PIIX3_RCR_SRST = 0x02, PIIX3_RCR_RCPU = 0x04 };

struct piix3_state {
    struct pci_config cfg;
    uint8_t rcr;
};

struct piix3 {
    struct piix3_state s;
    struct pci_function fn;      /* wiring */
    struct irq_line reset;
};

int piix3_init(struct piix3 *p, struct pci_bus *bus, const struct irq_line *reset);
void piix3_reset(struct piix3 *p);

extern const struct savestate_desc piix3_savestate; /* describes struct piix3_state */

#endif
