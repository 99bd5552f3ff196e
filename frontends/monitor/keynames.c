/* sendkey's key names: QEMU's documented QKeyCode names (its QAPI "QKeyCode" enumeration,
 * which sendkey takes) mapped to USB HID usages (Keyboard/Keypad page 0x07, the numbers
 * machine_key takes). A name with no PC key on orrery's keyboard is unknown here. */
#include <stdio.h>
#include <string.h>

#include "frontends/monitor/cmd.h"

struct key_name {
    const char *name;
    unsigned char usage;
};

static const struct key_name keys[] = {
    { "shift", 0xE1 }, { "shift_r", 0xE5 }, { "alt", 0xE2 }, { "alt_r", 0xE6 },
    { "altgr", 0xE6 }, { "altgr_r", 0xE6 }, { "ctrl", 0xE0 }, { "ctrl_r", 0xE4 },
    { "meta_l", 0xE3 }, { "meta_r", 0xE7 }, { "menu", 0x65 }, { "compose", 0x65 },
    { "esc", 0x29 }, { "minus", 0x2D }, { "equal", 0x2E }, { "backspace", 0x2A },
    { "tab", 0x2B }, { "bracket_left", 0x2F }, { "bracket_right", 0x30 }, { "ret", 0x28 },
    { "semicolon", 0x33 }, { "apostrophe", 0x34 }, { "grave_accent", 0x35 },
    { "backslash", 0x31 }, { "comma", 0x36 }, { "dot", 0x37 }, { "slash", 0x38 },
    { "asterisk", 0x55 }, { "spc", 0x2C }, { "caps_lock", 0x39 }, { "num_lock", 0x53 },
    { "scroll_lock", 0x47 }, { "kp_divide", 0x54 }, { "kp_multiply", 0x55 },
    { "kp_subtract", 0x56 }, { "kp_add", 0x57 }, { "kp_enter", 0x58 }, { "kp_decimal", 0x63 },
    { "sysrq", 0x46 }, { "print", 0x46 }, { "pause", 0x48 }, { "less", 0x64 },
    { "home", 0x4A }, { "pgup", 0x4B }, { "pgdn", 0x4E }, { "end", 0x4D }, { "left", 0x50 },
    { "up", 0x52 }, { "down", 0x51 }, { "right", 0x4F }, { "insert", 0x49 },
    { "delete", 0x4C }, { "power", 0x66 }, { "ro", 0x87 }, { "hiragana", 0x88 },
    { "katakanahiragana", 0x88 }, { "yen", 0x89 }, { "henkan", 0x8A }, { "muhenkan", 0x8B },
};

unsigned mon_key_usage(const char *name)
{
    size_t len = strlen(name);
    if (len == 1 && name[0] >= 'a' && name[0] <= 'z')
        return 0x04u + (unsigned)(name[0] - 'a');
    if (len == 1 && name[0] >= '1' && name[0] <= '9')
        return 0x1Eu + (unsigned)(name[0] - '1');
    if (len == 1 && name[0] == '0')
        return 0x27;
    if ((len == 2 || len == 3) && name[0] == 'f' && name[1] >= '1' && name[1] <= '9') {
        unsigned n = (unsigned)(name[1] - '0');
        if (len == 3) {
            if (name[2] < '0' || name[2] > '9')
                return 0;
            n = n * 10 + (unsigned)(name[2] - '0');
        }
        return n >= 1 && n <= 12 ? 0x3Au + n - 1 : 0;
    }
    if (len == 4 && strncmp(name, "kp_", 3) == 0 && name[3] >= '0' && name[3] <= '9')
        return name[3] == '0' ? 0x62 : 0x59u + (unsigned)(name[3] - '1');
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(name, keys[i].name) == 0)
            return keys[i].usage;
    return 0;
}

bool mon_parse_keys(const char *spec, unsigned usage[MON_KEYS_MAX], unsigned *n, char *err,
                    size_t errlen)
{
    *n = 0;
    const char *p = spec;
    for (;;) {
        const char *dash = strchr(p, '-');
        size_t len = dash ? (size_t)(dash - p) : strlen(p);
        char name[24];
        if (len == 0 || len >= sizeof name) {
            snprintf(err, errlen, "invalid parameter: %.*s", (int)(len > 40 ? 40 : len), p);
            return false;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        unsigned u = mon_key_usage(name);
        if (!u) {
            snprintf(err, errlen, "invalid parameter: %s", name);
            return false;
        }
        if (*n == MON_KEYS_MAX) {
            snprintf(err, errlen, "too many keys");
            return false;
        }
        usage[(*n)++] = u;
        if (!dash)
            return true;
        p = dash + 1;
    }
}
