/* The case generator (gen.h).
 *
 * An instruction is built from its form: prefixes, ModRM/SIB/displacement, immediates,
 * and requirements on registers and memory (an address register must point into the data
 * region, a string count must be small, a return address must lead back into the code
 * region). For the first instruction of a case the requirements become the case's initial
 * registers and memory patches; later in a sequence they become MOV instructions placed
 * before it. Orrery runs each instruction as soon as it is made; an instruction that reads
 * a flag an earlier one left undefined, or whose result is undefined, is made again. */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

/* ---- random numbers: splitmix64, one stream per case ---- */

struct rng {
    uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t rn(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rnext(r) >> 32) * n) >> 32);
}

static bool coin(struct rng *r, unsigned percent)
{
    return rn(r, 100) < percent;
}

static uint32_t r32(struct rng *r)
{
    return (uint32_t)rnext(r);
}

static const uint32_t edges[] = {
    0, 1, 2, 3, 7, 8, 9, 0x0A, 0x0F, 0x10, 0x11, 0x1F, 0x20, 0x21, 0x3F, 0x40, 0x7F, 0x80,
    0x81, 0x99, 0x9A, 0xF9, 0xFA, 0xFE, 0xFF, 0x100, 0x101, 0x7FFF, 0x8000, 0x8001, 0xFFFE,
    0xFFFF, 0x10000, 0x10001, 0x7FFFFFFF, 0x80000000u, 0x80000001u, 0xFFFFFFFFu, 0xFFFFFFFEu,
    0xFFFFFF80u, 0xFFFFFF7Fu, 0xFFFF8000u, 0xFFFF7FFFu, 0x55555555u, 0xAAAAAAAAu, 0x0F0F0F0Fu,
    0x00FF00FFu, 0x12345678u,
};

/* A value for a register, memory operand or immediate: random, an edge value, small, or an
 * edge value in the low bits under random high bits. */
static uint32_t rvalue(struct rng *r)
{
    switch (rn(r, 10)) {
    case 0: case 1: case 2: case 3:
        return r32(r);
    case 4: case 5: case 6:
        return edges[rn(r, sizeof edges / sizeof edges[0])];
    case 7:
        return rn(r, 65);
    case 8:
        return r32(r) & r32(r);
    default: {
        uint32_t e = edges[rn(r, sizeof edges / sizeof edges[0])];
        uint32_t keep = rn(r, 2) ? 0xFF : 0xFFFF;
        return (r32(r) & ~keep) | (e & keep);
    }
    }
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

static unsigned encode(const struct ib *ib, uint8_t *o)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ib->npfx; i++)
        o[n++] = ib->pfx[i];
    if (ib->op >= 0x100)
        o[n++] = 0x0F;
    o[n++] = (uint8_t)ib->op;
    if (ib->modrm) {
        o[n++] = (uint8_t)(ib->mod << 6 | ib->reg << 3 | ib->rm);
        if (ib->sib)
            o[n++] = ib->sibv;
    }
    for (unsigned i = 0; i < ib->dlen; i++)
        o[n++] = (uint8_t)(ib->disp >> (8 * i));
    for (unsigned i = 0; i < ib->ilen; i++)
        o[n++] = (uint8_t)(ib->imm >> (8 * i));
    for (unsigned i = 0; i < ib->i2len; i++)
        o[n++] = (uint8_t)(ib->imm2 >> (8 * i));
    return n;
}

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
    struct ib ib;
    /* For a relative branch: its target is fixed once its address is known. */
    bool rel;
};

static void need_reg(struct g *g, unsigned reg, uint32_t v)
{
    g->r[reg] = v;
    g->fixed |= (uint8_t)(1u << reg);
    g->req |= (uint8_t)(1u << reg);
}

static void need_mem(struct g *g, uint32_t addr, const void *bytes, unsigned len)
{
    if (g->nmq == MAX_MREQ || len > ORACLE_PATCH_BYTES || addr < g->data ||
        addr + len > g->data + ORACLE_DATA_SIZE) {
        g->failed = true;
        return;
    }
    g->mq[g->nmq].addr = addr;
    g->mq[g->nmq].len = (uint8_t)len;
    memcpy(g->mq[g->nmq].b, bytes, len);
    g->nmq++;
}

static void need_mem32(struct g *g, uint32_t addr, uint32_t v, unsigned len)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    need_mem(g, addr, b, len);
}

/* Random operand bytes at addr (only where they become a patch: later in a sequence the
 * memory holds whatever earlier instructions left). */
static void fill_mem(struct g *g, uint32_t addr)
{
    if (!g->initial || g->nmq >= MAX_MREQ - 2)
        return;
    uint8_t b[ORACLE_PATCH_BYTES];
    uint32_t v = rvalue(&g->rng), w = rvalue(&g->rng), x = r32(&g->rng);
    memcpy(b, &v, 4);
    memcpy(b + 4, &w, 4);
    memcpy(b + 8, &x, 4);
    if (addr + sizeof b <= g->data + ORACLE_DATA_SIZE)
        need_mem(g, addr, b, sizeof b);
}

static uint32_t stack_lo(const struct g *g) { return g->data + ORACLE_STACK_OFF + 0x100; }
static uint32_t stack_hi(const struct g *g) { return g->data + ORACLE_DATA_SIZE - 0x100; }

/* ESP where pushes and pops stay inside the stack page. */
static void ensure_esp(struct g *g)
{
    uint32_t sp = g->r[R_ESP];
    if (sp < stack_lo(g) || sp > stack_hi(g))
        need_reg(g, R_ESP, stack_lo(g) + rn(&g->rng, stack_hi(g) - stack_lo(g)));
    g->fixed |= 1u << R_ESP;
}

/* An address for a memory operand of up to 16 bytes, anywhere in the data region. */
static uint32_t pick_addr(struct g *g, uint32_t margin)
{
    return g->data + margin + rn(&g->rng, ORACLE_DATA_SIZE - 2 * margin - 16);
}

static bool in_data(const struct g *g, uint32_t a, uint32_t len)
{
    return a >= g->data && a + len <= g->data + ORACLE_DATA_SIZE && a + len > a;
}

/* ---- memory operands ---- */

static const int8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, -1, -1, R_EBP, R_EBX };
static const int8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, R_ESI, R_EDI, -1, -1 };

/* Solves base + (index << scale) + disp = T in the address size's arithmetic, choosing
 * the displacement or a free register. Registers it relies on become fixed. */
