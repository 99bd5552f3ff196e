/* Listening sockets in QEMU's chardev spelling (sockspec.h), for -gdb and -monitor. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "frontends/monitor/sockspec.h"

/* QEMU's chardev options: server (listen), nowait/wait=off (do not wait for a client). */
static bool strip_options(char *s, struct sock_listen *out)
{
    out->wait = true;
    char *comma = strchr(s, ',');
    if (!comma)
        return true;
    *comma = '\0';
    for (char *opt = comma + 1; opt && *opt;) {
        char *next = strchr(opt, ',');
        if (next)
            *next++ = '\0';
        if (!strcmp(opt, "server") || !strcmp(opt, "server=on"))
            out->server = true;
        else if (!strcmp(opt, "nowait") || !strcmp(opt, "wait=off"))
            out->wait = false;
        else if (!strcmp(opt, "wait") || !strcmp(opt, "wait=on"))
            out->wait = true;
        else
            return false;
        opt = next;
    }
    return true;
}

static int nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int listen_unix(struct sock_listen *g, const char *flag, const char *path, char *err,
                       size_t errlen)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (!*path || strlen(path) >= sizeof sa.sun_path || strlen(path) >= sizeof g->unix_path) {
        snprintf(err, errlen, "%s unix:%s: the path is empty or longer than %zu bytes", flag, path,
                 sizeof sa.sun_path - 1);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a socket left by an earlier run */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0 ||
        nonblocking(fd) < 0) {
        snprintf(err, errlen, "%s unix:%s: cannot listen there: %s", flag, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    snprintf(g->unix_path, sizeof g->unix_path, "%s", path);
    snprintf(g->where, sizeof g->where, "unix:%s", path);
    return fd;
}

static int listen_tcp(struct sock_listen *g, const char *flag, const char *hostport, char *err,
                      size_t errlen)
{
    const char *colon = strrchr(hostport, ':');
    if (!colon || !colon[1]) {
        snprintf(err, errlen, "%s tcp:%s: no port (examples: tcp::1234, tcp:0.0.0.0:1234)",
                 flag, hostport);
        return -1;
    }
    char host[128];
    size_t hl = (size_t)(colon - hostport);
    if (hl >= sizeof host) {
        snprintf(err, errlen, "%s tcp:%s: the host name is too long", flag, hostport);
        return -1;
    }
    memcpy(host, hostport, hl);
    host[hl] = '\0';
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || errno || port > 65535 || colon[1] < '0' || colon[1] > '9') {
        snprintf(err, errlen, "%s tcp:%s: '%s' is not a port (0-65535)", flag, hostport, colon + 1);
        return -1;
    }
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char ports[8];
    snprintf(ports, sizeof ports, "%lu", port);
    int rc = getaddrinfo(hl ? host : "127.0.0.1", ports, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "%s tcp:%s: %s", flag, hostport, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0 &&
            nonblocking(fd) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        snprintf(err, errlen, "%s tcp:%s: cannot listen there: %s", flag, hostport,
                 strerror(saved));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char hbuf[64], pbuf[8];
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
        getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof hbuf, pbuf, sizeof pbuf,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        snprintf(g->where, sizeof g->where, "tcp:%s:%s", hbuf, pbuf);
    else
        snprintf(g->where, sizeof g->where, "tcp:%s", hostport);
    return fd;
}

bool sock_listen(const char *spec, const char *flag, struct sock_listen *out, char *err,
                 size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    char *s = strdup(spec);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!strip_options(s, out))
        snprintf(err, errlen, "%s %s: unsupported option (orrery knows server, nowait, "
                 "wait=off)", flag, spec);
    else if (strncmp(s, "tcp:", 4) == 0)
        out->fd = listen_tcp(out, flag, s + 4, err, errlen);
    else if (strncmp(s, "unix:", 5) == 0)
        out->fd = listen_unix(out, flag, s + 5, err, errlen);
    else
        snprintf(err, errlen, "%s %s: unsupported; use tcp::PORT, tcp:HOST:PORT or "
                 "unix:PATH", flag, spec);
    free(s);
    return out->fd >= 0;
}
