/* The qcow2 image format behind core/disk.h's calls, private to core/ (disk.c calls it).
 * Written from the qcow2 specification (QEMU's docs/interop/qcow2.txt), versions 2 and 3.
 *
 * The virtual disk is cut into clusters of 2^cluster_bits bytes. The L1 table (in memory
 * while open) points at L2 tables, a cluster each, whose entries point at the data
 * clusters: allocated, compressed (read only), all zeroes (v3), or absent (read from the
 * backing file, or zeroes). Refcount blocks, found through the refcount table (also in
 * memory), count the references to every host cluster. L2 tables and refcount blocks go
 * through a small cache of clusters (bounded memory).
 *
 * Writes to an allocated cluster go to the file at once. A write elsewhere takes a new
 * cluster at the end of the file, writes the whole cluster (the rest copied from what the
 * guest saw there: backing file, zeroes, decompressed data) and changes refcounts and the
 * L2 entry only in memory. qcow2's flush makes them durable in an order that never lets a
 * crash leave an entry pointing at a cluster that is not written or not counted:
 * fdatasync (the data), refcount blocks (then the refcount table), fdatasync, L2 tables
 * (then the L1 table), fdatasync. A crash loses unflushed allocations (the guest had not
 * flushed them) and may leak clusters; the image stays consistent. A cache entry evicted
 * dirty runs the whole flush first. Host clusters given up (a compressed cluster
 * overwritten) are counted down only once the L2 entry that dropped them is durable.
 * A full refcount table is replaced by a larger one at the end of the file, written
 * before the header names it.
 *
 * The dirty bit (v3) is not set: refcounts on disk are always right, so an image
 * orrery wrote needs no repair; one marked dirty by another program (lazy refcounts) is
 * refused for writing, as are images with internal snapshots (their shared clusters
 * would need copy-on-write of L2 tables). */
#ifndef ORRERY_CORE_QCOW2_H
#define ORRERY_CORE_QCOW2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/disk.h"

#define QCOW2_MAGIC "QFI\xfb"

/* Opens d->fd (already open, regular) as a qcow2 image of path (backing file names are
 * relative to its folder); ro: never written. Sets d->size, d->format, d->qcow2. */
int qcow2_open(struct disk *d, const char *path, bool ro, char *err, size_t errlen);

/* core/disk.c: fdatasync, again on EINTR. */
int disk_fdatasync(int fd);
/* All n bytes at offset through pread/pwrite, or -1 (a short transfer is EIO) (core/disk.c). */
int disk_transfer(int fd, void *buf, size_t n, uint64_t offset, bool write);
/* core/disk.c: opens a backing file of the image above (read-only), refusing a loop of
 * backing files and chains deeper than DISK_CHAIN_MAX. */
#define DISK_CHAIN_MAX 16
int disk_open_backing(struct disk *d, const char *path, const char *format,
                      const struct disk *above, const char *what, char *err, size_t errlen);

/* ---- between qcow2.c (open, read, cache) and qcow2_write.c (allocation, flush) ---- */

#define Q2_COPIED (1ull << 63)
#define Q2_COMPRESSED (1ull << 62)
#define Q2_ZERO 1ull
#define Q2_OFFSET 0x00fffffffffffe00ull /* bits 9-55: a host offset in L1 and L2 entries */
#define Q2_RT_MAX (32u << 20) /* bytes of refcount table, at most (in memory) */

struct q2_slot {
    uint64_t offset;  /* host offset of the cached cluster; 0: free slot */
    uint8_t *data;    /* cluster_size bytes, as in the file (big-endian) */
    uint64_t used;    /* LRU tick */
    bool dirty;       /* changed in memory, not yet written */
    bool refblock;    /* a refcount block (else an L2 table) */
};

struct qcow2 {
    uint32_t version;
    uint32_t cluster_bits;
    uint64_t cs;            /* cluster size */
    uint32_t l2_bits;       /* entries per L2 table: 2^l2_bits */
    uint64_t *l1;           /* host order */
    uint32_t l1_size;
    uint64_t l1_offset;
    bool l1_dirty;
    uint64_t *rt;           /* refcount table, host order */
    uint64_t rt_entries;
    uint64_t rt_offset;
    bool rt_dirty;
    uint32_t refcount_order;
    uint32_t rb_bits;       /* entries per refcount block: 2^rb_bits */
    uint64_t autoclear;
    bool ro;
    bool prepared;          /* the header was made ready for writing (autoclear bits) */
    bool unflushed;         /* written since the last flush: it has something to do */
    uint64_t host_end;      /* where the next cluster is allocated */
    struct disk *backing;   /* NULL: none (absent clusters read as zeroes) */
    struct q2_slot *slots;
    unsigned nslots;
    uint64_t tick;
    uint8_t *cbuf;          /* a cluster being written (copy-on-write) */
    uint8_t *dbuf;          /* the last decompressed cluster */
    uint64_t dbuf_for;      /* its L2 entry; 0: none */
    uint8_t *zbuf;          /* compressed bytes: up to 2 clusters */
    uint64_t *frees;        /* compressed L2 entries to count down after the next flush */
    unsigned nfrees;
};

/* The file at offset: all n bytes or -1 (EIO for a short read). */
int q2_pread(struct disk *d, void *buf, size_t n, uint64_t offset);
int q2_pwrite(struct disk *d, const void *buf, size_t n, uint64_t offset);
/* The cached cluster at host offset off (fresh: a new zeroed one, not read, dirty), or
 * NULL. A dirty cluster the cache must evict runs q2_flush first. */
struct q2_slot *q2_cache(struct disk *d, uint64_t off, bool refblock, bool fresh);
/* The L2 entry of virtual cluster vc (0: absent), or -1. */
int q2_l2_entry(struct disk *d, uint64_t vc, uint64_t *entry);
/* Bytes [in, in + n) of virtual cluster vc whose L2 entry is entry, as the guest sees them. */
int q2_read_part(struct disk *d, uint64_t vc, uint64_t entry, size_t in, uint8_t *buf,
                 size_t n);
/* qcow2_write.c */
int q2_write(struct disk *d, uint64_t offset, const void *buf, size_t n);
int q2_flush(struct disk *d);

static inline uint64_t q2_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static inline void q2_put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

#endif
