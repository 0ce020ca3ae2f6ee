/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A TCP echo server (RFC 862) on lwIP's raw API, switched on by
 * `[net] echo = on`: a test aid, so the host can push data through
 * longbus's stack and check that every byte comes back.
 * Context: service loop only.
 */
#ifndef LONGBUS_NET_ECHO_H
#define LONGBUS_NET_ECHO_H

#include "kernel/compiler.h"

/* Connections served at once; more are refused (reset). */
#define ECHO_MAX_CONNS 4

/* Listens on port. Returns 0, -ENOMEM (no pcb) or -EBUSY (port in use). */
int echo_start(u16 port) __must_check;

#endif
