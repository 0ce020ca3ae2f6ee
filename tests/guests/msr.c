// SPDX-License-Identifier: GPL-2.0-only
/*
 * msr: the MSR allowlist (docs/guest-platform.md). Listed MSRs behave like
 * the CPU's: EFER reads back without SVME, FEATURE_CONTROL reads "locked,
 * VMX off", the TSC MSR moves with RDTSC, PAT and the syscall MSRs keep
 * what is written. Everything else, and writes the policy refuses, raise
 * #GP (caught by the libguest fault fixup).
 */
#include "guest-api/libguest/libguest.h"

#define MSR_TSC 0x10
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_BIOS_SIGN_ID 0x8b
#define MSR_PLATFORM_INFO 0xce
#define MSR_MTRRCAP 0xfe
#define MSR_MISC_ENABLE 0x1a0
#define MSR_DEBUGCTL 0x1d9
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_PAT 0x277
#define MSR_VMX_BASIC 0x480
#define MSR_EFER 0xc0000080
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_VM_CR 0xc0010114	/* AMD SVM control */
#define MSR_VM_HSAVE_PA 0xc0010117

#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)
#define EFER_SVME (1u << 12)

#define PAT_DEFAULT 0x0007040600070406ULL
#define PAT_TEST 0x0001050400060107ULL	/* every type once: UC- WB WT WP WC UC */

static void expect_gp_read(uint32_t msr)
{
	uint64_t v;

	if (!EXPECT_EQ(rdmsr_safe(msr, &v), LG_FAULT_GP))
		lg_printf("  RDMSR 0x%x did not fault (read 0x%llx)\n", msr, (unsigned long long)v);
}

static void expect_gp_write(uint32_t msr, uint64_t val)
{
	if (!EXPECT_EQ(wrmsr_safe(msr, val), LG_FAULT_GP))
		lg_printf("  WRMSR 0x%x <- 0x%llx did not fault\n", msr, (unsigned long long)val);
}

/* Reads msr, expecting no fault; returns the value. */
static uint64_t read_ok(uint32_t msr)
{
	uint64_t v = 0;

	if (!EXPECT_EQ(rdmsr_safe(msr, &v), 0))
		lg_printf("  RDMSR 0x%x faulted\n", msr);
	return v;
}

static void roundtrip(uint32_t msr, uint64_t val)
{
	uint64_t old = read_ok(msr);

	if (!EXPECT_EQ(wrmsr_safe(msr, val), 0))
		lg_printf("  WRMSR 0x%x faulted\n", msr);
	EXPECT_EQ(read_ok(msr), val);
	EXPECT_EQ(wrmsr_safe(msr, old), 0);
	EXPECT_EQ(read_ok(msr), old);
}

