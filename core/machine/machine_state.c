/* Saving and loading the whole machine (machine.h: machine_save_state, machine_load_state).
 *
 * A state is a header (the configuration it needs: CPU model and RAM size), then one
 * section per part in the order `parts` lists them, then every RAM region as a section
 * naming its place and size followed by its bytes; core/statefile.c frames and compresses
 * them. ROM is not saved: it comes from the same -bios as the machine being loaded into.
 * Host-side things (output streams, the console, the TLB, the scheduler's callbacks) are
 * wiring, rebuilt by machine_create and left alone by a load. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/machine/machine_impl.h"
#include "core/machine/record_impl.h"
#include "core/machine/trace.h"
#include "core/savestate.h"
#include "core/statefile.h"

/* What a state needs of the machine it is loaded into: the CPU model, the RAM size, and
 * the same firmware and kernel (size and CRC-32; 0 for none), since ROM is not saved and
 * a reset boots the kernel again. Version 2 added the firmware and kernel. */
struct state_header {
    uint64_t ram_size;
    uint8_t model;
    uint32_t bios_size, bios_crc;
    uint32_t kernel_size, kernel_crc;
};
static const struct savestate_field header_fields[] = {
    SS_FIELD(struct state_header, ram_size),
    SS_FIELD(struct state_header, model),
    SS_FIELD(struct state_header, bios_size),
    SS_FIELD(struct state_header, bios_crc),
    SS_FIELD(struct state_header, kernel_size),
    SS_FIELD(struct state_header, kernel_crc),
};
static SAVESTATE_DESC(header_desc, "machine", 2, header_fields);

static const struct savestate_field platform_fields[] = {
    SS_FIELD(struct platform, a20),
    SS_FIELD(struct platform, reset_requested),
    SS_FIELD(struct platform, off),
    SS_FIELD_RANGE(struct platform, boot_once_pending, 0, 1),
};
static SAVESTATE_DESC(platform_desc, "platform", 2, platform_fields);

static const struct savestate_field debugcon_fields[] = {
    SS_FIELD(struct debugcon, readback),
};
static SAVESTATE_DESC(debugcon_desc, "debugcon", 1, debugcon_fields);

/* A RAM region: where it is and how big; its bytes follow the section. */
struct ram_run {
    uint32_t base, size;
};
static const struct savestate_field ram_fields[] = {
    SS_FIELD(struct ram_run, base),
    SS_FIELD(struct ram_run, size),
};
static SAVESTATE_DESC(ram_desc, "ram", 1, ram_fields);

/* Every part with state, in file order: its description and where it is in the machine.
 * The same table saves, loads, and tells tools (machine_state_desc) what a section is. */
static const struct part {
    const struct savestate_desc *desc;
    size_t offset;
} parts[] = {
    { &cpu_savestate, offsetof(struct machine, cpu) },
    { &sched_savestate, offsetof(struct machine, pc.sched.st) },
    { &platform_desc, offsetof(struct machine, pc) },
    { &pic_savestate, offsetof(struct machine, pc.pic.s) },
    { &pit_savestate, offsetof(struct machine, pc.pit.s) },
    { &rtc_savestate, offsetof(struct machine, pc.rtc.s) },
    { &uart_savestate, offsetof(struct machine, pc.com[0].s) },
    { &uart_savestate, offsetof(struct machine, pc.com[1].s) },
    { &kbc_savestate, offsetof(struct machine, pc.kbc.s) },
    { &ps2kbd_savestate, offsetof(struct machine, pc.kbc.kbd.s) },
    { &ps2mouse_savestate, offsetof(struct machine, pc.kbc.mouse.s) },
    { &port92_savestate, offsetof(struct machine, pc.port92.s) },
    { &postcode_savestate, offsetof(struct machine, pc.postcode.s) },
    { &ferr_savestate, offsetof(struct machine, pc.ferr.s) },
    { &pci_bus_savestate, offsetof(struct machine, pc.pci.s) },
    { &i440fx_savestate, offsetof(struct machine, pc.i440fx.cfg) },
    { &piix3_savestate, offsetof(struct machine, pc.piix3.s) },
    { &piix3_ide_savestate, offsetof(struct machine, pc.ide.s) },
    { &piix4_pm_savestate, offsetof(struct machine, pc.pm.s) },
    { &ata_savestate, offsetof(struct machine, pc.ide.ch[0].s) },
    { &ata_savestate, offsetof(struct machine, pc.ide.ch[1].s) },
    { &fwcfg_savestate, offsetof(struct machine, pc.fwcfg.s) },
    { &vga_savestate, offsetof(struct machine, pc.vga.s) },
    { &dma_savestate, offsetof(struct machine, pc.dma.s) },
    { &fdc_savestate, offsetof(struct machine, pc.fdc.s) },
    { &debugcon_desc, offsetof(struct machine, debugcon) },
};
#define NPARTS (sizeof parts / sizeof parts[0])

