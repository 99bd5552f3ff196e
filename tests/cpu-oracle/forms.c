/* The forms the oracle generates, read from orrery's opcode table (cpu/opcodes.def through
 * opcode_row), with the generator kind of each and, for those it leaves out, the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* Why a form is left out (printed in the report). */
static const char *const WHY_X87 = "x87: the FPU oracle's business, not this one";
static const char *const WHY_MMX = "MMX and FXSAVE/FXRSTOR: the FPU oracle's business (with 0x66 "
                                   "the host runs SSE2 instead, which a P6 does not have)";
static const char *const WHY_CPUID = "reports the host processor's identity and features";
static const char *const WHY_TSC = "reads the host's time-stamp counter";
static const char *const WHY_PMC = "depends on the host's CR4.PCE and performance counters";
static const char *const WHY_SYSENTER = "a system call on the host";
static const char *const WHY_UMIP = "UMIP: the host kernel faults or emulates it with dummy values";
static const char *const WHY_0F01 = "0F 01 with mod = 3 encodes other instructions on later processors";
static const char *const WHY_VEX = "mod = 3 makes it a VEX/EVEX prefix on later processors";
static const char *const WHY_BSWAP16 = "undefined result (SDM Vol. 2A BSWAP: 16-bit operand)";
static const char *const WHY_INT1 =
    "the host (AMD under a hypervisor) reports INT1's #DB at the instruction, not after it "
    "(SDM Vol. 3A §17.3.1: a trap)";
static const char *const WHY_LOW =
    "16-bit addresses cannot reach the data region (host vm.mmap_min_addr > 4096, no modify_ldt)";

/* The arithmetic flags a form reads and writes (SDM Vol. 2, "Flags Affected"; Vol. 1
 * Table B-1 for the conditions). A sequence may not read a flag an earlier instruction left
 * undefined; writing a flag makes it defined again. */
static void flag_use(unsigned op, const char *mn, uint32_t *rd, uint32_t *wr)
{
    static const uint32_t cc_reads[8] = {
        FL_OF, FL_CF, FL_ZF, FL_CF | FL_ZF, FL_SF, FL_PF, FL_SF | FL_OF, FL_ZF | FL_SF | FL_OF,
    };
    static const char *const all6[] = {
        "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "neg", "cmpxchg", "xadd",
        "cmpsb", "cmpsw", "scasb", "scasw", "mul", "imul", "div", "idiv", "daa", "das", "aaa",
        "aas", "aam", "aad", "bsf", "bsr", "shl", "sal", "shr", "sar", "shld", "shrd", "popf",
        "iret",
    };
    *rd = *wr = 0;
    for (size_t i = 0; i < sizeof all6 / sizeof all6[0]; i++)
        if (strcmp(mn, all6[i]) == 0)
            *wr = FL_ARITH;
    if (!strcmp(mn, "inc") || !strcmp(mn, "dec"))
        *wr = FL_ARITH & ~FL_CF;
    else if (!strcmp(mn, "rol") || !strcmp(mn, "ror") || !strcmp(mn, "rcl") || !strcmp(mn, "rcr"))
        *wr = FL_CF | FL_OF;
    else if (!strcmp(mn, "bt") || !strcmp(mn, "bts") || !strcmp(mn, "btr") || !strcmp(mn, "btc"))
        *wr = FL_CF | FL_OF | FL_SF | FL_AF | FL_PF;
    else if (!strcmp(mn, "sahf"))
        *wr = FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF;
    else if (!strcmp(mn, "cmpxchg8b") || !strcmp(mn, "arpl") || !strcmp(mn, "lar") ||
             !strcmp(mn, "lsl") || !strcmp(mn, "verr") || !strcmp(mn, "verw"))
        *wr = FL_ZF;
    else if (!strcmp(mn, "clc") || !strcmp(mn, "stc") || !strcmp(mn, "cmc"))
        *wr = FL_CF;

    if (!strcmp(mn, "adc") || !strcmp(mn, "sbb") || !strcmp(mn, "rcl") || !strcmp(mn, "rcr") ||
        !strcmp(mn, "salc") || !strcmp(mn, "cmc"))
        *rd = FL_CF;
    else if (!strcmp(mn, "daa") || !strcmp(mn, "das"))
        *rd = FL_CF | FL_AF;
    else if (!strcmp(mn, "aaa") || !strcmp(mn, "aas"))
        *rd = FL_AF;
    else if (!strcmp(mn, "pushf"))
        *rd = FL_ARITH;
    else if (!strcmp(mn, "lahf"))
        *rd = FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF;
    else if (!strcmp(mn, "into"))
        *rd = FL_OF;
    else if (!strcmp(mn, "loope") || !strcmp(mn, "loopne"))
        *rd = FL_ZF;
    else if ((op >= 0x70 && op <= 0x7F) || (op >= 0x140 && op <= 0x14F) || (op >= 0x180 && op <= 0x19F))
        *rd = cc_reads[(op >> 1) & 7];
}

