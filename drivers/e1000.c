// SPDX-License-Identifier: GPL-2.0-only
/*
 * The e1000 family's glue (interface in drivers/e1000.h): PCI match and
 * probe, device reset, MAC, link, and the netdev ops that move the ring
 * indices between the registers and the pure ring code in
 * drivers/e1000_ring.c.
 *
 * Context: probe on the boot CPU (or the service CPU), every netdev op on
 * the service CPU only; no locking. Polled: interrupts stay masked, so
 * nothing here runs in interrupt context.
 *
 * No singleton: each probed device gets its own state pages from
 * page_alloc(), reached through netdev.priv.
 *
 * Every wait on the device is bounded by a time_ns() deadline and logs on
 * expiry. A dead device is caught later too: a transmit ring that stays
 * full for E1000_TX_STALL_NS is logged once and counted in stats.timeouts.
 */
#define LOG_TAG "e1000"

#include "drivers/e1000.h"
#include "drivers/e1000_regs.h"
#include "drivers/e1000_ring.h"
#include "drivers/pci_regs.h"
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/time.h"

/*
 * 512 receive slots absorb a full 256 KiB TCP window in flight (~180 MSS
 * frames) plus bursts while the service loop runs other work; transmit is
 * paced by our own stack, so the minimum of 256 does.
 */
#define E1000_RX_DESCS 512
#define E1000_TX_DESCS 256
/*
 * RX buffers of 2048 bytes (RCTL.BSIZE, the two kept together): every frame
 * (<= 1518 bytes, CRC stripped) fits one, so the reassembly path is only
 * for devices told a smaller size. TX: one buffer per frame, same stride.
 */
#define E1000_RX_BUF_SIZE 2048
#define E1000_RX_BSIZE E1000_RCTL_BSIZE_2048
#define E1000_TX_BUF_SIZE 2048

/*
 * Deadlines. The SDM asks for >= 1 us after RST before register access;
 * Linux waits milliseconds, and real parts reload the EEPROM in a few ms.
 * 100 ms covers all of that with margin; emulators finish immediately.
 */
#define E1000_RESET_SETTLE_US 1000
#define E1000_RESET_TIMEOUT_NS (100 * NSEC_PER_MSEC)
#define E1000_GIO_TIMEOUT_NS (100 * NSEC_PER_MSEC)   /* Linux: 80 ms */
#define E1000_AUTO_RD_TIMEOUT_NS (10 * NSEC_PER_MSEC) /* Linux: 10 ms */
#define E1000_EERD_TIMEOUT_NS (10 * NSEC_PER_MSEC)    /* one word takes ~us */
/* Pending DMA drains before reset (Linux e1000/e1000e: msleep(10)). */
#define E1000_QUIESCE_US 10000
#define E1000_POLL_STEP_US 10
#define E1000_TX_STALL_NS (1 * NSEC_PER_SEC)

enum e1000_eerd_layout {
	E1000_EERD_NONE,
	E1000_EERD_8254X, /* DONE bit 4, address 15:8 */
	E1000_EERD_82574, /* DONE bit 1, address 15:2 */
};

struct e1000_model {
	u16 device;
	const char *name; /* netdev name */
	const char *chip;
	enum e1000_eerd_layout eerd;
	bool pcie; /* 82574: GIO master disable before reset, NVM auto-read after */
};

static const struct e1000_model e1000_models[] = {
	{ 0x100e, "e1000", "82540EM", E1000_EERD_8254X, false },
	{ 0x100f, "e1000", "82545EM", E1000_EERD_8254X, false },
	{ 0x10d3, "e1000e", "82574L", E1000_EERD_82574, true },
};

#define PCI_VENDOR_INTEL 0x8086

/* A contiguous block of equal-sized DMA buffers, for e1000_buf_map(). */
struct e1000_buf_area {
	paddr_t base;
	u64 len;
	u32 buf_size;
};

