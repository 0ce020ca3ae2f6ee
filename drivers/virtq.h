/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Split virtqueues (virtio 1.2 section 2.7), the pure part.
 *
 * Two things live here:
 *  - ring layout: where the descriptor table, available and used rings sit
 *    in one contiguous block for a queue size, usable by either side (the
 *    NIC driver now, the hypervisor's virtio-blk device model later);
 *  - the driver side of one queue: hand buffer chains to the device,
 *    publish them, and harvest completions.
 *
 * The ring memory is caller-given and shared with the device; the
 * bookkeeping (which heads are in flight, chain links, the free list) lives
 * in a caller-given private array the device cannot reach. The device is
 * treated as hostile: everything it writes (used ring entries, used idx,
 * used flags) is read once, validated against the private state and never
 * used as an index or length before that. The descriptor table is only ever
 * written here, never read back, so a device scribbling on it changes
 * nothing we do.
 *
 * No MMIO, no logging, no globals, no allocation: this builds unchanged for
 * tests/unit/test_virtq.c. Notifying the device (an MMIO write) is the
 * caller's job when virtq_publish() says so.
 *
 * Context: one queue is used by one CPU at a time (the caller serializes);
 * nothing here blocks.
 */
#ifndef LONGBUS_DRIVERS_VIRTQ_H
#define LONGBUS_DRIVERS_VIRTQ_H

#include "drivers/virtio_regs.h"
#include "kernel/compiler.h"

/* --- Layout ------------------------------------------------------------- */

/* Offsets of the three parts inside one block, and the block's size. */
struct virtq_layout {
	size_t desc_off;
	size_t avail_off;
	size_t used_off;
	size_t bytes;
};

/* A valid split-queue size: a power of two, 1..VIRTQ_MAX_SIZE. */
bool virtq_size_is_valid(u32 size);

/*
 * Lays out a queue of `size` entries: descriptor table at 0, the available
 * ring right after it, the used ring at the next multiple of used_align
 * (VIRTQ_USED_ALIGN for virtio 1.x, VIRTQ_LEGACY_USED_ALIGN for the legacy
 * interface). The block itself must be VIRTQ_DESC_ALIGN aligned.
 *
 * Returns 0; -EINVAL for an invalid size, or a used_align that is not a
 * power of two of at least VIRTQ_USED_ALIGN.
 */
int virtq_layout(u32 size, size_t used_align, struct virtq_layout *l) __must_check;

/* --- Driver side ---------------------------------------------------------- */

/* Private per-descriptor state, one per queue entry; the device never sees it. */
struct virtq_slot {
	u64 token; /* head only: the caller's cookie for the chain */
	u32 wcap;  /* head only: device-writable bytes in the chain */
	u16 next;  /* chain link while in flight, free-list link while free */
	u16 ndesc; /* head only: descriptors in the chain; 0 = not an in-flight head */
};

/*
 * Counters of what the device did. completed and bad_len count harvested
 * chains; the other three count used entries dropped without touching any
 * buffer. They only ever increase (until virtq_init).
 */
struct virtq_stats {
	u64 added;	   /* chains handed to the device */
	u64 completed;	   /* chains returned with a plausible length */
	u64 bad_len;	   /* chains returned with len > their writable bytes */
	u64 bad_id;	   /* used entries whose id is >= the queue size */
	u64 not_in_flight; /* used entries naming a descriptor that is not an
			      in-flight head: a duplicate completion, a chain's
			      middle, a never-used slot */
	u64 idx_jumps;	   /* used idx moved more than the queue size: the
			      queue is broken from then on */
};

struct virtq {
	u32 size; /* entries, a power of two */
	/* The shared ring, inside the caller's block. */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	/* Device (bus) addresses of the three parts, to program the device. */
	u64 desc_dma, avail_dma, used_dma;

	struct virtq_slot *slot; /* caller's array of `size` entries */
	u16 free_head;		 /* first free descriptor, valid when num_free > 0 */
	u32 num_free;		 /* free descriptors */
	u16 avail_idx;		 /* next avail->idx to publish (free-running) */
	u16 avail_published;	 /* the value last stored in avail->idx */
	u16 last_used;		 /* the used idx up to which we have harvested */
	bool broken;		 /* the device broke the used-idx contract */
	struct virtq_stats stats;
};

/* One segment of a buffer chain, in the device's address space. */
struct virtq_seg {
	u64 addr;
	u32 len;
	bool device_writes; /* VIRTQ_DESC_F_WRITE: the device fills it */
};

/* A harvested chain. */
struct virtq_used_buf {
	u64 token; /* as given to virtq_add() */
	u32 len;   /* bytes the device wrote; 0 when bad_len */
	u16 id;	   /* the chain's head descriptor */
	/*
	 * The device claimed to write more than the chain's writable bytes: the
	 * chain is returned (its buffers are ours again) but its contents must
	 * not be trusted. Counted in stats.bad_len.
	 */
	bool bad_len;
};

/*
 * Starts a queue of `size` entries in `ring` (virtq_layout(size,
 * VIRTQ_USED_ALIGN) bytes, VIRTQ_DESC_ALIGN aligned) whose device address
 * is ring_dma, with private state in slot[size]. Zeroes the ring: empty,
 * every descriptor free, indexes 0. Also how a queue is reset after the
 * device was reset.
 *
 * Returns 0; -EINVAL for an invalid size, a NULL pointer or a misaligned
 * ring or ring_dma.
 */
int virtq_init(struct virtq *vq, u32 size, void *ring, u64 ring_dma,
	       struct virtq_slot *slot) __must_check;

/*
 * Sets or clears VIRTQ_AVAIL_F_NO_INTERRUPT: a polled driver asks the
 * device not to interrupt it. Only a hint to the device.
 */
void virtq_set_no_interrupt(struct virtq *vq, bool no_interrupt);

/*
 * Queues one buffer chain of n segments (device-readable ones first, as the
 * spec requires) for the device, identified by token. Not visible to the
 * device until virtq_publish().
 *
 * Returns the chain's head descriptor index (>= 0); -ENOSPC when fewer
 * than n descriptors are free; -EINVAL for n == 0, a zero-length segment,
 * a readable segment after a writable one, or writable bytes overflowing
 * u32; -EIO when the queue is broken.
 */
int virtq_add(struct virtq *vq, const struct virtq_seg *seg, unsigned n,
	      u64 token) __must_check;

/*
 * Makes every chain added since the last call visible to the device
 * (release ordering: descriptors and ring slots before the index).
 *
 * Returns true when the device should be notified: something new was
 * published and the device did not set VIRTQ_USED_F_NO_NOTIFY (read after
 * a full barrier, so a device that clears the flag and then looks at idx
 * cannot miss us). The caller then writes the queue's notify register.
 */
bool virtq_publish(struct virtq *vq);

/*
 * Harvests the next completion. Used entries that name no in-flight chain
 * are counted (bad_id, not_in_flight) and skipped; a used idx more than the
 * queue size ahead of what we harvested is counted once (idx_jumps) and
 * breaks the queue: no entry of that window is trusted, and the device must
 * be reset (and the queue re-initialized) before it works again.
 *
 * Returns 1 with *out filled; 0 when nothing (valid) is pending; -EIO when
 * the queue is broken.
 */
int virtq_get_used(struct virtq *vq, struct virtq_used_buf *out) __must_check;

/* Free descriptors. */
static inline u32 virtq_num_free(const struct virtq *vq)
{
	return vq->num_free;
}

static inline bool virtq_is_broken(const struct virtq *vq)
{
	return vq->broken;
}

#endif
