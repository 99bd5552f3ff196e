/* Record and replay (machine.h, "Record and replay"; the file: core/record.h,
 * tools/RECORD-FORMAT.md).
 *
 * Every input that does not come from the machine itself passes through here: COM1's
 * bytes from its chardev, and the frontends' keys, mouse, power and reset buttons
 * (machine_key, machine_mouse_move, machine_power_button, machine_reset call
 * machine_rr_input while a record or replay is open). Inputs reach the guest only at a
 * boundary of machine_run, right after the timers due there fired (machine_rr_boundary),
 * stamped with the instruction count and the virtual time; with the deterministic clock
 * that pair names one point of the run. Recording, the boundary delivers what the host
 * queued and writes it down; replaying, it delivers what the record holds for this point
 * and ignores the host, and machine_run's slices end exactly at the next recorded point
 * (machine_rr_slice). Checks (CRC-32s of every state section) and snapshots (whole saved
 * states) are taken at boundaries at fixed instruction counts, so a replay meets them at
 * the same point, compares, and can restart from any snapshot (seek, reverse debugging). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/machine/machine_impl.h"
#include "core/machine/record_impl.h"
#include "core/record.h"

#define RR_QUEUE 256            /* host inputs waiting for the next boundary */
#define RR_CHECK_DEFAULT 10000000ull /* instructions between checks without check= */

struct machine_rr {
    bool replay;
    FILE *f;
    char path[512];
    uint64_t check_every, snap_every;   /* 0: none */
    uint64_t next_check, next_snap;     /* recording: the next point to take them */
    bool write_failed;
    int write_errno;
    /* Recording: host inputs waiting for the boundary. */
    struct record_event queue[RR_QUEUE];
    unsigned nqueue;
    /* Replaying. */
    struct record_index idx;
    size_t ev, chk;                     /* the next event and check */
    bool stopped;                       /* ended or departed: sticky */
    enum machine_stop stop_why;
    bool break_set;
    uint64_t break_at;
    bool target_set;                    /* machine_replay_seek's point */
    uint64_t target;
    unsigned nsums;
    uint64_t checks_passed;
    /* The removable drives' images at the start (a snapshot's come from these and the
     * media changes before it). */
    char *start_path[MACHINE_DRIVES];
    char start_format[MACHINE_DRIVES][RECORD_FORMAT_MAX + 1];
};

static void set_err(char *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void set_err(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, MACHINE_ERRMAX, fmt, ap);
    va_end(ap);
}

/* ---- The configuration a record is bound to ---- */

/* Size and CRC-32 of a file's bytes; false when it cannot be read. */
static bool file_sum(const char *path, uint64_t *size, uint32_t *crc)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    static uint8_t buf[1 << 16];
    uLong c = crc32(0, NULL, 0);
    uint64_t n = 0;
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        c = crc32(c, buf, (uInt)got);
        n += got;
    }
    bool ok = !ferror(f);
    fclose(f);
    *size = n;
    *crc = (uint32_t)c;
    return ok;
}

struct text {
    char *buf;
    size_t len, cap;
    bool bad;                           /* a file could not be read */
    char what[300];
};

static void line(struct text *t, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void line(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < t->cap - t->len)
        t->len += (size_t)n;
    else
        t->buf[t->len] = '\0'; /* too long: cut at the last whole line */
}

static void file_line(struct text *t, const char *key, const char *path)
{
    uint64_t size = 0;
    uint32_t crc = 0;
    if (!path) {
        line(t, "%s=none\n", key);
    } else if (file_sum(path, &size, &crc)) {
        line(t, "%s=%llu bytes, CRC-32 %08x\n", key, (unsigned long long)size, (unsigned)crc);
    } else if (!t->bad) {
        t->bad = true;
        snprintf(t->what, sizeof t->what, "cannot read '%s' to record its contents: %s", path,
                 strerror(errno));
    }
}

/* One line per setting that changes what the guest sees; files by size and CRC-32. The
 * engine, the outputs and the display are left out: a replay may trace, use the
 * interpreter, or run without a window. */
static void config_text(const struct machine *m, const struct machine_config *cfg,
                        struct text *t)
{
    line(t, "cpu=%s\n", cpu_info(&m->cpu)->name);
    line(t, "ram=%llu\n", (unsigned long long)m->ram_size);
    line(t, "bios=%u bytes, CRC-32 %08x\n", (unsigned)m->bios_size, (unsigned)m->bios_crc);
    line(t, "kernel=%u bytes, CRC-32 %08x\n", (unsigned)m->kernel_size,
         (unsigned)m->kernel_crc);
    file_line(t, "initrd", cfg->initrd_path);
    line(t, "append=%s\n", cfg->append ? cfg->append : "");
    for (unsigned i = 0; i < cfg->noption_roms; i++) {
        char key[32];
        snprintf(key, sizeof key, "option-rom.%u", i);
        file_line(t, key, cfg->option_roms[i]);
    }
    line(t, "icount-shift=%u\n", cfg->icount_shift);
    line(t, "rtc-base=%lld\n", (long long)cfg->rtc_base);
    line(t, "nographic=%d\n", cfg->nographic);
    line(t, "no-reboot=%d\n", cfg->no_reboot);
    line(t, "debugcon=%s\n", cfg->debugcon == MACHINE_DEBUGCON_NONE ? "none" : "on");
    line(t, "debugcon-port=%u\n", cfg->debugcon_port);
    line(t, "boot=%s,%s,%d,%u\n", cfg->boot_order ? cfg->boot_order : "",
         cfg->boot_once ? cfg->boot_once : "", cfg->boot_menu, cfg->boot_menu_wait);
    line(t, "serial=%s\n", cfg->serial ? "on" : "none");
    for (unsigned i = 0; i < MACHINE_IDE_DISKS; i++) {
        const struct machine_drive *d = &cfg->ide[i];
        char key[32];
        snprintf(key, sizeof key, "ide.%u", i);
        if (d->path || d->media == MACHINE_MEDIA_CDROM)
            line(t, "%s.media=%s%s\n", key, d->media == MACHINE_MEDIA_CDROM ? "cdrom" : "disk",
                 d->readonly ? ",readonly" : "");
        if (d->path)
            file_line(t, key, d->path);
    }
    for (unsigned i = 0; i < MACHINE_FLOPPIES; i++) {
        char key[32];
        snprintf(key, sizeof key, "floppy.%u", i);
        if (cfg->floppy[i]) {
            file_line(t, key, cfg->floppy[i]);
            line(t, "%s.readonly=%d\n", key, cfg->floppy_readonly[i]);
        }
    }
}

