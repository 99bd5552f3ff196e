#include "devices/pic8259.h"

#include <string.h>

/* ICW1 and ICW4 bits (8259A datasheet, "Initialization Command Words"). */
enum { ICW1_IC4 = 0x01, ICW1_SNGL = 0x02, ICW1_LTIM = 0x08, ICW1_INIT = 0x10 };
enum { ICW4_AEOI = 0x02, ICW4_SFNM = 0x10 };
/* OCW3 bits. */
enum { OCW3_RIS = 0x01, OCW3_RR = 0x02, OCW3_P = 0x04, OCW3_SEL = 0x08, OCW3_SMM = 0x20,
       OCW3_ESMM = 0x40 };

/* The PIIX3 ELCR cannot make IRQ 0, 1, 2, 8 and 13 level-triggered (PIIX3 datasheet, ELCR1
 * and ELCR2: those bits are reserved and read 0). */
#define ELCR_MASK_MASTER 0xF8
#define ELCR_MASK_SLAVE 0xDE

static struct pic_chip *master(struct pic *p) { return &p->s.chip[0]; }
static struct pic_chip *slave(struct pic *p) { return &p->s.chip[1]; }

static bool cascaded(const struct pic_chip *m)
{
    return !(m->icw1 & ICW1_SNGL);
}

/* Priority rank: 0 is the highest, the input after `lowest`. */
static unsigned rank(const struct pic_chip *c, unsigned irq)
{
    return (irq - c->lowest - 1u) & 7u;
}

/* The highest-priority input set in mask, or -1. */
static int highest(const struct pic_chip *c, uint8_t mask)
{
    for (unsigned i = 0; i < 8 && mask; i++) {
        unsigned irq = (c->lowest + 1u + i) & 7u;
        if (mask & (1u << irq))
            return (int)irq;
    }
    return -1;
}

/* Inputs whose IRR bit follows the level. The master's cascade input always does: the
 * slave's INT stays high while it has a request (PC/AT wiring, AEOI on both chips). */
static uint8_t level_inputs(const struct pic_chip *c, bool is_master)
{
    uint8_t lv = (c->icw1 & ICW1_LTIM) ? 0xFF : c->elcr;
    if (is_master && cascaded(c))
        lv |= c->icw3;
    return lv;
}

/* The request the chip signals on INT: the highest unmasked one that the in-service
 * levels do not block (fully nested mode), or -1. */
static int pending(const struct pic_chip *c, bool is_master)
{
    int irq = highest(c, (uint8_t)(c->irr & ~c->imr));
    if (irq < 0)
        return -1;
    uint8_t blocking = c->isr;
    if (c->special_mask) /* SMM: only an unmasked in-service level blocks */
        blocking &= (uint8_t)~c->imr;
    int cur = highest(c, blocking);
    if (cur < 0 || rank(c, (unsigned)irq) < rank(c, (unsigned)cur))
        return irq;
    /* Special fully nested mode: a slave in service does not lock out its own higher-
     * priority requests (datasheet, "Special Fully Nest Mode"). */
    if (is_master && (c->icw4 & ICW4_SFNM) && irq == cur && cascaded(c) &&
        (c->icw3 & (1u << irq)))
        return irq;
    return -1;
}

static void chip_input(struct pic_chip *c, bool is_master, unsigned irq, int level)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (level) {
        if (!(c->lines & bit) || (level_inputs(c, is_master) & bit))
            c->irr |= bit;
        c->lines |= bit;
    } else {
        c->lines &= (uint8_t)~bit;
        if (level_inputs(c, is_master) & bit)
            c->irr &= (uint8_t)~bit;
    }
}

/* Recomputes the slave's INT into the master's cascade input and the master's INT. */
static void update(struct pic *p)
{
    struct pic_chip *m = master(p);
    if (cascaded(m)) {
        int slave_int = pending(slave(p), false) >= 0;
        for (unsigned i = 0; i < 8; i++)
            if (m->icw3 & (1u << i))
                chip_input(m, true, i, slave_int);
    }
    uint8_t out = pending(m, true) >= 0;
    if (out != p->s.int_out) {
        p->s.int_out = out;
        irq_set(&p->intr, out);
    }
}

