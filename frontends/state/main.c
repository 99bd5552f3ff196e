/* build/orrery-state: saved states (orrery -savestate, Ctrl-A s) read without a machine.
 *
 *   orrery-state show FILE      every field, "section.field = 0xVALUE", and the RAM regions
 *   orrery-state diff A B       what differs: fields, then RAM pages; exit 0 when equal,
 *                               1 when they differ, 2 when a file cannot be read */
#include <stdio.h>
#include <string.h>

#include "core/machine/machine.h"

static int usage(void)
{
    fprintf(stderr, "usage: orrery-state show FILE\n"
                    "       orrery-state diff FILE_A FILE_B\n");
    return 2;
}

int main(int argc, char **argv)
{
    char err[MACHINE_ERRMAX];
    if (argc == 3 && strcmp(argv[1], "show") == 0) {
        if (machine_state_show(argv[2], stdout, err) == 0)
            return 0;
    } else if (argc == 4 && strcmp(argv[1], "diff") == 0) {
        int n = machine_state_diff(argv[2], argv[3], stdout, err);
        if (n == 0)
            printf("the states are equal\n");
        if (n >= 0)
            return n ? 1 : 0;
    } else {
        return usage();
    }
    fflush(stdout);
    fprintf(stderr, "orrery-state: %s\n", err);
    return 2;
}
