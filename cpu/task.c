/* Hardware task switching through TSS descriptors and task gates (SDM Vol. 3A §7.3). */
#include "cpu/transfer.h"

static bool tss_is32(const struct desc *d)
{
    return desc_type(d) >= SYS_TSS32_AVAIL;
}

/* Saves the outgoing task's state in its TSS (SDM Vol. 3A §7.2.1, Figures 7-2, 7-11). */
static void save_state(struct cpu *cpu, bool is32, uint32_t eflags)
{
    uint32_t b = cpu->tr.base;
    if (is32) {
        sys_write(cpu, b + 0x20, 4, cpu->eip);
        sys_write(cpu, b + 0x24, 4, eflags);
        for (unsigned r = 0; r < 8; r++)
            sys_write(cpu, b + 0x28 + 4 * r, 4, cpu->r[r]);
        for (unsigned s = 0; s < S_COUNT; s++)
            sys_write(cpu, b + 0x48 + 4 * s, 2, cpu->seg[s].sel);
    } else {
        sys_write(cpu, b + 0x0E, 2, cpu->eip);
        sys_write(cpu, b + 0x10, 2, eflags);
        for (unsigned r = 0; r < 8; r++)
            sys_write(cpu, b + 0x12 + 2 * r, 2, cpu->r[r]);
        for (unsigned s = 0; s < 4; s++)
            sys_write(cpu, b + 0x22 + 2 * s, 2, cpu->seg[s].sel);
    }
}

static noreturn void ts_fault(struct cpu *cpu, uint16_t sel)
{
    cpu_fault(cpu, EXC_TS, sel & 0xFFFC);
}

/* Loads a segment register of the incoming task with the checks of SDM Vol. 3A §7.3 step
 * 12-13: faults are #TS (or #NP/#SS for not present) in the new task's context. */
static void load_task_seg(struct cpu *cpu, int s, uint16_t sel)
{
    struct desc d;
    if (cpu->mode == MODE_V86) {
        seg_set_v86(&cpu->seg[s], sel);
        return;
    }
    const unsigned rpl = sel & 3;
    if (s == S_CS) {
        if ((sel & ~3u) == 0 || !desc_fetch(cpu, sel, &d) || !desc_is_code(&d))
            ts_fault(cpu, sel);
        if (desc_conforming(&d) ? desc_dpl(&d) > rpl : desc_dpl(&d) != rpl)
            ts_fault(cpu, sel);
        if (!desc_present(&d))
            cpu_fault(cpu, EXC_NP, sel & 0xFFFC);
        desc_set_accessed(cpu, &d);
        load_cs(cpu, &d, sel, rpl);
        return;
    }
    if (s == S_SS) {
        if ((sel & ~3u) == 0 || !desc_fetch(cpu, sel, &d))
            ts_fault(cpu, sel);
        if (!desc_data_writable(&d) || desc_dpl(&d) != cpu->cpl || rpl != cpu->cpl)
            ts_fault(cpu, sel);
        if (!desc_present(&d))
            cpu_fault(cpu, EXC_SS, sel & 0xFFFC);
    } else {
        if ((sel & ~3u) == 0) {
            cpu->seg[s].sel = sel;
            cpu->seg[s].attr = 0;
            cpu->seg[s].ok = 0;
            return;
        }
        if (!desc_fetch(cpu, sel, &d))
            ts_fault(cpu, sel);
        if (!desc_is_data(&d) && !desc_code_readable(&d))
            ts_fault(cpu, sel);
        if ((desc_is_data(&d) || !desc_conforming(&d)) &&
            (rpl > desc_dpl(&d) || cpu->cpl > desc_dpl(&d)))
            ts_fault(cpu, sel);
        if (!desc_present(&d))
            cpu_fault(cpu, EXC_NP, sel & 0xFFFC);
    }
    desc_set_accessed(cpu, &d);
    desc_to_cache(cpu, &d, sel, &cpu->seg[s]);
}

