#include "core/disk.h"

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

int disk_open(struct disk *d, const char *path, const char *what, unsigned flags, char *err,
              size_t errlen)
{
    d->fd = d->overlay = -1;
    d->written = NULL;
    d->size = 0;
    d->error = 0;
    d->readonly = (flags & DISK_READONLY) != 0;
    snprintf(d->what, sizeof d->what, "%s", what);
    bool snap = (flags & DISK_SNAPSHOT) && !d->readonly;
    int fd = open(path, (snap || d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    struct stat st;
    if ((fd < 0 && errno == EISDIR) || (fd >= 0 && (fstat(fd, &st) != 0 ||
                                                     !S_ISREG(st.st_mode)))) {
        snprintf(err, errlen, "%s: not a regular file; give a raw disk image file", what);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (fd < 0) {
        int e = errno;
        const char *fix = e == ENOENT ? (d->readonly ? "give the path of an existing image file"
                                               : "give the path of an existing raw disk image")
                          : snap || d->readonly ? "give a readable image file"
                          : e == EACCES || e == EROFS
                              ? "orrery writes to its disks: make the image readable and "
                                "writable (chmod u+rw), or give -snapshot (or readonly=on)"
                              : "give a readable and writable raw disk image";
        snprintf(err, errlen, "%s: cannot open: %s; %s", what, strerror(e), fix);
        return -1;
    }
    uint64_t size = (uint64_t)st.st_size;
    if (size == 0 || size % DISK_SECTOR) {
        snprintf(err, errlen, "%s: %llu bytes is not a whole number of 512-byte sectors; "
                 "give a raw image of N * 512 bytes (truncate -s 64M FILE makes one)", what,
                 (unsigned long long)size);
        close(fd);
        return -1;
    }
    d->fd = fd;
    d->size = size;
    if (snap && open_overlay(d, err, errlen)) {
        close(fd);
        d->fd = -1;
        return -1;
    }
    return 0;
}

void disk_close(struct disk *d)
{
    if (d->fd < 0)
        return;
    disk_flush(d);
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
static int transfer(int fd, void *buf, size_t n, uint64_t offset, bool write)
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

/* With an overlay: sector by sector from where each one is now. */
static int overlay_read(struct disk *d, uint64_t offset, uint8_t *p, size_t n)
{
    while (n) {
        uint64_t sector = offset / DISK_SECTOR;
        size_t k = DISK_SECTOR - (size_t)(offset % DISK_SECTOR);
        if (k > n)
            k = n;
        if (transfer(is_written(d, sector) ? d->overlay : d->fd, p, k, offset, false))
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
            if (transfer(d->fd, sec, DISK_SECTOR, sector * DISK_SECTOR, false) ||
                transfer(d->overlay, sec, DISK_SECTOR, sector * DISK_SECTOR, true))
                return -1;
        }
        if (transfer(d->overlay, (void *)p, k, offset, true))
            return -1;
        d->written[sector >> 3] |= (uint8_t)(1u << (sector & 7));
        p += k;
        offset += k;
        n -= k;
    }
    return 0;
}

int disk_read(struct disk *d, uint64_t offset, void *buf, size_t n)
{
    if (!in_range(d, offset, n))
        return -1;
    return d->written ? overlay_read(d, offset, buf, n)
                           : transfer(d->fd, buf, n, offset, false);
}

int disk_write(struct disk *d, uint64_t offset, const void *buf, size_t n)
{
    if (!in_range(d, offset, n))
        return -1;
    if (d->readonly) {
        errno = EROFS;
        return -1;
    }
    int r = d->written ? overlay_write(d, offset, buf, n)
                            : transfer(d->fd, (void *)buf, n, offset, true);
    if (r && !d->error)
        d->error = errno;
    return r;
}

int disk_flush(struct disk *d)
{
    if (d->fd < 0)
        return -1;
    if (d->written || d->readonly)
        return 0; /* nothing of the guest's is kept: there is nothing to make durable */
    while (fdatasync(d->fd) != 0) {
        if (errno != EINTR) {
            if (!d->error)
                d->error = errno;
            return -1;
        }
    }
    return 0;
}
