/* A standard VGA on PCI with the Bochs VBE extensions: the device SeaBIOS's
 * vgabios-stdvga.bin drives (PCI 1234:1111, class 0x0300, as QEMU's "stdvga").
 *
 * Four files, one concept each:
 *   vga.c        the PCI function (BAR0: the framebuffer, 16 MiB of VRAM, prefetchable;
 *                the expansion ROM BAR at 0x30 holding the VGA BIOS), the Bochs VBE
 *                registers (index 0x1CE, data 0x1CF), reset, save state;
 *   vga_regs.c   the VGA's own ports 0x3B0-0x3DF (IBM VGA register reference, FreeVGA):
 *                miscellaneous output, sequencer, CRTC (mono or colour address by misc bit
 *                0), graphics controller, attribute controller and its flip-flop, DAC,
 *                input status 0/1 with the retrace bits taken from virtual time;
 *   vga_mem.c    the 0xA0000-0xBFFFF window (graphics controller register 6's memory map):
 *                four planes, chain-4 and odd/even addressing, read modes 0-1, write
 *                modes 0-3, the latches, bit mask, map mask, set/reset, rotate and the
 *                logical operation; with VBE enabled, a 64 KiB bank of VRAM;
 *   vga_render.c the screen as 32-bit XRGB pixels, made when asked (no timers): text modes
 *                (font in plane 2, attributes, cursor, blink), 256-colour modes (chained and
 *                unchained), 16-colour planar modes, VBE linear modes of 8, 15, 16, 24 and
 *                32 bits; and the text screen as characters.
 *
 * VRAM layout: byte p of plane address a is vram[4 * a + p]. VBE modes see VRAM as one
 * linear array (the same bytes). The legacy VGA uses 64 KiB per plane (256 KiB).
 *
 * The legacy ports and window always decode (a VGA-compatible device answers at its
 * legacy addresses); BAR0 and the ROM BAR follow the command register's memory enable
 * and, for the ROM, its enable bit. */
#ifndef ORRERY_DEVICES_VGA_H
#define ORRERY_DEVICES_VGA_H

#include <stddef.h>
#include <stdint.h>

#include "core/iobus.h"
#include "core/savestate.h"
#include "core/sched.h"
#include "devices/pci.h"
#include "mmu/physmem.h"

#define VGA_VENDOR 0x1234
#define VGA_DEVICE 0x1111
#define VGA_VRAM_SIZE (16u << 20)
#define VGA_PLANE_MASK 0xFFFFu        /* legacy VGA: 64 KiB per plane */
#define VGA_WINDOW_BASE 0xA0000u
#define VGA_WINDOW_SIZE 0x20000u
#define VGA_ROM_MAX (256u << 10)      /* the largest expansion ROM the BAR offers */

#define VBE_PORT_INDEX 0x1CE
#define VBE_PORT_DATA 0x1CF

/* Bochs VBE ("DISPI") registers, selected through 0x1CE. */
enum { VBE_ID, VBE_XRES, VBE_YRES, VBE_BPP, VBE_ENABLE, VBE_BANK, VBE_VIRT_WIDTH,
       VBE_VIRT_HEIGHT, VBE_X_OFFSET, VBE_Y_OFFSET, VBE_VIDEO_MEMORY_64K, VBE_NREGS };
enum { VBE_ENABLED = 0x01, VBE_GETCAPS = 0x02, VBE_8BIT_DAC = 0x20, VBE_LFB_ENABLED = 0x40,
       VBE_NOCLEARMEM = 0x80 };
#define VBE_ID0 0xB0C0
#define VBE_ID5 0xB0C5
#define VBE_MAX_XRES 2560
#define VBE_MAX_YRES 1600
#define VBE_MAX_BPP 32

/* Register counts (IBM VGA): sequencer 5, CRTC 25, graphics controller 9, attribute 21. */
#define VGA_SEQ_REGS 5
#define VGA_CRTC_REGS 25
#define VGA_GC_REGS 9
#define VGA_ATTR_REGS 21

struct vga_state {
    struct pci_config pci;
    uint8_t misc;                  /* miscellaneous output (0x3C2 / 0x3CC) */
    uint8_t feature;               /* feature control (0x3BA/0x3DA / 0x3CA) */
    uint8_t seq_index, gc_index, crtc_index, attr_index; /* attr_index holds PAS (bit 5) */
    uint8_t attr_flipflop;         /* 0: next 0x3C0 write is an index; 1: data */
    uint8_t dac_read_index, dac_write_index;
    uint8_t dac_sub;               /* 0-2: which of red, green, blue comes next */
    uint8_t dac_reading;           /* last set through 0x3C7 (1) or 0x3C8 (0) */
    uint8_t dac_mask;              /* pixel mask (0x3C6) */
    uint8_t seq[8];
    uint8_t crtc[32];
    uint8_t gc[16];
    uint8_t attr[32];
    uint8_t latch[4];
    uint8_t palette[768];          /* DAC: 6 bits per component, 8 with VBE's 8-bit DAC */
    uint16_t vbe_index;
    uint16_t vbe[VBE_NREGS];
};

struct vga {
    struct vga_state s;
    /* Wiring, rebuilt, never saved. */
    struct pci_function fn;
    struct physmem *mem;
    struct sched *sched;
    uint8_t *vram;                 /* VGA_VRAM_SIZE bytes, a placeable RAM region */
    int vram_region, rom_region;   /* physmem indices; rom_region -1 without a ROM */
    uint32_t rom_size;             /* a power of two, at least 2 KiB; 0 without a ROM */
    uint32_t *fb;                  /* the rendered screen (vga_render) */
    size_t fb_pixels;
};

/* Creates the device at PCI slot `slot`: its ports, the legacy window, BAR regions. rom
 * (rom_len bytes, at most VGA_ROM_MAX) is the VGA BIOS its ROM BAR offers; NULL for none.
 * Returns 0, or -1 when ports, memory or the slot are taken. */
int vga_init(struct vga *v, struct iobus *io, struct physmem *mem, struct sched *sched,
             struct pci_bus *bus, unsigned slot, const uint8_t *rom, size_t rom_len);
void vga_free(struct vga *v);
void vga_reset(struct vga *v);
/* After a load: BARs map where the loaded config says, VRAM is the region's storage. */
void vga_state_loaded(struct vga *v);

/* vga.c: BAR placement after the command register or a BAR changed. */
void vga_update_bars(struct vga *v);

/* vga_regs.c */
int vga_regs_init(struct vga *v, struct iobus *io);
/* vga_mem.c: the window at 0xA0000 (offset from 0xA0000). */
uint32_t vga_mem_read(void *opaque, uint32_t offset, unsigned size);
void vga_mem_write(void *opaque, uint32_t offset, unsigned size, uint32_t value);

/* vga_render.c: renders the screen and returns the pixels (XRGB, row after row, stride in
 * pixels); *w and *h 0 when nothing is shown (no memory for it). The pointer stays valid
 * until the next call or vga_free. `now_ns` (virtual time) drives blinking. */
const uint32_t *vga_render(struct vga *v, uint64_t now_ns, unsigned *w, unsigned *h,
                           unsigned *stride);
/* The text screen as characters, rows separated by '\n' (code page 437 bytes 0x20-0x7E as
 * they are, others as '.'; blank cells as spaces), NUL-terminated in buf (len bytes).
 * Returns the characters written, 0 when the VGA is not in a text mode. */
size_t vga_text(const struct vga *v, char *buf, size_t len);

extern const struct savestate_desc vga_savestate; /* describes struct vga_state */

#endif
