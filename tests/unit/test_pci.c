/* PCI configuration mechanism #1 through 0xCF8/0xCFC (PCI 2.1 §3.7.4.1) with the i440FX
 * host bridge at 00:00.0 and the PIIX3 ISA bridge at 00:01.0, and the PIIX3's reset
 * control register at 0xCF9. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/i440fx.h"
#include "devices/piix3.h"
#include "devrig.h"

#define RESET 5

struct t {
    struct devrig r;
    struct physmem mem;
    uint8_t *rom, *shadow, *smram;
    struct pci_bus bus;
    struct i440fx host;
    struct piix3 isa;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    rig_init(&t->r);
    /* The PC's map around the ROMs: BIOS ROM at 0xE0000, shadow RAM under 0xC0000-0xFFFFF
     * and under the (empty) VGA window. */
    assert_int_equal(physmem_init(&t->mem), 0);
    t->rom = physmem_add_rom(&t->mem, 0xE0000, 0x20000);
    t->shadow = physmem_add_shadow(&t->mem, 0xC0000, 0x40000);
    t->smram = physmem_add_shadow(&t->mem, 0xA0000, 0x20000);
    assert_true(t->rom && t->shadow && t->smram);
    memset(t->rom, 0xAA, 0x20000);
    assert_int_equal(pci_bus_init(&t->bus, &t->r.io), 0);
    assert_int_equal(i440fx_init(&t->host, &t->bus, &t->mem), 0);
    assert_int_equal(piix3_init(&t->isa, &t->bus, &t->r.line[RESET]), 0);
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

static uint32_t addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xFC);
}

static uint32_t cfg_read(struct t *t, unsigned dev, unsigned fn, unsigned reg, unsigned size)
{
    outl(&t->r, 0xCF8, addr(0, dev, fn, reg));
    return iobus_in(&t->r.io, (uint16_t)(0xCFC + (reg & 3)), size);
}

static void cfg_write(struct t *t, unsigned dev, unsigned fn, unsigned reg, unsigned size,
                      uint32_t v)
{
    outl(&t->r, 0xCF8, addr(0, dev, fn, reg));
    iobus_out(&t->r.io, (uint16_t)(0xCFC + (reg & 3)), size, v);
}

static void test_host_bridge_is_i440fx(void **state)
{
    struct t *t = *state;
    assert_int_equal(cfg_read(t, 0, 0, 0x00, 4), 0x12378086);
    assert_int_equal(cfg_read(t, 0, 0, 0x08, 4), 0x06000002);
    assert_int_equal(cfg_read(t, 0, 0, 0x0E, 1), 0x00);
    assert_int_equal(cfg_read(t, 0, 0, 0x06, 2), 0x0280);
}

static void test_isa_bridge_is_piix3(void **state)
{
    struct t *t = *state;
    assert_int_equal(cfg_read(t, 1, 0, 0x00, 4), 0x70008086);
    assert_int_equal(cfg_read(t, 1, 0, 0x08, 4) >> 8, 0x060100);
    assert_int_equal(cfg_read(t, 1, 0, 0x0E, 1), 0x80); /* multi-function */
    assert_int_equal(cfg_read(t, 1, 0, 0x60, 4), 0x80808080); /* PIRQs not routed */
}

static void test_absent_functions_read_all_ones(void **state)
{
    struct t *t = *state;
    assert_int_equal(cfg_read(t, 2, 0, 0x00, 4), 0xFFFFFFFFu);
    assert_int_equal(cfg_read(t, 0, 1, 0x00, 4), 0xFFFFFFFFu); /* host is single-function */
    assert_int_equal(cfg_read(t, 1, 3, 0x00, 2), 0xFFFF);
    outl(&t->r, 0xCF8, addr(1, 0, 0, 0));                       /* bus 1 */
    assert_int_equal(inl(&t->r, 0xCFC), 0xFFFFFFFFu);
    outl(&t->r, 0xCF8, 0x00000000);                             /* enable bit clear */
    assert_int_equal(inl(&t->r, 0xCFC), 0xFFFFFFFFu);
}

static void test_config_address_reads_back_without_reserved_bits(void **state)
{
    struct t *t = *state;
    outl(&t->r, 0xCF8, 0xFFFFFFFFu);
    assert_int_equal(inl(&t->r, 0xCF8), 0x80FFFFFCu);
    outb(&t->r, 0xCF8, 0x12);               /* a byte access is not CONFIG_ADDRESS */
    assert_int_equal(inl(&t->r, 0xCF8), 0x80FFFFFCu);
}

static void test_byte_and_word_accesses_to_config_data(void **state)
{
    struct t *t = *state;
    assert_int_equal(cfg_read(t, 0, 0, 0x02, 2), 0x1237);
    assert_int_equal(cfg_read(t, 0, 0, 0x03, 1), 0x12);
    assert_int_equal(cfg_read(t, 1, 0, 0x01, 1), 0x80);
}

