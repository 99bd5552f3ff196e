#include "devices/ps2kbd.h"

#include <string.h>

/* The 8042's translation of scan code set 2 into set 1, for codes 0x00-0x7F (IBM PS/2
 * Technical Reference, keyboard controller, "scan code translation"); 0x83 (F7) becomes
 * 0x41 and other codes from 0x80 up pass unchanged. */
static const uint8_t set2_to_set1[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

uint8_t ps2_translate_set2(uint8_t b)
{
    if (b < 0x80)
        return set2_to_set1[b];
    return b == 0x83 ? 0x41 : b;
}

enum { CMD_LEDS = 0xED, CMD_ECHO = 0xEE, CMD_SCANSET = 0xF0, CMD_IDENTIFY = 0xF2,
       CMD_TYPEMATIC = 0xF3, CMD_ENABLE = 0xF4, CMD_DISABLE = 0xF5, CMD_DEFAULTS = 0xF6,
       CMD_RESEND = 0xFE, CMD_RESET = 0xFF };

static size_t room(const struct ps2kbd *k)
{
    return PS2KBD_QUEUE - k->s.count;
}

static void push(struct ps2kbd *k, uint8_t b)
{
    struct ps2kbd_state *s = &k->s;
    if (s->count >= PS2KBD_QUEUE)
        return;
    s->q[(s->head + s->count) % PS2KBD_QUEUE] = b;
    s->count++;
}

static void notify(struct ps2kbd *k)
{
    if (k->s.count && k->notify)
        k->notify(k->notify_opaque);
}

static void clear_queue(struct ps2kbd *k)
{
    k->s.head = 0;
    k->s.count = 0;
}

static void typematic_stop(struct ps2kbd *k)
{
    k->s.rep_len = 0;
    if (k->sched)
        sched_timer_del(k->sched, k->timer);
}

static void set_defaults(struct ps2kbd *k)
{
    k->s.set = 2;
    k->s.typematic = 0x2B; /* 10.9 characters per second after 500 ms */
    k->s.set1_break = 0;
    typematic_stop(k);
}

void ps2kbd_reset(struct ps2kbd *k)
{
    memset(&k->s, 0, sizeof(k->s));
    set_defaults(k);
    k->s.scanning = 1;
}

void ps2kbd_init(struct ps2kbd *k, void (*notify_fn)(void *), void *opaque)
{
    k->notify = notify_fn;
    k->notify_opaque = opaque;
    k->sched = NULL;
    k->timer = -1;
    ps2kbd_reset(k);
}

uint64_t ps2kbd_typematic_delay_ns(uint8_t typematic)
{
    return (1u + (typematic >> 5 & 3)) * 250000000ull;
}

uint64_t ps2kbd_typematic_period_ns(uint8_t typematic)
{
    uint64_t units = (8u + (typematic & 7)) << (typematic >> 3 & 3); /* of 1/240 s */
    return units * SCHED_NS_PER_SEC / 240;
}

static void typematic_fired(void *opaque, uint64_t deadline)
{
    struct ps2kbd *k = opaque;
    if (!k->s.rep_len)
        return;
    /* A repeat that does not fit the queue is lost, as a real keyboard's would be while
     * the controller does not take its bytes; the key goes on repeating. */
    ps2kbd_key(k, k->s.rep, k->s.rep_len);
    sched_timer_mod(k->sched, k->timer, deadline + ps2kbd_typematic_period_ns(k->s.typematic));
}

int ps2kbd_attach_clock(struct ps2kbd *k, struct sched *sched)
{
    k->timer = sched_timer_new(sched, "ps2kbd.typematic", typematic_fired, k);
    if (k->timer < 0)
        return -1;
    k->sched = sched;
    return 0;
}

static void reply(struct ps2kbd *k, uint8_t b)
{
    push(k, b);
    if (b != CMD_RESEND)
        k->s.last = b;
}

/* The argument of ED, F0 or F3. */
static void write_arg(struct ps2kbd *k, uint8_t cmd, uint8_t b)
{
    struct ps2kbd_state *s = &k->s;
    s->arg_for = 0;
    switch (cmd) {
    case CMD_LEDS:
        s->leds = b & 7;
        reply(k, PS2_ACK);
        break;
    case CMD_TYPEMATIC:
        s->typematic = b & 0x7F;
        reply(k, PS2_ACK);
        break;
    default: /* CMD_SCANSET */
        if (b == 0) {
            reply(k, PS2_ACK);
            reply(k, s->set);
        } else if (b <= 3) {
            s->set = b;
            s->set1_break = 0;
            reply(k, PS2_ACK);
        } else {
            reply(k, CMD_RESEND);
        }
        break;
    }
}

void ps2kbd_write(struct ps2kbd *k, uint8_t b)
{
    struct ps2kbd_state *s = &k->s;
    if (s->arg_for && b < 0xED) {
        write_arg(k, s->arg_for, b);
        notify(k);
        return;
    }
    s->arg_for = 0; /* a command instead of the expected argument starts over */
    switch (b) {
    case CMD_LEDS:
    case CMD_TYPEMATIC:
    case CMD_SCANSET:
        s->arg_for = b;
        reply(k, PS2_ACK);
        break;
    case CMD_ECHO:
        reply(k, PS2_ECHO);
        break;
    case CMD_IDENTIFY: /* MF2 keyboard */
        reply(k, PS2_ACK);
        reply(k, 0xAB);
        reply(k, 0x83);
        break;
    case CMD_ENABLE: /* also forgets the typematic key */
        clear_queue(k);
        typematic_stop(k);
        s->scanning = 1;
        reply(k, PS2_ACK);
        break;
    case CMD_DISABLE:
        clear_queue(k);
        set_defaults(k);
        s->scanning = 0;
        reply(k, PS2_ACK);
        break;
    case CMD_DEFAULTS:
        clear_queue(k);
        set_defaults(k);
        reply(k, PS2_ACK);
        break;
    case CMD_RESEND:
        push(k, s->last);
        break;
    case CMD_RESET:
        clear_queue(k);
        set_defaults(k);
        s->leds = 0;
        s->scanning = 1;
        reply(k, PS2_ACK);
        reply(k, PS2_BAT_OK);
        break;
    default:
        reply(k, CMD_RESEND);
        break;
    }
    notify(k);
}

bool ps2kbd_has_data(const struct ps2kbd *k)
{
    return k->s.count != 0;
}

uint8_t ps2kbd_read(struct ps2kbd *k)
{
    struct ps2kbd_state *s = &k->s;
    if (!s->count)
        return 0;
    uint8_t b = s->q[s->head];
    s->head = (uint8_t)((s->head + 1) % PS2KBD_QUEUE);
    s->count--;
    return b;
}

bool ps2kbd_key(struct ps2kbd *k, const uint8_t *set2, size_t n)
{
    struct ps2kbd_state *s = &k->s;
    if (!s->scanning || n > room(k))
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = set2[i];
        if (s->set == 1) { /* convert as the 8042 would */
            if (b == 0xF0) {
                s->set1_break = 1;
                continue;
            }
            b = ps2_translate_set2(b);
            if (s->set1_break && b != 0xE0 && b != 0xE1)
                b |= 0x80;
            if (b != 0xE0 && b != 0xE1)
                s->set1_break = 0;
        }
        push(k, b);
        s->last = b;
    }
    notify(k);
    return true;
}

