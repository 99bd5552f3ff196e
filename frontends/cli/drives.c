#include "frontends/cli/drives.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/compiler.h"
#include "core/disk.h"

static bool fail(char *err, size_t len, const char *fmt, ...) PRINTF_LIKE(3, 4);
static bool fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return false;
}

static bool taken(const struct machine_config *cfg, unsigned index)
{
    return cfg->ide[index].path || cfg->ide[index].media == MACHINE_MEDIA_CDROM;
}

/* A drive at IDE place index (0-3); path NULL: an empty CD-ROM drive. */
static bool add(struct machine_config *cfg, unsigned index, const char *path,
                enum machine_media media, bool readonly, const char *flag, char *err,
                size_t errlen)
{
    static const char *const place[MACHINE_IDE_DISKS] = {
        "primary master, -hda", "primary slave, -hdb", "secondary master, -hdc or -cdrom",
        "secondary slave, -hdd" };
    if (taken(cfg, index))
        return fail(err, errlen, "%s: IDE place %u (%s) is given twice; give each drive once",
                    flag, index, place[index]);
    cfg->ide[index].path = path;
    cfg->ide[index].media = media;
    cfg->ide[index].readonly = readonly;
    return true;
}

bool drives_hd(struct machine_config *cfg, unsigned index, const char *path, const char *flag,
               char *err, size_t errlen)
{
    if (!*path)
        return fail(err, errlen, "%s: no file name; give a disk image (-hda FILE)", flag);
    return add(cfg, index, path, MACHINE_MEDIA_DISK, false, flag, err, errlen);
}

bool drives_cdrom(struct machine_config *cfg, const char *path, char *err, size_t errlen)
{
    if (!*path)
        return fail(err, errlen, "-cdrom: no file name; give an ISO image (-cdrom FILE.iso)");
    return add(cfg, 2, path, MACHINE_MEDIA_CDROM, true, "-cdrom", err, errlen);
}

bool drives_fd(struct machine_config *cfg, unsigned index, const char *path, bool readonly,
               const char *flag, char *err, size_t errlen)
{
    if (!*path)
        return fail(err, errlen, "%s: no file name; give a raw floppy image (-fda FILE)", flag);
    if (cfg->floppy[index])
        return fail(err, errlen, "%s: floppy drive %c: (-fd%c) is given twice; give each "
                    "drive once", flag, 'A' + index, 'a' + index);
    cfg->floppy[index] = path;
    cfg->floppy_readonly[index] = readonly;
    return true;
}

/* The value after KEY= at *p, up to a single comma (",," is a comma in it, as in QEMU);
 * *p moves past the comma. Returns false when it does not fit. */
static bool value(const char **p, char *val, size_t cap)
{
    size_t n = 0;
    const char *s = *p;
    for (; *s && !(s[0] == ',' && s[1] != ','); s++) {
        if (s[0] == ',')
            s++;
        if (n + 1 >= cap)
            return false;
        val[n++] = *s;
    }
    val[n] = '\0';
    *p = *s == ',' ? s + 1 : s;
    return true;
}

