/* Unit tests for the record file's reader and writer (core/record.c): a record written
 * event by event reads back the same, and every kind of damage is refused with one line
 * naming it, never a crash (the fuzz harness tests/fuzz/fuzz_record.c goes further). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

/* A record in memory: header, a key, two serial chunks, a check, a snapshot, END. */
static size_t make(uint8_t *buf, size_t cap)
{
    FILE *f = fmemopen(buf, cap, "wb");
    assert_non_null(f);
    assert_true(record_write_header(f, "cpu=pentium2\nram=1048576\n"));
    struct record_event e = { .kind = RECORD_KEY, .icount = 10, .time = 40 };
    e.u.key.usage = 0x1B;
    e.u.key.down = 1;
    assert_true(record_write_event(f, &e));
    struct record_event s = { .kind = RECORD_SERIAL, .icount = 10, .time = 40, .n = 3 };
    memcpy(s.u.data, "abc", 3);
    assert_true(record_write_event(f, &s));
    s.icount = 99;
    s.n = 1;
    assert_true(record_write_event(f, &s));
    struct record_check c = { .icount = 100, .time = 400, .n = 2, .sum = { 7, 8 },
                              .ram = 9, .has_ram = 1 };
    assert_true(record_write_check(f, &c));
    assert_true(record_write_chunk(f, RECORD_SNAPSHOT, 100, 400, "STATE", 5));
    assert_true(record_write_chunk(f, RECORD_END, 120, 480, NULL, 0));
    long len = ftell(f);
    fclose(f);
    return (size_t)len;
}

static bool read_buf(const uint8_t *buf, size_t len, struct record_index *idx, char *err)
{
    FILE *f = fmemopen((void *)buf, len ? len : 1, "rb");
    assert_non_null(f);
    if (!len)
        fgetc(f); /* an empty file */
    bool ok = record_read(f, "t.rec", idx, err);
    fclose(f);
    return ok;
}

static void test_round_trip(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    size_t len = make(buf, sizeof buf);
    static struct record_index idx;
    char err[RECORD_ERRMAX];
    assert_true(read_buf(buf, len, &idx, err));
    assert_string_equal(idx.config, "cpu=pentium2\nram=1048576\n");
    assert_int_equal(idx.nev, 3);
    assert_int_equal(idx.ev[0].kind, RECORD_KEY);
    assert_int_equal(idx.ev[0].u.key.usage, 0x1B);
    assert_int_equal(idx.ev[1].n, 3);
    assert_memory_equal(idx.ev[1].u.data, "abc", 3);
    assert_int_equal(idx.ev[2].icount, 99);
    assert_int_equal(idx.nchk, 1);
    assert_int_equal(idx.chk[0].sum[1], 8);
    assert_int_equal(idx.chk[0].has_ram, 1);
    assert_int_equal(idx.nsnap, 1);
    assert_int_equal(idx.snap[0].len, 5);
    assert_memory_equal(buf + idx.snap[0].offset, "STATE", 5);
    assert_int_equal(idx.snap[0].next_event, 3);
    assert_int_equal(idx.end_icount, 120);
    record_index_free(&idx);
}

/* Each damage gives false and a message holding want. */
static void refused(const uint8_t *buf, size_t len, const char *want)
{
    static struct record_index idx;
    char err[RECORD_ERRMAX];
    assert_false(read_buf(buf, len, &idx, err));
    if (!strstr(err, want))
        fail_msg("'%s' does not say '%s'", err, want);
    assert_null(strchr(err, '\n'));
    assert_null(idx.ev);
}

