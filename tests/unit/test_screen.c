/* The screen through the facade (core/machine/screen.c): a guest program programs the VGA
 * and writes to it; the test reads the picture, the text and a PPM back, and the VRAM
 * survives a save and a load into a fresh machine. */
#include "machine_rig.h"
#include "roms/firmware.h"

/* RAM enabled, sequential planes (map mask 0xF, memory mode 6, bit mask 0xFF), a byte at
 * A000:1234, halt. */
static const uint8_t prog_plane[] = {
    0xBA, 0xC2, 0x03, 0xB0, 0x02, 0xEE,       /* misc: RAM enable */
    0xBA, 0xC4, 0x03,                         /* mov dx, 0x3C4 */
    0xB8, 0x02, 0x0F, 0xEF,                   /* map mask 0xF */
    0xB8, 0x04, 0x06, 0xEF,                   /* memory mode 6 */
    0xBA, 0xCE, 0x03, 0xB8, 0x08, 0xFF, 0xEF, /* bit mask 0xFF */
    0xB8, 0x00, 0xA0, 0x8E, 0xC0,             /* es = 0xA000 */
    0x26, 0xC6, 0x06, 0x34, 0x12, 0x5A,       /* mov byte [es:0x1234], 0x5A */
    CLI_HLT,
};

/* A text mode of one row of four 9x16 cells at 0xB8000 with "Hi" in it. */
static const uint8_t prog_text[] = {
    0xBA, 0xC2, 0x03, 0xB0, 0x03, 0xEE,       /* misc: RAM enable, colour addresses */
    0xBA, 0xD4, 0x03,                         /* CRTC */
    0xB8, 0x01, 0x03, 0xEF,                   /* 4 columns */
    0xB8, 0x12, 0x0F, 0xEF,                   /* 16 lines */
    0xB8, 0x09, 0x0F, 0xEF,                   /* 16 scan lines a row */
    0xB8, 0x13, 0x02, 0xEF,                   /* offset */
    0xBA, 0xC4, 0x03, 0xB8, 0x02, 0x03, 0xEF, /* map mask: planes 0 and 1 */
    0xBA, 0xCE, 0x03,                         /* graphics controller */
    0xB8, 0x06, 0x0C, 0xEF,                   /* 0xB8000, 32 KiB */
    0xB8, 0x05, 0x10, 0xEF,                   /* odd/even reads */
    0xB8, 0x08, 0xFF, 0xEF,                   /* bit mask 0xFF */
    0xB8, 0x00, 0xB8, 0x8E, 0xC0,             /* es = 0xB800 */
    0x26, 0xC7, 0x06, 0x00, 0x00, 0x48, 0x07, /* 'H', attribute 7 */
    0x26, 0xC7, 0x06, 0x02, 0x00, 0x69, 0x07, /* 'i' */
    0xBA, 0xDA, 0x03, 0xEC,                   /* reset the attribute flip-flop */
    0xBA, 0xC0, 0x03, 0xB0, 0x20, 0xEE,       /* PAS: the palette to the display */
    CLI_HLT,
};

/* Sizes the VGA's expansion ROM BAR (00:02.0, register 0x30) and stores what it reads at
 * 0:0500. */
static const uint8_t prog_rombar[] = {
    0xBA, 0xF8, 0x0C, 0x66, 0xB8, 0x30, 0x10, 0x00, 0x80, 0x66, 0xEF, /* CONFIG_ADDRESS */
    0xBA, 0xFC, 0x0C, 0x66, 0xB8, 0xFE, 0xFF, 0xFF, 0xFF, 0x66, 0xEF, /* all ones, no enable */
    0x66, 0xED, 0x66, 0xA3, 0x00, 0x05,                               /* in eax; [0x500] */
    CLI_HLT,
};

static struct machine *boot(const struct tmp *bios, const struct tmp *con, const uint8_t *prog,
                            size_t len)
{
    write_bios(bios->path, 64u << 10, prog, len);
    struct machine *m = make_clocked(bios, con, true, 3);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_HALT);
    return m;
}

