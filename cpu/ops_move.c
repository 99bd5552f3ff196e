/* Data movement: MOV in all forms, XCHG, LEA, far pointer loads, MOVSX/MOVZX, XLAT,
 * CBW/CWD family, LAHF/SAHF, BSWAP, CMOVcc, SETcc, NOP (SDM Vol. 2). */
#include "cpu/exec.h"
#include "cpu/handlers.h"

void op_nop(struct cpu *cpu, const struct insn *in) { (void)cpu; (void)in; }

void op_mov_rm8_r8(struct cpu *cpu, const struct insn *in) { rm8_write(cpu, in, get_r8(cpu, in->reg)); }
void op_mov_rm16_r16(struct cpu *cpu, const struct insn *in) { rm16_write(cpu, in, get_r16(cpu, in->reg)); }
void op_mov_rm32_r32(struct cpu *cpu, const struct insn *in) { rm32_write(cpu, in, cpu->r[in->reg]); }
void op_mov_r8_rm8(struct cpu *cpu, const struct insn *in) { set_r8(cpu, in->reg, rm8_read(cpu, in)); }
void op_mov_r16_rm16(struct cpu *cpu, const struct insn *in) { set_r16(cpu, in->reg, rm16_read(cpu, in)); }
void op_mov_r32_rm32(struct cpu *cpu, const struct insn *in) { cpu->r[in->reg] = rm32_read(cpu, in); }
void op_mov_rm8_imm(struct cpu *cpu, const struct insn *in) { rm8_write(cpu, in, (uint8_t)in->imm); }
void op_mov_rm16_imm(struct cpu *cpu, const struct insn *in) { rm16_write(cpu, in, (uint16_t)in->imm); }
void op_mov_rm32_imm(struct cpu *cpu, const struct insn *in) { rm32_write(cpu, in, in->imm); }
void op_mov_r8_imm(struct cpu *cpu, const struct insn *in) { set_r8(cpu, in->op & 7, (uint8_t)in->imm); }
void op_mov_r16_imm(struct cpu *cpu, const struct insn *in) { set_r16(cpu, in->op & 7, (uint16_t)in->imm); }
void op_mov_r32_imm(struct cpu *cpu, const struct insn *in) { cpu->r[in->op & 7] = in->imm; }

void op_mov_al_moffs(struct cpu *cpu, const struct insn *in) { set_r8(cpu, R_EAX, rd8(cpu, in->seg, in->imm)); }
void op_mov_ax_moffs(struct cpu *cpu, const struct insn *in) { set_r16(cpu, R_EAX, rd16(cpu, in->seg, in->imm)); }
void op_mov_eax_moffs(struct cpu *cpu, const struct insn *in) { cpu->r[R_EAX] = rd32(cpu, in->seg, in->imm); }
void op_mov_moffs_al(struct cpu *cpu, const struct insn *in) { wr8(cpu, in->seg, in->imm, get_r8(cpu, R_EAX)); }
void op_mov_moffs_ax(struct cpu *cpu, const struct insn *in) { wr16(cpu, in->seg, in->imm, get_r16(cpu, R_EAX)); }
void op_mov_moffs_eax(struct cpu *cpu, const struct insn *in) { wr32(cpu, in->seg, in->imm, cpu->r[R_EAX]); }

/* Segment registers that exist: ES CS SS DS, and FS GS from the 386 on. */
static bool sreg_valid(const struct cpu *cpu, unsigned s)
{
    return s < (cpu->model >= CPU_386 ? 6u : 4u);
}

/* MOV r/m, Sreg: a register destination takes the selector zero-extended with a 32-bit
 * operand size (P6 family); memory always gets 16 bits. */
void op_mov_rm_sreg(struct cpu *cpu, const struct insn *in)
{
    if (!sreg_valid(cpu, in->reg))
        cpu_fault(cpu, EXC_UD, 0);
    uint16_t sel = cpu->seg[in->reg].sel;
    if (in->mod == 3 && in->o32)
        cpu->r[in->rm] = sel;
    else
        rm16_write(cpu, in, sel);
}

/* MOV Sreg, r/m: CS cannot be loaded; loading SS shadows the next instruction. */
void op_mov_sreg_rm(struct cpu *cpu, const struct insn *in)
{
    if (!sreg_valid(cpu, in->reg) || in->reg == S_CS)
        cpu_fault(cpu, EXC_UD, 0);
    load_seg(cpu, in->reg, rm16_read(cpu, in));
    if (in->reg == S_SS)
        cpu->inhibit = INHIBIT_IRQ | INHIBIT_DEBUG;
}

void op_xchg_rm8_r8(struct cpu *cpu, const struct insn *in)
{
    uint8_t a = rm8_read_rmw(cpu, in), b = get_r8(cpu, in->reg);
    rm8_write(cpu, in, b);
    set_r8(cpu, in->reg, a);
}

void op_xchg_rm16_r16(struct cpu *cpu, const struct insn *in)
{
    uint16_t a = rm16_read_rmw(cpu, in), b = get_r16(cpu, in->reg);
    rm16_write(cpu, in, b);
    set_r16(cpu, in->reg, a);
}

void op_xchg_rm32_r32(struct cpu *cpu, const struct insn *in)
{
    uint32_t a = rm32_read_rmw(cpu, in), b = cpu->r[in->reg];
    rm32_write(cpu, in, b);
    cpu->r[in->reg] = a;
}

void op_xchg_ax_r16(struct cpu *cpu, const struct insn *in)
{
    unsigned n = in->op & 7;
    uint16_t a = get_r16(cpu, R_EAX);
    set_r16(cpu, R_EAX, get_r16(cpu, n));
    set_r16(cpu, n, a);
}

