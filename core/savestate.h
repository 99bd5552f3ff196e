/* Save-state descriptions: each device (and later the CPU and memory) lists its state once,
 * as a versioned table of fields, and the same table saves, loads and compares it
 * (DESIGN.md, "Save state and determinism"; STYLE.md, "Save state from day one").
 *
 * A field is a run of little-endian integers of 1, 2, 4 or 8 bytes at an offset in the
 * device's struct, or an array of sub-structs with their own table. Only described fields
 * are touched: host pointers and other wiring in the same struct are neither saved nor
 * overwritten on load. State must be plain fixed-width integers (uint8_t, not bool).
 *
 *     static const struct savestate_field pit_fields[] = {
 *         SS_FIELD(struct pit_state, speaker),
 *         SS_STRUCTS(struct pit_state, ch, pit_channel_desc),
 *     };
 *     SAVESTATE_DESC(pit_desc, "pit8254", 1, pit_fields);
 *
 * A section is the payload framed by the description's name, version and length, so a
 * reader refuses a section of another version with a message instead of misreading it.
 * The file around the sections (machine state, compression) is core/machine's job. */
#ifndef ORRERY_CORE_SAVESTATE_H
#define ORRERY_CORE_SAVESTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/compiler.h"

struct savestate_desc;

struct savestate_field {
    const char *name;
    uint32_t offset;                   /* from the start of the described struct */
    uint32_t size;                     /* bytes per element: 1, 2, 4, 8, or a sub-struct */
    uint32_t count;                    /* elements */
    const struct savestate_desc *sub;  /* non-NULL: each element is a struct it describes */
    uint64_t lo, hi;                   /* integers: the values a load accepts, lo..hi; a
                                          file with another is refused. hi 0: any value */
};

struct savestate_desc {
    const char *name;      /* section name, at most SAVESTATE_NAME_MAX bytes */
    uint32_t version;      /* bump when the fields change; old sections are refused */
    const struct savestate_field *fields;
    unsigned nfields;
};

#define SAVESTATE_NAME_MAX 32

#define SS_MEMBER_(type, m) (((type *)0)->m)
/* One integer member. */
#define SS_FIELD(type, m) SS_FIELD_RANGE(type, m, 0, 0)
/* One integer member that indexes, counts, shifts or divides: a saved state is hostile
 * input like any file, so a value outside lo..hi is refused at load, never used. */
#define SS_FIELD_RANGE(type, m, lo, hi)                                                    \
    { #m, (uint32_t)offsetof(type, m), (uint32_t)sizeof(SS_MEMBER_(type, m)), 1, NULL,     \
      (lo), (hi) }
/* An array of integers. */
#define SS_ARRAY(type, m)                                                                  \
    { #m, (uint32_t)offsetof(type, m), (uint32_t)sizeof(SS_MEMBER_(type, m)[0]),           \
      (uint32_t)(sizeof(SS_MEMBER_(type, m)) / sizeof(SS_MEMBER_(type, m)[0])), NULL, 0, 0 }
/* One embedded struct / an array of them, described by `desc`. */
#define SS_STRUCT(type, m, desc)                                                           \
    { #m, (uint32_t)offsetof(type, m), (uint32_t)sizeof(SS_MEMBER_(type, m)), 1, &(desc),  \
      0, 0 }
#define SS_STRUCTS(type, m, desc)                                                          \
    { #m, (uint32_t)offsetof(type, m), (uint32_t)sizeof(SS_MEMBER_(type, m)[0]),           \
      (uint32_t)(sizeof(SS_MEMBER_(type, m)) / sizeof(SS_MEMBER_(type, m)[0])), &(desc),   \
      0, 0 }

#define SAVESTATE_DESC(var, sname, ver, fields)                                            \
    const struct savestate_desc var = { sname, ver, fields, (unsigned)ARRAY_SIZE(fields) }

/* Checks a description: integer sizes of 1, 2, 4 or 8, non-empty, name length. Returns
 * false and writes one line to err (errlen bytes) on the first problem. */
bool savestate_check(const struct savestate_desc *d, char *err, size_t errlen);

/* Bytes of the payload (the fields, packed little-endian). */
size_t savestate_size(const struct savestate_desc *d);

/* The payload of obj into buf. Returns the bytes written, 0 if cap is too small. */
size_t savestate_save(const struct savestate_desc *d, const void *obj, uint8_t *buf, size_t cap);

/* Fills the described fields of obj from a payload of exactly savestate_size bytes.
 * Returns 0, or -1 (obj untouched) when len is wrong or a value is out of its range. */
int savestate_load(const struct savestate_desc *d, void *obj, const uint8_t *buf, size_t len);

/* True when every described field of a and b is equal; otherwise names the first field
 * that differs ("ch[1].count") in diff, if given. */
bool savestate_equal(const struct savestate_desc *d, const void *a, const void *b, char *diff,
                     size_t difflen);

/* A section: name length (1 byte), name, version (4), payload length (4), payload.
 * savestate_section_size is the framed size; write returns it, or 0 if cap is too small. */
size_t savestate_section_size(const struct savestate_desc *d);
size_t savestate_write_section(const struct savestate_desc *d, const void *obj, uint8_t *buf,
                               size_t cap);
/* Reads one section for d from buf (len bytes available). Returns the bytes consumed, or
 * 0 with one line in err when the section is another device's, another version, cut
 * short, or holds a value outside its field's range; obj is then untouched. */
size_t savestate_read_section(const struct savestate_desc *d, void *obj, const uint8_t *buf,
                              size_t len, char *err, size_t errlen);

/* Calls fn for each integer of a payload (savestate_size bytes) in order, with its path
 * ("ch[1].count0") and value: what a tool that prints or compares states needs without
 * the struct. Returns the number of integers. */
typedef void (*savestate_visit_fn)(void *opaque, const char *path, uint64_t value,
                                   unsigned size);
size_t savestate_visit(const struct savestate_desc *d, const uint8_t *payload,
                       savestate_visit_fn fn, void *opaque);

/* Checks only the frame at buf (len bytes available) against d: name, version, payload
 * length. Returns the frame's size (the payload follows it), or 0 with one line in err. */
size_t savestate_check_frame(const struct savestate_desc *d, const uint8_t *buf, size_t len,
                             char *err, size_t errlen);

#endif
