/* orrery-trace coverage: the linear address ranges that executed (each run adds its
 * bytes, kept per start address with the furthest end), merged; with --map System.map,
 * each text symbol's bytes covered (a symbol runs to the next symbol's address). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/trace/counts.h"
#include "frontends/trace/tool.h"

struct range {
    uint64_t lo, hi;          /* [lo, hi) */
};

static int by_lo(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

struct sym {
    uint64_t addr;
    char name[256];
};

static int by_addr(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

/* Text symbols (types t T w W) of a System.map; NULL with a message when unreadable. */
static struct sym *read_map(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "orrery-trace: %s: cannot open the symbol map; give a System.map "
                "(ADDRESS TYPE NAME lines)\n", path);
        return NULL;
    }
    struct sym *s = NULL;
    size_t cap = 0, lines = 0;
    *n = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long long addr;
        char type, name[256];
        lines++;
        if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
            continue;
        if (type != 't' && type != 'T' && type != 'w' && type != 'W')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 4096;
            struct sym *g = realloc(s, cap * sizeof *s);
            if (!g) {
                free(s);
                fclose(f);
                fprintf(stderr, "orrery-trace: out of memory\n");
                return NULL;
            }
            s = g;
        }
        s[*n].addr = addr;
        snprintf(s[*n].name, sizeof s[*n].name, "%s", name);
        (*n)++;
    }
    fclose(f);
    if (!*n) {
        fprintf(stderr, "orrery-trace: %s: no text symbols in %zu lines; give a System.map "
                "(ADDRESS TYPE NAME lines, such as /proc/kallsyms prints)\n", path, lines);
        free(s);
        return NULL;
    }
    qsort(s, *n, sizeof *s, by_addr);
    return s;
}

int cmd_coverage(const char *path, const struct tool_opts *o)
{
    size_t nsyms = 0;
    struct sym *syms = NULL;
    if (o->map && !(syms = read_map(o->map, &nsyms)))
        return TOOL_BAD;
    char err[TRACE_ERRMAX];
    struct trace_reader *r = trace_open(path, err);
    if (!r) {
        fprintf(stderr, "orrery-trace: %s\n", err);
        return TOOL_BAD;
    }
    struct counts starts = { 0 };
    struct trace_event ev;
    uint32_t run_lin = 0, run_end = 0;
    bool in_run = false;
    int rc;
    for (;;) {
        rc = trace_next(r, &ev, err);
        if (rc == 1 && ev.kind == TRACE_EV_INSN && !ev.insn.run_start) {
            run_end = ev.insn.lin + ev.insn.len;
            continue;
        }
        if (in_run) {
            struct count_entry *c = counts_get(&starts, run_lin);
            if (!c) {
                fprintf(stderr, "orrery-trace: out of memory\n");
                return TOOL_BAD;
            }
            uint64_t end = run_end > run_lin ? run_end : (uint64_t)run_lin + 1;
            if (end > c->aux)
                c->aux = end;
            c->count++;
            in_run = false;
        }
        if (rc != 1)
            break;
        if (ev.kind == TRACE_EV_INSN) {
            in_run = true;
            run_lin = ev.insn.lin;
            run_end = ev.insn.lin + ev.insn.len;
        }
    }
    trace_close(r);
    if (rc < 0) {
        fprintf(stderr, "orrery-trace: %s\n", err);
        return TOOL_BAD;
    }
    struct range *rg = malloc((starts.n ? starts.n : 1) * sizeof *rg);
    if (!rg) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        return TOOL_BAD;
    }
    size_t n = 0;
    for (size_t i = 0; i < starts.cap; i++)
        if (starts.e[i].key)
            rg[n++] = (struct range){ starts.e[i].key - 1, starts.e[i].aux };
    counts_free(&starts);
    qsort(rg, n, sizeof *rg, by_lo);
    size_t m = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && rg[i].lo <= rg[m - 1].hi) {
            if (rg[i].hi > rg[m - 1].hi)
                rg[m - 1].hi = rg[i].hi;
        } else {
            rg[m++] = rg[i];
        }
    }
    for (size_t i = 0; i < m; i++)
        bytes += rg[i].hi - rg[i].lo;
    if (o->json) {
        printf("{\"bytes\":%" PRIu64 ",\"ranges\":[", bytes);
        for (size_t i = 0; i < m; i++)
            printf("%s{\"start\":%" PRIu64 ",\"end\":%" PRIu64 "}", i ? "," : "", rg[i].lo,
                   rg[i].hi - 1);
        printf("]");
    } else {
        printf("executed: %" PRIu64 " bytes in %zu ranges\n", bytes, m);
        for (size_t i = 0; i < m; i++)
            printf("  %08" PRIx64 "..%08" PRIx64 "  %8" PRIu64 " bytes\n", rg[i].lo,
                   rg[i].hi - 1, rg[i].hi - rg[i].lo);
    }
    if (syms) {
        size_t entered = 0, k = 0;
        if (o->json)
            printf(",\"symbols\":[");
        else
            printf("symbols entered (bytes covered / size):\n");
        for (size_t i = 0; i < nsyms; i++) {
            uint64_t lo = syms[i].addr;
            uint64_t hi = i + 1 < nsyms ? syms[i + 1].addr : lo + 1;
            if (hi <= lo)
                continue; /* an alias of the next symbol */
            while (k < m && rg[k].hi <= lo)
                k++;
            uint64_t cov = 0;
            for (size_t j = k; j < m && rg[j].lo < hi; j++) {
                uint64_t a = rg[j].lo > lo ? rg[j].lo : lo, b = rg[j].hi < hi ? rg[j].hi : hi;
                if (b > a)
                    cov += b - a;
            }
            if (!cov)
                continue;
            if (o->json) {
                printf("%s{\"name\":", entered ? "," : "");
                tool_json_string(stdout, syms[i].name);
                printf(",\"addr\":%" PRIu64 ",\"size\":%" PRIu64 ",\"covered\":%" PRIu64 "}", lo,
                       hi - lo, cov);
            } else {
                printf("  %08" PRIx64 " %-40s %8" PRIu64 " / %-8" PRIu64 " %5.1f%%\n", lo,
                       syms[i].name, cov, hi - lo, 100.0 * (double)cov / (double)(hi - lo));
            }
            entered++;
        }
        if (o->json)
            printf("],\"symbols_entered\":%zu,\"text_symbols\":%zu", entered, nsyms);
        else
            printf("%zu of %zu text symbols entered\n", entered, nsyms);
        free(syms);
    }
    if (o->json)
        printf("}\n");
    free(rg);
    return TOOL_OK;
}
