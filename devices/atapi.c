#include "devices/atapi.h"

#include <stdio.h>
#include <string.h>

/* Interrupt reason in the Sector Count register during a PACKET command (ATA/ATAPI-6
 * §9.10): C/D set while the device wants the packet or reports the end, I/O set while
 * data goes to the host and at the end. */
enum { REASON_COD = 0x01, REASON_IO = 0x02 };
enum { SK_NOT_READY = 0x02, SK_MEDIUM_ERROR = 0x03, SK_ILLEGAL_REQUEST = 0x05,
       SK_UNIT_ATTENTION = 0x06 };
/* Additional sense codes (SPC-3 Annex D). */
enum { ASC_INVALID_OPCODE = 0x20, ASC_LBA_OUT_OF_RANGE = 0x21, ASC_INVALID_FIELD = 0x24,
       ASC_MEDIUM_CHANGED = 0x28, ASC_SAVING_NOT_SUPPORTED = 0x39, ASC_NO_MEDIUM = 0x3A,
       ASC_UNRECOVERED_READ = 0x11, ASC_REMOVAL_PREVENTED = 0x53 };

static unsigned sel(const struct ata_channel *ch)
{
    return (ch->s.device & ATA_DEV_DEV1) ? 1 : 0;
}

static struct ata_drive_state *drv(struct ata_channel *ch)
{
    return &ch->s.drive[sel(ch)];
}

static bool has_medium(struct ata_channel *ch)
{
    return ch->disk[sel(ch)] && drv(ch)->medium;
}

/* Sectors on the disc: whole 2048-byte sectors of the image. */
static uint64_t capacity(struct ata_channel *ch)
{
    return has_medium(ch) ? ch->disk[sel(ch)]->size / ATAPI_SECTOR : 0;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) << 16 | get16(p + 2);
}

void atapi_signature(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    s->count[0] = s->lba_low[0] = 1;
    s->lba_mid[0] = 0x14;
    s->lba_high[0] = 0xEB;
}

/* ---- IDENTIFY PACKET DEVICE (ATA/ATAPI-6 §8.16) ---- */

void atapi_identify(const struct ata_channel *ch, unsigned drive, uint16_t id[256])
{
    const struct ata_drive_state *d = &ch->s.drive[drive & 1];
    memset(id, 0, 256 * sizeof id[0]);
    /* ATAPI, CD-ROM device type (05h), removable, DRQ within 3 ms of PACKET (no INTRQ
     * for the packet), 12-byte packets. */
    id[0] = 0x8000 | 0x0500 | 0x0080;
    char serial[21];
    snprintf(serial, sizeof serial, "ORRERY-CD%u", ch->index * 2 + (drive & 1));
    ata_id_string_(&id[10], 10, serial);
    ata_id_string_(&id[23], 4, "0.1");
    ata_id_string_(&id[27], 20, "ORRERY CD-ROM");
    id[49] = 0x0300;                      /* LBA, DMA */
    id[53] = 0x0006;                      /* words 64-70 and 88 are valid */
    unsigned mode = d->xfer_mode;
    id[63] = 0x0007 | ((mode >> 3) == 4 ? (uint16_t)(0x100 << (mode & 7)) : 0);
    id[64] = 0x0003;                      /* PIO modes 3 and 4 */
    id[65] = id[66] = id[67] = id[68] = 120;
    id[80] = 0x0070;                      /* ATA/ATAPI-4 to -6 */
    id[82] = 0x4000 | 0x0010 | 0x0008;    /* PACKET feature set, power management */
    id[83] = 0x4000;
    id[84] = 0x4000;
    id[85] = 0x0010 | 0x0008;
    id[87] = 0x4000;
    id[88] = 0x003F | ((mode >> 3) == 8 ? (uint16_t)(0x100 << (mode & 7)) : 0);
    id[93] = drive == 0 ? (uint16_t)(0x6000 | 0x0009 | (ch->disk[1] || ch->cdrom[1] ? 0x20 : 0x40))
                        : (uint16_t)(0x6000 | 0x0300);
}

