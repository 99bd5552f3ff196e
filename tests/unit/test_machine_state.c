/* Unit tests for saving and loading a machine (core/machine/machine_state.c, core/statefile.c):
 * a machine restored from a state in the middle of a run goes on exactly as the one that
 * never stopped, and every way a state can be wrong ends in one line. */
#include "machine_rig.h"

#include <signal.h>
#include <zlib.h>

#include "core/machine/machine_impl.h"
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

/* Copies the first `n` bytes of src to dst. */
static void copy_head(const char *src, const char *dst, size_t n)
{
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, n, f), n);
    fclose(f);
    f = fopen(dst, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    free(buf);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void forge(const char *in, const char *out, const char *section, const char *field,
                  uint64_t value);

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
    struct tmp bios, con, s1, s2, s3, cut, other;
    tmp_make(&bios);
    tmp_make(&con);
    tmp_make(&s1);
    tmp_make(&s2);
    tmp_make(&s3);
    tmp_make(&cut);
    tmp_make(&other);
    write_bios(bios.path, 64u << 10, prog_timer, sizeof prog_timer);
    save_at(&bios, &con, s1.path, 20);
    save_at(&bios, &con, s2.path, 20);
    save_at(&bios, &con, s3.path, 21);
    char err[MACHINE_ERRMAX];
    static char text[1 << 20];
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

    /* B cut short: B is named, not A. */
    copy_head(s2.path, cut.path, (size_t)file_size(s2.path) / 2);
    out = tmpfile();
    assert_int_equal(machine_state_diff(s1.path, cut.path, out, err), -1);
    fclose(out);
    assert_non_null(strstr(err, cut.path));
    assert_null(strstr(err, s1.path));
    /* A difference in layout is a difference (exit 1), not an unreadable file. */
    forge(s1.path, other.path, "ferr", NULL, 7);
    out = tmpfile();
    assert_int_equal(machine_state_diff(s1.path, other.path, out, err), 1);
    read_stream(out, text, sizeof text);
    assert_non_null(strstr(text, "differ in layout: section ferr version 1"));
    fclose(out);
    /* A section longer than any orrery writes is refused before it is allocated. */
    uint8_t huge[12 + 1 + 3 + 8] = { 'O', 'R', 'R', 'Y', 'S', 'T', 'A', 'T',
                                     STATEFILE_FORMAT, 0, 0, 0, 3, 'c', 'p', 'u', 1, 0, 0, 0,
                                     0xF0, 0xFF, 0xFF, 0xFF };
    write_gz(other.path, huge, sizeof huge);
    out = tmpfile();
    assert_int_equal(machine_state_show(other.path, out, err), -1);
    fclose(out);
    assert_non_null(strstr(err, "more than any orrery writes"));
    tmp_drop(&bios);
    tmp_drop(&con);
    tmp_drop(&s1);
    tmp_drop(&s2);
    tmp_drop(&s3);
    tmp_drop(&cut);
    tmp_drop(&other);
}

/* A load that fails part way (a file cut in its RAM, a value out of range in a late
 * section) leaves the machine exactly as it was: saved before and after, the two states
 * are equal field for field and page for page. */
static void test_failed_load_changes_nothing(void **state)
{
    (void)state;
    struct tmp bios, con, other, cut, forged, before, after;
    tmp_make(&bios);
    tmp_make(&con);
    tmp_make(&other);
    tmp_make(&cut);
    tmp_make(&forged);
    tmp_make(&before);
    tmp_make(&after);
    write_bios(bios.path, 64u << 10, prog_timer, sizeof prog_timer);
    save_at(&bios, &con, other.path, 20);      /* another point of the same program */
    copy_head(other.path, cut.path, (size_t)file_size(other.path) * 3 / 4);
    forge(other.path, forged.path, "ps2mouse", "head", 0xFF);
    char err[MACHINE_ERRMAX];
    struct machine *m = make_clocked(&bios, &con, true, 2);
    while (machine_instructions(m) < 40)
        machine_run(m, 40 - machine_instructions(m));
    assert_int_equal(machine_save_state(m, before.path, err), MACHINE_OK);
    const char *bad[] = { cut.path, forged.path };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(machine_load_state(m, bad[i], err), MACHINE_ERR_STATE);
        assert_int_equal(machine_save_state(m, after.path, err), MACHINE_OK);
        FILE *out = tmpfile();
        assert_non_null(out);
        int diffs = machine_state_diff(before.path, after.path, out, err);
        if (diffs != 0) {
            char text[4096];
            read_stream(out, text, sizeof text);
            fail_msg("%s changed the machine: %s", bad[i], text);
        }
        fclose(out);
    }
    /* A load that succeeds still replaces everything. */
    assert_int_equal(machine_load_state(m, other.path, err), MACHINE_OK);
    assert_int_equal(machine_instructions(m), 20);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_HALT);
    machine_destroy(m);
    tmp_drop(&bios);
    tmp_drop(&con);
    tmp_drop(&other);
    tmp_drop(&cut);
    tmp_drop(&forged);
    tmp_drop(&before);
    tmp_drop(&after);
}

