/* Flag instructions, HLT, WAIT/ESC, port I/O, CPUID, RDTSC, MSRs, descriptor-table
 * registers, MSW/CR0 and the control/debug register moves (SDM Vol. 2, Vol. 3A ch. 2). */
#include "cpu/exec.h"
#include "cpu/handlers.h"
#include "cpu/observe.h"

static void require_cpl0(struct cpu *cpu)
{
    if (cpu->mode != MODE_REAL && cpu->cpl != 0)
        cpu_fault(cpu, EXC_GP, 0);
}

void op_clc(struct cpu *cpu, const struct insn *in) { (void)in; set_flags_eager(cpu, FL_CF, 0); }
void op_stc(struct cpu *cpu, const struct insn *in) { (void)in; set_flags_eager(cpu, FL_CF, FL_CF); }
void op_cmc(struct cpu *cpu, const struct insn *in) { (void)in; set_flags_eager(cpu, FL_CF, get_cf(cpu) ? 0 : FL_CF); }
void op_cld(struct cpu *cpu, const struct insn *in) { (void)in; cpu->eflags &= ~FL_DF; }
void op_std(struct cpu *cpu, const struct insn *in) { (void)in; cpu->eflags |= FL_DF; }

/* CLI/STI need CPL <= IOPL outside real mode (the VME/PVI variants come with V86 mode). */
void op_cli(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->mode != MODE_REAL && cpu->cpl > iopl(cpu)) {
        if (!vif_mode(cpu))
            cpu_fault(cpu, EXC_GP, 0);
        cpu->eflags &= ~FL_VIF;
        return;
    }
    cpu->eflags &= ~FL_IF;
}

void op_sti(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->mode != MODE_REAL && cpu->cpl > iopl(cpu)) {
        if (!vif_mode(cpu) || (cpu->eflags & FL_VIP))
            cpu_fault(cpu, EXC_GP, 0);
        cpu->eflags |= FL_VIF;
        return;
    }
    if (!(cpu->eflags & FL_IF))
        cpu->inhibit |= INHIBIT_IRQ; /* interrupts wait until after the next instruction */
    cpu->eflags |= FL_IF;
}

void op_hlt(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    cpu->halted = 1;
}

/* WAIT: #NM when CR0.MP and TS are both set; with an x87, a pending unmasked exception is
 * delivered (cpu/fpu). ESC without a coprocessor (models without x87, see cpu/opcodes.def):
 * CR0.EM/TS give #NM as the manual says; otherwise ESC only addresses its memory operand,
 * whose limit check still faults, as on a 286 without an 80287 (286-real/D8.MOO.gz: #GP at
 * [si] with SI near 0xFFFF). */
void op_wait(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if ((cpu->cr[0] & 0xA) == 0xA) /* MP and TS */
        cpu_fault(cpu, EXC_NM, 0);
    if (cpu->info->has_fpu)
        fpu_wait(cpu);
}

/* Bytes each x87 memory form addresses (SDM Vol. 1 ch. 8: m32, m64, m80, m16, env, state),
 * indexed by escape (D8-DF) and reg; 16-bit environment/state sizes. */
static const uint8_t esc_size[8][8] = {
    { 4, 4, 4, 4, 4, 4, 4, 4 },          /* D8: m32real */
    { 4, 0, 4, 4, 14, 2, 14, 2 },        /* D9: fld/fst m32, fldenv, fldcw, fstenv, fstcw */
    { 4, 4, 4, 4, 4, 4, 4, 4 },          /* DA: m32int */
    { 4, 4, 4, 4, 0, 10, 0, 10 },        /* DB: m32int, fld/fstp m80 */
    { 8, 8, 8, 8, 8, 8, 8, 8 },          /* DC: m64real */
    { 8, 8, 8, 8, 94, 0, 94, 2 },        /* DD: m64, frstor, fsave, fstsw */
    { 2, 2, 2, 2, 2, 2, 2, 2 },          /* DE: m16int */
    { 2, 2, 2, 2, 10, 8, 10, 8 },        /* DF: m16int, fbld/fbstp m80, fild/fistp m64 */
};

