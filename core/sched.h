/* The scheduler of timed events, and the virtual clock it runs on (DESIGN.md, "Devices and
 * time").
 *
 * Virtual time is nanoseconds since the machine was created. It is a function of the
 * instructions the CPU has retired (the counter the machine points the scheduler at):
 *
 *     now = anchor_ns + (icount - anchor_icount) * rate        (rate: ns per instruction)
 *
 * The machine calls sched_sync at every boundary between CPU slices, which moves the
 * anchor. Two clocks differ only in what sched_sync and sched_idle do:
 *
 * - deterministic (-icount shift=N): rate is exactly 2^N ns; an idle CPU (HLT) jumps
 *   straight to the next deadline. Time is a pure function of the instruction count and
 *   the deadlines, so two runs with the same inputs are identical.
 * - real time (the default): rate is measured from the host (instructions per
 *   nanosecond of the CPU thread's CPU time), and at each boundary virtual time catches
 *   up with the host's CLOCK_MONOTONIC if it fell behind (with interrupts off: time
 *   runs faster, the further behind the faster, until it has caught up). If it ran
 *   ahead by more than SCHED_AHEAD_MAX_NS, virtual time runs at half the measured rate
 *   until the host has caught up, and only beyond SCHED_AHEAD_SLEEP_NS does the host
 *   sleep: the rate comes from the past, and a busy CPU that sleeps whenever it was
 *   mispredicted loses the time it sleeps (see sched_sync). An idle CPU sleeps the host
 *   until the next deadline. Catching up never jumps over a deadline: time stops at each one, the timer
 *   fires, and the CPU runs a short slice before time moves on, so that a periodic timer
 *   delivers every period (a guest counting timer interrupts keeps pace with its TSC).
 *
 * Devices never poll. A device owns timers (sched_timer_new at init) and arms them with
 * absolute deadlines in virtual ns; the machine runs the CPU for sched_slice instructions
 * (until the earliest deadline), then fires what is due. Arming a timer earlier than the
 * running slice's end calls the kick hook, through which the machine ends the slice early.
 *
 * Deadlines are plain data (struct sched_state, saved with the clock anchors); callbacks
 * and the counter pointer are wiring, registered again in the same order when a machine
 * is built. Timer ids are indexes in registration order. */
#ifndef ORRERY_CORE_SCHED_H
#define ORRERY_CORE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/savestate.h"

#define SCHED_NEVER UINT64_MAX
/* Virtual time and deadlines stay below this (about 146 years) in any state a load
 * accepts, so that a device adding the longest period it uses (seconds) to a time never
 * overflows: a forged clock near 2^64 would wrap deadlines into the past and fire them
 * forever. A loaded deadline beyond it is as good as never and becomes SCHED_NEVER. */
#define SCHED_TIME_MAX (1ull << 62)
#define SCHED_MAX_TIMERS 32
#define SCHED_ICOUNT_SHIFT_MAX 10   /* -icount shift=0..10: 1 ns to 1.024 us per insn */
#define SCHED_NS_PER_SEC 1000000000ull
#define SCHED_AHEAD_MAX_NS 2000000ull    /* real time: guest ahead by more: slow time down */
#define SCHED_AHEAD_SLEEP_NS 50000000ull /* real time: guest ahead by more: the host sleeps */
#define SCHED_RATE_ONE (1u << 16)     /* rate is ns per instruction in 16.16 fixed point */

/* Fired when virtual time reaches the deadline (sched_now() >= deadline). The timer is
 * disarmed before the call; the callback may arm it again. */
typedef void (*sched_fn)(void *opaque, uint64_t deadline);

enum sched_clock { SCHED_REALTIME, SCHED_DETERMINISTIC };

struct sched_state {
    uint64_t deadline[SCHED_MAX_TIMERS]; /* virtual ns, SCHED_NEVER when disarmed */
    uint64_t anchor_ns;
    uint64_t anchor_icount;
    uint64_t rate;                       /* ns per instruction, 16.16 */
    uint64_t jumped_ns;                  /* time that passed without instructions (idle,
                                            catching up with the host), in total: a
                                            statistic for reports */
};

struct sched_timer_slot {
    sched_fn fn;
    void *opaque;
    const char *name;
};

struct sched {
    struct sched_state st;
    uint8_t clock;   /* enum sched_clock (configuration, not saved) */
    uint8_t shift;

