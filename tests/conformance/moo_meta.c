/* SPDX-License-Identifier: MIT */
/* metadata.json flags masks and revocation_list.txt for MOO suites. */
#include "moo_meta.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* common */

static void set_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char upper_ascii(char c) { return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c; }

/* Read a whole (small) file. *missing is set when it does not exist.
 * Returns malloc'd buffer (NUL-terminated for convenience) or NULL. */
static char *slurp(const char *path, size_t *len, bool *missing, char *err, size_t errlen)
{
    *missing = false;
    if (!path) {
        set_errf(err, errlen, "no path given");
        return NULL;
    }
    errno = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (errno == ENOENT)
            *missing = true;
        set_errf(err, errlen, "cannot open: %s", errno ? strerror(errno) : "unknown error");
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(fp);
        set_errf(err, errlen, "out of memory");
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= MOO_SIDE_FILE_MAX) {
                if (fgetc(fp) == EOF && !ferror(fp))
                    break; /* exactly at the limit */
                set_errf(err, errlen, "file too large (limit %u bytes)", MOO_SIDE_FILE_MAX);
                goto fail;
            }
            size_t ncap = cap * 2 > MOO_SIDE_FILE_MAX ? MOO_SIDE_FILE_MAX : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                set_errf(err, errlen, "out of memory");
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, cap - n, fp);
        n += r;
        if (r == 0) {
            if (ferror(fp)) {
                set_errf(err, errlen, "read error: %s", errno ? strerror(errno) : "unknown error");
                goto fail;
            }
            break;
        }
    }
    fclose(fp);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:
    fclose(fp);
    free(buf);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* metadata.json */

struct mrec {
    char op[9];        /* upper-case hex opcode key */
    int8_t group;      /* -1: the opcode entry itself; 0..7: reg[N] */
    bool has_mask;
    bool has_reg;      /* opcode entry has a "reg" object */
    uint16_t mask;
};

struct moo_meta {
    struct mrec *rec;
    size_t n, cap;
};

enum jrole { R_ANY, R_ROOT, R_OPCODES, R_OPENTRY, R_REGMAP, R_REGENTRY, R_MASK };

struct jp {
    const uint8_t *s;
    size_t len, pos;
    bool failed;
    char msg[200];
    struct moo_meta *m;
};

