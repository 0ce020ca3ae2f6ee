// SPDX-License-Identifier: GPL-2.0-only
/*
 * Partitions: building each VM from its [guest] section, the guest-physical
 * map (docs/guest-platform.md), the boot audit of stage-2 mappings, ending
 * a VM, and vm_unmap().
 * Singleton: the VM table, owned here; built on the boot CPU before any
 * vCPU runs, after which only vm->state (atomic) and the vCPUs' own fields
 * change.
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pcpu.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/x86/cpu.h"
#include "vmm/backend.h"
#include "vmm/multiboot.h"
#include "vmm/platform.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"
#include "vmm/vuart.h"

#define LOG_TAG "vm"
#define UNMAP_TIMEOUT_MS 1000

static struct vm *vms[VM_MAX];
static unsigned nvms;
/* vCPU of each physical CPU, or NULL. Written at build time, then read-only. */
static struct vcpu *cpu_vcpu[MAX_CPUS];

unsigned vm_count(void)
{
	return nvms;
}

struct vm *vm_get(unsigned i)
{
	return i < nvms ? vms[i] : NULL;
}

struct vcpu *vcpu_of_pcpu(unsigned cpu)
{
	return cpu < MAX_CPUS ? cpu_vcpu[cpu] : NULL;
}

const char *vm_state_name(enum vm_state s)
{
	static const char *const names[] = { "created", "running", "halted",
					     "crashed", "exited",  "failed" };
	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len)
{
	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return phys_to_virt(vm->ram_hpa + gpa);
}

void *vm_mapped_ram(struct vm *vm, u64 gpa, u64 len)
{
	paddr_t hpa;
	u32 perms;
	unsigned level;

	if (len == 0 || !vm_gpa_to_hva(vm, gpa, len))
		return NULL;
	if (stage2_lookup(&vm->s2, gpa, &hpa, &perms, &level) ||
	    stage2_lookup(&vm->s2, gpa + len - 1, &hpa, &perms, &level))
		return NULL;
	return vm_gpa_to_hva(vm, gpa, len);
}

void vcpu_request(struct vcpu *v, u32 req)
{
	__atomic_or_fetch(&v->shared.requests, req, __ATOMIC_RELEASE);
	if (v->pcpu != this_cpu()->id)
		lapic_send_ipi(pcpu_of(v->pcpu)->apic_id, VEC_IPI_WAKE);
}

void vm_end(struct vm *vm, enum vm_state state, int code, const char *why)
{
	enum vm_state running = VM_RUNNING;

	if (!__atomic_compare_exchange_n(&vm->state, &running, state, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return; /* already ended: the first reason is the one logged */
	vm->exit_code = code;
	if (vm->uart)
		vuart_poll(vm->uart, ~0ULL); /* the last partial line is worth seeing */
	if (state == VM_EXITED)
		log_info("guest %s exited code %d", vm->name, code);
	else
		log_warn("guest %s %s: %s", vm->name, vm_state_name(state), why);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_request(vm->vcpu[i], VCPU_REQ_STOP);
}

/* --- stage 2 memory: page-table pages come from the hypervisor pool ------------- */

static u64 pt_read(void *ctx, paddr_t table, unsigned idx)
{
	(void)ctx;
	return __atomic_load_n((u64 *)phys_to_virt(table) + idx, __ATOMIC_RELAXED);
}

static void pt_write(void *ctx, paddr_t table, unsigned idx, u64 val)
{
	(void)ctx;
	/* One store per entry: a walker on another CPU sees old or new, never half. */
	__atomic_store_n((u64 *)phys_to_virt(table) + idx, val, __ATOMIC_RELEASE);
}

static int pt_alloc(void *ctx, paddr_t *table)
{
	(void)ctx;
	return page_alloc(1, 1, table);
}

static void pt_free(void *ctx, paddr_t table)
{
	(void)ctx;
	page_free(table, 1);
}

static const struct pt_mem stage2_mem = {
	.read = pt_read, .write = pt_write, .alloc = pt_alloc, .free = pt_free, .ctx = NULL,
};

int vm_unmap(struct vm *vm, u64 gpa, u64 size)
{
	bool flush = false;
	int err = stage2_unmap(&vm->s2, gpa, size, &flush);
	u32 gen;

	if (err || !flush)
		return err;
	gen = __atomic_add_fetch(&vm->stage2_gen, 1, __ATOMIC_ACQ_REL);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_request(vm->vcpu[i], VCPU_REQ_FLUSH_TLB);
	/* Each vCPU acknowledges at its next exit; one that stopped runs nothing. */
	u64 end = time_ns() + UNMAP_TIMEOUT_MS * NSEC_PER_MSEC;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpu[i];
		while ((s32)(__atomic_load_n(&v->shared.flush_gen, __ATOMIC_ACQUIRE) - gen) < 0 &&
		       __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) != VCPU_STOPPED) {
			if (time_ns() > end) {
				log_err("vm_unmap: %s vcpu%u did not flush within %u ms", vm->name,
					v->id, UNMAP_TIMEOUT_MS);
				return -ETIMEDOUT;
			}
			cpu_relax();
		}
	}
	return 0;
}

