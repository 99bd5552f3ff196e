/* SPDX-License-Identifier: MIT */
/*
 * Streaming reader for the "MOO" CPU test-vector container
 * (see shared/conformance/MOO-FORMAT.md).
 *
 * The input is treated as hostile: every length and count is checked against
 * its container, unknown chunks are skipped at every nesting level, sizes are
 * capped, and each test's HASH (SHA-1) is verified.  Files are read through
 * zlib (plain or gzip, streaming); one TEST chunk is held in memory at a time.
 *
 * Error messages are a single line without the file name (the caller adds it).
 */
#ifndef ORRERY_MOO_H
#define ORRERY_MOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* REGS / RMSK bit order (16-bit flavour). */
enum moo_r16 { MOO_AX, MOO_BX, MOO_CX, MOO_DX, MOO_CS, MOO_SS, MOO_DS, MOO_ES,
               MOO_SP, MOO_BP, MOO_SI, MOO_DI, MOO_IP, MOO_FLAGS, MOO_R16_COUNT };

/* RG32 / RM32 bit order (32-bit flavour, 386E). */
enum moo_r32 { MOO_CR0, MOO_CR3, MOO_EAX, MOO_EBX, MOO_ECX, MOO_EDX, MOO_ESI, MOO_EDI,
               MOO_EBP, MOO_ESP, MOO_CS32, MOO_DS32, MOO_ES32, MOO_FS32, MOO_GS32, MOO_SS32,
               MOO_EIP, MOO_EFLAGS, MOO_DR6, MOO_DR7, MOO_R32_COUNT };

#define MOO_R16_ALL 0x3FFFu    /* all 14 REGS bits */
#define MOO_R32_ALL 0xFFFFFu   /* all 20 RG32 bits */

/* Hard limits (inputs beyond them are rejected as errors). */
#define MOO_MAX_TEST_PAYLOAD (64u * 1024u * 1024u) /* one TEST chunk */
#define MOO_MAX_BYTES 32u                          /* BYTS count */
#define MOO_MAX_QUEUE 16u                          /* QUEU count */
#define MOO_NAME_MAX 128u                          /* name[] size incl. NUL; longer names are truncated */

/* bit i of present = v[i] valid; index is moo_r16 or moo_r32 depending on file flavour.
 * For a mask (RMSK/RM32) v[i] is an AND mask: 1 = defined (compare), 0 = undefined. */
struct moo_regs { uint32_t present; uint32_t v[MOO_R32_COUNT]; };

struct moo_ram { uint32_t addr; uint8_t val; };

/* One 15-byte CYCL record. The fields after tstate only mean something on the
 * 8088 family; in 286/386 files they may hold leftovers. */
struct moo_cycle {
    uint8_t pins0; uint32_t addr; uint8_t mem; uint8_t io; uint16_t data; uint8_t status; uint8_t tstate;
    uint8_t seg; uint8_t pins1; uint8_t qop; uint8_t qbyte;
};

struct moo_state {
    struct moo_regs regs;
    struct moo_regs mask;            /* mask.present==0: no RMSK/RM32 */
    struct moo_ram *ram; uint32_t nram;
    uint8_t queue[MOO_MAX_QUEUE]; uint32_t nqueue; /* QUEU (8088 family only) */
};

/* EA32 (386 INIT only, optional; informational). */
struct moo_ea32 {
    uint8_t seg; uint16_t selector; uint32_t base, limit, offset, linear, physical;
};

struct moo_test {
    uint32_t index; char name[MOO_NAME_MAX]; uint8_t bytes[MOO_MAX_BYTES]; uint32_t nbytes;
    struct moo_state init, fina;
    struct moo_cycle *cycles; uint32_t ncycles;
    bool has_excp; uint8_t excp_vector; uint32_t excp_flags_addr;
    uint8_t hash[20]; char hash_hex[41];
    /* additions */
    bool name_truncated;             /* NAME was longer than name[] can hold */
    bool has_ea; struct moo_ea32 ea;
    uint32_t ordinal;                /* 0-based position of this TEST in the file */
};

/* Header and META information (additions). */
struct moo_info {
    uint8_t version_major, version_minor;      /* MOO header */
    bool has_meta;                             /* a META chunk was seen */
    uint8_t suite_major, suite_minor, cpu_model;
    uint32_t opcode;                           /* 0xFFFFFFFF = mixed */
    char mnemonic[9];                          /* trailing spaces trimmed */
    uint32_t meta_test_count;                  /* unreliable, see spec 4.2 */
    uint64_t seed;
    uint8_t cpu_mode;                          /* 0 real, 1 protected, 2 v86, 3 unreal */
    uint8_t group_ext;                         /* 0xFF none; 0 in current files */
};

/* opaque reader: owns buffers reused from test to test (grown with realloc only) */
struct moo_file;

/* NULL + message on failure. The MOO header and any top-level chunks before the
 * first TEST (META, RMSK/RM32, unknown) are read here. */
struct moo_file *moo_open(const char *path, char *err, size_t errlen);
/* Same on a memory image (not copied: it must outlive the reader). */
struct moo_file *moo_open_mem(const void *data, size_t len, char *err, size_t errlen);

const char *moo_cpu_id(const struct moo_file *f);   /* "C286", "386E", ... (trailing spaces trimmed) */
bool moo_is_32bit(const struct moo_file *f);        /* RG32 flavour (CPU id starting with "386") */
uint32_t moo_test_count(const struct moo_file *f);  /* from the MOO header */
const struct moo_regs *moo_file_mask(const struct moo_file *f); /* top-level RMSK/RM32; present==0 if none */
const struct moo_info *moo_file_info(const struct moo_file *f);

/* Verify each test's HASH (default: on). Turning it off is for fuzzing. */
void moo_set_verify_hash(struct moo_file *f, bool on);

/* 1 = got a test, 0 = clean end after exactly count tests, -1 = error (message set).
 * Pointers inside *t stay valid until the next call (or moo_close).
 * After an error every further call returns -1 again. */
int moo_next(struct moo_file *f, struct moo_test *t, char *err, size_t errlen);

void moo_close(struct moo_file *f);   /* NULL is allowed */

#endif
