#include "devices/pit8254.h"

#include <string.h>

/* Port B bits (IBM AT Technical Reference, "System control port B"). */
enum { PB_GATE2 = 0x01, PB_SPEAKER = 0x02, PB_WRITABLE = 0x0F, PB_REFRESH = 0x10,
       PB_OUT2 = 0x20 };
/* The refresh request bit toggles every 15.09 us: 18 ticks of the 1.19 MHz clock. */
#define REFRESH_TICKS 18u

static uint64_t ticks_of(uint64_t ns)
{
    return ns / PIT_CLOCK_DEN * PIT_CLOCK_NUM + ns % PIT_CLOCK_DEN * PIT_CLOCK_NUM / PIT_CLOCK_DEN;
}

/* The first nanosecond of tick t (ticks_of(ns_of(t)) == t). */
static uint64_t ns_of(uint64_t t)
{
    return t / PIT_CLOCK_NUM * PIT_CLOCK_DEN +
           (t % PIT_CLOCK_NUM * PIT_CLOCK_DEN + PIT_CLOCK_NUM - 1) / PIT_CLOCK_NUM;
}

static uint64_t now_tick(const struct pit *p)
{
    return ticks_of(sched_now(p->sched));
}

static uint32_t modulus(const struct pit_channel *c)
{
    return c->bcd ? 10000u : 65536u;
}

/* Modes 2 and 3: a count of 1 is illegal (datasheet); it behaves as 2 here. */
static uint32_t period_of(uint32_t n)
{
    return n < 2 ? 2 : n;
}

