/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The longbus test device, for test guests (VMs with `testdev = on`).
 *
 * MMIO page at TESTDEV_MMIO_BASE:
 *   0x000-0x0ff  echo RAM: any access of 1, 2, 4 or 8 bytes reads back
 *                what was last written there (little-endian, bytewise)
 *   0x100        TESTDEV_MAGIC (read-only, 4 bytes)
 *   0x108        access counter: MMIO accesses the device has seen (8 bytes, RO)
 *   other        reads all-ones, writes dropped
 * Ports TESTDEV_PIO_BASE .. +7:
 *   +0           echo register, 1, 2 or 4 bytes: reads back the last write
 *   +4           access counter (4 bytes, read-only): port accesses seen
 */
#ifndef LONGBUS_GUEST_API_TESTDEV_H
#define LONGBUS_GUEST_API_TESTDEV_H

#define TESTDEV_MMIO_BASE 0xfeb00000u
#define TESTDEV_ECHO_SIZE 0x100u
#define TESTDEV_MAGIC_OFF 0x100u
#define TESTDEV_COUNT_OFF 0x108u
#define TESTDEV_MAGIC 0x7e57de71u
#define TESTDEV_PIO_BASE 0xe0u
#define TESTDEV_PIO_ECHO 0u
#define TESTDEV_PIO_COUNT 4u

#endif
