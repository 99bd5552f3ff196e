/* The host processor's own x87/MMX unit, driven through a small generated code page.
 * Built only on x86 hosts (tests/CMakeLists.txt). */
#ifndef ORRERY_TESTS_FPU_ORACLE_HOST_H
#define ORRERY_TESTS_FPU_ORACLE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one instruction sees and leaves: the 108-byte FSAVE image (32-bit protected-mode
 * layout), EAX and the arithmetic EFLAGS. */
struct host_frame {
    uint8_t fsave[108];
    uint32_t eflags;  /* in: loaded before the instruction (arithmetic bits); out: after */
    uint32_t eax;     /* in: loaded before; out: after */
    uint32_t pad;
};

/* Prepares the code page; returns false (with a message on stderr) when it cannot. */
bool host_init(void);

/* Runs FRSTOR frame; insn; FNSAVE frame on the host, with ESI/RSI = mem. The instruction's
 * memory operand, if any, must be [esi] (ModRM mod=0, rm=6). Returns false if the host
 * faulted (a signal), which the oracle reports as a difference. */
bool host_run(const uint8_t *insn, size_t len, struct host_frame *f, void *mem);
/* The signal of the last fault host_run reported (SIGFPE: #MF, SIGILL: #UD, ...). */
int host_last_signal(void);

#endif
