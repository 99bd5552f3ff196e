/* What instruction handlers use: registers, faults, segmented memory, the stack.
 * Internal to cpu/. */
#ifndef ORRERY_CPU_EXEC_H
#define ORRERY_CPU_EXEC_H

#include <stdnoreturn.h>

#include "core/bits.h"
#include "core/compiler.h"
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/flags.h"

/* Raises a fault for the instruction in progress: architectural state returns to the
 * start of the instruction and the exception is delivered (cpu/exception.c). */
noreturn void cpu_fault(struct cpu *cpu, int vector, uint32_t error);

/* ---- registers ---- */

static ALWAYS_INLINE uint8_t get_r8(const struct cpu *cpu, unsigned n)
{
    return (uint8_t)(cpu->r[n & 3] >> ((n & 4) << 1));
}

static ALWAYS_INLINE void set_r8(struct cpu *cpu, unsigned n, uint8_t v)
{
    unsigned sh = (n & 4) << 1;
    cpu->r[n & 3] = (cpu->r[n & 3] & ~(0xFFu << sh)) | ((uint32_t)v << sh);
}

static ALWAYS_INLINE uint16_t get_r16(const struct cpu *cpu, unsigned n)
{
    return (uint16_t)cpu->r[n];
}

static ALWAYS_INLINE void set_r16(struct cpu *cpu, unsigned n, uint16_t v)
{
    cpu->r[n] = (cpu->r[n] & 0xFFFF0000u) | v;
}

static ALWAYS_INLINE void set_r32(struct cpu *cpu, unsigned n, uint32_t v)
{
    cpu->r[n] = v;
}

/* ---- memory ---- */

/* Linear memory: the software TLB (mmu/tlb.h, DESIGN.md "Memory"). A hit is an index, a
 * tag compare and a host load or store; the tag is compared with the page of the access's
 * last byte, so an access that crosses into the next page misses. Everything else -- TLB
 * misses, MMIO, ROM writes, code pages, pages not yet dirty, faults, page crossings -- goes
 * to the slow path in cpu/memory.c, which walks, checks, sets A/D, fills and accesses. */

/* CPL 3 is user mode (SDM Vol. 3A §4.6): TLB_USER, without a branch. */
static ALWAYS_INLINE unsigned tlb_user(const struct cpu *cpu)
{
    return (cpu->cpl + 1u) >> 2;
}

/* Debug registers (cpu/debug.c). */
void debug_update(struct cpu *cpu);
void debug_check_insn(struct cpu *cpu, uint32_t lin);
void debug_check_data(struct cpu *cpu, uint32_t lin, unsigned size, bool write);
void debug_check_io(struct cpu *cpu, uint16_t port, unsigned size);
void debug_check_gd(struct cpu *cpu);
/* debug_data's bits for a debugger's watchpoints (cpu/debugger.c) and a tracer's memory
 * hook (cpu/observe.c), beside DR0-DR3's. */
enum { DEBUG_DATA_DBG = 1u << 4, DEBUG_DATA_OBS = 1u << 5 };
/* The data accesses while any debug_data bit is set, out of line (cpu/debug.c): the
 * checks, the access, then the tracer's hook. sys: an implicit supervisor access. */
uint32_t debug_read(struct cpu *cpu, uint32_t lin, unsigned size, bool sys);
void debug_write(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t v, bool sys);

/* A debugger's checks around an instruction (cpu/debugger.c), made only while
 * cpu->dbg.active: true when the run must stop (before: a stop already decided, a
 * watchpoint hit by the delivery of an interrupt or exception, a breakpoint at the
 * instruction; after: a watchpoint hit or a step done). */
bool cpu_dbg_before(struct cpu *cpu);
bool cpu_dbg_after(struct cpu *cpu);
void cpu_dbg_check_watch(struct cpu *cpu, uint32_t lin, unsigned size, bool write);

uint32_t cpu_read_slow(struct cpu *cpu, uint32_t lin, unsigned size, unsigned kind);
/* The slow path of lin_probe_write: translates for a write (#PF), writes nothing. */
void cpu_probe_write(struct cpu *cpu, uint32_t lin, unsigned size);
void cpu_write_slow(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t v, unsigned kind);

