/* SPDX-License-Identifier: MIT */
/* The whole opcode map on every model: each one-byte and 0F xx opcode × ModRM.reg ×
 * register operand (each rm) or memory operand × no prefix, 66, F2, F3, decoded and
 * executed by orrery in protected mode at CPL 0, and whether it raised #UD compared with
 * the map the manuals give (tests/opmap, written from the SDM's opcode maps, never from
 * cpu/opcodes.def). Every disagreement is printed, so the run itself is the list of
 * findings; the test fails on any disagreement that is not among the known ones below,
 * and on a known one that has gone away (then the list is out of date). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"
#include "cpu/descriptor.h"
#include "cpu/exec.h"
#include "mmu/tlb.h"
#include "tests/opmap/opmap.h"

enum {
    RAM_SIZE = 2u << 20,
    GDT = 0x1F0000u,
    CODE_BASE = 0x10000u, /* CS base; the instruction at CS:0100 */
    CODE_EIP = 0x100u,
    DATA_DISP = 0x2000u,  /* the memory operand: DS:2000 */
    STACK_TOP = 0x8000u,
    SEL_CODE = 0x08,
    SEL_DATA = 0x10,
};

struct rig {
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    struct cpu template;
    uint8_t *ram;
};

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xFFFFu) | (uint64_t)(base & 0xFFFFu) << 16 |
           (uint64_t)((base >> 16) & 0xFF) << 32 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xF) << 48 | (uint64_t)flags << 52 |
           (uint64_t)(base >> 24) << 56;
}

static void load(struct rig *r, uint16_t sel, uint64_t d, struct seg_cache *c)
{
    for (unsigned i = 0; i < 8; i++)
        r->ram[GDT + sel + i] = (uint8_t)(d >> (8 * i));
    struct desc de = { (uint32_t)d, (uint32_t)(d >> 32), GDT + sel };
    desc_to_cache(&r->cpu, &de, sel, c);
}

/* Flat protected mode at CPL 0: 16-bit segments on the 286, 32-bit ones from the 386; no
 * IDT (an INT raises #GP, which is not #UD); x87 and MMX enabled (CR0.EM = TS = 0). */
static void rig_init(struct rig *r, enum cpu_model m)
{
    memset(r, 0, sizeof *r);
    assert_int_equal(physmem_init(&r->mem), 0);
    assert_int_equal(iobus_init(&r->io), 0);
    r->ram = physmem_add_ram(&r->mem, 0, RAM_SIZE);
    assert_non_null(r->ram);
    struct cpu *cpu = &r->cpu;
    cpu_init(cpu, m, &r->mem, &r->io);
    const bool is386 = m >= CPU_386;
    cpu->gdtr.base = GDT;
    cpu->gdtr.limit = 0x1F;
    cpu->idtr.base = 0;
    cpu->idtr.limit = 0;
    cpu->cr[0] = (cpu->cr[0] | 1u) & ~0xCu; /* PE; not EM, not TS */
    cpu->mode = MODE_PROT;
    cpu->cpl = 0;
    load(r, SEL_CODE, seg_desc(CODE_BASE, 0xFFFF, 0x9B, is386 ? 0x4 : 0), &cpu->seg[S_CS]);
    uint64_t data = is386 ? seg_desc(0, 0xFFFFF, 0x93, 0xC) : seg_desc(0, 0xFFFF, 0x93, 0);
    for (int s = 0; s < S_COUNT; s++)
        if (s != S_CS && (is386 || (s != S_FS && s != S_GS)))
            load(r, SEL_DATA, data, &cpu->seg[s]);
    cpu_set_eflags(cpu, 0x2);
    r->template = *cpu;
}

static void rig_free(struct rig *r)
{
    physmem_free(&r->mem);
    iobus_free(&r->io);
}

enum outcome { RAN, UD, STOPPED };

/* Decodes and executes one instruction from the template state, as the interpreter's
 * step does; returns whether it raised #UD (or stopped the CPU as unimplemented). */
