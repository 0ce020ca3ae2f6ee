// SPDX-License-Identifier: GPL-2.0-only
/*
 * Split virtqueues, the pure part: ring layout and the driver side of one
 * queue (see drivers/virtq.h for the contract and the hostile-device rules).
 *
 * Context: any; no MMIO, logging, globals or allocation, so the same object
 * runs in the kernel and under ASan in tests/unit/test_virtq.c. The caller
 * serializes use of one queue.
 *
 * Ordering: the ring lives in ordinary write-back memory the device reads
 * and writes by DMA (or, for a device model, another CPU). Stores that
 * publish and loads that consume go through __atomic builtins so the
 * compiler keeps their order; on x86 release/acquire need no fence
 * instruction, and the one store-then-load ordering (publish idx, then read
 * the device's NO_NOTIFY flag) takes a full fence.
 */
#include "drivers/virtq.h"
#include "kernel/errno.h"
#include "kernel/klib.h"

bool virtq_size_is_valid(u32 size)
{
	return size >= 1 && size <= VIRTQ_MAX_SIZE && (size & (size - 1)) == 0;
}

int virtq_layout(u32 size, size_t used_align, struct virtq_layout *l)
{
	if (!l || !virtq_size_is_valid(size))
		return -EINVAL;
	if (used_align < VIRTQ_USED_ALIGN || (used_align & (used_align - 1)))
		return -EINVAL;
	l->desc_off = 0;
	l->avail_off = virtq_desc_bytes(size); /* a multiple of 16, so 2-aligned */
	l->used_off = ALIGN_UP(l->avail_off + virtq_avail_bytes(size), used_align);
	l->bytes = l->used_off + virtq_used_bytes(size);
	return 0;
}

int virtq_init(struct virtq *vq, u32 size, void *ring, u64 ring_dma, struct virtq_slot *slot)
{
	struct virtq_layout l;
	u8 *base = ring;

	if (!vq || !ring || !slot || virtq_layout(size, VIRTQ_USED_ALIGN, &l))
		return -EINVAL;
	if (!IS_ALIGNED((uintptr_t)ring, VIRTQ_DESC_ALIGN) ||
	    !IS_ALIGNED(ring_dma, VIRTQ_DESC_ALIGN))
		return -EINVAL;

	memset(ring, 0, l.bytes);
	memset(vq, 0, sizeof(*vq));
	vq->size = size;
	vq->desc = (struct virtq_desc *)(base + l.desc_off);
	vq->avail = (struct virtq_avail *)(base + l.avail_off);
	vq->used = (struct virtq_used *)(base + l.used_off);
	vq->desc_dma = ring_dma + l.desc_off;
	vq->avail_dma = ring_dma + l.avail_off;
	vq->used_dma = ring_dma + l.used_off;
	vq->slot = slot;

	/* Free list in index order; the last link is never followed (num_free bounds it). */
	for (u32 i = 0; i < size; i++)
		slot[i] = (struct virtq_slot){ .next = (u16)((i + 1) & (size - 1)) };
	vq->free_head = 0;
	vq->num_free = size;
	return 0;
}

void virtq_set_no_interrupt(struct virtq *vq, bool no_interrupt)
{
	u16 flags = no_interrupt ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0;

	__atomic_store_n(&vq->avail->flags, flags, __ATOMIC_RELAXED);
}

/* Checks a chain before anything is touched; returns its writable bytes or < 0. */
static s64 chain_wcap(const struct virtq_seg *seg, unsigned n)
{
	bool seen_write = false;
	u64 wcap = 0;

	if (!seg || n == 0)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (seg[i].len == 0)
			return -EINVAL;
		if (seg[i].device_writes) {
			seen_write = true;
			wcap += seg[i].len;
		} else if (seen_write) {
			/* 2.7.4.2: readable descriptors precede writable ones. */
			return -EINVAL;
		}
	}
	/* Used len is a u32: a chain the device could overflow it with is refused. */
	if (wcap > 0xffffffffULL)
		return -EINVAL;
	return (s64)wcap;
}

