/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the MOO reader (memory entry point) and, on the same
 * bytes, the metadata.json and revocation_list.txt parsers.
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *         tests/fuzz/fuzz_moo.c tests/conformance/moo.c \
 *         tests/conformance/moo_meta.c tests/conformance/sha1.c -lz -o fuzz_moo
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../conformance/moo.h"
#include "../conformance/moo_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_moo(const uint8_t *data, size_t size, bool verify)
{
    char err[256];
    struct moo_file *f = moo_open_mem(data, size, err, sizeof err);
    if (!f)
        return;
    moo_set_verify_hash(f, verify);
    (void)moo_cpu_id(f);
    (void)moo_is_32bit(f);
    (void)moo_test_count(f);
    (void)moo_file_mask(f);
    (void)moo_file_info(f);
    struct moo_test t;
    volatile uint32_t sink = 0;
    int r;
    while ((r = moo_next(f, &t, err, sizeof err)) == 1) {
        /* touch everything the reader handed out */
        for (uint32_t i = 0; i < t.init.nram; i++)
            sink += t.init.ram[i].addr + t.init.ram[i].val;
        for (uint32_t i = 0; i < t.fina.nram; i++)
            sink += t.fina.ram[i].addr + t.fina.ram[i].val;
        for (uint32_t i = 0; i < t.ncycles; i++)
            sink += t.cycles[i].addr + t.cycles[i].data;
        sink += (uint32_t)strlen(t.name) + (uint32_t)strlen(t.hash_hex);
    }
    /* after the end / an error the reader must stay well-behaved */
    (void)moo_next(f, &t, err, sizeof err);
    moo_close(f);
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_moo(data, size, false);
    run_moo(data, size, true);

    char err[256];
    struct moo_meta *m = moo_meta_parse((const char *)data, size, err, sizeof err);
    if (m) {
        uint16_t mask;
        (void)moo_meta_flags_mask(m, "08", &mask);
        (void)moo_meta_flags_mask(m, "F6.6", &mask);
        (void)moo_meta_flags_mask(m, "0F01.3", &mask);
        moo_meta_free(m);
    }
    struct moo_revoked *r = moo_revoked_parse((const char *)data, size, err, sizeof err);
    if (r) {
        (void)moo_revoked_has(r, "435e8cf5fde5267986b9cf360c859971f96f062f");
        moo_revoked_free(r);
    }
    return 0;
}
