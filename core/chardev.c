/* The host side of a serial line: see chardev.h. */
#include "core/chardev.h"

#include <string.h>

void chardev_init(struct chardev *c, chardev_sink_fn sink, void *sink_opaque)
{
    memset(c, 0, sizeof *c);
    c->sink = sink;
    c->sink_opaque = sink_opaque;
}

void chardev_send(struct chardev *c, const uint8_t *buf, size_t n)
{
    if (c->sink && n)
        c->sink(c->sink_opaque, buf, n);
}

size_t chardev_queue(struct chardev *c, const uint8_t *buf, size_t n)
{
    size_t took = 0;
    while (took < n && c->count < CHARDEV_QUEUE) {
        c->queue[(c->head + c->count) % CHARDEV_QUEUE] = buf[took++];
        c->count++;
    }
    if (took && c->notify)
        c->notify(c->notify_opaque);
    return took;
}

int chardev_getc(struct chardev *c)
{
    if (!c->count)
        return -1;
    uint8_t b = c->queue[c->head];
    c->head = (c->head + 1) % CHARDEV_QUEUE;
    c->count--;
    return b;
}
