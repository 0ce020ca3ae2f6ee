/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a guest sees of CPUID: the host's answer, filtered. VMX and SVM are
 * hidden, the hypervisor bit is set, leaf 0x40000000 says "longbus"
 * (docs/guest-api.md), and features longbus does not virtualize (XSAVE,
 * MONITOR, MTRR, machine check, performance counters) are hidden so that
 * guests do not reach for them. Pure: the caller runs the real CPUID.
 */
#ifndef LONGBUS_VMM_CPUID_H
#define LONGBUS_VMM_CPUID_H

#include "guest-api/hypercall.h"
#include "kernel/compiler.h"

#define CPUID_HV_BASE LB_CPUID_LEAF_SIGNATURE
#define CPUID_HV_MAX LB_CPUID_MAX_LEAF

struct cpuid_out {
	u32 eax, ebx, ecx, edx;
};

/* Who asks: the vCPU's number (its initial APIC ID) and how many the VM has. */
struct cpuid_ctx {
	u32 apic_id;
	u32 nvcpus;
	u32 abi_version; /* reported in leaf 0x40000001 EAX */
};

/*
 * Filters the host's answer `host` for leaf/subleaf. `host` must hold the
 * real CPUID output for that leaf (anything for leaves >= 0x40000000).
 */
struct cpuid_out cpuid_filter(u32 leaf, u32 subleaf, struct cpuid_out host,
			      const struct cpuid_ctx *ctx);

#endif
