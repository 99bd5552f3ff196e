/* Firmware lookup: the PC's BIOS and VGA BIOS come from the distribution's packages at run
 * time, never from this repository. Debian's `seabios` package installs SeaBIOS
 * (bios-256k.bin) and its VGA BIOSes (vgabios-stdvga.bin ...) in /usr/share/seabios;
 * QEMU's packages link them into /usr/share/qemu. Folders given with -L are searched
 * first, in the order given, as QEMU does. */
#ifndef ORRERY_ROMS_FIRMWARE_H
#define ORRERY_ROMS_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>

#define FIRMWARE_BIOS "bios-256k.bin"       /* SeaBIOS for a PC with 256 KiB of flash */
#define FIRMWARE_VGABIOS "vgabios-stdvga.bin" /* SeaVGABIOS for the Bochs/QEMU std VGA */
#define FIRMWARE_PACKAGE "seabios"          /* the Debian package that installs both */

/* The distribution's folders, NULL-terminated. */
extern const char *const firmware_system_dirs[];

/* Looks for `name` in each of user_dirs (n of them; -L), then in each folder of
 * system_dirs (NULL-terminated; NULL means firmware_system_dirs). On success writes the
 * path to out (len bytes) and returns true. A folder is tried only if the file there is a
 * regular file that can be opened for reading. */
bool firmware_find(const char *name, const char *const *user_dirs, size_t n,
                   const char *const *system_dirs, char *out, size_t len);

/* "/usr/share/seabios or /usr/share/qemu": the folders searched, for a message that
 * says where the file was not found (user_dirs first). */
void firmware_dirs_text(const char *const *user_dirs, size_t n, const char *const *system_dirs,
                        char *out, size_t len);

#endif
