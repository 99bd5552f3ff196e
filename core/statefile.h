/* A save-state file: the framed sections of core/savestate.h and raw byte runs (RAM),
 * behind a magic and a format version, all in one gzip stream (zlib), so `zcat` shows
 * the layout. core/machine/machine_state.c decides what goes in and in which order.
 *
 *     "ORRYSTAT" (8 bytes)  format version (4, little-endian)  sections and runs...
 *
 * The format version covers this framing; each section carries its own version
 * (core/savestate.h). Either one differing from what this orrery reads refuses the file
 * with one line, never misreads it. Errors stick: after the first one every call does
 * nothing and returns false, and statefile_close reports it. */
#ifndef ORRERY_CORE_STATEFILE_H
#define ORRERY_CORE_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/savestate.h"

#define STATEFILE_MAGIC "ORRYSTAT"
#define STATEFILE_FORMAT 1
#define STATEFILE_ERRMAX 256

struct statefile;

/* Starts writing a state that replaces path: a regular file or nothing (a device, a
 * FIFO, a folder or a symbolic link there is refused). The bytes go to path.tmp (created
 * anew), which statefile_close syncs to disk and renames to path. NULL with one line in
 * err on failure. */
struct statefile *statefile_create(const char *path, char *err, size_t errlen);
/* What statefile_create will check, done ahead (before a long run that saves at its
 * end): path is a regular file or nothing, and path.tmp can be created. */
bool statefile_check_path(const char *path, char *err, size_t errlen);
/* Opens path and checks the header (magic, format version); NULL with one line in err. */
struct statefile *statefile_open(const char *path, char *err, size_t errlen);

/* One section: d's fields of obj. */
bool statefile_put(struct statefile *f, const struct savestate_desc *d, const void *obj);
/* One section into obj; a section of another name, version or size is an error. */
bool statefile_get(struct statefile *f, const struct savestate_desc *d, void *obj);

/* The next section's frame, without knowing what it is (tools that print or compare
 * states): its name (NUL-terminated, SAVESTATE_NAME_MAX bytes at most), version and
 * payload length, at most STATEFILE_SECTION_MAX (a longer one is an error, so that a tool
 * never allocates what a damaged file says); the payload follows (statefile_get_bytes).
 * False at the end of the file (with no error) or on an error. */
#define STATEFILE_SECTION_MAX (1u << 20)
bool statefile_next_frame(struct statefile *f, char *name, uint32_t *version, uint32_t *len);

/* Raw bytes (the caller frames them with a section that says how many). */
bool statefile_put_bytes(struct statefile *f, const void *buf, size_t len);
bool statefile_get_bytes(struct statefile *f, void *buf, size_t len);

/* Records an error found by the caller (a section that does not fit this machine). */
void statefile_fail(struct statefile *f, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* The first error so far (one line), or NULL. */
const char *statefile_error(const struct statefile *f);

/* Closes a reader that stopped before the end on purpose (a tool that found a difference
 * it cannot read past), with no checks. NULL is fine. */
void statefile_abandon(struct statefile *f);

/* Closes; a reader also checks that nothing follows the last section. Returns true when
 * every call succeeded, otherwise false with the first error in err. NULL is fine. */
bool statefile_close(struct statefile *f, char *err, size_t errlen);

#endif
