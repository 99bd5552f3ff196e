/* SPDX-License-Identifier: MIT */
/* What the CPU unit tests (tests/unit/test_cpu_*.c) share: a real-mode machine through the
 * unit-test harness (tests/unit/harness.h), memory pokes and peeks, and exception checks.
 *
 * Every test builds a fresh machine (code at 1000:0000, DS=2000, ES=3000, SS=4000, SP=1000;
 * IVT vector n points at a HLT at F000:n), runs a few hand-assembled instructions and checks
 * registers, memory and the exception frame against what the Intel SDM specifies. A real-mode
 * exception or interrupt pushes FLAGS, CS and IP (SDM Vol. 3A §20.1.4); for a fault IP is the
 * first byte of the faulting instruction, prefixes included, for a trap the next one. */
#ifndef ORRERY_TESTS_CPU_RIG_H
#define ORRERY_TESTS_CPU_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "harness.h"

/* ---- machine ---- */

static struct harness g_h;
static bool g_live;

static inline struct harness *machine(enum cpu_model model)
{
    if (g_live)
        h_free(&g_h);
    memset(&g_h, 0, sizeof g_h);
    h_init(&g_h, model);
    g_live = true;
    return &g_h;
}

static inline int group_teardown(void **state)
{
    (void)state;
    if (g_live)
        h_free(&g_h);
    g_live = false;
    return 0;
}

#define LIN(seg, off) ((((uint32_t)(seg)) << 4) + (uint32_t)(off))
#define CODE(off) LIN(H_CODE_SEG, off)
#define DS(off) LIN(0x2000, off)
#define ES(off) LIN(0x3000, off)
#define SS(off) LIN(0x4000, off)

static inline void poke8(struct harness *h, uint32_t lin, uint8_t v)
{
    h->ram[lin] = v;
    physmem_wrote(&h->mem, lin, 1);
}

static inline void poke16(struct harness *h, uint32_t lin, uint16_t v)
{
    h->ram[lin] = (uint8_t)v;
    h->ram[lin + 1] = (uint8_t)(v >> 8);
    physmem_wrote(&h->mem, lin, 2);
}

static inline void poke32(struct harness *h, uint32_t lin, uint32_t v)
{
    poke16(h, lin, (uint16_t)v);
    poke16(h, lin + 2, (uint16_t)(v >> 16));
}

static inline uint8_t peek8(const struct harness *h, uint32_t lin) { return h->ram[lin]; }

static inline uint16_t peek16(const struct harness *h, uint32_t lin)
{
    return (uint16_t)(h->ram[lin] | h->ram[lin + 1] << 8);
}

static inline uint32_t peek32(const struct harness *h, uint32_t lin)
{
    return peek16(h, lin) | (uint32_t)peek16(h, lin + 2) << 16;
}

static inline void load(struct harness *h, const uint8_t *code, size_t len)
{
    memcpy(h->ram + CODE(0), code, len);
    physmem_wrote(&h->mem, CODE(0), (uint32_t)len);
}

/* Runs until HLT or shutdown, one instruction per cpu_run call. */
static inline uint64_t run(struct harness *h)
{
    uint64_t n = 0;
    while (n < 1000000 && !h->cpu.halted && !h->cpu.shutdown)
        n += cpu_run(&h->cpu, 1);
    return n;
}

#define LOAD(h, ...)                                                                       \
    do {                                                                                   \
        static const uint8_t code_[] = { __VA_ARGS__ };                                    \
        load(h, code_, sizeof code_);                                                      \
    } while (0)
#define RUN(h, ...)                                                                        \
    do {                                                                                   \
        LOAD(h, __VA_ARGS__);                                                              \
        run(h);                                                                            \
    } while (0)

static inline uint32_t flags(struct harness *h) { return cpu_get_eflags(&h->cpu); }
static inline uint16_t ax(const struct harness *h) { return (uint16_t)h->cpu.r[R_EAX]; }
static inline uint16_t reg16(const struct harness *h, int r) { return (uint16_t)h->cpu.r[r]; }

/* Execution ended on the HLT at code offset ip - 1. */
static inline void assert_halted_at(const struct harness *h, uint32_t ip)
{
    assert_false(h->cpu.shutdown);
    assert_true(h->cpu.halted);
    assert_int_equal(h->cpu.seg[S_CS].sel, H_CODE_SEG);
    assert_int_equal(h->cpu.eip, ip);
}

/* Vector `vector` was delivered with return address 1000:ip on the stack. */
static inline void assert_taken(const struct harness *h, int vector, uint16_t ip)
{
    assert_false(h->cpu.shutdown);
    assert_int_equal(h_vector(h), vector);
    uint32_t ss = h->cpu.seg[S_SS].base;
    uint16_t sp = (uint16_t)h->cpu.r[R_ESP];
    assert_int_equal(peek16(h, ss + sp), ip);
    assert_int_equal(peek16(h, ss + (uint16_t)(sp + 2)), H_CODE_SEG);
}

static inline uint16_t pushed_flags(const struct harness *h)
{
    uint32_t ss = h->cpu.seg[S_SS].base;
    return peek16(h, ss + (uint16_t)(h->cpu.r[R_ESP] + 4));
}

/* Interrupt acknowledges counted by ack_irq. */
static int acks;

/* The 8259's INTA: hands out vector 0x40 once and drops the line. */
static inline int ack_irq(void *opaque)
{
    struct cpu *c = opaque;
    c->intr_line = 0;
    acks++;
    return 0x40;
}

static inline struct harness *irq_machine(uint32_t eflags)
{
    struct harness *h = machine(CPU_386);
    h->cpu.intr_ack = ack_irq;
    h->cpu.intr_opaque = &h->cpu;
    cpu_set_eflags(&h->cpu, eflags);
    acks = 0;
    return h;
}

#endif