static void *part_obj(struct machine *m, const struct part *p)
{
    return (uint8_t *)m + p->offset;
}

const struct savestate_desc *machine_state_desc(const char *name, uint32_t version)
{
    const struct savestate_desc *d = NULL;
    for (size_t i = 0; i <= NPARTS + 1 && !d; i++) {
        const struct savestate_desc *c = i == NPARTS ? &header_desc
                                         : i > NPARTS ? &ram_desc : parts[i].desc;
        if (strcmp(c->name, name) == 0 && c->version == version)
            d = c;
    }
    return d;
}

static void fill_header(const struct machine *m, struct state_header *h)
{
    memset(h, 0, sizeof *h);
    h->ram_size = m->ram_size;
    h->model = cpu_info(&m->cpu)->model;
    h->bios_size = m->bios_size;
    h->bios_crc = m->bios_crc;
    h->kernel_size = m->kernel_size;
    h->kernel_crc = m->kernel_crc;
}

/* A RAM region's section records where it is. A placeable region (the VGA's VRAM, which
 * its BAR moves) records where it was last placed, for orrery-state's eyes only: a load
 * takes any place for it, since the device's state says where it lies. */
static bool ram_matches(const struct region *r, const struct ram_run *run)
{
    return run->size == r->size && (r->placeable || run->base == r->base);
}

enum machine_status machine_save_state(struct machine *m, const char *path, char *err)
{
    struct statefile *f = statefile_create(path, err, MACHINE_ERRMAX);
    if (!f)
        return MACHINE_ERR_STATE;
    struct state_header h;
    fill_header(m, &h);
    statefile_put(f, &header_desc, &h);
    cpu_dbg_save_begin(&m->cpu); /* a debugger's watchpoints are not the guest's state */
    for (size_t i = 0; i < NPARTS; i++)
        statefile_put(f, parts[i].desc, part_obj(m, &parts[i]));
    cpu_dbg_save_end(&m->cpu);
    for (unsigned i = 0; i < m->mem.nregions; i++) {
        const struct region *r = &m->mem.region[i];
        if (r->kind != REGION_RAM)
            continue;
        struct ram_run run = { r->base, r->size };
        statefile_put(f, &ram_desc, &run);
        statefile_put_bytes(f, r->host, r->size);
    }
    return statefile_close(f, err, MACHINE_ERRMAX) ? MACHINE_OK : MACHINE_ERR_STATE;
}

enum machine_status machine_check_save_path(const char *path, char *err)
{
    return statefile_check_path(path, err, MACHINE_ERRMAX) ? MACHINE_OK : MACHINE_ERR_STATE;
}

static void describe(const struct state_header *h, char *buf, size_t len)
{
    const struct cpu_model_info *info =
        h->model < CPU_MODEL_COUNT ? cpu_model_get((enum cpu_model)h->model) : NULL;
    snprintf(buf, len, "-cpu %s -m %lluM", info ? info->name : "(unknown)",
             (unsigned long long)(h->ram_size >> 20));
}

