/* The PIIX3 IDE function (00:01.1) and its ATA disks through the ports, as firmware and
 * drivers use them: PCI identity and decode enables, SeaBIOS's presence check, SRST and
 * the signature, IDENTIFY DEVICE, PIO reads and writes (LBA28, CHS, LBA48, MULTIPLE) that
 * reach the image file, INTRQ on IRQ 14 with nIEN, ABRT and IDNF, FLUSH CACHE, an absent
 * device 1, and a bus-master DMA read through a PRD table in RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/disk.h"
#include "devices/pci.h"
#include "devices/piix3_ide.h"
#include "core/bits.h"
#include "devrig.h"

#define DISK_SECTORS 4096u   /* 2 MiB: 4 cylinders of 16 heads x 63 sectors, and a bit */
#define IRQ14 14
#define P 0x1F0
#define CTRL 0x3F6
#define BM 0xC000
#define RAM_SIZE (1u << 20)

struct t {
    struct devrig r;
    struct pci_bus bus;
    struct physmem mem;
    uint8_t *ram;
    struct disk disk;
    char path[64];
    struct piix3_ide ide;
};

/* Byte i of sector n in the image as the tests make it. */
static uint8_t pattern(uint32_t n, uint32_t i)
{
    return (uint8_t)(n * 7 + i * 3 + (n >> 8));
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    rig_init(&t->r);
    assert_int_equal(pci_bus_init(&t->bus, &t->r.io), 0);
    assert_int_equal(physmem_init(&t->mem), 0);
    t->ram = physmem_add_ram(&t->mem, 0, RAM_SIZE);
    snprintf(t->path, sizeof t->path, "/tmp/orrery-test-ide-XXXXXX");
    int fd = mkstemp(t->path);
    assert_true(fd >= 0);
    static uint8_t sec[DISK_SECTOR];
    for (uint32_t n = 0; n < DISK_SECTORS; n++) {
        for (uint32_t i = 0; i < DISK_SECTOR; i++)
            sec[i] = pattern(n, i);
        assert_int_equal(write(fd, sec, sizeof sec), (ssize_t)sizeof sec);
    }
    close(fd);
    char err[256];
    assert_int_equal(disk_open(&t->disk, t->path, "-hda test", 0, err, sizeof err), 0);
    struct disk *const disks[4] = { &t->disk, NULL, NULL, NULL };
    /* A PIIX3 function 0 is not needed: the IDE function is attached at 1.1, and the
     * tests read its configuration with pci_config_read. A header type 0x80 at 1.0
     * makes function 1 visible, as the real ISA bridge does. */
    static struct pci_config isa_cfg;
    static struct pci_function isa;
    pci_function_init(&isa, &isa_cfg);
    pci_header(&isa_cfg, 0x8086, 0x7000, 0, 0x060100, 0x80);
    assert_int_equal(pci_bus_attach(&t->bus, 1, 0, &isa), 0);
    assert_int_equal(piix3_ide_init(&t->ide, &t->bus, &t->r.io, &t->mem, &t->r.line[14],
                                    &t->r.line[15], disks), 0);
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

/* What SeaBIOS's PCI set-up does: I/O space and bus mastering on, BMIBA, both channels'
 * IDETIM decode enable. */
static void enable(struct t *t)
{
    pci_config_write(&t->bus, 1, 1, PCI_COMMAND, 2, 0x0005);
    pci_config_write(&t->bus, 1, 1, PIIX3_IDE_BMIBA, 4, BM);
    pci_config_write(&t->bus, 1, 1, 0x40, 2, 0x8000);
    pci_config_write(&t->bus, 1, 1, 0x42, 2, 0x8000);
}

static void task(struct t *t, uint8_t count, uint32_t lba, uint8_t dev)
{
    outb(&t->r, P + 2, count);
    outb(&t->r, P + 3, (uint8_t)lba);
    outb(&t->r, P + 4, (uint8_t)(lba >> 8));
    outb(&t->r, P + 5, (uint8_t)(lba >> 16));
    outb(&t->r, P + 6, dev);
}

static uint16_t inw(struct t *t)
{
    return (uint16_t)iobus_in(&t->r.io, P, 2);
}

static void read_block(struct t *t, uint8_t *buf, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i += 2) {
        uint16_t w = inw(t);
        buf[i] = (uint8_t)w;
        buf[i + 1] = (uint8_t)(w >> 8);
    }
}

