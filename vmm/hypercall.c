// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypercall ABI (guest-api/hypercall.h, docs/guest-api.md).
 * Context: exit path. Guest arguments are validated, never trusted: every
 * buffer must lie wholly in the guest's RAM.
 */
#include "guest-api/hypercall.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/time.h"
#include "vmm/backend.h"
#include "vmm/exit_handlers.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define LOG_TAG "hypercall"

static u64 gpa_arg(struct vcpu *v)
{
	return ((v->gpr[GPR_RDX] & 0xffffffff) << 32) | (v->gpr[GPR_RBX] & 0xffffffff);
}

static s32 hc_log(struct vcpu *v)
{
	u32 len = (u32)v->gpr[GPR_RCX];
	const char *p;
	char line[LB_HC_LOG_MAX + 1];

	if (len == 0 || len > LB_HC_LOG_MAX)
		return -LB_EINVAL;
	/* At most LB_HC_LOG_MAX bytes: two pages at most, both checked. */
	p = vm_mapped_ram(v->vm, gpa_arg(v), len);
	if (!p)
		return -LB_EFAULT;
	/* Copy first: the guest may change the buffer while we print it. */
	for (u32 i = 0; i < len; i++)
		line[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '.';
	line[len] = 0;
	log_raw("guest %s: log: %s", v->vm->name, line);
	return (s32)len;
}

static s32 hc_stats(struct vcpu *v)
{
	u32 size = (u32)v->gpr[GPR_RCX];
	struct lb_hc_stats s = { 0 };
	void *p;

	if (size < LB_HC_STATS_MIN_SIZE)
		return -LB_EINVAL;
	if (size > sizeof(s))
		size = sizeof(s);
	p = vm_mapped_ram(v->vm, gpa_arg(v), size);
	if (!p)
		return -LB_EFAULT;
	s.magic = LB_STATS_MAGIC;
	s.version = LB_STATS_VERSION;
	s.size = size;
	s.vcpu = v->id;
	s.exits = v->exits_total;
	s.exits_io = v->exits[VMEXIT_IO];
	s.exits_mmio = v->exits[VMEXIT_MMIO];
	s.exits_cpuid = v->exits[VMEXIT_CPUID];
	s.exits_msr = v->exits[VMEXIT_MSR_READ] + v->exits[VMEXIT_MSR_WRITE];
	s.exits_hlt = v->exits[VMEXIT_HLT];
	s.exits_extint = v->exits[VMEXIT_HOST_IRQ] + v->exits[VMEXIT_HOST_NMI];
	s.exits_hypercall = v->exits[VMEXIT_HYPERCALL];
	s.exits_other = s.exits - s.exits_io - s.exits_mmio - s.exits_cpuid - s.exits_msr -
			s.exits_hlt - s.exits_extint - s.exits_hypercall;
	s.uptime_ns = time_ns() - v->start_ns;
	memcpy(p, &s, size);
	return (s32)size;
}

void hypercall_handle(struct vcpu *v, u32 insn_len)
{
	const struct vmm_backend *be = vmm_backend();
	s32 ret;

	/* Only the guest kernel may call: CPL is the SS DPL. */
	if (FIELD_GET(SEG_ATTR_DPL, be->reg_read(v, GREG_SS_ATTR)) != 0) {
		ret = -LB_EPERM;
		goto out;
	}
	switch ((u32)v->gpr[GPR_RAX]) {
	case LB_HC_VERSION:
		v->gpr[GPR_RBX] = LB_HC_MAGIC;
		ret = LB_HC_ABI_VERSION;
		break;
	case LB_HC_LOG:
		ret = hc_log(v);
		break;
	case LB_HC_EXIT:
		vm_end(v->vm, VM_EXITED, (s32)(u32)v->gpr[GPR_RBX], "exit hypercall");
		ret = 0;
		break;
	case LB_HC_STATS:
		ret = hc_stats(v);
		break;
	default:
		ret = -LB_ENOSYS;
		break;
	}
out:
	/* 32-bit result, sign-extended into RAX (docs/guest-api.md). */
	v->gpr[GPR_RAX] = (u64)(s64)ret;
	vcpu_skip(v, insn_len);
}
