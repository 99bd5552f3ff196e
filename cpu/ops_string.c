/* String instructions MOVS CMPS SCAS LODS STOS INS OUTS with REP/REPE/REPNE (SDM Vol. 2).
 *
 * A repeated instruction runs at most STRING_CHUNK iterations per execution; when work is
 * left it leaves EIP on itself, so it resumes where it stopped. Interrupts, the
 * scheduler and faults see exactly the architectural state between two iterations. */
#include "cpu/exec.h"
#include "cpu/handlers.h"

#define STRING_CHUNK 4096

static ALWAYS_INLINE uint32_t str_count(const struct cpu *cpu, const struct insn *in)
{
    return cpu->r[R_ECX] & in->addr_mask;
}

static ALWAYS_INLINE void str_set_count(struct cpu *cpu, const struct insn *in, uint32_t v)
{
    cpu->r[R_ECX] = (cpu->r[R_ECX] & ~in->addr_mask) | (v & in->addr_mask);
}

static ALWAYS_INLINE void str_advance(struct cpu *cpu, const struct insn *in, unsigned reg,
                                      unsigned size)
{
    uint32_t d = (cpu->eflags & FL_DF) ? (uint32_t)-(int32_t)size : size;
    cpu->r[reg] = (cpu->r[reg] & ~in->addr_mask) | ((cpu->r[reg] + d) & in->addr_mask);
}

/* The 286 steps SI/DI (and under REP decrements CX) as it issues each access, so an
 * access that faults leaves them stepped (286-real/A5.MOO.gz: MOVSW at SI = 0xFFFF ends
 * in #GP with SI = 0x0001 and DI unchanged). Later models are precise: registers step
 * only after the iteration's accesses succeed. */
static ALWAYS_INLINE bool early_step(const struct cpu *cpu)
{
    return cpu->model == CPU_286;
}

/* The offset of the next access through index register reg; steps it now on the 286. */
static ALWAYS_INLINE uint32_t str_take(struct cpu *cpu, const struct insn *in, unsigned reg,
                                       unsigned size)
{
    uint32_t off = cpu->r[reg] & in->addr_mask;
    if (early_step(cpu))
        str_advance(cpu, in, reg, size);
    return off;
}

/* The same for a write. Under REP the 286 has already decremented CX for the next
 * iteration when a write faults (286-real/A5, AB, 6D: REP MOVSW/STOSW/INSW whose first
 * write faults end with CX two lower). */
static ALWAYS_INLINE uint32_t str_take_w(struct cpu *cpu, const struct insn *in, unsigned reg,
                                         unsigned size)
{
    if (early_step(cpu) && in->rep) {
        uint32_t n = str_count(cpu, in);
        if (n)
            str_set_count(cpu, in, n - 1);
    }
    return str_take(cpu, in, reg, size);
}

/* Steps reg after the accesses, on models that do not step early. */
static ALWAYS_INLINE void str_done(struct cpu *cpu, const struct insn *in, unsigned reg,
                                   unsigned size)
{
    if (!early_step(cpu))
        str_advance(cpu, in, reg, size);
}

/* ---- REP MOVS and REP STOS in bulk ----
 * Iterations whose accesses all stay in one page on each side and hit the TLB's fast
 * entries (plain RAM, already dirty, no code: mmu/tlb.h) move with host loads and stores,
 * element by element in the architectural order, so overlapping copies come out as the
 * one-at-a-time loop makes them. Nothing observable differs: no access can fault, no
 * breakpoint or watchpoint is armed (debug_data), alignment checking is off (EFLAGS.AC),
 * and the registers are written as the loop would leave them after the same iterations.
 * The 286's early stepping and DF = 1 take the loop. */

/* The host address of the first of up to *k elements of size bytes at off through
 * segment s for need, with *k cut to what the segment limit, the address size and the
 * page allow; NULL when not even one element can go in bulk. */
static ALWAYS_INLINE uint8_t *bulk_span(struct cpu *cpu, const struct insn *in, int s,
                                        uint32_t off, unsigned size, unsigned need,
                                        unsigned kind, uint32_t *k)
{
    const struct seg_cache *sc = &cpu->seg[s];
    if ((sc->ok & (need | SEG_EXPDOWN)) != need)
        return NULL;
    uint64_t end = sc->limit < in->addr_mask ? sc->limit : in->addr_mask; /* last offset */
    if (off > end || end - off + 1 < size)
        return NULL;
    uint64_t fit = (end - off + 1) / size;
    uint32_t lin = sc->base + off;
    uint32_t in_page = (0x1000 - (lin & 0xFFFu)) / size;
    if (fit > in_page)
        fit = in_page;
    if (fit == 0)
        return NULL;
    if (fit < *k)
        *k = (uint32_t)fit;
    const struct tlb_entry *e = &cpu->tlb.e[kind | tlb_user(cpu)][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag != (lin & TLB_PAGE_MASK))
        return NULL;
    return (uint8_t *)(e->addend + lin);
}

