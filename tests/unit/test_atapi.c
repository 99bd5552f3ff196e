/* The ATAPI CD-ROM (devices/atapi.c) through the PIIX3 IDE ports, as SeaBIOS and Linux's
 * sr driver drive it: a hard disk at the primary master and a CD-ROM with a 64-sector ISO
 * at the primary slave, an empty CD-ROM drive at the secondary master. The signatures,
 * IDENTIFY PACKET DEVICE, PACKET with PIO blocks under the byte count limit and by DMA,
 * and the MMC/SPC commands with their sense data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/bits.h"
#include "core/disk.h"
#include "devices/pci.h"
#include "devices/piix3_ide.h"
#include "devrig.h"

#define CD_SECTORS 64u
#define P 0x1F0
#define S 0x170
#define CTRL 0x3F6
#define BM 0xC000
#define RAM_SIZE (1u << 20)
#define DEV_CD 0xB0          /* primary slave */
#define IRQ14 14

struct t {
    struct devrig r;
    struct pci_bus bus;
    struct physmem mem;
    uint8_t *ram;
    struct disk hd, cd;
    char hd_path[64], cd_path[64];
    struct piix3_ide ide;
};

static uint32_t load_be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t load_be32(const uint8_t *p)
{
    return load_be16(p) << 16 | load_be16(p + 2);
}

static uint8_t pattern(uint32_t n, uint32_t i)
{
    return (uint8_t)(n * 5 + i * 7 + (i >> 8));
}

