/* SPDX-License-Identifier: MIT */
/* Unit tests for the MOO reader, its side files and SHA-1 (cmocka). */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../conformance/moo.h"
#include "../conformance/moo_meta.h"
#include "../conformance/sha1.h"

/* Real suite data: $ORRERY_SHARED/conformance/<rel> or $ORRERY_SHARED/<rel> when
 * that variable is set, else MOO_DATA_DIR/<rel>. Tests needing it skip when absent. */
#ifndef MOO_DATA_DIR
#define MOO_DATA_DIR "/work/shared/conformance"
#endif

static const char *data_path(const char *rel)
{
    static char buf[4][512];
    static int slot;
    char *out = buf[slot++ & 3];
    const char *env = getenv("ORRERY_SHARED");
    if (env && *env) {
        snprintf(out, sizeof buf[0], "%s/conformance/%s", env, rel);
        if (access(out, R_OK) == 0)
            return out;
        snprintf(out, sizeof buf[0], "%s/%s", env, rel);
        if (access(out, R_OK) == 0)
            return out;
    }
    snprintf(out, sizeof buf[0], "%s/%s", MOO_DATA_DIR, rel);
    return out;
}

/* ======================================================================== */
/* tiny MOO document builder */

struct bld {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct bld *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->n + n)
            ncap *= 2;
        b->p = realloc(b->p, ncap);
        assert_non_null(b->p);
        b->cap = ncap;
    }
    if (n)
        memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void u8(struct bld *b, uint8_t v) { put(b, &v, 1); }
static void u16(struct bld *b, uint16_t v) { u8(b, (uint8_t)v); u8(b, (uint8_t)(v >> 8)); }
static void u32(struct bld *b, uint32_t v) { u16(b, (uint16_t)v); u16(b, (uint16_t)(v >> 16)); }
static void u64(struct bld *b, uint64_t v) { u32(b, (uint32_t)v); u32(b, (uint32_t)(v >> 32)); }

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* Start a chunk; returns its offset. end() patches the length. */
static size_t begin(struct bld *b, const char *tag)
{
    size_t at = b->n;
    put(b, tag, 4);
    u32(b, 0);
    return at;
}

static void end(struct bld *b, size_t at) { wr32(b->p + at + 4, (uint32_t)(b->n - at - 8)); }

static void raw_chunk(struct bld *b, const char *tag, const void *payload, uint32_t len)
{
    put(b, tag, 4);
    u32(b, len);
    put(b, payload, len);
}

static void moo_header(struct bld *b, uint32_t count, const char *cpu)
{
    size_t at = begin(b, "MOO ");
    u8(b, 1); u8(b, 0); u16(b, 0);
    u32(b, count);
    put(b, cpu, 4);
    end(b, at);
}

static void meta_chunk(struct bld *b)
{
    size_t at = begin(b, "META");
    u8(b, 1); u8(b, 0); u8(b, 6);
    u32(b, 0xF6);
    put(b, "div     ", 8);
    u32(b, 483000);
    u64(b, 0x1122334455667788ull);
    u8(b, 0); u8(b, 0); u16(b, 0);
    end(b, at);
}

/* Options for one generated TEST. */
struct topt {
    bool wide;            /* 386E flavour: RG32/RM32/EA32 */
    bool unknown;         /* sprinkle unknown chunks at every level */
    bool excp;
    bool fina_mask;
    bool bad_hash;        /* store a wrong hash */
    bool omit_hash, omit_init, omit_fina, omit_init_regs;
    bool dup_name;
    bool hash_not_last;   /* an unknown chunk after HASH (not covered by it) */
    const char *name;     /* NULL: default */
    int nbytes;           /* <0: default */
    /* raw bytes inserted at the start of TEST / INIT / FINA payloads */
    const void *inj_test; size_t inj_test_len;
    const void *inj_init; size_t inj_init_len;
    const void *inj_fina; size_t inj_fina_len;
};

static uint32_t reg16_val(uint32_t idx, unsigned r) { return (0x1000u + r * 0x111u + idx) & 0xFFFFu; }
static uint32_t reg32_val(uint32_t idx, unsigned r) { return 0x10000000u + r * 0x01010101u + idx; }

static void add_test(struct bld *b, uint32_t idx, const struct topt *o)
{
    size_t at = begin(b, "TEST");
    u32(b, idx);
    if (o->inj_test_len)
        put(b, o->inj_test, o->inj_test_len);
    if (o->unknown)
        raw_chunk(b, "ZZZZ", "\x01\x02\x03", 3);
    size_t c = begin(b, "GMET");
    u64(b, 42); u16(b, 1);
    end(b, c);

    const char *name = o->name ? o->name : "add [ss:bp+60h],bl";
    for (int k = 0; k < (o->dup_name ? 2 : 1); k++) {
        c = begin(b, "NAME");
        u32(b, (uint32_t)strlen(name));
        put(b, name, strlen(name));
        end(b, c);
    }

    c = begin(b, "BYTS");
    if (o->nbytes >= 0) {
        u32(b, (uint32_t)o->nbytes);
        for (int i = 0; i < o->nbytes; i++)
            u8(b, 0x90);
    } else {
        u32(b, 4);
        put(b, "\x00\x5E\x60\xF4", 4);
    }
    end(b, c);

    if (!o->omit_init) {
        size_t ci = begin(b, "INIT");
        if (o->inj_init_len)
            put(b, o->inj_init, o->inj_init_len);
        if (o->unknown)
            raw_chunk(b, "DC32", "\xAA\xBB", 2);
        if (!o->omit_init_regs) {
            c = begin(b, o->wide ? "RG32" : "REGS");
            if (o->wide) {
                u32(b, MOO_R32_ALL);
                for (unsigned r = 0; r < MOO_R32_COUNT; r++)
                    u32(b, reg32_val(idx, r));
            } else {
                u16(b, MOO_R16_ALL);
                for (unsigned r = 0; r < MOO_R16_COUNT; r++)
                    u16(b, (uint16_t)reg16_val(idx, r));
            }
            end(b, c);
        }
        c = begin(b, "RAM ");
        u32(b, 3);
        u32(b, 0x264C0); u8(b, 0x00);
        u32(b, 0x264C1); u8(b, 0x5E);
        u32(b, 0x10FFEF); u8(b, (uint8_t)idx);
        end(b, c);
        if (o->wide) {
            c = begin(b, "EA32");
            u8(b, 1); u16(b, 0xF7EC); u32(b, 0xF7EC0); u32(b, 0xFFFF); u32(b, 0x61); u32(b, 0xF7F21); u32(b, 0xF7F21);
            end(b, c);
        }
        end(b, ci);
    }

    if (!o->omit_fina) {
        size_t cf = begin(b, "FINA");
        if (o->inj_fina_len)
            put(b, o->inj_fina, o->inj_fina_len);
        c = begin(b, o->wide ? "RG32" : "REGS");
        if (o->wide) {
            u32(b, (1u << MOO_EIP) | (1u << MOO_EFLAGS));
            u32(b, 0x72A4); u32(b, 0xFFFC0092);
        } else {
            u16(b, (1u << MOO_IP) | (1u << MOO_FLAGS));
            u16(b, 0x72A4); u16(b, 0x0092);
        }
        end(b, c);
        if (o->fina_mask) {
            c = begin(b, o->wide ? "RM32" : "RMSK");
            if (o->wide) {
                u32(b, 1u << MOO_EFLAGS);
                u32(b, 0xFFFFFFEFu);
            } else {
                u16(b, 1u << MOO_FLAGS);
                u16(b, 0xFFEF);
            }
            end(b, c);
        }
        if (o->unknown)
            raw_chunk(b, "REGX", "", 0);
        c = begin(b, "RAM ");
        u32(b, 1);
        u32(b, 0xF7F21); u8(b, 0xB3);
        end(b, c);
        end(b, cf);
    }

    c = begin(b, "CYCL");
    u32(b, 2);
    /* pins0 addr seg mem io pins1 data status tstate qop qbyte */
    put(b, "\x01\xC0\x64\x02\x00\x03\x04\x00\x01\x5E\x00\x0D\x01\x00\x00", 15);
    put(b, "\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x04\x02\x00\x00", 15);
    end(b, c);

    if (o->excp) {
        c = begin(b, "EXCP");
        u8(b, 0); u32(b, 0xC5328);
        end(b, c);
    }

    if (!o->omit_hash) {
        uint8_t h[20];
        sha1(b->p + at + 8, b->n - (at + 8), h);
        if (o->bad_hash)
            h[7] ^= 0x40;
        raw_chunk(b, "HASH", h, 20);
    }
    if (o->hash_not_last)
        raw_chunk(b, "ZZZ2", "xyz", 3);
    end(b, at);
}

