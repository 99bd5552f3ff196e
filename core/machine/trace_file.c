/* The binary trace of -trace-file (tools/TRACE-FORMAT.md): fixed records in a 1 MiB
 * buffer written with one fwrite when full, no disassembly and no system call per
 * instruction. Instructions go out as runs (consecutive instructions on one page, in one
 * mode) and their bytes once per physical address, again only when they change; a run
 * equal to one seen recently is a 4-byte HIT, so a loop costs a few bytes per pass. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bits.h"
#include "core/machine/trace.h"
#include "core/trace_format.h"
#include "cpu/cpu.h"

#define BUF_SIZE (1u << 20)
#define CODE_SLOTS (1u << 16)
#define RUN_MEMO_BITS 12

struct code_slot {
    uint32_t phys;
    uint8_t len;      /* 0: empty */
    uint8_t bytes[16];
};

struct trace_file {
    FILE *f;
    int err;
    char name[200];
    size_t used;
    bool flushed;   /* some of the file is written out */
    /* The run being built. */
    bool in_run;
    uint8_t flags;
    uint16_t count, cs;
    uint32_t eip, lin, phys, next_lin;
    /* The block the translator runs (trace_file_block), until settled: blk_n 0 none. */
    unsigned blk_n;
    uint8_t blk_flags;
    uint16_t blk_cs;
    uint32_t blk_eip, blk_lin, blk_phys;
    uint64_t blk_icount;
    uint8_t blk_len[CPU_OBS_BLOCK_MAX];
    uint8_t blk_bytes[CPU_OBS_BLOCK_MAX * 15 + 16]; /* 16 to spare: code() reads 16 */
    struct code_slot code[CODE_SLOTS];
    uint8_t runs[TRACE_RUN_TABLE][TRACE_RUN_SIZE];
    uint32_t run_memo[1u << RUN_MEMO_BITS];
    uint8_t buf[BUF_SIZE];
};

static void write_out(struct trace_file *t)
{
    if (t->used && !t->err && fwrite(t->buf, 1, t->used, t->f) != t->used)
        t->err = errno ? errno : EIO;
    t->flushed |= t->used != 0;
    t->used = 0;
}

static uint8_t *reserve(struct trace_file *t, size_t n)
{
    if (t->used + n > BUF_SIZE)
        write_out(t);
    uint8_t *p = t->buf + t->used;
    memset(p, 0, n);
    t->used += n;
    return p;
}

struct trace_file *trace_file_open(const char *path, uint64_t icount, bool mem, char *err)
{
    struct trace_file *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, MACHINE_ERRMAX, "out of memory for the trace buffer");
        return NULL;
    }
    t->f = fopen(path, "wb");
    if (!t->f) {
        snprintf(err, MACHINE_ERRMAX, "cannot create trace file '%s': %s; check the folder "
                 "exists and is writable", path, strerror(errno));
        free(t);
        return NULL;
    }
    snprintf(t->name, sizeof t->name, "trace file '%s'", path);
    uint8_t *h = reserve(t, TRACE_HEADER_SIZE);
    memcpy(h, TRACE_MAGIC, 8);
    store_le32(h + 8, TRACE_VERSION);
    store_le32(h + 12, TRACE_HEADER_SIZE);
    store_le32(h + 16, TRACE_HDR_INTR | (mem ? TRACE_HDR_MEM : 0));
    store_le32(h + 24, (uint32_t)icount);
    store_le32(h + 28, (uint32_t)(icount >> 32));
    return t;
}

static void end_run(struct trace_file *t)
{
    if (!t->in_run)
        return;
    t->in_run = false;
    uint8_t rec[TRACE_RUN_SIZE] = { 0 };
    rec[0] = TRACE_REC_RUN;
    rec[1] = t->flags;
    store_le16(rec + 2, t->count);
    store_le16(rec + 4, t->cs);
    store_le32(rec + 8, t->eip);
    store_le32(rec + 12, t->lin);
    store_le32(rec + 16, t->phys);
    /* A loop repeats its runs: the slot a run had last time, found by a cheap hash, spares
     * the FNV (a run equal to the one in a slot has that slot). */
    uint32_t *memo = &t->run_memo[((t->phys ^ t->eip << 7 ^ (uint32_t)t->count << 20) *
                                   0x9E3779B1u) >> (32 - RUN_MEMO_BITS)];
    uint32_t slot = *memo;
    if (memcmp(t->runs[slot], rec, TRACE_RUN_SIZE) != 0) {
        slot = trace_run_slot(rec);
        *memo = slot;
    }
    if (memcmp(t->runs[slot], rec, TRACE_RUN_SIZE) == 0) {
        uint8_t *p = reserve(t, TRACE_HIT_SIZE);
        p[0] = TRACE_REC_HIT;
        store_le16(p + 2, (uint16_t)slot);
        return;
    }
    memcpy(t->runs[slot], rec, TRACE_RUN_SIZE);
    memcpy(reserve(t, TRACE_RUN_SIZE), rec, TRACE_RUN_SIZE);
}

