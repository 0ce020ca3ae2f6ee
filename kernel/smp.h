/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bringing the other CPUs online, and asking a CPU to run a function.
 * Idle CPUs halt and wake on an IPI; they never spin.
 */
#ifndef LONGBUS_SMP_H
#define LONGBUS_SMP_H

#include "boot/boot_info.h"
#include "kernel/pcpu.h"

/* Boot CPU: INIT-SIPI-SIPI every CPU in boot_info, one at a time. */
void smp_boot_aps(const struct boot_info *bi);

/*
 * Asks `cpu` to run fn(arg) from its idle loop (or service loop). Returns
 * 0, -EBUSY if a previous call is still pending there, -ENODEV if the CPU
 * is not online. Does not wait for fn to run.
 */
int smp_call(unsigned cpu, cpu_call_fn fn, void *arg) __must_check;

/* Runs a pending smp_call() on this CPU; returns true if it ran one. */
bool smp_run_pending_call(void);

/* The idle loop: halt until an IPI brings work. Never returns. */
__noreturn void cpu_idle_loop(void);

#endif
