/* The scheduler and its two clocks (core/sched.h): deadline order, re-arming, slices and
 * kicks, the deterministic clock's shift and idle jumps, the real-time clock against a
 * fake host clock (catching up, sleeping when ahead, learning the rate, idle sleeps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/sched.h"

struct t {
    struct sched s;
    uint64_t icount;
    uint64_t host;               /* the fake host clock, ns */
    uint64_t slept_until;        /* last sleep target */
    uint64_t oversleep;          /* a sleep wakes this much after its target */
    unsigned sleeps;
    char log[64];                /* which timers fired, in order */
    unsigned nlog;
    int rearm_id;                /* timer that re-arms itself */
    uint64_t rearm_every;
    uint64_t kicked;             /* deadline of the last kick */
};

static uint64_t fake_now(void *opaque)
{
    return ((struct t *)opaque)->host;
}

static void fake_sleep(void *opaque, uint64_t until)
{
    struct t *t = opaque;
    t->sleeps++;
    t->slept_until = until;
    if (until > t->host)
        t->host = until + t->oversleep;
}

static void fired(void *opaque, uint64_t deadline)
{
    struct t *t = *(struct t **)opaque;
    (void)deadline;
    char c = ((char *)opaque)[sizeof(struct t *)];
    if (t->nlog < sizeof t->log - 1)
        t->log[t->nlog++] = c;
}

/* Each timer gets a tag: a struct t pointer followed by a letter. */
struct tag {
    struct t *t;
    char c;
};

static void rearming(void *opaque, uint64_t deadline)
{
    struct t *t = opaque;
    if (t->nlog < sizeof t->log - 1)
        t->log[t->nlog++] = 'R';
    sched_timer_mod(&t->s, t->rearm_id, deadline + t->rearm_every);
}

static void kick(void *opaque, uint64_t deadline)
{
    ((struct t *)opaque)->kicked = deadline;
}

static struct t *make(enum sched_clock clock, unsigned shift)
{
    struct t *t = calloc(1, sizeof(*t));
    t->host = 1000000000; /* the host clock does not start at 0 */
    sched_init(&t->s, clock, shift, &t->icount);
    sched_set_host_clock(&t->s, fake_now, fake_sleep, t);
    t->s.kick = kick;
    t->s.kick_opaque = t;
    return t;
}

static void run(struct t *t, uint64_t insns)
{
    t->icount += insns;
    sched_sync(&t->s, true);
    sched_fire_due(&t->s);
}

static void test_timers_fire_in_deadline_order(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 0);
    struct tag a = { t, 'a' }, b = { t, 'b' }, c = { t, 'c' };
    int ia = sched_timer_new(&t->s, "a", fired, &a);
    int ib = sched_timer_new(&t->s, "b", fired, &b);
    int ic = sched_timer_new(&t->s, "c", fired, &c);
    sched_timer_mod(&t->s, ia, 300);
    sched_timer_mod(&t->s, ib, 100);
    sched_timer_mod(&t->s, ic, 200);
    assert_int_equal(sched_next_deadline(&t->s), 100);
    run(t, 150);
    assert_string_equal(t->log, "b");
    run(t, 1000);
    assert_string_equal(t->log, "bca");
    assert_false(sched_timer_armed(&t->s, ia));
    assert_int_equal(sched_next_deadline(&t->s), SCHED_NEVER);
    free(t);
}

static void test_deleted_timer_does_not_fire(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 0);
    struct tag a = { t, 'a' };
    int ia = sched_timer_new(&t->s, "a", fired, &a);
    sched_timer_mod(&t->s, ia, 10);
    sched_timer_del(&t->s, ia);
    run(t, 100);
    assert_int_equal(t->nlog, 0);
    free(t);
}

static void test_timer_rearmed_in_its_callback_keeps_period(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 0);
    t->rearm_id = sched_timer_new(&t->s, "r", rearming, t);
    t->rearm_every = 100;
    sched_timer_mod(&t->s, t->rearm_id, 100);
    for (unsigned i = 0; i < 10; i++)
        run(t, 100);
    assert_string_equal(t->log, "RRRRRRRRRR");
    assert_int_equal(sched_timer_deadline(&t->s, t->rearm_id), 1100);
    free(t);
}

