// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD-V backend: EFER.SVME, the whole VMCB setup in one place, VMRUN, and
 * the translation of exit codes into struct vm_exit.
 *
 * Written for what QEMU TCG offers (PLATFORM-FACTS): no NRIP save, no
 * decode assists, no VMCB clean bits, no FlushByAsid. So longbus computes
 * instruction lengths itself (fixed ones here, decoded ones for MMIO),
 * never trusts clean bits (always 0), and flushes with TLB_CONTROL = 1.
 *
 * Environment: each vCPU is pinned to one physical CPU and runs only
 * there, interrupts off; each CPU runs at most one vCPU, so every vCPU may
 * use ASID 1 (ASIDs tag TLB entries per CPU).
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pcpu.h"
#include "kernel/trap.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/msr.h"
#include "vmm/backend.h"
#include "vmm/svm/npt.h"
#include "vmm/svm/svm_regs.h"
#include "vmm/vm.h"

#define LOG_TAG "svm"

#define CR0_PE BIT(0)
#define CR0_ET BIT(4)
#define RFLAGS_RESERVED1 BIT(1)
#define GUEST_PAT_DEFAULT 0x0007040600070406ULL
#define SVM_ASID 1

struct svm_vcpu {
	u8 *vmcb;
	paddr_t vmcb_pa;
	u64 deadline_tsc;
};

struct svm_vm {
	u8 *iopm;  /* 12 KiB, 1 = trap */
	u8 *msrpm; /* 8 KiB, all ones: the allowlist lives in vmm/msr.c */
};

/* Per-CPU (each element touched only by its CPU). */
static struct {
	paddr_t hsave;	   /* VM_HSAVE_PA: what VMRUN saves of the host */
	paddr_t host_vmcb; /* VMSAVE area for the host's FS/GS/TR/LDTR/MSRs */
} svm_cpu[MAX_CPUS];

extern void svm_enter(u64 *gpr, paddr_t vmcb, paddr_t host_save);

static inline u64 *vmcb64(struct svm_vcpu *s, unsigned off)
{
	return (u64 *)(s->vmcb + off);
}

static inline u32 *vmcb32(struct svm_vcpu *s, unsigned off)
{
	return (u32 *)(s->vmcb + off);
}

static inline u16 *vmcb16(struct svm_vcpu *s, unsigned off)
{
	return (u16 *)(s->vmcb + off);
}

bool svm_supported(void)
{
	if (cpuid(0x80000000, 0).eax < 0x8000000a)
		return false;
	return cpuid(0x80000001, 0).ecx & CPUID_8000_0001_ECX_SVM;
}

static int svm_cpu_enable(void)
{
	unsigned cpu = this_cpu()->id;
	paddr_t pa;

	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		log_err("SVM is disabled by the firmware (VM_CR.SVMDIS)");
		return -ENOTSUP;
	}
	if (!(cpuid(0x8000000a, 0).edx & CPUID_8000_000A_EDX_NP)) {
		log_err("the CPU has SVM but no nested paging (NPT)");
		return -ENOTSUP;
	}
	if (page_alloc(2, 1, &pa))
		return -ENOMEM;
	svm_cpu[cpu].hsave = pa;
	svm_cpu[cpu].host_vmcb = pa + PAGE_SIZE;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, pa);
	if (cpu == 0 || this_cpu()->id == 0)
		log_info("SVM: %u ASIDs, NRIP save %s", cpuid(0x8000000a, 0).ebx,
			 cpuid(0x8000000a, 0).edx & CPUID_8000_000A_EDX_NRIPS ? "yes" : "no");
	return 0;
}

static int svm_vm_init(struct vm *vm)
{
	struct svm_vm *sv;
	paddr_t pa;

	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	sv = phys_to_virt(pa);
	if (page_alloc(3, 1, &pa))
		return -ENOMEM;
	sv->iopm = phys_to_virt(pa);
	memset(sv->iopm, 0xff, 3 * PAGE_SIZE);
	if (page_alloc(2, 1, &pa))
		return -ENOMEM;
	sv->msrpm = phys_to_virt(pa);
	memset(sv->msrpm, 0xff, 2 * PAGE_SIZE);
	vm->arch = sv;
	return 0;
}

