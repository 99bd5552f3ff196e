/* What a debugger attached to the CPU uses: registers by value, breakpoints kept in a list
 * (never written into guest memory), watchpoints on the CPU's data accesses, single steps
 * and the reason a run stopped. The execution loop (cpu.c) calls cpu_dbg_before and
 * cpu_dbg_after only while dbg.active is set, so a CPU nobody debugs pays one flag test
 * per instruction; watchpoints ride on the data-breakpoint test every data access already
 * makes (debug_data, exec.h), so the TLB fast path stays call-free without them. */
#include <string.h>

#include "cpu/exec.h"

static void update_active(struct cpu *cpu)
{
    struct cpu_dbg *d = &cpu->dbg;
    d->active = d->nbreak || d->nwatch || d->step;
}

bool cpu_dbg_break_add(struct cpu *cpu, uint32_t lin)
{
    struct cpu_dbg *d = &cpu->dbg;
    if (d->nbreak == CPU_DBG_BREAK_MAX)
        return false;
    d->brk[d->nbreak++] = lin;
    update_active(cpu);
    return true;
}

bool cpu_dbg_break_remove(struct cpu *cpu, uint32_t lin)
{
    struct cpu_dbg *d = &cpu->dbg;
    for (uint32_t i = 0; i < d->nbreak; i++) {
        if (d->brk[i] == lin) {
            d->brk[i] = d->brk[--d->nbreak];
            update_active(cpu);
            return true;
        }
    }
    return false;
}

bool cpu_dbg_watch_add(struct cpu *cpu, uint32_t lin, uint32_t len, enum cpu_watch_kind kind)
{
    struct cpu_dbg *d = &cpu->dbg;
    if (d->nwatch == CPU_DBG_WATCH_MAX || len == 0)
        return false;
    d->watch[d->nwatch++] = (struct cpu_watch){ .addr = lin, .len = len, .kind = (uint8_t)kind };
    debug_update(cpu);
    update_active(cpu);
    return true;
}

bool cpu_dbg_watch_remove(struct cpu *cpu, uint32_t lin, uint32_t len, enum cpu_watch_kind kind)
{
    struct cpu_dbg *d = &cpu->dbg;
    for (uint32_t i = 0; i < d->nwatch; i++) {
        const struct cpu_watch *w = &d->watch[i];
        if (w->addr == lin && w->len == len && w->kind == kind) {
            d->watch[i] = d->watch[--d->nwatch];
            debug_update(cpu);
            update_active(cpu);
            return true;
        }
    }
    return false;
}

void cpu_dbg_resume(struct cpu *cpu, bool step)
{
    struct cpu_dbg *d = &cpu->dbg;
    d->stop = CPU_DBG_NONE;
    d->hit = 0;
    d->skip = 1; /* an interrupt taken first does not use it up */
    d->skip_lin = cpu->seg[S_CS].base + cpu->eip;
    d->step = step;
    update_active(cpu);
}

bool cpu_dbg_before(struct cpu *cpu)
{
    struct cpu_dbg *d = &cpu->dbg;
    if (d->stop)
        return true;
    if (d->hit) { /* the delivery of an interrupt or exception wrote a watched byte */
        d->stop = CPU_DBG_WATCH;
        d->stop_addr = d->hit_addr;
        return true;
    }
    uint32_t lin = cpu->seg[S_CS].base + cpu->eip;
    if (d->skip && lin == d->skip_lin) {
        d->skip = 0;
        return false;
    }
    for (uint32_t i = 0; i < d->nbreak; i++) {
        if (d->brk[i] == lin) {
            d->stop = CPU_DBG_BREAK;
            d->stop_addr = lin;
            return true;
        }
    }
    return false;
}

bool cpu_dbg_after(struct cpu *cpu)
{
    struct cpu_dbg *d = &cpu->dbg;
    if (d->hit) {
        d->stop = CPU_DBG_WATCH;
        d->stop_addr = d->hit_addr;
        return true;
    }
    if (d->step) {
        d->stop = CPU_DBG_STEP;
        return true;
    }
    return false;
}

/* The first watchpoint an access of size bytes at lin overlaps, for its kind, is
 * remembered; the run stops after the instruction (a trap, as data breakpoints are). */
void cpu_dbg_check_watch(struct cpu *cpu, uint32_t lin, unsigned size, bool write)
{
    struct cpu_dbg *d = &cpu->dbg;
    if (d->hit)
        return;
    unsigned need = write ? CPU_WATCH_WRITE : CPU_WATCH_READ;
    for (uint32_t i = 0; i < d->nwatch; i++) {
        const struct cpu_watch *w = &d->watch[i];
        uint64_t a = w->addr, b = lin;
        if (!(w->kind & need) || !(a < b + size && b < a + w->len))
            continue;
        d->hit = 1;
        d->hit_kind = w->kind;
        d->hit_addr = lin > w->addr ? lin : w->addr;
        return;
    }
}

