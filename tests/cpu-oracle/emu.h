/* orrery's side of the oracle: a Pentium II in flat 32-bit protected mode at CPL 3, set
 * up directly in C the way Linux runs a 32-bit process (the same selectors and descriptors,
 * IOPL 0, CR0.AM set), with RAM holding the data and code regions at the addresses the
 * native child maps. An exception is delivered through an IDT whose gates lead to ring-0
 * stubs, so the vector and the frame (EIP, CS, EFLAGS, ESP, SS, error code) can be read
 * back. Every other address is a guard that records any access. */
#ifndef ORRERY_TESTS_CPU_ORACLE_EMU_H
#define ORRERY_TESTS_CPU_ORACLE_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "oracle.h"

/* Where the system tables live (RAM the native side does not have). */
#define EMU_SYS_BASE 0x00F00000u
#define EMU_SYS_SIZE 0x10000u
#define EMU_KERNEL_CS 0x08u /* Linux's 32-bit kernel code selector: the stubs run there */

struct emu {
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    struct cpu template; /* the state every case starts from */
    struct seg_cache ldt_data; /* DS ES FS GS SS of a case with ORACLE_LDT_SEL */
    uint32_t data_base, code_base, code_size;
    uint8_t *data, *code, *sys;
    const uint8_t *pattern;
    unsigned oob;        /* guard accesses since emu_begin */
};

int emu_init(struct emu *e, const struct oracle_shm *layout);
void emu_free(struct emu *e);

/* Starts a case: the template state with the case's registers, EFLAGS and EIP; the data
 * region gets the pattern plus the case's patches, the code region the case's code. */
void emu_begin(struct emu *e, const struct oracle_case *c);
/* Runs one instruction (a REP string instruction to its end). Returns true when it raised
 * an exception, which is then the state to report. */
bool emu_step(struct emu *e);
/* Whether the last step took an exception (CS is the stubs'); its vector and error code. */
bool emu_in_exception(const struct emu *e);
void emu_exception(const struct emu *e, uint32_t *vector, uint32_t *error);
/* The result as the native child reports it; puts the data and code regions back. */
void emu_finish(struct emu *e, const struct oracle_case *c, struct oracle_result *r);

/* The CPU (less its TLB, which is flushed instead) and the data region, to run an
 * instruction again from the same state. */
struct emu_snap {
    uint8_t cpu[offsetof(struct cpu, tlb)];
    uint8_t data[ORACLE_DATA_SIZE];
};
void emu_save(const struct emu *e, struct emu_snap *s);
void emu_restore(struct emu *e, const struct emu_snap *s);

#endif