static uint16_t bcd_encode(uint32_t v)
{
    return (uint16_t)(v % 10 | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

static uint32_t bcd_decode(uint16_t v)
{
    return (v & 0xF) + (v >> 4 & 0xF) * 10u + (v >> 8 & 0xF) * 100u + (v >> 12 & 0xF) * 1000u;
}

/* A mode 2/3 count written while counting takes over at the end of the period. */
static void normalize(struct pit_channel *c, uint64_t t)
{
    if (c->phase == PIT_RUNNING && c->reload_pending && t >= c->next_start) {
        c->start = c->next_start;
        c->count0 = c->next_reload;
        c->reload_pending = 0;
        c->null_count = 0;
    }
}

/* The counting element's value (0..M-1, M reading as 0) and OUT at tick t. */
static void eval(const struct pit_channel *c, uint64_t t, uint32_t *count, int *out)
{
    const uint32_t m = modulus(c);
    if (c->phase != PIT_RUNNING) {
        *count = c->held % m;
        /* After a control word OUT is low in mode 0 and high in the others (datasheet,
         * "Mode definitions"); a paused mode 0 keeps the level it had. */
        *out = c->mode == 0 ? c->tc_done : 1;
        return;
    }
    const uint64_t d = t - c->start;
    switch (c->mode) {
    case 2: {
        uint64_t ph = d % c->count0;
        *count = (uint32_t)(c->count0 - ph) % m;
        *out = ph != c->count0 - 1u; /* low for the one clock at count 1 */
        return;
    }
    case 3: {
        /* High for ceil(N/2) clocks, low for floor(N/2); the count drops by 2 per clock,
         * and for odd N by 1 (high half) or 3 (low half) on the first clock. */
        uint32_t n = c->count0;
        uint32_t ph = (uint32_t)(d % n);
        uint32_t high = (n + 1) / 2;
        uint32_t v;
        if (n % 2 == 0)
            v = n - 2 * (ph < high ? ph : ph - high);
        else if (ph < high)
            v = ph == 0 ? n : n - 1 - 2 * (ph - 1);
        else
            v = ph == high ? n : n - 3 - 2 * (ph - high - 1);
        *count = v % m;
        *out = ph < high;
        return;
    }
    default: { /* 0, 1, 4, 5: count down from count0 once, then wrap */
        *count = (uint32_t)((c->count0 + (uint64_t)m - d % m) % m);
        if (c->mode == 0 || c->mode == 1)
            *out = c->tc_done || d >= c->count0;
        else /* strobe: low for the one clock at terminal count */
            *out = c->tc_done || d != c->count0;
        return;
    }
    }
}

static uint16_t display(const struct pit_channel *c, uint32_t count)
{
    return c->bcd ? bcd_encode(count) : (uint16_t)count;
}

/* The next rising edge of OUT after tick t, or UINT64_MAX. */
static uint64_t next_rise(const struct pit_channel *c, uint64_t t)
{
    if (c->phase != PIT_RUNNING)
        return UINT64_MAX;
    const uint64_t d = t - c->start;
    switch (c->mode) {
    case 0:
    case 1:
        return !c->tc_done && d < c->count0 ? c->start + c->count0 : UINT64_MAX;
    case 4:
    case 5:
        return !c->tc_done && d <= c->count0 ? c->start + c->count0 + 1 : UINT64_MAX;
    default: /* 2, 3: at every period boundary */
        return c->start + (d / c->count0 + 1) * c->count0;
    }
}

/* Channel 0: drives IRQ 0 to OUT0 and arms the timer for the next rising edge. With
 * `edge`, an edge is due now: a line that is already high pulses low first. */
static void update_irq(struct pit *p, uint64_t t, bool edge)
{
    struct pit_channel *c = &p->s.ch[0];
    uint32_t count;
    int out;
    normalize(c, t);
    eval(c, t, &count, &out);
    if (edge && out && p->s.irq_level)
        irq_lower(&p->irq0);
    if (out != p->s.irq_level || edge)
        irq_set(&p->irq0, out);
    p->s.irq_level = (uint8_t)out;
    uint64_t rise = next_rise(c, t);
    sched_timer_mod(p->sched, p->timer, rise == UINT64_MAX ? SCHED_NEVER : ns_of(rise));
}

static void pit_timer(void *opaque, uint64_t deadline)
{
    struct pit *p = opaque;
    (void)deadline;
    update_irq(p, now_tick(p), true);
}

static void channel_changed(struct pit *p, unsigned i, uint64_t t)
{
    if (i == 0)
        update_irq(p, t, false);
}

static void start_running(struct pit_channel *c, uint64_t t, uint32_t count0)
{
    c->phase = PIT_RUNNING;
    c->start = t;
    c->count0 = count0;
    c->reload_pending = 0;
}

/* Holds the count (modes 0, 4: gate low, or the first byte of a two-byte count in mode 0). */
static void pause(struct pit_channel *c, uint64_t t)
{
    if (c->phase != PIT_RUNNING)
        return;
    uint64_t d = t - c->start;
    uint32_t count;
    int out;
    eval(c, t, &count, &out);
    if ((c->mode == 0 || c->mode == 4) && d < c->count0) {
        c->held = (uint32_t)(c->count0 - d); /* 1..M: a held 65536 is not terminal count */
    } else {
        c->held = count;
        if (c->mode == 0 || c->mode == 4)
            c->tc_done = 1;
    }
    c->phase = PIT_PAUSED;
}

/* A complete initial count n (1..M) was written. */
static void load_count(struct pit_channel *c, uint32_t n, uint64_t t)
{
    c->reload = n;
    switch (c->mode) {
    case 0:
    case 4:
        c->tc_done = 0;
        c->null_count = 0;
        if (c->gate) {
            start_running(c, t, n);
        } else {
            c->phase = PIT_PAUSED;
            c->held = n;
        }
        break;
    case 1:
    case 5:
        c->null_count = 1; /* loaded into the counting element by the next trigger */
        if (c->phase == PIT_IDLE)
            c->phase = PIT_WAITING;
        break;
    default: /* 2, 3 */
        if (c->phase == PIT_RUNNING) {
            uint64_t d = t - c->start;
            c->null_count = 1;
            c->next_reload = period_of(n);
            c->next_start = c->start + (d / c->count0 + 1) * c->count0;
            c->reload_pending = 1;
        } else if (c->gate) {
            c->null_count = 0;
            start_running(c, t, period_of(n));
        } else {
            c->null_count = 1;
            c->phase = PIT_PAUSED;
            c->held = n;
        }
        break;
    }
}

static void set_gate(struct pit *p, unsigned i, uint8_t gate, uint64_t t)
{
    struct pit_channel *c = &p->s.ch[i];
    normalize(c, t);
    if (gate == c->gate)
        return;
    c->gate = gate;
    if (gate) { /* rising edge */
        switch (c->mode) {
        case 1:
        case 5: /* trigger: (re)load the count */
            if (c->phase == PIT_WAITING || c->phase == PIT_RUNNING) {
                c->tc_done = 0;
                c->null_count = 0;
                start_running(c, t, c->reload);
            }
            break;
        case 2:
        case 3: /* restart with the initial count */
            if (c->phase == PIT_PAUSED) {
                c->null_count = 0;
                start_running(c, t, period_of(c->reload));
            }
            break;
        default: /* 0, 4: resume */
            if (c->phase == PIT_PAUSED)
                start_running(c, t, c->held);
            break;
        }
    } else if (c->phase == PIT_RUNNING) {
        if (c->mode == 0 || c->mode == 4) {
            pause(c, t);
        } else if (c->mode == 2 || c->mode == 3) {
            uint32_t count;
            int out;
            eval(c, t, &count, &out);
            c->held = count; /* stopped; OUT goes high */
            c->phase = PIT_PAUSED;
        }
    }
    channel_changed(p, i, t);
}

static void latch_count(struct pit_channel *c, uint64_t t)
{
    if (c->latched)
        return; /* a second latch before the first is read is ignored (datasheet) */
    uint32_t count;
    int out;
    eval(c, t, &count, &out);
    c->latch = display(c, count);
    c->latched = c->rw == 3 ? 2 : 1;
    c->latch_msb = c->rw == 2;
}

static void latch_status(struct pit_channel *c, uint64_t t)
{
    if (c->status_latched)
        return;
    uint32_t count;
    int out;
    eval(c, t, &count, &out);
    c->status = (uint8_t)(out << 7 | c->null_count << 6 | c->rw << 4 | c->mode << 1 | c->bcd);
    c->status_latched = 1;
}

static void write_control(struct pit *p, uint8_t v, uint64_t t)
{
    unsigned sel = v >> 6;
    if (sel == 3) { /* read-back: bits 3-1 select counters; bit 5 clear latches the count,
                       bit 4 clear the status */
        for (unsigned i = 0; i < 3; i++) {
            struct pit_channel *c = &p->s.ch[i];
            if (!(v & (2u << i)))
                continue;
            normalize(c, t);
            if (!(v & 0x10))
                latch_status(c, t);
            if (!(v & 0x20))
                latch_count(c, t);
        }
        return;
    }
    struct pit_channel *c = &p->s.ch[sel];
    normalize(c, t);
    unsigned rw = (v >> 4) & 3;
    if (rw == 0) {
        latch_count(c, t);
        return;
    }
    uint32_t count;
    int out;
    eval(c, t, &count, &out);
    c->held = count; /* the counting element keeps its value until a count is loaded */
    unsigned mode = (v >> 1) & 7;
    c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
    c->rw = (uint8_t)rw;
    c->bcd = v & 1;
    c->phase = PIT_IDLE;
    c->tc_done = 0;
    c->reload_pending = 0;
    c->write_msb = 0;
    c->read_msb = 0;
    c->latched = 0;
    c->status_latched = 0;
    c->null_count = 1;
    channel_changed(p, sel, t);
}

static void write_counter(struct pit *p, unsigned i, uint8_t v, uint64_t t)
{
    struct pit_channel *c = &p->s.ch[i];
    normalize(c, t);
    uint16_t raw;
    switch (c->rw) {
    case 1: raw = v; break;
    case 2: raw = (uint16_t)(v << 8); break;
    default:
        if (!c->write_msb) {
            c->write_lsb = v;
            c->write_msb = 1;
            if (c->mode == 0) { /* the first byte stops the count and sets OUT low */
                pause(c, t);
                c->tc_done = 0;
                channel_changed(p, i, t);
            }
            return;
        }
        c->write_msb = 0;
        raw = (uint16_t)(c->write_lsb | v << 8);
        break;
    }
    uint32_t n = c->bcd ? bcd_decode(raw) : raw;
    if (n == 0)
        n = modulus(c);
    load_count(c, n, t);
    channel_changed(p, i, t);
}

static uint8_t read_counter(struct pit *p, unsigned i, uint64_t t)
{
    struct pit_channel *c = &p->s.ch[i];
    normalize(c, t);
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->latched) {
        uint8_t v = c->latch_msb ? (uint8_t)(c->latch >> 8) : (uint8_t)c->latch;
        c->latch_msb = 1;
        if (--c->latched == 0)
            c->latch_msb = 0;
        return v;
    }
    uint32_t count;
    int out;
    eval(c, t, &count, &out);
    uint16_t d = display(c, count);
    switch (c->rw) {
    case 1: return (uint8_t)d;
    case 2: return (uint8_t)(d >> 8);
    default:
        c->read_msb ^= 1;
        return c->read_msb ? (uint8_t)d : (uint8_t)(d >> 8);
    }
}

static uint32_t pit_read(void *opaque, uint16_t port, unsigned size)
{
    struct pit *p = opaque;
    (void)size;
    unsigned i = port & 3;
    if (i == 3)
        return 0xFF; /* the control register cannot be read */
    return read_counter(p, i, now_tick(p));
}

static void pit_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pit *p = opaque;
    (void)size;
    unsigned i = port & 3;
    uint64_t t = now_tick(p);
    if (i == 3)
        write_control(p, (uint8_t)value, t);
    else
        write_counter(p, i, (uint8_t)value, t);
}

