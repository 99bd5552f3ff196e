#include "core/sched.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/compiler.h"

/* Real time starts from a guess of 20 ns per instruction (what the interpreter does on a
 * current host) and learns the real figure within the first milliseconds. */
#define RATE_INITIAL (20u * SCHED_RATE_ONE)
#define RATE_MIN (SCHED_RATE_ONE / 64)      /* 64 instructions per ns: faster is a bug */
#define RATE_MAX (100000ull * SCHED_RATE_ONE) /* 100 us per instruction */
/* The rate is folded in from windows of at least this much CPU time, so that one slow
 * slice (a page fault in the host, a printf) does not swing it. */
#define RATE_WINDOW_NS 4000000ull
/* A slice is never planned longer than this much virtual time, so that real time
 * resynchronises with the host even when no timer is armed. */
#define SLICE_MAX_NS 10000000ull
/* Real time, catching up with the host: the virtual time the CPU gets after each deadline
 * before time jumps on to the next one (see catch_up). A quarter of Linux's 4 ms tick: time
 * catches up about five times faster than it passes, and a timer interrupt has 1 ms of
 * guest instructions to be taken and handled before the next edge. */
#define CATCHUP_SLICE_NS 1000000ull
/* Real time, behind with interrupts off: time runs at most this many times the rate. */
#define BEHIND_SPEEDUP_MAX 64u

