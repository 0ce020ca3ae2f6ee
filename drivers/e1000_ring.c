// SPDX-License-Identifier: GPL-2.0-only
/*
 * Legacy RX/TX descriptor rings of the e1000 family: the pure half of the
 * driver (interface and ownership rules in drivers/e1000_ring.h).
 *
 * Context: pure C, no MMIO, no logging, no global state, so the same code
 * runs in the core (drivers/e1000.c supplies the direct map and the
 * registers) and on the host (tests/unit/test_e1000_ring.c supplies a
 * hostile fake ring). Single caller per ring.
 *
 * Ordering: the device writes a descriptor's status last (DD), so status is
 * read once, through READ_ONCE, and an acquire fence keeps the length,
 * errors and buffer reads after it. Before the caller's tail write hands
 * slots to the device, a release fence keeps our descriptor stores ahead of
 * it. On x86 both are compiler barriers only: stores to write-back memory
 * are not reordered with each other nor with the later uncached MMIO store.
 */
#include "drivers/e1000_ring.h"
#include "kernel/errno.h"
#include "kernel/klib.h"

static bool bufs_valid(const struct e1000_bufs *b)
{
	return b && b->addr && b->map && b->count >= E1000_RING_MIN &&
	       b->count <= E1000_RING_MAX && b->count % 8 == 0;
}

static u32 ring_next(u32 idx, u32 count)
{
	return idx + 1 == count ? 0 : idx + 1;
}

/* --- Receive ------------------------------------------------------------- */

/* Gives slot idx back to the device, with the address we chose, not whatever came back. */
static void rx_rearm(struct e1000_rx_ring *r, u32 idx)
{
	struct e1000_rx_desc *d = &r->desc[idx];

	d->addr = r->bufs.addr[idx];
	d->length = 0;
	d->csum = 0;
	d->errors = 0;
	d->special = 0;
	d->status = 0;
}

int e1000_rx_init(struct e1000_rx_ring *r, struct e1000_rx_desc *desc, u8 *bounce,
		  const struct e1000_bufs *bufs)
{
	if (!r || !desc || !bounce || !bufs_valid(bufs) || bufs->size < E1000_RX_BUF_MIN ||
	    bufs->size > E1000_RX_BUF_MAX)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->desc = desc;
	r->bounce = bounce;
	r->bufs = *bufs;
	for (u32 i = 0; i < bufs->count; i++)
		rx_rearm(r, i);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return 0;
}

bool e1000_rx_has_work(const struct e1000_rx_ring *r)
{
	return READ_ONCE(r->desc[r->next].status) & E1000_RXD_STAT_DD;
}

u32 e1000_rx_tail(const struct e1000_rx_ring *r)
{
	return r->next == 0 ? r->bufs.count - 1 : r->next - 1;
}

/* Marks the current frame bad: counted now, the rest dropped up to EOP. */
static void rx_discard(struct e1000_rx_ring *r, u64 *counter)
{
	(*counter)++;
	r->discard = true;
}

/*
 * Takes one descriptor (DD already seen) into the current frame. Returns a
 * pointer to the complete frame when this descriptor ends a good one, with
 * its length in r->frame_len; NULL otherwise.
 */
static const void *rx_take(struct e1000_rx_ring *r, u32 idx, u8 status,
			   struct netdev_stats *st)
{
	const struct e1000_rx_desc *d = &r->desc[idx];
	u32 len = READ_ONCE(d->length);
	u8 errors = READ_ONCE(d->errors);
	bool eop = status & E1000_RXD_STAT_EOP;
	const u8 *buf;

	r->frame_descs++;
	if (r->discard)
		return NULL;
	/*
	 * The device reports errors on a frame's last descriptor; a flag on an
	 * earlier one is not something hardware does, so it condemns the frame
	 * rather than being ignored.
	 */
	if (errors & E1000_RXD_ERR_FRAME) {
		rx_discard(r, &st->rx_errors);
		return NULL;
	}
	if (len == 0 || len > r->bufs.size || (!eop && len != r->bufs.size) ||
	    r->frame_len + len > NETDEV_MAX_FRAME ||
	    (eop && r->frame_len + len < NETDEV_MIN_FRAME)) {
		rx_discard(r, &st->rx_bad_length);
		return NULL;
	}
	buf = r->bufs.map(r->bufs.ctx, r->bufs.addr[idx], len);
	if (!buf) {
		rx_discard(r, &st->rx_errors);
		return NULL;
	}
	if (eop && r->frame_descs == 1) {
		/* The common case: one buffer, handed up without a copy. */
		r->frame_len = len;
		return buf;
	}
	memcpy(r->bounce + r->frame_len, buf, len);
	r->frame_len += len;
	return eop ? r->bounce : NULL;
}

