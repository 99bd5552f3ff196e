/* What the VGA's unit tests share (test_vga.c: registers, memory, VBE; test_vga_render.c:
 * pictures): a bus with PCI configuration mechanism #1, physmem with low RAM, the VGA at
 * 00:02.0 with a 36 KiB ROM, and helpers that talk to it as a guest does. Register
 * values of BIOS modes 3, 4, 6, 12h and 13h are the IBM VGA reference's tables. */
#ifndef ORRERY_TESTS_VGA_RIG_H
#define ORRERY_TESTS_VGA_RIG_H

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

static inline int vga_setup(void **state)
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

static inline int vga_teardown(void **state)
{
    struct t *t = *state;
    vga_free(&t->v);
    physmem_free(&t->mem);
    rig_free(&t->r);
    free(t);
    return 0;
}

static inline uint32_t cfg_read(struct t *t, unsigned reg)
{
    outl(&t->r, 0xCF8, 0x80000000u | SLOT << 11 | reg);
    return inl(&t->r, 0xCFC);
}

static inline void cfg_write(struct t *t, unsigned reg, uint32_t v)
{
    outl(&t->r, 0xCF8, 0x80000000u | SLOT << 11 | reg);
    outl(&t->r, 0xCFC, v);
}

static inline uint8_t rd(struct t *t, uint32_t a)
{
    return (uint8_t)physmem_read(&t->mem, a, 1);
}

static inline void wr(struct t *t, uint32_t a, uint8_t v)
{
    physmem_write(&t->mem, a, 1, v);
}

static inline void seq(struct t *t, uint8_t i, uint8_t v)
{
    outb(&t->r, 0x3C4, i);
    outb(&t->r, 0x3C5, v);
}

static inline void gc(struct t *t, uint8_t i, uint8_t v)
{
    outb(&t->r, 0x3CE, i);
    outb(&t->r, 0x3CF, v);
}

static inline void crtc(struct t *t, uint8_t i, uint8_t v)
{
    outb(&t->r, 0x3D4, i);
    outb(&t->r, 0x3D5, v);
}

static inline void vbe(struct t *t, uint16_t i, uint16_t v)
{
    iobus_out(&t->r.io, VBE_PORT_INDEX, 2, i);
    iobus_out(&t->r.io, VBE_PORT_DATA, 2, v);
}
static inline uint16_t vbe_get(struct t *t, uint16_t i)
{
    iobus_out(&t->r.io, VBE_PORT_INDEX, 2, i);
    return (uint16_t)iobus_in(&t->r.io, VBE_PORT_DATA, 2);
}

/* A mode's registers as the BIOS programs them: Miscellaneous Output, Sequencer 0-4,
 * CRTC 0-24, Graphics Controller 0-8, Attribute Controller 0-20. */
struct vga_mode_regs {
    uint8_t misc, s[5], c[25], g[9], a[21];
};

static inline void load_mode(struct t *t, const struct vga_mode_regs *m)
{
    outb(&t->r, 0x3C2, m->misc);
    for (unsigned i = 0; i < 5; i++)
        seq(t, (uint8_t)i, m->s[i]);
    crtc(t, 0x11, 0); /* unprotect */
    for (unsigned i = 0; i < 25; i++)
        crtc(t, (uint8_t)i, m->c[i]);
    for (unsigned i = 0; i < 9; i++)
        gc(t, (uint8_t)i, m->g[i]);
    inb(&t->r, 0x3DA);
    for (unsigned i = 0; i < 21; i++) {
        outb(&t->r, 0x3C0, (uint8_t)i);
        outb(&t->r, 0x3C0, m->a[i]);
    }
    outb(&t->r, 0x3C0, 0x20); /* PAS: the display owns the palette again */
}

static inline void mode3(struct t *t)
{
    static const struct vga_mode_regs m = {
        .misc = 0x67,
        .s = { 0x03, 0x00, 0x03, 0x00, 0x02 },
        .c = {
            0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00,
            0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF },
        .g = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF },
        .a = {
            0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D,
            0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00 },
    };
    load_mode(t, &m);
}

static inline void mode13(struct t *t)
{
    static const struct vga_mode_regs m = {
        .misc = 0x63,
        .s = { 0x03, 0x01, 0x0F, 0x00, 0x0E },
        .c = {
            0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x9C, 0x0E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF },
        .g = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF },
        .a = {
            0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D,
            0x0E, 0x0F, 0x41, 0x00, 0x0F, 0x00, 0x00 },
    };
    load_mode(t, &m);
}

static inline void mode12(struct t *t)
{
    static const struct vga_mode_regs m = {
        .misc = 0xE3,
        .s = { 0x03, 0x01, 0x0F, 0x00, 0x06 },
        .c = {
            0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF },
        .g = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF },
        .a = {
            0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D,
            0x3E, 0x3F, 0x01, 0x00, 0x0F, 0x00, 0x00 },
    };
    load_mode(t, &m);
}

static inline void mode4(struct t *t)
{
    static const struct vga_mode_regs m = {
        .misc = 0x63,
        .s = { 0x03, 0x09, 0x03, 0x00, 0x02 },
        .c = {
            0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF },
        .g = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x00, 0xFF },
        .a = {
            0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
            0x16, 0x17, 0x01, 0x00, 0x03, 0x00, 0x00 },
    };
    load_mode(t, &m);
}

static inline void mode6(struct t *t)
{
    static const struct vga_mode_regs m = {
        .misc = 0x63,
        .s = { 0x03, 0x01, 0x01, 0x00, 0x06 },
        .c = {
            0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xC2, 0xFF },
        .g = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0xFF },
        .a = {
            0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
            0x17, 0x17, 0x01, 0x00, 0x01, 0x00, 0x00 },
    };
    load_mode(t, &m);
}

static inline void dac_set(struct t *t, uint8_t i, uint8_t r, uint8_t g, uint8_t b)
{
    outb(&t->r, 0x3C8, i);
    outb(&t->r, 0x3C9, r);
    outb(&t->r, 0x3C9, g);
    outb(&t->r, 0x3C9, b);
}

#endif
