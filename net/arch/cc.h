/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lwIP's architecture header (lwip/arch.h includes "arch/cc.h"): types,
 * printf formats, diagnostics and randomness for a freestanding build.
 *
 * lwIP is compiled with the core's flags: no C library, so <inttypes.h>
 * and <ctype.h> are not used (the formats below match kernel/lib/format.c,
 * which knows h, l, z but not PRI* macros) and <string.h>/<stdlib.h> come
 * from net/libc/.
 */
#ifndef LONGBUS_NET_ARCH_CC_H
#define LONGBUS_NET_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

/*
 * GCC's <limits.h> chains to the C library's, which a -nostdinc build does
 * not have; lwIP needs only INT_MAX (for its ssize_t fallback).
 */
#define LWIP_NO_LIMITS_H 1
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif

#define BYTE_ORDER LITTLE_ENDIAN

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define X8_F "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* Diagnostics (LWIP_DEBUG builds and lwIP's own warnings) go to the log. */
void net_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An lwIP assertion is a broken invariant inside longbus: panic. */
void net_lwip_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
/* 32 random bits: the TSC's low bits stirred by a xorshift (TCP ISNs, ports, DHCP xid). */
uint32_t net_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x)                                                  \
	do {                                                                   \
		net_lwip_diag x;                                               \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) net_lwip_assert((x), __FILE__, __LINE__)
#define LWIP_RAND() net_lwip_rand()

#endif