bool ps2kbd_key_event(struct ps2kbd *k, uint8_t key, bool down, const uint8_t *set2, size_t n,
                      const uint8_t *repeat, size_t rn)
{
    struct ps2kbd_state *s = &k->s;
    if (!down) {
        if (s->rep_len && s->rep_key == key)
            typematic_stop(k);
        return ps2kbd_key(k, set2, n);
    }
    if (!ps2kbd_key(k, set2, n))
        return false;
    typematic_stop(k); /* another key pressed: it repeats instead */
    if (rn && rn <= sizeof s->rep && k->sched) {
        memcpy(s->rep, repeat, rn);
        s->rep_len = (uint8_t)rn;
        s->rep_key = key;
        sched_timer_mod(k->sched, k->timer,
                        sched_now(k->sched) + ps2kbd_typematic_delay_ns(s->typematic));
    }
    return true;
}

static const struct savestate_field ps2kbd_fields[] = {
    SS_ARRAY(struct ps2kbd_state, q),
    SS_FIELD_RANGE(struct ps2kbd_state, head, 0, PS2KBD_QUEUE - 1),
    SS_FIELD_RANGE(struct ps2kbd_state, count, 0, PS2KBD_QUEUE),
    SS_FIELD(struct ps2kbd_state, scanning),  SS_FIELD(struct ps2kbd_state, set),
    SS_FIELD(struct ps2kbd_state, arg_for),   SS_FIELD(struct ps2kbd_state, leds),
    SS_FIELD(struct ps2kbd_state, typematic), SS_FIELD(struct ps2kbd_state, last),
    SS_FIELD(struct ps2kbd_state, set1_break),
    SS_ARRAY(struct ps2kbd_state, rep),
    SS_FIELD_RANGE(struct ps2kbd_state, rep_len, 0, 4),
    SS_FIELD(struct ps2kbd_state, rep_key),
    SS_ARRAY(struct ps2kbd_state, pad),
};
SAVESTATE_DESC(ps2kbd_savestate, "ps2kbd", 2, ps2kbd_fields);