void pic_set_irq(void *opaque, unsigned irq, int level)
{
    struct pic *p = opaque;
    if (irq >= 16)
        return;
    struct pic_chip *m = master(p);
    if (irq < 8 && cascaded(m) && (m->icw3 & (1u << irq)))
        return; /* the cascade input belongs to the slave's INT */
    chip_input(&p->s.chip[irq >> 3], irq < 8, irq & 7, level);
    update(p);
}

/* The INTA pulses for `irq`: IRR to ISR (unless automatic EOI). */
static void ack(struct pic_chip *c, bool is_master, unsigned irq)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (!(level_inputs(c, is_master) & bit))
        c->irr &= (uint8_t)~bit;
    if (c->icw4 & ICW4_AEOI) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)irq;
    } else {
        c->isr |= bit;
    }
}

int pic_intack(struct pic *p)
{
    struct pic_chip *m = master(p), *s = slave(p);
    int irq = pending(m, true);
    int vector;
    if (irq < 0) {
        vector = m->vector_base | 7; /* the request went away: spurious IRQ 7 */
    } else {
        ack(m, true, (unsigned)irq);
        if (cascaded(m) && (m->icw3 & (1u << irq))) {
            int sirq = pending(s, false);
            if (sirq < 0) {
                vector = s->vector_base | 7; /* spurious IRQ 15; the master's ISR keeps IR2 */
            } else {
                ack(s, false, (unsigned)sirq);
                vector = s->vector_base | sirq;
            }
        } else {
            vector = m->vector_base | irq;
        }
    }
    update(p);
    return vector;
}

/* OCW3 poll: the read is the acknowledge; I (bit 7) and the level (bits 2-0). */
static uint8_t poll_read(struct pic *p, unsigned idx)
{
    struct pic_chip *c = &p->s.chip[idx];
    c->poll = 0;
    int irq = pending(c, idx == 0);
    if (irq < 0)
        return 0;
    ack(c, idx == 0, (unsigned)irq);
    update(p);
    return (uint8_t)(0x80 | irq);
}

static void write_icw1(struct pic_chip *c, bool is_master, uint8_t v)
{
    c->icw1 = v & (ICW1_IC4 | ICW1_SNGL | ICW1_LTIM);
    c->init_step = 2;
    /* Datasheet, ICW1: the edge-sense circuit is reset (an edge input needs a fresh rising
     * edge), the IMR cleared, IR7 gets the lowest priority, special mask mode is off and a
     * status read returns the IRR; without IC4 all ICW4 functions are cleared. */
    c->imr = 0;
    c->isr = 0;
    c->irr = c->lines & level_inputs(c, is_master);
    c->lowest = 7;
    c->special_mask = 0;
    c->read_isr = 0;
    c->poll = 0;
    c->rotate_aeoi = 0;
    if (!(v & ICW1_IC4))
        c->icw4 = 0;
}

static void write_ocw2(struct pic_chip *c, uint8_t v)
{
    unsigned level = v & 7;
    switch (v >> 5) {
    case 0: c->rotate_aeoi = 0; break;               /* clear rotate in AEOI mode */
    case 4: c->rotate_aeoi = 1; break;               /* set rotate in AEOI mode */
    case 1:                                          /* non-specific EOI */
    case 5: {                                        /* rotate on non-specific EOI */
        uint8_t in = c->isr;
        if (c->special_mask) /* datasheet: a masked ISR bit is not cleared in SMM */
            in &= (uint8_t)~c->imr;
        int irq = highest(c, in);
        if (irq >= 0) {
            c->isr &= (uint8_t)~(1u << irq);
            if (v >> 5 == 5)
                c->lowest = (uint8_t)irq;
        }
        break;
    }
    case 3: c->isr &= (uint8_t)~(1u << level); break; /* specific EOI */
    case 7:                                           /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        c->lowest = (uint8_t)level;
        break;
    case 6: c->lowest = (uint8_t)level; break;        /* set priority */
    default: break;                                   /* 2: no operation */
    }
}

static void write_ocw3(struct pic_chip *c, uint8_t v)
{
    if (v & OCW3_P)
        c->poll = 1;
    if (v & OCW3_RR)
        c->read_isr = v & OCW3_RIS;
    if (v & OCW3_ESMM)
        c->special_mask = (v & OCW3_SMM) != 0;
}

