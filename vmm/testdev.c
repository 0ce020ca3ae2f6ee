// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test device (guest-api/testdev.h): an echo RAM behind MMIO and an
 * echo port, so test guests can check every instruction form the decoder
 * accepts against a device that answers predictably.
 * Context: exit path of the VM's vCPUs. State is per VM; accesses from two
 * vCPUs of one VM may race, which only matters to a test that does so.
 */
#include "guest-api/testdev.h"
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/mm.h"
#include "vmm/io.h"
#include "vmm/platform.h"
#include "vmm/testdev.h"

struct testdev {
	u8 echo[TESTDEV_ECHO_SIZE];
	u64 mmio_count;
	u32 pio_echo;
	u32 pio_count;
};

static enum io_result testdev_mmio(struct vcpu *v, struct io_access *a, void *ctx)
{
	struct testdev *t = ctx;

	(void)v;
	t->mmio_count++;
	if (a->off + a->size <= TESTDEV_ECHO_SIZE) {
		if (a->is_write) {
			memcpy(&t->echo[a->off], &a->value, a->size);
		} else {
			a->value = 0;
			memcpy(&a->value, &t->echo[a->off], a->size);
		}
		return IO_DONE;
	}
	if (!a->is_write && a->off == TESTDEV_MAGIC_OFF && a->size == 4) {
		a->value = TESTDEV_MAGIC;
		return IO_DONE;
	}
	if (!a->is_write && a->off == TESTDEV_COUNT_OFF && a->size == 8) {
		a->value = t->mmio_count;
		return IO_DONE;
	}
	return IO_UNCLAIMED;
}

static enum io_result testdev_pio(struct vcpu *v, struct io_access *a, void *ctx)
{
	struct testdev *t = ctx;
	u64 mask = a->size == 4 ? 0xffffffffULL : (1ULL << (8 * a->size)) - 1;

	(void)v;
	t->pio_count++;
	if (a->off == TESTDEV_PIO_ECHO) {
		if (a->is_write)
			t->pio_echo = (u32)(a->value & mask);
		else
			a->value = t->pio_echo & mask;
		return IO_DONE;
	}
	if (a->off == TESTDEV_PIO_COUNT && !a->is_write && a->size == 4) {
		a->value = t->pio_count;
		return IO_DONE;
	}
	return IO_UNCLAIMED;
}

int testdev_init(struct vm *vm)
{
	struct testdev *t;
	paddr_t pa;
	int err;

	BUILD_ASSERT(sizeof(struct testdev) <= PAGE_SIZE, "testdev state fits a page");
	if (page_alloc(1, 1, &pa))
		return -ENOMEM;
	t = phys_to_virt(pa);
	err = mmio_register(vm, GPA_TESTDEV, GPA_TESTDEV_SIZE, testdev_mmio, t);
	if (!err)
		err = pio_register(vm, TESTDEV_PIO_BASE, 8, testdev_pio, t);
	return err;
}
