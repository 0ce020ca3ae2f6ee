// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for drivers/e1000_ring.c: the e1000 family's legacy RX/TX
 * rings, driven by a fake, hostile device.
 *
 * Context: host, cmocka, ASan/UBSan:
 *   gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-sanitize-recover=all -I. tests/unit/test_e1000_ring.c \
 *       drivers/e1000_ring.c -lcmocka
 *
 * Every buffer, the descriptor ring and the bounce buffer are separate heap
 * blocks of exactly their size, so ASan fails any test in which the ring
 * code reads or writes one byte outside them. Bus addresses are fake
 * numbers, not pointers: memory is reachable only through the map callback,
 * which also records any request for an address or length that is not one
 * of ours. The "device" writes descriptors the way hardware would, or in
 * ways no hardware should; each test then checks every counter in
 * struct netdev_stats, not only the one it expects to move.
 */
#include "drivers/e1000_ring.h"
#include "kernel/errno.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* ---- Fake device memory --------------------------------------------- */

#define RING 256
#define FAKE_BASE 0x7f000000ULL
#define FAKE_STRIDE 0x10000ULL /* > any buffer: addresses are not adjacent */
#define MAX_FRAMES 1024
#define NO_SLOT UINT32_MAX

struct frame_rec {
	size_t len;
	const void *ptr;
	u8 data[NETDEV_MAX_FRAME];
};

struct fake {
	u32 count, size;
	struct e1000_rx_desc *rxd;
	struct e1000_tx_desc *txd;
	u8 **buf;
	u64 *addr;
	u8 *bounce;
	struct e1000_bufs bufs;
	struct e1000_rx_ring rx;
	struct e1000_tx_ring tx;
	struct netdev_stats st;
	u32 refuse_slot;  /* map() returns NULL for this slot */
	unsigned map_bad; /* requests for something that is not ours */
	u64 last_map_addr;
	unsigned nframes;
	struct frame_rec *frames; /* MAX_FRAMES */
};

static void *fake_map(void *ctx, u64 addr, size_t len)
{
	struct fake *f = ctx;
	u64 idx;

	f->last_map_addr = addr;
	if (addr < FAKE_BASE || (addr - FAKE_BASE) % FAKE_STRIDE) {
		f->map_bad++;
		return NULL;
	}
	idx = (addr - FAKE_BASE) / FAKE_STRIDE;
	if (idx >= f->count || len > f->size) {
		f->map_bad++;
		return NULL;
	}
	if (idx == f->refuse_slot)
		return NULL;
	return f->buf[idx];
}

static bool ptr_in(const void *p, const void *base, size_t n)
{
	const u8 *b = base;

	return (const u8 *)p >= b && (const u8 *)p < b + n;
}

static void fake_rx(void *ctx, const void *frame, size_t len)
{
	struct fake *f = ctx;
	struct frame_rec *r;
	bool ours = ptr_in(frame, f->bounce, NETDEV_MAX_FRAME);

	assert_true(len >= NETDEV_MIN_FRAME && len <= NETDEV_MAX_FRAME);
	for (u32 i = 0; i < f->count && !ours; i++)
		ours = ptr_in(frame, f->buf[i], f->size);
	assert_true(ours);
	assert_true(f->nframes < MAX_FRAMES);
	r = &f->frames[f->nframes++];
	r->len = len;
	r->ptr = frame;
	memcpy(r->data, frame, len); /* reads every byte: ASan checks the range */
}

static struct fake *fake_new(u32 count, u32 size)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->count = count;
	f->size = size;
	f->rxd = malloc(count * sizeof(*f->rxd));
	f->txd = malloc(count * sizeof(*f->txd));
	f->buf = calloc(count, sizeof(*f->buf));
	f->addr = calloc(count, sizeof(*f->addr));
	f->bounce = malloc(NETDEV_MAX_FRAME);
	f->frames = calloc(MAX_FRAMES, sizeof(*f->frames));
	assert_true(f->rxd && f->txd && f->buf && f->addr && f->bounce && f->frames);
	/* Garbage, not zeroes: init must arm every field itself. */
	memset(f->rxd, 0xa5, count * sizeof(*f->rxd));
	memset(f->txd, 0xa5, count * sizeof(*f->txd));
	for (u32 i = 0; i < count; i++) {
		f->buf[i] = malloc(size);
		assert_non_null(f->buf[i]);
		memset(f->buf[i], 0xee, size);
		f->addr[i] = FAKE_BASE + i * FAKE_STRIDE;
	}
	f->bufs = (struct e1000_bufs){
		.addr = f->addr, .count = count, .size = size, .map = fake_map, .ctx = f,
	};
	f->refuse_slot = NO_SLOT;
	return f;
}

static void fake_free(struct fake *f)
{
	/* Whatever the test did, the ring never asked for a buffer not ours. */
	assert_int_equal(f->map_bad, 0);
	for (u32 i = 0; i < f->count; i++)
		free(f->buf[i]);
	free(f->buf);
	free(f->addr);
	free(f->rxd);
	free(f->txd);
	free(f->bounce);
	free(f->frames);
	free(f);
}

