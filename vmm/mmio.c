// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO emulation on a stage-2 violation: fetch the instruction through the
 * guest's own page tables (vmm/gwalk.c), decode it (vmm/decode.c), and run
 * the access against the device registered there, or the default policy
 * (reads all-ones, writes dropped). String forms (STOS/MOVS) retire one
 * element per exit and leave RIP on the instruction until rCX runs out,
 * exactly as a CPU that takes an interrupt mid-REP does.
 *
 * The instruction length is never taken from the exit: hardware leaves it
 * undefined on EPT violations (Bochs happens to fill it) and SVM has none
 * without decode assists.
 * Context: exit path on the vCPU's own CPU.
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/x86/cpu.h"
#include "vmm/backend.h"
#include "vmm/decode.h"
#include "vmm/exit_handlers.h"
#include "vmm/gwalk.h"
#include "vmm/platform.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define LOG_TAG "mmio"
#define CR0_PE BIT(0)
#define RFLAGS_DF BIT(10)
#define RFLAGS_VM BIT(17)
#define RFLAGS_AC BIT(18)

static void *ram_at(struct vm *vm, u64 gpa, size_t len)
{
	return vm_mapped_ram(vm, gpa, len);
}

static int gmem_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	void *p = ram_at(ctx, gpa, len);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int gmem_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	void *p = ram_at(ctx, gpa, len);
	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static int gmem_cmpxchg(void *ctx, u64 gpa, u64 old, u64 new, unsigned size)
{
	void *p = ram_at(ctx, gpa, size);

	if (!p)
		return -EFAULT;
	if (size == 8)
		return __atomic_compare_exchange_n((u64 *)p, &old, new, false, __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST) ? 0 : -EBUSY;
	u32 o = (u32)old;
	return __atomic_compare_exchange_n((u32 *)p, &o, (u32)new, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST) ? 0 : -EBUSY;
}

struct mmio_ctx {
	struct vcpu *v;
	struct gwalk_cpu cpu;
	struct gwalk_mem mem;
	u32 user; /* GWALK_USER at CPL 3 */
	u64 rflags;
};

static void ctx_init(struct mmio_ctx *c, struct vcpu *v)
{
	const struct vmm_backend *be = vmm_backend();

	c->v = v;
	c->cpu = (struct gwalk_cpu){
		.cr0 = be->reg_read(v, GREG_CR0),
		.cr3 = be->reg_read(v, GREG_CR3),
		.cr4 = be->reg_read(v, GREG_CR4),
		.efer = be->reg_read(v, GREG_EFER),
		.pdptes_valid = false,
		.maxphyaddr = (u8)cpuid(0x80000008, 0).eax,
	};
	c->mem = (struct gwalk_mem){ gmem_read, gmem_write, gmem_cmpxchg, v->vm };
	c->rflags = be->reg_read(v, GREG_RFLAGS);
	c->user = FIELD_GET(SEG_ATTR_DPL, be->reg_read(v, GREG_SS_ATTR)) == 3 ? GWALK_USER : 0;
	if (c->rflags & RFLAGS_AC)
		c->user |= GWALK_AC;
}

/* A #PF or #GP from the walk goes to the guest; anything else stops it. */
static bool walk_failed(struct mmio_ctx *c, int err, const struct gwalk_fault *f)
{
	if (err == GWALK_FAULT) {
		if (f->vector == GWALK_VEC_PF)
			vcpu_inject_pf(c->v, f->addr, f->error_code);
		else
			vcpu_inject_gp(c->v, 0);
		return true;
	}
	if (err == -EBUSY)
		return true; /* lost an A/D race to the guest: re-run the instruction */
	if (err == -EFAULT) {
		vm_end(c->v->vm, VM_CRASHED, 0, "page tables outside guest RAM");
		return true;
	}
	if (err) {
		vm_end(c->v->vm, VM_CRASHED, 0, "guest paging mode not emulated (5-level?)");
		return true;
	}
	return false;
}

static int fetch_insn(struct mmio_ctx *c, u64 rip_linear, u8 *bytes, size_t *n)
{
	struct gwalk_fault f;
	int err;

	/* Try the architectural maximum, then only up to the page end (code may end there). */
	*n = INSN_MAX_LEN;
	err = gwalk_read(&c->cpu, &c->mem, rip_linear, bytes, *n, GWALK_FETCH | c->user, &f);
	if (err) {
		size_t to_end = 4096 - (rip_linear & 4095);
		if (to_end < INSN_MAX_LEN) {
			*n = to_end;
			err = gwalk_read(&c->cpu, &c->mem, rip_linear, bytes, *n,
					 GWALK_FETCH | c->user, &f);
		}
	}
	if (walk_failed(c, err, &f))
		return -EFAULT;
	return 0;
}

