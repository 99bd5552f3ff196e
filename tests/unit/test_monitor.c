/* The monitor's command set (frontends/monitor/cmd.h) against a machine built from a tiny
 * ROM: expressions, x/xp in every format and size, pmemsave, info registers, info mem and
 * info tlb over page tables the test writes, sendkey's key names, system_powerdown (the ACPI
 * power button), the errors as QEMU words them, and a fuzz of the parser (random bytes and
 * random command-shaped lines) that must never crash. */
#include "machine_rig.h"

#include <stdbool.h>
#include <sys/stat.h>

#include "frontends/monitor/cmd.h"

/* At F000:0000: turn on protected mode and paging at once with CR3 = 0x1000, then stop.
 *   mov eax, 0x1000; mov cr3, eax; mov eax, cr0; or eax, 0x80000001; mov cr0, eax;
 *   cli; hlt; then the string "orrery" and a NUL at offset 0x20. */
static const uint8_t prog[] = {
    0x66, 0xB8, 0x00, 0x10, 0x00, 0x00, 0x0F, 0x22, 0xD8, 0x0F, 0x20, 0xC0,
    0x66, 0x0D, 0x01, 0x00, 0x00, 0x80, 0x0F, 0x22, 0xC0, 0xFA, 0xF4, 0x90,
    0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
    'o', 'r', 'r', 'e', 'r', 'y', 0x00, 0x00,
};

struct fx {
    struct tmp bios, con, out;
    struct machine *m;
    struct mon_ctx c;
    char text[1 << 16];
    size_t len;
};

static void capture(void *opaque, const char *s)
{
    struct fx *f = opaque;
    size_t n = strlen(s);
    if (f->len + n >= sizeof f->text)
        n = sizeof f->text - 1 - f->len;
    memcpy(f->text + f->len, s, n);
    f->len += n;
    f->text[f->len] = '\0';
}

