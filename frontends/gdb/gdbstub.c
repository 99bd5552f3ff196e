/* The GDB stub's session: the connection, the run state and stop replies (gdbstub.h).
 *
 * The machine runs in the front end's slices; between them gdbstub_poll reads whatever GDB
 * sent (poll with no timeout while the guest runs, so the guest never waits on the socket)
 * and answers packets. A 0x03 while the guest runs stops it (SIGINT). Stops the machine
 * reports become T stop replies with the reason GDB asked to hear about. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frontends/gdb/gdbstub.h"
#include "frontends/gdb/stub.h"

#define WAIT_MS 50 /* how long a stopped guest's poll waits for GDB */

/* A GDB that went away must not kill orrery with SIGPIPE; where send has no flag for that
 * (not Linux), SIGPIPE is ignored instead (gdbstub_open). */
#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0
#endif

/* Writes all of buf; a connection that fails is closed (poll notices). */
static void send_all(struct gdbstub *g, const char *buf, size_t len)
{
    while (len && g->fd >= 0) {
        ssize_t n = send(g->fd, buf, len, SEND_FLAGS);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            struct pollfd p = { .fd = g->fd, .events = POLLOUT };
            poll(&p, 1, 1000);
        } else {
            close(g->fd);
            g->fd = -1;
        }
    }
}

void stub_send(struct gdbstub *g, const char *payload, size_t len)
{
    g->out_len = rsp_frame((const uint8_t *)payload, len, g->out, sizeof g->out);
    send_all(g, g->out, g->out_len);
}

void stub_send_str(struct gdbstub *g, const char *payload)
{
    stub_send(g, payload, strlen(payload));
}

void stub_output(struct gdbstub *g, const char *text)
{
    size_t n = strlen(text);
    while (n) {
        char pkt[1 + 2 * 512 + 1];
        size_t k = n > 512 ? 512 : n;
        pkt[0] = 'O';
        rsp_to_hex((const uint8_t *)text, k, pkt + 1);
        stub_send(g, pkt, 1 + 2 * k);
        text += k;
        n -= k;
    }
}

void stub_resume(struct gdbstub *g, bool step)
{
    if (step && stub_replay_step(g))
        return; /* replaying: one instruction of the record, interrupts as recorded */
    machine_debug_resume(g->m, step);
    g->running = true;
    g->stepping = step;
}

void stub_clear_points(struct gdbstub *g)
{
    for (unsigned i = 0; i < g->npoints; i++) {
        const struct stub_point *p = &g->points[i];
        if (p->type <= Z_HW)
            machine_debug_break(g->m, p->addr, false);
        else
            machine_debug_watch(g->m, p->addr, p->len,
                                p->type == Z_WRITE  ? MACHINE_WATCH_WRITE
                                : p->type == Z_READ ? MACHINE_WATCH_READ
                                                    : MACHINE_WATCH_ACCESS, false);
    }
    g->npoints = 0;
}

/* The guest stops and GDB hears why (reason: "" or "swbreak:;", "watch:ADDR;" ...). */
static void report_stop(struct gdbstub *g, int signal, const char *reason)
{
    g->running = false;
    g->stepping = false;
    snprintf(g->last_stop, sizeof g->last_stop, "T%02x%sthread:01;", signal, reason);
    stub_send_str(g, g->last_stop);
}

void stub_report_stop(struct gdbstub *g, int signal, const char *reason)
{
    report_stop(g, signal, reason);
}

void stub_drop(struct gdbstub *g)
{
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
    /* Nobody is watching any more: the guest goes on, as after a detach. */
    stub_clear_points(g);
    machine_debug_resume(g->m, false);
    g->running = true;
    g->stepping = false;
}

static void accept_connection(struct gdbstub *g)
{
    int fd = accept(g->listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        close(fd);
        return;
    }
    g->fd = fd;
    g->no_ack = false;
    g->phys = false;
    g->swbreak = g->hwbreak = false;
    g->out_len = 0;
    rsp_parser_init(&g->rx);
    /* GDB finds the guest stopped when it attaches. */
    g->running = false;
    g->stepping = false;
    snprintf(g->last_stop, sizeof g->last_stop, "T05thread:01;");
}

static void take_bytes(struct gdbstub *g, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n && g->fd >= 0 && !g->killed; i++) {
        switch (rsp_feed(&g->rx, buf[i])) {
        case RSP_PACKET:
            if (!g->no_ack)
                send_all(g, "+", 1);
            stub_packet(g, g->rx.buf, g->rx.len);
            break;
        case RSP_BAD:
            if (!g->no_ack)
                send_all(g, "-", 1);
            break;
        case RSP_NACK:
            if (!g->no_ack && g->out_len)
                send_all(g, g->out, g->out_len);
            break;
        case RSP_INTERRUPT:
            if (g->running)
                report_stop(g, 2, ""); /* SIGINT */
            break;
        default:
            break;
        }
    }
}

