// SPDX-License-Identifier: GPL-2.0-only
/*
 * memcpy and memset for the core.
 *
 * Context: any. Kept apart from string.c because the UEFI loader links
 * GNU-EFI's libefi, which already defines these two; the loader links
 * string.c only, the core links both.
 *
 * Written as `rep movsb` / `rep stosb` rather than C loops: GCC recognises
 * a byte-copy loop and may turn it into a call to memcpy, which here would
 * be a call to itself. On CPUs with ERMSB (every VT-x/SVM part longbus
 * targets) the string instructions are also the fast path. The direction
 * flag is clear on entry per the SysV ABI, so no cld is needed.
 */
#include "kernel/klib.h"

#ifndef __x86_64__
#error "kernel/lib/mem.c is x86-64 only"
#endif

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(n)
			 :
			 : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb"
			 : "+D"(d), "+c"(n)
			 : "a"(c)
			 : "memory");
	return dst;
}
