/* orrery's side of the oracle (see emu.h). */
#include "emu.h"

#include <stddef.h>
#include <string.h>

#include "cpu/descriptor.h"
#include "mmu/tlb.h"

/* Layout of the system area. */
enum {
    SYS_GDT = 0x0000,
    SYS_IDT = 0x1000,
    SYS_TSS = 0x2000,
    SYS_STUBS = 0x3000, /* one HLT per vector: the stub of vector v is at SYS_STUBS + v */
    SYS_LDT_TABLE = 0x4000,
    SYS_STACK_TOP = 0x10000,
};

/* Linux's GDT for a 32-bit process on an x86-64 kernel (arch/x86/kernel/cpu/common.c,
 * GDT_ENTRY_INIT flags 0xc09b, 0xa09b, 0xc093, 0xc0fb, 0xc0f3, 0xa0fb), 16 entries. Entry 8
 * is our 32-bit TSS where Linux has its 64-bit one, entry 10 the LDT (the child's one
 * entry, as the host kernel built it); 11-15 (TLS, per-CPU) stay empty and the generator
 * never names them. */
static const uint64_t gdt[16] = {
    [1] = 0x00CF9B000000FFFFull, /* 0x08 kernel code, 32-bit */
    [2] = 0x00AF9B000000FFFFull, /* 0x10 kernel code, 64-bit */
    [3] = 0x00CF93000000FFFFull, /* 0x18 kernel data */
    [4] = 0x00CFFB000000FFFFull, /* 0x23 user code, 32-bit */
    [5] = 0x00CFF3000000FFFFull, /* 0x2B user data */
    [6] = 0x00AFFB000000FFFFull, /* 0x33 user code, 64-bit */
};

static uint32_t guard_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)addr;
    (void)size;
    ((struct emu *)opaque)->oob++;
    return 0xFFFFFFFFu;
}

static void guard_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    (void)addr;
    (void)size;
    (void)value;
    ((struct emu *)opaque)->oob++;
}

