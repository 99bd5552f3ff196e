/* The power management function of the Intel 82371AB PIIX4: 00:01.3, vendor 8086, device
 * 7113, revision 03, class 068000 (82371AB datasheet, "Power management registers"), which
 * gives ACPI its fixed hardware, and the APM control and status ports of the south bridge.
 *
 * Configuration: PMBA (0x40, a 64-byte I/O base) decoded while PMREGMISC bit 0 (0x80) is
 * set; DEVACTB (0x58) bit 25, APMC_EN, makes a write to APMC (port 0xB2) raise SMI#; the
 * device monitor and SMBus registers (0x44-0x7F, 0x90-0x91, 0xD2-0xD3) hold what is
 * written (no SMBus devices answer).
 *
 * PM I/O space (at PMBA): PMSTS (0x00: TMROF_STS, GBL_STS, PWRBTN_STS, RTC_STS, WAK_STS;
 * write 1 to clear), PMEN (0x02), PMCNTRL (0x04: SCI_EN, SUS_TYP, SUS_EN), PMTMR (0x08: the
 * 24-bit ACPI power management timer at 3.579545 MHz of virtual time; TMROF_STS is set each
 * time its bit 23 changes), GPSTS/GPEN (0x0C), GLBCTL (0x28) and the rest of the 64 bytes
 * as plain registers. Setting SUS_EN with SUS_TYP 0 (soft off, the value of the \_S5
 * package in SeaBIOS's tables) turns the machine off (poweroff). SCI (IRQ 9, level) is
 * high while SCI_EN is set and an enabled status bit is set.
 *
 * The general-purpose event block SeaBIOS's FADT names (GPE0_BLK at 0xAFE0, 4 bytes:
 * status, write 1 to clear, and enable) is decoded here too; no event sets its bits yet.
 * The power button (piix4_pm_power_button) sets PWRBTN_STS. */
#ifndef ORRERY_DEVICES_PIIX4_PM_H
#define ORRERY_DEVICES_PIIX4_PM_H

#include <stdbool.h>

#include "core/irq.h"
#include "core/sched.h"
#include "devices/pci.h"

enum { PIIX4_PM_PMBA = 0x40, PIIX4_PM_DEVACTB = 0x58, PIIX4_PM_PMREGMISC = 0x80 };
enum { PIIX4_PM_APMC = 0xB2, PIIX4_PM_APMS = 0xB3, PIIX4_PM_GPE0 = 0xAFE0 };
enum { PM_STS = 0x00, PM_EN = 0x02, PM_CNT = 0x04, PM_TMR = 0x08, PM_SIZE = 0x40 };
enum { PM1_TMROF = 1u << 0, PM1_GBL = 1u << 5, PM1_PWRBTN = 1u << 8, PM1_RTC = 1u << 10,
       PM1_WAK = 1u << 15 };
enum { PM_CNT_SCI_EN = 1u << 0, PM_CNT_SUS_EN = 1u << 13 };
#define PIIX4_PM_TIMER_HZ 3579545u

struct piix4_pm_state {
    struct pci_config cfg;
    uint8_t io[PM_SIZE];      /* the PM registers (PMSTS, PMEN and PMCNTRL kept below) */
    uint16_t sts, en, cnt;
    uint16_t gpe_sts, gpe_en;
    uint8_t apms;
    uint64_t tmr_period;      /* how many times PMTMR's bit 23 had changed when last seen */
};

struct piix4_pm {
    struct piix4_pm_state s;
    /* Wiring. */
    struct pci_function fn;
    struct iobus *io;
    struct sched *sched;
    int timer;                /* the next change of PMTMR's bit 23 */
    struct irq_line sci;      /* IRQ 9 */
    struct irq_line smi;      /* pulsed: SMI# to the CPU */
    struct irq_line poweroff; /* pulsed: the machine turns off */
    uint32_t mapped;          /* where the PM registers are on the bus; 0: nowhere */
};

int piix4_pm_init(struct piix4_pm *pm, struct pci_bus *bus, struct iobus *io,
                  struct sched *sched, const struct irq_line *sci, const struct irq_line *smi,
                  const struct irq_line *poweroff);
void piix4_pm_reset(struct piix4_pm *pm);
void piix4_pm_state_loaded(struct piix4_pm *pm);
/* The power button pressed: PWRBTN_STS. Returns true when the guest has ACPI on and the
 * button's event enabled, so that it will see it. */
bool piix4_pm_power_button(struct piix4_pm *pm);

extern const struct savestate_desc piix4_pm_savestate; /* struct piix4_pm_state */

#endif
