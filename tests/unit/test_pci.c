// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the pure half of drivers/pci.c: enumeration against a fake
 * config space, the ownership registry and the device line formatter.
 *
 * Context: host, cmocka, ASan/UBSan:
 *   gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined -I. \
 *       -DPCI_NO_HW tests/unit/test_pci.c drivers/pci.c -lcmocka
 *
 * The fake is a table of functions keyed by bus/dev/fn. It answers every
 * function in the table, whether or not a real bus would route the access
 * there (functions 1..7 of a single-function device, a bus no bridge leads
 * to), and it records every read and write, so the tests check what the
 * scanner asked for, not only what it recorded.
 */
#include "drivers/pci.h"
#include "drivers/pci_regs.h"
#include "kernel/errno.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* ---- Fake config space ---------------------------------------------- */

struct fake_fn {
	u8 bus, dev, fn;
	u16 vendor, device;
	u8 class, subclass, prog_if, revision;
	u8 hdr;		  /* header type byte, bit 7 = multi-function */
	u8 sec, sub;	  /* bridges only */
};

struct fake {
	const struct fake_fn *fns;
	size_t n;
	/* Dense mode: every function of buses 0..dense_buses-1 exists. */
	unsigned dense_buses;
	u16 last_seg;
	unsigned reads[PCI_MAX_BUS][PCI_MAX_DEV][PCI_MAX_FN];
	unsigned writes;
	unsigned misaligned;
	unsigned bad_bdf;
};

static const struct fake_fn *fake_lookup(const struct fake *f, u8 bus, u8 dev, u8 fn)
{
	static struct fake_fn dense;

	if (bus < f->dense_buses) {
		/* 00:00.0 bridges to bus 1, so both buses are reachable. */
		bool bridge = bus == 0 && dev == 0 && fn == 0;

		dense = (struct fake_fn){ bus, dev, fn, 0x1af4, (u16)(bus << 8 | dev << 3 | fn),
					  bridge ? 0x06 : 0x02, bridge ? 0x04 : 0x00, 0, 1,
					  bridge ? 0x81 : 0x80, 1, 1 };
		return &dense;
	}
	for (size_t i = 0; i < f->n; i++) {
		const struct fake_fn *e = &f->fns[i];

		if (e->bus == bus && e->dev == dev && e->fn == fn)
			return e;
	}
	return NULL;
}

static u32 fake_read32(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u16 off)
{
	struct fake *f = ctx;
	const struct fake_fn *e;

	f->last_seg = seg;
	if (dev >= PCI_MAX_DEV || fn >= PCI_MAX_FN) {
		f->bad_bdf++;
		return 0xffffffff;
	}
	f->reads[bus][dev][fn]++;
	if (off & 3)
		f->misaligned++;

	e = fake_lookup(f, bus, dev, fn);
	if (!e)
		return 0xffffffff;
	switch (off) {
	case PCI_VENDOR_ID:
		return (u32)e->device << 16 | e->vendor;
	case PCI_REVISION_ID:
		return (u32)e->class << 24 | (u32)e->subclass << 16 | (u32)e->prog_if << 8 |
		       e->revision;
	case PCI_CACHE_LINE_SIZE:
		return (u32)e->hdr << 16 | 0x10; /* cache line 64 bytes */
	case PCI_PRIMARY_BUS:
		return (u32)e->sub << 16 | (u32)e->sec << 8 | e->bus;
	default:
		return 0;
	}
}

static void fake_write32(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u16 off, u32 val)
{
	struct fake *f = ctx;

	(void)seg, (void)bus, (void)dev, (void)fn, (void)off, (void)val;
	f->writes++;
}

/*
 * Per-test fixture. Both objects are heap-allocated at their exact size, so
 * ASan flags a read or write just past either, and freed in teardown, so a
 * failing assertion does not leak them.
 */
struct env {
	struct fake *f;
	struct pci_registry *r;
};

static int env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	e->f = calloc(1, sizeof(*e->f));
	e->r = malloc(sizeof(*e->r));
	if (!e->f || !e->r) {
		free(e->f);
		free(e->r);
		free(e);
		return -1;
	}
	memset(e->r, 0xa5, sizeof(*e->r)); /* pci_registry_init must clear it all */
	pci_registry_init(e->r);
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	free(e->f);
	free(e->r);
	free(e);
	return 0;
}

/* The fixture's fake, answering from fns[0..n-1]. */
static struct fake *fake_of(void **state, const struct fake_fn *fns, size_t n)
{
	struct fake *f = ((struct env *)*state)->f;

	f->fns = fns;
	f->n = n;
	return f;
}

static struct pci_registry *reg_of(void **state)
{
	return ((struct env *)*state)->r;
}

static struct pci_bus_ops fake_ops(struct fake *f)
{
	return (struct pci_bus_ops){ .read32 = fake_read32, .write32 = fake_write32, .ctx = f };
}

