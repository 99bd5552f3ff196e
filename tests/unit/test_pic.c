/* The 8259A pair through its ports (8259A datasheet): initialisation, priorities, EOIs,
 * the cascade, ELCR, spurious vectors, poll and special mask modes. The CPU side is
 * pic_intack and the INT line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/pic8259.h"
#include "devrig.h"

#define INT_LINE 20

struct t {
    struct devrig r;
    struct pic pic;
};

/* The PC BIOS programming: edge, cascade, vectors 0x08 and 0x70, 8086 mode. */
static void init_pc(struct t *t, uint8_t icw4)
{
    struct devrig *r = &t->r;
    outb(r, 0x20, 0x11);
    outb(r, 0x21, 0x08);
    outb(r, 0x21, 0x04);
    outb(r, 0x21, icw4);
    outb(r, 0xA0, 0x11);
    outb(r, 0xA1, 0x70);
    outb(r, 0xA1, 0x02);
    outb(r, 0xA1, icw4);
    outb(r, 0x21, 0x00);
    outb(r, 0xA1, 0x00);
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    rig_init(&t->r);
    assert_int_equal(pic_init(&t->pic, &t->r.io, &t->r.line[INT_LINE]), 0);
    init_pc(t, 0x01);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    rig_free(&t->r);
    free(t);
    return 0;
}

static void irq(struct t *t, unsigned n, int level)
{
    pic_set_irq(&t->pic, n, level);
}

static uint8_t int_line(struct t *t)
{
    return t->r.level[INT_LINE];
}

static void eoi(struct t *t, uint16_t port)
{
    outb(&t->r, port, 0x20);
}

static uint8_t read_isr(struct t *t, uint16_t port)
{
    outb(&t->r, port, 0x0B);
    uint8_t v = inb(&t->r, port);
    outb(&t->r, port, 0x0A);
    return v;
}

static void test_edge_irq_raises_int_and_inta_gives_vector(void **state)
{
    struct t *t = *state;
    assert_int_equal(int_line(t), 0);
    irq(t, 1, 1);
    assert_int_equal(int_line(t), 1);
    assert_int_equal(inb(&t->r, 0x20), 0x02); /* IRR */
    assert_int_equal(pic_intack(&t->pic), 0x09);
    assert_int_equal(int_line(t), 0);
    assert_int_equal(read_isr(t, 0x20), 0x02);
    assert_int_equal(inb(&t->r, 0x20), 0x00); /* the edge is consumed */
}

static void test_edge_input_needs_a_new_rising_edge(void **state)
{
    struct t *t = *state;
    irq(t, 3, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0B);
    eoi(t, 0x20);
    irq(t, 3, 1); /* still high: no new request */
    assert_int_equal(int_line(t), 0);
    irq(t, 3, 0);
    irq(t, 3, 1);
    assert_int_equal(int_line(t), 1);
}

static void test_in_service_blocks_lower_priority_until_eoi(void **state)
{
    struct t *t = *state;
    irq(t, 3, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0B);
    irq(t, 4, 1);
    assert_int_equal(int_line(t), 0); /* IRQ 4 waits for the EOI of IRQ 3 */
    eoi(t, 0x20);
    assert_int_equal(int_line(t), 1);
    assert_int_equal(pic_intack(&t->pic), 0x0C);
}

static void test_higher_priority_nests_over_in_service(void **state)
{
    struct t *t = *state;
    irq(t, 4, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0C);
    irq(t, 1, 1);
    assert_int_equal(int_line(t), 1);
    assert_int_equal(pic_intack(&t->pic), 0x09);
    assert_int_equal(read_isr(t, 0x20), 0x12);
    eoi(t, 0x20); /* non-specific: the highest in service, IRQ 1 */
    assert_int_equal(read_isr(t, 0x20), 0x10);
}

static void test_masked_irq_waits_in_irr(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x21, 0x01);
    irq(t, 0, 1);
    assert_int_equal(int_line(t), 0);
    assert_int_equal(inb(&t->r, 0x20), 0x01);
    assert_int_equal(inb(&t->r, 0x21), 0x01);
    outb(&t->r, 0x21, 0x00);
    assert_int_equal(int_line(t), 1);
}

static void test_slave_irq_comes_through_the_cascade(void **state)
{
    struct t *t = *state;
    irq(t, 12, 1);
    assert_int_equal(int_line(t), 1);
    assert_int_equal(pic_intack(&t->pic), 0x74);
    assert_int_equal(read_isr(t, 0x20), 0x04);
    assert_int_equal(read_isr(t, 0xA0), 0x10);
    eoi(t, 0xA0);
    eoi(t, 0x20);
    assert_int_equal(read_isr(t, 0x20), 0x00);
    assert_int_equal(read_isr(t, 0xA0), 0x00);
}