    /* Wiring and host-side bookkeeping: rebuilt, never saved. */
    const uint64_t *icount;
    unsigned ntimers;
    struct sched_timer_slot slot[SCHED_MAX_TIMERS];
    uint64_t next;          /* cached earliest deadline */
    uint64_t slice_end;     /* deadline the running slice was cut for */
    uint8_t in_slice;       /* between sched_slice and sched_slice_done */
    void (*kick)(void *opaque, uint64_t deadline);
    void *kick_opaque;
    /* Real time: the host clock (CLOCK_MONOTONIC unless a test replaces it). */
    uint64_t (*host_now)(void *opaque);
    uint64_t (*host_cpu)(void *opaque); /* the CPU thread's CPU time: rate measurement */
    void (*host_sleep_until)(void *opaque, uint64_t host_ns);
    void *host_opaque;
    uint64_t host_base;     /* host ns at virtual 0 */
    uint64_t last_host, last_icount; /* the previous boundary (host_cpu), for the rate */
    uint8_t last_valid;     /* last_host/last_icount start a CPU-time interval */
    uint64_t win_host, win_insns;    /* busy time and instructions not yet folded in */
    uint8_t behind;         /* real time: catching up with the host, a deadline at a time */
    uint64_t est;           /* real time: the measured ns per instruction (16.16); st.rate
                               is est, or half of it while the guest is ahead of the host */
};

/* clock: SCHED_REALTIME or SCHED_DETERMINISTIC with shift 0..SCHED_ICOUNT_SHIFT_MAX.
 * icount: the CPU's retired-instruction counter. Time starts at 0. */
void sched_init(struct sched *s, enum sched_clock clock, unsigned shift, const uint64_t *icount);

/* Tests replace the host clock (then also the CPU time the rate is measured in); pass
 * NULL sleep to make sleeping a no-op. */
void sched_set_host_clock(struct sched *s, uint64_t (*now)(void *),
                          void (*sleep_until)(void *, uint64_t), void *opaque);

/* Registers a timer; returns its id, or -1 when all SCHED_MAX_TIMERS are taken. */
int sched_timer_new(struct sched *s, const char *name, sched_fn fn, void *opaque);
void sched_timer_mod(struct sched *s, int id, uint64_t deadline);
void sched_timer_del(struct sched *s, int id);
static inline uint64_t sched_timer_deadline(const struct sched *s, int id)
{
    return s->st.deadline[id];
}
static inline bool sched_timer_armed(const struct sched *s, int id)
{
    return s->st.deadline[id] != SCHED_NEVER;
}

/* Virtual time now. */
static inline uint64_t sched_now(const struct sched *s)
{
    return s->st.anchor_ns + (((*s->icount - s->st.anchor_icount) * s->st.rate) >> 16);
}

uint64_t sched_next_deadline(struct sched *s);

/* Instructions that take virtual time from now to t (rounded up; 0 when t <= now). */
uint64_t sched_insns_until(const struct sched *s, uint64_t t);

/* At a boundary between slices: moves the anchor to the current count; in real time,
 * measures the rate, catches up with the host or sleeps when ahead. `interruptible`: the
 * CPU could take an interrupt at this boundary (EFLAGS.IF set). Real time moves virtual
 * time forward to catch up only then, so that a guest never sees time jump inside a
 * section it runs with interrupts off (Linux reads its PIT and TSC clocksources there,
 * and a PIT that ran past its terminal count under it reads a whole tick behind). */
void sched_sync(struct sched *s, bool interruptible);

/* Fires every timer whose deadline has come, earliest first (ties: lowest id). Returns
 * false when it stopped after SCHED_FIRE_MAX callbacks with timers still due (a device
 * arming a timer in the past again and again), so that the caller can hand control back
 * (signals, -stop-at) instead of spinning. */
#define SCHED_FIRE_MAX 1000
bool sched_fire_due(struct sched *s);

/* How many instructions the CPU may run before the next deadline: at least 1, at most
 * max. Call it right after sched_fire_due. Remembers the deadline for sched_timer_mod's
 * kick until sched_slice_done. */
uint64_t sched_slice(struct sched *s, uint64_t max);
void sched_slice_done(struct sched *s);

/* The CPU is halted waiting for an interrupt: lets virtual time reach the next deadline.
 * Deterministic: jumps there at once. Real time: sleeps the host until then, but at most
 * max_host_ns. Returns true when a deadline was reached (sched_fire_due has work), false
 * when there is none or the host wait ran out first. */
bool sched_idle(struct sched *s, uint64_t max_host_ns);

/* After the machine stood still (a debugger stopped it): virtual time goes on from where
 * it stood; the host time that passed meanwhile is neither caught up nor counted in the
 * instruction rate (real time; nothing changes with the deterministic clock). */
void sched_host_paused(struct sched *s);

/* After the state was loaded: recomputes the cached deadline and re-anchors the host
 * clock so that virtual time goes on from the loaded value. A rate out of range, an
 * anchor_icount that does not fit the CPU's counter or a deadline past SCHED_TIME_MAX
 * (a damaged or forged file; anchor_ns itself is refused by its range) are made
 * harmless: the rate starts afresh, time goes on from anchor_ns, the timer never fires. */
void sched_state_loaded(struct sched *s);

extern const struct savestate_desc sched_savestate;

#endif
