// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for drivers/virtq.c: ring layout, the driver side of a split
 * virtqueue, and above all its handling of a hostile device.
 *
 * Context: host, cmocka, ASan/UBSan:
 *   gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-sanitize-recover=all -I. tests/unit/test_virtq.c drivers/virtq.c -lcmocka
 *
 * The fake device works on the ring memory the way a device would: it
 * consumes the available ring from its own index and writes used entries
 * and the used idx, including ones no honest device would write. The ring
 * block and the private slot array are malloc'd at exactly their sizes, so
 * ASan reports any access past them; each test checks every counter.
 */
#include "drivers/virtq.h"
#include "kernel/errno.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define RING_DMA 0x10000000ULL /* where the fake device "sees" the ring */
#define BUF_DMA(i) (0x20000000ULL + (u64)(i) * 0x1000)

struct fixture {
	struct virtq vq;
	void *ring;
	struct virtq_slot *slot;
	u32 size;
	u16 dev_last_avail; /* the fake device's position in the avail ring */
	u16 dev_used_idx;   /* the used idx the fake device writes next */
};

static struct fixture *fx_new(u32 size)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct virtq_layout l;

	assert_non_null(f);
	assert_int_equal(virtq_layout(size, VIRTQ_USED_ALIGN, &l), 0);
	/* Exactly the ring's bytes: one past the end is an ASan report. */
	f->ring = malloc(l.bytes);
	f->slot = malloc(sizeof(*f->slot) * size);
	assert_non_null(f->ring);
	assert_non_null(f->slot);
	assert_true(((uintptr_t)f->ring & (VIRTQ_DESC_ALIGN - 1)) == 0);
	f->size = size;
	assert_int_equal(virtq_init(&f->vq, size, f->ring, RING_DMA, f->slot), 0);
	return f;
}

static void fx_free(struct fixture *f)
{
	free(f->ring);
	free(f->slot);
	free(f);
}

static int setup256(void **state)
{
	*state = fx_new(256);
	return 0;
}

static int setup8(void **state)
{
	*state = fx_new(8);
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* One device-writable buffer of len bytes, the shape of an RX buffer. */
static int add_rx(struct fixture *f, u32 i, u32 len)
{
	struct virtq_seg s = { .addr = BUF_DMA(i), .len = len, .device_writes = true };

	return virtq_add(&f->vq, &s, 1, 1000 + i);
}

/* Fake device: the next published head, or -1 when the avail ring is empty. */
static int dev_pop_avail(struct fixture *f)
{
	u16 idx = f->vq.avail->idx;

	if (f->dev_last_avail == idx)
		return -1;
	return f->vq.avail->ring[f->dev_last_avail++ & (f->size - 1)];
}

/* Fake device: writes a used entry (any values) and publishes it. */
static void dev_complete(struct fixture *f, u32 id, u32 len)
{
	struct virtq_used_elem *e = &f->vq.used->ring[f->dev_used_idx & (f->size - 1)];

	e->id = id;
	e->len = len;
	f->dev_used_idx++;
	f->vq.used->idx = f->dev_used_idx;
}

static void assert_stats(const struct virtq *vq, u64 added, u64 completed, u64 bad_len,
			 u64 bad_id, u64 not_in_flight, u64 idx_jumps)
{
	assert_int_equal(vq->stats.added, added);
	assert_int_equal(vq->stats.completed, completed);
	assert_int_equal(vq->stats.bad_len, bad_len);
	assert_int_equal(vq->stats.bad_id, bad_id);
	assert_int_equal(vq->stats.not_in_flight, not_in_flight);
	assert_int_equal(vq->stats.idx_jumps, idx_jumps);
}

/* ---- Layout -------------------------------------------------------------- */

static void test_layout_256_modern_and_legacy_offsets(void **state)
{
	struct virtq_layout l;

	(void)state;
	assert_int_equal(virtq_layout(256, VIRTQ_USED_ALIGN, &l), 0);
	assert_int_equal(l.desc_off, 0);
	assert_int_equal(l.avail_off, 4096);
	/* avail: 4 + 2*256 + 2 = 518 bytes, then 4-byte alignment. */
	assert_int_equal(l.used_off, 4096 + 520);
	assert_int_equal(l.bytes, 4096 + 520 + 4 + 8 * 256 + 2);

	assert_int_equal(virtq_layout(256, VIRTQ_LEGACY_USED_ALIGN, &l), 0);
	assert_int_equal(l.used_off, 8192);
	assert_int_equal(l.bytes, 8192 + 2054);

	assert_int_equal(virtq_used_event_off(256), 4 + 512);
	assert_int_equal(virtq_avail_event_off(256), 4 + 2048);
}

static void test_layout_rejects_bad_sizes_and_alignments(void **state)
{
	static const u32 bad_sizes[] = { 0, 3, 255, 257, 32769, 65536, 0x80000000u };
	struct virtq_layout l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		assert_false(virtq_size_is_valid(bad_sizes[i]));
		assert_int_equal(virtq_layout(bad_sizes[i], VIRTQ_USED_ALIGN, &l), -EINVAL);
	}
	assert_true(virtq_size_is_valid(1));
	assert_true(virtq_size_is_valid(32768));
	assert_int_equal(virtq_layout(256, 2, &l), -EINVAL);
	assert_int_equal(virtq_layout(256, 12, &l), -EINVAL);
	assert_int_equal(virtq_layout(256, VIRTQ_USED_ALIGN, NULL), -EINVAL);
}

