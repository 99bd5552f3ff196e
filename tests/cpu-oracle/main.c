/* orrery-oracle: orrery's interpreter against the host processor, on random 32-bit
 * protected-mode user code (README.md "Tools built", tests/README.md).
 *
 * The tester generates cases (gen.c), runs each on orrery as it makes it, and hands them
 * in batches through shared memory to orrery-oracle-child, a 32-bit process that runs
 * them natively (child.c). While the child runs one batch the tester makes the next.
 * Registers, EFLAGS (less the flags the opcode table marks undefined), segment selectors,
 * EIP, the exception and its error code, and every changed byte of the data region are
 * compared. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <capstone/capstone.h>

#include "gen.h"
#include "sweep.h"

static const char *usage_text =
    "usage: orrery-oracle [--seed S] [--count N] [--sequences M] [--only single:I|seq:J]\n"
    "                     [--max-report N] [--quiet] [--forms] [--sweep] [--child PATH]\n"
    "Runs N random single-instruction cases (default 200000) and M random sequences of up\n"
    "to 16 instructions (default 2000) on orrery and on the host processor and compares\n"
    "them. Prints each form's count, the first difference of each form, and last\n"
    "`N passed, N failed`; exit status 0 only when nothing differed, 1 when something did,\n"
    "2 on an error, and 77 (one line saying why) when the host cannot run 32-bit programs.\n"
    "--sweep runs instead every form of the Pentium II opcode map (tests/opmap: each opcode\n"
    "x ModRM.reg x register/memory operand x no prefix, 66, F2, F3) once, and compares #UD\n"
    "or not, and the whole result where the random cases know how to compare the form.\n";

struct options {
    uint64_t seed, count, seqs;
    int only_kind; /* 0 none, 1 single, 2 sequence */
    uint64_t only_index;
    unsigned max_report;
    bool quiet, list_forms, sweep;
    const char *child;
};

/* A difference kept for the report. */
struct failure {
    struct pcase pc;
    struct oracle_result host;
};

struct tester {
    struct options opt;
    struct oracle_shm *shm;
    int cmd_fd, reply_fd;
    pid_t child;
    struct emu emu;
    struct forms forms;
    struct gen gen;
    struct pcase *pcases[2]; /* the tester's half of each batch */
    uint64_t next_single, next_seq;
    uint64_t passed, failed, skipped;
    uint64_t seq_runs, seq_fails;
    uint64_t seq_insns;
    struct failure *fail;
    unsigned nfail, capfail;
    unsigned seq_fail_reported;
    csh cs;
};

static void die(const char *msg)
{
    fprintf(stderr, "orrery-oracle: %s\n", msg);
    exit(2);
}

static void die_errno(const char *what)
{
    fprintf(stderr, "orrery-oracle: %s: %s\n", what, strerror(errno));
    exit(2);
}

static uint64_t parse_u64(const char *s, const char *flag)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || *s == '-' || !*s) {
        fprintf(stderr, "orrery-oracle: %s wants a number, not '%s'\n", flag, s);
        exit(1);
    }
    return v;
}

static void parse_args(struct options *o, int argc, char **argv)
{
    o->seed = 1;
    o->count = 200000;
    o->seqs = 2000;
    o->max_report = 40;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-')
            a++;
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
            fputs(usage_text, stdout);
            exit(0);
        } else if (!strcmp(a, "-quiet")) {
            o->quiet = true;
            continue;
        } else if (!strcmp(a, "-forms")) {
            o->list_forms = true;
            continue;
        } else if (!strcmp(a, "-sweep")) {
            o->sweep = true;
            continue;
        }
        if (!val) {
            fprintf(stderr, "orrery-oracle: unknown flag or missing value: %s (try --help)\n", argv[i]);
            exit(1);
        }
        i++;
        if (!strcmp(a, "-seed")) {
            o->seed = parse_u64(val, "--seed");
        } else if (!strcmp(a, "-count")) {
            o->count = parse_u64(val, "--count");
        } else if (!strcmp(a, "-sequences")) {
            o->seqs = parse_u64(val, "--sequences");
        } else if (!strcmp(a, "-max-report")) {
            o->max_report = (unsigned)parse_u64(val, "--max-report");
        } else if (!strcmp(a, "-child")) {
            o->child = val;
        } else if (!strcmp(a, "-only")) {
            if (!strncmp(val, "single:", 7)) {
                o->only_kind = 1;
                o->only_index = parse_u64(val + 7, "--only single:");
            } else if (!strncmp(val, "seq:", 4)) {
                o->only_kind = 2;
                o->only_index = parse_u64(val + 4, "--only seq:");
            } else {
                fprintf(stderr, "orrery-oracle: --only wants single:I or seq:J, not '%s'\n", val);
                exit(1);
            }
        } else {
            fprintf(stderr, "orrery-oracle: unknown flag: %s (try --help)\n", argv[i - 1]);
            exit(1);
        }
    }
    if (o->only_kind == 1) {
        o->count = 1;
        o->seqs = 0;
    } else if (o->only_kind == 2) {
        o->count = 0;
        o->seqs = 1;
    }
}

