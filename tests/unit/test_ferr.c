/* FERR# to IRQ 13 and port 0xF0 (SDM Vol. 1 §D.2.1, the PC/AT's x87 error logic). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/ferr.h"
#include "devrig.h"

enum { IRQ13 = 13, IGNNE = 14 };

static void test_ferr_latches_irq13_until_port_f0(void **state)
{
    (void)state;
    struct devrig r;
    struct ferr f;
    rig_init(&r);
    assert_int_equal(ferr_init(&f, &r.io, &r.line[IRQ13], &r.line[IGNNE]), 0);
    ferr_set(&f, 1);
    assert_int_equal(r.level[IRQ13], 1);
    assert_int_equal(r.level[IGNNE], 0);
    outb(&r, 0xF0, 0);                 /* the handler clears the latch: IGNNE# on */
    assert_int_equal(r.level[IRQ13], 0);
    assert_int_equal(r.level[IGNNE], 1);
    ferr_set(&f, 0);                   /* FNCLEX: FERR# falls, IGNNE# with it */
    assert_int_equal(r.level[IGNNE], 0);
    assert_int_equal(r.rises[IRQ13], 1);
    rig_free(&r);
}

static void test_ferr_falling_keeps_latch_until_f0(void **state)
{
    (void)state;
    struct devrig r;
    struct ferr f;
    rig_init(&r);
    ferr_init(&f, &r.io, &r.line[IRQ13], &r.line[IGNNE]);
    ferr_set(&f, 1);
    ferr_set(&f, 0);
    assert_int_equal(r.level[IRQ13], 1);
    outb(&r, 0xF0, 0);
    assert_int_equal(r.level[IRQ13], 0);
    assert_int_equal(r.level[IGNNE], 0); /* FERR# is gone: no IGNNE# */
    ferr_set(&f, 1);
    assert_int_equal(r.rises[IRQ13], 2);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ferr_latches_irq13_until_port_f0),
        cmocka_unit_test(test_ferr_falling_keeps_latch_until_f0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