static void check_sector(const uint8_t *buf, uint32_t n)
{
    for (uint32_t i = 0; i < DISK_SECTOR; i++)
        if (buf[i] != pattern(n, i))
            fail_msg("sector %u byte %u: 0x%02x, want 0x%02x", n, i, buf[i], pattern(n, i));
}

static void test_pci_identity_and_decode(void **state)
{
    struct t *t = *state;
    assert_int_equal(pci_config_read(&t->bus, 1, 1, 0, 4), 0x70108086);
    assert_int_equal(pci_config_read(&t->bus, 1, 1, 0x08, 4) >> 8, 0x010180);
    assert_int_equal(pci_config_read(&t->bus, 1, 1, PIIX3_IDE_BMIBA, 4), 1);
    assert_int_equal(pci_config_read(&t->bus, 1, 1, 0x10, 4), 0); /* no BAR0-3: legacy */
    assert_int_equal(pci_config_read(&t->bus, 1, 1, 0x40, 4), 0);
    /* Not decoded at reset. */
    assert_int_equal(inb(&t->r, P + 7), 0xFF);
    pci_config_write(&t->bus, 1, 1, PCI_COMMAND, 2, 0x0001);
    assert_int_equal(inb(&t->r, P + 7), 0xFF);     /* IDETIM still off */
    pci_config_write(&t->bus, 1, 1, 0x40, 2, 0x8000);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(inb(&t->r, 0x177), 0xFF);     /* secondary: still off */
    pci_config_write(&t->bus, 1, 1, 0x42, 2, 0x8000);
    assert_int_equal(inb(&t->r, 0x177), 0xFF);     /* on, but no drive: floating */
    /* What the machine does for a boot without firmware. */
    pci_config_write(&t->bus, 1, 1, PCI_COMMAND, 2, 0);
    pci_config_write(&t->bus, 1, 1, 0x40, 4, 0);
    assert_int_equal(inb(&t->r, P + 7), 0xFF);
    piix3_ide_enable(&t->ide);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(pci_config_read(&t->bus, 1, 1, 0x40, 4), 0x80008000);
    /* BMIBA moves the bus-master registers. */
    pci_config_write(&t->bus, 1, 1, PIIX3_IDE_BMIBA, 4, 0xFFFFFFFF);
    assert_int_equal(pci_config_read(&t->bus, 1, 1, PIIX3_IDE_BMIBA, 4), 0xFFFFFFF1);
    pci_config_write(&t->bus, 1, 1, PIIX3_IDE_BMIBA, 4, BM);
    outl(&t->r, BM + 4, 0x12345678);
    assert_int_equal(inl(&t->r, BM + 4), 0x12345678);
    pci_config_write(&t->bus, 1, 1, PIIX3_IDE_BMIBA, 4, BM + 0x40);
    assert_int_equal(inl(&t->r, BM + 4), 0xFFFFFFFF);
    assert_int_equal(inl(&t->r, BM + 0x44), 0x12345678);
}

