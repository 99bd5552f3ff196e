/* System management mode (SDM Vol. 3C chapter 34, "System Management Mode"), as the
 * Pentium and P6 family have it.
 *
 * An SMI (the platform's SMI# pin, cpu_raise_smi) is taken at an instruction boundary,
 * before INTR and whatever IF says, and wakes a HLT. The processor tells the platform it
 * enters SMM (SMIACT#, the smm_changed hook: the chipset then shows SMRAM), saves its state
 * in SMRAM at SMBASE + 0xFE00-0xFFFF and starts the handler at SMBASE + 0x8000 in a real-
 * address-like mode with 4 GiB segment limits (Table 34-4). Further SMIs are latched while
 * in SMM and taken after RSM. RSM restores everything from the save area (a handler may
 * have changed it), takes a new SMBASE from its field (SMBASE relocation), and goes back
 * into HLT when the auto HALT restart field says so.
 *
 * The save area: the architectural fields of Table 34-1 at their offsets; the hidden parts
 * (segment caches, descriptor-table registers, CR4, CPL), which Table 34-1 leaves to the
 * implementation in its reserved area 7E00h-7EF7h, in this file's own layout (below). */
#include "cpu/cpu.h"
#include "cpu/exec.h"
#include "cpu/handlers.h"
#include "cpu/observe.h"
#include "cpu/transfer.h"

/* Offsets from SMBASE + 0x8000 (Table 34-1). */
enum {
    SMM_CR0 = 0x7FFC, SMM_CR3 = 0x7FF8, SMM_EFLAGS = 0x7FF4, SMM_EIP = 0x7FF0,
    SMM_GPR = 0x7FD0,        /* EAX at 7FD0 up to EDI at 7FEC: encoding order */
    SMM_DR6 = 0x7FCC, SMM_DR7 = 0x7FC8, SMM_TR = 0x7FC4,
    SMM_SEL = 0x7FA8,        /* ES 7FA8, CS 7FAC, SS 7FB0, DS 7FB4, FS 7FB8, GS 7FBC */
    SMM_IO_RESTART = 0x7F00, SMM_AUTO_HALT = 0x7F02,
    SMM_REVISION = 0x7EFC, SMM_SMBASE = 0x7EF8,
    /* The implementation's part: 12 bytes per cache (base, limit, attr, ok, pad). */
    SMM_SEGCACHE = 0x7E00,   /* the six segment registers, then LDTR, then TR */
    SMM_LDTR_SEL = 0x7E60, SMM_GDTR_LIMIT = 0x7E62, SMM_GDTR_BASE = 0x7E64,
    SMM_IDTR_LIMIT = 0x7E68, SMM_IDTR_BASE = 0x7E6C, SMM_CR4 = 0x7E70, SMM_CPL = 0x7E74,
};
/* Revision 0, SMBASE relocation supported (bit 17), no I/O instruction restart. */
#define SMM_REVISION_ID 0x00020000u

static void put(struct cpu *cpu, uint32_t off, unsigned size, uint32_t v)
{
    physmem_write(cpu->mem, cpu->smbase + 0x8000u + off, size, v);
}

static uint32_t get(struct cpu *cpu, uint32_t off, unsigned size)
{
    return physmem_read(cpu->mem, cpu->smbase + 0x8000u + off, size);
}

static void put_cache(struct cpu *cpu, unsigned i, const struct seg_cache *c)
{
    uint32_t at = SMM_SEGCACHE + 12 * i;
    put(cpu, at, 4, c->base);
    put(cpu, at + 4, 4, c->limit);
    put(cpu, at + 8, 2, c->attr);
    put(cpu, at + 10, 1, c->ok);
}

static void get_cache(struct cpu *cpu, unsigned i, struct seg_cache *c)
{
    uint32_t at = SMM_SEGCACHE + 12 * i;
    c->base = get(cpu, at, 4);
    c->limit = get(cpu, at + 4, 4);
    c->attr = (uint16_t)get(cpu, at + 8, 2);
    c->ok = (uint8_t)(get(cpu, at + 10, 1) & (SEG_OK_READ | SEG_OK_WRITE | SEG_EXPDOWN));
}

static void smiact(struct cpu *cpu, bool on)
{
    cpu->smm = on;
    if (cpu->smm_changed)
        cpu->smm_changed(cpu->smm_opaque, on);
}

