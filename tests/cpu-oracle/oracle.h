/* What the tester (64-bit, links orrery) and its native child (32-bit, runs the cases on the
 * host processor) share: the memory layout both give the cases, the case and result
 * records, and the shared-memory block they pass through.
 *
 * Only fixed-width integers appear here, so the layout is the same in both processes. */
#ifndef ORRERY_TESTS_CPU_ORACLE_ORACLE_H
#define ORRERY_TESTS_CPU_ORACLE_ORACLE_H

#include <stdint.h>
#include <string.h>

#define ORACLE_MAGIC 0x4F52434Cu /* "ORCL" */
#define ORACLE_VERSION 2u

/* The data region: an operand window and, above it, the stack. Every memory operand a case
 * addresses lies inside. Both sides fill it from the same pattern before each case and
 * report the bytes that differ from the pattern afterwards. */
#define ORACLE_DATA_SIZE 0x2000u
#define ORACLE_STACK_OFF 0x1000u /* the stack page within the data region */

/* Two layouts. Low: data at 0x1000, code at 0x3000-0xFFFF, so 16-bit addresses (0x67) and
 * 16-bit branch targets (0x66 jumps) reach the region; needs vm.mmap_min_addr <= 4096.
 * High: data at 0x10000, code after it; 16-bit addressing cannot reach it. */
#define ORACLE_LOW_DATA 0x1000u
#define ORACLE_LOW_CODE 0x3000u
#define ORACLE_LOW_CODE_SIZE 0xD000u
#define ORACLE_HIGH_DATA 0x10000u
#define ORACLE_HIGH_CODE 0x12000u
#define ORACLE_HIGH_CODE_SIZE 0xE000u

/* The code region is filled with INT3. A case runs from code_addr; falling through its end
 * reaches a JMP back to the child (ORACLE_EXIT_LEN bytes); a branch out of it lands on an
 * INT3, whose trap tells the child where execution went. */
#define ORACLE_INT3 0xCCu
#define ORACLE_EXIT_LEN 5u

#define ORACLE_MAX_CODE 256u
#define ORACLE_MAX_PATCH 8u
#define ORACLE_PATCH_BYTES 12u
#define ORACLE_MAX_DIFF 1024u
#define ORACLE_BATCH 256u

/* Linux's flat user selectors for 32-bit processes on an x86-64 kernel. */
#define ORACLE_USER_CS 0x23u
#define ORACLE_USER_DS 0x2Bu
/* LDT entry 0, which the child installs (modify_ldt): a 4 GiB data segment whose base is
 * the data region, for cases run with a segment base other than 0 (and for 16-bit
 * addressing when the region lies above 64 KiB). */
#define ORACLE_LDT_SEL 0x07u

/* Bytes written into the data region (offset from its start) before the case runs. */
struct oracle_patch {
    uint16_t off;
    uint8_t len;
    uint8_t pad;
    uint8_t bytes[ORACLE_PATCH_BYTES];
};

/* Registers in encoding order: EAX ECX EDX EBX ESP EBP ESI EDI. */
struct oracle_case {
    uint32_t regs[8];
    uint32_t eflags;
    uint32_t code_addr;
    uint32_t code_len;
    uint32_t npatch;
    uint32_t data_sel;  /* DS ES FS GS SS: ORACLE_USER_DS or ORACLE_LDT_SEL */
    uint8_t code[ORACLE_MAX_CODE];
    struct oracle_patch patch[ORACLE_MAX_PATCH];
};

/* How a case ended. */
enum { ORACLE_END_NORMAL, ORACLE_END_EXCEPTION, ORACLE_END_TIMEOUT, ORACLE_END_OTHER };

/* Segment registers in encoding order: ES CS SS DS FS GS. */
struct oracle_result {
    uint32_t regs[8];
    uint32_t eip;
    uint32_t eflags;
    uint32_t sreg[6];
    uint32_t end;     /* ORACLE_END_* */
    uint32_t vector;  /* exception vector (the host's trap number) when end is EXCEPTION */
    uint32_t error;   /* its error code */
    uint32_t signo;   /* host signal (0 in orrery's results) */
    uint32_t ndiff;   /* bytes of the data region that differ from the pattern */
    uint32_t diff[ORACLE_MAX_DIFF]; /* offset << 8 | value, ascending; the first ORACLE_MAX_DIFF */
};

struct oracle_batch {
    uint32_t n;
    uint32_t pad;
    struct oracle_case c[ORACLE_BATCH];
    struct oracle_result r[ORACLE_BATCH];
};

/* The shared block. The tester creates it and fills the pattern; the child fills its part
 * of the header (layout and selectors) and answers each batch over the pipe. */
struct oracle_shm {
    uint32_t magic, version, size;
    uint32_t data_base, code_base, code_size; /* the layout the child could map */
    uint32_t cs, ds, ss;                      /* the child's selectors, for a sanity check */
    uint32_t ldt_ok, ldt_lo, ldt_hi;          /* LDT entry 0 as the host kernel made it */
    uint32_t sigstack_lo, sigstack_hi;        /* the child's signal stack [lo, hi) */
    uint32_t child_ready;
    uint32_t running;                         /* the slot of the batch the child is running */
    uint8_t pattern[ORACLE_DATA_SIZE];
    struct oracle_batch batch[2];
};

static inline void oracle_apply_patches(uint8_t *data, const struct oracle_case *c)
{
    for (uint32_t i = 0; i < c->npatch && i < ORACLE_MAX_PATCH; i++) {
        const struct oracle_patch *p = &c->patch[i];
        if (p->len <= ORACLE_PATCH_BYTES && (uint32_t)p->off + p->len <= ORACLE_DATA_SIZE)
            memcpy(data + p->off, p->bytes, p->len);
    }
}

/* Records the bytes of data that differ from pattern (at most ORACLE_MAX_DIFF, but counts
 * all) and puts the pattern back. */
static inline uint32_t oracle_diff_restore(uint8_t *data, const uint8_t *pattern, uint32_t *diff)
{
    uint32_t n = 0;
    for (uint32_t chunk = 0; chunk < ORACLE_DATA_SIZE; chunk += 64) {
        if (memcmp(data + chunk, pattern + chunk, 64) == 0)
            continue;
        for (uint32_t i = chunk; i < chunk + 64; i++) {
            if (data[i] != pattern[i]) {
                if (n < ORACLE_MAX_DIFF)
                    diff[n] = i << 8 | data[i];
                n++;
            }
        }
        memcpy(data + chunk, pattern + chunk, 64);
    }
    return n;
}

#endif
