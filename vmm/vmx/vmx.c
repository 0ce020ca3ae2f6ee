// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-x backend: VMXON, the whole VMCS setup in one place, VM entry,
 * and the translation of exit reasons into struct vm_exit.
 *
 * Environment: each vCPU is pinned to one physical CPU, which VMPTRLDs its
 * VMCS once in vmx_vcpu_init() and keeps it current for life (one vCPU per
 * CPU, no scheduler), so no function here ever switches VMCS. All calls run
 * on that CPU with interrupts off.
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pcpu.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/desc.h"
#include "kernel/x86/msr.h"
#include "vmm/backend.h"
#include "vmm/vm.h"
#include "vmm/vmx/ept.h"
#include "vmm/vmx/vmx_regs.h"

#define LOG_TAG "vmx"

#define CR0_PE BIT(0)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_PG BIT(31)
#define CR4_VMXE BIT(13)
#define RFLAGS_RESERVED1 BIT(1)
#define GUEST_PAT_DEFAULT 0x0007040600070406ULL

struct vmx_vcpu {
	void *vmcs;
	bool launched;
	u64 deadline_tsc;
	u64 cr0_mask, cr4_mask;
};

struct vmx_vm {
	u8 *io_bitmap; /* A (ports 0-0x7fff) then B, 1 = trap */
	u8 *msr_bitmap; /* all ones: every MSR traps (the allowlist lives in vmm/msr.c) */
};

/* Per-CPU (each element touched only by its CPU): VMXON region and state. */
static struct {
	void *vmxon;
	bool on;
} vmx_cpu[MAX_CPUS];

/* Read once on the first CPU enabled; the same on every CPU. */
static u32 ctl_pin, ctl_proc, ctl_proc2, ctl_exit, ctl_entry;
static u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
static unsigned preempt_shift;
static bool caps_ready;
static u64 ept_caps;

extern int vmx_enter(u64 *gpr, int launched);
extern void vmx_exit_point(void);

/* --- VMX instructions, each checked (VMfail sets CF or ZF) ----------------- */

static int vmcs_write(u64 field, u64 val)
{
	u8 fail;
	__asm__ volatile("vmwrite %2, %1; setna %0" : "=q"(fail) : "r"(field), "rm"(val) : "cc");
	return fail ? -EIO : 0;
}

static u64 vmcs_read(u64 field)
{
	u64 val = 0;
	__asm__ volatile("vmread %1, %0" : "=rm"(val) : "r"(field) : "cc");
	return val;
}

