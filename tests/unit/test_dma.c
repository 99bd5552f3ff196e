/* The 8237A pair through its ports, as firmware programs it: a byte channel writing and
 * reading memory through its page register, terminal count (status, mask, auto-init),
 * decrement, verify, the flip-flop's read-back, a word channel's addressing, DMA1 held
 * until the cascade channel 4 is unmasked, a device waiting on DREQ until the guest
 * unmasks its channel, and the page registers sharing 0x80-0x8F with the POST code port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/dma8237.h"
#include "devices/postcode.h"
#include "devrig.h"

#define RAM_SIZE (1u << 20)

struct t {
    struct devrig r;
    struct physmem mem;
    uint8_t *ram;
    struct dma dma;
    /* A device on some channel: what it offers, what it got. */
    uint8_t buf[256];
    size_t offer, moved;
    bool tc;
    unsigned calls;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    rig_init(&t->r);
    assert_int_equal(physmem_init(&t->mem), 0);
    t->ram = physmem_add_ram(&t->mem, 0, RAM_SIZE);
    assert_int_equal(dma_init(&t->dma, &t->r.io, &t->mem), 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    physmem_free(&t->mem);
    rig_free(&t->r);
    free(t);
    return 0;
}

static void service(void *opaque, unsigned ch)
{
    struct t *t = opaque;
    t->calls++;
    t->moved += dma_transfer(&t->dma, ch, t->buf + t->moved, t->offer - t->moved, &t->tc);
}

/* What SeaBIOS's dma_setup does: channel 4 cascades DMA1 and is unmasked. */
static void cascade_on(struct t *t)
{
    outb(&t->r, 0xD6, 0xC0);
    outb(&t->r, 0xD4, 0x00);
}

/* Channel 0-3: mask, address, count - 1, mode, page, unmask (SeaBIOS's dma_floppy). */
static void program(struct t *t, unsigned ch, uint32_t addr, uint16_t count, uint8_t mode)
{
    static const uint8_t page_port[4] = { 0x87, 0x83, 0x81, 0x82 };
    outb(&t->r, 0x0A, (uint8_t)(4 | ch));
    outb(&t->r, 0x0C, 0);
    outb(&t->r, (uint16_t)(2 * ch), (uint8_t)addr);
    outb(&t->r, (uint16_t)(2 * ch), (uint8_t)(addr >> 8));
    outb(&t->r, 0x0C, 0);
    outb(&t->r, (uint16_t)(2 * ch + 1), (uint8_t)(count - 1));
    outb(&t->r, (uint16_t)(2 * ch + 1), (uint8_t)((count - 1) >> 8));
    outb(&t->r, 0x0B, (uint8_t)(mode | ch));
    outb(&t->r, page_port[ch], (uint8_t)(addr >> 16));
    outb(&t->r, 0x0A, (uint8_t)ch);
}

static void test_write_to_memory_until_terminal_count(void **state)
{
    struct t *t = *state;
    cascade_on(t);
    dma_connect(&t->dma, 2, service, t);
    program(t, 2, 0x12340, 100, DMA_MODE_SINGLE | DMA_MODE_WRITE);
    for (unsigned i = 0; i < sizeof t->buf; i++)
        t->buf[i] = (uint8_t)(i ^ 0x5A);
    t->offer = 200;
    dma_set_dreq(&t->dma, 2, true);
    assert_int_equal(t->calls, 1);
    assert_int_equal(t->moved, 100); /* stopped at terminal count */
    assert_true(t->tc);
    for (unsigned i = 0; i < 100; i++)
        assert_int_equal(t->ram[0x12340 + i], (uint8_t)(i ^ 0x5A));
    assert_int_equal(t->ram[0x12340 + 100], 0);
    /* Status: TC for channel 2, the request while DREQ is up; reading clears TC. */
    assert_int_equal(inb(&t->r, 0x08), 0x44);
    assert_int_equal(inb(&t->r, 0x08), 0x40);
    /* Without auto-init the channel masked itself: the mask register reads it. */
    assert_int_equal(inb(&t->r, 0x0F) & 0x0F, 0x0F);
    assert_int_equal(dma_transfer(&t->dma, 2, t->buf, 1, NULL), 0);
    /* The current address and count read back through the flip-flop: past the end,
     * count 0xFFFF. */
    outb(&t->r, 0x0C, 0);
    assert_int_equal(inb(&t->r, 0x04), 0xA4);
    assert_int_equal(inb(&t->r, 0x04), 0x23);
    assert_int_equal(inb(&t->r, 0x05), 0xFF);
    assert_int_equal(inb(&t->r, 0x05), 0xFF);
}

static void test_read_from_memory_decrementing(void **state)
{
    struct t *t = *state;
    cascade_on(t);
    for (unsigned i = 0; i < 16; i++)
        t->ram[0x20000 + i] = (uint8_t)(0xA0 + i);
    program(t, 1, 0x2000F, 16, DMA_MODE_READ | DMA_MODE_DECREMENT | DMA_MODE_BLOCK);
    bool tc;
    uint8_t got[16];
    assert_int_equal(dma_transfer(&t->dma, 1, got, 16, &tc), 16);
    assert_true(tc);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(got[i], 0xAF - i);
}

