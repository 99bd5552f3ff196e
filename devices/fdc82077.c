#include "devices/fdc82077.h"

#include <string.h>

/* Image sizes and what they hold. Data rates as a PC drive reads each medium: double
 * density at 250 kbit/s in its own drive (a 360K 5.25" or a 720K 3.5"), high density at
 * 500 kbit/s, extra density at 1 Mbit/s. DMF (1.68M) is a 1.44M medium with 21 sectors. */
static const struct fdc_format formats[] = {
    { 163840, 40, 1, 8, 2, 1, "160K" },
    { 184320, 40, 1, 9, 2, 1, "180K" },
    { 327680, 40, 2, 8, 2, 1, "320K" },
    { 368640, 40, 2, 9, 2, 1, "360K" },
    { 737280, 80, 2, 9, 2, 3, "720K" },
    { 1228800, 80, 2, 15, 0, 2, "1.2M" },
    { 1474560, 80, 2, 18, 0, 4, "1.44M" },
    { 1720320, 80, 2, 21, 0, 4, "1.68M (DMF)" },
    { 2949120, 80, 2, 36, 3, 5, "2.88M" },
};

const struct fdc_format *fdc_format_for_size(uint64_t bytes)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].bytes == bytes)
            return &formats[i];
    return NULL;
}

const char *fdc_format_list(void)
{
    return "160K, 180K, 320K, 360K, 720K, 1.2M, 1.44M, 1.68M (DMF) or 2.88M";
}

enum { DOR_NRESET = 0x04, DOR_DMA = 0x08 };
enum { MSR_RQM = 0x80, MSR_DIO = 0x40, MSR_NDM = 0x20, MSR_CB = 0x10 };
enum { ST0_ABNORMAL = 0x40, ST0_INVALID = 0x80, ST0_POLL = 0xC0, ST0_SE = 0x20, ST0_EC = 0x10 };
enum { ST1_EN = 0x80, ST1_DE = 0x20, ST1_ND = 0x04, ST1_NW = 0x02, ST1_MA = 0x01 };
enum { ST2_WC = 0x10, ST2_BC = 0x02 };
enum { CONF_EIS = 0x40, CONF_EFIFO = 0x20, CONF_NOPOLL = 0x10 };

enum {
    OP_SPECIFY = 0x03, OP_SENSE_DRIVE = 0x04, OP_WRITE = 0x05, OP_READ = 0x06,
    OP_RECALIBRATE = 0x07, OP_SENSE_INT = 0x08, OP_WRITE_DELETED = 0x09, OP_READ_ID = 0x0A,
    OP_READ_DELETED = 0x0C, OP_FORMAT = 0x0D, OP_DUMPREG = 0x0E, OP_SEEK = 0x0F,
    OP_VERSION = 0x10, OP_PERPENDICULAR = 0x12, OP_CONFIGURE = 0x13, OP_LOCK = 0x14,
    OP_VERIFY = 0x16,
};

/* Bytes of each command, the opcode included; 0: invalid. */
static const uint8_t cmd_bytes[32] = {
    [OP_SPECIFY] = 3, [OP_SENSE_DRIVE] = 2, [OP_WRITE] = 9, [OP_READ] = 9,
    [OP_RECALIBRATE] = 2, [OP_SENSE_INT] = 1, [OP_WRITE_DELETED] = 9, [OP_READ_ID] = 2,
    [OP_READ_DELETED] = 9, [OP_FORMAT] = 6, [OP_DUMPREG] = 1, [OP_SEEK] = 3,
    [OP_VERSION] = 1, [OP_PERPENDICULAR] = 2, [OP_CONFIGURE] = 4, [OP_LOCK] = 1,
    [OP_VERIFY] = 9,
};

/* What the command timer does when it fires. */
enum { T_NONE, T_RESET_DONE, T_START, T_RESULT };

static bool writes(unsigned op)
{
    return op == OP_WRITE || op == OP_WRITE_DELETED || op == OP_FORMAT;
}

