/* The 16550A through its ports (NS16550A datasheet): loopback, the divisor latch, FIFOs and
 * trigger levels, each interrupt source and their priorities, modem lines, the IRQ gate of
 * OUT2, the byte-stream backend. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/uart16550.h"
#include "devrig.h"

#define IRQ4 4
#define B 0x3F8

struct t {
    struct devrig r;
    struct uart u;
    uint8_t sent[64];
    size_t nsent;
};

static void backend(void *opaque, const uint8_t *buf, size_t n)
{
    struct t *t = opaque;
    for (size_t i = 0; i < n && t->nsent < sizeof t->sent; i++)
        t->sent[t->nsent++] = buf[i];
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    rig_init(&t->r);
    assert_int_equal(uart_init(&t->u, &t->r.io, B, &t->r.sched, &t->r.line[IRQ4]), 0);
    uart_set_backend(&t->u, backend, t);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    rig_free(&t->r);
    free(t);
    return 0;
}

static uint8_t rd(struct t *t, unsigned reg)
{
    return inb(&t->r, (uint16_t)(B + reg));
}

static void wr(struct t *t, unsigned reg, uint8_t v)
{
    outb(&t->r, (uint16_t)(B + reg), v);
}

/* 115200 baud, 8N1. */
static void set_115200(struct t *t)
{
    wr(t, UART_LCR, 0x83);
    wr(t, UART_DLL, 1);
    wr(t, UART_DLM, 0);
    wr(t, UART_LCR, 0x03);
}

static void feed(struct t *t, const char *s)
{
    assert_int_equal(uart_receive(&t->u, (const uint8_t *)s, strlen(s)), strlen(s));
}

static void test_transmitted_bytes_reach_the_backend(void **state)
{
    struct t *t = *state;
    wr(t, UART_THR, 'o');
    wr(t, UART_THR, 'k');
    assert_int_equal(t->nsent, 2);
    assert_memory_equal(t->sent, "ok", 2);
    assert_int_equal(rd(t, UART_LSR) & 0x60, 0x60);
}

