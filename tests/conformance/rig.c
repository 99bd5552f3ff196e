#include "tests/conformance/rig.h"

#include <stdlib.h>
#include <string.h>

#define RIG_RAM (16u << 20)
#define RIG_MAX_STEPS 100000

static const char *const r16_names[MOO_R16_COUNT] = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags",
};
static const char *const r32_names[MOO_R32_COUNT] = {
    "cr0", "cr3", "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp",
    "cs", "ds", "es", "fs", "gs", "ss", "eip", "eflags", "dr6", "dr7",
};

static uint32_t rig_io_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static void rig_io_observe(void *opaque, int is_write, uint16_t port, unsigned size,
                           uint32_t value)
{
    struct rig *r = opaque;
    if (!is_write)
        return;
    if (r->nio_writes == RIG_MAX_IO) {
        r->io_overflow = true;
        return;
    }
    r->io_writes[r->nio_writes++] = (struct rig_io){ port, (uint8_t)size, value };
}

int rig_init(struct rig *r, enum cpu_model model)
{
    memset(r, 0, sizeof(*r));
    r->model = model;
    if (physmem_init(&r->mem) || iobus_init(&r->io))
        return -1;
    r->ram = physmem_add_ram(&r->mem, 0, RIG_RAM);
    if (!r->ram || physmem_track_dirty(&r->mem, true))
        return -1;
    (void)rig_io_read;
    r->io.observe = rig_io_observe;
    r->io.observe_opaque = r;
    cpu_init(&r->cpu, model, &r->mem, &r->io);
    return 0;
}

void rig_free(struct rig *r)
{
    cpu_free(&r->cpu);
    physmem_free(&r->mem);
    iobus_free(&r->io);
}

/* Zeroes every page the previous test touched. */
static void clear_touched(struct rig *r)
{
    for (uint32_t p = 0; p < RIG_RAM / PHYS_PAGE_SIZE; p++)
        if (physmem_page_dirty(&r->mem, p))
            memset(r->ram + (size_t)p * PHYS_PAGE_SIZE, 0, PHYS_PAGE_SIZE);
    physmem_clear_dirty(&r->mem);
}

static void load_regs16(struct cpu *c, const struct moo_regs *g, enum cpu_model model)
{
    static const int gpr[] = { [MOO_AX] = R_EAX, [MOO_BX] = R_EBX, [MOO_CX] = R_ECX,
                               [MOO_DX] = R_EDX, [MOO_SP] = R_ESP, [MOO_BP] = R_EBP,
                               [MOO_SI] = R_ESI, [MOO_DI] = R_EDI };
    static const int seg[] = { [MOO_CS] = S_CS, [MOO_SS] = S_SS, [MOO_DS] = S_DS, [MOO_ES] = S_ES };
    for (int i = MOO_AX; i <= MOO_DX; i++)
        c->r[gpr[i]] = g->v[i] & 0xFFFF;
    for (int i = MOO_SP; i <= MOO_DI; i++)
        c->r[gpr[i]] = g->v[i] & 0xFFFF;
    for (int i = MOO_CS; i <= MOO_ES; i++)
        cpu_load_seg_real(c, seg[i], (uint16_t)g->v[i]);
    c->eip = g->v[MOO_IP] & 0xFFFF;
    uint32_t fl = g->v[MOO_FLAGS] & 0xFFFF;
    if (model == CPU_286)
        fl &= 0x0FFF; /* MOO-FORMAT.md §7: a real-mode 286 cannot hold IOPL/NT */
    cpu_set_eflags(c, fl);
}

