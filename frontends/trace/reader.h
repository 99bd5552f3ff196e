/* Reading a binary trace (tools/TRACE-FORMAT.md) as a stream of events: instructions
 * (runs expanded with the bytes recorded for each physical address), interrupts and data
 * accesses (MEM records, each after the instruction that made it).
 * Every damage (another format or version, a record cut short, an unknown record, a run
 * whose bytes were never recorded, no end record) is one line in err. */
#ifndef ORRERY_FRONTENDS_TRACE_READER_H
#define ORRERY_FRONTENDS_TRACE_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_ERRMAX 320

/* What the tools keep per distinct instruction (per physical address and bytes). */
struct trace_code {
    uint32_t phys;            /* key */
    uint8_t len;              /* 0: an empty slot */
    uint8_t bytes[16];
    int32_t dis;              /* disassembly cache index (disasm.h), -1: not yet */
    uint8_t dis32;            /* dis is of the 32-bit decoding */
};

struct trace_insn {
    uint64_t index;           /* 0, 1, ...: instructions in the trace */
    uint16_t cs;
    uint8_t flags;            /* RUN flags: mode, CPL, 32-bit code */
    uint8_t len;              /* 1..15 */
    uint32_t eip, lin, phys;  /* phys TRACE_PHYS_NONE: bytes unknown (len 1, code NULL) */
    struct trace_code *code;  /* the bytes; NULL when unknown */
    bool run_start;           /* the first instruction of a run (a block entry) */
};

struct trace_intr {
    uint8_t kind, vector, has_error, cpl_from, cpl_to;
    uint16_t cs_from, cs_to;
    uint32_t eip_from, eip_to, error, cr2;
    uint64_t icount;
};

/* A data access (MEM record): flags TRACE_MEM_*; insn: the index of the instruction that
 * made it (without TRACE_MEM_DELIVERY), else of the last instruction before the delivery
 * of the interrupt that follows it (UINT64_MAX when none ran yet). */
struct trace_mem {
    uint8_t flags, size;      /* size 1, 2 or 4 */
    uint32_t lin, phys, value; /* phys TRACE_PHYS_NONE: unknown */
    uint64_t insn;
};

/* A run as recorded, before its instructions (only with trace_whole_runs). */
struct trace_run {
    uint8_t rec[20];          /* the RUN record's bytes: a key for caches */
    uint8_t flags;
    uint16_t count;
    uint32_t lin, phys;
    uint32_t gen;             /* bumped by every CODE record on the run's physical page:
                                 a cache of what the run executes holds while it is equal */
    uint16_t slot;            /* its slot in the run table (a HIT names it) */
    uint32_t slot_ver;        /* bumped by every RUN record into that slot: while slot,
                                 slot_ver and gen are equal, so is the run */
};

enum trace_ev { TRACE_EV_INSN = 1, TRACE_EV_INTR = 2, TRACE_EV_RUN = 3, TRACE_EV_MEM = 4 };
struct trace_event {
    enum trace_ev kind;
    struct trace_insn insn;
    struct trace_intr intr;
    struct trace_run run;
    struct trace_mem mem;
};

struct trace_reader;

/* NULL with one line in err when the file cannot be read as a trace. */
struct trace_reader *trace_open(const char *path, char *err);
/* The same on an open stream (the reader owns it, closed by trace_close or on failure),
 * named name in messages: the fuzz harness reads from memory. */
struct trace_reader *trace_open_stream(FILE *f, const char *name, char *err);
/* 1: an event; 0: the end (complete); -1: damage, with one line in err. */
int trace_next(struct trace_reader *r, struct trace_event *ev, char *err);
/* From now on each run comes first as a TRACE_EV_RUN event; the next calls return its
 * instructions unless trace_skip_run is called (a consumer that cached the run). */
void trace_whole_runs(struct trace_reader *r);
void trace_skip_run(struct trace_reader *r);
uint64_t trace_start_icount(const struct trace_reader *r);
bool trace_has_mem(const struct trace_reader *r); /* the header says MEM records may come */
uint64_t trace_end_icount(const struct trace_reader *r); /* after trace_next returned 0 */
void trace_close(struct trace_reader *r);

#endif