static bool solve(struct g *g, int base, int index, unsigned scale, unsigned dlen, uint32_t t,
                  unsigned span)
{
    const uint32_t mask = g->a16 ? 0xFFFFu : 0xFFFFFFFFu;
    const unsigned full = g->a16 ? 2 : 4;
    bool bfree = base >= 0 && !(g->fixed & (1u << base));
    bool ifree = index >= 0 && !(g->fixed & (1u << index)) && index != base;
    uint32_t disp;
    uint32_t bv = base >= 0 ? g->r[base] : 0, iv = index >= 0 ? g->r[index] : 0;

    if (dlen == full && (!(bfree || ifree) || coin(&g->rng, 50))) {
        disp = (t - bv - (iv << scale)) & mask;
    } else {
        disp = dlen == 0 ? 0 : dlen == 1 ? (uint32_t)(int32_t)(int8_t)r32(&g->rng) : rvalue(&g->rng) & mask;
        if (base >= 0 && base == index && bfree) {
            uint32_t k = 1 + (1u << scale);
            uint32_t v = ((t - disp) & mask) / k;
            need_reg(g, (unsigned)base, g->a16 ? (g->r[base] & ~mask) | v : v);
        } else if (bfree) {
            uint32_t v = (t - disp - (iv << scale)) & mask;
            need_reg(g, (unsigned)base, (g->r[base] & ~mask) | v);
        } else if (ifree) {
            uint32_t x = (t - disp - bv) & mask & ~((1u << scale) - 1);
            uint32_t v = x >> scale;
            if (scale)
                v |= r32(&g->rng) << (32 - scale);
            need_reg(g, (unsigned)index, g->a16 ? (g->r[index] & ~mask) | (v & mask) : v);
        }
    }
    if (base >= 0)
        g->fixed |= (uint8_t)(1u << base);
    if (index >= 0)
        g->fixed |= (uint8_t)(1u << index);
    g->ib.disp = disp;
    g->ib.dlen = dlen;
    bv = base >= 0 ? g->r[base] : 0;
    iv = index >= 0 ? g->r[index] : 0;
    uint32_t ea = (bv + (iv << scale) + disp) & mask;
    return in_data(g, ea, span);
}

/* A ModRM memory operand addressing t (span bytes must fit). */
static bool mem_operand(struct g *g, uint32_t t, unsigned span)
{
    struct ib *ib = &g->ib;
    ib->modrm = true;
    ib->mod = (uint8_t)rn(&g->rng, 3);
    ib->rm = (uint8_t)rn(&g->rng, 8);
    ib->sib = false;
    if (g->a16) {
        if (ib->mod == 0 && ib->rm == 6)
            return solve(g, -1, -1, 0, 2, t, span);
        return solve(g, base16[ib->rm], index16[ib->rm], 0, ib->mod == 1 ? 1 : ib->mod == 2 ? 2 : 0,
                     t, span);
    }
    unsigned dlen = ib->mod == 1 ? 1 : ib->mod == 2 ? 4 : 0;
    if (ib->rm == 4) {
        unsigned scale = rn(&g->rng, 4), idx = rn(&g->rng, 8), b = rn(&g->rng, 8);
        ib->sib = true;
        ib->sibv = (uint8_t)(scale << 6 | idx << 3 | b);
        int base = (int)b;
        if (b == 5 && ib->mod == 0) {
            base = -1;
            dlen = 4;
        }
        return solve(g, base, idx == 4 ? -1 : (int)idx, scale, dlen, t, span);
    }
    if (ib->rm == 5 && ib->mod == 0)
        return solve(g, -1, -1, 0, 4, t, span);
    return solve(g, ib->rm, -1, 0, dlen, t, span);
}

/* A ModRM memory operand with no constraint (LEA, NOP, faulting forms): random bytes. */
static void mem_operand_free(struct g *g)
{
    struct ib *ib = &g->ib;
    ib->modrm = true;
    ib->mod = (uint8_t)rn(&g->rng, 3);
    ib->rm = (uint8_t)rn(&g->rng, 8);
    ib->sib = !g->a16 && ib->rm == 4;
    ib->sibv = (uint8_t)r32(&g->rng);
    ib->disp = rvalue(&g->rng);
    if (g->a16)
        ib->dlen = ib->mod == 1 ? 1 : ib->mod == 2 || (ib->mod == 0 && ib->rm == 6) ? 2 : 0;
    else
        ib->dlen = ib->mod == 1 ? 1 : ib->mod == 2 || (ib->mod == 0 && ib->rm == 5) ||
                   (ib->sib && ib->mod == 0 && (ib->sibv & 7) == 5) ? 4 : 0;
}

/* The r/m operand of the form: a register, or memory at a fresh address (with random
 * contents when the case starts there). */
static bool rm_operand(struct g *g, unsigned span)
{
    if (g->f->mem == M_REG || g->f->mem == M_NONE) {
        g->ib.modrm = true;
        g->ib.mod = 3;
        g->ib.rm = (uint8_t)rn(&g->rng, 8);
        return true;
    }
    uint32_t t = pick_addr(g, 16);
    if (!mem_operand(g, t, span))
        return false;
    fill_mem(g, t);
    return true;
}

/* The effective address the ModRM operand resolved to (after requirements). */
static uint32_t ea_of(const struct g *g)
{
    const struct ib *ib = &g->ib;
    const uint32_t mask = g->a16 ? 0xFFFFu : 0xFFFFFFFFu;
    if (g->a16) {
        if (ib->mod == 0 && ib->rm == 6)
            return ib->disp & mask;
        uint32_t v = ib->disp;
        if (base16[ib->rm] >= 0)
            v += g->r[base16[ib->rm]];
        if (index16[ib->rm] >= 0)
            v += g->r[index16[ib->rm]];
        return v & mask;
    }
    uint32_t v = ib->disp;
    if (ib->sib) {
        unsigned b = ib->sibv & 7, idx = (ib->sibv >> 3) & 7;
        if (!(b == 5 && ib->mod == 0))
            v += g->r[b];
        if (idx != 4)
            v += g->r[idx] << (ib->sibv >> 6);
    } else if (!(ib->rm == 5 && ib->mod == 0)) {
        v += g->r[ib->rm];
    }
    return v;
}

/* ---- immediates ---- */

static uint32_t imm_of_size(struct g *g, unsigned len)
{
    uint32_t v = rvalue(&g->rng);
    return len == 1 ? (v & 0xFF) : len == 2 ? (v & 0xFFFF) : v;
}

static void immediates(struct g *g)
{
    struct ib *ib = &g->ib;
    switch (g->f->d ? g->f->d->form : F_NONE) {
    case F_M_IB:
    case F_IB:
        ib->ilen = 1;
        break;
    case F_M_IV:
    case F_IV:
        ib->ilen = g->o16 ? 2 : 4;
        break;
    case F_IW:
        ib->ilen = 2;
        break;
    case F_IW_IB:
        ib->ilen = 2;
        ib->i2len = 1;
        ib->imm2 = imm_of_size(g, 1);
        break;
    case F_FAR:
        ib->ilen = g->o16 ? 2 : 4;
        ib->i2len = 2;
        break;
    case F_MOFFS:
        ib->ilen = g->a16 ? 2 : 4;
        break;
    default:
        break;
    }
    ib->imm = imm_of_size(g, ib->ilen);
}

/* ---- code addresses ---- */

/* A branch target in the code region outside the case (or the case's end exactly). */
static uint32_t far_target(struct g *g)
{
    const uint32_t lo = g->start, hi = g->start + ORACLE_MAX_CODE + ORACLE_EXIT_LEN;
    for (;;) {
        uint32_t t = g->code_lo + rn(&g->rng, g->code_hi - g->code_lo);
        if (g->o16 && t > 0xFFFF)
            continue;
        if (t < lo || t >= hi)
            return t;
    }
}

/* ---- selectors ---- */

static const uint16_t selectors[] = {
    0x0000, 0x0001, 0x0003, 0x0008, 0x000B, 0x0010, 0x0013, 0x0018, 0x001B, 0x0020, 0x0021,
    0x0023, 0x0023, 0x0028, 0x0029, 0x002A, 0x002B, 0x002B, 0x002B, 0x002B, 0x0030, 0x0033,
    0x0007, 0x000F, 0x002F, 0x0040, 0x0043, 0x0048, 0x0080, 0x0083, 0xFFF8, 0xFFFF,
};

