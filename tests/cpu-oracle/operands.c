/* The generator's operands (gen_int.h): values with edges, instruction bytes, requirements
 * on registers and memory, the memory operand solver, immediates, branch targets,
 * selectors, prefixes. gen.c turns the requirements into the case's initial state, or
 * into MOVs before the instruction inside a sequence. */
#include <string.h>

#include "gen_int.h"

static const uint32_t edges[] = {
    0, 1, 2, 3, 7, 8, 9, 0x0A, 0x0F, 0x10, 0x11, 0x1F, 0x20, 0x21, 0x3F, 0x40, 0x7F, 0x80,
    0x81, 0x99, 0x9A, 0xF9, 0xFA, 0xFE, 0xFF, 0x100, 0x101, 0x7FFF, 0x8000, 0x8001, 0xFFFE,
    0xFFFF, 0x10000, 0x10001, 0x7FFFFFFF, 0x80000000u, 0x80000001u, 0xFFFFFFFFu, 0xFFFFFFFEu,
    0xFFFFFF80u, 0xFFFFFF7Fu, 0xFFFF8000u, 0xFFFF7FFFu, 0x55555555u, 0xAAAAAAAAu, 0x0F0F0F0Fu,
    0x00FF00FFu, 0x12345678u,
};

/* A value for a register, memory operand or immediate: random, an edge value, small, or an
 * edge value in the low bits under random high bits. */
uint32_t rvalue(struct rng *r)
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

unsigned encode(const struct ib *ib, uint8_t *o)
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

void need_reg(struct g *g, unsigned reg, uint32_t v)
{
    g->r[reg] = v;
    g->fixed |= (uint8_t)(1u << reg);
    g->req |= (uint8_t)(1u << reg);
}

void need_mem(struct g *g, uint32_t addr, const void *bytes, unsigned len)
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

void need_mem32(struct g *g, uint32_t addr, uint32_t v, unsigned len)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    need_mem(g, addr, b, len);
}

/* Random operand bytes at addr (only where they become a patch: later in a sequence the
 * memory holds whatever earlier instructions left). */
void fill_mem(struct g *g, uint32_t addr)
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

uint32_t stack_lo(const struct g *g) { return g->data + ORACLE_STACK_OFF + 0x100; }
uint32_t stack_hi(const struct g *g) { return g->data + ORACLE_DATA_SIZE - 0x100; }

/* ESP where pushes and pops stay inside the stack page. */
void ensure_esp(struct g *g)
{
    uint32_t sp = g->r[R_ESP];
    if (sp < stack_lo(g) || sp > stack_hi(g))
        need_reg(g, R_ESP, stack_lo(g) + rn(&g->rng, stack_hi(g) - stack_lo(g)));
    g->fixed |= 1u << R_ESP;
}

/* An address for a memory operand of up to 16 bytes, anywhere in the data region. */
uint32_t pick_addr(struct g *g, uint32_t margin)
{
    return g->data + margin + rn(&g->rng, ORACLE_DATA_SIZE - 2 * margin - 16);
}

bool in_data(const struct g *g, uint32_t a, uint32_t len)
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
bool mem_operand(struct g *g, uint32_t t, unsigned span)
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
void mem_operand_free(struct g *g)
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
bool rm_operand(struct g *g, unsigned span)
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
uint32_t ea_of(const struct g *g)
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

uint32_t imm_of_size(struct g *g, unsigned len)
{
    uint32_t v = rvalue(&g->rng);
    return len == 1 ? (v & 0xFF) : len == 2 ? (v & 0xFFFF) : v;
}

void immediates(struct g *g)
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

/* A branch target in the code region outside the case. A 16-bit one when the code region
 * lies above 64 KiB goes anywhere below it: nothing is mapped there on the host, whose
 * instruction fetch faults at the target, which the child takes as the end of the case. */
uint32_t far_target(struct g *g)
{
    const uint32_t lo = g->start, hi = g->start + ORACLE_MAX_CODE + ORACLE_EXIT_LEN;
    if (g->o16 && g->code_lo > 0xFFFF)
        return rn(&g->rng, 0x10000);
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

uint16_t pick_selector(struct g *g)
{
    if (g->calm && coin(&g->rng, 80))
        return g->flat ? ORACLE_USER_DS : ORACLE_LDT_SEL;
    return selectors[rn(&g->rng, sizeof selectors / sizeof selectors[0])];
}

/* Prefixes: the form's operand and address size, then at random a segment override and
 * LOCK (a repeat prefix only for string forms), and now and then so many that the
 * instruction passes 15 bytes. In random order. */
void prefixes(struct g *g)
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
    const unsigned nseg = g->calm ? 4 : 6; /* calm: no CS (not writable), FS or GS */
    static const uint8_t calm_segs[] = { 0x26, 0x36, 0x3E, 0x3E };
    if (coin(&g->rng, 20))
        p[n++] = g->calm ? calm_segs[rn(&g->rng, nseg)] : segs[rn(&g->rng, nseg)];
    if (coin(&g->rng, 2))
        p[n++] = g->calm ? calm_segs[rn(&g->rng, nseg)] : segs[rn(&g->rng, nseg)];
    bool lockable = f->d && (f->d->flags & OPF_LOCK) && (f->mem == M_A32 || f->mem == M_A16);
    /* No LOCK where the host differs from the SDM: it ignores LOCK on VERW with a memory
     * operand (SDM: #UD), and AMD reads LOCK MOV CR0 as MOV CR8 (#GP at CPL 3, SDM: #UD). */
    bool lock_ok = !(f->op == 0x100 && f->reg == 5) && !(f->op >= 0x120 && f->op <= 0x123);
    if (lockable ? coin(&g->rng, 40) : lock_ok && coin(&g->rng, 2) && (!g->calm || coin(&g->rng, 10)))
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
    /* Not for UD0: newer processors read a ModRM after 0F FF and older ones do not (SDM
     * Vol. 2B "UD"), so past 15 bytes one raises #GP and the other #UD. */
    if (coin(&g->rng, 1) && (!g->calm || coin(&g->rng, 10)) && f->op != 0x1FF) {
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

void fix_rel(struct g *g, uint32_t pc)
{
    struct ib *ib = &g->ib;
    unsigned len = encode(ib, (uint8_t[32]){ 0 });
    uint32_t end = pc + len;
    uint32_t t = end;
    bool short8 = ib->ilen == 1;
    if (g->o16 && g->code_lo > 0xFFFF) {
        /* a taken branch truncates EIP to 16 bits: out of the code region whatever rel is */
        ib->imm = r32(&g->rng) & (ib->ilen == 1 ? 0xFF : 0xFFFF);
        return;
    }
    /* Inside a sequence, half the branches go to the next instruction whether taken or not,
     * so that the sequence goes on. */
    if (!coin(&g->rng, g->initial ? 15 : 50)) {
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

