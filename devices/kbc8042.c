#include "devices/kbc8042.h"

#include <string.h>

/* The command byte a BIOS leaves behind (keyboard interrupt, system flag, translation),
 * so that a kernel booted without firmware finds the controller as after POST. */
#define CB_POWER_ON (KBC_CB_KBD_INT | KBC_CB_SYS | KBC_CB_XLATE)
/* Output port after power-on: CPU running, A20 on, the unused bits high. */
#define OUTPORT_POWER_ON 0xCF
/* Input port (command C0): keyboard not inhibited (bit 7), no manufacturing jumper
 * (bit 5). */
#define INPUT_PORT 0xA0

static uint8_t cb(const struct kbc *k)
{
    return k->s.ram[0];
}

static void update_irqs(struct kbc *k)
{
    struct kbc_state *s = &k->s;
    bool full = s->status & KBC_STAT_OBF, aux = s->status & KBC_STAT_AUX;
    uint8_t irq1 = full && !aux && (cb(k) & KBC_CB_KBD_INT);
    uint8_t irq12 = full && aux && (cb(k) & KBC_CB_AUX_INT);
    if (irq1 != s->irq1) {
        s->irq1 = irq1;
        irq_set(&k->irq_kbd, irq1);
    }
    if (irq12 != s->irq12) {
        s->irq12 = irq12;
        irq_set(&k->irq_aux, irq12);
    }
}

static void put_out(struct kbc *k, uint8_t b, bool aux, bool timeout)
{
    struct kbc_state *s = &k->s;
    s->out = b;
    s->status = (uint8_t)((s->status & ~(KBC_STAT_AUX | KBC_STAT_TIMEOUT)) | KBC_STAT_OBF |
                          (aux ? KBC_STAT_AUX : 0) | (timeout ? KBC_STAT_TIMEOUT : 0));
}

/* Moves the next byte into an empty output buffer: controller replies (and the bytes the
 * guest wrote with D2/D3), then the keyboard (unless its port is disabled), then the
 * auxiliary port (unless its port is disabled). */
static void refill(struct kbc *k)
{
    struct kbc_state *s = &k->s;
    if (!(s->status & KBC_STAT_OBF) && s->ctl_count) {
        unsigned slot = s->ctl_head;
        put_out(k, s->ctl_q[slot], (s->ctl_aux >> slot) & 1, false);
        s->ctl_aux &= (uint8_t)~(1u << slot);
        s->ctl_head = (uint8_t)((s->ctl_head + 1) % KBC_QUEUE);
        s->ctl_count--;
    }
    while (!(s->status & KBC_STAT_OBF) && !(cb(k) & KBC_CB_KBD_OFF) &&
           ps2kbd_has_data(&k->kbd)) {
        uint8_t b = ps2kbd_read(&k->kbd);
        if (cb(k) & KBC_CB_XLATE) {
            if (b == 0xF0) { /* the break prefix becomes bit 7 of the next code */
                s->xlate_break = 1;
                continue;
            }
            b = ps2_translate_set2(b);
            if (s->xlate_break)
                b |= 0x80;
            s->xlate_break = 0;
        }
        put_out(k, b, false, false);
    }
    if (!(s->status & KBC_STAT_OBF) && !(cb(k) & KBC_CB_AUX_OFF) && s->aux_count) {
        unsigned slot = s->aux_head;
        put_out(k, s->aux_q[slot], true, (s->aux_timeout >> slot) & 1);
        s->aux_timeout &= (uint8_t)~(1u << slot);
        s->aux_head = (uint8_t)((s->aux_head + 1) % KBC_QUEUE);
        s->aux_count--;
    }
    update_irqs(k);
}

/* A byte the controller itself puts in the output buffer; `aux` marks it as from the
 * auxiliary port (status bit 5, IRQ 12). */
static void put_ctl(struct kbc *k, uint8_t b, bool aux)
{
    struct kbc_state *s = &k->s;
    if (s->ctl_count < KBC_QUEUE) {
        unsigned slot = (s->ctl_head + s->ctl_count) % KBC_QUEUE;
        s->ctl_q[slot] = b;
        if (aux)
            s->ctl_aux |= (uint8_t)(1u << slot);
        else
            s->ctl_aux &= (uint8_t)~(1u << slot);
        s->ctl_count++;
    }
    refill(k);
}