static int setup_rx(struct fake *f)
{
	return e1000_rx_init(&f->rx, f->rxd, f->bounce, &f->bufs);
}

/* 2 KiB buffers: what the driver uses; every frame fits one descriptor. */
static int env_2k(void **state)
{
	struct fake *f = fake_new(RING, 2048);

	assert_int_equal(setup_rx(f), 0);
	assert_int_equal(e1000_tx_init(&f->tx, f->txd, &f->bufs), 0);
	*state = f;
	return 0;
}

/* 256-byte buffers: frames span up to six descriptors. */
static int env_256(void **state)
{
	struct fake *f = fake_new(RING, 256);

	assert_int_equal(setup_rx(f), 0);
	*state = f;
	return 0;
}

static int env_teardown(void **state)
{
	fake_free(*state);
	return 0;
}

/* ---- The device side -------------------------------------------------- */

static u8 pattern(u8 seed, size_t off)
{
	return (u8)(seed + off * 7);
}

/*
 * Device writes one descriptor: up to min(len, size) bytes of the pattern
 * (starting at frame offset off) into the slot's buffer, then the
 * write-back fields. A hostile len above the buffer writes only the buffer.
 */
static void dev_desc(struct fake *f, u32 idx, u16 len, u8 status, u8 errors, u8 seed,
		     size_t off)
{
	size_t n = len < f->size ? len : f->size;

	for (size_t i = 0; i < n; i++)
		f->buf[idx][i] = pattern(seed, off + i);
	f->rxd[idx].length = len;
	f->rxd[idx].errors = errors;
	f->rxd[idx].csum = 0x1234;
	f->rxd[idx].status = status;
}

/*
 * Device receives a well-formed frame of len bytes starting at slot idx,
 * filling each buffer before moving on. Returns the slot after it.
 */
static u32 dev_frame(struct fake *f, u32 idx, size_t len, u8 seed)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < f->size ? len - off : f->size;
		bool last = off + n == len;

		dev_desc(f, idx, (u16)n, E1000_RXD_STAT_DD | (last ? E1000_RXD_STAT_EOP : 0), 0,
			 seed, off);
		off += n;
		idx = (idx + 1) % f->count;
	}
	return idx;
}

static void assert_frame(const struct fake *f, unsigned i, size_t len, u8 seed)
{
	assert_true(i < f->nframes);
	assert_int_equal(f->frames[i].len, len);
	for (size_t k = 0; k < len; k++)
		assert_int_equal(f->frames[i].data[k], pattern(seed, k));
}

static void assert_rearmed(const struct fake *f, u32 idx)
{
	assert_int_equal(f->rxd[idx].addr, f->addr[idx]);
	assert_int_equal(f->rxd[idx].status, 0);
	assert_int_equal(f->rxd[idx].errors, 0);
	assert_int_equal(f->rxd[idx].length, 0);
}

/* Compares every counter, so a test also proves which ones did not move. */
static void assert_stats(const struct netdev_stats *got, const struct netdev_stats *want)
{
	assert_int_equal(got->rx_packets, want->rx_packets);
	assert_int_equal(got->rx_bytes, want->rx_bytes);
	assert_int_equal(got->tx_packets, want->tx_packets);
	assert_int_equal(got->tx_bytes, want->tx_bytes);
	assert_int_equal(got->rx_dropped, want->rx_dropped);
	assert_int_equal(got->rx_errors, want->rx_errors);
	assert_int_equal(got->rx_bad_length, want->rx_bad_length);
	assert_int_equal(got->tx_dropped, want->tx_dropped);
	assert_int_equal(got->tx_errors, want->tx_errors);
	assert_int_equal(got->timeouts, want->timeouts);
}

static int poll(struct fake *f, u32 head, int budget)
{
	return e1000_rx_poll(&f->rx, head, fake_rx, f, budget, &f->st);
}

/* ---- RX: set-up ------------------------------------------------------- */

static void test_rx_init_arms_every_slot_and_holds_one_back(void **state)
{
	struct fake *f = *state;

	for (u32 i = 0; i < f->count; i++) {
		assert_rearmed(f, i);
		assert_int_equal(f->rxd[i].special, 0);
	}
	assert_int_equal(e1000_rx_tail(&f->rx), RING - 1);
	assert_false(e1000_rx_has_work(&f->rx));
}

