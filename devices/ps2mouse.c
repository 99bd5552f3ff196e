#include "devices/ps2mouse.h"

#include <string.h>

enum { CMD_SCALE11 = 0xE6, CMD_SCALE21 = 0xE7, CMD_RESOLUTION = 0xE8, CMD_STATUS = 0xE9,
       CMD_STREAM = 0xEA, CMD_READ = 0xEB, CMD_WRAP_OFF = 0xEC, CMD_WRAP_ON = 0xEE,
       CMD_REMOTE = 0xF0, CMD_GET_ID = 0xF2, CMD_RATE = 0xF3, CMD_ENABLE = 0xF4,
       CMD_DISABLE = 0xF5, CMD_DEFAULTS = 0xF6, CMD_RESEND = 0xFE, CMD_RESET = 0xFF };

enum { ACK = 0xFA, RESEND = 0xFE, ERROR = 0xFC, BAT_OK = 0xAA, ID_PS2 = 0x00,
       ID_INTELLIMOUSE = 0x03 };

/* Status byte 1 (E9): bit 6 remote mode, bit 5 reporting, bit 4 scaling 2:1, then the
 * buttons as left (bit 2), middle (bit 1), right (bit 0). */
enum { ST_REMOTE = 0x40, ST_ENABLED = 0x20, ST_SCALE21 = 0x10 };

/* Packet byte 0. */
enum { PK_ALWAYS1 = 0x08, PK_XSIGN = 0x10, PK_YSIGN = 0x20, PK_XOVER = 0x40,
       PK_YOVER = 0x80 };

#define DEFAULT_RATE 100
#define DEFAULT_RESOLUTION 2 /* 4 counts per mm */

static bool is_command(uint8_t b)
{
    switch (b) {
    case CMD_SCALE11: case CMD_SCALE21: case CMD_RESOLUTION: case CMD_STATUS:
    case CMD_STREAM: case CMD_READ: case CMD_WRAP_OFF: case CMD_WRAP_ON:
    case CMD_REMOTE: case CMD_GET_ID: case CMD_RATE: case CMD_ENABLE:
    case CMD_DISABLE: case CMD_DEFAULTS: case CMD_RESEND: case CMD_RESET:
        return true;
    default:
        return false;
    }
}

static bool valid_rate(uint8_t r)
{
    return r == 10 || r == 20 || r == 40 || r == 60 || r == 80 || r == 100 || r == 200;
}

static unsigned room(const struct ps2mouse *m)
{
    return PS2MOUSE_QUEUE - m->s.count;
}

static void push(struct ps2mouse *m, uint8_t b)
{
    struct ps2mouse_state *s = &m->s;
    if (s->count >= PS2MOUSE_QUEUE)
        return;
    s->q[(s->head + s->count) % PS2MOUSE_QUEUE] = b;
    s->count++;
}

/* A packet: the bytes go out together, and FE sends them again. */
static void send(struct ps2mouse *m, const uint8_t *b, unsigned n)
{
    struct ps2mouse_state *s = &m->s;
    for (unsigned i = 0; i < n; i++)
        push(m, b[i]);
    memcpy(s->last, b, n);
    s->last_len = (uint8_t)n;
}

static void send1(struct ps2mouse *m, uint8_t b)
{
    send(m, &b, 1);
}

static void notify(struct ps2mouse *m)
{
    if (m->s.count && m->notify)
        m->notify(m->notify_opaque);
}

static void clear_counters(struct ps2mouse *m)
{
    m->s.dx = m->s.dy = m->s.dz = 0;
    m->s.moved = 0;
}

static void set_defaults(struct ps2mouse *m)
{
    struct ps2mouse_state *s = &m->s;
    s->rate = DEFAULT_RATE;
    s->resolution = DEFAULT_RESOLUTION;
    s->scaling21 = 0;
    s->reporting = 0;
    s->remote = 0;
    clear_counters(m);
}

void ps2mouse_reset(struct ps2mouse *m)
{
    memset(&m->s, 0, sizeof(m->s));
    set_defaults(m);
}

void ps2mouse_init(struct ps2mouse *m, void (*notify_fn)(void *), void *opaque)
{
    m->notify = notify_fn;
    m->notify_opaque = opaque;
    ps2mouse_reset(m);
}

static unsigned packet_len(const struct ps2mouse *m)
{
    return m->s.id == ID_INTELLIMOUSE ? 4 : 3;
}

/* 2:1 scaling, stream mode only (IBM PS/2 Technical Reference: 1, 2, 3, 4, 5 counts are
 * reported as 1, 1, 3, 6, 9; more as twice the count). */
