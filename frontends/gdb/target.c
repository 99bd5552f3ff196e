/* The target description and GDB's register numbering: see target.h.
 *
 * org.gnu.gdb.i386.core (the names and order GDB's i386 support expects): the eight
 * general registers, EIP, EFLAGS, the six selectors, ST0-ST7 as 80-bit values and the
 * x87 control registers. Without an org.gnu.gdb.i386.sse feature GDB takes the processor
 * for an x87 one with MMX (the Pentium II has no SSE); mm0-mm7 are GDB's views of the ST
 * registers. org.orrery.i386.sys adds what a system debugger wants: control and debug
 * registers, the descriptor-table registers and the segment bases. */
#include "frontends/gdb/target.h"

#include <string.h>

enum reg_kind { K_GPR, K_EIP, K_EFLAGS, K_SEL, K_ST, K_FPU, K_SYS, K_BASE };

struct reg {
    const char *name;
    uint8_t kind;
    uint8_t index; /* which one of its kind */
};

/* GDB's selector order (cs ss ds es fs gs) in the machine's encoding order (ES CS SS DS FS GS). */
static const uint8_t seg_of[6] = { 1, 2, 3, 0, 4, 5 };

enum { F_FCTRL, F_FSTAT, F_FTAG, F_FISEG, F_FIOFF, F_FOSEG, F_FOOFF, F_FOP };
enum { S_CR0, S_CR2, S_CR3, S_CR4, S_DR0, S_DR1, S_DR2, S_DR3, S_DR6, S_DR7, S_GDTR_BASE,
       S_GDTR_LIMIT, S_IDTR_BASE, S_IDTR_LIMIT, S_LDTR, S_TR };

static const struct reg regs[] = {
    { "eax", K_GPR, 0 }, { "ecx", K_GPR, 1 }, { "edx", K_GPR, 2 }, { "ebx", K_GPR, 3 },
    { "esp", K_GPR, 4 }, { "ebp", K_GPR, 5 }, { "esi", K_GPR, 6 }, { "edi", K_GPR, 7 },
    { "eip", K_EIP, 0 }, { "eflags", K_EFLAGS, 0 },
    { "cs", K_SEL, 0 }, { "ss", K_SEL, 1 }, { "ds", K_SEL, 2 }, { "es", K_SEL, 3 },
    { "fs", K_SEL, 4 }, { "gs", K_SEL, 5 },
    { "st0", K_ST, 0 }, { "st1", K_ST, 1 }, { "st2", K_ST, 2 }, { "st3", K_ST, 3 },
    { "st4", K_ST, 4 }, { "st5", K_ST, 5 }, { "st6", K_ST, 6 }, { "st7", K_ST, 7 },
    { "fctrl", K_FPU, F_FCTRL }, { "fstat", K_FPU, F_FSTAT }, { "ftag", K_FPU, F_FTAG },
    { "fiseg", K_FPU, F_FISEG }, { "fioff", K_FPU, F_FIOFF }, { "foseg", K_FPU, F_FOSEG },
    { "fooff", K_FPU, F_FOOFF }, { "fop", K_FPU, F_FOP },
    /* org.orrery.i386.sys */
    { "cr0", K_SYS, S_CR0 }, { "cr2", K_SYS, S_CR2 }, { "cr3", K_SYS, S_CR3 },
    { "cr4", K_SYS, S_CR4 }, { "dr0", K_SYS, S_DR0 }, { "dr1", K_SYS, S_DR1 },
    { "dr2", K_SYS, S_DR2 }, { "dr3", K_SYS, S_DR3 }, { "dr6", K_SYS, S_DR6 },
    { "dr7", K_SYS, S_DR7 }, { "gdtr_base", K_SYS, S_GDTR_BASE },
    { "gdtr_limit", K_SYS, S_GDTR_LIMIT }, { "idtr_base", K_SYS, S_IDTR_BASE },
    { "idtr_limit", K_SYS, S_IDTR_LIMIT }, { "ldtr", K_SYS, S_LDTR }, { "tr", K_SYS, S_TR },
    { "cs_base", K_BASE, 0 }, { "ss_base", K_BASE, 1 }, { "ds_base", K_BASE, 2 },
    { "es_base", K_BASE, 3 }, { "fs_base", K_BASE, 4 }, { "gs_base", K_BASE, 5 },
};
#define NREGS (sizeof regs / sizeof regs[0])