static const struct topt DEF = { .nbytes = -1 };

/* A document with n default tests (optionally overriding test `which`). */
static void build_doc(struct bld *b, uint32_t count, uint32_t ntests, const char *cpu,
                      const struct topt *base, int which, const struct topt *special)
{
    moo_header(b, count, cpu);
    meta_chunk(b);
    for (uint32_t i = 0; i < ntests; i++)
        add_test(b, i, ((int)i == which && special) ? special : base);
}

/* Parse everything; returns the final moo_next() result (or -1 if open failed). */
static int parse_all(const void *d, size_t n, char *err, size_t errlen, uint32_t *ntests)
{
    *ntests = 0;
    err[0] = '\0';
    struct moo_file *f = moo_open_mem(d, n, err, errlen);
    if (!f)
        return -1;
    struct moo_test t;
    int r;
    while ((r = moo_next(f, &t, err, errlen)) == 1)
        (*ntests)++;
    moo_close(f);
    return r;
}

/* Expect the document to be rejected with a message containing `needle`. */
static void expect_reject(const struct bld *b, const char *needle)
{
    char err[256];
    uint32_t n;
    int r = parse_all(b->p, b->n, err, sizeof err, &n);
    if (r != -1 || !strstr(err, needle)) {
        print_error("expected rejection containing \"%s\", got r=%d after %u tests, err=\"%s\"\n",
                    needle, r, n, err);
        fail();
    }
    assert_null(strchr(err, '\n'));
}

static void expect_ok(const struct bld *b, uint32_t want)
{
    char err[256];
    uint32_t n;
    int r = parse_all(b->p, b->n, err, sizeof err, &n);
    if (r != 0) {
        print_error("unexpected error: %s\n", err);
        fail();
    }
    assert_int_equal(n, want);
}

static void bld_free(struct bld *b) { free(b->p); memset(b, 0, sizeof *b); }

/* ======================================================================== */
/* SHA-1 */

static void hex_of(const void *d, size_t n, char out[41])
{
    uint8_t h[20];
    sha1(d, n, h);
    sha1_to_hex(h, out);
}

static void test_sha1_vectors(void **state)
{
    (void)state;
    char hex[41];
    hex_of("", 0, hex);
    assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    hex_of("abc", 3, hex);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m2, strlen(m2), hex);
    assert_string_equal(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    const char *m3 = "The quick brown fox jumps over the lazy dog";
    hex_of(m3, strlen(m3), hex);
    assert_string_equal(hex, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");

    /* one million 'a', fed in odd-sized pieces */
    static uint8_t a[1000];
    memset(a, 'a', sizeof a);
    struct sha1_ctx c;
    uint8_t h[20];
    sha1_init(&c);
    size_t left = 1000000, step = 1;
    while (left) {
        size_t take = step < left ? step : left;
        if (take > sizeof a)
            take = sizeof a;
        sha1_update(&c, a, take);
        left -= take;
        step = step * 7 % 997 + 1;
    }
    sha1_final(&c, h);
    sha1_to_hex(h, hex);
    assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");

    /* lengths around the padding boundary: streaming == one-shot */
    uint8_t buf[130];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 31 + 7);
    for (size_t n = 50; n <= 130; n++) {
        uint8_t h1[20], h2[20];
        sha1(buf, n, h1);
        sha1_init(&c);
        for (size_t i = 0; i < n; i++)
            sha1_update(&c, buf + i, 1);
        sha1_final(&c, h2);
        assert_memory_equal(h1, h2, 20);
    }
}

/* ======================================================================== */
/* MOO: good documents */

