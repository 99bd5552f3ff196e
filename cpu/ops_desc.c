/* Descriptor instructions: SLDT STR LLDT LTR VERR VERW LAR LSL ARPL, and SYSENTER/SYSEXIT
 * (SDM Vol. 2). All but SYSENTER/SYSEXIT are #UD in real-address and virtual-8086 mode. */
#include "cpu/handlers.h"
#include "cpu/transfer.h"

static void require_prot(struct cpu *cpu)
{
    if (cpu->mode != MODE_PROT)
        cpu_fault(cpu, EXC_UD, 0);
}

/* A selector stored to a register is zero-extended with a 32-bit operand size. */
static void store_sel(struct cpu *cpu, const struct insn *in, uint16_t sel)
{
    if (in->mod == 3 && in->o32)
        cpu->r[in->rm] = sel;
    else
        rm16_write(cpu, in, sel);
}

void op_sldt(struct cpu *cpu, const struct insn *in) { require_prot(cpu); store_sel(cpu, in, cpu->ldtr.sel); }
void op_str(struct cpu *cpu, const struct insn *in) { require_prot(cpu); store_sel(cpu, in, cpu->tr.sel); }

void op_lldt(struct cpu *cpu, const struct insn *in)
{
    require_prot(cpu);
    if (cpu->cpl != 0)
        cpu_fault(cpu, EXC_GP, 0);
    uint16_t sel = rm16_read(cpu, in);
    if ((sel & ~3u) == 0) { /* a null LDT: LDT references fault */
        cpu->ldtr.sel = sel;
        cpu->ldtr.attr = 0;
        return;
    }
    struct desc d;
    if ((sel & 4) || !desc_fetch(cpu, sel, &d) || desc_s(&d) || desc_type(&d) != SYS_LDT)
        cpu_fault(cpu, EXC_GP, sel & 0xFFFC);
    if (!desc_present(&d))
        cpu_fault(cpu, EXC_NP, sel & 0xFFFC);
    desc_to_cache(cpu, &d, sel, &cpu->ldtr);
}

