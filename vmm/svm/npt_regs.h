/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested page-table entries and nCR3, as the APM names them. Arch-only:
 * vmm/svm includes this, vmm/ never does. Constants and tiny inline getters
 * only; vmm/svm/npt.c holds the logic.
 *
 * Nested tables use the ordinary long-mode entry format (APM vol. 2, 15.25
 * "Nested Paging", and 5.4 "Long-Mode Page Translation", figures 5-20..5-28),
 * walked as 4-level long-mode paging whatever mode the guest is in.
 */
#ifndef LONGBUS_SVM_NPT_REGS_H
#define LONGBUS_SVM_NPT_REGS_H

#include "kernel/compiler.h"

#define NPT_P BIT(0)
#define NPT_RW BIT(1)
/*
 * The CPU makes every nested access at user level (APM vol. 2, 15.25), so
 * U/S must be set at every level. Measured on QEMU 7.2 TCG: without it the
 * first guest access takes an NPF on the guest's PML4.
 */
#define NPT_US BIT(2)
#define NPT_PWT BIT(3)
#define NPT_PCD BIT(4)
#define NPT_A BIT(5)
#define NPT_D BIT(6)     /* leaves only */
#define NPT_PS BIT(7)    /* a 2 MiB PDE or 1 GiB PDPTE; reserved in the PML4E */
#define NPT_PAT_4K BIT(7)  /* PAT index bit of a 4 KiB PTE */
#define NPT_PAT_LARGE BIT(12) /* PAT index bit of a 2 MiB / 1 GiB leaf */
/*
 * No-execute. Honoured only while EFER.NXE is set in the host (the EFER in
 * effect at VMRUN); with NXE clear bit 63 is reserved and every access
 * through the entry takes an NPF with the reserved-bit flag.
 */
#define NPT_NX BIT(63)
#define NPT_ADDR_MASK GENMASK(51, 12)

/*
 * PWT|PCD select host PAT entry 3, which is UC in the power-on PAT that
 * the firmware leaves and longbus keeps (kernel/x86/paging_regs.h);
 * neither selects entry 0, WB.
 */
#define NPT_CACHE_UC (NPT_PWT | NPT_PCD)

/* nCR3, VMCB control offset 0xb0: the PML4 address; PWT/PCD bits 3/4 left 0 (WB walk). */
#define NCR3_ADDR_MASK GENMASK(51, 12)

/* CPUID Fn8000_000A EDX bit 0: nested paging. */
#define CPUID_SVM_NP BIT(0)

/* Address bits of a leaf at level (0: 4 KiB, 1: 2 MiB, 2: 1 GiB). */
static inline u64 npt_leaf_addr_mask(unsigned level)
{
	return GENMASK(51, 12 + 9 * level);
}

#endif
