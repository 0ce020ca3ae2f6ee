// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory map and the page allocator of the running core.
 * Singletons, owned here: the normalized memory map (written once by the
 * boot CPU in mm_init, then read-only) and the page allocator (struct
 * palloc, protected by pool_lock).
 */
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/palloc.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

#define LOG_TAG "mm"
#define MAX_REGIONS 512

static struct mem_region regions[MAX_REGIONS];
static size_t nregions;

static struct palloc pool;
static struct spinlock pool_lock; /* protects: pool */

static void *pool_phys_to_virt(void *ctx, paddr_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

void mm_init(const struct boot_info *bi)
{
	const struct bi_memdesc *desc = phys_to_virt(bi->mmap);
	struct palloc_ops ops = { .phys_to_virt = pool_phys_to_virt, .ctx = NULL };
	struct memmap_stats st;
	u64 total, free;

	if (memmap_normalize(desc, bi->mmap_count, regions, MAX_REGIONS, &nregions, &st))
		panic("memory map: %u descriptors do not fit %u regions", bi->mmap_count,
		      MAX_REGIONS);
	if (st.unknown || st.conflicts || st.clipped)
		log_warn("memory map: %u unknown types, %u conflicting overlaps, %u clipped",
			 st.unknown, st.conflicts, st.clipped);
	if (palloc_init(&pool, regions, nregions, &ops))
		panic("page allocator: no usable pool in the memory map");
	palloc_stats(&pool, &total, &free);
	log_info("%u memory-map entries, %lu MiB RAM, pool %lu MiB (%lu pages free)",
		 bi->mmap_count, (unsigned long)(memmap_class_bytes(regions, nregions, MEM_FREE) >> 20),
		 (unsigned long)(total * PAGE_SIZE >> 20), (unsigned long)free);
}

const struct mem_region *mm_regions(size_t *n)
{
	*n = nregions;
	return regions;
}

int page_alloc(size_t npages, size_t align_pages, paddr_t *pa)
{
	u64 flags = spin_lock_irqsave(&pool_lock);
	int ret = palloc_alloc(&pool, npages, align_pages, pa);
	spin_unlock_irqrestore(&pool_lock, flags);
	return ret;
}

void page_free(paddr_t pa, size_t npages)
{
	u64 flags = spin_lock_irqsave(&pool_lock);
	int ret = palloc_free(&pool, pa, npages);
	spin_unlock_irqrestore(&pool_lock, flags);
	if (ret)
		panic("page_free(0x%lx, %zu): not an allocated range", (unsigned long)pa,
		      npages);
}

void page_stats(u64 *total, u64 *free)
{
	u64 flags = spin_lock_irqsave(&pool_lock);
	palloc_stats(&pool, total, free);
	spin_unlock_irqrestore(&pool_lock, flags);
}
