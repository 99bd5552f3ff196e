/* A map from 64-bit keys to counters (open addressing, grows at half full), and its
 * entries sorted by count for "the hottest N". */
#ifndef ORRERY_FRONTENDS_TRACE_COUNTS_H
#define ORRERY_FRONTENDS_TRACE_COUNTS_H

#include <stddef.h>
#include <stdint.h>

struct count_entry {
    uint64_t key;             /* stored + 1 internally: 0 is an empty slot */
    uint64_t count;
    uint64_t aux;             /* a value the caller keeps with the key */
};
struct counts {
    struct count_entry *e;
    size_t cap, n;
};

/* The entry of key (created with count 0); NULL when out of memory. */
struct count_entry *counts_get(struct counts *c, uint64_t key);
/* The entries by count, highest first (ties by key), in a fresh array of c->n; the keys
 * are the callers' again. NULL when out of memory. */
struct count_entry *counts_sorted(const struct counts *c);
void counts_free(struct counts *c);

#endif
