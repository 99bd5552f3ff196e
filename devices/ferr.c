#include "devices/ferr.h"

#include <string.h>

static void drive(struct ferr *f, uint8_t irq, uint8_t ignne)
{
    if (irq != f->s.irq) {
        f->s.irq = irq;
        irq_set(&f->irq13, irq);
    }
    if (ignne != f->s.ignne) {
        f->s.ignne = ignne;
        irq_set(&f->ignne, ignne);
    }
}

void ferr_set(struct ferr *f, int level)
{
    uint8_t l = level != 0;
    if (l == f->s.ferr)
        return;
    f->s.ferr = l;
    if (l)
        drive(f, 1, f->s.ignne);  /* the rising edge sets the latch */
    else
        drive(f, f->s.irq, 0);    /* IGNNE# ends with FERR#; the latch waits for port 0xF0 */
}

static uint32_t ferr_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0xFF; /* write-only */
}

static void ferr_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct ferr *f = opaque;
    (void)port;
    (void)size;
    (void)value;
    drive(f, 0, f->s.ferr); /* clear IRQ 13; IGNNE# while FERR# is still asserted */
}

void ferr_reset(struct ferr *f)
{
    f->s.ferr = 0;
    drive(f, 0, 0);
}

int ferr_init(struct ferr *f, struct iobus *bus, const struct irq_line *irq13,
              const struct irq_line *ignne)
{
    memset(f, 0, sizeof(*f));
    if (irq13)
        f->irq13 = *irq13;
    if (ignne)
        f->ignne = *ignne;
    const struct io_handler h = { .read = ferr_read, .write = ferr_write, .opaque = f };
    return iobus_register(bus, FERR_PORT, 1, &h);
}

void ferr_state_loaded(struct ferr *f)
{
    irq_set(&f->irq13, f->s.irq);
    irq_set(&f->ignne, f->s.ignne);
}

static const struct savestate_field ferr_fields[] = {
    SS_FIELD(struct ferr_state, ferr),
    SS_FIELD(struct ferr_state, irq),
    SS_FIELD(struct ferr_state, ignne),
};
SAVESTATE_DESC(ferr_savestate, "ferr", 1, ferr_fields);