/* ---- the child ---- */

/* What a forked child that could not exec the native program sends instead of its ready
 * word: this, or'ed with errno. */
#define EXEC_FAILED 0xEEEE0000u
/* The exit status when the host cannot be the oracle (ctest's SKIP_RETURN_CODE). */
#define ORACLE_SKIPPED 77

static char *child_path(const char *argv0)
{
    static char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
    if (n <= 0) {
        snprintf(path, sizeof path - 64, "%s", argv0);
        n = (ssize_t)strlen(path);
    } else {
        path[n] = '\0';
    }
    char *slash = strrchr(path, '/');
    if (slash)
        slash[1] = '\0';
    else
        path[0] = '\0';
    strcat(path, "orrery-oracle-child");
    return path;
}

static void start_child(struct tester *t, const char *argv0)
{
    char name[] = "/dev/shm/orrery-oracle-XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) {
        char alt[] = "/tmp/orrery-oracle-XXXXXX";
        fd = mkstemp(alt);
        if (fd < 0)
            die_errno("cannot create the shared block");
        unlink(alt);
    } else {
        unlink(name);
    }
    if (ftruncate(fd, sizeof *t->shm) < 0)
        die_errno("ftruncate");
    t->shm = mmap(NULL, sizeof *t->shm, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (t->shm == MAP_FAILED)
        die_errno("mmap");
    t->shm->magic = ORACLE_MAGIC;
    t->shm->version = ORACLE_VERSION;
    t->shm->size = sizeof *t->shm;
    uint64_t s = t->opt.seed ^ 0x5DEECE66Dull;
    for (unsigned i = 0; i < ORACLE_DATA_SIZE; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        t->shm->pattern[i] = (uint8_t)(s >> 56);
    }

    int cmd[2], reply[2];
    if (pipe(cmd) < 0 || pipe(reply) < 0)
        die_errno("pipe");
    const char *path = t->opt.child ? t->opt.child : child_path(argv0);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        close(cmd[1]);
        close(reply[0]);
        char a1[16], a2[16], a3[16];
        snprintf(a1, sizeof a1, "%d", fd);
        snprintf(a2, sizeof a2, "%d", cmd[0]);
        snprintf(a3, sizeof a3, "%d", reply[1]);
        execl(path, path, a1, a2, a3, (char *)NULL);
        uint32_t failed = EXEC_FAILED | (uint32_t)errno;
        if (write(reply[1], &failed, 4) != 4)
            _exit(127);
        _exit(127);
    }
    close(fd);
    close(cmd[0]);
    close(reply[1]);
    t->child = pid;
    t->cmd_fd = cmd[1];
    t->reply_fd = reply[0];
    uint32_t ready;
    if (read(t->reply_fd, &ready, 4) != 4)
        die("the native child did not start (see its message above)");
    if ((ready & 0xFFFF0000u) == EXEC_FAILED) {
        int err = (int)(ready & 0xFFFF);
        waitpid(pid, NULL, 0);
        if (err == ENOEXEC) {
            /* An x86-64 kernel built or booted without IA-32 emulation: not a failure of
             * orrery's, and nothing this program can test. */
            printf("orrery-oracle: skipped: this host cannot run 32-bit programs (%s: %s); "
                   "the CPU oracle needs a kernel with IA-32 emulation\n", path, strerror(err));
            exit(ORACLE_SKIPPED);
        }
        fprintf(stderr, "orrery-oracle: cannot run %s: %s\n", path, strerror(err));
        exit(2);
    }
    if (ready != 0xFFFFFFFFu || !t->shm->child_ready)
        die("the native child did not start (see its message above)");
    if (t->shm->cs != ORACLE_USER_CS || t->shm->ds != ORACLE_USER_DS || t->shm->ss != ORACLE_USER_DS) {
        fprintf(stderr, "orrery-oracle: the child runs with CS %#x DS %#x SS %#x; the oracle needs "
                        "a 32-bit process on an x86-64 Linux kernel (CS 0x23, DS/SS 0x2b)\n",
                t->shm->cs, t->shm->ds, t->shm->ss);
        exit(2);
    }
}

