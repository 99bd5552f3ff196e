/* The 82077AA through its ports with a 1.44M image in drive A: and DMA channel 2, as
 * firmware and drivers use it: the reset interrupt and its four polling statuses,
 * VERSION, CONFIGURE/LOCK/DUMPREG, SPECIFY, PERPENDICULAR MODE, invalid opcodes;
 * RECALIBRATE and SEEK finishing later on IRQ 6 (drive busy in MSR meanwhile);
 * READ DATA through DMA (multi-sector, multitrack, terminal count, the next sector in
 * the result), the end of a track without terminal count, a wrong data rate (MA), a
 * wrong cylinder (ND, WC); WRITE DATA reaching the image, refused on a write-protected
 * one (NW); READ ID, FORMAT TRACK, VERIFY; non-DMA mode byte by byte; SENSE DRIVE
 * STATUS; disk change; a transfer waiting for the guest to unmask the channel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "core/disk.h"
#include "devices/dma8237.h"
#include "devices/fdc82077.h"
#include "devrig.h"

#define RAM_SIZE (1u << 20)
#define SPT 18
#define HEADS 2
#define IMG_SECTORS (80 * HEADS * SPT)
#define DOR 0x3F2
#define MSR 0x3F4
#define FIFO 0x3F5
#define DIR 0x3F7
#define IRQ6 6
#define BUF 0x10000u

struct t {
    struct devrig r;
    struct physmem mem;
    uint8_t *ram;
    struct disk disk;
    char path[64];
    struct dma dma;
    struct fdc fdc;
};

static uint8_t pattern(uint32_t lba, uint32_t i)
{
    return (uint8_t)(lba * 13 + i * 5 + (lba >> 8));
}

static void make(struct t *t, bool readonly)
{
    rig_init(&t->r);
    assert_int_equal(physmem_init(&t->mem), 0);
    t->ram = physmem_add_ram(&t->mem, 0, RAM_SIZE);
    snprintf(t->path, sizeof t->path, "/tmp/orrery-test-fdc-XXXXXX");
    int fd = mkstemp(t->path);
    assert_true(fd >= 0);
    static uint8_t sec[DISK_SECTOR];
    for (uint32_t n = 0; n < IMG_SECTORS; n++) {
        for (uint32_t i = 0; i < DISK_SECTOR; i++)
            sec[i] = pattern(n, i);
        assert_int_equal(write(fd, sec, sizeof sec), (ssize_t)sizeof sec);
    }
    close(fd);
    char err[256];
    assert_int_equal(disk_open(&t->disk, t->path, "-fda test", readonly ? DISK_READONLY : 0,
                               err, sizeof err), 0);
    assert_int_equal(dma_init(&t->dma, &t->r.io, &t->mem), 0);
    struct disk *const disks[2] = { &t->disk, NULL };
    const bool ro[2] = { readonly, false };
    assert_int_equal(fdc_init(&t->fdc, &t->r.io, &t->r.sched, &t->dma, &t->r.line[IRQ6],
                              disks, ro), 0);
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    make(t, false);
    *state = t;
    return 0;
}

static int setup_readonly(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    make(t, true);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    disk_close(&t->disk);
    unlink(t->path);
    physmem_free(&t->mem);
    rig_free(&t->r);
    free(t);
    return 0;
}

static void cmd(struct t *t, const uint8_t *bytes, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(inb(&t->r, MSR) & 0xC0, 0x80); /* RQM, to the controller */
        outb(&t->r, FIFO, bytes[i]);
    }
}
#define CMD(t, ...) cmd(t, (const uint8_t[]){ __VA_ARGS__ }, \
                        sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void results(struct t *t, uint8_t *out, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(inb(&t->r, MSR) & 0xC0, 0xC0); /* RQM, from the controller */
        out[i] = inb(&t->r, FIFO);
    }
    assert_int_equal(inb(&t->r, MSR) & 0xD0, 0x80);     /* back to the command phase */
}

static void sense_int(struct t *t, uint8_t *st0, uint8_t *pcn)
{
    CMD(t, 0x08);
    uint8_t r[2];
    results(t, r, 2);
    *st0 = r[0];
    *pcn = r[1];
}