static void set_seg(struct svm_vcpu *s, unsigned seg, u16 sel, u16 attr, u32 limit, u64 base)
{
	*vmcb16(s, seg + VMCB_SEG_SEL) = sel;
	*vmcb16(s, seg + VMCB_SEG_ATTR) = attr;
	*vmcb32(s, seg + VMCB_SEG_LIMIT) = limit;
	*vmcb64(s, seg + VMCB_SEG_BASE) = base;
}

static int svm_vcpu_init(struct vcpu *v)
{
	struct svm_vm *sv = v->vm->arch;
	struct svm_vcpu *s;
	paddr_t pa;

	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	s = phys_to_virt(pa);
	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	s->vmcb = phys_to_virt(pa);
	s->vmcb_pa = pa;
	v->arch = s;

	/* Control area. VMRUN must be intercepted or VMRUN itself fails. */
	*vmcb32(s, VMCB_INTERCEPT_MISC1) = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_SMI |
					   INTERCEPT_INIT | INTERCEPT_CPUID | INTERCEPT_HLT |
					   INTERCEPT_INVD |
					   INTERCEPT_INVLPGA | INTERCEPT_IOIO_PROT |
					   INTERCEPT_MSR_PROT | INTERCEPT_SHUTDOWN;
	*vmcb32(s, VMCB_INTERCEPT_MISC2) = INTERCEPT_VMRUN | INTERCEPT_VMMCALL |
					   INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
					   INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
					   INTERCEPT_XSETBV;
	*vmcb64(s, VMCB_IOPM_BASE) = virt_to_phys(sv->iopm);
	*vmcb64(s, VMCB_MSRPM_BASE) = virt_to_phys(sv->msrpm);
	*vmcb32(s, VMCB_ASID) = SVM_ASID;
	*(s->vmcb + VMCB_TLB_CONTROL) = TLB_CONTROL_FLUSH_ALL;
	/* The guest's IF masks only virtual interrupts; host IF keeps the physical ones. */
	*vmcb32(s, VMCB_INT_CTL) = INT_CTL_V_INTR_MASKING;
	*vmcb64(s, VMCB_NP_ENABLE) = 1;
	*vmcb64(s, VMCB_N_CR3) = v->vm->s2.root;
	*vmcb32(s, VMCB_CLEAN) = 0;

	/* State save area that no mode setter touches. */
	*vmcb64(s, VMCB_DR7) = 0x400;
	*vmcb64(s, VMCB_DR6) = 0xffff0ff0;
	*vmcb64(s, VMCB_G_PAT) = GUEST_PAT_DEFAULT;
	return 0;
}

/* EFER.SVME must stay set in the guest's EFER, or VMRUN fails; the guest never sees it. */
struct svm_mode {
	u16 cs_sel, cs_attr, data_sel, data_attr;
	u64 cs_base;
	u32 limit;
	u64 cr0, rip;
};

static void set_mode(struct svm_vcpu *s, const struct svm_mode *m)
{
	static const unsigned data[] = { VMCB_DS, VMCB_ES, VMCB_FS, VMCB_GS, VMCB_SS };

	set_seg(s, VMCB_CS, m->cs_sel, m->cs_attr, m->limit, m->cs_base);
	for (unsigned i = 0; i < ARRAY_SIZE(data); i++)
		set_seg(s, data[i], m->data_sel, m->data_attr, m->limit, 0);
	set_seg(s, VMCB_TR, 0, SVM_ATTR_P | 0xb, 0xffff, 0);
	set_seg(s, VMCB_LDTR, 0, SVM_ATTR_P | 0x2, 0xffff, 0);
	set_seg(s, VMCB_GDTR, 0, 0, 0xffff, 0);
	set_seg(s, VMCB_IDTR, 0, 0, 0xffff, 0);
	*(s->vmcb + VMCB_CPL) = 0;
	*vmcb64(s, VMCB_EFER) = EFER_SVME;
	*vmcb64(s, VMCB_CR0) = m->cr0;
	*vmcb64(s, VMCB_CR3) = 0;
	*vmcb64(s, VMCB_CR4) = 0;
	*vmcb64(s, VMCB_RFLAGS) = RFLAGS_RESERVED1;
	*vmcb64(s, VMCB_RIP) = m->rip;
	*vmcb64(s, VMCB_RSP) = 0;
}