static void test_good_16(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt ex = DEF;
    ex.excp = true;
    ex.fina_mask = true;
    build_doc(&b, 3, 3, "C286", &DEF, 1, &ex);

    char err[256];
    struct moo_file *f = moo_open_mem(b.p, b.n, err, sizeof err);
    assert_non_null(f);
    assert_string_equal(moo_cpu_id(f), "C286");
    assert_false(moo_is_32bit(f));
    assert_int_equal(moo_test_count(f), 3);
    assert_int_equal(moo_file_mask(f)->present, 0);
    const struct moo_info *in = moo_file_info(f);
    assert_true(in->has_meta);
    assert_int_equal(in->version_major, 1);
    assert_int_equal(in->cpu_model, 6);
    assert_int_equal(in->opcode, 0xF6);
    assert_string_equal(in->mnemonic, "div");
    assert_int_equal(in->meta_test_count, 483000);
    assert_true(in->seed == 0x1122334455667788ull);

    struct moo_test t;
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(moo_next(f, &t, err, sizeof err), 1);
        assert_int_equal(t.index, i);
        assert_int_equal(t.ordinal, i);
        assert_string_equal(t.name, "add [ss:bp+60h],bl");
        assert_false(t.name_truncated);
        assert_int_equal(t.nbytes, 4);
        assert_memory_equal(t.bytes, "\x00\x5E\x60\xF4", 4);
        assert_int_equal(t.init.regs.present, MOO_R16_ALL);
        for (unsigned r = 0; r < MOO_R16_COUNT; r++)
            assert_int_equal(t.init.regs.v[r], reg16_val(i, r));
        assert_int_equal(t.init.mask.present, 0);
        assert_int_equal(t.init.nram, 3);
        assert_int_equal(t.init.ram[2].addr, 0x10FFEF);
        assert_int_equal(t.init.ram[2].val, i);
        assert_int_equal(t.fina.regs.present, (1u << MOO_IP) | (1u << MOO_FLAGS));
        assert_int_equal(t.fina.regs.v[MOO_IP], 0x72A4);
        assert_int_equal(t.fina.regs.v[MOO_FLAGS], 0x0092);
        assert_int_equal(t.fina.nram, 1);
        assert_int_equal(t.fina.ram[0].addr, 0xF7F21);
        assert_int_equal(t.fina.ram[0].val, 0xB3);
        assert_int_equal(t.ncycles, 2);
        assert_int_equal(t.cycles[0].pins0, 1);
        assert_int_equal(t.cycles[0].addr, 0x264C0);
        assert_int_equal(t.cycles[0].seg, 3);
        assert_int_equal(t.cycles[0].mem, 4);
        assert_int_equal(t.cycles[0].io, 0);
        assert_int_equal(t.cycles[0].pins1, 1);
        assert_int_equal(t.cycles[0].data, 0x5E);
        assert_int_equal(t.cycles[0].status, 13);
        assert_int_equal(t.cycles[0].tstate, 1);
        assert_int_equal(t.cycles[1].status, 4);
        assert_int_equal(t.cycles[1].tstate, 2);
        assert_false(t.has_ea);
        assert_int_equal(strlen(t.hash_hex), 40);
        if (i == 1) {
            assert_true(t.has_excp);
            assert_int_equal(t.excp_vector, 0);
            assert_int_equal(t.excp_flags_addr, 0xC5328);
            assert_int_equal(t.fina.mask.present, 1u << MOO_FLAGS);
            assert_int_equal(t.fina.mask.v[MOO_FLAGS], 0xFFEF);
        } else {
            assert_false(t.has_excp);
            assert_int_equal(t.fina.mask.present, 0);
        }
    }
    assert_int_equal(moo_next(f, &t, err, sizeof err), 0);
    assert_int_equal(moo_next(f, &t, err, sizeof err), 0);
    moo_close(f);
    bld_free(&b);
}

static void test_good_32(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt o = DEF;
    o.wide = true;
    o.fina_mask = true;
    moo_header(&b, 2, "386E");
    /* top-level RM32 */
    size_t c = begin(&b, "RM32");
    u32(&b, 1u << MOO_EFLAGS);
    u32(&b, 0xFFFFF72Au);
    end(&b, c);
    add_test(&b, 0, &o);
    add_test(&b, 1, &o);

    char err[256];
    struct moo_file *f = moo_open_mem(b.p, b.n, err, sizeof err);
    assert_non_null(f);
    assert_string_equal(moo_cpu_id(f), "386E");
    assert_true(moo_is_32bit(f));
    assert_false(moo_file_info(f)->has_meta);
    assert_int_equal(moo_file_mask(f)->present, 1u << MOO_EFLAGS);
    assert_int_equal(moo_file_mask(f)->v[MOO_EFLAGS], 0xFFFFF72Au);
    struct moo_test t;
    for (uint32_t i = 0; i < 2; i++) {
        assert_int_equal(moo_next(f, &t, err, sizeof err), 1);
        assert_int_equal(t.init.regs.present, MOO_R32_ALL);
        for (unsigned r = 0; r < MOO_R32_COUNT; r++)
            assert_int_equal(t.init.regs.v[r], reg32_val(i, r));
        assert_int_equal(t.fina.regs.present, (1u << MOO_EIP) | (1u << MOO_EFLAGS));
        assert_int_equal(t.fina.regs.v[MOO_EIP], 0x72A4);
        assert_int_equal(t.fina.regs.v[MOO_EFLAGS], 0xFFFC0092u);
        assert_int_equal(t.fina.mask.v[MOO_EFLAGS], 0xFFFFFFEFu);
        assert_true(t.has_ea);
        assert_int_equal(t.ea.seg, 1);
        assert_int_equal(t.ea.selector, 0xF7EC);
        assert_int_equal(t.ea.base, 0xF7EC0);
        assert_int_equal(t.ea.limit, 0xFFFF);
        assert_int_equal(t.ea.offset, 0x61);
        assert_int_equal(t.ea.linear, 0xF7F21);
        assert_int_equal(t.ea.physical, 0xF7F21);
    }
    assert_int_equal(moo_next(f, &t, err, sizeof err), 0);
    moo_close(f);
    bld_free(&b);
}

static void test_unknown_chunks_skipped(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt o = DEF;
    o.unknown = true;
    o.hash_not_last = true;
    moo_header(&b, 2, "C286");
    raw_chunk(&b, "XTRA", "0123456789", 10);   /* before META */
    meta_chunk(&b);
    raw_chunk(&b, "EMPT", "", 0);
    add_test(&b, 0, &o);
    raw_chunk(&b, "MID ", "m", 1);             /* between tests */
    add_test(&b, 1, &o);
    raw_chunk(&b, "TAIL", "end", 3);           /* after the last test */
    expect_ok(&b, 2);

    /* values survive the unknown chunks */
    char err[256];
    struct moo_file *f = moo_open_mem(b.p, b.n, err, sizeof err);
    assert_non_null(f);
    struct moo_test t;
    assert_int_equal(moo_next(f, &t, err, sizeof err), 1);
    assert_int_equal(t.init.regs.present, MOO_R16_ALL);
    assert_int_equal(t.init.nram, 3);
    assert_int_equal(t.fina.nram, 1);
    assert_int_equal(t.ncycles, 2);
    moo_close(f);

    /* a longer MOO header payload (future fields) is skipped too */
    bld_free(&b);
    size_t c = begin(&b, "MOO ");
    u8(&b, 1); u8(&b, 1); u16(&b, 0); u32(&b, 1); put(&b, "286 ", 4);
    put(&b, "future", 6);
    end(&b, c);
    add_test(&b, 0, &DEF);
    expect_ok(&b, 1);
    f = moo_open_mem(b.p, b.n, err, sizeof err);
    assert_non_null(f);
    assert_string_equal(moo_cpu_id(f), "286");
    moo_close(f);
    bld_free(&b);
}

static void test_zero_tests(void **state)
{
    (void)state;
    struct bld b = { 0 };
    moo_header(&b, 0, "C286");
    expect_ok(&b, 0);
    bld_free(&b);
}

static void test_long_name_truncated(void **state)
{
    (void)state;
    char name[301];
    memset(name, 'x', 300);
    name[300] = '\0';
    name[5] = '\n'; /* non-printable: rendered as '?' */
    struct topt o = DEF;
    o.name = name;
    struct bld b = { 0 };
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    char err[256];
    struct moo_file *f = moo_open_mem(b.p, b.n, err, sizeof err);
    assert_non_null(f);
    struct moo_test t;
    assert_int_equal(moo_next(f, &t, err, sizeof err), 1);
    assert_true(t.name_truncated);
    assert_int_equal(strlen(t.name), MOO_NAME_MAX - 1);
    assert_int_equal(t.name[5], '?');
    assert_int_equal(t.name[6], 'x');
    assert_int_equal(moo_next(f, &t, err, sizeof err), 0);
    moo_close(f);
    bld_free(&b);
}

