/* orrery-trace diff A B: walks both traces event by event and stops at the first that
 * differs (an instruction's address, mode, ring or bytes; an interrupt's fields; a data
 * access's kind, size, addresses or value), showing
 * the events before it (--context N) and the two that differ. Exit 0 when identical, 1
 * when they differ. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/trace/tool.h"

static bool same(const struct trace_event *a, const struct trace_event *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == TRACE_EV_MEM) { /* a value read that differs is a divergence too */
        const struct trace_mem *x = &a->mem, *y = &b->mem;
        return x->flags == y->flags && x->size == y->size && x->lin == y->lin &&
               x->phys == y->phys && x->value == y->value;
    }
    if (a->kind == TRACE_EV_INTR) {
        const struct trace_intr *x = &a->intr, *y = &b->intr;
        return x->kind == y->kind && x->vector == y->vector && x->has_error == y->has_error &&
               x->cpl_from == y->cpl_from && x->cpl_to == y->cpl_to &&
               x->cs_from == y->cs_from && x->cs_to == y->cs_to &&
               x->eip_from == y->eip_from && x->eip_to == y->eip_to &&
               x->error == y->error && x->cr2 == y->cr2 && x->icount == y->icount;
    }
    const struct trace_insn *x = &a->insn, *y = &b->insn;
    if (x->cs != y->cs || x->eip != y->eip || x->lin != y->lin || x->phys != y->phys ||
        x->flags != y->flags || x->len != y->len || !x->code != !y->code)
        return false;
    return !x->code || memcmp(x->code->bytes, y->code->bytes, x->len) == 0;
}

static void show(FILE *f, const char *tag, struct disasm *d, const struct trace_event *ev,
                 uint64_t n, bool json, bool comma)
{
    if (json) {
        fprintf(f, "%s\"%s\":", comma ? "," : "", tag);
        tool_event_json(f, d, ev, n);
    } else {
        char line[512];
        tool_event_text(line, sizeof line, d, ev, n);
        fprintf(f, "%s %s\n", tag, line);
    }
}

int cmd_diff(const char *pa, const char *pb, const struct tool_opts *o)
{
    char err[TRACE_ERRMAX];
    struct trace_reader *a = trace_open(pa, err), *b = NULL;
    if (!a || !(b = trace_open(pb, err))) {
        fprintf(stderr, "orrery-trace: %s\n", err);
        trace_close(a);
        return TOOL_BAD;
    }
    struct disasm *da = disasm_new(), *db = disasm_new();
    unsigned ctx = o->context;
    /* The last ctx events of A, in a ring, each with a copy of its bytes (the reader's
     * code pointers do not outlive the next record); made text only at a divergence. */
    struct held {
        struct trace_event ev;
        struct trace_code code;
    } *ring = calloc(ctx ? ctx : 1, sizeof *ring);
    if (!da || !db || !ring) {
        fprintf(stderr, "orrery-trace: out of memory\n");
        return TOOL_BAD;
    }
    uint64_t n = 0;
    struct trace_event ea, eb;
    int ra, rb;
    for (;;) {
        ra = trace_next(a, &ea, err);
        if (ra < 0)
            break;
        rb = trace_next(b, &eb, err);
        if (rb < 0 || ra == 0 || rb == 0 || !same(&ea, &eb))
            break;
        if (ctx && !o->json) { /* JSON keeps the count of context events only */
            struct held *h = &ring[n % ctx];
            h->ev = ea;
            if (ea.kind == TRACE_EV_INSN && ea.insn.code) {
                h->code = *ea.insn.code;
                h->ev.insn.code = &h->code;
            }
        }
        n++;
    }
    int rc;
    if (ra < 0 || rb < 0) {
        fprintf(stderr, "orrery-trace: %s\n", err);
        rc = TOOL_BAD;
    } else if (ra == 0 && rb == 0) {
        if (o->json)
            printf("{\"identical\":true,\"events\":%" PRIu64 "}\n", n);
        else
            printf("identical: %" PRIu64 " events\n", n);
        rc = TOOL_OK;
    } else {
        uint64_t first = n > ctx ? n - ctx : 0;
        if (o->json) {
            printf("{\"identical\":false,\"index\":%" PRIu64, n);
            if (ra)
                show(stdout, "a", da, &ea, n, true, true);
            if (rb)
                show(stdout, "b", db, &eb, n, true, true);
            printf(",\"a_ended\":%s,\"b_ended\":%s}\n", ra ? "false" : "true",
                   rb ? "false" : "true");
        } else {
            printf("first divergence at event #%" PRIu64 "; before it (both):\n", n);
            for (uint64_t i = first; i < n; i++) {
                char line[512];
                tool_event_text(line, sizeof line, da, &ring[i % ctx].ev, i);
                printf("  %s\n", line);
            }
            if (ra)
                show(stdout, "A:", da, &ea, n, false, false);
            else
                printf("A: (ends: %s has %" PRIu64 " events)\n", pa, n);
            if (rb)
                show(stdout, "B:", db, &eb, n, false, false);
            else
                printf("B: (ends: %s has %" PRIu64 " events)\n", pb, n);
        }
        rc = TOOL_DIFFERENT;
    }
    free(ring);
    disasm_free(da);
    disasm_free(db);
    trace_close(a);
    trace_close(b);
    return rc;
}