static void svm_set_protected_flat(struct vcpu *v, u64 rip)
{
	const struct svm_mode m = {
		.cs_sel = 0x08,
		.cs_attr = SVM_ATTR_G | SVM_ATTR_DB | SVM_ATTR_P | SVM_ATTR_S | 0xb,
		.data_sel = 0x10,
		.data_attr = SVM_ATTR_G | SVM_ATTR_DB | SVM_ATTR_P | SVM_ATTR_S | 0x3,
		.cs_base = 0,
		.limit = 0xffffffff,
		.cr0 = CR0_PE | CR0_ET,
		.rip = rip,
	};
	set_mode(v->arch, &m);
}

static void svm_set_sipi(struct vcpu *v, u8 vector)
{
	const struct svm_mode m = {
		.cs_sel = (u16)(vector << 8),
		.cs_attr = SVM_ATTR_P | SVM_ATTR_S | 0xb,
		.data_sel = 0,
		.data_attr = SVM_ATTR_P | SVM_ATTR_S | 0x3,
		.cs_base = (u64)vector << 12,
		.limit = 0xffff,
		.cr0 = CR0_ET,
		.rip = 0,
	};
	set_mode(v->arch, &m);
}

static u64 attr_to_neutral(u16 a)
{
	return (a & SVM_ATTR_L ? SEG_ATTR_L : 0) | (a & SVM_ATTR_DB ? SEG_ATTR_DB : 0) |
	       FIELD_PREP(SEG_ATTR_DPL, FIELD_GET(SVM_ATTR_DPL, a));
}

static u64 svm_reg_read(struct vcpu *v, enum guest_reg r)
{
	struct svm_vcpu *s = v->arch;

	switch (r) {
	case GREG_RIP: return *vmcb64(s, VMCB_RIP);
	case GREG_RSP: return *vmcb64(s, VMCB_RSP);
	case GREG_RFLAGS: return *vmcb64(s, VMCB_RFLAGS);
	case GREG_CR0: return *vmcb64(s, VMCB_CR0);
	case GREG_CR2: return *vmcb64(s, VMCB_CR2);
	case GREG_CR3: return *vmcb64(s, VMCB_CR3);
	case GREG_CR4: return *vmcb64(s, VMCB_CR4);
	case GREG_EFER: return *vmcb64(s, VMCB_EFER) & ~EFER_SVME;
	case GREG_CS_SEL: return *vmcb16(s, VMCB_CS + VMCB_SEG_SEL);
	case GREG_CS_BASE: return *vmcb64(s, VMCB_CS + VMCB_SEG_BASE);
	case GREG_CS_ATTR: return attr_to_neutral(*vmcb16(s, VMCB_CS + VMCB_SEG_ATTR));
	case GREG_SS_ATTR: return attr_to_neutral(*vmcb16(s, VMCB_SS + VMCB_SEG_ATTR));
	case GREG_DS_BASE: return *vmcb64(s, VMCB_DS + VMCB_SEG_BASE);
	case GREG_ES_BASE: return *vmcb64(s, VMCB_ES + VMCB_SEG_BASE);
	case GREG_FS_BASE: return *vmcb64(s, VMCB_FS + VMCB_SEG_BASE);
	case GREG_GS_BASE: return *vmcb64(s, VMCB_GS + VMCB_SEG_BASE);
	case GREG_SS_BASE: return *vmcb64(s, VMCB_SS + VMCB_SEG_BASE);
	case GREG_INTR_SHADOW: return *vmcb64(s, VMCB_INT_STATE) & INT_STATE_SHADOW;
	}
	return 0;
}

