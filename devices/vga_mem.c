/* The VGA's memory window at 0xA0000-0xBFFFF (devices/vga.h), as the IBM VGA reference and
 * FreeVGA describe the graphics controller and sequencer:
 *
 * - the miscellaneous output register's bit 1 (RAM enable) lets the CPU reach the planes
 *   at all; clear, as at power-on, the window reads all ones and ignores writes;
 * - graphics controller register 6 bits 3-2 map the window: 128 KiB at 0xA0000, 64 KiB at
 *   0xA0000, 32 KiB at 0xB0000 or 32 KiB at 0xB8000; outside it reads are all ones and
 *   writes are lost;
 * - addressing: chain-4 (sequencer 4 bit 3) picks the plane from address bits 1-0 and
 *   keeps the rest of the address; odd/even (sequencer 4 bit 2 clear for writes, graphics
 *   controller 5 bit 4 for reads) picks planes 0/2 for even and 1/3 for odd addresses,
 *   with address bit 0 dropped; otherwise writes go to the planes of the map mask
 *   (sequencer 2) and reads come from the read map select (graphics controller 4);
 * - a read loads the four latches; read mode 0 returns the selected plane, read mode 1
 *   the colour compare (registers 2 and 7);
 * - write mode 0 rotates the byte (register 3), substitutes set/reset (0, 1) where
 *   enabled, combines with the latch (AND, OR, XOR), and masks with the bit mask
 *   (register 8); mode 1 writes the latches; mode 2 spreads the byte's bits 3-0 over the
 *   planes; mode 3 writes set/reset through the rotated byte ANDed with the bit mask.
 *
 * With VBE enabled (whatever RAM enable says) the window is a 64 KiB bank of VRAM
 * (register 5 of the VBE interface) seen linearly, or, in 4-bit modes, the bank's planes
 * through the logic above. */
#include "devices/vga.h"

enum { SEQ_MAP_MASK = 2, SEQ_MEMORY_MODE = 4 };
enum { GC_SET_RESET, GC_ENABLE_SET_RESET, GC_COLOR_COMPARE, GC_DATA_ROTATE, GC_READ_MAP,
       GC_MODE, GC_MISC, GC_COLOR_DONT_CARE, GC_BIT_MASK };

/* The offset into the mapped window, or -1 when offset (from 0xA0000) lies outside it. */
static int32_t window_offset(const struct vga_state *s, uint32_t offset)
{
    static const uint32_t base[4] = { 0, 0, 0x10000, 0x18000 };
    static const uint32_t size[4] = { 0x20000, 0x10000, 0x8000, 0x8000 };
    unsigned map = (s->gc[GC_MISC] >> 2) & 3;
    uint32_t rel = offset - base[map];
    return rel < size[map] ? (int32_t)rel : -1;
}

static int vbe_on(const struct vga_state *s)
{
    return (s->vbe[VBE_ENABLE] & VBE_ENABLED) != 0;
}

/* Plane addresses wrap at 64 KiB on the VGA; a VBE planar mode's bank moves them. */
static uint32_t plane_address(const struct vga_state *s, uint32_t addr)
{
    if (vbe_on(s))
        return ((uint32_t)s->vbe[VBE_BANK] * 0x10000u + addr) & (VGA_VRAM_SIZE / 4 - 1);
    return addr & VGA_PLANE_MASK;
}

static uint8_t planar_read(struct vga *v, uint32_t rel)
{
    struct vga_state *s = &v->s;
    unsigned plane;
    uint32_t addr;
    if (s->seq[SEQ_MEMORY_MODE] & 0x08) {
        plane = rel & 3;
        addr = rel & ~3u;
    } else if (s->gc[GC_MODE] & 0x10) {
        plane = (s->gc[GC_READ_MAP] & 2) | (rel & 1);
        addr = rel & ~1u;
    } else {
        plane = s->gc[GC_READ_MAP] & 3;
        addr = rel;
    }
    const uint8_t *p = v->vram + 4 * plane_address(s, addr);
    for (unsigned i = 0; i < 4; i++)
        s->latch[i] = p[i];
    if (!(s->gc[GC_MODE] & 0x08))
        return s->latch[plane];
    uint8_t same = 0xFF; /* read mode 1: bits where every cared-for plane matches */
    for (unsigned i = 0; i < 4; i++)
        if (s->gc[GC_COLOR_DONT_CARE] >> i & 1)
            same &= (uint8_t)~(s->latch[i] ^ ((s->gc[GC_COLOR_COMPARE] >> i & 1) ? 0xFF : 0));
    return same;
}