void cpu_dbg_save_begin(struct cpu *cpu)
{
    cpu->debug_data &= (uint8_t)~(DEBUG_DATA_DBG | DEBUG_DATA_OBS);
}

void cpu_dbg_save_end(struct cpu *cpu)
{
    debug_update(cpu);
}

/* ---- registers ---- */

static void f80_to_bytes(const struct f80 *f, uint8_t out[10])
{
    for (unsigned i = 0; i < 8; i++)
        out[i] = (uint8_t)(f->m >> (8 * i));
    out[8] = (uint8_t)f->se;
    out[9] = (uint8_t)(f->se >> 8);
}

static void f80_from_bytes(struct f80 *f, const uint8_t in[10])
{
    f->m = 0;
    for (unsigned i = 0; i < 8; i++)
        f->m |= (uint64_t)in[i] << (8 * i);
    f->se = (uint16_t)(in[8] | in[9] << 8);
}

void cpu_dbg_get_regs(struct cpu *cpu, struct cpu_dbg_regs *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < 8; i++)
        r->gpr[i] = cpu->r[i];
    r->eip = cpu->eip;
    r->eflags = cpu_get_eflags(cpu);
    for (int s = 0; s < S_COUNT; s++) {
        r->sel[s] = cpu->seg[s].sel;
        r->base[s] = cpu->seg[s].base;
        r->limit[s] = cpu->seg[s].limit;
        r->attr[s] = cpu->seg[s].attr;
    }
    r->cr0 = cpu->cr[0];
    r->cr2 = cpu->cr[2];
    r->cr3 = cpu->cr[3];
    r->cr4 = cpu->cr[4];
    for (int i = 0; i < 8; i++)
        r->dr[i] = cpu->dr[i];
    r->gdtr_base = cpu->gdtr.base;
    r->gdtr_limit = cpu->gdtr.limit;
    r->idtr_base = cpu->idtr.base;
    r->idtr_limit = cpu->idtr.limit;
    r->ldtr = cpu->ldtr.sel;
    r->tr = cpu->tr.sel;
    const struct fpu *f = &cpu->fpu;
    for (unsigned i = 0; i < 8; i++)
        f80_to_bytes(&f->st[(f->top + i) & 7], r->st[i]);
    r->fctrl = f->cw;
    r->fstat = fpu_status_word(f);
    r->ftag = fpu_tag_word(f);
    r->fop = f->fop & 0x7FF;
    r->fiseg = f->fcs;
    r->fioff = f->fip;
    r->foseg = f->fds;
    r->fooff = f->fdp;
    r->mode = cpu->mode;
    r->cpl = cpu->cpl;
}

bool cpu_dbg_set_regs(struct cpu *cpu, const struct cpu_dbg_regs *r)
{
    struct cpu_dbg_regs now;
    cpu_dbg_get_regs(cpu, &now);
    bool real = cpu->mode != MODE_PROT;
    /* What cannot change here: system registers, hidden parts, VM, protected-mode selectors. */
    if (r->cr0 != now.cr0 || r->cr2 != now.cr2 || r->cr3 != now.cr3 || r->cr4 != now.cr4 ||
        memcmp(r->dr, now.dr, sizeof r->dr) || r->gdtr_base != now.gdtr_base ||
        r->gdtr_limit != now.gdtr_limit || r->idtr_base != now.idtr_base ||
        r->idtr_limit != now.idtr_limit || r->ldtr != now.ldtr || r->tr != now.tr ||
        ((r->eflags ^ now.eflags) & FL_VM))
        return false;
    for (int s = 0; s < S_COUNT; s++)
        if (r->sel[s] != now.sel[s] && !real)
            return false;
    for (int i = 0; i < 8; i++)
        cpu->r[i] = r->gpr[i];
    cpu->eip = r->eip;
    cpu_set_eflags(cpu, r->eflags);
    for (int s = 0; s < S_COUNT; s++)
        if (r->sel[s] != now.sel[s])
            cpu_load_seg_real(cpu, s, r->sel[s]);
    struct fpu *f = &cpu->fpu;
    f->cw = (uint16_t)((r->fctrl & 0x1F3F) | 0x0040);
    f->top = (r->fstat >> 11) & 7;
    f->sw = r->fstat & (uint16_t)~(SW_TOP | SW_ES | SW_B);
    f->valid = 0;
    for (unsigned i = 0; i < 8; i++)
        if (((r->ftag >> (2 * i)) & 3) != 3)
            f->valid |= (uint8_t)(1u << i);
    for (unsigned i = 0; i < 8; i++)
        f80_from_bytes(&f->st[(f->top + i) & 7], r->st[i]);
    f->fop = r->fop & 0x7FF;
    f->fcs = (uint16_t)r->fiseg;
    f->fip = r->fioff;
    f->fds = (uint16_t)r->foseg;
    f->fdp = r->fooff;
    return true;
}
