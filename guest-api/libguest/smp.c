// SPDX-License-Identifier: GPL-2.0-only
/*
 * lg_start_ap(): INIT / SIPI / SIPI, as the MultiProcessor Specification
 * (appendix B.4) and the SDM (vol. 3, 9.4.4.1) describe it, with the
 * trampoline of ap.S. The delays are the architectural ones (10 ms after
 * INIT, 200 us between the SIPIs); a hypervisor needs none of them, but
 * guests written for hardware use them, so the test guests do too.
 */
#include "guest-api/libguest/libguest.h"

#define AP_START_TIMEOUT_MS 10000u

extern const char lg_ap_tramp[], lg_ap_tramp_end[];
extern volatile uint32_t lg_ap_stack, lg_ap_entry, lg_ap_arg, lg_ap_arrived;
extern struct {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed)) lg_ap_idtr;

_Static_assert((LG_AP_TRAMPOLINE & 0xfff) == 0 && LG_AP_TRAMPOLINE < 0x100000,
	       "the SIPI vector names a 4 KiB page below 1 MiB");

int lg_start_ap(uint32_t apic_id, lg_ap_fn fn, void *arg, void *stack_top)
{
	uint32_t vector = LG_AP_TRAMPOLINE >> 12;
	uint64_t end;

	memcpy((void *)(uintptr_t)LG_AP_TRAMPOLINE, lg_ap_tramp,
	       (size_t)(lg_ap_tramp_end - lg_ap_tramp));
	__asm__ volatile("sidt %0" : "=m"(lg_ap_idtr));
	lg_ap_stack = (uint32_t)(uintptr_t)stack_top;
	lg_ap_entry = (uint32_t)(uintptr_t)fn;
	lg_ap_arg = (uint32_t)(uintptr_t)arg;
	lg_ap_arrived = 0;
	__asm__ volatile("" : : : "memory");

	lg_lapic_send_ipi(apic_id, LG_ICR_INIT | LG_ICR_ASSERT | LG_ICR_LEVEL);
	lg_lapic_send_ipi(apic_id, LG_ICR_INIT | LG_ICR_LEVEL); /* de-assert */
	lg_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		lg_lapic_send_ipi(apic_id, LG_ICR_STARTUP | vector);
		lg_delay_us(200);
	}
	end = lg_tsc_after_ms(AP_START_TIMEOUT_MS);
	while (!lg_ap_arrived) {
		if (rdtsc() > end)
			return -1;
		pause();
	}
	return 0;
}
