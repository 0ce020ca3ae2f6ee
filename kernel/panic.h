/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * panic(): longbus itself is broken. Every CPU stops, and the message, a
 * stack trace and the queued log go to serial synchronously.
 * ASSERT(): our own invariants, checked in every build. Never use either
 * for guest-controlled values.
 */
#ifndef LONGBUS_PANIC_H
#define LONGBUS_PANIC_H

#include "kernel/compiler.h"

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (unlikely(!(cond)))                                         \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, \
			      __LINE__);                                       \
	} while (0)

#endif