static void test_ids_are_read_only(void **state)
{
    struct t *t = *state;
    cfg_write(t, 0, 0, 0x00, 4, 0xDEADBEEF);
    cfg_write(t, 1, 0, 0x08, 4, 0);
    assert_int_equal(cfg_read(t, 0, 0, 0x00, 4), 0x12378086);
    assert_int_equal(cfg_read(t, 1, 0, 0x08, 4) >> 8, 0x060100);
}

static void test_pam_registers_hold_their_enable_bits(void **state)
{
    struct t *t = *state;
    cfg_write(t, 0, 0, I440FX_PAM0, 1, 0xFF);
    cfg_write(t, 0, 0, I440FX_PAM0 + 1, 2, 0xFFFF);
    assert_int_equal(cfg_read(t, 0, 0, I440FX_PAM0, 1), 0x30);
    assert_int_equal(cfg_read(t, 0, 0, I440FX_PAM0 + 1, 2), 0x3333);
    assert_int_equal(cfg_read(t, 0, 0, I440FX_DRB0, 1), 0x01);
    cfg_write(t, 0, 0, I440FX_DRB0, 4, 0x10101010);
    assert_int_equal(cfg_read(t, 0, 0, I440FX_DRB0, 4), 0x10101010);
}

static uint8_t peek(struct t *t, uint32_t addr)
{
    return (uint8_t)physmem_read(&t->mem, addr, 1);
}

/* SeaBIOS's shadowing (its src/fw/shadow.c): PAM0-6 = 0x30/0x33 makes 0xC0000-0xFFFFF RAM
 * it copies itself into, then 0x10/0x11 makes it read only. */
static void test_pam_switches_the_bios_area_between_rom_and_ram(void **state)
{
    struct t *t = *state;
    assert_int_equal(peek(t, 0xF0000), 0xAA);    /* PAM 0 at reset: the ROM */
    assert_int_equal(peek(t, 0xC0000), 0xFF);    /* and the empty bus */
    physmem_write(&t->mem, 0xF0000, 1, 0x55);
    assert_int_equal(t->shadow[0x30000], 0);

    cfg_write(t, 0, 0, I440FX_PAM0, 1, 0x30);    /* read and write DRAM */
    assert_int_equal(peek(t, 0xF0000), 0x00);
    physmem_write(&t->mem, 0xF0000, 1, 0x55);
    assert_int_equal(peek(t, 0xF0000), 0x55);
    assert_int_equal(peek(t, 0xEFFFF), 0xAA);    /* PAM6 still 0: ROM below */

    cfg_write(t, 0, 0, I440FX_PAM0, 1, 0x10);    /* read only */
    physmem_write(&t->mem, 0xF0000, 1, 0x66);
    assert_int_equal(peek(t, 0xF0000), 0x55);
    cfg_write(t, 0, 0, I440FX_PAM0, 1, 0x20);    /* write only: reads see the ROM */
    physmem_write(&t->mem, 0xF0001, 1, 0x77);
    assert_int_equal(peek(t, 0xF0001), 0xAA);
    assert_int_equal(t->shadow[0x30001], 0x77);
}

static void test_pam_fields_cover_their_16k_halves(void **state)
{
    struct t *t = *state;
    cfg_write(t, 0, 0, I440FX_PAM0 + 1, 1, 0x03); /* PAM1 low: 0xC0000-0xC3FFF */
    physmem_write(&t->mem, 0xC3FFF, 1, 0x12);
    physmem_write(&t->mem, 0xC4000, 1, 0x34);
    assert_int_equal(peek(t, 0xC3FFF), 0x12);
    assert_int_equal(peek(t, 0xC4000), 0xFF);
    cfg_write(t, 0, 0, I440FX_PAM0 + 5, 1, 0x10); /* PAM5 high: 0xE4000-0xE7FFF read DRAM */
    assert_int_equal(peek(t, 0xE3FFF), 0xAA);
    assert_int_equal(peek(t, 0xE4000), 0x00);
    assert_int_equal(peek(t, 0xE7FFF), 0x00);
    assert_int_equal(peek(t, 0xE8000), 0xAA);
    /* A dword write covers PAM3-6 at once (SeaBIOS writes them so). */
    cfg_write(t, 0, 0, 0x5C, 4, 0x33333333);
    assert_int_equal(peek(t, 0xEC000), 0x00);
    assert_int_equal(peek(t, 0xD0000), 0x00);
    assert_int_equal(peek(t, 0xCC000), 0xFF);     /* PAM2 untouched */
    /* Reset: the ROM again. */
    i440fx_reset(&t->host);
    assert_int_equal(peek(t, 0xE4000), 0xAA);
    assert_int_equal(peek(t, 0xC3FFF), 0xFF);
}

