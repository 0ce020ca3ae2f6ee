// SPDX-License-Identifier: GPL-2.0-only
/*
 * Time from the TSC.
 * Singleton: the clock (rate and epoch), owned here; written on the boot
 * CPU before other CPUs start, and by time_set_tsc_hz() during init only.
 */
#include "kernel/time.h"
#include "kernel/x86/cpu.h"

static u64 tsc_hz = 1000000000ULL;
static u64 tsc_epoch;

void time_init(u64 hz)
{
	tsc_epoch = rdtsc();
	time_set_tsc_hz(hz);
}

void time_set_tsc_hz(u64 hz)
{
	/* A firmware that failed to calibrate gets a plausible 1 GHz. */
	tsc_hz = hz >= 1000000 ? hz : 1000000000ULL;
}

u64 time_tsc_hz(void)
{
	return tsc_hz;
}

static u64 tsc_to_ns(u64 ticks)
{
	/* Split to avoid overflowing ticks * 1e9 after ~18 s at 1 GHz. */
	u64 s = ticks / tsc_hz, rem = ticks % tsc_hz;
	return s * NSEC_PER_SEC + rem * NSEC_PER_SEC / tsc_hz;
}

u64 time_ns(void)
{
	return tsc_to_ns(rdtsc() - tsc_epoch);
}

u64 time_ns_to_tsc(u64 ns)
{
	u64 s = ns / NSEC_PER_SEC, rem = ns % NSEC_PER_SEC;
	return s * tsc_hz + rem * tsc_hz / NSEC_PER_SEC;
}

void time_udelay(u64 us)
{
	u64 end = rdtsc() + time_ns_to_tsc(us * NSEC_PER_USEC);
	while ((s64)(rdtsc() - end) < 0)
		cpu_relax();
}
