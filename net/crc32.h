/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CRC-32 (IEEE 802.3, the one zlib.crc32() and `crc32` compute), to check
 * transfers end to end: the echo server and `tcpcheck` print it so a test
 * can compare what one side sent with what the other received.
 * Pure; any context.
 */
#ifndef LONGBUS_NET_CRC32_H
#define LONGBUS_NET_CRC32_H

#include "kernel/compiler.h"

/* Continues crc (0 to start) over buf[0..len); returns the new value. */
u32 crc32_update(u32 crc, const void *buf, size_t len);

#endif
