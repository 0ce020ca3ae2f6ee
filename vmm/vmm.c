// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backend selection, VM start-up, and the `guests` / `stats` commands.
 * Singleton: the chosen backend, owned here; set once on the boot CPU.
 */
#include "kernel/log.h"
#include "kernel/pcpu.h"
#include "kernel/service.h"
#include "kernel/smp.h"
#include "vmm/backend.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#define LOG_TAG "vmm"

static const struct vmm_backend *backend;

const struct vmm_backend *vmm_backend(void)
{
	return backend;
}

void vmm_build_vms(const struct boot_info *bi, const struct lb_config *cfg);

void vmm_init(const struct boot_info *bi, const struct lb_config *cfg)
{
	if (vmx_supported())
		backend = &vmx_backend;
	else if (svm_supported())
		backend = &svm_backend;
	if (!backend) {
		if (cfg->nguests)
			log_err("this CPU has neither VT-x nor AMD-V: no guest can run");
		return;
	}
	log_info("virtualization: %s", backend->name == vmx_backend.name
						? "Intel VT-x with EPT"
						: "AMD-V with nested paging");
	if (cfg->nguests)
		vmm_build_vms(bi, cfg);
}

bool vmm_start(void)
{
	bool here = false;

	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);
		if (vm->state != VM_CREATED)
			continue;
		vm->state = VM_RUNNING;
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			struct vcpu *v = vm->vcpu[c];
			if (v->pcpu == this_cpu()->id) {
				here = true;
				continue;
			}
			if (smp_call(v->pcpu, vcpu_start_on_this_cpu, v))
				log_err("guest %s: cpu%u would not take vcpu%u", vm->name, v->pcpu, c);
		}
	}
	return here;
}

__noreturn void vmm_run_this_cpu(void)
{
	vcpu_boot(vcpu_of_pcpu(this_cpu()->id));
}

void vmm_shell_guests(void)
{
	if (!vm_count()) {
		console_printf("no guests\n");
		return;
	}
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);
		enum vm_state st = READ_ONCE(vm->state);
		console_printf("%-12s %-8s", vm->name, vm_state_name(st));
		if (st == VM_EXITED)
			console_printf(" %d", vm->exit_code);
		console_printf("  cpus");
		for (unsigned c = 0; c < vm->nvcpus; c++)
			console_printf(" %u", vm->vcpu[c] ? vm->vcpu[c]->pcpu : 0);
		console_printf("  %lu MiB\n", (unsigned long)(vm->ram_size >> 20));
	}
}

void vmm_shell_stats(void)
{
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);
		for (unsigned c = 0; c < vm->nvcpus && vm->vcpu[c]; c++) {
			struct vcpu *v = vm->vcpu[c];
			console_printf("%s vcpu%u: %lu exits\n", vm->name, c,
				       (unsigned long)READ_ONCE(v->exits_total));
			for (unsigned k = 0; k <= VMEXIT_UNKNOWN; k++) {
				u64 n = READ_ONCE(v->exits[k]);
				if (n)
					console_printf("  %-18s %lu\n",
						       vm_exit_kind_name((enum vm_exit_kind)k),
						       (unsigned long)n);
			}
		}
	}
}
