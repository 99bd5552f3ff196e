/* SPDX-License-Identifier: MIT */
/* Streaming MOO container reader. Format: shared/conformance/MOO-FORMAT.md. */
#include "moo.h"
#include "sha1.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ERRMSG_LEN 256

struct moo_file {
    /* source: exactly one of gz / mem */
    gzFile gz;
    const uint8_t *mem;
    size_t memlen, mempos;
    uint64_t pos;                 /* bytes consumed from the (decompressed) stream */

    char cpu[5];
    bool is32;
    uint32_t count;
    struct moo_info info;
    struct moo_regs fmask;
    bool have_fmask;
    bool verify_hash;

    uint32_t ntests;              /* TEST chunks returned so far */
    bool pending;                 /* a TEST header has been read, payload not yet */
    uint32_t pending_len;
    uint64_t pending_pos;         /* stream offset of that TEST header */
    bool eof, done, failed;
    char errmsg[ERRMSG_LEN];

    /* buffers reused from test to test */
    uint8_t *buf; size_t bufcap;
    struct moo_ram *ram[2]; size_t ramcap[2];
    struct moo_cycle *cyc; size_t cyccap;
};

/* ------------------------------------------------------------------------ */
/* helpers */

static void ferr(struct moo_file *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->errmsg, sizeof f->errmsg, fmt, ap);
    va_end(ap);
    f->failed = true;
}

static void copy_err(const struct moo_file *f, char *err, size_t errlen)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", f->errmsg);
}

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

/* Printable rendering of a 4-byte tag (for messages). */
static const char *tagstr(const uint8_t *tag, char out[5])
{
    for (int i = 0; i < 4; i++)
        out[i] = (tag[i] >= 0x20 && tag[i] < 0x7f) ? (char)tag[i] : '?';
    out[4] = '\0';
    return out;
}

static bool tageq(const uint8_t *tag, const char *name) { return memcmp(tag, name, 4) == 0; }

static unsigned popcount32(uint32_t v)
{
    unsigned n = 0;
    while (v) {
        v &= v - 1;
        n++;
    }
    return n;
}

/* Ensure *p holds at least need elements of elsz bytes (realloc only). */
static bool grow(struct moo_file *f, void **p, size_t *cap, size_t need, size_t elsz)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap = (ncap > SIZE_MAX / 2) ? need : ncap * 2;
    if (ncap > SIZE_MAX / elsz) {
        ferr(f, "out of memory (%zu elements)", need);
        return false;
    }
    void *np = realloc(*p, ncap * elsz);
    if (!np) {
        ferr(f, "out of memory (%zu bytes)", ncap * elsz);
        return false;
    }
    *p = np;
    *cap = ncap;
    return true;
}

/* ------------------------------------------------------------------------ */
/* source: gzip/plain file or memory */

static void gz_fail(struct moo_file *f)
{
    int errnum = 0;
    const char *m = gzerror(f->gz, &errnum);
    if (errnum == Z_ERRNO)
        ferr(f, "read error at offset %llu: %s", (unsigned long long)f->pos, strerror(errno));
    else
        ferr(f, "decompression error at offset %llu: %s", (unsigned long long)f->pos,
             m ? m : "unknown zlib error");
}

/* Read up to n bytes. Returns the number read (less than n only at end of
 * stream) or -1 on error (message set). */
static long long src_read(struct moo_file *f, void *dst, size_t n)
{
    if (!f->gz) {
        size_t left = f->memlen - f->mempos;
        size_t take = n < left ? n : left;
        if (take)
            memcpy(dst, f->mem + f->mempos, take);
        f->mempos += take;
        f->pos += take;
        return (long long)take;
    }
    size_t got = 0;
    while (got < n) {
        size_t want = n - got;
        if (want > (1u << 30))
            want = 1u << 30;
        int r = gzread(f->gz, (uint8_t *)dst + got, (unsigned)want);
        if (r < 0) {
            gz_fail(f);
            return -1;
        }
        if (r == 0) {
            int errnum = 0;
            gzerror(f->gz, &errnum);
            if (errnum == Z_BUF_ERROR) {
                ferr(f, "truncated gzip stream (unexpected end of compressed data at offset %llu)",
                     (unsigned long long)(f->pos + got));
                return -1;
            }
            if (errnum != Z_OK) {
                gz_fail(f);
                return -1;
            }
            break;
        }
        got += (size_t)r;
    }
    f->pos += got;
    return (long long)got;
}

