/* The x86 processor: architectural state and the public interface of cpu/.
 *
 * State is plain data (fixed-width fields, no host pointers except the bus and memory
 * the CPU is wired to and the fault unwinding slot), so it can be saved and compared. */
#ifndef ORRERY_CPU_CPU_H
#define ORRERY_CPU_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/iobus.h"
#include "cpu/fpu/fpu.h"
#include "mmu/physmem.h"
#include "mmu/tlb.h"

/* General registers in encoding order; R_ZERO always reads 0 so that effective
 * addresses are base + index + disp with no branches for absent parts. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI, R_ZERO, R_COUNT };
/* Segment registers in encoding order (sreg field of ModRM). */
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_COUNT };

enum cpu_model { CPU_8086, CPU_186, CPU_286, CPU_386, CPU_486, CPU_PENTIUM, CPU_P2,
                 CPU_MODEL_COUNT };

/* EFLAGS bits (SDM Vol. 1 §3.4.3). */
enum {
    FL_CF = 1u << 0, FL_PF = 1u << 2, FL_AF = 1u << 4, FL_ZF = 1u << 6, FL_SF = 1u << 7,
    FL_TF = 1u << 8, FL_IF = 1u << 9, FL_DF = 1u << 10, FL_OF = 1u << 11,
    FL_IOPL = 3u << 12, FL_NT = 1u << 14, FL_RF = 1u << 16, FL_VM = 1u << 17,
    FL_AC = 1u << 18, FL_VIF = 1u << 19, FL_VIP = 1u << 20, FL_ID = 1u << 21,
};
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Control register bits (SDM Vol. 3A §2.5). */
enum {
    CR0_PE = 1u << 0, CR0_WP = 1u << 16, CR0_NW = 1u << 29, CR0_CD = 1u << 30,
    CR0_PG = 1u << 31,
};
enum { CR4_PSE = 1u << 4, CR4_PAE = 1u << 5, CR4_PGE = 1u << 7 };

/* CPUID leaf 1 EDX bits (SDM Vol. 2A Table 3-11). */
enum {
    CPUID_FPU = 1u << 0, CPUID_PSE = 1u << 3, CPUID_TSC = 1u << 4, CPUID_MSR = 1u << 5,
    CPUID_PAE = 1u << 6, CPUID_CX8 = 1u << 8, CPUID_SEP = 1u << 11, CPUID_PGE = 1u << 13,
    CPUID_CMOV = 1u << 15, CPUID_MMX = 1u << 23, CPUID_FXSR = 1u << 24,
};

/* Exception vectors (SDM Vol. 3A §6.3.1). */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14,
    EXC_MF = 16, EXC_AC = 17, EXC_MC = 18,
};

/* Hidden part of a segment register. attr holds descriptor bits 40-47 and 52-55
 * (type, S, DPL, P in the low byte; AVL, L, D/B, G in bits 12-15), as LAR reports them. */
struct seg_cache {
    uint16_t sel;
    uint16_t attr;
    uint32_t base;
    uint32_t limit; /* byte granular, already scaled by G */
    uint8_t ok;     /* SEG_OK_*: what an access through this register may do (derived) */
};
enum { SEG_ATTR_P = 0x80, SEG_ATTR_S = 0x10, SEG_ATTR_DB = 0x4000, SEG_ATTR_G = 0x8000 };
/* Derived from the descriptor when a segment register is loaded, so the access path tests
 * one byte: a null selector allows nothing; read-only data forbids writes; execute-only
 * code forbids reads; expand-down sends the limit check to the slow path. */
enum { SEG_OK_READ = 1, SEG_OK_WRITE = 2, SEG_EXPDOWN = 4 };

struct dtr {
    uint32_t base;
    uint16_t limit;
};

/* Lazy arithmetic flags: the last flag-setting operation's inputs and result. The six
 * arithmetic flags are computed from it only when read (cpu/flags.h). */
enum lf_op { LF_NONE, LF_ADD, LF_SUB, LF_LOGIC, LF_INC, LF_DEC, LF_MUL };
struct lazy_flags {
    uint32_t res, op1, op2;
    uint8_t op;   /* enum lf_op; LF_NONE: the arithmetic flags are in cpu->eflags */
    uint8_t bits; /* 8, 16 or 32 */
};

enum cpu_mode { MODE_REAL, MODE_PROT, MODE_V86 };