/* ======================================================================== */
/* MOO: malformed documents */

static void test_bad_magic_and_header(void **state)
{
    (void)state;
    struct bld b = { 0 };
    build_doc(&b, 1, 1, "C286", &DEF, -1, NULL);
    b.p[0] = 'M'; b.p[1] = 'O'; b.p[2] = 'O'; b.p[3] = 'X';
    expect_reject(&b, "bad magic");
    bld_free(&b);

    expect_reject(&b, "empty file");              /* zero bytes */

    u8(&b, 'M');
    expect_reject(&b, "truncated chunk header");
    bld_free(&b);

    raw_chunk(&b, "MOO ", "\x01\x00\x00\x00\x01\x00", 6);
    expect_reject(&b, "MOO header chunk too short");
    bld_free(&b);

    moo_header(&b, 1, "C286");
    b.p[8] = 2;
    add_test(&b, 0, &DEF);
    expect_reject(&b, "unsupported MOO format version 2.0");
    bld_free(&b);

    moo_header(&b, 1, "    ");
    expect_reject(&b, "empty CPU id");
    bld_free(&b);

    /* MOO header claims more payload than exists */
    raw_chunk(&b, "MOO ", "\x01\x00\x00\x00\x01\x00\x00\x00" "C286", 12);
    wr32(b.p + 4, 100);
    expect_reject(&b, "truncated");
    bld_free(&b);

    /* a second MOO header */
    moo_header(&b, 1, "C286");
    moo_header(&b, 1, "C286");
    expect_reject(&b, "second 'MOO ' header");
    bld_free(&b);

    /* META too short */
    moo_header(&b, 0, "C286");
    raw_chunk(&b, "META", "\x01\x00", 2);
    expect_reject(&b, "META chunk too short");
    bld_free(&b);
}

static void test_bad_count(void **state)
{
    (void)state;
    struct bld b = { 0 };
    build_doc(&b, 3, 2, "C286", &DEF, -1, NULL);
    expect_reject(&b, "file ends after 2 of 3 tests");
    bld_free(&b);

    build_doc(&b, 1, 2, "C286", &DEF, -1, NULL);
    expect_reject(&b, "more TEST chunks than the header count 1");
    bld_free(&b);
}

static void test_truncated(void **state)
{
    (void)state;
    struct bld b = { 0 };
    build_doc(&b, 2, 2, "C286", &DEF, -1, NULL);
    size_t full = b.n;
    /* every possible truncation point must be rejected without crashing */
    for (size_t cut = 0; cut < full; cut++) {
        char err[256];
        uint32_t n;
        int r = parse_all(b.p, cut, err, sizeof err, &n);
        assert_int_equal(r, -1);
        assert_true(err[0] != '\0');
    }
    /* cut inside the second test's payload */
    b.n = full - 10;
    expect_reject(&b, "truncated: TEST chunk");
    bld_free(&b);
}

static void test_test_too_large(void **state)
{
    (void)state;
    struct bld b = { 0 };
    moo_header(&b, 1, "C286");
    put(&b, "TEST", 4);
    u32(&b, MOO_MAX_TEST_PAYLOAD + 1);
    u32(&b, 0);
    expect_reject(&b, "too large");
    bld_free(&b);
}

static void test_overruns(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt o = DEF;

    /* sub-chunk longer than the rest of its TEST */
    static const uint8_t over_test[] = { 'N', 'A', 'M', 'E', 0x00, 0x10, 0x00, 0x00 };
    o.inj_test = over_test;
    o.inj_test_len = sizeof over_test;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "'NAME' chunk overruns its TEST container");
    bld_free(&b);

    /* sub-chunk longer than the rest of INIT */
    o = DEF;
    static const uint8_t over_init[] = { 'R', 'A', 'M', ' ', 0xFF, 0xFF, 0xFF, 0xFF };
    o.inj_init = over_init;
    o.inj_init_len = sizeof over_init;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "'RAM ' chunk in INIT overruns its container");
    bld_free(&b);

    /* partial sub-chunk header at the end of FINA */
    {
        /* build FINA by hand: one valid REGS then 3 stray bytes */
        moo_header(&b, 1, "C286");
        size_t t = begin(&b, "TEST");
        u32(&b, 0);
        size_t ci = begin(&b, "INIT");
        size_t c = begin(&b, "REGS");
        u16(&b, 0);
        end(&b, c);
        end(&b, ci);
        size_t cf = begin(&b, "FINA");
        put(&b, "abc", 3);
        end(&b, cf);
        end(&b, t);
        expect_reject(&b, "truncated sub-chunk header in FINA (3 bytes left)");
        bld_free(&b);
    }

    /* TEST payload shorter than the index */
    moo_header(&b, 1, "C286");
    raw_chunk(&b, "TEST", "\x00\x00", 2);
    expect_reject(&b, "TEST chunk too short");
    bld_free(&b);

    /* a top-level unknown chunk running past the end */
    moo_header(&b, 0, "C286");
    put(&b, "JUNK", 4);
    u32(&b, 1000);
    put(&b, "abc", 3);
    expect_reject(&b, "truncated");
    bld_free(&b);
}

static void test_bad_counts_inside(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt o = DEF;

    static const uint8_t ram_big[] = { 'R', 'A', 'M', ' ', 9, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3, 4, 5 };
    o.inj_init = ram_big;
    o.inj_init_len = sizeof ram_big;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "RAM count 2 in INIT needs 14 bytes, chunk has 9");
    bld_free(&b);

    o = DEF;
    static const uint8_t ram_short[] = { 'R', 'A', 'M', ' ', 2, 0, 0, 0, 0, 0 };
    o.inj_fina = ram_short;
    o.inj_fina_len = sizeof ram_short;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "RAM chunk in FINA too short");
    bld_free(&b);

    o = DEF;
    static const uint8_t cycl_big[] = { 'C', 'Y', 'C', 'L', 4, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF };
    o.inj_test = cycl_big;
    o.inj_test_len = sizeof cycl_big;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "CYCL count 4294967295");
    bld_free(&b);

    o = DEF;
    static const uint8_t name_big[] = { 'N', 'A', 'M', 'E', 6, 0, 0, 0, 3, 0, 0, 0, 'a', 'b' };
    o.inj_test = name_big;
    o.inj_test_len = sizeof name_big;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "NAME count 3 in TEST needs 7 bytes");
    bld_free(&b);

    o = DEF;
    o.nbytes = 33;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "BYTS count 33 exceeds 32");
    bld_free(&b);

    o = DEF;
    o.nbytes = 32;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_ok(&b, 1);
    bld_free(&b);

    o = DEF;
    static const uint8_t excp_short[] = { 'E', 'X', 'C', 'P', 4, 0, 0, 0, 0, 0, 0, 0 };
    o.inj_test = excp_short;
    o.inj_test_len = sizeof excp_short;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "EXCP chunk too short");
    bld_free(&b);

    o = DEF;
    static const uint8_t queu_big[] = { 'Q', 'U', 'E', 'U', 4, 0, 0, 0, 20, 0, 0, 0 };
    o.inj_init = queu_big;
    o.inj_init_len = sizeof queu_big;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "QUEU count 20 in INIT needs 24 bytes");
    bld_free(&b);

    o = DEF;
    static const uint8_t ea_short[] = { 'E', 'A', '3', '2', 3, 0, 0, 0, 1, 2, 3 };
    o.wide = true;
    o.inj_init = ea_short;
    o.inj_init_len = sizeof ea_short;
    build_doc(&b, 1, 1, "386E", &o, -1, NULL);
    expect_reject(&b, "EA32 chunk too short");
    bld_free(&b);
}