static bool is_group(unsigned op)
{
    const struct opdesc *d0 = opcode_row(op, 0);
    for (unsigned r = 1; r < 8; r++) {
        const struct opdesc *d = opcode_row(op, r);
        if (d != d0 && (!d || !d0 || d->fn16 != d0->fn16 || d->fn32 != d0->fn32 ||
                        strcmp(d->mnemonic, d0->mnemonic) != 0))
            return true;
    }
    return false;
}

static bool has_modrm(const struct opdesc *d)
{
    return d->form == F_M || d->form == F_M_IB || d->form == F_M_IV;
}

/* The generator kind of a row, or K_EXCLUDED with *why. */
static int classify(unsigned op, unsigned reg, const struct opdesc *d, const char **why)
{
    const char *mn = d->mnemonic;
    if (op >= 0xD8 && op <= 0xDF) {
        *why = WHY_X87;
        return K_EXCLUDED;
    }
    if (op >= 0x100 && ((op & 0xFF) >= 0x60 && (op & 0xFF) <= 0x7F)) {
        *why = WHY_MMX;
        return K_EXCLUDED;
    }
    if (op >= 0x1D0 || op == 0x1AE) {
        *why = WHY_MMX;
        return K_EXCLUDED;
    }
    switch (op) {
    case 0x06: case 0x0E: case 0x16: case 0x1E: case 0x1A0: case 0x1A8:
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
    case 0x58: case 0x59: case 0x5A: case 0x5B: case 0x5C: case 0x5D: case 0x5E: case 0x5F:
    case 0x60: case 0x61: case 0x68: case 0x6A: case 0x8F: case 0x9C:
        return K_STACK;
    case 0x07: case 0x17: case 0x1F: case 0x1A1: case 0x1A9: case 0x8E:
        return K_SREG;
    case 0x62:
        return K_BOUND;
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
    case 0xA4: case 0xA5: case 0xA6: case 0xA7: case 0xAA: case 0xAB: case 0xAC: case 0xAD:
    case 0xAE: case 0xAF:
        return K_STRING;
    case 0x8D:
        return K_NOACCESS;
    case 0x9A: case 0xCA: case 0xCB: case 0xCF: case 0xEA:
        return K_FAR;
    case 0x9D:
        return K_POPF;
    case 0xA0: case 0xA1: case 0xA2: case 0xA3:
        return K_MOFFS;
    case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3:
        return K_SHIFT;
    case 0xC2: case 0xC3:
        return K_RET;
    case 0xC4: case 0xC5: case 0x1B2: case 0x1B4: case 0x1B5:
        return K_FARPTR;
    case 0xC8:
        return K_ENTER;
    case 0xC9:
        return K_LEAVE;
    case 0xF1:
        *why = WHY_INT1;
        return K_EXCLUDED;
    case 0xCC: case 0xCD: case 0xCE:
        return K_INT;
    case 0xD7:
        return K_XLAT;
    case 0xE0: case 0xE1: case 0xE2: case 0xE3:
        return K_LOOP;
    case 0xE8: case 0xE9: case 0xEB:
        return K_JREL;
    case 0xE4: case 0xE5: case 0xE6: case 0xE7: case 0xEC: case 0xED: case 0xEE: case 0xEF:
    case 0xF4: case 0xFA: case 0xFB:
    case 0x106: case 0x108: case 0x109: case 0x120: case 0x121: case 0x122: case 0x123:
    case 0x130: case 0x132: case 0x135:
        return K_PRIV;
    case 0x102: case 0x103:
        return K_DESC;
    case 0x1B9:
        return K_UD;
    case 0x118: case 0x119: case 0x11A: case 0x11B: case 0x11C: case 0x11D: case 0x11E:
    case 0x11F:
        return K_NOACCESS;
    case 0x131:
        *why = WHY_TSC;
        return K_EXCLUDED;
    case 0x133:
        *why = WHY_PMC;
        return K_EXCLUDED;
    case 0x134:
        *why = WHY_SYSENTER;
        return K_EXCLUDED;
    case 0x1A2:
        *why = WHY_CPUID;
        return K_EXCLUDED;
    case 0x1A4: case 0x1A5: case 0x1AC: case 0x1AD:
        return K_DSHIFT;
    case 0x1A3: case 0x1AB: case 0x1B3: case 0x1BB:
        return K_BT_REG;
    case 0x100:
        if (reg <= 1) {
            *why = WHY_UMIP;
            return K_EXCLUDED;
        }
        return reg <= 3 ? K_PRIV : K_DESC;
    case 0x101:
        if (reg == 0 || reg == 1 || reg == 4) {
            *why = WHY_UMIP;
            return K_EXCLUDED;
        }
        return K_PRIV;
    case 0xF6: case 0xF7:
        return reg >= 6 ? K_DIV : K_GENERIC;
    case 0xFF:
        if (reg == 2 || reg == 4)
            return K_JIND;
        if (reg == 3 || reg == 5)
            return K_FAR;
        if (reg == 6)
            return K_STACK;
        return K_GENERIC;
    default:
        break;
    }
    if ((op >= 0x70 && op <= 0x7F) || (op >= 0x180 && op <= 0x18F))
        return K_JREL;
    (void)mn;
    return K_GENERIC;
}

