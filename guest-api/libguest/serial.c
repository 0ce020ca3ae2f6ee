// SPDX-License-Identifier: GPL-2.0-only
/*
 * COM1 output: a 16550 at 0x3f8, polled. Under longbus each guest has its
 * own virtual 16550; under plain QEMU it is the -serial device.
 */
#include "guest-api/libguest/libguest.h"

#define UART_THR 0	/* transmit holding (DLAB=0) */
#define UART_DLL 0	/* divisor low (DLAB=1) */
#define UART_IER 1	/* interrupt enable (DLAB=0) */
#define UART_DLM 1	/* divisor high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define LCR_8N1 0x03

/*
 * Polls before giving up on a byte. A missing UART reads all-ones (THRE
 * set) so this only bounds a wedged one; the byte is then dropped rather
 * than hanging the test.
 */
#define THRE_SPINS 1000000u

void lg_serial_init(void)
{
	outb(LG_COM1 + UART_IER, 0x00);		/* no interrupts */
	outb(LG_COM1 + UART_LCR, LCR_DLAB);
	outb(LG_COM1 + UART_DLL, 0x01);		/* 115200 baud */
	outb(LG_COM1 + UART_DLM, 0x00);
	outb(LG_COM1 + UART_LCR, LCR_8N1);
	outb(LG_COM1 + UART_FCR, 0xC7);		/* FIFO on, cleared, 14-byte trigger */
	outb(LG_COM1 + UART_MCR, 0x03);		/* DTR, RTS; OUT2 off: no IRQ4 */
}

static void raw_putc(char c)
{
	for (uint32_t i = 0; i < THRE_SPINS; i++) {
		if (inb(LG_COM1 + UART_LSR) & LSR_THRE)
			break;
		pause();
	}
	outb(LG_COM1 + UART_THR, (uint8_t)c);
}

void lg_putc(char c)
{
	if (c == '\n')
		raw_putc('\r');
	raw_putc(c);
}

void lg_puts(const char *s)
{
	while (*s)
		lg_putc(*s++);
}
