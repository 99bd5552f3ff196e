/* Capstone disassembly for orrery-trace, cached per distinct instruction (physical
 * address and bytes), so that a trace of billions of instructions disassembles each
 * distinct one once. */
#ifndef ORRERY_FRONTENDS_TRACE_DISASM_H
#define ORRERY_FRONTENDS_TRACE_DISASM_H

#include <stdbool.h>
#include <stdint.h>

#include "frontends/trace/reader.h"

struct dis_entry {
    uint32_t mnem;            /* index into the mnemonic names */
    int8_t match;             /* grep: -1 not tried yet, 0 no, 1 yes */
    char text[200];           /* "mnemonic operands" */
};

struct disasm;
struct disasm *disasm_new(void);
void disasm_free(struct disasm *d);
/* The entry for the instruction (NULL bytes: "(unknown)"). */
const struct dis_entry *disasm_of(struct disasm *d, const struct trace_insn *in);
const struct dis_entry *disasm_entry(const struct disasm *d, int32_t index);
const char *disasm_mnem_name(const struct disasm *d, uint32_t mnem);
uint32_t disasm_mnem_count(const struct disasm *d);

#endif
