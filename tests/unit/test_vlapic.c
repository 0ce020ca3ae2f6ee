// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for vmm/vlapic.c, the virtual local APIC.
 *
 * The model is driven as the exit code drives it: register accesses by
 * offset or MSR, vlapic_accept/pending/ack for delivery, and an injected
 * TSC for the timer. Every test runs with TSC_PER_BUS = 3 so a scale error
 * (forgetting the ratio or the divisor) shows as a wrong deadline.
 *
 * Build: gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -I. tests/unit/test_vlapic.c vmm/vlapic.c -lcmocka
 */
#include "vmm/vlapic.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"

#define TSC_PER_BUS 3
#define APIC_ID 5

/* xAPIC offsets and MSRs, spelled out so a wrong constant in the model shows. */
enum {
	ID = 0x20, VER = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xa0, EOI = 0xb0, LDR = 0xd0,
	DFR = 0xe0, SVR = 0xf0, ISR0 = 0x100, TMR0 = 0x180, IRR0 = 0x200, ESR = 0x280,
	ICR_LO = 0x300, ICR_HI = 0x310, LVT_TIMER = 0x320, LVT_LINT0 = 0x350,
	LVT_ERROR = 0x370, TMICT = 0x380, TMCCT = 0x390, TDCR = 0x3e0,
};
#define MSR_APIC_BASE 0x1bu
#define MSR_TSC_DEADLINE 0x6e0u
#define X2(off) (0x800u + ((off) >> 4))
#define BASE_XAPIC 0xfee00900ULL  /* default address | EN | BSP */
#define BASE_X2APIC 0xfee00d00ULL /* | EXTD */
#define MASKED 0x10000u
#define PERIODIC (1u << 17)
#define TSC_DEADLINE (2u << 17)

static struct vlapic *mk(bool x2apic)
{
	static struct vlapic v;
	struct vlapic_config cfg = {
		.apic_id = APIC_ID, .bsp = true, .x2apic = true, .maxphyaddr = 39,
		.tsc_per_bus = TSC_PER_BUS,
	};
	struct vlapic_fx fx;

	memset(&v, 0xa5, sizeof(v)); /* reset must not rely on zeroed memory */
	assert_int_equal(vlapic_reset(&v, &cfg), 0);
	if (x2apic)
		assert_int_equal(vlapic_msr_write(&v, MSR_APIC_BASE, BASE_X2APIC, 0, &fx), 0);
	return &v;
}

static u32 rd(struct vlapic *v, u32 off, u64 now)
{
	u64 val = 0;

	if (vlapic_mode(v) == VLAPIC_X2APIC)
		assert_int_equal(vlapic_msr_read(v, X2(off), now, &val), 0);
	else
		assert_int_equal(vlapic_mmio_read(v, off, 4, now, &val), 0);
	return (u32)val;
}

static struct vlapic_fx wr(struct vlapic *v, u32 off, u32 val, u64 now)
{
	struct vlapic_fx fx;

	memset(&fx, 0xa5, sizeof(fx)); /* the model must clear flags itself */
	if (vlapic_mode(v) == VLAPIC_X2APIC)
		assert_int_equal(vlapic_msr_write(v, X2(off), val, now, &fx), 0);
	else
		assert_int_equal(vlapic_mmio_write(v, off, 4, val, now, &fx), 0);
	return fx;
}

/* A software-enabled APIC with spurious vector 0xff. */
static struct vlapic *mk_on(bool x2apic)
{
	struct vlapic *v = mk(x2apic);

	wr(v, SVR, 0x1ff, 0);
	return v;
}

/* Accept and take `vec` as the CPU would: IRR -> ISR. */
static void take(struct vlapic *v, u8 vec, bool level)
{
	assert_int_equal(vlapic_accept(v, vec, level), 0);
	assert_int_equal(vlapic_pending(v), vec);
	assert_int_equal(vlapic_ack(v, vec), 0);
}

static void test_vlapic_reset_gives_xapic_registers_in_reset_state(void **state)
{
	struct vlapic *v = mk(false);
	u64 base;

	(void)state;
	assert_int_equal(vlapic_mode(v), VLAPIC_XAPIC);
	assert_int_equal(vlapic_msr_read(v, MSR_APIC_BASE, 0, &base), 0);
	assert_int_equal(base, BASE_XAPIC);
	assert_int_equal(vlapic_mmio_base(v), 0xfee00000ULL);
	assert_int_equal(rd(v, ID, 0), APIC_ID << 24);
	assert_int_equal(rd(v, VER, 0), 0x00050014); /* max LVT 5 = six entries */
	assert_int_equal(rd(v, SVR, 0), 0xff);
	assert_int_equal(rd(v, DFR, 0), 0xffffffff);
	for (u32 off = LVT_TIMER; off <= LVT_ERROR; off += 0x10)
		assert_int_equal(rd(v, off, 0), MASKED);
	assert_int_equal(vlapic_pending(v), -ENOENT);
	assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);
}

static void test_vlapic_reset_rejects_bad_config(void **state)
{
	static const struct vlapic_config bad[] = {
		{ .maxphyaddr = 39, .tsc_per_bus = 0 }, { .maxphyaddr = 31, .tsc_per_bus = 1 },
		{ .maxphyaddr = 39, .tsc_per_bus = VLAPIC_TSC_PER_BUS_MAX + 1 },
		{ .maxphyaddr = 53, .tsc_per_bus = 1 },
	};
	struct vlapic v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vlapic_reset(&v, &bad[i]), -EINVAL);
}

