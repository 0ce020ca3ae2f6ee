// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EPT entry format (SDM vol. 3, 29.3.2) behind struct stage2_format,
 * the EPT pointer, and the capability checks. See vmm/vmx/ept.h.
 *
 * Environment: pure C, no state; runs on any CPU and in tests/unit.
 */
#include "vmm/vmx/ept.h"

#include "vmm/vmx/ept_regs.h"
#include "vmm/vmx/vmx_regs.h"

static u64 ept_leaf(paddr_t hpa, unsigned level, u32 perms, enum stage2_memtype mt)
{
	u64 e = (hpa & ept_leaf_addr_mask(level)) |
		FIELD_PREP(EPT_MEMTYPE_MASK, mt == STAGE2_MT_UC ? EPT_MT_UC : EPT_MT_WB);

	if (perms & STAGE2_READ)
		e |= EPT_READ;
	if (perms & STAGE2_WRITE)
		e |= EPT_WRITE;
	if (perms & STAGE2_EXEC)
		e |= EPT_EXEC;
	if (level > 0)
		e |= EPT_LARGE;
	return e;
}

static u64 ept_table(paddr_t table, unsigned level)
{
	(void)level;
	return (table & EPT_ADDR_MASK) | EPT_RWX;
}

static bool ept_is_present(u64 e)
{
	return (e & EPT_RWX) != 0;
}

static bool ept_is_leaf(u64 e, unsigned level)
{
	return level == 0 || (level < 3 && (e & EPT_LARGE));
}

static paddr_t ept_addr(u64 e, unsigned level)
{
	return e & (ept_is_leaf(e, level) ? ept_leaf_addr_mask(level) : EPT_ADDR_MASK);
}

static u32 ept_perms(u64 e)
{
	return ((e & EPT_READ) ? STAGE2_READ : 0) | ((e & EPT_WRITE) ? STAGE2_WRITE : 0) |
	       ((e & EPT_EXEC) ? STAGE2_EXEC : 0);
}

static enum stage2_memtype ept_memtype(u64 e, unsigned level)
{
	(void)level;
	return ept_entry_memtype(e) == EPT_MT_UC ? STAGE2_MT_UC : STAGE2_MT_WB;
}

const struct stage2_format ept_format = {
	.name = "ept",
	.leaf = ept_leaf,
	.table = ept_table,
	.is_present = ept_is_present,
	.is_leaf = ept_is_leaf,
	.addr = ept_addr,
	.perms = ept_perms,
	.memtype = ept_memtype,
};

u64 ept_pointer(paddr_t pml4)
{
	return (pml4 & EPTP_ADDR_MASK) | FIELD_PREP(EPTP_MEMTYPE_MASK, EPT_MT_WB) |
	       FIELD_PREP(EPTP_WALK_LENGTH_MASK, 4 - 1);
}

const char *ept_caps_missing(u64 cap)
{
	if (!(cap & EPT_VPID_CAP_WALK_4))
		return "4-level walk";
	if (!(cap & EPT_VPID_CAP_WB))
		return "WB paging structures";
	if (!(cap & EPT_VPID_CAP_INVEPT))
		return "INVEPT";
	if (!(cap & (EPT_VPID_CAP_INVEPT_SINGLE | EPT_VPID_CAP_INVEPT_ALL)))
		return "INVEPT single or all context";
	return NULL;
}

u32 ept_page_sizes(u64 cap)
{
	return STAGE2_PAGE_4K | ((cap & EPT_VPID_CAP_2M) ? STAGE2_PAGE_2M : 0) |
	       ((cap & EPT_VPID_CAP_1G) ? STAGE2_PAGE_1G : 0);
}
