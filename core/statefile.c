#include "core/statefile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Speed over size: most of a state is RAM, much of it zero, and level 1 squeezes that
 * almost as well as level 9 at a fraction of the time. */
#define WRITE_MODE "wb1"
#define IO_CHUNK (1u << 20) /* gzread/gzwrite take an unsigned count: go in 1 MiB pieces */

struct statefile {
    gzFile gz;
    bool writing;
    bool failed;
    char *path;     /* the file the user named */
    char *tmp_path; /* writing: the file being written, renamed to path on success */
    char err[STATEFILE_ERRMAX];
};

void statefile_fail(struct statefile *f, const char *fmt, ...)
{
    if (f->failed)
        return;
    f->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, sizeof f->err, fmt, ap);
    va_end(ap);
}

static void fail_io(struct statefile *f, const char *what)
{
    int zerr = Z_OK;
    const char *msg = gzerror(f->gz, &zerr);
    if (zerr == Z_ERRNO)
        msg = strerror(errno);
    statefile_fail(f, "cannot %s saved state '%s': %s", what, f->path,
                   msg && *msg ? msg : "unknown error");
}

static struct statefile *new_statefile(const char *path, char *err, size_t errlen)
{
    struct statefile *f = calloc(1, sizeof *f);
    if (f)
        f->path = strdup(path);
    if (!f || !f->path) {
        snprintf(err, errlen, "out of memory opening saved state '%s'", path);
        free(f);
        return NULL;
    }
    return f;
}

static void free_statefile(struct statefile *f)
{
    free(f->path);
    free(f->tmp_path);
    free(f);
}

struct statefile *statefile_create(const char *path, char *err, size_t errlen)
{
    struct statefile *f = new_statefile(path, err, errlen);
    if (!f)
        return NULL;
    size_t n = strlen(path) + 5;
    f->tmp_path = malloc(n);
    if (!f->tmp_path) {
        snprintf(err, errlen, "out of memory opening saved state '%s'", path);
        free_statefile(f);
        return NULL;
    }
    snprintf(f->tmp_path, n, "%s.tmp", path);
    f->writing = true;
    f->gz = gzopen(f->tmp_path, WRITE_MODE);
    if (!f->gz) {
        snprintf(err, errlen, "cannot create saved state '%s': %s", f->tmp_path,
                 errno ? strerror(errno) : "out of memory");
        free_statefile(f);
        return NULL;
    }
    gzbuffer(f->gz, 256u << 10);
    uint8_t hdr[12];
    memcpy(hdr, STATEFILE_MAGIC, 8);
    for (int i = 0; i < 4; i++)
        hdr[8 + i] = (uint8_t)(STATEFILE_FORMAT >> (8 * i));
    statefile_put_bytes(f, hdr, sizeof hdr);
    return f;
}

struct statefile *statefile_open(const char *path, char *err, size_t errlen)
{
    struct statefile *f = new_statefile(path, err, errlen);
    if (!f)
        return NULL;
    f->gz = gzopen(path, "rb");
    if (!f->gz) {
        snprintf(err, errlen, "cannot open saved state '%s': %s", path,
                 errno ? strerror(errno) : "out of memory");
        free_statefile(f);
        return NULL;
    }
    gzbuffer(f->gz, 256u << 10);
    uint8_t hdr[12];
    int n = gzread(f->gz, hdr, sizeof hdr);
    if (n != (int)sizeof hdr || memcmp(hdr, STATEFILE_MAGIC, 8) != 0) {
        snprintf(err, errlen, "'%s' is not an orrery saved state", path);
        gzclose(f->gz);
        free_statefile(f);
        return NULL;
    }
    uint32_t format = (uint32_t)hdr[8] | (uint32_t)hdr[9] << 8 | (uint32_t)hdr[10] << 16 |
                      (uint32_t)hdr[11] << 24;
    if (format != STATEFILE_FORMAT) {
        snprintf(err, errlen, "saved state '%s' has format %u; this orrery reads format %u "
                 "only (save it again with this version)", path, (unsigned)format,
                 (unsigned)STATEFILE_FORMAT);
        gzclose(f->gz);
        free_statefile(f);
        return NULL;
    }
    return f;
}

bool statefile_put_bytes(struct statefile *f, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (!f->failed && len) {
        unsigned n = len < IO_CHUNK ? (unsigned)len : IO_CHUNK;
        if (gzwrite(f->gz, p, n) != (int)n)
            fail_io(f, "write");
        p += n;
        len -= n;
    }
    return !f->failed;
}

