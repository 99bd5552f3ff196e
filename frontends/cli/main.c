/* build/orrery: the command line, with QEMU's spelling for every flag that exists here.
 *
 * Options are QEMU style: one dash (two also work), the argument as the next word. Bad
 * input ends with one line on stderr and exit status 1. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/machine/machine.h"
#include "frontends/cli/boot.h"
#include "frontends/cli/drives.h"
#include "frontends/cli/log_items.h"
#include "frontends/cli/record.h"
#include "frontends/gdb/gdbstub.h"
#include "frontends/headless/console.h"
#include "frontends/monitor/monitor.h"
#include "frontends/sdl/display.h"

#ifndef ORRERY_VERSION
#define ORRERY_VERSION "unknown"
#endif

enum { EXIT_USAGE = 1, EXIT_STOPPED = 2 };

/* Instructions per machine_run call: small enough that a signal is noticed within
 * milliseconds, large enough that the call costs nothing. */
#define BATCH 1000000u

static volatile sig_atomic_t caught_signal;

/* What the command line says beyond the machine's configuration. */
struct options {
    struct console_options serial;
    bool serial_given;   /* -serial appeared */
    bool nographic;
    const char *loadstate;   /* -loadstate: start from this saved state */
    const char *savestate;   /* -savestate: save the machine here at exit */
    bool stop_at_set;
    uint64_t stop_at;        /* -stop-at: stop when this many instructions have retired */
    const char *screendump;  /* -screendump: the screen as a PPM here at exit */
    const char *textdump;    /* -textdump: the text screen here at exit */
    const char *gdb;         /* -gdb DEV (-s: tcp::1234); "none" or NULL: no stub */
    bool start_stopped;      /* -S: the guest waits for gdb (or the monitor) to continue it */
    const char *monitor;     /* -monitor DEV; NULL: on the console's mux (-nographic) */
    struct display_options display; /* -display; -nographic is none */
};