static void test_rx_init_rejects_bad_geometry(void **state)
{
	struct fake *f = *state;
	struct e1000_rx_ring r;
	struct e1000_bufs b = f->bufs;

	b.count = 255;
	assert_int_equal(e1000_rx_init(&r, f->rxd, f->bounce, &b), -EINVAL);
	b.count = E1000_RING_MIN - 8; /* below the minimum */
	assert_int_equal(e1000_rx_init(&r, f->rxd, f->bounce, &b), -EINVAL);
	b.count = 260; /* RDLEN must be a multiple of 128 bytes */
	assert_int_equal(e1000_rx_init(&r, f->rxd, f->bounce, &b), -EINVAL);
	b.count = E1000_RING_MAX + 8;
	assert_int_equal(e1000_rx_init(&r, f->rxd, f->bounce, &b), -EINVAL);
	b = f->bufs;
	b.size = 128;
	assert_int_equal(e1000_rx_init(&r, f->rxd, f->bounce, &b), -EINVAL);
	b.size = 4096;
	assert_int_equal(e1000_rx_init(&r, f->rxd, f->bounce, &b), -EINVAL);
	b = f->bufs;
	b.map = NULL;
	assert_int_equal(e1000_rx_init(&r, f->rxd, f->bounce, &b), -EINVAL);
	assert_int_equal(e1000_rx_init(&r, f->rxd, NULL, &f->bufs), -EINVAL);
	assert_int_equal(e1000_rx_init(&r, NULL, f->bounce, &f->bufs), -EINVAL);
	assert_int_equal(e1000_rx_init(&r, f->rxd, f->bounce, NULL), -EINVAL);
}

/* ---- RX: good frames -------------------------------------------------- */

static void test_rx_single_frame_is_handed_up_from_its_buffer(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .rx_packets = 1, .rx_bytes = 60 };

	dev_frame(f, 0, 60, 1);
	assert_true(e1000_rx_has_work(&f->rx));
	assert_int_equal(poll(f, 1, 64), 1);
	assert_frame(f, 0, 60, 1);
	assert_ptr_equal(f->frames[0].ptr, f->buf[0]); /* no copy */
	assert_rearmed(f, 0);
	assert_int_equal(e1000_rx_tail(&f->rx), 0);
	assert_false(e1000_rx_has_work(&f->rx));
	assert_stats(&f->st, &want);
}

static void test_rx_multi_descriptor_frame_is_reassembled(void **state)
{
	struct fake *f = *state; /* 256-byte buffers */
	struct netdev_stats want = { .rx_packets = 2, .rx_bytes = 1000 + NETDEV_MAX_FRAME };
	u32 idx = dev_frame(f, 0, 1000, 4); /* 256 + 256 + 256 + 232 */

	assert_int_equal(idx, 4);
	idx = dev_frame(f, idx, NETDEV_MAX_FRAME, 5); /* 5 x 256 + 238 */
	assert_int_equal(idx, 10);
	assert_int_equal(poll(f, idx, 64), 2);
	assert_frame(f, 0, 1000, 4);
	assert_frame(f, 1, NETDEV_MAX_FRAME, 5);
	assert_ptr_equal(f->frames[0].ptr, f->bounce);
	for (u32 i = 0; i < idx; i++)
		assert_rearmed(f, i);
	assert_int_equal(e1000_rx_tail(&f->rx), idx - 1);
	assert_stats(&f->st, &want);
}

static void test_rx_frame_split_across_polls_is_completed_later(void **state)
{
	struct fake *f = *state; /* 256-byte buffers */
	struct netdev_stats want = { 0 };

	/* The device has written two of three descriptors so far. */
	dev_desc(f, 0, 256, E1000_RXD_STAT_DD, 0, 6, 0);
	dev_desc(f, 1, 256, E1000_RXD_STAT_DD, 0, 6, 256);
	assert_int_equal(poll(f, 2, 64), 0);
	assert_int_equal(e1000_rx_tail(&f->rx), 1);
	assert_stats(&f->st, &want);

	dev_desc(f, 2, 100, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, 6, 512);
	assert_int_equal(poll(f, 3, 64), 1);
	assert_frame(f, 0, 612, 6);
	want.rx_packets = 1;
	want.rx_bytes = 612;
	assert_stats(&f->st, &want);
}

static void test_rx_stops_at_descriptor_without_dd(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .rx_packets = 1, .rx_bytes = 64 };

	dev_frame(f, 0, 64, 7);
	/* Slot 1 not done; slot 2 done (hostile or reordered): never reached. */
	dev_frame(f, 2, 64, 8);
	assert_int_equal(poll(f, 3, 64), 1);
	assert_int_equal(f->rx.next, 1);
	assert_int_equal(f->rxd[2].status, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
	assert_stats(&f->st, &want);
}

static void test_rx_no_dd_touches_nothing(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { 0 };
	struct e1000_rx_desc *copy = malloc(RING * sizeof(*copy));

	assert_non_null(copy);
	memcpy(copy, f->rxd, RING * sizeof(*copy));
	assert_false(e1000_rx_has_work(&f->rx));
	assert_int_equal(poll(f, 17, 64), 0);
	assert_memory_equal(copy, f->rxd, RING * sizeof(*copy));
	assert_int_equal(e1000_rx_tail(&f->rx), RING - 1);
	assert_stats(&f->st, &want);
	free(copy);
}

