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

bool drives_hd(struct machine_config *cfg, unsigned index, const char *path, const char *flag,
               char *err, size_t errlen)
{
    if (!*path)
        return fail(err, errlen, "%s: no file name; give a disk image (-hda FILE)", flag);
    if (cfg->ide[index])
        return fail(err, errlen, "%s: IDE disk %u (-hd%c) is given twice; give each disk once",
                    flag, index, 'a' + index);
    cfg->ide[index] = path;
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
    static char files[MACHINE_IDE_DISKS][4096];
    static unsigned used;
    char file[4096] = "";
    bool have_file = false;
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
            if (strcmp(val, "ide") != 0)
                return fail(err, errlen, "-drive %s: if=%s is not supported; orrery has IDE "
                            "disks (if=ide)", v, val);
        } else if (klen == 5 && strncmp(key, "index", 5) == 0) {
            if (!(val[0] >= '0' && val[0] <= '3' && !val[1]))
                return fail(err, errlen, "-drive %s: index=%s is not an IDE place; give 0-3",
                            v, val);
            index = val[0] - '0';
        } else if (klen == 5 && strncmp(key, "media", 5) == 0) {
            if (strcmp(val, "disk") != 0)
                return fail(err, errlen, "-drive %s: media=%s is not supported yet; orrery "
                            "has hard disks (media=disk)", v, val);
        } else {
            return fail(err, errlen, "-drive %s: unsupported option '%.*s'; orrery knows file, "
                        "format, if, index, media", v, klen, key);
        }
    }
    if (!have_file)
        return fail(err, errlen, "-drive %s: no file= given; give the image "
                    "(-drive file=disk.img,format=raw)", v);
    if (index < 0) { /* the first free place, as QEMU gives */
        for (index = 0; index < MACHINE_IDE_DISKS && cfg->ide[index]; index++)
            ;
        if (index == MACHINE_IDE_DISKS)
            return fail(err, errlen, "-drive %s: all four IDE places are taken; give at most "
                        "four disks", v);
    }
    if (used == MACHINE_IDE_DISKS)
        return fail(err, errlen, "-drive %s: at most four IDE disks; give fewer", v);
    memcpy(files[used], file, sizeof file);
    if (!drives_hd(cfg, (unsigned)index, files[used++], "-drive", err, errlen))
        return false;
    cfg->ide_format[index] = format;
    return true;
}
