/* SPDX-License-Identifier: MIT */
/* SHA-1 (FIPS 180-4), streaming interface. Used to check MOO test HASH chunks. */
#ifndef ORRERY_SHA1_H
#define ORRERY_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

struct sha1_ctx {
    uint32_t h[5];
    uint64_t nbytes;     /* total message length so far, in bytes */
    uint8_t block[64];   /* partial block */
    size_t fill;         /* bytes used in block[] */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN]);

/* One-shot helper. */
void sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN]);

/* Write 40 lower-case hex digits plus NUL into hex[41]. */
void sha1_to_hex(const uint8_t digest[SHA1_DIGEST_LEN], char hex[41]);

#endif
