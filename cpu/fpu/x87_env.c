/* x87 control instructions and state images: FLDCW/FSTCW/FSTSW, FCLEX, FINIT,
 * FLDENV/FSTENV and FSAVE/FRSTOR in their four layouts (SDM Vol. 1 §8.1.10, Figures 8-9
 * to 8-12), FXSAVE/FXRSTOR (SDM Vol. 2A "FXSAVE", Table 3-53), and the state at reset. */
#include "cpu/fpu/x87.h"

void fpu_reset(struct fpu *f)
{
    *f = (struct fpu){ 0 };
    f->cw = 0x0040;
    f->valid = 0xFF;
}

/* The registers keep their contents (host behaviour; the manual only says the tags
 * become empty). */
void fpu_init(struct fpu *f)
{
    struct fpu n = { 0 };
    for (unsigned i = 0; i < 8; i++)
        n.st[i] = f->st[i];
    n.cw = 0x037F;
    *f = n;
}

/* ES and B are not stored: they summarise the unmasked exception flags, so FLDCW, FLDENV
 * and FRSTOR that unmask or mask a flag raise or clear them (host behaviour). */
uint16_t fpu_status_word(const struct fpu *f)
{
    return (uint16_t)(f->sw | f->top << 11 | (x87_pending(f) ? SW_ES | SW_B : 0));
}

/* Tags are computed from the register contents, as FSTENV/FSAVE of the P6 report them:
 * 00 valid, 01 zero, 10 special (NaN, infinity, denormal, unsupported), 11 empty. */
uint16_t fpu_tag_word(const struct fpu *f)
{
    uint16_t tw = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = 3;
        if ((f->valid >> i) & 1) {
            uint16_t e = f->st[i].se & 0x7FFF;
            if (e == 0)
                t = f->st[i].m ? 2 : 1;
            else if (e == 0x7FFF || !(f->st[i].m >> 63))
                t = 2;
            else
                t = 0;
        }
        tw |= (uint16_t)(t << (2 * i));
    }
    return tw;
}

static void set_status_word(struct fpu *f, uint16_t sw)
{
    f->top = (sw >> 11) & 7;
    f->sw = sw & (uint16_t)~(SW_TOP | SW_ES | SW_B);
}

static void set_tag_word(struct fpu *f, uint16_t tw)
{
    f->valid = 0;
    for (unsigned i = 0; i < 8; i++)
        if (((tw >> (2 * i)) & 3) != 3)
            f->valid |= (uint8_t)(1u << i);
}

/* Bits 6 reads 1, bits 7 and 13-15 read 0 (host behaviour; SDM Vol. 1 Figure 8-6). */
static uint16_t control_word(uint16_t v)
{
    return (uint16_t)((v & 0x1F3F) | 0x0040);
}

void fpu_wait(struct cpu *cpu)
{
    if (x87_pending(&cpu->fpu))
        fpu_error(cpu);
}

/* ---- control and status ---- */

void op_fldcw(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, true);
    uint16_t v = rd16(cpu, in->seg, ea(cpu, in));
    cpu->fpu.cw = control_word(v);
    x87_update_ferr(cpu);
}

void op_fnstcw(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, false);
    wr16(cpu, in->seg, ea(cpu, in), cpu->fpu.cw);
}

void op_fnstsw_m16(struct cpu *cpu, const struct insn *in)
{
    x87_begin(cpu, false);
    wr16(cpu, in->seg, ea(cpu, in), fpu_status_word(&cpu->fpu));
}

void op_fnstsw_ax(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    x87_begin(cpu, false);
    set_r16(cpu, R_EAX, fpu_status_word(&cpu->fpu));
}

/* FNCLEX: the exception flags, SF, ES and B clear; C0-C3 stay. */
void op_fnclex(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    x87_begin(cpu, false);
    cpu->fpu.sw &= (uint16_t)~(FE_ALL | SW_SF);
    x87_update_ferr(cpu);
}

void op_fninit(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    x87_begin(cpu, false);
    fpu_init(&cpu->fpu);
    x87_update_ferr(cpu);
}

/* FNENI, FNDISI, FNSETPM: 8087/80287 controls, no operation on later FPUs. */
void op_fnop_control(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    x87_begin(cpu, false);
}

/* ---- environment and state images ---- */

/* Real-address and virtual-8086 modes use the real-mode layouts, which hold linear
 * instruction and operand addresses instead of selector:offset pairs. */
static bool real_layout(const struct cpu *cpu)
{
    return cpu->mode != MODE_PROT;
}

