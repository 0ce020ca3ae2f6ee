// SPDX-License-Identifier: GPL-2.0-only
/*
 * smp: a two-vCPU guest (`cpus = a-b` with two CPUs). The boot vCPU starts
 * the other one with INIT / SIPI / SIPI (lg_start_ap), the AP reports its
 * APIC ID, then the two exchange fixed IPIs: PINGS round trips BSP -> AP ->
 * BSP by physical destination, one by logical destination (flat model),
 * one with the "all excluding self" shorthand and one "self". Every IPI is
 * counted on the side that receives it.
 *
 * Only one CPU prints at a time: the BSP waits for the AP's report before
 * it prints again, and the AP prints nothing after that.
 */
#include "guest-api/libguest/libguest.h"

#define VEC_PING 0x50
#define VEC_PONG 0x51
#define VEC_LOGICAL 0x52
#define VEC_OTHERS 0x53
#define VEC_SELF 0x54
#define VEC_SPURIOUS 0xff
#define PINGS 16
#define AP_ID 1
#define WAIT_MS 5000

static uint8_t ap_stack[8192] __attribute__((aligned(16)));
static volatile uint32_t ap_apic_id = ~0u, ap_cpuid_id = ~0u, ap_ready;
static volatile uint32_t pings, pongs, logical_hits, others_hits, self_hits;
static volatile uint32_t wrong_cpu;

static void on_ping(struct lg_frame *f)
{
	(void)f;
	if (lg_lapic_id() != AP_ID)
		wrong_cpu++;
	pings++;
	lg_lapic_eoi();
	lg_lapic_send_ipi(0, LG_ICR_FIXED | LG_ICR_ASSERT | VEC_PONG);
}

static void on_pong(struct lg_frame *f)
{
	(void)f;
	if (lg_lapic_id() != 0)
		wrong_cpu++;
	pongs++;
	lg_lapic_eoi();
}

static void count_on_ap(struct lg_frame *f)
{
	if (lg_lapic_id() != AP_ID)
		wrong_cpu++;
	if (f->vector == VEC_LOGICAL)
		logical_hits++;
	else
		others_hits++;
	lg_lapic_eoi();
}

static void on_self(struct lg_frame *f)
{
	(void)f;
	if (lg_lapic_id() != 0)
		wrong_cpu++;
	self_hits++;
	lg_lapic_eoi();
}

static void ap_main(void *arg)
{
	(void)arg;
	lg_lapic_enable(VEC_SPURIOUS);
	lg_lapic_write(LG_LAPIC_DFR, 0xffffffffu);	/* flat model */
	lg_lapic_write(LG_LAPIC_LDR, 0x02u << 24);
	ap_apic_id = lg_lapic_id();
	ap_cpuid_id = cpuid(1, 0).ebx >> 24;
	lg_printf("AP up: APIC ID %u\n", ap_apic_id);
	__asm__ volatile("" : : : "memory");
	ap_ready = 1;
	for (;;)
		sti_hlt();	/* everything else happens in interrupt handlers */
}

/* Spins with IF=1 until *counter reaches want or WAIT_MS pass. */
static bool wait_count(volatile uint32_t *counter, uint32_t want)
{
	uint64_t end = lg_tsc_after_ms(WAIT_MS);

	sti();
	while (*counter < want && rdtsc() < end)
		pause();
	cli();
	return *counter >= want;
}

int main(struct multiboot_info *mbi)
{
	struct lg_cpuid r;
	uint64_t end;

	(void)mbi;
	lg_test_begin("smp");
	lg_idt_set_handler(VEC_PING, on_ping);
	lg_idt_set_handler(VEC_PONG, on_pong);
	lg_idt_set_handler(VEC_LOGICAL, count_on_ap);
	lg_idt_set_handler(VEC_OTHERS, count_on_ap);
	lg_idt_set_handler(VEC_SELF, on_self);

	r = cpuid(1, 0);
	EXPECT_EQ(r.ebx >> 24, 0);		/* initial APIC ID of the boot vCPU */
	EXPECT_EQ((r.ebx >> 16) & 0xff, 2);	/* logical processors */
	lg_lapic_enable(VEC_SPURIOUS);
	lg_lapic_write(LG_LAPIC_DFR, 0xffffffffu);
	lg_lapic_write(LG_LAPIC_LDR, 0x01u << 24);
	EXPECT_EQ(lg_lapic_id(), 0);
	lg_printf("TSC %u kHz; starting the AP (INIT, SIPI, SIPI)\n", lg_tsc_khz());

	if (lg_start_ap(AP_ID, ap_main, NULL, ap_stack + sizeof(ap_stack)))
		lg_abort("the AP did not reach C");
	end = lg_tsc_after_ms(WAIT_MS);
	while (!ap_ready && rdtsc() < end)
		pause();
	if (!EXPECT_EQ(ap_ready, 1))
		lg_abort("the AP did not report");
	lg_printf("BSP: AP has APIC ID %u, CPUID initial APIC ID %u\n", ap_apic_id, ap_cpuid_id);
	EXPECT_EQ(ap_apic_id, AP_ID);
	EXPECT_EQ(ap_cpuid_id, AP_ID);

	for (uint32_t i = 1; i <= PINGS; i++) {
		lg_lapic_send_ipi(AP_ID, LG_ICR_FIXED | LG_ICR_ASSERT | VEC_PING);
		if (!wait_count(&pongs, i)) {
			lg_printf("ping %u: no pong (pings %u, pongs %u)\n", i, pings, pongs);
			break;
		}
	}
	EXPECT_EQ(pings, PINGS);
	EXPECT_EQ(pongs, PINGS);

	/* Logical destination 0x02: only the AP's LDR matches. */
	lg_lapic_send_ipi(0x02, LG_ICR_FIXED | LG_ICR_ASSERT | LG_ICR_LOGICAL | VEC_LOGICAL);
	EXPECT_TRUE(wait_count(&logical_hits, 1));
	/* All excluding self: the AP. */
	lg_lapic_send_ipi(0, LG_ICR_OTHERS | LG_ICR_FIXED | LG_ICR_ASSERT | VEC_OTHERS);
	EXPECT_TRUE(wait_count(&others_hits, 1));
	/* Self. */
	lg_lapic_send_ipi(0, LG_ICR_SELF | LG_ICR_FIXED | LG_ICR_ASSERT | VEC_SELF);
	EXPECT_TRUE(wait_count(&self_hits, 1));
	/* Nothing extra arrived anywhere, and every handler ran on the right CPU. */
	sti();
	lg_delay_us(20000);
	cli();
	lg_printf("IPIs: %u pings, %u pongs, logical %u, all-but-self %u, self %u\n", pings,
		  pongs, logical_hits, others_hits, self_hits);
	EXPECT_EQ(pings, PINGS);
	EXPECT_EQ(pongs, PINGS);
	EXPECT_EQ(logical_hits, 1);
	EXPECT_EQ(others_hits, 1);
	EXPECT_EQ(self_hits, 1);
	EXPECT_EQ(wrong_cpu, 0);

	test_exit("smp");
}
