/* Unit tests for saving and loading a machine (core/machine/machine_state.c, core/statefile.c):
 * a machine restored from a state in the middle of a run goes on exactly as the one that
 * never stopped, and every way a state can be wrong ends in one line. */
#include "machine_rig.h"

#include <zlib.h>

#include "core/savestate.h"
#include "core/statefile.h"

/* The timer program on the deterministic clock: a run that is saved after `at`
 * instructions and restored into a fresh machine ends at the same instruction, at the same
 * virtual time, with the same registers and output, as one that ran straight through. */
static void check_save_restore_at(uint64_t at)
{
    struct tmp bios, con_a, con_b, con_c, st;
    tmp_make(&bios);
    tmp_make(&con_a);
    tmp_make(&con_b);
    tmp_make(&con_c);
    tmp_make(&st);
    write_bios(bios.path, 64u << 10, prog_timer, sizeof prog_timer);
    char err[MACHINE_ERRMAX];

    struct machine *a = make_clocked(&bios, &con_a, true, 2);
    assert_int_equal(run_to_stop(a), MACHINE_STOP_HALT);

    struct machine *b = make_clocked(&bios, &con_b, true, 2);
    while (machine_instructions(b) < at)
        machine_run(b, at - machine_instructions(b));
    assert_int_equal(machine_instructions(b), at);
    if (machine_save_state(b, st.path, err) != MACHINE_OK)
        fail_msg("save: %s", err);
    uint64_t b_time = machine_time_ns(b);
    machine_destroy(b);

    struct machine *c = make_clocked(&bios, &con_c, true, 2);
    if (machine_load_state(c, st.path, err) != MACHINE_OK)
        fail_msg("load: %s", err);
    assert_int_equal(machine_instructions(c), at);
    assert_int_equal(machine_time_ns(c), b_time);
    assert_int_equal(run_to_stop(c), MACHINE_STOP_HALT);

    assert_int_equal(machine_instructions(c), machine_instructions(a));
    assert_int_equal(machine_time_ns(c), machine_time_ns(a));
    struct machine_regs ra, rc;
    machine_get_regs(a, &ra);
    machine_get_regs(c, &rc);
    assert_memory_equal(&ra, &rc, sizeof ra);
    uint8_t ma[0x600], mc[0x600];
    machine_read_phys(a, 0, ma, sizeof ma);
    machine_read_phys(c, 0, mc, sizeof mc);
    assert_memory_equal(ma, mc, sizeof ma); /* the IVT, the tick counter, the stack */
    machine_destroy(a);
    machine_destroy(c);

    char out_a[8], out_b[8], out_c[8];
    read_all(con_a.path, out_a, sizeof out_a);
    read_all(con_b.path, out_b, sizeof out_b);
    read_all(con_c.path, out_c, sizeof out_c);
    assert_string_equal(out_a, "T");
    char joined[16];
    snprintf(joined, sizeof joined, "%s%s", out_b, out_c);
    assert_string_equal(joined, out_a);
    tmp_drop(&bios);
    tmp_drop(&con_a);
    tmp_drop(&con_b);
    tmp_drop(&con_c);
    tmp_drop(&st);
}

/* Saved while programming the PIC, while waiting in HLT for the timer (the PIT's
 * deadline and the CPU's halt are in the state), in the interrupt handler, at the end. */
static void test_restore_goes_on_identically(void **state)
{
    (void)state;
    static const uint64_t points[] = { 1, 12, 20, 26, 27, 30, 35, 44, 60 };
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
        check_save_restore_at(points[i]);
}

/* A machine made with other options refuses the state before changing anything. */
static void test_other_configuration_is_refused(void **state)
{
    (void)state;
    struct tmp bios, con, st;
    tmp_make(&bios);
    tmp_make(&con);
    tmp_make(&st);
    write_bios(bios.path, 64u << 10, prog_timer, sizeof prog_timer);
    char err[MACHINE_ERRMAX];
    struct machine *a = make_clocked(&bios, &con, true, 2);
    machine_run(a, 10);
    assert_int_equal(machine_save_state(a, st.path, err), MACHINE_OK);
    machine_destroy(a);

    struct machine_config cfg = { .ram_size = 32u << 20, .bios_path = bios.path };
    struct machine *m;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_load_state(m, st.path, err), MACHINE_ERR_STATE);
    assert_non_null(strstr(err, "-m 16M; this one has -cpu pentium2 -m 32M"));
    assert_int_equal(machine_instructions(m), 0);
    machine_destroy(m);

    cfg.ram_size = 16u << 20;
    cfg.cpu_model = "486";
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_load_state(m, st.path, err), MACHINE_ERR_STATE);
    assert_non_null(strstr(err, "-cpu pentium2 -m 16M; this one has -cpu 486"));
    machine_destroy(m);
    tmp_drop(&bios);
    tmp_drop(&con);
    tmp_drop(&st);
}

