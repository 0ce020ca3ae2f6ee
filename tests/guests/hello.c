// SPDX-License-Identifier: GPL-2.0-only
/*
 * hello: the first test guest. Proves that the guest boots as Multiboot:
 * EAX held the Multiboot magic, EBX points at the info, which carries the
 * memory sizes and the command line from the config's `cmdline`, and that
 * COM1 output reaches the console.
 */
#include "guest-api/libguest/libguest.h"

int main(struct multiboot_info *mbi)
{
	const char *cmdline;

	lg_test_begin("hello");
	lg_printf("hello from longbus guest\n");

	EXPECT_EQ(lg_mb_magic, MULTIBOOT_BOOTLOADER_MAGIC);
	EXPECT_EQ((uintptr_t)mbi, lg_mb_info);
	if (!EXPECT_TRUE(mbi != NULL))
		test_exit("hello");

	if (EXPECT_EQ(mbi->flags & MULTIBOOT_INFO_MEMORY, MULTIBOOT_INFO_MEMORY)) {
		lg_printf("memory: lower %u KiB, upper %u KiB\n", mbi->mem_lower, mbi->mem_upper);
		EXPECT_TRUE(mbi->mem_upper > 0);
	}
	if (mbi->flags & MULTIBOOT_INFO_BOOT_LOADER_NAME)
		lg_printf("boot loader: %s\n", (const char *)(uintptr_t)mbi->boot_loader_name);

	if (EXPECT_EQ(mbi->flags & MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_CMDLINE)) {
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
		lg_printf("cmdline: %s\n", cmdline);
		EXPECT_TRUE(cmdline[0] != '\0');
	}

	test_exit("hello");
}