/* The 286 hands every ESC to its processor extension through I/O ports whether or not an
 * 80287 is there: the opcode word (ESC byte, ModRM) to port 0xF8, then the instruction's
 * CS:IP and, for a memory operand, its segment:offset to port 0xFC (286-real/D8.MOO.gz
 * bus cycles). The operand's limit check comes first. */
void op_esc(struct cpu *cpu, const struct insn *in)
{
    if (cpu->cr[0] & 0xC) /* EM or TS */
        cpu_fault(cpu, EXC_NM, 0);
    uint32_t off = 0;
    if (in->mod != 3) {
        unsigned size = esc_size[in->op & 7][in->reg];
        off = ea(cpu, in);
        if (size)
            seg_addr(cpu, in->seg, off, size > 4 ? 4 : size, SEG_OK_READ);
    }
    if (cpu->model == CPU_286) {
        uint8_t modrm = (uint8_t)(in->mod << 6 | in->reg << 3 | in->rm);
        iobus_out(cpu->io, 0xF8, 2, (uint32_t)modrm << 8 | (0xD8 | (in->op & 7)));
        iobus_out(cpu->io, 0xFC, 2, cpu->insn_eip & 0xFFFF);
        iobus_out(cpu->io, 0xFC, 2, cpu->seg[S_CS].sel);
        if (in->mod != 3) {
            iobus_out(cpu->io, 0xFC, 2, off);
            iobus_out(cpu->io, 0xFC, 2, cpu->seg[in->seg].sel);
        }
    }
}

/* Port I/O. */
void op_in_al_imm8(struct cpu *cpu, const struct insn *in) { io_check(cpu, (uint16_t)in->imm, 1); set_r8(cpu, R_EAX, (uint8_t)iobus_in(cpu->io, (uint16_t)in->imm, 1)); }
void op_in_ax_imm8(struct cpu *cpu, const struct insn *in) { io_check(cpu, (uint16_t)in->imm, 2); set_r16(cpu, R_EAX, (uint16_t)iobus_in(cpu->io, (uint16_t)in->imm, 2)); }
void op_in_eax_imm8(struct cpu *cpu, const struct insn *in) { io_check(cpu, (uint16_t)in->imm, 4); cpu->r[R_EAX] = iobus_in(cpu->io, (uint16_t)in->imm, 4); }
void op_out_imm8_al(struct cpu *cpu, const struct insn *in) { io_check(cpu, (uint16_t)in->imm, 1); iobus_out(cpu->io, (uint16_t)in->imm, 1, get_r8(cpu, R_EAX)); }
void op_out_imm8_ax(struct cpu *cpu, const struct insn *in) { io_check(cpu, (uint16_t)in->imm, 2); iobus_out(cpu->io, (uint16_t)in->imm, 2, get_r16(cpu, R_EAX)); }
void op_out_imm8_eax(struct cpu *cpu, const struct insn *in) { io_check(cpu, (uint16_t)in->imm, 4); iobus_out(cpu->io, (uint16_t)in->imm, 4, cpu->r[R_EAX]); }
void op_in_al_dx(struct cpu *cpu, const struct insn *in) { (void)in; uint16_t p = get_r16(cpu, R_EDX); io_check(cpu, p, 1); set_r8(cpu, R_EAX, (uint8_t)iobus_in(cpu->io, p, 1)); }
void op_in_ax_dx(struct cpu *cpu, const struct insn *in) { (void)in; uint16_t p = get_r16(cpu, R_EDX); io_check(cpu, p, 2); set_r16(cpu, R_EAX, (uint16_t)iobus_in(cpu->io, p, 2)); }
void op_in_eax_dx(struct cpu *cpu, const struct insn *in) { (void)in; uint16_t p = get_r16(cpu, R_EDX); io_check(cpu, p, 4); cpu->r[R_EAX] = iobus_in(cpu->io, p, 4); }
void op_out_dx_al(struct cpu *cpu, const struct insn *in) { (void)in; uint16_t p = get_r16(cpu, R_EDX); io_check(cpu, p, 1); iobus_out(cpu->io, p, 1, get_r8(cpu, R_EAX)); }
void op_out_dx_ax(struct cpu *cpu, const struct insn *in) { (void)in; uint16_t p = get_r16(cpu, R_EDX); io_check(cpu, p, 2); iobus_out(cpu->io, p, 2, get_r16(cpu, R_EAX)); }
void op_out_dx_eax(struct cpu *cpu, const struct insn *in) { (void)in; uint16_t p = get_r16(cpu, R_EDX); io_check(cpu, p, 4); iobus_out(cpu->io, p, 4, cpu->r[R_EAX]); }

