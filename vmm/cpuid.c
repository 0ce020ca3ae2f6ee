// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID filtering (vmm/cpuid.h). Pure: tested on the host by
 * tests/unit/test_cpuid.c. Bit positions: SDM vol. 2A, CPUID; APM vol. 3,
 * appendix E.
 */
#include "vmm/cpuid.h"

/* Leaf 1 ECX / EDX. */
#define L1_ECX_MONITOR BIT(3)
#define L1_ECX_VMX BIT(5)
#define L1_ECX_SMX BIT(6)
#define L1_ECX_PDCM BIT(15)
#define L1_ECX_X2APIC BIT(21)
#define L1_ECX_TSC_DEADLINE BIT(24)
#define L1_ECX_XSAVE BIT(26)
#define L1_ECX_OSXSAVE BIT(27)
#define L1_ECX_AVX BIT(28)
#define L1_ECX_HYPERVISOR BIT(31)
#define L1_EDX_MCE BIT(7)
#define L1_EDX_MTRR BIT(12)
#define L1_EDX_MCA BIT(14)
#define L1_EDX_ACPI BIT(22)
#define L1_EDX_HTT BIT(28)
/* Leaf 7.0 EBX: the features that need no hypervisor support and no XSAVE state. */
#define L7_EBX_KEEP (BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(18) | BIT(19) | \
		     BIT(20) | BIT(23))
/* Leaf 0x80000001 ECX. */
#define XL1_ECX_SVM BIT(2)
#define XL1_ECX_SKINIT BIT(12)
#define XL1_ECX_PERFCTR_CORE BIT(23)

static const struct cpuid_out zero;

struct cpuid_out cpuid_filter(u32 leaf, u32 subleaf, struct cpuid_out r,
			      const struct cpuid_ctx *ctx)
{
	switch (leaf) {
	case 0x1:
		r.ecx &= (u32) ~(L1_ECX_MONITOR | L1_ECX_VMX | L1_ECX_SMX | L1_ECX_PDCM |
				 L1_ECX_XSAVE | L1_ECX_OSXSAVE | L1_ECX_AVX);
		/* The vLAPIC implements both, whatever the host has. */
		r.ecx |= (u32)(L1_ECX_HYPERVISOR | L1_ECX_X2APIC | L1_ECX_TSC_DEADLINE);
		r.edx &= (u32) ~(L1_EDX_MCE | L1_EDX_MTRR | L1_EDX_MCA | L1_EDX_ACPI);
		/* Initial APIC ID and the logical-processor count describe the VM, not the host. */
		r.ebx = (r.ebx & 0x0000ffff) | (ctx->apic_id << 24) | ((ctx->nvcpus & 0xff) << 16);
		if (ctx->nvcpus > 1)
			r.edx |= (u32)L1_EDX_HTT;
		return r;
	case 0x5:  /* MONITOR/MWAIT */
	case 0x6:  /* thermal and power */
	case 0xa:  /* performance monitoring */
	case 0xd:  /* XSAVE state */
	case 0x12: /* SGX */
	case 0x14: /* processor trace */
		return zero;
	case 0x7:
		if (subleaf != 0)
			return zero;
		r.ebx &= (u32)L7_EBX_KEEP;
		r.ecx = 0;
		r.edx = 0;
		return r;
	case 0xb:
	case 0x1f:
		/* One thread per core, one core per package: x2APIC ID = vCPU number. */
		r.edx = ctx->apic_id;
		if (subleaf == 0) {
			r.eax = 0;
			r.ebx = 1;
			r.ecx = (1u << 8) | subleaf;
		} else if (subleaf == 1) {
			r.eax = 8;
			r.ebx = ctx->nvcpus;
			r.ecx = (2u << 8) | subleaf;
		} else {
			r.eax = 0;
			r.ebx = 0;
			r.ecx = subleaf;
		}
		return r;
	case CPUID_HV_BASE:
		return (struct cpuid_out){ CPUID_HV_MAX, LB_CPUID_SIG_EBX, LB_CPUID_SIG_ECX,
					   LB_CPUID_SIG_EDX };
	case CPUID_HV_MAX:
		return (struct cpuid_out){ ctx->abi_version, 0, 0, 0 };
	case 0x80000001:
		r.ecx &= (u32) ~(XL1_ECX_SVM | XL1_ECX_SKINIT | XL1_ECX_PERFCTR_CORE);
		return r;
	case 0x8000000a: /* SVM features */
		return zero;
	default:
		if (leaf >= CPUID_HV_BASE && leaf < 0x80000000)
			return zero;
		return r;
	}
}