static void svm_reg_write(struct vcpu *v, enum guest_reg r, u64 val)
{
	struct svm_vcpu *s = v->arch;

	switch (r) {
	case GREG_RIP: *vmcb64(s, VMCB_RIP) = val; break;
	case GREG_RSP: *vmcb64(s, VMCB_RSP) = val; break;
	case GREG_RFLAGS: *vmcb64(s, VMCB_RFLAGS) = val | RFLAGS_RESERVED1; break;
	case GREG_CR0: *vmcb64(s, VMCB_CR0) = val; break;
	case GREG_CR2: *vmcb64(s, VMCB_CR2) = val; break;
	case GREG_CR3: *vmcb64(s, VMCB_CR3) = val; break;
	case GREG_CR4: *vmcb64(s, VMCB_CR4) = val; break;
	case GREG_EFER: *vmcb64(s, VMCB_EFER) = val | EFER_SVME; break;
	case GREG_INTR_SHADOW:
		*vmcb64(s, VMCB_INT_STATE) = (*vmcb64(s, VMCB_INT_STATE) & ~(u64)INT_STATE_SHADOW) |
					     (val ? INT_STATE_SHADOW : 0);
		break;
	default:
		break;
	}
}

/* Where the VMCB keeps an MSR VMLOAD/VMSAVE switch, or 0 (APM table B-2). */
static unsigned msr_slot(u32 msr)
{
	switch (msr) {
	case MSR_IA32_PAT: return VMCB_G_PAT;
	case MSR_FS_BASE: return VMCB_FS + VMCB_SEG_BASE;
	case MSR_GS_BASE: return VMCB_GS + VMCB_SEG_BASE;
	case 0xc0000081: return 0x600; /* STAR */
	case 0xc0000082: return 0x608; /* LSTAR */
	case 0xc0000083: return 0x610; /* CSTAR */
	case 0xc0000084: return 0x618; /* SFMASK */
	case MSR_KERNEL_GS_BASE: return 0x620;
	}
	return 0;
}

static int svm_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	unsigned off = msr_slot(msr);

	if (off) {
		*val = *vmcb64(v->arch, off);
		return 0;
	}
	if (msr == 0xc0000103) { /* TSC_AUX: unused by longbus, left to the guest */
		*val = rdmsr(msr);
		return 0;
	}
	return -EINVAL;
}

static int svm_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	unsigned off = msr_slot(msr);

	if (off) {
		*vmcb64(v->arch, off) = val;
		return 0;
	}
	if (msr == 0xc0000103) {
		wrmsr(msr, val);
		return 0;
	}
	return -EINVAL;
}

static bool svm_event_pending(struct vcpu *v)
{
	return *vmcb64(v->arch, VMCB_EVENTINJ) & EVTINJ_VALID;
}

static int svm_inject(struct vcpu *v, enum event_type type, u8 vector, bool has_error, u32 ec)
{
	u64 ev = vector | EVTINJ_VALID;

	if (svm_event_pending(v))
		return -EBUSY;
	switch (type) {
	case EVENT_EXTINT: ev |= FIELD_PREP(EVTINJ_TYPE, EVTINJ_TYPE_INTR); break;
	case EVENT_NMI: ev |= FIELD_PREP(EVTINJ_TYPE, EVTINJ_TYPE_NMI); break;
	case EVENT_EXCEPTION: ev |= FIELD_PREP(EVTINJ_TYPE, EVTINJ_TYPE_EXCEPTION); break;
	}
	if (has_error)
		ev |= EVTINJ_EV | FIELD_PREP(EVTINJ_ERROR, ec);
	*vmcb64(v->arch, VMCB_EVENTINJ) = ev;
	return 0;
}