static void test_presence_check_and_reset_signature(void **state)
{
    struct t *t = *state;
    enable(t);
    /* SeaBIOS's ata_detect: write the count and sector registers, read them back. */
    outb(&t->r, P + 6, 0xA0);
    outb(&t->r, P + 2, 0x55);
    outb(&t->r, P + 3, 0xAA);
    assert_int_equal(inb(&t->r, P + 2), 0x55);
    assert_int_equal(inb(&t->r, P + 3), 0xAA);
    assert_int_equal(inb(&t->r, P + 6), 0xA0);
    /* SRST: busy while held, then the ATA signature. */
    outb(&t->r, CTRL, ATA_CTL_SRST | ATA_CTL_NIEN);
    assert_int_equal(inb(&t->r, CTRL), ATA_ST_BSY);
    outb(&t->r, CTRL, ATA_CTL_NIEN);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(inb(&t->r, P + 1), 0x01);
    assert_int_equal(inb(&t->r, P + 2), 1);
    assert_int_equal(inb(&t->r, P + 3), 1);
    assert_int_equal(inb(&t->r, P + 4), 0);
    assert_int_equal(inb(&t->r, P + 5), 0);
    /* Device 1 is absent: device 0 answers its registers, its status reads 0, and its
     * commands are not executed. */
    outb(&t->r, P + 6, 0xB0);
    assert_int_equal(inb(&t->r, P + 6), 0xB0);
    assert_int_equal(inb(&t->r, P + 7), 0);
    assert_int_equal(inb(&t->r, CTRL), 0);
    outb(&t->r, P + 7, 0xEC);
    assert_int_equal(inb(&t->r, P + 7), 0);
    outb(&t->r, P + 6, 0xA0);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
}

/* A guest that selects the absent device 1 in the middle of device 0's read moves no
 * data (the data port floats) and device 0's transfer goes on when it is selected again. */
static void test_absent_device_mid_command(void **state)
{
    struct t *t = *state;
    enable(t);
    task(t, 2, 20, 0xE0);
    outb(&t->r, P + 7, 0x20);
    uint8_t buf[512];
    read_block(t, buf, 256);
    outb(&t->r, P + 6, 0xF0);                   /* device 1 */
    assert_int_equal(inw(t), 0xFFFF);
    iobus_out(&t->r.io, P, 2, 0x1234);          /* ignored */
    outb(&t->r, P + 6, 0xE0);
    read_block(t, buf + 256, 256);
    check_sector(buf, 20);
    read_block(t, buf, 512);
    check_sector(buf, 21);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
}

/* A state saved mid-read and loaded where the disk is missing (another command line):
 * the command is dropped, nothing reads a disk that is not there. */
static void test_state_loaded_without_the_disk(void **state)
{
    struct t *t = *state;
    enable(t);
    task(t, 4, 0, 0xE0);
    outb(&t->r, P + 7, 0x20);
    (void)inw(t);
    static struct ata_channel c;
    ata_init(&c, 0, NULL, NULL);
    c.s = t->ide.ch[0].s;
    assert_int_not_equal(c.s.cmd, 0);
    ata_state_loaded(&c);
    assert_int_equal(c.s.cmd, 0);
    assert_int_equal(ata_dma_pending(&c), 0);
    assert_int_equal(ata_read(&c, ATA_DATA, 2), 0xFFFF);
    /* With device 1 selected and only device 0 there, the same. */
    static struct disk none = { .fd = -1 };
    ata_init(&c, 0, &none, NULL);
    c.s = t->ide.ch[0].s;
    c.s.device |= ATA_DEV_DEV1;
    ata_state_loaded(&c);
    assert_int_equal(c.s.cmd, 0);
}

