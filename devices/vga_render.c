/* The VGA's screen as 32-bit XRGB pixels, rendered when a frontend asks (devices/vga.h).
 * Pictures are the modes' logical size (mode 13h is 320x200; a 40-column text mode is 40
 * cells wide): the dot clock halving and double scanning a monitor shows are left out.
 *
 * The CRTC's memory address counter starts at the start address (registers 0x0C/0x0D),
 * advances by one per character clock and by 2 * offset (register 0x13) per row; it
 * reaches plane memory shifted by the address mode: doubleword (register 0x14 bit 6) x4,
 * byte (0x17 bit 6) x1, word x2 with bit 13 or 15 (0x17 bit 5) in bit 0. Text modes take
 * the character from plane 0, the attribute from plane 1 and the glyph from plane 2
 * (sequencer register 3 selects the font blocks, 32 bytes a character); the attribute
 * controller maps colours to DAC entries (palette registers, mode control bits 7 and 3,
 * colour select), and the DAC's 6-bit (or VBE 8-bit) components become 8-bit XRGB.
 *
 * Line compare (the split screen), byte and pixel panning and the preset row scan are
 * modelled, and so are the CGA-compatible addressing and 2-bit shift of BIOS modes 4-6,
 * the underline (attributes x000x001 at register 0x14's scan line) and the cursor skew. */
#include "devices/vga.h"

#include <stdlib.h>
#include <string.h>

#define FRAME_NS (31778ull * 449) /* one frame of the ~70 Hz VGA timing (vga_regs.c) */

enum { ATTR_MODE = 0x10, ATTR_PLANE_ENABLE = 0x12, ATTR_COLOR_SELECT = 0x14 };

struct geometry {
    unsigned cols;        /* character clocks per line */
    unsigned lines;       /* scan lines displayed */
    unsigned scan;        /* scan lines per character row (text) or per pixel row */
    unsigned repeat;      /* 2 when double scanning (register 0x09 bit 7) */
    unsigned per_row;     /* graphics: scan lines per output row */
    uint32_t start, offset;
};

static void geometry(const struct vga_state *s, struct geometry *g)
{
    const uint8_t *c = s->crtc;
    g->cols = c[1] + 1u;
    g->lines = (c[0x12] | ((c[7] & 0x02u) << 7) | ((c[7] & 0x40u) << 3)) + 1u;
    g->scan = (c[9] & 0x1Fu) + 1u;
    g->repeat = (c[9] & 0x80) ? 2 : 1;
    /* CGA-compatible addressing (register 0x17 bits 0-1 clear) shows each row scan of a
     * character row from its own memory: every (double-scanned) line is an output row. */
    g->per_row = (c[0x17] & 3) != 3 ? g->repeat : g->scan * g->repeat;
    g->start = (uint32_t)c[0x0C] << 8 | c[0x0D];
    g->offset = 2u * c[0x13];
}

/* The plane address the CRTC's counter value reaches. */
static uint32_t crtc_address(const struct vga_state *s, uint32_t counter)
{
    if (s->crtc[0x14] & 0x40)
        return counter << 2;
    if (s->crtc[0x17] & 0x40)
        return counter;
    unsigned wrap = (s->crtc[0x17] & 0x20) ? 15 : 13;
    return (counter << 1) | ((counter >> wrap) & 1);
}

/* The CGA-compatible address bits: register 0x17 bit 0 clear puts the row scan counter's
 * bit 0 in address bit 13 (CGA's interleaved lines), bit 1 clear its bit 1 in bit 14. */
static uint32_t cga_address(const struct vga_state *s, uint32_t addr, unsigned row_scan)
{
    if (!(s->crtc[0x17] & 1))
        addr = (addr & ~0x2000u) | (row_scan & 1u) << 13;
    if (!(s->crtc[0x17] & 2))
        addr = (addr & ~0x4000u) | (row_scan & 2u) << 13;
    return addr;
}

static uint32_t dac_rgb(const struct vga_state *s, uint8_t index)
{
    const uint8_t *p = &s->palette[3 * (index & s->dac_mask)];
    uint32_t rgb = 0;
    for (unsigned i = 0; i < 3; i++) {
        uint32_t c = p[i];
        if (!(s->vbe[VBE_ENABLE] & VBE_8BIT_DAC))
            c = (c & 0x3F) << 2 | (c & 0x3F) >> 4;
        rgb = rgb << 8 | c;
    }
    return rgb;
}

