// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC through its xAPIC page, and TSC time measured against its
 * timer. longbus defines the vLAPIC bus clock as 100 MHz of TSC time
 * (docs/guest-platform.md), so the timer is the only clock a guest has
 * besides the TSC, whose rate no longbus interface reports.
 */
#include "guest-api/libguest/libguest.h"

/* Bus ticks counted to calibrate the TSC: 20 ms at 100 MHz. */
#define CAL_BUS_TICKS 2000000u
#define BUS_KHZ 100000u
/* Polls of the ICR delivery status before giving up on an IPI. */
#define ICR_SPINS 1000000u

static uint32_t tsc_khz;

uint32_t lg_lapic_read(uint32_t reg)
{
	return mmio_read32(LG_LAPIC_BASE + reg);
}

void lg_lapic_write(uint32_t reg, uint32_t val)
{
	mmio_write32(LG_LAPIC_BASE + reg, val);
}

void lg_lapic_enable(uint8_t spurious_vector)
{
	lg_lapic_write(LG_LAPIC_TPR, 0);
	lg_lapic_write(LG_LAPIC_SVR, LG_SVR_ENABLE | spurious_vector);
}

void lg_lapic_eoi(void)
{
	lg_lapic_write(LG_LAPIC_EOI, 0);
}

uint32_t lg_lapic_id(void)
{
	return lg_lapic_read(LG_LAPIC_ID) >> 24;
}

void lg_lapic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
	lg_lapic_write(LG_LAPIC_ICR_HI, dest << 24);
	lg_lapic_write(LG_LAPIC_ICR_LO, icr_lo);
	for (uint32_t i = 0; i < ICR_SPINS; i++) {
		if (!(lg_lapic_read(LG_LAPIC_ICR_LO) & LG_ICR_BUSY))
			break;
		pause();
	}
}

static bool vec_bit(uint32_t base, uint8_t vector)
{
	return lg_lapic_read(base + 0x10u * (vector / 32u)) & (1u << (vector % 32u));
}

bool lg_lapic_irr(uint8_t vector)
{
	return vec_bit(LG_LAPIC_IRR, vector);
}

bool lg_lapic_isr(uint8_t vector)
{
	return vec_bit(LG_LAPIC_ISR, vector);
}

uint64_t lg_udiv64(uint64_t n, uint64_t d)
{
	uint64_t q = 0, r = 0;

	if (d == 0)
		return ~0ULL;
	for (int i = 63; i >= 0; i--) {
		r = r << 1 | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ULL << i;
		}
	}
	return q;
}

/*
 * One reading of the current count with the TSC at that moment. Under a
 * hypervisor the read is an exit that may take long (an emulator thread
 * can be descheduled), so the TSC is taken before and after and the
 * tightest of a few tries wins; its midpoint stands for the moment.
 */
static void ccr_sample(uint32_t *count, uint64_t *tsc)
{
	uint64_t best = ~0ULL;

	for (int i = 0; i < 5; i++) {
		uint64_t a = rdtsc();
		uint32_t c = lg_lapic_read(LG_LAPIC_TIMER_CCR);
		uint64_t b = rdtsc();

		if (b - a < best) {
			best = b - a;
			*count = c;
			*tsc = a + (b - a) / 2;
		}
	}
}

uint32_t lg_lapic_bus_ticks(uint32_t ticks, uint64_t *tsc_elapsed)
{
	uint32_t c0 = 0, c1 = 0;
	uint64_t t0 = 0, t1 = 0;

	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_MASKED | LG_LVT_ONESHOT | 0xff);
	lg_lapic_write(LG_LAPIC_TIMER_DCR, LG_DCR_DIV1);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, 0xffffffffu);
	ccr_sample(&c0, &t0);
	do {
		ccr_sample(&c1, &t1);
	} while (c0 - c1 < ticks && c1 != 0);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, 0);
	*tsc_elapsed = t1 - t0;
	return c0 - c1;
}

uint32_t lg_tsc_khz(void)
{
	uint64_t dtsc;
	uint32_t dbus;

	if (tsc_khz)
		return tsc_khz;
	dbus = lg_lapic_bus_ticks(CAL_BUS_TICKS, &dtsc);
	/* khz = TSC ticks per ms = dTSC / (dBUS / BUS_KHZ). */
	tsc_khz = (uint32_t)lg_udiv64(dtsc * BUS_KHZ, dbus ? dbus : 1);
	if (tsc_khz == 0)
		tsc_khz = 1;
	return tsc_khz;
}

uint64_t lg_tsc_after_ms(uint32_t ms)
{
	return rdtsc() + (uint64_t)ms * lg_tsc_khz();
}

void lg_delay_us(uint32_t us)
{
	uint64_t end = rdtsc() + lg_udiv64((uint64_t)us * lg_tsc_khz(), 1000);

	while (rdtsc() < end)
		pause();
}
