/* Segment register loads and far transfers (SDM Vol. 3A ch. 3, 5). */
#include "cpu/exec.h"

/* Real and virtual-8086 mode: the selector is the paragraph; the limit and attributes
 * keep what the cache holds (which is what makes "unreal mode" work on real hardware). */
void load_seg(struct cpu *cpu, int sreg, uint16_t sel)
{
    if (cpu->mode == MODE_PROT)
        cpu_unsupported(cpu, "protected-mode segment loads");
    struct seg_cache *s = &cpu->seg[sreg];
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
}

void jump_far(struct cpu *cpu, uint16_t sel, uint32_t off, bool o32)
{
    if (!o32)
        off &= 0xFFFF;
    if (cpu->mode == MODE_PROT)
        cpu_unsupported(cpu, "protected-mode far transfers");
    if (off > cpu->seg[S_CS].limit)
        cpu_fault(cpu, EXC_GP, 0);
    load_seg(cpu, S_CS, sel);
    cpu->eip = off;
}

void io_bitmap_check(struct cpu *cpu, uint16_t port, unsigned size)
{
    (void)port;
    (void)size;
    cpu_unsupported(cpu, "the TSS I/O permission bitmap");
}