/* Read exactly n bytes of the payload of chunk `what`. */
static bool src_read_exact(struct moo_file *f, void *dst, size_t n, const char *what)
{
    uint64_t start = f->pos;
    long long r = src_read(f, dst, n);
    if (r < 0)
        return false;
    if ((size_t)r != n) {
        ferr(f, "truncated: %s chunk at offset %llu needs %zu bytes, stream ends after %lld",
             what, (unsigned long long)start, n, r);
        return false;
    }
    return true;
}

static bool src_skip(struct moo_file *f, uint64_t n, const char *what)
{
    if (!f->gz) {
        if (n > f->memlen - f->mempos) {
            ferr(f, "truncated: %s chunk at offset %llu extends %llu bytes past the end of data",
                 what, (unsigned long long)f->pos,
                 (unsigned long long)(n - (f->memlen - f->mempos)));
            return false;
        }
        f->mempos += (size_t)n;
        f->pos += n;
        return true;
    }
    uint8_t tmp[16384];
    while (n) {
        size_t want = n < sizeof tmp ? (size_t)n : sizeof tmp;
        if (!src_read_exact(f, tmp, want, what))
            return false;
        n -= want;
    }
    return true;
}

/* Read a chunk header. 1 = got one, 0 = clean end of stream, -1 = error. */
static int read_hdr(struct moo_file *f, uint8_t tag[4], uint32_t *len)
{
    uint8_t h[8];
    uint64_t start = f->pos;
    long long r = src_read(f, h, 8);
    if (r < 0)
        return -1;
    if (r == 0)
        return 0;
    if (r != 8) {
        ferr(f, "truncated chunk header at offset %llu (%lld of 8 bytes)", (unsigned long long)start, r);
        return -1;
    }
    memcpy(tag, h, 4);
    *len = rd32(h + 4);
    return 1;
}

/* Read the payload of a TEST chunk; returns a pointer to it (into the memory
 * image, or into f->buf grown as data actually arrives). */
static const uint8_t *read_test_payload(struct moo_file *f, uint32_t len)
{
    if (!f->gz) {
        if (len > f->memlen - f->mempos) {
            ferr(f, "truncated: TEST chunk at offset %llu declares %u bytes, only %zu left",
                 (unsigned long long)f->pending_pos, len, f->memlen - f->mempos);
            return NULL;
        }
        const uint8_t *p = f->mem + f->mempos;
        f->mempos += len;
        f->pos += len;
        return p;
    }
    if (len == 0)
        return (const uint8_t *)"";
    /* Grow in steps so that a lying length in a short stream cannot make us
     * allocate the full amount up front. */
    size_t got = 0;
    while (got < len) {
        size_t step = f->bufcap > got ? f->bufcap : (got < 65536 ? 65536 : got * 2);
        if (step > len)
            step = len;
        if (!grow(f, (void **)&f->buf, &f->bufcap, step, 1))
            return NULL;
        long long r = src_read(f, f->buf + got, step - got);
        if (r < 0)
            return NULL;
        got += (size_t)r;
        if (got < step) {
            ferr(f, "truncated: TEST chunk at offset %llu declares %u bytes, stream ends after %zu",
                 (unsigned long long)f->pending_pos, len, got);
            return NULL;
        }
    }
    return f->buf;
}

/* ------------------------------------------------------------------------ */
/* chunk payload parsers (in memory, bounds-checked) */

struct tctx {
    struct moo_file *f;
    uint32_t ordinal;
};

