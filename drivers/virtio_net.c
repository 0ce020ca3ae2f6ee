// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-net over modern PCI (virtio 1.2 sections 3.1, 4.1, 5.1): the glue
 * between the device's registers and struct netdev. Ring logic is the pure
 * drivers/virtq.c; this file finds the register windows, runs the
 * initialization sequence and moves frames.
 *
 * Shape: polled, no interrupts (INTx disabled, MSI-X vectors NO_VECTOR,
 * VIRTQ_AVAIL_F_NO_INTERRUPT set). Queue 0 receives into 256 buffers of one
 * descriptor each (12-byte virtio_net_hdr, then room for 1526 bytes), each
 * reposted once its frame has been handed up. Queue 1 transmits: a frame is
 * copied behind a zeroed header into one of 256 TX buffers, one descriptor
 * per frame. MRG_RXBUF is not negotiated, so a frame never spans buffers
 * (5.1.6.3.1). No offloads, no control queue.
 *
 * What the device writes is not trusted: used entries are checked by
 * virtq.c, lengths and header fields here, before a frame goes up. A device
 * that breaks the ring contract or asks for a reset is stopped (FAILED) and
 * reported once; it is not restarted automatically.
 *
 * Context: boot CPU at probe, then the service CPU only (drivers/netdev.h).
 * Per-device state lives in the device's own page_alloc block; there is no
 * global state.
 */
#define LOG_TAG "virtio-net"

#include "drivers/virtio_net.h"
#include "drivers/pci_regs.h"
#include "drivers/virtio_regs.h"
#include "drivers/virtq.h"
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/time.h"
#include "kernel/x86/cpu.h"

#define VNET_NAME "virtio-net"
#define VNET_QSIZE 256 /* issue 4: rings of at least 256 entries */
#define VNET_HDR_LEN sizeof(struct virtio_net_hdr)
/* 5.1.6.3.1 asks for 1526-byte buffers; the header comes on top. */
#define VNET_RX_BUF_LEN (VNET_HDR_LEN + 1526)
/* Two buffers per page: none crosses a page, offsets stay simple. */
#define VNET_BUF_STRIDE 2048
BUILD_ASSERT(VNET_RX_BUF_LEN <= VNET_BUF_STRIDE, "an RX buffer fits its stride");
BUILD_ASSERT(VNET_HDR_LEN + NETDEV_MAX_FRAME <= VNET_BUF_STRIDE, "a TX frame fits its stride");

/*
 * The spec bounds no reset time and Linux waits forever; QEMU is done
 * within the register write. A second leaves room for hardware
 * implementations while keeping a dead device from hanging boot.
 */
#define VNET_RESET_TIMEOUT_NS (1 * NSEC_PER_SEC)
/* How often poll reads device_status, looking for DEVICE_NEEDS_RESET. */
#define VNET_STATUS_CHECK_NS (100 * NSEC_PER_MSEC)
/* Config reads retried while config_generation keeps moving (4.1.4.3.1). */
#define VNET_CFG_READ_TRIES 8
/* (256 - 64) / 4 capabilities fit in config space; more means a loop. */
#define VNET_CAP_WALK_MAX 48

/* Features taken when offered; VERSION_1 is also required. */
#define VNET_FEATURES_WANTED                                                       \
	(VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS |               \
	 VIRTIO_F_ACCESS_PLATFORM | VIRTIO_F_ORDER_PLATFORM)

/* One register window a capability described. */
struct vnet_window {
	bool found;
	u8 bar;
	u32 off;
	u32 len;
	volatile u8 *va; /* set once its BAR is mapped */
};

struct vnet_caps {
	struct vnet_window common, notify, device;
	u32 notify_mult;
};

struct vnet {
	struct netdev nd;
	struct pci_dev *pci;
	char bdf[16]; /* "00:02.0", for log lines */
	paddr_t pa;   /* this block: state, rings, buffers */
	size_t npages;

	struct vnet_caps caps;
	volatile u16 *notify_rx, *notify_tx;
	u64 features; /* negotiated */
	bool failed;  /* stopped: send fails, poll and link report nothing */
	bool link_was_up;
	u64 next_status_check_ns;

	struct virtq rxq, txq;
	struct virtq_stats rx_seen, tx_seen; /* what vnet_account() counted so far */
	struct virtq_slot rx_slot[VNET_QSIZE], tx_slot[VNET_QSIZE];
	paddr_t rx_ring_pa, tx_ring_pa;
	u8 *rx_buf, *tx_buf;
	paddr_t rx_buf_pa, tx_buf_pa;
	u16 tx_free[VNET_QSIZE]; /* stack of idle TX buffer indexes */
	u32 tx_nfree;
};