/* --- building a VM --------------------------------------------------------------- */

static const struct bi_file *find_file(const struct boot_info *bi, const char *name)
{
	for (u32 i = 0; i < bi->nfiles; i++) {
		if (strcmp(bi->files[i].name, name) == 0)
			return &bi->files[i];
	}
	return NULL;
}

static struct vm *vm_alloc(void)
{
	size_t pages = ALIGN_UP(sizeof(struct vm) + sizeof(struct vuart), PAGE_SIZE) / PAGE_SIZE;
	paddr_t pa;

	if (page_alloc(pages, 1, &pa))
		return NULL;
	struct vm *vm = phys_to_virt(pa);
	vm->uart = (struct vuart *)(vm + 1);
	return vm;
}

static int map_ram(struct vm *vm)
{
	bool flush = false; /* nothing runs on these tables yet */
	int err;

	err = stage2_init(&vm->s2, &stage2_mem, vmm_backend()->stage2);
	if (err)
		return err;
	/* RAM from GPA 0, minus the legacy hole, which stays unmapped and so traps. */
	err = stage2_map(&vm->s2, 0, vm->ram_hpa, GPA_LEGACY_HOLE, STAGE2_RWX, STAGE2_MT_WB,
			 STAGE2_PAGES_ALL, &flush);
	if (err)
		return err;
	return stage2_map(&vm->s2, GPA_HIGH_RAM, vm->ram_hpa + GPA_HIGH_RAM,
			  vm->ram_size - GPA_HIGH_RAM, STAGE2_RWX, STAGE2_MT_WB,
			  STAGE2_PAGES_ALL, &flush);
}

static int load_image(struct vm *vm, const struct boot_info *bi, struct multiboot_boot *mb)
{
	const struct bi_file *f = find_file(bi, vm->cfg->image);
	const struct multiboot_range reserved[] = {
		{ GPA_IOAPIC, GPA_IOAPIC_SIZE },
		{ GPA_LAPIC, GPA_LAPIC_SIZE },
	};
	struct multiboot_target t = {
		.ram = phys_to_virt(vm->ram_hpa),
		.ram_size = vm->ram_size,
		.reserved = reserved,
		.nr_reserved = ARRAY_SIZE(reserved),
		.cmdline = vm->cfg->cmdline,
	};
	char why[MB_WHY_SIZE];

	if (!f) {
		log_err("guest %s: image '%s' was not loaded", vm->name, vm->cfg->image);
		return -ENOENT;
	}
	/* Whatever the previous owner of this RAM left is not the guest's business. */
	memset(phys_to_virt(vm->ram_hpa), 0, vm->ram_size);
	if (multiboot_load(&t, phys_to_virt(f->phys), f->size, mb, why, sizeof(why))) {
		log_err("guest %s: image %s: %s", vm->name, vm->cfg->image, why);
		return -EINVAL;
	}
	log_info("guest %s: %s loaded at 0x%lx-0x%lx, entry 0x%x", vm->name, vm->cfg->image,
		 (unsigned long)mb->load_base, (unsigned long)mb->load_end, mb->entry);
	return 0;
}

