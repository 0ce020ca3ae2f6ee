// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU run loop: requests, interrupt delivery, deadlines, entry, and
 * sleeping on HLT. One loop per physical CPU that hosts a vCPU, forever.
 *
 * Context: the vCPU's own CPU, interrupts off except while it halts or
 * takes a host interrupt. Other CPUs reach a vCPU only through
 * shared.requests and shared.posted (atomics) plus a kick IPI, never by
 * touching its vLAPIC or VMCS/VMCB. If the CPU is also the service CPU,
 * service work runs between exits (the backend's deadline forces an exit
 * at least every service tick, even when the guest spins with IF=0).
 */
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/pcpu.h"
#include "kernel/service.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/x86/cpu.h"
#include "vmm/backend.h"
#include "vmm/exit_handlers.h"
#include "vmm/platform.h"
#include "vmm/vcpu.h"
#include "vmm/vlapic.h"
#include "vmm/vm.h"
#include "vmm/vuart.h"

#define LOG_TAG "vcpu"
#define RFLAGS_IF BIT(9)
/*
 * Longest stretch in the guest without an exit. Requests normally arrive
 * with a kick IPI that forces an exit at once, but Bochs 2.7 (measured)
 * takes no external-interrupt VM exit while the guest runs with IF=0, so a
 * vm_unmap() flush or a stop request could wait forever there. The bound
 * costs 100 exits a second on an otherwise idle vCPU.
 */
#define VCPU_MAX_RUN_NS (10ULL * 1000 * 1000)

void vcpu_post_interrupt(struct vcpu *v, u8 vector, bool level)
{
	if (level)
		__atomic_or_fetch(&v->shared.posted_level[vector / 64], BIT(vector % 64),
				  __ATOMIC_RELAXED);
	__atomic_or_fetch(&v->shared.posted[vector / 64], BIT(vector % 64), __ATOMIC_RELEASE);
	vcpu_request(v, VCPU_REQ_EVAL_IRQ);
}

void vcpu_post_nmi(struct vcpu *v)
{
	__atomic_store_n(&v->shared.posted_nmi, true, __ATOMIC_RELEASE);
	vcpu_request(v, VCPU_REQ_EVAL_IRQ);
}

/* Posted vectors enter the vLAPIC here, on the owner's CPU: the model takes no lock. */
static void drain_posted(struct vcpu *v)
{
	for (unsigned w = 0; w < 4; w++) {
		u64 bits = __atomic_exchange_n(&v->shared.posted[w], 0, __ATOMIC_ACQUIRE);
		u64 level = __atomic_exchange_n(&v->shared.posted_level[w], 0, __ATOMIC_RELAXED);
		while (bits) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			bits &= bits - 1;
			vlapic_accept(v->lapic, (u8)(w * 64 + b), level & BIT(b));
		}
	}
}

/*
 * Injects the highest pending interrupt when the guest can take it (IF=1,
 * no STI/MOV-SS shadow, no event already queued); otherwise asks for an
 * interrupt-window exit. Nothing is delivered while IF=0 or while the TPR
 * masks it: vlapic_pending() honours PPR.
 */
static void deliver_interrupts(struct vcpu *v)
{
	const struct vmm_backend *be = vmm_backend();
	int vec;

	if (__atomic_exchange_n(&v->shared.posted_nmi, false, __ATOMIC_ACQUIRE) &&
	    be->inject(v, EVENT_NMI, 2, false, 0))
		__atomic_store_n(&v->shared.posted_nmi, true, __ATOMIC_RELAXED);
	vec = vlapic_pending(v->lapic);
	if (vec < 0) {
		be->request_intr_window(v, false);
		return;
	}
	if (be->event_pending(v) || !(be->reg_read(v, GREG_RFLAGS) & RFLAGS_IF) ||
	    be->reg_read(v, GREG_INTR_SHADOW)) {
		be->request_intr_window(v, true);
		return;
	}
	if (vlapic_ack(v->lapic, (u8)vec) == 0 && be->inject(v, EVENT_EXTINT, (u8)vec, false, 0))
		log_warn("%s vcpu%u: lost vector %d", v->vm->name, v->id, vec);
	be->request_intr_window(v, false);
}

/*
 * The earliest moment this vCPU must regain control, in TSC ticks (0 = none).
 * Also flushes the vUART line once it has been idle long enough: every pass
 * of the loop comes through here, running or waiting.
 */
