// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI glue: the CAM and ECAM config-space accessors, the singleton device
 * registry, boot-time enumeration and the `pci` shell command. The pure
 * enumeration and ownership logic is in drivers/pci.c.
 *
 * Context: kernel only. pci_init() runs on the boot CPU before SMP; every
 * other entry point runs on the boot CPU during init or on the service CPU
 * afterwards, never on an exit path. That single-CPU rule is the locking:
 * CAM is a two-step protocol (address to 0xcf8, data at 0xcfc) that two
 * CPUs would interleave, and the ECAM bus-mapping cache and the registry are
 * written without atomics. A caller on another CPU must forward its work to
 * the service CPU rather than add a lock here.
 */
#define LOG_TAG "pci"

#include "drivers/pci.h"
#include "drivers/pci_regs.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/x86/io.h"

/*
 * MCFG entries kept. Machines have one per PCI segment, rarely more than
 * four; each entry costs a 2 KiB bus-mapping table here.
 */
#define PCI_MAX_ECAM_RANGES 8

struct ecam_window {
	struct pci_ecam_range range;
	/* Mapped 1 MiB of bus (start_bus + i), NULL until first touched. */
	volatile u8 *bus_va[PCI_MAX_BUS];
	/* Buses whose mapping failed: unreachable, and warned about once. */
	u64 map_failed[PCI_MAX_BUS / 64];
};

/* Singleton: the machine's devices. Owner: this file; see pci_registry_get(). */
static struct pci_registry registry;

static struct ecam_window ecam[PCI_MAX_ECAM_RANGES];
static unsigned n_ecam;

/* The mechanism pci_init() chose; NULL before it ran. */
static const struct pci_bus_ops *active_ops;

/* --- CAM: ports 0xcf8/0xcfc, segment 0, 256 bytes per function ------------ */

static bool cam_reachable(u16 seg, u8 dev, u8 fn, u16 off)
{
	return seg == 0 && dev < PCI_MAX_DEV && fn < PCI_MAX_FN &&
	       off < PCI_CFG_SPACE_SIZE && IS_ALIGNED(off, 4);
}

static u32 cam_read32(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u16 off)
{
	(void)ctx;
	if (!cam_reachable(seg, dev, fn, off))
		return ~0u;
	outl(PCI_CAM_ADDR_PORT, pci_cam_addr(bus, dev, fn, off));
	return inl(PCI_CAM_DATA_PORT);
}

static void cam_write32(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u16 off, u32 val)
{
	(void)ctx;
	if (!cam_reachable(seg, dev, fn, off))
		return;
	outl(PCI_CAM_ADDR_PORT, pci_cam_addr(bus, dev, fn, off));
	outl(PCI_CAM_DATA_PORT, val);
}

static const struct pci_bus_ops cam_ops = {
	.read32 = cam_read32,
	.write32 = cam_write32,
	.ctx = NULL,
};

/* --- ECAM: memory-mapped, 4 KiB per function ------------------------------ */

static struct ecam_window *ecam_window_for(u16 seg, u8 bus)
{
	for (unsigned i = 0; i < n_ecam; i++) {
		const struct pci_ecam_range *rg = &ecam[i].range;

		if (rg->seg == seg && bus >= rg->start_bus && bus <= rg->end_bus)
			return &ecam[i];
	}
	return NULL;
}

/*
 * The register's virtual address, mapping its bus on first use: a segment
 * can span 256 MiB of ECAM, of which only the few buses that exist are
 * worth ioremap space. NULL when the access cannot be made.
 */
static volatile u32 *ecam_reg(u16 seg, u8 bus, u8 dev, u8 fn, u16 off)
{
	struct ecam_window *w;
	volatile u8 **slot;
	unsigned idx;

	if (dev >= PCI_MAX_DEV || fn >= PCI_MAX_FN || off >= PCI_CFG_SPACE_EXP_SIZE ||
	    !IS_ALIGNED(off, 4))
		return NULL;
	w = ecam_window_for(seg, bus);
	if (!w)
		return NULL;

	idx = bus - w->range.start_bus;
	slot = &w->bus_va[idx];
	if (!*slot) {
		/* MCFG's base is bus 0's, even for a range starting higher. */
		paddr_t pa = w->range.base + ((paddr_t)bus << PCI_ECAM_BUS_SHIFT);

		if (w->map_failed[idx / 64] & BIT(idx % 64))
			return NULL;
		*slot = ioremap(pa, PCI_ECAM_BUS_SIZE);
		if (!*slot) {
			w->map_failed[idx / 64] |= BIT(idx % 64);
			log_warn("cannot map ECAM of bus %04x:%02x at 0x%llx, bus unreachable",
				 seg, bus, (unsigned long long)pa);
			return NULL;
		}
	}
	return (volatile u32 *)(*slot + pci_ecam_bus_offset(dev, fn, off));
}

static u32 ecam_read32(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u16 off)
{
	volatile u32 *reg = ecam_reg(seg, bus, dev, fn, off);

	(void)ctx;
	return reg ? *reg : ~0u;
}