static unsigned bus_reads(const struct fake *f, unsigned bus)
{
	unsigned n = 0;

	for (unsigned d = 0; d < PCI_MAX_DEV; d++)
		for (unsigned fn = 0; fn < PCI_MAX_FN; fn++)
			n += f->reads[bus][d][fn];
	return n;
}

/* ---- Scenarios -------------------------------------------------------- */

#define HDR_MF 0x80

/* QEMU q35 with a PCIe root port at 00:03.0 leading to an NVMe on bus 1. */
static const struct fake_fn q35[] = {
	{ 0x00, 0x00, 0, 0x8086, 0x29c0, 0x06, 0x00, 0x00, 0x00, 0x00, 0, 0 },
	{ 0x00, 0x01, 0, 0x1234, 0x1111, 0x03, 0x00, 0x00, 0x02, 0x00, 0, 0 },
	{ 0x00, 0x02, 0, 0x8086, 0x10d3, 0x02, 0x00, 0x00, 0x00, 0x00, 0, 0 },
	{ 0x00, 0x03, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 1, 1 },
	{ 0x01, 0x00, 0, 0x1b36, 0x0010, 0x01, 0x08, 0x02, 0x02, 0x00, 0, 0 },
	{ 0x00, 0x1f, 0, 0x8086, 0x2918, 0x06, 0x01, 0x00, 0x02, HDR_MF, 0, 0 },
	{ 0x00, 0x1f, 2, 0x8086, 0x2922, 0x01, 0x06, 0x01, 0x02, 0x00, 0, 0 },
	{ 0x00, 0x1f, 3, 0x8086, 0x2930, 0x0c, 0x05, 0x00, 0x02, 0x00, 0, 0 },
};

/* q35 in the order the scanner must report it (depth first), as formatted. */
static const char *const q35_lines[] = {
	"00:00.0 8086:29c0 class 06.00.00 owner=none",
	"00:01.0 1234:1111 class 03.00.00 owner=none",
	"00:02.0 8086:10d3 class 02.00.00 owner=none",
	"00:03.0 1b36:000c class 06.04.00 owner=none",
	"01:00.0 1b36:0010 class 01.08.02 owner=none",
	"00:1f.0 8086:2918 class 06.01.00 owner=none",
	"00:1f.2 8086:2922 class 01.06.01 owner=none",
	"00:1f.3 8086:2930 class 0c.05.00 owner=none",
};

static void enumerate_ok(struct pci_registry *r, struct fake *f, u16 seg, u8 first, u8 last)
{
	struct pci_bus_ops ops = fake_ops(f);

	assert_int_equal(pci_enumerate(r, &ops, seg, first, last), 0);
}

/* ---- Enumeration ------------------------------------------------------ */

static void test_enumerate_q35_finds_every_function_depth_first(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);
	char line[PCI_FORMAT_MAX];

	enumerate_ok(r, f, 0, 0, 255);

	assert_int_equal(r->ndev, ARRAY_SIZE(q35_lines));
	for (unsigned i = 0; i < r->ndev; i++) {
		pci_format_dev(&r->dev[i], line, sizeof(line));
		assert_string_equal(line, q35_lines[i]);
	}
	assert_int_equal(r->overflow, 0);
	assert_int_equal(r->bridges_skipped, 0);
	assert_int_equal(f->misaligned, 0);
	assert_int_equal(f->bad_bdf, 0);
}

static void test_enumerate_q35_decodes_every_field(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);
	struct pci_dev *d;

	enumerate_ok(r, f, 0, 0, 255);

	d = pci_find_bdf(r, 0, 0x00, 0x1f, 2);
	assert_non_null(d);
	assert_int_equal(d->seg, 0);
	assert_int_equal(d->vendor, 0x8086);
	assert_int_equal(d->device, 0x2922);
	assert_int_equal(d->class, 0x01);
	assert_int_equal(d->subclass, 0x06);
	assert_int_equal(d->prog_if, 0x01);
	assert_int_equal(d->revision, 0x02);
	assert_int_equal(d->header_type, 0x00);
	assert_false(d->is_bridge);
	assert_int_equal(d->owner, PCI_OWNER_NONE);
	assert_string_equal(d->who, "");

	d = pci_find_bdf(r, 0, 0x00, 0x1f, 0);
	assert_non_null(d);
	assert_int_equal(d->header_type, HDR_MF); /* raw byte kept */
	assert_false(d->is_bridge);

	d = pci_find_bdf(r, 0, 0x00, 0x03, 0);
	assert_non_null(d);
	assert_true(d->is_bridge);
	assert_int_equal(d->sec_bus, 1);
	assert_int_equal(d->sub_bus, 1);
	assert_true(d->sec_scanned);
}

