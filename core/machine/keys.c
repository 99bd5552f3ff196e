/* Keys from the frontends: USB HID keyboard usages (the codes of the key's position, not of
 * its label: SDL's scan codes are the same numbers) made into the PS/2 keyboard's scan code
 * set 2 sequences (make: the code, E0-prefixed for the keys the AT added; break: F0 before
 * the last byte). The 8042 translates to set 1 when the guest asks for it. Codes from the
 * USB HID Usage Tables (Keyboard/Keypad page 0x07) and the PS/2 set 2 table. A key held
 * repeats its make code (the keyboard's typematic, devices/ps2kbd.h); Print Screen
 * repeats E0 7C, Pause never (IBM PS/2 Technical Reference, keyboard scan code tables). */
#include "core/machine/machine.h"
#include "core/machine/machine_impl.h"
#include "core/machine/record_impl.h"

#include <stdint.h>

/* Set 2 code of each usage; E0 marks the extended keys (0xE0 | code in the high byte). */
#define EXT(c) (0xE000u | (c))
static const uint16_t set2_of_usage[MACHINE_KEY_MAX] = {
    [0x04] = 0x1C, [0x05] = 0x32, [0x06] = 0x21, [0x07] = 0x23, [0x08] = 0x24, /* a-e */
    [0x09] = 0x2B, [0x0A] = 0x34, [0x0B] = 0x33, [0x0C] = 0x43, [0x0D] = 0x3B, /* f-j */
    [0x0E] = 0x42, [0x0F] = 0x4B, [0x10] = 0x3A, [0x11] = 0x31, [0x12] = 0x44, /* k-o */
    [0x13] = 0x4D, [0x14] = 0x15, [0x15] = 0x2D, [0x16] = 0x1B, [0x17] = 0x2C, /* p-t */
    [0x18] = 0x3C, [0x19] = 0x2A, [0x1A] = 0x1D, [0x1B] = 0x22, [0x1C] = 0x35, /* u-y */
    [0x1D] = 0x1A,                                                             /* z */
    [0x1E] = 0x16, [0x1F] = 0x1E, [0x20] = 0x26, [0x21] = 0x25, [0x22] = 0x2E, /* 1-5 */
    [0x23] = 0x36, [0x24] = 0x3D, [0x25] = 0x3E, [0x26] = 0x46, [0x27] = 0x45, /* 6-0 */
    [0x28] = 0x5A, [0x29] = 0x76, [0x2A] = 0x66, [0x2B] = 0x0D, [0x2C] = 0x29, /* Enter Esc BS Tab Space */
    [0x2D] = 0x4E, [0x2E] = 0x55, [0x2F] = 0x54, [0x30] = 0x5B, [0x31] = 0x5D, /* - = [ ] \ */
    [0x32] = 0x5D, [0x33] = 0x4C, [0x34] = 0x52, [0x35] = 0x0E, [0x36] = 0x41, /* # ; ' ` , */
    [0x37] = 0x49, [0x38] = 0x4A, [0x39] = 0x58,                               /* . / Caps */
    [0x3A] = 0x05, [0x3B] = 0x06, [0x3C] = 0x04, [0x3D] = 0x0C, [0x3E] = 0x03, /* F1-F5 */
    [0x3F] = 0x0B, [0x40] = 0x83, [0x41] = 0x0A, [0x42] = 0x01, [0x43] = 0x09, /* F6-F10 */
    [0x44] = 0x78, [0x45] = 0x07,                                              /* F11 F12 */
    [0x47] = 0x7E,                                                             /* Scroll Lock */
    [0x49] = EXT(0x70), [0x4A] = EXT(0x6C), [0x4B] = EXT(0x7D),                /* Ins Home PgUp */
    [0x4C] = EXT(0x71), [0x4D] = EXT(0x69), [0x4E] = EXT(0x7A),                /* Del End PgDn */
    [0x4F] = EXT(0x74), [0x50] = EXT(0x6B), [0x51] = EXT(0x72), [0x52] = EXT(0x75), /* arrows */
    [0x53] = 0x77, [0x54] = EXT(0x4A), [0x55] = 0x7C, [0x56] = 0x7B, [0x57] = 0x79, /* Num / * - + */
    [0x58] = EXT(0x5A), [0x59] = 0x69, [0x5A] = 0x72, [0x5B] = 0x7A, [0x5C] = 0x6B, /* KEnter 1-4 */
    [0x5D] = 0x73, [0x5E] = 0x74, [0x5F] = 0x6C, [0x60] = 0x75, [0x61] = 0x7D,  /* keypad 5-9 */
    [0x62] = 0x70, [0x63] = 0x71, [0x64] = 0x61, [0x65] = EXT(0x2F),           /* 0 . <> Menu */
    [0x66] = EXT(0x37),                                                        /* Power */
    [0x87] = 0x51, [0x88] = 0x13, [0x89] = 0x6A, [0x8A] = 0x64, [0x8B] = 0x67, /* Japanese */
    [0xE0] = 0x14, [0xE1] = 0x12, [0xE2] = 0x11, [0xE3] = EXT(0x1F),           /* left Ctrl Shift Alt GUI */
    [0xE4] = EXT(0x14), [0xE5] = 0x59, [0xE6] = EXT(0x11), [0xE7] = EXT(0x27), /* right ones */
};

