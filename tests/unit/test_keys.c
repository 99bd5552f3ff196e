/* machine_key's typematic through the whole machine (core/machine/keys.c, the PS/2
 * keyboard, the 8042's translation), on the deterministic clock: a guest that echoes every
 * byte of port 0x60 to the debug console sees a held Print Screen repeat E0 37 (set 2's
 * E0 7C, translated) after 500 ms and every 91.7 ms, and Pause never repeat. */
#include "machine_rig.h"

/* cli; wait: in al, 64h; test al, 1; jz wait; in al, 60h; out 0E9h, al; jmp wait */
static const uint8_t echo[] = {
    0xFA, 0xE4, 0x64, 0xA8, 0x01, 0x74, 0xFA, 0xE4, 0x60, 0xE6, 0xE9, 0xEB, 0xF4,
};

static void test_held_print_screen_repeats_and_pause_does_not(void **state)
{
    (void)state;
    struct tmp bios, con;
    tmp_make(&bios);
    tmp_make(&con);
    write_bios(bios.path, 64u << 10, echo, sizeof echo);
    /* -icount shift=10: 1024 ns an instruction. */
    struct machine *m = make_clocked(&bios, &con, true, 10);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_BUDGET);
    assert_true(machine_key(m, MACHINE_KEY_PRINT_SCREEN, true));
    /* 614 ms held: the make, then repeats at 500 and 591.7 ms. */
    assert_int_equal(machine_run(m, 600000), MACHINE_STOP_BUDGET);
    assert_true(machine_key(m, MACHINE_KEY_PRINT_SCREEN, false));
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_BUDGET);
    assert_true(machine_key(m, MACHINE_KEY_PAUSE, true));
    assert_int_equal(machine_run(m, 2000000), MACHINE_STOP_BUDGET); /* 2 s */
    assert_true(machine_key(m, MACHINE_KEY_PAUSE, false));
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_BUDGET);
    machine_destroy(m);
    char out[64];
    static const uint8_t want[] = {
        0xE0, 0x2A, 0xE0, 0x37, /* Print Screen's make */
        0xE0, 0x37, 0xE0, 0x37, /* its repeats */
        0xE0, 0xB7, 0xE0, 0xAA, /* its break */
        0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, /* Pause, once */
    };
    assert_int_equal(read_all(con.path, out, sizeof out), sizeof want);
    assert_memory_equal(out, want, sizeof want);
    tmp_drop(&bios);
    tmp_drop(&con);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_print_screen_repeats_and_pause_does_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
