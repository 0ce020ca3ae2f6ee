/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one door from other CPUs into the network. lwIP runs only in the
 * service loop (NO_SYS=1, no locks); code on any other CPU (a VM-exit path
 * serving a guest's NBD disk, later) hands it work as a call, fn(arg),
 * through a single-producer single-consumer ring that the net service
 * drains on the service CPU, where fn may use lwIP's raw API freely.
 *
 *	static struct net_queue q;          // one per producing CPU
 *	net_queue_init(&q);
 *	net_queue_attach(&q);               // boot CPU, before the loop runs
 *	...
 *	if (net_queue_call(&q, nbd_submit, req))   // producer CPU, never waits
 *		return -EBUSY;                     // full: the caller retries
 *
 * The ring itself (net_queue_push/pop/run) is pure and lives in
 * net/net_queue.c, so tests/unit/test_net_queue.c drives it with a real
 * producer thread. net_queue_attach() and net_queue_call() are the glue in
 * net/net.c.
 *
 * Ordering: the producer fills a slot, then publishes head with release;
 * the consumer reads head with acquire, runs the slot, then frees it by
 * publishing tail with release. Whatever the producer wrote before
 * net_queue_call() is visible to fn.
 */
#ifndef LONGBUS_NET_QUEUE_H
#define LONGBUS_NET_QUEUE_H

#include "kernel/compiler.h"

/* Slots per ring; a power of two so the free-running indices wrap cleanly. */
#define NET_QUEUE_SLOTS 64

typedef void (*net_call_fn)(void *arg);

struct net_call {
	net_call_fn fn;
	void *arg;
};

struct net_queue {
	struct net_call slot[NET_QUEUE_SLOTS];
	u32 head;	       /* producer writes (release), consumer reads (acquire) */
	u32 tail;	       /* consumer writes (release), producer reads (acquire) */
	u64 refused;	       /* producer-only: calls refused because the ring was full */
	struct net_queue *next; /* attach list: written before the loop, read by the consumer */
};

/* Empties q. Before either side uses it. */
void net_queue_init(struct net_queue *q);

/* Producer side: 0, or -EBUSY when the ring is full (q->refused counts it). */
int net_queue_push(struct net_queue *q, net_call_fn fn, void *arg) __must_check;
/* Consumer side: false when empty. */
bool net_queue_pop(struct net_queue *q, struct net_call *out) __must_check;
/* Consumer side: runs up to budget queued calls in order; returns how many. */
unsigned net_queue_run(struct net_queue *q, unsigned budget);

/*
 * Makes the net service drain q on every pass. Boot CPU before the service
 * loop starts, or the service CPU. Returns 0, -EINVAL (NULL, already
 * attached) or -ENODEV (longbus runs without network).
 */
int net_queue_attach(struct net_queue *q) __must_check;

/*
 * The producer's call: queues fn(arg) to run in the service loop and
 * wakes the service CPU. Any CPU, but only q's one producer; never waits.
 * Returns 0 or -EBUSY (ring full: fn will not run).
 */
int net_queue_call(struct net_queue *q, net_call_fn fn, void *arg) __must_check;

#endif
