// SPDX-License-Identifier: GPL-2.0-only
/*
 * isolation: probes everything docs/guest-platform.md says a guest cannot
 * reach, and expects the documented answer:
 *   - VMX and SVM instructions (both vendors' sets, and GETSEC) raise #UD;
 *     the hypercall instruction of the other vendor too; an unknown
 *     hypercall number returns -LB_ENOSYS, and hypercall buffers outside
 *     guest RAM -LB_EFAULT;
 *   - setting EFER.SVME raises #GP;
 *   - reset control (0xcf9), the ICH9 and PIIX4 power-management blocks,
 *     the keyboard controller's reset pulse and port 0x92's fast reset do
 *     nothing: this guest prints after them, and the test checks that the
 *     hypervisor and its neighbours are still there; the ports read
 *     all-ones;
 *   - CF8/CFC (PCI configuration) read all-ones;
 *   - INIT, SIPI, NMI and fixed IPIs to APIC IDs this one-vCPU guest does
 *     not own go nowhere (the test checks the neighbours and CPUs);
 *   - GPAs beyond its RAM, in the legacy hole and where the host has
 *     firmware, chipset or PCI windows read all-ones and drop writes.
 * Runs with `testdev = off`, so the test device's page is one of them.
 */
#include "guest-api/libguest/libguest.h"
#include "guest-api/testdev.h"

#define MSR_EFER 0xc0000080u
#define EFER_SVME (1u << 12)

/* Executes one instruction; returns lg_fault (LG_FAULT_UD etc., or 0). */
#define TRY(insn, ...)                                                            \
	({                                                                        \
		lg_fault = 0;                                                     \
		__asm__ volatile("1: " insn "\n2:\n\t" LG_EXTABLE(1b, 2b)          \
				 : : __VA_ARGS__ : "memory");                     \
		lg_fault;                                                         \
	})

static uint8_t page[4096] __attribute__((aligned(4096)));
static uint64_t desc128[2];

#define EXPECT_UD(name, insn, ...)                                                 \
	do {                                                                       \
		if (!EXPECT_EQ(TRY(insn, __VA_ARGS__), LG_FAULT_UD))               \
			lg_printf("  ^ %s did not raise #UD\n", name);             \
	} while (0)

static void virt_instructions(void)
{
	uint32_t pa = (uint32_t)(uintptr_t)page;

	lg_printf("VMX and SVM instructions (CPU vendor: %s)\n",
		  lg_cpu_is_amd() ? "AMD" : "Intel");
	/* VMX: in VMX non-root operation every one of these exits; longbus answers #UD. */
	EXPECT_UD("VMXON", "vmxon (%0)", "r"(&desc128[0]));
	EXPECT_UD("VMXOFF", "vmxoff", "r"(0));
	EXPECT_UD("VMCLEAR", "vmclear (%0)", "r"(&desc128[0]));
	EXPECT_UD("VMPTRLD", "vmptrld (%0)", "r"(&desc128[0]));
	EXPECT_UD("VMPTRST", "vmptrst (%0)", "r"(&desc128[0]));
	EXPECT_UD("VMREAD", "vmread %0, (%1)", "r"(0x4400), "r"(page));
	EXPECT_UD("VMWRITE", "vmwrite %0, %1", "r"(0), "r"(0x681e));
	EXPECT_UD("VMLAUNCH", "vmlaunch", "r"(0));
	EXPECT_UD("VMRESUME", "vmresume", "r"(0));
	EXPECT_UD("INVEPT", "invept (%0), %1", "r"(desc128), "r"(1));
	EXPECT_UD("INVVPID", "invvpid (%0), %1", "r"(desc128), "r"(1));
	EXPECT_UD("VMFUNC", "vmfunc", "a"(0));
	EXPECT_UD("GETSEC", "getsec", "a"(0));
	/* SVM: intercepted on AMD (longbus answers #UD), #UD on Intel anyway. */
	EXPECT_UD("VMRUN", "vmrun", "a"(pa));
	EXPECT_UD("VMLOAD", "vmload", "a"(pa));
	EXPECT_UD("VMSAVE", "vmsave", "a"(pa));
	EXPECT_UD("STGI", "stgi", "r"(0));
	EXPECT_UD("CLGI", "clgi", "r"(0));
	EXPECT_UD("SKINIT", "skinit", "a"(pa));
	EXPECT_UD("INVLPGA", "invlpga", "a"(0), "c"(0));
	/* The other vendor's hypercall instruction. */
	if (lg_cpu_is_amd())
		EXPECT_UD("VMCALL on AMD", "vmcall", "a"(LB_HC_VERSION));
	else
		EXPECT_UD("VMMCALL on Intel", "vmmcall", "a"(LB_HC_VERSION));
}

