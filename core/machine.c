/* The machine: wires memory, the I/O bus, the CPU and the devices together, loads the
 * firmware, and runs the CPU until something stops it. The only file outside cpu/ that
 * includes cpu/ (DESIGN.md). */
#include "core/machine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/compiler.h"
#include "core/iobus.h"
#include "core/linux_boot.h"
#include "cpu/cpu.h"
#include "devices/debugcon.h"
#include "mmu/physmem.h"
#include "mmu/tlb.h"

/* The legacy BIOS window below 1 MiB shows the last 128 KiB of the image at most, as on
 * QEMU's PC (the 0xE0000-0xFFFFF "ISA BIOS" area). */
#define ISA_BIOS_MAX (128u << 10)
#define LOW_RAM_END 0xA0000u   /* 640 KiB of conventional memory */
#define VGA_WINDOW_END 0xC0000u /* 0xA0000-0xBFFFF belongs to the VGA (unclaimed until then) */
#define HIGH_RAM_BASE 0x100000u

struct machine {
    struct physmem mem;
    struct iobus io;
    struct cpu cpu;
    struct debugcon debugcon;
    bool has_debugcon;
    bool no_reboot;
    uint64_t ram_top;         /* end of the RAM mapped from 1 MiB */

    /* COM1's host end, and the stand-in that carries it until devices/ has the 16550A. */
    struct chardev *serial;
    struct com_standin {
        uint8_t dll, dlm, ier, lcr, mcr, scr;
    } com1;

    /* Direct Linux boot (-kernel): the files, kept so that a reset boots them again. */
    bool has_kernel;
    struct linux_boot linux;

    /* Host side: rebuilt, never saved. */
    FILE *debugcon_out;
    bool own_debugcon_out;
    FILE *log;
    bool own_log;
    char stop_msg[160];
};

static void set_err(char *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void set_err(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, MACHINE_ERRMAX, fmt, ap);
    va_end(ap);
}

/* "64 KiB", "2 MiB" or "1000 bytes": sizes in messages read as the user wrote them. */
static const char *size_str(uint64_t n, char *buf, size_t len)
{
    if (n && n % (1u << 30) == 0)
        snprintf(buf, len, "%llu GiB", (unsigned long long)(n >> 30));
    else if (n && n % (1u << 20) == 0)
        snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
    else if (n && n % (1u << 10) == 0)
        snprintf(buf, len, "%llu KiB", (unsigned long long)(n >> 10));
    else
        snprintf(buf, len, "%llu bytes", (unsigned long long)n);
    return buf;
}

const char *machine_cpu_models(void)
{
    return cpu_model_names();
}

bool machine_cpu_model_known(const char *name)
{
    return cpu_model_lookup(name) != NULL;
}

/* -d ioport: one line per port access, after the access (so reads show their value). */
static void log_ioport(void *opaque, int is_write, uint16_t port, unsigned size, uint32_t value)
{
    struct machine *m = opaque;
    fprintf(m->log, "%s 0x%04x %u 0x%0*x\n", is_write ? "out" : "in", port, size,
            (int)(2 * size), value);
}

static enum machine_status open_outputs(struct machine *m, const struct machine_config *cfg,
                                        char *err)
{
    switch (cfg->debugcon) {
    case MACHINE_DEBUGCON_NONE:
        break;
    case MACHINE_DEBUGCON_NULL:
        m->has_debugcon = true;
        break;
    case MACHINE_DEBUGCON_STDIO:
        m->has_debugcon = true;
        m->debugcon_out = stdout;
        break;
    case MACHINE_DEBUGCON_FILE:
        m->has_debugcon = true;
        if (!cfg->debugcon_path || !*cfg->debugcon_path) {
            set_err(err, "debugcon: no file name given (file:PATH)");
            return MACHINE_ERR_FILE;
        }
        m->debugcon_out = fopen(cfg->debugcon_path, "w");
        if (!m->debugcon_out) {
            set_err(err, "cannot create debugcon file '%s': %s", cfg->debugcon_path,
                    strerror(errno));
            return MACHINE_ERR_FILE;
        }
        m->own_debugcon_out = true;
        break;
    }
    if (cfg->log_items) {
        if (cfg->log_path) {
            m->log = fopen(cfg->log_path, "w");
            if (!m->log) {
                set_err(err, "cannot create log file '%s': %s", cfg->log_path,
                        strerror(errno));
                return MACHINE_ERR_FILE;
            }
            m->own_log = true;
        } else {
            m->log = stderr;
        }
    }
    return MACHINE_OK;
}

