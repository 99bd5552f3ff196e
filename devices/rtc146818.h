/* The Motorola MC146818 real-time clock and its CMOS RAM, at ports 0x70 (index, and the
 * NMI mask in bit 7) and 0x71 (data). IRQ 8.
 *
 * Per the MC146818A datasheet: registers 0-9 (time, alarm, date) in BCD or binary, 12- or
 * 24-hour; register A (UIP, divider, periodic rate), B (SET, PIE, AIE, UIE, DM, 24/12),
 * C (IRQF, PF, AF, UF; cleared by reading), D (VRT). The time advances once a second by an
 * event in virtual time (the update cycle: UIP is set for the 244 us before it and during
 * its 1984 us); the alarm ("don't care" values 0xC0-0xFF) and update-ended flags are set
 * then. The periodic interrupt has its own event while PIE is set; PF is also seen by a
 * guest that polls register C with PIE clear. The flags drive IRQ 8 (IRQF).
 *
 * Time is kept as binary fields and formatted for each read in the current DM and 24/12
 * mode, so a guest that switches modes without rewriting the time reads it converted
 * (the real part would show the raw bytes). The century is CMOS byte 0x32 (IBM), set at
 * power-on and otherwise plain RAM, as on the PC. */
#ifndef ORRERY_DEVICES_RTC146818_H
#define ORRERY_DEVICES_RTC146818_H

#include <stdbool.h>
#include <stdint.h>

#include "core/iobus.h"
#include "core/irq.h"
#include "core/savestate.h"
#include "core/sched.h"

#define RTC_PORT 0x70
#define RTC_CMOS_SIZE 128

/* Register and CMOS byte indexes. */
enum {
    RTC_SEC = 0x00, RTC_SEC_ALARM = 0x01, RTC_MIN = 0x02, RTC_MIN_ALARM = 0x03,
    RTC_HOUR = 0x04, RTC_HOUR_ALARM = 0x05, RTC_WDAY = 0x06, RTC_MDAY = 0x07, RTC_MONTH = 0x08,
    RTC_YEAR = 0x09, RTC_REG_A = 0x0A, RTC_REG_B = 0x0B, RTC_REG_C = 0x0C, RTC_REG_D = 0x0D,
    RTC_CENTURY = 0x32, /* IBM PC/AT */
};
enum { RTC_A_UIP = 0x80 };
enum { RTC_B_SET = 0x80, RTC_B_PIE = 0x40, RTC_B_AIE = 0x20, RTC_B_UIE = 0x10,
       RTC_B_SQWE = 0x08, RTC_B_DM_BINARY = 0x04, RTC_B_24H = 0x02, RTC_B_DSE = 0x01 };
enum { RTC_C_IRQF = 0x80, RTC_C_PF = 0x40, RTC_C_AF = 0x20, RTC_C_UF = 0x10 };
enum { RTC_D_VRT = 0x80 };

struct rtc_state {
    uint64_t osc_base;           /* virtual ns when the divider chain last started */
    uint64_t next_update;        /* virtual ns of the next update (end of the cycle) */
    uint64_t pf_seen;            /* periodic edges accounted for, by index since osc_base */
    uint8_t cmos[RTC_CMOS_SIZE]; /* RAM, the alarm bytes and registers A and B */
    uint8_t sec, min, hour;      /* binary, hour 0-23 */
    uint8_t wday, mday, month, year; /* wday 1-7 (1 = Sunday), month 1-12, year 0-99 */
    uint8_t index;               /* port 0x70 bits 0-6 */
    uint8_t nmi_masked;          /* port 0x70 bit 7 */
    uint8_t flags;               /* register C */
    uint8_t irq_level;
    uint8_t pad[5];              /* explicit, so the struct has no hidden padding */
};

struct rtc {
    struct rtc_state s;
    struct sched *sched;         /* wiring */
    struct irq_line irq;
    int update_timer, periodic_timer;
};

/* Power-on: the time from `epoch` (seconds since 1970-01-01T00:00:00, as UTC fields),
 * registers A = 0x26, B = 0x02 (BCD, 24 h), RAM zero. */
int rtc_init(struct rtc *r, struct iobus *bus, struct sched *sched, const struct irq_line *irq,
             int64_t epoch);
/* The RESET pin (machine reset): clears PIE, AIE, UIE, SQWE and the flags; the time and
 * the RAM stay. */
void rtc_reset(struct rtc *r);
void rtc_set_time(struct rtc *r, int64_t epoch);
void rtc_state_loaded(struct rtc *r); /* after the scheduler's state_loaded */

/* CMOS RAM for the machine's setup (memory sizes): any index 0x0E-0x7F. */
void rtc_cmos_set(struct rtc *r, unsigned index, uint8_t value);
uint8_t rtc_cmos_get(const struct rtc *r, unsigned index);
/* The IBM checksum: bytes 0x10-0x2D summed into 0x2E (high) and 0x2F (low). */
void rtc_cmos_checksum(struct rtc *r);

bool rtc_nmi_masked(const struct rtc *r);

/* Calendar helpers (proleptic Gregorian, UTC): days since 1970-01-01 and back. */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d);
void rtc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

extern const struct savestate_desc rtc_savestate; /* describes struct rtc_state */

#endif
