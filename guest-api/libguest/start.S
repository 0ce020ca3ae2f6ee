/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of every test guest: the Multiboot header and _start.
 *
 * Environment at _start (Multiboot v1): 32-bit protected mode, paging off,
 * interrupts off, EAX = 0x2BADB002, EBX = the Multiboot info, flat CS/DS but
 * a GDTR that may be invalid, no stack. So we save EAX/EBX, load our own
 * GDT before touching any segment register (IRET reloads CS too), set up a
 * stack and a known EFLAGS, let lg_init() start COM1 and the IDT, and call
 * main(mbi). A returning main exits with its value.
 */

/* Values from guest-api/multiboot.h; C headers do not assemble. */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* PAGE_ALIGN | MEMORY_INFO */

#define STACK_SIZE 0x4000

	.section .multiboot, "a"
	.balign 4
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	movl %eax, lg_mb_magic
	movl %ebx, lg_mb_info

	lgdt lg_gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $lg_stack_top, %esp
	xorl %ebp, %ebp
	pushl $0x2		/* EFLAGS: only the always-one bit */
	popfl

	call lg_init
	pushl lg_mb_info
	call main
	addl $4, %esp
	pushl %eax
	call lg_exit		/* does not return */
2:	cli
	hlt
	jmp 2b
	.size _start, . - _start

	.data
	.balign 8
	/* Null, flat 32-bit code (0x08), flat data (0x10). Accessed bits preset, so
	 * loading a selector never writes the table. */
	.globl lg_gdt
lg_gdt:
	.quad 0
	.quad 0x00CF9B000000FFFF
	.quad 0x00CF93000000FFFF
lg_gdt_end:
	.balign 4
	.word 0
lg_gdt_desc:
	.word lg_gdt_end - lg_gdt - 1
	.long lg_gdt

	.globl lg_mb_magic, lg_mb_info
	.balign 4
lg_mb_magic:
	.long 0
lg_mb_info:
	.long 0

	.bss
	.balign 16
lg_stack:
	.skip STACK_SIZE
	.globl lg_stack_top
lg_stack_top:

	.section .note.GNU-stack, "", @progbits
