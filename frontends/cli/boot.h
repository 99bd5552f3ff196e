/* -boot in QEMU's spelling: order=DRIVES,once=DRIVES,menu=on|off,splash-time=MS,
 * strict=on|off,reboot-timeout=MS, or the older -boot DRIVES. DRIVES are up to three of a (floppy), c (first hard disk) and d
 * (CD-ROM); n (network) is refused, there being no network card. Fills the boot_* fields
 * of machine_config. */
#ifndef ORRERY_FRONTENDS_CLI_BOOT_H
#define ORRERY_FRONTENDS_CLI_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/machine/machine.h"

bool boot_option(struct machine_config *cfg, const char *v, char *err, size_t errlen);

#endif
