/* The headless console: COM1 on the terminal, a file or nothing (-serial, -nographic).
 *
 * A console owns the chardev the machine's COM1 talks to (core/chardev.h). The frontend
 * calls console_poll between machine_run slices: it writes out what the guest sent and
 * queues what stdin has ready, without ever blocking (poll with a zero timeout, then one
 * read). On a terminal, stdio puts it in raw mode, restored on any exit (atexit, and the
 * signals that end the process). With escapes on (-nographic), QEMU's Ctrl-A keys work:
 * Ctrl-A x quits, Ctrl-A s saves the machine (the frontend names the file), Ctrl-A h
 * lists the keys, Ctrl-A c switches the input between the guest and the monitor
 * (frontends/monitor/, when one is attached), Ctrl-A Ctrl-A sends Ctrl-A. */
#ifndef ORRERY_FRONTENDS_HEADLESS_CONSOLE_H
#define ORRERY_FRONTENDS_HEADLESS_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/machine/machine.h"

enum console_kind {
    CONSOLE_NONE,   /* no host end: the machine gets no chardev */
    CONSOLE_NULL,   /* output discarded, no input */
    CONSOLE_STDIO,  /* stdout and stdin (raw mode on a terminal) */
    CONSOLE_FILE,   /* output to path (created or truncated), no input */
};

struct console_options {
    enum console_kind kind;
    const char *path;     /* CONSOLE_FILE */
    bool escapes;         /* Ctrl-A keys (-nographic): the terminal's signals go to the guest */
};

enum console_event {
    CONSOLE_GO_ON,
    CONSOLE_QUIT,         /* Ctrl-A x */
    CONSOLE_SAVE,         /* Ctrl-A s: save the machine (the frontend does it) */
};

struct console;

/* Opens the console; on failure returns NULL with one line in err. */
struct console *console_open(const struct console_options *opt, char *err, size_t err_len);

/* The chardev to put in machine_config.serial (NULL for CONSOLE_NONE). */
struct chardev *console_chardev(struct console *c);

/* Between slices: flushes output, takes input. Never blocks. */
enum console_event console_poll(struct console *c);

/* A line from orrery itself (not the guest), e.g. where Ctrl-A s saved the machine: on
 * the console's output, lines ended properly in raw mode. */
void console_message(struct console *c, const char *text);

/* Writes out everything buffered. */
void console_flush(struct console *c);

/* After the first write that failed (a full disk, an I/O error): true with one line in
 * err naming the output and the cause. Output is dropped from then on. NULL is fine. */
bool console_error(const struct console *c, char *err, size_t err_len);

/* Flushes, restores the terminal, frees. NULL is fine. */
void console_close(struct console *c);

/* The monitor on the mux (with escapes): Ctrl-A c gives it the input (focus(opaque, true))
 * and takes it back; while it has it, typed bytes go to input instead of the guest. */
void console_attach_monitor(struct console *c,
                            void (*input)(void *opaque, const uint8_t *buf, size_t n),
                            void (*focus)(void *opaque, bool on), void *opaque);
/* The descriptor input is read from (-1: none, or input ended), for waiting on it. */
int console_input_fd(const struct console *c);

/* The byte that starts an escape: Ctrl-A. */
#define CONSOLE_ESCAPE 0x01

#endif
