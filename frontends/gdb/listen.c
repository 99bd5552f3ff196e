/* The GDB stub's listening socket: -gdb tcp::PORT (127.0.0.1), tcp:HOST:PORT, unix:PATH
 * (frontends/monitor/sockspec.c, shared with -monitor). The stub never waits for GDB
 * before the guest starts (-S does that), so "wait" is ignored, as is a missing "server". */
#include <stdio.h>

#include "frontends/gdb/stub.h"
#include "frontends/monitor/sockspec.h"

int stub_listen(struct gdbstub *g, const char *spec, char *err, size_t errlen)
{
    struct sock_listen l;
    if (!sock_listen(spec, "-gdb", &l, err, errlen))
        return -1;
    snprintf(g->where, sizeof g->where, "%s", l.where);
    snprintf(g->unix_path, sizeof g->unix_path, "%s", l.unix_path);
    return l.fd;
}
