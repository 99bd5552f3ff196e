/* A disk: an image file read and written at byte offsets, with its size and a flush. A
 * core basic: it knows files, not PCs; the ATA device above it turns sectors into offsets.
 * Two formats sit behind the same calls: raw (the file is the disk, pread/pwrite) and
 * qcow2 (core/qcow2.c: clusters found through L1/L2 tables, allocated on first write,
 * compressed clusters read, backing files). disk_open_format takes the format by name
 * ("raw", "qcow2", QEMU's format=) or NULL to detect it: qcow2 by its magic, else raw.
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

/* DISK_READONLY: opened for reading only (a CD-ROM image, readonly=on, a qcow2 image's
 * backing file); without an overlay, writes fail with EROFS and are not an error to report
 * (disk.error stays 0): the guest was refused. It wins over DISK_SNAPSHOT. */
enum { DISK_SNAPSHOT = 1, DISK_READONLY = 2 };

struct disk_format;
struct qcow2;

struct disk {
    int fd;         /* -1: no image */
    uint64_t size;  /* bytes, a whole number of sectors (any number with DISK_READONLY) */
    int error;      /* errno of the first write or flush that failed (a full file system);
                       0: none. The caller reports it: the guest only sees its command fail */
    char what[160]; /* how messages name it ("-hda disk.img") */
    int overlay;    /* DISK_SNAPSHOT: the overlay file */
    uint8_t *written; /* DISK_SNAPSHOT: a bit per sector, set once it is in the overlay;
                         NULL: no overlay, writes go to the image */
    int readonly;     /* the file is open only for reading (DISK_SNAPSHOT, DISK_READONLY) */
    const struct disk_format *format; /* raw or qcow2 */
    const struct disk *above; /* the image this one is the backing file of; NULL: none */
    uint64_t dev, ino;        /* the file's identity, to find a loop of backing files */
    struct qcow2 *qcow2;              /* the qcow2 format's state; NULL for raw */
    int raw_probed;   /* raw by detection, not by name: the guest may not write a qcow2
                         magic into its first sector (or the next open would take the
                         image for a qcow2 one, backing files of the host's choosing) */
};

/* A format's calls (core/disk.c raw, core/qcow2.c qcow2). Offsets and lengths are checked
 * against the size before they are called. */
struct disk_format {
    const char *name;
    int (*read)(struct disk *d, uint64_t offset, void *buf, size_t n);
    int (*write)(struct disk *d, uint64_t offset, const void *buf, size_t n);
    int (*flush)(struct disk *d); /* metadata written, then fdatasync */
    void (*close)(struct disk *d); /* frees the format's state (after a flush) */
};

/* Opens an image for reading and writing (flags 0) or as a snapshot (DISK_SNAPSHOT);
 * DISK_READONLY opens it only to be read (a qcow2 image's backing file: writes fail, any
 * size is fine). format: "raw", "qcow2" or NULL (detect). what names it in messages
 * ("-hda disk.img"). On failure returns -1 and writes one line to err:
 * "<what>: <problem>; <fix>". */
int disk_open_format(struct disk *d, const char *path, const char *format, const char *what,
                     unsigned flags, char *err, size_t errlen);
/* The same with the format detected. */
int disk_open(struct disk *d, const char *path, const char *what, unsigned flags, char *err,
              size_t errlen);
/* The format's name for a -drive format= value, or NULL when orrery knows none of it. */
const char *disk_format_known(const char *name);
/* Flushes and closes; a closed or never-opened disk (fd -1) is fine. */
void disk_close(struct disk *d);
/* Whole transfers inside the image; return 0, or -1 (out of range or an I/O error). */
int disk_read(struct disk *d, uint64_t offset, void *buf, size_t n);
int disk_write(struct disk *d, uint64_t offset, const void *buf, size_t n);
int disk_flush(struct disk *d);

#endif
