/* The PIIX4 power management function (00:01.3) through its ports, as SeaBIOS and an ACPI
 * OS use it: the PCI identity, PMBA and its enable, the 3.579545 MHz PM timer and its
 * overflow status, SCI on IRQ 9 from enabled events, ACPI mode through APMC, soft off,
 * the power button, the GPE0 block, and a state saved and loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/savestate.h"
#include "devices/pci.h"
#include "devices/piix4_pm.h"
#include "devrig.h"

enum { SCI = 9, SMI = 1, OFF = 2 };
#define PMBASE 0xB000

struct t {
    struct devrig r;
    struct pci_bus bus;
    struct pci_config isa_cfg;
    struct pci_function isa;
    struct piix4_pm pm;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    rig_init(&t->r);
    assert_int_equal(pci_bus_init(&t->bus, &t->r.io), 0);
    /* A multi-function header at 1.0 makes function 3 visible, as the ISA bridge does. */
    pci_function_init(&t->isa, &t->isa_cfg);
    pci_header(&t->isa_cfg, 0x8086, 0x7000, 0, 0x060100, 0x80);
    assert_int_equal(pci_bus_attach(&t->bus, 1, 0, &t->isa), 0);
    assert_int_equal(piix4_pm_init(&t->pm, &t->bus, &t->r.io, &t->r.sched, &t->r.line[SCI],
                                   &t->r.line[SMI], &t->r.line[OFF]), 0);
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

static uint32_t cfg_read(struct t *t, unsigned reg, unsigned size)
{
    return pci_config_read(&t->bus, 1, 3, reg, size);
}

static void cfg_write(struct t *t, unsigned reg, unsigned size, uint32_t v)
{
    pci_config_write(&t->bus, 1, 3, reg, size, v);
}

/* What SeaBIOS does: PMBA, then the I/O space enable in PMREGMISC. */
static void enable(struct t *t)
{
    cfg_write(t, PIIX4_PM_PMBA, 4, PMBASE | 1);
    cfg_write(t, PIIX4_PM_PMREGMISC, 1, 1);
}

static uint16_t inw(struct t *t, uint16_t port)
{
    return (uint16_t)iobus_in(&t->r.io, port, 2);
}

static void outw(struct t *t, uint16_t port, uint16_t v)
{
    iobus_out(&t->r.io, port, 2, v);
}

static void test_identity(void **state)
{
    struct t *t = *state;
    assert_int_equal(cfg_read(t, PCI_VENDOR_ID, 4), 0x71138086);
    assert_int_equal(cfg_read(t, PCI_REVISION, 4), 0x06800003);
    assert_int_equal(cfg_read(t, PIIX4_PM_PMBA, 4), 1);         /* an I/O base, unset */
    cfg_write(t, PIIX4_PM_PMBA, 4, 0xFFFFFFFF);
    assert_int_equal(cfg_read(t, PIIX4_PM_PMBA, 4), 0xFFC1);    /* 64 bytes below 64 KiB */
}

/* The registers appear at PMBA only while PMIOSE is set, and follow a move. */
static void test_pm_space_follows_pmba_and_its_enable(void **state)
{
    struct t *t = *state;
    cfg_write(t, PIIX4_PM_PMBA, 4, PMBASE | 1);
    assert_int_equal(inw(t, PMBASE + PM_EN), 0xFFFF);             /* not decoded yet */
    cfg_write(t, PIIX4_PM_PMREGMISC, 1, 1);
    outw(t, PMBASE + PM_EN, PM1_PWRBTN);
    assert_int_equal(inw(t, PMBASE + PM_EN), PM1_PWRBTN);
    cfg_write(t, PIIX4_PM_PMBA, 4, 0x600 | 1);
    assert_int_equal(inw(t, PMBASE + PM_EN), 0xFFFF);
    assert_int_equal(inw(t, 0x600 + PM_EN), PM1_PWRBTN);
}

/* PMTMR counts 3.579545 MHz of virtual time in 24 bits. */
static void test_pm_timer_counts_at_its_rate(void **state)
{
    struct t *t = *state;
    enable(t);
    uint32_t a = inl(&t->r, PMBASE + PM_TMR);
    rig_advance(&t->r, 1000000000);                                  /* one second */
    uint32_t b = inl(&t->r, PMBASE + PM_TMR);
    assert_int_equal((b - a) & 0xFFFFFF, 3579545);
    rig_advance(&t->r, 10000000000ull);                              /* 10 s: it wraps */
    assert_true(inl(&t->r, PMBASE + PM_TMR) <= 0xFFFFFF);
}

/* TMROF_STS comes each time bit 23 changes; with TMROF_EN and SCI_EN it raises SCI,
 * which a write of 1 clears. Without SCI_EN there is no SCI. */
