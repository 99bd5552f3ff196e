#include "devices/uart16550.h"

#include <string.h>

#define LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI | UART_LSR_FIFOE)
#define MSR_LINES (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCD)

static bool fifo_on(const struct uart *u)
{
    return (u->s.fcr & UART_FCR_ENABLE) != 0;
}

static unsigned rx_capacity(const struct uart *u)
{
    return fifo_on(u) ? UART_FIFO_SIZE : 1;
}

/* FCR bits 7-6 (datasheet, "FIFO Control Register"). */
static unsigned rx_trigger(const struct uart *u)
{
    static const uint8_t level[4] = { 1, 4, 8, 14 };
    return level[u->s.fcr >> 6];
}

/* One character on the line: start, data, parity and stop bits, in ns at the divisor. */
static uint64_t char_ns(const struct uart *u)
{
    unsigned lcr = u->s.lcr;
    unsigned bits = 1 + 5 + (lcr & 3) + ((lcr >> 3) & 1) + ((lcr & 4) ? 2 : 1);
    uint32_t divisor = (uint32_t)u->s.dll | (uint32_t)u->s.dlm << 8;
    if (divisor == 0)
        divisor = 65536;
    return (uint64_t)bits * divisor * 16u * SCHED_NS_PER_SEC / UART_CLOCK_HZ;
}

/* The interrupt identification, in the datasheet's priority order. */
static uint8_t iir_source(const struct uart *u)
{
    const struct uart_state *s = &u->s;
    if ((s->ier & UART_IER_RLSI) && (s->lsr_errors & (LSR_ERRORS & ~UART_LSR_FIFOE)))
        return UART_IIR_RLSI;
    if (s->ier & UART_IER_RDI) {
        if (s->rx_count && (!fifo_on(u) || s->rx_count >= rx_trigger(u)))
            return UART_IIR_RDI;
        if (fifo_on(u) && s->timeout_pending && s->rx_count)
            return UART_IIR_TIMEOUT;
    }
    if ((s->ier & UART_IER_THRI) && s->thr_ipending)
        return UART_IIR_THRI;
    if ((s->ier & UART_IER_MSI) && (s->msr & 0x0F))
        return UART_IIR_MSI;
    return UART_IIR_NONE;
}

static void update_irq(struct uart *u)
{
    uint8_t pending = iir_source(u) != UART_IIR_NONE;
    uint8_t level = pending && (u->s.mcr & UART_MCR_OUT2) && !(u->s.mcr & UART_MCR_LOOP);
    if (level != u->s.irq_level) {
        u->s.irq_level = level;
        irq_set(&u->irq, level);
    }
}