static ALWAYS_INLINE bool bulk_ok(const struct cpu *cpu)
{
    return !early_step(cpu) && !(cpu->eflags & (FL_DF | FL_AC)) && !cpu->debug_data;
}

/* Up to max iterations of REP MOVS of size bytes at once; how many were done (0: none,
 * the loop does the next one). */
static ALWAYS_INLINE uint32_t movs_bulk(struct cpu *cpu, const struct insn *in, unsigned size,
                                        uint32_t max)
{
    if (!bulk_ok(cpu))
        return 0;
    uint32_t k = max;
    const uint8_t *src = bulk_span(cpu, in, in->seg, cpu->r[R_ESI] & in->addr_mask, size,
                                   SEG_OK_READ, TLB_READ, &k);
    if (!src)
        return 0;
    uint8_t *dst = bulk_span(cpu, in, S_ES, cpu->r[R_EDI] & in->addr_mask, size,
                             SEG_OK_WRITE, TLB_WRITE, &k);
    if (!dst)
        return 0;
    for (uint32_t i = 0; i < k; i++)
        store_le(dst + i * size, size, load_le(src + i * size, size));
    uint32_t m = in->addr_mask, d = k * size;
    cpu->r[R_ESI] = (cpu->r[R_ESI] & ~m) | ((cpu->r[R_ESI] + d) & m);
    cpu->r[R_EDI] = (cpu->r[R_EDI] & ~m) | ((cpu->r[R_EDI] + d) & m);
    return k;
}

static ALWAYS_INLINE uint32_t stos_bulk(struct cpu *cpu, const struct insn *in, unsigned size,
                                        uint32_t max)
{
    if (!bulk_ok(cpu))
        return 0;
    uint32_t k = max;
    uint8_t *dst = bulk_span(cpu, in, S_ES, cpu->r[R_EDI] & in->addr_mask, size,
                             SEG_OK_WRITE, TLB_WRITE, &k);
    if (!dst)
        return 0;
    uint32_t v = cpu->r[R_EAX];
    for (uint32_t i = 0; i < k; i++)
        store_le(dst + i * size, size, v);
    uint32_t m = in->addr_mask;
    cpu->r[R_EDI] = (cpu->r[R_EDI] & ~m) | ((cpu->r[R_EDI] + k * size) & m);
    return k;
}

#define NO_BULK 0

/* Runs body once, or under REP up to STRING_CHUNK times. cmp: REPE/REPNE end on ZF
 * (and, on the 286, CX is decremented after the first read instead of before it). bulk:
 * an expression doing up to max_ of the next iterations at once and giving how many it
 * did (NO_BULK: none). */
#define STRING_OP(cmp, bulk, body)                                                         \
    do {                                                                                   \
        if (!in->rep) {                                                                    \
            body;                                                                          \
            return;                                                                        \
        }                                                                                  \
        uint32_t n_ = str_count(cpu, in);                                                  \
        /* Single-stepping traps after each iteration (SDM Vol. 3A §17.3.1.4); so does a  \
         * debugger's step. */                                                             \
        const unsigned chunk_ = (cpu->eflags & FL_TF) || cpu->dbg.step ? 1 : STRING_CHUNK; \
        for (unsigned i_ = 0; i_ < chunk_; i_++) {                                         \
            if (n_ == 0)                                                                   \
                return;                                                                    \
            const uint32_t max_ = chunk_ - i_ < n_ ? chunk_ - i_ : n_;                     \
            const uint32_t did_ = (bulk);                                                  \
            (void)max_;                                                                    \
            if (did_) {                                                                    \
                n_ -= did_;                                                                \
                str_set_count(cpu, in, n_);                                                \
                i_ += did_ - 1;                                                            \
                continue;                                                                  \
            }                                                                              \
            if (early_step(cpu) && !cmp)                                                   \
                str_set_count(cpu, in, n_ - 1);                                            \
            body;                                                                          \
            str_set_count(cpu, in, --n_);                                                  \
            if (cmp && (in->rep == 0xF3) != get_zf(cpu))                                   \
                return;                                                                    \
        }                                                                                  \
        if (n_) { /* resumed later, without a debugger's breakpoint firing again */     \
            cpu->eip = cpu->insn_eip;                                                      \
            cpu->dbg.skip = 1;                                                             \
            cpu->dbg.skip_lin = cpu->seg[S_CS].base + cpu->eip;                            \
        }                                                                                  \
    } while (0)

#define RD(size, s, off) (size == 1 ? rd8(cpu, s, off) : size == 2 ? rd16(cpu, s, off) : rd32(cpu, s, off))
#define WR(size, s, off, v)                                                                \
    (size == 1 ? wr8(cpu, s, off, (uint8_t)(v)) : size == 2 ? wr16(cpu, s, off, (uint16_t)(v)) \
               : wr32(cpu, s, off, (v)))
