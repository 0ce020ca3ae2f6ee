/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-net driver: longbus's own NIC on QEMU (modern virtio 1.x over
 * PCI, polled, one RX and one TX queue of 256 entries). It implements
 * struct netdev (drivers/netdev.h).
 *
 * Context: boot CPU during init or the service CPU, like every PCI and
 * netdev call (drivers/pci.h, drivers/netdev.h). No locks.
 */
#ifndef LONGBUS_DRIVERS_VIRTIO_NET_H
#define LONGBUS_DRIVERS_VIRTIO_NET_H

#include "drivers/netdev.h"
#include "drivers/pci.h"
#include "kernel/compiler.h"

/*
 * True for a virtio network function this driver can run: 1af4:1041
 * (modern), or 1af4:1000 (transitional) when it also exposes the virtio 1.x
 * capabilities (common, notify and device configuration in memory BARs).
 * Reads config space only; says nothing about ownership.
 */
bool virtio_net_match(const struct pci_dev *d);

/*
 * Brings up d, which the caller has claimed (pci_claim(PCI_OWNER_HV,
 * "virtio-net"), as drivers/nic.c does) and releases again on failure:
 * reset, feature negotiation (VERSION_1 required; MAC and STATUS taken when
 * offered; no offloads), RX queue filled, DRIVER_OK. The MAC is
 * mac_override when non-NULL, else the device's, else a random locally
 * administered one. Every wait on the device is bounded and logged.
 *
 * On success *out is the device's netdev, living until reboot. On failure
 * nothing is left allocated, and bus mastering is off so nothing can DMA.
 *
 * Returns 0; -EBUSY when d is not claimed PCI_OWNER_HV for "virtio-net";
 * -ENODEV when d is not a usable virtio-net (no modern capabilities, no
 * VERSION_1, queues missing or smaller than 256, BAR unassigned or too
 * small); -EINVAL for NULL d/out or an override that is multicast or all
 * zeroes; -ENOMEM; -ETIMEDOUT when the device never finished a reset; -EIO
 * when it refused the features or failed right after DRIVER_OK.
 */
int virtio_net_probe(struct pci_dev *d, const u8 *mac_override, struct netdev **out) __must_check;

#endif
