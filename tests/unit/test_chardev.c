/* Unit tests for the console byte stream (core/chardev.c) and COM1's attachment to it in
 * the machine: a test double stands where the terminal would, and a tiny BIOS prints and
 * echoes through COM1's data and line-status registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/chardev.h"
#include "core/machine/machine.h"
#include "machine_rig.h"

/* The test double: what the guest sent, and how often the device was told of input. */
struct double_end {
    char out[256];
    size_t len;
    int notified;
};

static void double_sink(void *opaque, const uint8_t *buf, size_t n)
{
    struct double_end *d = opaque;
    assert_true(d->len + n < sizeof d->out);
    memcpy(d->out + d->len, buf, n);
    d->len += n;
    d->out[d->len] = '\0';
}

static void double_notify(void *opaque)
{
    ((struct double_end *)opaque)->notified++;
}

static void test_queue_is_fifo_and_bounded(void **state)
{
    (void)state;
    struct double_end d = { .len = 0 };
    struct chardev *c = malloc(sizeof *c);
    assert_non_null(c);
    chardev_init(c, double_sink, &d);
    c->notify = double_notify;
    c->notify_opaque = &d;
    assert_int_equal(chardev_getc(c), -1);
    assert_int_equal(chardev_queue(c, (const uint8_t *)"abc", 3), 3);
    assert_int_equal(d.notified, 1);
    assert_int_equal(chardev_pending(c), 3);
    assert_int_equal(chardev_getc(c), 'a');
    assert_int_equal(chardev_getc(c), 'b');

    /* Fill it past the end: the ring wraps, and what does not fit is refused. */
    uint8_t big[CHARDEV_QUEUE + 10];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)i;
    assert_int_equal(chardev_queue(c, big, sizeof big), CHARDEV_QUEUE - 1);
    assert_int_equal(chardev_room(c), 0);
    assert_int_equal(chardev_queue(c, big, 1), 0);
    assert_int_equal(d.notified, 2); /* nothing taken, nobody told */
    assert_int_equal(chardev_getc(c), 'c');
    for (size_t i = 0; i < CHARDEV_QUEUE - 1; i++)
        assert_int_equal(chardev_getc(c), (uint8_t)i);
    assert_int_equal(chardev_getc(c), -1);

    chardev_send(c, (const uint8_t *)"xy", 2);
    assert_string_equal(d.out, "xy");
    chardev_init(c, NULL, NULL); /* no sink: output is discarded */
    chardev_send(c, (const uint8_t *)"z", 1);
    free(c);
}

/* Real mode at F000:0000: "ok" out of COM1, then echo until a newline, then cli; hlt. */
static const uint8_t echo_prog[] = {
    0xBA, 0xF8, 0x03, 0xB0, 'o', 0xEE, 0xB0, 'k', 0xEE, /* mov dx, 0x3F8; out "ok" */
    0xBA, 0xFD, 0x03, 0xEC, 0xA8, 0x01, 0x74, 0xF8,     /* wait: LSR.DR */
    0xBA, 0xF8, 0x03, 0xEC, 0xEE,                       /* in al, dx; out dx, al */
    0x3C, 0x0A, 0x75, 0xEF,                             /* cmp al, 10; jne wait */
    0xFA, 0xF4,
};

static void test_com1_carries_the_stream(void **state)
{
    (void)state;
    char path[] = "/tmp/orrery-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_bios(path, 64u << 10, echo_prog, sizeof echo_prog);

    struct double_end d = { .len = 0 };
    struct chardev *c = malloc(sizeof *c);
    assert_non_null(c);
    chardev_init(c, double_sink, &d);
    struct machine_config cfg = { .bios_path = path, .ram_size = 4u << 20, .serial = c };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    /* No input yet: the guest polls the line status and never blocks the machine. */
    assert_int_equal(machine_run(m, 2000), MACHINE_STOP_BUDGET);
    assert_string_equal(d.out, "ok");
    chardev_queue(c, (const uint8_t *)"hi", 2);
    assert_int_equal(machine_run(m, 2000), MACHINE_STOP_BUDGET);
    assert_string_equal(d.out, "okhi");
    chardev_queue(c, (const uint8_t *)"\n", 1);
    assert_int_equal(machine_run(m, 2000), MACHINE_STOP_HALT);
    assert_string_equal(d.out, "okhi\n");
    assert_int_equal(chardev_pending(c), 0);
    machine_destroy(m);

    /* Without a chardev COM1 is absent: its ports float high. */
    cfg.serial = NULL;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_run(m, 2000), MACHINE_STOP_BUDGET);
    machine_destroy(m);
    free(c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_is_fifo_and_bounded),
        cmocka_unit_test(test_com1_carries_the_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
