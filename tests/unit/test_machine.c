/* Unit tests for the machine facade (core/machine/machine.h): firmware checks and mapping, the
 * debug console, the ioport log, why machine_run stops, mouse input, and two machines side
 * by side. Each test writes a tiny BIOS image, builds a machine exactly as a frontend
 * does, and looks at what the guest printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/machine/machine.h"
#include "core/sched.h"
#include "machine_rig.h"


static const uint8_t prog_ok[] = { PUTC('o'), PUTC('k'), PUTC('\n'), CLI_HLT };

/* A machine on the test's firmware and console (a 286 gets the 15 MiB that fit). */
static struct machine *make(const struct fw *f, const char *cpu, bool no_reboot)
{
    struct machine_config cfg = fw_config(f);
    if (cpu && strcmp(cpu, "286") == 0)
        cfg.ram_size = 15u << 20; /* a 286 addresses 16 MiB, the BIOS included */
    cfg.cpu_model = cpu;
    cfg.no_reboot = no_reboot;
    char err[MACHINE_ERRMAX];
    struct machine *m = NULL;
    enum machine_status st = machine_create(&cfg, &m, err);
    if (st != MACHINE_OK)
        fail_msg("machine_create: %s", err);
    return m;
}

static void test_debugcon_prints_and_hlt_stops(void **state)
{
    (void)state;
    struct fw f;
    fw_make(&f, prog_ok, sizeof prog_ok);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    assert_non_null(strstr(machine_stop_message(m), "interrupts disabled"));
    assert_int_equal(machine_instructions(m), 9); /* jmp far, 3 x (mov, out), cli, hlt */
    /* HLT with IF = 0 is final: running again stops at once. */
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    assert_int_equal(machine_instructions(m), 9);
    machine_destroy(m);
    fw_printed(&f, "ok\n");
    fw_drop(&f);
}

/* The fw_cfg device answers at 0x510/0x511 with its signature, and its file directory
 * lists the files the machine gave it (etc/e820, etc/boot-fail-wait, bootorder, and with
 * -nographic etc/sercon-port). */
static void test_fwcfg_signature_and_files(void **state)
{
    (void)state;
#define IN_OUT 0xEC, 0xE6, 0xE9 /* in al, dx; out 0xE9, al */
    static const uint8_t prog[] = {
        0xBA, 0x10, 0x05, 0x31, 0xC0, 0xEF, 0x42,       /* mov dx, 0x510; xor ax, ax; out; inc dx */
        IN_OUT, IN_OUT, IN_OUT, IN_OUT,                 /* "QEMU" */
        0x4A, 0xB8, 0x19, 0x00, 0xEF, 0x42,             /* dec dx; mov ax, 0x19; out; inc dx */
        IN_OUT, IN_OUT, IN_OUT, IN_OUT,                 /* the count, big-endian */
        CLI_HLT,
    };
#undef IN_OUT
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_destroy(m);
    char out[16];
    assert_int_equal(read_all(f.con.path, out, sizeof out), 8);
    assert_memory_equal(out, "QEMU\0\0\0\3", 8);
    /* -nographic adds etc/sercon-port: SeaBIOS's screen on COM1. */
    struct machine_config cfg = fw_config(&f);
    cfg.nographic = true;
    char err[MACHINE_ERRMAX];
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_destroy(m);
    assert_int_equal(read_all(f.con.path, out, sizeof out), 8);
    assert_memory_equal(out, "QEMU\0\0\0\4", 8);
    fw_drop(&f);
}

/* CMOS holds the default boot order SeaBIOS reads (0x3D, 0x38): hard disk, CD, floppy. */
static void test_cmos_boot_order(void **state)
{
    (void)state;
    static const uint8_t prog[] = {
        0xB0, 0x3D, 0xE6, 0x70, 0xE4, 0x71, 0xE6, 0xE9, /* CMOS[0x3D] to the console */
        0xB0, 0x38, 0xE6, 0x70, 0xE4, 0x71, 0xE6, 0xE9, /* CMOS[0x38] */
        CLI_HLT,
    };
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_destroy(m);
    char out[4];
    assert_int_equal(read_all(f.con.path, out, sizeof out), 2);
    assert_int_equal((uint8_t)out[0], 0x32);
    assert_int_equal((uint8_t)out[1], 0x10);
    fw_drop(&f);
}

