/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the CPU: hostile guest code must never crash the emulator.
 *
 * The input is a 48-byte header followed by code:
 *   [0]      model (286, 386, 486, pentium, pentium2)
 *   [1]      machine flags (FF_* below): 32-bit code segment, 32-bit stack, 4 GiB data
 *            limits ("unreal" caches), IRET instead of HLT in the handler stubs, code at
 *            the end of the segment, A20 off, interrupt line, line dropped on INTA
 *   [2..33]  EAX ECX EDX EBX ESP EBP ESI EDI (little endian)
 *   [34..37] EFLAGS (through cpu_set_eflags, so only writable bits stick)
 *   [38]     the vector INTA returns
 *   [39..46] DS ES SS FS selectors
 *   [47]     IDTR limit selector (0: 0x3FF; otherwise the byte itself)
 * Missing header bytes read as zero. The machine is the unit-test harness's (2 MiB RAM,
 * every IVT vector n pointing at a stub at F000:n); RAM is restored between runs from a
 * pristine copy using the dirty-page bitmap, so runs are independent and fast.
 *
 * Each input runs twice: single-stepped (cpu_run(cpu, 1) under a work budget of about
 * MAX_STEPS instructions), then from the same start in one cpu_run call of the same length.
 * Besides the sanitizers, the harness aborts when the two end states differ or when the
 * loop leaves fault bookkeeping behind.
 *
 *   CC=clang cmake -S . -B build-fuzz -DORRERY_FUZZ=ON -DORRERY_SANITIZE=ON \
 *         -DCMAKE_BUILD_TYPE=Debug
 *   cmake --build build-fuzz --target fuzz_cpu && ./build-fuzz/fuzz_cpu -max_total_time=300
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 48
#define RAM_SIZE (2u << 20)
#define MAX_STEPS 2000
#define MAX_CODE 0x4000

enum {
    FF_CODE32 = 1u << 0,
    FF_STACK32 = 1u << 1,
    FF_BIG_LIMITS = 1u << 2,
    FF_IRET_STUBS = 1u << 3,
    FF_CODE_AT_END = 1u << 4,
    FF_A20_OFF = 1u << 5,
    FF_INTR = 1u << 6,
    FF_INTR_DROP = 1u << 7,
};

static struct harness g_h;
static uint8_t *g_pristine;
static int g_ready;
static uint8_t g_vector;
static uint8_t g_drop;

static const enum cpu_model models[] = { CPU_286, CPU_386, CPU_486, CPU_PENTIUM, CPU_P2 };

static int fuzz_ack(void *opaque)
{
    struct cpu *c = opaque;
    if (g_drop)
        c->intr_line = 0;
    return g_vector;
}

static void setup_once(void)
{
    h_init(&g_h, CPU_386);
    if (!g_h.ram || physmem_track_dirty(&g_h.mem, true) != 0)
        abort();
    g_pristine = malloc(RAM_SIZE);
    if (!g_pristine)
        abort();
    memcpy(g_pristine, g_h.ram, RAM_SIZE);
    g_ready = 1;
}

/* Marks the pages of [lin, lin + len) for restoring: the harness writes RAM through its
 * host pointer, which the dirty bitmap does not see. */
static void mark_written(uint32_t lin, size_t len)
{
    for (uint32_t page = lin >> PHYS_PAGE_SHIFT; page <= (lin + len - 1) >> PHYS_PAGE_SHIFT; page++)
        g_h.mem.dirty[page >> 3] |= (uint8_t)(1u << (page & 7));
}

/* Puts back every RAM page the previous input wrote. */
static void restore_ram(void)
{
    for (uint32_t page = 0; page < RAM_SIZE >> PHYS_PAGE_SHIFT; page++)
        if (physmem_page_dirty(&g_h.mem, page))
            memcpy(g_h.ram + (page << PHYS_PAGE_SHIFT), g_pristine + (page << PHYS_PAGE_SHIFT),
                   PHYS_PAGE_SIZE);
    physmem_clear_dirty(&g_h.mem);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* FNV-1a over the RAM pages the run wrote (the dirty bitmap names them). */
static uint64_t ram_digest(void)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t page = 0; page < RAM_SIZE >> PHYS_PAGE_SHIFT; page++) {
        if (!physmem_page_dirty(&g_h.mem, page))
            continue;
        const uint8_t *p = g_h.ram + (page << PHYS_PAGE_SHIFT);
        for (uint32_t i = 0; i < PHYS_PAGE_SIZE; i++)
            h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}

