#include "devices/ata.h"
#include "devices/atapi.h"

#include <stdio.h>
#include <string.h>

/* Default geometry (ATA-6 Annex on CHS translation): 16 heads, 63 sectors per track, as
 * many cylinders as fit, at most 16383. */
#define DEF_HEADS 16u
#define DEF_SPT 63u
#define CYL_MAX 16383u

static struct disk *sel_disk(const struct ata_channel *ch)
{
    return ch->disk[(ch->s.device & ATA_DEV_DEV1) ? 1 : 0];
}

/* The selected device is there (a disk, or a CD-ROM drive with or without a disc). */
static bool sel_present(const struct ata_channel *ch)
{
    unsigned d = (ch->s.device & ATA_DEV_DEV1) ? 1 : 0;
    return ch->disk[d] || ch->cdrom[d];
}

static bool sel_cdrom(const struct ata_channel *ch)
{
    return ch->cdrom[(ch->s.device & ATA_DEV_DEV1) ? 1 : 0];
}

static struct ata_drive_state *sel_drive(struct ata_channel *ch)
{
    return &ch->s.drive[(ch->s.device & ATA_DEV_DEV1) ? 1 : 0];
}

static uint64_t sectors_of(const struct disk *d)
{
    return d ? d->size / DISK_SECTOR : 0;
}

static uint32_t default_cylinders(uint64_t sectors)
{
    uint64_t c = sectors / (DEF_HEADS * DEF_SPT);
    return c == 0 ? 1 : c > CYL_MAX ? CYL_MAX : (uint32_t)c;
}

bool ata_present(const struct ata_channel *ch)
{
    return ch->disk[0] || ch->disk[1] || ch->cdrom[0] || ch->cdrom[1];
}

int ata_intrq(const struct ata_channel *ch)
{
    return ch->s.intrq && !(ch->s.control & ATA_CTL_NIEN) && sel_present(ch);
}

static void drive_line(struct ata_channel *ch)
{
    if (ch->intrq_changed)
        ch->intrq_changed(ch->opaque, ch->index, ata_intrq(ch));
}

void ata_set_intrq_(struct ata_channel *ch, uint8_t v)
{
    ch->s.intrq = v;
    drive_line(ch);
}

static void set_intrq(struct ata_channel *ch, uint8_t v)
{
    ata_set_intrq_(ch, v);
}

/* The selected device's signature in the task file: an ATA device's, or a packet
 * device's (ATA/ATAPI-6 §9.12), whose Status is 0 until it takes a command. Each device
 * keeps its own registers; the one task file here shows the selected device's while no
 * command or register write has come since the reset (sig). */
static void show_signature(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    if (sel_cdrom(ch)) {
        atapi_signature(ch);
        s->status = 0;
    } else {
        s->count[0] = s->lba_low[0] = 1;
        s->lba_mid[0] = s->lba_high[0] = 0;
        s->status = ATA_ST_DRDY | ATA_ST_DSC;
    }
}

/* The signature devices leave after a reset or diagnostics, device 0 selected. */
static void signature(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    s->device = 0;
    s->error = 0x01; /* device 0 passed, device 1 passed or absent */
    s->sig = 1;
    show_signature(ch);
}

static void drive_defaults(struct ata_drive_state *d)
{
    memset(d, 0, sizeof *d);
    d->heads = DEF_HEADS;
    d->spt = DEF_SPT;
    d->wcache = 1;
    d->lookahead = 1;
}

void ata_reset(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    memset(s, 0, sizeof *s);
    drive_defaults(&s->drive[0]);
    drive_defaults(&s->drive[1]);
    s->block = 1;
    for (unsigned d = 0; d < 2; d++)
        s->drive[d].medium = ch->cdrom[d] && ch->disk[d];
    signature(ch);
    drive_line(ch);
}

