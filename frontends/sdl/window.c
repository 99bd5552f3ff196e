/* The SDL2 window: the guest's screen scaled into it with its aspect kept (black bars
 * where the shapes differ), redrawn at most 60 times a second from the slice boundary,
 * and a title with the guest's state and speed, once a second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/sdl/sdl_impl.h"

#define FRAMES_PER_SECOND 60
#define DEFAULT_W 640 /* before the VGA shows anything */
#define DEFAULT_H 480

static bool have_window_system(void)
{
    const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    return (x && *x) || (wl && *wl);
}

struct display *display_open(const struct display_options *o, struct machine *m, char *err,
                             size_t len)
{
    err[0] = '\0';
    if (o->kind == DISPLAY_NONE || (o->kind == DISPLAY_DEFAULT && !have_window_system()))
        return NULL;
    const char *asked = getenv("SDL_VIDEODRIVER");
    if (!(asked && *asked) && !have_window_system()) {
        snprintf(err, len, "-display sdl: no window system to open a window on ($DISPLAY "
                 "and $WAYLAND_DISPLAY are unset); use -display none");
        return NULL;
    }
    /* X11 alone: SDL need not try Wayland first (and print why it could not). */
    const char *wl = getenv("WAYLAND_DISPLAY");
    if (!(asked && *asked) && !(wl && *wl))
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "x11");
    /* SIGINT and SIGTERM stay orrery's (they flush the disks and say where the guest was);
     * SDL would make them a window close. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    /* A grabbed mouse takes the keyboard too (Alt-Tab goes to the guest), as in QEMU. */
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    struct display *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, len, "out of memory");
        return NULL;
    }
    d->m = m;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        if (o->kind == DISPLAY_SDL)
            snprintf(err, len, "-display sdl: cannot open a window: %s; check $DISPLAY, "
                     "or use -display none", SDL_GetError());
        free(d);
        return NULL;
    }
    /* With no window system SDL falls back to drawing nowhere ("offscreen", "dummy"):
     * that is no display, unless SDL_VIDEODRIVER asked for it. */
    const char *driver = SDL_GetCurrentVideoDriver();
    if (driver && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0) &&
        !(asked && strcmp(asked, driver) == 0)) {
        if (o->kind == DISPLAY_SDL)
            snprintf(err, len, "-display sdl: no window system to open a window on (is "
                     "$DISPLAY or $WAYLAND_DISPLAY set?); use -display none");
        SDL_Quit();
        free(d);
        return NULL;
    }
    unsigned w = DEFAULT_W, h = DEFAULT_H, stride;
    if (machine_framebuffer(m, &w, &h, &stride) == NULL) {
        w = DEFAULT_W;
        h = DEFAULT_H;
    }
    unsigned sx, sy;
    display_shape(w, h, &sx, &sy);
    d->win = SDL_CreateWindow("orrery", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                              (int)(w * sx), (int)(h * sy), SDL_WINDOW_RESIZABLE);
    /* No vsync: a present must never hold the guest back for a monitor's refresh. */
    if (d->win)
        d->ren = SDL_CreateRenderer(d->win, -1, o->software ? SDL_RENDERER_SOFTWARE : 0);
    if (!d->ren) {
        if (o->kind == DISPLAY_SDL)
            snprintf(err, len, "-display sdl: cannot open a window: %s; check $DISPLAY, "
                     "or use -display none", SDL_GetError());
        display_close(d);
        return NULL;
    }
    d->frame_ticks = SDL_GetPerformanceFrequency() / FRAMES_PER_SECOND;
    d->stale = true;
    d->title_at = SDL_GetPerformanceCounter();
    d->title_insns = machine_instructions(m);
    d->title_state = DISPLAY_RUNNING;
    display_update_title(d);
    return d;
}

void display_close(struct display *d)
{
    if (!d)
        return;
    if (d->tex)
        SDL_DestroyTexture(d->tex);
    free(d->shown);
    if (d->ren)
        SDL_DestroyRenderer(d->ren);
    if (d->win)
        SDL_DestroyWindow(d->win);
    SDL_Quit();
    free(d);
}

void display_update_title(struct display *d)
{
    static const char *const names[] = { "running", "paused", "halted" };
    char title[128];
    snprintf(title, sizeof title, "orrery - %s - %u MIPS%s", names[d->title_state], d->mips,
             d->grabbed ? " - Ctrl-Alt-G releases the mouse" : "");
    SDL_SetWindowTitle(d->win, title);
}

/* The speed over the time since the last update (at least a tenth of a second of it, so
 * that a state change does not show the speed of a moment). */