/* -boot once=d,order=c: the CD first until the first reset, the hard disk from then on;
 * a bad order is refused with one line. */
static void test_cmos_boot_once_then_order(void **state)
{
    (void)state;
    static const uint8_t prog[] = {
        0xB0, 0x3D, 0xE6, 0x70, 0xE4, 0x71, 0xE6, 0xE9,
        0xB0, 0x38, 0xE6, 0x70, 0xE4, 0x71, 0xE6, 0xE9,
        CLI_HLT,
    };
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    struct machine_config cfg = fw_config(&f);
    cfg.boot_order = "c";
    cfg.boot_once = "dca";
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_reset(m);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_destroy(m);
    char out[8];
    assert_int_equal(read_all(f.con.path, out, sizeof out), 4);
    assert_int_equal((uint8_t)out[0], 0x23);  /* d, then c */
    assert_int_equal((uint8_t)out[1], 0x10);  /* a third */
    assert_int_equal((uint8_t)out[2], 0x02);  /* c only */
    assert_int_equal((uint8_t)out[3], 0x00);
    cfg.boot_once = "dd";
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_ERR_CONFIG);
    assert_non_null(strstr(err, "-boot: order 'dd' is not a boot order"));
    fw_drop(&f);
}

/* IDE disks in CMOS: 0x12 types (F: user type in 0x19/0x1A), type 47 and the AT geometry
 * bytes of disk 0 at 0x1B-0x23, and 0x39, the translation SeaBIOS reads (two bits a
 * disk: LBA for the 2 GiB -hdc, none for the 2 MiB -hda). A missing image is refused. */
static void test_cmos_disks(void **state)
{
    (void)state;
#define CMOS_OUT(r) 0xB0, (r), 0xE6, 0x70, 0xE4, 0x71, 0xE6, 0xE9
    static const uint8_t prog[] = {
        CMOS_OUT(0x12), CMOS_OUT(0x19), CMOS_OUT(0x1A), CMOS_OUT(0x1B), CMOS_OUT(0x1C),
        CMOS_OUT(0x1D), CMOS_OUT(0x20), CMOS_OUT(0x23), CMOS_OUT(0x39), CLI_HLT,
    };
#undef CMOS_OUT
    struct fw f;
    struct tmp hda, hdc;
    fw_make(&f, prog, sizeof prog);
    tmp_make(&hda);
    tmp_make(&hdc);
    assert_int_equal(truncate(hda.path, 2u << 20), 0);
    assert_int_equal(truncate(hdc.path, 2ull << 30), 0); /* sparse */
    struct machine_config cfg = fw_config(&f);
    cfg.ide[0].path = hda.path;
    cfg.ide[2].path = hdc.path;
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_destroy(m);
    uint8_t out[16];
    assert_int_equal(read_all(f.con.path, (char *)out, sizeof out), 9);
    static const uint8_t want[9] = { 0xF0, 47, 0, 4, 0, 16, 0xC8, 63, 0x10 };
    assert_memory_equal(out, want, sizeof want);
    /* A missing image: one line naming the flag and the file, and no machine. */
    cfg.ide[1].path = "/nonexistent/orrery.img";
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_ERR_DISK);
    assert_null(m);
    assert_non_null(strstr(err, "-hdb /nonexistent/orrery.img: cannot open"));
    fw_drop(&f);
    tmp_drop(&hda);
    tmp_drop(&hdc);
}

/* Floppies in CMOS: drive types at 0x10 (A: high nibble) and the equipment byte's floppy
 * bits at 0x14 (bit 0, bits 7-6 the count - 1, beside the x87's bit 1), from the image
 * sizes: a 1.44M in A: (type 4), a 720K in B: (type 3). A size that is no floppy
 * format is refused with one line. */
