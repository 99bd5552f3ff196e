/* The pair of Intel 8259A programmable interrupt controllers of the PC/AT: the master at
 * ports 0x20-0x21 (IRQ 0-7), the slave at 0xA0-0xA1 (IRQ 8-15) cascaded on the master's
 * IR2, and the PIIX3's edge/level control registers (ELCR) at 0x4D0-0x4D1.
 *
 * Per the 8259A datasheet: ICW1-ICW4 initialisation (edge or level by LTIM, single or
 * cascaded, ICW4's automatic EOI and special fully nested mode), OCW1 masks, OCW2's
 * non-specific, specific and rotating EOIs and set-priority, OCW3's IRR/ISR reads, poll
 * mode and special mask mode; the INTA cycle (pic_intack), which answers the chip's IR7
 * vector without setting ISR when it finds nothing to serve (spurious IRQ 7, or 15 from
 * the slave). On the real part that is a race: the request went away between INT and
 * INTA. Here INT follows the requests and the CPU acknowledges at the instruction
 * boundary where it saw INT, so guests see no spurious interrupts. Per-input edge/level
 * from the ELCR (IRQ 0, 1, 2, 8 and 13 are always edge, as on the PIIX3).
 *
 * Inputs are irq lines (core/irq.h) whose sink is pic_set_irq; the INT output is a line
 * too (core/machine/machine.c points it at the CPU's INTR pin). Edge inputs latch a rising edge
 * in the IRR until it is acknowledged: devices may pulse a line (irq_pulse), unlike the
 * real part, whose request must stay high until INTA. */
#ifndef ORRERY_DEVICES_PIC8259_H
#define ORRERY_DEVICES_PIC8259_H

#include <stdint.h>

#include "core/iobus.h"
#include "core/irq.h"
#include "core/savestate.h"

#define PIC_MASTER_PORT 0x20
#define PIC_SLAVE_PORT 0xA0
#define PIC_ELCR_PORT 0x4D0
#define PIC_CASCADE_IRQ 2

struct pic_chip {
    uint8_t irr, isr, imr;
    uint8_t lines;         /* input levels as last driven */
    uint8_t elcr;          /* level-triggered inputs (ELCR), within elcr_mask */
    uint8_t elcr_mask;     /* inputs the ELCR can make level-triggered */
    uint8_t vector_base;   /* ICW2 & 0xF8 */
    uint8_t icw3;          /* master: inputs with a slave; slave: its id */
    uint8_t init_step;     /* 0: initialised; 2, 3, 4: expecting that ICW */
    uint8_t icw1;          /* LTIM (bit 3), SNGL (bit 1), IC4 (bit 0) */
    uint8_t icw4;          /* AEOI (bit 1), SFNM (bit 4), uPM (bit 0) */
    uint8_t read_isr;      /* OCW3 RR/RIS: port A0=0 reads the ISR instead of the IRR */
    uint8_t poll;          /* OCW3 P: the next read is a poll */
    uint8_t special_mask;  /* OCW3 SMM */
    uint8_t rotate_aeoi;   /* OCW2 R with automatic EOI */
    uint8_t lowest;        /* the input with the lowest priority (7 after ICW1) */
};

struct pic_state {
    struct pic_chip chip[2]; /* master, slave */
    uint8_t int_out;         /* the level last driven on INT */
};

struct pic {
    struct pic_state s;
    struct irq_line intr;    /* INT to the CPU (wiring, not state) */
};

/* Claims 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1. Returns -1 if a port is taken. */
int pic_init(struct pic *p, struct iobus *bus, const struct irq_line *intr);
void pic_reset(struct pic *p);

/* The sink of IRQ lines 0-15. */
void pic_set_irq(void *pic, unsigned irq, int level);

/* The INTA cycle: the vector of the highest-priority request, now in service; the
 * spurious vector (IR7 of the chip) when none is left. */
int pic_intack(struct pic *p);

/* After loading state: drives INT from the loaded state. */
void pic_state_loaded(struct pic *p);

extern const struct savestate_desc pic_savestate; /* describes struct pic_state */

#endif
