/* The machine's debugger calls (machine.h, "Debugging"): breakpoints that stop before the
 * instruction and leave guest memory as it was, steps of one instruction, watchpoints that
 * stop after the access with its address and kind, registers read and written, memory by
 * linear and physical address without side effects. */
#include "machine_rig.h"

/* At F000:0000, linear 0xF0000:
 *   0000 mov ax, 0x1234          B8 34 12
 *   0003 xor bx, bx              31 DB
 *   0005 mov ds, bx              8E DB
 *   0007 mov word [0x500], 0x55AA C7 06 00 05 AA 55
 *   000D mov ax, [0x500]         A1 00 05
 *   0010 inc ax                  40
 *   0011 cli; hlt                FA F4 */
static const uint8_t prog[] = {
    0xB8, 0x34, 0x12, 0x31, 0xDB, 0x8E, 0xDB, 0xC7, 0x06, 0x00, 0x05, 0xAA, 0x55,
    0xA1, 0x00, 0x05, 0x40, 0xFA, 0xF4,
};
#define LIN(off) (0xF0000u + (off))

struct fx {
    struct tmp bios, con;
    struct machine *m;
};

/* A machine running PROG from its BIOS image, on -icount SHIFT (instructions advance
 * the clock 2^SHIFT ns each). */
static void fx_start(struct fx *f, const uint8_t *program, size_t size, unsigned shift)
{
    tmp_make(&f->bios);
    tmp_make(&f->con);
    write_bios(f->bios.path, 0x10000, program, size);
    f->m = make_clocked(&f->bios, &f->con, true, shift);
}

static void fx_end(struct fx *f)
{
    machine_destroy(f->m);
    tmp_drop(&f->bios);
    tmp_drop(&f->con);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    fx_start(f, prog, sizeof prog, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    fx_end(f);
    free(f);
    return 0;
}

static uint32_t eip(struct machine *m)
{
    struct machine_dbg_regs r;
    machine_debug_get_regs(m, &r);
    return r.eip;
}

static void test_breakpoint_stops_before_and_writes_nothing(void **state)
{
    struct fx *f = *state;
    uint8_t before[sizeof prog], after[sizeof prog];
    machine_read_phys(f->m, LIN(0), before, sizeof before);
    assert_true(machine_debug_break(f->m, LIN(0x10), true));
    machine_read_phys(f->m, LIN(0), after, sizeof after);
    assert_memory_equal(before, after, sizeof prog);
    machine_debug_resume(f->m, false);
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_DEBUG);
    uint32_t addr = 0;
    assert_int_equal(machine_debug_stopped(f->m, &addr, NULL), MACHINE_DEBUG_BREAK);
    assert_int_equal(addr, LIN(0x10));
    assert_int_equal(eip(f->m), 0x10);
    struct machine_regs r;
    machine_get_regs(f->m, &r);
    assert_int_equal(r.gpr[0] & 0xFFFF, 0x55AA); /* the load ran, the INC not yet */
    /* Going on from the breakpoint runs its instruction; the guest then halts. */
    machine_debug_resume(f->m, false);
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_HALT);
    machine_get_regs(f->m, &r);
    assert_int_equal(r.gpr[0] & 0xFFFF, 0x55AB);
    assert_true(machine_debug_break(f->m, LIN(0x10), false));
    assert_false(machine_debug_break(f->m, LIN(0x10), false));
}

static void test_step_runs_one_instruction(void **state)
{
    struct fx *f = *state;
    assert_int_equal(eip(f->m), 0xFFF0);
    static const uint32_t want[] = { 0x0000, 0x0003, 0x0005, 0x0007, 0x000D };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint64_t n = machine_instructions(f->m);
        machine_debug_resume(f->m, true);
        assert_int_equal(machine_run(f->m, 1000), MACHINE_STOP_DEBUG);
        assert_int_equal(machine_debug_stopped(f->m, NULL, NULL), MACHINE_DEBUG_STEP);
        assert_int_equal(eip(f->m), want[i]);
        assert_int_equal(machine_instructions(f->m), n + 1);
    }
    /* Without the step the run goes on to the end. */
    machine_debug_resume(f->m, false);
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_HALT);
}