static int scale21(int v)
{
    static const int small[6] = { 0, 1, 1, 3, 6, 9 };
    int a = v < 0 ? -v : v;
    a = a < 6 ? small[a] : 2 * a;
    return v < 0 ? -a : a;
}

/* One axis into 9 bits: sets its sign and, past the range, overflow bit. */
static uint8_t axis(int v, uint8_t *b0, uint8_t sign, uint8_t over)
{
    if (v < -256) {
        v = -256;
        *b0 |= over;
    } else if (v > 255) {
        v = 255;
        *b0 |= over;
    }
    if (v < 0)
        *b0 |= sign;
    return (uint8_t)(v & 0xFF);
}

/* The counters as a packet; they restart from zero, except the wheel notches that did
 * not fit, which stay for the next one. */
static void send_packet(struct ps2mouse *m, bool stream)
{
    struct ps2mouse_state *s = &m->s;
    int dx = s->dx, dy = s->dy;
    if (stream && s->scaling21) {
        dx = scale21(dx);
        dy = scale21(dy);
    }
    uint8_t p[4];
    p[0] = (uint8_t)(PK_ALWAYS1 | (s->buttons & 7));
    p[1] = axis(dx, &p[0], PK_XSIGN, PK_XOVER);
    p[2] = axis(dy, &p[0], PK_YSIGN, PK_YOVER);
    int dz = s->dz < -8 ? -8 : s->dz > 7 ? 7 : s->dz;
    p[3] = (uint8_t)(dz & 0xFF);
    s->dx = s->dy = 0;
    if (packet_len(m) == 4)
        s->dz = (int16_t)(s->dz - dz);
    else
        s->dz = 0;
    s->moved = s->dz != 0;
    send(m, p, packet_len(m));
}

/* Stream mode: packets while there is something to say and room to say it whole. */
static void stream(struct ps2mouse *m)
{
    struct ps2mouse_state *s = &m->s;
    while (s->moved && s->reporting && !s->remote && !s->wrap && room(m) >= packet_len(m))
        send_packet(m, true);
}

static void error(struct ps2mouse *m)
{
    struct ps2mouse_state *s = &m->s;
    if (++s->errors >= 2) {
        s->errors = 0;
        s->arg_for = 0;
        push(m, ERROR);
    } else {
        push(m, RESEND);
    }
}

/* The argument of E8 or F3. */
static bool write_arg(struct ps2mouse *m, uint8_t b)
{
    struct ps2mouse_state *s = &m->s;
    if (s->arg_for == CMD_RESOLUTION) {
        if (b > 3)
            return false;
        s->resolution = b;
        clear_counters(m);
    } else {
        if (!valid_rate(b))
            return false;
        s->rate = b;
        s->rates[0] = s->rates[1];
        s->rates[1] = s->rates[2];
        s->rates[2] = b;
        if (s->rates[0] == 200 && s->rates[1] == 100 && s->rates[2] == 80)
            s->id = ID_INTELLIMOUSE;
    }
    s->arg_for = 0;
    s->errors = 0;
    send1(m, ACK);
    return true;
}

static void command(struct ps2mouse *m, uint8_t b)
{
    struct ps2mouse_state *s = &m->s;
    if (b == CMD_RESEND) { /* the last packet again, unacknowledged; an argument the
                              mouse was waiting for is still awaited */
        for (unsigned i = 0; i < s->last_len; i++)
            push(m, s->last[i]);
        return;
    }
    s->arg_for = 0;
    if (!is_command(b)) {
        error(m);
        return;
    }
    s->errors = 0;
    /* Enable, disable, defaults and reset drop what was still queued (packets a driver
     * would have to skip before the ACK), as the keyboard does for the same commands. */
    if (b == CMD_ENABLE || b == CMD_DISABLE || b == CMD_DEFAULTS || b == CMD_RESET)
        s->head = s->count = 0;
    send1(m, ACK);
    switch (b) {
    case CMD_SCALE11: s->scaling21 = 0; break;
    case CMD_SCALE21: s->scaling21 = 1; break;
    case CMD_RESOLUTION:
    case CMD_RATE:
        s->arg_for = b;
        break;
    case CMD_STATUS: {
        uint8_t st[3];
        st[0] = (uint8_t)((s->remote ? ST_REMOTE : 0) | (s->reporting ? ST_ENABLED : 0) |
                          (s->scaling21 ? ST_SCALE21 : 0) |
                          ((s->buttons & PS2MOUSE_LEFT) ? 0x04 : 0) |
                          ((s->buttons & PS2MOUSE_MIDDLE) ? 0x02 : 0) |
                          ((s->buttons & PS2MOUSE_RIGHT) ? 0x01 : 0));
        st[1] = s->resolution;
        st[2] = s->rate;
        send(m, st, 3);
        clear_counters(m);
        break;
    }
    case CMD_STREAM:
        s->remote = 0;
        clear_counters(m);
        break;
    case CMD_READ: /* a packet whether or not anything moved, in either mode */
        send_packet(m, false);
        break;
    case CMD_WRAP_OFF:
        s->wrap = 0;
        clear_counters(m);
        break;
    case CMD_WRAP_ON:
        s->wrap = 1;
        clear_counters(m);
        break;
    case CMD_REMOTE:
        s->remote = 1;
        clear_counters(m);
        break;
    case CMD_GET_ID:
        send1(m, s->id);
        clear_counters(m);
        break;
    case CMD_ENABLE:
        s->reporting = 1;
        clear_counters(m);
        break;
    case CMD_DISABLE:
        s->reporting = 0;
        clear_counters(m);
        break;
    case CMD_DEFAULTS:
        set_defaults(m);
        break;
    default: { /* CMD_RESET: self-test passed, then the ID */
        uint8_t bat[2] = { BAT_OK, ID_PS2 };
        set_defaults(m);
        s->wrap = 0;
        s->id = ID_PS2;
        memset(s->rates, 0, sizeof s->rates);
        send(m, bat, 2);
        break;
    }
    }
}