/* The one-instruction shadow: after STI no interrupt is taken before the next instruction;
 * after MOV SS / POP SS neither interrupts nor debug traps (SDM Vol. 3A §6.8.3). */
enum { INHIBIT_IRQ = 1, INHIBIT_DEBUG = 2 };

struct cpu_model_info;
struct tcache;

/* How instructions run (cpu_set_engine): the block translator (cpu/translate.c) decodes a
 * basic block once and runs it many times; the interpreter decodes every instruction each
 * time and is the reference. Both call the same handlers, with the same results. Lockstep
 * (cpu/lockstep.c) runs each block on the translator, runs the same instructions again on
 * the interpreter from the same state, and stops the CPU at the first difference. */
enum cpu_engine { CPU_ENGINE_TRANSLATE, CPU_ENGINE_INTERP, CPU_ENGINE_LOCKSTEP };
struct lockstep;

/* What a debugger attached to the CPU asked for (cpu/debugger.c): breakpoints are linear
 * addresses compared with CS base + EIP at instruction boundaries, never written to guest
 * memory; watchpoints are linear ranges checked on the CPU's data accesses. The execution
 * loop looks at nothing of this unless `active` is set. */
enum { CPU_DBG_BREAK_MAX = 64, CPU_DBG_WATCH_MAX = 16 };
enum cpu_watch_kind { CPU_WATCH_WRITE = 1, CPU_WATCH_READ = 2, CPU_WATCH_ACCESS = 3 };
enum cpu_dbg_stop { CPU_DBG_NONE, CPU_DBG_BREAK, CPU_DBG_WATCH, CPU_DBG_STEP };
struct cpu_watch {
    uint32_t addr, len;
    uint8_t kind;             /* enum cpu_watch_kind */
};
struct cpu_dbg {
    uint8_t active;           /* breakpoints, watchpoints or a step: the loop looks */
    uint8_t step;             /* stop after one instruction */
    uint8_t skip;             /* the next instruction at skip_lin does not break: the
                                 one a resume goes on from, or a REP instruction resumed
                                 between chunks */
    uint8_t stop;             /* enum cpu_dbg_stop: why the last run ended; NONE: it did not */
    uint8_t hit;              /* a watchpoint fired during this instruction */
    uint8_t hit_kind;         /* enum cpu_watch_kind of the watchpoint that fired */
    uint32_t hit_addr;        /* the watched address the access touched */
    uint32_t stop_addr;       /* BREAK: the linear address; WATCH: hit_addr */
    uint32_t skip_lin;
    uint32_t nbreak, nwatch;
    uint32_t brk[CPU_DBG_BREAK_MAX];
    struct cpu_watch watch[CPU_DBG_WATCH_MAX];
};

/* Observation points for traces (cpu/observe.c; the machine's tracer calls them). The
 * interpreter calls insn and after only while obs.insn is set (one flag test per
 * instruction, like dbg.active), the block translator block and block_end only while
 * obs.block is set (one flag test per block); events (interrupts, exceptions, page faults, CR3 loads,
 * TLB flushes, stops at something unimplemented) call their hook when one is set. Hooks
 * only look: they never change what the guest sees. */
/* SMI: a system management interrupt entered SMM (vector 0, from the instruction it came
 * before, to SMBASE:8000); RSM: the return from SMM (vector 0, from the RSM instruction
 * to where the saved state resumes). */
enum cpu_obs_intr_kind { CPU_OBS_EXCEPTION, CPU_OBS_EXTERNAL, CPU_OBS_SOFTWARE, CPU_OBS_SMI,
                         CPU_OBS_RSM };
struct cpu_obs_intr {
    uint8_t kind;             /* enum cpu_obs_intr_kind */
    uint8_t vector;
    uint8_t has_error;        /* an error code was pushed */
    uint8_t cpl_from, cpl_to;
    uint8_t mode_from, mode_to; /* enum cpu_mode */
    uint16_t cs_from, cs_to;
    uint32_t eip_from;        /* the instruction that faulted or was interrupted (INT n: itself) */
    uint32_t lin_from;        /* its linear address (CS base + eip_from) */
    uint32_t eip_to;          /* the handler's first instruction */
    uint32_t error;
    uint32_t cr2;             /* page faults */
};
/* A block of n instructions following each other in memory from CS:EIP (linear lin,
 * physical phys): instruction i is len[i] bytes, the bytes from bytes (host memory, read
 * only, valid during the hook). They are those the translator decoded and runs. */
