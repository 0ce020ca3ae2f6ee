/* SPDX-License-Identifier: GPL-2.0-only */
/* 16550 registers (PC16550D datasheet), as offsets from the base port. */
#ifndef LONGBUS_DRIVERS_UART_REGS_H
#define LONGBUS_DRIVERS_UART_REGS_H

#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define UART_IER_RDA 0x01  /* received data available */
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR 0x06 /* clear RX and TX FIFOs */
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT2 0x08 /* gates the IRQ line on PC-compatible boards */
#define UART_LSR_DR 0x01   /* data ready */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty */

#define UART_CLOCK_DIVISOR_BASE 115200

#endif
