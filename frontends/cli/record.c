/* -record and -replay on the command line (record.h). */
#include "frontends/cli/record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "N" with an optional K, M or G (thousands, millions, billions of instructions). */
static bool parse_count(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1000;
    else if (*end == 'M' || *end == 'm')
        mul = 1000000;
    else if (*end == 'G' || *end == 'g')
        mul = 1000000000;
    if (mul != 1)
        end++;
    if (*end || errno || v == 0 || v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

bool record_option(struct machine_config *cfg, const char *name, const char *v, char *err,
                   size_t errlen)
{
    if (strcmp(name, "replay") == 0) {
        if (!*v) {
            snprintf(err, errlen, "-replay needs a file (-replay FILE)");
            return false;
        }
        cfg->replay_path = v;
        return true;
    }
    /* FILE, then ,snapshot=N and ,check=N in any order. */
    static char path[1024];
    const char *comma = strchr(v, ',');
    size_t len = comma ? (size_t)(comma - v) : strlen(v);
    if (!len || len >= sizeof path) {
        snprintf(err, errlen, "-record %s: needs a file (-record FILE[,snapshot=N][,check=N])",
                 v);
        return false;
    }
    memcpy(path, v, len);
    path[len] = '\0';
    cfg->record_path = path;
    while (comma) {
        const char *item = comma + 1;
        comma = strchr(item, ',');
        char opt[64];
        size_t n = comma ? (size_t)(comma - item) : strlen(item);
        if (n >= sizeof opt)
            n = sizeof opt - 1;
        memcpy(opt, item, n);
        opt[n] = '\0';
        uint64_t count;
        if (strncmp(opt, "snapshot=", 9) == 0 && parse_count(opt + 9, &count)) {
            cfg->record_snapshot = count;
        } else if (strncmp(opt, "check=", 6) == 0 && parse_count(opt + 6, &count)) {
            cfg->record_check = count;
        } else {
            snprintf(err, errlen, "-record %s: '%s' is not snapshot=N or check=N (N "
                     "instructions, with K, M or G: snapshot=500M)", v, opt);
            return false;
        }
    }
    return true;
}