static int vmxon(paddr_t pa)
{
	u8 fail;
	__asm__ volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static int vmclear(paddr_t pa)
{
	u8 fail;
	__asm__ volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static int vmptrld(paddr_t pa)
{
	u8 fail;
	__asm__ volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static void invept(u64 type, u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = { eptp, 0 };
	__asm__ volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static void invvpid(u64 type, u16 vpid)
{
	struct {
		u64 vpid, addr;
	} desc = { vpid, 0 };
	__asm__ volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/* --- capabilities ----------------------------------------------------------- */

/*
 * Fits wanted control bits to what the CPU allows: allowed-0 bits (low
 * half of the MSR) are forced on, allowed-1 bits (high half) bound what
 * may be on. A required bit the CPU cannot set fails by name.
 */
static int adjust_ctls(u32 msr, u32 required, u32 optional, u32 *out, const char *what)
{
	u64 cap = rdmsr(msr);
	u32 allowed0 = (u32)cap, allowed1 = (u32)(cap >> 32);

	if (required & ~allowed1) {
		log_err("%s controls: CPU lacks required bits 0x%x (allowed 0x%x)", what,
			required & ~allowed1, allowed1);
		return -ENOTSUP;
	}
	*out = (required | (optional & allowed1) | allowed0) & allowed1;
	return 0;
}

static int read_caps(void)
{
	u64 basic = rdmsr(MSR_IA32_VMX_BASIC);
	bool true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	int err = 0;

	err |= adjust_ctls(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
			   PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER, 0,
			   &ctl_pin, "pin-based");
	err |= adjust_ctls(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
			   PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
				   PROC_ACTIVATE_SECONDARY,
			   0, &ctl_proc, "processor-based");
	/* With EPT, CR3 accesses need not exit: take them off if the CPU lets us. */
	ctl_proc &= ~(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING) |
		    (u32)rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
					 : MSR_IA32_VMX_PROCBASED_CTLS);
	err |= adjust_ctls(MSR_IA32_VMX_PROCBASED_CTLS2,
			   PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST, PROC2_ENABLE_VPID,
			   &ctl_proc2, "secondary");
	err |= adjust_ctls(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
			   EXIT_HOST_ADDR_SPACE_SIZE | EXIT_ACK_INTR_ON_EXIT | EXIT_SAVE_EFER |
				   EXIT_LOAD_EFER,
			   EXIT_SAVE_PAT | EXIT_LOAD_PAT, &ctl_exit, "VM-exit");
	err |= adjust_ctls(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
			   ENTRY_LOAD_EFER, ENTRY_LOAD_PAT, &ctl_entry, "VM-entry");
	if (err)
		return -ENOTSUP;
	ept_caps = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (!(ept_caps & EPT_VPID_CAP_WB) || !(ept_caps & EPT_VPID_CAP_INVEPT)) {
		log_err("EPT lacks write-back tables or INVEPT (caps 0x%lx)",
			(unsigned long)ept_caps);
		return -ENOTSUP;
	}
	cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	preempt_shift = FIELD_GET(VMX_MISC_PREEMPT_RATE, rdmsr(MSR_IA32_VMX_MISC));
	log_info("VMX: revision 0x%x, EPT caps 0x%lx, VPID %s, preemption timer TSC/2^%u",
		 (u32)FIELD_GET(VMX_BASIC_REVISION, basic), (unsigned long)ept_caps,
		 ctl_proc2 & PROC2_ENABLE_VPID ? "on" : "off", preempt_shift);
	caps_ready = true;
	return 0;
}

bool vmx_supported(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	return r.ecx & BIT(5);
}

/* --- per-CPU enable ---------------------------------------------------------- */

static int vmx_cpu_enable(void)
{
	unsigned cpu = this_cpu()->id;
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	paddr_t pa;
	int err;

	/* Firmware that leaves the MSR unlocked (OVMF on Bochs) expects the OS to set it. */
	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	}
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		log_err("VMX is disabled and locked in IA32_FEATURE_CONTROL (0x%lx): "
			"enable it in the firmware setup", (unsigned long)fc);
		return -ENOTSUP;
	}
	if (!caps_ready && (err = read_caps()) != 0)
		return err;
	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	vmx_cpu[cpu].vmxon = phys_to_virt(pa);
	*(u32 *)vmx_cpu[cpu].vmxon = (u32)FIELD_GET(VMX_BASIC_REVISION, rdmsr(MSR_IA32_VMX_BASIC));
	/* CR0 and CR4 must honour the fixed bits before VMXON (SDM 24.8). */
	write_cr0((read_cr0() | cr0_fixed0) & cr0_fixed1);
	write_cr4((read_cr4() | cr4_fixed0 | CR4_VMXE) & cr4_fixed1);
	if (vmxon(pa)) {
		log_err("VMXON failed on cpu%u", cpu);
		return -EIO;
	}
	vmx_cpu[cpu].on = true;
	return 0;
}

/* --- VMCS setup ---------------------------------------------------------------- */

static u64 read_gdtr_base(void)
{
	struct desc_ptr p;
	__asm__ volatile("sgdt %0" : "=m"(p));
	return p.base;
}

static u64 read_idtr_base(void)
{
	struct desc_ptr p;
	__asm__ volatile("sidt %0" : "=m"(p));
	return p.base;
}

/* Writes a list of fields, reporting the first that fails: a gap shows at once. */
struct vmcs_init {
	u32 field;
	u64 val;
};

static int vmcs_write_all(const struct vmcs_init *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (vmcs_write(f[i].field, f[i].val)) {
			log_err("VMWRITE of field 0x%x = 0x%lx failed (VM-instruction error %lu)",
				f[i].field, (unsigned long)f[i].val,
				(unsigned long)vmcs_read(VMCS_VM_INSN_ERROR));
			return -EIO;
		}
	}
	return 0;
}

static int vmcs_setup(struct vcpu *v, struct vmx_vcpu *x)
{
	struct vmx_vm *xv = v->vm->arch;
	struct pcpu *p = this_cpu();
	/*
	 * The guest owns CR0/CR4 except the bits VMX pins (NE; VMXE): those are
	 * masked, and the guest reads its own value from the shadow.
	 * Unrestricted guest lifts the pin on PE and PG.
	 */
	x->cr0_mask = (cr0_fixed0 | ~cr0_fixed1) & ~(CR0_PE | CR0_PG) & 0xffffffffULL;
	x->cr4_mask = (cr4_fixed0 | ~cr4_fixed1) & 0xffffffffULL;

	const struct vmcs_init fields[] = {
		/* Controls. */
		{ VMCS_PIN_CTLS, ctl_pin },
		{ VMCS_PROC_CTLS, ctl_proc },
		{ VMCS_PROC_CTLS2, ctl_proc2 },
		{ VMCS_EXIT_CTLS, ctl_exit },
		{ VMCS_ENTRY_CTLS, ctl_entry },
		{ VMCS_EXCEPTION_BITMAP, 0 },
		{ VMCS_CR3_TARGET_COUNT, 0 },
		{ VMCS_EXIT_MSR_STORE_COUNT, 0 },
		{ VMCS_EXIT_MSR_LOAD_COUNT, 0 },
		{ VMCS_ENTRY_MSR_LOAD_COUNT, 0 },
		{ VMCS_ENTRY_INTR_INFO, 0 },
		{ VMCS_IO_BITMAP_A, virt_to_phys(xv->io_bitmap) },
		{ VMCS_IO_BITMAP_B, virt_to_phys(xv->io_bitmap + PAGE_SIZE) },
		{ VMCS_MSR_BITMAP, virt_to_phys(xv->msr_bitmap) },
		{ VMCS_EPT_POINTER, ept_pointer(v->vm->s2.root) },
		/* VPID 0 is the host's; vCPUs count from 1. */
		{ VMCS_VPID, (u64)v->vm->id * VM_MAX_VCPUS + v->id + 1 },
		{ VMCS_CR0_MASK, x->cr0_mask },
		{ VMCS_CR4_MASK, x->cr4_mask },
		{ VMCS_LINK_POINTER, ~0ULL },
		{ VMCS_PREEMPTION_TIMER, 0xffffffff },

		/* Host state: what the CPU reloads on every exit. */
		{ VMCS_HOST_CR0, read_cr0() },
		{ VMCS_HOST_CR3, read_cr3() },
		{ VMCS_HOST_CR4, read_cr4() },
		{ VMCS_HOST_CS_SEL, SEL_CODE64 },
		{ VMCS_HOST_SS_SEL, SEL_DATA },
		{ VMCS_HOST_DS_SEL, SEL_DATA },
		{ VMCS_HOST_ES_SEL, SEL_DATA },
		{ VMCS_HOST_FS_SEL, 0 },
		{ VMCS_HOST_GS_SEL, 0 },
		{ VMCS_HOST_TR_SEL, SEL_TSS },
		{ VMCS_HOST_FS_BASE, 0 },
		{ VMCS_HOST_GS_BASE, (u64)(uintptr_t)p },
		{ VMCS_HOST_TR_BASE, (u64)(uintptr_t)&p->tss },
		{ VMCS_HOST_GDTR_BASE, read_gdtr_base() },
		{ VMCS_HOST_IDTR_BASE, read_idtr_base() },
		{ VMCS_HOST_SYSENTER_CS, 0 },
		{ VMCS_HOST_SYSENTER_ESP, 0 },
		{ VMCS_HOST_SYSENTER_EIP, 0 },
		{ VMCS_HOST_EFER, rdmsr(MSR_EFER) },
		{ VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT) },
		{ VMCS_HOST_RIP, (u64)(uintptr_t)vmx_exit_point },

		/* Guest state that no mode setter touches. */
		{ VMCS_GUEST_DR7, 0x400 },
		{ VMCS_GUEST_DEBUGCTL, 0 },
		{ VMCS_GUEST_PAT, GUEST_PAT_DEFAULT },
		{ VMCS_GUEST_EFER, 0 },
		{ VMCS_GUEST_SYSENTER_CS, 0 },
		{ VMCS_GUEST_SYSENTER_ESP, 0 },
		{ VMCS_GUEST_SYSENTER_EIP, 0 },
		{ VMCS_GUEST_PENDING_DBG, 0 },
		{ VMCS_GUEST_INTERRUPTIBILITY, 0 },
		{ VMCS_GUEST_ACTIVITY, 0 },
		{ VMCS_GUEST_CR3, 0 },
		{ VMCS_GUEST_RSP, 0 },
		{ VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1 },
	};
	return vmcs_write_all(fields, ARRAY_SIZE(fields));
}

