// SPDX-License-Identifier: GPL-2.0-only
/*
 * longbus's NIC drivers, in one table, and choosing the device for
 * `[net] nic` (drivers/nic.h).
 * Context: boot CPU during init (net_init), or the service CPU; the PCI
 * registry takes no lock and allows nothing else (drivers/pci.h).
 */
#include "drivers/e1000.h"
#include "drivers/nic.h"
#include "drivers/virtio_net.h"
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"

#define LOG_TAG "nic"

/*
 * Every NIC driver longbus has. `nic = auto` takes the first device in PCI
 * bus order that some row matches; the first matching row drives it.
 */
static const struct nic_driver nic_drivers[] = {
	/* 82540EM (8086:100e, Bochs and QEMU) and 82574 (8086:10d3, QEMU q35's e1000e). */
	{ "e1000", e1000_match, e1000_probe },
	/* Modern virtio-net (1af4:1041, and transitional 1af4:1000 in modern mode). */
	{ "virtio-net", virtio_net_match, virtio_net_probe },
};

static bool in_list(struct pci_dev *const *list, size_t n, const struct pci_dev *d)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i] == d)
			return true;
	}
	return false;
}

static const struct nic_driver *find_driver(const struct nic_driver *drv, size_t n,
					    const struct pci_dev *d)
{
	for (size_t i = 0; i < n; i++) {
		if (drv[i].match(d))
			return &drv[i];
	}
	return NULL;
}

int nic_pick(struct pci_registry *r, const struct nic_driver *drv, size_t n,
	     const struct nic_want *want, struct pci_dev *const *skip, size_t nskip,
	     struct pci_dev **dev, const struct nic_driver **drv_out)
{
	const struct nic_driver *found;
	struct pci_dev *d;

	*dev = NULL;
	*drv_out = NULL;
	if (!want->any) {
		d = pci_find_bdf(r, want->seg, want->bus, want->dev, want->fn);
		if (!d)
			return -ENODEV;
		*dev = d;
		if (d->owner != PCI_OWNER_NONE)
			return -EBUSY;
		found = find_driver(drv, n, d);
		if (!found)
			return -ENOTSUP;
		if (pci_claim(r, d, PCI_OWNER_HV, found->name))
			return -EBUSY;
		*drv_out = found;
		return 0;
	}
	for (unsigned i = 0; i < r->ndev; i++) {
		d = &r->dev[i];
		if (d->owner != PCI_OWNER_NONE || in_list(skip, nskip, d))
			continue;
		found = find_driver(drv, n, d);
		if (!found || pci_claim(r, d, PCI_OWNER_HV, found->name))
			continue;
		*dev = d;
		*drv_out = found;
		return 0;
	}
	return -ENODEV;
}

static void format_bdf(char *buf, size_t n, u16 seg, u8 bus, u8 dev, u8 fn)
{
	if (seg)
		ksnprintf(buf, n, "%04x:%02x:%02x.%x", seg, bus, dev, fn);
	else
		ksnprintf(buf, n, "%02x:%02x.%x", bus, dev, fn);
}

static void log_pick_error(const struct nic_want *want, const struct pci_dev *d, int rc)
{
	char bdf[16];

	if (want->any) {
		log_warn("no unowned supported NIC (e1000, e1000e, virtio-net) found");
		return;
	}
	format_bdf(bdf, sizeof(bdf), want->seg, want->bus, want->dev, want->fn);
	if (rc == -ENODEV)
		log_err("nic %s: no such PCI device (see `pci`)", bdf);
	else if (rc == -EBUSY)
		log_err("nic %s: already owned by %s:%s", bdf, pci_owner_name(d->owner), d->who);
	else
		log_err("nic %s: %04x:%04x is not a NIC longbus drives (e1000, e1000e, virtio-net)",
			bdf, d->vendor, d->device);
}

int nic_open(const struct nic_want *want, const u8 *mac_override, struct netdev **out,
	     struct pci_dev **dev_out)
{
	struct pci_registry *r = pci_registry_get();
	struct pci_dev *failed[8], *d;
	const struct nic_driver *drv;
	size_t nfailed = 0;
	char bdf[16];
	int rc;

	for (;;) {
		rc = nic_pick(r, nic_drivers, ARRAY_SIZE(nic_drivers), want, failed, nfailed,
			      &d, &drv);
		if (rc) {
			log_pick_error(want, d, rc);
			return rc;
		}
		format_bdf(bdf, sizeof(bdf), d->seg, d->bus, d->dev, d->fn);
		rc = drv->probe(d, mac_override, out);
		if (!rc) {
			log_info("%s: %s %04x:%04x taken by the hypervisor", bdf, drv->name,
				 d->vendor, d->device);
			if (dev_out)
				*dev_out = d;
			return 0;
		}
		log_err("%s: %s probe failed (%d)", bdf, drv->name, rc);
		if (pci_release(r, d, PCI_OWNER_HV, drv->name))
			log_err("%s: could not release the claim", bdf);
		if (!want->any || nfailed == ARRAY_SIZE(failed))
			return rc;
		failed[nfailed++] = d;
	}
}
