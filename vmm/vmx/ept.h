/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The EPT entry format for the stage-2 builder (vmm/stage2.h), the EPT
 * pointer, and what longbus needs from IA32_VMX_EPT_VPID_CAP.
 *
 * Leaves: R/W/X from the neutral rights; memory type WB (6) for
 * STAGE2_MT_WB and UC (0) for STAGE2_MT_UC; ignore-PAT clear, so the
 * guest's PAT still combines with it (SDM vol. 3, 29.3.7: the EPT type
 * takes the MTRR's place in table 12-7, so UC stays UC unless the guest
 * PAT asks for WC, and WB follows the guest's choice). Tables:
 * R/W/X all set, because the rights of a walk are the AND of every level
 * and the leaves alone decide. A/D bits, when EPTP_AD_ENABLE is used, are
 * set by the CPU and ignored here.
 *
 * Context: pure C; the format table is const and shared by all CPUs.
 */
#ifndef LONGBUS_VMX_EPT_H
#define LONGBUS_VMX_EPT_H

#include "vmm/stage2.h"

extern const struct stage2_format ept_format;

/*
 * The EPTP for a tree rooted at pml4: 4-level walk, write-back tables,
 * accessed/dirty flags off (OR in EPTP_AD_ENABLE from ept_regs.h when the
 * CPU has EPT_VPID_CAP_AD and they are wanted).
 */
u64 ept_pointer(paddr_t pml4);

/*
 * The first capability longbus cannot run without, by name ("4-level
 * walk", "WB paging structures", "INVEPT", "INVEPT single or all
 * context"), or NULL when cap (IA32_VMX_EPT_VPID_CAP) has them all.
 */
const char *ept_caps_missing(u64 cap);

/* The STAGE2_PAGE_* sizes cap allows: 4 KiB always, 2 MiB and 1 GiB if reported. */
u32 ept_page_sizes(u64 cap);

#endif
