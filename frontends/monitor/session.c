/* The monitor session (monitor.h): where the "(qemu) " prompt lives and what only a session
 * does (stop, cont, quit, timed key releases, gdbserver). Input is a line editor of the
 * simplest kind: printable bytes are kept and echoed (as QEMU's readline echoes them;
 * a terminal in its own line mode echoes for itself), backspace erases, CR or LF ends the
 * line, terminal escape sequences (arrow keys) are dropped. Output lines end in CR LF, as
 * QEMU's monitor ends them. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frontends/gdb/gdbstub.h"
#include "frontends/monitor/cmd.h"
#include "frontends/monitor/monitor.h"
#include "frontends/monitor/sockspec.h"

#ifndef ORRERY_VERSION
#define ORRERY_VERSION "unknown"
#endif

#define WAIT_MS 20       /* how long a poll waits for input while the guest is stopped */
#define LINE_MAX_LEN 1024

enum mon_kind { MON_STDIO, MON_SOCKET, MON_MUX };

struct monitor {
    struct machine *m;
    struct mon_ctx ctx;
    enum mon_kind kind;
    int in_fd, out_fd;          /* stdio; the connection for a socket (-1: none) */
    struct sock_listen sock;    /* MON_SOCKET */
    struct console *con;        /* MON_MUX */
    bool focus, greeted;        /* MON_MUX: it has the input; the banner was shown */
    bool echo;
    const struct machine_config *cfg;
    bool console_stdio, console_mux;
    bool running, quit;
    bool gdb_running;           /* a stub exists (from -gdb or gdbserver) */
    struct gdbstub *gdb_new;    /* gdbserver's, until the front end takes it */
    /* keys sendkey pressed, released in reverse order at release_ns (CLOCK_MONOTONIC) */
    unsigned held[MON_KEYS_MAX], nheld;
    uint64_t release_ns;
    /* the line being typed */
    char line[LINE_MAX_LEN];
    size_t len;
    bool overflow, last_cr;
    int esc;                    /* 0: none; 1: after ESC; 2: inside ESC [ ... */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void drop_connection(struct monitor *mon)
{
    if (mon->kind == MON_SOCKET && mon->in_fd >= 0) { /* out_fd is in_fd or -1 */
        close(mon->in_fd);
        mon->in_fd = mon->out_fd = -1;
        mon->len = 0;
        mon->esc = 0;
    }
}

static void put_raw(struct monitor *mon, const char *p, size_t n)
{
    if (mon->kind == MON_MUX) {
        char buf[1100];
        while (n) {
            size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
            memcpy(buf, p, k);
            buf[k] = '\0';
            console_message(mon->con, buf);
            p += k;
            n -= k;
        }
        return;
    }
    while (n && mon->out_fd >= 0) {
        ssize_t w = mon->kind == MON_SOCKET ? send(mon->out_fd, p, n, MSG_NOSIGNAL)
                                            : write(mon->out_fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = mon->out_fd, .events = POLLOUT };
            if (poll(&pfd, 1, 1000) <= 0) { /* a client that reads nothing gets nothing */
                mon->out_fd = -1;
                return;
            }
        } else {
            /* The reader is gone (a client that sent "quit" and closed at once): answers
             * are dropped, but what it sent is still read, up to its end. */
            mon->out_fd = -1;
            return;
        }
    }
}

/* Monitor output: '\n' becomes CR LF (the console's mux does that itself). */
static void session_write(void *opaque, const char *text)
{
    struct monitor *mon = opaque;
    if (mon->kind == MON_MUX) {
        put_raw(mon, text, strlen(text));
        return;
    }
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t k = nl ? (size_t)(nl - p) : strlen(p);
        put_raw(mon, p, k);
        if (!nl)
            break;
        put_raw(mon, "\r\n", 2);
        p = nl + 1;
    }
}

static void prompt(struct monitor *mon)
{
    session_write(mon, "(qemu) ");
}