static void ecam_write32(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u16 off, u32 val)
{
	volatile u32 *reg = ecam_reg(seg, bus, dev, fn, off);

	(void)ctx;
	if (reg)
		*reg = val;
}

static const struct pci_bus_ops ecam_ops = {
	.read32 = ecam_read32,
	.write32 = ecam_write32,
	.ctx = NULL,
};

/*
 * Keeps the usable MCFG entries. An entry whose base is not 1 MiB aligned
 * or whose bus range is inverted is a firmware bug; skipping it (and falling
 * back to CAM if nothing is left) beats reading config space at a guess.
 */
static void ecam_setup(const struct pci_ecam_range *mcfg, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct pci_ecam_range *rg = &mcfg[i];

		if (!rg->base || !IS_ALIGNED(rg->base, PCI_ECAM_BUS_SIZE) ||
		    rg->start_bus > rg->end_bus) {
			log_warn("MCFG entry %u ignored: seg %04x buses %02x-%02x at 0x%llx", i,
				 rg->seg, rg->start_bus, rg->end_bus,
				 (unsigned long long)rg->base);
			continue;
		}
		if (n_ecam == PCI_MAX_ECAM_RANGES) {
			log_warn("MCFG entry %u ignored: more than %u ranges", i,
				 PCI_MAX_ECAM_RANGES);
			continue;
		}
		ecam[n_ecam++].range = *rg;
		log_info("ECAM seg %04x buses %02x-%02x at 0x%llx", rg->seg, rg->start_bus,
			 rg->end_bus, (unsigned long long)rg->base);
	}
}

/* --- Enumeration and reporting -------------------------------------------- */

static void enumerate(u16 seg, u8 first, u8 last)
{
	if (pci_enumerate(&registry, active_ops, seg, first, last) == -ENOSPC)
		log_warn("seg %04x: device table full (%u entries)", seg, PCI_MAX_DEVS);
}

static void log_devices(void)
{
	char line[PCI_FORMAT_MAX];

	for (unsigned i = 0; i < registry.ndev; i++) {
		const struct pci_dev *d = &registry.dev[i];

		pci_format_dev(d, line, sizeof(line));
		log_info("%s", line);
		if (d->is_bridge && !d->sec_scanned)
			log_warn("%s: secondary bus %02x (subordinate %02x) not scanned: "
				 "loop, out of range or too deep",
				 line, d->sec_bus, d->sub_bus);
	}
	if (registry.overflow)
		log_warn("%u functions not recorded, table holds %u", registry.overflow,
			 PCI_MAX_DEVS);
	log_info("%u functions", registry.ndev);
}

void pci_init(const struct pci_ecam_range *mcfg, unsigned n)
{
	if (active_ops) {
		log_warn("pci_init called twice; ignored, claims kept");
		return;
	}
	pci_registry_init(&registry);

	if (mcfg && n)
		ecam_setup(mcfg, n);
	if (n_ecam) {
		active_ops = &ecam_ops;
		log_info("config access: ECAM, %u range(s) from MCFG", n_ecam);
		for (unsigned i = 0; i < n_ecam; i++)
			enumerate(ecam[i].range.seg, ecam[i].range.start_bus,
				  ecam[i].range.end_bus);
	} else {
		active_ops = &cam_ops;
		log_info("config access: CAM (ports 0x%x/0x%x), %s", PCI_CAM_ADDR_PORT,
			 PCI_CAM_DATA_PORT, mcfg && n ? "no usable MCFG entry" : "no MCFG");
		enumerate(0, 0, PCI_MAX_BUS - 1);
	}
	log_devices();
}

struct pci_registry *pci_registry_get(void)
{
	return &registry;
}

u32 pci_cfg_read32(const struct pci_dev *d, u16 off)
{
	if (!d || !active_ops)
		return ~0u;
	return active_ops->read32(active_ops->ctx, d->seg, d->bus, d->dev, d->fn, off);
}

void pci_cfg_write32(const struct pci_dev *d, u16 off, u32 val)
{
	if (!d || !active_ops)
		return;
	active_ops->write32(active_ops->ctx, d->seg, d->bus, d->dev, d->fn, off, val);
}

void pci_shell_list(void)
{
	char line[PCI_FORMAT_MAX];

	if (!active_ops) {
		console_printf("pci: not initialized\n");
		return;
	}
	for (unsigned i = 0; i < registry.ndev; i++) {
		pci_format_dev(&registry.dev[i], line, sizeof(line));
		console_printf("%s\n", line);
	}
	console_printf("%u functions via %s", registry.ndev,
		       active_ops == &ecam_ops ? "ECAM" : "CAM");
	if (registry.overflow)
		console_printf(", %u not recorded (table full)", registry.overflow);
	if (registry.bridges_skipped)
		console_printf(", %u bridges not followed", registry.bridges_skipped);
	console_printf("\n");
}