/* SeaBIOS's way in: DOR 0 then 0x0C, the interrupt, SENSE INTERRUPT STATUS for each
 * drive; motor on, 500 kbit/s (the 1.44M medium's rate) in the CCR. */
static void enable(struct t *t)
{
    outb(&t->r, DOR, 0x00);
    assert_int_equal(inb(&t->r, MSR), 0);  /* in reset */
    outb(&t->r, DOR, 0x0C);
    assert_int_equal(t->r.level[IRQ6], 0); /* the interrupt comes a little later */
    rig_advance(&t->r, FDC_RESET_NS);
    assert_int_equal(t->r.level[IRQ6], 1);
    for (unsigned d = 0; d < 4; d++) {
        uint8_t st0, pcn;
        sense_int(t, &st0, &pcn);
        assert_int_equal(st0, 0xC0 | d);
    }
    outb(&t->r, DOR, 0x1C);
    outb(&t->r, DIR, 0x00);
}

/* Channel 2 writes memory (a read from the disk) or reads it; cascade open. */
static void dma_setup(struct t *t, uint32_t addr, uint32_t bytes, bool to_memory)
{
    outb(&t->r, 0xD6, 0xC0);
    outb(&t->r, 0xD4, 0x00);
    outb(&t->r, 0x0A, 0x06);
    outb(&t->r, 0x0C, 0);
    outb(&t->r, 0x04, (uint8_t)addr);
    outb(&t->r, 0x04, (uint8_t)(addr >> 8));
    outb(&t->r, 0x0C, 0);
    outb(&t->r, 0x05, (uint8_t)(bytes - 1));
    outb(&t->r, 0x05, (uint8_t)((bytes - 1) >> 8));
    outb(&t->r, 0x0B, to_memory ? 0x46 : 0x4A);
    outb(&t->r, 0x81, (uint8_t)(addr >> 16));
    outb(&t->r, 0x0A, 0x02);
}

static void seek(struct t *t, unsigned cyl)
{
    CMD(t, 0x0F, 0x00, (uint8_t)cyl);
    rig_advance(&t->r, FDC_SEEK_NS + 100 * FDC_STEP_NS);
    uint8_t st0, pcn;
    sense_int(t, &st0, &pcn);
    assert_int_equal(st0, 0x20);
    assert_int_equal(pcn, cyl);
}

/* Waits for the command's interrupt and reads its seven result bytes. */
static void wait_result(struct t *t, uint8_t r[7])
{
    assert_int_equal(t->r.level[IRQ6], 0);
    rig_advance(&t->r, 4 * FDC_ACCESS_NS);
    assert_int_equal(t->r.level[IRQ6], 1);
    results(t, r, 7);
    assert_int_equal(t->r.level[IRQ6], 0);
}

static void check_lba(struct t *t, uint32_t addr, uint32_t lba)
{
    for (uint32_t i = 0; i < DISK_SECTOR; i++)
        if (t->ram[addr + i] != pattern(lba, i))
            fail_msg("LBA %u byte %u: 0x%02x, want 0x%02x", lba, i, t->ram[addr + i],
                     pattern(lba, i));
}

static uint32_t lba(unsigned c, unsigned h, unsigned r)
{
    return (c * HEADS + h) * SPT + r - 1;
}

static void test_reset_interrupt_reports_four_drives(void **state)
{
    struct t *t = *state;
    outb(&t->r, DOR, 0x0C);
    rig_advance(&t->r, FDC_RESET_NS);
    assert_int_equal(t->r.level[IRQ6], 1);
    for (unsigned d = 0; d < 4; d++) {
        uint8_t st0, pcn;
        sense_int(t, &st0, &pcn);
        assert_int_equal(st0, 0xC0 | d);
        assert_int_equal(t->r.level[IRQ6], 0);
    }
    CMD(t, 0x08);                      /* nothing left: invalid */
    uint8_t r;
    results(t, &r, 1);
    assert_int_equal(r, 0x80);
    /* A software reset through the DSR interrupts again. */
    outb(&t->r, MSR, 0x80);
    rig_advance(&t->r, FDC_RESET_NS);
    assert_int_equal(t->r.level[IRQ6], 1);
    /* The DOR's DMA gate (bit 3) gates IRQ 6. */
    outb(&t->r, DOR, 0x04);
    assert_int_equal(t->r.level[IRQ6], 0);
    outb(&t->r, DOR, 0x0C);
    assert_int_equal(t->r.level[IRQ6], 1);
}

