/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Time from the TSC. The loader measures its rate against BS->Stall; the
 * core refines it against the ACPI PM timer or the HPET when the machine
 * has one. Requires an invariant TSC to mean wall time (emulators and
 * modern CPUs have one).
 */
#ifndef LONGBUS_TIME_H
#define LONGBUS_TIME_H

#include "kernel/types.h"

void time_init(u64 tsc_hz);
/* Replace the rate, e.g. after measuring against a better clock. */
void time_set_tsc_hz(u64 tsc_hz);
u64 time_tsc_hz(void);
/* Nanoseconds since the core started. */
u64 time_ns(void);
/* Busy-wait; only for hardware sequences that demand it (INIT-SIPI, UART). */
void time_udelay(u64 us);
u64 time_ns_to_tsc(u64 ns);

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

#endif
