/* screendump -f png: the screen (machine_framebuffer) as a PNG picture: 8-bit RGB, no
 * interlace, each row with filter type 0, deflated by zlib (PNG specification, ISO/IEC
 * 15948: the signature, IHDR, one IDAT and IEND, each chunk with its CRC-32). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "frontends/monitor/cmd.h"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static bool chunk(FILE *f, const char *type, const uint8_t *data, uint32_t len)
{
    uint8_t head[8], tail[4];
    put32(head, len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0L, head + 4, 4);
    if (len)
        crc = crc32(crc, data, len);
    put32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) &&
           fwrite(tail, 1, 4, f) == 4;
}

enum machine_status mon_screendump_png(struct machine *m, const char *path, char *err,
                                       size_t errlen)
{
    unsigned w = 0, h = 0, stride = 0;
    const uint32_t *fb = machine_framebuffer(m, &w, &h, &stride);
    static const uint32_t black = 0;
    if (!fb || !w || !h) { /* nothing shown: a 1x1 black picture, as the PPM dump */
        fb = &black;
        w = h = stride = 1;
    }
    size_t row = 1 + (size_t)w * 3, raw_len = row * h;
    uint8_t *raw = malloc(raw_len);
    uLongf z_len = compressBound((uLong)raw_len);
    uint8_t *z = malloc(z_len);
    if (!raw || !z) {
        free(raw);
        free(z);
        snprintf(err, errlen, "screendump: out of memory");
        return MACHINE_ERR_NOMEM;
    }
    for (unsigned y = 0; y < h; y++) {
        uint8_t *o = raw + row * y;
        *o++ = 0; /* filter: none */
        for (unsigned x = 0; x < w; x++) {
            uint32_t px = fb[(size_t)y * stride + x];
            *o++ = (uint8_t)(px >> 16);
            *o++ = (uint8_t)(px >> 8);
            *o++ = (uint8_t)px;
        }
    }
    int zr = compress2(z, &z_len, raw, (uLong)raw_len, 6);
    free(raw);
    if (zr != Z_OK) {
        free(z);
        snprintf(err, errlen, "screendump: zlib could not compress the picture");
        return MACHINE_ERR_NOMEM;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(z);
        snprintf(err, errlen, "could not open '%s': %s", path, strerror(errno));
        return MACHINE_ERR_FILE;
    }
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    uint8_t ihdr[13];
    put32(ihdr, w);
    put32(ihdr + 4, h);
    ihdr[8] = 8;  /* bits per sample */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    bool ok = fwrite(sig, 1, 8, f) == 8 && chunk(f, "IHDR", ihdr, 13) &&
              chunk(f, "IDAT", z, (uint32_t)z_len) && chunk(f, "IEND", NULL, 0);
    free(z);
    if (fclose(f) != 0)
        ok = false;
    if (!ok) {
        snprintf(err, errlen, "could not write '%s': %s", path, strerror(errno));
        remove(path);
        return MACHINE_ERR_FILE;
    }
    return MACHINE_OK;
}
