// SPDX-License-Identifier: GPL-2.0-only
/*
 * Local APIC driver.
 * Singleton: the LAPIC mode and mapping, owned here; written by the boot
 * CPU in lapic_global_init() before any AP starts.
 */
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/time.h"
#include "kernel/x86/apic_regs.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/msr.h"

#define LOG_TAG "lapic"
#define TRAP_VEC_SPURIOUS 0xff

static volatile u32 *lapic_mmio;
static bool x2apic;
static u64 timer_hz; /* LAPIC timer ticks per second at divide-by-16 */

static u32 lapic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return lapic_mmio[reg / 4];
}

static void lapic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		lapic_mmio[reg / 4] = v;
}

bool lapic_is_x2apic(void)
{
	return x2apic;
}

void lapic_global_init(paddr_t madt_base)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	paddr_t pa = base & APIC_BASE_ADDR_MASK;

	x2apic = base & APIC_BASE_X2APIC;
	if (madt_base && madt_base != pa)
		log_warn("MADT says LAPIC at 0x%lx, APIC_BASE MSR says 0x%lx; using the MSR",
			 (unsigned long)madt_base, (unsigned long)pa);
	if (!x2apic)
		lapic_mmio = ioremap(pa ? pa : LAPIC_DEFAULT_BASE, PAGE_SIZE);
	log_info("%s mode, base 0x%lx", x2apic ? "x2APIC" : "xAPIC", (unsigned long)pa);
}

void lapic_init_this(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	/* Firmware normally leaves it enabled; make sure, in the same mode. */
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | TRAP_VEC_SPURIOUS);
	lapic_write(LAPIC_EOI, 0);
}

u32 lapic_id(void)
{
	u32 id = lapic_read(LAPIC_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static void send_icr(u32 apic_id, u32 lo)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + (LAPIC_ICR_LO >> 4), ((u64)apic_id << 32) | lo);
		return;
	}
	u64 flags = irq_save();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	/* Bounded: a stuck delivery must not hang the sender. */
	for (int i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); i++)
		cpu_relax();
	irq_restore(flags);
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	send_icr(apic_id, ICR_DELIVERY_FIXED | vector);
}

void lapic_send_nmi(u32 apic_id)
{
	send_icr(apic_id, ICR_DELIVERY_NMI);
}

void lapic_send_init(u32 apic_id)
{
	send_icr(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
}

void lapic_send_sipi(u32 apic_id, u8 page)
{
	send_icr(apic_id, ICR_DELIVERY_STARTUP | page);
}

/* Counts LAPIC timer ticks over 10 ms of TSC time. Once, on the first caller. */
static void timer_calibrate(void)
{
	lapic_write(LAPIC_TIMER_DCR, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffff);
	time_udelay(10000);
	u32 elapsed = 0xffffffff - lapic_read(LAPIC_TIMER_CCR);
	lapic_write(LAPIC_TIMER_ICR, 0);
	timer_hz = (u64)elapsed * 100;
	if (timer_hz == 0)
		timer_hz = 1000000; /* a frozen timer: keep going, ticks will be wrong */
	log_info("timer %lu kHz (divide by 16)", (unsigned long)(timer_hz / 1000));
}

void lapic_timer_periodic(u8 vector, u64 period_ns)
{
	if (!timer_hz)
		timer_calibrate();
	u64 count = timer_hz * period_ns / NSEC_PER_SEC;
	lapic_write(LAPIC_TIMER_DCR, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | vector);
	lapic_write(LAPIC_TIMER_ICR, count ? (u32)min_u64(count, 0xffffffff) : 1);
}

void lapic_timer_oneshot(u8 vector, u64 tsc_deadline)
{
	u64 now = rdtsc(), count = 1;

	if (!timer_hz)
		timer_calibrate();
	if (tsc_deadline > now)
		count = (tsc_deadline - now) * timer_hz / time_tsc_hz();
	lapic_write(LAPIC_TIMER_DCR, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, vector);
	lapic_write(LAPIC_TIMER_ICR, count ? (u32)min_u64(count, 0xffffffff) : 1);
}