/* --- MMIO ------------------------------------------------------------------------ */

/*
 * A device register of type t at base + off, as an lvalue: every access is
 * one load or store of the field's own width, as 4.1.3.1 requires.
 */
#define REG(t, base, off) (*(volatile t *)((base) + (off)))

/* 64-bit fields may be written as two 32-bit halves (4.1.3.1). */
static void wr64(volatile u8 *base, u32 off, u64 v)
{
	REG(u32, base, off) = (u32)v;
	REG(u32, base, off + 4) = (u32)(v >> 32);
}

static u8 vnet_status(const struct vnet *v)
{
	return REG(u8, v->caps.common.va, VIRTIO_PCI_COMMON_STATUS);
}

static void vnet_set_status(struct vnet *v, u8 status)
{
	REG(u8, v->caps.common.va, VIRTIO_PCI_COMMON_STATUS) = status;
}

/* --- Capabilities (4.1.4) ------------------------------------------------------ */

/* Whether BAR `bar` is a memory BAR we can map (a 64-bit one needs bar + 1). */
static bool bar_is_mem(const struct pci_dev *d, u8 bar, bool *is64)
{
	u32 lo = pci_cfg_read32(d, PCI_BAR(bar));

	if (lo == ~0u || (lo & PCI_BAR_SPACE_IO))
		return false;
	*is64 = FIELD_GET(PCI_BAR_MEM_TYPE, lo) == PCI_BAR_MEM_TYPE_64;
	return !*is64 || bar < VIRTIO_PCI_CAP_BAR_MAX;
}

/* Records the virtio vendor capability at config offset ptr, if we use it. */
static void parse_cap(const struct pci_dev *d, u8 ptr, u32 dw0, struct vnet_caps *c)
{
	u8 type = FIELD_GET(VIRTIO_PCI_CAP_DW0_CFG_TYPE, dw0);
	u8 len = FIELD_GET(VIRTIO_PCI_CAP_DW0_LEN, dw0);
	struct vnet_window *w, cand = { .found = true };
	bool is64;

	if (type == VIRTIO_PCI_CAP_COMMON_CFG)
		w = &c->common;
	else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		w = &c->notify;
	else if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
		w = &c->device;
	else
		return; /* ISR (we poll), PCI_CFG, shared memory, vendor data */
	/* The first instance the driver can use wins (4.1.4). */
	if (w->found || len < VIRTIO_PCI_CAP_MIN_LEN || ptr + len > PCI_CFG_SPACE_SIZE)
		return;
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && len < VIRTIO_PCI_NOTIFY_CAP_MIN_LEN)
		return;
	cand.bar = FIELD_GET(VIRTIO_PCI_CAP_DW1_BAR, pci_cfg_read32(d, ptr + VIRTIO_PCI_CAP_DW1));
	cand.off = pci_cfg_read32(d, ptr + VIRTIO_PCI_CAP_OFFSET);
	cand.len = pci_cfg_read32(d, ptr + VIRTIO_PCI_CAP_LENGTH);
	/* A reserved BAR number, or an I/O BAR (no MMIO through it): try the next. */
	if (cand.bar > VIRTIO_PCI_CAP_BAR_MAX || !bar_is_mem(d, cand.bar, &is64))
		return;
	if ((u64)cand.off + cand.len > 0xffffffffULL)
		return;
	*w = cand;
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		c->notify_mult = pci_cfg_read32(d, ptr + VIRTIO_PCI_NOTIFY_CAP_MULT);
}

/*
 * Walks the capability list for the windows this driver needs. The walk is
 * bounded and refuses pointers into the header, so a looping or garbage
 * list just ends it. Returns 0, or -ENODEV when a window is missing or too
 * small for what we touch in it.
 */
