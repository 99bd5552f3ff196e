/* The Intel 82077AA floppy disk controller in PC-AT mode (82077AA datasheet), at
 * 0x3F0-0x3F5 and 0x3F7 (0x3F6 is the IDE's), IRQ 6 and DMA channel 2, with up to two
 * drives holding raw images (core/disk).
 *
 * Registers: DOR (0x3F2: drive select, reset, DMA/IRQ gate, motors), TDR (0x3F3), MSR
 * (0x3F4 read: RQM, DIO, NDM, CB, drives seeking), DSR (0x3F4 write: software reset, data
 * rate), the FIFO (0x3F5), DIR (0x3F7 read: disk change of the selected drive) and CCR
 * (0x3F7 write: data rate). SRA/SRB (PS/2 mode only) read all ones.
 *
 * Commands: READ DATA, READ DELETED DATA, WRITE DATA, WRITE DELETED DATA (multi-sector
 * to EOT or DMA terminal count, MT multitrack, the MFM and SK bits accepted; a track
 * also ends at its last sector, where a drive would report ND for an EOT past it, since
 * SeaBIOS asks for such EOTs when a read spans both heads), VERIFY,
 * READ ID, FORMAT TRACK (the filler byte into each sector whose ID is on the track),
 * RECALIBRATE, SEEK and RELATIVE SEEK (overlapped, one interrupt per drive; CONFIGURE's
 * EIS gives the implied seek of read/write), SENSE INTERRUPT STATUS, SENSE DRIVE STATUS,
 * SPECIFY (the ND bit: non-DMA mode), CONFIGURE, VERSION (0x90), LOCK, DUMPREG,
 * PERPENDICULAR MODE; anything else answers ST0 = 0x80. Non-DMA mode moves the data
 * through the FIFO with NDM set and an interrupt per byte. A reset (DOR bit 2 low, or DSR
 * bit 7) interrupts once released, with four "ready changed" statuses (polling, unless
 * CONFIGURE disabled it); LOCK keeps CONFIGURE's values across it.
 *
 * Media: the image size picks the format (fdc_format_for_size): cylinders, heads,
 * sectors per track, the data rate it is read at and the CMOS drive type. A read at
 * another data rate, of a cylinder the head is not on, or of a head or sector the medium
 * lacks fails as on a drive (MA, ND, WC in ST1/ST2); a write to a write-protected medium
 * (a read-only image) fails with NW. Disk change (DIR bit 7) is set at power-on and on a
 * media change and cleared by a step pulse with a medium in.
 *
 * Timing: commands that end with an interrupt finish on the scheduler, shortened from a
 * drive's milliseconds (FDC_* delays below) so that guests do not wait: a step takes
 * FDC_STEP_NS, a data command starts FDC_ACCESS_NS after its last byte and interrupts
 * FDC_ACCESS_NS after its last sector. Data moves whenever the DMA channel runs. */
#ifndef ORRERY_DEVICES_FDC82077_H
#define ORRERY_DEVICES_FDC82077_H

#include <stdbool.h>
#include <stdint.h>

#include "core/disk.h"
#include "core/iobus.h"
#include "core/irq.h"
#include "core/savestate.h"
#include "core/sched.h"
#include "devices/dma8237.h"

#define FDC_PORT 0x3F0
#define FDC_IRQ 6
#define FDC_DMA 2
#define FDC_DRIVES 2

#define FDC_STEP_NS 20000ull       /* per track a seek moves */
#define FDC_SEEK_NS 50000ull       /* a seek's or recalibrate's fixed part */
#define FDC_ACCESS_NS 100000ull    /* before a data command's first and after its last sector */
#define FDC_RESET_NS 20000ull      /* from the end of a reset to its interrupt */

/* A floppy format: what an image of `bytes` bytes holds. */
struct fdc_format {
    uint32_t bytes;
    uint8_t cylinders, heads, spt;
    uint8_t rate;          /* the DSR/CCR data rate code it is read at: 0 500K, 1 300K,
                              2 250K, 3 1M */
    uint8_t cmos_type;     /* CMOS 0x10 drive type: 1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M */
    const char *name;      /* "1.44M" */
};
/* The format of an image of this size, or NULL (not a floppy size). */
const struct fdc_format *fdc_format_for_size(uint64_t bytes);
/* "160K, 180K, ..." for messages. */
const char *fdc_format_list(void);