static void terr(struct tctx *c, const char *fmt, ...)
{
    char msg[ERRMSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ferr(c->f, "test %u: %s", c->ordinal, msg);
}

/* REGS/RG32/RMSK/RM32 payload -> regs. `wide` selects u32 layout. */
static bool parse_regs(const uint8_t *p, uint32_t len, bool wide, struct moo_regs *out,
                       const char *what, char *msg, size_t msglen)
{
    unsigned w = wide ? 4 : 2;
    uint32_t all = wide ? MOO_R32_ALL : MOO_R16_ALL;
    memset(out, 0, sizeof *out);
    if (len < w) {
        snprintf(msg, msglen, "%s chunk too short (%u bytes)", what, len);
        return false;
    }
    uint32_t mask = wide ? rd32(p) : rd16(p);
    if (mask & ~all) {
        snprintf(msg, msglen, "%s presence mask 0x%x has undefined bits 0x%x", what, mask, mask & ~all);
        return false;
    }
    uint64_t need = (uint64_t)w * (1 + popcount32(mask));
    if (need > len) {
        snprintf(msg, msglen, "%s presence mask 0x%x needs %llu bytes, chunk has %u", what, mask,
                 (unsigned long long)need, len);
        return false;
    }
    const uint8_t *v = p + w;
    for (unsigned i = 0; i < MOO_R32_COUNT; i++) {
        if (!(mask & (1u << i)))
            continue;
        out->v[i] = wide ? rd32(v) : rd16(v);
        v += w;
    }
    out->present = mask;
    return true;
}

/* Check a u32 element count at the start of a payload: count*elsz + 4 <= len. */
static bool check_count(struct tctx *c, const uint8_t *p, uint32_t len, uint32_t elsz,
                        const char *what, const char *where, uint32_t *count)
{
    if (len < 4) {
        terr(c, "%s chunk in %s too short (%u bytes)", what, where, len);
        return false;
    }
    uint32_t n = rd32(p);
    uint64_t need = 4 + (uint64_t)n * elsz;
    if (need > len) {
        terr(c, "%s count %u in %s needs %llu bytes, chunk has %u", what, n, where,
             (unsigned long long)need, len);
        return false;
    }
    *count = n;
    return true;
}

/* INIT / FINA container. slot 0 = INIT buffers, 1 = FINA buffers. */
static bool parse_state(struct tctx *c, const uint8_t *p, uint32_t len, int slot,
                        struct moo_state *st, struct moo_test *t)
{
    struct moo_file *f = c->f;
    const char *where = slot == 0 ? "INIT" : "FINA";
    bool seen_regs = false, seen_mask = false, seen_ram = false, seen_queue = false, seen_ea = false;
    uint32_t off = 0;
    char ts[5];

    while (off < len) {
        if (len - off < 8) {
            terr(c, "truncated sub-chunk header in %s (%u bytes left)", where, len - off);
            return false;
        }
        const uint8_t *tag = p + off;
        uint32_t cl = rd32(p + off + 4);
        if (cl > len - off - 8) {
            terr(c, "'%s' chunk in %s overruns its container (length %u, %u bytes left)",
                 tagstr(tag, ts), where, cl, len - off - 8);
            return false;
        }
        const uint8_t *q = p + off + 8;

        bool is_regs = tageq(tag, "REGS"), is_rg32 = tageq(tag, "RG32");
        bool is_rmsk = tageq(tag, "RMSK"), is_rm32 = tageq(tag, "RM32");
        if (is_regs || is_rg32 || is_rmsk || is_rm32) {
            bool wide = is_rg32 || is_rm32;
            bool is_mask = is_rmsk || is_rm32;
            tagstr(tag, ts);
            if (wide != f->is32) {
                terr(c, "%s chunk in %s of a %d-bit (%s) file", ts, where, f->is32 ? 32 : 16, f->cpu);
                return false;
            }
            bool *seen = is_mask ? &seen_mask : &seen_regs;
            if (*seen) {
                terr(c, "duplicate %s chunk in %s", ts, where);
                return false;
            }
            *seen = true;
            char msg[ERRMSG_LEN];
            if (!parse_regs(q, cl, wide, is_mask ? &st->mask : &st->regs, ts, msg, sizeof msg)) {
                terr(c, "%s: %s", where, msg);
                return false;
            }
        } else if (tageq(tag, "RAM ")) {
            uint32_t n;
            if (seen_ram) {
                terr(c, "duplicate RAM chunk in %s", where);
                return false;
            }
            seen_ram = true;
            if (!check_count(c, q, cl, 5, "RAM", where, &n))
                return false;
            if (!grow(f, (void **)&f->ram[slot], &f->ramcap[slot], n ? n : 1, sizeof(struct moo_ram)))
                return false;
            struct moo_ram *r = f->ram[slot];
            for (uint32_t i = 0; i < n; i++) {
                r[i].addr = rd32(q + 4 + 5 * (size_t)i);
                r[i].val = q[4 + 5 * (size_t)i + 4];
            }
            st->ram = r;
            st->nram = n;
        } else if (tageq(tag, "QUEU")) {
            uint32_t n;
            if (seen_queue) {
                terr(c, "duplicate QUEU chunk in %s", where);
                return false;
            }
            seen_queue = true;
            if (!check_count(c, q, cl, 1, "QUEU", where, &n))
                return false;
            if (n > MOO_MAX_QUEUE) {
                terr(c, "QUEU count %u in %s exceeds %u", n, where, MOO_MAX_QUEUE);
                return false;
            }
            memcpy(st->queue, q + 4, n);
            st->nqueue = n;
        } else if (slot == 0 && tageq(tag, "EA32")) {
            if (seen_ea) {
                terr(c, "duplicate EA32 chunk in INIT");
                return false;
            }
            seen_ea = true;
            if (cl < 23) {
                terr(c, "EA32 chunk too short (%u bytes, need 23)", cl);
                return false;
            }
            t->has_ea = true;
            t->ea.seg = q[0];
            t->ea.selector = rd16(q + 1);
            t->ea.base = rd32(q + 3);
            t->ea.limit = rd32(q + 7);
            t->ea.offset = rd32(q + 11);
            t->ea.linear = rd32(q + 15);
            t->ea.physical = rd32(q + 19);
        }
        /* anything else: unknown (or reserved: DC32, REGX) -> skipped by length */
        off += 8 + cl;
    }
    if (slot == 0 && !seen_regs) {
        terr(c, "INIT has no %s chunk", f->is32 ? "RG32" : "REGS");
        return false;
    }
    return true;
}

static bool parse_test(struct moo_file *f, const uint8_t *p, uint32_t len, struct moo_test *t)
{
    struct tctx c = { f, f->ntests };
    bool seen_name = false, seen_byts = false, seen_init = false, seen_fina = false;
    bool seen_cycl = false, seen_excp = false, seen_hash = false;
    uint32_t hash_off = 0;
    char ts[5];

    memset(t, 0, sizeof *t);
    t->ordinal = f->ntests;
    if (len < 4) {
        terr(&c, "TEST chunk too short (%u bytes)", len);
        return false;
    }
    t->index = rd32(p);

    uint32_t off = 4;
    while (off < len) {
        if (len - off < 8) {
            terr(&c, "truncated sub-chunk header in TEST (%u bytes left)", len - off);
            return false;
        }
        const uint8_t *tag = p + off;
        uint32_t cl = rd32(p + off + 4);
        if (cl > len - off - 8) {
            terr(&c, "'%s' chunk overruns its TEST container (length %u, %u bytes left)",
                 tagstr(tag, ts), cl, len - off - 8);
            return false;
        }
        const uint8_t *q = p + off + 8;
        bool *seen = NULL;
        if (tageq(tag, "NAME")) seen = &seen_name;
        else if (tageq(tag, "BYTS")) seen = &seen_byts;
        else if (tageq(tag, "INIT")) seen = &seen_init;
        else if (tageq(tag, "FINA")) seen = &seen_fina;
        else if (tageq(tag, "CYCL")) seen = &seen_cycl;
        else if (tageq(tag, "EXCP")) seen = &seen_excp;
        else if (tageq(tag, "HASH")) seen = &seen_hash;
        if (seen) {
            if (*seen) {
                terr(&c, "duplicate %s chunk in TEST", tagstr(tag, ts));
                return false;
            }
            *seen = true;
        }

        if (tageq(tag, "NAME")) {
            uint32_t n;
            if (!check_count(&c, q, cl, 1, "NAME", "TEST", &n))
                return false;
            uint32_t keep = n < MOO_NAME_MAX - 1 ? n : MOO_NAME_MAX - 1;
            for (uint32_t i = 0; i < keep; i++) {
                uint8_t ch = q[4 + i];
                t->name[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
            }
            t->name[keep] = '\0';
            t->name_truncated = keep < n;
        } else if (tageq(tag, "BYTS")) {
            uint32_t n;
            if (!check_count(&c, q, cl, 1, "BYTS", "TEST", &n))
                return false;
            if (n > MOO_MAX_BYTES) {
                terr(&c, "BYTS count %u exceeds %u", n, MOO_MAX_BYTES);
                return false;
            }
            memcpy(t->bytes, q + 4, n);
            t->nbytes = n;
        } else if (tageq(tag, "INIT")) {
            if (!parse_state(&c, q, cl, 0, &t->init, t))
                return false;
        } else if (tageq(tag, "FINA")) {
            if (!parse_state(&c, q, cl, 1, &t->fina, t))
                return false;
        } else if (tageq(tag, "CYCL")) {
            uint32_t n;
            if (!check_count(&c, q, cl, 15, "CYCL", "TEST", &n))
                return false;
            if (!grow(f, (void **)&f->cyc, &f->cyccap, n ? n : 1, sizeof(struct moo_cycle)))
                return false;
            for (uint32_t i = 0; i < n; i++) {
                const uint8_t *r = q + 4 + 15 * (size_t)i;
                struct moo_cycle *cy = &f->cyc[i];
                cy->pins0 = r[0];
                cy->addr = rd32(r + 1);
                cy->seg = r[5];
                cy->mem = r[6];
                cy->io = r[7];
                cy->pins1 = r[8];
                cy->data = rd16(r + 9);
                cy->status = r[11];
                cy->tstate = r[12];
                cy->qop = r[13];
                cy->qbyte = r[14];
            }
            t->cycles = f->cyc;
            t->ncycles = n;
        } else if (tageq(tag, "EXCP")) {
            if (cl < 5) {
                terr(&c, "EXCP chunk too short (%u bytes, need 5)", cl);
                return false;
            }
            t->has_excp = true;
            t->excp_vector = q[0];
            t->excp_flags_addr = rd32(q + 1);
        } else if (tageq(tag, "HASH")) {
            if (cl < 20) {
                terr(&c, "HASH chunk too short (%u bytes, need 20)", cl);
                return false;
            }
            memcpy(t->hash, q, 20);
            sha1_to_hex(t->hash, t->hash_hex);
            hash_off = off;
        }
        /* GMET and unknown tags: skipped by length */
        off += 8 + cl;
    }

    if (!seen_init) { terr(&c, "TEST has no INIT chunk"); return false; }
    if (!seen_fina) { terr(&c, "TEST has no FINA chunk"); return false; }
    if (!seen_hash) { terr(&c, "TEST has no HASH chunk"); return false; }

    if (f->verify_hash) {
        uint8_t dig[20];
        sha1(p, hash_off, dig);
        if (memcmp(dig, t->hash, 20) != 0) {
            char hex[41];
            sha1_to_hex(dig, hex);
            terr(&c, "HASH mismatch (stored %s, computed %s)", t->hash_hex, hex);
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* top level */

static bool parse_top_mask(struct moo_file *f, const uint8_t *tag, uint32_t len)
{
    uint8_t tmp[4 + 4 * MOO_R32_COUNT];
    char ts[5], msg[ERRMSG_LEN];
    uint64_t at = f->pos - 8;
    bool wide = tageq(tag, "RM32");
    tagstr(tag, ts);
    if (wide != f->is32) {
        ferr(f, "top-level %s chunk at offset %llu in a %d-bit (%s) file", ts, (unsigned long long)at,
             f->is32 ? 32 : 16, f->cpu);
        return false;
    }
    if (f->have_fmask) {
        ferr(f, "duplicate top-level mask chunk (%s) at offset %llu", ts, (unsigned long long)at);
        return false;
    }
    uint32_t take = len < sizeof tmp ? len : (uint32_t)sizeof tmp;
    if (!src_read_exact(f, tmp, take, ts) || !src_skip(f, len - take, ts))
        return false;
    if (!parse_regs(tmp, take, wide, &f->fmask, ts, msg, sizeof msg)) {
        ferr(f, "top-level %s", msg);
        return false;
    }
    f->have_fmask = true;
    return true;
}

static bool parse_meta(struct moo_file *f, uint32_t len)
{
    uint8_t m[31];
    if (len < sizeof m) {
        ferr(f, "META chunk too short (%u bytes, need 31)", len);
        return false;
    }
    if (!src_read_exact(f, m, sizeof m, "META") || !src_skip(f, len - sizeof m, "META"))
        return false;
    struct moo_info *in = &f->info;
    in->has_meta = true;
    in->suite_major = m[0];
    in->suite_minor = m[1];
    in->cpu_model = m[2];
    in->opcode = rd32(m + 3);
    int n = 0;
    for (int i = 0; i < 8; i++)
        in->mnemonic[i] = (m[7 + i] >= 0x20 && m[7 + i] < 0x7f) ? (char)m[7 + i] : '?';
    for (n = 8; n > 0 && in->mnemonic[n - 1] == ' '; n--)
        ;
    in->mnemonic[n] = '\0';
    in->meta_test_count = rd32(m + 15);
    in->seed = rd64(m + 19);
    in->cpu_mode = m[27];
    in->group_ext = m[28];
    return true;
}

/* Consume top-level chunks until a TEST header (-> pending) or end of stream. */
static bool advance(struct moo_file *f)
{
    while (!f->pending && !f->eof) {
        uint8_t tag[4];
        uint32_t len;
        char ts[5];
        int r = read_hdr(f, tag, &len);
        if (r < 0)
            return false;
        if (r == 0) {
            f->eof = true;
            break;
        }
        if (tageq(tag, "TEST")) {
            if (len > MOO_MAX_TEST_PAYLOAD) {
                ferr(f, "TEST chunk at offset %llu too large (%u bytes, limit %u)",
                     (unsigned long long)(f->pos - 8), len, MOO_MAX_TEST_PAYLOAD);
                return false;
            }
            f->pending = true;
            f->pending_len = len;
            f->pending_pos = f->pos - 8;
        } else if (tageq(tag, "MOO ")) {
            ferr(f, "second 'MOO ' header chunk at offset %llu", (unsigned long long)(f->pos - 8));
            return false;
        } else if (tageq(tag, "META")) {
            if (!parse_meta(f, len))
                return false;
        } else if (tageq(tag, "RMSK") || tageq(tag, "RM32")) {
            if (!parse_top_mask(f, tag, len))
                return false;
        } else if (!src_skip(f, len, tagstr(tag, ts))) {
            return false;
        }
    }
    return true;
}

static struct moo_file *open_common(struct moo_file *f, char *err, size_t errlen)
{
    uint8_t tag[4], h[12];
    uint32_t len;
    char ts[5];
    int r = read_hdr(f, tag, &len);
    if (r == 0)
        ferr(f, "empty file (no 'MOO ' header)");
    if (r <= 0)
        goto fail;
    if (!tageq(tag, "MOO ")) {
        ferr(f, "bad magic: expected 'MOO ' chunk, found '%s'", tagstr(tag, ts));
        goto fail;
    }
    if (len < 12) {
        ferr(f, "MOO header chunk too short (%u bytes, need 12)", len);
        goto fail;
    }
    if (!src_read_exact(f, h, 12, "MOO ") || !src_skip(f, len - 12, "MOO "))
        goto fail;
    f->info.version_major = h[0];
    f->info.version_minor = h[1];
    if (h[0] != 1) {
        ferr(f, "unsupported MOO format version %u.%u", h[0], h[1]);
        goto fail;
    }
    f->count = rd32(h + 4);
    int n;
    for (int i = 0; i < 4; i++)
        f->cpu[i] = (h[8 + i] >= 0x20 && h[8 + i] < 0x7f) ? (char)h[8 + i] : '?';
    for (n = 4; n > 0 && f->cpu[n - 1] == ' '; n--)
        ;
    f->cpu[n] = '\0';
    if (n == 0) {
        ferr(f, "empty CPU id in MOO header");
        goto fail;
    }
    f->is32 = strncmp(f->cpu, "386", 3) == 0;
    if (!advance(f))
        goto fail;
    return f;
fail:
    copy_err(f, err, errlen);
    moo_close(f);
    return NULL;
}

struct moo_file *moo_open(const char *path, char *err, size_t errlen)
{
    if (!path) {
        set_err(err, errlen, "no path given");
        return NULL;
    }
    struct moo_file *f = calloc(1, sizeof *f);
    if (!f) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    f->verify_hash = true;
    errno = 0;
    f->gz = gzopen(path, "rb");
    if (!f->gz) {
        if (err && errlen)
            snprintf(err, errlen, "cannot open: %s", errno ? strerror(errno) : "out of memory");
        free(f);
        return NULL;
    }
    gzbuffer(f->gz, 128 * 1024);
    return open_common(f, err, errlen);
}

struct moo_file *moo_open_mem(const void *data, size_t len, char *err, size_t errlen)
{
    if (!data && len) {
        set_err(err, errlen, "no data given");
        return NULL;
    }
    struct moo_file *f = calloc(1, sizeof *f);
    if (!f) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    f->verify_hash = true;
    f->mem = data ? data : (const void *)"";
    f->memlen = len;
    return open_common(f, err, errlen);
}

const char *moo_cpu_id(const struct moo_file *f) { return f->cpu; }
bool moo_is_32bit(const struct moo_file *f) { return f->is32; }
uint32_t moo_test_count(const struct moo_file *f) { return f->count; }
const struct moo_regs *moo_file_mask(const struct moo_file *f) { return &f->fmask; }
const struct moo_info *moo_file_info(const struct moo_file *f) { return &f->info; }
void moo_set_verify_hash(struct moo_file *f, bool on) { f->verify_hash = on; }

int moo_next(struct moo_file *f, struct moo_test *t, char *err, size_t errlen)
{
    if (!f || !t) {
        set_err(err, errlen, "moo_next: null argument");
        return -1;
    }
    if (f->failed)
        goto fail;
    if (f->done)
        return 0;
    if (!advance(f))
        goto fail;
    if (f->ntests == f->count) {
        if (f->pending) {
            ferr(f, "more TEST chunks than the header count %u (extra one at offset %llu)", f->count,
                 (unsigned long long)f->pending_pos);
            goto fail;
        }
        f->done = true;
        return 0;
    }
    if (!f->pending) {
        ferr(f, "truncated: file ends after %u of %u tests", f->ntests, f->count);
        goto fail;
    }
    f->pending = false;
    const uint8_t *p = read_test_payload(f, f->pending_len);
    if (!p || !parse_test(f, p, f->pending_len, t))
        goto fail;
    f->ntests++;
    return 1;
fail:
    f->failed = true;
    copy_err(f, err, errlen);
    return -1;
}

void moo_close(struct moo_file *f)
{
    if (!f)
        return;
    if (f->gz)
        gzclose(f->gz);
    free(f->buf);
    free(f->ram[0]);
    free(f->ram[1]);
    free(f->cyc);
    free(f);
}
