// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercall wrappers (guest-api/hypercall.h, docs/guest-api.md). VMCALL on
 * Intel, VMMCALL on AMD: the other one is #UD on the respective hardware,
 * so the vendor decides. Outside longbus both would be #UD, so the
 * wrappers first check the CPUID signature.
 */
#include "guest-api/libguest/libguest.h"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)

/* 0: unknown yet, 1: yes, 2: no. */
static uint8_t on_longbus, is_amd;

bool lg_cpu_is_amd(void)
{
	if (!is_amd) {
		struct lg_cpuid r = cpuid(0, 0);
		/* "AuthenticAMD" and "HygonGenuine" as EBX, EDX, ECX. */
		bool amd = (r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163) ||
			   (r.ebx == 0x6f677948 && r.edx == 0x6e65476e && r.ecx == 0x656e6975);

		is_amd = amd ? 1 : 2;
	}
	return is_amd == 1;
}

bool lg_on_longbus(void)
{
	if (!on_longbus) {
		bool yes = false;

		if (cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR) {
			struct lg_cpuid r = cpuid(LB_CPUID_LEAF_SIGNATURE, 0);

			yes = r.ebx == LB_CPUID_SIG_EBX && r.ecx == LB_CPUID_SIG_ECX &&
			      r.edx == LB_CPUID_SIG_EDX;
		}
		on_longbus = yes ? 1 : 2;
	}
	return on_longbus == 1;
}

int32_t lg_hypercall(uint32_t fn, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t *ebx_out)
{
	uint32_t eax = fn, ebx = a0, ecx = a1, edx = a2;

	if (lg_cpu_is_amd())
		__asm__ volatile("vmmcall" : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx) : : "memory");
	else
		__asm__ volatile("vmcall" : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx) : : "memory");
	if (ebx_out)
		*ebx_out = ebx;
	return (int32_t)eax;
}

int32_t lg_hc_version(uint32_t *magic)
{
	if (!lg_on_longbus())
		return -LB_ENOSYS;
	return lg_hypercall(LB_HC_VERSION, 0, 0, 0, magic);
}

int32_t lg_hc_log(const char *s, uint32_t len)
{
	if (!lg_on_longbus())
		return -LB_ENOSYS;
	return lg_hypercall(LB_HC_LOG, (uint32_t)(uintptr_t)s, len, 0, NULL);
}

int32_t lg_hc_exit(uint32_t code)
{
	if (!lg_on_longbus())
		return -LB_ENOSYS;
	return lg_hypercall(LB_HC_EXIT, code, 0, 0, NULL);
}

int32_t lg_hc_stats(struct lb_hc_stats *st)
{
	if (!lg_on_longbus())
		return -LB_ENOSYS;
	return lg_hypercall(LB_HC_STATS, (uint32_t)(uintptr_t)st, sizeof(*st), 0, NULL);
}