static int vmx_vm_init(struct vm *vm)
{
	struct vmx_vm *xv;
	paddr_t pa;

	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	xv = phys_to_virt(pa);
	if (page_alloc(2, 1, &pa))
		return -ENOMEM;
	xv->io_bitmap = phys_to_virt(pa);
	memset(xv->io_bitmap, 0xff, 2 * PAGE_SIZE);
	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	xv->msr_bitmap = phys_to_virt(pa);
	memset(xv->msr_bitmap, 0xff, PAGE_SIZE);
	vm->arch = xv;
	return 0;
}

static int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *x;
	paddr_t pa;

	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	x = phys_to_virt(pa);
	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	x->vmcs = phys_to_virt(pa);
	*(u32 *)x->vmcs = (u32)FIELD_GET(VMX_BASIC_REVISION, rdmsr(MSR_IA32_VMX_BASIC));
	if (vmclear(pa) || vmptrld(pa)) {
		log_err("VMCLEAR/VMPTRLD failed for %s vcpu%u", v->vm->name, v->id);
		return -EIO;
	}
	v->arch = x;
	return vmcs_setup(v, x);
}

/* --- guest modes ---------------------------------------------------------------- */

struct vmx_seg {
	u32 sel, base, limit, ar;
};

static void set_segments(const struct vmx_seg *cs, const struct vmx_seg *data)
{
	static const u32 data_sel[] = { VMCS_GUEST_DS_SEL, VMCS_GUEST_ES_SEL, VMCS_GUEST_FS_SEL,
					VMCS_GUEST_GS_SEL, VMCS_GUEST_SS_SEL };
	/* Within each group the fields sit 2 apart in the same order (appendix B). */
	for (unsigned i = 0; i < ARRAY_SIZE(data_sel); i++) {
		u32 idx = (data_sel[i] - VMCS_GUEST_ES_SEL);
		vmcs_write(VMCS_GUEST_ES_SEL + idx, data->sel);
		vmcs_write(VMCS_GUEST_ES_BASE + idx, data->base);
		vmcs_write(VMCS_GUEST_ES_LIMIT + idx, data->limit);
		vmcs_write(VMCS_GUEST_ES_AR + idx, data->ar);
	}
	vmcs_write(VMCS_GUEST_CS_SEL, cs->sel);
	vmcs_write(VMCS_GUEST_CS_BASE, cs->base);
	vmcs_write(VMCS_GUEST_CS_LIMIT, cs->limit);
	vmcs_write(VMCS_GUEST_CS_AR, cs->ar);
	/* A usable busy TSS is required even in real mode; LDTR may be unusable. */
	vmcs_write(VMCS_GUEST_TR_SEL, 0);
	vmcs_write(VMCS_GUEST_TR_BASE, 0);
	vmcs_write(VMCS_GUEST_TR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_TR_AR, VMX_AR_P | 0xb);
	vmcs_write(VMCS_GUEST_LDTR_SEL, 0);
	vmcs_write(VMCS_GUEST_LDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_LDTR_LIMIT, 0);
	vmcs_write(VMCS_GUEST_LDTR_AR, VMX_AR_UNUSABLE);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);
}