static void test_bad_regs(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt o = DEF;

    /* mask says 3 registers, only 1 value */
    static const uint8_t regs_short[] = { 'R', 'E', 'G', 'S', 4, 0, 0, 0, 0x07, 0x00, 0x34, 0x12 };
    o.inj_init = regs_short;
    o.inj_init_len = sizeof regs_short;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "REGS presence mask 0x7 needs 8 bytes, chunk has 4");
    bld_free(&b);

    /* undefined presence bits */
    static const uint8_t regs_bits[] = { 'R', 'E', 'G', 'S', 2, 0, 0, 0, 0x00, 0x40 };
    o.inj_init = regs_bits;
    o.inj_init_len = sizeof regs_bits;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "undefined bits 0x4000");
    bld_free(&b);

    /* empty REGS payload */
    static const uint8_t regs_empty[] = { 'R', 'E', 'G', 'S', 0, 0, 0, 0 };
    o.inj_fina = regs_empty;
    o.inj_fina_len = sizeof regs_empty;
    o.inj_init_len = 0;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "FINA: REGS chunk too short (0 bytes)");
    bld_free(&b);

    /* wrong flavour */
    o = DEF;
    o.wide = true;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "RG32 chunk in INIT of a 16-bit (C286) file");
    bld_free(&b);
    build_doc(&b, 1, 1, "386E", &DEF, -1, NULL);
    expect_reject(&b, "REGS chunk in INIT of a 32-bit (386E) file");
    bld_free(&b);
    o = DEF;
    o.fina_mask = true;
    o.wide = false;
    moo_header(&b, 1, "386E");
    {
        size_t c = begin(&b, "RMSK");
        u16(&b, 0);
        end(&b, c);
    }
    add_test(&b, 0, &o);
    expect_reject(&b, "top-level RMSK chunk");
    bld_free(&b);

    /* RG32 with 20 bits but short payload */
    o = DEF;
    o.wide = true;
    static const uint8_t rg_short[] = { 'R', 'G', '3', '2', 8, 0, 0, 0, 0xFF, 0xFF, 0x0F, 0x00, 1, 2, 3, 4 };
    o.inj_init = rg_short;
    o.inj_init_len = sizeof rg_short;
    build_doc(&b, 1, 1, "386E", &o, -1, NULL);
    expect_reject(&b, "RG32 presence mask 0xfffff needs 84 bytes, chunk has 8");
    bld_free(&b);

    /* duplicate top-level mask */
    moo_header(&b, 0, "C286");
    for (int i = 0; i < 2; i++) {
        size_t c = begin(&b, "RMSK");
        u16(&b, 1u << MOO_FLAGS);
        u16(&b, 0xFFEF);
        end(&b, c);
    }
    expect_reject(&b, "duplicate top-level mask chunk");
    bld_free(&b);
}

static void test_missing_and_duplicate(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt o = DEF;

    o.omit_hash = true;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "TEST has no HASH chunk");
    bld_free(&b);

    o = DEF;
    o.omit_init = true;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "TEST has no INIT chunk");
    bld_free(&b);

    o = DEF;
    o.omit_fina = true;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "TEST has no FINA chunk");
    bld_free(&b);

    o = DEF;
    o.omit_init_regs = true;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "INIT has no REGS chunk");
    bld_free(&b);

    o = DEF;
    o.dup_name = true;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "duplicate NAME chunk in TEST");
    bld_free(&b);

    o = DEF;
    static const uint8_t ram0[] = { 'R', 'A', 'M', ' ', 4, 0, 0, 0, 0, 0, 0, 0 };
    o.inj_init = ram0;
    o.inj_init_len = sizeof ram0;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "duplicate RAM chunk in INIT");
    bld_free(&b);

    o = DEF;
    static const uint8_t hash2[28] = { 'H', 'A', 'S', 'H', 20 };
    o.inj_test = hash2;
    o.inj_test_len = sizeof hash2;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "duplicate HASH chunk in TEST");
    bld_free(&b);

    o = DEF;
    static const uint8_t hash_short[] = { 'H', 'A', 'S', 'H', 2, 0, 0, 0, 1, 2 };
    o.inj_test = hash_short;
    o.inj_test_len = sizeof hash_short;
    o.omit_hash = true;
    build_doc(&b, 1, 1, "C286", &o, -1, NULL);
    expect_reject(&b, "HASH chunk too short");
    bld_free(&b);
}

static void test_hash_mismatch(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt o = DEF;
    o.bad_hash = true;
    build_doc(&b, 3, 3, "C286", &DEF, 2, &o);
    char err[256];
    uint32_t n;
    assert_int_equal(parse_all(b.p, b.n, err, sizeof err, &n), -1);
    assert_int_equal(n, 2);
    assert_non_null(strstr(err, "test 2: HASH mismatch (stored "));
    bld_free(&b);

    /* a flipped payload byte is detected; turning verification off accepts it */
    build_doc(&b, 1, 1, "C286", &DEF, -1, NULL);
    uint8_t *hit = NULL;
    for (size_t i = 0; i + 4 < b.n; i++)
        if (memcmp(b.p + i, "\xEF\xFF\x10\x00", 4) == 0) /* RAM addr 0x10FFEF */
            hit = b.p + i + 4;
    assert_non_null(hit);
    *hit ^= 0x55;
    expect_reject(&b, "HASH mismatch");
    struct moo_file *f = moo_open_mem(b.p, b.n, err, sizeof err);
    assert_non_null(f);
    moo_set_verify_hash(f, false);
    struct moo_test t;
    assert_int_equal(moo_next(f, &t, err, sizeof err), 1);
    assert_int_equal(t.init.ram[2].val, 0x55);
    moo_close(f);
    bld_free(&b);
}

static void test_error_is_sticky(void **state)
{
    (void)state;
    struct bld b = { 0 };
    struct topt o = DEF;
    o.bad_hash = true;
    build_doc(&b, 2, 2, "C286", &o, -1, NULL);
    char err[256];
    struct moo_file *f = moo_open_mem(b.p, b.n, err, sizeof err);
    assert_non_null(f);
    struct moo_test t;
    assert_int_equal(moo_next(f, &t, err, sizeof err), -1);
    err[0] = '\0';
    assert_int_equal(moo_next(f, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "HASH mismatch"));
    assert_int_equal(moo_next(f, &t, NULL, 0), -1);
    moo_close(f);
    moo_close(NULL);
    bld_free(&b);
}

