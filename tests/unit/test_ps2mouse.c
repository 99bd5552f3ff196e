/* The PS/2 mouse on the 8042's auxiliary port, through ports 0x60/0x64 as a driver sees
 * it: D4 to send it a byte, its bytes with status bit 5 and IRQ 12, the command set
 * (reset, ID, status, rate, resolution, scaling, stream/remote/wrap modes, resend,
 * errors), packets from host movement, the IntelliMouse wheel, the port enables A7/A8
 * and test A9, and a save/load in the middle of things. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/kbc8042.h"
#include "devrig.h"

enum { IRQ1 = 1, IRQ12 = 12, A20 = 20, RESET = 21 };

struct t {
    struct devrig r;
    struct kbc kbc;
};

static struct t *make(void)
{
    struct t *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    rig_init(&t->r);
    struct devrig *r = &t->r;
    assert_int_equal(kbc_init(&t->kbc, &r->io, &r->line[IRQ1], &r->line[IRQ12], &r->line[A20],
                              &r->line[RESET]), 0);
    return t;
}

static void drop(struct t *t)
{
    rig_free(&t->r);
    free(t);
}

static int setup(void **state)
{
    *state = make();
    return 0;
}

static int teardown(void **state)
{
    drop(*state);
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

/* A byte to the mouse: D4, then the byte. */
static void to_mouse(struct t *t, uint8_t b)
{
    cmd(t, 0xD4);
    data(t, b);
}

/* The next output byte, which must come from the auxiliary port. */
static uint8_t aux(struct t *t)
{
    assert_int_equal(status(t) & (KBC_STAT_OBF | KBC_STAT_AUX | KBC_STAT_TIMEOUT),
                     KBC_STAT_OBF | KBC_STAT_AUX);
    return inb(&t->r, 0x60);
}

/* The next n bytes from the mouse are exactly want[]. */
static void expect(struct t *t, const uint8_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t got = aux(t);
        if (got != want[i])
            fail_msg("byte %zu: got 0x%02X, want 0x%02X", i, got, want[i]);
    }
}
#define EXPECT(t, ...)                                                                     \
    do {                                                                                   \
        static const uint8_t want_[] = { __VA_ARGS__ };                                    \
        expect(t, want_, sizeof want_);                                                    \
    } while (0)

static void assert_empty(struct t *t)
{
    assert_int_equal(status(t) & KBC_STAT_OBF, 0);
}

/* Command byte: keyboard and auxiliary interrupts on, system flag, translation. */
static void aux_irq_on(struct t *t)
{
    cmd(t, 0x60);
    data(t, 0x47);
}

static void enable(struct t *t)
{
    to_mouse(t, 0xF4);
    EXPECT(t, 0xFA);
}

static void move(struct t *t, int dx, int dy, int dz, unsigned buttons)
{
    kbc_mouse_move(&t->kbc, dx, dy, dz, buttons);
}

static void test_reset_acks_passes_bat_and_sends_id_on_irq12(void **state)
{
    struct t *t = *state;
    aux_irq_on(t);
    to_mouse(t, 0xFF);
    assert_int_equal(status(t) & (KBC_STAT_OBF | KBC_STAT_AUX), KBC_STAT_OBF | KBC_STAT_AUX);
    assert_int_equal(t->r.level[IRQ12], 1);
    assert_int_equal(t->r.level[IRQ1], 0);
    assert_int_equal(inb(&t->r, 0x60), 0xFA);
    assert_int_equal(t->r.level[IRQ12], 1);    /* AA is next */
    EXPECT(t, 0xAA, 0x00);
    assert_int_equal(t->r.level[IRQ12], 0);
    assert_int_equal(t->r.rises[IRQ12], 3);    /* one per byte, as the driver counts them */
    assert_empty(t);
}

static void test_aux_bytes_without_aux_interrupt_bit_raise_nothing(void **state)
{
    struct t *t = *state;                      /* power-on command byte 0x45: bit 1 off */
    to_mouse(t, 0xF2);
    assert_int_equal(t->r.level[IRQ12], 0);
    assert_int_equal(t->r.level[IRQ1], 0);
    EXPECT(t, 0xFA, 0x00);
    assert_int_equal(t->r.rises[IRQ12], 0);
}