/* "-bios of 262144 bytes (CRC-32 0x1234abcd)", or "no -bios". */
static void describe_file(const char *flag, uint32_t size, uint32_t crc, char *buf, size_t len)
{
    if (size)
        snprintf(buf, len, "a %s of %u bytes (CRC-32 0x%08x)", flag, (unsigned)size,
                 (unsigned)crc);
    else
        snprintf(buf, len, "no %s", flag);
}

/* The header first: a state for another configuration is refused before anything of the
 * machine changes. */
static bool check_header(struct statefile *f, const struct machine *m)
{
    struct state_header want, got;
    fill_header(m, &want);
    memset(&got, 0, sizeof got);
    if (!statefile_get(f, &header_desc, &got))
        return false;
    char a[96], b[96];
    if (got.ram_size != want.ram_size || got.model != want.model) {
        describe(&got, a, sizeof a);
        describe(&want, b, sizeof b);
        statefile_fail(f, "the state was saved from a machine with %s; this one has %s: "
                       "give the same options", a, b);
        return false;
    }
    static const char *const flag[2] = { "-bios", "-kernel" };
    const uint32_t gs[2] = { got.bios_size, got.kernel_size }, gc[2] = { got.bios_crc,
                                                                       got.kernel_crc };
    const uint32_t ws[2] = { want.bios_size, want.kernel_size }, wc[2] = { want.bios_crc,
                                                                         want.kernel_crc };
    for (int i = 0; i < 2; i++) {
        if (gs[i] == ws[i] && gc[i] == wc[i])
            continue;
        describe_file(flag[i], gs[i], gc[i], a, sizeof a);
        describe_file(flag[i], ws[i], wc[i], b, sizeof b);
        statefile_fail(f, "the state was saved with %s; this machine has %s: give the %s "
                       "it was saved with", a, b, flag[i]);
        return false;
    }
    return true;
}

/* Each RAM region's bytes into a fresh buffer (ram[i], NULL for other regions), so that
 * a file that ends half way leaves the machine's RAM as it was. */
static void load_ram(struct statefile *f, const struct machine *m, uint8_t **ram)
{
    for (unsigned i = 0; i < m->mem.nregions; i++) {
        const struct region *r = &m->mem.region[i];
        if (r->kind != REGION_RAM)
            continue;
        struct ram_run run = { 0, 0 };
        if (!statefile_get(f, &ram_desc, &run))
            return;
        if (!ram_matches(r, &run)) {
            statefile_fail(f, "the state has RAM at 0x%x-0x%x where this machine has "
                           "0x%x-0x%x: give the same -m and -bios as when it was saved",
                           run.base, run.base + run.size - 1, r->base,
                           r->base + r->size - 1);
            return;
        }
        ram[i] = malloc(r->size ? r->size : 1);
        if (!ram[i]) {
            statefile_fail(f, "out of memory loading %u bytes of RAM", (unsigned)r->size);
            return;
        }
        if (!statefile_get_bytes(f, ram[i], r->size))
            return;
    }
}

/* What is derived from the loaded state, or lives on the host, is rebuilt from it. */
static void state_loaded(struct machine *m)
{
    struct platform *pc = &m->pc;
    sched_state_loaded(&pc->sched); /* first: the devices' hooks read the time */
    /* Outputs drive their wires again, sources before the PIC, whose INT is last. */
    pit_state_loaded(&pc->pit);
    rtc_state_loaded(&pc->rtc);
    uart_state_loaded(&pc->com[0]);
    uart_state_loaded(&pc->com[1]);
    kbc_state_loaded(&pc->kbc);
    port92_state_loaded(&pc->port92);
    ferr_state_loaded(&pc->ferr);
    piix3_ide_state_loaded(&pc->ide); /* its bus-master ports, IRQ 14/15 */
    piix4_pm_state_loaded(&pc->pm);   /* its ports, the timer, SCI */
    fdc_state_loaded(&pc->fdc);       /* IRQ 6, its DREQ */
    pic_state_loaded(&pc->pic);
    i440fx_set_smiact(&pc->i440fx, cpu_in_smm(&m->cpu));
    i440fx_state_loaded(&pc->i440fx); /* memory follows PAM, SMRAM and SMIACT# */
    vga_state_loaded(&pc->vga);       /* and the VGA's BARs */
    physmem_set_a20(&m->mem, m->pc.a20 != 0);
    /* The firmware's boot order as the state has it: once= or order= (CMOS is in the RTC's
     * state already); only the host's memory can fail it, and then the file stays. */
    (void)machine_boot_order_refresh(m);
    m->mem.gen++; /* every page may have changed: the CPU drops what it cached */
    cpu_state_loaded(&m->cpu);
    machine_trace_loaded(m);
    m->stop_msg[0] = '\0';
}