static void update_irq(struct fdc *f)
{
    irq_set(&f->irq, f->s.int_level && (f->s.dor & DOR_DMA));
}

static void set_int(struct fdc *f, int level)
{
    f->s.int_level = (uint8_t)level;
    update_irq(f);
}

static void update_dreq(struct fdc *f)
{
    if (f->dma)
        dma_set_dreq(f->dma, FDC_DMA, f->s.dreq && (f->s.dor & DOR_DMA));
}

static void result(struct fdc *f, const uint8_t *bytes, unsigned n)
{
    memcpy(f->s.res, bytes, n);
    f->s.nres = (uint8_t)n;
    f->s.res_pos = 0;
    f->s.phase = FDC_RESULT;
}

static void arm(struct fdc *f, unsigned what, uint64_t delay)
{
    f->s.timer_what = (uint8_t)what;
    sched_timer_mod(f->sched, f->timer, sched_now(f->sched) + delay);
}

/* ---- Reset ---- */

static void controller_reset(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    sched_timer_del(f->sched, f->timer);
    for (unsigned d = 0; d < 4; d++)
        sched_timer_del(f->sched, f->drive[d].seek_timer);
    s->timer_what = T_NONE;
    s->phase = FDC_CMD;
    s->ncmd = s->cmd_len = 0;
    s->nres = s->res_pos = 0;
    s->int_pending = 0;
    s->seeking = 0;
    s->dreq = 0;
    s->buf_pos = s->buf_len = 0;
    if (!s->lock) {
        s->config = CONF_EFIFO; /* FIFO off, polling on, no implied seeks */
        s->pretrk = 0;
    }
    s->perp &= 0x3C; /* a software reset keeps D3-D0 and clears GAP and WGATE */
    update_dreq(f);
    set_int(f, 0);
}

/* The interrupt after a reset: polling finds every drive's "ready" changed. */
static void reset_done(struct fdc *f)
{
    if (f->s.config & CONF_NOPOLL)
        return;
    for (unsigned d = 0; d < 4; d++)
        f->s.drv[d].int_st0 = (uint8_t)(ST0_POLL | d);
    f->s.int_pending = 0x0F;
    set_int(f, 1);
}

/* ---- Seek and recalibrate ---- */

static void seek_done(void *opaque, uint64_t deadline)
{
    struct fdc_drive *dr = opaque;
    struct fdc *f = dr->fdc;
    struct fdc_drive_state *ds = &f->s.drv[dr->n];
    (void)deadline;
    ds->pcn = ds->seek_target;
    ds->int_st0 = ds->seek_st0;
    f->s.seeking &= (uint8_t)~(1u << dr->n);
    f->s.int_pending |= (uint8_t)(1u << dr->n);
    set_int(f, 1);
}

static void start_seek(struct fdc *f, unsigned d, unsigned head, unsigned target, bool recal)
{
    struct fdc_drive_state *ds = &f->s.drv[d];
    struct fdc_drive *dr = &f->drive[d];
    unsigned steps = target > ds->pcn ? target - ds->pcn : ds->pcn - target;
    ds->seek_target = (uint8_t)target;
    ds->seek_st0 = (uint8_t)(ST0_SE | head << 2 | d);
    if (recal && !dr->fmt) /* no drive: no track 0 signal comes */
        ds->seek_st0 |= ST0_ABNORMAL | ST0_EC;
    if (steps && dr->media)
        ds->dskchg = 0; /* a step pulse with a medium in */
    f->s.seeking |= (uint8_t)(1u << d);
    sched_timer_mod(f->sched, dr->seek_timer,
                    sched_now(f->sched) + FDC_SEEK_NS + steps * FDC_STEP_NS);
}

/* ---- Data commands ---- */

static unsigned cur_drive(const struct fdc *f)
{
    return f->s.drive & 3;
}

static unsigned cur_hds(const struct fdc *f)
{
    return f->s.drive >> 2 & 1;
}