static void test_enabled_mouse_sends_packet_for_movement(void **state)
{
    struct t *t = *state;
    aux_irq_on(t);
    enable(t);
    move(t, 5, 3, 0, PS2MOUSE_LEFT);
    assert_int_equal(t->r.level[IRQ12], 1);
    EXPECT(t, 0x09, 0x05, 0x03);               /* bit 3 always set, left button */
    assert_empty(t);
    move(t, 0, 0, 0, PS2MOUSE_LEFT | PS2MOUSE_MIDDLE); /* a button alone is news too */
    EXPECT(t, 0x0D, 0x00, 0x00);
    move(t, 0, 0, 0, PS2MOUSE_LEFT | PS2MOUSE_MIDDLE); /* nothing changed: nothing sent */
    assert_empty(t);
}

static void test_negative_movement_sets_sign_bits(void **state)
{
    struct t *t = *state;
    enable(t);
    move(t, -1, -2, 0, PS2MOUSE_RIGHT);
    EXPECT(t, 0x3A, 0xFF, 0xFE);               /* Y sign, X sign, 1, right */
    move(t, 7, -256, 0, 0);
    EXPECT(t, 0x28, 0x07, 0x00);               /* -256 still fits 9 bits */
}

static void test_large_movement_clamps_with_overflow_bits(void **state)
{
    struct t *t = *state;
    enable(t);
    move(t, 300, -300, 0, 0);
    EXPECT(t, 0xE8, 0xFF, 0x00);               /* both overflows, Y sign; +255 and -256 */
    move(t, 1, 0, 0, 0);
    EXPECT(t, 0x08, 0x01, 0x00);               /* the excess was lost, as on a real mouse */
    move(t, -257, 256, 0, 0);
    EXPECT(t, 0xD8, 0x00, 0xFF);
}

static void test_disabled_mouse_sends_no_packets(void **state)
{
    struct t *t = *state;
    move(t, 4, 4, 0, 0);                       /* power-on: reporting disabled */
    assert_empty(t);
    enable(t);                                 /* and the counters restart */
    move(t, 1, 0, 0, 0);
    EXPECT(t, 0x08, 0x01, 0x00);
    to_mouse(t, 0xF5);
    EXPECT(t, 0xFA);
    move(t, 9, 9, 0, PS2MOUSE_LEFT);
    assert_empty(t);
    to_mouse(t, 0xF4);
    EXPECT(t, 0xFA);
    assert_empty(t);
}

static void test_disable_drops_packets_still_queued(void **state)
{
    struct t *t = *state;
    enable(t);
    cmd(t, 0xA7);                              /* the port holds the mouse's bytes */
    move(t, 1, 0, 0, 0);
    move(t, 2, 0, 0, 0);
    to_mouse(t, 0xF5);
    cmd(t, 0xA8);
    EXPECT(t, 0xFA);                           /* the ACK, not the two packets before it */
    assert_empty(t);
}

static void test_packets_wait_for_room_and_nothing_is_lost(void **state)
{
    struct t *t = *state;
    enable(t);
    for (int i = 0; i < 12; i++)               /* more than the mouse can hold */
        move(t, 1, -1, 0, 0);
    int sx = 0, sy = 0, packets = 0;
    while (status(t) & KBC_STAT_OBF) {
        uint8_t b0 = aux(t), x = aux(t), y = aux(t);
        assert_int_equal(b0 & 0xCF, 0x08);
        sx += x - ((b0 & 0x10) ? 256 : 0);
        sy += y - ((b0 & 0x20) ? 256 : 0);
        packets++;
    }
    assert_int_equal(sx, 12);
    assert_int_equal(sy, -12);
    assert_true(packets < 12);                 /* the rest added up while it waited */
}

