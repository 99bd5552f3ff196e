/* orrery-trace: reads the binary traces of orrery -trace-file (tools/TRACE-FORMAT.md).
 *   orrery-trace dump [--json] [--limit N] TRACE
 *   orrery-trace stats [--json] [--top N] TRACE
 *   orrery-trace coverage [--json] [--map System.map] TRACE
 *   orrery-trace diff [--json] [--context N] A B
 *   orrery-trace grep [--json] PATTERN TRACE
 * Bad input is one line on stderr and exit 2; diff exits 1 when the traces differ. */
#include <inttypes.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace_format.h"
#include "frontends/trace/counts.h"
#include "frontends/trace/tool.h"

static const char usage[] =
    "usage: orrery-trace COMMAND [OPTIONS] TRACE...\n"
    "  dump [--limit N] TRACE        every instruction and interrupt, disassembled, and\n"
    "                                each data access under its instruction (mem=on)\n"
    "  stats [--top N] TRACE         instruction mix, hottest blocks and pages, time per\n"
    "                                mode and ring, interrupt counts; data reads, writes\n"
    "                                and hottest data pages (mem=on)\n"
    "  coverage [--map FILE] TRACE   executed address ranges; per symbol with a System.map\n"
    "  diff [--context N] A B        the first divergence of two traces (exit 1), with the\n"
    "                                instructions before it\n"
    "  grep PATTERN TRACE            instructions whose disassembly matches PATTERN (a\n"
    "                                POSIX extended regular expression, any case), counted\n"
    "  --json                        machine-readable output (any command)\n";

static _Noreturn void bad(const char *msg)
{
    fprintf(stderr, "orrery-trace: %s\n", msg);
    exit(TOOL_BAD);
}

const char *tool_mode_name(unsigned flags)
{
    static const char *const names[] = { "real", "prot16", "v86", "?" };
    unsigned mode = TRACE_RUN_MODE(flags);
    if (mode == 1)
        return flags & TRACE_RUN_CODE32 ? "prot32" : "prot16";
    return names[mode];
}

const char *tool_intr_kind(unsigned kind)
{
    static const char *const names[] = { "exception", "external", "software", "smi", "rsm" };
    return kind < 5 ? names[kind] : "?";
}

void tool_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7F)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void bytes_hex(char *out, const struct trace_insn *in)
{
    out[0] = 0;
    if (!in->code)
        return;
    for (unsigned i = 0; i < in->len; i++)
        sprintf(out + 2 * i, "%02x", in->code->bytes[i]);
}

static const char *mem_dir(const struct trace_mem *m)
{
    return m->flags & TRACE_MEM_WRITE ? "write" : "read";
}

void tool_event_text(char *buf, size_t len, struct disasm *d, const struct trace_event *ev,
                     uint64_t index)
{
    if (ev->kind == TRACE_EV_MEM) { /* indented under its instruction */
        const struct trace_mem *m = &ev->mem;
        snprintf(buf, len, "#%" PRIu64 "   mem %-5s %u lin=%08" PRIx32 " phys=%08" PRIx32
                 " value=%0*" PRIx32 "%s%s", index, mem_dir(m), m->size, m->lin, m->phys,
                 2 * m->size, m->value, m->flags & TRACE_MEM_SYS ? " sys" : "",
                 m->flags & TRACE_MEM_DELIVERY ? " delivery" : "");
    } else if (ev->kind == TRACE_EV_INSN) {
        const struct trace_insn *in = &ev->insn;
        char hex[40];
        bytes_hex(hex, in);
        snprintf(buf, len, "#%" PRIu64 " %04x:%08" PRIx32 " lin=%08" PRIx32 " phys=%08" PRIx32
                 " %s ring%u %-20s %s", index, in->cs, in->eip, in->lin, in->phys,
                 tool_mode_name(in->flags), TRACE_RUN_CPL(in->flags), hex,
                 disasm_of(d, in)->text);
    } else {
        const struct trace_intr *t = &ev->intr;
        snprintf(buf, len, "#%" PRIu64 " int %s vector=0x%02x error=0x%" PRIx32 " cr2=0x%08"
                 PRIx32 " %04x:%08" PRIx32 " ring%u -> %04x:%08" PRIx32 " ring%u icount=%"
                 PRIu64, index, tool_intr_kind(t->kind), t->vector, t->error, t->cr2,
                 t->cs_from, t->eip_from, t->cpl_from, t->cs_to, t->eip_to, t->cpl_to, t->icount);
    }
}