static void set_cr0_cr4(struct vmx_vcpu *x, u64 cr0, u64 cr4)
{
	vmcs_write(VMCS_CR0_SHADOW, cr0);
	vmcs_write(VMCS_GUEST_CR0, (cr0 | (cr0_fixed0 & x->cr0_mask)) & (cr0_fixed1 | ~x->cr0_mask));
	vmcs_write(VMCS_CR4_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR4, (cr4 | (cr4_fixed0 & x->cr4_mask)) & (cr4_fixed1 | ~x->cr4_mask));
}

static void vmx_set_protected_flat(struct vcpu *v, u64 rip)
{
	const struct vmx_seg cs = { 0x08, 0, 0xffffffff,
				    0xb | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G };
	const struct vmx_seg ds = { 0x10, 0, 0xffffffff,
				    0x3 | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G };

	set_segments(&cs, &ds);
	set_cr0_cr4(v->arch, CR0_PE | CR0_ET, 0);
	vmcs_write(VMCS_GUEST_EFER, 0);
	vmcs_write(VMCS_ENTRY_CTLS, ctl_entry & ~ENTRY_IA32E_MODE);
	vmcs_write(VMCS_GUEST_RIP, rip);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1);
}

static void vmx_set_sipi(struct vcpu *v, u8 vector)
{
	const struct vmx_seg cs = { (u32)vector << 8, (u32)vector << 12, 0xffff,
				    0xb | VMX_AR_S | VMX_AR_P };
	const struct vmx_seg ds = { 0, 0, 0xffff, 0x3 | VMX_AR_S | VMX_AR_P };

	set_segments(&cs, &ds);
	set_cr0_cr4(v->arch, CR0_ET, 0);
	vmcs_write(VMCS_GUEST_EFER, 0);
	vmcs_write(VMCS_ENTRY_CTLS, ctl_entry & ~ENTRY_IA32E_MODE);
	vmcs_write(VMCS_GUEST_RIP, 0);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1);
	vmcs_write(VMCS_GUEST_CR3, 0);
}