static void test_damage_is_one_line(void **state)
{
    (void)state;
    static uint8_t buf[4096], bad[4096];
    size_t len = make(buf, sizeof buf);
    refused(buf, 0, "not an orrery record");
    refused((const uint8_t *)"ORRYSTAT\1\0\0\0\0\0\0\0", 16, "not an orrery record");
    memcpy(bad, buf, len);
    bad[8] = 2;
    refused(bad, len, "format version 2");
    memcpy(bad, buf, len);
    bad[14] = 0x7F;
    refused(bad, len, "configuration is");
    /* Every cut is refused, and says where. */
    for (size_t cut = 1; cut < len; cut++)
        refused(buf, cut, cut < 16 ? "not an orrery record" : "");
    refused(buf, len - 21, "without its END");
    /* The key chunk: its kind, its length, its stamp going back, its down byte. */
    size_t key = 16 + strlen("cpu=pentium2\nram=1048576\n");
    memcpy(bad, buf, len);
    bad[key] = 0x55;
    refused(bad, len, "unknown chunk kind 85");
    memcpy(bad, buf, len);
    bad[key + 1] = 20;
    refused(bad, len, "");
    memcpy(bad, buf, len);
    bad[key + 5 + 16 + 2] = 7;
    refused(bad, len, "neither pressed nor released");
    memcpy(bad, buf, len);
    bad[key + 5] = 200; /* the key's icount above the next chunk's */
    refused(bad, len, "goes back in time");
    memcpy(bad, buf, len);
    bad[len] = 0;
    refused(bad, len + 1, "bytes follow its END");
}

/* A media change and an eject read back as written; a damaged one is refused. */
static void test_media(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    FILE *f = fmemopen(buf, sizeof buf, "wb");
    assert_non_null(f);
    assert_true(record_write_header(f, "x=1\n"));
    struct record_event e = { .kind = RECORD_MEDIA, .icount = 5, .time = 20 };
    e.u.media.drive = 4;
    e.u.media.op = RECORD_MEDIA_CHANGE;
    e.u.media.force = 1;
    strcpy(e.u.media.format, "raw");
    e.u.media.size = 737280;
    e.u.media.crc = 0xDEADBEEF;
    e.u.media.path = (char *)"/tmp/b.img";
    assert_true(record_write_event(f, &e));
    struct record_event j = { .kind = RECORD_MEDIA, .icount = 6, .time = 24 };
    j.u.media.drive = 2;
    j.u.media.op = RECORD_MEDIA_EJECT;
    assert_true(record_write_event(f, &j));
    assert_true(record_write_chunk(f, RECORD_END, 7, 28, NULL, 0));
    size_t len = (size_t)ftell(f);
    fclose(f);

    static struct record_index idx;
    char err[RECORD_ERRMAX];
    assert_true(read_buf(buf, len, &idx, err));
    assert_int_equal(idx.nev, 2);
    assert_int_equal(idx.ev[0].u.media.drive, 4);
    assert_int_equal(idx.ev[0].u.media.op, RECORD_MEDIA_CHANGE);
    assert_int_equal(idx.ev[0].u.media.force, 1);
    assert_string_equal(idx.ev[0].u.media.format, "raw");
    assert_int_equal(idx.ev[0].u.media.size, 737280);
    assert_int_equal(idx.ev[0].u.media.crc, 0xDEADBEEF);
    assert_string_equal(idx.ev[0].u.media.path, "/tmp/b.img");
    assert_int_equal(idx.ev[1].u.media.op, RECORD_MEDIA_EJECT);
    assert_null(idx.ev[1].u.media.path);
    assert_string_equal(idx.ev[1].u.media.format, "");
    record_index_free(&idx);

    /* The change's body starts after the header (16 + 4) and its chunk header (21). */
    size_t body = 16 + 4 + 21;
    static uint8_t bad[4096];
    static const struct { size_t at; uint8_t v; } damage[] = {
        { 1, 2 },            /* an op that does not exist */
        { 2, 2 },            /* force neither 0 nor 1 */
        { 3, 16 },           /* a format name longer than any */
        { 4, 0 },            /* a change without a path */
        { 6, 1 },            /* reserved not 0 */
        { 20, 0 },           /* a NUL inside the format's name */
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        memcpy(bad, buf, len);
        bad[body + damage[i].at] = damage[i].v;
        refused(bad, len, "");
    }
    memcpy(bad, buf, len);
    bad[body + 1] = RECORD_MEDIA_EJECT; /* an eject with a path */
    refused(bad, len, "media change at byte");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_media),
        cmocka_unit_test(test_damage_is_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
