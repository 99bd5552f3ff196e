/* orrery-oracle-child: the native half of the CPU oracle, a 32-bit server.
 *
 * Started by build/orrery-oracle as `orrery-oracle-child SHM_FD CMD_FD REPLY_FD`. It maps
 * the data and code regions at the fixed addresses orrery also uses, then runs batches of
 * cases from the shared block: for each, the data region gets the pattern and the case's
 * patches, the code goes into the INT3-filled code region followed by a JMP to
 * oracle_exit, and oracle_run (child_run.S) enters it with the case's registers. Faults,
 * and branches out of the case onto an INT3, arrive as signals; the handler reads the
 * registers from the signal context and jumps back into the loop.
 *
 * Built with -m32 and without sanitizers (they would claim the signals and the low
 * addresses); x86 hosts only. _GNU_SOURCE: REG_EIP and friends of <sys/ucontext.h>. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "oracle.h"

extern uint32_t oracle_in[11];
extern uint32_t oracle_out[15];
extern uint32_t oracle_host_fs, oracle_host_gs;
void oracle_run(void);
void oracle_exit(void);

static sigjmp_buf g_env;
static volatile sig_atomic_t g_in_case;
static struct oracle_result g_sig; /* filled by the handler */
static uint32_t g_exit_lo, g_exit_hi; /* the case's code and its exit JMP: [lo, hi) */

/* A signal while a case runs: the host's segment registers first (glibc keeps its thread
 * pointer in GS), AC and DF clear for C code, then the interrupted context is the result. */
static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    __asm__ volatile("movw oracle_host_fs, %%ax\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw oracle_host_gs, %%ax\n\t"
                     "movw %%ax, %%gs\n\t"
                     "pushfl\n\t"
                     "andl $0xFFFBFBFF, (%%esp)\n\t"
                     "popfl"
                     ::: "eax", "memory", "cc");
    if (!g_in_case) {
        if (sig == SIGALRM)
            return;
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    static const int regs[8] = { REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_UESP, REG_EBP,
                                 REG_ESI, REG_EDI };
    static const int sregs[6] = { REG_ES, REG_CS, REG_SS, REG_DS, REG_FS, REG_GS };
    for (int i = 0; i < 8; i++)
        g_sig.regs[i] = (uint32_t)g[regs[i]];
    for (int i = 0; i < 6; i++)
        g_sig.sreg[i] = (uint32_t)g[sregs[i]] & 0xFFFF;
    g_sig.eip = (uint32_t)g[REG_EIP];
    g_sig.eflags = (uint32_t)g[REG_EFL];
    g_sig.vector = (uint32_t)g[REG_TRAPNO];
    g_sig.error = (uint32_t)g[REG_ERR];
    g_sig.signo = (uint32_t)sig;
    g_sig.end = ORACLE_END_EXCEPTION;
    if (sig == SIGALRM) {
        g_sig.end = ORACLE_END_TIMEOUT;
    } else if (sig == SIGTRAP && g_sig.vector == 3) {
        /* An INT3 of the fill: the case branched to eip - 1 and ended there. */
        uint32_t at = g_sig.eip - 1;
        if (at < g_exit_lo || at >= g_exit_hi) {
            g_sig.eip = at;
            g_sig.end = ORACLE_END_NORMAL;
            g_sig.vector = g_sig.error = g_sig.signo = 0;
        }
    } else if (sig == SIGSEGV && g_sig.vector == 14 &&
               (uint32_t)(uintptr_t)si->si_addr == g_sig.eip &&
               (g_sig.eip < g_exit_lo || g_sig.eip >= g_exit_hi)) {
        /* An instruction fetch from an address with nothing mapped (a 16-bit EIP below the
         * code region): the case branched there and ended. */
        g_sig.end = ORACLE_END_NORMAL;
        g_sig.vector = g_sig.error = g_sig.signo = 0;
    }
    g_in_case = 0;
    siglongjmp(g_env, 1);
}