static uint16_t pick_selector(struct g *g)
{
    return selectors[rn(&g->rng, sizeof selectors / sizeof selectors[0])];
}

/* ---- the kinds ---- */

static unsigned op_bits(const struct g *g)
{
    unsigned op = g->f->op;
    bool byte = false;
    if (op < 0x40)
        byte = (op & 7) == 0 || (op & 7) == 2 || (op & 7) == 4;
    else
        switch (op) {
        case 0x80: case 0x82: case 0x84: case 0x86: case 0x88: case 0x8A: case 0xA0: case 0xA2:
        case 0xA4: case 0xA6: case 0xA8: case 0xAA: case 0xAC: case 0xAE: case 0xC0: case 0xC6:
        case 0xD0: case 0xD2: case 0xF6: case 0xFE: case 0x1B0: case 0x1C0:
            byte = true;
            break;
        default:
            break;
        }
    return byte ? 8 : g->o16 ? 16 : 32;
}

static const uint8_t counts[] = { 0, 1, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 34, 63, 64, 255 };

static uint8_t pick_count(struct g *g)
{
    return coin(&g->rng, 75) ? counts[rn(&g->rng, sizeof counts)] : (uint8_t)r32(&g->rng);
}

static bool kind_generic(struct g *g, bool noaccess)
{
    const struct form *f = g->f;
    struct ib *ib = &g->ib;
    const struct opdesc *d = f->d;
    bool modrm = d && (d->form == F_M || d->form == F_M_IB || d->form == F_M_IV);
    if (modrm || (f->kind == K_UD && f->op == 0x1B9)) {
        if (f->mem == M_A32 || f->mem == M_A16) {
            if (noaccess || f->kind == K_UD) {
                mem_operand_free(g);
            } else if (!rm_operand(g, 16)) {
                return false;
            }
        } else {
            ib->modrm = true;
            ib->mod = 3;
            ib->rm = (uint8_t)rn(&g->rng, 8);
            if (d && (d->flags & OPF_MODRM_REG))
                ib->mod = (uint8_t)rn(&g->rng, 4);
        }
        ib->reg = f->reg != 0xFF ? f->reg : (uint8_t)rn(&g->rng, 8);
        if (f->op == 0x8C && coin(&g->rng, 90))
            ib->reg = (uint8_t)rn(&g->rng, 6);
    }
    immediates(g);
    if (f->op == 0xD4 || f->op == 0xD5) {
        static const uint8_t bases[] = { 0, 10, 10, 10, 16, 1, 2, 7, 255 };
        ib->imm = coin(&g->rng, 60) ? bases[rn(&g->rng, sizeof bases)] : ib->imm;
    }
    /* CMPXCHG and CMPXCHG8B: half the time the comparison succeeds. */
    if ((f->op == 0x1B0 || f->op == 0x1B1) && coin(&g->rng, 50) && !(g->fixed & 1u << R_EAX)) {
        unsigned bits = op_bits(g);
        uint32_t dv = 0;
        if (ib->mod == 3)
            dv = bits == 8 ? (g->r[ib->rm & 3] >> ((ib->rm & 4) << 1)) : g->r[ib->rm];
        else if (g->nmq && g->initial)
            memcpy(&dv, g->mq[g->nmq - 1].b, 4);
        else
            return true;
        uint32_t m = bits == 32 ? ~0u : (1u << bits) - 1;
        need_reg(g, R_EAX, (g->r[R_EAX] & ~m) | (dv & m));
    }
    if (f->op == 0x1C7 && ib->mod != 3 && coin(&g->rng, 50) && g->initial) {
        uint32_t t = ea_of(g);
        uint8_t b[8];
        uint32_t lo = rvalue(&g->rng), hi = rvalue(&g->rng);
        if (!(g->fixed & (1u << R_EAX)))
            need_reg(g, R_EAX, lo);
        if (!(g->fixed & (1u << R_EDX)))
            need_reg(g, R_EDX, hi);
        memcpy(b, &g->r[R_EAX], 4);
        memcpy(b + 4, &g->r[R_EDX], 4);
        need_mem(g, t, b, 8);
    }
    return true;
}

/* DIV/IDIV: the dividend made so that the quotient usually fits. */
static bool kind_div(struct g *g)
{
    if (!kind_generic(g, false))
        return false;
    const struct ib *ib = &g->ib;
    unsigned bits = op_bits(g);
    bool sign = g->f->reg == 7;
    uint32_t m = bits == 32 ? ~0u : (1u << bits) - 1;
    uint32_t dv = rvalue(&g->rng) & m;
    if (coin(&g->rng, 10))
        dv = 0;
    if (ib->mod == 3) {
        unsigned rm = ib->rm;
        if (bits == 8) {
            if (g->fixed & (1u << (rm & 3)))
                return true;
            unsigned sh = (rm & 4) << 1;
            need_reg(g, rm & 3, (g->r[rm & 3] & ~(0xFFu << sh)) | (dv << sh));
        } else {
            if (g->fixed & (1u << rm))
                return true;
            need_reg(g, rm, (g->r[rm] & ~m) | dv);
        }
    } else {
        need_mem32(g, ea_of(g), dv | (r32(&g->rng) & ~m), 4);
    }
    if (coin(&g->rng, 30) || dv == 0 || (g->fixed & ((1u << R_EAX) | (1u << R_EDX))))
        return true;
    /* dividend = q * d + r with q inside the quotient's range: |q * d| < 2^63 */
    uint64_t nn;
    if (sign) {
        int64_t d = (int64_t)(int32_t)(dv << (32 - bits)) >> (32 - bits);
        int64_t qmax = 1ll << (bits - 1);
        int64_t q = (int64_t)rn(&g->rng, (uint32_t)qmax);
        if (coin(&g->rng, 50))
            q = -q - (coin(&g->rng, 20) ? 1 : 0);
        if (coin(&g->rng, 10))
            q = coin(&g->rng, 50) ? qmax - 1 : -qmax;
        int64_t ad = d < 0 ? -d : d;
        int64_t rem = (int64_t)(rnext(&g->rng) % (uint64_t)ad);
        int64_t n = q * d;
        n += (n < 0 || (n == 0 && coin(&g->rng, 50))) ? -rem : rem;
        nn = (uint64_t)n;
    } else {
        uint64_t qmax = 1ull << bits;
        uint64_t q = coin(&g->rng, 10) ? qmax - 1 : rnext(&g->rng) % qmax;
        nn = q * dv + rnext(&g->rng) % dv;
    }
    if (bits == 8) {
        need_reg(g, R_EAX, (g->r[R_EAX] & 0xFFFF0000u) | (uint32_t)(nn & 0xFFFF));
    } else if (bits == 16) {
        need_reg(g, R_EAX, (g->r[R_EAX] & 0xFFFF0000u) | (uint32_t)(nn & 0xFFFF));
        need_reg(g, R_EDX, (g->r[R_EDX] & 0xFFFF0000u) | (uint32_t)((nn >> 16) & 0xFFFF));
    } else {
        need_reg(g, R_EAX, (uint32_t)nn);
        need_reg(g, R_EDX, (uint32_t)(nn >> 32));
    }
    return true;
}