void cpu_enter_smm(struct cpu *cpu)
{
    struct cpu_obs_intr ev;
    const bool observed = obs_wants_intr(cpu);
    if (observed) { /* between instructions: from the one about to run */
        obs_intr_begin(cpu, &ev, CPU_OBS_SMI, 0);
        ev.eip_from = cpu->eip;
        ev.lin_from = cpu->seg[S_CS].base + cpu->eip;
    }
    cpu->intr_line &= (uint8_t)~CPU_PIN_SMI;
    smiact(cpu, true);

    put(cpu, SMM_CR0, 4, cpu->cr[0]);
    put(cpu, SMM_CR3, 4, cpu->cr[3]);
    put(cpu, SMM_EFLAGS, 4, cpu_get_eflags(cpu));
    put(cpu, SMM_EIP, 4, cpu->eip);
    for (unsigned r = 0; r < 8; r++)
        put(cpu, SMM_GPR + 4 * r, 4, cpu->r[r]);
    put(cpu, SMM_DR6, 4, cpu->dr[6]);
    put(cpu, SMM_DR7, 4, cpu->dr[7]);
    put(cpu, SMM_TR, 4, cpu->tr.sel);
    for (unsigned s = 0; s < S_COUNT; s++) {
        put(cpu, SMM_SEL + 4 * s, 4, cpu->seg[s].sel);
        put_cache(cpu, s, &cpu->seg[s]);
    }
    put_cache(cpu, S_COUNT, &cpu->ldtr);
    put_cache(cpu, S_COUNT + 1, &cpu->tr);
    put(cpu, SMM_LDTR_SEL, 2, cpu->ldtr.sel);
    put(cpu, SMM_GDTR_LIMIT, 2, cpu->gdtr.limit);
    put(cpu, SMM_GDTR_BASE, 4, cpu->gdtr.base);
    put(cpu, SMM_IDTR_LIMIT, 2, cpu->idtr.limit);
    put(cpu, SMM_IDTR_BASE, 4, cpu->idtr.base);
    put(cpu, SMM_CR4, 4, cpu->cr[4]);
    put(cpu, SMM_CPL, 1, cpu->cpl);
    put(cpu, SMM_IO_RESTART, 2, 0);
    put(cpu, SMM_AUTO_HALT, 2, cpu->halted ? 1 : 0);
    put(cpu, SMM_REVISION, 4, SMM_REVISION_ID);
    put(cpu, SMM_SMBASE, 4, cpu->smbase);

    /* Table 34-4: the handler's starting state. */
    cpu->halted = 0;
    cpu->inhibit = 0;
    cpu_set_eflags(cpu, 0);
    cpu->cr[0] &= ~(CR0_PE | 0x4u /* EM */ | 0x8u /* TS */ | CR0_PG);
    cpu->cr[4] = 0;
    cpu->dr[7] = 0x400;
    debug_update(cpu);
    for (int s = 0; s < S_COUNT; s++) {
        struct seg_cache *c = &cpu->seg[s];
        c->sel = 0;
        c->base = 0;
        c->limit = 0xFFFFFFFFu;
        c->attr = 0x93;
        c->ok = SEG_OK_READ | SEG_OK_WRITE;
    }
    cpu->seg[S_CS].sel = (uint16_t)(cpu->smbase >> 4);
    cpu->seg[S_CS].base = cpu->smbase;
    cpu->seg[S_CS].attr = 0x9B;
    cpu->eip = 0x8000;
    cpu_update_mode(cpu);
    tlb_flush_all(&cpu->tlb);
    obs_mmu(cpu, CPU_OBS_FLUSH_ALL, 0, 0);
    if (observed)
        obs_intr_end(cpu, &ev);
}

/* A saved state no processor could be in: RSM shuts the processor down (§34.5). */
static bool state_invalid(uint32_t cr0, uint32_t cr4)
{
    return ((cr0 & CR0_PG) && !(cr0 & CR0_PE)) || ((cr0 & CR0_NW) && !(cr0 & CR0_CD)) ||
           (cr4 & ~0x3FFu);
}

void op_rsm(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (!cpu->smm)
        cpu_fault(cpu, EXC_UD, 0);
    uint32_t cr0 = get(cpu, SMM_CR0, 4), cr4 = get(cpu, SMM_CR4, 4);
    if (state_invalid(cr0, cr4)) {
        smiact(cpu, false);
        cpu->shutdown = 1;
        cpu->stop_reason = "RSM to an invalid saved state (shutdown)";
        return;
    }
    struct cpu_obs_intr ev;
    const bool observed = obs_wants_intr(cpu);
    if (observed)
        obs_intr_begin(cpu, &ev, CPU_OBS_RSM, 0);
    for (unsigned r = 0; r < 8; r++)
        cpu->r[r] = get(cpu, SMM_GPR + 4 * r, 4);
    for (unsigned s = 0; s < S_COUNT; s++) {
        cpu->seg[s].sel = (uint16_t)get(cpu, SMM_SEL + 4 * s, 4);
        get_cache(cpu, s, &cpu->seg[s]);
    }
    get_cache(cpu, S_COUNT, &cpu->ldtr);
    get_cache(cpu, S_COUNT + 1, &cpu->tr);
    cpu->ldtr.sel = (uint16_t)get(cpu, SMM_LDTR_SEL, 2);
    cpu->tr.sel = (uint16_t)get(cpu, SMM_TR, 4);
    cpu->gdtr.limit = (uint16_t)get(cpu, SMM_GDTR_LIMIT, 2);
    cpu->gdtr.base = get(cpu, SMM_GDTR_BASE, 4);
    cpu->idtr.limit = (uint16_t)get(cpu, SMM_IDTR_LIMIT, 2);
    cpu->idtr.base = get(cpu, SMM_IDTR_BASE, 4);
    cpu->dr[6] = get(cpu, SMM_DR6, 4);
    cpu->dr[7] = get(cpu, SMM_DR7, 4);
    cpu->eip = get(cpu, SMM_EIP, 4);
    cpu->cr[3] = get(cpu, SMM_CR3, 4);
    cpu->cr[4] = cr4;
    cpu->cr[0] = cr0;
    cpu_set_eflags(cpu, get(cpu, SMM_EFLAGS, 4));
    cpu->cpl = (uint8_t)(get(cpu, SMM_CPL, 1) & 3);
    cpu_update_mode(cpu);
    debug_update(cpu);
    bool halt = get(cpu, SMM_AUTO_HALT, 2) & 1;
    if (get(cpu, SMM_REVISION, 4) & (1u << 17))
        cpu->smbase = get(cpu, SMM_SMBASE, 4);
    smiact(cpu, false);
    tlb_flush_all(&cpu->tlb);
    obs_mmu(cpu, CPU_OBS_FLUSH_ALL, 0, 0);
    if ((cr0 & CR0_PG) && (cr4 & CR4_PAE))
        cpu_load_pdptes(cpu, cpu->cr[3]);
    cpu->halted = halt;
    if (observed)
        obs_intr_end(cpu, &ev);
}
