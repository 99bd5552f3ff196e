/* The machine: the one facade the frontends use (DESIGN.md, "Who may include whom").
 *
 * A machine owns guest physical memory, the I/O bus, the CPU and the devices. It is opaque
 * here so that a frontend never sees cpu/, mmu/ or devices/; everything it needs goes
 * through these functions. There is no global state: two machines in one process are
 * independent. */
#ifndef ORRERY_CORE_MACHINE_MACHINE_H
#define ORRERY_CORE_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/chardev.h"

struct machine;

#define MACHINE_ERRMAX 256 /* size of the buffer for machine_create's one-line message */

/* RAM: the default, and the bounds machine_create accepts. The upper bound is where QEMU's
 * PC puts the 32-bit PCI hole (0xE0000000); RAM above 4 GiB does not exist yet. */
#define MACHINE_RAM_DEFAULT (128ull << 20)
#define MACHINE_RAM_MIN (1ull << 20)
#define MACHINE_RAM_MAX (3584ull << 20)

/* Firmware images: whole 64 KiB blocks, at most 16 MiB (the flash window below 4 GiB). */
#define MACHINE_BIOS_UNIT (64u << 10)
#define MACHINE_BIOS_MAX (16u << 20)

/* Folders given with -L, searched for firmware before the distribution's. */
#define MACHINE_FIRMWARE_DIRS_MAX 8
#define MACHINE_OPTION_ROMS_MAX 4
#define MACHINE_OPTION_ROM_MAX (128u << 10) /* the option ROM area is 0xC0000-0xDFFFF */

enum machine_debugcon {
    MACHINE_DEBUGCON_NONE,   /* no device on port 0xE9: reads float high */
    MACHINE_DEBUGCON_NULL,   /* the device answers, output is discarded */
    MACHINE_DEBUGCON_STDIO,  /* output to the process's stdout */
    MACHINE_DEBUGCON_FILE,   /* output to debugcon_path (created or truncated) */
};

/* What -d turns on (bit set). */
enum {
    MACHINE_LOG_IOPORT = 1u << 0,
    MACHINE_LOG_POSTCODE = 1u << 1,
    MACHINE_LOG_IN_ASM = 1u << 2,       /* each instruction address the first time it runs */
    MACHINE_LOG_EXEC = 1u << 3,         /* each instruction executed */
    MACHINE_LOG_CPU = 1u << 4,          /* the registers after each instruction */
    MACHINE_LOG_INT = 1u << 5,          /* interrupts and exceptions */
    MACHINE_LOG_MMU = 1u << 6,          /* page faults, CR3 loads, TLB flushes */
    MACHINE_LOG_UNIMP = 1u << 7,        /* what the guest reached that orrery lacks */
    MACHINE_LOG_GUEST_ERRORS = 1u << 8, /* unclaimed I/O ports, triple faults */
};

/* -dfilter: the log items of instructions and interrupts are limited to these linear
 * address ranges (lo..hi, both included) when there are any. */
#define MACHINE_LOG_RANGES_MAX 32
struct machine_range {
    uint32_t lo, hi;
};
/* Parses QEMU's -dfilter syntax: comma-separated START+LENGTH, START-LENGTH (the LENGTH
 * bytes below START) or START..END (END included), numbers in C syntax (0x hex). False,
 * with one line in err (MACHINE_ERRMAX bytes), for anything else. */
bool machine_parse_ranges(const char *s, struct machine_range *out, unsigned max,
                          unsigned *n, char *err);

/* -icount shift=N: deterministic time, 2^N ns per instruction. */
#define MACHINE_ICOUNT_SHIFT_MAX 10

/* The RTC's date with -icount when no -rtc base is given: 2000-01-01T00:00:00, so that
 * deterministic runs do not depend on the day they run. */
#define MACHINE_RTC_DETERMINISTIC_BASE 946684800

/* IDE disks: two channels of two. */
#define MACHINE_IDE_DISKS 4
/* Floppy drives A: and B: on the 82077AA. */
#define MACHINE_FLOPPIES 2

/* How the CPU runs guest code (-accel): decoded blocks kept and run again (the default),
 * the interpreter, which decodes every instruction each time (the reference), or both in
 * lockstep, each block checked against the interpreter (cpu/README.md). The results are
 * the same, instruction for instruction; lockstep stops at the first difference. */
