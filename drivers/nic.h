/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Choosing longbus's own NIC: one explicit table of NIC drivers (nic.c),
 * and the selection `[net] nic = auto | BDF` asks for.
 *
 * Selection claims the device PCI_OWNER_HV (who = the driver's name)
 * before the driver touches it, so `auto` never takes a device a guest or
 * another driver owns, and releases the claim again when the probe fails.
 */
#ifndef LONGBUS_DRIVERS_NIC_H
#define LONGBUS_DRIVERS_NIC_H

#include "drivers/netdev.h"
#include "drivers/pci.h"

/* One NIC driver: does it drive d, and bring d up as a netdev. */
struct nic_driver {
	const char *name;
	bool (*match)(const struct pci_dev *d);
	/* 0 or negative errno; mac_override NULL: use the device's own MAC. */
	int (*probe)(struct pci_dev *d, const u8 *mac_override, struct netdev **out);
};

/* Which device to take. */
struct nic_want {
	bool any; /* nic = auto: the first unowned device some driver matches */
	u16 seg;  /* otherwise exactly this function */
	u8 bus, dev, fn;
};

/*
 * Pure: finds the device `want` names in r and the first driver in
 * drv[0..n) that matches it, and claims it PCI_OWNER_HV for that driver.
 * With want->any, devices owned by anyone are skipped, as are devices in
 * skip[0..nskip) (ones whose probe already failed).
 *
 * Returns 0 with *dev and *drv set; -ENODEV (no such BDF, or no unowned
 * supported NIC at all), -EBUSY (the BDF is owned: (*dev)->owner says by
 * whom), -ENOTSUP (the BDF is there but no driver matches it; *dev set).
 */
int nic_pick(struct pci_registry *r, const struct nic_driver *drv, size_t n,
	     const struct nic_want *want, struct pci_dev *const *skip, size_t nskip,
	     struct pci_dev **dev, const struct nic_driver **drv_out) __must_check;

/*
 * Glue: picks with the built-in table and the singleton registry, then
 * probes. With want->any, a device whose probe fails is released and the
 * next one tried. Logs what it took or why not. Boot or service CPU.
 * Returns 0 with *out (and *dev, when dev is not NULL) set, or the errno
 * of nic_pick()/the probe.
 */
int nic_open(const struct nic_want *want, const u8 *mac_override,
	     struct netdev **out, struct pci_dev **dev) __must_check;

#endif
