/* The case generator (gen.h): cases and sequences, run on orrery as they are made.
 *
 * kinds.c makes an instruction of a form with requirements on registers and memory. For
 * the first instruction of a case the requirements become the case's initial registers
 * and memory patches; later in a sequence they become MOV instructions placed before it.
 * Orrery runs each instruction as soon as it is made; an instruction that reads a flag an
 * earlier one left undefined, or whose result is undefined, is made again. */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/* ---- making instructions and running them ---- */

static void g_init(struct g *g, struct gen *gen, uint64_t stream)
{
    memset(g, 0, sizeof *g);
    g->rng.s = gen->seed * 0x2545F4914F6CDD1Dull ^ stream;
    rnext(&g->rng);
    g->gen = gen;
    g->data = gen->emu->data_base;
    g->flat = true;
    g->code_lo = gen->emu->code_base;
    g->code_hi = gen->emu->code_base + gen->emu->code_size;
}

/* Random initial registers (ESP in the stack page) and EFLAGS (arithmetic flags and DF;
 * AC, NT and ID now and then), and the data segments: flat, or (one case in ten, and 16-bit
 * addressing when the flat region is out of its reach) the LDT segment based at the data
 * region, whose offsets then start at 0. */
static void random_state(struct g *g, struct oracle_case *c, bool need_low16)
{
    bool ldt = g->gen->ldt && ((need_low16 && !g->gen->low) || coin(&g->rng, 10));
    g->flat = !ldt;
    g->data = ldt ? 0 : g->gen->emu->data_base;
    c->data_sel = ldt ? ORACLE_LDT_SEL : ORACLE_USER_DS;
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
    if (f->mem == M_A16 && f->kind != K_LOOP && g->flat && !g->gen->low)
        return false; /* 16-bit addresses cannot reach the flat region */
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
uint32_t undefined_flags(const struct form *f, const struct cpu *before, const uint8_t *code,
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
    if ((is_push_sreg(f->op) || f->kind == K_SREG) && f->op != 0x8E && f->size != 16 &&
        (cpu->eflags & FL_AC)) {
        /* PUSH/POP of a segment register with a 32-bit operand size: a processor that moves
         * 16 bits (gen_single) checks the alignment of 2 bytes, one that moves 32 bits of 4. */
        uint32_t a = cpu->r[R_ESP] - (is_push_sreg(f->op) ? 4 : 0);
        if ((a & 3) == 2)
            return false;
    }
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
        if (exc) {
            /* A selector of the host's own GDT entries 10-15 (LDT, TLS, per-CPU), which
             * orrery's GDT leaves empty: a register may hold any value in a sequence. */
            uint32_t v, err;
            emu_exception(e, &v, &err);
            return !(v >= EXC_TS && v <= EXC_GP && !(err & 4) && (err >> 3) >= 10 && (err >> 3) <= 15);
        }
    }
    /* The host kernel takes an ESP inside the child's signal stack for "already on it" and
     * kills the child when a signal ends the case (any 32-bit value may come up). */
    uint32_t sp = cpu->r[R_ESP];
    if (sp >= gen->sigstack_lo - 0x1000 && sp < gen->sigstack_hi + 0x1000)
        return false;
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
    pc->undef_mem_len = 0;
    struct oracle_case *c = &pc->c;
    const bool low16 = f->mem == M_A16 && f->kind != K_LOOP;
    for (unsigned attempt = 0; attempt < 256; attempt++) {
        random_state(&g, c, low16);
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
        /* PUSH of a segment register with a 32-bit operand size: "either a zero-extended
         * value is pushed on the stack or the segment selector is written on the stack
         * using a 16-bit move" (SDM Vol. 2B "PUSH"). Intel's recent processors leave the
         * upper half of the slot as it was, AMD's write zeros: compare only the selector. */
        if (is_push_sreg(f->op) && !g.o16 && pc->want.end == ORACLE_END_NORMAL) {
            uint32_t ss_base = c->data_sel == ORACLE_LDT_SEL ? g.data : 0;
            uint32_t off = ss_base + pc->want.regs[R_ESP] + 2 - g.data;
            if (off + 2 <= ORACLE_DATA_SIZE) {
                pc->undef_mem_off = (uint16_t)off;
                pc->undef_mem_len = 2;
            }
        }
        return;
    }
    /* The form could not be made valid: a NOP stands in, and the case is not counted. */
    pc->skip = true;
    random_state(&g, c, false);
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
    random_state(&g, c, false);
    g.calm = true;
    uint32_t taint = 0;
    unsigned n = 0;
    static struct emu_snap saved;

    emu_begin(e, c);
    for (unsigned k = 0; k < want && n < want; k++) {
        bool accepted = false, ended = false;
        emu_save(e, &saved);
        struct oracle_case saved_case = *c;
        uint32_t saved_taint = taint;
        for (unsigned attempt = 0; attempt < 8 && !accepted; attempt++) {
            if (attempt) {
                emu_restore(e, &saved);
                memset(e->code + (saved_case.code_addr - e->code_base) + saved_case.code_len,
                       ORACLE_INT3, c->code_len - saved_case.code_len);
                *c = saved_case;
                taint = saved_taint;
                g0->rejected++;
            }
            bool last = k + 1 == want || coin(&g.rng, 3);
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
            emu_restore(e, &saved);
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
    pc->undef_mem_len = 0;
}
