/* orrery-oracle --sweep: the whole opcode map of the Pentium II, not orrery's table, run on
 * orrery and on the host. Every one-byte and 0F opcode × ModRM.reg × register operand
 * (each rm) or memory operand × {none, 66, F2, F3}, enumerated from the map the manuals
 * give (tests/opmap), in one fixed state. Compared: #UD or not, for every form the host
 * can be the oracle of; and the whole result (registers, flags less the undefined ones,
 * memory, exception) for the forms the random oracle already knows how to compare and the
 * fixed state keeps inside both processes' memory (sweep.c, whole_kind). Left out, counted
 * by reason: what later
 * extensions redefine (SSE, VEX, CET...), what would make a system call or a loop on the
 * host. */
#ifndef ORRERY_TESTS_CPU_ORACLE_SWEEP_H
#define ORRERY_TESTS_CPU_ORACLE_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen.h"

#define SWEEP_MAX_REASONS 24

struct sweep {
    struct emu *emu;
    const struct forms *forms;
    unsigned next;           /* the next form to consider: op × prefix × reg × (rm 0-7, mem) */
    uint64_t forms_total;    /* forms of the map (prefix bytes are not opcodes) */
    uint64_t compared, full; /* forms run on both; of them, whole results compared */
    uint64_t ud_diffs, full_diffs;
    uint64_t map_diffs;      /* forms where orrery disagrees with the map (#UD or not) */
    struct { const char *why; uint64_t n; } left[SWEEP_MAX_REASONS];
    unsigned nleft;
    unsigned shown;          /* whole-result differences printed in detail */
};

/* How main.c compares and prints a case (the random oracle's own functions). */
struct sweep_io {
    bool (*differ)(const struct pcase *pc, const struct oracle_result *h, char *buf, size_t cap);
    void (*show)(void *ctx, const struct pcase *pc, const struct oracle_result *h);
    void *ctx;
    unsigned max_report;
};

void sweep_init(struct sweep *s, struct emu *e, const struct forms *fs);
/* Makes the next cases (at most max) into c and pc, running each on orrery; 0 when done. */
unsigned sweep_fill(struct sweep *s, struct oracle_case *c, struct pcase *pc, unsigned max);
/* Compares a batch the host ran, printing each difference. */
void sweep_check(struct sweep *s, const struct pcase *pc, const struct oracle_result *host,
                 unsigned n, const struct sweep_io *io);
/* The counts; returns whether anything differed. */
bool sweep_report(const struct sweep *s);

#endif