static void test_cmos_floppies(void **state)
{
    (void)state;
#define CMOS_OUT(r) 0xB0, (r), 0xE6, 0x70, 0xE4, 0x71, 0xE6, 0xE9
    static const uint8_t prog[] = { CMOS_OUT(0x10), CMOS_OUT(0x14), CLI_HLT };
#undef CMOS_OUT
    struct fw f;
    struct tmp fda, fdb;
    fw_make(&f, prog, sizeof prog);
    tmp_make(&fda);
    tmp_make(&fdb);
    assert_int_equal(truncate(fda.path, 1440u << 10), 0);
    assert_int_equal(truncate(fdb.path, 720u << 10), 0);
    struct machine_config cfg = fw_config(&f);
    cfg.floppy[0] = fda.path;
    cfg.floppy[1] = fdb.path;
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_destroy(m);
    uint8_t out[8];
    assert_int_equal(read_all(f.con.path, (char *)out, sizeof out), 2);
    assert_int_equal(out[0], 0x43);
    assert_int_equal(out[1], 0x40 | 0x02 | 0x01);
    assert_int_equal(truncate(fdb.path, 1000u << 10), 0);
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_ERR_DISK);
    assert_null(m);
    assert_non_null(strstr(err, "is not a floppy image size; give one of 160K"));
    fw_drop(&f);
    tmp_drop(&fda);
    tmp_drop(&fdb);
}

static void test_debugcon_read_returns_e9(void **state)
{
    (void)state;
    static const uint8_t prog[] = { 0xE4, 0xE9, 0xE6, 0xE9, CLI_HLT }; /* in al, e9; out */
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 100), MACHINE_STOP_HALT);
    machine_destroy(m);
    char out[8];
    assert_int_equal(read_all(f.con.path, out, sizeof out), 1);
    assert_int_equal((uint8_t)out[0], 0xE9);
    fw_drop(&f);
}

static void test_ioport_log_lines(void **state)
{
    (void)state;
    static const uint8_t prog[] = { 0xE4, 0xE9, PUTC('A'), 0xB8, 0x34, 0x12, 0xE7, 0x80,
                                    CLI_HLT }; /* in al, e9; out e9 'A'; out 0x80, ax */
    struct tmp bios, log;
    tmp_make(&bios);
    tmp_make(&log);
    write_bios(bios.path, 64u << 10, prog, sizeof prog);
    struct machine_config cfg = {
        .bios_path = bios.path,
        .debugcon = MACHINE_DEBUGCON_NONE, /* port 0xE9 floats high without the device */
        .log_items = MACHINE_LOG_IOPORT,
        .log_path = log.path,
    };
    char err[MACHINE_ERRMAX];
    struct machine *m;
    assert_int_equal(machine_create(&cfg, &m, err), MACHINE_OK);
    assert_int_equal(machine_run(m, 100), MACHINE_STOP_HALT);
    machine_destroy(m);
    char out[256];
    read_all(log.path, out, sizeof out);
    assert_string_equal(out, "in 0x00e9 1 0xff\n"
                             "out 0x00e9 1 0x41\n"
                             "out 0x0080 2 0x1234\n");
    tmp_drop(&bios);
    tmp_drop(&log);
}

static void test_budget_stops_and_resumes(void **state)
{
    (void)state;
    static const uint8_t prog[] = { 0xEB, 0xFE }; /* jmp $ */
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 500), MACHINE_STOP_BUDGET);
    assert_int_equal(machine_instructions(m), 500);
    assert_int_equal(machine_run(m, 250), MACHINE_STOP_BUDGET);
    assert_int_equal(machine_instructions(m), 750);
    machine_destroy(m);
    fw_drop(&f);
}

/* Prints 'R', then loads an IDT limit of 0 and raises INT3: the #GP while delivering it
 * becomes #DF, which faults again: a triple fault. */
static const uint8_t prog_triple[] = {
    PUTC('R'),
    0x2E, 0x0F, 0x01, 0x1E, 0x00, 0x01, /* lidt cs:[0x100] (limit 0, base 0) */
    0xCC,                               /* int3 */
};

static void test_triple_fault_no_reboot_shuts_down(void **state)
{
    (void)state;
    struct fw f;
    fw_make(&f, prog_triple, sizeof prog_triple);
    struct machine *m = make(&f, NULL, true);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_SHUTDOWN);
    assert_non_null(strstr(machine_stop_message(m), "triple fault"));
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_SHUTDOWN);
    machine_destroy(m);
    fw_printed(&f, "R");
    fw_drop(&f);
}

