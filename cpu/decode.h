/* Decoding: bytes at CS:EIP become a struct insn once; handlers never look at bytes again.
 *
 * The opcode table (cpu/opcodes.def) is the single source of truth: one row per form
 * with its encoding, mnemonic, 16- and 32-bit handlers, first CPU model and rules. */
#ifndef ORRERY_CPU_DECODE_H
#define ORRERY_CPU_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;
struct insn;
typedef void (*insn_fn)(struct cpu *cpu, const struct insn *in);

/* What follows the opcode byte(s). */
enum op_form {
    F_NONE,   /* nothing */
    F_M,      /* ModRM (+SIB, displacement) */
    F_M_IB,   /* ModRM, imm8 */
    F_M_IV,   /* ModRM, imm16/32 by operand size */
    F_IB,     /* imm8 or rel8 */
    F_IW,     /* imm16 */
    F_IV,     /* imm16/32 or rel16/32 by operand size */
    F_IW_IB,  /* imm16, imm8 (ENTER) */
    F_FAR,    /* offset16/32 by operand size, then selector16 */
    F_MOFFS,  /* offset16/32 by address size */
};

/* Rules a row carries. */
enum {
    OPF_LOCK = 1u << 0,      /* LOCK is legal (memory destination only) */
    OPF_MEM = 1u << 1,       /* register form (mod == 3) is #UD */
    OPF_MODRM_REG = 1u << 2, /* mod field ignored: always a register (MOV CRn/DRn) */
    /* What the manuals leave undefined (SDM Vol. 2, "Flags Affected"), beyond the flags of
     * OPF_UNDEF: documentation and the differential tester's masks; the CPU ignores them. */
    OPF_COUNTED = 1u << 3,   /* shift/rotate: a masked count of 0 affects no flag, so nothing
                              * is undefined; OPF_UNDEF's OF only for masked counts above 1 */
    OPF_CF_WIDE = 1u << 4,   /* SHL/SHR: CF undefined when the count >= the operand size */
    OPF_OVERSIZE = 1u << 5,  /* SHLD/SHRD: a count above the operand size leaves the
                              * destination and all flags undefined */
    OPF_ZERO_SRC = 1u << 6,  /* BSF/BSR: a zero source leaves the destination undefined */
    /* Where a translated block ends (cpu/translate.c): after a form that changes control
     * flow, the mode, paging, descriptor tables, IF or the interrupt shadow, or does I/O --
     * whatever the interpreter's loop must look at before the next instruction. */
    OPF_END = 1u << 7,
    OPF_END_REP = 1u << 8,   /* ends a block with a REP prefix (EIP stays on it while work
                              * remains) */
};
/* The EFLAGS arithmetic bits (FL_*) a form leaves undefined, kept in the rules' top half. */
#define OPF_UNDEF(fl) ((uint32_t)(fl) << 16)
#define OPDESC_UNDEF(d) (((d)->flags >> 16) & 0xFFFFu)

struct opdesc {
    insn_fn fn16, fn32;
    const char *mnemonic;
    uint8_t form;       /* enum op_form */
    uint8_t model;      /* enum cpu_model: first model that has it */
    uint32_t flags;     /* OPF_*, OPF_UNDEF(...) */
};

struct insn {
    insn_fn fn;
    uint32_t disp;
    uint32_t imm;       /* first immediate (zero-extended), or rel/offset */
    uint32_t imm2;      /* second immediate: selector of F_FAR, imm8 of ENTER */
    uint32_t addr_mask; /* 0xFFFF or 0xFFFFFFFF by address size */
    uint16_t op;        /* 0x000-0x0FF one-byte opcode, 0x100-0x1FF 0F xx */
    uint8_t len;
    uint8_t mod, reg, rm;
    uint8_t base, index, scale; /* effective address = r[base] + (r[index] << scale) + disp */
    uint8_t seg;        /* segment of the memory operand / string source (after override) */
    uint8_t o32, a32;   /* operand / address size is 32 bits */
    uint8_t rep;        /* 0, 0xF2 (REPNE) or 0xF3 (REP/REPE) */
    uint8_t lock;
    const struct opdesc *desc; /* NULL for undefined opcodes */
};

/* Decodes the instruction at CS:EIP. Faults (fetch past the limit, too long) unwind
 * through cpu_fault. Undefined or model-absent forms decode to a handler raising #UD. */
void decode(struct cpu *cpu, struct insn *in);

/* Decodes the instruction in the avail bytes at bytes as if it were at CS:EIP, without
 * fetching and without faulting (the block translator decoding ahead). False when the
 * instruction does not fit in avail bytes or exceeds the length limit: executing it must
 * then fetch it, and fault, as the interpreter does. */
bool decode_bytes(struct cpu *cpu, const uint8_t *bytes, unsigned avail, struct insn *in);

/* Row of the table for opcode op (0x000-0x1FF) and ModRM reg field, or NULL. */
const struct opdesc *opcode_row(unsigned op, unsigned reg);

#endif
