// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwIP's platform hooks for a NO_SYS build (net/arch/cc.h): the clock,
 * randomness, diagnostics, assertions, and the one libc routine lwIP's
 * core uses that the core does not have.
 * Context: service loop (where lwIP runs), and the boot CPU in net_init().
 */
#include <stdarg.h>

#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/time.h"
#include "kernel/x86/cpu.h"

#include "lwip/sys.h"

#define LOG_TAG "lwip"

/* Milliseconds for lwIP's timers; wraps after 49 days, which lwIP expects. */
u32_t sys_now(void)
{
	return (u32_t)(time_ns() / NSEC_PER_MSEC);
}

/*
 * Not cryptographic: lwIP wants unpredictable-enough TCP initial sequence
 * numbers, ephemeral ports and DHCP transaction IDs. The TSC's low bits
 * differ between boots and calls; the xorshift spreads them over all 32.
 */
u32_t net_lwip_rand(void)
{
	static u64 state;
	u64 x = state ^ rdtsc();

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	state = x;
	return (u32_t)(x >> 16);
}

void net_lwip_diag(const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	if (n)
		log_info("%s", buf);
}

void net_lwip_assert(const char *msg, const char *file, int line)
{
	panic("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

/* netif.c's netif_find() parses "en0"; nothing else calls it. */
int atoi(const char *s)
{
	int v = 0, sign = 1;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	while (*s >= '0' && *s <= '9' && v < 100000000)
		v = v * 10 + (*s++ - '0');
	return sign * v;
}
