// SPDX-License-Identifier: GPL-2.0-only
/*
 * RDMSR/WRMSR: every MSR traps (the backends' bitmaps are all ones), and
 * only the ones below mean something to a guest. Anything else raises
 * #GP(0), which is what a guest would see for an MSR the CPU lacks.
 * Context: exit path.
 */
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/msr.h"
#include "vmm/backend.h"
#include "vmm/exit_handlers.h"
#include "vmm/vcpu.h"
#include "vmm/vlapic.h"
#include "vmm/vm.h"

#define LOG_TAG "msr"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_DEBUGCTL 0x1d9
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define MSR_PLATFORM_INFO 0xce
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_TSC_AUX 0xc0000103
#define MISC_ENABLE_FAST_STRINGS BIT(0)
/* EFER bits a guest may set: SCE, LME, NXE (LMA follows CR0.PG). */
#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)

/* MSRs whose guest value the backend keeps (VMCS, VMCB, or the real MSR). */
static bool backend_msr(u32 msr)
{
	switch (msr) {
	case MSR_IA32_PAT:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SFMASK:
	case MSR_TSC_AUX:
		return true;
	}
	return false;
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

/*
 * A value the real WRMSR would refuse gets #GP here too, before it reaches
 * the VMCS/VMCB (where a bad PAT fails VM entry) or the real MSR (where a
 * non-canonical LSTAR would fault in longbus itself).
 */
static bool value_ok(u32 msr, u64 val)
{
	switch (msr) {
	case MSR_IA32_PAT:
		/* Each byte a memory type: UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7. */
		for (unsigned i = 0; i < 8; i++) {
			u8 t = (u8)(val >> (8 * i));
			if (t == 2 || t == 3 || t > 7)
				return false;
		}
		return true;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
		return canonical(val);
	case MSR_SFMASK:
	case MSR_TSC_AUX:
		return (val >> 32) == 0;
	}
	return true;
}

/* Returns 0, or -1 for #GP. */
static int msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	const struct vmm_backend *be = vmm_backend();
	int err;

	err = vlapic_msr_read(v->lapic, msr, vcpu_now(), val);
	if (err != -ENOENT)
		return err ? -1 : 0;
	switch (msr) {
	case MSR_EFER:
		*val = be->reg_read(v, GREG_EFER);
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		*val = BIT(0); /* locked, VMX off: nested virtualization is not offered */
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_FAST_STRINGS;
		return 0;
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_PLATFORM_INFO:
	case MSR_IA32_DEBUGCTL:
		*val = 0;
		return 0;
	}
	if (backend_msr(msr))
		return be->msr_read(v, msr, val) ? -1 : 0;
	return -1;
}

static int msr_write(struct vcpu *v, u32 msr, u64 val)
{
	const struct vmm_backend *be = vmm_backend();
	struct vlapic_fx fx = { 0 };
	int err;

	err = vlapic_msr_write(v->lapic, msr, val, vcpu_now(), &fx);
	if (err != -ENOENT) {
		if (!err)
			vcpu_lapic_effects(v, &fx);
		return err ? -1 : 0;
	}
	switch (msr) {
	case MSR_EFER: {
		u64 old = be->reg_read(v, GREG_EFER);
		if (val & ~(u64)EFER_GUEST_WRITABLE & ~(u64)EFER_LMA)
			return -1;
		/* LMA is the CPU's to set; LME may not change while paging is on. */
		val = (val & EFER_GUEST_WRITABLE) | (old & EFER_LMA);
		if (((val ^ old) & EFER_LME) && (be->reg_read(v, GREG_CR0) & BIT(31)))
			return -1;
		be->reg_write(v, GREG_EFER, val);
		return 0;
	}
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_DEBUGCTL:
		return 0; /* accepted and ignored, as guests expect */
	}
	if (backend_msr(msr))
		return value_ok(msr, val) && !be->msr_write(v, msr, val) ? 0 : -1;
	return -1;
}

void msr_emulate(struct vcpu *v, bool is_write, u32 insn_len)
{
	u32 msr = (u32)v->gpr[GPR_RCX];
	u64 val;
	int err;

	if (is_write) {
		val = (v->gpr[GPR_RDX] << 32) | (u32)v->gpr[GPR_RAX];
		err = msr_write(v, msr, val);
	} else {
		err = msr_read(v, msr, &val);
		if (!err) {
			v->gpr[GPR_RAX] = (u32)val;
			v->gpr[GPR_RDX] = val >> 32;
		}
	}
	if (err) {
		log_dbg("%s vcpu%u: %s of MSR 0x%x refused with #GP", v->vm->name, v->id,
			is_write ? "WRMSR" : "RDMSR", msr);
		vcpu_inject_gp(v, 0);
		return;
	}
	vcpu_skip(v, insn_len);
}
