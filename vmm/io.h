/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device trapping, one shape for all doors (STYLE item 4): port I/O
 * (pio_register) and MMIO (mmio_register) hand their handlers the same
 * decoded record, with `off` relative to the registered region.
 *
 * Tables are filled before the VM's first entry and change only while the
 * VM is paused, so the exit path looks them up without a lock.
 */
#ifndef LONGBUS_VMM_IO_H
#define LONGBUS_VMM_IO_H

#include "kernel/compiler.h"

#define IO_TABLE_MAX 32

struct vcpu;

struct io_access {
	u64 off;     /* offset into the registered region */
	u8 size;     /* 1, 2, 4 or 8 bytes */
	bool is_write;
	u64 value;   /* written value, or where a read's result goes */
};

enum io_result {
	IO_DONE = 0,	    /* handled; for reads, value holds the result */
	IO_UNCLAIMED,	    /* not ours after all: default policy applies */
	IO_GUEST_FAULT,	    /* the guest did something illegal: it is stopped */
};

typedef enum io_result (*io_fn)(struct vcpu *v, struct io_access *a, void *ctx);

struct io_region {
	u64 base;
	u64 len;
	io_fn fn;
	void *ctx;
};

/* Sorted by base, non-overlapping. */
struct io_table {
	unsigned n;
	struct io_region r[IO_TABLE_MAX];
};

struct vm;

/*
 * Registers a handler for [port, port+len). Returns 0, -EEXIST on overlap,
 * -ENOSPC when full, -EINVAL for an empty or wrapping range. Programs the
 * VM's I/O bitmap itself.
 */
int pio_register(struct vm *vm, u16 port, u16 len, io_fn fn, void *ctx) __must_check;
/* The same for guest-physical MMIO; the range must be unmapped in stage 2. */
int mmio_register(struct vm *vm, u64 gpa, u64 len, io_fn fn, void *ctx) __must_check;

/* Exit path: find the region holding addr, or NULL. Lock-free (tables are frozen). */
const struct io_region *io_lookup(const struct io_table *t, u64 addr);
int io_table_insert(struct io_table *t, u64 base, u64 len, io_fn fn, void *ctx) __must_check;

#endif
