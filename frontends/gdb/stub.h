/* The inside of the GDB stub, shared by its files: the session (gdbstub.c), the packets
 * (packets.c), the monitor commands (monitor.c) and the listening socket (listen.c). */
#ifndef ORRERY_FRONTENDS_GDB_STUB_H
#define ORRERY_FRONTENDS_GDB_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/machine/machine.h"
#include "frontends/gdb/rsp.h"

/* Breakpoints and watchpoints GDB inserted, by its Z type: kept so that a stop can say
 * which kind fired and a detach can remove them all. */
enum { Z_SW = 0, Z_HW = 1, Z_WRITE = 2, Z_READ = 3, Z_ACCESS = 4 };
#define STUB_POINTS_MAX (64 + 16)
struct stub_point {
    uint32_t addr, len;
    uint8_t type; /* Z_* */
};

struct gdbstub {
    struct machine *m;
    int listen_fd;
    int fd;                 /* the connection to GDB; -1: none */
    char where[200];        /* what it listens on, for messages */
    char unix_path[108];    /* a Unix socket to remove at close; "" for TCP */
    bool running;           /* the guest runs (GDB continued or stepped it) */
    bool stepping;
    bool no_ack;            /* QStartNoAckMode */
    bool phys;              /* Qqemu.PhyMemMode:1: memory packets use physical addresses */
    bool killed;
    bool swbreak, hwbreak;  /* GDB understands these stop reasons (qSupported) */
    char last_stop[96];     /* the stop reply, for ? */
    unsigned npoints;
    struct stub_point points[STUB_POINTS_MAX];
    struct rsp_parser rx;
    size_t out_len;         /* the last packet sent, framed, for a - */
    char out[2 * RSP_PACKET_MAX + 8];
};

/* Sends a packet (framed; kept for a resend). */
void stub_send(struct gdbstub *g, const char *payload, size_t len);
void stub_send_str(struct gdbstub *g, const char *payload);
/* Console output for GDB to print (an O packet), during a monitor command. */
void stub_output(struct gdbstub *g, const char *text);
/* The guest goes on, for one instruction with step. */
void stub_resume(struct gdbstub *g, bool step);
/* Removes every breakpoint and watchpoint GDB inserted. */
void stub_clear_points(struct gdbstub *g);
/* Ends the connection (detach, or GDB went away): no breakpoint or watchpoint is left and
 * the guest goes on; the stub listens for the next GDB. */
void stub_drop(struct gdbstub *g);

/* The guest stops and GDB hears why (reason: "" or "swbreak:;", "watch:ADDR;" ...). */
void stub_report_stop(struct gdbstub *g, int signal, const char *reason);

/* reverse.c, while replaying a record: bs and bc, answered with their stop; a forward
 * step that keeps to the record (false, nothing done, when not replaying). */
bool stub_replaying(struct gdbstub *g);
void stub_reverse(struct gdbstub *g, bool step);
bool stub_replay_step(struct gdbstub *g);

/* packets.c: one packet from GDB, answered. */
void stub_packet(struct gdbstub *g, char *p, size_t len);
/* monitor.c: qRcmd's command, answered with O packets then OK. */
void stub_monitor(struct gdbstub *g, const char *cmd);

/* listen.c: the listening socket for spec (see gdbstub_open); -1 with err set. Fills
 * g->where and, for Unix sockets, g->unix_path. */
int stub_listen(struct gdbstub *g, const char *spec, char *err, size_t errlen);

#endif
