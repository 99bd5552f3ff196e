/* orrery-trace stats: the instruction mix by mnemonic, the hottest blocks (runs by their
 * first address) and pages, instructions per CPU mode and ring, interrupt counts, and with
 * MEM records the data reads and writes and the hottest data pages. The
 * trace is read run by run, and each slot of the run table has a summary of the run in
 * it (its mnemonic counts, block, page, mode and ring) valid while the slot holds that
 * run and the run's code page is unchanged: a repeated run (a HIT, or a RUN equal to the
 * summary) only counts one more pass, however long it is, and the passes are added to
 * the totals once, when the summary is replaced or at the end. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace_format.h"
#include "frontends/trace/counts.h"
#include "frontends/trace/tool.h"

struct run_summary {
    uint8_t rec[20];
    uint32_t gen, slot_ver;
    uint32_t n;               /* (mnemonic, count) pairs; 0: empty */
    uint32_t (*pairs)[2];
    uint64_t passes;          /* not yet in the totals */
    uint32_t lin;
    uint16_t count;
    uint8_t flags;
};

struct stats {
    struct run_summary *cache;   /* TRACE_RUN_TABLE, one per slot */
    uint64_t insns, intrs, runs;
    uint64_t mode[4][4];      /* [mode index][CPL]: 0 real, 1 prot16, 2 prot32, 3 v86 */
    uint64_t intr[5][256];
    uint64_t *mnem;
    size_t nmnem;
    struct counts blocks, pages;
    /* MEM records: [0] reads, [1] writes; data pages by linear page, aux the bytes. */
    uint64_t mem_n[2], mem_bytes[2];
    struct counts data_pages;
};

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static void add_mem(struct stats *s, const struct trace_mem *m)
{
    unsigned w = (m->flags & TRACE_MEM_WRITE) != 0;
    s->mem_n[w]++;
    s->mem_bytes[w] += m->size;
    struct count_entry *p = counts_get(&s->data_pages, m->lin >> 12);
    if (!p) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        exit(TOOL_BAD);
    }
    p->count++;
    p->aux += m->size;
}

/* The data accesses and the hottest data pages (accesses, bytes), after the rest. */
static void print_mem(const struct stats *s, unsigned top, bool json)
{
    struct count_entry *e = counts_sorted(&s->data_pages);
    if (!e) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        exit(TOOL_BAD);
    }
    size_t n = s->data_pages.n < top ? s->data_pages.n : top;
    const uint64_t all = s->mem_n[0] + s->mem_n[1];
    if (json) {
        printf(",\"memory\":{\"reads\":%" PRIu64 ",\"read_bytes\":%" PRIu64 ",\"writes\":%"
               PRIu64 ",\"write_bytes\":%" PRIu64 ",\"data_pages\":[", s->mem_n[0],
               s->mem_bytes[0], s->mem_n[1], s->mem_bytes[1]);
        for (size_t i = 0; i < n; i++)
            printf("%s{\"page\":%" PRIu64 ",\"accesses\":%" PRIu64 ",\"bytes\":%" PRIu64 "}",
                   i ? "," : "", e[i].key << 12, e[i].count, e[i].aux);
        printf("]}");
    } else {
        printf("data accesses: %" PRIu64 " reads (%" PRIu64 " bytes), %" PRIu64 " writes (%"
               PRIu64 " bytes)\n", s->mem_n[0], s->mem_bytes[0], s->mem_n[1], s->mem_bytes[1]);
        printf("hottest data pages, linear (top %zu of %zu):\n", n, s->data_pages.n);
        for (size_t i = 0; i < n; i++)
            printf("  %08" PRIx64 "  %14" PRIu64 " accesses  %12" PRIu64 " bytes  %5.1f%%\n",
                   e[i].key << 12, e[i].count, e[i].aux, pct(e[i].count, all));
    }
    free(e);
}

static unsigned mode_index(unsigned flags)
{
    unsigned m = TRACE_RUN_MODE(flags);
    return m == 0 ? 0 : m == 2 ? 3 : (flags & TRACE_RUN_CODE32) ? 2 : 1;
}

static void add_run(struct stats *s, uint32_t lin, uint64_t passes, uint64_t n)
{
    struct count_entry *b = counts_get(&s->blocks, lin);
    struct count_entry *p = counts_get(&s->pages, lin >> 12);
    if (!b || !p) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        exit(TOOL_BAD);
    }
    b->count += passes;
    b->aux += n;
    p->count += n;
}

static void add_mnem(struct stats *s, uint32_t m, uint64_t n)
{
    if (m >= s->nmnem) {
        size_t cap = (m + 1) * 2;
        uint64_t *g = realloc(s->mnem, cap * sizeof *g);
        if (!g) {
            fprintf(stderr, "orrery-trace: out of memory\n");
            exit(TOOL_BAD);
        }
        memset(g + s->nmnem, 0, (cap - s->nmnem) * sizeof *g);
        s->mnem = g;
        s->nmnem = cap;
    }
    s->mnem[m] += n;
}

