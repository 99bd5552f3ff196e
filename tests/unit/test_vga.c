/* The VGA (devices/vga.h) through what a guest has: PCI configuration cycles, the ports
 * 0x3B0-0x3DF and 0x1CE/0x1CF, the window at 0xA0000 and the BARs in physical memory.
 * The pictures are test_vga_render.c's. */
#include "vga_rig.h"

/* ---- PCI ---- */

static void test_pci_identity_and_bars(void **state)
{
    struct t *t = *state;
    assert_int_equal(cfg_read(t, 0x00), 0x11111234u);
    assert_int_equal(cfg_read(t, 0x08) >> 8, 0x030000u);
    cfg_write(t, 0x10, 0xFFFFFFFFu);
    assert_int_equal(cfg_read(t, 0x10), 0xFF000008u); /* 16 MiB, prefetchable */
    cfg_write(t, 0x30, 0xFFFFFFFEu);
    assert_int_equal(cfg_read(t, 0x30), 0xFFFF0000u); /* 64 KiB of ROM */
    assert_int_equal(cfg_read(t, 0x14), 0);           /* no other BARs */
    assert_int_equal(cfg_read(t, 0x18), 0);
    cfg_write(t, 0x10, LFB);
    cfg_write(t, 0x30, ROM_AT);
    assert_int_equal(rd(t, LFB), 0xFF); /* memory space still disabled */
    cfg_write(t, 0x04, 0x0003);
    t->v.vram[0x123456] = 0x42;
    assert_int_equal(rd(t, LFB + 0x123456), 0x42);
    wr(t, LFB + 0xFFFFFF, 0x99);
    assert_int_equal(t->v.vram[0xFFFFFF], 0x99);
    assert_int_equal(rd(t, ROM_AT), 0xFF); /* the ROM shows only when enabled */
    cfg_write(t, 0x30, ROM_AT | 1);
    assert_int_equal(rd(t, ROM_AT), 0x55);
    assert_int_equal(rd(t, ROM_AT + 1), 0xAA);
    assert_int_equal(rd(t, ROM_AT + sizeof t->rom - 1), 0x77);
    wr(t, ROM_AT, 0); /* read only */
    assert_int_equal(rd(t, ROM_AT), 0x55);
    cfg_write(t, 0x10, 0xD0000000u); /* moved */
    assert_int_equal(rd(t, LFB + 0x123456), 0xFF);
    assert_int_equal(rd(t, 0xD0123456u), 0x42);
    cfg_write(t, 0x04, 0);
    assert_int_equal(rd(t, 0xD0123456u), 0xFF);
    assert_int_equal(rd(t, ROM_AT), 0xFF);
    /* BAR0 moved over the ROM: the framebuffer wins and hides the ROM; the ROM moved off
     * shows again, BAR0 still in place */
    cfg_write(t, 0x04, 0x0003);
    cfg_write(t, 0x30, ROM_AT | 1);
    cfg_write(t, 0x10, 0xFE000000u);
    assert_int_equal(rd(t, 0xFE123456u), 0x42);
    assert_int_equal(rd(t, ROM_AT), t->v.vram[ROM_AT - 0xFE000000u]);
    cfg_write(t, 0x30, 0xFD000000u | 1);
    assert_int_equal(rd(t, 0xFD000000u), 0x55);
    assert_int_equal(rd(t, 0xFE123456u), 0x42);
}

/* ---- Registers ---- */

static void test_attribute_flipflop(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x3C2, 0x01); /* input status 1 at 0x3DA */
    inb(&t->r, 0x3DA);
    outb(&t->r, 0x3C0, 0x05);
    outb(&t->r, 0x3C0, 0x2A);
    outb(&t->r, 0x3C0, 0x25); /* an index again, with PAS */
    assert_int_equal(inb(&t->r, 0x3C0), 0x25);
    assert_int_equal(inb(&t->r, 0x3C1), 0x2A);
    outb(&t->r, 0x3C0, 0x11); /* data now: register 5 */
    assert_int_equal(inb(&t->r, 0x3C1), 0x11);
    outb(&t->r, 0x3C0, 0x06); /* an index */
    inb(&t->r, 0x3DA);        /* input status 1 resets the flip-flop: next is an index */
    outb(&t->r, 0x3C0, 0x07);
    outb(&t->r, 0x3C0, 0x3C);
    outb(&t->r, 0x3C0, 0x07);
    assert_int_equal(inb(&t->r, 0x3C1), 0x3C);
    outb(&t->r, 0x3C0, 0x1F); /* no such register: reads 0, writes lost */
    outb(&t->r, 0x3C0, 0x55);
    assert_int_equal(inb(&t->r, 0x3C1), 0x00);
}