/* --- registers ---------------------------------------------------------------------- */

static u64 ar_to_neutral(u64 ar)
{
	return (ar & VMX_AR_L ? SEG_ATTR_L : 0) | (ar & VMX_AR_DB ? SEG_ATTR_DB : 0) |
	       FIELD_PREP(SEG_ATTR_DPL, FIELD_GET(VMX_AR_DPL, ar));
}

/*
 * What the guest sees of CR0/CR4: the bits it owns from the real register,
 * the bits VMX pins (the mask) from the read shadow.
 */
static u64 guest_cr(u32 real, u32 shadow, u64 mask)
{
	return (vmcs_read(real) & ~mask) | (vmcs_read(shadow) & mask);
}

static u64 vmx_reg_read(struct vcpu *v, enum guest_reg r)
{
	struct vmx_vcpu *x = v->arch;

	switch (r) {
	case GREG_RIP: return vmcs_read(VMCS_GUEST_RIP);
	case GREG_RSP: return vmcs_read(VMCS_GUEST_RSP);
	case GREG_RFLAGS: return vmcs_read(VMCS_GUEST_RFLAGS);
	case GREG_CR0: return guest_cr(VMCS_GUEST_CR0, VMCS_CR0_SHADOW, x->cr0_mask);
	case GREG_CR2: return read_cr2(); /* VMX does not switch CR2: it is live */
	case GREG_CR3: return vmcs_read(VMCS_GUEST_CR3);
	case GREG_CR4: return guest_cr(VMCS_GUEST_CR4, VMCS_CR4_SHADOW, x->cr4_mask);
	case GREG_EFER: return vmcs_read(VMCS_GUEST_EFER);
	case GREG_CS_SEL: return vmcs_read(VMCS_GUEST_CS_SEL);
	case GREG_CS_BASE: return vmcs_read(VMCS_GUEST_CS_BASE);
	case GREG_CS_ATTR: return ar_to_neutral(vmcs_read(VMCS_GUEST_CS_AR));
	case GREG_SS_ATTR: return ar_to_neutral(vmcs_read(VMCS_GUEST_SS_AR));
	case GREG_DS_BASE: return vmcs_read(VMCS_GUEST_DS_BASE);
	case GREG_ES_BASE: return vmcs_read(VMCS_GUEST_ES_BASE);
	case GREG_FS_BASE: return vmcs_read(VMCS_GUEST_FS_BASE);
	case GREG_GS_BASE: return vmcs_read(VMCS_GUEST_GS_BASE);
	case GREG_SS_BASE: return vmcs_read(VMCS_GUEST_SS_BASE);
	case GREG_INTR_SHADOW:
		return vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		       (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
	}
	return 0;
}

static void vmx_reg_write(struct vcpu *v, enum guest_reg r, u64 val)
{
	struct vmx_vcpu *x = v->arch;

	switch (r) {
	case GREG_RIP: vmcs_write(VMCS_GUEST_RIP, val); break;
	case GREG_RSP: vmcs_write(VMCS_GUEST_RSP, val); break;
	case GREG_RFLAGS: vmcs_write(VMCS_GUEST_RFLAGS, val | RFLAGS_RESERVED1); break;
	case GREG_CR0:
		set_cr0_cr4(x, val, vmx_reg_read(v, GREG_CR4));
		break;
	case GREG_CR4:
		set_cr0_cr4(x, vmx_reg_read(v, GREG_CR0), val);
		break;
	case GREG_CR3: vmcs_write(VMCS_GUEST_CR3, val); break;
	case GREG_EFER: {
		/* IA-32e mode is active exactly when EFER.LMA is: keep the entry control in step. */
		u64 entry = ctl_entry & ~ENTRY_IA32E_MODE;
		if (val & EFER_LMA)
			entry |= ENTRY_IA32E_MODE;
		vmcs_write(VMCS_ENTRY_CTLS, entry);
		vmcs_write(VMCS_GUEST_EFER, val);
		break;
	}
	case GREG_INTR_SHADOW: {
		u64 is = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
		is &= ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, is | (val & 3));
		break;
	}
	default:
		break; /* segment state changes only through the mode setters */
	}
}

