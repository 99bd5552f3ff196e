/* Far JMP, CALL, RET and IRET in every mode (SDM Vol. 2A "JMP", "CALL", Vol. 2B "RET",
 * Vol. 2A "IRET"; Vol. 3A §5.8 call gates, §7.3 task switches). */
#include "cpu/transfer.h"

static noreturn void gp_sel(struct cpu *cpu, uint16_t sel) { cpu_fault(cpu, EXC_GP, sel & 0xFFFC); }
static noreturn void np_sel(struct cpu *cpu, uint16_t sel) { cpu_fault(cpu, EXC_NP, sel & 0xFFFC); }

/* Real-address and virtual-8086 mode far transfer target. */
static void far_real(struct cpu *cpu, uint16_t sel, uint32_t off)
{
    if (off > cpu->seg[S_CS].limit)
        cpu_fault(cpu, EXC_GP, 0);
    load_seg(cpu, S_CS, sel);
    cpu->eip = off;
}

/* The code segment a far JMP/CALL may land in directly (not through a gate): conforming
 * with DPL <= CPL, or nonconforming with RPL <= CPL and DPL == CPL. */
static void check_direct_code(struct cpu *cpu, const struct desc *d, uint16_t sel)
{
    if (desc_conforming(d)) {
        if (desc_dpl(d) > cpu->cpl)
            gp_sel(cpu, sel);
    } else if ((sel & 3) > cpu->cpl || desc_dpl(d) != cpu->cpl) {
        gp_sel(cpu, sel);
    }
    if (!desc_present(d))
        np_sel(cpu, sel);
}