#define CPU_OBS_BLOCK_MAX 255
struct cpu_obs_block {
    const uint8_t *bytes;
    uint32_t lin, phys;
    unsigned n, size;         /* size: the sum of len[0..n) */
    uint8_t len[CPU_OBS_BLOCK_MAX];
};
enum cpu_obs_mmu_kind {
    CPU_OBS_PAGE_FAULT,       /* addr: the linear address (CR2), value: the error code */
    CPU_OBS_CR3,              /* value: the new CR3 (non-global entries are flushed) */
    CPU_OBS_FLUSH_ALL,        /* every entry (CR0/CR4 paging bits, a physical memory change) */
    CPU_OBS_FLUSH_PAGE,       /* INVLPG; addr: the linear address */
};
struct cpu_obs_hooks {
    /* An instruction decoded at CS:EIP (cpu->eip still points at it), linear address lin,
     * len bytes, about to run. */
    void (*insn)(void *opaque, struct cpu *cpu, uint32_t lin, unsigned len);
    /* The instruction completed (not called when it faulted). */
    void (*after)(void *opaque, struct cpu *cpu);
    /* An interrupt or exception was delivered: the CPU is at the handler's first
     * instruction (a delivery that faulted reports the fault it raised instead). */
    void (*intr)(void *opaque, struct cpu *cpu, const struct cpu_obs_intr *ev);
    void (*mmu)(void *opaque, struct cpu *cpu, enum cpu_obs_mmu_kind kind, uint32_t addr,
                uint32_t value);
    /* The CPU stopped at something orrery does not implement. */
    void (*unimp)(void *opaque, struct cpu *cpu, const char *what);
    /* The block translator is about to run blk (cpu->eip at its first instruction). Then
     * block_end, once it stopped after cpu->icount - (the count at block) instructions;
     * unless one of them faulted or was INT n: intr comes first, from inside it (that
     * instruction decoded and started, not counted yet), and block_end never. With these
     * set, a tracer needs insn only for what the interpreter runs (cpu_obs_set). */
    void (*block)(void *opaque, struct cpu *cpu, const struct cpu_obs_block *blk);
    void (*block_end)(void *opaque, struct cpu *cpu);
    /* A data access completed (one that faulted is not reported): size 1, 2 or 4 bytes
     * at linear lin, physical phys (of the first byte; ~0 when it cannot be found without
     * a walk that would change state), the value read or written; flags CPU_OBS_MEM_*.
     * Set when cpu_obs_set is called: every data access then leaves the TLB fast path
     * for an out-of-line one (and the CPU runs on the interpreter, as with a watchpoint). */
    void (*mem)(void *opaque, struct cpu *cpu, uint32_t lin, uint64_t phys, unsigned size,
                uint32_t value, unsigned flags);
};
/* mem flags: a write; an implicit supervisor access (descriptor tables, TSS, IDT); made
 * while delivering an interrupt or exception (before its intr hook). */
enum { CPU_OBS_MEM_WRITE = 1u << 0, CPU_OBS_MEM_SYS = 1u << 1, CPU_OBS_MEM_DELIVERY = 1u << 2 };
struct cpu_obs {
    uint8_t insn;             /* call hooks->insn (and after, when set) per instruction */
    uint8_t interp;           /* hooks->insn must see every instruction: no translator */
    uint8_t block;            /* the translator calls hooks->block and block_end */
    uint8_t mem;              /* hooks->mem is set (DEBUG_DATA_OBS in debug_data) */
    uint8_t delivering;       /* an interrupt's delivery is under way (intr hook set) */
    const struct cpu_obs_hooks *hooks; /* NULL: nobody observes */
    void *opaque;
};

