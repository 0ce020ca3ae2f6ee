// SPDX-License-Identifier: GPL-2.0-only
/*
 * pio: port I/O through the hypervisor (needs `testdev = on`). The test
 * device's echo port round-trips 1-, 2- and 4-byte values with both the
 * immediate-port and the DX forms of IN/OUT; its access counter counts
 * every access, the counter read included; IN to AL/AX keeps the rest of
 * EAX; a port nobody claims reads all-ones at every width and drops writes.
 */
#include "guest-api/libguest/libguest.h"
#include "guest-api/testdev.h"

#define ECHO (TESTDEV_PIO_BASE + TESTDEV_PIO_ECHO)
#define COUNT (TESTDEV_PIO_BASE + TESTDEV_PIO_COUNT)
/* QEMU's fw_cfg port on real boards; nothing in a longbus VM. */
#define UNCLAIMED 0x510

/* The DX forms (the constant-port helpers in libguest.h use the imm8 form). */
static uint32_t in_dx(uint16_t port, int size, uint32_t eax)
{
	switch (size) {
	case 1: __asm__ volatile("inb %%dx, %%al" : "+a"(eax) : "d"(port)); break;
	case 2: __asm__ volatile("inw %%dx, %%ax" : "+a"(eax) : "d"(port)); break;
	default: __asm__ volatile("inl %%dx, %%eax" : "+a"(eax) : "d"(port)); break;
	}
	return eax;
}

static void out_dx(uint16_t port, int size, uint32_t v)
{
	switch (size) {
	case 1: __asm__ volatile("outb %%al, %%dx" : : "a"(v), "d"(port)); break;
	case 2: __asm__ volatile("outw %%ax, %%dx" : : "a"(v), "d"(port)); break;
	default: __asm__ volatile("outl %%eax, %%dx" : : "a"(v), "d"(port)); break;
	}
}

int main(struct multiboot_info *mbi)
{
	uint32_t before, after, eax;

	(void)mbi;
	lg_test_begin("pio");

	/* Round trips, immediate-port form. */
	outb(ECHO, 0x5a);
	EXPECT_EQ(inb(ECHO), 0x5a);
	outw(ECHO, 0xbeef);
	EXPECT_EQ(inw(ECHO), 0xbeef);
	outl(ECHO, 0xdeadc0de);
	EXPECT_EQ(inl(ECHO), 0xdeadc0de);
	/* Narrower reads see the low bytes of the last write ... */
	EXPECT_EQ(inb(ECHO), 0xde);
	EXPECT_EQ(inw(ECHO), 0xc0de);
	/* ... and a narrower write replaces the whole register. */
	outb(ECHO, 0x11);
	EXPECT_EQ(inl(ECHO), 0x11);

	/* DX forms. */
	out_dx(ECHO, 4, 0x01234567);
	EXPECT_EQ(in_dx(ECHO, 4, 0), 0x01234567);
	out_dx(ECHO, 2, 0xa55a);
	EXPECT_EQ(in_dx(ECHO, 2, 0) & 0xffff, 0xa55a);
	out_dx(ECHO, 1, 0x7f);
	EXPECT_EQ(in_dx(ECHO, 1, 0) & 0xff, 0x7f);

	/* IN AL / IN AX merge into EAX; IN EAX replaces it. */
	outl(ECHO, 0x000000c3);
	eax = 0x12345678;
	__asm__ volatile("inb %1, %%al" : "+a"(eax) : "i"(ECHO));
	EXPECT_EQ(eax, 0x123456c3);
	eax = 0x12345678;
	__asm__ volatile("inw %1, %%ax" : "+a"(eax) : "i"(ECHO));
	EXPECT_EQ(eax, 0x123400c3);
	eax = 0x12345678;
	__asm__ volatile("inl %1, %%eax" : "+a"(eax) : "i"(ECHO));
	EXPECT_EQ(eax, 0x000000c3);

	/* The counter: 3 accesses between two reads, plus the second read itself. */
	before = inl(COUNT);
	outb(ECHO, 1);
	(void)inb(ECHO);
	(void)inw(ECHO);
	after = inl(COUNT);
	lg_printf("access counter: %u then %u\n", before, after);
	EXPECT_EQ(after - before, 4);
	/* The counter is read-only: a write counts, but changes nothing else. */
	outl(COUNT, 0);
	EXPECT_EQ(inl(COUNT), after + 2);
	/* Offsets the device does not decode read all-ones. */
	EXPECT_EQ(inb(TESTDEV_PIO_BASE + 1), 0xff);
	EXPECT_EQ(inw(TESTDEV_PIO_BASE + 6), 0xffff);

	/* A port nobody claimed: all-ones at every width, writes dropped. */
	out_dx(UNCLAIMED, 4, 0);
	EXPECT_EQ(in_dx(UNCLAIMED, 1, 0x12345600), 0x123456ff);
	EXPECT_EQ(in_dx(UNCLAIMED, 2, 0x12340000), 0x1234ffff);
	EXPECT_EQ(in_dx(UNCLAIMED, 4, 0), 0xffffffff);
	outb(0x80, 0x42); /* the POST port: also unclaimed */
	EXPECT_EQ(inb(0x80), 0xff);

	/* The echo register kept its value through all that. */
	outl(ECHO, 0xcafef00d);
	out_dx(UNCLAIMED, 4, 0);
	EXPECT_EQ(inl(ECHO), 0xcafef00d);

	test_exit("pio");
}