static bool kind_shift(struct g *g)
{
    unsigned op = g->f->op;
    uint8_t cnt = pick_count(g);
    bool by_cl = op == 0xD2 || op == 0xD3 || op == 0x1A5 || op == 0x1AD;
    if (op >= 0x1A4 && g->o16)
        while ((cnt & 31) > 16)
            cnt = pick_count(g);
    if (by_cl && !(g->fixed & (1u << R_ECX)))
        need_reg(g, R_ECX, (g->r[R_ECX] & ~0xFFu) | cnt);
    if (!kind_generic(g, false))
        return false;
    if (op == 0xC0 || op == 0xC1 || op == 0x1A4 || op == 0x1AC)
        g->ib.imm = cnt;
    return true;
}

/* BT/BTS/BTR/BTC with a register bit offset: on memory it reaches bytes around the
 * operand (SDM Vol. 2A "BT": bit base addressing), kept within the data region. */
static bool kind_bt_reg(struct g *g)
{
    struct ib *ib = &g->ib;
    ib->reg = (uint8_t)rn(&g->rng, 8);
    if (g->f->mem == M_REG)
        return kind_generic(g, false);
    int32_t bitoff = (int32_t)rn(&g->rng, 2048) - 1024;
    if (coin(&g->rng, 20))
        bitoff = (int32_t)rn(&g->rng, 64) - 32;
    if (ib->reg != R_ESP && !(g->fixed & (1u << ib->reg)))
        need_reg(g, ib->reg, g->o16 ? (g->r[ib->reg] & 0xFFFF0000u) | ((uint32_t)bitoff & 0xFFFF)
                                    : (uint32_t)bitoff);
    uint8_t reg = ib->reg;
    uint32_t t = pick_addr(g, 0x100);
    if (!mem_operand(g, t, 4))
        return false;
    ib->reg = reg;
    int32_t off = g->o16 ? (int16_t)g->r[reg] : (int32_t)g->r[reg];
    uint32_t at = (ea_of(g) + (uint32_t)(g->o16 ? (off >> 4) * 2 : (off >> 5) * 4)) &
                  (g->a16 ? 0xFFFFu : 0xFFFFFFFFu);
    if (!in_data(g, at, 4))
        return false;
    fill_mem(g, at);
    return true;
}

static bool kind_string(struct g *g)
{
    unsigned op = g->f->op;
    unsigned size = (op & 1) ? (g->o16 ? 2 : 4) : 1;
    bool rep = g->f->rep != 0;
    uint32_t n = rep ? (coin(&g->rng, 30) ? rn(&g->rng, 3) : rn(&g->rng, 40)) : 1;
    bool down = (g->eflags & FL_DF) != 0;
    if (g->initial && coin(&g->rng, 50)) {
        down = coin(&g->rng, 25);
        g->eflags = (g->eflags & ~FL_DF) | (down ? FL_DF : 0);
    }
    uint32_t span = n * size + 8;
    const uint32_t mask = g->a16 ? 0xFFFFu : 0xFFFFFFFFu;
    bool src = op == 0x6E || op == 0x6F || op == 0xA4 || op == 0xA5 || op == 0xA6 || op == 0xA7 ||
               op == 0xAC || op == 0xAD;
    bool dst = !(op == 0x6E || op == 0x6F || op == 0xAC || op == 0xAD);
    uint32_t s = 0, d = 0;
    for (unsigned which = 0; which < 2; which++) {
        if (which == 0 ? !src : !dst)
            continue;
        uint32_t a = g->data + 8 + rn(&g->rng, ORACLE_DATA_SIZE - span - 16);
        if (down)
            a += span - 8;
        unsigned reg = which == 0 ? R_ESI : R_EDI;
        need_reg(g, reg, (g->r[reg] & ~mask) | (a & mask));
        *(which == 0 ? &s : &d) = a;
    }
    if (rep)
        need_reg(g, R_ECX, (g->r[R_ECX] & ~mask) | n);
    /* REPE/REPNE compares: equal runs half the time. */
    if (g->initial && (op == 0xA6 || op == 0xA7) && src && dst && coin(&g->rng, 50)) {
        uint8_t b[ORACLE_PATCH_BYTES];
        for (unsigned i = 0; i < sizeof b; i++)
            b[i] = (uint8_t)r32(&g->rng);
        uint32_t len = n * size < sizeof b ? n * size : sizeof b;
        if (len) {
            need_mem(g, down ? s + size - len : s, b, len);
            need_mem(g, down ? d + size - len : d, b, len);
        }
    }
    if (g->initial && (op == 0xAE || op == 0xAF) && dst && coin(&g->rng, 50)) {
        uint32_t v = g->r[R_EAX];
        uint8_t b[ORACLE_PATCH_BYTES];
        for (unsigned i = 0; i < sizeof b; i++)
            b[i] = (uint8_t)(v >> (8 * (i % size)));
        uint32_t len = (n * size < sizeof b ? n * size : sizeof b) / size * size;
        if (len)
            need_mem(g, down ? d + size - len : d, b, len);
    }
    return true;
}

/* Near branches: relative (target fixed once the address is known), indirect, return. */
static bool kind_jrel(struct g *g)
{
    immediates(g);
    if (g->f->op == 0xE8)
        ensure_esp(g);
    if (g->f->kind == K_LOOP) {
        static const uint32_t c[] = { 0, 1, 2, 0x10000, 0x10001, 0xFFFF, 0xFFFFFFFFu };
        uint32_t v = coin(&g->rng, 60) ? c[rn(&g->rng, sizeof c / sizeof c[0])] : rvalue(&g->rng);
        need_reg(g, R_ECX, v);
    }
    g->rel = true;
    return true;
}

static bool kind_jind(struct g *g)
{
    uint32_t t = far_target(g);
    if (g->f->op == 0xFF && g->f->reg == 2)
        ensure_esp(g);
    struct ib *ib = &g->ib;
    ib->reg = g->f->reg;
    if (g->f->mem == M_REG) {
        ib->modrm = true;
        ib->mod = 3;
        do
            ib->rm = (uint8_t)rn(&g->rng, 8);
        while (g->fixed & (1u << ib->rm));
        need_reg(g, ib->rm, g->o16 ? (r32(&g->rng) & 0xFFFF0000u) | t : t);
        return true;
    }
    uint32_t a = pick_addr(g, 16);
    if (!mem_operand(g, a, 4))
        return false;
    ib->reg = g->f->reg;
    need_mem32(g, ea_of(g), g->o16 ? (r32(&g->rng) & 0xFFFF0000u) | t : t, 4);
    return true;
}

static bool kind_ret(struct g *g)
{
    ensure_esp(g);
    immediates(g);
    if (g->f->op == 0xC2 && coin(&g->rng, 50))
        g->ib.imm = rn(&g->rng, 64);
    uint32_t t = far_target(g);
    need_mem32(g, g->r[R_ESP], g->o16 ? (r32(&g->rng) & 0xFFFF0000u) | t : t, 4);
    return true;
}

