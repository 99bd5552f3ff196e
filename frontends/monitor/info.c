/* info SUBCOMMAND: what the machine is and does now, laid out as QEMU's monitor lays it
 * out where orrery has the same concept (registers, PIC, page mappings, memory map). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "frontends/monitor/cmd.h"

#ifndef ORRERY_VERSION
#define ORRERY_VERSION "unknown"
#endif

/* QEMU's x86 register dump: general registers, EIP and EFLAGS with its arithmetic flags,
 * each segment as selector, base, limit and descriptor flags (the descriptor's second
 * dword, bits 8-23), the tables, control and debug registers, then the x87's. */
static void info_registers(struct mon_ctx *c)
{
    struct machine_dbg_regs r;
    machine_debug_get_regs(c->m, &r);
    static const char *const seg[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    static const char *const mode[3] = { "real", "protected", "virtual-8086" };
    mon_printf(c, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", r.gpr[0], r.gpr[3], r.gpr[1],
               r.gpr[2]);
    mon_printf(c, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", r.gpr[6], r.gpr[7], r.gpr[5],
               r.gpr[4]);
    uint32_t f = r.eflags;
    mon_printf(c, "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c] CPL=%u mode=%s\n", r.eip, f,
               f & 0x400 ? 'D' : '-', f & 0x800 ? 'O' : '-', f & 0x80 ? 'S' : '-',
               f & 0x40 ? 'Z' : '-', f & 0x10 ? 'A' : '-', f & 0x4 ? 'P' : '-',
               f & 0x1 ? 'C' : '-', r.cpl, r.mode < 3 ? mode[r.mode] : "?");
    for (int s = 0; s < 6; s++) {
        uint32_t flags = ((uint32_t)(r.attr[s] & 0xFF) << 8) | ((uint32_t)(r.attr[s] & 0xF000) << 8);
        mon_printf(c, "%s =%04x %08x %08x %08x\n", seg[s], r.sel[s], r.base[s], r.limit[s],
                   flags);
    }
    mon_printf(c, "LDT=%04x\n", r.ldtr);
    mon_printf(c, "TR =%04x\n", r.tr);
    mon_printf(c, "GDT=     %08x %08x\n", r.gdtr_base, r.gdtr_limit);
    mon_printf(c, "IDT=     %08x %08x\n", r.idtr_base, r.idtr_limit);
    mon_printf(c, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", r.cr0, r.cr2, r.cr3, r.cr4);
    mon_printf(c, "DR0=%08x DR1=%08x DR2=%08x DR3=%08x \n", r.dr[0], r.dr[1], r.dr[2],
               r.dr[3]);
    mon_printf(c, "DR6=%08x DR7=%08x\n", r.dr[6], r.dr[7]);
    mon_printf(c, "FCW=%04x FSW=%04x [ST=%u] FTW=%04x FOP=%04x\n", r.fctrl, r.fstat,
               (r.fstat >> 11) & 7, r.ftag, r.fop);
    for (int i = 0; i < 8; i++) {
        const uint8_t *st = r.st[i];
        mon_printf(c, "FPR%d=%02x%02x%02x%02x%02x%02x%02x%02x %02x%02x%s", i, st[7], st[6],
                   st[5], st[4], st[3], st[2], st[1], st[0], st[9], st[8],
                   i & 1 ? "\n" : " ");
    }
}

static void info_cpus(struct mon_ctx *c)
{
    struct machine_dbg_regs r;
    machine_debug_get_regs(c->m, &r);
    mon_printf(c, "* CPU #0: pc=0x%016llx thread_id=%ld\n",
               (unsigned long long)(uint32_t)(r.base[1] + r.eip), (long)getpid());
}

static void info_pic(struct mon_ctx *c)
{
    for (unsigned chip = 0; chip < 2; chip++) {
        struct machine_pic_info p;
        machine_pic_info(c->m, chip, &p);
        mon_printf(c, "pic%u: irr=%02x imr=%02x isr=%02x hprio=%u irq_base=%02x rr_sel=%d "
                   "elcr=%02x fnm=%d\n", chip, p.irr, p.imr, p.isr, (p.lowest + 1u) & 7,
                   p.vector_base, p.read_isr, p.elcr, p.special_fnm);
    }
}

static void info_mtree(struct mon_ctx *c)
{
    struct machine_mem_region r[64];
    unsigned n = machine_mem_regions(c->m, r, 64);
    mon_printf(c, "address-space: memory\n");
    mon_printf(c, "  0000000000000000-00000000ffffffff (prio 0, i/o): system\n");
    for (unsigned i = 0; i < n; i++)
        mon_printf(c, "    %016llx-%016llx (prio 0, %s)\n", (unsigned long long)r[i].base,
                   (unsigned long long)r[i].base + r[i].size - 1, r[i].kind);
}

static const struct {
    const char *name, *help;
} infos[] = {
    { "block", "show the block devices" },
    { "chardev", "show the character devices" },
    { "cpus", "show infos for each CPU" },
    { "mem", "show the active virtual memory mappings" },
    { "mtree", "show memory tree" },
    { "pic", "show PIC state" },
    { "registers", "show the cpu registers" },
    { "replay", "show record/replay information" },
    { "status", "show the current VM status (running|paused)" },
    { "tlb", "show virtual to physical memory mappings" },
    { "version", "show the version of orrery" },
};

void mon_cmd_info(struct mon_ctx *c, struct mon_args *a)
{
    char what[32];
    mon_skip_space(a);
    if (!*a->p) {
        for (size_t i = 0; i < sizeof infos / sizeof infos[0]; i++)
            mon_printf(c, "info %-10s -- %s\n", infos[i].name, infos[i].help);
        return;
    }
    if (!mon_arg_word(a, what, sizeof what, "item")) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    /* GDB users type "info r"; QEMU has no abbreviations otherwise. */
    if (strcmp(what, "registers") == 0 || strcmp(what, "r") == 0)
        info_registers(c);
    else if (strcmp(what, "status") == 0)
        mon_session_info_status(c);
    else if (strcmp(what, "cpus") == 0)
        info_cpus(c);
    else if (strcmp(what, "pic") == 0)
        info_pic(c);
    else if (strcmp(what, "mem") == 0)
        mon_info_mem(c);
    else if (strcmp(what, "tlb") == 0)
        mon_info_tlb(c);
    else if (strcmp(what, "version") == 0)
        mon_printf(c, "orrery %s\n", ORRERY_VERSION);
    else if (strcmp(what, "block") == 0)
        mon_info_block(c);
    else if (strcmp(what, "chardev") == 0)
        mon_session_info_chardev(c);
    else if (strcmp(what, "mtree") == 0)
        info_mtree(c);
    else if (strcmp(what, "replay") == 0)
        mon_info_replay(c);
    else
        mon_printf(c, "unknown info item '%s'; 'info' lists them\n", what);
}
