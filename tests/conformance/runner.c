/* orrery-moo: runs hardware-captured CPU test vectors (MOO files) against orrery's CPU.
 *
 *   orrery-moo [--verbose] [--summary] [--min-passed N] [--cpu MODEL] [--engine E] PATH...
 *
 * PATH is a .MOO/.MOO.gz file or a directory of them; metadata.json (flag masks) and
 * revocation_list.txt are read from the directory that holds each file. --cpu applies to
 * the paths after it. */
#include <capstone/capstone.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tests/conformance/moo.h"
#include "tests/conformance/moo_meta.h"
#include "tests/conformance/rig.h"

struct options {
    const struct cpu_model_info *model; /* NULL: from each file's CPU id */
    bool verbose;
    bool summary;                       /* one table row per PATH instead of a line per file */
    long long min_passed;               /* -1: exit 0 only when nothing failed */
    enum cpu_engine engine;             /* --engine: translate (default), interp or lockstep */
};

struct totals {
    unsigned long long passed, failed, skipped, files;
    unsigned long long diverged; /* lockstep: tests where the engines differed */
    unsigned long long blocks, insns; /* lockstep: what it compared */
};

/* Side files of a suite directory, loaded once per directory. */
struct suite {
    char dir[4096];
    struct moo_meta *meta;
    struct moo_revoked *revoked;
};

static void suite_free(struct suite *s)
{
    moo_meta_free(s->meta);
    moo_revoked_free(s->revoked);
    memset(s, 0, sizeof(*s));
}

static int suite_load(struct suite *s, const char *dir)
{
    char path[4200], err[256];
    if (s->meta || s->revoked) {
        if (strcmp(s->dir, dir) == 0)
            return 0;
        suite_free(s);
    }
    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    snprintf(path, sizeof(path), "%s/metadata.json", dir);
    FILE *f = fopen(path, "rb");
    if (f) {
        fclose(f);
        s->meta = moo_meta_load(path, err, sizeof(err));
        if (!s->meta) {
            fprintf(stderr, "orrery-moo: %s: %s\n", path, err);
            return -1;
        }
    }
    snprintf(path, sizeof(path), "%s/revocation_list.txt", dir);
    s->revoked = moo_revoked_load(path, err, sizeof(err));
    if (!s->revoked) {
        fprintf(stderr, "orrery-moo: %s: %s\n", path, err);
        return -1;
    }
    return 0;
}

static const struct cpu_model_info *model_for_id(const char *id)
{
    if (strcmp(id, "C286") == 0 || strcmp(id, "286") == 0)
        return cpu_model_get(CPU_286);
    if (strncmp(id, "386", 3) == 0)
        return cpu_model_get(CPU_386);
    return NULL;
}

/* "F6.6.MOO.gz" -> "F6.6" */
static void file_key(const char *base, char *key, size_t n)
{
    snprintf(key, n, "%s", base);
    char *p = strstr(key, ".MOO");
    if (!p)
        p = strstr(key, ".moo");
    if (p)
        *p = 0;
}

static void disassemble(const struct moo_test *t, bool regs32, uint32_t ip)
{
    csh h;
    cs_insn *insn;
    if (cs_open(CS_ARCH_X86, regs32 ? CS_MODE_16 : CS_MODE_16, &h) != CS_ERR_OK)
        return;
    size_t n = cs_disasm(h, t->bytes, t->nbytes, ip, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        printf("      %04" PRIx64 ": ", insn[i].address);
        for (size_t b = 0; b < insn[i].size; b++)
            printf("%02x", insn[i].bytes[b]);
        printf("%*s %s %s\n", (int)(2 * (16 - insn[i].size)), "", insn[i].mnemonic, insn[i].op_str);
    }
    if (n)
        cs_free(insn, n);
    cs_close(&h);
}

