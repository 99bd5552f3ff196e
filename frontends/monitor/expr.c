/* The monitor's arguments: words, quoted strings and expressions as QEMU's monitor reads
 * them. An expression may contain spaces around its operators ("0x1000 + 4"); it ends at
 * the first thing that cannot continue it, so "pmemsave 0 100 f" reads 0, then 100.
 * A '/' between a space and a word starts the next argument (a path), not a division.
 * Precedence, lowest first: & | ^, then + -, then * / %, then unary - + ~. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "frontends/monitor/cmd.h"

struct expr {
    const char *p;
    struct machine *m;
    char *err;      /* 160 bytes; "" while all is well */
    unsigned depth; /* parentheses, bounded so that hostile input cannot exhaust the stack */
};

static void fail(struct expr *e, const char *msg)
{
    if (!e->err[0])
        snprintf(e->err, 160, "%s", msg);
}

static void skip(struct expr *e)
{
    while (*e->p == ' ' || *e->p == '\t')
        e->p++;
}

/* The registers by name: 32-bit, 16-bit and 8-bit halves, EIP/EFLAGS, selectors, control
 * registers, and $pc (CS base + EIP, the linear address of the next instruction). */
static bool reg_value(struct machine *m, const char *name, uint64_t *v)
{
    static const char *const r32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
    static const char *const r16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
    static const char *const r8[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
    static const char *const seg[6] = { "es", "cs", "ss", "ds", "fs", "gs" };
    struct machine_dbg_regs r;
    machine_debug_get_regs(m, &r);
    for (int i = 0; i < 8; i++) {
        if (strcmp(name, r32[i]) == 0) { *v = r.gpr[i]; return true; }
        if (strcmp(name, r16[i]) == 0) { *v = r.gpr[i] & 0xFFFF; return true; }
        if (strcmp(name, r8[i]) == 0) {
            *v = (r.gpr[i & 3] >> (i < 4 ? 0 : 8)) & 0xFF;
            return true;
        }
    }
    for (int s = 0; s < 6; s++)
        if (strcmp(name, seg[s]) == 0) { *v = r.sel[s]; return true; }
    const struct { const char *n; uint32_t v; } other[] = {
        { "eip", r.eip }, { "ip", r.eip & 0xFFFF }, { "eflags", r.eflags },
        { "pc", r.base[1] + r.eip }, { "cr0", r.cr0 }, { "cr2", r.cr2 }, { "cr3", r.cr3 },
        { "cr4", r.cr4 },
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (strcmp(name, other[i].n) == 0) { *v = other[i].v; return true; }
    return false;
}

static uint64_t logic(struct expr *e);

static uint64_t unary(struct expr *e)
{
    skip(e);
    char c = *e->p;
    if (c == '-' || c == '+' || c == '~') {
        e->p++;
        if (++e->depth > 64) {
            fail(e, "expression too deeply nested");
            return 0;
        }
        uint64_t v = unary(e);
        e->depth--;
        return c == '-' ? (uint64_t)0 - v : c == '~' ? ~v : v;
    }
    if (c == '(') {
        e->p++;
        if (++e->depth > 64) {
            fail(e, "expression too deeply nested");
            return 0;
        }
        uint64_t v = logic(e);
        e->depth--;
        skip(e);
        if (*e->p != ')') {
            fail(e, "')' expected");
            return 0;
        }
        e->p++;
        return v;
    }
    if (c == '\'') {
        if (!e->p[1] || e->p[2] != '\'') {
            fail(e, "invalid char constant");
            return 0;
        }
        uint64_t v = (uint8_t)e->p[1];
        e->p += 3;
        return v;
    }
    if (c == '$') {
        char name[16];
        size_t n = 0;
        e->p++;
        while (isalnum((unsigned char)*e->p) || *e->p == '_') {
            if (n + 1 < sizeof name)
                name[n] = (char)tolower((unsigned char)*e->p);
            n++;
            e->p++;
        }
        name[n < sizeof name ? n : sizeof name - 1] = '\0';
        uint64_t v;
        if (n >= sizeof name || !reg_value(e->m, name, &v)) {
            fail(e, "unknown register");
            return 0;
        }
        return v;
    }
    if (c >= '0' && c <= '9') {
        /* C's syntax: 0x hex, a leading 0 octal, else decimal; wrapping past 64 bits. */
        unsigned base = 10;
        if (c == '0' && (e->p[1] == 'x' || e->p[1] == 'X') && isxdigit((unsigned char)e->p[2])) {
            base = 16;
            e->p += 2;
        } else if (c == '0') {
            base = 8;
        }
        uint64_t v = 0;
        for (;;) {
            int d = *e->p;
            unsigned digit;
            if (d >= '0' && d <= '9') digit = (unsigned)(d - '0');
            else if (d >= 'a' && d <= 'f') digit = (unsigned)(d - 'a' + 10);
            else if (d >= 'A' && d <= 'F') digit = (unsigned)(d - 'A' + 10);
            else break;
            if (digit >= base) {
                fail(e, "invalid number");
                return 0;
            }
            v = v * base + digit;
            e->p++;
        }
        return v;
    }
    if (c == '\0')
        fail(e, "unexpected end of expression");
    else {
        char msg[40];
        snprintf(msg, sizeof msg, "invalid char '%c' in expression",
                 isprint((unsigned char)c) ? c : '?');
        fail(e, msg);
    }
    return 0;
}

static uint64_t product(struct expr *e)
{
    uint64_t v = unary(e);
    for (;;) {
        const char *before = e->p;
        skip(e);
        char op = *e->p;
        if (e->err[0] || (op != '*' && op != '/' && op != '%'))
            return v;
        /* "pmemsave 0 16 /tmp/f": a '/' after a space and before a word is a path that
         * follows the expression, not a division ("16 / 2" and "16/2" divide). */
        if (op == '/' && e->p != before && e->p[1] != ' ' && e->p[1] != '\t') {
            e->p = before;
            return v;
        }
        e->p++;
        uint64_t w = unary(e);
        if (op == '*') {
            v *= w;
        } else if (w == 0) {
            fail(e, "division by zero");
            return 0;
        } else {
            v = op == '/' ? v / w : v % w;
        }
    }
}

static uint64_t sum(struct expr *e)
{
    uint64_t v = product(e);
    for (;;) {
        skip(e);
        char op = *e->p;
        if (e->err[0] || (op != '+' && op != '-'))
            return v;
        e->p++;
        uint64_t w = product(e);
        v = op == '+' ? v + w : v - w;
    }
}

static uint64_t logic(struct expr *e)
{
    uint64_t v = sum(e);
    for (;;) {
        skip(e);
        char op = *e->p;
        if (e->err[0] || (op != '&' && op != '|' && op != '^'))
            return v;
        e->p++;
        uint64_t w = sum(e);
        v = op == '&' ? v & w : op == '|' ? v | w : v ^ w;
    }
}

void mon_skip_space(struct mon_args *a)
{
    while (*a->p == ' ' || *a->p == '\t')
        a->p++;
}

bool mon_arg_expr(struct mon_args *a, struct machine *m, uint64_t *v, const char *what)
{
    if (a->err[0])
        return false;
    mon_skip_space(a);
    if (!*a->p) {
        snprintf(a->err, sizeof a->err, "%s expected", what);
        return false;
    }
    struct expr e = { .p = a->p, .m = m, .err = a->err };
    *v = logic(&e);
    a->p = e.p;
    return !a->err[0];
}

bool mon_arg_word(struct mon_args *a, char *buf, size_t len, const char *what)
{
    if (a->err[0])
        return false;
    mon_skip_space(a);
    size_t n = 0;
    bool quoted = *a->p == '"';
    if (quoted)
        a->p++;
    while (*a->p && (quoted ? *a->p != '"' : (*a->p != ' ' && *a->p != '\t'))) {
        if (n + 1 >= len) {
            snprintf(a->err, sizeof a->err, "%s too long", what);
            return false;
        }
        buf[n++] = *a->p++;
    }
    if (quoted) {
        if (*a->p != '"') {
            snprintf(a->err, sizeof a->err, "unterminated string");
            return false;
        }
        a->p++;
    }
    buf[n] = '\0';
    if (!n && !quoted) {
        snprintf(a->err, sizeof a->err, "%s expected", what);
        return false;
    }
    return true;
}

bool mon_args_end(struct mon_args *a)
{
    if (a->err[0])
        return false;
    mon_skip_space(a);
    if (*a->p) {
        snprintf(a->err, sizeof a->err, "extraneous characters at the end of line");
        return false;
    }
    return true;
}

bool mon_eval(struct machine *m, const char *s, uint64_t *v, char *err)
{
    struct mon_args a = { .p = s };
    bool ok = mon_arg_expr(&a, m, v, "expression") && mon_args_end(&a);
    snprintf(err, 160, "%s", a.err);
    return ok;
}