static void banner(struct monitor *mon)
{
    mon_printf(&mon->ctx, "orrery %s monitor - type 'help' for more information\n",
               ORRERY_VERSION);
    prompt(mon);
}

static void submit(struct monitor *mon)
{
    if (mon->echo)
        session_write(mon, "\n");
    if (mon->overflow)
        session_write(mon, "the line is too long (at most 1023 characters)\n");
    else {
        mon->line[mon->len] = '\0';
        mon_exec(&mon->ctx, mon->line);
    }
    mon->len = 0;
    mon->overflow = false;
    if (!mon->quit)
        prompt(mon);
}

/* Typed bytes, through the line editor. */
static void feed(struct monitor *mon, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n && !mon->quit; i++) {
        uint8_t b = buf[i];
        bool cr = mon->last_cr;
        mon->last_cr = b == '\r';
        if (mon->esc == 1) {
            mon->esc = b == '[' || b == 'O' ? 2 : 0;
            continue;
        }
        if (mon->esc == 2) {
            if (b >= 0x40 && b <= 0x7E)
                mon->esc = 0;
            continue;
        }
        if (b == 0x1B) {
            mon->esc = 1;
        } else if (b == '\r' || (b == '\n' && !cr)) {
            submit(mon);
        } else if (b == 0x7F || b == 0x08) {
            if (mon->len) {
                mon->len--;
                if (mon->echo)
                    put_raw(mon, "\b \b", 3);
            }
        } else if (b >= 0x20) {
            if (mon->len + 1 < sizeof mon->line)
                mon->line[mon->len++] = (char)b;
            else
                mon->overflow = true;
            if (mon->echo)
                put_raw(mon, (const char *)&b, 1);
        }
    }
}

static void mux_input(void *opaque, const uint8_t *buf, size_t n)
{
    feed(opaque, buf, n);
}

static void mux_focus(void *opaque, bool on)
{
    struct monitor *mon = opaque;
    mon->focus = on;
    if (!on) {
        session_write(mon, "\n");
        return;
    }
    session_write(mon, "\n");
    if (!mon->greeted) {
        mon->greeted = true;
        banner(mon);
    } else {
        prompt(mon);
    }
}

/* A client on the socket: accept it (one at a time) and greet it. */
static void accept_client(struct monitor *mon, int timeout_ms)
{
    struct pollfd pfd = { .fd = mon->sock.fd, .events = POLLIN };
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return;
    int fd = accept(mon->sock.fd, NULL, NULL);
    if (fd < 0)
        return;
    int fl = fcntl(fd, F_GETFL); /* never block the machine on a client */
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        close(fd);
        return;
    }
    mon->in_fd = mon->out_fd = fd;
    mon->last_cr = false;
    banner(mon);
}

static bool parse_spec(struct monitor *mon, const struct monitor_setup *s, char *err,
                       size_t errlen)
{
    const char *spec = s->spec;
    if (strcmp(spec, "stdio") == 0) {
        if (s->console_stdio) {
            snprintf(err, errlen, "-monitor stdio: cannot use stdio by multiple character "
                     "devices; give -serial mon:stdio (Ctrl-A c switches) or -monitor "
                     "unix:PATH,server,nowait");
            return false;
        }
        mon->kind = MON_STDIO;
        mon->in_fd = STDIN_FILENO;
        mon->out_fd = STDOUT_FILENO;
        mon->echo = !isatty(STDIN_FILENO); /* a terminal in line mode echoes for itself */
        return true;
    }
    if (strncmp(spec, "tcp:", 4) == 0 || strncmp(spec, "unix:", 5) == 0) {
        if (!sock_listen(spec, "-monitor", &mon->sock, err, errlen))
            return false;
        if (!mon->sock.server) {
            snprintf(err, errlen, "-monitor %s: orrery only listens; add ,server,nowait", spec);
            if (mon->sock.unix_path[0])
                unlink(mon->sock.unix_path);
            close(mon->sock.fd);
            return false;
        }
        mon->kind = MON_SOCKET;
        mon->echo = true;
        return true;
    }
    if (strcmp(spec, "vc") == 0 || strncmp(spec, "mon:", 4) == 0) {
        snprintf(err, errlen, "-monitor %s: unsupported; use stdio, unix:PATH,server,nowait, "
                 "tcp:HOST:PORT,server,nowait or none (Ctrl-A c reaches it with -nographic)",
                 spec);
        return false;
    }
    snprintf(err, errlen, "-monitor %s: unsupported; use stdio, unix:PATH,server,nowait, "
             "tcp:HOST:PORT,server,nowait or none", spec);
    return false;
}