/* CPUID (SDM Vol. 2A): leaves above the maximum return the maximum leaf's values. */
void op_cpuid(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    const struct cpu_model_info *m = cpu->info;
    uint32_t leaf = cpu->r[R_EAX];
    if (leaf > m->cpuid_max)
        leaf = m->cpuid_max;
    uint32_t a = 0, b = 0, c = 0, d = 0;
    switch (leaf) {
    case 0: {
        const char *v = m->vendor;
        a = m->cpuid_max;
        for (int i = 0; i < 4; i++) {
            b |= (uint32_t)(uint8_t)v[i] << (8 * i);
            d |= (uint32_t)(uint8_t)v[4 + i] << (8 * i);
            c |= (uint32_t)(uint8_t)v[8 + i] << (8 * i);
        }
        break;
    }
    case 1:
        a = m->cpuid_sig;
        c = m->cpuid_features_ecx;
        d = m->cpuid_features_edx;
        break;
    case 2: /* cache and TLB descriptors of a Pentium II (SDM Vol. 2A Table 3-12) */
        a = 0x03020101;
        d = 0x0C040843;
        break;
    }
    cpu->r[R_EAX] = a;
    cpu->r[R_EBX] = b;
    cpu->r[R_ECX] = c;
    cpu->r[R_EDX] = d;
}

/* Time-stamp counter: the time base (the platform's clock, or instructions retired) plus
 * the offset software wrote (MSR 0x10). */
static uint64_t tsc_base(const struct cpu *cpu)
{
    return cpu->tsc_clock ? cpu->tsc_clock(cpu->tsc_opaque) : cpu->icount;
}

static uint64_t tsc_now(const struct cpu *cpu)
{
    return tsc_base(cpu) + cpu->tsc;
}

void op_rdtsc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if ((cpu->cr[4] & (1u << 2)) && cpu->mode != MODE_REAL && cpu->cpl != 0) /* CR4.TSD */
        cpu_fault(cpu, EXC_GP, 0);
    uint64_t t = tsc_now(cpu);
    cpu->r[R_EAX] = (uint32_t)t;
    cpu->r[R_EDX] = (uint32_t)(t >> 32);
}

/* The model-specific registers orrery has (SDM Vol. 4). Each is storage with the bits a
 * write keeps, or computed (the TSC); an MSR the model lacks is #GP(0). */
enum {
    MSR_P5_MC_ADDR = 0x0, MSR_P5_MC_TYPE = 0x1, MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17,
    MSR_BIOS_SIGN_ID = 0x8B, MSR_PERFCTR0 = 0xC1, MSR_PERFCTR1 = 0xC2,
    MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
    MSR_EVNTSEL0 = 0x186, MSR_EVNTSEL1 = 0x187,
};

struct msr_slot {
    uint64_t *store;  /* NULL: reads as 0, writes ignored */
    uint64_t wmask;   /* bits a write keeps */
};