/* Runs a command and returns its whole answer. */
static const char *run(struct fx *f, const char *line)
{
    f->len = 0;
    f->text[0] = '\0';
    mon_exec(&f->c, line);
    return f->text;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    tmp_make(&f->bios);
    tmp_make(&f->con);
    tmp_make(&f->out);
    write_bios(f->bios.path, 0x10000, prog, sizeof prog);
    f->m = make_clocked(&f->bios, &f->con, true, 0);
    mon_ctx_init(&f->c, f->m, capture, f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    machine_destroy(f->m);
    tmp_drop(&f->bios);
    tmp_drop(&f->con);
    tmp_drop(&f->out);
    free(f);
    return 0;
}

static void test_expressions_follow_c_and_qemu(void **state)
{
    struct fx *f = *state;
    char err[160];
    uint64_t v;
    assert_true(mon_eval(f->m, "1 + 2 * 3", &v, err));
    assert_int_equal(v, 7);
    assert_true(mon_eval(f->m, "(1 + 2) * 3", &v, err));
    assert_int_equal(v, 9);
    assert_true(mon_eval(f->m, "0x10 | 1 + 1", &v, err)); /* & | ^ bind loosest */
    assert_int_equal(v, 0x12);
    assert_true(mon_eval(f->m, "010", &v, err));
    assert_int_equal(v, 8);
    assert_true(mon_eval(f->m, "-1", &v, err));
    assert_int_equal(v, UINT64_MAX);
    assert_true(mon_eval(f->m, "~0 & 0xff", &v, err));
    assert_int_equal(v, 0xff);
    assert_true(mon_eval(f->m, "'A'", &v, err));
    assert_int_equal(v, 0x41);
    /* Reset state: CS f000 with base ffff0000, EIP fff0, EDX the CPU signature. */
    assert_true(mon_eval(f->m, "$pc", &v, err));
    assert_int_equal(v, 0xfffffff0u);
    assert_true(mon_eval(f->m, "$cs", &v, err));
    assert_int_equal(v, 0xf000);
    assert_true(mon_eval(f->m, "$EIP + 0x10", &v, err));
    assert_int_equal(v, 0x10000);
    assert_false(mon_eval(f->m, "1 / 0", &v, err));
    assert_string_equal(err, "division by zero");
    assert_false(mon_eval(f->m, "$xyz", &v, err));
    assert_string_equal(err, "unknown register");
    assert_false(mon_eval(f->m, "(1", &v, err));
    assert_string_equal(err, "')' expected");
    assert_false(mon_eval(f->m, "1 +", &v, err));
    assert_string_equal(err, "unexpected end of expression");
    assert_false(mon_eval(f->m, "#", &v, err));
    assert_string_equal(err, "invalid char '#' in expression");
    assert_false(mon_eval(f->m, "09", &v, err));
    char deep[300];
    memset(deep, '(', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    assert_false(mon_eval(f->m, deep, &v, err));
    assert_string_equal(err, "expression too deeply nested");
}

static void test_xp_formats_and_sizes(void **state)
{
    struct fx *f = *state;
    /* The reset vector write_bios put at 0xFFFF0: EA 00 00 00 F0 (jmp F000:0000). */
    assert_string_equal(run(f, "xp/4xw 0xffff0"),
                        "00000000000ffff0: 0x000000ea 0x000000f0 0x00000000 0x00000000\n");
    assert_string_equal(run(f, "xp /4xw 0xffff0"), /* QEMU takes a space before the / */
                        "00000000000ffff0: 0x000000ea 0x000000f0 0x00000000 0x00000000\n");
    assert_string_equal(run(f, "xp/5xb 0xffff0"),
                        "00000000000ffff0: 0xea 0x00 0x00 0x00 0xf0\n");
    assert_string_equal(run(f, "xp/2xh 0xf0000"), "00000000000f0000: 0xb866 0x1000\n");
    assert_string_equal(run(f, "xp/1xg 0xf0020"), "00000000000f0020: 0x000079726572726f\n");
}

static void test_xp_formats_signed_octal_char_string(void **state)
{
    struct fx *f = *state;
    assert_string_equal(run(f, "xp/1db 0xffff0"), "00000000000ffff0: -22\n");
    assert_string_equal(run(f, "xp/1ub 0xffff0"), "00000000000ffff0: 234\n");
    assert_string_equal(run(f, "xp/1ob 0xffff0"), "00000000000ffff0: 0352\n");
    assert_string_equal(run(f, "xp/3c 0xf0020"), "00000000000f0020: 'o' 'r' 'r'\n");
    assert_string_equal(run(f, "xp/s 0xf0020"), "00000000000f0020: \"orrery\"\n");
    /* 16 bytes a line, 8 for bytes; the last format and size are remembered. */
    run(f, "xp/9xb 0xf0000");
    assert_non_null(strstr(f->text, "\n00000000000f0008: 0xd8\n"));
    assert_string_equal(run(f, "xp/2 0xffff0"), "00000000000ffff0: 0xea 0x00\n");
}

static void test_x_disassembles_and_stops_where_nothing_is_mapped(void **state)
{
    struct fx *f = *state;
    run(f, "x/2i 0xf0000");
    assert_non_null(strstr(f->text, "000f0000:  movl     $0x1000, %eax\n"));
    assert_non_null(strstr(f->text, "000f0006:  movl     %eax, %cr3\n"));
    assert_string_equal(run(f, "x/4xw 0x100000000"), "Cannot access memory\n");
    assert_string_equal(run(f, "x/4z 0"), "invalid char in format: 'z'\n");
    assert_string_equal(run(f, "xp"), "address expected\n");
    assert_string_equal(run(f, "xp/4xw 0 junk"), "extraneous characters at the end of line\n");
    assert_string_equal(run(f, "xp/100000000xg 0"), "at most 1048576 bytes at a time\n");
}

static void test_pmemsave_writes_what_the_guest_reads(void **state)
{
    struct fx *f = *state;
    char line[160];
    snprintf(line, sizeof line, "pmemsave 0xf0000 %zu %s", sizeof prog, f->out.path);
    assert_string_equal(run(f, line), "");
    char got[sizeof prog + 1];
    assert_int_equal(read_all(f->out.path, got, sizeof got), sizeof prog);
    assert_memory_equal(got, prog, sizeof prog);
    /* memsave reads linear memory: with paging off, the same bytes. */
    snprintf(line, sizeof line, "memsave 0xf0000 0x10 \"%s\"", f->out.path);
    assert_string_equal(run(f, line), "");
    assert_int_equal(read_all(f->out.path, got, sizeof got), 16);
    assert_memory_equal(got, prog, 16);
    assert_string_equal(run(f, "pmemsave 0 0x200000000 /nonexistent/x"),
                        "Invalid addr 0x0000000000000000/size 8589934592 specified\n");
    assert_non_null(strstr(run(f, "pmemsave 0 16 /nonexistent/x"), "could not open"));
}

static void test_info_registers_in_qemus_layout(void **state)
{
    struct fx *f = *state;
    run(f, "info registers");
    assert_non_null(strstr(f->text, "EIP=0000fff0 EFL=00000002 [-------] CPL=0"));
    assert_non_null(strstr(f->text, "\nCS =f000 ffff0000 0000ffff 00009b00\n"));
    assert_non_null(strstr(f->text, "\nCR0=60000010 "));
    assert_non_null(strstr(run(f, "info cpus"), "* CPU #0: pc=0x00000000fffffff0"));
    assert_string_equal(run(f, "info status"), "VM status: paused (debug)\n");
    run(f, "info pic");
    assert_non_null(strstr(f->text, "pic0: irr=00 imr=00 isr=00"));
    assert_non_null(strstr(f->text, "\npic1: "));
    run(f, "info mtree");
    assert_non_null(strstr(f->text, "address-space: memory\n"));
    assert_non_null(strstr(f->text, "(prio 0, ram)\n"));
    assert_non_null(strstr(run(f, "info"), "info tlb"));
    assert_string_equal(run(f, "info bogus"), "unknown info item 'bogus'; 'info' lists them\n");
    assert_string_equal(run(f, "info mem"), "PG disabled\n");
}

/* Identity-maps 0-4 MiB supervisor read/write, except 0x10000 (user) and 0x11000 (not
 * present), then lets the ROM turn paging on. */
static void test_info_mem_and_tlb_walk_the_page_tables(void **state)
{
    struct fx *f = *state;
    uint8_t pde[4] = { 0x07, 0x20, 0x00, 0x00 };
    assert_int_equal(machine_debug_write(f->m, 0x1000, pde, 4, true), 4);
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t pte = (i << 12) | (i == 0x10 ? 7u : 3u);
        if (i == 0x11)
            pte = 0;
        uint8_t b[4] = { (uint8_t)pte, (uint8_t)(pte >> 8), (uint8_t)(pte >> 16),
                         (uint8_t)(pte >> 24) };
        assert_int_equal(machine_debug_write(f->m, 0x2000 + 4 * i, b, 4, true), 4);
    }
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_HALT);
    assert_string_equal(run(f, "info mem"), "00000000-00010000 00010000 -rw\n"
                                            "00010000-00011000 00001000 urw\n"
                                            "00012000-00400000 003ee000 -rw\n");
    run(f, "info tlb");
    assert_non_null(strstr(f->text, "\n0000000000010000: 0000000000010000 -------UW\n"));
    assert_null(strstr(f->text, "\n0000000000011000:"));
    /* The ROM's page was fetched from: accessed. */
    assert_non_null(strstr(f->text, "\n00000000000f0000: 00000000000f0000 ----A---W\n"));
    /* x goes through the page tables; the hole cannot be read. */
    assert_string_equal(run(f, "x/1xb 0x11000"), "Cannot access memory\n");
    assert_string_equal(run(f, "x/1xb 0xffff0"), "000ffff0: 0xea\n");
}

