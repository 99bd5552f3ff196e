/* Tracing inside the machine (core/machine/trace_log.c, trace_file.c): the -d log items
 * that watch the CPU (in_asm, exec, cpu, int, mmu, unimp, guest_errors), -dfilter, and
 * the binary trace of -trace-file (tools/TRACE-FORMAT.md). Both hang on the CPU's
 * observation points (cpu.h, "What a tracer uses"): with neither, the CPU is not
 * observed at all. Host side only: never saved, and the guest never sees it. */
#ifndef ORRERY_CORE_MACHINE_TRACE_H
#define ORRERY_CORE_MACHINE_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/machine/machine.h"

struct machine;
struct cpu;
struct trace_file;
struct cpu_obs_block;

/* The log items trace_log.c serves. */
#define TRACE_LOG_ITEMS (MACHINE_LOG_IN_ASM | MACHINE_LOG_EXEC | MACHINE_LOG_CPU | \
                         MACHINE_LOG_INT | MACHINE_LOG_MMU | MACHINE_LOG_UNIMP |     \
                         MACHINE_LOG_GUEST_ERRORS)

/* Sets up what cfg asks for (log items above, the trace file) and hooks the CPU.
 * MACHINE_OK, or an error with one line in err. Call once the log is open. */
enum machine_status machine_trace_open(struct machine *m, const struct machine_config *cfg,
                                       char *err);
/* Ends the trace file (its end record) and frees everything; safe without a trace. */
void machine_trace_close(struct machine *m);
/* Writes out what is buffered. */
void machine_trace_flush(struct machine *m);
/* A saved state was loaded (machine_state.c): the trace file hears the new count. */
void machine_trace_loaded(struct machine *m);
/* guest_errors: the machine stopped for why (a triple fault). */
void machine_trace_stopped(struct machine *m, const char *why);
/* True, with one line in err, when writing the trace file failed. */
bool machine_trace_failed(struct machine *m, char *err);

/* trace_file.c: the binary writer. */
/* mem: MEM records too (the header says they may be present). */
struct trace_file *trace_file_open(const char *path, uint64_t icount, bool mem, char *err);
void trace_file_insn(struct trace_file *t, struct cpu *cpu, uint32_t lin, unsigned len);
/* A block from the translator, and its end (cpu.h, hooks block and block_end): the same
 * records as trace_file_insn for each instruction it ran. */
void trace_file_block(struct trace_file *t, struct cpu *cpu, const struct cpu_obs_block *blk);
void trace_file_block_end(struct trace_file *t, struct cpu *cpu);
struct cpu_obs_intr;
void trace_file_intr(struct trace_file *t, const struct cpu_obs_intr *ev, uint64_t icount);
/* A data access (cpu.h, hook mem; flags CPU_OBS_MEM_*): a MEM record after the run that
 * ends with the instruction that made it. */
void trace_file_mem(struct trace_file *t, uint32_t lin, uint64_t phys, unsigned size,
                    uint32_t value, unsigned flags);
void trace_file_flush(struct trace_file *t);
/* A saved state was loaded: before anything ran (-loadstate) the trace starts at its
 * count; later (the monitor's loadvm), the trace goes on from it. */
void trace_file_loaded(struct trace_file *t, uint64_t icount);
/* Writes the end record, closes; 0, or the errno of the first failed write. */
int trace_file_close(struct trace_file *t, uint64_t icount);
/* 0, or the errno of the first failed write; *name: "trace file 'PATH'". */
int trace_file_error(const struct trace_file *t, const char **name);

#endif