static void die(const char *what)
{
    fprintf(stderr, "orrery-oracle-child: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* Maps len bytes at exactly addr, or fails. */
static void *map_at(uint32_t addr, uint32_t len, int prot)
{
    void *p = mmap((void *)(uintptr_t)addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if ((uintptr_t)p != addr) {
        munmap(p, len);
        return NULL;
    }
    return p;
}

/* LDT entry 0: base = the data region, 4 GiB, 32-bit read/write data (struct user_desc of
 * <asm/ldt.h>, spelled out). Read back so orrery gets the very descriptor. */
struct ldt_user_desc {
    unsigned int entry_number;
    unsigned int base_addr;
    unsigned int limit;
    unsigned int flags; /* seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1
                         * seg_not_present:1 useable:1 */
};

static void install_ldt(struct oracle_shm *shm)
{
    struct ldt_user_desc d = { 0, shm->data_base, 0xFFFFF, 1u | 1u << 4 | 1u << 6 };
    uint32_t back[2] = { 0, 0 };
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0 ||
        syscall(SYS_modify_ldt, 0, back, sizeof back) != (long)sizeof back)
        return;
    shm->ldt_lo = back[0];
    shm->ldt_hi = back[1];
    shm->ldt_ok = 1;
}

static int map_layout(struct oracle_shm *shm)
{
    const int rw = PROT_READ | PROT_WRITE, rwx = rw | PROT_EXEC;
    if (map_at(ORACLE_LOW_DATA, ORACLE_DATA_SIZE, rw)) {
        if (map_at(ORACLE_LOW_CODE, ORACLE_LOW_CODE_SIZE, rwx)) {
            shm->data_base = ORACLE_LOW_DATA;
            shm->code_base = ORACLE_LOW_CODE;
            shm->code_size = ORACLE_LOW_CODE_SIZE;
            return 0;
        }
        munmap((void *)(uintptr_t)ORACLE_LOW_DATA, ORACLE_DATA_SIZE);
    }
    if (map_at(ORACLE_HIGH_DATA, ORACLE_DATA_SIZE, rw) &&
        map_at(ORACLE_HIGH_CODE, ORACLE_HIGH_CODE_SIZE, rwx)) {
        shm->data_base = ORACLE_HIGH_DATA;
        shm->code_base = ORACLE_HIGH_CODE;
        shm->code_size = ORACLE_HIGH_CODE_SIZE;
        return 0;
    }
    return -1;
}

static void run_case(const struct oracle_shm *shm, const struct oracle_case *c,
                     struct oracle_result *r)
{
    uint8_t *data = (uint8_t *)(uintptr_t)shm->data_base;
    uint8_t *code = (uint8_t *)(uintptr_t)c->code_addr;
    uint32_t len = c->code_len;

    memset(r, 0, offsetof(struct oracle_result, diff));
    if (len > ORACLE_MAX_CODE || c->code_addr < shm->code_base ||
        c->code_addr + len + ORACLE_EXIT_LEN > shm->code_base + shm->code_size) {
        r->end = ORACLE_END_OTHER;
        return;
    }
    oracle_apply_patches(data, c);
    memcpy(code, c->code, len);
    bool flat = c->data_sel == ORACLE_USER_DS;
    if (!flat && (c->data_sel != ORACLE_LDT_SEL || !shm->ldt_ok)) {
        r->end = ORACLE_END_OTHER;
        return;
    }
    g_exit_lo = c->code_addr;
    g_exit_hi = c->code_addr + len;
    if (flat) {
        uint32_t rel = (uint32_t)(uintptr_t)oracle_exit - (c->code_addr + len + ORACLE_EXIT_LEN);
        code[len] = 0xE9;
        memcpy(code + len + 1, &rel, 4);
        g_exit_hi += ORACLE_EXIT_LEN;
    }

    memcpy(oracle_in, c->regs, 32);
    oracle_in[8] = c->eflags;
    oracle_in[9] = c->code_addr;
    oracle_in[10] = c->data_sel;
    if (sigsetjmp(g_env, 0) == 0) {
        g_in_case = 1;
        oracle_run();
        g_in_case = 0;
        memcpy(r->regs, oracle_out, 32);
        r->eflags = oracle_out[8];
        for (int i = 0; i < 6; i++)
            r->sreg[i] = oracle_out[9 + i] & 0xFFFF;
        r->eip = c->code_addr + len;
        r->end = ORACLE_END_NORMAL;
    } else {
        memcpy(r, &g_sig, offsetof(struct oracle_result, ndiff));
    }
    memset(code, ORACLE_INT3, len + ORACLE_EXIT_LEN);
    r->ndiff = oracle_diff_restore(data, shm->pattern, r->diff);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: orrery-oracle-child SHM_FD CMD_FD REPLY_FD (started by orrery-oracle)\n");
        return 2;
    }
    int shm_fd = atoi(argv[1]), cmd_fd = atoi(argv[2]), reply_fd = atoi(argv[3]);
    struct oracle_shm *shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
    if (shm == MAP_FAILED)
        die("mmap of the shared block");
    if (shm->magic != ORACLE_MAGIC || shm->version != ORACLE_VERSION || shm->size != sizeof *shm) {
        fprintf(stderr, "orrery-oracle-child: the shared block does not match this build\n");
        return 2;
    }
    if (map_layout(shm) < 0)
        die("cannot map the data and code regions at fixed low addresses");
    install_ldt(shm);
    memcpy((void *)(uintptr_t)shm->data_base, shm->pattern, ORACLE_DATA_SIZE);
    memset((void *)(uintptr_t)shm->code_base, ORACLE_INT3, shm->code_size);

    uint32_t sel;
    __asm__ volatile("movl %%cs, %0" : "=r"(sel));
    shm->cs = sel & 0xFFFF;
    __asm__ volatile("movl %%ds, %0" : "=r"(sel));
    shm->ds = sel & 0xFFFF;
    __asm__ volatile("movl %%ss, %0" : "=r"(sel));
    shm->ss = sel & 0xFFFF;

    /* The handler runs on its own stack: a case's ESP points into the data region. */
    static uint8_t altstack[64 * 1024];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) < 0)
        die("sigaltstack");
    shm->sigstack_lo = (uint32_t)(uintptr_t)altstack;
    shm->sigstack_hi = (uint32_t)(uintptr_t)altstack + sizeof altstack;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGALRM };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL) < 0)
            die("sigaction");
    shm->child_ready = 1;

    uint32_t msg;
    const uint32_t ready = 0xFFFFFFFFu;
    if (write(reply_fd, &ready, 4) != 4)
        die("write");
    for (;;) {
        ssize_t got = read(cmd_fd, &msg, 4);
        if (got == 0)
            return 0;
        if (got != 4)
            die("read");
        struct oracle_batch *b = &shm->batch[msg & 1];
        /* A watchdog per batch: a case that loops forever ends as a timeout. */
        struct itimerval tv = { { 0, 0 }, { 2, 0 } };
        setitimer(ITIMER_REAL, &tv, NULL);
        for (uint32_t i = 0; i < b->n && i < ORACLE_BATCH; i++) {
            shm->running = i;
            run_case(shm, &b->c[i], &b->r[i]);
            if (b->r[i].end == ORACLE_END_TIMEOUT)
                setitimer(ITIMER_REAL, &tv, NULL);
        }
        struct itimerval off = { { 0, 0 }, { 0, 0 } };
        setitimer(ITIMER_REAL, &off, NULL);
        if (write(reply_fd, &msg, 4) != 4)
            die("write");
    }
}