void tool_event_json(FILE *f, struct disasm *d, const struct trace_event *ev, uint64_t index)
{
    if (ev->kind == TRACE_EV_MEM) {
        const struct trace_mem *m = &ev->mem;
        fprintf(f, "{\"event\":\"mem\",\"index\":%" PRIu64 ",\"access\":\"%s\",\"size\":%u,"
                "\"lin\":%" PRIu32 ",\"phys\":%" PRIu32 ",\"value\":%" PRIu32 ",\"sys\":%s,"
                "\"delivery\":%s,\"insn\":", index, mem_dir(m), m->size, m->lin, m->phys,
                m->value, m->flags & TRACE_MEM_SYS ? "true" : "false",
                m->flags & TRACE_MEM_DELIVERY ? "true" : "false");
        if (m->insn == UINT64_MAX)
            fprintf(f, "null}");
        else
            fprintf(f, "%" PRIu64 "}", m->insn);
    } else if (ev->kind == TRACE_EV_INSN) {
        const struct trace_insn *in = &ev->insn;
        char hex[40];
        bytes_hex(hex, in);
        fprintf(f, "{\"event\":\"insn\",\"index\":%" PRIu64 ",\"cs\":%u,\"eip\":%" PRIu32
                ",\"lin\":%" PRIu32 ",\"phys\":%" PRIu32 ",\"mode\":\"%s\",\"ring\":%u,"
                "\"bytes\":\"%s\",\"text\":", index, in->cs, in->eip, in->lin, in->phys,
                tool_mode_name(in->flags), TRACE_RUN_CPL(in->flags), hex);
        tool_json_string(f, disasm_of(d, in)->text);
        fputc('}', f);
    } else {
        const struct trace_intr *t = &ev->intr;
        fprintf(f, "{\"event\":\"int\",\"index\":%" PRIu64 ",\"kind\":\"%s\",\"vector\":%u,"
                "\"has_error\":%s,\"error\":%" PRIu32 ",\"cr2\":%" PRIu32 ",\"cs_from\":%u,"
                "\"eip_from\":%" PRIu32 ",\"ring_from\":%u,\"cs_to\":%u,\"eip_to\":%" PRIu32
                ",\"ring_to\":%u,\"icount\":%" PRIu64 "}", index, tool_intr_kind(t->kind),
                t->vector, t->has_error ? "true" : "false", t->error, t->cr2, t->cs_from,
                t->eip_from, t->cpl_from, t->cs_to, t->eip_to, t->cpl_to, t->icount);
    }
}

static struct trace_reader *open_or_die(const char *path)
{
    char err[TRACE_ERRMAX];
    struct trace_reader *r = trace_open(path, err);
    if (!r)
        bad(err);
    return r;
}

static int cmd_dump(const char *path, const struct tool_opts *o)
{
    struct trace_reader *r = open_or_die(path);
    struct disasm *d = disasm_new();
    struct trace_event ev;
    char err[TRACE_ERRMAX], line[400];
    uint64_t n = 0;
    int rc;
    if (o->json)
        printf("[");
    while ((rc = trace_next(r, &ev, err)) == 1 && (!o->limit || n < o->limit)) {
        if (o->json) {
            printf(n ? ",\n" : "\n");
            tool_event_json(stdout, d, &ev, n);
        } else {
            tool_event_text(line, sizeof line, d, &ev, n);
            puts(line);
        }
        n++;
    }
    if (o->json)
        printf("\n]\n");
    disasm_free(d);
    trace_close(r);
    if (rc < 0)
        bad(err);
    return TOOL_OK;
}

