/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NPT entry format for the stage-2 builder (vmm/stage2.h), and nCR3.
 *
 * Every present entry, tables and leaves, has P and U/S set (a nested walk
 * is a user access); tables also have R/W and no NX, so the leaves alone
 * decide the rights. Leaves: R/W from STAGE2_WRITE; NX when STAGE2_EXEC is
 * absent, which relies on the host's EFER.NXE being set on every CPU that
 * runs VMRUN (kernel/paging.c sets it on all CPUs); read access cannot be
 * taken away without unmapping. STAGE2_MT_UC sets PCD|PWT (host PAT entry
 * 3, UC); STAGE2_MT_WB sets neither (entry 0, WB). The CPU sets A/D in
 * these entries itself; they are ignored here.
 *
 * Context: pure C; the format table is const and shared by all CPUs.
 */
#ifndef LONGBUS_SVM_NPT_H
#define LONGBUS_SVM_NPT_H

#include "vmm/stage2.h"

extern const struct stage2_format npt_format;

/* The VMCB nCR3 value for a tree rooted at pml4 (table walks write-back). */
u64 npt_ncr3(paddr_t pml4);

#endif
