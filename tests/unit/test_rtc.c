/* The MC146818 RTC and CMOS through ports 0x70/0x71 (MC146818A datasheet): time and date
 * formats, the update cycle and UIP, the three interrupts on IRQ 8, SET, the divider, the
 * NMI mask bit, CMOS RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/rtc146818.h"
#include "devrig.h"

#define IRQ8 8
#define SEC 1000000000ull
#define MS 1000000ull

/* 2024-02-28T23:59:58Z, a Wednesday. */
#define EPOCH_LEAP_EVE 1709164798

struct t {
    struct devrig r;
    struct rtc rtc;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    rig_init(&t->r);
    assert_int_equal(rtc_init(&t->rtc, &t->r.io, &t->r.sched, &t->r.line[IRQ8], EPOCH_LEAP_EVE), 0);
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

static uint8_t cmos(struct t *t, uint8_t i)
{
    outb(&t->r, 0x70, i);
    return inb(&t->r, 0x71);
}

static void cmos_w(struct t *t, uint8_t i, uint8_t v)
{
    outb(&t->r, 0x70, i);
    outb(&t->r, 0x71, v);
}

static void test_time_starts_from_epoch_in_bcd(void **state)
{
    struct t *t = *state;
    assert_int_equal(cmos(t, 0x00), 0x58);
    assert_int_equal(cmos(t, 0x02), 0x59);
    assert_int_equal(cmos(t, 0x04), 0x23);
    assert_int_equal(cmos(t, 0x06), 0x04); /* Wednesday: 4 with Sunday = 1 */
    assert_int_equal(cmos(t, 0x07), 0x28);
    assert_int_equal(cmos(t, 0x08), 0x02);
    assert_int_equal(cmos(t, 0x09), 0x24);
    assert_int_equal(cmos(t, 0x32), 0x20);
    assert_int_equal(cmos(t, 0x0A), 0x26);
    assert_int_equal(cmos(t, 0x0B), 0x02);
    assert_int_equal(cmos(t, 0x0D), 0x80); /* valid RAM and time */
}

static void test_time_advances_once_a_second_into_leap_day(void **state)
{
    struct t *t = *state;
    rig_advance(&t->r, 500 * MS);          /* the first update, 500 ms after start */
    assert_int_equal(cmos(t, 0x00), 0x59);
    rig_advance(&t->r, SEC);
    assert_int_equal(cmos(t, 0x00), 0x00);
    assert_int_equal(cmos(t, 0x04), 0x00);
    assert_int_equal(cmos(t, 0x07), 0x29); /* 2024 is a leap year */
    assert_int_equal(cmos(t, 0x08), 0x02);
    assert_int_equal(cmos(t, 0x06), 0x05);
}

static void test_year_rolls_over(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x0B, 0x82);                 /* SET */
    cmos_w(t, 0x09, 0x99);
    cmos_w(t, 0x08, 0x12);
    cmos_w(t, 0x07, 0x31);
    cmos_w(t, 0x04, 0x23);
    cmos_w(t, 0x02, 0x59);
    cmos_w(t, 0x00, 0x59);
    cmos_w(t, 0x0B, 0x02);
    rig_advance(&t->r, SEC);
    assert_int_equal(cmos(t, 0x09), 0x00);
    assert_int_equal(cmos(t, 0x08), 0x01);
    assert_int_equal(cmos(t, 0x07), 0x01);
    assert_int_equal(cmos(t, 0x00), 0x00);
}

static void test_binary_and_12_hour_modes(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x0B, 0x04);                 /* binary, 12 h */
    assert_int_equal(cmos(t, 0x00), 58);
    assert_int_equal(cmos(t, 0x04), 0x80 | 11); /* 23:xx is 11 PM */
    assert_int_equal(cmos(t, 0x09), 24);
    cmos_w(t, 0x0B, 0x00);                 /* BCD, 12 h */
    assert_int_equal(cmos(t, 0x04), 0x91);
    cmos_w(t, 0x04, 0x12);                 /* 12 AM is midnight */
    cmos_w(t, 0x0B, 0x02);
    assert_int_equal(cmos(t, 0x04), 0x00);
}

static void test_uip_is_set_just_before_the_update(void **state)
{
    struct t *t = *state;
    rig_advance(&t->r, 500 * MS - 3 * MS);
    assert_int_equal(cmos(t, 0x0A) & 0x80, 0);
    rig_advance(&t->r, 2 * MS);            /* within 2.228 ms of the update */
    assert_int_equal(cmos(t, 0x0A) & 0x80, 0x80);
    assert_int_equal(cmos(t, 0x00), 0x58); /* not yet */
    rig_advance(&t->r, MS);
    assert_int_equal(cmos(t, 0x0A) & 0x80, 0);
    assert_int_equal(cmos(t, 0x00), 0x59);
}

static void test_update_interrupt_on_irq8_until_c_is_read(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x0B, 0x12);                 /* UIE */
    rig_advance(&t->r, 500 * MS);
    assert_int_equal(t->r.level[IRQ8], 1);
    /* IRQF | UF; PF too, which the running periodic rate sets whatever PIE says */
    assert_int_equal(cmos(t, 0x0C) & 0xB0, 0x90);
    assert_int_equal(t->r.level[IRQ8], 0);
    assert_int_equal(cmos(t, 0x0C) & 0xB0, 0x00);
}