void ata_set_cdrom(struct ata_channel *ch, unsigned drive, struct disk *medium)
{
    ch->cdrom[drive & 1] = true;
    ch->disk[drive & 1] = medium;
    ata_reset(ch);
}

void ata_change_medium(struct ata_channel *ch, unsigned drive, struct disk *medium)
{
    struct ata_drive_state *d = &ch->s.drive[drive & 1];
    if (!ch->cdrom[drive & 1])
        return;
    ch->disk[drive & 1] = medium;
    d->medium = medium != NULL;
    d->locked = 0;
    d->unit_attention = medium != NULL;
    d->event = medium ? 2 : 3; /* NewMedia, MediaRemoval (MMC GESN media class) */
}

void ata_init(struct ata_channel *ch, unsigned index, struct disk *d0, struct disk *d1)
{
    memset(ch, 0, sizeof *ch);
    ch->index = index;
    ch->disk[0] = d0;
    ch->disk[1] = d1;
    ata_reset(ch);
}

void ata_state_loaded(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    /* The ranges the description checks keep pos and len inside the buffer; an odd
     * pos or one past len (a hand-made state) is brought back to a word boundary. */
    if (s->pos > s->len)
        s->pos = s->len;
    s->pos &= (uint16_t)~1u;
    for (unsigned d = 0; d < 2; d++)
        if (!ch->cdrom[d] || !ch->disk[d])
            s->drive[d].medium = 0;
    /* A state saved with a disk this machine does not have, or a packet command on a
     * device that is not a CD-ROM here: the command is gone. */
    bool packet_cmd = s->cmd == 0xA0 || s->cmd == 0xA1;
    if (s->cmd && (!sel_present(ch) || packet_cmd != sel_cdrom(ch) ||
                   (s->cmd == 0xA1 && s->dma))) {
        s->cmd = s->dma = 0;
        s->pos = s->len = 0;
        s->status = 0;
    }
    if (s->cmd == 0xA1) { /* IDENTIFY PACKET DEVICE: one block from the buffer */
        s->left = s->blk_left = 1;
        s->writing = 0;
    }
    drive_line(ch);
}

/* ---- IDENTIFY DEVICE ---- */

/* ATA strings: two characters a word, the first in the high byte, padded with spaces. */
void ata_id_string_(uint16_t *w, unsigned words, const char *str)
{
    size_t n = strlen(str);
    for (unsigned i = 0; i < words * 2; i++) {
        uint8_t c = i < n ? (uint8_t)str[i] : ' ';
        if (i & 1)
            w[i / 2] |= c;
        else
            w[i / 2] = (uint16_t)(c << 8);
    }
}

