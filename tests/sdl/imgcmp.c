/* build/imgcmp: pictures for the window tests (tests/sdl/). Reads PNG, binary PPM (P6, what
 * -screendump writes) and XWD (what `xwd` takes of a window: ZPixmap, 24 or 32 bits per
 * pixel, true colour; format from X11's XWDFile.h).
 *
 *   imgcmp [--crop X,Y,W,H] [--scale SX[xSY]] [--tolerance T] [--max-differ N] PICTURE GOLDEN
 *       compares PICTURE (cropped first) with GOLDEN: the same size, and at most N pixels
 *       (default 0) with a component more than T (default 0) apart; GOLDEN "black" is
 *       a black picture of PICTURE's (cropped) size. --scale compares with GOLDEN drawn
 *       SX times as wide and SY (default SX) times as tall, each of its pixels an exact
 *       SX by SY block (a window showing a low-resolution mode enlarged). Prints one
 *       line; exit 0 alike, 1 different, 2 unreadable.
 *   imgcmp --png IN OUT      writes IN as a PNG (to make a golden)
 *   imgcmp --size IN         prints WxH
 *   imgcmp --pixel IN X Y    prints the pixel as RRGGBB */
#include <png.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct picture {
    unsigned w, h;
    uint32_t *px; /* 0x00RRGGBB, row after row */
};

static bool alloc_picture(struct picture *p, unsigned w, unsigned h)
{
    p->w = w;
    p->h = h;
    p->px = w && h && w <= 16384 && h <= 16384 ? calloc((size_t)w * h, sizeof *p->px) : NULL;
    return p->px != NULL;
}

static bool read_png(FILE *f, struct picture *p)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_stdio(&img, f))
        return false;
    img.format = PNG_FORMAT_RGB;
    size_t n = PNG_IMAGE_SIZE(img);
    uint8_t *buf = malloc(n);
    bool ok = buf && alloc_picture(p, img.width, img.height) &&
              png_image_finish_read(&img, NULL, buf, 0, NULL);
    if (!buf)
        png_image_free(&img);
    for (size_t i = 0; ok && i < (size_t)p->w * p->h; i++)
        p->px[i] = (uint32_t)buf[3 * i] << 16 | (uint32_t)buf[3 * i + 1] << 8 | buf[3 * i + 2];
    free(buf);
    return ok;
}

static bool read_ppm(FILE *f, struct picture *p)
{
    unsigned w, h, max;
    if (fscanf(f, "P6 %u %u %u", &w, &h, &max) != 3 || max != 255 || fgetc(f) == EOF ||
        !alloc_picture(p, w, h))
        return false;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint8_t rgb[3];
        if (fread(rgb, 1, 3, f) != 3)
            return false;
        p->px[i] = (uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2];
    }
    return true;
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The component under mask, scaled to 8 bits. */
static uint32_t component(uint32_t v, uint32_t mask)
{
    if (!mask)
        return 0;
    unsigned shift = 0, bits = 0;
    while (!(mask >> shift & 1))
        shift++;
    while (shift + bits < 32 && (mask >> (shift + bits) & 1))
        bits++;
    uint32_t c = (v & mask) >> shift;
    return bits >= 8 ? c >> (bits - 8) : c * 255 / ((1u << bits) - 1);
}

static bool read_xwd(FILE *f, struct picture *p)
{
    uint8_t hdr[100];
    if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr)
        return false;
    uint32_t field[25];
    for (unsigned i = 0; i < 25; i++)
        field[i] = be32(hdr + 4 * i);
    uint32_t header_size = field[0], version = field[1], format = field[2];
    uint32_t w = field[4], h = field[5], byte_order = field[7], bpp = field[11];
    uint32_t bpl = field[12], rmask = field[14], gmask = field[15], bmask = field[16];
    uint32_t ncolors = field[19];
    if (version != 7 || format != 2 || (bpp != 32 && bpp != 24) || header_size < 100 ||
        ncolors > 65536 || bpl < w * (bpp / 8) || !alloc_picture(p, w, h))
        return false;
    if (fseek(f, (long)header_size + 12L * ncolors, SEEK_SET) != 0)
        return false;
    uint8_t *row = malloc(bpl);
    bool ok = row != NULL;
    for (unsigned y = 0; ok && y < h; y++) {
        ok = fread(row, 1, bpl, f) == bpl;
        for (unsigned x = 0; ok && x < w; x++) {
            const uint8_t *b = row + (size_t)x * (bpp / 8);
            uint32_t v = 0;
            for (unsigned i = 0; i < bpp / 8; i++) /* byte_order 0: least significant first */
                v |= (uint32_t)b[byte_order ? bpp / 8 - 1 - i : i] << (8 * i);
            p->px[(size_t)y * w + x] = component(v, rmask) << 16 | component(v, gmask) << 8 |
                                       component(v, bmask);
        }
    }
    free(row);
    return ok;
}

static bool read_picture(const char *path, struct picture *p)
{
    FILE *f = fopen(path, "rb");
    uint8_t magic[8] = {0};
    bool ok = false;
    memset(p, 0, sizeof *p);
    if (f && fread(magic, 1, sizeof magic, f) == sizeof magic && fseek(f, 0, SEEK_SET) == 0) {
        if (memcmp(magic, "\x89PNG", 4) == 0)
            ok = read_png(f, p);
        else if (magic[0] == 'P' && magic[1] == '6')
            ok = read_ppm(f, p);
        else
            ok = read_xwd(f, p);
    }
    if (f)
        fclose(f);
    if (!ok)
        fprintf(stderr, "imgcmp: cannot read '%s' as a PNG, PPM (P6) or XWD picture\n", path);
    return ok;
}

