/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test-and-set spinlock that disables interrupts while held. Used only
 * for short critical sections off the exit paths; every user comments what
 * it protects. Never held across a hook call.
 */
#ifndef LONGBUS_SPINLOCK_H
#define LONGBUS_SPINLOCK_H

#include "kernel/x86/cpu.h"

struct spinlock {
	u32 locked;
};

static inline u64 spin_lock_irqsave(struct spinlock *l)
{
	u64 flags = irq_save();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
	}
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, u64 flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_restore(flags);
}

#endif
