/* System control port A at 0x92 (PS/2 and the PIIX3 "Port 92" register): bit 1 is the
 * fast A20 gate, bit 0 the fast CPU reset (a 0 to 1 write resets the processor; the bit
 * reads back as written). Bit 3, the CMOS password lock, is kept; the other bits read 0.
 * A20 and reset are lines the machine listens to; the machine ORs this A20 with the
 * keyboard controller's, as the chipset does. */
#ifndef ORRERY_DEVICES_PORT92_H
#define ORRERY_DEVICES_PORT92_H

#include <stdint.h>

#include "core/iobus.h"
#include "core/irq.h"
#include "core/savestate.h"

#define PORT92_PORT 0x92

enum { PORT92_RESET = 0x01, PORT92_A20 = 0x02, PORT92_LOCK = 0x08 };

struct port92_state {
    uint8_t value;
};

struct port92 {
    struct port92_state s;
    struct irq_line a20, reset; /* wiring */
};

int port92_init(struct port92 *p, struct iobus *bus, const struct irq_line *a20,
                const struct irq_line *reset);
void port92_reset(struct port92 *p);
void port92_state_loaded(struct port92 *p);

extern const struct savestate_desc port92_savestate; /* describes struct port92_state */

#endif