static bool write_png(const struct picture *p, const char *path)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = p->w;
    img.height = p->h;
    img.format = PNG_FORMAT_RGB;
    uint8_t *buf = malloc((size_t)p->w * p->h * 3);
    if (!buf)
        return false;
    for (size_t i = 0; i < (size_t)p->w * p->h; i++) {
        buf[3 * i] = (uint8_t)(p->px[i] >> 16);
        buf[3 * i + 1] = (uint8_t)(p->px[i] >> 8);
        buf[3 * i + 2] = (uint8_t)p->px[i];
    }
    bool ok = png_image_write_to_file(&img, path, 0, buf, 0, NULL);
    free(buf);
    return ok;
}

/* p drawn sx times as wide and sy times as tall, each pixel a block. */
static bool scale_picture(struct picture *p, unsigned sx, unsigned sy)
{
    struct picture q;
    if ((uint64_t)p->w * sx > 16384 || (uint64_t)p->h * sy > 16384 ||
        !alloc_picture(&q, p->w * sx, p->h * sy))
        return false;
    for (unsigned y = 0; y < q.h; y++)
        for (unsigned x = 0; x < q.w; x++)
            q.px[(size_t)y * q.w + x] = p->px[(size_t)(y / sy) * p->w + x / sx];
    free(p->px);
    *p = q;
    return true;
}

static int usage(void)
{
    fprintf(stderr, "usage: imgcmp [--crop X,Y,W,H] [--scale SX[xSY]] [--tolerance T] "
            "[--max-differ N] PICTURE "
            "GOLDEN | --png IN OUT | --size IN | --pixel IN X Y\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct picture a, b;
    if (argc == 4 && strcmp(argv[1], "--png") == 0) {
        if (!read_picture(argv[2], &a))
            return 2;
        if (!write_png(&a, argv[3])) {
            fprintf(stderr, "imgcmp: cannot write '%s'\n", argv[3]);
            return 2;
        }
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--size") == 0) {
        if (!read_picture(argv[2], &a))
            return 2;
        printf("%ux%u\n", a.w, a.h);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "--pixel") == 0) {
        unsigned x = (unsigned)strtoul(argv[3], NULL, 0), y = (unsigned)strtoul(argv[4], NULL, 0);
        if (!read_picture(argv[2], &a))
            return 2;
        if (x >= a.w || y >= a.h) {
            fprintf(stderr, "imgcmp: %u,%u is outside the %ux%u picture\n", x, y, a.w, a.h);
            return 2;
        }
        printf("%06x\n", (unsigned)a.px[(size_t)y * a.w + x]);
        return 0;
    }
    unsigned cx = 0, cy = 0, cw = 0, ch = 0, tolerance = 0, sx = 1, sy = 1;
    unsigned long max_differ = 0;
    bool crop = false;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--crop") == 0 &&
            sscanf(argv[i + 1], "%u,%u,%u,%u", &cx, &cy, &cw, &ch) == 4)
            crop = true;
        else if (strcmp(argv[i], "--scale") == 0) {
            int n = sscanf(argv[i + 1], "%ux%u", &sx, &sy);
            if (n == 1)
                sy = sx;
            if (n < 1 || sx < 1 || sy < 1 || sx > 16 || sy > 16)
                return usage();
        } else if (strcmp(argv[i], "--tolerance") == 0)
            tolerance = (unsigned)strtoul(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--max-differ") == 0)
            max_differ = strtoul(argv[i + 1], NULL, 0);
        else
            return usage();
    }
    if (argc - i != 2)
        return usage();
    bool black = strcmp(argv[i + 1], "black") == 0;
    if (!read_picture(argv[i], &a) || (!black && !read_picture(argv[i + 1], &b)))
        return 2;
    if (!black && (sx > 1 || sy > 1) && !scale_picture(&b, sx, sy)) {
        fprintf(stderr, "imgcmp: no memory for '%s' scaled %ux%u\n", argv[i + 1], sx, sy);
        return 2;
    }
    if (!crop) {
        cw = a.w;
        ch = a.h;
    }
    if (black && !alloc_picture(&b, cw, ch)) {
        fprintf(stderr, "imgcmp: no memory for a %ux%u black picture\n", cw, ch);
        return 2;
    }
    if ((uint64_t)cx + cw > a.w || (uint64_t)cy + ch > a.h) {
        printf("different: the crop %u,%u,%u,%u is outside the %ux%u picture\n", cx, cy, cw,
               ch, a.w, a.h);
        return 1;
    }
    if (cw != b.w || ch != b.h) {
        printf("different: %ux%u against the golden's %ux%u%s\n", cw, ch, b.w, b.h,
               sx > 1 || sy > 1 ? " (scaled)" : "");
        return 1;
    }
    unsigned long differ = 0;
    unsigned worst = 0;
    for (unsigned y = 0; y < ch; y++) {
        for (unsigned x = 0; x < cw; x++) {
            uint32_t p = a.px[(size_t)(cy + y) * a.w + cx + x], q = b.px[(size_t)y * b.w + x];
            unsigned d = 0;
            for (unsigned s = 0; s < 24; s += 8) {
                int c = (int)(p >> s & 0xFF) - (int)(q >> s & 0xFF);
                unsigned m = (unsigned)(c < 0 ? -c : c);
                d = m > d ? m : d;
            }
            worst = d > worst ? d : worst;
            differ += d > tolerance;
        }
    }
    printf("%s: %lu of %u pixels differ by more than %u (at most %lu may; largest "
           "difference %u)\n", differ <= max_differ ? "alike" : "different", differ, cw * ch,
           tolerance, max_differ, worst);
    return differ <= max_differ ? 0 : 1;
}
