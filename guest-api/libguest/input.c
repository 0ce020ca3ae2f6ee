// SPDX-License-Identifier: GPL-2.0-only
/*
 * COM1 input, polled. Waiting halts between polls (woken by the LAPIC
 * timer), so a guest waiting for a key costs its CPU almost nothing: under
 * longbus the physical CPU sleeps too, and in an emulator so does the
 * virtual one.
 *
 * The handler stays installed afterwards: a tick that fired just before the
 * timer stopped may still be pending, and must find it.
 */
#include "guest-api/libguest/libguest.h"

#define UART_RBR 0
#define UART_LSR 5
#define LSR_DR 0x01
#define POLL_BUS_TICKS 1000000u	/* 10 ms at 100 MHz */

int lg_serial_getc_nowait(void)
{
	if (!(inb(LG_COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(LG_COM1 + UART_RBR);
}

static void poll_tick(struct lg_frame *f)
{
	(void)f;
	lg_lapic_eoi();
}

char lg_serial_getc_wait(void)
{
	int c;

	lg_idt_set_handler(LG_VEC_INPUT_POLL, poll_tick);
	lg_lapic_enable(0xff);
	lg_lapic_write(LG_LAPIC_TIMER_DCR, LG_DCR_DIV1);
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_PERIODIC | LG_VEC_INPUT_POLL);
	lg_lapic_write(LG_LAPIC_TIMER_ICR, POLL_BUS_TICKS);
	while ((c = lg_serial_getc_nowait()) < 0) {
		sti_hlt();
		cli();
	}
	lg_lapic_write(LG_LAPIC_TIMER_ICR, 0);
	lg_lapic_write(LG_LAPIC_LVT_TIMER, LG_LVT_MASKED | LG_VEC_INPUT_POLL);
	return (char)c;
}