/* The command ends: DMA stops, the result follows after a while. */
static void finish(struct fdc *f, uint8_t st0_ic)
{
    f->s.st0 = (uint8_t)(f->s.st0 | st0_ic);
    f->s.dreq = 0;
    f->s.buf_len = f->s.buf_pos = 0;
    update_dreq(f);
    arm(f, T_RESULT, FDC_ACCESS_NS);
}

/* Whether the head of the current drive can read IDs on its track at the data rate
 * set; sets ST1 MA (and fails) otherwise. */
static bool track_readable(struct fdc *f)
{
    const struct fdc_drive *dr = &f->drive[cur_drive(f)];
    const struct fdc_format *m = dr->media;
    if (!m || m->rate != f->s.rate || cur_hds(f) >= m->heads ||
        f->s.drv[cur_drive(f)].pcn >= m->cylinders) {
        f->s.st1 |= ST1_MA;
        return false;
    }
    return true;
}

static uint64_t sector_offset(const struct fdc *f, unsigned r)
{
    const struct fdc_format *m = f->drive[cur_drive(f)].media;
    unsigned cyl = f->s.drv[cur_drive(f)].pcn;
    return (((uint64_t)cyl * m->heads + cur_hds(f)) * m->spt + (r - 1)) * DISK_SECTOR;
}

/* The sector at (c, h, r) of the command: found on this track, or ND/WC. Then its data
 * is made ready (read) or awaited (write). Returns false when the command ended. */
static bool begin_sector(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    struct fdc_drive *dr = &f->drive[cur_drive(f)];
    unsigned pcn = s->drv[cur_drive(f)].pcn;
    if (!dr->media) { /* ejected under the command (or a state loaded without it) */
        s->st1 |= ST1_MA;
    } else if (s->c != pcn) {
        s->st1 |= ST1_ND;
        s->st2 |= s->c == 0xFF ? ST2_BC : ST2_WC;
    } else if (s->cmd[5] != 2 || s->h != cur_hds(f) || s->r < 1 || s->r > dr->media->spt) {
        s->st1 |= ST1_ND; /* no sector with that ID (only 512-byte sectors exist) */
    }
    if (s->st1) {
        finish(f, ST0_ABNORMAL);
        return false;
    }
    s->drv[cur_drive(f)].next_r = (uint8_t)(s->r % dr->media->spt + 1);
    s->buf_pos = 0;
    s->buf_len = DISK_SECTOR;
    if (s->op == OP_VERIFY)
        return true;
    if (!writes(s->op) && disk_read(dr->disk, sector_offset(f, s->r), s->buf, DISK_SECTOR)) {
        s->st1 |= ST1_DE;
        finish(f, ST0_ABNORMAL);
        return false;
    }
    return true;
}

/* Steps the command's address to the next sector; false at the end of the track. */
static bool next_sector(struct fdc *f, bool *head_switched)
{
    struct fdc_state *s = &f->s;
    bool mt = s->cmd[0] & 0x80;
    const struct fdc_format *m = f->drive[cur_drive(f)].media;
    *head_switched = false;
    /* The track ends at EOT, and also at its last sector: SeaBIOS asks for EOT = first
     * sector + count - 1, past the track when a read spans both heads, where a drive
     * would find no sector (ND). */
    if (s->r != s->eot && m && s->r < m->spt) {
        s->r++;
        return true;
    }
    s->r = 1;
    if (mt && !(s->drive & 4)) {
        s->h ^= 1;
        s->drive |= 4;
        *head_switched = true;
        return true;
    }
    if (mt)
        s->h ^= 1; /* both sides done: back to side 0 of the next cylinder */
    s->c++;
    return false;
}

/* A FORMAT ID (C, H, R, N) arrived: the sector it names is filled. */
static void format_sector(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    struct fdc_drive *dr = &f->drive[cur_drive(f)];
    s->c = s->buf[0];
    s->h = s->buf[1];
    s->r = s->buf[2];
    if (!dr->media)
        s->st1 |= ST1_MA;
    else if (s->buf[3] == 2 && s->r >= 1 && s->r <= dr->media->spt) {
        uint8_t fill[DISK_SECTOR];
        memset(fill, s->cmd[5], sizeof fill);
        if (disk_write(dr->disk, sector_offset(f, s->r), fill, sizeof fill))
            s->st1 |= ST1_DE;
    }
    s->buf_pos = 0;
    if (s->st1)
        finish(f, ST0_ABNORMAL);
    else if (--s->sectors_left == 0)
        finish(f, 0);
}

