/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Machine reset and power-off, for the operator's `reboot` and `poweroff`.
 * Order: UEFI runtime ResetSystem (the one path Bochs + OVMF has, since it
 * publishes no FADT), then the FADT reset register or port 0xCF9, and ACPI
 * S5 for power-off. Context: service CPU.
 */
#ifndef LONGBUS_POWER_H
#define LONGBUS_POWER_H

#include "boot/boot_info.h"

void power_init(const struct boot_info *bi);
__noreturn void power_reboot(void);
__noreturn void power_off(void);

#endif
