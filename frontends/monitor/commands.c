/* The command table (cmd.h): names, arguments and help as QEMU's monitor has them, and
 * the commands small enough to live here. A line is NAME[/FMT] ARGS; errors are one line
 * of answer, never a crash, whatever the line holds. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "frontends/monitor/cmd.h"

void mon_ctx_init(struct mon_ctx *c, struct machine *m, void (*write)(void *, const char *),
                  void *opaque)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->write = write;
    c->opaque = opaque;
    c->last_format = 'x';
    c->last_size = 4;
}

void mon_printf(struct mon_ctx *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    c->write(c->opaque, buf);
}

struct cmd {
    const char *name, *alias, *args, *help;
    void (*run)(struct mon_ctx *c, const char *fmt, struct mon_args *a);
};

static bool no_args(struct mon_ctx *c, struct mon_args *a)
{
    if (mon_args_end(a))
        return true;
    mon_printf(c, "%s\n", a->err);
    return false;
}

static void only_in_session(struct mon_ctx *c, const char *what)
{
    mon_printf(c, "%s: not from gdb's monitor; use gdb's own commands\n", what);
}

static void cmd_help(struct mon_ctx *c, const char *fmt, struct mon_args *a);

static void cmd_info(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    mon_cmd_info(c, a);
}

static void cmd_x(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    mon_cmd_x(c, fmt, a, false);
}

static void cmd_xp(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    mon_cmd_x(c, fmt, a, true);
}

static void cmd_memsave(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    mon_cmd_save(c, a, false);
}

static void cmd_pmemsave(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    mon_cmd_save(c, a, true);
}

static void cmd_print(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    mon_cmd_print(c, fmt, a);
}

static void cmd_system_reset(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    if (no_args(c, a))
        machine_reset(c->m);
}

/* system_powerdown: the ACPI power button. QEMU shows nothing either way; a guest that does
 * not listen (ACPI off, or the button's event not enabled) gets one line saying so. */
static void cmd_system_powerdown(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    if (no_args(c, a) && !machine_power_button(c->m))
        mon_printf(c, "system_powerdown: the guest is not listening for the power button "
                      "(no ACPI); 'quit' ends orrery\n");
}

static void cmd_change(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    mon_cmd_change(c, a);
}

static void cmd_eject(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    mon_cmd_eject(c, a);
}

static void cmd_stop(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    if (no_args(c, a) && !mon_session_stop(c->session))
        only_in_session(c, "stop");
}

static void cmd_cont(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    if (no_args(c, a) && !mon_session_cont(c->session))
        only_in_session(c, "cont");
}

static void cmd_quit(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    if (no_args(c, a) && !mon_session_quit(c->session))
        only_in_session(c, "quit");
}

/* sendkey KEYS [HOLD_MS]: keys joined by '-', pressed in order, released in reverse after
 * the hold time (100 ms unless given). From GDB's monitor they are released at once. */
static void cmd_sendkey(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    char keys[256], err[96];
    uint64_t hold = 100;
    if (!mon_arg_word(a, keys, sizeof keys, "keys")) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    mon_skip_space(a);
    if (*a->p && !mon_arg_expr(a, c->m, &hold, "hold time")) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    if (!no_args(c, a))
        return;
    unsigned usage[MON_KEYS_MAX], n;
    if (!mon_parse_keys(keys, usage, &n, err, sizeof err)) {
        mon_printf(c, "%s\n", err);
        return;
    }
    if (hold > 60000)
        hold = 60000;
    if (mon_session_keys(c->session, usage, n, (unsigned)hold))
        return;
    bool ok = true;
    for (unsigned i = 0; i < n; i++)
        ok &= machine_key(c->m, usage[i], true);
    for (unsigned i = n; i-- > 0;)
        ok &= machine_key(c->m, usage[i], false);
    if (!ok)
        mon_printf(c, "sendkey: the keyboard dropped keys (scanning off or its queue full)\n");
}