/* The first line of a that b does not have, and b's line with the same key. */
static void first_difference(const char *a, const char *b, char *out, size_t len)
{
    for (const char *p = a; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t key = eq ? (size_t)(eq - p) + 1 : n;
        bool found = false;
        const char *other = NULL;
        size_t olen = 0;
        for (const char *q = b; *q;) {
            const char *qe = strchr(q, '\n');
            size_t qn = qe ? (size_t)(qe - q) : strlen(q);
            if (qn == n && memcmp(p, q, n) == 0)
                found = true;
            if (qn >= key && memcmp(p, q, key) == 0) {
                other = q;
                olen = qn;
            }
            q += qn + (qe != NULL);
        }
        if (!found) {
            if (other)
                snprintf(out, len, "it was made with %.*s; this machine has %.*s", (int)n, p,
                         (int)olen, other);
            else
                snprintf(out, len, "it was made with %.*s, which this machine lacks", (int)n,
                         p);
            return;
        }
        p += n + (e != NULL);
    }
    snprintf(out, len, "this machine has settings the recorded one did not");
}

/* A value of the record's config text ("key=" at a line's start). */
static bool config_value(const char *text, const char *key, long long *v)
{
    size_t k = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, k) == 0 && p[k] == '=') {
            char *end;
            *v = strtoll(p + k + 1, &end, 10);
            return end != p + k + 1;
        }
    }
    return false;
}