/* ======================================================================== */
/* MOO through zlib (files) */

static char *tmp_path(const char *suffix)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/test_moo_%ld_%s", (long)getpid(), suffix);
    return path;
}

static void write_file(const char *path, const void *d, size_t n, bool gz)
{
    if (gz) {
        gzFile g = gzopen(path, "wb");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, d, (unsigned)n), (int)n);
        assert_int_equal(gzclose(g), Z_OK);
    } else {
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(d, 1, n, fp), n);
        fclose(fp);
    }
}

static void test_files(void **state)
{
    (void)state;
    struct bld b = { 0 };
    build_doc(&b, 40, 40, "C286", &DEF, -1, NULL);
    char err[256];
    struct moo_test t;

    for (int gz = 0; gz < 2; gz++) {
        const char *p = tmp_path(gz ? "a.MOO.gz" : "a.MOO");
        write_file(p, b.p, b.n, gz);
        struct moo_file *f = moo_open(p, err, sizeof err);
        assert_non_null(f);
        uint32_t n = 0;
        int r;
        while ((r = moo_next(f, &t, err, sizeof err)) == 1)
            assert_int_equal(t.index, n++);
        assert_int_equal(r, 0);
        assert_int_equal(n, 40);
        moo_close(f);
        unlink(p);
    }

    /* truncated gzip stream */
    const char *p = tmp_path("b.MOO.gz");
    write_file(p, b.p, b.n, true);
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    static uint8_t gzbuf[1 << 16];
    size_t gzlen = fread(gzbuf, 1, sizeof gzbuf, fp);
    fclose(fp);
    assert_true(gzlen > 100);
    write_file(p, gzbuf, gzlen - 20, false);
    struct moo_file *f = moo_open(p, err, sizeof err);
    if (f) {
        int r;
        while ((r = moo_next(f, &t, err, sizeof err)) == 1)
            ;
        assert_int_equal(r, -1);
        moo_close(f);
    }
    assert_non_null(strstr(err, "truncated"));
    /* corrupted gzip data */
    gzbuf[gzlen / 2] ^= 0xFF;
    gzbuf[gzlen / 2 + 1] ^= 0xFF;
    write_file(p, gzbuf, gzlen, false);
    f = moo_open(p, err, sizeof err);
    if (f) {
        int r;
        while ((r = moo_next(f, &t, err, sizeof err)) == 1)
            ;
        assert_int_equal(r, -1);
        moo_close(f);
    }
    unlink(p);

    /* unknown chunks at every level, read through zlib (skip path) */
    bld_free(&b);
    struct topt o = DEF;
    o.unknown = true;
    moo_header(&b, 2, "C286");
    raw_chunk(&b, "XTRA", "0123456789", 10);
    add_test(&b, 0, &o);
    put(&b, "BIG ", 4);               /* unknown chunk larger than the skip buffer */
    u32(&b, 100000);
    for (int i = 0; i < 100000; i++)
        u8(&b, (uint8_t)i);
    add_test(&b, 1, &o);
    p = tmp_path("c.MOO.gz");
    write_file(p, b.p, b.n, true);
    f = moo_open(p, err, sizeof err);
    assert_non_null(f);
    assert_int_equal(moo_next(f, &t, err, sizeof err), 1);
    assert_int_equal(moo_next(f, &t, err, sizeof err), 1);
    assert_int_equal(t.index, 1);
    assert_int_equal(moo_next(f, &t, err, sizeof err), 0);
    moo_close(f);

    /* a TEST claiming 60 MiB in a short file: rejected as truncated */
    bld_free(&b);
    moo_header(&b, 1, "C286");
    put(&b, "TEST", 4);
    u32(&b, 60u << 20);
    for (int i = 0; i < 300000; i++)
        u8(&b, 0);
    write_file(p, b.p, b.n, true);
    f = moo_open(p, err, sizeof err);
    assert_non_null(f);
    assert_int_equal(moo_next(f, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "truncated: TEST chunk at offset 20 declares 62914560 bytes, stream ends after 300000"));
    moo_close(f);
    unlink(p);

    /* missing file */
    assert_null(moo_open("/nonexistent/dir/x.MOO.gz", err, sizeof err));
    assert_non_null(strstr(err, "cannot open"));
    bld_free(&b);
}

static void test_real_386(void **state)
{
    (void)state;
    char err[256];
    const char *path = data_path("386-real/00.MOO.gz");
    if (access(path, R_OK) != 0)
        skip();
    struct moo_file *f = moo_open(path, err, sizeof err);
    assert_non_null(f);
    assert_string_equal(moo_cpu_id(f), "386E");
    assert_int_equal(moo_test_count(f), 500);
    struct moo_test t;
    assert_int_equal(moo_next(f, &t, err, sizeof err), 1);
    assert_string_equal(t.name, "add [ss:bp+60h],bl");
    assert_string_equal(t.hash_hex, "435e8cf5fde5267986b9cf360c859971f96f062f");
    assert_int_equal(t.init.regs.v[MOO_EFLAGS], 0xFFFC0893u);
    assert_int_equal(t.fina.regs.present, 0x30000);
    assert_int_equal(t.fina.regs.v[MOO_EIP], 0x72A4);
    uint32_t n = 1;
    int r;
    while ((r = moo_next(f, &t, err, sizeof err)) == 1)
        n++;
    assert_int_equal(r, 0);
    assert_int_equal(n, 500);
    moo_close(f);
}

/* ======================================================================== */
/* revocation list */