#define ACC(size) (cpu->r[R_EAX] & size_mask(8 * size))
#define SET_ACC(size, v)                                                                   \
    (size == 1 ? set_r8(cpu, R_EAX, (uint8_t)(v)) : size == 2 ? set_r16(cpu, R_EAX, (uint16_t)(v)) \
               : set_r32(cpu, R_EAX, (v)))

#define DEFINE_STRING(suffix, size)                                                        \
    void op_movs##suffix(struct cpu *cpu, const struct insn *in)                           \
    {                                                                                      \
        STRING_OP(false, movs_bulk(cpu, in, size, max_), {                                 \
            uint32_t v_ = RD(size, in->seg, str_take(cpu, in, R_ESI, size));               \
            WR(size, S_ES, str_take_w(cpu, in, R_EDI, size), v_);                            \
            str_done(cpu, in, R_ESI, size);                                                \
            str_done(cpu, in, R_EDI, size);                                                \
        });                                                                                \
    }                                                                                      \
    void op_cmps##suffix(struct cpu *cpu, const struct insn *in)                           \
    {                                                                                      \
        STRING_OP(true, NO_BULK, {                                                         \
            /* ES:[DI] is read first (286-real/A7.MOO.gz: with both at 0xFFFF only DI \
             * has stepped when the #GP is taken). */                                      \
            uint32_t b_ = RD(size, S_ES, str_take(cpu, in, R_EDI, size));                  \
            if (early_step(cpu) && in->rep)                                                \
                str_set_count(cpu, in, str_count(cpu, in) - 1);                            \
            uint32_t a_ = RD(size, in->seg, str_take(cpu, in, R_ESI, size));               \
            str_done(cpu, in, R_ESI, size);                                                \
            str_done(cpu, in, R_EDI, size);                                                \
            set_lazy(cpu, LF_SUB, 8 * size, a_ - b_, a_, b_);                              \
        });                                                                                \
    }                                                                                      \
    void op_scas##suffix(struct cpu *cpu, const struct insn *in)                           \
    {                                                                                      \
        STRING_OP(true, NO_BULK, {                                                         \
            uint32_t a_ = ACC(size);                                                       \
            if (early_step(cpu) && in->rep)                                                \
                str_set_count(cpu, in, str_count(cpu, in) - 1);                            \
            uint32_t b_ = RD(size, S_ES, str_take(cpu, in, R_EDI, size));                  \
            str_done(cpu, in, R_EDI, size);                                                \
            set_lazy(cpu, LF_SUB, 8 * size, a_ - b_, a_, b_);                              \
        });                                                                                \
    }                                                                                      \
    void op_lods##suffix(struct cpu *cpu, const struct insn *in)                           \
    {                                                                                      \
        STRING_OP(false, NO_BULK, {                                                        \
            uint32_t v_ = RD(size, in->seg, str_take(cpu, in, R_ESI, size));               \
            SET_ACC(size, v_);                                                             \
            str_done(cpu, in, R_ESI, size);                                                \
        });                                                                                \
    }                                                                                      \
    void op_stos##suffix(struct cpu *cpu, const struct insn *in)                           \
    {                                                                                      \
        STRING_OP(false, stos_bulk(cpu, in, size, max_), {                                 \
            WR(size, S_ES, str_take_w(cpu, in, R_EDI, size), ACC(size));                     \
            str_done(cpu, in, R_EDI, size);                                                \
        });                                                                                \
    }                                                                                      \
    void op_ins##suffix(struct cpu *cpu, const struct insn *in)                            \
    {                                                                                      \
        io_check(cpu, get_r16(cpu, R_EDX), size);                                          \
        STRING_OP(false, NO_BULK, {                                                        \
            /* The destination is checked before the port is read (SDM: #GP/#SS/#PF    \
             * leave the device untouched). */                                             \
            uint32_t off_ = str_take_w(cpu, in, R_EDI, size);                              \
            seg_addr(cpu, S_ES, off_, size, SEG_OK_WRITE);                                         \
            uint32_t v_ = iobus_in(cpu->io, get_r16(cpu, R_EDX), size);                    \
            WR(size, S_ES, off_, v_);                                                      \
            str_done(cpu, in, R_EDI, size);                                                \
        });                                                                                \
    }                                                                                      \
    void op_outs##suffix(struct cpu *cpu, const struct insn *in)                           \
    {                                                                                      \
        io_check(cpu, get_r16(cpu, R_EDX), size);                                          \
        STRING_OP(false, NO_BULK, {                                                        \
            uint32_t v_ = RD(size, in->seg, str_take(cpu, in, R_ESI, size));               \
            iobus_out(cpu->io, get_r16(cpu, R_EDX), size, v_);                             \
            str_done(cpu, in, R_ESI, size);                                                \
        });                                                                                \
    }

DEFINE_STRING(b, 1)
DEFINE_STRING(w, 2)
DEFINE_STRING(d, 4)
