/* The decoder: prefixes, opcode, ModRM/SIB/displacement and immediates into a struct insn,
 * driven by the rows of cpu/opcodes.def (SDM Vol. 2A §2.1, Vol. 2D App. A). */
#include "cpu/decode.h"

#include "cpu/exec.h"
#include "cpu/handlers.h"

#define OPROW(code, reg, mn, form, h16, h32, model, fl) \
    [(code) * 8 + (reg)] = { h16, h32, mn, form, model, fl },
#define OP(code, mn, form, h16, h32, model, fl)                                            \
    OPROW(code, 0, mn, form, h16, h32, model, fl) OPROW(code, 1, mn, form, h16, h32, model, fl) \
    OPROW(code, 2, mn, form, h16, h32, model, fl) OPROW(code, 3, mn, form, h16, h32, model, fl) \
    OPROW(code, 4, mn, form, h16, h32, model, fl) OPROW(code, 5, mn, form, h16, h32, model, fl) \
    OPROW(code, 6, mn, form, h16, h32, model, fl) OPROW(code, 7, mn, form, h16, h32, model, fl)
#define GRP(code, reg, mn, form, h16, h32, model, fl) OPROW(code, reg, mn, form, h16, h32, model, fl)
static const struct opdesc optab[0x200 * 8] = {
#include "cpu/opcodes.def"
};
#undef OP
#undef GRP
#undef OPROW

/* x87 register forms by escape and ModRM byte, and the escape of models without x87. */
#define OP(code, mn, form, h16, h32, model, fl)
#define GRP(code, reg, mn, form, h16, h32, model, fl)
#define X87R(code, modrm, mn, h, model) [((code) - 0xD8) * 64 + (modrm) - 0xC0] = { h, h, mn, F_M, model, 0 },
static const struct opdesc x87_regtab[8 * 64] = {
#include "cpu/opcodes.def"
};
#define X87_ABSENT(mn, h) { h, h, mn, F_M, CPU_8086, 0 }
static const struct opdesc x87_absent =
#include "cpu/opcodes.def"
;
#undef OP
#undef GRP

const struct opdesc *opcode_row(unsigned op, unsigned reg)
{
    const struct opdesc *d = &optab[(op & 0x1FF) * 8 + (reg & 7)];
    return d->fn16 ? d : NULL;
}

static bool form_has_modrm(uint8_t form)
{
    return form == F_M || form == F_M_IB || form == F_M_IV;
}

/* Whether any row of the opcode takes a ModRM byte (group rows may be partly undefined). */
static bool op_has_modrm(unsigned op)
{
    for (unsigned reg = 0; reg < 8; reg++) {
        const struct opdesc *d = &optab[op * 8 + reg];
        if (d->fn16)
            return form_has_modrm(d->form);
    }
    return false;
}

struct fetcher {
    struct cpu *cpu;
    uint32_t eip;
    unsigned n, avail, max;
    const uint8_t *window; /* avail bytes of the instruction in host memory */
    bool nofault;          /* decoding ahead (decode_bytes): never fetch, never fault */
    bool bad;              /* nofault: the instruction does not fit in the window, or is
                              too long; what was decoded is garbage */
};

/* Past the window: the interpreter fetches byte by byte (filling the TLB, or faulting at
 * exactly the byte that faults); a decode ahead gives up instead. */
static NOINLINE uint8_t next_byte_slow(struct fetcher *f)
{
    if (f->nofault) {
        f->bad = true;
        f->n++;
        return 0;
    }
    if (f->n >= f->max)
        cpu_fault(f->cpu, EXC_GP, 0); /* SDM: instruction longer than the limit is #GP(0) */
    return cpu_fetch8(f->cpu, f->eip + f->n++);
}

static ALWAYS_INLINE uint8_t next_byte(struct fetcher *f)
{
    if (likely(f->n < f->avail))
        return f->window[f->n++];
    return next_byte_slow(f);
}

static uint32_t next_imm(struct fetcher *f, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)next_byte(f) << (8 * i);
    return v;
}

/* 16-bit addressing forms (SDM Vol. 2A Table 2-1). */
static const uint8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ZERO, R_ZERO, R_EBP, R_EBX };
static const uint8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, R_ESI, R_EDI, R_ZERO, R_ZERO };

static void decode_modrm16(struct fetcher *f, struct insn *in, int *def_seg)
{
    in->base = base16[in->rm];
    in->index = index16[in->rm];
    in->scale = 0;
    if (in->mod == 0 && in->rm == 6) {
        in->base = R_ZERO;
        in->disp = next_imm(f, 2);
    } else if (in->mod == 1) {
        in->disp = (uint32_t)(int32_t)(int8_t)next_byte(f);
    } else if (in->mod == 2) {
        in->disp = next_imm(f, 2);
    }
    *def_seg = in->base == R_EBP ? S_SS : S_DS;
}

/* 32-bit addressing forms with SIB (SDM Vol. 2A Tables 2-2, 2-3). */
static void decode_modrm32(struct fetcher *f, struct insn *in, int *def_seg)
{
    in->index = R_ZERO;
    in->scale = 0;
    in->base = in->rm;
    if (in->rm == 4) {
        uint8_t sib = next_byte(f);
        unsigned idx = (sib >> 3) & 7;
        in->scale = sib >> 6;
        in->index = idx == 4 ? R_ZERO : (uint8_t)idx;
        in->base = sib & 7;
        if (in->base == R_EBP && in->mod == 0) {
            in->base = R_ZERO;
            in->disp = next_imm(f, 4);
        }
    } else if (in->rm == 5 && in->mod == 0) {
        in->base = R_ZERO;
        in->disp = next_imm(f, 4);
    }
    if (in->mod == 1)
        in->disp = (uint32_t)(int32_t)(int8_t)next_byte(f);
    else if (in->mod == 2)
        in->disp = next_imm(f, 4);
    *def_seg = (in->base == R_ESP || in->base == R_EBP) ? S_SS : S_DS;
}

