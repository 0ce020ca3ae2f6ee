/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host IOAPIC(s): routes an ISA IRQ (after MADT source overrides) to a
 * vector on one CPU. Without ACPI there is one IOAPIC at its architectural
 * default address and ISA IRQs map 1:1 to GSIs.
 * Context: boot CPU during init.
 */
#ifndef LONGBUS_IOAPIC_H
#define LONGBUS_IOAPIC_H

#include "kernel/acpi.h"

/* acpi may be NULL (no ACPI): the default IOAPIC is used. Masks every pin. */
void ioapic_init(const struct acpi_info *acpi);
/* Returns 0, or -ENODEV when no IOAPIC serves the IRQ's GSI. */
int ioapic_route_isa_irq(unsigned irq, u8 vector, u32 dest_apic_id) __must_check;

#endif