static void test_loopback_returns_transmitted_byte(void **state)
{
    struct t *t = *state;
    wr(t, UART_MCR, UART_MCR_LOOP);
    wr(t, UART_THR, 0x5A);
    assert_int_equal(t->nsent, 0);        /* nothing leaves in loopback */
    assert_int_equal(rd(t, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
    assert_int_equal(rd(t, UART_RBR), 0x5A);
    assert_int_equal(rd(t, UART_LSR) & UART_LSR_DR, 0);
    assert_int_equal(uart_rx_space(&t->u), 0); /* the line is disconnected */
}

static void test_loopback_connects_modem_outputs_to_inputs(void **state)
{
    struct t *t = *state;
    wr(t, UART_MCR, UART_MCR_LOOP);
    rd(t, UART_MSR);
    wr(t, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT2);
    assert_int_equal(rd(t, UART_MSR), UART_MSR_DSR | UART_MSR_DCD | UART_MSR_DDSR | UART_MSR_DDCD);
    wr(t, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT1);
    assert_int_equal(rd(t, UART_MSR),
                     UART_MSR_CTS | UART_MSR_RI | UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
    wr(t, UART_MCR, UART_MCR_LOOP);       /* RI falls: trailing edge */
    assert_int_equal(rd(t, UART_MSR) & 0x0F, UART_MSR_DCTS | UART_MSR_TERI);
    assert_int_equal(rd(t, UART_MSR) & 0x0F, 0); /* reading cleared the deltas */
}

static void test_scratch_and_divisor_latch(void **state)
{
    struct t *t = *state;
    wr(t, UART_SCR, 0xA5);
    assert_int_equal(rd(t, UART_SCR), 0xA5);
    wr(t, UART_LCR, 0x80);
    wr(t, UART_DLL, 0x34);
    wr(t, UART_DLM, 0x12);
    assert_int_equal(rd(t, UART_DLL), 0x34);
    assert_int_equal(rd(t, UART_DLM), 0x12);
    wr(t, UART_LCR, 0x03);
    assert_int_equal(rd(t, UART_IER), 0x00);
    assert_int_equal(rd(t, UART_LCR), 0x03);
}

static void test_thre_interrupt_on_enable_cleared_by_iir_read(void **state)
{
    struct t *t = *state;
    wr(t, UART_MCR, UART_MCR_OUT2);
    wr(t, UART_IER, UART_IER_THRI);
    assert_int_equal(t->r.level[IRQ4], 1);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_THRI);
    assert_int_equal(t->r.level[IRQ4], 0);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_NONE);
    wr(t, UART_THR, 'x');                 /* empty again at once: pending again */
    assert_int_equal(t->r.level[IRQ4], 1);
}

static void test_irq_needs_out2(void **state)
{
    struct t *t = *state;
    wr(t, UART_IER, UART_IER_THRI);
    assert_int_equal(t->r.level[IRQ4], 0);
    assert_int_equal(rd(t, UART_IIR) & 0x0F, UART_IIR_THRI); /* pending all the same */
    wr(t, UART_IER, 0);
    wr(t, UART_IER, UART_IER_THRI);
    wr(t, UART_MCR, UART_MCR_OUT2);
    assert_int_equal(t->r.level[IRQ4], 1);
}

static void test_fifo_data_interrupt_at_trigger_level(void **state)
{
    struct t *t = *state;
    wr(t, UART_FCR, 0x81);                /* FIFO on, trigger 8 */
    wr(t, UART_MCR, UART_MCR_OUT2);
    wr(t, UART_IER, UART_IER_RDI);
    feed(t, "1234567");
    assert_int_equal(t->r.level[IRQ4], 0);
    feed(t, "8");
    assert_int_equal(t->r.level[IRQ4], 1);
    assert_int_equal(rd(t, UART_IIR), 0xC0 | UART_IIR_RDI);
    assert_int_equal(rd(t, UART_RBR), '1');
    assert_int_equal(t->r.level[IRQ4], 0);  /* 7 left: below the trigger */
}

static void test_character_timeout_interrupt(void **state)
{
    struct t *t = *state;
    set_115200(t);
    wr(t, UART_FCR, 0xC1);                /* trigger 14 */
    wr(t, UART_MCR, UART_MCR_OUT2);
    wr(t, UART_IER, UART_IER_RDI);
    feed(t, "ab");
    rig_advance(&t->r, 300000);           /* less than 4 characters (347 us) */
    assert_int_equal(t->r.level[IRQ4], 0);
    rig_advance(&t->r, 100000);
    assert_int_equal(t->r.level[IRQ4], 1);
    assert_int_equal(rd(t, UART_IIR), 0xC0 | UART_IIR_TIMEOUT);
    assert_int_equal(rd(t, UART_RBR), 'a');
    assert_int_equal(t->r.level[IRQ4], 0); /* the read restarts the timer */
    rig_advance(&t->r, 400000);
    assert_int_equal(t->r.level[IRQ4], 1);
    assert_int_equal(rd(t, UART_RBR), 'b');
    rig_advance(&t->r, 400000);
    assert_int_equal(t->r.level[IRQ4], 0); /* empty: no timeout */
}

static void test_overrun_sets_oe_and_line_status_interrupt_first(void **state)
{
    struct t *t = *state;
    wr(t, UART_MCR, UART_MCR_LOOP);
    wr(t, UART_IER, UART_IER_RLSI | UART_IER_RDI | UART_IER_THRI);
    wr(t, UART_THR, 1);
    wr(t, UART_THR, 2);                    /* no FIFO: one byte holds, the next overruns */
    assert_int_equal(rd(t, UART_IIR) & 0x0F, UART_IIR_RLSI);
    assert_int_equal(rd(t, UART_LSR) & (UART_LSR_OE | UART_LSR_DR), UART_LSR_OE | UART_LSR_DR);
    assert_int_equal(rd(t, UART_IIR) & 0x0F, UART_IIR_RDI); /* next priority */
    assert_int_equal(rd(t, UART_RBR), 1);
    assert_int_equal(rd(t, UART_IIR) & 0x0F, UART_IIR_THRI);
    assert_int_equal(rd(t, UART_IIR) & 0x0F, UART_IIR_NONE);
}

static void test_modem_status_interrupt_on_cts_change(void **state)
{
    struct t *t = *state;
    wr(t, UART_MCR, UART_MCR_OUT2);
    wr(t, UART_IER, UART_IER_MSI);
    assert_int_equal(t->r.level[IRQ4], 0);
    uart_set_modem_inputs(&t->u, UART_MSR_DSR | UART_MSR_DCD); /* CTS drops */
    assert_int_equal(t->r.level[IRQ4], 1);
    assert_int_equal(rd(t, UART_IIR), UART_IIR_MSI);
    assert_int_equal(rd(t, UART_MSR), UART_MSR_DSR | UART_MSR_DCD | UART_MSR_DCTS);
    assert_int_equal(t->r.level[IRQ4], 0);
}

static void test_receive_is_flow_controlled(void **state)
{
    struct t *t = *state;
    assert_int_equal(uart_rx_space(&t->u), 1);  /* 16450 mode: one holding register */
    assert_int_equal(uart_receive(&t->u, (const uint8_t *)"xy", 2), 1);
    assert_int_equal(rd(t, UART_LSR) & UART_LSR_OE, 0);
    wr(t, UART_FCR, 0x01);                      /* enabling the FIFO empties it */
    assert_int_equal(uart_rx_space(&t->u), 16);
    uint8_t buf[20];
    memset(buf, 'z', sizeof buf);
    assert_int_equal(uart_receive(&t->u, buf, sizeof buf), 16);
    assert_int_equal(uart_rx_space(&t->u), 0);
    wr(t, UART_FCR, 0x03);                      /* clear the receive FIFO */
    assert_int_equal(uart_rx_space(&t->u), 16);
    assert_int_equal(rd(t, UART_LSR) & UART_LSR_DR, 0);
}

static void test_iir_shows_fifo_bits(void **state)
{
    struct t *t = *state;
    assert_int_equal(rd(t, UART_IIR), 0x01);
    wr(t, UART_FCR, 0x01);
    assert_int_equal(rd(t, UART_IIR), 0xC1);
}

static void test_reset_keeps_divisor_and_scratch(void **state)
{
    struct t *t = *state;
    set_115200(t);
    wr(t, UART_SCR, 0x42);
    wr(t, UART_IER, 0x0F);
    uart_reset(&t->u);
    assert_int_equal(rd(t, UART_IER), 0);
    assert_int_equal(rd(t, UART_SCR), 0x42);
    wr(t, UART_LCR, 0x80);
    assert_int_equal(rd(t, UART_DLL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_transmitted_bytes_reach_the_backend),
        T(test_loopback_returns_transmitted_byte),
        T(test_loopback_connects_modem_outputs_to_inputs),
        T(test_scratch_and_divisor_latch),
        T(test_thre_interrupt_on_enable_cleared_by_iir_read),
        T(test_irq_needs_out2),
        T(test_fifo_data_interrupt_at_trigger_level),
        T(test_character_timeout_interrupt),
        T(test_overrun_sets_oe_and_line_status_interrupt_first),
        T(test_modem_status_interrupt_on_cts_change),
        T(test_receive_is_flow_controlled),
        T(test_iir_shows_fifo_bits),
        T(test_reset_keeps_divisor_and_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