static int cmd_grep(const char *pattern, const char *path, const struct tool_opts *o)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "grep: '%s' is not a POSIX extended regular expression",
                 pattern);
        bad(msg);
    }
    struct trace_reader *r = open_or_die(path);
    struct disasm *d = disasm_new();
    struct counts hits = { 0 };
    struct trace_event ev;
    char err[TRACE_ERRMAX];
    uint64_t total = 0;
    int rc;
    while ((rc = trace_next(r, &ev, err)) == 1) {
        if (ev.kind != TRACE_EV_INSN || !ev.insn.code)
            continue;
        const struct dis_entry *e = disasm_of(d, &ev.insn);
        if (e->match < 0)
            ((struct dis_entry *)e)->match = regexec(&re, e->text, 0, NULL, 0) == 0;
        if (!e->match)
            continue;
        struct count_entry *c = counts_get(&hits, (uint64_t)ev.insn.phys << 32 | ev.insn.lin);
        if (!c)
            bad("out of memory");
        c->count++;
        c->aux = (uint64_t)ev.insn.code->dis;
        total++;
    }
    regfree(&re);
    if (rc < 0)
        bad(err);
    struct count_entry *s = counts_sorted(&hits);
    if (!s)
        bad("out of memory");
    if (o->json) {
        printf("{\"pattern\":");
        tool_json_string(stdout, pattern);
        printf(",\"executions\":%" PRIu64 ",\"instructions\":[", total);
    }
    for (size_t i = 0; i < hits.n; i++) {
        const struct dis_entry *e = disasm_entry(d, (int32_t)s[i].aux);
        uint32_t lin = (uint32_t)s[i].key, phys = (uint32_t)(s[i].key >> 32);
        if (o->json) {
            printf("%s\n{\"lin\":%" PRIu32 ",\"phys\":%" PRIu32 ",\"count\":%" PRIu64 ",\"text\":",
                   i ? "," : "", lin, phys, s[i].count);
            tool_json_string(stdout, e ? e->text : "?");
            printf("}");
        } else {
            printf("%12" PRIu64 "  lin=%08" PRIx32 " phys=%08" PRIx32 "  %s\n", s[i].count, lin,
                   phys, e ? e->text : "?");
        }
    }
    if (o->json)
        printf("\n]}\n");
    else
        printf("%" PRIu64 " executions of %zu distinct instructions match '%s'\n", total,
               hits.n, pattern);
    free(s);
    counts_free(&hits);
    disasm_free(d);
    trace_close(r);
    return TOOL_OK;
}

static unsigned long long number_arg(const char *opt, const char *v)
{
    char *end;
    unsigned long long n = v ? strtoull(v, &end, 0) : 0;
    if (!v || !*v || *end) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s needs a number (e.g. %s 20)", opt, opt);
        bad(msg);
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? TOOL_BAD : TOOL_OK;
    }
    const char *cmd = argv[1];
    struct tool_opts o = { .top = 20, .context = 8 };
    const char *pos[3];
    unsigned npos = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            o.json = true;
        } else if (strcmp(a, "--top") == 0) {
            o.top = (unsigned)number_arg(a, i + 1 < argc ? argv[++i] : NULL);
        } else if (strcmp(a, "--context") == 0) {
            o.context = (unsigned)number_arg(a, i + 1 < argc ? argv[++i] : NULL);
        } else if (strcmp(a, "--limit") == 0) {
            o.limit = number_arg(a, i + 1 < argc ? argv[++i] : NULL);
        } else if (strcmp(a, "--map") == 0) {
            if (i + 1 >= argc)
                bad("--map needs a file: a System.map (ADDRESS TYPE NAME lines)");
            o.map = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            char msg[200];
            snprintf(msg, sizeof msg, "unknown option '%s'; orrery-trace --help lists them", a);
            bad(msg);
        } else if (npos < 3) {
            pos[npos++] = a;
        } else {
            bad("too many arguments; orrery-trace --help shows the usage");
        }
    }
    unsigned want = strcmp(cmd, "diff") == 0 || strcmp(cmd, "grep") == 0 ? 2 : 1;
    bool known = want == 2 || strcmp(cmd, "dump") == 0 || strcmp(cmd, "stats") == 0 ||
                 strcmp(cmd, "coverage") == 0;
    if (!known) {
        char msg[200];
        snprintf(msg, sizeof msg, "unknown command '%.60s'; use dump, stats, coverage, diff or "
                 "grep", cmd);
        bad(msg);
    }
    if (npos != want) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s takes %s; orrery-trace --help shows the usage", cmd,
                 strcmp(cmd, "diff") == 0 ? "two traces" :
                 strcmp(cmd, "grep") == 0 ? "a pattern and a trace" : "one trace");
        bad(msg);
    }
    if (strcmp(cmd, "dump") == 0)
        return cmd_dump(pos[0], &o);
    if (strcmp(cmd, "stats") == 0)
        return cmd_stats(pos[0], &o);
    if (strcmp(cmd, "coverage") == 0)
        return cmd_coverage(pos[0], &o);
    if (strcmp(cmd, "diff") == 0)
        return cmd_diff(pos[0], pos[1], &o);
    return cmd_grep(pos[0], pos[1], &o);
}
