/* Lockstep (cpu/lockstep.c): real code runs checked and unchanged — blocks with faults,
 * strings, x87, self-modifying code — with every device access made once; and a broken
 * translator (lockstep_test_break: a change after each block, as if its last handler had
 * done more) is caught in each part of the state, with the first instruction that
 * differs named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "harness.h"
#include "machine_rig.h"
#include "core/machine/machine_impl.h"
#include "cpu/exec.h"
#include "cpu/lockstep.h"

#define CODE_LIN (H_CODE_SEG << 4)

static void put(struct harness *h, uint32_t off, const uint8_t *code, size_t len)
{
    memcpy(h->ram + CODE_LIN + off, code, len);
    physmem_wrote(&h->mem, CODE_LIN + off, (uint32_t)len);
}
#define PUT(h, off, ...)                                                                   \
    do {                                                                                   \
        static const uint8_t c_[] = { __VA_ARGS__ };                                       \
        put(h, off, c_, sizeof c_);                                                        \
    } while (0)

static struct harness *lockstep_machine(void)
{
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h_init(h, CPU_P2);
    assert_true(cpu_set_engine(&h->cpu, CPU_ENGINE_LOCKSTEP));
    return h;
}

static void machine_free(struct harness *h)
{
    cpu_free(&h->cpu);
    h_free(h);
    free(h);
}

/* Until HLT or a stop, in slices of 1000 instructions. */
static void run(struct harness *h)
{
    for (int k = 0; k < 1000 && !h->cpu.halted && !h->cpu.shutdown; k++)
        cpu_run(&h->cpu, 1000);
}

static struct cpu_lockstep_stats stats(const struct harness *h)
{
    struct cpu_lockstep_stats st;
    cpu_lockstep_stats(&h->cpu, &st);
    return st;
}

static void assert_agreed(const struct harness *h)
{
    const char *why = NULL;
    enum cpu_status s = cpu_status(&h->cpu, &why);
    if (s == CPU_DIVERGED)
        fail_msg("%s", why);
    assert_true(stats(h).blocks > 0);
}

/* A loop with arithmetic, memory, the stack, a REP string, x87 and a far call: the same
 * results as the interpreter's, no difference found. */
static const uint8_t mixed_code[] = {
    0xB9, 0x20, 0x00,             /* mov cx, 32 */
    0xBE, 0x00, 0x01,             /* mov si, 0x100 */
    0x31, 0xC0,                   /* 6: xor ax, ax */
    0x01, 0xC8,                   /* 8: add ax, cx */
    0x89, 0x04,                   /* mov [si], ax */
    0x46, 0x46,                   /* inc si; inc si */
    0x50,                         /* push ax */
    0x5B,                         /* pop bx */
    0xD1, 0xE3,                   /* shl bx, 1 */
    0x11, 0xDA,                   /* adc dx, bx */
    0xE2, 0xF2,                   /* loop 8 */
    0x1E, 0x07,                   /* push ds; pop es */
    0xBE, 0x00, 0x01,             /* mov si, 0x100 */
    0xBF, 0x00, 0x02,             /* mov di, 0x200 */
    0xB9, 0x20, 0x00,             /* mov cx, 32 */
    0xF3, 0xA5,                   /* rep movsw */
    0xDB, 0xE3,                   /* fninit */
    0xD9, 0xE8,                   /* fld1 */
    0xD9, 0xEB,                   /* fldpi */
    0xDE, 0xC1,                   /* faddp */
    0xDD, 0x1E, 0x00, 0x03,       /* fstp qword [0x300] */
    0xF4,                         /* hlt */
};

static void test_mixed_code_agrees(void **state)
{
    (void)state;
    struct harness *h = lockstep_machine();
    struct harness ref;
    h_init(&ref, CPU_P2);
    cpu_set_engine(&ref.cpu, CPU_ENGINE_INTERP);
    put(h, 0, mixed_code, sizeof mixed_code);
    put(&ref, 0, mixed_code, sizeof mixed_code);
    run(h);
    run(&ref);
    assert_agreed(h);
    assert_true(h->cpu.halted);
    for (int r = 0; r < 8; r++)
        assert_int_equal(h->cpu.r[r], ref.cpu.r[r]);
    assert_int_equal(h->cpu.icount, ref.cpu.icount);
    assert_memory_equal(h->ram, ref.ram, 2u << 20);
    struct cpu_lockstep_stats st = stats(h);
    assert_true(st.insns > 100); /* the loop ran in blocks, each compared */
    h_free(&ref);
    machine_free(h);
}

/* Faults in the middle of blocks, delivered the same way on both: #DE from DIV and #UD,
 * each handler returning past the instruction. */