bool pit_out(struct pit *p, unsigned channel)
{
    struct pit_channel *c = &p->s.ch[channel];
    uint64_t t = now_tick(p);
    uint32_t count;
    int out;
    normalize(c, t);
    eval(c, t, &count, &out);
    return out;
}

bool pit_speaker_on(const struct pit *p)
{
    return (p->s.port_b & (PB_GATE2 | PB_SPEAKER)) == (PB_GATE2 | PB_SPEAKER);
}

static uint32_t port_b_read(void *opaque, uint16_t port, unsigned size)
{
    struct pit *p = opaque;
    (void)port;
    (void)size;
    uint64_t t = now_tick(p);
    uint8_t v = p->s.port_b & PB_WRITABLE;
    if ((t / REFRESH_TICKS) & 1)
        v |= PB_REFRESH;
    if (pit_out(p, 2))
        v |= PB_OUT2;
    return v;
}

static void port_b_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pit *p = opaque;
    (void)port;
    (void)size;
    p->s.port_b = (uint8_t)value & PB_WRITABLE;
    set_gate(p, 2, value & PB_GATE2, now_tick(p));
}

void pit_reset(struct pit *p)
{
    memset(&p->s, 0, sizeof(p->s));
    for (unsigned i = 0; i < 3; i++) {
        p->s.ch[i].gate = i != 2; /* channel 2's gate comes from port B, which resets to 0 */
        p->s.ch[i].rw = 3;
    }
    irq_lower(&p->irq0);
    sched_timer_del(p->sched, p->timer);
}