static void test_crtc_follows_misc_and_protect(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x3C2, 0x00); /* monochrome addresses */
    outb(&t->r, 0x3B4, 0x0C);
    outb(&t->r, 0x3B5, 0x12);
    assert_int_equal(inb(&t->r, 0x3B5), 0x12);
    assert_int_equal(inb(&t->r, 0x3D5), 0xFF); /* the colour block is off */
    outb(&t->r, 0x3C2, 0x01);
    assert_int_equal(inb(&t->r, 0x3CC), 0x01);
    outb(&t->r, 0x3D4, 0x0C);
    assert_int_equal(inb(&t->r, 0x3D5), 0x12);
    assert_int_equal(inb(&t->r, 0x3B5), 0xFF);
    crtc(t, 0x11, 0x80); /* protect 0-7 */
    crtc(t, 0x01, 0x33);
    outb(&t->r, 0x3D4, 0x01);
    assert_int_equal(inb(&t->r, 0x3D5), 0x00);
    crtc(t, 0x07, 0xFF); /* only the line compare bit gets through */
    outb(&t->r, 0x3D4, 0x07);
    assert_int_equal(inb(&t->r, 0x3D5), 0x10);
    outb(&t->r, 0x3D4, 0x40); /* beyond the CRTC */
    outb(&t->r, 0x3D5, 0x12);
    assert_int_equal(inb(&t->r, 0x3D5), 0xFF);
}

static void test_dac_autoincrement(void **state)
{
    struct t *t = *state;
    dac_set(t, 0xFF, 0x3F, 0x7F, 0x01); /* 6 bits: 0x7F keeps 0x3F */
    dac_set(t, 0x00, 0x01, 0x02, 0x03);  /* wrapped to 0 */
    outb(&t->r, 0x3C7, 0xFF);
    assert_int_equal(inb(&t->r, 0x3C7), 0x03);
    assert_int_equal(inb(&t->r, 0x3C9), 0x3F);
    assert_int_equal(inb(&t->r, 0x3C9), 0x3F);
    assert_int_equal(inb(&t->r, 0x3C9), 0x01);
    assert_int_equal(inb(&t->r, 0x3C9), 0x01); /* entry 0 */
    assert_int_equal(inb(&t->r, 0x3C9), 0x02);
    outb(&t->r, 0x3C8, 0x10);
    assert_int_equal(inb(&t->r, 0x3C8), 0x10);
    assert_int_equal(inb(&t->r, 0x3C7), 0x00);
}

static void test_retrace_follows_time(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x3C2, 0x01);
    assert_int_equal(inb(&t->r, 0x3DA) & 0x09, 0x00); /* time 0: top of the display */
    rig_advance(&t->r, 31778ull * 412 + 100);
    assert_int_equal(inb(&t->r, 0x3DA) & 0x09, 0x09); /* in vertical retrace */
    rig_advance(&t->r, 31778ull * 2);
    assert_int_equal(inb(&t->r, 0x3DA) & 0x09, 0x01); /* blanking, retrace over */
    rig_advance(&t->r, 31778ull * 35 + 1000);           /* the next frame's first line */
    assert_int_equal(inb(&t->r, 0x3DA) & 0x09, 0x00);
    rig_advance(&t->r, 26000);                           /* its horizontal blanking */
    assert_int_equal(inb(&t->r, 0x3DA) & 0x09, 0x01);
}

/* ---- Memory ---- */

/* Miscellaneous output bit 1 clear (as at power-on): the CPU does not reach the planes. */
static void test_ram_enable(void **state)
{
    struct t *t = *state;
    seq(t, 2, 0x0F);
    seq(t, 4, 0x06);
    gc(t, 8, 0xFF);
    wr(t, WIN + 7, 0x42);
    assert_int_equal(t->v.vram[4 * 7], 0);
    t->v.vram[4 * 7] = 0x24;
    assert_int_equal(rd(t, WIN + 7), 0xFF);
    outb(&t->r, 0x3C2, 0x02);
    assert_int_equal(rd(t, WIN + 7), 0x24);
    wr(t, WIN + 7, 0x42);
    assert_int_equal(t->v.vram[4 * 7], 0x42);
}

static void test_memory_map_select(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x3C2, 0x03); /* RAM enable, colour addresses */
    seq(t, 2, 0x0F);
    seq(t, 4, 0x06); /* sequential, no chain-4 */
    gc(t, 8, 0xFF);
    gc(t, 6, 0x0C); /* 0xB8000, 32 KiB */
    wr(t, 0xB8010, 0x5A);
    assert_int_equal(rd(t, 0xB8010), 0x5A);
    assert_int_equal(rd(t, 0xA0010), 0xFF);
    wr(t, 0xA0010, 0x11); /* lost */
    gc(t, 6, 0x04);       /* 0xA0000, 64 KiB: the same plane byte */
    assert_int_equal(rd(t, 0xA0010), 0x5A);
    assert_int_equal(rd(t, 0xB8010), 0xFF);
    gc(t, 6, 0x08); /* 0xB0000, 32 KiB */
    assert_int_equal(rd(t, 0xB0010), 0x5A);
    gc(t, 6, 0x00); /* 128 KiB: 0xB0010 is plane address 0x10010 & 0xFFFF */
    assert_int_equal(rd(t, 0xB0010), 0x5A);
}