enum fdc_phase { FDC_CMD, FDC_EXEC, FDC_RESULT };

struct fdc_drive_state {
    uint8_t pcn;           /* present cylinder number: where the head is */
    uint8_t dskchg;        /* the disk-change line */
    uint8_t int_st0;       /* with int_pending's bit: ST0 SENSE INTERRUPT STATUS reports */
    uint8_t seek_target;   /* a seek under way goes there */
    uint8_t next_r;        /* the sector ID passing under the head next (READ ID) */
    uint8_t seek_st0;      /* the ST0 the seek under way ends with */
    uint8_t pad[2];
};

struct fdc_state {
    struct fdc_drive_state drv[4];
    uint8_t dor, tdr, rate, dsr;
    uint8_t phase;             /* enum fdc_phase */
    uint8_t int_level;         /* INT: before the DOR's gate */
    uint8_t int_pending;       /* bit per drive: a status for SENSE INTERRUPT STATUS */
    uint8_t seeking;           /* bit per drive: seek/recalibrate under way (MSR bits 0-3) */
    uint8_t cmd[9];            /* the command bytes received */
    uint8_t ncmd, cmd_len;
    uint8_t res[10];           /* the result bytes */
    uint8_t nres, res_pos;
    uint8_t specify[2];        /* SRT/HUT, HLT/ND */
    uint8_t config, pretrk;    /* CONFIGURE: EIS/EFIFO/POLL/FIFOTHR, precompensation track */
    uint8_t lock, perp;
    /* The data command running: */
    uint8_t op;                /* its opcode (low five bits) */
    uint8_t drive, c, h, r, eot;
    uint8_t st0, st1, st2;
    uint8_t dreq;              /* DREQ raised: DMA is to move buf */
    uint8_t ndma;              /* the command runs in non-DMA mode */
    uint8_t sectors_left;      /* FORMAT: sectors still to receive */
    uint8_t timer_what;        /* what the command timer does when it fires (fdc82077.c) */
    uint8_t pad[2];
    uint16_t buf_pos, buf_len;
    uint8_t buf[DISK_SECTOR];  /* the sector (or FORMAT's ID bytes) in flight */
};

struct fdc;
struct fdc_drive {
    struct fdc *fdc;
    unsigned n;
    struct disk *disk;         /* NULL: no medium */
    const struct fdc_format *fmt; /* the drive's type (from the first medium); NULL: none */
    const struct fdc_format *media; /* the medium's format; NULL: no medium */
    bool readonly;
    int seek_timer;
};

struct fdc {
    struct fdc_state s;
    /* Wiring. */
    struct sched *sched;
    struct dma *dma;
    struct irq_line irq;
    int timer;                 /* the data command's next step and result */
    struct fdc_drive drive[4];
};

/* disks[i]: the image in drive i (NULL: no drive); its size must be a format's
 * (fdc_format_for_size, which the machine checks first). readonly[i]: write-protected. */
int fdc_init(struct fdc *f, struct iobus *io, struct sched *sched, struct dma *dma,
             const struct irq_line *irq6, struct disk *const disks[FDC_DRIVES],
             const bool readonly[FDC_DRIVES]);
void fdc_reset(struct fdc *f);
void fdc_state_loaded(struct fdc *f);
/* A medium change in drive n (a drive the machine has): disk NULL ejects. Returns -1
 * when the image is not a floppy size. Disk change is set. */
int fdc_change_media(struct fdc *f, unsigned n, struct disk *disk, bool readonly);
/* CMOS 0x10: drive 0's type in the high nibble, drive 1's in the low one. */
uint8_t fdc_cmos_types(const struct fdc *f);

extern const struct savestate_desc fdc_savestate; /* struct fdc_state */

#endif
