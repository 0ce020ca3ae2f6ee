/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the machine is: ACPI tables when the firmware published them, and
 * the architectural defaults when it did not (Bochs + OVMF publishes none).
 * Singleton: the parsed ACPI tables, owned by kernel/platform.c, written
 * once on the boot CPU during init and read-only afterwards.
 */
#ifndef LONGBUS_PLATFORM_H
#define LONGBUS_PLATFORM_H

#include "boot/boot_info.h"
#include "kernel/acpi.h"

/* Parses ACPI (if any), masks the 8259s, sets up the IOAPICs, refines the TSC rate. */
void platform_init(const struct boot_info *bi);
/* NULL when the machine has no (usable) ACPI tables. */
const struct acpi_info *platform_acpi(void);
/* Name of the clock the TSC rate was last measured against. */
const char *platform_tsc_source(void);

#endif
