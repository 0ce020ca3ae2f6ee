// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reset and power-off.
 * Singleton: the UEFI runtime services pointer, owned here, set once at init.
 */
#include "drivers/uart.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pcpu.h"
#include "kernel/lapic.h"
#include "kernel/platform.h"
#include "kernel/power.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/io.h"

#define LOG_TAG "power"

/* UEFI 2.10, 8.1: EFI_RUNTIME_SERVICES, up to ResetSystem. */
#define EFI_RUNTIME_SIGNATURE 0x56524553544e5552ULL /* "RUNTSERV" */
enum efi_reset_type { EFI_RESET_COLD = 0, EFI_RESET_WARM = 1, EFI_RESET_SHUTDOWN = 2 };

typedef void(__attribute__((ms_abi)) *efi_reset_system_fn)(u32 type, u64 status,
							   u64 size, void *data);
struct efi_runtime_services {
	u64 signature;
	u32 revision, header_size, crc32, reserved;
	void *get_time, *set_time, *get_wakeup_time, *set_wakeup_time;
	void *set_virtual_address_map, *convert_pointer;
	void *get_variable, *get_next_variable_name, *set_variable;
	void *get_next_high_monotonic_count;
	efi_reset_system_fn reset_system;
};

#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN (1u << 13)
#define CF9_RESET_CPU 0x02
#define CF9_FULL_RESET 0x06

/* Identity-mapped by paging_init(): the runtime regions keep physical addresses. */
static const struct efi_runtime_services *rt;

void power_init(const struct boot_info *bi)
{
	const struct efi_runtime_services *p = (const void *)(uintptr_t)bi->efi_runtime_services;

	if (p && p->signature == EFI_RUNTIME_SIGNATURE)
		rt = p;
	else
		log_warn("no UEFI runtime services; reset and power-off use ACPI and 0xCF9 only");
}

/* Everyone else stops first, so nothing runs half-way through a reset. */
static void quiesce(const char *what)
{
	log_info("%s", what);
	log_enter_panic_mode();
	irq_disable();
	for (unsigned i = 0; i < pcpu_count(); i++) {
		struct pcpu *p = pcpu_of(i);
		if (p != this_cpu() && READ_ONCE(p->shared.state) == CPU_ONLINE)
			lapic_send_nmi(p->apic_id);
	}
	/* Bochs drops the tail of the output otherwise. */
	uart_flush();
}

static void write_gas(const struct acpi_gas *g, u32 v)
{
	if (g->space_id == ACPI_GAS_IO) {
		if (g->bit_width == 8)
			outb((u16)g->address, (u8)v);
		else
			outw((u16)g->address, (u16)v);
	} else if (g->space_id == ACPI_GAS_MEMORY) {
		volatile u8 *m = ioremap(g->address, 4);
		if (m)
			*m = (u8)v;
	}
}

__noreturn void power_reboot(void)
{
	const struct acpi_info *acpi = platform_acpi();

	quiesce("rebooting");
	if (rt)
		rt->reset_system(EFI_RESET_COLD, 0, 0, NULL);
	if (acpi && acpi->fadt.reset_supported)
		write_gas(&acpi->fadt.reset_reg, acpi->fadt.reset_value);
	outb(0xcf9, CF9_RESET_CPU);
	outb(0xcf9, CF9_FULL_RESET);
	console_printf("reboot failed; halting\n");
	for (;;)
		cpu_halt();
}

__noreturn void power_off(void)
{
	const struct acpi_info *acpi = platform_acpi();

	quiesce("powering off");
	if (rt)
		rt->reset_system(EFI_RESET_SHUTDOWN, 0, 0, NULL);
	if (acpi && acpi->s5.found && acpi->fadt.pm1a_cnt.address &&
	    acpi->fadt.pm1a_cnt.space_id == ACPI_GAS_IO) {
		u16 port = (u16)acpi->fadt.pm1a_cnt.address;
		outw(port, (u16)((inw(port) & ~(7u << PM1_SLP_TYP_SHIFT)) |
				 ((u32)acpi->s5.slp_typa << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
		if (acpi->fadt.pm1b_cnt.address && acpi->fadt.pm1b_cnt.space_id == ACPI_GAS_IO)
			outw((u16)acpi->fadt.pm1b_cnt.address,
			     (u16)(((u32)acpi->s5.slp_typb << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
	}
	console_printf("power-off failed; halting\n");
	for (;;)
		cpu_halt();
}