/* A 4-bit colour through the attribute controller's palette to a DAC entry. */
static uint8_t attr_colour(const struct vga_state *s, unsigned colour)
{
    colour &= s->attr[ATTR_PLANE_ENABLE] & 0xF;
    uint8_t v = s->attr[colour] & 0x3F, sel = s->attr[ATTR_COLOR_SELECT];
    if (s->attr[ATTR_MODE] & 0x80)
        v = (uint8_t)((v & 0x0F) | (sel & 3) << 4);
    return (uint8_t)(v | (sel & 0x0C) << 4);
}

static int reserve(struct vga *v, unsigned w, unsigned h)
{
    size_t n = (size_t)w * h;
    if (n > v->fb_pixels) {
        uint32_t *fb = realloc(v->fb, n * sizeof *fb);
        if (!fb)
            return -1;
        v->fb = fb;
        v->fb_pixels = n;
    }
    return 0;
}

static uint8_t plane(const struct vga *v, unsigned p, uint32_t addr, uint32_t mask)
{
    return v->vram[4 * (addr & mask) + p];
}

/* Where output row y takes its memory from. Physical scan lines run from 0 at the top;
 * each output row is `per_row` of them (text: 1; graphics: the rows the CRTC repeats).
 * Below the line compare (registers 0x18, 0x07 bit 4, 0x09 bit 6) the picture starts
 * again at address 0, without the preset row scan, and without pixel panning when the
 * attribute mode control's bit 5 says so. The byte panning of register 0x08 adds to the
 * start address above the split. */
struct source {
    uint32_t counter;     /* the CRTC counter at the start of the scan line */
    unsigned line;        /* the scan line within its row (text: the glyph's line) */
    unsigned pan;         /* pixel panning, attribute register 0x13 */
};

static void source_of(const struct vga_state *s, const struct geometry *g, unsigned y,
                      unsigned per_row, unsigned rows_every, struct source *src)
{
    const uint8_t *c = s->crtc;
    unsigned compare = c[0x18] | (c[7] & 0x10u) << 4 | (c[9] & 0x40u) << 3;
    unsigned ps = y * per_row;
    uint32_t base;
    src->pan = s->attr[0x13] & 0x0F;
    if (ps > compare) {
        ps -= compare + 1;
        base = 0;
        if (s->attr[ATTR_MODE] & 0x20)
            src->pan = 0;
    } else {
        base = g->start + ((c[8] >> 5) & 3u);
        if (per_row == 1)
            ps += c[8] & 0x1F; /* preset row scan */
    }
    src->counter = base + ps / rows_every * g->offset;
    src->line = ps % rows_every;
}

static void render_text(struct vga *v, const struct geometry *g, uint64_t now_ns,
                        unsigned w, unsigned h, unsigned char_w)
{
    const struct vga_state *s = &v->s;
    unsigned seq3 = s->seq[3];
    unsigned font_a = ((seq3 >> 2) & 3) | ((seq3 >> 3) & 4);
    unsigned font_b = (seq3 & 3) | ((seq3 >> 2) & 4);
    uint32_t font_off[2] = { ((font_b & 3u) << 14) | ((font_b & 4u) << 11),
                             ((font_a & 3u) << 14) | ((font_a & 4u) << 11) };
    uint64_t frame = now_ns / FRAME_NS;
    int cursor_on = !((frame / 16) & 1), blink_on = !((frame / 32) & 1);
    /* the cursor skew (register 0x0B bits 6-5) moves the cursor right by 0-3 cells */
    uint32_t cursor = ((uint32_t)s->crtc[0x0E] << 8 | s->crtc[0x0F]) + ((s->crtc[0x0B] >> 5) & 3u);
    unsigned underline = s->crtc[0x14] & 0x1F;
    unsigned cur_first = s->crtc[0x0A] & 0x1F, cur_last = s->crtc[0x0B] & 0x1F;
    int cursor_shown = cursor_on && !(s->crtc[0x0A] & 0x20);
    int blink = (s->attr[ATTR_MODE] & 0x08) != 0, line_gfx = (s->attr[ATTR_MODE] & 0x04) != 0;
    unsigned cols = w / char_w;
    uint32_t dots[(256 + 1) * 9]; /* one cell more than the row, for the panning */
    for (unsigned y = 0; y < h; y++) {
        struct source src;
        source_of(s, g, y, 1, g->scan, &src);
        unsigned pan = char_w == 9 ? (src.pan < 8 ? src.pan + 1 : 0) : src.pan & 7;
        for (unsigned col = 0; col <= cols; col++) {
            uint32_t counter = src.counter + col;
            uint32_t addr = crtc_address(s, counter);
            uint8_t ch = plane(v, 0, addr, VGA_PLANE_MASK);
            uint8_t at = plane(v, 1, addr, VGA_PLANE_MASK);
            unsigned fg = at & 0xF, bg = blink ? (at >> 4) & 7 : at >> 4;
            if (blink && (at & 0x80) && !blink_on)
                fg = bg;
            uint32_t fgc = dac_rgb(s, attr_colour(s, fg)), bgc = dac_rgb(s, attr_colour(s, bg));
            unsigned bits = plane(v, 2, font_off[(at >> 3) & 1] + 32u * ch + (src.line & 31),
                                  VGA_PLANE_MASK);
            if (cursor_shown && (counter & 0xFFFF) == (cursor & 0xFFFF) &&
                src.line >= cur_first && src.line <= cur_last)
                bits = 0x1FF;
            else if ((at & 0x77) == 0x01 && src.line == underline) /* the MDA's underline */
                bits = 0x1FF;
            else
                bits = bits << 1 | ((line_gfx && ch >= 0xC0 && ch <= 0xDF) ? (bits & 1) : 0);
            for (unsigned x = 0; x < char_w; x++)
                dots[col * char_w + x] = (bits >> (8 - x)) & 1 ? fgc : bgc;
        }
        memcpy(v->fb + (size_t)y * w, dots + pan, w * sizeof *dots);
    }
}

