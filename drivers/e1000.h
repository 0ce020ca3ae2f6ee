/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Driver for the Intel e1000 family, polled, behind drivers/netdev.h:
 * 82540EM (8086:100e, Bochs and QEMU `-device e1000`), 82545EM (8086:100f,
 * QEMU e1000-82545em) and 82574L (8086:10d3, QEMU `-device e1000e`, the q35
 * default). Legacy descriptors, 2 KiB buffers, interrupts masked.
 *
 * Context: boot CPU (probe) and then the service CPU only, like every
 * netdev; no locking. Nothing here ever waits on the device without a
 * deadline: each wait ends after a bounded time with a log line and
 * stats.timeouts++.
 */
#ifndef LONGBUS_DRIVERS_E1000_H
#define LONGBUS_DRIVERS_E1000_H

#include "drivers/netdev.h"
#include "drivers/pci.h"

/* True for the vendor:device pairs this driver handles. */
bool e1000_match(const struct pci_dev *d);

/*
 * Brings up d: enables memory decode and bus mastering (legacy INTx off),
 * maps BAR0 (32- or 64-bit), resets the device, takes the MAC (mac_override
 * when not NULL, else RAL0/RAH0 as loaded from the EEPROM, else the EEPROM
 * through EERD), sets up 512 RX and 256 TX descriptors and enables RX and
 * TX with every interrupt masked. Link comes up on its own; see
 * nd->ops->link_up().
 *
 * The caller must own d (pci_claim(..., PCI_OWNER_HV, ...)) before calling:
 * a device owned by anyone else, or nobody, is refused with -EBUSY. The
 * device state lives in pages from page_alloc(), one set per device.
 *
 * Returns 0 with *out set; -ENODEV when d is not a supported device or BAR0
 * is not an assigned memory BAR; -EBUSY as above; -EINVAL for a multicast or
 * all-zero mac_override; -ETIMEDOUT when the device does not come out of
 * reset; -EIO when no valid MAC can be found (set `[net] mac`); -ENOMEM.
 * Context: boot or service CPU, before the netdev is used.
 */
int e1000_probe(struct pci_dev *d, const u8 *mac_override, struct netdev **out) __must_check;

#endif