struct e1000 {
	struct netdev nd;
	const struct e1000_model *model;
	struct pci_dev *pci;
	volatile u8 *regs;
	paddr_t state_pa;
	size_t state_pages;
	paddr_t dma_pa; /* descriptors, then RX buffers, then TX buffers */
	size_t dma_pages;
	struct e1000_buf_area rx_area, tx_area;
	struct e1000_rx_ring rx;
	struct e1000_tx_ring tx;
	u64 tx_stall_since; /* time_ns() of the first -EBUSY in a row; 0 = moving */
	bool tx_stall_logged;
	bool head_logged;
	u64 rx_addr[E1000_RX_DESCS];
	u64 tx_addr[E1000_TX_DESCS];
	u8 bounce[NETDEV_MAX_FRAME];
};

/* Descriptor block: both rings, each a whole number of 128-byte units. */
#define E1000_RX_RING_BYTES (E1000_RX_DESCS * sizeof(struct e1000_rx_desc))
#define E1000_TX_RING_BYTES (E1000_TX_DESCS * sizeof(struct e1000_tx_desc))
#define E1000_DESC_BYTES ALIGN_UP(E1000_RX_RING_BYTES + E1000_TX_RING_BYTES, PAGE_SIZE)
#define E1000_DMA_BYTES \
	(E1000_DESC_BYTES + (u64)E1000_RX_DESCS * E1000_RX_BUF_SIZE + \
	 (u64)E1000_TX_DESCS * E1000_TX_BUF_SIZE)
BUILD_ASSERT(E1000_RX_RING_BYTES % E1000_RING_ALIGN == 0, "RDLEN is a multiple of 128");
BUILD_ASSERT(E1000_TX_RING_BYTES % E1000_RING_ALIGN == 0, "TDLEN is a multiple of 128");
BUILD_ASSERT(E1000_RX_DESCS >= E1000_RING_MIN && E1000_TX_DESCS >= E1000_RING_MIN,
	     "issue 4: rings of at least 256 entries");

static u32 e1000_rd(const struct e1000 *e, u32 reg)
{
	return *(volatile const u32 *)(e->regs + reg);
}

static void e1000_wr(struct e1000 *e, u32 reg, u32 val)
{
	*(volatile u32 *)(e->regs + reg) = val;
}

/* Posted writes reach the device before a read of it returns. */
static void e1000_flush(struct e1000 *e)
{
	(void)e1000_rd(e, E1000_STATUS);
}

/*
 * Polls reg until (value & mask) == want. Returns 0, with the last value in
 * *val when val is not NULL; -ETIMEDOUT after timeout_ns, logged and
 * counted. Boot or service CPU; spins, so only for short hardware steps.
 */
static int e1000_wait(struct e1000 *e, u32 reg, u32 mask, u32 want, u64 timeout_ns,
		      const char *what, u32 *val)
{
	u64 deadline = time_ns() + timeout_ns;
	u32 v;

	for (;;) {
		/* Sampled first: the final read always comes after the deadline. */
		bool expired = time_ns() > deadline;

		v = e1000_rd(e, reg);
		if ((v & mask) == want) {
			if (val)
				*val = v;
			return 0;
		}
		if (expired)
			break;
		time_udelay(E1000_POLL_STEP_US);
	}
	e->nd.stats.timeouts++;
	log_warn("%02x:%02x.%x: %s timed out after %lu ms (reg 0x%04x = 0x%08x)", e->pci->bus,
		 e->pci->dev, e->pci->fn, what, (unsigned long)(timeout_ns / NSEC_PER_MSEC),
		 reg, v);
	return -ETIMEDOUT;
}

static const struct e1000_model *e1000_model_of(const struct pci_dev *d)
{
	for (size_t i = 0; d->vendor == PCI_VENDOR_INTEL && i < ARRAY_SIZE(e1000_models); i++)
		if (e1000_models[i].device == d->device)
			return &e1000_models[i];
	return NULL;
}

bool e1000_match(const struct pci_dev *d)
{
	return e1000_model_of(d) != NULL;
}

static bool e1000_mac_valid(const u8 *mac)
{
	/* Not all-zero (unprogrammed), not group (bit 0 of the first octet). */
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) && !(mac[0] & 1);
}

/* --- Buffers ------------------------------------------------------------- */

/* e1000_buf_map_fn over one e1000_buf_area in the direct map. */
static void *e1000_buf_map(void *ctx, u64 addr, size_t len)
{
	const struct e1000_buf_area *a = ctx;

	if (addr < a->base || len > a->buf_size || addr - a->base > a->len - len)
		return NULL;
	return phys_to_virt(addr);
}

