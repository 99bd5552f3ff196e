/* The 8254 through its ports (8254 datasheet): the six modes, latches, read-back,
 * access modes, BCD, channel 2's gate and OUT2 through port 0x61, IRQ 0 from channel 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/savestate.h"
#include "devices/pit8254.h"
#include "devrig.h"

#define IRQ0 0

struct t {
    struct devrig r;
    struct pit pit;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    rig_init(&t->r);
    assert_int_equal(pit_init(&t->pit, &t->r.io, &t->r.sched, &t->r.line[IRQ0]), 0);
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

/* Time of n input clocks (105/88 MHz), rounded up to a whole ns. */
static uint64_t ticks(uint64_t n)
{
    return (n * 88000 + 104) / 105;
}

static void wait_ticks(struct t *t, uint64_t n)
{
    rig_advance(&t->r, ticks(n));
}

static void program(struct t *t, unsigned ch, uint8_t mode_bits, uint16_t count)
{
    outb(&t->r, 0x43, (uint8_t)(ch << 6 | 0x30 | mode_bits));
    outb(&t->r, (uint16_t)(0x40 + ch), (uint8_t)count);
    outb(&t->r, (uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static uint16_t read_latched(struct t *t, unsigned ch)
{
    outb(&t->r, 0x43, (uint8_t)(ch << 6)); /* counter latch */
    uint8_t lo = inb(&t->r, (uint16_t)(0x40 + ch));
    uint8_t hi = inb(&t->r, (uint16_t)(0x40 + ch));
    return (uint16_t)(lo | hi << 8);
}

static uint8_t read_status(struct t *t, unsigned ch)
{
    outb(&t->r, 0x43, (uint8_t)(0xE0 | 2u << ch)); /* read-back: status only */
    return inb(&t->r, (uint16_t)(0x40 + ch));
}

static bool out2(struct t *t)
{
    return (inb(&t->r, 0x61) & 0x20) != 0;
}

static void test_mode2_pulses_irq0_once_per_period(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x04, 1193); /* about 1 kHz */
    assert_int_equal(t->r.level[IRQ0], 1); /* OUT high in mode 2 */
    unsigned before = t->r.rises[IRQ0];
    wait_ticks(t, 1193 * 100);
    assert_int_equal(t->r.rises[IRQ0] - before, 100);
}

static void test_mode2_counts_down_and_reloads(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x04, 1000);
    assert_int_equal(read_latched(t, 0), 1000);
    wait_ticks(t, 250);
    assert_int_equal(read_latched(t, 0), 750);
    wait_ticks(t, 749);
    assert_int_equal(read_latched(t, 0), 1);
    assert_int_equal(read_status(t, 0) >> 7, 0); /* low for the clock at count 1 */
    wait_ticks(t, 1);
    assert_int_equal(read_latched(t, 0), 1000);
    assert_int_equal(read_status(t, 0) >> 7, 1);
}

static void test_mode2_new_count_waits_for_period_end(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x04, 1000);
    wait_ticks(t, 100);
    outb(&t->r, 0x40, 500 & 0xFF);
    outb(&t->r, 0x40, 500 >> 8);
    assert_int_equal(read_status(t, 0) & 0x40, 0x40); /* NULL COUNT until loaded */
    assert_int_equal(read_latched(t, 0), 900);
    wait_ticks(t, 900);
    assert_int_equal(read_latched(t, 0), 500);
    assert_int_equal(read_status(t, 0) & 0x40, 0);
    unsigned before = t->r.rises[IRQ0];
    wait_ticks(t, 5000);
    assert_int_equal(t->r.rises[IRQ0] - before, 10);
}

static void test_mode0_out_rises_at_terminal_count(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x00, 100);
    assert_int_equal(t->r.level[IRQ0], 0);
    wait_ticks(t, 99);
    assert_int_equal(t->r.level[IRQ0], 0);
    wait_ticks(t, 1);
    assert_int_equal(t->r.level[IRQ0], 1);
    wait_ticks(t, 70000); /* wraps and goes on counting; OUT stays high */
    assert_int_equal(t->r.level[IRQ0], 1);
    assert_int_equal(t->r.rises[IRQ0], 1);
}

static void test_mode0_first_byte_of_count_stops_counting(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x00, 100);
    wait_ticks(t, 10);
    outb(&t->r, 0x40, 50);           /* LSB only: counting stops */
    wait_ticks(t, 500);
    assert_int_equal(t->r.level[IRQ0], 0);
    outb(&t->r, 0x40, 0);            /* MSB: count 50 starts */
    wait_ticks(t, 50);
    assert_int_equal(t->r.level[IRQ0], 1);
}

