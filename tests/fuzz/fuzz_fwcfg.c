/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for what SeaBIOS drives while it learns and shadows the machine: the
 * fw_cfg device's ports and DMA (devices/fwcfg.c) and the i440FX's PAM and SMRAM
 * registers acting on physmem's shadow RAM (devices/i440fx.c, mmu/physmem.c). The guest
 * is hostile: no sequence of port accesses, DMA structures or memory accesses may crash,
 * hang or touch memory outside the guest's.
 *
 * The input is a list of operations, each an opcode byte and its operands: select a key,
 * read data bytes, write the DMA register's halves, poke a DMA structure into RAM and run
 * it, write a PCI configuration register of the host bridge, read and write guest memory
 * anywhere in the 4 GiB space. (tools: `cmake -DORRERY_FUZZ=ON` with CC=clang builds
 * build/fuzz_fwcfg.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/iobus.h"
#include "devices/fwcfg.h"
#include "devices/i440fx.h"
#include "devices/pci.h"
#include "mmu/physmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rig {
    struct iobus io;
    struct physmem mem;
    struct pci_bus bus;
    struct i440fx host;
    struct fwcfg cfg;
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
    static struct rig r;
    memset(&r, 0, sizeof r);
    if (iobus_init(&r.io) || physmem_init(&r.mem))
        abort();
    /* The PC's low megabyte: RAM, the BIOS ROM, shadow RAM under the ROM area and the
     * VGA window. */
    if (!physmem_add_ram(&r.mem, 0, 0xA0000) || !physmem_add_rom(&r.mem, 0xE0000, 0x20000) ||
        !physmem_add_shadow(&r.mem, 0xC0000, 0x40000) ||
        !physmem_add_shadow(&r.mem, 0xA0000, 0x20000) ||
        !physmem_add_ram(&r.mem, 0x100000, 0x100000))
        abort();
    if (pci_bus_init(&r.bus, &r.io) || i440fx_init(&r.host, &r.bus, &r.mem) ||
        fwcfg_init(&r.cfg, &r.io, &r.mem))
        abort();
    static const uint8_t e820[40] = { 1, 2, 3 };
    fwcfg_add(&r.cfg, FWCFG_RAM_SIZE, "\0\0\0\0\0\0\x20\0", 8);
    fwcfg_add_file(&r.cfg, "etc/e820", e820, sizeof e820);
    fwcfg_add_file(&r.cfg, "etc/boot-fail-wait", "\xff\xff\xff\xff", 4);

    const uint8_t *p = data, *end = data + size;
    unsigned ops = 0;
    while (p < end && ops++ < 4096) {
        uint8_t op = *p++;
        switch (op % 8) {
        case 0:
            iobus_out(&r.io, FWCFG_PORT_SELECTOR, 2, take(&p, end, 2));
            break;
        case 1: {
            unsigned n = take(&p, end, 1);
            for (unsigned i = 0; i < n; i++)
                iobus_in(&r.io, FWCFG_PORT_DATA, 1u << ((op >> 3) % 3));
            break;
        }
        case 2:
            iobus_out(&r.io, (uint16_t)(FWCFG_PORT_DMA + (op >> 3) % 8), 1u << ((op >> 6) % 3),
                      take(&p, end, 4));
            break;
        case 3: { /* a DMA structure at a guest address, then its address to the register */
            uint32_t at = take(&p, end, 4);
            for (unsigned i = 0; i < 16; i++)
                physmem_write(&r.mem, at + i, 1, take(&p, end, 1));
            uint32_t be = at >> 24 | (at >> 8 & 0xFF00) | (at << 8 & 0xFF0000) | at << 24;
            iobus_out(&r.io, FWCFG_PORT_DMA + 4, 4, be);
            break;
        }
        case 4: /* the host bridge: PAM, SMRAM and the rest */
            pci_config_write(&r.bus, 0, 0, take(&p, end, 1), 1u << ((op >> 3) % 3),
                             take(&p, end, 4));
            break;
        case 5:
            physmem_write(&r.mem, take(&p, end, 4), 1u << ((op >> 3) % 3), take(&p, end, 4));
            break;
        case 6:
            (void)physmem_read(&r.mem, take(&p, end, 4), 1u << ((op >> 3) % 3));
            break;
        case 7:
            if (op & 0x80)
                i440fx_reset(&r.host);
            else
                fwcfg_reset(&r.cfg);
            break;
        }
    }
    fwcfg_free(&r.cfg);
    physmem_free(&r.mem);
    iobus_free(&r.io);
    return 0;
}
