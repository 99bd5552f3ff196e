/* A disk backend: a raw image file read and written at byte offsets (pread/pwrite), with
 * its size and a flush. A core basic: it knows files, not PCs; the ATA device above it
 * turns sectors into offsets.
 *
 * Writes go to the file at once, in the order they are made (no cache of ours), so a
 * guest's writes reach the image in the guest's order; disk_flush makes them durable
 * (fdatasync) and runs when the guest flushes its cache and when the disk is closed.
 *
 * With DISK_SNAPSHOT (QEMU's -snapshot) the image is opened read-only and never written:
 * written sectors go to an overlay, an unlinked temporary file (in $TMPDIR, else /tmp)
 * as large as the image and sparse, with a bit per sector saying which are there; reads
 * take each sector from the overlay when written, from the image otherwise. The overlay
 * is gone when the disk is closed.
 *
 * With DISK_READONLY (readonly=on) the image is opened read-only and every write fails
 * (EROFS): the device above tells the guest its medium is write-protected. */
#ifndef ORRERY_CORE_DISK_H
#define ORRERY_CORE_DISK_H

#include <stddef.h>
#include <stdint.h>

#define DISK_SECTOR 512u

/* DISK_READONLY: opened for reading only (a CD-ROM image, readonly=on); writes fail
 * with EROFS and are not an error to report (disk.error stays 0): the guest was refused. */
enum { DISK_SNAPSHOT = 1, DISK_READONLY = 2 };

struct disk {
    int fd;         /* -1: no image */
    uint64_t size;  /* bytes, a whole number of sectors */
    int error;      /* errno of the first write or flush that failed (a full file system);
                       0: none. The caller reports it: the guest only sees its command fail */
    char what[160]; /* how messages name it ("-hda disk.img") */
    int overlay;    /* DISK_SNAPSHOT: the overlay file */
    int readonly;   /* DISK_READONLY */
    uint8_t *written; /* DISK_SNAPSHOT: a bit per sector, set once it is in the overlay;
                         NULL: no overlay, writes go to the image */
};

/* Opens a raw image for reading and writing (flags 0), as a snapshot (DISK_SNAPSHOT) or
 * read-only (DISK_READONLY, which wins over DISK_SNAPSHOT).
 * what names it in messages ("-hda disk.img"). On failure returns -1 and writes one line
 * to err: "<what>: <problem>; <fix>". */
int disk_open(struct disk *d, const char *path, const char *what, unsigned flags, char *err,
              size_t errlen);
/* Flushes and closes; a closed or never-opened disk (fd -1) is fine. */
void disk_close(struct disk *d);
/* Whole transfers inside the image; return 0, or -1 (out of range or an I/O error). */
int disk_read(struct disk *d, uint64_t offset, void *buf, size_t n);
int disk_write(struct disk *d, uint64_t offset, const void *buf, size_t n);
int disk_flush(struct disk *d);

#endif
