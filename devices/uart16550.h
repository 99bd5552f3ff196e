/* The National Semiconductor NS16550A UART: eight registers at a base port (COM1 0x3F8 on
 * IRQ 4, COM2 0x2F8 on IRQ 3 on the PC).
 *
 * Per the NS16550A datasheet: the divisor latch (DLAB), the 16-byte receive FIFO with its
 * trigger levels (1, 4, 8, 14) and the character timeout (no character in or out for four
 * character times at the programmed speed and format), the non-FIFO 16450 mode, all five
 * interrupt sources in their priority order (receiver line status, received data,
 * character timeout, transmitter holding register empty, modem status) through IIR, the
 * modem control outputs and status inputs with their delta bits, loopback (transmitter
 * to receiver and DTR/RTS/OUT1/OUT2 to DSR/CTS/RI/DCD inside the chip) and the scratch
 * register. On the PC, OUT2 enables the IRQ driver; in loopback the OUT2 pin is forced
 * inactive, so the IRQ is quiet while the interrupt logic still shows in IIR.
 *
 * Bytes leave at once: a transmitted byte goes straight to the backend, so THRE and TEMT
 * are always set and the THRE interrupt follows each write (the 16550's timing is not
 * visible to software that waits for THRE, and console output should not take 87 us of
 * guest time per character). The backend is a callback for transmitted bytes and
 * uart_receive for bytes arriving, which the frontend calls when uart_rx_space allows:
 * input is flow-controlled by the emulator and never overruns. */
#ifndef ORRERY_DEVICES_UART16550_H
#define ORRERY_DEVICES_UART16550_H

#include <stddef.h>
#include <stdint.h>

#include "core/iobus.h"
#include "core/irq.h"
#include "core/savestate.h"
#include "core/sched.h"

#define UART_COM1_PORT 0x3F8
#define UART_COM2_PORT 0x2F8
#define UART_COM1_IRQ 4
#define UART_COM2_IRQ 3
#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200u /* the PC's 1.8432 MHz crystal: divisor 1 = 115200 baud */

/* Register offsets. */
enum { UART_RBR = 0, UART_THR = 0, UART_DLL = 0, UART_IER = 1, UART_DLM = 1, UART_IIR = 2,
       UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7 };
enum { UART_IER_RDI = 0x01, UART_IER_THRI = 0x02, UART_IER_RLSI = 0x04, UART_IER_MSI = 0x08 };
enum { UART_IIR_NONE = 0x01, UART_IIR_MSI = 0x00, UART_IIR_THRI = 0x02, UART_IIR_RDI = 0x04,
       UART_IIR_RLSI = 0x06, UART_IIR_TIMEOUT = 0x0C, UART_IIR_FIFO = 0xC0 };
enum { UART_FCR_ENABLE = 0x01, UART_FCR_CLEAR_RX = 0x02, UART_FCR_CLEAR_TX = 0x04 };
enum { UART_LCR_DLAB = 0x80 };
enum { UART_MCR_DTR = 0x01, UART_MCR_RTS = 0x02, UART_MCR_OUT1 = 0x04, UART_MCR_OUT2 = 0x08,
       UART_MCR_LOOP = 0x10 };
enum { UART_LSR_DR = 0x01, UART_LSR_OE = 0x02, UART_LSR_PE = 0x04, UART_LSR_FE = 0x08,
       UART_LSR_BI = 0x10, UART_LSR_THRE = 0x20, UART_LSR_TEMT = 0x40, UART_LSR_FIFOE = 0x80 };
enum { UART_MSR_DCTS = 0x01, UART_MSR_DDSR = 0x02, UART_MSR_TERI = 0x04, UART_MSR_DDCD = 0x08,
       UART_MSR_CTS = 0x10, UART_MSR_DSR = 0x20, UART_MSR_RI = 0x40, UART_MSR_DCD = 0x80 };

struct uart_state {
    uint8_t rx[UART_FIFO_SIZE];
    uint8_t rx_head, rx_count;
    uint8_t rbr;              /* the last byte read */
    uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
    uint8_t lsr_errors;       /* OE, PE, FE, BI, FIFOE until LSR is read */
    uint8_t msr;              /* lines (bits 4-7) and deltas (0-3) */
    uint8_t lines_in;         /* CTS/DSR/RI/DCD from outside (the backend), MSR bit layout */
    uint8_t thr_ipending;     /* the THRE interrupt is pending */
    uint8_t timeout_pending;  /* the character timeout has expired */
    uint8_t irq_level;
};

/* Transmitted bytes go here (host side). */
typedef void (*uart_tx_fn)(void *opaque, const uint8_t *buf, size_t n);

struct uart {
    struct uart_state s;
    struct sched *sched;      /* wiring */
    struct irq_line irq;
    int timer;
    uint16_t base;
    uart_tx_fn tx;
    void *tx_opaque;
    void (*rx_room)(void *opaque); /* the guest took a received byte: room for the next */
};

int uart_init(struct uart *u, struct iobus *bus, uint16_t base, struct sched *sched,
              const struct irq_line *irq);
void uart_reset(struct uart *u);
void uart_state_loaded(struct uart *u);

/* The backend: where transmitted bytes go (NULL discards them). */
void uart_set_backend(struct uart *u, uart_tx_fn tx, void *opaque);
/* Called (with the backend's opaque) whenever the guest takes a byte from the receiver, so
 * a backend holding more input can hand over the next one at once. */
void uart_set_rx_room(struct uart *u, void (*rx_room)(void *opaque));
/* Free room in the receiver (0 in loopback, whose receiver listens to the transmitter). */
size_t uart_rx_space(const struct uart *u);
/* Bytes arriving on the line: takes at most uart_rx_space of them; returns how many. */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n);
/* The modem status inputs from outside (UART_MSR_CTS | DSR | RI | DCD). */
void uart_set_modem_inputs(struct uart *u, uint8_t lines);

extern const struct savestate_desc uart_savestate; /* describes struct uart_state */

#endif
