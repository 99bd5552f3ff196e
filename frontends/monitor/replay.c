/* The monitor's record/replay commands, QEMU's names: info replay, replay_break N,
 * replay_seek N (machine.h, "Record and replay"). */
#include <stdio.h>

#include "frontends/monitor/cmd.h"
#include "frontends/monitor/monitor.h"

void mon_info_replay(struct mon_ctx *c)
{
    struct machine_replay_info r;
    if (!machine_replay_info(c->m, &r)) {
        mon_printf(c, "Record/replay is not active\n");
        return;
    }
    if (r.recording) {
        mon_printf(c, "Recording execution to '%s': instruction %llu\n", r.path,
                   (unsigned long long)r.icount);
        return;
    }
    mon_printf(c, "Replaying execution from '%s': instruction %llu of %llu%s\n", r.path,
               (unsigned long long)r.icount, (unsigned long long)r.end,
               r.ended ? " (stopped)" : "");
    mon_printf(c, "inputs %zu of %zu given, %zu snapshots, %llu of %zu checks passed\n",
               r.next_input, r.inputs, r.snapshots, (unsigned long long)r.checks_passed,
               r.checks);
    if (r.break_set)
        mon_printf(c, "replay_break at instruction %llu\n", (unsigned long long)r.break_at);
}

static bool count_arg(struct mon_ctx *c, struct mon_args *a, uint64_t *n)
{
    if (mon_arg_expr(a, c->m, n, "instruction count") && mon_args_end(a))
        return true;
    mon_printf(c, "%s\n", a->err);
    return false;
}

void mon_cmd_replay_break(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    uint64_t n;
    char err[MACHINE_ERRMAX];
    if (count_arg(c, a, &n) && !machine_replay_break(c->m, n, err))
        mon_printf(c, "replay_break: %s\n", err);
}

void mon_cmd_replay_seek(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    uint64_t n;
    char err[MACHINE_ERRMAX];
    if (!count_arg(c, a, &n))
        return;
    if (machine_replay_seek(c->m, n, err) != MACHINE_OK)
        mon_printf(c, "replay_seek: %s\n", err);
    else
        mon_session_stop(c->session); /* QEMU stops there */
}

bool monitor_replay_break(struct monitor *mon)
{
    char line[MACHINE_ERRMAX + 32];
    snprintf(line, sizeof line, "orrery: %s\n", machine_stop_message(monitor_machine(mon)));
    fputs(line, stderr);
    return mon_session_stop(mon);
}