/* Writing all-ones keeps only the bits each register defines (xAPIC page). */
static void test_vlapic_xapic_writes_keep_only_defined_bits(void **state)
{
	static const struct { u32 off, want; } t[] = {
		{ SVR, 0x3ff },	     { TPR, 0xff },	    { LDR, 0xff000000 }, { DFR, 0xffffffff },
		{ LVT_TIMER, 0x700ff }, { 0x330, 0x107ff },  { 0x340, 0x107ff },  { LVT_LINT0, 0x1a7ff },
		{ 0x360, 0x1a7ff },  { LVT_ERROR, 0x100ff }, { TMICT, 0xffffffff }, { TDCR, 0xb },
		{ ICR_HI, 0xff000000 }, { ICR_LO, 0xccfff }, /* mode 7: sends nothing */
	};
	struct vlapic *v = mk(false);

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		wr(v, t[i].off, 0xffffffff, 0);
		if (rd(v, t[i].off, 0) != t[i].want)
			print_error("offset %#x\n", t[i].off);
		assert_int_equal(rd(v, t[i].off, 0), t[i].want);
	}
}

/*
 * PPR = TPR when TPR's class >= the highest in-service class, else that
 * class. APR (xAPIC only) follows the SDM 11.6.2.4 formula as Bochs has it.
 */
