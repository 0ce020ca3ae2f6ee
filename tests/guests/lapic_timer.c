// SPDX-License-Identifier: GPL-2.0-only
/*
 * lapic_timer: the vLAPIC timer and interrupt gating.
 *   - one-shot: exactly one tick, then the count reads 0;
 *   - periodic: about the expected number of ticks in a TSC-measured
 *     window (the period is known from the bus rate measured through the
 *     current-count register);
 *   - TSC-deadline, when CPUID.1:ECX[24] offers it: one tick at the
 *     deadline, after which the MSR reads 0;
 *   - with IF=0 a tick waits in the IRR and arrives only after STI;
 *   - with the TPR at the vector's priority class nothing arrives until the
 *     TPR is lowered;
 *   - the x2APIC MSR interface, when CPUID.1:ECX[21] offers it: ID,
 *     version, TPR, a one-shot tick, self-IPI, strict EOI, and that the
 *     xAPIC page is gone and the way back to xAPIC mode is #GP.
 * Waiting for a tick uses HLT with IF=1, so the vCPU sleeps until the
 * interrupt is pending (the hypervisor's sleep-on-HLT).
 * Timing tolerances are wide: emulators lose time to exits.
 */
#include "guest-api/libguest/libguest.h"

#define VEC_TIMER 0x40		/* priority class 4 */
#define VEC_SELF 0x41
#define VEC_SPURIOUS 0xff
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define PERIOD_MS 5
#define PERIODS 20

static volatile uint32_t ticks, self_ipis, isr_seen, spurious;
static volatile bool x2apic;
static uint32_t bus_khz;

static void eoi(void)
{
	if (x2apic)
		wrmsr(LG_MSR_X2APIC + LG_LAPIC_EOI / 16, 0);
	else
		lg_lapic_eoi();
}

static void on_timer(struct lg_frame *f)
{
	(void)f;
	ticks++;
	if (!x2apic && lg_lapic_isr(VEC_TIMER))
		isr_seen++;
	eoi();
}

static void on_self(struct lg_frame *f)
{
	(void)f;
	self_ipis++;
	eoi();
}

static void on_spurious(struct lg_frame *f)
{
	(void)f;
	spurious++;	/* no EOI for the spurious vector */
}

/* Halts (IF=1) until a tick has arrived or ms of TSC time passed. */
static void wait_tick(uint32_t ms)
{
	uint64_t end = lg_tsc_after_ms(ms);

	while (!ticks && rdtsc() < end) {
		sti_hlt();
		cli();
	}
}

/* Spins with interrupts as they are for ms of TSC time. */
static void spin_ms(uint32_t ms)
{
	uint64_t end = lg_tsc_after_ms(ms);

	while (rdtsc() < end)
		pause();
}

static void stop_timer(void)
{
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_MASKED | VEC_TIMER);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, 0);
}

/* Bus ticks per ms, from the current-count register against the TSC (50 ms at 100 MHz). */
static uint32_t measure_bus_khz(void)
{
	uint64_t dtsc;
	uint32_t dbus = lg_lapic_bus_ticks(5000000u, &dtsc);

	return (uint32_t)lg_udiv64((uint64_t)dbus * lg_tsc_khz(), dtsc ? dtsc : 1);
}

static void oneshot(void)
{
	lg_printf("one-shot: %u ms, waiting with HLT\n", PERIOD_MS);
	ticks = isr_seen = 0;
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_ONESHOT | VEC_TIMER);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, bus_khz * PERIOD_MS);
	wait_tick(5000);
	EXPECT_EQ(ticks, 1);
	EXPECT_EQ(isr_seen, 1);	/* the handler ran with the vector in service */
	/* It stays at one, and the count has run out. */
	sti();
	spin_ms(4 * PERIOD_MS);
	cli();
	EXPECT_EQ(ticks, 1);
	EXPECT_EQ(lg_lapic_read(LG_LAPIC_TIMER_CCR), 0);
	EXPECT_EQ(lg_lapic_isr(VEC_TIMER), false);	/* EOI cleared it */
	stop_timer();
}

