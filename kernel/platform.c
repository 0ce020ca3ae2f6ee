// SPDX-License-Identifier: GPL-2.0-only
/*
 * Platform discovery: ACPI when present, defaults otherwise, and the TSC
 * rate refined against a fixed-frequency clock (PM timer or HPET).
 * Context: boot CPU during init.
 */
#include "kernel/ioapic.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/platform.h"
#include "kernel/time.h"
#include "kernel/x86/apic_regs.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/io.h"

#define LOG_TAG "platform"
#define PM_TIMER_HZ 3579545ULL
#define HPET_REG_CAP 0x000
#define HPET_REG_CONFIG 0x010
#define HPET_REG_COUNTER 0x0f0
#define HPET_CONFIG_ENABLE 0x1
#define FEMTO_PER_SEC 1000000000000000ULL
#define REFINE_MS 20

static struct acpi_info acpi;
static bool have_acpi;
static const char *tsc_source = "UEFI Stall";

const struct acpi_info *platform_acpi(void)
{
	return have_acpi ? &acpi : NULL;
}

const char *platform_tsc_source(void)
{
	return tsc_source;
}

static const void *acpi_map(void *ctx, paddr_t pa, size_t len)
{
	(void)ctx;
	return phys_map_ro(pa, len);
}

static void log_acpi_summary(void)
{
	char sigs[ACPI_MAX_TABLES * 5 + 1] = "";
	size_t off = 0;

	for (u32 i = 0; i < acpi.n_tables && off + 6 < sizeof(sigs); i++)
		off += (size_t)ksnprintf(sigs + off, sizeof(sigs) - off, " %s",
					 acpi.tables[i].sig);
	log_info("ACPI %u tables (OEM %s):%s", acpi.n_tables, acpi.oem_id, sigs);
	for (u32 i = 0; i < acpi.n_issues && i < ACPI_MAX_ISSUES; i++)
		log_warn("ACPI %s at 0x%lx %s: %s", acpi.issues[i].sig,
			 (unsigned long)acpi.issues[i].addr,
			 acpi.issues[i].skipped ? "skipped" : "used", acpi.issues[i].reason);
	log_info("MADT: %u LAPICs, %u IOAPICs, %u overrides; MCFG: %u ranges; "
		 "PM timer %s; HPET %s; S5 %s",
		 acpi.madt.n_lapics, acpi.madt.n_ioapics, acpi.madt.n_isos, acpi.n_mcfg,
		 acpi.fadt.present && acpi.fadt.pm_tmr.address ? "yes" : "no",
		 acpi.hpet.present ? "yes" : "no", acpi.s5.found ? "yes" : "no");
}

static u32 pm_timer_read(void)
{
	return inl((u16)acpi.fadt.pm_tmr.address);
}

/* TSC ticks over REFINE_MS of the PM timer; 0 if the timer does not move. */
static u64 tsc_vs_pm_timer(void)
{
	u32 mask = acpi.fadt.pm_tmr_32bit ? 0xffffffffu : 0xffffffu;
	u64 want = PM_TIMER_HZ * REFINE_MS / 1000;
	u32 start = pm_timer_read();
	u64 t0 = rdtsc(), limit = t0 + time_ns_to_tsc(500 * NSEC_PER_MSEC);
	u64 elapsed = 0;

	while (elapsed < want) {
		if (rdtsc() > limit)
			return 0;
		elapsed = (pm_timer_read() - start) & mask;
	}
	return (rdtsc() - t0) * PM_TIMER_HZ / elapsed;
}

static u64 tsc_vs_hpet(void)
{
	volatile u64 *hpet = ioremap(acpi.hpet.base.address, PAGE_SIZE);
	if (!hpet)
		return 0;
	u64 period_fs = hpet[HPET_REG_CAP / 8] >> 32;
	if (period_fs == 0 || period_fs > 100000000ULL) /* spec: <= 100 ns */
		return 0;
	hpet[HPET_REG_CONFIG / 8] |= HPET_CONFIG_ENABLE;
	u64 hz = FEMTO_PER_SEC / period_fs;
	u64 want = hz * REFINE_MS / 1000;
	u64 start = hpet[HPET_REG_COUNTER / 8];
	u64 t0 = rdtsc(), limit = t0 + time_ns_to_tsc(500 * NSEC_PER_MSEC);
	u64 elapsed = 0;

	while (elapsed < want) {
		if (rdtsc() > limit)
			return 0;
		elapsed = hpet[HPET_REG_COUNTER / 8] - start;
	}
	return (rdtsc() - t0) * hz / elapsed;
}

static void refine_tsc(void)
{
	u64 hz = 0;

	if (acpi.fadt.present && acpi.fadt.pm_tmr.address &&
	    acpi.fadt.pm_tmr.space_id == ACPI_GAS_IO) {
		hz = tsc_vs_pm_timer();
		if (hz)
			tsc_source = "ACPI PM timer";
	}
	if (!hz && acpi.hpet.present) {
		hz = tsc_vs_hpet();
		if (hz)
			tsc_source = "HPET";
	}
	if (!hz)
		return;
	log_info("TSC %lu kHz against the %s (UEFI Stall said %lu kHz)",
		 (unsigned long)(hz / 1000), tsc_source,
		 (unsigned long)(time_tsc_hz() / 1000));
	time_set_tsc_hz(hz);
}

void platform_init(const struct boot_info *bi)
{
	struct acpi_mem mem = { .map = acpi_map, .ctx = NULL };

	if (bi->acpi_rsdp) {
		int err = acpi_parse(bi->acpi_rsdp, &mem, &acpi);
		if (err)
			log_warn("ACPI RSDP at 0x%lx unusable (%d); running without ACPI",
				 (unsigned long)bi->acpi_rsdp, err);
		else
			have_acpi = true;
	} else {
		log_info("no ACPI tables: CPUs from UEFI, IOAPIC at its default, PCI over CAM");
	}
	if (have_acpi) {
		log_acpi_summary();
		refine_tsc();
	}
	/* All device interrupts go through the IOAPIC; the 8259s stay masked. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	ioapic_init(platform_acpi());
}
