/* The inside of the SDL window (frontends/sdl/display.h), shared by window.c (the picture
 * and the title) and input.c (keyboard, mouse, the hotkeys). */
#ifndef ORRERY_FRONTENDS_SDL_SDL_IMPL_H
#define ORRERY_FRONTENDS_SDL_SDL_IMPL_H

#include <SDL.h>

#include "frontends/sdl/display.h"

#define DISPLAY_KEY_FIFO 128

struct display {
    struct machine *m;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    unsigned tex_w, tex_h;         /* the texture's size: the guest screen's last size */
    uint32_t *shown;               /* the picture last drawn (tex_w * tex_h), to skip
                                      drawing an unchanged screen again */
    bool stale;                    /* the window needs drawing (exposed, resized) */
    bool blank;                    /* it shows black: the VGA showed nothing */
    uint64_t next_frame;           /* SDL_GetPerformanceCounter value of the next redraw */
    uint64_t frame_ticks;          /* counter ticks in 1/60 s */
    uint64_t next_title;           /* ... of the next title update (once a second) */
    uint64_t title_insns;          /* machine_instructions at the last title update */
    uint64_t title_at;             /* counter value then */
    enum display_state title_state;
    unsigned mips;                 /* the speed shown: million instructions per second */
    bool fullscreen;
    bool grabbed;                  /* the mouse is the guest's (relative mode) */
    unsigned buttons;              /* MACHINE_MOUSE_* held, as the guest was last told */
    bool held[MACHINE_KEY_MAX];    /* keys the guest was told are down */
    /* Key events waiting for room in the keyboard's 16-byte queue: xdotool or a fast
     * typist sends more at once than the guest has read. In order; beyond
     * DISPLAY_KEY_FIFO (a guest that stopped reading) new ones are dropped. */
    struct { uint8_t usage; bool down; } keys[DISPLAY_KEY_FIFO];
    unsigned keys_head, keys_count;
};

/* input.c: one event; true when it closes the window. */
bool display_input_event(struct display *d, const SDL_Event *ev);
/* input.c: hands the guest's keyboard the key events waiting for room. */
void display_input_flush(struct display *d);
/* input.c: every key and button the guest holds goes up (focus lost, grab released). */
void display_release_all(struct display *d);
/* window.c: the title from the state, speed and grab. */
void display_update_title(struct display *d);

#endif
