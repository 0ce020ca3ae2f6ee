// SPDX-License-Identifier: GPL-2.0-only
/*
 * crash: a triple fault. With an IDT of limit 0 no vector can be
 * delivered: UD2 raises #UD, whose gate is beyond the limit (#GP), whose
 * gate is too (#DF), whose gate is too: shutdown. longbus must log
 * "guest crash crashed: triple fault ..." and stop only this guest; its
 * neighbours keep running. A RESULT line from here is always FAIL.
 */
#include "guest-api/libguest/libguest.h"

int main(struct multiboot_info *mbi)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	(void)mbi;
	lg_test_begin("crash");
	lg_printf("crash: loading an IDT with limit 0, then UD2\n");
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
	lg_abort("the CPU survived an exception with an empty IDT");
}