static void send_batch(struct tester *t, uint32_t b)
{
    if (write(t->cmd_fd, &b, 4) != 4)
        die_errno("write to the child");
}

static void print_code(struct tester *t, const struct oracle_case *c);
static void print_result(const char *who, const struct oracle_result *r);

/* The child died: which case killed it, for the report and for --only. */
static void child_died(struct tester *t, uint32_t b)
{
    int status = 0;
    waitpid(t->child, &status, 0);
    uint32_t i = t->shm->running;
    fprintf(stderr, "orrery-oracle: the native child ");
    if (WIFSIGNALED(status))
        fprintf(stderr, "died of signal %d", WTERMSIG(status));
    else
        fprintf(stderr, "exited with status %d", WEXITSTATUS(status));
    if (i < t->shm->batch[b].n) {
        const struct pcase *pc = &t->pcases[b][i];
        fprintf(stderr, " running %s #%" PRIu64 " (reproduce: --seed %" PRIu64 " --only %s:%" PRIu64 "):\n",
                pc->form >= 0 ? t->forms.f[pc->form].name : "sequence", pc->index, t->opt.seed,
                pc->form >= 0 ? "single" : "seq", pc->index);
        fflush(stderr);
        print_code(t, &pc->c);
        printf("  data segments %#x; orrery ended with\n", pc->c.data_sel);
        print_result("orrery", &pc->want);
        fflush(stdout);
    } else {
        fprintf(stderr, "\n");
    }
    die("lost the native child");
}

static void wait_batch(struct tester *t, uint32_t b)
{
    uint32_t got;
    ssize_t n = read(t->reply_fd, &got, 4);
    if (n != 4 || got != b)
        child_died(t, b);
}

/* ---- comparing ---- */

