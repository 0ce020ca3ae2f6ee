/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seam between arch-neutral vmm/ code and the two hardware backends,
 * vmm/vmx (Intel VT-x + EPT) and vmm/svm (AMD-V + NPT). CPUID picks one at
 * boot; nothing outside the backends knows which. Every op runs on the
 * physical CPU that owns the vCPU, with interrupts off unless it says so.
 */
#ifndef LONGBUS_VMM_BACKEND_H
#define LONGBUS_VMM_BACKEND_H

#include "vmm/exit.h"
#include "vmm/stage2.h"

struct vcpu;
struct vm;

/* Guest registers the neutral code reads and writes; the rest stay in the VMCS/VMCB. */
enum guest_reg {
	GREG_RIP,
	GREG_RSP,
	GREG_RFLAGS,
	GREG_CR0,
	GREG_CR2,
	GREG_CR3,
	GREG_CR4,
	GREG_EFER,
	GREG_CS_SEL,
	GREG_CS_BASE,
	GREG_CS_ATTR, /* neutral: bit 0 = L (64-bit), bit 1 = D/B, bits 3:2 = DPL */
	GREG_SS_ATTR,
	GREG_DS_BASE,
	GREG_ES_BASE,
	GREG_FS_BASE,
	GREG_GS_BASE,
	GREG_SS_BASE,
	GREG_INTR_SHADOW, /* nonzero: blocking by STI or MOV SS */
};

#define SEG_ATTR_L BIT(0)
#define SEG_ATTR_DB BIT(1)
#define SEG_ATTR_DPL GENMASK(3, 2)

/* Events to inject on the next entry. */
enum event_type {
	EVENT_EXTINT,	 /* external interrupt (from the vLAPIC / vPIC) */
	EVENT_NMI,
	EVENT_EXCEPTION, /* hardware exception, with error code if has_error */
};

struct vmm_backend {
	const char *name;
	/* Once per physical CPU that hosts a vCPU: VMXON / EFER.SVME. 0 or -errno (logged). */
	int (*cpu_enable)(void);
	/* Per-VM state: I/O and MSR bitmaps (every port and MSR trapped). */
	int (*vm_init)(struct vm *vm);
	/* Builds the VMCS/VMCB for a vCPU in its reset state (the caller sets the mode). */
	int (*vcpu_init)(struct vcpu *v);
	/* 32-bit protected mode, paging off, flat segments: the Multiboot entry state. */
	void (*vcpu_set_protected_flat)(struct vcpu *v, u64 rip);
	/* Real mode at CS = vector << 8, IP = 0: the state after INIT + SIPI. */
	void (*vcpu_set_sipi)(struct vcpu *v, u8 vector);
	/* Enters the guest and returns at the next exit; interrupts off on entry and return. */
	void (*vcpu_run)(struct vcpu *v, struct vm_exit *exit);
	/*
	 * MSRs whose guest value the CPU switches (or that the host leaves to
	 * the guest): PAT, FS/GS base, KERNEL_GS_BASE, STAR, LSTAR, CSTAR,
	 * SFMASK, TSC_AUX. 0 or -EINVAL for any other.
	 */
	int (*msr_read)(struct vcpu *v, u32 msr, u64 *val);
	int (*msr_write)(struct vcpu *v, u32 msr, u64 val);
	u64 (*reg_read)(struct vcpu *v, enum guest_reg r);
	void (*reg_write)(struct vcpu *v, enum guest_reg r, u64 val);
	/* Queue an event for the next entry; returns -EBUSY if one is already queued. */
	int (*inject)(struct vcpu *v, enum event_type type, u8 vector, bool has_error, u32 error);
	bool (*event_pending)(struct vcpu *v);
	/* Exit as soon as the guest can take an interrupt (IF=1, no shadow). */
	void (*request_intr_window)(struct vcpu *v, bool on);
	/* Exit no later than this TSC value; 0 = no deadline. */
	void (*set_exit_deadline)(struct vcpu *v, u64 tsc);
	/* Trap or pass a port; the per-VM bitmap starts with every port trapped. */
	void (*io_intercept)(struct vm *vm, u16 port, bool trap);
	/* Stage 2 (EPT / NPT) entry format and TLB flush of this vCPU's guest translations. */
	const struct stage2_format *stage2;
	void (*flush_tlb)(struct vcpu *v);
	/* Root table changed (new VM): program EPTP / N_CR3. */
	void (*set_stage2_root)(struct vcpu *v, paddr_t root);
};

/* The backend this machine uses, or NULL when it has neither VT-x nor AMD-V. */
const struct vmm_backend *vmm_backend(void);

extern const struct vmm_backend vmx_backend;
extern const struct vmm_backend svm_backend;

/* Backend probes: true when the CPU has the features longbus needs (logs what is missing). */
bool vmx_supported(void);
bool svm_supported(void);

#endif
