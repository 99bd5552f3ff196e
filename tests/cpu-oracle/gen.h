/* The case generator: instruction forms read from orrery's opcode table, random operands
 * with edge values, memory operands placed inside the data region, single instructions
 * and sequences. Orrery runs every case as it is generated (sequences are built on its
 * state), so each case carries orrery's result and the EFLAGS bits worth comparing. */
#ifndef ORRERY_TESTS_CPU_ORACLE_GEN_H
#define ORRERY_TESTS_CPU_ORACLE_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/decode.h"
#include "emu.h"
#include "oracle.h"

/* How a form's operands are made (gen.c). */
enum gen_kind {
    K_EXCLUDED, K_GENERIC, K_NOACCESS, K_DIV, K_SHIFT, K_DSHIFT, K_BT_REG, K_STRING, K_JREL,
    K_LOOP, K_JIND, K_RET, K_SREG, K_FARPTR, K_FAR, K_INT, K_PRIV, K_DESC, K_BOUND, K_POPF,
    K_STACK, K_ENTER, K_LEAVE, K_XLAT, K_MOFFS, K_UD, K_KIND_COUNT
};

/* Memory operand variants. */
enum { M_NONE, M_REG, M_A32, M_A16 };

/* One testable form: a row of the opcode table at one operand size, register or memory
 * operand (and address size), and for string instructions one repeat prefix. */
struct form {
    const struct opdesc *d; /* NULL for the few #UD forms that have no row */
    uint16_t op;            /* 0x000-0x1FF */
    uint8_t reg;            /* ModRM.reg of a group row, 0xFF for any */
    uint8_t size;           /* 16, 32, or 0 when the form has one handler for both */
    uint8_t mem;            /* M_* */
    uint8_t rep;            /* 0, 0xF3 or 0xF2 */
    uint8_t kind;           /* enum gen_kind */
    const char *why;        /* why it is not generated (K_EXCLUDED) */
    uint32_t flags_read;    /* arithmetic flags its result depends on */
    uint32_t flags_written; /* arithmetic flags it sets, defined or not (when it has a count,
                             * only with a nonzero one) */
    char name[64];
    uint64_t runs, fails, rejects;
    int first;              /* index of its first difference in the report, or -1 */
};

struct forms {
    struct form *f;
    unsigned n;
    unsigned *live;         /* indexes of generated forms */
    unsigned nlive;
    unsigned *seq_live;     /* forms a sequence may continue after */
    unsigned nseq_live;
    unsigned *seq_end;      /* forms that usually end a sequence */
    unsigned nseq_end;
};

/* Builds the list from the opcode table; a16 memory forms need the low layout or the LDT
 * segment. */
int forms_build(struct forms *fs, bool low_layout, bool ldt);
void forms_free(struct forms *fs);

/* A case as the tester keeps it: what the child runs, and what orrery did. */
struct pcase {
    struct oracle_case c;
    struct oracle_result want;
    uint32_t flags_mask;    /* EFLAGS bits to compare */
    uint8_t undef_reg;      /* a register with bits the manuals leave undefined, or 0xFF */
    uint32_t undef_bits;    /* ... those bits */
    uint16_t undef_mem_off; /* data-region bytes [off, off + len) the manuals leave to the */
    uint8_t undef_mem_len;  /* implementation (0: none) */
    int form;               /* single instruction: its form; sequences: -1 */
    uint32_t ninsn;         /* instructions in a sequence */
    uint64_t index;         /* case number in its kind (for --only) */
    bool skip;              /* no valid case could be made: not compared */
};

struct gen {
    struct forms *fs;
    struct emu *emu;
    uint64_t seed;
    bool low;               /* the low layout: 16-bit addresses reach the flat data region */
    bool ldt;               /* the LDT data segment exists (a base other than 0) */
    uint32_t sigstack_lo, sigstack_hi; /* the child's signal stack */
    uint64_t rejected;      /* cases regenerated (undefined result, consumed undefined flags) */
};

/* PUSH ES/CS/SS/DS/FS/GS. */
static inline bool is_push_sreg(unsigned op)
{
    return op == 0x06 || op == 0x0E || op == 0x16 || op == 0x1E || op == 0x1A0 || op == 0x1A8;
}

/* The EFLAGS bits form f leaves undefined when its bytes code[0, len) run from state
 * before (the table's rules, refined by the count of a shift); *undef_result when its
 * destination is undefined too. */
uint32_t undefined_flags(const struct form *f, const struct cpu *before, const uint8_t *code,
                         uint32_t len, bool *undef_result);

/* Case number index of its kind; deterministic in (seed, index). */
void gen_single(struct gen *g, uint64_t index, struct pcase *pc);
void gen_sequence(struct gen *g, uint64_t index, struct pcase *pc);

/* The EFLAGS bits a case compares when nothing is undefined. */
#define ORACLE_FLAGS_COMPARED 0x003F7FD7u

#endif
