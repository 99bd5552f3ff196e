/* -display VALUE in QEMU's spelling (built with or without SDL2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/sdl/display.h"

bool display_parse(const char *value, struct display_options *o, char *err, size_t len)
{
    o->software = false;
    if (strcmp(value, "none") == 0) {
        o->kind = DISPLAY_NONE;
        return true;
    }
    if (strncmp(value, "sdl", 3) != 0 || (value[3] != '\0' && value[3] != ',')) {
        snprintf(err, len, "-display %s: unsupported; use -display sdl (a window) or "
                 "-display none", value);
        return false;
    }
    o->kind = DISPLAY_SDL;
    /* Options after "sdl,", each NAME=VALUE. */
    for (const char *p = value[3] ? value + 4 : NULL; p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 6 && strncmp(p, "gl=off", 6) == 0) {
            o->software = true;
        } else if (n == 5 && strncmp(p, "gl=on", 5) == 0) {
            o->software = false;
        } else if ((n == 15 && strncmp(p, "window-close=on", 15) == 0)) {
            /* QEMU's default: closing the window quits. */
        } else {
            snprintf(err, len, "-display %s: unsupported option '%.*s'; orrery knows "
                     "gl=on, gl=off and window-close=on", value, (int)(n > 64 ? 64 : n), p);
            return false;
        }
        p = comma ? comma + 1 : NULL;
    }
    return true;
}
