#include <stdlib.h>

#include "frontends/trace/counts.h"

static size_t slot(const struct counts *c, uint64_t k)
{
    size_t j = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 17) & (c->cap - 1);
    while (c->e[j].key && c->e[j].key != k)
        j = (j + 1) & (c->cap - 1);
    return j;
}

struct count_entry *counts_get(struct counts *c, uint64_t key)
{
    uint64_t k = key + 1;
    if (c->n * 2 >= c->cap) {
        struct counts g = { calloc(c->cap ? c->cap * 2 : 1024, sizeof *c->e), c->cap ? c->cap * 2 : 1024, c->n };
        if (!g.e)
            return NULL;
        for (size_t i = 0; i < c->cap; i++)
            if (c->e[i].key)
                g.e[slot(&g, c->e[i].key)] = c->e[i];
        free(c->e);
        *c = g;
    }
    size_t j = slot(c, k);
    if (!c->e[j].key) {
        c->e[j].key = k;
        c->n++;
    }
    return &c->e[j];
}

static int by_count(const void *a, const void *b)
{
    const struct count_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x->key < y->key ? -1 : x->key > y->key;
}

struct count_entry *counts_sorted(const struct counts *c)
{
    struct count_entry *out = malloc((c->n ? c->n : 1) * sizeof *out);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < c->cap; i++) {
        if (c->e[i].key) {
            out[n] = c->e[i];
            out[n++].key--;
        }
    }
    qsort(out, n, sizeof *out, by_count);
    return out;
}

void counts_free(struct counts *c)
{
    free(c->e);
    c->e = NULL;
    c->cap = c->n = 0;
}
