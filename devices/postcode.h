/* The POST code port 0x80: firmware writes its progress there (and some code writes it
 * just for the I/O delay). Writes are accepted and remembered; reads return the last
 * value; with a log stream set, each code is logged as "POST 0xNN". */
#ifndef ORRERY_DEVICES_POSTCODE_H
#define ORRERY_DEVICES_POSTCODE_H

#include <stdint.h>
#include <stdio.h>

#include "core/iobus.h"
#include "core/savestate.h"

#define POSTCODE_PORT 0x80

struct postcode_state {
    uint8_t last;
};

struct postcode {
    struct postcode_state s;
    FILE *log; /* host side: NULL logs nothing */
};

int postcode_init(struct postcode *p, struct iobus *bus, FILE *log);
void postcode_reset(struct postcode *p);

extern const struct savestate_desc postcode_savestate; /* describes struct postcode_state */

#endif