/* The sector in buf is complete (or cut short by terminal count). */
static void sector_done(struct fdc *f, bool tc)
{
    struct fdc_state *s = &f->s;
    struct fdc_drive *dr = &f->drive[cur_drive(f)];
    if (s->op == OP_FORMAT) {
        format_sector(f);
        if (tc && s->phase == FDC_EXEC && s->timer_what != T_RESULT)
            finish(f, 0);
        return;
    }
    if (writes(s->op) && dr->media) {
        memset(s->buf + s->buf_pos, 0, DISK_SECTOR - s->buf_pos); /* the rest as zeros */
        if (disk_write(dr->disk, sector_offset(f, s->r), s->buf, DISK_SECTOR)) {
            s->st1 |= ST1_DE;
            finish(f, ST0_ABNORMAL);
            return;
        }
    }
    bool switched;
    bool more = next_sector(f, &switched);
    if (tc) {
        finish(f, 0);
    } else if (!more) {
        /* The end of the cylinder without terminal count. VERIFY ends there normally. */
        if (s->op == OP_VERIFY) {
            finish(f, 0);
        } else {
            s->st1 |= ST1_EN;
            finish(f, ST0_ABNORMAL);
        }
    } else {
        if (switched && !track_readable(f)) {
            finish(f, ST0_ABNORMAL);
            return;
        }
        if (begin_sector(f) && s->ndma && s->op != OP_VERIFY)
            set_int(f, 1);
    }
}

/* DMA channel 2 may move data: as much as the channel takes. */
static void dma_service(void *opaque, unsigned ch)
{
    struct fdc *f = opaque;
    (void)ch;
    struct fdc_state *s = &f->s;
    while (s->phase == FDC_EXEC && s->dreq && s->buf_pos < s->buf_len) {
        bool tc;
        uint8_t *p = s->buf + s->buf_pos;
        size_t want = s->buf_len - s->buf_pos;
        size_t n = dma_transfer(f->dma, FDC_DMA, p, want, &tc);
        s->buf_pos = (uint16_t)(s->buf_pos + n);
        if (s->buf_pos == s->buf_len || tc)
            sector_done(f, tc);
        else
            return; /* the channel stopped: wait until it runs again */
    }
}

/* The data command's first sector, after the head settled. */
static void start_data(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    struct fdc_drive *dr = &f->drive[cur_drive(f)];
    if (s->op == OP_READ_ID) {
        if (!track_readable(f)) {
            uint8_t r[7] = { (uint8_t)(ST0_ABNORMAL | (s->drive & 7)), s->st1, 0,
                             s->drv[cur_drive(f)].pcn, (uint8_t)cur_hds(f), 1, 2 };
            result(f, r, 7);
        } else {
            struct fdc_drive_state *ds = &s->drv[cur_drive(f)];
            if (ds->next_r < 1 || ds->next_r > dr->media->spt)
                ds->next_r = 1;
            uint8_t r[7] = { (uint8_t)(s->drive & 7), 0, 0, ds->pcn, (uint8_t)cur_hds(f),
                             ds->next_r, 2 };
            ds->next_r = (uint8_t)(ds->next_r % dr->media->spt + 1);
            result(f, r, 7);
        }
        set_int(f, 1);
        return;
    }
    if (!track_readable(f)) {
        finish(f, ST0_ABNORMAL);
        return;
    }
    if (writes(s->op) && dr->readonly) {
        s->st1 |= ST1_NW;
        finish(f, ST0_ABNORMAL);
        return;
    }
    if (s->op == OP_FORMAT) {
        s->buf_pos = 0;
        s->buf_len = 4;
        if (s->sectors_left == 0) {
            finish(f, 0);
            return;
        }
    } else if (!begin_sector(f)) {
        return;
    }
    if (s->op == OP_VERIFY) { /* the sectors pass under the head; nothing moves */
        while (s->buf_len)
            sector_done(f, false);
    } else if (s->ndma) {
        set_int(f, 1);
    } else {
        s->dreq = 1;
        update_dreq(f);
    }
}

