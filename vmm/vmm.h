/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bringing up the partitions: pick the backend, build every VM from the
 * config, and start each vCPU on its CPU.
 */
#ifndef LONGBUS_VMM_VMM_H
#define LONGBUS_VMM_VMM_H

#include "boot/boot_info.h"
#include "kernel/config.h"

/* Boot CPU, after SMP and PCI: build the VMs (failures stop only that guest). */
void vmm_init(const struct boot_info *bi, const struct lb_config *cfg);
/* Boot CPU: start every vCPU on its CPU. Returns whether the calling CPU got one. */
bool vmm_start(void);
/* Runs this CPU's vCPU forever (the calling CPU hosts one: see vmm_start). */
__noreturn void vmm_run_this_cpu(void);

/* Shell commands. */
void vmm_shell_guests(void);
void vmm_shell_stats(void);

#endif