static void test_enumerate_probes_fn1_to_7_only_behind_multifunction_bit(void **state)
{
	/*
	 * 00:05.0 says single-function, yet the fake answers 1..7 (as a
	 * device that ignores the function number would): those are ghosts.
	 */
	static const struct fake_fn t[] = {
		{ 0, 0x05, 0, 0x8086, 0x100e, 0x02, 0x00, 0x00, 0x03, 0x00, 0, 0 },
		{ 0, 0x05, 1, 0x8086, 0x100e, 0x02, 0x00, 0x00, 0x03, 0x00, 0, 0 },
		{ 0, 0x05, 3, 0x8086, 0x100e, 0x02, 0x00, 0x00, 0x03, 0x00, 0, 0 },
		{ 0, 0x05, 7, 0x8086, 0x100e, 0x02, 0x00, 0x00, 0x03, 0x00, 0, 0 },
		{ 0, 0x06, 0, 0x8086, 0x2918, 0x06, 0x01, 0x00, 0x02, HDR_MF, 0, 0 },
		{ 0, 0x06, 4, 0x8086, 0x2930, 0x0c, 0x05, 0x00, 0x02, 0x00, 0, 0 },
	};
	struct fake *f = fake_of(state, t, ARRAY_SIZE(t));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 0);

	assert_int_equal(r->ndev, 3);
	assert_non_null(pci_find_bdf(r, 0, 0, 0x05, 0));
	for (u8 fn = 1; fn < PCI_MAX_FN; fn++) {
		assert_null(pci_find_bdf(r, 0, 0, 0x05, fn));
		assert_int_equal(f->reads[0][0x05][fn], 0);
	}
	/* Multi-function: every function probed, the absent ones once. */
	for (u8 fn = 1; fn < PCI_MAX_FN; fn++)
		assert_true(f->reads[0][0x06][fn] >= 1);
	assert_non_null(pci_find_bdf(r, 0, 0, 0x06, 4));
	/* An absent function 0 hides the rest of the device. */
	assert_int_equal(f->reads[0][0x07][0], 1);
	for (u8 fn = 1; fn < PCI_MAX_FN; fn++)
		assert_int_equal(f->reads[0][0x07][fn], 0);
}

static void test_enumerate_vendor_zero_is_absent(void **state)
{
	static const struct fake_fn t[] = {
		{ 0, 0x01, 0, 0x0000, 0x0000, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0 },
		{ 0, 0x02, 0, 0x8086, 0x10d3, 0x02, 0x00, 0x00, 0x00, 0x00, 0, 0 },
	};
	struct fake *f = fake_of(state, t, ARRAY_SIZE(t));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 0);
	assert_int_equal(r->ndev, 1);
	assert_int_equal(r->dev[0].dev, 0x02);
}

static void test_enumerate_bridge_back_to_bus0_is_skipped_not_looped(void **state)
{
	static const struct fake_fn t[] = {
		{ 0, 0x00, 0, 0x8086, 0x29c0, 0x06, 0x00, 0x00, 0x00, 0x00, 0, 0 },
		{ 0, 0x04, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 0, 0 },
		{ 0, 0x05, 0, 0x8086, 0x10d3, 0x02, 0x00, 0x00, 0x00, 0x00, 0, 0 },
	};
	struct fake *f = fake_of(state, t, ARRAY_SIZE(t));
	struct pci_registry *r = reg_of(state);
	struct pci_dev *br;

	enumerate_ok(r, f, 0, 0, 255);

	assert_int_equal(r->ndev, 3); /* each function exactly once */
	assert_int_equal(r->bridges_skipped, 1);
	br = pci_find_bdf(r, 0, 0, 0x04, 0);
	assert_non_null(br);
	assert_true(br->is_bridge);
	assert_int_equal(br->sec_bus, 0);
	assert_false(br->sec_scanned);
	assert_int_equal(f->reads[0][0x06][0], 1); /* bus 0 scanned once */
}

static void test_enumerate_bridge_to_own_or_lower_bus_is_skipped(void **state)
{
	/* Bus 2 holds a bridge back to 2 (itself) and one to 1 (its parent). */
	static const struct fake_fn t[] = {
		{ 0, 0x01, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 1, 2 },
		{ 1, 0x00, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 2, 2 },
		{ 2, 0x00, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 2, 2 },
		{ 2, 0x01, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 1, 2 },
	};
	struct fake *f = fake_of(state, t, ARRAY_SIZE(t));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 255);

	assert_int_equal(r->ndev, 4);
	assert_int_equal(r->bridges_skipped, 2);
	assert_true(pci_find_bdf(r, 0, 1, 0, 0)->sec_scanned);
	assert_false(pci_find_bdf(r, 0, 2, 0, 0)->sec_scanned);
	assert_false(pci_find_bdf(r, 0, 2, 1, 0)->sec_scanned);
	/* Each bus scanned once: one vendor read per device slot. */
	assert_int_equal(f->reads[1][0x1f][0], 1);
	assert_int_equal(f->reads[2][0x1f][0], 1);
}

static void test_enumerate_bridge_to_unscanned_lower_bus_is_skipped(void **state)
{
	/* Bus 2 was never scanned, but reaching it from bus 3 goes backwards. */
	static const struct fake_fn t[] = {
		{ 0, 0x01, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 3, 3 },
		{ 3, 0x00, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 2, 2 },
		{ 2, 0x00, 0, 0x1b36, 0x0010, 0x01, 0x08, 0x02, 0x00, 0x00, 0, 0 },
	};
	struct fake *f = fake_of(state, t, ARRAY_SIZE(t));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 255);

	assert_int_equal(r->ndev, 2);
	assert_int_equal(r->bridges_skipped, 1);
	assert_false(pci_find_bdf(r, 0, 3, 0, 0)->sec_scanned);
	assert_int_equal(bus_reads(f, 2), 0);
}

