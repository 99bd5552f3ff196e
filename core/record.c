/* A record's encoding and its reader (record.h, tools/RECORD-FORMAT.md). The reader takes
 * the file as hostile: every length is checked against what its kind allows before
 * anything is read or kept, and nothing is allocated from a length the file gives (events
 * and checks grow with the bytes actually read; snapshots are only indexed). */
#include "core/record.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/bits.h"

/* The longest event body: a media change with the longest format and path. */
#define RECORD_BODY_MAX (RECORD_MEDIA_FIXED + RECORD_FORMAT_MAX + RECORD_PATH_MAX)

static void put64(uint8_t *p, uint64_t v)
{
    store_le32(p, (uint32_t)v);
    store_le32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get64(const uint8_t *p)
{
    return load_le32(p) | (uint64_t)load_le32(p + 4) << 32;
}

bool record_write_header(FILE *f, const char *config)
{
    uint8_t h[16];
    size_t len = strlen(config);
    memcpy(h, RECORD_MAGIC, 8);
    store_le32(h + 8, RECORD_VERSION);
    store_le32(h + 12, (uint32_t)len);
    return fwrite(h, 1, sizeof h, f) == sizeof h && fwrite(config, 1, len, f) == len;
}

bool record_write_chunk(FILE *f, uint8_t kind, uint64_t icount, uint64_t time,
                        const void *body, uint32_t len)
{
    uint8_t h[5 + RECORD_STAMP];
    h[0] = kind;
    store_le32(h + 1, RECORD_STAMP + len);
    put64(h + 5, icount);
    put64(h + 13, time);
    return fwrite(h, 1, sizeof h, f) == sizeof h && (!len || fwrite(body, 1, len, f) == len);
}

void record_event_free(struct record_event *e)
{
    if (e->kind == RECORD_MEDIA) {
        free(e->u.media.path);
        e->u.media.path = NULL;
    }
}

/* An event's body: what follows the stamp (b holds RECORD_BODY_MAX bytes). */
static uint32_t event_body(const struct record_event *e, uint8_t *b)
{
    switch (e->kind) {
    case RECORD_SERIAL:
        memcpy(b, e->u.data, e->n);
        return e->n;
    case RECORD_KEY:
        store_le16(b, e->u.key.usage);
        b[2] = e->u.key.down;
        return 3;
    case RECORD_MOUSE:
        store_le32(b, (uint32_t)e->u.mouse.dx);
        store_le32(b + 4, (uint32_t)e->u.mouse.dy);
        store_le32(b + 8, (uint32_t)e->u.mouse.dz);
        b[12] = e->u.mouse.buttons;
        return 13;
    case RECORD_MEDIA: {
        size_t flen = strnlen(e->u.media.format, RECORD_FORMAT_MAX);
        size_t plen = e->u.media.path ? strnlen(e->u.media.path, RECORD_PATH_MAX) : 0;
        b[0] = e->u.media.drive;
        b[1] = e->u.media.op;
        b[2] = e->u.media.force;
        b[3] = (uint8_t)flen;
        store_le16(b + 4, (uint16_t)plen);
        store_le16(b + 6, 0);
        put64(b + 8, e->u.media.size);
        store_le32(b + 16, e->u.media.crc);
        memcpy(b + RECORD_MEDIA_FIXED, e->u.media.format, flen);
        if (plen)
            memcpy(b + RECORD_MEDIA_FIXED + flen, e->u.media.path, plen);
        return (uint32_t)(RECORD_MEDIA_FIXED + flen + plen);
    }
    default:
        return 0;
    }
}

bool record_write_event(FILE *f, const struct record_event *e)
{
    uint8_t b[RECORD_BODY_MAX];
    uint32_t n = event_body(e, b);
    return record_write_chunk(f, e->kind, e->icount, e->time, b, n);
}

bool record_write_check(FILE *f, const struct record_check *c)
{
    uint8_t b[4 + 4 * RECORD_SUMS_MAX + 5];
    uint32_t n = c->n <= RECORD_SUMS_MAX ? c->n : RECORD_SUMS_MAX;
    store_le32(b, n);
    for (uint32_t i = 0; i < n; i++)
        store_le32(b + 4 + 4 * i, c->sum[i]);
    store_le32(b + 4 + 4 * n, c->ram);
    b[8 + 4 * n] = c->has_ram;
    return record_write_chunk(f, RECORD_CHECK, c->icount, c->time, b, 9 + 4 * n);
}

/* ---- Reading ---- */

struct reader {
    FILE *f;
    const char *name;
    uint64_t pos;
    char *err;
};

static bool fail(struct reader *r, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->err, RECORD_ERRMAX, "record '%s': %s", r->name, what);
    return false;
}

/* Exactly n bytes, or false (the caller says what was cut). */
static bool get(struct reader *r, void *buf, size_t n)
{
    if (fread(buf, 1, n, r->f) != n)
        return false;
    r->pos += n;
    return true;
}

static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 256;
    void *q = realloc(*p, c * size);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

