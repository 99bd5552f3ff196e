#include "devices/piix4_pm.h"

#include <string.h>

/* ---- The power management timer ---- */

/* Ticks of the 3.579545 MHz clock in ns of virtual time, and back (rounded up), in two
 * parts so that nothing overflows for centuries of guest time. */
static uint64_t ticks_of(uint64_t ns)
{
    return ns / 1000000000u * PIIX4_PM_TIMER_HZ +
           ns % 1000000000u * PIIX4_PM_TIMER_HZ / 1000000000u;
}

static uint64_t ns_of(uint64_t ticks)
{
    return ticks / PIIX4_PM_TIMER_HZ * 1000000000u +
           (ticks % PIIX4_PM_TIMER_HZ * 1000000000u + PIIX4_PM_TIMER_HZ - 1) /
               PIIX4_PM_TIMER_HZ;
}

#define TMR_HALF (1ull << 23) /* ticks between two changes of bit 23 */

static void update_sci(struct piix4_pm *pm)
{
    const struct piix4_pm_state *s = &pm->s;
    bool pm1 = s->sts & s->en & (PM1_TMROF | PM1_GBL | PM1_PWRBTN | PM1_RTC);
    bool gpe = s->gpe_sts & s->gpe_en;
    irq_set(&pm->sci, (s->cnt & PM_CNT_SCI_EN) && (pm1 || gpe));
}

/* TMROF_STS follows bit 23: set when it changed since it was last seen. The event is
 * armed at the next change, so the SCI comes on time. */
static void timer_catch_up(struct piix4_pm *pm)
{
    uint64_t now = sched_now(pm->sched);
    uint64_t period = ticks_of(now) / TMR_HALF;
    if (period != pm->s.tmr_period) {
        pm->s.tmr_period = period;
        pm->s.sts |= PM1_TMROF;
        update_sci(pm);
    }
    sched_timer_mod(pm->sched, pm->timer, ns_of((period + 1) * TMR_HALF));
}

static void timer_fired(void *opaque, uint64_t deadline)
{
    (void)deadline;
    timer_catch_up(opaque);
}

/* ---- PM I/O space ---- */

static uint8_t pm_read8(struct piix4_pm *pm, unsigned off)
{
    struct piix4_pm_state *s = &pm->s;
    switch (off) {
    case PM_STS: case PM_STS + 1: return (uint8_t)(s->sts >> 8 * (off & 1));
    case PM_EN: case PM_EN + 1: return (uint8_t)(s->en >> 8 * (off & 1));
    case PM_CNT: case PM_CNT + 1: return (uint8_t)(s->cnt >> 8 * (off & 1));
    case PM_TMR: case PM_TMR + 1: case PM_TMR + 2:
        return (uint8_t)(ticks_of(sched_now(pm->sched)) >> 8 * (off - PM_TMR));
    case PM_TMR + 3: return 0;
    }
    return s->io[off];
}

static void pm_write8(struct piix4_pm *pm, unsigned off, uint8_t v)
{
    struct piix4_pm_state *s = &pm->s;
    unsigned sh = 8 * (off & 1);
    switch (off) {
    case PM_STS: case PM_STS + 1:
        s->sts &= (uint16_t)~(v << sh); /* write 1 to clear */
        break;
    case PM_EN: case PM_EN + 1:
        s->en = (uint16_t)((s->en & ~(0xFFu << sh)) | (uint16_t)(v << sh));
        s->en &= PM1_TMROF | PM1_GBL | PM1_PWRBTN | PM1_RTC;
        break;
    case PM_CNT: case PM_CNT + 1: {
        uint16_t cnt = (uint16_t)((s->cnt & ~(0xFFu << sh)) | (uint16_t)(v << sh));
        s->cnt = cnt & (uint16_t)~(PM_CNT_SUS_EN | 0x4u); /* SUS_EN, GBL_RLS: write only */
        if ((cnt & PM_CNT_SUS_EN) && ((cnt >> 10) & 7) == 0)
            irq_pulse(&pm->poweroff); /* soft off */
        break;
    }
    case PM_TMR: case PM_TMR + 1: case PM_TMR + 2: case PM_TMR + 3:
        break; /* read only */
    default:
        s->io[off] = v;
    }
    update_sci(pm);
}

