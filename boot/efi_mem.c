// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page allocations for the hand-over. Every allocation carries a longbus
 * memory type (boot/boot_info.h) so that the final memory map records who
 * owns each range.
 * Context: boot services.
 */
#include "boot/loader.h"

/*
 * Every allocation is remembered so that a failed boot gives all of it back
 * before returning to the firmware: an operator may pick another boot entry.
 */
#define MAX_ALLOCS 128
static struct {
	EFI_PHYSICAL_ADDRESS base;
	UINTN pages;
} allocs[MAX_ALLOCS];
static unsigned nallocs;

static EFI_STATUS remember(EFI_PHYSICAL_ADDRESS base, UINTN pages)
{
	if (nallocs == MAX_ALLOCS) {
		BS->FreePages(base, pages);
		return EFI_OUT_OF_RESOURCES;
	}
	allocs[nallocs].base = base;
	allocs[nallocs].pages = pages;
	nallocs++;
	return EFI_SUCCESS;
}

void mem_release_all(void)
{
	while (nallocs) {
		nallocs--;
		BS->FreePages(allocs[nallocs].base, allocs[nallocs].pages);
	}
}

EFI_STATUS mem_alloc(u32 type, u64 size, u64 align, paddr_t *phys)
{
	UINTN pages = EFI_SIZE_TO_PAGES(size);
	UINTN extra = align > EFI_PAGE_SIZE ? EFI_SIZE_TO_PAGES(align) - 1 : 0;
	EFI_PHYSICAL_ADDRESS base;
	EFI_STATUS st;

	st = BS->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)type,
			       pages + extra, &base);
	if (EFI_ERROR(st))
		return st;
	if (extra) {
		/* Over-allocate, then give back the unaligned head and the tail. */
		EFI_PHYSICAL_ADDRESS aligned = (base + align - 1) & ~(align - 1);
		UINTN head = EFI_SIZE_TO_PAGES(aligned - base);
		if (head)
			BS->FreePages(base, head);
		if (extra - head)
			BS->FreePages(aligned + pages * EFI_PAGE_SIZE, extra - head);
		base = aligned;
	}
	*phys = base;
	return remember(base, pages);
}

EFI_STATUS mem_alloc_below(u32 type, u64 size, paddr_t max, paddr_t *phys)
{
	EFI_PHYSICAL_ADDRESS base = max;
	EFI_STATUS st;

	st = BS->AllocatePages(AllocateMaxAddress, (EFI_MEMORY_TYPE)type,
			       EFI_SIZE_TO_PAGES(size), &base);
	if (EFI_ERROR(st))
		return st;
	*phys = base;
	return remember(base, EFI_SIZE_TO_PAGES(size));
}
