/* PC-style x87 error reporting (CR0.NE = 0; SDM Vol. 1 §D.2.1, the PC/AT's "FERR# to
 * IRQ 13" logic): the processor's FERR# output latches IRQ 13; an OUT to port 0xF0 clears
 * the latch and asserts IGNNE#, so that the handler's x87 instructions run, until FERR#
 * falls (the handler cleared the exception). The machine connects the CPU's ferr_changed
 * callback to ferr_set and the ignne line to the CPU's IGNNE# input. */
#ifndef ORRERY_DEVICES_FERR_H
#define ORRERY_DEVICES_FERR_H

#include <stdint.h>

#include "core/iobus.h"
#include "core/irq.h"
#include "core/savestate.h"

#define FERR_PORT 0xF0
#define FERR_IRQ 13

struct ferr_state {
    uint8_t ferr;   /* FERR# as last reported */
    uint8_t irq;    /* the IRQ 13 latch */
    uint8_t ignne;  /* IGNNE# driven */
};

struct ferr {
    struct ferr_state s;
    struct irq_line irq13, ignne; /* wiring */
};

int ferr_init(struct ferr *f, struct iobus *bus, const struct irq_line *irq13,
              const struct irq_line *ignne);
void ferr_reset(struct ferr *f);
/* FERR# from the processor. */
void ferr_set(struct ferr *f, int level);
void ferr_state_loaded(struct ferr *f);

extern const struct savestate_desc ferr_savestate; /* describes struct ferr_state */

#endif
