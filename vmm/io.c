// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIO and MMIO hook tables (vmm/io.h).
 * Context: registration on the boot CPU before the VM's first entry;
 * lookups on the VM's own vCPUs, lock-free, because the tables no longer
 * change once the VM runs.
 */
#include "kernel/errno.h"
#include "kernel/log.h"
#include "vmm/backend.h"
#include "vmm/io.h"
#include "vmm/exit_handlers.h"
#include "vmm/vm.h"

#define LOG_TAG "io"

int io_table_insert(struct io_table *t, u64 base, u64 len, io_fn fn, void *ctx)
{
	unsigned pos = 0;

	if (len == 0 || base + len < base || !fn)
		return -EINVAL;
	if (t->n == IO_TABLE_MAX)
		return -ENOSPC;
	while (pos < t->n && t->r[pos].base < base)
		pos++;
	/* Neighbours on either side must end before / start after us. */
	if (pos > 0 && t->r[pos - 1].base + t->r[pos - 1].len > base)
		return -EEXIST;
	if (pos < t->n && base + len > t->r[pos].base)
		return -EEXIST;
	for (unsigned i = t->n; i > pos; i--)
		t->r[i] = t->r[i - 1];
	t->r[pos] = (struct io_region){ .base = base, .len = len, .fn = fn, .ctx = ctx };
	t->n++;
	return 0;
}

const struct io_region *io_lookup(const struct io_table *t, u64 addr)
{
	unsigned lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct io_region *r = &t->r[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

int pio_register(struct vm *vm, u16 port, u16 len, io_fn fn, void *ctx)
{
	int err;

	if ((u32)port + len > 0x10000)
		return -EINVAL;
	err = io_table_insert(&vm->pio, port, len, fn, ctx);
	if (err)
		return err;
	/* Every port traps already (the default policy); keep table and bitmap in step anyway. */
	for (u32 p = port; p < (u32)port + len; p++)
		vmm_backend()->io_intercept(vm, (u16)p, true);
	return 0;
}

int mmio_register(struct vm *vm, u64 gpa, u64 len, io_fn fn, void *ctx)
{
	/* Guest RAM is mapped: a hook there would never fire. */
	if (gpa < vm->ram_size)
		return -EINVAL;
	return io_table_insert(&vm->mmio, gpa, len, fn, ctx);
}

/*
 * The default policy for a port nobody claimed: reads return all-ones,
 * writes are dropped, and the first access to each port is logged once per
 * guest so a missing device is visible without flooding the log.
 */
static void pio_unclaimed(struct vcpu *v, u16 port, u8 size, bool is_write, u64 *value)
{
	struct vm *vm = v->vm;
	u64 bit = BIT(port % 64);

	if (!(__atomic_fetch_or(&vm->pio_warned[port / 64], bit, __ATOMIC_RELAXED) & bit))
		log_info("guest %s: unclaimed port 0x%x %s (%u bytes): %s", vm->name, port,
			 is_write ? "write" : "read", size,
			 is_write ? "dropped" : "reads all-ones");
	if (!is_write)
		*value = ~0ULL;
}

void pio_access(struct vcpu *v, u16 port, u8 size, bool is_write, u64 *value)
{
	const struct io_region *r = io_lookup(&v->vm->pio, port);
	struct io_access a = { .size = size, .is_write = is_write,
			       .value = is_write ? *value : 0 };

	__atomic_add_fetch(&v->vm->pio_exits, 1, __ATOMIC_RELAXED);
	if (r) {
		a.off = port - r->base;
		switch (r->fn(v, &a, r->ctx)) {
		case IO_DONE:
			if (!is_write)
				*value = a.value;
			return;
		case IO_GUEST_FAULT:
			vm_end(v->vm, VM_CRASHED, 0, "illegal device access");
			return;
		case IO_UNCLAIMED:
			break;
		}
	}
	pio_unclaimed(v, port, size, is_write, value);
}
