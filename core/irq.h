/* Lines between devices: interrupt requests, and the other one-bit wires of a PC (the A20
 * gate, the reset request, the 8259's INT output to the CPU).
 *
 * A device drives a line to a level; the line's sink (the PIC for IRQ lines, the machine
 * for INTR, A20 and reset) decides what a level or an edge means: the 8259 latches rising
 * edges or follows levels per input (its ICW1/ELCR), so the line itself carries only the
 * level. Driving a line to the level it already has is harmless, which lets a device call
 * irq_set after every state change without tracking edges itself.
 *
 * The line is wiring, not state: it holds host pointers and is built by core/machine/machine.c
 * (or a test) when the device is created, never saved. The level it last carried is part
 * of the driving device's state, which recomputes and drives it again after a load. */
#ifndef ORRERY_CORE_IRQ_H
#define ORRERY_CORE_IRQ_H

typedef void (*irq_sink_fn)(void *opaque, unsigned n, int level);

struct irq_line {
    irq_sink_fn sink; /* NULL: the line goes nowhere (an unwired output) */
    void *opaque;
    unsigned n;       /* which input of the sink: the IRQ number for the PIC */
};

static inline void irq_line_init(struct irq_line *l, irq_sink_fn sink, void *opaque, unsigned n)
{
    l->sink = sink;
    l->opaque = opaque;
    l->n = n;
}

static inline void irq_set(const struct irq_line *l, int level)
{
    if (l && l->sink)
        l->sink(l->opaque, l->n, level != 0);
}

static inline void irq_raise(const struct irq_line *l)
{
    irq_set(l, 1);
}

static inline void irq_lower(const struct irq_line *l)
{
    irq_set(l, 0);
}

/* A short low-high-low pulse: an edge for an edge-triggered input, nothing lasting. */
static inline void irq_pulse(const struct irq_line *l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

#endif
