/* A PS/2 keyboard (IBM MF II), the device behind the 8042's keyboard port.
 *
 * Commands from the host, each acknowledged with 0xFA (IBM PS/2 Technical Reference,
 * "Keyboard commands"): FF reset (FA, then AA for a passed self-test), FE resend, F6 set
 * defaults, F5 disable, F4 enable, F3 typematic rate, F2 identify (AB 83), F0 get/set the
 * scan code set, EE echo (EE), ED set LEDs; anything else answers FE.
 *
 * Keys come from the frontend as scan code set 2 sequences (ps2kbd_key). In set 1 the
 * keyboard converts them with the same table the 8042 uses for translation; set 3 is
 * accepted and reported but sends set 2 codes. The keyboard holds 16 bytes; when it has
 * some, it tells the controller through the notify callback, and the controller takes
 * them one at a time.
 *
 * Typematic (IBM PS/2 Technical Reference, keyboard, "Typematic"; ps2kbd_key_event): the
 * last key pressed repeats its make code while it is held, first after the delay and then
 * at the rate the F3 byte sets (bits 6-5 C: delay (1 + C) x 250 ms; bits 4-3 B and 2-0 A:
 * period (8 + A) x 2^B / 240 s; the default 2Bh is 10.9 characters a second after 500 ms).
 * Releasing it stops the repeat, as does pressing another key (which repeats instead),
 * F5, F6, FF and a reset; releasing another key does not. Time is the machine's virtual
 * time (a scheduler timer), so under -icount repeats come at the same instruction in
 * every run. Without a clock (ps2kbd_attach_clock) keys never repeat. */
#ifndef ORRERY_DEVICES_PS2KBD_H
#define ORRERY_DEVICES_PS2KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/savestate.h"
#include "core/sched.h"

#define PS2KBD_QUEUE 16

enum { PS2_ACK = 0xFA, PS2_RESEND = 0xFE, PS2_BAT_OK = 0xAA, PS2_ECHO = 0xEE };

struct ps2kbd_state {
    uint8_t q[PS2KBD_QUEUE];
    uint8_t head, count;
    uint8_t scanning;      /* F4/F5 */
    uint8_t set;           /* scan code set 1, 2 or 3 */
    uint8_t arg_for;       /* a command (ED, F0, F3) waiting for its argument; 0: none */
    uint8_t leds, typematic;
    uint8_t last;          /* the last byte sent, for FE */
    uint8_t set1_break;    /* set 1 conversion: an F0 prefix was seen */
    uint8_t rep[4];        /* the typematic key's repeat, in set 2 (its make code) */
    uint8_t rep_len;       /* its length; 0: no key repeats */
    uint8_t rep_key;       /* the caller's number for the typematic key */
    uint8_t pad[2];
};

struct ps2kbd {
    struct ps2kbd_state s;
    void (*notify)(void *opaque); /* wiring: the keyboard has bytes for the controller */
    void *notify_opaque;
    struct sched *sched;          /* wiring: the typematic clock; NULL: no repeats */
    int timer;
};

void ps2kbd_init(struct ps2kbd *k, void (*notify)(void *), void *opaque);
void ps2kbd_reset(struct ps2kbd *k); /* power-on: set 2, scanning, queue empty */

/* A byte from the controller (a command or its argument). */
void ps2kbd_write(struct ps2kbd *k, uint8_t b);
bool ps2kbd_has_data(const struct ps2kbd *k);
uint8_t ps2kbd_read(struct ps2kbd *k);

/* A key press or release as set 2 bytes (E0/F0 prefixes included). Dropped when scanning
 * is off; a sequence that does not fit whole is dropped too. Returns false if dropped. */
bool ps2kbd_key(struct ps2kbd *k, const uint8_t *set2, size_t n);

/* A key pressed (down) or released: key is the caller's number for it (the same for its
 * press and its release), set2 what it sends now (as ps2kbd_key), repeat (rn bytes, at
 * most 4) what it sends again while held: its make code, or nothing for a key that never
 * repeats (Pause). A press that was sent makes the key typematic. Returns false if the
 * bytes were dropped. */
bool ps2kbd_key_event(struct ps2kbd *k, uint8_t key, bool down, const uint8_t *set2, size_t n,
                      const uint8_t *repeat, size_t rn);
/* Gives the keyboard its typematic timer on sched; after ps2kbd_init, in the same place
 * each time a machine is built. Returns -1 when the scheduler has no timer left. */
int ps2kbd_attach_clock(struct ps2kbd *k, struct sched *sched);
/* The typematic delay and period in virtual ns of an F3 byte. */
uint64_t ps2kbd_typematic_delay_ns(uint8_t typematic);
uint64_t ps2kbd_typematic_period_ns(uint8_t typematic);

/* The 8042's set 2 to set 1 translation of one byte (F0 is the caller's business). */
uint8_t ps2_translate_set2(uint8_t b);

extern const struct savestate_desc ps2kbd_savestate; /* describes struct ps2kbd_state */

#endif