enum machine_engine { MACHINE_ENGINE_TRANSLATE, MACHINE_ENGINE_INTERP, MACHINE_ENGINE_LOCKSTEP };

/* A drive on the IDE (-hda..-hdd, -cdrom, -drive). */
enum machine_media { MACHINE_MEDIA_DISK = 0, MACHINE_MEDIA_CDROM = 1 };
struct machine_drive {
    const char *path;         /* the image; NULL: no drive, or an empty CD-ROM drive */
    enum machine_media media; /* a hard disk, or an ATAPI CD-ROM (2048-byte sectors) */
    bool readonly;            /* opened read-only; the guest's writes fail (CD-ROMs always) */
    const char *format;       /* "raw", "qcow2" (-drive format=); NULL: detected (qcow2 by
                                 its magic, else raw) */
};

struct machine_config {
    uint64_t ram_size;        /* bytes, a multiple of 4 KiB; 0 means MACHINE_RAM_DEFAULT */
    const char *cpu_model;    /* a name or alias; NULL means the default (pentium2) */
    const char *bios_path;    /* the firmware image (-bios); NULL: without kernel_path,
                                 SeaBIOS's bios-256k.bin found in firmware_dirs, then in
                                 firmware_system_dirs (roms/firmware.h) */
    const char *firmware_dirs[MACHINE_FIRMWARE_DIRS_MAX]; /* -L DIR, searched in order */
    unsigned nfirmware_dirs;
    const char *const *firmware_system_dirs; /* NULL-terminated; NULL: Debian's folders
                                                (/usr/share/seabios, /usr/share/qemu) */
    const char *option_roms[MACHINE_OPTION_ROMS_MAX]; /* -option-rom FILE: option ROMs the
                                 firmware runs after the VGA BIOS (fw_cfg genroms/NAME) */
    unsigned noption_roms;
    const char *kernel_path;  /* a bzImage booted directly, with no firmware run (-kernel) */
    const char *initrd_path;  /* its initial RAM disk (-initrd); needs kernel_path */
    const char *append;       /* its command line (-append); needs kernel_path */
    enum machine_debugcon debugcon;
    const char *debugcon_path;
    uint16_t debugcon_port;   /* its I/O port; 0 means 0xE9 (SeaBIOS logs to 0x402:
                                 -global isa-debugcon.iobase=0x402) */
    unsigned log_items;       /* MACHINE_LOG_* */
    const char *log_path;     /* where the log items go; NULL means stderr */
    struct machine_range log_ranges[MACHINE_LOG_RANGES_MAX]; /* -dfilter */
    unsigned nlog_ranges;
    const char *trace_path;   /* -trace-file: the binary trace (tools/TRACE-FORMAT.md) */
    bool trace_mem;           /* -trace-file FILE,mem=on: its MEM records too */
    bool no_reboot;           /* a triple fault or reset request stops instead of resetting */
    bool nographic;           /* no display at all (-nographic): the firmware is told so
                                 (fw_cfg) and SeaBIOS puts its screen on COM1 */
    struct chardev *serial;   /* COM1's host end (-serial, -nographic); NULL: none. The
                                 caller owns it; it must outlive the machine */
    bool icount;              /* deterministic clock (-icount); false: real time */
    unsigned icount_shift;    /* with icount: 2^shift ns per instruction, 0..10 */
    bool rtc_base_set;        /* the RTC starts at rtc_base instead of the host's clock */
    int64_t rtc_base;         /* seconds since 1970-01-01T00:00:00 (see machine_parse_rtc_base) */
    struct machine_drive ide[MACHINE_IDE_DISKS]; /* the PIIX3 IDE's drives: primary master
                                 and slave, secondary master and slave (-hda..-hdd, -cdrom,
                                 -drive if=ide,index=N) */
    const char *boot_order;   /* -boot order=: devices to boot in turn, a floppy, c hard
                                 disk, d CD-ROM (up to three); NULL: "cda" */
    const char *boot_once;    /* -boot once=: the order of the first boot only; NULL: none */
    bool boot_menu;           /* -boot menu=on: SeaBIOS offers its boot menu (F12/ESC) */
    unsigned boot_menu_wait;  /* -boot splash-time=MS: how long it waits (at most 65535);
                                 0: SeaBIOS's default */
    bool boot_strict;         /* -boot strict=on: only the drives named are tried */
    bool boot_reboot;         /* -boot reboot-timeout=MS given: with nothing to boot, the
                                 firmware reboots after boot_reboot_ms (at most 65535);
                                 false: it waits (QEMU's default, -1) */
    unsigned boot_reboot_ms;
    bool snapshot;            /* -snapshot: the images are only read; the guest's writes go
                                 to temporary overlays, gone at exit */
    enum machine_engine engine; /* -accel block|interp|lockstep */
    bool native_off;          /* -accel block,native=off: no host code for hot blocks */
    const char *floppy[MACHINE_FLOPPIES]; /* raw floppy images in drives A: and B: (-fda,
                                 -fdb, -drive if=floppy,index=N), of a floppy format's size
                                 (160K to 2.88M); NULL: no drive */
    bool floppy_readonly[MACHINE_FLOPPIES]; /* readonly=on: write-protected, never written */
    const char *record_path;  /* -record: every input goes to this file (needs icount) */
    uint64_t record_snapshot; /* -record FILE,snapshot=N: a saved state every N instructions
                                 in the record; 0: none */
    uint64_t record_check;    /* -record FILE,check=N: state checksums every N instructions;
                                 0: every 10 million */
    const char *replay_path;  /* -replay: the inputs come from this record, not the host */
};

