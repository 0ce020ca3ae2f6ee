/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EPT paging-structure entries and the EPT pointer, as the SDM names them.
 * Arch-only: vmm/vmx includes this, vmm/ never does. Constants and tiny
 * inline getters only; vmm/vmx/ept.c holds the logic.
 *
 * Entries: SDM vol. 3, 29.3.2 (tables 29-1..29-6). EPTP: 25.6.11.
 * Capabilities: IA32_VMX_EPT_VPID_CAP (MSR 0x48c, in vmx_regs.h), A.10;
 * the bits vmx_regs.h already names (WB, INVEPT, single-context INVEPT)
 * are not repeated here.
 */
#ifndef LONGBUS_VMX_EPT_REGS_H
#define LONGBUS_VMX_EPT_REGS_H

#include "kernel/compiler.h"

/* Every EPT entry (tables 29-1..29-6). Present = any of bits 2:0. */
#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXEC BIT(2) /* supervisor-mode execute when MBEC is on */
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_ADDR_MASK GENMASK(51, 12)
#define EPT_ACCESSED BIT(8) /* only with EPTP_AD_ENABLE */

/* Leaf entries only; bits 7:3 are reserved in entries that point at a table. */
#define EPT_MEMTYPE_MASK GENMASK(5, 3)
#define EPT_IGNORE_PAT BIT(6)
#define EPT_LARGE BIT(7) /* a 2 MiB PDE or 1 GiB PDPTE; reserved in the PML4E */
#define EPT_DIRTY BIT(9) /* only with EPTP_AD_ENABLE */
#define EPT_USER_EXEC BIT(10) /* only with mode-based execute control */
#define EPT_SUPPRESS_VE BIT(63)

/* Memory types (SDM vol. 3, 12.3, table 12-2), in leaves and in the EPTP. */
#define EPT_MT_UC 0
#define EPT_MT_WB 6

/* The EPT pointer, VMCS field 0x201a (25.6.11). */
#define EPTP_MEMTYPE_MASK GENMASK(2, 0) /* for the walk of the tables */
#define EPTP_WALK_LENGTH_MASK GENMASK(5, 3) /* levels minus 1 */
#define EPTP_AD_ENABLE BIT(6)
#define EPTP_ADDR_MASK GENMASK(51, 12)

/* IA32_VMX_EPT_VPID_CAP bits not in vmx_regs.h (A.10). */
#define EPT_VPID_CAP_EXEC_ONLY BIT(0)
#define EPT_VPID_CAP_WALK_4 BIT(6)
#define EPT_VPID_CAP_UC BIT(8)
#define EPT_VPID_CAP_2M BIT(16)
#define EPT_VPID_CAP_1G BIT(17)
#define EPT_VPID_CAP_AD BIT(21)
#define EPT_VPID_CAP_INVEPT_ALL BIT(26)

static inline u64 ept_entry_memtype(u64 e)
{
	return FIELD_GET(EPT_MEMTYPE_MASK, e);
}

/* Address bits of a leaf at level (0: 4 KiB, 1: 2 MiB, 2: 1 GiB). */
static inline u64 ept_leaf_addr_mask(unsigned level)
{
	return GENMASK(51, 12 + 9 * level);
}

#endif
