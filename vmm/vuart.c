// SPDX-License-Identifier: GPL-2.0-only
/*
 * Virtual 16550 UART.
 * Context: register accesses on the guest's vCPUs (exit path: never
 * waits; output is queued in the log ring of this CPU); vuart_input() on
 * the service CPU. The receive ring is the only shared state: single
 * producer, single consumer.
 */
#include "drivers/uart_regs.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/time.h"
#include "vmm/io.h"
#include "vmm/vm.h"
#include "vmm/vuart.h"

#define UART_IIR 2
#define UART_MSR 6
#define UART_SCR 7
#define UART_IER_THRI 0x02
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO_ENABLED 0xc0
#define MSR_DCD_DSR_CTS 0xb0

static bool rx_ready(const struct vuart *u)
{
	return __atomic_load_n(&u->rx_head, __ATOMIC_ACQUIRE) != u->rx_tail;
}

static void flush_line(struct vuart *u)
{
	if (u->len == 0)
		return;
	log_raw("[%s] %.*s", u->vm->name, (int)u->len, u->line);
	u->len = 0;
}

static void update_irq(struct vuart *u)
{
	bool level = ((u->ier & UART_IER_RDA) && rx_ready(u)) ||
		     ((u->ier & UART_IER_THRI) && u->thr_irq_pending);
	/* OUT2 gates the line on PC boards; guests set it before enabling interrupts. */
	if (u->set_irq)
		u->set_irq(u->vm, VUART_IRQ, level && (u->mcr & UART_MCR_OUT2));
}

static void tx(struct vuart *u, u8 c)
{
	u->last_tx_ns = time_ns();
	if (c == '\n') {
		flush_line(u);
		return;
	}
	if (c == '\r')
		return;
	/* Control bytes (escape sequences) would corrupt the operator's terminal. */
	if (c < 0x20 && c != '\t')
		c = '.';
	u->line[u->len++] = (char)c;
	if (u->len == VUART_LINE_MAX)
		flush_line(u);
}

static u8 reg_read(struct vuart *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RBR:
		if (dlab)
			return u->dll;
		if (rx_ready(u)) {
			u8 c = u->rx[u->rx_tail % VUART_RX_RING];
			__atomic_store_n(&u->rx_tail, u->rx_tail + 1, __ATOMIC_RELEASE);
			update_irq(u);
			return c;
		}
		return 0;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		if ((u->ier & UART_IER_RDA) && rx_ready(u))
			return IIR_FIFO_ENABLED | IIR_RDI;
		if ((u->ier & UART_IER_THRI) && u->thr_irq_pending) {
			/* Reading IIR with THRE as the source clears it (PC16550D). */
			u->thr_irq_pending = false;
			update_irq(u);
			return IIR_FIFO_ENABLED | IIR_THRI;
		}
		return IIR_FIFO_ENABLED | IIR_NO_INT;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		/* The transmitter is always empty: output never waits. */
		return UART_LSR_THRE | UART_LSR_TEMT | (rx_ready(u) ? UART_LSR_DR : 0);
	case UART_MSR:
		return MSR_DCD_DSR_CTS;
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

static void reg_write(struct vuart *u, unsigned reg, u8 val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab) {
			u->dll = val;
			return;
		}
		tx(u, val);
		u->thr_irq_pending = true;
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
			return;
		}
		u->ier = val & 0x0f;
		/* Enabling THRE with an empty transmitter raises it at once. */
		if (u->ier & UART_IER_THRI)
			u->thr_irq_pending = true;
		break;
	case UART_FCR:
		return;
	case UART_LCR:
		u->lcr = val;
		return;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_SCR:
		u->scr = val;
		return;
	default:
		return; /* LSR and MSR are read-only */
	}
	update_irq(u);
}

static enum io_result vuart_io(struct vcpu *v, struct io_access *a, void *ctx)
{
	struct vuart *u = ctx;

	(void)v;
	u64 flags = spin_lock_irqsave(&u->lock);
	/* A 16550 has byte registers; wider accesses touch only the first. */
	if (a->is_write)
		reg_write(u, (unsigned)a->off, (u8)a->value);
	else
		a->value = reg_read(u, (unsigned)a->off);
	spin_unlock_irqrestore(&u->lock, flags);
	return IO_DONE;
}

int vuart_init(struct vuart *u, struct vm *vm)
{
	u->vm = vm;
	u->lcr = UART_LCR_8N1;
	return pio_register(vm, VUART_BASE, 8, vuart_io, u);
}

u64 vuart_poll(struct vuart *u, u64 now_ns)
{
	u64 next = 0;

	/* Unlocked peek: an empty line needs nothing (the common case, every exit). */
	if (READ_ONCE(u->len) == 0)
		return 0;
	u64 flags = spin_lock_irqsave(&u->lock);
	if (u->len && now_ns - u->last_tx_ns >= VUART_IDLE_FLUSH_NS)
		flush_line(u);
	else if (u->len)
		next = u->last_tx_ns + VUART_IDLE_FLUSH_NS;
	spin_unlock_irqrestore(&u->lock, flags);
	return next;
}

void vuart_rx_kick(struct vuart *u)
{
	u64 flags = spin_lock_irqsave(&u->lock);
	update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
}

size_t vuart_input(struct vuart *u, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u32 head = u->rx_head;
		if (head - __atomic_load_n(&u->rx_tail, __ATOMIC_ACQUIRE) >= VUART_RX_RING)
			break;
		u->rx[head % VUART_RX_RING] = (u8)buf[i];
		__atomic_store_n(&u->rx_head, head + 1, __ATOMIC_RELEASE);
	}
	return i;
}