static void enter_result(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    uint8_t n = s->op == OP_FORMAT ? s->cmd[2] : s->cmd[5];
    uint8_t st0 = (uint8_t)((s->st0 & 0xF8) | (s->drive & 7)); /* the head MT left it on */
    uint8_t r[7] = { st0, s->st1, s->st2, s->c, s->h, s->r, n };
    result(f, r, 7);
    set_int(f, 1);
}

static void timer_fired(void *opaque, uint64_t deadline)
{
    struct fdc *f = opaque;
    (void)deadline;
    unsigned what = f->s.timer_what;
    f->s.timer_what = T_NONE;
    switch (what) {
    case T_RESET_DONE: reset_done(f); break;
    case T_START: start_data(f); break;
    case T_RESULT: enter_result(f); break;
    }
}

/* ---- Command phase ---- */

static void execute(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    const uint8_t *c = s->cmd;
    unsigned op = c[0] & 0x1F;
    switch (op) {
    case OP_SPECIFY:
        s->specify[0] = c[1];
        s->specify[1] = c[2];
        s->phase = FDC_CMD;
        return;
    case OP_SENSE_DRIVE: {
        unsigned d = c[1] & 3;
        const struct fdc_drive *dr = &f->drive[d];
        uint8_t st3 = (uint8_t)((c[1] & 7) | 0x28 | (s->drv[d].pcn == 0 ? 0x10 : 0) |
                                (dr->media && dr->readonly ? 0x40 : 0));
        result(f, &st3, 1);
        return;
    }
    case OP_RECALIBRATE:
        start_seek(f, c[1] & 3, 0, 0, true);
        s->phase = FDC_CMD;
        return;
    case OP_SEEK: {
        unsigned d = c[1] & 3, target = c[2];
        if (c[0] & 0x80) { /* RELATIVE SEEK: bit 6 up (towards higher cylinders) */
            int t = s->drv[d].pcn + (c[0] & 0x40 ? c[2] : -(int)c[2]);
            target = t < 0 ? 0 : t > 255 ? 255 : (unsigned)t;
        }
        start_seek(f, d, c[1] >> 2 & 1, target, false);
        s->phase = FDC_CMD;
        return;
    }
    case OP_SENSE_INT: {
        set_int(f, 0);
        for (unsigned d = 0; d < 4; d++) {
            if (s->int_pending >> d & 1) {
                s->int_pending &= (uint8_t)~(1u << d);
                uint8_t r[2] = { s->drv[d].int_st0, s->drv[d].pcn };
                result(f, r, 2);
                return;
            }
        }
        uint8_t r = ST0_INVALID;
        result(f, &r, 1);
        return;
    }
    case OP_VERSION: {
        uint8_t r = 0x90;
        result(f, &r, 1);
        return;
    }
    case OP_CONFIGURE:
        s->config = c[2] & 0x7F;
        s->pretrk = c[3];
        s->phase = FDC_CMD;
        return;
    case OP_LOCK: {
        s->lock = c[0] >> 7;
        uint8_t r = (uint8_t)(s->lock << 4);
        result(f, &r, 1);
        return;
    }
    case OP_DUMPREG: {
        uint8_t r[10] = { s->drv[0].pcn, s->drv[1].pcn, s->drv[2].pcn, s->drv[3].pcn,
                          s->specify[0], s->specify[1], s->eot,
                          (uint8_t)(s->lock << 7 | (s->perp & 0x3F)), s->config, s->pretrk };
        result(f, r, 10);
        return;
    }
    case OP_PERPENDICULAR:
        s->perp = (uint8_t)(c[1] & 0x80 ? c[1] & 0x3F : (s->perp & 0x3C) | (c[1] & 3));
        s->phase = FDC_CMD;
        return;
    }
    /* Data commands: READ ID, FORMAT and the sector transfers. */
    s->op = (uint8_t)op;
    s->drive = c[1] & 7;
    s->st0 = (uint8_t)(c[1] & 7);
    s->st1 = s->st2 = 0;
    s->ndma = s->specify[1] & 1;
    s->phase = FDC_EXEC;
    if (op == OP_FORMAT) {
        s->sectors_left = c[3];
        s->c = s->drv[c[1] & 3].pcn;
        s->h = c[1] >> 2 & 1;
        s->r = 1;
    } else if (op != OP_READ_ID) {
        s->c = c[2];
        s->h = c[3];
        s->r = c[4];
        s->eot = c[6];
        if ((s->config & CONF_EIS) && s->c != s->drv[c[1] & 3].pcn) {
            if (f->drive[c[1] & 3].media)
                s->drv[c[1] & 3].dskchg = 0;
            s->drv[c[1] & 3].pcn = s->c; /* the implied seek */
        }
    }
    arm(f, T_START, FDC_ACCESS_NS);
}