static void test_mode3_square_wave_on_out2(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x61, 0x01); /* gate 2 on */
    program(t, 2, 0x06, 100);
    assert_true(out2(t));
    wait_ticks(t, 49);
    assert_true(out2(t));
    assert_int_equal(read_latched(t, 2), 2);
    wait_ticks(t, 1);
    assert_false(out2(t));
    assert_int_equal(read_latched(t, 2), 100);
    wait_ticks(t, 50);
    assert_true(out2(t));
}

static void test_mode3_odd_count_high_half_is_longer(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x61, 0x01);
    program(t, 2, 0x06, 5);   /* high 3 clocks, low 2 */
    wait_ticks(t, 2);
    assert_true(out2(t));
    wait_ticks(t, 1);
    assert_false(out2(t));
    wait_ticks(t, 2);
    assert_true(out2(t));
}

static void test_gate_low_pauses_mode0(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x61, 0x01);
    program(t, 2, 0x00, 1000);
    wait_ticks(t, 100);
    outb(&t->r, 0x61, 0x00);
    wait_ticks(t, 5000);
    assert_int_equal(read_latched(t, 2), 900);
    outb(&t->r, 0x61, 0x01);
    wait_ticks(t, 899);
    assert_false(out2(t));
    wait_ticks(t, 1);
    assert_true(out2(t));
}

static void test_mode1_gate_edge_triggers_one_shot(void **state)
{
    struct t *t = *state;
    program(t, 2, 0x02, 200);
    assert_true(out2(t));            /* waits for a trigger with OUT high */
    wait_ticks(t, 1000);
    assert_true(out2(t));
    outb(&t->r, 0x61, 0x01);         /* rising gate: OUT low for 200 clocks */
    assert_false(out2(t));
    wait_ticks(t, 150);
    outb(&t->r, 0x61, 0x00);         /* gate low does not stop mode 1 */
    wait_ticks(t, 49);
    assert_false(out2(t));
    wait_ticks(t, 1);
    assert_true(out2(t));
    outb(&t->r, 0x61, 0x01);         /* retrigger */
    assert_false(out2(t));
}

static void test_mode4_software_strobe(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x61, 0x01);
    program(t, 2, 0x08, 10);
    assert_true(out2(t));
    wait_ticks(t, 10);
    assert_false(out2(t));           /* low for one clock at terminal count */
    wait_ticks(t, 1);
    assert_true(out2(t));
    wait_ticks(t, 70000);            /* no second strobe after the wrap */
    assert_true(out2(t));
}

static void test_mode5_gate_triggered_strobe(void **state)
{
    struct t *t = *state;
    program(t, 2, 0x0A, 10);
    wait_ticks(t, 100);
    assert_true(out2(t));
    outb(&t->r, 0x61, 0x01);
    wait_ticks(t, 10);
    assert_false(out2(t));
    wait_ticks(t, 1);
    assert_true(out2(t));
}

static void test_mode4_strobe_pulses_irq0(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x08, 10);
    unsigned before = t->r.rises[IRQ0];
    wait_ticks(t, 20);
    assert_int_equal(t->r.rises[IRQ0] - before, 1);
}

static void test_latch_holds_value_until_read(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x04, 5000);
    wait_ticks(t, 1000);
    outb(&t->r, 0x43, 0x00);
    wait_ticks(t, 1000);
    outb(&t->r, 0x43, 0x00);          /* a second latch is ignored */
    uint8_t lo = inb(&t->r, 0x40);
    uint8_t hi = inb(&t->r, 0x40);
    assert_int_equal(lo | hi << 8, 4000);
    assert_int_equal(read_latched(t, 0), 3000);
}

static void test_lsb_and_msb_only_access(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x43, 0x14);         /* ch0, LSB only, mode 2 */
    outb(&t->r, 0x40, 200);
    wait_ticks(t, 50);
    assert_int_equal(inb(&t->r, 0x40), 150);
    outb(&t->r, 0x43, 0x24);         /* ch0, MSB only, mode 2 */
    outb(&t->r, 0x40, 0x10);         /* 0x1000 */
    wait_ticks(t, 0x100);
    assert_int_equal(inb(&t->r, 0x40), 0x0F);
}

static void test_live_lohi_reads_alternate(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x00, 0x1234);
    uint8_t lo = inb(&t->r, 0x40);
    uint8_t hi = inb(&t->r, 0x40);
    assert_int_equal(lo | hi << 8, 0x1234);
}

