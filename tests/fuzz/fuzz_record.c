/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the record reader (core/record.c, -replay): the input is a record
 * file, hostile from its magic to its last chunk. It is read from memory; whatever it
 * holds, the reader must answer with an index or one line, never crash, hang, read
 * outside its buffers or allocate what a length in the file says. An index it accepts is
 * walked, so that what it claims (events, checks, snapshots inside the file) is checked.
 * (tools: `cmake -DORRERY_FUZZ=ON` with CC=clang builds build/fuzz_record; seed it with
 * records from `orrery -record`.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    static struct record_index idx;
    char err[RECORD_ERRMAX];
    if (record_read(f, "fuzz", &idx, err)) {
        uint64_t last = 0;
        for (size_t i = 0; i < idx.nev; i++) {
            if (idx.ev[i].icount < last || (idx.ev[i].kind == RECORD_SERIAL &&
                                            (idx.ev[i].n < 1 || idx.ev[i].n > RECORD_SERIAL_MAX)))
                abort();
            last = idx.ev[i].icount;
        }
        for (size_t i = 0; i < idx.nchk; i++)
            if (idx.chk[i].n > RECORD_SUMS_MAX)
                abort();
        for (size_t i = 0; i < idx.nsnap; i++)
            if (idx.snap[i].offset + idx.snap[i].len > size || idx.snap[i].next_event > idx.nev)
                abort();
        if (idx.end_icount < last)
            abort();
        record_index_free(&idx);
    } else if (!err[0] || strchr(err, '\n')) {
        abort(); /* one line, always */
    }
    fclose(f);
    return 0;
}