bool gdbstub_poll(struct gdbstub *g)
{
    int timeout = g->running ? 0 : WAIT_MS;
    if (g->fd < 0) {
        struct pollfd p = { .fd = g->listen_fd, .events = POLLIN };
        if (poll(&p, 1, timeout) > 0)
            accept_connection(g);
        return g->running;
    }
    struct pollfd p = { .fd = g->fd, .events = POLLIN };
    if (poll(&p, 1, timeout) <= 0)
        return g->running;
    uint8_t buf[4096];
    ssize_t n = recv(g->fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        stub_drop(g);
        return g->running;
    }
    if (n > 0)
        take_bytes(g, buf, (size_t)n);
    if (g->fd < 0 && !g->killed)
        stub_drop(g); /* detached, or a send failed */
    return g->running && !g->killed;
}

static const struct stub_point *point_at(const struct gdbstub *g, uint32_t addr, bool sw)
{
    for (unsigned i = 0; i < g->npoints; i++)
        if (g->points[i].addr == addr && g->points[i].type == (sw ? Z_SW : Z_HW))
            return &g->points[i];
    return NULL;
}

static bool pc_is_linear(struct gdbstub *g, uint32_t lin)
{
    struct machine_dbg_regs r;
    machine_debug_get_regs(g->m, &r);
    return r.eip == lin;
}

bool gdbstub_stopped(struct gdbstub *g, enum machine_stop why)
{
    char reason[48] = "";
    if (why == MACHINE_STOP_DEBUG) {
        uint32_t addr;
        enum machine_watch kind;
        switch (machine_debug_stopped(g->m, &addr, &kind)) {
        case MACHINE_DEBUG_BREAK:
            /* GDB takes EIP for the PC. Where CS has a base (real mode, segmented code)
             * the breakpoint's linear address is not the PC GDB sees, and a swbreak it
             * cannot match would be taken for an old one and resumed: a plain SIGTRAP
             * stops there instead. */
            if (!pc_is_linear(g, addr))
                break;
            if (point_at(g, addr, true) && g->swbreak)
                snprintf(reason, sizeof reason, "swbreak:;");
            else if (!point_at(g, addr, true) && g->hwbreak)
                snprintf(reason, sizeof reason, "hwbreak:;");
            break;
        case MACHINE_DEBUG_WATCH:
            snprintf(reason, sizeof reason, "%s:%x;",
                     kind == MACHINE_WATCH_WRITE  ? "watch"
                     : kind == MACHINE_WATCH_READ ? "rwatch" : "awatch", (unsigned)addr);
            break;
        default:
            break;
        }
        machine_flush(g->m);
        if (g->fd >= 0)
            report_stop(g, 5, reason);
        else
            machine_debug_resume(g->m, false);
        return true;
    }
    if (why == MACHINE_STOP_REPLAY_END && g->fd >= 0) {
        machine_flush(g->m);
        if (g->running)
            report_stop(g, 5, "replaylog:end;");
        return true; /* the end of the record: GDB may go back from here */
    }
    if (g->fd < 0 || !g->running)
        return false;
    if (why == MACHINE_STOP_HALT || why == MACHINE_STOP_UNSUPPORTED) {
        /* GDB is attached: show it where the guest ended; it stays there. */
        machine_flush(g->m);
        fprintf(stderr, "orrery: %s; stopped for gdb\n", machine_stop_message(g->m));
        report_stop(g, 5, "");
        return true;
    }
    if (why == MACHINE_STOP_SHUTDOWN || why == MACHINE_STOP_POWEROFF) {
        stub_send_str(g, "W00"); /* the machine is off: the "process" exited */
        close(g->fd);
        g->fd = -1;
    }
    return false;
}

bool gdbstub_killed(const struct gdbstub *g)
{
    return g->killed;
}

struct gdbstub *gdbstub_open(const char *spec, struct machine *m, bool stopped, char *err,
                             size_t errlen)
{
    struct gdbstub *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->m = m;
    g->fd = -1;
#ifndef MSG_NOSIGNAL
    signal(SIGPIPE, SIG_IGN);
#endif
    g->running = !stopped;
    snprintf(g->last_stop, sizeof g->last_stop, "T05thread:01;");
    g->listen_fd = stub_listen(g, spec, err, errlen);
    if (g->listen_fd < 0) {
        free(g);
        return NULL;
    }
    fprintf(stderr, "orrery: gdb stub listening on %s%s\n", g->where,
            stopped ? " (the guest waits for gdb to continue it)" : "");
    return g;
}

void gdbstub_close(struct gdbstub *g)
{
    if (!g)
        return;
    if (g->fd >= 0)
        close(g->fd);
    close(g->listen_fd);
    if (g->unix_path[0])
        unlink(g->unix_path);
    free(g);
}