static void test_periodic_interrupt_at_1024_hz(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x0B, 0x42);                 /* PIE, rate 6 from register A */
    unsigned n = 0;
    for (unsigned i = 0; i < 2048; i++) {
        rig_advance(&t->r, SEC / 2048);
        if (t->r.level[IRQ8]) {
            assert_int_equal(cmos(t, 0x0C) & 0xC0, 0xC0);
            n++;
        }
    }
    assert_in_range(n, 1023, 1025);
}

static void test_periodic_flag_without_pie_when_polled(void **state)
{
    struct t *t = *state;
    cmos(t, 0x0C);
    cmos_w(t, 0x0A, 0x2F);                 /* 2 Hz */
    rig_advance(&t->r, 100 * MS);
    assert_int_equal(cmos(t, 0x0C) & 0x40, 0);
    rig_advance(&t->r, 500 * MS);
    assert_int_equal(cmos(t, 0x0C) & 0x40, 0x40);
    assert_int_equal(t->r.level[IRQ8], 0);
}

static void test_alarm_with_dont_care_fields(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x01, 0x05);                 /* second 05 */
    cmos_w(t, 0x03, 0xFF);                 /* any minute */
    cmos_w(t, 0x05, 0xC0);                 /* any hour */
    cmos_w(t, 0x0B, 0x22);                 /* AIE */
    rig_advance(&t->r, 500 * MS + 5 * SEC);
    assert_int_equal(t->r.level[IRQ8], 0); /* 00:00:04 */
    rig_advance(&t->r, SEC);
    assert_int_equal(t->r.level[IRQ8], 1);
    assert_int_equal(cmos(t, 0x0C) & 0xA0, 0xA0);
}

static void test_set_freezes_time_and_clears_uie(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x0B, 0x92);                 /* SET with UIE */
    assert_int_equal(cmos(t, 0x0B), 0x82);
    rig_advance(&t->r, 3 * SEC);
    assert_int_equal(cmos(t, 0x00), 0x58);
    assert_int_equal(cmos(t, 0x0A) & 0x80, 0);
    cmos_w(t, 0x0B, 0x02);
    rig_advance(&t->r, SEC);
    assert_int_equal(cmos(t, 0x00), 0x59);
}

static void test_divider_reset_stops_and_restarts_half_a_second_later(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x0A, 0x76);                 /* divider in reset */
    rig_advance(&t->r, 5 * SEC);
    assert_int_equal(cmos(t, 0x00), 0x58);
    cmos_w(t, 0x0A, 0x26);
    rig_advance(&t->r, 499 * MS);
    assert_int_equal(cmos(t, 0x00), 0x58);
    rig_advance(&t->r, 1 * MS);
    assert_int_equal(cmos(t, 0x00), 0x59);
}

static void test_index_port_holds_nmi_mask(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x70, 0x80 | 0x0D);
    assert_true(rtc_nmi_masked(&t->rtc));
    assert_int_equal(inb(&t->r, 0x71), 0x80);
    outb(&t->r, 0x70, 0x0D);
    assert_false(rtc_nmi_masked(&t->rtc));
}

static void test_cmos_ram_keeps_bytes_and_c_d_are_read_only(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x40, 0xA5);
    cmos_w(t, 0x7F, 0x5A);
    assert_int_equal(cmos(t, 0x40), 0xA5);
    assert_int_equal(cmos(t, 0x7F), 0x5A);
    cmos_w(t, 0x0D, 0x00);
    assert_int_equal(cmos(t, 0x0D), 0x80);
}

static void test_reset_pin_clears_enables_and_flags_not_time(void **state)
{
    struct t *t = *state;
    cmos_w(t, 0x0B, 0x72);
    rig_advance(&t->r, 500 * MS);
    rtc_reset(&t->rtc);
    assert_int_equal(cmos(t, 0x0B), 0x02);
    assert_int_equal(cmos(t, 0x0C), 0x00);
    assert_int_equal(t->r.level[IRQ8], 0);
    assert_int_equal(cmos(t, 0x00), 0x59);
}

static void test_civil_date_conversions(void **state)
{
    (void)state;
    assert_int_equal(rtc_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(rtc_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(rtc_days_from_civil(2024, 2, 29), 19782);
    int64_t y;
    unsigned m, d;
    rtc_civil_from_days(19782, &y, &m, &d);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    rtc_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_time_starts_from_epoch_in_bcd),
        T(test_time_advances_once_a_second_into_leap_day),
        T(test_year_rolls_over),
        T(test_binary_and_12_hour_modes),
        T(test_uip_is_set_just_before_the_update),
        T(test_update_interrupt_on_irq8_until_c_is_read),
        T(test_periodic_interrupt_at_1024_hz),
        T(test_periodic_flag_without_pie_when_polled),
        T(test_alarm_with_dont_care_fields),
        T(test_set_freezes_time_and_clears_uie),
        T(test_divider_reset_stops_and_restarts_half_a_second_later),
        T(test_index_port_holds_nmi_mask),
        T(test_cmos_ram_keeps_bytes_and_c_d_are_read_only),
        T(test_reset_pin_clears_enables_and_flags_not_time),
        T(test_civil_date_conversions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