static void chip_write(struct pic *p, unsigned idx, unsigned a0, uint8_t v)
{
    struct pic_chip *c = &p->s.chip[idx];
    bool is_master = idx == 0;
    if (a0 == 0) {
        if (v & ICW1_INIT)
            write_icw1(c, is_master, v);
        else if (v & OCW3_SEL)
            write_ocw3(c, v);
        else
            write_ocw2(c, v);
    } else {
        switch (c->init_step) {
        case 2:
            c->vector_base = v & 0xF8;
            c->init_step = (c->icw1 & ICW1_SNGL) ? ((c->icw1 & ICW1_IC4) ? 4 : 0) : 3;
            break;
        case 3:
            c->icw3 = v;
            c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
            break;
        case 4:
            c->icw4 = v & 0x1F;
            c->init_step = 0;
            break;
        default:
            c->imr = v; /* OCW1 */
            break;
        }
    }
    update(p);
}

static uint8_t chip_read(struct pic *p, unsigned idx, unsigned a0)
{
    struct pic_chip *c = &p->s.chip[idx];
    if (c->poll)
        return poll_read(p, idx);
    if (a0)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

static uint32_t pic_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    return chip_read(opaque, port >= PIC_SLAVE_PORT, port & 1);
}

static void pic_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    chip_write(opaque, port >= PIC_SLAVE_PORT, port & 1, (uint8_t)value);
}

static uint32_t elcr_read(void *opaque, uint16_t port, unsigned size)
{
    struct pic *p = opaque;
    (void)size;
    return p->s.chip[port & 1].elcr;
}

static void elcr_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct pic *p = opaque;
    (void)size;
    struct pic_chip *c = &p->s.chip[port & 1];
    c->elcr = (uint8_t)value & c->elcr_mask;
    /* Inputs now level-triggered request while high; edge ones keep what they latched. */
    uint8_t lv = level_inputs(c, (port & 1) == 0);
    c->irr = (uint8_t)((c->irr & ~lv) | (c->lines & lv));
    update(p);
}

void pic_reset(struct pic *p)
{
    for (unsigned i = 0; i < 2; i++) {
        struct pic_chip *c = &p->s.chip[i];
        uint8_t lines = c->lines; /* the wires keep their levels; the devices reset them */
        memset(c, 0, sizeof(*c));
        c->lines = lines;
        c->lowest = 7;
        c->elcr_mask = i ? ELCR_MASK_SLAVE : ELCR_MASK_MASTER;
    }
    update(p);
}

int pic_init(struct pic *p, struct iobus *bus, const struct irq_line *intr)
{
    memset(p, 0, sizeof(*p));
    if (intr)
        p->intr = *intr;
    pic_reset(p);
    const struct io_handler h = { .read = pic_read, .write = pic_write, .opaque = p };
    const struct io_handler e = { .read = elcr_read, .write = elcr_write, .opaque = p };
    if (iobus_register(bus, PIC_MASTER_PORT, 2, &h) || iobus_register(bus, PIC_SLAVE_PORT, 2, &h) ||
        iobus_register(bus, PIC_ELCR_PORT, 2, &e))
        return -1;
    return 0;
}

void pic_state_loaded(struct pic *p)
{
    irq_set(&p->intr, p->s.int_out);
}

static const struct savestate_field chip_fields[] = {
    SS_FIELD(struct pic_chip, irr),         SS_FIELD(struct pic_chip, isr),
    SS_FIELD(struct pic_chip, imr),         SS_FIELD(struct pic_chip, lines),
    SS_FIELD(struct pic_chip, elcr),        SS_FIELD(struct pic_chip, elcr_mask),
    SS_FIELD(struct pic_chip, vector_base), SS_FIELD(struct pic_chip, icw3),
    SS_FIELD_RANGE(struct pic_chip, init_step, 0, 4), SS_FIELD(struct pic_chip, icw1),
    SS_FIELD(struct pic_chip, icw4),        SS_FIELD(struct pic_chip, read_isr),
    SS_FIELD(struct pic_chip, poll),        SS_FIELD(struct pic_chip, special_mask),
    SS_FIELD(struct pic_chip, rotate_aeoi), SS_FIELD_RANGE(struct pic_chip, lowest, 0, 7),
};
static SAVESTATE_DESC(chip_desc, "pic8259.chip", 1, chip_fields);

static const struct savestate_field pic_fields[] = {
    SS_STRUCTS(struct pic_state, chip, chip_desc),
    SS_FIELD(struct pic_state, int_out),
};
SAVESTATE_DESC(pic_savestate, "pic8259", 1, pic_fields);
