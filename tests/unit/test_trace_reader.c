/* The binary trace reader (frontends/trace/reader.c) on a trace built by hand from
 * tools/TRACE-FORMAT.md, then on damaged copies: cut at every length, every byte changed,
 * another magic and version, MEM records that cannot be. A damaged file ends the reading with one line naming the
 * problem; nothing crashes or loops (run under the sanitizers by make check-asan). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/trace_format.h"
#include "frontends/trace/reader.h"

static uint8_t good[256];
static size_t good_len;

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Header (MEM records may come); CODE 90 (nop) at 0x1000 and CODE eb fe (jmp $) at
 * 0x1001; RUN of 2 at 0x1000 in real mode; MEM: a word written by its second instruction;
 * HIT of that run; MEM: a read by the delivery that follows; INTR vector 8 external; END. */
static void build(void)
{
    uint8_t *p = good;
    memset(good, 0, sizeof good);
    memcpy(p, TRACE_MAGIC, 8);
    put32(p + 8, TRACE_VERSION);
    put32(p + 12, TRACE_HEADER_SIZE);
    put32(p + 16, TRACE_HDR_INTR | TRACE_HDR_MEM);
    p += TRACE_HEADER_SIZE;
    p[0] = TRACE_REC_CODE, p[1] = 1, put32(p + 4, 0x1000), p[8] = 0x90;
    p += TRACE_CODE_SIZE;
    p[0] = TRACE_REC_CODE, p[1] = 2, put32(p + 4, 0x1001), p[8] = 0xEB, p[9] = 0xFE;
    p += TRACE_CODE_SIZE;
    uint8_t *run = p;
    run[0] = TRACE_REC_RUN, run[2] = 2, put32(run + 8, 0x1000), put32(run + 12, 0x1000),
    put32(run + 16, 0x1000);
    p += TRACE_RUN_SIZE;
    p[0] = TRACE_REC_MEM, p[1] = TRACE_MEM_WRITE, p[2] = 2, put32(p + 4, 0x2000),
    put32(p + 8, 0x2000), put32(p + 12, 0xBEEF);
    p += TRACE_MEM_SIZE;
    p[0] = TRACE_REC_HIT;
    uint32_t slot = trace_run_slot(run);
    p[2] = (uint8_t)slot, p[3] = (uint8_t)(slot >> 8);
    p += TRACE_HIT_SIZE;
    p[0] = TRACE_REC_MEM, p[1] = TRACE_MEM_DELIVERY, p[2] = 4, put32(p + 4, 0x20),
    put32(p + 8, 0x20), put32(p + 12, 0xF000FEA5);
    p += TRACE_MEM_SIZE;
    p[0] = TRACE_REC_INTR, p[1] = 1, p[2] = 8, put32(p + 12, 0xFEA5), put32(p + 24, 4);
    p += TRACE_INTR_SIZE;
    p[0] = TRACE_REC_END, put32(p + 8, 4);
    p += TRACE_END_SIZE;
    good_len = (size_t)(p - good);
}

static char path[64];

static void write_file(const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Reads the whole file: 0 complete, -1 damaged (with a one-line message), -2 open failed
 * (with one too); *n the events. */
static int read_all(unsigned *n)
{
    char err[TRACE_ERRMAX] = "";
    struct trace_reader *r = trace_open(path, err);
    *n = 0;
    if (!r) {
        assert_true(err[0] && !strchr(err, '\n'));
        return -2;
    }
    struct trace_event ev;
    int rc;
    while ((rc = trace_next(r, &ev, err)) == 1)
        assert_true(++*n < 1000);
    trace_close(r);
    if (rc < 0)
        assert_true(err[0] && !strchr(err, '\n'));
    return rc;
}

static void test_good_trace_reads_back(void **state)
{
    (void)state;
    write_file(good, good_len);
    char err[TRACE_ERRMAX];
    struct trace_reader *r = trace_open(path, err);
    assert_non_null(r);
    struct trace_event ev;
    static const uint32_t lins[] = { 0x1000, 0x1001, 0x1000, 0x1001 };
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(trace_next(r, &ev, err), 1);
        assert_int_equal(ev.kind, TRACE_EV_INSN);
        assert_int_equal(ev.insn.lin, lins[i]);
        assert_int_equal(ev.insn.len, i & 1 ? 2 : 1);
        assert_int_equal(ev.insn.run_start, !(i & 1));
        if (!(i & 1))
            continue;
        /* After each run, its MEM record: the write of instruction 1, the read of the
         * delivery after instruction 3. */
        assert_int_equal(trace_next(r, &ev, err), 1);
        assert_int_equal(ev.kind, TRACE_EV_MEM);
        assert_int_equal(ev.mem.insn, i);
        assert_int_equal(ev.mem.flags, i == 1 ? TRACE_MEM_WRITE : TRACE_MEM_DELIVERY);
        assert_int_equal(ev.mem.size, i == 1 ? 2 : 4);
        assert_int_equal(ev.mem.lin, i == 1 ? 0x2000 : 0x20);
        assert_int_equal(ev.mem.phys, i == 1 ? 0x2000 : 0x20);
        assert_int_equal(ev.mem.value, i == 1 ? 0xBEEF : 0xF000FEA5);
    }
    assert_int_equal(trace_next(r, &ev, err), 1);
    assert_int_equal(ev.kind, TRACE_EV_INTR);
    assert_int_equal(ev.intr.vector, 8);
    assert_int_equal(ev.intr.eip_to, 0xFEA5);
    assert_int_equal(trace_next(r, &ev, err), 0);
    assert_int_equal(trace_end_icount(r), 4);
    trace_close(r);
}

