/* The boot order of -boot order=/once=, where SeaBIOS reads it on an emulated PC: CMOS
 * bytes 0x3D and 0x38 (its boot_init, used when fw_cfg has no "bootorder" file): a
 * nibble per place, 1 floppy, 2 hard disk, 3 CD-ROM; the first and second in 0x3D's low
 * and high nibble, the third in 0x38's high nibble. Devices not named keep SeaBIOS's
 * lowest priority: they are still tried, after the named ones. */
#ifndef ORRERY_CORE_MACHINE_BOOT_ORDER_H
#define ORRERY_CORE_MACHINE_BOOT_ORDER_H

#include <stdbool.h>

#include "devices/rtc146818.h"

#define BOOT_ORDER_DEFAULT "cda"  /* hard disk, CD-ROM, floppy */

/* True when order names only a, c and d, each at most once. */
bool boot_order_valid(const char *order);
/* Writes order (valid) into the CMOS; the caller refreshes the checksum. */
void boot_order_cmos(struct rtc *r, const char *order);

#endif