static void periodic(void)
{
	uint64_t end;
	uint32_t n;

	lg_printf("periodic: %u ms for %u periods\n", PERIOD_MS, PERIODS);
	ticks = 0;
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_PERIODIC | VEC_TIMER);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, bus_khz * PERIOD_MS);
	end = lg_tsc_after_ms(PERIOD_MS * PERIODS);
	while (rdtsc() < end) {
		sti_hlt();
		cli();
	}
	n = ticks;
	stop_timer();
	lg_printf("periodic: %u ticks (want about %u)\n", n, PERIODS);
	/* Ticks lost to an emulator's scheduling are fine; extra ticks are not. */
	EXPECT_TRUE(n >= PERIODS / 4 && n <= PERIODS + 2);
	/* Stopped means stopped. */
	sti();
	spin_ms(3 * PERIOD_MS);
	cli();
	EXPECT_EQ(ticks, n);
}

static void tsc_deadline(void)
{
	uint64_t deadline;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE)) {
		lg_printf("TSC-deadline: not offered by CPUID, skipped\n");
		return;
	}
	lg_printf("TSC-deadline: %u ms\n", PERIOD_MS);
	ticks = 0;
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_TSC_DEADLINE | VEC_TIMER);
	deadline = lg_tsc_after_ms(PERIOD_MS);
	wrmsr(LG_MSR_TSC_DEADLINE, deadline);
	EXPECT_EQ(rdmsr(LG_MSR_TSC_DEADLINE), deadline);
	wait_tick(5000);
	EXPECT_EQ(ticks, 1);
	EXPECT_TRUE(rdtsc() >= deadline);
	EXPECT_EQ(rdmsr(LG_MSR_TSC_DEADLINE), 0);	/* disarmed after firing */
	/* A deadline in the past fires at once. */
	ticks = 0;
	wrmsr(LG_MSR_TSC_DEADLINE, 1);
	wait_tick(5000);
	EXPECT_EQ(ticks, 1);
	stop_timer();
}

static void masked_by_if(void)
{
	lg_printf("IF=0: a tick must wait for STI\n");
	ticks = 0;
	cli();
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_ONESHOT | VEC_TIMER);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, bus_khz * 1);
	spin_ms(10);
	EXPECT_EQ(ticks, 0);
	EXPECT_TRUE(lg_lapic_irr(VEC_TIMER));	/* pending, not delivered */
	wait_tick(1000);
	EXPECT_EQ(ticks, 1);
	stop_timer();
}

static void masked_by_tpr(void)
{
	uint64_t end;

	lg_printf("TPR: class 4 masks vector 0x%x until lowered\n", VEC_TIMER);
	ticks = 0;
	lg_lapic_write(LG_LAPIC_TPR, VEC_TIMER & 0xf0);
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_ONESHOT | VEC_TIMER);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, bus_khz * 1);
	sti();
	spin_ms(10);
	cli();
	EXPECT_EQ(ticks, 0);
	EXPECT_TRUE(lg_lapic_irr(VEC_TIMER));
	EXPECT_EQ(lg_lapic_read(LG_LAPIC_PPR), VEC_TIMER & 0xf0);
	/* One class lower: it is delivered. */
	sti();
	lg_lapic_write(LG_LAPIC_TPR, (VEC_TIMER & 0xf0) - 0x10);
	end = lg_tsc_after_ms(1000);
	while (!ticks && rdtsc() < end)
		pause();
	cli();
	EXPECT_EQ(ticks, 1);
	lg_lapic_write(LG_LAPIC_TPR, 0);
	stop_timer();
}