static bool jfail(struct jp *p, const char *fmt, ...)
{
    if (p->failed)
        return false;
    p->failed = true;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < p->pos && i < p->len; i++) {
        if (p->s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    char tmp[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    snprintf(p->msg, sizeof p->msg, "JSON line %zu col %zu: %s", line, col, tmp);
    return false;
}

static void jws(struct jp *p)
{
    while (p->pos < p->len) {
        uint8_t c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int jpeek(const struct jp *p) { return p->pos < p->len ? p->s[p->pos] : -1; }

static void put_byte(char *out, size_t cap, size_t *n, bool *trunc, uint8_t b)
{
    if (out && *n + 1 < cap)
        out[*n] = (char)b;
    else
        *trunc = true;
    (*n)++;
}

static bool parse_hex4(struct jp *p, uint32_t *v)
{
    if (p->len - p->pos < 4)
        return jfail(p, "truncated \\u escape");
    uint32_t x = 0;
    for (size_t i = 0; i < 4; i++) {
        int h = hexval(p->s[p->pos + i]);
        if (h < 0)
            return jfail(p, "bad hex digit in \\u escape");
        x = x << 4 | (uint32_t)h;
    }
    p->pos += 4;
    *v = x;
    return true;
}

/* Parse a string at p->pos ('"'). Decoded bytes go to out (NUL-terminated,
 * at most cap-1 bytes); *trunc set when it did not fit; *outlen (if not NULL)
 * gets the full decoded length. out may be NULL. */
static bool parse_string(struct jp *p, char *out, size_t cap, bool *trunc, size_t *outlen)
{
    size_t n = 0;
    *trunc = false;
    p->pos++; /* opening quote */
    for (;;) {
        if (p->pos >= p->len)
            return jfail(p, "unterminated string");
        uint8_t c = p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20)
            return jfail(p, "control character 0x%02x in string", c);
        if (c == '\\') {
            if (p->pos + 1 >= p->len)
                return jfail(p, "unterminated string");
            uint8_t e = p->s[p->pos + 1];
            p->pos += 2;
            uint8_t simple = 0;
            switch (e) {
            case '"': simple = '"'; break;
            case '\\': simple = '\\'; break;
            case '/': simple = '/'; break;
            case 'b': simple = '\b'; break;
            case 'f': simple = '\f'; break;
            case 'n': simple = '\n'; break;
            case 'r': simple = '\r'; break;
            case 't': simple = '\t'; break;
            case 'u': {
                uint32_t cp;
                if (!parse_hex4(p, &cp))
                    return false;
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return jfail(p, "lone low surrogate in \\u escape");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
                        return jfail(p, "high surrogate not followed by \\u low surrogate");
                    p->pos += 2;
                    if (!parse_hex4(p, &lo))
                        return false;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return jfail(p, "high surrogate not followed by a low surrogate");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (cp < 0x80) {
                    put_byte(out, cap, &n, trunc, (uint8_t)cp);
                } else if (cp < 0x800) {
                    put_byte(out, cap, &n, trunc, (uint8_t)(0xC0 | (cp >> 6)));
                    put_byte(out, cap, &n, trunc, (uint8_t)(0x80 | (cp & 0x3F)));
                } else if (cp < 0x10000) {
                    put_byte(out, cap, &n, trunc, (uint8_t)(0xE0 | (cp >> 12)));
                    put_byte(out, cap, &n, trunc, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
                    put_byte(out, cap, &n, trunc, (uint8_t)(0x80 | (cp & 0x3F)));
                } else {
                    put_byte(out, cap, &n, trunc, (uint8_t)(0xF0 | (cp >> 18)));
                    put_byte(out, cap, &n, trunc, (uint8_t)(0x80 | ((cp >> 12) & 0x3F)));
                    put_byte(out, cap, &n, trunc, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
                    put_byte(out, cap, &n, trunc, (uint8_t)(0x80 | (cp & 0x3F)));
                }
                continue;
            }
            default:
                p->pos--;
                return jfail(p, "bad escape sequence");
            }
            put_byte(out, cap, &n, trunc, simple);
            continue;
        }
        if (c < 0x80) {
            put_byte(out, cap, &n, trunc, c);
            p->pos++;
            continue;
        }
        /* UTF-8 multi-byte sequence: validate strictly (no overlongs,
         * no surrogates, <= U+10FFFF). */
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) need = 1;
        else if (c == 0xE0) { need = 2; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) need = 2;
        else if (c == 0xED) { need = 2; hi = 0x9F; }
        else if (c >= 0xEE && c <= 0xEF) need = 2;
        else if (c == 0xF0) { need = 3; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) need = 3;
        else if (c == 0xF4) { need = 3; hi = 0x8F; }
        else return jfail(p, "invalid UTF-8 byte 0x%02x", c);
        if (p->len - p->pos <= need)
            return jfail(p, "truncated UTF-8 sequence");
        for (size_t i = 1; i <= need; i++) {
            uint8_t cc = p->s[p->pos + i];
            uint8_t l = (i == 1) ? lo : 0x80, h = (i == 1) ? hi : 0xBF;
            if (cc < l || cc > h)
                return jfail(p, "invalid UTF-8 sequence");
        }
        for (size_t i = 0; i <= need; i++)
            put_byte(out, cap, &n, trunc, p->s[p->pos + i]);
        p->pos += need + 1;
    }
    if (out && cap)
        out[n < cap ? n : cap - 1] = '\0';
    if (outlen)
        *outlen = n;
    return true;
}

struct jnum {
    bool is_int;   /* no fraction/exponent and magnitude fits in 63 bits */
    bool neg;
    uint64_t mag;
};

static bool parse_number(struct jp *p, struct jnum *num)
{
    memset(num, 0, sizeof *num);
    num->is_int = true;
    if (jpeek(p) == '-') {
        num->neg = true;
        p->pos++;
    }
    int c = jpeek(p);
    if (c == '0') {
        p->pos++;
    } else if (c >= '1' && c <= '9') {
        while ((c = jpeek(p)) >= '0' && c <= '9') {
            uint64_t d = (uint64_t)(c - '0');
            if (num->mag > (UINT64_C(0x7FFFFFFFFFFFFFFF) - d) / 10)
                num->is_int = false;
            else
                num->mag = num->mag * 10 + d;
            p->pos++;
        }
    } else {
        return jfail(p, "bad number");
    }
    if (jpeek(p) == '.') {
        num->is_int = false;
        p->pos++;
        c = jpeek(p);
        if (c < '0' || c > '9')
            return jfail(p, "digit expected after decimal point");
        while ((c = jpeek(p)) >= '0' && c <= '9')
            p->pos++;
    }
    c = jpeek(p);
    if (c == 'e' || c == 'E') {
        num->is_int = false;
        p->pos++;
        c = jpeek(p);
        if (c == '+' || c == '-')
            p->pos++;
        c = jpeek(p);
        if (c < '0' || c > '9')
            return jfail(p, "digit expected in exponent");
        while ((c = jpeek(p)) >= '0' && c <= '9')
            p->pos++;
    }
    return true;
}

static bool add_rec(struct jp *p, const char *op, int group, size_t *idx)
{
    struct moo_meta *m = p->m;
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        struct mrec *nr = realloc(m->rec, ncap * sizeof *nr);
        if (!nr)
            return jfail(p, "out of memory");
        m->rec = nr;
        m->cap = ncap;
    }
    struct mrec *r = &m->rec[m->n];
    memset(r, 0, sizeof *r);
    snprintf(r->op, sizeof r->op, "%s", op);
    r->group = (int8_t)group;
    *idx = m->n++;
    return true;
}

static bool parse_value(struct jp *p, int depth, enum jrole role, size_t rec);

static const char *role_name(enum jrole role)
{
    switch (role) {
    case R_ROOT: return "the root value";
    case R_OPCODES: return "\"opcodes\"";
    case R_OPENTRY: return "an opcodes entry";
    case R_REGMAP: return "a \"reg\" member";
    case R_REGENTRY: return "a \"reg\" entry";
    default: return "value";
    }
}

static bool parse_object(struct jp *p, int depth, enum jrole role, size_t rec)
{
    bool seen_a = false, seen_b = false; /* role-specific duplicate tracking */
    p->pos++; /* '{' */
    jws(p);
    if (jpeek(p) == '}') {
        p->pos++;
        goto done;
    }
    for (;;) {
        char key[16];
        bool trunc;
        size_t klen;
        if (jpeek(p) != '"')
            return jfail(p, "object key (string) expected");
        size_t keypos = p->pos;
        if (!parse_string(p, key, sizeof key, &trunc, &klen))
            return false;
        if (!trunc && strlen(key) != klen)
            trunc = true; /* embedded NUL: cannot match any key we care about */
        jws(p);
        if (jpeek(p) != ':')
            return jfail(p, "':' expected after object key");
        p->pos++;
        jws(p);

        enum jrole child = R_ANY;
        size_t crec = 0;
        switch (role) {
        case R_ROOT:
            if (!trunc && strcmp(key, "opcodes") == 0) {
                if (seen_a) {
                    p->pos = keypos;
                    return jfail(p, "duplicate \"opcodes\" key");
                }
                seen_a = true;
                child = R_OPCODES;
            }
            break;
        case R_OPCODES: {
            size_t kl = strlen(key);
            bool ok = !trunc && kl >= 1 && kl <= 8;
            for (size_t i = 0; ok && i < kl; i++)
                ok = hexval((unsigned char)key[i]) >= 0;
            if (!ok) {
                p->pos = keypos;
                return jfail(p, "opcodes key is not 1-8 hex digits");
            }
            for (size_t i = 0; i < kl; i++)
                key[i] = upper_ascii(key[i]);
            if (!add_rec(p, key, -1, &crec))
                return false;
            child = R_OPENTRY;
            break;
        }
        case R_OPENTRY:
            if (!trunc && strcmp(key, "flags-mask") == 0) {
                if (seen_a) {
                    p->pos = keypos;
                    return jfail(p, "duplicate \"flags-mask\" key");
                }
                seen_a = true;
                child = R_MASK;
                crec = rec;
            } else if (!trunc && strcmp(key, "reg") == 0) {
                if (seen_b) {
                    p->pos = keypos;
                    return jfail(p, "duplicate \"reg\" key");
                }
                seen_b = true;
                p->m->rec[rec].has_reg = true;
                child = R_REGMAP;
                crec = rec;
            }
            break;
        case R_REGMAP: {
            if (trunc || strlen(key) != 1 || key[0] < '0' || key[0] > '7') {
                p->pos = keypos;
                return jfail(p, "\"reg\" key must be \"0\"..\"7\"");
            }
            char op[9];
            memcpy(op, p->m->rec[rec].op, sizeof op);
            if (!add_rec(p, op, key[0] - '0', &crec))
                return false;
            child = R_REGENTRY;
            break;
        }
        case R_REGENTRY:
            if (!trunc && strcmp(key, "flags-mask") == 0) {
                if (seen_a) {
                    p->pos = keypos;
                    return jfail(p, "duplicate \"flags-mask\" key");
                }
                seen_a = true;
                child = R_MASK;
                crec = rec;
            }
            break;
        default:
            break;
        }
        if (!parse_value(p, depth + 1, child, crec))
            return false;
        jws(p);
        int c = jpeek(p);
        if (c == ',') {
            p->pos++;
            jws(p);
            continue;
        }
        if (c == '}') {
            p->pos++;
            break;
        }
        return jfail(p, "',' or '}' expected in object");
    }
done:
    if (role == R_ROOT && !seen_a)
        return jfail(p, "root object has no \"opcodes\" member");
    return true;
}

static bool parse_array(struct jp *p, int depth)
{
    p->pos++; /* '[' */
    jws(p);
    if (jpeek(p) == ']') {
        p->pos++;
        return true;
    }
    for (;;) {
        if (!parse_value(p, depth + 1, R_ANY, 0))
            return false;
        jws(p);
        int c = jpeek(p);
        if (c == ',') {
            p->pos++;
            jws(p);
            continue;
        }
        if (c == ']') {
            p->pos++;
            return true;
        }
        return jfail(p, "',' or ']' expected in array");
    }
}

static bool parse_literal(struct jp *p, const char *lit)
{
    size_t n = strlen(lit);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, lit, n) != 0)
        return jfail(p, "invalid literal");
    p->pos += n;
    return true;
}

static bool parse_value(struct jp *p, int depth, enum jrole role, size_t rec)
{
    if (depth > MOO_JSON_MAX_DEPTH)
        return jfail(p, "nesting deeper than %d", MOO_JSON_MAX_DEPTH);
    int c = jpeek(p);
    if (c < 0)
        return jfail(p, "unexpected end of input, value expected");
    if (role == R_MASK) {
        struct jnum num;
        if (c != '-' && !(c >= '0' && c <= '9'))
            return jfail(p, "\"flags-mask\" must be a number");
        size_t at = p->pos;
        if (!parse_number(p, &num))
            return false;
        if (!num.is_int || (num.neg && num.mag != 0) || num.mag > 0xFFFF) {
            p->pos = at;
            return jfail(p, "\"flags-mask\" must be an integer in 0..65535");
        }
        p->m->rec[rec].has_mask = true;
        p->m->rec[rec].mask = (uint16_t)num.mag;
        return true;
    }
    if (role != R_ANY && c != '{')
        return jfail(p, "%s must be an object", role_name(role));
    switch (c) {
    case '{':
        return parse_object(p, depth, role, rec);
    case '[':
        return parse_array(p, depth);
    case '"': {
        bool trunc;
        return parse_string(p, NULL, 0, &trunc, NULL);
    }
    case 't':
        return parse_literal(p, "true");
    case 'f':
        return parse_literal(p, "false");
    case 'n':
        return parse_literal(p, "null");
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            struct jnum num;
            return parse_number(p, &num);
        }
        return jfail(p, "unexpected character '%c'", (c >= 0x20 && c < 0x7f) ? c : '?');
    }
}

