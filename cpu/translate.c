/* The block translator: basic blocks decoded once into arrays of struct insn, kept in a
 * cache keyed by where their bytes are (physical address, host address) and the one mode
 * bit decoding reads (CS.D), and run with the interpreter's handlers (DESIGN.md, "Two
 * engines, one set of semantics").
 *
 * A block is what the interpreter would run without looking up: it never crosses a page
 * (so one TLB translation covers it) nor the CS limit, and it ends after any instruction
 * that changes control flow, the mode, paging, the interrupt flag or shadow, or talks to
 * a device. Inside a block the interpreter's per-instruction checks cannot change their
 * answer, except through tb_exit, which the events that could change them set (an
 * interrupt line, a shortened slice, MMIO changing physical memory, a write to the block's
 * own code); the block then stops after the current instruction. So the engines retire
 * the same instructions and take every interrupt at the same one.
 *
 * Self-modifying code: pages holding blocks have their code bit set in physmem, which
 * sends every write to them (the CPU's slow path, DMA, host pointers) through code_write
 * below, before the bytes change. */
#include "cpu/translate.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/exec.h"
#include "cpu/handlers.h"
#include "cpu/jit.h"
#include "cpu/observe.h"

#define TB_MAX_INSNS 32
#define TB_BLOCKS (1u << 15)
#define TB_INSNS (1u << 18)
#define TB_HASH_BITS 15
#define TB_HASH (1u << TB_HASH_BITS)
/* Runs (whole, threaded) after which a block is compiled to host code. */
#define TB_HOT 16
_Static_assert(TB_MAX_INSNS <= CPU_OBS_BLOCK_MAX, "a tracer sees whole blocks");

struct tb {
    const uint8_t *host; /* the first byte in host memory */
    struct insn *insn;
    struct tb *succ[2];  /* blocks run after this one lately: checked, then followed */
    jit_block_fn native; /* its host code (cpu/jit.h), once hot; NULL before */
    uint32_t phys;       /* its physical address */
    uint32_t hnext;      /* next block in the hash bucket, index + 1 (0: none) */
    uint32_t pnext;      /* next block on the same physical page, index + 1 */
    uint16_t bytes;
    uint8_t n;
    uint8_t code32;
    uint8_t heat;        /* whole threaded runs, up to TB_HOT */
};

struct tcache {
    struct tb tb[TB_BLOCKS];
    struct insn insn[TB_INSNS];
    uint32_t ntb, ninsn;
    uint32_t hash[TB_HASH];  /* index + 1 of the first block of the bucket */
    uint32_t *page_head;     /* PHYS_PAGES entries: index + 1 of the first block on it */
    uint64_t *page_mask;     /* PHYS_PAGES entries: the 64-byte pieces its blocks cover */
    struct physmem *mem;
    struct cpu *cpu;         /* the CPU running it now (tb_attach) */
    struct jit *jit;         /* the native tier's code (NULL: threaded only) */
    bool jit_full;           /* its region is full: the next translation flushes all */
    uint32_t nnative;        /* blocks compiled since the last flush */
    uint8_t model;           /* the model its blocks were decoded for */
};

/* The 64-byte pieces of a page that bytes [off, off + len) touch (off < 4096, len >= 1). */
static uint64_t piece_mask(uint32_t off, uint32_t len)
{
    uint32_t first = off >> 6, last = (off + len - 1) >> 6;
    if (last > 63)
        last = 63;
    uint64_t upto = last == 63 ? ~0ull : (2ull << last) - 1;
    return upto & ~((1ull << first) - 1);
}

static uint32_t hash_of(uint32_t phys, bool code32)
{
    return ((phys ^ (code32 ? 0x80000000u : 0)) * 0x9E3779B1u) >> (32 - TB_HASH_BITS);
}

static void unhash(struct tcache *tc, struct tb *b)
{
    uint32_t *link = &tc->hash[hash_of(b->phys, b->code32)];
    uint32_t self = (uint32_t)(b - tc->tb) + 1;
    while (*link && *link != self)
        link = &tc->tb[*link - 1].hnext;
    if (*link)
        *link = b->hnext;
}