/*
 * SVM has no interrupt-window exit as such: a virtual interrupt (V_IRQ,
 * ignoring TPR) plus the VINTR intercept exits exactly when the guest
 * could take one; the real vector is then injected through EVENTINJ.
 */
static void svm_request_intr_window(struct vcpu *v, bool on)
{
	struct svm_vcpu *s = v->arch;

	if (on) {
		*vmcb32(s, VMCB_INT_CTL) |= INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR;
		*vmcb32(s, VMCB_INTERCEPT_MISC1) |= INTERCEPT_VINTR;
	} else {
		*vmcb32(s, VMCB_INT_CTL) &= ~(u32)(INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR);
		*vmcb32(s, VMCB_INTERCEPT_MISC1) &= ~(u32)INTERCEPT_VINTR;
	}
}

static void svm_set_exit_deadline(struct vcpu *v, u64 tsc)
{
	((struct svm_vcpu *)v->arch)->deadline_tsc = tsc;
}

static void translate_exit(struct svm_vcpu *s, struct vm_exit *e)
{
	u64 code = *vmcb64(s, VMCB_EXITCODE);
	u64 info1 = *vmcb64(s, VMCB_EXITINFO1), info2 = *vmcb64(s, VMCB_EXITINFO2);

	e->raw = code;
	e->qual = info1;
	e->insn_len = 0;
	e->host_vector = 0;
	if ((code & 0xffffffffULL) == SVM_EXIT_INVALID_LOW32) {
		e->kind = VMEXIT_ENTRY_FAILED;
		return;
	}
	switch (code) {
	case SVM_EXIT_INTR: e->kind = VMEXIT_HOST_IRQ; break;
	case SVM_EXIT_NMI: e->kind = VMEXIT_HOST_NMI; break;
	case SVM_EXIT_SMI: e->kind = VMEXIT_NONE; break; /* taken by firmware on resume */
	case SVM_EXIT_INIT: e->kind = VMEXIT_INIT; break;
	case SVM_EXIT_VINTR: e->kind = VMEXIT_INTR_WINDOW; break;
	case SVM_EXIT_SHUTDOWN: e->kind = VMEXIT_SHUTDOWN; break;
	case SVM_EXIT_CPUID: e->kind = VMEXIT_CPUID; e->insn_len = 2; break;
	case SVM_EXIT_HLT: e->kind = VMEXIT_HLT; e->insn_len = 1; break;
	case SVM_EXIT_VMMCALL: e->kind = VMEXIT_HYPERCALL; e->insn_len = 3; break;
	case SVM_EXIT_XSETBV: e->kind = VMEXIT_XSETBV; e->insn_len = 3; break;
	case SVM_EXIT_INVD: e->kind = VMEXIT_INVD; e->insn_len = 2; break;
	case SVM_EXIT_MSR:
		e->kind = info1 ? VMEXIT_MSR_WRITE : VMEXIT_MSR_READ;
		e->insn_len = 2;
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		e->kind = VMEXIT_VIRT_INSN;
		break;
	case SVM_EXIT_IOIO:
		e->kind = VMEXIT_IO;
		e->io.port = (u16)FIELD_GET(IOIO_PORT, info1);
		e->io.size = info1 & IOIO_SZ8 ? 1 : info1 & IOIO_SZ16 ? 2 : 4;
		e->io.is_write = !(info1 & IOIO_TYPE_IN);
		e->io.is_string = info1 & IOIO_STR;
		e->io.is_rep = info1 & IOIO_REP;
		/* Without NRIP save, EXITINFO2 is still the next RIP for IOIO (APM 15.10.2). */
		e->insn_len = (u32)(info2 - *vmcb64(s, VMCB_RIP));
		break;
	case SVM_EXIT_NPF:
		e->kind = VMEXIT_MMIO;
		e->mmio.gpa = info2;
		e->mmio.gva_valid = false;
		e->mmio.is_write = info1 & NPF_WRITE;
		e->mmio.is_fetch = info1 & NPF_FETCH;
		break;
	default:
		e->kind = VMEXIT_UNKNOWN;
		break;
	}
}

