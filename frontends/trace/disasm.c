/* The disassembly cache (disasm.h): entries in one growing array, indexed from the
 * reader's code map; mnemonics interned so the tools count them by number. */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace_format.h"
#include "frontends/trace/disasm.h"

struct disasm {
    csh h16, h32;
    bool ok16, ok32;
    struct dis_entry *e;
    size_t n, cap;
    char (*names)[16];
    uint32_t nnames, capnames;
    struct dis_entry scratch;
};

struct disasm *disasm_new(void)
{
    struct disasm *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->ok16 = cs_open(CS_ARCH_X86, CS_MODE_16, &d->h16) == CS_ERR_OK;
    d->ok32 = cs_open(CS_ARCH_X86, CS_MODE_32, &d->h32) == CS_ERR_OK;
    return d;
}

void disasm_free(struct disasm *d)
{
    if (!d)
        return;
    if (d->ok16)
        cs_close(&d->h16);
    if (d->ok32)
        cs_close(&d->h32);
    free(d->e);
    free(d->names);
    free(d);
}

static uint32_t intern(struct disasm *d, const char *name)
{
    for (uint32_t i = 0; i < d->nnames; i++) /* a few hundred x86 mnemonics at most */
        if (strcmp(d->names[i], name) == 0)
            return i;
    if (d->nnames == d->capnames) {
        uint32_t cap = d->capnames ? d->capnames * 2 : 256;
        void *n = realloc(d->names, cap * sizeof d->names[0]);
        if (!n)
            return 0;
        d->names = n;
        d->capnames = cap;
    }
    snprintf(d->names[d->nnames], sizeof d->names[0], "%s", name);
    return d->nnames++;
}

static void fill(struct disasm *d, struct dis_entry *out, const struct trace_insn *in)
{
    out->match = -1;
    bool c32 = (in->flags & TRACE_RUN_CODE32) != 0;
    cs_insn *insn = NULL;
    if (in->code && (c32 ? d->ok32 : d->ok16) &&
        cs_disasm(c32 ? d->h32 : d->h16, in->code->bytes, in->len, c32 ? in->lin : in->eip, 1,
                  &insn) == 1) {
        snprintf(out->text, sizeof out->text, "%s%s%s", insn->mnemonic,
                 insn->op_str[0] ? " " : "", insn->op_str);
        out->mnem = intern(d, insn->mnemonic);
        cs_free(insn, 1);
    } else {
        snprintf(out->text, sizeof out->text, in->code ? "(bad)" : "(unknown)");
        out->mnem = intern(d, in->code ? "(bad)" : "(unknown)");
    }
}

const struct dis_entry *disasm_of(struct disasm *d, const struct trace_insn *in)
{
    bool c32 = (in->flags & TRACE_RUN_CODE32) != 0;
    struct trace_code *c = in->code;
    /* Cached by physical address: a relative branch shows the target of the linear
     * address that code first ran at. */
    if (!c) {
        fill(d, &d->scratch, in);
        return &d->scratch;
    }
    if (c->dis >= 0 && c->dis32 == c32)
        return &d->e[c->dis];
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 4096;
        void *n = realloc(d->e, cap * sizeof d->e[0]);
        if (!n) {
            fill(d, &d->scratch, in);
            return &d->scratch;
        }
        d->e = n;
        d->cap = cap;
    }
    fill(d, &d->e[d->n], in);
    c->dis = (int32_t)d->n;
    c->dis32 = c32;
    return &d->e[d->n++];
}

const char *disasm_mnem_name(const struct disasm *d, uint32_t mnem)
{
    return mnem < d->nnames ? d->names[mnem] : "?";
}

const struct dis_entry *disasm_entry(const struct disasm *d, int32_t index)
{
    return index >= 0 && (size_t)index < d->n ? &d->e[index] : NULL;
}

uint32_t disasm_mnem_count(const struct disasm *d) { return d->nnames; }
