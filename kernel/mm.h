/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's own address space (docs/architecture.md, "Memory"):
 *
 *   0xffff800000000000  direct map of RAM (phys + DIRECT_MAP_BASE), NX
 *   0xffffc00000000000  device registers, mapped uncached on demand
 *   0xffffe00000000000  per-CPU stacks, each between unmapped guard pages
 *   0xffffffff80000000  the core image (text RX, rodata R, data/bss RW)
 *   low identity        the SMP trampoline and the UEFI runtime regions,
 *                       which firmware code reaches by physical address
 *
 * and the physical page allocator (the pool from [longbus] memory).
 */
#ifndef LONGBUS_MM_H
#define LONGBUS_MM_H

#include "boot/boot_info.h"
#include "kernel/compiler.h"
#include "kernel/memmap.h"

#define PAGE_SIZE 4096ULL
#define IOREMAP_BASE 0xffffc00000000000ULL
#define IOREMAP_SIZE (64ULL << 30)
#define STACK_AREA_BASE 0xffffe00000000000ULL

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

/* Only for addresses inside the direct map. */
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va - DIRECT_MAP_BASE;
}

/* Normalizes the memory map and sets up the page allocator. Boot CPU, once. */
void mm_init(const struct boot_info *bi);
/* Builds and loads the core's own page tables. Boot CPU, once, after mm_init. */
void paging_init(const struct boot_info *bi);
/* Loads the core's page tables on an AP. */
void paging_load(void);
u64 paging_root(void);

/*
 * Page allocator; the pages are zeroed. Returns 0 or -ENOMEM. Any CPU,
 * takes a short spinlock.
 */
int page_alloc(size_t npages, size_t align_pages, paddr_t *pa) __must_check;
void page_free(paddr_t pa, size_t npages);
void page_stats(u64 *total, u64 *free);

/*
 * Maps device registers uncached and returns their virtual address, or
 * NULL when the ioremap window is exhausted. Works for any physical address
 * the CPU can reach, including 64-bit BARs above 4 GiB. Mappings are never
 * torn down; a second call for the same range returns the same address.
 */
void *ioremap(paddr_t pa, size_t len);

/*
 * Read access to firmware tables: the direct map when the range is RAM,
 * otherwise an uncached mapping. NULL when unmappable.
 */
const void *phys_map_ro(paddr_t pa, size_t len);

/* Maps a stack of `pages` pages with unmapped guard pages on both sides; returns its top. */
u64 stack_alloc(size_t pages);

/* The normalized memory map, for the `mem` command. */
const struct mem_region *mm_regions(size_t *n);

#endif
