/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's local APIC: IPIs, EOI, and the periodic service tick.
 * Works in xAPIC (MMIO) and x2APIC (MSR) mode, whichever firmware left.
 * Context: any CPU, for its own LAPIC.
 */
#ifndef LONGBUS_LAPIC_H
#define LONGBUS_LAPIC_H

#include "kernel/types.h"

/* Boot CPU, once: finds the LAPIC (base from ACPI or the MSR). */
void lapic_global_init(paddr_t madt_base);
/* Every CPU: enable the LAPIC, mask LINT/timer, set the spurious vector. */
void lapic_init_this(void);
u32 lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_nmi(u32 apic_id);
void lapic_send_init(u32 apic_id);
void lapic_send_sipi(u32 apic_id, u8 page);
/* Periodic timer on this CPU at `vector`; the rate is measured against the TSC. */
void lapic_timer_periodic(u8 vector, u64 period_ns);
/* One interrupt at `vector` once the TSC reaches tsc_deadline (replaces any periodic setup). */
void lapic_timer_oneshot(u8 vector, u64 tsc_deadline);
bool lapic_is_x2apic(void);

#endif