static void make_file(char *path, uint32_t sectors, uint32_t size)
{
    snprintf(path, 64, "/tmp/orrery-test-atapi-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static uint8_t sec[ATAPI_SECTOR];
    for (uint32_t n = 0; n < sectors; n++) {
        for (uint32_t i = 0; i < size; i++)
            sec[i] = pattern(n, i);
        assert_int_equal(write(fd, sec, size), (ssize_t)size);
    }
    close(fd);
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    rig_init(&t->r);
    assert_int_equal(pci_bus_init(&t->bus, &t->r.io), 0);
    assert_int_equal(physmem_init(&t->mem), 0);
    t->ram = physmem_add_ram(&t->mem, 0, RAM_SIZE);
    make_file(t->hd_path, 64, DISK_SECTOR);
    make_file(t->cd_path, CD_SECTORS, ATAPI_SECTOR);
    char err[256];
    assert_int_equal(disk_open(&t->hd, t->hd_path, "-hda test", 0, err, sizeof err), 0);
    assert_int_equal(disk_open(&t->cd, t->cd_path, "-cdrom test", DISK_READONLY, err,
                               sizeof err), 0);
    struct disk *const disks[4] = { &t->hd, NULL, NULL, NULL };
    static struct pci_config isa_cfg;
    static struct pci_function isa;
    pci_function_init(&isa, &isa_cfg);
    pci_header(&isa_cfg, 0x8086, 0x7000, 0, 0x060100, 0x80);
    assert_int_equal(pci_bus_attach(&t->bus, 1, 0, &isa), 0);
    assert_int_equal(piix3_ide_init(&t->ide, &t->bus, &t->r.io, &t->mem, &t->r.line[14],
                                    &t->r.line[15], disks), 0);
    ata_set_cdrom(&t->ide.ch[0], 1, &t->cd);
    ata_set_cdrom(&t->ide.ch[1], 0, NULL);
    pci_config_write(&t->bus, 1, 1, PCI_COMMAND, 2, 0x0005);
    pci_config_write(&t->bus, 1, 1, PIIX3_IDE_BMIBA, 4, BM);
    pci_config_write(&t->bus, 1, 1, 0x40, 2, 0x8000);
    pci_config_write(&t->bus, 1, 1, 0x42, 2, 0x8000);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    disk_close(&t->hd);
    disk_close(&t->cd);
    unlink(t->hd_path);
    unlink(t->cd_path);
    physmem_free(&t->mem);
    rig_free(&t->r);
    free(t);
    return 0;
}

/* Sends a PACKET command to the device at base/dev: the byte count limit, DMA or not,
 * then the 12-byte packet when the device asks for it (DRQ, C/D). */
static void packet(struct t *t, uint16_t base, uint8_t dev, const uint8_t cdb[12],
                   uint16_t limit, bool dma)
{
    outb(&t->r, base + 6, dev);
    outb(&t->r, base + 1, dma ? 1 : 0);
    outb(&t->r, base + 4, (uint8_t)limit);
    outb(&t->r, base + 5, (uint8_t)(limit >> 8));
    outb(&t->r, base + 7, 0xA0);
    assert_int_equal(inb(&t->r, base + 7) & (ATA_ST_BSY | ATA_ST_DRQ), ATA_ST_DRQ);
    assert_int_equal(inb(&t->r, base + 2) & 3, 1);       /* C/D: the packet, please */
    for (unsigned i = 0; i < 12; i += 2)
        iobus_out(&t->r.io, base, 2, (uint32_t)(cdb[i] | cdb[i + 1] << 8));
}

/* The data of a PIO data-in command, block by block: each DRQ block's byte count (at
 * most limit) from LBA mid/high, reason I/O. Returns the bytes read. */
static unsigned pio_in(struct t *t, uint16_t base, uint8_t *buf, unsigned cap,
                       uint16_t limit, unsigned *blocks)
{
    unsigned n = 0;
    *blocks = 0;
    while (inb(&t->r, base + 7) & ATA_ST_DRQ) {
        assert_int_equal(inb(&t->r, base + 2) & 3, 2);    /* I/O, data */
        unsigned bc = inb(&t->r, base + 4) | inb(&t->r, base + 5) << 8;
        assert_true(bc > 0 && bc <= limit);
        for (unsigned i = 0; i < bc; i += 2) {
            uint16_t w = (uint16_t)iobus_in(&t->r.io, base, 2);
            if (n + 1 < cap) {
                buf[n] = (uint8_t)w;
                buf[n + 1] = (uint8_t)(w >> 8);
            }
            n += bc - i >= 2 ? 2 : 1;
        }
        (*blocks)++;
        assert_true(*blocks < 1000);
    }
    return n;
}

/* The end of a command: reason C/D + I/O, and Status; the sense key from Error. */
static uint8_t end_status(struct t *t, uint16_t base)
{
    assert_int_equal(inb(&t->r, base + 2) & 3, 3);
    return inb(&t->r, base + 7);
}

static unsigned cmd_in(struct t *t, uint16_t base, uint8_t dev, const uint8_t cdb[12],
                       uint8_t *buf, unsigned cap)
{
    unsigned blocks;
    packet(t, base, dev, cdb, 0xFFFE, false);
    return pio_in(t, base, buf, cap, 0xFFFE, &blocks);
}

/* REQUEST SENSE: key << 16 | ASC << 8 | ASCQ. */
static uint32_t sense(struct t *t, uint16_t base, uint8_t dev)
{
    const uint8_t cdb[12] = { 0x03, 0, 0, 0, 18 };
    uint8_t b[18];
    assert_int_equal(cmd_in(t, base, dev, cdb, b, sizeof b), 18);
    assert_int_equal(end_status(t, base) & ATA_ST_ERR, 0);
    assert_int_equal(b[0], 0x70);
    return (uint32_t)(b[2] & 0x0F) << 16 | (uint32_t)b[12] << 8 | b[13];
}

/* A command with no data that must fail with this sense. */
static void check_fails(struct t *t, uint16_t base, uint8_t dev, const uint8_t cdb[12],
                        uint32_t want)
{
    uint8_t b[64];
    assert_int_equal(cmd_in(t, base, dev, cdb, b, sizeof b), 0);
    assert_int_equal(end_status(t, base) & ATA_ST_ERR, ATA_ST_ERR);
    assert_int_equal(inb(&t->r, base + 1), (want >> 16) << 4 | ATA_ER_ABRT);
    assert_int_equal(sense(t, base, dev), want);
}

static void check_good(struct t *t, uint16_t base, uint8_t dev, const uint8_t cdb[12])
{
    uint8_t b[64];
    assert_int_equal(cmd_in(t, base, dev, cdb, b, sizeof b), 0);
    assert_int_equal(end_status(t, base), ATA_ST_DRDY | ATA_ST_DSC);
}

static void test_signatures_and_identify(void **state)
{
    struct t *t = *state;
    outb(&t->r, CTRL, ATA_CTL_SRST);
    outb(&t->r, CTRL, 0);
    /* Device 0, the disk: the ATA signature. */
    assert_int_equal(inb(&t->r, P + 4), 0x00);
    assert_int_equal(inb(&t->r, P + 5), 0x00);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    /* Device 1, the CD-ROM: the packet signature and Status 0. */
    outb(&t->r, P + 6, DEV_CD);
    assert_int_equal(inb(&t->r, P + 2), 1);
    assert_int_equal(inb(&t->r, P + 3), 1);
    assert_int_equal(inb(&t->r, P + 4), 0x14);
    assert_int_equal(inb(&t->r, P + 5), 0xEB);
    assert_int_equal(inb(&t->r, P + 7), 0);
    /* IDENTIFY DEVICE: aborted, the signature kept. */
    outb(&t->r, P + 7, 0xEC);
    assert_int_equal(inb(&t->r, P + 7) & ATA_ST_ERR, ATA_ST_ERR);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_ABRT);
    assert_int_equal(inb(&t->r, P + 4), 0x14);
    assert_int_equal(inb(&t->r, P + 5), 0xEB);
    /* IDENTIFY PACKET DEVICE: ATAPI, CD-ROM, removable; the model. */
    outb(&t->r, P + 7, 0xA1);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
    uint16_t id[256];
    for (unsigned i = 0; i < 256; i++)
        id[i] = (uint16_t)iobus_in(&t->r.io, P, 2);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(id[0], 0x8580);
    assert_int_equal(id[27], ('O' << 8) | 'R');
    assert_int_equal(id[32], ('R' << 8) | 'O');   /* "ORRERY CD-ROM": ..."RO"M */
    assert_int_equal(id[49] & 0x0300, 0x0300);    /* LBA, DMA */
    /* The disk aborts IDENTIFY PACKET DEVICE, as SeaBIOS's probe expects. */
    outb(&t->r, P + 6, 0xA0);
    outb(&t->r, P + 7, 0xA1);
    assert_int_equal(inb(&t->r, P + 7) & ATA_ST_ERR, ATA_ST_ERR);
}

