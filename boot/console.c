// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loader console: messages go to the UEFI text console and, polled, to the
 * UART the config names (COM1 until the config has been read), so that an
 * operator on either sees why longbus did not start.
 * Context: boot services.
 */
#include <stdarg.h>

#include "boot/loader.h"
#include "kernel/klib.h"
#include "kernel/x86/io.h"

static u16 con_port = 0x3f8;
/* -1: not yet known; 0/1: whether the firmware console already reaches a UART. */
static int conout_has_uart = -1;

/*
 * OVMF on QEMU mirrors ConOut to the serial port; Bochs's does not. Writing
 * to the UART ourselves as well would print every message twice there, so
 * look at the ConOut variable's device paths for a UART node first.
 */
static bool firmware_console_on_uart(void)
{
	EFI_GUID global = EFI_GLOBAL_VARIABLE;
	UINTN size = 0;
	EFI_DEVICE_PATH *dp;

	if (conout_has_uart >= 0)
		return conout_has_uart;
	conout_has_uart = 0;
	dp = LibGetVariableAndSize(L"ConOut", &global, &size);
	if (!dp)
		return false;
	for (EFI_DEVICE_PATH *n = dp; (u8 *)n < (u8 *)dp + size;
	     n = NextDevicePathNode(n)) {
		if (DevicePathNodeLength(n) < 4)
			break;
		if (DevicePathType(n) == MESSAGING_DEVICE_PATH &&
		    DevicePathSubType(n) == MSG_UART_DP)
			conout_has_uart = 1;
	}
	FreePool(dp);
	return conout_has_uart;
}

void con_set_serial_port(u16 port)
{
	con_port = port;
}

/* 16550 registers we touch: THR at +0, LSR at +5 with THR-empty in bit 5. */
static void serial_putc(char c)
{
	/*
	 * Bounded poll: a UART that never drains (no device at that port
	 * reads 0xff, which looks empty) must not hang the loader.
	 */
	for (unsigned i = 0; i < 100000; i++) {
		if (inb(con_port + 5) & 0x20)
			break;
	}
	outb(con_port, (u8)c);
}

void con_printf(const char *fmt, ...)
{
	char buf[512];
	CHAR16 wbuf[2 * sizeof(buf)];
	size_t n = 0;
	bool to_uart = !firmware_console_on_uart();
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	for (const char *p = buf; *p; p++) {
		if (*p == '\n') {
			wbuf[n++] = L'\r';
			if (to_uart)
				serial_putc('\r');
		}
		wbuf[n++] = (CHAR16)(u8)*p;
		if (to_uart)
			serial_putc(*p);
	}
	wbuf[n] = 0;
	ST->ConOut->OutputString(ST->ConOut, wbuf);
}
