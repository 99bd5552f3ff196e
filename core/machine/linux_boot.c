/* Direct Linux boot through the 32-bit entry of the x86 boot protocol. Facts from
 * Documentation/arch/x86/boot.rst ("BOOT PROTOCOL", "32-bit BOOT PROTOCOL") and
 * zero-page.rst; see linux_boot.h for what lives where in guest RAM. */
#include "core/machine/linux_boot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/bits.h"
#include "core/compiler.h"

#define MIB (1u << 20)
/* Files larger than this cannot fit the largest RAM orrery gives a guest. */
#define FILE_MAX (3584ull << 20)

static void fail(char *err, size_t len, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

/* RAM in whole MiB, rounded up: what to tell the user to give -m. */
static unsigned long long mib_up(uint64_t bytes)
{
    return (unsigned long long)((bytes + MIB - 1) / MIB);
}

/* Opens a regular file for reading and gives its size; NULL with one line in err. */
static FILE *open_file(const char *what, const char *path, uint64_t *size, char *err,
                       size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, len, "cannot open %s '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fail(err, len, "%s '%s' is not a regular file", what, path);
        fclose(f);
        return NULL;
    }
    *size = (uint64_t)st.st_size;
    if (*size > FILE_MAX) {
        fail(err, len, "%s '%s' is %llu MiB, larger than any guest RAM (3584 MiB)", what, path,
             mib_up(*size));
        fclose(f);
        return NULL;
    }
    return f;
}

/* Reads the n bytes of f (from open_file) into a fresh buffer and closes f. */
static int read_file(FILE *f, const char *what, const char *path, uint64_t n, uint8_t **out,
                     size_t *size, char *err, size_t len)
{
    *out = malloc(n ? (size_t)n : 1);
    if (!*out) {
        fail(err, len, "out of memory reading %s '%s'", what, path);
        fclose(f);
        return -1;
    }
    if (fread(*out, 1, (size_t)n, f) != n) {
        fail(err, len, "cannot read %s '%s': %s", what, path,
             ferror(f) ? strerror(errno) : "file shrank while reading");
        fclose(f);
        free(*out);
        *out = NULL;
        return -1;
    }
    fclose(f);
    *size = (size_t)n;
    return 0;
}

/* Checks the setup header and derives where the kernel will run (boot.rst, the fields of
 * protocol 2.10). The 32-bit decompressor (arch/x86/boot/compressed/head_32.S) moves
 * itself to the load address rounded up to kernel_alignment but never below pref_address
 * (LOAD_PHYSICAL_ADDR) when relocatable, and to pref_address when not; from there it needs
 * init_size bytes. */
