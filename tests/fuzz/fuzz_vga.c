/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the VGA (devices/vga*.c): its ports 0x3B0-0x3DF, the Bochs VBE
 * registers, the window at 0xA0000, its PCI configuration (BAR0 and the ROM BAR moving
 * through physmem) and the renderer, which reads VRAM wherever the guest's registers point
 * it. The guest is hostile: no sequence may crash, hang or touch memory outside the
 * device's. (`cmake -DORRERY_FUZZ=ON -DORRERY_SANITIZE=ON` with CC=clang builds
 * build/fuzz_vga.)
 *
 * The input is a list of operations, an opcode byte and its operands each: a port write or
 * read in 0x3B0-0x3DF, a VBE register write or read, a window access of 1, 2 or 4 bytes,
 * a configuration register write, an access anywhere in the 4 GiB space (the BARs), time
 * moving on, and a render with the text read-back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/iobus.h"
#include "core/sched.h"
#include "devices/pci.h"
#include "devices/vga.h"
#include "mmu/physmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rig {
    struct iobus io;
    struct physmem mem;
    struct pci_bus bus;
    struct sched sched;
    uint64_t clock;
    struct vga vga;
};

static uint32_t take(const uint8_t **p, const uint8_t *end, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n && *p < end; i++, (*p)++)
        v |= (uint32_t)**p << (8 * i);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rig *r;
    static const uint8_t rom[0x3000] = { 0x55, 0xAA };
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r || iobus_init(&r->io) || physmem_init(&r->mem) ||
            !physmem_add_ram(&r->mem, 0, 0xA0000) || pci_bus_init(&r->bus, &r->io))
            abort();
        sched_init(&r->sched, SCHED_DETERMINISTIC, 0, &r->clock);
        if (vga_init(&r->vga, &r->io, &r->mem, &r->sched, &r->bus, 2, rom, sizeof rom))
            abort();
    }
    vga_reset(&r->vga);
    memset(r->vga.vram, 0, VGA_VRAM_SIZE / 64); /* the part most inputs touch */
    r->clock = 0;
    const uint8_t *p = data, *end = data + size;
    while (p < end) {
        unsigned op = *p++ % 10;
        uint32_t a, v;
        unsigned w, h, stride;
        char text[4096];
        switch (op) {
        case 0:
            a = take(&p, end, 1);
            iobus_out(&r->io, (uint16_t)(0x3B0 + a % 0x30), 1, take(&p, end, 1));
            break;
        case 1:
            iobus_in(&r->io, (uint16_t)(0x3B0 + take(&p, end, 1) % 0x30), 1);
            break;
        case 2:
            iobus_out(&r->io, VBE_PORT_INDEX, 2, take(&p, end, 1) % 16);
            iobus_out(&r->io, VBE_PORT_DATA, 2, take(&p, end, 2));
            break;
        case 3:
            iobus_out(&r->io, VBE_PORT_INDEX, 2, take(&p, end, 2));
            iobus_in(&r->io, VBE_PORT_DATA, 2);
            break;
        case 4:
            a = take(&p, end, 3) % VGA_WINDOW_SIZE;
            v = take(&p, end, 1);
            physmem_write(&r->mem, VGA_WINDOW_BASE + a, 1u << (v % 3), take(&p, end, 4));
            break;
        case 5:
            a = take(&p, end, 3) % VGA_WINDOW_SIZE;
            physmem_read(&r->mem, VGA_WINDOW_BASE + a, 1u << (take(&p, end, 1) % 3));
            break;
        case 6:
            a = take(&p, end, 1);
            pci_config_write(&r->bus, 2, 0, a & 0xFC, 4, take(&p, end, 4));
            break;
        case 7:
            a = take(&p, end, 4);
            if (take(&p, end, 1) & 1)
                physmem_write(&r->mem, a, 1, take(&p, end, 1));
            else
                physmem_read(&r->mem, a, 1);
            break;
        case 8:
            r->clock += take(&p, end, 4);
            break;
        default:
            vga_render(&r->vga, r->clock, &w, &h, &stride);
            vga_text(&r->vga, text, sizeof text);
            break;
        }
    }
    return 0;
}