int virtq_add(struct virtq *vq, const struct virtq_seg *seg, unsigned n, u64 token)
{
	u32 mask = vq->size - 1;
	s64 wcap;
	u16 head, idx;

	if (vq->broken)
		return -EIO;
	wcap = chain_wcap(seg, n);
	if (wcap < 0)
		return (int)wcap;
	if (n > vq->num_free)
		return -ENOSPC;

	head = idx = vq->free_head;
	for (unsigned i = 0; i < n; i++) {
		struct virtq_desc *d = &vq->desc[idx];
		u16 flags = seg[i].device_writes ? VIRTQ_DESC_F_WRITE : 0;
		u16 next = vq->slot[idx].next;

		if (i + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		/* Shared memory: written field by field, never read back. */
		d->addr = seg[i].addr;
		d->len = seg[i].len;
		d->flags = flags;
		d->next = i + 1 < n ? next : 0;
		idx = next;
	}
	/*
	 * The private links already run head -> ... -> tail in chain order (they
	 * were the free list); idx is now the first descriptor left free.
	 */
	vq->free_head = idx;
	vq->num_free -= n;
	vq->slot[head].token = token;
	vq->slot[head].wcap = (u32)wcap;
	vq->slot[head].ndesc = (u16)n;

	vq->avail->ring[vq->avail_idx & mask] = head;
	vq->avail_idx++;
	vq->stats.added++;
	return head;
}

bool virtq_publish(struct virtq *vq)
{
	u16 flags;

	if (vq->avail_idx == vq->avail_published)
		return false;
	/* Descriptors and ring slots are visible before the index that covers them. */
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	vq->avail_published = vq->avail_idx;
	/*
	 * Store idx, then load flags: the one order x86 does not keep by itself.
	 * Without the fence we could read a stale NO_NOTIFY, skip the kick, and
	 * the device, having re-enabled notifications just before looking at an
	 * idx it saw as old, would sleep on a non-empty queue.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = __atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED);
	return !(flags & VIRTQ_USED_F_NO_NOTIFY);
}

/* Returns the chain at head to the free list. head is an in-flight head. */
static void free_chain(struct virtq *vq, u16 head)
{
	struct virtq_slot *s = &vq->slot[head];
	u16 tail = head;

	/* Follows private links only: the device cannot lengthen or loop this walk. */
	for (u16 i = 1; i < s->ndesc; i++)
		tail = vq->slot[tail].next;
	vq->slot[tail].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += s->ndesc;
	s->ndesc = 0;
	s->wcap = 0;
}

int virtq_get_used(struct virtq *vq, struct virtq_used_buf *out)
{
	u32 mask = vq->size - 1;
	u16 used_idx;

	if (vq->broken)
		return -EIO;
	/* Acquire: the entries below are read after the index that covers them. */
	used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	if ((u16)(used_idx - vq->last_used) > vq->size) {
		/*
		 * More completions than the ring holds: the index is garbage, so
		 * is every entry it would cover. Stop before reading any of them.
		 */
		vq->stats.idx_jumps++;
		vq->broken = true;
		return -EIO;
	}

	while (vq->last_used != used_idx) {
		const struct virtq_used_elem *e = &vq->used->ring[vq->last_used & mask];
		/* Read once: the device may rewrite the entry while we look at it. */
		u32 id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
		u32 len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
		struct virtq_slot *s;

		vq->last_used++;
		if (id >= vq->size) {
			vq->stats.bad_id++;
			continue;
		}
		s = &vq->slot[id];
		if (s->ndesc == 0) {
			vq->stats.not_in_flight++;
			continue;
		}
		out->token = s->token;
		out->id = (u16)id;
		out->bad_len = len > s->wcap;
		out->len = out->bad_len ? 0 : len;
		if (out->bad_len)
			vq->stats.bad_len++;
		else
			vq->stats.completed++;
		free_chain(vq, (u16)id);
		return 1;
	}
	return 0;
}
