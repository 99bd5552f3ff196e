#include "core/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Speed over size: most of a state is RAM, much of it zero, and level 1 squeezes that
 * almost as well as level 9 at a fraction of the time. */
#define WRITE_MODE "wb1"
#define IO_CHUNK (1u << 20) /* gzread/gzwrite take an unsigned count: go in 1 MiB pieces */

struct statefile {
    gzFile gz;
    int sync_fd;    /* writing: the file being written, kept open to fsync it after gzclose */
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
    statefile_fail(f, "cannot %s saved state '%s': %s; %s", what, f->path,
                   msg && *msg ? msg : "unknown error",
                   f->writing ? "free some space or give another path"
                              : "it is damaged or unreadable");
}

static struct statefile *new_statefile(const char *path, char *err, size_t errlen)
{
    struct statefile *f = calloc(1, sizeof *f);
    if (f) {
        f->sync_fd = -1;
        f->path = strdup(path);
    }
    if (!f || !f->path) {
        snprintf(err, errlen, "out of memory opening saved state '%s'", path);
        free(f);
        return NULL;
    }
    return f;
}

static void free_statefile(struct statefile *f)
{
    if (f->sync_fd >= 0)
        close(f->sync_fd);
    free(f->path);
    free(f->tmp_path);
    free(f);
}

/* PATH.tmp, malloc'ed; NULL when out of memory. */
static char *tmp_name(const char *path)
{
    size_t n = strlen(path) + 5;
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%s.tmp", path);
    return t;
}

/* A state replaces only a regular file or nothing: never a device, a FIFO, a folder or
 * whatever a symbolic link points to. */
static bool check_target(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return true;
        snprintf(err, errlen, "saved state '%s': %s; give another path", path,
                 strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "saved state '%s': exists and is not a regular file; give the "
                 "path of a file to create or replace", path);
        return false;
    }
    return true;
}

/* Creates tmp (O_EXCL: never opening a device or FIFO of that name); a regular file left
 * there by an interrupted save is removed first. Returns the descriptor or -1 with err. */
static int create_tmp(const char *tmp, char *err, size_t errlen)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST || attempt > 0 || !check_target(tmp, err, errlen))
            break;
        unlink(tmp); /* a stale regular file */
    }
    if (!err[0])
        snprintf(err, errlen, "cannot create saved state '%s': %s; give a path in a folder "
                 "that exists and is writable", tmp, strerror(errno));
    return -1;
}

bool statefile_check_path(const char *path, char *err, size_t errlen)
{
    err[0] = '\0';
    char *tmp = tmp_name(path);
    if (!tmp) {
        snprintf(err, errlen, "out of memory checking saved state '%s'", path);
        return false;
    }
    bool ok = check_target(path, err, errlen);
    if (ok) {
        int fd = create_tmp(tmp, err, errlen);
        ok = fd >= 0;
        if (ok) {
            close(fd);
            unlink(tmp);
        }
    }
    free(tmp);
    return ok;
}

struct statefile *statefile_create(const char *path, char *err, size_t errlen)
{
    err[0] = '\0';
    if (!check_target(path, err, errlen))
        return NULL;
    struct statefile *f = new_statefile(path, err, errlen);
    if (!f)
        return NULL;
    f->tmp_path = tmp_name(path);
    if (!f->tmp_path) {
        snprintf(err, errlen, "out of memory opening saved state '%s'", path);
        free_statefile(f);
        return NULL;
    }
    f->writing = true;
    int fd = create_tmp(f->tmp_path, err, errlen);
    if (fd < 0) {
        free_statefile(f);
        return NULL;
    }
    f->sync_fd = dup(fd);
    f->gz = f->sync_fd >= 0 ? gzdopen(fd, WRITE_MODE) : NULL;
    if (!f->gz) {
        snprintf(err, errlen, "cannot create saved state '%s': %s", f->tmp_path,
                 errno ? strerror(errno) : "out of memory");
        close(fd);
        unlink(f->tmp_path);
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
    if (*len > STATEFILE_SECTION_MAX) {
        statefile_fail(f, "saved state '%s' has a section '%s' of %u bytes, more than any "
                       "orrery writes (a damaged file)", f->path, name, (unsigned)*len);
        return false;
    }
    return true;
}

const char *statefile_error(const struct statefile *f)
{
    return f->failed ? f->err : NULL;
}

void statefile_abandon(struct statefile *f)
{
    if (!f)
        return;
    gzclose(f->gz);
    if (f->writing)
        remove(f->tmp_path);
    free_statefile(f);
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
    if (rc == Z_ERRNO && !f->failed)
        statefile_fail(f, "cannot %s saved state '%s': %s; %s",
                       f->writing ? "finish writing" : "read", f->path, strerror(errno),
                       f->writing ? "free some space or give another path"
                                  : "it is damaged or unreadable");
    else if (rc != Z_OK && !f->failed)
        statefile_fail(f, "cannot %s saved state '%s' (zlib error %d); %s",
                       f->writing ? "finish writing" : "read", f->path, rc,
                       f->writing ? "give another path" : "it is damaged");
    /* The bytes reach the disk before the name points at them: a crash leaves the old
     * state or the new one, never a torn file. */
    if (f->writing && !f->failed && fsync(f->sync_fd) != 0)
        statefile_fail(f, "cannot write saved state '%s': %s; free some space or give "
                       "another path", f->tmp_path, strerror(errno));
    if (f->writing && !f->failed && !check_target(f->path, f->err, sizeof f->err))
        f->failed = true; /* something other than a file appeared there meanwhile */
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