void ata_identify(const struct ata_channel *ch, unsigned drive, uint16_t id[256])
{
    const struct ata_drive_state *d = &ch->s.drive[drive & 1];
    uint64_t sectors = sectors_of(ch->disk[drive & 1]);
    memset(id, 0, 256 * sizeof id[0]);
    id[0] = 0x0040;                       /* fixed device, not removable */
    id[1] = (uint16_t)default_cylinders(sectors);
    id[3] = DEF_HEADS;
    id[6] = DEF_SPT;
    char serial[21];
    snprintf(serial, sizeof serial, "ORRERY-ATA%u", ch->index * 2 + (drive & 1));
    ata_id_string_(&id[10], 10, serial);
    ata_id_string_(&id[23], 4, "0.1");
    ata_id_string_(&id[27], 20, "ORRERY HARDDISK");
    id[47] = 0x8000 | ATA_MULTIPLE_MAX;    /* READ/WRITE MULTIPLE: up to 16 sectors */
    id[49] = 0x0300;                      /* LBA, DMA */
    id[51] = 0x0200;                      /* PIO timing mode 2 (obsolete field) */
    id[53] = 0x0007;                      /* words 54-58, 64-70 and 88 are valid */
    /* The current logical CHS geometry and its capacity. */
    uint32_t hs = (uint32_t)d->heads * d->spt;
    uint64_t cyl = hs ? sectors / hs : 0;
    if (cyl > 65535)
        cyl = 65535;
    uint32_t cur = (uint32_t)(cyl * hs);
    id[54] = (uint16_t)cyl;
    id[55] = d->heads;
    id[56] = d->spt;
    id[57] = (uint16_t)cur;
    id[58] = (uint16_t)(cur >> 16);
    id[59] = d->multiple ? (uint16_t)(0x0100 | d->multiple) : 0;
    uint64_t lba28 = sectors > 0x0FFFFFFF ? 0x0FFFFFFF : sectors;
    id[60] = (uint16_t)lba28;
    id[61] = (uint16_t)(lba28 >> 16);
    unsigned mode = d->xfer_mode;
    id[63] = 0x0007 | ((mode >> 3) == 4 ? (uint16_t)(0x100 << (mode & 7)) : 0); /* MWDMA 0-2 */
    id[64] = 0x0003;                      /* PIO modes 3 and 4 */
    id[65] = id[66] = id[67] = id[68] = 120; /* cycle times, ns */
    id[80] = 0x007E;                      /* ATA-1 to ATA-6 */
    id[82] = 0x4000 | 0x0040 | 0x0020 | 0x0008; /* look-ahead, write cache, power mgmt */
    id[83] = 0x4000 | 0x2000 | 0x1000 | 0x0400; /* FLUSH CACHE (EXT), 48-bit addresses */
    id[84] = 0x4000;
    id[85] = (uint16_t)(0x0008 | (d->lookahead ? 0x0040 : 0) | (d->wcache ? 0x0020 : 0));
    id[86] = 0x2000 | 0x1000 | 0x0400;
    id[87] = 0x4000;
    id[88] = 0x003F | ((mode >> 3) == 8 ? (uint16_t)(0x100 << (mode & 7)) : 0); /* UDMA 0-5 */
    /* Hardware reset result: device 0 by jumper, diagnostics passed; it answers for an
     * absent device 1; 80-conductor cable. Device 1: by jumper. */
    if (drive == 0)
        id[93] = (uint16_t)(0x6000 | 0x0009 | 0x0002 | (ch->disk[1] ? 0x0020 : 0x0040));
    else
        id[93] = 0x6000 | 0x0300;
    id[100] = (uint16_t)sectors;
    id[101] = (uint16_t)(sectors >> 16);
    id[102] = (uint16_t)(sectors >> 32);
    id[103] = (uint16_t)(sectors >> 48);
    /* Integrity word: A5h, and a checksum making the 512 bytes sum to 0. */
    id[255] = 0x00A5;
    uint8_t sum = 0;
    for (unsigned i = 0; i < 255; i++)
        sum = (uint8_t)(sum + (id[i] & 0xFF) + (id[i] >> 8));
    sum = (uint8_t)(sum + 0xA5);
    id[255] |= (uint16_t)((uint8_t)-sum << 8);
}

/* ---- Command completion ---- */

static void complete(struct ata_channel *ch)
{
    ch->s.cmd = 0;
    ch->s.dma = 0;
    ch->s.status = ATA_ST_DRDY | ATA_ST_DSC;
    set_intrq(ch, 1);
}

static void fail(struct ata_channel *ch, uint8_t error)
{
    ch->s.cmd = 0;
    ch->s.dma = 0;
    ch->s.pos = ch->s.len = 0;
    ch->s.error = error;
    ch->s.status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_ERR;
    set_intrq(ch, 1);
}

/* ---- Addresses ---- */

/* The first sector and the count of a read/write command, checked against the disk.
 * Returns false (IDNF) when the range does not exist or CHS values are out of range. */
