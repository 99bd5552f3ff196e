/* The ATAPI CD-ROM of an ATA channel (devices/ata): the packet device's ATA commands
 * (IDENTIFY PACKET DEVICE, PACKET, DEVICE RESET; IDENTIFY DEVICE aborts with the packet
 * signature, as ATA/ATAPI-6 §8.15 says) and the MMC/SPC commands a PACKET carries, for a
 * read-only disc of 2048-byte sectors from a core/disk image:
 *   TEST UNIT READY, REQUEST SENSE, INQUIRY, START STOP UNIT (eject/load), PREVENT ALLOW
 *   MEDIUM REMOVAL, READ CAPACITY, READ(10), READ(12), READ CD (user data), SEEK(10),
 *   READ TOC (formats 0 and 1, LBA or MSF), MODE SENSE(6)/(10) (pages 01h, 2Ah, 3Fh),
 *   GET CONFIGURATION, GET EVENT STATUS NOTIFICATION (media class, polled), READ DISC
 *   INFORMATION, SET CD SPEED, MECHANISM STATUS.
 * Errors are CHECK CONDITION: ERR in Status, the sense key in the Error register's high
 * nibble with ABRT, and the sense data kept for REQUEST SENSE (no medium 02/3A/00,
 * medium changed 06/28/00, invalid opcode 05/20/00, invalid field 05/24/00, LBA out of
 * range 05/21/00, removal prevented 05/53/02).
 *
 * Transfers (ATA/ATAPI-6 §9.10 and §9.11): after the command the device asks for the
 * 12-byte packet (DRQ, interrupt reason C/D), then moves the data by PIO in DRQ blocks
 * of at most the byte count limit the host wrote to LBA mid/high (each with INTRQ and
 * the block's byte count in those registers, reason I/O), or through the bus master when
 * the Features register's DMA bit was set; the end is INTRQ with reason C/D + I/O.
 * This file only knows the channel through ata.c's shared state and the helpers below. */
#ifndef ORRERY_DEVICES_ATAPI_H
#define ORRERY_DEVICES_ATAPI_H

#include "devices/ata.h"

/* ATA commands to a packet device (the selected one). */
void atapi_command(struct ata_channel *ch, uint8_t cmd);
/* The data port while a PACKET command is in progress; size 2 or 4. */
uint32_t atapi_data_read(struct ata_channel *ch, unsigned size);
void atapi_data_write(struct ata_channel *ch, unsigned size, uint32_t value);
/* The bus master's side of a PACKET command's DMA data (disc to memory). */
size_t atapi_dma_rw(struct ata_channel *ch, uint8_t *buf, size_t n);
/* IDENTIFY PACKET DEVICE's 256 words for drive (0 or 1). */
void atapi_identify(const struct ata_channel *ch, unsigned drive, uint16_t id[256]);
/* The packet signature in the task file (after a reset, diagnostics, DEVICE RESET). */
void atapi_signature(struct ata_channel *ch);

/* Shared with ata.c. */
void ata_set_intrq_(struct ata_channel *ch, uint8_t v);
void ata_id_string_(uint16_t *w, unsigned words, const char *str);

#endif
