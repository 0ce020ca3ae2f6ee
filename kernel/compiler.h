/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compiler attributes and small bit helpers. Everything here is a plain
 * expression: no macro hides control flow.
 */
#ifndef LONGBUS_COMPILER_H
#define LONGBUS_COMPILER_H

#include "kernel/types.h"

#define __must_check __attribute__((warn_unused_result))
#define __packed __attribute__((packed))
#define __noreturn __attribute__((noreturn))
#define __aligned(n) __attribute__((aligned(n)))
#define __unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __section(s) __attribute__((section(s)))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define BUILD_ASSERT(cond, msg) _Static_assert(cond, msg)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BIT(n) (1ULL << (n))
/* Bits h..l inclusive, h >= l. */
#define GENMASK(h, l) (((~0ULL) >> (63 - (h))) & ~((1ULL << (l)) - 1))
/* Extract/insert a field described by a contiguous mask. */
#define FIELD_GET(mask, v) (((v) & (mask)) >> __builtin_ctzll(mask))
#define FIELD_PREP(mask, v) (((u64)(v) << __builtin_ctzll(mask)) & (mask))

#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (u64)(a) - 1, (a))
#define IS_ALIGNED(x, a) (((x) & ((u64)(a) - 1)) == 0)

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static inline u64 min_u64(u64 a, u64 b) { return a < b ? a : b; }
static inline u64 max_u64(u64 a, u64 b) { return a > b ? a : b; }

#endif