static void write_gz(const char *path, const void *data, size_t len)
{
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

/* Not a state, another format, cut short, missing: one line each, and nothing loaded. */
static void test_bad_files_are_one_line(void **state)
{
    (void)state;
    struct tmp bios, con, st, cut;
    tmp_make(&bios);
    tmp_make(&con);
    tmp_make(&st);
    tmp_make(&cut);
    write_bios(bios.path, 64u << 10, prog_timer, sizeof prog_timer);
    char err[MACHINE_ERRMAX];
    struct machine *m = make_clocked(&bios, &con, true, 2);

    write_raw(st.path, 100);
    assert_int_equal(machine_load_state(m, st.path, err), MACHINE_ERR_STATE);
    assert_non_null(strstr(err, "is not an orrery saved state"));

    static const uint8_t old[12] = { 'O', 'R', 'R', 'Y', 'S', 'T', 'A', 'T', 0, 0, 0, 0 };
    write_gz(st.path, old, sizeof old);
    assert_int_equal(machine_load_state(m, st.path, err), MACHINE_ERR_STATE);
    assert_non_null(strstr(err, "has format 0; this orrery reads format 1"));

    /* A good state, cut in half. */
    machine_run(m, 10);
    assert_int_equal(machine_save_state(m, st.path, err), MACHINE_OK);
    FILE *f = fopen(st.path, "rb");
    assert_non_null(f);
    size_t cap = 4u << 20;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    assert_true(n > 100 && n < cap);
    f = fopen(cut.path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n / 2, f), n / 2);
    fclose(f);
    free(buf);
    assert_int_equal(machine_load_state(m, cut.path, err), MACHINE_ERR_STATE);
    assert_non_null(strstr(err, cut.path));
    assert_null(strchr(err, '\n'));

    tmp_drop(&st);
    assert_int_equal(machine_load_state(m, st.path, err), MACHINE_ERR_STATE);
    assert_non_null(strstr(err, "cannot open saved state"));
    machine_destroy(m);
    tmp_drop(&bios);
    tmp_drop(&con);
    tmp_drop(&cut);
}

/* A save that cannot be written leaves nothing behind and says why. */
static void test_unwritable_path_is_one_line(void **state)
{
    (void)state;
    struct tmp bios, con;
    tmp_make(&bios);
    tmp_make(&con);
    write_bios(bios.path, 64u << 10, prog_timer, sizeof prog_timer);
    char err[MACHINE_ERRMAX];
    struct machine *m = make_clocked(&bios, &con, true, 2);
    assert_int_equal(machine_save_state(m, "/nonexistent-dir/x.state", err), MACHINE_ERR_STATE);
    assert_non_null(strstr(err, "/nonexistent-dir/x.state"));
    machine_destroy(m);
    tmp_drop(&bios);
    tmp_drop(&con);
}

/* core/statefile: sections round-trip; a section of another version or name is refused by
 * name, as is data after the last section. */
struct thing {
    uint32_t a;
    uint16_t b;
};
static const struct savestate_field thing_fields[] = {
    SS_FIELD(struct thing, a),
    SS_FIELD(struct thing, b),
};
static SAVESTATE_DESC(thing_v1, "thing", 1, thing_fields);
static SAVESTATE_DESC(thing_v2, "thing", 2, thing_fields);
static SAVESTATE_DESC(other_v1, "other", 1, thing_fields);

static void put_things(const char *path, const struct savestate_desc *d, int count)
{
    char err[STATEFILE_ERRMAX];
    struct statefile *f = statefile_create(path, err, sizeof err);
    assert_non_null(f);
    struct thing t = { 0xDEADBEEF, 0x1234 };
    for (int i = 0; i < count; i++)
        assert_true(statefile_put(f, d, &t));
    assert_true(statefile_close(f, err, sizeof err));
}

static bool get_thing(const char *path, const struct savestate_desc *d, struct thing *t,
                      char *err, size_t errlen)
{
    struct statefile *f = statefile_open(path, err, errlen);
    assert_non_null(f);
    statefile_get(f, d, t);
    return statefile_close(f, err, errlen);
}

