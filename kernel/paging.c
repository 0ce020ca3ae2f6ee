// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's own page tables (layout in kernel/mm.h): the direct map of
 * RAM, the core image with per-section permissions, identity maps for the
 * SMP trampoline and the UEFI runtime regions, device mappings made on
 * demand, and guard-paged stacks.
 * Singleton: the hypervisor's address space (root table, the ioremap and
 * stack windows), owned here; map_lock serializes changes after boot.
 */
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/msr.h"
#include "kernel/x86/paging_regs.h"

#define LOG_TAG "mm"
#define SIZE_2M (2ULL << 20)
#define MAX_IOMAPS 64

static u64 *root; /* PML4, in the direct map */
static struct spinlock map_lock; /* protects: the tables below root, ioremap and stack windows */

static u64 ioremap_next = IOREMAP_BASE;
static u64 stack_next = STACK_AREA_BASE;
static struct {
	paddr_t pa;
	u64 len;
	u64 va;
} iomaps[MAX_IOMAPS];
static unsigned niomaps;

extern const char __core_start[], __text_end[], __rodata_end[], __core_end[];

/* The next-level table under entry `e`, allocated when absent. */
static u64 *next_table(u64 *e)
{
	paddr_t pa;

	if (*e & PTE_PRESENT) {
		ASSERT(!(*e & PTE_LARGE));
		return phys_to_virt(*e & PTE_ADDR_MASK);
	}
	if (page_alloc(1, 1, &pa))
		panic("out of pool memory for page tables");
	/* Intermediate entries stay permissive; the leaf decides. */
	*e = pa | PTE_PRESENT | PTE_WRITE;
	return phys_to_virt(pa);
}

/*
 * Maps [va, va+size) to [pa, pa+size) with `flags`, using 2 MiB pages where
 * both addresses are aligned and large is allowed. Existing 4 KiB leaves
 * are overwritten (identity ranges may repeat).
 */
static void map_range(u64 va, paddr_t pa, u64 size, u64 flags, bool large)
{
	u64 end = va + size;

	while (va < end) {
		u64 *pdpt = next_table(&root[PT_INDEX(va, 4)]);
		u64 *pd = next_table(&pdpt[PT_INDEX(va, 3)]);
		if (large && IS_ALIGNED(va, SIZE_2M) && IS_ALIGNED(pa, SIZE_2M) &&
		    end - va >= SIZE_2M && !(pd[PT_INDEX(va, 2)] & PTE_PRESENT)) {
			pd[PT_INDEX(va, 2)] = pa | flags | PTE_LARGE | PTE_PRESENT;
			va += SIZE_2M;
			pa += SIZE_2M;
			continue;
		}
		u64 *pt = next_table(&pd[PT_INDEX(va, 2)]);
		pt[PT_INDEX(va, 1)] = pa | flags | PTE_PRESENT;
		va += PAGE_SIZE;
		pa += PAGE_SIZE;
	}
}

/* RAM goes into the direct map, write-back and never executable. */
static void map_direct(void)
{
	size_t n;
	const struct mem_region *r = mm_regions(&n);

	for (size_t i = 0; i < n;) {
		if (!memmap_class_is_ram(r[i].cls)) {
			i++;
			continue;
		}
		/* Join adjacent RAM regions so 2 MiB pages can span their borders. */
		paddr_t base = r[i].base, end = r[i].base + r[i].size;
		for (i++; i < n && memmap_class_is_ram(r[i].cls) && r[i].base == end; i++)
			end = r[i].base + r[i].size;
		map_range(DIRECT_MAP_BASE + base, base, end - base, PTE_WRITE | PTE_NX, true);
	}
}