static uint32_t pm_read(void *opaque, uint16_t port, unsigned size)
{
    struct piix4_pm *pm = opaque;
    unsigned off = (port - pm->mapped) & (PM_SIZE - 1);
    if (off == PM_STS || off == PM_STS + 1)
        timer_catch_up(pm);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)pm_read8(pm, (off + i) & (PM_SIZE - 1)) << 8 * i;
    return v;
}

static void pm_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct piix4_pm *pm = opaque;
    unsigned off = (port - pm->mapped) & (PM_SIZE - 1);
    if (off <= PM_STS + 1)
        timer_catch_up(pm); /* a change of bit 23 before the clear is cleared with it */
    for (unsigned i = 0; i < size; i++)
        pm_write8(pm, (off + i) & (PM_SIZE - 1), (uint8_t)(value >> 8 * i));
}

/* The PM registers follow PMBA and PMREGMISC's I/O space enable. */
static void map_pm(struct piix4_pm *pm)
{
    uint32_t base = pci_get(&pm->s.cfg, PIIX4_PM_PMBA, 4) & 0xFFC0u;
    if (!(pm->s.cfg.b[PIIX4_PM_PMREGMISC] & 1))
        base = 0;
    if (base == pm->mapped)
        return;
    if (pm->mapped)
        iobus_unregister(pm->io, (uint16_t)pm->mapped, PM_SIZE);
    pm->mapped = 0;
    const struct io_handler h = { .read = pm_read, .write = pm_write, .opaque = pm,
                                  .flags = IOBUS_WIDE };
    if (base && iobus_register(pm->io, (uint16_t)base, PM_SIZE, &h) == 0)
        pm->mapped = base; /* a range taken by another device is not decoded */
}

static void config_written(void *opaque, unsigned reg, unsigned size)
{
    (void)reg;
    (void)size;
    map_pm(opaque);
}

/* ---- APM ports and the GPE0 block ---- */

static uint32_t apm_read(void *opaque, uint16_t port, unsigned size)
{
    struct piix4_pm *pm = opaque;
    (void)size;
    return port == PIIX4_PM_APMS ? pm->s.apms : pm->s.io[0x3F]; /* APMC: the last write */
}

static void apm_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct piix4_pm *pm = opaque;
    (void)size;
    if (port == PIIX4_PM_APMS) {
        pm->s.apms = (uint8_t)value;
        return;
    }
    pm->s.io[0x3F] = (uint8_t)value; /* kept where no PM register is */
    if (pci_get(&pm->s.cfg, PIIX4_PM_DEVACTB, 4) & (1u << 25)) /* APMC_EN */
        irq_pulse(&pm->smi);
}

static uint32_t gpe_read(void *opaque, uint16_t port, unsigned size)
{
    struct piix4_pm *pm = opaque;
    (void)size;
    unsigned off = port - PIIX4_PM_GPE0;
    uint16_t r = off < 2 ? pm->s.gpe_sts : pm->s.gpe_en;
    return (uint8_t)(r >> 8 * (off & 1));
}

static void gpe_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct piix4_pm *pm = opaque;
    (void)size;
    unsigned off = port - PIIX4_PM_GPE0, sh = 8 * (off & 1);
    uint16_t v = (uint16_t)((value & 0xFF) << sh);
    if (off < 2)
        pm->s.gpe_sts &= (uint16_t)~v;
    else
        pm->s.gpe_en = (uint16_t)((pm->s.gpe_en & ~(0xFFu << sh)) | v);
    update_sci(pm);
}

/* ---- Set-up ---- */

bool piix4_pm_power_button(struct piix4_pm *pm)
{
    pm->s.sts |= PM1_PWRBTN;
    update_sci(pm);
    return (pm->s.cnt & PM_CNT_SCI_EN) && (pm->s.en & PM1_PWRBTN);
}