static void test_revoked(void **state)
{
    (void)state;
    char err[256];
    const char *text =
        "\xEF\xBB\xBF# Revocation list\n"
        "\n"
        "   \t\n"
        "  8ABBBC61A5866292B0BC816660D7B334BEA7962A  \r\n"
        "#0b796f0cf88c29174f23f6515809f5eb5683e57c\n"
        "   # indented comment\n"
        "435e8cf5fde5267986b9cf360c859971f96f062f\n"
        "435E8CF5FDE5267986B9CF360C859971F96F062F\n"
        "0000000000000000000000000000000000000001"; /* no final newline */
    struct moo_revoked *r = moo_revoked_parse(text, strlen(text), err, sizeof err);
    assert_non_null(r);
    assert_int_equal(moo_revoked_count(r), 3);
    assert_true(moo_revoked_has(r, "8abbbc61a5866292b0bc816660d7b334bea7962a"));
    assert_true(moo_revoked_has(r, "8ABBBC61A5866292b0bc816660d7b334bea7962a"));
    assert_true(moo_revoked_has(r, " 435e8cf5fde5267986b9cf360c859971f96f062f\n"));
    assert_true(moo_revoked_has(r, "0000000000000000000000000000000000000001"));
    assert_false(moo_revoked_has(r, "0b796f0cf88c29174f23f6515809f5eb5683e57c")); /* commented out */
    assert_false(moo_revoked_has(r, "0000000000000000000000000000000000000002"));
    assert_false(moo_revoked_has(r, "8abbbc61"));
    assert_false(moo_revoked_has(r, ""));
    assert_false(moo_revoked_has(r, NULL));
    moo_revoked_free(r);

    r = moo_revoked_parse("", 0, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(moo_revoked_count(r), 0);
    assert_false(moo_revoked_has(r, "435e8cf5fde5267986b9cf360c859971f96f062f"));
    moo_revoked_free(r);

    const char *bad1 = "# ok\n435e8cf5fde5267986b9cf360c859971f96f062\n";   /* 39 digits */
    assert_null(moo_revoked_parse(bad1, strlen(bad1), err, sizeof err));
    assert_string_equal(err, "line 2: not a 40-digit hex hash");
    const char *bad2 = "435e8cf5fde5267986b9cf360c859971f96f062g\n";
    assert_null(moo_revoked_parse(bad2, strlen(bad2), err, sizeof err));
    assert_string_equal(err, "line 1: not a 40-digit hex hash");
    const char *bad3 = "435e8cf5fde5267986b9cf360c859971f96f062f 435e8cf5fde5267986b9cf360c859971f96f062f\n";
    assert_null(moo_revoked_parse(bad3, strlen(bad3), err, sizeof err));

    /* missing file -> empty list */
    r = moo_revoked_load("/nonexistent/revocation_list.txt", err, sizeof err);
    assert_non_null(r);
    assert_int_equal(moo_revoked_count(r), 0);
    moo_revoked_free(r);

    /* from a file */
    const char *p = tmp_path("rev.txt");
    write_file(p, text, strlen(text), false);
    r = moo_revoked_load(p, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(moo_revoked_count(r), 3);
    moo_revoked_free(r);
    unlink(p);

    /* the real lists, when available */
    r = moo_revoked_load(data_path("286-real/revocation_list.txt"), err, sizeof err);
    assert_non_null(r);
    moo_revoked_free(r);
    if (access(data_path("386-real/revocation_list.txt"), R_OK) == 0) {
        r = moo_revoked_load(data_path("386-real/revocation_list.txt"), err, sizeof err);
        assert_non_null(r);
        assert_int_equal(moo_revoked_count(r), 1);
        assert_true(moo_revoked_has(r, "8abbbc61a5866292b0bc816660d7b334bea7962a"));
        moo_revoked_free(r);
    }
}

/* ======================================================================== */
/* metadata.json */

static void test_meta_small(void **state)
{
    (void)state;
    char err[256];
    const char *js =
        "{ \"version\": \"1.0.0\", \"syntax_version\": 2, \"x\": [1, -2.5e+3, true, false, null, {}, [], \"\\u00e9\\ud83d\\ude00\\n\"],\n"
        "  \"opcodes\": {\n"
        "    \"00\": { \"status\": \"normal\", \"arch\": \"86\" },\n"
        "    \"08\": { \"status\": \"normal\", \"flags\": \".....a..\", \"flags-mask\": 65519 },\n"
        "    \"d4\": { \"flags-mask\": 0 },\n"
        "    \"F6\": { \"reg\": { \"0\": { \"flags-mask\": 65519 }, \"2\": {},\n"
        "                       \"6\": { \"flags\": \"o..szapc\", \"flags-mask\": 63274 } } },\n"
        "    \"0F01\": { \"flags-mask\": 4660, \"reg\": { \"3\": { \"flags-mask\": 1 } } },\n"
        "    \"0FA0\": { \"flags-mask\": 255 }\n"
        "  }, \"author\": \"caf\xc3\xa9\" }\n";
    struct moo_meta *m = moo_meta_parse(js, strlen(js), err, sizeof err);
    if (!m)
        print_error("%s\n", err);
    assert_non_null(m);
    uint16_t mask = 0;
    assert_false(moo_meta_flags_mask(m, "00", &mask));
    assert_true(moo_meta_flags_mask(m, "08", &mask));
    assert_int_equal(mask, 0xFFEF);
    assert_true(moo_meta_flags_mask(m, "D4", &mask));
    assert_int_equal(mask, 0);
    assert_true(moo_meta_flags_mask(m, "F6.6", &mask));
    assert_int_equal(mask, 0xF72A);
    assert_true(moo_meta_flags_mask(m, "f6.0", &mask));
    assert_int_equal(mask, 0xFFEF);
    assert_false(moo_meta_flags_mask(m, "F6.2", &mask));   /* entry without mask */
    assert_false(moo_meta_flags_mask(m, "F6.5", &mask));   /* no entry */
    assert_false(moo_meta_flags_mask(m, "F6", &mask));     /* group opcode, no opcode-level mask */
    assert_true(moo_meta_flags_mask(m, "0F01.3", &mask));
    assert_int_equal(mask, 1);
    assert_false(moo_meta_flags_mask(m, "0F01.4", &mask)); /* has "reg": no fallback */
    assert_true(moo_meta_flags_mask(m, "0F01", &mask));
    assert_int_equal(mask, 4660);
    assert_true(moo_meta_flags_mask(m, "0FA0.1", &mask));  /* no "reg": falls back */
    assert_int_equal(mask, 255);
    assert_false(moo_meta_flags_mask(m, "F01", &mask));
    assert_false(moo_meta_flags_mask(m, "", &mask));
    assert_false(moo_meta_flags_mask(m, "F6.", &mask));
    assert_false(moo_meta_flags_mask(m, "F6.8", &mask));
    assert_false(moo_meta_flags_mask(m, "F6.66", &mask));
    assert_false(moo_meta_flags_mask(m, "XY", &mask));
    assert_false(moo_meta_flags_mask(m, "123456789", &mask));
    assert_false(moo_meta_flags_mask(m, NULL, &mask));
    moo_meta_free(m);
    moo_meta_free(NULL);
}

static void meta_reject(const char *js, const char *needle)
{
    char err[256] = "";
    struct moo_meta *m = moo_meta_parse(js, strlen(js), err, sizeof err);
    if (m || !strstr(err, needle)) {
        print_error("JSON %s\n expected error containing \"%s\", got \"%s\"\n", js, needle, err);
        moo_meta_free(m);
        fail();
    }
    assert_null(strchr(err, '\n'));
}

static void test_meta_errors(void **state)
{
    (void)state;
    meta_reject("", "root value must be an object");
    meta_reject("[]", "root value must be an object");
    meta_reject("{}", "no \"opcodes\" member");
    meta_reject("{\"opcodes\": []}", "\"opcodes\" must be an object");
    meta_reject("{\"opcodes\": {\"08\": 5}}", "an opcodes entry must be an object");
    meta_reject("{\"opcodes\": {\"0G\": {}}}", "not 1-8 hex digits");
    meta_reject("{\"opcodes\": {\"\": {}}}", "not 1-8 hex digits");
    meta_reject("{\"opcodes\": {\"123456789\": {}}}", "not 1-8 hex digits");
    meta_reject("{\"opcodes\": {\"0\\u0000\": {}}}", "not 1-8 hex digits");
    meta_reject("{\"opcodes\": {\"08\": {\"flags-mask\": 65536}}}", "integer in 0..65535");
    meta_reject("{\"opcodes\": {\"08\": {\"flags-mask\": -1}}}", "integer in 0..65535");
    meta_reject("{\"opcodes\": {\"08\": {\"flags-mask\": 1.5}}}", "integer in 0..65535");
    meta_reject("{\"opcodes\": {\"08\": {\"flags-mask\": 1e3}}}", "integer in 0..65535");
    meta_reject("{\"opcodes\": {\"08\": {\"flags-mask\": 99999999999999999999999}}}", "integer in 0..65535");
    meta_reject("{\"opcodes\": {\"08\": {\"flags-mask\": \"65519\"}}}", "must be a number");
    meta_reject("{\"opcodes\": {\"08\": {\"flags-mask\": 1, \"flags-mask\": 2}}}", "duplicate \"flags-mask\"");
    meta_reject("{\"opcodes\": {\"08\": {}, \"08\": {}}}", "duplicate opcodes key \"08\"");
    meta_reject("{\"opcodes\": {\"f6\": {}, \"F6\": {}}}", "duplicate opcodes key \"F6\"");
    meta_reject("{\"opcodes\": {\"F6\": {\"reg\": {\"1\": {}, \"1\": {}}}}}", "duplicate reg key \"1\"");
    meta_reject("{\"opcodes\": {\"F6\": {\"reg\": {\"8\": {}}}}}", "\"reg\" key must be");
    meta_reject("{\"opcodes\": {\"F6\": {\"reg\": []}}}", "a \"reg\" member must be an object");
    meta_reject("{\"opcodes\": {\"F6\": {\"reg\": {\"1\": 3}}}}", "a \"reg\" entry must be an object");
    meta_reject("{\"opcodes\": {}, \"opcodes\": {}}", "duplicate \"opcodes\"");
    meta_reject("{\"opcodes\": {},}", "object key (string) expected");
    meta_reject("{\"opcodes\": {}, \"a\": [1,]}", "unexpected character ']'");
    meta_reject("{\"opcodes\": {}, \"a\": [1 2]}", "',' or ']' expected");
    meta_reject("{\"opcodes\": {} \"a\": 1}", "',' or '}' expected");
    meta_reject("{\"opcodes\" {}}", "':' expected");
    meta_reject("{\"opcodes\": {}} x", "trailing data");
    meta_reject("{\"opcodes\": {}", "',' or '}' expected");
    meta_reject("{\"opcodes\": {}, \"a\": 01}", "',' or '}' expected");
    meta_reject("{\"opcodes\": {}, \"a\": -}", "bad number");
    meta_reject("{\"opcodes\": {}, \"a\": 1.}", "digit expected after decimal point");
    meta_reject("{\"opcodes\": {}, \"a\": 1e}", "digit expected in exponent");
    meta_reject("{\"opcodes\": {}, \"a\": tru}", "invalid literal");
    meta_reject("{\"opcodes\": {}, \"a\": nul}", "invalid literal");
    meta_reject("{\"opcodes\": {}, \"a\": \"x}", "unterminated string");
    meta_reject("{\"opcodes\": {}, \"a\": \"\t\"}", "control character 0x09");
    meta_reject("{\"opcodes\": {}, \"a\": \"\\x\"}", "bad escape sequence");
    meta_reject("{\"opcodes\": {}, \"a\": \"\\u12\"}", "bad hex digit");
    meta_reject("{\"opcodes\": {}, \"a\": \"\\udc00\"}", "lone low surrogate");
    meta_reject("{\"opcodes\": {}, \"a\": \"\\ud800x\"}", "high surrogate not followed");
    meta_reject("{\"opcodes\": {}, \"a\": \"\\ud800\\u0041\"}", "high surrogate not followed");
    meta_reject("{\"opcodes\": {}, \"a\": \"\xC0\xAF\"}", "invalid UTF-8 byte 0xc0");
    meta_reject("{\"opcodes\": {}, \"a\": \"\xE0\x80\x80\"}", "invalid UTF-8 sequence");
    meta_reject("{\"opcodes\": {}, \"a\": \"\xED\xA0\x80\"}", "invalid UTF-8 sequence");
    meta_reject("{\"opcodes\": {}, \"a\": \"\xF4\x90\x80\x80\"}", "invalid UTF-8 sequence");
    meta_reject("{\"opcodes\": {}, \"a\": \"\xE2\x82", "truncated UTF-8");
    meta_reject("{\"opcodes\": {}, \"a\": @}", "unexpected character '@'");
    meta_reject("{\"opcodes\": {},\n \"a\": @}", "JSON line 2 col 7");

    /* nesting limit */
    char deep[400];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "{\"opcodes\": {}, \"a\": ");
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    for (int i = 0; i < 70; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    meta_reject(deep, "nesting deeper than 64");

    /* a NUL byte inside the buffer is not the end of the document */
    char err[256];
    static const char withnul[] = "{\"opcodes\": {}}\0";
    assert_null(moo_meta_parse(withnul, sizeof withnul - 1, err, sizeof err));
    assert_non_null(strstr(err, "trailing data"));
    assert_null(moo_meta_load("/nonexistent/metadata.json", err, sizeof err));
    assert_non_null(strstr(err, "cannot open"));
}

static void test_meta_real(void **state)
{
    (void)state;
    char err[256];
    const char *path = data_path("286-real/metadata.json");
    if (access(path, R_OK) != 0)
        skip();
    struct moo_meta *m = moo_meta_load(path, err, sizeof err);
    if (!m)
        print_error("%s\n", err);
    assert_non_null(m);
    uint16_t mask = 0x1234;
    assert_true(moo_meta_flags_mask(m, "08", &mask));
    assert_int_equal(mask, 0xFFEF);
    assert_true(moo_meta_flags_mask(m, "F6.6", &mask));
    assert_int_equal(mask, 0xF72A); /* 63274: OF SF ZF AF PF CF undefined (div) */
    assert_true(moo_meta_flags_mask(m, "F6.0", &mask));
    assert_int_equal(mask, 0xFFEF);
    mask = 0x1234;
    assert_false(moo_meta_flags_mask(m, "00", &mask));
    assert_int_equal(mask, 0x1234);
    assert_false(moo_meta_flags_mask(m, "0F01.3", &mask));
    moo_meta_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1_vectors),
        cmocka_unit_test(test_good_16),
        cmocka_unit_test(test_good_32),
        cmocka_unit_test(test_unknown_chunks_skipped),
        cmocka_unit_test(test_zero_tests),
        cmocka_unit_test(test_long_name_truncated),
        cmocka_unit_test(test_bad_magic_and_header),
        cmocka_unit_test(test_bad_count),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_test_too_large),
        cmocka_unit_test(test_overruns),
        cmocka_unit_test(test_bad_counts_inside),
        cmocka_unit_test(test_bad_regs),
        cmocka_unit_test(test_missing_and_duplicate),
        cmocka_unit_test(test_hash_mismatch),
        cmocka_unit_test(test_error_is_sticky),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_real_386),
        cmocka_unit_test(test_revoked),
        cmocka_unit_test(test_meta_small),
        cmocka_unit_test(test_meta_errors),
        cmocka_unit_test(test_meta_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