/* ---- Ends of a PACKET command ---- */

static void end_command(struct ata_channel *ch, bool check)
{
    struct ata_channel_state *s = &ch->s;
    struct ata_drive_state *d = drv(ch);
    s->cmd = 0;
    s->dma = 0;
    s->writing = 0;
    s->pos = s->len = 0;
    s->left = 0;
    s->drq_left = 0;
    s->count[0] = REASON_COD | REASON_IO;
    s->status = ATA_ST_DRDY | ATA_ST_DSC | (check ? ATA_ST_ERR : 0);
    s->error = check ? (uint8_t)(d->sense_key << 4 | ATA_ER_ABRT) : 0;
    ata_set_intrq_(ch, 1);
}

static void good(struct ata_channel *ch)
{
    struct ata_drive_state *d = drv(ch);
    d->sense_key = d->asc = d->ascq = 0;
    end_command(ch, false);
}

static void check_condition(struct ata_channel *ch, uint8_t key, uint8_t asc, uint8_t ascq)
{
    struct ata_drive_state *d = drv(ch);
    d->sense_key = key;
    d->asc = asc;
    d->ascq = ascq;
    end_command(ch, true);
}

static void illegal(struct ata_channel *ch, uint8_t asc)
{
    check_condition(ch, SK_ILLEGAL_REQUEST, asc, 0);
}

static void not_ready(struct ata_channel *ch)
{
    check_condition(ch, SK_NOT_READY, ASC_NO_MEDIUM, 0);
}

/* ---- Data to the host ---- */

/* Bytes of the command's data still to move: the buffer's rest and the sectors not
 * loaded yet. */
static uint64_t remaining(const struct ata_channel *ch)
{
    const struct ata_channel_state *s = &ch->s;
    uint64_t rest = s->pos < s->len ? (uint64_t)(s->len - s->pos) : 0;
    return rest + (uint64_t)s->left * ATAPI_SECTOR;
}

/* The next sector into the buffer when the buffer is used up. False: the command
 * failed (a read error, or no disc any more). */
