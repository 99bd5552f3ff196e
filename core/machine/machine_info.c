/* What the monitor's "info pic" and "info mtree" show (machine.h): the two 8259A's
 * registers and the regions of guest physical memory, copied out so that no frontend sees
 * a device's or physmem's struct. */
#include "core/machine/machine_impl.h"

void machine_pic_info(struct machine *m, unsigned chip, struct machine_pic_info *out)
{
    const struct pic_chip *p = &m->pc.pic.s.chip[chip ? 1 : 0];
    out->irr = p->irr;
    out->imr = p->imr;
    out->isr = p->isr;
    out->vector_base = p->vector_base;
    out->elcr = p->elcr;
    out->lowest = p->lowest;
    out->read_isr = p->read_isr != 0;
    out->special_fnm = (p->icw4 & 0x10) != 0;
}

unsigned machine_mem_regions(struct machine *m, struct machine_mem_region *out, unsigned max)
{
    static const char *const kinds[] = { "ram", "rom", "i/o" };
    unsigned n = 0;
    for (unsigned i = 0; i < m->mem.nregions && n < max; i++) {
        const struct region *r = &m->mem.region[i];
        if (r->placeable && !r->mapped)
            continue; /* a PCI BAR not placed yet */
        out[n].base = r->base;
        out[n].size = r->size;
        out[n].kind = r->kind <= REGION_MMIO ? kinds[r->kind] : "?";
        n++;
    }
    return n;
}