/* -textdump: the VGA's text screen (empty in a graphics mode), for tests and scripts. */
static int write_textdump(struct machine *m, const char *path)
{
    static char text[256 * 130 + 1];
    size_t n = machine_text_screen(m, text, sizeof text);
    FILE *f = fopen(path, "w");
    int bad = !f || fwrite(text, 1, n, f) != n;
    if (f && fclose(f) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "orrery: cannot write text dump '%s': %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void on_signal(int sig)
{
    caught_signal = sig;
}

static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    fputs("orrery: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(EXIT_USAGE);
}

static void usage(void)
{
    printf("usage: orrery [options]\n"
           "\n"
           "  -bios FILE          firmware image (a multiple of 64 KiB, at most 16 MiB); it\n"
           "                      starts at the reset vector, mapped below 4 GiB and 1 MiB.\n"
           "                      Default: SeaBIOS (bios-256k.bin) from -L folders, then\n"
           "                      /usr/share/seabios, /usr/share/qemu (apt-get install seabios)\n"
           "  -L DIR              look for firmware in DIR first (may be repeated)\n"
           "  -kernel FILE        boot this Linux bzImage directly (32-bit boot protocol,\n"
           "                      2.10+); no firmware needed, and none runs\n"
           "  -initrd FILE        its initial RAM disk, loaded high in RAM\n"
           "  -append CMDLINE     its command line\n"
           "  -hda FILE           a disk image (raw, or qcow2 found by its magic) as IDE\n"
           "                      primary master (-hdb primary slave, -hdc/-hdd\n"
           "                      secondary); written in place\n"
           "  -cdrom FILE         an ISO image in an ATAPI CD-ROM drive at the secondary\n"
           "                      master (read-only; SeaBIOS boots El Torito discs)\n"
           "  -drive file=FILE,format=raw|qcow2,if=ide,index=N,media=disk|cdrom,readonly=on\n"
           "                      a disk or CD-ROM at IDE place N (0-3); media=cdrom\n"
           "                      without file= is an empty drive\n"
           "  -boot order=DRIVES,once=DRIVES,menu=on,splash-time=MS,strict=on,\n"
           "        reboot-timeout=MS\n"
           "                      boot devices in turn, up to three of a (floppy), c (hard\n"
           "                      disk), d (CD-ROM); once= for the first boot only; menu=on\n"
           "                      lets SeaBIOS offer its boot menu; strict=on tries only\n"
           "                      those named; reboot-timeout= reboots when none boots\n"
           "                      (-boot d: order=d)\n"
           "  -fda FILE           a raw floppy image in drive A: (-fdb: B:), 160K to 2.88M\n"
           "  -drive file=FILE,if=floppy,index=N,readonly=on\n"
           "                      a floppy in drive N (0 A:, 1 B:); readonly=on protects it\n"
           "  -snapshot           the disk images are only read; the guest's writes go to\n"
           "                      temporary files, gone when orrery exits\n"
           "  -m SIZE             guest RAM: -m 64 (MiB), -m 64M, -m 1G (default 128M,\n"
           "                      from 1M to 3584M)\n"
           "  -cpu MODEL          %s; -cpu help lists them\n"
           "  -accel NAME         how guest code runs: block (decoded blocks, the default),\n"
           "                      interp (the reference interpreter) or lockstep (each\n"
           "                      block checked against the interpreter; stops at the\n"
           "                      first difference). -engine NAME: the older spelling.\n"
           "                      ,native=off: no host code for hot blocks (x86-64)\n"
           "  -display sdl[,gl=off]\n"
           "                      a window (the default when $DISPLAY or $WAYLAND_DISPLAY\n"
           "                      is set): a click takes the mouse, Ctrl-Alt-G gives it\n"
           "                      back, Ctrl-Alt-F full screen; gl=off: software drawing\n"
           "  -display none       no display (the default without a window system)\n"
           "  -nographic          no display; COM1 on this terminal (raw mode) with QEMU's\n"
           "                      escape keys: Ctrl-A x quits, Ctrl-A h lists them\n"
           "  -serial DEV         COM1: stdio, file:PATH, null or none (default none, or\n"
           "                      stdio with -nographic)\n"
           "  -debugcon DEV       the 0xE9 debug port: stdio, file:PATH, null or none\n"
           "  -global isa-debugcon.iobase=PORT\n"
           "                      put it at PORT instead (SeaBIOS logs to 0x402)\n"
           "  -d ITEM[,ITEM]      log: in_asm, exec, cpu, int, mmu, unimp, guest_errors,\n"
           "                      ioport, postcode (-d help says what each shows)\n"
           "  -D LOGFILE          write the log there instead of stderr\n"
           "  -dfilter RANGES     log in_asm, exec, cpu, int only at these linear addresses:\n"
           "                      START+LEN, START-LEN or START..END, comma-separated\n"
           "  -record FILE[,snapshot=N][,check=N]\n"
           "                      record every input (serial, keys, mouse, buttons) with\n"
           "                      the instruction that saw it (implies -icount; disks on\n"
           "                      overlays); snapshot=N: a saved state every N\n"
           "                      instructions; check=N: state checksums (default 10M)\n"
           "  -replay FILE        run a record again, with its inputs, to the same end\n"
           "                      (same options and files; stops where it departs)\n"
           "  -trace-file FILE[,mem=on]\n"
           "                      record a binary trace of the executed instructions and\n"
           "                      interrupts (read it with orrery-trace); mem=on: every\n"
           "                      data access too (the CPU then runs on the interpreter)\n"
           "  -no-reboot          exit instead of resetting on a triple fault or reset\n"
           "  -icount [shift=]N   deterministic time: 2^N ns per instruction (N 0-%d);\n"
           "                      HLT jumps to the next timer. Default: real time\n"
           "  -rtc base=DATE      the RTC's start: utc, localtime, YYYY-MM-DD or\n"
           "                      YYYY-MM-DDTHH:MM:SS (default: the host's UTC time, or\n"
           "                      2000-01-01T00:00:00 with -icount)\n"
           "  -loadstate FILE     start from a state saved by -savestate or Ctrl-A s (give\n"
           "                      the same -cpu, -m and -bios/-kernel as when it was saved)\n"
           "  -savestate FILE     save the machine to FILE when orrery exits\n"
           "  -gdb DEV            GDB remote stub: tcp::PORT (127.0.0.1), tcp:HOST:PORT,\n"
           "                      unix:PATH (PORT 0: a free one, printed); -gdb none: off\n"
           "  -s                  -gdb tcp::1234\n"
           "  -S                  start stopped: the guest waits for gdb (or, without a\n"
           "                      stub, the monitor's cont) to continue it\n"
           "  -monitor DEV        QEMU's monitor: stdio, unix:PATH,server,nowait,\n"
           "                      tcp:HOST:PORT,server,nowait or none (default: Ctrl-A c\n"
           "                      on the -nographic console)\n"
           "  -stop-at N          stop once the guest has retired N instructions (counted\n"
           "                      from power-on, through -loadstate); with -icount, a\n"
           "                      reproducible point to save or compare at\n"
           "  -option-rom FILE    an option ROM the firmware runs (fw_cfg genroms/; up to %d)\n"
           "  -screendump FILE    at exit, write the screen to FILE: PNG when its name ends\n"
           "                      in .png, otherwise a PPM (P6) picture\n"
           "  -textdump FILE      at exit, write the VGA's text screen to FILE as text\n"
           "  -h, -help           this help\n"
           "  -version            the version\n"
           "\n"
           "orrery stops when the guest halts with interrupts disabled (exit 0), at\n"
           "-stop-at (exit 0), when it needs something not implemented yet or lockstep\n"
           "finds the engines differ (exit 2), or on SIGINT/SIGTERM (exit 0).\n",
           machine_cpu_models(), MACHINE_ICOUNT_SHIFT_MAX, MACHINE_OPTION_ROMS_MAX);
}

enum size_parse { SIZE_OK, SIZE_BAD, SIZE_HUGE };

/* QEMU's size syntax (qemu_strtosz with MiB as the default unit): a number with an optional
 * fraction and an optional suffix K, M, G or T (B for bytes). SIZE_HUGE when it is a size
 * of 2^63 bytes or more; the arithmetic never overflows. */
static enum size_parse parse_size(const char *s, uint64_t *out)
{
    uint64_t whole = 0, frac = 0, frac_div = 1;
    bool huge = false;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return SIZE_BAD;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (whole > (UINT64_MAX - 9) / 10)
            huge = true;
        else
            whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return SIZE_BAD;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (frac_div < 1000000000u) { /* nine digits are more than a byte's worth */
                frac = frac * 10 + (uint64_t)(*p - '0');
                frac_div *= 10;
            }
        }
    }
    unsigned shift = 20;
    switch (*p) {
    case '\0': break;
    case 'b': case 'B': shift = 0; break;
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: return SIZE_BAD;
    }
    if (*p && p[1])
        return SIZE_BAD;
    if (huge || whole >= (1ull << (63 - shift)))
        return SIZE_HUGE;
    /* frac / frac_div of 2^shift bytes, with frac < frac_div <= 10^9 < 2^30: in two steps
     * of at most 2^20, so that no product exceeds 2^50. */
    unsigned lo = shift < 20 ? shift : 20, hi = shift - lo;
    uint64_t q = (frac << lo) / frac_div, r = (frac << lo) % frac_div;
    uint64_t part = (q << hi) + (r << hi) / frac_div;
    *out = (whole << shift) + part; /* < 2^63 + 2^40 */
    return SIZE_OK;
}