static bool refill(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    if (s->pos < s->len || !s->left)
        return true;
    struct disk *disk = ch->disk[sel(ch)];
    if (!has_medium(ch)) {
        not_ready(ch);
        return false;
    }
    if (s->lba >= disk->size / ATAPI_SECTOR ||
        disk_read(disk, s->lba * ATAPI_SECTOR, s->buf, ATAPI_SECTOR)) {
        check_condition(ch, SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
        return false;
    }
    s->lba++;
    s->left--;
    s->pos = 0;
    s->len = ATAPI_SECTOR;
    return true;
}

/* A PIO DRQ block: as many bytes as the byte count limit allows, their count in LBA
 * mid/high, with INTRQ. */
static void begin_drq(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    uint64_t rest = remaining(ch);
    uint16_t n = rest < s->limit ? (uint16_t)rest : s->limit;
    s->drq_left = n;
    s->lba_mid[0] = (uint8_t)n;
    s->lba_high[0] = (uint8_t)(n >> 8);
    s->count[0] = REASON_IO;
    s->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
    ata_set_intrq_(ch, 1);
}

/* The data phase of the command: by DMA when the host asked for it, else by PIO. */
static void start_data(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    if (!remaining(ch)) {
        good(ch);
        return;
    }
    if (!refill(ch))
        return;
    s->writing = 0;
    if (s->dma) {
        s->count[0] = REASON_IO;
        s->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
        if (ch->dma_ready)
            ch->dma_ready(ch->opaque, ch->index);
        return;
    }
    begin_drq(ch);
}

/* A reply built in the buffer: n bytes, of which the host's allocation length takes
 * the first alloc. */
static void reply(struct ata_channel *ch, uint32_t n, uint32_t alloc)
{
    struct ata_channel_state *s = &ch->s;
    s->pos = 0;
    s->len = (uint16_t)(n < alloc ? n : alloc);
    s->left = 0;
    start_data(ch);
}

static void read_sectors(struct ata_channel *ch, uint32_t lba, uint32_t count)
{
    struct ata_channel_state *s = &ch->s;
    if (!has_medium(ch)) {
        not_ready(ch);
        return;
    }
    uint64_t cap = capacity(ch);
    if ((uint64_t)lba + count > cap) {
        illegal(ch, ASC_LBA_OUT_OF_RANGE);
        return;
    }
    s->lba = lba;
    s->left = count;
    s->pos = s->len = 0;
    start_data(ch);
}

uint32_t atapi_data_read(struct ata_channel *ch, unsigned size)
{
    struct ata_channel_state *s = &ch->s;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i += 2) {
        if (s->cmd != 0xA0 || !(s->status & ATA_ST_DRQ) || s->writing || s->dma ||
            !s->drq_left || !refill(ch))
            return size == 4 ? 0xFFFFFFFFu : 0xFFFF;
        if (s->pos >= s->len) { /* a block longer than the data (a hand-made state) */
            good(ch);
            return size == 4 ? 0xFFFFFFFFu : 0xFFFF;
        }
        unsigned k = s->drq_left >= 2 && s->len - s->pos >= 2 ? 2 : 1;
        uint32_t w = s->buf[s->pos];
        if (k == 2)
            w |= (uint32_t)s->buf[s->pos + 1] << 8;
        v |= w << (8 * i);
        s->pos = (uint16_t)(s->pos + k);
        s->drq_left = (uint16_t)(s->drq_left - k);
        if (!refill(ch))
            return v;
        if (!s->drq_left) {
            if (remaining(ch))
                begin_drq(ch);
            else
                good(ch);
            return v;
        }
    }
    return v;
}

size_t atapi_dma_rw(struct ata_channel *ch, uint8_t *buf, size_t n)
{
    struct ata_channel_state *s = &ch->s;
    size_t done = 0;
    while (done < n && s->cmd == 0xA0 && s->dma && !s->writing) {
        if (!refill(ch))
            break;
        if (s->pos >= s->len) {
            good(ch); /* nothing left (or a state that says so) */
            break;
        }
        size_t k = (size_t)(s->len - s->pos);
        if (k > n - done)
            k = n - done;
        memcpy(buf + done, s->buf + s->pos, k);
        s->pos = (uint16_t)(s->pos + k);
        done += k;
        if (!remaining(ch)) {
            good(ch);
            break;
        }
    }
    return done;
}

/* ---- The commands a packet carries ---- */

/* An address in READ TOC: an LBA, or minutes/seconds/frames (2 seconds of lead-in). */
static void toc_addr(uint8_t *p, uint64_t lba, bool msf)
{
    if (!msf) {
        put32(p, (uint32_t)lba);
        return;
    }
    uint64_t f = lba + 150;
    p[0] = 0;
    p[1] = (uint8_t)(f / (75 * 60));
    p[2] = (uint8_t)(f / 75 % 60);
    p[3] = (uint8_t)(f % 75);
}