static void test_watchpoints_stop_after_the_access(void **state)
{
    struct fx *f = *state;
    enum machine_watch kind;
    uint32_t addr;
    assert_true(machine_debug_watch(f->m, 0x501, 1, MACHINE_WATCH_WRITE, true));
    assert_true(machine_debug_watch(f->m, 0x500, 4, MACHINE_WATCH_READ, true));
    machine_debug_resume(f->m, false);
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_DEBUG);
    assert_int_equal(machine_debug_stopped(f->m, &addr, &kind), MACHINE_DEBUG_WATCH);
    assert_int_equal(addr, 0x501);
    assert_int_equal(kind, MACHINE_WATCH_WRITE);
    assert_int_equal(eip(f->m), 0x0D); /* after the store */
    uint8_t v[2];
    assert_int_equal(machine_debug_read(f->m, 0x500, v, 2, false), 2);
    assert_int_equal(v[0] | v[1] << 8, 0x55AA);
    machine_debug_resume(f->m, false);
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_DEBUG);
    assert_int_equal(machine_debug_stopped(f->m, &addr, &kind), MACHINE_DEBUG_WATCH);
    assert_int_equal(addr, 0x500);
    assert_int_equal(kind, MACHINE_WATCH_READ);
    assert_int_equal(eip(f->m), 0x10); /* after the load */
    assert_true(machine_debug_watch(f->m, 0x501, 1, MACHINE_WATCH_WRITE, false));
    assert_true(machine_debug_watch(f->m, 0x500, 4, MACHINE_WATCH_READ, false));
    machine_debug_resume(f->m, false);
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_HALT);
}

static void test_registers_written_back(void **state)
{
    struct fx *f = *state;
    struct machine_dbg_regs r;
    machine_debug_get_regs(f->m, &r);
    assert_int_equal(r.sel[1], 0xF000);
    assert_int_equal(r.cr0, 0x60000010);
    assert_int_equal(r.mode, 0);
    r.gpr[3] = 0xCAFEF00D;
    r.sel[3] = 0x1234;
    r.base[3] = 0x12340;
    r.st[0][9] = 0x3F; /* ST(0) = 1.0 */
    r.st[0][8] = 0xFF;
    r.st[0][7] = 0x80;
    assert_true(machine_debug_set_regs(f->m, &r));
    struct machine_dbg_regs back;
    machine_debug_get_regs(f->m, &back);
    assert_int_equal(back.gpr[3], 0xCAFEF00D);
    assert_int_equal(back.sel[3], 0x1234);
    assert_int_equal(back.base[3], 0x12340);
    assert_memory_equal(back.st[0], r.st[0], 10);
    r = back;
    r.cr0 |= 1; /* protected mode cannot be entered by a register write */
    assert_false(machine_debug_set_regs(f->m, &r));
    machine_debug_get_regs(f->m, &back);
    assert_int_equal(back.cr0, 0x60000010);
}

static void test_memory_by_linear_and_physical_address(void **state)
{
    struct fx *f = *state;
    uint8_t b[4] = { 1, 2, 3, 4 }, got[4];
    assert_int_equal(machine_debug_write(f->m, 0x7000, b, 4, true), 4);
    assert_int_equal(machine_debug_read(f->m, 0x7000, got, 4, false), 4);
    assert_memory_equal(b, got, 4);
    /* ROM is read, never written; nothing above 4 GiB. */
    assert_int_equal(machine_debug_read(f->m, LIN(0), got, 3, true), 3);
    assert_memory_equal(got, prog, 3);
    assert_int_equal(machine_debug_write(f->m, LIN(0), b, 2, true), 0);
    assert_int_equal(machine_debug_read(f->m, 0xFFFFFFFEull, got, 4, true), 2);
    uint64_t pa = 0;
    assert_true(machine_debug_translate(f->m, 0x12345, &pa));
    assert_int_equal(pa, 0x12345);
}

/* A guest spinning with interrupts on while the PIT ticks (IRQ 0 -> inc word [0x500]):
 *   0000 cli; ds = ss = 0; sp = 0x7C00; IVT[8] = F000:0040
 *   0016 the PICs (vector 8, only IRQ 0), the PIT (mode 2, 1193 counts)
 *   0036 sti
 *   0037 jmp $
 *   0040 handler: inc word [0x500]; EOI; iret */
