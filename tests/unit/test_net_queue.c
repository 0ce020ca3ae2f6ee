// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the SPSC call ring of net/net_queue.c: order, full and
 * empty, index wrap, and a real producer thread against a consumer, which
 * is how the service CPU and a VM-exit CPU will use it.
 *
 * Context: host, cmocka, ASan/UBSan (Makefile: unit_src_net_queue).
 */
#include "net/net_queue.h"
#include "kernel/errno.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* Records the order calls ran in. */
struct log {
	uintptr_t seen[4 * NET_QUEUE_SLOTS];
	unsigned n;
};

static struct log g_log;

static void record(void *arg)
{
	g_log.seen[g_log.n++] = (uintptr_t)arg;
}

static void test_net_queue_runs_calls_in_order(void **state)
{
	struct net_queue q;

	(void)state;
	memset(&g_log, 0, sizeof(g_log));
	net_queue_init(&q);
	for (uintptr_t i = 1; i <= 5; i++)
		assert_int_equal(0, net_queue_push(&q, record, (void *)i));
	assert_int_equal(net_queue_run(&q, 100), 5);
	assert_int_equal(g_log.n, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(g_log.seen[i], i + 1);
	assert_int_equal(net_queue_run(&q, 100), 0);
}

static void test_net_queue_refuses_when_full_and_counts(void **state)
{
	struct net_queue q;

	(void)state;
	memset(&g_log, 0, sizeof(g_log));
	net_queue_init(&q);
	for (uintptr_t i = 0; i < NET_QUEUE_SLOTS; i++)
		assert_int_equal(0, net_queue_push(&q, record, (void *)i));
	assert_int_equal(-EBUSY, net_queue_push(&q, record, (void *)999));
	assert_int_equal(-EBUSY, net_queue_push(&q, record, (void *)999));
	assert_int_equal(q.refused, 2);
	/* One slot freed: exactly one more call fits. */
	assert_int_equal(net_queue_run(&q, 1), 1);
	assert_int_equal(0, net_queue_push(&q, record, (void *)1000));
	assert_int_equal(-EBUSY, net_queue_push(&q, record, (void *)999));
	assert_int_equal(net_queue_run(&q, 1000), NET_QUEUE_SLOTS);
	assert_int_equal(g_log.seen[NET_QUEUE_SLOTS], 1000);
	for (unsigned i = 0; i < g_log.n; i++)
		assert_int_not_equal(g_log.seen[i], 999);
}

static void test_net_queue_run_stops_at_budget(void **state)
{
	struct net_queue q;

	(void)state;
	memset(&g_log, 0, sizeof(g_log));
	net_queue_init(&q);
	for (uintptr_t i = 0; i < 10; i++)
		assert_int_equal(0, net_queue_push(&q, record, (void *)i));
	assert_int_equal(net_queue_run(&q, 3), 3);
	assert_int_equal(g_log.n, 3);
	assert_int_equal(net_queue_run(&q, 0), 0);
	assert_int_equal(net_queue_run(&q, 100), 7);
	assert_int_equal(g_log.seen[9], 9);
}

static void test_net_queue_wraps_32bit_indices(void **state)
{
	struct net_queue q;
	struct net_call c;

	(void)state;
	net_queue_init(&q);
	/* Both indices just below the u32 wrap: full/empty must still hold. */
	q.head = q.tail = UINT32_MAX - 2;
	for (uintptr_t i = 0; i < NET_QUEUE_SLOTS; i++)
		assert_int_equal(0, net_queue_push(&q, record, (void *)i));
	assert_int_equal(-EBUSY, net_queue_push(&q, record, NULL));
	for (uintptr_t i = 0; i < NET_QUEUE_SLOTS; i++) {
		assert_true(net_queue_pop(&q, &c));
		assert_ptr_equal(c.arg, (void *)i);
		assert_ptr_equal(c.fn, record);
	}
	assert_false(net_queue_pop(&q, &c));
	assert_int_equal(q.head, q.tail);
}

/* ---- two threads ------------------------------------------------------- */

#define STRESS_CALLS 200000u

static uintptr_t next_expected;
static unsigned out_of_order;

static void check_seq(void *arg)
{
	if ((uintptr_t)arg != next_expected)
		out_of_order++;
	next_expected++;
}

static void *producer(void *p)
{
	struct net_queue *q = p;

	for (uintptr_t i = 0; i < STRESS_CALLS;) {
		if (net_queue_push(q, check_seq, (void *)i) == 0)
			i++;
	}
	return NULL;
}

static void test_net_queue_two_threads_lose_nothing(void **state)
{
	static struct net_queue q;
	pthread_t t;
	unsigned ran = 0;

	(void)state;
	net_queue_init(&q);
	next_expected = 0;
	out_of_order = 0;
	assert_int_equal(pthread_create(&t, NULL, producer, &q), 0);
	while (ran < STRESS_CALLS)
		ran += net_queue_run(&q, 17);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(ran, STRESS_CALLS);
	assert_int_equal(next_expected, STRESS_CALLS);
	assert_int_equal(out_of_order, 0);
	assert_int_equal(net_queue_run(&q, 10), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_queue_runs_calls_in_order),
		cmocka_unit_test(test_net_queue_refuses_when_full_and_counts),
		cmocka_unit_test(test_net_queue_run_stops_at_budget),
		cmocka_unit_test(test_net_queue_wraps_32bit_indices),
		cmocka_unit_test(test_net_queue_two_threads_lose_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
