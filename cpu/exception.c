/* Faults, interrupts and exceptions (SDM Vol. 3A ch. 6; real mode: §20.1.4). */
#include <stdlib.h>

#include "cpu/exec.h"

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
    longjmp(*cpu->fault_jmp, 1);
}

/* A segment limit violation is #SS for the stack segment, #GP otherwise. The 286 in real
 * mode reports both as #GP (286-real vectors: POP/RET/LEAVE at SP = 0xFFFF push vector 13). */
noreturn void cpu_seg_fault(struct cpu *cpu, int s)
{
    bool ss = s == S_SS && !(cpu->model == CPU_286 && cpu->mode == MODE_REAL);
    cpu_fault(cpu, ss ? EXC_SS : EXC_GP, 0);
}

/* Real-address-mode interrupt (SDM Vol. 2A "INT n", REAL-ADDRESS-MODE). */
static void interrupt_real(struct cpu *cpu, uint8_t vector, uint32_t return_eip)
{
    uint32_t off = (uint32_t)vector << 2;
    if (off + 3 > cpu->idtr.limit)
        cpu_fault(cpu, EXC_GP, 0);
    uint16_t flags = (uint16_t)cpu_get_eflags(cpu);
    push16(cpu, flags);
    push16(cpu, cpu->seg[S_CS].sel);
    push16(cpu, (uint16_t)return_eip);
    uint16_t ip = (uint16_t)lin_read(cpu, cpu->idtr.base + off, 2);
    uint16_t cs = (uint16_t)lin_read(cpu, cpu->idtr.base + off + 2, 2);
    cpu->eflags &= ~(FL_IF | FL_TF | FL_AC | FL_RF);
    load_seg(cpu, S_CS, cs);
    cpu->eip = ip;
}

void cpu_interrupt(struct cpu *cpu, uint8_t vector, bool software, uint32_t return_eip)
{
    (void)software;
    if (cpu->mode != MODE_REAL)
        cpu_unsupported(cpu, "protected-mode interrupt delivery");
    interrupt_real(cpu, vector, return_eip);
}

void cpu_deliver_exception(struct cpu *cpu, uint8_t vector, uint32_t error)
{
    (void)error; /* real mode pushes no error code */
    cpu_interrupt(cpu, vector, false, cpu->eip);
}
