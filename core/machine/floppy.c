/* The floppy side of the machine: the 8237 DMA pair and the 82077AA with the images of
 * -fda/-fdb, and what the firmware reads of them in CMOS (drive types at 0x10, the
 * equipment byte's floppy bits at 0x14). machine.c calls these in the places it builds,
 * resets and describes the other devices. */
#include <stdio.h>
#include <string.h>

#include "core/machine/machine_impl.h"

enum machine_status machine_floppy_open(struct machine *m, const struct machine_config *cfg,
                                        char *err)
{
    m->media_snapshot = cfg->snapshot;
    for (unsigned i = 0; i < MACHINE_FLOPPIES; i++) {
        m->floppy_readonly[i] = cfg->floppy_readonly[i];
        if (!cfg->floppy[i])
            continue;
        char what[600];
        snprintf(what, sizeof what, "-fd%c %s", 'a' + i, cfg->floppy[i]);
        unsigned flags = cfg->snapshot ? DISK_SNAPSHOT
                         : cfg->floppy_readonly[i] ? DISK_READONLY : 0;
        if (disk_open(&m->floppy[i], cfg->floppy[i], what, flags, err, MACHINE_ERRMAX))
            return MACHINE_ERR_DISK;
        if (!fdc_format_for_size(m->floppy[i].size)) {
            snprintf(err, MACHINE_ERRMAX, "%.80s: %llu bytes is not a floppy image size; give "
                     "one of %s (truncate -s 1440K FILE makes a blank 1.44M)",
                     m->floppy[i].what,
                     (unsigned long long)m->floppy[i].size, fdc_format_list());
            return MACHINE_ERR_DISK;
        }
        if (machine_media_remember(m, MACHINE_IDE_DISKS + i, cfg->floppy[i])) {
            snprintf(err, MACHINE_ERRMAX, "out of memory");
            return MACHINE_ERR_NOMEM;
        }
    }
    return MACHINE_OK;
}

int machine_floppy_create(struct machine *m, const struct machine_config *cfg)
{
    struct platform *pc = &m->pc;
    struct disk *disks[FDC_DRIVES];
    bool ro[FDC_DRIVES];
    for (unsigned i = 0; i < FDC_DRIVES; i++) {
        disks[i] = m->floppy[i].fd >= 0 ? &m->floppy[i] : NULL;
        ro[i] = cfg->floppy_readonly[i];
    }
    if (dma_init(&pc->dma, &m->io, &m->mem))
        return -1;
    return fdc_init(&pc->fdc, &m->io, &pc->sched, &pc->dma, &pc->irq[FDC_IRQ], disks, ro);
}

void machine_floppy_cmos(struct machine *m)
{
    struct rtc *r = &m->pc.rtc;
    uint8_t types = fdc_cmos_types(&m->pc.fdc);
    unsigned n = !!(types >> 4) + !!(types & 0x0F);
    rtc_cmos_set(r, 0x10, types);
    /* Equipment byte (IBM AT): bit 0 diskette drives present, bits 7-6 their number - 1. */
    uint8_t eq = rtc_cmos_get(r, 0x14) & 0x3E;
    if (n)
        eq |= (uint8_t)(0x01 | (n - 1) << 6);
    rtc_cmos_set(r, 0x14, eq);
}