struct cpu {
    uint32_t r[R_COUNT];
    uint32_t eip;
    uint32_t eflags;  /* all bits; the arithmetic ones are stale while lf.op != LF_NONE */
    struct lazy_flags lf;
    struct seg_cache seg[S_COUNT];
    struct dtr gdtr, idtr;
    struct seg_cache ldtr, tr;
    uint32_t cr[5];
    uint64_t pdpte[4];        /* PAE: the PDPTE registers, loaded from CR3 (SDM Vol. 3A §4.4.1) */
    uint32_t dr[8];
    uint64_t tsc;
    uint64_t msr_sysenter_cs, msr_sysenter_esp, msr_sysenter_eip;
    uint64_t perfctr[2], evntsel[2];
    uint8_t mode;     /* enum cpu_mode */
    uint8_t cpl;
    uint8_t halted;
    uint8_t shutdown; /* triple fault: the processor stopped */
    uint8_t inhibit;  /* INHIBIT_*: shadow over the boundary after this instruction */
    uint8_t model;    /* enum cpu_model */
    uint8_t debug_exec, debug_data, debug_io; /* enabled breakpoints by kind (from DR7) */
    uint8_t debug_pending;                    /* data/I/O breakpoints hit by this instruction */
    uint8_t smm;      /* in system management mode (cpu/smm.c) */
    uint32_t smbase;  /* SMRAM's base: the save area is at smbase + 0xFE00 (0x30000 at reset) */
    struct fpu fpu;   /* x87 and MMX (cpu/fpu/) */

    /* Bookkeeping of the instruction in progress (not architectural). */
    uint32_t insn_eip;        /* EIP of the instruction being executed, for faults */
    uint32_t insn_esp;        /* ESP before it, restored when it faults */
    uint64_t icount;          /* instructions retired */
    uint64_t run_end;         /* cpu_run stops when icount reaches it; the machine lowers it
                                 to end a slice early (a timer armed sooner, a reset) */
    int delivering;           /* vector + 1 of the exception being delivered; 0: none */
    int fault_vector;         /* the fault cpu_fault is unwinding with */
    uint32_t fault_error;
    const char *stop_reason;  /* why the CPU stopped (shutdown), for the user */

    /* The interrupt pins (CPU_PIN_*): a device model raises INTR and the CPU acknowledges
     * through intr_ack, which returns the vector (the 8259's INTA cycle); an SMI# edge is
     * latched until the CPU takes it. One byte, so the loop tests both at once. */
    uint8_t intr_line;
    int (*intr_ack)(void *opaque);
    void *intr_opaque;

    /* The FERR# output and IGNNE# input of PC-style x87 error reporting (CR0.NE = 0, SDM
     * Vol. 1 §D.2): a waiting x87 instruction that finds an unmasked exception pending
     * raises ferr (the platform wires it to IRQ 13 and calls ferr_changed) and, unless
     * ignne is set or nobody listens, stalls until the exception is cleared. ferr falls
     * when the pending exception is cleared (FNCLEX, FNINIT, FLDCW, FLDENV, FRSTOR...). */
    uint8_t ferr;
    uint8_t ignne;
    void (*ferr_changed)(void *opaque, int level);
    void *ferr_opaque;

    /* The time-stamp counter's time base: with tsc_clock set (the platform's virtual time
     * in ns), RDTSC reads tsc_clock() + tsc, so the TSC keeps pace with the timers however
     * fast instructions run; without it, icount + tsc. */
    uint64_t (*tsc_clock)(void *opaque);
    void *tsc_opaque;
    /* SMIACT#: the CPU enters (1) or leaves (0) system management mode; the chipset shows
     * or hides SMRAM. */
    void (*smm_changed)(void *opaque, int in_smm);
    void *smm_opaque;

    const struct cpu_model_info *info;
    struct physmem *mem;
    struct iobus *io;
    jmp_buf *fault_jmp;       /* where cpu_fault unwinds to (set by the execution loop) */

    /* The software TLB: host pointers, rebuilt, never saved. It and the debugger's state
     * must stay last: cpu_reset clears everything before them (and flushes the TLB). */
    struct tlb tlb;
    struct cpu_dbg dbg;       /* a debugger's breakpoints and watchpoints: never saved */
    struct cpu_obs obs;       /* a tracer's hooks: never saved, kept across resets */
    /* The block translator's cache (cpu/translate.c): made on the first run and owned by
     * the physical memory whose code it holds (freed with it); looked up again at every
     * cpu_run, so copies of struct cpu stay right. Never saved. tb_exit ends the running block after the current
     * instruction: an interrupt line changed, the slice was shortened, physical memory
     * changed, or a block was invalidated by a write to its code. */
    struct tcache *tc;
    uint8_t engine;           /* enum cpu_engine */
    uint8_t tb_exit;
    uint8_t tb_single;        /* lockstep: tb_exec returns after one block */
    uint8_t native_off;       /* the translator never compiles blocks to host code */
    struct lockstep *ls;      /* lockstep's state (cpu/lockstep.c) with that engine; never saved */
};

