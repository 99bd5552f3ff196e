/* The GDB remote serial protocol's framing (GDB manual, "Overview" of the Remote Protocol):
 * a packet is $payload#cs with cs the modulo-256 sum of the payload's bytes in two hex
 * digits; the receiver answers + (good) or - (send again) until no-ack mode; 0x7D (}) escapes
 * the next byte XOR 0x20, and * repeats the previous byte (the byte after it minus 29
 * times). A 0x03 byte outside a packet is an interrupt (Ctrl-C).
 *
 * This is pure byte shuffling, with no socket and no machine, so that it can be tested
 * alone (tests/unit/test_rsp.c). */
#ifndef ORRERY_FRONTENDS_GDB_RSP_H
#define ORRERY_FRONTENDS_GDB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest payload taken or sent; qSupported announces it as PacketSize. */
#define RSP_PACKET_MAX 0x4000

enum rsp_event {
    RSP_NONE,      /* nothing complete yet */
    RSP_PACKET,    /* a packet with a good checksum: buf, len hold its payload, decoded */
    RSP_BAD,       /* a packet with a bad checksum, or too long: answer - */
    RSP_ACK,       /* + */
    RSP_NACK,      /* -: send the last packet again */
    RSP_INTERRUPT, /* 0x03 outside a packet */
};

struct rsp_parser {
    uint8_t state;    /* outside, inside a packet, first checksum digit, second */
    uint8_t sum;      /* of the raw payload so far */
    uint8_t want;     /* the checksum the sender gave */
    bool too_long;
    size_t raw_len;
    char raw[RSP_PACKET_MAX];
    size_t len;       /* the decoded payload after RSP_PACKET (NUL-terminated) */
    char buf[RSP_PACKET_MAX + 1];
};

void rsp_parser_init(struct rsp_parser *p);
/* Takes one byte from the connection; returns what it completed. */
enum rsp_event rsp_feed(struct rsp_parser *p, uint8_t c);

/* Frames a payload as $...#cs, escaping # $ } * with }. Returns the framed length, or 0
 * when it does not fit cap bytes. */
size_t rsp_frame(const uint8_t *payload, size_t len, char *out, size_t cap);

/* Hex digits, as the protocol writes numbers and data. rsp_hex_value: -1 if not one.
 * rsp_to_hex writes 2*len digits and a NUL. rsp_from_hex reads 2*len digits, false when
 * one is not a hex digit. rsp_number reads a hex number up to a character that is not
 * one, moving *s past it; false when there is none or it overflows 64 bits. */
int rsp_hex_value(char c);
void rsp_to_hex(const uint8_t *bytes, size_t len, char *out);
bool rsp_from_hex(const char *hex, uint8_t *bytes, size_t len);
bool rsp_number(const char **s, uint64_t *v);

#endif