static void read_toc(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    const uint8_t *p = s->packet;
    uint8_t *b = s->buf;
    bool msf = p[1] & 0x02;
    unsigned format = p[2] & 0x0F;
    if (!format && (p[9] >> 6)) /* the older place of the format (SFF-8020i) */
        format = p[9] >> 6;
    unsigned track = p[6];
    if (!has_medium(ch)) {
        not_ready(ch);
        return;
    }
    memset(b, 0, 64);
    uint32_t n;
    if (format == 0) {             /* the TOC: one data track, then the lead-out */
        if (track > 1 && track != 0xAA) {
            illegal(ch, ASC_INVALID_FIELD);
            return;
        }
        b[2] = b[3] = 1;           /* first and last track */
        n = 4;
        if (track <= 1) {
            b[n + 1] = 0x14;       /* ADR 1, a data track */
            b[n + 2] = 1;
            toc_addr(b + n + 4, 0, msf);
            n += 8;
        }
        b[n + 1] = 0x14;
        b[n + 2] = 0xAA;
        toc_addr(b + n + 4, capacity(ch), msf);
        n += 8;
    } else if (format == 1) {      /* multi-session information: one session */
        b[2] = b[3] = 1;
        b[5] = 0x14;
        b[6] = 1;
        toc_addr(b + 8, 0, msf);
        n = 12;
    } else {
        illegal(ch, ASC_INVALID_FIELD);
        return;
    }
    put16(b, n - 2);
    reply(ch, n, get16(p + 7));
}

/* MODE SENSE pages: 01h read error recovery, 2Ah capabilities and mechanical status
 * (MMC-3 §6.3.11, the 20-byte form). changeable: the mask of changeable values (none). */
static uint32_t mode_page(struct ata_channel *ch, unsigned page, bool changeable, uint8_t *b)
{
    struct ata_drive_state *d = drv(ch);
    if (page == 0x01) {
        memset(b, 0, 12);
        b[0] = 0x01;
        b[1] = 10;
        if (!changeable)
            b[3] = 5;              /* read retry count */
        return 12;
    }
    memset(b, 0, 20);
    b[0] = 0x2A;
    b[1] = 18;
    if (changeable)
        return 20;
    b[2] = 0x00;                   /* reads CD-ROM media only */
    b[4] = 0x71;                   /* audio play, mode 2 form 1 and 2, multi-session */
    b[5] = 0x00;
    /* Tray loading mechanism, eject, lock, and whether it is locked. */
    b[6] = (uint8_t)(0x20 | 0x08 | 0x01 | (d->locked ? 0x02 : 0));
    put16(b + 8, 7056);            /* maximum read speed, kB/s (40x) */
    put16(b + 10, 256);            /* volume levels */
    put16(b + 12, 128);            /* buffer size, KiB */
    put16(b + 14, 7056);           /* current read speed */
    return 20;
}

static void mode_sense(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    const uint8_t *p = s->packet;
    bool ten = p[0] == 0x5A;
    unsigned pc = p[2] >> 6, page = p[2] & 0x3F;
    if (pc == 3) {
        check_condition(ch, SK_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED, 0);
        return;
    }
    if (page != 0x01 && page != 0x2A && page != 0x3F) {
        illegal(ch, ASC_INVALID_FIELD);
        return;
    }
    uint8_t *b = s->buf;
    uint32_t n = ten ? 8 : 4;
    memset(b, 0, n);
    if (page == 0x01 || page == 0x3F)
        n += mode_page(ch, 0x01, pc == 1, b + n);
    if (page == 0x2A || page == 0x3F)
        n += mode_page(ch, 0x2A, pc == 1, b + n);
    uint8_t medium_type = has_medium(ch) ? 0x01 : 0x70; /* 120 mm data CD; no disc */
    if (ten) {
        put16(b, n - 2);
        b[2] = medium_type;
    } else {
        b[0] = (uint8_t)(n - 1);
        b[1] = medium_type;
    }
    reply(ch, n, ten ? get16(p + 7) : p[4]);
}

/* GET CONFIGURATION (MMC-3 §5.3.7): the CD-ROM profile and the features a read-only
 * drive has; rt 0 all from the starting feature, 1 the current ones, 2 that one. */
