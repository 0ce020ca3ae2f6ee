/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The first bytes of the core image: the header the loader checks
 * (struct core_header in boot/boot_info.h), the entry point, and the boot
 * stack, which carries kmain until CPU 0 switches to its guard-paged stack.
 */
	.section .head, "a"
	.globl core_header
core_header:
	.quad 0x45524f4353554c42	/* magic "BLUSCORE" */
	.long 1				/* version */
	.long 56			/* size */
	.quad __core_start		/* link_base */
	.quad _start			/* entry */
	.quad __core_file_size		/* file_size */
	.quad __core_mem_size		/* mem_size */
	.quad boot_stack_top		/* boot_stack_top */

	.text
	.globl _start
/* rdi = physical address of struct boot_info; rsp = boot_stack_top. */
_start:
	cld
	and $-16, %rsp
	call kmain
1:	cli
	hlt
	jmp 1b

/* call_on_stack(stack_top, fn, arg): run fn(arg) on another stack, never return. */
	.globl call_on_stack
call_on_stack:
	movq %rdi, %rsp
	movq %rdx, %rdi
	xorl %ebp, %ebp
	pushq $0			/* ends stack traces */
	jmp *%rsi

	.bss
	.balign 4096
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack,"",@progbits
