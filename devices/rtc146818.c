#include "devices/rtc146818.h"

#include <string.h>

/* The time base is the 32.768 kHz crystal; the update cycle takes 1984 us and UIP rises
 * 244 us before it starts (MC146818A datasheet, "Update cycle"). */
#define OSC_HZ 32768u
#define UIP_LEAD_NS (244000u + 1984000u)
#define FIRST_UPDATE_NS 500000000ull /* after the divider is released */
#define DV_MASK 0x70
#define DV_RUN 0x20                  /* 010: 32.768 kHz time base, running */

/* ---- calendar ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (the well-known era-based formula:
 * 400-year eras of 146097 days, years starting in March). */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                    /* 0..399 */
    int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void rtc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* The chip's own calendar: two-digit years, every fourth one a leap year. */
static unsigned days_in_month(unsigned month, unsigned year)
{
    static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 31;
    return days[month - 1] + (month == 2 && year % 4 == 0);
}

static uint8_t to_bcd(unsigned v)
{
    return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static unsigned from_bcd(uint8_t v)
{
    return (v >> 4) * 10u + (v & 0xF);
}

void rtc_set_time(struct rtc *r, int64_t epoch)
{
    int64_t days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400;
    int64_t secs = epoch - days * 86400;
    int64_t y;
    unsigned m, d;
    rtc_civil_from_days(days, &y, &m, &d);
    r->s.sec = (uint8_t)(secs % 60);
    r->s.min = (uint8_t)(secs / 60 % 60);
    r->s.hour = (uint8_t)(secs / 3600);
    r->s.mday = (uint8_t)d;
    r->s.month = (uint8_t)m;
    int64_t yy = y % 100;
    r->s.year = (uint8_t)(yy < 0 ? yy + 100 : yy);
    int64_t wd = (days % 7 + 7 + 4) % 7; /* 1970-01-01 was a Thursday (0 = Sunday) */
    r->s.wday = (uint8_t)(wd + 1);
    unsigned century = (unsigned)((y / 100) % 100);
    r->s.cmos[RTC_CENTURY] =
        (r->s.cmos[RTC_REG_B] & RTC_B_DM_BINARY) ? (uint8_t)century : to_bcd(century);
}

/* ---- formatting in the current data mode ---- */

static bool binary_mode(const struct rtc *r)
{
    return (r->s.cmos[RTC_REG_B] & RTC_B_DM_BINARY) != 0;
}

static uint8_t fmt(const struct rtc *r, unsigned v)
{
    return binary_mode(r) ? (uint8_t)v : to_bcd(v);
}

static unsigned parse(const struct rtc *r, uint8_t v)
{
    return binary_mode(r) ? v : from_bcd(v);
}

static uint8_t fmt_hour(const struct rtc *r, unsigned hour)
{
    if (r->s.cmos[RTC_REG_B] & RTC_B_24H)
        return fmt(r, hour);
    unsigned h12 = hour % 12 ? hour % 12 : 12;
    return (uint8_t)(fmt(r, h12) | (hour >= 12 ? 0x80 : 0));
}

static unsigned parse_hour(const struct rtc *r, uint8_t v)
{
    if (r->s.cmos[RTC_REG_B] & RTC_B_24H)
        return parse(r, v);
    unsigned h = parse(r, v & 0x7F) % 12;
    return h + ((v & 0x80) ? 12 : 0);
}

/* ---- time base ---- */

static bool running(const struct rtc *r)
{
    return (r->s.cmos[RTC_REG_A] & DV_MASK) == DV_RUN;
}

/* 32.768 kHz ticks in ns and back (ns = ticks * 15625000 / 512, exactly). */
static uint64_t osc_ticks(uint64_t ns)
{
    return ns / 15625000u * 512u + ns % 15625000u * 512u / 15625000u;
}

static uint64_t osc_ns(uint64_t ticks)
{
    return ticks / 512u * 15625000u + (ticks % 512u * 15625000u + 511u) / 512u;
}

/* Ticks between periodic edges (register A RS3-0), 0 when off. RS 1 and 2 give 256 and
 * 128 Hz like RS 8 and 9 (datasheet, Table 5). */
static uint32_t period_ticks(const struct rtc *r)
{
    unsigned rs = r->s.cmos[RTC_REG_A] & 0x0F;
    if (rs == 0)
        return 0;
    if (rs < 3)
        rs += 7;
    return 1u << (rs - 1);
}

static uint64_t periodic_index(const struct rtc *r, uint64_t now, uint32_t period)
{
    return now < r->s.osc_base ? 0 : osc_ticks(now - r->s.osc_base) / period;
}

static void update_irq(struct rtc *r)
{
    uint8_t b = r->s.cmos[RTC_REG_B];
    uint8_t f = r->s.flags & (RTC_C_PF | RTC_C_AF | RTC_C_UF);
    if ((f & RTC_C_PF && b & RTC_B_PIE) || (f & RTC_C_AF && b & RTC_B_AIE) ||
        (f & RTC_C_UF && b & RTC_B_UIE))
        f |= RTC_C_IRQF;
    r->s.flags = f;
    uint8_t level = (f & RTC_C_IRQF) != 0;
    if (level != r->s.irq_level) {
        r->s.irq_level = level;
        irq_set(&r->irq, level);
    }
}

/* PF for edges that passed since it was last accounted for (also with PIE clear). */
static void catch_up_pf(struct rtc *r, uint64_t now)
{
    uint32_t period = period_ticks(r);
    if (!running(r) || !period)
        return;
    uint64_t k = periodic_index(r, now, period);
    if (k > r->s.pf_seen) {
        r->s.flags |= RTC_C_PF;
        r->s.pf_seen = k;
    }
}

static void arm_periodic(struct rtc *r)
{
    uint32_t period = period_ticks(r);
    if (!running(r) || !period || !(r->s.cmos[RTC_REG_B] & RTC_B_PIE)) {
        sched_timer_del(r->sched, r->periodic_timer);
        return;
    }
    uint64_t now = sched_now(r->sched);
    uint64_t k = periodic_index(r, now, period) + 1;
    sched_timer_mod(r->sched, r->periodic_timer, r->s.osc_base + osc_ns(k * period));
}

static void arm_update(struct rtc *r)
{
    if (running(r))
        sched_timer_mod(r->sched, r->update_timer, r->s.next_update);
    else
        sched_timer_del(r->sched, r->update_timer);
}

static void periodic_timer(void *opaque, uint64_t deadline)
{
    struct rtc *r = opaque;
    (void)deadline;
    catch_up_pf(r, sched_now(r->sched));
    update_irq(r);
    arm_periodic(r);
}

static void tick_second(struct rtc *r)
{
    struct rtc_state *s = &r->s;
    if (++s->sec < 60)
        return;
    s->sec = 0;
    if (++s->min < 60)
        return;
    s->min = 0;
    if (++s->hour < 24)
        return;
    s->hour = 0;
    s->wday = (uint8_t)(s->wday % 7 + 1);
    if (++s->mday <= days_in_month(s->month, s->year))
        return;
    s->mday = 1;
    if (++s->month <= 12)
        return;
    s->month = 1;
    s->year = (uint8_t)((s->year + 1) % 100);
}

static bool alarm_matches(const struct rtc *r, unsigned reg, uint8_t now)
{
    uint8_t a = r->s.cmos[reg];
    return (a & 0xC0) == 0xC0 || a == now;
}

static void update_timer(void *opaque, uint64_t deadline)
{
    struct rtc *r = opaque;
    struct rtc_state *s = &r->s;
    /* One event per second whatever the host did; if time jumped several seconds, the
     * remaining updates follow at once (the timer is due again). */
    s->next_update = deadline + SCHED_NS_PER_SEC;
    if (!(s->cmos[RTC_REG_B] & RTC_B_SET)) {
        tick_second(r);
        s->flags |= RTC_C_UF;
        if (alarm_matches(r, RTC_SEC_ALARM, fmt(r, s->sec)) &&
            alarm_matches(r, RTC_MIN_ALARM, fmt(r, s->min)) &&
            alarm_matches(r, RTC_HOUR_ALARM, fmt_hour(r, s->hour)))
            s->flags |= RTC_C_AF;
        update_irq(r);
    }
    arm_update(r);
}

static bool update_in_progress(const struct rtc *r)
{
    if (!running(r) || (r->s.cmos[RTC_REG_B] & RTC_B_SET))
        return false;
    uint64_t now = sched_now(r->sched);
    return now < r->s.next_update && r->s.next_update - now <= UIP_LEAD_NS;
}

/* ---- registers ---- */

static uint8_t read_reg(struct rtc *r, unsigned i)
{
    struct rtc_state *s = &r->s;
    switch (i) {
    case RTC_SEC: return fmt(r, s->sec);
    case RTC_MIN: return fmt(r, s->min);
    case RTC_HOUR: return fmt_hour(r, s->hour);
    case RTC_WDAY: return fmt(r, s->wday);
    case RTC_MDAY: return fmt(r, s->mday);
    case RTC_MONTH: return fmt(r, s->month);
    case RTC_YEAR: return fmt(r, s->year);
    case RTC_REG_A:
        return (uint8_t)((s->cmos[RTC_REG_A] & 0x7F) | (update_in_progress(r) ? RTC_A_UIP : 0));
    case RTC_REG_C: {
        catch_up_pf(r, sched_now(r->sched));
        update_irq(r);
        uint8_t v = s->flags;
        s->flags = 0;
        update_irq(r);
        return v;
    }
    case RTC_REG_D: return RTC_D_VRT;
    default: return s->cmos[i];
    }
}

static void write_reg(struct rtc *r, unsigned i, uint8_t v)
{
    struct rtc_state *s = &r->s;
    switch (i) {
    case RTC_SEC: s->sec = (uint8_t)parse(r, v); break;
    case RTC_MIN: s->min = (uint8_t)parse(r, v); break;
    case RTC_HOUR: s->hour = (uint8_t)parse_hour(r, v); break;
    case RTC_WDAY: s->wday = (uint8_t)parse(r, v); break;
    case RTC_MDAY: s->mday = (uint8_t)parse(r, v); break;
    case RTC_MONTH: s->month = (uint8_t)parse(r, v); break;
    case RTC_YEAR: s->year = (uint8_t)parse(r, v); break;
    case RTC_REG_A: {
        bool was = running(r);
        uint64_t now = sched_now(r->sched);
        catch_up_pf(r, now);
        s->cmos[RTC_REG_A] = v & 0x7F;
        if (running(r) && !was) { /* the divider chain starts: first update 500 ms later */
            s->osc_base = now;
            s->pf_seen = 0;
            s->next_update = now + FIRST_UPDATE_NS;
        }
        if (running(r) && period_ticks(r))
            s->pf_seen = periodic_index(r, now, period_ticks(r));
        arm_update(r);
        arm_periodic(r);
        break;
    }
    case RTC_REG_B:
        if (v & RTC_B_SET) /* datasheet: SET clears UIE */
            v &= (uint8_t)~RTC_B_UIE;
        s->cmos[RTC_REG_B] = v;
        update_irq(r);
        arm_periodic(r);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break; /* read-only */
    default:
        s->cmos[i] = v;
        break;
    }
}

static uint32_t rtc_read(void *opaque, uint16_t port, unsigned size)
{
    struct rtc *r = opaque;
    (void)size;
    if (port == RTC_PORT)
        return 0xFF; /* the index register is write-only */
    return read_reg(r, r->s.index);
}

static void rtc_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct rtc *r = opaque;
    (void)size;
    if (port == RTC_PORT) {
        r->s.index = value & 0x7F;
        r->s.nmi_masked = (value >> 7) & 1;
        return;
    }
    write_reg(r, r->s.index, (uint8_t)value);
}

