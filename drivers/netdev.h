/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one interface every NIC driver implements: send, poll, MAC, link.
 * Drivers are polled (no interrupts) from the service loop, the only
 * place the network runs; nothing here is safe to call from another CPU.
 */
#ifndef LONGBUS_DRIVERS_NETDEV_H
#define LONGBUS_DRIVERS_NETDEV_H

#include "kernel/compiler.h"

#define NETDEV_MAX_FRAME 1518 /* Ethernet frame without FCS, with a VLAN tag */
#define NETDEV_MIN_FRAME 14

struct netdev;

/* Receives one frame; the buffer is valid only during the call. */
typedef void (*netdev_rx_fn)(void *ctx, const void *frame, size_t len);

struct netdev_stats {
	u64 rx_packets, rx_bytes;
	u64 tx_packets, tx_bytes;
	u64 rx_dropped;	   /* good frames we had no room for */
	u64 rx_errors;	   /* frames the device flagged bad, or malformed descriptors */
	u64 rx_bad_length; /* descriptor lengths outside NETDEV_MIN..MAX, or chains too long */
	u64 tx_dropped;	   /* ring full: caller told -EBUSY */
	u64 tx_errors;
	u64 timeouts;	   /* device operations that timed out */
};

struct netdev_ops {
	/* Copies the frame into the TX ring. 0, -EBUSY (ring full), -EINVAL (length). */
	int (*send)(struct netdev *nd, const void *frame, size_t len);
	/* Hands up to `budget` received frames to rx(); returns how many. */
	int (*poll)(struct netdev *nd, netdev_rx_fn rx, void *ctx, int budget);
	bool (*link_up)(struct netdev *nd);
};

struct netdev {
	char name[16]; /* "e1000", "e1000e", "virtio-net" */
	u8 mac[6];
	const struct netdev_ops *ops;
	void *priv;
	struct netdev_stats stats;
};

#endif