static void test_read10_pio_blocks_under_the_byte_count_limit(void **state)
{
    struct t *t = *state;
    const uint8_t cdb[12] = { 0x28, 0, 0, 0, 0, 5, 0, 0, 2 }; /* READ(10) 5, 2 sectors */
    static uint8_t b[2 * ATAPI_SECTOR];
    unsigned blocks;
    unsigned before = t->r.rises[IRQ14];
    packet(t, P, DEV_CD, cdb, 1000, false);
    assert_int_equal(pio_in(t, P, b, sizeof b, 1000, &blocks), 2 * ATAPI_SECTOR);
    assert_int_equal(blocks, 5);                  /* 1000 x 4 and 96 */
    assert_int_equal(end_status(t, P), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(t->r.rises[IRQ14] - before, 6); /* each block, and the end */
    for (unsigned i = 0; i < 2 * ATAPI_SECTOR; i++)
        if (b[i] != pattern(5 + i / ATAPI_SECTOR, i % ATAPI_SECTOR))
            fail_msg("byte %u: 0x%02x", i, b[i]);
    /* READ(12) of the last sector; a count of 0 moves nothing. */
    const uint8_t cdb12[12] = { 0xA8, 0, 0, 0, 0, CD_SECTORS - 1, 0, 0, 0, 1 };
    assert_int_equal(cmd_in(t, P, DEV_CD, cdb12, b, sizeof b), ATAPI_SECTOR);
    assert_int_equal(b[100], pattern(CD_SECTORS - 1, 100));
    const uint8_t none[12] = { 0x28, 0, 0, 0, 0, 5 };
    check_good(t, P, DEV_CD, none);
}

static void test_read_by_dma(void **state)
{
    struct t *t = *state;
    /* 3 sectors through two descriptors: 2 KiB at 0x10000, 4 KiB at 0x20000 (end). */
    store_le32(t->ram + 0x8000, 0x10000);
    store_le32(t->ram + 0x8004, 2048);
    store_le32(t->ram + 0x8008, 0x20000);
    store_le32(t->ram + 0x800C, 0x80000000u | 4096);
    outl(&t->r, BM + 4, 0x8000);
    outb(&t->r, BM, BM_CMD_READ);
    const uint8_t cdb[12] = { 0x28, 0, 0, 0, 0, 10, 0, 0, 3 };
    packet(t, P, DEV_CD, cdb, 0, true);
    assert_int_equal(inb(&t->r, P + 7) & ATA_ST_DRQ, ATA_ST_DRQ); /* waits for the bus master */
    outb(&t->r, BM, BM_CMD_READ | BM_CMD_START);
    assert_int_equal(inb(&t->r, BM + 2) & (BM_ST_INTR | BM_ST_ACTIVE), BM_ST_INTR);
    assert_int_equal(end_status(t, P), ATA_ST_DRDY | ATA_ST_DSC);
    for (unsigned i = 0; i < ATAPI_SECTOR; i++) {
        assert_int_equal(t->ram[0x10000 + i], pattern(10, i));
        assert_int_equal(t->ram[0x20000 + i], pattern(11, i));
        assert_int_equal(t->ram[0x20800 + i], pattern(12, i));
    }
    outb(&t->r, BM, 0);
}

static void test_inquiry_capacity_and_toc(void **state)
{
    struct t *t = *state;
    uint8_t b[64];
    const uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    assert_int_equal(cmd_in(t, P, DEV_CD, inq, b, sizeof b), 36);
    assert_int_equal(b[0], 0x05);                 /* CD/DVD */
    assert_int_equal(b[1], 0x80);                 /* removable */
    assert_memory_equal(b + 16, "CD-ROM", 6);
    const uint8_t cap[12] = { 0x25 };
    assert_int_equal(cmd_in(t, P, DEV_CD, cap, b, sizeof b), 8);
    assert_int_equal(load_be32(b), CD_SECTORS - 1);
    assert_int_equal(load_be32(b + 4), 2048);
    /* READ TOC format 0, LBA: track 1 at 0, the lead-out at 64. */
    const uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 64 };
    assert_int_equal(cmd_in(t, P, DEV_CD, toc, b, sizeof b), 20);
    assert_int_equal(b[1], 18);
    assert_int_equal(b[2], 1);
    assert_int_equal(b[3], 1);
    assert_int_equal(b[5], 0x14);
    assert_int_equal(b[6], 1);
    assert_int_equal(load_be32(b + 8), 0);
    assert_int_equal(b[14], 0xAA);
    assert_int_equal(load_be32(b + 16), CD_SECTORS);
    /* MSF: 00:02:00 and 64 + 150 frames = 00:02:64. */
    const uint8_t msf[12] = { 0x43, 0x02, 0, 0, 0, 0, 0, 0, 64 };
    assert_int_equal(cmd_in(t, P, DEV_CD, msf, b, sizeof b), 20);
    assert_memory_equal(b + 8, "\0\0\2\0", 4);
    assert_memory_equal(b + 16, "\0\0\2\100", 4);
    /* Format 1: one session, its first track at 0. */
    const uint8_t ses[12] = { 0x43, 0, 1, 0, 0, 0, 0, 0, 12 };
    assert_int_equal(cmd_in(t, P, DEV_CD, ses, b, sizeof b), 12);
    assert_int_equal(b[1], 10);
    assert_int_equal(b[6], 1);
    /* The allocation length cuts a reply short. */
    const uint8_t shorter[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 6 };
    assert_int_equal(cmd_in(t, P, DEV_CD, shorter, b, sizeof b), 6);
    /* READ DISC INFORMATION: complete, one session. */
    const uint8_t di[12] = { 0x51, 0, 0, 0, 0, 0, 0, 0, 34 };
    assert_int_equal(cmd_in(t, P, DEV_CD, di, b, sizeof b), 34);
    assert_int_equal(b[2], 0x0E);
    assert_int_equal(b[4], 1);
    const uint8_t speed[12] = { 0xBB, 0, 0xFF, 0xFF };
    check_good(t, P, DEV_CD, speed);
}