static const char xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<flags id=\"i386_eflags\" size=\"4\">\n"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    "</flags>\n"
    "<reg name=\"eax\" bitsize=\"32\" type=\"int32\" regnum=\"0\"/>\n"
    "<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
    "<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
    "<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>\n"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n"
    "<feature name=\"org.orrery.i386.sys\">\n"
    "<reg name=\"cr0\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"cr2\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"cr3\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"cr4\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"dr0\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"dr1\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"dr2\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"dr3\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"dr6\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"dr7\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"gdtr_base\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"gdtr_limit\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"idtr_base\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"idtr_limit\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"ldtr\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"tr\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"cs_base\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"ss_base\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"ds_base\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"es_base\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"fs_base\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "<reg name=\"gs_base\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"
    "</feature>\n"
    "</target>\n";

const char *gdb_target_xml(size_t *len)
{
    *len = sizeof xml - 1;
    return xml;
}

unsigned gdb_reg_count(void)
{
    return NREGS;
}

unsigned gdb_reg_size(unsigned n)
{
    return n < NREGS && regs[n].kind == K_ST ? 10 : 4;
}

const char *gdb_reg_name(unsigned n)
{
    return n < NREGS ? regs[n].name : NULL;
}

static uint32_t *fpu_field(struct machine_dbg_regs *r, unsigned i, uint16_t **half)
{
    *half = NULL;
    switch (i) {
    case F_FCTRL: *half = &r->fctrl; return NULL;
    case F_FSTAT: *half = &r->fstat; return NULL;
    case F_FTAG: *half = &r->ftag; return NULL;
    case F_FOP: *half = &r->fop; return NULL;
    case F_FISEG: return &r->fiseg;
    case F_FIOFF: return &r->fioff;
    case F_FOSEG: return &r->foseg;
    default: return &r->fooff;
    }
}

static uint32_t *sys_field(struct machine_dbg_regs *r, unsigned i, uint16_t **half)
{
    *half = NULL;
    switch (i) {
    case S_CR0: return &r->cr0;
    case S_CR2: return &r->cr2;
    case S_CR3: return &r->cr3;
    case S_CR4: return &r->cr4;
    case S_DR0: case S_DR1: case S_DR2: case S_DR3: return &r->dr[i - S_DR0];
    case S_DR6: return &r->dr[6];
    case S_DR7: return &r->dr[7];
    case S_GDTR_BASE: return &r->gdtr_base;
    case S_IDTR_BASE: return &r->idtr_base;
    case S_GDTR_LIMIT: *half = &r->gdtr_limit; return NULL;
    case S_IDTR_LIMIT: *half = &r->idtr_limit; return NULL;
    case S_LDTR: *half = &r->ldtr; return NULL;
    default: *half = &r->tr; return NULL;
    }
}

/* Where register n lives: a 32-bit field, or a 16-bit one (shown zero-extended). */
static uint32_t *field(struct machine_dbg_regs *r, unsigned n, uint16_t **half)
{
    const struct reg *g = &regs[n];
    *half = NULL;
    switch (g->kind) {
    case K_GPR: return &r->gpr[g->index];
    case K_EIP: return &r->eip;
    case K_EFLAGS: return &r->eflags;
    case K_SEL: *half = &r->sel[seg_of[g->index]]; return NULL;
    case K_BASE: return &r->base[seg_of[g->index]];
    case K_FPU: return fpu_field(r, g->index, half);
    default: return sys_field(r, g->index, half);
    }
}

void gdb_reg_get(const struct machine_dbg_regs *r, unsigned n, uint8_t *out)
{
    if (n >= NREGS)
        return;
    if (regs[n].kind == K_ST) {
        memcpy(out, r->st[regs[n].index], 10);
        return;
    }
    uint16_t *half;
    uint32_t *full = field((struct machine_dbg_regs *)r, n, &half);
    uint32_t v = full ? *full : *half;
    for (unsigned i = 0; i < 4; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

void gdb_reg_put(struct machine_dbg_regs *r, unsigned n, const uint8_t *in)
{
    if (n >= NREGS)
        return;
    if (regs[n].kind == K_ST) {
        memcpy(r->st[regs[n].index], in, 10);
        return;
    }
    uint32_t v = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
                 (uint32_t)in[3] << 24;
    uint16_t *half;
    uint32_t *full = field(r, n, &half);
    if (full)
        *full = v;
    else
        *half = (uint16_t)v;
}