static void test_identify_device(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, CTRL, 0);                           /* nIEN clear: IRQ 14 on */
    outb(&t->r, P + 6, 0xA0);
    outb(&t->r, P + 7, 0xEC);
    assert_int_equal(t->r.rises[IRQ14], 1);
    assert_int_equal(t->r.level[IRQ14], 1);
    assert_int_equal(inb(&t->r, CTRL), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
    assert_int_equal(t->r.level[IRQ14], 1);         /* alternate status leaves INTRQ */
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
    assert_int_equal(t->r.level[IRQ14], 0);         /* status clears it */
    uint16_t id[256];
    read_block(t, (uint8_t *)id, 512);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(id[1], 4);                     /* cylinders: 4096 / (16 * 63) */
    assert_int_equal(id[3], 16);
    assert_int_equal(id[6], 63);
    assert_int_equal(id[60] | (uint32_t)id[61] << 16, DISK_SECTORS);
    assert_true(id[83] & (1u << 10));               /* 48-bit addresses */
    assert_int_equal(id[100], DISK_SECTORS);
    assert_int_equal(id[101] | id[102] | id[103], 0);
    assert_true(id[49] & (1u << 9));                /* LBA */
    assert_int_equal(id[47] & 0xFF, 16);
    assert_int_equal(id[88] & 0x3F, 0x3F);          /* UDMA 0-5 */
    assert_int_equal(id[27], ('O' << 8) | 'R');     /* "ORRERY HARDDISK", swapped pairs */
    assert_int_equal(id[93] & 0xDF61, 0x4041);      /* device 0 answers for device 1 */
    uint8_t sum = 0;
    for (unsigned i = 0; i < 512; i++)
        sum = (uint8_t)(sum + ((uint8_t *)id)[i]);
    assert_int_equal(id[255] & 0xFF, 0xA5);
    assert_int_equal(sum, 0);
    /* With nIEN set, no interrupt. */
    outb(&t->r, CTRL, ATA_CTL_NIEN);
    outb(&t->r, P + 7, 0xEC);
    assert_int_equal(t->r.rises[IRQ14], 1);
    /* An ATA disk aborts IDENTIFY PACKET DEVICE (SeaBIOS tries it first). */
    outb(&t->r, P + 7, 0xA1);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_ERR);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_ABRT);
}

/* The secondary channel interrupts on IRQ 15 and sets its own BMISTA interrupt bit; nIEN
 * masks a pending INTRQ and clearing it lets the line rise again. */
static void test_secondary_irq15_and_nien(void **state)
{
    struct t *t = *state;
    enable(t);
    static struct disk d2;
    char err[256];
    assert_int_equal(disk_open(&d2, t->path, "-hdc test", 0, err, sizeof err), 0);
    t->ide.ch[1].disk[0] = &d2;                 /* a disk on the secondary cable */
    outb(&t->r, 0x376, ATA_CTL_NIEN);
    outb(&t->r, 0x176, 0xA0);
    outb(&t->r, 0x177, 0xEC);
    assert_int_equal(t->r.level[15], 0);        /* masked */
    assert_int_equal(inb(&t->r, BM + 0xA) & BM_ST_INTR, 0);
    outb(&t->r, 0x376, 0);                      /* unmasked: the pending INTRQ shows */
    assert_int_equal(t->r.level[15], 1);
    assert_int_equal(t->r.level[14], 0);
    assert_int_equal(inb(&t->r, BM + 0xA) & BM_ST_INTR, BM_ST_INTR);
    assert_int_equal(inb(&t->r, BM + 2) & BM_ST_INTR, 0);
    outb(&t->r, 0x376, ATA_CTL_NIEN);
    assert_int_equal(t->r.level[15], 0);
    outb(&t->r, 0x376, 0);
    assert_int_equal(t->r.rises[15], 2);
    assert_int_equal(inb(&t->r, 0x177), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
    assert_int_equal(t->r.level[15], 0);        /* status read: INTRQ gone */
    uint8_t buf[512];
    for (unsigned i = 0; i < 512; i += 2) {
        uint16_t w = (uint16_t)iobus_in(&t->r.io, 0x170, 2);
        buf[i] = (uint8_t)w;
        buf[i + 1] = (uint8_t)(w >> 8);
    }
    assert_int_equal(buf[55], 'O');              /* word 27's high byte: the model */
    t->ide.ch[1].disk[0] = NULL;
    disk_close(&d2);
}

static void test_read_sectors_lba28(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, CTRL, 0);
    task(t, 3, 1000, 0xE0);
    outb(&t->r, P + 7, 0x20);
    uint8_t buf[512];
    for (uint32_t n = 1000; n < 1003; n++) {
        assert_int_equal(t->r.rises[IRQ14], n - 999);  /* one INTRQ per block */
        assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
        read_block(t, buf, sizeof buf);
        check_sector(buf, n);
    }
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(t->r.rises[IRQ14], 3);
    /* 32-bit reads of the data port, as SeaBIOS's insl. */
    task(t, 1, 7, 0xE0);
    outb(&t->r, P + 7, 0x20);
    for (unsigned i = 0; i < 512; i += 4) {
        uint32_t d = inl(&t->r, P);
        for (unsigned k = 0; k < 4; k++)
            buf[i + k] = (uint8_t)(d >> (8 * k));
    }
    check_sector(buf, 7);
    /* Past the end: IDNF. */
    task(t, 2, DISK_SECTORS - 1, 0xE0);
    outb(&t->r, P + 7, 0x20);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_ERR);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_IDNF);
}

