/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arch-neutral VM exit. Backends translate VMX exit reasons and SVM
 * exit codes into this; what an exit means is decided once, in
 * vmm/exit.c (Jailhouse's vendor seam, BitVisor's call_io()).
 */
#ifndef LONGBUS_VMM_EXIT_H
#define LONGBUS_VMM_EXIT_H

#include "kernel/compiler.h"

enum vm_exit_kind {
	VMEXIT_NONE = 0,
	VMEXIT_IO,	     /* port I/O: io.port, io.size, io.is_write, io.is_string/rep */
	VMEXIT_MMIO,	     /* stage-2 violation at mmio.gpa (instruction not decoded yet) */
	VMEXIT_CPUID,
	VMEXIT_MSR_READ,     /* ECX = MSR */
	VMEXIT_MSR_WRITE,    /* ECX = MSR, EDX:EAX = value */
	VMEXIT_HLT,
	VMEXIT_HYPERCALL,    /* VMCALL / VMMCALL */
	VMEXIT_HOST_IRQ,     /* a host interrupt arrived (host_vector, or taken on STI) */
	VMEXIT_HOST_NMI,
	VMEXIT_INTR_WINDOW,  /* the guest can now take an interrupt */
	VMEXIT_TIMER,	     /* the deadline set with set_exit_deadline() passed */
	VMEXIT_SHUTDOWN,     /* triple fault / shutdown */
	VMEXIT_VIRT_INSN,    /* VMX or SVM instruction: the guest gets #UD */
	VMEXIT_CR_ACCESS,    /* a control-register access the backend could not handle */
	VMEXIT_XSETBV,
	VMEXIT_INVD,	     /* would drop dirty cache lines of memory that is not the guest's */
	VMEXIT_INIT,	     /* INIT signal (SVM intercept) */
	VMEXIT_ENTRY_FAILED, /* the CPU refused the guest state (reason in `raw`) */
	VMEXIT_UNKNOWN,	     /* anything else; `raw` has the backend's code */
};

struct vm_exit {
	enum vm_exit_kind kind;
	u64 raw;      /* VMX basic exit reason / SVM exit code, for logs and stats */
	u64 qual;     /* VMX exit qualification / SVM EXITINFO1, for logs */
	u32 insn_len; /* length of the exiting instruction, 0 when unknown (decode it) */
	u8 host_vector;
	union {
		struct {
			u16 port;
			u8 size; /* 1, 2 or 4 */
			bool is_write;
			bool is_string;
			bool is_rep;
		} io;
		struct {
			u64 gpa;
			u64 gva;      /* valid when gva_valid */
			bool gva_valid;
			bool is_write; /* as reported by hardware; the decoder decides */
			bool is_fetch;
		} mmio;
	};
};

const char *vm_exit_kind_name(enum vm_exit_kind k);

#endif
