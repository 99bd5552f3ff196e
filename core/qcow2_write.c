/* qcow2: writing — refcounts, cluster allocation, copy-on-write of a cluster written in
 * part, and the ordered flush that keeps the image consistent across a crash (core/qcow2.h
 * gives the order and why). */
#include "core/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ALLOC_SKIP_MAX (1u << 16) /* clusters past the file's end found in use, at most */
#define FREES_MAX 1024u           /* entries waiting to be counted down before a flush */
#define HOST_MAX (1ull << 56)     /* L2 entries hold offsets below 2^56 */

/* ---- refcounts ---- */

/* The refcount block slot and index of host cluster at off; *slot NULL: no block yet. */
static int refblock_of(struct disk *d, uint64_t off, struct q2_slot **slot, uint64_t *idx)
{
    struct qcow2 *q = d->qcow2;
    uint64_t ci = off >> q->cluster_bits;
    uint64_t ti = ci >> q->rb_bits;
    *slot = NULL;
    *idx = ci & ((1ull << q->rb_bits) - 1);
    if (ti >= q->rt_entries)
        return 0;
    uint64_t b = q->rt[ti] & ~511ull;
    if (!b)
        return 0;
    if (b & (q->cs - 1)) {
        errno = EIO;
        return -1;
    }
    *slot = q2_cache(d, b, true, false);
    return *slot ? 0 : -1;
}

/* Entries are 2^refcount_order bits: big-endian bytes from 8 bits up, packed from the
 * lowest bit of each byte below. */
static uint64_t get_entry(const struct qcow2 *q, const uint8_t *blk, uint64_t i)
{
    unsigned bits = 1u << q->refcount_order;
    if (bits < 8)
        return blk[i * bits / 8] >> (i * bits % 8) & ((1u << bits) - 1);
    uint64_t v = 0;
    for (unsigned b = 0; b < bits / 8; b++)
        v = v << 8 | blk[i * (bits / 8) + b];
    return v;
}

static void set_entry(const struct qcow2 *q, uint8_t *blk, uint64_t i, uint64_t v)
{
    unsigned bits = 1u << q->refcount_order;
    if (bits < 8) {
        unsigned shift = (unsigned)(i * bits % 8), mask = ((1u << bits) - 1) << shift;
        uint8_t *p = &blk[i * bits / 8];
        *p = (uint8_t)((*p & ~mask) | ((unsigned)v << shift & mask));
        return;
    }
    for (int b = (int)(bits / 8) - 1; b >= 0; b--, v >>= 8)
        blk[i * (bits / 8) + (unsigned)b] = (uint8_t)v;
}

static int get_refcount(struct disk *d, uint64_t off, uint64_t *rc)
{
    struct q2_slot *s;
    uint64_t i;
    if (refblock_of(d, off, &s, &i))
        return -1;
    *rc = s ? get_entry(d->qcow2, s->data, i) : 0;
    return 0;
}

static int set_refcount(struct disk *d, uint64_t off, uint64_t v, unsigned depth);
static int write_slots(struct disk *d, bool refblocks);
static int write_table(struct disk *d, const uint64_t *t, uint64_t n, uint64_t at);

/* The refcount table is full (entry ti is past it): a table twice as large (or more) at
 * the end of the file. Everything else is flushed first; the new table, its clusters
 * counted, is made durable before the header names it, and the old one is counted down
 * after (a crash in between leaks it). */
static int grow_table(struct disk *d, uint64_t ti, unsigned depth)
{
    struct qcow2 *q = d->qcow2;
    uint64_t n = q->rt_entries * 2;
    while (n <= ti + 64)
        n *= 2;
    uint64_t clusters = (n * 8 + q->cs - 1) >> q->cluster_bits;
    n = (clusters << q->cluster_bits) / 8;
    if (n * 8 > Q2_RT_MAX || q->host_end + (clusters << q->cluster_bits) >= HOST_MAX) {
        errno = EFBIG;
        return -1;
    }
    if (q2_flush(d))
        return -1;
    uint64_t *rt = realloc(q->rt, n * 8);
    if (!rt) {
        errno = ENOMEM;
        return -1;
    }
    memset(rt + q->rt_entries, 0, (n - q->rt_entries) * 8);
    uint64_t old = q->rt_offset, old_clusters = q->rt_entries * 8 >> q->cluster_bits;
    q->rt = rt;
    q->rt_entries = n;
    q->rt_offset = q->host_end;
    q->host_end += clusters << q->cluster_bits;
    for (uint64_t i = 0; i < clusters; i++)
        if (set_refcount(d, q->rt_offset + (i << q->cluster_bits), 1, depth + 1))
            return -1;
    uint8_t head[12];
    q2_put_be64(head, q->rt_offset);
    for (int i = 0; i < 4; i++)
        head[8 + i] = (uint8_t)(clusters >> (24 - 8 * i));
    if (disk_fdatasync(d->fd) || write_slots(d, true) || disk_fdatasync(d->fd) ||
        write_table(d, q->rt, n, q->rt_offset) || disk_fdatasync(d->fd) ||
        q2_pwrite(d, head, sizeof head, 48) || disk_fdatasync(d->fd))
        return -1;
    q->rt_dirty = false;
    for (uint64_t i = 0; i < old_clusters; i++) {
        uint64_t c = old + (i << q->cluster_bits), rc;
        if (get_refcount(d, c, &rc) || (rc && set_refcount(d, c, rc - 1, depth + 1)))
            return -1;
    }
    return 0;
}

