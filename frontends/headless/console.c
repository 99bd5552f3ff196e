/* The headless console (console.h): COM1's host end on stdio, a file or nothing. */
#include "frontends/headless/console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define OUT_BUF 4096

struct console {
    struct console_options opt;
    struct chardev dev;
    int out_fd;            /* -1: output discarded */
    bool own_out_fd;
    int in_fd;             /* -1: no input */
    bool raw;              /* this console put the terminal in raw mode */
    bool got_escape;       /* the last input byte was Ctrl-A */
    /* Input read after a Ctrl-A s: it reaches the guest after the save, at the next poll,
     * so that the saved machine has seen exactly what came before the key. */
    size_t held_len, held_pos;
    unsigned char held[512];
    int write_errno;       /* the first failed write's errno (0: none); output stops */
    /* The monitor on the mux (Ctrl-A c): while it has the focus, input goes to it. */
    void (*mon_input)(void *opaque, const uint8_t *buf, size_t n);
    void (*mon_focus)(void *opaque, bool on);
    void *mon_opaque;
    bool to_monitor;
    size_t out_len;
    unsigned char out[OUT_BUF];
};

/* The terminal's settings before raw mode. The terminal belongs to the process, not to a
 * machine, and the signal handlers that restore it can reach nothing else: so these are
 * the one piece of file-scope state here. */
static struct termios saved_termios;
static volatile sig_atomic_t termios_saved;
static int saved_fd = -1;

static void restore_terminal(void)
{
    if (termios_saved) {
        tcsetattr(saved_fd, TCSANOW, &saved_termios);
        termios_saved = 0;
    }
}

/* A signal that ends the process: put the terminal back, then die of it as before. */
static void on_fatal_signal(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_restore_handlers(void)
{
    static const int sigs[] = { SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                                SIGPIPE };
    static bool installed;
    if (installed)
        return;
    installed = true;
    atexit(restore_terminal);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* Keep a handler someone else installed (the sanitizers' SIGSEGV, say). */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_DFL &&
            old.sa_handler != SIG_IGN)
            continue;
        if (old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Raw mode as QEMU's stdio backend sets it: no echo, no line editing, no input
 * translation, 8-bit; output processing stays so that host messages end lines properly.
 * With escapes the terminal's signal keys go to the guest too (Ctrl-C reaches its shell). */
static int enter_raw(int fd, bool escapes)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return -1;
    saved_termios = t;
    saved_fd = fd;
    install_restore_handlers();
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
    if (escapes)
        t.c_lflag &= ~(tcflag_t)ISIG;
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    termios_saved = 1;
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        termios_saved = 0;
        return -1;
    }
    return 0;
}

/* Writes everything, waiting if the descriptor is non-blocking and full. The first failure
 * (a full disk, an I/O error) is kept for console_error and drops the output from then
 * on; a closed pipe ends the process with SIGPIPE as it would any program. */
static void write_all(struct console *c, const unsigned char *p, size_t n)
{
    while (n && !c->write_errno) {
        ssize_t w = write(c->out_fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = c->out_fd, .events = POLLOUT };
            poll(&pfd, 1, 100);
        } else {
            c->write_errno = w < 0 ? errno : EIO;
        }
    }
}

bool console_error(const struct console *c, char *err, size_t err_len)
{
    if (!c || !c->write_errno)
        return false;
    if (c->opt.kind == CONSOLE_FILE)
        snprintf(err, err_len, "serial file '%s': cannot write: %s; free some space or give "
                 "another -serial file:PATH", c->opt.path, strerror(c->write_errno));
    else
        snprintf(err, err_len, "serial output (standard output): cannot write: %s; send it "
                 "somewhere writable", strerror(c->write_errno));
    return true;
}

void console_flush(struct console *c)
{
    if (c->out_len && c->out_fd >= 0)
        write_all(c, c->out, c->out_len);
    c->out_len = 0;
}

static void sink(void *opaque, const uint8_t *buf, size_t n)
{
    struct console *c = opaque;
    if (c->out_fd < 0)
        return;
    while (n) {
        size_t room = OUT_BUF - c->out_len;
        size_t k = n < room ? n : room;
        memcpy(c->out + c->out_len, buf, k);
        c->out_len += k;
        buf += k;
        n -= k;
        if (c->out_len == OUT_BUF)
            console_flush(c);
    }
}

/* A message from orrery itself on the console (escape keys). */
static void say(struct console *c, const char *text)
{
    console_flush(c);
    if (c->out_fd < 0)
        return;
    const char *nl = c->raw ? "\r\n" : "\n";
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            write_all(c, (const unsigned char *)nl, strlen(nl));
        else
            write_all(c, (const unsigned char *)p, 1);
    }
}