static void load_regs32(struct cpu *c, const struct moo_regs *g)
{
    static const int gpr[] = { [MOO_EAX] = R_EAX, [MOO_EBX] = R_EBX, [MOO_ECX] = R_ECX,
                               [MOO_EDX] = R_EDX, [MOO_ESI] = R_ESI, [MOO_EDI] = R_EDI,
                               [MOO_EBP] = R_EBP, [MOO_ESP] = R_ESP };
    static const int seg[] = { [MOO_CS32] = S_CS, [MOO_DS32] = S_DS, [MOO_ES32] = S_ES,
                               [MOO_FS32] = S_FS, [MOO_GS32] = S_GS, [MOO_SS32] = S_SS };
    for (int i = MOO_EAX; i <= MOO_ESP; i++)
        c->r[gpr[i]] = g->v[i];
    for (int i = MOO_CS32; i <= MOO_SS32; i++)
        cpu_load_seg_real(c, seg[i], (uint16_t)g->v[i]);
    c->eip = g->v[MOO_EIP];
    cpu_set_eflags(c, g->v[MOO_EFLAGS] & 0x3FFFF); /* §5.2: bits 18-31 are state-save noise */
}

static uint32_t read_reg16(struct cpu *c, int i)
{
    switch (i) {
    case MOO_AX: return c->r[R_EAX] & 0xFFFF;
    case MOO_BX: return c->r[R_EBX] & 0xFFFF;
    case MOO_CX: return c->r[R_ECX] & 0xFFFF;
    case MOO_DX: return c->r[R_EDX] & 0xFFFF;
    case MOO_CS: return c->seg[S_CS].sel;
    case MOO_SS: return c->seg[S_SS].sel;
    case MOO_DS: return c->seg[S_DS].sel;
    case MOO_ES: return c->seg[S_ES].sel;
    case MOO_SP: return c->r[R_ESP] & 0xFFFF;
    case MOO_BP: return c->r[R_EBP] & 0xFFFF;
    case MOO_SI: return c->r[R_ESI] & 0xFFFF;
    case MOO_DI: return c->r[R_EDI] & 0xFFFF;
    case MOO_IP: return c->eip & 0xFFFF;
    default: return cpu_get_eflags(c) & 0xFFFF;
    }
}

static uint32_t read_reg32(struct cpu *c, int i)
{
    switch (i) {
    case MOO_CR0: return c->cr[0];
    case MOO_CR3: return c->cr[3];
    case MOO_EAX: return c->r[R_EAX];
    case MOO_EBX: return c->r[R_EBX];
    case MOO_ECX: return c->r[R_ECX];
    case MOO_EDX: return c->r[R_EDX];
    case MOO_ESI: return c->r[R_ESI];
    case MOO_EDI: return c->r[R_EDI];
    case MOO_EBP: return c->r[R_EBP];
    case MOO_ESP: return c->r[R_ESP];
    case MOO_CS32: return c->seg[S_CS].sel;
    case MOO_DS32: return c->seg[S_DS].sel;
    case MOO_ES32: return c->seg[S_ES].sel;
    case MOO_FS32: return c->seg[S_FS].sel;
    case MOO_GS32: return c->seg[S_GS].sel;
    case MOO_SS32: return c->seg[S_SS].sel;
    case MOO_EIP: return c->eip;
    case MOO_EFLAGS: return cpu_get_eflags(c);
    case MOO_DR6: return c->dr[6];
    default: return c->dr[7];
    }
}

/* The mask of register i: per-test chunk, else file chunk, else (FLAGS only) metadata. */
static uint32_t reg_mask(const struct moo_test *t, const struct moo_regs *file_mask, int i,
                         int flags_index, uint32_t flags_mask)
{
    if (t->fina.mask.present >> i & 1)
        return t->fina.mask.v[i];
    if (file_mask && (file_mask->present >> i & 1))
        return file_mask->v[i];
    return i == flags_index ? flags_mask : 0xFFFFFFFFu;
}

