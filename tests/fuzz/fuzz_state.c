/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for loading saved states (core/statefile.c, core/machine/machine_state.c,
 * every device's and the CPU's section and its ranges): a state file is input from
 * anywhere, so no file may crash, hang or corrupt orrery, and whatever loads must run.
 *
 * The input is the file's body after the header (magic, format) up to the RAM: the
 * harness adds the header, appends the RAM sections of a 1 MiB machine (zeros; RAM is
 * copied, not interpreted, and 700 KiB per input would drown the fuzzer), compresses it,
 * loads it into a fresh machine and, when the load succeeds, runs 20,000 instructions.
 * A header section at the start gets the harness's firmware (size and CRC-32) written
 * over its own, so that seeds saved with any -bios get past the header check.
 * A seed: any state of a `-m 1` machine with its RAM sections cut off, e.g.
 *
 *   build/orrery -bios build/roms/tests/platform.bin -m 1 -display none -stop-at 5000 \
 *       -savestate s.state; zcat s.state | tail -c +13 | head -c $((OFFSET_OF_RAM)) > seed
 *
 * (tools: `cmake -DORRERY_FUZZ=ON` with CC=clang builds build/fuzz_state).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/machine/machine.h"
#include "core/statefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char bios_path[64], state_path[64];
static uint32_t bios_size, bios_crc;

/* A 64 KiB image whose reset vector jumps to a loop touching the PIT, the PIC and the
 * UART, in case the loaded CPU state goes there. */
static void make_paths(void)
{
    if (bios_path[0])
        return;
    snprintf(bios_path, sizeof bios_path, "/tmp/fuzz_state_bios.%d", (int)getpid());
    snprintf(state_path, sizeof state_path, "/tmp/fuzz_state.%d", (int)getpid());
    static uint8_t img[64 << 10];
    static const uint8_t loop[] = {
        0xE4, 0x40, 0xE4, 0x21, 0xBA, 0xFD, 0x03, 0xEC, 0xFB, 0xEB, 0xF5, /* in; sti; jmp */
    };
    memcpy(img, loop, sizeof loop);
    static const uint8_t reset[] = { 0xEA, 0x00, 0x00, 0x00, 0xF0 };
    memcpy(img + sizeof img - 16, reset, sizeof reset);
    FILE *f = fopen(bios_path, "wb");
    if (!f || fwrite(img, 1, sizeof img, f) != sizeof img)
        abort();
    fclose(f);
    bios_size = sizeof img;
    bios_crc = (uint32_t)crc32(0, img, sizeof img);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A "ram" section (core/machine/machine_state.c: base, size) and its zero bytes. */
static void put_ram(gzFile gz, uint32_t base, uint32_t size)
{
    uint8_t frame[1 + 3 + 8 + 8] = { 3, 'r', 'a', 'm' };
    put_le32(frame + 4, 1);
    put_le32(frame + 8, 8);
    put_le32(frame + 12, base);
    put_le32(frame + 16, size);
    gzwrite(gz, frame, sizeof frame);
    static const uint8_t zero[64 << 10];
    for (uint32_t n = 0; n < size; n += sizeof zero)
        gzwrite(gz, zero, size - n < sizeof zero ? size - n : sizeof zero);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    make_paths();
    gzFile gz = gzopen(state_path, "wb1");
    if (!gz)
        abort();
    uint8_t hdr[12];
    memcpy(hdr, STATEFILE_MAGIC, 8);
    put_le32(hdr + 8, STATEFILE_FORMAT);
    gzwrite(gz, hdr, sizeof hdr);
    /* "machine" version 2: ram_size (8), model (1), bios_size, bios_crc, kernel_size and
     * kernel_crc (4 each), after a frame of 1 + 7 + 4 + 4 bytes. */
    static const uint8_t head[] = { 7, 'm', 'a', 'c', 'h', 'i', 'n', 'e', 2, 0, 0, 0 };
    uint8_t *copy = size ? malloc(size) : NULL;
    if (size && !copy)
        abort();
    if (size)
        memcpy(copy, data, size);
    if (size >= 16 + 9 + 8 && memcmp(copy, head, sizeof head) == 0) {
        put_le32(copy + 16 + 9, bios_size);
        put_le32(copy + 16 + 13, bios_crc);
    }
    if (size)
        gzwrite(gz, copy, (unsigned)size);
    free(copy);
    put_ram(gz, 0, 0xA0000);
    put_ram(gz, 0xA0000, 0x20000);  /* SMRAM under the VGA window */
    put_ram(gz, 0xC0000, 0x40000);  /* shadow RAM under the ROMs (PAM) */
    put_ram(gz, 0, 16u << 20);      /* the VGA's VRAM (its BAR places it: any base) */
    gzclose(gz);

    struct machine_config cfg = { .ram_size = 1u << 20, .bios_path = bios_path,
                                  .icount = true, .icount_shift = 3 };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    if (machine_create(&cfg, &m, err) != MACHINE_OK)
        abort();
    if (machine_load_state(m, state_path, err) == MACHINE_OK) {
        for (int i = 0; i < 20 && machine_run(m, 1000) == MACHINE_STOP_BUDGET; i++)
            ;
    } else if (strchr(err, '\n') || !err[0]) {
        abort(); /* a refusal is one line */
    }
    machine_destroy(m);
    return 0;
}
