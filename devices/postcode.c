#include "devices/postcode.h"

#include <string.h>

static uint32_t postcode_read(void *opaque, uint16_t port, unsigned size)
{
    const struct postcode *p = opaque;
    (void)port;
    (void)size;
    return p->s.last;
}

static void postcode_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct postcode *p = opaque;
    (void)port;
    (void)size;
    p->s.last = (uint8_t)value;
    if (p->log)
        fprintf(p->log, "POST 0x%02x\n", p->s.last);
}

void postcode_reset(struct postcode *p)
{
    p->s.last = 0;
}

int postcode_init(struct postcode *p, struct iobus *bus, FILE *log)
{
    memset(p, 0, sizeof(*p));
    p->log = log;
    const struct io_handler h = { .read = postcode_read, .write = postcode_write, .opaque = p };
    return iobus_register(bus, POSTCODE_PORT, 1, &h);
}

static const struct savestate_field postcode_fields[] = {
    SS_FIELD(struct postcode_state, last),
};
SAVESTATE_DESC(postcode_savestate, "postcode", 1, postcode_fields);