/* The state goes into a copy of the machine and fresh RAM first; only a load that read
 * the whole file without a fault replaces the machine's, so that a failed load (a file
 * cut short, a value out of range in its last section) leaves the machine exactly as it
 * was. The copy's wiring still points into m, which is where it is copied back to. */
enum machine_status machine_load_state(struct machine *m, const char *path, char *err)
{
    struct machine_replay_info ri;
    if (machine_replay_info(m, &ri)) {
        snprintf(err, MACHINE_ERRMAX, "cannot load a state while %s: the run would no longer "
                 "be the recorded one", ri.replaying ? "replaying" : "recording");
        return MACHINE_ERR_STATE;
    }
    return machine_state_load(m, path, err);
}

enum machine_status machine_state_load(struct machine *m, const char *path, char *err)
{
    struct statefile *f = statefile_open(path, err, MACHINE_ERRMAX);
    if (!f)
        return MACHINE_ERR_STATE;
    struct machine *next = malloc(sizeof *next);
    uint8_t *ram[PHYSMEM_MAX_REGIONS] = { NULL };
    if (!next)
        statefile_fail(f, "out of memory loading saved state '%s'", path);
    else
        memcpy(next, m, sizeof *next);
    if (next && check_header(f, m)) {
        for (size_t i = 0; i < NPARTS; i++)
            statefile_get(f, parts[i].desc, part_obj(next, &parts[i]));
        if (next->cpu.model != next->cpu.info->model)
            statefile_fail(f, "saved state '%s' has a CPU section of another model than its "
                           "header (a damaged or forged file)", path);
        load_ram(f, m, ram);
    }
    bool ok = statefile_close(f, err, MACHINE_ERRMAX);
    if (ok) {
        memcpy(m, next, sizeof *m);
        for (unsigned i = 0; i < m->mem.nregions; i++) {
            if (!ram[i])
                continue;
            uint8_t *old = m->mem.region[i].host;
            m->mem.region[i].host = ram[i];
            ram[i] = old; /* freed below */
        }
        state_loaded(m);
    }
    for (unsigned i = 0; i < PHYSMEM_MAX_REGIONS; i++)
        free(ram[i]);
    free(next);
    return ok ? MACHINE_OK : MACHINE_ERR_STATE;
}

unsigned machine_state_sums(struct machine *m, uint32_t *sums, unsigned max, uint32_t *ram)
{
    unsigned n = 0;
    cpu_dbg_save_begin(&m->cpu); /* a debugger's watchpoints are not the guest's state */
    for (size_t i = 0; i < NPARTS && n < max; i++) {
        size_t size = savestate_size(parts[i].desc);
        uint8_t small[4096], *buf = size <= sizeof small ? small : malloc(size);
        size_t len = buf ? savestate_save(parts[i].desc, part_obj(m, &parts[i]), buf, size) : 0;
        sums[n++] = (uint32_t)crc32(0, buf, (uInt)len);
        if (buf != small)
            free(buf);
    }
    cpu_dbg_save_end(&m->cpu);
    if (ram) {
        uLong c = crc32(0, NULL, 0);
        for (unsigned i = 0; i < m->mem.nregions; i++) {
            const struct region *r = &m->mem.region[i];
            if (r->kind == REGION_RAM)
                c = crc32_z(c, r->host, r->size);
        }
        *ram = (uint32_t)c;
    }
    return n;
}

const char *machine_state_part_name(unsigned i)
{
    return i < NPARTS ? parts[i].desc->name : "?";
}