/* ---- forged states: a genuine state with one field rewritten ---- */

struct find_field {
    const char *path;
    size_t at, off;
    unsigned size;
    bool found;
};

static void find_field_fn(void *opaque, const char *path, uint64_t value, unsigned size)
{
    (void)value;
    struct find_field *ff = opaque;
    if (!ff->found && strcmp(path, ff->path) == 0) {
        ff->found = true;
        ff->off = ff->at;
        ff->size = size;
    }
    if (!ff->found)
        ff->at += size;
}

static void put_le(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Copies the state at `in` to `out` with `section`'s `field` (a savestate_visit path such
 * as "deadline[1]") set to value; with field NULL, the section's version instead. */
static void forge(const char *in, const char *out, const char *section, const char *field,
                  uint64_t value)
{
    char err[STATEFILE_ERRMAX], name[SAVESTATE_NAME_MAX + 1];
    uint32_t version, len;
    bool patched = false;
    struct statefile *fi = statefile_open(in, err, sizeof err);
    struct statefile *fo = statefile_create(out, err, sizeof err);
    assert_non_null(fi);
    assert_non_null(fo);
    while (statefile_next_frame(fi, name, &version, &len)) {
        uint8_t *payload = malloc(len + 1), frame[1 + SAVESTATE_NAME_MAX + 8];
        assert_non_null(payload);
        assert_true(statefile_get_bytes(fi, payload, len));
        if (strcmp(name, section) == 0 && !field) {
            version = (uint32_t)value;
            patched = true;
        } else if (strcmp(name, section) == 0) {
            const struct savestate_desc *d = machine_state_desc(name, version);
            assert_non_null(d);
            struct find_field ff = { field, 0, 0, 0, false };
            savestate_visit(d, payload, find_field_fn, &ff);
            assert_true(ff.found);
            put_le(payload + ff.off, value, ff.size);
            patched = true;
        }
        size_t n = strlen(name);
        frame[0] = (uint8_t)n;
        memcpy(frame + 1, name, n);
        put_le(frame + 1 + n, version, 4);
        put_le(frame + 5 + n, len, 4);
        assert_true(statefile_put_bytes(fo, frame, n + 9));
        assert_true(statefile_put_bytes(fo, payload, len));
        if (strcmp(name, MACHINE_STATE_RAM) == 0) {
            uint32_t size = (uint32_t)payload[4] | (uint32_t)payload[5] << 8 |
                            (uint32_t)payload[6] << 16 | (uint32_t)payload[7] << 24;
            uint8_t *ram = malloc(size);
            assert_non_null(ram);
            assert_true(statefile_get_bytes(fi, ram, size));
            assert_true(statefile_put_bytes(fo, ram, size));
            free(ram);
        }
        free(payload);
    }
    assert_true(statefile_close(fi, err, sizeof err));
    assert_true(statefile_close(fo, err, sizeof err));
    assert_true(patched);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "a forged state hung the machine\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(3);
    _exit(2);
}

/* Loads `path` on either clock; when it loads, the machine must run two million
 * instructions of its loop promptly (a hundredth of a second; SIGALRM after 10 s ends a
 * hang: a runaway timer costs a thousand callbacks per instruction, half a minute here)
 * and its clock stay below SCHED_TIME_MAX. */
