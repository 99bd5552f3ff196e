/* GDB's "monitor" commands (qRcmd): the monitor's command set (frontends/monitor/cmd.h),
 * the same as at the "(qemu) " prompt, with a note for GDB users after help and
 * system_reset. What only a session does (stop, cont, quit, gdbserver) says to use GDB's
 * own commands. Output goes back as O packets, then OK. */
#include <string.h>

#include "frontends/gdb/stub.h"
#include "frontends/monitor/cmd.h"

/* Output gathered into lines, so that GDB gets one O packet a line, not one a value. */
struct gdb_out {
    struct gdbstub *g;
    size_t len;
    char buf[512];
};

static void flush_out(struct gdb_out *o)
{
    if (o->len) {
        o->buf[o->len] = '\0';
        stub_output(o->g, o->buf);
        o->len = 0;
    }
}

static void to_gdb(void *opaque, const char *text)
{
    struct gdb_out *o = opaque;
    for (; *text; text++) {
        o->buf[o->len++] = *text;
        if (*text == '\n' || o->len == sizeof o->buf - 1)
            flush_out(o);
    }
}

void stub_monitor(struct gdbstub *g, const char *cmd)
{
    struct mon_ctx c;
    struct gdb_out o = { .g = g };
    mon_ctx_init(&c, g->m, to_gdb, &o);
    mon_exec(&c, cmd);
    flush_out(&o);
    while (*cmd == ' ')
        cmd++;
    size_t n = strcspn(cmd, " ");
    if ((n == 4 && strncmp(cmd, "help", 4) == 0) || (n == 1 && cmd[0] == '?'))
        stub_output(g, "memory is read by linear address; after 'maint packet "
                       "Qqemu.PhyMemMode:1' by physical address ('Qqemu.PhyMemMode:0' goes "
                       "back)\n");
    else if (n == 12 && strncmp(cmd, "system_reset", 12) == 0)
        stub_output(g, "the machine was reset (run 'maintenance flush register-cache' to "
                       "see its registers)\n");
    stub_send_str(g, "OK");
}