static void test_write_sectors_reach_the_image(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, CTRL, 0);
    task(t, 2, 300, 0xE0);
    outb(&t->r, P + 7, 0x30);
    assert_int_equal(inb(&t->r, CTRL), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
    assert_int_equal(t->r.rises[IRQ14], 0);      /* none before the first block */
    for (unsigned i = 0; i < 256; i++)
        iobus_out(&t->r.io, P, 2, 0xA000 + i);
    assert_int_equal(t->r.rises[IRQ14], 1);      /* the second block is wanted */
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
    for (unsigned i = 0; i < 256; i++)
        iobus_out(&t->r.io, P, 2, 0xB000 + i);
    assert_int_equal(t->r.rises[IRQ14], 2);      /* done */
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    outb(&t->r, P + 7, 0xE7);                    /* FLUSH CACHE */
    assert_int_equal(t->r.rises[IRQ14], 3);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    /* The file has them, read behind the device's back. */
    FILE *f = fopen(t->path, "rb");
    uint8_t buf[1024];
    assert_int_equal(fseek(f, 300 * 512, SEEK_SET), 0);
    assert_int_equal(fread(buf, 1, sizeof buf, f), sizeof buf);
    fclose(f);
    assert_int_equal(buf[0] | buf[1] << 8, 0xA000);
    assert_int_equal(buf[510] | buf[511] << 8, 0xA0FF);
    assert_int_equal(buf[512] | buf[513] << 8, 0xB000);
    /* And the device reads them back. */
    task(t, 1, 301, 0xE0);
    outb(&t->r, P + 7, 0x20);
    assert_int_equal(inw(t), 0xB000);
}

static void test_chs_and_initialize_device_parameters(void **state)
{
    struct t *t = *state;
    enable(t);
    uint8_t buf[512];
    /* Default geometry 16/63: C 1, H 2, S 5 is LBA (1 * 16 + 2) * 63 + 4. */
    outb(&t->r, P + 2, 1);
    outb(&t->r, P + 3, 5);
    outb(&t->r, P + 4, 1);
    outb(&t->r, P + 5, 0);
    outb(&t->r, P + 6, 0xA2);
    outb(&t->r, P + 7, 0x20);
    read_block(t, buf, 512);
    check_sector(buf, 18 * 63 + 4);
    /* Sector 0 does not exist in CHS. */
    outb(&t->r, P + 3, 0);
    outb(&t->r, P + 7, 0x20);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_IDNF);
    /* INITIALIZE DEVICE PARAMETERS: 4 heads (device bits 3-0 = 3), 17 sectors. */
    outb(&t->r, P + 2, 17);
    outb(&t->r, P + 6, 0xA3);
    outb(&t->r, P + 7, 0x91);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    outb(&t->r, P + 2, 1);
    outb(&t->r, P + 3, 17);
    outb(&t->r, P + 4, 2);
    outb(&t->r, P + 6, 0xA3);
    outb(&t->r, P + 7, 0x20);
    read_block(t, buf, 512);
    check_sector(buf, (2 * 4 + 3) * 17 + 16);
    /* Head 4 is beyond the 4 heads now. */
    outb(&t->r, P + 6, 0xA4);
    outb(&t->r, P + 7, 0x20);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_IDNF);
    uint16_t id[256];
    outb(&t->r, P + 6, 0xA0);
    outb(&t->r, P + 7, 0xEC);
    read_block(t, (uint8_t *)id, 512);
    assert_int_equal(id[55], 4);
    assert_int_equal(id[56], 17);
    assert_int_equal(id[54], DISK_SECTORS / 68);
}

