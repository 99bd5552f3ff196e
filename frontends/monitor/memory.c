/* Guest memory in the monitor: x/FMT ADDR (linear, through the guest's page tables),
 * xp/FMT ADDR (physical), memsave and pmemsave, and print/FMT EXPR. The output is laid out
 * as QEMU's monitor lays it out, so that scripts reading it work unchanged: an address
 * (8 hex digits linear, 16 physical), a colon, then the values, 16 bytes a line (8 for
 * bytes). Physical reads are what the guest would read, device memory included
 * (machine_read_phys); linear ones translate each page without touching the TLB or the
 * accessed bits and stop at the first page that is not mapped. */
#include <capstone/capstone.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "frontends/monitor/cmd.h"

#define X_BYTES_MAX (1u << 20) /* what one x or xp shows at most */

/* Reads len bytes at addr; returns how many could be read (all, physically). */
static size_t read_mem(struct machine *m, uint64_t addr, uint8_t *buf, size_t len, bool phys)
{
    size_t done = 0;
    while (done < len) {
        uint64_t a = addr + done;
        size_t chunk = 4096 - (size_t)(a & 4095);
        if (chunk > len - done)
            chunk = len - done;
        uint64_t pa = a;
        if (!phys) {
            if (a >> 32 || !machine_debug_translate(m, (uint32_t)a, &pa))
                return done;
        }
        if (pa >> 32) {
            memset(buf + done, 0xFF, chunk); /* nothing answers above 4 GiB */
        } else {
            size_t below = (size_t)((1ull << 32) - pa);
            size_t k = chunk < below ? chunk : below;
            machine_read_phys(m, (uint32_t)pa, buf + done, k);
            memset(buf + done + k, 0xFF, chunk - k);
        }
        done += chunk;
    }
    return done;
}

static void print_addr(struct mon_ctx *c, uint64_t addr, bool phys)
{
    if (phys)
        mon_printf(c, "%016llx:", (unsigned long long)addr);
    else
        mon_printf(c, "%08llx:", (unsigned long long)(addr & 0xFFFFFFFFu));
}

static void print_char(struct mon_ctx *c, unsigned v)
{
    switch (v) {
    case '\'': mon_printf(c, "'\\''"); break;
    case '\\': mon_printf(c, "'\\\\'"); break;
    case '\n': mon_printf(c, "'\\n'"); break;
    case '\r': mon_printf(c, "'\\r'"); break;
    default:
        if (v >= 32 && v <= 126)
            mon_printf(c, "'%c'", (char)v);
        else
            mon_printf(c, "'\\x%02x'", v);
    }
}

/* One value as FMT shows it, padded to the width of the largest of its size. */
static void print_value(struct mon_ctx *c, char format, unsigned size, uint64_t v)
{
    unsigned bits = size * 8;
    switch (format) {
    case 'o':
        mon_printf(c, "%#*llo", (int)((bits + 2) / 3), (unsigned long long)v);
        break;
    case 'u':
        mon_printf(c, "%*llu", (int)((bits * 10 + 32) / 33), (unsigned long long)v);
        break;
    case 'd': {
        int64_t s = bits == 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
        mon_printf(c, "%*lld", (int)((bits * 10 + 32) / 33), (long long)s);
        break;
    }
    case 'c':
        print_char(c, (unsigned)(v & 0xFF));
        break;
    default:
        mon_printf(c, "0x%0*llx", (int)(bits / 4), (unsigned long long)v);
        break;
    }
}

