/* The trace reader (reader.h). The file is read in 1 MiB chunks; the code map (physical
 * address -> the latest bytes recorded there) and the run table mirror the writer's
 * (core/machine/trace_file.c), as tools/TRACE-FORMAT.md describes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace_format.h"
#include "frontends/trace/reader.h"

#define CHUNK (1u << 20)

struct trace_reader {
    FILE *f;
    char name[200];
    uint8_t *buf;
    size_t len, pos;
    uint64_t offset;          /* file offset of buf[0] */
    bool eof, ended;
    uint64_t start_icount, end_icount, ninsn;
    uint32_t hdr_flags;
    /* code map: open addressing on phys */
    struct trace_code *code;
    size_t code_cap, code_n;
    uint8_t runs[TRACE_RUN_TABLE][TRACE_RUN_SIZE];
    bool run_set[TRACE_RUN_TABLE];
    uint32_t run_ver[TRACE_RUN_TABLE];
    /* the run being expanded */
    uint32_t left;
    struct trace_insn next;
    uint32_t run_lin, run_phys;
    bool whole_runs;
    struct trace_run run;
    uint32_t *page_gen;       /* CODE records per physical page (hashed; collisions only
                                 make caches miss more) */
};
#define PAGE_GEN_SLOTS (1u << 16)

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return le16(p) | le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* Makes n bytes available at r->buf + r->pos; false at the end of the file. */
static bool have(struct trace_reader *r, size_t n, char *err, bool *ioerr)
{
    *ioerr = false;
    if (r->len - r->pos >= n)
        return true;
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->offset += r->pos;
    r->len -= r->pos;
    r->pos = 0;
    while (!r->eof && r->len < n) {
        size_t got = fread(r->buf + r->len, 1, CHUNK - r->len, r->f);
        r->len += got;
        if (got == 0) {
            if (ferror(r->f)) {
                snprintf(err, TRACE_ERRMAX, "%s: cannot read: %s", r->name, strerror(errno));
                *ioerr = true;
                return false;
            }
            r->eof = true;
        }
    }
    return r->len >= n;
}

static struct trace_reader *start(struct trace_reader *r, char *err);

struct trace_reader *trace_open(const char *path, char *err)
{
    struct trace_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->buf = malloc(CHUNK))) {
        free(r);
        snprintf(err, TRACE_ERRMAX, "out of memory");
        return NULL;
    }
    snprintf(r->name, sizeof r->name, "%s", path);
    r->f = fopen(path, "rb");
    if (!r->f) {
        snprintf(err, TRACE_ERRMAX, "%s: cannot open: %s; give a file written by orrery "
                 "-trace-file", path, strerror(errno));
        trace_close(r);
        return NULL;
    }
    return start(r, err);
}

struct trace_reader *trace_open_stream(FILE *f, const char *name, char *err)
{
    struct trace_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->buf = malloc(CHUNK))) {
        free(r);
        fclose(f);
        snprintf(err, TRACE_ERRMAX, "out of memory");
        return NULL;
    }
    snprintf(r->name, sizeof r->name, "%s", name);
    r->f = f;
    return start(r, err);
}

/* Reads and checks the header of r's open file; r is freed on failure. */
static struct trace_reader *start(struct trace_reader *r, char *err)
{
    const char *path = r->name;
    bool ioerr;
    if (!have(r, TRACE_HEADER_SIZE, err, &ioerr)) {
        if (!ioerr)
            snprintf(err, TRACE_ERRMAX, "%s: not an orrery trace (shorter than its %u-byte "
                     "header); record one with orrery -trace-file", path, TRACE_HEADER_SIZE);
        trace_close(r);
        return NULL;
    }
    const uint8_t *h = r->buf;
    uint32_t version = le32(h + 8), hsize = le32(h + 12);
    if (memcmp(h, TRACE_MAGIC, 8) != 0) {
        snprintf(err, TRACE_ERRMAX, "%s: not an orrery trace (no ORRTRACE magic); record one "
                 "with orrery -trace-file", path);
    } else if (version != TRACE_VERSION) {
        snprintf(err, TRACE_ERRMAX, "%s: trace format version %u; this orrery-trace reads "
                 "version %u", path, version, TRACE_VERSION);
    } else if (hsize != TRACE_HEADER_SIZE) {
        snprintf(err, TRACE_ERRMAX, "%s: damaged header (size %u, expected %u)", path, hsize,
                 TRACE_HEADER_SIZE);
    } else {
        r->start_icount = le64(h + 24);
        r->hdr_flags = le32(h + 16);
        r->pos = TRACE_HEADER_SIZE;
        return r;
    }
    trace_close(r);
    return NULL;
}

static struct trace_code *code_slot(struct trace_reader *r, uint32_t phys)
{
    size_t j = (size_t)((phys * 0x9E3779B1u) >> 8) & (r->code_cap - 1);
    while (r->code[j].len && r->code[j].phys != phys)
        j = (j + 1) & (r->code_cap - 1);
    return &r->code[j];
}