/* screendump FILE [-f ppm|png]: the screen as QEMU writes it. */
static void cmd_screendump(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    char path[1024] = "", word[1024], format[8] = "ppm";
    while (mon_skip_space(a), *a->p) {
        if (!mon_arg_word(a, word, sizeof word, "filename"))
            break;
        if (strcmp(word, "-f") == 0) {
            if (!mon_arg_word(a, word, sizeof word, "format"))
                break;
            snprintf(format, sizeof format, "%.7s", word);
            if (strcmp(word, "ppm") != 0 && strcmp(word, "png") != 0) {
                mon_printf(c, "Parameter 'format' does not accept value '%s'\n", word);
                return;
            }
        } else if (!path[0]) {
            snprintf(path, sizeof path, "%s", word);
        } else {
            snprintf(a->err, sizeof a->err, "extraneous characters at the end of line");
            break;
        }
    }
    if (a->err[0] || !path[0]) {
        mon_printf(c, "%s\n", a->err[0] ? a->err : "filename expected");
        return;
    }
    char err[MACHINE_ERRMAX];
    enum machine_status st = strcmp(format, "png") == 0
                                 ? machine_screendump_png(c->m, path, err)
                                 : machine_screendump(c->m, path, err);
    if (st != MACHINE_OK)
        mon_printf(c, "%s\n", err);
}

/* savevm [FILE], loadvm FILE: orrery's save files (QEMU keeps snapshots inside a qcow2
 * image; here the tag is the file's name). */
static void cmd_savevm(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    char path[1024], err[MACHINE_ERRMAX];
    mon_skip_space(a);
    if (!*a->p) {
        time_t now = time(NULL);
        struct tm tm;
        char stamp[32] = "0";
        if (localtime_r(&now, &tm))
            strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        snprintf(path, sizeof path, "orrery-%s.state", stamp);
    } else if (!mon_arg_word(a, path, sizeof path, "tag") || !mon_args_end(a)) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    if (machine_save_state(c->m, path, err) != MACHINE_OK)
        mon_printf(c, "Error: %s\n", err);
    else
        mon_printf(c, "saved the machine to %s (-loadstate %s or 'loadvm %s' goes back)\n",
                   path, path, path);
}

static void cmd_loadvm(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    char path[1024], err[MACHINE_ERRMAX];
    if (!mon_arg_word(a, path, sizeof path, "tag") || !mon_args_end(a)) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    if (machine_load_state(c->m, path, err) != MACHINE_OK)
        mon_printf(c, "Error: %s\n", err);
}

static void cmd_gdbserver(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    char spec[256] = "tcp::1234", msg[320];
    mon_skip_space(a);
    if (*a->p && (!mon_arg_word(a, spec, sizeof spec, "device") || !mon_args_end(a))) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    if (!mon_session_gdbserver(c->session, spec, msg, sizeof msg)) {
        only_in_session(c, "gdbserver");
        return;
    }
    mon_printf(c, "%s\n", msg);
}

