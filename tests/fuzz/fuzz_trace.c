/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the binary trace reader (frontends/trace/reader.c, orrery-trace):
 * the input is a trace file, hostile from its header to its last record (CODE, RUN, HIT,
 * INTR, MEM, END). It is read from memory, first event by event, then again with whole
 * runs (as stats reads it); whatever it holds, the reader must end with 0 or one line,
 * never crash, hang, or read outside its buffers, and what it hands out must be what the
 * format allows (instruction lengths 1-15, MEM sizes 1, 2 or 4 and only in a trace whose
 * header says MEM records may come, each after an instruction unless a delivery's).
 * (tools: `cmake -DORRERY_FUZZ=ON` with CC=clang builds build/fuzz_trace; seed it with
 * traces from `orrery -trace-file FILE,mem=on`, e.g. of build/tests/trace-mem.bin.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace_format.h"
#include "frontends/trace/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const uint8_t *data, size_t size, bool whole_runs)
{
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return;
    char err[TRACE_ERRMAX] = "";
    struct trace_reader *r = trace_open_stream(f, "fuzz", err);
    if (!r) {
        if (!err[0] || strchr(err, '\n'))
            abort(); /* one line, always */
        return;
    }
    if (whole_runs)
        trace_whole_runs(r);
    struct trace_event ev;
    uint64_t insns = 0, runs = 0;
    int rc;
    while ((rc = trace_next(r, &ev, err)) == 1) {
        switch (ev.kind) {
        case TRACE_EV_INSN:
            if (ev.insn.len < 1 || ev.insn.len > 15 || ev.insn.index != insns)
                abort();
            insns++;
            break;
        case TRACE_EV_MEM:
            if (!trace_has_mem(r) || (ev.mem.size != 1 && ev.mem.size != 2 && ev.mem.size != 4))
                abort();
            if (!(ev.mem.flags & TRACE_MEM_DELIVERY) && ev.mem.insn + 1 != insns)
                abort();
            break;
        case TRACE_EV_RUN:
            if (!whole_runs || ev.run.count == 0)
                abort();
            if (++runs & 1) { /* half the runs skipped, as a consumer with a cache does */
                trace_skip_run(r);
                insns += ev.run.count;
            }
            break;
        case TRACE_EV_INTR:
            break;
        default:
            abort();
        }
    }
    if (rc < 0 && (!err[0] || strchr(err, '\n')))
        abort();
    trace_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    read_all(data, size, false);
    read_all(data, size, true);
    return 0;
}