int e1000_rx_poll(struct e1000_rx_ring *r, u32 hw_head, netdev_rx_fn rx, void *ctx,
		  int budget, struct netdev_stats *st)
{
	int done = 0;

	if (hw_head >= r->bufs.count) {
		st->rx_errors++;
		return -EIO;
	}
	/*
	 * Slots in [next, hw_head) are the ones the device has passed: at most
	 * count - 1 of them, so a ring of hostile DD bits still ends the walk.
	 */
	while (r->next != hw_head) {
		u32 idx = r->next;
		u8 status = READ_ONCE(r->desc[idx].status);
		const void *frame;

		if (!(status & E1000_RXD_STAT_DD))
			break;
		if (!r->in_frame) {
			if (done >= budget)
				break;
			r->in_frame = true;
			r->discard = false;
			r->frame_len = 0;
			r->frame_descs = 0;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		frame = rx_take(r, idx, status, st);
		if (frame) {
			rx(ctx, frame, r->frame_len);
			st->rx_packets++;
			st->rx_bytes += r->frame_len;
			done++;
		}
		if (status & E1000_RXD_STAT_EOP)
			r->in_frame = false;
		rx_rearm(r, idx);
		r->next = ring_next(idx, r->bufs.count);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return done;
}

/* --- Transmit ------------------------------------------------------------ */

int e1000_tx_init(struct e1000_tx_ring *r, struct e1000_tx_desc *desc,
		  const struct e1000_bufs *bufs)
{
	if (!r || !desc || !bufs_valid(bufs) || bufs->size < NETDEV_MAX_FRAME)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->desc = desc;
	r->bufs = *bufs;
	memset(desc, 0, (size_t)bufs->count * sizeof(*desc));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return 0;
}

u32 e1000_tx_tail(const struct e1000_tx_ring *r)
{
	return r->tail;
}

u32 e1000_tx_pending(const struct e1000_tx_ring *r)
{
	return r->tail >= r->clean ? r->tail - r->clean : r->bufs.count - r->clean + r->tail;
}

u32 e1000_tx_reclaim(struct e1000_tx_ring *r, struct netdev_stats *st)
{
	u32 freed = 0;

	/* Only slots we queued: a DD bit beyond tail is stale or hostile. */
	while (r->clean != r->tail) {
		u8 status = READ_ONCE(r->desc[r->clean].status);

		if (!(status & E1000_TXD_STAT_DD))
			break;
		if (status & E1000_TXD_STAT_ERR)
			st->tx_errors++;
		r->clean = ring_next(r->clean, r->bufs.count);
		freed++;
	}
	return freed;
}

int e1000_tx_send(struct e1000_tx_ring *r, const void *frame, size_t len,
		  struct netdev_stats *st)
{
	u32 idx = r->tail;
	struct e1000_tx_desc *d = &r->desc[idx];
	void *buf;

	if (len < NETDEV_MIN_FRAME || len > NETDEV_MAX_FRAME) {
		st->tx_errors++;
		return -EINVAL;
	}
	e1000_tx_reclaim(r, st);
	if (ring_next(idx, r->bufs.count) == r->clean) {
		st->tx_dropped++;
		return -EBUSY;
	}
	buf = r->bufs.map(r->bufs.ctx, r->bufs.addr[idx], len);
	if (!buf) {
		st->tx_errors++;
		return -EIO;
	}
	memcpy(buf, frame, len);
	d->addr = r->bufs.addr[idx];
	d->length = (u16)len;
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->tail = ring_next(idx, r->bufs.count);
	st->tx_packets++;
	st->tx_bytes += len;
	return 0;
}