/* Adds a summary's passes to the totals. */
static void settle(struct stats *s, struct run_summary *c)
{
    if (!c->passes)
        return;
    const uint64_t n = c->passes * c->count;
    add_run(s, c->lin, c->passes, n);
    s->runs += c->passes;
    s->insns += n;
    s->mode[mode_index(c->flags)][TRACE_RUN_CPL(c->flags)] += n;
    for (uint32_t i = 0; i < c->n; i++)
        add_mnem(s, c->pairs[i][0], c->passes * c->pairs[i][1]);
    c->passes = 0;
}

static void print_top(const struct counts *c, unsigned top, bool json, const char *name,
                      bool pages, uint64_t total)
{
    struct count_entry *e = counts_sorted(c);
    if (!e) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        exit(TOOL_BAD);
    }
    size_t n = c->n < top ? c->n : top;
    if (json) {
        printf(",\"%s\":[", name);
        for (size_t i = 0; i < n; i++) {
            if (pages)
                printf("%s{\"page\":%" PRIu64 ",\"instructions\":%" PRIu64 "}", i ? "," : "",
                       e[i].key << 12, e[i].count);
            else
                printf("%s{\"lin\":%" PRIu64 ",\"entries\":%" PRIu64 ",\"instructions\":%"
                       PRIu64 "}", i ? "," : "", e[i].key, e[i].count, e[i].aux);
        }
        printf("]");
    } else {
        printf("%s (top %zu of %zu):\n", name, n, c->n);
        for (size_t i = 0; i < n; i++) {
            if (pages)
                printf("  %08" PRIx64 "  %14" PRIu64 " instructions  %5.1f%%\n", e[i].key << 12,
                       e[i].count, pct(e[i].count, total));
            else
                printf("  %08" PRIx64 "  %12" PRIu64 " entries  %14" PRIu64
                       " instructions  %5.1f%%\n", e[i].key, e[i].count, e[i].aux,
                       pct(e[i].aux, total));
        }
    }
    free(e);
}

static int by_count_desc(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b; /* pairs: count, id */
    return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : (x[1] > y[1]) - (x[1] < y[1]);
}