static int check_kernel(struct linux_boot *lb, char *err, size_t len)
{
    const uint8_t *k = lb->kernel;
    const char *p = lb->kernel_path;
    if (lb->kernel_size < HDR_END_MAX || memcmp(k + HDR_MAGIC, "HdrS", 4) != 0 ||
        load_le16(k + HDR_BOOT_FLAG) != 0xAA55) {
        fail(err, len, "kernel '%s' is not a Linux bzImage (no \"HdrS\" boot header); give "
             "-kernel a bzImage such as /boot/vmlinuz-*", p);
        return -1;
    }
    lb->version = load_le16(k + HDR_VERSION);
    if (lb->version < LINUX_MIN_PROTOCOL) {
        fail(err, len, "kernel '%s' speaks boot protocol %u.%02u; orrery needs 2.10 or later "
             "(Linux 2.6.31 on)", p, lb->version >> 8, lb->version & 0xFF);
        return -1;
    }
    if (!(k[HDR_LOADFLAGS] & LF_LOADED_HIGH)) {
        fail(err, len, "kernel '%s' is a zImage (loaded below 1 MiB); orrery boots bzImages "
             "only", p);
        return -1;
    }
    if (load_le16(k + HDR_XLOADFLAGS) & XLF_KERNEL_64) {
        fail(err, len, "kernel '%s' is a 64-bit kernel; orrery emulates 32-bit processors, "
             "give it an i386/686 kernel", p);
        return -1;
    }
    unsigned sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4; /* 0 means 4 (boot.rst) */
    lb->setup_size = (sects + 1) * 512u;
    if (lb->kernel_size <= lb->setup_size) {
        fail(err, len, "kernel '%s' is truncated: %zu bytes, but its setup alone is %u bytes",
             p, lb->kernel_size, lb->setup_size);
        return -1;
    }
    lb->pm_size = (uint32_t)(lb->kernel_size - lb->setup_size);
    /* syssize: the protected-mode part in 16-byte units (protocol 2.04 on: 32 bits). A
     * file cut short would decompress garbage and reset the guest for ever. */
    uint64_t sys = (uint64_t)load_le32(k + HDR_SYSSIZE) * 16u;
    if (sys > lb->pm_size) {
        fail(err, len, "kernel '%s' is truncated: its header says %llu bytes follow the "
             "setup, the file has %u; give the whole bzImage", p, (unsigned long long)sys,
             lb->pm_size);
        return -1;
    }
    uint32_t code32 = load_le32(k + HDR_CODE32_START);
    bool relocatable = k[HDR_RELOCATABLE] != 0;
    if (code32 != LINUX_KERNEL_ADDR && !relocatable) {
        fail(err, len, "kernel '%s' must be loaded at 0x%x (code32_start) and is not "
             "relocatable; orrery loads kernels at 0x%x", p, code32, LINUX_KERNEL_ADDR);
        return -1;
    }
    uint64_t pref = load_le32(k + HDR_PREF_ADDRESS); /* the high half is 0 for 32-bit kernels */
    uint64_t align = load_le32(k + HDR_KERNEL_ALIGNMENT);
    uint64_t run = LINUX_KERNEL_ADDR;
    if (relocatable && align && !(align & (align - 1)))
        run = (run + align - 1) & ~(align - 1);
    if (!relocatable || run < pref)
        run = pref;
    if (run < LINUX_KERNEL_ADDR)
        run = LINUX_KERNEL_ADDR;
    lb->init_size = load_le32(k + HDR_INIT_SIZE);
    if (run + lb->init_size > 0xFFFFFFFFull) {
        fail(err, len, "kernel '%s' asks for RAM beyond 4 GiB (run address 0x%llx, init_size "
             "0x%x)", p, (unsigned long long)run, lb->init_size);
        return -1;
    }
    lb->run_addr = (uint32_t)run;
    lb->initrd_addr_max = load_le32(k + HDR_INITRD_ADDR_MAX);
    lb->cmdline_size = load_le32(k + HDR_CMDLINE_SIZE);
    size_t clen = strlen(lb->cmdline);
    if (clen > lb->cmdline_size || clen >= LINUX_CMDLINE_MAX) {
        fail(err, len, "-append: the command line is %zu bytes; kernel '%s' takes at most %u",
             clen, p, lb->cmdline_size < LINUX_CMDLINE_MAX ? lb->cmdline_size
                                                             : LINUX_CMDLINE_MAX - 1);
        return -1;
    }
    return 0;
}

static int plan(const struct linux_boot *lb, uint64_t initrd_size, uint64_t ram_top,
                uint32_t *initrd_addr, char *err, size_t len);

static void set_path(char *dst, size_t n, const char *path)
{
    snprintf(dst, n, "%s", path ? path : "");
}

static int finish_open(struct linux_boot *lb, const char *cmdline, char *err, size_t len)
{
    lb->cmdline = strdup(cmdline ? cmdline : "");
    if (!lb->cmdline) {
        fail(err, len, "out of memory for the kernel command line");
        linux_boot_free(lb);
        return -1;
    }
    if (check_kernel(lb, err, len) != 0) {
        linux_boot_free(lb);
        return -1;
    }
    return 0;
}

