/* The PS/2 keyboard's typematic repeat (IBM PS/2 Technical Reference, keyboard,
 * "Typematic"; devices/ps2kbd.h): a held key repeats its make code after the delay and at
 * the rate of the F3 byte, on the scheduler's virtual clock; release, another key and the
 * resetting commands stop it; set 2, the keyboard's own set 1, and the 8042's
 * translation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/kbc8042.h"
#include "devices/ps2kbd.h"
#include "devrig.h"

#define MS 1000000ull

struct t {
    struct devrig r;
    struct ps2kbd k;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    rig_init(&t->r);
    ps2kbd_init(&t->k, NULL, NULL);
    assert_int_equal(ps2kbd_attach_clock(&t->k, &t->r.sched), 0);
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

/* Everything the keyboard has sent since the last call, as a byte string. */
static size_t drain(struct ps2kbd *k, uint8_t *out, size_t max)
{
    size_t n = 0;
    while (ps2kbd_has_data(k) && n < max)
        out[n++] = ps2kbd_read(k);
    return n;
}

static void expect(struct ps2kbd *k, const uint8_t *want, size_t n)
{
    uint8_t got[64];
    size_t m = drain(k, got, sizeof got);
    assert_int_equal(m, n);
    if (n)
        assert_memory_equal(got, want, n);
}

static void expect_none(struct ps2kbd *k)
{
    expect(k, NULL, 0);
}

/* Counts how many times b arrives, alone, over ns of virtual time (1 ms steps). */
static unsigned repeats_over(struct t *t, uint64_t ns, uint8_t b)
{
    unsigned count = 0;
    for (uint64_t done = 0; done < ns; done += MS) {
        rig_advance(&t->r, MS);
        uint8_t got[16];
        size_t n = drain(&t->k, got, sizeof got);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(got[i], b);
            count++;
        }
    }
    return count;
}

static const uint8_t A_MAKE[] = { 0x1C }, A_BREAK[] = { 0xF0, 0x1C };
static const uint8_t B_MAKE[] = { 0x32 }, B_BREAK[] = { 0xF0, 0x32 };

static void press(struct t *t, uint8_t key, const uint8_t *make, size_t n)
{
    assert_true(ps2kbd_key_event(&t->k, key, true, make, n, make, n));
}

static void release(struct t *t, uint8_t key, const uint8_t *brk, size_t n,
                    const uint8_t *make, size_t mn)
{
    assert_true(ps2kbd_key_event(&t->k, key, false, brk, n, make, mn));
}

static void test_typematic_delay_and_period_of_the_f3_byte(void **state)
{
    (void)state;
    /* The table's corners: 2Bh (the default) 10.9 cps after 500 ms, 00h 30 cps after
     * 250 ms, 7Fh 2 cps after 1 s. */
    assert_int_equal(ps2kbd_typematic_delay_ns(0x2B), 500 * MS);
    assert_int_equal(ps2kbd_typematic_period_ns(0x2B), 91666666);
    assert_int_equal(ps2kbd_typematic_delay_ns(0x00), 250 * MS);
    assert_int_equal(ps2kbd_typematic_period_ns(0x00), 33333333);
    assert_int_equal(ps2kbd_typematic_delay_ns(0x7F), 1000 * MS);
    assert_int_equal(ps2kbd_typematic_period_ns(0x7F), 500 * MS);
}

static void test_held_key_repeats_at_the_default_rate(void **state)
{
    struct t *t = *state;
    press(t, 4, A_MAKE, 1);
    expect(&t->k, A_MAKE, 1);
    rig_advance(&t->r, 500 * MS - 1);
    expect_none(&t->k);
    rig_advance(&t->r, 1);
    expect(&t->k, A_MAKE, 1);             /* the first repeat, at 500 ms */
    /* 10.9 a second: a repeat every 91.67 ms, the 11th more at 1508.3 ms. */
    assert_int_equal(repeats_over(t, 1008 * MS, 0x1C), 10);
    assert_int_equal(repeats_over(t, 1 * MS, 0x1C), 1);
    release(t, 4, A_BREAK, 2, A_MAKE, 1);
    expect(&t->k, A_BREAK, 2);
    rig_advance(&t->r, 2000 * MS);
    expect_none(&t->k);
}