/* The next comma-separated item of *rest (which it cuts), "" for an empty one, NULL after
 * the last: unlike strtok, empty items are seen, so that "-d ,," is not taken as nothing. */
static char *next_item(char **rest)
{
    char *t = *rest;
    if (!t)
        return NULL;
    char *comma = strchr(t, ',');
    if (comma)
        *comma = '\0';
    *rest = comma ? comma + 1 : NULL;
    return t;
}

/* The argument of option argv[*i], or a one-line error if it is missing. */
static const char *arg_of(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc || argv[*i + 1] == NULL)
        die("option '%s' needs an argument (see orrery -h)", argv[*i]);
    return argv[++*i];
}

static void parse_m(struct machine_config *cfg, const char *v)
{
    const char *s = strncmp(v, "size=", 5) == 0 ? v + 5 : v;
    uint64_t bytes = 0;
    enum size_parse r = parse_size(s, &bytes);
    if (r == SIZE_BAD)
        die("-m %s: not a size (examples: -m 64, -m 64M, -m 1G)", v);
    if (r == SIZE_HUGE || bytes > MACHINE_RAM_MAX)
        die("-m %s: too large; at most 3584M (3.5G) fits below the PCI hole", v);
    if (bytes == 0)
        die("-m %s: the guest needs some RAM (at least 1M)", v);
    if (bytes < MACHINE_RAM_MIN)
        die("-m %s: too small; orrery needs at least 1M of RAM", v);
    /* QEMU rounds the size up to a whole page as well. */
    cfg->ram_size = (bytes + 4095) & ~(uint64_t)4095;
}

static void parse_debugcon(struct machine_config *cfg, const char *v)
{
    if (strcmp(v, "stdio") == 0) {
        cfg->debugcon = MACHINE_DEBUGCON_STDIO;
    } else if (strncmp(v, "file:", 5) == 0) {
        if (!v[5])
            die("-debugcon file: needs a path (-debugcon file:PATH)");
        cfg->debugcon = MACHINE_DEBUGCON_FILE;
        cfg->debugcon_path = v + 5;
    } else if (strcmp(v, "null") == 0) {
        cfg->debugcon = MACHINE_DEBUGCON_NULL;
    } else if (strcmp(v, "none") == 0) {
        cfg->debugcon = MACHINE_DEBUGCON_NONE;
    } else {
        die("-debugcon %s: unsupported; use stdio, file:PATH, null or none", v);
    }
}

/* QEMU's -global DRIVER.PROPERTY=VALUE, for the one property orrery has: the debug
 * console's port (isa-debugcon.iobase=0x402 is where SeaBIOS writes its log). */
static void parse_global(struct machine_config *cfg, const char *v)
{
    const char *prefix = "isa-debugcon.iobase=";
    if (strncmp(v, prefix, strlen(prefix)) != 0)
        die("-global %s: unsupported; orrery knows isa-debugcon.iobase=PORT", v);
    const char *n = v + strlen(prefix);
    char *end;
    errno = 0;
    unsigned long port = strtoul(n, &end, 0);
    if (*n < '0' || *n > '9' || *end || errno || port == 0 || port > 0xFFFF)
        die("-global %s: '%s' is not an I/O port (example: isa-debugcon.iobase=0x402)", v, n);
    cfg->debugcon_port = (uint16_t)port;
}

