/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical PCI: the device table, who owns each device, and config access.
 *
 * Two layers:
 *  - pure (drivers/pci.c): enumeration through a caller-supplied
 *    struct pci_bus_ops into a caller-owned struct pci_registry, the
 *    ownership registry and the one-line formatter. No asm, no logging, no
 *    global state; tests/unit/test_pci.c runs it against a fake config space.
 *  - glue (drivers/pci_hw.c): the CAM and ECAM accessors, the singleton
 *    registry, boot-time enumeration and the `pci` shell command.
 *
 * Ownership exists so that one device can never be handed out twice: every
 * device belongs to exactly one of nobody, the hypervisor (its own drivers,
 * e.g. the NIC), one guest (passthrough) or nobody-ever (hidden). Drivers
 * probing for "any NIC" must claim before touching a device and take the
 * next one on -EBUSY, so `nic = auto` cannot take a guest's device.
 *
 * Config space is accessed 32 bits at a time, naturally aligned, only: the
 * one width every mechanism supports without read-modify-write surprises
 * (bytes and words are FIELD_GET/FIELD_PREP on the dword, see
 * drivers/pci_regs.h).
 */
#ifndef LONGBUS_DRIVERS_PCI_H
#define LONGBUS_DRIVERS_PCI_H

#include "kernel/compiler.h"

/* Functions the registry records; more are counted in pci_registry.overflow. */
#define PCI_MAX_DEVS 256
/*
 * Bridges deep: root port -> switch up -> switch down adds two levels per
 * switch, so real trees stay far below this; it bounds the recursion (and
 * kernel stack) if a broken bridge chain slips past the other checks.
 */
#define PCI_MAX_BRIDGE_DEPTH 32
/* Claimant name length, including the NUL; longer names are truncated. */
#define PCI_OWNER_WHO_MAX 24
/* Longest pci_format_dev() line including the NUL, for callers' buffers. */
#define PCI_FORMAT_MAX 80

enum pci_owner {
	PCI_OWNER_NONE = 0, /* unclaimed: anyone may claim it */
	PCI_OWNER_HV,	    /* a hypervisor driver (who = driver name) */
	PCI_OWNER_GUEST,    /* passed through to a guest (who = guest name) */
	PCI_OWNER_HIDDEN,   /* concealed from the hypervisor and every guest */
	PCI_OWNER_COUNT
};

/*
 * One function found by enumeration. Identity fields are read once at
 * enumeration and never change; owner/who change only through
 * pci_claim()/pci_release().
 */
struct pci_dev {
	u16 seg;
	u8 bus;
	u8 dev; /* 0..31 */
	u8 fn;	/* 0..7 */
	u16 vendor;
	u16 device;
	u8 class;
	u8 subclass;
	u8 prog_if;
	u8 revision;
	u8 header_type; /* raw byte, including the multi-function bit 7 */
	bool is_bridge; /* type 1 header (PCI-to-PCI bridge) */
	/* Bridges only: bus numbers as firmware programmed them. */
	u8 sec_bus;
	u8 sub_bus;
	bool sec_scanned; /* false: the secondary bus was refused (loop, ...) */

	enum pci_owner owner;
	char who[PCI_OWNER_WHO_MAX]; /* "" when owner is PCI_OWNER_NONE */
};

struct pci_registry {
	struct pci_dev dev[PCI_MAX_DEVS];
	unsigned ndev;
	/* Functions found while dev[] was full, so not recorded. */
	unsigned overflow;
	/*
	 * Bridges whose secondary bus was not scanned: it pointed back at or
	 * below the bridge's own bus, at a bus already scanned, outside the
	 * access range, or past PCI_MAX_BRIDGE_DEPTH; or subordinate < secondary.
	 * Each one is also marked !sec_scanned in dev[] (when recorded).
	 */
	unsigned bridges_skipped;
};

/*
 * Config space access for one mechanism. Offsets are dword aligned; an
 * access the mechanism cannot make (bad alignment, offset past its space, a
 * bus it does not cover) reads all ones and drops the write, which is what
 * the hardware does for a function that is not there.
 */
struct pci_bus_ops {
	u32 (*read32)(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u16 off);
	void (*write32)(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u16 off, u32 val);
	void *ctx;
};

/*
 * One ECAM window, as in an ACPI MCFG allocation entry (PCI Firmware 3.0
 * 4.1.2). base is the entry's Base Address verbatim: the config space of bus
 * 0 of the segment, even when start_bus > 0, so bus N lives at
 * base + (N << 20) (what Linux does too).
 */
struct pci_ecam_range {
	paddr_t base;
	u16 seg;
	u8 start_bus;
	u8 end_bus; /* inclusive */
};

/* --- Pure layer (drivers/pci.c) ------------------------------------------ */

/* Empties r: no devices, all counters zero. */
void pci_registry_init(struct pci_registry *r);