static int rec_cmp(const void *a, const void *b)
{
    const struct mrec *x = a, *y = b;
    int c = strcmp(x->op, y->op);
    if (c)
        return c;
    return (x->group > y->group) - (x->group < y->group);
}

struct moo_meta *moo_meta_parse(const char *text, size_t len, char *err, size_t errlen)
{
    if (!text && len) {
        set_errf(err, errlen, "no data given");
        return NULL;
    }
    if (len > MOO_SIDE_FILE_MAX) {
        set_errf(err, errlen, "metadata too large (limit %u bytes)", MOO_SIDE_FILE_MAX);
        return NULL;
    }
    struct moo_meta *m = calloc(1, sizeof *m);
    if (!m) {
        set_errf(err, errlen, "out of memory");
        return NULL;
    }
    struct jp p = { (const uint8_t *)(text ? text : ""), len, 0, false, "", m };
    if (p.len >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3; /* UTF-8 byte order mark */
    jws(&p);
    if (jpeek(&p) != '{') {
        jfail(&p, "root value must be an object");
        goto fail;
    }
    if (!parse_value(&p, 1, R_ROOT, 0))
        goto fail;
    jws(&p);
    if (p.pos != p.len) {
        jfail(&p, "trailing data after the root value");
        goto fail;
    }
    if (m->n)
        qsort(m->rec, m->n, sizeof *m->rec, rec_cmp);
    for (size_t i = 1; i < m->n; i++) {
        if (rec_cmp(&m->rec[i - 1], &m->rec[i]) == 0) {
            if (m->rec[i].group < 0)
                set_errf(err, errlen, "duplicate opcodes key \"%s\"", m->rec[i].op);
            else
                set_errf(err, errlen, "duplicate reg key \"%d\" in opcodes \"%s\"", m->rec[i].group,
                         m->rec[i].op);
            moo_meta_free(m);
            return NULL;
        }
    }
    return m;
fail:
    set_errf(err, errlen, "%s", p.msg);
    moo_meta_free(m);
    return NULL;
}

struct moo_meta *moo_meta_load(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    bool missing;
    char *text = slurp(path, &len, &missing, err, errlen);
    if (!text)
        return NULL;
    struct moo_meta *m = moo_meta_parse(text, len, err, errlen);
    free(text);
    return m;
}

static const struct mrec *find_rec(const struct moo_meta *m, const char *op, int group)
{
    struct mrec key;
    memset(&key, 0, sizeof key);
    snprintf(key.op, sizeof key.op, "%s", op);
    key.group = (int8_t)group;
    if (!m->n)
        return NULL;
    return bsearch(&key, m->rec, m->n, sizeof *m->rec, rec_cmp);
}

bool moo_meta_flags_mask(const struct moo_meta *m, const char *key, uint16_t *mask)
{
    if (!m || !key || !mask)
        return false;
    char op[9];
    size_t n = 0;
    while (key[n] && key[n] != '.') {
        if (n >= 8 || hexval((unsigned char)key[n]) < 0)
            return false;
        op[n] = upper_ascii(key[n]);
        n++;
    }
    if (n == 0)
        return false;
    op[n] = '\0';
    int group = -1;
    if (key[n] == '.') {
        if (key[n + 1] < '0' || key[n + 1] > '7' || key[n + 2] != '\0')
            return false;
        group = key[n + 1] - '0';
    }
    const struct mrec *r = find_rec(m, op, -1);
    if (!r)
        return false;
    if (group >= 0 && r->has_reg) {
        r = find_rec(m, op, group);
        if (!r)
            return false;
    }
    if (!r->has_mask)
        return false;
    *mask = r->mask;
    return true;
}

void moo_meta_free(struct moo_meta *m)
{
    if (!m)
        return;
    free(m->rec);
    free(m);
}

/* ------------------------------------------------------------------------ */
/* revocation_list.txt */

struct moo_revoked {
    uint8_t (*h)[20];
    size_t n;
};

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

/* Parse exactly 40 hex digits in s[0..len) into out. */
static bool parse_hash(const char *s, size_t len, uint8_t out[20])
{
    if (len != 40)
        return false;
    for (size_t i = 0; i < 20; i++) {
        int a = hexval((unsigned char)s[2 * i]), b = hexval((unsigned char)s[2 * i + 1]);
        if (a < 0 || b < 0)
            return false;
        out[i] = (uint8_t)(a << 4 | b);
    }
    return true;
}

static int hash_cmp(const void *a, const void *b) { return memcmp(a, b, 20); }

struct moo_revoked *moo_revoked_parse(const char *text, size_t len, char *err, size_t errlen)
{
    if (!text && len) {
        set_errf(err, errlen, "no data given");
        return NULL;
    }
    if (len > MOO_SIDE_FILE_MAX) {
        set_errf(err, errlen, "revocation list too large (limit %u bytes)", MOO_SIDE_FILE_MAX);
        return NULL;
    }
    struct moo_revoked *r = calloc(1, sizeof *r);
    if (!r) {
        set_errf(err, errlen, "out of memory");
        return NULL;
    }
    size_t cap = 0, pos = 0, line = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* UTF-8 byte order mark */
    while (pos < len) {
        line++;
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t a = pos, b = end;
        while (a < b && is_space((unsigned char)text[a]))
            a++;
        while (b > a && is_space((unsigned char)text[b - 1]))
            b--;
        pos = end < len ? end + 1 : end;
        if (a == b || text[a] == '#')
            continue;
        uint8_t h[20];
        if (!parse_hash(text + a, b - a, h)) {
            set_errf(err, errlen, "line %zu: not a 40-digit hex hash", line);
            moo_revoked_free(r);
            return NULL;
        }
        if (r->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            void *nh = realloc(r->h, ncap * sizeof *r->h);
            if (!nh) {
                set_errf(err, errlen, "out of memory");
                moo_revoked_free(r);
                return NULL;
            }
            r->h = nh;
            cap = ncap;
        }
        memcpy(r->h[r->n++], h, 20);
    }
    if (r->n) {
        qsort(r->h, r->n, sizeof *r->h, hash_cmp);
        size_t w = 1;
        for (size_t i = 1; i < r->n; i++)
            if (memcmp(r->h[i], r->h[w - 1], 20) != 0)
                memcpy(r->h[w++], r->h[i], 20);
        r->n = w;
    }
    return r;
}

struct moo_revoked *moo_revoked_load(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    bool missing;
    char *text = slurp(path, &len, &missing, err, errlen);
    if (!text) {
        if (missing) {
            struct moo_revoked *r = calloc(1, sizeof *r);
            if (!r)
                set_errf(err, errlen, "out of memory");
            return r;
        }
        return NULL;
    }
    struct moo_revoked *r = moo_revoked_parse(text, len, err, errlen);
    free(text);
    return r;
}

bool moo_revoked_has(const struct moo_revoked *r, const char *hash_hex)
{
    if (!r || !hash_hex || !r->n)
        return false;
    size_t a = 0, b = strlen(hash_hex);
    while (a < b && is_space((unsigned char)hash_hex[a]))
        a++;
    while (b > a && is_space((unsigned char)hash_hex[b - 1]))
        b--;
    uint8_t h[20];
    if (!parse_hash(hash_hex + a, b - a, h))
        return false;
    return bsearch(h, r->h, r->n, sizeof *r->h, hash_cmp) != NULL;
}

size_t moo_revoked_count(const struct moo_revoked *r) { return r ? r->n : 0; }

void moo_revoked_free(struct moo_revoked *r)
{
    if (!r)
        return;
    free(r->h);
    free(r);
}