enum machine_status {
    MACHINE_OK = 0,
    MACHINE_ERR_RAM,          /* RAM size out of bounds or not a multiple of 4 KiB */
    MACHINE_ERR_CPU,          /* unknown CPU model */
    MACHINE_ERR_BIOS,         /* firmware missing, unreadable or of the wrong size */
    MACHINE_ERR_FILE,         /* a debugcon or log file could not be opened */
    MACHINE_ERR_NOMEM,        /* the host is out of memory */
    MACHINE_ERR_KERNEL,       /* -kernel/-initrd/-append: a bad file, or it does not fit */
    MACHINE_ERR_CONFIG,       /* another setting out of range (-icount shift) */
    MACHINE_ERR_STATE,        /* a saved state could not be written or read, or does not
                                 fit this machine */
    MACHINE_ERR_DISK,         /* a disk image is missing, unreadable or of a wrong size */
};

/* Why machine_run returned. */
enum machine_stop {
    MACHINE_STOP_BUDGET,      /* the instruction budget ran out; call again to go on */
    MACHINE_STOP_HALT,        /* HLT that nothing can end: interrupts off */
    MACHINE_STOP_RESET,       /* the guest reset the machine (triple fault, keyboard
                                 controller, port 0x92, 0xCF9); it has restarted */
    MACHINE_STOP_SHUTDOWN,    /* a reset with no_reboot: the machine is off */
    MACHINE_STOP_POWEROFF,    /* the guest turned the machine off (ACPI S5); it stays off */
    MACHINE_STOP_UNSUPPORTED, /* the guest reached something orrery does not implement yet,
                                 or lockstep found the engines disagree (the message says) */
    MACHINE_STOP_DEBUG,       /* a debugger's breakpoint, watchpoint or step: see
                                 machine_debug_stopped */
    MACHINE_STOP_REPLAY_END,  /* the replay reached the end of its record (sticky) */
    MACHINE_STOP_REPLAY_BREAK,/* the replay reached machine_replay_break's instruction */
    MACHINE_STOP_DIVERGED,    /* the replay departed from its record: the message says at
                                 which instruction and what differs (sticky) */
};

/* Builds a machine in its power-on state. On failure returns the cause, leaves *out NULL
 * and writes one line (no newline) to err, which must hold MACHINE_ERRMAX bytes. */
enum machine_status machine_create(const struct machine_config *cfg, struct machine **out,
                                   char *err);
void machine_destroy(struct machine *m); /* flushes and closes every output; NULL is fine */

/* Runs at most n instructions, firing the devices' timed events on the way. While the
 * guest waits in HLT with interrupts enabled, virtual time goes to the next event: at once
 * with the deterministic clock, sleeping the host with the real-time one; such waiting
 * returns MACHINE_STOP_BUDGET after MACHINE_IDLE_MAX_NS of host time, so that the caller
 * gets control back; so does a slice after a timer that keeps re-arming itself in the
 * past (sched_fire_due's bound). A HLT with interrupts off, shutdown or unsupported stop is sticky:
 * calling again returns it again at once. */
enum machine_stop machine_run(struct machine *m, uint64_t n);
#define MACHINE_IDLE_MAX_NS 10000000ull

