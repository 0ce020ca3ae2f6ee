// SPDX-License-Identifier: GPL-2.0-only
/*
 * The service loop.
 * Singleton: the work table and loop statistics, owned here. The table is
 * written on the boot CPU before the loop starts; afterwards only the
 * service CPU touches it, except `kicked` (atomic, any CPU).
 */
#include "kernel/errno.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/pcpu.h"
#include "kernel/service.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/x86/cpu.h"

#define LOG_TAG "service"

struct service_work {
	const char *name;
	u64 period_ns;
	service_fn fn;
	void *ctx;
	u64 next_ns;
	u64 runs;
	u64 busy_ns;
};

static struct service_work work[SERVICE_MAX_WORK];
static unsigned nwork;
static unsigned svc_cpu;
static u64 tick_ns = 1000000; /* [longbus] service_tick */
static u32 kicked; /* atomic: set by any CPU, cleared by the service CPU */
static u64 loop_start_ns, busy_ns, next_pass_ns;

int service_register(const char *name, u64 period_ns, service_fn fn, void *ctx)
{
	if (nwork == SERVICE_MAX_WORK)
		return -ENOSPC;
	work[nwork++] = (struct service_work){ .name = name, .period_ns = period_ns,
					       .fn = fn, .ctx = ctx };
	return 0;
}

void service_kick(void)
{
	__atomic_store_n(&kicked, 1, __ATOMIC_RELEASE);
	if (this_cpu()->id != svc_cpu)
		lapic_send_ipi(pcpu_of(svc_cpu)->apic_id, VEC_IPI_WAKE);
}

void service_init(unsigned cpu, u64 tick)
{
	svc_cpu = cpu;
	tick_ns = tick;
}

unsigned service_cpu(void)
{
	return svc_cpu;
}

u64 service_tick_ns(void)
{
	return tick_ns;
}

unsigned service_busy_permille(void)
{
	u64 total = time_ns() - loop_start_ns;
	return total ? (unsigned)(busy_ns * 1000 / total) : 0;
}

void service_print_stats(void)
{
	for (unsigned i = 0; i < nwork; i++)
		console_printf("  %-10s runs %lu, busy %lu us\n", work[i].name,
			       (unsigned long)work[i].runs,
			       (unsigned long)(work[i].busy_ns / NSEC_PER_USEC));
}

static void run_pass(void)
{
	for (unsigned i = 0; i < nwork; i++) {
		struct service_work *w = &work[i];
		u64 now = time_ns();
		if (w->period_ns && now < w->next_ns)
			continue;
		w->fn(w->ctx);
		u64 spent = time_ns() - now;
		w->runs++;
		w->busy_ns += spent;
		busy_ns += spent;
		w->next_ns = now + w->period_ns;
	}
}

void service_poll(void)
{
	u64 now = time_ns();

	if (!loop_start_ns)
		loop_start_ns = now;
	if (now < next_pass_ns && !__atomic_load_n(&kicked, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&kicked, 0, __ATOMIC_RELAXED);
	next_pass_ns = now + tick_ns;
	smp_run_pending_call();
	/* Work runs with interrupts on, as in the dedicated loop. */
	irq_enable();
	run_pass();
	irq_disable();
}

__noreturn void service_loop(void)
{
	svc_cpu = this_cpu()->id;
	if (!loop_start_ns)
		loop_start_ns = time_ns();
	lapic_timer_periodic(VEC_TIMER, SERVICE_TICK_NS);
	for (;;) {
		__atomic_store_n(&kicked, 0, __ATOMIC_RELAXED);
		irq_enable();
		smp_run_pending_call();
		run_pass();
		/* Sleep unless someone kicked us during the pass. */
		irq_disable();
		if (!__atomic_load_n(&kicked, __ATOMIC_ACQUIRE))
			irq_enable_and_halt();
	}
}

void service_loop_on_this_cpu(void *unused)
{
	(void)unused;
	service_loop();
}