static void test_triple_fault_resets(void **state)
{
    (void)state;
    struct fw f;
    fw_make(&f, prog_triple, sizeof prog_triple);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_RESET);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_RESET);
    machine_destroy(m);
    fw_printed(&f, "RR");
    fw_drop(&f);
}

/* With -icount, HLT jumps to the next timer: five 1 kHz ticks take about 4 ms of virtual
 * time and no host time, and two runs retire the same instructions at the same times. */
static void test_timer_irq_wakes_hlt_deterministically(void **state)
{
    (void)state;
    struct tmp bios, con1, con2;
    tmp_make(&bios);
    tmp_make(&con1);
    tmp_make(&con2);
    write_bios(bios.path, 64u << 10, prog_timer, sizeof prog_timer);
    struct machine *a = make_clocked(&bios, &con1, true, 2);
    struct machine *b = make_clocked(&bios, &con2, true, 2);
    assert_int_equal(run_to_stop(a), MACHINE_STOP_HALT);
    assert_int_equal(run_to_stop(b), MACHINE_STOP_HALT);
    assert_int_equal(machine_instructions(a), machine_instructions(b));
    assert_int_equal(machine_time_ns(a), machine_time_ns(b));
    /* Mode 2 drives OUT high when programmed, a first edge at once: 5 ticks in 4 ms. */
    assert_in_range(machine_time_ns(a), 3900000, 4100000);
    assert_true(machine_instructions(a) < 200); /* waiting costs no instructions */
    machine_destroy(a);
    machine_destroy(b);
    char out[8];
    read_all(con1.path, out, sizeof out);
    assert_string_equal(out, "T");
    tmp_drop(&bios);
    tmp_drop(&con1);
    tmp_drop(&con2);
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* In real time the same five ticks take about 4 ms on the host: HLT sleeps. The guest may
 * run ahead of the host by up to SCHED_AHEAD_MAX_NS before the host sleeps it back (a
 * slow build measures a rate that runs ahead at first), so the host may see 2 ms less;
 * without the sleeps it would see almost nothing. */
static void test_timer_irq_follows_host_time(void **state)
{
    (void)state;
    struct fw f;
    fw_make(&f, prog_timer, sizeof prog_timer);
    /* From before the machine exists: virtual time starts with it, and a host that
     * deschedules the test between creation and the run (a loaded machine) makes the guest
     * catch up with the host, which is right, not fast. */
    uint64_t t0 = host_ns();
    struct machine *m = make_clocked(&f.bios, &f.con, false, 0);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_HALT);
    uint64_t took = host_ns() - t0;
    assert_in_range(took, 3900000 - SCHED_AHEAD_MAX_NS, 500000000);
    assert_in_range(machine_time_ns(m), 3900000, 500000000);
    machine_destroy(m);
    fw_drop(&f);
}

/* machine_mouse_move reaches the guest: a program enables the mouse through the 8042
 * (D4 F4), prints the ACK, then polls for three bytes and prints them. The host's "up
 * 3" is +3 on the PS/2 mouse's Y axis. */
static void test_mouse_moves_reach_the_guest_as_ps2_packets(void **state)
{
    (void)state;
    static const uint8_t prog[] = {
        0xB0, 0xD4, 0xE6, 0x64, 0xB0, 0xF4, 0xE6, 0x60, /* D4 F4: enable reporting */
        0xE4, 0x60, 0xE6, 0xE9,                         /* the ACK to the console */
        0xB9, 0x03, 0x00,                               /* mov cx, 3 */
        0xE4, 0x64, 0xA8, 0x01, 0x74, 0xFA,             /* wait: in al, 64; test al, 1; jz */
        0xE4, 0x60, 0xE6, 0xE9,                         /* in al, 60; out e9, al */
        0xE2, 0xF4,                                     /* loop wait */
        CLI_HLT,
    };
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 2000), MACHINE_STOP_BUDGET); /* polling */
    machine_mouse_move(m, 5, -3, 0, MACHINE_MOUSE_LEFT);
    assert_int_equal(machine_run(m, 2000), MACHINE_STOP_HALT);
    machine_destroy(m);
    char out[16];
    assert_int_equal(read_all(f.con.path, out, sizeof out), 4);
    static const uint8_t want[] = { 0xFA, 0x09, 0x05, 0x03 };
    assert_memory_equal(out, want, sizeof want);
    fw_drop(&f);
}