static void test_rx_done_descriptors_at_or_past_head_wait(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .rx_packets = 1, .rx_bytes = 80 };

	dev_frame(f, 0, 80, 9);
	dev_frame(f, 1, 90, 10);
	/* DD is visible at slot 1 before the device moved RDH past it. */
	assert_int_equal(poll(f, 1, 64), 1);
	assert_stats(&f->st, &want);
	assert_int_equal(poll(f, 2, 64), 1);
	assert_frame(f, 1, 90, 10);
}

static void test_rx_budget_limits_frames_and_the_rest_follow(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { 0 };
	u32 idx = 0;

	for (int i = 0; i < 10; i++)
		idx = dev_frame(f, idx, 100 + (size_t)i, (u8)i);
	assert_int_equal(poll(f, idx, 3), 3);
	assert_int_equal(e1000_rx_tail(&f->rx), 2);
	assert_int_equal(poll(f, idx, 0), 0);
	assert_int_equal(poll(f, idx, 64), 7);
	for (int i = 0; i < 10; i++) {
		assert_frame(f, (unsigned)i, 100 + (size_t)i, (u8)i);
		want.rx_bytes += 100 + (u64)i;
	}
	want.rx_packets = 10;
	assert_stats(&f->st, &want);
}

static void test_rx_wraps_around_the_end_of_the_ring(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { 0 };
	u32 head = 0;
	unsigned n = 0;

	/* Over three rounds of the ring, in bursts of 100 frames. */
	for (int burst = 0; burst < 8; burst++) {
		for (int i = 0; i < 100; i++, n++) {
			head = dev_frame(f, head, 60 + n % 50, (u8)n);
			want.rx_bytes += 60 + n % 50;
		}
		assert_int_equal(poll(f, head, 1000), 100);
		assert_int_equal(e1000_rx_tail(&f->rx), (head + RING - 1) % RING);
	}
	for (unsigned i = 0; i < n; i++)
		assert_frame(f, i, 60 + i % 50, (u8)i);
	want.rx_packets = n;
	assert_stats(&f->st, &want);
}

static void test_rx_chain_wrapping_the_ring_end_is_reassembled(void **state)
{
	struct fake *f = *state; /* 256-byte buffers */
	struct netdev_stats want = { .rx_packets = 2 };
	u32 head = 0;

	/* Move next to slot 253, then a 4-descriptor frame over 253..0. */
	for (int i = 0; i < 253; i++)
		head = dev_frame(f, head, 64, 1);
	assert_int_equal(poll(f, head, 1000), 253);
	f->nframes = 0;
	f->st = (struct netdev_stats){ 0 };
	head = dev_frame(f, head, 900, 11);
	assert_int_equal(head, 1);
	head = dev_frame(f, head, 70, 12);
	assert_int_equal(poll(f, head, 1000), 2);
	assert_frame(f, 0, 900, 11);
	assert_frame(f, 1, 70, 12);
	want.rx_bytes = 970;
	assert_stats(&f->st, &want);
}

/* ---- RX: hostile descriptors, one table ------------------------------- */

/* One descriptor as the device writes it back: more to come, or the last. */
#define MORE(len) { (len), E1000_RXD_STAT_DD, 0 }
#define LAST(len) { (len), E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0 }
#define MORE_ERR(len, err) { (len), E1000_RXD_STAT_DD, (err) }
#define LAST_ERR(len, err) { (len), E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, (err) }

struct rx_case {
	const char *what;
	u32 size; /* buffer size: 2048 (the driver's) or 256 (chains) */
	struct {
		u16 len;
		u8 status, errors;
	} d[12];
	u32 nd;
	/* Besides the trailing good frame each case ends with: */
	u64 good, bad_length, errors;
};

/*
 * Each case's descriptors sit in slots 0..nd-1, followed by one good 64-byte
 * frame that must still come through. Exactly one counter moves per bad
 * frame, and only once however many descriptors it spans.
 */