static void test_enumerate_two_bridges_to_one_bus_scan_it_once(void **state)
{
	static const struct fake_fn t[] = {
		{ 0, 0x01, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 1, 1 },
		{ 0, 0x02, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 1, 1 },
		{ 1, 0x00, 0, 0x1b36, 0x0010, 0x01, 0x08, 0x02, 0x00, 0x00, 0, 0 },
	};
	struct fake *f = fake_of(state, t, ARRAY_SIZE(t));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 255);

	assert_int_equal(r->ndev, 3);
	assert_int_equal(r->bridges_skipped, 1);
	assert_true(pci_find_bdf(r, 0, 0, 1, 0)->sec_scanned);
	assert_false(pci_find_bdf(r, 0, 0, 2, 0)->sec_scanned);
	assert_int_equal(f->reads[1][1][0], 1); /* bus 1 scanned once */
}

static void test_enumerate_subordinate_below_secondary_is_skipped(void **state)
{
	static const struct fake_fn t[] = {
		{ 0, 0x01, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 3, 2 },
		{ 3, 0x00, 0, 0x1b36, 0x0010, 0x01, 0x08, 0x02, 0x00, 0x00, 0, 0 },
	};
	struct fake *f = fake_of(state, t, ARRAY_SIZE(t));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 255);

	assert_int_equal(r->ndev, 1);
	assert_int_equal(r->bridges_skipped, 1);
	assert_int_equal(bus_reads(f, 3), 0);
}

/* Bridge to bus 0xff with a device behind it; bus numbers must not wrap. */
static const struct fake_fn to_ff[] = {
	{ 0x00, 0x01, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 0xff, 0xff },
	{ 0xff, 0x00, 0, 0x1b36, 0x0010, 0x01, 0x08, 0x02, 0x00, 0x01, 0xff, 0xff },
	{ 0x00, 0x02, 0, 0x8086, 0x10d3, 0x02, 0x00, 0x00, 0x00, 0x00, 0, 0 },
};

static void test_enumerate_bridge_to_bus_ff_is_scanned_without_wrapping(void **state)
{
	struct fake *f = fake_of(state, to_ff, ARRAY_SIZE(to_ff));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 255);

	assert_int_equal(r->ndev, 3);
	assert_non_null(pci_find_bdf(r, 0, 0xff, 0, 0));
	assert_true(pci_find_bdf(r, 0, 0, 1, 0)->sec_scanned);
	/* ff:00.0 is itself a bridge "to" 0xff: refused, bus ff scanned once. */
	assert_int_equal(r->bridges_skipped, 1);
	assert_int_equal(f->reads[0xff][1][0], 1);
	/* 32 vendor reads, class + header of 2 functions, one bus-number read. */
	assert_int_equal(bus_reads(f, 0), 32 + 2 * 2 + 1);
}

static void test_enumerate_bridge_outside_ecam_range_is_skipped(void **state)
{
	struct fake *f = fake_of(state, to_ff, ARRAY_SIZE(to_ff));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0x00, 0x3f);

	assert_int_equal(r->ndev, 2);
	assert_int_equal(r->bridges_skipped, 1);
	assert_false(pci_find_bdf(r, 0, 0, 1, 0)->sec_scanned);
	assert_int_equal(bus_reads(f, 0xff), 0);
}

static void test_enumerate_starts_at_range_first_bus_and_stays_inside(void **state)
{
	static const struct fake_fn t[] = {
		{ 0x00, 0x00, 0, 0x8086, 0x29c0, 0x06, 0x00, 0x00, 0x00, 0x00, 0, 0 },
		{ 0x10, 0x00, 0, 0x8086, 0x29c0, 0x06, 0x00, 0x00, 0x00, 0x00, 0, 0 },
		{ 0x10, 0x01, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 0x11, 0x11 },
		{ 0x10, 0x02, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00, 0x00, 0x01, 0x20, 0x20 },
		{ 0x11, 0x00, 0, 0x1b36, 0x0010, 0x01, 0x08, 0x02, 0x00, 0x00, 0, 0 },
		{ 0x20, 0x00, 0, 0x1b36, 0x0010, 0x01, 0x08, 0x02, 0x00, 0x00, 0, 0 },
	};
	struct fake *f = fake_of(state, t, ARRAY_SIZE(t));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0x10, 0x1f);

	assert_int_equal(r->ndev, 4);
	assert_non_null(pci_find_bdf(r, 0, 0x11, 0, 0));
	assert_int_equal(r->bridges_skipped, 1);
	for (unsigned bus = 0; bus < PCI_MAX_BUS; bus++) {
		if (bus != 0x10 && bus != 0x11)
			assert_int_equal(bus_reads(f, bus), 0);
	}
}