/* Reads the whole image into a fresh buffer after checking its size. */
static enum machine_status read_bios(const char *path, uint8_t **image, uint32_t *size,
                                     char *err)
{
    char b1[32], b2[32], b3[32];
    if (!path || !*path) {
        set_err(err, "no BIOS image given (use -bios FILE)");
        return MACHINE_ERR_BIOS;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, "cannot open BIOS image '%s': %s", path, strerror(errno));
        return MACHINE_ERR_BIOS;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        set_err(err, "BIOS image '%s' is not a regular file", path);
        fclose(f);
        return MACHINE_ERR_BIOS;
    }
    uint64_t n = (uint64_t)st.st_size;
    if (n == 0 || n % MACHINE_BIOS_UNIT || n > MACHINE_BIOS_MAX) {
        set_err(err, "BIOS image '%s' is %s; it must be a multiple of %s, at most %s", path,
                size_str(n, b1, sizeof b1), size_str(MACHINE_BIOS_UNIT, b2, sizeof b2),
                size_str(MACHINE_BIOS_MAX, b3, sizeof b3));
        fclose(f);
        return MACHINE_ERR_BIOS;
    }
    *image = malloc(n);
    if (!*image) {
        fclose(f);
        set_err(err, "out of memory reading BIOS image '%s'", path);
        return MACHINE_ERR_NOMEM;
    }
    if (fread(*image, 1, n, f) != n) {
        set_err(err, "cannot read BIOS image '%s': %s", path,
                ferror(f) ? strerror(errno) : "file shrank while reading");
        fclose(f);
        free(*image);
        *image = NULL;
        return MACHINE_ERR_BIOS;
    }
    fclose(f);
    *size = (uint32_t)n;
    return MACHINE_OK;
}

static bool add_ram(struct physmem *pm, uint32_t start, uint32_t end)
{
    return start >= end || physmem_add_ram(pm, start, end - start) != NULL;
}

/* The PC memory map as QEMU builds it: RAM from 0 with the VGA window cut out of it, the
 * image at the top of the CPU's address space and its tail again just below 1 MiB, as ROM.
 * A 286 (24 address lines) finds its reset vector at 16 MiB - 16, as on the AT. Without an
 * image (a -kernel boot needs none) the ROM area below 1 MiB is plain RAM. */
static enum machine_status map_memory(struct machine *m, uint64_t ram_size,
                                      const uint8_t *image, uint32_t size, char *err)
{
    struct physmem *pm = &m->mem;
    uint64_t space = (uint64_t)m->cpu.info->addr_mask + 1;
    uint32_t isa = size < ISA_BIOS_MAX ? size : ISA_BIOS_MAX;
    uint32_t isa_base = HIGH_RAM_BASE - isa;
    uint64_t hi_base = space - size;
    char b1[32];

    if (hi_base < HIGH_RAM_BASE) {
        set_err(err, "BIOS image of %s does not fit the %s address space of the %s",
                size_str(size, b1, sizeof b1), space == (1ull << 24) ? "16 MiB" : "4 GiB",
                m->cpu.info->name);
        return MACHINE_ERR_BIOS;
    }
    uint32_t ram_hi_end = (uint32_t)(ram_size < hi_base ? ram_size : hi_base);
    uint8_t *rom_hi = size ? physmem_add_rom(pm, (uint32_t)hi_base, size) : NULL;
    uint8_t *rom_isa = size ? physmem_add_rom(pm, isa_base, isa) : NULL;
    if ((size && (!rom_hi || !rom_isa)) || !add_ram(pm, 0, LOW_RAM_END) ||
        !add_ram(pm, VGA_WINDOW_END, isa_base) || !add_ram(pm, HIGH_RAM_BASE, ram_hi_end)) {
        set_err(err, "out of memory for %s of guest RAM", size_str(ram_size, b1, sizeof b1));
        return MACHINE_ERR_NOMEM;
    }
    m->ram_top = ram_hi_end > HIGH_RAM_BASE ? ram_hi_end : HIGH_RAM_BASE;
    if (size) {
        memcpy(rom_hi, image, size);
        memcpy(rom_isa, image + size - isa, isa);
    }
    return MACHINE_OK;
}

static enum machine_status check_ram(uint64_t ram, char *err)
{
    char b1[32], b2[32];
    if (ram < MACHINE_RAM_MIN || ram > MACHINE_RAM_MAX) {
        set_err(err, "RAM size %s is out of range: give -m between %s and %s",
                size_str(ram, b1, sizeof b1), size_str(MACHINE_RAM_MIN, b2, sizeof b2),
                "3584 MiB (3.5 GiB)");
        return MACHINE_ERR_RAM;
    }
    if (ram % PHYS_PAGE_SIZE) {
        set_err(err, "RAM size %s is not a multiple of 4 KiB", size_str(ram, b1, sizeof b1));
        return MACHINE_ERR_RAM;
    }
    return MACHINE_OK;
}

