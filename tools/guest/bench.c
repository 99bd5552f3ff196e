/* orrery-bench: the guest compute benchmark (tests/bench/guest-bench.sh). A static i686
 * program that tools/mkguest puts in the test guest as /bin/orrery-bench: integer parts
 * (a sieve, CRC32, string search and copy, a matrix multiply, a sort, calls and returns)
 * and an x87 part, each timed with the guest's monotonic clock and ending with a checksum.
 * The checksums depend on nothing but the program (no transcendentals, whose last bit
 * differs between x87 implementations), so every emulator and a native run must agree.
 *
 *   orrery-bench [SCALE]     (default 1; each part's work grows linearly)
 *
 * prints one line per part, "orrery-bench: NAME ms=MILLISECONDS sum=CHECKSUM", and last
 * "orrery-bench: total ms=MILLISECONDS". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A fixed pseudo-random sequence (an LCG), so inputs are the same everywhere. */
static uint32_t lcg_state;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return lcg_state ^ (lcg_state >> 16);
}

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    return h ^ (h >> 15);
}

/* ---- the parts ---- */

static uint32_t part_sieve(unsigned scale)
{
    enum { N = 2000000 };
    static uint8_t composite[N + 1];
    uint32_t sum = 0;
    for (unsigned rep = 0; rep < 5 * scale; rep++) {
        memset(composite, 0, sizeof composite);
        uint32_t count = 0;
        for (uint32_t i = 2; i <= N; i++) {
            if (composite[i])
                continue;
            count++;
            for (uint32_t j = i * 2; j <= N; j += i)
                composite[j] = 1;
        }
        sum = mix(sum, count);
    }
    return sum;
}

static uint32_t part_crc32(unsigned scale)
{
    static uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    enum { LEN = 1 << 20 };
    static uint8_t buf[LEN];
    lcg_state = 1;
    for (uint32_t i = 0; i < LEN; i++)
        buf[i] = (uint8_t)lcg();
    uint32_t sum = 0;
    for (unsigned rep = 0; rep < 18 * scale; rep++) {
        uint32_t crc = 0xFFFFFFFFu;
        for (uint32_t i = 0; i < LEN; i++)
            crc = table[(crc ^ buf[i]) & 0xFF] ^ (crc >> 8);
        sum = mix(sum, ~crc);
        buf[rep % LEN]++;
    }
    return sum;
}

/* Naive search of each needle, then copies: the byte loops compilers and libcs run. */
static uint32_t part_string(unsigned scale)
{
    enum { LEN = 256 << 10 };
    static char hay[LEN + 1], copy[LEN + 1];
    lcg_state = 2;
    for (uint32_t i = 0; i < LEN; i++)
        hay[i] = (char)('a' + lcg() % 4);
    hay[LEN] = '\0';
    uint32_t sum = 0;
    for (unsigned rep = 0; rep < 24 * scale; rep++) {
        char needle[12];
        for (int k = 0; k < 11; k++)
            needle[k] = (char)('a' + lcg() % 4);
        needle[11] = '\0';
        uint32_t found = 0;
        for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
            found++;
        sum = mix(sum, found);
        for (int k = 0; k < 8; k++) {
            memcpy(copy, hay + k, LEN - k);
            copy[LEN - k] = '\0';
            sum = mix(sum, (uint32_t)strlen(copy) + (uint8_t)copy[rep * 977 % (LEN - k)]);
        }
    }
    return sum;
}

static uint32_t part_matrix(unsigned scale)
{
    enum { N = 96 };
    static int32_t a[N][N], b[N][N], c[N][N];
    lcg_state = 3;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (int32_t)(lcg() % 201) - 100;
            b[i][j] = (int32_t)(lcg() % 201) - 100;
        }
    uint32_t sum = 0;
    for (unsigned rep = 0; rep < 24 * scale; rep++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                int32_t s = 0;
                for (int k = 0; k < N; k++)
                    s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                sum = mix(sum, (uint32_t)c[i][j]);
        a[rep % N][rep % N]++;
    }
    return sum;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static uint32_t part_sort(unsigned scale)
{
    enum { N = 200000 };
    static uint32_t v[N];
    uint32_t sum = 0;
    lcg_state = 4;
    for (unsigned rep = 0; rep < scale; rep++) {
        for (uint32_t i = 0; i < N; i++)
            v[i] = lcg();
        qsort(v, N, sizeof v[0], cmp_u32);
        for (uint32_t i = 0; i < N; i += 97)
            sum = mix(sum, v[i]);
    }
    return sum;
}

static __attribute__((noinline)) uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint32_t part_calls(unsigned scale)
{
    static volatile uint32_t depth = 31; /* not a constant the compiler could fold */
    uint32_t sum = 0;
    for (unsigned rep = 0; rep < 4 * scale; rep++)
        sum = mix(sum, fib(depth));
    return sum;
}

/* x87: double-precision arithmetic and square roots only (correctly rounded everywhere;
 * the x87 keeps 64-bit significands in registers, which every emulator must match). */
static uint32_t part_x87(unsigned scale)
{
    volatile double acc = 0.0;
    double x = 1.0;
    for (unsigned rep = 0; rep < 6000000u * scale; rep++) {
        x = x * 1.0000001 + 0.5 / (x + 1.0);
        acc = acc + __builtin_sqrt(x) - x / 3.0;
        if (x > 1e6)
            x = 1.0;
    }
    double a = acc;
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    return mix((uint32_t)bits, (uint32_t)(bits >> 32));
}

int main(int argc, char **argv)
{
    unsigned scale = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1;
    if (scale == 0)
        scale = 1;
    static const struct {
        const char *name;
        uint32_t (*fn)(unsigned);
    } parts[] = {
        { "sieve", part_sieve }, { "crc32", part_crc32 }, { "string", part_string },
        { "matrix", part_matrix }, { "sort", part_sort }, { "calls", part_calls },
        { "x87", part_x87 },
    };
    setvbuf(stdout, NULL, _IOLBF, 0);
    double total = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        double t0 = now_ms();
        uint32_t sum = parts[i].fn(scale);
        double ms = now_ms() - t0;
        total += ms;
        printf("orrery-bench: %s ms=%.1f sum=%08x\n", parts[i].name, ms, sum);
    }
    printf("orrery-bench: total ms=%.1f\n", total);
    return 0;
}
