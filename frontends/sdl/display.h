/* The display for build/orrery: `-display sdl` (an SDL2 window) or none. What
 * frontends/cli/main.c calls between machine_run slices; all SDL calls stay on that
 * (the main) thread. Built without SDL2 (cmake -DORRERY_SDL=OFF, or no libsdl2-dev),
 * frontends/sdl/none.c stands in: -display sdl is refused with one line and the default
 * is no display. */
#ifndef ORRERY_FRONTENDS_SDL_DISPLAY_H
#define ORRERY_FRONTENDS_SDL_DISPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/machine/machine.h"

enum display_kind {
    DISPLAY_DEFAULT, /* no -display: a window when $DISPLAY or $WAYLAND_DISPLAY is set
                        and one opens, otherwise none */
    DISPLAY_NONE,    /* -display none, -nographic */
    DISPLAY_SDL,     /* -display sdl: a window, or one line and exit 1 */
};

struct display_options {
    enum display_kind kind;
    bool software;   /* gl=off: SDL's software renderer (what the tests use: the same
                        pixels on every host) instead of the GPU's */
};

/* -display VALUE: none, sdl, sdl,gl=on|off (and QEMU's sdl,window-close=on). False with
 * one line in err (len bytes) for anything else. */
bool display_parse(const char *value, struct display_options *o, char *err, size_t len);

/* The shape the window shows a w x h guest picture in, and the window's size when the
 * guest sets that mode: w * sx by h * sy, each axis enlarged by the smallest whole factor
 * that makes it at least 640 pixels wide and 350 lines tall (the least a VGA monitor
 * shows; the VGA itself clocks each dot of a 320- or 360-pixel mode twice and scans each
 * line of a 200- or 240-line mode twice). So 360x400 (40-column text) is shown 720x400,
 * 320x200 and 640x200 640x400, 320x240 (mode X) 640x480; 640x350, 640x480, 720x400 and
 * larger pictures as they are. 0 (no picture) gives 1. (frontends/sdl/shape.c) */
void display_shape(unsigned w, unsigned h, unsigned *sx, unsigned *sy);

struct display;

/* Opens the window for machine m (which must outlive it). Returns NULL with err empty
 * when there is to be no display (DISPLAY_NONE, or DISPLAY_DEFAULT with no window
 * system), NULL with one line in err when -display sdl cannot open a window. */
struct display *display_open(const struct display_options *o, struct machine *m, char *err,
                             size_t len);
void display_close(struct display *d); /* NULL is fine */

/* What the guest is doing, for the title. */
enum display_state { DISPLAY_RUNNING, DISPLAY_PAUSED, DISPLAY_HALTED };

/* Called at every slice boundary: takes the window's events (keys and mouse to the guest,
 * the hotkeys), redraws the screen when a frame (1/60 s) has passed and the title once a
 * second. Returns true when the window was closed (orrery exits, as QEMU does). Cheap
 * when there is nothing to do: a clock read and an event poll. */
bool display_poll(struct display *d, enum display_state state);

/* The guest stopped for good (a halt with interrupts off): the window stays, titled
 * "halted", until it is closed or *stop becomes non-zero. */
void display_wait(struct display *d, volatile sig_atomic_t *stop);

/* Instructions per machine_run slice while a window is open: about 4 ms of guest work at
 * today's speed, so that frames and key presses are never late by more than that. */
#define DISPLAY_SLICE 200000u

#endif
