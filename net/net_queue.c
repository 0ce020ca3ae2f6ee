// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SPSC call ring of net/net_queue.h: pure, no kernel calls, so the
 * host unit test runs it with a real second thread.
 * Context: push on the queue's one producer CPU, pop/run on the service CPU.
 */
#include "net/net_queue.h"
#include "kernel/errno.h"
#include "kernel/klib.h"

BUILD_ASSERT((NET_QUEUE_SLOTS & (NET_QUEUE_SLOTS - 1)) == 0,
	     "NET_QUEUE_SLOTS must be a power of two");

void net_queue_init(struct net_queue *q)
{
	memset(q, 0, sizeof(*q));
}

int net_queue_push(struct net_queue *q, net_call_fn fn, void *arg)
{
	u32 head = q->head; /* only this side writes it */
	u32 tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);

	if (head - tail >= NET_QUEUE_SLOTS) {
		q->refused++;
		return -EBUSY;
	}
	q->slot[head % NET_QUEUE_SLOTS] = (struct net_call){ .fn = fn, .arg = arg };
	__atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

bool net_queue_pop(struct net_queue *q, struct net_call *out)
{
	u32 tail = q->tail; /* only this side writes it */
	u32 head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);

	if (tail == head)
		return false;
	*out = q->slot[tail % NET_QUEUE_SLOTS];
	__atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

unsigned net_queue_run(struct net_queue *q, unsigned budget)
{
	struct net_call c;
	unsigned n = 0;

	while (n < budget && net_queue_pop(q, &c)) {
		c.fn(c.arg);
		n++;
	}
	return n;
}