static void get_configuration(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    const uint8_t *p = s->packet;
    unsigned rt = p[1] & 3, start = get16(p + 2);
    bool medium = has_medium(ch);
    if (rt == 3) {
        illegal(ch, ASC_INVALID_FIELD);
        return;
    }
    /* Each feature: code, version, persistent, current, its additional bytes. */
    struct feature { uint16_t code; uint8_t version, persistent, current, len; uint8_t d[8]; };
    const struct feature f[] = {
        { 0x0000, 0, 1, 1, 4, { 0x00, 0x08, medium, 0 } },          /* profile list */
        { 0x0001, 1, 1, 1, 8, { 0, 0, 0, 2, 0, 0, 0, 0 } },         /* core: ATAPI */
        { 0x0002, 1, 1, 1, 4, { 0x02, 0, 0, 0 } },                  /* morphing: polled */
        { 0x0003, 0, 1, 1, 4, { 0x29, 0, 0, 0 } },                  /* removable: tray */
        { 0x0010, 0, 0, medium, 8, { 0, 0, 0x08, 0, 0, 1, 0, 0 } }, /* random readable */
        { 0x001E, 2, 0, medium, 4, { 0, 0, 0, 0 } },                /* CD read */
    };
    uint8_t *b = s->buf;
    memset(b, 0, 8);
    put16(b + 6, medium ? 0x0008 : 0x0000); /* the current profile: CD-ROM */
    uint32_t n = 8;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (f[i].code < start || (rt == 1 && !f[i].current) || (rt == 2 && f[i].code != start))
            continue;
        put16(b + n, f[i].code);
        b[n + 2] = (uint8_t)(f[i].version << 2 | f[i].persistent << 1 | f[i].current);
        b[n + 3] = f[i].len;
        memcpy(b + n + 4, f[i].d, f[i].len);
        n += 4u + f[i].len;
    }
    put32(b, n - 4);
    reply(ch, n, get16(p + 7));
}

/* GET EVENT STATUS NOTIFICATION, polled (MMC-3 §5.3.6): the media class only. */
static void event_status(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    struct ata_drive_state *d = drv(ch);
    const uint8_t *p = s->packet;
    uint8_t *b = s->buf;
    if (!(p[1] & 1)) {             /* asynchronous notification is not supported */
        illegal(ch, ASC_INVALID_FIELD);
        return;
    }
    memset(b, 0, 8);
    b[3] = 0x10;                   /* supported: media */
    uint32_t n;
    if (p[4] & 0x10) {
        put16(b, 6);
        b[2] = 0x04;               /* media class */
        b[4] = d->event;
        b[5] = has_medium(ch) ? 0x02 : 0x00;
        d->event = 0;
        n = 8;
    } else {
        put16(b, 2);
        b[2] = 0x80;               /* no event available for the classes asked */
        n = 4;
    }
    reply(ch, n, get16(p + 7));
}