static void parse_serial(struct options *o, const char *v)
{
    o->serial_given = true;
    o->serial.path = NULL;
    if (strcmp(v, "stdio") == 0 || strcmp(v, "mon:stdio") == 0) {
        o->serial.kind = CONSOLE_STDIO;
        o->serial.escapes = v[0] == 'm'; /* mon: multiplexes, with the escape keys */
    } else if (strncmp(v, "file:", 5) == 0) {
        if (!v[5])
            die("-serial file: needs a path (-serial file:PATH)");
        o->serial.kind = CONSOLE_FILE;
        o->serial.path = v + 5;
    } else if (strcmp(v, "null") == 0) {
        o->serial.kind = CONSOLE_NULL;
    } else if (strcmp(v, "none") == 0) {
        o->serial.kind = CONSOLE_NONE;
    } else {
        die("-serial %s: unsupported; use stdio, file:PATH, null or none", v);
    }
}

static void parse_d(struct machine_config *cfg, const char *v)
{
    char *items = strdup(v);
    if (!items)
        die("out of memory");
    if (strcmp(v, "help") == 0) {
        log_item_help(stdout);
        free(items);
        exit(0);
    }
    for (char *rest = items, *t; (t = next_item(&rest)) != NULL;) {
        if (!*t) {
            free(items);
            die("-d %s: an empty log item; give a comma-separated list such as -d ioport,"
                "postcode", v);
        }
        unsigned bit;
        if (log_item_bit(t, &bit)) {
            cfg->log_items |= bit;
        } else {
            char item[64];
            snprintf(item, sizeof item, "%s", t);
            free(items);
            die("-d %s: unknown log item '%s' (known: %s)", v, item, log_item_names());
        }
    }
    free(items);
}

/* -trace-file FILE[,mem=on|off]: the option is looked for at the end only, so a file
 * name may hold commas. */
static void parse_trace_file(struct machine_config *cfg, const char *v)
{
    const char *comma = strrchr(v, ',');
    if (!comma || strncmp(comma + 1, "mem=", 4) != 0) {
        cfg->trace_path = v;
        return;
    }
    if (strcmp(comma + 1, "mem=on") != 0 && strcmp(comma + 1, "mem=off") != 0)
        die("-trace-file %s: mem= takes on or off", v);
    if (comma == v)
        die("-trace-file %s: give a file name before ,mem=", v);
    char *path = strndup(v, (size_t)(comma - v));
    if (!path)
        die("out of memory");
    cfg->trace_path = path; /* lives as long as the program, like argv */
    cfg->trace_mem = strcmp(comma + 1, "mem=on") == 0;
}

/* QEMU's -icount: "N" or "shift=N", optionally ",sleep=off" (the only way orrery runs:
 * an idle guest jumps to its next timer). */
static void parse_icount(struct machine_config *cfg, const char *v)
{
    char *opts = strdup(v);
    bool have_shift = false;
    if (!opts)
        die("out of memory");
    for (char *rest = opts, *t; (t = next_item(&rest)) != NULL;) {
        const char *n = strncmp(t, "shift=", 6) == 0 ? t + 6 : t;
        if (!*t) {
            free(opts);
            die("-icount %s: an empty option; give -icount N or -icount shift=N", v);
        }
        if (strcmp(t, "sleep=off") == 0)
            continue;
        if (strncmp(t, "sleep=", 6) == 0) {
            free(opts);
            die("-icount %s: only sleep=off exists here: a deterministic guest that waits "
                "jumps to its next timer", v);
        }
        if (strcmp(n, "auto") == 0) {
            free(opts);
            die("-icount %s: shift=auto is not supported; give a number 0-%d", v,
                MACHINE_ICOUNT_SHIFT_MAX);
        }
        char *end;
        errno = 0;
        unsigned long shift = *n >= '0' && *n <= '9' ? strtoul(n, &end, 10) : 0;
        if (*n < '0' || *n > '9' || *end || errno || shift > MACHINE_ICOUNT_SHIFT_MAX) {
            char item[64];
            snprintf(item, sizeof item, "%s", t);
            free(opts);
            die("-icount %s: '%s' is not a shift of 0-%d (examples: -icount 3, "
                "-icount shift=0)", v, item, MACHINE_ICOUNT_SHIFT_MAX);
        }
        if (have_shift) {
            free(opts);
            die("-icount %s: the shift is given twice; give it once (example: -icount "
                "shift=3)", v);
        }
        cfg->icount_shift = (unsigned)shift;
        have_shift = true;
    }
    free(opts);
    if (!have_shift)
        die("-icount %s: no shift given (example: -icount shift=3)", v);
    cfg->icount = true;
}

