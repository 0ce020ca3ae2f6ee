/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The physical page allocator: 4 KiB pages from the hypervisor's pool
 * ([longbus] memory), i.e. only from MEM_HV_POOL regions of the normalized
 * memory map (kernel/memmap.h). Reserved, ACPI, MMIO, runtime, guest, file,
 * loader and unassigned free memory are never handed out.
 *
 * Each pool region keeps a bitmap (bit set = page in use) in its own first
 * pages, which are marked used at init. A region too small to hold its
 * bitmap plus one page is skipped.
 *
 * Pure C: physical memory is reached only through palloc_ops.phys_to_virt,
 * one 4 KiB page at a time, so the unit tests back it with malloc'd pages
 * and the core with its direct map (or any mapping that changes over time:
 * nothing is cached).
 *
 * Context: any CPU. No locking inside: all state lives in struct palloc,
 * and the caller serializes every call on one instance (the core wraps its
 * instance in a spinlock). Cost: O(pages in the pool / 64) per allocation
 * in the worst case, next-fit from where the last allocation ended.
 */
#ifndef LONGBUS_PALLOC_H
#define LONGBUS_PALLOC_H

#include "kernel/compiler.h"
#include "kernel/memmap.h"

#define PALLOC_PAGE_SIZE 4096ULL
#define PALLOC_PAGE_SHIFT 12

/* Pool regions beyond this many are ignored and counted in regions_ignored. */
#define PALLOC_MAX_REGIONS 32

struct palloc_ops {
	/*
	 * A pointer through which the 4 KiB page at pa (page aligned, inside a
	 * pool region) can be read and written, or NULL if it cannot be
	 * reached. Called with the caller's lock held: must not block.
	 */
	void *(*phys_to_virt)(void *ctx, paddr_t pa);
	void *ctx;
};

/* One pool region. Page i of the region is bit i of its bitmap. */
struct palloc_region {
	paddr_t base;	 /* page aligned; the bitmap starts here */
	u64 npages;	 /* pages in the region, bitmap pages included */
	u64 meta_pages;	 /* leading pages holding the bitmap, always in use */
	u64 free_pages;
	u64 hint;	 /* page index where the next search starts */
};

struct palloc {
	struct palloc_ops ops;
	u32 nregions;
	u32 regions_small;   /* pool regions skipped: no page left after the bitmap */
	u32 regions_ignored; /* pool regions beyond PALLOC_MAX_REGIONS */
	u64 total_pages;     /* allocatable pages, bitmap pages excluded */
	u64 free_pages;
	struct palloc_region regions[PALLOC_MAX_REGIONS];
};

/*
 * Sets up pa from the MEM_HV_POOL regions of r[0..n) and clears their
 * bitmaps through ops. r should be a normalized map; pool edges that are not
 * page aligned are shrunk to whole pages all the same. ops is copied.
 *
 * Returns 0; -EINVAL for NULL arguments, a pool region that wraps past 2^64,
 * or a pool region overlapping any other region in r (the pool must be
 * nobody else's); -ENOMEM when no pool page is left to allocate; -EFAULT
 * when phys_to_virt cannot reach a bitmap page.
 */
int palloc_init(struct palloc *pa, const struct mem_region *r, size_t n,
		const struct palloc_ops *ops) __must_check;

/*
 * Allocates npages contiguous pages whose physical address is a multiple of
 * align_pages pages (a power of two; 1 = any) and stores the address of the
 * first in *out. The pages are zeroed through phys_to_virt before they are
 * handed out: page tables, VMCS/VMCB and rings all need zeroed pages, and
 * the pool starts with whatever firmware or a previous owner left there.
 *
 * Returns 0; -EINVAL for npages == 0, an align_pages that is 0 or not a
 * power of two, or NULL arguments; -ENOMEM when no run fits; -EFAULT when
 * phys_to_virt cannot reach a page (nothing is allocated then).
 */
int palloc_alloc(struct palloc *pa, size_t npages, size_t align_pages,
		 paddr_t *out) __must_check;

/*
 * Returns npages pages starting at base, which must be exactly pages this
 * allocator handed out and that are still allocated (a sub-range of one
 * allocation is fine). Anything else is a caller bug: -EINVAL, and nothing
 * changes (bitmap pages, memory outside the pool, an unaligned base, a range
 * crossing a region edge, or any page already free).
 */
int palloc_free(struct palloc *pa, paddr_t base, size_t npages) __must_check;

/* Allocatable and currently free page counts (bitmap pages excluded). */
void palloc_stats(const struct palloc *pa, u64 *total_pages, u64 *free_pages);

/* True if pa lies in an allocatable page of the pool (allocated or not). */
bool palloc_owns(const struct palloc *pa, paddr_t addr);

#endif
