// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI enumeration, the device ownership registry and the one-line device
 * formatter: the pure half of drivers/pci.h.
 *
 * Context: pure C, no asm, no logging, no global state. Config space is
 * reached only through the struct pci_bus_ops the caller passes, so the same
 * code runs in the core (drivers/pci_hw.c supplies CAM or ECAM) and in the
 * host unit tests (tests/unit/test_pci.c supplies a fake). Not thread-safe:
 * the caller serializes (in the core, one CPU at a time by design).
 *
 * Enumeration is a depth-first walk from the range's first bus. Firmware
 * programmed the bridges' bus numbers, and we trust them only as far as it
 * takes to terminate: a secondary bus must be above the bridge's own bus,
 * not yet scanned, inside the range, and the depth is capped, so a broken or
 * hostile bridge chain costs at most one skipped subtree.
 */
#include "drivers/pci.h"
#include "drivers/pci_regs.h"
#include "kernel/errno.h"
#include "kernel/klib.h"

/* State of one pci_enumerate() call. */
struct scan {
	struct pci_registry *r;
	const struct pci_bus_ops *ops;
	u16 seg;
	u8 first, last;
	u64 visited[PCI_MAX_BUS / 64];
};

static u32 scan_read(const struct scan *s, u8 bus, u8 dev, u8 fn, u16 off)
{
	return s->ops->read32(s->ops->ctx, s->seg, bus, dev, fn, off);
}

static bool bus_visited(const struct scan *s, u8 bus)
{
	return s->visited[bus / 64] & BIT(bus % 64);
}

static void scan_bus(struct scan *s, u8 bus, unsigned depth);

void pci_registry_init(struct pci_registry *r)
{
	memset(r, 0, sizeof(*r));
}

static bool vendor_absent(u16 vendor)
{
	/*
	 * 0xffff is the master-abort value of a missing function; some
	 * chipsets return 0 instead on an empty slot.
	 */
	return vendor == PCI_VENDOR_ID_NONE || vendor == 0x0000;
}

/*
 * Records the function, unless it is already in the table (a second call
 * over an overlapping range) or the table is full. Returns the entry or NULL.
 */
static struct pci_dev *record_fn(struct scan *s, u8 bus, u8 dev, u8 fn, u32 id,
				 u32 classrev, u8 hdr)
{
	struct pci_registry *r = s->r;
	struct pci_dev *d = pci_find_bdf(r, s->seg, bus, dev, fn);

	if (d)
		return d;
	if (r->ndev >= PCI_MAX_DEVS) {
		r->overflow++;
		return NULL;
	}
	d = &r->dev[r->ndev++];
	memset(d, 0, sizeof(*d));
	d->seg = s->seg;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (u16)FIELD_GET(PCI_ID_DW_VENDOR, id);
	d->device = (u16)FIELD_GET(PCI_ID_DW_DEVICE, id);
	d->revision = (u8)FIELD_GET(PCI_CLASSREV_DW_REVISION, classrev);
	d->prog_if = (u8)FIELD_GET(PCI_CLASSREV_DW_PROG_IF, classrev);
	d->subclass = (u8)FIELD_GET(PCI_CLASSREV_DW_SUBCLASS, classrev);
	d->class = (u8)FIELD_GET(PCI_CLASSREV_DW_CLASS, classrev);
	d->header_type = hdr;
	d->is_bridge = FIELD_GET(PCI_HEADER_TYPE_LAYOUT, hdr) == PCI_HEADER_TYPE_BRIDGE;
	d->owner = PCI_OWNER_NONE;
	return d;
}

/*
 * Whether the bus behind a bridge on `bus` may be scanned. The checks are
 * what keeps the walk finite: strictly increasing bus numbers along a path
 * rule out cycles, the visited set rules out two bridges claiming one bus,
 * and the depth cap bounds the recursion.
 */
static bool bridge_ok(const struct scan *s, u8 bus, u8 sec, u8 sub, unsigned depth)
{
	if (sec <= bus || sub < sec)
		return false;
	if (sec < s->first || sec > s->last)
		return false;
	if (bus_visited(s, sec))
		return false;
	return depth + 1 <= PCI_MAX_BRIDGE_DEPTH;
}

