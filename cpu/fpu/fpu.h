/* The x87 FPU and MMX state of the processor (SDM Vol. 1 ch. 8, 9), plain data: fixed-width
 * fields and no host pointers, so a save state can copy it whole. */
#ifndef ORRERY_CPU_FPU_FPU_H
#define ORRERY_CPU_FPU_FPU_H

#include <stdint.h>

#include "cpu/fpu/float80.h"

/* Status word bits (SDM Vol. 1 §8.1.3); TOP (bits 11-13) lives in struct fpu.top. */
enum {
    SW_IE = 0x0001, SW_DE = 0x0002, SW_ZE = 0x0004, SW_OE = 0x0008, SW_UE = 0x0010,
    SW_PE = 0x0020, SW_SF = 0x0040, SW_ES = 0x0080, SW_C0 = 0x0100, SW_C1 = 0x0200,
    SW_C2 = 0x0400, SW_TOP = 0x3800, SW_C3 = 0x4000, SW_B = 0x8000,
};

struct fpu {
    struct f80 st[8];  /* physical registers R0-R7; ST(i) is st[(top + i) & 7]; MMi is st[i] */
    uint32_t fip;      /* last non-control instruction: offset (real mode: the offset too) */
    uint32_t fdp;      /* its memory operand's offset */
    uint16_t fcs, fds; /* their selectors */
    uint16_t fop;      /* its opcode: low 3 bits of the escape byte, then the ModRM byte */
    uint16_t cw;       /* control word */
    uint16_t sw;       /* status word without TOP */
    uint8_t top;
    uint8_t valid;     /* bit i set: R(i) is not empty (the abridged tag word of FXSAVE) */
    uint32_t pad;
};

/* Power-up and RESET state (SDM Vol. 3A §9.1.1, Table 9-1): control word 0040H, status 0,
 * every register +0.0 and tagged as such (tag word 5555H), pointers 0. */
void fpu_reset(struct fpu *f);

/* FNINIT (SDM Vol. 2A "FINIT/FNINIT"): 037FH, status 0, all empty, pointers 0. */
void fpu_init(struct fpu *f);

/* The status word with TOP, and the full two-bit tag word computed from the registers
 * (valid 00, zero 01, special 10, empty 11), as FNSTSW and FNSTENV report them. */
uint16_t fpu_status_word(const struct fpu *f);
uint16_t fpu_tag_word(const struct fpu *f);

struct cpu;
/* WAIT/FWAIT on a model with an x87: delivers a pending unmasked exception. */
void fpu_wait(struct cpu *cpu);
/* Delivers a pending unmasked exception at a waiting instruction: #MF when CR0.NE = 1,
 * otherwise FERR# (struct cpu: ferr, ferr_changed, ignne). */
void fpu_error(struct cpu *cpu);

#endif