static ALWAYS_INLINE uint32_t mem_read(struct cpu *cpu, uint32_t lin, unsigned size,
                                       unsigned kind)
{
    const struct tlb_entry *e = &cpu->tlb.e[kind][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag == ((lin + size - 1) & TLB_PAGE_MASK))) {
        const uint8_t *p = (const uint8_t *)(e->addend + lin);
        return load_le(p, size);
    }
    return cpu_read_slow(cpu, lin, size, kind);
}

static ALWAYS_INLINE void mem_write(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t v,
                                   unsigned kind)
{
    const struct tlb_entry *e = &cpu->tlb.e[kind][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag == ((lin + size - 1) & TLB_PAGE_MASK))) {
        uint8_t *p = (uint8_t *)(e->addend + lin);
        store_le(p, size, v);
        return;
    }
    cpu_write_slow(cpu, lin, size, v, kind);
}

/* Data accesses with the rights of the CPL. size is 1, 2 or 4. */
static ALWAYS_INLINE uint32_t lin_read(struct cpu *cpu, uint32_t lin, unsigned size)
{
    if (unlikely(cpu->debug_data))
        return debug_read(cpu, lin, size, false);
    return mem_read(cpu, lin, size, TLB_READ | tlb_user(cpu));
}

static ALWAYS_INLINE void lin_write(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t v)
{
    if (unlikely(cpu->debug_data)) {
        debug_write(cpu, lin, size, v, false);
        return;
    }
    mem_write(cpu, lin, size, v, TLB_WRITE | tlb_user(cpu));
}

/* The #PF a data write of size bytes at lin would raise, without writing (ENTER's probe);
 * a TLB hit costs no call. */
static ALWAYS_INLINE void lin_probe_write(struct cpu *cpu, uint32_t lin, unsigned size)
{
    unsigned kind = TLB_WRITE | tlb_user(cpu);
    const struct tlb_entry *e = &cpu->tlb.e[kind][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag == ((lin + size - 1) & TLB_PAGE_MASK)))
        return;
    cpu_probe_write(cpu, lin, size);
}

/* Implicit supervisor accesses (SDM Vol. 3A §4.6): descriptor tables, the TSS, the IDT --
 * supervisor rights whatever the CPL. */
static ALWAYS_INLINE uint32_t lin_read_sys(struct cpu *cpu, uint32_t lin, unsigned size)
{
    if (unlikely(cpu->debug_data & (DEBUG_DATA_DBG | DEBUG_DATA_OBS))) /* watched too */
        return debug_read(cpu, lin, size, true);
    return mem_read(cpu, lin, size, TLB_READ);
}

static ALWAYS_INLINE void lin_write_sys(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t v)
{
    if (unlikely(cpu->debug_data & (DEBUG_DATA_DBG | DEBUG_DATA_OBS))) {
        debug_write(cpu, lin, size, v, true);
        return;
    }
    mem_write(cpu, lin, size, v, TLB_WRITE);
}

/* Flushes the TLB when physical memory changed under it (A20, regions, code pages, dirty
 * bitmap: physmem gen). The execution loop calls it before every instruction. */
void cpu_tlb_resync(struct cpu *cpu);
static ALWAYS_INLINE void cpu_tlb_sync(struct cpu *cpu)
{
    if (unlikely(cpu->tlb.mem_gen != cpu->mem->gen))
        cpu_tlb_resync(cpu);
}

/* MOV CR3 (and task switches): PAE PDPTEs, TLB flush of non-global entries. */
void cpu_write_cr3(struct cpu *cpu, uint32_t v);
/* PAE: loads the PDPTE registers from the table at cr3, #GP(0) if one is malformed. */
void cpu_load_pdptes(struct cpu *cpu, uint32_t cr3);

/* The slow path of seg_addr: expand-down limits and every fault (cpu/segment.c). */
uint32_t seg_addr_slow(struct cpu *cpu, int s, uint32_t off, unsigned size, unsigned need);

/* Checks an access of size bytes at off through segment s for need (SEG_OK_READ,
 * SEG_OK_WRITE, or 0 for instruction fetch) against the type and limit (SDM Vol. 3A
 * §5.3, §5.4) and returns the linear address. */