static void reply(struct kbc *k, uint8_t b)
{
    put_ctl(k, b, false);
}

static void aux_push(struct kbc *k, uint8_t b, bool timeout)
{
    struct kbc_state *s = &k->s;
    if (s->aux_count < KBC_QUEUE) {
        unsigned slot = (s->aux_head + s->aux_count) % KBC_QUEUE;
        s->aux_q[slot] = b;
        if (timeout)
            s->aux_timeout |= (uint8_t)(1u << slot);
        else
            s->aux_timeout &= (uint8_t)~(1u << slot);
        s->aux_count++;
    }
    refill(k);
}

static void kbd_notify(void *opaque)
{
    refill(opaque);
}

static void set_outport(struct kbc *k, uint8_t v)
{
    struct kbc_state *s = &k->s;
    uint8_t old = s->outport;
    s->outport = v & (uint8_t)~(KBC_OUT_KBD_OBF | KBC_OUT_AUX_OBF);
    if ((old ^ v) & KBC_OUT_A20)
        irq_set(&k->a20, v & KBC_OUT_A20);
    if (!(v & KBC_OUT_RESET))
        irq_pulse(&k->reset); /* the machine resets, and with it this controller */
}

static void write_command(struct kbc *k, uint8_t c)
{
    struct kbc_state *s = &k->s;
    s->status |= KBC_STAT_CMD;
    s->pending = 0;
    if (c >= 0x20 && c <= 0x3F) {
        reply(k, s->ram[c & 0x1F]);
        return;
    }
    if ((c >= 0x60 && c <= 0x7F) || (c >= 0xD1 && c <= 0xD4) || c == 0xA5) {
        s->pending = c;
        return;
    }
    if (c >= 0xF0) { /* pulse the output port bits that are 0 in the low nibble */
        if (!(c & KBC_OUT_RESET))
            irq_pulse(&k->reset);
        return;
    }
    switch (c) {
    case 0xA4: reply(k, 0xF1); break;                   /* no password installed */
    case 0xA7: s->ram[0] |= KBC_CB_AUX_OFF; break;
    case 0xA8: s->ram[0] &= (uint8_t)~KBC_CB_AUX_OFF; refill(k); break;
    case 0xA9: reply(k, 0x00); break;                   /* auxiliary port test: OK */
    case 0xAA:                                          /* self-test: OK */
        s->status |= KBC_STAT_SYS;
        reply(k, 0x55);
        break;
    case 0xAB: reply(k, 0x00); break;                   /* keyboard port test: OK */
    case 0xAD: s->ram[0] |= KBC_CB_KBD_OFF; break;
    case 0xAE: s->ram[0] &= (uint8_t)~KBC_CB_KBD_OFF; refill(k); break;
    case 0xC0: reply(k, INPUT_PORT); break;
    case 0xD0: {
        uint8_t v = s->outport;
        if (s->status & KBC_STAT_OBF)
            v |= (s->status & KBC_STAT_AUX) ? KBC_OUT_AUX_OBF : KBC_OUT_KBD_OBF;
        reply(k, v);
        break;
    }
    case 0xDD: set_outport(k, s->outport & (uint8_t)~KBC_OUT_A20); break;
    case 0xDF: set_outport(k, s->outport | KBC_OUT_A20); break;
    case 0xE0: reply(k, 0x00); break;                   /* test inputs: clocks and data low */
    default: break;                                     /* unknown: ignored */
    }
}