static int find_caps(const struct pci_dev *d, struct vnet_caps *c)
{
	u32 cmd = pci_cfg_read32(d, PCI_COMMAND);
	u8 ptr;

	memset(c, 0, sizeof(*c));
	if (cmd == ~0u || !(FIELD_GET(PCI_CMD_DW_STATUS, cmd) & PCI_STATUS_CAP_LIST))
		return -ENODEV;
	ptr = pci_cfg_read32(d, PCI_CAPABILITY_LIST) & PCI_CAP_PTR_MASK;
	for (unsigned n = 0; ptr >= 0x40 && n < VNET_CAP_WALK_MAX; n++) {
		u32 dw0 = pci_cfg_read32(d, ptr);

		if (FIELD_GET(VIRTIO_PCI_CAP_DW0_VNDR, dw0) == VIRTIO_PCI_CAP_ID_VNDR)
			parse_cap(d, ptr, dw0, c);
		ptr = FIELD_GET(VIRTIO_PCI_CAP_DW0_NEXT, dw0) & PCI_CAP_PTR_MASK;
	}
	if (!c->common.found || !c->notify.found || !c->device.found)
		return -ENODEV;
	/* The virtio 1.0 common block, one notify word, the MAC. */
	if (c->common.len < VIRTIO_PCI_COMMON_CFG_MIN_LEN || c->notify.len < sizeof(u16) ||
	    c->device.len < VIRTIO_NET_CFG_MAC + 6)
		return -ENODEV;
	return 0;
}

bool virtio_net_match(const struct pci_dev *d)
{
	struct vnet_caps c;

	if (!d || d->vendor != VIRTIO_PCI_VENDOR)
		return false;
	if (d->device == VIRTIO_PCI_DEVICE_NET_MODERN)
		return true;
	return d->device == VIRTIO_PCI_DEVICE_NET_TRANSITIONAL && find_caps(d, &c) == 0;
}

/* --- BARs ------------------------------------------------------------------------ */

/*
 * Base and size of memory BAR `bar`. Sizing writes all ones to the BAR, so
 * memory decode is off meanwhile and the BAR restored after: only for a
 * claimed device that is not running.
 */
static int bar_base_size(const struct pci_dev *d, u8 bar, u64 *base, u64 *size)
{
	u32 cmd = FIELD_GET(PCI_CMD_DW_COMMAND, pci_cfg_read32(d, PCI_COMMAND));
	u32 lo, hi = 0, mlo, mhi = ~0u;
	bool is64;

	if (!bar_is_mem(d, bar, &is64))
		return -ENODEV;
	lo = pci_cfg_read32(d, PCI_BAR(bar));
	if (is64)
		hi = pci_cfg_read32(d, PCI_BAR(bar + 1));

	/* The status half is written as zero: its error bits are write-1-to-clear. */
	pci_cfg_write32(d, PCI_COMMAND, cmd & ~(u32)PCI_COMMAND_MEMORY);
	pci_cfg_write32(d, PCI_BAR(bar), ~0u);
	mlo = pci_cfg_read32(d, PCI_BAR(bar));
	pci_cfg_write32(d, PCI_BAR(bar), lo);
	if (is64) {
		pci_cfg_write32(d, PCI_BAR(bar + 1), ~0u);
		mhi = pci_cfg_read32(d, PCI_BAR(bar + 1));
		pci_cfg_write32(d, PCI_BAR(bar + 1), hi);
	}
	pci_cfg_write32(d, PCI_COMMAND, cmd);

	*base = ((u64)hi << 32) | (lo & PCI_BAR_MEM_ADDR_MASK);
	*size = ~(((u64)mhi << 32) | (mlo & PCI_BAR_MEM_ADDR_MASK)) + 1;
	/* No writable address bit: not implemented. Base 0: firmware left it unassigned. */
	if (((mlo & PCI_BAR_MEM_ADDR_MASK) == 0 && (!is64 || mhi == 0)) || *base == 0)
		return -ENODEV;
	return 0;
}