static void parse_rtc(struct machine_config *cfg, const char *v)
{
    char *opts = strdup(v);
    bool have_base = false;
    if (!opts)
        die("out of memory");
    for (char *rest = opts, *t; (t = next_item(&rest)) != NULL;) {
        char item[64];
        snprintf(item, sizeof item, "%s", t);
        if (!*t) {
            free(opts);
            die("-rtc '%s': an empty option; give -rtc base=DATE (utc, localtime, YYYY-MM-DD "
                "or YYYY-MM-DDTHH:MM:SS)", v);
        }
        if (have_base && strncmp(t, "base=", 5) == 0) {
            free(opts);
            die("-rtc %s: base= is given twice; give it once", v);
        }
        if (strncmp(t, "base=", 5) == 0) {
            have_base = true;
            if (!machine_parse_rtc_base(t + 5, &cfg->rtc_base)) {
                free(opts);
                die("-rtc %s: '%s' is not a date; use utc, localtime, YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM:SS (from 1970)", v, item + 5);
            }
            cfg->rtc_base_set = true;
        } else {
            free(opts);
            die("-rtc %s: unsupported option '%s' (orrery knows base=)", v, item);
        }
    }
    free(opts);
}

static void parse_args(int argc, char **argv, struct machine_config *cfg, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0')
            die("unexpected argument '%s' (options start with '-'; see orrery -h)", a);
        const char *name = a + 1 + (a[1] == '-'); /* QEMU accepts --opt as well as -opt */
        if (strcmp(name, "h") == 0 || strcmp(name, "help") == 0) {
            usage();
            exit(0);
        } else if (strcmp(name, "version") == 0) {
            printf("orrery version %s\n", ORRERY_VERSION);
            exit(0);
        } else if (strcmp(name, "m") == 0) {
            parse_m(cfg, arg_of(argc, argv, &i));
        } else if (strcmp(name, "cpu") == 0) {
            const char *v = arg_of(argc, argv, &i);
            if (strcmp(v, "help") == 0) {
                printf("Available CPU models: %s\n", machine_cpu_models());
                exit(0);
            }
            if (!machine_cpu_model_known(v))
                die("-cpu %s: unknown CPU model (known: %s)", v, machine_cpu_models());
            cfg->cpu_model = v;
        } else if (strcmp(name, "accel") == 0 || strcmp(name, "engine") == 0) {
            /* -engine is the older spelling; translate its name for block. native=on|off
             * (after a comma) picks the block translator's host-code tier. */
            const char *v = arg_of(argc, argv, &i);
            const char *opt = strchr(v, ',');
            char eng[16];
            if (opt) {
                if (strcmp(opt + 1, "native=off") == 0)
                    cfg->native_off = true;
                else if (strcmp(opt + 1, "native=on") == 0)
                    cfg->native_off = false;
                else
                    die("-%s %s: unknown option '%s'; give native=on or native=off", name, v,
                        opt + 1);
                snprintf(eng, sizeof eng, "%.*s", (int)(opt - v), v);
                v = eng;
            }
            if (strcmp(v, "block") == 0 || strcmp(v, "translate") == 0)
                cfg->engine = MACHINE_ENGINE_TRANSLATE;
            else if (strcmp(v, "interp") == 0)
                cfg->engine = MACHINE_ENGINE_INTERP;
            else if (strcmp(v, "lockstep") == 0)
                cfg->engine = MACHINE_ENGINE_LOCKSTEP;
            else
                die("-%s %s: unknown accelerator; give -accel block, interp or lockstep", name,
                    v);
        } else if (strcmp(name, "bios") == 0) {
            cfg->bios_path = arg_of(argc, argv, &i);
        } else if (strcmp(name, "L") == 0) {
            const char *v = arg_of(argc, argv, &i);
            if (cfg->nfirmware_dirs == MACHINE_FIRMWARE_DIRS_MAX)
                die("-L %s: at most %d firmware folders", v, MACHINE_FIRMWARE_DIRS_MAX);
            cfg->firmware_dirs[cfg->nfirmware_dirs++] = v;
        } else if (strcmp(name, "option-rom") == 0) {
            const char *v = arg_of(argc, argv, &i);
            if (cfg->noption_roms == MACHINE_OPTION_ROMS_MAX)
                die("-option-rom %s: at most %d option ROMs", v, MACHINE_OPTION_ROMS_MAX);
            cfg->option_roms[cfg->noption_roms++] = v;
        } else if (strcmp(name, "kernel") == 0) {
            cfg->kernel_path = arg_of(argc, argv, &i);
        } else if (strlen(name) == 3 && strncmp(name, "hd", 2) == 0 && name[2] >= 'a' &&
                   name[2] <= 'd') {
            char err[MACHINE_ERRMAX];
            if (!drives_hd(cfg, (unsigned)(name[2] - 'a'), arg_of(argc, argv, &i), a, err,
                           sizeof err))
                die("%s", err);
        } else if (strcmp(name, "cdrom") == 0) {
            char err[MACHINE_ERRMAX];
            if (!drives_cdrom(cfg, arg_of(argc, argv, &i), err, sizeof err))
                die("%s", err);
        } else if (strcmp(name, "boot") == 0) {
            char err[MACHINE_ERRMAX];
            if (!boot_option(cfg, arg_of(argc, argv, &i), err, sizeof err))
                die("%s", err);
        } else if (strcmp(name, "fda") == 0 || strcmp(name, "fdb") == 0) {
            char err[MACHINE_ERRMAX];
            if (!drives_fd(cfg, (unsigned)(name[2] - 'a'), arg_of(argc, argv, &i), false, a,
                           err, sizeof err))
                die("%s", err);
        } else if (strcmp(name, "snapshot") == 0) {
            cfg->snapshot = true;
        } else if (strcmp(name, "drive") == 0) {
            char err[MACHINE_ERRMAX];
            if (!drives_drive(cfg, arg_of(argc, argv, &i), err, sizeof err))
                die("%s", err);
        } else if (strcmp(name, "initrd") == 0) {
            cfg->initrd_path = arg_of(argc, argv, &i);
        } else if (strcmp(name, "append") == 0) {
            cfg->append = arg_of(argc, argv, &i);
        } else if (strcmp(name, "display") == 0) {
            char err[MACHINE_ERRMAX];
            if (!display_parse(arg_of(argc, argv, &i), &o->display, err, sizeof err))
                die("%s", err);
        } else if (strcmp(name, "nographic") == 0) {
            o->nographic = true;
            cfg->nographic = true;
            o->display.kind = DISPLAY_NONE;
        } else if (strcmp(name, "serial") == 0) {
            parse_serial(o, arg_of(argc, argv, &i));
        } else if (strcmp(name, "debugcon") == 0) {
            parse_debugcon(cfg, arg_of(argc, argv, &i));
        } else if (strcmp(name, "global") == 0) {
            parse_global(cfg, arg_of(argc, argv, &i));
        } else if (strcmp(name, "d") == 0) {
            parse_d(cfg, arg_of(argc, argv, &i));
        } else if (strcmp(name, "D") == 0) {
            cfg->log_path = arg_of(argc, argv, &i);
        } else if (strcmp(name, "dfilter") == 0) {
            char err[MACHINE_ERRMAX];
            if (!machine_parse_ranges(arg_of(argc, argv, &i), cfg->log_ranges,
                                      MACHINE_LOG_RANGES_MAX, &cfg->nlog_ranges, err))
                die("%s", err);
        } else if (strcmp(name, "record") == 0 || strcmp(name, "replay") == 0) {
            char err[MACHINE_ERRMAX];
            if (!record_option(cfg, name, arg_of(argc, argv, &i), err, sizeof err))
                die("%s", err);
        } else if (strcmp(name, "trace-file") == 0) {
            parse_trace_file(cfg, arg_of(argc, argv, &i));
        } else if (strcmp(name, "no-reboot") == 0) {
            cfg->no_reboot = true;
        } else if (strcmp(name, "icount") == 0) {
            parse_icount(cfg, arg_of(argc, argv, &i));
        } else if (strcmp(name, "rtc") == 0) {
            parse_rtc(cfg, arg_of(argc, argv, &i));
        } else if (strcmp(name, "loadstate") == 0) {
            o->loadstate = arg_of(argc, argv, &i);
        } else if (strcmp(name, "savestate") == 0) {
            o->savestate = arg_of(argc, argv, &i);
        } else if (strcmp(name, "screendump") == 0) {
            o->screendump = arg_of(argc, argv, &i);
        } else if (strcmp(name, "textdump") == 0) {
            o->textdump = arg_of(argc, argv, &i);
        } else if (strcmp(name, "gdb") == 0) {
            o->gdb = arg_of(argc, argv, &i);
        } else if (strcmp(name, "s") == 0) {
            o->gdb = "tcp::1234";
        } else if (strcmp(name, "monitor") == 0) {
            o->monitor = arg_of(argc, argv, &i);
        } else if (strcmp(name, "S") == 0) {
            o->start_stopped = true;
        } else if (strcmp(name, "stop-at") == 0) {
            const char *v = arg_of(argc, argv, &i);
            char *end;
            errno = 0;
            o->stop_at = strtoull(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || errno)
                die("-stop-at %s: not an instruction count (example: -stop-at 1000000)", v);
            o->stop_at_set = true;
        } else {
            die("unknown option '%s' (see orrery -h)", a);
        }
    }
    /* -nographic puts COM1 on the terminal with the escape keys unless -serial says
     * otherwise (QEMU: -serial mon:stdio). */
    if (o->nographic && !o->serial_given) {
        o->serial.kind = CONSOLE_STDIO;
        o->serial.escapes = true;
    }
    if (cfg->initrd_path && !cfg->kernel_path)
        die("-initrd needs a kernel: give -kernel FILE too");
    if (cfg->append && !cfg->kernel_path)
        die("-append needs a kernel: give -kernel FILE too");
    if ((cfg->record_path || cfg->replay_path) && o->loadstate)
        die("-loadstate with -%s: a record starts at power-on; record from the state's "
            "run instead", cfg->record_path ? "record" : "replay");
    if (cfg->record_path && !cfg->icount)
        cfg->icount = true; /* -record implies -icount (shift 0 unless given) */
    if (cfg->log_path && !cfg->log_items)
        die("-D %s: nothing to log; give -d ITEMS too (-d help lists them)", cfg->log_path);
}

