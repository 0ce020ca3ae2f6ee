// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test reporting and exit: EXPECT_EQ's counter, the RESULT line, and the
 * three ways out (debug-exit port, LB_HC_EXIT, halt), plus lg_init, which
 * start.S calls before main.
 */
#include "guest-api/libguest/libguest.h"

volatile uint32_t lg_failures;
static const char *test_name = "guest";

void lg_init(void);

void lg_init(void)
{
	lg_serial_init();
	lg_idt_init();
}

void lg_test_begin(const char *name)
{
	test_name = name;
}

bool lg_expect_eq(int line, uint64_t got, uint64_t want)
{
	if (got == want)
		return true;
	lg_failures++;
	lg_printf("FAIL line %d: got 0x%llx want 0x%llx\n", line, (unsigned long long)got,
		  (unsigned long long)want);
	return false;
}

void test_exit(const char *name)
{
	bool pass = lg_failures == 0;

	lg_printf("RESULT %s %s\n", pass ? "PASS" : "FAIL", name);
	lg_exit(pass ? LG_EXIT_PASS : LG_EXIT_FAIL);
}

void lg_abort(const char *why)
{
	lg_failures++;
	lg_printf("FAIL %s\n", why);
	test_exit(test_name);
}

void lg_exit(uint32_t code)
{
	/*
	 * One byte: QEMU's isa-debug-exit takes any width, and a 1-byte write
	 * is what a 1-port debug_exit registration surely claims.
	 */
	outb(LG_DEBUG_EXIT_PORT, (uint8_t)code);
	lg_hc_exit(code);
	for (;;) {
		cli();
		hlt();
	}
}