static const struct rx_case rx_cases[] = {
	{ "length 0", 2048, { LAST(0) }, 1, .bad_length = 1 },
	{ "length 0 ending a chain", 256, { MORE(256), LAST(0) }, 2, .bad_length = 1 },
	{ "length 2049 > 2048 buffer", 2048, { LAST(2049) }, 1, .bad_length = 1 },
	{ "length 0xffff", 2048, { LAST(0xffff) }, 1, .bad_length = 1 },
	{ "length 257 > 256 buffer", 256, { LAST(257) }, 1, .bad_length = 1 },
	{ "second descriptor over its buffer", 256, { MORE(256), LAST(300) }, 2,
	  .bad_length = 1 },
	{ "over buffer without EOP, then its EOP", 2048, { MORE(4096), LAST(60) }, 2,
	  .bad_length = 1 },
	{ "2048 fits the buffer, not a frame", 2048, { LAST(2048) }, 1, .bad_length = 1 },
	{ "MAX_FRAME + 1 in one buffer", 2048, { LAST(NETDEV_MAX_FRAME + 1) }, 1,
	  .bad_length = 1 },
	{ "MAX_FRAME + 1 after reassembly", 256,
	  { MORE(256), MORE(256), MORE(256), MORE(256), MORE(256), LAST(239) }, 6,
	  .bad_length = 1 },
	{ "chain past MAX_FRAME, rest dropped to EOP", 256,
	  { MORE(256), MORE(256), MORE(256), MORE(256), MORE(256), MORE(256),
	    MORE(256), MORE(256), LAST(10) }, 9, .bad_length = 1 },
	{ "runt, MIN_FRAME - 1", 2048, { LAST(NETDEV_MIN_FRAME - 1) }, 1, .bad_length = 1 },
	{ "runt, 1 byte", 2048, { LAST(1) }, 1, .bad_length = 1 },
	/* Hardware fills each buffer before chaining: 100 then 50 is forged. */
	{ "short descriptor before EOP", 256, { MORE(100), LAST(50) }, 2, .bad_length = 1 },
	{ "CE", 2048, { LAST_ERR(64, E1000_RXD_ERR_CE) }, 1, .errors = 1 },
	{ "SE", 2048, { LAST_ERR(64, E1000_RXD_ERR_SE) }, 1, .errors = 1 },
	{ "SEQ", 2048, { LAST_ERR(64, E1000_RXD_ERR_SEQ) }, 1, .errors = 1 },
	{ "CXE", 2048, { LAST_ERR(64, E1000_RXD_ERR_CXE) }, 1, .errors = 1 },
	{ "RXE", 2048, { LAST_ERR(64, E1000_RXD_ERR_RXE) }, 1, .errors = 1 },
	{ "every error bit", 2048, { LAST_ERR(64, 0xff) }, 1, .errors = 1 },
	{ "error bits win over a bad length", 2048, { LAST_ERR(0, E1000_RXD_ERR_CE) }, 1,
	  .errors = 1 },
	{ "error bits on the first of three", 256,
	  { MORE_ERR(256, E1000_RXD_ERR_CE), MORE_ERR(256, E1000_RXD_ERR_RXE), LAST(44) }, 3,
	  .errors = 1 },
	/* Offloaded checksum verdicts: the stack checks and counts those itself. */
	{ "TCPE is the stack's business", 2048, { LAST_ERR(64, E1000_RXD_ERR_TCPE) }, 1,
	  .good = 1 },
	{ "IPE is the stack's business", 2048, { LAST_ERR(64, E1000_RXD_ERR_IPE) }, 1,
	  .good = 1 },
	{ "largest and smallest frames", 2048,
	  { LAST(NETDEV_MAX_FRAME), LAST(NETDEV_MIN_FRAME) }, 2, .good = 2 },
};

static void test_rx_hostile_descriptor_table(void **state)
{
	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(rx_cases); c++) {
		const struct rx_case *k = &rx_cases[c];
		struct fake *f = fake_new(RING, k->size);
		struct netdev_stats want = { .rx_packets = k->good + 1,
					     .rx_bad_length = k->bad_length,
					     .rx_errors = k->errors };
		size_t off = 0;

		print_message("case %zu: %s\n", c, k->what);
		assert_int_equal(setup_rx(f), 0);
		for (u32 i = 0; i < k->nd; i++) {
			dev_desc(f, i, k->d[i].len, k->d[i].status, k->d[i].errors, 40, off);
			off = k->d[i].status & E1000_RXD_STAT_EOP ? 0 : off + k->d[i].len;
		}
		dev_frame(f, k->nd, 64, 41);
		assert_int_equal(poll(f, k->nd + 1, 64), (int)k->good + 1);
		for (u32 i = 0; i < k->good; i++) {
			want.rx_bytes += f->frames[i].len;
			assert_frame(f, i, k->d[i].len, 40);
		}
		assert_frame(f, (unsigned)k->good, 64, 41);
		want.rx_bytes += 64;
		assert_stats(&f->st, &want);
		for (u32 i = 0; i <= k->nd; i++)
			assert_rearmed(f, i);
		assert_int_equal(e1000_rx_tail(&f->rx), k->nd);
		fake_free(f);
	}
}

static void test_rx_missing_eop_across_whole_ring_counts_once(void **state)
{
	struct fake *f = *state; /* 2048-byte buffers */
	struct netdev_stats want = { .rx_bad_length = 1 };
	u32 head;

	/* The device fills everything it owns (count - 1 slots), never EOP. */
	for (u32 i = 0; i < RING - 1; i++)
		dev_desc(f, i, 2048, E1000_RXD_STAT_DD, 0, 0, 0);
	f->rxd[RING - 1].status = E1000_RXD_STAT_DD; /* held back: must stay unread */
	head = RING - 1;
	assert_int_equal(poll(f, head, 1000), 0);
	assert_int_equal(f->rx.next, RING - 1);
	assert_int_equal(e1000_rx_tail(&f->rx), RING - 2);
	for (u32 i = 0; i < RING - 1; i++)
		assert_rearmed(f, i);
	assert_stats(&f->st, &want);

	/* Still no EOP on the next round: still the same bad frame. */
	f->rxd[RING - 1].status = 0;
	for (u32 i = 0; i < RING - 1; i++)
		dev_desc(f, (RING - 1 + i) % RING, 2048, E1000_RXD_STAT_DD, 0, 0, 0);
	head = RING - 2;
	assert_int_equal(poll(f, head, 1000), 0);
	assert_stats(&f->st, &want);

	/* Its EOP ends it silently; the next frame is good. */
	dev_desc(f, RING - 2, 10, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, 0, 0);
	head = dev_frame(f, RING - 1, 99, 21);
	assert_int_equal(head, 0);
	assert_int_equal(poll(f, head, 1000), 1);
	assert_frame(f, 0, 99, 21);
	want.rx_packets = 1;
	want.rx_bytes = 99;
	assert_stats(&f->st, &want);
}

