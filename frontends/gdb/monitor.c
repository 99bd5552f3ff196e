/* GDB's "monitor" commands (qRcmd): help, info registers (everything GDB's own "info
 * registers" leaves out: hidden segment parts, control, debug and descriptor-table
 * registers, mode and CPL), system_reset. Output goes back as O packets, then OK. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frontends/gdb/stub.h"

static void say(struct gdbstub *g, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    stub_output(g, line);
}

static void info_registers(struct gdbstub *g)
{
    struct machine_dbg_regs r;
    machine_debug_get_regs(g->m, &r);
    static const char *const gpr[8] = { "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI" };
    static const char *const seg[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    static const char *const mode[3] = { "real", "protected", "virtual-8086" };
    for (int i = 0; i < 8; i += 4)
        say(g, "%s=%08x %s=%08x %s=%08x %s=%08x\n", gpr[i], r.gpr[i], gpr[i + 1],
            r.gpr[i + 1], gpr[i + 2], r.gpr[i + 2], gpr[i + 3], r.gpr[i + 3]);
    say(g, "EIP=%08x EFL=%08x mode=%s CPL=%u\n", r.eip, r.eflags,
        r.mode < 3 ? mode[r.mode] : "?", r.cpl);
    for (int s = 0; s < 6; s++)
        say(g, "%s =%04x base=%08x limit=%08x attr=%04x\n", seg[s], r.sel[s], r.base[s],
            r.limit[s], r.attr[s]);
    say(g, "LDTR=%04x TR=%04x\n", r.ldtr, r.tr);
    say(g, "GDT=%08x limit=%04x  IDT=%08x limit=%04x\n", r.gdtr_base, r.gdtr_limit,
        r.idtr_base, r.idtr_limit);
    say(g, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", r.cr0, r.cr2, r.cr3, r.cr4);
    say(g, "DR0=%08x DR1=%08x DR2=%08x DR3=%08x DR6=%08x DR7=%08x\n", r.dr[0], r.dr[1],
        r.dr[2], r.dr[3], r.dr[6], r.dr[7]);
    say(g, "FCW=%04x FSW=%04x FTW=%04x FOP=%04x\n", r.fctrl, r.fstat, r.ftag, r.fop);
}

static void help(struct gdbstub *g)
{
    stub_output(g, "monitor commands:\n"
                   "  help              this list\n"
                   "  info registers    every register, hidden segment parts, CRs, DRs\n"
                   "  system_reset      reset the machine as the reset button does\n"
                   "memory is read by linear address; after 'maint packet Qqemu.PhyMemMode:1'\n"
                   "by physical address ('Qqemu.PhyMemMode:0' goes back)\n");
}

void stub_monitor(struct gdbstub *g, const char *cmd)
{
    while (*cmd == ' ')
        cmd++;
    size_t n = strlen(cmd);
    while (n && cmd[n - 1] == ' ')
        n--;
    if (n == 4 && strncmp(cmd, "help", 4) == 0) {
        help(g);
    } else if ((n == 14 && strncmp(cmd, "info registers", 14) == 0) ||
               (n == 6 && strncmp(cmd, "info r", 6) == 0)) {
        info_registers(g);
    } else if (n == 12 && strncmp(cmd, "system_reset", 12) == 0) {
        machine_reset(g->m);
        stub_output(g, "the machine was reset (run 'maintenance flush register-cache' to "
                       "see its registers)\n");
    } else {
        say(g, "unknown command '%.*s'; 'monitor help' lists them\n", (int)(n > 60 ? 60 : n),
            cmd);
    }
    stub_send_str(g, "OK");
}
