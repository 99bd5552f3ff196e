/* The 8042 and its PS/2 keyboard through ports 0x60/0x64, and port 0x92: controller
 * commands, the command byte, keyboard commands, set 2 to set 1 translation, IRQ 1/12,
 * the output port's A20 and reset lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/kbc8042.h"
#include "devices/port92.h"
#include "devrig.h"

enum { IRQ1 = 1, IRQ12 = 12, A20 = 20, RESET = 21, A20_92 = 22, RESET_92 = 23 };

struct t {
    struct devrig r;
    struct kbc kbc;
    struct port92 p92;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    rig_init(&t->r);
    struct devrig *r = &t->r;
    assert_int_equal(kbc_init(&t->kbc, &r->io, &r->line[IRQ1], &r->line[IRQ12], &r->line[A20],
                              &r->line[RESET]), 0);
    assert_int_equal(port92_init(&t->p92, &r->io, &r->line[A20_92], &r->line[RESET_92]), 0);
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

static uint8_t status(struct t *t)
{
    return inb(&t->r, 0x64);
}

static void cmd(struct t *t, uint8_t c)
{
    outb(&t->r, 0x64, c);
}

static void data(struct t *t, uint8_t v)
{
    outb(&t->r, 0x60, v);
}

/* The next output byte; fails if there is none. */
static uint8_t next(struct t *t)
{
    assert_int_equal(status(t) & KBC_STAT_OBF, KBC_STAT_OBF);
    return inb(&t->r, 0x60);
}

static void assert_empty(struct t *t)
{
    assert_int_equal(status(t) & KBC_STAT_OBF, 0);
}

static void key(struct t *t, const uint8_t *b, size_t n)
{
    assert_true(kbc_key(&t->kbc, b, n));
}

static void test_self_tests_pass(void **state)
{
    struct t *t = *state;
    cmd(t, 0xAA);
    assert_int_equal(next(t), 0x55);
    assert_int_equal(status(t) & KBC_STAT_SYS, KBC_STAT_SYS);
    cmd(t, 0xAB);
    assert_int_equal(next(t), 0x00);
    cmd(t, 0xA9);
    assert_int_equal(next(t), 0x00);
    cmd(t, 0xA4);
    assert_int_equal(next(t), 0xF1);
    assert_empty(t);
}

static void test_command_byte_read_write_and_cmd_flag(void **state)
{
    struct t *t = *state;
    cmd(t, 0x20);
    assert_int_equal(status(t) & KBC_STAT_CMD, KBC_STAT_CMD);
    assert_int_equal(next(t), 0x45);       /* as a BIOS leaves it */
    cmd(t, 0x60);
    data(t, 0x20);
    assert_int_equal(status(t) & (KBC_STAT_CMD | KBC_STAT_SYS), 0);
    cmd(t, 0x20);
    assert_int_equal(next(t), 0x20);
    cmd(t, 0x65);                          /* internal RAM byte 5 */
    data(t, 0x77);
    cmd(t, 0x25);
    assert_int_equal(next(t), 0x77);
}

static void test_controller_reply_raises_irq1_when_enabled(void **state)
{
    struct t *t = *state;
    cmd(t, 0x20);
    assert_int_equal(t->r.level[IRQ1], 1);
    inb(&t->r, 0x60);
    assert_int_equal(t->r.level[IRQ1], 0);
    cmd(t, 0x60);
    data(t, 0x44);                         /* keyboard interrupt off */
    cmd(t, 0x20);
    assert_int_equal(t->r.level[IRQ1], 0);
    assert_int_equal(next(t), 0x44);
}

static void test_keyboard_reset_acks_and_passes_bat(void **state)
{
    struct t *t = *state;
    data(t, 0xFF);
    assert_int_equal(next(t), 0xFA);
    assert_int_equal(next(t), 0xAA);
    assert_empty(t);
}

static void test_identify_is_translated(void **state)
{
    struct t *t = *state;
    data(t, 0xF2);
    assert_int_equal(next(t), 0xFA);
    assert_int_equal(next(t), 0xAB);
    assert_int_equal(next(t), 0x41);       /* 0x83 through the translation */
    cmd(t, 0x60);
    data(t, 0x05);                         /* translation off */
    data(t, 0xF2);
    assert_int_equal(next(t), 0xFA);
    assert_int_equal(next(t), 0xAB);
    assert_int_equal(next(t), 0x83);
}

