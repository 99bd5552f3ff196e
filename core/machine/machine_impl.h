/* The inside of struct machine, shared by the files of the machine (machine.c builds and
 * runs it, machine_state.c saves and loads it). Frontends include core/machine/machine.h only,
 * where the struct is opaque; like machine.c, these files may include cpu/ (DESIGN.md). */
#ifndef ORRERY_CORE_MACHINE_MACHINE_IMPL_H
#define ORRERY_CORE_MACHINE_MACHINE_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/irq.h"
#include "core/machine/linux_boot.h"
#include "core/machine/machine.h"
#include "core/sched.h"
#include "cpu/cpu.h"
#include "devices/debugcon.h"
#include "devices/dma8237.h"
#include "devices/fdc82077.h"
#include "devices/ferr.h"
#include "devices/fwcfg.h"
#include "devices/i440fx.h"
#include "devices/kbc8042.h"
#include "devices/pci.h"
#include "devices/pic8259.h"
#include "devices/piix3.h"
#include "devices/piix3_ide.h"
#include "devices/piix4_pm.h"
#include "devices/pit8254.h"
#include "devices/port92.h"
#include "devices/postcode.h"
#include "devices/rtc146818.h"
#include "devices/uart16550.h"
#include "devices/vga.h"
#include "mmu/physmem.h"

/* Where the A20 gate's two sources sit in the a20 bits (ORed, as the chipset does). */
enum { A20_KBC, A20_PORT92 };

/* Why the machine is off: a reset with no_reboot, or the guest's soft off. */
enum { PC_OFF_SHUTDOWN = 1, PC_OFF_POWEROFF = 2 };

/* The PC platform: the devices every machine has, and the wires between them. */
struct platform {
    struct sched sched;
    struct pic pic;
    struct pit pit;
    struct rtc rtc;
    struct uart com[2];
    struct kbc kbc;
    struct port92 port92;
    struct postcode postcode;
    struct ferr ferr;
    struct pci_bus pci;
    struct i440fx i440fx;
    struct piix3 piix3;
    struct piix3_ide ide;    /* 00:01.1, IRQ 14/15 */
    struct piix4_pm pm;      /* 00:01.3: ACPI, SCI on IRQ 9, APM ports 0xB2/0xB3 */
    struct fwcfg fwcfg;
    struct vga vga;
    struct dma dma;          /* the 8237 pair (0x00, 0xC0, pages 0x81-0x8F) */
    struct fdc fdc;          /* 0x3F0, IRQ 6, DMA 2 */
    struct irq_line irq[16]; /* ISA IRQ 0-15 into the PICs */
    uint8_t a20;             /* bit per source: A20_KBC, A20_PORT92 */
    uint8_t reset_requested; /* a device asked for a CPU reset */
    uint8_t off;             /* the machine stays off: PC_OFF_* */
    uint8_t poweroff_requested; /* the guest turned the machine off (ACPI soft off) */
    uint8_t boot_once_pending;  /* -boot once= holds: no reset since the machine was made */
};

struct machine {
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    struct debugcon debugcon;
    struct platform pc;
    bool has_debugcon;
    bool no_reboot;
    uint64_t ram_size;        /* -m */
    /* What the firmware and kernel are, for a saved state to check (size and CRC-32 of
     * the -bios image and of the -kernel bzImage; 0 and 0 for none). */
    uint32_t bios_size, bios_crc;
    uint32_t kernel_size, kernel_crc;
    uint32_t ram_top;         /* end of the RAM above 1 MiB */
    /* -boot: the order (CMOS, core/machine/boot_order.h), and once=, used until the
     * first reset (pc.boot_once_pending). */
    char boot_order[4], boot_once[4];
    bool boot_strict;         /* -boot strict=on: the bootorder file ends in HALT */

    /* COM1's host end (-serial, -nographic): the UART transmits into it and takes what the
     * host typed from it. */
    struct chardev *serial;

    /* Direct Linux boot (-kernel): the files, kept so that a reset boots them again. */
    bool has_kernel;
    struct linux_boot linux;

    /* Host side: rebuilt, never saved. The IDE disks' image files (fd -1: none), in
     * -hda..-hdd order; their contents are not in a saved state. */
    struct disk disk[MACHINE_IDE_DISKS];
    struct disk floppy[MACHINE_FLOPPIES]; /* -fda, -fdb (fd -1: none) */
    /* Each drive's image as given (core/machine/media.c; NULL: none), IDE places then
     * floppies; how a changed medium is opened (-snapshot, readonly=on); a CD-ROM tray
     * the monitor opened. */
    char *media_path[MACHINE_DRIVES];
    bool media_snapshot;
    bool floppy_readonly[MACHINE_FLOPPIES];
    bool tray_open[MACHINE_IDE_DISKS];
    FILE *debugcon_out;
    bool own_debugcon_out;
    FILE *log;
    bool own_log;
    char debugcon_name[160], log_name[160]; /* for messages: "debugcon file 'x'" */
    char stop_msg[160];
    char lockstep_report[4096]; /* -accel lockstep's difference and block; "": none */
    struct machine_tracer *tracer; /* -d in_asm,exec,...; -trace-file (trace.h); NULL: none */
    struct machine_rr *rr;    /* -record, -replay (record.c); NULL: neither */
};

/* core/machine/machine_lockstep.c: the report of a lockstep difference (why: the CPU's
 * message) with the block disassembled, into lockstep_report. */
void machine_lockstep_report(struct machine *m, const char *why);

/* core/machine/machine_state.c: the description of a section a state holds, by its name and
 * version ("ram" sections are followed by the region's bytes); NULL when unknown. */
struct savestate_desc;
const struct savestate_desc *machine_state_desc(const char *name, uint32_t version);
#define MACHINE_STATE_RAM "ram"

/* core/machine/screen.c: the VGA and its BIOS (create_platform). Returns 0 or -1. */
int machine_vga_create(struct machine *m, const struct machine_config *cfg);

/* core/machine/machine.c: the bootorder file for the order that holds now (once= until
 * the first reset), after a load. Returns 0, or -1 when the host is out of memory. */
int machine_boot_order_refresh(struct machine *m);

/* core/machine/media.c: remembers drive i's image path (a copy; NULL forgets it), and
 * frees them all. Return 0, or -1 when the host is out of memory. */
int machine_media_remember(struct machine *m, unsigned i, const char *path);
void machine_media_free(struct machine *m);
/* Drive u's medium: machine_media_check opens the image at path as a change would and
 * closes it again (is it usable?); machine_media_set puts it in (NULL: ejects), as the
 * monitor's change and eject do when no record is open. err: one line, MACHINE_ERRMAX
 * bytes. */
enum machine_status machine_media_check(struct machine *m, unsigned u, const char *path,
                                        const char *format, char *err);
enum machine_status machine_media_set(struct machine *m, unsigned u, const char *path,
                                      const char *format, char *err);

/* core/machine/floppy.c: the floppy images (machine_create), the DMA pair and the
 * floppy controller (create_platform; 0 or -1), their CMOS bytes (cmos_setup). */
enum machine_status machine_floppy_open(struct machine *m, const struct machine_config *cfg,
                                        char *err);
int machine_floppy_create(struct machine *m, const struct machine_config *cfg);
void machine_floppy_cmos(struct machine *m);

#endif
