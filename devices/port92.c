#include "devices/port92.h"

#include <string.h>

#define WRITABLE (PORT92_RESET | PORT92_A20 | PORT92_LOCK)

static uint32_t port92_read(void *opaque, uint16_t port, unsigned size)
{
    const struct port92 *p = opaque;
    (void)port;
    (void)size;
    return p->s.value;
}

static void port92_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct port92 *p = opaque;
    (void)port;
    (void)size;
    uint8_t old = p->s.value;
    uint8_t v = (uint8_t)value & WRITABLE;
    if (old & PORT92_LOCK) /* the lock bit sticks until reset */
        v |= PORT92_LOCK;
    p->s.value = v;
    if ((old ^ v) & PORT92_A20)
        irq_set(&p->a20, v & PORT92_A20);
    if (!(old & PORT92_RESET) && (v & PORT92_RESET))
        irq_pulse(&p->reset);
}

void port92_reset(struct port92 *p)
{
    p->s.value = 0;
    irq_lower(&p->a20);
}

int port92_init(struct port92 *p, struct iobus *bus, const struct irq_line *a20,
                const struct irq_line *reset)
{
    memset(p, 0, sizeof(*p));
    if (a20)
        p->a20 = *a20;
    if (reset)
        p->reset = *reset;
    port92_reset(p);
    const struct io_handler h = { .read = port92_read, .write = port92_write, .opaque = p };
    return iobus_register(bus, PORT92_PORT, 1, &h);
}

void port92_state_loaded(struct port92 *p)
{
    irq_set(&p->a20, p->s.value & PORT92_A20);
}

static const struct savestate_field port92_fields[] = {
    SS_FIELD(struct port92_state, value),
};
SAVESTATE_DESC(port92_savestate, "port92", 1, port92_fields);
