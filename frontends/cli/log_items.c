/* The -d log items in QEMU's spelling, one table for parsing, messages and -d help. */
#include <string.h>

#include "core/machine/machine.h"
#include "frontends/cli/log_items.h"

static const struct {
    const char *name;
    unsigned bit;
    const char *help;
} items[] = {
    { "in_asm", MACHINE_LOG_IN_ASM, "each instruction address the first time it runs, "
                                    "disassembled (no translator yet: per instruction)" },
    { "exec", MACHINE_LOG_EXEC, "each executed instruction: CS:EIP, linear and physical "
                                "address, bytes, disassembly" },
    { "cpu", MACHINE_LOG_CPU, "the registers after each instruction" },
    { "int", MACHINE_LOG_INT, "interrupts and exceptions: vector, error code, CS:EIP, CPL" },
    { "mmu", MACHINE_LOG_MMU, "page faults, CR3 loads, TLB flushes" },
    { "unimp", MACHINE_LOG_UNIMP, "what the guest reached that orrery does not implement" },
    { "guest_errors", MACHINE_LOG_GUEST_ERRORS, "accesses to unclaimed I/O ports, triple "
                                                "faults" },
    { "ioport", MACHINE_LOG_IOPORT, "all I/O port accesses (in|out PORT SIZE VALUE)" },
    { "postcode", MACHINE_LOG_POSTCODE, "the POST codes written to port 0x80" },
};

bool log_item_bit(const char *name, unsigned *bit)
{
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (strcmp(items[i].name, name) == 0) {
            *bit = items[i].bit;
            return true;
        }
    }
    return false;
}

const char *log_item_names(void)
{
    return "in_asm, exec, cpu, int, mmu, unimp, guest_errors, ioport, postcode";
}

void log_item_help(FILE *f)
{
    fprintf(f, "Log items (comma separated; -D FILE writes them there, -dfilter RANGES limits\n"
               "in_asm, exec, cpu and int to linear address ranges):\n");
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        fprintf(f, "%-13s %s\n", items[i].name, items[i].help);
}
