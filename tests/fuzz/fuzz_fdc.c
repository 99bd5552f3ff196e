/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the 82077AA floppy controller and the 8237 DMA pair
 * (devices/fdc82077.c, devices/dma8237.c) with a 360K image in drive A: (written in place)
 * and a read-only one in B:: hostile sequences of writes and reads at every controller
 * and DMA port (page registers included), time moving on so that seeks, commands and
 * resets finish, media changes mid-command, and saved states loaded over a running
 * controller. No sequence may crash, hang, touch memory outside the guest's or a byte
 * outside the images.
 *
 * The input is a list of operations, each an opcode byte and its operands. (tools:
 * `cmake -DORRERY_FUZZ=ON` with CC=clang builds build/fuzz_fdc.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/disk.h"
#include "core/iobus.h"
#include "core/sched.h"
#include "devices/dma8237.h"
#include "devices/fdc82077.h"
#include "mmu/physmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IMAGE_BYTES 368640u

static const uint16_t ports[] = { 0x3F0, 0x3F1, 0x3F2, 0x3F3, 0x3F4, 0x3F5, 0x3F7,
                                  0x00, 0x02, 0x04, 0x05, 0x08, 0x0A, 0x0B, 0x0C, 0x0D,
                                  0x0E, 0x0F, 0x81, 0x87, 0xC0, 0xD0, 0xD4, 0xD6, 0xD8 };
#define NPORTS (sizeof ports / sizeof ports[0])

struct rig {
    struct iobus io;
    struct physmem mem;
    struct sched sched;
    uint64_t icount;
    struct dma dma;
    struct fdc fdc;
};

static uint32_t take(const uint8_t **p, const uint8_t *end, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n && *p < end; i++, (*p)++)
        v |= (uint32_t)**p << (8 * i);
    return v;
}

/* The two images, made once, their files unlinked once open. */
static struct disk *image(unsigned which)
{
    static struct disk d[2];
    static int made;
    if (!made) {
        char path[] = "/tmp/orrery-fuzz-fdc-XXXXXX";
        int fd = mkstemp(path);
        char err[256];
        if (fd < 0 || ftruncate(fd, IMAGE_BYTES) != 0)
            abort();
        close(fd);
        if (disk_open(&d[0], path, "fuzz", 0, err, sizeof err) ||
            disk_open(&d[1], path, "fuzz", DISK_READONLY, err, sizeof err))
            abort();
        unlink(path);
        made = 1;
    }
    return &d[which];
}

static void advance(struct rig *r, uint64_t ns)
{
    uint64_t target = r->icount + ns;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t next = sched_next_deadline(&r->sched);
        if (next > target)
            break;
        if (next > r->icount)
            r->icount = next;
        sched_sync(&r->sched, true);
        sched_fire_due(&r->sched);
    }
    r->icount = target;
    sched_sync(&r->sched, true);
    sched_fire_due(&r->sched);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    struct disk *d = image(0), *ro = image(1);
    if (iobus_init(&r.io) || physmem_init(&r.mem) || !physmem_add_ram(&r.mem, 0, 1u << 20))
        abort();
    sched_init(&r.sched, SCHED_DETERMINISTIC, 0, &r.icount);
    struct disk *const disks[2] = { d, ro };
    const bool readonly[2] = { false, true };
    if (dma_init(&r.dma, &r.io, &r.mem) ||
        fdc_init(&r.fdc, &r.io, &r.sched, &r.dma, NULL, disks, readonly))
        abort();

    const uint8_t *p = data, *end = data + size;
    unsigned ops = 0;
    while (p < end && ops++ < 4096) {
        uint8_t op = *p++;
        switch (op % 6) {
        case 0:
            iobus_out(&r.io, ports[take(&p, end, 1) % NPORTS], 1, take(&p, end, 1));
            break;
        case 1: {
            uint16_t port = ports[take(&p, end, 1) % NPORTS];
            unsigned n = take(&p, end, 2) % 1025;
            for (unsigned i = 0; i < n; i++)
                (void)iobus_in(&r.io, port, 1);
            break;
        }
        case 2: /* a command's bytes at the FIFO */
            for (unsigned i = 0, n = take(&p, end, 1) % 10; i < n; i++)
                iobus_out(&r.io, 0x3F5, 1, take(&p, end, 1));
            break;
        case 3:
            advance(&r, (uint64_t)take(&p, end, 2) * 1000);
            break;
        case 4: { /* a medium change: out, in, or the other image */
            unsigned which = take(&p, end, 1) % 3;
            fdc_change_media(&r.fdc, op >> 7, which == 2 ? NULL : image(which), which == 1);
            break;
        }
        case 5: { /* a saved state, bytes overwritten, loaded over the running one */
            static uint8_t buf[4096];
            size_t n = savestate_save(&fdc_savestate, &r.fdc.s, buf, sizeof buf);
            for (unsigned i = 0, k = take(&p, end, 1) % 8; i < k && n; i++)
                buf[take(&p, end, 2) % n] = (uint8_t)take(&p, end, 1);
            if (savestate_load(&fdc_savestate, &r.fdc.s, buf, n) == 0)
                fdc_state_loaded(&r.fdc);
            break;
        }
        }
    }
    if (d->size != IMAGE_BYTES || ro->size != IMAGE_BYTES)
        abort(); /* nothing may grow the image */
    physmem_free(&r.mem);
    iobus_free(&r.io);
    return 0;
}