static void test_faults_in_blocks_agree(void **state)
{
    (void)state;
    struct harness *h = lockstep_machine();
    /* IVT 0 and 6 -> 1000:0x80: add word [bp+0], 2 on the frame's IP; iret. */
    PUT(h, 0x80, 0x89, 0xE5,                        /* mov bp, sp */
        0x83, 0x46, 0x00, 0x02,                     /* add word [bp+0], 2 */
        0x43,                                       /* inc bx */
        0xCF);                                      /* iret */
    const uint8_t vec[4] = { 0x80, 0x00, 0x00, 0x10 };
    memcpy(h->ram + 0 * 4, vec, 4);
    memcpy(h->ram + 6 * 4, vec, 4);
    PUT(h, 0, 0xB9, 0x10, 0x00,                     /* mov cx, 16 */
        0x31, 0xF6,                                 /* xor si, si */
        0x46,                                       /* 5: inc si */
        0xF6, 0xF6,                                 /* div dh (dh = 0: #DE) */
        0x46,                                       /* inc si */
        0x0F, 0x0B,                                 /* ud2 */
        0x46,                                       /* inc si */
        0xE2, 0xF7,                                 /* loop 5 */
        0xF4);
    h->cpu.r[R_EAX] = 0x1234;
    run(h);
    assert_agreed(h);
    assert_int_equal(h->cpu.r[R_EBX] & 0xFFFF, 32);
    assert_int_equal(h->cpu.r[R_ESI] & 0xFFFF, 48);
    machine_free(h);
}

/* Code that rewrites the block it runs in, through DS = CS: STOSB over the immediate
 * of an instruction later in the same block. The write is undone, made again by the
 * interpreter, the block dropped; the results are the interpreter's. */
static const uint8_t smc_code[] = {
    0x0E, 0x07,                   /* push cs; pop es */
    0xB9, 0x04, 0x00,             /* mov cx, 4 */
    0xBF, 0x0D, 0x00,             /* 5: mov di, 13 (the imm8 of "add bl") */
    0x88, 0xC8,                   /* mov al, cl */
    0xAA,                         /* stosb */
    0x80, 0xC3, 0x00,             /* 11: add bl, imm8 (at 13) */
    0xE2, 0xF5,                   /* loop 5 */
    0xF4,
};

static void test_self_modifying_code_agrees(void **state)
{
    (void)state;
    struct harness *h = lockstep_machine();
    put(h, 0, smc_code, sizeof smc_code);
    run(h);
    assert_agreed(h);
    assert_int_equal(h->cpu.r[R_EBX] & 0xFF, 4 + 3 + 2 + 1);
    machine_free(h);
}

/* A device counts what it sees. */
struct counter {
    unsigned reads, writes;
    uint32_t last;
};

static uint32_t count_in(void *opaque, uint16_t port, unsigned size)
{
    (void)port, (void)size;
    struct counter *c = opaque;
    return ++c->reads;
}

static void count_out(void *opaque, uint16_t port, unsigned size, uint32_t v)
{
    (void)port, (void)size;
    struct counter *c = opaque;
    c->writes++;
    c->last = v;
}

static uint32_t count_mmio_read(void *opaque, uint32_t addr, unsigned size)
{
    return count_in(opaque, (uint16_t)addr, size);
}

static void count_mmio_write(void *opaque, uint32_t addr, unsigned size, uint32_t v)
{
    count_out(opaque, (uint16_t)addr, size, v);
}

/* Port I/O in a loop: each IN and OUT reaches the device once, the values read are the
 * ones used, and the instructions before them are still compared. */
static void test_port_io_reaches_device_once(void **state)
{
    (void)state;
    struct harness *h = lockstep_machine();
    struct counter c = { 0 };
    const struct io_handler ioh = { count_in, count_out, &c, 0 };
    assert_int_equal(iobus_register(&h->io, 0x80, 1, &ioh), 0);
    PUT(h, 0, 0xB9, 0x0A, 0x00,                     /* mov cx, 10 */
        0x01, 0xC3,                                 /* 3: add bx, ax */
        0xE4, 0x80,                                 /* in al, 0x80 */
        0x00, 0xC7,                                 /* add bh, al */
        0xE6, 0x80,                                 /* out 0x80, al */
        0xE2, 0xF6,                                 /* loop 3 */
        0xF4);
    run(h);
    assert_agreed(h);
    assert_int_equal(c.reads, 10);
    assert_int_equal(c.writes, 10);
    assert_int_equal(c.last, 10);
    assert_true(stats(h).fenced > 0);
    machine_free(h);
}

