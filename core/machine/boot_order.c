#include "core/machine/boot_order.h"

#include <stdio.h>
#include <string.h>

static unsigned nibble(char c)
{
    return c == 'a' ? 1 : c == 'c' ? 2 : c == 'd' ? 3 : 0;
}

bool boot_order_valid(const char *order)
{
    size_t n = strlen(order);
    if (n == 0 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!nibble(order[i]) || strchr(order + i + 1, order[i]))
            return false;
    return true;
}

void boot_order_cmos(struct rtc *r, const char *order)
{
    unsigned v[3] = { 0, 0, 0 };
    for (unsigned i = 0; i < 3 && order[i]; i++)
        v[i] = nibble(order[i]);
    rtc_cmos_set(r, 0x3D, (uint8_t)(v[0] | v[1] << 4));
    /* Bit 0 clear: SeaBIOS checks a floppy's boot signature, as QEMU's default. */
    rtc_cmos_set(r, 0x38, (uint8_t)(v[2] << 4));
}

/* Appends one path and its '\n' (the last '\n' becomes the NUL). */
static unsigned add_line(char *out, unsigned n, const char *path)
{
    int k = snprintf(out + n, BOOT_ORDER_FILE_MAX - n, "%s\n", path);
    return k > 0 && (unsigned)k < BOOT_ORDER_FILE_MAX - n ? n + (unsigned)k : n;
}

unsigned boot_order_file(const char *order, bool strict, const struct boot_drives *d,
                         char *out)
{
    unsigned n = 0;
    char path[64];
    for (const char *c = order; *c; c++) {
        for (unsigned i = 0; i < 4; i++) {
            bool here = *c == 'c' ? d->disk[i] : *c == 'd' ? d->cdrom[i]
                        : *c == 'a' && i < 2 ? d->floppy[i] : false;
            if (!here)
                continue;
            if (*c == 'a')
                snprintf(path, sizeof path, "/pci@i0cf8/isa@1/fdc@03f0/floppy@%u", i);
            else
                snprintf(path, sizeof path, "/pci@i0cf8/ide@1,1/drive@%u/disk@%u", i / 2, i % 2);
            n = add_line(out, n, path);
        }
    }
    if (strict)
        n = add_line(out, n, "HALT");
    if (n)
        out[n - 1] = '\0';
    return n;
}