/* -rtc base=: "utc" (the host's clock now), "localtime" (the host's local time now),
 * "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (years 1970-9999). Returns false if it is none of
 * these; otherwise *epoch is that date as seconds since 1970-01-01T00:00:00, for
 * machine_config.rtc_base. Without rtc_base_set the RTC starts at the host's UTC time
 * (real time) or MACHINE_RTC_DETERMINISTIC_BASE (-icount). */
bool machine_parse_rtc_base(const char *s, int64_t *epoch);

/* One line explaining the last stop other than the budget, with the guest's CS:EIP. */
const char *machine_stop_message(const struct machine *m);

/* Save state (core/machine/machine_state.c): the CPU, RAM, every device and the virtual
 * clock to a gzip-compressed file, written to PATH.tmp, synced to disk and renamed, so a
 * failed save leaves no partial file; PATH must be a regular file or nothing. Call between
 * machine_run calls. Loading needs a machine created with the same CPU model, RAM size,
 * -bios image and -kernel (recognised by size and CRC-32; -initrd is only needed for a
 * reset); the clock may differ (a state saved with -icount runs on in real time). A file of
 * another format or section version, another configuration, or cut short is refused
 * with one line in err (MACHINE_ERRMAX bytes). A load that fails, wherever in the file,
 * leaves the machine exactly as it was (the state is read into a copy first). */
enum machine_status machine_save_state(struct machine *m, const char *path, char *err);
/* Checks ahead what machine_save_state will need of path: a regular file or nothing
 * there (a state never replaces a device, a FIFO or a folder), and a folder where
 * path.tmp can be created. MACHINE_ERR_STATE with one line in err otherwise. */
enum machine_status machine_check_save_path(const char *path, char *err);
enum machine_status machine_load_state(struct machine *m, const char *path, char *err);

/* Reading saved states without a machine (core/machine/state_inspect.c, build/orrery-state).
 * show prints every field as "section.field = 0xVALUE", one per line, and each RAM region
 * with its count of non-zero pages; diff prints the fields that differ between two states
 * ("section.field: 0xA vs 0xB", at most 40, then a count) and the RAM pages that differ,
 * and returns the number of differences. Both return -1 with one line in err
 * (MACHINE_ERRMAX bytes) when a file cannot be read. */
int machine_state_show(const char *path, FILE *out, char *err);
int machine_state_diff(const char *path_a, const char *path_b, FILE *out, char *err);

/* Mouse input from the frontend, for the PS/2 mouse on the 8042's auxiliary port. Call
 * between machine_run calls, once per host event. dx, dy: relative motion in the host
 * window's convention (right and down positive; SDL's xrel, yrel), taken as mouse counts
 * one for one; dz: wheel notches, positive toward the user (scrolling down: SDL's
 * -wheel.y); buttons: the MACHINE_MOUSE_* held now (not changes). Movement adds up until
 * the guest's driver has enabled the mouse and takes packets; before that it is dropped
 * when the driver enables reporting, as on a real mouse. */
enum { MACHINE_MOUSE_LEFT = 1u << 0, MACHINE_MOUSE_RIGHT = 1u << 1,
       MACHINE_MOUSE_MIDDLE = 1u << 2 };
void machine_mouse_move(struct machine *m, int dx, int dy, int dz, unsigned buttons);

/* Keyboard input from the frontend (core/machine/keys.c), for the PS/2 keyboard: usage is
 * the key's USB HID usage (Keyboard/Keypad page: 0x04 'A' to 0xE7 right GUI), which names
 * its position, not its label, so the mapping is layout-independent (SDL_Scancode values
 * are these numbers); down: pressed or released. The keyboard sends the key's scan code
 * set 2 sequence, which the 8042 translates to set 1 when the guest has it on. Returns
 * false for a usage with no PC key, or when the keyboard dropped it (scanning off, queue
 * full). Call between machine_run calls. */
enum { MACHINE_KEY_MAX = 0xE8, MACHINE_KEY_PRINT_SCREEN = 0x46, MACHINE_KEY_PAUSE = 0x48 };
bool machine_key(struct machine *m, unsigned usage, bool down);
bool machine_key_known(unsigned usage); /* a usage with a PC key */

/* Presses the power button (ACPI: PWRBTN_STS, an SCI). Returns true when the guest has
 * ACPI on and listens for the button; false when the press will go unseen. */
bool machine_power_button(struct machine *m);

/* Resets the machine as the reset button does (RAM keeps its contents). */
void machine_reset(struct machine *m);

