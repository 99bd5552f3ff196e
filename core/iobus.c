#include "core/iobus.h"

#include <stdlib.h>
#include <string.h>

int iobus_init(struct iobus *bus)
{
    bus->port = calloc(65536, sizeof(*bus->port));
    bus->observe = NULL;
    bus->observe_opaque = NULL;
    return bus->port ? 0 : -1;
}

void iobus_free(struct iobus *bus)
{
    free(bus->port);
    bus->port = NULL;
}

int iobus_register(struct iobus *bus, uint16_t first, unsigned count, const struct io_handler *h)
{
    if (count == 0 || first + count > 65536u || !h->read || !h->write)
        return -1;
    for (unsigned i = 0; i < count; i++)
        if (bus->port[first + i].read)
            return -1;
    for (unsigned i = 0; i < count; i++)
        bus->port[first + i] = *h;
    return 0;
}

void iobus_unregister(struct iobus *bus, uint16_t first, unsigned count)
{
    for (unsigned i = 0; i < count && first + i < 65536u; i++)
        memset(&bus->port[first + i], 0, sizeof bus->port[0]);
}

/* Unclaimed ports float high, as on the ISA bus. */
static uint32_t read_one(struct iobus *bus, uint16_t port, unsigned size)
{
    const struct io_handler *h = &bus->port[port];
    if (!h->read)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (size == 1 || (h->flags & IOBUS_WIDE))
        return h->read(h->opaque, port, size);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (read_one(bus, (uint16_t)(port + i), 1) & 0xFF) << (8 * i);
    return v;
}

static void write_one(struct iobus *bus, uint16_t port, unsigned size, uint32_t value)
{
    const struct io_handler *h = &bus->port[port];
    if (!h->read)
        return;
    if (size == 1 || (h->flags & IOBUS_WIDE)) {
        h->write(h->opaque, port, size, value);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        write_one(bus, (uint16_t)(port + i), 1, (value >> (8 * i)) & 0xFF);
}

uint32_t iobus_in(struct iobus *bus, uint16_t port, unsigned size)
{
    uint32_t v = read_one(bus, port, size);
    if (bus->observe)
        bus->observe(bus->observe_opaque, 0, port, size, v);
    return v;
}

void iobus_out(struct iobus *bus, uint16_t port, unsigned size, uint32_t value)
{
    write_one(bus, port, size, value);
    if (bus->observe)
        bus->observe(bus->observe_opaque, 1, port, size, value);
}
