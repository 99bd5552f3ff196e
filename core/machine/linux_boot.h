/* Direct Linux boot: the x86 boot protocol's 32-bit entry (Documentation/arch/x86/boot.rst,
 * protocol 2.10 and later), with no firmware.
 *
 * linux_boot_open reads and checks the kernel, the initrd and the command line into host
 * memory (kept for the machine's life, so a reset boots the same kernel again).
 * linux_boot_place writes the protected-mode kernel, the initrd, the command line, the
 * boot_params "zero page" and a flat GDT into guest RAM and says how to enter the kernel;
 * core/machine/machine.c loads that state into the CPU (the only file that touches cpu/). */
#ifndef ORRERY_CORE_MACHINE_LINUX_BOOT_H
#define ORRERY_CORE_MACHINE_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "mmu/physmem.h"

/* Where orrery puts things in guest RAM. All of it is below 640 KiB except the kernel
 * (its load address, code32_start's default) and the initrd (as high as it may go). */
#define LINUX_GDT_ADDR 0x1000u        /* the boot GDT: null, null, __BOOT_CS, __BOOT_DS */
#define LINUX_STACK_TOP 0x8000u       /* ESP at entry (the protocol needs none; harmless) */
#define LINUX_PARAMS_ADDR 0x10000u    /* struct boot_params, 4 KiB */
#define LINUX_CMDLINE_ADDR 0x20000u   /* the command line, NUL terminated */
#define LINUX_CMDLINE_MAX 0x10000u    /* its room: 64 KiB, far above any cmdline_size */
#define LINUX_KERNEL_ADDR 0x100000u   /* the protected-mode kernel */
#define LINUX_BOOT_CS 0x10u           /* __BOOT_CS */
#define LINUX_BOOT_DS 0x18u           /* __BOOT_DS */
#define LINUX_MIN_PROTOCOL 0x020Au    /* 2.10: init_size, pref_address, kernel_alignment */

/* Offsets in the setup header and in boot_params (boot.rst "The real-mode kernel header";
 * zero-page.rst). The header lives at the same offsets in the image and in boot_params. */
enum {
    BP_SCREEN_INFO = 0x000, BP_ALT_MEM_K = 0x1E0, BP_E820_ENTRIES = 0x1E8,
    BP_HDR = 0x1F1, BP_E820_TABLE = 0x2D0, BP_E820_MAX = 128, BP_SIZE = 0x1000,

    HDR_SETUP_SECTS = 0x1F1, HDR_SYSSIZE = 0x1F4, HDR_VID_MODE = 0x1FA, HDR_BOOT_FLAG = 0x1FE,
    HDR_JUMP = 0x200, HDR_MAGIC = 0x202, HDR_VERSION = 0x206, HDR_TYPE_OF_LOADER = 0x210,
    HDR_LOADFLAGS = 0x211, HDR_CODE32_START = 0x214, HDR_RAMDISK_IMAGE = 0x218,
    HDR_RAMDISK_SIZE = 0x21C, HDR_HEAP_END_PTR = 0x224, HDR_CMD_LINE_PTR = 0x228,
    HDR_INITRD_ADDR_MAX = 0x22C, HDR_KERNEL_ALIGNMENT = 0x230, HDR_RELOCATABLE = 0x234,
    HDR_XLOADFLAGS = 0x236, HDR_CMDLINE_SIZE = 0x238, HDR_PREF_ADDRESS = 0x258,
    HDR_INIT_SIZE = 0x260, HDR_END_MAX = 0x290, /* boot_params' edd_mbr_sig_buffer follows */

    SI_ORIG_X = 0x00, SI_ORIG_Y = 0x01, SI_EXT_MEM_K = 0x02, SI_ORIG_VIDEO_MODE = 0x06,
    SI_ORIG_VIDEO_COLS = 0x07, SI_ORIG_VIDEO_EGA_BX = 0x0A, SI_ORIG_VIDEO_LINES = 0x0E,
    SI_ORIG_VIDEO_ISVGA = 0x0F, SI_ORIG_VIDEO_POINTS = 0x10,
};
enum { LF_LOADED_HIGH = 0x01, LF_QUIET = 0x20, LF_KEEP_SEGMENTS = 0x40, LF_CAN_USE_HEAP = 0x80 };
enum { XLF_KERNEL_64 = 0x01 };
enum { E820_RAM = 1, E820_RESERVED = 2 };

/* The files, in host memory. */
struct linux_boot {
    uint8_t *kernel;          /* the whole bzImage file */
    size_t kernel_size;
    uint8_t *initrd;          /* NULL: no initrd */
    size_t initrd_size;
    char *cmdline;            /* never NULL ("" when -append is absent) */
    char kernel_path[128];    /* for messages (truncated) */
    char initrd_path[128];
    /* From the setup header, checked by linux_boot_open. */
    uint16_t version;
    uint32_t setup_size;      /* (setup_sects + 1) * 512: where the protected-mode part starts */
    uint32_t pm_size;         /* the protected-mode part's size */
    uint32_t run_addr;        /* where the decompressed kernel runs (pref_address or above) */
    uint32_t init_size;       /* RAM it needs from run_addr while it starts */
    uint32_t initrd_addr_max;
    uint32_t cmdline_size;    /* longest command line it accepts, without the NUL */
};

/* How to enter the kernel (boot.rst "32-bit Boot Protocol"): flat __BOOT_CS/__BOOT_DS from
 * the GDT, protected mode, paging and interrupts off, ESI = boot_params, EBP/EDI/EBX = 0. */
struct linux_entry {
    uint32_t eip;             /* code32_start */
    uint32_t esi;             /* boot_params */
    uint32_t esp;
    uint32_t gdt_base;
    uint16_t gdt_limit;
    uint16_t cs, ds;
};

/* One range of the e820 map the zero page gets. */
struct linux_e820 {
    uint64_t addr, size;
    uint32_t type;
};

/* Reads and checks the files. initrd and cmdline may be NULL. The initrd's size is checked
 * against RAM [0, ram_top) before it is read (a huge file fails at once, not after being
 * read whole). On failure returns -1 with one line in err (err_len bytes) and leaves lb
 * empty. */
int linux_boot_open(struct linux_boot *lb, const char *kernel, const char *initrd,
                    const char *cmdline, uint64_t ram_top, char *err, size_t err_len);

/* The same from a kernel already in memory (tests; the buffers are copied). */
int linux_boot_from_memory(struct linux_boot *lb, const uint8_t *kernel, size_t kernel_size,
                           const uint8_t *initrd, size_t initrd_size, const char *cmdline,
                           char *err, size_t err_len);

void linux_boot_free(struct linux_boot *lb);

/* Fills the e820 map for RAM [0, ram_top) with a PC's holes; returns the entry count. */
unsigned linux_boot_e820(uint64_t ram_top, struct linux_e820 *map, unsigned max);

/* Writes everything into guest RAM [0, ram_top) and fills *entry. Returns -1 with one line
 * in err when the kernel or the initrd does not fit. */
int linux_boot_place(const struct linux_boot *lb, struct physmem *pm, uint64_t ram_top,
                     struct linux_entry *entry, char *err, size_t err_len);

#endif
