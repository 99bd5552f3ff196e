/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the GDB stub (frontends/gdb/): the input is what a debugger sends,
 * hostile from its framing to its packets' arguments. Each input gets a fresh machine (a
 * 64 KiB firmware that loops incrementing EBX, 1 MiB of RAM) stopped as with -S, and a
 * stub whose connection is one end of a socket pair: the input goes in at the other end
 * 32 bytes at a time (so that the answers, drained after each, never fill the pair), the
 * stub takes it through gdbstub_poll as it would from gdb, and a guest it resumes runs
 * 200 instructions a turn, with its stops reported as orrery's loop reports them. Whatever
 * arrives, the stub must answer or refuse, never crash, hang or touch memory it should
 * not (run under ASan/UBSan). A kill, a detach or a hang-up ends the input.
 * (tools: `cmake -DORRERY_FUZZ=ON` with CC=clang builds build/fuzz_gdb; seed it with
 * packets such as "$g#67", "$m0,10#.." or "$Z2,1000,4#..", checksums right or wrong.)
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/machine/machine.h"
#include "frontends/gdb/gdbstub.h"
#include "frontends/gdb/stub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char bios_path[64];

/* The firmware, once: at F000:0000 inc ebx; jmp short back; the reset vector jumps there. */
static void make_bios(void)
{
    if (bios_path[0])
        return;
    static uint8_t img[64 << 10];
    static const uint8_t code[] = { 0x66, 0x43, 0xEB, 0xFC };
    static const uint8_t reset[] = { 0xEA, 0x00, 0x00, 0x00, 0xF0 };
    memcpy(img, code, sizeof code);
    memcpy(img + sizeof img - 16, reset, sizeof reset);
    snprintf(bios_path, sizeof bios_path, "/tmp/orrery-fuzz-gdb-XXXXXX");
    int fd = mkstemp(bios_path);
    if (fd < 0 || write(fd, img, sizeof img) != (ssize_t)sizeof img)
        abort();
    close(fd);
}

static void drain(int fd)
{
    char buf[1 << 16];
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    make_bios();
    struct machine_config cfg = { .ram_size = 1u << 20, .bios_path = bios_path };
    struct machine *m;
    char err[MACHINE_ERRMAX];
    if (machine_create(&cfg, &m, err) != MACHINE_OK)
        abort();
    /* The stub as gdbstub_open makes it, connected already (listen_fd: nothing listens). */
    struct gdbstub *g = calloc(1, sizeof *g);
    int sv[2];
    if (!g || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    g->m = m;
    g->listen_fd = open("/dev/null", O_RDONLY);
    g->fd = sv[0];
    snprintf(g->where, sizeof g->where, "fuzz");
    snprintf(g->last_stop, sizeof g->last_stop, "T05thread:01;");
    for (size_t at = 0; at < size && g->fd >= 0 && !gdbstub_killed(g);) {
        size_t n = size - at < 32 ? size - at : 32;
        if (send(sv[1], data + at, n, MSG_NOSIGNAL) != (ssize_t)n)
            break;
        at += n;
        bool running = gdbstub_poll(g);
        drain(sv[1]);
        for (int turn = 0; running && turn < 4 && g->fd >= 0; turn++) {
            enum machine_stop why = machine_run(m, 200);
            gdbstub_stopped(g, why);
            drain(sv[1]);
            running = g->running;
        }
    }
    drain(sv[1]);
    close(sv[1]);
    gdbstub_close(g); /* closes sv[0] and listen_fd */
    machine_destroy(m);
    return 0;
}