/* The body of an event chunk of len bytes (after the stamp) into e. */
/* A media event's body (len bytes at b) into e; false with the reason in r. */
static bool media_event(struct reader *r, const uint8_t *b, uint32_t len,
                        struct record_event *e)
{
    unsigned flen = b[3], plen = load_le16(b + 4);
    uint64_t at = r->pos - len;
    if (b[1] > RECORD_MEDIA_CHANGE || b[2] > 1 || flen > RECORD_FORMAT_MAX ||
        plen > RECORD_PATH_MAX || load_le16(b + 6) != 0 ||
        len != RECORD_MEDIA_FIXED + flen + plen ||
        (b[1] == RECORD_MEDIA_CHANGE) != (plen > 0) ||
        memchr(b + RECORD_MEDIA_FIXED, '\0', flen + plen))
        return fail(r, "a media change at byte %llu does not hold what it says (a damaged "
                    "file)", (unsigned long long)at);
    e->u.media.drive = b[0];
    e->u.media.op = b[1];
    e->u.media.force = b[2];
    memcpy(e->u.media.format, b + RECORD_MEDIA_FIXED, flen);
    e->u.media.format[flen] = '\0';
    e->u.media.size = get64(b + 8);
    e->u.media.crc = load_le32(b + 16);
    if (plen) {
        if (!(e->u.media.path = malloc(plen + 1u)))
            return fail(r, "out of memory at byte %llu", (unsigned long long)at);
        memcpy(e->u.media.path, b + RECORD_MEDIA_FIXED + flen, plen);
        e->u.media.path[plen] = '\0';
    }
    return true;
}

static bool read_event(struct reader *r, uint8_t kind, uint32_t len, struct record_event *e)
{
    uint8_t b[RECORD_BODY_MAX];
    static const uint32_t fixed[] = { [RECORD_KEY] = 3, [RECORD_MOUSE] = 13,
                                      [RECORD_POWER] = 0, [RECORD_RESET] = 0 };
    bool bad = kind == RECORD_SERIAL ? len < 1 || len > RECORD_SERIAL_MAX
               : kind == RECORD_MEDIA ? len < RECORD_MEDIA_FIXED || len > RECORD_BODY_MAX
                                      : len != fixed[kind];
    if (bad)
        return fail(r, "a chunk of kind %u at byte %llu has a body of %u bytes, which that "
                    "kind never has (a damaged file)", kind,
                    (unsigned long long)r->pos - 5 - RECORD_STAMP, (unsigned)len);
    if (!get(r, b, len))
        return false;
    e->kind = kind;
    switch (kind) {
    case RECORD_SERIAL:
        e->n = (uint8_t)len;
        memcpy(e->u.data, b, len);
        break;
    case RECORD_KEY:
        e->u.key.usage = load_le16(b);
        e->u.key.down = b[2];
        if (b[2] > 1)
            return fail(r, "a key at byte %llu is neither pressed nor released",
                        (unsigned long long)r->pos - len);
        break;
    case RECORD_MOUSE:
        e->u.mouse.dx = (int32_t)load_le32(b);
        e->u.mouse.dy = (int32_t)load_le32(b + 4);
        e->u.mouse.dz = (int32_t)load_le32(b + 8);
        e->u.mouse.buttons = b[12];
        break;
    case RECORD_MEDIA:
        return media_event(r, b, len, e);
    default:
        break;
    }
    return true;
}

static bool read_check(struct reader *r, uint32_t len, struct record_check *c)
{
    uint8_t b[4 + 4 * RECORD_SUMS_MAX + 5];
    if (len < 9 || len > sizeof b)
        return fail(r, "a check at byte %llu has %u bytes (a damaged file)",
                    (unsigned long long)r->pos - 5 - RECORD_STAMP, (unsigned)len);
    if (!get(r, b, len))
        return false;
    uint32_t n = load_le32(b);
    if (n > RECORD_SUMS_MAX || len != 9 + 4 * n || b[8 + 4 * n] > 1)
        return fail(r, "a check at byte %llu does not hold what it says (a damaged file)",
                    (unsigned long long)r->pos - len);
    c->n = n;
    for (uint32_t i = 0; i < n; i++)
        c->sum[i] = load_le32(b + 4 + 4 * i);
    c->ram = load_le32(b + 4 + 4 * n);
    c->has_ram = b[8 + 4 * n];
    return true;
}

