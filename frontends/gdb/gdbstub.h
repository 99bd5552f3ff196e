/* The GDB stub (-gdb, -s, -S): GDB's remote serial protocol on a TCP or Unix socket,
 * driving the machine through core/machine/machine.h's debugging calls. The front end
 * runs the machine in slices; between slices it asks the stub whether the guest may run
 * (the stub polls the socket without blocking while it runs, and waits for GDB while it
 * is stopped), and hands it every stop. */
#ifndef ORRERY_FRONTENDS_GDB_GDBSTUB_H
#define ORRERY_FRONTENDS_GDB_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/machine/machine.h"

struct gdbstub;

/* Listens on spec: "tcp::PORT" (127.0.0.1), "tcp:HOST:PORT", "unix:PATH" (QEMU's spelling;
 * trailing ",server", ",nowait", ",wait=off" are accepted). PORT 0 picks a free port. One
 * line on stderr says where it listens. With stopped (-S) the guest waits for GDB to
 * continue it. NULL with one line in err on failure. */
struct gdbstub *gdbstub_open(const char *spec, struct machine *m, bool stopped, char *err,
                             size_t errlen);
void gdbstub_close(struct gdbstub *g); /* NULL is fine */

/* Between slices: reads what GDB sent and answers it. Returns true when the guest may
 * run now; while it may not, the call waits up to 50 ms for GDB first. */
bool gdbstub_poll(struct gdbstub *g);
/* After machine_run: true when the stub took the stop (a breakpoint, watchpoint or step;
 * or, with GDB attached, a guest that halted or reached something unsupported, reported
 * to GDB and kept stopped), so that the caller simply goes on. */
bool gdbstub_stopped(struct gdbstub *g, enum machine_stop why);
/* GDB asked to kill the guest (k, vKill): the front end exits with status 0. */
bool gdbstub_killed(const struct gdbstub *g);

#endif