static int run_file(const char *path, const struct options *o, struct suite *suite,
                    struct totals *tot)
{
    char err[256], dir[4096], key[256];
    const char *base = strrchr(path, '/');
    if (base) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
        base++;
    } else {
        snprintf(dir, sizeof(dir), ".");
        base = path;
    }
    if (suite_load(suite, dir))
        return -1;
    file_key(base, key, sizeof(key));

    struct moo_file *f = moo_open(path, err, sizeof(err));
    if (!f) {
        fprintf(stderr, "orrery-moo: %s: %s\n", path, err);
        return -1;
    }
    const struct cpu_model_info *model = o->model ? o->model : model_for_id(moo_cpu_id(f));
    if (!model) {
        fprintf(stderr, "orrery-moo: %s: CPU id '%s' has no orrery model; pass --cpu\n", path,
                moo_cpu_id(f));
        moo_close(f);
        return -1;
    }
    const bool regs32 = moo_is_32bit(f);
    uint16_t meta_mask = 0xFFFF;
    if (suite->meta)
        moo_meta_flags_mask(suite->meta, key, &meta_mask);
    const uint32_t flags_mask = regs32 ? (0xFFFF0000u | meta_mask) : meta_mask;

    static struct rig rig;
    static enum cpu_model rig_model = CPU_MODEL_COUNT;
    if (rig_model != model->model) {
        if (rig_model != CPU_MODEL_COUNT)
            rig_free(&rig);
        if (rig_init(&rig, model->model)) {
            fprintf(stderr, "orrery-moo: out of memory for the test rig\n");
            moo_close(f);
            return -1;
        }
        rig_model = model->model;
    }
    cpu_set_engine(&rig.cpu, o->engine);
    struct cpu_lockstep_stats ls_before;
    cpu_lockstep_stats(&rig.cpu, &ls_before);

    unsigned long passed = 0, failed = 0, skipped = 0;
    struct moo_test t;
    int rc;
    char **fails = NULL;
    size_t nfails = 0;
    while ((rc = moo_next(f, &t, err, sizeof(err))) == 1) {
        if (suite->revoked && moo_revoked_has(suite->revoked, t.hash_hex)) {
            skipped++;
            continue;
        }
        struct rig_result r = rig_run(&rig, &t, regs32, moo_file_mask(f), flags_mask, NULL);
        const char *why;
        if (cpu_status(&rig.cpu, &why) == CPU_DIVERGED) {
            /* Counted apart: the test may still pass, on the interpreter's results. */
            printf("  DIVERGED %s #%u %s: %s\n", base, t.index, t.name, why);
            tot->diverged++;
            cpu_set_engine(&rig.cpu, CPU_ENGINE_INTERP); /* afresh for the next test */
            cpu_set_engine(&rig.cpu, CPU_ENGINE_LOCKSTEP);
        }
        if (r.pass) {
            passed++;
            continue;
        }
        failed++;
        if (o->verbose) {
            printf("  FAIL %s #%u %s  [%s]\n", base, t.index, t.name, t.hash_hex);
            disassemble(&t, regs32, regs32 ? t.init.regs.v[MOO_EIP] : t.init.regs.v[MOO_IP]);
            rig_run(&rig, &t, regs32, moo_file_mask(f), flags_mask, stdout);
        } else {
            char line[200];
            snprintf(line, sizeof(line), "#%u %s", t.index, t.name);
            char **nf = realloc(fails, (nfails + 1) * sizeof(*fails));
            if (nf) {
                fails = nf;
                fails[nfails++] = strdup(line);
            }
        }
    }
    if (rc < 0) {
        fprintf(stderr, "orrery-moo: %s: %s\n", path, err);
        for (size_t i = 0; i < nfails; i++)
            free(fails[i]);
        free(fails);
        moo_close(f);
        return -1;
    }
    if (!o->summary) {
        printf("%-16s %6lu passed %6lu failed", base, passed, failed);
        if (skipped)
            printf(" %6lu skipped", skipped);
        printf("\n");
    }
    for (size_t i = 0; i < nfails; i++) {
        if (o->summary)
            ;
        else if (i < 10)
            printf("    %s\n", fails[i]);
        else if (i == 10)
            printf("    ... %zu more (--verbose shows all, with a diff)\n", nfails - 10);
        free(fails[i]);
    }
    tot->files++;
    struct cpu_lockstep_stats ls;
    cpu_lockstep_stats(&rig.cpu, &ls);
    tot->blocks += ls.blocks - ls_before.blocks;
    tot->insns += ls.insns - ls_before.insns;
    free(fails);
    tot->passed += passed;
    tot->failed += failed;
    tot->skipped += skipped;
    moo_close(f);
    return 0;
}

static bool is_moo_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".MOO") == 0) ||
           (n > 7 && strcmp(name + n - 7, ".MOO.gz") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".moo") == 0) ||
           (n > 7 && strcmp(name + n - 7, ".moo.gz") == 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, const struct options *o, struct suite *suite,
                    struct totals *tot)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "orrery-moo: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path, o, suite, tot);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "orrery-moo: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_moo_name(e->d_name))
            continue;
        char **nn = realloc(names, (n + 1) * sizeof(*names));
        if (!nn)
            break;
        names = nn;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (names[n])
            snprintf(names[n++], len, "%s/%s", path, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && run_file(names[i], o, suite, tot))
            rc = -1;
        free(names[i]);
    }
    free(names);
    if (n == 0) {
        fprintf(stderr, "orrery-moo: %s: no .MOO or .MOO.gz files in this directory\n", path);
        return -1;
    }
    return rc;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: orrery-moo [--verbose] [--summary] [--min-passed N] [--cpu MODEL]\n"
                "                  [--engine translate|interp|lockstep] PATH...\n"
                "  PATH          a .MOO/.MOO.gz file or a directory of them\n"
                "  --cpu MODEL   %s; default: the file's CPU id;\n"
                "                applies to the PATHs after it\n"
                "  --engine E    how the CPU runs: translate (blocks, default), interp, or\n"
                "                lockstep (each block checked against the interpreter: any\n"
                "                difference fails the run)\n"
                "  --verbose     list every failing test with disassembly and a diff\n"
                "  --summary     one table row per PATH instead of a line per file\n"
                "  --min-passed N  exit 0 when at least N tests pass (a ratchet), instead of\n"
                "                only when none fails\n",
            cpu_model_names());
}

