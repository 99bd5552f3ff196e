/* -display's spelling (frontends/sdl/options.c): what is accepted and what each means. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "frontends/sdl/display.h"

static void test_none_and_sdl(void **state)
{
    (void)state;
    struct display_options o;
    char err[256];
    assert_true(display_parse("none", &o, err, sizeof err));
    assert_int_equal(o.kind, DISPLAY_NONE);
    assert_true(display_parse("sdl", &o, err, sizeof err));
    assert_int_equal(o.kind, DISPLAY_SDL);
    assert_false(o.software);
}

static void test_sdl_options(void **state)
{
    (void)state;
    struct display_options o;
    char err[256];
    assert_true(display_parse("sdl,gl=off", &o, err, sizeof err));
    assert_int_equal(o.kind, DISPLAY_SDL);
    assert_true(o.software);
    assert_true(display_parse("sdl,gl=off,gl=on", &o, err, sizeof err));
    assert_false(o.software);
    assert_true(display_parse("sdl,window-close=on,gl=off", &o, err, sizeof err));
    assert_true(o.software);
}

static void test_refused_with_one_line(void **state)
{
    (void)state;
    static const char *const bad[] = { "gtk", "sdlx", "", "sdl,", "sdl,gl=es",
                                       "sdl,gl=off,", "none,gl=off", "SDL" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct display_options o;
        char err[256] = "";
        assert_false(display_parse(bad[i], &o, err, sizeof err));
        assert_non_null(strstr(err, "-display"));
        assert_null(strchr(err, '\n'));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none_and_sdl),
        cmocka_unit_test(test_sdl_options),
        cmocka_unit_test(test_refused_with_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
