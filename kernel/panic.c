// SPDX-License-Identifier: GPL-2.0-only
/*
 * panic(): stop the whole machine with a message and a stack trace.
 * Context: any CPU, any context.
 */
#include <stdarg.h>

#include "kernel/klib.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/pcpu.h"
#include "kernel/trap.h"
#include "kernel/x86/cpu.h"

/* Set once; lets a second panicking CPU stop quietly instead of interleaving. */
static u32 panicking;

__noreturn void panic(const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		for (;;)
			cpu_halt();
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	log_enter_panic_mode();
	console_printf("\nFATAL: panic: %s\n", msg);
	trap_print_backtrace((u64)(uintptr_t)__builtin_return_address(0),
			     (u64)(uintptr_t)__builtin_frame_address(0));
	/* Stop everyone else; their NMI handler halts. */
	for (unsigned i = 0; i < pcpu_count(); i++) {
		struct pcpu *p = pcpu_of(i);
		if (p != this_cpu() && READ_ONCE(p->shared.state) == CPU_ONLINE)
			lapic_send_nmi(p->apic_id);
	}
	console_printf("longbus stopped\n");
	for (;;)
		cpu_halt();
}
