/* What the orrery-trace commands share (frontends/trace/main.c). */
#ifndef ORRERY_FRONTENDS_TRACE_TOOL_H
#define ORRERY_FRONTENDS_TRACE_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#include "frontends/trace/disasm.h"
#include "frontends/trace/reader.h"

struct tool_opts {
    bool json;
    unsigned top;             /* --top N: rows of each "hottest" table (default 20) */
    unsigned context;         /* diff --context N (default 8) */
    unsigned long long limit; /* dump --limit N: events shown (0: all) */
    const char *map;          /* coverage --map System.map */
};

/* Exit codes: 0 done (diff: identical), 1 diff: different, 2 bad input. */
enum { TOOL_OK = 0, TOOL_DIFFERENT = 1, TOOL_BAD = 2 };

/* One line for an event, no newline: "#INDEX CS:EIP lin=.. phys=.. MODE ringN BYTES  TEXT"
 * or "#... int KIND vector=..". */
void tool_event_text(char *buf, size_t len, struct disasm *d, const struct trace_event *ev,
                     uint64_t index);
/* The JSON object of an event (no newline). */
void tool_event_json(FILE *f, struct disasm *d, const struct trace_event *ev, uint64_t index);
void tool_json_string(FILE *f, const char *s);
const char *tool_mode_name(unsigned flags);
const char *tool_intr_kind(unsigned kind);

int cmd_stats(const char *path, const struct tool_opts *o);
int cmd_coverage(const char *path, const struct tool_opts *o);
int cmd_diff(const char *a, const char *b, const struct tool_opts *o);

#endif
