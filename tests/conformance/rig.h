/* The test rig of the conformance runner: a CPU with 16 MiB of RAM and an I/O bus that
 * answers every read with all ones (as the capture boards did), running one MOO test and
 * comparing the result. */
#ifndef ORRERY_TESTS_RIG_H
#define ORRERY_TESTS_RIG_H

#include <stdbool.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "tests/conformance/moo.h"

#define RIG_MAX_IO 4096

struct rig_io { uint16_t port; uint8_t size; uint32_t value; };

struct rig {
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    enum cpu_model model;
    uint8_t *ram;
    struct rig_io io_writes[RIG_MAX_IO];
    unsigned nio_writes;
    bool io_overflow;
};

int rig_init(struct rig *r, enum cpu_model model);
void rig_free(struct rig *r);

/* What differed; the report goes to the stream given to rig_run (NULL: none). */
struct rig_result {
    bool pass;
    unsigned reg_diffs, mem_diffs, io_diffs;
    bool stopped; /* did not reach a HLT, or the CPU stopped */
};

/* Runs test t of a file in flavour regs32 with the given FLAGS mask (from metadata.json,
 * 0xFFFF when none) and compares. report may be NULL. */
struct rig_result rig_run(struct rig *r, const struct moo_test *t, bool regs32,
                          const struct moo_regs *file_mask, uint32_t flags_mask, FILE *report);

#endif