enum machine_status machine_rr_config(const struct machine_config *cfg,
                                      struct machine_config *out, char *err)
{
    *out = *cfg;
    if (cfg->record_path && cfg->replay_path) {
        set_err(err, "-record and -replay: give one of them");
        return MACHINE_ERR_CONFIG;
    }
    /* The images stay as their hash says: the guest's writes go to overlays. */
    out->snapshot = true;
    if (cfg->record_path) {
        if (!cfg->icount) {
            set_err(err, "-record needs the deterministic clock: give -icount N too (the "
                    "real-time clock reads the host's time, which a replay cannot repeat)");
            return MACHINE_ERR_CONFIG;
        }
        if (!cfg->rtc_base_set) {
            out->rtc_base_set = true;
            out->rtc_base = MACHINE_RTC_DETERMINISTIC_BASE;
        }
        return MACHINE_OK;
    }
    /* Replaying: the clock is the record's. */
    FILE *f = fopen(cfg->replay_path, "rb");
    if (!f) {
        set_err(err, "-replay '%s': %s", cfg->replay_path, strerror(errno));
        return MACHINE_ERR_CONFIG;
    }
    uint8_t h[16];
    static char text[RECORD_CONFIG_MAX + 1];
    bool ok = fread(h, 1, sizeof h, f) == sizeof h && memcmp(h, RECORD_MAGIC, 8) == 0;
    uint32_t version = ok ? (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 |
                                (uint32_t)h[11] << 24 : 0;
    uint32_t len = ok ? (uint32_t)h[12] | (uint32_t)h[13] << 8 | (uint32_t)h[14] << 16 |
                            (uint32_t)h[15] << 24 : 0;
    if (ok && version == RECORD_VERSION && len <= RECORD_CONFIG_MAX &&
        fread(text, 1, len, f) == len) {
        text[len] = '\0';
    } else {
        text[0] = '\0';
    }
    fclose(f);
    long long shift, rtc;
    if (!ok || version != RECORD_VERSION || !config_value(text, "icount-shift", &shift) ||
        !config_value(text, "rtc-base", &rtc) || shift < 0 ||
        shift > MACHINE_ICOUNT_SHIFT_MAX) {
        /* machine_rr_open's reader says exactly what is wrong. */
        out->icount = true;
        return MACHINE_OK;
    }
    out->icount = true;
    out->icount_shift = (unsigned)shift;
    out->rtc_base_set = true;
    out->rtc_base = rtc;
    return MACHINE_OK;
}

/* ---- Opening and closing ---- */

static enum machine_status open_record(struct machine *m, struct machine_rr *rr,
                                       const char *config, char *err)
{
    rr->f = fopen(rr->path, "wb");
    if (!rr->f) {
        set_err(err, "-record '%s': cannot create it: %s", rr->path, strerror(errno));
        return MACHINE_ERR_FILE;
    }
    setvbuf(rr->f, NULL, _IOFBF, 1 << 16);
    if (!record_write_header(rr->f, config)) {
        set_err(err, "-record '%s': cannot write: %s", rr->path, strerror(errno));
        return MACHINE_ERR_FILE;
    }
    uint64_t now = cpu_icount(&m->cpu);
    rr->next_check = now; /* a check (and a snapshot) at the start */
    rr->next_snap = now;
    return MACHINE_OK;
}

static bool removable_drive(struct machine *m, unsigned u)
{
    struct machine_drive_info info;
    return u < MACHINE_DRIVES && machine_drive_info(m, u, &info) && (info.cdrom || info.floppy);
}

/* Every media change in the record names a removable drive here, and an image with the
 * size and CRC-32 it had when recorded. */
static enum machine_status check_media(struct machine *m, struct machine_rr *rr, char *err)
{
    for (size_t i = 0; i < rr->idx.nev; i++) {
        const struct record_event *e = &rr->idx.ev[i];
        if (e->kind != RECORD_MEDIA)
            continue;
        if (!removable_drive(m, e->u.media.drive)) {
            set_err(err, "-replay '%s': it changes the medium of drive %u at instruction "
                    "%llu, and this machine has no CD-ROM or floppy drive there", rr->path,
                    e->u.media.drive, (unsigned long long)e->icount);
            return MACHINE_ERR_CONFIG;
        }
        uint64_t size;
        uint32_t crc;
        if (e->u.media.op == RECORD_MEDIA_CHANGE &&
            (!file_sum(e->u.media.path, &size, &crc) || size != e->u.media.size ||
             crc != e->u.media.crc)) {
            set_err(err, "-replay '%s': at instruction %llu it puts '%.300s' (%llu bytes, "
                    "CRC-32 %08x) in a drive, and that file is not there as it was; give "
                    "the image it was recorded with", rr->path, (unsigned long long)e->icount,
                    e->u.media.path, (unsigned long long)e->u.media.size,
                    (unsigned)e->u.media.crc);
            return MACHINE_ERR_CONFIG;
        }
    }
    return MACHINE_OK;
}

static enum machine_status open_replay(struct machine_rr *rr, const char *config, char *err)
{
    rr->f = fopen(rr->path, "rb");
    if (!rr->f) {
        set_err(err, "-replay '%s': %s", rr->path, strerror(errno));
        return MACHINE_ERR_CONFIG;
    }
    char why[RECORD_ERRMAX];
    if (!record_read(rr->f, rr->path, &rr->idx, why)) {
        set_err(err, "-replay: %s", why);
        return MACHINE_ERR_CONFIG;
    }
    if (strcmp(rr->idx.config, config) != 0) {
        char diff[200];
        first_difference(rr->idx.config, config, diff, sizeof diff);
        set_err(err, "-replay '%s': %s; give the options and files it was recorded with",
                rr->path, diff);
        return MACHINE_ERR_CONFIG;
    }
    return MACHINE_OK;
}

enum machine_status machine_rr_open(struct machine *m, const struct machine_config *cfg,
                                    char *err)
{
    if (!cfg->record_path && !cfg->replay_path)
        return MACHINE_OK;
    struct machine_rr *rr = calloc(1, sizeof *rr);
    char *text = malloc(RECORD_CONFIG_MAX + 1);
    if (!rr || !text) {
        free(rr);
        free(text);
        set_err(err, "out of memory opening the record");
        return MACHINE_ERR_NOMEM;
    }
    m->rr = rr;
    rr->replay = cfg->replay_path != NULL;
    for (unsigned u = 0; u < MACHINE_DRIVES; u++) {
        const char *format = u < MACHINE_IDE_DISKS ? cfg->ide[u].format : NULL;
        snprintf(rr->start_format[u], sizeof rr->start_format[u], "%s", format ? format : "");
        if (m->media_path[u] && !(rr->start_path[u] = strdup(m->media_path[u]))) {
            set_err(err, "out of memory opening the record");
            free(text);
            return MACHINE_ERR_NOMEM;
        }
    }
    snprintf(rr->path, sizeof rr->path, "%s", rr->replay ? cfg->replay_path : cfg->record_path);
    struct text t = { text, 0, RECORD_CONFIG_MAX + 1, false, "" };
    text[0] = '\0';
    config_text(m, cfg, &t);
    enum machine_status st;
    if (t.bad) {
        set_err(err, "%s %s", rr->replay ? "-replay:" : "-record:", t.what);
        st = MACHINE_ERR_FILE;
    } else if (rr->replay) {
        st = open_replay(rr, text, err);
        if (st == MACHINE_OK)
            st = check_media(m, rr, err);
    } else {
        rr->snap_every = cfg->record_snapshot;
        rr->check_every = cfg->record_check ? cfg->record_check : RR_CHECK_DEFAULT;
        st = open_record(m, rr, text, err);
    }
    free(text);
    return st; /* on failure machine_destroy closes rr */
}

static void write_failed(struct machine_rr *rr)
{
    if (!rr->write_failed) {
        rr->write_failed = true;
        rr->write_errno = errno ? errno : EIO;
    }
}

void machine_rr_close(struct machine *m)
{
    struct machine_rr *rr = m->rr;
    if (!rr)
        return;
    if (!rr->replay && rr->f && !rr->write_failed &&
        !record_write_chunk(rr->f, RECORD_END, cpu_icount(&m->cpu), sched_now(&m->pc.sched),
                            NULL, 0))
        write_failed(rr);
    if (rr->f && fclose(rr->f) != 0 && !rr->replay)
        write_failed(rr);
    if (rr->write_failed)
        fprintf(stderr, "orrery: -record '%s': cannot write: %s; the record is incomplete\n",
                rr->path, strerror(rr->write_errno));
    record_index_free(&rr->idx);
    for (unsigned i = 0; i < rr->nqueue; i++)
        record_event_free(&rr->queue[i]);
    for (unsigned u = 0; u < MACHINE_DRIVES; u++)
        free(rr->start_path[u]);
    free(rr);
    m->rr = NULL;
}

bool machine_rr_failed(struct machine *m, char *err)
{
    struct machine_rr *rr = m->rr;
    if (!rr || !rr->write_failed)
        return false;
    set_err(err, "-record '%s': cannot write: %s; free some space or record somewhere else",
            rr->path, strerror(rr->write_errno));
    return true;
}

/* ---- Inputs ---- */

/* What an input does to the machine (both directions use it). False when it could not
 * be delivered: COM1's FIFO without room (which a replay takes for a departure). */
static bool apply(struct machine *m, const struct record_event *e)
{
    switch (e->kind) {
    case RECORD_SERIAL:
        if (uart_rx_space(&m->pc.com[0]) < e->n)
            return false;
        uart_receive(&m->pc.com[0], e->u.data, e->n);
        return true;
    case RECORD_KEY:
        machine_key_apply(m, e->u.key.usage, e->u.key.down);
        return true;
    case RECORD_MOUSE:
        machine_mouse_apply(m, e->u.mouse.dx, e->u.mouse.dy, e->u.mouse.dz,
                            e->u.mouse.buttons);
        return true;
    case RECORD_POWER:
        piix4_pm_power_button(&m->pc.pm);
        return true;
    case RECORD_RESET:
        machine_reset_apply(m);
        return true;
    case RECORD_MEDIA: {
        char err[MACHINE_ERRMAX];
        const char *format = e->u.media.format[0] ? e->u.media.format : NULL;
        return machine_media_set(m, e->u.media.drive, e->u.media.path, format, err) ==
               MACHINE_OK;
    }
    default:
        return false;
    }
}

enum machine_status machine_rr_media(struct machine *m, unsigned u, const char *path,
                                     const char *format, bool force, char *err)
{
    struct machine_rr *rr = m->rr;
    struct machine_drive_info info;
    machine_drive_info(m, u, &info);
    if (rr->replay) {
        set_err(err, "Device '%s': a replay takes its media changes from the record; change "
                "and eject are refused while replaying", info.name);
        return MACHINE_ERR_CONFIG;
    }
    struct record_event e = { .kind = RECORD_MEDIA };
    e.u.media.drive = (uint8_t)u;
    e.u.media.op = path ? RECORD_MEDIA_CHANGE : RECORD_MEDIA_EJECT;
    e.u.media.force = force;
    if (format && strlen(format) > RECORD_FORMAT_MAX) {
        set_err(err, "%s %s: format %.40s is not supported; give format=raw or format=qcow2",
                info.name, path ? path : "", format);
        return MACHINE_ERR_CONFIG;
    }
    snprintf(e.u.media.format, sizeof e.u.media.format, "%s", format ? format : "");
    if (path) {
        enum machine_status st = machine_media_check(m, u, path, format, err);
        if (st != MACHINE_OK)
            return st;
        if (strlen(path) > RECORD_PATH_MAX) {
            set_err(err, "%s: a path longer than %u bytes cannot go into the record",
                    info.name, RECORD_PATH_MAX);
            return MACHINE_ERR_CONFIG;
        }
        if (!file_sum(path, &e.u.media.size, &e.u.media.crc)) {
            set_err(err, "%s %.300s: cannot read it to record its contents: %s", info.name,
                    path, strerror(errno));
            return MACHINE_ERR_DISK;
        }
        if (!(e.u.media.path = strdup(path))) {
            set_err(err, "out of memory");
            return MACHINE_ERR_NOMEM;
        }
    }
    if (rr->nqueue == RR_QUEUE) {
        record_event_free(&e);
        set_err(err, "%s: too many inputs wait for the guest; try again", info.name);
        return MACHINE_ERR_CONFIG;
    }
    rr->queue[rr->nqueue++] = e; /* made at the next boundary (record_inputs) */
    return MACHINE_OK;
}

bool machine_rr_input(struct machine *m, const struct record_event *e)
{
    struct machine_rr *rr = m->rr;
    if (rr->replay || rr->nqueue == RR_QUEUE)
        return false; /* replaying, the record gives the inputs */
    rr->queue[rr->nqueue++] = *e;
    return true;
}

/* ---- Checks and snapshots ---- */

static void take_check(struct machine *m, struct record_check *c, bool ram)
{
    memset(c, 0, sizeof *c);
    c->icount = cpu_icount(&m->cpu);
    c->time = sched_now(&m->pc.sched);
    c->n = machine_state_sums(m, c->sum, RECORD_SUMS_MAX, ram ? &c->ram : NULL);
    c->has_ram = ram;
}

/* A temporary file for a state on its way into or out of the record. */
static int temp_state(char *path, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, len, "%s/orrery-rr-XXXXXX", dir && *dir ? dir : "/tmp");
    return mkstemp(path);
}