static bool address(struct ata_channel *ch, bool ext, uint64_t *lba, uint32_t *count)
{
    struct ata_channel_state *s = &ch->s;
    uint64_t sectors = sectors_of(sel_disk(ch));
    if (ext) {
        *lba = (uint64_t)s->lba_low[0] | (uint64_t)s->lba_mid[0] << 8 |
               (uint64_t)s->lba_high[0] << 16 | (uint64_t)s->lba_low[1] << 24 |
               (uint64_t)s->lba_mid[1] << 32 | (uint64_t)s->lba_high[1] << 40;
        *count = (uint32_t)s->count[0] | (uint32_t)s->count[1] << 8;
        if (*count == 0)
            *count = 65536;
    } else {
        *count = s->count[0] ? s->count[0] : 256;
        if (s->device & ATA_DEV_LBA) {
            *lba = (uint64_t)s->lba_low[0] | (uint64_t)s->lba_mid[0] << 8 |
                   (uint64_t)s->lba_high[0] << 16 | (uint64_t)(s->device & 0x0F) << 24;
        } else {
            const struct ata_drive_state *d = sel_drive(ch);
            uint32_t cyl = s->lba_mid[0] | (uint32_t)s->lba_high[0] << 8;
            uint32_t head = s->device & 0x0F, sec = s->lba_low[0];
            if (sec == 0 || sec > d->spt || head >= d->heads)
                return false;
            *lba = ((uint64_t)cyl * d->heads + head) * d->spt + sec - 1;
        }
    }
    return *lba < sectors && *count <= sectors - *lba;
}

/* ---- Data transfer ----
 *
 * One sector is buffered at a time: `left` counts the command's sectors not yet done
 * (the buffered one included) and `blk_left` those of the current DRQ block, whose
 * boundaries are where INTRQ goes up. */

/* The sector at lba into the buffer (reads). */
static bool load_sector(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    if (!sel_disk(ch) || sel_cdrom(ch) ||
        disk_read(sel_disk(ch), s->lba * DISK_SECTOR, s->buf, DISK_SECTOR)) {
        fail(ch, ATA_ER_UNC);
        return false;
    }
    s->pos = 0;
    s->len = DISK_SECTOR;
    return true;
}

/* The buffer to the sector at lba (writes). */
static bool store_sector(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    if (!sel_disk(ch) || sel_cdrom(ch) ||
        disk_write(sel_disk(ch), s->lba * DISK_SECTOR, s->buf, DISK_SECTOR)) {
        fail(ch, ATA_ER_ABRT);
        return false;
    }
    return true;
}

/* A new DRQ block of a PIO command: its first sector ready (read) or awaited (write). */
static void begin_block(struct ata_channel *ch, bool intrq)
{
    struct ata_channel_state *s = &ch->s;
    s->blk_left = s->left < s->block ? s->left : s->block;
    if (s->writing) {
        s->pos = 0;
        s->len = DISK_SECTOR;
    } else if (!load_sector(ch)) {
        return;
    }
    s->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
    if (intrq)
        set_intrq(ch, 1);
}

static void start_transfer(struct ata_channel *ch, uint8_t cmd, bool ext, bool writing,
                           bool dma, uint32_t block)
{
    struct ata_channel_state *s = &ch->s;
    uint64_t lba;
    uint32_t count;
    if (!address(ch, ext, &lba, &count)) {
        fail(ch, ATA_ER_IDNF);
        return;
    }
    s->cmd = cmd;
    s->writing = writing;
    s->dma = dma;
    s->lba = lba;
    s->left = count;
    s->block = dma ? 1 : block;
    s->blk_left = 0;
    s->pos = s->len = 0;
    if (dma) {
        s->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
        if (ch->dma_ready)
            ch->dma_ready(ch->opaque, ch->index);
        return;
    }
    begin_block(ch, !writing); /* a write's first block comes without INTRQ */
}