/* Ctrl-A s: the machine goes to orrery-YYYYMMDD-HHMMSS.state in the current folder (with
 * -2, -3... when that exists already); the console says where, or why not. */
static void save_on_request(struct machine *m, struct console *con)
{
    char name[96], stamp[32], msg[MACHINE_ERRMAX + 128], err[MACHINE_ERRMAX];
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm))
        snprintf(stamp, sizeof stamp, "%lld", (long long)now);
    struct stat st;
    snprintf(name, sizeof name, "orrery-%s.state", stamp);
    for (int n = 2; stat(name, &st) == 0 && n < 100; n++)
        snprintf(name, sizeof name, "orrery-%s-%d.state", stamp, n);
    if (machine_save_state(m, name, err) == MACHINE_OK)
        snprintf(msg, sizeof msg, "\norrery: saved the machine to %s (%llu instructions); "
                 "-loadstate %s starts from here\n", name,
                 (unsigned long long)machine_instructions(m), name);
    else
        snprintf(msg, sizeof msg, "\norrery: %s\n", err);
    console_message(con, msg);
}

/* The first output that failed to write (a full disk): one line, exit status 1. Flushes
 * everything first, so that nothing waits in a buffer to fail later. */
static bool report_output_error(struct machine *m, struct console *con, int *status)
{
    char err[MACHINE_ERRMAX];
    console_flush(con);
    if (!machine_output_error(m, err) && !console_error(con, err, sizeof err))
        return false;
    fprintf(stderr, "orrery: %s\n", err);
    *status = EXIT_USAGE;
    return true;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* Past a file-size limit (ulimit -f) a write fails with EFBIG and is reported like a
     * full disk, instead of the signal ending orrery with the guest's data half written. */
    signal(SIGXFSZ, SIG_IGN);
}