struct job {
    const char *path;
    const struct cpu_model_info *model;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The program, given room for a job per argument (main owns it, so that every return
 * frees it). */
static int run(int argc, char **argv, struct job *jobs)
{
    struct options o = { NULL, false, false, -1, CPU_ENGINE_TRANSLATE };
    const struct cpu_model_info *model = NULL;
    int njobs = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc) {
            model = cpu_model_lookup(argv[++i]);
            if (!model) {
                fprintf(stderr, "orrery-moo: unknown CPU model '%s' (known: %s)\n", argv[i],
                        cpu_model_names());
                return 2;
            }
        } else if (strcmp(argv[i], "--engine") == 0 && i + 1 < argc) {
            const char *e = argv[++i];
            if (strcmp(e, "translate") == 0) {
                o.engine = CPU_ENGINE_TRANSLATE;
            } else if (strcmp(e, "interp") == 0) {
                o.engine = CPU_ENGINE_INTERP;
            } else if (strcmp(e, "lockstep") == 0) {
                o.engine = CPU_ENGINE_LOCKSTEP;
            } else {
                fprintf(stderr, "orrery-moo: unknown engine '%s' (give translate, interp or "
                        "lockstep)\n", e);
                return 2;
            }
        } else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
            o.verbose = true;
        } else if (strcmp(argv[i], "--summary") == 0) {
            o.summary = true;
        } else if (strcmp(argv[i], "--min-passed") == 0 && i + 1 < argc) {
            char *end;
            o.min_passed = strtoll(argv[++i], &end, 10);
            if (*end || o.min_passed < 0) {
                fprintf(stderr, "orrery-moo: --min-passed needs a count, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--cpu") == 0 || strcmp(argv[i], "--min-passed") == 0) {
            fprintf(stderr, "orrery-moo: option '%s' needs a value (%s)\n", argv[i],
                    argv[i][2] == 'c' ? "--cpu MODEL, e.g. --cpu 286" : "--min-passed N");
            return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "orrery-moo: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            jobs[njobs].path = argv[i];
            jobs[njobs++].model = model;
        }
    }
    if (njobs == 0) {
        usage(stderr);
        return 2;
    }
    struct totals tot = { 0, 0, 0, 0, 0, 0, 0 };
    struct suite suite;
    memset(&suite, 0, sizeof(suite));
    int rc = 0;
    if (o.summary)
        printf("%-40s %-9s %6s %8s %8s %7s %8s %7s\n", "suite", "cpu", "files", "tests",
               "passed", "failed", "pass %", "seconds");
    for (int i = 0; i < njobs && rc == 0; i++) {
        struct totals before = tot;
        double t0 = now_seconds();
        o.model = jobs[i].model;
        rc = run_path(jobs[i].path, &o, &suite, &tot);
        if (o.summary && rc == 0) {
            unsigned long long p = tot.passed - before.passed, f = tot.failed - before.failed;
            const char *name = jobs[i].path;
            size_t len = strlen(name);
            if (len > 40)
                name += len - 40;
            printf("%-40s %-9s %6llu %8llu %8llu %7llu %7.2f%% %7.1f\n", name,
                   o.model ? o.model->name : "(file)", tot.files - before.files, p + f, p, f,
                   p + f ? 100.0 * (double)p / (double)(p + f) : 0.0, now_seconds() - t0);
        }
    }
    suite_free(&suite);
    if (rc)
        return 2;
    printf("%llu passed, %llu failed, %llu skipped\n", tot.passed, tot.failed, tot.skipped);
    if (o.engine == CPU_ENGINE_LOCKSTEP)
        printf("lockstep: %llu blocks (%llu instructions) compared\n", tot.blocks, tot.insns);
    if (tot.diverged) {
        printf("orrery-moo: the engines differed in %llu tests (lockstep)\n", tot.diverged);
        return 1;
    }
    if (o.min_passed >= 0) {
        if ((long long)tot.passed < o.min_passed) {
            printf("orrery-moo: %llu passed is below the baseline of %lld\n", tot.passed,
                   o.min_passed);
            return 1;
        }
        return 0;
    }
    return tot.failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct job *jobs = calloc((size_t)argc, sizeof(*jobs));
    if (!jobs)
        return 2;
    int status = run(argc, argv, jobs);
    free(jobs);
    return status;
}