void op_ud(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_fault(cpu, EXC_UD, 0);
}

static ALWAYS_INLINE void decode_from(struct cpu *cpu, struct fetcher *fp, struct insn *in)
{
    const bool code32 = (cpu->seg[S_CS].attr & SEG_ATTR_DB) != 0;
    const bool is386 = cpu->model >= CPU_386;
    struct fetcher f = *fp;
    int seg = -1;
    uint8_t b;

    in->o32 = code32;
    in->a32 = code32;
    in->rep = 0;
    in->lock = 0;
    in->disp = 0;
    in->imm = 0;
    in->imm2 = 0;
    in->mod = 3;
    in->reg = 0;
    in->rm = 0;
    in->base = in->index = R_ZERO;
    in->scale = 0;

    for (;;) {
        b = next_byte(&f);
        switch (b) {
        case 0x26: seg = S_ES; continue;
        case 0x2E: seg = S_CS; continue;
        case 0x36: seg = S_SS; continue;
        case 0x3E: seg = S_DS; continue;
        case 0xF0: in->lock = 1; continue;
        case 0xF2:
        case 0xF3: in->rep = b; continue;
        case 0x64:
        case 0x65:
            if (!is386)
                break;
            seg = b == 0x64 ? S_FS : S_GS;
            continue;
        case 0x66:
            if (!is386)
                break;
            in->o32 = !code32;
            continue;
        case 0x67:
            if (!is386)
                break;
            in->a32 = !code32;
            continue;
        default:
            break;
        }
        break;
    }

    unsigned op = b;
    if (b == 0x0F && cpu->model >= CPU_286)
        op = 0x100 | next_byte(&f);
    in->op = (uint16_t)op;
    in->addr_mask = in->a32 ? 0xFFFFFFFFu : 0xFFFFu;

    int def_seg = S_DS;
    const struct opdesc *d = NULL;
    if (op_has_modrm(op)) {
        uint8_t modrm = next_byte(&f);
        in->mod = modrm >> 6;
        in->reg = (modrm >> 3) & 7;
        in->rm = modrm & 7;
        d = opcode_row(op, in->reg);
        if ((op & 0x1F8) == 0xD8) { /* x87 escape */
            if (!cpu->info->has_fpu)
                d = &x87_absent;
            else if (in->mod == 3) {
                const struct opdesc *x = &x87_regtab[(op - 0xD8) * 64 + (modrm & 63)];
                d = x->fn16 ? x : NULL;
            }
        }
        if (d && (d->flags & OPF_MODRM_REG))
            in->mod = 3;
        else if (in->mod != 3) {
            if (in->a32)
                decode_modrm32(&f, in, &def_seg);
            else
                decode_modrm16(&f, in, &def_seg);
        }
    } else {
        d = opcode_row(op, 0);
    }
    in->seg = (uint8_t)(seg >= 0 ? seg : def_seg);
    in->desc = d;

    if (!d || cpu->model < d->model) {
        in->fn = op_ud;
        in->len = (uint8_t)f.n;
        *fp = f;
        return;
    }
    switch (d->form) {
    case F_M_IB:
    case F_IB: in->imm = next_byte(&f); break;
    case F_M_IV:
    case F_IV: in->imm = next_imm(&f, in->o32 ? 4 : 2); break;
    case F_IW: in->imm = next_imm(&f, 2); break;
    case F_IW_IB:
        in->imm = next_imm(&f, 2);
        in->imm2 = next_byte(&f);
        break;
    case F_FAR:
        in->imm = next_imm(&f, in->o32 ? 4 : 2);
        in->imm2 = next_imm(&f, 2);
        break;
    case F_MOFFS: in->imm = next_imm(&f, in->a32 ? 4 : 2); break;
    default: break;
    }
    in->len = (uint8_t)f.n;
    in->fn = in->o32 ? d->fn32 : d->fn16;

    if ((d->flags & OPF_MEM) && in->mod == 3)
        in->fn = op_ud;
    /* From the 386 on, LOCK is #UD unless the instruction is a lockable read-modify-write
     * of memory (SDM Vol. 2A "LOCK"); the 286 accepts it anywhere (286-real vectors). */
    if (in->lock && is386 && (!(d->flags & OPF_LOCK) || in->mod == 3))
        in->fn = op_ud;
    *fp = f;
}

void decode(struct cpu *cpu, struct insn *in)
{
    const unsigned max = cpu->info->max_insn_len;
    const uint8_t *w = code_window(cpu, cpu->eip, max);
    struct fetcher f = { cpu, cpu->eip, 0, w ? max : 0, max, w, false, false };
    decode_from(cpu, &f, in);
}

bool decode_bytes(struct cpu *cpu, const uint8_t *bytes, unsigned avail, struct insn *in)
{
    const unsigned max = cpu->info->max_insn_len;
    struct fetcher f = { cpu, 0, 0, avail < max ? avail : max, max, bytes, true, false };
    decode_from(cpu, &f, in);
    return !f.bad && f.n <= f.avail;
}