void op_xchg_eax_r32(struct cpu *cpu, const struct insn *in)
{
    unsigned n = in->op & 7;
    uint32_t a = cpu->r[R_EAX];
    cpu->r[R_EAX] = cpu->r[n];
    cpu->r[n] = a;
}

void op_lea16(struct cpu *cpu, const struct insn *in) { set_r16(cpu, in->reg, (uint16_t)ea(cpu, in)); }
void op_lea32(struct cpu *cpu, const struct insn *in) { cpu->r[in->reg] = ea(cpu, in); }

/* LDS/LES/LFS/LGS/LSS: offset then selector from memory; the segment is loaded first so
 * that a faulting load leaves the register unchanged. LSS opens no interrupt shadow: only
 * MOV SS and POP SS do (SDM Vol. 3A §6.8.3; LSS loads SS:SP at once, which is its point). */
static void load_far_ptr(struct cpu *cpu, const struct insn *in, int sreg, bool o32)
{
    uint32_t off = ea(cpu, in);
    uint32_t v = o32 ? rd32(cpu, in->seg, off) : rd16(cpu, in->seg, off);
    uint16_t sel = rd16(cpu, in->seg, (off + (o32 ? 4 : 2)) & in->addr_mask);
    load_seg(cpu, sreg, sel);
    if (o32)
        cpu->r[in->reg] = v;
    else
        set_r16(cpu, in->reg, (uint16_t)v);
}

void op_les16(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_ES, false); }
void op_les32(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_ES, true); }
void op_lds16(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_DS, false); }
void op_lds32(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_DS, true); }
void op_lss16(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_SS, false); }
void op_lss32(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_SS, true); }
void op_lfs16(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_FS, false); }
void op_lfs32(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_FS, true); }
void op_lgs16(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_GS, false); }
void op_lgs32(struct cpu *cpu, const struct insn *in) { load_far_ptr(cpu, in, S_GS, true); }

void op_movzx_r16_rm8(struct cpu *cpu, const struct insn *in) { set_r16(cpu, in->reg, rm8_read(cpu, in)); }
void op_movzx_r32_rm8(struct cpu *cpu, const struct insn *in) { cpu->r[in->reg] = rm8_read(cpu, in); }
void op_movzx_r16_rm16(struct cpu *cpu, const struct insn *in) { set_r16(cpu, in->reg, rm16_read(cpu, in)); }
void op_movzx_r32_rm16(struct cpu *cpu, const struct insn *in) { cpu->r[in->reg] = rm16_read(cpu, in); }
void op_movsx_r16_rm8(struct cpu *cpu, const struct insn *in) { set_r16(cpu, in->reg, (uint16_t)(int8_t)rm8_read(cpu, in)); }
void op_movsx_r32_rm8(struct cpu *cpu, const struct insn *in) { cpu->r[in->reg] = (uint32_t)(int32_t)(int8_t)rm8_read(cpu, in); }
void op_movsx_r16_rm16(struct cpu *cpu, const struct insn *in) { set_r16(cpu, in->reg, rm16_read(cpu, in)); }
void op_movsx_r32_rm16(struct cpu *cpu, const struct insn *in) { cpu->r[in->reg] = (uint32_t)(int32_t)(int16_t)rm16_read(cpu, in); }

void op_xlat(struct cpu *cpu, const struct insn *in)
{
    uint32_t off = (cpu->r[R_EBX] + get_r8(cpu, R_EAX)) & in->addr_mask;
    set_r8(cpu, R_EAX, rd8(cpu, in->seg, off));
}

void op_cbw(struct cpu *cpu, const struct insn *in) { (void)in; set_r16(cpu, R_EAX, (uint16_t)(int8_t)get_r8(cpu, R_EAX)); }
void op_cwde(struct cpu *cpu, const struct insn *in) { (void)in; cpu->r[R_EAX] = (uint32_t)(int32_t)(int16_t)cpu->r[R_EAX]; }
void op_cwd(struct cpu *cpu, const struct insn *in) { (void)in; set_r16(cpu, R_EDX, (cpu->r[R_EAX] & 0x8000) ? 0xFFFF : 0); }
void op_cdq(struct cpu *cpu, const struct insn *in) { (void)in; cpu->r[R_EDX] = (cpu->r[R_EAX] & 0x80000000u) ? 0xFFFFFFFFu : 0; }

/* LAHF/SAHF move SF ZF AF PF CF (bits 7, 6, 4, 2, 0) between AH and FLAGS. */
void op_lahf(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    set_r8(cpu, 4, (uint8_t)cpu_get_eflags(cpu));
}

void op_sahf(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    const uint32_t m = FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF;
    set_flags_eager(cpu, m, get_r8(cpu, 4));
}

/* BSWAP with a 16-bit operand is undefined; the P6 family leaves zero in the register. */
void op_bswap16(struct cpu *cpu, const struct insn *in) { set_r16(cpu, in->op & 7, 0); }

void op_bswap32(struct cpu *cpu, const struct insn *in)
{
    uint32_t v = cpu->r[in->op & 7];
    cpu->r[in->op & 7] = (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

/* CMOVcc reads its source even when the condition is false (a memory fault is taken). */
void op_cmov_r16_rm16(struct cpu *cpu, const struct insn *in)
{
    uint16_t v = rm16_read(cpu, in);
    if (cond(cpu, in->op & 15))
        set_r16(cpu, in->reg, v);
}

void op_cmov_r32_rm32(struct cpu *cpu, const struct insn *in)
{
    uint32_t v = rm32_read(cpu, in);
    if (cond(cpu, in->op & 15))
        cpu->r[in->reg] = v;
}

void op_setcc_rm8(struct cpu *cpu, const struct insn *in)
{
    rm8_write(cpu, in, cond(cpu, in->op & 15));
}