/* The CODE record of the len bytes at phys, unless the last one written for phys has
 * them. bytes may be read 16 bytes far (only len count). */
static ALWAYS_INLINE void code(struct trace_file *t, uint32_t phys, const uint8_t *bytes,
                               unsigned len)
{
    static const uint8_t ones[32] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    uint64_t b[2], m[2], c[2];
    memcpy(b, bytes, 16);
    memcpy(m, ones + 16 - len, 16); /* the first len bytes 0xFF, the rest 0 */
    b[0] &= m[0];
    b[1] &= m[1];
    struct code_slot *slot = &t->code[(phys ^ (phys >> 16)) & (CODE_SLOTS - 1)];
    memcpy(c, slot->bytes, 16);
    if (slot->phys == phys && slot->len == len && b[0] == c[0] && b[1] == c[1])
        return;
    slot->phys = phys;
    slot->len = (uint8_t)len;
    memcpy(slot->bytes, b, 16);
    uint8_t *p = reserve(t, TRACE_CODE_SIZE);
    p[0] = TRACE_REC_CODE;
    p[1] = (uint8_t)len;
    store_le32(p + 4, phys);
    memcpy(p + 8, b, 16);
}

/* One instruction of CS:EIP at linear lin, physical phys (ok: its len bytes are known,
 * in bytes), in a mode whose RUN flags are flags. */
static void record(struct trace_file *t, uint8_t flags, uint16_t cs, uint32_t eip,
                   uint32_t lin, uint32_t phys, bool ok, const uint8_t *bytes, unsigned len)
{
    if (t->in_run && ok && lin == t->next_lin && (lin ^ t->lin) < 0x1000 &&
        lin >= t->lin && flags == t->flags && cs == t->cs && t->count < 0xFFFF &&
        eip == t->eip + (lin - t->lin)) {
        t->count++;
    } else {
        end_run(t);
        t->in_run = true;
        t->flags = flags;
        t->count = 1;
        t->cs = cs;
        t->eip = eip;
        t->lin = lin;
        t->phys = phys;
    }
    t->next_lin = lin + len;
    if (!ok) {
        end_run(t); /* bytes unknown, so the length is too: a run of one */
        return;
    }
    code(t, phys, bytes, len);
}

static uint8_t run_flags(const struct cpu *cpu)
{
    return (uint8_t)((cpu->mode & 3u) | (cpu->cpl & 3u) << 2 |
                     (cpu->seg[S_CS].attr & SEG_ATTR_DB ? TRACE_RUN_CODE32 : 0));
}

/* The block in flight: its first instructions up to the count the CPU has reached (plus
 * the one that started and has not been counted, when unfinished) are recorded, as the
 * interpreter's hook would have recorded them one by one. */
static void settle(struct trace_file *t, uint64_t icount, bool unfinished)
{
    if (!t->blk_n)
        return;
    uint64_t done = icount - t->blk_icount + (unfinished ? 1 : 0);
    unsigned n = done < t->blk_n ? (unsigned)done : t->blk_n;
    t->blk_n = 0;
    if (!n)
        return;
    record(t, t->blk_flags, t->blk_cs, t->blk_eip, t->blk_lin, t->blk_phys, true,
           t->blk_bytes, t->blk_len[0]);
    unsigned off = t->blk_len[0];
    if (t->count + (n - 1) <= 0xFFFF) {
        /* The rest follow in the run: one page, one mode, no EIP wrap inside a block. */
        t->count = (uint16_t)(t->count + (n - 1));
        for (unsigned i = 1; i < n; off += t->blk_len[i], i++)
            code(t, t->blk_phys + off, t->blk_bytes + off, t->blk_len[i]);
        t->next_lin = t->blk_lin + off;
        return;
    }
    const uint32_t mask = t->blk_flags & TRACE_RUN_CODE32 ? 0xFFFFFFFFu : 0xFFFFu;
    for (unsigned i = 1; i < n; off += t->blk_len[i], i++)
        record(t, t->blk_flags, t->blk_cs, (t->blk_eip + off) & mask, t->blk_lin + off,
               t->blk_phys + off, true, t->blk_bytes + off, t->blk_len[i]);
}

