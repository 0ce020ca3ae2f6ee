// SPDX-License-Identifier: GPL-2.0-only
/*
 * hammer: writes everywhere outside its own RAM, so that a neighbour
 * (canary) can prove none of it landed. After a byte on its console
 * (`console hammer`; the test types it once the canary is armed) it writes
 * the first and last word of every 2 MiB block of guest-physical space
 * from the end of its RAM up to 4 GiB, skipping nothing, and a word in
 * every page of the legacy hole. Each write is read back: nothing there is
 * RAM, so everything reads all-ones, except this guest's own vIOAPIC,
 * whose index register (0xfec00000) keeps what is written, and its own
 * vLAPIC, whose reserved register at 0xfee00000 reads 0.
 */
#include "guest-api/libguest/libguest.h"

#define BLOCK 0x200000u
#define HOLE_START 0x000a0000u
#define HOLE_END 0x00100000u
#define IOAPIC_PAGE 0xfec00000u
#define LAPIC_PAGE 0xfee00000u
#define MAX_REPORTED 8

static uint32_t writes, bad;

static void hammer(uint32_t gpa)
{
	uint32_t v;

	mmio_write32(gpa, 0xdeadbeefu ^ gpa);
	writes++;
	v = mmio_read32(gpa);
	if ((gpa & ~0xfffu) == IOAPIC_PAGE || (gpa & ~0xfffu) == LAPIC_PAGE || v == 0xffffffffu)
		return;
	if (bad++ < MAX_REPORTED)
		lg_printf("hammer: 0x%x reads back 0x%x after the write\n", gpa, v);
}

int main(struct multiboot_info *mbi)
{
	uint32_t ram_end;
	uint64_t gpa;

	lg_test_begin("hammer");
	ram_end = 0x100000u + mbi->mem_upper * 1024u;
	lg_printf("hammer ready: will write 0x%x-0xffffffff\n", ram_end);
	(void)lg_serial_getc_wait();

	for (uint32_t a = HOLE_START; a < HOLE_END; a += 4096)
		hammer(a);
	for (gpa = (ram_end + BLOCK - 1) & ~(uint64_t)(BLOCK - 1); gpa < 0x100000000ULL;
	     gpa += BLOCK) {
		hammer((uint32_t)gpa);
		hammer((uint32_t)gpa + BLOCK - 4);
	}
	/* A RAM end that is not 2 MiB aligned leaves a partial block: start it too. */
	if (ram_end & (BLOCK - 1))
		hammer(ram_end);
	lg_printf("hammer done: %u writes\n", writes);
	EXPECT_EQ(bad, 0);
	test_exit("hammer");
}
