/* The Intel 8042 keyboard controller of the PC/AT and PS/2: data at port 0x60, status and
 * commands at 0x64, the keyboard on its first port (devices/ps2kbd), IRQ 1 (keyboard) and
 * IRQ 12 (auxiliary port). No mouse is attached yet: bytes sent to the auxiliary device
 * come back as 0xFE with the timeout bit, as from an empty port.
 *
 * Per the 8042 command set (IBM PS/2 Technical Reference and the OSDev "8042" page): the
 * command byte (interrupt enables, system flag, port clock disables, translation) and the
 * rest of the internal RAM (20-3F read, 60-7F write), self-tests AA (55), AB and A9 (00),
 * port enables AD/AE/A7/A8, password A4 (none: F1), input port C0, output port D0/D1, the
 * output-buffer writes D2/D3 and the auxiliary write D4, A20 commands DD/DF, test inputs
 * E0, and the pulse commands F0-FF. The output port drives A20 (bit 1) and the CPU reset
 * (bit 0, active low); both are lines the machine listens to.
 *
 * Translation (command byte bit 6) turns the keyboard's set 2 codes into set 1 with the
 * F0 break prefix folded into bit 7, as the real controller does. Bytes go through the
 * one-byte output buffer: controller replies (and the bytes D2 and D3 write) first, then
 * the keyboard, then the auxiliary port, each moving in when the guest has read the
 * previous one. A disabled port (command byte bits 4 and 5) holds back what its device
 * sends, not what the controller writes itself. */
#ifndef ORRERY_DEVICES_KBC8042_H
#define ORRERY_DEVICES_KBC8042_H

#include <stdint.h>

#include "core/iobus.h"
#include "core/irq.h"
#include "core/savestate.h"
#include "devices/ps2kbd.h"

#define KBC_DATA_PORT 0x60
#define KBC_CMD_PORT 0x64
#define KBC_KBD_IRQ 1
#define KBC_AUX_IRQ 12

enum { KBC_STAT_OBF = 0x01, KBC_STAT_IBF = 0x02, KBC_STAT_SYS = 0x04, KBC_STAT_CMD = 0x08,
       KBC_STAT_UNLOCKED = 0x10, KBC_STAT_AUX = 0x20, KBC_STAT_TIMEOUT = 0x40,
       KBC_STAT_PARITY = 0x80 };
enum { KBC_CB_KBD_INT = 0x01, KBC_CB_AUX_INT = 0x02, KBC_CB_SYS = 0x04,
       KBC_CB_KBD_OFF = 0x10, KBC_CB_AUX_OFF = 0x20, KBC_CB_XLATE = 0x40 };
enum { KBC_OUT_RESET = 0x01, KBC_OUT_A20 = 0x02, KBC_OUT_KBD_OBF = 0x10,
       KBC_OUT_AUX_OBF = 0x20 };

#define KBC_QUEUE 8

struct kbc_state {
    uint8_t ram[32];        /* internal RAM; ram[0] is the command byte */
    uint8_t status;
    uint8_t out;            /* the output buffer */
    uint8_t outport;
    uint8_t pending;        /* a command waiting for its data byte at port 0x60; 0: none */
    uint8_t ctl_q[KBC_QUEUE], ctl_head, ctl_count; /* controller replies, D2/D3 bytes */
    uint8_t ctl_aux;        /* bitmask over ctl_q slots: that byte is from the aux port (D3) */
    uint8_t aux_q[KBC_QUEUE], aux_head, aux_count; /* from the auxiliary port */
    uint8_t aux_timeout;    /* bitmask over aux_q slots: that byte came with a timeout */
    uint8_t xlate_break;    /* translation: an F0 from the keyboard was seen */
    uint8_t irq1, irq12;    /* levels last driven */
};

struct kbc {
    struct kbc_state s;
    struct ps2kbd kbd;      /* the keyboard on port 1 (its own state and savestate) */
    struct irq_line irq_kbd, irq_aux, a20, reset; /* wiring */
};

/* a20: driven to output port bit 1; reset: pulsed when the guest resets the CPU. */
int kbc_init(struct kbc *k, struct iobus *bus, const struct irq_line *irq_kbd,
             const struct irq_line *irq_aux, const struct irq_line *a20,
             const struct irq_line *reset);
void kbc_reset(struct kbc *k);
void kbc_state_loaded(struct kbc *k);

/* A key from the frontend, as scan code set 2 bytes. */
bool kbc_key(struct kbc *k, const uint8_t *set2, size_t n);

extern const struct savestate_desc kbc_savestate; /* describes struct kbc_state */

#endif