static void test_vlapic_ppr_and_apr_from_tpr_isr_irr(void **state)
{
	static const struct { u8 tpr, isr, irr; u32 ppr, apr; } t[] = {
		{ 0x00, 0, 0, 0x00, 0x00 },	  { 0x35, 0, 0, 0x35, 0x35 },
		{ 0x00, 0x41, 0, 0x40, 0x00 },	  { 0x3f, 0x41, 0, 0x40, 0x00 },
		{ 0x45, 0x41, 0, 0x45, 0x40 },	  { 0x40, 0x4f, 0, 0x40, 0x40 },
		{ 0xff, 0xfe, 0, 0xff, 0xf0 },	  { 0x10, 0xe3, 0, 0xe0, 0x00 },
		{ 0x35, 0, 0x41, 0x35, 0x40 },	  { 0x35, 0x31, 0, 0x35, 0x30 },
		{ 0x55, 0x31, 0x41, 0x55, 0x55 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (int x2 = 0; x2 < 2; x2++) {
			struct vlapic *v = mk_on(x2);

			if (t[i].isr)
				take(v, t[i].isr, false);
			if (t[i].irr)
				assert_int_equal(vlapic_accept(v, t[i].irr, false), 0);
			wr(v, TPR, t[i].tpr, 0);
			if (rd(v, PPR, 0) != t[i].ppr || (!x2 && rd(v, APR, 0) != t[i].apr))
				print_error("row %zu, x2apic %d\n", i, x2);
			assert_int_equal(rd(v, TPR, 0), t[i].tpr);
			assert_int_equal(rd(v, PPR, 0), t[i].ppr);
			if (!x2)
				assert_int_equal(rd(v, APR, 0), t[i].apr);
		}
	}
}

/* Only a vector whose class is above PPR's class is offered. */
static void test_vlapic_pending_requires_class_above_ppr(void **state)
{
	static const struct { u8 tpr, isr, irr; int want; } t[] = {
		{ 0x00, 0, 0x20, 0x20 },    { 0x20, 0, 0x2f, -ENOENT }, { 0x2f, 0, 0x30, 0x30 },
		{ 0x00, 0x50, 0x45, -ENOENT }, { 0x00, 0x50, 0x5f, -ENOENT },
		{ 0x00, 0x50, 0x61, 0x61 }, { 0x70, 0x50, 0x7a, -ENOENT },
		{ 0xf0, 0, 0xff, -ENOENT }, { 0x00, 0, 0x10, 0x10 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vlapic *v = mk_on(false);

		if (t[i].isr)
			take(v, t[i].isr, false);
		wr(v, TPR, t[i].tpr, 0);
		assert_int_equal(vlapic_accept(v, t[i].irr, false), 0);
		assert_int_equal(vlapic_pending(v), t[i].want);
		/* Lowering TPR to 0 and ending service always lets it through. */
		wr(v, TPR, 0, 0);
		if (t[i].isr)
			wr(v, EOI, 0, 0);
		assert_int_equal(vlapic_pending(v), t[i].irr);
	}
}

static void test_vlapic_pending_picks_highest_irr(void **state)
{
	struct vlapic *v = mk_on(false);

	(void)state;
	assert_int_equal(vlapic_accept(v, 0x31, false), 0);
	assert_int_equal(vlapic_accept(v, 0xe0, false), 0);
	assert_int_equal(vlapic_accept(v, 0x9f, false), 0);
	assert_int_equal(rd(v, IRR0 + 0x10 * 7, 0), 1u << 0);  /* 0xe0 */
	assert_int_equal(rd(v, IRR0 + 0x10 * 4, 0), 1u << 31); /* 0x9f */
	assert_int_equal(vlapic_pending(v), 0xe0);
	assert_int_equal(vlapic_ack(v, 0xe0), 0);
	assert_int_equal(rd(v, ISR0 + 0x10 * 7, 0), 1u << 0);
	assert_int_equal(vlapic_pending(v), -ENOENT); /* 0x9f is below class 0xe */
	assert_int_equal(vlapic_ack(v, 0x55), -ENOENT);
}

static void test_vlapic_eoi_clears_highest_isr_first(void **state)
{
	struct vlapic *v = mk_on(false);
	struct vlapic_fx fx;

	(void)state;
	take(v, 0x30, false);
	take(v, 0x50, false); /* nested: 0x50 preempts 0x30 */
	assert_int_equal(vlapic_accept(v, 0x40, false), 0);
	assert_int_equal(vlapic_pending(v), -ENOENT); /* PPR 0x50 blocks 0x40 */
	assert_int_equal(rd(v, PPR, 0), 0x50);

	fx = wr(v, EOI, 0, 0);
	assert_int_equal(fx.flags, 0);
	assert_int_equal(rd(v, ISR0 + 0x10 * 2, 0), 0);		/* 0x50 gone */
	assert_int_equal(rd(v, ISR0 + 0x10 * 1, 0), 1u << 16);	/* 0x30 stays */
	assert_int_equal(rd(v, PPR, 0), 0x30);
	assert_int_equal(vlapic_pending(v), 0x40);

	wr(v, EOI, 0, 0);
	assert_int_equal(rd(v, ISR0 + 0x10 * 1, 0), 0);
	assert_int_equal(rd(v, PPR, 0), 0);
	fx = wr(v, EOI, 0, 0); /* nothing in service: no effect */
	assert_int_equal(fx.flags, 0);
}

static void test_vlapic_eoi_reports_level_triggered_vectors_only(void **state)
{
	struct vlapic *v = mk_on(true);
	struct vlapic_fx fx;

	(void)state;
	take(v, 0x41, true);
	assert_int_equal(rd(v, TMR0 + 0x10 * 2, 0), 1u << 1);
	take(v, 0x62, false);
	fx = wr(v, EOI, 0, 0);
	assert_int_equal(fx.flags, 0); /* 0x62 is edge */
	fx = wr(v, EOI, 0, 0);
	assert_int_equal(fx.flags, VLAPIC_FX_EOI_LEVEL);
	assert_int_equal(fx.eoi_vector, 0x41);
	/* An edge acceptance of the same vector clears its TMR bit. */
	assert_int_equal(vlapic_accept(v, 0x41, false), 0);
	assert_int_equal(rd(v, TMR0 + 0x10 * 2, 0), 0);
}

static void test_vlapic_accept_illegal_vector_records_esr_and_error_lvt(void **state)
{
	struct vlapic *v = mk_on(false);

	(void)state;
	wr(v, LVT_ERROR, 0xfe, 0);
	assert_int_equal(vlapic_accept(v, 7, false), -EINVAL);
	assert_int_equal(rd(v, ESR, 0), 0); /* not latched before an ESR write */
	wr(v, ESR, 0, 0);
	assert_int_equal(rd(v, ESR, 0), 1u << 6); /* received illegal vector */
	wr(v, ESR, 0, 0);
	assert_int_equal(rd(v, ESR, 0), 0);
	assert_int_equal(vlapic_pending(v), 0xfe); /* the error interrupt */
}

static void test_vlapic_software_disabled_drops_fixed_and_masks_lvts(void **state)
{
	struct vlapic *v = mk_on(false);

	(void)state;
	wr(v, LVT_LINT0, 0x700, 0); /* ExtINT, unmasked */
	assert_int_equal(rd(v, LVT_LINT0, 0), 0x700);
	assert_int_equal(vlapic_accept(v, 0x80, false), 0);

	wr(v, SVR, 0xff, 0); /* software disable */
	assert_int_equal(rd(v, LVT_LINT0, 0), 0x700 | MASKED);
	wr(v, LVT_LINT0, 0x700, 0);
	assert_int_equal(rd(v, LVT_LINT0, 0), 0x700 | MASKED); /* mask sticks */
	assert_int_equal(vlapic_accept(v, 0x90, false), -ENODEV);
	assert_int_equal(vlapic_pending(v), 0x80); /* held IRR still delivers */

	wr(v, SVR, 0x1ff, 0);
	assert_int_equal(rd(v, LVT_LINT0, 0), 0x700 | MASKED); /* software unmasks */
	wr(v, LVT_LINT0, 0x700, 0);
	assert_int_equal(rd(v, LVT_LINT0, 0), 0x700);
}

/* One-shot with every divide value: deadline, TMCCT on the way, one interrupt, stop. */
static void test_vlapic_timer_oneshot_each_divide_value(void **state)
{
	static const struct { u32 dcr, div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	const u64 t0 = 1000;
	const u32 count = 100;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vlapic *v = mk_on(i & 1);
		u64 scale = (u64)t[i].div * TSC_PER_BUS, end = t0 + count * scale;

		wr(v, TDCR, t[i].dcr, 0);
		assert_int_equal(rd(v, TDCR, 0), t[i].dcr);
		wr(v, LVT_TIMER, 0x40, 0);
		assert_true(wr(v, TMICT, count, t0).flags & VLAPIC_FX_TIMER);
		assert_int_equal(vlapic_timer_next_deadline(v), end);
		assert_int_equal(rd(v, TMCCT, t0), count);
		assert_int_equal(rd(v, TMCCT, t0 + scale - 1), count);
		assert_int_equal(rd(v, TMCCT, t0 + scale), count - 1);
		assert_int_equal(rd(v, TMCCT, t0 + 40 * scale), 60);
		assert_int_equal(rd(v, TMCCT, end - 1), 1);

		vlapic_timer_tick(v, end - 1);
		assert_int_equal(vlapic_pending(v), -ENOENT);
		assert_int_equal(rd(v, TMCCT, end), 0); /* correct even before the tick */
		vlapic_timer_tick(v, end);
		assert_int_equal(vlapic_pending(v), 0x40);
		assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);
		assert_int_equal(rd(v, TMCCT, end + 5 * scale), 0);
		assert_int_equal(rd(v, TMICT, end), count);

		/* Re-armed, then a zero count stops it. */
		assert_int_equal(vlapic_ack(v, 0x40), 0);
		wr(v, EOI, 0, end);
		wr(v, TMICT, count, end);
		wr(v, TMICT, 0, end + scale);
		assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);
		assert_int_equal(rd(v, TMCCT, end + scale), 0);
		vlapic_timer_tick(v, end + 2 * count * scale);
		assert_int_equal(vlapic_pending(v), -ENOENT);
	}
}