static const char *const reg_names[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const sreg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

static bool has_error_code(uint32_t v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

/* The changed bytes of r less those the case leaves undefined: the listed ones into out
 * (*nout of them), and the count of all. */
static uint32_t defined_diff(const struct pcase *pc, const struct oracle_result *r, uint32_t *out,
                             uint32_t *nout)
{
    uint32_t listed = r->ndiff < ORACLE_MAX_DIFF ? r->ndiff : ORACLE_MAX_DIFF, n = 0;
    for (uint32_t i = 0; i < listed; i++) {
        uint32_t off = r->diff[i] >> 8;
        if (off - pc->undef_mem_off < pc->undef_mem_len)
            continue;
        out[n++] = r->diff[i];
    }
    *nout = n;
    return r->ndiff - (listed - n);
}

/* Appends to buf what differs between the host's result h and orrery's w. */
static bool differ(const struct pcase *pc, const struct oracle_result *h, char *buf, size_t cap)
{
    const struct oracle_result *w = &pc->want;
    size_t n = 0;
    buf[0] = '\0';
#define SAY(...) (n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__))
    if (h->end != w->end || (h->end == ORACLE_END_EXCEPTION && h->vector != w->vector)) {
        SAY("  end: host %s, orrery %s\n",
            h->end == ORACLE_END_NORMAL ? "normal" : h->end == ORACLE_END_EXCEPTION ? "exception" : "timeout/other",
            w->end == ORACLE_END_NORMAL ? "normal" : "exception");
    }
    if (h->end == ORACLE_END_EXCEPTION && w->end == ORACLE_END_EXCEPTION &&
        (h->vector != w->vector || (has_error_code(h->vector) && h->error != w->error)))
        SAY("  exception: host vector %u error %#x, orrery vector %u error %#x\n", h->vector,
            h->error, w->vector, w->error);
    for (int i = 0; i < 8; i++) {
        uint32_t m = i == pc->undef_reg ? ~pc->undef_bits : ~0u;
        if ((h->regs[i] ^ w->regs[i]) & m)
            SAY("  %s: host %08x, orrery %08x\n", reg_names[i], h->regs[i], w->regs[i]);
    }
    if (h->eip != w->eip)
        SAY("  eip: host %08x, orrery %08x\n", h->eip, w->eip);
    /* A case that branched out ends on the host after the INT3 it lands on, which clears
     * RF (an IRET may have set it); orrery stops before it. */
    uint32_t fmask = pc->flags_mask;
    if (h->end == ORACLE_END_NORMAL && h->eip != pc->c.code_addr + pc->c.code_len)
        fmask &= ~(uint32_t)FL_RF;
    if ((h->eflags ^ w->eflags) & fmask)
        SAY("  eflags: host %08x, orrery %08x (compared bits %08x, differing %08x)\n", h->eflags,
            w->eflags, fmask, (h->eflags ^ w->eflags) & fmask);
    /* A null selector's RPL is not compared: the host kernel's IRET back to user mode after
     * an interrupt makes it 0 (SDM Vol. 2A IRET), as it may happen in the middle of a case. */
    for (int i = 0; i < 6; i++)
        if (h->sreg[i] != w->sreg[i] && ((h->sreg[i] | w->sreg[i]) & ~3u) != 0)
            SAY("  %s: host %04x, orrery %04x\n", sreg_names[i], h->sreg[i], w->sreg[i]);
    static uint32_t hd[ORACLE_MAX_DIFF], wd[ORACLE_MAX_DIFF];
    uint32_t hn, wn;
    uint32_t hcount = defined_diff(pc, h, hd, &hn), wcount = defined_diff(pc, w, wd, &wn);
    uint32_t nd = hn < wn ? hn : wn;
    if (hcount != wcount || memcmp(hd, wd, nd * 4)) {
        SAY("  memory: host changed %u bytes, orrery %u\n", hcount, wcount);
        unsigned shown = 0;
        uint32_t i = 0, j = 0;
        while ((i < hn || j < wn) && shown < 8) {
            uint32_t ho = i < hn ? hd[i] >> 8 : ~0u, wo = j < wn ? wd[j] >> 8 : ~0u;
            if (ho == wo) {
                if ((hd[i] & 0xFF) != (wd[j] & 0xFF)) {
                    SAY("    +%04x: host %02x, orrery %02x\n", ho, hd[i] & 0xFF, wd[j] & 0xFF);
                    shown++;
                }
                i++;
                j++;
            } else if (ho < wo) {
                SAY("    +%04x: host %02x, orrery unchanged\n", ho, hd[i] & 0xFF);
                shown++;
                i++;
            } else {
                SAY("    +%04x: host unchanged, orrery %02x\n", wo, wd[j] & 0xFF);
                shown++;
                j++;
            }
        }
    }
#undef SAY
    return n > 0;
}

/* ---- the report ---- */

static void print_code(struct tester *t, const struct oracle_case *c)
{
    cs_insn *insn = NULL;
    size_t off = 0;
    while (off < c->code_len) {
        size_t n = cs_disasm(t->cs, c->code + off, c->code_len - off, c->code_addr + off, 1, &insn);
        if (n == 0) {
            printf("    %08x:", (unsigned)(c->code_addr + off));
            for (size_t k = off; k < c->code_len && k < off + 16; k++)
                printf(" %02x", c->code[k]);
            printf("  (capstone cannot decode)\n");
            break;
        }
        printf("    %08x:", (unsigned)insn[0].address);
        for (size_t k = 0; k < insn[0].size; k++)
            printf(" %02x", insn[0].bytes[k]);
        printf("%*s%s %s\n", (int)(3 * (16 - insn[0].size)) + 2, "", insn[0].mnemonic, insn[0].op_str);
        off += insn[0].size;
        cs_free(insn, n);
    }
}

static void print_result(const char *who, const struct oracle_result *r)
{
    static const char *const sig[32] = { [4] = "SIGILL", [5] = "SIGTRAP", [7] = "SIGBUS",
                                         [8] = "SIGFPE", [11] = "SIGSEGV", [14] = "SIGALRM" };
    printf("  %-6s ", who);
    if (r->end == ORACLE_END_EXCEPTION) {
        printf("exception %u", r->vector);
        if (has_error_code(r->vector))
            printf("(%#x)", r->error);
        if (r->signo)
            printf(" [%s]", r->signo < 32 && sig[r->signo] ? sig[r->signo] : "signal");
        printf(" at ");
    } else if (r->end == ORACLE_END_TIMEOUT) {
        printf("timeout at ");
    } else if (r->end != ORACLE_END_NORMAL) {
        printf("bad case at ");
    }
    printf("eip=%08x eflags=%08x\n        ", r->eip, r->eflags);
    for (int i = 0; i < 8; i++)
        printf("%s=%08x%s", reg_names[i], r->regs[i], i == 3 ? "\n        " : " ");
    printf("\n        ");
    for (int i = 0; i < 6; i++)
        printf("%s=%04x ", sreg_names[i], r->sreg[i]);
    printf(" changed bytes: %u\n", r->ndiff);
}

static void print_failure(struct tester *t, const struct failure *f)
{
    const struct pcase *pc = &f->pc;
    char buf[4096];
    differ(pc, &f->host, buf, sizeof buf);
    const char *what = pc->form >= 0 ? t->forms.f[pc->form].name : "sequence";
    printf("\nDIFFERENCE in %s: %s #%" PRIu64 " (reproduce: --seed %" PRIu64 " --only %s:%" PRIu64 ")\n",
           what, pc->form >= 0 ? "single" : "sequence", pc->index, t->opt.seed,
           pc->form >= 0 ? "single" : "seq", pc->index);
    print_code(t, &pc->c);
    const struct oracle_case *c = &pc->c;
    printf("  before eflags=%08x\n        ", c->eflags);
    for (int i = 0; i < 8; i++)
        printf("%s=%08x%s", reg_names[i], c->regs[i], i == 3 ? "\n        " : " ");
    printf("\n");
    for (uint32_t i = 0; i < c->npatch; i++) {
        printf("  memory +%04x:", c->patch[i].off);
        for (unsigned k = 0; k < c->patch[i].len; k++)
            printf(" %02x", c->patch[i].bytes[k]);
        printf("\n");
    }
    print_result("host", &f->host);
    print_result("orrery", &pc->want);
    printf("%s", buf);
}

static void keep_failure(struct tester *t, const struct pcase *pc, const struct oracle_result *h)
{
    if (t->nfail == t->capfail) {
        t->capfail = t->capfail ? 2 * t->capfail : 64;
        t->fail = realloc(t->fail, t->capfail * sizeof *t->fail);
        if (!t->fail)
            die("out of memory");
    }
    t->fail[t->nfail].pc = *pc;
    t->fail[t->nfail].host = *h;
    t->nfail++;
}

static void check_batch(struct tester *t, uint32_t b)
{
    const struct oracle_batch *ob = &t->shm->batch[b];
    char buf[4096];
    for (uint32_t i = 0; i < ob->n; i++) {
        const struct pcase *pc = &t->pcases[b][i];
        const struct oracle_result *h = &ob->r[i];
        if (pc->skip) {
            t->skipped++;
            continue;
        }
        bool bad = differ(pc, h, buf, sizeof buf);
        if (pc->form >= 0) {
            struct form *f = &t->forms.f[pc->form];
            f->runs++;
            if (bad) {
                f->fails++;
                if (f->first < 0 && t->nfail < 100000) {
                    f->first = (int)t->nfail;
                    keep_failure(t, pc, h);
                }
            }
        } else {
            t->seq_runs++;
            t->seq_insns += pc->ninsn;
            if (bad) {
                t->seq_fails++;
                if (t->seq_fail_reported < 10) {
                    t->seq_fail_reported++;
                    keep_failure(t, pc, h);
                }
            }
        }
        if (bad)
            t->failed++;
        else
            t->passed++;
    }
}

/* Fills batch b with the next cases; returns how many. */
static uint32_t fill_batch(struct tester *t, uint32_t b)
{
    struct oracle_batch *ob = &t->shm->batch[b];
    const uint64_t total = t->opt.count + t->opt.seqs;
    uint32_t n = 0;
    while (n < ORACLE_BATCH && t->next_single + t->next_seq < total) {
        uint64_t k = t->next_single + t->next_seq;
        bool seq = t->opt.seqs && ((k + 1) * t->opt.seqs / total) != (k * t->opt.seqs / total);
        if (seq && t->next_seq >= t->opt.seqs)
            seq = false;
        if (!seq && t->next_single >= t->opt.count)
            seq = true;
        struct pcase *pc = &t->pcases[b][n];
        if (seq) {
            uint64_t idx = t->opt.only_kind == 2 ? t->opt.only_index : t->next_seq;
            gen_sequence(&t->gen, idx, pc);
            t->next_seq++;
        } else {
            uint64_t idx = t->opt.only_kind == 1 ? t->opt.only_index : t->next_single;
            gen_single(&t->gen, idx, pc);
            t->next_single++;
        }
        ob->c[n] = pc->c;
        n++;
    }
    ob->n = n;
    return n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(struct tester *t, double secs)
{
    const struct forms *fs = &t->forms;
    bool low = t->shm->data_base == ORACLE_LOW_DATA;
    printf("orrery-oracle: seed %" PRIu64 ", layout %s (data %#x, code %#x-%#x), %s\n", t->opt.seed,
           low ? "low" : "high", t->shm->data_base, t->shm->code_base,
           t->shm->code_base + t->shm->code_size - 1,
           t->shm->ldt_ok ? "LDT data segment at the data region" : "no LDT (modify_ldt failed)");
    if (!t->opt.quiet) {
        printf("%-40s %12s %10s %12s\n", "form", "cases", "differ", "regenerated");
        for (unsigned i = 0; i < fs->n; i++) {
            const struct form *f = &fs->f[i];
            if (f->kind == K_EXCLUDED || (!f->runs && t->opt.only_kind))
                continue;
            printf("%-40s %12" PRIu64 " %10" PRIu64 " %12" PRIu64 "\n", f->name, f->runs, f->fails,
                   f->rejects);
        }
    }
    printf("%-40s %12" PRIu64 " %10" PRIu64 "  (%" PRIu64 " instructions)\n", "sequences", t->seq_runs,
           t->seq_fails, t->seq_insns);
    if (!t->opt.quiet) {
        printf("\nexcluded forms:\n");
        for (unsigned i = 0; i < fs->n; i++)
            if (fs->f[i].kind == K_EXCLUDED)
                printf("  %-40s %s\n", fs->f[i].name, fs->f[i].why);
        static const char *const notes[] = {
            "EFLAGS bits the opcode table marks undefined (OPF_UNDEF and the count rules) are "
            "not compared, nor is what a later instruction of a sequence computes from them",
            "SHLD/SHRD with a 16-bit operand and a count above 16: destination and flags "
            "undefined (SDM Vol. 2B)",
            "LAR with a 32-bit operand: bits 19:16 of the result are undefined (SDM Vol. 2A: "
            "masked by 00FxFF00H); the host returns the limit bits",
            "REP/REPNE on instructions other than strings: reserved (SDM Vol. 2A §2.1.1); the "
            "host's F2 LOOPE branches on ZF = 0",
            "LOCK on VERW m16 (the host ignores it, SDM: #UD) and on MOV CRn/DRn (AMD reads "
            "LOCK MOV CR0 as MOV CR8)",
            "INT 0x80 (a system call on the host); selectors 0x50-0x7F (the host's LDT, TLS "
            "and per-CPU descriptors); far transfers to 0x30-0x33 (the host's 64-bit code)",
            "memory outside the data and code regions (the host has no pages there; the "
            "oracle runs orrery without paging): ENTER frames and final stack pointers stay in "
            "the stack page (both probe a write there, so a #PF would differ; #AC is "
            "compared), RET imm16 releases stay in it",
            "a return to RPL < CPL with a misaligned outer stack under EFLAGS.AC: the SDM "
            "checks the RPL first (#GP), the host reads the outer SS:ESP first (#AC)",
            "TF set by POPF or IRET (a single-step trap would end the case elsewhere); IRET "
            "with NT set (a task return on the P6, #GP in the host's compatibility mode)",
            "the RPL of a null selector in DS/ES/FS/GS (the host kernel's IRET to user mode "
            "after an interrupt zeroes it); a segment load faulting on a selector of the "
            "host's GDT entries 10-15; LAR/LSL/VERR/VERW inside sequences",
            "an ESP inside the child's signal stack when a signal ends the case (the host "
            "kernel would take it for already being on that stack)",
        };
        printf("not generated or not compared:\n");
        for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
            printf("  - %s\n", notes[i]);
    }
    unsigned shown = 0;
    for (unsigned i = 0; i < t->nfail && shown < t->opt.max_report; i++, shown++)
        print_failure(t, &t->fail[i]);
    if (t->nfail > shown)
        printf("\n(%u more differing forms or sequences not shown; --max-report N)\n", t->nfail - shown);
    uint64_t total = t->passed + t->failed;
    printf("\n%" PRIu64 " cases in %.1f s (%.0f cases/s); %" PRIu64 " regenerated, %" PRIu64 " skipped\n",
           total, secs, secs > 0 ? (double)total / secs : 0.0, t->gen.rejected, t->skipped);
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", t->passed, t->failed);
}

/* ---- the sweep (sweep.c) ---- */

static void show_sweep_case(void *ctx, const struct pcase *pc, const struct oracle_result *h)
{
    struct tester *t = ctx;
    char buf[4096];
    differ(pc, h, buf, sizeof buf);
    print_code(t, &pc->c);
    printf("  before eflags=%08x\n        ", pc->c.eflags);
    for (int i = 0; i < 8; i++)
        printf("%s=%08x%s", reg_names[i], pc->c.regs[i], i == 3 ? "\n        " : " ");
    printf("\n");
    print_result("host", h);
    print_result("orrery", &pc->want);
    printf("%s", buf);
}

static int run_sweep(struct tester *t)
{
    static struct sweep sw;
    sweep_init(&sw, &t->emu, &t->forms);
    const struct sweep_io io = { differ, show_sweep_case, t, t->opt.max_report };
    uint32_t cur = 0;
    uint32_t n = sweep_fill(&sw, t->shm->batch[cur].c, t->pcases[cur], ORACLE_BATCH);
    t->shm->batch[cur].n = n;
    if (n)
        send_batch(t, cur);
    while (n) {
        uint32_t next = cur ^ 1;
        uint32_t m = sweep_fill(&sw, t->shm->batch[next].c, t->pcases[next], ORACLE_BATCH);
        t->shm->batch[next].n = m;
        wait_batch(t, cur);
        sweep_check(&sw, t->pcases[cur], t->shm->batch[cur].r, n, &io);
        if (m)
            send_batch(t, next);
        cur = next;
        n = m;
    }
    close(t->cmd_fd);
    waitpid(t->child, NULL, 0);
    return sweep_report(&sw) ? 1 : 0;
}

int main(int argc, char **argv)
{
    static struct tester t;
    parse_args(&t.opt, argc, argv);
    signal(SIGPIPE, SIG_IGN);
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &t.cs) != CS_ERR_OK)
        die("capstone does not open");
    start_child(&t, argv[0]);
    if (emu_init(&t.emu, t.shm) < 0)
        die("cannot set up orrery's machine");
    t.gen.low = t.shm->data_base == ORACLE_LOW_DATA;
    t.gen.ldt = t.shm->ldt_ok != 0;
    t.gen.sigstack_lo = t.shm->sigstack_lo;
    t.gen.sigstack_hi = t.shm->sigstack_hi;
    if (forms_build(&t.forms, t.gen.low, t.gen.ldt) < 0)
        die("out of memory");
    if (t.opt.list_forms) {
        for (unsigned i = 0; i < t.forms.n; i++)
            printf("%-40s %s\n", t.forms.f[i].name, t.forms.f[i].kind == K_EXCLUDED ? t.forms.f[i].why : "");
        return 0;
    }

    t.gen.fs = &t.forms;
    t.gen.emu = &t.emu;
    t.gen.seed = t.opt.seed;
    for (int b = 0; b < 2; b++) {
        t.pcases[b] = calloc(ORACLE_BATCH, sizeof *t.pcases[b]);
        if (!t.pcases[b])
            die("out of memory");
    }

    if (t.opt.sweep) {
        int rc = run_sweep(&t);
        cs_close(&t.cs);
        emu_free(&t.emu);
        forms_free(&t.forms);
        return rc;
    }

    double t0 = now();
    uint32_t cur = 0;
    uint32_t n = fill_batch(&t, cur);
    if (n)
        send_batch(&t, cur);
    while (n) {
        uint32_t next = cur ^ 1;
        uint32_t m = fill_batch(&t, next);
        wait_batch(&t, cur);
        check_batch(&t, cur);
        if (m)
            send_batch(&t, next);
        cur = next;
        n = m;
    }
    double secs = now() - t0;
    close(t.cmd_fd);
    waitpid(t.child, NULL, 0);
    report(&t, secs);
    cs_close(&t.cs);
    emu_free(&t.emu);
    forms_free(&t.forms);
    return t.failed ? 1 : 0;
}