/* Fresh machine state from the header, code in place. */
static void setup_run(const uint8_t *hdr, const uint8_t *code, size_t code_len)
{
    restore_ram();

    struct cpu *cpu = &g_h.cpu;
    const uint8_t fl = hdr[1];
    cpu_init(cpu, models[hdr[0] % (sizeof models / sizeof models[0])], &g_h.mem, &g_h.io);
    physmem_set_a20(&g_h.mem, !(fl & FF_A20_OFF));

    cpu_load_seg_real(cpu, S_CS, H_CODE_SEG);
    cpu_load_seg_real(cpu, S_DS, (uint16_t)(hdr[39] | hdr[40] << 8));
    cpu_load_seg_real(cpu, S_ES, (uint16_t)(hdr[41] | hdr[42] << 8));
    cpu_load_seg_real(cpu, S_SS, (uint16_t)(hdr[43] | hdr[44] << 8));
    cpu_load_seg_real(cpu, S_FS, (uint16_t)(hdr[45] | hdr[46] << 8));
    cpu_load_seg_real(cpu, S_GS, 0);
    if (fl & FF_CODE32)
        cpu->seg[S_CS].attr |= SEG_ATTR_DB;
    if (fl & FF_STACK32)
        cpu->seg[S_SS].attr |= SEG_ATTR_DB;
    if (fl & FF_BIG_LIMITS)
        for (int s = 0; s < S_COUNT; s++)
            if (s != S_CS)
                cpu->seg[s].limit = 0xFFFFFFFFu;
    if (hdr[47])
        cpu->idtr.limit = hdr[47];

    for (int r = R_EAX; r <= R_EDI; r++)
        cpu->r[r] = le32(hdr + 2 + 4 * r);
    cpu_set_eflags(cpu, le32(hdr + 34));

    if (fl & FF_IRET_STUBS) {
        memset(g_h.ram + (H_HANDLER_SEG << 4), 0xCF, 256);
        mark_written(H_HANDLER_SEG << 4, 256);
    }

    uint32_t ip = 0;
    if ((fl & FF_CODE_AT_END) && code_len && code_len <= 0x10000)
        ip = (uint32_t)(0x10000 - code_len);
    if (code_len) {
        memcpy(g_h.ram + (H_CODE_SEG << 4) + ip, code, code_len);
        mark_written((H_CODE_SEG << 4) + ip, code_len);
    }
    cpu->eip = ip;

    g_vector = hdr[38];
    g_drop = (fl & FF_INTR_DROP) != 0;
    cpu->intr_ack = fuzz_ack;
    cpu->intr_opaque = cpu;
    cpu->intr_line = (fl & FF_INTR) != 0;
}

/* What two runs of the same input must agree on. */
struct outcome {
    uint32_t r[8], eip, eflags, base[S_COUNT], limit[S_COUNT], cr0, dr6;
    uint16_t sel[S_COUNT], idt_limit;
    uint64_t icount, ram;
    uint8_t halted, shutdown, intr_line, mode;
};

static void outcome_of(struct outcome *o)
{
    struct cpu *cpu = &g_h.cpu;
    memset(o, 0, sizeof *o);
    memcpy(o->r, cpu->r, sizeof o->r);
    o->eip = cpu->eip;
    o->eflags = cpu_get_eflags(cpu);
    for (int s = 0; s < S_COUNT; s++) {
        o->sel[s] = cpu->seg[s].sel;
        o->base[s] = cpu->seg[s].base;
        o->limit[s] = cpu->seg[s].limit;
    }
    o->cr0 = cpu->cr[0];
    o->dr6 = cpu->dr[6];
    o->idt_limit = cpu->idtr.limit;
    o->icount = cpu->icount;
    o->ram = ram_digest();
    o->halted = cpu->halted;
    o->shutdown = cpu->shutdown;
    o->intr_line = cpu->intr_line;
    o->mode = cpu->mode;
}

/* Invariants the loop promises whatever the guest did. */
static void check_invariants(const char *run)
{
    const struct cpu *cpu = &g_h.cpu;
    if (!cpu->shutdown && cpu->delivering != 0) {
        fprintf(stderr, "%s: delivering %d left behind\n", run, cpu->delivering);
        abort();
    }
    if (cpu->fault_jmp != NULL) {
        fprintf(stderr, "%s: fault_jmp left pointing into a finished cpu_run\n", run);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t hdr[HDR] = { 0 };
    memcpy(hdr, data, size < HDR ? size : HDR);
    const uint8_t *code = size > HDR ? data + HDR : NULL;
    size_t code_len = size > HDR ? size - HDR : 0;
    if (code_len > MAX_CODE)
        code_len = MAX_CODE;
    if (!g_ready)
        setup_once();
    struct cpu *cpu = &g_h.cpu;

    /* Run 1: one instruction per cpu_run against a work budget: each instruction costs 1,
     * and a drop in ECX (string iterations, up to 4096 per step) costs 1 per 16, so
     * REP-heavy inputs stay as cheap as straight-line ones. */
    setup_run(hdr, code, code_len);
    uint64_t work = 0;
    while (work < MAX_STEPS && !cpu->shutdown) {
        uint32_t ecx = cpu->r[R_ECX];
        if (cpu_run(cpu, 1) == 0)
            break; /* halted with nothing to wake it */
        uint32_t drop = ecx - cpu->r[R_ECX];
        work += 1 + (drop <= 4096 ? drop : 4096) / 16;
    }
    check_invariants("stepped");
    struct outcome a, b;
    outcome_of(&a);

    /* Run 2: the same number of instructions in one cpu_run call. Batching must not change
     * anything the guest can see (interrupt shadow, REP resumption, fault unwinding). */
    setup_run(hdr, code, code_len);
    cpu_run(cpu, a.icount);
    check_invariants("batched");
    outcome_of(&b);
    if (memcmp(&a, &b, sizeof a) != 0) {
        fprintf(stderr, "stepped and batched runs differ: eip %x/%x icount %llu/%llu "
                "eflags %x/%x halted %d/%d shutdown %d/%d ram %d\n",
                a.eip, b.eip, (unsigned long long)a.icount, (unsigned long long)b.icount,
                a.eflags, b.eflags, a.halted, b.halted, a.shutdown, b.shutdown, a.ram != b.ram);
        for (int r = 0; r < 8; r++)
            if (a.r[r] != b.r[r])
                fprintf(stderr, "  r%d %08x/%08x\n", r, a.r[r], b.r[r]);
        abort();
    }
    return 0;
}
