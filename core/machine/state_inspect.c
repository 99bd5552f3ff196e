/* Reading saved states without a machine (machine.h: machine_state_show,
 * machine_state_diff): every section's fields by name, and what differs between two
 * states, down to the field and the RAM page. This is how a determinism failure (two runs
 * that should end equal) is found: the first differing field says where to look. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine/machine_impl.h"
#include "core/savestate.h"
#include "core/statefile.h"

#define PAGE 4096u
#define DIFF_LINES_MAX 40 /* differing fields listed; the rest are counted */

struct frame {
    char name[SAVESTATE_NAME_MAX + 1];
    uint32_t version, len;
    unsigned nth;  /* 1 for the first section of this name, 2 for the next... */
};

/* "uart16550" or "uart16550#2" for the second section of a name. */
static void label(const struct frame *fr, char *buf, size_t len)
{
    if (fr->nth > 1)
        snprintf(buf, len, "%s#%u", fr->name, fr->nth);
    else
        snprintf(buf, len, "%s", fr->name);
}

/* Section counts by name, for the #N labels. */
struct seen {
    char name[24][SAVESTATE_NAME_MAX + 1];
    unsigned count[24];
    unsigned n;
};

static unsigned count_seen(struct seen *s, const char *name)
{
    for (unsigned i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0)
            return ++s->count[i];
    if (s->n < 24) {
        snprintf(s->name[s->n], sizeof s->name[0], "%s", name);
        s->count[s->n++] = 1;
    }
    return 1;
}

static bool next(struct statefile *f, struct seen *s, struct frame *fr)
{
    if (!statefile_next_frame(f, fr->name, &fr->version, &fr->len))
        return false;
    fr->nth = strcmp(fr->name, MACHINE_STATE_RAM) == 0 ? 1 : count_seen(s, fr->name);
    return true;
}

static uint8_t *read_payload(struct statefile *f, uint32_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    if (!p) {
        statefile_fail(f, "out of memory reading a section of %u bytes", (unsigned)len);
        return NULL;
    }
    if (!statefile_get_bytes(f, p, len)) {
        free(p);
        return NULL;
    }
    return p;
}