static int set_refcount(struct disk *d, uint64_t off, uint64_t v, unsigned depth)
{
    struct qcow2 *q = d->qcow2;
    uint64_t ti = (off >> q->cluster_bits) >> q->rb_bits;
    if (depth > 8) {
        errno = EIO;
        return -1;
    }
    if (ti >= q->rt_entries && grow_table(d, ti, depth))
        return -1;
    if (!q->rt[ti]) { /* a new refcount block, at the end, counting itself if it can */
        uint64_t b = q->host_end;
        if (b >= HOST_MAX) {
            errno = EFBIG;
            return -1;
        }
        if (!q2_cache(d, b, true, true))
            return -1;
        q->host_end += q->cs;
        q->rt[ti] = b;
        q->rt_dirty = true;
        if (set_refcount(d, b, 1, depth + 1))
            return -1;
    }
    struct q2_slot *s;
    uint64_t i;
    if (refblock_of(d, off, &s, &i))
        return -1;
    unsigned bits = 1u << q->refcount_order;
    if (!s || (bits < 64 && v >> bits)) {
        errno = EIO;
        return -1;
    }
    set_entry(q, s->data, i, v);
    s->dirty = true;
    return 0;
}

/* A new host cluster at the end of the file, counted (in memory); 0 on failure. */
static uint64_t alloc_cluster(struct disk *d)
{
    struct qcow2 *q = d->qcow2;
    for (unsigned tries = 0; tries < ALLOC_SKIP_MAX; tries++) {
        uint64_t off = q->host_end, rc;
        if (off >= HOST_MAX) {
            errno = EFBIG;
            return 0;
        }
        q->host_end += q->cs;
        if (get_refcount(d, off, &rc))
            return 0;
        if (rc) /* counted past the end of the file: leave it be */
            continue;
        return set_refcount(d, off, 1, 0) ? 0 : off;
    }
    errno = EIO;
    return 0;
}

/* ---- L2 entries ---- */

static int set_l2(struct disk *d, uint64_t vc, uint64_t e)
{
    struct qcow2 *q = d->qcow2;
    uint64_t i1 = vc >> q->l2_bits;
    if (i1 >= q->l1_size) {
        errno = EIO;
        return -1;
    }
    if (!(q->l1[i1] & Q2_OFFSET)) {
        uint64_t t = alloc_cluster(d);
        if (!t || !q2_cache(d, t, false, true))
            return -1;
        q->l1[i1] = t | Q2_COPIED;
        q->l1_dirty = true;
    }
    uint64_t l2 = q->l1[i1] & Q2_OFFSET;
    if (l2 & (q->cs - 1)) {
        errno = EIO;
        return -1;
    }
    struct q2_slot *s = q2_cache(d, l2, false, false);
    if (!s)
        return -1;
    q2_put_be64(s->data + 8 * (vc & ((1ull << q->l2_bits) - 1)), e);
    s->dirty = true;
    return 0;
}

/* Host clusters a compressed entry holds, counted down once no L2 entry names it. */
static int free_compressed(struct disk *d, uint64_t e)
{
    struct qcow2 *q = d->qcow2;
    unsigned x = 62 - (q->cluster_bits - 8);
    uint64_t off = e & ((1ull << x) - 1);
    uint64_t sectors = ((e >> x) & ((1ull << (q->cluster_bits - 8)) - 1)) + 1;
    uint64_t last = (off & ~511ull) + sectors * 512 - 1;
    for (uint64_t c = off & ~(q->cs - 1); c <= last; c += q->cs) {
        uint64_t rc;
        if (get_refcount(d, c, &rc))
            return -1;
        if (rc && set_refcount(d, c, rc - 1, 0))
            return -1;
    }
    return 0;
}

/* ---- writing ---- */

/* Before the first write: autoclear bits this writer does not keep (bitmaps) are cleared,
 * as the spec asks of a writer that does not know them. */
static int prepare(struct disk *d)
{
    struct qcow2 *q = d->qcow2;
    if (q->prepared)
        return 0;
    if (q->version >= 3 && q->autoclear) {
        uint8_t zero[8] = { 0 };
        if (q2_pwrite(d, zero, 8, 88) || disk_fdatasync(d->fd))
            return -1;
        q->autoclear = 0;
    }
    q->prepared = true;
    return 0;
}

