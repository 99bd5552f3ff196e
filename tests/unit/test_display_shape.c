/* The shape the SDL window shows a guest picture in (frontends/sdl/shape.c): each standard
 * VGA mode as a VGA monitor shows it (tests/sdl/vga-modes.sh compares the windows
 * themselves), and pictures that need no enlarging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "frontends/sdl/display.h"

static void check(unsigned w, unsigned h, unsigned want_sx, unsigned want_sy)
{
    unsigned sx = 0, sy = 0;
    display_shape(w, h, &sx, &sy);
    if (sx != want_sx || sy != want_sy)
        fail_msg("%ux%u: shown %ux%u times, want %ux%u", w, h, sx, sy, want_sx, want_sy);
}

static void test_vga_modes(void **state)
{
    (void)state;
    check(360, 400, 2, 1); /* 00h, 01h: 40-column text, 9-dot cells */
    check(720, 400, 1, 1); /* 02h, 03h, 07h */
    check(320, 200, 2, 2); /* 04h, 05h, 0Dh, 13h */
    check(640, 200, 1, 2); /* 06h, 0Eh */
    check(640, 350, 1, 1); /* 0Fh, 10h */
    check(640, 480, 1, 1); /* 11h, 12h */
    check(320, 240, 2, 2); /* mode X */
    check(320, 400, 2, 1); /* 40-column text with 8-dot cells */
    check(640, 400, 1, 1); /* 80-column text with 8-dot cells */
}

static void test_larger_and_odd(void **state)
{
    (void)state;
    check(800, 600, 1, 1);
    check(1024, 768, 1, 1);
    check(640, 349, 1, 2); /* just under the least a monitor shows */
    check(639, 350, 2, 1);
    check(160, 100, 4, 4);
    check(0, 0, 1, 1);     /* nothing shown yet */
    check(1, 1, 640, 350);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vga_modes),
        cmocka_unit_test(test_larger_and_odd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
