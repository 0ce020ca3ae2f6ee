// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hand-over: bootstrap page tables, ExitBootServices, and the jump.
 *
 * The bootstrap tables map exactly what the first instructions of the core
 * need: an identity map of low physical memory (the loader is executing from
 * it when CR3 changes), the same range again at DIRECT_MAP_BASE (the core's
 * direct map, so it can read boot_info and build its own tables), and the
 * core image at CORE_LINK_BASE. The core replaces them with its own tables
 * at once; they stay in LB_MEMTYPE_BOOT memory, which is never reused.
 * Context: boot services until ExitBootServices succeeds, then nothing.
 */
#include "boot/loader.h"
#include "kernel/klib.h"

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL
#define GIB (1ULL << 30)
#define MIB2 (2ULL << 20)
#define PT_ENTRIES 512

/* Highest physical address in the firmware's memory map. */
static u64 memmap_top(void)
{
	UINTN n, key, dsz;
	UINT32 ver;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&n, &key, &dsz, &ver);
	u64 top = 0;

	if (!map)
		return 0;
	for (UINTN i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((u8 *)map + i * dsz);
		u64 end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;
		if (end > top)
			top = end;
	}
	FreePool(map);
	return top;
}

static u64 *table_at(paddr_t pa)
{
	return (u64 *)(uintptr_t)pa;
}

EFI_STATUS handover_build_tables(struct boot_info *bi, paddr_t core_phys,
				 u64 core_mem_size, paddr_t *cr3)
{
	u64 top = ALIGN_UP(max_u64(memmap_top(), 4 * GIB), GIB);
	u64 ngib, core_pages = ALIGN_UP(core_mem_size, 4096) / 4096;
	u64 npt = ALIGN_UP(core_pages, PT_ENTRIES) / PT_ENTRIES;
	paddr_t base;
	EFI_STATUS st;

	(void)bi;
	/* One PDPT covers 512 GiB; more RAM than that is not mapped early. */
	if (top > 512 * GIB)
		top = 512 * GIB;
	ngib = top / GIB;
	if (npt > PT_ENTRIES)
		return EFI_BAD_BUFFER_SIZE;

	/* PML4, low PDPT, one PD per GiB, high PDPT, core PD, core PTs. */
	u64 pages = 1 + 1 + ngib + 1 + 1 + npt;
	st = mem_alloc(LB_MEMTYPE_BOOT, pages * 4096, 4096, &base);
	if (EFI_ERROR(st))
		return st;
	memset((void *)(uintptr_t)base, 0, pages * 4096);

	paddr_t pml4 = base, pdpt_lo = base + 4096, pd0 = base + 2 * 4096;
	paddr_t pdpt_hi = pd0 + ngib * 4096, pd_core = pdpt_hi + 4096;
	paddr_t pt0 = pd_core + 4096;

	for (u64 g = 0; g < ngib; g++) {
		u64 *pd = table_at(pd0 + g * 4096);
		for (u64 i = 0; i < PT_ENTRIES; i++)
			pd[i] = (g * GIB + i * MIB2) | PTE_P | PTE_RW | PTE_PS;
		table_at(pdpt_lo)[g] = (pd0 + g * 4096) | PTE_P | PTE_RW;
	}
	table_at(pml4)[0] = pdpt_lo | PTE_P | PTE_RW;
	table_at(pml4)[(DIRECT_MAP_BASE >> 39) & 511] = pdpt_lo | PTE_P | PTE_RW;

	for (u64 p = 0; p < core_pages; p++)
		table_at(pt0)[p] = (core_phys + p * 4096) | PTE_P | PTE_RW;
	for (u64 t = 0; t < npt; t++)
		table_at(pd_core)[t] = (pt0 + t * 4096) | PTE_P | PTE_RW;
	table_at(pdpt_hi)[(CORE_LINK_BASE >> 30) & 511] = pd_core | PTE_P | PTE_RW;
	table_at(pml4)[(CORE_LINK_BASE >> 39) & 511] = pdpt_hi | PTE_P | PTE_RW;

	*cr3 = pml4;
	return EFI_SUCCESS;
}

/* Copy the raw descriptors (whose stride is dsz, not sizeof) into boot_info. */
static void copy_memmap(struct boot_info *bi, const u8 *raw, UINTN size, UINTN dsz)
{
	struct bi_memdesc *out = (void *)(uintptr_t)bi->mmap;
	u32 n = 0;

	for (UINTN off = 0; off + dsz <= size && n < bi->mmap_capacity; off += dsz) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(raw + off);
		out[n].type = d->Type;
		out[n].reserved = 0;
		out[n].base = d->PhysicalStart;
		out[n].npages = d->NumberOfPages;
		out[n].attr = d->Attribute;
		n++;
	}
	bi->mmap_count = n;
}

EFI_STATUS handover_exit_and_jump(EFI_HANDLE image, struct boot_info *bi,
				  paddr_t cr3, u64 entry, u64 stack_top)
{
	UINTN size, key, dsz, cap;
	UINT32 ver;
	paddr_t raw;
	EFI_STATUS st;

	/* Size the buffers now: after the first ExitBootServices try, no allocation. */
	size = 0;
	st = BS->GetMemoryMap(&size, NULL, &key, &dsz, &ver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return st;
	cap = size + 64 * dsz; /* room for the map to grow by our own allocations */
	st = mem_alloc(LB_MEMTYPE_BOOT, cap, 4096, &raw);
	if (EFI_ERROR(st))
		return st;
	bi->mmap_capacity = (u32)(cap / dsz);
	st = mem_alloc(LB_MEMTYPE_BOOT, bi->mmap_capacity * sizeof(struct bi_memdesc),
		       4096, &bi->mmap);
	if (EFI_ERROR(st))
		return st;

	/*
	 * The map key changes whenever the firmware allocates, and timer
	 * callbacks may do so between the two calls: retry a few times, as
	 * the UEFI spec anticipates.
	 */
	for (int tries = 0; tries < 16; tries++) {
		size = cap;
		st = BS->GetMemoryMap(&size, (void *)(uintptr_t)raw, &key, &dsz, &ver);
		if (EFI_ERROR(st))
			continue;
		st = BS->ExitBootServices(image, key);
		if (st == EFI_SUCCESS)
			break;
	}
	if (st != EFI_SUCCESS)
		return st;

	copy_memmap(bi, (const u8 *)(uintptr_t)raw, size, dsz);
	lb_jump_to_core(cr3, entry, stack_top, (u64)(uintptr_t)bi);
}
