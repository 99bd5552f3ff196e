/* Guest values are little-endian; these convert at the memory boundary (STYLE.md). On a
 * little-endian host each is one plain move: memcpy of a constant size compiles to a
 * load or store, with no alignment requirement. */
#ifndef ORRERY_CORE_BITS_H
#define ORRERY_CORE_BITS_H

#include <stdint.h>
#include <string.h>

#include "core/compiler.h"

static ALWAYS_INLINE uint16_t load_le16(const void *p)
{
#if defined(HOST_LITTLE_ENDIAN) || defined(HOST_BIG_ENDIAN)
    uint16_t v;
    memcpy(&v, p, 2);
#ifdef HOST_BIG_ENDIAN
    v = bswap16(v);
#endif
    return v;
#else
    const uint8_t *b = p;
    return (uint16_t)(b[0] | b[1] << 8);
#endif
}

static ALWAYS_INLINE uint32_t load_le32(const void *p)
{
#if defined(HOST_LITTLE_ENDIAN) || defined(HOST_BIG_ENDIAN)
    uint32_t v;
    memcpy(&v, p, 4);
#ifdef HOST_BIG_ENDIAN
    v = bswap32(v);
#endif
    return v;
#else
    const uint8_t *b = p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
#endif
}

static ALWAYS_INLINE void store_le16(void *p, uint16_t v)
{
#if defined(HOST_LITTLE_ENDIAN) || defined(HOST_BIG_ENDIAN)
#ifdef HOST_BIG_ENDIAN
    v = bswap16(v);
#endif
    memcpy(p, &v, 2);
#else
    uint8_t *b = p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
#endif
}

static ALWAYS_INLINE void store_le32(void *p, uint32_t v)
{
#if defined(HOST_LITTLE_ENDIAN) || defined(HOST_BIG_ENDIAN)
#ifdef HOST_BIG_ENDIAN
    v = bswap32(v);
#endif
    memcpy(p, &v, 4);
#else
    uint8_t *b = p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
#endif
}

/* A guest value of 1, 2 or 4 bytes (size is a constant at every call site). */
static ALWAYS_INLINE uint32_t load_le(const void *p, unsigned size)
{
    return size == 1 ? *(const uint8_t *)p : size == 2 ? load_le16(p) : load_le32(p);
}

static ALWAYS_INLINE void store_le(void *p, unsigned size, uint32_t v)
{
    if (size == 1)
        *(uint8_t *)p = (uint8_t)v;
    else if (size == 2)
        store_le16(p, (uint16_t)v);
    else
        store_le32(p, v);
}

#endif