/* machine_key reaches the guest: a program polls the 8042 for six bytes and prints them.
 * With the power-on translation to set 1: 'A' (usage 4) pressed and released is 1E 9E;
 * right Ctrl pressed (E0 14 in set 2) is E0 1D; Up released (E0 F0 75) is E0 C8. */
static void test_keys_reach_the_guest_as_scan_codes(void **state)
{
    (void)state;
    static const uint8_t prog[] = {
        0xB9, 0x06, 0x00,                               /* mov cx, 6 */
        0xE4, 0x64, 0xA8, 0x01, 0x74, 0xFA,             /* wait: in al, 64; test al, 1; jz */
        0xE4, 0x60, 0xE6, 0xE9,                         /* in al, 60; out e9, al */
        0xE2, 0xF4,                                     /* loop wait */
        CLI_HLT,
    };
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 2000), MACHINE_STOP_BUDGET); /* polling */
    assert_true(machine_key(m, 0x04, true));
    assert_true(machine_key(m, 0x04, false));
    assert_true(machine_key(m, 0xE4, true));
    assert_true(machine_key(m, 0x52, false));
    assert_false(machine_key(m, 0x03, true));   /* no key has usage 3 */
    assert_false(machine_key(m, 0x1000, true)); /* out of the page */
    assert_false(machine_key_known(0xA5));
    assert_true(machine_key_known(MACHINE_KEY_PAUSE));
    assert_int_equal(machine_run(m, 20000), MACHINE_STOP_HALT);
    machine_destroy(m);
    char out[16];
    assert_int_equal(read_all(f.con.path, out, sizeof out), 6);
    static const uint8_t want[] = { 0x1E, 0x9E, 0xE0, 0x1D, 0xE0, 0xC8 };
    assert_memory_equal(out, want, sizeof want);
    fw_drop(&f);
}

/* Device reset requests: the 8042's pulse command, port 0x92 bit 0, the PIIX3's 0xCF9. */
static void check_reset(const uint8_t *prog, size_t len)
{
    struct fw f;
    fw_make(&f, prog, len);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_RESET);
    assert_non_null(strstr(machine_stop_message(m), "reset the machine"));
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_RESET); /* it ran again */
    machine_destroy(m);
    m = make(&f, NULL, true);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_SHUTDOWN);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_SHUTDOWN);
    machine_destroy(m);
    fw_drop(&f);
}

static void test_kbc_port92_and_cf9_reset_the_machine(void **state)
{
    (void)state;
    static const uint8_t kbc[] = { 0xB0, 0xFE, 0xE6, 0x64, 0xEB, 0xFE };
    static const uint8_t p92[] = { 0xB0, 0x01, 0xE6, 0x92, 0xEB, 0xFE };
    static const uint8_t cf9[] = { 0xB0, 0x06, 0xBA, 0xF9, 0x0C, 0xEE, 0xEB, 0xFE };
    check_reset(kbc, sizeof kbc);
    check_reset(p92, sizeof p92);
    check_reset(cf9, sizeof cf9);
}

/* A guest in HLT with interrupts on and no timer armed: machine_run hands control back
 * after MACHINE_IDLE_MAX_NS instead of blocking. */
static void test_idle_guest_returns_to_the_caller(void **state)
{
    (void)state;
    static const uint8_t prog[] = { 0xFB, 0xF4, 0xEB, 0xFD }; /* sti; hlt; jmp hlt */
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    struct machine *m = make(&f, NULL, false);
    uint64_t t0 = host_ns();
    assert_int_equal(machine_run(m, 1000000), MACHINE_STOP_BUDGET);
    uint64_t took = host_ns() - t0;
    assert_in_range(took, MACHINE_IDLE_MAX_NS / 2, 50 * MACHINE_IDLE_MAX_NS);
    assert_int_equal(machine_instructions(m), 3); /* jmp far at reset, sti, hlt */
    machine_destroy(m);
    fw_drop(&f);
}