static void test_version_configure_lock_dumpreg(void **state)
{
    struct t *t = *state;
    enable(t);
    uint8_t r[10];
    CMD(t, 0x10);
    results(t, r, 1);
    assert_int_equal(r[0], 0x90);
    CMD(t, 0x03, 0xAF, 0x02);                   /* SPECIFY: no result */
    CMD(t, 0x13, 0x00, 0x57, 0x10);             /* CONFIGURE: EIS, FIFO on, threshold 7 */
    CMD(t, 0x12, 0x84 | 0x03);                  /* PERPENDICULAR: D0, GAP, WGATE */
    CMD(t, 0x94);                               /* LOCK */
    results(t, r, 1);
    assert_int_equal(r[0], 0x10);
    CMD(t, 0x0E);
    results(t, r, 10);
    assert_int_equal(r[4], 0xAF);
    assert_int_equal(r[5], 0x02);
    assert_int_equal(r[7], 0x80 | 0x07);        /* LOCK, D0, GAP, WGATE */
    assert_int_equal(r[8], 0x57);
    assert_int_equal(r[9], 0x10);
    /* Locked: CONFIGURE survives a reset; GAP and WGATE do not. */
    outb(&t->r, DOR, 0x08);
    outb(&t->r, DOR, 0x0C);
    rig_advance(&t->r, FDC_RESET_NS);
    CMD(t, 0x0E);
    results(t, r, 10);
    assert_int_equal(r[8], 0x57);
    assert_int_equal(r[7], 0x80 | 0x04);
    CMD(t, 0x14);                               /* unlock */
    results(t, r, 1);
    assert_int_equal(r[0], 0x00);
    CMD(t, 0x1F);                               /* not a command */
    results(t, r, 1);
    assert_int_equal(r[0], 0x80);
}

static void test_recalibrate_and_seek_interrupt_later(void **state)
{
    struct t *t = *state;
    enable(t);
    CMD(t, 0x0F, 0x00, 40);
    assert_int_equal(inb(&t->r, MSR), 0x81);    /* ready for commands, drive 0 seeking */
    assert_int_equal(t->r.level[IRQ6], 0);
    rig_advance(&t->r, FDC_SEEK_NS + 39 * FDC_STEP_NS);
    assert_int_equal(t->r.level[IRQ6], 0);      /* 40 steps take longer */
    rig_advance(&t->r, FDC_STEP_NS);
    assert_int_equal(t->r.level[IRQ6], 1);
    assert_int_equal(inb(&t->r, MSR), 0x80);
    uint8_t st0, pcn;
    sense_int(t, &st0, &pcn);
    assert_int_equal(st0, 0x20);
    assert_int_equal(pcn, 40);
    CMD(t, 0xCF, 0x04, 5);                      /* RELATIVE SEEK up 5, head 1 */
    rig_advance(&t->r, FDC_SEEK_NS + 5 * FDC_STEP_NS);
    sense_int(t, &st0, &pcn);
    assert_int_equal(st0, 0x24);
    assert_int_equal(pcn, 45);
    CMD(t, 0x07, 0x00);                         /* RECALIBRATE */
    rig_advance(&t->r, FDC_SEEK_NS + 45 * FDC_STEP_NS);
    sense_int(t, &st0, &pcn);
    assert_int_equal(st0, 0x20);
    assert_int_equal(pcn, 0);
    CMD(t, 0x07, 0x02);                         /* drive 2 is not there: no track 0 */
    rig_advance(&t->r, FDC_SEEK_NS);
    sense_int(t, &st0, &pcn);
    assert_int_equal(st0, 0x72);
}

