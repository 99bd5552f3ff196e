/* Segment registers: the access checks' slow path, descriptor loads in every mode, and the
 * stack helper of control transfers (SDM Vol. 3A ch. 3, 5). */
#include "cpu/transfer.h"

/* ---- access checks ---- */

bool seg_limit_ok(const struct seg_cache *c, uint32_t off, unsigned size)
{
    uint64_t last = (uint64_t)off + size - 1;
    if (c->ok & SEG_EXPDOWN) {
        uint32_t upper = (c->attr & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
        return off > c->limit && last <= upper;
    }
    return last <= c->limit;
}

/* A type violation (null selector, write to read-only, read of execute-only) or a limit
 * violation: #SS(0) through SS, #GP(0) otherwise. The 286 in real mode reports both as #GP
 * (286-real vectors: POP/RET/LEAVE at SP = 0xFFFF push vector 13). */
uint32_t seg_addr_slow(struct cpu *cpu, int s, uint32_t off, unsigned size, unsigned need)
{
    const struct seg_cache *c = &cpu->seg[s];
    if ((c->ok & need) == need && seg_limit_ok(c, off, size))
        return c->base + off;
    bool ss = s == S_SS && !(cpu->model == CPU_286 && cpu->mode == MODE_REAL);
    cpu_fault(cpu, ss ? EXC_SS : EXC_GP, 0);
}

uint8_t seg_ok_of(uint16_t attr)
{
    if (!(attr & SEG_ATTR_P) || !(attr & SEG_ATTR_S))
        return 0;
    if (attr & 0x8) /* code: never writable; readable if R */
        return (attr & 0x2) ? SEG_OK_READ : 0;
    return SEG_OK_READ | ((attr & 0x2) ? SEG_OK_WRITE : 0) | ((attr & 0x4) ? SEG_EXPDOWN : 0);
}

/* ---- descriptors ---- */

void desc_to_cache(const struct cpu *cpu, const struct desc *d, uint16_t sel, struct seg_cache *c)
{
    uint32_t base = (d->lo >> 16) | ((d->hi & 0xFF) << 16);
    uint32_t limit = d->lo & 0xFFFF;
    uint16_t attr = (uint16_t)((d->hi >> 8) & 0xFF);
    if (cpu->model >= CPU_386) {
        base |= d->hi & 0xFF000000u;
        limit |= d->hi & 0xF0000u;
        attr |= (uint16_t)((d->hi >> 8) & 0xF000);
        if (attr & SEG_ATTR_G)
            limit = (limit << 12) | 0xFFF;
    }
    c->sel = sel;
    c->base = base;
    c->limit = limit;
    c->attr = attr;
    c->ok = seg_ok_of(attr);
}

bool desc_fetch(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    uint32_t index = sel & ~7u;
    uint32_t base, limit;
    if (sel & 4) {
        if (!(cpu->ldtr.attr & SEG_ATTR_P) || (cpu->ldtr.sel & ~3u) == 0)
            return false;
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    if (index + 7 > limit)
        return false;
    d->addr = base + index;
    d->lo = sys_read(cpu, d->addr, 4);
    d->hi = sys_read(cpu, d->addr + 4, 4);
    return true;
}

void desc_set_accessed(struct cpu *cpu, struct desc *d)
{
    if (desc_s(d) && !(d->hi & 0x100)) {
        d->hi |= 0x100;
        sys_write(cpu, d->addr + 5, 1, (d->hi >> 8) & 0xFF);
    }
}

void desc_write_hi(struct cpu *cpu, struct desc *d)
{
    sys_write(cpu, d->addr + 5, 1, (d->hi >> 8) & 0xFF);
}

void seg_set_v86(struct seg_cache *c, uint16_t sel)
{
    c->sel = sel;
    c->base = (uint32_t)sel << 4;
    c->limit = 0xFFFF;
    c->attr = 0xF3; /* present, DPL 3, read/write accessed data */
    c->ok = SEG_OK_READ | SEG_OK_WRITE;
}

/* ---- segment register loads ---- */

static noreturn void sel_fault(struct cpu *cpu, int vector, uint16_t sel)
{
    cpu_fault(cpu, vector, sel & 0xFFFC);
}

/* MOV/POP/LxS to a data or stack segment register in protected mode (SDM Vol. 2B "MOV",
 * "POP": the checks in the manual's order). */
static void load_seg_prot(struct cpu *cpu, int sreg, uint16_t sel)
{
    struct desc d;
    const unsigned rpl = sel & 3, cpl = cpu->cpl;
    if (sreg == S_SS) {
        if ((sel & ~3u) == 0)
            cpu_fault(cpu, EXC_GP, 0);
        if (!desc_fetch(cpu, sel, &d))
            sel_fault(cpu, EXC_GP, sel);
        if (rpl != cpl || !desc_data_writable(&d) || desc_dpl(&d) != cpl)
            sel_fault(cpu, EXC_GP, sel);
        if (!desc_present(&d))
            sel_fault(cpu, EXC_SS, sel);
    } else {
        if ((sel & ~3u) == 0) { /* a null selector loads; using it faults */
            struct seg_cache *c = &cpu->seg[sreg];
            c->sel = sel;
            c->attr = 0;
            c->ok = 0;
            return;
        }
        if (!desc_fetch(cpu, sel, &d))
            sel_fault(cpu, EXC_GP, sel);
        if (!desc_is_data(&d) && !desc_code_readable(&d))
            sel_fault(cpu, EXC_GP, sel);
        if ((desc_is_data(&d) || !desc_conforming(&d)) && (rpl > desc_dpl(&d) || cpl > desc_dpl(&d)))
            sel_fault(cpu, EXC_GP, sel);
        if (!desc_present(&d))
            sel_fault(cpu, EXC_NP, sel);
    }
    desc_set_accessed(cpu, &d);
    desc_to_cache(cpu, &d, sel, &cpu->seg[sreg]);
}

/* Real and virtual-8086 mode: the selector is the paragraph. In real mode the limit and
 * attributes keep what the cache holds (which is what makes "unreal mode" work). */
void load_seg(struct cpu *cpu, int sreg, uint16_t sel)
{
    switch (cpu->mode) {
    case MODE_PROT:
        load_seg_prot(cpu, sreg, sel);
        break;
    case MODE_V86:
        seg_set_v86(&cpu->seg[sreg], sel);
        break;
    default:
        cpu->seg[sreg].sel = sel;
        cpu->seg[sreg].base = (uint32_t)sel << 4;
        break;
    }
}

void load_cs(struct cpu *cpu, const struct desc *d, uint16_t sel, unsigned cpl)
{
    desc_to_cache(cpu, d, (uint16_t)((sel & ~3u) | cpl), &cpu->seg[S_CS]);
    cpu->cpl = (uint8_t)cpl;
}

void null_inaccessible_segs(struct cpu *cpu)
{
    static const int regs[] = { S_ES, S_DS, S_FS, S_GS };
    for (unsigned i = 0; i < 4; i++) {
        struct seg_cache *c = &cpu->seg[regs[i]];
        unsigned dpl = (c->attr >> 5) & 3;
        bool data_or_nc = (c->attr & SEG_ATTR_S) && ((c->attr & 0x8) == 0 || (c->attr & 0x4) == 0);
        /* A null selector becomes 0 too, RPL included (SDM Vol. 2A IRET, Vol. 2B RET). */
        if ((data_or_nc && dpl < cpu->cpl) || (c->sel & ~3u) == 0) {
            c->sel = 0;
            c->attr = 0;
            c->ok = 0;
        }
    }
}

void cpu_update_mode(struct cpu *cpu)
{
    if (!(cpu->cr[0] & 1)) {
        cpu->mode = MODE_REAL;
        cpu->cpl = 0;
    } else if (cpu->eflags & FL_VM) {
        cpu->mode = MODE_V86;
        cpu->cpl = 3;
    } else {
        cpu->mode = MODE_PROT;
    }
}

/* ---- stacks under construction ---- */

void stk_from_current(struct cpu *cpu, struct stk *st)
{
    st->ss = cpu->seg[S_SS];
    st->esp = cpu->r[R_ESP];
    st->fault_sel = 0;
    st->user = cpu->cpl == 3;
}

static uint32_t stk_mask(const struct stk *st)
{
    return (st->ss.attr & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
}

/* A stack limit violation: #SS, except that the 286 in real mode reports #GP (see
 * seg_addr_slow). */
static noreturn void stk_fault(struct cpu *cpu, const struct stk *st)
{
    if (cpu->model == CPU_286 && cpu->mode == MODE_REAL)
        cpu_fault(cpu, EXC_GP, 0);
    cpu_fault(cpu, EXC_SS, st->fault_sel);
}

void stk_push(struct cpu *cpu, struct stk *st, uint32_t v, unsigned size)
{
    uint32_t m = stk_mask(st);
    uint32_t sp = (st->esp - size) & m;
    if (!(st->ss.ok & SEG_OK_WRITE) || !seg_limit_ok(&st->ss, sp, size))
        stk_fault(cpu, st);
    if (st->user) {
        align_check(cpu, st->ss.base + sp, size);
        lin_write(cpu, st->ss.base + sp, size, v);
    } else {
        /* An inner stack is written with supervisor rights while CPL is still the old
         * one: a ring-3 interrupt pushes onto a supervisor-only page. */
        lin_write_sys(cpu, st->ss.base + sp, size, v);
    }
    st->esp = (st->esp & ~m) | sp;
}

uint32_t stk_peek(struct cpu *cpu, const struct stk *st, uint32_t offset, unsigned size)
{
    uint32_t sp = (st->esp + offset) & stk_mask(st);
    if (!seg_limit_ok(&st->ss, sp, size))
        stk_fault(cpu, st);
    if (st->user) {
        align_check(cpu, st->ss.base + sp, size);
        return lin_read(cpu, st->ss.base + sp, size);
    }
    return lin_read_sys(cpu, st->ss.base + sp, size);
}

uint32_t stk_pop(struct cpu *cpu, struct stk *st, unsigned size)
{
    uint32_t v = stk_peek(cpu, st, 0, size);
    uint32_t m = stk_mask(st);
    st->esp = (st->esp & ~m) | ((st->esp + size) & m);
    return v;
}

void stk_commit(struct cpu *cpu, const struct stk *st)
{
    cpu->seg[S_SS] = st->ss;
    uint32_t m = stk_mask(st);
    cpu->r[R_ESP] = (cpu->r[R_ESP] & ~m) | (st->esp & m);
}

/* ---- the TSS's inner stacks ---- */

void tss_inner_stack(struct cpu *cpu, unsigned dpl, struct stk *st, struct desc *ss_desc)
{
    const bool tss32 = (cpu->tr.attr & 0xF) == SYS_TSS32_BUSY || (cpu->tr.attr & 0xF) == SYS_TSS32_AVAIL;
    uint32_t off = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
    unsigned span = tss32 ? 8 : 4;
    if (off + span - 1 > cpu->tr.limit)
        cpu_fault(cpu, EXC_TS, cpu->tr.sel & 0xFFFC);
    uint32_t esp = tss32 ? sys_read(cpu, cpu->tr.base + off, 4) : sys_read(cpu, cpu->tr.base + off, 2);
    uint16_t ss = (uint16_t)sys_read(cpu, cpu->tr.base + off + (tss32 ? 4 : 2), 2);
    /* SDM Vol. 2A "CALL" / Vol. 3A §6.12.1: the new SS is checked with #TS. */
    if ((ss & ~3u) == 0)
        cpu_fault(cpu, EXC_TS, 0);
    if (!desc_fetch(cpu, ss, ss_desc))
        cpu_fault(cpu, EXC_TS, ss & 0xFFFC);
    if ((ss & 3) != dpl || desc_dpl(ss_desc) != dpl || !desc_data_writable(ss_desc))
        cpu_fault(cpu, EXC_TS, ss & 0xFFFC);
    if (!desc_present(ss_desc))
        cpu_fault(cpu, EXC_SS, ss & 0xFFFC);
    desc_to_cache(cpu, ss_desc, ss, &st->ss);
    st->esp = esp;
    st->fault_sel = ss & 0xFFFC;
    st->user = 0;
}

/* ---- I/O permission bitmap (SDM Vol. 1 §19.5.2) ---- */

void io_bitmap_check(struct cpu *cpu, uint16_t port, unsigned size)
{
    unsigned type = cpu->tr.attr & 0xF;
    if ((type != SYS_TSS32_BUSY && type != SYS_TSS32_AVAIL) || cpu->tr.limit < 0x67)
        cpu_fault(cpu, EXC_GP, 0);
    uint32_t base = sys_read(cpu, cpu->tr.base + 0x66, 2);
    uint32_t byte = base + port / 8;
    if (byte + 1 > cpu->tr.limit)
        cpu_fault(cpu, EXC_GP, 0);
    uint32_t bits = sys_read(cpu, cpu->tr.base + byte, 2);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        cpu_fault(cpu, EXC_GP, 0);
}
