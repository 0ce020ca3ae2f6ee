// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the firmware knows about the processors: the CPU list from
 * EFI_MP_SERVICES_PROTOCOL (there may be no MADT: Bochs + OVMF publishes no
 * ACPI at all) and the TSC rate, measured against BS->Stall.
 * Context: boot services.
 */
#include "boot/loader.h"
#include "boot/mp_services.h"
#include "kernel/x86/cpu.h"

static EFI_GUID mp_guid = LB_EFI_MP_SERVICES_GUID;

EFI_STATUS cpus_collect(struct boot_info *bi)
{
	LB_EFI_MP_SERVICES *mp;
	UINTN n, enabled;
	EFI_STATUS st;
	u32 out = 1;

	/* The boot CPU is always logical CPU 0. */
	bi->apic_ids[0] = cpu_apic_id();
	bi->ncpus = 1;
	bi->ncpus_enabled = 1;

	st = BS->LocateProtocol(&mp_guid, NULL, (void **)&mp);
	if (EFI_ERROR(st)) {
		con_printf("longbus: no EFI_MP_SERVICES_PROTOCOL, using the boot CPU only\n");
		return EFI_SUCCESS;
	}
	st = mp->GetNumberOfProcessors(mp, &n, &enabled);
	if (EFI_ERROR(st))
		return st;
	for (UINTN i = 0; i < n && out < BI_MAX_CPUS; i++) {
		LB_EFI_PROCESSOR_INFORMATION info;

		st = mp->GetProcessorInfo(mp, i, &info);
		if (EFI_ERROR(st))
			return st;
		if (info.StatusFlag & LB_PROCESSOR_AS_BSP_BIT)
			continue;
		/* A CPU the firmware disabled stays listed but is never started. */
		if (!(info.StatusFlag & LB_PROCESSOR_ENABLED_BIT))
			continue;
		bi->apic_ids[out++] = (u32)info.ProcessorId;
	}
	bi->ncpus = out;
	bi->ncpus_enabled = out;
	if (n > BI_MAX_CPUS)
		con_printf("longbus: %lu CPUs, using the first %u\n",
			   (unsigned long)n, BI_MAX_CPUS);
	return EFI_SUCCESS;
}

u64 tsc_calibrate(void)
{
	u64 best = ~0ULL;

	/*
	 * Three 10 ms windows; the shortest count is the one least disturbed
	 * by firmware timer interrupts landing inside the window. The core
	 * refines the figure against the ACPI PM timer or HPET when it has one.
	 */
	for (int i = 0; i < 3; i++) {
		u64 t0 = rdtsc();
		BS->Stall(10000);
		u64 d = rdtsc() - t0;
		if (d < best)
			best = d;
	}
	return best * 100;
}
