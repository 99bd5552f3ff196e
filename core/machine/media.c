/* Drives and their media while the machine runs (machine.h, "Drives and their media"): what
 * the monitor's info block shows, and its change and eject. A new image is opened, and
 * checked, before the old one is closed, so that a change that fails leaves the drive as
 * it was. The devices then see the new medium (ata_change_medium: UNIT ATTENTION and a
 * media event; fdc_change_media: the disk change line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine/machine_impl.h"
#include "core/machine/record_impl.h"

int machine_media_remember(struct machine *m, unsigned i, const char *path)
{
    char *copy = NULL;
    if (path && !(copy = strdup(path)))
        return -1;
    free(m->media_path[i]);
    m->media_path[i] = copy;
    return 0;
}

void machine_media_free(struct machine *m)
{
    for (unsigned i = 0; i < MACHINE_DRIVES; i++) {
        free(m->media_path[i]);
        m->media_path[i] = NULL;
    }
}

static bool is_floppy(unsigned i)
{
    return i >= MACHINE_IDE_DISKS;
}

static struct disk *disk_of(struct machine *m, unsigned i)
{
    return is_floppy(i) ? &m->floppy[i - MACHINE_IDE_DISKS] : &m->disk[i];
}

static bool is_cdrom(const struct machine *m, unsigned i)
{
    return !is_floppy(i) && m->pc.ide.ch[i / 2].cdrom[i % 2];
}

/* The machine has the drive: an IDE place with a disk or a CD-ROM drive (empty or not), a
 * floppy drive whose type a first medium set (an empty one keeps it). */
static bool present(const struct machine *m, unsigned i)
{
    if (is_floppy(i))
        return m->pc.fdc.drive[i - MACHINE_IDE_DISKS].fmt != NULL;
    return is_cdrom(m, i) || m->disk[i].fd >= 0;
}

static void drive_name(const struct machine *m, unsigned i, char *out, size_t len)
{
    if (is_floppy(i))
        snprintf(out, len, "floppy%c", (char)('0' + (i - MACHINE_IDE_DISKS)));
    else
        snprintf(out, len, "ide%c-%s%c", (char)('0' + i / 2), is_cdrom(m, i) ? "cd" : "hd",
                 (char)('0' + i % 2));
}

bool machine_drive_info(struct machine *m, unsigned i, struct machine_drive_info *out)
{
    memset(out, 0, sizeof *out);
    if (i >= MACHINE_DRIVES || !present(m, i))
        return false;
    const struct disk *d = disk_of(m, i);
    drive_name(m, i, out->name, sizeof out->name);
    out->floppy = is_floppy(i);
    out->cdrom = is_cdrom(m, i);
    out->inserted = d->fd >= 0;
    if (out->inserted) {
        out->path = m->media_path[i];
        out->format = d->format->name;
        out->snapshot = d->written != NULL;
        out->readonly = d->readonly && !out->snapshot;
    }
    if (out->cdrom) {
        const struct ata_drive_state *s = &m->pc.ide.ch[i / 2].s.drive[i % 2];
        out->locked = s->locked;
        /* Ejected by the monitor, or by the guest (START STOP UNIT): the disc is out. */
        out->tray_open = m->tray_open[i] || (out->inserted && !s->medium);
        out->readonly = out->inserted;
    }
    return true;
}

int machine_drive_find(struct machine *m, const char *name)
{
    char here[12];
    for (unsigned i = 0; i < MACHINE_DRIVES; i++) {
        if (!present(m, i))
            continue;
        drive_name(m, i, here, sizeof here);
        if (strcmp(here, name) == 0)
            return (int)i;
    }
    return -1;
}