/* Maps each BAR once, over the span of its windows, each checked to lie inside it. */
static int map_windows(struct vnet *v)
{
	struct vnet_window *w[] = { &v->caps.common, &v->caps.notify, &v->caps.device };

	for (unsigned i = 0; i < ARRAY_SIZE(w); i++) {
		u64 base, size, lo = w[i]->off, hi = (u64)w[i]->off + w[i]->len;
		volatile u8 *va;

		if (w[i]->va)
			continue; /* mapped with an earlier window in the same BAR */
		if (bar_base_size(v->pci, w[i]->bar, &base, &size)) {
			log_err("%s: BAR%u unassigned or not memory", v->bdf, w[i]->bar);
			return -ENODEV;
		}
		for (unsigned j = i; j < ARRAY_SIZE(w); j++) {
			if (w[j]->bar != w[i]->bar)
				continue;
			if ((u64)w[j]->off + w[j]->len > size) {
				log_err("%s: window 0x%x+0x%x outside BAR%u (0x%lx bytes)", v->bdf,
					w[j]->off, w[j]->len, w[j]->bar, (unsigned long)size);
				return -ENODEV;
			}
			lo = min_u64(lo, w[j]->off);
			hi = max_u64(hi, (u64)w[j]->off + w[j]->len);
		}
		va = ioremap(base + lo, hi - lo);
		if (!va) {
			log_err("%s: ioremap of BAR%u at 0x%lx failed", v->bdf, w[i]->bar,
				(unsigned long)base);
			return -ENOMEM;
		}
		for (unsigned j = i; j < ARRAY_SIZE(w); j++) {
			if (w[j]->bar == w[i]->bar)
				w[j]->va = va + (w[j]->off - lo);
		}
		log_dbg("%s: BAR%u at 0x%lx, 0x%lx bytes", v->bdf, w[i]->bar, (unsigned long)base,
			(unsigned long)size);
	}
	return 0;
}

/* --- Initialization (3.1.1) ------------------------------------------------------ */

