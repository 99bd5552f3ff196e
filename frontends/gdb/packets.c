/* The packets GDB sends and their answers (GDB manual, "Packets", "General Query
 * Packets", "Stop Reply Packets"): registers (g G p P), memory (m M X; linear addresses,
 * or physical ones after Qqemu.PhyMemMode:1), run control (c s C S vCont D k vKill),
 * breakpoints and watchpoints (Z0-Z4, z0-z4), and the queries GDB makes on connecting. An
 * unknown packet gets the empty reply, which tells GDB it is not supported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/gdb/stub.h"
#include "frontends/gdb/target.h"

static void error_reply(struct gdbstub *g, int code)
{
    char e[4];
    snprintf(e, sizeof e, "E%02x", code & 0xFF);
    stub_send_str(g, e);
}
enum { EINVAL_ = 0x16, EFAULT_ = 0x0e, ENOSPC_ = 0x1c, EPERM_ = 0x01 };

/* ---- registers ---- */

static void read_registers(struct gdbstub *g)
{
    struct machine_dbg_regs r;
    machine_debug_get_regs(g->m, &r);
    char out[2 * 16 * 64 + 1];
    size_t n = 0;
    for (unsigned i = 0; i < gdb_reg_count(); i++) {
        uint8_t b[10];
        gdb_reg_get(&r, i, b);
        rsp_to_hex(b, gdb_reg_size(i), out + n);
        n += 2 * gdb_reg_size(i);
    }
    stub_send(g, out, n);
}

static void write_registers(struct gdbstub *g, const char *hex)
{
    struct machine_dbg_regs r;
    machine_debug_get_regs(g->m, &r);
    for (unsigned i = 0; i < gdb_reg_count() && *hex; i++) {
        uint8_t b[10];
        unsigned size = gdb_reg_size(i);
        if (strnlen(hex, 2 * size) < 2 * size || !rsp_from_hex(hex, b, size)) {
            error_reply(g, EINVAL_);
            return;
        }
        gdb_reg_put(&r, i, b);
        hex += 2 * size;
    }
    if (machine_debug_set_regs(g->m, &r))
        stub_send_str(g, "OK");
    else
        error_reply(g, EPERM_);
}

static void read_register(struct gdbstub *g, const char *s)
{
    uint64_t n;
    if (!rsp_number(&s, &n) || n >= gdb_reg_count()) {
        error_reply(g, EINVAL_);
        return;
    }
    struct machine_dbg_regs r;
    machine_debug_get_regs(g->m, &r);
    uint8_t b[10];
    char out[21];
    gdb_reg_get(&r, (unsigned)n, b);
    rsp_to_hex(b, gdb_reg_size((unsigned)n), out);
    stub_send_str(g, out);
}

static void write_register(struct gdbstub *g, const char *s)
{
    uint64_t n;
    uint8_t b[10];
    if (!rsp_number(&s, &n) || n >= gdb_reg_count() || *s++ != '=' ||
        strlen(s) != 2 * gdb_reg_size((unsigned)n) ||
        !rsp_from_hex(s, b, gdb_reg_size((unsigned)n))) {
        error_reply(g, EINVAL_);
        return;
    }
    struct machine_dbg_regs r;
    machine_debug_get_regs(g->m, &r);
    gdb_reg_put(&r, (unsigned)n, b);
    if (machine_debug_set_regs(g->m, &r))
        stub_send_str(g, "OK");
    else
        error_reply(g, EPERM_);
}

/* ---- memory ---- */

/* "ADDR,LEN" then sep; false when malformed. */
static bool addr_len(const char **s, uint64_t *addr, uint64_t *len, char sep)
{
    return rsp_number(s, addr) && *(*s)++ == ',' && rsp_number(s, len) &&
           (sep == '\0' ? **s == '\0' : *(*s)++ == sep);
}

static void read_memory(struct gdbstub *g, const char *s)
{
    uint64_t addr, len;
    if (!addr_len(&s, &addr, &len, '\0')) {
        error_reply(g, EINVAL_);
        return;
    }
    if (len > (RSP_PACKET_MAX - 4) / 2)
        len = (RSP_PACKET_MAX - 4) / 2;
    uint8_t buf[RSP_PACKET_MAX / 2];
    size_t got = machine_debug_read(g->m, addr, buf, (size_t)len, g->phys);
    if (got == 0 && len) {
        error_reply(g, EFAULT_);
        return;
    }
    char out[RSP_PACKET_MAX + 1];
    rsp_to_hex(buf, got, out);
    stub_send(g, out, 2 * got);
}