/* The removable drive called name, or -1 with err set (QEMU's wording). */
static int removable(struct machine *m, const char *name, bool force, char *err)
{
    int i = machine_drive_find(m, name);
    if (i < 0) {
        snprintf(err, MACHINE_ERRMAX, "Device '%.40s' not found", name);
        return -1;
    }
    if (!is_floppy((unsigned)i) && !is_cdrom(m, (unsigned)i)) {
        snprintf(err, MACHINE_ERRMAX, "Device '%.40s' is not removable", name);
        return -1;
    }
    if (is_cdrom(m, (unsigned)i) && m->pc.ide.ch[i / 2].s.drive[i % 2].locked && !force) {
        snprintf(err, MACHINE_ERRMAX, "Device '%.40s' is locked and force was not specified, "
                 "wait for tray to open and try again", name);
        return -1;
    }
    return i;
}

/* Tells the device of drive i that its medium is now d (NULL: none). */
static void device_medium(struct machine *m, unsigned i, struct disk *d)
{
    if (is_floppy(i)) {
        unsigned n = i - MACHINE_IDE_DISKS;
        fdc_change_media(&m->pc.fdc, n, d, m->floppy_readonly[n]);
    } else {
        ata_change_medium(&m->pc.ide.ch[i / 2], i % 2, d);
    }
}

/* The image at path, opened for drive u as a change would open it, into *fresh. */
static enum machine_status open_medium(struct machine *m, unsigned u, const char *path,
                                       const char *format, struct disk *fresh, char *err)
{
    char what[600];
    char name[12];
    drive_name(m, u, name, sizeof name);
    snprintf(what, sizeof what, "%s %s", name, path);
    unsigned flags = !is_floppy(u) || m->floppy_readonly[u - MACHINE_IDE_DISKS]
                         ? DISK_READONLY
                     : m->media_snapshot ? DISK_SNAPSHOT : 0;
    if (disk_open_format(fresh, path, format, what, flags, err, MACHINE_ERRMAX))
        return MACHINE_ERR_DISK;
    if (is_floppy(u) && !fdc_format_for_size(fresh->size)) {
        snprintf(err, MACHINE_ERRMAX, "%.80s: %llu bytes is not a floppy image size; give one "
                 "of %s", what, (unsigned long long)fresh->size, fdc_format_list());
        disk_close(fresh);
        return MACHINE_ERR_DISK;
    }
    return MACHINE_OK;
}

enum machine_status machine_media_check(struct machine *m, unsigned u, const char *path,
                                        const char *format, char *err)
{
    struct disk fresh;
    enum machine_status st = open_medium(m, u, path, format, &fresh, err);
    if (st == MACHINE_OK)
        disk_close(&fresh);
    return st;
}

enum machine_status machine_media_set(struct machine *m, unsigned u, const char *path,
                                      const char *format, char *err)
{
    struct disk fresh;
    if (path) {
        enum machine_status st = open_medium(m, u, path, format, &fresh, err);
        if (st != MACHINE_OK)
            return st;
    }
    if (machine_media_remember(m, u, path)) {
        snprintf(err, MACHINE_ERRMAX, "out of memory");
        if (path)
            disk_close(&fresh);
        return MACHINE_ERR_NOMEM;
    }
    struct disk *d = disk_of(m, u);
    device_medium(m, u, NULL);
    disk_close(d);
    if (path) {
        /* The struct moves: only opening follows a disk's `above` (its backing files'). */
        *d = fresh;
        device_medium(m, u, d);
    }
    if (!is_floppy(u))
        m->tray_open[u] = path == NULL;
    return MACHINE_OK;
}

/* While a record or replay is open, the change goes through it (record.c); otherwise it
 * happens now. */
enum machine_status machine_change_medium(struct machine *m, const char *name,
                                          const char *path, const char *format, bool force,
                                          char *err)
{
    int i = removable(m, name, force, err);
    if (i < 0)
        return MACHINE_ERR_CONFIG;
    if (m->rr)
        return machine_rr_media(m, (unsigned)i, path, format, force, err);
    return machine_media_set(m, (unsigned)i, path, format, err);
}

enum machine_status machine_eject(struct machine *m, const char *name, bool force, char *err)
{
    int i = removable(m, name, force, err);
    if (i < 0)
        return MACHINE_ERR_CONFIG;
    if (m->rr)
        return machine_rr_media(m, (unsigned)i, NULL, NULL, force, err);
    return machine_media_set(m, (unsigned)i, NULL, NULL, err);
}