static void test_rx_chain_longer_than_ring_counts_once(void **state)
{
	struct fake *f = *state; /* 256-byte buffers */
	struct netdev_stats want = { .rx_bad_length = 1 };
	u32 head = 0;

	/* 3 x 255 full descriptors of one "frame", refilled after each poll. */
	for (int round = 0; round < 3; round++) {
		for (u32 i = 0; i < RING - 1; i++) {
			dev_desc(f, head, 256, E1000_RXD_STAT_DD, 0, 0, 0);
			head = (head + 1) % RING;
		}
		assert_int_equal(poll(f, head, 1000), 0);
		assert_stats(&f->st, &want);
		assert_true(f->rx.in_frame && f->rx.discard);
	}
	dev_desc(f, head, 4, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, 0, 0);
	head = (head + 1) % RING;
	head = dev_frame(f, head, 700, 22);
	assert_int_equal(poll(f, head, 1000), 1);
	assert_frame(f, 0, 700, 22);
	want.rx_packets = 1;
	want.rx_bytes = 700;
	assert_stats(&f->st, &want);
}

static void test_rx_head_past_end_is_refused_and_touches_nothing(void **state)
{
	struct fake *f = *state;
	static const u32 heads[] = { RING, RING + 1, 0xffff, 0xffffffffU };
	struct netdev_stats want = { .rx_errors = ARRAY_SIZE(heads) };
	struct e1000_rx_desc *copy = malloc(RING * sizeof(*copy));

	assert_non_null(copy);
	dev_frame(f, 0, 64, 23);
	memcpy(copy, f->rxd, RING * sizeof(*copy));
	for (size_t i = 0; i < ARRAY_SIZE(heads); i++)
		assert_int_equal(poll(f, heads[i], 64), -EIO);
	assert_memory_equal(copy, f->rxd, RING * sizeof(*copy));
	assert_int_equal(f->nframes, 0);
	assert_int_equal(e1000_rx_tail(&f->rx), RING - 1);
	assert_stats(&f->st, &want);
	/* A sane head afterwards: the frame is still there. */
	assert_int_equal(poll(f, 1, 64), 1);
	assert_frame(f, 0, 64, 23);
	free(copy);
}

static void test_rx_all_dd_ring_is_walked_at_most_count_minus_one(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .rx_packets = RING - 1, .rx_bytes = 60ULL * (RING - 1) };
	u32 held = RING - 1;

	/* Every slot claims a frame and head claims the ring is full. */
	for (u32 i = 0; i < RING; i++)
		dev_desc(f, i, 60, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, (u8)i, 0);
	assert_int_equal(poll(f, RING - 1, 100000), RING - 1);
	assert_int_equal(f->rxd[held].status, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
	assert_stats(&f->st, &want);
	/*
	 * Head now jumps back to claim the whole ring again: the held-back slot
	 * is next in line and taken, then the walk stops at the re-armed slot 0
	 * rather than taking slots 0..253 a second time.
	 */
	assert_int_equal(poll(f, RING - 2, 100000), 1);
	assert_int_equal(f->rx.next, 0);
	want.rx_packets++;
	want.rx_bytes += 60;
	assert_stats(&f->st, &want);
}

static void test_rx_rewritten_buffer_address_is_not_trusted(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .rx_packets = 1, .rx_bytes = 64 };

	dev_frame(f, 0, 64, 24);
	f->rxd[0].addr = 0xdeadbeef000ULL; /* a device writing where it must not */
	assert_int_equal(poll(f, 1, 64), 1);
	assert_int_equal(f->last_map_addr, f->addr[0]);
	assert_ptr_equal(f->frames[0].ptr, f->buf[0]);
	assert_rearmed(f, 0);
	assert_stats(&f->st, &want);
}

static void test_rx_refused_buffer_counts_rx_errors(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .rx_errors = 1, .rx_packets = 1, .rx_bytes = 65 };

	f->refuse_slot = 0;
	dev_frame(f, 0, 64, 25);
	dev_frame(f, 1, 65, 26);
	assert_int_equal(poll(f, 2, 64), 1);
	assert_frame(f, 0, 65, 26);
	assert_stats(&f->st, &want);
}

/* ---- TX --------------------------------------------------------------- */

static void tx_frame(u8 *buf, size_t len, u8 seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(seed, i);
}