static const struct cmd cmds[] = {
    { "help", "?", "[cmd]", "show the help", cmd_help },
    { "info", NULL, "[subcommand]", "show various information about the system state",
      cmd_info },
    { "x", NULL, "/fmt addr", "virtual memory dump starting at 'addr'", cmd_x },
    { "xp", NULL, "/fmt addr", "physical memory dump starting at 'addr'", cmd_xp },
    { "print", "p", "/fmt expr", "print expression value (use $reg for CPU register access)",
      cmd_print },
    { "memsave", NULL, "addr size file", "save to disk virtual memory dump starting at 'addr' "
      "of size 'size'", cmd_memsave },
    { "pmemsave", NULL, "addr size file", "save to disk physical memory dump starting at "
      "'addr' of size 'size'", cmd_pmemsave },
    { "sendkey", NULL, "keys [hold_ms]", "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', "
      "default hold time=100 ms)", cmd_sendkey },
    { "screendump", NULL, "filename [-f format]", "save screen to a file (ppm or png)",
      cmd_screendump },
    { "change", NULL, "device [-f] filename [format]", "change a removable medium (a CD-ROM "
      "or floppy image; -f also when the guest locked the drive)", cmd_change },
    { "eject", NULL, "[-f] device", "eject a removable medium (use -f to force it)",
      cmd_eject },
    { "stop", NULL, "", "stop emulation", cmd_stop },
    { "cont", "c", "", "resume emulation", cmd_cont },
    { "system_reset", NULL, "", "reset the system", cmd_system_reset },
    { "system_powerdown", NULL, "", "send system power down event (ACPI power button)",
      cmd_system_powerdown },
    { "savevm", NULL, "[file]", "save the machine to a file (orrery's save state)",
      cmd_savevm },
    { "loadvm", NULL, "file", "restore the machine from a file saved by savevm", cmd_loadvm },
    { "gdbserver", NULL, "[device]", "start gdbserver on given device (default 'tcp::1234')",
      cmd_gdbserver },
    { "replay_break", NULL, "icount", "set breakpoint at the specified instruction count",
      mon_cmd_replay_break },
    { "replay_seek", NULL, "icount", "replay execution to the specified instruction count",
      mon_cmd_replay_seek },
    { "quit", "q", "", "quit the emulator", cmd_quit },
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static void help_line(struct mon_ctx *c, const struct cmd *k)
{
    mon_printf(c, "%s%s%s %s -- %s\n", k->name, k->alias ? "|" : "", k->alias ? k->alias : "",
               k->args, k->help);
}

static const struct cmd *find(const char *name)
{
    for (size_t i = 0; i < NCMDS; i++)
        if (strcmp(name, cmds[i].name) == 0 || (cmds[i].alias && strcmp(name, cmds[i].alias) == 0))
            return &cmds[i];
    return NULL;
}

static void cmd_help(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    (void)fmt;
    char name[32];
    mon_skip_space(a);
    if (*a->p && mon_arg_word(a, name, sizeof name, "command")) {
        const struct cmd *k = find(name);
        if (k && strcmp(k->name, "info") == 0) {
            struct mon_args none = { .p = "" };
            mon_cmd_info(c, &none);
        } else if (k) {
            help_line(c, k);
        } else {
            mon_printf(c, "unknown command: '%s'\n", name);
        }
        return;
    }
    for (size_t i = 0; i < NCMDS; i++)
        help_line(c, &cmds[i]);
}

void mon_exec(struct mon_ctx *c, const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return;
    char name[32], fmt[32];
    size_t n = 0;
    while (*p && *p != ' ' && *p != '\t' && *p != '/') {
        if (n + 1 < sizeof name)
            name[n] = *p;
        n++;
        p++;
    }
    if (n >= sizeof name) {
        mon_printf(c, "unknown command: '%.30s...'\n", line);
        return;
    }
    name[n] = '\0';
    const struct cmd *k = find(name);
    bool takes_format = k && (k->run == cmd_x || k->run == cmd_xp || k->run == cmd_print);
    if (takes_format) { /* "x /4xw addr" is "x/4xw addr", as QEMU reads it */
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '/')
            p = q;
    }
    const char *fmtp = NULL;
    if (*p == '/') {
        size_t len = 0;
        p++;
        while (*p && *p != ' ' && *p != '\t') {
            if (len + 1 < sizeof fmt)
                fmt[len] = *p;
            len++;
            p++;
        }
        if (len >= sizeof fmt) {
            mon_printf(c, "invalid format\n");
            return;
        }
        fmt[len] = '\0';
        fmtp = fmt;
    }
    if (!k) {
        char shown[40];
        size_t j = 0;
        for (const char *q = name; *q && j + 1 < sizeof shown; q++)
            shown[j++] = isprint((unsigned char)*q) ? *q : '?';
        shown[j] = '\0';
        mon_printf(c, "unknown command: '%s'\n", shown);
        return;
    }
    if (fmtp && !takes_format) {
        mon_printf(c, "%s: takes no /format\n", k->name);
        return;
    }
    struct mon_args a = { .p = p };
    k->run(c, fmtp, &a);
}