/* A 256 KiB image: the window below 1 MiB shows its last 128 KiB, so E000:0000 holds the
 * image's byte at 0x20000. The program prints that byte. */
static void test_isa_window_shows_last_128k(void **state)
{
    (void)state;
    static const uint8_t prog[] = {
        0xB8, 0x00, 0xE0, 0x8E, 0xD8, /* mov ax, 0xE000; mov ds, ax */
        0xA0, 0x00, 0x00,             /* mov al, [0] */
        0xE6, 0xE9, CLI_HLT,
    };
    struct fw f;
    fw_make(&f, prog, sizeof prog);
    const size_t size = 256u << 10;
    write_bios(f.bios.path, size, prog, sizeof prog); /* again, larger */
    FILE *img = fopen(f.bios.path, "r+b");
    assert_non_null(img);
    fseek(img, 0, SEEK_SET);
    fputc('X', img);                  /* not visible below 1 MiB */
    fseek(img, 0x20000, SEEK_SET);
    fputc('M', img);
    fclose(img);
    struct machine *m = make(&f, NULL, false);
    assert_int_equal(machine_run(m, 100), MACHINE_STOP_HALT);
    machine_destroy(m);
    fw_printed(&f, "M");
    fw_drop(&f);
}

/* The 286 has 24 address lines: it finds the reset vector at 16 MiB - 16. */
static void test_286_boots_from_top_of_16m(void **state)
{
    (void)state;
    struct fw f;
    fw_make(&f, prog_ok, sizeof prog_ok);
    struct machine *m = make(&f, "286", false);
    assert_int_equal(machine_run(m, 1000), MACHINE_STOP_HALT);
    machine_destroy(m);
    fw_printed(&f, "ok\n");
    fw_drop(&f);
}

/* Two machines in one process, run in turns, keep to themselves. */
static void test_two_machines_are_independent(void **state)
{
    (void)state;
    static const uint8_t prog_a[] = { PUTC('a'), PUTC('a'), CLI_HLT };
    static const uint8_t prog_b[] = { PUTC('b'), CLI_HLT };
    struct fw a, b;
    fw_make(&a, prog_a, sizeof prog_a);
    fw_make(&b, prog_b, sizeof prog_b);
    write_bios(b.bios.path, 128u << 10, prog_b, sizeof prog_b); /* another size */
    struct machine *ma = make(&a, NULL, false);
    struct machine *mb = make(&b, "386", false);
    for (int i = 0; i < 10; i++) {
        machine_run(ma, 1);
        machine_run(mb, 1);
    }
    assert_int_equal(machine_run(ma, 100), MACHINE_STOP_HALT);
    assert_int_equal(machine_run(mb, 100), MACHINE_STOP_HALT);
    assert_int_equal(machine_instructions(ma), 7);
    assert_int_equal(machine_instructions(mb), 5);
    machine_destroy(ma);
    machine_destroy(mb);
    fw_printed(&a, "aa");
    fw_printed(&b, "b");
    fw_drop(&a);
    fw_drop(&b);
}

static enum machine_status try_create(const struct machine_config *cfg, char *err)
{
    struct machine *m = (struct machine *)&m; /* must come back NULL */
    enum machine_status st = machine_create(cfg, &m, err);
    if (st != MACHINE_OK) {
        assert_null(m);
        assert_true(strlen(err) > 0);
        assert_null(strchr(err, '\n'));
    }
    machine_destroy(m);
    return st;
}

