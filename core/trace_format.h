/* The binary trace's layout (tools/TRACE-FORMAT.md), shared by the writer
 * (core/machine/trace_file.c) and the reader (frontends/trace/); a file format, so it
 * lives with the core basics like statefile.h. All fields little-endian. */
#ifndef ORRERY_CORE_TRACE_FORMAT_H
#define ORRERY_CORE_TRACE_FORMAT_H

#include <stdint.h>

#define TRACE_MAGIC "ORRTRACE"
#define TRACE_VERSION 1u
#define TRACE_HEADER_SIZE 32u
/* header flags: INTR records are written; MEM records may be present (mem=on) */
enum { TRACE_HDR_INTR = 1u << 0, TRACE_HDR_MEM = 1u << 1 };

enum trace_rec {
    TRACE_REC_CODE = 1,  /* an instruction's bytes at a physical address */
    TRACE_REC_RUN = 2,   /* consecutive instructions on one page */
    TRACE_REC_HIT = 3,   /* a RUN equal to one kept in the run table */
    TRACE_REC_INTR = 4,  /* an interrupt or exception delivered */
    TRACE_REC_END = 5,   /* the trace ends here, complete */
    TRACE_REC_MEM = 6,   /* a data access of the instruction before (or the delivery after) */
};
enum {
    TRACE_CODE_SIZE = 24,
    TRACE_RUN_SIZE = 20,
    TRACE_HIT_SIZE = 4,
    TRACE_INTR_SIZE = 32,
    TRACE_END_SIZE = 16,
    TRACE_MEM_SIZE = 16,
};
/* MEM flags: a write (else a read); an implicit supervisor access (descriptor tables, TSS,
 * IDT); made by the delivery of the INTR that follows (else by the last instruction of the
 * RUN or HIT before). Sizes are 1, 2 or 4. */
enum { TRACE_MEM_WRITE = 1u << 0, TRACE_MEM_SYS = 1u << 1, TRACE_MEM_DELIVERY = 1u << 2 };
/* RUN flags: bits 0-1 the mode (0 real, 1 protected, 2 virtual-8086), bits 2-3 CPL,
 * bit 4 32-bit code (CS.D). */
#define TRACE_RUN_MODE(f) ((f) & 3u)
#define TRACE_RUN_CPL(f) (((f) >> 2) & 3u)
#define TRACE_RUN_CODE32 0x10u
#define TRACE_PHYS_NONE 0xFFFFFFFFu  /* RUN: the bytes could not be read; count is 1 */
#define TRACE_RUN_TABLE 4096u        /* run table slots: FNV-1a of the RUN's 20 bytes */

static inline uint32_t trace_run_slot(const uint8_t *rec)
{
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < TRACE_RUN_SIZE; i++)
        h = (h ^ rec[i]) * 16777619u;
    return h & (TRACE_RUN_TABLE - 1);
}

#endif