static unsigned compare_regs(struct rig *r, const struct moo_test *t, bool regs32,
                             const struct moo_regs *file_mask, uint32_t flags_mask, FILE *rep)
{
    unsigned diffs = 0;
    const int n = regs32 ? MOO_R32_COUNT : MOO_R16_COUNT;
    const int flags_index = regs32 ? MOO_EFLAGS : MOO_FLAGS;
    for (int i = 0; i < n; i++) {
        bool listed = t->fina.regs.present >> i & 1;
        /* 386 state-save noise (§5.2): control and debug registers are compared only when
         * the test says they changed, and only their defined bits. */
        uint32_t m = reg_mask(t, file_mask, i, flags_index, flags_mask);
        if (regs32) {
            if ((i == MOO_CR0 || i == MOO_CR3 || i == MOO_DR6 || i == MOO_DR7) && !listed)
                continue;
            if (i == MOO_CR0)
                m &= 0x8000000Fu;
            if (i == MOO_EFLAGS)
                m &= 0x3FFFF;
        }
        uint32_t want = listed ? t->fina.regs.v[i] : t->init.regs.v[i];
        if (!regs32 && i == MOO_FLAGS && r->model == CPU_286)
            want &= 0x0FFF;
        uint32_t got = regs32 ? read_reg32(&r->cpu, i) : read_reg16(&r->cpu, i);
        if ((got & m) != (want & m)) {
            diffs++;
            if (rep)
                fprintf(rep, "      %-6s expected %0*X got %0*X (mask %0*X)\n",
                        regs32 ? r32_names[i] : r16_names[i], regs32 ? 8 : 4, want,
                        regs32 ? 8 : 4, got, regs32 ? 8 : 4, m);
        }
    }
    return diffs;
}

/* Where the exception's FLAGS image is. EXCP gives the address of the bus word: with an
 * odd SP it is one below the image (286-real/F6.6.MOO.gz #21: SP = 0x18A7). The image is
 * at the handler's SS:SP + 4, so that decides when it falls in the same word. */
static uint32_t excp_flags_at(const struct moo_test *t, bool regs32)
{
    int iss = regs32 ? MOO_SS32 : MOO_SS, isp = regs32 ? MOO_ESP : MOO_SP;
    const struct moo_regs *fin = &t->fina.regs, *ini = &t->init.regs;
    uint32_t ss = (fin->present >> iss & 1) ? fin->v[iss] : ini->v[iss];
    uint32_t sp = (fin->present >> isp & 1) ? fin->v[isp] : ini->v[isp];
    uint32_t at = ((ss & 0xFFFF) << 4) + ((sp + 4) & 0xFFFF);
    return (at & ~1u) == (t->excp_flags_addr & ~1u) ? at : t->excp_flags_addr;
}

/* Every byte of every page written must equal FINA's value, else INIT's, else zero. */
static unsigned compare_mem(struct rig *r, const struct moo_test *t, bool regs32,
                            uint32_t flags_mask, FILE *rep)
{
    static uint8_t want[PHYS_PAGE_SIZE], care[PHYS_PAGE_SIZE];
    unsigned diffs = 0;
    for (uint32_t p = 0; p < RIG_RAM / PHYS_PAGE_SIZE; p++) {
        if (!physmem_page_dirty(&r->mem, p))
            continue;
        uint32_t base = p * PHYS_PAGE_SIZE;
        memset(want, 0, sizeof(want));
        memset(care, 0xFF, sizeof(care));
        for (uint32_t i = 0; i < t->init.nram; i++)
            if (t->init.ram[i].addr - base < PHYS_PAGE_SIZE)
                want[t->init.ram[i].addr - base] = t->init.ram[i].val;
        for (uint32_t i = 0; i < t->fina.nram; i++)
            if (t->fina.ram[i].addr - base < PHYS_PAGE_SIZE)
                want[t->fina.ram[i].addr - base] = t->fina.ram[i].val;
        if (t->has_excp) { /* §7: the pushed FLAGS image has undefined bits too */
            uint32_t at = excp_flags_at(t, regs32);
            for (unsigned k = 0; k < 2; k++)
                if (at + k - base < PHYS_PAGE_SIZE)
                    care[at + k - base] = (uint8_t)(flags_mask >> (8 * k));
        }
        const uint8_t *got = r->ram + base;
        for (uint32_t i = 0; i < PHYS_PAGE_SIZE; i++) {
            if ((got[i] & care[i]) != (want[i] & care[i])) {
                diffs++;
                if (rep && diffs <= 16)
                    fprintf(rep, "      [%06X] expected %02X got %02X\n", base + i, want[i], got[i]);
            }
        }
    }
    return diffs;
}

