/* The remote serial protocol's framing: see rsp.h. */
#include "frontends/gdb/rsp.h"

#include <string.h>

enum { OUTSIDE, INSIDE, SUM1, SUM2 };

void rsp_parser_init(struct rsp_parser *p)
{
    memset(p, 0, sizeof *p);
}

int rsp_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The raw payload with escapes undone and run-lengths expanded, into buf. False when the
 * result does not fit or the encoding is cut short. */
static bool decode(struct rsp_parser *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->raw_len; i++) {
        uint8_t c = (uint8_t)p->raw[i];
        if (c == '}') {
            if (++i == p->raw_len || n == RSP_PACKET_MAX)
                return false;
            p->buf[n++] = (char)((uint8_t)p->raw[i] ^ 0x20);
        } else if (c == '*') {
            if (++i == p->raw_len || n == 0)
                return false;
            int count = (uint8_t)p->raw[i] - 29;
            if (count < 0 || n + (size_t)count > RSP_PACKET_MAX)
                return false;
            for (int k = 0; k < count; k++, n++)
                p->buf[n] = p->buf[n - 1];
        } else {
            if (n == RSP_PACKET_MAX)
                return false;
            p->buf[n++] = (char)c;
        }
    }
    p->buf[n] = '\0';
    p->len = n;
    return true;
}

enum rsp_event rsp_feed(struct rsp_parser *p, uint8_t c)
{
    switch (p->state) {
    case OUTSIDE:
        if (c == '$') {
            p->state = INSIDE;
            p->sum = 0;
            p->raw_len = 0;
            p->too_long = false;
            return RSP_NONE;
        }
        if (c == '+')
            return RSP_ACK;
        if (c == '-')
            return RSP_NACK;
        if (c == 0x03)
            return RSP_INTERRUPT;
        return RSP_NONE; /* noise between packets */
    case INSIDE:
        if (c == '#') {
            p->state = SUM1;
            return RSP_NONE;
        }
        if (c == '$') { /* a new start: the sender gave up on the old packet */
            p->sum = 0;
            p->raw_len = 0;
            p->too_long = false;
            return RSP_NONE;
        }
        p->sum = (uint8_t)(p->sum + c);
        if (p->raw_len == sizeof p->raw)
            p->too_long = true;
        else
            p->raw[p->raw_len++] = (char)c;
        return RSP_NONE;
    case SUM1: {
        int v = rsp_hex_value((char)c);
        p->want = (uint8_t)((v < 0 ? 0 : v) << 4);
        p->state = v < 0 ? OUTSIDE : SUM2;
        return v < 0 ? RSP_BAD : RSP_NONE;
    }
    default: {
        int v = rsp_hex_value((char)c);
        p->state = OUTSIDE;
        if (v < 0 || (uint8_t)(p->want | v) != p->sum || p->too_long || !decode(p))
            return RSP_BAD;
        return RSP_PACKET;
    }
    }
}

static const char hexdig[] = "0123456789abcdef";

size_t rsp_frame(const uint8_t *payload, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    uint8_t sum = 0;
    if (cap < 4)
        return 0;
    out[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = payload[i];
        bool esc = c == '#' || c == '$' || c == '}' || c == '*';
        if (n + (esc ? 2 : 1) + 3 > cap)
            return 0;
        if (esc) {
            out[n++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        out[n++] = (char)c;
        sum = (uint8_t)(sum + c);
    }
    out[n++] = '#';
    out[n++] = hexdig[sum >> 4];
    out[n++] = hexdig[sum & 15];
    return n;
}

void rsp_to_hex(const uint8_t *bytes, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hexdig[bytes[i] >> 4];
        out[2 * i + 1] = hexdig[bytes[i] & 15];
    }
    out[2 * len] = '\0';
}

bool rsp_from_hex(const char *hex, uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = rsp_hex_value(hex[2 * i]);
        if (hi < 0)
            return false;
        int lo = rsp_hex_value(hex[2 * i + 1]);
        if (lo < 0)
            return false;
        bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

bool rsp_number(const char **s, uint64_t *v)
{
    const char *p = *s;
    uint64_t n = 0;
    int d;
    if (rsp_hex_value(*p) < 0)
        return false;
    while ((d = rsp_hex_value(*p)) >= 0) {
        if (n >> 60)
            return false;
        n = n << 4 | (uint64_t)d;
        p++;
    }
    *s = p;
    *v = n;
    return true;
}