/* Segment register loads: MOV Sreg, POP Sreg. */
static bool kind_sreg(struct g *g)
{
    unsigned op = g->f->op;
    uint16_t sel = pick_selector(g);
    if (op != 0x8E) {
        ensure_esp(g);
        need_mem32(g, g->r[R_ESP], (r32(&g->rng) & 0xFFFF0000u) | sel, 4);
        return true;
    }
    struct ib *ib = &g->ib;
    static const uint8_t sregs[] = { 0, 2, 3, 4, 5, 0, 3, 4, 5 };
    uint8_t reg = coin(&g->rng, 92) ? sregs[rn(&g->rng, sizeof sregs)] : (uint8_t)rn(&g->rng, 8);
    if (g->f->mem == M_REG) {
        ib->modrm = true;
        ib->mod = 3;
        ib->rm = (uint8_t)rn(&g->rng, 8);
        if (!(g->fixed & (1u << ib->rm)))
            need_reg(g, ib->rm, (g->r[ib->rm] & 0xFFFF0000u) | sel);
    } else {
        if (!mem_operand(g, pick_addr(g, 16), 2))
            return false;
        need_mem32(g, ea_of(g), (r32(&g->rng) & 0xFFFF0000u) | sel, 4);
    }
    ib->reg = reg;
    return true;
}

/* LES LDS LSS LFS LGS: offset then selector. */
static bool kind_farptr(struct g *g)
{
    struct ib *ib = &g->ib;
    uint8_t reg = (uint8_t)rn(&g->rng, 8);
    if (g->f->mem == M_REG) {
        ib->modrm = true;
        ib->mod = 3;
        ib->rm = (uint8_t)rn(&g->rng, 8);
        ib->reg = reg;
        return true;
    }
    if (!mem_operand(g, pick_addr(g, 16), 6))
        return false;
    ib->reg = reg;
    uint16_t sel = g->f->op == 0x1B2 && coin(&g->rng, 70) ? ORACLE_USER_DS : pick_selector(g);
    uint32_t off = rvalue(&g->rng);
    uint8_t b[8];
    unsigned olen = g->o16 ? 2 : 4;
    memcpy(b, &off, 4);
    b[olen] = (uint8_t)sel;
    b[olen + 1] = (uint8_t)(sel >> 8);
    need_mem(g, ea_of(g), b, olen + 2);
    return true;
}

/* Far JMP/CALL/RET and IRET at CPL 3: mostly to the user code selector; never to 0x30-0x33,
 * the host's 64-bit code segment, which would leave compatibility mode. */
static uint16_t far_selector(struct g *g)
{
    if (coin(&g->rng, 70))
        return (uint16_t)(coin(&g->rng, 80) ? ORACLE_USER_CS : 0x20 + rn(&g->rng, 3));
    uint16_t sel;
    do
        sel = pick_selector(g);
    while ((sel & ~3u) == 0x30);
    return sel;
}

static bool kind_far(struct g *g)
{
    const struct form *f = g->f;
    struct ib *ib = &g->ib;
    uint16_t sel = far_selector(g);
    uint32_t t = far_target(g);
    unsigned olen = g->o16 ? 2 : 4;
    uint32_t off = g->o16 ? (r32(&g->rng) & 0xFFFF0000u) | t : t;
    immediates(g);
    switch (f->op) {
    case 0x9A:
    case 0xEA:
        ib->imm = g->o16 ? t & 0xFFFF : t;
        ib->imm2 = sel;
        if (f->op == 0x9A)
            ensure_esp(g);
        return true;
    case 0xCA:
    case 0xCB:
    case 0xCF: {
        ensure_esp(g);
        /* A return to a selector with RPL < CPL: the SDM checks the RPL first (#GP), the
         * host reads the outer SS:ESP first (#AC when it is misaligned). No #AC there. */
        if ((sel & 3) != 3 && (g->eflags & FL_AC)) {
            if (g->initial)
                g->eflags &= ~FL_AC;
            else
                sel = ORACLE_USER_CS;
        }
        /* RET imm16 to an outer level reads SS:ESP past the released bytes; the host reads
         * them before it checks the selector, so they stay in the data region. */
        if (f->op == 0xCA)
            ib->imm = coin(&g->rng, 70) ? rn(&g->rng, 32)
                                        : rn(&g->rng, g->data + ORACLE_DATA_SIZE - g->r[R_ESP] - 32);
        uint8_t b[12];
        uint32_t cs = (r32(&g->rng) & 0xFFFF0000u) | sel;
        uint32_t fl = r32(&g->rng) & ~(FL_TF | FL_NT);
        if (coin(&g->rng, 70))
            fl &= ~(FL_AC | FL_RF);
        memcpy(b, &off, 4);
        memcpy(b + olen, &cs, 4);
        memcpy(b + 2 * olen, &fl, 4);
        need_mem(g, g->r[R_ESP], b, f->op == 0xCF ? 3 * olen : 2 * olen);
        return true;
    }
    default: /* FF /3, FF /5: m16:16 or m16:32 */
        if (f->op == 0xFF && f->reg == 3)
            ensure_esp(g);
        ib->reg = f->reg;
        if (f->mem == M_REG) {
            ib->modrm = true;
            ib->mod = 3;
            ib->rm = (uint8_t)rn(&g->rng, 8);
            return true;
        }
        if (!mem_operand(g, pick_addr(g, 16), 6))
            return false;
        ib->reg = f->reg;
        uint8_t b[8];
        memcpy(b, &off, 4);
        b[olen] = (uint8_t)sel;
        b[olen + 1] = (uint8_t)(sel >> 8);
        need_mem(g, ea_of(g), b, olen + 2);
        return true;
    }
}

static bool kind_int(struct g *g)
{
    immediates(g);
    if (g->f->op == 0xCD) {
        static const uint8_t v[] = { 3, 4, 0, 1, 5, 6, 13, 14, 0x21, 0xFF };
        g->ib.imm = coin(&g->rng, 50) ? v[rn(&g->rng, sizeof v)] : rn(&g->rng, 256);
        if (g->ib.imm == 0x80)
            g->ib.imm = 0x81;
    }
    return true;
}

/* LAR LSL VERR VERW: selectors whose descriptors orrery's GDT shares with the host's. LSL
 * of the TSS would report the host kernel's TSS limit. */
static bool kind_desc(struct g *g)
{
    struct ib *ib = &g->ib;
    uint16_t sel;
    do
        sel = pick_selector(g);
    while ((sel & ~7u) == 0x40 && g->f->op == 0x103);
    ib->reg = g->f->reg != 0xFF ? g->f->reg : (uint8_t)rn(&g->rng, 8);
    if (g->f->mem == M_REG) {
        ib->modrm = true;
        ib->mod = 3;
        ib->rm = (uint8_t)rn(&g->rng, 8);
        if (!(g->fixed & (1u << ib->rm)))
            need_reg(g, ib->rm, (g->r[ib->rm] & 0xFFFF0000u) | sel);
        return true;
    }
    uint8_t reg = ib->reg;
    if (!mem_operand(g, pick_addr(g, 16), 2))
        return false;
    ib->reg = reg;
    need_mem32(g, ea_of(g), (r32(&g->rng) & 0xFFFF0000u) | sel, 4);
    return true;
}