static void test_lba48_and_hob(void **state)
{
    struct t *t = *state;
    enable(t);
    /* Each register written twice: the previous value is the high-order byte. */
    outb(&t->r, P + 2, 0);      /* count 15:8 */
    outb(&t->r, P + 2, 2);      /* count 7:0 */
    outb(&t->r, P + 3, 0);      /* LBA 31:24 */
    outb(&t->r, P + 3, 0x10);   /* LBA 7:0 */
    outb(&t->r, P + 4, 0);
    outb(&t->r, P + 4, 0x02);   /* LBA 15:8 */
    outb(&t->r, P + 5, 0);
    outb(&t->r, P + 5, 0);
    outb(&t->r, CTRL, ATA_CTL_HOB | ATA_CTL_NIEN);
    assert_int_equal(inb(&t->r, P + 2), 0);
    assert_int_equal(inb(&t->r, P + 4), 0);
    outb(&t->r, CTRL, ATA_CTL_NIEN);
    assert_int_equal(inb(&t->r, P + 4), 0x02);
    outb(&t->r, P + 6, 0xE0);
    outb(&t->r, P + 7, 0x24);   /* READ SECTORS EXT */
    uint8_t buf[512];
    read_block(t, buf, 512);
    check_sector(buf, 0x210);
    read_block(t, buf, 512);
    check_sector(buf, 0x211);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    /* LBA 31:24 = 1 is past the end of a 2 MiB disk. */
    outb(&t->r, P + 3, 1);
    outb(&t->r, P + 3, 0);
    outb(&t->r, P + 7, 0x24);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_IDNF);
}

static void test_read_multiple(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, CTRL, 0);
    task(t, 8, 64, 0xE0);
    outb(&t->r, P + 7, 0xC4);                   /* no SET MULTIPLE MODE yet: ABRT */
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_ERR);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_ABRT);
    outb(&t->r, P + 2, 3);
    outb(&t->r, P + 7, 0xC6);                   /* 3 is not a power of two */
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_ABRT);
    outb(&t->r, P + 2, 4);
    outb(&t->r, P + 7, 0xC6);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    unsigned before = t->r.rises[IRQ14];
    task(t, 8, 64, 0xE0);
    outb(&t->r, P + 7, 0xC4);
    uint8_t buf[512];
    for (uint32_t n = 64; n < 72; n++) {
        if (n % 4 == 0)
            assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
        read_block(t, buf, 512);
        check_sector(buf, n);
    }
    assert_int_equal(t->r.rises[IRQ14] - before, 2);  /* one per 4-sector block */
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
}

/* WRITE MULTIPLE EXT: 48-bit address, blocks of the multiple count, INTRQ after each
 * block; the image has the sectors. */
static void test_write_multiple_ext(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, CTRL, 0);
    outb(&t->r, P + 2, 2);
    outb(&t->r, P + 6, 0xE0);
    outb(&t->r, P + 7, 0xC6);                   /* SET MULTIPLE MODE 2 */
    unsigned before = t->r.rises[IRQ14];
    outb(&t->r, P + 2, 0);                      /* count 15:8, then 7:0 = 4 */
    outb(&t->r, P + 2, 4);
    outb(&t->r, P + 3, 0);
    outb(&t->r, P + 3, 0x20);                   /* LBA 0x820 */
    outb(&t->r, P + 4, 0);
    outb(&t->r, P + 4, 0x08);
    outb(&t->r, P + 5, 0);
    outb(&t->r, P + 5, 0);
    outb(&t->r, P + 7, 0x39);
    for (unsigned blk = 0; blk < 2; blk++) {
        assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ);
        for (unsigned i = 0; i < 512; i++)
            iobus_out(&t->r.io, P, 2, (blk << 12) | i);
        assert_int_equal(t->r.rises[IRQ14] - before, blk + 1);
    }
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    FILE *f = fopen(t->path, "rb");
    uint8_t buf[2048];
    assert_int_equal(fseek(f, 0x820 * 512, SEEK_SET), 0);
    assert_int_equal(fread(buf, 1, sizeof buf, f), sizeof buf);
    fclose(f);
    assert_int_equal(buf[0] | buf[1] << 8, 0x0000);
    assert_int_equal(buf[1022] | buf[1023] << 8, 0x01FF);
    assert_int_equal(buf[1024] | buf[1025] << 8, 0x1000);
    assert_int_equal(buf[2046] | buf[2047] << 8, 0x11FF);
}

