/* PCI: configuration mechanism #1 (PCI Local Bus Specification 2.1, §3.7.4.1) on bus 0,
 * and the configuration space every PCI function shares.
 *
 * CONFIG_ADDRESS at 0xCF8 (dword accesses only: enable bit 31, bus 23-16, device 15-11,
 * function 10-8, register 7-2) selects a register; CONFIG_DATA at 0xCFC-0xCFF reads and
 * writes it in bytes, words or dwords. Functions that do not exist read all ones. Byte
 * accesses in 0xCF8-0xCFB are not CONFIG_ADDRESS; the PIIX3 decodes its reset control
 * register at 0xCF9 there (devices/piix3), which the bus forwards to a hook.
 *
 * A function's 256-byte space is plain data (struct pci_config, saved by its device). Two
 * constant masks say which bits software may write and which are "write 1 to clear"
 * (status bits); a device hook sees each write after it landed (PAM registers, PIRQ
 * routing). */
#ifndef ORRERY_DEVICES_PCI_H
#define ORRERY_DEVICES_PCI_H

#include <stdint.h>

#include "core/iobus.h"
#include "core/savestate.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define PCI_SLOTS 32
#define PCI_FUNCS 8

/* Standard header registers (PCI 2.1 §6.1). */
enum { PCI_VENDOR_ID = 0x00, PCI_DEVICE_ID = 0x02, PCI_COMMAND = 0x04, PCI_STATUS = 0x06,
       PCI_REVISION = 0x08, PCI_PROG_IF = 0x09, PCI_SUBCLASS = 0x0A, PCI_CLASS = 0x0B,
       PCI_CACHE_LINE = 0x0C, PCI_LATENCY = 0x0D, PCI_HEADER_TYPE = 0x0E, PCI_BIST = 0x0F,
       PCI_INTERRUPT_LINE = 0x3C, PCI_INTERRUPT_PIN = 0x3D };

struct pci_config {
    uint8_t b[256];
};

struct pci_function {
    struct pci_config *cfg;   /* the device's state */
    uint8_t wmask[256];       /* writable bits */
    uint8_t w1cmask[256];     /* write-1-to-clear bits */
    void (*written)(void *opaque, unsigned reg, unsigned size); /* optional */
    void *opaque;
};

struct pci_bus_state {
    uint32_t address;         /* CONFIG_ADDRESS */
};

struct pci_bus {
    struct pci_bus_state s;
    struct pci_function *fn[PCI_SLOTS][PCI_FUNCS]; /* wiring */
    /* Byte accesses to 0xCF9 (the PIIX3's reset control register). */
    uint8_t (*rcr_read)(void *opaque);
    void (*rcr_write)(void *opaque, uint8_t value);
    void *rcr_opaque;
};

int pci_bus_init(struct pci_bus *bus, struct iobus *io);
void pci_bus_reset(struct pci_bus *bus);
/* Puts a function at bus 0, slot, func. Returns -1 if the place is taken or invalid. */
int pci_bus_attach(struct pci_bus *bus, unsigned slot, unsigned func, struct pci_function *f);

/* Configuration space helpers for devices. */
void pci_function_init(struct pci_function *f, struct pci_config *cfg);
void pci_set8(struct pci_config *c, unsigned reg, uint8_t v);
void pci_set16(struct pci_config *c, unsigned reg, uint16_t v);
void pci_set32(struct pci_config *c, unsigned reg, uint32_t v);
uint32_t pci_get(const struct pci_config *c, unsigned reg, unsigned size);
void pci_wmask(struct pci_function *f, unsigned reg, unsigned n, uint8_t mask);
/* The standard header of a function without BARs: IDs, class, header type. */
void pci_header(struct pci_config *c, uint16_t vendor, uint16_t device, uint8_t revision,
                uint32_t class_code, uint8_t header_type);

/* Configuration cycles as the CPU makes them (also for tests). */
uint32_t pci_config_read(struct pci_bus *bus, unsigned slot, unsigned func, unsigned reg,
                         unsigned size);
void pci_config_write(struct pci_bus *bus, unsigned slot, unsigned func, unsigned reg,
                      unsigned size, uint32_t value);

extern const struct savestate_desc pci_bus_savestate;   /* describes struct pci_bus_state */

#endif