static void test_tx_init_rejects_small_buffers_and_bad_counts(void **state)
{
	struct fake *f = *state;
	struct e1000_tx_ring r;
	struct e1000_bufs b = f->bufs;

	b.size = NETDEV_MAX_FRAME - 1; /* a frame is one descriptor */
	assert_int_equal(e1000_tx_init(&r, f->txd, &b), -EINVAL);
	b = f->bufs;
	b.count = 128;
	assert_int_equal(e1000_tx_init(&r, f->txd, &b), -EINVAL);
	assert_int_equal(e1000_tx_init(&r, NULL, &f->bufs), -EINVAL);
	/* init cleared the garbage the fake put in: no stale DD to reclaim. */
	for (u32 i = 0; i < RING; i++)
		assert_int_equal(f->txd[i].status, 0);
	assert_int_equal(e1000_tx_pending(&f->tx), 0);
}

static void test_tx_send_fills_one_descriptor(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .tx_packets = 1, .tx_bytes = 60 };
	u8 *frame = malloc(60);

	assert_non_null(frame);
	tx_frame(frame, 60, 27);
	assert_int_equal(e1000_tx_send(&f->tx, frame, 60, &f->st), 0);
	assert_int_equal(f->txd[0].addr, f->addr[0]);
	assert_int_equal(f->txd[0].length, 60);
	assert_int_equal(f->txd[0].cmd,
			 E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS);
	assert_int_equal(f->txd[0].status, 0);
	assert_memory_equal(f->buf[0], frame, 60);
	assert_int_equal(e1000_tx_tail(&f->tx), 1);
	assert_int_equal(e1000_tx_pending(&f->tx), 1);
	assert_stats(&f->st, &want);
	free(frame);
}

static void test_tx_rejects_bad_lengths(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .tx_errors = 3 };
	u8 *frame = calloc(1, NETDEV_MAX_FRAME + 1);

	assert_non_null(frame);
	assert_int_equal(e1000_tx_send(&f->tx, frame, 0, &f->st), -EINVAL);
	assert_int_equal(e1000_tx_send(&f->tx, frame, NETDEV_MIN_FRAME - 1, &f->st), -EINVAL);
	assert_int_equal(e1000_tx_send(&f->tx, frame, NETDEV_MAX_FRAME + 1, &f->st), -EINVAL);
	assert_int_equal(e1000_tx_tail(&f->tx), 0);
	assert_stats(&f->st, &want);
	free(frame);
}

static void test_tx_full_ring_is_ebusy_and_counted(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .tx_packets = RING - 1, .tx_bytes = 100ULL * (RING - 1),
				     .tx_dropped = 2 };
	u8 frame[100];

	tx_frame(frame, sizeof(frame), 28);
	for (u32 i = 0; i < RING - 1; i++)
		assert_int_equal(e1000_tx_send(&f->tx, frame, sizeof(frame), &f->st), 0);
	assert_int_equal(e1000_tx_pending(&f->tx), RING - 1);
	assert_int_equal(e1000_tx_send(&f->tx, frame, sizeof(frame), &f->st), -EBUSY);
	assert_int_equal(e1000_tx_send(&f->tx, frame, sizeof(frame), &f->st), -EBUSY);
	assert_int_equal(e1000_tx_tail(&f->tx), RING - 1);
	assert_stats(&f->st, &want);

	/* The device finishes one: room for exactly one more. */
	f->txd[0].status = E1000_TXD_STAT_DD;
	assert_int_equal(e1000_tx_send(&f->tx, frame, sizeof(frame), &f->st), 0);
	assert_int_equal(e1000_tx_tail(&f->tx), 0);
	assert_int_equal(e1000_tx_send(&f->tx, frame, sizeof(frame), &f->st), -EBUSY);
	want.tx_packets++;
	want.tx_bytes += 100;
	want.tx_dropped++;
	assert_stats(&f->st, &want);
}

static void test_tx_reclaim_frees_done_slots_in_order_only(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .tx_packets = 5, .tx_bytes = 5 * 64 };
	u8 frame[64] = { 0 };

	for (int i = 0; i < 5; i++)
		assert_int_equal(e1000_tx_send(&f->tx, frame, sizeof(frame), &f->st), 0);
	f->txd[0].status = E1000_TXD_STAT_DD;
	f->txd[1].status = E1000_TXD_STAT_DD;
	f->txd[3].status = E1000_TXD_STAT_DD; /* out of order: waits for 2 */
	f->txd[7].status = E1000_TXD_STAT_DD; /* never queued: ignored */
	assert_int_equal(e1000_tx_reclaim(&f->tx, &f->st), 2);
	assert_int_equal(e1000_tx_pending(&f->tx), 3);
	f->txd[2].status = E1000_TXD_STAT_DD;
	f->txd[4].status = E1000_TXD_STAT_DD;
	assert_int_equal(e1000_tx_reclaim(&f->tx, &f->st), 3);
	assert_int_equal(e1000_tx_pending(&f->tx), 0);
	assert_int_equal(e1000_tx_reclaim(&f->tx, &f->st), 0);
	assert_stats(&f->st, &want);
}