static void test_f3_sets_delay_and_rate(void **state)
{
    struct t *t = *state;
    ps2kbd_write(&t->k, 0xF3);
    ps2kbd_write(&t->k, 0x00);           /* 30 cps after 250 ms */
    expect(&t->k, (const uint8_t[]){ 0xFA, 0xFA }, 2);
    press(t, 4, A_MAKE, 1);
    expect(&t->k, A_MAKE, 1);
    assert_int_equal(repeats_over(t, 249 * MS, 0x1C), 0);
    assert_int_equal(repeats_over(t, 1001 * MS, 0x1C), 31); /* 250 ms, then 30 a second */
    release(t, 4, A_BREAK, 2, A_MAKE, 1);
    expect(&t->k, A_BREAK, 2);
    ps2kbd_write(&t->k, 0xF3);
    ps2kbd_write(&t->k, 0x7F);           /* 2 cps after 1 s */
    expect(&t->k, (const uint8_t[]){ 0xFA, 0xFA }, 2);
    press(t, 4, A_MAKE, 1);
    expect(&t->k, A_MAKE, 1);
    assert_int_equal(repeats_over(t, 999 * MS, 0x1C), 0);
    assert_int_equal(repeats_over(t, 1001 * MS, 0x1C), 3); /* at 1 s, 1.5 s, 2 s */
}

static void test_another_key_takes_over_the_repeat(void **state)
{
    struct t *t = *state;
    press(t, 4, A_MAKE, 1);
    rig_advance(&t->r, 600 * MS);
    expect(&t->k, (const uint8_t[]){ 0x1C, 0x1C, 0x1C }, 3); /* make, 500 ms, 591.7 ms */
    press(t, 5, B_MAKE, 1);
    expect(&t->k, B_MAKE, 1);
    /* A is still held but no longer repeats; B waits for its own delay. */
    assert_int_equal(repeats_over(t, 499 * MS, 0x32), 0);
    /* Releasing A (not the typematic key) leaves B repeating. */
    release(t, 4, A_BREAK, 2, A_MAKE, 1);
    expect(&t->k, A_BREAK, 2);
    assert_int_equal(repeats_over(t, 2 * MS, 0x32), 1);
    release(t, 5, B_BREAK, 2, B_MAKE, 1);
    expect(&t->k, B_BREAK, 2);
    rig_advance(&t->r, 1000 * MS);
    expect_none(&t->k);
}

static void test_extended_key_repeats_its_prefix(void **state)
{
    struct t *t = *state;
    static const uint8_t right[] = { 0xE0, 0x74 }, right_break[] = { 0xE0, 0xF0, 0x74 };
    press(t, 0x4F, right, 2);
    rig_advance(&t->r, 500 * MS);
    expect(&t->k, (const uint8_t[]){ 0xE0, 0x74, 0xE0, 0x74 }, 4);
    release(t, 0x4F, right_break, 3, right, 2);
    expect(&t->k, right_break, 3);
}

