/* An ATA channel: the command block (data, error/features, sector count, LBA low/mid/high,
 * device, status/command) and control block (alternate status/device control) registers
 * of one IDE cable, and up to two ATA hard disks on it (device 0 and 1), as ATA/ATAPI-6
 * defines them. Disks are core/disk backends; the channel has no ports of its own: the
 * controller that owns it (devices/piix3_ide) decodes the legacy ranges and calls
 * ata_read/ata_write with the register's offset.
 *
 * Commands: IDENTIFY DEVICE; READ/WRITE SECTORS, READ/WRITE MULTIPLE and their EXT
 * (48-bit) forms by PIO, with LBA28, LBA48 or CHS addresses; READ/WRITE DMA (and EXT)
 * through the controller's bus master; READ VERIFY; SET MULTIPLE MODE; SET FEATURES (write
 * cache, look-ahead, transfer mode); INITIALIZE DEVICE PARAMETERS; FLUSH CACHE (EXT), which
 * flushes the image file; RECALIBRATE, SEEK, EXECUTE DEVICE DIAGNOSTIC, the power
 * commands. Anything else, IDENTIFY PACKET DEVICE included, ends with ABRT.
 *
 * A device may instead be an ATAPI CD-ROM (ata_set_cdrom): it answers with the packet
 * signature and takes the PACKET command set of devices/atapi.c, sharing this file's task
 * file, data port, INTRQ and bus-master paths.
 *
 * Commands complete at once: BSY is seen only while SRST is held. INTRQ follows the
 * standard: at each DRQ block of a PIO read, after each block of a PIO write but the first,
 * at the end of a non-data or DMA command, or of an error; reading Status (not Alternate
 * Status), writing Command and SRST clear it; nIEN masks it. The registers written are
 * shared by both devices; when device 1 is absent device 0 answers for it, its status
 * reading 0, as ATA-6 says. */
#ifndef ORRERY_DEVICES_ATA_H
#define ORRERY_DEVICES_ATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/disk.h"
#include "core/savestate.h"

/* Command block register offsets (from 0x1F0/0x170) and the control block's (0x3F6/0x376)
 * as ATA_CTRL. */
enum { ATA_DATA = 0, ATA_ERROR = 1, ATA_FEATURE = 1, ATA_COUNT = 2, ATA_LBA_LOW = 3,
       ATA_LBA_MID = 4, ATA_LBA_HIGH = 5, ATA_DEVICE = 6, ATA_STATUS = 7, ATA_COMMAND = 7,
       ATA_CTRL = 8 };
enum { ATA_ST_ERR = 0x01, ATA_ST_DRQ = 0x08, ATA_ST_DSC = 0x10, ATA_ST_DF = 0x20,
       ATA_ST_DRDY = 0x40, ATA_ST_BSY = 0x80 };
enum { ATA_ER_ABRT = 0x04, ATA_ER_IDNF = 0x10, ATA_ER_UNC = 0x40 };
enum { ATA_CTL_NIEN = 0x02, ATA_CTL_SRST = 0x04, ATA_CTL_HOB = 0x80 };
enum { ATA_DEV_LBA = 0x40, ATA_DEV_DEV1 = 0x10 };

#define ATA_MULTIPLE_MAX 16  /* sectors per DRQ block (IDENTIFY word 47) */

struct ata_drive_state {
    uint16_t heads, spt;   /* the current logical geometry (INITIALIZE DEVICE PARAMETERS) */
    uint8_t multiple;      /* sectors per block of READ/WRITE MULTIPLE; 0: not set */
    uint8_t wcache;        /* write cache enabled (SET FEATURES 02h/82h) */
    uint8_t xfer_mode;     /* SET FEATURES 03h: 0 PIO default, 08h+n PIO n, 20h+n MWDMA n,
                              40h+n UDMA n */
    uint8_t lookahead;     /* read look-ahead enabled (AAh/55h) */
    /* ATAPI CD-ROM (devices/atapi.c); zeros on a hard disk. */
    uint8_t sense_key, asc, ascq; /* the sense data REQUEST SENSE returns */
    uint8_t medium;        /* a disc is in the drive (0 after eject or when none is given) */
    uint8_t locked;        /* PREVENT ALLOW MEDIUM REMOVAL: eject refused */
    uint8_t unit_attention;/* the medium changed: the next command gets UNIT ATTENTION */
    uint8_t event;         /* GET EVENT STATUS NOTIFICATION's media event not reported yet */
    uint8_t pad;
};