/* --- Bring-up ------------------------------------------------------------ */

/*
 * Reads BAR0 (the register window) from config space. Returns its physical
 * address, or 0 when BAR0 is an I/O BAR or was never assigned.
 */
static paddr_t e1000_bar0(const struct pci_dev *d)
{
	u32 lo = pci_cfg_read32(d, PCI_BAR(0));
	paddr_t pa;

	if (lo & PCI_BAR_SPACE_IO)
		return 0;
	pa = lo & PCI_BAR_MEM_ADDR_MASK;
	if (FIELD_GET(PCI_BAR_MEM_TYPE, lo) == PCI_BAR_MEM_TYPE_64)
		pa |= (paddr_t)pci_cfg_read32(d, PCI_BAR(1)) << 32;
	return pa;
}

/*
 * Stops the device and resets it (SDM and 82574 datasheet, "Reset"): mask interrupts,
 * stop RX and TX, let in-flight DMA drain, then CTRL.RST, which also
 * reloads RAL0/RAH0 from the EEPROM. Returns 0 or -ETIMEDOUT.
 */
static int e1000_reset(struct e1000 *e)
{
	int ret;

	e1000_wr(e, E1000_IMC, E1000_IMC_ALL);
	e1000_wr(e, E1000_RCTL, 0);
	e1000_wr(e, E1000_TCTL, E1000_TCTL_PSP);
	e1000_flush(e);
	if (e->model->pcie) {
		/* A PCIe reset with DMA in flight can hang the link: stop it first. */
		e1000_wr(e, E1000_CTRL, e1000_rd(e, E1000_CTRL) | E1000_CTRL_GIO_MASTER_DISABLE);
		/* Linux resets anyway when this times out; so do we (counted, logged). */
		(void)e1000_wait(e, E1000_STATUS, E1000_STATUS_GIO_MASTER_ENABLE, 0,
				 E1000_GIO_TIMEOUT_NS, "GIO master disable", NULL);
	}
	time_udelay(E1000_QUIESCE_US);

	e1000_wr(e, E1000_CTRL, e1000_rd(e, E1000_CTRL) | E1000_CTRL_RST);
	time_udelay(E1000_RESET_SETTLE_US);
	ret = e1000_wait(e, E1000_CTRL, E1000_CTRL_RST, 0, E1000_RESET_TIMEOUT_NS, "reset",
			 NULL);
	if (ret)
		return ret;
	if (e->model->pcie)
		/* Only delays RAL0/RAH0; the EEPROM path below still works. */
		(void)e1000_wait(e, E1000_EECD, E1000_EECD_AUTO_RD, E1000_EECD_AUTO_RD,
				 E1000_AUTO_RD_TIMEOUT_NS, "NVM auto-read", NULL);

	/* Reset unmasks nothing, but a stale cause could be latched: clear it. */
	e1000_wr(e, E1000_IMC, E1000_IMC_ALL);
	(void)e1000_rd(e, E1000_ICR);
	return 0;
}

/* Reads one EEPROM word through EERD. Returns 0 or -ETIMEDOUT / -ENODEV. */
static int e1000_eeprom_read(struct e1000 *e, u16 word, u16 *out)
{
	u32 done, addr, v;
	int ret;

	switch (e->model->eerd) {
	case E1000_EERD_8254X:
		done = E1000_EERD_8254X_DONE;
		addr = FIELD_PREP(E1000_EERD_8254X_ADDR, word);
		break;
	case E1000_EERD_82574:
		done = E1000_EERD_82574_DONE;
		addr = FIELD_PREP(E1000_EERD_82574_ADDR, word);
		break;
	default:
		return -ENODEV;
	}
	e1000_wr(e, E1000_EERD, addr | E1000_EERD_START);
	ret = e1000_wait(e, E1000_EERD, done, done, E1000_EERD_TIMEOUT_NS, "EEPROM read", &v);
	if (ret)
		return ret;
	*out = (u16)FIELD_GET(E1000_EERD_DATA, v);
	return 0;
}

/*
 * Picks the MAC: the override, else RAL0/RAH0 (the device loads them from
 * the EEPROM at reset), else the EEPROM itself; then programs it into
 * RAL0/RAH0 so the unicast filter matches. Returns 0, -EINVAL (bad
 * override) or -EIO (no valid MAC anywhere).
 */
