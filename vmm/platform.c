// SPDX-License-Identifier: GPL-2.0-only
/*
 * The devices of the guest platform that are not models of their own:
 * the debug-exit port, the LAPIC page hook, and the ports a guest must
 * never reach on the real machine (reset control, ACPI power management):
 * they are claimed here so their writes are refused explicitly.
 * Context: registration on the boot CPU; handlers on the exit path.
 */
#include "kernel/errno.h"
#include "kernel/log.h"
#include "vmm/backend.h"
#include "vmm/platform.h"
#include "vmm/testdev.h"
#include "vmm/vcpu.h"
#include "vmm/vlapic.h"
#include "vmm/vm.h"

#define LOG_TAG "vplatform"

/*
 * isa-debug-exit compatible: a write of v stops the guest with code v
 * (QEMU would exit with (v << 1) | 1; longbus reports v itself).
 */
static enum io_result debug_exit(struct vcpu *v, struct io_access *a, void *ctx)
{
	(void)ctx;
	if (!a->is_write) {
		a->value = ~0ULL;
		return IO_DONE;
	}
	vm_end(v->vm, VM_EXITED, (int)(u32)a->value, "debug exit");
	return IO_DONE;
}

/*
 * 0xcf9 (reset control) and the PIIX4/ICH9 PM blocks: on the physical
 * machine a write here resets or powers off everything. The guest gets
 * what an absent device gives (all-ones, dropped writes) and a log line.
 */
static enum io_result refused(struct vcpu *v, struct io_access *a, void *ctx)
{
	const char *what = ctx;

	if (a->is_write)
		log_warn("guest %s: refused %s write 0x%lx", v->vm->name, what,
			 (unsigned long)a->value);
	a->value = ~0ULL;
	return IO_DONE;
}

/* The xAPIC page: each vCPU reaches its own vLAPIC at the same GPA. */
static enum io_result lapic_mmio(struct vcpu *v, struct io_access *a, void *ctx)
{
	struct vlapic_fx fx = { 0 };
	int err;

	(void)ctx;
	if (a->is_write) {
		err = vlapic_mmio_write(v->lapic, (u32)a->off, a->size, a->value, vcpu_now(), &fx);
		if (!err)
			vcpu_lapic_effects(v, &fx);
	} else {
		err = vlapic_mmio_read(v->lapic, (u32)a->off, a->size, vcpu_now(), &a->value);
	}
	return err ? IO_GUEST_FAULT : IO_DONE;
}

int vplatform_init(struct vm *vm)
{
	int err = 0;

	if (vm->ram_size > GPA_RAM_LIMIT) {
		log_err("guest %s: memory above 0x%lx is not supported yet", vm->name,
			(unsigned long)GPA_RAM_LIMIT);
		return -EINVAL;
	}
	if (vm->debug_exit_port >= 0)
		err = pio_register(vm, (u16)vm->debug_exit_port, 4, debug_exit, NULL);
	if (!err)
		err = pio_register(vm, 0xcf9, 1, refused, "reset control (0xcf9)");
	if (!err)
		err = pio_register(vm, 0x600, 0x80, refused, "ICH9 power management");
	if (!err)
		err = pio_register(vm, 0xb000, 0x40, refused, "PIIX4 power management");
	if (!err)
		err = mmio_register(vm, GPA_LAPIC, GPA_LAPIC_SIZE, lapic_mmio, NULL);
	if (!err && vm->cfg->testdev)
		err = testdev_init(vm);
	if (err)
		log_err("guest %s: platform devices: error %d", vm->name, err);
	return err;
}

void vplatform_eoi(struct vm *vm, u8 vector)
{
	/* The vIOAPIC arrives with the device-interrupt work; nothing is level-triggered yet. */
	(void)vm;
	(void)vector;
}