static void execute(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    struct ata_drive_state *d = drv(ch);
    const uint8_t *p = s->packet;
    uint8_t *b = s->buf;
    uint8_t op = p[0];
    s->writing = 0;
    s->pos = s->len = 0;
    s->left = 0;
    /* A changed medium is reported once, to the first command that is not one of those
     * SPC-3/MMC let through (INQUIRY, REQUEST SENSE, GET CONFIGURATION, GESN). */
    if (d->unit_attention && op != 0x12 && op != 0x03 && op != 0x46 && op != 0x4A) {
        d->unit_attention = 0;
        check_condition(ch, SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
        return;
    }
    switch (op) {
    case 0x00: /* TEST UNIT READY */
        if (has_medium(ch))
            good(ch);
        else
            not_ready(ch);
        return;
    case 0x03: /* REQUEST SENSE: fixed format, then the sense is used up */
        memset(b, 0, 18);
        b[0] = 0x70;
        b[7] = 10;
        if (d->unit_attention) {
            d->unit_attention = 0;
            b[2] = SK_UNIT_ATTENTION;
            b[12] = ASC_MEDIUM_CHANGED;
        } else {
            b[2] = d->sense_key;
            b[12] = d->asc;
            b[13] = d->ascq;
        }
        reply(ch, 18, p[4]);
        return;
    case 0x12: /* INQUIRY: standard data only */
        if ((p[1] & 1) || p[2]) {
            illegal(ch, ASC_INVALID_FIELD);
            return;
        }
        memset(b, 0, 36);
        b[0] = 0x05;               /* CD/DVD device */
        b[1] = 0x80;               /* removable */
        b[2] = 0x00;
        b[3] = 0x21;               /* ATAPI, response data format 1 */
        b[4] = 31;
        memcpy(b + 8, "ORRERY  ", 8);
        memcpy(b + 16, "CD-ROM          ", 16);
        memcpy(b + 32, "0.1 ", 4);
        reply(ch, 36, get16(p + 3));
        return;
    case 0x1B: /* START STOP UNIT: LoEj with Start clear ejects, with Start set loads */
        if (p[4] & 0x02) {
            if (!(p[4] & 0x01)) {
                if (d->locked) {
                    check_condition(ch, SK_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 0x02);
                    return;
                }
                if (d->medium)
                    d->event = 3;  /* media removal */
                d->medium = 0;
            } else if (ch->disk[sel(ch)] && !d->medium) {
                d->medium = 1;
                d->event = 2;      /* new media */
                d->unit_attention = 1;
            }
        }
        good(ch);
        return;
    case 0x1E: /* PREVENT ALLOW MEDIUM REMOVAL */
        d->locked = p[4] & 1;
        good(ch);
        return;
    case 0x25: /* READ CAPACITY: the last LBA and the block size */
        if (!has_medium(ch)) {
            not_ready(ch);
            return;
        }
        put32(b, (uint32_t)(capacity(ch) ? capacity(ch) - 1 : 0));
        put32(b + 4, ATAPI_SECTOR);
        reply(ch, 8, 8);
        return;
    case 0x28: /* READ(10) */
        read_sectors(ch, get32(p + 2), get16(p + 7));
        return;
    case 0xA8: /* READ(12) */
        read_sectors(ch, get32(p + 2), get32(p + 6));
        return;
    case 0xBE: /* READ CD: user data of data sectors only */
        if (((p[1] >> 2) & 7) > 2 || (p[9] != 0x10 && p[9] != 0x00)) {
            illegal(ch, ASC_INVALID_FIELD);
            return;
        }
        read_sectors(ch, get32(p + 2), p[9] ? (uint32_t)p[6] << 16 | get16(p + 7) : 0);
        return;
    case 0x2B: /* SEEK(10) */
        if (!has_medium(ch))
            not_ready(ch);
        else if (get32(p + 2) >= capacity(ch))
            illegal(ch, ASC_LBA_OUT_OF_RANGE);
        else
            good(ch);
        return;
    case 0x43:
        read_toc(ch);
        return;
    case 0x1A: case 0x5A:
        mode_sense(ch);
        return;
    case 0x46:
        get_configuration(ch);
        return;
    case 0x4A:
        event_status(ch);
        return;
    case 0x51: /* READ DISC INFORMATION: a complete disc of one session and track */
        if (!has_medium(ch)) {
            not_ready(ch);
            return;
        }
        if (p[1] & 7) {
            illegal(ch, ASC_INVALID_FIELD);
            return;
        }
        memset(b, 0, 34);
        put16(b, 32);
        b[2] = 0x0E;               /* last session complete, disc complete */
        b[3] = 1;                  /* first track */
        b[4] = 1;                  /* sessions */
        b[5] = b[6] = 1;           /* first and last track of the last session */
        put32(b + 16, 0xFFFFFFFFu);/* no next session: lead-in and lead-out unknown */
        put32(b + 20, 0xFFFFFFFFu);
        reply(ch, 34, get16(p + 7));
        return;
    case 0xBB: /* SET CD SPEED: any speed is the one it has */
        good(ch);
        return;
    case 0xBD: /* MECHANISM STATUS: no changer, idle, the door open without a disc */
        memset(b, 0, 8);
        b[1] = d->medium ? 0x00 : 0x10;
        reply(ch, 8, get16(p + 8));
        return;
    default:
        illegal(ch, ASC_INVALID_OPCODE);
        return;
    }
}

void atapi_data_write(struct ata_channel *ch, unsigned size, uint32_t value)
{
    struct ata_channel_state *s = &ch->s;
    for (unsigned i = 0; i < size; i += 2) {
        if (!(s->status & ATA_ST_DRQ) || !s->writing || s->pos + 2u > sizeof s->packet)
            return;
        s->packet[s->pos] = (uint8_t)(value >> (8 * i));
        s->packet[s->pos + 1] = (uint8_t)(value >> (8 * i + 8));
        s->pos = (uint16_t)(s->pos + 2);
        if (s->pos == sizeof s->packet) {
            execute(ch);
            return;
        }
    }
}

/* ---- ATA commands to the packet device ---- */

static void abort_cmd(struct ata_channel *ch)
{
    struct ata_channel_state *s = &ch->s;
    s->error = ATA_ER_ABRT;
    s->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_ERR;
    ata_set_intrq_(ch, 1);
}

static void done(struct ata_channel *ch)
{
    ch->s.status = ATA_ST_DRDY | ATA_ST_DSC;
    ata_set_intrq_(ch, 1);
}

void atapi_command(struct ata_channel *ch, uint8_t cmd)
{
    struct ata_channel_state *s = &ch->s;
    struct ata_drive_state *d = drv(ch);
    s->cmd = 0;
    s->dma = 0;
    s->writing = 0;
    s->pos = s->len = 0;
    s->left = 0;
    s->drq_left = 0;
    s->error = 0;
    ata_set_intrq_(ch, 0);
    switch (cmd) {
    case 0xA0: { /* PACKET: the 12-byte packet by PIO first */
        uint16_t limit = (uint16_t)((s->lba_mid[0] | s->lba_high[0] << 8) & ~1u);
        s->limit = limit ? limit : 0xFFFE;
        s->cmd = cmd;
        s->dma = s->feature[0] & 0x01;
        s->writing = 1;
        s->len = sizeof s->packet;
        s->count[0] = REASON_COD;
        s->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
        return;
    }
    case 0xA1: { /* IDENTIFY PACKET DEVICE: one 512-byte block through ata.c's PIO path */
        uint16_t id[256];
        atapi_identify(ch, sel(ch), id);
        for (unsigned i = 0; i < 256; i++) {
            s->buf[2 * i] = (uint8_t)id[i];
            s->buf[2 * i + 1] = (uint8_t)(id[i] >> 8);
        }
        s->cmd = cmd;
        s->left = s->blk_left = 1;
        s->lba = 0;
        s->len = DISK_SECTOR;
        s->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
        ata_set_intrq_(ch, 1);
        return;
    }
    case 0x08: /* DEVICE RESET: the signature, no INTRQ */
        atapi_signature(ch);
        s->status = 0;
        return;
    case 0xEC: /* IDENTIFY DEVICE: aborted, with the packet signature (§8.15) */
        atapi_signature(ch);
        abort_cmd(ch);
        return;
    case 0xEF: /* SET FEATURES: the transfer mode; the rest does nothing on a CD */
        if (s->feature[0] == 0x03) {
            uint8_t mode = s->count[0];
            if (!(mode <= 0x01 || (mode >= 0x08 && mode <= 0x0C) ||
                  (mode >= 0x20 && mode <= 0x22) || (mode >= 0x40 && mode <= 0x45))) {
                abort_cmd(ch);
                return;
            }
            d->xfer_mode = mode <= 1 ? 0 : mode;
        }
        done(ch);
        return;
    case 0xE5: /* CHECK POWER MODE */
        s->count[0] = 0xFF;
        done(ch);
        return;
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE6: /* power commands */
        done(ch);
        return;
    default:
        abort_cmd(ch);
        return;
    }
}
