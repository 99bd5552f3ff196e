/* orrery-oracle --sweep (sweep.h): the opcode map against the host. */
#include "sweep.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "cpu/exec.h"
#include "tests/opmap/opmap.h"

static const uint8_t prefixes[4] = { 0, 0x66, 0xF2, 0xF3 };

/* The fixed state: no register is zero in its low 8 or 16 bits where a source could be
 * (BSF/BSR leave a zero source's destination undefined), none is a selector the host
 * could load (a loaded value is past the GDT, or null), EBX ESP EBP ESI EDI point into the
 * data region, ECX is a small count. */
static void fixed_regs(const struct emu *e, uint32_t r[8])
{
    const uint32_t d = e->data_base;
    r[R_EAX] = 0x12345678;
    r[R_ECX] = 3;
    r[R_EDX] = 0x80;
    r[R_EBX] = d + 0x200;
    r[R_ESP] = d + 0x1800;
    r[R_EBP] = d + 0x300;
    r[R_ESI] = d + 0x400;
    r[R_EDI] = d + 0x500;
}

#define OPERAND_OFF 0x100u /* the memory operand: [disp32] = data + 0x100 */

/* The memory operand holds what no instruction can turn into harm to the host process: an
 * x87 control word, environment and FXSAVE image with every exception masked (FLDCW,
 * FLDENV, FRSTOR, FXRSTOR), far pointers with a null selector; the stack top is zero, so
 * RET, RETF, IRET and POP go nowhere but to a fault. */
static void patches(struct oracle_case *c)
{
    static const uint8_t image[3][ORACLE_PATCH_BYTES] = {
        { 0x7F, 0x03 },                                /* FCW 037F, FSW 0, tags, ... */
        { 0 },
        { 0x80, 0x1F, 0x00, 0x00, 0xFF, 0xFF },       /* +24: MXCSR 1F80, MXCSR_MASK */
    };
    c->npatch = 0;
    for (unsigned i = 0; i < 3; i++) {
        struct oracle_patch *p = &c->patch[c->npatch++];
        p->off = (uint16_t)(OPERAND_OFF + i * ORACLE_PATCH_BYTES);
        p->len = ORACLE_PATCH_BYTES;
        memcpy(p->bytes, image[i], ORACLE_PATCH_BYTES);
    }
    struct oracle_patch *p = &c->patch[c->npatch++];
    p->off = 0x1800;
    p->len = ORACLE_PATCH_BYTES;
    memset(p->bytes, 0, ORACLE_PATCH_BYTES);
}

static void leave_out(struct sweep *s, const char *why)
{
    for (unsigned i = 0; i < s->nleft; i++)
        if (s->left[i].why == why || strcmp(s->left[i].why, why) == 0) {
            s->left[i].n++;
            return;
        }
    if (s->nleft < SWEEP_MAX_REASONS) {
        s->left[s->nleft].why = why;
        s->left[s->nleft++].n = 1;
    }
}

/* A branch whose 8-bit displacement (the byte the sweep puts after the opcode) leads back
 * into the instruction: on the host it would run again and again. */
static bool branches_into_itself(const struct opmap_form *f)
{
    unsigned op = f->op;
    return ((op >= 0x70 && op <= 0x7F) || op == 0xEB || (op >= 0xE0 && op <= 0xE3)) &&
           !f->mem && f->reg >= 6;
}

/* The kinds of random form whose whole result the sweep's fixed state lets it compare:
 * operands in registers or at the data region, stack and string instructions inside the
 * data region, shifts with their count's undefined flags. Not: branches and far transfers
 * (targets outside both processes' mappings), MOV moffs and BT reg (addresses outside the
 * data region), descriptor instructions (the host's own GDT), ENTER (the host probes). */
static bool whole_kind(unsigned kind)
{
    switch (kind) {
    case K_GENERIC: case K_NOACCESS: case K_DIV: case K_SHIFT: case K_DSHIFT: case K_STACK:
    case K_STRING: case K_LEAVE: case K_XLAT: case K_SREG: case K_BOUND: case K_POPF:
        return true;
    default:
        return false;
    }
}

