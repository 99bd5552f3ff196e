#include "core/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int disk_open(struct disk *d, const char *path, const char *what, char *err, size_t errlen)
{
    d->fd = -1;
    d->size = 0;
    d->error = 0;
    snprintf(d->what, sizeof d->what, "%s", what);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == EISDIR) {
        snprintf(err, errlen, "%s: not a regular file; give a raw disk image file", what);
        return -1;
    }
    if (fd < 0) {
        int e = errno;
        const char *fix = e == ENOENT ? "give the path of an existing raw disk image"
                          : e == EACCES || e == EROFS
                              ? "orrery writes to its disks: make the image readable and "
                                "writable (chmod u+rw)"
                              : "give a readable and writable raw disk image";
        snprintf(err, errlen, "%s: cannot open: %s; %s", what, strerror(e), fix);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file; give a raw disk image file", what);
        close(fd);
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
    return 0;
}

void disk_close(struct disk *d)
{
    if (d->fd < 0)
        return;
    disk_flush(d);
    close(d->fd);
    d->fd = -1;
}

static int in_range(const struct disk *d, uint64_t offset, size_t n)
{
    return d->fd >= 0 && offset <= d->size && n <= d->size - offset;
}

int disk_read(struct disk *d, uint64_t offset, void *buf, size_t n)
{
    if (!in_range(d, offset, n))
        return -1;
    uint8_t *p = buf;
    while (n) {
        ssize_t got = pread(d->fd, p, n, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) /* an error, or the file shrank under us */
            return -1;
        p += got;
        offset += (uint64_t)got;
        n -= (size_t)got;
    }
    return 0;
}

int disk_write(struct disk *d, uint64_t offset, const void *buf, size_t n)
{
    if (!in_range(d, offset, n))
        return -1;
    const uint8_t *p = buf;
    while (n) {
        ssize_t put = pwrite(d->fd, p, n, (off_t)offset);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0) {
            if (!d->error)
                d->error = put < 0 ? errno : EIO;
            return -1;
        }
        p += put;
        offset += (uint64_t)put;
        n -= (size_t)put;
    }
    return 0;
}

int disk_flush(struct disk *d)
{
    if (d->fd < 0)
        return -1;
    while (fdatasync(d->fd) != 0) {
        if (errno != EINTR) {
            if (!d->error)
                d->error = errno;
            return -1;
        }
    }
    return 0;
}