bool monitor_open(const struct monitor_setup *s, struct machine *m, struct monitor **out,
                  char *err, size_t errlen)
{
    *out = NULL;
    if (s->spec && strcmp(s->spec, "none") == 0)
        return true;
    if (!s->spec && !s->console_mux)
        return true; /* QEMU's default monitor is on a window's console; there is none */
    struct monitor *mon = calloc(1, sizeof *mon);
    if (!mon) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    mon->m = m;
    mon->in_fd = mon->out_fd = -1;
    mon->sock.fd = -1;
    mon->cfg = s->cfg;
    mon->console_stdio = s->console_stdio;
    mon->console_mux = s->console_mux;
    mon->gdb_running = s->gdb_running;
    mon->running = !s->start_stopped;
    mon_ctx_init(&mon->ctx, m, session_write, mon);
    mon->ctx.session = mon;
    if (!s->spec) {
        mon->kind = MON_MUX;
        mon->con = s->console;
        mon->echo = true;
        console_attach_monitor(s->console, mux_input, mux_focus, mon);
    } else if (!parse_spec(mon, s, err, errlen)) {
        free(mon);
        return false;
    }
    if (mon->kind == MON_STDIO) {
        banner(mon);
    } else if (mon->kind == MON_SOCKET) {
        fprintf(stderr, "orrery: monitor listening on %s\n", mon->sock.where);
        if (mon->sock.wait) {
            fprintf(stderr, "orrery: waiting for a connection on %s (,nowait starts at once)\n",
                    mon->sock.where);
            accept_client(mon, -1);
        }
    }
    *out = mon;
    return true;
}