int main(int argc, char **argv)
{
    struct machine_config cfg;
    struct options opt;
    memset(&cfg, 0, sizeof cfg);
    memset(&opt, 0, sizeof opt);
    parse_args(argc, argv, &cfg, &opt);

    char err[MACHINE_ERRMAX];
    /* A save at the end of a long run must not be the first to find the path unusable. */
    if (opt.savestate && machine_check_save_path(opt.savestate, err) != MACHINE_OK)
        die("%s", err);
    /* Nor a screen dump: its file is created now and written at exit. */
    const char *dumps[2][2] = { { opt.screendump, "screen dump" }, { opt.textdump, "text dump" } };
    for (unsigned i = 0; i < 2; i++) {
        FILE *f = dumps[i][0] ? fopen(dumps[i][0], "wb") : NULL;
        if (dumps[i][0] && !f)
            die("cannot create %s '%s': %s", dumps[i][1], dumps[i][0], strerror(errno));
        if (f)
            fclose(f);
    }
    struct console *con = console_open(&opt.serial, err, sizeof err);
    if (!con)
        die("%s", err);
    cfg.serial = console_chardev(con);
    struct machine *m;
    if (machine_create(&cfg, &m, err) != MACHINE_OK) {
        console_close(con);
        die("%s", err);
    }
    install_signals();

    if (opt.loadstate && machine_load_state(m, opt.loadstate, err) != MACHINE_OK) {
        machine_destroy(m);
        console_close(con);
        die("%s", err);
    }

    struct gdbstub *gdb = NULL;
    if (opt.gdb && strcmp(opt.gdb, "none") != 0 &&
        !(gdb = gdbstub_open(opt.gdb, m, opt.start_stopped, err, sizeof err))) {
        machine_destroy(m);
        console_close(con);
        die("%s", err);
    }

    struct monitor *mon = NULL;
    struct monitor_setup ms = { opt.monitor, con, opt.serial.kind == CONSOLE_STDIO,
                                opt.serial.kind == CONSOLE_STDIO && opt.serial.escapes,
                                gdb != NULL, &cfg, opt.start_stopped && !gdb };
    if (!monitor_open(&ms, m, &mon, err, sizeof err)) {
        gdbstub_close(gdb);
        machine_destroy(m);
        console_close(con);
        die("%s", err);
    }
    if (opt.start_stopped && !gdb && !mon) {
        machine_destroy(m);
        console_close(con);
        die("-S: the guest would wait for a debugger or the monitor; give -gdb DEV, -s or "
            "-monitor DEV too");
    }
    struct display *disp = display_open(&opt.display, m, err, sizeof err);
    if (!disp && err[0]) {
        monitor_close(mon);
        gdbstub_close(gdb);
        machine_destroy(m);
        console_close(con);
        die("%s", err);
    }

    int status = 0;
    bool output_failed = false;
    bool held = false; /* gdb holds the guest */
    while (!caught_signal) {
        /* The monitor may stop the guest (stop), end orrery (quit) or start a stub. */
        enum monitor_event me = mon ? monitor_poll(mon) : MONITOR_RUN;
        if (me == MONITOR_QUIT)
            break;
        if (mon && !gdb)
            gdb = monitor_take_gdb(mon);
        /* The window: its input to the guest, a frame when one is due; closing it quits. */
        bool paused = held || me == MONITOR_STOPPED;
        if (disp && display_poll(disp, paused ? DISPLAY_PAUSED : DISPLAY_RUNNING)) {
            fprintf(stderr, "orrery: the window was closed; exiting after %llu instructions\n",
                    (unsigned long long)machine_instructions(m));
            break;
        }
        /* The GDB stub decides whether the guest runs; it waits for gdb while it does not. */
        if (gdb && gdbstub_killed(gdb)) {
            fprintf(stderr, "orrery: killed by gdb\n");
            break;
        }
        if ((held = gdb && !gdbstub_poll(gdb)))
            continue;
        uint64_t budget = disp ? DISPLAY_SLICE : BATCH;
        if (opt.stop_at_set) {
            uint64_t done = machine_instructions(m);
            if (done >= opt.stop_at) {
                console_flush(con);
                machine_flush(m);
                fprintf(stderr, "orrery: stopped after %llu instructions (-stop-at)\n",
                        (unsigned long long)done);
                break;
            }
            if (opt.stop_at - done < budget)
                budget = opt.stop_at - done;
        }
        enum machine_stop why = me == MONITOR_STOPPED ? MACHINE_STOP_BUDGET
                                                      : machine_run(m, budget);
        /* The slice boundary: the console's output goes out, its input comes in. */
        enum console_event ev = console_poll(con);
        if ((output_failed = report_output_error(m, con, &status)))
            break;
        if (ev == CONSOLE_QUIT)
            break;
        if (ev == CONSOLE_SAVE)
            save_on_request(m, con);
        if (gdb && gdbstub_stopped(gdb, why))
            continue;
        if (why == MACHINE_STOP_BUDGET || why == MACHINE_STOP_RESET)
            continue;
        if (why == MACHINE_STOP_REPLAY_BREAK && mon && monitor_replay_break(mon))
            continue;
        console_flush(con);
        machine_flush(m);
        fflush(stdout);
        unsigned long long done = (unsigned long long)machine_instructions(m);
        if (why == MACHINE_STOP_UNSUPPORTED || why == MACHINE_STOP_DIVERGED) {
            fprintf(stderr, "orrery: stopped: %s after %llu instructions\n",
                    machine_stop_message(m), done);
            status = EXIT_STOPPED;
        } else if (why == MACHINE_STOP_SHUTDOWN) {
            fprintf(stderr, "orrery: %s; exiting (-no-reboot) after %llu instructions\n",
                    machine_stop_message(m), done);
        } else {
            fprintf(stderr, "orrery: %s; exiting after %llu instructions\n",
                    machine_stop_message(m), done);
        }
        /* As QEMU, the window shows the last screen until it is closed. */
        if (disp && why == MACHINE_STOP_HALT) {
            fprintf(stderr, "orrery: the window keeps the last screen; close it to exit\n");
            display_wait(disp, &caught_signal);
        }
        break;
    }
    if (caught_signal) {
        console_flush(con);
        machine_flush(m);
        fflush(stdout);
        struct machine_regs r;
        machine_get_regs(m, &r);
        fprintf(stderr, "orrery: terminating on signal %d (%s); the guest was at %04X:%08X "
                "after %llu instructions\n", (int)caught_signal,
                caught_signal == SIGINT ? "SIGINT" : "SIGTERM", r.seg[1], r.eip,
                (unsigned long long)machine_instructions(m));
    }
    if (cfg.engine == MACHINE_ENGINE_LOCKSTEP) {
        uint64_t blocks, insns, fenced;
        machine_lockstep_stats(m, &blocks, &insns, &fenced);
        fprintf(stderr, "orrery: lockstep compared %llu blocks (%llu instructions); %llu cut "
                "before a device access\n", (unsigned long long)blocks,
                (unsigned long long)insns, (unsigned long long)fenced);
    }
    if (!output_failed)
        report_output_error(m, con, &status);
    size_t dump_len = opt.screendump ? strlen(opt.screendump) : 0;
    bool png = dump_len >= 4 && strcasecmp(opt.screendump + dump_len - 4, ".png") == 0;
    if (opt.screendump && (png ? machine_screendump_png : machine_screendump)(m,
            opt.screendump, err) != MACHINE_OK) {
        fprintf(stderr, "orrery: %s\n", err);
        status = EXIT_USAGE;
    }
    if (opt.textdump && write_textdump(m, opt.textdump) != 0)
        status = EXIT_USAGE;
    if (opt.savestate) {
        if (machine_save_state(m, opt.savestate, err) == MACHINE_OK) {
            fprintf(stderr, "orrery: saved the machine to %s after %llu instructions\n",
                    opt.savestate, (unsigned long long)machine_instructions(m));
        } else {
            fprintf(stderr, "orrery: %s\n", err);
            status = EXIT_USAGE;
        }
    }
    monitor_close(mon);
    display_close(disp);
    gdbstub_close(gdb);
    machine_destroy(m);
    console_close(con);
    return status;
}