struct cpu_model_info {
    const char *name;
    enum cpu_model model;
    unsigned max_insn_len;    /* longer instructions fault (286: 10 bytes, 386+: 15) */
    uint32_t flags_fixed1;    /* EFLAGS bits that always read as 1 */
    uint32_t flags_writable;  /* EFLAGS bits software can change (outside IF/IOPL rules) */
    uint32_t addr_mask;       /* physical address lines */
    uint32_t reset_cr0;       /* CR0 (MSW on the 286) after reset */
    uint32_t reset_edx;       /* EDX after reset: the processor signature (386 on) */
    bool has_cpuid;
    bool has_fpu;             /* an x87 on the chip (486DX on); without it ESC is op_esc */
    bool enter_probe;         /* ENTER checks a write at its final stack pointer (ops_stack.c) */
    uint32_t cpuid_max, cpuid_sig, cpuid_features_edx, cpuid_features_ecx;
    const char *vendor;       /* 12 bytes for CPUID leaf 0 */
};

const struct cpu_model_info *cpu_model_lookup(const char *name);
const struct cpu_model_info *cpu_model_get(enum cpu_model m);
const char *cpu_model_names(void); /* for messages: the names cpu_model_lookup accepts */

/* Lifecycle. cpu_init wires the CPU to memory and I/O and puts it in its reset state. */
void cpu_init(struct cpu *cpu, enum cpu_model model, struct physmem *mem, struct iobus *io);
void cpu_reset(struct cpu *cpu);

/* Save state (cpu/state.c): the architectural state and the instruction count as a
 * savestate description of struct cpu. After loading it, cpu_state_loaded rebuilds what is
 * derived (the TLB) and clears the bookkeeping of an instruction in progress. The model
 * is saved too; the machine checks that it matches before loading. */
struct savestate_desc;
extern const struct savestate_desc cpu_savestate;
void cpu_state_loaded(struct cpu *cpu);

/* Runs until n instructions retired, HLT, or shutdown. Returns instructions retired.
 * Code called from inside the run (a device's port handler) may end it sooner with
 * cpu_end_slice. */
uint64_t cpu_run(struct cpu *cpu, uint64_t n);

/* Ends the running cpu_run once `more` further instructions have retired (0 or 1: after the
 * current one). Never lengthens the run. */
static inline void cpu_end_slice(struct cpu *cpu, uint64_t more)
{
    uint64_t end = cpu->icount + (more ? more : 1);
    if (end < cpu->run_end)
        cpu->run_end = end;
    cpu->tb_exit = 1;
}

/* The engine of the next runs (CPU_ENGINE_TRANSLATE after cpu_init). Whatever the engine,
 * a debugger, the trap flag and enabled debug registers run instruction by instruction.
 * False (the engine unchanged) when there is no memory for lockstep's copies. */
bool cpu_set_engine(struct cpu *cpu, enum cpu_engine engine);
/* Whether the block translator may compile hot blocks to host code (on x86-64 hosts; on by
 * default): off, every block runs threaded (the portable engine). */
void cpu_set_native(struct cpu *cpu, bool on);
/* Frees what the CPU allocated for itself (lockstep's state); cpu_init starts afresh. */
void cpu_free(struct cpu *cpu);
/* What lockstep compared since it was turned on (zeros with another engine). */
struct cpu_lockstep_stats {
    uint64_t blocks;  /* blocks compared */
    uint64_t insns;   /* instructions in them */
    uint64_t fenced;  /* blocks cut before an instruction that touches a device (which
                         the interpreter then runs alone) */
};
void cpu_lockstep_stats(const struct cpu *cpu, struct cpu_lockstep_stats *st);
/* Where lockstep found the engines differ (false while they agree): the block's linear
 * address and EIP, whether it is 32-bit code, and which of its instructions (from 1). */
struct cpu_lockstep_where {
    uint32_t block_lin, block_eip;
    uint32_t insn;
    bool code32;
};
bool cpu_lockstep_where(const struct cpu *cpu, struct cpu_lockstep_where *w);

/* ---- What the machine uses: wiring, entry states, why the CPU stopped ---- */

/* The CPU's outputs to the platform, with one opaque for all; a NULL hook is not wired
 * (see the fields of struct cpu: intr_ack, ferr_changed, tsc_clock). */