/* physmem's code_write: the bytes [host, host + size) at addr are about to change. Every
 * block holding one of them goes, the running one included (tb_exit: it stops after the
 * writing instruction); a page left without blocks gets fast writes back. */
static void code_write(void *opaque, uint32_t addr, const uint8_t *host, unsigned size)
{
    struct tcache *tc = opaque;
    const uintptr_t lo = (uintptr_t)host, hi = lo + size;
    uint32_t page = addr >> PHYS_PAGE_SHIFT;
    const uint32_t last = (uint32_t)(addr + size - 1) >> PHYS_PAGE_SHIFT;
    for (;; page++) {
        /* Data beside code in the same page: most writes touch no block's piece. */
        uint32_t from = page == addr >> PHYS_PAGE_SHIFT ? addr & 0xFFFu : 0;
        uint32_t to = page == last ? ((addr + size - 1) & 0xFFFu) + 1 : 0x1000;
        if (tc->page_mask[page] & piece_mask(from, to - from)) {
            uint32_t *link = &tc->page_head[page];
            uint64_t kept = 0;
            while (*link) {
                struct tb *b = &tc->tb[*link - 1];
                uintptr_t b_lo = (uintptr_t)b->host;
                if (b_lo < hi && lo < b_lo + b->bytes) {
                    *link = b->pnext;
                    unhash(tc, b);
                    /* Never found or followed again; its instructions stay until a flush
                     * (the block may be running). */
                    b->host = NULL;
                    tc->cpu->tb_exit = 1;
                } else {
                    kept |= piece_mask(b->phys & 0xFFFu, b->bytes);
                    link = &b->pnext;
                }
            }
            tc->page_mask[page] = kept;
            if (!tc->page_head[page])
                physmem_code_clear(tc->mem, page);
        }
        if (page == last)
            break;
    }
}

static void flush(struct tcache *tc)
{
    if (!tc->ntb)
        return;
    for (uint32_t i = 0; i < tc->ntb; i++) {
        uint32_t page = tc->tb[i].phys >> PHYS_PAGE_SHIFT;
        if (tc->page_head[page]) {
            tc->page_head[page] = 0;
            tc->page_mask[page] = 0;
            physmem_code_clear(tc->mem, page);
        }
    }
    memset(tc->hash, 0, sizeof tc->hash);
    tc->ntb = 0;
    tc->ninsn = 0;
#ifdef ORRERY_JIT
    if (tc->jit)
        jit_reset(tc->jit);
#endif
    tc->jit_full = false;
    tc->nnative = 0;
}

void tb_flush(struct cpu *cpu)
{
    if (cpu->mem->code_write == code_write)
        flush(cpu->mem->code_opaque);
}

static void tcache_free(void *opaque)
{
    struct tcache *tc = opaque;
#ifdef ORRERY_JIT
    jit_free(tc->jit);
#endif
    free(tc->page_head);
    free(tc->page_mask);
    free(tc);
}

struct tcache *tb_attach(struct cpu *cpu)
{
    struct physmem *pm = cpu->mem;
    struct tcache *tc;
    if (pm->code_write == code_write) {
        tc = pm->code_opaque;
    } else if (pm->code_write) {
        return NULL;
    } else {
        tc = calloc(1, sizeof *tc);
        uint32_t *heads = calloc(PHYS_PAGES, sizeof *heads);
        uint64_t *masks = calloc(PHYS_PAGES, sizeof *masks);
        if (!tc || !heads || !masks) {
            free(tc);
            free(heads);
            free(masks);
            return NULL;
        }
        tc->page_head = heads;
        tc->page_mask = masks;
        tc->mem = pm;
        tc->model = cpu->model;
#ifdef ORRERY_JIT
        tc->jit = jit_new();
#endif
        pm->code_write = code_write;
        pm->code_free = tcache_free;
        pm->code_opaque = tc;
    }
    /* Decoding depends on the model: a CPU of another model on the same memory starts
     * afresh. */
    if (tc->model != cpu->model) {
        flush(tc);
        tc->model = cpu->model;
    }
    tc->cpu = cpu;
    return tc;
}