static void command_byte(struct fdc *f, uint8_t v)
{
    struct fdc_state *s = &f->s;
    if (s->ncmd == 0) {
        unsigned len = cmd_bytes[v & 0x1F];
        if (!len) {
            uint8_t r = ST0_INVALID;
            result(f, &r, 1);
            return;
        }
        s->cmd_len = (uint8_t)len;
    }
    s->cmd[s->ncmd++] = v;
    if (s->ncmd < s->cmd_len)
        return;
    s->ncmd = 0;
    execute(f);
}

/* Non-DMA execution: the FIFO carries the data, a byte at a time. */
static bool ndma_ready(const struct fdc *f)
{
    const struct fdc_state *s = &f->s;
    return s->phase == FDC_EXEC && s->ndma && s->buf_pos < s->buf_len &&
           s->timer_what == T_NONE && s->op != OP_VERIFY;
}

static void ndma_byte_done(struct fdc *f)
{
    set_int(f, 0);
    if (f->s.buf_pos == f->s.buf_len)
        sector_done(f, false);
    else
        set_int(f, 1);
}

/* ---- Ports ---- */

static bool in_reset(const struct fdc *f)
{
    return !(f->s.dor & DOR_NRESET);
}

static uint8_t msr(const struct fdc *f)
{
    const struct fdc_state *s = &f->s;
    if (in_reset(f))
        return 0;
    uint8_t v = s->seeking & 0x0F;
    switch (s->phase) {
    case FDC_CMD:
        return (uint8_t)(v | MSR_RQM | (s->ncmd ? MSR_CB : 0));
    case FDC_RESULT:
        return (uint8_t)(v | MSR_RQM | MSR_DIO | MSR_CB);
    default:
        if (ndma_ready(f))
            return (uint8_t)(v | MSR_RQM | MSR_NDM | MSR_CB | (writes(s->op) ? 0 : MSR_DIO));
        return (uint8_t)(v | MSR_CB | (s->ndma ? MSR_NDM : 0));
    }
}

static uint32_t fdc_read(void *opaque, uint16_t port, unsigned size)
{
    struct fdc *f = opaque;
    struct fdc_state *s = &f->s;
    (void)size;
    switch (port & 7) {
    case 2: return s->dor;
    case 3: return s->tdr;
    case 4: return msr(f);
    case 5:
        if (in_reset(f))
            return 0xFF;
        if (s->phase == FDC_RESULT && s->res_pos >= s->nres) {
            s->phase = FDC_CMD; /* only a forged state gets here */
        } else if (s->phase == FDC_RESULT) {
            uint8_t v = s->res[s->res_pos++];
            if (s->res_pos == 1)
                set_int(f, 0);
            if (s->res_pos >= s->nres)
                s->phase = FDC_CMD;
            return v;
        }
        if (ndma_ready(f) && !writes(s->op)) {
            uint8_t v = s->buf[s->buf_pos++];
            ndma_byte_done(f);
            return v;
        }
        return 0xFF;
    case 7: {
        const struct fdc_drive_state *ds = &s->drv[s->dor & 3];
        return ds->dskchg ? 0x80 : 0x00;
    }
    }
    return 0xFF; /* SRA, SRB: PS/2 mode only */
}