static void test_set_features_and_unknown_commands(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, P + 6, 0xA0);
    outb(&t->r, P + 1, 0x03);                   /* transfer mode: UDMA 2 */
    outb(&t->r, P + 2, 0x42);
    outb(&t->r, P + 7, 0xEF);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    outb(&t->r, P + 1, 0x82);                   /* write cache off */
    outb(&t->r, P + 7, 0xEF);
    uint16_t id[256];
    outb(&t->r, P + 7, 0xEC);
    read_block(t, (uint8_t *)id, 512);
    assert_int_equal(id[88] >> 8, 0x04);
    assert_int_equal(id[85] & 0x20, 0);
    outb(&t->r, P + 1, 0x03);
    outb(&t->r, P + 2, 0x47);                   /* UDMA 7 does not exist */
    outb(&t->r, P + 7, 0xEF);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_ABRT);
    outb(&t->r, P + 1, 0x77);                   /* no such feature */
    outb(&t->r, P + 7, 0xEF);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_ABRT);
    outb(&t->r, P + 7, 0xFF);                   /* no such command */
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_ERR);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_ABRT);
    outb(&t->r, P + 7, 0x10);                   /* RECALIBRATE clears the error */
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(inb(&t->r, P + 1), 0);
}

static void test_bus_master_dma_read_and_write(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, CTRL, 0);
    /* Two descriptors: 512 bytes at 0x10000, then 1 KiB at 0x20000 (end of table). */
    store_le32(t->ram + 0x8000, 0x10000);
    store_le32(t->ram + 0x8004, 512);
    store_le32(t->ram + 0x8008, 0x20000);
    store_le32(t->ram + 0x800C, 0x80000000u | 1024);
    outl(&t->r, BM + 4, 0x8000);
    outb(&t->r, BM + 2, BM_ST_INTR | BM_ST_ERROR);
    outb(&t->r, BM, BM_CMD_READ);
    task(t, 3, 40, 0xE0);
    outb(&t->r, P + 7, 0xC8);                   /* READ DMA: waits for the bus master */
    assert_int_equal(t->r.rises[IRQ14], 0);
    outb(&t->r, BM, BM_CMD_READ | BM_CMD_START);
    assert_int_equal(t->r.rises[IRQ14], 1);
    assert_int_equal(inb(&t->r, BM + 2) & (BM_ST_INTR | BM_ST_ACTIVE), BM_ST_INTR);
    check_sector(t->ram + 0x10000, 40);
    check_sector(t->ram + 0x20000, 41);
    check_sector(t->ram + 0x20200, 42);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    outb(&t->r, BM, 0);
    outb(&t->r, BM + 2, BM_ST_INTR);
    assert_int_equal(inb(&t->r, BM + 2) & BM_ST_INTR, 0);
    /* WRITE DMA of the first descriptor's 512 bytes, table ended there. */
    store_le32(t->ram + 0x8004, 0x80000000u | 512);
    memset(t->ram + 0x10000, 0x5A, 512);
    task(t, 1, 9, 0xE0);
    outb(&t->r, P + 7, 0xCA);
    outb(&t->r, BM, BM_CMD_START);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    task(t, 1, 9, 0xE0);
    outb(&t->r, P + 7, 0x20);
    assert_int_equal(inw(t), 0x5A5A);
}

/* A byte count of 0 is 64 KiB; a table that ends before the command does stops the bus
 * master (Active clear) with no interrupt, the device still waiting for data. */
