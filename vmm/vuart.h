/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A virtual 16550 at COM1 (0x3f8, IRQ 4) for each guest. Output goes to
 * the hypervisor console as "[NAME] " + a whole line, flushed at each
 * newline or after VUART_IDLE_FLUSH_NS without output (so prompts show).
 * Input comes from the `console NAME` shell command.
 */
#ifndef LONGBUS_VMM_VUART_H
#define LONGBUS_VMM_VUART_H

#include "kernel/compiler.h"
#include "kernel/spinlock.h"

#define VUART_BASE 0x3f8
#define VUART_IRQ 4
#define VUART_LINE_MAX 160
#define VUART_RX_RING 256
#define VUART_IDLE_FLUSH_NS (50ULL * 1000 * 1000)

struct vm;

struct vuart {
	struct vm *vm;
	struct spinlock lock; /* protects: the registers and the output line (any vCPU of the VM) */
	/* Registers (vCPU side only). */
	u8 ier, lcr, mcr, scr, dll, dlm;
	bool thr_irq_pending; /* THRE interrupt not yet read from IIR */
	/* Output line being collected; vCPU side only. */
	char line[VUART_LINE_MAX];
	unsigned len;
	u64 last_tx_ns;
	/* Input: single producer (service CPU), single consumer (the guest's vCPU). */
	u32 rx_head, rx_tail;
	u8 rx[VUART_RX_RING];
	/* Raise or lower the IRQ line (set by the VM's interrupt model; may be NULL). */
	void (*set_irq)(struct vm *vm, unsigned irq, bool level);
};

/* Registers the ports. Boot CPU, before the VM runs. */
int vuart_init(struct vuart *u, struct vm *vm) __must_check;
/* vCPU side: flush a partial line that has been idle long enough; returns the next deadline (ns) or 0. */
u64 vuart_poll(struct vuart *u, u64 now_ns);
/* Service side: queue input bytes; returns how many fit. Then kick a vCPU. */
size_t vuart_input(struct vuart *u, const char *buf, size_t n);
/* vCPU side, after a kick: raise the receive interrupt if input waits. */
void vuart_rx_kick(struct vuart *u);

#endif
