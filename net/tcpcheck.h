/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `tcpcheck <ip> <port> <size>`: a TCP echo client that checks a transfer
 * end to end. It connects to an echo server (longbus's own, `[net] echo =
 * on`, on another machine, or one on the host), sends `size` bytes of a
 * fixed pseudo-random pattern, and checks that every byte comes back, in
 * order. The result line gives both sides' CRC-32 so a test can match it
 * against what the echo server saw.
 * Context: service loop only; one check at a time; the shell is not
 * blocked (the result prints when the transfer ends).
 */
#ifndef LONGBUS_NET_TCPCHECK_H
#define LONGBUS_NET_TCPCHECK_H

#include "kernel/compiler.h"

/*
 * Starts the check. ip is a.b.c.d with the first number in the top byte.
 * Returns 0, -EBUSY (a check is running), -EINVAL (size 0) or -ENOMEM.
 */
int tcpcheck_start(u32 ip, u16 port, u64 size) __must_check;

#endif
