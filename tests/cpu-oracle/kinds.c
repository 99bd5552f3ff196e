/* One generator per kind of form (enum gen_kind, forms.c): what its operands must be for
 * the case to run inside the regions and to say something (gen_int.h). */
#include <string.h>

#include "gen_int.h"

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
    if (modrm) {
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
    if (coin(&g->rng, g->calm ? 1 : 10))
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
    if (coin(&g->rng, g->calm ? 5 : 30) || dv == 0 || (g->fixed & ((1u << R_EAX) | (1u << R_EDX))))
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
/* A selector for a segment register load. A flat case never loads SS with the LDT
 * segment: the child's exit path stores through SS. */
static uint16_t load_selector(struct g *g, bool ss)
{
    uint16_t sel = pick_selector(g);
    if (coin(&g->rng, 5))
        sel = ORACLE_LDT_SEL;
    if (ss && g->flat && sel == ORACLE_LDT_SEL)
        sel = ORACLE_USER_DS;
    return sel;
}

static bool kind_sreg(struct g *g)
{
    unsigned op = g->f->op;
    uint16_t sel = load_selector(g, op == 0x17);
    if (op != 0x8E) {
        ensure_esp(g);
        need_mem32(g, g->r[R_ESP], (r32(&g->rng) & 0xFFFF0000u) | sel, 4);
        return true;
    }
    struct ib *ib = &g->ib;
    static const uint8_t sregs[] = { 0, 2, 3, 4, 5, 0, 3, 4, 5 };
    uint8_t reg = coin(&g->rng, 92) ? sregs[rn(&g->rng, sizeof sregs)] : (uint8_t)rn(&g->rng, 8);
    if (reg == S_SS)
        sel = load_selector(g, true);
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
    uint16_t sel = g->f->op == 0x1B2 && coin(&g->rng, 70) ? ORACLE_USER_DS
                                                          : load_selector(g, g->f->op == 0x1B2);
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
    /* bounds around the index half the time (wrapping at the ends of the signed range) */
    uint32_t v = g->o16 ? (uint32_t)(int32_t)(int16_t)g->r[reg] : g->r[reg];
    uint32_t lo, hi;
    if (coin(&g->rng, 60)) {
        lo = v - rn(&g->rng, 3);
        hi = v + rn(&g->rng, 3);
    } else {
        lo = rvalue(&g->rng);
        hi = rvalue(&g->rng);
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
    if (coin(&g->rng, g->calm ? 95 : 70))
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

/* ENTER: the host (and orrery's P6) probe a write at the final stack pointer after the
 * pushes; the oracle's orrery has no paging, so frame and final ESP stay inside the stack
 * page. The probe's #AC (misaligned final ESP, operand-size write) is compared. */
static bool kind_enter(struct g *g)
{
    ensure_esp(g);
    need_reg(g, R_EBP, stack_lo(g) + rn(&g->rng, stack_hi(g) - stack_lo(g)));
    immediates(g);
    static const uint16_t sizes[] = { 0, 1, 4, 8, 0x10, 0x100, 0x3FF };
    static const uint8_t levels[] = { 0, 0, 1, 1, 2, 3, 4, 8, 31, 32, 33, 255 };
    g->ib.imm2 = levels[rn(&g->rng, sizeof levels)];
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

bool make_insn(struct g *g)
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