/* ---- Console attachment (-serial, -nographic) ---- */

/* Until the 16550A UART lands in devices/, COM1 is this stand-in: a polled 16450 with no
 * interrupts and no FIFO, enough for output a guest polls out (earlyprintk=serial, the
 * kernel's serial console) and for input it polls in (LSR.DR, RBR). Transmitted bytes go
 * to the chardev's sink at once; RBR takes the chardev's next queued byte. When the UART
 * exists, this section becomes: give the UART chardev_send as its send callback and feed
 * it from chardev_getc, and the stand-in goes. Register numbers: the 8250 family's. */
#define COM1_BASE 0x3F8
enum { COM_LCR_DLAB = 0x80, COM_LSR_DR = 0x01, COM_LSR_THRE = 0x20, COM_LSR_TEMT = 0x40 };

static uint32_t com_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    struct machine *m = opaque;
    struct com_standin *c = &m->com1;
    bool dlab = c->lcr & COM_LCR_DLAB;
    switch (port - COM1_BASE) {
    case 0: {
        if (dlab)
            return c->dll;
        int b = chardev_getc(m->serial);
        return b < 0 ? 0 : (uint32_t)b;
    }
    case 1: return dlab ? c->dlm : c->ier;
    case 2: return 0x01; /* IIR: no interrupt pending, no FIFO */
    case 3: return c->lcr;
    case 4: return c->mcr;
    case 5: return COM_LSR_THRE | COM_LSR_TEMT | (chardev_pending(m->serial) ? COM_LSR_DR : 0);
    case 6: return 0xB0; /* MSR: DCD, DSR, CTS */
    default: return c->scr;
    }
}

static void com_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    struct machine *m = opaque;
    struct com_standin *c = &m->com1;
    uint8_t v = (uint8_t)value;
    bool dlab = c->lcr & COM_LCR_DLAB;
    switch (port - COM1_BASE) {
    case 0:
        if (dlab)
            c->dll = v;
        else
            chardev_send(m->serial, &v, 1);
        break;
    case 1:
        if (dlab)
            c->dlm = v;
        else
            c->ier = v & 0x0F;
        break;
    case 3: c->lcr = v; break;
    case 4: c->mcr = v & 0x1F; break;
    case 7: c->scr = v; break;
    default: break; /* FCR: no FIFO; LSR and MSR are read-only */
    }
}

static void com_reset(struct machine *m)
{
    memset(&m->com1, 0, sizeof m->com1);
}

static enum machine_status attach_console(struct machine *m, const struct machine_config *cfg,
                                          char *err)
{
    if (!cfg->serial)
        return MACHINE_OK;
    m->serial = cfg->serial;
    const struct io_handler h = { .read = com_read, .write = com_write, .opaque = m };
    if (iobus_register(&m->io, COM1_BASE, 8, &h) != 0) {
        set_err(err, "serial: COM1's ports 0x%x-0x%x are taken", COM1_BASE, COM1_BASE + 7);
        return MACHINE_ERR_FILE;
    }
    com_reset(m);
    return MACHINE_OK;
}

/* ---- Direct Linux boot (-kernel, -initrd, -append) ---- */

/* Puts the CPU where the 32-bit boot protocol starts a kernel (boot.rst "32-bit BOOT
 * PROTOCOL"): protected mode, paging off, interrupts off, CS = __BOOT_CS and DS = ES =
 * SS = __BOOT_DS, flat 4 GiB segments from the GDT core/linux_boot.c wrote, ESI = the
 * boot_params, EBP = EDI = EBX = 0. FS and GS get __BOOT_DS too. */