int linux_boot_open(struct linux_boot *lb, const char *kernel, const char *initrd,
                    const char *cmdline, uint64_t ram_top, char *err, size_t err_len)
{
    memset(lb, 0, sizeof *lb);
    set_path(lb->kernel_path, sizeof lb->kernel_path, kernel);
    set_path(lb->initrd_path, sizeof lb->initrd_path, initrd);
    if (!kernel || !*kernel) {
        fail(err, err_len, "no kernel given (use -kernel FILE)");
        return -1;
    }
    uint64_t n;
    FILE *f = open_file("kernel", kernel, &n, err, err_len);
    if (!f || read_file(f, "kernel", kernel, n, &lb->kernel, &lb->kernel_size, err, err_len))
        return -1;
    if (finish_open(lb, cmdline, err, err_len) != 0)
        return -1;
    if (!initrd)
        return 0;
    /* The size decides whether it fits before a byte of it is read. */
    uint32_t addr;
    f = open_file("initrd", initrd, &n, err, err_len);
    if (f && plan(lb, n, ram_top, &addr, err, err_len) != 0) {
        fclose(f);
        f = NULL;
    }
    if (!f || read_file(f, "initrd", initrd, n, &lb->initrd, &lb->initrd_size, err, err_len)) {
        linux_boot_free(lb);
        return -1;
    }
    return 0;
}

int linux_boot_from_memory(struct linux_boot *lb, const uint8_t *kernel, size_t kernel_size,
                           const uint8_t *initrd, size_t initrd_size, const char *cmdline,
                           char *err, size_t err_len)
{
    memset(lb, 0, sizeof *lb);
    set_path(lb->kernel_path, sizeof lb->kernel_path, "(memory)");
    set_path(lb->initrd_path, sizeof lb->initrd_path, "(memory)");
    lb->kernel = malloc(kernel_size ? kernel_size : 1);
    lb->initrd = initrd ? malloc(initrd_size ? initrd_size : 1) : NULL;
    if (!lb->kernel || (initrd && !lb->initrd)) {
        fail(err, err_len, "out of memory for the kernel");
        linux_boot_free(lb);
        return -1;
    }
    memcpy(lb->kernel, kernel, kernel_size);
    lb->kernel_size = kernel_size;
    if (initrd) {
        memcpy(lb->initrd, initrd, initrd_size);
        lb->initrd_size = initrd_size;
    }
    return finish_open(lb, cmdline, err, err_len);
}

void linux_boot_free(struct linux_boot *lb)
{
    free(lb->kernel);
    free(lb->initrd);
    free(lb->cmdline);
    memset(lb, 0, sizeof *lb);
}

/* A PC's map (the brief of issue 5, as a BIOS reports it): conventional memory below
 * 640 KiB, the VGA window and ROMs reserved up to 1 MiB, RAM from 1 MiB to the top. */
unsigned linux_boot_e820(uint64_t ram_top, struct linux_e820 *map, unsigned max)
{
    const struct linux_e820 fixed[] = {
        { 0, 0xA0000, E820_RAM },
        { 0xA0000, LINUX_KERNEL_ADDR - 0xA0000, E820_RESERVED },
        { LINUX_KERNEL_ADDR, ram_top - LINUX_KERNEL_ADDR, E820_RAM },
    };
    unsigned n = ram_top > LINUX_KERNEL_ADDR ? 3 : 2;
    if (n > max)
        n = max;
    memcpy(map, fixed, n * sizeof *map);
    return n;
}

/* Copies into guest RAM; fails if any byte of the range is not RAM. */
static int copy_to_guest(struct physmem *pm, uint32_t addr, const void *src, size_t n)
{
    const uint8_t *s = src;
    while (n) {
        uint8_t *dst = physmem_host_ptr(pm, addr, true);
        if (!dst)
            return -1;
        size_t room = PHYS_PAGE_SIZE - (addr & (PHYS_PAGE_SIZE - 1));
        size_t chunk = n < room ? n : room;
        memcpy(dst, s, chunk);
        s += chunk;
        n -= chunk;
        addr += (uint32_t)chunk;
    }
    return 0;
}

/* The boot GDT (boot.rst: "__BOOT_CS(0x10) and __BOOT_DS(0x18); both descriptors must be
 * 4G flat segment; __BOOT_CS must have execute/read permission, and __BOOT_DS must have
 * read/write permission"). Entries 0 and 1 are null. */
static void build_gdt(uint8_t gdt[32])
{
    memset(gdt, 0, 32);
    /* limit 0xFFFFF, base 0, G=1 D/B=1, present, DPL 0; type 0xB code exec/read accessed,
     * 0x3 data read/write accessed. */
    store_le32(gdt + 16, 0x0000FFFFu);
    store_le32(gdt + 20, 0x00CF9B00u);
    store_le32(gdt + 24, 0x0000FFFFu);
    store_le32(gdt + 28, 0x00CF9300u);
}