#define ATAPI_SECTOR 2048u

struct ata_channel_state {
    struct ata_drive_state drive[2];
    /* The task file: [0] the last value written, [1] the one before (48-bit commands). */
    uint8_t feature[2], count[2], lba_low[2], lba_mid[2], lba_high[2];
    uint8_t device, status, error, control;
    uint8_t intrq;         /* the selected device's INTRQ, before nIEN */
    uint8_t cmd;           /* the data command in progress, 0 when none */
    uint8_t dma;           /* cmd moves its data through the bus master */
    uint8_t writing;       /* cmd moves data host to disk */
    uint8_t sig;           /* since a reset or diagnostics, no command or register write yet:
                              selecting a device shows its own signature */
    uint8_t pad;
    uint32_t left;         /* sectors of cmd not done yet, the buffered one included */
    uint16_t block;        /* sectors per DRQ block of cmd (PIO; INTRQ at each block) */
    uint16_t blk_left;     /* sectors of the current block not done yet */
    uint16_t pos, len;     /* bytes moved of the buffer, and how many it holds (0: none) */
    uint64_t lba;          /* the buffered sector's address (ATAPI: the next to load) */
    /* The PACKET command (devices/atapi.c). */
    uint8_t packet[12];    /* its command descriptor block (writing: being received) */
    uint16_t limit;        /* the byte count limit of a PIO DRQ block */
    uint16_t drq_left;     /* bytes of the current DRQ block still to move */
    uint8_t pad2[8];       /* its data: the buffer's rest, then `left` sectors from `lba` */
    uint8_t buf[ATAPI_SECTOR]; /* an ATA sector uses the first 512 bytes */
};

struct ata_channel {
    struct ata_channel_state s;
    /* Wiring: the disks (NULL: no device), the controller's hooks. */
    struct disk *disk[2];
    bool cdrom[2];         /* an ATAPI CD-ROM drive; its disk (2048-byte sectors) may be NULL */
    unsigned index;        /* 0 primary, 1 secondary: names the drives (serial number) */
    void (*intrq_changed)(void *opaque, unsigned index, int level); /* after nIEN */
    void (*dma_ready)(void *opaque, unsigned index);  /* a DMA command waits */
    void *opaque;
};

void ata_init(struct ata_channel *ch, unsigned index, struct disk *d0, struct disk *d1);
void ata_reset(struct ata_channel *ch);          /* hardware reset (power on, RESET-) */
void ata_state_loaded(struct ata_channel *ch);   /* drives INTRQ again */
/* Makes drive (0 or 1) an ATAPI CD-ROM with medium in it (NULL: empty); before reset. */
void ata_set_cdrom(struct ata_channel *ch, unsigned drive, struct disk *medium);
/* A disc inserted into (NULL: taken out of) a CD-ROM drive while the machine runs: UNIT
 * ATTENTION (medium may have changed) and a media event follow. */
void ata_change_medium(struct ata_channel *ch, unsigned drive, struct disk *medium);
bool ata_present(const struct ata_channel *ch);  /* any device on the cable */
int ata_intrq(const struct ata_channel *ch);     /* the line, nIEN applied */

/* Register accesses: reg is an ATA_* offset; size 2 or 4 only for ATA_DATA. */
uint32_t ata_read(struct ata_channel *ch, unsigned reg, unsigned size);
void ata_write(struct ata_channel *ch, unsigned reg, unsigned size, uint32_t value);

/* The bus master's side of a DMA command: 0 none, 1 disk to memory, 2 memory to disk. */
int ata_dma_pending(const struct ata_channel *ch);
/* Moves up to n bytes of it between buf and the disk; returns the bytes moved. The
 * command completes (status, INTRQ) when its last sector is done, or fails on an I/O
 * error. */
size_t ata_dma_rw(struct ata_channel *ch, uint8_t *buf, size_t n);

/* IDENTIFY DEVICE's 256 words for drive (0 or 1), as the guest reads them. */
void ata_identify(const struct ata_channel *ch, unsigned drive, uint16_t id[256]);

extern const struct savestate_desc ata_savestate; /* describes struct ata_channel_state */

#endif