static void write_memory(struct gdbstub *g, const char *s, size_t plen, bool binary)
{
    const char *start = s;
    uint64_t addr, len;
    if (!addr_len(&s, &addr, &len, ':') || len > RSP_PACKET_MAX) {
        error_reply(g, EINVAL_);
        return;
    }
    uint8_t buf[RSP_PACKET_MAX];
    size_t avail = plen - (size_t)(s - start);
    if (binary) {
        if (avail != len) {
            error_reply(g, EINVAL_);
            return;
        }
        memcpy(buf, s, (size_t)len);
    } else if (avail != 2 * len || !rsp_from_hex(s, buf, (size_t)len)) {
        error_reply(g, EINVAL_);
        return;
    }
    if (machine_debug_write(g->m, addr, buf, (size_t)len, g->phys) == len)
        stub_send_str(g, "OK");
    else
        error_reply(g, EFAULT_);
}

/* ---- breakpoints and watchpoints ---- */

static void point(struct gdbstub *g, const char *s, bool insert)
{
    uint64_t type, addr, kind;
    if (!rsp_number(&s, &type) || *s++ != ',' || !rsp_number(&s, &addr) || *s++ != ',' ||
        !rsp_number(&s, &kind) || (*s && *s != ';') || addr >> 32 || kind == 0 ||
        kind >> 32) {
        error_reply(g, EINVAL_);
        return;
    }
    if (type > Z_ACCESS) {
        stub_send_str(g, ""); /* not supported */
        return;
    }
    uint32_t a = (uint32_t)addr, len = type <= Z_HW ? 1 : (uint32_t)kind;
    unsigned i;
    for (i = 0; i < g->npoints; i++)
        if (g->points[i].addr == a && g->points[i].len == len && g->points[i].type == type)
            break;
    bool ok;
    enum machine_watch w = type == Z_WRITE ? MACHINE_WATCH_WRITE
                           : type == Z_READ ? MACHINE_WATCH_READ : MACHINE_WATCH_ACCESS;
    if (insert) {
        if (i < g->npoints) { /* inserted already: GDB may insert again */
            stub_send_str(g, "OK");
            return;
        }
        ok = g->npoints < STUB_POINTS_MAX &&
             (type <= Z_HW ? machine_debug_break(g->m, a, true)
                           : machine_debug_watch(g->m, a, len, w, true));
        if (ok)
            g->points[g->npoints++] = (struct stub_point){ a, len, (uint8_t)type };
    } else {
        ok = i < g->npoints;
        if (ok) {
            if (type <= Z_HW)
                machine_debug_break(g->m, a, false);
            else
                machine_debug_watch(g->m, a, len, w, false);
            g->points[i] = g->points[--g->npoints];
        }
    }
    if (ok)
        stub_send_str(g, "OK");
    else
        error_reply(g, insert ? ENOSPC_ : EINVAL_);
}

/* ---- run control ---- */

/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: the signal is ignored (there is no
 * process to give it to); an address is where to go on from. */
static void resume(struct gdbstub *g, const char *s, bool step, bool with_signal)
{
    uint64_t v;
    if (with_signal) {
        if (!rsp_number(&s, &v)) {
            error_reply(g, EINVAL_);
            return;
        }
        if (*s == ';')
            s++;
    }
    if (*s) {
        if (!rsp_number(&s, &v) || v >> 32) {
            error_reply(g, EINVAL_);
            return;
        }
        struct machine_dbg_regs r;
        machine_debug_get_regs(g->m, &r);
        r.eip = (uint32_t)v;
        machine_debug_set_regs(g->m, &r);
    }
    stub_resume(g, step);
}

/* vCont;ACTION[:THREAD]...: there is one thread, so the first action that names it or
 * names none decides. */
static void vcont(struct gdbstub *g, const char *s)
{
    if (*s != ';') {
        stub_send_str(g, "");
        return;
    }
    char a = s[1];
    if (a == 'c' || a == 'C')
        stub_resume(g, false);
    else if (a == 's' || a == 'S')
        stub_resume(g, true);
    else if (a == 't') /* stop: it is stopped */
        stub_send_str(g, "OK");
    else
        error_reply(g, EINVAL_);
}

/* D: the guest goes on, with no breakpoint left; GDB closes the connection next, so the
 * stub closes it at once and nothing more is reported to a GDB that left. */
static void detach(struct gdbstub *g)
{
    stub_send_str(g, "OK");
    stub_drop(g);
}

/* ---- queries ---- */

static void features(struct gdbstub *g, const char *s)
{
    const char *annex = "target.xml:";
    if (strncmp(s, annex, strlen(annex)) != 0) {
        error_reply(g, 0);
        return;
    }
    s += strlen(annex);
    uint64_t off, len;
    if (!addr_len(&s, &off, &len, '\0')) {
        error_reply(g, EINVAL_);
        return;
    }
    size_t total;
    const char *xml = gdb_target_xml(&total);
    if (len > RSP_PACKET_MAX / 2)
        len = RSP_PACKET_MAX / 2; /* room for escapes */
    size_t start = off < total ? (size_t)off : total;
    size_t n = total - start < len ? total - start : (size_t)len;
    char out[RSP_PACKET_MAX / 2 + 1];
    out[0] = start + n < total ? 'm' : 'l';
    memcpy(out + 1, xml + start, n);
    stub_send(g, out, n + 1);
}