static void enter_linux32(struct cpu *cpu, const struct linux_entry *e)
{
    /* Hidden parts as loading the GDT's descriptors sets them: base 0, limit 4 GiB, G and
     * D/B set, present, accessed; code execute/read, data read/write. */
    for (int s = 0; s < S_COUNT; s++) {
        struct seg_cache *c = &cpu->seg[s];
        bool code = s == S_CS;
        c->sel = code ? e->cs : e->ds;
        c->base = 0;
        c->limit = 0xFFFFFFFFu;
        c->attr = code ? 0xC09B : 0xC093;
        c->ok = code ? SEG_OK_READ : SEG_OK_READ | SEG_OK_WRITE;
    }
    cpu->gdtr.base = e->gdt_base;
    cpu->gdtr.limit = e->gdt_limit;
    cpu->idtr.base = 0;
    cpu->idtr.limit = 0;
    cpu->cr[0] = (cpu->cr[0] | CR0_PE) & ~CR0_PG;
    cpu->mode = MODE_PROT;
    cpu->cpl = 0;
    cpu_set_eflags(cpu, 0x2); /* IF, TF, DF clear */
    for (int r = 0; r < R_ZERO; r++)
        cpu->r[r] = 0;
    cpu->r[R_ESI] = e->esi;
    cpu->r[R_ESP] = e->esp;
    cpu->eip = e->eip;
    tlb_flush_all(&cpu->tlb);
}

/* Writes the kernel, initrd and boot data into RAM and enters the kernel; also after a
 * reset, since there is no firmware to run (RAM may hold anything by then). */
static enum machine_status boot_kernel_err(struct machine *m, char *err)
{
    struct linux_entry e;
    if (linux_boot_place(&m->linux, &m->mem, m->ram_top, &e, err, MACHINE_ERRMAX) != 0)
        return MACHINE_ERR_KERNEL;
    enter_linux32(&m->cpu, &e);
    return MACHINE_OK;
}

static void boot_kernel(struct machine *m)
{
    char err[MACHINE_ERRMAX];
    /* It fitted at machine_create, and nothing has changed the RAM map since. */
    if (boot_kernel_err(m, err) != MACHINE_OK)
        abort();
}

static enum machine_status load_kernel(struct machine *m, const struct machine_config *cfg,
                                       char *err)
{
    if (m->cpu.model < CPU_386) {
        set_err(err, "-kernel needs a 32-bit processor; the %s has none (use -cpu 386 or "
                "later)", m->cpu.info->name);
        return MACHINE_ERR_KERNEL;
    }
    if (linux_boot_open(&m->linux, cfg->kernel_path, cfg->initrd_path, cfg->append, err,
                        MACHINE_ERRMAX) != 0)
        return MACHINE_ERR_KERNEL;
    enum machine_status st = boot_kernel_err(m, err);
    if (st)
        return st;
    m->has_kernel = true;
    return MACHINE_OK;
}

enum machine_status machine_create(const struct machine_config *cfg, struct machine **out,
                                   char *err)
{
    *out = NULL;
    err[0] = '\0';
    uint64_t ram = cfg->ram_size ? cfg->ram_size : MACHINE_RAM_DEFAULT;
    enum machine_status st = check_ram(ram, err);
    if (st)
        return st;
    const struct cpu_model_info *model = cfg->cpu_model ? cpu_model_lookup(cfg->cpu_model)
                                                        : cpu_model_get(CPU_P2);
    if (!model) {
        set_err(err, "unknown CPU model '%s' (known: %s)", cfg->cpu_model, cpu_model_names());
        return MACHINE_ERR_CPU;
    }
    if ((cfg->initrd_path || cfg->append) && !cfg->kernel_path) {
        set_err(err, "%s needs a kernel (give -kernel FILE)", cfg->initrd_path ? "-initrd"
                                                                               : "-append");
        return MACHINE_ERR_KERNEL;
    }
    uint8_t *image = NULL;
    uint32_t size = 0;
    if (cfg->bios_path || !cfg->kernel_path) {
        st = read_bios(cfg->bios_path, &image, &size, err);
        if (st)
            return st;
    }

    struct machine *m = calloc(1, sizeof(*m));
    if (!m || physmem_init(&m->mem) != 0 || iobus_init(&m->io) != 0) {
        set_err(err, "out of memory creating the machine");
        free(image);
        machine_destroy(m);
        return MACHINE_ERR_NOMEM;
    }
    m->no_reboot = cfg->no_reboot;
    cpu_init(&m->cpu, model->model, &m->mem, &m->io);
    st = map_memory(m, ram, image, size, err);
    free(image);
    if (!st)
        st = open_outputs(m, cfg, err);
    if (!st && cfg->kernel_path)
        st = load_kernel(m, cfg, err);
    if (st) {
        machine_destroy(m);
        return st;
    }
    if (m->has_debugcon && debugcon_init(&m->debugcon, &m->io, DEBUGCON_PORT, m->debugcon_out)) {
        set_err(err, "debugcon: port 0x%x is taken", DEBUGCON_PORT);
        machine_destroy(m);
        return MACHINE_ERR_FILE;
    }
    st = attach_console(m, cfg, err);
    if (st) {
        machine_destroy(m);
        return st;
    }
    if (cfg->log_items & MACHINE_LOG_IOPORT) {
        m->io.observe = log_ioport;
        m->io.observe_opaque = m;
    }
    *out = m;
    return MACHINE_OK;
}

