/* The VGA's ports 0x3B0-0x3DF (devices/vga.h), as the IBM VGA register reference and
 * FreeVGA describe them. The CRTC, input status 1 and feature control answer at 0x3Dx
 * when the miscellaneous output register's bit 0 (I/O address select) is set, at 0x3Bx
 * when it is clear; the other block reads all ones and ignores writes. */
#include "devices/vga.h"

/* Timing of the 640x480/720x400 modes at a 25.175 MHz dot clock, close enough for guests
 * that wait for the retrace: 800 dots a line (31.778 us), 449 lines a frame (~70 Hz); the
 * display shows 640 dots of each line and 400 lines, vertical sync at lines 412-413. */
#define LINE_NS 31778u
#define LINE_DISPLAY_NS 25422u
#define FRAME_LINES 449u
#define DISPLAY_LINES 400u
#define VSYNC_FIRST 412u
#define VSYNC_END 414u

enum { MISC_IO_COLOUR = 0x01 };
enum { ST1_DISPLAY_DISABLED = 0x01, ST1_VRETRACE = 0x08 };
enum { CRTC_OVERFLOW = 0x07, CRTC_VRETRACE_END = 0x11 };

static uint8_t input_status1(struct vga *v)
{
    uint64_t t = sched_now(v->sched) % ((uint64_t)LINE_NS * FRAME_LINES);
    unsigned line = (unsigned)(t / LINE_NS), dot_ns = (unsigned)(t % LINE_NS);
    uint8_t st = 0;
    if (line >= DISPLAY_LINES || dot_ns >= LINE_DISPLAY_NS)
        st |= ST1_DISPLAY_DISABLED;
    if (line >= VSYNC_FIRST && line < VSYNC_END)
        st |= ST1_VRETRACE;
    return st;
}

static uint8_t dac_read(struct vga_state *s)
{
    uint8_t val = s->palette[s->dac_read_index * 3 + s->dac_sub];
    if (++s->dac_sub == 3) {
        s->dac_sub = 0;
        s->dac_read_index++;
    }
    return val;
}

static void dac_write(struct vga_state *s, uint8_t val)
{
    if (!(s->vbe[VBE_ENABLE] & VBE_8BIT_DAC))
        val &= 0x3F;
    s->palette[s->dac_write_index * 3 + s->dac_sub] = val;
    if (++s->dac_sub == 3) {
        s->dac_sub = 0;
        s->dac_write_index++;
    }
}

/* Ports of the CRTC block (0x3B4/5, 0x3BA or 0x3D4/5, 0x3DA) relative to its base; the
 * caller checked that the block is the one misc selects. */
static uint8_t crtc_block_read(struct vga *v, unsigned reg)
{
    struct vga_state *s = &v->s;
    switch (reg) {
    case 4:
        return s->crtc_index;
    case 5:
        return s->crtc_index < VGA_CRTC_REGS ? s->crtc[s->crtc_index] : 0xFF;
    case 0xA:
        s->attr_flipflop = 0; /* reading input status 1 resets the attribute flip-flop */
        return input_status1(v);
    default:
        return 0xFF;
    }
}

static void crtc_write(struct vga_state *s, uint8_t val)
{
    unsigned i = s->crtc_index;
    if (i >= VGA_CRTC_REGS)
        return;
    /* Protect (0x11 bit 7) locks registers 0-7, except the overflow's line compare bit. */
    if ((s->crtc[CRTC_VRETRACE_END] & 0x80) && i <= 7) {
        if (i == CRTC_OVERFLOW)
            s->crtc[i] = (uint8_t)((s->crtc[i] & ~0x10) | (val & 0x10));
        return;
    }
    s->crtc[i] = val;
}

static void crtc_block_write(struct vga *v, unsigned reg, uint8_t val)
{
    struct vga_state *s = &v->s;
    if (reg == 4)
        s->crtc_index = val;
    else if (reg == 5)
        crtc_write(s, val);
    else if (reg == 0xA)
        s->feature = val;
}

static uint8_t regs_read(struct vga *v, uint16_t port)
{
    struct vga_state *s = &v->s;
    unsigned colour = s->misc & MISC_IO_COLOUR;
    if (port < 0x3C0)
        return colour ? 0xFF : crtc_block_read(v, port - 0x3B0u);
    if (port >= 0x3D0)
        return colour ? crtc_block_read(v, port - 0x3D0u) : 0xFF;
    switch (port) {
    case 0x3C0:
        return s->attr_index;
    case 0x3C1: {
        unsigned i = s->attr_index & 0x1F;
        return i < VGA_ATTR_REGS ? s->attr[i] : 0;
    }
    case 0x3C2:
        return 0x00; /* input status 0: no interrupt pending, switch sense 0 */
    case 0x3C4:
        return s->seq_index;
    case 0x3C5:
        return s->seq_index < VGA_SEQ_REGS ? s->seq[s->seq_index] : 0xFF;
    case 0x3C6:
        return s->dac_mask;
    case 0x3C7:
        return s->dac_reading ? 0x03 : 0x00; /* DAC state */
    case 0x3C8:
        return s->dac_write_index;
    case 0x3C9:
        return dac_read(s);
    case 0x3CA:
        return s->feature;
    case 0x3CC:
        return s->misc;
    case 0x3CE:
        return s->gc_index;
    case 0x3CF:
        return s->gc_index < VGA_GC_REGS ? s->gc[s->gc_index] : 0xFF;
    default:
        return 0xFF;
    }
}

static void regs_write(struct vga *v, uint16_t port, uint8_t val)
{
    struct vga_state *s = &v->s;
    unsigned colour = s->misc & MISC_IO_COLOUR;
    if (port < 0x3C0) {
        if (!colour)
            crtc_block_write(v, port - 0x3B0u, val);
        return;
    }
    if (port >= 0x3D0) {
        if (colour)
            crtc_block_write(v, port - 0x3D0u, val);
        return;
    }
    switch (port) {
    case 0x3C0:
        if (!s->attr_flipflop) {
            s->attr_index = val & 0x3F;
        } else {
            unsigned i = s->attr_index & 0x1F;
            if (i < VGA_ATTR_REGS)
                s->attr[i] = val;
        }
        s->attr_flipflop ^= 1;
        break;
    case 0x3C2:
        s->misc = val;
        break;
    case 0x3C4:
        s->seq_index = val;
        break;
    case 0x3C5:
        if (s->seq_index < VGA_SEQ_REGS)
            s->seq[s->seq_index] = val;
        break;
    case 0x3C6:
        s->dac_mask = val;
        break;
    case 0x3C7:
        s->dac_read_index = val;
        s->dac_sub = 0;
        s->dac_reading = 1;
        break;
    case 0x3C8:
        s->dac_write_index = val;
        s->dac_sub = 0;
        s->dac_reading = 0;
        break;
    case 0x3C9:
        dac_write(s, val);
        break;
    case 0x3CE:
        s->gc_index = val;
        break;
    case 0x3CF:
        if (s->gc_index < VGA_GC_REGS)
            s->gc[s->gc_index] = val;
        break;
    default: /* 0x3C1, 0x3C3 (VGA enable), 0x3CA-0x3CD: read-only or not decoded */
        break;
    }
}

static uint32_t ports_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size; /* byte-wide device: the bus splits wider accesses */
    return regs_read(opaque, port);
}

static void ports_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    regs_write(opaque, port, (uint8_t)value);
}

int vga_regs_init(struct vga *v, struct iobus *io)
{
    const struct io_handler h = { .read = ports_read, .write = ports_write, .opaque = v };
    return iobus_register(io, 0x3B0, 0x30, &h);
}