/* Writes out everything buffered for the debug console and the logs. */
void machine_flush(struct machine *m);

/* Flushes the debug console and the log and checks them and the disk images: true, with
 * one line in err (MACHINE_ERRMAX bytes) naming the output and the cause, when a write to
 * any failed (a full disk). Output that failed stays failed: call it between machine_run calls and
 * stop at the first. */
bool machine_output_error(struct machine *m, char *err);

uint64_t machine_instructions(const struct machine *m); /* retired since creation */
/* -accel lockstep: the blocks and instructions compared so far, and the blocks cut before
 * an instruction that touches a device (run by the interpreter alone); zeros otherwise. */
void machine_lockstep_stats(const struct machine *m, uint64_t *blocks, uint64_t *insns,
                            uint64_t *fenced);
uint64_t machine_time_ns(const struct machine *m);      /* virtual time since creation */

/* Inspection, for tests and debuggers. Registers in encoding order (EAX, ECX, EDX, EBX,
 * ESP, EBP, ESI, EDI; ES, CS, SS, DS, FS, GS). */
struct machine_regs {
    uint32_t gpr[8];
    uint32_t eip, eflags, cr0;
    uint16_t seg[6];
    uint32_t seg_base[6], seg_limit[6];
    uint32_t gdt_base;
    uint16_t gdt_limit;
};
void machine_get_regs(struct machine *m, struct machine_regs *r);
/* Copies guest physical memory as the CPU would read it (unmapped bytes read 0xFF). */
void machine_read_phys(struct machine *m, uint32_t addr, void *buf, size_t len);

/* The screen as the VGA shows it, rendered on this call: 32-bit XRGB pixels (0x00RRGGBB),
 * *w by *h, *stride pixels from one row to the next; valid until the next call or
 * machine_destroy. NULL, with *w = *h = 0, when the VGA shows nothing. */
const uint32_t *machine_framebuffer(struct machine *m, unsigned *w, unsigned *h,
                                    unsigned *stride);
/* The text on the screen when the VGA is in a text mode: rows of characters separated by
 * '\n' (bytes 0x20-0x7E as they are, 0 as a space, others as '.'), NUL-terminated in buf
 * (len bytes). Returns the characters written; 0 in a graphics mode. */
size_t machine_text_screen(struct machine *m, char *buf, size_t len);
/* Writes the screen as a binary PPM (P6) to path (-screendump); a 1x1 black picture when
 * nothing is shown. */
enum machine_status machine_screendump(struct machine *m, const char *path, char *err);
/* The same as a PNG picture, 8-bit RGB (core/machine/screen_png.c). */
enum machine_status machine_screendump_png(struct machine *m, const char *path, char *err);

/* ---- Debugging (core/machine/machine_debug.c): what a debugger stub uses ----
 *
 * Everything here observes without changing what the guest does: memory is read and
 * written through a page walk that sets no accessed or dirty bit and leaves the TLB alone,
 * never faults the guest and never reaches a device's registers; breakpoints are kept in
 * a list and compared at instruction boundaries, never written into guest memory. Call
 * between machine_run calls. */

/* Every register a debugger shows. st[i] is ST(i) in the 80-bit format, least significant
 * byte first on every host. Segments in encoding order (ES CS SS DS FS GS). */
struct machine_dbg_regs {
    uint32_t gpr[8];          /* EAX ECX EDX EBX ESP EBP ESI EDI */
    uint32_t eip, eflags;
    uint16_t sel[6];
    uint32_t base[6], limit[6];
    uint16_t attr[6];         /* descriptor bits 40-47 and 52-55, as LAR shows them */
    uint32_t cr0, cr2, cr3, cr4;
    uint32_t dr[8];
    uint32_t gdtr_base, idtr_base;
    uint16_t gdtr_limit, idtr_limit, ldtr, tr;
    uint8_t st[8][10];
    uint16_t fctrl, fstat, ftag, fop;  /* ftag: the full tag word (FSTENV's) */
    uint32_t fiseg, fioff, foseg, fooff;
    uint8_t mode;             /* 0 real, 1 protected, 2 virtual-8086 */
    uint8_t cpl;
};
void machine_debug_get_regs(struct machine *m, struct machine_dbg_regs *r);
/* Writes general registers, EIP, EFLAGS, real-mode selectors and the x87 state; false
 * (nothing changed) when it would change a control, debug or descriptor-table register,
 * a hidden segment part, a protected-mode selector or EFLAGS.VM, and always while a record
 * or replay runs (as machine_debug_write, which then writes nothing). */