static void test_sendkey_names(void **state)
{
    (void)state;
    unsigned u[MON_KEYS_MAX], n;
    char err[96];
    assert_true(mon_parse_keys("ctrl-alt-delete", u, &n, err, sizeof err));
    assert_int_equal(n, 3);
    assert_int_equal(u[0], 0xE0);
    assert_int_equal(u[1], 0xE2);
    assert_int_equal(u[2], 0x4C);
    assert_true(mon_parse_keys("shift-a", u, &n, err, sizeof err));
    assert_int_equal(u[1], 0x04);
    assert_int_equal(mon_key_usage("ret"), 0x28);
    assert_int_equal(mon_key_usage("0"), 0x27);
    assert_int_equal(mon_key_usage("f12"), 0x45);
    assert_int_equal(mon_key_usage("f13"), 0);
    assert_int_equal(mon_key_usage("kp_0"), 0x62);
    assert_int_equal(mon_key_usage("kp_9"), 0x61);
    assert_true(machine_key_known(mon_key_usage("yen")));
    assert_false(mon_parse_keys("ctrl-foo", u, &n, err, sizeof err));
    assert_string_equal(err, "invalid parameter: foo");
    assert_false(mon_parse_keys("a--b", u, &n, err, sizeof err));
    assert_false(mon_parse_keys("a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a", u, &n, err, sizeof err));
    assert_string_equal(err, "too many keys");
}