static void test_second_slave_request_follows_after_both_eois(void **state)
{
    struct t *t = *state;
    irq(t, 8, 1);
    irq(t, 12, 1);
    assert_int_equal(pic_intack(&t->pic), 0x70);
    assert_int_equal(int_line(t), 0); /* master IR2 in service */
    eoi(t, 0xA0);
    eoi(t, 0x20);
    assert_int_equal(int_line(t), 1);
    assert_int_equal(pic_intack(&t->pic), 0x74);
}

/* On the real part a request that goes away between INT and INTA gives the IR7 vector
 * (datasheet, "Interrupt sequence"). orrery samples INT between instructions and
 * acknowledges at once, so the race needs an INTA with nothing pending. */
static void test_inta_without_request_gives_spurious_irq7(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x4D0, 0x20); /* IRQ 5 level-triggered */
    irq(t, 5, 1);
    assert_int_equal(int_line(t), 1);
    irq(t, 5, 0);
    assert_int_equal(int_line(t), 0); /* INT follows the request away */
    assert_int_equal(pic_intack(&t->pic), 0x0F);
    assert_int_equal(read_isr(t, 0x20), 0x00); /* a spurious IRQ 7 is not in service */
}

static void test_masking_a_pending_request_drops_int(void **state)
{
    struct t *t = *state;
    irq(t, 11, 1);
    assert_int_equal(int_line(t), 1);
    outb(&t->r, 0xA1, 0x08);
    assert_int_equal(int_line(t), 0);
    outb(&t->r, 0xA1, 0x00);
    assert_int_equal(pic_intack(&t->pic), 0x73);
}

static void test_slave_reinitialised_needs_new_edge(void **state)
{
    struct t *t = *state;
    irq(t, 9, 1);
    outb(&t->r, 0xA0, 0x11);  /* reinitialising the slave drops its request */
    outb(&t->r, 0xA1, 0x70);
    outb(&t->r, 0xA1, 0x02);
    outb(&t->r, 0xA1, 0x01);
    assert_int_equal(int_line(t), 0);
    irq(t, 9, 1);             /* still high: no new edge */
    assert_int_equal(int_line(t), 0);
    irq(t, 9, 0);
    irq(t, 9, 1);
    assert_int_equal(pic_intack(&t->pic), 0x71);
}

/* Both chips in automatic EOI: the slave's INT stays high from one request to the next,
 * and the master still sees the second one. */
static void test_back_to_back_slave_requests_in_auto_eoi(void **state)
{
    struct t *t = *state;
    init_pc(t, 0x03);
    irq(t, 8, 1);
    irq(t, 12, 1);
    assert_int_equal(pic_intack(&t->pic), 0x70);
    assert_int_equal(int_line(t), 1);
    assert_int_equal(pic_intack(&t->pic), 0x74);
    assert_int_equal(int_line(t), 0);
}

static void test_level_irq_requests_again_after_eoi_while_high(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x4D1, 0x02); /* IRQ 9 level */
    assert_int_equal(inb(&t->r, 0x4D1), 0x02);
    irq(t, 9, 1);
    assert_int_equal(pic_intack(&t->pic), 0x71);
    eoi(t, 0xA0);
    eoi(t, 0x20);
    assert_int_equal(int_line(t), 1); /* still high */
    assert_int_equal(pic_intack(&t->pic), 0x71);
    irq(t, 9, 0);
    eoi(t, 0xA0);
    eoi(t, 0x20);
    assert_int_equal(int_line(t), 0);
}

static void test_elcr_cannot_make_irq_0_1_2_8_13_level(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x4D0, 0xFF);
    outb(&t->r, 0x4D1, 0xFF);
    assert_int_equal(inb(&t->r, 0x4D0), 0xF8);
    assert_int_equal(inb(&t->r, 0x4D1), 0xDE);
}

static void test_auto_eoi_leaves_nothing_in_service(void **state)
{
    struct t *t = *state;
    init_pc(t, 0x03);
    irq(t, 6, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0E);
    assert_int_equal(read_isr(t, 0x20), 0x00);
    irq(t, 7, 1);
    assert_int_equal(int_line(t), 1); /* nothing blocks it */
}

