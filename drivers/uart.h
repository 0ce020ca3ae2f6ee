/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 16550 UART: the operator's console. Polled output (the LSR is checked
 * before every byte: Bochs drops bytes otherwise), interrupt-driven input
 * with a polled fallback.
 */
#ifndef LONGBUS_DRIVERS_UART_H
#define LONGBUS_DRIVERS_UART_H

#include "kernel/types.h"

/* ISA IRQ of COM1/COM3 is 4, COM2/COM4 is 3; other ports get no IRQ. */
void uart_init(u16 port, u32 baud);
u16 uart_port(void);
int uart_isa_irq(void);
/* Blocks until the transmitter takes the byte (bounded: a dead UART cannot hang us). */
void uart_putc(char c);
void uart_write(const char *s, size_t n);
/* Waits until the last byte has left the shift register (before a power-off). */
void uart_flush(void);
/* Returns a received byte, or -1. */
int uart_getc(void);
/* Enables the receive-data interrupt. */
void uart_enable_rx_irq(void);

#endif
