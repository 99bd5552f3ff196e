/* The -d log items (frontends/cli/log_items.c): names, bits and the -d help text. */
#ifndef ORRERY_FRONTENDS_CLI_LOG_ITEMS_H
#define ORRERY_FRONTENDS_CLI_LOG_ITEMS_H

#include <stdbool.h>
#include <stdio.h>

/* The MACHINE_LOG_* bit of item name; false when there is none. */
bool log_item_bit(const char *name, unsigned *bit);
/* "in_asm, exec, ...": for messages. */
const char *log_item_names(void);
/* -d help: one line per item. */
void log_item_help(FILE *f);

#endif