static void store_le64(uint8_t *p, uint64_t v)
{
    store_le32(p, (uint32_t)v);
    store_le32(p + 4, (uint32_t)(v >> 32));
}

/* The zero page (zero-page.rst): the setup header as the image has it, then the loader's
 * fields (boot.rst "Details of header fields": type_of_loader, loadflags, ramdisk_*,
 * cmd_line_ptr), the memory map and a VGA text screen. */
static void build_params(const struct linux_boot *lb, uint64_t ram_top, uint32_t initrd_addr,
                         uint8_t bp[BP_SIZE])
{
    const uint8_t *k = lb->kernel;
    memset(bp, 0, BP_SIZE);
    /* The header ends at 0x202 + the byte at 0x201 (the jump's offset). */
    size_t end = 0x202u + k[HDR_JUMP + 1];
    if (end > HDR_END_MAX)
        end = HDR_END_MAX;
    memcpy(bp + BP_HDR, k + BP_HDR, end - BP_HDR);

    bp[HDR_TYPE_OF_LOADER] = 0xFF; /* "undefined" boot loader */
    /* LOADED_HIGH stays; QUIET off so the kernel prints, KEEP_SEGMENTS off so it loads its
     * own segments, CAN_USE_HEAP off: the real-mode setup code does not run. */
    bp[HDR_LOADFLAGS] = LF_LOADED_HIGH;
    store_le32(bp + HDR_CODE32_START, LINUX_KERNEL_ADDR);
    store_le32(bp + HDR_RAMDISK_IMAGE, lb->initrd ? initrd_addr : 0);
    store_le32(bp + HDR_RAMDISK_SIZE, lb->initrd ? (uint32_t)lb->initrd_size : 0);
    store_le32(bp + HDR_CMD_LINE_PTR, LINUX_CMDLINE_ADDR);
    store_le16(bp + HDR_VID_MODE, 0xFFFF); /* "normal" */

    uint64_t ext_k = (ram_top - LINUX_KERNEL_ADDR) / 1024;
    store_le32(bp + BP_ALT_MEM_K, (uint32_t)ext_k);

    /* screen_info: an 80x25 colour VGA text mode (mode 3), cursor at the top left. */
    uint8_t *si = bp + BP_SCREEN_INFO;
    si[SI_ORIG_X] = 0;
    si[SI_ORIG_Y] = 0;
    store_le16(si + SI_EXT_MEM_K, (uint16_t)(ext_k > 0xFFFF ? 0xFFFF : ext_k));
    si[SI_ORIG_VIDEO_MODE] = 3;
    si[SI_ORIG_VIDEO_COLS] = 80;
    store_le16(si + SI_ORIG_VIDEO_EGA_BX, 0x0003);
    si[SI_ORIG_VIDEO_LINES] = 25;
    si[SI_ORIG_VIDEO_ISVGA] = 1; /* VIDEO_TYPE_VGAC */
    store_le16(si + SI_ORIG_VIDEO_POINTS, 16);

    struct linux_e820 map[BP_E820_MAX];
    unsigned n = linux_boot_e820(ram_top, map, BP_E820_MAX);
    bp[BP_E820_ENTRIES] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + 20 * i;
        store_le64(e, map[i].addr);
        store_le64(e + 8, map[i].size);
        store_le32(e + 16, map[i].type);
    }
}

/* Where everything goes in RAM [0, ram_top) with an initrd of initrd_size bytes (when
 * lb has one, or is about to): the kernel's span, and the initrd's address. -1 with one
 * line when it does not fit, suggesting an -m only when one would do. */