static void dump_values(struct mon_ctx *c, uint64_t addr, uint64_t count, char format,
                        unsigned size, bool phys)
{
    uint64_t total = count * size;
    if (total > X_BYTES_MAX) {
        mon_printf(c, "at most %u bytes at a time\n", X_BYTES_MAX);
        return;
    }
    unsigned line = size == 1 ? 8 : 16;
    for (uint64_t off = 0; off < total; off += line) {
        uint8_t buf[16];
        size_t n = total - off < line ? (size_t)(total - off) : line;
        if (read_mem(c->m, addr + off, buf, n, phys) < n) {
            mon_printf(c, "Cannot access memory\n");
            return;
        }
        print_addr(c, addr + off, phys);
        for (size_t i = 0; i + size <= n; i += size) {
            uint64_t v = 0;
            for (unsigned b = 0; b < size; b++)
                v |= (uint64_t)buf[i + b] << (8 * b);
            mon_printf(c, " ");
            print_value(c, format, size, v);
        }
        mon_printf(c, "\n");
    }
}

/* s: NUL-terminated strings, each shown quoted with C escapes (at most 256 bytes each). */
static void dump_strings(struct mon_ctx *c, uint64_t addr, uint64_t count, bool phys)
{
    for (uint64_t i = 0; i < count && i < 4096; i++) {
        print_addr(c, addr, phys);
        mon_printf(c, " \"");
        unsigned n = 0;
        for (; n < 256; n++) {
            uint8_t b;
            if (read_mem(c->m, addr + n, &b, 1, phys) < 1) {
                mon_printf(c, "\" <cannot access memory>\n");
                return;
            }
            if (!b)
                break;
            if (b == '"' || b == '\\')
                mon_printf(c, "\\%c", b);
            else if (b >= 32 && b <= 126)
                mon_printf(c, "%c", b);
            else
                mon_printf(c, "\\x%02x", b);
        }
        mon_printf(c, "\"\n");
        addr += n + 1;
    }
}

/* i: count instructions disassembled by capstone in AT&T syntax (as QEMU's x86 monitor),
 * 16-bit or 32-bit code as the size says (h, w) or as the CPU runs now. */
static void dump_insns(struct mon_ctx *c, uint64_t addr, uint64_t count, int size, bool phys)
{
    bool bits16;
    if (size == 2 || size == 4) {
        bits16 = size == 2;
    } else {
        struct machine_dbg_regs r;
        machine_debug_get_regs(c->m, &r);
        bits16 = r.mode != 1 || !(r.attr[1] & 0x4000);
    }
    csh h;
    if (cs_open(CS_ARCH_X86, bits16 ? CS_MODE_16 : CS_MODE_32, &h) != CS_ERR_OK) {
        mon_printf(c, "the disassembler (capstone) does not open\n");
        return;
    }
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    cs_insn *insn = cs_malloc(h);
    for (uint64_t i = 0; insn && i < count && i < 4096; i++) {
        uint8_t buf[16];
        size_t n = read_mem(c->m, addr, buf, sizeof buf, phys);
        if (n == 0) {
            mon_printf(c, "Cannot access memory\n");
            break;
        }
        const uint8_t *code = buf;
        uint64_t at = addr;
        print_addr(c, addr, phys);
        if (cs_disasm_iter(h, &code, &n, &at, insn)) {
            mon_printf(c, "  %-8s %s\n", insn->mnemonic, insn->op_str);
            addr += insn->size;
        } else {
            mon_printf(c, "  (bad)    0x%02x\n", buf[0]);
            addr += 1;
        }
    }
    if (insn)
        cs_free(insn, 1);
    cs_close(&h);
}

/* /[count][format][size]: the count first, then format and size letters in any order. */
static bool parse_format(struct mon_ctx *c, const char *fmt, uint64_t *count, char *format,
                         int *size)
{
    *count = 1;
    *format = c->last_format;
    *size = -1;
    if (!fmt)
        return true;
    const char *p = fmt;
    if (*p >= '0' && *p <= '9') {
        uint64_t n = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            n = n > 100000000 ? n : n * 10 + (uint64_t)(*p - '0');
        *count = n;
    }
    for (; *p; p++) {
        switch (*p) {
        case 'x': case 'd': case 'u': case 'o': case 'c': case 'i': case 's':
            *format = *p;
            break;
        case 'b': *size = 1; break;
        case 'h': *size = 2; break;
        case 'w': *size = 4; break;
        case 'g': *size = 8; break;
        default:
            mon_printf(c, "invalid char in format: '%c'\n",
                       isprint((unsigned char)*p) ? *p : '?');
            return false;
        }
    }
    return true;
}

