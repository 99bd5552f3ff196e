/* Debug registers: instruction, data and I/O breakpoints, and general detect
 * (SDM Vol. 3A ch. 17). DR7 is decoded once when written into the per-kind masks the
 * execution paths test. */
#include "cpu/exec.h"
#include "cpu/observe.h"

enum { DR7_GD = 1u << 13, DR6_BD = 1u << 13 };

static unsigned bp_rw(const struct cpu *cpu, unsigned i) { return (cpu->dr[7] >> (16 + 4 * i)) & 3; }

static uint32_t bp_len(const struct cpu *cpu, unsigned i)
{
    static const uint8_t len[4] = { 1, 2, 8, 4 };
    return len[(cpu->dr[7] >> (18 + 4 * i)) & 3];
}

void debug_update(struct cpu *cpu)
{
    cpu->debug_exec = cpu->debug_io = 0;
    cpu->debug_data = (uint8_t)((cpu->dbg.nwatch ? DEBUG_DATA_DBG : 0) |
                                (cpu->obs.mem ? DEBUG_DATA_OBS : 0));
    for (unsigned i = 0; i < 4; i++) {
        if (!((cpu->dr[7] >> (2 * i)) & 3))
            continue;
        switch (bp_rw(cpu, i)) {
        case 0: cpu->debug_exec |= (uint8_t)(1u << i); break;
        case 2:
            if (cpu->cr[4] & (1u << 3)) /* CR4.DE: I/O breakpoints */
                cpu->debug_io |= (uint8_t)(1u << i);
            break;
        default: cpu->debug_data |= (uint8_t)(1u << i); break;
        }
    }
}

/* An instruction breakpoint is a fault before the instruction, masked by EFLAGS.RF. */
void debug_check_insn(struct cpu *cpu, uint32_t lin)
{
    uint32_t hit = 0;
    for (unsigned i = 0; i < 4; i++)
        if ((cpu->debug_exec >> i & 1) && cpu->dr[i] == lin)
            hit |= 1u << i;
    if (hit) {
        cpu->dr[6] = (cpu->dr[6] & ~0xFu) | hit;
        cpu_fault(cpu, EXC_DB, 0);
    }
}

static bool overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Data breakpoints are traps: noted now, reported after the instruction. */
void debug_check_data(struct cpu *cpu, uint32_t lin, unsigned size, bool write)
{
    for (unsigned i = 0; i < 4; i++) {
        if (!(cpu->debug_data >> i & 1) || (!write && bp_rw(cpu, i) == 1))
            continue;
        uint32_t len = bp_len(cpu, i);
        if (overlaps(cpu->dr[i] & ~(len - 1), len, lin, size))
            cpu->debug_pending |= 1u << i;
    }
    if (cpu->debug_data & DEBUG_DATA_DBG)
        cpu_dbg_check_watch(cpu, lin, size, write);
}

uint32_t debug_read(struct cpu *cpu, uint32_t lin, unsigned size, bool sys)
{
    if (!sys)
        debug_check_data(cpu, lin, size, false);
    else if (cpu->debug_data & DEBUG_DATA_DBG)
        cpu_dbg_check_watch(cpu, lin, size, false);
    unsigned kind = TLB_READ | (sys ? 0 : tlb_user(cpu));
    uint32_t v = mem_read(cpu, lin, size, kind);
    if (cpu->debug_data & DEBUG_DATA_OBS)
        obs_mem(cpu, lin, size, v, kind, sys ? CPU_OBS_MEM_SYS : 0);
    return v;
}

void debug_write(struct cpu *cpu, uint32_t lin, unsigned size, uint32_t v, bool sys)
{
    if (!sys)
        debug_check_data(cpu, lin, size, true);
    else if (cpu->debug_data & DEBUG_DATA_DBG)
        cpu_dbg_check_watch(cpu, lin, size, true);
    unsigned kind = TLB_WRITE | (sys ? 0 : tlb_user(cpu));
    mem_write(cpu, lin, size, v, kind);
    if (cpu->debug_data & DEBUG_DATA_OBS)
        obs_mem(cpu, lin, size, v, kind, CPU_OBS_MEM_WRITE | (sys ? CPU_OBS_MEM_SYS : 0));
}

void debug_check_io(struct cpu *cpu, uint16_t port, unsigned size)
{
    for (unsigned i = 0; i < 4; i++) {
        uint32_t len = bp_len(cpu, i);
        if ((cpu->debug_io >> i & 1) && overlaps(cpu->dr[i] & 0xFFFF & ~(len - 1), len, port, size))
            cpu->debug_pending |= 1u << i;
    }
}

/* MOV to or from a debug register with DR7.GD set: #DB fault with DR6.BD (§17.2.4). */
void debug_check_gd(struct cpu *cpu)
{
    if (cpu->dr[7] & DR7_GD) {
        cpu->dr[6] |= DR6_BD;
        cpu->dr[7] &= ~DR7_GD;
        debug_update(cpu);
        cpu_fault(cpu, EXC_DB, 0);
    }
}