struct cpu_hooks {
    int (*intr_ack)(void *opaque);                 /* INTA: the vector of the interrupt */
    void (*ferr_changed)(void *opaque, int level); /* FERR# */
    uint64_t (*tsc_clock)(void *opaque);           /* the TSC's time base (ns) */
    void (*smm_changed)(void *opaque, int in_smm); /* SMIACT# */
    void *opaque;
};
void cpu_set_hooks(struct cpu *cpu, const struct cpu_hooks *hooks);

/* The INTR and IGNNE# input pins, driven by the platform, and SMI# (an edge, latched until
 * taken: cpu/smm.c). A change ends a running block (the interpreter looks at the pins
 * before every instruction). */
enum { CPU_PIN_INTR = 1, CPU_PIN_SMI = 2 };
static inline void cpu_set_intr(struct cpu *cpu, int level)
{
    cpu->intr_line = (uint8_t)((cpu->intr_line & ~CPU_PIN_INTR) | (level ? CPU_PIN_INTR : 0));
    cpu->tb_exit = 1;
}
static inline void cpu_raise_smi(struct cpu *cpu)
{
    cpu->intr_line |= CPU_PIN_SMI;
    cpu->tb_exit = 1;
}
static inline bool cpu_in_smm(const struct cpu *cpu) { return cpu->smm != 0; }
static inline void cpu_set_ignne(struct cpu *cpu, int level) { cpu->ignne = level != 0; }

/* The state a 32-bit boot loader leaves (the Linux boot protocol's 32-bit entry, a
 * multiboot loader's): protected mode with paging off, CPL 0, EFLAGS 2 (IF, TF, DF clear),
 * CS = cs and the other segment registers = ds with the flat 4 GiB code and data
 * descriptors the GDT at gdt_base holds (base 0, limit 4 GiB, G and D/B set, accessed),
 * an empty IDT, and every general register 0 but ESI, ESP and EIP. */
struct cpu_flat_entry {
    uint16_t cs, ds;
    uint32_t gdt_base;
    uint16_t gdt_limit;
    uint32_t eip, esp, esi;
};
void cpu_enter_flat32(struct cpu *cpu, const struct cpu_flat_entry *e);

/* Where the CPU stands between two cpu_run calls. */
enum cpu_status {
    CPU_RUNNING,     /* executing instructions */
    CPU_HALTED,      /* in HLT until an interrupt (or for good when IF is clear) */
    CPU_SHUTDOWN,    /* stopped by a triple fault: the platform resets it or stays off */
    CPU_UNSUPPORTED, /* stopped at something orrery does not implement */
    CPU_DIVERGED,    /* lockstep: the translator and the interpreter disagreed (why says
                        where and what) */
};
/* The status; for the two stops, *why (when why is not NULL) names the cause for the user
 * ("triple fault ...", the unimplemented feature). */
enum cpu_status cpu_status(const struct cpu *cpu, const char **why);
static inline bool cpu_interrupts_enabled(const struct cpu *cpu) { return (cpu->eflags & FL_IF) != 0; }
static inline bool cpu_intr_pending(const struct cpu *cpu) { return (cpu->intr_line & CPU_PIN_INTR) != 0; }

/* The model, and the instructions retired since power-on (the counter itself, for the
 * scheduler's instruction clock). */
static inline const struct cpu_model_info *cpu_info(const struct cpu *cpu) { return cpu->info; }
static inline uint64_t cpu_icount(const struct cpu *cpu) { return cpu->icount; }
static inline const uint64_t *cpu_icount_counter(const struct cpu *cpu) { return &cpu->icount; }


/* EFLAGS with the lazy arithmetic flags materialised / a full EFLAGS load. */
uint32_t cpu_get_eflags(struct cpu *cpu);
void cpu_set_eflags(struct cpu *cpu, uint32_t value);

/* Loads a segment register the real-mode way (base = selector << 4). */
void cpu_load_seg_real(struct cpu *cpu, int sreg, uint16_t sel);

/* ---- What a debugger uses (cpu/debugger.c), between cpu_run calls ---- */

/* Every register a debugger shows, by value. st[i] is ST(i) (not R(i)) in the 80-bit
 * format as bytes, least significant first, whatever the host's byte order. */