/* Reads what is ready on fd (waiting up to wait_ms) and feeds it; false at end of input. */
static bool read_input(struct monitor *mon, int fd, int wait_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (poll(&pfd, 1, wait_ms) <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
        return true;
    uint8_t buf[512];
    ssize_t r = read(fd, buf, sizeof buf);
    if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
        return false;
    if (r > 0)
        feed(mon, buf, (size_t)r);
    return true;
}

static void release_keys(struct monitor *mon)
{
    for (unsigned i = mon->nheld; i-- > 0;)
        machine_key(mon->m, mon->held[i], false);
    mon->nheld = 0;
}

enum monitor_event monitor_poll(struct monitor *mon)
{
    if (mon->nheld && now_ns() >= mon->release_ns)
        release_keys(mon);
    int wait_ms = mon->running ? 0 : WAIT_MS;
    if (mon->nheld && wait_ms)
        wait_ms = 1;
    switch (mon->kind) {
    case MON_STDIO:
        if (mon->in_fd >= 0 && !read_input(mon, mon->in_fd, wait_ms))
            mon->in_fd = -1; /* end of input: the guest goes on, as QEMU's does */
        else if (mon->in_fd < 0 && wait_ms)
            poll(NULL, 0, wait_ms);
        break;
    case MON_SOCKET:
        if (mon->in_fd < 0)
            accept_client(mon, wait_ms);
        else if (!read_input(mon, mon->in_fd, wait_ms))
            drop_connection(mon);
        break;
    case MON_MUX:
        /* The console reads the input and hands it over; this only waits for it. */
        if (wait_ms) {
            struct pollfd pfd = { .fd = console_input_fd(mon->con), .events = POLLIN };
            poll(&pfd, pfd.fd >= 0 ? 1 : 0, wait_ms);
        }
        break;
    }
    if (mon->quit)
        return MONITOR_QUIT;
    return mon->running ? MONITOR_RUN : MONITOR_STOPPED;
}

struct gdbstub *monitor_take_gdb(struct monitor *mon)
{
    struct gdbstub *g = mon->gdb_new;
    mon->gdb_new = NULL;
    return g;
}

void monitor_close(struct monitor *mon)
{
    if (!mon)
        return;
    if (mon->nheld)
        release_keys(mon);
    gdbstub_close(mon->gdb_new);
    if (mon->kind == MON_SOCKET) {
        drop_connection(mon);
        if (mon->sock.fd >= 0)
            close(mon->sock.fd);
        if (mon->sock.unix_path[0])
            unlink(mon->sock.unix_path);
    }
    if (mon->kind == MON_MUX)
        console_attach_monitor(mon->con, NULL, NULL, NULL);
    free(mon);
}

/* ---- what the commands ask of a session (cmd.h) ---- */

struct machine *monitor_machine(struct monitor *mon)
{
    return mon->m;
}

bool mon_session_stop(struct monitor *s)
{
    if (!s)
        return false;
    s->running = false;
    return true;
}

bool mon_session_cont(struct monitor *s)
{
    if (!s)
        return false;
    if (!s->running)
        machine_debug_resume(s->m, false); /* the clock stood still while stopped */
    s->running = true;
    return true;
}

bool mon_session_quit(struct monitor *s)
{
    if (!s)
        return false;
    s->quit = true;
    return true;
}

bool mon_session_keys(struct monitor *s, const unsigned *usage, unsigned n, unsigned hold_ms)
{
    if (!s)
        return false;
    if (s->nheld)
        release_keys(s); /* the last sendkey's keys go up first */
    bool ok = true;
    for (unsigned i = 0; i < n; i++) {
        ok &= machine_key(s->m, usage[i], true);
        s->held[i] = usage[i];
    }
    s->nheld = n;
    s->release_ns = now_ns() + (uint64_t)hold_ms * 1000000u;
    if (!ok)
        mon_printf(&s->ctx, "sendkey: the keyboard dropped keys (scanning off or its queue "
                            "full)\n");
    return true;
}

bool mon_session_gdbserver(struct monitor *s, const char *spec, char *msg, size_t len)
{
    if (!s)
        return false;
    if (s->gdb_running) {
        snprintf(msg, len, "gdbserver: a GDB stub is running already");
        return true;
    }
    char err[256];
    struct gdbstub *g = gdbstub_open(spec, s->m, false, err, sizeof err);
    if (!g) {
        snprintf(msg, len, "Could not open gdbserver on device '%s': %s", spec, err);
        return true;
    }
    s->gdb_new = g;
    s->gdb_running = true;
    snprintf(msg, len, "Waiting for gdb connection on device '%s'", spec);
    return true;
}

void mon_session_info_status(struct mon_ctx *c)
{
    if (!c->session)
        mon_printf(c, "VM status: paused (debug)\n");
    else
        mon_printf(c, "VM status: %s\n", c->session->running ? "running" : "paused");
}

void mon_session_info_chardev(struct mon_ctx *c)
{
    struct monitor *s = c->session;
    if (!s) {
        mon_printf(c, "info chardev: only in the monitor session (-monitor)\n");
        return;
    }
    if (s->cfg && s->cfg->serial)
        mon_printf(c, "serial0: filename=%s\n", s->console_mux ? "mon:stdio"
                                                : s->console_stdio ? "stdio" : "file");
    if (s->kind == MON_STDIO)
        mon_printf(c, "compat_monitor0: filename=stdio\n");
    else if (s->kind == MON_SOCKET)
        mon_printf(c, "compat_monitor0: filename=%s,server=on\n", s->sock.where);
    else
        mon_printf(c, "compat_monitor0: filename=mon:stdio (the serial console's mux)\n");
}