static void test_every_truncation_is_one_line(void **state)
{
    (void)state;
    for (size_t len = 0; len < good_len; len++) {
        unsigned n;
        write_file(good, len);
        assert_true(read_all(&n) < 0);
    }
}

static void test_every_changed_byte_is_safe(void **state)
{
    (void)state;
    static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x03, 0x05, 0x0F, 0x10, 0x7F, 0xFF };
    uint8_t bad[sizeof good];
    for (size_t i = 0; i < good_len; i++) {
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(bad, good, good_len);
            bad[i] = values[v];
            unsigned n;
            write_file(bad, good_len);
            read_all(&n); /* any outcome, but one line and no crash */
        }
    }
}

static void test_foreign_and_newer_files_are_refused(void **state)
{
    (void)state;
    uint8_t bad[sizeof good];
    unsigned n;
    memcpy(bad, good, good_len);
    bad[0] = 'X';
    write_file(bad, good_len);
    assert_int_equal(read_all(&n), -2);
    memcpy(bad, good, good_len);
    put32(bad + 8, TRACE_VERSION + 1);
    write_file(bad, good_len);
    assert_int_equal(read_all(&n), -2);
    memcpy(bad, good, good_len);
    bad[good_len - TRACE_END_SIZE] = 0x77; /* an unknown record where END was */
    write_file(bad, good_len);
    assert_int_equal(read_all(&n), -1);
}

/* MEM records that cannot be: in a trace whose header says none, of size 3, with an
 * unknown flag, before any instruction. Each is one line. */
static void test_damaged_mem_records_are_refused(void **state)
{
    (void)state;
    uint8_t bad[sizeof good];
    unsigned n;
    const size_t mem = TRACE_HEADER_SIZE + 2 * TRACE_CODE_SIZE + TRACE_RUN_SIZE;
    assert_int_equal(good[mem], TRACE_REC_MEM);
    memcpy(bad, good, good_len);
    put32(bad + 16, TRACE_HDR_INTR);
    write_file(bad, good_len);
    assert_int_equal(read_all(&n), -1);
    assert_int_equal(n, 2);
    memcpy(bad, good, good_len);
    bad[mem + 2] = 3;
    write_file(bad, good_len);
    assert_int_equal(read_all(&n), -1);
    memcpy(bad, good, good_len);
    bad[mem + 1] = 0x08;
    write_file(bad, good_len);
    assert_int_equal(read_all(&n), -1);
    /* The MEM record moved before the RUN: no instruction made it. */
    memcpy(bad, good, good_len);
    memcpy(bad + TRACE_HEADER_SIZE + 2 * TRACE_CODE_SIZE, good + mem, TRACE_MEM_SIZE);
    memcpy(bad + TRACE_HEADER_SIZE + 2 * TRACE_CODE_SIZE + TRACE_MEM_SIZE,
           good + TRACE_HEADER_SIZE + 2 * TRACE_CODE_SIZE, TRACE_RUN_SIZE);
    write_file(bad, good_len);
    assert_int_equal(read_all(&n), -1);
    assert_int_equal(n, 0);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/orrery-trace-test-%ld.trc", (long)getpid());
    build();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_trace_reads_back),
        cmocka_unit_test(test_every_truncation_is_one_line),
        cmocka_unit_test(test_every_changed_byte_is_safe),
        cmocka_unit_test(test_foreign_and_newer_files_are_refused),
        cmocka_unit_test(test_damaged_mem_records_are_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    return rc;
}
