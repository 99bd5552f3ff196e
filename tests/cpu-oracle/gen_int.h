/* The generator's internals, shared by operands.c (values, memory operands, prefixes),
 * kinds.c (one function per kind of form) and gen.c (cases and sequences run on orrery).
 * Internal to the oracle. */
#ifndef ORRERY_TESTS_CPU_ORACLE_GEN_INT_H
#define ORRERY_TESTS_CPU_ORACLE_GEN_INT_H

#include "gen.h"

/* ---- random numbers: splitmix64, one stream per case ---- */

struct rng {
    uint64_t s;
};

static inline uint64_t rnext(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint32_t rn(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rnext(r) >> 32) * n) >> 32);
}

static inline bool coin(struct rng *r, unsigned percent)
{
    return rn(r, 100) < percent;
}

static inline uint32_t r32(struct rng *r)
{
    return (uint32_t)rnext(r);
}

/* ---- instruction bytes ---- */

struct ib {
    uint8_t pfx[16];
    unsigned npfx;
    unsigned op;
    bool modrm, sib;
    uint8_t mod, reg, rm, sibv;
    uint32_t disp, imm, imm2;
    unsigned dlen, ilen, i2len;
};

/* ---- the state an instruction is made in ---- */

#define MAX_MREQ 8

struct g {
    struct rng rng;
    struct gen *gen;
    const struct form *f;
    uint32_t data, code_lo, code_hi; /* data region base; code region [lo, hi) */
    uint32_t r[8];
    uint32_t eflags;
    bool initial;       /* requirements set the initial state instead of making MOVs */
    uint8_t fixed;      /* registers whose value the instruction depends on */
    uint8_t req;        /* registers to be set by MOVs (not initial) */
    struct { uint32_t addr; uint8_t len; uint8_t b[ORACLE_PATCH_BYTES]; } mq[MAX_MREQ];
    unsigned nmq;
    bool failed;        /* a requirement could not be met */
    uint32_t start;     /* the case's first byte */
    bool o16, a16;
    bool flat;          /* the case's data segments are flat (not the LDT segment) */
    bool calm;          /* inside a sequence: faults made on purpose are rarer */
    struct ib ib;
    /* For a relative branch: its target is fixed once its address is known. */
    bool rel;
};

/* operands.c */
uint32_t rvalue(struct rng *r);
unsigned encode(const struct ib *ib, uint8_t *o);
void need_reg(struct g *g, unsigned reg, uint32_t v);
void need_mem(struct g *g, uint32_t addr, const void *bytes, unsigned len);
void need_mem32(struct g *g, uint32_t addr, uint32_t v, unsigned len);
void fill_mem(struct g *g, uint32_t addr);
uint32_t stack_lo(const struct g *g);
uint32_t stack_hi(const struct g *g);
void ensure_esp(struct g *g);
uint32_t pick_addr(struct g *g, uint32_t margin);
bool in_data(const struct g *g, uint32_t a, uint32_t len);
bool mem_operand(struct g *g, uint32_t t, unsigned span);
void mem_operand_free(struct g *g);
bool rm_operand(struct g *g, unsigned span);
uint32_t ea_of(const struct g *g);
uint32_t imm_of_size(struct g *g, unsigned len);
void immediates(struct g *g);
uint32_t far_target(struct g *g);
uint16_t pick_selector(struct g *g);
void prefixes(struct g *g);
/* The relative branch's displacement, now that the instruction's address is known. */
void fix_rel(struct g *g, uint32_t pc);

/* kinds.c: makes the form's instruction in g->ib with its requirements; false: try again. */
bool make_insn(struct g *g);

#endif
