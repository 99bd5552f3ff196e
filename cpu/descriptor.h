/* Segment and gate descriptors (SDM Vol. 3A §3.4.5, §5.8, §6.11). Internal to cpu/. */
#ifndef ORRERY_CPU_DESCRIPTOR_H
#define ORRERY_CPU_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

struct desc {
    uint32_t lo, hi;
    uint32_t addr; /* linear address of the descriptor (for the accessed/busy bits) */
};

/* Type field values of system descriptors (S = 0). */
enum {
    SYS_TSS16_AVAIL = 1, SYS_LDT = 2, SYS_TSS16_BUSY = 3, SYS_CALL16 = 4, SYS_TASK = 5,
    SYS_INT16 = 6, SYS_TRAP16 = 7, SYS_TSS32_AVAIL = 9, SYS_TSS32_BUSY = 11, SYS_CALL32 = 12,
    SYS_INT32 = 14, SYS_TRAP32 = 15,
};

static inline unsigned desc_type(const struct desc *d) { return (d->hi >> 8) & 0xF; }
static inline bool desc_s(const struct desc *d) { return (d->hi >> 12) & 1; }
static inline unsigned desc_dpl(const struct desc *d) { return (d->hi >> 13) & 3; }
static inline bool desc_present(const struct desc *d) { return (d->hi >> 15) & 1; }
static inline bool desc_is_code(const struct desc *d) { return desc_s(d) && (d->hi & 0x800); }
static inline bool desc_is_data(const struct desc *d) { return desc_s(d) && !(d->hi & 0x800); }
static inline bool desc_conforming(const struct desc *d) { return desc_is_code(d) && (d->hi & 0x400); }
static inline bool desc_code_readable(const struct desc *d) { return desc_is_code(d) && (d->hi & 0x200); }
static inline bool desc_data_writable(const struct desc *d) { return desc_is_data(d) && (d->hi & 0x200); }

/* Gate fields. */
static inline uint16_t gate_selector(const struct desc *d) { return (uint16_t)(d->lo >> 16); }
static inline uint32_t gate_offset(const struct desc *d, bool is32)
{
    return is32 ? (d->lo & 0xFFFF) | (d->hi & 0xFFFF0000u) : d->lo & 0xFFFF;
}
static inline unsigned gate_params(const struct desc *d) { return d->hi & 0x1F; }

/* Base, byte-granular limit and attributes as a segment cache holds them. The 286 has
 * 24-bit bases and no granularity or default-size bits. */
void desc_to_cache(const struct cpu *cpu, const struct desc *d, uint16_t sel, struct seg_cache *c);

/* Reads the descriptor sel selects from the GDT or LDT. False when the index is past the
 * table's limit (or the LDT is null): the caller raises the fault its instruction defines. */
bool desc_fetch(struct cpu *cpu, uint16_t sel, struct desc *d);
void desc_set_accessed(struct cpu *cpu, struct desc *d);
void desc_write_hi(struct cpu *cpu, struct desc *d); /* after changing busy bits */

/* What a cache allows (SEG_OK_*), from its attributes. */
uint8_t seg_ok_of(uint16_t attr);

/* Segment register state for real-mode and virtual-8086 loads (SDM Vol. 3A §20.2). */
void seg_set_v86(struct seg_cache *c, uint16_t sel);

#endif