static void hypercalls(uint32_t ram_end)
{
	struct lb_hc_stats st;

	EXPECT_EQ(lg_hypercall(99, 0, 0, 0, NULL), -LB_ENOSYS);
	EXPECT_EQ(lg_hypercall(LB_HC_COUNT, 0, 0, 0, NULL), -LB_ENOSYS);
	/* Buffers must lie wholly in this guest's RAM. */
	EXPECT_EQ(lg_hypercall(LB_HC_LOG, 0xc0000000u, 16, 0, NULL), -LB_EFAULT);
	EXPECT_EQ(lg_hypercall(LB_HC_LOG, ram_end - 8, 16, 0, NULL), -LB_EFAULT);
	EXPECT_EQ(lg_hypercall(LB_HC_LOG, 0x1000, 16, 1, NULL), -LB_EFAULT); /* GPA 4 GiB + 4 KiB */
	EXPECT_EQ(lg_hypercall(LB_HC_STATS, ram_end, sizeof(st), 0, NULL), -LB_EFAULT);
	EXPECT_EQ(lg_hc_stats(&st), (int32_t)sizeof(st));
}

static void efer_svme(void)
{
	uint64_t efer = 0;

	EXPECT_EQ(rdmsr_safe(MSR_EFER, &efer), 0);
	EXPECT_EQ(efer & EFER_SVME, 0);
	EXPECT_EQ(wrmsr_safe(MSR_EFER, efer | EFER_SVME), LG_FAULT_GP);
	EXPECT_EQ(rdmsr_safe(MSR_EFER, &efer), 0);
	EXPECT_EQ(efer & EFER_SVME, 0);
}

static void reset_and_power(void)
{
	lg_printf("writing reset and power-off ports\n");
	outb(0xcf9, 0x06);		/* hard reset */
	outb(0xcf9, 0x0e);		/* full reset */
	outw(0x604, 0x2000);		/* ICH9 PM1a_CNT: SLP_EN, SLP_TYP 0 (S5 on QEMU) */
	outw(0x604, 0x3c00 | 0x2000);	/* SLP_TYP 7 */
	outw(0xb004, 0x2000);		/* PIIX4 PM1a_CNT: SLP_EN */
	outw(0xb004, 0x3c00 | 0x2000);
	outb(0x64, 0xfe);		/* 8042: pulse the reset line */
	outb(0x92, 0x01);		/* port 92: fast reset */
	lg_printf("still alive after reset and power-off writes\n");
	EXPECT_EQ(inb(0xcf9), 0xff);
	EXPECT_EQ(inw(0x604), 0xffff);
	EXPECT_EQ(inl(0x600), 0xffffffff);
	EXPECT_EQ(inw(0xb004), 0xffff);
	EXPECT_EQ(inl(0xb008), 0xffffffff);	/* PIIX4 PM timer */
	EXPECT_EQ(inb(0x64), 0xff);
}