static const uint8_t prog_spin_timer[] = {
    0xFA, 0x31, 0xC0, 0x8E, 0xD8, 0x8E, 0xD0, 0xBC, 0x00, 0x7C,
    0xC7, 0x06, 0x20, 0x00, 0x40, 0x00, 0xC7, 0x06, 0x22, 0x00, 0x00, 0xF0,
    0xB0, 0x11, 0xE6, 0x20, 0xB0, 0x08, 0xE6, 0x21, 0xB0, 0x04, 0xE6, 0x21,
    0xB0, 0x01, 0xE6, 0x21, 0xB0, 0xFE, 0xE6, 0x21,
    0xB0, 0x34, 0xE6, 0x43, 0xB0, 0xA9, 0xE6, 0x40, 0xB0, 0x04, 0xE6, 0x40,
    0xFB, 0xEB, 0xFE, 0, 0, 0, 0, 0, 0, 0,
    0xFF, 0x06, 0x00, 0x05, 0x50, 0xB0, 0x20, 0xE6, 0x20, 0x58, 0xCF,
};

/* A debugger's step runs the instruction it shows: timer interrupts that fall due while
 * stepping wait (else every stepi would land in the handler); they are taken when the
 * guest goes on. */
static void test_step_holds_interrupts(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, prog_spin_timer, sizeof prog_spin_timer, 10); /* 1 us per instruction */
    struct machine *m = f.m;
    assert_int_equal(machine_run(m, 100), MACHINE_STOP_BUDGET); /* into the loop */
    assert_int_equal(eip(m), 0x37);
    uint8_t ticks[2];
    assert_int_equal(machine_debug_read(m, 0x500, ticks, 2, true), 2);
    unsigned before = ticks[0] | ticks[1] << 8;
    for (unsigned i = 0; i < 5000; i++) { /* 5 ms of guest time: 5 ticks due */
        machine_debug_resume(m, true);
        assert_int_equal(machine_run(m, 1000), MACHINE_STOP_DEBUG);
        assert_int_equal(eip(m), 0x37);
    }
    assert_int_equal(machine_debug_read(m, 0x500, ticks, 2, true), 2);
    assert_int_equal(ticks[0] | ticks[1] << 8, before);
    machine_debug_resume(m, false);
    assert_int_equal(machine_run(m, 3000), MACHINE_STOP_BUDGET);
    assert_int_equal(machine_debug_read(m, 0x500, ticks, 2, true), 2);
    assert_true((unsigned)(ticks[0] | ticks[1] << 8) > before);
    fx_end(&f);
}

/* Steps prog_timer to its first HLT (at 0x3D): EIP is then 0x3E. */
static void to_first_hlt(struct machine *m)
{
    struct machine_regs r;
    for (unsigned i = 0; i < 1000; i++) {
        machine_run(m, 1);
        machine_get_regs(m, &r);
        if (r.eip == 0x3E)
            return;
    }
    fail_msg("prog_timer did not reach its HLT in 1000 instructions (EIP %#x)", r.eip);
}

/* Resuming a guest waiting in HLT: the breakpoint at the interrupt handler fires on the
 * first interrupt (the instruction a resume lets pass is the one it resumed at, not the
 * first one run after it). prog_timer's handler is at F000:004B; it counts in [0x500]. */
static void test_break_in_handler_after_hlt(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, prog_timer, sizeof prog_timer, 0);
    struct machine *m = f.m;
    to_first_hlt(m);
    uint8_t t[2];
    assert_int_equal(machine_debug_read(m, 0x500, t, 2, true), 2);
    unsigned before = t[0] | t[1] << 8;
    assert_true(machine_debug_break(m, LIN(0x4B), true));
    machine_debug_resume(m, false);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_DEBUG);
    assert_int_equal(eip(m), 0x4B);
    assert_int_equal(machine_debug_read(m, 0x500, t, 2, true), 2);
    assert_int_equal(t[0] | t[1] << 8, before); /* the first interrupt's handler */
    fx_end(&f);
}