static void test_read_multitrack_through_dma(void **state)
{
    struct t *t = *state;
    enable(t);
    seek(t, 3);
    /* From sector 17 of head 0: 17, 18, then head 1's 1 and 2; TC after four. */
    dma_setup(t, BUF, 4 * DISK_SECTOR, true);
    CMD(t, 0xE6, 0x00, 3, 0, 17, 2, 18, 0x1B, 0xFF);
    assert_int_equal(inb(&t->r, MSR) & 0xF0, 0x10); /* busy, no RQM: DMA runs it */
    uint8_t r[7];
    wait_result(t, r);
    assert_memory_equal(r, ((uint8_t[]){ 0x04, 0, 0, 3, 1, 3, 2 }), 7);
    check_lba(t, BUF, lba(3, 0, 17));
    check_lba(t, BUF + 512, lba(3, 0, 18));
    check_lba(t, BUF + 1024, lba(3, 1, 1));
    check_lba(t, BUF + 1536, lba(3, 1, 2));
    assert_int_equal(inb(&t->r, 0x08) & 0x04, 0x04); /* the channel's terminal count */
    /* Without MT, the end of the track without terminal count: EN, abnormal. */
    dma_setup(t, BUF, 8 * DISK_SECTOR, true);
    CMD(t, 0x46, 0x00, 3, 0, 17, 2, 18, 0x1B, 0xFF);
    wait_result(t, r);
    assert_memory_equal(r, ((uint8_t[]){ 0x40, 0x80, 0, 4, 0, 1, 2 }), 7);
}

static void test_read_errors(void **state)
{
    struct t *t = *state;
    enable(t);
    uint8_t r[7];
    dma_setup(t, BUF, DISK_SECTOR, true);
    /* The head is on cylinder 0: cylinder 5's ID is not found. */
    CMD(t, 0xE6, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF);
    wait_result(t, r);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], 0x04);               /* ND */
    assert_int_equal(r[2], 0x10);               /* WC */
    /* Sector 19 does not exist. */
    CMD(t, 0xE6, 0x00, 0, 0, 19, 2, 19, 0x1B, 0xFF);
    wait_result(t, r);
    assert_int_equal(r[1], 0x04);
    /* 250 kbit/s is not the rate of a 1.44M medium: no address mark. */
    outb(&t->r, DIR, 0x02);
    CMD(t, 0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    wait_result(t, r);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], 0x01);               /* MA */
    CMD(t, 0x4A, 0x00);                         /* READ ID fails the same way */
    wait_result(t, r);
    assert_int_equal(r[1], 0x01);
    outb(&t->r, DIR, 0x00);
    CMD(t, 0x4A, 0x04);                         /* and works at 500 kbit/s */
    wait_result(t, r);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[4], 1);
    uint8_t first = r[5];
    CMD(t, 0x4A, 0x04);
    wait_result(t, r);
    assert_int_equal(r[5], first % SPT + 1);    /* the next ID under the head */
    assert_int_equal(r[6], 2);
}

static void test_write_reaches_the_image(void **state)
{
    struct t *t = *state;
    enable(t);
    seek(t, 10);
    for (unsigned i = 0; i < 2 * DISK_SECTOR; i++)
        t->ram[BUF + i] = (uint8_t)(i * 7 + 1);
    dma_setup(t, BUF, 2 * DISK_SECTOR, false);
    CMD(t, 0xC5, 0x04, 10, 1, 5, 2, 18, 0x1B, 0xFF);
    uint8_t r[7];
    wait_result(t, r);
    assert_memory_equal(r, ((uint8_t[]){ 0x04, 0, 0, 10, 1, 7, 2 }), 7);
    uint8_t sec[2 * DISK_SECTOR];
    assert_int_equal(disk_read(&t->disk, (uint64_t)lba(10, 1, 5) * DISK_SECTOR, sec,
                               sizeof sec), 0);
    assert_memory_equal(sec, t->ram + BUF, sizeof sec);
    uint8_t next[DISK_SECTOR];
    assert_int_equal(disk_read(&t->disk, (uint64_t)lba(10, 1, 7) * DISK_SECTOR, next,
                               sizeof next), 0);
    assert_int_equal(next[0], pattern(lba(10, 1, 7), 0)); /* untouched */
    /* SENSE DRIVE STATUS: not protected, not at track 0, ready. */
    CMD(t, 0x04, 0x00);
    results(t, r, 1);
    assert_int_equal(r[0], 0x28);
}