static void scan_bridge(struct scan *s, struct pci_dev *d, u8 bus, u8 dev, u8 fn,
			unsigned depth)
{
	u32 busnum = scan_read(s, bus, dev, fn, PCI_PRIMARY_BUS);
	u8 sec = (u8)FIELD_GET(PCI_BUSNUM_DW_SECONDARY, busnum);
	u8 sub = (u8)FIELD_GET(PCI_BUSNUM_DW_SUBORDINATE, busnum);
	bool ok = bridge_ok(s, bus, sec, sub, depth);

	if (d) {
		d->sec_bus = sec;
		d->sub_bus = sub;
		d->sec_scanned = ok;
	}
	if (!ok) {
		s->r->bridges_skipped++;
		return;
	}
	/* Even with the table full: overflow then counts what lies behind. */
	scan_bus(s, sec, depth + 1);
}

/* Probes one function. Returns its header type byte, or -1 when absent. */
static int scan_fn(struct scan *s, u8 bus, u8 dev, u8 fn, unsigned depth)
{
	u32 id = scan_read(s, bus, dev, fn, PCI_VENDOR_ID);
	u32 classrev, hdrdw;
	struct pci_dev *d;
	u8 hdr;

	if (vendor_absent((u16)FIELD_GET(PCI_ID_DW_VENDOR, id)))
		return -1;
	classrev = scan_read(s, bus, dev, fn, PCI_REVISION_ID);
	hdrdw = scan_read(s, bus, dev, fn, PCI_CACHE_LINE_SIZE);
	hdr = (u8)FIELD_GET(PCI_HDR_DW_HEADER_TYPE, hdrdw);

	d = record_fn(s, bus, dev, fn, id, classrev, hdr);
	if (FIELD_GET(PCI_HEADER_TYPE_LAYOUT, hdr) == PCI_HEADER_TYPE_BRIDGE)
		scan_bridge(s, d, bus, dev, fn, depth);
	return hdr;
}

static void scan_bus(struct scan *s, u8 bus, unsigned depth)
{
	s->visited[bus / 64] |= BIT(bus % 64);

	for (u8 dev = 0; dev < PCI_MAX_DEV; dev++) {
		int hdr = scan_fn(s, bus, dev, 0, depth);

		/*
		 * Functions 1..7 exist only behind a function 0 that says so;
		 * single-function devices may decode any function number and
		 * answer as function 0 again, so probing them would see ghosts.
		 */
		if (hdr < 0 || !(hdr & PCI_HEADER_TYPE_MULTI_FN))
			continue;
		for (u8 fn = 1; fn < PCI_MAX_FN; fn++)
			scan_fn(s, bus, dev, fn, depth);
	}
}

int pci_enumerate(struct pci_registry *r, const struct pci_bus_ops *ops, u16 seg,
		  u8 first, u8 last)
{
	struct scan s;
	unsigned overflow_before;

	if (!r || !ops || !ops->read32 || first > last)
		return -EINVAL;

	memset(&s, 0, sizeof(s));
	s.r = r;
	s.ops = ops;
	s.seg = seg;
	s.first = first;
	s.last = last;

	overflow_before = r->overflow;
	scan_bus(&s, first, 0);
	return r->overflow != overflow_before ? -ENOSPC : 0;
}

struct pci_dev *pci_find_bdf(struct pci_registry *r, u16 seg, u8 bus, u8 dev, u8 fn)
{
	for (unsigned i = 0; i < r->ndev; i++) {
		struct pci_dev *d = &r->dev[i];

		if (d->seg == seg && d->bus == bus && d->dev == dev && d->fn == fn)
			return d;
	}
	return NULL;
}

struct pci_dev *pci_find_class(struct pci_registry *r, u8 class, u8 subclass,
			       const struct pci_dev *start)
{
	unsigned i = 0;

	if (start) {
		if (start < r->dev || start >= r->dev + r->ndev)
			return NULL;
		i = (unsigned)(start - r->dev) + 1;
	}
	for (; i < r->ndev; i++) {
		if (r->dev[i].class == class && r->dev[i].subclass == subclass)
			return &r->dev[i];
	}
	return NULL;
}

