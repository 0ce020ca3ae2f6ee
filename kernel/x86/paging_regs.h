/* SPDX-License-Identifier: GPL-2.0-only */
/* 4-level paging entry bits (SDM vol. 3, 4.5). Arch-only. */
#ifndef LONGBUS_X86_PAGING_REGS_H
#define LONGBUS_X86_PAGING_REGS_H

#include "kernel/compiler.h"

#define PTE_PRESENT BIT(0)
#define PTE_WRITE BIT(1)
#define PTE_USER BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_LARGE BIT(7) /* PS: 2 MiB in a PDE, 1 GiB in a PDPTE */
#define PTE_GLOBAL BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK GENMASK(51, 12)

/* With the firmware's PAT (PA3 = UC), PCD|PWT selects uncacheable. */
#define PTE_UNCACHED (PTE_PCD | PTE_PWT)

#define CR0_WP BIT(16)
#define CR4_PGE BIT(7)

#define PT_LEVEL_SHIFT(level) (12 + 9 * ((level) - 1)) /* level 1 = PT .. 4 = PML4 */
#define PT_INDEX(va, level) (((va) >> PT_LEVEL_SHIFT(level)) & 511)

#endif