static bool kind_bound(struct g *g)
{
    struct ib *ib = &g->ib;
    ib->reg = (uint8_t)rn(&g->rng, 8);
    uint8_t reg = ib->reg;
    if (!mem_operand(g, pick_addr(g, 16), 8))
        return false;
    ib->reg = reg;
    int32_t v = g->o16 ? (int16_t)g->r[reg] : (int32_t)g->r[reg];
    int32_t lo, hi;
    if (coin(&g->rng, 60)) {
        lo = v - (int32_t)rn(&g->rng, 3);
        hi = v + (int32_t)rn(&g->rng, 3);
    } else {
        lo = (int32_t)rvalue(&g->rng);
        hi = (int32_t)rvalue(&g->rng);
    }
    uint8_t b[8];
    if (g->o16) {
        uint16_t l = (uint16_t)lo, h = (uint16_t)hi;
        memcpy(b, &l, 2);
        memcpy(b + 2, &h, 2);
        need_mem(g, ea_of(g), b, 4);
    } else {
        memcpy(b, &lo, 4);
        memcpy(b + 4, &hi, 4);
        need_mem(g, ea_of(g), b, 8);
    }
    return true;
}

static bool kind_popf(struct g *g)
{
    ensure_esp(g);
    uint32_t v = r32(&g->rng);
    if (coin(&g->rng, 70))
        v &= ~(FL_AC | FL_NT); /* keep alignment checks and NT rare */
    v &= ~FL_TF;               /* a single-step trap would end the case elsewhere */
    need_mem32(g, g->r[R_ESP], v, 4);
    return true;
}

static bool kind_stack(struct g *g)
{
    ensure_esp(g);
    return kind_generic(g, false);
}

/* ENTER: the host touches the new stack bottom (AMD: a #PF there after the pushes), so the
 * frame stays inside the stack page. */
static bool kind_enter(struct g *g)
{
    ensure_esp(g);
    need_reg(g, R_EBP, stack_lo(g) + rn(&g->rng, stack_hi(g) - stack_lo(g)));
    immediates(g);
    static const uint16_t sizes[] = { 0, 1, 4, 8, 0x10, 0x100, 0x3FF };
    static const uint8_t levels[] = { 0, 0, 1, 1, 2, 3, 4, 8, 31, 32, 33, 255 };
    g->ib.imm2 = levels[rn(&g->rng, sizeof levels)];
    g->eflags &= ~FL_AC; /* the probe is an access the SDM does not list: no #AC tests */
    uint32_t room = g->r[R_ESP] - g->data - 4 * ((g->ib.imm2 & 31) + 1) - 64;
    g->ib.imm = coin(&g->rng, 70) ? sizes[rn(&g->rng, sizeof sizes / sizeof sizes[0])] : rn(&g->rng, room);
    if (g->ib.imm > room)
        g->ib.imm = room;
    return true;
}

static bool kind_leave(struct g *g)
{
    ensure_esp(g);
    need_reg(g, R_EBP, stack_lo(g) + rn(&g->rng, stack_hi(g) - stack_lo(g)));
    return true;
}

static bool kind_xlat(struct g *g)
{
    const uint32_t mask = g->a16 ? 0xFFFFu : 0xFFFFFFFFu;
    uint32_t t = pick_addr(g, 16);
    need_reg(g, R_EBX, (g->r[R_EBX] & ~mask) | ((t - (g->r[R_EAX] & 0xFF)) & mask));
    g->fixed |= 1u << R_EAX;
    fill_mem(g, t);
    return true;
}

static bool kind_moffs(struct g *g)
{
    immediates(g);
    uint32_t t = pick_addr(g, 16);
    g->ib.imm = t;
    fill_mem(g, t);
    return true;
}

static bool make_insn(struct g *g)
{
    switch (g->f->kind) {
    case K_GENERIC: case K_PRIV: case K_UD: return kind_generic(g, false);
    case K_NOACCESS: return kind_generic(g, true);
    case K_DIV: return kind_div(g);
    case K_SHIFT: case K_DSHIFT: return kind_shift(g);
    case K_BT_REG: return kind_bt_reg(g);
    case K_STRING: return kind_string(g);
    case K_JREL: case K_LOOP: return kind_jrel(g);
    case K_JIND: return kind_jind(g);
    case K_RET: return kind_ret(g);
    case K_SREG: return kind_sreg(g);
    case K_FARPTR: return kind_farptr(g);
    case K_INT: return kind_int(g);
    case K_FAR: return kind_far(g);
    case K_DESC: return kind_desc(g);
    case K_BOUND: return kind_bound(g);
    case K_POPF: return kind_popf(g);
    case K_STACK: return kind_stack(g);
    case K_ENTER: return kind_enter(g);
    case K_LEAVE: return kind_leave(g);
    case K_XLAT: return kind_xlat(g);
    case K_MOFFS: return kind_moffs(g);
    default: return false;
    }
}

/* Prefixes: the form's operand and address size, then at random a segment override, LOCK,
 * a repeat prefix where it means nothing on later processors either, and now and then so
 * many that the instruction passes 15 bytes. In random order. */
static void prefixes(struct g *g)
{
    const struct form *f = g->f;
    struct ib *ib = &g->ib;
    uint8_t p[16];
    unsigned n = 0;
    if (g->o16)
        p[n++] = 0x66;
    if (g->a16)
        p[n++] = 0x67;
    static const uint8_t segs[] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 };
    if (coin(&g->rng, 20))
        p[n++] = segs[rn(&g->rng, 6)];
    if (coin(&g->rng, 2))
        p[n++] = segs[rn(&g->rng, 6)];
    bool lockable = f->d && (f->d->flags & OPF_LOCK) && (f->mem == M_A32 || f->mem == M_A16);
    /* No LOCK where the host differs from the SDM: it ignores LOCK on VERW with a memory
     * operand (SDM: #UD), and AMD reads LOCK MOV CR0 as MOV CR8 (#GP at CPL 3, SDM: #UD). */
    bool lock_ok = !(f->op == 0x100 && f->reg == 5) && !(f->op >= 0x120 && f->op <= 0x123);
    if (lockable ? coin(&g->rng, 40) : lock_ok && coin(&g->rng, 2))
        p[n++] = 0xF0;
    /* REP on other instructions is reserved (SDM Vol. 2A §2.1.1) and does odd things on
     * the host (F2 LOOPE branches on ZF = 0): only the string forms get one. */
    if (f->rep)
        p[n++] = f->rep;
    for (unsigned i = n; i > 1; i--) {
        unsigned j = rn(&g->rng, i);
        uint8_t t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
    }
    if (coin(&g->rng, 1)) {
        unsigned extra = 8 + rn(&g->rng, 8);
        uint8_t q[16];
        unsigned k = 0;
        for (unsigned i = 0; i < extra && k < 16; i++)
            q[k++] = 0x3E;
        for (unsigned i = 0; i < n && k < 16; i++)
            q[k++] = p[i];
        memcpy(p, q, k);
        n = k;
    }
    memcpy(ib->pfx, p, n);
    ib->npfx = n;
}

/* The relative branch's displacement, now that the instruction's address is known. */
static void fix_rel(struct g *g, uint32_t pc)
{
    struct ib *ib = &g->ib;
    unsigned len = encode(ib, (uint8_t[32]){ 0 });
    uint32_t end = pc + len;
    uint32_t t = end;
    bool short8 = ib->ilen == 1;
    if (!coin(&g->rng, 15)) {
        for (unsigned tries = 0; tries < 32; tries++) {
            uint32_t c;
            if (short8)
                c = end + (uint32_t)(int32_t)(int8_t)r32(&g->rng);
            else
                c = far_target(g);
            if (c < g->code_lo || c >= g->code_hi || (g->o16 && c > 0xFFFF))
                continue;
            if (c >= g->start && c < end + ORACLE_EXIT_LEN)
                continue;
            t = c;
            break;
        }
    }
    uint32_t rel = t - end;
    ib->imm = ib->ilen == 1 ? (rel & 0xFF) : ib->ilen == 2 ? (rel & 0xFFFF) : rel;
}