/*
 * PAT and FS/GS base live in the VMCS. The SYSCALL MSRs, KERNEL_GS_BASE and
 * TSC_AUX are not switched by VMX; longbus itself never uses them and one
 * vCPU owns this CPU, so the guest's values simply stay in the real MSRs.
 */
static int vmx_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	(void)v;
	switch (msr) {
	case MSR_IA32_PAT: *val = vmcs_read(VMCS_GUEST_PAT); return 0;
	case MSR_FS_BASE: *val = vmcs_read(VMCS_GUEST_FS_BASE); return 0;
	case MSR_GS_BASE: *val = vmcs_read(VMCS_GUEST_GS_BASE); return 0;
	case MSR_KERNEL_GS_BASE:
	case 0xc0000081 ... 0xc0000084: /* STAR, LSTAR, CSTAR, SFMASK */
	case 0xc0000103:		 /* TSC_AUX */
		*val = rdmsr(msr);
		return 0;
	}
	return -EINVAL;
}

static int vmx_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	(void)v;
	switch (msr) {
	case MSR_IA32_PAT: return vmcs_write(VMCS_GUEST_PAT, val) ? -EINVAL : 0;
	case MSR_FS_BASE: return vmcs_write(VMCS_GUEST_FS_BASE, val) ? -EINVAL : 0;
	case MSR_GS_BASE: return vmcs_write(VMCS_GUEST_GS_BASE, val) ? -EINVAL : 0;
	case MSR_KERNEL_GS_BASE:
	case 0xc0000081 ... 0xc0000084:
	case 0xc0000103:
		wrmsr(msr, val);
		return 0;
	}
	return -EINVAL;
}

/* --- events --------------------------------------------------------------------------- */

static bool vmx_event_pending(struct vcpu *v)
{
	(void)v;
	return vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
}

static int vmx_inject(struct vcpu *v, enum event_type type, u8 vector, bool has_error, u32 ec)
{
	u32 info = vector | INTR_INFO_VALID;

	if (vmx_event_pending(v))
		return -EBUSY;
	switch (type) {
	case EVENT_EXTINT: info |= INTR_TYPE_EXT_INTR << 8; break;
	case EVENT_NMI: info |= INTR_TYPE_NMI << 8; break;
	case EVENT_EXCEPTION: info |= INTR_TYPE_HW_EXCEPTION << 8; break;
	}
	if (has_error) {
		info |= INTR_INFO_HAS_ERROR;
		vmcs_write(VMCS_ENTRY_EXCEPTION_EC, ec);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
	return 0;
}

static void vmx_request_intr_window(struct vcpu *v, bool on)
{
	(void)v;
	u64 proc = vmcs_read(VMCS_PROC_CTLS);
	vmcs_write(VMCS_PROC_CTLS, on ? proc | PROC_INTR_WINDOW_EXITING
				      : proc & ~(u64)PROC_INTR_WINDOW_EXITING);
}

static void vmx_set_exit_deadline(struct vcpu *v, u64 tsc)
{
	((struct vmx_vcpu *)v->arch)->deadline_tsc = tsc;
}

/*
 * An event the exit interrupted in mid-delivery (IDT-vectoring info) must
 * be delivered again, ahead of anything new (SDM 28.2.4).
 */
static void reinject_vectoring(void)
{
	u64 info = vmcs_read(VMCS_IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	vmcs_write(VMCS_ENTRY_INTR_INFO, info & ~BIT(12));
	if (info & INTR_INFO_HAS_ERROR)
		vmcs_write(VMCS_ENTRY_EXCEPTION_EC, vmcs_read(VMCS_IDT_VECTORING_EC));
	u64 type = FIELD_GET(INTR_INFO_TYPE, info);
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_SW_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
}

/* --- exits ------------------------------------------------------------------------------ */

/*
 * MOV to CR0/CR4 that touches a masked bit. Only the pinned bits are
 * masked, so the guest's value goes to the shadow and the hardware value
 * keeps the pins. Turning paging on with EFER.LME set enters IA-32e mode.
 */
static bool handle_cr_access(struct vcpu *v, u64 qual)
{
	unsigned cr = FIELD_GET(CR_QUAL_NUMBER, qual);
	unsigned type = FIELD_GET(CR_QUAL_TYPE, qual);
	unsigned reg = FIELD_GET(CR_QUAL_GPR, qual);
	u64 val;

	if (type != 0 || (cr != 0 && cr != 4))
		return false;
	val = reg == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->gpr[reg];
	if (cr == 0) {
		u64 efer = vmcs_read(VMCS_GUEST_EFER);
		vmx_reg_write(v, GREG_CR0, val);
		if ((val & CR0_PG) && (efer & EFER_LME))
			vmx_reg_write(v, GREG_EFER, efer | EFER_LMA);
		else if (!(val & CR0_PG) && (efer & EFER_LMA))
			vmx_reg_write(v, GREG_EFER, efer & ~EFER_LMA);
	} else {
		vmx_reg_write(v, GREG_CR4, val);
	}
	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_EXIT_INSN_LEN));
	return true;
}

