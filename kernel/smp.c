// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMP bring-up through INIT-SIPI-SIPI and a trampoline below 1 MiB
 * (SDM vol. 3, 9.4.4), and cross-CPU calls.
 * Context: smp_boot_aps() on the boot CPU during init; the rest on any CPU.
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/x86/cpu.h"

#define LOG_TAG "smp"
/* Generous: Bochs runs an AP's first instructions slowly. */
#define AP_START_TIMEOUT_MS 2000

extern const char tramp_start[], tramp_end[], tramp_gdtr[], tramp_far32[],
	tramp_far64[], tramp_cr3_low[], tramp_cr3[], tramp_stack[], tramp_pcpu[],
	tramp_entry[];

static u8 *tramp;	  /* direct-map view of the trampoline page */
static paddr_t tramp_pa;

static void *tramp_field(const char *sym)
{
	return tramp + (sym - tramp_start);
}

static void patch32(const char *sym, u32 add)
{
	u32 *p = tramp_field(sym);
	*p += add;
}

static void patch64(const char *sym, u64 v)
{
	u64 *p = tramp_field(sym);
	*p = v;
}

static __noreturn void ap_entry(struct pcpu *p)
{
	pcpu_init_this(p);
	idt_load();
	paging_load();
	lapic_init_this();
	if (lapic_id() != p->apic_id)
		log_warn("LAPIC reports id %u, firmware said %u", lapic_id(), p->apic_id);
	__atomic_store_n(&p->shared.state, CPU_ONLINE, __ATOMIC_RELEASE);
	log_info("online (APIC id %u)", p->apic_id);
	cpu_idle_loop();
}

static void tramp_prepare(const struct boot_info *bi)
{
	size_t len = (size_t)(tramp_end - tramp_start);
	u32 base = (u32)bi->lowmem_phys;

	tramp_pa = bi->lowmem_phys;
	tramp = phys_to_virt(tramp_pa);
	memcpy(tramp, tramp_start, len);
	/* The PML4 copy: 32-bit code can only load a CR3 below 4 GiB. */
	memcpy(tramp + PAGE_SIZE, phys_to_virt(paging_root()), PAGE_SIZE);

	/* u16 limit, then the u32 base. */
	patch32(tramp_gdtr + 2, base);
	patch32(tramp_far32, base);
	patch32(tramp_far64, base);
	patch64(tramp_cr3_low, tramp_pa + PAGE_SIZE);
	patch64(tramp_cr3, paging_root());
	patch64(tramp_entry, (u64)(uintptr_t)ap_entry);
}

static bool wait_online(struct pcpu *p, u64 ms)
{
	u64 end = time_ns() + ms * NSEC_PER_MSEC;

	while (time_ns() < end) {
		if (__atomic_load_n(&p->shared.state, __ATOMIC_ACQUIRE) == CPU_ONLINE)
			return true;
		cpu_relax();
	}
	return false;
}

static void start_ap(struct pcpu *p)
{
	patch64(tramp_stack, p->stack_top);
	patch64(tramp_pcpu, (u64)(uintptr_t)p);

	lapic_send_init(p->apic_id);
	time_udelay(10000);
	for (int i = 0; i < 2; i++) {
		lapic_send_sipi(p->apic_id, (u8)(tramp_pa >> 12));
		time_udelay(200);
		if (READ_ONCE(p->shared.state) == CPU_ONLINE)
			return;
	}
	if (!wait_online(p, AP_START_TIMEOUT_MS))
		log_err("cpu%u (APIC id %u) did not come online within %u ms", p->id,
			p->apic_id, AP_START_TIMEOUT_MS);
}

static void ipi_call(struct trap_frame *f)
{
	/* Nothing to do here: the interrupt only ends the HLT of the idle loop. */
	(void)f;
}

void smp_boot_aps(const struct boot_info *bi)
{
	irq_register(VEC_IPI_CALL, ipi_call);
	irq_register(VEC_IPI_WAKE, ipi_call);
	if (pcpu_count() < 2)
		return;
	tramp_prepare(bi);
	for (unsigned i = 1; i < pcpu_count(); i++)
		start_ap(pcpu_of(i));
}

int smp_call(unsigned cpu, cpu_call_fn fn, void *arg)
{
	struct pcpu *p;
	cpu_call_fn none = NULL;

	if (cpu >= pcpu_count())
		return -ENODEV;
	p = pcpu_of(cpu);
	if (READ_ONCE(p->shared.state) != CPU_ONLINE)
		return -ENODEV;
	if (READ_ONCE(p->shared.call_fn))
		return -EBUSY;
	p->shared.call_arg = arg;
	if (!__atomic_compare_exchange_n(&p->shared.call_fn, &none, fn, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return -EBUSY;
	if (p != this_cpu())
		lapic_send_ipi(p->apic_id, VEC_IPI_CALL);
	return 0;
}

bool smp_run_pending_call(void)
{
	struct pcpu *p = this_cpu();
	/* Acquire pairs with the caller's release: call_arg is valid once fn is seen. */
	cpu_call_fn fn = __atomic_load_n(&p->shared.call_fn, __ATOMIC_ACQUIRE);

	if (!fn)
		return false;
	void *arg = p->shared.call_arg;
	/* Only now may the next caller overwrite call_arg. */
	__atomic_store_n(&p->shared.call_fn, NULL, __ATOMIC_RELEASE);
	fn(arg);
	return true;
}

__noreturn void cpu_idle_loop(void)
{
	for (;;) {
		/*
		 * Interrupts off while looking, then STI;HLT: a call posted
		 * after the check raises an IPI that ends the HLT.
		 */
		irq_disable();
		if (smp_run_pending_call())
			continue;
		irq_enable_and_halt();
	}
}
