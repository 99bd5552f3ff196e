/* The window's input: keys by position (SDL scan codes are USB HID usages, which
 * machine_key takes), the mouse while grabbed, and QEMU's hotkeys: Ctrl-Alt-G takes or
 * gives back the mouse (a click in the window takes it), Ctrl-Alt-F full screen. */
#include "frontends/sdl/sdl_impl.h"

static void key(struct display *d, SDL_Scancode sc, bool down)
{
    unsigned usage = (unsigned)sc;
    if (usage >= MACHINE_KEY_MAX || !machine_key_known(usage))
        return;
    /* A release goes only after a press the guest saw: the hotkeys' letters and keys
     * pressed before the window had the focus stay the host's. */
    if (!down && !d->held[usage])
        return;
    d->held[usage] = down;
    if (d->keys_count == 0 && machine_key(d->m, usage, down))
        return;
    if (d->keys_count < DISPLAY_KEY_FIFO) {
        unsigned i = (d->keys_head + d->keys_count++) % DISPLAY_KEY_FIFO;
        d->keys[i].usage = (uint8_t)usage;
        d->keys[i].down = down;
    }
}

void display_input_flush(struct display *d)
{
    while (d->keys_count &&
           machine_key(d->m, d->keys[d->keys_head].usage, d->keys[d->keys_head].down)) {
        d->keys_head = (d->keys_head + 1) % DISPLAY_KEY_FIFO;
        d->keys_count--;
    }
}

static void set_buttons(struct display *d, unsigned buttons)
{
    if (buttons == d->buttons)
        return;
    d->buttons = buttons;
    machine_mouse_move(d->m, 0, 0, 0, buttons);
}

void display_release_all(struct display *d)
{
    for (unsigned u = 0; u < MACHINE_KEY_MAX; u++)
        if (d->held[u])
            key(d, (SDL_Scancode)u, false);
    set_buttons(d, 0);
}

static void grab(struct display *d, bool on)
{
    if (d->grabbed == on)
        return;
    if (!on)
        set_buttons(d, 0);
    /* Relative mode hides the pointer and reports motion without the screen's edges. */
    if (SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE) != 0 && on)
        return; /* no relative mode here: the mouse stays the host's */
    SDL_SetWindowGrab(d->win, on ? SDL_TRUE : SDL_FALSE);
    d->grabbed = on;
    display_update_title(d);
}

static unsigned button_bit(Uint8 button)
{
    switch (button) {
    case SDL_BUTTON_LEFT: return MACHINE_MOUSE_LEFT;
    case SDL_BUTTON_RIGHT: return MACHINE_MOUSE_RIGHT;
    case SDL_BUTTON_MIDDLE: return MACHINE_MOUSE_MIDDLE;
    default: return 0;
    }
}

/* Ctrl-Alt-G and Ctrl-Alt-F: true when the key was one (it does not reach the guest). */
static bool hotkey(struct display *d, const SDL_KeyboardEvent *k)
{
    if (!(k->keysym.mod & KMOD_CTRL) || !(k->keysym.mod & KMOD_ALT))
        return false;
    if (k->keysym.scancode == SDL_SCANCODE_G) {
        grab(d, !d->grabbed);
        return true;
    }
    if (k->keysym.scancode == SDL_SCANCODE_F) {
        d->fullscreen = !d->fullscreen;
        SDL_SetWindowFullscreen(d->win, d->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        d->next_frame = 0;
        d->stale = true;
        return true;
    }
    return false;
}

bool display_input_event(struct display *d, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        return true;
    case SDL_WINDOWEVENT:
        switch (ev->window.event) {
        case SDL_WINDOWEVENT_CLOSE:
            return true;
        case SDL_WINDOWEVENT_FOCUS_LOST:
            /* Keys held now would stay down in the guest: their releases go elsewhere. */
            display_release_all(d);
            grab(d, false);
            break;
        case SDL_WINDOWEVENT_EXPOSED:
        case SDL_WINDOWEVENT_SIZE_CHANGED:
            d->next_frame = 0; /* redraw now */
            d->stale = true;
            break;
        default:
            break;
        }
        return false;
    case SDL_KEYDOWN:
        /* The host's auto-repeat is dropped: the guest's keyboard repeats by itself
         * (its typematic rate), as a real one does. */
        if (ev->key.repeat || hotkey(d, &ev->key))
            return false;
        key(d, ev->key.keysym.scancode, true);
        return false;
    case SDL_KEYUP:
        key(d, ev->key.keysym.scancode, false);
        return false;
    case SDL_MOUSEBUTTONDOWN:
        if (!d->grabbed) {
            /* The click that takes the mouse is the host's, not the guest's. */
            if (ev->button.button == SDL_BUTTON_LEFT)
                grab(d, true);
            return false;
        }
        set_buttons(d, d->buttons | button_bit(ev->button.button));
        return false;
    case SDL_MOUSEBUTTONUP:
        if (d->grabbed)
            set_buttons(d, d->buttons & ~button_bit(ev->button.button));
        return false;
    case SDL_MOUSEMOTION:
        if (d->grabbed && (ev->motion.xrel || ev->motion.yrel))
            machine_mouse_move(d->m, ev->motion.xrel, ev->motion.yrel, 0, d->buttons);
        return false;
    case SDL_MOUSEWHEEL: {
        int y = ev->wheel.y;
        if (ev->wheel.direction == SDL_MOUSEWHEEL_FLIPPED)
            y = -y;
        /* SDL's y is positive away from the user; the machine's dz toward. */
        if (d->grabbed && y)
            machine_mouse_move(d->m, 0, 0, -y, d->buttons);
        return false;
    }
    default:
        return false;
    }
}