static enum outcome run(struct rig *r, const uint8_t *b, size_t n, const char **stop)
{
    struct cpu *cpu = &r->cpu;
    memcpy(cpu, &r->template, offsetof(struct cpu, tlb));
    tlb_flush_all(&cpu->tlb);
    memset(r->ram + CODE_BASE + CODE_EIP, 0, 32);
    memcpy(r->ram + CODE_BASE + CODE_EIP, b, n);
    memset(cpu->r, 0, sizeof cpu->r);
    cpu->r[R_ESP] = STACK_TOP;
    cpu->eip = CODE_EIP;
    cpu->insn_eip = cpu->eip;
    cpu->insn_esp = cpu->r[R_ESP];
    jmp_buf jb;
    cpu->fault_jmp = &jb;
    cpu->fault_vector = 0;
    if (setjmp(jb)) {
        if (cpu->fault_vector == EXC_UD)
            return UD;
        if (cpu->fault_vector < 0 && cpu->shutdown) {
            *stop = cpu->stop_reason;
            return STOPPED;
        }
        return RAN; /* another fault: the form exists */
    }
    struct insn in;
    decode(cpu, &in);
    cpu->eip += in.len;
    in.fn(cpu, &in);
    return RAN;
}

static size_t encode(const struct opmap_form *f, bool code32, uint8_t *b)
{
    size_t n = 0;
    if (f->prefix)
        b[n++] = f->prefix;
    if (f->op >= 0x100)
        b[n++] = 0x0F;
    b[n++] = (uint8_t)f->op;
    if (!f->mem) {
        b[n++] = (uint8_t)(0xC0 | f->reg << 3 | f->rm);
    } else if (code32) {
        b[n++] = (uint8_t)(f->reg << 3 | 5); /* [disp32] */
        b[n++] = (uint8_t)DATA_DISP;
        b[n++] = (uint8_t)(DATA_DISP >> 8);
        b[n++] = 0;
        b[n++] = 0;
    } else {
        b[n++] = (uint8_t)(f->reg << 3 | 6); /* [disp16] */
        b[n++] = (uint8_t)DATA_DISP;
        b[n++] = (uint8_t)(DATA_DISP >> 8);
    }
    return n; /* zeros follow: immediates, offsets */
}

/* Disagreements the sweep finds that are not fixed, each with its reason. A form matches
 * when model, prefix (0xFF: any), opcode and reg (8: any) match. */
struct known {
    uint8_t model, prefix;
    uint16_t op;
    uint8_t reg;
    const char *why;
};
#define TR_WHY                                                                             \
    "MOV to/from the test registers (TR6 TR7 on the 386, TR3-TR7 on the i486: TLB and cache " \
    "tests) is not implemented: orrery's software TLB has nothing for them to test"
static const struct known known[] = {
    { CPU_386, 0xFF, 0x124, 8, TR_WHY },
    { CPU_386, 0xFF, 0x126, 8, TR_WHY },
    { CPU_486, 0xFF, 0x124, 8, TR_WHY },
    { CPU_486, 0xFF, 0x126, 8, TR_WHY },
    { 0, 0, 0, 0, NULL },
};

static const struct known *known_for(const struct opmap_form *f)
{
    for (size_t i = 0; known[i].why; i++) {
        const struct known *k = &known[i];
        if (k->model == f->model && (k->prefix == 0xFF || k->prefix == f->prefix) &&
            k->op == f->op && (k->reg == 8 || k->reg == f->reg))
            return k;
    }
    return NULL;
}

/* "F3 0F 1E /1", "D8 /7" */
static const char *form_name(const struct opmap_form *f)
{
    static char buf[32];
    char pfx[4] = "";
    if (f->prefix)
        snprintf(pfx, sizeof pfx, "%02X ", f->prefix);
    snprintf(buf, sizeof buf, "%s%s%02X /%u", pfx, f->op >= 0x100 ? "0F " : "", f->op & 0xFF,
             f->reg);
    return buf;
}