/* The payload's description, when this orrery knows it at that length. */
static const struct savestate_desc *desc_of(const struct frame *fr)
{
    const struct savestate_desc *d = machine_state_desc(fr->name, fr->version);
    return d && savestate_size(d) == fr->len ? d : NULL;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- show ---- */

struct show {
    FILE *out;
    const char *section;
};

static void show_field(void *opaque, const char *path, uint64_t value, unsigned size)
{
    struct show *s = opaque;
    fprintf(s->out, "%s.%s = 0x%0*" PRIx64 "\n", s->section, path, (int)(2 * size), value);
}

/* A RAM region: where it is, and how many of its pages hold anything but zeros. */
static bool show_ram(struct statefile *f, FILE *out, const uint8_t *hdr)
{
    uint32_t base = le32(hdr), size = le32(hdr + 4), used = 0;
    static const uint8_t zero[PAGE];
    uint8_t page[PAGE];
    for (uint32_t off = 0; off < size; off += PAGE) {
        uint32_t n = size - off < PAGE ? size - off : PAGE;
        if (!statefile_get_bytes(f, page, n))
            return false;
        used += memcmp(page, zero, n) != 0;
    }
    fprintf(out, "ram 0x%08x-0x%08x: %u of %u pages not zero\n", base, base + size - 1, used,
            (size + PAGE - 1) / PAGE);
    return true;
}

int machine_state_show(const char *path, FILE *out, char *err)
{
    struct statefile *f = statefile_open(path, err, MACHINE_ERRMAX);
    if (!f)
        return -1;
    struct seen seen = { .n = 0 };
    struct frame fr;
    while (next(f, &seen, &fr)) {
        uint8_t *p = read_payload(f, fr.len);
        if (!p)
            break;
        char sec[SAVESTATE_NAME_MAX + 16];
        label(&fr, sec, sizeof sec);
        const struct savestate_desc *d = desc_of(&fr);
        bool ok = true;
        if (!d) {
            fprintf(out, "%s: version %u, %u bytes (not known to this orrery)\n", sec,
                    (unsigned)fr.version, (unsigned)fr.len);
        } else if (strcmp(fr.name, MACHINE_STATE_RAM) == 0) {
            ok = show_ram(f, out, p);
        } else {
            struct show s = { out, sec };
            savestate_visit(d, p, show_field, &s);
        }
        free(p);
        if (!ok || !d)
            break; /* the rest cannot be framed without knowing this one */
    }
    return statefile_close(f, err, MACHINE_ERRMAX) ? 0 : -1;
}

/* ---- diff ---- */

struct collect {
    uint64_t *v;
    size_t n, cap;
};

static void collect_field(void *opaque, const char *path, uint64_t value, unsigned size)
{
    (void)path;
    (void)size;
    struct collect *c = opaque;
    if (c->n < c->cap)
        c->v[c->n] = value;
    c->n++;
}

struct compare {
    FILE *out;
    const char *section;
    const struct collect *b;
    size_t i;
    unsigned *listed, diffs;
};

static void compare_field(void *opaque, const char *path, uint64_t value, unsigned size)
{
    struct compare *c = opaque;
    uint64_t other = c->i < c->b->n ? c->b->v[c->i] : 0;
    c->i++;
    if (value == other)
        return;
    c->diffs++;
    if (++*c->listed <= DIFF_LINES_MAX)
        fprintf(c->out, "%s.%s: 0x%0*" PRIx64 " vs 0x%0*" PRIx64 "\n", c->section, path,
                (int)(2 * size), value, (int)(2 * size), other);
}

static unsigned diff_fields(const struct savestate_desc *d, const char *sec, const uint8_t *a,
                            const uint8_t *b, FILE *out, unsigned *listed)
{
    size_t n = savestate_visit(d, b, NULL, NULL);
    struct collect cb = { calloc(n ? n : 1, sizeof(uint64_t)), 0, n };
    if (!cb.v)
        return 1;
    savestate_visit(d, b, collect_field, &cb);
    struct compare c = { out, sec, &cb, 0, listed, 0 };
    savestate_visit(d, a, compare_field, &c);
    free(cb.v);
    return c.diffs;
}

/* Two RAM regions at the same place: pages that differ, and the first differing byte. */
static unsigned diff_ram(struct statefile *fa, struct statefile *fb, const uint8_t *hdr,
                         FILE *out, unsigned *listed, bool *ok)
{
    uint32_t base = le32(hdr), size = le32(hdr + 4), pages = 0, first = 0;
    uint8_t pa[PAGE], pb[PAGE];
    for (uint32_t off = 0; off < size; off += PAGE) {
        uint32_t n = size - off < PAGE ? size - off : PAGE;
        if (!statefile_get_bytes(fa, pa, n) || !statefile_get_bytes(fb, pb, n)) {
            *ok = false;
            return pages;
        }
        if (memcmp(pa, pb, n) == 0)
            continue;
        if (pages++ == 0) {
            uint32_t i = 0;
            while (pa[i] == pb[i])
                i++;
            first = base + off + i;
        }
    }
    if (pages && ++*listed <= DIFF_LINES_MAX)
        fprintf(out, "ram 0x%08x-0x%08x: %u pages differ, the first byte at 0x%08x\n", base,
                base + size - 1, pages, first);
    return pages;
}

int machine_state_diff(const char *path_a, const char *path_b, FILE *out, char *err)
{
    struct statefile *fa = statefile_open(path_a, err, MACHINE_ERRMAX);
    if (!fa)
        return -1;
    struct statefile *fb = statefile_open(path_b, err, MACHINE_ERRMAX);
    if (!fb) {
        statefile_close(fa, err, 0);
        return -1;
    }
    struct seen sa = { .n = 0 }, sb = { .n = 0 };
    struct frame a, b;
    unsigned diffs = 0, listed = 0;
    bool at_end = false; /* both files were read to their end */
    for (;;) {
        bool more_a = next(fa, &sa, &a), more_b = next(fb, &sb, &b);
        if (statefile_error(fa) || statefile_error(fb))
            break;
        if (!more_a || !more_b) {
            at_end = !more_a && !more_b;
            if (more_a != more_b) {
                fprintf(out, "%s has more sections than %s\n", more_a ? path_a : path_b,
                        more_a ? path_b : path_a);
                diffs++;
            }
            break;
        }
        char sec[SAVESTATE_NAME_MAX + 16];
        label(&a, sec, sizeof sec);
        if (strcmp(a.name, b.name) != 0 || a.version != b.version || a.len != b.len) {
            fprintf(out, "the states differ in layout: section %s version %u (%u bytes) vs "
                    "%s version %u (%u bytes)\n", sec, (unsigned)a.version, (unsigned)a.len,
                    b.name, (unsigned)b.version, (unsigned)b.len);
            diffs++;
            break;
        }
        uint8_t *pa = read_payload(fa, a.len), *pb = pa ? read_payload(fb, b.len) : NULL;
        const struct savestate_desc *d = desc_of(&a);
        bool ok = pa && pb && d;
        if (ok && strcmp(a.name, MACHINE_STATE_RAM) == 0) {
            if (memcmp(pa, pb, a.len) != 0) {
                fprintf(out, "the states have different RAM regions\n");
                diffs++;
                ok = false;
            } else {
                diffs += diff_ram(fa, fb, pa, out, &listed, &ok);
            }
        } else if (ok) {
            diffs += diff_fields(d, sec, pa, pb, out, &listed);
        } else if (pa && pb && !d) {
            /* Where the next section starts is not known: nothing after can be compared. */
            statefile_fail(fa, "cannot compare '%s' and '%s' past section %s version %u (%u "
                           "bytes, %s): this orrery does not know it", path_a, path_b, sec,
                           (unsigned)a.version, (unsigned)a.len,
                           memcmp(pa, pb, a.len) ? "its bytes differ" : "its bytes are equal");
        }
        free(pa);
        free(pb);
        if (!ok)
            break;
    }
    if (listed > DIFF_LINES_MAX)
        fprintf(out, "... and %u more differences\n", listed - DIFF_LINES_MAX);
    /* A file that could not be read is the one named; one read only up to a difference
     * in layout is not at fault for what follows. */
    const char *bad = statefile_error(fa) ? statefile_error(fa) : statefile_error(fb);
    if (bad || !at_end) {
        if (bad)
            snprintf(err, MACHINE_ERRMAX, "%s", bad);
        statefile_abandon(fa);
        statefile_abandon(fb);
        return bad ? -1 : (int)(diffs > 0x7FFFFFFF ? 0x7FFFFFFF : diffs);
    }
    char err_b[MACHINE_ERRMAX];
    bool ok_a = statefile_close(fa, err, MACHINE_ERRMAX);
    bool ok_b = statefile_close(fb, err_b, sizeof err_b);
    if (ok_a && !ok_b)
        snprintf(err, MACHINE_ERRMAX, "%s", err_b);
    return ok_a && ok_b ? (int)(diffs > 0x7FFFFFFF ? 0x7FFFFFFF : diffs) : -1;
}
