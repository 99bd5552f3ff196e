/* A PS/2 mouse (IBM PS/2 Mouse, with the Microsoft IntelliMouse wheel extension), the
 * device behind the 8042's auxiliary port.
 *
 * Commands from the host, each acknowledged with 0xFA (IBM PS/2 Technical Reference,
 * "Pointing device"; the OSDev "PS/2 Mouse" page): FF reset (FA, then AA 00), FE resend
 * (the last packet again, no FA), F6 set defaults, F5 disable / F4 enable data reporting,
 * F3 set sample rate (10, 20, 40, 60, 80, 100 or 200), F2 get device ID, F0 remote mode,
 * EE wrap mode, EC reset wrap mode, EB read data, EA stream mode, E9 status request (3
 * bytes), E8 set resolution (0-3), E7/E6 scaling 2:1 / 1:1. An unknown command or a bad
 * argument answers FE; a second one in a row answers FC. In wrap mode every byte but FF
 * and EC comes straight back. F4, F5, F6 and FF drop bytes still queued, as the keyboard
 * does.
 *
 * Setting the sample rates 200, 100, 80 in a row (Microsoft's IntelliMouse sequence)
 * changes the ID from 00 to 03 and the packets from 3 bytes to 4, the fourth carrying the
 * wheel; FF turns it back into a plain mouse.
 *
 * Movement comes from the host (ps2mouse_move) and adds up in counters; in stream mode
 * with reporting enabled it goes out as packets as soon as the queue has room for a
 * whole one; while it has not, movement adds up and goes out when the controller has
 * taken enough bytes. There is no sample-rate timer: a packet per host event. A
 * packet is byte 0: Y overflow, X overflow, Y sign, X sign, 1, middle, right, left
 * (bits 7-0); bytes 1 and 2: the low 8 bits of X and Y, 9-bit two's complement with the
 * sign bits, Y positive away from the user; byte 3 (IntelliMouse): the wheel, -8..+7,
 * positive toward the user. Movement beyond -256..+255 is sent as the limit with the
 * overflow bit and the rest is lost, as a real mouse's counter overflows; wheel notches
 * beyond -8..+7 wait for the next packet. Resolution is kept and reported, but counts are
 * sent as the host gives them. */
#ifndef ORRERY_DEVICES_PS2MOUSE_H
#define ORRERY_DEVICES_PS2MOUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/savestate.h"

#define PS2MOUSE_QUEUE 16

/* Buttons, as bits 0-2 of a packet's first byte. */
enum { PS2MOUSE_LEFT = 0x01, PS2MOUSE_RIGHT = 0x02, PS2MOUSE_MIDDLE = 0x04 };

struct ps2mouse_state {
    uint8_t q[PS2MOUSE_QUEUE];
    int16_t dx, dy, dz;    /* movement not yet reported */
    uint8_t head, count;
    uint8_t reporting;     /* F4/F5 */
    uint8_t remote;        /* F0/EA: remote mode, else stream mode */
    uint8_t wrap;          /* EE/EC */
    uint8_t scaling21;     /* E7/E6 */
    uint8_t resolution;    /* E8: 0-3, 1 to 8 counts per mm */
    uint8_t rate;          /* F3: samples per second */
    uint8_t arg_for;       /* a command (E8, F3) waiting for its argument; 0: none */
    uint8_t id;            /* F2's answer: 0, or 3 once the IntelliMouse sequence is seen */
    uint8_t errors;        /* bad bytes in a row: the first answers FE, the second FC */
    uint8_t buttons;       /* PS2MOUSE_* held now */
    uint8_t rates[3];      /* the last three sample rates set, oldest first */
    uint8_t moved;         /* movement or a button change waits for a packet */
    uint8_t last[4];       /* the last packet sent, for FE */
    uint8_t last_len;
    uint8_t pad[1];
};

struct ps2mouse {
    struct ps2mouse_state s;
    void (*notify)(void *opaque); /* wiring: the mouse has bytes for the controller */
    void *notify_opaque;
};

void ps2mouse_init(struct ps2mouse *m, void (*notify)(void *), void *opaque);
/* Power-on: stream mode, reporting disabled, 100 samples/s, 4 counts/mm, 1:1, ID 00. */
void ps2mouse_reset(struct ps2mouse *m);

/* A byte from the controller (a command or its argument). */
void ps2mouse_write(struct ps2mouse *m, uint8_t b);
bool ps2mouse_has_data(const struct ps2mouse *m);
uint8_t ps2mouse_read(struct ps2mouse *m);

/* Movement from the host, in counts: dx right, dy away from the user (up), dz wheel
 * notches toward the user (down); buttons is PS2MOUSE_* held now. Adds to the counters;
 * a packet goes out when reporting is enabled in stream mode (in remote mode EB reads
 * it). */
void ps2mouse_move(struct ps2mouse *m, int dx, int dy, int dz, unsigned buttons);

extern const struct savestate_desc ps2mouse_savestate; /* describes struct ps2mouse_state */

#endif
