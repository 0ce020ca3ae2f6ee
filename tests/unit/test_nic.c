// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for drivers/nic.c: which device `[net] nic` takes, that it is
 * claimed for the hypervisor before the probe, that `auto` never takes a
 * device someone else owns, and that a failed probe gives the device back.
 *
 * Context: host, cmocka, ASan/UBSan (Makefile: unit_src_nic). The real
 * drivers are replaced by fakes that record their probes; the registry is
 * filled by hand (drivers/pci.c's pure half does the claims).
 */
#include "drivers/e1000.h"
#include "drivers/nic.h"
#include "drivers/virtio_net.h"
#include "kernel/errno.h"
#include "kernel/log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* ---- fakes ---------------------------------------------------------------- */

static struct pci_registry reg;
static struct netdev fake_nd;
static int e1000_rc, virtio_rc; /* what the fake probes return */
static unsigned e1000_probes, virtio_probes;
static enum pci_owner owner_at_probe;
static const u8 *mac_at_probe;

struct pci_registry *pci_registry_get(void)
{
	return &reg;
}

void log_write(enum log_level lvl, const char *tag, const char *fmt, ...)
{
	(void)lvl, (void)tag, (void)fmt;
}

bool e1000_match(const struct pci_dev *d)
{
	return d->vendor == 0x8086 && (d->device == 0x100e || d->device == 0x10d3);
}

int e1000_probe(struct pci_dev *d, const u8 *mac_override, struct netdev **out)
{
	e1000_probes++;
	owner_at_probe = d->owner;
	mac_at_probe = mac_override;
	if (!e1000_rc)
		*out = &fake_nd;
	return e1000_rc;
}

bool virtio_net_match(const struct pci_dev *d)
{
	return d->vendor == 0x1af4 && d->device == 0x1041;
}

int virtio_net_probe(struct pci_dev *d, const u8 *mac_override, struct netdev **out)
{
	virtio_probes++;
	owner_at_probe = d->owner;
	mac_at_probe = mac_override;
	if (!virtio_rc)
		*out = &fake_nd;
	return virtio_rc;
}

static struct pci_dev *add(u8 bus, u8 dev, u16 vendor, u16 device)
{
	struct pci_dev *d = &reg.dev[reg.ndev++];

	memset(d, 0, sizeof(*d));
	d->bus = bus;
	d->dev = dev;
	d->vendor = vendor;
	d->device = device;
	d->class = 2;
	return d;
}

static int setup(void **state)
{
	(void)state;
	pci_registry_init(&reg);
	e1000_rc = virtio_rc = 0;
	e1000_probes = virtio_probes = 0;
	owner_at_probe = PCI_OWNER_NONE;
	mac_at_probe = NULL;
	add(0, 0, 0x8086, 0x29c0);	/* host bridge */
	add(0, 1, 0x1234, 0x1111);	/* VGA */
	add(0, 2, 0x1af4, 0x1041);	/* virtio-net */
	add(0, 3, 0x8086, 0x10d3);	/* e1000e */
	add(0, 4, 0x8086, 0x100e);	/* e1000 */
	return 0;
}

static const struct nic_want want_auto = { .any = true };

static struct nic_want want_bdf(u8 bus, u8 dev)
{
	return (struct nic_want){ .any = false, .bus = bus, .dev = dev };
}

/* ---- nic_pick ---------------------------------------------------------------- */

static const struct nic_driver table[] = {
	{ "e1000", e1000_match, e1000_probe },
	{ "virtio-net", virtio_net_match, virtio_net_probe },
};

static void test_nic_auto_takes_first_supported_device_in_bus_order(void **state)
{
	struct pci_dev *d;
	const struct nic_driver *drv;

	(void)state;
	assert_int_equal(nic_pick(&reg, table, 2, &want_auto, NULL, 0, &d, &drv), 0);
	assert_ptr_equal(d, &reg.dev[2]);
	assert_string_equal(drv->name, "virtio-net");
	assert_int_equal(d->owner, PCI_OWNER_HV);
	assert_string_equal(d->who, "virtio-net");
}

static void test_nic_auto_skips_devices_owned_by_anyone(void **state)
{
	struct pci_dev *d;
	const struct nic_driver *drv;

	(void)state;
	assert_int_equal(pci_claim(&reg, &reg.dev[2], PCI_OWNER_GUEST, "vm1"), 0);
	assert_int_equal(pci_claim(&reg, &reg.dev[3], PCI_OWNER_HIDDEN, "hidden"), 0);
	assert_int_equal(nic_pick(&reg, table, 2, &want_auto, NULL, 0, &d, &drv), 0);
	assert_ptr_equal(d, &reg.dev[4]);
	assert_string_equal(drv->name, "e1000");
	/* The guest's and the hidden device are untouched. */
	assert_int_equal(reg.dev[2].owner, PCI_OWNER_GUEST);
	assert_string_equal(reg.dev[2].who, "vm1");
	assert_int_equal(reg.dev[3].owner, PCI_OWNER_HIDDEN);
	/* Everything owned now: nothing left for a second auto pick. */
	assert_int_equal(nic_pick(&reg, table, 2, &want_auto, NULL, 0, &d, &drv), -ENODEV);
	assert_null(d);
}

static void test_nic_auto_skips_listed_failures(void **state)
{
	struct pci_dev *skip[] = { &reg.dev[2] };
	struct pci_dev *d;
	const struct nic_driver *drv;

	(void)state;
	assert_int_equal(nic_pick(&reg, table, 2, &want_auto, skip, 1, &d, &drv), 0);
	assert_ptr_equal(d, &reg.dev[3]);
	assert_int_equal(reg.dev[2].owner, PCI_OWNER_NONE);
}

static void test_nic_bdf_errors_say_why(void **state)
{
	struct nic_want w;
	struct pci_dev *d;
	const struct nic_driver *drv;

	(void)state;
	w = want_bdf(0, 9);
	assert_int_equal(nic_pick(&reg, table, 2, &w, NULL, 0, &d, &drv), -ENODEV);
	assert_null(d);
	w = want_bdf(0, 1);
	assert_int_equal(nic_pick(&reg, table, 2, &w, NULL, 0, &d, &drv), -ENOTSUP);
	assert_ptr_equal(d, &reg.dev[1]);
	assert_int_equal(reg.dev[1].owner, PCI_OWNER_NONE);
	assert_int_equal(pci_claim(&reg, &reg.dev[4], PCI_OWNER_GUEST, "vm1"), 0);
	w = want_bdf(0, 4);
	assert_int_equal(nic_pick(&reg, table, 2, &w, NULL, 0, &d, &drv), -EBUSY);
	assert_ptr_equal(d, &reg.dev[4]);
	assert_string_equal(reg.dev[4].who, "vm1");
	/* A named device is taken even when an earlier one would match auto. */
	w = want_bdf(0, 3);
	assert_int_equal(nic_pick(&reg, table, 2, &w, NULL, 0, &d, &drv), 0);
	assert_ptr_equal(d, &reg.dev[3]);
	assert_string_equal(drv->name, "e1000");
}

static void test_nic_bdf_with_segment_must_match_exactly(void **state)
{
	struct nic_want w = { .any = false, .seg = 1, .bus = 0, .dev = 2 };
	struct pci_dev *d;
	const struct nic_driver *drv;

	(void)state;
	assert_int_equal(nic_pick(&reg, table, 2, &w, NULL, 0, &d, &drv), -ENODEV);
}

/* ---- nic_open: claim, probe, release ------------------------------------------- */

static void test_nic_open_claims_before_probe_and_passes_mac(void **state)
{
	static const u8 mac[6] = { 0x52, 0x54, 0, 1, 2, 3 };
	struct nic_want w = want_bdf(0, 4);
	struct netdev *nd = NULL;
	struct pci_dev *d = NULL;

	(void)state;
	assert_int_equal(nic_open(&w, mac, &nd, &d), 0);
	assert_ptr_equal(nd, &fake_nd);
	assert_ptr_equal(d, &reg.dev[4]);
	assert_int_equal(owner_at_probe, PCI_OWNER_HV);
	assert_ptr_equal(mac_at_probe, mac);
	assert_int_equal(reg.dev[4].owner, PCI_OWNER_HV);
	assert_string_equal(reg.dev[4].who, "e1000");
}

static void test_nic_open_auto_falls_through_failed_probes_and_releases(void **state)
{
	struct netdev *nd = NULL;
	struct pci_dev *d = NULL;

	(void)state;
	virtio_rc = -ETIMEDOUT; /* the virtio-net at 00:02.0 is dead */
	assert_int_equal(nic_open(&want_auto, NULL, &nd, &d), 0);
	assert_int_equal(virtio_probes, 1);
	assert_int_equal(e1000_probes, 1);
	assert_ptr_equal(d, &reg.dev[3]);
	assert_int_equal(reg.dev[2].owner, PCI_OWNER_NONE); /* given back */
	assert_int_equal(reg.dev[3].owner, PCI_OWNER_HV);
	assert_null(mac_at_probe);
}

static void test_nic_open_auto_every_probe_failing_leaves_nothing_claimed(void **state)
{
	struct netdev *nd = NULL;

	(void)state;
	virtio_rc = -EIO;
	e1000_rc = -ETIMEDOUT;
	assert_int_equal(nic_open(&want_auto, NULL, &nd, NULL), -ENODEV);
	assert_int_equal(virtio_probes, 1);
	assert_int_equal(e1000_probes, 2); /* e1000e and e1000, each once */
	for (unsigned i = 0; i < reg.ndev; i++)
		assert_int_equal(reg.dev[i].owner, PCI_OWNER_NONE);
	assert_null(nd);
}

static void test_nic_open_bdf_probe_failure_returns_its_error(void **state)
{
	struct nic_want w = want_bdf(0, 2);
	struct netdev *nd = NULL;

	(void)state;
	virtio_rc = -ENODEV;
	assert_int_equal(nic_open(&w, NULL, &nd, NULL), -ENODEV);
	assert_int_equal(virtio_probes, 1);
	assert_int_equal(e1000_probes, 0); /* a named device: no fallback */
	assert_int_equal(reg.dev[2].owner, PCI_OWNER_NONE);
}

#define TEST(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_nic_auto_takes_first_supported_device_in_bus_order),
		TEST(test_nic_auto_skips_devices_owned_by_anyone),
		TEST(test_nic_auto_skips_listed_failures),
		TEST(test_nic_bdf_errors_say_why),
		TEST(test_nic_bdf_with_segment_must_match_exactly),
		TEST(test_nic_open_claims_before_probe_and_passes_mac),
		TEST(test_nic_open_auto_falls_through_failed_probes_and_releases),
		TEST(test_nic_open_auto_every_probe_failing_leaves_nothing_claimed),
		TEST(test_nic_open_bdf_probe_failure_returns_its_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
