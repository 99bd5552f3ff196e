/* The boot order of -boot order=/once=, in the two places SeaBIOS reads it on an emulated
 * PC (its src/boot.c):
 * - CMOS bytes 0x3D and 0x38 (boot_init): a nibble per place, 1 floppy, 2 hard disk,
 *   3 CD-ROM; the first and second in 0x3D's low and high nibble, the third in 0x38's high
 *   nibble. Devices not named keep SeaBIOS's lowest priority: they are still tried, after
 *   the named ones.
 * - fw_cfg's "bootorder" file (loadBootOrder): OpenFirmware device paths, one a line, a
 *   line's place its priority, above every CMOS one. SeaBIOS matches an IDE drive as
 *   /pci@i0cf8/NAME@1,1/drive@CHANNEL/disk@UNIT (the PIIX3 IDE is 00:01.1; any NAME,
 *   QEMU's is "ide") and a floppy as /pci@i0cf8/isa@1/fdc@03f0/floppy@N (the ISA bridge
 *   00:01.0). Every drive of a named kind is listed, in -hda..-hdd (or A:, B:) order, so
 *   the first one listed is the one SeaBIOS maps to 80h (or 00h). */
#ifndef ORRERY_CORE_MACHINE_BOOT_ORDER_H
#define ORRERY_CORE_MACHINE_BOOT_ORDER_H

#include <stdbool.h>

#include "devices/rtc146818.h"

#define BOOT_ORDER_DEFAULT "cda"  /* hard disk, CD-ROM, floppy */

/* True when order names only a, c and d, each at most once. */
bool boot_order_valid(const char *order);
/* Writes order (valid) into the CMOS; the caller refreshes the checksum. */
void boot_order_cmos(struct rtc *r, const char *order);

/* The drives the machine has: IDE positions 0-3 (primary master, slave, secondary master,
 * slave) and floppy drives A:, B:. */
struct boot_drives {
    bool disk[4], cdrom[4], floppy[2];
};
#define BOOT_ORDER_FILE_MAX 512
/* The bootorder file for order (valid) into out (BOOT_ORDER_FILE_MAX bytes): lines joined
 * by '\n' and a NUL after the last, as QEMU writes it. strict (-boot strict=on) ends it
 * with "HALT", where SeaBIOS stops trying (its bcv_prepboot): the drives not named are
 * never tried. Returns its length with the NUL; 0 when the file has no line. */
unsigned boot_order_file(const char *order, bool strict, const struct boot_drives *d,
                         char *out);

#endif