static void test_errors_and_gdb_only_limits(void **state)
{
    struct fx *f = *state;
    assert_string_equal(run(f, "bogus"), "unknown command: 'bogus'\n");
    assert_string_equal(run(f, ""), "");
    assert_string_equal(run(f, "stop"), "stop: not from gdb's monitor; use gdb's own commands\n");
    assert_string_equal(run(f, "quit"), "quit: not from gdb's monitor; use gdb's own commands\n");
    assert_string_equal(run(f, "stop now"), "extraneous characters at the end of line\n");
    assert_string_equal(run(f, "info/x registers"), "info: takes no /format\n");
    assert_string_equal(run(f, "p $eax + 1"), "0x1\n");
    assert_string_equal(run(f, "p/d -2"), "-2\n");
    assert_string_equal(run(f, "print/c 0x41"), "'A'\n");
    assert_string_equal(run(f, "sendkey foo"), "invalid parameter: foo\n");
    assert_string_equal(run(f, "sendkey"), "keys expected\n");
    assert_string_equal(run(f, "system_powerdown"), /* the ROM never turns ACPI on */
                        "system_powerdown: the guest is not listening for the power button "
                        "(no ACPI); 'quit' ends orrery\n");
    assert_non_null(strstr(run(f, "help"), "\nxp /fmt addr -- physical memory dump"));
    assert_string_equal(run(f, "help cont"), "cont|c  -- resume emulation\n");
}

/* system_powerdown presses the ACPI power button: silent, as QEMU's, once the guest has
 * ACPI on and the button enabled. The ROM does it as an OS would, at PM base 0x600:
 *   PMBA (00:01.3 reg 0x40) = 0x601, PMREGMISC (0x80) = 1, PM1_EN = PWRBTN_EN (bit 8),
 *   PM1_CNT = SCI_EN; cli; hlt. */
static void test_system_powerdown_reaches_an_acpi_guest(void **state)
{
    (void)state;
    static const uint8_t acpi_on[] = {
        0x66, 0xB8, 0x40, 0x0B, 0x00, 0x80, 0xBA, 0xF8, 0x0C, 0x66, 0xEF, 0x66, 0xB8, 0x01,
        0x06, 0x00, 0x00, 0xBA, 0xFC, 0x0C, 0x66, 0xEF, 0x66, 0xB8, 0x80, 0x0B, 0x00, 0x80,
        0xBA, 0xF8, 0x0C, 0x66, 0xEF, 0xB0, 0x01, 0xBA, 0xFC, 0x0C, 0xEE, 0xBA, 0x02, 0x06,
        0xB8, 0x00, 0x01, 0xEF, 0xBA, 0x04, 0x06, 0xB8, 0x01, 0x00, 0xEF, 0xFA, 0xF4,
    };
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tmp_make(&f->bios);
    tmp_make(&f->con);
    write_bios(f->bios.path, 0x10000, acpi_on, sizeof acpi_on);
    f->m = make_clocked(&f->bios, &f->con, true, 0);
    mon_ctx_init(&f->c, f->m, capture, f);
    assert_non_null(strstr(run(f, "system_powerdown"), "not listening")); /* not yet */
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_HALT);
    assert_string_equal(run(f, "system_powerdown"), "");
    machine_destroy(f->m);
    tmp_drop(&f->bios);
    tmp_drop(&f->con);
    free(f);
}

