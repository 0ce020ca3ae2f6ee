// SPDX-License-Identifier: GPL-2.0-only
/*
 * What an exit means, decided once for both backends.
 * Context: exit path on the vCPU's own CPU, interrupts off; never waits on
 * a lock, the network, the UART or another VM.
 */
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "kernel/x86/cpu.h"
#include "vmm/backend.h"
#include "vmm/cpuid.h"
#include "vmm/exit_handlers.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "guest-api/hypercall.h"

#define LOG_TAG "exit"
#define RFLAGS_IF BIT(9)

const char *vm_exit_kind_name(enum vm_exit_kind k)
{
	static const char *const names[] = {
		[VMEXIT_NONE] = "handled-in-backend",
		[VMEXIT_IO] = "io",
		[VMEXIT_MMIO] = "mmio",
		[VMEXIT_CPUID] = "cpuid",
		[VMEXIT_MSR_READ] = "rdmsr",
		[VMEXIT_MSR_WRITE] = "wrmsr",
		[VMEXIT_HLT] = "hlt",
		[VMEXIT_HYPERCALL] = "hypercall",
		[VMEXIT_HOST_IRQ] = "host-irq",
		[VMEXIT_HOST_NMI] = "host-nmi",
		[VMEXIT_INTR_WINDOW] = "intr-window",
		[VMEXIT_TIMER] = "timer",
		[VMEXIT_SHUTDOWN] = "shutdown",
		[VMEXIT_VIRT_INSN] = "vmx/svm-insn",
		[VMEXIT_CR_ACCESS] = "cr-access",
		[VMEXIT_XSETBV] = "xsetbv",
		[VMEXIT_INVD] = "invd",
		[VMEXIT_INIT] = "init",
		[VMEXIT_ENTRY_FAILED] = "entry-failed",
		[VMEXIT_UNKNOWN] = "unknown",
	};
	return k < ARRAY_SIZE(names) && names[k] ? names[k] : "?";
}

static void do_cpuid(struct vcpu *v, u32 len)
{
	u32 leaf = (u32)v->gpr[GPR_RAX], sub = (u32)v->gpr[GPR_RCX];
	struct cpuid_ctx ctx = { .apic_id = v->id, .nvcpus = v->vm->nvcpus,
				 .abi_version = LB_HC_ABI_VERSION };
	struct cpuid_regs h = { 0, 0, 0, 0 };
	struct cpuid_out r;

	if (leaf < CPUID_HV_BASE || leaf >= 0x80000000)
		h = cpuid(leaf, sub);
	r = cpuid_filter(leaf, sub, (struct cpuid_out){ h.eax, h.ebx, h.ecx, h.edx }, &ctx);
	/* A 32-bit register write zeroes the upper half, as CPUID does. */
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	vcpu_skip(v, len);
}

static void do_io(struct vcpu *v, const struct vm_exit *e)
{
	u64 value = v->gpr[GPR_RAX];

	if (e->io.is_string) {
		/* INS/OUTS: no longbus device needs them; the guest is told plainly. */
		vm_end(v->vm, VM_CRASHED, 0, "string port I/O (ins/outs) is not emulated");
		return;
	}
	pio_access(v, e->io.port, e->io.size, e->io.is_write, &value);
	if (!e->io.is_write) {
		u64 mask = e->io.size == 4 ? 0xffffffffULL : (1ULL << (8 * e->io.size)) - 1;
		/* IN to AL/AX merges; IN to EAX zero-extends into RAX. */
		v->gpr[GPR_RAX] = e->io.size == 4 ? (value & mask)
						  : (v->gpr[GPR_RAX] & ~mask) | (value & mask);
	}
	vcpu_skip(v, e->insn_len);
}

/*
 * HLT: with IF=1 the vCPU sleeps until an interrupt is pending; with IF=0
 * and nothing pending it can never wake: the guest is halted.
 */
static void do_hlt(struct vcpu *v, u32 len)
{
	const struct vmm_backend *be = vmm_backend();

	vcpu_skip(v, len);
	if (be->reg_read(v, GREG_RFLAGS) & RFLAGS_IF) {
		v->state = VCPU_SLEEPING;
		return;
	}
	if (be->event_pending(v))
		return;
	v->halted_forever = true;
	log_info("%s vcpu%u: HLT with interrupts off", v->vm->name, v->id);
	for (unsigned i = 0; i < v->vm->nvcpus; i++) {
		struct vcpu *o = v->vm->vcpu[i];
		if (!o->halted_forever && READ_ONCE(o->state) != VCPU_WAIT_SIPI)
			return;
	}
	vm_end(v->vm, VM_HALTED, 0, "every vCPU halted with interrupts off");
}

static void crash(struct vcpu *v, const struct vm_exit *e, const char *what)
{
	char why[96];

	ksnprintf(why, sizeof(why), "%s (exit 0x%lx, qualification 0x%lx, rip 0x%lx)", what,
		  (unsigned long)e->raw, (unsigned long)e->qual,
		  (unsigned long)vmm_backend()->reg_read(v, GREG_RIP));
	vm_end(v->vm, VM_CRASHED, 0, why);
}

void exit_handle(struct vcpu *v, const struct vm_exit *e)
{
	switch (e->kind) {
	case VMEXIT_NONE:
	case VMEXIT_TIMER:
		return;
	case VMEXIT_INTR_WINDOW:
		vmm_backend()->request_intr_window(v, false);
		return;
	case VMEXIT_HOST_IRQ:
		if (e->host_vector) {
			trap_dispatch_irq(e->host_vector);
		} else {
			/* Still pending in the LAPIC: let the host IDT take it. */
			irq_enable();
			__asm__ volatile("nop");
			irq_disable();
		}
		return;
	case VMEXIT_HOST_NMI:
		/* longbus sends NMIs only to stop a CPU (panic, power-off). */
		trap_nmi_stop();
		return;
	case VMEXIT_IO:
		do_io(v, e);
		return;
	case VMEXIT_MMIO:
		mmio_emulate(v, e);
		return;
	case VMEXIT_CPUID:
		do_cpuid(v, e->insn_len);
		return;
	case VMEXIT_MSR_READ:
	case VMEXIT_MSR_WRITE:
		msr_emulate(v, e->kind == VMEXIT_MSR_WRITE, e->insn_len);
		return;
	case VMEXIT_HLT:
		do_hlt(v, e->insn_len);
		return;
	case VMEXIT_HYPERCALL:
		hypercall_handle(v, e->insn_len);
		return;
	case VMEXIT_VIRT_INSN:
	case VMEXIT_XSETBV: /* XSAVE is hidden in CPUID */
		vcpu_inject_ud(v);
		return;
	case VMEXIT_INVD:
		/* Never on the real caches: done as WBINVD would be, i.e. nothing to lose. */
		vcpu_skip(v, e->insn_len ? e->insn_len : 2);
		return;
	case VMEXIT_INIT:
		return; /* a physical INIT aimed at this CPU: nothing of the guest's */
	case VMEXIT_SHUTDOWN:
		crash(v, e, "triple fault");
		return;
	case VMEXIT_ENTRY_FAILED:
		crash(v, e, "the CPU refused the guest state");
		return;
	case VMEXIT_CR_ACCESS:
		crash(v, e, "control-register access longbus does not emulate");
		return;
	case VMEXIT_UNKNOWN:
		crash(v, e, "unexpected exit");
		return;
	}
}
