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
#include "vmm/vioapic.h"
#include "vmm/vm.h"
#include "vmm/vuart.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"

#define LOG_TAG "vplatform"

/* Per-VM interrupt routing state. */
struct vplatform {
	struct spinlock lock; /* protects: ioapic (any vCPU of the VM, and device models) */
	struct vioapic ioapic;
};

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

/*
 * IOAPIC messages go to the VM's own vCPUs only. Matching a logical
 * destination reads the targets' LDR/DFR without their owners: those
 * change only when a guest reprograms its APICs, and a stale match routes
 * one interrupt the way the previous setting would have.
 */
static void ioapic_deliver(void *ctx, const struct vioapic_msg *msg)
{
	struct vm *vm = ctx;

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpu[i];
		if (!vlapic_matches_dest(t->lapic, msg->dest, msg->logical))
			continue;
		switch (msg->delivery_mode) {
		case VIOAPIC_DM_FIXED:
		case VIOAPIC_DM_LOWEST:
			vcpu_post_interrupt(t, msg->vector, msg->level);
			if (msg->delivery_mode == VIOAPIC_DM_LOWEST)
				return;
			break;
		case VIOAPIC_DM_NMI:
			vcpu_post_nmi(t);
			break;
		default:
			log_dbg("guest %s: IOAPIC pin %u delivery mode %u not routed", vm->name,
				msg->pin, msg->delivery_mode);
			break;
		}
	}
}

static enum io_result ioapic_mmio(struct vcpu *v, struct io_access *a, void *ctx)
{
	struct vplatform *p = ctx;
	int err;

	(void)v;
	u64 flags = spin_lock_irqsave(&p->lock);
	if (a->is_write)
		err = vioapic_mmio_write(&p->ioapic, (u32)a->off, a->size, a->value);
	else
		err = vioapic_mmio_read(&p->ioapic, (u32)a->off, a->size, &a->value);
	spin_unlock_irqrestore(&p->lock, flags);
	/* Odd sizes are not decoded by a real IOAPIC either: all-ones, dropped. */
	return err ? IO_UNCLAIMED : IO_DONE;
}

void vplatform_set_irq(struct vm *vm, unsigned pin, bool level)
{
	struct vplatform *p = vm->plat;
	u64 flags = spin_lock_irqsave(&p->lock);
	int err = vioapic_set_irq(&p->ioapic, pin, level);
	spin_unlock_irqrestore(&p->lock, flags);
	if (err)
		log_dbg("guest %s: IOAPIC pin %u out of range", vm->name, pin);
}

int vplatform_init(struct vm *vm)
{
	struct vplatform *p;
	paddr_t pa;
	int err = 0;

	if (vm->ram_size > GPA_RAM_LIMIT) {
		log_err("guest %s: memory above 0x%lx is not supported yet", vm->name,
			(unsigned long)GPA_RAM_LIMIT);
		return -EINVAL;
	}
	BUILD_ASSERT(sizeof(struct vplatform) <= PAGE_SIZE, "vplatform fits a page");
	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	p = phys_to_virt(pa);
	vioapic_reset(&p->ioapic, 0, ioapic_deliver, vm);
	vm->plat = p;
	vm->uart->set_irq = vplatform_set_irq;
	err = mmio_register(vm, GPA_IOAPIC, GPA_IOAPIC_SIZE, ioapic_mmio, p);
	if (!err && vm->debug_exit_port >= 0)
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
	struct vplatform *p = vm->plat;
	u64 flags = spin_lock_irqsave(&p->lock);
	vioapic_eoi(&p->ioapic, vector);
	spin_unlock_irqrestore(&p->lock, flags);
}