static void map_core(const struct boot_info *bi)
{
	u64 start = (u64)(uintptr_t)__core_start;
	u64 text_end = (u64)(uintptr_t)__text_end;
	u64 ro_end = (u64)(uintptr_t)__rodata_end;
	u64 end = (u64)(uintptr_t)__core_end;
	paddr_t pa = bi->core_phys;

	/* .head and .text: executable, read-only. */
	map_range(start, pa, text_end - start, 0, false);
	map_range(text_end, pa + (text_end - start), ro_end - text_end, PTE_NX, false);
	map_range(ro_end, pa + (ro_end - start), end - ro_end, PTE_WRITE | PTE_NX, false);
}

/*
 * Firmware runtime code runs with our tables and uses physical addresses
 * (we never call SetVirtualAddressMap), and APs climb out of real mode in
 * the trampoline: both need identity mappings.
 */
static void map_identity(const struct boot_info *bi)
{
	size_t n;
	const struct mem_region *r = mm_regions(&n);

	map_range(bi->lowmem_phys, bi->lowmem_phys, bi->lowmem_size, PTE_WRITE, false);
	for (size_t i = 0; i < n; i++) {
		if (!(r[i].attr & BI_MEMORY_RUNTIME))
			continue;
		u64 flags = PTE_WRITE;
		if (r[i].cls == MEM_MMIO || !(r[i].attr & BI_MEMORY_WB))
			flags |= PTE_UNCACHED | PTE_NX;
		map_range(r[i].base, r[i].base, r[i].size, flags, false);
	}
}

void paging_init(const struct boot_info *bi)
{
	paddr_t pa;

	if (page_alloc(1, 1, &pa))
		panic("out of pool memory for the root page table");
	root = phys_to_virt(pa);
	map_direct();
	map_core(bi);
	map_identity(bi);

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(pa);
	log_info("page tables loaded: direct map, core image, identity for %lu KiB low memory",
		 (unsigned long)(bi->lowmem_size >> 10));
}

void paging_load(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(virt_to_phys(root));
}

u64 paging_root(void)
{
	return virt_to_phys(root);
}

void *ioremap(paddr_t pa, size_t len)
{
	paddr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	u64 size = ALIGN_UP(pa + len, PAGE_SIZE) - base;
	void *ret = NULL;
	u64 flags = spin_lock_irqsave(&map_lock);

	for (unsigned i = 0; i < niomaps; i++) {
		if (pa >= iomaps[i].pa && pa + len <= iomaps[i].pa + iomaps[i].len) {
			ret = (void *)(uintptr_t)(iomaps[i].va + (pa - iomaps[i].pa));
			goto out;
		}
	}
	if (niomaps == MAX_IOMAPS || ioremap_next + size > IOREMAP_BASE + IOREMAP_SIZE)
		goto out;
	map_range(ioremap_next, base, size, PTE_WRITE | PTE_UNCACHED | PTE_NX, false);
	iomaps[niomaps].pa = base;
	iomaps[niomaps].len = size;
	iomaps[niomaps].va = ioremap_next;
	niomaps++;
	ret = (void *)(uintptr_t)(ioremap_next + (pa - base));
	ioremap_next += size;
out:
	spin_unlock_irqrestore(&map_lock, flags);
	return ret;
}

const void *phys_map_ro(paddr_t pa, size_t len)
{
	size_t n;
	const struct mem_region *r = mm_regions(&n);
	const struct mem_region *m = memmap_find(r, n, pa);

	if (len == 0 || pa + len < pa)
		return NULL;
	if (m && memmap_class_is_ram(m->cls) && pa + len <= m->base + m->size)
		return phys_to_virt(pa);
	return ioremap(pa, len);
}

u64 stack_alloc(size_t pages)
{
	paddr_t pa;
	u64 flags = spin_lock_irqsave(&map_lock);

	if (page_alloc(pages, 1, &pa))
		panic("out of pool memory for a %zu-page stack", pages);
	/* One unmapped page below (overflow) and one above (underflow). */
	u64 va = stack_next + PAGE_SIZE;
	map_range(va, pa, pages * PAGE_SIZE, PTE_WRITE | PTE_NX, false);
	stack_next = va + pages * PAGE_SIZE;
	spin_unlock_irqrestore(&map_lock, flags);
	return stack_next;
}