static void test_enumerate_depth_limit_stops_long_bridge_chain(void **state)
{
	enum { CHAIN = PCI_MAX_BRIDGE_DEPTH + 8 };
	struct fake_fn t[CHAIN];
	struct fake *f;
	struct pci_registry *r = reg_of(state);

	/* Bus k has one bridge to bus k + 1; each is a legal step on its own. */
	for (unsigned k = 0; k < CHAIN; k++)
		t[k] = (struct fake_fn){ (u8)k, 0, 0, 0x1b36, 0x000c, 0x06, 0x04, 0, 0, 0x01,
					 (u8)(k + 1), (u8)(k + 1) };
	f = fake_of(state, t, CHAIN);
	enumerate_ok(r, f, 0, 0, 255);

	/* Buses 0..PCI_MAX_BRIDGE_DEPTH scanned, the bridge on the last refused. */
	assert_int_equal(r->ndev, PCI_MAX_BRIDGE_DEPTH + 1);
	assert_int_equal(r->bridges_skipped, 1);
	assert_false(pci_find_bdf(r, 0, PCI_MAX_BRIDGE_DEPTH, 0, 0)->sec_scanned);
	assert_true(pci_find_bdf(r, 0, PCI_MAX_BRIDGE_DEPTH - 1, 0, 0)->sec_scanned);
	assert_int_equal(bus_reads(f, PCI_MAX_BRIDGE_DEPTH + 1), 0);
}

static void test_enumerate_overflow_is_counted_and_table_not_overrun(void **state)
{
	struct fake *f = fake_of(state, NULL, 0);
	struct pci_registry *r = reg_of(state);
	struct pci_bus_ops ops = fake_ops(f);

	f->dense_buses = 2; /* 2 x 32 x 8 = 512 functions */
	assert_int_equal(pci_enumerate(r, &ops, 0, 0, 255), -ENOSPC);

	assert_int_equal(r->ndev, PCI_MAX_DEVS);
	assert_int_equal(r->overflow, 2 * PCI_MAX_DEV * PCI_MAX_FN - PCI_MAX_DEVS);
	assert_int_equal(r->bridges_skipped, 0);
	/* Depth first: the bridge, then bus 1, which fills the table. */
	assert_int_equal(r->dev[0].bus, 0);
	assert_true(r->dev[0].is_bridge);
	assert_int_equal(r->dev[PCI_MAX_DEVS - 1].bus, 1);
	assert_int_equal(r->dev[PCI_MAX_DEVS - 1].dev, 0x1f);
	assert_int_equal(r->dev[PCI_MAX_DEVS - 1].fn, 6);
	assert_null(pci_find_bdf(r, 0, 0, 0x1f, 7));
	/* Every function was still probed, so the count is exact. */
	assert_int_equal(f->reads[0][0x1f][7], 3);
}

static void test_enumerate_full_table_then_another_range_counts_again(void **state)
{
	struct fake *f = fake_of(state, NULL, 0);
	struct pci_registry *r = reg_of(state);
	struct pci_bus_ops ops = fake_ops(f);

	f->dense_buses = 1;
	assert_int_equal(pci_enumerate(r, &ops, 0, 0, 0), 0); /* exactly full */
	assert_int_equal(r->ndev, PCI_MAX_DEVS);
	assert_int_equal(r->overflow, 0);
	assert_int_equal(pci_enumerate(r, &ops, 1, 0, 0), -ENOSPC);
	assert_int_equal(r->ndev, PCI_MAX_DEVS);
	assert_int_equal(r->overflow, PCI_MAX_DEVS);
}

static void test_enumerate_twice_does_not_duplicate(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 255);
	enumerate_ok(r, f, 0, 0, 255);
	assert_int_equal(r->ndev, ARRAY_SIZE(q35));
}

static void test_enumerate_never_writes_config_space(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 255);
	assert_int_equal(f->writes, 0);
}

static void test_enumerate_passes_and_records_segment(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0x0002, 0, 255);
	assert_int_equal(f->last_seg, 0x0002);
	assert_int_equal(r->ndev, ARRAY_SIZE(q35));
	assert_int_equal(r->dev[0].seg, 0x0002);
	assert_null(pci_find_bdf(r, 0, 0, 0, 0));
	assert_non_null(pci_find_bdf(r, 2, 0, 0, 0));
}

static void test_enumerate_rejects_bad_arguments(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);
	struct pci_bus_ops ops = fake_ops(f);
	struct pci_bus_ops no_read = { .read32 = NULL, .write32 = fake_write32, .ctx = f };

	assert_int_equal(pci_enumerate(NULL, &ops, 0, 0, 255), -EINVAL);
	assert_int_equal(pci_enumerate(r, NULL, 0, 0, 255), -EINVAL);
	assert_int_equal(pci_enumerate(r, &no_read, 0, 0, 255), -EINVAL);
	assert_int_equal(pci_enumerate(r, &ops, 0, 5, 4), -EINVAL);
	assert_int_equal(r->ndev, 0);
	assert_int_equal(bus_reads(f, 0), 0);
}

