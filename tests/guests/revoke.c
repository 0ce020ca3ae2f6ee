// SPDX-License-Identifier: GPL-2.0-only
/*
 * revoke: vm_unmap() of a page the guest is using takes effect at once.
 * The guest fills the page at REVOKE_GPA (and its two neighbours) with a
 * pattern, prints "revoke page 0x...", and spins reading the page. The
 * test then types `revoke revoke 0x...` (debug = on): the hypervisor
 * unmaps that one page and flushes every vCPU's stage-2 TLB before the
 * command returns. From then on the GPA is not RAM any more and reads
 * all-ones like unbacked MMIO; the neighbouring pages, in the same 2 MiB
 * block, must stay RAM with their contents. Gives up (FAIL) after
 * TIMEOUT_MS of TSC time without seeing the change.
 */
#include "guest-api/libguest/libguest.h"

#define REVOKE_GPA 0x00800000u	/* inside a 2 MiB block: the unmap splits it */
#define PAGE 4096u
#define WORDS (PAGE / 4)
#define TIMEOUT_MS 60000u	/* REVOKE_GUEST_TIMEOUT in test_guests.py */

static uint32_t pattern(uint32_t addr)
{
	return (addr * 2654435761u) ^ 0x5eed5eedu;
}

static void fill(uint32_t base)
{
	for (uint32_t a = base; a < base + PAGE; a += 4)
		*(volatile uint32_t *)(uintptr_t)a = pattern(a);
}

static uint32_t bad_words(uint32_t base)
{
	uint32_t bad = 0;

	for (uint32_t a = base; a < base + PAGE; a += 4)
		bad += *(volatile uint32_t *)(uintptr_t)a != pattern(a);
	return bad;
}

int main(struct multiboot_info *mbi)
{
	uint64_t end, reads = 0;
	uint32_t v = 0, i = 0, addr = 0;

	lg_test_begin("revoke");
	if (!EXPECT_TRUE(mbi->mem_upper * 1024u + 0x100000u >= REVOKE_GPA + 2 * PAGE))
		lg_abort("not enough RAM for the revoke page");
	fill(REVOKE_GPA - PAGE);
	fill(REVOKE_GPA);
	fill(REVOKE_GPA + PAGE);
	end = lg_tsc_after_ms(TIMEOUT_MS);
	lg_printf("revoke page 0x%x\n", REVOKE_GPA);

	for (;;) {
		addr = REVOKE_GPA + 4 * i;
		v = mmio_read32(addr);
		reads++;
		if (v == 0xffffffffu)
			break;
		if (v != pattern(addr)) {
			lg_printf("word at 0x%x changed to 0x%x before reading all-ones\n", addr, v);
			lg_abort("the page changed instead of going away");
		}
		i = (i + 1) % WORDS;
		if ((reads & 0xfff) == 0 && rdtsc() > end)
			lg_abort("the page still reads as RAM: revoke had no effect");
	}
	lg_printf("revoke: 0x%x reads all-ones after %llu reads\n", addr,
		  (unsigned long long)reads);

	/* The whole page is gone: every word reads all-ones, writes are dropped. */
	EXPECT_EQ(mmio_read32(REVOKE_GPA), 0xffffffffu);
	EXPECT_EQ(mmio_read32(REVOKE_GPA + PAGE - 4), 0xffffffffu);
	mmio_write32(REVOKE_GPA + 8, 0x12345678);
	EXPECT_EQ(mmio_read32(REVOKE_GPA + 8), 0xffffffffu);
	/* The neighbours are still RAM with their contents. */
	EXPECT_EQ(bad_words(REVOKE_GPA - PAGE), 0);
	EXPECT_EQ(bad_words(REVOKE_GPA + PAGE), 0);
	*(volatile uint32_t *)(uintptr_t)(REVOKE_GPA + PAGE) = 0xa5a5a5a5u;
	EXPECT_EQ(*(volatile uint32_t *)(uintptr_t)(REVOKE_GPA + PAGE), 0xa5a5a5a5u);

	test_exit("revoke");
}