static void x2apic_mode(void)
{
	uint64_t base;
	uint32_t ver;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_X2APIC)) {
		lg_printf("x2APIC: not offered by CPUID, skipped\n");
		return;
	}
	lg_printf("x2APIC: MSR interface\n");
	ver = lg_lapic_read(LG_LAPIC_VERSION);
	base = rdmsr(LG_MSR_APIC_BASE);
	wrmsr(LG_MSR_APIC_BASE, base | LG_APIC_BASE_X2APIC);
	x2apic = true;
	EXPECT_EQ(rdmsr(LG_MSR_APIC_BASE), base | LG_APIC_BASE_X2APIC);
	EXPECT_EQ(rdmsr(LG_MSR_X2APIC + LG_LAPIC_ID / 16), 0);
	EXPECT_EQ(rdmsr(LG_MSR_X2APIC + LG_LAPIC_VERSION / 16), ver);
	EXPECT_EQ(rdmsr(LG_MSR_X2APIC + LG_LAPIC_LDR / 16), 1);	/* cluster 0, bit 0 */
	wrmsr(LG_MSR_X2APIC + LG_LAPIC_TPR / 16, 0x20);
	EXPECT_EQ(rdmsr(LG_MSR_X2APIC + LG_LAPIC_TPR / 16), 0x20);
	wrmsr(LG_MSR_X2APIC + LG_LAPIC_TPR / 16, 0);
	/* The xAPIC page is gone: reads all-ones. */
	EXPECT_EQ(lg_lapic_read(LG_LAPIC_VERSION), 0xffffffffu);

	/* One-shot through the MSRs. */
	ticks = 0;
	wrmsr(LG_MSR_X2APIC + LG_LAPIC_TIMER_DCR / 16, LG_DCR_DIV1);
	wrmsr(LG_MSR_X2APIC + LG_LAPIC_LVT_TIMER / 16, LG_LVT_ONESHOT | VEC_TIMER);
	wrmsr(LG_MSR_X2APIC + LG_LAPIC_TIMER_ICR / 16, bus_khz * PERIOD_MS);
	EXPECT_TRUE(rdmsr(LG_MSR_X2APIC + LG_LAPIC_TIMER_CCR / 16) > 0);
	wait_tick(5000);
	EXPECT_EQ(ticks, 1);
	/* Self-IPI register. */
	wrmsr(LG_MSR_X2APIC + 0x3f, VEC_SELF);
	{
		uint64_t end = lg_tsc_after_ms(1000);
		sti();
		while (!self_ipis && rdtsc() < end)
			pause();
		cli();
	}
	EXPECT_EQ(self_ipis, 1);
	/* x2APIC is strict: EOI with a non-zero value, reads of write-only registers. */
	EXPECT_EQ(wrmsr_safe(LG_MSR_X2APIC + LG_LAPIC_EOI / 16, 1), LG_FAULT_GP);
	{
		uint64_t v;
		EXPECT_EQ(rdmsr_safe(LG_MSR_X2APIC + LG_LAPIC_EOI / 16, &v), LG_FAULT_GP);
	}
	/* x2APIC -> xAPIC without disabling first is illegal. */
	EXPECT_EQ(wrmsr_safe(LG_MSR_APIC_BASE, base), LG_FAULT_GP);
	EXPECT_EQ(rdmsr(LG_MSR_APIC_BASE), base | LG_APIC_BASE_X2APIC);
	wrmsr(LG_MSR_X2APIC + LG_LAPIC_LVT_TIMER / 16, LG_LVT_MASKED | VEC_TIMER);
}

int main(struct multiboot_info *mbi)
{
	uint32_t svr;

	(void)mbi;
	lg_test_begin("lapic_timer");
	if (!EXPECT_EQ(cpuid(1, 0).edx & CPUID1_EDX_APIC, CPUID1_EDX_APIC))
		lg_abort("no APIC in CPUID");
	EXPECT_EQ(rdmsr(LG_MSR_APIC_BASE) & ~0xfffull, LG_LAPIC_BASE);

	lg_idt_set_handler(VEC_TIMER, on_timer);
	lg_idt_set_handler(VEC_SELF, on_self);
	lg_idt_set_handler(VEC_SPURIOUS, on_spurious);
	/* Software-disabled at reset: SVR 0xff, every LVT masked. */
	svr = lg_lapic_read(LG_LAPIC_SVR);
	EXPECT_EQ(svr & LG_SVR_ENABLE, 0);
	EXPECT_EQ(lg_lapic_read(LG_LAPIC_LVT_TIMER) & LG_LVT_MASKED, LG_LVT_MASKED);
	lg_lapic_enable(VEC_SPURIOUS);
	EXPECT_EQ(lg_lapic_read(LG_LAPIC_SVR), LG_SVR_ENABLE | VEC_SPURIOUS);

	lg_printf("TSC %u kHz\n", lg_tsc_khz());
	bus_khz = measure_bus_khz();
	lg_printf("LAPIC bus %u kHz\n", bus_khz);
	if (!EXPECT_TRUE(bus_khz > 1000 && bus_khz < 200000))
		lg_abort("the timer count does not move at a plausible rate");

	oneshot();
	periodic();
	tsc_deadline();
	masked_by_if();
	masked_by_tpr();
	x2apic_mode();
	EXPECT_EQ(spurious, 0);
	test_exit("lapic_timer");
}