static void measure(struct display *d, uint64_t now, enum display_state state)
{
    uint64_t insns = machine_instructions(d->m);
    uint64_t freq = SDL_GetPerformanceFrequency();
    if (state != DISPLAY_RUNNING) {
        d->mips = 0;
    } else if (now - d->title_at >= freq / 10) {
        double seconds = (double)(now - d->title_at) / (double)freq;
        d->mips = (unsigned)((double)(insns - d->title_insns) / seconds / 1e6 + 0.5);
    } else {
        return;
    }
    d->title_at = now;
    d->title_insns = insns;
}

/* The guest's screen into the window: a texture of the guest's size, drawn centred at the
 * largest size that fits with the shape display_shape gives it. A whole multiple of the
 * guest's size in both directions (the window as it opens, or resized to twice that)
 * copies each pixel to an exact block; any other size blends neighbouring pixels. */
static void redraw(struct display *d)
{
    unsigned w, h, stride;
    const uint32_t *fb = machine_framebuffer(d->m, &w, &h, &stride);
    if (fb && (w != d->tex_w || h != d->tex_h || !d->tex)) {
        if (d->tex)
            SDL_DestroyTexture(d->tex);
        /* SDL_PIXELFORMAT_RGB888 is a 32-bit 0x00RRGGBB in host order: the machine's. */
        d->tex = SDL_CreateTexture(d->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                                   (int)w, (int)h);
        free(d->shown);
        d->shown = d->tex ? malloc((size_t)w * h * sizeof *d->shown) : NULL;
        d->tex_w = d->shown ? w : 0;
        d->tex_h = d->shown ? h : 0;
        d->stale = true;
        /* A new mode: the window takes its size, as a monitor would show it whole. */
        Uint32 flags = SDL_GetWindowFlags(d->win);
        if (d->tex && !(flags & (SDL_WINDOW_FULLSCREEN | SDL_WINDOW_MAXIMIZED))) {
            unsigned sx, sy;
            display_shape(w, h, &sx, &sy);
            SDL_SetWindowSize(d->win, (int)(w * sx), (int)(h * sy));
        }
    }
    /* The VGA has no change counter: an unchanged picture (compared row by row, a few
     * dozen microseconds) is not sent to the window system again. */
    bool same = fb && d->shown && !d->stale && d->tex_w == w && d->tex_h == h;
    for (unsigned y = 0; same && y < h; y++)
        same = memcmp(d->shown + (size_t)y * w, fb + (size_t)y * stride, w * 4) == 0;
    if (same || (!fb && d->blank && !d->stale))
        return;
    for (unsigned y = 0; fb && d->shown && y < h && d->tex_w == w && d->tex_h == h; y++)
        memcpy(d->shown + (size_t)y * w, fb + (size_t)y * stride, w * 4);
    d->stale = false;
    d->blank = !fb;
    SDL_SetRenderDrawColor(d->ren, 0, 0, 0, 255);
    SDL_RenderClear(d->ren);
    if (fb && d->tex && SDL_UpdateTexture(d->tex, NULL, fb, (int)(stride * 4)) == 0) {
        int ow = 0, oh = 0;
        SDL_GetRendererOutputSize(d->ren, &ow, &oh);
        SDL_Rect dst;
        unsigned sx, sy;
        display_shape(w, h, &sx, &sy);
        uint64_t sw = (uint64_t)w * sx, sh = (uint64_t)h * sy; /* the shape shown */
        /* The largest sw*k by sh*k inside ow by oh: compare ow/sw with oh/sh exactly. */
        if ((uint64_t)ow * sh <= (uint64_t)oh * sw) {
            dst.w = ow;
            dst.h = (int)((uint64_t)ow * sh / sw);
        } else {
            dst.h = oh;
            dst.w = (int)((uint64_t)oh * sw / sh);
        }
        dst.x = (ow - dst.w) / 2;
        dst.y = (oh - dst.h) / 2;
        bool blocks = dst.w % (int)w == 0 && dst.h % (int)h == 0;
        SDL_SetTextureScaleMode(d->tex, blocks ? SDL_ScaleModeNearest : SDL_ScaleModeLinear);
        SDL_RenderCopy(d->ren, d->tex, NULL, &dst);
    }
    SDL_RenderPresent(d->ren);
}

bool display_poll(struct display *d, enum display_state state)
{
    SDL_Event ev;
    display_input_flush(d);
    while (SDL_PollEvent(&ev))
        if (display_input_event(d, &ev))
            return true;
    uint64_t now = SDL_GetPerformanceCounter();
    if (now >= d->next_frame) {
        redraw(d);
        d->next_frame = now + d->frame_ticks;
    }
    if (now >= d->next_title || state != d->title_state) {
        measure(d, now, state);
        d->title_state = state;
        display_update_title(d);
        d->next_title = now + SDL_GetPerformanceFrequency();
    }
    return false;
}

void display_wait(struct display *d, volatile sig_atomic_t *stop)
{
    while (!*stop && !display_poll(d, DISPLAY_HALTED))
        SDL_WaitEventTimeout(NULL, 1000 / FRAMES_PER_SECOND);
}