static void supported(struct gdbstub *g, const char *s)
{
    g->swbreak = strstr(s, "swbreak+") != NULL;
    g->hwbreak = strstr(s, "hwbreak+") != NULL;
    char out[160];
    snprintf(out, sizeof out, "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
             "QStartNoAckMode+;vContSupported+%s", RSP_PACKET_MAX,
             stub_replaying(g) ? ";ReverseStep+;ReverseContinue+" : "");
    stub_send_str(g, out);
}

static void rcmd(struct gdbstub *g, const char *hex)
{
    size_t n = strlen(hex) / 2;
    char *cmd = malloc(n + 1);
    if (!cmd || strlen(hex) % 2 || !rsp_from_hex(hex, (uint8_t *)cmd, n)) {
        free(cmd);
        error_reply(g, EINVAL_);
        return;
    }
    cmd[n] = '\0';
    stub_monitor(g, cmd);
    free(cmd);
}

static void query(struct gdbstub *g, const char *p)
{
    if (strncmp(p, "qSupported", 10) == 0)
        supported(g, p + 10);
    else if (strncmp(p, "qXfer:features:read:", 20) == 0)
        features(g, p + 20);
    else if (strcmp(p, "qAttached") == 0 || strncmp(p, "qAttached:", 10) == 0)
        stub_send_str(g, "1"); /* attached to a running machine: detach, not kill, on quit */
    else if (strcmp(p, "qC") == 0)
        stub_send_str(g, "QC01");
    else if (strcmp(p, "qfThreadInfo") == 0)
        stub_send_str(g, "m01");
    else if (strcmp(p, "qsThreadInfo") == 0)
        stub_send_str(g, "l");
    else if (strncmp(p, "qRcmd,", 6) == 0)
        rcmd(g, p + 6);
    else if (strcmp(p, "qqemu.PhyMemMode") == 0)
        stub_send_str(g, g->phys ? "1" : "0");
    else if (strncmp(p, "qSymbol:", 8) == 0)
        stub_send_str(g, "OK");
    else
        stub_send_str(g, "");
}

static void set(struct gdbstub *g, const char *p)
{
    if (strcmp(p, "QStartNoAckMode") == 0) {
        stub_send_str(g, "OK"); /* acknowledged the old way, then no more acks */
        g->no_ack = true;
    } else if (strcmp(p, "Qqemu.PhyMemMode:1") == 0 || strcmp(p, "Qqemu.PhyMemMode:0") == 0) {
        g->phys = p[strlen(p) - 1] == '1';
        stub_send_str(g, "OK");
    } else {
        stub_send_str(g, "");
    }
}

static void verbose(struct gdbstub *g, const char *p)
{
    if (strcmp(p, "vCont?") == 0)
        stub_send_str(g, "vCont;c;C;s;S");
    else if (strncmp(p, "vCont", 5) == 0)
        vcont(g, p + 5);
    else if (strncmp(p, "vKill", 5) == 0) {
        stub_send_str(g, "OK");
        g->killed = true;
    } else
        stub_send_str(g, ""); /* vMustReplyEmpty and everything else */
}

void stub_packet(struct gdbstub *g, char *p, size_t len)
{
    switch (p[0]) {
    case '?': stub_send_str(g, g->last_stop); break;
    case 'g': read_registers(g); break;
    case 'G': write_registers(g, p + 1); break;
    case 'p': read_register(g, p + 1); break;
    case 'P': write_register(g, p + 1); break;
    case 'm': read_memory(g, p + 1); break;
    case 'M': write_memory(g, p + 1, len - 1, false); break;
    case 'X': write_memory(g, p + 1, len - 1, true); break;
    case 'c': resume(g, p + 1, false, false); break;
    case 's': resume(g, p + 1, true, false); break;
    case 'C': resume(g, p + 1, false, true); break;
    case 'S': resume(g, p + 1, true, true); break;
    case 'Z': point(g, p + 1, true); break;
    case 'z': point(g, p + 1, false); break;
    case 'D': detach(g); break;
    case 'b': /* bs, bc: reverse-stepi, reverse-continue (reverse.c) */
        if (len == 2 && (p[1] == 's' || p[1] == 'c'))
            stub_reverse(g, p[1] == 's');
        else
            stub_send_str(g, "");
        break;
    case 'k': g->killed = true; break;
    case 'H': case 'T': stub_send_str(g, "OK"); break; /* one thread, always alive */
    case 'q': query(g, p); break;
    case 'Q': set(g, p); break;
    case 'v': verbose(g, p); break;
    default: stub_send_str(g, ""); break;
    }
}
