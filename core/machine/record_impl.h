/* What the machine's files share of record and replay (core/machine/record.c): the hooks
 * machine_create, machine_run and the input calls use. Not for frontends (machine.h has
 * their part). */
#ifndef ORRERY_CORE_MACHINE_RECORD_IMPL_H
#define ORRERY_CORE_MACHINE_RECORD_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/machine/machine.h"
#include "core/record.h"

/* machine_create, first: the configuration a record or replay runs with (out): images on
 * overlays, and the deterministic clock (-record needs it given; -replay takes the
 * record's shift and RTC start). */
enum machine_status machine_rr_config(const struct machine_config *cfg,
                                      struct machine_config *out, char *err);
/* machine_create, last: writes the record's header, or reads the record and checks it
 * was made on this machine. machine_destroy's machine_rr_close writes END. */
enum machine_status machine_rr_open(struct machine *m, const struct machine_config *cfg,
                                    char *err);
void machine_rr_close(struct machine *m);
bool machine_rr_failed(struct machine *m, char *err); /* a write to the record failed */

/* An input from the host (m->rr set): queued for the next boundary while recording
 * (true), ignored while replaying (false). */
bool machine_rr_input(struct machine *m, const struct record_event *e);

/* The monitor's change (path set) or eject (NULL) of removable drive u while a record or
 * replay is open: recording, the image is checked now and the change made at the next
 * boundary, where it is recorded with the image's size and CRC-32; replaying, refused (the
 * record gives the changes). */
enum machine_status machine_rr_media(struct machine *m, unsigned u, const char *path,
                                     const char *format, bool force, char *err);

/* machine_run, at each boundary after the timers: records or replays what is due. True
 * when machine_run must return *why (the replay's end, a departure, a break). */
bool machine_rr_boundary(struct machine *m, bool halted, enum machine_stop *why);
/* machine_run, after its stops for a halt with interrupts off: true when a replay must
 * stop here (*why): its end (the recorded instruction and time), replay_break's or a
 * seek's instruction. */
bool machine_rr_stop(struct machine *m, enum machine_stop *why);
/* The slice, shortened to end at the next point the record names. */
uint64_t machine_rr_slice(struct machine *m, uint64_t max);
/* Replays up to exactly icount (ahead of the machine). */
enum machine_status machine_rr_run_to(struct machine *m, uint64_t icount, char *err);

/* The inputs themselves, behind the public calls (keys.c, machine.c). */
bool machine_key_apply(struct machine *m, unsigned usage, bool down);
void machine_mouse_apply(struct machine *m, int dx, int dy, int dz, unsigned buttons);
void machine_reset_apply(struct machine *m);

/* machine_state.c: a state file into the machine (machine_load_state without its
 * record/replay check); CRC-32s of the state sections (the CPU's, each device's; RAM's
 * into *ram when ram is not NULL) and their names, for the record's checks. */
enum machine_status machine_state_load(struct machine *m, const char *path, char *err);
unsigned machine_state_sums(struct machine *m, uint32_t *sums, unsigned max, uint32_t *ram);
const char *machine_state_part_name(unsigned i);

#endif