static void test_init_rejects_null_bad_size_and_misalignment(void **state)
{
	struct fixture *f = *state;
	struct virtq vq;

	assert_int_equal(virtq_init(&vq, 255, f->ring, RING_DMA, f->slot), -EINVAL);
	assert_int_equal(virtq_init(&vq, 256, NULL, RING_DMA, f->slot), -EINVAL);
	assert_int_equal(virtq_init(&vq, 256, f->ring, RING_DMA, NULL), -EINVAL);
	assert_int_equal(virtq_init(NULL, 256, f->ring, RING_DMA, f->slot), -EINVAL);
	assert_int_equal(virtq_init(&vq, 256, (u8 *)f->ring + 8, RING_DMA, f->slot), -EINVAL);
	assert_int_equal(virtq_init(&vq, 256, f->ring, RING_DMA + 8, f->slot), -EINVAL);
}

static void test_init_gives_device_addresses_of_all_three_parts(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->vq.desc_dma, RING_DMA);
	assert_int_equal(f->vq.avail_dma, RING_DMA + 4096);
	assert_int_equal(f->vq.used_dma, RING_DMA + 4616);
	assert_int_equal(virtq_num_free(&f->vq), 256);
	assert_false(virtq_is_broken(&f->vq));
}

/* ---- Adding and publishing ---------------------------------------------- */