struct console *console_open(const struct console_options *opt, char *err, size_t err_len)
{
    struct console *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    c->opt = *opt;
    c->out_fd = -1;
    c->in_fd = -1;
    chardev_init(&c->dev, sink, c);
    switch (opt->kind) {
    case CONSOLE_NONE:
    case CONSOLE_NULL:
        break;
    case CONSOLE_STDIO:
        c->out_fd = STDOUT_FILENO;
        c->in_fd = STDIN_FILENO;
        if (isatty(STDIN_FILENO) && enter_raw(STDIN_FILENO, opt->escapes) == 0)
            c->raw = true;
        break;
    case CONSOLE_FILE:
        c->out_fd = open(opt->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (c->out_fd < 0) {
            snprintf(err, err_len, "cannot create serial file '%s': %s", opt->path,
                     strerror(errno));
            free(c);
            return NULL;
        }
        c->own_out_fd = true;
        break;
    }
    return c;
}

struct chardev *console_chardev(struct console *c)
{
    return c->opt.kind == CONSOLE_NONE ? NULL : &c->dev;
}

static const char help_text[] =
    "\n"
    "C-a h    print this help\n"
    "C-a x    exit emulator\n"
    "C-a s    save the machine to orrery-DATE-TIME.state (load it with -loadstate)\n"
    "C-a c    switch between console and monitor\n"
    "C-a C-a  sends C-a\n";

void console_message(struct console *c, const char *text)
{
    say(c, text);
}

/* Input taken so far goes to the guest or, while it has the focus, the monitor. */
static void deliver(struct console *c, const uint8_t *out, size_t *n, bool to_monitor)
{
    if (*n && to_monitor)
        c->mon_input(c->mon_opaque, out, *n);
    else if (*n)
        chardev_queue(&c->dev, out, *n);
    *n = 0;
}

/* One input byte through QEMU's escape keys: CONSOLE_GO_ON, or the event it asks for. */
static enum console_event escape_byte(struct console *c, uint8_t b, uint8_t *out, size_t *n)
{
    if (!c->got_escape) {
        if (b == CONSOLE_ESCAPE)
            c->got_escape = true;
        else
            out[(*n)++] = b;
        return CONSOLE_GO_ON;
    }
    c->got_escape = false;
    switch (b) {
    case 'x':
        say(c, "\norrery: terminated (Ctrl-A x)\n");
        return CONSOLE_QUIT;
    case 's':
        return CONSOLE_SAVE;
    case 'h':
    case '?':
        say(c, help_text);
        break;
    case 'c':
        if (!c->mon_input) {
            say(c, "\norrery: no monitor on this console (-monitor put it elsewhere); Ctrl-A x "
                   "quits, Ctrl-A h lists the keys\n");
            break;
        }
        deliver(c, out, n, c->to_monitor); /* what came before goes where it was headed */
        c->to_monitor = !c->to_monitor;
        c->mon_focus(c->mon_opaque, c->to_monitor);
        break;
    case CONSOLE_ESCAPE:
        out[(*n)++] = b;
        break;
    default:
        break; /* an unknown escape is dropped, as QEMU does */
    }
    return CONSOLE_GO_ON;
}

/* Input bytes to the guest, through the escape keys when they are on. Stops after a byte
 * that asks for an event and returns it; *used says how many bytes were taken. */
static enum console_event take_input(struct console *c, const uint8_t *in, size_t len,
                                     size_t *used)
{
    uint8_t out[sizeof c->held];
    size_t n = 0, i = 0;
    enum console_event ev = CONSOLE_GO_ON;
    while (i < len && ev == CONSOLE_GO_ON) {
        if (c->opt.escapes)
            ev = escape_byte(c, in[i++], out, &n);
        else
            out[n++] = in[i++];
    }
    deliver(c, out, &n, c->to_monitor);
    *used = i;
    return ev;
}

void console_attach_monitor(struct console *c,
                            void (*input)(void *opaque, const uint8_t *buf, size_t n),
                            void (*focus)(void *opaque, bool on), void *opaque)
{
    c->mon_input = input;
    c->mon_focus = focus;
    c->mon_opaque = opaque;
    if (!input)
        c->to_monitor = false; /* detached: input goes to the guest again */
}

int console_input_fd(const struct console *c)
{
    return c->in_fd;
}

enum console_event console_poll(struct console *c)
{
    console_flush(c);
    /* The monitor takes any amount; the guest what its queue holds. */
    size_t room = c->to_monitor ? sizeof c->held : chardev_room(&c->dev), used;
    if (c->held_pos < c->held_len) { /* what followed a Ctrl-A s, first */
        size_t k = c->held_len - c->held_pos;
        enum console_event ev =
            take_input(c, c->held + c->held_pos, room < k ? room : k, &used);
        c->held_pos += used;
        return ev;
    }
    if (c->in_fd < 0 || !room)
        return CONSOLE_GO_ON; /* no input, or the guest has not taken what it got */
    struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };
    if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
        return CONSOLE_GO_ON;
    ssize_t r = read(c->in_fd, c->held, room < sizeof c->held ? room : sizeof c->held);
    if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
        c->in_fd = -1; /* end of input: the guest just gets no more */
        return CONSOLE_GO_ON;
    }
    if (r < 0)
        return CONSOLE_GO_ON;
    c->held_len = (size_t)r;
    enum console_event ev = take_input(c, c->held, c->held_len, &used);
    c->held_pos = used;
    return ev;
}

void console_close(struct console *c)
{
    if (!c)
        return;
    console_flush(c);
    if (c->raw)
        restore_terminal();
    if (c->own_out_fd)
        close(c->out_fd);
    free(c);
}
