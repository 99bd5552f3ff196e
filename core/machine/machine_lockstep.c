/* -accel lockstep's stop message: the CPU's (the instruction, the block, the field that
 * differs) and the block up to that instruction, disassembled with capstone. */
#include <capstone/capstone.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/compiler.h"
#include "core/machine/machine_impl.h"

/* Appends to the report; gives up quietly when it is full. */
static void add(struct machine *m, size_t *n, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void add(struct machine *m, size_t *n, const char *fmt, ...)
{
    size_t cap = sizeof m->lockstep_report;
    if (*n >= cap - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(m->lockstep_report + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n = *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
}

void machine_lockstep_report(struct machine *m, const char *why)
{
    size_t n = 0;
    add(m, &n, "%s", why);
    struct cpu_lockstep_where w;
    csh h;
    if (!cpu_lockstep_where(&m->cpu, &w) ||
        cs_open(CS_ARCH_X86, w.code32 ? CS_MODE_32 : CS_MODE_16, &h) != CS_ERR_OK)
        return;
    add(m, &n, "\n  the block, to the instruction that differs:");
    uint32_t lin = w.block_lin, eip = w.block_eip;
    for (uint32_t i = 1; i <= w.insn; i++) {
        uint8_t code[16];
        size_t got = machine_debug_read(m, lin, code, sizeof code, false);
        cs_insn *insn = NULL;
        if (!got || cs_disasm(h, code, got, eip, 1, &insn) != 1) {
            add(m, &n, "\n    %08X  (not readable or not decodable)", lin);
            break;
        }
        add(m, &n, "\n  %s %08X  %s%s%s", i == w.insn ? "->" : "  ", lin, insn->mnemonic,
            insn->op_str[0] ? " " : "", insn->op_str);
        lin += insn->size;
        eip += insn->size;
        cs_free(insn, 1);
    }
    cs_close(&h);
}