bool machine_debug_set_regs(struct machine *m, const struct machine_dbg_regs *r);

/* Guest memory at a linear address (translated as the CPU would now, paging included) or
 * a physical one. Returns how many bytes were done before the first that could not be:
 * a linear page not present, a device's registers (MMIO), past 4 GiB; writes also stop
 * at ROM and at addresses nothing claims. Reads of unclaimed addresses give 0xFF. */
size_t machine_debug_read(struct machine *m, uint64_t addr, void *buf, size_t len, bool phys);
size_t machine_debug_write(struct machine *m, uint64_t addr, const void *buf, size_t len,
                           bool phys);
/* The physical address of a linear one, without side effects; false: not mapped. */
bool machine_debug_translate(struct machine *m, uint32_t lin, uint64_t *phys);

/* Breakpoints at linear addresses (CS base + EIP) and watchpoints on linear ranges of any
 * length. False when the table is full (64 breakpoints, 16 watchpoints) or, removing, when
 * there is no such entry. */
enum machine_watch { MACHINE_WATCH_WRITE = 1, MACHINE_WATCH_READ = 2, MACHINE_WATCH_ACCESS = 3 };
bool machine_debug_break(struct machine *m, uint32_t lin, bool insert);
bool machine_debug_watch(struct machine *m, uint32_t lin, uint32_t len, enum machine_watch kind,
                         bool insert);
/* Before machine_run: forget the last stop; with step, the next machine_run ends with
 * MACHINE_STOP_DEBUG after one instruction (interrupts wait while stepping unless the CPU
 * is halted). A breakpoint at the current instruction lets it run. */
void machine_debug_resume(struct machine *m, bool step);
/* Why machine_run returned MACHINE_STOP_DEBUG: the breakpoint's linear address, or the
 * watched address touched and the kind of the watchpoint that fired. */
enum machine_debug_stop { MACHINE_DEBUG_NONE, MACHINE_DEBUG_BREAK, MACHINE_DEBUG_WATCH,
                          MACHINE_DEBUG_STEP };
enum machine_debug_stop machine_debug_stopped(struct machine *m, uint32_t *addr,
                                              enum machine_watch *kind);

/* ---- Drives and their media (core/machine/media.c): the monitor's info block, change
 * and eject ----
 *
 * Drives are numbered 0-3 for the IDE places (primary master, slave, secondary master,
 * slave), then 4-5 for floppy drives A: and B:, and named as QEMU names them: ide0-hd0,
 * ide1-cd0, floppy0... A CD-ROM's disc and a floppy can be changed or taken out while the
 * machine runs (between machine_run calls); the guest sees it as on a PC: the CD-ROM
 * reports UNIT ATTENTION (medium changed) and a media event, the floppy drive raises its
 * disk change line (DIR bit 7). */
#define MACHINE_DRIVES (MACHINE_IDE_DISKS + MACHINE_FLOPPIES)
struct machine_drive_info {
    char name[12];            /* ide0-hd0, ide1-cd0, floppy0, ... */
    bool cdrom, floppy;       /* removable media; neither: a hard disk */
    bool inserted;            /* a medium is in (hard disks: always) */
    bool tray_open;           /* a CD-ROM drive's tray is out (ejected by the guest or
                                 the monitor) */
    bool locked;              /* the guest locked the CD-ROM's door (PREVENT MEDIUM
                                 REMOVAL): eject needs force */
    bool readonly;            /* the guest cannot write it (a CD, readonly=on) */
    bool snapshot;            /* its writes go to a temporary overlay (-snapshot) */
    const char *path;         /* the image, as given; NULL: none */
    const char *format;       /* "raw" or "qcow2"; NULL: none */
};
/* Describes drive i (0 .. MACHINE_DRIVES - 1); false when the machine has no such drive. */
bool machine_drive_info(struct machine *m, unsigned i, struct machine_drive_info *out);
/* The drive called name, or -1. */
int machine_drive_find(struct machine *m, const char *name);
/* change: the image at path (format "raw", "qcow2" or NULL to detect it) goes into the
 * CD-ROM or floppy drive called name, replacing what was there. A CD-ROM whose door the
 * guest locked refuses unless force. On failure nothing changes and err (MACHINE_ERRMAX
 * bytes) holds one line. While recording, the image is checked now and the change made
 * at the next machine_run boundary, where it is recorded; while replaying, refused. */