static int e1000_setup_mac(struct e1000 *e, const u8 *override)
{
	u8 *mac = e->nd.mac;
	u32 ral, rah;

	if (override) {
		if (!e1000_mac_valid(override))
			return -EINVAL;
		memcpy(mac, override, 6);
	} else {
		ral = e1000_rd(e, E1000_RAL(0));
		rah = e1000_rd(e, E1000_RAH(0));
		for (int i = 0; i < 4; i++)
			mac[i] = (u8)(ral >> (8 * i));
		mac[4] = (u8)rah;
		mac[5] = (u8)(rah >> 8);
		if (!(rah & E1000_RAH_AV) || !e1000_mac_valid(mac)) {
			for (u16 w = 0; w < 3; w++) {
				u16 v;

				if (e1000_eeprom_read(e, E1000_EEPROM_MAC_WORD0 + w, &v))
					return -EIO;
				mac[2 * w] = (u8)v;
				mac[2 * w + 1] = (u8)(v >> 8);
			}
			if (!e1000_mac_valid(mac))
				return -EIO;
		}
	}
	e1000_wr(e, E1000_RAL(0),
		 (u32)mac[0] | (u32)mac[1] << 8 | (u32)mac[2] << 16 | (u32)mac[3] << 24);
	e1000_wr(e, E1000_RAH(0), (u32)mac[4] | (u32)mac[5] << 8 | (u32)E1000_RAH_AV);
	return 0;
}

/* Lays out the DMA block and hands it to the pure ring code. */
static int e1000_setup_rings(struct e1000 *e)
{
	paddr_t desc = e->dma_pa;
	struct e1000_bufs rx = {
		.addr = e->rx_addr, .count = E1000_RX_DESCS, .size = E1000_RX_BUF_SIZE,
		.map = e1000_buf_map, .ctx = &e->rx_area,
	};
	struct e1000_bufs tx = {
		.addr = e->tx_addr, .count = E1000_TX_DESCS, .size = E1000_TX_BUF_SIZE,
		.map = e1000_buf_map, .ctx = &e->tx_area,
	};
	int ret;

	e->rx_area.base = desc + E1000_DESC_BYTES;
	e->rx_area.len = (u64)E1000_RX_DESCS * E1000_RX_BUF_SIZE;
	e->rx_area.buf_size = E1000_RX_BUF_SIZE;
	e->tx_area.base = e->rx_area.base + e->rx_area.len;
	e->tx_area.len = (u64)E1000_TX_DESCS * E1000_TX_BUF_SIZE;
	e->tx_area.buf_size = E1000_TX_BUF_SIZE;
	for (u32 i = 0; i < E1000_RX_DESCS; i++)
		e->rx_addr[i] = e->rx_area.base + (u64)i * E1000_RX_BUF_SIZE;
	for (u32 i = 0; i < E1000_TX_DESCS; i++)
		e->tx_addr[i] = e->tx_area.base + (u64)i * E1000_TX_BUF_SIZE;

	ret = e1000_rx_init(&e->rx, phys_to_virt(desc), e->bounce, &rx);
	if (ret)
		return ret;
	ret = e1000_tx_init(&e->tx, phys_to_virt(desc + E1000_RX_RING_BYTES), &tx);
	if (ret)
		return ret;

	e1000_wr(e, E1000_RDBAL, (u32)desc);
	e1000_wr(e, E1000_RDBAH, (u32)(desc >> 32));
	e1000_wr(e, E1000_RDLEN, E1000_RX_RING_BYTES);
	e1000_wr(e, E1000_RDH, 0);
	e1000_wr(e, E1000_RDT, e1000_rx_tail(&e->rx));

	e1000_wr(e, E1000_TDBAL, (u32)(desc + E1000_RX_RING_BYTES));
	e1000_wr(e, E1000_TDBAH, (u32)((desc + E1000_RX_RING_BYTES) >> 32));
	e1000_wr(e, E1000_TDLEN, E1000_TX_RING_BYTES);
	e1000_wr(e, E1000_TDH, 0);
	e1000_wr(e, E1000_TDT, e1000_tx_tail(&e->tx));
	return 0;
}