/* The host read or wrote the last byte of the buffered sector of a PIO command. */
static void sector_done(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    if (s->writing && !store_sector(ch))
        return;
    s->lba++;
    if (s->left) /* never 0 here, but a state file might say so */
        s->left--;
    if (s->blk_left)
        s->blk_left--;
    if (!s->left) {
        if (s->writing) {
            complete(ch);
        } else {               /* no INTRQ after the last block of a read */
            s->cmd = 0;
            s->status = ATA_ST_DRDY | ATA_ST_DSC;
        }
        s->pos = s->len = 0;
        return;
    }
    if (!s->blk_left) {
        begin_block(ch, true);
    } else if (s->writing) {
        s->pos = 0;
    } else {
        load_sector(ch);
    }
}

/* The host may move data: a PIO sector is open on a device that is there. */
static bool pio_active(const struct ata_channel *ch)
{
    return sel_present(ch) && (ch->s.status & ATA_ST_DRQ) && !ch->s.dma &&
           ch->s.pos + 2u <= ch->s.len;
}

static uint32_t data_read(struct ata_channel *ch, unsigned size)
{
    struct ata_channel_state *s = &ch->s;
    uint32_t v = 0;
    if (s->cmd == 0xA0 && sel_cdrom(ch))
        return atapi_data_read(ch, size);
    for (unsigned i = 0; i < size; i += 2) {
        if (!pio_active(ch) || s->writing)
            return size == 4 ? 0xFFFFFFFFu : 0xFFFF;
        v |= (uint32_t)(s->buf[s->pos] | s->buf[s->pos + 1] << 8) << (8 * i);
        s->pos += 2;
        if (s->pos >= s->len)
            sector_done(ch);
    }
    return v;
}

static void data_write(struct ata_channel *ch, unsigned size, uint32_t v)
{
    struct ata_channel_state *s = &ch->s;
    if (s->cmd == 0xA0 && sel_cdrom(ch)) {
        atapi_data_write(ch, size, v);
        return;
    }
    for (unsigned i = 0; i < size; i += 2) {
        if (!pio_active(ch) || !s->writing)
            return;
        s->buf[s->pos] = (uint8_t)(v >> (8 * i));
        s->buf[s->pos + 1] = (uint8_t)(v >> (8 * i + 8));
        s->pos += 2;
        if (s->pos >= s->len)
            sector_done(ch);
    }
}

int ata_dma_pending(const struct ata_channel *ch)
{
    if (ch->s.cmd == 0xA0 && ch->s.writing)
        return 0; /* a packet command's DMA waits for its packet, which comes by PIO */
    return ch->s.cmd && ch->s.dma && sel_present(ch) ? (ch->s.writing ? 2 : 1) : 0;
}

size_t ata_dma_rw(struct ata_channel *ch, uint8_t *buf, size_t n)
{
    struct ata_channel_state *s = &ch->s;
    size_t done = 0;
    if (s->cmd == 0xA0)
        return sel_cdrom(ch) ? atapi_dma_rw(ch, buf, n) : 0;
    while (done < n && ata_dma_pending(ch)) {
        if (s->pos == s->len) {         /* a sector to start */
            if (!s->writing && !load_sector(ch))
                break;
            s->pos = 0;
            s->len = DISK_SECTOR;
        }
        size_t k = (size_t)(s->len - s->pos);
        if (k > n - done)
            k = n - done;
        if (s->writing)
            memcpy(s->buf + s->pos, buf + done, k);
        else
            memcpy(buf + done, s->buf + s->pos, k);
        s->pos = (uint16_t)(s->pos + k);
        done += k;
        if (s->pos < s->len)
            continue;
        if (s->writing && !store_sector(ch))
            break;
        s->lba++;
        if (s->left <= 1) {
            s->left = 0;
            complete(ch);
        } else {
            s->left--;
        }
    }
    return done;
}

/* ---- Commands ---- */