/* A write watchpoint on the stack an interrupt pushes its frame onto (SP = 0x7C00: IP,
 * CS, FLAGS at 0x7BFA-0x7BFF) stops when the interrupt is delivered, before the handler's
 * first instruction. */
static void test_watch_sees_interrupt_frame(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, prog_timer, sizeof prog_timer, 0);
    struct machine *m = f.m;
    to_first_hlt(m);
    assert_true(machine_debug_watch(m, 0x7BFA, 6, MACHINE_WATCH_WRITE, true));
    machine_debug_resume(m, false);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_DEBUG);
    uint32_t addr;
    assert_int_equal(machine_debug_stopped(m, &addr, NULL), MACHINE_DEBUG_WATCH);
    assert_true(addr >= 0x7BFA && addr < 0x7C00);
    assert_int_equal(eip(m), 0x4B);
    fx_end(&f);
}

/* REP STOSB of 0x3000 bytes, more than the CPU runs in one go (it restarts the
 * instruction between chunks):
 *   0000 xor ax, ax; mov es, ax; mov di, 0x1000; mov cx, 0x3000; cld
 *   000B rep stosb
 *   000D cli; hlt */
static const uint8_t prog_rep[] = {
    0x31, 0xC0, 0x8E, 0xC0, 0xBF, 0x00, 0x10, 0xB9, 0x00, 0x30, 0xFC, 0xF3, 0xAA, 0xFA, 0xF4,
};

/* A breakpoint on a REP instruction fires once, not again each time the CPU resumes it
 * between chunks; a step runs one iteration, as the trap flag does. */
static void test_rep_breaks_once_and_steps_by_iteration(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, prog_rep, sizeof prog_rep, 0);
    struct machine *m = f.m;
    assert_true(machine_debug_break(m, LIN(0x0B), true));
    machine_debug_resume(m, false);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_DEBUG);
    assert_int_equal(eip(m), 0x0B);
    struct machine_regs r;
    for (uint32_t left = 0x2FFF; left >= 0x2FFD; left--) {
        machine_debug_resume(m, true);
        assert_int_equal(machine_run(m, 100), MACHINE_STOP_DEBUG);
        machine_get_regs(m, &r);
        assert_int_equal(r.gpr[1] & 0xFFFF, left); /* CX */
        assert_int_equal(r.eip, 0x0B);
    }
    machine_debug_resume(m, false);
    assert_int_equal(run_to_stop(m), MACHINE_STOP_HALT);
    machine_get_regs(m, &r);
    assert_int_equal(r.gpr[1] & 0xFFFF, 0);
    fx_end(&f);
}

/* A state saved while a debugger watches equals one saved without it. */
static void test_saved_state_does_not_show_the_debugger(void **state)
{
    struct fx *f = *state;
    struct tmp a, b;
    tmp_make(&a);
    tmp_make(&b);
    char err[MACHINE_ERRMAX];
    assert_int_equal(machine_save_state(f->m, a.path, err), MACHINE_OK);
    assert_true(machine_debug_watch(f->m, 0x500, 2, MACHINE_WATCH_WRITE, true));
    assert_true(machine_debug_break(f->m, LIN(0x10), true));
    assert_int_equal(machine_save_state(f->m, b.path, err), MACHINE_OK);
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    assert_int_equal(machine_state_diff(a.path, b.path, null, err), 0);
    fclose(null);
    /* and the watchpoint still works after the save */
    machine_debug_resume(f->m, false);
    assert_int_equal(run_to_stop(f->m), MACHINE_STOP_DEBUG);
    assert_int_equal(machine_debug_stopped(f->m, NULL, NULL), MACHINE_DEBUG_WATCH);
    tmp_drop(&a);
    tmp_drop(&b);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_breakpoint_stops_before_and_writes_nothing),
        T(test_step_runs_one_instruction),
        T(test_watchpoints_stop_after_the_access),
        T(test_registers_written_back),
        T(test_memory_by_linear_and_physical_address),
        T(test_saved_state_does_not_show_the_debugger),
        cmocka_unit_test(test_step_holds_interrupts),
        cmocka_unit_test(test_rep_breaks_once_and_steps_by_iteration),
        cmocka_unit_test(test_break_in_handler_after_hlt),
        cmocka_unit_test(test_watch_sees_interrupt_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
