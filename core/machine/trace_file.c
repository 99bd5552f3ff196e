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
    /* The run being built. */
    bool in_run;
    uint8_t flags;
    uint16_t count, cs;
    uint32_t eip, lin, phys, next_lin;
    struct code_slot code[CODE_SLOTS];
    uint8_t runs[TRACE_RUN_TABLE][TRACE_RUN_SIZE];
    uint8_t buf[BUF_SIZE];
};

static void write_out(struct trace_file *t)
{
    if (t->used && !t->err && fwrite(t->buf, 1, t->used, t->f) != t->used)
        t->err = errno ? errno : EIO;
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

struct trace_file *trace_file_open(const char *path, uint64_t icount, char *err)
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
    store_le32(h + 16, TRACE_HDR_INTR);
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
    uint32_t slot = trace_run_slot(rec);
    if (memcmp(t->runs[slot], rec, TRACE_RUN_SIZE) == 0) {
        uint8_t *p = reserve(t, TRACE_HIT_SIZE);
        p[0] = TRACE_REC_HIT;
        store_le16(p + 2, (uint16_t)slot);
        return;
    }
    memcpy(t->runs[slot], rec, TRACE_RUN_SIZE);
    memcpy(reserve(t, TRACE_RUN_SIZE), rec, TRACE_RUN_SIZE);
}

void trace_file_insn(struct trace_file *t, struct cpu *cpu, uint32_t lin, unsigned len)
{
    uint8_t bytes[16];
    uint64_t phys64;
    bool ok = cpu_obs_code(cpu, lin, len, bytes, &phys64) && !(phys64 >> 32);
    uint32_t phys = ok ? (uint32_t)phys64 : TRACE_PHYS_NONE;
    const struct seg_cache *cs = &cpu->seg[S_CS];
    uint8_t flags = (uint8_t)((cpu->mode & 3u) | (cpu->cpl & 3u) << 2 |
                              (cs->attr & SEG_ATTR_DB ? TRACE_RUN_CODE32 : 0));
    if (t->in_run && ok && lin == t->next_lin && (lin ^ t->lin) < 0x1000 &&
        lin >= t->lin && flags == t->flags && cs->sel == t->cs && t->count < 0xFFFF &&
        cpu->eip == t->eip + (lin - t->lin)) {
        t->count++;
    } else {
        end_run(t);
        t->in_run = true;
        t->flags = flags;
        t->count = 1;
        t->cs = cs->sel;
        t->eip = cpu->eip;
        t->lin = lin;
        t->phys = phys;
    }
    t->next_lin = lin + len;
    if (!ok) {
        end_run(t); /* bytes unknown, so the length is too: a run of one */
        return;
    }
    struct code_slot *c = &t->code[(phys ^ (phys >> 16)) & (CODE_SLOTS - 1)];
    if (c->phys != phys || c->len != len || memcmp(c->bytes, bytes, len) != 0) {
        c->phys = phys;
        c->len = (uint8_t)len;
        memset(c->bytes, 0, sizeof c->bytes);
        memcpy(c->bytes, bytes, len);
        uint8_t *p = reserve(t, TRACE_CODE_SIZE);
        p[0] = TRACE_REC_CODE;
        p[1] = (uint8_t)len;
        store_le32(p + 4, phys);
        memcpy(p + 8, c->bytes, 16);
    }
}

void trace_file_intr(struct trace_file *t, const struct cpu_obs_intr *ev, uint64_t icount)
{
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

void trace_file_flush(struct trace_file *t)
{
    write_out(t);
    if (!t->err && fflush(t->f) != 0)
        t->err = errno ? errno : EIO;
}

int trace_file_close(struct trace_file *t, uint64_t icount)
{
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
