#include "devices/debugcon.h"

#include <errno.h>

static uint32_t debugcon_read(void *opaque, uint16_t port, unsigned size)
{
    const struct debugcon *d = opaque;
    (void)port;
    (void)size; /* the bus splits wider reads; the next port floats high */
    return d->readback;
}

static void debugcon_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct debugcon *d = opaque;
    (void)port;
    (void)size;
    if (!d->out)
        return;
    /* Whole lines reach the user promptly; partial lines wait for the exit flush. The
     * first failure's cause is kept for the machine to report (a full disk). */
    if ((fputc((int)(value & 0xFF), d->out) == EOF ||
         ((value & 0xFF) == '\n' && fflush(d->out) != 0)) && !d->write_errno)
        d->write_errno = errno ? errno : EIO;
}

int debugcon_init(struct debugcon *d, struct iobus *bus, uint16_t port, FILE *out)
{
    d->port = port;
    d->out = out;
    debugcon_reset(d);
    const struct io_handler h = { .read = debugcon_read, .write = debugcon_write, .opaque = d };
    return iobus_register(bus, port, 1, &h);
}

void debugcon_reset(struct debugcon *d)
{
    d->readback = 0xE9;
}
