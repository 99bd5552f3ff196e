/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the PIIX3 IDE function and its ATA channels (devices/piix3_ide.c,
 * devices/ata.c) on a small image file (core/disk.c): hostile sequences of task-file and
 * control writes, data-port bursts in every width, PCI configuration writes (the BAR and
 * the decode enables), bus-master registers and PRD tables anywhere in guest memory. No
 * sequence may crash, hang, touch memory outside the guest's or a byte outside the image.
 * The secondary master goes through a -snapshot overlay of the same image; the primary
 * slave is an ATAPI CD-ROM (devices/atapi.c) with the image as its disc, the secondary
 * slave an empty CD-ROM drive.
 *
 * The input is a list of operations, each an opcode byte and its operands. (tools:
 * `cmake -DORRERY_FUZZ=ON` with CC=clang builds build/fuzz_ide.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/disk.h"
#include "core/iobus.h"
#include "devices/pci.h"
#include "devices/piix3.h"
#include "devices/piix3_ide.h"
#include "mmu/physmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BM 0xC000

static const uint16_t ports[] = { 0x1F0, 0x1F1, 0x1F2, 0x1F3, 0x1F4, 0x1F5, 0x1F6, 0x1F7,
                                  0x3F6, 0x170, 0x171, 0x172, 0x173, 0x174, 0x175, 0x176,
                                  0x177, 0x376 };

struct rig {
    struct iobus io;
    struct physmem mem;
    struct pci_bus bus;
    struct piix3 isa;
    struct piix3_ide ide;
};

static uint32_t take(const uint8_t **p, const uint8_t *end, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n && *p < end; i++, (*p)++)
        v |= (uint32_t)**p << (8 * i);
    return v;
}

/* One image for every run, 64 KiB, its file unlinked once open: written in place
 * (which = 0) or through a -snapshot overlay (which = 1). */
static struct disk *image(unsigned which)
{
    static struct disk d[2];
    static int made;
    if (!made) {
        char path[] = "/tmp/orrery-fuzz-ide-XXXXXX";
        int fd = mkstemp(path);
        char err[256];
        if (fd < 0 || ftruncate(fd, 64 << 10) != 0)
            abort();
        close(fd);
        if (disk_open(&d[0], path, "fuzz", 0, err, sizeof err) ||
            disk_open(&d[1], path, "fuzz", DISK_SNAPSHOT, err, sizeof err))
            abort();
        unlink(path);
        made = 1;
    }
    return &d[which];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    struct disk *d = image(0), *snap = image(1);
    if (iobus_init(&r.io) || physmem_init(&r.mem) || !physmem_add_ram(&r.mem, 0, 1u << 20))
        abort();
    struct disk *const disks[4] = { d, NULL, snap, NULL };
    if (pci_bus_init(&r.bus, &r.io) || piix3_init(&r.isa, &r.bus, NULL) ||
        piix3_ide_init(&r.ide, &r.bus, &r.io, &r.mem, NULL, NULL, disks))
        abort();
    ata_set_cdrom(&r.ide.ch[0], 1, d);      /* a CD-ROM with the image as its disc */
    ata_set_cdrom(&r.ide.ch[1], 1, NULL);   /* an empty CD-ROM drive */
    pci_config_write(&r.bus, 1, 1, PCI_COMMAND, 2, 0x0005);
    pci_config_write(&r.bus, 1, 1, PIIX3_IDE_BMIBA, 4, BM);
    pci_config_write(&r.bus, 1, 1, PIIX3_IDE_IDETIM, 4, 0x80008000);

    const uint8_t *p = data, *end = data + size;
    unsigned ops = 0;
    while (p < end && ops++ < 4096) {
        uint8_t op = *p++;
        unsigned width = 1u << ((op >> 3) % 3);
        switch (op % 8) {
        case 0:
            iobus_out(&r.io, ports[take(&p, end, 1) % 18], width, take(&p, end, 4));
            break;
        case 1: {
            uint16_t port = ports[take(&p, end, 1) % 18];
            unsigned n = take(&p, end, 1);
            for (unsigned i = 0; i < n; i++)
                (void)iobus_in(&r.io, port, width);
            break;
        }
        case 2: { /* a data burst: up to 8 KiB each way */
            uint16_t port = (op & 0x40) ? 0x170 : 0x1F0;
            unsigned n = take(&p, end, 2) % 4097;
            for (unsigned i = 0; i < n; i++) {
                if (op & 0x80)
                    iobus_out(&r.io, port, 2, i);
                else
                    (void)iobus_in(&r.io, port, width);
            }
            break;
        }
        case 3:
            pci_config_write(&r.bus, 1, 1, take(&p, end, 1), width, take(&p, end, 4));
            break;
        case 4:
            iobus_out(&r.io, (uint16_t)(BM + take(&p, end, 1) % 16), width, take(&p, end, 4));
            break;
        case 5: { /* PRD entries at a guest address */
            uint32_t at = take(&p, end, 4);
            for (unsigned i = 0; i < 4; i++)
                physmem_write(&r.mem, at + 4 * i, 4, take(&p, end, 4));
            break;
        }
        case 6: /* a whole command: task file and command byte on one channel */
            for (unsigned i = 1; i < 8; i++)
                iobus_out(&r.io, (uint16_t)(((op & 0x40) ? 0x170 : 0x1F0) + i), 1,
                          take(&p, end, 1));
            break;
        case 7:
            piix3_ide_reset(&r.ide);
            pci_config_write(&r.bus, 1, 1, PCI_COMMAND, 2, 0x0005);
            pci_config_write(&r.bus, 1, 1, PIIX3_IDE_IDETIM, 4, 0x80008000);
            break;
        }
    }
    if (d->size != 64 << 10 || snap->size != 64 << 10)
        abort(); /* nothing may grow the image */
    physmem_free(&r.mem);
    iobus_free(&r.io);
    return 0;
}