bool drives_drive(struct machine_config *cfg, const char *v, char *err, size_t errlen)
{
    /* The file names outlive the command line's parsing: the machine opens them later. */
    static char files[MACHINE_IDE_DISKS + MACHINE_FLOPPIES][4096];
    static unsigned used;
    char file[4096] = "";
    bool have_file = false, cdrom = false, floppy = false, readonly = false;
    int index = -1;
    const char *format = NULL;
    const char *p = v;
    while (*p) {
        const char *eq = strchr(p, '=');
        const char *comma = strchr(p, ',');
        if (!eq || (comma && comma < eq))
            return fail(err, errlen, "-drive %s: '%.*s' is not KEY=VALUE; give for example "
                        "-drive file=disk.img,format=raw,if=ide,index=0", v,
                        (int)(comma ? comma - p : (long)strlen(p)), p);
        const char *key = p;
        int klen = (int)(eq - p);
        char val[4096];
        p = eq + 1;
        if (!value(&p, val, sizeof val))
            return fail(err, errlen, "-drive %s: the value of %.*s is too long; give a "
                        "shorter path", v, klen, key);
        if (klen == 4 && strncmp(key, "file", 4) == 0) {
            memcpy(file, val, sizeof file);
            have_file = true;
        } else if (klen == 6 && strncmp(key, "format", 6) == 0) {
            format = disk_format_known(val);
            if (!format)
                return fail(err, errlen, "-drive %s: format=%s is not supported; orrery reads "
                            "raw and qcow2 images (qemu-img convert -O qcow2 makes one)", v,
                            val);
        } else if (klen == 2 && strncmp(key, "if", 2) == 0) {
            floppy = strcmp(val, "floppy") == 0;
            if (strcmp(val, "ide") != 0 && !floppy)
                return fail(err, errlen, "-drive %s: if=%s is not supported; orrery has IDE "
                            "disks (if=ide) and floppies (if=floppy)", v, val);
        } else if (klen == 8 && strncmp(key, "readonly", 8) == 0) {
            if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
                return fail(err, errlen, "-drive %s: readonly=%s; give readonly=on or off", v,
                            val);
            readonly = strcmp(val, "on") == 0;
        } else if (klen == 5 && strncmp(key, "index", 5) == 0) {
            if (!(val[0] >= '0' && val[0] <= '9' && !val[1]))
                index = 10; /* refused below, by the interface's places */
            else
                index = val[0] - '0';
        } else if (klen == 5 && strncmp(key, "media", 5) == 0) {
            if (strcmp(val, "disk") != 0 && strcmp(val, "cdrom") != 0)
                return fail(err, errlen, "-drive %s: media=%s is not a medium; give media=disk "
                            "or media=cdrom", v, val);
            cdrom = strcmp(val, "cdrom") == 0;
        } else {
            return fail(err, errlen, "-drive %s: unsupported option '%.*s'; orrery knows file, "
                        "format, if, index, media, readonly", v, klen, key);
        }
    }
    if (!have_file && !cdrom)
        return fail(err, errlen, "-drive %s: no file= given; give the image "
                    "(-drive file=disk.img,format=raw)", v);
    if (have_file && !*file)
        return fail(err, errlen, "-drive %s: file= is empty; give the image's path", v);
    if (floppy) {
        if (cdrom || !have_file)
            return fail(err, errlen, "-drive %s: a floppy drive takes a floppy image; give "
                        "file=IMAGE and no media=cdrom", v);
        if (index >= MACHINE_FLOPPIES)
            return fail(err, errlen, "-drive %s: the index is not a floppy drive; give "
                        "index=0 (A:) or index=1 (B:)", v);
        if (index < 0) {
            for (index = 0; index < MACHINE_FLOPPIES && cfg->floppy[index]; index++)
                ;
            if (index == MACHINE_FLOPPIES)
                return fail(err, errlen, "-drive %s: both floppy drives are taken; give at "
                            "most two floppies", v);
        }
        if (used == MACHINE_IDE_DISKS + MACHINE_FLOPPIES)
            return fail(err, errlen, "-drive %s: too many drives; give fewer", v);
        memcpy(files[used], file, sizeof file);
        return drives_fd(cfg, (unsigned)index, files[used++], readonly, "-drive", err, errlen);
    }
    if (index >= MACHINE_IDE_DISKS)
        return fail(err, errlen, "-drive %s: the index is not an IDE place; give 0-3", v);
    if (index < 0) { /* the first free place, as QEMU gives */
        for (index = 0; index < MACHINE_IDE_DISKS && taken(cfg, (unsigned)index); index++)
            ;
        if (index == MACHINE_IDE_DISKS)
            return fail(err, errlen, "-drive %s: all four IDE places are taken; give at most "
                        "four disks", v);
    }
    if (used == MACHINE_IDE_DISKS + MACHINE_FLOPPIES)
        return fail(err, errlen, "-drive %s: at most four IDE disks; give fewer", v);
    memcpy(files[used], file, sizeof file);
    if (!add(cfg, (unsigned)index, have_file ? files[used++] : NULL,
             cdrom ? MACHINE_MEDIA_CDROM : MACHINE_MEDIA_DISK, readonly || cdrom, "-drive", err,
             errlen))
        return false;
    cfg->ide[index].format = format;
    return true;
}
