/* -dfilter's address ranges in QEMU's syntax (machine.h, machine_parse_ranges). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine/machine.h"

static bool number(const char **s, uint64_t *v)
{
    const char *p = *s;
    if (*p < '0' || *p > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(p, &end, 0);
    if (errno || end == p || x > 0xFFFFFFFFull)
        return false;
    *v = x;
    *s = end;
    return true;
}

bool machine_parse_ranges(const char *s, struct machine_range *out, unsigned max,
                          unsigned *n, char *err)
{
    const char *p = s;
    *n = 0;
    for (;;) {
        const char *start = p;
        uint64_t a, b;
        struct machine_range r;
        if (!number(&p, &a))
            goto bad;
        if (p[0] == '+' && (p++, number(&p, &b)) && b > 0 && a + b - 1 <= 0xFFFFFFFFull) {
            r = (struct machine_range){ (uint32_t)a, (uint32_t)(a + b - 1) };
        } else if (p[0] == '-' && (p++, number(&p, &b)) && b > 0 && b <= a + 1) {
            r = (struct machine_range){ (uint32_t)(a + 1 - b), (uint32_t)a };
        } else if (p[0] == '.' && p[1] == '.' && (p += 2, number(&p, &b)) && b >= a) {
            r = (struct machine_range){ (uint32_t)a, (uint32_t)b };
        } else {
            p = start;
            goto bad;
        }
        if (*p != ',' && *p != '\0')
            goto bad;
        if (*n == max) {
            snprintf(err, MACHINE_ERRMAX, "-dfilter %s: more than %u ranges", s, max);
            return false;
        }
        out[(*n)++] = r;
        if (*p == '\0')
            return true;
        p++;
    }
bad:
    snprintf(err, MACHINE_ERRMAX, "-dfilter %s: '%.40s' is not a range; give START+LENGTH, "
             "START-LENGTH or START..END, comma-separated (e.g. 0x1000+0x100,0x2000..0x3000)",
             s, p);
    return false;
}
