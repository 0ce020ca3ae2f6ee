/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few C library routines longbus uses. In a hosted build (the unit
 * tests) the C library provides them; in the core they come from
 * kernel/lib/string.c and kernel/lib/mem.c; the loader takes memcpy/memset
 * from GNU-EFI's libefi and the rest from kernel/lib/string.c.
 */
#ifndef LONGBUS_KLIB_H
#define LONGBUS_KLIB_H

#include <stdarg.h>
#include "kernel/compiler.h"

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/*
 * printf-style formatting into a bounded buffer; always NUL-terminates when
 * size > 0 and returns the length the full output would have had.
 * Supports %d %i %u %x %X %p %s %c %%, flags '-', '0', width, precision for
 * %s, and the length modifiers l, ll, z, h, hh.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