static void test_mode_sense_configuration_and_events(void **state)
{
    struct t *t = *state;
    uint8_t b[128];
    /* MODE SENSE(10), page 2Ah: header, then the page with eject and lock. */
    const uint8_t ms10[12] = { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 128 };
    assert_int_equal(cmd_in(t, P, DEV_CD, ms10, b, sizeof b), 28);
    assert_int_equal(load_be16(b), 26);
    assert_int_equal(b[8], 0x2A);
    assert_int_equal(b[9], 18);
    assert_int_equal(b[14] & 0x09, 0x09);
    /* MODE SENSE(6), all pages: 4 + 12 + 20. */
    const uint8_t ms6[12] = { 0x1A, 0, 0x3F, 0, 255 };
    assert_int_equal(cmd_in(t, P, DEV_CD, ms6, b, sizeof b), 36);
    assert_int_equal(b[0], 35);
    assert_int_equal(b[4], 0x01);
    assert_int_equal(b[16], 0x2A);
    /* Saved values are not supported; an unknown page is an invalid field. */
    const uint8_t saved[12] = { 0x5A, 0, 0xEA, 0, 0, 0, 0, 0, 128 };
    check_fails(t, P, DEV_CD, saved, 0x053900);
    const uint8_t page5[12] = { 0x5A, 0, 0x05, 0, 0, 0, 0, 0, 128 };
    check_fails(t, P, DEV_CD, page5, 0x052400);
    /* GET CONFIGURATION: the current profile is CD-ROM; rt=2 gives one feature. */
    const uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 128 };
    unsigned n = cmd_in(t, P, DEV_CD, gc, b, sizeof b);
    assert_int_equal(load_be32(b), n - 4);
    assert_int_equal(load_be16(b + 6), 0x0008);
    assert_int_equal(load_be16(b + 8), 0x0000);   /* the profile list first */
    assert_int_equal(load_be16(b + 12), 0x0008);
    const uint8_t gc1[12] = { 0x46, 2, 0, 0x1E, 0, 0, 0, 0, 128 };
    assert_int_equal(cmd_in(t, P, DEV_CD, gc1, b, sizeof b), 16);
    assert_int_equal(load_be16(b + 8), 0x001E);
    /* GET EVENT STATUS NOTIFICATION: no media event yet; polled only. */
    const uint8_t gesn[12] = { 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    assert_int_equal(cmd_in(t, P, DEV_CD, gesn, b, sizeof b), 8);
    assert_int_equal(b[2], 0x04);
    assert_int_equal(b[4], 0);
    assert_int_equal(b[5], 0x02);                 /* media present */
    const uint8_t async[12] = { 0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8 };
    check_fails(t, P, DEV_CD, async, 0x052400);
    /* MECHANISM STATUS: 8 bytes, no changer. */
    const uint8_t mech[12] = { 0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8 };
    assert_int_equal(cmd_in(t, P, DEV_CD, mech, b, sizeof b), 8);
    assert_int_equal(b[1], 0);
}