static void test_specific_eoi_clears_the_named_level(void **state)
{
    struct t *t = *state;
    irq(t, 5, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0D);
    irq(t, 2 + 1, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0B);
    outb(&t->r, 0x20, 0x65); /* specific EOI for 5 */
    assert_int_equal(read_isr(t, 0x20), 0x08);
}

static void test_rotate_on_eoi_makes_the_served_level_lowest(void **state)
{
    struct t *t = *state;
    irq(t, 0, 1);
    assert_int_equal(pic_intack(&t->pic), 0x08);
    outb(&t->r, 0x20, 0xA0); /* rotate on non-specific EOI: 0 becomes the lowest */
    irq(t, 0, 0);
    irq(t, 0, 1);
    irq(t, 5, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0D); /* 5 now beats 0 */
}

static void test_set_priority_command(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x20, 0xC4); /* IR4 lowest: IR5 highest */
    irq(t, 3, 1);
    irq(t, 6, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0E);
}

static void test_poll_reads_level_and_acknowledges(void **state)
{
    struct t *t = *state;
    irq(t, 6, 1);
    outb(&t->r, 0x20, 0x0C); /* OCW3 poll */
    assert_int_equal(inb(&t->r, 0x20), 0x86);
    assert_int_equal(read_isr(t, 0x20), 0x40);
    outb(&t->r, 0x20, 0x0C);
    assert_int_equal(inb(&t->r, 0x20), 0x00); /* nothing left */
}

static void test_special_mask_mode_lets_lower_levels_in(void **state)
{
    struct t *t = *state;
    irq(t, 3, 1);
    assert_int_equal(pic_intack(&t->pic), 0x0B);
    outb(&t->r, 0x21, 0x08);  /* mask the level in service */
    outb(&t->r, 0x20, 0x68);  /* OCW3: set special mask mode */
    irq(t, 6, 1);
    assert_int_equal(int_line(t), 1);
    assert_int_equal(pic_intack(&t->pic), 0x0E);
    outb(&t->r, 0x20, 0x48);  /* reset special mask mode */
    irq(t, 7, 1);
    assert_int_equal(int_line(t), 0);
}

static void test_icw1_clears_mask_and_service(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x21, 0xFF);
    irq(t, 1, 1);
    outb(&t->r, 0x21, 0x00);
    assert_int_equal(pic_intack(&t->pic), 0x09);
    init_pc(t, 0x01);
    assert_int_equal(inb(&t->r, 0x21), 0x00);
    assert_int_equal(read_isr(t, 0x20), 0x00);
    assert_int_equal(int_line(t), 0);
}

static void test_special_fully_nested_lets_slave_nest(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x20, 0x11);
    outb(&t->r, 0x21, 0x08);
    outb(&t->r, 0x21, 0x04);
    outb(&t->r, 0x21, 0x11); /* SFNM */
    irq(t, 12, 1);
    assert_int_equal(pic_intack(&t->pic), 0x74);
    irq(t, 8, 1); /* higher priority on the same slave */
    assert_int_equal(int_line(t), 1);
    assert_int_equal(pic_intack(&t->pic), 0x70);
}

static void test_vector_base_from_icw2(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0x20, 0x11);
    outb(&t->r, 0x21, 0x20);
    outb(&t->r, 0x21, 0x04);
    outb(&t->r, 0x21, 0x01);
    irq(t, 0, 1);
    assert_int_equal(pic_intack(&t->pic), 0x20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_edge_irq_raises_int_and_inta_gives_vector),
        T(test_edge_input_needs_a_new_rising_edge),
        T(test_in_service_blocks_lower_priority_until_eoi),
        T(test_higher_priority_nests_over_in_service),
        T(test_masked_irq_waits_in_irr),
        T(test_slave_irq_comes_through_the_cascade),
        T(test_second_slave_request_follows_after_both_eois),
        T(test_inta_without_request_gives_spurious_irq7),
        T(test_masking_a_pending_request_drops_int),
        T(test_slave_reinitialised_needs_new_edge),
        T(test_back_to_back_slave_requests_in_auto_eoi),
        T(test_level_irq_requests_again_after_eoi_while_high),
        T(test_elcr_cannot_make_irq_0_1_2_8_13_level),
        T(test_auto_eoi_leaves_nothing_in_service),
        T(test_specific_eoi_clears_the_named_level),
        T(test_rotate_on_eoi_makes_the_served_level_lowest),
        T(test_set_priority_command),
        T(test_poll_reads_level_and_acknowledges),
        T(test_special_mask_mode_lets_lower_levels_in),
        T(test_icw1_clears_mask_and_service),
        T(test_special_fully_nested_lets_slave_nest),
        T(test_vector_base_from_icw2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
