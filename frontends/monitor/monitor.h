/* The monitor session (-monitor, Ctrl-A c): QEMU's "(qemu) " prompt on stdio, a Unix or
 * TCP socket, or the serial console's mux, running the commands of cmd.h. The front end
 * calls monitor_poll between machine_run slices; it reads what was typed without blocking
 * while the guest runs, and waits up to 20 ms at a time for input while the monitor has
 * stopped it (stop). No thread touches the machine. */
#ifndef ORRERY_FRONTENDS_MONITOR_MONITOR_H
#define ORRERY_FRONTENDS_MONITOR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/machine/machine.h"
#include "frontends/headless/console.h"

struct monitor;
struct gdbstub;

struct monitor_setup {
    const char *spec;             /* -monitor DEV: stdio, unix:PATH,server,nowait,
                                     tcp:HOST:PORT,server,nowait, none; NULL: the default,
                                     on the console's mux when it has one */
    struct console *console;      /* the serial console (its mux, for Ctrl-A c) */
    bool console_stdio;           /* the serial console uses stdio */
    bool console_mux;             /* it has QEMU's escape keys (-nographic, mon:stdio) */
    bool gdb_running;             /* -gdb gave a stub already (gdbserver refuses) */
    const struct machine_config *cfg; /* for info block and info chardev */
    bool start_stopped;           /* -S without a GDB stub: the guest waits for 'cont' */
};

/* Opens the monitor: true with *out NULL when there is none (-monitor none, or no default
 * place); false with one line in err (a bad spec, stdio taken, a socket that cannot
 * listen). With ",server" but without ",nowait" it waits for a client first, as QEMU. */
bool monitor_open(const struct monitor_setup *s, struct machine *m, struct monitor **out,
                  char *err, size_t errlen);

enum monitor_event {
    MONITOR_RUN,      /* the guest may run */
    MONITOR_STOPPED,  /* 'stop': do not run it (the console is still polled) */
    MONITOR_QUIT,     /* 'quit': end orrery as on SIGTERM, status 0 */
};
enum monitor_event monitor_poll(struct monitor *mon);

/* The stub 'gdbserver' started, once, for the front end to poll and close; else NULL. */
struct gdbstub *monitor_take_gdb(struct monitor *mon);

/* The replay reached replay_break's instruction: says so and stops the guest, as 'stop'
 * (frontends/monitor/replay.c). False when mon is NULL. */
bool monitor_replay_break(struct monitor *mon);
struct machine *monitor_machine(struct monitor *mon);

void monitor_close(struct monitor *mon); /* NULL is fine */

#endif
