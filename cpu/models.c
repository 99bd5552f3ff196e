/* The CPU models: what each one has and how its fixed bits read. */
#include <string.h>
#include <strings.h>

#include "cpu/cpu.h"

/* ENTER's probe (enter_probe, cpu/ops_stack.c): the Pentium-era and later SDMs list for
 * ENTER "#PF(fault-code) If a page fault occurs or if a write using the final value of the
 * stack pointer (within the current stack segment) would cause a page fault"; the 80386
 * and i486 programmer's references list only "#PF(fault-code) for a page fault", and the
 * 286 has no paging. So pentium and pentium2 probe, 286, 386 and 486 do not.
 *
 * CPUID leaf 1 EDX: only what orrery implements is reported. The Pentium (P54C) has the
 * x87 and 4 MiB pages; PAE, global pages, SYSENTER, CMOV, MMX and FXSR come with the P6. */

static const struct cpu_model_info models[] = {
    {
        .name = "286", .model = CPU_286, .max_insn_len = 10,
        .flags_fixed1 = 0x2, .flags_writable = 0x7FD5, .addr_mask = 0x00FFFFFF,
        .reset_cr0 = 0xFFF0,
    },
    {
        .name = "386", .model = CPU_386, .max_insn_len = 15, .reset_edx = 0x0308,
        .flags_fixed1 = 0x2, .flags_writable = 0x37FD5, .addr_mask = 0xFFFFFFFF,
        .reset_cr0 = 0x7FFEFFF0,
    },
    {
        .name = "486", .model = CPU_486, .max_insn_len = 15, .reset_edx = 0x0402,
        .has_fpu = true, /* 486DX */
        .flags_fixed1 = 0x2, .flags_writable = 0x77FD5, .addr_mask = 0xFFFFFFFF,
        .reset_cr0 = 0x60000010,
    },
    {
        .name = "pentium", .model = CPU_PENTIUM, .max_insn_len = 15,
        .flags_fixed1 = 0x2, .flags_writable = 0x3F7FD5, .addr_mask = 0xFFFFFFFF,
        .reset_cr0 = 0x60000010, .has_cpuid = true, .cpuid_max = 1,
        .cpuid_sig = 0x052C, .reset_edx = 0x052C, /* family 5, model 2 (P54C), stepping C */
        .has_fpu = true, .enter_probe = true,
        .cpuid_features_edx = CPUID_FPU | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8,
        .vendor = "GenuineIntel",
    },
    {
        .name = "pentium2", .model = CPU_P2, .max_insn_len = 15,
        .flags_fixed1 = 0x2, .flags_writable = 0x3F7FD5, .addr_mask = 0xFFFFFFFF,
        .reset_cr0 = 0x60000010, .has_cpuid = true, .cpuid_max = 2,
        .cpuid_sig = 0x0652, .reset_edx = 0x0652, /* family 6, model 5, stepping 2 */
        .has_fpu = true, .enter_probe = true,
        .cpuid_features_edx = CPUID_FPU | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_PAE |
                              CPUID_CX8 | CPUID_SEP | CPUID_PGE | CPUID_CMOV | CPUID_MMX |
                              CPUID_FXSR,
        .vendor = "GenuineIntel",
    },
};

const struct cpu_model_info *cpu_model_get(enum cpu_model m)
{
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
        if (models[i].model == m)
            return &models[i];
    return NULL;
}

const struct cpu_model_info *cpu_model_lookup(const char *name)
{
    static const struct { const char *alias; enum cpu_model m; } aliases[] = {
        { "80286", CPU_286 }, { "i386", CPU_386 }, { "80386", CPU_386 }, { "i486", CPU_486 },
        { "80486", CPU_486 }, { "586", CPU_PENTIUM }, { "p5", CPU_PENTIUM },
        { "686", CPU_P2 }, { "p2", CPU_P2 }, { "pentium-ii", CPU_P2 },
    };
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
        if (strcasecmp(models[i].name, name) == 0)
            return &models[i];
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcasecmp(aliases[i].alias, name) == 0)
            return cpu_model_get(aliases[i].m);
    return NULL;
}

const char *cpu_model_names(void)
{
    return "286, 386, 486, pentium, pentium2 (default)";
}
