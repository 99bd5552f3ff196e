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

/* The stop after a step or a run through the record, as GDB hears it. */
static void report(struct gdbstub *g, enum machine_reverse how,
                   const struct machine_reverse_stop *s, const char *err)
{
    char reason[48] = "";
    switch (how) {
    case MACHINE_REVERSE_BEGIN:
        snprintf(reason, sizeof reason, "replaylog:begin;");
        break;
    case MACHINE_REVERSE_STOPPED:
        if (s->watch)
            snprintf(reason, sizeof reason, "%s:%x;",
                     s->kind == MACHINE_WATCH_WRITE  ? "watch"
                     : s->kind == MACHINE_WATCH_READ ? "rwatch" : "awatch", (unsigned)s->addr);
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

void stub_reverse(struct gdbstub *g, bool step)
{
    struct machine_reverse_stop s;
    char err[MACHINE_ERRMAX];
    if (!stub_replaying(g)) {
        stub_send_str(g, "E01"); /* GDB says the target cannot go back */
        return;
    }
    report(g, machine_replay_reverse(g->m, step, &s, err), &s, err);
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
    struct machine_reverse_stop s;
    report(g, machine_replay_step(g->m, &s, err), &s, err); /* a watchpoint it hit, too */
    return true;
}