static void test_readback_status_and_count(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x43, 0xB4);          /* ch2, LSB/MSB, mode 2, binary */
    assert_int_equal(read_status(t, 2), 0x40 | 0x80 | 0x34); /* NULL COUNT, OUT high */
    outb(&t->r, 0x42, 0x00);
    outb(&t->r, 0x42, 0x01);
    outb(&t->r, 0x61, 0x01);
    wait_ticks(t, 16);
    outb(&t->r, 0x43, 0xC8);          /* read-back ch2: count and status */
    assert_int_equal(inb(&t->r, 0x42), 0x80 | 0x34);
    assert_int_equal(inb(&t->r, 0x42), 0xF0);
    assert_int_equal(inb(&t->r, 0x42), 0x00);
}

static void test_bcd_counting(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x43, 0x31);          /* ch0, mode 0, BCD */
    outb(&t->r, 0x40, 0x00);
    outb(&t->r, 0x40, 0x10);          /* 1000 decimal */
    wait_ticks(t, 1);
    assert_int_equal(read_latched(t, 0), 0x0999);
    wait_ticks(t, 998);
    assert_int_equal(read_latched(t, 0), 0x0001);
    wait_ticks(t, 1);
    assert_int_equal(t->r.level[IRQ0], 1);
}

static void test_count_zero_means_65536(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x04, 0);
    unsigned before = t->r.rises[IRQ0];
    wait_ticks(t, 65535);
    assert_int_equal(t->r.rises[IRQ0], before);
    wait_ticks(t, 1);
    assert_int_equal(t->r.rises[IRQ0] - before, 1);
}

static void test_port61_refresh_bit_toggles_and_bits_read_back(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x61, 0x03);
    assert_int_equal(inb(&t->r, 0x61) & 0x0F, 0x03);
    assert_true(pit_speaker_on(&t->pit));
    uint8_t a = inb(&t->r, 0x61) & 0x10;
    wait_ticks(t, 18);
    uint8_t b = inb(&t->r, 0x61) & 0x10;
    assert_int_not_equal(a, b);
    outb(&t->r, 0x61, 0x01);
    assert_false(pit_speaker_on(&t->pit));
}

static void test_control_word_sets_out_level(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x43, 0x30);          /* mode 0: OUT low */
    assert_int_equal(t->r.level[IRQ0], 0);
    outb(&t->r, 0x43, 0x34);          /* mode 2: OUT high */
    assert_int_equal(t->r.level[IRQ0], 1);
}

/* A saved state is input: a counting channel with count 0, or a pending reload of 0, is
 * what only a damaged file holds (the device never writes it), and loading it must leave
 * a channel that divides by nothing. fuzz_state found both. */
static void test_loaded_zero_counts_are_harmless(void **state)
{
    struct t *t = *state;
    program(t, 0, 0x04, 1000);
    wait_ticks(t, 100);
    outb(&t->r, 0x40, 500 & 0xFF);
    outb(&t->r, 0x40, 500 >> 8); /* a reload pending at the end of the period */
    struct pit_state forged = t->pit.s;
    forged.ch[0].next_reload = 0;
    forged.ch[2] = forged.ch[0];
    forged.ch[2].count0 = 0;
    uint8_t buf[512];
    size_t n = savestate_save(&pit_savestate, &forged, buf, sizeof buf);
    assert_int_equal(savestate_load(&pit_savestate, &t->pit.s, buf, n), 0);
    pit_state_loaded(&t->pit);
    wait_ticks(t, 5000);
    (void)read_latched(t, 0);
    (void)read_latched(t, 2);
    (void)read_status(t, 2);
    (void)out2(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_loaded_zero_counts_are_harmless, setup, teardown),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_mode2_pulses_irq0_once_per_period),
        T(test_mode2_counts_down_and_reloads),
        T(test_mode2_new_count_waits_for_period_end),
        T(test_mode0_out_rises_at_terminal_count),
        T(test_mode0_first_byte_of_count_stops_counting),
        T(test_mode3_square_wave_on_out2),
        T(test_mode3_odd_count_high_half_is_longer),
        T(test_gate_low_pauses_mode0),
        T(test_mode1_gate_edge_triggers_one_shot),
        T(test_mode4_software_strobe),
        T(test_mode5_gate_triggered_strobe),
        T(test_mode4_strobe_pulses_irq0),
        T(test_latch_holds_value_until_read),
        T(test_lsb_and_msb_only_access),
        T(test_live_lohi_reads_alternate),
        T(test_readback_status_and_count),
        T(test_bcd_counting),
        T(test_count_zero_means_65536),
        T(test_port61_refresh_bit_toggles_and_bits_read_back),
        T(test_control_word_sets_out_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
