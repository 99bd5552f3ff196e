#include "frontends/cli/boot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"

static bool fail(char *err, size_t len, const char *fmt, ...) PRINTF_LIKE(3, 4);
static bool fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return false;
}

/* DRIVES of order= or once= into out (4 bytes). */
static bool drives(const char *v, const char *key, const char *val, size_t n, char *out,
                   char *err, size_t errlen)
{
    if (n == 0 || n > 3)
        return fail(err, errlen, "-boot %s: %s is empty or too long; give one to three of "
                    "a (floppy), c (hard disk), d (CD-ROM), as in order=dc", v, key);
    for (size_t i = 0; i < n; i++) {
        char c = val[i];
        if (c == 'n')
            return fail(err, errlen, "-boot %s: network boot (n) is not supported: orrery "
                        "has no network card; give a, c or d", v);
        if (c != 'a' && c != 'c' && c != 'd')
            return fail(err, errlen, "-boot %s: '%c' is not a boot device; give a (floppy), "
                        "c (hard disk) or d (CD-ROM)", v, c);
        if (memchr(val, c, i))
            return fail(err, errlen, "-boot %s: '%c' is given twice; name each device once",
                        v, c);
    }
    memcpy(out, val, n);
    out[n] = '\0';
    return true;
}

/* KEY=on|off into *out. */
static bool on_off(const char *v, const char *key, const char *val, size_t n, bool *out,
                   char *err, size_t errlen)
{
    if (n == 2 && strncmp(val, "on", 2) == 0)
        *out = true;
    else if (n == 3 && strncmp(val, "off", 3) == 0)
        *out = false;
    else
        return fail(err, errlen, "-boot %s: %s=%.*s; give %s=on or %s=off", v, key, (int)n,
                    val, key, key);
    return true;
}

bool boot_option(struct machine_config *cfg, const char *v, char *err, size_t errlen)
{
    /* The values outlive the command line's parsing. */
    static char order[4], once[4];
    if (!strchr(v, '=')) /* the older spelling: -boot dc */
        return drives(v, "the order", v, strlen(v), order, err, errlen) &&
               (cfg->boot_order = order, true);
    const char *p = v;
    while (*p) {
        const char *eq = strchr(p, '=');
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        if (!eq || eq > end)
            return fail(err, errlen, "-boot %s: '%.*s' is not KEY=VALUE; give for example "
                        "-boot order=dc,menu=on", v, (int)(end - p), p);
        size_t klen = (size_t)(eq - p), vlen = (size_t)(end - eq - 1);
        const char *val = eq + 1;
        if (klen == 5 && strncmp(p, "order", 5) == 0) {
            if (!drives(v, "order", val, vlen, order, err, errlen))
                return false;
            cfg->boot_order = order;
        } else if (klen == 4 && strncmp(p, "once", 4) == 0) {
            if (!drives(v, "once", val, vlen, once, err, errlen))
                return false;
            cfg->boot_once = once;
        } else if (klen == 4 && strncmp(p, "menu", 4) == 0) {
            if (!on_off(v, "menu", val, vlen, &cfg->boot_menu, err, errlen))
                return false;
        } else if (klen == 11 && strncmp(p, "splash-time", 11) == 0) {
            char *stop;
            unsigned long ms = vlen ? strtoul(val, &stop, 10) : 0;
            if (!vlen || stop != end || ms == 0 || ms > 65535)
                return fail(err, errlen, "-boot %s: splash-time=%.*s; give the boot menu's "
                            "wait in milliseconds, 1 to 65535", v, (int)vlen, val);
            cfg->boot_menu_wait = (unsigned)ms;
        } else if (klen == 6 && strncmp(p, "strict", 6) == 0) {
            if (!on_off(v, "strict", val, vlen, &cfg->boot_strict, err, errlen))
                return false;
        } else if (klen == 14 && strncmp(p, "reboot-timeout", 14) == 0) {
            char *stop;
            long ms = vlen ? strtol(val, &stop, 10) : 0;
            if (!vlen || stop != end || ms < -1 || ms > 65535)
                return fail(err, errlen, "-boot %s: reboot-timeout=%.*s; give the wait before "
                            "rebooting when nothing boots, 0 to 65535 ms, or -1 (never)", v,
                            (int)vlen, val);
            cfg->boot_reboot = ms >= 0;
            cfg->boot_reboot_ms = ms >= 0 ? (unsigned)ms : 0;
        } else {
            return fail(err, errlen, "-boot %s: unsupported option '%.*s'; orrery knows "
                        "order, once, menu, splash-time, strict, reboot-timeout", v,
                        (int)klen, p);
        }
        p = *end ? end + 1 : end;
    }
    return true;
}
