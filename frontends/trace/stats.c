/* orrery-trace stats: the instruction mix by mnemonic, the hottest blocks (runs by their
 * first address) and pages, instructions per CPU mode and ring, interrupt counts. Blocks
 * and pages are counted once per run, mnemonics through the disassembly cache, so the
 * per-instruction work is a counter increment. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace_format.h"
#include "frontends/trace/counts.h"
#include "frontends/trace/tool.h"

struct stats {
    uint64_t insns, intrs, runs;
    uint64_t mode[4][4];      /* [mode index][CPL]: 0 real, 1 prot16, 2 prot32, 3 v86 */
    uint64_t intr[3][256];
    uint64_t *mnem;
    size_t nmnem;
    struct counts blocks, pages;
};

static unsigned mode_index(unsigned flags)
{
    unsigned m = TRACE_RUN_MODE(flags);
    return m == 0 ? 0 : m == 2 ? 3 : (flags & TRACE_RUN_CODE32) ? 2 : 1;
}

static void add_run(struct stats *s, uint32_t lin, uint64_t n)
{
    struct count_entry *b = counts_get(&s->blocks, lin);
    struct count_entry *p = counts_get(&s->pages, lin >> 12);
    if (!b || !p) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        exit(TOOL_BAD);
    }
    b->count++;
    b->aux += n;
    p->count += n;
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

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
    uint32_t run_lin = 0;
    uint64_t run_n = 0;
    int rc;
    while ((rc = trace_next(r, &ev, err)) == 1) {
        if (ev.kind == TRACE_EV_INTR) {
            s->intrs++;
            s->intr[ev.intr.kind % 3][ev.intr.vector]++;
            continue;
        }
        const struct trace_insn *in = &ev.insn;
        if (in->run_start) {
            if (run_n)
                add_run(s, run_lin, run_n);
            run_lin = in->lin;
            run_n = 0;
            s->runs++;
        }
        run_n++;
        s->insns++;
        s->mode[mode_index(in->flags)][TRACE_RUN_CPL(in->flags)]++;
        uint32_t m = disasm_of(d, in)->mnem;
        if (m >= s->nmnem) {
            size_t n = (m + 1) * 2;
            uint64_t *g = realloc(s->mnem, n * sizeof *g);
            if (!g) {
                fprintf(stderr, "orrery-trace: out of memory\n");
                return TOOL_BAD;
            }
            memset(g + s->nmnem, 0, (n - s->nmnem) * sizeof *g);
            s->mnem = g;
            s->nmnem = n;
        }
        s->mnem[m]++;
    }
    if (rc < 0) {
        fprintf(stderr, "orrery-trace: %s\n", err);
        return TOOL_BAD;
    }
    if (run_n)
        add_run(s, run_lin, run_n);

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
    for (unsigned k = 0; k < 3; k++)
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
        printf("]}\n");
    free(pairs);
    free(s->mnem);
    counts_free(&s->blocks);
    counts_free(&s->pages);
    free(s);
    disasm_free(d);
    trace_close(r);
    return TOOL_OK;
}