/* ---- making instructions and running them ---- */

static void g_init(struct g *g, struct gen *gen, uint64_t stream)
{
    memset(g, 0, sizeof *g);
    g->rng.s = gen->seed * 0x2545F4914F6CDD1Dull ^ stream;
    rnext(&g->rng);
    g->gen = gen;
    g->data = gen->emu->data_base;
    g->code_lo = gen->emu->code_base;
    g->code_hi = gen->emu->code_base + gen->emu->code_size;
}

/* Random initial registers (ESP in the stack page) and EFLAGS (arithmetic flags and DF;
 * AC, NT and ID now and then). */
static void random_state(struct g *g, struct oracle_case *c)
{
    for (int i = 0; i < 8; i++)
        c->regs[i] = rvalue(&g->rng);
    c->regs[R_ESP] = stack_lo(g) + rn(&g->rng, stack_hi(g) - stack_lo(g));
    if (coin(&g->rng, 10))
        c->regs[R_ESP] &= ~3u;
    uint32_t fl = 0x202 | (r32(&g->rng) & (FL_ARITH | FL_DF));
    if (coin(&g->rng, 20))
        fl &= ~FL_DF;
    if (coin(&g->rng, 3))
        fl |= FL_AC;
    if (coin(&g->rng, 3))
        fl |= FL_NT;
    if (coin(&g->rng, 10))
        fl |= FL_ID;
    c->eflags = fl;
    c->code_addr = g->code_lo + 0x400 + rn(&g->rng, g->code_hi - g->code_lo - 0x800 - ORACLE_MAX_CODE);
    c->code_len = 0;
    c->npatch = 0;
}

/* Makes one instruction of form f at the end of c's code. MOVs that set up its registers
 * and memory come first when the case already runs (not initial). Returns false when it
 * cannot be made (the caller tries again) or does not fit. */
static bool emit(struct g *g, const struct form *f, struct oracle_case *c, bool initial,
                 const uint32_t *regs, uint32_t eflags, uint32_t *insn_at)
{
    g->f = f;
    g->initial = initial;
    memcpy(g->r, regs, sizeof g->r);
    g->eflags = eflags;
    g->fixed = 1u << R_ESP;
    g->req = 0;
    g->nmq = 0;
    g->failed = false;
    g->rel = false;
    g->start = c->code_addr;
    memset(&g->ib, 0, sizeof g->ib);
    g->ib.op = f->op;
    g->o16 = f->size == 16 || (f->size == 0 && coin(&g->rng, 15));
    g->a16 = f->mem == M_A16 || (f->mem == M_REG && coin(&g->rng, 5)) ||
             (f->mem == M_NONE && coin(&g->rng, 5));
    if (!make_insn(g) || g->failed)
        return false;
    prefixes(g);

    uint8_t buf[64];
    unsigned n = 0;
    if (initial) {
        for (int i = 0; i < 8; i++)
            c->regs[i] = g->r[i];
        c->eflags = g->eflags;
        for (unsigned i = 0; i < g->nmq; i++) {
            if (c->npatch == ORACLE_MAX_PATCH)
                return false;
            struct oracle_patch *p = &c->patch[c->npatch++];
            p->off = (uint16_t)(g->mq[i].addr - g->data);
            p->len = g->mq[i].len;
            memcpy(p->bytes, g->mq[i].b, p->len);
        }
    } else {
        /* mov reg, imm32 */
        for (unsigned r = 0; r < 8; r++) {
            if (!(g->req & (1u << r)))
                continue;
            buf[n++] = (uint8_t)(0xB8 + r);
            memcpy(buf + n, &g->r[r], 4);
            n += 4;
        }
        /* mov dword ss:[abs32], imm32, four bytes at a time */
        for (unsigned i = 0; i < g->nmq; i++) {
            for (unsigned k = 0; k < g->mq[i].len; k += 4) {
                if (n + 11 > sizeof buf - 16)
                    return false;
                uint32_t a = g->mq[i].addr + k, v = r32(&g->rng);
                memcpy(&v, g->mq[i].b + k, g->mq[i].len - k < 4 ? g->mq[i].len - k : 4);
                buf[n++] = 0x36;
                buf[n++] = 0xC7;
                buf[n++] = 0x05;
                memcpy(buf + n, &a, 4);
                memcpy(buf + n + 4, &v, 4);
                n += 8;
            }
        }
    }
    uint32_t pc = c->code_addr + c->code_len + n;
    if (g->rel)
        fix_rel(g, pc);
    unsigned len = encode(&g->ib, buf + n);
    if (c->code_len + n + len > ORACLE_MAX_CODE)
        return false;
    memcpy(c->code + c->code_len, buf, n + len);
    *insn_at = pc;
    c->code_len += n + len;
    return true;
}

/* The masked count of a shift or rotate: its imm8 (the last byte), 1, or CL. */
static unsigned shift_count(const struct form *f, const struct cpu *before, const uint8_t *code,
                            uint32_t len)
{
    unsigned op = f->op;
    if (op == 0xD0 || op == 0xD1)
        return 1;
    if (op == 0xD2 || op == 0xD3 || op == 0x1A5 || op == 0x1AD)
        return before->r[R_ECX] & 0x1F;
    return code[len - 1] & 0x1F;
}

/* Flags an instruction leaves undefined, from the table's rules and its count; sets
 * *undef_result when its destination is undefined too. */
static uint32_t undefined_flags(const struct form *f, const struct cpu *before, const uint8_t *code,
                                uint32_t len, bool *undef_result)
{
    *undef_result = false;
    if (!f->d)
        return 0;
    uint32_t u = OPDESC_UNDEF(f->d);
    if (!(f->d->flags & OPF_COUNTED))
        return u;
    unsigned op = f->op, count = shift_count(f, before, code, len);
    if (count == 0)
        return 0;
    if (count == 1)
        u &= ~FL_OF;
    bool o16 = false;
    for (unsigned i = 0; i < len && i < 15; i++) {
        if (code[i] == 0x66)
            o16 = true;
        else if (code[i] != 0x67 && code[i] != 0xF0 && code[i] != 0xF2 && code[i] != 0xF3 &&
                 code[i] != 0x26 && code[i] != 0x2E && code[i] != 0x36 && code[i] != 0x3E &&
                 code[i] != 0x64 && code[i] != 0x65)
            break;
    }
    unsigned bits = (op == 0xC0 || op == 0xD0 || op == 0xD2) ? 8 : o16 ? 16 : 32;
    if ((f->d->flags & OPF_CF_WIDE) && count >= bits)
        u |= FL_CF;
    if ((f->d->flags & OPF_OVERSIZE) && count > bits) {
        u = FL_ARITH;
        *undef_result = true;
    }
    return u;
}

/* Flags the instruction writes, given the state before it (nothing for a zero count). */
static uint32_t written_flags(const struct form *f, const struct cpu *before, const uint8_t *code,
                              uint32_t len)
{
    if (f->d && (f->d->flags & OPF_COUNTED) && shift_count(f, before, code, len) == 0)
        return 0;
    if (f->kind == K_STRING && f->rep) {
        bool a16 = false;
        for (unsigned i = 0; i < len; i++)
            if (code[i] == 0x67)
                a16 = true;
        if ((before->r[R_ECX] & (a16 ? 0xFFFFu : 0xFFFFFFFFu)) == 0)
            return 0;
    }
    return f->flags_written;
}