/* Link, filters and the RX/TX units, after reset and rings. */
static void e1000_start(struct e1000 *e)
{
	u32 ctrl = e1000_rd(e, E1000_CTRL);

	/* Copper, autonegotiated: the MAC follows the PHY's link and speed. */
	ctrl &= ~(u32)(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS |
		       E1000_CTRL_VME | E1000_CTRL_FRCSPD | E1000_CTRL_FRCDPX);
	e1000_wr(e, E1000_CTRL, ctrl | E1000_CTRL_SLU | E1000_CTRL_ASDE);

	/* The MTA is random after power-up: no multicast unless asked for. */
	for (u32 i = 0; i < E1000_MTA_ENTRIES; i++)
		e1000_wr(e, E1000_MTA + 4 * i, 0);
	/* No offload: the stack checks every checksum itself and counts failures. */
	e1000_wr(e, E1000_RXCSUM, 0);

	e1000_wr(e, E1000_TIPG, FIELD_PREP(E1000_TIPG_IPGT, E1000_TIPG_IPGT_COPPER) |
				 FIELD_PREP(E1000_TIPG_IPGR1, E1000_TIPG_IPGR1_COPPER) |
				 FIELD_PREP(E1000_TIPG_IPGR2, E1000_TIPG_IPGR2_COPPER));
	e1000_wr(e, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP |
				 FIELD_PREP(E1000_TCTL_CT, E1000_TCTL_CT_DEFAULT) |
				 FIELD_PREP(E1000_TCTL_COLD, E1000_TCTL_COLD_FULL_DUPLEX));
	/*
	 * SECRC: lengths then exclude the FCS, which is what NETDEV_MAX_FRAME
	 * counts. SBP off: the device drops CRC-bad frames itself.
	 */
	e1000_wr(e, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC |
				 FIELD_PREP(E1000_RCTL_BSIZE, E1000_RX_BSIZE));
	e1000_flush(e);
}

/* --- netdev ops ---------------------------------------------------------- */

static int e1000_send(struct netdev *nd, const void *frame, size_t len)
{
	struct e1000 *e = nd->priv;
	int ret = e1000_tx_send(&e->tx, frame, len, &nd->stats);

	if (ret == -EBUSY) {
		u64 now = time_ns();

		if (!e->tx_stall_since) {
			e->tx_stall_since = now;
		} else if (!e->tx_stall_logged && now - e->tx_stall_since > E1000_TX_STALL_NS) {
			e->tx_stall_logged = true;
			nd->stats.timeouts++;
			log_warn("%s: TX ring full for over %lu ms (TDH %u TDT %u): "
				 "device stalled?",
				 nd->name, (unsigned long)(E1000_TX_STALL_NS / NSEC_PER_MSEC),
				 e1000_rd(e, E1000_TDH), e1000_rd(e, E1000_TDT));
		}
		return ret;
	}
	if (ret)
		return ret;
	if (e->tx_stall_logged)
		log_info("%s: TX moving again", nd->name);
	e->tx_stall_since = 0;
	e->tx_stall_logged = false;
	/* The ring code's release fence orders the descriptor before this store. */
	e1000_wr(e, E1000_TDT, e1000_tx_tail(&e->tx));
	return 0;
}

static int e1000_poll(struct netdev *nd, netdev_rx_fn rx, void *ctx, int budget)
{
	struct e1000 *e = nd->priv;
	u32 old_tail = e1000_rx_tail(&e->rx);
	u32 head;
	int n;

	/* An idle poll touches no register: each access is an exit on emulators. */
	if (budget <= 0 || !e1000_rx_has_work(&e->rx))
		return 0;
	head = e1000_rd(e, E1000_RDH);
	n = e1000_rx_poll(&e->rx, head, rx, ctx, budget, &nd->stats);
	if (n < 0) {
		if (!e->head_logged)
			log_warn("%s: RDH %u is beyond the %u-entry ring; ignoring RX "
				 "(counted in rx_errors, logged once)",
				 nd->name, head, E1000_RX_DESCS);
		e->head_logged = true;
		return 0;
	}
	if (e1000_rx_tail(&e->rx) != old_tail)
		e1000_wr(e, E1000_RDT, e1000_rx_tail(&e->rx));
	/* Frames the device had no descriptor for (clear on read). */
	nd->stats.rx_dropped += e1000_rd(e, E1000_MPC);
	return n;
}