static void test_statefile_sections(void **state)
{
    (void)state;
    struct tmp st;
    tmp_make(&st);
    char err[STATEFILE_ERRMAX];
    struct thing t = { 0, 0 };

    put_things(st.path, &thing_v1, 1);
    assert_true(get_thing(st.path, &thing_v1, &t, err, sizeof err));
    assert_int_equal(t.a, 0xDEADBEEF);
    assert_int_equal(t.b, 0x1234);

    put_things(st.path, &thing_v2, 1);
    memset(&t, 0, sizeof t);
    assert_false(get_thing(st.path, &thing_v1, &t, err, sizeof err));
    assert_non_null(strstr(err, "'thing' version 2; this orrery reads version 1"));
    assert_int_equal(t.a, 0); /* untouched */

    put_things(st.path, &other_v1, 1);
    assert_false(get_thing(st.path, &thing_v1, &t, err, sizeof err));
    assert_non_null(strstr(err, "section 'other' where 'thing' was expected"));

    put_things(st.path, &thing_v1, 2);
    assert_false(get_thing(st.path, &thing_v1, &t, err, sizeof err));
    assert_non_null(strstr(err, "data after its last section"));
    tmp_drop(&st);
}

static void save_at(const struct tmp *bios, const struct tmp *con, const char *path,
                    uint64_t at)
{
    char err[MACHINE_ERRMAX];
    struct machine *m = make_clocked(bios, con, true, 2);
    while (machine_instructions(m) < at)
        machine_run(m, at - machine_instructions(m));
    if (machine_save_state(m, path, err) != MACHINE_OK)
        fail_msg("save: %s", err);
    machine_destroy(m);
}

static size_t read_stream(FILE *f, char *buf, size_t cap)
{
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    return n;
}

/* orrery-state's engine: show names every field; diff lists what differs, by name. */
static void test_show_and_diff_name_fields(void **state)
{
    (void)state;
    struct tmp bios, con, s1, s2, s3;
    tmp_make(&bios);
    tmp_make(&con);
    tmp_make(&s1);
    tmp_make(&s2);
    tmp_make(&s3);
    write_bios(bios.path, 64u << 10, prog_timer, sizeof prog_timer);
    save_at(&bios, &con, s1.path, 20);
    save_at(&bios, &con, s2.path, 20);
    save_at(&bios, &con, s3.path, 21);
    char err[MACHINE_ERRMAX];
    static char text[1 << 20]; /* the ATA channels alone print 16 Ki buffer bytes */
    FILE *out = tmpfile();
    assert_non_null(out);
    assert_int_equal(machine_state_show(s1.path, out, err), 0);
    read_stream(out, text, sizeof text);
    assert_non_null(strstr(text, "machine.ram_size = 0x0000000001000000\n"));
    assert_non_null(strstr(text, "cpu.icount = 0x0000000000000014\n"));
    assert_non_null(strstr(text, "pit8254.ch[0].mode = 0x"));
    assert_non_null(strstr(text, "uart16550#2.ier = 0x"));
    assert_non_null(strstr(text, "ram 0x00000000-0x0009ffff: "));
    fclose(out);

    out = tmpfile();
    assert_int_equal(machine_state_diff(s1.path, s2.path, out, err), 0);
    fclose(out);
    out = tmpfile();
    assert_true(machine_state_diff(s1.path, s3.path, out, err) > 0);
    read_stream(out, text, sizeof text);
    assert_non_null(strstr(text, "cpu.eip: 0x"));
    assert_non_null(strstr(text, "cpu.icount: 0x0000000000000014 vs 0x0000000000000015\n"));
    fclose(out);
    assert_int_equal(machine_state_diff(s1.path, bios.path, stdout, err), -1);
    assert_non_null(strstr(err, "is not an orrery saved state"));
    tmp_drop(&bios);
    tmp_drop(&con);
    tmp_drop(&s1);
    tmp_drop(&s2);
    tmp_drop(&s3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restore_goes_on_identically),
        cmocka_unit_test(test_other_configuration_is_refused),
        cmocka_unit_test(test_bad_files_are_one_line),
        cmocka_unit_test(test_unwritable_path_is_one_line),
        cmocka_unit_test(test_statefile_sections),
        cmocka_unit_test(test_show_and_diff_name_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
