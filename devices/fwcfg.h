/* QEMU's firmware configuration interface (fw_cfg), as QEMU's docs/specs/fw_cfg.rst
 * specifies it for x86: what SeaBIOS reads to learn the machine (memory map, CPUs, boot
 * order, tables).
 *
 * Ports: the selector at 0x510 (16 bits, little-endian; bit 14, the old write channel, is
 * ignored, bit 15 selects the architecture-specific keys), the data register at 0x511 (each
 * read returns the selected item's next byte, 0 past its end; writes are ignored), and the
 * DMA address register at 0x514-0x51B (64 bits, big-endian: the high half at 0x514, the low
 * half at 0x518, whose write starts the transfer; reading it gives "QEMU CFG").
 *
 * DMA: the address names a control structure in guest memory, { be32 control, be32 length,
 * be64 address }. Control bit 3 selects the item in its upper 16 bits, then bit 1 reads
 * `length` bytes to `address` (zeros past the item's end), else bit 4 asks for a write
 * (every item here is read only: refused with the error bit), else bit 2 skips `length`
 * bytes. The device writes control back: 0 when done, bit 0 on error. Transfers go
 * through physmem and finish before the OUT returns.
 *
 * Items are configuration, built by the machine at creation (fwcfg_add, fwcfg_add_file)
 * and rebuilt the same way, never saved; the guest state is the selector, the offset and
 * the DMA register's high half. The signature (key 0, "QEMU"), the feature bits (key 1:
 * traditional and DMA interfaces) and the file directory (key 0x19: be32 count, then per
 * file be32 size, be16 key, be16 reserved, 56 bytes of NUL-terminated name; files from key
 * 0x20 on) are the device's own. */
#ifndef ORRERY_DEVICES_FWCFG_H
#define ORRERY_DEVICES_FWCFG_H

#include <stdint.h>

#include "core/iobus.h"
#include "core/savestate.h"
#include "mmu/physmem.h"

#define FWCFG_PORT_SELECTOR 0x510
#define FWCFG_PORT_DATA 0x511
#define FWCFG_PORT_DMA 0x514 /* 8 ports: high half, then low half */

/* Selector keys (fw_cfg.rst and QEMU's list of them). */
enum {
    FWCFG_SIGNATURE = 0x00, FWCFG_ID = 0x01, FWCFG_UUID = 0x02, FWCFG_RAM_SIZE = 0x03,
    FWCFG_NOGRAPHIC = 0x04, FWCFG_NB_CPUS = 0x05, FWCFG_BOOT_MENU = 0x0E,
    FWCFG_MAX_CPUS = 0x0F, FWCFG_FILE_DIR = 0x19, FWCFG_FILE_FIRST = 0x20,
    FWCFG_ARCH_LOCAL = 0x8000,
};
enum { FWCFG_ID_TRADITIONAL = 0x01, FWCFG_ID_DMA = 0x02 };
enum { FWCFG_DMA_ERROR = 0x01, FWCFG_DMA_READ = 0x02, FWCFG_DMA_SKIP = 0x04,
       FWCFG_DMA_SELECT = 0x08, FWCFG_DMA_WRITE = 0x10 };

#define FWCFG_MAX_ITEMS 48
#define FWCFG_MAX_FILES 32
#define FWCFG_NAME_MAX 56 /* with the NUL */

struct fwcfg_state {
    uint16_t selector;  /* the key selected, as written (bit 14 dropped) */
    uint8_t pad[2];
    uint32_t offset;    /* into the selected item */
    uint32_t dma_high;  /* the DMA address's high half, as written (big-endian value) */
};

struct fwcfg_item {
    uint16_t key;
    uint32_t len;
    uint8_t *data;      /* owned */
};

struct fwcfg {
    struct fwcfg_state s;
    /* Configuration, host side: rebuilt by whoever creates the device. */
    struct fwcfg_item item[FWCFG_MAX_ITEMS];
    unsigned nitems;
    unsigned nfiles;
    struct physmem *mem; /* wiring: DMA */
};

int fwcfg_init(struct fwcfg *f, struct iobus *bus, struct physmem *mem);
void fwcfg_free(struct fwcfg *f);
void fwcfg_reset(struct fwcfg *f);
/* Adds (or replaces) the item at key with a copy of len bytes. Returns -1 when the table
 * is full or the key is the device's own (signature, ID, directory). */
int fwcfg_add(struct fwcfg *f, uint16_t key, const void *data, uint32_t len);
/* Adds a named file at the next free key from FWCFG_FILE_FIRST and lists it in the
 * directory. Returns its key, or -1 (no room, a name too long or already there). */
int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data, uint32_t len);
/* Gives the file called name new contents (its directory entry the new size), or adds it
 * as fwcfg_add_file does. Returns its key, or -1. A guest reading it at that moment goes
 * on at its offset in the new contents. */
int fwcfg_set_file(struct fwcfg *f, const char *name, const void *data, uint32_t len);

extern const struct savestate_desc fwcfg_savestate; /* describes struct fwcfg_state */

#endif