/* Instructions after which the interpreter's loop must look again: the opcode table's
 * OPF_END forms (cpu/opcodes.def), REP string forms (they leave EIP on themselves while
 * work remains), and undefined forms. */
static bool ends_block(const struct insn *in)
{
    if (in->fn == op_ud || !in->desc)
        return true;
    return (in->desc->flags & OPF_END) || (in->rep && (in->desc->flags & OPF_END_REP));
}

/* Decodes the block whose first byte is at host (physical phys) for CS.D = code32; at most
 * avail bytes may be used (page end, CS limit). NULL when not even the first instruction
 * decodes ahead. */
static struct tb *translate(struct cpu *cpu, struct tcache *tc, const uint8_t *host,
                            uint32_t phys, bool code32, uint32_t avail)
{
    if (tc->ntb == TB_BLOCKS || tc->ninsn > TB_INSNS - TB_MAX_INSNS || tc->jit_full)
        flush(tc);
    struct tb *b = &tc->tb[tc->ntb];
    struct insn *insn = &tc->insn[tc->ninsn];
    unsigned n = 0, off = 0;
    while (n < TB_MAX_INSNS && off < avail) {
        struct insn *in = &insn[n];
        if (!decode_bytes(cpu, host + off, avail - off, in))
            break;
        off += in->len;
        n++;
        if (ends_block(in))
            break;
    }
    if (!n)
        return NULL;
    b->host = host;
    b->insn = insn;
    b->succ[0] = b->succ[1] = NULL;
    b->native = NULL;
    b->heat = 0;
    b->phys = phys;
    b->bytes = (uint16_t)off;
    b->n = (uint8_t)n;
    b->code32 = code32;
    uint32_t self = tc->ntb + 1;
    uint32_t *bucket = &tc->hash[hash_of(phys, code32)];
    b->hnext = *bucket;
    *bucket = self;
    uint32_t page = phys >> PHYS_PAGE_SHIFT;
    b->pnext = tc->page_head[page];
    tc->page_head[page] = self;
    tc->page_mask[page] |= piece_mask(phys & 0xFFFu, off);
    physmem_code_set(cpu->mem, page); /* bumps gen: the TLB drops fast writes to it */
    tc->ntb++;
    tc->ninsn += n;
    return b;
}

/* The block at CS:EIP, translated if new; NULL when the interpreter must step. prev, the
 * block that ran just before, remembers its successors: one of them is checked against
 * the key before the hash table is searched (chaining). */
static ALWAYS_INLINE struct tb *find(struct cpu *cpu, struct tcache *tc, struct tb *prev)
{
    const struct seg_cache *cs = &cpu->seg[S_CS];
    const uint32_t eip = cpu->eip;
    const uint32_t lin = cs->base + eip;
    const struct tlb_entry *e = &cpu->tlb.e[TLB_EXEC | tlb_user(cpu)][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag != (lin & TLB_PAGE_MASK))
        return NULL; /* not translated for execution yet, or not RAM/ROM */
    const bool code32 = (cs->attr & SEG_ATTR_DB) != 0;
    const uint8_t *host = (const uint8_t *)(e->addend + lin);
    const uint32_t phys = (e->info >> 8) << 12 | (lin & 0xFFFu);
    /* The offsets the block may use: to the CS limit, and in 16-bit code to 0xFFFF (EIP
     * wraps there: the next instruction is not the next byte). */
    uint32_t limit = cs->limit;
    if (!code32 && limit > 0xFFFF)
        limit = 0xFFFF;
    if (eip > limit)
        return NULL;
    const uint64_t room = (uint64_t)limit - eip + 1;
    struct tb *b = NULL;
    if (prev) {
        for (int k = 0; k < 2; k++) {
            struct tb *t = prev->succ[k];
            if (t && t->host == host && t->phys == phys && t->code32 == code32)
                return t->bytes <= room ? t : NULL;
        }
    }
    for (uint32_t i = tc->hash[hash_of(phys, code32)]; i; i = tc->tb[i - 1].hnext) {
        struct tb *t = &tc->tb[i - 1];
        if (t->host == host && t->phys == phys && t->code32 == code32) {
            b = t;
            break;
        }
    }
    if (!b) {
        uint32_t avail = 0x1000 - (lin & 0xFFFu);
        if (room < avail)
            avail = (uint32_t)room;
        b = translate(cpu, tc, host, phys, code32, avail);
        if (!b)
            return NULL;
    } else if (b->bytes > room) {
        return NULL;
    }
    if (prev) {
        prev->succ[1] = prev->succ[0];
        prev->succ[0] = b;
    }
    return b;
}