/* MMIO in the middle of a block: the block is cut before it, the access made once. */
static void test_mmio_reaches_device_once(void **state)
{
    (void)state;
    /* The harness's machine with 1 MiB of RAM, and the device right above it. */
    struct harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    physmem_init(&h->mem);
    iobus_init(&h->io);
    h->ram = physmem_add_ram(&h->mem, 0, 1u << 20);
    struct counter c = { 0 };
    assert_int_equal(physmem_add_mmio(&h->mem, 0x100000, 0x1000, count_mmio_read,
                                      count_mmio_write, &c), 0);
    cpu_init(&h->cpu, CPU_P2, &h->mem, &h->io);
    cpu_load_seg_real(&h->cpu, S_CS, H_CODE_SEG);
    cpu_load_seg_real(&h->cpu, S_DS, 0x2000);
    cpu_load_seg_real(&h->cpu, S_SS, 0x4000);
    h->cpu.eip = 0;
    h->cpu.r[R_ESP] = 0x1000;
    assert_true(cpu_set_engine(&h->cpu, CPU_ENGINE_LOCKSTEP));
    /* ES = 0xFFFF: ES:0x10 is linear 0x100000 (A20 on). */
    PUT(h, 0, 0xB8, 0xFF, 0xFF,                     /* mov ax, 0xFFFF */
        0x8E, 0xC0,                                 /* mov es, ax */
        0x31, 0xD2,                                 /* xor dx, dx */
        0xB9, 0x08, 0x00,                           /* mov cx, 8 */
        0x43,                                       /* 10: inc bx */
        0x26, 0x8A, 0x16, 0x10, 0x00,               /* mov dl, [es:0x10] */
        0x01, 0xD6,                                 /* add si, dx */
        0x26, 0x88, 0x16, 0x14, 0x00,               /* mov [es:0x14], dl */
        0x47,                                       /* inc di */
        0xE2, 0xF0,                                 /* loop 10 */
        0xF4);
    run(h);
    assert_agreed(h);
    assert_int_equal(c.reads, 8);
    assert_int_equal(c.writes, 8);
    assert_int_equal(h->cpu.r[R_ESI] & 0xFFFF, 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8);
    assert_true(stats(h).fenced > 0);
    machine_free(h);
}

/* ---- a broken translator is caught ---- */

static const uint8_t loop_code[] = {
    0xB9, 0x08, 0x00,             /* mov cx, 8 */
    0xBE, 0x00, 0x01,             /* 3: mov si, 0x100 */
    0xDB, 0xE3,                   /* 6: fninit */
    0x40,                         /* 8: inc ax */
    0x01, 0xC3,                   /* 9: add bx, ax */
    0x89, 0x1C,                   /* mov [si], bx */
    0x46,                         /* inc si */
    0xD9, 0xE8,                   /* fld1 */
    0xE2, 0xF6,                   /* loop 8 */
    0xF4,
};

/* Runs loop_code with fn breaking the translator; returns the stop message. */
static const char *broken(struct harness *h, lockstep_break_fn fn, void *opaque)
{
    put(h, 0, loop_code, sizeof loop_code);
    lockstep_test_break(&h->cpu, fn, opaque);
    run(h);
    const char *why = NULL;
    assert_int_equal(cpu_status(&h->cpu, &why), CPU_DIVERGED);
    assert_true(h->cpu.shutdown);
    print_message("%s\n", why);
    assert_non_null(strstr(why, "lockstep: the engines differ at instruction"));
    return why;
}

static void break_eax(struct cpu *cpu, void *opaque)
{
    (void)opaque;
    cpu->r[R_EAX] ^= 0x100;
}

static void break_flags(struct cpu *cpu, void *opaque)
{
    (void)opaque;
    cpu->eflags ^= FL_DF;
}

static void break_seg_cache(struct cpu *cpu, void *opaque)
{
    (void)opaque;
    cpu->seg[S_DS].limit = 0xFFFE;
}

static void break_fpu(struct cpu *cpu, void *opaque)
{
    (void)opaque;
    cpu->fpu.st[7].m ^= 1;
}

static void break_memory(struct cpu *cpu, void *opaque)
{
    (void)opaque;
    lin_write(cpu, 0x20000 + 0x400, 1, 0x5A); /* DS:0x400, as a handler would */
}

/* loop_code with fn breaking the translator: the stop message has want. */
static void caught(lockstep_break_fn fn, void *opaque, const char *want)
{
    struct harness *h = lockstep_machine();
    const char *why = broken(h, fn, opaque);
    if (!strstr(why, want))
        fail_msg("wanted \"%s\" in: %s", want, why);
    machine_free(h);
}

static void test_catches_register(void **state)
{
    (void)state;
    caught(break_eax, NULL, "the engines differ at instruction 1 (1000:00000000), the 1st of "
                            "the block at 1000:00000000 (linear 00010000), which started "
                            "after 0: cpu.r[0] differs");
}

static void test_catches_flags(void **state)
{
    (void)state;
    caught(break_flags, NULL, "cpu.eflags differs");
}