/* The bytes a key sends: n of them in out (at most 8). Print Screen and Pause have their
 * own sequences (Pause sends nothing when released). */
static size_t key_bytes(unsigned usage, bool down, uint8_t out[8])
{
    static const uint8_t prtsc_make[] = {0xE0, 0x12, 0xE0, 0x7C};
    static const uint8_t prtsc_break[] = {0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12};
    static const uint8_t pause_make[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
    const uint8_t *seq = NULL;
    size_t n = 0;

    if (usage == MACHINE_KEY_PRINT_SCREEN) {
        seq = down ? prtsc_make : prtsc_break;
        n = down ? sizeof prtsc_make : sizeof prtsc_break;
    } else if (usage == MACHINE_KEY_PAUSE) {
        seq = down ? pause_make : NULL;
        n = down ? sizeof pause_make : 0;
    }
    if (seq || usage == MACHINE_KEY_PAUSE) {
        for (size_t i = 0; i < n; i++)
            out[i] = seq[i];
        return n;
    }
    uint16_t code = set2_of_usage[usage];
    if (code & 0xE000u)
        out[n++] = 0xE0;
    if (!down)
        out[n++] = 0xF0;
    out[n++] = (uint8_t)code;
    return n;
}

bool machine_key_known(unsigned usage)
{
    return usage < MACHINE_KEY_MAX &&
           (set2_of_usage[usage] || usage == MACHINE_KEY_PRINT_SCREEN ||
            usage == MACHINE_KEY_PAUSE);
}

bool machine_key(struct machine *m, unsigned usage, bool down)
{
    if (m->rr && machine_key_known(usage)) {
        struct record_event e = { .kind = RECORD_KEY };
        e.u.key.usage = (uint16_t)usage;
        e.u.key.down = down;
        return machine_rr_input(m, &e);
    }
    return machine_key_apply(m, usage, down);
}

bool machine_key_apply(struct machine *m, unsigned usage, bool down)
{
    static const uint8_t prtsc_repeat[] = {0xE0, 0x7C};
    uint8_t bytes[8], make[8];
    if (!machine_key_known(usage))
        return false;
    size_t n = key_bytes(usage, down, bytes);
    if (n == 0)
        return true; /* Pause's release: nothing to send, no repeat to stop */
    const uint8_t *repeat = make;
    size_t rn = 0;
    if (usage == MACHINE_KEY_PRINT_SCREEN) {
        repeat = prtsc_repeat;
        rn = sizeof prtsc_repeat;
    } else if (usage != MACHINE_KEY_PAUSE) {
        rn = key_bytes(usage, true, make);
    }
    return ps2kbd_key_event(&m->pc.kbc.kbd, (uint8_t)usage, down, bytes, n, repeat, rn);
}