static void test_intellimouse_sequence_gives_id_3_and_wheel_packets(void **state)
{
    struct t *t = *state;
    static const uint8_t knock[] = { 200, 100, 80 };
    for (size_t i = 0; i < sizeof knock; i++) {
        to_mouse(t, 0xF3);
        to_mouse(t, knock[i]);
        EXPECT(t, 0xFA, 0xFA);
    }
    to_mouse(t, 0xF2);
    EXPECT(t, 0xFA, 0x03);
    enable(t);
    move(t, 1, 1, -1, 0);
    EXPECT(t, 0x08, 0x01, 0x01, 0xFF);
    move(t, 0, 0, 10, 0);                      /* -8..+7 a packet: the rest follows */
    EXPECT(t, 0x08, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x03);
    assert_empty(t);
    to_mouse(t, 0xFF);                         /* a plain mouse again */
    EXPECT(t, 0xFA, 0xAA, 0x00);
    to_mouse(t, 0xF2);
    EXPECT(t, 0xFA, 0x00);
    enable(t);
    move(t, 2, 0, 3, 0);
    EXPECT(t, 0x08, 0x02, 0x00);
    assert_empty(t);
}

static void test_other_rate_sequences_leave_id_0(void **state)
{
    struct t *t = *state;
    static const uint8_t rates[] = { 200, 80, 100, 200, 100, 60 };
    for (size_t i = 0; i < sizeof rates; i++) {
        to_mouse(t, 0xF3);
        to_mouse(t, rates[i]);
        EXPECT(t, 0xFA, 0xFA);
    }
    to_mouse(t, 0xF2);
    EXPECT(t, 0xFA, 0x00);
}

static void test_status_request_reports_modes_buttons_resolution_rate(void **state)
{
    struct t *t = *state;
    to_mouse(t, 0xE9);
    EXPECT(t, 0xFA, 0x00, 0x02, 0x64);         /* stream, disabled, 1:1, 4/mm, 100/s */
    enable(t);
    to_mouse(t, 0xE7);
    EXPECT(t, 0xFA);
    to_mouse(t, 0xE8);
    to_mouse(t, 0x03);
    to_mouse(t, 0xF3);
    to_mouse(t, 40);
    to_mouse(t, 0xF0);
    EXPECT(t, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA);
    move(t, 0, 0, 0, PS2MOUSE_LEFT | PS2MOUSE_RIGHT);
    assert_empty(t);                           /* remote mode: nothing unasked */
    to_mouse(t, 0xE9);
    EXPECT(t, 0xFA, 0x75, 0x03, 40);           /* remote, enabled, 2:1, left, right */
    to_mouse(t, 0xF6);                         /* defaults: stream, disabled, 1:1 */
    to_mouse(t, 0xE9);
    EXPECT(t, 0xFA, 0xFA, 0x05, 0x02, 0x64);
}

static void test_remote_mode_reports_only_on_read_data(void **state)
{
    struct t *t = *state;
    enable(t);
    to_mouse(t, 0xF0);
    EXPECT(t, 0xFA);
    move(t, 3, 4, 0, 0);
    move(t, 1, -1, 0, 0);
    assert_empty(t);
    to_mouse(t, 0xEB);
    EXPECT(t, 0xFA, 0x08, 0x04, 0x03);
    to_mouse(t, 0xEB);                         /* a packet even when nothing moved */
    EXPECT(t, 0xFA, 0x08, 0x00, 0x00);
    to_mouse(t, 0xEA);                         /* stream mode again */
    EXPECT(t, 0xFA);
    move(t, 2, 2, 0, 0);
    EXPECT(t, 0x08, 0x02, 0x02);
}

static void test_scaling_2_to_1_applies_to_stream_packets(void **state)
{
    struct t *t = *state;
    enable(t);
    to_mouse(t, 0xE7);
    EXPECT(t, 0xFA);
    move(t, 4, -5, 0, 0);
    EXPECT(t, 0x28, 0x06, 0xF7);               /* 4 -> 6, -5 -> -9 */
    move(t, 2, 10, 0, 0);
    EXPECT(t, 0x08, 0x01, 0x14);               /* 2 -> 1, 10 -> 20 */
    to_mouse(t, 0xE6);
    EXPECT(t, 0xFA);
    move(t, 4, 0, 0, 0);
    EXPECT(t, 0x08, 0x04, 0x00);
}

