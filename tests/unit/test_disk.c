/* core/disk: a raw image read and written at byte offsets, and -snapshot's overlay, which
 * serves the guest's writes back and leaves the image file as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/disk.h"

#define SECTORS 64u

static void make_image(char *path, uint8_t *copy)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    for (uint32_t i = 0; i < SECTORS * DISK_SECTOR; i++)
        copy[i] = (uint8_t)(i * 13 + (i >> 9));
    assert_int_equal(write(fd, copy, SECTORS * DISK_SECTOR), (ssize_t)(SECTORS * DISK_SECTOR));
    close(fd);
}

static void file_equals(const char *path, const uint8_t *want)
{
    static uint8_t got[SECTORS * DISK_SECTOR];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(got, 1, sizeof got, f), sizeof got);
    fclose(f);
    assert_memory_equal(got, want, sizeof got);
}

static void test_writes_reach_the_file(void **state)
{
    (void)state;
    char path[] = "/tmp/orrery-test-disk-XXXXXX";
    static uint8_t img[SECTORS * DISK_SECTOR];
    make_image(path, img);
    struct disk d;
    char err[256];
    assert_int_equal(disk_open(&d, path, "-hda t", 0, err, sizeof err), 0);
    assert_int_equal(d.size, SECTORS * DISK_SECTOR);
    uint8_t buf[1000];
    memset(buf, 0xAB, sizeof buf);
    assert_int_equal(disk_write(&d, 700, buf, sizeof buf), 0);
    memset(img + 700, 0xAB, sizeof buf);
    file_equals(path, img);                     /* at once, before any flush */
    assert_int_equal(disk_flush(&d), 0);
    assert_int_equal(disk_read(&d, SECTORS * DISK_SECTOR - 4, buf, 8), -1); /* past the end */
    assert_int_equal(disk_write(&d, SECTORS * DISK_SECTOR, buf, 1), -1);
    disk_close(&d);
    disk_close(&d);                             /* twice is harmless */
    unlink(path);
}

static void test_snapshot_overlay(void **state)
{
    (void)state;
    char path[] = "/tmp/orrery-test-disk-XXXXXX";
    static uint8_t img[SECTORS * DISK_SECTOR], view[SECTORS * DISK_SECTOR];
    make_image(path, img);
    memcpy(view, img, sizeof view);
    struct disk d;
    char err[256];
    assert_int_equal(disk_open(&d, path, "-hda t", DISK_SNAPSHOT, err, sizeof err), 0);
    /* A write across three sectors, starting and ending inside one. */
    uint8_t buf[1000];
    memset(buf, 0x5A, sizeof buf);
    assert_int_equal(disk_write(&d, 3 * 512 + 100, buf, sizeof buf), 0);
    memset(view + 3 * 512 + 100, 0x5A, sizeof buf);
    /* A whole sector. */
    memset(buf, 0xC3, 512);
    assert_int_equal(disk_write(&d, 40 * 512, buf, 512), 0);
    memset(view + 40 * 512, 0xC3, 512);
    static uint8_t got[SECTORS * DISK_SECTOR];
    assert_int_equal(disk_read(&d, 0, got, sizeof got), 0);
    assert_memory_equal(got, view, sizeof got);  /* the guest sees its writes */
    assert_int_equal(disk_read(&d, 3 * 512 + 50, got, 100), 0); /* a part of a sector */
    assert_memory_equal(got, view + 3 * 512 + 50, 100);
    assert_int_equal(disk_flush(&d), 0);
    file_equals(path, img);                     /* the image never changes */
    disk_close(&d);
    file_equals(path, img);
    /* A fresh snapshot starts from the image again. */
    assert_int_equal(disk_open(&d, path, "-hda t", DISK_SNAPSHOT, err, sizeof err), 0);
    assert_int_equal(disk_read(&d, 40 * 512, got, 512), 0);
    assert_memory_equal(got, img + 40 * 512, 512);
    disk_close(&d);
    unlink(path);
}

static void test_snapshot_overlay_folder_missing(void **state)
{
    (void)state;
    char path[] = "/tmp/orrery-test-disk-XXXXXX";
    static uint8_t img[SECTORS * DISK_SECTOR];
    make_image(path, img);
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", "/nonexistent/orrery", 1);
    struct disk d;
    char err[256];
    assert_int_equal(disk_open(&d, path, "-hda t", DISK_SNAPSHOT, err, sizeof err), -1);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    assert_non_null(strstr(err, "-hda t: cannot make the -snapshot overlay in "
                                "/nonexistent/orrery: "));
    assert_non_null(strstr(err, "; set TMPDIR"));
    assert_int_equal(d.fd, -1);
    unlink(path);
}

static void test_disk_open_errors(void **state)
{
    (void)state;
    struct disk d;
    char err[256];
    assert_int_equal(disk_open(&d, "/nonexistent/disk.img", "-hda /nonexistent/disk.img",
                               0, err, sizeof err), -1);
    assert_non_null(strstr(err, "-hda /nonexistent/disk.img: cannot open"));
    assert_non_null(strchr(err, ';'));
    char path[] = "/tmp/orrery-test-odd-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    assert_int_equal(disk_open(&d, path, "odd", 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "512-byte sectors"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_reach_the_file),
        cmocka_unit_test(test_disk_open_errors),
        cmocka_unit_test(test_snapshot_overlay),
        cmocka_unit_test(test_snapshot_overlay_folder_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