static void test_illegal_requests(void **state)
{
    struct t *t = *state;
    const uint8_t unknown[12] = { 0xFF };
    check_fails(t, P, DEV_CD, unknown, 0x052000);
    const uint8_t past[12] = { 0x28, 0, 0, 0, 0, CD_SECTORS - 1, 0, 0, 2 };
    check_fails(t, P, DEV_CD, past, 0x052100);
    const uint8_t far12[12] = { 0xA8, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1 };
    check_fails(t, P, DEV_CD, far12, 0x052100);
    const uint8_t toc5[12] = { 0x43, 0, 5, 0, 0, 0, 0, 0, 64 };
    check_fails(t, P, DEV_CD, toc5, 0x052400);
    const uint8_t evpd[12] = { 0x12, 1, 0x80, 0, 36 };
    check_fails(t, P, DEV_CD, evpd, 0x052400);
    /* A good command clears the sense. */
    const uint8_t tur[12] = { 0x00 };
    check_good(t, P, DEV_CD, tur);
    assert_int_equal(sense(t, P, DEV_CD), 0);
}

static void test_no_medium_then_insertion(void **state)
{
    struct t *t = *state;
    const uint8_t tur[12] = { 0x00 };
    const uint8_t cap[12] = { 0x25 };
    const uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 };
    /* The empty drive on the secondary channel answers, with NOT READY, no medium. */
    outb(&t->r, S + 6, 0xA0);
    assert_int_equal(inb(&t->r, S + 4), 0x14);
    check_fails(t, S, 0xA0, tur, 0x023A00);
    check_fails(t, S, 0xA0, cap, 0x023A00);
    check_fails(t, S, 0xA0, rd, 0x023A00);
    uint8_t b[64];
    const uint8_t mech[12] = { 0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8 };
    assert_int_equal(cmd_in(t, S, 0xA0, mech, b, sizeof b), 8);
    assert_int_equal(b[1], 0x10);                 /* door open */
    /* A disc goes in: UNIT ATTENTION once (INQUIRY is let through), then ready. */
    ata_change_medium(&t->ide.ch[1], 0, &t->cd);
    const uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    assert_int_equal(cmd_in(t, S, 0xA0, inq, b, sizeof b), 36);
    check_fails(t, S, 0xA0, tur, 0x062800);
    check_good(t, S, 0xA0, tur);
    /* GESN reports the new medium once. */
    const uint8_t gesn[12] = { 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    assert_int_equal(cmd_in(t, S, 0xA0, gesn, b, sizeof b), 8);
    assert_int_equal(b[4], 2);
    assert_int_equal(cmd_in(t, S, 0xA0, gesn, b, sizeof b), 8);
    assert_int_equal(b[4], 0);
    assert_int_equal(cmd_in(t, S, 0xA0, rd, b, sizeof b), ATAPI_SECTOR);
    assert_int_equal(b[7], pattern(0, 7));
    /* REQUEST SENSE reports a pending UNIT ATTENTION itself, and uses it up. */
    ata_change_medium(&t->ide.ch[1], 0, &t->cd);
    assert_int_equal(sense(t, S, 0xA0), 0x062800);
    check_good(t, S, 0xA0, tur);
}

