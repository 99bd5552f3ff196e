/* The I/O port bus: 65536 byte-addressed ports, each owned by at most one device.
 * The CPU reaches devices only through this interface (DESIGN.md, "Who may include whom"). */
#ifndef ORRERY_CORE_IOBUS_H
#define ORRERY_CORE_IOBUS_H

#include <stdint.h>

/* size is 1, 2 or 4 (bytes). A device that only decodes bytes may still get wider accesses
 * when it registers with IOBUS_WIDE; otherwise the bus splits them into byte accesses. */
typedef uint32_t (*io_read_fn)(void *opaque, uint16_t port, unsigned size);
typedef void (*io_write_fn)(void *opaque, uint16_t port, unsigned size, uint32_t value);

/* Called after every access when set: tracing (-d ioport) and test rigs watch the bus. */
typedef void (*io_observe_fn)(void *opaque, int is_write, uint16_t port, unsigned size,
                              uint32_t value);

enum { IOBUS_WIDE = 1 };

struct io_handler {
    io_read_fn read;
    io_write_fn write;
    void *opaque;
    unsigned flags;
};

struct iobus {
    struct io_handler *port; /* 65536 entries; read == NULL means unclaimed */
    io_observe_fn observe;
    void *observe_opaque;
};

int iobus_init(struct iobus *bus);
void iobus_free(struct iobus *bus);
/* Claims ports [first, first + count). Returns -1 if any of them is already claimed. */
int iobus_register(struct iobus *bus, uint16_t first, unsigned count, const struct io_handler *h);
/* Releases ports [first, first + count) (a PCI BAR that moved); they read all ones again. */
void iobus_unregister(struct iobus *bus, uint16_t first, unsigned count);
uint32_t iobus_in(struct iobus *bus, uint16_t port, unsigned size);
void iobus_out(struct iobus *bus, uint16_t port, unsigned size, uint32_t value);

#endif