/* One access to a GPA: a registered device, RAM (string operands), or nothing. */
static void access_gpa(struct vcpu *v, u64 gpa, u8 size, bool is_write, u64 *value)
{
	struct vm *vm = v->vm;
	const struct io_region *r = io_lookup(&vm->mmio, gpa);
	void *ram = ram_at(vm, gpa, size);

	if (ram) {
		if (is_write)
			memcpy(ram, value, size);
		else
			memcpy(value, ram, size);
		return;
	}
	if (r && gpa - r->base + size <= r->len) {
		struct io_access a = { .off = gpa - r->base, .size = size, .is_write = is_write,
				       .value = is_write ? *value : 0 };
		switch (r->fn(v, &a, r->ctx)) {
		case IO_DONE:
			if (!is_write)
				*value = a.value;
			return;
		case IO_GUEST_FAULT:
			vm_end(vm, VM_CRASHED, 0, "illegal device access");
			return;
		case IO_UNCLAIMED:
			break;
		}
	}
	if (!is_write)
		*value = ~0ULL;
}

/* The GPA of a string operand at seg_base + offset. */
static int string_gpa(struct mmio_ctx *c, u64 linear, bool write, u64 *gpa)
{
	struct gwalk_fault f;
	int err = gwalk_translate(&c->cpu, &c->mem, linear,
				  (write ? GWALK_WRITE : 0) | c->user, gpa, &f);
	return walk_failed(c, err, &f) ? -EFAULT : 0;
}

static u64 seg_base(struct vcpu *v, enum insn_seg seg)
{
	static const enum guest_reg reg[] = { GREG_ES_BASE, GREG_CS_BASE, GREG_SS_BASE,
					      GREG_DS_BASE, GREG_FS_BASE, GREG_GS_BASE };
	return vmm_backend()->reg_read(v, reg[seg]);
}

/* Returns true when RIP must move on (false: a REP string is not finished). */
static bool run_string(struct mmio_ctx *c, const struct insn *in)
{
	struct vcpu *v = c->v;
	u64 count = insn_str_count(in, v->gpr), val = 0, src_gpa, dst_gpa;
	bool df = c->rflags & RFLAGS_DF;
	u64 mask = insn_addr_mask(in);

	if (count == 0)
		return true;
	if (string_gpa(c, seg_base(v, INSN_SEG_ES) + (v->gpr[GPR_RDI] & mask), true, &dst_gpa))
		return false;
	if (in->kind == INSN_MOVS) {
		if (string_gpa(c, seg_base(v, in->seg) + (v->gpr[GPR_RSI] & mask), false, &src_gpa))
			return false;
		access_gpa(v, src_gpa, in->size, false, &val);
	} else {
		val = insn_store_data(in, v->gpr);
	}
	access_gpa(v, dst_gpa, in->size, true, &val);
	insn_str_advance(in, v->gpr, df, 1);
	return !in->rep || insn_str_count(in, v->gpr) == 0;
}

static void log_undecodable(struct vcpu *v, const u8 *b, size_t n, u64 rip)
{
	char why[128];
	size_t off = (size_t)ksnprintf(why, sizeof(why), "undecodable MMIO access at rip 0x%lx:",
				       (unsigned long)rip);
	for (size_t i = 0; i < n && off + 4 < sizeof(why); i++)
		off += (size_t)ksnprintf(why + off, sizeof(why) - off, " %02x", b[i]);
	vm_end(v->vm, VM_CRASHED, 0, why);
}

void mmio_emulate(struct vcpu *v, const struct vm_exit *e)
{
	const struct vmm_backend *be = vmm_backend();
	struct mmio_ctx c;
	struct insn in;
	u8 bytes[INSN_MAX_LEN];
	size_t n;
	u64 rip = be->reg_read(v, GREG_RIP), cs = be->reg_read(v, GREG_CS_ATTR), val = 0;
	bool advance = true;

	__atomic_add_fetch(&v->vm->mmio_exits, 1, __ATOMIC_RELAXED);
	ctx_init(&c, v);
	if (fetch_insn(&c, be->reg_read(v, GREG_CS_BASE) + rip, bytes, &n))
		return;
	enum cpu_mode mode = cpu_mode_of(c.cpu.cr0 & CR0_PE, c.rflags & RFLAGS_VM,
					 c.cpu.efer & BIT(10), cs & SEG_ATTR_L, cs & SEG_ATTR_DB);
	if (decode_insn(bytes, n, mode, &in)) {
		log_undecodable(v, bytes, n, rip);
		return;
	}
	v->gpr[GPR_RSP] = be->reg_read(v, GREG_RSP);
	switch (in.kind) {
	case INSN_LOAD:
	case INSN_MOVZX:
	case INSN_MOVSX:
		access_gpa(v, e->mmio.gpa, in.size, false, &val);
		insn_reg_write(&in, v->gpr, val);
		break;
	case INSN_STORE:
	case INSN_STORE_IMM:
		val = insn_store_data(&in, v->gpr);
		access_gpa(v, e->mmio.gpa, in.size, true, &val);
		break;
	case INSN_STOS:
	case INSN_MOVS:
		advance = run_string(&c, &in);
		break;
	case INSN_NONE:
		break;
	}
	be->reg_write(v, GREG_RSP, v->gpr[GPR_RSP]);
	if (advance && READ_ONCE(v->vm->state) == VM_RUNNING && !be->event_pending(v))
		vcpu_skip(v, in.len);
}
