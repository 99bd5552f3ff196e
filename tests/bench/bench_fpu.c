/* SPDX-License-Identifier: MIT */
/* bench_fpu: how many x87 additions and multiplications per second the CPU runs.
 *
 * A real-mode loop of 100 FADD ST(0),ST(1) (or 50 pairs of FMUL by x and by 1/x, so the
 * value stays in range and every product rounds) closed by DEC CX / JNZ runs through
 * cpu_run; the rate counts the x87 instructions only. Then the loop of the guest
 * benchmark's x87 part (tools/guest/bench.c, part_x87, as GCC compiled it for the test
 * guest: loads of doubles and floats, FMUL, FADD, FDIVR, FDIV, FSQRT, FUCOMIP, FCOMI, FXCH,
 * FSTP m64) in 32-bit flat mode, 6 million rounds as in the guest at scale 1: its time and
 * its checksum, which must be the guest's (00741722, as on QEMU).
 * Times are the process's CPU time. Not a pass/fail test: `make bench`.
 *   bench_fpu [SECONDS_PER_TEST [ROUNDS_OF_THE_GUEST_LOOP]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
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

/* The guest benchmark's x87 loop: `rounds` rounds, then HLT; prints its time, the rate of
 * x87 instructions (21 a round) and the checksum of the accumulated double. */
static void run_guest_loop(uint32_t rounds)
{
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    physmem_init(&mem);
    iobus_init(&io);
    uint8_t *ram = physmem_add_ram(&mem, 0, 1u << 20);
    cpu_init(&cpu, CPU_P2, &mem, &io);
    const uint32_t code_at = 0x10000, data_at = 0x20000, stack_at = 0x80000;
    /* The constants the loop reads at EBX - 0x34F80 + n: 1.0f, 0.5f, 3.0f, 1e6f, 1000.0f,
     * 1.0000001 (a double). */
    static const uint8_t consts[] = {
        0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x40, 0x40,
        0x00, 0x24, 0x74, 0x49, 0x00, 0x00, 0x7A, 0x44, 0x9B, 0xF2, 0xD7, 0x1A,
        0x00, 0x00, 0xF0, 0x3F,
    };
    memcpy(ram + data_at, consts, sizeof consts);
    static const uint8_t code[] = {
        0xDB, 0xE3,                         /* fninit (control word 037F, as Linux's) */
        0xD9, 0xEE,                         /* fldz */
        0xDD, 0x5C, 0x24, 0x18,             /* fstp qword [esp+18h]: acc = 0 */
        0x31, 0xF6,                         /* xor esi, esi */
        0xD9, 0xE8,                         /* fld1: x = 1 */
        /* loop: part_x87's body, byte for byte */
        0xDD, 0x83, 0x94, 0xB0, 0xFC, 0xFF, /* fld qword [ebx-34F6Ch] */
        0xD8, 0xC9,                         /* fmul st, st(1) */
        0xD9, 0xC9,                         /* fxch st(1) */
        0xD8, 0x83, 0x80, 0xB0, 0xFC, 0xFF, /* fadd dword [ebx-34F80h] */
        0xD8, 0xBB, 0x84, 0xB0, 0xFC, 0xFF, /* fdivr dword [ebx-34F7Ch] */
        0xDE, 0xC1,                         /* faddp st(1), st */
        0xD9, 0xEE,                         /* fldz */
        0xDF, 0xE9,                         /* fucomip st, st(1) */
        0x77, 0x34,                         /* ja fail (x < 0: never) */
        0xD9, 0xC0,                         /* fld st(0) */
        0xD9, 0xFA,                         /* fsqrt */
        0xDD, 0x44, 0x24, 0x18,             /* fld qword [esp+18h] */
        0xDE, 0xC1,                         /* faddp st(1), st */
        0xD9, 0xC1,                         /* fld st(1) */
        0xD8, 0xB3, 0x88, 0xB0, 0xFC, 0xFF, /* fdiv dword [ebx-34F78h] */
        0xDE, 0xE9,                         /* fsubrp st(1), st */
        0xDD, 0x5C, 0x24, 0x18,             /* fstp qword [esp+18h] */
        0xD9, 0x83, 0x8C, 0xB0, 0xFC, 0xFF, /* fld dword [ebx-34F74h] */
        0xD9, 0xC9,                         /* fxch st(1) */
        0xDB, 0xF1,                         /* fcomi st, st(1) */
        0xDD, 0xD9,                         /* fstp st(1) */
        0x76, 0x04,                         /* jbe next */
        0xDD, 0xD8,                         /* fstp st(0) */
        0xD9, 0xE8,                         /* fld1 */
        0x83, 0xC6, 0x01,                   /* next: add esi, 1 */
        0x39, 0xFE,                         /* cmp esi, edi */
        0x75, 0xB1,                         /* jne loop */
        0xDD, 0xD8,                         /* fstp st(0) */
        0xF4,                               /* hlt */
        0xF4,                               /* fail: hlt */
    };
    memcpy(ram + code_at, code, sizeof code);
    cpu_enter_flat32(&cpu, &(struct cpu_flat_entry){ .cs = 0x08, .ds = 0x10, .eip = code_at,
                                                     .esp = stack_at });
    cpu.r[R_EBX] = data_at + 0x34F80;
    cpu.r[R_EDI] = rounds;
    double t0 = now();
    while (!cpu.halted && !cpu.shutdown)
        cpu_run(&cpu, 10000000);
    double t = now() - t0;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
        bits = bits << 8 | ram[stack_at + 0x18 + i];
    uint32_t h = (uint32_t)bits ^ (uint32_t)(bits >> 32);
    h *= 0x01000193u;
    h ^= h >> 15;
    printf("%-32s %8.1f million/s  %u rounds %.3f s  sum=%08x%s\n", "guest benchmark x87 loop",
           (double)rounds * 21 / t / 1e6, rounds, t, h,
           cpu.eip == code_at + sizeof code - 1 ? "" : " (stopped early)");
    physmem_free(&mem);
    iobus_free(&io);
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
    printf("orrery x87, %.1f s per test\n", seconds);
    run("fadd st(0),st(1)", add_setup, sizeof add_setup, 0xD8, 0xC1, 0, seconds);
    run("fmul st(0),st(1) / st(2)", mul_setup, sizeof mul_setup, 0xD8, 0xC9, 0xCA, seconds);
    run("fdiv st(0),st(1) / st(2)", mul_setup, sizeof mul_setup, 0xD8, 0xF1, 0xF2, seconds);
    run_guest_loop(argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 6000000u);
    return 0;
}