/* "rm 0-7 and mem", "mem", "rm 3" */
static const char *forms_name(unsigned mask)
{
    static char buf[32];
    if ((mask & 0xFF) == 0xFF)
        snprintf(buf, sizeof buf, "rm 0-7%s", mask & 0x100 ? " and mem" : "");
    else if (!(mask & 0xFF))
        snprintf(buf, sizeof buf, "mem");
    else {
        size_t o = (size_t)snprintf(buf, sizeof buf, "rm");
        for (unsigned i = 0; i < 8; i++)
            if (mask & (1u << i))
                o += (size_t)snprintf(buf + o, sizeof buf - o, " %u", i);
        if (mask & 0x100)
            snprintf(buf + o, sizeof buf - o, " and mem");
    }
    return buf;
}

static void test_opcode_map_per_model(void **state)
{
    (void)state;
    static const enum cpu_model models[] = { CPU_286, CPU_386, CPU_486, CPU_PENTIUM, CPU_P2 };
    static const uint8_t prefixes[] = { 0, 0x66, 0xF2, 0xF3 };
    unsigned unexpected = 0, known_hits = 0;
    bool known_seen[sizeof known / sizeof known[0]] = { false };
    struct rig *r = malloc(sizeof *r);
    assert_non_null(r);
    for (size_t mi = 0; mi < sizeof models / sizeof models[0]; mi++) {
        const enum cpu_model m = models[mi];
        const char *name = cpu_model_get(m)->name;
        unsigned checked = 0, either = 0, ud = 0, stopped = 0;
        rig_init(r, m);
        for (unsigned op = 0; op < 0x200; op++) {
            if (op == 0x0F)
                continue;
            for (size_t pi = 0; pi < 4; pi++)
                for (unsigned reg = 0; reg < 8; reg++) {
                    /* the forms of this prefix, opcode and reg that disagree: bits 0-7 the
                     * register operands rm 0-7, bit 8 the memory operand; by outcome */
                    unsigned bad[2] = { 0, 0 };
                    const struct known *k = NULL;
                    for (unsigned form = 0; form < 9; form++) {
                        const struct opmap_form f = { (uint8_t)m, prefixes[pi], (uint16_t)op,
                                                      (uint8_t)reg, (uint8_t)(form & 7),
                                                      form == 8 };
                        enum opmap_want want = opmap_expect(&f, NULL);
                        if (want == OPMAP_PREFIX)
                            continue;
                        uint8_t b[16];
                        size_t n = encode(&f, m >= CPU_386, b);
                        const char *stop = NULL;
                        enum outcome got = run(r, b, n, &stop);
                        checked++;
                        ud += got == UD;
                        if (got == STOPPED) { /* reached something orrery lacks */
                            stopped++;
                            unexpected++;
                            print_message("  %s: %s: stops the CPU: %s\n", name,
                                          form_name(&f), stop);
                        } else if (want == OPMAP_EITHER) {
                            either++;
                        } else if ((got == UD) != (want == OPMAP_UD)) {
                            bad[got == UD] |= 1u << form;
                            k = known_for(&f);
                        }
                    }
                    for (unsigned g = 0; g < 2; g++) {
                        if (!bad[g])
                            continue;
                        const struct opmap_form f = { (uint8_t)m, prefixes[pi], (uint16_t)op,
                                                      (uint8_t)reg, 0, false };
                        unsigned nforms = (unsigned)__builtin_popcount(bad[g]);
                        if (k) {
                            known_hits += nforms;
                            known_seen[k - known] = true;
                        } else {
                            unexpected += nforms;
                        }
                        print_message("  %s: %s %s: %s, the map says %s%s\n", name,
                                      form_name(&f), forms_name(bad[g]),
                                      g ? "#UD" : "executes", g ? "executes" : "#UD",
                                      k ? " (known, below)" : "");
                    }
                }
        }
        print_message("%s: %u forms checked (%u #UD), %u the manuals leave open, %u stop\n",
                      name, checked, ud, either, stopped);
        rig_free(r);
    }
    free(r);
    for (size_t i = 0; known[i].why; i++) {
        print_message("known: %s 0F %02X: %s%s\n", cpu_model_get(known[i].model)->name,
                      known[i].op & 0xFF, known[i].why,
                      known_seen[i] ? "" : " -- NO LONGER SEEN: update the list");
        unexpected += !known_seen[i];
    }
    print_message("%u known disagreements, %u unexpected\n", known_hits, unexpected);
    assert_int_equal(unexpected, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opcode_map_per_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
