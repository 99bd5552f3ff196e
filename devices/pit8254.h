/* The Intel 8254 programmable interval timer at ports 0x40-0x43, and the AT's system
 * control port B at 0x61 (channel 2's gate, the speaker enable, OUT2 and the refresh bit).
 *
 * Three channels clocked at 1.193182 MHz (105/88 MHz). Counters are computed from virtual
 * time, never stepped: each channel remembers the tick at which its counting element held
 * a known count, and reads derive the count and OUT from the current tick. Only channel 0
 * schedules events: one per rising edge of OUT0, which drives IRQ 0.
 *
 * Per the 8254 datasheet: all six modes, binary and BCD counting, LSB/MSB/LSB-then-MSB
 * access, the counter latch command and the read-back command (count and status, NULL
 * COUNT), gates (channel 2's from port 0x61; 0 and 1 are tied high). Simplifications,
 * each invisible to PC software: a count is loaded at the write, not on the next CLK edge;
 * in mode 3 a new count takes effect at the end of the period rather than the half-cycle.
 * The speaker makes no sound; its state is kept (pit_speaker_on) for a frontend. */
#ifndef ORRERY_DEVICES_PIT8254_H
#define ORRERY_DEVICES_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "core/iobus.h"
#include "core/irq.h"
#include "core/savestate.h"
#include "core/sched.h"

#define PIT_PORT 0x40
#define PIT_PORT_B 0x61
/* The input clock: 105/88 MHz = 1.19318181... MHz (the 14.31818 MHz crystal / 12). */
#define PIT_CLOCK_NUM 105u
#define PIT_CLOCK_DEN 88000u /* ticks = ns * 105 / 88000 */

enum pit_phase {
    PIT_IDLE,      /* mode written, no count yet */
    PIT_WAITING,   /* has a count, waits for the gate (modes 1, 5: a trigger; 0, 4: high) */
    PIT_RUNNING,   /* counting from `count0` at tick `start` */
    PIT_PAUSED,    /* modes 0, 4: gate low, holding `held`; 2, 3: gate low, OUT high */
};

struct pit_channel {
    uint64_t start;          /* tick at which the counting element held count0 */
    uint64_t next_start;     /* modes 2, 3: tick where next_reload takes over */
    uint32_t count0;         /* count at `start` (modes 2, 3: the period) */
    uint32_t reload;         /* the initial count as written, 1..65536 (BCD 1..10000) */
    uint32_t next_reload;
    uint32_t held;           /* the count while not running */
    uint16_t latch;          /* latched count */
    uint8_t phase;           /* enum pit_phase */
    uint8_t mode, rw, bcd;   /* from the control word; rw: 1 LSB, 2 MSB, 3 LSB then MSB */
    uint8_t gate;
    uint8_t tc_done;         /* modes 0, 4: terminal count passed (OUT high for good) */
    uint8_t reload_pending;  /* modes 2, 3: next_reload waits for next_start */
    uint8_t write_msb;       /* LSB-then-MSB write: the LSB is in */
    uint8_t write_lsb;       /* that LSB */
    uint8_t read_msb;        /* LSB-then-MSB read of the live count: the MSB is next */
    uint8_t latched;         /* bytes of `latch` left to read (0: not latched) */
    uint8_t latch_msb;       /* the next latched byte is the MSB */
    uint8_t status_latched;
    uint8_t status;
    uint8_t null_count;
    uint8_t pad[7];          /* explicit, so the struct has no hidden padding (saved as 0) */
};

struct pit_state {
    struct pit_channel ch[3];
    uint8_t irq_level;       /* the level last driven on IRQ 0 */
    uint8_t port_b;          /* port 0x61 bits 0-3 as written */
    uint8_t pad[6];
};

struct pit {
    struct pit_state s;
    struct sched *sched;     /* wiring */
    struct irq_line irq0;
    int timer;
};

int pit_init(struct pit *p, struct iobus *bus, struct sched *sched, const struct irq_line *irq0);
void pit_reset(struct pit *p);
void pit_state_loaded(struct pit *p);

/* OUT of a channel now, and whether the speaker sounds (gate 2 and data enable set). */
bool pit_out(struct pit *p, unsigned channel);
bool pit_speaker_on(const struct pit *p);

extern const struct savestate_desc pit_savestate; /* describes struct pit_state */

#endif