static void take_snapshot(struct machine *m, struct machine_rr *rr)
{
    char path[600], err[MACHINE_ERRMAX];
    int fd = temp_state(path, sizeof path);
    if (fd < 0) {
        write_failed(rr);
        return;
    }
    close(fd);
    bool ok = machine_save_state(m, path, err) == MACHINE_OK;
    FILE *f = ok ? fopen(path, "rb") : NULL;
    uint8_t *buf = NULL;
    long len = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc(len ? (size_t)len : 1)) && fread(buf, 1, (size_t)len, f) == (size_t)len &&
        (uint64_t)len <= 0xFFFFFFFFull - RECORD_STAMP) {
        if (!record_write_chunk(rr->f, RECORD_SNAPSHOT, cpu_icount(&m->cpu),
                                sched_now(&m->pc.sched), buf, (uint32_t)len))
            write_failed(rr);
    } else {
        write_failed(rr);
    }
    free(buf);
    if (f)
        fclose(f);
    unlink(path);
}

/* Recording: at the points set, a check, and a snapshot. */
static void record_points(struct machine *m, struct machine_rr *rr, uint64_t now)
{
    bool snap = rr->snap_every && now >= rr->next_snap;
    if (now >= rr->next_check || snap) {
        struct record_check c;
        take_check(m, &c, snap);
        if (!record_write_check(rr->f, &c))
            write_failed(rr);
        while (rr->next_check <= now)
            rr->next_check += rr->check_every;
    }
    if (snap) {
        take_snapshot(m, rr);
        while (rr->next_snap <= now)
            rr->next_snap += rr->snap_every;
    }
}

