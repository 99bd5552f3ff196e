/* The VGA's pictures (devices/vga_render.c) as a frontend asks for them, after a guest set
 * a mode through the ports and wrote through the window: text, 256-colour, planar, CGA and
 * VBE modes, the split screen and panning, and the text read-back. */
#include "vga_rig.h"

/* ---- Pictures ---- */

static void test_text_mode_render_and_readback(void **state)
{
    struct t *t = *state;
    mode3(t);
    dac_set(t, 0x00, 0, 0, 0);
    dac_set(t, 0x01, 0, 0, 0x2A);       /* blue */
    dac_set(t, 0x07, 0x2A, 0x2A, 0x2A); /* grey */
    dac_set(t, 0x3F, 0x3F, 0x3F, 0x3F); /* white */
    /* a glyph for 'H' in font block 0: a vertical bar in column 0 on every row */
    seq(t, 2, 0x04);
    seq(t, 4, 0x06);
    gc(t, 4, 0x02);
    gc(t, 5, 0x00);
    gc(t, 6, 0x04);
    for (unsigned y = 0; y < 16; y++)
        wr(t, WIN + 32 * 'H' + y, 0x80);
    seq(t, 2, 0x03);
    seq(t, 4, 0x02);
    gc(t, 4, 0x00);
    gc(t, 5, 0x10);
    gc(t, 6, 0x0E);
    wr(t, 0xB8000, 'H');
    wr(t, 0xB8001, 0x1F); /* white on blue */
    wr(t, 0xB8002, 'i');
    wr(t, 0xB8003, 0x07);
    wr(t, 0xB8000 + 160, '!');
    unsigned w, h, stride;
    crtc(t, 0x0A, 0x20); /* cursor off */
    const uint32_t *fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_non_null(fb);
    assert_int_equal(w, 720);
    assert_int_equal(h, 400);
    assert_int_equal(fb[0], 0xFFFFFF);
    assert_int_equal(fb[1], 0x0000AA);
    assert_int_equal(fb[15 * stride], 0xFFFFFF);
    char text[81 * 26];
    assert_int_equal(vga_text(&t->v, text, sizeof text), 81 * 25);
    assert_memory_equal(text, "Hi", 2);
    assert_memory_equal(text + 81, "!", 1);
    assert_int_equal(text[80], '\n');
    /* the cursor: an underline in rows 13-14 of its cell, blinking */
    crtc(t, 0x0A, 0x0D);
    crtc(t, 0x0B, 0x0E);
    crtc(t, 0x0E, 0x00);
    crtc(t, 0x0F, 0x01);
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[13 * stride + 9 + 4], 0xAAAAAA); /* attribute 7's grey */
    fb = vga_render(&t->v, 31778ull * 449 * 16, &w, &h, &stride);
    assert_int_equal(fb[13 * stride + 9 + 4], 0x000000);
    /* panning: 9-dot pixel panning 0 shifts by one dot, 8 by none; byte panning moves the
     * start by a character; the preset row scan starts the top row lower in its cell */
    inb(&t->r, 0x3DA);
    outb(&t->r, 0x3C0, 0x33);
    outb(&t->r, 0x3C0, 0x00);
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[0], 0x0000AA); /* dot 1 of 'H': background */
    assert_int_equal(fb[7], 0x0000AA); /* 'H''s ninth dot */
    assert_int_equal(fb[8], 0x000000); /* 'i''s cell (grey on black, no glyph) */
    outb(&t->r, 0x3C0, 0x33);
    outb(&t->r, 0x3C0, 0x08);
    crtc(t, 0x08, 0x20); /* byte panning 1: 'i' first */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[0], 0x000000); /* 'i' has no glyph here: black on black */
    crtc(t, 0x08, 0x05); /* preset row scan 5: the first row starts at its line 5 */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[0], 0xFFFFFF);
    assert_int_equal(fb[11 * stride], 0x000000); /* line 16 of row 0 is row 1's line 0 */
    crtc(t, 0x08, 0x00);
    /* the cursor skew moves it a cell right; attribute 0x01 underlines at register 0x14's
     * scan line (0x1F in colour modes: below the cell) */
    wr(t, 0xB8005, 0x07); /* cell 2: grey on black, no glyph */
    crtc(t, 0x0B, 0x0E | 0x20);
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[13 * stride + 18 + 4], 0xAAAAAA); /* the cursor in cell 2 */
    assert_int_equal(fb[13 * stride + 9 + 4], 0x000000);  /* not in cell 1 */
    crtc(t, 0x0B, 0x0E);
    wr(t, 0xB8005, 0x00);
    wr(t, 0xB8003, 0x01); /* 'i' in blue, underlined */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[10 * stride + 9 + 4], 0x000000);
    crtc(t, 0x14, 10);
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[10 * stride + 9 + 4], 0x0000AA);
    assert_int_equal(fb[11 * stride + 9 + 4], 0x000000);
    crtc(t, 0x14, 0x1F);
    wr(t, 0xB8003, 0x07);
    /* blinking characters vanish in the off phase; PAS clear blanks the screen */
    wr(t, 0xB8001, 0x9F);
    fb = vga_render(&t->v, 31778ull * 449 * 32, &w, &h, &stride);
    assert_int_equal(fb[0], 0x0000AA);
    inb(&t->r, 0x3DA);
    outb(&t->r, 0x3C0, 0x00);
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[0], 0);
}