void ps2mouse_write(struct ps2mouse *m, uint8_t b)
{
    struct ps2mouse_state *s = &m->s;
    if (s->wrap && b != CMD_RESET && b != CMD_WRAP_OFF) {
        send1(m, b);
    } else if (s->arg_for && !is_command(b)) {
        if (!write_arg(m, b))
            error(m);
    } else {
        command(m, b);
    }
    notify(m);
}

bool ps2mouse_has_data(const struct ps2mouse *m)
{
    return m->s.count != 0;
}

uint8_t ps2mouse_read(struct ps2mouse *m)
{
    struct ps2mouse_state *s = &m->s;
    if (!s->count)
        return 0;
    uint8_t b = s->q[s->head];
    s->head = (uint8_t)((s->head + 1) % PS2MOUSE_QUEUE);
    s->count--;
    stream(m); /* room for the movement that added up meanwhile */
    return b;
}

static int16_t add16(int16_t a, int b)
{
    int64_t v = (int64_t)a + b;
    return (int16_t)(v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v);
}

void ps2mouse_move(struct ps2mouse *m, int dx, int dy, int dz, unsigned buttons)
{
    struct ps2mouse_state *s = &m->s;
    buttons &= PS2MOUSE_LEFT | PS2MOUSE_RIGHT | PS2MOUSE_MIDDLE;
    if (!dx && !dy && !dz && buttons == s->buttons)
        return;
    s->dx = add16(s->dx, dx);
    s->dy = add16(s->dy, dy);
    s->dz = add16(s->dz, dz);
    s->buttons = (uint8_t)buttons;
    s->moved = 1;
    stream(m);
    notify(m);
}

static const struct savestate_field ps2mouse_fields[] = {
    SS_ARRAY(struct ps2mouse_state, q),
    SS_FIELD(struct ps2mouse_state, dx),         SS_FIELD(struct ps2mouse_state, dy),
    SS_FIELD(struct ps2mouse_state, dz),
    SS_FIELD_RANGE(struct ps2mouse_state, head, 0, PS2MOUSE_QUEUE - 1),
    SS_FIELD_RANGE(struct ps2mouse_state, count, 0, PS2MOUSE_QUEUE),
    SS_FIELD(struct ps2mouse_state, reporting),
    SS_FIELD(struct ps2mouse_state, remote),     SS_FIELD(struct ps2mouse_state, wrap),
    SS_FIELD(struct ps2mouse_state, scaling21),  SS_FIELD(struct ps2mouse_state, resolution),
    SS_FIELD(struct ps2mouse_state, rate),       SS_FIELD(struct ps2mouse_state, arg_for),
    SS_FIELD(struct ps2mouse_state, id),         SS_FIELD(struct ps2mouse_state, errors),
    SS_FIELD(struct ps2mouse_state, buttons),    SS_ARRAY(struct ps2mouse_state, rates),
    SS_FIELD(struct ps2mouse_state, moved),      SS_ARRAY(struct ps2mouse_state, last),
    SS_FIELD_RANGE(struct ps2mouse_state, last_len, 0, 4),
    SS_ARRAY(struct ps2mouse_state, pad),
};
SAVESTATE_DESC(ps2mouse_savestate, "ps2mouse", 1, ps2mouse_fields);