static ALWAYS_INLINE uint32_t seg_addr(struct cpu *cpu, int s, uint32_t off, unsigned size,
                                       unsigned need)
{
    const struct seg_cache *sc = &cpu->seg[s];
    if (likely((sc->ok & (need | SEG_EXPDOWN)) == need && (uint64_t)off + size - 1 <= sc->limit))
        return sc->base + off;
    return seg_addr_slow(cpu, s, off, size, need);
}

/* Alignment check (SDM Vol. 3A §6.15, #AC): misaligned data at CPL 3 with CR0.AM and
 * EFLAGS.AC. EFLAGS.AC is rarely set, so the common path tests one bit. */
static ALWAYS_INLINE void align_check(struct cpu *cpu, uint32_t lin, unsigned size)
{
    if (unlikely(cpu->eflags & FL_AC) && (lin & (size - 1)) && (cpu->cr[0] & (1u << 18)) &&
        cpu->cpl == 3)
        cpu_fault(cpu, EXC_AC, 0);
}

static ALWAYS_INLINE uint8_t rd8(struct cpu *cpu, int s, uint32_t off)
{
    return (uint8_t)lin_read(cpu, seg_addr(cpu, s, off, 1, SEG_OK_READ), 1);
}
static ALWAYS_INLINE uint16_t rd16(struct cpu *cpu, int s, uint32_t off)
{
    uint32_t lin = seg_addr(cpu, s, off, 2, SEG_OK_READ);
    align_check(cpu, lin, 2);
    return (uint16_t)lin_read(cpu, lin, 2);
}
static ALWAYS_INLINE uint32_t rd32(struct cpu *cpu, int s, uint32_t off)
{
    uint32_t lin = seg_addr(cpu, s, off, 4, SEG_OK_READ);
    align_check(cpu, lin, 4);
    return lin_read(cpu, lin, 4);
}
static ALWAYS_INLINE void wr8(struct cpu *cpu, int s, uint32_t off, uint8_t v)
{
    lin_write(cpu, seg_addr(cpu, s, off, 1, SEG_OK_WRITE), 1, v);
}
static ALWAYS_INLINE void wr16(struct cpu *cpu, int s, uint32_t off, uint16_t v)
{
    uint32_t lin = seg_addr(cpu, s, off, 2, SEG_OK_WRITE);
    align_check(cpu, lin, 2);
    lin_write(cpu, lin, 2, v);
}
static ALWAYS_INLINE void wr32(struct cpu *cpu, int s, uint32_t off, uint32_t v)
{
    uint32_t lin = seg_addr(cpu, s, off, 4, SEG_OK_WRITE);
    align_check(cpu, lin, 4);
    lin_write(cpu, lin, 4, v);
}

/* A host pointer to len code bytes at CS:off when they are within the CS limit, in one
 * page, and that page's execute translation is in the TLB; NULL otherwise, and the decoder
 * fetches byte by byte through cpu_fetch8 (which fills the TLB or faults). */
static ALWAYS_INLINE const uint8_t *code_window(struct cpu *cpu, uint32_t off, unsigned len)
{
    const struct seg_cache *cs = &cpu->seg[S_CS];
    if ((uint64_t)off + len - 1 > cs->limit)
        return NULL;
    uint32_t lin = cs->base + off;
    if ((lin & ~TLB_PAGE_MASK) > 0x1000 - len)
        return NULL;
    const struct tlb_entry *e = &cpu->tlb.e[TLB_EXEC | tlb_user(cpu)][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag != (lin & TLB_PAGE_MASK))
        return NULL;
    return (const uint8_t *)(e->addend + lin);
}

/* The read of a read-modify-write destination: the segment is checked for writing too,
 * so a destination the instruction may not write faults #GP before the read's alignment
 * check (SDM Vol. 3A §6.9 Table 6-2), as the host processor does. */
static ALWAYS_INLINE uint32_t rd_rmw(struct cpu *cpu, int s, uint32_t off, unsigned size)
{
    uint32_t lin = seg_addr(cpu, s, off, size, SEG_OK_READ | SEG_OK_WRITE);
    if (size > 1)
        align_check(cpu, lin, size);
    return lin_read(cpu, lin, size);
}