static void test_write_mode0_planes_setreset_bitmask_alu(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x3C2, 0x03); /* RAM enable, colour addresses */
    seq(t, 4, 0x06);
    gc(t, 6, 0x04);
    gc(t, 8, 0xFF);
    seq(t, 2, 0x05); /* planes 0 and 2 */
    wr(t, WIN + 1, 0xA5);
    uint8_t *p = t->v.vram + 4;
    assert_int_equal(p[0], 0xA5);
    assert_int_equal(p[1], 0x00);
    assert_int_equal(p[2], 0xA5);
    assert_int_equal(p[3], 0x00);
    seq(t, 2, 0x0F);
    gc(t, 0, 0x02); /* set/reset: plane 1 ones, the rest zeros */
    gc(t, 1, 0x03); /* enabled for planes 0 and 1 */
    gc(t, 8, 0x0F); /* only the low nibble */
    rd(t, WIN + 1);  /* latches: A5 00 A5 00 */
    wr(t, WIN + 1, 0x3C);
    assert_int_equal(p[0], 0xA0); /* set/reset 0 in the low nibble, latch above */
    assert_int_equal(p[1], 0x0F);
    assert_int_equal(p[2], 0xAC); /* the data byte in the low nibble */
    assert_int_equal(p[3], 0x0C);
    gc(t, 1, 0x00);
    gc(t, 8, 0xFF);
    gc(t, 3, 0x18 | 4); /* XOR, rotate right by 4 */
    rd(t, WIN + 1);
    wr(t, WIN + 1, 0xF0); /* rotated: 0x0F */
    assert_int_equal(p[0], 0xAF);
    assert_int_equal(p[1], 0x00);
    gc(t, 3, 0x08); /* AND */
    rd(t, WIN + 1);
    wr(t, WIN + 1, 0x0F);
    assert_int_equal(p[0], 0x0F);
    gc(t, 3, 0x10); /* OR */
    rd(t, WIN + 1);
    wr(t, WIN + 1, 0x30);
    assert_int_equal(p[0], 0x3F);
}

static void test_write_modes_1_2_3_and_read_modes(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x3C2, 0x03); /* RAM enable, colour addresses */
    seq(t, 4, 0x06);
    seq(t, 2, 0x0F);
    gc(t, 6, 0x04);
    gc(t, 8, 0xFF);
    gc(t, 5, 0x02); /* write mode 2: colour 0b0101 */
    wr(t, WIN + 8, 0x05);
    uint8_t *p = t->v.vram + 4 * 8;
    assert_int_equal(p[0], 0xFF);
    assert_int_equal(p[1], 0x00);
    assert_int_equal(p[2], 0xFF);
    assert_int_equal(p[3], 0x00);
    gc(t, 5, 0x01); /* write mode 1: latches copied */
    rd(t, WIN + 8);
    wr(t, WIN + 9, 0x00);
    assert_memory_equal(t->v.vram + 4 * 9, p, 4);
    gc(t, 5, 0x03); /* write mode 3: set/reset through rotated data AND bit mask */
    gc(t, 0, 0x0A);
    gc(t, 8, 0xF0);
    rd(t, WIN + 8);
    wr(t, WIN + 8, 0x3C); /* effective mask 0x30 */
    assert_int_equal(p[0], 0xCF);
    assert_int_equal(p[1], 0x30);
    assert_int_equal(p[2], 0xCF);
    assert_int_equal(p[3], 0x30);
    gc(t, 5, 0x00);
    gc(t, 4, 0x01); /* read mode 0 from plane 1 */
    assert_int_equal(rd(t, WIN + 8), 0x30);
    gc(t, 5, 0x08); /* read mode 1: pixels of colour 0b0101 */
    gc(t, 2, 0x05);
    gc(t, 7, 0x0F);
    assert_int_equal(rd(t, WIN + 8), 0xCF);
    gc(t, 7, 0x00); /* nothing cared for: all match */
    assert_int_equal(rd(t, WIN + 8), 0xFF);
}

