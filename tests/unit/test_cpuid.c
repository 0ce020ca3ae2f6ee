// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpuid_filter(): what a guest sees. Table-driven: each row is a leaf, a
 * host answer with every bit set, and the bits that must (not) survive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/cpuid.h"

static const struct cpuid_ctx ctx = { .apic_id = 3, .nvcpus = 4, .abi_version = 1 };
static const struct cpuid_out all_ones = { ~0u, ~0u, ~0u, ~0u };

static void test_leaf1_hides_vmx_and_sets_hypervisor_bit(void **state)
{
	(void)state;
	struct cpuid_out r = cpuid_filter(1, 0, all_ones, &ctx);
	assert_int_equal(r.ecx & (1u << 5), 0);	   /* VMX */
	assert_int_equal(r.ecx & (1u << 6), 0);	   /* SMX */
	assert_int_equal(r.ecx & (1u << 26), 0);   /* XSAVE */
	assert_int_equal(r.ecx & (1u << 27), 0);   /* OSXSAVE */
	assert_int_equal(r.ecx & (1u << 3), 0);	   /* MONITOR */
	assert_true(r.ecx & (1u << 31));	   /* hypervisor present */
	assert_int_equal(r.edx & (1u << 12), 0);   /* MTRR */
	assert_int_equal(r.edx & (1u << 7), 0);	   /* MCE */
}

static void test_leaf1_reports_the_vcpu_apic_id_and_count(void **state)
{
	(void)state;
	struct cpuid_out r = cpuid_filter(1, 0, all_ones, &ctx);
	assert_int_equal(r.ebx >> 24, 3);
	assert_int_equal((r.ebx >> 16) & 0xff, 4);
	assert_int_equal(r.ebx & 0xffff, 0xffff); /* brand index, CLFLUSH size kept */
}

static void test_svm_leaves_are_hidden(void **state)
{
	(void)state;
	struct cpuid_out r = cpuid_filter(0x80000001, 0, all_ones, &ctx);
	assert_int_equal(r.ecx & (1u << 2), 0); /* SVM */
	assert_true(r.edx & (1u << 29));	/* long mode stays */
	r = cpuid_filter(0x8000000a, 0, all_ones, &ctx);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

static void test_hypervisor_leaf_says_longbus(void **state)
{
	(void)state;
	struct cpuid_out r = cpuid_filter(0x40000000, 0, all_ones, &ctx);
	char sig[13] = { 0 };
	assert_int_equal(r.eax, 0x40000001);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	assert_string_equal(sig, "longbus");
	r = cpuid_filter(0x40000001, 0, all_ones, &ctx);
	assert_int_equal(r.eax, 1);
	r = cpuid_filter(0x40000100, 0, all_ones, &ctx);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

static void test_leaf7_keeps_only_safe_features(void **state)
{
	(void)state;
	struct cpuid_out r = cpuid_filter(7, 0, all_ones, &ctx);
	assert_int_equal(r.ebx & (1u << 5), 0);	 /* AVX2 needs XSAVE */
	assert_int_equal(r.ebx & (1u << 16), 0); /* AVX-512F */
	assert_true(r.ebx & (1u << 0));		 /* FSGSBASE */
	assert_int_equal(r.ecx, 0);
	assert_int_equal(r.edx, 0);
	r = cpuid_filter(7, 1, all_ones, &ctx);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

static void test_topology_leaf_uses_vcpu_ids(void **state)
{
	(void)state;
	struct cpuid_out r = cpuid_filter(0xb, 1, all_ones, &ctx);
	assert_int_equal(r.edx, 3);
	assert_int_equal(r.ebx, 4);
	assert_int_equal(r.ecx & 0xff, 1);
}

static void test_xsave_and_perf_leaves_are_empty(void **state)
{
	(void)state;
	static const unsigned leaves[] = { 0x5, 0x6, 0xa, 0xd, 0x12, 0x14 };
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct cpuid_out r = cpuid_filter(leaves[i], 0, all_ones, &ctx);
		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

static void test_other_leaves_pass_through(void **state)
{
	(void)state;
	struct cpuid_out host = { 1, 2, 3, 4 };
	struct cpuid_out r = cpuid_filter(0x80000008, 0, host, &ctx);
	assert_memory_equal(&r, &host, sizeof(r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf1_hides_vmx_and_sets_hypervisor_bit),
		cmocka_unit_test(test_leaf1_reports_the_vcpu_apic_id_and_count),
		cmocka_unit_test(test_svm_leaves_are_hidden),
		cmocka_unit_test(test_hypervisor_leaf_says_longbus),
		cmocka_unit_test(test_leaf7_keeps_only_safe_features),
		cmocka_unit_test(test_topology_leaf_uses_vcpu_ids),
		cmocka_unit_test(test_xsave_and_perf_leaves_are_empty),
		cmocka_unit_test(test_other_leaves_pass_through),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