void mon_cmd_x(struct mon_ctx *c, const char *fmt, struct mon_args *a, bool phys)
{
    uint64_t count, addr;
    char format;
    int size;
    if (!parse_format(c, fmt, &count, &format, &size))
        return;
    if (!mon_arg_expr(a, c->m, &addr, "address") || !mon_args_end(a)) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    c->last_format = format;
    if (format == 'i') {
        dump_insns(c, addr, count, size, phys);
        return;
    }
    if (format == 's') {
        dump_strings(c, addr, count, phys);
        return;
    }
    unsigned sz = format == 'c' ? 1 : size > 0 ? (unsigned)size : c->last_size;
    if (format != 'c' && size > 0)
        c->last_size = (unsigned)size;
    dump_values(c, addr, count, format, sz, phys);
}

/* memsave ADDR SIZE FILE, pmemsave ADDR SIZE FILE. */
void mon_cmd_save(struct mon_ctx *c, struct mon_args *a, bool phys)
{
    uint64_t addr, size;
    char path[1024];
    if (!mon_arg_expr(a, c->m, &addr, "address") || !mon_arg_expr(a, c->m, &size, "size") ||
        !mon_arg_word(a, path, sizeof path, "filename") || !mon_args_end(a)) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    if (size > (1ull << 32) || addr + size < addr) {
        mon_printf(c, "Invalid addr 0x%016llx/size %llu specified\n", (unsigned long long)addr,
                   (unsigned long long)size);
        return;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        mon_printf(c, "could not open '%s': %s\n", path, strerror(errno));
        return;
    }
    uint8_t buf[4096];
    bool ok = true;
    for (uint64_t off = 0; off < size && ok; off += sizeof buf) {
        size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
        if (read_mem(c->m, addr + off, buf, n, phys) < n) {
            mon_printf(c, "Invalid addr 0x%016llx/size %llu specified\n",
                       (unsigned long long)addr, (unsigned long long)size);
            ok = false;
        } else if (fwrite(buf, 1, n, f) != n) {
            mon_printf(c, "could not write '%s': %s\n", path, strerror(errno));
            ok = false;
        }
    }
    if (fclose(f) != 0 && ok) {
        mon_printf(c, "could not write '%s': %s\n", path, strerror(errno));
        ok = false;
    }
    if (!ok)
        remove(path);
}

/* print/FMT EXPR (p): the value in hex by default, or as /x /d /u /o /c. */
void mon_cmd_print(struct mon_ctx *c, const char *fmt, struct mon_args *a)
{
    char format = 'x';
    if (fmt) {
        for (const char *p = fmt; *p; p++) {
            if (strchr("xduoc", *p)) {
                format = *p;
            } else if (!strchr("bhwg0123456789", *p)) {
                mon_printf(c, "invalid char in format: '%c'\n",
                           isprint((unsigned char)*p) ? *p : '?');
                return;
            }
        }
    }
    uint64_t v;
    if (!mon_arg_expr(a, c->m, &v, "expression") || !mon_args_end(a)) {
        mon_printf(c, "%s\n", a->err);
        return;
    }
    switch (format) {
    case 'd': mon_printf(c, "%lld\n", (long long)v); break;
    case 'u': mon_printf(c, "%llu\n", (unsigned long long)v); break;
    case 'o': mon_printf(c, "%#llo\n", (unsigned long long)v); break;
    case 'c': print_char(c, (unsigned)(v & 0xFF)); mon_printf(c, "\n"); break;
    default: mon_printf(c, "%#llx\n", (unsigned long long)v); break;
    }
}