/* I/O writes as the 16-bit data bus of the 286 and 386EX saw them: a byte on the lane
 * of its port's parity, a word at an even port in one cycle, others split (§8). */
static unsigned compare_io(struct rig *r, const struct moo_test *t, bool regs32, FILE *rep)
{
    const uint8_t iow = regs32 ? 3 : 10;
    uint16_t bus[RIG_MAX_IO * 4], ports[RIG_MAX_IO * 4];
    uint8_t lanes[RIG_MAX_IO * 4];
    unsigned n = 0, diffs = 0;
    for (unsigned i = 0; i < r->nio_writes && n + 4 < RIG_MAX_IO * 4; i++) {
        const struct rig_io *w = &r->io_writes[i];
        for (unsigned b = 0; b < w->size;) {
            uint16_t port = (uint16_t)(w->port + b);
            ports[n] = port;
            if (!(port & 1) && w->size - b >= 2) {
                bus[n] = (uint16_t)(w->value >> (8 * b));
                lanes[n++] = 3;
                b += 2;
            } else {
                uint8_t v = (uint8_t)(w->value >> (8 * b));
                bus[n] = port & 1 ? (uint16_t)(v << 8) : v;
                lanes[n++] = port & 1 ? 2 : 1;
                b += 1;
            }
        }
    }
    unsigned k = 0;
    for (uint32_t c = 0; c < t->ncycles; c++) {
        if ((t->cycles[c].status & 0xF) != iow || t->cycles[c].tstate != 1)
            continue;
        /* One record per bus cycle: take it at T1 (286 Ts) and read the data later. */
        uint16_t data = 0;
        for (uint32_t d = c + 1; d < t->ncycles; d++)
            if (t->cycles[d].io & 1) {
                data = t->cycles[d].data;
                break;
            }
        if (k >= n) {
            k++;
            continue;
        }
        uint16_t m = (uint16_t)((lanes[k] & 1 ? 0xFF : 0) | (lanes[k] & 2 ? 0xFF00 : 0));
        uint16_t port = (uint16_t)t->cycles[c].addr;
        if ((data & m) != (bus[k] & m) || port != ports[k]) {
            diffs++;
            if (rep)
                fprintf(rep, "      io write %u: expected port %04X data %04X, got port %04X data %04X\n",
                        k, port, data & m, ports[k], bus[k] & m);
        }
        k++;
    }
    if (k != n) {
        diffs++;
        /* counted above only when k < n */
        if (rep)
            fprintf(rep, "      io writes: expected %u bus cycles, got %u\n", k, n);
    }
    return diffs;
}

struct rig_result rig_run(struct rig *r, const struct moo_test *t, bool regs32,
                          const struct moo_regs *file_mask, uint32_t flags_mask, FILE *report)
{
    struct rig_result res = { 0 };
    struct cpu *c = &r->cpu;

    clear_touched(r);
    cpu_reset(c);
    if (regs32)
        load_regs32(c, &t->init.regs);
    else
        load_regs16(c, &t->init.regs, r->model);
    for (uint32_t i = 0; i < t->init.nram; i++)
        if (t->init.ram[i].addr < RIG_RAM)
            physmem_write(&r->mem, t->init.ram[i].addr, 1, t->init.ram[i].val);
    r->nio_writes = 0;
    r->io_overflow = false;

    for (unsigned steps = 0; steps < RIG_MAX_STEPS && !c->halted && !c->shutdown; steps++)
        cpu_run(c, 1);
    if (!c->halted) {
        res.stopped = true;
        if (report)
            fprintf(report, "      did not reach HLT: %s\n",
                    c->shutdown ? (c->stop_reason ? c->stop_reason : "shutdown") : "step limit");
    }
    res.reg_diffs = compare_regs(r, t, regs32, file_mask, flags_mask, report);
    res.mem_diffs = compare_mem(r, t, regs32, flags_mask, report);
    res.io_diffs = compare_io(r, t, regs32, report);
    res.pass = !res.stopped && !res.reg_diffs && !res.mem_diffs && !res.io_diffs;
    return res;
}
