// SPDX-License-Identifier: GPL-2.0-only
/*
 * canary: proves that nothing outside this guest writes into its RAM.
 * It fills all of its RAM except the image and the first 64 KiB (IVT,
 * Multiboot area, stack) with an address-dependent pattern, prints
 * "canary armed", and waits for a byte on its console (`console canary`
 * on the longbus shell), which the test types after a neighbour (hammer)
 * has written everywhere outside its own RAM. Then it checks every word.
 * An address-dependent pattern also catches pages that were swapped or
 * aliased, not just overwritten.
 */
#include "guest-api/libguest/libguest.h"

#define LOW_START 0x00010000u	/* above the IVT and the Multiboot area */
#define LOW_END 0x000a0000u	/* the legacy hole */
#define HIGH_START 0x00200000u	/* the image (at 1 MiB) ends below 2 MiB */
#define MAX_REPORTED 8

extern char lg_stack_top[];

static uint32_t pattern(uint32_t addr)
{
	return (addr * 2654435761u) ^ 0xca11ab1eu;
}

static void fill(uint32_t start, uint32_t end)
{
	for (uint32_t a = start; a < end; a += 4)
		*(volatile uint32_t *)(uintptr_t)a = pattern(a);
}

static uint32_t check(uint32_t start, uint32_t end, uint32_t *reported)
{
	uint32_t bad = 0, v;

	for (uint32_t a = start; a < end; a += 4) {
		v = *(volatile uint32_t *)(uintptr_t)a;
		if (v == pattern(a))
			continue;
		if (bad++ < MAX_REPORTED && (*reported)++ < MAX_REPORTED)
			lg_printf("canary: word at 0x%x is 0x%x, want 0x%x\n", a, v, pattern(a));
	}
	return bad;
}

int main(struct multiboot_info *mbi)
{
	uint32_t ram_end, bad, reported = 0;
	char c;

	lg_test_begin("canary");
	ram_end = 0x100000u + mbi->mem_upper * 1024u;
	/* The image and its stack lie below HIGH_START, or the pattern would overwrite them. */
	if (!EXPECT_TRUE((uintptr_t)lg_stack_top <= HIGH_START && ram_end > HIGH_START))
		lg_abort("image or RAM size unexpected");

	fill(LOW_START, LOW_END);
	fill(HIGH_START, ram_end);
	lg_printf("canary armed: 0x%x-0x%x and 0x%x-0x%x (%u KiB)\n", LOW_START, LOW_END - 1,
		  HIGH_START, ram_end - 1,
		  ((LOW_END - LOW_START) + (ram_end - HIGH_START)) / 1024u);

	c = lg_serial_getc_wait();
	lg_printf("canary: got 0x%x, checking\n", (unsigned)(uint8_t)c);
	bad = check(LOW_START, LOW_END, &reported) + check(HIGH_START, ram_end, &reported);
	lg_printf("canary: %u words changed\n", bad);
	EXPECT_EQ(bad, 0);
	test_exit("canary");
}