void piix4_pm_reset(struct piix4_pm *pm)
{
    struct pci_config *c = &pm->s.cfg;
    memset(&pm->s, 0, sizeof pm->s);
    pci_header(c, 0x8086, 0x7113, 0x03, 0x068000, 0x00);
    pci_set16(c, PCI_STATUS, 0x0280);          /* fast back-to-back, DEVSEL# medium */
    pci_set8(c, PCI_INTERRUPT_PIN, 0x01);      /* INTA# */
    pci_set32(c, PIIX4_PM_PMBA, 0x00000001);   /* an I/O base */
    pci_set32(c, 0x90, 0x00000001);            /* SMBBA: an I/O base */
    map_pm(pm);
    pm->s.tmr_period = ticks_of(sched_now(pm->sched)) / TMR_HALF;
    timer_catch_up(pm);
    update_sci(pm);
}

void piix4_pm_state_loaded(struct piix4_pm *pm)
{
    map_pm(pm);
    timer_catch_up(pm);
    update_sci(pm);
}

int piix4_pm_init(struct piix4_pm *pm, struct pci_bus *bus, struct iobus *io,
                  struct sched *sched, const struct irq_line *sci, const struct irq_line *smi,
                  const struct irq_line *poweroff)
{
    memset(pm, 0, sizeof *pm);
    pm->io = io;
    pm->sched = sched;
    if (sci)
        pm->sci = *sci;
    if (smi)
        pm->smi = *smi;
    if (poweroff)
        pm->poweroff = *poweroff;
    pm->timer = sched_timer_new(sched, "piix4-pm timer", timer_fired, pm);
    if (pm->timer < 0)
        return -1;
    struct pci_function *f = &pm->fn;
    pci_function_init(f, &pm->s.cfg);
    f->written = config_written;
    f->opaque = pm;
    pci_wmask(f, PCI_COMMAND, 1, 0x01);               /* I/O space (SMBus) */
    pci_wmask(f, PCI_INTERRUPT_LINE, 1, 0xFF);
    pci_wmask(f, PIIX4_PM_PMBA, 1, 0xC0);             /* bits 15:6 of the base */
    pci_wmask(f, PIIX4_PM_PMBA + 1, 1, 0xFF);
    pci_wmask(f, 0x44, 0x80 - 0x44, 0xFF);            /* device monitors, DEVACTB, ... */
    pci_wmask(f, PIIX4_PM_PMREGMISC, 1, 0x01);        /* PMIOSE */
    pci_wmask(f, 0x90, 1, 0xF0);                      /* SMBBA bits 15:4 */
    pci_wmask(f, 0x91, 1, 0xFF);
    pci_wmask(f, 0xD2, 2, 0xFF);                      /* SMBHSTCFG, SMBSLVC */
    const struct io_handler apm = { .read = apm_read, .write = apm_write, .opaque = pm };
    const struct io_handler gpe = { .read = gpe_read, .write = gpe_write, .opaque = pm };
    if (iobus_register(io, PIIX4_PM_APMC, 2, &apm) || iobus_register(io, PIIX4_PM_GPE0, 4, &gpe))
        return -1;
    piix4_pm_reset(pm);
    return pci_bus_attach(bus, 1, 3, f);
}

static const struct savestate_field piix4_pm_fields[] = {
    SS_ARRAY(struct piix4_pm_state, cfg.b),
    SS_ARRAY(struct piix4_pm_state, io),
    SS_FIELD(struct piix4_pm_state, sts),
    SS_FIELD(struct piix4_pm_state, en),
    SS_FIELD(struct piix4_pm_state, cnt),
    SS_FIELD(struct piix4_pm_state, gpe_sts),
    SS_FIELD(struct piix4_pm_state, gpe_en),
    SS_FIELD(struct piix4_pm_state, apms),
    SS_FIELD(struct piix4_pm_state, tmr_period),
};
SAVESTATE_DESC(piix4_pm_savestate, "piix4-pm", 1, piix4_pm_fields);
