/* A bench for device unit tests: an I/O bus, a deterministic scheduler whose clock is a
 * plain counter (1 ns per "instruction"), and lines that record what devices drive on
 * them. Tests talk to a device only through its ports, as the guest does, and move time
 * with rig_advance, which fires every timer on the way at its deadline. */
#ifndef ORRERY_TESTS_DEVRIG_H
#define ORRERY_TESTS_DEVRIG_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/iobus.h"
#include "core/irq.h"
#include "core/sched.h"

#define RIG_LINES 32

struct devrig {
    struct iobus io;
    struct sched sched;
    uint64_t icount;                 /* the clock: ns since the start */
    uint8_t level[RIG_LINES];        /* what each line carries now */
    unsigned rises[RIG_LINES];       /* rising edges seen on each line */
    struct irq_line line[RIG_LINES]; /* line n records into level[n] */
};

static inline void rig_sink(void *opaque, unsigned n, int level)
{
    struct devrig *r = opaque;
    if (level && !r->level[n])
        r->rises[n]++;
    r->level[n] = (uint8_t)(level != 0);
}

static inline void rig_init(struct devrig *r)
{
    memset(r, 0, sizeof(*r));
    iobus_init(&r->io);
    sched_init(&r->sched, SCHED_DETERMINISTIC, 0, &r->icount);
    for (unsigned i = 0; i < RIG_LINES; i++)
        irq_line_init(&r->line[i], rig_sink, r, i);
}

static inline void rig_free(struct devrig *r)
{
    iobus_free(&r->io);
}

/* Moves time forward by ns, firing each timer when its deadline comes. */
static inline void rig_advance(struct devrig *r, uint64_t ns)
{
    uint64_t target = r->icount + ns;
    for (;;) {
        uint64_t next = sched_next_deadline(&r->sched);
        if (next > target)
            break;
        if (next > r->icount)
            r->icount = next;
        sched_sync(&r->sched, true);
        sched_fire_due(&r->sched);
    }
    r->icount = target;
    sched_sync(&r->sched, true);
    sched_fire_due(&r->sched);
}

static inline uint8_t inb(struct devrig *r, uint16_t port)
{
    return (uint8_t)iobus_in(&r->io, port, 1);
}

static inline void outb(struct devrig *r, uint16_t port, uint8_t v)
{
    iobus_out(&r->io, port, 1, v);
}

static inline uint32_t inl(struct devrig *r, uint16_t port)
{
    return iobus_in(&r->io, port, 4);
}

static inline void outl(struct devrig *r, uint16_t port, uint32_t v)
{
    iobus_out(&r->io, port, 4, v);
}

#endif