static void test_vlapic_timer_periodic_rearms_and_coalesces_missed_periods(void **state)
{
	struct vlapic *v = mk_on(false);
	const u64 t0 = 500, scale = 2 * TSC_PER_BUS, period = 10 * scale;

	(void)state;
	wr(v, TDCR, 0x0, 0); /* divide by 2 */
	wr(v, LVT_TIMER, PERIODIC | 0x50, 0);
	wr(v, TMICT, 10, t0);
	assert_int_equal(vlapic_timer_next_deadline(v), t0 + period);
	assert_int_equal(rd(v, TMCCT, t0 + period - 1), 1);
	assert_int_equal(rd(v, TMCCT, t0 + period), 10); /* reloaded */
	assert_int_equal(rd(v, TMCCT, t0 + period + 3 * scale), 7);

	vlapic_timer_tick(v, t0 + period);
	assert_int_equal(vlapic_pending(v), 0x50);
	assert_int_equal(vlapic_ack(v, 0x50), 0);
	wr(v, EOI, 0, 0);
	assert_int_equal(vlapic_timer_next_deadline(v), t0 + 2 * period);

	/* 2.5 periods late: one interrupt, next deadline on the period grid. */
	vlapic_timer_tick(v, t0 + 4 * period + period / 2);
	assert_int_equal(vlapic_pending(v), 0x50);
	assert_int_equal(vlapic_ack(v, 0x50), 0);
	assert_int_equal(vlapic_pending(v), -ENOENT);
	assert_int_equal(vlapic_timer_next_deadline(v), t0 + 5 * period);
	assert_int_equal(rd(v, TMCCT, t0 + 4 * period + period / 2), 5);
}

static void test_vlapic_timer_masked_lvt_counts_without_interrupt(void **state)
{
	struct vlapic *v = mk_on(false);
	const u64 end = 100 + 8 * 2 * TSC_PER_BUS;

	(void)state;
	wr(v, LVT_TIMER, MASKED | PERIODIC | 0x60, 0);
	wr(v, TMICT, 8, 100);
	assert_int_equal(vlapic_timer_next_deadline(v), end);
	vlapic_timer_tick(v, end);
	assert_int_equal(vlapic_pending(v), -ENOENT);
	assert_int_equal(vlapic_timer_next_deadline(v), end + 8 * 2 * TSC_PER_BUS);
	wr(v, LVT_TIMER, PERIODIC | 0x60, end + 1); /* unmask: same count runs on */
	assert_int_equal(vlapic_timer_next_deadline(v), end + 8 * 2 * TSC_PER_BUS);
}

static void test_vlapic_timer_divide_change_keeps_current_count(void **state)
{
	struct vlapic *v = mk_on(false);

	(void)state;
	wr(v, TDCR, 0xb, 0); /* divide by 1: scale 3 */
	wr(v, LVT_TIMER, 0x40, 0);
	wr(v, TMICT, 100, 0);
	wr(v, TDCR, 0x1, 30); /* count is 90; now divide by 4: scale 12 */
	assert_int_equal(rd(v, TMCCT, 30), 90);
	assert_int_equal(vlapic_timer_next_deadline(v), 30 + 90 * 12);
	assert_int_equal(rd(v, TMCCT, 30 + 12), 89);
}

static void test_vlapic_timer_periodic_to_oneshot_keeps_current_count(void **state)
{
	struct vlapic *v = mk_on(false);
	const u64 scale = 2 * TSC_PER_BUS;

	(void)state;
	wr(v, LVT_TIMER, PERIODIC | 0x40, 0);
	wr(v, TMICT, 10, 0);
	vlapic_timer_tick(v, 25 * scale); /* two periods in, count 5 */
	assert_int_equal(vlapic_ack(v, 0x40), 0);
	wr(v, EOI, 0, 25 * scale);
	wr(v, LVT_TIMER, 0x40, 25 * scale); /* one-shot from here */
	assert_int_equal(rd(v, TMCCT, 25 * scale), 5);
	assert_int_equal(vlapic_timer_next_deadline(v), 30 * scale);
	vlapic_timer_tick(v, 30 * scale);
	assert_int_equal(vlapic_pending(v), 0x40);
	assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);
}

static void test_vlapic_timer_tsc_deadline_arms_fires_and_disarms(void **state)
{
	struct vlapic *v = mk_on(true);
	struct vlapic_fx fx;
	u64 val;

	(void)state;
	/* Outside TSC-deadline mode the MSR reads 0 and ignores writes. */
	assert_int_equal(vlapic_msr_write(v, MSR_TSC_DEADLINE, 5000, 0, &fx), 0);
	assert_int_equal(vlapic_msr_read(v, MSR_TSC_DEADLINE, 0, &val), 0);
	assert_int_equal(val, 0);

	wr(v, LVT_TIMER, 100, 0);
	wr(v, TMICT, 100, 0);
	wr(v, LVT_TIMER, TSC_DEADLINE | 0x70, 10); /* mode switch disarms */
	assert_int_equal(rd(v, TMICT, 10), 0);
	assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);
	wr(v, TMICT, 100, 20); /* ignored in this mode */
	assert_int_equal(rd(v, TMICT, 20), 0);
	assert_int_equal(rd(v, TMCCT, 20), 0);

	assert_int_equal(vlapic_msr_write(v, MSR_TSC_DEADLINE, 5000, 30, &fx), 0);
	assert_true(fx.flags & VLAPIC_FX_TIMER);
	assert_int_equal(vlapic_msr_read(v, MSR_TSC_DEADLINE, 30, &val), 0);
	assert_int_equal(val, 5000);
	assert_int_equal(vlapic_timer_next_deadline(v), 5000);
	assert_int_equal(rd(v, TMCCT, 40), 0);
	vlapic_timer_tick(v, 4999);
	assert_int_equal(vlapic_pending(v), -ENOENT);
	vlapic_timer_tick(v, 5003);
	assert_int_equal(vlapic_pending(v), 0x70);
	assert_int_equal(vlapic_msr_read(v, MSR_TSC_DEADLINE, 5003, &val), 0);
	assert_int_equal(val, 0); /* cleared on expiry */
	assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);

	/* A deadline already past fires at the next tick; 0 disarms. */
	assert_int_equal(vlapic_msr_write(v, MSR_TSC_DEADLINE, 10, 6000, &fx), 0);
	assert_int_equal(vlapic_timer_next_deadline(v), 10);
	assert_int_equal(vlapic_msr_write(v, MSR_TSC_DEADLINE, 0, 6000, &fx), 0);
	assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);
	assert_int_equal(vlapic_msr_write(v, MSR_TSC_DEADLINE, 7000, 6000, &fx), 0);
	wr(v, LVT_TIMER, 0x70, 6500); /* back to one-shot: disarmed */
	assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);
}

