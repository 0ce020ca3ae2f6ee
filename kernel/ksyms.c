// SPDX-License-Identifier: GPL-2.0-only
/*
 * Symbol lookup over the generated table (sorted by address).
 * Context: any, including the exception path; reads only constant data.
 */
#include "kernel/ksyms.h"

struct ksym_entry {
	u64 addr;
	u64 name_off;
};

/* Defined in the generated build/ksyms*.S. */
extern const u64 ksyms_count;
extern const struct ksym_entry ksyms_table[];
extern const char ksyms_names[];
extern const char __text_start[], __text_end[];

const char *ksym_lookup(u64 addr, u64 *offset)
{
	u64 lo = 0, hi = ksyms_count;

	if (addr < (u64)(uintptr_t)__text_start || addr >= (u64)(uintptr_t)__text_end ||
	    hi == 0)
		return NULL;
	/* Last entry with entry.addr <= addr. */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;
		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_table[lo].addr > addr)
		return NULL;
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_names + ksyms_table[lo].name_off;
}