bool statefile_get_bytes(struct statefile *f, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (!f->failed && len) {
        unsigned n = len < IO_CHUNK ? (unsigned)len : IO_CHUNK;
        int got = gzread(f->gz, p, n);
        if (got < 0)
            fail_io(f, "read");
        else if ((unsigned)got != n)
            statefile_fail(f, "saved state '%s' is cut short", f->path);
        p += n;
        len -= n;
    }
    return !f->failed;
}

bool statefile_put(struct statefile *f, const struct savestate_desc *d, const void *obj)
{
    if (f->failed)
        return false;
    size_t n = savestate_section_size(d);
    uint8_t *buf = malloc(n);
    if (!buf) {
        statefile_fail(f, "out of memory saving '%s'", d->name);
        return false;
    }
    if (savestate_write_section(d, obj, buf, n) != n)
        statefile_fail(f, "cannot describe '%s' (its name is too long)", d->name);
    else
        statefile_put_bytes(f, buf, n);
    free(buf);
    return !f->failed;
}

/* A section is read in two steps: the frame (name, version, length) first, which
 * savestate_read_section checks against d before the payload is read; then the whole. */
bool statefile_get(struct statefile *f, const struct savestate_desc *d, void *obj)
{
    uint8_t head[1 + 255 + 8];
    if (f->failed || !statefile_get_bytes(f, head, 1) ||
        !statefile_get_bytes(f, head + 1, (size_t)head[0] + 8))
        return false;
    size_t frame = 1 + (size_t)head[0] + 8, payload = savestate_size(d);
    char err[STATEFILE_ERRMAX];
    if (savestate_check_frame(d, head, frame, err, sizeof err) == 0) {
        statefile_fail(f, "'%s': %s", f->path, err);
        return false;
    }
    uint8_t *buf = malloc(frame + payload);
    if (!buf) {
        statefile_fail(f, "out of memory loading '%s'", d->name);
        return false;
    }
    memcpy(buf, head, frame);
    if (statefile_get_bytes(f, buf + frame, payload) &&
        savestate_read_section(d, obj, buf, frame + payload, err, sizeof err) == 0)
        statefile_fail(f, "'%s': %s", f->path, err);
    free(buf);
    return !f->failed;
}

bool statefile_next_frame(struct statefile *f, char *name, uint32_t *version, uint32_t *len)
{
    uint8_t n, rest[8];
    if (f->failed)
        return false;
    int got = gzread(f->gz, &n, 1);
    if (got == 0)
        return false; /* the end */
    if (got < 0) {
        fail_io(f, "read");
        return false;
    }
    char raw[256];
    if (n > SAVESTATE_NAME_MAX || n == 0) {
        statefile_fail(f, "saved state '%s' has a section name of %u bytes (a damaged file)",
                       f->path, (unsigned)n);
        return false;
    }
    if (!statefile_get_bytes(f, raw, n) || !statefile_get_bytes(f, rest, sizeof rest))
        return false;
    for (unsigned i = 0; i < n; i++)
        name[i] = raw[i] >= 0x20 && raw[i] < 0x7F ? raw[i] : '?';
    name[n] = '\0';
    *version = (uint32_t)rest[0] | (uint32_t)rest[1] << 8 | (uint32_t)rest[2] << 16 |
               (uint32_t)rest[3] << 24;
    *len = (uint32_t)rest[4] | (uint32_t)rest[5] << 8 | (uint32_t)rest[6] << 16 |
           (uint32_t)rest[7] << 24;
    return true;
}

bool statefile_close(struct statefile *f, char *err, size_t errlen)
{
    if (!f)
        return true;
    if (!f->writing && !f->failed) {
        uint8_t extra;
        if (gzread(f->gz, &extra, 1) != 0)
            statefile_fail(f, "saved state '%s' has data after its last section", f->path);
    }
    int rc = gzclose(f->gz);
    if (rc != Z_OK && !f->failed)
        statefile_fail(f, "cannot %s saved state '%s' (zlib error %d)",
                       f->writing ? "finish writing" : "read", f->path, rc);
    if (f->writing && !f->failed && rename(f->tmp_path, f->path) != 0)
        statefile_fail(f, "cannot rename '%s' to '%s': %s", f->tmp_path, f->path,
                       strerror(errno));
    if (f->writing && f->failed)
        remove(f->tmp_path);
    bool ok = !f->failed;
    if (!ok)
        snprintf(err, errlen, "%s", f->err);
    free_statefile(f);
    return ok;
}
