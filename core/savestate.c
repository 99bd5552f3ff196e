#include "core/savestate.h"

#include <stdio.h>
#include <string.h>

/* Host integers of 1, 2, 4 or 8 bytes in little-endian order, whatever the host. */
static uint64_t get_int(const uint8_t *p, uint32_t size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void put_int(uint8_t *p, uint32_t size, uint64_t v)
{
    switch (size) {
    case 1: *p = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

static void put_le(uint8_t *out, uint32_t size, uint64_t v)
{
    for (uint32_t i = 0; i < size; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, uint32_t size)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < size; i++)
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

bool savestate_check(const struct savestate_desc *d, char *err, size_t errlen)
{
    if (!d->name || !*d->name || strlen(d->name) > SAVESTATE_NAME_MAX) {
        snprintf(err, errlen, "savestate: a description has no name or one too long");
        return false;
    }
    if (d->nfields == 0) {
        snprintf(err, errlen, "savestate: %s describes no fields", d->name);
        return false;
    }
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct savestate_field *f = &d->fields[i];
        if (f->count == 0) {
            snprintf(err, errlen, "savestate: %s.%s has no elements", d->name, f->name);
            return false;
        }
        if (f->sub) {
            if (!savestate_check(f->sub, err, errlen))
                return false;
        } else if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) {
            snprintf(err, errlen, "savestate: %s.%s is %u bytes; fields are integers of 1, 2, "
                     "4 or 8 bytes", d->name, f->name, (unsigned)f->size);
            return false;
        }
    }
    return true;
}

size_t savestate_size(const struct savestate_desc *d)
{
    size_t n = 0;
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct savestate_field *f = &d->fields[i];
        n += (size_t)f->count * (f->sub ? savestate_size(f->sub) : f->size);
    }
    return n;
}

static uint8_t *save_fields(const struct savestate_desc *d, const uint8_t *obj, uint8_t *out)
{
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct savestate_field *f = &d->fields[i];
        const uint8_t *p = obj + f->offset;
        for (uint32_t k = 0; k < f->count; k++, p += f->size) {
            if (f->sub) {
                out = save_fields(f->sub, p, out);
            } else {
                put_le(out, f->size, get_int(p, f->size));
                out += f->size;
            }
        }
    }
    return out;
}

static const uint8_t *load_fields(const struct savestate_desc *d, uint8_t *obj,
                                  const uint8_t *in)
{
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct savestate_field *f = &d->fields[i];
        uint8_t *p = obj + f->offset;
        for (uint32_t k = 0; k < f->count; k++, p += f->size) {
            if (f->sub) {
                in = load_fields(f->sub, p, in);
            } else {
                put_int(p, f->size, get_le(in, f->size));
                in += f->size;
            }
        }
    }
    return in;
}

/* Every bounded integer of the payload at `in` within its range; else names the first
 * that is not in err (when given) and returns NULL. Returns the end of the payload. */
static const uint8_t *check_fields(const struct savestate_desc *d, const uint8_t *in,
                                   char *err, size_t errlen)
{
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct savestate_field *f = &d->fields[i];
        for (uint32_t k = 0; k < f->count; k++) {
            if (f->sub) {
                if (!(in = check_fields(f->sub, in, err, errlen)))
                    return NULL;
                continue;
            }
            uint64_t v = get_le(in, f->size);
            in += f->size;
            if (f->hi == 0 || (v >= f->lo && v <= f->hi))
                continue;
            if (err && errlen)
                snprintf(err, errlen, "saved state of '%s' has %s = %llu; it must be %llu to "
                         "%llu (a damaged or forged file)", d->name, f->name,
                         (unsigned long long)v, (unsigned long long)f->lo,
                         (unsigned long long)f->hi);
            return NULL;
        }
    }
    return in;
}

size_t savestate_save(const struct savestate_desc *d, const void *obj, uint8_t *buf, size_t cap)
{
    size_t n = savestate_size(d);
    if (n > cap)
        return 0;
    save_fields(d, obj, buf);
    return n;
}

int savestate_load(const struct savestate_desc *d, void *obj, const uint8_t *buf, size_t len)
{
    if (len != savestate_size(d) || !check_fields(d, buf, NULL, 0))
        return -1;
    load_fields(d, obj, buf);
    return 0;
}

static bool equal_fields(const struct savestate_desc *d, const uint8_t *a, const uint8_t *b,
                         char *diff, size_t difflen)
{
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct savestate_field *f = &d->fields[i];
        for (uint32_t k = 0; k < f->count; k++) {
            size_t off = f->offset + (size_t)k * f->size;
            bool same = f->sub ? equal_fields(f->sub, a + off, b + off, NULL, 0)
                               : get_int(a + off, f->size) == get_int(b + off, f->size);
            if (same)
                continue;
            if (diff && f->count > 1)
                snprintf(diff, difflen, "%s.%s[%u]", d->name, f->name, (unsigned)k);
            else if (diff)
                snprintf(diff, difflen, "%s.%s", d->name, f->name);
            return false;
        }
    }
    return true;
}

