/* Listening sockets in QEMU's chardev spelling, shared by the GDB stub (-gdb) and the
 * monitor (-monitor): tcp::PORT (127.0.0.1), tcp:HOST:PORT, unix:PATH, with the options
 * server, server=on, nowait, wait=off (and wait, wait=on). The socket is non-blocking. */
#ifndef ORRERY_FRONTENDS_MONITOR_SOCKSPEC_H
#define ORRERY_FRONTENDS_MONITOR_SOCKSPEC_H

#include <stdbool.h>
#include <stddef.h>

struct sock_listen {
    int fd;
    bool server;            /* server or server=on was given */
    bool wait;              /* with server: wait for a client first (QEMU's default) */
    char where[200];        /* "tcp:127.0.0.1:1234" or "unix:PATH", for messages */
    char unix_path[108];    /* a Unix socket to remove at close; "" for TCP */
};

/* Listens on spec; false with one line in err, which starts with flag and spec
 * ("-gdb tcp:x: no port ..."). */
bool sock_listen(const char *spec, const char *flag, struct sock_listen *out, char *err,
                 size_t errlen);

#endif