static void test_screendump_writes_ppm_and_png(void **state)
{
    struct fx *f = *state;
    char line[160], head[16];
    snprintf(line, sizeof line, "screendump %s -f png", f->out.path);
    assert_string_equal(run(f, line), "");
    assert_true(read_all(f->out.path, head, sizeof head) > 8);
    assert_memory_equal(head, "\x89PNG\r\n\x1a\n", 8);
    snprintf(line, sizeof line, "screendump %s", f->out.path);
    assert_string_equal(run(f, line), "");
    read_all(f->out.path, head, sizeof head);
    assert_memory_equal(head, "P6", 2);
    snprintf(line, sizeof line, "screendump %s -f gif", f->out.path);
    assert_string_equal(run(f, line), "Parameter 'format' does not accept value 'gif'\n");
}

/* info block, change and eject on a machine with a disk, an empty CD-ROM drive and a
 * floppy (also from GDB's monitor: the commands need no session). */
static void test_change_and_eject(void **state)
{
    (void)state;
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct tmp disk, fd, iso;
    tmp_make(&f->bios);
    tmp_make(&f->con);
    tmp_make(&disk);
    tmp_make(&fd);
    tmp_make(&iso);
    write_bios(f->bios.path, 0x10000, prog, sizeof prog);
    write_raw(disk.path, 1u << 20);
    write_raw(fd.path, 1440u << 10);
    write_raw(iso.path, 16 * 2048);
    struct machine_config cfg = {
        .ram_size = 16u << 20, .bios_path = f->bios.path,
        .debugcon = MACHINE_DEBUGCON_FILE, .debugcon_path = f->con.path,
        .ide = { [0] = { .path = disk.path }, [2] = { .media = MACHINE_MEDIA_CDROM } },
        .floppy = { fd.path },
    };
    char err[MACHINE_ERRMAX], line[600], want[2048];
    assert_int_equal(machine_create(&cfg, &f->m, err), MACHINE_OK);
    mon_ctx_init(&f->c, f->m, capture, f);
    snprintf(want, sizeof want,
             "ide0-hd0: %s (raw)\n    Attached to:      IDE primary master\n"
             "ide1-cd0: [not inserted]\n"
             "    Attached to:      IDE secondary master (ATAPI CD-ROM)\n"
             "    Removable device: not locked, tray closed\n"
             "floppy0: %s (raw)\n    Attached to:      floppy drive A:\n"
             "    Removable device: not locked, tray closed\n", disk.path, fd.path);
    assert_string_equal(run(f, "info block"), want);
    snprintf(line, sizeof line, "change ide1-cd0 %s raw", iso.path);
    assert_string_equal(run(f, line), "");
    snprintf(want, sizeof want, "ide1-cd0: %s (raw, read-only)\n", iso.path);
    assert_non_null(strstr(run(f, "info block"), want));
    assert_string_equal(run(f, "eject floppy0"), "");
    assert_non_null(strstr(run(f, "info block"), "floppy0: [not inserted]\n"));
    assert_string_equal(run(f, "eject -f ide1-cd0"), "");
    assert_non_null(strstr(run(f, "info block"),
                           "ide1-cd0: [not inserted]\n"
                           "    Attached to:      IDE secondary master (ATAPI CD-ROM)\n"
                           "    Removable device: not locked, tray open\n"));
    assert_string_equal(run(f, "eject ide0-hd0"), "Device 'ide0-hd0' is not removable\n");
    assert_string_equal(run(f, "eject ide1-cd1"), "Device 'ide1-cd1' not found\n");
    assert_string_equal(run(f, "eject"), "device expected\n");
    assert_string_equal(run(f, "change floppy0"), "filename expected\n");
    snprintf(line, sizeof line, "change floppy0 %s", iso.path); /* 32 KiB: no floppy */
    assert_non_null(strstr(run(f, line), "is not a floppy image size"));
    assert_non_null(strstr(run(f, "info block"), "floppy0: [not inserted]\n"));
    snprintf(line, sizeof line, "change floppy0 -f %s raw extra", fd.path);
    assert_string_equal(run(f, line), "extraneous characters at the end of line\n");
    machine_destroy(f->m);
    tmp_drop(&disk);
    tmp_drop(&fd);
    tmp_drop(&iso);
    tmp_drop(&f->bios);
    tmp_drop(&f->con);
    free(f);
}