/* Runs the instruction at [at, at + len) of the case on orrery (the setup MOVs before it
 * first). Updates the taint (flags left undefined); false when the instruction may not
 * be part of the case. *ended: control left the case or an exception was taken. */
static bool run_insn(struct gen *gen, const struct form *f, const struct oracle_case *c, uint32_t at,
                     uint32_t *taint, bool *ended)
{
    struct emu *e = gen->emu;
    struct cpu *cpu = &e->cpu;
    const uint32_t end = c->code_addr + c->code_len;
    *ended = false;
    while (cpu->eip < at) {
        if (emu_step(e) || e->oob) {
            *ended = true;
            return !e->oob;
        }
    }
    const uint8_t *code = c->code + (at - c->code_addr);
    uint32_t len = end - at;
    struct cpu before = *cpu;
    uint32_t rd = f->flags_read;
    if (rd & *taint)
        return false;
    if (f->kind == K_FAR && (cpu->eflags & FL_NT))
        return false; /* IRET with NT: a task return on the P6, #GP in the host's mode */
    if (f->kind == K_ENTER && (cpu->eflags & FL_AC))
        return false; /* ENTER's probe of the new stack bottom: #AC on the host */
    bool undef_result;
    uint32_t u = undefined_flags(f, &before, code, len, &undef_result);
    if (undef_result)
        return false;
    bool exc = emu_step(e);
    while (!exc && !e->oob && cpu->eip == at && cpu->icount < before.icount + 64)
        exc = emu_step(e); /* a REP string instruction continuing */
    if (e->oob)
        return false;
    if (exc || cpu->eip != end) {
        *ended = true;
        if (exc)
            return true;
    }
    uint32_t w = written_flags(f, &before, code, len);
    *taint = (*taint & ~w) | u;
    return true;
}

void gen_single(struct gen *g0, uint64_t index, struct pcase *pc)
{
    struct forms *fs = g0->fs;
    struct g g;
    g_init(&g, g0, index * 2);
    unsigned fi = fs->live[rn(&g.rng, fs->nlive)];
    const struct form *f = &fs->f[fi];
    pc->form = (int)fi;
    pc->ninsn = 1;
    pc->index = index;
    pc->skip = false;
    pc->undef_reg = 0xFF;
    pc->undef_bits = 0;
    struct oracle_case *c = &pc->c;
    for (unsigned attempt = 0; attempt < 256; attempt++) {
        random_state(&g, c);
        uint32_t at;
        if (!emit(&g, f, c, true, c->regs, c->eflags, &at)) {
            g0->rejected++;
            fs->f[fi].rejects++;
            continue;
        }
        emu_begin(g0->emu, c);
        uint32_t taint = 0;
        bool ended;
        bool ok = run_insn(g0, f, c, at, &taint, &ended);
        emu_finish(g0->emu, c, &pc->want);
        if (!ok) {
            g0->rejected++;
            fs->f[fi].rejects++;
            continue;
        }
        pc->flags_mask = ORACLE_FLAGS_COMPARED & ~taint;
        /* LAR with a 32-bit operand: bits 19:16 of the result are undefined (SDM Vol. 2A
         * "LAR": the descriptor is masked by 00FxFF00H); the host returns the limit bits. */
        if (f->op == 0x102 && !g.o16) {
            pc->undef_reg = g.ib.reg;
            pc->undef_bits = 0x000F0000u;
        }
        return;
    }
    /* The form could not be made valid: a NOP stands in, and the case is not counted. */
    pc->skip = true;
    random_state(&g, c);
    c->code[0] = 0x90;
    c->code_len = 1;
    emu_begin(g0->emu, c);
    emu_step(g0->emu);
    emu_finish(g0->emu, c, &pc->want);
    pc->flags_mask = ORACLE_FLAGS_COMPARED;
}

void gen_sequence(struct gen *g0, uint64_t index, struct pcase *pc)
{
    struct forms *fs = g0->fs;
    struct emu *e = g0->emu;
    struct g g;
    g_init(&g, g0, index * 2 + 1);
    struct oracle_case *c = &pc->c;
    unsigned want = 2 + rn(&g.rng, 15);
    random_state(&g, c);
    uint32_t taint = 0;
    unsigned n = 0;
    static uint8_t saved_data[ORACLE_DATA_SIZE];

    emu_begin(e, c);
    for (unsigned k = 0; k < want && n < want; k++) {
        bool accepted = false, ended = false;
        struct cpu saved = e->cpu;
        struct oracle_case saved_case = *c;
        uint32_t saved_taint = taint;
        memcpy(saved_data, e->data, ORACLE_DATA_SIZE);
        for (unsigned attempt = 0; attempt < 8 && !accepted; attempt++) {
            if (attempt) {
                e->cpu = saved;
                memcpy(e->data, saved_data, ORACLE_DATA_SIZE);
                memset(e->code + (saved_case.code_addr - e->code_base) + saved_case.code_len,
                       ORACLE_INT3, c->code_len - saved_case.code_len);
                *c = saved_case;
                taint = saved_taint;
                g0->rejected++;
            }
            bool last = k + 1 == want || coin(&g.rng, 8);
            unsigned fi = last && coin(&g.rng, 50) ? fs->seq_end[rn(&g.rng, fs->nseq_end)]
                                                   : fs->seq_live[rn(&g.rng, fs->nseq_live)];
            const struct form *f = &fs->f[fi];
            uint32_t at;
            bool initial = n == 0;
            uint32_t regs[8];
            memcpy(regs, initial ? c->regs : e->cpu.r, sizeof regs);
            uint32_t fl = initial ? c->eflags : cpu_get_eflags(&e->cpu);
            uint32_t len0 = c->code_len;
            if (!emit(&g, f, c, initial, regs, fl, &at))
                continue;
            if (initial) {
                /* the requirements changed the initial state: start over from it */
                emu_finish(e, c, &pc->want);
                emu_begin(e, c);
            } else {
                memcpy(e->code + (c->code_addr - e->code_base) + len0, c->code + len0,
                       c->code_len - len0);
            }
            if (!run_insn(g0, f, c, at, &taint, &ended))
                continue;
            accepted = true;
        }
        if (!accepted) {
            e->cpu = saved;
            memcpy(e->data, saved_data, ORACLE_DATA_SIZE);
            memset(e->code + (saved_case.code_addr - e->code_base) + saved_case.code_len,
                   ORACLE_INT3, c->code_len - saved_case.code_len);
            *c = saved_case;
            taint = saved_taint;
            break;
        }
        n++;
        if (ended)
            break;
    }
    if (n == 0) {
        /* nothing could be made: an empty case (a NOP) */
        c->code[0] = 0x90;
        c->code_len = 1;
        emu_finish(e, c, &pc->want);
        emu_begin(e, c);
        emu_step(e);
        n = 1;
    }
    emu_finish(e, c, &pc->want);
    pc->flags_mask = ORACLE_FLAGS_COMPARED & ~taint;
    pc->form = -1;
    pc->ninsn = n;
    pc->index = index;
    pc->skip = false;
    pc->undef_reg = 0xFF;
    pc->undef_bits = 0;
}
