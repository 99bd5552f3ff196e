/* -record FILE[,snapshot=N][,check=N] and -replay FILE (core/machine/record.c). */
#ifndef ORRERY_FRONTENDS_CLI_RECORD_H
#define ORRERY_FRONTENDS_CLI_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/machine/machine.h"

/* name is "record" or "replay", v its argument; false with one line in err. */
bool record_option(struct machine_config *cfg, const char *name, const char *v, char *err,
                   size_t errlen);

#endif