/* xorshift: a fixed sequence, so that a failure repeats. */
static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Command-shaped lines (names, formats, expressions, registers, strings, junk) and lines
 * of random bytes: every one answered, none crashing. Commands that write files or state
 * run in a folder of their own, removed at the end. */
static void test_fuzz_the_parser(void **state)
{
    struct fx *f = *state;
    static const char *const words[] = {
        "x", "xp", "x/", "xp/", "/", "print", "p", "info", "help", "?", "sendkey", "stop",
        "cont", "c", "quit", "system_reset", "registers", "mem", "tlb", "pic", "cpus",
        "status", "version", "block", "chardev", "mtree", "gdbserver", "$eax", "$pc", "$",
        "$zz", "0x", "0xffff0", "0", "1", "077", "99999999999999999999999", "(", ")", "+",
        "-", "*", "/", "%", "&", "|", "^", "~", "'", "'a'", "\"", "\"q\"", "ctrl-alt-delete",
        "a-b-c", "--", "4xw", "10i", "s", "c", "1000000xg", "3dh", "zz", "\t", " ", ";",
        "/fmt", "x/i", "xp/s", "x/3c", "p/x", "p/q",
    };
    const size_t nwords = sizeof words / sizeof words[0];
    char dir[] = "/tmp/orrery-monfuzz-XXXXXX", cwd[4096];
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    uint32_t seed = 12345;
    char line[256];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0;
        if (iter & 1) {
            size_t len = rnd(&seed) % 80;
            for (size_t i = 0; i < len; i++)
                line[n++] = (char)(rnd(&seed) % 255 + 1);
        } else {
            unsigned k = 1 + rnd(&seed) % 6;
            for (unsigned i = 0; i < k && n < 200; i++) {
                const char *w = words[rnd(&seed) % nwords];
                size_t wl = strlen(w);
                memcpy(line + n, w, wl);
                n += wl;
                if (rnd(&seed) % 3)
                    line[n++] = ' ';
            }
        }
        line[n] = '\0';
        run(f, line);
    }
    /* The guest's state is still readable and the commands still answer. */
    assert_string_equal(run(f, "p 1+1"), "0x2\n");
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rmdir(dir), 0); /* nothing was written there */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_expressions_follow_c_and_qemu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xp_formats_and_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xp_formats_signed_octal_char_string, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_x_disassembles_and_stops_where_nothing_is_mapped,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_pmemsave_writes_what_the_guest_reads, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_info_registers_in_qemus_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_mem_and_tlb_walk_the_page_tables, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sendkey_names, setup, teardown),
        cmocka_unit_test(test_system_powerdown_reaches_an_acpi_guest),
        cmocka_unit_test_setup_teardown(test_errors_and_gdb_only_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screendump_writes_ppm_and_png, setup, teardown),
        cmocka_unit_test(test_change_and_eject),
        cmocka_unit_test_setup_teardown(test_fuzz_the_parser, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