static uint64_t host_monotonic(void *opaque)
{
    (void)opaque;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * SCHED_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The CPU time of the thread running the guest: what the rate is measured in, so that a
 * host busy with other work (which deschedules us) does not make instructions look slow
 * and virtual time then run ahead of the host whenever we get the CPU back. */
static uint64_t host_thread_cpu(void *opaque)
{
    (void)opaque;
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * SCHED_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void host_sleep_monotonic(void *opaque, uint64_t host_ns)
{
    (void)opaque;
    struct timespec ts = { .tv_sec = (time_t)(host_ns / SCHED_NS_PER_SEC),
                           .tv_nsec = (long)(host_ns % SCHED_NS_PER_SEC) };
    /* A signal ends the sleep early; the caller sees less time passed and goes on. */
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

void sched_init(struct sched *s, enum sched_clock clock, unsigned shift, const uint64_t *icount)
{
    memset(s, 0, sizeof(*s));
    s->clock = (uint8_t)clock;
    s->shift = (uint8_t)(shift > SCHED_ICOUNT_SHIFT_MAX ? SCHED_ICOUNT_SHIFT_MAX : shift);
    s->icount = icount;
    for (unsigned i = 0; i < SCHED_MAX_TIMERS; i++)
        s->st.deadline[i] = SCHED_NEVER;
    s->st.anchor_icount = *icount;
    s->st.rate = clock == SCHED_DETERMINISTIC ? (uint64_t)SCHED_RATE_ONE << s->shift
                                              : RATE_INITIAL;
    s->est = s->st.rate;
    s->next = SCHED_NEVER;
    s->slice_end = SCHED_NEVER;
    sched_set_host_clock(s, host_monotonic, host_sleep_monotonic, NULL);
    s->host_cpu = host_thread_cpu;
}

void sched_set_host_clock(struct sched *s, uint64_t (*now)(void *),
                          void (*sleep_until)(void *, uint64_t), void *opaque)
{
    s->host_now = now;
    s->host_cpu = now; /* a test's clock is its CPU time too */
    s->host_sleep_until = sleep_until;
    s->host_opaque = opaque;
    s->host_base = now(opaque) - s->st.anchor_ns;
    s->last_valid = 0;
    s->win_host = s->win_insns = 0;
    s->behind = 0;
}

int sched_timer_new(struct sched *s, const char *name, sched_fn fn, void *opaque)
{
    if (s->ntimers >= SCHED_MAX_TIMERS)
        return -1;
    int id = (int)s->ntimers++;
    s->slot[id] = (struct sched_timer_slot){ .fn = fn, .opaque = opaque, .name = name };
    s->st.deadline[id] = SCHED_NEVER;
    return id;
}

static void recompute_next(struct sched *s)
{
    uint64_t next = SCHED_NEVER;
    for (unsigned i = 0; i < s->ntimers; i++)
        if (s->st.deadline[i] < next)
            next = s->st.deadline[i];
    s->next = next;
}

void sched_timer_mod(struct sched *s, int id, uint64_t deadline)
{
    uint64_t old = s->st.deadline[id];
    s->st.deadline[id] = deadline;
    if (deadline < s->next) {
        s->next = deadline;
        if (s->in_slice && deadline < s->slice_end && s->kick) {
            s->slice_end = deadline;
            s->kick(s->kick_opaque, deadline);
        }
    } else if (old == s->next) {
        recompute_next(s);
    }
}

void sched_timer_del(struct sched *s, int id)
{
    sched_timer_mod(s, id, SCHED_NEVER);
}

uint64_t sched_next_deadline(struct sched *s)
{
    return s->next;
}

uint64_t sched_insns_until(const struct sched *s, uint64_t t)
{
    uint64_t now = sched_now(s);
    if (t <= now)
        return 0;
    uint64_t d = t - now;
    if (d > (1ull << 40))
        d = 1ull << 40; /* keeps d << 16 in range; such a slice is cut by its budget anyway */
    return ((d << 16) + s->st.rate - 1) / s->st.rate;
}

/* Moves the anchor to the current count without changing the time. */
static uint64_t reanchor(struct sched *s)
{
    uint64_t now = sched_now(s);
    s->st.anchor_ns = now;
    s->st.anchor_icount = *s->icount;
    return now;
}

/* After the host slept: the next CPU-time interval starts now. */
static void restart_interval(struct sched *s)
{
    s->last_host = s->host_cpu(s->host_opaque);
    s->last_icount = *s->icount;
    s->last_valid = 1;
}

void sched_host_paused(struct sched *s)
{
    reanchor(s);
    s->host_base = s->host_now(s->host_opaque) - s->st.anchor_ns;
    s->last_valid = 0;
    s->win_host = s->win_insns = 0;
    s->behind = 0;
}

/* Folds the CPU time since the previous boundary (host: host_cpu's reading) into the
 * rate. */
static void measure_rate(struct sched *s, uint64_t host, uint64_t icount)
{
    if (s->last_valid && host > s->last_host) {
        s->win_host += host - s->last_host;
        s->win_insns += icount - s->last_icount;
    }
    s->last_host = host;
    s->last_icount = icount;
    s->last_valid = 1;
    if (s->win_host < RATE_WINDOW_NS || s->win_insns == 0)
        return;
    uint64_t measured = (s->win_host << 16) / s->win_insns;
    uint64_t rate = (s->est * 3 + measured) / 4;
    s->est = rate < RATE_MIN ? RATE_MIN : rate > RATE_MAX ? RATE_MAX : rate;
    s->win_host = s->win_insns = 0;
}

/* Real time: virtual time fell behind the host (a slow or descheduled host, an idle sleep
 * that overslept) and moves forward to `target` without instructions. It never moves past
 * a deadline: it stops at the earliest one, which then fires, and the CPU runs at most
 * CATCHUP_SLICE_NS (sched_slice) before the next boundary moves time on again. A jump over
 * deadlines would fire each timer once, late, for all the periods it skipped: an 8254 in
 * rate-generator mode would lose those edges of IRQ 0, and a guest that counts its ticks
 * (Linux's jiffies, and its PIT clocksource built on them) would fall behind its TSC,
 * which the clocksource watchdog then calls unstable. */
static void catch_up(struct sched *s, uint64_t now, uint64_t target)
{
    s->behind = 0;
    if (s->next <= now) {
        /* Something is due at this boundary: it fires first, at its own time. */
        s->behind = target > now;
        return;
    }
    if (target > s->next) {
        target = s->next;
        s->behind = 1;
    }
    if (target > now) {
        s->st.jumped_ns += target - now;
        s->st.anchor_ns = target;
    }
}

void sched_sync(struct sched *s, bool interruptible)
{
    uint64_t now = reanchor(s);
    if (s->clock == SCHED_DETERMINISTIC)
        return;
    uint64_t host = s->host_now(s->host_opaque);
    measure_rate(s, s->host_cpu(s->host_opaque), *s->icount);
    uint64_t host_virt = host - s->host_base;
    s->st.rate = s->est;
    if (host_virt > now && !interruptible) {
        /* Behind, but the guest has interrupts off: keep slices short and catch up at the
         * first boundary where it could take the timer interrupts that are due. A guest
         * that keeps them off (polling a device) gets there by time running faster, 1 +
         * (how far behind) / SCHED_AHEAD_MAX_NS times the rate (at most BEHIND_SPEEDUP_MAX
         * times): the rate is measured in our CPU time, which runs slower than the host's
         * clock on a busy host, and a guest with our CPU a tenth of the time stays about
         * 20 ms behind. */
        s->behind = 1;
        uint64_t speedup = 1 + (host_virt - now) / SCHED_AHEAD_MAX_NS;
        if (speedup > BEHIND_SPEEDUP_MAX)
            speedup = BEHIND_SPEEDUP_MAX;
        s->st.rate = s->est * speedup > RATE_MAX ? RATE_MAX : s->est * speedup;
    } else if (host_virt > now) {
        /* The host ran slower than the rate promised: catch up (time stays monotonic). */
        catch_up(s, now, host_virt);
    } else if (now - host_virt > SCHED_AHEAD_SLEEP_NS && s->host_sleep_until) {
        s->behind = 0;
        /* The guest ran far ahead of the host: wait, so that guest seconds stay host
         * seconds. The sleep is not CPU time for the rate measurement. */
        s->host_sleep_until(s->host_opaque, s->host_base + now);
        restart_interval(s);
    } else if (now - host_virt > SCHED_AHEAD_MAX_NS) {
        /* A little ahead: the rate, learnt from the last windows, gave what ran since
         * more time than it took (costs vary: a REP MOVS chunk of 4,096 iterations
         * counts one instruction; the host may have descheduled us while it measured).
         * Time runs at half the rate until the host has caught up. The host used to sleep
         * here: a busy guest slept through a fifth to a half of each part of the guest
         * benchmark, and its own clock counted the sleeps. */
        s->behind = 0;
        s->st.rate = s->est / 2 < RATE_MIN ? RATE_MIN : s->est / 2;
    } else {
        s->behind = 0;
    }
}

/* The callbacks one call makes are bounded (SCHED_FIRE_MAX), so that a device arming a
 * timer in the past again and again cannot hang the machine (the CPU gets an instruction
 * between rounds, and the caller gets control back). */
bool sched_fire_due(struct sched *s)
{
    for (unsigned fired = 0; fired < SCHED_FIRE_MAX; fired++) {
        uint64_t now = sched_now(s);
        if (s->next > now)
            return true;
        int best = -1;
        for (unsigned i = 0; i < s->ntimers; i++)
            if (s->st.deadline[i] <= now &&
                (best < 0 || s->st.deadline[i] < s->st.deadline[best]))
                best = (int)i;
        if (best < 0) { /* the cache was stale */
            recompute_next(s);
            if (s->next > now)
                return true;
            continue;
        }
        uint64_t deadline = s->st.deadline[best];
        s->st.deadline[best] = SCHED_NEVER;
        recompute_next(s);
        s->slot[best].fn(s->slot[best].opaque, deadline);
    }
    return s->next > sched_now(s);
}

uint64_t sched_slice(struct sched *s, uint64_t max)
{
    uint64_t now = sched_now(s);
    uint64_t end = s->next;
    if (end <= now)
        return 1; /* sched_fire_due ran just before: only a runaway timer is still due */
    if (s->clock == SCHED_REALTIME) {
        uint64_t max_ns = s->behind ? CATCHUP_SLICE_NS : SLICE_MAX_NS;
        if (end - now > max_ns)
            end = now + max_ns;
    }
    uint64_t n = sched_insns_until(s, end);
    if (n > max)
        n = max;
    if (n == 0)
        n = 1;
    s->slice_end = end;
    s->in_slice = 1;
    return n;
}

void sched_slice_done(struct sched *s)
{
    s->in_slice = 0;
    s->slice_end = SCHED_NEVER;
}


bool sched_idle(struct sched *s, uint64_t max_host_ns)
{
    uint64_t now = reanchor(s);
    uint64_t next = s->next;
    if (next <= now)
        return true;
    if (s->clock == SCHED_DETERMINISTIC) {
        if (next == SCHED_NEVER) {
            /* Only input from outside can wake the guest; wait for it in host time. */
            if (s->host_sleep_until)
                s->host_sleep_until(s->host_opaque, s->host_now(s->host_opaque) + max_host_ns);
            return false;
        }
        s->st.jumped_ns += next - now;
        s->st.anchor_ns = next;
        return true;
    }
    uint64_t host = s->host_now(s->host_opaque);
    uint64_t target = next == SCHED_NEVER ? SCHED_NEVER : s->host_base + next;
    bool reached = true;
    if (target > host + max_host_ns) {
        target = host + max_host_ns;
        reached = false;
    }
    if (target > host && s->host_sleep_until)
        s->host_sleep_until(s->host_opaque, target);
    restart_interval(s);
    host = s->host_now(s->host_opaque);
    uint64_t host_virt = host - s->host_base;
    if (reached && host_virt < next)
        host_virt = next; /* woken a hair early (or by a signal at the very end): it is due */
    if (host_virt > now)
        catch_up(s, now, host_virt); /* stops at `next` when the host overslept */
    else
        s->behind = 0;
    return sched_now(s) >= next;
}

void sched_state_loaded(struct sched *s)
{
    for (unsigned i = 0; i < SCHED_MAX_TIMERS; i++)
        if (i >= s->ntimers || s->st.deadline[i] > SCHED_TIME_MAX)
            s->st.deadline[i] = SCHED_NEVER;
    if (s->st.rate < RATE_MIN || s->st.rate > RATE_MAX)
        s->st.rate = RATE_INITIAL;
    /* The instructions since the anchor (a saved state is at most a slice past it), at the
     * rate they ran at, must neither overflow nor land past SCHED_TIME_MAX. */
    uint64_t since = *s->icount - s->st.anchor_icount;
    if (*s->icount < s->st.anchor_icount || since > UINT64_MAX / s->st.rate ||
        sched_now(s) > SCHED_TIME_MAX)
        s->st.anchor_icount = *s->icount;
    else
        reanchor(s);
    if (s->clock == SCHED_DETERMINISTIC)
        s->st.rate = (uint64_t)SCHED_RATE_ONE << s->shift;
    s->est = s->st.rate;
    s->host_base = s->host_now(s->host_opaque) - s->st.anchor_ns;
    s->last_valid = 0;
    s->win_host = s->win_insns = 0;
    s->behind = 0;
    recompute_next(s);
}

static const struct savestate_field sched_fields[] = {
    SS_ARRAY(struct sched_state, deadline),
    SS_FIELD_RANGE(struct sched_state, anchor_ns, 0, SCHED_TIME_MAX),
    SS_FIELD(struct sched_state, anchor_icount),
    SS_FIELD(struct sched_state, rate),
    SS_FIELD(struct sched_state, jumped_ns),
};
SAVESTATE_DESC(sched_savestate, "sched", 1, sched_fields);
