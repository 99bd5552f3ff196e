/* A record of a run's inputs (-record, -replay): the file's layout (tools/RECORD-FORMAT.md),
 * its writer's encoding and its reader. A file format, so it lives with the core basics
 * like statefile.h and trace_format.h; what the events mean to a PC is
 * core/machine/record.c's business. All numbers little-endian.
 *
 *     "ORRYRPLY" (8)  version (u32)  config length (u32)  config text
 *     chunks: kind (u8)  payload length (u32)  payload
 *
 * Every chunk's payload starts with the instruction count (u64) and the virtual time in
 * ns (u64) of the machine boundary where it happened; they never go down from one chunk
 * to the next. */
#ifndef ORRERY_CORE_RECORD_H
#define ORRERY_CORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RECORD_MAGIC "ORRYRPLY"
#define RECORD_VERSION 1u
#define RECORD_CONFIG_MAX (16u << 10)   /* the config text's bound */
#define RECORD_SERIAL_MAX 16u           /* bytes per serial chunk: a 16550's FIFO */
#define RECORD_SUMS_MAX 64u             /* checksums per check chunk */
#define RECORD_STAMP 16u                /* icount and time at the start of each payload */
#define RECORD_ERRMAX 256
#define RECORD_PATH_MAX 1024u           /* a media change's image path, in bytes */
#define RECORD_FORMAT_MAX 15u           /* its format's name ("raw", "qcow2"), in bytes */
#define RECORD_MEDIA_FIXED 20u          /* a media event's body before its texts */

enum record_kind {
    RECORD_SERIAL = 1,    /* bytes into COM1's receive FIFO: 1-16 bytes */
    RECORD_KEY = 2,       /* a key: usage (u16), down (u8) */
    RECORD_MOUSE = 3,     /* mouse: dx, dy, dz (i32 each), buttons (u8) */
    RECORD_POWER = 4,     /* the ACPI power button */
    RECORD_RESET = 5,     /* the reset button */
    RECORD_MEDIA = 6,     /* a removable drive's medium changed or ejected (the monitor):
                             drive, op, force, format length (u8 each), path length
                             (u16), reserved (u16, 0), the image's size (u64) and CRC-32
                             (u32), then the format's name and the path */
    RECORD_CHECK = 0x20,  /* state checksums: count (u32), that many CRC-32s, RAM's (u32),
                             has_ram (u8) */
    RECORD_SNAPSHOT = 0x21, /* a whole saved state (core/statefile.h's gzip file) */
    RECORD_END = 0x7F,    /* the run ended here; nothing follows */
};

/* What a RECORD_MEDIA event does. */
enum record_media_op { RECORD_MEDIA_EJECT = 0, RECORD_MEDIA_CHANGE = 1 };

/* An input event (serial, key, mouse, power, reset, media) as read or to be written. A
 * media event's path is the event's own (malloc'd; record_event_free frees it). */
struct record_event {
    uint8_t kind;
    uint8_t n;            /* RECORD_SERIAL: bytes in data */
    uint64_t icount, time;
    union {
        uint8_t data[RECORD_SERIAL_MAX];
        struct { uint16_t usage; uint8_t down; } key;
        struct { int32_t dx, dy, dz; uint8_t buttons; } mouse;
        struct {
            uint8_t drive, op, force;       /* the machine's drive index; enum above */
            char format[RECORD_FORMAT_MAX + 1]; /* "" when not given */
            uint64_t size;                  /* a change: the image's bytes and CRC-32 */
            uint32_t crc;
            char *path;                     /* a change: the image; NULL for eject */
        } media;
    } u;
};

void record_event_free(struct record_event *e);

/* A check: the checksums of the machine's state sections, RAM's when has_ram. */
struct record_check {
    uint64_t icount, time;
    uint32_t n;
    uint32_t sum[RECORD_SUMS_MAX];
    uint32_t ram;
    uint8_t has_ram;
};

/* A snapshot: where its state file's bytes are in the record, and how many events and
 * checks came before it (where a replay restarting from it goes on). */
struct record_snapshot {
    uint64_t icount, time;
    uint64_t offset, len;
    size_t next_event, next_check;
};

/* A whole record read into memory, snapshots by reference. */
struct record_index {
    char config[RECORD_CONFIG_MAX + 1];
    struct record_event *ev;
    size_t nev, capev;
    struct record_check *chk;
    size_t nchk, capchk;
    struct record_snapshot *snap;
    size_t nsnap, capsnap;
    uint64_t end_icount, end_time;
};

/* Reads f (from its start) into idx: checks the magic, the version, every chunk's kind,
 * length and contents, and that stamps never go down and END comes last. False with one
 * line in err (RECORD_ERRMAX bytes) naming what is wrong and where; idx is then freed.
 * name is the file's name for messages. */
bool record_read(FILE *f, const char *name, struct record_index *idx, char *err);
void record_index_free(struct record_index *idx);

/* Writing: the header, then one chunk at a time. False when a write failed (errno). */
bool record_write_header(FILE *f, const char *config);
bool record_write_event(FILE *f, const struct record_event *e);
bool record_write_check(FILE *f, const struct record_check *c);
/* A chunk of kind with its stamp, then len bytes of body (NULL: none). */
bool record_write_chunk(FILE *f, uint8_t kind, uint64_t icount, uint64_t time,
                        const void *body, uint32_t len);

#endif