/* An event cut off by the exit (EXITINTINFO) is delivered again first (APM 15.20). */
static void reinject_exitintinfo(struct svm_vcpu *s)
{
	u64 info = *vmcb64(s, VMCB_EXITINTINFO);

	if (!(info & EVTINJ_VALID))
		return;
	/* A software interrupt is re-executed instead: the guest RIP still points at it. */
	if (FIELD_GET(EVTINJ_TYPE, info) == EVTINJ_TYPE_SOFT_INT)
		return;
	*vmcb64(s, VMCB_EVENTINJ) = info;
}

static void svm_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct svm_vcpu *s = v->arch;
	unsigned cpu = this_cpu()->id;

	*vmcb64(s, VMCB_RAX) = v->gpr[GPR_RAX];
	/*
	 * GIF = 0 across the switch; host IF = 1 so that, once the guest runs
	 * with GIF = 1, a physical interrupt exits (INTR intercept). After the
	 * exit IF goes off first, so STGI does not take it here: the neutral
	 * exit code takes it deliberately.
	 */
	if (s->deadline_tsc)
		lapic_timer_oneshot(VEC_TIMER, s->deadline_tsc);
	__asm__ volatile("clgi; sti" ::: "memory");
	svm_enter(v->gpr, s->vmcb_pa, svm_cpu[cpu].host_vmcb);
	__asm__ volatile("cli; stgi" ::: "memory");
	v->gpr[GPR_RAX] = *vmcb64(s, VMCB_RAX);
	*(s->vmcb + VMCB_TLB_CONTROL) = 0;
	*vmcb64(s, VMCB_EVENTINJ) = 0;
	reinject_exitintinfo(s);
	translate_exit(s, e);
	if (e->kind == VMEXIT_ENTRY_FAILED)
		log_err("%s vcpu%u: VMRUN refused the guest state (exit code 0x%lx)",
			v->vm->name, v->id, (unsigned long)e->raw);
}

static void svm_io_intercept(struct vm *vm, u16 port, bool trap)
{
	struct svm_vm *sv = vm->arch;
	u8 bit = (u8)(1u << (port % 8));

	if (trap)
		sv->iopm[port / 8] |= bit;
	else
		sv->iopm[port / 8] &= (u8)~bit;
}

/* QEMU has no FlushByAsid: flush everything on the next VMRUN. */
static void svm_flush_tlb(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	*(s->vmcb + VMCB_TLB_CONTROL) = TLB_CONTROL_FLUSH_ALL;
}

static void svm_set_stage2_root(struct vcpu *v, paddr_t root)
{
	*vmcb64(v->arch, VMCB_N_CR3) = root;
	svm_flush_tlb(v);
}

const struct vmm_backend svm_backend = {
	.name = "svm",
	.cpu_enable = svm_cpu_enable,
	.vm_init = svm_vm_init,
	.vcpu_init = svm_vcpu_init,
	.vcpu_set_protected_flat = svm_set_protected_flat,
	.vcpu_set_sipi = svm_set_sipi,
	.vcpu_run = svm_vcpu_run,
	.msr_read = svm_msr_read,
	.msr_write = svm_msr_write,
	.reg_read = svm_reg_read,
	.reg_write = svm_reg_write,
	.inject = svm_inject,
	.event_pending = svm_event_pending,
	.request_intr_window = svm_request_intr_window,
	.set_exit_deadline = svm_set_exit_deadline,
	.io_intercept = svm_io_intercept,
	.stage2 = &npt_format,
	.flush_tlb = svm_flush_tlb,
	.set_stage2_root = svm_set_stage2_root,
};