static void test_deterministic_time_is_instructions_shifted(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 3);
    t->icount = 10;
    assert_int_equal(sched_now(&t->s), 80);
    t->host += 123456789; /* the host clock has no say */
    sched_sync(&t->s, true);
    assert_int_equal(sched_now(&t->s), 80);
    assert_int_equal(sched_insns_until(&t->s, 81), 1);
    assert_int_equal(sched_insns_until(&t->s, 160), 10);
    free(t);
}

static void test_slice_ends_at_next_deadline(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 1);
    struct tag a = { t, 'a' };
    int ia = sched_timer_new(&t->s, "a", fired, &a);
    assert_int_equal(sched_slice(&t->s, 1000), 1000); /* nothing armed: the budget */
    sched_slice_done(&t->s);
    sched_timer_mod(&t->s, ia, 100);
    assert_int_equal(sched_slice(&t->s, 1000), 50);
    assert_int_equal(sched_slice(&t->s, 20), 20);
    sched_slice_done(&t->s);
    free(t);
}

static void test_timer_armed_sooner_kicks_the_running_slice(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 0);
    struct tag a = { t, 'a' }, b = { t, 'b' };
    int ia = sched_timer_new(&t->s, "a", fired, &a);
    int ib = sched_timer_new(&t->s, "b", fired, &b);
    sched_timer_mod(&t->s, ia, 1000);
    assert_int_equal(sched_slice(&t->s, 100000), 1000);
    t->icount = 10;                      /* a device runs mid-slice */
    sched_timer_mod(&t->s, ib, 2000);    /* later than the slice: no kick */
    assert_int_equal(t->kicked, 0);
    sched_timer_mod(&t->s, ib, 500);
    assert_int_equal(t->kicked, 500);
    sched_slice_done(&t->s);
    sched_timer_mod(&t->s, ib, 400);     /* outside a slice: no kick */
    assert_int_equal(t->kicked, 500);
    free(t);
}

static void test_idle_jumps_to_next_deadline_deterministic(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 2);
    struct tag a = { t, 'a' };
    int ia = sched_timer_new(&t->s, "a", fired, &a);
    t->icount = 5;
    sched_timer_mod(&t->s, ia, 1000000);
    assert_true(sched_idle(&t->s, 10));
    assert_int_equal(sched_now(&t->s), 1000000);
    assert_int_equal(t->s.st.jumped_ns, 1000000 - 20);
    assert_int_equal(t->sleeps, 0);
    sched_fire_due(&t->s);
    assert_string_equal(t->log, "a");
    free(t);
}

static void test_idle_with_nothing_armed_waits_for_input(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 0);
    assert_false(sched_idle(&t->s, 5000000));
    assert_int_equal(t->sleeps, 1);
    assert_int_equal(sched_now(&t->s), 0);
    free(t);
}

static void test_realtime_catches_up_with_a_slow_host(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    t->icount = 1000;
    t->host += 50000000;                 /* 50 ms passed on the host */
    sched_sync(&t->s, true);
    assert_int_equal(sched_now(&t->s), 50000000);
    assert_true(t->s.st.jumped_ns > 0);
    free(t);
}

static void test_realtime_sleeps_when_the_guest_runs_ahead(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    t->icount = 10000000;                /* 200 ms at the initial 20 ns per instruction */
    t->host += 1000;
    sched_sync(&t->s, true);
    assert_int_equal(t->sleeps, 1);
    assert_int_equal(t->slept_until, t->s.host_base + 200000000);
    assert_int_equal(sched_now(&t->s), 200000000);
    free(t);
}

static void test_realtime_slows_down_when_a_little_ahead(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    t->icount = 500000;                  /* 10 ms at the initial 20 ns per instruction */
    t->host += 1000;
    sched_sync(&t->s, true);
    assert_int_equal(t->sleeps, 0);      /* no sleep: time runs at half the rate */
    assert_int_equal(sched_now(&t->s), 10000000);
    assert_int_equal(t->s.st.rate, 10 * SCHED_RATE_ONE);
    t->icount += 500000;
    t->host += 14000000;                 /* the host catches up: 14 ms for 5 ms of time */
    sched_sync(&t->s, true);
    assert_int_equal(sched_now(&t->s), 15000000);
    assert_int_equal(t->sleeps, 0);
    assert_int_equal(t->s.st.rate, t->s.est); /* within SCHED_AHEAD_MAX_NS: full rate */
    free(t);
}