/* ---- Lookup ----------------------------------------------------------- */

static void test_find_bdf_matches_all_four_fields(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);
	struct pci_dev *d;

	enumerate_ok(r, f, 0, 0, 255);
	d = pci_find_bdf(r, 0, 0, 0x02, 0);
	assert_non_null(d);
	assert_int_equal(d->device, 0x10d3);
	assert_null(pci_find_bdf(r, 0, 0, 0x1f, 1));
	assert_null(pci_find_bdf(r, 1, 0, 0x02, 0));
	assert_null(pci_find_bdf(r, 0, 1, 0x02, 0));
}

static void test_find_class_iterates_in_table_order(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);
	struct pci_dev *d;
	unsigned n = 0;

	enumerate_ok(r, f, 0, 0, 255);

	d = pci_find_class(r, PCI_CLASS_STORAGE, PCI_SUBCLASS_STORAGE_SATA, NULL);
	assert_non_null(d);
	assert_int_equal(d->device, 0x2922);
	assert_null(pci_find_class(r, PCI_CLASS_STORAGE, PCI_SUBCLASS_STORAGE_SATA, d));

	for (d = pci_find_class(r, PCI_CLASS_BRIDGE, PCI_SUBCLASS_BRIDGE_HOST, NULL); d;
	     d = pci_find_class(r, PCI_CLASS_BRIDGE, PCI_SUBCLASS_BRIDGE_HOST, d))
		n++;
	assert_int_equal(n, 1);

	assert_null(pci_find_class(r, 0xff, 0xff, NULL));
}

static void test_find_class_with_foreign_start_returns_null(void **state)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);
	struct pci_dev stray = { 0 };

	enumerate_ok(r, f, 0, 0, 255);
	assert_null(pci_find_class(r, PCI_CLASS_BRIDGE, PCI_SUBCLASS_BRIDGE_HOST, &stray));
	/* Past the recorded entries, inside the array, is foreign too. */
	assert_null(pci_find_class(r, 0, 0, &r->dev[r->ndev]));
}

/* ---- Ownership -------------------------------------------------------- */

/* A registry holding q35, and its e1000e. */
static struct pci_registry *q35_registry(void **state, struct pci_dev **nic)
{
	struct fake *f = fake_of(state, q35, ARRAY_SIZE(q35));
	struct pci_registry *r = reg_of(state);

	enumerate_ok(r, f, 0, 0, 255);
	*nic = pci_find_bdf(r, 0, 0, 0x02, 0);
	assert_non_null(*nic);
	return r;
}

static void test_claim_then_claim_again_is_ebusy(void **state)
{
	struct pci_dev *nic;
	struct pci_registry *r = q35_registry(state, &nic);

	assert_int_equal(pci_claim(r, nic, PCI_OWNER_GUEST, "vm1"), 0);
	assert_int_equal(nic->owner, PCI_OWNER_GUEST);
	assert_string_equal(nic->who, "vm1");

	/* nic = auto must not take a guest's device ... */
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_HV, "e1000e"), -EBUSY);
	/* ... nor another guest, nor the same claimant twice. */
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_GUEST, "vm2"), -EBUSY);
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_GUEST, "vm1"), -EBUSY);
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_HIDDEN, "config"), -EBUSY);

	assert_int_equal(nic->owner, PCI_OWNER_GUEST);
	assert_string_equal(nic->who, "vm1");
}

static void test_claim_rejects_bad_owner_who_and_device(void **state)
{
	struct pci_dev *nic;
	struct pci_registry *r = q35_registry(state, &nic);
	struct pci_dev copy = *nic;

	assert_int_equal(pci_claim(r, nic, PCI_OWNER_NONE, "x"), -EINVAL);
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_COUNT, "x"), -EINVAL);
	assert_int_equal(pci_claim(r, nic, (enum pci_owner)-1, "x"), -EINVAL);
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_HV, NULL), -EINVAL);
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_HV, ""), -EINVAL);
	assert_int_equal(pci_claim(r, NULL, PCI_OWNER_HV, "x"), -EINVAL);
	assert_int_equal(pci_claim(NULL, nic, PCI_OWNER_HV, "x"), -EINVAL);
	/* A copy is not the device: claiming it would own nothing. */
	assert_int_equal(pci_claim(r, &copy, PCI_OWNER_HV, "x"), -EINVAL);
	assert_int_equal(pci_claim(r, &r->dev[r->ndev], PCI_OWNER_HV, "x"), -EINVAL);

	assert_int_equal(nic->owner, PCI_OWNER_NONE);
}

