/* The display of a build without SDL2 (cmake -DORRERY_SDL=OFF, or libsdl2-dev missing):
 * there is never a window; asking for one is one line. */
#include <stdio.h>

#include "frontends/sdl/display.h"

struct display *display_open(const struct display_options *o, struct machine *m, char *err,
                             size_t len)
{
    (void)m;
    err[0] = '\0';
    if (o->kind == DISPLAY_SDL)
        snprintf(err, len, "-display sdl: this orrery was built without SDL2; install "
                 "libsdl2-dev and build again, or use -display none");
    return NULL;
}

void display_close(struct display *d)
{
    (void)d;
}

bool display_poll(struct display *d, enum display_state state)
{
    (void)d;
    (void)state;
    return false;
}

void display_wait(struct display *d, volatile sig_atomic_t *stop)
{
    (void)d;
    (void)stop;
}
