/* The screen: the VGA at PCI 00:02.0 with its BIOS, and what frontends read of it (the
 * picture, the text, a PPM of the picture). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/machine/machine_impl.h"
#include "roms/firmware.h"

#define VGA_SLOT 2 /* where QEMU's PC puts its VGA, and SeaBIOS finds it */

/* The VGA BIOS (vgabios-stdvga.bin) from the -L folders or the distribution's, for the
 * VGA's expansion ROM; without it the VGA has no ROM, as a board whose firmware carries
 * its own VGA code. Returns a malloc'd image and its length, or NULL. */
static uint8_t *read_vgabios(const struct machine_config *cfg, size_t *len)
{
    unsigned n = cfg->nfirmware_dirs < MACHINE_FIRMWARE_DIRS_MAX ? cfg->nfirmware_dirs
                                                                 : MACHINE_FIRMWARE_DIRS_MAX;
    char path[512];
    if (!firmware_find(FIRMWARE_VGABIOS, cfg->firmware_dirs, n, cfg->firmware_system_dirs,
                       path, sizeof path))
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && st.st_size <= (off_t)VGA_ROM_MAX) {
        buf = malloc((size_t)st.st_size);
        if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    *len = buf ? (size_t)st.st_size : 0;
    return buf;
}

int machine_vga_create(struct machine *m, const struct machine_config *cfg)
{
    size_t len = 0;
    uint8_t *rom = read_vgabios(cfg, &len);
    int r = vga_init(&m->pc.vga, &m->io, &m->mem, &m->pc.sched, &m->pc.pci, VGA_SLOT, rom,
                     len);
    free(rom);
    return r;
}

const uint32_t *machine_framebuffer(struct machine *m, unsigned *w, unsigned *h,
                                    unsigned *stride)
{
    return vga_render(&m->pc.vga, sched_now(&m->pc.sched), w, h, stride);
}

size_t machine_text_screen(struct machine *m, char *buf, size_t len)
{
    return vga_text(&m->pc.vga, buf, len);
}

enum machine_status machine_screendump(struct machine *m, const char *path, char *err)
{
    unsigned w, h, stride;
    const uint32_t *fb = machine_framebuffer(m, &w, &h, &stride);
    if (!fb) { /* nothing shown: a black VGA-sized picture, so a dump always exists */
        static const uint32_t black[1];
        fb = black;
        w = h = 1;
        stride = 0;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, MACHINE_ERRMAX, "cannot create screen dump '%s': %s", path,
                 strerror(errno));
        return MACHINE_ERR_FILE;
    }
    fprintf(f, "P6\n%u %u\n255\n", w, h);
    uint8_t *row = malloc((size_t)w * 3);
    for (unsigned y = 0; row && y < h; y++) {
        for (unsigned x = 0; x < w; x++) {
            uint32_t p = fb[(size_t)y * stride + x];
            row[3 * x] = (uint8_t)(p >> 16);
            row[3 * x + 1] = (uint8_t)(p >> 8);
            row[3 * x + 2] = (uint8_t)p;
        }
        fwrite(row, 3, w, f);
    }
    free(row);
    if (!row || ferror(f) | fclose(f)) {
        snprintf(err, MACHINE_ERRMAX, "cannot write screen dump '%s'%s", path,
                 row ? "" : ": out of memory");
        return MACHINE_ERR_FILE;
    }
    return MACHINE_OK;
}