static void enter_reset(struct fdc *f)
{
    controller_reset(f);
}

static void leave_reset(struct fdc *f)
{
    arm(f, T_RESET_DONE, FDC_RESET_NS);
}

static void fdc_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct fdc *f = opaque;
    struct fdc_state *s = &f->s;
    uint8_t v = (uint8_t)value;
    (void)size;
    switch (port & 7) {
    case 2: {
        uint8_t old = s->dor;
        s->dor = v;
        if (!(v & DOR_NRESET) && (old & DOR_NRESET))
            enter_reset(f);
        else if ((v & DOR_NRESET) && !(old & DOR_NRESET))
            leave_reset(f);
        update_irq(f);
        update_dreq(f); /* the gate may let a waiting transfer run */
        return;
    }
    case 3: s->tdr = v & 3; return;
    case 4:
        s->dsr = v & 0x7F;
        s->rate = v & 3;
        if (v & 0x80 && !in_reset(f)) { /* software reset, self-clearing */
            enter_reset(f);
            leave_reset(f);
        }
        return;
    case 5:
        if (in_reset(f))
            return;
        if (s->phase == FDC_CMD) {
            command_byte(f, v);
        } else if (ndma_ready(f) && writes(s->op)) {
            s->buf[s->buf_pos++] = v;
            ndma_byte_done(f);
        }
        return;
    case 7: s->rate = v & 3; return;
    }
}

/* ---- Set-up ---- */

void fdc_reset(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    memset(s, 0, sizeof *s);
    s->rate = 2; /* 250 kbit/s */
    controller_reset(f); /* DOR 0: held in reset until the firmware releases it */
    for (unsigned d = 0; d < 4; d++) {
        s->drv[d].dskchg = 1;
        s->drv[d].next_r = 1;
    }
}

void fdc_state_loaded(struct fdc *f)
{
    update_irq(f);
    update_dreq(f);
}

int fdc_change_media(struct fdc *f, unsigned n, struct disk *disk, bool readonly)
{
    if (n >= FDC_DRIVES)
        return -1;
    struct fdc_drive *dr = &f->drive[n];
    const struct fdc_format *m = disk ? fdc_format_for_size(disk->size) : NULL;
    if (disk && !m)
        return -1;
    dr->disk = disk;
    dr->media = m;
    dr->readonly = readonly;
    if (m && !dr->fmt)
        dr->fmt = m;
    f->s.drv[n].dskchg = 1;
    return 0;
}

uint8_t fdc_cmos_types(const struct fdc *f)
{
    uint8_t t0 = f->drive[0].fmt ? f->drive[0].fmt->cmos_type : 0;
    uint8_t t1 = f->drive[1].fmt ? f->drive[1].fmt->cmos_type : 0;
    return (uint8_t)(t0 << 4 | t1);
}

int fdc_init(struct fdc *f, struct iobus *io, struct sched *sched, struct dma *dma,
             const struct irq_line *irq6, struct disk *const disks[FDC_DRIVES],
             const bool readonly[FDC_DRIVES])
{
    memset(f, 0, sizeof *f);
    f->sched = sched;
    f->dma = dma;
    if (irq6)
        f->irq = *irq6;
    f->timer = sched_timer_new(sched, "fdc82077", timer_fired, f);
    if (f->timer < 0)
        return -1;
    for (unsigned d = 0; d < 4; d++) {
        f->drive[d].fdc = f;
        f->drive[d].n = d;
        f->drive[d].seek_timer = sched_timer_new(sched, "fdc82077.seek", seek_done,
                                                 &f->drive[d]);
        if (f->drive[d].seek_timer < 0)
            return -1;
        if (d < FDC_DRIVES && disks && disks[d] &&
            fdc_change_media(f, d, disks[d], readonly && readonly[d]))
            return -1;
    }
    if (dma)
        dma_connect(dma, FDC_DMA, dma_service, f);
    fdc_reset(f);
    const struct io_handler h = { .read = fdc_read, .write = fdc_write, .opaque = f };
    if (iobus_register(io, FDC_PORT, 6, &h) || iobus_register(io, FDC_PORT + 7, 1, &h))
        return -1;
    return 0;
}