static void set_features(struct ata_channel *ch)
{
    struct ata_drive_state *d = sel_drive(ch);
    uint8_t mode = ch->s.count[0];
    switch (ch->s.feature[0]) {
    case 0x02: d->wcache = 1; break;
    case 0x82: d->wcache = 0; break;
    case 0xAA: d->lookahead = 1; break;
    case 0x55: d->lookahead = 0; break;
    case 0x03:
        if (mode <= 0x01 || (mode >= 0x08 && mode <= 0x0C) || (mode >= 0x20 && mode <= 0x22) ||
            (mode >= 0x40 && mode <= 0x45)) {
            d->xfer_mode = mode <= 1 ? 0 : mode;
            break;
        }
        fail(ch, ATA_ER_ABRT);
        return;
    case 0x66: case 0xCC: /* reverting to power-on defaults: they are never changed */
        break;
    default:
        fail(ch, ATA_ER_ABRT);
        return;
    }
    complete(ch);
}

static void command(struct ata_channel *ch, uint8_t cmd)
{
    struct ata_channel_state *s = &ch->s;
    struct ata_drive_state *d = sel_drive(ch);
    struct disk *disk = sel_disk(ch);
    if (!sel_present(ch))
        return; /* device 1 absent: device 0 does not execute its commands */
    s->sig = 0;
    if (cmd == 0x90) { /* EXECUTE DEVICE DIAGNOSTIC, for both kinds */
        s->cmd = s->dma = 0;
        s->pos = s->len = 0;
        signature(ch);
        set_intrq(ch, 1);
        return;
    }
    if (sel_cdrom(ch)) {
        atapi_command(ch, cmd);
        return;
    }
    s->cmd = 0;
    s->dma = 0;
    s->pos = s->len = 0;
    s->error = 0;
    set_intrq(ch, 0);
    uint32_t multi = d->multiple;
    switch (cmd) {
    case 0xEC: { /* IDENTIFY DEVICE */
        uint16_t id[256];
        ata_identify(ch, (s->device & ATA_DEV_DEV1) ? 1 : 0, id);
        for (unsigned i = 0; i < 256; i++) {
            s->buf[2 * i] = (uint8_t)id[i];
            s->buf[2 * i + 1] = (uint8_t)(id[i] >> 8);
        }
        s->cmd = cmd;
        s->writing = 0;
        s->left = s->blk_left = 1; /* a one-sector read, from the buffer */
        s->lba = 0;
        s->len = DISK_SECTOR;
        s->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
        set_intrq(ch, 1);
        return;
    }
    case 0x20: case 0x21: start_transfer(ch, cmd, false, false, false, 1); return;
    case 0x24: start_transfer(ch, cmd, true, false, false, 1); return;
    case 0x30: case 0x31: start_transfer(ch, cmd, false, true, false, 1); return;
    case 0x34: start_transfer(ch, cmd, true, true, false, 1); return;
    case 0xC4: case 0x29: case 0xC5: case 0x39: /* READ/WRITE MULTIPLE (EXT) */
        if (!multi) {
            fail(ch, ATA_ER_ABRT);
            return;
        }
        start_transfer(ch, cmd, cmd == 0x29 || cmd == 0x39, cmd == 0xC5 || cmd == 0x39,
                       false, multi);
        return;
    case 0xC8: case 0xC9: start_transfer(ch, cmd, false, false, true, 0); return;
    case 0x25: start_transfer(ch, cmd, true, false, true, 0); return;
    case 0xCA: case 0xCB: start_transfer(ch, cmd, false, true, true, 0); return;
    case 0x35: start_transfer(ch, cmd, true, true, true, 0); return;
    case 0x40: case 0x41: case 0x42: { /* READ VERIFY SECTORS (EXT) */
        uint64_t lba;
        uint32_t count;
        if (address(ch, cmd == 0x42, &lba, &count))
            complete(ch);
        else
            fail(ch, ATA_ER_IDNF);
        return;
    }
    case 0xC6: /* SET MULTIPLE MODE: 0 disables; otherwise a power of two up to 16 */
        if (s->count[0] > ATA_MULTIPLE_MAX || (s->count[0] & (s->count[0] - 1))) {
            fail(ch, ATA_ER_ABRT);
            return;
        }
        d->multiple = s->count[0];
        complete(ch);
        return;
    case 0xE7: case 0xEA: /* FLUSH CACHE (EXT): the image file's data to stable storage */
        if (disk_flush(disk)) {
            fail(ch, ATA_ER_ABRT);
            return;
        }
        complete(ch);
        return;
    case 0xEF:
        set_features(ch);
        return;
    case 0x91: /* INITIALIZE DEVICE PARAMETERS: heads from the device register */
        if (s->count[0] == 0) {
            fail(ch, ATA_ER_ABRT);
            return;
        }
        d->heads = (uint16_t)((s->device & 0x0F) + 1);
        d->spt = s->count[0];
        complete(ch);
        return;
    case 0x90: /* EXECUTE DEVICE DIAGNOSTIC */
        signature(ch);
        set_intrq(ch, 1);
        return;
    case 0x70: /* SEEK */
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: /* STANDBY/IDLE (IMMEDIATE) */
        complete(ch);
        return;
    case 0xE5: /* CHECK POWER MODE: active or idle */
        s->count[0] = 0xFF;
        complete(ch);
        return;
    default:
        if ((cmd & 0xF0) == 0x10) { /* RECALIBRATE */
            complete(ch);
            return;
        }
        fail(ch, ATA_ER_ABRT);
        return;
    }
}