static void test_tx_device_send_errors_count_tx_errors(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .tx_packets = 3, .tx_bytes = 3 * 64, .tx_errors = 2 };
	u8 frame[64] = { 0 };

	for (int i = 0; i < 3; i++)
		assert_int_equal(e1000_tx_send(&f->tx, frame, sizeof(frame), &f->st), 0);
	f->txd[0].status = E1000_TXD_STAT_DD | E1000_TXD_STAT_EC;
	f->txd[1].status = E1000_TXD_STAT_DD;
	f->txd[2].status = E1000_TXD_STAT_DD | E1000_TXD_STAT_LC;
	assert_int_equal(e1000_tx_reclaim(&f->tx, &f->st), 3);
	assert_stats(&f->st, &want);
}

static void test_tx_wraps_around_the_end_of_the_ring(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { 0 };
	u8 frame[NETDEV_MAX_FRAME];
	unsigned sent = 0;

	/* 3.5 rounds; the device completes everything before each send. */
	for (unsigned i = 0; i < RING * 7 / 2; i++) {
		u32 slot = e1000_tx_tail(&f->tx);
		size_t len = NETDEV_MIN_FRAME + i % (NETDEV_MAX_FRAME - NETDEV_MIN_FRAME + 1);

		tx_frame(frame, len, (u8)i);
		assert_int_equal(e1000_tx_send(&f->tx, frame, len, &f->st), 0);
		assert_int_equal(f->txd[slot].length, len);
		assert_int_equal(f->txd[slot].addr, f->addr[slot]);
		assert_memory_equal(f->buf[slot], frame, len);
		assert_int_equal(e1000_tx_tail(&f->tx), (slot + 1) % RING);
		f->txd[slot].status = E1000_TXD_STAT_DD;
		want.tx_bytes += len;
		sent++;
	}
	want.tx_packets = sent;
	assert_int_equal(e1000_tx_reclaim(&f->tx, &f->st), 1);
	assert_int_equal(e1000_tx_pending(&f->tx), 0);
	assert_stats(&f->st, &want);
}

static void test_tx_refused_buffer_is_eio(void **state)
{
	struct fake *f = *state;
	struct netdev_stats want = { .tx_errors = 1 };
	u8 frame[64] = { 0 };

	f->refuse_slot = 0;
	assert_int_equal(e1000_tx_send(&f->tx, frame, sizeof(frame), &f->st), -EIO);
	assert_int_equal(e1000_tx_tail(&f->tx), 0);
	assert_stats(&f->st, &want);
}

#define TEST_2K(fn) cmocka_unit_test_setup_teardown(fn, env_2k, env_teardown)
#define TEST_256(fn) cmocka_unit_test_setup_teardown(fn, env_256, env_teardown)

int main(void)
{
	static const struct CMUnitTest tests[] = {
		TEST_2K(test_rx_init_arms_every_slot_and_holds_one_back),
		TEST_2K(test_rx_init_rejects_bad_geometry),
		TEST_2K(test_rx_single_frame_is_handed_up_from_its_buffer),
		TEST_256(test_rx_multi_descriptor_frame_is_reassembled),
		TEST_256(test_rx_frame_split_across_polls_is_completed_later),
		TEST_2K(test_rx_stops_at_descriptor_without_dd),
		TEST_2K(test_rx_no_dd_touches_nothing),
		TEST_2K(test_rx_done_descriptors_at_or_past_head_wait),
		TEST_2K(test_rx_budget_limits_frames_and_the_rest_follow),
		TEST_2K(test_rx_wraps_around_the_end_of_the_ring),
		TEST_256(test_rx_chain_wrapping_the_ring_end_is_reassembled),
		cmocka_unit_test(test_rx_hostile_descriptor_table),
		TEST_2K(test_rx_missing_eop_across_whole_ring_counts_once),
		TEST_256(test_rx_chain_longer_than_ring_counts_once),
		TEST_2K(test_rx_head_past_end_is_refused_and_touches_nothing),
		TEST_2K(test_rx_all_dd_ring_is_walked_at_most_count_minus_one),
		TEST_2K(test_rx_rewritten_buffer_address_is_not_trusted),
		TEST_2K(test_rx_refused_buffer_counts_rx_errors),
		TEST_2K(test_tx_init_rejects_small_buffers_and_bad_counts),
		TEST_2K(test_tx_send_fills_one_descriptor),
		TEST_2K(test_tx_rejects_bad_lengths),
		TEST_2K(test_tx_full_ring_is_ebusy_and_counted),
		TEST_2K(test_tx_reclaim_frees_done_slots_in_order_only),
		TEST_2K(test_tx_device_send_errors_count_tx_errors),
		TEST_2K(test_tx_wraps_around_the_end_of_the_ring),
		TEST_2K(test_tx_refused_buffer_is_eio),
	};

	/* A binary that ran nothing must not pass. */
	if (ARRAY_SIZE(tests) == 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