/* d must point at a recorded entry of r, not just anywhere. */
static bool is_entry(const struct pci_registry *r, const struct pci_dev *d)
{
	return d && d >= r->dev && d < r->dev + r->ndev;
}

/*
 * Copies who truncated to PCI_OWNER_WHO_MAX - 1 characters. By hand: the
 * hosted C library the unit tests use has no strnlen in strict C11.
 */
static void copy_who(char dst[PCI_OWNER_WHO_MAX], const char *who)
{
	size_t len = 0;

	while (len < PCI_OWNER_WHO_MAX - 1 && who[len]) {
		dst[len] = who[len];
		len++;
	}
	dst[len] = '\0';
}

int pci_claim(struct pci_registry *r, struct pci_dev *d, enum pci_owner owner,
	      const char *who)
{
	if (!r || !is_entry(r, d) || !who || !who[0])
		return -EINVAL;
	if (owner != PCI_OWNER_HV && owner != PCI_OWNER_GUEST && owner != PCI_OWNER_HIDDEN)
		return -EINVAL;
	if (d->owner != PCI_OWNER_NONE)
		return -EBUSY;

	d->owner = owner;
	copy_who(d->who, who);
	return 0;
}

int pci_release(struct pci_registry *r, struct pci_dev *d, enum pci_owner owner,
		const char *who)
{
	char name[PCI_OWNER_WHO_MAX];

	if (!r || !is_entry(r, d) || !who)
		return -EINVAL;
	copy_who(name, who);
	if (d->owner == PCI_OWNER_NONE || d->owner != owner || strcmp(d->who, name) != 0)
		return -ENOENT;

	d->owner = PCI_OWNER_NONE;
	memset(d->who, 0, sizeof(d->who));
	return 0;
}

const char *pci_owner_name(enum pci_owner owner)
{
	static const char *const names[PCI_OWNER_COUNT] = {
		[PCI_OWNER_NONE] = "none",
		[PCI_OWNER_HV] = "hv",
		[PCI_OWNER_GUEST] = "guest",
		[PCI_OWNER_HIDDEN] = "hidden",
	};

	if ((unsigned)owner >= PCI_OWNER_COUNT)
		return "invalid";
	return names[owner];
}

/*
 * A bounded appender: writes what fits (keeping room for the NUL) and
 * counts everything, giving ksnprintf's return value without depending on
 * kernel/lib/format.c, which the host tests do not link.
 */
struct out {
	char *buf;
	size_t n;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void out_str(struct out *o, const char *s)
{
	while (*s)
		out_char(o, *s++);
}

/* Exactly `digits` lowercase hex digits of v. */
static void out_hex(struct out *o, u32 v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";

	while (digits--)
		out_char(o, hex[(v >> (4 * digits)) & 0xf]);
}

int pci_format_dev(const struct pci_dev *d, char *buf, size_t n)
{
	struct out o = { .buf = buf, .n = n, .len = 0 };

	if (d->seg) {
		out_hex(&o, d->seg, 4);
		out_char(&o, ':');
	}
	out_hex(&o, d->bus, 2);
	out_char(&o, ':');
	out_hex(&o, d->dev, 2);
	out_char(&o, '.');
	out_hex(&o, d->fn, 1);
	out_char(&o, ' ');
	out_hex(&o, d->vendor, 4);
	out_char(&o, ':');
	out_hex(&o, d->device, 4);
	out_str(&o, " class ");
	out_hex(&o, d->class, 2);
	out_char(&o, '.');
	out_hex(&o, d->subclass, 2);
	out_char(&o, '.');
	out_hex(&o, d->prog_if, 2);
	out_str(&o, " owner=");
	out_str(&o, pci_owner_name(d->owner));
	if (d->owner != PCI_OWNER_NONE) {
		out_char(&o, ':');
		out_str(&o, d->who);
	}

	if (n > 0)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}