static void test_catches_segment_cache(void **state)
{
    (void)state;
    caught(break_seg_cache, NULL, "cpu.seg[3] differs");
}

static void test_catches_fpu(void **state)
{
    (void)state;
    caught(break_fpu, NULL, "cpu.fpu differs");
}

static void test_catches_memory(void **state)
{
    (void)state;
    caught(break_memory, NULL, "memory write 1 differs: translator 1 bytes 0x5a at physical "
                               "0x20400, interpreter none");
}

/* Broken only once the CPU passed its fifth instruction: the report names the fifth,
 * found by running the block again for 1, 2, 3, 4, 5 instructions. */
static void break_after_fifth(struct cpu *cpu, void *opaque)
{
    const uint64_t *start = opaque;
    if (cpu->icount >= *start + 5)
        cpu->r[R_EDX] ^= 1;
}

static void test_names_first_instruction(void **state)
{
    (void)state;
    uint64_t start = 0; /* the count after reset */
    /* The first block: mov cx, mov si, fninit, inc ax, add bx (the 5th) ... loop. */
    caught(break_after_fifth, &start, "at instruction 5 (1000:00000009), the 5th of the "
                                      "block at 1000:00000000 (linear 00010000), which "
                                      "started after 0: cpu.r[2] differs");
}

/* The same, through cpu_lockstep_where: what a front end disassembles. */
static void test_where(void **state)
{
    (void)state;
    struct harness *h = lockstep_machine();
    struct cpu_lockstep_where w;
    assert_false(cpu_lockstep_where(&h->cpu, &w));
    uint64_t start = 0;
    broken(h, break_after_fifth, &start);
    assert_true(cpu_lockstep_where(&h->cpu, &w));
    assert_int_equal(w.block_lin, CODE_LIN);
    assert_int_equal(w.block_eip, 0);
    assert_int_equal(w.insn, 5);
    assert_false(w.code32);
    machine_free(h);
}

/* Through the machine: the run stops (MACHINE_STOP_UNSUPPORTED), and the stop message is
 * the CPU's with the block disassembled up to the instruction that differs. */
static void break_edx(struct cpu *cpu, void *opaque)
{
    (void)opaque;
    if (cpu->r[R_ECX] == 0x77) /* from the second instruction on */
        cpu->r[R_EDX] ^= 1;
}

static void test_machine_stops_with_the_block(void **state)
{
    (void)state;
    struct tmp bios, con;
    tmp_make(&bios);
    tmp_make(&con);
    static const uint8_t code[] = {
        0xB8, 0x11, 0x00,         /* mov ax, 0x11 */
        0xB9, 0x77, 0x00,         /* mov cx, 0x77 */
        0x01, 0xC8,               /* add ax, cx */
        0xF4,                     /* hlt */
    };
    write_bios(bios.path, 64 * 1024, code, sizeof code);
    struct machine_config cfg = { .ram_size = 16u << 20, .bios_path = bios.path,
                                  .debugcon = MACHINE_DEBUGCON_FILE, .debugcon_path = con.path,
                                  .engine = MACHINE_ENGINE_LOCKSTEP };
    char err[MACHINE_ERRMAX];
    struct machine *m = NULL;
    if (machine_create(&cfg, &m, err) != MACHINE_OK)
        fail_msg("machine_create: %s", err);
    lockstep_test_break(&m->cpu, break_edx, NULL);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_UNSUPPORTED);
    const char *msg = machine_stop_message(m);
    print_message("%s\n", msg);
    assert_non_null(strstr(msg, "lockstep: the engines differ at instruction 3 (F000:00000003), "
                                "the 2nd of the block at F000:00000000 (linear 000F0000)"));
    assert_non_null(strstr(msg, "cpu.r[2] differs"));
    assert_non_null(strstr(msg, "the block, to the instruction that differs:\n"
                                "     000F0000  mov ax, 0x11\n"
                                "  -> 000F0003  mov cx, 0x77"));
    machine_destroy(m);
    tmp_drop(&bios);
    tmp_drop(&con);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_code_agrees),
        cmocka_unit_test(test_faults_in_blocks_agree),
        cmocka_unit_test(test_self_modifying_code_agrees),
        cmocka_unit_test(test_port_io_reaches_device_once),
        cmocka_unit_test(test_mmio_reaches_device_once),
        cmocka_unit_test(test_catches_register),
        cmocka_unit_test(test_catches_flags),
        cmocka_unit_test(test_catches_segment_cache),
        cmocka_unit_test(test_catches_fpu),
        cmocka_unit_test(test_catches_memory),
        cmocka_unit_test(test_names_first_instruction),
        cmocka_unit_test(test_where),
        cmocka_unit_test(test_machine_stops_with_the_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