static void pci_config(void)
{
	outl(0xcf8, 0x80000000u);	/* 00:00.0 register 0: the host bridge's IDs */
	EXPECT_EQ(inl(0xcfc), 0xffffffff);
	EXPECT_EQ(inl(0xcf8), 0xffffffff);
	outl(0xcf8, 0x8000f800u);	/* 00:1f.0, the ICH9 LPC bridge */
	EXPECT_EQ(inl(0xcfc), 0xffffffff);
	outl(0xcfc, 0);
	EXPECT_EQ(inw(0xcfe), 0xffff);
	EXPECT_EQ(inb(0xcfd), 0xff);
}

static void foreign_ipis(void)
{
	static const uint32_t ids[] = { 1, 2, 3, 0x0f };

	lg_printf("INIT, SIPI, NMI and fixed IPIs to APIC IDs this guest does not own\n");
	lg_lapic_enable(0xff);
	EXPECT_EQ(lg_lapic_id(), 0);
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		lg_lapic_send_ipi(ids[i], LG_ICR_INIT | LG_ICR_ASSERT | LG_ICR_LEVEL);
		lg_lapic_send_ipi(ids[i], LG_ICR_STARTUP | 0x01);
		lg_lapic_send_ipi(ids[i], LG_ICR_NMI | LG_ICR_ASSERT);
		lg_lapic_send_ipi(ids[i], LG_ICR_FIXED | LG_ICR_ASSERT | 0x40);
	}
	/* The shorthand "all excluding self": this guest has no other vCPU. */
	lg_lapic_send_ipi(0, LG_ICR_OTHERS | LG_ICR_INIT | LG_ICR_ASSERT | LG_ICR_LEVEL);
	lg_lapic_send_ipi(0, LG_ICR_OTHERS | LG_ICR_STARTUP | 0x01);
	lg_lapic_send_ipi(0, LG_ICR_OTHERS | LG_ICR_NMI | LG_ICR_ASSERT);
	/* Nothing came back here either. */
	EXPECT_EQ(lg_lapic_irr(0x40), false);
	lg_lapic_write(LG_LAPIC_ESR, 0);	/* latch the errors so far */
	EXPECT_EQ(lg_lapic_read(LG_LAPIC_ESR), 0);
	lg_printf("still alive after foreign INIT/SIPI\n");
}

/* One GPA: all-ones before and after a write. */
static void nothing_at(uint32_t gpa)
{
	uint32_t before = mmio_read32(gpa), after;

	mmio_write32(gpa, 0x0badc0de);
	after = mmio_read32(gpa);
	if (!EXPECT_EQ(before, 0xffffffffu) || !EXPECT_EQ(after, 0xffffffffu))
		lg_printf("  ^ GPA 0x%x\n", gpa);
}

static void beyond_ram(uint32_t ram_end)
{
	static const uint32_t gpas[] = {
		0x000a0000, 0x000b8000, 0x000c0000, 0x000f0000, 0x000ffff0, /* legacy hole */
		0x40000000, 0x80000000, 0xb0000000, /* q35 ECAM on the host */
		0xbffff000, 0xc0000000, 0xe0000000, /* the reserved PCI window */
		TESTDEV_MMIO_BASE,		    /* testdev = off here */
		0xfed00000,			    /* HPET */
		0xfed1c000,			    /* ICH9 RCBA */
		0xffe00000, 0xfffffff0,		    /* firmware flash, reset vector */
	};

	lg_printf("GPAs beyond RAM (which ends at 0x%x)\n", ram_end);
	nothing_at(ram_end);
	nothing_at(ram_end + 0x1ffffc);
	for (unsigned i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
		nothing_at(gpas[i]);
}

int main(struct multiboot_info *mbi)
{
	uint32_t ram_end = 0x100000u + mbi->mem_upper * 1024u;

	lg_test_begin("isolation");
	virt_instructions();
	hypercalls(ram_end);
	efer_svme();
	reset_and_power();
	pci_config();
	foreign_ipis();
	beyond_ram(ram_end);
	test_exit("isolation");
}
