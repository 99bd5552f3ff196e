/* SPDX-License-Identifier: MIT */
/* bench_tlb: loads and stores per second through the CPU's linear-memory accessors (the
 * software TLB), with paging off and on, for sequential, random-within-TLB-reach,
 * random-beyond-reach and page-crossing patterns. The peer in the same run is the path
 * every access took before the TLB: a call to physmem_read/physmem_write on the physical
 * address. Not a test: it prints numbers, never fails on them.
 *
 *   build/bench_tlb [millions of accesses per measurement, default 20] */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bits.h"
#include "cpu/exec.h"

#define RAM_SIZE (64u << 20)
#define PD 0x1000u
#define PT 0x2000u /* 16 page tables: identity map of 0..64 MiB */
#define WINDOW 0x01000000u /* the patterns run at 16 MiB .. */
#define NOFF 4096u

struct bench {
    struct physmem pm;
    struct iobus io;
    struct cpu cpu;
    uint8_t *ram;
    uint32_t off[NOFF];
};

enum pattern { SEQ, RAND_REACH, RAND_FAR, CROSS, NPATTERNS };
static const char *const pattern_names[] = {
    "sequential", "random, within TLB reach", "random, 16 MiB (misses)",
    "page-crossing, within reach",
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Offsets from WINDOW for each access of a pattern, cycled through. */
static void make_offsets(struct bench *b, enum pattern p)
{
    uint32_t x = 12345;
    for (uint32_t i = 0; i < NOFF; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = x >> 4;
        switch (p) {
        case SEQ: b->off[i] = (i * 4) % (16 * 4096); break;
        case RAND_REACH: b->off[i] = (r % (TLB_SIZE * 4096)) & ~3u; break;
        case RAND_FAR: b->off[i] = (r % (16u << 20)) & ~3u; break;
        case CROSS: b->off[i] = (r % (TLB_SIZE - 1)) * 4096 + 0xFFE; break;
        default: break;
        }
    }
}

typedef uint32_t (*run_fn)(struct bench *b, uint64_t n);

static uint32_t tlb_loads(struct bench *b, uint64_t n)
{
    uint32_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += lin_read(&b->cpu, WINDOW + b->off[i & (NOFF - 1)], 4);
    return sum;
}

static uint32_t tlb_stores(struct bench *b, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        lin_write(&b->cpu, WINDOW + b->off[i & (NOFF - 1)], 4, (uint32_t)i);
    return 0;
}

/* The peer: the pre-TLB path, physmem on the (identity) physical address. */
static uint32_t physmem_loads(struct bench *b, uint64_t n)
{
    uint32_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += physmem_read(&b->pm, WINDOW + b->off[i & (NOFF - 1)], 4);
    return sum;
}

static uint32_t physmem_stores(struct bench *b, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        physmem_write(&b->pm, WINDOW + b->off[i & (NOFF - 1)], 4, (uint32_t)i);
    return 0;
}

static volatile uint32_t sink;

static double measure(struct bench *b, run_fn fn, uint64_t n)
{
    fn(b, n / 16); /* warm the TLB and caches */
    double t = now();
    sink = fn(b, n);
    return n / (now() - t);
}

int main(int argc, char **argv)
{
    uint64_t n = (argc > 1 ? strtoull(argv[1], NULL, 10) : 20) * 1000000ull;
    if (n == 0) {
        fprintf(stderr, "bench_tlb: the count must be a positive number of millions\n");
        return 2;
    }
    struct bench *b = calloc(1, sizeof(*b));
    if (!b || physmem_init(&b->pm) || iobus_init(&b->io) ||
        !(b->ram = physmem_add_ram(&b->pm, 0, RAM_SIZE))) {
        fprintf(stderr, "bench_tlb: out of memory\n");
        return 1;
    }
    cpu_init(&b->cpu, CPU_P2, &b->pm, &b->io);
    for (uint32_t t = 0; t < RAM_SIZE >> 22; t++) {
        store_le32(b->ram + PD + 4 * t, (PT + 0x1000 * t) | 7);
        for (uint32_t i = 0; i < 1024; i++)
            store_le32(b->ram + PT + 0x1000 * t + 4 * i, (t << 22 | i << 12) | 7);
    }
    jmp_buf jb;
    b->cpu.fault_jmp = &jb;
    if (setjmp(jb)) {
        fprintf(stderr, "bench_tlb: unexpected exception %d\n", b->cpu.fault_vector);
        return 1;
    }

    printf("bench_tlb: %llu M accesses of 4 bytes per measurement, TLB %u entries per kind\n",
           (unsigned long long)(n / 1000000), TLB_SIZE);
    printf("%-26s %-6s %-6s %10s %10s %7s\n", "pattern", "paging", "access", "TLB M/s",
           "physmem M/s", "ratio");
    for (int paging = 0; paging <= 1; paging++) {
        if (paging) {
            cpu_write_cr3(&b->cpu, PD);
            cpu_write_cr0(&b->cpu, b->cpu.cr[0] | CR0_PE | CR0_PG);
        }
        for (int p = 0; p < NPATTERNS; p++) {
            make_offsets(b, (enum pattern)p);
            for (int store = 0; store <= 1; store++) {
                double tlb = measure(b, store ? tlb_stores : tlb_loads, n);
                double peer = measure(b, store ? physmem_stores : physmem_loads, n);
                printf("%-26s %-6s %-6s %10.1f %10.1f %6.2fx\n", pattern_names[p],
                       paging ? "on" : "off", store ? "store" : "load", tlb / 1e6, peer / 1e6,
                       tlb / peer);
            }
        }
    }
    printf("slow-path entries: %llu\n", (unsigned long long)b->cpu.tlb.slow);
    physmem_free(&b->pm);
    iobus_free(&b->io);
    free(b);
    return 0;
}