/* ---- Registers ---- */

static void srst(struct ata_channel *ch, uint8_t control)
{
    struct ata_channel_state *s = &ch->s;
    bool was = s->control & ATA_CTL_SRST, now = control & ATA_CTL_SRST;
    s->control = control;
    if (now && !was) {
        s->cmd = 0;
        s->dma = 0;
        s->pos = s->len = 0;
        s->status = ATA_ST_BSY;
        s->intrq = 0;
    } else if (!now && was) {
        signature(ch);
    }
    drive_line(ch);
}

uint32_t ata_read(struct ata_channel *ch, unsigned reg, unsigned size)
{
    struct ata_channel_state *s = &ch->s;
    if (!ata_present(ch))
        return size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFF : 0xFF;
    if (reg == ATA_DATA)
        return data_read(ch, size < 2 ? 2 : size) & (size == 1 ? 0xFF : 0xFFFFFFFFu);
    unsigned hob = (s->control & ATA_CTL_HOB) ? 1 : 0;
    switch (reg) {
    case ATA_ERROR: return s->error;
    case ATA_COUNT: return s->count[hob];
    case ATA_LBA_LOW: return s->lba_low[hob];
    case ATA_LBA_MID: return s->lba_mid[hob];
    case ATA_LBA_HIGH: return s->lba_high[hob];
    case ATA_DEVICE: return s->device;
    case ATA_STATUS:
        if (!sel_present(ch))
            return 0;
        set_intrq(ch, 0);
        return s->status;
    case ATA_CTRL:
        return sel_present(ch) ? s->status : 0;
    }
    return 0xFF;
}

static void shift(uint8_t r[2], uint8_t v)
{
    r[1] = r[0];
    r[0] = v;
}

void ata_write(struct ata_channel *ch, unsigned reg, unsigned size, uint32_t value)
{
    struct ata_channel_state *s = &ch->s;
    uint8_t v = (uint8_t)value;
    if (!ata_present(ch))
        return;
    if (reg == ATA_CTRL) {
        srst(ch, v);
        return;
    }
    if (s->status & ATA_ST_BSY)
        return; /* held in reset */
    if (reg == ATA_DATA) {
        data_write(ch, size < 2 ? 2 : size, value);
        return;
    }
    s->control &= (uint8_t)~ATA_CTL_HOB; /* a command block write clears HOB */
    if (reg != ATA_DEVICE && reg != ATA_COMMAND)
        s->sig = 0;
    switch (reg) {
    case ATA_FEATURE: shift(s->feature, v); break;
    case ATA_COUNT: shift(s->count, v); break;
    case ATA_LBA_LOW: shift(s->lba_low, v); break;
    case ATA_LBA_MID: shift(s->lba_mid, v); break;
    case ATA_LBA_HIGH: shift(s->lba_high, v); break;
    case ATA_DEVICE:
        s->device = v;
        if (s->sig && sel_present(ch))
            show_signature(ch);
        drive_line(ch); /* the other device's INTRQ is not on the cable */
        break;
    case ATA_COMMAND: command(ch, v); break;
    }
}