int main(struct multiboot_info *mbi)
{
	uint64_t efer, t0, t1, m, fc;

	(void)mbi;
	lg_test_begin("msr");

	/* EFER: readable, protected mode without long mode, SVME never shown. */
	efer = read_ok(MSR_EFER);
	lg_printf("EFER 0x%llx\n", (unsigned long long)efer);
	EXPECT_EQ(efer & (EFER_LME | EFER_LMA | EFER_SVME), 0);
	/* NXE is guest-writable. */
	roundtrip(MSR_EFER, efer | EFER_NXE);

	/* FEATURE_CONTROL: locked with VMX off; no write gets through. */
	fc = read_ok(MSR_FEATURE_CONTROL);
	EXPECT_EQ(fc, 1);
	expect_gp_write(MSR_FEATURE_CONTROL, 0x5);	/* lock | VMX outside SMX */
	expect_gp_write(MSR_FEATURE_CONTROL, 0x1);
	EXPECT_EQ(read_ok(MSR_FEATURE_CONTROL), 1);

	/* The TSC MSR is the TSC RDTSC reads, and it moves. */
	t0 = rdtsc();
	m = read_ok(MSR_TSC);
	t1 = rdtsc();
	lg_printf("TSC: rdtsc 0x%llx, MSR 0x%llx, rdtsc 0x%llx\n", (unsigned long long)t0,
		  (unsigned long long)m, (unsigned long long)t1);
	EXPECT_TRUE(t0 <= m && m <= t1);
	EXPECT_TRUE(read_ok(MSR_TSC) > m);

	/* PAT and friends keep what the guest writes. */
	EXPECT_EQ(read_ok(MSR_PAT), PAT_DEFAULT);
	roundtrip(MSR_PAT, PAT_TEST);
	roundtrip(MSR_KERNEL_GS_BASE, 0x12345678abcdef00ULL & 0x00007fffffffffffULL);
	roundtrip(MSR_LSTAR, 0xffffffff81000000ULL);
	roundtrip(MSR_SFMASK, 0x47700);
	roundtrip(MSR_TSC_AUX, 0x2a);

	/* APIC_BASE: the xAPIC at its default address, enabled, this is the BSP. */
	EXPECT_EQ(read_ok(LG_MSR_APIC_BASE), LG_LAPIC_BASE | LG_APIC_BASE_ENABLE |
						  LG_APIC_BASE_BSP);
	/* x2APIC MSRs are #GP while the APIC is in xAPIC mode. */
	expect_gp_read(LG_MSR_X2APIC + 0x2);

	/* Read-as-constant, write-ignored MSRs guests probe. */
	EXPECT_EQ(read_ok(MSR_MISC_ENABLE) & 1, 1);	/* fast strings */
	EXPECT_EQ(wrmsr_safe(MSR_MISC_ENABLE, 1), 0);
	EXPECT_EQ(read_ok(MSR_BIOS_SIGN_ID), 0);
	EXPECT_EQ(wrmsr_safe(MSR_BIOS_SIGN_ID, 0), 0);
	EXPECT_EQ(read_ok(MSR_PLATFORM_INFO), 0);
	EXPECT_EQ(read_ok(MSR_DEBUGCTL), 0);
	EXPECT_EQ(wrmsr_safe(MSR_DEBUGCTL, 0), 0);

	/* Everything else is #GP, in both directions. */
	expect_gp_read(0x1234);
	expect_gp_write(0x1234, 0);
	expect_gp_read(MSR_MTRRCAP);
	expect_gp_read(MSR_MTRR_DEF_TYPE);
	expect_gp_read(MSR_VMX_BASIC);
	expect_gp_read(MSR_VMX_BASIC + 1);
	expect_gp_read(MSR_VM_CR);
	expect_gp_write(MSR_VM_HSAVE_PA, 0x100000);
	/* The TSC is read-only to guests. */
	expect_gp_write(MSR_TSC, 0);
	/* EFER bits outside SCE/LME/NXE. */
	expect_gp_write(MSR_EFER, efer | EFER_SVME);
	EXPECT_EQ(read_ok(MSR_EFER), efer);

	/*
	 * Listed MSRs with values the CPU itself refuses with #GP: the guest
	 * must get that #GP, not the hypervisor (a WRMSR on the host) nor the
	 * next VM entry (a VMCS/VMCB field the entry checks). Last, because a
	 * hypervisor that gets this wrong loses the guest or the CPU; each
	 * probe is named first so the log shows which one.
	 */
	lg_printf("probing reserved values: PAT type 2\n");
	expect_gp_write(MSR_PAT, 0x0007040600070402ULL);
	lg_printf("probing reserved values: TSC_AUX bit 32\n");
	expect_gp_write(MSR_TSC_AUX, 0x100000000ULL);
	lg_printf("probing reserved values: non-canonical LSTAR\n");
	expect_gp_write(MSR_LSTAR, 0x8000000000000000ULL);
	lg_printf("probing reserved values: non-canonical KERNEL_GS_BASE\n");
	expect_gp_write(MSR_KERNEL_GS_BASE, 0x0000800000000000ULL);
	lg_printf("probing reserved values: non-canonical FS_BASE\n");
	expect_gp_write(MSR_FS_BASE, 0x0000800000000000ULL);
	EXPECT_EQ(read_ok(MSR_PAT), PAT_DEFAULT);

	test_exit("msr");
}