int cmd_stats(const char *path, const struct tool_opts *o)
{
    char err[TRACE_ERRMAX];
    struct trace_reader *r = trace_open(path, err);
    if (!r) {
        fprintf(stderr, "orrery-trace: %s\n", err);
        return TOOL_BAD;
    }
    struct disasm *d = disasm_new();
    struct stats *s = calloc(1, sizeof *s);
    if (!d || !s) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        return TOOL_BAD;
    }
    struct trace_event ev;
    int rc;
    s->cache = calloc(TRACE_RUN_TABLE, sizeof *s->cache);
    if (!s->cache) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        return TOOL_BAD;
    }
    trace_whole_runs(r);
    while ((rc = trace_next(r, &ev, err)) == 1) {
        if (ev.kind == TRACE_EV_INTR) {
            s->intrs++;
            s->intr[ev.intr.kind < 5 ? ev.intr.kind : 0][ev.intr.vector]++;
            continue;
        }
        if (ev.kind == TRACE_EV_MEM) {
            add_mem(s, &ev.mem);
            continue;
        }
        if (ev.kind == TRACE_EV_INSN) { /* a run expanded: count its mnemonic */
            add_mnem(s, disasm_of(d, &ev.insn)->mnem, 1);
            continue;
        }
        const struct trace_run *run = &ev.run;
        struct run_summary *c = &s->cache[run->slot];
        if (c->n && c->gen == run->gen &&
            (c->slot_ver == run->slot_ver || memcmp(c->rec, run->rec, 20) == 0)) {
            c->slot_ver = run->slot_ver;
            c->passes++;
            trace_skip_run(r);
            continue;
        }
        /* A miss: read the run's instructions, and keep their mnemonics for next time. */
        settle(s, c);
        uint32_t (*pairs)[2] = realloc(c->pairs, run->count * sizeof *pairs);
        if (!pairs) {
            fprintf(stderr, "orrery-trace: out of memory\n");
            return TOOL_BAD;
        }
        c->pairs = pairs;
        c->n = 0;
        memcpy(c->rec, run->rec, 20);
        c->gen = run->gen;
        c->slot_ver = run->slot_ver;
        c->lin = run->lin;
        c->count = run->count;
        c->flags = run->flags;
        c->passes = 1;
        for (uint32_t k = 0; k < run->count; k++) {
            if ((rc = trace_next(r, &ev, err)) != 1 || ev.kind != TRACE_EV_INSN)
                break;
            uint32_t m = disasm_of(d, &ev.insn)->mnem;
            uint32_t i = 0;
            while (i < c->n && pairs[i][0] != m)
                i++;
            if (i == c->n) {
                pairs[c->n][0] = m;
                pairs[c->n++][1] = 0;
            }
            pairs[i][1]++;
        }
        if (rc < 0)
            break;
    }
    for (unsigned i = 0; i < TRACE_RUN_TABLE; i++)
        settle(s, &s->cache[i]);
    if (rc < 0) {
        fprintf(stderr, "orrery-trace: %s\n", err);
        return TOOL_BAD;
    }

    static const char *const modes[] = { "real", "prot16", "prot32", "v86" };
    uint64_t *pairs = calloc(s->nmnem ? s->nmnem * 2 : 2, sizeof *pairs);
    size_t np = 0;
    for (size_t i = 0; i < s->nmnem; i++) {
        if (s->mnem[i]) {
            pairs[2 * np] = s->mnem[i];
            pairs[2 * np + 1] = i;
            np++;
        }
    }
    qsort(pairs, np, 2 * sizeof *pairs, by_count_desc);
    size_t nm = np < o->top ? np : o->top;
    if (o->json) {
        printf("{\"instructions\":%" PRIu64 ",\"blocks_entered\":%" PRIu64 ",\"interrupts\":%"
               PRIu64 ",\"icount_start\":%" PRIu64 ",\"icount_end\":%" PRIu64 ",\"modes\":[",
               s->insns, s->runs, s->intrs, trace_start_icount(r), trace_end_icount(r));
        bool first = true;
        for (unsigned m = 0; m < 4; m++)
            for (unsigned c = 0; c < 4; c++)
                if (s->mode[m][c]) {
                    printf("%s{\"mode\":\"%s\",\"ring\":%u,\"instructions\":%" PRIu64 "}",
                           first ? "" : ",", modes[m], c, s->mode[m][c]);
                    first = false;
                }
        printf("],\"mnemonics\":[");
        for (size_t i = 0; i < nm; i++) {
            printf("%s{\"mnemonic\":", i ? "," : "");
            tool_json_string(stdout, disasm_mnem_name(d, (uint32_t)pairs[2 * i + 1]));
            printf(",\"count\":%" PRIu64 "}", pairs[2 * i]);
        }
        printf("]");
    } else {
        printf("instructions: %" PRIu64 " (icount %" PRIu64 " to %" PRIu64 "), blocks entered: %"
               PRIu64 ", interrupts and exceptions: %" PRIu64 "\n", s->insns,
               trace_start_icount(r), trace_end_icount(r), s->runs, s->intrs);
        printf("time per mode and ring (instructions):\n");
        for (unsigned m = 0; m < 4; m++)
            for (unsigned c = 0; c < 4; c++)
                if (s->mode[m][c])
                    printf("  %-6s ring %u  %14" PRIu64 "  %5.1f%%\n", modes[m], c,
                           s->mode[m][c], pct(s->mode[m][c], s->insns));
        printf("mnemonics (top %zu of %zu):\n", nm, np);
        for (size_t i = 0; i < nm; i++)
            printf("  %-12s %14" PRIu64 "  %5.1f%%\n",
                   disasm_mnem_name(d, (uint32_t)pairs[2 * i + 1]), pairs[2 * i],
                   pct(pairs[2 * i], s->insns));
    }
    print_top(&s->blocks, o->top, o->json, o->json ? "blocks" : "hottest blocks", false, s->insns);
    print_top(&s->pages, o->top, o->json, o->json ? "pages" : "hottest pages", true, s->insns);
    if (o->json)
        printf(",\"interrupt_counts\":[");
    else
        printf("interrupts and exceptions by vector:\n");
    bool first = true;
    for (unsigned k = 0; k < 5; k++)
        for (unsigned v = 0; v < 256; v++)
            if (s->intr[k][v]) {
                if (o->json)
                    printf("%s{\"kind\":\"%s\",\"vector\":%u,\"count\":%" PRIu64 "}",
                           first ? "" : ",", tool_intr_kind(k), v, s->intr[k][v]);
                else
                    printf("  %-9s 0x%02x  %12" PRIu64 "\n", tool_intr_kind(k), v, s->intr[k][v]);
                first = false;
            }
    if (o->json)
        printf("]");
    if (trace_has_mem(r))
        print_mem(s, o->top, o->json);
    if (o->json)
        printf("}\n");
    free(pairs);
    for (size_t i = 0; i < TRACE_RUN_TABLE; i++)
        free(s->cache[i].pairs);
    free(s->cache);
    free(s->mnem);
    counts_free(&s->blocks);
    counts_free(&s->pages);
    counts_free(&s->data_pages);
    free(s);
    disasm_free(d);
    trace_close(r);
    return TOOL_OK;
}