/* The form of the random oracle that compares this one whole, or NULL. */
static const struct form *full_form(const struct sweep *s, const struct opmap_form *f)
{
    const bool o16 = f->prefix == 0x66;
    for (unsigned i = 0; i < s->forms->n; i++) {
        const struct form *x = &s->forms->f[i];
        if (x->op != f->op || (x->reg != 0xFF && x->reg != f->reg))
            continue;
        if (!whole_kind(x->kind))
            continue;
        if (x->size && x->size != (o16 ? 16 : 32))
            continue;
        if (x->mem != M_NONE && x->mem != (f->mem ? M_A32 : M_REG) &&
            !(x->mem == M_A32 && !f->mem && f->rm == 0))
            continue;
        if (x->rep && x->rep != f->prefix)
            continue;
        if (x->mem == M_NONE || (x->mem == M_A32 && !f->mem)) {
            /* no ModRM: one variant (rm 0) is the form, the others repeat it */
            if (f->mem || f->rm != 0 || f->reg != 0)
                return NULL;
        }
        return x;
    }
    return NULL;
}

static size_t encode_form(const struct sweep *s, const struct opmap_form *f, uint8_t *b)
{
    size_t n = 0;
    if (f->prefix)
        b[n++] = f->prefix;
    if (f->op >= 0x100)
        b[n++] = 0x0F;
    b[n++] = (uint8_t)f->op;
    if (f->mem) {
        uint32_t a = s->emu->data_base + OPERAND_OFF;
        b[n++] = (uint8_t)(f->reg << 3 | 5);
        for (unsigned i = 0; i < 4; i++)
            b[n++] = (uint8_t)(a >> (8 * i));
    } else {
        b[n++] = (uint8_t)(0xC0 | f->reg << 3 | f->rm);
    }
    memset(b + n, 0, 8); /* immediates and offsets are zeros */
    return n + 8;
}

/* The length orrery decodes (an undefined form: as far as it read). */
static unsigned decoded_length(struct emu *e, struct oracle_case *c)
{
    struct oracle_result scratch;
    emu_begin(e, c);
    struct cpu *cpu = &e->cpu;
    jmp_buf jb;
    jmp_buf *outer = cpu->fault_jmp;
    struct insn in;
    in.len = (uint8_t)c->code_len;
    cpu->fault_jmp = &jb;
    if (!setjmp(jb))
        decode(cpu, &in);
    cpu->fault_jmp = outer;
    emu_finish(e, c, &scratch);
    return in.len;
}

void sweep_init(struct sweep *s, struct emu *e, const struct forms *fs)
{
    memset(s, 0, sizeof *s);
    s->emu = e;
    s->forms = fs;
}

unsigned sweep_fill(struct sweep *s, struct oracle_case *cases, struct pcase *pcs, unsigned max)
{
    unsigned n = 0;
    while (n < max && s->next < 0x200u * 4 * 8 * 9) {
        unsigned k = s->next++;
        const unsigned form = k % 9, reg = (k / 9) % 8, pi = (k / 72) % 4, op = k / 288;
        if (op == 0x0F)
            continue;
        const struct opmap_form f = { CPU_P2, prefixes[pi], (uint16_t)op, (uint8_t)reg,
                                      (uint8_t)(form & 7), form == 8 };
        enum opmap_want want = opmap_expect(&f, NULL);
        if (want == OPMAP_PREFIX)
            continue;
        s->forms_total++;
        const char *why = NULL;
        if (want == OPMAP_EITHER) {
            leave_out(s, "the manuals leave it open on a P6");
            continue;
        }
        if (opmap_redefined_later(&f, &why)) {
            leave_out(s, why);
            continue;
        }
        if (op == 0x134) {
            leave_out(s, "SYSENTER: a system call on the host");
            continue;
        }
        if (branches_into_itself(&f)) {
            leave_out(s, "a short branch back into its own bytes: a loop on the host");
            continue;
        }

        struct pcase *pc = &pcs[n];
        struct oracle_case *c = &pc->c;
        memset(pc, 0, sizeof *pc);
        fixed_regs(s->emu, c->regs);
        c->eflags = 0x202;
        c->data_sel = ORACLE_USER_DS;
        c->code_addr = s->emu->code_base + 0x400;
        patches(c);
        c->code_len = (uint32_t)encode_form(s, &f, c->code);
        c->code_len = decoded_length(s->emu, c);

        emu_begin(s->emu, c);
        const uint32_t at = c->code_addr;
        const struct cpu before = s->emu->cpu;
        bool exc = emu_step(s->emu);
        for (unsigned i = 0; !exc && s->emu->cpu.eip == at && i < 64; i++)
            exc = emu_step(s->emu); /* a REP string instruction continuing */
        emu_finish(s->emu, c, &pc->want);

        const struct form *x = full_form(s, &f);
        pc->form = -1;
        pc->index = k;
        pc->ninsn = 1;
        pc->undef_reg = 0xFF;
        bool undef_result = false;
        uint32_t u = x ? undefined_flags(x, &before, c->code, c->code_len, &undef_result) : 0;
        pc->flags_mask = ORACLE_FLAGS_COMPARED & ~u;
        pc->skip = x == NULL || undef_result; /* compared only for #UD or not */
        /* PUSH of a segment register with a 32-bit operand: the slot's upper half is the
         * implementation's (SDM Vol. 2B "PUSH"; gen.c) */
        if (is_push_sreg(op) && f.prefix != 0x66 && pc->want.end == ORACLE_END_NORMAL) {
            pc->undef_mem_off = (uint16_t)(pc->want.regs[R_ESP] + 2 - s->emu->data_base);
            pc->undef_mem_len = 2;
        }
        bool orrery_ud = pc->want.end == ORACLE_END_EXCEPTION && pc->want.vector == EXC_UD;
        if (orrery_ud != (want == OPMAP_UD))
            s->map_diffs++;
        cases[n] = *c;
        n++;
    }
    return n;
}

