/* Faults, interrupts and exceptions (SDM Vol. 3A ch. 6; real mode §20.1.4; virtual-8086
 * mode §20.3). */
#include <stdlib.h>

#include "cpu/observe.h"
#include "cpu/transfer.h"

noreturn void cpu_fault(struct cpu *cpu, int vector, uint32_t error)
{
    cpu->fault_vector = vector;
    cpu->fault_error = error;
    longjmp(*cpu->fault_jmp, 1);
}

noreturn void cpu_unsupported(struct cpu *cpu, const char *what)
{
    cpu->shutdown = 1;
    cpu->stop_reason = what;
    cpu->fault_vector = -1;
    if (unlikely(cpu->obs.hooks != NULL) && cpu->obs.hooks->unimp)
        cpu->obs.hooks->unimp(cpu->obs.opaque, cpu, what);
    longjmp(*cpu->fault_jmp, 1);
}

/* Vectors that push an error code in protected mode (SDM Vol. 3A Table 6-1). */
static bool has_error_code(unsigned vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

/* Real-address-mode interrupt (SDM Vol. 2A "INT n", REAL-ADDRESS-MODE). */
static void interrupt_real(struct cpu *cpu, uint8_t vector, uint32_t return_eip)
{
    uint32_t off = (uint32_t)vector << 2;
    if (off + 3 > cpu->idtr.limit)
        cpu_fault(cpu, EXC_GP, 0);
    struct stk st;
    stk_from_current(cpu, &st);
    stk_push(cpu, &st, (uint16_t)cpu_get_eflags(cpu), 2);
    stk_push(cpu, &st, cpu->seg[S_CS].sel, 2);
    stk_push(cpu, &st, (uint16_t)return_eip, 2);
    uint16_t ip = (uint16_t)lin_read(cpu, cpu->idtr.base + off, 2);
    uint16_t cs = (uint16_t)lin_read(cpu, cpu->idtr.base + off + 2, 2);
    stk_commit(cpu, &st);
    cpu->eflags &= ~(FL_IF | FL_TF | FL_AC | FL_RF);
    load_seg(cpu, S_CS, cs);
    cpu->eip = ip;
}

/* Protected-mode and virtual-8086-mode delivery through the IDT (SDM Vol. 3A §6.12,
 * Vol. 2A "INT n" PROTECTED-MODE). ext is 1 for events not caused by an INT instruction:
 * it goes into bit 0 of the error codes this delivery raises. */
static void interrupt_prot(struct cpu *cpu, uint8_t vector, bool software, uint32_t return_eip,
                           bool push_error, uint32_t error)
{
    const uint16_t ext = software ? 0 : 1;
    const uint16_t idt_err = (uint16_t)(vector * 8 + 2 + ext);
    struct desc gate;
    if ((uint32_t)vector * 8 + 7 > cpu->idtr.limit)
        cpu_fault(cpu, EXC_GP, idt_err);
    gate.addr = cpu->idtr.base + (uint32_t)vector * 8;
    gate.lo = sys_read(cpu, gate.addr, 4);
    gate.hi = sys_read(cpu, gate.addr + 4, 4);
    unsigned type = desc_type(&gate);
    if (desc_s(&gate) || (type != SYS_TASK && type != SYS_INT16 && type != SYS_TRAP16 &&
                          type != SYS_INT32 && type != SYS_TRAP32))
        cpu_fault(cpu, EXC_GP, idt_err);
    if (software && desc_dpl(&gate) < cpu->cpl)
        cpu_fault(cpu, EXC_GP, idt_err);
    if (!desc_present(&gate))
        cpu_fault(cpu, EXC_NP, idt_err);

    if (type == SYS_TASK) {
        uint16_t tsel = gate_selector(&gate);
        struct desc tss;
        if ((tsel & 4) || !desc_fetch(cpu, tsel, &tss))
            cpu_fault(cpu, EXC_TS, (tsel & 0xFFFC) | ext);
        unsigned t = desc_type(&tss);
        if (desc_s(&tss) || (t != SYS_TSS16_AVAIL && t != SYS_TSS32_AVAIL))
            cpu_fault(cpu, EXC_TS, (tsel & 0xFFFC) | ext);
        if (!desc_present(&tss))
            cpu_fault(cpu, EXC_NP, (tsel & 0xFFFC) | ext);
        cpu->eip = return_eip;
        task_switch(cpu, tsel, &tss, TASK_INT);
        if (push_error) {
            bool b32 = desc_type(&tss) >= SYS_TSS32_AVAIL;
            struct stk st;
            stk_from_current(cpu, &st);
            stk_push(cpu, &st, error, b32 ? 4 : 2);
            stk_commit(cpu, &st);
        }
        return;
    }

    const bool g32 = type == SYS_INT32 || type == SYS_TRAP32;
    const unsigned size = g32 ? 4 : 2;
    uint16_t csel = gate_selector(&gate);
    struct desc code;
    if ((csel & ~3u) == 0)
        cpu_fault(cpu, EXC_GP, ext);
    if (!desc_fetch(cpu, csel, &code) || !desc_is_code(&code) || desc_dpl(&code) > cpu->cpl)
        cpu_fault(cpu, EXC_GP, (csel & 0xFFFC) | ext);
    if (!desc_present(&code))
        cpu_fault(cpu, EXC_NP, (csel & 0xFFFC) | ext);
    uint32_t target = gate_offset(&gate, g32);
    struct seg_cache c;
    desc_to_cache(cpu, &code, csel, &c);
    if (target > c.limit)
        cpu_fault(cpu, EXC_GP, ext);

    const uint32_t flags = cpu_get_eflags(cpu);
    const bool from_v86 = cpu->mode == MODE_V86;
    unsigned new_cpl = cpu->cpl;
    struct stk st;
    struct desc ss_desc;
    bool inner = !desc_conforming(&code) && desc_dpl(&code) < cpu->cpl;
    if (from_v86 && (!inner || desc_dpl(&code) != 0))
        cpu_fault(cpu, EXC_GP, (csel & 0xFFFC) | ext);
    if (inner) {
        new_cpl = desc_dpl(&code);
        tss_inner_stack(cpu, new_cpl, &st, &ss_desc);
        st.fault_sel = (uint16_t)(st.fault_sel | ext);
        if (from_v86) {
            stk_push(cpu, &st, cpu->seg[S_GS].sel, size);
            stk_push(cpu, &st, cpu->seg[S_FS].sel, size);
            stk_push(cpu, &st, cpu->seg[S_DS].sel, size);
            stk_push(cpu, &st, cpu->seg[S_ES].sel, size);
        }
        stk_push(cpu, &st, cpu->seg[S_SS].sel, size);
        stk_push(cpu, &st, cpu->r[R_ESP], size);
    } else {
        stk_from_current(cpu, &st);
    }
    stk_push(cpu, &st, flags, size);
    stk_push(cpu, &st, cpu->seg[S_CS].sel, size);
    stk_push(cpu, &st, return_eip, size);
    if (push_error)
        stk_push(cpu, &st, error, size);

    /* Commit. */
    if (inner)
        desc_set_accessed(cpu, &ss_desc);
    desc_set_accessed(cpu, &code);
    stk_commit(cpu, &st);
    if (from_v86) {
        static const int regs[] = { S_ES, S_DS, S_FS, S_GS };
        for (unsigned i = 0; i < 4; i++) {
            cpu->seg[regs[i]].sel = 0;
            cpu->seg[regs[i]].attr = 0;
            cpu->seg[regs[i]].ok = 0;
        }
    }
    cpu->eflags &= ~(FL_TF | FL_VM | FL_RF | FL_NT);
    if (type == SYS_INT16 || type == SYS_INT32)
        cpu->eflags &= ~FL_IF;
    load_cs(cpu, &code, csel, new_cpl);
    cpu->eip = target;
    cpu_update_mode(cpu);
}

static void deliver_interrupt(struct cpu *cpu, uint8_t vector, bool software,
                              uint32_t return_eip)
{
    if (cpu->mode == MODE_REAL)
        interrupt_real(cpu, vector, return_eip);
    else
        interrupt_prot(cpu, vector, software, return_eip, false, 0);
}

static void deliver_exception(struct cpu *cpu, uint8_t vector, uint32_t error)
{
    if (cpu->mode == MODE_REAL)
        interrupt_real(cpu, vector, cpu->eip);
    else
        interrupt_prot(cpu, vector, false, cpu->eip, has_error_code(vector), error);
}

void cpu_interrupt(struct cpu *cpu, uint8_t vector, bool software, uint32_t return_eip)
{
    if (!obs_wants_intr(cpu)) {
        deliver_interrupt(cpu, vector, software, return_eip);
        return;
    }
    struct cpu_obs_intr ev;
    obs_intr_begin(cpu, &ev, software ? CPU_OBS_SOFTWARE : CPU_OBS_EXTERNAL, vector);
    deliver_interrupt(cpu, vector, software, return_eip);
    obs_intr_end(cpu, &ev);
}

void cpu_deliver_exception(struct cpu *cpu, uint8_t vector, uint32_t error)
{
    if (!obs_wants_intr(cpu)) {
        deliver_exception(cpu, vector, error);
        return;
    }
    struct cpu_obs_intr ev;
    obs_intr_begin(cpu, &ev, CPU_OBS_EXCEPTION, vector);
    ev.has_error = cpu->mode != MODE_REAL && has_error_code(vector);
    ev.error = ev.has_error ? error : 0;
    deliver_exception(cpu, vector, error);
    obs_intr_end(cpu, &ev);
}

/* INT n in virtual-8086 mode (SDM Vol. 3A §20.4.2, Table 20-2): with CR4.VME a clear bit
 * in the TSS's interrupt redirection bitmap sends it through the task's own real-mode IVT;
 * otherwise it goes to the protected-mode handler, which needs IOPL = 3. */
static void v86_int(struct cpu *cpu, uint8_t vector);

void v86_software_interrupt(struct cpu *cpu, uint8_t vector)
{
    if (!obs_wants_intr(cpu)) {
        v86_int(cpu, vector);
        return;
    }
    struct cpu_obs_intr ev;
    obs_intr_begin(cpu, &ev, CPU_OBS_SOFTWARE, vector);
    v86_int(cpu, vector);
    obs_intr_end(cpu, &ev);
}

static void v86_int(struct cpu *cpu, uint8_t vector)
{
    if (cpu->cr[4] & CR4_VME) {
        uint32_t iobase = sys_read(cpu, cpu->tr.base + 0x66, 2);
        uint32_t byte = iobase - 32 + vector / 8;
        if (iobase < 32 || byte > cpu->tr.limit)
            cpu_fault(cpu, EXC_GP, 0);
        if (!((sys_read(cpu, cpu->tr.base + byte, 1) >> (vector & 7)) & 1)) {
            uint32_t fl = cpu_get_eflags(cpu);
            const bool sensitive = iopl(cpu) < 3;
            uint32_t image = fl;
            if (sensitive)
                image = (image & ~FL_IF) | ((fl & FL_VIF) ? FL_IF : 0) | FL_IOPL;
            struct stk st;
            stk_from_current(cpu, &st);
            stk_push(cpu, &st, (uint16_t)image, 2);
            stk_push(cpu, &st, cpu->seg[S_CS].sel, 2);
            stk_push(cpu, &st, (uint16_t)cpu->eip, 2);
            uint16_t ip = (uint16_t)lin_read(cpu, (uint32_t)vector * 4, 2);
            uint16_t cs = (uint16_t)lin_read(cpu, (uint32_t)vector * 4 + 2, 2);
            stk_commit(cpu, &st);
            cpu->eflags &= ~(FL_TF | FL_RF);
            cpu->eflags &= sensitive ? ~FL_VIF : ~FL_IF;
            seg_set_v86(&cpu->seg[S_CS], cs);
            cpu->eip = ip;
            return;
        }
    }
    if (iopl(cpu) < 3)
        cpu_fault(cpu, EXC_GP, 0);
    interrupt_prot(cpu, vector, true, cpu->eip, false, 0);
}