static void write_data(struct kbc *k, uint8_t v)
{
    struct kbc_state *s = &k->s;
    s->status &= (uint8_t)~KBC_STAT_CMD;
    uint8_t c = s->pending;
    s->pending = 0;
    if (!c) {
        ps2kbd_write(&k->kbd, v); /* replies arrive through kbd_notify */
        return;
    }
    if (c >= 0x60 && c <= 0x7F) {
        s->ram[c & 0x1F] = v;
        if (c == 0x60)
            s->status = (uint8_t)((s->status & ~KBC_STAT_SYS) | (v & KBC_CB_SYS));
        refill(k);
        return;
    }
    switch (c) {
    case 0xA5: /* password: bytes up to a zero */
        if (v)
            s->pending = 0xA5;
        break;
    case 0xD1: set_outport(k, v); break;
    case 0xD2: reply(k, v); break;              /* as if the keyboard sent it */
    /* As if the auxiliary device sent it, but written by the controller itself: it reaches
     * the output buffer even while the auxiliary port is disabled (command byte bit 5 only
     * inhibits the device's clock). Linux's i8042 driver probes for active multiplexing
     * with D3 while the port is disabled and waits 0.5 s for the byte with interrupts
     * off. */
    case 0xD3: put_ctl(k, v, true); break;
    case 0xD4: aux_push(k, 0xFE, true); break;  /* to the auxiliary device: nobody there */
    default: break;
    }
}

static uint32_t kbc_read(void *opaque, uint16_t port, unsigned size)
{
    struct kbc *k = opaque;
    struct kbc_state *s = &k->s;
    (void)size;
    if (port == KBC_CMD_PORT)
        return s->status;
    uint8_t v = s->out;
    s->status &= (uint8_t)~(KBC_STAT_OBF | KBC_STAT_AUX);
    refill(k);
    return v;
}

static void kbc_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct kbc *k = opaque;
    (void)size;
    if (port == KBC_CMD_PORT)
        write_command(k, (uint8_t)value);
    else
        write_data(k, (uint8_t)value);
}

bool kbc_key(struct kbc *k, const uint8_t *set2, size_t n)
{
    return ps2kbd_key(&k->kbd, set2, n);
}

void kbc_reset(struct kbc *k)
{
    struct kbc_state *s = &k->s;
    memset(s, 0, sizeof(*s));
    s->ram[0] = CB_POWER_ON;
    s->status = KBC_STAT_UNLOCKED | (CB_POWER_ON & KBC_CB_SYS);
    s->outport = OUTPORT_POWER_ON;
    irq_lower(&k->irq_kbd);
    irq_lower(&k->irq_aux);
    irq_set(&k->a20, 1);
    ps2kbd_reset(&k->kbd);
}

int kbc_init(struct kbc *k, struct iobus *bus, const struct irq_line *irq_kbd,
             const struct irq_line *irq_aux, const struct irq_line *a20,
             const struct irq_line *reset)
{
    memset(k, 0, sizeof(*k));
    if (irq_kbd)
        k->irq_kbd = *irq_kbd;
    if (irq_aux)
        k->irq_aux = *irq_aux;
    if (a20)
        k->a20 = *a20;
    if (reset)
        k->reset = *reset;
    ps2kbd_init(&k->kbd, kbd_notify, k);
    kbc_reset(k);
    const struct io_handler h = { .read = kbc_read, .write = kbc_write, .opaque = k };
    if (iobus_register(bus, KBC_DATA_PORT, 1, &h) || iobus_register(bus, KBC_CMD_PORT, 1, &h))
        return -1;
    return 0;
}

void kbc_state_loaded(struct kbc *k)
{
    irq_set(&k->irq_kbd, k->s.irq1);
    irq_set(&k->irq_aux, k->s.irq12);
    irq_set(&k->a20, k->s.outport & KBC_OUT_A20);
}

static const struct savestate_field kbc_fields[] = {
    SS_ARRAY(struct kbc_state, ram),
    SS_FIELD(struct kbc_state, status),      SS_FIELD(struct kbc_state, out),
    SS_FIELD(struct kbc_state, outport),     SS_FIELD(struct kbc_state, pending),
    SS_ARRAY(struct kbc_state, ctl_q),       SS_FIELD(struct kbc_state, ctl_head),
    SS_FIELD(struct kbc_state, ctl_count),   SS_ARRAY(struct kbc_state, aux_q),
    SS_FIELD(struct kbc_state, aux_head),    SS_FIELD(struct kbc_state, aux_count),
    SS_FIELD(struct kbc_state, aux_timeout), SS_FIELD(struct kbc_state, xlate_break),
    SS_FIELD(struct kbc_state, irq1),        SS_FIELD(struct kbc_state, irq12),
    SS_FIELD(struct kbc_state, ctl_aux),
};
SAVESTATE_DESC(kbc_savestate, "kbc8042", 2, kbc_fields);