void op_ltr(struct cpu *cpu, const struct insn *in)
{
    require_prot(cpu);
    if (cpu->cpl != 0)
        cpu_fault(cpu, EXC_GP, 0);
    uint16_t sel = rm16_read(cpu, in);
    if ((sel & ~3u) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    struct desc d;
    if ((sel & 4) || !desc_fetch(cpu, sel, &d) || desc_s(&d) ||
        (desc_type(&d) != SYS_TSS16_AVAIL && desc_type(&d) != SYS_TSS32_AVAIL))
        cpu_fault(cpu, EXC_GP, sel & 0xFFFC);
    if (!desc_present(&d))
        cpu_fault(cpu, EXC_NP, sel & 0xFFFC);
    d.hi |= 0x200; /* busy */
    desc_write_hi(cpu, &d);
    desc_to_cache(cpu, &d, sel, &cpu->tr);
}

static void set_zf(struct cpu *cpu, bool z)
{
    set_flags_eager(cpu, FL_ZF, z ? FL_ZF : 0);
}

/* The privilege test of VERR/VERW/LAR/LSL: conforming code is always visible; anything
 * else needs DPL >= CPL and DPL >= RPL. */
static bool visible(const struct cpu *cpu, const struct desc *d, uint16_t sel)
{
    if (desc_conforming(d))
        return true;
    return desc_dpl(d) >= cpu->cpl && desc_dpl(d) >= (sel & 3u);
}

static void verify(struct cpu *cpu, const struct insn *in, bool write)
{
    require_prot(cpu);
    uint16_t sel = rm16_read(cpu, in);
    struct desc d;
    bool ok = (sel & ~3u) != 0 && desc_fetch(cpu, sel, &d) && desc_s(&d);
    if (ok)
        ok = write ? desc_data_writable(&d) && visible(cpu, &d, sel)
                   : (desc_is_data(&d) || desc_code_readable(&d)) && visible(cpu, &d, sel);
    set_zf(cpu, ok);
}

void op_verr(struct cpu *cpu, const struct insn *in) { verify(cpu, in, false); }
void op_verw(struct cpu *cpu, const struct insn *in) { verify(cpu, in, true); }

/* LAR and LSL accept segments and these system types (SDM Vol. 2A "LAR" Table 3-54,
 * Vol. 2B "LSL" Table 3-63): gates only for LAR. */
static bool lar_type_ok(const struct desc *d, bool lsl)
{
    if (desc_s(d))
        return true;
    switch (desc_type(d)) {
    case SYS_TSS16_AVAIL: case SYS_LDT: case SYS_TSS16_BUSY:
    case SYS_TSS32_AVAIL: case SYS_TSS32_BUSY:
        return true;
    case SYS_CALL16: case SYS_TASK: case SYS_CALL32:
        return !lsl;
    default:
        return false;
    }
}

static bool lookup(struct cpu *cpu, const struct insn *in, bool lsl, struct desc *d, uint16_t *sel)
{
    require_prot(cpu);
    *sel = rm16_read(cpu, in);
    bool ok = (*sel & ~3u) != 0 && desc_fetch(cpu, *sel, d) && lar_type_ok(d, lsl) && visible(cpu, d, *sel);
    set_zf(cpu, ok);
    return ok;
}

void op_lar16(struct cpu *cpu, const struct insn *in)
{
    struct desc d;
    uint16_t sel;
    if (lookup(cpu, in, false, &d, &sel))
        set_r16(cpu, in->reg, (uint16_t)(d.hi & 0xFF00));
}

void op_lar32(struct cpu *cpu, const struct insn *in)
{
    struct desc d;
    uint16_t sel;
    if (lookup(cpu, in, false, &d, &sel))
        cpu->r[in->reg] = d.hi & 0x00F0FF00u;
}

static uint32_t seg_limit_of(const struct cpu *cpu, const struct desc *d)
{
    struct seg_cache c;
    desc_to_cache(cpu, d, 0, &c);
    return c.limit;
}

void op_lsl16(struct cpu *cpu, const struct insn *in)
{
    struct desc d;
    uint16_t sel;
    if (lookup(cpu, in, true, &d, &sel))
        set_r16(cpu, in->reg, (uint16_t)seg_limit_of(cpu, &d));
}

void op_lsl32(struct cpu *cpu, const struct insn *in)
{
    struct desc d;
    uint16_t sel;
    if (lookup(cpu, in, true, &d, &sel))
        cpu->r[in->reg] = seg_limit_of(cpu, &d);
}

void op_arpl(struct cpu *cpu, const struct insn *in)
{
    require_prot(cpu);
    uint16_t dst = rm16_read(cpu, in), src = get_r16(cpu, in->reg);
    if ((dst & 3) < (src & 3)) {
        rm16_write(cpu, in, (uint16_t)((dst & ~3u) | (src & 3)));
        set_zf(cpu, true);
    } else {
        set_zf(cpu, false);
    }
}

/* SYSENTER/SYSEXIT (SDM Vol. 2B): flat segments derived from IA32_SYSENTER_CS. */
static void flat_seg(struct seg_cache *c, uint16_t sel, bool code, unsigned dpl)
{
    c->sel = sel;
    c->base = 0;
    c->limit = 0xFFFFFFFFu;
    c->attr = (uint16_t)(SEG_ATTR_G | SEG_ATTR_DB | SEG_ATTR_P | SEG_ATTR_S | (dpl << 5) |
                         (code ? 0xB : 0x3));
    c->ok = seg_ok_of(c->attr);
}

void op_sysenter(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint16_t cs = (uint16_t)cpu->msr_sysenter_cs;
    if (!(cpu->cr[0] & 1) || (cs & 0xFFFC) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    cpu->eflags &= ~(FL_VM | FL_IF | FL_RF);
    flat_seg(&cpu->seg[S_CS], cs & 0xFFFC, true, 0);
    flat_seg(&cpu->seg[S_SS], (uint16_t)((cs & 0xFFFC) + 8), false, 0);
    cpu->cpl = 0;
    cpu->r[R_ESP] = (uint32_t)cpu->msr_sysenter_esp;
    cpu->eip = (uint32_t)cpu->msr_sysenter_eip;
    cpu_update_mode(cpu);
}

void op_sysexit(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint16_t cs = (uint16_t)cpu->msr_sysenter_cs;
    if (cpu->mode != MODE_PROT || cpu->cpl != 0 || (cs & 0xFFFC) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    flat_seg(&cpu->seg[S_CS], (uint16_t)((cs + 16) | 3), true, 3);
    flat_seg(&cpu->seg[S_SS], (uint16_t)((cs + 24) | 3), false, 3);
    cpu->cpl = 3;
    cpu->r[R_ESP] = cpu->r[R_ECX];
    cpu->eip = cpu->r[R_EDX];
}
