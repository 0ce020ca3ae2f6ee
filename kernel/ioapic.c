// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host IOAPIC driver.
 * Singleton: the IOAPIC list and ISA overrides, owned here; written by the
 * boot CPU in ioapic_init(), read-only afterwards.
 */
#include "kernel/errno.h"
#include "kernel/ioapic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/x86/apic_regs.h"

#define LOG_TAG "ioapic"

struct ioapic {
	volatile u32 *mmio;
	u32 gsi_base;
	u32 npins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;
static const struct acpi_info *acpi_tables;

static u32 ioapic_read(struct ioapic *io, u32 reg)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	return io->mmio[IOAPIC_WINDOW / 4];
}

static void ioapic_write(struct ioapic *io, u32 reg, u32 v)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	io->mmio[IOAPIC_WINDOW / 4] = v;
}

static void add_ioapic(paddr_t pa, u32 gsi_base)
{
	struct ioapic *io = &ioapics[nioapics];

	io->mmio = ioremap(pa, PAGE_SIZE);
	if (!io->mmio)
		return;
	u32 ver = ioapic_read(io, IOAPIC_REG_VER);
	if (ver == 0xffffffff) {
		log_warn("no IOAPIC answers at 0x%lx", (unsigned long)pa);
		return;
	}
	io->gsi_base = gsi_base;
	io->npins = ((ver >> 16) & 0xff) + 1;
	for (u32 pin = 0; pin < io->npins; pin++) {
		ioapic_write(io, IOAPIC_REDTBL(pin), IOAPIC_RTE_MASKED);
		ioapic_write(io, IOAPIC_REDTBL(pin) + 1, 0);
	}
	log_info("IOAPIC at 0x%lx, GSIs %u-%u", (unsigned long)pa, gsi_base,
		 gsi_base + io->npins - 1);
	nioapics++;
}

void ioapic_init(const struct acpi_info *acpi)
{
	acpi_tables = acpi;
	if (acpi && acpi->madt.present && acpi->madt.n_ioapics) {
		for (u32 i = 0; i < acpi->madt.n_ioapics; i++)
			add_ioapic(acpi->madt.ioapics[i].address, acpi->madt.ioapics[i].gsi_base);
	} else {
		/* No MADT: the PC architecture puts the first IOAPIC here, GSI base 0. */
		add_ioapic(IOAPIC_DEFAULT_BASE, 0);
	}
}

int ioapic_route_isa_irq(unsigned irq, u8 vector, u32 dest_apic_id)
{
	u32 gsi = irq, rte = vector;

	/* ISA default: edge, active high, unless the MADT overrides it. */
	for (u32 i = 0; acpi_tables && i < acpi_tables->madt.n_isos; i++) {
		const struct acpi_iso *iso = &acpi_tables->madt.isos[i];
		if (iso->source != irq)
			continue;
		gsi = iso->gsi;
		if (FIELD_GET(ACPI_INTI_POLARITY, iso->flags) == 3)
			rte |= IOAPIC_RTE_ACTIVE_LOW;
		if (FIELD_GET(ACPI_INTI_TRIGGER, iso->flags) == 3)
			rte |= IOAPIC_RTE_LEVEL;
	}
	for (unsigned i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi < io->gsi_base || gsi >= io->gsi_base + io->npins)
			continue;
		u32 pin = gsi - io->gsi_base;
		/* Destination first, so the pin is never live with a stale target. */
		ioapic_write(io, IOAPIC_REDTBL(pin) + 1, dest_apic_id << 24);
		ioapic_write(io, IOAPIC_REDTBL(pin), rte);
		return 0;
	}
	return -ENODEV;
}