static void test_keys_are_translated_to_set1(void **state)
{
    struct t *t = *state;
    static const uint8_t a_down[] = { 0x1C }, a_up[] = { 0xF0, 0x1C };
    static const uint8_t rctrl_up[] = { 0xE0, 0xF0, 0x14 };
    key(t, a_down, 1);
    assert_int_equal(t->r.level[IRQ1], 1);
    assert_int_equal(next(t), 0x1E);
    key(t, a_up, 2);
    assert_int_equal(next(t), 0x9E);
    key(t, rctrl_up, 3);
    assert_int_equal(next(t), 0xE0);
    assert_int_equal(next(t), 0x9D);
    assert_empty(t);
}

static void test_keys_untranslated_in_set2(void **state)
{
    struct t *t = *state;
    static const uint8_t a_up[] = { 0xF0, 0x1C };
    cmd(t, 0x60);
    data(t, 0x01);
    key(t, a_up, 2);
    assert_int_equal(next(t), 0xF0);
    assert_int_equal(next(t), 0x1C);
}

static void test_keyboard_in_set1_converts_itself(void **state)
{
    struct t *t = *state;
    static const uint8_t a_up[] = { 0xF0, 0x1C };
    cmd(t, 0x60);
    data(t, 0x01);                         /* translation off */
    data(t, 0xF0);
    data(t, 0x01);                         /* scan code set 1 */
    assert_int_equal(next(t), 0xFA);
    assert_int_equal(next(t), 0xFA);
    data(t, 0xF0);
    data(t, 0x00);                         /* which set? */
    assert_int_equal(next(t), 0xFA);
    assert_int_equal(next(t), 0xFA);
    assert_int_equal(next(t), 0x01);
    key(t, a_up, 2);
    assert_int_equal(next(t), 0x9E);
}

static void test_keyboard_disable_and_enable_commands(void **state)
{
    struct t *t = *state;
    static const uint8_t a[] = { 0x1C };
    data(t, 0xF5);
    assert_int_equal(next(t), 0xFA);
    assert_false(kbc_key(&t->kbc, a, 1));  /* not scanning */
    data(t, 0xF4);
    assert_int_equal(next(t), 0xFA);
    key(t, a, 1);
    assert_int_equal(next(t), 0x1E);
    data(t, 0xEE);
    assert_int_equal(next(t), 0xEE);
    data(t, 0xED);
    assert_int_equal(next(t), 0xFA);
    data(t, 0x07);
    assert_int_equal(next(t), 0xFA);
    data(t, 0x55);                         /* not a command */
    assert_int_equal(next(t), 0xFE);
}

static void test_disabled_keyboard_port_holds_bytes(void **state)
{
    struct t *t = *state;
    static const uint8_t a[] = { 0x1C };
    cmd(t, 0xAD);
    key(t, a, 1);
    assert_empty(t);
    cmd(t, 0xAE);
    assert_int_equal(next(t), 0x1E);
}

static void test_output_port_drives_a20_and_reset(void **state)
{
    struct t *t = *state;
    assert_int_equal(t->r.level[A20], 1);
    cmd(t, 0xD0);
    assert_int_equal(next(t) & 0x03, 0x03);
    cmd(t, 0xD1);
    data(t, 0xCD);                         /* A20 off, CPU running */
    assert_int_equal(t->r.level[A20], 0);
    assert_int_equal(t->r.rises[RESET], 0);
    cmd(t, 0xDF);
    assert_int_equal(t->r.level[A20], 1);
    cmd(t, 0xDD);
    assert_int_equal(t->r.level[A20], 0);
    cmd(t, 0xFE);                          /* pulse bit 0: reset */
    assert_int_equal(t->r.rises[RESET], 1);
    cmd(t, 0xFF);                          /* pulses nothing */
    assert_int_equal(t->r.rises[RESET], 1);
    cmd(t, 0xD1);
    data(t, 0xCE);
    assert_int_equal(t->r.rises[RESET], 2);
}