static void translate_exit(struct vcpu *v, u32 reason, struct vm_exit *e)
{
	u64 qual = vmcs_read(VMCS_EXIT_QUALIFICATION);

	e->raw = reason;
	e->qual = qual;
	e->insn_len = 0;
	if (reason & EXIT_REASON_ENTRY_FAILURE) {
		e->kind = VMEXIT_ENTRY_FAILED;
		return;
	}
	switch (reason & EXIT_REASON_BASIC) {
	case EXIT_REASON_EXCEPTION_NMI: {
		u64 info = vmcs_read(VMCS_EXIT_INTR_INFO);
		e->kind = FIELD_GET(INTR_INFO_TYPE, info) == INTR_TYPE_NMI ? VMEXIT_HOST_NMI
									   : VMEXIT_UNKNOWN;
		break;
	}
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		e->kind = VMEXIT_HOST_IRQ;
		e->host_vector = (u8)vmcs_read(VMCS_EXIT_INTR_INFO);
		break;
	case EXIT_REASON_TRIPLE_FAULT: e->kind = VMEXIT_SHUTDOWN; break;
	case EXIT_REASON_INIT: e->kind = VMEXIT_INIT; break;
	case EXIT_REASON_INTERRUPT_WINDOW: e->kind = VMEXIT_INTR_WINDOW; break;
	case EXIT_REASON_PREEMPTION_TIMER: e->kind = VMEXIT_TIMER; break;
	case EXIT_REASON_CPUID: e->kind = VMEXIT_CPUID; break;
	case EXIT_REASON_HLT: e->kind = VMEXIT_HLT; break;
	case EXIT_REASON_VMCALL: e->kind = VMEXIT_HYPERCALL; break;
	case EXIT_REASON_RDMSR: e->kind = VMEXIT_MSR_READ; break;
	case EXIT_REASON_WRMSR: e->kind = VMEXIT_MSR_WRITE; break;
	case EXIT_REASON_XSETBV: e->kind = VMEXIT_XSETBV; break;
	case EXIT_REASON_INVD: e->kind = VMEXIT_INVD; break;
	case EXIT_REASON_GETSEC:
	case EXIT_REASON_VMCLEAR ... EXIT_REASON_VMXON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
		e->kind = VMEXIT_VIRT_INSN;
		break;
	case EXIT_REASON_CR_ACCESS:
		e->kind = handle_cr_access(v, qual) ? VMEXIT_NONE : VMEXIT_CR_ACCESS;
		break;
	case EXIT_REASON_IO: {
		static const u8 sizes[] = { 1, 2, 0, 4 };
		e->kind = VMEXIT_IO;
		e->io.port = (u16)FIELD_GET(IO_QUAL_PORT, qual);
		e->io.size = sizes[FIELD_GET(IO_QUAL_SIZE, qual) & 3];
		e->io.is_write = !(qual & IO_QUAL_IN);
		e->io.is_string = qual & IO_QUAL_STRING;
		e->io.is_rep = qual & IO_QUAL_REP;
		break;
	}
	case EXIT_REASON_EPT_VIOLATION:
		e->kind = VMEXIT_MMIO;
		e->mmio.gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
		e->mmio.gva_valid = qual & EPT_QUAL_GLA_VALID;
		e->mmio.gva = e->mmio.gva_valid ? vmcs_read(VMCS_GUEST_LINEAR_ADDR) : 0;
		e->mmio.is_write = qual & EPT_QUAL_WRITE;
		e->mmio.is_fetch = qual & EPT_QUAL_FETCH;
		/*
		 * Bochs fills the instruction length here, hardware leaves it
		 * undefined: the MMIO path decodes the instruction instead.
		 */
		return;
	default:
		e->kind = VMEXIT_UNKNOWN;
		return;
	}
	/* Defined for instruction-caused exits (SDM 27.2.5). */
	e->insn_len = (u32)vmcs_read(VMCS_EXIT_INSN_LEN);
}