static void test_mode13_and_planar_render(void **state)
{
    struct t *t = *state;
    mode13(t);
    dac_set(t, 0x42, 0x3F, 0x00, 0x00);
    wr(t, WIN + 320 * 10 + 5, 0x42);
    unsigned w, h, stride;
    const uint32_t *fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(w, 320);
    assert_int_equal(h, 200);
    assert_int_equal(fb[10 * stride + 5], 0xFF0000);
    assert_int_equal(fb[10 * stride + 4], 0x000000);
    char text[16];
    assert_int_equal(vga_text(&t->v, text, sizeof text), 0); /* not a text mode */
    mode12(t);
    dac_set(t, 0x3C, 0x00, 0x3F, 0x00); /* colour 12 -> palette 0x3C */
    gc(t, 5, 0x02);                      /* write mode 2 */
    gc(t, 8, 0x40);                      /* pixel 1 of the byte */
    rd(t, WIN + 80 * 479 + 79);
    wr(t, WIN + 80 * 479 + 79, 12);
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(w, 640);
    assert_int_equal(h, 480);
    assert_int_equal(fb[479 * stride + 633], 0x00FF00);
    assert_int_equal(fb[479 * stride + 632], 0x000000);
}

/* The split screen: below the line compare the picture starts again at address 0, and
 * pixel panning stops there when the attribute mode control asks for it. */
static void test_line_compare_and_panning(void **state)
{
    struct t *t = *state;
    mode13(t);
    dac_set(t, 0x42, 0x3F, 0x00, 0x00);
    dac_set(t, 0x43, 0x00, 0x3F, 0x00);
    wr(t, WIN + 320 * 50 + 5, 0x42);
    wr(t, WIN + 5, 0x43);
    crtc(t, 0x0C, 4000 >> 8); /* start at row 50 (80 counter units a row) */
    crtc(t, 0x0D, 4000 & 0xFF);
    crtc(t, 0x18, 199);       /* split after 200 of the 400 scan lines: rows 0-99 */
    crtc(t, 0x07, 0x0F);      /* line compare bit 8 clear */
    crtc(t, 0x09, 0x01);      /* bit 9 clear; still two scan lines a row */
    unsigned w, h, stride;
    const uint32_t *fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[5], 0xFF0000);
    assert_int_equal(fb[99 * stride + 5], 0x000000);
    assert_int_equal(fb[100 * stride + 5], 0x00FF00);
    inb(&t->r, 0x3DA);
    outb(&t->r, 0x3C0, 0x33);
    outb(&t->r, 0x3C0, 0x02); /* two dots: one 256-colour pixel */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[4], 0xFF0000);
    assert_int_equal(fb[100 * stride + 4], 0x00FF00);
    outb(&t->r, 0x3C0, 0x30);
    outb(&t->r, 0x3C0, 0x41 | 0x20); /* pixel panning mode: the split part stays put */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[4], 0xFF0000);
    assert_int_equal(fb[100 * stride + 5], 0x00FF00);
}

/* BIOS modes 4 and 6 as a CGA lays them out at 0xB8000: even lines from 0, odd lines from
 * 0x2000 (the row scan counter in address bit 13), 2 bits a pixel in mode 4. */
