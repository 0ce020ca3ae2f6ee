// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC through its xAPIC page, and TSC time measured against its
 * timer. longbus defines the vLAPIC bus clock as 100 MHz of TSC time
 * (docs/guest-platform.md), so the timer is the only clock a guest has
 * besides the TSC, whose rate no longbus interface reports.
 */
#include "guest-api/libguest/libguest.h"

/* Bus ticks counted to calibrate the TSC: 10 ms at 100 MHz. */
#define CAL_BUS_TICKS 1000000u
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

uint32_t lg_tsc_khz(void)
{
	uint32_t c0, c1;
	uint64_t t0, t1;

	if (tsc_khz)
		return tsc_khz;
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_MASKED | LG_LVT_ONESHOT | 0xff);
	lg_lapic_write(LG_LAPIC_TIMER_DCR, LG_DCR_DIV1);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, 0xffffffffu);
	c0 = lg_lapic_read(LG_LAPIC_TIMER_CCR);
	t0 = rdtsc();
	do {
		c1 = lg_lapic_read(LG_LAPIC_TIMER_CCR);
		t1 = rdtsc();
	} while (c0 - c1 < CAL_BUS_TICKS && c1 != 0);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, 0);
	/* khz = TSC ticks per ms = dTSC / (dBUS / BUS_KHZ). */
	tsc_khz = (uint32_t)lg_udiv64((t1 - t0) * BUS_KHZ, c0 - c1 ? c0 - c1 : 1);
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