static void test_chain4_and_odd_even(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x3C2, 0x03); /* RAM enable, colour addresses */
    seq(t, 2, 0x0F);
    seq(t, 4, 0x0E); /* chain-4 */
    gc(t, 6, 0x04);
    gc(t, 8, 0xFF);
    for (unsigned i = 0; i < 8; i++)
        wr(t, WIN + 0x100 + i, (uint8_t)(0x10 + i));
    /* address bits 1-0 pick the plane; the address keeps them cleared */
    assert_int_equal(t->v.vram[4 * 0x100 + 0], 0x10);
    assert_int_equal(t->v.vram[4 * 0x100 + 3], 0x13);
    assert_int_equal(t->v.vram[4 * 0x104 + 1], 0x15);
    assert_int_equal(rd(t, WIN + 0x106), 0x16);
    seq(t, 4, 0x02); /* odd/even writes */
    gc(t, 5, 0x10);  /* odd/even reads */
    gc(t, 6, 0x0C);
    wr(t, 0xB8000, 'A');
    wr(t, 0xB8001, 0x1F);
    assert_int_equal(t->v.vram[0], 'A');    /* plane 0 */
    assert_int_equal(t->v.vram[1], 0x1F);   /* plane 1 */
    assert_int_equal(t->v.vram[2], 'A');    /* plane 2 too: map mask 0x0F */
    assert_int_equal(rd(t, 0xB8001), 0x1F);
    seq(t, 2, 0x03);
    wr(t, 0xB8002, 'B');
    assert_int_equal(t->v.vram[8], 'B');
    assert_int_equal(t->v.vram[10], 0);
}

/* ---- VBE ---- */

static void test_vbe_registers_and_bank(void **state)
{
    struct t *t = *state;
    vbe(t, VBE_ID, VBE_ID0);
    assert_int_equal(vbe_get(t, VBE_ID), VBE_ID0);
    vbe(t, VBE_ID, 0x1234); /* not an ID: ignored */
    assert_int_equal(vbe_get(t, VBE_ID), VBE_ID0);
    vbe(t, VBE_ID, VBE_ID5);
    assert_int_equal(vbe_get(t, VBE_VIDEO_MEMORY_64K), 256);
    vbe(t, VBE_ENABLE, VBE_GETCAPS);
    assert_int_equal(vbe_get(t, VBE_XRES), VBE_MAX_XRES);
    assert_int_equal(vbe_get(t, VBE_BPP), 32);
    vbe(t, VBE_ENABLE, 0);
    vbe(t, VBE_XRES, 800);
    vbe(t, VBE_YRES, 600);
    vbe(t, VBE_BPP, 17); /* not a depth: ignored */
    assert_int_equal(vbe_get(t, VBE_BPP), 8);
    vbe(t, VBE_BPP, 32);
    t->v.vram[0] = 0xEE;
    vbe(t, VBE_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
    assert_int_equal(t->v.vram[0], 0); /* cleared */
    assert_int_equal(vbe_get(t, VBE_VIRT_WIDTH), 800);
    assert_int_equal(vbe_get(t, VBE_VIRT_HEIGHT), VGA_VRAM_SIZE / 3200);
    vbe(t, VBE_XRES, 1024); /* ignored while enabled */
    assert_int_equal(vbe_get(t, VBE_XRES), 800);
    gc(t, 6, 0x04);
    vbe(t, VBE_BANK, 3);
    wr(t, WIN + 0x10, 0x77);
    assert_int_equal(t->v.vram[3 * 0x10000 + 0x10], 0x77);
    vbe(t, VBE_BANK, 0xFFFF); /* masked to the VRAM */
    assert_int_equal(vbe_get(t, VBE_BANK), 255);
    vbe(t, 0x4321, 5); /* no such register */
    assert_int_equal(vbe_get(t, 0x4321), 0);
}

static void test_state_round_trip(void **state)
{
    struct t *t = *state;
    mode3(t);
    dac_set(t, 7, 1, 2, 3);
    uint8_t buf[4096];
    size_t n = savestate_save(&vga_savestate, &t->v.s, buf, sizeof buf);
    assert_true(n > 0);
    struct vga_state copy;
    memset(&copy, 0, sizeof copy);
    assert_int_equal(savestate_load(&vga_savestate, &copy, buf, n), 0);
    assert_memory_equal(&copy, &t->v.s, sizeof copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pci_identity_and_bars, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_attribute_flipflop, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_crtc_follows_misc_and_protect, vga_setup,
                                        vga_teardown),
        cmocka_unit_test_setup_teardown(test_dac_autoincrement, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_retrace_follows_time, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_ram_enable, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_memory_map_select, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_write_mode0_planes_setreset_bitmask_alu, vga_setup,
                                        vga_teardown),
        cmocka_unit_test_setup_teardown(test_write_modes_1_2_3_and_read_modes, vga_setup,
                                        vga_teardown),
        cmocka_unit_test_setup_teardown(test_chain4_and_odd_even, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_vbe_registers_and_bank, vga_setup, vga_teardown),
        cmocka_unit_test_setup_teardown(test_state_round_trip, vga_setup, vga_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