static int add_guard(struct emu *e, uint32_t lo, uint64_t hi)
{
    if (hi <= lo)
        return 0;
    return physmem_add_mmio(&e->mem, lo, (uint32_t)(hi - lo), guard_read, guard_write, e);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void cache_of(struct emu *e, uint16_t sel, struct seg_cache *c)
{
    struct desc d = { (uint32_t)gdt[sel >> 3], (uint32_t)(gdt[sel >> 3] >> 32),
                      EMU_SYS_BASE + SYS_GDT + (sel & ~7u) };
    desc_to_cache(&e->cpu, &d, sel, c);
}

int emu_init(struct emu *e, const struct oracle_shm *layout)
{
    memset(e, 0, sizeof *e);
    if (physmem_init(&e->mem) < 0 || iobus_init(&e->io) < 0)
        return -1;
    e->data_base = layout->data_base;
    e->code_base = layout->code_base;
    e->code_size = layout->code_size;
    e->pattern = layout->pattern;
    /* The data and code regions are adjacent in both layouts: one RAM region. */
    uint32_t lo = e->data_base, hi = e->code_base + e->code_size;
    if (e->code_base != lo + ORACLE_DATA_SIZE)
        return -1;
    uint8_t *ram = physmem_add_ram(&e->mem, lo, hi - lo);
    e->sys = physmem_add_ram(&e->mem, EMU_SYS_BASE, EMU_SYS_SIZE);
    if (!ram || !e->sys)
        return -1;
    e->data = ram;
    e->code = ram + ORACLE_DATA_SIZE;
    if (add_guard(e, 0, lo) < 0 || add_guard(e, hi, EMU_SYS_BASE) < 0 ||
        add_guard(e, EMU_SYS_BASE + EMU_SYS_SIZE, 1ull << 32) < 0)
        return -1;
    memcpy(e->data, e->pattern, ORACLE_DATA_SIZE);
    memset(e->code, ORACLE_INT3, e->code_size);

    /* GDT, IDT (interrupt gates to the stubs; INT3 and INTO reachable from CPL 3 as on
     * Linux), a 32-bit TSS whose I/O map lies past its limit (every port is #GP at IOPL 0),
     * the stubs. */
    for (unsigned i = 0; i < 16; i++) {
        put32(e->sys + SYS_GDT + 8 * i, (uint32_t)gdt[i]);
        put32(e->sys + SYS_GDT + 8 * i + 4, (uint32_t)(gdt[i] >> 32));
    }
    put32(e->sys + SYS_GDT + 0x40, (uint32_t)(0x67 | ((EMU_SYS_BASE + SYS_TSS) << 16)));
    put32(e->sys + SYS_GDT + 0x44, ((EMU_SYS_BASE + SYS_TSS) >> 16 & 0xFF) | 0x8B00 |
                                       ((EMU_SYS_BASE + SYS_TSS) & 0xFF000000u));
    for (unsigned v = 0; v < 256; v++) {
        uint32_t target = EMU_SYS_BASE + SYS_STUBS + v;
        unsigned dpl = (v == 3 || v == 4 || v == 0x80) ? 3 : 0;
        put32(e->sys + SYS_IDT + 8 * v, (target & 0xFFFF) | (EMU_KERNEL_CS << 16));
        put32(e->sys + SYS_IDT + 8 * v + 4, (target & 0xFFFF0000u) | 0x8E00 | (dpl << 13));
        e->sys[SYS_STUBS + v] = 0xF4;
    }
    put32(e->sys + SYS_TSS + 4, EMU_SYS_BASE + SYS_STACK_TOP); /* ESP0 */
    put32(e->sys + SYS_TSS + 8, 0x18);                         /* SS0 */
    put32(e->sys + SYS_TSS + 0x64, 0x68u << 16);               /* I/O map base past the limit */
    const uint32_t ldt = EMU_SYS_BASE + SYS_LDT_TABLE;
    put32(e->sys + SYS_GDT + 0x50, 7 | (ldt << 16));
    put32(e->sys + SYS_GDT + 0x54, (ldt >> 16 & 0xFF) | 0x8200 | (ldt & 0xFF000000u));
    if (layout->ldt_ok) {
        put32(e->sys + SYS_LDT_TABLE, layout->ldt_lo);
        put32(e->sys + SYS_LDT_TABLE + 4, layout->ldt_hi);
    }

    struct cpu *cpu = &e->cpu;
    cpu_init(cpu, CPU_P2, &e->mem, &e->io);
    cpu->cr[0] = 0x50033; /* PE MP ET NE WP AM, as Linux runs (no paging in orrery yet) */
    cpu->gdtr.base = EMU_SYS_BASE + SYS_GDT;
    cpu->gdtr.limit = 16 * 8 - 1;
    cpu->idtr.base = EMU_SYS_BASE + SYS_IDT;
    cpu->idtr.limit = 256 * 8 - 1;
    memset(&cpu->ldtr, 0, sizeof cpu->ldtr);
    if (layout->ldt_ok) {
        cpu->ldtr.sel = 0x50;
        cpu->ldtr.base = ldt;
        cpu->ldtr.limit = 7;
        cpu->ldtr.attr = 0x82;
        struct desc d = { layout->ldt_lo, layout->ldt_hi, ldt };
        desc_to_cache(cpu, &d, ORACLE_LDT_SEL, &e->ldt_data);
    }
    cpu->tr.sel = 0x40;
    cpu->tr.base = EMU_SYS_BASE + SYS_TSS;
    cpu->tr.limit = 0x67;
    cpu->tr.attr = 0x8B;
    cache_of(e, ORACLE_USER_CS, &cpu->seg[S_CS]);
    for (int s = 0; s < S_COUNT; s++)
        if (s != S_CS)
            cache_of(e, ORACLE_USER_DS, &cpu->seg[s]);
    cpu->mode = MODE_PROT;
    cpu->cpl = 3;
    cpu_set_eflags(cpu, 0x202);
    cpu->dr[7] = 0x400;
    e->template = *cpu;
    return 0;
}

void emu_save(const struct emu *e, struct emu_snap *s)
{
    memcpy(s->cpu, &e->cpu, sizeof s->cpu);
    memcpy(s->data, e->data, ORACLE_DATA_SIZE);
}

void emu_restore(struct emu *e, const struct emu_snap *s)
{
    memcpy(&e->cpu, s->cpu, sizeof s->cpu);
    tlb_flush_all(&e->cpu.tlb);
    memcpy(e->data, s->data, ORACLE_DATA_SIZE);
}

void emu_free(struct emu *e)
{
    physmem_free(&e->mem);
    iobus_free(&e->io);
}

void emu_begin(struct emu *e, const struct oracle_case *c)
{
    struct cpu *cpu = &e->cpu;
    /* The template without its TLB (most of struct cpu): the entries the last case filled
     * are flushed instead (cpu.h: the TLB stays last). */
    memcpy(cpu, &e->template, offsetof(struct cpu, tlb));
    tlb_flush_all(&cpu->tlb);
    memcpy(cpu->r, c->regs, sizeof c->regs);
    cpu->r[R_ZERO] = 0;
    cpu->eip = c->code_addr;
    cpu_set_eflags(cpu, c->eflags);
    if (c->data_sel == ORACLE_LDT_SEL)
        for (int s = 0; s < S_COUNT; s++)
            if (s != S_CS)
                cpu->seg[s] = e->ldt_data;
    oracle_apply_patches(e->data, c);
    if (c->code_len <= ORACLE_MAX_CODE && c->code_addr >= e->code_base &&
        c->code_addr + c->code_len <= e->code_base + e->code_size)
        memcpy(e->code + (c->code_addr - e->code_base), c->code, c->code_len);
    e->oob = 0;
}

bool emu_in_exception(const struct emu *e)
{
    return e->cpu.seg[S_CS].sel == EMU_KERNEL_CS;
}

bool emu_step(struct emu *e)
{
    cpu_run(&e->cpu, 1);
    return emu_in_exception(e);
}

static bool has_error_code(unsigned v)
{
    return v == EXC_DF || (v >= EXC_TS && v <= EXC_PF) || v == EXC_AC;
}

/* The ring-0 frame: [error], EIP, CS, EFLAGS, ESP, SS. */
static void read_frame(const struct emu *e, uint32_t frame[6])
{
    uint32_t sp = e->cpu.r[R_ESP] - EMU_SYS_BASE;
    for (unsigned i = 0; i < 6; i++) {
        frame[i] = 0;
        for (unsigned k = 0; k < 4 && sp + 4 * i + 4 <= EMU_SYS_SIZE; k++)
            frame[i] |= (uint32_t)e->sys[sp + 4 * i + k] << (8 * k);
    }
}

void emu_exception(const struct emu *e, uint32_t *vector, uint32_t *error)
{
    uint32_t frame[6];
    *vector = e->cpu.eip - (EMU_SYS_BASE + SYS_STUBS);
    read_frame(e, frame);
    *error = has_error_code(*vector) ? frame[0] : 0;
}

void emu_finish(struct emu *e, const struct oracle_case *c, struct oracle_result *r)
{
    struct cpu *cpu = &e->cpu;
    memset(r, 0, offsetof(struct oracle_result, diff));
    memcpy(r->regs, cpu->r, sizeof r->regs);
    for (int s = 0; s < S_COUNT; s++)
        r->sreg[s] = cpu->seg[s].sel;
    if (emu_in_exception(e)) {
        uint32_t v = cpu->eip - (EMU_SYS_BASE + SYS_STUBS);
        uint32_t frame[6];
        read_frame(e, frame);
        unsigned k = 0;
        r->end = ORACLE_END_EXCEPTION;
        r->vector = v;
        if (has_error_code(v))
            r->error = frame[k++];
        r->eip = frame[k++];
        r->sreg[S_CS] = frame[k++] & 0xFFFF;
        r->eflags = frame[k++];
        r->regs[R_ESP] = frame[k++];
        r->sreg[S_SS] = frame[k] & 0xFFFF;
    } else {
        r->end = ORACLE_END_NORMAL;
        r->eip = cpu->eip;
        r->eflags = cpu_get_eflags(cpu);
    }
    if (c->code_len <= ORACLE_MAX_CODE && c->code_addr >= e->code_base &&
        c->code_addr + c->code_len <= e->code_base + e->code_size)
        memset(e->code + (c->code_addr - e->code_base), ORACLE_INT3, c->code_len);
    r->ndiff = oracle_diff_restore(e->data, e->pattern, r->diff);
}