static enum machine_status load_and_run(const struct tmp *bios, const char *path, bool icount,
                                        char *err)
{
    struct tmp con;
    tmp_make(&con);
    struct machine *m = make_clocked(bios, &con, icount, 2);
    enum machine_status st = machine_load_state(m, path, err);
    if (st == MACHINE_OK) {
        signal(SIGALRM, on_alarm);
        alarm(10);
        uint64_t start = machine_instructions(m);
        for (int i = 0; i < 100 && machine_instructions(m) - start < 2000000; i++)
            if (machine_run(m, 2000000) != MACHINE_STOP_BUDGET)
                break;
        alarm(0);
        assert_true(machine_time_ns(m) < SCHED_TIME_MAX);
    }
    machine_destroy(m);
    tmp_drop(&con);
    return st;
}

/* Every clock and deadline of a state is bounded or made harmless on load: a virtual time
 * near 2^64 is refused by name; an RTC oscillator started in the future, deadlines in the
 * far past or future, a PIT count started in the future, an anchor past the CPU's
 * counter, all load and run (on both clocks) without spinning. */
static void test_forged_clocks_are_harmless(void **state)
{
    (void)state;
    struct tmp bios, con, good, late, bad;
    tmp_make(&bios);
    tmp_make(&con);
    tmp_make(&good);
    tmp_make(&late);
    tmp_make(&bad);
    static const uint8_t spin[] = { 0xFB, 0xEB, 0xFE }; /* sti; jmp $ */
    write_bios(bios.path, 64u << 10, spin, sizeof spin);
    save_at(&bios, &con, good.path, 100); /* the RTC is running */
    char err[MACHINE_ERRMAX];

    forge(good.path, bad.path, "sched", "anchor_ns", UINT64_MAX - 1000000);
    assert_int_equal(load_and_run(&bios, bad.path, true, err), MACHINE_ERR_STATE);
    assert_non_null(strstr(err, "anchor_ns"));

    /* The cases start from the state moved 10 s on (with the RTC's next update), so that
     * a deadline wrapped past 2^64 lands in the past. Up to five fields per case;
     * cmos[11] = 0x42 turns the RTC's periodic interrupt on (PIE, 24-hour mode) and
     * deadline[2] = 0 makes its timer due, so that a bad oscillator base is used at once. */
    forge(good.path, late.path, "sched", "anchor_ns", 10 * 1000000000ull);
    forge(late.path, late.path, "rtc146818", "next_update", 10 * 1000000000ull + 500000000);
    assert_int_equal(load_and_run(&bios, late.path, true, err), MACHINE_OK);
    static const struct forgery {
        const char *section, *field;
        uint64_t value;
    } harmless[][5] = {
        { { "rtc146818", "osc_base", UINT64_MAX - 1000 },
          { "rtc146818", "cmos[11]", 0x42 }, { "sched", "deadline[2]", 0 } },
        { { "rtc146818", "next_update", UINT64_MAX - 1000000 } },
        { { "rtc146818", "pf_seen", UINT64_MAX }, { "rtc146818", "cmos[11]", 0x42 } },
        { { "sched", "deadline[1]", 0 } },             /* the RTC's update, long ago */
        { { "sched", "deadline[0]", UINT64_MAX - 1 } }, /* the PIT's, in the far future */
        { { "sched", "anchor_icount", UINT64_MAX } },
        { { "sched", "anchor_icount", 0 }, { "sched", "rate", UINT64_MAX } },
        { { "sched", "rate", UINT64_MAX } },
        { { "pit8254", "ch[0].start", UINT64_MAX - 100 }, { "pit8254", "ch[0].mode", 2 },
          { "pit8254", "ch[0].count0", 1000 }, { "pit8254", "ch[0].phase", PIT_RUNNING },
          { "sched", "deadline[0]", 0 } },
        { { "pit8254", "ch[0].next_start", UINT64_MAX - 1000 } },
    };
    for (size_t i = 0; i < sizeof harmless / sizeof harmless[0]; i++) {
        const char *from = late.path;
        for (size_t j = 0; j < 5 && harmless[i][j].section; j++) {
            forge(from, bad.path, harmless[i][j].section, harmless[i][j].field,
                  harmless[i][j].value);
            from = bad.path;
        }
        for (int clock = 0; clock < 2; clock++)
            if (load_and_run(&bios, bad.path, clock, err) != MACHINE_OK)
                fail_msg("%s.%s: %s", harmless[i][0].section, harmless[i][0].field, err);
    }
    tmp_drop(&bios);
    tmp_drop(&con);
    tmp_drop(&good);
    tmp_drop(&late);
    tmp_drop(&bad);
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
        cmocka_unit_test(test_forged_clocks_are_harmless),
        cmocka_unit_test(test_failed_load_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
