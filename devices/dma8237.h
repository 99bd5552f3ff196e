/* The AT's two Intel 8237A DMA controllers (8237A datasheet; the 82371SB PIIX3 datasheet's
 * "DMA controller" chapter for the PC's wiring of them).
 *
 * DMA1 serves channels 0-3 with byte transfers, at ports 0x00-0x0F; DMA2 serves channels
 * 4-7 with word transfers, at 0xC0-0xDF (A0 unconnected: its registers sit at even ports
 * and the odd ones alias them). DMA1 cascades into DMA2's channel 4, so channels 0-3 move
 * data only while channel 4 is unmasked (firmware sets it to cascade mode and unmasks it).
 * Page registers (address bits 23-16) at 0x81-0x8F: channel 2 at 0x81, 3 at 0x82, 1 at
 * 0x83, 0 at 0x87, 6 at 0x89, 7 at 0x8A, 5 at 0x8B, 4 at 0x8F; the rest are scratch
 * bytes. Port 0x80, the first of them, stays with devices/postcode (it keeps and reads
 * back its byte as the page register would, and logs POST codes).
 *
 * Per channel: base and current address and count (16 bits through the byte pointer
 * flip-flop), the mode (verify/write/read transfer, auto-initialise, increment or
 * decrement, demand/single/block/cascade), the mask bit and the request bit. Per
 * controller: command (bit 2 disables it), status (terminal count bits 0-3, cleared by
 * reading; requests in bits 4-7), master clear, clear mask, write all masks. A word
 * channel's address counts words: it reaches bytes ((page & 0xFE) << 16) + 2 * address.
 * A byte channel's address wraps inside its 64 KiB page, as the 8237 never carries into
 * the page register.
 *
 * Devices own their DREQ line (dma_set_dreq) and a service routine the controller calls
 * while DREQ is high and the channel may run (unmasked, controller enabled, cascade
 * open): at once, or when the guest later unmasks the channel. The routine moves data
 * with dma_transfer, as much as it has; the controller stops a transfer at terminal count
 * (count 0 passed: TC status, then reload when auto-initialising, else the mask bit set).
 * Timing of single, demand and block mode is not modelled: data moves when the device
 * offers it. Memory-to-memory transfers (command bit 0) are not implemented.
 *
 * Memory is reached through physmem_read/physmem_write, the path devices use, so a
 * transfer over translated code invalidates it. */
#ifndef ORRERY_DEVICES_DMA8237_H
#define ORRERY_DEVICES_DMA8237_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/iobus.h"
#include "core/savestate.h"
#include "mmu/physmem.h"

enum {
    DMA_MODE_VERIFY = 0x00, DMA_MODE_WRITE = 0x04, DMA_MODE_READ = 0x08, /* bits 3-2 */
    DMA_MODE_AUTOINIT = 0x10, DMA_MODE_DECREMENT = 0x20,
    DMA_MODE_DEMAND = 0x00, DMA_MODE_SINGLE = 0x40, DMA_MODE_BLOCK = 0x80,
    DMA_MODE_CASCADE = 0xC0,
};

struct dma_channel {
    uint16_t base_addr, cur_addr;
    uint16_t base_count, cur_count;
    uint8_t mode;            /* the mode byte as written, channel bits clear */
    uint8_t dreq;            /* the device's DREQ line */
    uint8_t pad[2];
};

struct dma_controller {
    struct dma_channel ch[4];
    uint8_t command;
    uint8_t status;          /* bits 0-3 terminal count reached; requests are computed */
    uint8_t mask;            /* bits 0-3 */
    uint8_t request;         /* software requests, bits 0-3 */
    uint8_t flipflop;        /* 1: the next address/count byte is the high one */
    uint8_t pad[3];
};

struct dma_state {
    struct dma_controller c[2];
    uint8_t page[16];        /* ports 0x80-0x8F (0x80's byte unused: postcode has it) */
};

typedef void (*dma_service_fn)(void *opaque, unsigned ch);

struct dma {
    struct dma_state s;
    /* Wiring. */
    struct physmem *mem;
    dma_service_fn service[8];
    void *opaque[8];
    uint8_t in_service;      /* bit per channel: its routine is running (no re-entry) */
};

int dma_init(struct dma *d, struct iobus *io, struct physmem *mem);
void dma_reset(struct dma *d);
/* The device on channel ch (0-7): its service routine. */
void dma_connect(struct dma *d, unsigned ch, dma_service_fn fn, void *opaque);
/* The device drives DREQ; a high DREQ on a channel that may run calls its routine. */
void dma_set_dreq(struct dma *d, unsigned ch, bool level);
/* Moves up to n bytes (a whole number of words on channels 4-7) between buf and memory,
 * in the direction the channel's mode says: WRITE copies buf to memory, READ fills buf
 * from memory, VERIFY moves nothing but counts. Returns the bytes counted: fewer than n
 * when the channel reached terminal count (*tc set, if given) or may not run. */
size_t dma_transfer(struct dma *d, unsigned ch, uint8_t *buf, size_t n, bool *tc);
/* Whether channel ch may transfer now (unmasked, enabled, not cascade, cascade open). */
bool dma_channel_ready(const struct dma *d, unsigned ch);

extern const struct savestate_desc dma_savestate; /* struct dma_state */

#endif
