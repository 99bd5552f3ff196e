/* The disk flags of build/orrery in QEMU's spelling: -hda..-hdd FILE, -cdrom FILE, -fda/-fdb
 * FILE, and -drive file=FILE,format=raw|qcow2,if=ide|floppy,index=N,media=disk|cdrom,readonly=on
 * (media=cdrom without file=: an empty drive). They fill machine_config.ide[] (with the
 * format: NULL for -hdX, detected) and floppy[];
 * the images themselves are opened (and refused) by machine_create. */
#ifndef ORRERY_FRONTENDS_CLI_DRIVES_H
#define ORRERY_FRONTENDS_CLI_DRIVES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/machine/machine.h"

/* -hdX PATH: flag is the option as typed ("-hda"), index 0-3. */
bool drives_hd(struct machine_config *cfg, unsigned index, const char *path, const char *flag,
               char *err, size_t errlen);
/* -cdrom FILE: an ISO image in a CD-ROM drive at the secondary master (index 2). */
bool drives_cdrom(struct machine_config *cfg, const char *path, char *err, size_t errlen);
/* -fdX PATH: index 0 (A:) or 1 (B:); readonly: write-protected (readonly=on). */
bool drives_fd(struct machine_config *cfg, unsigned index, const char *path, bool readonly,
               const char *flag, char *err, size_t errlen);
/* -drive OPTIONS. */
bool drives_drive(struct machine_config *cfg, const char *v, char *err, size_t errlen);

#endif