static void test_realtime_speeds_up_when_behind_with_interrupts_off(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    t->icount = 1000;
    t->host += 50000000;                 /* 50 ms passed on the host (descheduled) */
    sched_sync(&t->s, false);
    assert_int_equal(sched_now(&t->s), 20000); /* no jump with interrupts off */
    /* 49.98 ms behind: 1 + 24 times the rate */
    assert_int_equal(t->s.st.rate, 25 * t->s.est);
    t->icount += 1000;
    sched_sync(&t->s, false);
    assert_int_equal(sched_now(&t->s), 20000 + 25 * 20000);
    free(t);
}

static void test_realtime_learns_the_host_rate(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    sched_sync(&t->s, true);
    for (unsigned i = 0; i < 200; i++) {  /* the host runs 5 ns per instruction */
        t->icount += 1000000;
        t->host += 5000000;
        sched_sync(&t->s, true);
    }
    uint64_t rate = t->s.st.rate;
    assert_in_range(rate, 5 * SCHED_RATE_ONE - SCHED_RATE_ONE / 10,
                    5 * SCHED_RATE_ONE + SCHED_RATE_ONE / 10);
    uint64_t host_virt = t->host - t->s.host_base;
    uint64_t now = sched_now(&t->s);
    assert_true(now >= host_virt && now - host_virt <= SCHED_AHEAD_MAX_NS);
    free(t);
}

static void test_realtime_idle_sleeps_until_the_deadline(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    struct tag a = { t, 'a' };
    int ia = sched_timer_new(&t->s, "a", fired, &a);
    sched_timer_mod(&t->s, ia, 3000000);
    assert_true(sched_idle(&t->s, 10000000));
    assert_int_equal(t->slept_until, t->s.host_base + 3000000);
    assert_true(sched_now(&t->s) >= 3000000);
    sched_fire_due(&t->s);
    assert_string_equal(t->log, "a");
    /* A deadline beyond the wait limit: sleep the limit, report not reached. */
    sched_timer_mod(&t->s, ia, sched_now(&t->s) + 50000000);
    assert_false(sched_idle(&t->s, 10000000));
    free(t);
}

/* A periodic timer (an 8254 in rate-generator mode) that records when each period fired. */
#define PERIOD 4000000ull
struct ticks {
    struct sched *s;
    const uint64_t *icount;
    int id;
    unsigned n;
    uint64_t deadline[256], now[256], icount_at[256];
};

static void tick(void *opaque, uint64_t deadline)
{
    struct ticks *k = opaque;
    if (k->n < 256) {
        k->deadline[k->n] = deadline;
        k->now[k->n] = sched_now(k->s);
        k->icount_at[k->n] = *k->icount;
        k->n++;
    }
    sched_timer_mod(k->s, k->id, deadline + PERIOD);
}

/* Each period fired at its own deadline, none skipped, with instructions run between two
 * of them (the guest could take each interrupt). */
static void assert_every_period_fired(const struct ticks *k, unsigned from)
{
    for (unsigned i = from; i < k->n; i++) {
        assert_int_equal(k->deadline[i], (i + 1) * PERIOD);
        assert_true(k->now[i] - k->deadline[i] < 1000); /* on time, not 50 ms late */
        if (i > from)
            assert_true(k->icount_at[i] > k->icount_at[i - 1]);
    }
}

/* The machine's loop: fire what is due, run a slice at the host's 20 ns per instruction. */
static void run_slices(struct t *t, unsigned slices)
{
    for (unsigned i = 0; i < slices; i++) {
        sched_sync(&t->s, true);
        sched_fire_due(&t->s);
        uint64_t n = sched_slice(&t->s, 1000000000);
        t->icount += n;
        t->host += n * 20;
        sched_slice_done(&t->s);
    }
}

