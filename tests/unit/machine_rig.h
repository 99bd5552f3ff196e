/* What the machine-level unit tests share: temporary files, a tiny BIOS image built
 * around a test program, a machine on either clock, and the timer program. */
#ifndef ORRERY_TESTS_MACHINE_RIG_H
#define ORRERY_TESTS_MACHINE_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/machine/machine.h"

/* A temporary file name, removed by the test's teardown list. */
struct tmp {
    char path[64];
};

static inline void tmp_make(struct tmp *t)
{
    snprintf(t->path, sizeof t->path, "/tmp/orrery-test-XXXXXX");
    int fd = mkstemp(t->path);
    assert_true(fd >= 0);
    close(fd);
}

static inline void tmp_drop(struct tmp *t)
{
    unlink(t->path);
}

/* An image of `size` bytes (zero filled) whose code at F000:0000 is `code` and whose reset
 * vector jumps there. */
static inline void write_bios(const char *path, size_t size, const uint8_t *code, size_t len)
{
    uint8_t *img = calloc(1, size);
    assert_non_null(img);
    memcpy(img + size - 0x10000, code, len);
    static const uint8_t reset[] = { 0xEA, 0x00, 0x00, 0x00, 0xF0 }; /* jmp F000:0000 */
    memcpy(img + size - 16, reset, sizeof reset);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, size, f), size);
    fclose(f);
    free(img);
}

static inline void write_raw(const char *path, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < size; i++)
        fputc(0, f);
    fclose(f);
}

static inline size_t read_all(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n;
}

/* A test's firmware (program in a 64 KiB image) and its debug console's file. */
struct fw {
    struct tmp bios, con;
};

static inline void fw_make(struct fw *f, const uint8_t *program, size_t len)
{
    tmp_make(&f->bios);
    tmp_make(&f->con);
    write_bios(f->bios.path, 64u << 10, program, len);
}

static inline void fw_drop(struct fw *f)
{
    tmp_drop(&f->bios);
    tmp_drop(&f->con);
}

/* 16 MiB of RAM, the firmware, and the debug console into its file. */
static inline struct machine_config fw_config(const struct fw *f)
{
    struct machine_config cfg = { .ram_size = 16u << 20, .bios_path = f->bios.path,
                                  .debugcon = MACHINE_DEBUGCON_FILE,
                                  .debugcon_path = f->con.path };
    return cfg;
}

/* What the guest wrote to the debug console is the text want. */
static inline void fw_printed(const struct fw *f, const char *want)
{
    char out[256];
    read_all(f->con.path, out, sizeof out);
    assert_string_equal(out, want);
}

/* mov al, c; out 0xE9, al */
#define PUTC(c) 0xB0, (c), 0xE6, 0xE9
#define CLI_HLT 0xFA, 0xF4

/* Programs the PICs and the PIT (channel 0, mode 2, 1193 counts: about 1 kHz), takes IRQ 0
 * five times waiting in HLT, then prints 'T' and stops. */
static const uint8_t prog_timer[] = {
    0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x7c, /* cli; ds = ss = 0; sp */
    0xc7, 0x06, 0x20, 0x00, 0x4b, 0x00,                         /* IVT[8] = F000:004B */
    0xc7, 0x06, 0x22, 0x00, 0x00, 0xf0,
    0xc7, 0x06, 0x00, 0x05, 0x00, 0x00,                         /* ticks = 0 */
    0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x08, 0xe6, 0x21,             /* ICW1, ICW2 */
    0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21,             /* ICW3, ICW4 */
    0xb0, 0xfe, 0xe6, 0x21,                                     /* only IRQ 0 */
    0xb0, 0x34, 0xe6, 0x43, 0xb0, 0xa9, 0xe6, 0x40,             /* PIT: mode 2, 1193 */
    0xb0, 0x04, 0xe6, 0x40,
    0xfb, 0xf4,                                                 /* sti; .wait: hlt */
    0x83, 0x3e, 0x00, 0x05, 0x05, 0x72, 0xf8,                   /* ticks < 5: again */
    0xfa, 0xb0, 0x54, 0xe6, 0xe9, 0xf4,                         /* cli; 'T'; hlt */
    0xff, 0x06, 0x00, 0x05, 0x50, 0xb0, 0x20, 0xe6, 0x20,       /* handler: ticks++; EOI */
    0x58, 0xcf,
};

static inline struct machine *make_clocked(const struct tmp *bios, const struct tmp *con, bool icount,
                                    unsigned shift)
{
    struct machine_config cfg = {
        .ram_size = 16u << 20,
        .bios_path = bios->path,
        .debugcon = MACHINE_DEBUGCON_FILE,
        .debugcon_path = con->path,
        .icount = icount,
        .icount_shift = shift,
    };
    char err[MACHINE_ERRMAX];
    struct machine *m = NULL;
    if (machine_create(&cfg, &m, err) != MACHINE_OK)
        fail_msg("machine_create: %s", err);
    return m;
}

static inline enum machine_stop run_to_stop(struct machine *m)
{
    enum machine_stop why;
    for (unsigned i = 0; i < 100000; i++)
        if ((why = machine_run(m, 100000)) != MACHINE_STOP_BUDGET)
            return why;
    fail_msg("the guest did not stop");
    return MACHINE_STOP_BUDGET;
}

#endif