void task_switch(struct cpu *cpu, uint16_t sel, struct desc *tss, enum task_source src)
{
    const bool new32 = tss_is32(tss);
    struct seg_cache ntr;
    desc_to_cache(cpu, tss, sel, &ntr);
    ntr.limit = (tss->lo & 0xFFFF) | (cpu->model >= CPU_386 ? tss->hi & 0xF0000u : 0);
    if (cpu->model >= CPU_386 && (tss->hi & 0x800000))
        ntr.limit = (ntr.limit << 12) | 0xFFF;
    if (ntr.limit < (new32 ? 0x67u : 0x2Bu))
        ts_fault(cpu, sel);

    /* Read the whole incoming state first, so a fault here changes nothing. */
    uint32_t b = ntr.base, eip, eflags, cr3 = 0, regs[8];
    uint16_t segs[S_COUNT] = { 0 }, ldt;
    if (new32) {
        cr3 = sys_read(cpu, b + 0x1C, 4);
        eip = sys_read(cpu, b + 0x20, 4);
        eflags = sys_read(cpu, b + 0x24, 4);
        for (unsigned r = 0; r < 8; r++)
            regs[r] = sys_read(cpu, b + 0x28 + 4 * r, 4);
        for (unsigned s = 0; s < S_COUNT; s++)
            segs[s] = (uint16_t)sys_read(cpu, b + 0x48 + 4 * s, 2);
        ldt = (uint16_t)sys_read(cpu, b + 0x60, 2);
    } else {
        eip = sys_read(cpu, b + 0x0E, 2);
        eflags = sys_read(cpu, b + 0x10, 2) | (cpu->eflags & 0xFFFF0000u & ~FL_VM);
        for (unsigned r = 0; r < 8; r++)
            regs[r] = (cpu->r[r] & 0xFFFF0000u) | sys_read(cpu, b + 0x12 + 2 * r, 2);
        for (unsigned s = 0; s < 4; s++)
            segs[s] = (uint16_t)sys_read(cpu, b + 0x22 + 2 * s, 2);
        ldt = (uint16_t)sys_read(cpu, b + 0x2A, 2);
    }

    /* The outgoing task. */
    struct desc old;
    const bool old32 = (cpu->tr.attr & 0xF) >= SYS_TSS32_AVAIL;
    uint32_t out_flags = cpu_get_eflags(cpu);
    if (src == TASK_JMP || src == TASK_IRET) {
        if (desc_fetch(cpu, cpu->tr.sel, &old)) {
            old.hi &= ~0x200u; /* busy -> available */
            desc_write_hi(cpu, &old);
        }
    }
    if (src == TASK_IRET)
        out_flags &= ~FL_NT;
    save_state(cpu, old32, out_flags);
    if (src == TASK_CALL || src == TASK_INT) {
        sys_write(cpu, b, 2, cpu->tr.sel); /* back link */
        eflags |= FL_NT;
    }
    if (src != TASK_IRET) {
        tss->hi |= 0x200; /* available -> busy */
        desc_write_hi(cpu, tss);
    }

    /* Switch: TR, CR0.TS, CR3, registers, then the segment loads that may fault. */
    ntr.attr |= 0x2;
    cpu->tr = ntr;
    cpu->cr[0] |= 8;
    if (new32 && (cpu->cr[0] & 0x80000000u))
        cpu_write_cr3(cpu, cr3);
    cpu->eip = eip;
    for (unsigned r = 0; r < 8; r++)
        cpu->r[r] = regs[r];
    cpu->eflags = (eflags & cpu->info->flags_writable) | cpu->info->flags_fixed1;
    cpu->lf.op = LF_NONE;
    cpu_update_mode(cpu);
    /* From here on a fault belongs to the new task: it is delivered with its state. */
    cpu->insn_eip = cpu->eip;
    cpu->insn_esp = cpu->r[R_ESP];
    for (unsigned s = 0; s < S_COUNT; s++) { /* selectors first, so a #TS shows them */
        cpu->seg[s].sel = segs[s];
        cpu->seg[s].ok = 0;
    }
    if (cpu->mode != MODE_V86)
        cpu->cpl = segs[S_CS] & 3;

    /* LDT (SDM §7.3 step 11): #TS on a bad selector. */
    if ((ldt & ~3u) == 0 || (ldt & 4)) {
        if (ldt & 4)
            ts_fault(cpu, ldt);
        cpu->ldtr.sel = ldt;
        cpu->ldtr.attr = 0;
    } else {
        struct desc ld;
        uint8_t save = cpu->ldtr.attr;
        cpu->ldtr.attr = 0;
        if (!desc_fetch(cpu, ldt, &ld) || desc_s(&ld) || desc_type(&ld) != SYS_LDT) {
            cpu->ldtr.attr = save;
            ts_fault(cpu, ldt);
        }
        if (!desc_present(&ld))
            ts_fault(cpu, ldt);
        desc_to_cache(cpu, &ld, ldt, &cpu->ldtr);
    }
    load_task_seg(cpu, S_CS, segs[S_CS]);
    load_task_seg(cpu, S_SS, segs[S_SS]);
    load_task_seg(cpu, S_ES, segs[S_ES]);
    load_task_seg(cpu, S_DS, segs[S_DS]);
    if (new32) {
        load_task_seg(cpu, S_FS, segs[S_FS]);
        load_task_seg(cpu, S_GS, segs[S_GS]);
    }
    if (cpu->eip > cpu->seg[S_CS].limit)
        cpu_fault(cpu, EXC_GP, 0);
}
