// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NPT entry format (APM vol. 2, 15.25; long-mode entries, 5.4) behind
 * struct stage2_format, and nCR3. See vmm/svm/npt.h.
 *
 * Environment: pure C, no state; runs on any CPU and in tests/unit.
 */
#include "vmm/svm/npt.h"

#include "vmm/svm/npt_regs.h"

static u64 npt_leaf(paddr_t hpa, unsigned level, u32 perms, enum stage2_memtype mt)
{
	u64 e = (hpa & npt_leaf_addr_mask(level)) | NPT_P | NPT_US;

	/* STAGE2_READ is implied by P: stage2 never asks for a leaf without it. */
	if (perms & STAGE2_WRITE)
		e |= NPT_RW;
	if (!(perms & STAGE2_EXEC))
		e |= NPT_NX;
	if (mt == STAGE2_MT_UC)
		e |= NPT_CACHE_UC;
	if (level > 0)
		e |= NPT_PS;
	return e;
}

static u64 npt_table(paddr_t table, unsigned level)
{
	(void)level;
	return (table & NPT_ADDR_MASK) | NPT_P | NPT_RW | NPT_US;
}

static bool npt_is_present(u64 e)
{
	return (e & NPT_P) != 0;
}

static bool npt_is_leaf(u64 e, unsigned level)
{
	return level == 0 || (level < 3 && (e & NPT_PS));
}

static paddr_t npt_addr(u64 e, unsigned level)
{
	return e & (npt_is_leaf(e, level) ? npt_leaf_addr_mask(level) : NPT_ADDR_MASK);
}

static u32 npt_perms(u64 e)
{
	return STAGE2_READ | ((e & NPT_RW) ? STAGE2_WRITE : 0) |
	       ((e & NPT_NX) ? 0 : STAGE2_EXEC);
}

static enum stage2_memtype npt_memtype(u64 e, unsigned level)
{
	(void)level;
	return (e & NPT_CACHE_UC) == NPT_CACHE_UC ? STAGE2_MT_UC : STAGE2_MT_WB;
}

const struct stage2_format npt_format = {
	.name = "npt",
	.leaf = npt_leaf,
	.table = npt_table,
	.is_present = npt_is_present,
	.is_leaf = npt_is_leaf,
	.addr = npt_addr,
	.perms = npt_perms,
	.memtype = npt_memtype,
};

u64 npt_ncr3(paddr_t pml4)
{
	return pml4 & NCR3_ADDR_MASK;
}