static void test_bus_master_prd_edges(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, CTRL, 0);
    store_le32(t->ram + 0x8000, 0x30000);
    store_le32(t->ram + 0x8004, 0x80000000u);   /* 64 KiB, end of table */
    outl(&t->r, BM + 4, 0x8000);
    task(t, 128, 100, 0xE0);
    outb(&t->r, P + 7, 0xC8);
    outb(&t->r, BM, BM_CMD_READ | BM_CMD_START);
    check_sector(t->ram + 0x30000, 100);
    check_sector(t->ram + 0x30000 + 127 * 512, 227);
    assert_int_equal(inb(&t->r, BM + 2) & (BM_ST_INTR | BM_ST_ACTIVE), BM_ST_INTR);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    outb(&t->r, BM, 0);
    outb(&t->r, BM + 2, BM_ST_INTR);
    /* 2 sectors asked for, 512 bytes of table. */
    store_le32(t->ram + 0x8004, 0x80000000u | 512);
    unsigned before = t->r.rises[IRQ14];
    task(t, 2, 100, 0xE0);
    outb(&t->r, P + 7, 0xC8);
    outb(&t->r, BM, BM_CMD_READ | BM_CMD_START);
    assert_int_equal(inb(&t->r, BM + 2) & (BM_ST_INTR | BM_ST_ACTIVE), 0);
    assert_int_equal(t->r.rises[IRQ14], before);
    assert_int_equal(inb(&t->r, P + 7) & ATA_ST_DRQ, ATA_ST_DRQ);
    /* Bus mastering off in PCICMD: a started engine moves nothing. */
    outb(&t->r, BM, 0);
    pci_config_write(&t->bus, 1, 1, PCI_COMMAND, 2, 0x0001);
    memset(t->ram + 0x30000, 0, 512);
    task(t, 1, 5, 0xE0);
    outb(&t->r, P + 7, 0xC8);
    outb(&t->r, BM, BM_CMD_READ | BM_CMD_START);
    assert_int_equal(t->ram[0x30000], 0);
    assert_int_equal(inb(&t->r, P + 7) & ATA_ST_DRQ, ATA_ST_DRQ);
}

/* A write the host refuses (here a file-size limit: EFBIG) fails the guest's command
 * with ABRT, and the disk keeps the cause for the machine to report. */
static void test_host_write_error(void **state)
{
    struct t *t = *state;
    enable(t);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 64 * 512;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    task(t, 1, 10, 0xE0);                       /* below the limit: fine */
    outb(&t->r, P + 7, 0x30);
    for (unsigned i = 0; i < 256; i++)
        iobus_out(&t->r.io, P, 2, i);
    assert_int_equal(inb(&t->r, P + 7), ATA_ST_DRDY | ATA_ST_DSC);
    assert_int_equal(t->disk.error, 0);
    task(t, 1, 100, 0xE0);                      /* past it */
    outb(&t->r, P + 7, 0x30);
    for (unsigned i = 0; i < 256; i++)
        iobus_out(&t->r.io, P, 2, i);
    uint8_t st = inb(&t->r, P + 7);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(st, ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_ERR);
    assert_int_equal(inb(&t->r, P + 1), ATA_ER_ABRT);
    assert_int_equal(t->disk.error, EFBIG);
    assert_string_equal(t->disk.what, "-hda test");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_pci_identity_and_decode),
        T(test_presence_check_and_reset_signature),
        T(test_absent_device_mid_command),
        T(test_state_loaded_without_the_disk),
        T(test_identify_device),
        T(test_secondary_irq15_and_nien),
        T(test_read_sectors_lba28),
        T(test_write_sectors_reach_the_image),
        T(test_chs_and_initialize_device_parameters),
        T(test_lba48_and_hob),
        T(test_read_multiple),
        T(test_write_multiple_ext),
        T(test_set_features_and_unknown_commands),
        T(test_bus_master_dma_read_and_write),
        T(test_bus_master_prd_edges),
        T(test_host_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