static void test_eject_prevented_then_allowed(void **state)
{
    struct t *t = *state;
    const uint8_t prevent[12] = { 0x1E, 0, 0, 0, 1 };
    const uint8_t allow[12] = { 0x1E, 0, 0, 0, 0 };
    const uint8_t eject[12] = { 0x1B, 0, 0, 0, 0x02 };
    const uint8_t load[12] = { 0x1B, 0, 0, 0, 0x03 };
    const uint8_t tur[12] = { 0x00 };
    uint8_t b[64];
    check_good(t, P, DEV_CD, prevent);
    const uint8_t ms10[12] = { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 128 };
    assert_int_equal(cmd_in(t, P, DEV_CD, ms10, b, sizeof b), 28);
    assert_int_equal(b[14] & 0x02, 0x02);         /* locked */
    check_fails(t, P, DEV_CD, eject, 0x055302);
    check_good(t, P, DEV_CD, tur);
    check_good(t, P, DEV_CD, allow);
    check_good(t, P, DEV_CD, eject);
    check_fails(t, P, DEV_CD, tur, 0x023A00);
    const uint8_t gesn[12] = { 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    assert_int_equal(cmd_in(t, P, DEV_CD, gesn, b, sizeof b), 8);
    assert_int_equal(b[4], 3);                    /* media removal */
    assert_int_equal(b[5], 0);
    /* Loading puts the disc back: a changed medium to report. */
    check_good(t, P, DEV_CD, load);
    check_fails(t, P, DEV_CD, tur, 0x062800);
    check_good(t, P, DEV_CD, tur);
}

/* A hostile saved state must not reach a disc that is not there or a packet on a disk. */
static void test_state_loaded_drops_impossible_commands(void **state)
{
    struct t *t = *state;
    struct ata_channel *ch = &t->ide.ch[1];         /* the empty drive */
    ch->s.cmd = 0x20;                               /* READ SECTORS on a CD-ROM */
    ch->s.status = ATA_ST_DRQ | ATA_ST_DRDY;
    ch->s.left = 5;
    ch->s.len = 512;
    ch->s.pos = 510;
    ata_state_loaded(ch);
    assert_int_equal(ch->s.cmd, 0);
    ch->s.cmd = 0;                                  /* DRQ with no command, a sector to go */
    ch->s.status = ATA_ST_DRQ | ATA_ST_DRDY;
    ch->s.left = 5;
    ch->s.len = 512;
    ch->s.pos = 510;
    ata_state_loaded(ch);
    (void)iobus_in(&t->r.io, S, 2);                 /* no disc read: a failed command */
    ch->s.cmd = 0xA0;                               /* a packet read with nothing loaded */
    ch->s.dma = 0;
    ch->s.writing = 0;
    ch->s.status = ATA_ST_DRQ;
    ch->s.left = 3;
    ch->s.pos = ch->s.len = 0;
    ch->s.drq_left = 100;
    ata_state_loaded(ch);
    for (unsigned i = 0; i < 8; i++)
        (void)iobus_in(&t->r.io, S, 2);
    assert_int_equal(ch->s.cmd, 0);                 /* ended: no medium */
    struct ata_channel *p = &t->ide.ch[0];
    p->s.device = 0;                                /* a packet command on the disk */
    p->s.cmd = 0xA0;
    ata_state_loaded(p);
    assert_int_equal(p->s.cmd, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signatures_and_identify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read10_pio_blocks_under_the_byte_count_limit,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_by_dma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inquiry_capacity_and_toc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_sense_configuration_and_events, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_illegal_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_medium_then_insertion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eject_prevented_then_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_loaded_drops_impossible_commands, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
