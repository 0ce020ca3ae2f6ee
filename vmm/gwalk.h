/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest page-table walker: guest-linear to guest-physical, as the CPU
 * would translate it, for emulation on MMIO exits (instruction bytes,
 * string operands). Paging off, 32-bit (4 KiB and PSE 4 MiB pages, PSE-36),
 * PAE (with the PDPTEs) and 4-level long mode (2 MiB and 1 GiB pages), with
 * the rights of SDM vol. 3, 4.6: U/S, R/W with CR0.WP, NX with EFER.NXE,
 * SMEP and SMAP; reserved bits by MAXPHYADDR and mode (4.3-4.5).
 *
 * Accessed and dirty flags. A successful walk sets A in every entry it
 * used and, for a write, D in the leaf, each with a compare-exchange on
 * guest memory as the CPU's locked update does, because a guest that
 * reclaims pages trusts D: a page the emulator wrote without D looks
 * clean and could be dropped. A failed walk sets nothing (the CPU may or
 * may not set A before faulting, SDM 4.8). A lost compare-exchange (the
 * guest changed the entry meanwhile) restarts the walk, a few times at
 * most. GWALK_PEEK walks without setting anything.
 *
 * Not modelled: 5-level paging (CR4.LA57: -ENOTSUP), protection keys
 * (CR4.PKE/PKS: keys are ignored; the CPUID filter must hide PKU), SMAP for
 * implicit supervisor accesses (explicit ones only), and segmentation: the
 * caller passes the linear address (segment base already added, limits
 * checked).
 *
 * Pure C: guest memory only through struct gwalk_mem. No state, no locks;
 * called on the exit path of the vCPU whose registers it is given.
 */
#ifndef LONGBUS_VMM_GWALK_H
#define LONGBUS_VMM_GWALK_H

#include "kernel/compiler.h"

/* Access flags. */
#define GWALK_WRITE BIT(0) /* a data write */
#define GWALK_FETCH BIT(1) /* an instruction fetch */
#define GWALK_USER BIT(2)  /* at CPL 3 */
#define GWALK_AC BIT(3)	   /* EFLAGS.AC = 1: SMAP lets this supervisor access through */
#define GWALK_PEEK BIT(4)  /* translate only: do not set A/D */

/* #PF error code (SDM vol. 3, 4.7). */
#define PF_ERR_PRESENT BIT(0) /* a protection or reserved-bit fault, not a missing page */
#define PF_ERR_WRITE BIT(1)
#define PF_ERR_USER BIT(2)
#define PF_ERR_RSVD BIT(3)
#define PF_ERR_FETCH BIT(4) /* only with NX paging (PAE/long + NXE) or CR4.SMEP */

#define GWALK_VEC_GP 13
#define GWALK_VEC_PF 14

/* gwalk_* returns this (positive) when the guest must take a fault. */
#define GWALK_FAULT 1

/* gwalk_read/gwalk_write move at most this many bytes per call. */
#define GWALK_COPY_MAX 4096

/* Guest-physical memory. None of these may block. */
struct gwalk_mem {
	/*
	 * Copy len bytes at gpa, within one 4 KiB page. Returns 0, or -EFAULT
	 * when any byte is not guest RAM (a hole or MMIO).
	 */
	int (*read)(void *ctx, u64 gpa, void *buf, size_t len);
	int (*write)(void *ctx, u64 gpa, const void *buf, size_t len);
	/*
	 * Atomically: if the size (4 or 8) naturally aligned bytes at gpa equal
	 * old, store new. Returns 0, -EBUSY when they differ, -EFAULT.
	 */
	int (*cmpxchg)(void *ctx, u64 gpa, u64 old, u64 new, unsigned size);
	void *ctx;
};

/* The guest state translation depends on. */
struct gwalk_cpu {
	u64 cr0, cr3, cr4, efer;
	/*
	 * PAE paging: the four PDPTEs the CPU loaded at the last CR3 write
	 * (VMX keeps them in the VMCS guest-PDPTE fields). With pdptes_valid
	 * false they are read from CR3 now, as SVM's nested paging does.
	 */
	u64 pdpte[4];
	bool pdptes_valid;
	/* The guest's MAXPHYADDR (its CPUID 0x80000008 EAX[7:0]), 32..52. */
	u8 maxphyaddr;
};

/* What to inject when a walk returns GWALK_FAULT. */
struct gwalk_fault {
	u8 vector;	/* GWALK_VEC_PF, or GWALK_VEC_GP for a non-canonical address */
	u32 error_code; /* PF_ERR_* for #PF; 0 for #GP (#SS(0) for stack accesses: caller) */
	u64 addr;	/* #PF: the linear address, for CR2 */
};

/*
 * Translates linear address gva for an access (GWALK_* flags). Outside
 * long mode gva is truncated to 32 bits, so addresses wrap at 4 GiB.
 *
 * Returns 0 with *gpa set (the GPA itself need not be RAM: MMIO is why we
 * walk); GWALK_FAULT with *fault set; -EFAULT when a paging-structure entry
 * lies outside guest RAM (the guest is broken: stop it); -EBUSY when the
 * A/D update kept losing to the guest (re-enter and let it retry);
 * -ENOTSUP for CR4.LA57; -EINVAL for NULL arguments, a MAXPHYADDR out of
 * range, or an impossible mode (EFER.LMA without CR0.PG and CR4.PAE).
 */
int gwalk_translate(const struct gwalk_cpu *cpu, const struct gwalk_mem *mem, u64 gva,
		    u32 access, u64 *gpa, struct gwalk_fault *fault) __must_check;

/*
 * Copies len (<= GWALK_COPY_MAX) bytes from / to linear address gva, across
 * at most two pages. Every page is translated before any byte moves, so a
 * fault on the second page leaves guest memory untouched. gwalk_write adds
 * GWALK_WRITE to access.
 *
 * Returns as gwalk_translate, with -EFAULT also when a byte's GPA is not
 * RAM (e.g. a string operand or code in MMIO), and -EINVAL for len 0 or
 * too large.
 */
int gwalk_read(const struct gwalk_cpu *cpu, const struct gwalk_mem *mem, u64 gva,
	       void *buf, size_t len, u32 access, struct gwalk_fault *fault) __must_check;
int gwalk_write(const struct gwalk_cpu *cpu, const struct gwalk_mem *mem, u64 gva,
		const void *buf, size_t len, u32 access,
		struct gwalk_fault *fault) __must_check;

#endif