static void test_smram_opens_and_locks(void **state)
{
    struct t *t = *state;
    assert_int_equal(peek(t, 0xA0000), 0xFF);     /* the VGA window (empty here) */
    cfg_write(t, 0, 0, I440FX_SMRAM, 1, I440FX_SMRAM_D_OPEN);
    assert_int_equal(peek(t, 0xA0000), 0xFF);     /* D_OPEN without G_SMRAME: closed */
    cfg_write(t, 0, 0, I440FX_SMRAM, 1, I440FX_SMRAM_D_OPEN | I440FX_SMRAM_G_SMRAME);
    physmem_write(&t->mem, 0xBFFFF, 1, 0x5A);
    assert_int_equal(peek(t, 0xBFFFF), 0x5A);
    assert_int_equal(t->smram[0x1FFFF], 0x5A);
    assert_int_equal(cfg_read(t, 0, 0, I440FX_SMRAM, 1), 0x4A); /* C_BASE_SEG reads 010 */
    /* D_LCK closes it and locks D_OPEN, D_LCK and G_SMRAME until reset. */
    cfg_write(t, 0, 0, I440FX_SMRAM, 1, I440FX_SMRAM_D_LCK | I440FX_SMRAM_D_OPEN |
                                          I440FX_SMRAM_G_SMRAME);
    assert_int_equal(cfg_read(t, 0, 0, I440FX_SMRAM, 1), 0x1A);
    assert_int_equal(peek(t, 0xBFFFF), 0xFF);
    cfg_write(t, 0, 0, I440FX_SMRAM, 1, I440FX_SMRAM_D_OPEN | I440FX_SMRAM_G_SMRAME);
    assert_int_equal(cfg_read(t, 0, 0, I440FX_SMRAM, 1), 0x1A);
    assert_int_equal(peek(t, 0xBFFFF), 0xFF);
    cfg_write(t, 0, 0, I440FX_SMRAM, 1, 0x3A);    /* D_CLS stays writable */
    assert_int_equal(cfg_read(t, 0, 0, I440FX_SMRAM, 1), 0x3A);
    i440fx_reset(&t->host);
    cfg_write(t, 0, 0, I440FX_SMRAM, 1, I440FX_SMRAM_D_OPEN | I440FX_SMRAM_G_SMRAME);
    assert_int_equal(peek(t, 0xBFFFF), 0x5A);
}

static void test_pam_follows_a_loaded_state(void **state)
{
    struct t *t = *state;
    t->host.cfg.b[I440FX_PAM0] = 0x30;            /* as a load writes it, with no hook */
    assert_int_equal(peek(t, 0xF0000), 0xAA);
    i440fx_state_loaded(&t->host);
    assert_int_equal(peek(t, 0xF0000), 0x00);
}

static void test_host_bridge_carries_qemu_subsystem_ids(void **state)
{
    struct t *t = *state;
    assert_int_equal(cfg_read(t, 0, 0, 0x2C, 4), 0x11001AF4);
}

static void test_pirq_routing_is_masked_to_its_bits(void **state)
{
    struct t *t = *state;
    cfg_write(t, 1, 0, PIIX3_PIRQRC, 4, 0x0B0A0F70);
    assert_int_equal(cfg_read(t, 1, 0, PIIX3_PIRQRC, 4), 0x0B0A0F00);
}

static void test_status_error_bits_are_write_one_to_clear(void **state)
{
    struct t *t = *state;
    t->host.cfg.b[0x07] |= 0x30;             /* master and target abort seen */
    cfg_write(t, 0, 0, 0x06, 2, 0x1000);     /* clear the target abort bit only */
    assert_int_equal(cfg_read(t, 0, 0, 0x06, 2), 0x2280);
}

static void test_reset_control_register_cf9(void **state)
{
    struct t *t = *state;
    outb(&t->r, 0xCF9, 0x02);
    assert_int_equal(inb(&t->r, 0xCF9), 0x02);
    assert_int_equal(t->r.rises[RESET], 0);
    outb(&t->r, 0xCF9, 0x06);
    assert_int_equal(t->r.rises[RESET], 1);
    assert_int_equal(inb(&t->r, 0xCF9), 0x02);   /* RCPU reads back 0 */
}

static void test_reset_restores_config_values(void **state)
{
    struct t *t = *state;
    cfg_write(t, 1, 0, PIIX3_PIRQRC, 1, 0x0B);
    piix3_reset(&t->isa);
    assert_int_equal(cfg_read(t, 1, 0, PIIX3_PIRQRC, 1), 0x80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_host_bridge_is_i440fx),
        T(test_isa_bridge_is_piix3),
        T(test_absent_functions_read_all_ones),
        T(test_config_address_reads_back_without_reserved_bits),
        T(test_byte_and_word_accesses_to_config_data),
        T(test_ids_are_read_only),
        T(test_pam_registers_hold_their_enable_bits),
        T(test_pam_switches_the_bios_area_between_rom_and_ram),
        T(test_pam_fields_cover_their_16k_halves),
        T(test_smram_opens_and_locks),
        T(test_pam_follows_a_loaded_state),
        T(test_host_bridge_carries_qemu_subsystem_ids),
        T(test_pirq_routing_is_masked_to_its_bits),
        T(test_status_error_bits_are_write_one_to_clear),
        T(test_reset_control_register_cf9),
        T(test_reset_restores_config_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