static uint8_t alu(unsigned func, uint8_t d, uint8_t latch)
{
    switch (func) {
    case 1:
        return d & latch;
    case 2:
        return d | latch;
    case 3:
        return d ^ latch;
    default:
        return d;
    }
}

static void planar_write(struct vga *v, uint32_t rel, uint8_t val)
{
    struct vga_state *s = &v->s;
    unsigned planes = s->seq[SEQ_MAP_MASK] & 0xF;
    uint32_t addr = rel;
    if (s->seq[SEQ_MEMORY_MODE] & 0x08) {
        planes &= 1u << (rel & 3);
        addr = rel & ~3u;
    } else if (!(s->seq[SEQ_MEMORY_MODE] & 0x04)) {
        planes &= (rel & 1) ? 0xAu : 0x5u;
        addr = rel & ~1u;
    }
    if (!planes)
        return;
    unsigned rot = s->gc[GC_DATA_ROTATE] & 7, func = (s->gc[GC_DATA_ROTATE] >> 3) & 3;
    uint8_t rotated = (uint8_t)((val >> rot) | (val << ((8 - rot) & 7)));
    uint8_t mask = s->gc[GC_BIT_MASK], sr = s->gc[GC_SET_RESET];
    unsigned mode = s->gc[GC_MODE] & 3;
    if (mode == 3)
        mask &= rotated;
    uint8_t *p = v->vram + 4 * plane_address(s, addr);
    for (unsigned i = 0; i < 4; i++) {
        uint8_t d, latch = s->latch[i];
        switch (mode) {
        case 0:
            d = (s->gc[GC_ENABLE_SET_RESET] >> i & 1) ? ((sr >> i & 1) ? 0xFF : 0) : rotated;
            break;
        case 1:
            d = latch;
            break;
        case 2:
            d = (val >> i & 1) ? 0xFF : 0;
            break;
        default:
            d = (sr >> i & 1) ? 0xFF : 0;
            break;
        }
        if (mode != 1) {
            d = alu(func, d, latch);
            d = (uint8_t)((d & mask) | (latch & ~mask));
        }
        if (planes >> i & 1)
            p[i] = d;
    }
}

enum { MISC_RAM_ENABLE = 0x02 };

static uint8_t read_byte(struct vga *v, uint32_t offset)
{
    int32_t rel = window_offset(&v->s, offset);
    if (rel < 0)
        return 0xFF;
    if (vbe_on(&v->s) && v->s.vbe[VBE_BPP] != 4)
        return v->vram[((uint32_t)v->s.vbe[VBE_BANK] * 0x10000u + (uint32_t)rel) &
                       (VGA_VRAM_SIZE - 1)];
    if (!(v->s.misc & MISC_RAM_ENABLE))
        return 0xFF;
    return planar_read(v, (uint32_t)rel);
}

static void write_byte(struct vga *v, uint32_t offset, uint8_t val)
{
    int32_t rel = window_offset(&v->s, offset);
    if (rel < 0)
        return;
    if (vbe_on(&v->s) && v->s.vbe[VBE_BPP] != 4)
        v->vram[((uint32_t)v->s.vbe[VBE_BANK] * 0x10000u + (uint32_t)rel) &
                (VGA_VRAM_SIZE - 1)] = val;
    else if (v->s.misc & MISC_RAM_ENABLE)
        planar_write(v, (uint32_t)rel, val);
}

/* Wider accesses are bytes in address order, as the VGA's 8-bit data path sees them. */
uint32_t vga_mem_read(void *opaque, uint32_t offset, unsigned size)
{
    uint32_t val = 0;
    for (unsigned i = 0; i < size && i < 4; i++)
        val |= (uint32_t)read_byte(opaque, offset + i) << (8 * i);
    return val;
}

void vga_mem_write(void *opaque, uint32_t offset, unsigned size, uint32_t value)
{
    for (unsigned i = 0; i < size && i < 4; i++)
        write_byte(opaque, offset + i, (uint8_t)(value >> (8 * i)));
}