/*
 * Scans segment seg from bus first: devices 0..31, function 0 and, when its
 * header type has the multi-function bit, functions 1..7 (a vendor ID of
 * 0xffff or 0x0000 means absent), recursing into PCI-to-PCI bridges through
 * their secondary bus. Only buses first..last are touched (an ECAM range;
 * 0..255 for CAM). Reads only; never writes config space.
 *
 * Appends to r, skipping functions already recorded, so it may be called
 * once per ECAM range. Bridges refused are counted in r->bridges_skipped.
 *
 * Returns 0; -ENOSPC when this call found functions that did not fit
 * (r->overflow counts them; the table holds the first PCI_MAX_DEVS); -EINVAL
 * for NULL r/ops/read32 or first > last.
 */
int pci_enumerate(struct pci_registry *r, const struct pci_bus_ops *ops, u16 seg,
		  u8 first, u8 last) __must_check;

/* The recorded function at seg:bus:dev.fn, or NULL. */
struct pci_dev *pci_find_bdf(struct pci_registry *r, u16 seg, u8 bus, u8 dev, u8 fn);

/*
 * Iterator over functions of base class `class` and sub-class `subclass`:
 * the first match after `start` in table order, or from the beginning when
 * start is NULL; NULL when there are no more.
 *
 *	for (d = pci_find_class(r, 2, 0, NULL); d; d = pci_find_class(r, 2, 0, d))
 */
struct pci_dev *pci_find_class(struct pci_registry *r, u8 class, u8 subclass,
			       const struct pci_dev *start);

/*
 * Gives d to owner (PCI_OWNER_HV, _GUEST or _HIDDEN), recording `who` (the
 * driver or guest name, truncated to PCI_OWNER_WHO_MAX - 1 characters).
 *
 * Returns 0; -EBUSY when d is already owned, by anyone, including the same
 * claimant (a second claim is a caller bug or a config listing a device
 * twice, and must not silently succeed); -EINVAL for an owner other than
 * those three, a NULL or empty who, or d not an entry of r.
 */
int pci_claim(struct pci_registry *r, struct pci_dev *d, enum pci_owner owner,
	      const char *who) __must_check;

/*
 * Returns d to PCI_OWNER_NONE. Only the claimant may do that: owner and who
 * must match the claim (who compared after the same truncation), so a
 * driver's remove path cannot free a guest's device.
 *
 * Returns 0; -ENOENT when d is not owned by (owner, who), unclaimed
 * included; -EINVAL for d not an entry of r or a NULL who.
 */
int pci_release(struct pci_registry *r, struct pci_dev *d, enum pci_owner owner,
		const char *who) __must_check;

/* "none", "hv", "guest", "hidden"; "invalid" for anything else. */
const char *pci_owner_name(enum pci_owner owner);

/*
 * Formats d on one line, the form used by the boot log and `pci`:
 *
 *	00:1f.2 8086:2922 class 01.06.01 owner=none
 *	0001:03:00.0 8086:10d3 class 02.00.00 owner=guest:vm1
 *
 * (lowercase hex; the segment prefix only when seg != 0; owned devices show
 * owner:who). Like ksnprintf: always NUL-terminates when n > 0 and returns
 * the length the whole line has, so a result >= n means it was truncated.
 * PCI_FORMAT_MAX always suffices.
 */
int pci_format_dev(const struct pci_dev *d, char *buf, size_t n);

/* --- Glue (drivers/pci_hw.c), kernel only -------------------------------- */

/*
 * Enumerates the machine's PCI devices into the singleton registry: through
 * ECAM when the ACPI MCFG gave ranges (mcfg[0..n-1], copied), through CAM
 * ports 0xcf8/0xcfc otherwise, and logs the mechanism, one line per device
 * and anything skipped. Buses hanging off a second host bridge (not reached
 * from a range's start bus) are not found: that needs ACPI _BBN.
 *
 * Context: boot CPU, once, before SMP and before any driver probes.
 */
void pci_init(const struct pci_ecam_range *mcfg, unsigned n);

/*
 * The singleton registry (owner: drivers/pci_hw.c). Filled by pci_init(),
 * then changed only by claims and releases. Config access and claims happen
 * on the boot CPU during init, later on the service CPU only, so neither
 * takes a lock; other CPUs must not call these (an exit path that needs a
 * device queues the work to the service CPU).
 */
struct pci_registry *pci_registry_get(void);

/*
 * Config space of a recorded device, 32 bits at a naturally aligned off.
 * Offsets >= 256 need ECAM. An access that cannot be made reads all ones and
 * drops the write. Context: boot CPU or service CPU only (see above: CAM's
 * address/data port pair is not atomic and takes no lock).
 */
u32 pci_cfg_read32(const struct pci_dev *d, u16 off);
void pci_cfg_write32(const struct pci_dev *d, u16 off, u32 val);

/* The `pci` shell command: the table and its counters. Service CPU only. */
void pci_shell_list(void);

#endif