bool savestate_equal(const struct savestate_desc *d, const void *a, const void *b, char *diff,
                     size_t difflen)
{
    if (diff && difflen)
        diff[0] = '\0';
    return equal_fields(d, a, b, diff, difflen);
}

struct visit {
    savestate_visit_fn fn;
    void *opaque;
    size_t n;
    char path[160];
};

static const uint8_t *visit_fields(const struct savestate_desc *d, const uint8_t *in,
                                   struct visit *v, size_t plen)
{
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct savestate_field *f = &d->fields[i];
        for (uint32_t k = 0; k < f->count; k++) {
            size_t len = plen;
            len += (size_t)snprintf(v->path + len, sizeof v->path - len, "%s%s", plen ? "." : "",
                                    f->name);
            if (len < sizeof v->path && f->count > 1)
                len += (size_t)snprintf(v->path + len, sizeof v->path - len, "[%u]",
                                        (unsigned)k);
            if (len >= sizeof v->path)
                len = sizeof v->path - 1;
            if (f->sub) {
                in = visit_fields(f->sub, in, v, len);
            } else {
                if (v->fn)
                    v->fn(v->opaque, v->path, get_le(in, f->size), f->size);
                in += f->size;
                v->n++;
            }
            v->path[plen] = '\0';
        }
    }
    return in;
}

size_t savestate_visit(const struct savestate_desc *d, const uint8_t *payload,
                       savestate_visit_fn fn, void *opaque)
{
    struct visit v = { .fn = fn, .opaque = opaque };
    visit_fields(d, payload, &v, 0);
    return v.n;
}

size_t savestate_section_size(const struct savestate_desc *d)
{
    return 1 + strlen(d->name) + 4 + 4 + savestate_size(d);
}

size_t savestate_write_section(const struct savestate_desc *d, const void *obj, uint8_t *buf,
                               size_t cap)
{
    size_t total = savestate_section_size(d), name = strlen(d->name), payload = savestate_size(d);
    if (total > cap || name > SAVESTATE_NAME_MAX)
        return 0;
    buf[0] = (uint8_t)name;
    memcpy(buf + 1, d->name, name);
    put_le(buf + 1 + name, 4, d->version);
    put_le(buf + 5 + name, 4, payload);
    save_fields(d, obj, buf + 9 + name);
    return total;
}

size_t savestate_check_frame(const struct savestate_desc *d, const uint8_t *buf, size_t len,
                             char *err, size_t errlen)
{
    if (len < 1 || len < 9u + buf[0]) {
        snprintf(err, errlen, "saved state ends inside the header of section '%s'", d->name);
        return 0;
    }
    size_t name = buf[0];
    if (name != strlen(d->name) || memcmp(buf + 1, d->name, name) != 0) {
        char found[SAVESTATE_NAME_MAX + 1];
        size_t n = name < SAVESTATE_NAME_MAX ? name : SAVESTATE_NAME_MAX;
        for (size_t i = 0; i < n; i++) /* the file's bytes, printable, on one line */
            found[i] = buf[1 + i] >= 0x20 && buf[1 + i] < 0x7F ? (char)buf[1 + i] : '?';
        found[n] = '\0';
        snprintf(err, errlen, "saved state has section '%s' where '%s' was expected", found,
                 d->name);
        return 0;
    }
    uint32_t version = (uint32_t)get_le(buf + 1 + name, 4);
    uint64_t payload = get_le(buf + 5 + name, 4);
    if (version != d->version) {
        snprintf(err, errlen, "saved state has '%s' version %u; this orrery reads version %u",
                 d->name, (unsigned)version, (unsigned)d->version);
        return 0;
    }
    if (payload != savestate_size(d)) {
        snprintf(err, errlen, "saved state of '%s' is %llu bytes, expected %zu", d->name,
                 (unsigned long long)payload, savestate_size(d));
        return 0;
    }
    return 9 + name;
}

size_t savestate_read_section(const struct savestate_desc *d, void *obj, const uint8_t *buf,
                              size_t len, char *err, size_t errlen)
{
    size_t frame = savestate_check_frame(d, buf, len, err, errlen);
    if (frame == 0)
        return 0;
    size_t payload = savestate_size(d);
    if (len - frame < payload) {
        snprintf(err, errlen, "saved state ends inside section '%s'", d->name);
        return 0;
    }
    if (!check_fields(d, buf + frame, err, errlen))
        return 0;
    load_fields(d, obj, buf + frame);
    return frame + payload;
}
