/* SPDX-License-Identifier: GPL-2.0-only */
/* Model-specific registers the core uses (SDM vol. 4, table 2-2). Arch-only. */
#ifndef LONGBUS_X86_MSR_H
#define LONGBUS_X86_MSR_H

#include "kernel/compiler.h"

#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define MSR_IA32_APIC_BASE 0x0000001b
#define MSR_IA32_TSC_DEADLINE 0x000006e0
#define MSR_IA32_PAT 0x00000277
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_X2APIC BIT(10)
#define APIC_BASE_ENABLE BIT(11)
#define APIC_BASE_ADDR_MASK GENMASK(51, 12)

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)

/* x2APIC registers are MSRs 0x800 + (xAPIC offset >> 4) (SDM vol. 3, 11.12.1.2). */
#define MSR_X2APIC_BASE 0x800

#endif
