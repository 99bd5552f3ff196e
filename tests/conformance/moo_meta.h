/* SPDX-License-Identifier: MIT */
/*
 * Side files of a MOO suite directory:
 *   metadata.json       (286 set: per-opcode undefined-flags AND masks)
 *   revocation_list.txt (known-bad test hashes)
 * Both are treated as hostile input (strict, bounds-checked parsers).
 * Error messages are one line without the file name (the caller adds it).
 */
#ifndef ORRERY_MOO_META_H
#define ORRERY_MOO_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MOO_SIDE_FILE_MAX (16u * 1024u * 1024u)  /* larger side files are rejected */
#define MOO_JSON_MAX_DEPTH 64

/* ---- metadata.json ---- */

struct moo_meta;  /* parsed metadata.json */

/* The whole file is validated as JSON (RFC 8259: objects, arrays, strings with
 * escapes and UTF-8 checks, numbers, true/false/null; depth <= 64).  Required:
 * a root object with an "opcodes" object.  Every opcodes key must be 1-8 hex
 * digits and map to an object; its "flags-mask" (if any) must be an integer in
 * 0..65535; its "reg" (if any) must be an object whose keys are "0".."7", each
 * an object with an optional "flags-mask" of the same kind.  Other members are
 * validated as JSON and ignored. */
struct moo_meta *moo_meta_load(const char *path, char *err, size_t errlen);
struct moo_meta *moo_meta_parse(const char *text, size_t len, char *err, size_t errlen);

/* key: file-name stem like "F6.6" or "0F01.3" or "00" — opcode part is the hex
 * before the dot (case-insensitive), group reg after it.
 * Returns true and sets *mask when opcodes[OP].flags-mask (or
 * opcodes[OP].reg[N].flags-mask for a group) exists.  A group key on an opcode
 * without a "reg" object falls back to opcodes[OP].flags-mask; a group key on an
 * opcode with a "reg" object never does.  A malformed key returns false. */
bool moo_meta_flags_mask(const struct moo_meta *m, const char *key, uint16_t *mask);
void moo_meta_free(struct moo_meta *m);

/* ---- revocation_list.txt ---- */

/* one 40-hex hash per line, '#' comments and blank lines ignored,
 * case-insensitive, whitespace trimmed; any other line is an error. */
struct moo_revoked;
struct moo_revoked *moo_revoked_load(const char *path, char *err, size_t errlen);  /* missing file -> empty list, not an error */
struct moo_revoked *moo_revoked_parse(const char *text, size_t len, char *err, size_t errlen);
bool moo_revoked_has(const struct moo_revoked *r, const char *hash_hex); /* surrounding whitespace ignored */
size_t moo_revoked_count(const struct moo_revoked *r);                   /* distinct hashes */
void moo_revoked_free(struct moo_revoked *r);

#endif
