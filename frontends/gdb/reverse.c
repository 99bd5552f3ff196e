/* Reverse execution in the GDB stub while orrery replays a record (-replay): bs
 * (reverse-stepi) and bc (reverse-continue), and forward steps that keep to the record
 * (machine.h, machine_replay_reverse, machine_replay_seek). Each is done before the
 * answer: the machine goes back to a snapshot and replays forward, which takes as long as
 * the stretch from the snapshot. */
#include <stdio.h>
#include <string.h>

#include "frontends/gdb/stub.h"

bool stub_replaying(struct gdbstub *g)
{
    struct machine_replay_info r;
    return machine_replay_info(g->m, &r) && r.replaying;
}

void stub_reverse(struct gdbstub *g, bool step)
{
    struct machine_reverse_stop s;
    char err[MACHINE_ERRMAX], reason[48] = "";
    if (!stub_replaying(g)) {
        stub_send_str(g, "E01"); /* GDB says the target cannot go back */
        return;
    }
    switch (machine_replay_reverse(g->m, step, &s, err)) {
    case MACHINE_REVERSE_BEGIN:
        snprintf(reason, sizeof reason, "replaylog:begin;");
        break;
    case MACHINE_REVERSE_STOPPED:
        if (s.watch)
            snprintf(reason, sizeof reason, "%s:%x;",
                     s.kind == MACHINE_WATCH_WRITE  ? "watch"
                     : s.kind == MACHINE_WATCH_READ ? "rwatch" : "awatch", (unsigned)s.addr);
        else if (g->swbreak)
            snprintf(reason, sizeof reason, "swbreak:;");
        break;
    case MACHINE_REVERSE_STEPPED:
        break;
    case MACHINE_REVERSE_ERROR:
        fprintf(stderr, "orrery: gdb: %s\n", err);
        stub_send_str(g, "E02");
        return;
    }
    stub_report_stop(g, 5, reason);
}

bool stub_replay_step(struct gdbstub *g)
{
    if (!stub_replaying(g))
        return false;
    char err[MACHINE_ERRMAX];
    struct machine_replay_info r;
    machine_replay_info(g->m, &r);
    if (r.icount >= r.end) {
        stub_report_stop(g, 5, "replaylog:end;");
        return true;
    }
    if (machine_replay_seek(g->m, r.icount + 1, err) != MACHINE_OK) {
        fprintf(stderr, "orrery: gdb: %s\n", err);
        stub_send_str(g, "E02");
        return true;
    }
    stub_report_stop(g, 5, "");
    return true;
}