static void test_wrap_mode_echoes_all_but_ec_and_ff(void **state)
{
    struct t *t = *state;
    to_mouse(t, 0xEE);
    EXPECT(t, 0xFA);
    to_mouse(t, 0x12);
    to_mouse(t, 0xF4);                         /* echoed, not obeyed */
    to_mouse(t, 0xFE);
    EXPECT(t, 0x12, 0xF4, 0xFE);
    move(t, 1, 1, 0, 0);
    assert_empty(t);
    to_mouse(t, 0xEC);
    EXPECT(t, 0xFA);
    to_mouse(t, 0xE9);
    EXPECT(t, 0xFA, 0x00, 0x02, 0x64);         /* F4 was not taken as a command */
    to_mouse(t, 0xEE);
    to_mouse(t, 0xFF);                         /* reset leaves wrap mode */
    EXPECT(t, 0xFA, 0xFA, 0xAA, 0x00);
    to_mouse(t, 0x12);
    EXPECT(t, 0xFE);
}

static void test_resend_repeats_the_last_packet(void **state)
{
    struct t *t = *state;
    enable(t);
    move(t, 2, 1, 0, 0);
    EXPECT(t, 0x08, 0x02, 0x01);
    to_mouse(t, 0xFE);
    EXPECT(t, 0x08, 0x02, 0x01);               /* no FA before it */
    to_mouse(t, 0xE9);
    EXPECT(t, 0xFA, 0x20, 0x02, 0x64);
    to_mouse(t, 0xFE);
    EXPECT(t, 0x20, 0x02, 0x64);
    to_mouse(t, 0xF3);
    EXPECT(t, 0xFA);
    to_mouse(t, 0xFE);                         /* the ACK again; the rate still awaited */
    EXPECT(t, 0xFA);
    to_mouse(t, 20);
    EXPECT(t, 0xFA);
    assert_empty(t);
}

static void test_bad_bytes_answer_fe_then_fc(void **state)
{
    struct t *t = *state;
    to_mouse(t, 0x55);
    EXPECT(t, 0xFE);
    to_mouse(t, 0x55);
    EXPECT(t, 0xFC);
    to_mouse(t, 0x55);
    EXPECT(t, 0xFE);                           /* counting starts over */
    to_mouse(t, 0xF2);
    EXPECT(t, 0xFA, 0x00);
    to_mouse(t, 0xF3);
    to_mouse(t, 7);                            /* not a sample rate */
    EXPECT(t, 0xFA, 0xFE);
    to_mouse(t, 60);                           /* the retry is taken */
    EXPECT(t, 0xFA);
    to_mouse(t, 0xE8);
    to_mouse(t, 4);
    to_mouse(t, 4);
    EXPECT(t, 0xFA, 0xFE, 0xFC);
    to_mouse(t, 2);                            /* FC gave up on the argument */
    EXPECT(t, 0xFE);
    to_mouse(t, 0xE9);
    EXPECT(t, 0xFA, 0x00, 0x02, 60);
}

static void test_aux_port_disable_holds_bytes_and_enable_releases(void **state)
{
    struct t *t = *state;
    aux_irq_on(t);
    enable(t);
    cmd(t, 0xA7);
    cmd(t, 0x20);
    assert_int_equal(inb(&t->r, 0x60) & KBC_CB_AUX_OFF, KBC_CB_AUX_OFF);
    move(t, 1, 2, 0, 0);
    assert_empty(t);
    assert_int_equal(t->r.level[IRQ12], 0);
    cmd(t, 0xA8);
    assert_int_equal(t->r.level[IRQ12], 1);
    EXPECT(t, 0x08, 0x01, 0x02);
    cmd(t, 0x20);
    assert_int_equal(inb(&t->r, 0x60) & KBC_CB_AUX_OFF, 0);
}

static void test_aux_interface_test_passes(void **state)
{
    struct t *t = *state;
    cmd(t, 0xA9);
    assert_int_equal(status(t) & (KBC_STAT_OBF | KBC_STAT_AUX), KBC_STAT_OBF);
    assert_int_equal(inb(&t->r, 0x60), 0x00);
}