/* The code segment a call gate names; returns its descriptor (checked). */
static void gate_target(struct cpu *cpu, const struct desc *gate, struct desc *code, uint16_t *csel)
{
    *csel = gate_selector(gate);
    if ((*csel & ~3u) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    if (!desc_fetch(cpu, *csel, code) || !desc_is_code(code) || desc_dpl(code) > cpu->cpl)
        gp_sel(cpu, *csel);
    if (!desc_present(code))
        np_sel(cpu, *csel);
}

/* Fetches the target of a protected-mode far JMP/CALL; a null selector is #GP(0). */
static void fetch_target(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    if ((sel & ~3u) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    if (!desc_fetch(cpu, sel, d))
        gp_sel(cpu, sel);
}

/* Task gates and TSS descriptors as the target of JMP/CALL: DPL >= CPL and >= RPL. */
static void far_task(struct cpu *cpu, uint16_t sel, struct desc *d, enum task_source src)
{
    if (desc_dpl(d) < cpu->cpl || desc_dpl(d) < (sel & 3u))
        gp_sel(cpu, sel);
    if (!desc_present(d))
        np_sel(cpu, sel);
    if (desc_type(d) == SYS_TASK) {
        uint16_t tsel = gate_selector(d);
        struct desc tss;
        if ((tsel & 4) || !desc_fetch(cpu, tsel, &tss))
            gp_sel(cpu, tsel);
        unsigned t = desc_type(&tss);
        if (desc_s(&tss) || (t != SYS_TSS16_AVAIL && t != SYS_TSS32_AVAIL))
            gp_sel(cpu, tsel);
        if (!desc_present(&tss))
            np_sel(cpu, tsel);
        task_switch(cpu, tsel, &tss, src);
    } else {
        task_switch(cpu, sel, d, src);
    }
}

/* Where a protected-mode far JMP or CALL lands, checked as far as the two agree: a code
 * segment directly, a call gate (its DPL and its target), or a task (gate or TSS). */
enum far_kind { FAR_CODE, FAR_GATE, FAR_TASK };
struct far_target {
    enum far_kind kind;
    struct desc d;      /* the selector's descriptor: code segment, call gate or task */
    struct desc code;   /* the code segment control goes to (FAR_CODE, FAR_GATE) */
    uint16_t csel;      /* its selector */
    uint32_t eip;       /* and offset */
};

static void resolve_far(struct cpu *cpu, uint16_t sel, uint32_t off, struct far_target *t)
{
    fetch_target(cpu, sel, &t->d);
    if (desc_is_code(&t->d)) {
        check_direct_code(cpu, &t->d, sel);
        t->kind = FAR_CODE;
        t->code = t->d;
        t->csel = sel;
        t->eip = off;
        return;
    }
    if (desc_s(&t->d))
        gp_sel(cpu, sel);
    switch (desc_type(&t->d)) {
    case SYS_CALL16:
    case SYS_CALL32:
        if (desc_dpl(&t->d) < cpu->cpl || desc_dpl(&t->d) < (sel & 3u))
            gp_sel(cpu, sel);
        if (!desc_present(&t->d))
            np_sel(cpu, sel);
        gate_target(cpu, &t->d, &t->code, &t->csel);
        t->kind = FAR_GATE;
        t->eip = gate_offset(&t->d, desc_type(&t->d) == SYS_CALL32);
        return;
    case SYS_TASK:
    case SYS_TSS16_AVAIL:
    case SYS_TSS32_AVAIL:
        t->kind = FAR_TASK;
        return;
    default:
        gp_sel(cpu, sel);
    }
}

static void check_target_limit(struct cpu *cpu, const struct far_target *t)
{
    struct seg_cache c;
    desc_to_cache(cpu, &t->code, t->csel, &c);
    if (t->eip > c.limit)
        cpu_fault(cpu, EXC_GP, 0);
}

void jump_far(struct cpu *cpu, uint16_t sel, uint32_t off, bool o32)
{
    if (!o32)
        off &= 0xFFFF;
    if (cpu->mode != MODE_PROT) {
        far_real(cpu, sel, off);
        return;
    }
    struct far_target t;
    resolve_far(cpu, sel, off, &t);
    if (t.kind == FAR_TASK) {
        far_task(cpu, sel, &t.d, TASK_JMP);
        return;
    }
    /* JMP through a gate never changes privilege. */
    if (t.kind == FAR_GATE && !desc_conforming(&t.code) && desc_dpl(&t.code) != cpu->cpl)
        gp_sel(cpu, t.csel);
    check_target_limit(cpu, &t);
    desc_set_accessed(cpu, &t.code);
    load_cs(cpu, &t.code, t.csel, cpu->cpl);
    cpu->eip = t.eip;
}

/* Through a call gate to a more privileged nonconforming segment: the inner stack from the
 * TSS, old SS:ESP and the gate's parameter count of words/dwords copied onto it. */
static void call_gate_inner(struct cpu *cpu, const struct desc *gate, const struct desc *code,
                            uint16_t csel, uint32_t target, uint32_t ret_eip)
{
    const bool g32 = desc_type(gate) == SYS_CALL32;
    const unsigned size = g32 ? 4 : 2, dpl = desc_dpl(code);
    struct stk inner, outer;
    struct desc ss_desc;
    tss_inner_stack(cpu, dpl, &inner, &ss_desc);
    stk_from_current(cpu, &outer);
    struct seg_cache c;
    desc_to_cache(cpu, code, csel, &c);
    if (target > c.limit)
        cpu_fault(cpu, EXC_GP, 0);
    stk_push(cpu, &inner, cpu->seg[S_SS].sel, size);
    stk_push(cpu, &inner, cpu->r[R_ESP], size);
    unsigned n = gate_params(gate);
    for (unsigned i = n; i-- > 0;)
        stk_push(cpu, &inner, stk_peek(cpu, &outer, i * size, size), size);
    stk_push(cpu, &inner, cpu->seg[S_CS].sel, size);
    stk_push(cpu, &inner, ret_eip, size);
    desc_set_accessed(cpu, &ss_desc);
    desc_set_accessed(cpu, (struct desc *)code);
    stk_commit(cpu, &inner);
    load_cs(cpu, code, csel, dpl);
    cpu->eip = target;
}

void call_far(struct cpu *cpu, uint16_t sel, uint32_t off, bool o32)
{
    if (!o32)
        off &= 0xFFFF;
    struct stk st;
    if (cpu->mode != MODE_PROT) {
        if (off > cpu->seg[S_CS].limit)
            cpu_fault(cpu, EXC_GP, 0);
        stk_from_current(cpu, &st);
        stk_push(cpu, &st, cpu->seg[S_CS].sel, o32 ? 4 : 2);
        stk_push(cpu, &st, cpu->eip, o32 ? 4 : 2);
        load_seg(cpu, S_CS, sel);
        stk_commit(cpu, &st);
        cpu->eip = off;
        return;
    }
    struct far_target t;
    resolve_far(cpu, sel, off, &t);
    if (t.kind == FAR_TASK) {
        far_task(cpu, sel, &t.d, TASK_CALL);
        return;
    }
    if (t.kind == FAR_GATE && !desc_conforming(&t.code) && desc_dpl(&t.code) < cpu->cpl) {
        call_gate_inner(cpu, &t.d, &t.code, t.csel, t.eip, cpu->eip);
        return;
    }
    /* The return address takes the gate's size through a gate, the operand size otherwise. */
    const unsigned size = t.kind == FAR_GATE ? (desc_type(&t.d) == SYS_CALL32 ? 4 : 2) : (o32 ? 4 : 2);
    check_target_limit(cpu, &t);
    stk_from_current(cpu, &st);
    stk_push(cpu, &st, cpu->seg[S_CS].sel, size);
    stk_push(cpu, &st, cpu->eip, size);
    desc_set_accessed(cpu, &t.code);
    stk_commit(cpu, &st);
    load_cs(cpu, &t.code, t.csel, cpu->cpl);
    cpu->eip = t.eip;
}

/* The code segment a RET/IRET returns to (SDM Vol. 2B "RET" protected-mode checks). */
static void check_return_cs(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    if ((sel & ~3u) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    if (!desc_fetch(cpu, sel, d) || !desc_is_code(d))
        gp_sel(cpu, sel);
    unsigned rpl = sel & 3;
    if (rpl < cpu->cpl)
        gp_sel(cpu, sel);
    if (desc_conforming(d) ? desc_dpl(d) > rpl : desc_dpl(d) != rpl)
        gp_sel(cpu, sel);
    if (!desc_present(d))
        np_sel(cpu, sel);
}

/* The outer stack a return to a less privileged level switches to. */
static void check_return_ss(struct cpu *cpu, uint16_t ss, unsigned rpl, struct desc *d)
{
    if ((ss & ~3u) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    if (!desc_fetch(cpu, ss, d))
        gp_sel(cpu, ss);
    if ((ss & 3) != rpl || !desc_data_writable(d) || desc_dpl(d) != rpl)
        gp_sel(cpu, ss);
    if (!desc_present(d))
        cpu_fault(cpu, EXC_SS, ss & 0xFFFC);
}

void ret_far(struct cpu *cpu, bool o32, uint32_t release)
{
    const unsigned size = o32 ? 4 : 2;
    struct stk st;
    stk_from_current(cpu, &st);
    uint32_t ip = stk_pop(cpu, &st, size);
    uint16_t cs = (uint16_t)stk_pop(cpu, &st, size);
    if (!o32)
        ip &= 0xFFFF;
    if (cpu->mode != MODE_PROT) {
        far_real(cpu, cs, ip);
        st.esp += release;
        stk_commit(cpu, &st);
        return;
    }
    struct desc code;
    check_return_cs(cpu, cs, &code);
    unsigned rpl = cs & 3;
    struct seg_cache c;
    desc_to_cache(cpu, &code, cs, &c);
    if (ip > c.limit)
        cpu_fault(cpu, EXC_GP, 0);
    if (rpl == cpu->cpl) {
        st.esp += release;
        stk_commit(cpu, &st);
        desc_set_accessed(cpu, &code);
        load_cs(cpu, &code, cs, rpl);
        cpu->eip = ip;
        return;
    }
    /* To an outer level: skip the parameters, then the caller's SS:ESP. */
    st.esp += release;
    uint32_t esp = stk_pop(cpu, &st, size);
    uint16_t ss = (uint16_t)stk_pop(cpu, &st, size);
    struct desc ssd;
    check_return_ss(cpu, ss, rpl, &ssd);
    struct stk outer;
    desc_to_cache(cpu, &ssd, ss, &outer.ss);
    outer.esp = (o32 ? esp : (esp & 0xFFFF)) + release;
    desc_set_accessed(cpu, &code);
    desc_set_accessed(cpu, &ssd);
    load_cs(cpu, &code, cs, rpl);
    cpu->eip = ip;
    cpu->seg[S_SS] = outer.ss;
    cpu->r[R_ESP] = (outer.ss.attr & SEG_ATTR_DB) ? outer.esp
                                                    : (cpu->r[R_ESP] & 0xFFFF0000u) | (outer.esp & 0xFFFF);
    null_inaccessible_segs(cpu);
}

/* IRET (SDM Vol. 2A "IRET"): real mode, virtual-8086 mode, nested task return, return to
 * virtual-8086 mode, same and outer privilege. */
void iret(struct cpu *cpu, bool o32)
{
    const unsigned size = o32 ? 4 : 2;
    struct stk st;
    if (cpu->mode == MODE_V86 && iopl(cpu) < 3) {
        /* With CR4.VME a 16-bit IRET works on VIF (SDM Vol. 3A §20.4.4). */
        if (!(cpu->cr[4] & CR4_VME) || o32)
            cpu_fault(cpu, EXC_GP, 0);
        stk_from_current(cpu, &st);
        uint16_t ip = (uint16_t)stk_pop(cpu, &st, 2);
        uint16_t cs = (uint16_t)stk_pop(cpu, &st, 2);
        uint16_t fl = (uint16_t)stk_pop(cpu, &st, 2);
        if ((fl & FL_TF) || ((fl & FL_IF) && (cpu->eflags & FL_VIP)))
            cpu_fault(cpu, EXC_GP, 0);
        far_real(cpu, cs, ip);
        stk_commit(cpu, &st);
        uint32_t old = cpu_get_eflags(cpu);
        uint32_t keep = 0xFFFF0000u | FL_IOPL | FL_IF;
        uint32_t v = (old & keep) | (fl & ~keep);
        cpu_set_eflags(cpu, (v & ~FL_VIF) | ((fl & FL_IF) ? FL_VIF : 0));
        return;
    }
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86) {
        stk_from_current(cpu, &st);
        uint32_t ip = stk_pop(cpu, &st, size);
        uint16_t cs = (uint16_t)stk_pop(cpu, &st, size);
        uint32_t fl = stk_pop(cpu, &st, size);
        if (!o32)
            ip &= 0xFFFF;
        far_real(cpu, cs, ip);
        stk_commit(cpu, &st);
        uint32_t old = cpu_get_eflags(cpu);
        uint32_t v;
        if (cpu->mode == MODE_V86) /* IOPL and VM stay; VIP/VIF too */
            v = o32 ? (fl & ~(FL_IOPL | FL_VM | FL_VIP | FL_VIF)) | (old & (FL_IOPL | FL_VM | FL_VIP | FL_VIF))
                    : (old & (0xFFFF0000u | FL_IOPL)) | (fl & 0xFFFF & ~FL_IOPL);
        else
            v = o32 ? (fl & 0x257FD5u) | (old & 0x1A0000u) : (old & 0xFFFF0000u) | (fl & 0xFFFF);
        cpu_set_eflags(cpu, v);
        return;
    }
    if (cpu->eflags & FL_NT) {
        /* Return from a nested task: the back link of the current TSS. */
        uint16_t link = (uint16_t)sys_read(cpu, cpu->tr.base, 2);
        struct desc tss;
        if ((link & 4) || !desc_fetch(cpu, link, &tss))
            cpu_fault(cpu, EXC_TS, link & 0xFFFC);
        unsigned t = desc_type(&tss);
        if (desc_s(&tss) || (t != SYS_TSS16_BUSY && t != SYS_TSS32_BUSY))
            cpu_fault(cpu, EXC_TS, link & 0xFFFC);
        if (!desc_present(&tss))
            np_sel(cpu, link);
        task_switch(cpu, link, &tss, TASK_IRET);
        return;
    }
    stk_from_current(cpu, &st);
    uint32_t ip = stk_pop(cpu, &st, size);
    uint16_t cs = (uint16_t)stk_pop(cpu, &st, size);
    uint32_t fl = stk_pop(cpu, &st, size);
    if (o32 && (fl & FL_VM) && cpu->cpl == 0) {
        /* Return to virtual-8086 mode: the segment registers come off the stack too. */
        uint32_t esp = stk_pop(cpu, &st, 4);
        uint16_t ss = (uint16_t)stk_pop(cpu, &st, 4);
        uint16_t es = (uint16_t)stk_pop(cpu, &st, 4);
        uint16_t ds = (uint16_t)stk_pop(cpu, &st, 4);
        uint16_t fs = (uint16_t)stk_pop(cpu, &st, 4);
        uint16_t gs = (uint16_t)stk_pop(cpu, &st, 4);
        cpu_set_eflags(cpu, fl);
        seg_set_v86(&cpu->seg[S_CS], cs);
        seg_set_v86(&cpu->seg[S_SS], ss);
        seg_set_v86(&cpu->seg[S_ES], es);
        seg_set_v86(&cpu->seg[S_DS], ds);
        seg_set_v86(&cpu->seg[S_FS], fs);
        seg_set_v86(&cpu->seg[S_GS], gs);
        cpu->r[R_ESP] = esp;
        cpu->eip = ip & 0xFFFF;
        cpu_update_mode(cpu);
        return;
    }
    if (!o32)
        ip &= 0xFFFF;
    struct desc code;
    check_return_cs(cpu, cs, &code);
    unsigned rpl = cs & 3;
    struct seg_cache c;
    desc_to_cache(cpu, &code, cs, &c);
    if (ip > c.limit)
        cpu_fault(cpu, EXC_GP, 0);
    const unsigned old_cpl = cpu->cpl;
    uint32_t newfl = eflags_for_popf(cpu, fl, o32 ? 0xFFFFFFFFu : 0xFFFF);
    if (o32) /* IRETD restores RF, and at CPL 0 also VIF and VIP */
        newfl = (newfl & ~FL_RF) | (fl & FL_RF);
    if (o32 && old_cpl == 0)
        newfl = (newfl & ~(FL_VIF | FL_VIP)) | (fl & (FL_VIF | FL_VIP));
    if (rpl == old_cpl) {
        stk_commit(cpu, &st);
    } else {
        uint32_t esp = stk_pop(cpu, &st, size);
        uint16_t ss = (uint16_t)stk_pop(cpu, &st, size);
        struct desc ssd;
        check_return_ss(cpu, ss, rpl, &ssd);
        desc_set_accessed(cpu, &ssd);
        desc_to_cache(cpu, &ssd, ss, &cpu->seg[S_SS]);
        cpu->r[R_ESP] = (ssd.hi & 0x400000) && cpu->model >= CPU_386 ? esp
                                          : (cpu->r[R_ESP] & 0xFFFF0000u) | (esp & 0xFFFF);
    }
    desc_set_accessed(cpu, &code);
    load_cs(cpu, &code, cs, rpl);
    cpu->eip = ip;
    cpu_set_eflags(cpu, newfl);
    if (rpl != old_cpl)
        null_inaccessible_segs(cpu);
}
