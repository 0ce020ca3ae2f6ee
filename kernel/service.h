/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The service loop: hypervisor work that is not on a VM-exit path (log
 * drain, shell, later the network) runs here, on `service_cpu` only.
 * Other CPUs hand work over through rings and service_kick().
 */
#ifndef LONGBUS_SERVICE_H
#define LONGBUS_SERVICE_H

#include "kernel/compiler.h"

#define SERVICE_MAX_WORK 16
/* The wake-up tick of the service CPU when nothing else wakes it. */
#define SERVICE_TICK_NS (10ULL * 1000 * 1000)

typedef void (*service_fn)(void *ctx);

/*
 * Registers work. period_ns == 0: run on every pass of the loop (on-demand
 * work that checks its own queue); otherwise at most every period_ns.
 * Boot CPU, before service_loop() starts. Returns 0 or -ENOSPC.
 */
int service_register(const char *name, u64 period_ns, service_fn fn, void *ctx) __must_check;

/* Any CPU: make the service CPU run a pass soon. Safe from IRQ context. */
void service_kick(void);

/* Enters the loop on the calling CPU, which becomes the service CPU. */
__noreturn void service_loop(void);
/* The same, shaped for smp_call(). */
void service_loop_on_this_cpu(void *unused);

/* Names the service CPU (boot CPU, before any CPU uses the service API). */
void service_init(unsigned cpu, u64 tick_ns);
unsigned service_cpu(void);
/* The service tick: how often a guest sharing the service CPU must yield. */
u64 service_tick_ns(void);
/*
 * Runs one pass if a tick has passed or someone kicked; for a service CPU
 * that also runs a vCPU (the vCPU loop calls it between exits).
 */
void service_poll(void);
/* Share of the service CPU's time spent in work, in tenths of a percent. */
unsigned service_busy_permille(void);
/* One line per work item, for `status`. */
void service_print_stats(void);

#endif