static void test_realtime_catching_up_fires_every_period(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    struct ticks k = { .s = &t->s, .icount = &t->icount };
    k.id = sched_timer_new(&t->s, "pit", tick, &k);
    sched_timer_mod(&t->s, k.id, PERIOD);
    t->icount = 1000;
    t->host += 50000000;                 /* the host was away for 50 ms */
    run_slices(t, 100);
    assert_true(k.n >= 13);              /* 50 ms and more of periods */
    assert_every_period_fired(&k, 0);
    /* Caught up: virtual time is the host's again (within a period). */
    uint64_t host_virt = t->host - t->s.host_base;
    assert_true(host_virt - sched_now(&t->s) < PERIOD);
    assert_true(k.now[k.n - 1] + PERIOD >= host_virt);
    free(t);
}

static void test_realtime_idle_oversleep_stops_at_each_deadline(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    struct ticks k = { .s = &t->s, .icount = &t->icount };
    k.id = sched_timer_new(&t->s, "pit", tick, &k);
    sched_timer_mod(&t->s, k.id, PERIOD);
    t->oversleep = 10000000;             /* the host wakes the sleeper 10 ms late */
    assert_true(sched_idle(&t->s, 100000000));
    assert_int_equal(sched_now(&t->s), PERIOD);
    run_slices(t, 1);                    /* the timer fires; the guest gets a short slice */
    assert_int_equal(k.n, 1);
    assert_true(t->icount <= 1000000 / 20); /* at most 1 ms at the initial rate */
    /* The guest handled the interrupt and halted again: time moves on a deadline at a
     * time, with a short slice after each. */
    assert_true(sched_idle(&t->s, 100000000));
    assert_int_equal(sched_now(&t->s), 2 * PERIOD);
    run_slices(t, 1);
    assert_int_equal(k.n, 2);
    t->oversleep = 0;
    run_slices(t, 20);
    assert_every_period_fired(&k, 0);
    free(t);
}

/* Behind the host while the guest has interrupts off: time moves only with instructions
 * (no jump under a guest reading two clocks in a row), slices stay short, and time catches
 * up at the first boundary with interrupts on, stopping at the first deadline. */
static void test_realtime_holds_catch_up_while_interrupts_are_off(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    struct ticks k = { .s = &t->s, .icount = &t->icount };
    k.id = sched_timer_new(&t->s, "pit", tick, &k);
    sched_timer_mod(&t->s, k.id, PERIOD);
    t->icount = 1000;
    t->host += 50000000;                 /* the host was away for 50 ms */
    sched_sync(&t->s, false);
    assert_int_equal(sched_now(&t->s), 1000 * 20); /* 1000 instructions at 20 ns */
    assert_int_equal(t->s.st.jumped_ns, 0);
    sched_fire_due(&t->s);
    assert_int_equal(k.n, 0);
    uint64_t n = sched_slice(&t->s, 1000000000);
    assert_true(n <= 1000000 / 20);      /* at most 1 ms: the next boundary comes soon */
    sched_slice_done(&t->s);
    t->icount += 10;
    sched_sync(&t->s, true);
    assert_int_equal(sched_now(&t->s), PERIOD);
    sched_fire_due(&t->s);
    assert_int_equal(k.n, 1);
    free(t);
}

static void test_runaway_timer_is_bounded_per_call(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 0);
    t->rearm_id = sched_timer_new(&t->s, "r", rearming, t);
    t->rearm_every = 0;                  /* always due again */
    sched_timer_mod(&t->s, t->rearm_id, 0);
    t->nlog = 0;
    /* fired() logs at most 63 entries; count through the deadline instead. The call
     * says it stopped with work left, so that the machine hands control back. */
    assert_false(sched_fire_due(&t->s));
    assert_true(sched_timer_armed(&t->s, t->rearm_id));
    assert_int_equal(sched_slice(&t->s, 100), 1);
    sched_slice_done(&t->s);
    t->rearm_every = 1000;               /* due once more, then in the future */
    assert_true(sched_fire_due(&t->s));
    free(t);
}

/* A loaded state's deadlines past SCHED_TIME_MAX never fire; an anchor_icount past the
 * CPU's counter or a rate out of range leaves time where the state says. */
/* A machine a debugger stopped for 5 s: after sched_host_paused, virtual time neither
 * jumps to catch those seconds up nor learns a slower rate from them. */