int pit_init(struct pit *p, struct iobus *bus, struct sched *sched, const struct irq_line *irq0)
{
    memset(p, 0, sizeof(*p));
    p->sched = sched;
    if (irq0)
        p->irq0 = *irq0;
    p->timer = sched_timer_new(sched, "pit8254", pit_timer, p);
    if (p->timer < 0)
        return -1;
    pit_reset(p);
    const struct io_handler h = { .read = pit_read, .write = pit_write, .opaque = p };
    const struct io_handler b = { .read = port_b_read, .write = port_b_write, .opaque = p };
    if (iobus_register(bus, PIT_PORT, 4, &h) || iobus_register(bus, PIT_PORT_B, 1, &b))
        return -1;
    return 0;
}

void pit_state_loaded(struct pit *p)
{
    /* A counting channel always has a count of at least 1 (it divides by it), and began
     * counting in the past; only a damaged file says otherwise: such a channel waits for a
     * new count instead, or counts from now (a start in the future would wrap its next
     * edge into the past and fire it for ever). */
    uint64_t t = now_tick(p);
    for (unsigned i = 0; i < 3; i++) {
        struct pit_channel *c = &p->s.ch[i];
        if (c->start > t)
            c->start = t;
        if (c->count0 == 0 && (c->phase == PIT_RUNNING || c->phase == PIT_PAUSED))
            c->phase = PIT_IDLE;
        if (c->next_reload == 0)
            c->reload_pending = 0; /* it would become count0 */
    }
    irq_set(&p->irq0, p->s.irq_level);
}

static const struct savestate_field channel_fields[] = {
    SS_FIELD(struct pit_channel, start),          SS_FIELD(struct pit_channel, next_start),
    SS_FIELD_RANGE(struct pit_channel, count0, 0, 65536),
    SS_FIELD_RANGE(struct pit_channel, reload, 0, 65536),
    SS_FIELD_RANGE(struct pit_channel, next_reload, 0, 65536),
    SS_FIELD(struct pit_channel, held),
    SS_FIELD(struct pit_channel, latch),
    SS_FIELD_RANGE(struct pit_channel, phase, PIT_IDLE, PIT_PAUSED),
    SS_FIELD_RANGE(struct pit_channel, mode, 0, 5),
    SS_FIELD_RANGE(struct pit_channel, rw, 1, 3),
    SS_FIELD(struct pit_channel, bcd),            SS_FIELD(struct pit_channel, gate),
    SS_FIELD(struct pit_channel, tc_done),        SS_FIELD(struct pit_channel, reload_pending),
    SS_FIELD(struct pit_channel, write_msb),      SS_FIELD(struct pit_channel, write_lsb),
    SS_FIELD(struct pit_channel, read_msb),
    SS_FIELD_RANGE(struct pit_channel, latched, 0, 2),
    SS_FIELD(struct pit_channel, latch_msb),      SS_FIELD(struct pit_channel, status_latched),
    SS_FIELD(struct pit_channel, status),         SS_FIELD(struct pit_channel, null_count),
    SS_ARRAY(struct pit_channel, pad),
};
static SAVESTATE_DESC(channel_desc, "pit8254.channel", 1, channel_fields);

static const struct savestate_field pit_fields[] = {
    SS_STRUCTS(struct pit_state, ch, channel_desc),
    SS_FIELD(struct pit_state, irq_level),
    SS_FIELD(struct pit_state, port_b),
    SS_ARRAY(struct pit_state, pad),
};
SAVESTATE_DESC(pit_savestate, "pit8254", 1, pit_fields);
