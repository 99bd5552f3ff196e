/* qcow2: opening an image (its header checked as the hostile input it is), the cache of
 * metadata clusters and reading (core/qcow2.h says how the format works here). */
#include "core/qcow2.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <zlib.h>

#include "core/compiler.h"

#define V2_HEADER 72u
#define V3_HEADER 104u
#define L1_MAX (32u << 20)          /* bytes of L1 table kept in memory, at most */
#define CACHE_BYTES (4u << 20)      /* the metadata cache, about */
#define SIZE_MAX_BYTES (1ull << 55) /* the largest virtual disk */

/* Header extension types (qcow2 spec, "Header extensions"). */
#define EXT_END 0u
#define EXT_BACKING_FORMAT 0xe2792acau
#define EXT_FEATURES 0x6803f857u

/* Incompatible feature bits this reader knows. */
#define INCOMPAT_DIRTY 1ull
#define INCOMPAT_CORRUPT 2ull
#define INCOMPAT_DATA_FILE 4ull
#define INCOMPAT_COMPRESSION 8ull
#define INCOMPAT_EXTL2 16ull

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int bad(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int q2_pread(struct disk *d, void *buf, size_t n, uint64_t offset)
{
    return disk_transfer(d->fd, buf, n, offset, false);
}

int q2_pwrite(struct disk *d, const void *buf, size_t n, uint64_t offset)
{
    return disk_transfer(d->fd, (void *)buf, n, offset, true);
}

/* ---- the cache of L2 tables and refcount blocks ---- */

struct q2_slot *q2_cache(struct disk *d, uint64_t off, bool refblock, bool fresh)
{
    struct qcow2 *q = d->qcow2;
    struct q2_slot *victim = &q->slots[0];
    for (unsigned i = 0; i < q->nslots; i++) {
        struct q2_slot *s = &q->slots[i];
        if (s->offset == off && off) {
            if (s->refblock != refblock) { /* one cluster used as both: a damaged image */
                errno = EIO;
                return NULL;
            }
            s->used = ++q->tick;
            if (fresh) {
                memset(s->data, 0, q->cs);
                s->dirty = true;
            }
            return s;
        }
        if (s->used < victim->used)
            victim = s;
    }
    if (victim->dirty && q2_flush(d))
        return NULL;
    victim->offset = 0;
    victim->dirty = false;
    if (fresh)
        memset(victim->data, 0, q->cs);
    else if (q2_pread(d, victim->data, q->cs, off))
        return NULL;
    victim->offset = off;
    victim->dirty = fresh; /* a new table is written even before anything is put in it */
    victim->refblock = refblock;
    victim->used = ++q->tick;
    return victim;
}

/* ---- reading ---- */

int q2_l2_entry(struct disk *d, uint64_t vc, uint64_t *entry)
{
    struct qcow2 *q = d->qcow2;
    uint64_t i1 = vc >> q->l2_bits;
    *entry = 0;
    if (i1 >= q->l1_size)
        return 0;
    uint64_t l2 = q->l1[i1] & Q2_OFFSET;
    if (!l2)
        return 0;
    if (l2 & (q->cs - 1)) { /* an L2 table not on a cluster: a damaged image */
        errno = EIO;
        return -1;
    }
    struct q2_slot *s = q2_cache(d, l2, false, false);
    if (!s)
        return -1;
    *entry = q2_be64(s->data + 8 * (vc & ((1ull << q->l2_bits) - 1)));
    return 0;
}

/* A compressed cluster (its L2 entry e) inflated into q->dbuf. */
static int decompress(struct disk *d, uint64_t e)
{
    struct qcow2 *q = d->qcow2;
    if (q->dbuf_for == e)
        return 0;
    unsigned x = 62 - (q->cluster_bits - 8);
    uint64_t off = e & ((1ull << x) - 1);
    uint64_t sectors = ((e >> x) & ((1ull << (q->cluster_bits - 8)) - 1)) + 1;
    size_t n = (size_t)(sectors * 512 - (off & 511));
    /* The last compressed cluster may end before its last sector does: take what the file
     * has. */
    ssize_t got;
    do
        got = pread(d->fd, q->zbuf, n, (off_t)off);
    while (got < 0 && errno == EINTR);
    if (got <= 0) {
        errno = EIO;
        return -1;
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) {
        errno = ENOMEM;
        return -1;
    }
    z.next_in = q->zbuf;
    z.avail_in = (uInt)got;
    z.next_out = q->dbuf;
    z.avail_out = (uInt)q->cs;
    int r = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    q->dbuf_for = 0;
    if ((r != Z_STREAM_END && r != Z_BUF_ERROR && r != Z_OK) || z.avail_out != 0) {
        errno = EIO; /* damaged, or less than a cluster */
        return -1;
    }
    q->dbuf_for = e;
    return 0;
}

int q2_read_part(struct disk *d, uint64_t vc, uint64_t e, size_t in, uint8_t *buf, size_t n)
{
    struct qcow2 *q = d->qcow2;
    if (e & Q2_COMPRESSED) {
        if (decompress(d, e))
            return -1;
        memcpy(buf, q->dbuf + in, n);
        return 0;
    }
    if (q->version >= 3 && (e & Q2_ZERO)) {
        memset(buf, 0, n);
        return 0;
    }
    uint64_t host = e & Q2_OFFSET;
    if (host) {
        if (host & (q->cs - 1)) {
            errno = EIO;
            return -1;
        }
        return q2_pread(d, buf, n, host + in);
    }
    /* Absent: the backing file's bytes where it has them, zeroes past its end. */
    uint64_t at = (vc << q->cluster_bits) + in;
    size_t have = 0;
    if (q->backing && at < q->backing->size) {
        have = q->backing->size - at < n ? (size_t)(q->backing->size - at) : n;
        if (q->backing->format->read(q->backing, at, buf, have))
            return -1;
    }
    memset(buf + have, 0, n - have);
    return 0;
}

static int qcow2_read(struct disk *d, uint64_t offset, void *buf, size_t n)
{
    struct qcow2 *q = d->qcow2;
    uint8_t *p = buf;
    while (n) {
        uint64_t vc = offset >> q->cluster_bits;
        size_t in = (size_t)(offset & (q->cs - 1));
        size_t k = q->cs - in < n ? (size_t)(q->cs - in) : n;
        uint64_t e;
        if (q2_l2_entry(d, vc, &e) || q2_read_part(d, vc, e, in, p, k))
            return -1;
        p += k;
        offset += k;
        n -= k;
    }
    return 0;
}

static void qcow2_close(struct disk *d)
{
    struct qcow2 *q = d->qcow2;
    if (!q)
        return;
    if (q->backing) {
        disk_close(q->backing);
        free(q->backing);
    }
    if (q->slots)
        for (unsigned i = 0; i < q->nslots; i++)
            free(q->slots[i].data);
    free(q->slots);
    free(q->l1);
    free(q->rt);
    free(q->cbuf);
    free(q->dbuf);
    free(q->zbuf);
    free(q->frees);
    free(q);
    d->qcow2 = NULL;
}

static const struct disk_format qcow2_format = {
    .name = "qcow2", .read = qcow2_read, .write = q2_write, .flush = q2_flush,
    .close = qcow2_close,
};

/* ---- opening ---- */

/* The name the image's feature table gives an incompatible bit, or "". */
static const char *feature_name(const uint8_t *table, uint32_t len, unsigned bit,
                                char *name, size_t cap)
{
    name[0] = '\0';
    for (uint32_t i = 0; table && i + 48 <= len; i += 48) {
        if (table[i] == 0 && table[i + 1] == bit) {
            size_t n = strnlen((const char *)table + i + 2, 46);
            snprintf(name, cap, " (%.*s)", (int)(n < cap - 4 ? n : cap - 4),
                     (const char *)table + i + 2);
            for (char *c = name; *c; c++)
                if ((unsigned char)*c < 32 || (unsigned char)*c > 126)
                    *c = '?';
            return name;
        }
    }
    /* The spec's names, for an image without a feature table. */
    if (bit == 2)
        snprintf(name, cap, " (external data file)");
    else if (bit == 4)
        snprintf(name, cap, " (extended L2 entries)");
    return name;
}

/* Reads the whole first cluster's worth of header, checks it and fills q. */
static int read_header(struct disk *d, struct qcow2 *q, const uint8_t *h, uint64_t fsize,
                       bool ro, const char *path, char *err, size_t errlen)
{
    const char *w = d->what;
    uint64_t incompat = 0;
    uint32_t hlen = V2_HEADER;
    if (q->version == 3) {
        incompat = q2_be64(h + 72);
        q->autoclear = q2_be64(h + 88);
        q->refcount_order = be32(h + 96);
        hlen = be32(h + 100);
        if (hlen < V3_HEADER || hlen % 8 || hlen > q->cs || hlen > fsize)
            return bad(err, errlen, "%s: a qcow2 header length of %u is out of range; the "
                       "image is damaged (qemu-img check)", w, hlen);
        if (hlen > V3_HEADER && h[104] != 0)
            return bad(err, errlen, "%s: the image is compressed with zstd (compression "
                       "type %u); orrery reads zlib: qemu-img convert -O qcow2 it", w, h[104]);
    } else {
        q->refcount_order = 4;
    }
    uint64_t size = q2_be64(h + 24);
    if (size == 0 || size % DISK_SECTOR || size > SIZE_MAX_BYTES)
        return bad(err, errlen, "%s: a virtual size of %llu bytes is not a whole number of "
                   "512-byte sectors up to 2^55; the image is damaged", w,
                   (unsigned long long)size);
    if (be32(h + 32) != 0)
        return bad(err, errlen, "%s: the image is encrypted (method %u); orrery reads "
                   "unencrypted images: qemu-img convert -O qcow2 it to a plain one", w,
                   be32(h + 32));
    if (q->refcount_order > 6)
        return bad(err, errlen, "%s: refcount_order %u is out of range (0-6); the image is "
                   "damaged", w, q->refcount_order);

    /* Header extensions, up to the end of the first cluster. */
    const uint8_t *features = NULL;
    uint32_t features_len = 0;
    char backing_format[32] = "";
    uint64_t at = hlen, end = q->cs < fsize ? q->cs : fsize;
    while (at + 8 <= end) {
        uint32_t type = be32(h + at), len = be32(h + at + 4);
        if (type == EXT_END)
            break;
        if (len > end - at - 8)
            return bad(err, errlen, "%s: a header extension runs past the first cluster; the "
                       "image is damaged", w);
        if (type == EXT_FEATURES) {
            features = h + at + 8;
            features_len = len;
        } else if (type == EXT_BACKING_FORMAT) {
            if (len >= sizeof backing_format)
                return bad(err, errlen, "%s: the backing format's name is too long; give "
                           "raw or qcow2 (qemu-img rebase -F)", w);
            memcpy(backing_format, h + at + 8, len);
            backing_format[len] = '\0';
        }
        at += 8 + ((uint64_t)len + 7) / 8 * 8;
    }

    uint64_t unknown = incompat & ~(INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_COMPRESSION);
    if (unknown) {
        unsigned bit = 0;
        while (!(unknown >> bit & 1))
            bit++;
        char name[64];
        return bad(err, errlen, "%s: the image needs incompatible feature bit %u%s, which "
                   "orrery does not support; qemu-img convert -O qcow2 it to a plain image",
                   w, bit, feature_name(features, features_len, bit, name, sizeof name));
    }
    if (!ro && (incompat & INCOMPAT_CORRUPT))
        return bad(err, errlen, "%s: the image is marked corrupt; repair it (qemu-img check "
                   "-r all) or give -snapshot", w);
    if (!ro && (incompat & INCOMPAT_DIRTY))
        return bad(err, errlen, "%s: the image is marked dirty (its refcounts may be stale "
                   "after a crash); repair it (qemu-img check -r all) or give -snapshot", w);
    if (!ro && be32(h + 60) != 0)
        return bad(err, errlen, "%s: the image has %u internal snapshots, which orrery does "
                   "not write; give -snapshot, or delete them (qemu-img snapshot -d)", w,
                   be32(h + 60));

    /* The L1 table. */
    uint64_t l2_span = 1ull << (q->cluster_bits + q->l2_bits);
    uint64_t need = (size + l2_span - 1) / l2_span;
    q->l1_size = be32(h + 36);
    q->l1_offset = q2_be64(h + 40);
    if (q->l1_size < need || (uint64_t)q->l1_size * 8 > L1_MAX ||
        q->l1_offset % q->cs || q->l1_offset == 0 ||
        q->l1_offset > fsize || (uint64_t)q->l1_size * 8 > fsize - q->l1_offset)
        return bad(err, errlen, "%s: the L1 table (%u entries at %llu) is out of range for "
                   "a %llu-byte disk in a %llu-byte file; the image is damaged or cut short",
                   w, q->l1_size, (unsigned long long)q->l1_offset, (unsigned long long)size,
                   (unsigned long long)fsize);
    /* The refcount table. */
    uint32_t rt_clusters = be32(h + 56);
    q->rt_offset = q2_be64(h + 48);
    uint64_t rt_bytes = (uint64_t)rt_clusters << q->cluster_bits;
    if (rt_clusters == 0 || rt_bytes > Q2_RT_MAX || q->rt_offset % q->cs || q->rt_offset == 0 ||
        q->rt_offset > fsize || rt_bytes > fsize - q->rt_offset + q->cs)
        return bad(err, errlen, "%s: the refcount table (%u clusters at %llu) is out of "
                   "range in a %llu-byte file; the image is damaged or cut short", w,
                   rt_clusters, (unsigned long long)q->rt_offset, (unsigned long long)fsize);
    q->rt_entries = rt_bytes / 8;
    q->rb_bits = q->cluster_bits + 3 - q->refcount_order;
    d->size = size;

    q->l1 = calloc(q->l1_size ? q->l1_size : 1, 8);
    q->rt = calloc(q->rt_entries, 8);
    if (!q->l1 || !q->rt)
        return bad(err, errlen, "%s: out of memory for the image's tables", w);
    uint8_t *raw = malloc(rt_bytes > (uint64_t)q->l1_size * 8 ? rt_bytes
                                                                : (uint64_t)q->l1_size * 8 + 1);
    if (!raw)
        return bad(err, errlen, "%s: out of memory for the image's tables", w);
    int r = q2_pread(d, raw, (size_t)q->l1_size * 8, q->l1_offset);
    for (uint32_t i = 0; !r && i < q->l1_size; i++)
        q->l1[i] = q2_be64(raw + 8 * i);
    /* The refcount table may end in a cluster the file has only in part (sparse): read
     * what there is. */
    uint64_t rt_have = fsize - q->rt_offset < rt_bytes ? fsize - q->rt_offset : rt_bytes;
    memset(raw, 0, rt_bytes);
    if (!r)
        r = q2_pread(d, raw, (size_t)rt_have, q->rt_offset);
    for (uint64_t i = 0; !r && i < q->rt_entries; i++)
        q->rt[i] = q2_be64(raw + 8 * i);
    free(raw);
    if (r)
        return bad(err, errlen, "%s: cannot read the image's tables: %s; the image is "
                   "damaged or cut short", w, strerror(errno));

    /* The backing file: a name relative to the image's folder, raw or qcow2. */
    uint64_t bo = q2_be64(h + 8);
    uint32_t bl = be32(h + 16);
    if (bo && bl) {
        if (bl > 1023 || bo > fsize || bl > fsize - bo)
            return bad(err, errlen, "%s: the backing file's name (%u bytes at %llu) is out "
                       "of range; the image is damaged", w, bl, (unsigned long long)bo);
        char name[1024];
        if (q2_pread(d, name, bl, bo))
            return bad(err, errlen, "%s: cannot read the backing file's name; the image is "
                       "damaged", w);
        name[bl] = '\0';
        if (strlen(name) != bl)
            return bad(err, errlen, "%s: the backing file's name has a zero byte; the image "
                       "is damaged", w);
        char full[4096 + 1024];
        const char *slash = strrchr(path, '/');
        if (name[0] == '/' || !slash)
            snprintf(full, sizeof full, "%s", name);
        else
            snprintf(full, sizeof full, "%.*s/%s", (int)(slash - path), path, name);
        const char *fmt = NULL;
        if (backing_format[0]) {
            fmt = disk_format_known(backing_format);
            if (!fmt)
                return bad(err, errlen, "%s: backing file %s has format %s; orrery reads raw "
                           "and qcow2 backing files (qemu-img convert)", w, name,
                           backing_format);
        }
        q->backing = calloc(1, sizeof *q->backing);
        if (!q->backing)
            return bad(err, errlen, "%s: out of memory", w);
        char what[sizeof d->what + 32];
        /* A long file name is cut in the message; the check is what tells GCC so. */
        if (snprintf(what, sizeof what, "%s: backing file %s", w, name) >= (int)sizeof what)
            what[sizeof what - 2] = '.';
        if (disk_open_backing(q->backing, full, fmt, d, what, err, errlen)) {
            free(q->backing);
            q->backing = NULL;
            return -1;
        }
    }
    return 0;
}

int qcow2_open(struct disk *d, const char *path, bool ro, char *err, size_t errlen)
{
    off_t end = lseek(d->fd, 0, SEEK_END);
    if (end < 0)
        return bad(err, errlen, "%s: cannot find the file's size: %s; give a regular file",
                   d->what, strerror(errno));
    uint64_t fsize = (uint64_t)end;
    uint8_t head[V3_HEADER];
    if (fsize < V2_HEADER || q2_pread(d, head, fsize < V3_HEADER ? V2_HEADER : V3_HEADER, 0))
        return bad(err, errlen, "%s: a qcow2 image of %llu bytes is cut short (no whole "
                   "header); give the whole image file", d->what, (unsigned long long)fsize);
    if (memcmp(head, QCOW2_MAGIC, 4) != 0)
        return bad(err, errlen, "%s: not a qcow2 image (no QFI\\xfb magic); give format=raw "
                   "or a qcow2 image", d->what);
    uint32_t version = be32(head + 4);
    if (version != 2 && version != 3)
        return bad(err, errlen, "%s: qcow2 version %u is not supported; orrery reads versions "
                   "2 and 3 (qemu-img amend -o compat=1.1)", d->what, version);
    if (version == 3 && fsize < V3_HEADER)
        return bad(err, errlen, "%s: a qcow2 v3 image of %llu bytes is cut short; give the "
                   "whole image file", d->what, (unsigned long long)fsize);
    /* Two writers of one image would allocate the same clusters: one orrery (or one -hdX)
     * writes it at a time, readers share it. */
    if (flock(d->fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0)
        return bad(err, errlen, "%s: the image is in use (%s); give it once, close the "
                   "other orrery, or give -snapshot", d->what,
                   errno == EWOULDBLOCK ? "another open of it writes it, or reads it while "
                   "this one would write" : strerror(errno));
    uint32_t cb = be32(head + 20);
    if (cb < 9 || cb > 21)
        return bad(err, errlen, "%s: cluster_bits %u is out of range (9-21); the image is "
                   "damaged", d->what, cb);
    struct qcow2 *q = calloc(1, sizeof *q);
    if (!q)
        return bad(err, errlen, "%s: out of memory", d->what);
    d->qcow2 = q;
    d->format = &qcow2_format;
    q->version = version;
    q->cluster_bits = cb;
    q->cs = 1ull << cb;
    q->l2_bits = cb - 3;
    q->ro = ro;
    q->host_end = (fsize + q->cs - 1) & ~(q->cs - 1);
    q->nslots = (unsigned)(CACHE_BYTES >> cb);
    if (q->nslots < 8)
        q->nslots = 8;
    if (q->nslots > 64)
        q->nslots = 64;
    q->slots = calloc(q->nslots, sizeof *q->slots);
    q->cbuf = malloc(q->cs);
    q->dbuf = malloc(q->cs);
    q->zbuf = malloc(2 * q->cs);
    uint8_t *h = calloc(1, q->cs);
    bool ok = q->slots && q->cbuf && q->dbuf && q->zbuf && h;
    for (unsigned i = 0; ok && i < q->nslots; i++)
        ok = (q->slots[i].data = malloc(q->cs)) != NULL;
    if (!ok) {
        free(h);
        unsigned n = q->nslots;
        qcow2_close(d);
        d->format = NULL;
        return bad(err, errlen, "%s: out of memory for a cache of %u clusters", d->what, n);
    }
    /* The first cluster, or as much of it as the file has. */
    size_t first = fsize < q->cs ? (size_t)fsize : (size_t)q->cs;
    int r = q2_pread(d, h, first, 0)
                ? bad(err, errlen, "%s: cannot read the header: %s; give the whole image "
                      "file", d->what, strerror(errno))
                : read_header(d, q, h, fsize, ro, path, err, errlen);
    free(h);
    if (r) {
        qcow2_close(d);
        d->format = NULL;
        d->size = 0;
        return -1;
    }
    return 0;
}
