/* SPDX-License-Identifier: MIT */
/* bench_fpu: how many x87 additions and multiplications per second the interpreter runs.
 *
 * A real-mode loop of 100 FADD ST(0),ST(1) (or 50 pairs of FMUL by x and by 1/x, so the
 * value stays in range and every product rounds) closed by DEC CX / JNZ runs through
 * cpu_run; the rate counts the x87 instructions only. Not a pass/fail test: `make bench`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum { BODY = 100 };

/* Runs a loop whose body is BODY copies of the two-byte instruction op (alternating with
 * alt when given) for about seconds; returns million x87 instructions per second. */
static double run(const char *name, const uint8_t setup[], size_t nsetup, uint8_t op0,
                  uint8_t op1, uint8_t alt1, double seconds)
{
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    physmem_init(&mem);
    iobus_init(&io);
    uint8_t *ram = physmem_add_ram(&mem, 0, 1u << 20);
    cpu_init(&cpu, CPU_P2, &mem, &io);
    cpu_load_seg_real(&cpu, S_CS, 0x1000);
    cpu_load_seg_real(&cpu, S_DS, 0x2000);
    cpu_load_seg_real(&cpu, S_SS, 0x3000);
    cpu.r[R_ESP] = 0x1000;
    cpu.eip = 0;

    uint8_t *code = ram + 0x10000;
    size_t n = 0;
    memcpy(code, setup, nsetup);
    n += nsetup;
    size_t loop = n;
    for (int i = 0; i < BODY; i++) {
        code[n++] = op0;
        code[n++] = (i & 1) && alt1 ? alt1 : op1;
    }
    code[n++] = 0x49;                         /* dec cx */
    code[n++] = 0x0F;                         /* jnz loop (rel16) */
    code[n++] = 0x85;
    int16_t rel = (int16_t)(loop - (n + 2));
    code[n++] = (uint8_t)rel;
    code[n++] = (uint8_t)((uint16_t)rel >> 8);
    code[n] = 0xEB;                           /* jmp back to the loop forever */
    code[n + 1] = (uint8_t)(int8_t)(loop - (n + 2));

    cpu_run(&cpu, 64); /* the setup */
    uint64_t x87 = 0;
    double t0 = now(), t;
    do {
        uint64_t ran = cpu_run(&cpu, 1000000);
        x87 += ran * BODY / (BODY + 2);
        t = now() - t0;
    } while (t < seconds && !cpu.shutdown);
    double rate = (double)x87 / t / 1e6;
    printf("%-32s %8.1f million/s\n", name, rate);
    physmem_free(&mem);
    iobus_free(&io);
    return rate;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    /* fninit; fldpi; fld1; (fld1 for the multiply: st2 = 1, st1 = pi...) */
    static const uint8_t add_setup[] = {
        0xDB, 0xE3,             /* fninit */
        0xD9, 0xEB,             /* fldpi */
        0xD9, 0xE8,             /* fld1: st0 = 1, st1 = pi */
    };
    static const uint8_t mul_setup[] = {
        0xDB, 0xE3,             /* fninit */
        0xD9, 0xEB,             /* fldpi */
        0xD9, 0xE8,             /* fld1 */
        0xD8, 0xF1,             /* fdiv st, st(1): st0 = 1/pi, st1 = pi */
        0xD9, 0xE8,             /* fld1: st0 = 1, st1 = 1/pi, st2 = pi */
    };
    printf("orrery x87 interpreter, %.1f s per test\n", seconds);
    run("fadd st(0),st(1)", add_setup, sizeof add_setup, 0xD8, 0xC1, 0, seconds);
    run("fmul st(0),st(1) / st(2)", mul_setup, sizeof mul_setup, 0xD8, 0xC9, 0xCA, seconds);
    run("fdiv st(0),st(1) / st(2)", mul_setup, sizeof mul_setup, 0xD8, 0xF1, 0xF2, seconds);
    return 0;
}