static void test_pause_is_not_caught_up(void **state)
{
    (void)state;
    struct t *t = make(SCHED_REALTIME, 0);
    for (unsigned i = 0; i < 200; i++) { /* 10 ms of host per million instructions */
        t->host += 10000000;
        run(t, 1000000);
    }
    uint64_t rate = t->s.st.rate, before = sched_now(&t->s);
    t->host += 5000000000ull; /* stopped in the debugger */
    sched_host_paused(&t->s);
    for (unsigned i = 0; i < 200; i++) {
        t->host += 10000000;
        run(t, 1000000);
    }
    uint64_t after = sched_now(&t->s);
    assert_true(after - before < 3000000000ull); /* about 2 s of running, not 7 */
    assert_true(t->s.st.rate <= rate + rate / 8 && t->s.st.rate + rate / 8 >= rate);
    free(t);
}

static void test_loaded_clock_is_bounded(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 0);
    struct tag a = { t, 'a' };
    int ia = sched_timer_new(&t->s, "a", fired, &a);
    t->icount = 500;
    t->s.st.deadline[ia] = SCHED_TIME_MAX + 1;
    t->s.st.anchor_ns = 1000;
    t->s.st.anchor_icount = UINT64_MAX;
    t->s.st.rate = UINT64_MAX;
    sched_state_loaded(&t->s);
    assert_false(sched_timer_armed(&t->s, ia));
    assert_int_equal(sched_now(&t->s), 1000);
    t->icount = 1ull << 40;              /* 2^40 instructions at 100 us each: overflow */
    t->s.st.anchor_icount = 0;
    t->s.st.rate = 100000ull << 16;
    sched_state_loaded(&t->s);
    assert_int_equal(sched_now(&t->s), 1000);
    free(t);
}

static void test_state_round_trip(void **state)
{
    (void)state;
    struct t *t = make(SCHED_DETERMINISTIC, 0);
    struct tag a = { t, 'a' };
    int ia = sched_timer_new(&t->s, "a", fired, &a);
    t->icount = 500;
    sched_sync(&t->s, true);
    sched_timer_mod(&t->s, ia, 777);
    uint8_t buf[1024];
    size_t n = savestate_save(&sched_savestate, &t->s.st, buf, sizeof buf);
    assert_int_equal(n, savestate_size(&sched_savestate));
    struct t *u = make(SCHED_DETERMINISTIC, 0);
    struct tag ua = { u, 'a' };
    sched_timer_new(&u->s, "a", fired, &ua);
    u->icount = 500;
    assert_int_equal(savestate_load(&sched_savestate, &u->s.st, buf, n), 0);
    sched_state_loaded(&u->s);
    assert_int_equal(sched_now(&u->s), 500);
    assert_int_equal(sched_next_deadline(&u->s), 777);
    run(u, 300);
    assert_string_equal(u->log, "a");
    free(t);
    free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers_fire_in_deadline_order),
        cmocka_unit_test(test_deleted_timer_does_not_fire),
        cmocka_unit_test(test_timer_rearmed_in_its_callback_keeps_period),
        cmocka_unit_test(test_deterministic_time_is_instructions_shifted),
        cmocka_unit_test(test_slice_ends_at_next_deadline),
        cmocka_unit_test(test_timer_armed_sooner_kicks_the_running_slice),
        cmocka_unit_test(test_idle_jumps_to_next_deadline_deterministic),
        cmocka_unit_test(test_idle_with_nothing_armed_waits_for_input),
        cmocka_unit_test(test_realtime_catches_up_with_a_slow_host),
        cmocka_unit_test(test_realtime_sleeps_when_the_guest_runs_ahead),
        cmocka_unit_test(test_realtime_slows_down_when_a_little_ahead),
        cmocka_unit_test(test_realtime_speeds_up_when_behind_with_interrupts_off),
        cmocka_unit_test(test_realtime_learns_the_host_rate),
        cmocka_unit_test(test_realtime_idle_sleeps_until_the_deadline),
        cmocka_unit_test(test_realtime_catching_up_fires_every_period),
        cmocka_unit_test(test_realtime_idle_oversleep_stops_at_each_deadline),
        cmocka_unit_test(test_realtime_holds_catch_up_while_interrupts_are_off),
        cmocka_unit_test(test_runaway_timer_is_bounded_per_call),
        cmocka_unit_test(test_pause_is_not_caught_up),
        cmocka_unit_test(test_loaded_clock_is_bounded),
        cmocka_unit_test(test_state_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