void machine_flush(struct machine *m)
{
    if (m->debugcon_out)
        fflush(m->debugcon_out);
    if (m->log)
        fflush(m->log);
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    machine_flush(m);
    if (m->own_debugcon_out)
        fclose(m->debugcon_out);
    if (m->own_log)
        fclose(m->log);
    linux_boot_free(&m->linux);
    physmem_free(&m->mem);
    iobus_free(&m->io);
    free(m);
}

void machine_reset(struct machine *m)
{
    physmem_set_a20(&m->mem, true);
    cpu_reset(&m->cpu);
    if (m->has_debugcon)
        debugcon_reset(&m->debugcon);
    if (m->serial)
        com_reset(m);
    if (m->has_kernel)
        boot_kernel(m);
}

uint64_t machine_instructions(const struct machine *m)
{
    return m->cpu.icount;
}

void machine_get_regs(struct machine *m, struct machine_regs *r)
{
    struct cpu *cpu = &m->cpu;
    memset(r, 0, sizeof *r);
    for (int i = 0; i < 8; i++)
        r->gpr[i] = cpu->r[i];
    r->eip = cpu->eip;
    r->eflags = cpu_get_eflags(cpu);
    r->cr0 = cpu->cr[0];
    for (int s = 0; s < S_COUNT; s++) {
        r->seg[s] = cpu->seg[s].sel;
        r->seg_base[s] = cpu->seg[s].base;
        r->seg_limit[s] = cpu->seg[s].limit;
    }
    r->gdt_base = cpu->gdtr.base;
    r->gdt_limit = cpu->gdtr.limit;
}

void machine_read_phys(struct machine *m, uint32_t addr, void *buf, size_t len)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)physmem_read(&m->mem, addr + (uint32_t)i, 1);
}

const char *machine_stop_message(const struct machine *m)
{
    return m->stop_msg;
}

static void set_stop(struct machine *m, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void set_stop(struct machine *m, const char *fmt, ...)
{
    char what[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const struct cpu *cpu = &m->cpu;
    if (cpu->seg[S_CS].attr & SEG_ATTR_DB)
        snprintf(m->stop_msg, sizeof m->stop_msg, "%s (at %04X:%08X)", what,
                 cpu->seg[S_CS].sel, cpu->eip);
    else
        snprintf(m->stop_msg, sizeof m->stop_msg, "%s (at %04X:%04X)", what,
                 cpu->seg[S_CS].sel, cpu->eip & 0xFFFF);
}

/* cpu_unsupported stops the CPU with fault_vector -1; a triple fault keeps the vector of
 * the fault that could not be delivered (cpu/exception.c, cpu/cpu.c handle_fault). */
static bool stopped_unsupported(const struct cpu *cpu)
{
    return cpu->fault_vector < 0;
}

enum machine_stop machine_run(struct machine *m, uint64_t n)
{
    struct cpu *cpu = &m->cpu;
    uint64_t done = 0;
    for (;;) {
        if (unlikely(cpu->shutdown)) {
            if (stopped_unsupported(cpu)) {
                set_stop(m, "the guest needs %s, which orrery does not implement yet",
                         cpu->stop_reason ? cpu->stop_reason : "an unknown feature");
                return MACHINE_STOP_UNSUPPORTED;
            }
            set_stop(m, "%s", cpu->stop_reason ? cpu->stop_reason : "shutdown");
            if (m->no_reboot)
                return MACHINE_STOP_SHUTDOWN;
            machine_reset(m);
            return MACHINE_STOP_RESET;
        }
        if (cpu->halted) {
            /* Only an interrupt ends HLT; with IF clear, or with nothing wired to the INTR
             * pin, none can come (NMI has no source yet). */
            if (!(cpu->eflags & FL_IF)) {
                set_stop(m, "the guest halted with interrupts disabled");
                return MACHINE_STOP_HALT;
            }
            if (!cpu->intr_ack) {
                set_stop(m, "the guest halted waiting for an interrupt, and no device can "
                            "raise one yet");
                return MACHINE_STOP_HALT;
            }
            /* Waiting for a device: the scheduler will advance time to its next event. */
            return MACHINE_STOP_BUDGET;
        }
        if (done >= n)
            return MACHINE_STOP_BUDGET;
        done += cpu_run(cpu, n - done);
    }
}