static void test_aux_port_loopback_and_absent_device(void **state)
{
    struct t *t = *state;
    cmd(t, 0x60);
    data(t, 0x47);                         /* aux interrupt on */
    cmd(t, 0xD3);
    data(t, 0x5A);
    assert_int_equal(status(t) & (KBC_STAT_OBF | KBC_STAT_AUX), KBC_STAT_OBF | KBC_STAT_AUX);
    assert_int_equal(t->r.level[IRQ12], 1);
    assert_int_equal(t->r.level[IRQ1], 0);
    assert_int_equal(inb(&t->r, 0x60), 0x5A);
    assert_int_equal(t->r.level[IRQ12], 0);
    cmd(t, 0xD4);
    data(t, 0xF2);                         /* to the mouse that is not there */
    assert_int_equal(status(t) & (KBC_STAT_AUX | KBC_STAT_TIMEOUT),
                     KBC_STAT_AUX | KBC_STAT_TIMEOUT);
    assert_int_equal(inb(&t->r, 0x60), 0xFE);
}

/* D3 is the controller writing its own output buffer, so the disabled auxiliary port (which
 * only inhibits the device) does not hold the byte back. Linux's i8042 MUX probe relies on
 * it: it sends D3 with the port disabled and polls for the byte with interrupts off. */
static void test_d3_loopback_while_aux_port_disabled(void **state)
{
    struct t *t = *state;
    cmd(t, 0x60);
    data(t, 0x74);                         /* both ports disabled, no interrupts (Linux) */
    cmd(t, 0xD3);
    data(t, 0xF0);
    assert_int_equal(status(t) & (KBC_STAT_OBF | KBC_STAT_AUX), KBC_STAT_OBF | KBC_STAT_AUX);
    assert_int_equal(t->r.level[IRQ12], 0);
    assert_int_equal(inb(&t->r, 0x60), 0xF0);
    assert_empty(t);
    cmd(t, 0xA7);                          /* the same through the port-disable command */
    cmd(t, 0xD3);
    data(t, 0x56);
    assert_int_equal(status(t) & (KBC_STAT_OBF | KBC_STAT_AUX), KBC_STAT_OBF | KBC_STAT_AUX);
    assert_int_equal(inb(&t->r, 0x60), 0x56);
    /* What the device itself sends still waits for the port to be enabled. */
    cmd(t, 0xD4);
    data(t, 0xF2);
    assert_empty(t);
    cmd(t, 0xA8);
    assert_int_equal(status(t) & (KBC_STAT_AUX | KBC_STAT_TIMEOUT),
                     KBC_STAT_AUX | KBC_STAT_TIMEOUT);
    assert_int_equal(next(t), 0xFE);
}

static void test_d2_writes_output_buffer_as_keyboard(void **state)
{
    struct t *t = *state;
    cmd(t, 0xD2);
    data(t, 0x99);
    assert_int_equal(status(t) & KBC_STAT_AUX, 0);
    assert_int_equal(next(t), 0x99);
}

static void test_port92_fast_a20_and_reset(void **state)
{
    struct t *t = *state;
    assert_int_equal(inb(&t->r, 0x92), 0x00);
    outb(&t->r, 0x92, 0x02);
    assert_int_equal(t->r.level[A20_92], 1);
    assert_int_equal(inb(&t->r, 0x92), 0x02);
    outb(&t->r, 0x92, 0x00);
    assert_int_equal(t->r.level[A20_92], 0);
    outb(&t->r, 0x92, 0x01);               /* 0 to 1: reset */
    assert_int_equal(t->r.rises[RESET_92], 1);
    outb(&t->r, 0x92, 0x01);               /* no edge: nothing */
    assert_int_equal(t->r.rises[RESET_92], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_self_tests_pass),
        T(test_command_byte_read_write_and_cmd_flag),
        T(test_controller_reply_raises_irq1_when_enabled),
        T(test_keyboard_reset_acks_and_passes_bat),
        T(test_identify_is_translated),
        T(test_keys_are_translated_to_set1),
        T(test_keys_untranslated_in_set2),
        T(test_keyboard_in_set1_converts_itself),
        T(test_keyboard_disable_and_enable_commands),
        T(test_disabled_keyboard_port_holds_bytes),
        T(test_output_port_drives_a20_and_reset),
        T(test_aux_port_loopback_and_absent_device),
        T(test_d3_loopback_while_aux_port_disabled),
        T(test_d2_writes_output_buffer_as_keyboard),
        T(test_port92_fast_a20_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