static struct trace_code *code_find(struct trace_reader *r, uint32_t phys)
{
    if (!r->code_cap)
        return NULL;
    struct trace_code *c = code_slot(r, phys);
    return c->len ? c : NULL;
}

static bool code_put(struct trace_reader *r, uint32_t phys, unsigned len, const uint8_t *bytes)
{
    if (r->code_n * 2 >= r->code_cap) {
        size_t old = r->code_cap;
        struct trace_code *o = r->code;
        r->code_cap = old ? old * 2 : 1u << 16;
        r->code = calloc(r->code_cap, sizeof *r->code);
        if (!r->code)
            return false;
        for (size_t i = 0; i < old; i++)
            if (o[i].len)
                *code_slot(r, o[i].phys) = o[i];
        free(o);
    }
    struct trace_code *c = code_slot(r, phys);
    if (!c->len)
        r->code_n++;
    c->phys = phys;
    c->len = (uint8_t)len;
    memcpy(c->bytes, bytes, 16);
    c->dis = -1;
    return true;
}

static void start_run(struct trace_reader *r, const uint8_t *rec)
{
    r->left = le16(rec + 2);
    r->next.flags = rec[1];
    r->next.cs = (uint16_t)le16(rec + 4);
    r->next.eip = le32(rec + 8);
    r->next.lin = le32(rec + 12);
    r->next.phys = le32(rec + 16);
    r->next.run_start = true;
    r->run_lin = r->next.lin;
    r->run_phys = r->next.phys;
}

static int next_insn(struct trace_reader *r, struct trace_event *ev, char *err)
{
    struct trace_insn *in = &r->next;
    in->index = r->ninsn;
    if (in->phys == TRACE_PHYS_NONE) {
        in->code = NULL;
        in->len = 1;
        if (r->left != 1) {
            snprintf(err, TRACE_ERRMAX, "%s: damaged: a run of %u instructions with unknown "
                     "bytes near offset %llu", r->name, r->left,
                     (unsigned long long)(r->offset + r->pos));
            return -1;
        }
    } else {
        in->code = code_find(r, in->phys);
        if (!in->code) {
            snprintf(err, TRACE_ERRMAX, "%s: damaged: instruction at physical 0x%08x has no "
                     "recorded bytes (near offset %llu)", r->name, in->phys,
                     (unsigned long long)(r->offset + r->pos));
            return -1;
        }
        in->len = in->code->len;
    }
    ev->kind = TRACE_EV_INSN;
    ev->insn = *in;
    r->ninsn++;
    r->left--;
    in->run_start = false;
    in->lin += in->len;
    in->eip += in->len;
    in->phys = in->phys == TRACE_PHYS_NONE ? in->phys : r->run_phys + (in->lin - r->run_lin);
    return 1;
}

