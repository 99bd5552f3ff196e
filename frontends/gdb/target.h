/* What GDB is told about the guest's processor: the target description (GDB manual,
 * "Target Descriptions" and "i386 Features") and the registers it names, in its order,
 * converted to and from the machine's registers. Register contents travel as bytes, least
 * significant first, built from the values with shifts: no host byte order leaks in. */
#ifndef ORRERY_FRONTENDS_GDB_TARGET_H
#define ORRERY_FRONTENDS_GDB_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "core/machine/machine.h"

/* The XML document served as target.xml (qXfer:features:read). */
const char *gdb_target_xml(size_t *len);

/* Registers by GDB's number: how many, each one's size in bytes (4, or 10 for ST0-ST7),
 * its name, and its bytes got from / put into a register set. */
unsigned gdb_reg_count(void);
unsigned gdb_reg_size(unsigned n);
const char *gdb_reg_name(unsigned n);
void gdb_reg_get(const struct machine_dbg_regs *r, unsigned n, uint8_t *out);
void gdb_reg_put(struct machine_dbg_regs *r, unsigned n, const uint8_t *in);

#endif