static int vnet_reset(struct vnet *v)
{
	u64 deadline = time_ns() + VNET_RESET_TIMEOUT_NS;

	vnet_set_status(v, 0);
	/* The reset is complete when device_status reads back 0 (4.1.4.3.2). */
	while (vnet_status(v) != 0) {
		if (time_ns() > deadline) {
			v->nd.stats.timeouts++;
			log_err("%s: reset not complete after %lu ms (status 0x%x)", v->bdf,
				(unsigned long)(VNET_RESET_TIMEOUT_NS / NSEC_PER_MSEC),
				vnet_status(v));
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return 0;
}

static int negotiate(struct vnet *v)
{
	volatile u8 *c = v->caps.common.va;
	u64 offered, want = VNET_FEATURES_WANTED;

	REG(u32, c, VIRTIO_PCI_COMMON_DFSELECT) = 0;
	offered = REG(u32, c, VIRTIO_PCI_COMMON_DF);
	REG(u32, c, VIRTIO_PCI_COMMON_DFSELECT) = 1;
	offered |= (u64)REG(u32, c, VIRTIO_PCI_COMMON_DF) << 32;
	if (!(offered & VIRTIO_F_VERSION_1)) {
		log_err("%s: no VIRTIO_F_VERSION_1 in features 0x%lx (legacy-only device)",
			v->bdf, (unsigned long)offered);
		return -ENODEV;
	}
	/* STATUS only when the status word lies inside the window. */
	if (v->caps.device.len < VIRTIO_NET_CFG_STATUS + sizeof(u16))
		want &= ~VIRTIO_NET_F_STATUS;
	v->features = offered & want;
	REG(u32, c, VIRTIO_PCI_COMMON_GFSELECT) = 0;
	REG(u32, c, VIRTIO_PCI_COMMON_GF) = (u32)v->features;
	REG(u32, c, VIRTIO_PCI_COMMON_GFSELECT) = 1;
	REG(u32, c, VIRTIO_PCI_COMMON_GF) = (u32)(v->features >> 32);

	vnet_set_status(v, vnet_status(v) | VIRTIO_STATUS_FEATURES_OK);
	/* A device that cannot live with our subset clears FEATURES_OK (3.1.1 step 6). */
	if (!(vnet_status(v) & VIRTIO_STATUS_FEATURES_OK)) {
		log_err("%s: device refused features 0x%lx (offered 0x%lx)", v->bdf,
			(unsigned long)v->features, (unsigned long)offered);
		return -EIO;
	}
	return 0;
}

/* Programs queue q with vq's rings; *notify receives the queue's notify register. */
static int setup_queue(struct vnet *v, u16 q, struct virtq *vq, paddr_t ring_pa,
		       struct virtq_slot *slot, volatile u16 **notify)
{
	volatile u8 *c = v->caps.common.va;
	u16 max;
	u64 at;
	int ret;

	REG(u16, c, VIRTIO_PCI_COMMON_Q_SELECT) = q;
	max = REG(u16, c, VIRTIO_PCI_COMMON_Q_SIZE);
	if (max < VNET_QSIZE) {
		log_err("%s: queue %u holds %u entries, need %u", v->bdf, q, max, VNET_QSIZE);
		return -ENODEV;
	}
	/* cap.offset + queue_notify_off * notify_off_multiplier (4.1.4.4). */
	at = (u64)REG(u16, c, VIRTIO_PCI_COMMON_Q_NOFF) * v->caps.notify_mult;
	if (at + sizeof(u16) > v->caps.notify.len || (at & 1)) {
		log_err("%s: queue %u notify offset 0x%lx outside its window", v->bdf, q,
			(unsigned long)at);
		return -ENODEV;
	}
	ret = virtq_init(vq, VNET_QSIZE, phys_to_virt(ring_pa), ring_pa, slot);
	if (ret)
		return ret;
	virtq_set_no_interrupt(vq, true);

	REG(u16, c, VIRTIO_PCI_COMMON_Q_SIZE) = VNET_QSIZE;
	REG(u16, c, VIRTIO_PCI_COMMON_Q_MSIX) = VIRTIO_MSI_NO_VECTOR;
	wr64(c, VIRTIO_PCI_COMMON_Q_DESCLO, vq->desc_dma);
	wr64(c, VIRTIO_PCI_COMMON_Q_AVAILLO, vq->avail_dma);
	wr64(c, VIRTIO_PCI_COMMON_Q_USEDLO, vq->used_dma);
	REG(u16, c, VIRTIO_PCI_COMMON_Q_ENABLE) = 1;
	*notify = (volatile u16 *)(v->caps.notify.va + at);
	return 0;
}

static bool mac_is_unicast(const u8 mac[6])
{
	static const u8 zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

/*
 * The MAC: the override; else the device's, read under config_generation
 * so a concurrent update cannot tear it; else a random one (5.1.5), from
 * the TSC (differs between two machines booting alike) mixed with the BDF
 * (differs between two NICs of one machine), locally administered.
 */
static void choose_mac(struct vnet *v, const u8 *override)
{
	volatile u8 *c = v->caps.common.va;
	u64 x;

	if (override) {
		/*
		 * The device is not told: that takes CTRL_MAC_ADDR on a control
		 * queue. QEMU delivers every frame anyway (promiscuous until a
		 * driver turns it off through CTRL_RX, which we never negotiate).
		 */
		memcpy(v->nd.mac, override, 6);
		return;
	}
	for (unsigned t = 0; (v->features & VIRTIO_NET_F_MAC) && t < VNET_CFG_READ_TRIES; t++) {
		u8 gen = REG(u8, c, VIRTIO_PCI_COMMON_CFGGENERATION);

		for (unsigned i = 0; i < 6; i++)
			v->nd.mac[i] = REG(u8, v->caps.device.va, VIRTIO_NET_CFG_MAC + i);
		if (REG(u8, c, VIRTIO_PCI_COMMON_CFGGENERATION) == gen && mac_is_unicast(v->nd.mac))
			return;
	}
	x = time_ns() ^ ((u64)v->pci->bus << 48 | (u64)v->pci->dev << 40 | (u64)v->pci->fn << 32);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL; /* splitmix64's finalizer */
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	for (unsigned i = 0; i < 6; i++)
		v->nd.mac[i] = (u8)(x >> (8 * i));
	v->nd.mac[0] = (v->nd.mac[0] & ~1u) | 2u; /* unicast, locally administered */
	log_warn("%s: no usable device MAC; using a random local one", v->bdf);
}

/* Hands RX buffer i to the device (published by the caller). */
static int rx_post(struct vnet *v, u16 i)
{
	struct virtq_seg s = {
		.addr = v->rx_buf_pa + (u64)i * VNET_BUF_STRIDE,
		.len = VNET_RX_BUF_LEN,
		.device_writes = true,
	};
	int ret = virtq_add(&v->rxq, &s, 1, i);

	return ret < 0 ? ret : 0;
}

/*
 * 3.1.1 from reset to DRIVER_OK. On failure the device has FAILED set
 * (once it got past the reset) and the caller turns its DMA off.
 */
static int vnet_start(struct vnet *v, const u8 *mac_override)
{
	volatile u8 *c = v->caps.common.va;
	u16 nq;
	int ret;

	ret = vnet_reset(v);
	if (ret)
		return ret;
	vnet_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE);
	vnet_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	ret = negotiate(v);
	if (ret)
		goto err_failed;

	nq = REG(u16, c, VIRTIO_PCI_COMMON_NUMQ);
	if (nq < 2) {
		log_err("%s: %u queues, need RX and TX", v->bdf, nq);
		ret = -ENODEV;
		goto err_failed;
	}
	REG(u16, c, VIRTIO_PCI_COMMON_MSIX) = VIRTIO_MSI_NO_VECTOR;
	ret = setup_queue(v, VIRTIO_NET_Q_RX, &v->rxq, v->rx_ring_pa, v->rx_slot, &v->notify_rx);
	if (!ret)
		ret = setup_queue(v, VIRTIO_NET_Q_TX, &v->txq, v->tx_ring_pa, v->tx_slot,
				  &v->notify_tx);
	if (ret)
		goto err_failed;
	v->rx_seen = v->rxq.stats;
	v->tx_seen = v->txq.stats;

	choose_mac(v, mac_override);
	for (u16 i = 0; i < VNET_QSIZE; i++) {
		ret = rx_post(v, i);
		ASSERT(ret == 0); /* a fresh queue has a descriptor per buffer */
	}
	for (v->tx_nfree = 0; v->tx_nfree < VNET_QSIZE; v->tx_nfree++)
		v->tx_free[v->tx_nfree] = (u16)v->tx_nfree;
	/* Published now, notified only after DRIVER_OK (3.1.1). */
	(void)virtq_publish(&v->rxq);

	vnet_set_status(v, vnet_status(v) | VIRTIO_STATUS_DRIVER_OK);
	if (vnet_status(v) & (VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {
		log_err("%s: device failed at DRIVER_OK (status 0x%x)", v->bdf, vnet_status(v));
		ret = -EIO;
		goto err_failed;
	}
	*v->notify_rx = VIRTIO_NET_Q_RX;
	v->next_status_check_ns = time_ns() + VNET_STATUS_CHECK_NS;
	return 0;

err_failed:
	vnet_set_status(v, vnet_status(v) | VIRTIO_STATUS_FAILED);
	return ret;
}

/* --- Running ----------------------------------------------------------------------- */

/* Stops the device for good: it broke the ring contract or wants a reset. */
static void vnet_fail(struct vnet *v, const char *why)
{
	if (v->failed)
		return;
	v->failed = true;
	vnet_set_status(v, vnet_status(v) | VIRTIO_STATUS_FAILED);
	log_err("%s: %s; device stopped", v->bdf, why);
}

static u64 vq_dropped(const struct virtq_stats *s)
{
	return s->bad_id + s->not_in_flight + s->idx_jumps;
}

/* Folds the used entries virtq.c dropped since the last call into rx/tx_errors. */
static void vnet_account(struct vnet *v)
{
	v->nd.stats.rx_errors += vq_dropped(&v->rxq.stats) - vq_dropped(&v->rx_seen);
	v->nd.stats.tx_errors += vq_dropped(&v->txq.stats) - vq_dropped(&v->tx_seen);
	v->rx_seen = v->rxq.stats;
	v->tx_seen = v->txq.stats;
}

/*
 * Takes back the TX buffers the device is done with. The device only reads
 * a TX chain, so its used len should be 0; a nonzero one is counted in
 * txq.stats.bad_len and is harmless: the buffer is ours again either way.
 */
static void vnet_reap_tx(struct vnet *v)
{
	struct virtq_used_buf u;
	int r;

	while ((r = virtq_get_used(&v->txq, &u)) == 1) {
		/* virtq returns each token we added once, so the stack cannot overflow. */
		ASSERT(u.token < VNET_QSIZE && v->tx_nfree < VNET_QSIZE);
		v->tx_free[v->tx_nfree++] = (u16)u.token;
	}
	if (r < 0)
		vnet_fail(v, "TX used index jumped");
}

/* DEVICE_NEEDS_RESET, a reset behind our back, or removal (reads all ones). */
static void vnet_check_status(struct vnet *v)
{
	u64 now = time_ns();
	u8 s;

	if (now < v->next_status_check_ns)
		return;
	v->next_status_check_ns = now + VNET_STATUS_CHECK_NS;
	s = vnet_status(v);
	if (!(s & VIRTIO_STATUS_DRIVER_OK) ||
	    (s & (VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED)))
		vnet_fail(v, "device status lost DRIVER_OK or needs a reset");
}

static int vnet_send(struct netdev *nd, const void *frame, size_t len)
{
	struct vnet *v = nd->priv;
	struct virtq_seg s;
	u8 *buf;
	u16 i;

	if (!frame || len < NETDEV_MIN_FRAME || len > NETDEV_MAX_FRAME) {
		nd->stats.tx_errors++;
		return -EINVAL;
	}
	if (v->failed) {
		nd->stats.tx_errors++;
		return -EIO;
	}
	vnet_reap_tx(v);
	if (v->tx_nfree == 0) {
		nd->stats.tx_dropped++;
		return -EBUSY;
	}
	i = v->tx_free[--v->tx_nfree];
	buf = v->tx_buf + (size_t)i * VNET_BUF_STRIDE;
	memset(buf, 0, VNET_HDR_LEN); /* no offloads: flags 0, GSO_NONE */
	memcpy(buf + VNET_HDR_LEN, frame, len);
	s = (struct virtq_seg){ .addr = v->tx_buf_pa + (u64)i * VNET_BUF_STRIDE,
				.len = (u32)(VNET_HDR_LEN + len) };
	/*
	 * One descriptor per buffer and as many buffers as descriptors: with a
	 * buffer in hand a descriptor is free, so this fails only when broken.
	 */
	if (virtq_add(&v->txq, &s, 1, i) < 0) {
		v->tx_free[v->tx_nfree++] = i;
		nd->stats.tx_errors++;
		vnet_fail(v, "TX queue broken");
		return -EIO;
	}
	/* publish fenced the ring; the uncached notify store is not reordered before it. */
	if (virtq_publish(&v->txq))
		*v->notify_tx = VIRTIO_NET_Q_TX;
	nd->stats.tx_packets++;
	nd->stats.tx_bytes += len;
	vnet_account(v);
	return 0;
}

/* Checks one received buffer and hands its frame up; true when it did. */
static bool rx_deliver(struct vnet *v, const struct virtq_used_buf *u, netdev_rx_fn rx,
		       void *ctx)
{
	const u8 *buf = v->rx_buf + (size_t)u->token * VNET_BUF_STRIDE;
	const struct virtio_net_hdr *h = (const void *)buf;
	size_t len;

	if (u->bad_len || u->len < VNET_HDR_LEN + NETDEV_MIN_FRAME ||
	    u->len - VNET_HDR_LEN > NETDEV_MAX_FRAME) {
		v->nd.stats.rx_bad_length++;
		return false;
	}
	/*
	 * We negotiated neither GSO nor checksum offload, so a header asking for
	 * either comes from a broken device and the frame is unusable as is.
	 */
	if (READ_ONCE(h->gso_type) != VIRTIO_NET_HDR_GSO_NONE ||
	    (READ_ONCE(h->flags) & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		v->nd.stats.rx_errors++;
		return false;
	}
	if (!rx) {
		v->nd.stats.rx_dropped++;
		return false;
	}
	len = u->len - VNET_HDR_LEN;
	rx(ctx, buf + VNET_HDR_LEN, len);
	v->nd.stats.rx_packets++;
	v->nd.stats.rx_bytes += len;
	return true;
}

static int vnet_poll(struct netdev *nd, netdev_rx_fn rx, void *ctx, int budget)
{
	struct vnet *v = nd->priv;
	struct virtq_used_buf u;
	int delivered = 0;

	if (v->failed || budget <= 0)
		return 0;
	vnet_check_status(v);
	vnet_reap_tx(v);
	/* The budget counts buffers looked at, good or bad: junk cannot hog the loop. */
	for (int seen = 0; seen < budget && !v->failed; seen++) {
		int r = virtq_get_used(&v->rxq, &u);

		if (r == 0)
			break;
		if (r < 0) {
			vnet_fail(v, "RX used index jumped");
			break;
		}
		ASSERT(u.token < VNET_QSIZE); /* ours, and virtq returns it once */
		if (rx_deliver(v, &u, rx, ctx))
			delivered++;
		/* Straight back to the device: its descriptor was just freed. */
		if (rx_post(v, (u16)u.token))
			vnet_fail(v, "RX refill failed");
	}
	vnet_account(v);
	if (!v->failed && virtq_publish(&v->rxq))
		*v->notify_rx = VIRTIO_NET_Q_RX;
	return delivered;
}

static bool vnet_link_up(struct netdev *nd)
{
	struct vnet *v = nd->priv;
	bool up = !v->failed;

	/* Without STATUS the link is taken as up (5.1.4). */
	if (up && (v->features & VIRTIO_NET_F_STATUS))
		up = REG(u16, v->caps.device.va, VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
	if (up != v->link_was_up)
		log_info("%s: link %s", v->bdf, up ? "up" : "down");
	v->link_was_up = up;
	return up;
}

static const struct netdev_ops vnet_ops = {
	.send = vnet_send,
	.poll = vnet_poll,
	.link_up = vnet_link_up,
};

/* --- Probe -------------------------------------------------------------------------- */

/* One zeroed block per device: state, RX ring, TX ring, RX buffers, TX buffers. */
static int vnet_alloc(struct pci_dev *d, struct vnet **out)
{
	struct virtq_layout l;
	size_t st, ring, bufs;
	paddr_t pa;
	struct vnet *v;
	int ret;

	ret = virtq_layout(VNET_QSIZE, VIRTQ_USED_ALIGN, &l);
	if (ret)
		return ret;
	st = ALIGN_UP(sizeof(struct vnet), PAGE_SIZE) / PAGE_SIZE;
	ring = ALIGN_UP(l.bytes, PAGE_SIZE) / PAGE_SIZE;
	bufs = (size_t)VNET_QSIZE * VNET_BUF_STRIDE / PAGE_SIZE;
	ret = page_alloc(st + 2 * ring + 2 * bufs, 1, &pa);
	if (ret)
		return ret;
	v = phys_to_virt(pa);
	v->pa = pa;
	v->npages = st + 2 * ring + 2 * bufs;
	v->pci = d;
	v->rx_ring_pa = pa + st * PAGE_SIZE;
	v->tx_ring_pa = v->rx_ring_pa + ring * PAGE_SIZE;
	v->rx_buf_pa = v->tx_ring_pa + ring * PAGE_SIZE;
	v->tx_buf_pa = v->rx_buf_pa + bufs * PAGE_SIZE;
	v->rx_buf = phys_to_virt(v->rx_buf_pa);
	v->tx_buf = phys_to_virt(v->tx_buf_pa);
	*out = v;
	return 0;
}

/* Memory decode and bus mastering on, INTx off (we poll); or decode and mastering off. */
static void pci_enable(const struct pci_dev *d, bool on)
{
	u32 cmd = FIELD_GET(PCI_CMD_DW_COMMAND, pci_cfg_read32(d, PCI_COMMAND));

	if (on)
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;
	else
		cmd &= ~(u32)(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_cfg_write32(d, PCI_COMMAND, cmd);
}

int virtio_net_probe(struct pci_dev *d, const u8 *mac_override, struct netdev **out)
{
	struct vnet_caps caps;
	struct vnet *v;
	char bdf[16];
	int ret;

	if (!d || !out)
		return -EINVAL;
	*out = NULL;
	ksnprintf(bdf, sizeof(bdf), "%02x:%02x.%x", d->bus, d->dev, d->fn);
	/* drivers/nic.c claims first; an unclaimed device may be a guest's. */
	if (d->owner != PCI_OWNER_HV || strcmp(d->who, VNET_NAME) != 0) {
		log_err("%s: not claimed for %s", bdf, VNET_NAME);
		return -EBUSY;
	}
	if (mac_override && !mac_is_unicast(mac_override)) {
		log_err("%s: MAC override is multicast or zero", bdf);
		return -EINVAL;
	}
	if (!virtio_net_match(d) || find_caps(d, &caps)) {
		log_err("%s: %04x:%04x lacks the virtio 1.x capabilities", bdf, d->vendor,
			d->device);
		return -ENODEV;
	}
	ret = vnet_alloc(d, &v);
	if (ret)
		return ret;
	memcpy(v->bdf, bdf, sizeof(bdf));
	v->caps = caps;
	ret = map_windows(v);
	if (ret)
		goto err_free;
	pci_enable(d, true);
	ret = vnet_start(v, mac_override);
	if (ret)
		goto err_disable;

	memcpy(v->nd.name, VNET_NAME, sizeof(VNET_NAME));
	v->nd.ops = &vnet_ops;
	v->nd.priv = v;
	log_info("%s: MAC %02x:%02x:%02x:%02x:%02x:%02x%s, features 0x%lx, queues %u+%u",
		 bdf, v->nd.mac[0], v->nd.mac[1], v->nd.mac[2], v->nd.mac[3], v->nd.mac[4],
		 v->nd.mac[5], mac_override ? " (override)" : "", (unsigned long)v->features,
		 VNET_QSIZE, VNET_QSIZE);
	(void)vnet_link_up(&v->nd);
	*out = &v->nd;
	return 0;

err_disable:
	/* Mastering off before the pages go back: a device that ignored the reset cannot DMA. */
	pci_enable(d, false);
err_free:
	page_free(v->pa, v->npages);
	return ret;
}