/* Code fetch through CS, with execute rights. */
static ALWAYS_INLINE uint8_t cpu_fetch8(struct cpu *cpu, uint32_t off)
{
    return (uint8_t)mem_read(cpu, seg_addr(cpu, S_CS, off, 1, 0), 1, TLB_EXEC | tlb_user(cpu));
}

/* ---- operands ---- */

static ALWAYS_INLINE uint32_t ea(const struct cpu *cpu, const struct insn *in)
{
    return (cpu->r[in->base] + (cpu->r[in->index] << in->scale) + in->disp) & in->addr_mask;
}

static ALWAYS_INLINE uint8_t rm8_read(struct cpu *cpu, const struct insn *in)
{
    return in->mod == 3 ? get_r8(cpu, in->rm) : rd8(cpu, in->seg, ea(cpu, in));
}
static ALWAYS_INLINE uint16_t rm16_read(struct cpu *cpu, const struct insn *in)
{
    return in->mod == 3 ? get_r16(cpu, in->rm) : rd16(cpu, in->seg, ea(cpu, in));
}
static ALWAYS_INLINE uint32_t rm32_read(struct cpu *cpu, const struct insn *in)
{
    return in->mod == 3 ? cpu->r[in->rm] : rd32(cpu, in->seg, ea(cpu, in));
}
static ALWAYS_INLINE uint8_t rm8_read_rmw(struct cpu *cpu, const struct insn *in)
{
    return in->mod == 3 ? get_r8(cpu, in->rm) : (uint8_t)rd_rmw(cpu, in->seg, ea(cpu, in), 1);
}
static ALWAYS_INLINE uint16_t rm16_read_rmw(struct cpu *cpu, const struct insn *in)
{
    return in->mod == 3 ? get_r16(cpu, in->rm) : (uint16_t)rd_rmw(cpu, in->seg, ea(cpu, in), 2);
}
static ALWAYS_INLINE uint32_t rm32_read_rmw(struct cpu *cpu, const struct insn *in)
{
    return in->mod == 3 ? cpu->r[in->rm] : rd_rmw(cpu, in->seg, ea(cpu, in), 4);
}
static ALWAYS_INLINE void rm8_write(struct cpu *cpu, const struct insn *in, uint8_t v)
{
    if (in->mod == 3)
        set_r8(cpu, in->rm, v);
    else
        wr8(cpu, in->seg, ea(cpu, in), v);
}
static ALWAYS_INLINE void rm16_write(struct cpu *cpu, const struct insn *in, uint16_t v)
{
    if (in->mod == 3)
        set_r16(cpu, in->rm, v);
    else
        wr16(cpu, in->seg, ea(cpu, in), v);
}
static ALWAYS_INLINE void rm32_write(struct cpu *cpu, const struct insn *in, uint32_t v)
{
    if (in->mod == 3)
        cpu->r[in->rm] = v;
    else
        wr32(cpu, in->seg, ea(cpu, in), v);
}

/* ---- stack ---- */