static void test_bad_bios_is_one_line(void **state)
{
    (void)state;
    char err[MACHINE_ERRMAX];
    struct tmp t;
    tmp_make(&t);
    struct machine_config cfg = { .bios_path = t.path };

    write_raw(t.path, 1000);
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_BIOS);
    assert_non_null(strstr(err, "1000 bytes"));
    assert_non_null(strstr(err, "multiple of 64 KiB"));

    write_raw(t.path, 0);
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_BIOS);
    assert_non_null(strstr(err, "0 bytes"));

    write_raw(t.path, 17u << 20);
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_BIOS);
    assert_non_null(strstr(err, "17 MiB"));

    tmp_drop(&t);
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_BIOS);
    assert_non_null(strstr(err, t.path));
    assert_non_null(strstr(err, "No such file"));

    /* No -bios, no -kernel, and SeaBIOS in none of the folders searched. */
    static const char *const nowhere[] = { "/nonexistent/orrery-firmware", NULL };
    cfg.bios_path = NULL;
    cfg.firmware_system_dirs = nowhere;
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_BIOS);
    assert_non_null(strstr(err, "-bios"));
    assert_non_null(strstr(err, "apt-get install seabios"));
}

static void test_bad_ram_and_cpu_are_one_line(void **state)
{
    (void)state;
    char err[MACHINE_ERRMAX];
    struct tmp t;
    tmp_make(&t);
    write_bios(t.path, 64u << 10, prog_ok, sizeof prog_ok);
    struct machine_config cfg = { .bios_path = t.path };

    cfg.ram_size = 512u << 10;
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_RAM);
    cfg.ram_size = 4ull << 30;
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_RAM);
    assert_non_null(strstr(err, "4 GiB"));
    cfg.ram_size = (2u << 20) + 1;
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_RAM);
    cfg.ram_size = MACHINE_RAM_MAX;
    assert_int_equal(try_create(&cfg, err), MACHINE_OK);

    /* RAM a 286 cannot address below its BIOS is refused; by default it gets what fits. */
    cfg.cpu_model = "286";
    cfg.ram_size = 16u << 20;
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_RAM);
    assert_non_null(strstr(err, "give -m 15M or less"));
    cfg.ram_size = 0;
    assert_int_equal(try_create(&cfg, err), MACHINE_OK);

    cfg.ram_size = 0;
    cfg.cpu_model = "z80";
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_CPU);
    assert_non_null(strstr(err, "z80"));
    assert_non_null(strstr(err, "pentium2"));
    cfg.cpu_model = "i486"; /* an alias */
    assert_int_equal(try_create(&cfg, err), MACHINE_OK);
    assert_true(machine_cpu_model_known("p2"));
    assert_false(machine_cpu_model_known("68000"));

    cfg.cpu_model = NULL;
    cfg.debugcon = MACHINE_DEBUGCON_FILE;
    cfg.debugcon_path = "/nonexistent-dir/con.txt";
    assert_int_equal(try_create(&cfg, err), MACHINE_ERR_FILE);
    assert_non_null(strstr(err, "/nonexistent-dir/con.txt"));
    tmp_drop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debugcon_prints_and_hlt_stops),
        cmocka_unit_test(test_debugcon_read_returns_e9),
        cmocka_unit_test(test_fwcfg_signature_and_files),
        cmocka_unit_test(test_cmos_boot_order),
        cmocka_unit_test(test_cmos_boot_once_then_order),
        cmocka_unit_test(test_cmos_disks),
        cmocka_unit_test(test_cmos_floppies),
        cmocka_unit_test(test_ioport_log_lines),
        cmocka_unit_test(test_budget_stops_and_resumes),
        cmocka_unit_test(test_triple_fault_no_reboot_shuts_down),
        cmocka_unit_test(test_triple_fault_resets),
        cmocka_unit_test(test_isa_window_shows_last_128k),
        cmocka_unit_test(test_286_boots_from_top_of_16m),
        cmocka_unit_test(test_two_machines_are_independent),
        cmocka_unit_test(test_bad_bios_is_one_line),
        cmocka_unit_test(test_bad_ram_and_cpu_are_one_line),
        cmocka_unit_test(test_timer_irq_wakes_hlt_deterministically),
        cmocka_unit_test(test_timer_irq_follows_host_time),
        cmocka_unit_test(test_keys_reach_the_guest_as_scan_codes),
        cmocka_unit_test(test_kbc_port92_and_cf9_reset_the_machine),
        cmocka_unit_test(test_idle_guest_returns_to_the_caller),
        cmocka_unit_test(test_mouse_moves_reach_the_guest_as_ps2_packets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