static bool read_chunks(struct reader *r, struct record_index *idx)
{
    uint64_t last_icount = 0, last_time = 0;
    for (;;) {
        uint8_t h[5 + RECORD_STAMP];
        uint64_t at = r->pos;
        size_t got = fread(h, 1, sizeof h, r->f);
        if (got == 0 && feof(r->f))
            return fail(r, "it ends at byte %llu without its END chunk: the recording did "
                        "not finish (orrery was killed?)", (unsigned long long)at);
        if (got != sizeof h)
            return fail(r, "cut short at byte %llu, inside a chunk's header",
                        (unsigned long long)at);
        r->pos += sizeof h;
        uint8_t kind = h[0];
        uint32_t len = load_le32(h + 1);
        uint64_t icount = get64(h + 5), time = get64(h + 13);
        if (len < RECORD_STAMP)
            return fail(r, "the chunk at byte %llu is shorter than its stamp (a damaged "
                        "file)", (unsigned long long)at);
        len -= RECORD_STAMP;
        if (icount < last_icount || (icount == last_icount && time < last_time))
            return fail(r, "the chunk at byte %llu goes back in time (instruction %llu after "
                        "%llu): a damaged file", (unsigned long long)at,
                        (unsigned long long)icount, (unsigned long long)last_icount);
        last_icount = icount;
        last_time = time;
        bool ok = true;
        switch (kind) {
        case RECORD_SERIAL: case RECORD_KEY: case RECORD_MOUSE: case RECORD_POWER:
        case RECORD_RESET: case RECORD_MEDIA:
            if (!grow((void **)&idx->ev, &idx->capev, idx->nev, sizeof *idx->ev))
                return fail(r, "out of memory after %zu events", idx->nev);
            memset(&idx->ev[idx->nev], 0, sizeof idx->ev[idx->nev]);
            idx->ev[idx->nev].icount = icount;
            idx->ev[idx->nev].time = time;
            if (!(ok = read_event(r, kind, len, &idx->ev[idx->nev])) && r->err[0])
                return false;
            idx->nev += ok;
            break;
        case RECORD_CHECK:
            if (!grow((void **)&idx->chk, &idx->capchk, idx->nchk, sizeof *idx->chk))
                return fail(r, "out of memory after %zu checks", idx->nchk);
            idx->chk[idx->nchk].icount = icount;
            idx->chk[idx->nchk].time = time;
            if (!(ok = read_check(r, len, &idx->chk[idx->nchk])) && r->err[0])
                return false;
            idx->nchk += ok;
            break;
        case RECORD_SNAPSHOT: {
            if (!grow((void **)&idx->snap, &idx->capsnap, idx->nsnap, sizeof *idx->snap))
                return fail(r, "out of memory after %zu snapshots", idx->nsnap);
            struct record_snapshot *s = &idx->snap[idx->nsnap];
            *s = (struct record_snapshot){ icount, time, r->pos, len, idx->nev, idx->nchk };
            /* Skipped by reading (a pipe cannot seek), in bounded steps. */
            uint8_t buf[4096];
            for (uint32_t left = len; ok && left;) {
                uint32_t n = left < sizeof buf ? left : (uint32_t)sizeof buf;
                ok = get(r, buf, n);
                left -= n;
            }
            idx->nsnap += ok;
            break;
        }
        case RECORD_END:
            if (len != 0)
                return fail(r, "its END chunk at byte %llu has a body (a damaged file)",
                            (unsigned long long)at);
            idx->end_icount = icount;
            idx->end_time = time;
            if (fgetc(r->f) != EOF)
                return fail(r, "bytes follow its END chunk at byte %llu (a damaged file)",
                            (unsigned long long)at);
            return true;
        default:
            return fail(r, "unknown chunk kind %u at byte %llu (a damaged file, or one "
                        "from a newer orrery)", kind, (unsigned long long)at);
        }
        if (!ok)
            return fail(r, "cut short at byte %llu, inside a chunk of kind %u that began at "
                        "byte %llu", (unsigned long long)r->pos, kind,
                        (unsigned long long)at);
    }
}

bool record_read(FILE *f, const char *name, struct record_index *idx, char *err)
{
    struct reader r = { f, name, 0, err };
    memset(idx, 0, sizeof *idx);
    err[0] = '\0';
    uint8_t h[16];
    bool ok;
    if (!get(&r, h, sizeof h) || memcmp(h, RECORD_MAGIC, 8) != 0) {
        ok = fail(&r, "not an orrery record (no \"%s\" at its start; make one with "
                  "-record FILE)", RECORD_MAGIC);
    } else if (load_le32(h + 8) != RECORD_VERSION) {
        ok = fail(&r, "format version %u; this orrery reads version %u", load_le32(h + 8),
                  RECORD_VERSION);
    } else {
        uint32_t len = load_le32(h + 12);
        if (len > RECORD_CONFIG_MAX)
            ok = fail(&r, "its configuration is %u bytes long, more than any orrery writes "
                      "(a damaged file)", (unsigned)len);
        else if (!get(&r, idx->config, len))
            ok = fail(&r, "cut short inside its configuration");
        else if (memchr(idx->config, '\0', len))
            ok = fail(&r, "its configuration holds a NUL byte (a damaged file)");
        else
            ok = read_chunks(&r, idx);
    }
    if (!ok)
        record_index_free(idx);
    return ok;
}

void record_index_free(struct record_index *idx)
{
    for (size_t i = 0; i < idx->nev; i++)
        record_event_free(&idx->ev[i]);
    free(idx->ev);
    free(idx->chk);
    free(idx->snap);
    idx->ev = NULL;
    idx->chk = NULL;
    idx->snap = NULL;
    idx->nev = idx->nchk = idx->nsnap = 0;
    idx->capev = idx->capchk = idx->capsnap = 0;
}