static const struct savestate_field fdc_drive_fields[] = {
    SS_FIELD(struct fdc_drive_state, pcn),
    SS_FIELD_RANGE(struct fdc_drive_state, dskchg, 0, 1),
    SS_FIELD(struct fdc_drive_state, int_st0),
    SS_FIELD(struct fdc_drive_state, seek_target),
    SS_FIELD(struct fdc_drive_state, next_r),
    SS_FIELD(struct fdc_drive_state, seek_st0),
    SS_ARRAY(struct fdc_drive_state, pad),
};
static SAVESTATE_DESC(fdc_drive_desc, "fdc82077.drive", 1, fdc_drive_fields);

static const struct savestate_field fdc_fields[] = {
    SS_STRUCTS(struct fdc_state, drv, fdc_drive_desc),
    SS_FIELD(struct fdc_state, dor),
    SS_FIELD(struct fdc_state, tdr),
    SS_FIELD_RANGE(struct fdc_state, rate, 0, 3),
    SS_FIELD(struct fdc_state, dsr),
    SS_FIELD_RANGE(struct fdc_state, phase, 0, FDC_RESULT),
    SS_FIELD_RANGE(struct fdc_state, int_level, 0, 1),
    SS_FIELD_RANGE(struct fdc_state, int_pending, 0, 0x0F),
    SS_FIELD_RANGE(struct fdc_state, seeking, 0, 0x0F),
    SS_ARRAY(struct fdc_state, cmd),
    SS_FIELD_RANGE(struct fdc_state, ncmd, 0, 8),
    SS_FIELD_RANGE(struct fdc_state, cmd_len, 0, 9),
    SS_ARRAY(struct fdc_state, res),
    SS_FIELD_RANGE(struct fdc_state, nres, 0, 10),
    SS_FIELD_RANGE(struct fdc_state, res_pos, 0, 10),
    SS_ARRAY(struct fdc_state, specify),
    SS_FIELD(struct fdc_state, config),
    SS_FIELD(struct fdc_state, pretrk),
    SS_FIELD_RANGE(struct fdc_state, lock, 0, 1),
    SS_FIELD(struct fdc_state, perp),
    SS_FIELD_RANGE(struct fdc_state, op, 0, 0x1F),
    SS_FIELD(struct fdc_state, drive),
    SS_FIELD(struct fdc_state, c),
    SS_FIELD(struct fdc_state, h),
    SS_FIELD(struct fdc_state, r),
    SS_FIELD(struct fdc_state, eot),
    SS_FIELD(struct fdc_state, st0),
    SS_FIELD(struct fdc_state, st1),
    SS_FIELD(struct fdc_state, st2),
    SS_FIELD_RANGE(struct fdc_state, dreq, 0, 1),
    SS_FIELD_RANGE(struct fdc_state, ndma, 0, 1),
    SS_FIELD(struct fdc_state, sectors_left),
    SS_FIELD_RANGE(struct fdc_state, timer_what, 0, T_RESULT),
    SS_ARRAY(struct fdc_state, pad),
    SS_FIELD_RANGE(struct fdc_state, buf_pos, 0, DISK_SECTOR),
    SS_FIELD_RANGE(struct fdc_state, buf_len, 0, DISK_SECTOR),
    SS_ARRAY(struct fdc_state, buf),
};
SAVESTATE_DESC(fdc_savestate, "fdc82077", 1, fdc_fields);
