/* A character device backend: the byte stream between a guest device (COM1's UART) and the
 * host (the terminal, a file, nothing).
 *
 * Guest to host: the device calls chardev_send for each byte the guest transmits; the
 * backend's sink gets it at once (it may buffer; it must not block for long).
 * Host to guest: the backend queues what the host typed with chardev_queue; the device
 * takes bytes with chardev_getc when it has room (its receive FIFO), so nothing is lost
 * while the guest is slow. The queue is bounded; chardev_queue says how much it took.
 *
 * Host-side plumbing only: no guest state lives here (the device's FIFO is the guest's),
 * so it is never saved. A device or the machine includes this header; a frontend sees it
 * through core/machine/machine.h. */
#ifndef ORRERY_CORE_CHARDEV_H
#define ORRERY_CORE_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

#define CHARDEV_QUEUE 4096u /* host-to-guest bytes held before chardev_queue refuses */

typedef void (*chardev_sink_fn)(void *opaque, const uint8_t *buf, size_t n);
typedef void (*chardev_notify_fn)(void *opaque);

struct chardev {
    chardev_sink_fn sink;       /* guest to host; NULL discards */
    void *sink_opaque;
    chardev_notify_fn notify;   /* set by the device: bytes were queued for it */
    void *notify_opaque;
    uint8_t queue[CHARDEV_QUEUE];
    uint32_t head, count;       /* next byte for the guest, bytes waiting */
};

void chardev_init(struct chardev *c, chardev_sink_fn sink, void *sink_opaque);

/* Guest to host (called by the device). */
void chardev_send(struct chardev *c, const uint8_t *buf, size_t n);

/* Host to guest (called by the backend): queues up to n bytes, returns how many fit, and
 * calls notify if any did. */
size_t chardev_queue(struct chardev *c, const uint8_t *buf, size_t n);

/* The device takes the next byte: 0-255, or -1 when nothing waits. */
int chardev_getc(struct chardev *c);

static inline size_t chardev_pending(const struct chardev *c)
{
    return c->count;
}

static inline size_t chardev_room(const struct chardev *c)
{
    return CHARDEV_QUEUE - c->count;
}

#endif
