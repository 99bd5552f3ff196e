#include "core/disk.h"
#include "core/qcow2.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_overlay(struct disk *d, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/orrery-snapshot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0 || unlink(path) != 0 || ftruncate(fd, (off_t)d->size) != 0) {
        snprintf(err, errlen, "%s: cannot make the -snapshot overlay in %s: %s; set TMPDIR "
                 "to a folder with room for it", d->what, tmp && *tmp ? tmp : "/tmp",
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    d->written = calloc((size_t)(d->size / DISK_SECTOR + 7) / 8, 1);
    if (!d->written) {
        snprintf(err, errlen, "%s: out of memory for the -snapshot map; give more memory or "
                 "a smaller image", d->what);
        close(fd);
        return -1;
    }
    d->overlay = fd;
    return 0;
}

static int raw_read(struct disk *d, uint64_t offset, void *buf, size_t n);
static int raw_write(struct disk *d, uint64_t offset, const void *buf, size_t n);
static int raw_flush(struct disk *d);

static const struct disk_format raw_format = {
    .name = "raw", .read = raw_read, .write = raw_write, .flush = raw_flush, .close = NULL,
};

const char *disk_format_known(const char *name)
{
    if (strcmp(name, "raw") == 0)
        return "raw";
    if (strcmp(name, "qcow2") == 0)
        return "qcow2";
    return NULL;
}

/* qcow2 by its magic at offset 0; anything else (a file shorter than 4 bytes too) raw. */
static bool looks_qcow2(int fd)
{
    uint8_t m[4];
    ssize_t k;
    do
        k = pread(fd, m, 4, 0);
    while (k < 0 && errno == EINTR);
    return k == 4 && memcmp(m, QCOW2_MAGIC, 4) == 0;
}

static int open_any(struct disk *d, const char *path, const char *format, const char *what,
                    unsigned flags, const struct disk *above, char *err, size_t errlen)
{
    d->fd = d->overlay = -1;
    d->written = NULL;
    d->size = 0;
    d->error = 0;
    d->format = &raw_format;
    d->qcow2 = NULL;
    d->raw_probed = 0;
    d->readonly = 0;
    d->above = NULL;
    snprintf(d->what, sizeof d->what, "%s", what);
    /* DISK_READONLY wins over DISK_SNAPSHOT: no overlay, the guest's writes fail. */
    bool refuse = flags & DISK_READONLY;
    bool snap = (flags & DISK_SNAPSHOT) && !refuse, ro = snap || refuse;
    if (format && !disk_format_known(format)) {
        snprintf(err, errlen, "%s: format %s is not supported; give format=raw or "
                 "format=qcow2", what, format);
        return -1;
    }
    int fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    struct stat st;
    if ((fd < 0 && errno == EISDIR) || (fd >= 0 && (fstat(fd, &st) != 0 ||
                                                     !S_ISREG(st.st_mode)))) {
        snprintf(err, errlen, "%s: not a regular file; give a disk image file", what);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (fd < 0) {
        int e = errno;
        const char *fix = e == ENOENT ? (refuse ? "give the path of an existing image file"
                                                : "give the path of an existing disk image")
                          : ro ? "give a readable disk image"
                          : e == EACCES || e == EROFS
                              ? "orrery writes to its disks: make the image readable and "
                                "writable (chmod u+rw), or give -snapshot (or readonly=on)"
                              : "give a readable and writable disk image";
        snprintf(err, errlen, "%s: cannot open: %s; %s", what, strerror(e), fix);
        return -1;
    }
    d->above = above;
    d->dev = (uint64_t)st.st_dev;
    d->ino = (uint64_t)st.st_ino;
    unsigned depth = 0;
    for (const struct disk *a = above; a; a = a->above, depth++) {
        if (a->dev == d->dev && a->ino == d->ino) {
            snprintf(err, errlen, "%s: a loop of backing files (the file is its own backing "
                     "file); give the image a backing file outside the chain "
                     "(qemu-img rebase)", what);
            close(fd);
            return -1;
        }
    }
    if (depth > DISK_CHAIN_MAX) {
        snprintf(err, errlen, "%s: more than %d backing files in a chain; make it shorter "
                 "(qemu-img convert)", what, DISK_CHAIN_MAX);
        close(fd);
        return -1;
    }
    bool qcow2 = format ? strcmp(format, "qcow2") == 0 : looks_qcow2(fd);
    d->raw_probed = !format && !qcow2 && !ro;
    d->readonly = ro;
    d->fd = fd;
    if (qcow2) {
        if (qcow2_open(d, path, ro, err, errlen)) {
            close(fd);
            d->fd = -1;
            return -1;
        }
    } else {
        uint64_t size = (uint64_t)st.st_size;
        if (!(flags & DISK_READONLY) && (size == 0 || size % DISK_SECTOR)) {
            snprintf(err, errlen, "%s: %llu bytes is not a whole number of 512-byte sectors; "
                     "give a raw image of N * 512 bytes (truncate -s 64M FILE makes one)",
                     what, (unsigned long long)size);
            close(fd);
            d->fd = -1;
            return -1;
        }
        d->size = size;
    }
    if (snap && open_overlay(d, err, errlen)) {
        disk_close(d);
        return -1;
    }
    return 0;
}

int disk_open_format(struct disk *d, const char *path, const char *format, const char *what,
                     unsigned flags, char *err, size_t errlen)
{
    return open_any(d, path, format, what, flags, NULL, err, errlen);
}

int disk_open_backing(struct disk *d, const char *path, const char *format,
                      const struct disk *above, const char *what, char *err, size_t errlen)
{
    return open_any(d, path, format, what, DISK_READONLY, above, err, errlen);
}

int disk_open(struct disk *d, const char *path, const char *what, unsigned flags, char *err,
              size_t errlen)
{
    return disk_open_format(d, path, NULL, what, flags, err, errlen);
}

void disk_close(struct disk *d)
{
    if (d->fd < 0)
        return;
    disk_flush(d);
    if (d->format->close)
        d->format->close(d);
    close(d->fd);
    d->fd = -1;
    if (d->written)
        close(d->overlay);
    d->overlay = -1;
    free(d->written);
    d->written = NULL;
}

static int in_range(const struct disk *d, uint64_t offset, size_t n)
{
    return d->fd >= 0 && offset <= d->size && n <= d->size - offset;
}

/* All n bytes at offset, or -1. A short transfer (the file shrank) is an error. */
int disk_transfer(int fd, void *buf, size_t n, uint64_t offset, bool write)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t k = write ? pwrite(fd, p, n, (off_t)offset) : pread(fd, p, n, (off_t)offset);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return -1;
        }
        p += k;
        offset += (uint64_t)k;
        n -= (size_t)k;
    }
    return 0;
}