static void test_vram_survives_save_and_load(void **state)
{
    (void)state;
    struct tmp bios, con, st;
    tmp_make(&bios);
    tmp_make(&con);
    tmp_make(&st);
    struct machine *m = boot(&bios, &con, prog_plane, sizeof prog_plane);
    uint8_t b[2];
    machine_read_phys(m, 0xA1234, b, 2);
    assert_int_equal(b[0], 0x5A);
    assert_int_equal(b[1], 0x00);
    char err[MACHINE_ERRMAX];
    assert_int_equal(machine_save_state(m, st.path, err), MACHINE_OK);
    machine_destroy(m);
    m = make_clocked(&bios, &con, true, 3);
    machine_read_phys(m, 0xA1234, b, 1);
    assert_int_not_equal(b[0], 0x5A); /* a fresh VGA: its RAM not even enabled */
    if (machine_load_state(m, st.path, err) != MACHINE_OK)
        fail_msg("load: %s", err);
    machine_read_phys(m, 0xA1234, b, 1);
    assert_int_equal(b[0], 0x5A);
    machine_destroy(m);
    tmp_drop(&bios);
    tmp_drop(&con);
    tmp_drop(&st);
}

static void test_text_picture_and_screendump(void **state)
{
    (void)state;
    struct tmp bios, con, ppm;
    tmp_make(&bios);
    tmp_make(&con);
    tmp_make(&ppm);
    struct machine *m = boot(&bios, &con, prog_text, sizeof prog_text);
    char text[64];
    assert_int_equal(machine_text_screen(m, text, sizeof text), 5);
    assert_string_equal(text, "Hi  \n");
    unsigned w, h, stride;
    const uint32_t *fb = machine_framebuffer(m, &w, &h, &stride);
    assert_non_null(fb);
    assert_int_equal(w, 36);
    assert_int_equal(h, 16);
    assert_true(stride >= w);
    char err[MACHINE_ERRMAX];
    assert_int_equal(machine_screendump(m, ppm.path, err), MACHINE_OK);
    static char buf[4096];
    size_t n = read_all(ppm.path, buf, sizeof buf);
    assert_int_equal(n, 13 + 36 * 16 * 3);
    assert_memory_equal(buf, "P6\n36 16\n255\n", 13);
    assert_int_equal(machine_screendump(m, "/nonexistent-dir/x.ppm", err), MACHINE_ERR_FILE);
    assert_non_null(strstr(err, "/nonexistent-dir/x.ppm"));
    machine_destroy(m);
    tmp_drop(&bios);
    tmp_drop(&con);
    tmp_drop(&ppm);
}

/* The VGA BIOS is found like SeaBIOS (the distribution's folders here) and offered by a
 * 64 KiB ROM BAR; with no folder holding it, the VGA has no ROM BAR. */
static void test_vga_bios_in_rom_bar(void **state)
{
    (void)state;
    char path[256];
    if (!firmware_find(FIRMWARE_VGABIOS, NULL, 0, NULL, path, sizeof path))
        skip(); /* apt-get install seabios */
    struct tmp bios, con;
    tmp_make(&bios);
    tmp_make(&con);
    struct machine *m = boot(&bios, &con, prog_rombar, sizeof prog_rombar);
    uint32_t v;
    machine_read_phys(m, 0x500, &v, 4);
    assert_int_equal(v, 0xFFFF0000u);
    machine_destroy(m);
    static const char *const none[] = { "/nonexistent-orrery-dir", NULL };
    struct machine_config cfg = { .bios_path = bios.path, .firmware_system_dirs = none,
                                  .debugcon = MACHINE_DEBUGCON_FILE, .debugcon_path = con.path };
    char err[MACHINE_ERRMAX];
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_HALT);
    machine_read_phys(m, 0x500, &v, 4);
    assert_int_equal(v, 0);
    machine_destroy(m);
    tmp_drop(&bios);
    tmp_drop(&con);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vram_survives_save_and_load),
        cmocka_unit_test(test_text_picture_and_screendump),
        cmocka_unit_test(test_vga_bios_in_rom_bar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