/* Recording: what the host queued, and what COM1 has room for of its chardev. */
static void record_inputs(struct machine *m, struct machine_rr *rr, uint64_t now, uint64_t t)
{
    for (unsigned i = 0; i < rr->nqueue; i++) {
        struct record_event *e = &rr->queue[i];
        e->icount = now;
        e->time = t;
        /* A media change checked when it was asked for can still fail here (the file
         * went away meanwhile): it did not happen, so it is not recorded. */
        if (apply(m, e) || e->kind != RECORD_MEDIA) {
            if (!record_write_event(rr->f, e))
                write_failed(rr);
        }
        record_event_free(e);
    }
    rr->nqueue = 0;
    struct chardev *c = m->serial;
    while (c && chardev_pending(c) && uart_rx_space(&m->pc.com[0])) {
        struct record_event e = { .kind = RECORD_SERIAL, .icount = now, .time = t };
        size_t room = uart_rx_space(&m->pc.com[0]);
        while (e.n < RECORD_SERIAL_MAX && e.n < room && chardev_pending(c))
            e.u.data[e.n++] = (uint8_t)chardev_getc(c);
        apply(m, &e);
        if (!record_write_event(rr->f, &e))
            write_failed(rr);
    }
}

/* ---- Replaying ---- */

static enum machine_stop depart(struct machine *m, struct machine_rr *rr, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
static enum machine_stop depart(struct machine *m, struct machine_rr *rr, const char *fmt, ...)
{
    char what[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(m->stop_msg, sizeof m->stop_msg, "the replay departed at instruction %llu: %s",
             (unsigned long long)cpu_icount(&m->cpu), what);
    rr->stopped = true;
    rr->stop_why = MACHINE_STOP_DIVERGED;
    return MACHINE_STOP_DIVERGED;
}

/* A recorded check against this machine: the sections that differ, by name. */
static bool check_matches(struct machine *m, struct machine_rr *rr, const struct record_check *c,
                          enum machine_stop *why)
{
    struct record_check now;
    take_check(m, &now, c->has_ram);
    if (now.n != c->n) {
        *why = depart(m, rr, "the record has %u state sections, this orrery %u", c->n, now.n);
        return false;
    }
    char names[120] = "";
    size_t len = 0;
    unsigned bad = 0;
    for (unsigned i = 0; i <= c->n; i++) {
        bool differs = i < c->n ? now.sum[i] != c->sum[i] : c->has_ram && now.ram != c->ram;
        if (!differs)
            continue;
        const char *name = i < c->n ? machine_state_part_name(i) : "ram";
        if (bad++ < 6 && len < sizeof names) {
            int n = snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", name);
            if (n > 0)
                len += (size_t)n;
        }
    }
    if (!bad) {
        rr->checks_passed++;
        return true;
    }
    *why = depart(m, rr, "its state differs from the recorded one in %s%s", names,
                  bad > 6 ? " and more" : "");
    return false;
}

static bool replay_boundary(struct machine *m, struct machine_rr *rr, bool halted,
                            enum machine_stop *why)
{
    uint64_t now = cpu_icount(&m->cpu), t = sched_now(&m->pc.sched);
    const struct record_index *x = &rr->idx;
    while (rr->chk < x->nchk && x->chk[rr->chk].icount <= now) {
        const struct record_check *c = &x->chk[rr->chk++];
        if (c->icount < now) {
            *why = depart(m, rr, "the check of instruction %llu was not met",
                          (unsigned long long)c->icount);
            return true;
        }
        if (!check_matches(m, rr, c, why))
            return true;
    }
    while (rr->ev < x->nev && x->ev[rr->ev].icount <= now) {
        const struct record_event *e = &x->ev[rr->ev];
        if (e->icount == now && e->time > t) {
            if (!halted) {
                *why = depart(m, rr, "the record gives input at %llu ns, and the guest is "
                              "at %llu ns and running", (unsigned long long)e->time,
                              (unsigned long long)t);
                return true;
            }
            if (m->pc.sched.next > e->time) {
                *why = depart(m, rr, "the guest waits past %llu ns, where the record gives "
                              "it input", (unsigned long long)e->time);
                return true;
            }
            break; /* a halted guest's time moves on to it */
        }
        if (e->icount < now || e->time < t) {
            *why = depart(m, rr, "it passed the input recorded at instruction %llu, %llu ns",
                          (unsigned long long)e->icount, (unsigned long long)e->time);
            return true;
        }
        if (!apply(m, e)) {
            if (e->kind == RECORD_MEDIA)
                *why = depart(m, rr, "the record's media change of drive %u could not be "
                              "made", e->u.media.drive);
            else
                *why = depart(m, rr, "COM1 has no room for the %u bytes the record gives it",
                              e->n);
            return true;
        }
        rr->ev++;
    }
    return false;
}

bool machine_rr_stop(struct machine *m, enum machine_stop *why)
{
    struct machine_rr *rr = m->rr;
    if (!rr->replay)
        return false;
    uint64_t now = cpu_icount(&m->cpu), t = sched_now(&m->pc.sched);
    const struct record_index *x = &rr->idx;
    if (rr->target_set && now >= rr->target) {
        rr->target_set = false;
        *why = MACHINE_STOP_REPLAY_BREAK;
        return true;
    }
    if (rr->break_set && now >= rr->break_at) {
        rr->break_set = false;
        snprintf(m->stop_msg, sizeof m->stop_msg, "the replay reached instruction %llu "
                 "(replay_break)", (unsigned long long)now);
        *why = MACHINE_STOP_REPLAY_BREAK;
        return true;
    }
    if (now >= x->end_icount && t >= x->end_time && rr->ev == x->nev) {
        snprintf(m->stop_msg, sizeof m->stop_msg, "the replay reached the end of its record "
                 "(%llu instructions, %zu inputs, %llu checks passed)",
                 (unsigned long long)now, x->nev, (unsigned long long)rr->checks_passed);
        rr->stopped = true;
        rr->stop_why = MACHINE_STOP_REPLAY_END;
        *why = MACHINE_STOP_REPLAY_END;
        return true;
    }
    return false;
}

bool machine_rr_boundary(struct machine *m, bool halted, enum machine_stop *why)
{
    struct machine_rr *rr = m->rr;
    if (rr->replay) {
        if (rr->stopped) {
            *why = rr->stop_why;
            return true;
        }
        return replay_boundary(m, rr, halted, why);
    }
    if (rr->write_failed)
        return false; /* machine_output_error reports it; the guest goes on */
    uint64_t now = cpu_icount(&m->cpu);
    record_points(m, rr, now);
    record_inputs(m, rr, now, sched_now(&m->pc.sched));
    return false;
}

uint64_t machine_rr_slice(struct machine *m, uint64_t max)
{
    struct machine_rr *rr = m->rr;
    uint64_t now = cpu_icount(&m->cpu), until = UINT64_MAX;
    if (!rr->replay) {
        until = rr->next_check;
        if (rr->snap_every && rr->next_snap < until)
            until = rr->next_snap;
    } else {
        const struct record_index *x = &rr->idx;
        until = x->end_icount;
        if (rr->ev < x->nev && x->ev[rr->ev].icount < until)
            until = x->ev[rr->ev].icount;
        if (rr->chk < x->nchk && x->chk[rr->chk].icount < until)
            until = x->chk[rr->chk].icount;
        if (rr->break_set && rr->break_at < until)
            until = rr->break_at;
        if (rr->target_set && rr->target < until)
            until = rr->target;
    }
    if (until <= now)
        return max; /* the boundary has dealt with it; nothing is due before max */
    return until - now < max ? until - now : max;
}

/* ---- The replay's controls (machine.h) ---- */

bool machine_replay_info(struct machine *m, struct machine_replay_info *out)
{
    memset(out, 0, sizeof *out);
    struct machine_rr *rr = m->rr;
    if (!rr)
        return false;
    out->replaying = rr->replay;
    out->recording = !rr->replay;
    out->icount = cpu_icount(&m->cpu);
    out->path = rr->path;
    if (rr->replay) {
        out->end = rr->idx.end_icount;
        out->inputs = rr->idx.nev;
        out->next_input = rr->ev;
        out->snapshots = rr->idx.nsnap;
        out->checks = rr->idx.nchk;
        out->checks_passed = rr->checks_passed;
        out->break_set = rr->break_set;
        out->break_at = rr->break_at;
        out->ended = rr->stopped;
    }
    return true;
}

bool machine_replay_break(struct machine *m, uint64_t icount, char *err)
{
    struct machine_rr *rr = m->rr;
    if (!rr || !rr->replay) {
        set_err(err, "not replaying (start orrery with -replay FILE)");
        return false;
    }
    if (icount <= cpu_icount(&m->cpu) || icount > rr->idx.end_icount) {
        set_err(err, "instruction %llu is not ahead in the record (now %llu, it ends at %llu)",
                 (unsigned long long)icount, (unsigned long long)cpu_icount(&m->cpu),
                 (unsigned long long)rr->idx.end_icount);
        return false;
    }
    rr->break_set = true;
    rr->break_at = icount;
    return true;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The removable drives' images as they were at a snapshot that follows the record's
 * first `events` inputs; before its state is loaded, so that the devices' state there
 * meets the images it saw. */
static bool media_at(struct machine *m, struct machine_rr *rr, size_t events, char *err)
{
    for (unsigned u = 0; u < MACHINE_DRIVES; u++) {
        if (!removable_drive(m, u))
            continue;
        const char *path = rr->start_path[u], *format = rr->start_format[u];
        for (size_t i = 0; i < events; i++) {
            const struct record_event *e = &rr->idx.ev[i];
            if (e->kind == RECORD_MEDIA && e->u.media.drive == u) {
                path = e->u.media.path;
                format = e->u.media.format;
            }
        }
        if (!same_text(path, m->media_path[u]) &&
            machine_media_set(m, u, path, format[0] ? format : NULL, err) != MACHINE_OK)
            return false;
    }
    return true;
}

/* The state of snapshot i into the machine, and the replay's place in the record after
 * it. */
static bool restore(struct machine *m, struct machine_rr *rr, size_t i, char *err)
{
    const struct record_snapshot *s = &rr->idx.snap[i];
    if (!media_at(m, rr, s->next_event, err))
        return false;
    char path[600];
    int fd = temp_state(path, sizeof path);
    if (fd < 0) {
        set_err(err, "cannot create a temporary file for a snapshot: %s", strerror(errno));
        return false;
    }
    FILE *out = fdopen(fd, "wb");
    bool ok = out && fseeko(rr->f, (off_t)s->offset, SEEK_SET) == 0;
    uint8_t buf[1 << 16];
    for (uint64_t left = s->len; ok && left;) {
        size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
        ok = fread(buf, 1, n, rr->f) == n && fwrite(buf, 1, n, out) == n;
        left -= n;
    }
    if (out && fclose(out) != 0)
        ok = false;
    else if (!out)
        close(fd);
    if (!ok) {
        set_err(err, "cannot copy the snapshot of instruction %llu out of '%s'",
                (unsigned long long)s->icount, rr->path);
    } else if (machine_state_load(m, path, err) != MACHINE_OK) {
        ok = false;
    } else {
        rr->ev = s->next_event;
        rr->chk = s->next_check;
        rr->checks_passed = s->next_check;
        rr->stopped = false;
    }
    unlink(path);
    return ok;
}

/* The last snapshot at or before icount; false when there is none. */
static bool snapshot_before(const struct machine_rr *rr, uint64_t icount, size_t *out)
{
    bool found = false;
    for (size_t i = 0; i < rr->idx.nsnap && rr->idx.snap[i].icount <= icount; i++) {
        *out = i;
        found = true;
    }
    return found;
}

enum machine_status machine_replay_seek(struct machine *m, uint64_t icount, char *err)
{
    struct machine_rr *rr = m->rr;
    if (!rr || !rr->replay) {
        set_err(err, "not replaying (start orrery with -replay FILE)");
        return MACHINE_ERR_CONFIG;
    }
    if (icount > rr->idx.end_icount) {
        set_err(err, "instruction %llu is past the end of the record (%llu)",
                (unsigned long long)icount, (unsigned long long)rr->idx.end_icount);
        return MACHINE_ERR_CONFIG;
    }
    uint64_t now = cpu_icount(&m->cpu);
    size_t s;
    if (icount < now || (snapshot_before(rr, icount, &s) && rr->idx.snap[s].icount > now)) {
        if (!snapshot_before(rr, icount, &s)) {
            set_err(err, "no snapshot at or before instruction %llu (record with "
                    "-record FILE,snapshot=N)", (unsigned long long)icount);
            return MACHINE_ERR_CONFIG;
        }
        if (!restore(m, rr, s, err))
            return MACHINE_ERR_STATE;
    }
    return machine_rr_run_to(m, icount, err);
}

/* machine_rr_run_to, noting in *hit (when not NULL) the last watchpoint that fired on the
 * way. */
static enum machine_status run_to(struct machine *m, uint64_t icount,
                                  struct machine_reverse_stop *hit, char *err)
{
    struct machine_rr *rr = m->rr;
    bool had_break = rr->break_set;
    while (cpu_icount(&m->cpu) < icount) {
        rr->target_set = true;
        rr->target = icount;
        enum machine_stop why = machine_run(m, icount - cpu_icount(&m->cpu));
        if (why == MACHINE_STOP_DEBUG) {
            uint32_t addr;
            enum machine_watch kind;
            if (hit && machine_debug_stopped(m, &addr, &kind) == MACHINE_DEBUG_WATCH) {
                hit->watch = true;
                hit->addr = addr;
                hit->kind = kind;
            }
            machine_debug_resume(m, false); /* breakpoints do not stop a seek */
            continue;
        }
        if (why == MACHINE_STOP_BUDGET || why == MACHINE_STOP_RESET ||
            (why == MACHINE_STOP_REPLAY_BREAK && !rr->target_set))
            continue;
        if (why == MACHINE_STOP_REPLAY_BREAK) /* replay_break's point on the way */
            continue;
        rr->target_set = false;
        if (cpu_icount(&m->cpu) == icount)
            break;
        set_err(err, "stopped at instruction %llu before %llu: %s",
                (unsigned long long)cpu_icount(&m->cpu), (unsigned long long)icount,
                machine_stop_message(m));
        return MACHINE_ERR_STATE;
    }
    rr->target_set = false;
    rr->break_set = had_break && rr->break_at > icount;
    return MACHINE_OK;
}

enum machine_status machine_rr_run_to(struct machine *m, uint64_t icount, char *err)
{
    return run_to(m, icount, NULL, err);
}

enum machine_reverse machine_replay_step(struct machine *m, struct machine_reverse_stop *stop,
                                         char *err)
{
    struct machine_rr *rr = m->rr;
    memset(stop, 0, sizeof *stop);
    if (!rr || !rr->replay) {
        set_err(err, "not replaying (start orrery with -replay FILE)");
        return MACHINE_REVERSE_ERROR;
    }
    if (run_to(m, cpu_icount(&m->cpu) + 1, stop, err) != MACHINE_OK)
        return MACHINE_REVERSE_ERROR;
    stop->icount = cpu_icount(&m->cpu);
    return stop->watch ? MACHINE_REVERSE_STOPPED : MACHINE_REVERSE_STEPPED;
}

/* ---- Reverse execution (the GDB stub's bs and bc) ---- */

/* Replays from the machine's place to exactly limit, noting the last debugger stop before
 * it (*hit: its instruction count, kind and address). A watchpoint's stop comes after the
 * access, so one at limit itself counts: going backwards from there, undoing that access
 * is the first hit (the machine stopped just after a write goes back before it). */
static enum machine_status last_hit(struct machine *m, uint64_t limit, bool *found,
                                    struct machine_reverse_stop *hit, char *err)
{
    struct machine_rr *rr = m->rr;
    *found = false;
    machine_debug_resume(m, false);
    while (cpu_icount(&m->cpu) < limit) {
        rr->target_set = true;
        rr->target = limit;
        enum machine_stop why = machine_run(m, limit - cpu_icount(&m->cpu));
        if (why == MACHINE_STOP_DEBUG) {
            uint32_t addr = 0;
            enum machine_watch kind = MACHINE_WATCH_WRITE;
            enum machine_debug_stop d = machine_debug_stopped(m, &addr, &kind);
            uint64_t at = cpu_icount(&m->cpu);
            if ((d == MACHINE_DEBUG_BREAK && at < limit) ||
                (d == MACHINE_DEBUG_WATCH && at <= limit)) {
                *found = true;
                hit->icount = at;
                hit->watch = d == MACHINE_DEBUG_WATCH;
                hit->addr = addr;
                hit->kind = kind;
            }
            machine_debug_resume(m, false);
            continue;
        }
        if (why == MACHINE_STOP_BUDGET || why == MACHINE_STOP_RESET ||
            why == MACHINE_STOP_REPLAY_BREAK)
            continue;
        rr->target_set = false;
        if (cpu_icount(&m->cpu) == limit)
            break; /* the guest stopped there itself (a halt, the power off) */
        set_err(err, "the replay stopped at instruction %llu: %s",
                (unsigned long long)cpu_icount(&m->cpu), machine_stop_message(m));
        return MACHINE_ERR_STATE;
    }
    rr->target_set = false;
    return MACHINE_OK;
}

enum machine_reverse machine_replay_reverse(struct machine *m, bool step,
                                            struct machine_reverse_stop *stop, char *err)
{
    struct machine_rr *rr = m->rr;
    memset(stop, 0, sizeof *stop);
    if (!rr || !rr->replay) {
        set_err(err, "not replaying (start orrery with -replay FILE)");
        return MACHINE_REVERSE_ERROR;
    }
    uint64_t now = cpu_icount(&m->cpu);
    size_t k = 0;
    if (!rr->idx.nsnap || rr->idx.snap[0].icount >= now) {
        stop->icount = now;
        return MACHINE_REVERSE_BEGIN; /* nothing recorded before here to go back to */
    }
    if (step) {
        if (machine_replay_seek(m, now - 1, err) != MACHINE_OK)
            return MACHINE_REVERSE_ERROR;
        stop->icount = now - 1;
        return MACHINE_REVERSE_STEPPED;
    }
    /* Back one snapshot at a time until a stretch has a stop in it; the last one there. */
    snapshot_before(rr, now - 1, &k);
    uint64_t limit = now;
    for (;;) {
        bool found;
        if (!restore(m, rr, k, err) || last_hit(m, limit, &found, stop, err) != MACHINE_OK)
            return MACHINE_REVERSE_ERROR;
        if (found) {
            /* Going backwards, a watchpoint stops with its access undone: before the
             * instruction that made it, as GDB expects. */
            if (stop->watch && stop->icount > rr->idx.snap[k].icount)
                stop->icount--;
            if (!restore(m, rr, k, err) || machine_rr_run_to(m, stop->icount, err) != MACHINE_OK)
                return MACHINE_REVERSE_ERROR;
            return MACHINE_REVERSE_STOPPED;
        }
        if (k == 0)
            break;
        limit = rr->idx.snap[k].icount;
        k--;
    }
    if (!restore(m, rr, 0, err))
        return MACHINE_REVERSE_ERROR;
    stop->icount = cpu_icount(&m->cpu);
    return MACHINE_REVERSE_BEGIN;
}