static int build_vcpus(struct vm *vm, const struct multiboot_boot *mb)
{
	unsigned cpu = 0;

	for (unsigned i = 0; i < vm->nvcpus; i++, cpu++) {
		paddr_t pa;
		while (!cpuset_has(&vm->cfg->cpus, cpu))
			cpu++;
		if (page_alloc(1, 1, &pa))
			return -ENOMEM;
		struct vcpu *v = phys_to_virt(pa);
		v->vm = vm;
		v->id = i;
		v->pcpu = cpu;
		v->state = i == 0 ? VCPU_RUNNING : VCPU_WAIT_SIPI;
		/* The Multiboot hand-over: EAX = magic, EBX = info, 32-bit flat, no paging. */
		v->gpr[GPR_RAX] = MULTIBOOT_BOOTLOADER_MAGIC;
		v->gpr[GPR_RBX] = mb->mbi_gpa;
		v->boot_rip = mb->entry;
		vm->vcpu[i] = v;
		cpu_vcpu[cpu] = v;
	}
	return 0;
}

struct audit {
	const struct vm *vm;
	unsigned leaves, outside;
};

static int audit_leaf(void *ctx, const struct stage2_leaf *l)
{
	struct audit *a = ctx;
	const struct vm *vm = a->vm;

	a->leaves++;
	if (l->hpa < vm->ram_hpa || l->hpa + l->size > vm->ram_hpa + vm->ram_size) {
		if (!a->outside++)
			log_err("audit: guest %s maps GPA 0x%lx to 0x%lx, outside its RAM", vm->name,
				(unsigned long)l->gpa, (unsigned long)l->hpa);
	}
	return 0;
}

/*
 * Isolation audit: every stage-2 mapping must point into the VM's own RAM
 * block, which the loader allocated as LB_MEMTYPE_GUEST for it alone.
 */
static int vm_audit(struct vm *vm)
{
	struct audit a = { .vm = vm };

	if (stage2_walk(&vm->s2, audit_leaf, &a) || a.outside)
		return -EFAULT;
	log_info("audit: guest %s: %u mappings, all inside its own RAM", vm->name, a.leaves);
	return 0;
}

static int vm_build(struct vm *vm, const struct boot_info *bi)
{
	struct multiboot_boot mb;
	int err;

	err = vmm_backend()->vm_init(vm);
	if (!err)
		err = map_ram(vm);
	if (!err)
		err = vm_audit(vm);
	if (!err)
		err = load_image(vm, bi, &mb);
	if (!err)
		err = vuart_init(vm->uart, vm);
	if (!err)
		err = vplatform_init(vm);
	if (!err)
		err = build_vcpus(vm, &mb);
	return err;
}

static bool check_cpus(const struct cfg_guest *g)
{
	int last = cpuset_last(&g->cpus);

	if (last >= (int)pcpu_count()) {
		log_err("guest %s: cpu %d does not exist", g->name, last);
		return false;
	}
	for (int c = 0; c <= last; c++) {
		if (cpuset_has(&g->cpus, (unsigned)c) &&
		    READ_ONCE(pcpu_of((unsigned)c)->shared.state) != CPU_ONLINE) {
			log_err("guest %s: cpu%d is not online", g->name, c);
			return false;
		}
	}
	return true;
}

void vmm_build_vms(const struct boot_info *bi, const struct lb_config *cfg)
{
	for (unsigned i = 0; i < cfg->nguests && i < VM_MAX; i++) {
		const struct cfg_guest *g = &cfg->guests[i];
		struct vm *vm = vm_alloc();

		if (!vm) {
			log_err("guest %s: out of hypervisor memory", g->name);
			continue;
		}
		ksnprintf(vm->name, sizeof(vm->name), "%s", g->name);
		vm->id = nvms;
		vm->cfg = g;
		vm->ram_hpa = bi->guest_ram[i].phys;
		vm->ram_size = bi->guest_ram[i].size;
		vm->nvcpus = cpuset_count(&g->cpus);
		vm->debug_exit_port = g->debug_exit_line ? (int)g->debug_exit : -1;
		vms[nvms++] = vm;
		if (vm->nvcpus > VM_MAX_VCPUS || !check_cpus(g) || vm_build(vm, bi)) {
			vm->state = VM_FAILED;
			for (unsigned c = 0; c < MAX_CPUS; c++) {
				if (cpu_vcpu[c] && cpu_vcpu[c]->vm == vm)
					cpu_vcpu[c] = NULL;
			}
			log_err("guest %s: not started", vm->name);
			continue;
		}
		log_info("guest %s: %u vCPU%s on cpus %u.., %lu MiB at 0x%lx", vm->name,
			 vm->nvcpus, vm->nvcpus == 1 ? "" : "s", vm->vcpu[0]->pcpu,
			 (unsigned long)(vm->ram_size >> 20), (unsigned long)vm->ram_hpa);
	}
}
