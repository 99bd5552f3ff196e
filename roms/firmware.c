#include "roms/firmware.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *const firmware_system_dirs[] = { "/usr/share/seabios", "/usr/share/qemu", NULL };

static bool try_dir(const char *dir, const char *name, char *out, size_t len)
{
    struct stat st;
    int n = snprintf(out, len, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= len)
        return false;
    if (stat(out, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    FILE *f = fopen(out, "rb");
    if (!f)
        return false;
    fclose(f);
    return true;
}

bool firmware_find(const char *name, const char *const *user_dirs, size_t n,
                   const char *const *system_dirs, char *out, size_t len)
{
    if (!system_dirs)
        system_dirs = firmware_system_dirs;
    for (size_t i = 0; i < n; i++)
        if (user_dirs[i] && try_dir(user_dirs[i], name, out, len))
            return true;
    for (size_t i = 0; system_dirs[i]; i++)
        if (try_dir(system_dirs[i], name, out, len))
            return true;
    if (len)
        out[0] = '\0';
    return false;
}

void firmware_dirs_text(const char *const *user_dirs, size_t n, const char *const *system_dirs,
                        char *out, size_t len)
{
    if (!system_dirs)
        system_dirs = firmware_system_dirs;
    size_t total = 0, k = 0;
    while (system_dirs[total])
        total++;
    total += n;
    if (len)
        out[0] = '\0';
    for (size_t i = 0; i < total; i++) {
        const char *d = i < n ? user_dirs[i] : system_dirs[i - n];
        const char *sep = i == 0 ? "" : i + 1 == total ? (total > 2 ? ", or " : " or ") : ", ";
        int w = snprintf(out + k, len - k, "%s%s", sep, d);
        if (w < 0 || (size_t)w >= len - k)
            return;
        k += (size_t)w;
    }
}