static void vmx_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *x = v->arch;
	u64 timer = 0xffffffff;

	if (x->deadline_tsc) {
		u64 now = rdtsc();
		timer = x->deadline_tsc > now ? (x->deadline_tsc - now) >> preempt_shift : 0;
		if (timer > 0xffffffff)
			timer = 0xffffffff;
	}
	vmcs_write(VMCS_PREEMPTION_TIMER, timer);

	if (vmx_enter(v->gpr, x->launched)) {
		e->kind = VMEXIT_ENTRY_FAILED;
		e->raw = vmcs_read(VMCS_VM_INSN_ERROR);
		e->qual = 0;
		log_err("%s vcpu%u: VM%s failed, VM-instruction error %lu", v->vm->name, v->id,
			x->launched ? "RESUME" : "LAUNCH", (unsigned long)e->raw);
		return;
	}
	x->launched = true;
	reinject_vectoring();
	translate_exit(v, (u32)vmcs_read(VMCS_EXIT_REASON), e);
}

/* --- stage 2 and I/O ------------------------------------------------------------------ */

static void vmx_io_intercept(struct vm *vm, u16 port, bool trap)
{
	struct vmx_vm *xv = vm->arch;
	u8 bit = (u8)(1u << (port % 8));

	if (trap)
		xv->io_bitmap[port / 8] |= bit;
	else
		xv->io_bitmap[port / 8] &= (u8)~bit;
}

static void vmx_flush_tlb(struct vcpu *v)
{
	u64 eptp = vmcs_read(VMCS_EPT_POINTER);

	if (ept_caps & EPT_VPID_CAP_INVEPT_SINGLE)
		invept(INVEPT_SINGLE_CONTEXT, eptp);
	else
		invept(INVEPT_ALL_CONTEXT, 0);
	if ((ctl_proc2 & PROC2_ENABLE_VPID) && (ept_caps & EPT_VPID_CAP_INVVPID))
		invvpid(INVVPID_SINGLE_CONTEXT, (u16)vmcs_read(VMCS_VPID));
	(void)v;
}

static void vmx_set_stage2_root(struct vcpu *v, paddr_t root)
{
	(void)v;
	vmcs_write(VMCS_EPT_POINTER, ept_pointer(root));
}

const struct vmm_backend vmx_backend = {
	.name = "vmx",
	.cpu_enable = vmx_cpu_enable,
	.vm_init = vmx_vm_init,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_set_protected_flat = vmx_set_protected_flat,
	.vcpu_set_sipi = vmx_set_sipi,
	.vcpu_run = vmx_vcpu_run,
	.msr_read = vmx_msr_read,
	.msr_write = vmx_msr_write,
	.reg_read = vmx_reg_read,
	.reg_write = vmx_reg_write,
	.inject = vmx_inject,
	.event_pending = vmx_event_pending,
	.request_intr_window = vmx_request_intr_window,
	.set_exit_deadline = vmx_set_exit_deadline,
	.io_intercept = vmx_io_intercept,
	.stage2 = &ept_format,
	.flush_tlb = vmx_flush_tlb,
	.set_stage2_root = vmx_set_stage2_root,
};