/* ---- Save state ---- */

static const struct savestate_field drive_fields[] = {
    SS_FIELD_RANGE(struct ata_drive_state, heads, 1, 16),
    SS_FIELD_RANGE(struct ata_drive_state, spt, 1, 255),
    SS_FIELD_RANGE(struct ata_drive_state, multiple, 0, ATA_MULTIPLE_MAX),
    SS_FIELD(struct ata_drive_state, wcache),
    SS_FIELD(struct ata_drive_state, xfer_mode),
    SS_FIELD(struct ata_drive_state, lookahead),
    SS_FIELD(struct ata_drive_state, sense_key),
    SS_FIELD(struct ata_drive_state, asc),
    SS_FIELD(struct ata_drive_state, ascq),
    SS_FIELD_RANGE(struct ata_drive_state, medium, 0, 1),
    SS_FIELD_RANGE(struct ata_drive_state, locked, 0, 1),
    SS_FIELD_RANGE(struct ata_drive_state, unit_attention, 0, 1),
    SS_FIELD_RANGE(struct ata_drive_state, event, 0, 3),
    SS_FIELD(struct ata_drive_state, pad),
};
static SAVESTATE_DESC(drive_desc, "ata-drive", 2, drive_fields);

static const struct savestate_field ata_fields[] = {
    SS_STRUCTS(struct ata_channel_state, drive, drive_desc),
    SS_ARRAY(struct ata_channel_state, feature),
    SS_ARRAY(struct ata_channel_state, count),
    SS_ARRAY(struct ata_channel_state, lba_low),
    SS_ARRAY(struct ata_channel_state, lba_mid),
    SS_ARRAY(struct ata_channel_state, lba_high),
    SS_FIELD(struct ata_channel_state, device),
    SS_FIELD(struct ata_channel_state, status),
    SS_FIELD(struct ata_channel_state, error),
    SS_FIELD(struct ata_channel_state, control),
    SS_FIELD_RANGE(struct ata_channel_state, intrq, 0, 1),
    SS_FIELD(struct ata_channel_state, cmd),
    SS_FIELD_RANGE(struct ata_channel_state, dma, 0, 1),
    SS_FIELD_RANGE(struct ata_channel_state, writing, 0, 1),
    SS_FIELD_RANGE(struct ata_channel_state, sig, 0, 1),
    SS_FIELD(struct ata_channel_state, pad),
    SS_FIELD_RANGE(struct ata_channel_state, left, 0, 65536),
    SS_FIELD_RANGE(struct ata_channel_state, block, 1, ATA_MULTIPLE_MAX),
    SS_FIELD_RANGE(struct ata_channel_state, blk_left, 0, ATA_MULTIPLE_MAX),
    SS_FIELD(struct ata_channel_state, lba),
    SS_FIELD_RANGE(struct ata_channel_state, pos, 0, ATAPI_SECTOR),
    SS_FIELD_RANGE(struct ata_channel_state, len, 0, ATAPI_SECTOR),
    SS_ARRAY(struct ata_channel_state, packet),
    SS_FIELD(struct ata_channel_state, limit),
    SS_FIELD(struct ata_channel_state, drq_left),
    SS_ARRAY(struct ata_channel_state, pad2),
    SS_ARRAY(struct ata_channel_state, buf),
};
SAVESTATE_DESC(ata_savestate, "ata", 2, ata_fields);