static void test_release_requires_the_claimant(void **state)
{
	struct pci_dev *nic;
	struct pci_registry *r = q35_registry(state, &nic);

	assert_int_equal(pci_release(r, nic, PCI_OWNER_HV, "e1000e"), -ENOENT);

	assert_int_equal(pci_claim(r, nic, PCI_OWNER_GUEST, "vm1"), 0);
	assert_int_equal(pci_release(r, nic, PCI_OWNER_HV, "vm1"), -ENOENT);
	assert_int_equal(pci_release(r, nic, PCI_OWNER_GUEST, "vm2"), -ENOENT);
	assert_int_equal(pci_release(r, nic, PCI_OWNER_GUEST, NULL), -EINVAL);
	assert_int_equal(pci_release(r, NULL, PCI_OWNER_GUEST, "vm1"), -EINVAL);
	assert_int_equal(nic->owner, PCI_OWNER_GUEST);

	assert_int_equal(pci_release(r, nic, PCI_OWNER_GUEST, "vm1"), 0);
	assert_int_equal(nic->owner, PCI_OWNER_NONE);
	assert_string_equal(nic->who, "");
	assert_int_equal(pci_release(r, nic, PCI_OWNER_GUEST, "vm1"), -ENOENT);
}

static void test_release_then_claim_by_other_owner_succeeds(void **state)
{
	struct pci_dev *nic;
	struct pci_registry *r = q35_registry(state, &nic);
	char line[PCI_FORMAT_MAX];

	assert_int_equal(pci_claim(r, nic, PCI_OWNER_HV, "e1000e"), 0);
	assert_int_equal(pci_release(r, nic, PCI_OWNER_HV, "e1000e"), 0);
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_GUEST, "vm1"), 0);
	pci_format_dev(nic, line, sizeof(line));
	assert_string_equal(line, "00:02.0 8086:10d3 class 02.00.00 owner=guest:vm1");

	assert_int_equal(pci_release(r, nic, PCI_OWNER_GUEST, "vm1"), 0);
	assert_int_equal(pci_claim(r, nic, PCI_OWNER_HIDDEN, "config"), 0);
	pci_format_dev(nic, line, sizeof(line));
	assert_string_equal(line, "00:02.0 8086:10d3 class 02.00.00 owner=hidden:config");
}

static void test_claim_truncates_long_who_and_release_matches_it(void **state)
{
	static const char long_name[] = "a-guest-name-well-beyond-twenty-three-chars";
	struct pci_dev *nic;
	struct pci_registry *r = q35_registry(state, &nic);

	assert_int_equal(pci_claim(r, nic, PCI_OWNER_GUEST, long_name), 0);
	assert_int_equal(strlen(nic->who), PCI_OWNER_WHO_MAX - 1);
	assert_memory_equal(nic->who, long_name, PCI_OWNER_WHO_MAX - 1);
	assert_int_equal(pci_release(r, nic, PCI_OWNER_GUEST, long_name), 0);
}

static void test_claim_leaves_other_devices_alone(void **state)
{
	struct pci_dev *nic;
	struct pci_registry *r = q35_registry(state, &nic);

	assert_int_equal(pci_claim(r, nic, PCI_OWNER_HV, "e1000e"), 0);
	for (unsigned i = 0; i < r->ndev; i++) {
		if (&r->dev[i] != nic)
			assert_int_equal(r->dev[i].owner, PCI_OWNER_NONE);
	}
}

static void test_owner_names(void **state)
{
	(void)state;
	assert_string_equal(pci_owner_name(PCI_OWNER_NONE), "none");
	assert_string_equal(pci_owner_name(PCI_OWNER_HV), "hv");
	assert_string_equal(pci_owner_name(PCI_OWNER_GUEST), "guest");
	assert_string_equal(pci_owner_name(PCI_OWNER_HIDDEN), "hidden");
	assert_string_equal(pci_owner_name(PCI_OWNER_COUNT), "invalid");
	assert_string_equal(pci_owner_name((enum pci_owner)-1), "invalid");
}

/* ---- Formatting ------------------------------------------------------- */

static void test_format_segment_prefix_only_when_nonzero(void **state)
{
	struct pci_dev d = { .seg = 0x0001, .bus = 0x03, .dev = 0x00, .fn = 0,
			     .vendor = 0x8086, .device = 0x10d3, .class = 0x02 };
	char line[PCI_FORMAT_MAX];

	(void)state;
	assert_int_equal(pci_format_dev(&d, line, sizeof(line)),
			 (int)strlen("0001:03:00.0 8086:10d3 class 02.00.00 owner=none"));
	assert_string_equal(line, "0001:03:00.0 8086:10d3 class 02.00.00 owner=none");
	d.seg = 0xabcd;
	pci_format_dev(&d, line, sizeof(line));
	assert_string_equal(line, "abcd:03:00.0 8086:10d3 class 02.00.00 owner=none");
}

static void test_format_widest_line_fits_pci_format_max(void **state)
{
	struct pci_dev d = { .seg = 0xffff, .bus = 0xff, .dev = 0x1f, .fn = 7,
			     .vendor = 0xffff, .device = 0xffff, .class = 0xff,
			     .subclass = 0xff, .prog_if = 0xff, .owner = PCI_OWNER_HIDDEN };
	char line[PCI_FORMAT_MAX];

	(void)state;
	memset(d.who, 'w', sizeof(d.who) - 1);
	assert_true(pci_format_dev(&d, line, sizeof(line)) < PCI_FORMAT_MAX);
	assert_string_equal(line, "ffff:ff:1f.7 ffff:ffff class ff.ff.ff "
				  "owner=hidden:wwwwwwwwwwwwwwwwwwwwwww");
}

