/* The VGA as a PCI function, and the Bochs VBE registers (devices/vga.h). */
#include "devices/vga.h"

#include <stdlib.h>
#include <string.h>

#define BAR0 0x10
#define ROM_BAR 0x30
#define BAR0_PREFETCH 0x08     /* 32-bit memory BAR, prefetchable */
#define ROM_ENABLE 0x01
#define CMD_MEMORY 0x02

/* ---- PCI: BAR0 and the expansion ROM BAR follow the command register ---- */

/* Both BARs leave before either is placed again, so that one moving off the other's new
 * place does not leave that one out. A BAR over anything else (RAM, the BIOS, the other
 * BAR) stays unmapped until the guest moves it. */
void vga_update_bars(struct vga *v)
{
    const struct pci_config *c = &v->s.pci;
    int mem_on = (pci_get(c, PCI_COMMAND, 2) & CMD_MEMORY) != 0;
    uint32_t bar0 = pci_get(c, BAR0, 4) & ~0xFu;
    uint32_t rom = pci_get(c, ROM_BAR, 4), rom_base = rom & ~(v->rom_size - 1);
    physmem_place(v->mem, (unsigned)v->vram_region, 0, false);
    if (v->rom_region >= 0)
        physmem_place(v->mem, (unsigned)v->rom_region, 0, false);
    if (mem_on && bar0)
        physmem_place(v->mem, (unsigned)v->vram_region, bar0, true);
    if (v->rom_region >= 0 && mem_on && (rom & ROM_ENABLE) && rom_base)
        physmem_place(v->mem, (unsigned)v->rom_region, rom_base, true);
}

static void config_written(void *opaque, unsigned reg, unsigned size)
{
    struct vga *v = opaque;
    unsigned end = reg + size;
    if ((reg < PCI_COMMAND + 2 && end > PCI_COMMAND) || (reg < BAR0 + 4 && end > BAR0) ||
        (reg < ROM_BAR + 4 && end > ROM_BAR))
        vga_update_bars(v);
}

/* ---- Bochs VBE (ports 0x1CE index, 0x1CF data) ---- */

static unsigned vbe_bytes_pp(unsigned bpp)
{
    return (bpp + 7) / 8;
}

/* Bytes per scan line of a VBE mode virt_width pixels wide (4 bpp: per plane). */
static uint32_t vbe_line(const struct vga_state *s, unsigned width)
{
    unsigned bpp = s->vbe[VBE_BPP];
    return bpp == 4 ? width / 8 : width * vbe_bytes_pp(bpp);
}

static void vbe_set_virt_width(struct vga_state *s, unsigned width)
{
    if (width < s->vbe[VBE_XRES])
        width = s->vbe[VBE_XRES];
    if (width > 0xFFFF / 4 * 4)
        width = 0xFFFF / 4 * 4;
    s->vbe[VBE_VIRT_WIDTH] = (uint16_t)width;
    uint32_t line = vbe_line(s, width);
    uint32_t lines = line ? VGA_VRAM_SIZE / (s->vbe[VBE_BPP] == 4 ? 4 : 1) / line : 0;
    s->vbe[VBE_VIRT_HEIGHT] = (uint16_t)(lines > 0xFFFF ? 0xFFFF : lines);
}

static uint32_t vbe_read(void *opaque, uint16_t port, unsigned size)
{
    struct vga *v = opaque;
    struct vga_state *s = &v->s;
    (void)size;
    if (port == VBE_PORT_INDEX)
        return s->vbe_index;
    unsigned i = s->vbe_index;
    if (i >= VBE_NREGS)
        return 0;
    if (s->vbe[VBE_ENABLE] & VBE_GETCAPS) {
        if (i == VBE_XRES)
            return VBE_MAX_XRES;
        if (i == VBE_YRES)
            return VBE_MAX_YRES;
        if (i == VBE_BPP)
            return VBE_MAX_BPP;
    }
    if (i == VBE_VIDEO_MEMORY_64K)
        return VGA_VRAM_SIZE >> 16;
    return s->vbe[i];
}

static void vbe_enable(struct vga *v, uint16_t val)
{
    struct vga_state *s = &v->s;
    val &= VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED | VBE_NOCLEARMEM;
    if ((val & VBE_ENABLED) && !(s->vbe[VBE_ENABLE] & VBE_ENABLED)) {
        s->vbe[VBE_BANK] = 0;
        s->vbe[VBE_X_OFFSET] = s->vbe[VBE_Y_OFFSET] = 0;
        vbe_set_virt_width(s, s->vbe[VBE_XRES]);
        if (!(val & VBE_NOCLEARMEM)) {
            uint64_t n = (uint64_t)vbe_line(s, s->vbe[VBE_XRES]) * s->vbe[VBE_YRES] *
                         (s->vbe[VBE_BPP] == 4 ? 4 : 1);
            memset(v->vram, 0, n < VGA_VRAM_SIZE ? (size_t)n : VGA_VRAM_SIZE);
        }
    }
    s->vbe[VBE_ENABLE] = val;
}

