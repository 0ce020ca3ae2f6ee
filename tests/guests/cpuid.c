// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpuid: the CPUID filter (docs/guest-api.md). The hypervisor bit is set,
 * VMX and SVM are hidden, and leaves 0x40000000-0x40000001 identify
 * longbus and its hypercall ABI version.
 */
#include "guest-api/libguest/libguest.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_80000001_ECX_SVM (1u << 2)

int main(struct multiboot_info *mbi)
{
	struct lg_cpuid r;
	char sig[13];

	(void)mbi;
	lg_test_begin("cpuid");

	r = cpuid(1, 0);
	EXPECT_EQ(r.ecx & CPUID_1_ECX_HYPERVISOR, CPUID_1_ECX_HYPERVISOR);
	EXPECT_EQ(r.ecx & CPUID_1_ECX_VMX, 0);

	r = cpuid(0x80000000, 0);
	if (EXPECT_TRUE(r.eax >= 0x80000001)) {
		r = cpuid(0x80000001, 0);
		EXPECT_EQ(r.ecx & CPUID_80000001_ECX_SVM, 0);
	}

	r = cpuid(LB_CPUID_LEAF_SIGNATURE, 0);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	lg_printf("hypervisor leaf: max 0x%x signature \"%s\"\n", r.eax, sig);
	EXPECT_EQ(r.eax, LB_CPUID_MAX_LEAF);
	EXPECT_EQ(r.ebx, LB_CPUID_SIG_EBX);
	EXPECT_EQ(r.ecx, LB_CPUID_SIG_ECX);
	EXPECT_EQ(r.edx, LB_CPUID_SIG_EDX);

	r = cpuid(LB_CPUID_LEAF_ABI, 0);
	EXPECT_EQ(r.eax, LB_HC_ABI_VERSION);
	EXPECT_EQ(r.ebx, 0);
	EXPECT_EQ(r.ecx, 0);
	EXPECT_EQ(r.edx, 0);

	test_exit("cpuid");
}