/* The modem status lines: from MCR in loopback, from outside otherwise; deltas on change. */
static void update_msr(struct uart *u)
{
    struct uart_state *s = &u->s;
    uint8_t lines;
    if (s->mcr & UART_MCR_LOOP) {
        lines = (uint8_t)(((s->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
                          ((s->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
                          ((s->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
                          ((s->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
    } else {
        lines = s->lines_in & MSR_LINES;
    }
    uint8_t old = s->msr & MSR_LINES, changed = old ^ lines;
    uint8_t delta = s->msr & 0x0F;
    if (changed & UART_MSR_CTS)
        delta |= UART_MSR_DCTS;
    if (changed & UART_MSR_DSR)
        delta |= UART_MSR_DDSR;
    if (changed & UART_MSR_DCD)
        delta |= UART_MSR_DDCD;
    if ((old & UART_MSR_RI) && !(lines & UART_MSR_RI)) /* trailing edge only */
        delta |= UART_MSR_TERI;
    s->msr = lines | delta;
}

/* Restarts the character timeout: four character times from now (FIFO mode). */
static void arm_timeout(struct uart *u)
{
    if (fifo_on(u) && u->s.rx_count)
        sched_timer_mod(u->sched, u->timer, sched_now(u->sched) + 4 * char_ns(u));
    else
        sched_timer_del(u->sched, u->timer);
}

static void uart_timer(void *opaque, uint64_t deadline)
{
    struct uart *u = opaque;
    (void)deadline;
    if (u->s.rx_count)
        u->s.timeout_pending = 1;
    update_irq(u);
}

/* One byte into the receiver; a full receiver overruns (the byte is lost). */
static void rx_push(struct uart *u, uint8_t b)
{
    struct uart_state *s = &u->s;
    if (s->rx_count >= rx_capacity(u)) {
        s->lsr_errors |= UART_LSR_OE;
        return;
    }
    s->rx[(s->rx_head + s->rx_count) % UART_FIFO_SIZE] = b;
    s->rx_count++;
}

static void clear_rx(struct uart *u)
{
    u->s.rx_head = 0;
    u->s.rx_count = 0;
    u->s.timeout_pending = 0;
}

size_t uart_rx_space(const struct uart *u)
{
    if (u->s.mcr & UART_MCR_LOOP)
        return 0;
    return rx_capacity(u) - u->s.rx_count;
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n)
{
    size_t room = uart_rx_space(u), k = n < room ? n : room;
    for (size_t i = 0; i < k; i++)
        rx_push(u, buf[i]);
    if (k) {
        arm_timeout(u);
        update_irq(u);
    }
    return k;
}

static void transmit(struct uart *u, uint8_t b)
{
    if (u->s.mcr & UART_MCR_LOOP) {
        rx_push(u, b);
        arm_timeout(u);
    } else if (u->tx) {
        u->tx(u->tx_opaque, &b, 1);
    }
    u->s.thr_ipending = 1; /* the holding register is empty again at once */
}

static uint32_t uart_read(void *opaque, uint16_t port, unsigned size)
{
    struct uart *u = opaque;
    struct uart_state *s = &u->s;
    (void)size;
    uint8_t v;
    switch (port - u->base) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB)
            return s->dll;
        if (s->rx_count) {
            s->rbr = s->rx[s->rx_head];
            s->rx_head = (uint8_t)((s->rx_head + 1) % UART_FIFO_SIZE);
            s->rx_count--;
            if (u->rx_room)
                u->rx_room(u->tx_opaque);
        }
        s->timeout_pending = 0;
        arm_timeout(u);
        update_irq(u);
        return s->rbr;
    case UART_IER:
        return (s->lcr & UART_LCR_DLAB) ? s->dlm : s->ier;
    case UART_IIR:
        v = iir_source(u);
        if (v == UART_IIR_THRI) /* reading IIR clears a THRE interrupt it reports */
            s->thr_ipending = 0;
        update_irq(u);
        return v | (fifo_on(u) ? UART_IIR_FIFO : 0);
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        v = (uint8_t)(s->lsr_errors | UART_LSR_THRE | UART_LSR_TEMT |
                      (s->rx_count ? UART_LSR_DR : 0));
        s->lsr_errors = 0;
        update_irq(u);
        return v;
    case UART_MSR:
        v = s->msr;
        s->msr &= MSR_LINES;
        update_irq(u);
        return v;
    default:
        return s->scr;
    }
}

static void uart_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct uart *u = opaque;
    struct uart_state *s = &u->s;
    (void)size;
    uint8_t v = (uint8_t)value;
    switch (port - u->base) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->dll = v;
            break;
        }
        s->thr_ipending = 0;
        transmit(u, v);
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->dlm = v;
            break;
        }
        /* Enabling the THRE interrupt while THR is empty raises it at once. */
        if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
            s->thr_ipending = 1;
        s->ier = v & 0x0F;
        break;
    case UART_FCR:
        if ((v ^ s->fcr) & UART_FCR_ENABLE)
            clear_rx(u); /* switching the FIFOs on or off empties them */
        if (v & UART_FCR_CLEAR_RX)
            clear_rx(u);
        s->fcr = v & (v & UART_FCR_ENABLE ? 0xC9 : 0);
        arm_timeout(u);
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & 0x1F;
        update_msr(u);
        break;
    case UART_LSR:
    case UART_MSR:
        break; /* factory test registers: writes have no defined effect */
    default:
        s->scr = v;
        break;
    }
    update_irq(u);
}

void uart_set_rx_room(struct uart *u, void (*rx_room)(void *opaque))
{
    u->rx_room = rx_room;
}

void uart_set_backend(struct uart *u, uart_tx_fn tx, void *opaque)
{
    u->tx = tx;
    u->tx_opaque = opaque;
}

void uart_set_modem_inputs(struct uart *u, uint8_t lines)
{
    u->s.lines_in = lines & MSR_LINES;
    update_msr(u);
    update_irq(u);
}

/* The master reset pin (datasheet, Table "UART Reset Configuration"): IER, IIR, FCR, LCR,
 * MCR, LSR and MSR's deltas; the divisor and scratch registers are kept. */
void uart_reset(struct uart *u)
{
    struct uart_state *s = &u->s;
    s->ier = s->fcr = s->lcr = s->mcr = 0;
    s->lsr_errors = 0;
    s->thr_ipending = 0;
    clear_rx(u);
    s->msr &= MSR_LINES;
    update_msr(u);
    s->msr &= MSR_LINES;
    sched_timer_del(u->sched, u->timer);
    update_irq(u);
}

int uart_init(struct uart *u, struct iobus *bus, uint16_t base, struct sched *sched,
              const struct irq_line *irq)
{
    memset(u, 0, sizeof(*u));
    u->base = base;
    u->sched = sched;
    if (irq)
        u->irq = *irq;
    u->timer = sched_timer_new(sched, "uart16550", uart_timer, u);
    if (u->timer < 0)
        return -1;
    /* A terminal is "there": carrier, data set ready and clear to send (as a null-modem
     * cable to a ready host shows them); uart_set_modem_inputs changes that. */
    u->s.lines_in = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    u->s.msr = u->s.lines_in;
    u->s.dll = 12; /* 9600 baud until the guest sets a speed */
    uart_reset(u);
    const struct io_handler h = { .read = uart_read, .write = uart_write, .opaque = u };
    return iobus_register(bus, base, 8, &h);
}

void uart_state_loaded(struct uart *u)
{
    irq_set(&u->irq, u->s.irq_level);
}

static const struct savestate_field uart_fields[] = {
    SS_ARRAY(struct uart_state, rx),
    SS_FIELD_RANGE(struct uart_state, rx_head, 0, UART_FIFO_SIZE - 1),
    SS_FIELD_RANGE(struct uart_state, rx_count, 0, UART_FIFO_SIZE),
    SS_FIELD(struct uart_state, rbr),           SS_FIELD(struct uart_state, ier),
    SS_FIELD(struct uart_state, fcr),           SS_FIELD(struct uart_state, lcr),
    SS_FIELD(struct uart_state, mcr),           SS_FIELD(struct uart_state, scr),
    SS_FIELD(struct uart_state, dll),           SS_FIELD(struct uart_state, dlm),
    SS_FIELD(struct uart_state, lsr_errors),    SS_FIELD(struct uart_state, msr),
    SS_FIELD(struct uart_state, lines_in),      SS_FIELD(struct uart_state, thr_ipending),
    SS_FIELD(struct uart_state, timeout_pending), SS_FIELD(struct uart_state, irq_level),
};
SAVESTATE_DESC(uart_savestate, "uart16550", 1, uart_fields);