static void add(struct forms *fs, const struct form *f)
{
    fs->f = realloc(fs->f, (fs->n + 1) * sizeof *fs->f);
    if (!fs->f) {
        fprintf(stderr, "orrery-oracle: out of memory\n");
        exit(2);
    }
    fs->f[fs->n++] = *f;
}

static void name_form(struct form *f)
{
    char opc[16], grp[8] = "";
    if (f->op >= 0x100)
        snprintf(opc, sizeof opc, "0F %02X", f->op & 0xFF);
    else
        snprintf(opc, sizeof opc, "%02X", f->op);
    if (f->reg != 0xFF)
        snprintf(grp, sizeof grp, "/%u", f->reg);
    const char *size = f->size == 16 ? " o16" : f->size == 32 ? " o32" : "";
    const char *mem = f->mem == M_REG ? " reg" : f->mem == M_A32 ? " a32" : f->mem == M_A16 ? " a16" : "";
    const char *rep = f->rep == 0xF3 ? "F3 " : f->rep == 0xF2 ? "F2 " : "";
    snprintf(f->name, sizeof f->name, "%s%s%s %s%s%s", rep, opc, grp,
             f->d ? f->d->mnemonic : "ud", size, mem);
}

/* Address-size-dependent forms without ModRM: they get a16/a32 variants. */
static bool uses_asize(unsigned op)
{
    return (op >= 0x6C && op <= 0x6F) || (op >= 0xA0 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) ||
           op == 0xD7 || (op >= 0xE0 && op <= 0xE3);
}

static bool is_string(unsigned op)
{
    return (op >= 0x6C && op <= 0x6F) || (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF);
}

static void add_variants(struct forms *fs, unsigned op, unsigned reg, const struct opdesc *d,
                         bool low, bool ldt)
{
    struct form f;
    memset(&f, 0, sizeof f);
    f.d = d;
    f.op = (uint16_t)op;
    f.reg = (uint8_t)reg;
    f.first = -1;
    const char *why = NULL;
    f.kind = (uint8_t)classify(op, reg == 0xFF ? 0 : reg, d, &why);
    f.why = why;
    flag_use(op, d->mnemonic, &f.flags_read, &f.flags_written);

    /* A form per operand size when the sizes have their own handlers; otherwise a random
     * 0x66 chooses. */
    unsigned sizes[2], nsizes = 0;
    if (d->fn16 != d->fn32) {
        sizes[nsizes++] = 16;
        sizes[nsizes++] = 32;
    } else {
        sizes[nsizes++] = 0;
    }
    unsigned mems[3], nmems = 0;
    if (has_modrm(d) && !(d->flags & OPF_MODRM_REG)) {
        mems[nmems++] = M_REG;
        mems[nmems++] = M_A32;
        mems[nmems++] = M_A16;
    } else if (has_modrm(d)) {
        mems[nmems++] = M_REG;
    } else if (uses_asize(op)) {
        mems[nmems++] = M_A32;
        mems[nmems++] = M_A16;
    } else {
        mems[nmems++] = M_NONE;
    }
    unsigned reps[3] = { 0, 0xF3, 0xF2 }, nreps = is_string(op) ? 3 : 1;

    for (unsigned si = 0; si < nsizes; si++)
        for (unsigned mi = 0; mi < nmems; mi++)
            for (unsigned ri = 0; ri < nreps; ri++) {
                struct form v = f;
                v.size = (uint8_t)sizes[si];
                v.mem = (uint8_t)mems[mi];
                v.rep = (uint8_t)reps[ri];
                if (v.kind != K_EXCLUDED) {
                    if (op == 0x101 && v.mem == M_REG && reg != 6) {
                        v.kind = K_EXCLUDED;
                        v.why = WHY_0F01;
                    } else if ((op == 0x62 || op == 0xC4 || op == 0xC5) && v.mem == M_REG) {
                        v.kind = K_EXCLUDED;
                        v.why = WHY_VEX;
                    } else if (op >= 0x1C8 && op <= 0x1CF && v.size == 16) {
                        v.kind = K_EXCLUDED;
                        v.why = WHY_BSWAP16;
                    } else if (!low && v.mem == M_A16 && !ldt && v.kind != K_LOOP) {
                        v.kind = K_EXCLUDED;
                        v.why = WHY_LOW;
                    }
                }
                name_form(&v);
                add(fs, &v);
            }
}

