/* The GDB remote serial protocol's framing (frontends/gdb/rsp.c): checksums, acks,
 * interrupts, escapes and run lengths in, escapes out, hex numbers and data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/gdb/rsp.h"

/* Feeds s; returns the last event other than RSP_NONE (RSP_NONE if there was none). */
static enum rsp_event feed(struct rsp_parser *p, const char *s, size_t n)
{
    enum rsp_event last = RSP_NONE;
    for (size_t i = 0; i < n; i++) {
        enum rsp_event e = rsp_feed(p, (uint8_t)s[i]);
        if (e != RSP_NONE)
            last = e;
    }
    return last;
}
#define FEED(p, lit) feed((p), (lit), sizeof(lit) - 1)

static void test_packet_with_good_checksum(void **state)
{
    (void)state;
    struct rsp_parser *p = malloc(sizeof *p);
    rsp_parser_init(p);
    assert_int_equal(FEED(p, "$g#67"), RSP_PACKET);
    assert_string_equal(p->buf, "g");
    assert_int_equal(p->len, 1);
    assert_int_equal(FEED(p, "$qSupported:swbreak+;hwbreak+#5"), RSP_NONE); /* not yet */
    free(p);
}

static void test_bad_checksum_and_acks(void **state)
{
    (void)state;
    struct rsp_parser *p = malloc(sizeof *p);
    rsp_parser_init(p);
    assert_int_equal(FEED(p, "$g#68"), RSP_BAD);
    assert_int_equal(FEED(p, "$g#zz"), RSP_BAD);
    assert_int_equal(FEED(p, "+"), RSP_ACK);
    assert_int_equal(FEED(p, "-"), RSP_NACK);
    assert_int_equal(FEED(p, "\x03"), RSP_INTERRUPT);
    /* 0x03 inside a packet is data, not an interrupt */
    assert_int_equal(FEED(p, "$\x03#03"), RSP_PACKET);
    assert_int_equal(p->buf[0], 3);
    /* a fresh $ restarts a packet cut short */
    assert_int_equal(FEED(p, "$m0,4$?#3f"), RSP_PACKET);
    assert_string_equal(p->buf, "?");
    free(p);
}

static void test_escapes_and_run_lengths_decoded(void **state)
{
    (void)state;
    struct rsp_parser *p = malloc(sizeof *p);
    rsp_parser_init(p);
    /* X packet data with an escaped '#' (0x23 -> } 0x03) and '}' (0x7d -> } 0x5d) */
    const char raw[] = "X0,2:}\x03}\x5d";
    char framed[64];
    uint8_t sum = 0;
    for (size_t i = 0; i < sizeof raw - 1; i++)
        sum = (uint8_t)(sum + (uint8_t)raw[i]);
    int n = snprintf(framed, sizeof framed, "$%s#%02x", raw, sum);
    assert_int_equal(feed(p, framed, (size_t)n), RSP_PACKET);
    assert_int_equal(p->len, 7);
    assert_memory_equal(p->buf, "X0,2:#}", 7);
    /* "0* " is '0' repeated 3 more times (' ' is 32 = 3 + 29) */
    assert_int_equal(FEED(p, "$0* #7a"), RSP_PACKET);
    assert_string_equal(p->buf, "0000");
    free(p);
}

static void test_too_long_is_bad(void **state)
{
    (void)state;
    struct rsp_parser *p = malloc(sizeof *p);
    rsp_parser_init(p);
    enum rsp_event e = rsp_feed(p, '$');
    for (size_t i = 0; i < RSP_PACKET_MAX + 10; i++)
        e = rsp_feed(p, 'a');
    assert_int_equal(e, RSP_NONE);
    assert_int_equal(FEED(p, "#00"), RSP_BAD);
    free(p);
}

static void test_frame_escapes_and_sums(void **state)
{
    (void)state;
    char out[64];
    size_t n = rsp_frame((const uint8_t *)"OK", 2, out, sizeof out);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "$OK#9a", 6);
    /* # $ } * are escaped; the checksum covers the escaped bytes */
    n = rsp_frame((const uint8_t *)"a*#", 3, out, sizeof out);
    assert_int_equal(n, 1 + 5 + 3);
    assert_memory_equal(out, "$a}\x0a}\x03#", 7);
    unsigned sum = 'a' + '}' + 0x0a + '}' + 0x03;
    char want[3];
    snprintf(want, sizeof want, "%02x", sum & 0xFF);
    assert_memory_equal(out + 7, want, 2);
    /* framed output parses back to the original */
    struct rsp_parser *p = malloc(sizeof *p);
    rsp_parser_init(p);
    assert_int_equal(feed(p, out, n), RSP_PACKET);
    assert_memory_equal(p->buf, "a*#", 3);
    free(p);
    assert_int_equal(rsp_frame((const uint8_t *)"abcdef", 6, out, 8), 0); /* too small */
}

static void test_hex(void **state)
{
    (void)state;
    char hex[16];
    const uint8_t b[] = { 0x00, 0xAB, 0x7F };
    rsp_to_hex(b, 3, hex);
    assert_string_equal(hex, "00ab7f");
    uint8_t back[3];
    assert_true(rsp_from_hex("00AB7f", back, 3));
    assert_memory_equal(back, b, 3);
    assert_false(rsp_from_hex("0g", back, 1));
    const char *s = "fffff0,4:";
    uint64_t v;
    assert_true(rsp_number(&s, &v));
    assert_int_equal(v, 0xFFFFF0);
    assert_int_equal(*s, ',');
    s = ",4";
    assert_false(rsp_number(&s, &v));
    s = "12345678123456781";
    assert_false(rsp_number(&s, &v)); /* more than 64 bits */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet_with_good_checksum),
        cmocka_unit_test(test_bad_checksum_and_acks),
        cmocka_unit_test(test_escapes_and_run_lengths_decoded),
        cmocka_unit_test(test_too_long_is_bad),
        cmocka_unit_test(test_frame_escapes_and_sums),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