static void test_keyboard_and_mouse_share_the_output_buffer(void **state)
{
    struct t *t = *state;
    static const uint8_t a[] = { 0x1C };
    aux_irq_on(t);
    enable(t);
    move(t, 1, 1, 0, 0);
    assert_true(kbc_key(&t->kbc, a, 1));
    /* The mouse's first byte was in the buffer already; the keyboard goes next. */
    assert_int_equal(aux(t), 0x08);
    assert_int_equal(status(t) & (KBC_STAT_OBF | KBC_STAT_AUX), KBC_STAT_OBF);
    assert_int_equal(t->r.level[IRQ1], 1);
    assert_int_equal(t->r.level[IRQ12], 0);
    assert_int_equal(inb(&t->r, 0x60), 0x1E);
    EXPECT(t, 0x01, 0x01);
}

static void test_controller_reset_resets_the_mouse(void **state)
{
    struct t *t = *state;
    enable(t);
    to_mouse(t, 0xEE);
    EXPECT(t, 0xFA);
    kbc_reset(&t->kbc);
    to_mouse(t, 0xE9);
    EXPECT(t, 0xFA, 0x00, 0x02, 0x64);
}

/* Saved in the middle of the IntelliMouse sequence with a packet half read, loaded into
 * another controller: it goes on the same. */
static void test_saved_mouse_goes_on_after_load(void **state)
{
    struct t *t = *state;
    enable(t);
    to_mouse(t, 0xF3);
    to_mouse(t, 200);
    to_mouse(t, 0xF3);
    to_mouse(t, 100);
    EXPECT(t, 0xFA, 0xFA, 0xFA, 0xFA);
    move(t, -3, 5, 0, PS2MOUSE_MIDDLE);
    assert_int_equal(aux(t), 0x1C);
    uint8_t kbuf[256], mbuf[256];
    size_t kn = savestate_save(&kbc_savestate, &t->kbc.s, kbuf, sizeof kbuf);
    size_t mn = savestate_save(&ps2mouse_savestate, &t->kbc.mouse.s, mbuf, sizeof mbuf);
    assert_true(kn > 0 && mn > 0);
    struct t *u = make();
    assert_int_equal(savestate_load(&kbc_savestate, &u->kbc.s, kbuf, kn), 0);
    assert_int_equal(savestate_load(&ps2mouse_savestate, &u->kbc.mouse.s, mbuf, mn), 0);
    EXPECT(u, 0xFD, 0x05);
    to_mouse(u, 0xF3);
    to_mouse(u, 80);
    to_mouse(u, 0xF2);
    EXPECT(u, 0xFA, 0xFA, 0xFA, 0x03);
    move(u, 1, 0, 1, 0);
    EXPECT(u, 0x08, 0x01, 0x00, 0x01);
    drop(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_reset_acks_passes_bat_and_sends_id_on_irq12),
        T(test_aux_bytes_without_aux_interrupt_bit_raise_nothing),
        T(test_enabled_mouse_sends_packet_for_movement),
        T(test_negative_movement_sets_sign_bits),
        T(test_large_movement_clamps_with_overflow_bits),
        T(test_disabled_mouse_sends_no_packets),
        T(test_disable_drops_packets_still_queued),
        T(test_packets_wait_for_room_and_nothing_is_lost),
        T(test_intellimouse_sequence_gives_id_3_and_wheel_packets),
        T(test_other_rate_sequences_leave_id_0),
        T(test_status_request_reports_modes_buttons_resolution_rate),
        T(test_remote_mode_reports_only_on_read_data),
        T(test_scaling_2_to_1_applies_to_stream_packets),
        T(test_wrap_mode_echoes_all_but_ec_and_ff),
        T(test_resend_repeats_the_last_packet),
        T(test_bad_bytes_answer_fe_then_fc),
        T(test_aux_port_disable_holds_bytes_and_enable_releases),
        T(test_aux_interface_test_passes),
        T(test_keyboard_and_mouse_share_the_output_buffer),
        T(test_controller_reset_resets_the_mouse),
        T(test_saved_mouse_goes_on_after_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