static const char *form_text(unsigned k)
{
    static char buf[48];
    const unsigned form = k % 9, reg = (k / 9) % 8, pi = (k / 72) % 4, op = k / 288;
    char pfx[4] = "", rm[8] = "mem";
    if (prefixes[pi])
        snprintf(pfx, sizeof pfx, "%02X ", prefixes[pi]);
    if (form < 8)
        snprintf(rm, sizeof rm, "rm %u", form);
    snprintf(buf, sizeof buf, "%s%s%02X /%u %s", pfx, op >= 0x100 ? "0F " : "", op & 0xFF, reg,
             rm);
    return buf;
}

void sweep_check(struct sweep *s, const struct pcase *pcs, const struct oracle_result *host,
                 unsigned n, const struct sweep_io *io)
{
    char buf[4096];
    for (unsigned i = 0; i < n; i++) {
        const struct pcase *pc = &pcs[i];
        const struct oracle_result *h = &host[i];
        s->compared++;
        bool host_ud = h->end == ORACLE_END_EXCEPTION && h->vector == EXC_UD;
        bool orrery_ud = pc->want.end == ORACLE_END_EXCEPTION && pc->want.vector == EXC_UD;
        if (host_ud != orrery_ud) {
            s->ud_diffs++;
            printf("UD: %-22s host %s, orrery %s\n", form_text((unsigned)pc->index),
                   host_ud ? "#UD" : "runs", orrery_ud ? "#UD" : "runs");
            continue;
        }
        if (pc->skip)
            continue;
        s->full++;
        if (io->differ(pc, h, buf, sizeof buf)) {
            s->full_diffs++;
            printf("RESULT: %-22s differs\n", form_text((unsigned)pc->index));
            if (s->shown < io->max_report) {
                s->shown++;
                io->show(io->ctx, pc, h);
            }
        }
    }
}

bool sweep_report(const struct sweep *s)
{
    uint64_t left = 0;
    for (unsigned i = 0; i < s->nleft; i++)
        left += s->left[i].n;
    printf("\nsweep of the Pentium II opcode map (tests/opmap): %llu forms\n",
           (unsigned long long)s->forms_total);
    printf("  compared on orrery and the host: %llu (#UD or not), of them %llu whole results\n",
           (unsigned long long)s->compared, (unsigned long long)s->full);
    printf("  left out: %llu\n", (unsigned long long)left);
    for (unsigned i = 0; i < s->nleft; i++)
        printf("    %8llu  %s\n", (unsigned long long)s->left[i].n, s->left[i].why);
    printf("  orrery against the map (#UD or not, at CPL 3): %llu disagreements "
           "(the unit test unit_opcode_map lists them at CPL 0)\n",
           (unsigned long long)s->map_diffs);
    printf("%llu differ in #UD, %llu in their results\n", (unsigned long long)s->ud_diffs,
           (unsigned long long)s->full_diffs);
    return s->ud_diffs || s->full_diffs;
}
