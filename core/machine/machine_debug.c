/* The machine's side of a debugger (machine.h, "Debugging"): registers, memory by linear
 * or physical address, breakpoints, watchpoints and steps, all through the CPU's debugger
 * calls (cpu/cpu.h) and physmem's view of what lies at an address. Nothing here changes
 * what the guest sees: reads never reach a device, translations never touch the TLB or
 * the accessed and dirty bits. */
#include <string.h>

#include "core/machine/machine_impl.h"

void machine_debug_get_regs(struct machine *m, struct machine_dbg_regs *r)
{
    struct cpu_dbg_regs c;
    cpu_dbg_get_regs(&m->cpu, &c);
    memset(r, 0, sizeof *r);
    memcpy(r->gpr, c.gpr, sizeof r->gpr);
    r->eip = c.eip;
    r->eflags = c.eflags;
    for (int s = 0; s < S_COUNT; s++) {
        r->sel[s] = c.sel[s];
        r->base[s] = c.base[s];
        r->limit[s] = c.limit[s];
        r->attr[s] = c.attr[s];
    }
    r->cr0 = c.cr0;
    r->cr2 = c.cr2;
    r->cr3 = c.cr3;
    r->cr4 = c.cr4;
    memcpy(r->dr, c.dr, sizeof r->dr);
    r->gdtr_base = c.gdtr_base;
    r->gdtr_limit = c.gdtr_limit;
    r->idtr_base = c.idtr_base;
    r->idtr_limit = c.idtr_limit;
    r->ldtr = c.ldtr;
    r->tr = c.tr;
    memcpy(r->st, c.st, sizeof r->st);
    r->fctrl = c.fctrl;
    r->fstat = c.fstat;
    r->ftag = c.ftag;
    r->fop = c.fop;
    r->fiseg = c.fiseg;
    r->fioff = c.fioff;
    r->foseg = c.foseg;
    r->fooff = c.fooff;
    r->mode = c.mode;
    r->cpl = c.cpl;
}

bool machine_debug_set_regs(struct machine *m, const struct machine_dbg_regs *r)
{
    if (m->rr)
        return false; /* recording or replaying: the run must stay the recorded one */
    struct cpu_dbg_regs c;
    cpu_dbg_get_regs(&m->cpu, &c);
    memcpy(c.gpr, r->gpr, sizeof c.gpr);
    c.eip = r->eip;
    c.eflags = r->eflags;
    for (int s = 0; s < S_COUNT; s++) {
        if (r->base[s] != c.base[s] && r->sel[s] == c.sel[s])
            return false; /* hidden parts follow the selector; they are not written alone */
        if (r->limit[s] != c.limit[s] || r->attr[s] != c.attr[s])
            return false;
        c.sel[s] = r->sel[s];
    }
    c.cr0 = r->cr0;
    c.cr2 = r->cr2;
    c.cr3 = r->cr3;
    c.cr4 = r->cr4;
    memcpy(c.dr, r->dr, sizeof c.dr);
    c.gdtr_base = r->gdtr_base;
    c.gdtr_limit = r->gdtr_limit;
    c.idtr_base = r->idtr_base;
    c.idtr_limit = r->idtr_limit;
    c.ldtr = r->ldtr;
    c.tr = r->tr;
    memcpy(c.st, r->st, sizeof c.st);
    c.fctrl = r->fctrl;
    c.fstat = r->fstat;
    c.ftag = r->ftag;
    c.fop = r->fop;
    c.fiseg = r->fiseg;
    c.fioff = r->fioff;
    c.foseg = r->foseg;
    c.fooff = r->fooff;
    return cpu_dbg_set_regs(&m->cpu, &c);
}

bool machine_debug_translate(struct machine *m, uint32_t lin, uint64_t *phys)
{
    return cpu_dbg_translate(&m->cpu, lin, phys);
}

/* The physical address of byte addr, or false when it has none. */
static bool locate(struct machine *m, uint64_t addr, bool phys, uint64_t *out)
{
    if (phys) {
        *out = addr;
        return addr >> 32 == 0;
    }
    if (addr >> 32 || !cpu_dbg_translate(&m->cpu, (uint32_t)addr, out))
        return false;
    return *out >> 32 == 0;
}

size_t machine_debug_read(struct machine *m, uint64_t addr, void *buf, size_t len, bool phys)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < len; i++) {
        uint64_t pa;
        if (!locate(m, addr + i, phys, &pa))
            return i;
        const struct region *r = physmem_region_at(&m->mem, (uint32_t)pa, false);
        if (r && r->kind == REGION_MMIO)
            return i; /* a device's registers: reading them could change the device */
        b[i] = (uint8_t)physmem_read(&m->mem, (uint32_t)pa, 1);
    }
    return len;
}

size_t machine_debug_write(struct machine *m, uint64_t addr, const void *buf, size_t len,
                           bool phys)
{
    const uint8_t *b = buf;
    if (m->rr)
        return 0; /* recording or replaying: the run must stay the recorded one */
    for (size_t i = 0; i < len; i++) {
        uint64_t pa;
        if (!locate(m, addr + i, phys, &pa))
            return i;
        const struct region *r = physmem_region_at(&m->mem, (uint32_t)pa, true);
        if (!r || r->kind != REGION_RAM)
            return i;
        physmem_write(&m->mem, (uint32_t)pa, 1, b[i]);
    }
    return len;
}

bool machine_debug_break(struct machine *m, uint32_t lin, bool insert)
{
    return insert ? cpu_dbg_break_add(&m->cpu, lin) : cpu_dbg_break_remove(&m->cpu, lin);
}

bool machine_debug_watch(struct machine *m, uint32_t lin, uint32_t len, enum machine_watch kind,
                         bool insert)
{
    enum cpu_watch_kind k = kind == MACHINE_WATCH_WRITE  ? CPU_WATCH_WRITE
                            : kind == MACHINE_WATCH_READ ? CPU_WATCH_READ
                                                         : CPU_WATCH_ACCESS;
    return insert ? cpu_dbg_watch_add(&m->cpu, lin, len, k)
                  : cpu_dbg_watch_remove(&m->cpu, lin, len, k);
}

void machine_debug_resume(struct machine *m, bool step)
{
    /* Time stood still while the debugger held the guest (as on QEMU: a stopped machine's
     * clock stops), so that the guest does not catch the pause up afterwards. */
    sched_host_paused(&m->pc.sched);
    cpu_dbg_resume(&m->cpu, step);
}

enum machine_debug_stop machine_debug_stopped(struct machine *m, uint32_t *addr,
                                              enum machine_watch *kind)
{
    uint32_t a = 0;
    unsigned k = 0;
    enum cpu_dbg_stop s = cpu_dbg_stopped(&m->cpu, &a, &k);
    if (addr)
        *addr = a;
    if (kind)
        *kind = k == CPU_WATCH_WRITE ? MACHINE_WATCH_WRITE
                : k == CPU_WATCH_READ ? MACHINE_WATCH_READ : MACHINE_WATCH_ACCESS;
    switch (s) {
    case CPU_DBG_BREAK: return MACHINE_DEBUG_BREAK;
    case CPU_DBG_WATCH: return MACHINE_DEBUG_WATCH;
    case CPU_DBG_STEP: return MACHINE_DEBUG_STEP;
    default: return MACHINE_DEBUG_NONE;
    }
}