static bool msr_lookup(struct cpu *cpu, uint32_t n, struct msr_slot *s)
{
    const bool p6 = cpu->model >= CPU_P2;
    s->store = NULL;
    s->wmask = 0;
    switch (n) {
    case MSR_P5_MC_ADDR:
    case MSR_P5_MC_TYPE: return true;
    case MSR_PLATFORM_ID:
    case MSR_BIOS_SIGN_ID: return p6;
    case MSR_SYSENTER_CS: s->store = &cpu->msr_sysenter_cs; s->wmask = 0xFFFF; return p6;
    case MSR_SYSENTER_ESP: s->store = &cpu->msr_sysenter_esp; s->wmask = 0xFFFFFFFFu; return p6;
    case MSR_SYSENTER_EIP: s->store = &cpu->msr_sysenter_eip; s->wmask = 0xFFFFFFFFu; return p6;
    case MSR_PERFCTR0: s->store = &cpu->perfctr[0]; s->wmask = 0xFFFFFFFFFFull; return p6;
    case MSR_PERFCTR1: s->store = &cpu->perfctr[1]; s->wmask = 0xFFFFFFFFFFull; return p6;
    case MSR_EVNTSEL0: s->store = &cpu->evntsel[0]; s->wmask = 0xFFFFFFFFu; return p6;
    case MSR_EVNTSEL1: s->store = &cpu->evntsel[1]; s->wmask = 0xFFFFFFFFu; return p6;
    default: return false;
    }
}

/* RDPMC (SDM Vol. 2B): counters 0 and 1 of the P6, readable at CPL 0 or with CR4.PCE.
 * orrery counts no events, so a counter holds what WRMSR last wrote (40 bits). */
void op_rdpmc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->mode != MODE_REAL && cpu->cpl != 0 && !(cpu->cr[4] & (1u << 8)))
        cpu_fault(cpu, EXC_GP, 0);
    uint32_t n = cpu->r[R_ECX];
    if (n > 1)
        cpu_fault(cpu, EXC_GP, 0);
    cpu->r[R_EAX] = (uint32_t)cpu->perfctr[n];
    cpu->r[R_EDX] = (uint32_t)(cpu->perfctr[n] >> 32) & 0xFF;
}

void op_rdmsr(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    uint32_t n = cpu->r[R_ECX];
    struct msr_slot s;
    uint64_t v;
    if (n == MSR_TSC)
        v = tsc_now(cpu);
    else if (msr_lookup(cpu, n, &s))
        v = s.store ? *s.store : 0;
    else
        cpu_fault(cpu, EXC_GP, 0);
    cpu->r[R_EAX] = (uint32_t)v;
    cpu->r[R_EDX] = (uint32_t)(v >> 32);
}

void op_wrmsr(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    uint32_t n = cpu->r[R_ECX];
    uint64_t v = ((uint64_t)cpu->r[R_EDX] << 32) | cpu->r[R_EAX];
    struct msr_slot s;
    if (n == MSR_TSC)
        cpu->tsc = v - tsc_base(cpu);
    else if (!msr_lookup(cpu, n, &s))
        cpu_fault(cpu, EXC_GP, 0);
    else if (s.store)
        *s.store = v & s.wmask;
}

/* SGDT/SIDT store limit and base; with a 16-bit operand size the 386 on store 24 bits of
 * base and a zero byte, the 286 stores 0xFF there (SDM Vol. 2B "SGDT"). */
static void store_dtr(struct cpu *cpu, const struct insn *in, const struct dtr *t)
{
    uint32_t off = ea(cpu, in);
    uint32_t base = t->base;
    if (!in->o32)
        base = (base & 0x00FFFFFF) | (cpu->model == CPU_286 ? 0xFF000000u : 0);
    wr16(cpu, in->seg, off, t->limit);
    wr32(cpu, in->seg, (off + 2) & in->addr_mask, base);
}

void op_sgdt(struct cpu *cpu, const struct insn *in) { store_dtr(cpu, in, &cpu->gdtr); }
void op_sidt(struct cpu *cpu, const struct insn *in) { store_dtr(cpu, in, &cpu->idtr); }

static void load_dtr(struct cpu *cpu, const struct insn *in, struct dtr *t, bool o32)
{
    require_cpl0(cpu);
    uint32_t off = ea(cpu, in);
    uint16_t limit = rd16(cpu, in->seg, off);
    uint32_t base = rd32(cpu, in->seg, (off + 2) & in->addr_mask);
    t->limit = limit;
    t->base = o32 ? base : base & 0x00FFFFFF;
}