static int plan(const struct linux_boot *lb, uint64_t initrd_size, uint64_t ram_top,
                uint32_t *initrd_addr, char *err, size_t len)
{
    const char *p = lb->kernel_path;
    uint64_t load_end = (uint64_t)LINUX_KERNEL_ADDR + lb->pm_size;
    uint64_t run_end = (uint64_t)lb->run_addr + lb->init_size;
    uint64_t kernel_end = load_end > run_end ? load_end : run_end;
    if (kernel_end > ram_top) {
        if (kernel_end > FILE_MAX)
            fail(err, len, "kernel '%s' needs RAM up to %llu MiB to start (it runs at 0x%x "
                 "and needs 0x%x bytes there), more than orrery's largest -m (3584 MiB)", p,
                 mib_up(kernel_end), lb->run_addr, lb->init_size);
        else
            fail(err, len, "kernel '%s' needs RAM up to %llu MiB to start (it runs at 0x%x "
                 "and needs 0x%x bytes there); give -m %llu or more", p, mib_up(kernel_end),
                 lb->run_addr, lb->init_size, mib_up(kernel_end));
        return -1;
    }
    *initrd_addr = 0;
    if (!initrd_size && !lb->initrd)
        return 0;
    /* As high as allowed (boot.rst: "as high as possible" below initrd_addr_max), on a page
     * boundary, above everything the kernel needs while it starts. */
    uint64_t top = ram_top;
    if (top > (uint64_t)lb->initrd_addr_max + 1)
        top = (uint64_t)lb->initrd_addr_max + 1;
    uint64_t size = initrd_size;
    if (size > top || ((top - size) & ~(uint64_t)(PHYS_PAGE_SIZE - 1)) < kernel_end) {
        uint64_t need = ((kernel_end + PHYS_PAGE_SIZE - 1) & ~(uint64_t)(PHYS_PAGE_SIZE - 1)) +
                        size;
        const char *path = lb->initrd_path;
        if (top < ram_top)
            fail(err, len, "initrd '%s' (%llu MiB) does not fit below the kernel's "
                 "initrd_addr_max 0x%x above the kernel; use a smaller initrd", path,
                 mib_up(size), lb->initrd_addr_max);
        else if (need > FILE_MAX || (uint64_t)lb->initrd_addr_max + 1 < need)
            fail(err, len, "initrd '%s' (%llu MiB) does not fit in RAM above the kernel "
                 "(which needs up to %llu MiB) with any -m; use a smaller initrd", path,
                 mib_up(size), mib_up(kernel_end));
        else
            fail(err, len, "initrd '%s' (%llu MiB) does not fit in RAM above the kernel "
                 "(which needs up to %llu MiB); give -m %llu or more", path, mib_up(size),
                 mib_up(kernel_end), mib_up(need));
        return -1;
    }
    *initrd_addr = (uint32_t)((top - size) & ~(uint64_t)(PHYS_PAGE_SIZE - 1));
    return 0;
}

int linux_boot_place(const struct linux_boot *lb, struct physmem *pm, uint64_t ram_top,
                     struct linux_entry *entry, char *err, size_t len)
{
    uint32_t initrd_addr;
    if (plan(lb, lb->initrd ? lb->initrd_size : 0, ram_top, &initrd_addr, err, len) != 0)
        return -1;

    uint8_t gdt[32];
    uint8_t *bp = calloc(1, BP_SIZE);
    if (!bp) {
        fail(err, len, "out of memory building the boot parameters");
        return -1;
    }
    build_gdt(gdt);
    build_params(lb, ram_top, initrd_addr, bp);
    int bad = copy_to_guest(pm, LINUX_GDT_ADDR, gdt, sizeof gdt) ||
              copy_to_guest(pm, LINUX_PARAMS_ADDR, bp, BP_SIZE) ||
              copy_to_guest(pm, LINUX_CMDLINE_ADDR, lb->cmdline, strlen(lb->cmdline) + 1) ||
              copy_to_guest(pm, LINUX_KERNEL_ADDR, lb->kernel + lb->setup_size, lb->pm_size) ||
              (lb->initrd && copy_to_guest(pm, initrd_addr, lb->initrd, lb->initrd_size));
    free(bp);
    if (bad) {
        fail(err, len, "guest RAM is missing where the kernel goes (RAM top 0x%llx)",
             (unsigned long long)ram_top);
        return -1;
    }
    entry->eip = LINUX_KERNEL_ADDR;
    entry->esi = LINUX_PARAMS_ADDR;
    entry->esp = LINUX_STACK_TOP;
    entry->gdt_base = LINUX_GDT_ADDR;
    entry->gdt_limit = sizeof gdt - 1;
    entry->cs = LINUX_BOOT_CS;
    entry->ds = LINUX_BOOT_DS;
    return 0;
}
