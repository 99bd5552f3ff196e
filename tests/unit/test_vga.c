/* The VGA (devices/vga.h) through what a guest has: PCI configuration cycles, the ports
 * 0x3B0-0x3DF and 0x1CE/0x1CF, the window at 0xA0000 and the BARs in physical memory; and
 * the picture a frontend asks for. Register values of BIOS modes 3, 12h and 13h are the
 * IBM VGA reference's tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/pci.h"
#include "devices/vga.h"
#include "devrig.h"

#define SLOT 2
#define LFB 0xE0000000u
#define ROM_AT 0xFEB00000u
#define WIN 0xA0000u

struct t {
    struct devrig r;
    struct physmem mem;
    struct pci_bus bus;
    struct vga v;
    uint8_t rom[0x9000]; /* 36 KiB: the ROM BAR offers 64 KiB */
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    rig_init(&t->r);
    assert_int_equal(physmem_init(&t->mem), 0);
    assert_non_null(physmem_add_ram(&t->mem, 0, 0xA0000));
    assert_int_equal(pci_bus_init(&t->bus, &t->r.io), 0);
    t->rom[0] = 0x55;
    t->rom[1] = 0xAA;
    t->rom[sizeof t->rom - 1] = 0x77;
    assert_int_equal(vga_init(&t->v, &t->r.io, &t->mem, &t->r.sched, &t->bus, SLOT, t->rom,
                              sizeof t->rom), 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    vga_free(&t->v);
    physmem_free(&t->mem);
    rig_free(&t->r);
    free(t);
    return 0;
}

static uint32_t cfg_read(struct t *t, unsigned reg)
{
    outl(&t->r, 0xCF8, 0x80000000u | SLOT << 11 | reg);
    return inl(&t->r, 0xCFC);
}

static void cfg_write(struct t *t, unsigned reg, uint32_t v)
{
    outl(&t->r, 0xCF8, 0x80000000u | SLOT << 11 | reg);
    outl(&t->r, 0xCFC, v);
}

static uint8_t rd(struct t *t, uint32_t a)
{
    return (uint8_t)physmem_read(&t->mem, a, 1);
}

static void wr(struct t *t, uint32_t a, uint8_t v)
{
    physmem_write(&t->mem, a, 1, v);
}

static void seq(struct t *t, uint8_t i, uint8_t v) { outb(&t->r, 0x3C4, i); outb(&t->r, 0x3C5, v); }
static void gc(struct t *t, uint8_t i, uint8_t v) { outb(&t->r, 0x3CE, i); outb(&t->r, 0x3CF, v); }
static void crtc(struct t *t, uint8_t i, uint8_t v) { outb(&t->r, 0x3D4, i); outb(&t->r, 0x3D5, v); }
static void vbe(struct t *t, uint16_t i, uint16_t v)
{
    iobus_out(&t->r.io, VBE_PORT_INDEX, 2, i);
    iobus_out(&t->r.io, VBE_PORT_DATA, 2, v);
}
static uint16_t vbe_get(struct t *t, uint16_t i)
{
    iobus_out(&t->r.io, VBE_PORT_INDEX, 2, i);
    return (uint16_t)iobus_in(&t->r.io, VBE_PORT_DATA, 2);
}

static void load_mode(struct t *t, uint8_t misc, const uint8_t *s, const uint8_t *c,
                      const uint8_t *g, const uint8_t *a)
{
    outb(&t->r, 0x3C2, misc);
    for (unsigned i = 0; i < 5; i++)
        seq(t, (uint8_t)i, s[i]);
    crtc(t, 0x11, 0); /* unprotect */
    for (unsigned i = 0; i < 25; i++)
        crtc(t, (uint8_t)i, c[i]);
    for (unsigned i = 0; i < 9; i++)
        gc(t, (uint8_t)i, g[i]);
    inb(&t->r, 0x3DA);
    for (unsigned i = 0; i < 21; i++) {
        outb(&t->r, 0x3C0, (uint8_t)i);
        outb(&t->r, 0x3C0, a[i]);
    }
    outb(&t->r, 0x3C0, 0x20); /* PAS: the display owns the palette again */
}

static void mode3(struct t *t)
{
    static const uint8_t s[] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
    static const uint8_t c[] = { 0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00,
                                 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E,
                                 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF };
    static const uint8_t g[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF };
    static const uint8_t a[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39,
                                 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08,
                                 0x00 };
    load_mode(t, 0x67, s, c, g, a);
}

static void mode13(struct t *t)
{
    static const uint8_t s[] = { 0x03, 0x01, 0x0F, 0x00, 0x0E };
    static const uint8_t c[] = { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00,
                                 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x0E,
                                 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF };
    static const uint8_t g[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF };
    static const uint8_t a[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
                                 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x41, 0x00, 0x0F, 0x00,
                                 0x00 };
    load_mode(t, 0x63, s, c, g, a);
}

static void mode12(struct t *t)
{
    static const uint8_t s[] = { 0x03, 0x01, 0x0F, 0x00, 0x06 };
    static const uint8_t c[] = { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00,
                                 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xEA, 0x8C,
                                 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF };
    static const uint8_t g[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF };
    static const uint8_t a[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39,
                                 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x01, 0x00, 0x0F, 0x00,
                                 0x00 };
    load_mode(t, 0xE3, s, c, g, a);
}

static void mode4(struct t *t)
{
    static const uint8_t s[] = { 0x03, 0x09, 0x03, 0x00, 0x02 };
    static const uint8_t c[] = { 0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00,
                                 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E,
                                 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF };
    static const uint8_t g[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x00, 0xFF };
    static const uint8_t a[] = { 0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11,
                                 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x01, 0x00, 0x03, 0x00,
                                 0x00 };
    load_mode(t, 0x63, s, c, g, a);
}

static void mode6(struct t *t)
{
    static const uint8_t s[] = { 0x03, 0x01, 0x01, 0x00, 0x06 };
    static const uint8_t c[] = { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00,
                                 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E,
                                 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xC2, 0xFF };
    static const uint8_t g[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0xFF };
    static const uint8_t a[] = { 0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
                                 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x01, 0x00, 0x01, 0x00,
                                 0x00 };
    load_mode(t, 0x63, s, c, g, a);
}

static void dac_set(struct t *t, uint8_t i, uint8_t r, uint8_t g, uint8_t b)
{
    outb(&t->r, 0x3C8, i);
    outb(&t->r, 0x3C9, r);
    outb(&t->r, 0x3C9, g);
    outb(&t->r, 0x3C9, b);
}

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
        cmocka_unit_test_setup_teardown(test_pci_identity_and_bars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attribute_flipflop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crtc_follows_misc_and_protect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dac_autoincrement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retrace_follows_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ram_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_map_select, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_mode0_planes_setreset_bitmask_alu, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_write_modes_1_2_3_and_read_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain4_and_odd_even, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vbe_registers_and_bank, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_mode_render_and_readback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode13_and_planar_render, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_compare_and_panning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cga_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vbe_render, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vbe_planar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