static void test_autoinit_reloads_and_stays_unmasked(void **state)
{
    struct t *t = *state;
    cascade_on(t);
    program(t, 3, 0x30000, 4, DMA_MODE_WRITE | DMA_MODE_AUTOINIT);
    uint8_t data[6] = { 1, 2, 3, 4, 5, 6 };
    bool tc;
    assert_int_equal(dma_transfer(&t->dma, 3, data, 6, &tc), 4);
    assert_true(tc);
    assert_int_equal(dma_transfer(&t->dma, 3, data + 4, 2, &tc), 2); /* from the start */
    assert_false(tc);
    assert_memory_equal(t->ram + 0x30000, ((uint8_t[]){ 5, 6, 3, 4 }), 4);
    assert_int_equal(inb(&t->r, 0x0F) & 0x08, 0);
}

static void test_verify_counts_without_moving(void **state)
{
    struct t *t = *state;
    cascade_on(t);
    program(t, 0, 0x1000, 8, DMA_MODE_VERIFY);
    uint8_t data[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
    bool tc;
    assert_int_equal(dma_transfer(&t->dma, 0, data, 8, &tc), 8);
    assert_true(tc);
    assert_int_equal(t->ram[0x1000], 0);
}

/* Channel 5: address and count in words, the page's bit 0 ignored. */
static void test_word_channel_addresses_words(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0xD4, 0x05);               /* mask 5 */
    outb(&t->r, 0xD8, 0);                  /* flip-flop */
    outb(&t->r, 0xC4, 0x00);               /* word address 0x8000: byte 0x10000 */
    outb(&t->r, 0xC4, 0x80);
    outb(&t->r, 0xC6, 1);                  /* two words */
    outb(&t->r, 0xC6, 0);
    outb(&t->r, 0xD6, DMA_MODE_WRITE | 1);
    outb(&t->r, 0x8B, 0x03);               /* bits 23-17: 0x02 */
    outb(&t->r, 0xD4, 0x01);               /* unmask 5 */
    uint8_t data[4] = { 0x11, 0x22, 0x33, 0x44 };
    bool tc;
    assert_int_equal(dma_transfer(&t->dma, 5, data, 4, &tc), 4);
    assert_true(tc);
    assert_memory_equal(t->ram + 0x30000, data, 4);
    /* Status of DMA2 at 0xD0: TC of its channel 1. */
    assert_int_equal(inb(&t->r, 0xD0) & 0x0F, 0x02);
}

/* DMA1 reaches memory through channel 4; a device with DREQ up waits for the unmask. */
static void test_device_waits_for_cascade_and_unmask(void **state)
{
    struct t *t = *state;
    dma_connect(&t->dma, 2, service, t);
    program(t, 2, 0x4000, 4, DMA_MODE_WRITE);
    t->buf[0] = 0x77;
    t->offer = 4;
    dma_set_dreq(&t->dma, 2, true);
    assert_int_equal(t->calls, 0);        /* channel 4 masked since reset */
    assert_false(dma_channel_ready(&t->dma, 2));
    outb(&t->r, 0x0A, 0x06);              /* mask 2 */
    cascade_on(t);
    assert_int_equal(t->calls, 0);
    outb(&t->r, 0x0A, 0x02);              /* unmask 2: the device runs */
    assert_int_equal(t->calls, 1);
    assert_int_equal(t->moved, 4);
    assert_int_equal(t->ram[0x4000], 0x77);
    /* Master clear masks everything again. */
    outb(&t->r, 0x0D, 0);
    assert_int_equal(inb(&t->r, 0x0F) & 0x0F, 0x0F);
    /* The controller disable bit stops it too. */
    outb(&t->r, 0x0E, 0);
    outb(&t->r, 0x08, 0x04);
    assert_false(dma_channel_ready(&t->dma, 2));
}

static void test_page_registers_share_the_post_port(void **state)
{
    struct t *t = *state;
    struct postcode pc;
    assert_int_equal(postcode_init(&pc, &t->r.io, NULL), 0); /* 0x80 is free */
    for (unsigned p = 0x81; p <= 0x8F; p++)
        outb(&t->r, (uint16_t)p, (uint8_t)(p * 3));
    outb(&t->r, 0x80, 0x42);
    for (unsigned p = 0x81; p <= 0x8F; p++)
        assert_int_equal(inb(&t->r, (uint16_t)p), (uint8_t)(p * 3));
    assert_int_equal(inb(&t->r, 0x80), 0x42);
    assert_int_equal(t->dma.s.page[0x1], (uint8_t)(0x81 * 3)); /* channel 2's page */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_to_memory_until_terminal_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_read_from_memory_decrementing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_autoinit_reloads_and_stays_unmasked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_verify_counts_without_moving, setup, teardown),
        cmocka_unit_test_setup_teardown(test_word_channel_addresses_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_waits_for_cascade_and_unmask, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_page_registers_share_the_post_port, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