#ifdef ORRERY_JIT
/* A hot block becomes host code; when the region is full, the block stays threaded and
 * the next translation flushes the cache (and the region) to start afresh. */
static void compile(struct tcache *tc, struct tb *b)
{
    b->native = jit_compile(tc->jit, b->insn, b->n, b->code32);
    if (b->native)
        tc->nnative++;
    else
        tc->jit_full = true;
}
#endif

unsigned tb_native_blocks(const struct cpu *cpu)
{
    const struct tcache *tc = cpu->mem->code_write == code_write ? cpu->mem->code_opaque : NULL;
    return tc ? tc->nnative : 0;
}

/* Whether the loop in cpu_run must look before the next block: an event (tb_exit), the
 * end of the slice, HLT, an interrupt line that may now be taken, or anything that needs
 * the interpreter (interrupt shadow, TF, debug registers). */
static ALWAYS_INLINE bool must_return(const struct cpu *cpu)
{
    return cpu->tb_exit || cpu->tb_single || cpu->icount >= cpu->run_end || cpu->halted || cpu->shutdown ||
           cpu->intr_line ||
           cpu->inhibit || (cpu->eflags & FL_TF) ||
           (cpu->debug_exec | cpu->debug_data | cpu->debug_io) ||
           cpu->tlb.mem_gen != cpu->mem->gen;
}

bool tb_exec(struct cpu *cpu)
{
    struct tcache *tc = cpu->tc;
    struct tb *prev = NULL;
    for (;;) {
        struct tb *b = find(cpu, tc, prev);
        if (!b)
            return prev != NULL;
        cpu_tlb_sync(cpu); /* a new code page bumped gen: its fast write entries must go */
        uint64_t left = cpu->run_end - cpu->icount;
        const struct insn *in = b->insn;
        const struct insn *end = in + (b->n < left ? b->n : left);
        const uint32_t mask = b->code32 ? 0xFFFFFFFFu : 0xFFFFu;
        cpu->tb_exit = 0;
        /* RF lasts one instruction; nothing inside a block sets it again (IRET ends
         * blocks). */
        cpu->eflags &= ~FL_RF;
        if (unlikely(cpu->obs.block)) /* a trace file: the block, then how far it ran */
            obs_block(cpu, in, (unsigned)(end - in), b->host, b->phys);
        /* The native tier runs whole blocks only: one too close to run_end runs threaded,
         * so a slice ends where it does without it. */
#ifdef ORRERY_JIT
        if (b->n <= left && tc->jit && !cpu->native_off) {
            if (!b->native && ++b->heat >= TB_HOT)
                compile(tc, b);
            if (b->native) {
                b->native(cpu, in);
                goto ran;
            }
        }
#endif
        /* EIP and the instruction count live in locals, stored for each instruction (the
         * handlers and the fault path read them) but never loaded back: only a block's
         * last instruction changes EIP, and only the loop counts. */
        uint32_t eip = cpu->eip;
        uint64_t count = cpu->icount;
        do {
            cpu->insn_eip = eip;
            cpu->insn_esp = cpu->r[R_ESP];
            eip = (eip + in->len) & mask;
            cpu->eip = eip;
            in->fn(cpu, in);
            cpu->icount = ++count;
            in++;
        } while (in < end && !cpu->tb_exit);
#ifdef ORRERY_JIT
    ran:
#endif
        if (unlikely(cpu->obs.block))
            cpu->obs.hooks->block_end(cpu->obs.opaque, cpu);
        if (must_return(cpu))
            return true;
        prev = b;
    }
}