static ALWAYS_INLINE uint32_t stack_mask(const struct cpu *cpu)
{
    return (cpu->seg[S_SS].attr & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
}

static ALWAYS_INLINE void set_sp(struct cpu *cpu, uint32_t sp)
{
    uint32_t m = stack_mask(cpu);
    cpu->r[R_ESP] = (cpu->r[R_ESP] & ~m) | (sp & m);
}

static ALWAYS_INLINE void push16(struct cpu *cpu, uint16_t v)
{
    uint32_t sp = (cpu->r[R_ESP] - 2) & stack_mask(cpu);
    wr16(cpu, S_SS, sp, v);
    set_sp(cpu, sp);
}

static ALWAYS_INLINE void push32(struct cpu *cpu, uint32_t v)
{
    uint32_t sp = (cpu->r[R_ESP] - 4) & stack_mask(cpu);
    wr32(cpu, S_SS, sp, v);
    set_sp(cpu, sp);
}

static ALWAYS_INLINE uint16_t pop16(struct cpu *cpu)
{
    uint32_t sp = cpu->r[R_ESP] & stack_mask(cpu);
    uint16_t v = rd16(cpu, S_SS, sp);
    set_sp(cpu, sp + 2);
    return v;
}

static ALWAYS_INLINE uint32_t pop32(struct cpu *cpu)
{
    uint32_t sp = cpu->r[R_ESP] & stack_mask(cpu);
    uint32_t v = rd32(cpu, S_SS, sp);
    set_sp(cpu, sp + 4);
    return v;
}

/* ---- control flow ---- */

/* Near branch target: truncated to the operand size, checked against the CS limit. */
static ALWAYS_INLINE void jump_near(struct cpu *cpu, uint32_t target, bool o32)
{
    if (!o32)
        target &= 0xFFFF;
    if (unlikely(target > cpu->seg[S_CS].limit))
        cpu_fault(cpu, EXC_GP, 0);
    cpu->eip = target;
}

/* Control registers with side effects (cpu/cpu.c): mode switches, fixed bits. */
void cpu_write_cr0(struct cpu *cpu, uint32_t v);
void cpu_write_cr3(struct cpu *cpu, uint32_t v);
void cpu_write_cr4(struct cpu *cpu, uint32_t v);

/* Far transfers and segment loads (cpu/segment.c). */
void load_seg(struct cpu *cpu, int sreg, uint16_t sel);
/* Far transfers in every mode (cpu/far.c). */
void jump_far(struct cpu *cpu, uint16_t sel, uint32_t off, bool o32);
void call_far(struct cpu *cpu, uint16_t sel, uint32_t off, bool o32);
void ret_far(struct cpu *cpu, bool o32, uint32_t release);
void iret(struct cpu *cpu, bool o32);

/* Interrupts and exceptions (cpu/exception.c). cpu_interrupt transfers control through
 * the IVT/IDT with return_eip pushed; software is true for INT n/INT3/INTO. */
void cpu_interrupt(struct cpu *cpu, uint8_t vector, bool software, uint32_t return_eip);
/* Takes an SMI: saves the state in SMRAM and starts the handler (cpu/smm.c). */
void cpu_enter_smm(struct cpu *cpu);
/* Delivers a fault or trap whose state (EIP) is already where it must return to. */
void cpu_deliver_exception(struct cpu *cpu, uint8_t vector, uint32_t error);
/* Stops the CPU with a message when the guest reaches something orrery cannot do yet. */
noreturn void cpu_unsupported(struct cpu *cpu, const char *what);

void op_ud(struct cpu *cpu, const struct insn *in);

static ALWAYS_INLINE unsigned iopl(const struct cpu *cpu)
{
    return (cpu->eflags >> 12) & 3;
}

enum { CR4_VME = 1u << 0, CR4_PVI = 1u << 1 };

/* Whether an IOPL-sensitive flag instruction works on VIF instead of faulting: in
 * virtual-8086 mode with CR4.VME, or at CPL 3 with CR4.PVI, when IOPL < 3 (SDM Vol. 3A
 * §20.4). The caller has already found that CPL > IOPL. */
static ALWAYS_INLINE bool vif_mode(const struct cpu *cpu)
{
    return (cpu->mode == MODE_V86 && (cpu->cr[4] & CR4_VME)) ||
           (cpu->mode == MODE_PROT && cpu->cpl == 3 && (cpu->cr[4] & CR4_PVI));
}

/* INT n in virtual-8086 mode (cpu/exception.c): the VME redirection bitmap decides. */
void v86_software_interrupt(struct cpu *cpu, uint8_t vector);

/* The EFLAGS value POPF/IRET may load at the current privilege (cpu/ops_stack.c). */
uint32_t eflags_for_popf(struct cpu *cpu, uint32_t value, uint32_t size_mask_);

/* I/O permission (SDM Vol. 1 §19.5): free in real mode and when CPL <= IOPL; otherwise the
 * TSS I/O permission bitmap decides (cpu/segment.c). */
void io_bitmap_check(struct cpu *cpu, uint16_t port, unsigned size);
static ALWAYS_INLINE void io_check(struct cpu *cpu, uint16_t port, unsigned size)
{
    if (cpu->mode != MODE_REAL && (cpu->mode == MODE_V86 || cpu->cpl > iopl(cpu)))
        io_bitmap_check(cpu, port, size);
    if (unlikely(cpu->debug_io))
        debug_check_io(cpu, port, size);
}

#endif