struct cpu_dbg_regs {
    uint32_t gpr[8];          /* EAX ECX EDX EBX ESP EBP ESI EDI */
    uint32_t eip, eflags;
    uint16_t sel[S_COUNT];    /* ES CS SS DS FS GS */
    uint32_t base[S_COUNT], limit[S_COUNT];
    uint16_t attr[S_COUNT];
    uint32_t cr0, cr2, cr3, cr4;
    uint32_t dr[8];
    uint32_t gdtr_base, idtr_base;
    uint16_t gdtr_limit, idtr_limit, ldtr, tr;
    uint8_t st[8][10];
    uint16_t fctrl, fstat, ftag, fop; /* ftag: the full tag word, as FSTENV stores it */
    uint32_t fiseg, fioff, foseg, fooff;
    uint8_t mode, cpl;        /* enum cpu_mode, CPL */
};
void cpu_dbg_get_regs(struct cpu *cpu, struct cpu_dbg_regs *r);
/* Writes back what a debugger changed: general registers, EIP, EFLAGS (all but VM),
 * selectors in real and virtual-8086 mode (base = selector << 4), the x87 registers and
 * words. Returns false, changing nothing, when it asks to change something that cannot
 * be changed this way (control, debug and descriptor-table registers, hidden parts, a
 * selector in protected mode, VM). */
bool cpu_dbg_set_regs(struct cpu *cpu, const struct cpu_dbg_regs *r);

/* The physical address of linear address lin as the CPU would translate it now, through
 * paging when it is on, without setting accessed or dirty bits, without touching the TLB
 * and without faulting: false when no present page maps it. */
bool cpu_dbg_translate(struct cpu *cpu, uint32_t lin, uint64_t *phys);

/* Breakpoints (a list of linear addresses; the same address may be added twice, and is
 * removed once per add) and watchpoints of any length. False when full, or for a remove,
 * when there is no such entry. */
bool cpu_dbg_break_add(struct cpu *cpu, uint32_t lin);
bool cpu_dbg_break_remove(struct cpu *cpu, uint32_t lin);
bool cpu_dbg_watch_add(struct cpu *cpu, uint32_t lin, uint32_t len, enum cpu_watch_kind kind);
bool cpu_dbg_watch_remove(struct cpu *cpu, uint32_t lin, uint32_t len, enum cpu_watch_kind kind);

/* Before running again: forget the last stop; a breakpoint at the current instruction
 * lets it run; with step, the run ends after one instruction (interrupts are not taken
 * while stepping, unless the CPU is halted and only an interrupt can move it). */
void cpu_dbg_resume(struct cpu *cpu, bool step);
/* Around saving the CPU's state: the bits a debugger's watchpoints and a tracer's mem
 * hook add to the derived debug_data are left out, so that a saved state does not depend
 * on being watched or traced. */
void cpu_dbg_save_begin(struct cpu *cpu);
void cpu_dbg_save_end(struct cpu *cpu);
/* Why the last cpu_run ended for the debugger (CPU_DBG_NONE: it did not); for a break,
 * *addr is the linear address, for a watchpoint the watched address touched and *kind
 * the kind of the watchpoint that fired (enum cpu_watch_kind). */
static inline enum cpu_dbg_stop cpu_dbg_stopped(const struct cpu *cpu, uint32_t *addr,
                                                unsigned *kind)
{
    if (addr)
        *addr = cpu->dbg.stop_addr;
    if (kind)
        *kind = cpu->dbg.hit_kind;
    return (enum cpu_dbg_stop)cpu->dbg.stop;
}

/* ---- What a tracer uses (cpu/observe.c) ---- */

/* Sets the hooks (NULL: none) and whether the per-instruction ones must see every
 * instruction (per_insn: the interpreter runs everything). Without per_insn, a tracer
 * with block hooks gets blocks from the translator and insn for the rest. */
void cpu_obs_set(struct cpu *cpu, const struct cpu_obs_hooks *hooks, void *opaque,
                 bool per_insn);
/* From inside the insn hook: the instruction's bytes (len of them, at most 16) and the
 * physical address of its first byte, read without faulting, without touching the TLB's
 * contents or any device (the decoder has just fetched them). False when they cannot be
 * read that way (the bytes are then zero). */
bool cpu_obs_code(struct cpu *cpu, uint32_t lin, unsigned len, uint8_t *bytes,
                  uint64_t *phys);
/* EFLAGS as the guest would read it, computed without materialising the lazy flags (so a
 * saved state is the same observed or not). */
uint32_t cpu_obs_eflags(const struct cpu *cpu);

#endif