static void test_add_chain_writes_descriptors_and_publish_exposes_head(void **state)
{
	struct fixture *f = *state;
	const struct virtq_seg segs[3] = {
		{ .addr = 0x1000, .len = 16, .device_writes = false },
		{ .addr = 0x2000, .len = 512, .device_writes = true },
		{ .addr = 0x3000, .len = 1, .device_writes = true },
	};
	int head = virtq_add(&f->vq, segs, 3, 77);
	u16 d;

	assert_true(head >= 0);
	assert_int_equal(virtq_num_free(&f->vq), 253);
	/* Nothing visible before publish. */
	assert_int_equal(f->vq.avail->idx, 0);
	assert_int_equal(dev_pop_avail(f), -1);

	assert_true(virtq_publish(&f->vq));
	assert_int_equal(f->vq.avail->idx, 1);
	assert_int_equal(dev_pop_avail(f), head);

	/* Walk the chain as a device would. */
	d = (u16)head;
	assert_int_equal(f->vq.desc[d].addr, 0x1000);
	assert_int_equal(f->vq.desc[d].len, 16);
	assert_int_equal(f->vq.desc[d].flags, VIRTQ_DESC_F_NEXT);
	d = f->vq.desc[d].next;
	assert_int_equal(f->vq.desc[d].addr, 0x2000);
	assert_int_equal(f->vq.desc[d].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	d = f->vq.desc[d].next;
	assert_int_equal(f->vq.desc[d].addr, 0x3000);
	assert_int_equal(f->vq.desc[d].flags, VIRTQ_DESC_F_WRITE);

	/* Nothing new: no kick. */
	assert_false(virtq_publish(&f->vq));
	assert_stats(&f->vq, 1, 0, 0, 0, 0, 0);
}

static void test_publish_honours_device_no_notify(void **state)
{
	struct fixture *f = *state;

	f->vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	assert_true(add_rx(f, 0, 100) >= 0);
	assert_false(virtq_publish(&f->vq));
	assert_int_equal(f->vq.avail->idx, 1); /* published all the same */
	f->vq.used->flags = 0;
	assert_true(add_rx(f, 1, 100) >= 0);
	assert_true(virtq_publish(&f->vq));
}

static void test_set_no_interrupt_sets_and_clears_avail_flag(void **state)
{
	struct fixture *f = *state;

	virtq_set_no_interrupt(&f->vq, true);
	assert_int_equal(f->vq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtq_set_no_interrupt(&f->vq, false);
	assert_int_equal(f->vq.avail->flags, 0);
}

static void test_add_rejects_malformed_chains_without_side_effects(void **state)
{
	struct fixture *f = *state;
	const struct virtq_seg zero_len[1] = { { .addr = 0x1000, .len = 0 } };
	const struct virtq_seg write_then_read[2] = {
		{ .addr = 0x1000, .len = 8, .device_writes = true },
		{ .addr = 0x2000, .len = 8, .device_writes = false },
	};
	const struct virtq_seg huge[2] = {
		{ .addr = 0x1000, .len = 0x80000000u, .device_writes = true },
		{ .addr = 0x2000, .len = 0x80000000u, .device_writes = true },
	};

	assert_int_equal(virtq_add(&f->vq, zero_len, 1, 0), -EINVAL);
	assert_int_equal(virtq_add(&f->vq, write_then_read, 2, 0), -EINVAL);
	assert_int_equal(virtq_add(&f->vq, huge, 2, 0), -EINVAL);
	assert_int_equal(virtq_add(&f->vq, zero_len, 0, 0), -EINVAL);
	assert_int_equal(virtq_add(&f->vq, NULL, 1, 0), -EINVAL);
	assert_int_equal(virtq_num_free(&f->vq), 256);
	assert_false(virtq_publish(&f->vq));
	assert_stats(&f->vq, 0, 0, 0, 0, 0, 0);
}

static void test_add_to_full_queue_is_enospc_and_changes_nothing(void **state)
{
	struct fixture *f = *state; /* size 8 */
	struct virtq_seg two[2] = {
		{ .addr = 0x1000, .len = 8 },
		{ .addr = 0x2000, .len = 8, .device_writes = true },
	};

	for (u32 i = 0; i < 7; i++)
		assert_true(add_rx(f, i, 64) >= 0);
	assert_int_equal(virtq_add(&f->vq, two, 2, 0), -ENOSPC);
	assert_int_equal(virtq_num_free(&f->vq), 1);
	assert_true(add_rx(f, 7, 64) >= 0);
	assert_int_equal(add_rx(f, 8, 64), -ENOSPC);
	assert_int_equal(virtq_num_free(&f->vq), 0);
	assert_true(virtq_publish(&f->vq));
	assert_int_equal(f->vq.avail->idx, 8);
	assert_stats(&f->vq, 8, 0, 0, 0, 0, 0);
}

/* ---- Harvesting: honest device ------------------------------------------- */

static void test_completion_returns_token_len_and_frees_chain(void **state)
{
	struct fixture *f = *state;
	struct virtq_used_buf u;
	int head = add_rx(f, 5, 1538);

	assert_true(virtq_publish(&f->vq));
	assert_int_equal(virtq_get_used(&f->vq, &u), 0); /* nothing yet */
	assert_int_equal(dev_pop_avail(f), head);
	dev_complete(f, (u32)head, 60);
	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_int_equal(u.token, 1005);
	assert_int_equal(u.len, 60);
	assert_int_equal(u.id, head);
	assert_false(u.bad_len);
	assert_int_equal(virtq_num_free(&f->vq), 256);
	assert_int_equal(virtq_get_used(&f->vq, &u), 0);
	assert_stats(&f->vq, 1, 1, 0, 0, 0, 0);
}

static void test_out_of_order_completions_keep_free_list_consistent(void **state)
{
	struct fixture *f = *state; /* size 8 */
	const struct virtq_seg two[2] = {
		{ .addr = 0x1000, .len = 12 },
		{ .addr = 0x2000, .len = 100, .device_writes = true },
	};
	int heads[4];
	bool used[8] = { false };
	struct virtq_used_buf u;

	for (int i = 0; i < 4; i++)
		heads[i] = virtq_add(&f->vq, two, 2, (u64)i);
	assert_int_equal(virtq_num_free(&f->vq), 0);
	assert_true(virtq_publish(&f->vq));
	/* Complete 2, 0, 3, 1. */
	dev_complete(f, (u32)heads[2], 100);
	dev_complete(f, (u32)heads[0], 0);
	dev_complete(f, (u32)heads[3], 1);
	dev_complete(f, (u32)heads[1], 99);
	for (int i = 0, want[4] = { 2, 0, 3, 1 }; i < 4; i++) {
		assert_int_equal(virtq_get_used(&f->vq, &u), 1);
		assert_int_equal(u.token, want[i]);
	}
	assert_int_equal(virtq_num_free(&f->vq), 8);
	/* Refill: the eight descriptors handed out are eight distinct ones. */
	for (u32 i = 0; i < 8; i++) {
		int h = add_rx(f, i, 64);

		assert_true(h >= 0 && h < 8);
		assert_false(used[h]);
		used[h] = true;
	}
	assert_stats(&f->vq, 12, 4, 0, 0, 0, 0);
}

/* ---- Harvesting: hostile device ------------------------------------------ */

static void test_used_id_out_of_range_is_counted_and_skipped(void **state)
{
	struct fixture *f = *state;
	struct virtq_used_buf u;
	int head = add_rx(f, 0, 1538);

	assert_true(virtq_publish(&f->vq));
	dev_complete(f, 256, 10);	 /* one past the table */
	dev_complete(f, 0xffffffffu, 10); /* far past, and negative as an int */
	dev_complete(f, 0x10000u + (u32)head, 10); /* aliases head if truncated to u16 */
	dev_complete(f, (u32)head, 42);
	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_int_equal(u.token, 1000);
	assert_int_equal(u.len, 42);
	assert_int_equal(virtq_get_used(&f->vq, &u), 0);
	assert_stats(&f->vq, 1, 1, 0, 3, 0, 0);
	assert_int_equal(f->vq.last_used, 4);
}

static void test_duplicate_completion_is_counted_once_and_dropped(void **state)
{
	struct fixture *f = *state;
	struct virtq_used_buf u;
	int head = add_rx(f, 3, 1538);

	assert_true(virtq_publish(&f->vq));
	dev_complete(f, (u32)head, 64);
	dev_complete(f, (u32)head, 64);
	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_int_equal(u.token, 1003);
	assert_int_equal(virtq_get_used(&f->vq, &u), 0);
	assert_stats(&f->vq, 1, 1, 0, 0, 1, 0);
	assert_int_equal(virtq_num_free(&f->vq), 256);

	/*
	 * Re-adding takes the same descriptor; a third stale completion then
	 * completes the new buffer, which is all a lying device can do: the
	 * buffer and length are still ours and checked.
	 */
	assert_int_equal(add_rx(f, 4, 100), head);
	assert_true(virtq_publish(&f->vq));
	dev_complete(f, (u32)head, 101);
	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_true(u.bad_len);
	assert_int_equal(u.len, 0);
	assert_stats(&f->vq, 2, 1, 1, 0, 1, 0);
}

static void test_used_id_of_chain_middle_or_unused_slot_is_not_in_flight(void **state)
{
	struct fixture *f = *state;
	const struct virtq_seg three[3] = {
		{ .addr = 0x1000, .len = 12 },
		{ .addr = 0x2000, .len = 100, .device_writes = true },
		{ .addr = 0x3000, .len = 100, .device_writes = true },
	};
	struct virtq_used_buf u;
	int head = virtq_add(&f->vq, three, 3, 9);
	u16 mid = f->vq.desc[head].next;
	u16 tail = f->vq.desc[mid].next;

	assert_true(virtq_publish(&f->vq));
	dev_complete(f, mid, 10);
	dev_complete(f, tail, 10);
	dev_complete(f, 200, 10); /* never handed out */
	assert_int_equal(virtq_get_used(&f->vq, &u), 0);
	assert_stats(&f->vq, 1, 0, 0, 0, 3, 0);
	/* The chain is still in flight and completes normally. */
	assert_int_equal(virtq_num_free(&f->vq), 253);
	dev_complete(f, (u32)head, 200);
	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_int_equal(u.len, 200);
	assert_int_equal(virtq_num_free(&f->vq), 256);
	assert_stats(&f->vq, 1, 1, 0, 0, 3, 0);
}

static void test_len_beyond_writable_bytes_is_flagged_and_buffer_returned(void **state)
{
	struct fixture *f = *state;
	const struct virtq_seg hdr_and_data[2] = {
		{ .addr = 0x1000, .len = 12, .device_writes = true },
		{ .addr = 0x2000, .len = 1526, .device_writes = true },
	};
	const struct virtq_seg readonly[1] = { { .addr = 0x3000, .len = 1500 } };
	struct virtq_used_buf u;
	int exact = virtq_add(&f->vq, hdr_and_data, 2, 1);
	int over = virtq_add(&f->vq, hdr_and_data, 2, 2);
	int huge = virtq_add(&f->vq, hdr_and_data, 2, 3);
	int tx = virtq_add(&f->vq, readonly, 1, 4);

	assert_true(virtq_publish(&f->vq));
	dev_complete(f, (u32)exact, 1538);	/* exactly the writable bytes: fine */
	dev_complete(f, (u32)over, 1539);	/* one more */
	dev_complete(f, (u32)huge, 0xffffffffu);
	dev_complete(f, (u32)tx, 1);		/* wrote into a read-only chain */

	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_int_equal(u.token, 1);
	assert_false(u.bad_len);
	assert_int_equal(u.len, 1538);
	for (u64 t = 2; t <= 4; t++) {
		assert_int_equal(virtq_get_used(&f->vq, &u), 1);
		assert_int_equal(u.token, t);
		assert_true(u.bad_len);
		assert_int_equal(u.len, 0);
	}
	assert_int_equal(virtq_num_free(&f->vq), 256);
	assert_stats(&f->vq, 4, 1, 3, 0, 0, 0);
}

static void test_used_idx_jump_breaks_queue_without_reading_entries(void **state)
{
	struct fixture *f = *state;
	struct virtq_used_buf u;
	int head = add_rx(f, 0, 1538);

	assert_true(virtq_publish(&f->vq));
	dev_complete(f, (u32)head, 64); /* a valid entry the jump hides */
	f->vq.used->idx = (u16)(256 + 1);
	assert_int_equal(virtq_get_used(&f->vq, &u), -EIO);
	assert_true(virtq_is_broken(&f->vq));
	assert_stats(&f->vq, 1, 0, 0, 0, 0, 1);
	assert_int_equal(f->vq.last_used, 0);

	/* Sticky, counted once, and nothing new is handed out. */
	f->vq.used->idx = 1;
	assert_int_equal(virtq_get_used(&f->vq, &u), -EIO);
	assert_int_equal(add_rx(f, 1, 64), -EIO);
	assert_stats(&f->vq, 1, 0, 0, 0, 0, 1);

	/* Re-initializing (after a device reset) recovers. */
	assert_int_equal(virtq_init(&f->vq, 256, f->ring, RING_DMA, f->slot), 0);
	assert_false(virtq_is_broken(&f->vq));
	assert_true(add_rx(f, 1, 64) >= 0);
	assert_stats(&f->vq, 1, 0, 0, 0, 0, 0);
}

static void test_used_idx_going_backwards_is_a_jump(void **state)
{
	struct fixture *f = *state;
	struct virtq_used_buf u;
	int head = add_rx(f, 0, 1538);

	assert_true(virtq_publish(&f->vq));
	dev_complete(f, (u32)head, 64);
	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	f->vq.used->idx = 0; /* back by one: 65535 ahead as u16 */
	assert_int_equal(virtq_get_used(&f->vq, &u), -EIO);
	assert_stats(&f->vq, 1, 1, 0, 0, 0, 1);
}

static void test_used_idx_full_ring_ahead_is_not_a_jump(void **state)
{
	struct fixture *f = *state; /* size 8 */
	struct virtq_used_buf u;
	int n = 0;

	for (u32 i = 0; i < 8; i++)
		assert_true(add_rx(f, i, 64) >= 0);
	assert_true(virtq_publish(&f->vq));
	for (u32 i = 0; i < 8; i++)
		dev_complete(f, (u32)dev_pop_avail(f), 8);
	while (virtq_get_used(&f->vq, &u) == 1)
		n++;
	assert_int_equal(n, 8);
	assert_stats(&f->vq, 8, 8, 0, 0, 0, 0);

	/* Exactly size garbage entries ahead: each is judged on its own. */
	f->vq.used->idx = (u16)(f->vq.used->idx + 8);
	assert_int_equal(virtq_get_used(&f->vq, &u), 0);
	assert_false(virtq_is_broken(&f->vq));
	assert_stats(&f->vq, 8, 8, 0, 0, 8, 0);
}

static void test_device_scribbling_descriptor_table_cannot_corrupt_free_list(void **state)
{
	struct fixture *f = *state; /* size 8 */
	const struct virtq_seg two[2] = {
		{ .addr = 0x1000, .len = 12 },
		{ .addr = 0x2000, .len = 100, .device_writes = true },
	};
	struct virtq_used_buf u;
	bool seen[8] = { false };
	int h0 = virtq_add(&f->vq, two, 2, 0);
	int h1 = virtq_add(&f->vq, two, 2, 1);

	assert_true(virtq_publish(&f->vq));
	/* The device rewrites every descriptor: loops, out-of-range links. */
	memset(f->vq.desc, 0xff, virtq_desc_bytes(8));
	for (u32 i = 0; i < 8; i++)
		f->vq.desc[i].next = (u16)i;
	dev_complete(f, (u32)h1, 0);
	dev_complete(f, (u32)h0, 0);
	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_int_equal(virtq_num_free(&f->vq), 8);
	for (u32 i = 0; i < 8; i++) {
		int h = add_rx(f, i, 64);

		assert_true(h >= 0 && h < 8);
		assert_false(seen[h]);
		seen[h] = true;
	}
	assert_stats(&f->vq, 10, 2, 0, 0, 0, 0);
}

/* ---- Index wrap ------------------------------------------------------------ */

static void test_indexes_wrap_past_65535_in_batches(void **state)
{
	struct fixture *f = *state; /* size 256 */
	struct virtq_used_buf u;
	u64 rounds = 0, harvested = 0;

	/*
	 * Batches of 200 never divide 65536, so the wrap falls inside a batch
	 * and inside the ring, on both the avail and the used side.
	 */
	while (harvested < 70000) {
		for (u32 i = 0; i < 200; i++)
			assert_true(add_rx(f, i, 1538) >= 0);
		assert_true(virtq_publish(&f->vq));
		for (int h; (h = dev_pop_avail(f)) >= 0;)
			dev_complete(f, (u32)h, 1000 + (u32)(rounds % 500));
		for (u32 i = 0; i < 200; i++) {
			assert_int_equal(virtq_get_used(&f->vq, &u), 1);
			assert_int_equal(u.token, 1000 + i);
			assert_int_equal(u.len, 1000 + (u32)(rounds % 500));
		}
		assert_int_equal(virtq_get_used(&f->vq, &u), 0);
		assert_int_equal(virtq_num_free(&f->vq), 256);
		harvested += 200;
		rounds++;
	}
	assert_int_equal(f->vq.avail->idx, (u16)harvested);
	assert_int_equal(f->vq.used->idx, (u16)harvested);
	assert_int_equal(f->vq.last_used, (u16)harvested);
	assert_stats(&f->vq, harvested, harvested, 0, 0, 0, 0);
}

static void test_hostile_entries_across_the_wrap_are_counted_exactly(void **state)
{
	struct fixture *f = *state; /* size 8 */
	struct virtq_used_buf u;
	u64 cycles = 0;

	/* Drive both indexes to 65532 with honest single completions. */
	while (f->vq.last_used != 65532) {
		int h = add_rx(f, 0, 64);

		assert_true(h >= 0);
		assert_true(virtq_publish(&f->vq));
		dev_complete(f, (u32)dev_pop_avail(f), 1);
		assert_int_equal(virtq_get_used(&f->vq, &u), 1);
		cycles++;
	}
	/* Four buffers; eight entries straddling 65535 -> 0, half of them bad. */
	for (u32 i = 0; i < 4; i++)
		assert_true(add_rx(f, i, 64) >= 0);
	assert_true(virtq_publish(&f->vq));
	{
		int h[4];

		for (int i = 0; i < 4; i++)
			h[i] = dev_pop_avail(f);
		dev_complete(f, (u32)h[0], 64);	  /* 65532 */
		dev_complete(f, 8, 1);		  /* 65533: bad id */
		dev_complete(f, (u32)h[0], 1);	  /* 65534: duplicate */
		dev_complete(f, (u32)h[1], 65);	  /* 65535: too long */
		dev_complete(f, (u32)h[2], 0);	  /* 0 */
		dev_complete(f, 0xfffffff0u, 1);  /* 1: bad id */
		dev_complete(f, (u32)h[3], 64);	  /* 2 */
		dev_complete(f, (u32)h[2], 3);	  /* 3: duplicate */
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(virtq_get_used(&f->vq, &u), 1);
	assert_int_equal(virtq_get_used(&f->vq, &u), 0);
	assert_int_equal(f->vq.last_used, 4);
	assert_int_equal(virtq_num_free(&f->vq), 8);
	assert_stats(&f->vq, cycles + 4, cycles + 3, 1, 2, 2, 0);
}

/* A test on a fresh queue of the given size, freed (and ASan-checked) after. */
#define ON_QUEUE(test, setup) cmocka_unit_test_setup_teardown(test, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_256_modern_and_legacy_offsets),
		cmocka_unit_test(test_layout_rejects_bad_sizes_and_alignments),
		ON_QUEUE(test_init_rejects_null_bad_size_and_misalignment, setup256),
		ON_QUEUE(test_init_gives_device_addresses_of_all_three_parts, setup256),
		ON_QUEUE(test_add_chain_writes_descriptors_and_publish_exposes_head, setup256),
		ON_QUEUE(test_publish_honours_device_no_notify, setup256),
		ON_QUEUE(test_set_no_interrupt_sets_and_clears_avail_flag, setup256),
		ON_QUEUE(test_add_rejects_malformed_chains_without_side_effects, setup256),
		ON_QUEUE(test_add_to_full_queue_is_enospc_and_changes_nothing, setup8),
		ON_QUEUE(test_completion_returns_token_len_and_frees_chain, setup256),
		ON_QUEUE(test_out_of_order_completions_keep_free_list_consistent, setup8),
		ON_QUEUE(test_used_id_out_of_range_is_counted_and_skipped, setup256),
		ON_QUEUE(test_duplicate_completion_is_counted_once_and_dropped, setup256),
		ON_QUEUE(test_used_id_of_chain_middle_or_unused_slot_is_not_in_flight, setup256),
		ON_QUEUE(test_len_beyond_writable_bytes_is_flagged_and_buffer_returned, setup256),
		ON_QUEUE(test_used_idx_jump_breaks_queue_without_reading_entries, setup256),
		ON_QUEUE(test_used_idx_going_backwards_is_a_jump, setup256),
		ON_QUEUE(test_used_idx_full_ring_ahead_is_not_a_jump, setup8),
		ON_QUEUE(test_device_scribbling_descriptor_table_cannot_corrupt_free_list, setup8),
		ON_QUEUE(test_indexes_wrap_past_65535_in_batches, setup256),
		ON_QUEUE(test_hostile_entries_across_the_wrap_are_counted_exactly, setup8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