static int write_cluster(struct disk *d, uint64_t vc, size_t in, const uint8_t *p, size_t k)
{
    struct qcow2 *q = d->qcow2;
    uint64_t e;
    if (q2_l2_entry(d, vc, &e))
        return -1;
    uint64_t host = e & Q2_OFFSET;
    bool compressed = e & Q2_COMPRESSED;
    bool zero = q->version >= 3 && (e & Q2_ZERO);
    if (!compressed && host && !zero) /* allocated: in place */
        return (host & (q->cs - 1)) ? (errno = EIO, -1) : q2_pwrite(d, p, k, host + in);
    if (compressed && q->nfrees == FREES_MAX && q2_flush(d))
        return -1;
    const uint8_t *src = p;
    if (k < q->cs) { /* the rest of the cluster as the guest saw it */
        if (q2_read_part(d, vc, e, 0, q->cbuf, q->cs))
            return -1;
        memcpy(q->cbuf + in, p, k);
        src = q->cbuf;
    }
    if (compressed || !host || (host & (q->cs - 1))) {
        host = alloc_cluster(d);
        if (!host)
            return -1;
    } /* else a zero cluster with its place kept (preallocated): written there */
    if (q2_pwrite(d, src, q->cs, host) || set_l2(d, vc, host | Q2_COPIED))
        return -1;
    if (compressed) {
        if (q->dbuf_for == e)
            q->dbuf_for = 0;
        q->frees[q->nfrees++] = e;
    }
    return 0;
}

int q2_write(struct disk *d, uint64_t offset, const void *buf, size_t n)
{
    struct qcow2 *q = d->qcow2;
    if (q->ro) {
        errno = EROFS;
        return -1;
    }
    if (!q->frees && !(q->frees = malloc(FREES_MAX * sizeof *q->frees))) {
        errno = ENOMEM;
        return -1;
    }
    if (prepare(d))
        return -1;
    q->unflushed = true;
    const uint8_t *p = buf;
    while (n) {
        uint64_t vc = offset >> q->cluster_bits;
        size_t in = (size_t)(offset & (q->cs - 1));
        size_t k = q->cs - in < n ? (size_t)(q->cs - in) : n;
        int r = write_cluster(d, vc, in, p, k);
        q->unflushed = true; /* again: a flush inside (the cache evicting) cleared it */
        if (r)
            return -1;
        p += k;
        offset += k;
        n -= k;
    }
    return 0;
}

/* ---- flush ---- */

static int write_slots(struct disk *d, bool refblocks)
{
    struct qcow2 *q = d->qcow2;
    for (unsigned i = 0; i < q->nslots; i++) {
        struct q2_slot *s = &q->slots[i];
        if (s->offset && s->dirty && s->refblock == refblocks) {
            if (q2_pwrite(d, s->data, q->cs, s->offset))
                return -1;
            s->dirty = false;
        }
    }
    return 0;
}

static int write_table(struct disk *d, const uint64_t *t, uint64_t n, uint64_t at)
{
    uint8_t buf[4096];
    for (uint64_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < sizeof buf / 8 && i < n; k++, i++)
            q2_put_be64(buf + 8 * k, t[i]);
        if (q2_pwrite(d, buf, 8 * k, at + 8 * (i - k)))
            return -1;
    }
    return 0;
}

/* The order (core/qcow2.h): data, refcounts, L2 tables, each made durable before the
 * next names it. */
static int flush_metadata(struct disk *d)
{
    struct qcow2 *q = d->qcow2;
    if (disk_fdatasync(d->fd) || write_slots(d, true))
        return -1;
    if (q->rt_dirty) {
        if (disk_fdatasync(d->fd) || write_table(d, q->rt, q->rt_entries, q->rt_offset))
            return -1;
        q->rt_dirty = false;
    }
    if (disk_fdatasync(d->fd) || write_slots(d, false))
        return -1;
    if (q->l1_dirty) {
        if (disk_fdatasync(d->fd) || write_table(d, q->l1, q->l1_size, q->l1_offset))
            return -1;
        q->l1_dirty = false;
    }
    return disk_fdatasync(d->fd);
}

/* Anything to write or sync: data written in place, or metadata changed. */
static bool has_work(const struct qcow2 *q)
{
    if (q->unflushed || q->l1_dirty || q->rt_dirty || q->nfrees)
        return true;
    for (unsigned i = 0; i < q->nslots; i++)
        if (q->slots[i].offset && q->slots[i].dirty)
            return true;
    return false;
}

int q2_flush(struct disk *d)
{
    struct qcow2 *q = d->qcow2;
    if (q->ro || !has_work(q))
        return 0;
    if (flush_metadata(d))
        return -1;
    if (!q->nfrees) {
        q->unflushed = false;
        return 0;
    }
    /* The entries that dropped these clusters are durable now: count them down (a flush
     * inside, when the cache evicts, finds the list empty), and make that durable too. */
    uint64_t frees[FREES_MAX];
    unsigned n = q->nfrees;
    memcpy(frees, q->frees, n * sizeof *frees);
    q->nfrees = 0;
    int r = 0;
    for (unsigned i = 0; !r && i < n; i++)
        r = free_compressed(d, frees[i]);
    if (r || flush_metadata(d))
        return -1;
    q->unflushed = false;
    return 0;
}
