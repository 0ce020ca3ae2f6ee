// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest paging for tests that need it: one page directory of 4 MiB pages
 * (CR4.PSE), identity-mapping all 4 GiB, so turning paging on changes no
 * address the guest uses. Tests remap single 4 MiB pages to exercise the
 * hypervisor's guest page-table walker.
 */
#include "guest-api/libguest/libguest.h"

#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)

uint32_t lg_page_dir[1024] __attribute__((aligned(4096)));

void lg_paging_enable(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		lg_page_dir[i] = i * LG_PAGE_4M | LG_PDE_P | LG_PDE_RW | LG_PDE_PS;
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uint32_t)(uintptr_t)lg_page_dir);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

void lg_paging_disable(void)
{
	write_cr0(read_cr0() & ~CR0_PG);
}

void lg_paging_map_4m(uint32_t va, uint32_t pa, uint32_t flags)
{
	lg_page_dir[va / LG_PAGE_4M] = (pa & ~(LG_PAGE_4M - 1)) | flags | LG_PDE_PS;
	invlpg(va);
}

void lg_paging_unmap_4m(uint32_t va)
{
	lg_page_dir[va / LG_PAGE_4M] = 0;
	invlpg(va);
}