static void test_format_truncates_and_returns_full_length(void **state)
{
	struct pci_dev d = { .bus = 0x00, .dev = 0x1f, .fn = 2, .vendor = 0x8086,
			     .device = 0x2922, .class = 0x01, .subclass = 0x06, .prog_if = 0x01 };
	const char *full = "00:1f.2 8086:2922 class 01.06.01 owner=none";
	char *line = malloc(8); /* heap: ASan catches a write past byte 8 */
	char one;

	(void)state;
	assert_non_null(line);
	assert_int_equal(pci_format_dev(&d, line, 8), (int)strlen(full));
	assert_string_equal(line, "00:1f.2");

	one = 'x';
	assert_int_equal(pci_format_dev(&d, &one, 1), (int)strlen(full));
	assert_int_equal(one, '\0');
	/* n == 0 writes nothing at all. */
	assert_int_equal(pci_format_dev(&d, NULL, 0), (int)strlen(full));
	free(line);
}

/* ---- Register encodings (drivers/pci_regs.h) -------------------------- */

static void test_cam_address_encoding(void **state)
{
	(void)state;
	assert_int_equal(pci_cam_addr(0, 0, 0, 0), 0x80000000);
	assert_int_equal(pci_cam_addr(0x00, 0x1f, 2, PCI_REVISION_ID), 0x8000fa08);
	assert_int_equal(pci_cam_addr(0xff, 0x1f, 7, 0xfc), 0x80fffffc);
	/* Sub-dword offset bits and extended offsets never leak into the address. */
	assert_int_equal(pci_cam_addr(0x01, 0x00, 0, 0x0e), 0x8001000c);
	assert_int_equal(pci_cam_addr(0x01, 0x00, 0, 0x104), 0x80010004);
}

static void test_ecam_offset_encoding(void **state)
{
	(void)state;
	assert_int_equal(pci_ecam_bus_offset(0, 0, 0), 0);
	assert_int_equal(pci_ecam_bus_offset(0x1f, 2, PCI_REVISION_ID), 0xfa008);
	assert_int_equal(pci_ecam_bus_offset(0x1f, 7, 0xffc), 0xffffc);
	assert_true(pci_ecam_bus_offset(0x1f, 7, 0xffc) < PCI_ECAM_BUS_SIZE);
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, env_setup, env_teardown)

int main(void)
{
	static const struct CMUnitTest tests[] = {
		TEST(test_enumerate_q35_finds_every_function_depth_first),
		TEST(test_enumerate_q35_decodes_every_field),
		TEST(test_enumerate_probes_fn1_to_7_only_behind_multifunction_bit),
		TEST(test_enumerate_vendor_zero_is_absent),
		TEST(test_enumerate_bridge_back_to_bus0_is_skipped_not_looped),
		TEST(test_enumerate_bridge_to_own_or_lower_bus_is_skipped),
		TEST(test_enumerate_bridge_to_unscanned_lower_bus_is_skipped),
		TEST(test_enumerate_two_bridges_to_one_bus_scan_it_once),
		TEST(test_enumerate_subordinate_below_secondary_is_skipped),
		TEST(test_enumerate_bridge_to_bus_ff_is_scanned_without_wrapping),
		TEST(test_enumerate_bridge_outside_ecam_range_is_skipped),
		TEST(test_enumerate_starts_at_range_first_bus_and_stays_inside),
		TEST(test_enumerate_depth_limit_stops_long_bridge_chain),
		TEST(test_enumerate_overflow_is_counted_and_table_not_overrun),
		TEST(test_enumerate_full_table_then_another_range_counts_again),
		TEST(test_enumerate_twice_does_not_duplicate),
		TEST(test_enumerate_never_writes_config_space),
		TEST(test_enumerate_passes_and_records_segment),
		TEST(test_enumerate_rejects_bad_arguments),
		TEST(test_find_bdf_matches_all_four_fields),
		TEST(test_find_class_iterates_in_table_order),
		TEST(test_find_class_with_foreign_start_returns_null),
		TEST(test_claim_then_claim_again_is_ebusy),
		TEST(test_claim_rejects_bad_owner_who_and_device),
		TEST(test_release_requires_the_claimant),
		TEST(test_release_then_claim_by_other_owner_succeeds),
		TEST(test_claim_truncates_long_who_and_release_matches_it),
		TEST(test_claim_leaves_other_devices_alone),
		TEST(test_owner_names),
		TEST(test_format_segment_prefix_only_when_nonzero),
		TEST(test_format_widest_line_fits_pci_format_max),
		TEST(test_format_truncates_and_returns_full_length),
		TEST(test_cam_address_encoding),
		TEST(test_ecam_offset_encoding),
	};

	/* A binary that ran nothing must not pass. */
	if (ARRAY_SIZE(tests) == 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