/* Forms that end a sequence (control leaves it, or they always fault). */
static bool ends_sequence(const struct form *f)
{
    if (f->d && (f->d->flags & OPF_MEM) && f->mem == M_REG)
        return true; /* a memory-only form with a register: #UD */
    if (f->op >= 0x6C && f->op <= 0x6F)
        return true; /* INS/OUTS: #GP at IOPL 0 */
    switch (f->kind) {
    case K_JIND: case K_RET: case K_FAR: case K_INT: case K_PRIV: case K_UD:
        return true;
    default:
        return false;
    }
}

int forms_build(struct forms *fs, bool low, bool ldt)
{
    memset(fs, 0, sizeof *fs);
    for (unsigned op = 0; op < 0x200; op++) {
        if (!opcode_row(op, 0) && !is_group(op))
            continue;
        if (is_group(op)) {
            for (unsigned reg = 0; reg < 8; reg++) {
                const struct opdesc *d = opcode_row(op, reg);
                if (d && d->model <= CPU_P2)
                    add_variants(fs, op, reg, d, low, ldt);
            }
        } else {
            const struct opdesc *d = opcode_row(op, 0);
            if (d->model <= CPU_P2)
                add_variants(fs, op, 0xFF, d, low, ldt);
        }
    }
    /* Undefined opcodes that stay undefined on every later processor. */
    static const uint16_t ud[] = { 0x10B, 0x1FF };
    for (unsigned i = 0; i < sizeof ud / sizeof ud[0]; i++) {
        struct form f;
        memset(&f, 0, sizeof f);
        f.op = ud[i];
        f.reg = 0xFF;
        f.kind = K_UD;
        f.mem = M_NONE;
        f.first = -1;
        name_form(&f);
        snprintf(f.name, sizeof f.name, "0F %02X ud", ud[i] & 0xFF);
        add(fs, &f);
    }
    fs->live = calloc(fs->n, sizeof *fs->live);
    fs->seq_live = calloc(fs->n, sizeof *fs->seq_live);
    fs->seq_end = calloc(fs->n, sizeof *fs->seq_end);
    if (!fs->live || !fs->seq_live || !fs->seq_end)
        return -1;
    for (unsigned i = 0; i < fs->n; i++) {
        if (fs->f[i].kind == K_EXCLUDED)
            continue;
        fs->live[fs->nlive++] = i;
        if (fs->f[i].op == 0x102 || fs->f[i].kind == K_DESC)
            continue; /* LAR: undefined bits in its result (gen.c); all four: a computed
                       * selector may name the host's own GDT entries. Single cases only */
        if (is_push_sreg(fs->f[i].op) && fs->f[i].size != 16)
            continue; /* the upper half of the slot is the implementation's (gen.c), and a
                       * later POP would read it. Single cases only */
        if (ends_sequence(&fs->f[i]))
            fs->seq_end[fs->nseq_end++] = i;
        else
            fs->seq_live[fs->nseq_live++] = i;
    }
    return 0;
}

void forms_free(struct forms *fs)
{
    free(fs->f);
    free(fs->live);
    free(fs->seq_live);
    free(fs->seq_end);
    memset(fs, 0, sizeof *fs);
}