static void test_key_without_repeat_and_commands_that_stop_it(void **state)
{
    struct t *t = *state;
    /* A key given no repeat (Pause) sends its make once. */
    assert_true(ps2kbd_key_event(&t->k, 0x48, true, A_MAKE, 1, NULL, 0));
    rig_advance(&t->r, 2000 * MS);
    expect(&t->k, A_MAKE, 1);
    /* F5 (disable), F6 (defaults), F4 (enable) and FF (reset) each end a repeat. */
    static const uint8_t stops[] = { 0xF5, 0xF6, 0xF4, 0xFF };
    for (unsigned i = 0; i < sizeof stops; i++) {
        if (stops[i] == 0xF6 || stops[i] == 0xFF) {
            ps2kbd_write(&t->k, 0xF4); /* scanning on again after F5 */
            drain(&t->k, (uint8_t[4]){ 0 }, 4);
        }
        press(t, 4, A_MAKE, 1);
        expect(&t->k, A_MAKE, 1);
        ps2kbd_write(&t->k, stops[i]);
        drain(&t->k, (uint8_t[4]){ 0 }, 4);
        rig_advance(&t->r, 2000 * MS);
        expect_none(&t->k);
    }
    /* Scanning off: the press is dropped and nothing repeats. */
    ps2kbd_write(&t->k, 0xF5);
    expect(&t->k, (const uint8_t[]){ 0xFA }, 1);
    assert_false(ps2kbd_key_event(&t->k, 4, true, A_MAKE, 1, A_MAKE, 1));
    rig_advance(&t->r, 2000 * MS);
    expect_none(&t->k);
}

static void test_full_queue_loses_repeats_not_the_typematic_key(void **state)
{
    struct t *t = *state;
    press(t, 4, A_MAKE, 1);
    rig_advance(&t->r, 500 * MS + 20 * 91666667ull); /* 21 repeats, room for 15 */
    uint8_t got[32];
    assert_int_equal(drain(&t->k, got, sizeof got), PS2KBD_QUEUE);
    assert_int_equal(repeats_over(t, 92 * MS, 0x1C), 1);
}

static void test_set1_repeats_set1_make(void **state)
{
    struct t *t = *state;
    ps2kbd_write(&t->k, 0xF0);
    ps2kbd_write(&t->k, 0x01);
    expect(&t->k, (const uint8_t[]){ 0xFA, 0xFA }, 2);
    press(t, 4, A_MAKE, 1);
    rig_advance(&t->r, 500 * MS);
    expect(&t->k, (const uint8_t[]){ 0x1E, 0x1E }, 2);
    release(t, 4, A_BREAK, 2, A_MAKE, 1);
    expect(&t->k, (const uint8_t[]){ 0x9E }, 1);
}

/* Through the 8042 with translation on (its power-on command byte): set 1 at port 0x60. */
static void test_translated_set1_through_the_8042(void **state)
{
    (void)state;
    struct devrig r;
    struct kbc kbc;
    rig_init(&r);
    assert_int_equal(kbc_init(&kbc, &r.io, NULL, NULL, NULL, NULL), 0);
    assert_int_equal(ps2kbd_attach_clock(&kbc.kbd, &r.sched), 0);
    assert_true(ps2kbd_key_event(&kbc.kbd, 4, true, A_MAKE, 1, A_MAKE, 1));
    assert_int_equal(inb(&r, 0x60), 0x1E);
    rig_advance(&r, 500 * MS);
    assert_int_equal(inb(&r, 0x64) & KBC_STAT_OBF, KBC_STAT_OBF);
    assert_int_equal(inb(&r, 0x60), 0x1E);
    rig_advance(&r, 92 * MS);
    assert_int_equal(inb(&r, 0x60), 0x1E);
    assert_true(ps2kbd_key_event(&kbc.kbd, 4, false, A_BREAK, 2, A_MAKE, 1));
    assert_int_equal(inb(&r, 0x60), 0x9E);
    rig_advance(&r, 1000 * MS);
    assert_int_equal(inb(&r, 0x64) & KBC_STAT_OBF, 0);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typematic_delay_and_period_of_the_f3_byte),
        cmocka_unit_test_setup_teardown(test_held_key_repeats_at_the_default_rate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_f3_sets_delay_and_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_another_key_takes_over_the_repeat, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_extended_key_repeats_its_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_without_repeat_and_commands_that_stop_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_queue_loses_repeats_not_the_typematic_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_set1_repeats_set1_make, setup, teardown),
        cmocka_unit_test(test_translated_set1_through_the_8042),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
