/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `ping`: ICMP echo over a raw lwIP pcb. One session at a time; requests
 * go out once a second and replies print on the console as they arrive,
 * so the shell is never blocked. Context: service loop only.
 */
#ifndef LONGBUS_NET_PING_H
#define LONGBUS_NET_PING_H

#include "kernel/compiler.h"

/* Longest session `ping` accepts. */
#define PING_MAX_COUNT 100

/*
 * Starts pinging dst (a.b.c.d, first number in the top byte) count times.
 * Returns 0, -EBUSY (a session is running), -EINVAL (count 0 or above
 * PING_MAX_COUNT) or -ENOMEM (no raw pcb).
 */
int ping_start(u32 dst, unsigned count) __must_check;

#endif