static void test_timer_overflow_raises_sci(void **state)
{
    struct t *t = *state;
    enable(t);
    outw(t, PMBASE + PM_EN, PM1_TMROF);
    rig_advance(&t->r, 2400000000ull);                               /* past 2^23 ticks */
    assert_true(inw(t, PMBASE + PM_STS) & PM1_TMROF);
    assert_int_equal(t->r.level[SCI], 0);                            /* ACPI is off */
    outw(t, PMBASE + PM_CNT, PM_CNT_SCI_EN);
    assert_int_equal(t->r.level[SCI], 1);
    outw(t, PMBASE + PM_STS, PM1_TMROF);
    assert_int_equal(t->r.level[SCI], 0);
    assert_false(inw(t, PMBASE + PM_STS) & PM1_TMROF);
    rig_advance(&t->r, 2400000000ull);
    assert_int_equal(t->r.level[SCI], 1);                            /* the next change */
}

/* ACPI mode: a write of the FADT's ACPI_ENABLE value to APMC raises SMI# when APMC_EN is
 * set (the SMM handler then sets SCI_EN); without APMC_EN nothing happens. APMS is a
 * scratch register. */
static void test_apmc_raises_smi_when_enabled(void **state)
{
    struct t *t = *state;
    enable(t);
    outb(&t->r, PIIX4_PM_APMC, 0xF1);
    assert_int_equal(t->r.rises[SMI], 0);
    cfg_write(t, PIIX4_PM_DEVACTB, 4, 1u << 25);
    outb(&t->r, PIIX4_PM_APMC, 0xF1);
    assert_int_equal(t->r.rises[SMI], 1);
    assert_int_equal(inb(&t->r, PIIX4_PM_APMC), 0xF1);
    outb(&t->r, PIIX4_PM_APMS, 0x5A);
    assert_int_equal(inb(&t->r, PIIX4_PM_APMS), 0x5A);
    assert_int_equal(t->r.rises[SMI], 1);
}

/* SUS_EN with SUS_TYP 0 (soft off) turns the machine off; another type does not. SUS_EN
 * reads back 0. */
static void test_soft_off(void **state)
{
    struct t *t = *state;
    enable(t);
    outw(t, PMBASE + PM_CNT, PM_CNT_SCI_EN | (1u << 10) | PM_CNT_SUS_EN); /* type 1 (STR) */
    assert_int_equal(t->r.rises[OFF], 0);
    assert_int_equal(inw(t, PMBASE + PM_CNT), PM_CNT_SCI_EN | (1u << 10));
    outw(t, PMBASE + PM_CNT, PM_CNT_SCI_EN | PM_CNT_SUS_EN);
    assert_int_equal(t->r.rises[OFF], 1);
}

/* The power button sets PWRBTN_STS; the guest sees it (SCI) only with ACPI on and the
 * button enabled, which the call reports. */
static void test_power_button(void **state)
{
    struct t *t = *state;
    enable(t);
    assert_false(piix4_pm_power_button(&t->pm));
    assert_int_equal(t->r.level[SCI], 0);
    outw(t, PMBASE + PM_STS, PM1_PWRBTN);
    outw(t, PMBASE + PM_CNT, PM_CNT_SCI_EN);
    outw(t, PMBASE + PM_EN, PM1_PWRBTN);
    assert_true(piix4_pm_power_button(&t->pm));
    assert_int_equal(t->r.level[SCI], 1);
    assert_true(inw(t, PMBASE + PM_STS) & PM1_PWRBTN);
    outw(t, PMBASE + PM_STS, PM1_PWRBTN);
    assert_int_equal(t->r.level[SCI], 0);
}

/* GPE0 at 0xAFE0: status bits are write-1-to-clear, enables read back. */
static void test_gpe0_block(void **state)
{
    struct t *t = *state;
    outw(t, PIIX4_PM_GPE0 + 2, 0x0006);
    assert_int_equal(inw(t, PIIX4_PM_GPE0 + 2), 0x0006);
    assert_int_equal(inw(t, PIIX4_PM_GPE0), 0);
    outw(t, PIIX4_PM_GPE0, 0xFFFF);
    assert_int_equal(inw(t, PIIX4_PM_GPE0), 0);
}

/* A saved state brings the registers and the decode back. */
static void test_state_round_trip(void **state)
{
    struct t *t = *state;
    enable(t);
    outw(t, PMBASE + PM_EN, PM1_PWRBTN);
    outw(t, PMBASE + PM_CNT, PM_CNT_SCI_EN);
    uint8_t buf[4096];
    size_t n = savestate_save(&piix4_pm_savestate, &t->pm.s, buf, sizeof buf);
    assert_true(n > 0 && n <= sizeof buf);
    piix4_pm_reset(&t->pm);
    assert_int_equal(inw(t, PMBASE + PM_EN), 0xFFFF);
    assert_int_equal(savestate_load(&piix4_pm_savestate, &t->pm.s, buf, n), 0);
    piix4_pm_state_loaded(&t->pm);
    assert_int_equal(inw(t, PMBASE + PM_EN), PM1_PWRBTN);
    assert_int_equal(inw(t, PMBASE + PM_CNT), PM_CNT_SCI_EN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pm_space_follows_pmba_and_its_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pm_timer_counts_at_its_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_overflow_raises_sci, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apmc_raises_smi_when_enabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_soft_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_button, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gpe0_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