static void render_256(struct vga *v, const struct geometry *g, unsigned w, unsigned h)
{
    const struct vga_state *s = &v->s;
    uint32_t pal[256];
    for (unsigned i = 0; i < 256; i++)
        pal[i] = dac_rgb(s, (uint8_t)i);
    for (unsigned y = 0; y < h; y++) {
        struct source src;
        source_of(s, g, y, g->per_row, g->scan * g->repeat, &src);
        unsigned row_scan = src.line / g->repeat;
        uint32_t *px = v->fb + (size_t)y * w;
        for (unsigned x = 0; x < w; x++) {
            unsigned sx = x + ((src.pan & 7) >> 1); /* two dots a pixel */
            uint32_t addr = cga_address(s, crtc_address(s, src.counter + sx / 4), row_scan);
            px[x] = pal[plane(v, sx & 3, addr, VGA_PLANE_MASK)];
        }
    }
}

/* 16 colours from four planes, 8 pixels a byte, bit 7 first; or, with the graphics
 * controller's shift register interleave (register 5 bits 6-5 = 01, CGA's 4-colour modes),
 * 2 bits a pixel: four pixels from plane 0 (bits 7-6 first), then four from plane 1, with
 * planes 2 and 3 giving colour bits 2-3 the same way. VBE's 4-bit modes (vbe set) address
 * the planes linearly from the VBE offsets, past the CRTC's 64 KiB. */
static void render_planar(struct vga *v, const struct geometry *g, unsigned w, unsigned h,
                          int vbe)
{
    const struct vga_state *s = &v->s;
    uint32_t pal[16], mask = vbe ? VGA_VRAM_SIZE / 4 - 1 : VGA_PLANE_MASK;
    int interleave = !vbe && (s->gc[5] & 0x60) == 0x20;
    for (unsigned i = 0; i < 16; i++)
        pal[i] = dac_rgb(s, attr_colour(s, i));
    for (unsigned y = 0; y < h; y++) {
        struct source src = { g->start + y * g->offset, 0, 0 };
        if (!vbe)
            source_of(s, g, y, g->per_row, g->scan * g->repeat, &src);
        unsigned row_scan = src.line / g->repeat;
        uint32_t *px = v->fb + (size_t)y * w;
        for (unsigned x = 0; x < w; x++) {
            unsigned sx = x + (src.pan & 7), c = 0;
            uint32_t addr = vbe ? src.counter + sx / 8
                                : cga_address(s, crtc_address(s, src.counter + sx / 8), row_scan);
            if (interleave) {
                unsigned p = (sx & 4) ? 1 : 0, shift = 6 - 2 * (sx & 3);
                c = (plane(v, p, addr, mask) >> shift & 3u) |
                    (plane(v, p + 2, addr, mask) >> shift & 3u) << 2;
            } else {
                unsigned bit = 7 - (sx & 7);
                for (unsigned p = 0; p < 4; p++)
                    c |= ((plane(v, p, addr, mask) >> bit) & 1u) << p;
            }
            px[x] = pal[c];
        }
    }
}