void trace_file_insn(struct trace_file *t, struct cpu *cpu, uint32_t lin, unsigned len)
{
    settle(t, cpu->icount, false);
    uint8_t bytes[16] = { 0 };
    uint64_t phys64;
    bool ok = cpu_obs_code(cpu, lin, len, bytes, &phys64) && !(phys64 >> 32);
    record(t, run_flags(cpu), cpu->seg[S_CS].sel, cpu->eip, lin,
           ok ? (uint32_t)phys64 : TRACE_PHYS_NONE, ok, bytes, len);
}

void trace_file_block(struct trace_file *t, struct cpu *cpu, const struct cpu_obs_block *blk)
{
    settle(t, cpu->icount, false);
    /* The bytes as decoded: the block may rewrite its own earlier instructions. */
    memcpy(t->blk_bytes, blk->bytes, blk->size);
    memcpy(t->blk_len, blk->len, blk->n);
    t->blk_n = blk->n;
    t->blk_icount = cpu->icount;
    t->blk_flags = run_flags(cpu);
    t->blk_cs = cpu->seg[S_CS].sel;
    t->blk_eip = cpu->eip;
    t->blk_lin = blk->lin;
    t->blk_phys = blk->phys;
}

void trace_file_block_end(struct trace_file *t, struct cpu *cpu)
{
    settle(t, cpu->icount, false);
}

void trace_file_intr(struct trace_file *t, const struct cpu_obs_intr *ev, uint64_t icount)
{
    /* From inside a block: an exception, INT n or RSM of the instruction that started
     * (external interrupts and SMIs come between blocks). */
    settle(t, icount, ev->kind == CPU_OBS_EXCEPTION || ev->kind == CPU_OBS_SOFTWARE ||
                          ev->kind == CPU_OBS_RSM);
    end_run(t);
    uint8_t *p = reserve(t, TRACE_INTR_SIZE);
    p[0] = TRACE_REC_INTR;
    p[1] = ev->kind;
    p[2] = ev->vector;
    p[3] = (uint8_t)((ev->has_error ? 1 : 0) | (ev->cpl_from & 3) << 1 | (ev->cpl_to & 3) << 3);
    store_le16(p + 4, ev->cs_from);
    store_le16(p + 6, ev->cs_to);
    store_le32(p + 8, ev->eip_from);
    store_le32(p + 12, ev->eip_to);
    store_le32(p + 16, ev->error);
    store_le32(p + 20, ev->cr2);
    store_le32(p + 24, (uint32_t)icount);
    store_le32(p + 28, (uint32_t)(icount >> 32));
}

void trace_file_mem(struct trace_file *t, uint32_t lin, uint64_t phys, unsigned size,
                    uint32_t value, unsigned flags)
{
    /* With MEM records the CPU runs on the interpreter (every access is out of line), so
     * no block is in flight; the instruction that made the access is the one being built
     * into the run: the run goes out first, ending with it. */
    end_run(t);
    uint8_t *p = reserve(t, TRACE_MEM_SIZE);
    p[0] = TRACE_REC_MEM;
    p[1] = (uint8_t)((flags & CPU_OBS_MEM_WRITE ? TRACE_MEM_WRITE : 0) |
                     (flags & CPU_OBS_MEM_SYS ? TRACE_MEM_SYS : 0) |
                     (flags & CPU_OBS_MEM_DELIVERY ? TRACE_MEM_DELIVERY : 0));
    p[2] = (uint8_t)size;
    store_le32(p + 4, lin);
    store_le32(p + 8, phys >> 32 ? TRACE_PHYS_NONE : (uint32_t)phys);
    store_le32(p + 12, value);
}

void trace_file_loaded(struct trace_file *t, uint64_t icount)
{
    settle(t, icount, false);
    end_run(t);
    /* Nothing recorded yet (-loadstate): the trace starts at the loaded count. */
    if (!t->flushed && t->used == TRACE_HEADER_SIZE) {
        store_le32(t->buf + 24, (uint32_t)icount);
        store_le32(t->buf + 28, (uint32_t)(icount >> 32));
    }
}

void trace_file_flush(struct trace_file *t)
{
    write_out(t);
    if (!t->err && fflush(t->f) != 0)
        t->err = errno ? errno : EIO;
}

int trace_file_close(struct trace_file *t, uint64_t icount)
{
    settle(t, icount, false);
    end_run(t);
    uint8_t *p = reserve(t, TRACE_END_SIZE);
    p[0] = TRACE_REC_END;
    store_le32(p + 8, (uint32_t)icount);
    store_le32(p + 12, (uint32_t)(icount >> 32));
    trace_file_flush(t);
    int e = t->err;
    if (fclose(t->f) != 0 && !e)
        e = errno ? errno : EIO;
    free(t);
    return e;
}

int trace_file_error(const struct trace_file *t, const char **name)
{
    *name = t->name;
    return t->err;
}