static void test_write_protected_image_refuses(void **state)
{
    struct t *t = *state;
    enable(t);
    dma_setup(t, BUF, DISK_SECTOR, false);
    CMD(t, 0xC5, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    uint8_t r[7];
    wait_result(t, r);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], 0x02);               /* NW */
    CMD(t, 0x04, 0x00);
    results(t, r, 1);
    assert_int_equal(r[0], 0x40 | 0x28 | 0x10); /* WP, track 0 */
    uint8_t sec[DISK_SECTOR];
    assert_int_equal(disk_read(&t->disk, 0, sec, sizeof sec), 0);
    assert_int_equal(sec[0], pattern(0, 0));
}

static void test_format_track_fills_sectors(void **state)
{
    struct t *t = *state;
    enable(t);
    seek(t, 2);
    for (unsigned s = 0; s < SPT; s++) {
        uint8_t *id = t->ram + BUF + 4 * s;
        id[0] = 2;
        id[1] = 1;
        id[2] = (uint8_t)(s + 1);
        id[3] = 2;
    }
    dma_setup(t, BUF, 4 * SPT, false);
    CMD(t, 0x4D, 0x04, 2, SPT, 0x6C, 0xF6);
    uint8_t r[7];
    wait_result(t, r);
    assert_int_equal(r[0] & 0xC0, 0);
    uint8_t sec[DISK_SECTOR];
    for (unsigned s = 1; s <= SPT; s++) {
        assert_int_equal(disk_read(&t->disk, (uint64_t)lba(2, 1, s) * DISK_SECTOR, sec,
                                   sizeof sec), 0);
        assert_int_equal(sec[0], 0xF6);
        assert_int_equal(sec[511], 0xF6);
    }
    assert_int_equal(disk_read(&t->disk, (uint64_t)lba(2, 0, 1) * DISK_SECTOR, sec,
                               sizeof sec), 0);
    assert_int_equal(sec[0], pattern(lba(2, 0, 1), 0)); /* the other side untouched */
    /* VERIFY the track: no data moves, normal end at EOT. */
    CMD(t, 0x16, 0x04, 2, 1, 1, 2, SPT, 0x1B, 0xFF);
    wait_result(t, r);
    assert_int_equal(r[0] & 0xC0, 0);
}

static void test_non_dma_read_byte_by_byte(void **state)
{
    struct t *t = *state;
    enable(t);
    CMD(t, 0x03, 0xAF, 0x03);                   /* SPECIFY with ND: non-DMA */
    CMD(t, 0x46, 0x00, 0, 0, 2, 2, 3, 0x1B, 0xFF);
    assert_int_equal(inb(&t->r, MSR), 0x30);    /* busy, non-DMA, no byte yet */
    rig_advance(&t->r, FDC_ACCESS_NS);
    unsigned rises = t->r.rises[IRQ6];
    for (uint32_t s = 0; s < 2; s++) {
        for (uint32_t i = 0; i < DISK_SECTOR; i++) {
            assert_int_equal(inb(&t->r, MSR), 0xF0); /* RQM, DIO, NDM, CB */
            assert_int_equal(inb(&t->r, FIFO), pattern(lba(0, 0, 2 + s), i));
        }
    }
    assert_true(t->r.rises[IRQ6] - rises >= 2 * DISK_SECTOR - 1); /* a byte each */
    /* EOT reached without terminal count (there is none without DMA). */
    uint8_t r[7];
    wait_result(t, r);
    assert_memory_equal(r, ((uint8_t[]){ 0x40, 0x80, 0, 1, 0, 1, 2 }), 7);
}

