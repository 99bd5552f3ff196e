/* Firmware lookup (roms/firmware.h) and a machine built without -bios: SeaBIOS is taken
 * from the -L folders first, then the distribution's; a missing one is one line naming
 * the package. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/machine/machine.h"
#include "roms/firmware.h"

struct dirs {
    char a[64], b[64];
};

static void put_file(const char *dir, const char *name, size_t size, uint8_t fill)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < size; i++)
        fputc(fill, f);
    fclose(f);
}

static void drop_file(const char *dir, const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static int setup(void **state)
{
    struct dirs *d = calloc(1, sizeof *d);
    snprintf(d->a, sizeof d->a, "/tmp/orrery-fwa-XXXXXX");
    snprintf(d->b, sizeof d->b, "/tmp/orrery-fwb-XXXXXX");
    assert_non_null(mkdtemp(d->a));
    assert_non_null(mkdtemp(d->b));
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    struct dirs *d = *state;
    drop_file(d->a, FIRMWARE_BIOS);
    drop_file(d->b, FIRMWARE_BIOS);
    rmdir(d->a);
    rmdir(d->b);
    free(d);
    return 0;
}

static void test_user_dirs_come_before_system_dirs(void **state)
{
    struct dirs *d = *state;
    const char *sys[] = { d->b, NULL };
    const char *user[] = { "/nonexistent/orrery", d->a };
    char path[256];

    assert_false(firmware_find(FIRMWARE_BIOS, user, 2, sys, path, sizeof path));
    assert_string_equal(path, "");
    put_file(d->b, FIRMWARE_BIOS, 16, 0);
    assert_true(firmware_find(FIRMWARE_BIOS, user, 2, sys, path, sizeof path));
    assert_true(strncmp(path, d->b, strlen(d->b)) == 0);
    put_file(d->a, FIRMWARE_BIOS, 16, 0);
    assert_true(firmware_find(FIRMWARE_BIOS, user, 2, sys, path, sizeof path));
    assert_true(strncmp(path, d->a, strlen(d->a)) == 0);
    /* A folder by that name is not a firmware file. */
    drop_file(d->a, FIRMWARE_BIOS);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/%s", d->a, FIRMWARE_BIOS);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_true(firmware_find(FIRMWARE_BIOS, user, 2, sys, path, sizeof path));
    assert_true(strncmp(path, d->b, strlen(d->b)) == 0);
    rmdir(sub);
}

static void test_debian_folders_are_the_default(void **state)
{
    (void)state;
    assert_string_equal(firmware_system_dirs[0], "/usr/share/seabios");
    assert_string_equal(firmware_system_dirs[1], "/usr/share/qemu");
    assert_null(firmware_system_dirs[2]);
    char text[128];
    firmware_dirs_text(NULL, 0, NULL, text, sizeof text);
    assert_string_equal(text, "/usr/share/seabios or /usr/share/qemu");
    const char *user[] = { "fw" };
    firmware_dirs_text(user, 1, NULL, text, sizeof text);
    assert_string_equal(text, "fw, /usr/share/seabios, or /usr/share/qemu");
}

static void test_machine_without_bios_uses_found_seabios(void **state)
{
    struct dirs *d = *state;
    const char *sys[] = { d->b, NULL };
    struct machine_config cfg = { .ram_size = 16u << 20, .firmware_system_dirs = sys };
    char err[MACHINE_ERRMAX];
    struct machine *m = NULL;

    /* Missing everywhere: one line naming the file, the folders and the package. */
    cfg.firmware_dirs[0] = d->a;
    cfg.nfirmware_dirs = 1;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_ERR_BIOS);
    assert_null(m);
    assert_null(strchr(err, '\n'));
    assert_non_null(strstr(err, "bios-256k.bin is not in"));
    assert_non_null(strstr(err, d->a));
    assert_non_null(strstr(err, d->b));
    assert_non_null(strstr(err, "apt-get install seabios"));

    /* Found in -L but of the wrong size: the size check names that file. */
    put_file(d->a, FIRMWARE_BIOS, 1000, 0);
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_ERR_BIOS);
    assert_non_null(strstr(err, d->a));
    assert_non_null(strstr(err, "1000 bytes"));

    /* Found: the image is what the machine maps at the top of 4 GiB. */
    put_file(d->a, FIRMWARE_BIOS, 256u << 10, 0xA5);
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    uint8_t b[4];
    machine_read_phys(m, 0xFFFC0000u, b, sizeof b);
    assert_int_equal(b[0], 0xA5);
    assert_int_equal(b[3], 0xA5);
    machine_destroy(m);

    /* -bios wins over the search. */
    drop_file(d->a, FIRMWARE_BIOS);
    cfg.bios_path = "/nonexistent/orrery/bios.bin";
    put_file(d->b, FIRMWARE_BIOS, 64u << 10, 0);
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_ERR_BIOS);
    assert_non_null(strstr(err, "/nonexistent/orrery/bios.bin"));
}

static size_t count_in_file(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    size_t count = 0;
    for (const char *p = buf; (p = strstr(p, needle)) != NULL; p++)
        count++;
    return count;
}

/* Debian's SeaBIOS, as orrery finds it: POST to "No bootable device.", then a reset (the
 * button) brings the ROM back over its shadow copy (PAM back to 0) and it POSTs again. */
static void test_seabios_posts_again_after_a_reset(void **state)
{
    (void)state;
    char path[256];
    if (!firmware_find(FIRMWARE_BIOS, NULL, 0, NULL, path, sizeof path))
        skip(); /* apt-get install seabios */
    char log[64];
    snprintf(log, sizeof log, "/tmp/orrery-seabios-XXXXXX");
    int fd = mkstemp(log);
    assert_true(fd >= 0);
    close(fd);
    struct machine_config cfg = { .ram_size = 32u << 20, .debugcon = MACHINE_DEBUGCON_FILE,
                                  .debugcon_path = log, .debugcon_port = 0x402,
                                  .icount = true, .icount_shift = 3 };
    char err[MACHINE_ERRMAX];
    struct machine *m = NULL;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    uint8_t reset_vector[16], now[16];
    machine_read_phys(m, 0xFFFF0, reset_vector, sizeof reset_vector);
    assert_int_equal(reset_vector[0], 0xEA); /* SeaBIOS's jmp far */

    assert_int_equal(machine_run(m, 20000000), MACHINE_STOP_BUDGET);
    machine_flush(m);
    assert_int_equal(count_in_file(log, "No bootable device."), 1);
    machine_read_phys(m, 0xFFFF0, now, sizeof now); /* the shadow copy, read only */
    assert_memory_equal(now, reset_vector, 15);   /* SeaBIOS sets its checksum byte */
    assert_int_not_equal(now[15], reset_vector[15]);

    machine_reset(m);
    machine_read_phys(m, 0xFFFF0, now, sizeof now); /* the ROM again */
    assert_memory_equal(now, reset_vector, sizeof now);
    assert_int_equal(machine_run(m, 20000000), MACHINE_STOP_BUDGET);
    machine_flush(m);
    assert_int_equal(count_in_file(log, "No bootable device."), 2);
    /* the second line of each POST (the VGA BIOS's own is "VGABUILD: ") */
    assert_int_equal(count_in_file(log, "\nBUILD: "), 2);
    machine_destroy(m);
    unlink(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_user_dirs_come_before_system_dirs, setup, teardown),
        cmocka_unit_test(test_debian_folders_are_the_default),
        cmocka_unit_test_setup_teardown(test_machine_without_bios_uses_found_seabios, setup,
                                        teardown),
        cmocka_unit_test(test_seabios_posts_again_after_a_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
