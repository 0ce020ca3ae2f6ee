// SPDX-License-Identifier: GPL-2.0-only
/*
 * 16550 UART driver for the hypervisor console.
 * Context: output from the service CPU (log drain, shell) or the panic
 * path; input from the service CPU. Singleton: the console UART, owned here.
 */
#include "drivers/uart.h"
#include "drivers/uart_regs.h"
#include "kernel/x86/io.h"

/* A UART that takes longer than this per byte is treated as absent. */
#define UART_POLL_LIMIT 200000

static u16 uart_base = 0x3f8;

void uart_init(u16 port, u32 baud)
{
	u16 div = (u16)(UART_CLOCK_DIVISOR_BASE / (baud ? baud : 115200));

	uart_base = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR);
	outb(port + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
}

u16 uart_port(void)
{
	return uart_base;
}

int uart_isa_irq(void)
{
	switch (uart_base) {
	case 0x3f8:
	case 0x3e8:
		return 4;
	case 0x2f8:
	case 0x2e8:
		return 3;
	default:
		return -1;
	}
}

void uart_putc(char c)
{
	for (unsigned i = 0; i < UART_POLL_LIMIT; i++) {
		if (inb(uart_base + UART_LSR) & UART_LSR_THRE)
			break;
	}
	outb(uart_base + UART_THR, (u8)c);
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void uart_flush(void)
{
	for (unsigned i = 0; i < UART_POLL_LIMIT; i++) {
		if ((inb(uart_base + UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT)) ==
		    (UART_LSR_THRE | UART_LSR_TEMT))
			return;
	}
}

int uart_getc(void)
{
	u8 lsr = inb(uart_base + UART_LSR);

	/* 0xff: nothing decodes this port. */
	if (lsr == 0xff || !(lsr & UART_LSR_DR))
		return -1;
	return inb(uart_base + UART_RBR);
}

void uart_enable_rx_irq(void)
{
	outb(uart_base + UART_IER, UART_IER_RDA);
}