static void test_cga_modes(void **state)
{
    struct t *t = *state;
    mode4(t);
    dac_set(t, 0x17, 0x3F, 0x3F, 0x3F); /* colour 3 */
    dac_set(t, 0x13, 0x00, 0x3F, 0x3F); /* colour 1 */
    wr(t, 0xB8000, 0xC0);               /* (0, 0): colour 3 */
    wr(t, 0xB8000 + 0x2000 + 1, 0x04);  /* (6, 1): colour 1 */
    wr(t, 0xB8000 + 80, 0x03);          /* (3, 2) */
    unsigned w, h, stride;
    const uint32_t *fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(w, 320);
    assert_int_equal(h, 200);
    assert_int_equal(fb[0], 0xFFFFFF);
    assert_int_equal(fb[1], 0x000000);
    assert_int_equal(fb[stride + 6], 0x00FFFF);
    assert_int_equal(fb[stride + 5], 0x000000);
    assert_int_equal(fb[2 * stride + 3], 0xFFFFFF);
    mode6(t);
    wr(t, 0xB8000 + 0x2000 + 1, 0x01); /* (15, 1) */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(w, 640);
    assert_int_equal(h, 200);
    assert_int_equal(fb[stride + 15], 0xFFFFFF);
    assert_int_equal(fb[15], 0x000000);
}

static void test_vbe_render(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x3C0, 0x20);
    vbe(t, VBE_XRES, 64);
    vbe(t, VBE_YRES, 48);
    vbe(t, VBE_BPP, 32);
    vbe(t, VBE_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
    t->v.vram[(64 * 2 + 3) * 4 + 0] = 0x33; /* blue, green, red */
    t->v.vram[(64 * 2 + 3) * 4 + 1] = 0x22;
    t->v.vram[(64 * 2 + 3) * 4 + 2] = 0x11;
    unsigned w, h, stride;
    const uint32_t *fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(w, 64);
    assert_int_equal(h, 48);
    assert_int_equal(fb[2 * stride + 3], 0x112233);
    vbe(t, VBE_Y_OFFSET, 2); /* scrolled: that row is now the first */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[3], 0x112233);
    vbe(t, VBE_Y_OFFSET, 0xFFFF); /* past the VRAM: black, no read outside it */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[47 * stride + 63], 0);
    vbe(t, VBE_ENABLE, 0);
    vbe(t, VBE_BPP, 16);
    vbe(t, VBE_ENABLE, VBE_ENABLED | VBE_NOCLEARMEM);
    t->v.vram[0] = 0x00;
    t->v.vram[1] = 0xF8; /* 5:6:5 red */
    fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(fb[0], 0xFF0000);
}

/* VBE's 4-bit planar modes: the bank moves the planes' window, the picture reads the
 * planes linearly past 64 KiB whatever the CRTC's address mode. */
static void test_vbe_planar(void **state)
{
    struct t *t = *state;
    mode12(t); /* the planar VGA set-up SeaVGABIOS starts 4-bit VBE modes from */
    crtc(t, 0x17, 0xA3 & ~0x40); /* word mode: must not matter */
    dac_set(t, 0x14, 0x3F, 0x3F, 0x00); /* colour 6 -> palette 0x14 */
    vbe(t, VBE_XRES, 800);
    vbe(t, VBE_YRES, 700);
    vbe(t, VBE_BPP, 4);
    vbe(t, VBE_ENABLE, VBE_ENABLED);
    assert_int_equal(vbe_get(t, VBE_VIRT_WIDTH), 800);
    gc(t, 6, 0x04);
    gc(t, 5, 0x02); /* write mode 2 */
    gc(t, 8, 0x80); /* the first pixel of the byte */
    vbe(t, VBE_BANK, 1);
    /* plane address 0x10002 = 65538: line 655 (100 bytes a line), pixel 38 * 8 = 304 */
    rd(t, WIN + 2);
    wr(t, WIN + 2, 6);
    assert_int_equal(t->v.vram[4 * 0x10002 + 1], 0x80);
    unsigned w, h, stride;
    const uint32_t *fb = vga_render(&t->v, 0, &w, &h, &stride);
    assert_int_equal(w, 800);
    assert_int_equal(h, 700);
    assert_int_equal(fb[(size_t)655 * stride + 304], 0xFFFF00);
    assert_int_equal(fb[(size_t)655 * stride + 305], 0x000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_text_mode_render_and_readback, vga_setup,
                                        vga_teardown),
        cmocka_unit_test_setup_teardown(test_mode13_and_planar_render, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_line_compare_and_panning, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_cga_modes, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_vbe_render, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_vbe_planar, vga_setup, vga_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