/* x2APIC MSR rules: #GP (-EINVAL) for absent, wrong-direction and reserved-bit accesses. */
static void test_vlapic_x2apic_msr_access_errors(void **state)
{
	static const struct { u32 msr; bool write; u64 val; int want; } t[] = {
		{ X2(ID), false, 0, 0 },	   { X2(ID), true, 5, -EINVAL },
		{ X2(VER), true, 0, -EINVAL },	   { X2(APR), false, 0, -EINVAL },
		{ X2(PPR), true, 0, -EINVAL },	   { X2(EOI), false, 0, -EINVAL },
		{ X2(EOI), true, 1, -EINVAL },	   { X2(EOI), true, 0, 0 },
		{ X2(LDR), false, 0, 0 },	   { X2(LDR), true, 0, -EINVAL },
		{ X2(DFR), false, 0, -EINVAL },	   { X2(ISR0), true, 0, -EINVAL },
		{ X2(IRR0 + 0x70), false, 0, 0 }, { X2(ESR), true, 1, -EINVAL },
		{ X2(ESR), true, 0, 0 },	   { X2(ICR_HI), false, 0, -EINVAL },
		{ X2(ICR_HI), true, 0, -EINVAL }, { X2(ICR_LO), true, 1ULL << 13, -EINVAL },
		{ X2(ICR_LO), true, 0x0000000300000040ULL, 0 },
		{ X2(TMCCT), true, 0, -EINVAL },  { X2(TPR), true, 0x100, -EINVAL },
		{ X2(TPR), true, 1ULL << 32, -EINVAL }, { X2(SVR), true, 1u << 12, -EINVAL },
		{ X2(TDCR), true, 0x4, -EINVAL }, { X2(LVT_TIMER), true, 3u << 19, -EINVAL },
		{ X2(LVT_TIMER), true, 1u << 12, 0 }, /* delivery status: read-only, not reserved */
		{ 0x83f, true, 0x31, 0 },	   { 0x83f, false, 0, -EINVAL }, /* SELF_IPI */
		{ 0x83f, true, 0x100, -EINVAL },   { 0x840, false, 0, -EINVAL },
		{ 0x8ff, true, 0, -EINVAL },	   { 0x801, false, 0, -EINVAL },
		{ 0x80c, false, 0, -EINVAL },	   { 0x82f, false, 0, -EINVAL },
		{ 0x10, false, 0, -ENOENT },	   { 0x900, true, 0, -ENOENT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vlapic *v = mk_on(true);
		struct vlapic_fx fx;
		u64 val;
		int rc = t[i].write ? vlapic_msr_write(v, t[i].msr, t[i].val, 0, &fx) :
				      vlapic_msr_read(v, t[i].msr, 0, &val);

		if (rc != t[i].want)
			print_error("row %zu: msr %#x %s\n", i, t[i].msr, t[i].write ? "write" : "read");
		assert_int_equal(rc, t[i].want);
	}
}

static void test_vlapic_x2apic_switch_enables_msrs_and_derives_ldr(void **state)
{
	struct vlapic_config cfg = { .apic_id = 0x35, .x2apic = true, .maxphyaddr = 39,
				     .tsc_per_bus = 1 };
	struct vlapic v;
	struct vlapic_fx fx;
	u64 val;

	(void)state;
	assert_int_equal(vlapic_reset(&v, &cfg), 0);
	assert_int_equal(vlapic_msr_read(&v, X2(ID), 0, &val), -EINVAL); /* xAPIC: #GP */
	assert_int_equal(vlapic_msr_write(&v, X2(TPR), 0, 0, &fx), -EINVAL);
	assert_int_equal(vlapic_msr_write(&v, MSR_APIC_BASE, 0xfee00c00, 0, &fx), 0);
	assert_int_equal(rd(&v, ID, 0), 0x35);
	assert_int_equal(rd(&v, LDR, 0), (3u << 16) | (1u << 5)); /* cluster 3, bit 5 */
	wr(&v, SVR, 0x1ff, 0);
	fx = wr(&v, 0x3f0, 0x66, 0);
	assert_int_equal(fx.flags, 0); /* handled locally, no IPI to route */
	assert_int_equal(vlapic_pending(&v), 0x66);
}

/* Writing ICR decodes into the action the caller routes. */
static void test_vlapic_icr_decode_matrix(void **state)
{
	static const struct {
		bool x2;
		u32 hi, lo, flags;
		enum vlapic_ipi_kind kind;
		enum vlapic_shorthand sh;
		u8 vector;
		bool logical;
		u32 dest;
	} t[] = {
		/* xAPIC: fixed physical, logical, shorthands */
		{ 0, 0x03000000, 0x00004031, VLAPIC_FX_IPI, VLAPIC_IPI_FIXED, VLAPIC_DEST_FIELD, 0x31, 0, 3 },
		{ 0, 0x0f000000, 0x00004831, VLAPIC_FX_IPI, VLAPIC_IPI_FIXED, VLAPIC_DEST_FIELD, 0x31, 1, 0x0f },
		{ 0, 0, 0x00044040, VLAPIC_FX_IPI, VLAPIC_IPI_FIXED, VLAPIC_DEST_SELF, 0x40, 0, 0 },
		{ 0, 0, 0x00084040, VLAPIC_FX_IPI, VLAPIC_IPI_FIXED, VLAPIC_DEST_ALL, 0x40, 0, 0 },
		{ 0, 0, 0x000c4040, VLAPIC_FX_IPI, VLAPIC_IPI_FIXED, VLAPIC_DEST_OTHERS, 0x40, 0, 0 },
		{ 0, 0x01000000, 0x00004141, VLAPIC_FX_IPI, VLAPIC_IPI_LOWEST, VLAPIC_DEST_FIELD, 0x41, 0, 1 },
		{ 0, 0x01000000, 0x00004400, VLAPIC_FX_IPI, VLAPIC_IPI_NMI, VLAPIC_DEST_FIELD, 0, 0, 1 },
		/* Linux's AP start: INIT assert, INIT de-assert (no-op), SIPI page 0x9a */
		{ 0, 0x01000000, 0x0000c500, VLAPIC_FX_IPI, VLAPIC_IPI_INIT, VLAPIC_DEST_FIELD, 0, 0, 1 },
		{ 0, 0x01000000, 0x00008500, 0, 0, 0, 0, 0, 0 },
		{ 0, 0x01000000, 0x0000069a, VLAPIC_FX_IPI, VLAPIC_IPI_SIPI, VLAPIC_DEST_FIELD, 0x9a, 0, 1 },
		{ 0, 0, 0x000c4500, VLAPIC_FX_IPI, VLAPIC_IPI_INIT, VLAPIC_DEST_OTHERS, 0, 0, 0 },
		{ 0, 0, 0x000c0612, VLAPIC_FX_IPI, VLAPIC_IPI_SIPI, VLAPIC_DEST_OTHERS, 0x12, 0, 0 },
		/* SMI and reserved modes send nothing; fixed vectors < 16 are send errors */
		{ 0, 0x01000000, 0x00004200, VLAPIC_FX_DROPPED, 0, 0, 0, 0, 0 },
		{ 0, 0x01000000, 0x00004700, VLAPIC_FX_DROPPED, 0, 0, 0, 0, 0 },
		{ 0, 0x01000000, 0x0000400f, 0, 0, 0, 0, 0, 0 },
		/* xAPIC ignores ICR_HI bits 23:0 */
		{ 0, 0xffffff, 0x00004031, VLAPIC_FX_IPI, VLAPIC_IPI_FIXED, VLAPIC_DEST_FIELD, 0x31, 0, 0 },
		/* x2APIC: 32-bit destinations */
		{ 1, 0x00012345, 0x000040ee, VLAPIC_FX_IPI, VLAPIC_IPI_FIXED, VLAPIC_DEST_FIELD, 0xee, 0, 0x12345 },
		{ 1, 0x00020003, 0x000048ee, VLAPIC_FX_IPI, VLAPIC_IPI_FIXED, VLAPIC_DEST_FIELD, 0xee, 1, 0x20003 },
		{ 1, 0, 0x00084400, VLAPIC_FX_IPI, VLAPIC_IPI_NMI, VLAPIC_DEST_ALL, 0, 0, 0 },
		{ 1, 7, 0x00000608, VLAPIC_FX_IPI, VLAPIC_IPI_SIPI, VLAPIC_DEST_FIELD, 0x08, 0, 7 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vlapic *v = mk_on(t[i].x2);
		struct vlapic_fx fx;

		if (t[i].x2) {
			u64 icr = ((u64)t[i].hi << 32) | t[i].lo;

			assert_int_equal(vlapic_msr_write(v, X2(ICR_LO), icr, 0, &fx), 0);
		} else {
			wr(v, ICR_HI, t[i].hi, 0);
			fx = wr(v, ICR_LO, t[i].lo, 0);
			assert_int_equal(rd(v, ICR_LO, 0) & (1u << 12), 0); /* always idle */
			wr(v, ESR, 0, 0);
			assert_int_equal(rd(v, ESR, 0), /* a fixed vector < 16: send illegal vector */
					 (t[i].lo & 0x7f0) ? 0 : 1u << 5);
		}
		if (fx.flags != t[i].flags || ((fx.flags & VLAPIC_FX_IPI) &&
		    (fx.ipi.kind != t[i].kind || fx.ipi.shorthand != t[i].sh ||
		     fx.ipi.vector != t[i].vector || fx.ipi.logical != t[i].logical ||
		     fx.ipi.dest != t[i].dest)))
			print_error("row %zu: icr %#x:%08x\n", i, t[i].hi, t[i].lo);
		assert_int_equal(fx.flags, t[i].flags);
		if (!(fx.flags & VLAPIC_FX_IPI))
			continue;
		assert_int_equal(fx.ipi.kind, t[i].kind);
		assert_int_equal(fx.ipi.shorthand, t[i].sh);
		assert_int_equal(fx.ipi.vector, t[i].vector);
		assert_int_equal(fx.ipi.logical, t[i].logical);
		assert_int_equal(fx.ipi.dest, t[i].dest);
	}
}

static void test_vlapic_matches_dest_physical_and_logical(void **state)
{
	static const struct {
		bool x2;
		u32 ldr, dfr, dest;
		bool logical, want;
	} t[] = {
		/* xAPIC physical, ID 5 */
		{ 0, 0, ~0u, 5, 0, 1 },	{ 0, 0, ~0u, 6, 0, 0 }, { 0, 0, ~0u, 0xff, 0, 1 },
		{ 0, 0, ~0u, 0x105, 0, 1 }, /* only 8 bits count */
		/* flat: LDR bit 2 */
		{ 0, 0x04000000, ~0u, 0x04, 1, 1 }, { 0, 0x04000000, ~0u, 0x0c, 1, 1 },
		{ 0, 0x04000000, ~0u, 0x03, 1, 0 }, { 0, 0x04000000, ~0u, 0xff, 1, 1 },
		/* cluster: cluster 2, member bit 1 */
		{ 0, 0x22000000, 0x0fffffff, 0x22, 1, 1 }, { 0, 0x22000000, 0x0fffffff, 0x23, 1, 1 },
		{ 0, 0x22000000, 0x0fffffff, 0x21, 1, 0 }, { 0, 0x22000000, 0x0fffffff, 0x32, 1, 0 },
		{ 0, 0x22000000, 0x0fffffff, 0xff, 1, 1 },
		/* undefined DFR model */
		{ 0, 0x22000000, 0x5fffffff, 0x22, 1, 0 },
		/* x2APIC, ID 5: LDR cluster 0 bit 5 */
		{ 1, 0, 0, 5, 0, 1 }, { 1, 0, 0, 0x105, 0, 0 }, { 1, 0, 0, 0xffffffff, 0, 1 },
		{ 1, 0, 0, 0x00000020, 1, 1 }, { 1, 0, 0, 0x00010020, 1, 0 },
		{ 1, 0, 0, 0x0000ffdf, 1, 0 }, { 1, 0, 0, 0xffffffff, 1, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vlapic *v = mk_on(t[i].x2);

		if (!t[i].x2) {
			wr(v, LDR, t[i].ldr, 0);
			wr(v, DFR, t[i].dfr, 0);
			assert_int_equal(rd(v, DFR, 0), t[i].dfr | 0x0fffffff);
		}
		if (vlapic_matches_dest(v, t[i].dest, t[i].logical) != t[i].want)
			print_error("row %zu: dest %#x\n", i, t[i].dest);
		assert_int_equal(vlapic_matches_dest(v, t[i].dest, t[i].logical), t[i].want);
	}
}

/* IA32_APIC_BASE transitions (SDM 11.12.5). */
static void test_vlapic_apic_base_mode_transitions(void **state)
{
	static const struct {
		enum vlapic_mode from;
		u64 val;
		int want;
		enum vlapic_mode to;
	} t[] = {
		{ VLAPIC_XAPIC, 0xfee00d00, 0, VLAPIC_X2APIC },
		{ VLAPIC_XAPIC, 0xfee00100, 0, VLAPIC_DISABLED },
		{ VLAPIC_XAPIC, 0xfed00900, 0, VLAPIC_XAPIC }, /* relocated */
		{ VLAPIC_XAPIC, 0xfee00500, -EINVAL, VLAPIC_XAPIC }, /* EN=0, EXTD=1 */
		{ VLAPIC_XAPIC, 0xfee00901, -EINVAL, VLAPIC_XAPIC }, /* reserved bit 0 */
		{ VLAPIC_XAPIC, 0xfee00b00, -EINVAL, VLAPIC_XAPIC }, /* reserved bit 9 */
		{ VLAPIC_XAPIC, 1ULL << 39 | 0xfee00900, -EINVAL, VLAPIC_XAPIC }, /* > maxphyaddr */
		{ VLAPIC_X2APIC, 0xfee00900, -EINVAL, VLAPIC_X2APIC },
		{ VLAPIC_X2APIC, 0xfee00100, 0, VLAPIC_DISABLED },
		{ VLAPIC_X2APIC, 0xfee00d00, 0, VLAPIC_X2APIC },
		{ VLAPIC_DISABLED, 0xfee00d00, -EINVAL, VLAPIC_DISABLED },
		{ VLAPIC_DISABLED, 0xfee00900, 0, VLAPIC_XAPIC },
		{ VLAPIC_DISABLED, 0xfee00500, -EINVAL, VLAPIC_DISABLED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vlapic *v = mk(t[i].from == VLAPIC_X2APIC);
		struct vlapic_fx fx;
		int rc;

		if (t[i].from == VLAPIC_DISABLED)
			assert_int_equal(vlapic_msr_write(v, MSR_APIC_BASE, 0xfee00100, 0, &fx), 0);
		assert_int_equal(vlapic_mode(v), t[i].from);
		rc = vlapic_msr_write(v, MSR_APIC_BASE, t[i].val, 0, &fx);
		if (rc != t[i].want || vlapic_mode(v) != t[i].to)
			print_error("row %zu: %#llx\n", i, (unsigned long long)t[i].val);
		assert_int_equal(rc, t[i].want);
		assert_int_equal(vlapic_mode(v), t[i].to);
	}
}

static void test_vlapic_apic_base_x2apic_needs_cpuid_and_bsp_is_fixed(void **state)
{
	struct vlapic_config cfg = { .apic_id = 1, .maxphyaddr = 39, .tsc_per_bus = 1 };
	struct vlapic v;
	struct vlapic_fx fx;
	u64 val;

	(void)state;
	assert_int_equal(vlapic_reset(&v, &cfg), 0);
	assert_int_equal(vlapic_msr_write(&v, MSR_APIC_BASE, 0xfee00c00, 0, &fx), -EINVAL);
	assert_int_equal(vlapic_msr_write(&v, MSR_APIC_BASE, 0xfee00900, 0, &fx), 0);
	assert_int_equal(vlapic_msr_read(&v, MSR_APIC_BASE, 0, &val), 0);
	assert_int_equal(val, 0xfee00800); /* an AP stays an AP */
}

static void test_vlapic_disable_resets_registers_and_stops_timer(void **state)
{
	struct vlapic *v = mk_on(false);
	struct vlapic_fx fx;
	u64 val;

	(void)state;
	wr(v, TPR, 0x20, 0);
	wr(v, LVT_TIMER, 0x40, 0);
	wr(v, TMICT, 1000, 0);
	assert_int_equal(vlapic_accept(v, 0x80, false), 0);
	assert_int_equal(vlapic_msr_write(v, MSR_APIC_BASE, 0xfee00100, 0, &fx), 0);
	assert_int_equal(vlapic_pending(v), -ENOENT);
	assert_int_equal(vlapic_accept(v, 0x80, false), -ENODEV);
	assert_int_equal(vlapic_timer_next_deadline(v), VLAPIC_NO_DEADLINE);
	assert_false(vlapic_matches_dest(v, 0xff, false));
	/* The page is not decoded while disabled. */
	assert_int_equal(vlapic_mmio_read(v, TPR, 4, 0, &val), 0);
	assert_int_equal(val, 0xffffffff);

	assert_int_equal(vlapic_msr_write(v, MSR_APIC_BASE, 0xfee00900, 0, &fx), 0);
	assert_int_equal(rd(v, TPR, 0), 0);
	assert_int_equal(rd(v, SVR, 0), 0xff);
	assert_int_equal(rd(v, LVT_TIMER, 0), MASKED);
	assert_int_equal(rd(v, ID, 0), APIC_ID << 24);
}

static void test_vlapic_init_signal_keeps_id_and_mode(void **state)
{
	struct vlapic *v = mk_on(true);

	(void)state;
	wr(v, TPR, 0x30, 0);
	take(v, 0x44, false);
	vlapic_init_signal(v);
	assert_int_equal(vlapic_mode(v), VLAPIC_X2APIC);
	assert_int_equal(rd(v, ID, 0), APIC_ID);
	assert_int_equal(rd(v, LDR, 0), 1u << APIC_ID);
	assert_int_equal(rd(v, TPR, 0), 0);
	assert_int_equal(rd(v, ISR0 + 0x20, 0), 0);
	assert_int_equal(rd(v, SVR, 0), 0xff);
}

/* xAPIC page: sub-dword reads, odd-size writes, reserved slots, other modes. */
static void test_vlapic_mmio_access_sizes_and_reserved_slots(void **state)
{
	struct vlapic *v = mk_on(false);
	struct vlapic_fx fx;
	u64 val;

	(void)state;
	wr(v, TPR, 0xa7, 0);
	assert_int_equal(vlapic_mmio_read(v, TPR, 1, 0, &val), 0);
	assert_int_equal(val, 0xa7);
	assert_int_equal(vlapic_mmio_read(v, ID + 3, 1, 0, &val), 0);
	assert_int_equal(val, APIC_ID);
	assert_int_equal(vlapic_mmio_read(v, VER + 2, 2, 0, &val), 0);
	assert_int_equal(val, 5);
	assert_int_equal(vlapic_mmio_read(v, VER, 8, 0, &val), 0);
	assert_int_equal(val, 0x00050014); /* bytes 4..7 of a slot read 0 */
	assert_int_equal(vlapic_mmio_read(v, TPR + 4, 4, 0, &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(vlapic_mmio_read(v, TPR, 3, 0, &val), -EINVAL);
	assert_int_equal(vlapic_mmio_read(v, 0x1000, 4, 0, &val), -EINVAL);

	/* Only aligned dword writes count. */
	assert_int_equal(vlapic_mmio_write(v, TPR, 1, 0x10, 0, &fx), 0);
	assert_int_equal(fx.flags, VLAPIC_FX_DROPPED);
	assert_int_equal(vlapic_mmio_write(v, TPR, 8, 0x10, 0, &fx), 0);
	assert_int_equal(vlapic_mmio_write(v, TPR + 4, 4, 0x10, 0, &fx), 0);
	assert_int_equal(rd(v, TPR, 0), 0xa7);

	/* Read-only: dropped quietly. Reserved: ESR "illegal register address". */
	fx = wr(v, VER, 0, 0);
	assert_int_equal(fx.flags, VLAPIC_FX_DROPPED);
	fx = wr(v, ID, 0x09000000, 0);
	assert_int_equal(rd(v, ID, 0), APIC_ID << 24);
	wr(v, ESR, 0, 0);
	assert_int_equal(rd(v, ESR, 0), 0);
	fx = wr(v, 0x040, 1, 0);
	assert_int_equal(fx.flags, VLAPIC_FX_DROPPED);
	assert_int_equal(vlapic_mmio_read(v, 0x800, 4, 0, &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(rd(v, 0x3f0, 0), 0); /* SELF_IPI is x2APIC-only */
	wr(v, ESR, 0, 0);
	assert_int_equal(rd(v, ESR, 0), 1u << 7);

	/* In x2APIC mode the page reads all-ones and ignores writes. */
	v = mk_on(true);
	assert_int_equal(vlapic_mmio_read(v, TPR, 2, 0, &val), 0);
	assert_int_equal(val, 0xffff);
	assert_int_equal(vlapic_mmio_write(v, TPR, 4, 0x50, 0, &fx), 0);
	assert_int_equal(fx.flags, VLAPIC_FX_DROPPED);
	assert_int_equal(rd(v, TPR, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vlapic_reset_gives_xapic_registers_in_reset_state),
		cmocka_unit_test(test_vlapic_reset_rejects_bad_config),
		cmocka_unit_test(test_vlapic_xapic_writes_keep_only_defined_bits),
		cmocka_unit_test(test_vlapic_ppr_and_apr_from_tpr_isr_irr),
		cmocka_unit_test(test_vlapic_pending_requires_class_above_ppr),
		cmocka_unit_test(test_vlapic_pending_picks_highest_irr),
		cmocka_unit_test(test_vlapic_eoi_clears_highest_isr_first),
		cmocka_unit_test(test_vlapic_eoi_reports_level_triggered_vectors_only),
		cmocka_unit_test(test_vlapic_accept_illegal_vector_records_esr_and_error_lvt),
		cmocka_unit_test(test_vlapic_software_disabled_drops_fixed_and_masks_lvts),
		cmocka_unit_test(test_vlapic_timer_oneshot_each_divide_value),
		cmocka_unit_test(test_vlapic_timer_periodic_rearms_and_coalesces_missed_periods),
		cmocka_unit_test(test_vlapic_timer_masked_lvt_counts_without_interrupt),
		cmocka_unit_test(test_vlapic_timer_divide_change_keeps_current_count),
		cmocka_unit_test(test_vlapic_timer_periodic_to_oneshot_keeps_current_count),
		cmocka_unit_test(test_vlapic_timer_tsc_deadline_arms_fires_and_disarms),
		cmocka_unit_test(test_vlapic_x2apic_msr_access_errors),
		cmocka_unit_test(test_vlapic_x2apic_switch_enables_msrs_and_derives_ldr),
		cmocka_unit_test(test_vlapic_icr_decode_matrix),
		cmocka_unit_test(test_vlapic_matches_dest_physical_and_logical),
		cmocka_unit_test(test_vlapic_apic_base_mode_transitions),
		cmocka_unit_test(test_vlapic_apic_base_x2apic_needs_cpuid_and_bsp_is_fixed),
		cmocka_unit_test(test_vlapic_disable_resets_registers_and_stops_timer),
		cmocka_unit_test(test_vlapic_init_signal_keeps_id_and_mode),
		cmocka_unit_test(test_vlapic_mmio_access_sizes_and_reserved_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