void rtc_cmos_set(struct rtc *r, unsigned index, uint8_t value)
{
    if (index >= 0x0E && index < RTC_CMOS_SIZE)
        r->s.cmos[index] = value;
}

uint8_t rtc_cmos_get(const struct rtc *r, unsigned index)
{
    return index < RTC_CMOS_SIZE ? r->s.cmos[index] : 0xFF;
}

void rtc_cmos_checksum(struct rtc *r)
{
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += r->s.cmos[i];
    r->s.cmos[0x2E] = (uint8_t)(sum >> 8);
    r->s.cmos[0x2F] = (uint8_t)sum;
}

bool rtc_nmi_masked(const struct rtc *r)
{
    return r->s.nmi_masked;
}

void rtc_reset(struct rtc *r)
{
    r->s.cmos[RTC_REG_B] &= (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
    r->s.flags = 0;
    update_irq(r);
    arm_periodic(r);
    arm_update(r);
}

int rtc_init(struct rtc *r, struct iobus *bus, struct sched *sched, const struct irq_line *irq,
             int64_t epoch)
{
    memset(r, 0, sizeof(*r));
    r->sched = sched;
    if (irq)
        r->irq = *irq;
    r->update_timer = sched_timer_new(sched, "rtc146818.update", update_timer, r);
    r->periodic_timer = sched_timer_new(sched, "rtc146818.periodic", periodic_timer, r);
    if (r->update_timer < 0 || r->periodic_timer < 0)
        return -1;
    r->s.cmos[RTC_REG_A] = DV_RUN | 0x06; /* 1024 Hz periodic rate selected, as BIOSes set */
    r->s.cmos[RTC_REG_B] = RTC_B_24H;
    uint64_t now = sched_now(sched);
    r->s.osc_base = now;
    r->s.next_update = now + FIRST_UPDATE_NS;
    rtc_set_time(r, epoch);
    rtc_reset(r);
    const struct io_handler h = { .read = rtc_read, .write = rtc_write, .opaque = r };
    return iobus_register(bus, RTC_PORT, 2, &h);
}

void rtc_state_loaded(struct rtc *r)
{
    /* A saved RTC's oscillator started in the past and its next update is within a second
     * of the saved time. Anything else (a damaged or forged file) would have the RTC tick
     * a second per event for ages, wrap its periodic deadlines into the past and fire them
     * for ever, or not tick at all: the divider chain restarts now instead, at the saved
     * date. */
    uint64_t now = sched_now(r->sched), next = r->s.next_update;
    if ((next > now ? next - now : now - next) > 2 * SCHED_NS_PER_SEC || r->s.osc_base > now) {
        r->s.osc_base = now;
        r->s.next_update = now + FIRST_UPDATE_NS;
        r->s.pf_seen = 0;
    }
    uint32_t period = period_ticks(r);
    if (period && r->s.pf_seen > periodic_index(r, now, period))
        r->s.pf_seen = periodic_index(r, now, period);
    /* The timers follow from these fields (what a genuine state holds anyway), never
     * from deadlines the file may have set anywhere. */
    arm_periodic(r);
    arm_update(r);
    irq_set(&r->irq, r->s.irq_level);
}

static const struct savestate_field rtc_fields[] = {
    SS_ARRAY(struct rtc_state, cmos),
    SS_FIELD(struct rtc_state, sec),        SS_FIELD(struct rtc_state, min),
    SS_FIELD(struct rtc_state, hour),       SS_FIELD(struct rtc_state, wday),
    SS_FIELD(struct rtc_state, mday),       SS_FIELD(struct rtc_state, month),
    SS_FIELD(struct rtc_state, year),
    SS_FIELD_RANGE(struct rtc_state, index, 0, RTC_CMOS_SIZE - 1),
    SS_FIELD(struct rtc_state, nmi_masked), SS_FIELD(struct rtc_state, flags),
    SS_FIELD(struct rtc_state, irq_level),  SS_FIELD(struct rtc_state, osc_base),
    SS_FIELD(struct rtc_state, next_update), SS_FIELD(struct rtc_state, pf_seen),
    SS_ARRAY(struct rtc_state, pad),
};
SAVESTATE_DESC(rtc_savestate, "rtc146818", 1, rtc_fields);