static void test_transfer_waits_for_the_channel(void **state)
{
    struct t *t = *state;
    enable(t);
    dma_setup(t, BUF, DISK_SECTOR, true);
    outb(&t->r, 0x0A, 0x06);                    /* the guest masks channel 2 again */
    CMD(t, 0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    rig_advance(&t->r, 10 * FDC_ACCESS_NS);
    assert_int_equal(t->r.level[IRQ6], 0);      /* waiting for DMA */
    assert_int_equal(inb(&t->r, 0x08) & 0x40, 0x40); /* DREQ 2 up */
    outb(&t->r, 0x0A, 0x02);
    uint8_t r[7];
    wait_result(t, r);
    assert_int_equal(r[0], 0x00);
    check_lba(t, BUF, 0);
}

static void test_disk_change_line(void **state)
{
    struct t *t = *state;
    enable(t);
    assert_int_equal(inb(&t->r, DIR) & 0x80, 0x80); /* since power-on */
    CMD(t, 0x0F, 0x00, 0);                      /* no step: stays */
    rig_advance(&t->r, FDC_SEEK_NS);
    uint8_t st0, pcn;
    sense_int(t, &st0, &pcn);
    assert_int_equal(inb(&t->r, DIR) & 0x80, 0x80);
    seek(t, 1);                                 /* a step with a medium in clears it */
    assert_int_equal(inb(&t->r, DIR) & 0x80, 0x00);
    assert_int_equal(fdc_change_media(&t->fdc, 0, NULL, false), 0);
    assert_int_equal(inb(&t->r, DIR) & 0x80, 0x80);
    seek(t, 2);                                 /* no medium: stays */
    assert_int_equal(inb(&t->r, DIR) & 0x80, 0x80);
    uint8_t r[7];
    CMD(t, 0x4A, 0x00);
    wait_result(t, r);
    assert_int_equal(r[1], 0x01);               /* nothing to read: MA */
    assert_int_equal(fdc_change_media(&t->fdc, 0, &t->disk, false), 0);
    seek(t, 3);
    assert_int_equal(inb(&t->r, DIR) & 0x80, 0x00);
    assert_int_equal(fdc_cmos_types(&t->fdc), 0x40);
}

static void test_formats_by_size(void **state)
{
    (void)state;
    static const struct { uint32_t kib; uint8_t cyl, heads, spt, type; } want[] = {
        { 160, 40, 1, 8, 1 }, { 180, 40, 1, 9, 1 }, { 320, 40, 2, 8, 1 },
        { 360, 40, 2, 9, 1 }, { 720, 80, 2, 9, 3 }, { 1200, 80, 2, 15, 2 },
        { 1440, 80, 2, 18, 4 }, { 1680, 80, 2, 21, 4 }, { 2880, 80, 2, 36, 5 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct fdc_format *f = fdc_format_for_size((uint64_t)want[i].kib * 1024);
        assert_non_null(f);
        assert_int_equal(f->cylinders, want[i].cyl);
        assert_int_equal(f->heads, want[i].heads);
        assert_int_equal(f->spt, want[i].spt);
        assert_int_equal(f->cmos_type, want[i].type);
        assert_int_equal((uint32_t)f->cylinders * f->heads * f->spt * 512, f->bytes);
    }
    assert_null(fdc_format_for_size(1000 * 1024));
    assert_null(fdc_format_for_size(0));
}

/* A hostile guest: bytes at every port in every phase never crash or hang. */
static void test_garbage_never_breaks_it(void **state)
{
    struct t *t = *state;
    enable(t);
    uint32_t x = 12345;
    for (unsigned i = 0; i < 200000; i++) {
        x = x * 1103515245 + 12345;
        uint16_t port = (uint16_t)(0x3F0 + (x >> 8) % 8);
        if ((x >> 20) & 1)
            outb(&t->r, port, (uint8_t)(x >> 24));
        else
            inb(&t->r, port);
        if ((x & 0xFF) == 0)
            rig_advance(&t->r, FDC_ACCESS_NS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_interrupt_reports_four_drives, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_version_configure_lock_dumpreg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recalibrate_and_seek_interrupt_later, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_read_multitrack_through_dma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_reaches_the_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_protected_image_refuses, setup_readonly,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_format_track_fills_sectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_dma_read_byte_by_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_waits_for_the_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_change_line, setup, teardown),
        cmocka_unit_test(test_formats_by_size),
        cmocka_unit_test_setup_teardown(test_garbage_never_breaks_it, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