enum machine_status machine_change_medium(struct machine *m, const char *name,
                                          const char *path, const char *format, bool force,
                                          char *err);
/* eject: the medium comes out of the drive called name (its image is closed); with a
 * record open, as change. */
enum machine_status machine_eject(struct machine *m, const char *name, bool force, char *err);

/* ---- Record and replay (core/machine/record.c, tools/RECORD-FORMAT.md) ----
 *
 * With machine_config.record_path every input from the host (COM1's bytes, keys, mouse,
 * the power and reset buttons, the monitor's media changes) reaches the guest at a
 * machine_run boundary and goes to the record with the instruction count and virtual
 * time; with replay_path they come from the
 * record instead (the host's are ignored: the calls return false), and the run is the
 * recorded one. Both put the disk images on overlays; a replay on another configuration
 * or other file contents is refused by machine_create with one line. */
struct machine_replay_info {
    bool recording, replaying;
    const char *path;
    uint64_t icount;          /* where the machine is */
    uint64_t end;             /* replaying: the record's last instruction */
    size_t inputs, next_input, snapshots, checks;
    uint64_t checks_passed;
    bool break_set, ended;
    uint64_t break_at;
};
/* False (and all zero) when neither records nor replays. */
bool machine_replay_info(struct machine *m, struct machine_replay_info *out);
/* Replaying: machine_run returns MACHINE_STOP_REPLAY_BREAK at exactly that instruction
 * (ahead, within the record). False with one line in err. */
bool machine_replay_break(struct machine *m, uint64_t icount, char *err);
/* Replaying: goes to exactly that instruction, back through the nearest snapshot at or
 * before it when it is behind (or far ahead), and replays forward to it; breakpoints do
 * not stop it. One line in err on failure. */
enum machine_status machine_replay_seek(struct machine *m, uint64_t icount, char *err);

/* Replaying, backwards (the GDB stub's reverse-stepi and reverse-continue): to the
 * instruction before this one, or to the last breakpoint or watchpoint hit before it, by
 * restoring the nearest snapshot before and replaying forward (twice for a hit: once to
 * find it, once to stop there). BEGIN: no snapshot before here (the machine is at the
 * first one, or stays); the record needs -record FILE,snapshot=N. */
enum machine_reverse { MACHINE_REVERSE_STEPPED, MACHINE_REVERSE_STOPPED, MACHINE_REVERSE_BEGIN,
                       MACHINE_REVERSE_ERROR };
struct machine_reverse_stop {
    uint64_t icount;          /* where the machine is now */
    bool watch;               /* STOPPED: a watchpoint (else a breakpoint) */
    uint32_t addr;            /* the breakpoint's or the watched address */
    enum machine_watch kind;
};
enum machine_reverse machine_replay_reverse(struct machine *m, bool step,
                                            struct machine_reverse_stop *stop, char *err);
/* Replaying, forwards by one instruction (the GDB stub's stepi): STOPPED when a watchpoint
 * fired on that instruction (stop says which), else STEPPED; breakpoints do not stop it. */
enum machine_reverse machine_replay_step(struct machine *m, struct machine_reverse_stop *stop,
                                         char *err);

/* For messages and -cpu help: the CPU models machine_create accepts. */
const char *machine_cpu_models(void);
bool machine_cpu_model_known(const char *name);


/* For the monitor's "info pic" and "info mtree" (core/machine/machine_info.c). chip 0 is
 * the master 8259A, 1 the slave. */
struct machine_pic_info {
    uint8_t irr, imr, isr;
    uint8_t vector_base;      /* ICW2's vector base */
    uint8_t elcr;             /* level-triggered inputs */
    uint8_t lowest;           /* the input of lowest priority */
    bool read_isr;            /* OCW3 made port 0 read the ISR */
    bool special_fnm;         /* ICW4's special fully nested mode */
};
void machine_pic_info(struct machine *m, unsigned chip, struct machine_pic_info *out);
/* The regions of guest physical memory in the order they were made (at most max);
 * kind "ram", "rom" or "i/o". Returns how many were written. */
struct machine_mem_region {
    uint32_t base, size;
    const char *kind;
};
unsigned machine_mem_regions(struct machine *m, struct machine_mem_region *out, unsigned max);

#endif
