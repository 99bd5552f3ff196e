/* The debug console: a one-byte I/O port whose writes go to a host stream (QEMU's
 * isa-debugcon, the "port 0xE9 hack" of Bochs). Firmware and test ROMs print through it.
 *
 * Reads return the readback byte, 0xE9 by default, which is how guests detect the port
 * (QEMU's debugcon does the same). The device has no guest-visible state to save. */
#ifndef ORRERY_DEVICES_DEBUGCON_H
#define ORRERY_DEVICES_DEBUGCON_H

#include <stdint.h>
#include <stdio.h>

#include "core/iobus.h"

#define DEBUGCON_PORT 0xE9

struct debugcon {
    uint16_t port;
    uint8_t readback;
    FILE *out; /* host stream (not guest state); NULL discards what the guest writes */
    int write_errno; /* host side: the first failed write's errno, 0 if none */
};

/* Claims the port on the bus. Returns -1 if the port is already taken. */
int debugcon_init(struct debugcon *d, struct iobus *bus, uint16_t port, FILE *out);
void debugcon_reset(struct debugcon *d);

#endif
