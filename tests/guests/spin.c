// SPDX-License-Identifier: GPL-2.0-only
/*
 * spin: a guest that never yields. It prints one line, turns interrupts
 * off and spins forever without a single exit of its own. Placed on
 * service_cpu, it proves that longbus still forces an exit every
 * service_tick (VMX preemption timer, or a host timer on SVM) so the
 * console keeps answering.
 */
#include "guest-api/libguest/libguest.h"

int main(struct multiboot_info *mbi)
{
	volatile uint32_t n = 0;

	(void)mbi;
	lg_printf("spinning with interrupts off\n");
	__asm__ volatile("cli");
	for (;;)
		n++;
}
