/* The monitor's commands, in QEMU's spelling (help, info ..., x/FMT, xp/FMT, pmemsave,
 * sendkey, stop, cont, ...): one command set for both places a user types them, the
 * monitor session (session.c: -monitor, Ctrl-A c) and GDB's "monitor" (qRcmd,
 * frontends/gdb/monitor.c). A command reaches the machine only through machine.h and
 * writes its answer through the context's write function, lines ended by '\n'. */
#ifndef ORRERY_FRONTENDS_MONITOR_CMD_H
#define ORRERY_FRONTENDS_MONITOR_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/machine/machine.h"

struct monitor; /* the session (monitor.h); NULL when GDB's monitor runs the command */

struct mon_ctx {
    struct machine *m;
    void (*write)(void *opaque, const char *text);
    void *opaque;
    struct monitor *session;
    /* QEMU remembers the last x/xp format and size. */
    char last_format;       /* x d u o c i s */
    unsigned last_size;     /* 1 2 4 8 */
};

/* A context for GDB's monitor or a test: session NULL, QEMU's defaults (x, 4 bytes). */
void mon_ctx_init(struct mon_ctx *c, struct machine *m, void (*write)(void *, const char *),
                  void *opaque);

/* Runs one command line. Never fails: errors are answered as text. */
void mon_exec(struct mon_ctx *c, const char *line);

/* printf to the monitor (at most 1 KiB per call). */
void mon_printf(struct mon_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- what the command files share (not for other folders) ---- */

/* A cursor over the arguments: words (or "quoted strings"), expressions. */
struct mon_args {
    const char *p;
    char err[160];          /* set by the first failure; later calls then do nothing */
};

/* The next word, NUL-terminated in buf; false (err set naming `what`) when none. */
bool mon_arg_word(struct mon_args *a, char *buf, size_t len, const char *what);
/* An expression (expr.c): numbers (C syntax: 0x hex, 0 octal), 'c', registers ($eax,
 * $pc, ...), + - * / % & | ^ ~ and parentheses. False with err set. */
bool mon_arg_expr(struct mon_args *a, struct machine *m, uint64_t *v, const char *what);
bool mon_args_end(struct mon_args *a);  /* false (err set) when more follows */
void mon_skip_space(struct mon_args *a);

/* Evaluates all of s (for tests and print): false with err (160 bytes). */
bool mon_eval(struct machine *m, const char *s, uint64_t *v, char *err);

/* memory.c: x, xp, pmemsave, memsave. fmt points after the '/' (or is NULL). */
void mon_cmd_x(struct mon_ctx *c, const char *fmt, struct mon_args *a, bool phys);
void mon_cmd_save(struct mon_ctx *c, struct mon_args *a, bool phys);
void mon_cmd_print(struct mon_ctx *c, const char *fmt, struct mon_args *a);

/* info.c: info SUBCOMMAND. */
void mon_cmd_info(struct mon_ctx *c, struct mon_args *a);

/* media.c: info block, change, eject. */
void mon_info_block(struct mon_ctx *c);
void mon_cmd_change(struct mon_ctx *c, struct mon_args *a);
void mon_cmd_eject(struct mon_ctx *c, struct mon_args *a);

/* pagetable.c: info mem and info tlb. */
void mon_info_mem(struct mon_ctx *c);
void mon_info_tlb(struct mon_ctx *c);

/* keynames.c: QEMU's key name (QKeyCode: "ret", "ctrl", "kp_1", ...) to its USB HID
 * usage; 0 when unknown. */
unsigned mon_key_usage(const char *name);
/* sendkey KEYS [HOLD_MS]: the keys pressed in order (usage[0..n)); false with err. */
#define MON_KEYS_MAX 16
bool mon_parse_keys(const char *keys, unsigned usage[MON_KEYS_MAX], unsigned *n, char *err,
                    size_t errlen);

/* replay.c: info replay, replay_break, replay_seek. */
void mon_info_replay(struct mon_ctx *c);
void mon_cmd_replay_break(struct mon_ctx *c, const char *fmt, struct mon_args *a);
void mon_cmd_replay_seek(struct mon_ctx *c, const char *fmt, struct mon_args *a);

/* session.c: what only a session does; each returns false (nothing done) when the command
 * came from GDB (session NULL). */
bool mon_session_stop(struct monitor *s);
bool mon_session_cont(struct monitor *s);
bool mon_session_quit(struct monitor *s);
/* Presses the keys now and releases them, in reverse order, hold_ms later. */
bool mon_session_keys(struct monitor *s, const unsigned *usage, unsigned n, unsigned hold_ms);
/* gdbserver: starts the GDB stub; one line of answer in msg. */
bool mon_session_gdbserver(struct monitor *s, const char *spec, char *msg, size_t len);
void mon_session_info_status(struct mon_ctx *c);
void mon_session_info_chardev(struct mon_ctx *c);

#endif
