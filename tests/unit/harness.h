/* A small real-mode machine for CPU unit tests: 2 MiB of RAM, an I/O bus, a CPU.
 * Code goes at 0x1000:0x0000 (linear 0x10000); every IVT vector n points at a HLT at
 * 0xF000:n so a test can tell which exception or interrupt was taken (CS=0xF000, IP=n+1). */
#ifndef ORRERY_TESTS_HARNESS_H
#define ORRERY_TESTS_HARNESS_H

#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"

#define H_CODE_SEG 0x1000
#define H_HANDLER_SEG 0xF000

struct harness {
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    uint8_t *ram;
};

static inline void h_init(struct harness *h, enum cpu_model model)
{
    physmem_init(&h->mem);
    iobus_init(&h->io);
    h->ram = physmem_add_ram(&h->mem, 0, 2u << 20);
    cpu_init(&h->cpu, model, &h->mem, &h->io);
    for (unsigned v = 0; v < 256; v++) {
        h->ram[v * 4 + 0] = (uint8_t)v; /* IP = v */
        h->ram[v * 4 + 1] = 0;
        h->ram[v * 4 + 2] = (uint8_t)H_HANDLER_SEG;
        h->ram[v * 4 + 3] = (uint8_t)(H_HANDLER_SEG >> 8);
        h->ram[(H_HANDLER_SEG << 4) + v] = 0xF4; /* HLT */
    }
    cpu_load_seg_real(&h->cpu, S_CS, H_CODE_SEG);
    cpu_load_seg_real(&h->cpu, S_DS, 0x2000);
    cpu_load_seg_real(&h->cpu, S_ES, 0x3000);
    cpu_load_seg_real(&h->cpu, S_SS, 0x4000);
    h->cpu.eip = 0;
    h->cpu.r[R_ESP] = 0x1000;
}

static inline void h_free(struct harness *h)
{
    physmem_free(&h->mem);
    iobus_free(&h->io);
}

/* Copies code to CS:0 and runs until HLT, shutdown or max instructions. */
static inline uint64_t h_run(struct harness *h, const void *code, size_t len, uint64_t max)
{
    memcpy(h->ram + (H_CODE_SEG << 4), code, len);
    physmem_wrote(&h->mem, H_CODE_SEG << 4, (uint32_t)len); /* code translated from there goes */
    uint64_t n = 0;
    while (n < max && !h->cpu.halted && !h->cpu.shutdown)
        n += cpu_run(&h->cpu, 1);
    return n;
}

/* The vector taken, if execution ended in the handler stub; -1 otherwise. */
static inline int h_vector(const struct harness *h)
{
    if (h->cpu.seg[S_CS].sel != H_HANDLER_SEG || !h->cpu.halted)
        return -1;
    return (int)h->cpu.eip - 1;
}

#endif
