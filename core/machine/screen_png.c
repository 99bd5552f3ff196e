/* The screen as a PNG picture (-screendump FILE.png; the monitor's screendump -f png):
 * 8-bit RGB, no alpha, written with libpng. */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine/machine.h"

/* libpng reports errors by longjmp: what the error path frees is set before setjmp and
 * not changed after it. */
static bool write_png(FILE *f, const uint32_t *fb, unsigned w, unsigned h, unsigned stride)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *row = malloc((size_t)w * 3);
    if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
        free(row);
        return false;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w; x++) {
            uint32_t p = fb[(size_t)y * stride + x];
            row[3 * x] = (uint8_t)(p >> 16);
            row[3 * x + 1] = (uint8_t)(p >> 8);
            row[3 * x + 2] = (uint8_t)p;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    return true;
}

enum machine_status machine_screendump_png(struct machine *m, const char *path, char *err)
{
    unsigned w, h, stride;
    const uint32_t *fb = machine_framebuffer(m, &w, &h, &stride);
    static const uint32_t black[1];
    if (!fb) { /* nothing shown: one black pixel, as the PPM dump */
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
    bool ok = write_png(f, fb, w, h, stride);
    int bad = !ok;
    bad |= ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        snprintf(err, MACHINE_ERRMAX, "cannot write screen dump '%s'", path);
        return MACHINE_ERR_FILE;
    }
    return MACHINE_OK;
}
