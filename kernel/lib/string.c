// SPDX-License-Identifier: GPL-2.0-only
/*
 * The string and memory routines longbus needs, other than memcpy and
 * memset (kernel/lib/mem.c).
 *
 * Context: any; pure functions of their arguments. Linked into the core
 * and the UEFI loader; host unit tests use libc instead (see klib.h).
 *
 * GCC's loop-distribution pass recognises copy, fill and strlen-like loops
 * and replaces them with calls to memmove/memset/strlen, which inside
 * these very functions would recurse forever. NO_LIBCALL_LOOPS switches
 * that pass off for each function here.
 */
#include "kernel/klib.h"

#define NO_LIBCALL_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL_LOOPS void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copy backwards when dst overlaps the tail of src. */
	if (d > s && d < s + n) {
		while (n--)
			d[n] = s[n];
	} else {
		while (n--)
			*d++ = *s++;
	}
	return dst;
}

NO_LIBCALL_LOOPS int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

NO_LIBCALL_LOOPS size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

NO_LIBCALL_LOOPS size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Comparisons are on unsigned char, as C requires (C11 7.24.4p1). */
NO_LIBCALL_LOOPS int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

NO_LIBCALL_LOOPS int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y || !*x)
			return *x - *y;
	}
	return 0;
}

/* strchr(s, '\0') finds the terminator, as C requires. */
NO_LIBCALL_LOOPS char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