void op_lgdt16(struct cpu *cpu, const struct insn *in) { load_dtr(cpu, in, &cpu->gdtr, false); }
void op_lgdt32(struct cpu *cpu, const struct insn *in) { load_dtr(cpu, in, &cpu->gdtr, true); }
void op_lidt16(struct cpu *cpu, const struct insn *in) { load_dtr(cpu, in, &cpu->idtr, false); }
void op_lidt32(struct cpu *cpu, const struct insn *in) { load_dtr(cpu, in, &cpu->idtr, true); }

/* SMSW: the low 16 bits of CR0 (the 286's MSW reads its unused bits as 1); a 32-bit
 * register destination gets all of CR0 on the 386 and later. */
void op_smsw(struct cpu *cpu, const struct insn *in)
{
    uint32_t v = cpu->cr[0];
    if (in->mod == 3 && in->o32)
        cpu->r[in->rm] = v;
    else
        rm16_write(cpu, in, (uint16_t)v);
}

/* LMSW loads PE, MP, EM, TS; it can set PE but not clear it. */
void op_lmsw(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint16_t v = rm16_read(cpu, in);
    uint32_t cr0 = (cpu->cr[0] & ~0xEu) | (v & 0xF) | (cpu->cr[0] & 1);
    cpu_write_cr0(cpu, cr0);
}

void op_clts(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    cpu->cr[0] &= ~8u;
}

/* No caches are modelled, so there is nothing to write back or drop. */
void op_invd(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
}

/* INVLPG m: drops the TLB entries of the page holding the operand's linear address,
 * global ones too. The operand is not accessed, so no limit check or fault (SDM Vol. 2A). */
void op_invlpg(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint32_t lin = cpu->seg[in->seg].base + ea(cpu, in);
    tlb_flush_page(&cpu->tlb, lin);
    obs_mmu(cpu, CPU_OBS_FLUSH_PAGE, lin, 0);
}

/* A control register that does not exist is #UD, found while decoding and so before the
 * privilege check's #GP (SDM Vol. 3A §6.9 Table 6-2; the host processor agrees). */
void op_mov_r32_cr(struct cpu *cpu, const struct insn *in)
{
    unsigned n = in->reg;
    if (n == 1 || n > 4 || (n == 4 && cpu->model < CPU_PENTIUM))
        cpu_fault(cpu, EXC_UD, 0);
    require_cpl0(cpu);
    cpu->r[in->rm] = cpu->cr[n];
}

void op_mov_cr_r32(struct cpu *cpu, const struct insn *in)
{
    unsigned n = in->reg;
    uint32_t v = cpu->r[in->rm];
    if (n == 1 || n > 4 || (n == 4 && cpu->model < CPU_PENTIUM))
        cpu_fault(cpu, EXC_UD, 0);
    require_cpl0(cpu);
    switch (n) {
    case 0: cpu_write_cr0(cpu, v); break;
    case 2: cpu->cr[2] = v; break;
    case 3: cpu_write_cr3(cpu, v); break;
    case 4: cpu_write_cr4(cpu, v); break;
    }
}

/* DR4/DR5 are DR6/DR7 unless CR4.DE makes them #UD (SDM Vol. 3A §17.2.2). */
static unsigned dr_index(struct cpu *cpu, unsigned n)
{
    if (n == 4 || n == 5) {
        if (cpu->cr[4] & (1u << 3))
            cpu_fault(cpu, EXC_UD, 0);
        n += 2;
    }
    return n;
}

void op_mov_r32_dr(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    unsigned n = dr_index(cpu, in->reg);
    debug_check_gd(cpu);
    cpu->r[in->rm] = cpu->dr[n];
}

void op_mov_dr_r32(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    unsigned n = dr_index(cpu, in->reg);
    debug_check_gd(cpu);
    uint32_t v = cpu->r[in->rm];
    if (n == 6)
        v = (v & 0x0000E00Fu) | 0xFFFF0FF0u;
    else if (n == 7)
        v = (v & 0xFFFF2BFFu) | 0x400u;
    cpu->dr[n] = v;
    debug_update(cpu);
}