static uint32_t env_size(bool o32)
{
    return o32 ? 28 : 14;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static void env_image(const struct cpu *cpu, bool o32, uint8_t *p)
{
    const struct fpu *f = &cpu->fpu;
    uint16_t sw = fpu_status_word(f), tw = fpu_tag_word(f), fop = f->fop & 0x7FF;
    uint32_t fip = f->fip, fdp = f->fdp;
    bool real = real_layout(cpu);
    if (real) {
        fip += (uint32_t)f->fcs << 4;
        fdp += (uint32_t)f->fds << 4;
    }
    if (o32) {
        put32(p + 0, 0xFFFF0000u | f->cw);
        put32(p + 4, 0xFFFF0000u | sw);
        put32(p + 8, 0xFFFF0000u | tw);
        if (real) {
            put32(p + 12, 0xFFFF0000u | (fip & 0xFFFF));
            put32(p + 16, (fip >> 16) << 12 | fop);
            put32(p + 20, 0xFFFF0000u | (fdp & 0xFFFF));
            put32(p + 24, (fdp >> 16) << 12);
        } else {
            put32(p + 12, fip);
            put32(p + 16, (uint32_t)fop << 16 | f->fcs);
            put32(p + 20, fdp);
            put32(p + 24, 0xFFFF0000u | f->fds);
        }
    } else {
        put16(p + 0, f->cw);
        put16(p + 2, sw);
        put16(p + 4, tw);
        put16(p + 6, (uint16_t)fip);
        put16(p + 10, (uint16_t)fdp);
        if (real) {
            put16(p + 8, (uint16_t)(((fip >> 16) & 0xF) << 12 | fop));
            put16(p + 12, (uint16_t)(((fdp >> 16) & 0xF) << 12));
        } else {
            put16(p + 8, f->fcs);
            put16(p + 12, f->fds);
        }
    }
}

static void load_env_image(struct cpu *cpu, bool o32, const uint8_t *p)
{
    struct fpu *f = &cpu->fpu;
    bool real = real_layout(cpu);
    unsigned w = o32 ? 4 : 2;
    f->cw = control_word(get16(p));
    set_status_word(f, get16(p + w));
    set_tag_word(f, get16(p + 2 * w));
    if (o32) {
        if (real) {
            f->fip = (get32(p + 12) & 0xFFFF) | (get32(p + 16) >> 12 & 0xFFFF) << 16;
            f->fop = get32(p + 16) & 0x7FF;
            f->fdp = (get32(p + 20) & 0xFFFF) | (get32(p + 24) >> 12 & 0xFFFF) << 16;
            f->fcs = f->fds = 0;
        } else {
            f->fip = get32(p + 12);
            f->fcs = get16(p + 16);
            f->fop = get32(p + 16) >> 16 & 0x7FF;
            f->fdp = get32(p + 20);
            f->fds = get16(p + 24);
        }
    } else {
        f->fip = get16(p + 6);
        f->fdp = get16(p + 10);
        if (real) {
            f->fip |= (uint32_t)(get16(p + 8) >> 12) << 16;
            f->fop = get16(p + 8) & 0x7FF;
            f->fdp |= (uint32_t)(get16(p + 12) >> 12) << 16;
            f->fcs = f->fds = 0;
        } else {
            f->fcs = get16(p + 8);
            f->fds = get16(p + 12);
        }
    }
}

/* Reads or writes n image bytes at the operand, the whole range checked first. */
static void read_image(struct cpu *cpu, const struct insn *in, uint32_t off, uint8_t *p,
                       uint32_t n)
{
    seg_addr(cpu, in->seg, off, n, SEG_OK_READ);
    for (uint32_t i = 0; i < n; i++)
        p[i] = rd8(cpu, in->seg, (off + i) & in->addr_mask);
}

static void write_image(struct cpu *cpu, const struct insn *in, uint32_t off, const uint8_t *p,
                        uint32_t n)
{
    seg_addr(cpu, in->seg, off, n, SEG_OK_WRITE);
    for (uint32_t i = 0; i < n; i++)
        wr8(cpu, in->seg, (off + i) & in->addr_mask, p[i]);
}

static void fldenv(struct cpu *cpu, const struct insn *in, bool o32)
{
    uint8_t img[28];
    x87_begin(cpu, true);
    read_image(cpu, in, ea(cpu, in), img, env_size(o32));
    load_env_image(cpu, o32, img);
    x87_update_ferr(cpu);
}

/* FNSTENV stores the environment, then masks every exception (SDM Vol. 2A "FSTENV"). */
static void fnstenv(struct cpu *cpu, const struct insn *in, bool o32)
{
    uint8_t img[28];
    x87_begin(cpu, false);
    env_image(cpu, o32, img);
    write_image(cpu, in, ea(cpu, in), img, env_size(o32));
    cpu->fpu.cw |= FE_ALL;
    x87_update_ferr(cpu);
}

static void frstor(struct cpu *cpu, const struct insn *in, bool o32)
{
    uint8_t img[28 + 80];
    uint32_t n = env_size(o32);
    x87_begin(cpu, true);
    read_image(cpu, in, ea(cpu, in), img, n + 80);
    load_env_image(cpu, o32, img);
    struct fpu *f = &cpu->fpu;
    for (unsigned i = 0; i < 8; i++) {
        const uint8_t *r = img + n + 10 * i;
        f->st[st_phys(f, i)] = f80_make(get16(r + 8), (uint64_t)get32(r + 4) << 32 | get32(r));
    }
    x87_update_ferr(cpu);
}

static void fnsave(struct cpu *cpu, const struct insn *in, bool o32)
{
    uint8_t img[28 + 80];
    uint32_t n = env_size(o32);
    x87_begin(cpu, false);
    env_image(cpu, o32, img);
    struct fpu *f = &cpu->fpu;
    for (unsigned i = 0; i < 8; i++) {
        uint8_t *r = img + n + 10 * i;
        const struct f80 *v = st(f, i);
        put32(r, (uint32_t)v->m);
        put32(r + 4, (uint32_t)(v->m >> 32));
        put16(r + 8, v->se);
    }
    write_image(cpu, in, ea(cpu, in), img, n + 80);
    fpu_init(f);
    x87_update_ferr(cpu);
}

void op_fldenv16(struct cpu *cpu, const struct insn *in) { fldenv(cpu, in, false); }
void op_fldenv32(struct cpu *cpu, const struct insn *in) { fldenv(cpu, in, true); }
void op_fnstenv16(struct cpu *cpu, const struct insn *in) { fnstenv(cpu, in, false); }
void op_fnstenv32(struct cpu *cpu, const struct insn *in) { fnstenv(cpu, in, true); }
void op_frstor16(struct cpu *cpu, const struct insn *in) { frstor(cpu, in, false); }
void op_frstor32(struct cpu *cpu, const struct insn *in) { frstor(cpu, in, true); }
void op_fnsave16(struct cpu *cpu, const struct insn *in) { fnsave(cpu, in, false); }
void op_fnsave32(struct cpu *cpu, const struct insn *in) { fnsave(cpu, in, true); }

/* ---- FXSAVE / FXRSTOR ---- */

/* The x87/MMX part of the 512-byte image; the Pentium II has no SSE, so MXCSR and the
 * XMM area (bytes 24-31, 160-511) are neither written nor read. */
enum { FX_X87_BYTES = 160, FX_SIZE = 512 };

static uint32_t fx_operand(struct cpu *cpu, const struct insn *in, unsigned need)
{
    if (cpu->cr[0] & (CR0_EM | CR0_TS))
        cpu_fault(cpu, EXC_NM, 0);
    uint32_t off = ea(cpu, in);
    if ((cpu->seg[in->seg].base + off) & 15)
        cpu_fault(cpu, EXC_GP, 0);
    seg_addr(cpu, in->seg, off, FX_SIZE, need);
    return off;
}

void op_fxsave(struct cpu *cpu, const struct insn *in)
{
    const struct fpu *f = &cpu->fpu;
    uint8_t img[FX_X87_BYTES] = { 0 };
    uint32_t off = fx_operand(cpu, in, SEG_OK_WRITE);
    put16(img + 0, f->cw);
    put16(img + 2, fpu_status_word(f));
    img[4] = f->valid;
    put16(img + 6, f->fop & 0x7FF);
    put32(img + 8, f->fip);
    put16(img + 12, f->fcs);
    put32(img + 16, f->fdp);
    put16(img + 20, f->fds);
    for (unsigned i = 0; i < 8; i++) {
        uint8_t *r = img + 32 + 16 * i;
        const struct f80 *v = &f->st[st_phys(f, i)];
        put32(r, (uint32_t)v->m);
        put32(r + 4, (uint32_t)(v->m >> 32));
        put16(r + 8, v->se);
    }
    write_image(cpu, in, off, img, 24);
    write_image(cpu, in, (off + 32) & in->addr_mask, img + 32, FX_X87_BYTES - 32);
}

void op_fxrstor(struct cpu *cpu, const struct insn *in)
{
    struct fpu *f = &cpu->fpu;
    uint8_t img[FX_X87_BYTES];
    uint32_t off = fx_operand(cpu, in, SEG_OK_READ);
    read_image(cpu, in, off, img, FX_X87_BYTES);
    f->cw = control_word(get16(img + 0));
    set_status_word(f, get16(img + 2));
    f->valid = img[4];
    f->fop = get16(img + 6) & 0x7FF;
    f->fip = get32(img + 8);
    f->fcs = get16(img + 12);
    f->fdp = get32(img + 16);
    f->fds = get16(img + 20);
    for (unsigned i = 0; i < 8; i++) {
        const uint8_t *r = img + 32 + 16 * i;
        f->st[st_phys(f, i)] = f80_make(get16(r + 8), (uint64_t)get32(r + 4) << 32 | get32(r));
    }
    x87_update_ferr(cpu);
}
