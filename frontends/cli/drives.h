/* The disk flags of build/orrery in QEMU's spelling: -hda..-hdd FILE, and
 * -drive file=FILE,format=raw|qcow2,if=ide,index=N,media=disk. They fill
 * machine_config.ide[] and ide_format[] (NULL for -hdX: the format is detected);
 * the images themselves are opened (and refused) by machine_create. */
#ifndef ORRERY_FRONTENDS_CLI_DRIVES_H
#define ORRERY_FRONTENDS_CLI_DRIVES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/machine/machine.h"

/* -hdX PATH: flag is the option as typed ("-hda"), index 0-3. */
bool drives_hd(struct machine_config *cfg, unsigned index, const char *path, const char *flag,
               char *err, size_t errlen);
/* -drive OPTIONS. */
bool drives_drive(struct machine_config *cfg, const char *v, char *err, size_t errlen);

#endif