static void vbe_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct vga *v = opaque;
    struct vga_state *s = &v->s;
    (void)size;
    uint16_t val = (uint16_t)value;
    if (port == VBE_PORT_INDEX) {
        s->vbe_index = val;
        return;
    }
    int enabled = (s->vbe[VBE_ENABLE] & VBE_ENABLED) != 0;
    switch (s->vbe_index) {
    case VBE_ID:
        if (val >= VBE_ID0 && val <= VBE_ID5)
            s->vbe[VBE_ID] = val;
        break;
    case VBE_XRES: /* the mode is set while disabled, as the interface requires */
        if (!enabled && val <= VBE_MAX_XRES)
            s->vbe[VBE_XRES] = val;
        break;
    case VBE_YRES:
        if (!enabled && val <= VBE_MAX_YRES)
            s->vbe[VBE_YRES] = val;
        break;
    case VBE_BPP:
        if (val == 0)
            val = 8;
        if (!enabled && (val == 4 || val == 8 || val == 15 || val == 16 || val == 24 ||
                         val == 32))
            s->vbe[VBE_BPP] = val;
        break;
    case VBE_ENABLE:
        vbe_enable(v, val);
        break;
    case VBE_BANK:
        s->vbe[VBE_BANK] = val & ((VGA_VRAM_SIZE >> 16) - 1);
        break;
    case VBE_VIRT_WIDTH:
        vbe_set_virt_width(s, val);
        break;
    case VBE_X_OFFSET:
    case VBE_Y_OFFSET:
        s->vbe[s->vbe_index] = val;
        break;
    default: /* VIRT_HEIGHT and VIDEO_MEMORY_64K are derived; other indices do not exist */
        break;
    }
}

/* ---- Life cycle ---- */

void vga_reset(struct vga *v)
{
    struct vga_state *s = &v->s;
    memset(s, 0, sizeof *s);
    struct pci_config *c = &s->pci;
    pci_header(c, VGA_VENDOR, VGA_DEVICE, 0x02, 0x030000, 0x00);
    pci_set16(c, 0x2C, 0x1AF4); /* subsystem vendor and id, as QEMU's PC gives them */
    pci_set16(c, 0x2E, 0x1100);
    pci_set32(c, BAR0, BAR0_PREFETCH);
    s->dac_mask = 0xFF;
    s->vbe[VBE_ID] = VBE_ID0;
    s->vbe[VBE_XRES] = 640;
    s->vbe[VBE_YRES] = 480;
    s->vbe[VBE_BPP] = 8;
    vga_update_bars(v);
}

void vga_state_loaded(struct vga *v)
{
    v->vram = v->mem->region[v->vram_region].host; /* a load may give RAM new storage */
    vga_update_bars(v);
}

int vga_init(struct vga *v, struct iobus *io, struct physmem *mem, struct sched *sched,
             struct pci_bus *bus, unsigned slot, const uint8_t *rom, size_t rom_len)
{
    memset(v, 0, sizeof *v);
    v->mem = mem;
    v->sched = sched;
    v->rom_region = -1;
    if (rom && (rom_len == 0 || rom_len > VGA_ROM_MAX))
        return -1;
    v->vram_region = physmem_add_placeable(mem, REGION_RAM, VGA_VRAM_SIZE);
    if (v->vram_region < 0)
        return -1;
    v->vram = mem->region[v->vram_region].host;
    if (rom) {
        v->rom_size = PHYS_PAGE_SIZE;
        while (v->rom_size < rom_len)
            v->rom_size <<= 1;
        v->rom_region = physmem_add_placeable(mem, REGION_ROM, v->rom_size);
        if (v->rom_region < 0)
            return -1;
        memcpy(mem->region[v->rom_region].host, rom, rom_len);
    }
    pci_function_init(&v->fn, &v->s.pci);
    struct pci_function *f = &v->fn;
    pci_wmask(f, PCI_COMMAND, 1, 0x03);            /* I/O and memory space */
    pci_wmask(f, BAR0 + 3, 1, 0xFF);               /* 16 MiB: address bits 31-24 */
    if (rom) {
        uint32_t m = ~(v->rom_size - 1) | ROM_ENABLE;
        for (unsigned i = 0; i < 4; i++)
            f->wmask[ROM_BAR + i] = (uint8_t)(m >> (8 * i));
    }
    f->written = config_written;
    f->opaque = v;
    const struct io_handler vbe = { .read = vbe_read, .write = vbe_write, .opaque = v,
                                    .flags = IOBUS_WIDE };
    if (iobus_register(io, VBE_PORT_INDEX, 2, &vbe) || vga_regs_init(v, io) ||
        physmem_add_mmio(mem, VGA_WINDOW_BASE, VGA_WINDOW_SIZE, vga_mem_read, vga_mem_write,
                         v) ||
        pci_bus_attach(bus, slot, 0, f))
        return -1;
    vga_reset(v);
    return 0;
}

void vga_free(struct vga *v)
{
    free(v->fb);
    v->fb = NULL;
    v->fb_pixels = 0;
}

static const struct savestate_field vga_fields[] = {
    SS_ARRAY(struct vga_state, pci.b),
    SS_FIELD(struct vga_state, misc),
    SS_FIELD(struct vga_state, feature),
    SS_FIELD(struct vga_state, seq_index),
    SS_FIELD(struct vga_state, gc_index),
    SS_FIELD(struct vga_state, crtc_index),
    SS_FIELD(struct vga_state, attr_index),
    SS_FIELD_RANGE(struct vga_state, attr_flipflop, 0, 1),
    SS_FIELD(struct vga_state, dac_read_index),
    SS_FIELD(struct vga_state, dac_write_index),
    SS_FIELD_RANGE(struct vga_state, dac_sub, 0, 2),
    SS_FIELD_RANGE(struct vga_state, dac_reading, 0, 1),
    SS_FIELD(struct vga_state, dac_mask),
    SS_ARRAY(struct vga_state, seq),
    SS_ARRAY(struct vga_state, crtc),
    SS_ARRAY(struct vga_state, gc),
    SS_ARRAY(struct vga_state, attr),
    SS_ARRAY(struct vga_state, latch),
    SS_ARRAY(struct vga_state, palette),
    SS_FIELD(struct vga_state, vbe_index),
    SS_ARRAY(struct vga_state, vbe),
};
SAVESTATE_DESC(vga_savestate, "vga", 1, vga_fields);