static bool is_written(const struct disk *d, uint64_t sector)
{
    return d->written[sector >> 3] >> (sector & 7) & 1;
}

/* With an overlay: each run of sectors from where it is now (the overlay, or the image
 * through its format). */
static int overlay_read(struct disk *d, uint64_t offset, uint8_t *p, size_t n)
{
    while (n) {
        uint64_t sector = offset / DISK_SECTOR;
        bool w = is_written(d, sector);
        size_t k = DISK_SECTOR - (size_t)(offset % DISK_SECTOR);
        while (k < n && is_written(d, (offset + k) / DISK_SECTOR) == w)
            k += DISK_SECTOR;
        if (k > n)
            k = n;
        if (w ? disk_transfer(d->overlay, p, k, offset, false) : d->format->read(d, offset, p, k))
            return -1;
        p += k;
        offset += k;
        n -= k;
    }
    return 0;
}

static int overlay_write(struct disk *d, uint64_t offset, const uint8_t *p, size_t n)
{
    while (n) {
        uint64_t sector = offset / DISK_SECTOR;
        size_t k = DISK_SECTOR - (size_t)(offset % DISK_SECTOR);
        if (k > n)
            k = n;
        if (k < DISK_SECTOR && !is_written(d, sector)) { /* the rest of it comes along */
            uint8_t sec[DISK_SECTOR];
            if (d->format->read(d, sector * DISK_SECTOR, sec, DISK_SECTOR) ||
                disk_transfer(d->overlay, sec, DISK_SECTOR, sector * DISK_SECTOR, true))
                return -1;
        }
        if (disk_transfer(d->overlay, (void *)p, k, offset, true))
            return -1;
        d->written[sector >> 3] |= (uint8_t)(1u << (sector & 7));
        p += k;
        offset += k;
        n -= k;
    }
    return 0;
}

static int raw_read(struct disk *d, uint64_t offset, void *buf, size_t n)
{
    return disk_transfer(d->fd, buf, n, offset, false);
}

/* A raw image taken as raw only because it lacked the magic keeps lacking it: true when
 * this write would put it there (the guest's command fails; nothing is wrong with the
 * host, so it is not an error of the disk's). */
static bool writes_magic(struct disk *d, uint64_t offset, const void *buf, size_t n)
{
    if (!d->raw_probed || d->written || offset >= 4)
        return false;
    uint8_t head[4];
    if (disk_transfer(d->fd, head, 4, 0, false))
        return false;
    memcpy(head + offset, buf, n < 4 - offset ? n : 4 - (size_t)offset);
    return memcmp(head, QCOW2_MAGIC, 4) == 0;
}

static int raw_write(struct disk *d, uint64_t offset, const void *buf, size_t n)
{
    return disk_transfer(d->fd, (void *)buf, n, offset, true);
}

int disk_fdatasync(int fd)
{
    while (fdatasync(fd) != 0) {
        if (errno != EINTR)
            return -1;
    }
    return 0;
}

static int raw_flush(struct disk *d)
{
    return d->readonly ? 0 : disk_fdatasync(d->fd);
}

int disk_read(struct disk *d, uint64_t offset, void *buf, size_t n)
{
    if (!in_range(d, offset, n))
        return -1;
    return d->written ? overlay_read(d, offset, buf, n) : d->format->read(d, offset, buf, n);
}

int disk_write(struct disk *d, uint64_t offset, const void *buf, size_t n)
{
    if (!in_range(d, offset, n) || writes_magic(d, offset, buf, n))
        return -1;
    if (d->readonly && !d->written) {
        errno = EROFS; /* readonly=on, a CD-ROM: the guest was refused, not a host error */
        return -1;
    }
    int r = d->written ? overlay_write(d, offset, buf, n)
                       : d->format->write(d, offset, buf, n);
    if (r && !d->error)
        d->error = errno ? errno : EIO;
    return r;
}

int disk_flush(struct disk *d)
{
    if (d->fd < 0)
        return -1;
    if (d->written || d->readonly)
        return 0; /* nothing of the guest's is kept: there is nothing to make durable */
    if (d->format->flush(d)) {
        if (!d->error)
            d->error = errno ? errno : EIO;
        return -1;
    }
    return 0;
}
