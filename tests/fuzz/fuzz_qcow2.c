/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the qcow2 reader and writer (core/qcow2.c, core/qcow2_write.c
 * behind core/disk.c): the input is an image file, hostile from its header to its
 * tables. It is opened as qcow2 (read-write, then as a -snapshot), and when it opens,
 * clusters picked by the input's last bytes are read, written in part and flushed. No
 * image may crash orrery, hang it, or make it read or write outside its buffers.
 *
 * The files live in a private folder under /tmp; a backing file name in the image is
 * looked for there (or wherever an absolute name points, read-only). (tools: `cmake
 * -DORRERY_FUZZ=ON` with CC=clang builds build/fuzz_qcow2; seed it with images from
 * `qemu-img create -f qcow2`.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char folder[] = "/tmp/orrery-fuzz-qcow2-XXXXXX";

static void exercise(struct disk *d, const uint8_t *data, size_t size)
{
    static uint8_t buf[3 << 16];
    /* Up to 16 operations from the end of the input: offset (fraction of the disk),
     * length, read or write. */
    size_t ops = size < 64 ? size / 4 : 16;
    for (size_t i = 0; i < ops; i++) {
        const uint8_t *op = data + size - 4 * (i + 1);
        uint64_t at = d->size / 65536 * (uint64_t)(op[0] | op[1] << 8);
        size_t n = (size_t)(op[2] + 1) * 512;
        if (n > sizeof buf)
            n = sizeof buf;
        at &= ~511ull;
        if (at >= d->size)
            continue;
        if (n > d->size - at)
            n = (size_t)(d->size - at);
        if (op[3] & 1) {
            memset(buf, op[3], n);
            (void)disk_write(d, at + (op[3] & 0x70), buf, n - (op[3] & 0x70));
        } else {
            (void)disk_read(d, at, buf, n);
        }
        if (op[3] & 0x80)
            (void)disk_flush(d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int made;
    if (!made && !mkdtemp(folder))
        abort();
    made = 1;
    char path[sizeof folder + 16];
    snprintf(path, sizeof path, "%s/image.qcow2", folder);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f))
        abort();
    char err[512];
    for (unsigned flags = 0; flags <= DISK_SNAPSHOT; flags += DISK_SNAPSHOT) {
        struct disk d;
        if (disk_open_format(&d, path, "qcow2", "fuzz", flags, err, sizeof err) == 0) {
            exercise(&d, data, size);
            disk_close(&d);
        } else if (!strchr(err, ';') || strchr(err, '\n')) {
            abort(); /* every refusal is one line with its fix */
        }
    }
    unlink(path);
    return 0;
}