static uint32_t vbe_pixel(const struct vga *v, unsigned bpp, uint64_t at)
{
    unsigned n = (bpp + 7) / 8;
    if (at + n > VGA_VRAM_SIZE)
        return 0;
    const uint8_t *p = v->vram + at;
    switch (bpp) {
    case 8:
        return dac_rgb(&v->s, p[0]);
    case 15: {
        unsigned c = p[0] | p[1] << 8, r = (c >> 10) & 31, g = (c >> 5) & 31, b = c & 31;
        return (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
    }
    case 16: {
        unsigned c = p[0] | p[1] << 8, r = c >> 11, g = (c >> 5) & 63, b = c & 31;
        return (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
    }
    default: /* 24 and 32: blue, green, red in memory order */
        return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    }
}

static void render_vbe(struct vga *v, unsigned w, unsigned h)
{
    const struct vga_state *s = &v->s;
    unsigned bpp = s->vbe[VBE_BPP], n = (bpp + 7) / 8;
    uint64_t line = (uint64_t)s->vbe[VBE_VIRT_WIDTH] * n;
    uint64_t base = (uint64_t)s->vbe[VBE_Y_OFFSET] * line + (uint64_t)s->vbe[VBE_X_OFFSET] * n;
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            v->fb[(size_t)y * w + x] = vbe_pixel(v, bpp, base + y * line + (uint64_t)x * n);
}

const uint32_t *vga_render(struct vga *v, uint64_t now_ns, unsigned *w, unsigned *h,
                           unsigned *stride)
{
    const struct vga_state *s = &v->s;
    struct geometry g;
    geometry(s, &g);
    unsigned pw, ph;
    int vbe = (s->vbe[VBE_ENABLE] & VBE_ENABLED) != 0;
    int text = !vbe && !(s->attr[ATTR_MODE] & 0x01);
    int c256 = !vbe && (s->attr[ATTR_MODE] & 0x40);
    unsigned char_w = (s->seq[1] & 0x01) ? 8 : 9;
    if (vbe) {
        pw = s->vbe[VBE_XRES];
        ph = s->vbe[VBE_YRES];
    } else if (text) {
        pw = g.cols * char_w;
        ph = g.lines / g.scan * g.scan;
    } else {
        pw = c256 ? g.cols * 4 : g.cols * 8;
        ph = g.lines / g.per_row;
    }
    *w = *h = *stride = 0;
    if (!pw || !ph || reserve(v, pw, ph))
        return NULL;
    *w = *stride = pw;
    *h = ph;
    /* The screen is blank while the sequencer turns it off or the CPU owns the palette
     * (attribute address register's PAS bit clear). */
    if ((s->seq[1] & 0x20) || !(s->attr_index & 0x20)) {
        for (size_t i = 0; i < (size_t)pw * ph; i++)
            v->fb[i] = 0;
    } else if (vbe && s->vbe[VBE_BPP] == 4) {
        g.offset = s->vbe[VBE_VIRT_WIDTH] / 8u;
        g.start = s->vbe[VBE_Y_OFFSET] * g.offset + s->vbe[VBE_X_OFFSET] / 8u;
        g.per_row = g.scan = g.repeat = 1;
        render_planar(v, &g, pw, ph, 1);
    } else if (vbe) {
        render_vbe(v, pw, ph);
    } else if (text) {
        render_text(v, &g, now_ns, pw, ph, char_w);
    } else if (c256) {
        render_256(v, &g, pw, ph);
    } else {
        render_planar(v, &g, pw, ph, 0);
    }
    return v->fb;
}

size_t vga_text(const struct vga *v, char *buf, size_t len)
{
    const struct vga_state *s = &v->s;
    struct geometry g;
    geometry(s, &g);
    if (!len)
        return 0;
    buf[0] = '\0';
    if ((s->vbe[VBE_ENABLE] & VBE_ENABLED) || (s->attr[ATTR_MODE] & 0x01))
        return 0;
    size_t n = 0;
    unsigned rows = g.lines / g.scan;
    for (unsigned row = 0; row < rows; row++) {
        for (unsigned col = 0; col < g.cols; col++) {
            uint32_t addr = crtc_address(s, g.start + row * g.offset + col);
            uint8_t ch = plane(v, 0, addr, VGA_PLANE_MASK);
            if (n + 1 < len)
                buf[n++] = ch == 0 ? ' ' : (ch >= 0x20 && ch < 0x7F) ? (char)ch : '.';
        }
        if (n + 1 < len)
            buf[n++] = '\n';
    }
    buf[n] = '\0';
    return n;
}