static u64 next_deadline(struct vcpu *v, bool running)
{
	u64 d = vlapic_timer_next_deadline(v->lapic);
	u64 uart = vuart_poll(v->vm->uart, time_ns());

	if (d == VLAPIC_NO_DEADLINE)
		d = 0;
	if (running) {
		u64 t = rdtsc() + time_ns_to_tsc(VCPU_MAX_RUN_NS);
		d = d ? min_u64(d, t) : t;
	}
	if (uart) {
		u64 t = rdtsc() + time_ns_to_tsc(uart - min_u64(uart, time_ns()));
		d = d ? min_u64(d, t) : t;
	}
	if (service_cpu() == v->pcpu) {
		u64 t = rdtsc() + time_ns_to_tsc(service_tick_ns());
		d = d ? min_u64(d, t) : t;
	}
	return d;
}

static void handle_requests(struct vcpu *v)
{
	const struct vmm_backend *be = vmm_backend();
	u32 req = __atomic_exchange_n(&v->shared.requests, 0, __ATOMIC_ACQUIRE);

	if (req & VCPU_REQ_FLUSH_TLB) {
		be->flush_tlb(v);
		__atomic_store_n(&v->shared.flush_gen,
				 __atomic_load_n(&v->vm->stage2_gen, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
	}
	if (req & VCPU_REQ_STOP)
		v->state = VCPU_STOPPED;
	if ((req & VCPU_REQ_EVAL_IRQ) && v->id == 0)
		vuart_rx_kick(v->vm->uart); /* console input may have arrived */
	if (req & VCPU_REQ_INIT && v->state != VCPU_STOPPED) {
		vlapic_init_signal(v->lapic);
		v->state = VCPU_WAIT_SIPI;
	}
	if (req & VCPU_REQ_SIPI && v->state == VCPU_WAIT_SIPI) {
		be->vcpu_set_sipi(v, READ_ONCE(v->shared.sipi_vector));
		v->state = VCPU_RUNNING;
		log_info("%s vcpu%u: started at %x:0000", v->vm->name, v->id,
			 READ_ONCE(v->shared.sipi_vector) << 8);
	}
}

/*
 * Halts this CPU until something for the vCPU happens: a posted interrupt
 * or request (IPI), its vLAPIC timer, or (on the service CPU) the service
 * tick. Interrupts come on only inside `sti; hlt`.
 */
static void vcpu_wait(struct vcpu *v)
{
	u64 d = next_deadline(v, false);

	if (d)
		lapic_timer_oneshot(VEC_TIMER, d);
	if (!__atomic_load_n(&v->shared.requests, __ATOMIC_ACQUIRE))
		irq_enable_and_halt();
	irq_disable();
	if (service_cpu() == v->pcpu)
		service_poll();
}

/* A sleeping vCPU wakes when an interrupt it can take is pending. */
static bool wakes_now(struct vcpu *v)
{
	return vlapic_pending(v->lapic) >= 0 ||
	       __atomic_load_n(&v->shared.posted_nmi, __ATOMIC_ACQUIRE);
}

static __noreturn void vcpu_stopped(struct vcpu *v)
{
	__atomic_store_n(&v->state, VCPU_STOPPED, __ATOMIC_RELEASE);
	if (service_cpu() == v->pcpu)
		service_loop();
	cpu_idle_loop();
}

__noreturn void vcpu_loop(struct vcpu *v)
{
	const struct vmm_backend *be = vmm_backend();
	struct vm_exit e;

	for (;;) {
		handle_requests(v);
		if (v->state == VCPU_STOPPED)
			vcpu_stopped(v);
		drain_posted(v);
		vlapic_timer_tick(v->lapic, rdtsc());
		if (v->state == VCPU_SLEEPING && wakes_now(v))
			v->state = VCPU_RUNNING;
		if (v->state != VCPU_RUNNING) {
			vcpu_wait(v);
			continue;
		}
		deliver_interrupts(v);
		be->set_exit_deadline(v, next_deadline(v, true));
		be->vcpu_run(v, &e);
		v->exits[e.kind]++;
		v->exits_total++;
		exit_handle(v, &e);
		if (service_cpu() == v->pcpu)
			service_poll();
	}
}

/* smp_call() target: the first and only thing a guest CPU does after boot. */
void vcpu_start_on_this_cpu(void *arg)
{
	vcpu_boot(arg);
}

u64 vcpu_now(void)
{
	return rdtsc();
}

void vcpu_skip(struct vcpu *v, u32 insn_len)
{
	const struct vmm_backend *be = vmm_backend();

	be->reg_write(v, GREG_RIP, be->reg_read(v, GREG_RIP) + insn_len);
	/* The STI / MOV SS shadow covers one instruction, which just retired. */
	be->reg_write(v, GREG_INTR_SHADOW, 0);
}

static void inject_exception(struct vcpu *v, u8 vec, bool has_error, u32 error)
{
	if (vmm_backend()->inject(v, EVENT_EXCEPTION, vec, has_error, error))
		vm_end(v->vm, VM_CRASHED, 0, "exception while another event was pending");
}

void vcpu_inject_ud(struct vcpu *v)
{
	inject_exception(v, 6, false, 0);
}

void vcpu_inject_gp(struct vcpu *v, u32 error)
{
	inject_exception(v, 13, true, error);
}

void vcpu_inject_pf(struct vcpu *v, u64 addr, u32 error)
{
	vmm_backend()->reg_write(v, GREG_CR2, addr);
	inject_exception(v, 14, true, error);
}

/* An IPI from v to the vCPUs of its own VM (never beyond: isolation). */
static void route_ipi(struct vcpu *v, const struct vlapic_ipi *ipi)
{
	struct vm *vm = v->vm;

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpu[i];
		bool hit;

		switch (ipi->shorthand) {
		case VLAPIC_DEST_SELF: hit = t == v; break;
		case VLAPIC_DEST_ALL: hit = true; break;
		case VLAPIC_DEST_OTHERS: hit = t != v; break;
		default: hit = vlapic_matches_dest(t->lapic, ipi->dest, ipi->logical); break;
		}
		if (!hit)
			continue;
		switch (ipi->kind) {
		case VLAPIC_IPI_FIXED:
		case VLAPIC_IPI_LOWEST:
			vcpu_post_interrupt(t, ipi->vector, false);
			break;
		case VLAPIC_IPI_NMI:
			vcpu_post_nmi(t);
			break;
		case VLAPIC_IPI_INIT:
			if (t != v)
				vcpu_request(t, VCPU_REQ_INIT);
			break;
		case VLAPIC_IPI_SIPI:
			WRITE_ONCE(t->shared.sipi_vector, ipi->vector);
			vcpu_request(t, VCPU_REQ_SIPI);
			break;
		}
		/* Lowest priority: one target is enough (any one is correct). */
		if (ipi->kind == VLAPIC_IPI_LOWEST)
			return;
	}
}

void vcpu_lapic_effects(struct vcpu *v, const struct vlapic_fx *fx)
{
	if (fx->flags & VLAPIC_FX_IPI)
		route_ipi(v, &fx->ipi);
	if (fx->flags & VLAPIC_FX_EOI_LEVEL)
		vplatform_eoi(v->vm, fx->eoi_vector);
	if (fx->flags & VLAPIC_FX_DROPPED)
		log_dbg("%s vcpu%u: LAPIC write dropped", v->vm->name, v->id);
}

static struct vlapic *lapic_alloc(struct vcpu *v)
{
	/* The vLAPIC lives in the vCPU's own page, right after it. */
	BUILD_ASSERT(sizeof(struct vcpu) + sizeof(struct vlapic) <= 4096, "vcpu page");
	return (struct vlapic *)(v + 1);
}

__noreturn void vcpu_boot(struct vcpu *v)
{
	const struct vmm_backend *be = vmm_backend();
	u64 bus_hz = 100000000ULL; /* the vLAPIC timer runs at 100 MHz of TSC time */
	struct vlapic_config lc = {
		.apic_id = v->id,
		.bsp = v->id == 0,
		.x2apic = true,
		.maxphyaddr = (u8)cpuid(0x80000008, 0).eax,
		.tsc_per_bus = (u32)(time_tsc_hz() > bus_hz ? time_tsc_hz() / bus_hz : 1),
	};
	int err;

	v->lapic = lapic_alloc(v);
	err = be->cpu_enable();
	if (!err)
		err = be->vcpu_init(v);
	if (!err)
		err = vlapic_reset(v->lapic, &lc);
	if (err) {
		vm_end(v->vm, VM_FAILED, 0, "the CPU could not host it (see above)");
		vcpu_stopped(v);
	}
	if (v->id == 0)
		be->vcpu_set_protected_flat(v, v->boot_rip);
	v->start_ns = time_ns();
	log_info("%s vcpu%u on cpu%u (%s)", v->vm->name, v->id, v->pcpu, be->name);
	vcpu_loop(v);
}
