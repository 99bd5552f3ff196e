/* The machine: wires memory, the I/O bus, the CPU and the devices together, loads the
 * firmware, and runs the CPU until something stops it. With machine_state.c (save and
 * load) the only files outside cpu/ that include cpu/ (DESIGN.md). */
#include "core/machine/machine.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "core/compiler.h"
#include "core/machine/boot_order.h"
#include "core/machine/linux_boot.h"
#include "core/machine/machine_impl.h"
#include "core/machine/record_impl.h"
#include "core/machine/trace.h"
#include "roms/firmware.h"

/* The legacy BIOS window below 1 MiB shows the last 128 KiB of the image at most, as on
 * QEMU's PC (the 0xE0000-0xFFFFF "ISA BIOS" area). */
#define ISA_BIOS_MAX (128u << 10)
#define LOW_RAM_END 0xA0000u   /* 640 KiB of conventional memory */
#define VGA_WINDOW_END 0xC0000u /* 0xA0000-0xBFFFF belongs to the VGA (unclaimed until then) */
#define HIGH_RAM_BASE 0x100000u

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
        snprintf(m->debugcon_name, sizeof m->debugcon_name, "debugcon (standard output)");
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
        snprintf(m->debugcon_name, sizeof m->debugcon_name, "debugcon file '%s'",
                 cfg->debugcon_path);
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
            snprintf(m->log_name, sizeof m->log_name, "log file '%s'", cfg->log_path);
        } else {
            m->log = stderr;
            snprintf(m->log_name, sizeof m->log_name, "log (standard error)");
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

/* No -bios and no -kernel: SeaBIOS from the -L folders or the distribution's. */
static enum machine_status find_bios(const struct machine_config *cfg, char *path, size_t len,
                                     char *err)
{
    unsigned n = cfg->nfirmware_dirs < MACHINE_FIRMWARE_DIRS_MAX ? cfg->nfirmware_dirs
                                                                 : MACHINE_FIRMWARE_DIRS_MAX;
    if (firmware_find(FIRMWARE_BIOS, cfg->firmware_dirs, n, cfg->firmware_system_dirs, path,
                      len))
        return MACHINE_OK;
    char dirs[256];
    firmware_dirs_text(cfg->firmware_dirs, n, cfg->firmware_system_dirs, dirs, sizeof dirs);
    set_err(err, "no firmware: %s is not in %s; install Debian's %s package (apt-get install "
            "%s), or give -L DIR, -bios FILE or -kernel FILE", FIRMWARE_BIOS, dirs,
            FIRMWARE_PACKAGE, FIRMWARE_PACKAGE);
    return MACHINE_ERR_BIOS;
}

static bool add_ram(struct physmem *pm, uint32_t start, uint32_t end)
{
    return start >= end || physmem_add_ram(pm, start, end - start) != NULL;
}

/* The PC memory map as QEMU builds it: RAM from 0 with the VGA window cut out of it, the
 * image at the top of the CPU's address space and its tail again just below 1 MiB, as ROM,
 * with shadow RAM under 0xC0000-0xFFFFF that the i440FX's PAM registers switch in, and
 * SMRAM under the VGA window. A 286 (24 address lines) finds its reset vector at
 * 16 MiB - 16, as on the AT. Without an image (a -kernel boot needs none) the ROM area
 * below 1 MiB is plain RAM. */
static enum machine_status map_memory(struct machine *m, uint64_t ram_size,
                                      const uint8_t *image, uint32_t size, char *err)
{
    struct physmem *pm = &m->mem;
    uint64_t space = (uint64_t)cpu_info(&m->cpu)->addr_mask + 1;
    uint32_t isa = size < ISA_BIOS_MAX ? size : ISA_BIOS_MAX;
    uint32_t isa_base = HIGH_RAM_BASE - isa;
    uint64_t hi_base = space - size;
    char b1[32];

    if (hi_base < HIGH_RAM_BASE) {
        set_err(err, "BIOS image of %s does not fit the %s address space of the %s",
                size_str(size, b1, sizeof b1), space == (1ull << 24) ? "16 MiB" : "4 GiB",
                cpu_info(&m->cpu)->name);
        return MACHINE_ERR_BIOS;
    }
    if (ram_size > hi_base) {
        char b2[32];
        set_err(err, "RAM size %s does not fit the %s address space of the %s below its "
                "%s BIOS; give -m %lluM or less", size_str(ram_size, b1, sizeof b1),
                space == (1ull << 24) ? "16 MiB" : "4 GiB", cpu_info(&m->cpu)->name,
                size_str(size, b2, sizeof b2), (unsigned long long)(hi_base >> 20));
        return MACHINE_ERR_RAM;
    }
    uint32_t ram_hi_end = (uint32_t)ram_size;
    uint8_t *rom_hi = size ? physmem_add_rom(pm, (uint32_t)hi_base, size) : NULL;
    uint8_t *rom_isa = size ? physmem_add_rom(pm, isa_base, isa) : NULL;
    /* In address order (so are the RAM sections of a saved state): the VGA window has
     * SMRAM under it; with firmware, 0xC0000-0xFFFFF is the i440FX's shadow RAM under
     * the ROMs (PAM), without, plain RAM. */
    bool ram_ok = add_ram(pm, 0, LOW_RAM_END) &&
                  physmem_add_shadow(pm, LOW_RAM_END, VGA_WINDOW_END - LOW_RAM_END) &&
                  (size ? physmem_add_shadow(pm, VGA_WINDOW_END,
                                             HIGH_RAM_BASE - VGA_WINDOW_END) != NULL
                        : add_ram(pm, VGA_WINDOW_END, HIGH_RAM_BASE)) &&
                  add_ram(pm, HIGH_RAM_BASE, ram_hi_end);
    if ((size && (!rom_hi || !rom_isa)) || !ram_ok) {
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

/* ---- The PC platform: devices, their wiring, CMOS setup ---------------------------- */

/* The master PIC's INT is the CPU's INTR pin; the CPU's acknowledge is the PIC's INTA. */
static void intr_sink(void *opaque, unsigned n, int level)
{
    struct machine *m = opaque;
    (void)n;
    cpu_set_intr(&m->cpu, level);
}

static int intr_ack(void *opaque)
{
    struct machine *m = opaque;
    return pic_intack(&m->pc.pic);
}

static void a20_sink(void *opaque, unsigned source, int level)
{
    struct machine *m = opaque;
    if (level)
        m->pc.a20 |= (uint8_t)(1u << source);
    else
        m->pc.a20 &= (uint8_t)~(1u << source);
    physmem_set_a20(&m->mem, m->pc.a20 != 0);
}

/* A reset request from a device arrives inside the guest's OUT: end the slice after it;
 * machine_run resets between instructions. */
static void reset_sink(void *opaque, unsigned n, int level)
{
    struct machine *m = opaque;
    (void)n;
    if (level) {
        m->pc.reset_requested = 1;
        cpu_end_slice(&m->cpu, 0);
    }
}

/* The south bridge's SMI# and soft off arrive inside the guest's OUT: SMI# is latched by
 * the CPU, which takes it at the next boundary; the power goes off after the OUT. */
static void smi_sink(void *opaque, unsigned n, int level)
{
    struct machine *m = opaque;
    (void)n;
    if (level) {
        cpu_raise_smi(&m->cpu);
        cpu_end_slice(&m->cpu, 0);
    }
}

static void poweroff_sink(void *opaque, unsigned n, int level)
{
    struct machine *m = opaque;
    (void)n;
    if (level) {
        m->pc.poweroff_requested = 1;
        cpu_end_slice(&m->cpu, 0);
    }
}

/* SMIACT#: SMRAM shows while the CPU is in system management mode. */
static void smm_changed(void *opaque, int in_smm)
{
    struct machine *m = opaque;
    i440fx_set_smiact(&m->pc.i440fx, in_smm != 0);
}

static void ignne_sink(void *opaque, unsigned n, int level)
{
    struct machine *m = opaque;
    (void)n;
    cpu_set_ignne(&m->cpu, level);
}

static void ferr_changed(void *opaque, int level)
{
    struct machine *m = opaque;
    ferr_set(&m->pc.ferr, level);
}

/* A timer armed sooner than the running slice ends: shorten the slice to reach it. */
static void sched_kick(void *opaque, uint64_t deadline)
{
    struct machine *m = opaque;
    cpu_end_slice(&m->cpu, sched_insns_until(&m->pc.sched, deadline));
}

/* The TSC counts virtual nanoseconds: a 1 GHz counter that keeps pace with the timers in
 * both clocks, through HLT and however fast instructions run. */
static uint64_t tsc_clock(void *opaque)
{
    struct machine *m = opaque;
    return sched_now(&m->pc.sched);
}

/* ---- Boot order (-boot) ---- */

static enum machine_status boot_config(struct machine *m, const struct machine_config *cfg,
                                       char *err)
{
    const char *order = cfg->boot_order ? cfg->boot_order : BOOT_ORDER_DEFAULT;
    if (!boot_order_valid(order) || (cfg->boot_once && !boot_order_valid(cfg->boot_once))) {
        set_err(err, "-boot: order '%s' is not a boot order; give up to three of a (floppy), "
                "c (hard disk), d (CD-ROM), each once", cfg->boot_once && boot_order_valid(order)
                ? cfg->boot_once : order);
        return MACHINE_ERR_CONFIG;
    }
    snprintf(m->boot_order, sizeof m->boot_order, "%s", order);
    m->boot_strict = cfg->boot_strict;
    if (cfg->boot_once)
        snprintf(m->boot_once, sizeof m->boot_once, "%s", cfg->boot_once);
    m->pc.boot_once_pending = cfg->boot_once != NULL;
    return MACHINE_OK;
}

/* The bootorder file for order (core/machine/boot_order.h), from the drives the devices
 * have: at creation and again when a reset ends -boot once=. */
static int boot_order_fwcfg(struct machine *m, const char *order)
{
    struct boot_drives d;
    memset(&d, 0, sizeof d);
    for (unsigned i = 0; i < MACHINE_IDE_DISKS; i++) {
        const struct ata_channel *ch = &m->pc.ide.ch[i / 2];
        d.cdrom[i] = ch->cdrom[i % 2];
        d.disk[i] = !ch->cdrom[i % 2] && ch->disk[i % 2];
    }
    for (unsigned i = 0; i < MACHINE_FLOPPIES; i++)
        d.floppy[i] = m->pc.fdc.drive[i].fmt != NULL;
    char text[BOOT_ORDER_FILE_MAX];
    unsigned n = boot_order_file(order, m->boot_strict, &d, text);
    if (!n) /* none of the drives named: an empty list, SeaBIOS's CMOS order decides */
        text[n++] = '\0';
    return fwcfg_set_file(&m->pc.fwcfg, "bootorder", text, n) < 0 ? -1 : 0;
}

int machine_boot_order_refresh(struct machine *m)
{
    bool once = m->pc.boot_once_pending && m->boot_once[0];
    return boot_order_fwcfg(m, once ? m->boot_once : m->boot_order);
}

/* ---- IDE disks (-hda..-hdd, -cdrom) ---- */

static enum machine_status open_disks(struct machine *m, const struct machine_config *cfg,
                                      char *err)
{
    for (unsigned i = 0; i < MACHINE_IDE_DISKS; i++) {
        const struct machine_drive *dr = &cfg->ide[i];
        if (!dr->path)
            continue;
        bool cd = dr->media == MACHINE_MEDIA_CDROM;
        char what[600];
        if (cd)
            snprintf(what, sizeof what, "-cdrom %s", dr->path);
        else
            snprintf(what, sizeof what, "-hd%c %s", 'a' + i, dr->path);
        unsigned flags = cd || dr->readonly ? DISK_READONLY : cfg->snapshot ? DISK_SNAPSHOT : 0;
        if (disk_open_format(&m->disk[i], dr->path, dr->format, what, flags, err,
                             MACHINE_ERRMAX))
            return MACHINE_ERR_DISK;
        if (machine_media_remember(m, i, dr->path)) {
            set_err(err, "out of memory");
            return MACHINE_ERR_NOMEM;
        }
    }
    return MACHINE_OK;
}

/* The disks, and the CD-ROM drives with their discs (or none). */
static int ide_init(struct machine *m, const struct machine_config *cfg)
{
    struct disk *disks[MACHINE_IDE_DISKS];
    for (unsigned i = 0; i < MACHINE_IDE_DISKS; i++)
        disks[i] = m->disk[i].fd >= 0 ? &m->disk[i] : NULL;
    if (piix3_ide_init(&m->pc.ide, &m->pc.pci, &m->io, &m->mem, &m->pc.irq[14],
                       &m->pc.irq[15], disks))
        return -1;
    for (unsigned i = 0; i < MACHINE_IDE_DISKS; i++)
        if (cfg->ide[i].media == MACHINE_MEDIA_CDROM)
            ata_set_cdrom(&m->pc.ide.ch[i / 2], i % 2, disks[i]);
    return 0;
}

/* CMOS bytes of the AT's first two hard disks (IBM AT technical reference; the layout
 * of type 47, "user defined", as later BIOSes keep it): types in 0x12 (F: see 0x19/0x1A),
 * 47 in 0x19 and 0x1A, the geometry at 0x1B (disk 0) and 0x24 (disk 1): cylinders,
 * heads, write precompensation (none), control byte, landing zone, sectors per track.
 * And the translation SeaBIOS reads on an emulated PC (0x39, two bits a disk: 0 none,
 * 1 LBA): LBA for disks past 1024 cylinders. */
static void cmos_disks(struct machine *m)
{
    struct rtc *r = &m->pc.rtc;
    uint8_t types = 0, trans = 0;
    for (unsigned i = 0; i < MACHINE_IDE_DISKS; i++) {
        if (m->disk[i].fd < 0 || m->pc.ide.ch[i / 2].cdrom[i % 2])
            continue;
        uint16_t id[256];
        ata_identify(&m->pc.ide.ch[i / 2], i % 2, id);
        uint16_t cyl = id[1], heads = id[3], spt = id[6];
        if (cyl > 1024 || (uint64_t)m->disk[i].size / DISK_SECTOR > 1024u * 16 * 63)
            trans |= (uint8_t)(1u << (2 * i));
        if (i >= 2)
            continue;
        types |= (uint8_t)(0xF0 >> (4 * i));
        rtc_cmos_set(r, (uint8_t)(0x19 + i), 47);
        uint8_t b = (uint8_t)(0x1B + 9 * i);
        rtc_cmos_set(r, b, (uint8_t)cyl);
        rtc_cmos_set(r, b + 1, (uint8_t)(cyl >> 8));
        rtc_cmos_set(r, b + 2, (uint8_t)heads);
        rtc_cmos_set(r, b + 3, 0xFF);
        rtc_cmos_set(r, b + 4, 0xFF);
        rtc_cmos_set(r, b + 5, (uint8_t)(0xC0 | (heads > 8 ? 0x08 : 0)));
        rtc_cmos_set(r, b + 6, (uint8_t)cyl);
        rtc_cmos_set(r, b + 7, (uint8_t)(cyl >> 8));
        rtc_cmos_set(r, b + 8, (uint8_t)spt);
    }
    rtc_cmos_set(r, 0x12, types);
    rtc_cmos_set(r, 0x39, trans);
}

/* CMOS bytes firmware and kernels read for the memory size (IBM AT layout and the
 * extension SeaBIOS and QEMU use): base memory in KiB at 0x15, memory above 1 MiB in KiB
 * at 0x17 and 0x30 (at most 0xFFFF), memory above 16 MiB in 64 KiB blocks at 0x34. */
static void cmos_setup(struct machine *m)
{
    struct rtc *r = &m->pc.rtc;
    uint32_t base_kib = LOW_RAM_END >> 10;
    uint64_t ext_kib = (m->ram_top - HIGH_RAM_BASE) >> 10;
    if (ext_kib > 0xFFFF)
        ext_kib = 0xFFFF;
    uint64_t above16 = m->ram_top > (16u << 20) ? (m->ram_top - (16u << 20)) >> 16 : 0;
    if (above16 > 0xFFFF)
        above16 = 0xFFFF;
    rtc_cmos_set(r, 0x15, (uint8_t)base_kib);
    rtc_cmos_set(r, 0x16, (uint8_t)(base_kib >> 8));
    rtc_cmos_set(r, 0x17, (uint8_t)ext_kib);
    rtc_cmos_set(r, 0x18, (uint8_t)(ext_kib >> 8));
    rtc_cmos_set(r, 0x30, (uint8_t)ext_kib);
    rtc_cmos_set(r, 0x31, (uint8_t)(ext_kib >> 8));
    rtc_cmos_set(r, 0x34, (uint8_t)above16);
    rtc_cmos_set(r, 0x35, (uint8_t)(above16 >> 8));
    /* Equipment byte: a math coprocessor when the CPU has an x87, VGA (00 in bits 5-4). */
    rtc_cmos_set(r, 0x14, cpu_info(&m->cpu)->has_fpu ? 0x02 : 0x00);
    /* -boot order=/once= (core/machine/boot_order.h). */
    boot_order_cmos(r, m->pc.boot_once_pending ? m->boot_once : m->boot_order);
    cmos_disks(m);
    machine_floppy_cmos(m);
    rtc_cmos_checksum(r);
}

static int64_t host_utc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static bool parse_uint(const char **p, unsigned digits, unsigned *out)
{
    unsigned v = 0;
    for (unsigned i = 0; i < digits; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return false;
        v = v * 10 + (unsigned)(**p - '0');
    }
    *out = v;
    return true;
}

bool machine_parse_rtc_base(const char *s, int64_t *epoch)
{
    if (strcmp(s, "utc") == 0) {
        *epoch = host_utc_now();
        return true;
    }
    if (strcmp(s, "localtime") == 0) {
        time_t now = (time_t)host_utc_now();
        struct tm tm;
        if (!localtime_r(&now, &tm))
            return false;
        *epoch = rtc_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                     (unsigned)tm.tm_mday) * 86400 +
                 tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
        return true;
    }
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    const char *p = s;
    if (!parse_uint(&p, 4, &y) || *p++ != '-' || !parse_uint(&p, 2, &mo) || *p++ != '-' ||
        !parse_uint(&p, 2, &d))
        return false;
    if (*p == 'T') {
        p++;
        if (!parse_uint(&p, 2, &h) || *p++ != ':' || !parse_uint(&p, 2, &mi) || *p++ != ':' ||
            !parse_uint(&p, 2, &sec))
            return false;
    }
    if (*p || y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
        return false;
    static const uint8_t mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return false;
    *epoch = rtc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return true;
}

static void le_put(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* What SeaBIOS reads from fw_cfg on a PC (its src/fw/paravirt.c): the RAM size, one CPU,
 * the boot menu (-boot menu=on), whether there is a display, the memory map as etc/e820
 * (the same map a direct Linux boot gets: RAM below 640 KiB, the VGA window and ROMs
 * reserved, RAM from 1 MiB), and etc/boot-fail-wait of -1: with nothing to boot it says so
 * and waits, as QEMU's default does, instead of rebooting every minute (-boot
 * reboot-timeout=MS: it reboots after MS). The bootorder file comes later, once the drives
 * exist (boot_order_fwcfg). */
static int fwcfg_setup(struct machine *m, const struct machine_config *cfg)
{
    struct fwcfg *f = &m->pc.fwcfg;
    uint8_t b[8];
    le_put(b, m->ram_size, 8);
    if (fwcfg_add(f, FWCFG_RAM_SIZE, b, 8))
        return -1;
    le_put(b, 1, 2);
    if (fwcfg_add(f, FWCFG_NB_CPUS, b, 2) || fwcfg_add(f, FWCFG_MAX_CPUS, b, 2))
        return -1;
    /* -boot menu=on: SeaBIOS's "Press ESC for boot menu" (its interactive_bootmenu), for
     * etc/boot-menu-wait milliseconds when splash-time= gives it. */
    le_put(b, cfg->boot_menu, 2);
    if (fwcfg_add(f, FWCFG_BOOT_MENU, b, 2))
        return -1;
    if (cfg->boot_menu && cfg->boot_menu_wait) {
        le_put(b, cfg->boot_menu_wait > 0xFFFF ? 0xFFFF : cfg->boot_menu_wait, 2);
        if (fwcfg_add_file(f, "etc/boot-menu-wait", b, 2) < 0)
            return -1;
    }
    struct linux_e820 map[4];
    uint8_t e820[4 * 20];
    unsigned n = linux_boot_e820(m->ram_top, map, 4);
    for (unsigned i = 0; i < n; i++) {
        le_put(e820 + 20 * i, map[i].addr, 8);
        le_put(e820 + 20 * i + 8, map[i].size, 8);
        le_put(e820 + 20 * i + 16, map[i].type, 4);
    }
    /* -boot reboot-timeout=MS, else -1: wait. */
    le_put(b, cfg->boot_reboot ? (cfg->boot_reboot_ms > 0xFFFF ? 0xFFFF : cfg->boot_reboot_ms)
                               : 0xFFFFFFFFu, 4);
    if (fwcfg_add_file(f, "etc/e820", e820, 20 * n) < 0 ||
        fwcfg_add_file(f, "etc/boot-fail-wait", b, 4) < 0)
        return -1;
    /* -nographic: no display, and SeaBIOS's serial console on COM1 (etc/sercon-port,
     * read by its sercon_setup), as QEMU's graphics=off gives it. */
    le_put(b, cfg->nographic, 2);
    if (fwcfg_add(f, FWCFG_NOGRAPHIC, b, 2))
        return -1;
    if (cfg->nographic) {
        le_put(b, UART_COM1_PORT, 2);
        if (fwcfg_add_file(f, "etc/sercon-port", b, 2) < 0)
            return -1;
    }
    return 0;
}

/* -option-rom: each file as fw_cfg's genroms/NAME, where SeaBIOS finds option ROMs that
 * belong to no PCI device and runs them after the VGA BIOS (its optionrom_setup), as QEMU
 * gives them. */
static enum machine_status add_option_roms(struct machine *m, const struct machine_config *cfg,
                                           char *err)
{
    for (unsigned i = 0; i < cfg->noption_roms && i < MACHINE_OPTION_ROMS_MAX; i++) {
        const char *path = cfg->option_roms[i];
        FILE *f = fopen(path, "rb");
        if (!f) {
            set_err(err, "cannot open option ROM '%s': %s", path, strerror(errno));
            return MACHINE_ERR_FILE;
        }
        static uint8_t buf[MACHINE_OPTION_ROM_MAX + 1];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (n == 0 || n > MACHINE_OPTION_ROM_MAX) {
            set_err(err, "option ROM '%s' is %s; it must hold 1 byte to 128 KiB", path,
                    n ? "larger than 128 KiB" : "empty or unreadable");
            return MACHINE_ERR_FILE;
        }
        const char *base = strrchr(path, '/');
        char name[FWCFG_NAME_MAX];
        snprintf(name, sizeof name, "genroms/%s", base ? base + 1 : path);
        if (fwcfg_add_file(&m->pc.fwcfg, name, buf, (uint32_t)n) < 0) {
            set_err(err, "option ROM '%s': no room for it in fw_cfg, or another has its name",
                    path);
            return MACHINE_ERR_FILE;
        }
    }
    return MACHINE_OK;
}

/* Creates the devices of the PC and wires them: IRQ lines into the PICs, the PIC to the
 * CPU, A20 and reset to the machine, the scheduler to the CPU's instruction counter. */
static enum machine_status create_platform(struct machine *m, const struct machine_config *cfg,
                                           char *err)
{
    struct platform *pc = &m->pc;
    if (cfg->icount && cfg->icount_shift > MACHINE_ICOUNT_SHIFT_MAX) {
        set_err(err, "-icount shift=%u is out of range: give 0 to %u", cfg->icount_shift,
                MACHINE_ICOUNT_SHIFT_MAX);
        return MACHINE_ERR_CONFIG;
    }
    sched_init(&pc->sched, cfg->icount ? SCHED_DETERMINISTIC : SCHED_REALTIME,
               cfg->icount_shift, cpu_icount_counter(&m->cpu));
    pc->sched.kick = sched_kick;
    pc->sched.kick_opaque = m;

    struct irq_line intr, a20_kbc, a20_92, reset, ignne, smi, poweroff;
    irq_line_init(&intr, intr_sink, m, 0);
    irq_line_init(&a20_kbc, a20_sink, m, A20_KBC);
    irq_line_init(&a20_92, a20_sink, m, A20_PORT92);
    irq_line_init(&reset, reset_sink, m, 0);
    irq_line_init(&ignne, ignne_sink, m, 0);
    irq_line_init(&smi, smi_sink, m, 0);
    irq_line_init(&poweroff, poweroff_sink, m, 0);
    for (unsigned i = 0; i < 16; i++)
        irq_line_init(&pc->irq[i], pic_set_irq, &pc->pic, i);
    pc->a20 = 1u << A20_KBC; /* the keyboard controller's output port powers on with A20 */

    int64_t epoch = cfg->rtc_base_set ? cfg->rtc_base
                    : cfg->icount     ? MACHINE_RTC_DETERMINISTIC_BASE
                                      : host_utc_now();
    const char *what = NULL;
    if (pic_init(&pc->pic, &m->io, &intr))
        what = "8259 PICs (0x20, 0xA0, 0x4D0)";
    else if (pit_init(&pc->pit, &m->io, &pc->sched, &pc->irq[0]))
        what = "8254 PIT (0x40, 0x61)";
    else if (rtc_init(&pc->rtc, &m->io, &pc->sched, &pc->irq[8], epoch))
        what = "RTC (0x70)";
    else if (uart_init(&pc->com[0], &m->io, UART_COM1_PORT, &pc->sched,
                       &pc->irq[UART_COM1_IRQ]) ||
             uart_init(&pc->com[1], &m->io, UART_COM2_PORT, &pc->sched,
                       &pc->irq[UART_COM2_IRQ]))
        what = "16550 UARTs (0x3F8, 0x2F8)";
    else if (kbc_init(&pc->kbc, &m->io, &pc->irq[KBC_KBD_IRQ], &pc->irq[KBC_AUX_IRQ], &a20_kbc,
                      &reset))
        what = "8042 keyboard controller (0x60, 0x64)";
    else if (port92_init(&pc->port92, &m->io, &a20_92, &reset))
        what = "port 0x92";
    else if (postcode_init(&pc->postcode, &m->io,
                           (cfg->log_items & MACHINE_LOG_POSTCODE) ? m->log : NULL))
        what = "POST code port 0x80";
    else if (ferr_init(&pc->ferr, &m->io, &pc->irq[FERR_IRQ], &ignne))
        what = "FERR# logic (0xF0)";
    else if (pci_bus_init(&pc->pci, &m->io) || i440fx_init(&pc->i440fx, &pc->pci, &m->mem) ||
             piix3_init(&pc->piix3, &pc->pci, &reset))
        what = "PCI host (0xCF8-0xCFF)";
    else if (ide_init(m, cfg))
        what = "PIIX3 IDE (0x1F0, 0x170)";
    else if (piix4_pm_init(&pc->pm, &pc->pci, &m->io, &pc->sched, &pc->irq[9], &smi, &poweroff))
        what = "PIIX4 power management (0xB2, 0xAFE0)";
    else if (fwcfg_init(&pc->fwcfg, &m->io, &m->mem) || fwcfg_setup(m, cfg))
        what = "firmware configuration device (0x510)";
    else if (machine_vga_create(m, cfg))
        what = "VGA (0x3B0-0x3DF, 0x1CE, 0xA0000, 16 MiB of VRAM)";
    else if (machine_floppy_create(m, cfg))
        what = "DMA controllers and floppy controller (0x00, 0xC0, 0x81, 0x3F0)";
    else if (ps2kbd_attach_clock(&pc->kbc.kbd, &pc->sched))
        what = "PS/2 keyboard's typematic timer";
    else if (boot_order_fwcfg(m, m->pc.boot_once_pending ? m->boot_once : m->boot_order))
        what = "firmware configuration device's bootorder file";
    if (what) {
        set_err(err, "cannot create the %s: ports taken or too many timers", what);
        return MACHINE_ERR_NOMEM;
    }
    /* Virtual time is 0 and the TSC offset is 0 after cpu_init: the TSC starts at 0. */
    cpu_set_hooks(&m->cpu, &(struct cpu_hooks){ .intr_ack = intr_ack, .ferr_changed = ferr_changed,
                                                .tsc_clock = tsc_clock,
                                                .smm_changed = smm_changed, .opaque = m });
    cmos_setup(m);
    if (m->has_kernel)
        piix3_ide_enable(&pc->ide); /* no firmware will */
    return MACHINE_OK;
}

/* The reset line of every device (the RTC keeps its time and RAM; the PCI functions go
 * back to their reset values). */
static void reset_platform(struct machine *m)
{
    struct platform *pc = &m->pc;
    pc->reset_requested = 0;
    pc->poweroff_requested = 0;
    pic_reset(&pc->pic);
    pit_reset(&pc->pit);
    rtc_reset(&pc->rtc);
    uart_reset(&pc->com[0]);
    uart_reset(&pc->com[1]);
    kbc_reset(&pc->kbc);
    port92_reset(&pc->port92);
    postcode_reset(&pc->postcode);
    ferr_reset(&pc->ferr);
    pci_bus_reset(&pc->pci);
    i440fx_reset(&pc->i440fx);
    piix3_reset(&pc->piix3);
    piix3_ide_reset(&pc->ide);
    piix4_pm_reset(&pc->pm);
    fwcfg_reset(&pc->fwcfg);
    vga_reset(&pc->vga);
    dma_reset(&pc->dma);
    fdc_reset(&pc->fdc);
}

/* ---- Console attachment (-serial, -nographic) ---- */

/* COM1's UART transmits into the console's byte stream; what the host typed moves into the
 * UART's receive FIFO as it has room: when the host queues bytes (notify) and at every
 * slice boundary (machine_run), so a guest reading slowly loses nothing. */
static void console_tx(void *opaque, const uint8_t *buf, size_t n)
{
    struct machine *m = opaque;
    chardev_send(m->serial, buf, n);
}

static void console_feed(struct machine *m)
{
    struct uart *u = &m->pc.com[0];
    while (chardev_pending(m->serial) && uart_rx_space(u)) {
        uint8_t b = (uint8_t)chardev_getc(m->serial);
        uart_receive(u, &b, 1);
    }
}

static void console_notify(void *opaque)
{
    struct machine *m = opaque;
    if (!m->rr) /* recording or replaying, input moves only at boundaries (record.c) */
        console_feed(m);
}

static enum machine_status attach_console(struct machine *m, const struct machine_config *cfg,
                                          char *err)
{
    (void)err;
    if (!cfg->serial)
        return MACHINE_OK;
    m->serial = cfg->serial;
    m->serial->notify = console_notify;
    m->serial->notify_opaque = m;
    uart_set_backend(&m->pc.com[0], console_tx, m);
    uart_set_rx_room(&m->pc.com[0], console_notify);
    return MACHINE_OK;
}

/* ---- Direct Linux boot (-kernel, -initrd, -append) ---- */

/* Puts the CPU where the 32-bit boot protocol starts a kernel (boot.rst "32-bit BOOT
 * PROTOCOL"): protected mode, paging off, interrupts off, CS = __BOOT_CS and DS = ES =
 * SS = __BOOT_DS, flat 4 GiB segments from the GDT core/machine/linux_boot.c wrote, ESI = the
 * boot_params, EBP = EDI = EBX = 0. FS and GS get __BOOT_DS too. */
static void enter_linux32(struct cpu *cpu, const struct linux_entry *e)
{
    cpu_enter_flat32(cpu, &(struct cpu_flat_entry){ .cs = e->cs, .ds = e->ds,
                                                     .gdt_base = e->gdt_base,
                                                     .gdt_limit = e->gdt_limit, .eip = e->eip,
                                                     .esp = e->esp, .esi = e->esi });
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
    if (cpu_info(&m->cpu)->model < CPU_386) {
        set_err(err, "-kernel needs a 32-bit processor; the %s has none (use -cpu 386 or "
                "later)", cpu_info(&m->cpu)->name);
        return MACHINE_ERR_KERNEL;
    }
    if (linux_boot_open(&m->linux, cfg->kernel_path, cfg->initrd_path, cfg->append,
                        m->ram_top, err, MACHINE_ERRMAX) != 0)
        return MACHINE_ERR_KERNEL;
    enum machine_status st = boot_kernel_err(m, err);
    if (st)
        return st;
    m->has_kernel = true;
    m->kernel_size = (uint32_t)m->linux.kernel_size;
    m->kernel_crc = (uint32_t)crc32(0, m->linux.kernel, (uInt)m->linux.kernel_size);
    return MACHINE_OK;
}

enum machine_status machine_create(const struct machine_config *cfg, struct machine **out,
                                   char *err)
{
    *out = NULL;
    err[0] = '\0';
    struct machine_config rr_cfg;
    if (cfg->record_path || cfg->replay_path) {
        enum machine_status rst = machine_rr_config(cfg, &rr_cfg, err);
        if (rst)
            return rst;
        cfg = &rr_cfg;
    }
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
    char found[512];
    const char *bios_path = cfg->bios_path;
    if (!bios_path && !cfg->kernel_path) {
        st = find_bios(cfg, found, sizeof found, err);
        if (st)
            return st;
        bios_path = found;
    }
    if (bios_path) {
        st = read_bios(bios_path, &image, &size, err);
        if (st)
            return st;
    }

    struct machine *m = calloc(1, sizeof(*m));
    for (unsigned i = 0; m && i < MACHINE_IDE_DISKS; i++)
        m->disk[i].fd = -1; /* before anything can fail: destroy closes what is open */
    for (unsigned i = 0; m && i < MACHINE_FLOPPIES; i++)
        m->floppy[i].fd = -1;
    if (!m || physmem_init(&m->mem) != 0 || iobus_init(&m->io) != 0) {
        set_err(err, "out of memory creating the machine");
        free(image);
        machine_destroy(m);
        return MACHINE_ERR_NOMEM;
    }
    /* The default size shrinks to what the CPU can address below the firmware (a 286:
     * 16 MiB); a size the user gave that does not fit is refused by map_memory. */
    uint64_t below_rom = (uint64_t)model->addr_mask + 1 - size;
    if (!cfg->ram_size && ram > below_rom)
        ram = below_rom;
    m->no_reboot = cfg->no_reboot;
    st = boot_config(m, cfg, err);
    if (st) {
        free(image);
        machine_destroy(m);
        return st;
    }
    m->ram_size = ram;
    m->bios_size = size;
    m->bios_crc = image ? (uint32_t)crc32(0, image, size) : 0;
    cpu_init(&m->cpu, model->model, &m->mem, &m->io);
    if (!cpu_set_engine(&m->cpu, cfg->engine == MACHINE_ENGINE_INTERP     ? CPU_ENGINE_INTERP
                                 : cfg->engine == MACHINE_ENGINE_LOCKSTEP ? CPU_ENGINE_LOCKSTEP
                                                                          : CPU_ENGINE_TRANSLATE)) {
        set_err(err, "out of memory for lockstep's copies of the CPU");
        free(image);
        machine_destroy(m);
        return MACHINE_ERR_NOMEM;
    }
    cpu_set_native(&m->cpu, !cfg->native_off);
    st = map_memory(m, ram, image, size, err);
    free(image);
    if (!st)
        st = open_outputs(m, cfg, err);
    if (!st)
        st = open_disks(m, cfg, err);
    if (!st)
        st = machine_floppy_open(m, cfg, err);
    if (!st && cfg->kernel_path)
        st = load_kernel(m, cfg, err);
    if (st) {
        machine_destroy(m);
        return st;
    }
    uint16_t dport = cfg->debugcon_port ? cfg->debugcon_port : DEBUGCON_PORT;
    if (m->has_debugcon && debugcon_init(&m->debugcon, &m->io, dport, m->debugcon_out)) {
        set_err(err, "debugcon: port 0x%x is taken", dport);
        machine_destroy(m);
        return MACHINE_ERR_FILE;
    }
    st = create_platform(m, cfg, err);
    if (!st)
        st = add_option_roms(m, cfg, err);
    if (st) {
        machine_destroy(m);
        return st;
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
    st = machine_trace_open(m, cfg, err);
    if (!st)
        st = machine_rr_open(m, cfg, err);
    if (st) {
        machine_destroy(m);
        return st;
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
    machine_trace_flush(m);
}

/* Flushes f; true with one line in err when that or an earlier write to it failed
 * (known_errno: the cause of an earlier failure, if its writer kept it). */
static bool stream_failed(FILE *f, int known_errno, const char *name, char *err)
{
    if (!f)
        return false;
    bool failed = ferror(f) != 0 || known_errno;
    errno = 0;
    if (fflush(f) != 0)
        failed = true;
    if (!failed)
        return false;
    int e = known_errno ? known_errno : errno;
    set_err(err, "%s: cannot write: %s; free some space or write it somewhere else", name,
            e ? strerror(e) : "an earlier write failed");
    return true;
}

bool machine_output_error(struct machine *m, char *err)
{
    for (unsigned i = 0; i < MACHINE_IDE_DISKS + MACHINE_FLOPPIES; i++) {
        struct disk *d = i < MACHINE_IDE_DISKS ? &m->disk[i]
                                               : &m->floppy[i - MACHINE_IDE_DISKS];
        if (d->fd >= 0 && d->error) {
            set_err(err, "%s: cannot write: %s; free some space on its file system (the "
                    "guest was told the write failed)", d->what, strerror(d->error));
            return true;
        }
    }
    return stream_failed(m->debugcon_out, m->debugcon.write_errno, m->debugcon_name, err) ||
           stream_failed(m->log, 0, m->log_name, err) || machine_trace_failed(m, err) ||
           machine_rr_failed(m, err);
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    machine_rr_close(m);
    machine_trace_close(m);
    machine_flush(m);
    if (m->own_debugcon_out)
        fclose(m->debugcon_out);
    if (m->own_log)
        fclose(m->log);
    for (unsigned i = 0; i < MACHINE_IDE_DISKS; i++)
        disk_close(&m->disk[i]); /* flushes: the guest's writes are on the disk */
    for (unsigned i = 0; i < MACHINE_FLOPPIES; i++)
        disk_close(&m->floppy[i]);
    machine_media_free(m);
    linux_boot_free(&m->linux);
    fwcfg_free(&m->pc.fwcfg);
    vga_free(&m->pc.vga);
    cpu_free(&m->cpu);
    physmem_free(&m->mem);
    iobus_free(&m->io);
    free(m);
}

void machine_reset(struct machine *m)
{
    if (m->rr) {
        machine_rr_input(m, &(struct record_event){ .kind = RECORD_RESET });
        return;
    }
    machine_reset_apply(m);
}

void machine_reset_apply(struct machine *m)
{
    physmem_set_a20(&m->mem, true);
    cpu_reset(&m->cpu);
    if (m->has_debugcon)
        debugcon_reset(&m->debugcon);
    reset_platform(m);
    if (m->pc.boot_once_pending) { /* -boot once=: later boots follow order= */
        m->pc.boot_once_pending = false;
        boot_order_cmos(&m->pc.rtc, m->boot_order);
        rtc_cmos_checksum(&m->pc.rtc);
        /* The file is there since creation: only the host's memory can fail this, and
         * then once='s list stays, below the CMOS order the firmware also reads. */
        (void)boot_order_fwcfg(m, m->boot_order);
    }
    if (m->has_kernel) {
        piix3_ide_enable(&m->pc.ide);
        boot_kernel(m);
    }
}

bool machine_power_button(struct machine *m)
{
    if (m->rr)
        return machine_rr_input(m, &(struct record_event){ .kind = RECORD_POWER });
    return piix4_pm_power_button(&m->pc.pm);
}

void machine_mouse_move(struct machine *m, int dx, int dy, int dz, unsigned buttons)
{
    if (m->rr) {
        struct record_event e = { .kind = RECORD_MOUSE };
        e.u.mouse.dx = dx;
        e.u.mouse.dy = dy;
        e.u.mouse.dz = dz;
        e.u.mouse.buttons = (uint8_t)buttons;
        machine_rr_input(m, &e);
        return;
    }
    machine_mouse_apply(m, dx, dy, dz, buttons);
}

void machine_mouse_apply(struct machine *m, int dx, int dy, int dz, unsigned buttons)
{
    unsigned held = ((buttons & MACHINE_MOUSE_LEFT) ? PS2MOUSE_LEFT : 0) |
                    ((buttons & MACHINE_MOUSE_RIGHT) ? PS2MOUSE_RIGHT : 0) |
                    ((buttons & MACHINE_MOUSE_MIDDLE) ? PS2MOUSE_MIDDLE : 0);
    /* A PS/2 mouse counts Y up (away from the user), the window down; the wheel is
     * already the IntelliMouse's way round. */
    int up = dy == INT_MIN ? INT_MAX : -dy;
    kbc_mouse_move(&m->pc.kbc, dx, up, dz, held);
}

void machine_lockstep_stats(const struct machine *m, uint64_t *blocks, uint64_t *insns,
                            uint64_t *fenced)
{
    struct cpu_lockstep_stats st;
    cpu_lockstep_stats(&m->cpu, &st);
    *blocks = st.blocks;
    *insns = st.insns;
    *fenced = st.fenced;
}

uint64_t machine_instructions(const struct machine *m)
{
    return cpu_icount(&m->cpu);
}

uint64_t machine_time_ns(const struct machine *m)
{
    return sched_now(&m->pc.sched);
}

void machine_get_regs(struct machine *m, struct machine_regs *r)
{
    struct cpu_dbg_regs c;
    cpu_dbg_get_regs(&m->cpu, &c);
    memset(r, 0, sizeof *r);
    memcpy(r->gpr, c.gpr, sizeof r->gpr);
    r->eip = c.eip;
    r->eflags = c.eflags;
    r->cr0 = c.cr0;
    for (int s = 0; s < S_COUNT; s++) {
        r->seg[s] = c.sel[s];
        r->seg_base[s] = c.base[s];
        r->seg_limit[s] = c.limit[s];
    }
    r->gdt_base = c.gdtr_base;
    r->gdt_limit = c.gdtr_limit;
}

void machine_read_phys(struct machine *m, uint32_t addr, void *buf, size_t len)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)physmem_read(&m->mem, addr + (uint32_t)i, 1);
}

const char *machine_stop_message(const struct machine *m)
{
    return m->lockstep_report[0] ? m->lockstep_report : m->stop_msg;
}

static void set_stop(struct machine *m, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void set_stop(struct machine *m, const char *fmt, ...)
{
    char what[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    struct cpu_dbg_regs r;
    cpu_dbg_get_regs(&m->cpu, &r);
    if (r.attr[S_CS] & SEG_ATTR_DB)
        snprintf(m->stop_msg, sizeof m->stop_msg, "%s (at %04X:%08X)", what, r.sel[S_CS],
                 r.eip);
    else
        snprintf(m->stop_msg, sizeof m->stop_msg, "%s (at %04X:%04X)", what, r.sel[S_CS],
                 r.eip & 0xFFFF);
}

/* A reset, or a shutdown with no_reboot (which stays off). */
static enum machine_stop stop_for_reset(struct machine *m)
{
    if (m->no_reboot) {
        m->pc.off = PC_OFF_SHUTDOWN;
        return MACHINE_STOP_SHUTDOWN;
    }
    machine_reset_apply(m);
    return MACHINE_STOP_RESET;
}

enum machine_stop machine_run(struct machine *m, uint64_t n)
{
    struct cpu *cpu = &m->cpu;
    struct sched *s = &m->pc.sched;
    uint64_t done = 0;
    uint64_t idle_start = 0;
    bool idled = false;
    for (;;) {
        if (unlikely(m->pc.off))
            return m->pc.off == PC_OFF_POWEROFF ? MACHINE_STOP_POWEROFF : MACHINE_STOP_SHUTDOWN;
        if (unlikely(m->pc.poweroff_requested)) {
            m->pc.poweroff_requested = 0;
            m->pc.off = PC_OFF_POWEROFF;
            set_stop(m, "the guest turned the machine off (ACPI soft off)");
            return MACHINE_STOP_POWEROFF;
        }
        const char *why;
        enum cpu_status status = cpu_status(cpu, &why);
        if (unlikely(status == CPU_UNSUPPORTED)) {
            set_stop(m, "the guest needs %s, which orrery does not implement yet", why);
            return MACHINE_STOP_UNSUPPORTED;
        }
        if (unlikely(status == CPU_DIVERGED)) {
            machine_lockstep_report(m, why); /* the whole story: machine_stop_message */
            set_stop(m, "%s", why);
            return MACHINE_STOP_UNSUPPORTED;
        }
        if (unlikely(status == CPU_SHUTDOWN)) {
            set_stop(m, "%s", why);
            machine_trace_stopped(m, m->stop_msg);
            return stop_for_reset(m);
        }
        if (unlikely(m->pc.reset_requested)) {
            m->pc.reset_requested = 0;
            set_stop(m, "the guest reset the machine");
            return stop_for_reset(m);
        }
        /* A boundary: bring virtual time up to date and fire what is due. */
        sched_sync(s, cpu_interrupts_enabled(cpu));
        bool flooded = !sched_fire_due(s);
        /* Only an interrupt ends HLT (NMI has no source yet). */
        bool halted = status == CPU_HALTED;
        enum machine_stop rr_why;
        if (m->rr && machine_rr_boundary(m, halted, &rr_why))
            return rr_why; /* inputs recorded or replayed; a replay's end or departure */
        else if (m->rr)
            halted = cpu_status(cpu, &why) == CPU_HALTED; /* a reset button changes it */
        else if (m->serial)
            console_feed(m);
        if (halted && !cpu_interrupts_enabled(cpu)) {
            set_stop(m, "the guest halted with interrupts disabled");
            return MACHINE_STOP_HALT;
        }
        if (m->rr && machine_rr_stop(m, &rr_why))
            return rr_why;
        if (halted && !cpu_intr_pending(cpu)) {
            /* Waiting for a device: time goes to its next event (sleeping the host in
             * real time), for at most MACHINE_IDLE_MAX_NS of host time per call. */
            uint64_t host = s->host_now(s->host_opaque);
            if (!idled) {
                idled = true;
                idle_start = host;
            }
            uint64_t spent = host - idle_start;
            if (spent >= MACHINE_IDLE_MAX_NS || !sched_idle(s, MACHINE_IDLE_MAX_NS - spent)) {
                sched_fire_due(s);
                return MACHINE_STOP_BUDGET;
            }
            continue;
        }
        if (done >= n)
            return MACHINE_STOP_BUDGET;
        uint64_t slice = sched_slice(s, n - done);
        if (m->rr)
            slice = machine_rr_slice(m, slice);
        done += cpu_run(cpu, slice);
        sched_slice_done(s);
        if (unlikely(cpu_dbg_stopped(cpu, NULL, NULL) != CPU_DBG_NONE))
            return MACHINE_STOP_DEBUG;
        if (unlikely(flooded))
            return MACHINE_STOP_BUDGET; /* a runaway timer: the caller checks its signals */
    }
}