/* One register read; the caller (net/) rate-limits it and logs changes. */
static bool e1000_link_up(struct netdev *nd)
{
	return e1000_rd(nd->priv, E1000_STATUS) & E1000_STATUS_LU;
}

static const struct netdev_ops e1000_ops = {
	.send = e1000_send,
	.poll = e1000_poll,
	.link_up = e1000_link_up,
};

/* --- Probe --------------------------------------------------------------- */

static int e1000_alloc(struct e1000 **out)
{
	size_t state_pages = ALIGN_UP(sizeof(struct e1000), PAGE_SIZE) / PAGE_SIZE;
	size_t dma_pages = E1000_DMA_BYTES / PAGE_SIZE;
	paddr_t state_pa, dma_pa;
	struct e1000 *e;

	if (page_alloc(state_pages, 1, &state_pa))
		return -ENOMEM;
	if (page_alloc(dma_pages, 1, &dma_pa)) {
		page_free(state_pa, state_pages);
		return -ENOMEM;
	}
	e = phys_to_virt(state_pa);
	e->state_pa = state_pa;
	e->state_pages = state_pages;
	e->dma_pa = dma_pa;
	e->dma_pages = dma_pages;
	*out = e;
	return 0;
}

static void e1000_free(struct e1000 *e)
{
	page_free(e->dma_pa, e->dma_pages);
	page_free(e->state_pa, e->state_pages);
}

int e1000_probe(struct pci_dev *d, const u8 *mac_override, struct netdev **out)
{
	const struct e1000_model *model = e1000_model_of(d);
	paddr_t bar;
	u32 cmd;
	struct e1000 *e;
	int ret;

	if (!model)
		return -ENODEV;
	if (d->owner != PCI_OWNER_HV)
		return -EBUSY;
	bar = e1000_bar0(d);
	if (!bar) {
		log_err("%02x:%02x.%x: BAR0 is not an assigned memory BAR", d->bus, d->dev, d->fn);
		return -ENODEV;
	}
	ret = e1000_alloc(&e);
	if (ret) {
		log_err("%02x:%02x.%x: no memory for rings", d->bus, d->dev, d->fn);
		return ret;
	}
	e->model = model;
	e->pci = d;
	e->regs = ioremap(bar, E1000_MMIO_SIZE);
	if (!e->regs) {
		ret = -ENOMEM;
		goto err_free;
	}
	ksnprintf(e->nd.name, sizeof(e->nd.name), "%s", model->name);
	e->nd.ops = &e1000_ops;
	e->nd.priv = e;

	/* Status bits are write-1-to-clear: write back the command half only. */
	cmd = (u32)FIELD_GET(PCI_CMD_DW_COMMAND, pci_cfg_read32(d, PCI_COMMAND));
	pci_cfg_write32(d, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
						PCI_COMMAND_INTX_DISABLE);

	ret = e1000_reset(e);
	if (ret)
		goto err_disable;
	ret = e1000_setup_mac(e, mac_override);
	if (ret) {
		log_err("%02x:%02x.%x: %s", d->bus, d->dev, d->fn,
			ret == -EINVAL ? "[net] mac is multicast or zero"
				       : "no valid MAC in RAL0 or the EEPROM; set [net] mac");
		goto err_disable;
	}
	ret = e1000_setup_rings(e);
	if (ret)
		goto err_disable;
	e1000_start(e);

	log_info("%s %02x:%02x.%x (%s): MAC %02x:%02x:%02x:%02x:%02x:%02x%s, BAR0 0x%lx, "
		 "rings %u/%u, link %s",
		 e->nd.name, d->bus, d->dev, d->fn, model->chip, e->nd.mac[0], e->nd.mac[1],
		 e->nd.mac[2], e->nd.mac[3], e->nd.mac[4], e->nd.mac[5],
		 mac_override ? " (config)" : "", (unsigned long)bar, E1000_RX_DESCS,
		 E1000_TX_DESCS, e1000_link_up(&e->nd) ? "up" : "down");
	*out = &e->nd;
	return 0;

err_disable:
	/* Leave it as found: no DMA into pages we are about to free. */
	pci_cfg_write32(d, PCI_COMMAND, cmd);
err_free:
	e1000_free(e);
	return ret;
}