int trace_next(struct trace_reader *r, struct trace_event *ev, char *err)
{
    if (r->left)
        return next_insn(r, ev, err);
    for (;;) {
        bool ioerr;
        if (!have(r, 1, err, &ioerr)) {
            if (ioerr)
                return -1;
            if (r->ended)
                return 0;
            snprintf(err, TRACE_ERRMAX, "%s: truncated: it ends at offset %llu without its end "
                     "record (was orrery killed while recording?)", r->name,
                     (unsigned long long)(r->offset + r->pos));
            return -1;
        }
        const uint64_t at = r->offset + r->pos;
        if (r->ended) {
            snprintf(err, TRACE_ERRMAX, "%s: damaged: data after the end record at offset %llu",
                     r->name, (unsigned long long)at);
            return -1;
        }
        unsigned type = r->buf[r->pos];
        static const unsigned sizes[] = { 0, TRACE_CODE_SIZE, TRACE_RUN_SIZE, TRACE_HIT_SIZE,
                                          TRACE_INTR_SIZE, TRACE_END_SIZE, TRACE_MEM_SIZE };
        if (type == 0 || type >= sizeof sizes / sizeof sizes[0]) {
            snprintf(err, TRACE_ERRMAX, "%s: damaged: unknown record type %u at offset %llu",
                     r->name, type, (unsigned long long)at);
            return -1;
        }
        if (!have(r, sizes[type], err, &ioerr)) {
            if (!ioerr)
                snprintf(err, TRACE_ERRMAX, "%s: truncated: a record cut short at offset %llu",
                         r->name, (unsigned long long)at);
            return -1;
        }
        const uint8_t *p = r->buf + r->pos;
        r->pos += sizes[type];
        switch (type) {
        case TRACE_REC_CODE:
            if (p[1] < 1 || p[1] > 15) {
                snprintf(err, TRACE_ERRMAX, "%s: damaged: instruction length %u at offset %llu",
                         r->name, p[1], (unsigned long long)at);
                return -1;
            }
            /* A CODE record may repeat the bytes already known (the writer's table
             * forgot them): then nothing changed, and the page's runs stay cached. */
            const struct trace_code *known = code_find(r, le32(p + 4));
            if (known && known->len == p[1] && memcmp(known->bytes, p + 8, 16) == 0)
                break;
            if (r->page_gen)
                r->page_gen[(le32(p + 4) >> 12) & (PAGE_GEN_SLOTS - 1)]++;
            if (!code_put(r, le32(p + 4), p[1], p + 8)) {
                snprintf(err, TRACE_ERRMAX, "out of memory");
                return -1;
            }
            break;
        case TRACE_REC_RUN:
        case TRACE_REC_HIT: {
            const uint8_t *rec = p;
            uint32_t slot;
            if (type == TRACE_REC_HIT) {
                slot = le16(p + 2);
                if (slot >= TRACE_RUN_TABLE || !r->run_set[slot]) {
                    snprintf(err, TRACE_ERRMAX, "%s: damaged: a repeat of run slot %u, which is "
                             "empty, at offset %llu", r->name, slot, (unsigned long long)at);
                    return -1;
                }
                rec = r->runs[slot];
            } else {
                slot = trace_run_slot(p);
                memcpy(r->runs[slot], p, TRACE_RUN_SIZE);
                r->run_set[slot] = true;
                r->run_ver[slot]++;
            }
            if (le16(rec + 2) == 0 || TRACE_RUN_MODE(rec[1]) == 3) {
                snprintf(err, TRACE_ERRMAX, "%s: damaged run record at offset %llu", r->name,
                         (unsigned long long)at);
                return -1;
            }
            start_run(r, rec);
            if (r->whole_runs) {
                ev->kind = TRACE_EV_RUN;
                memcpy(ev->run.rec, rec, TRACE_RUN_SIZE);
                ev->run.flags = rec[1];
                ev->run.count = (uint16_t)le16(rec + 2);
                ev->run.lin = le32(rec + 12);
                ev->run.phys = le32(rec + 16);
                ev->run.gen = r->page_gen[(ev->run.phys >> 12) & (PAGE_GEN_SLOTS - 1)];
                ev->run.slot = (uint16_t)slot;
                ev->run.slot_ver = r->run_ver[slot];
                return 1;
            }
            return next_insn(r, ev, err);
        }
        case TRACE_REC_INTR:
            ev->kind = TRACE_EV_INTR;
            ev->intr = (struct trace_intr){
                .kind = p[1], .vector = p[2], .has_error = p[3] & 1,
                .cpl_from = (p[3] >> 1) & 3, .cpl_to = (p[3] >> 3) & 3,
                .cs_from = (uint16_t)le16(p + 4), .cs_to = (uint16_t)le16(p + 6),
                .eip_from = le32(p + 8), .eip_to = le32(p + 12), .error = le32(p + 16),
                .cr2 = le32(p + 20), .icount = le64(p + 24),
            };
            return 1;
        case TRACE_REC_MEM: {
            const unsigned size = p[2];
            const char *why = !(r->hdr_flags & TRACE_HDR_MEM) ? "in a trace whose header says "
                                                               "none (mem=off)" :
                              p[1] & ~7u || p[3] ? "with unknown flags" :
                              size != 1 && size != 2 && size != 4 ? "of a size not 1, 2 or 4" :
                              !(p[1] & TRACE_MEM_DELIVERY) && !r->ninsn ?
                                  "before any instruction" : NULL;
            if (why) {
                snprintf(err, TRACE_ERRMAX, "%s: damaged: a memory access record %s at offset "
                         "%llu", r->name, why, (unsigned long long)at);
                return -1;
            }
            ev->kind = TRACE_EV_MEM;
            ev->mem = (struct trace_mem){
                .flags = p[1], .size = (uint8_t)size, .lin = le32(p + 4), .phys = le32(p + 8),
                .value = le32(p + 12), .insn = r->ninsn ? r->ninsn - 1 : UINT64_MAX,
            };
            return 1;
        }
        case TRACE_REC_END:
            r->ended = true;
            r->end_icount = le64(p + 8);
            break;
        }
    }
}

void trace_whole_runs(struct trace_reader *r)
{
    if (!r->page_gen)
        r->page_gen = calloc(PAGE_GEN_SLOTS, sizeof *r->page_gen);
    r->whole_runs = r->page_gen != NULL; /* without memory, instructions one by one */
}

void trace_skip_run(struct trace_reader *r)
{
    r->ninsn += r->left;
    r->left = 0;
}

uint64_t trace_start_icount(const struct trace_reader *r) { return r->start_icount; }
bool trace_has_mem(const struct trace_reader *r) { return r->hdr_flags & TRACE_HDR_MEM; }
uint64_t trace_end_icount(const struct trace_reader *r) { return r->end_icount; }

void trace_close(struct trace_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r->code);
    free(r->page_gen);
    free(r->buf);
    free(r);
}
