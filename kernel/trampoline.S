/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AP start-up trampoline. smp.c copies tramp_start..tramp_end to a page
 * below 1 MiB, patches the fields marked "patched", and points SIPI at it.
 * The AP climbs real mode -> protected mode -> long mode with a copy of
 * the core's PML4 that sits below 4 GiB (CR3 is 32 bits wide until long
 * mode), then loads the real root and jumps to ap_entry(pcpu) on its own
 * guard-paged stack. Everything is addressed relative to the page base,
 * which real mode gives us in CS and which we keep in %ebx/%rbx.
 */
	.section .rodata
	.balign 16
	.globl tramp_start, tramp_end, tramp_gdtr, tramp_far32, tramp_far64
	.globl tramp_cr3_low, tramp_cr3, tramp_stack, tramp_pcpu, tramp_entry

	.code16
tramp_start:
	cli
	cld
	xorl %ebx, %ebx
	movw %cs, %bx
	shll $4, %ebx			/* ebx = physical base of this page */
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - tramp_start
	movl $0x11, %eax		/* PE, ET */
	movl %eax, %cr0
	ljmpl *(tramp_far32 - tramp_start)

	.code32
tramp_code32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl (tramp_cr3_low - tramp_start)(%ebx), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: LME and NXE */
	rdmsr
	orl $0x900, %eax
	wrmsr
	movl $0x80010031, %eax		/* PG, WP, NE, ET, PE; caches on (CD, NW clear) */
	movl %eax, %cr0
	ljmpl *(tramp_far64 - tramp_start)(%ebx)

	.code64
tramp_code64:
	movq (tramp_cr3 - tramp_start)(%rbx), %rax
	movq %rax, %cr3
	movq (tramp_stack - tramp_start)(%rbx), %rsp
	movq (tramp_pcpu - tramp_start)(%rbx), %rdi
	movq (tramp_entry - tramp_start)(%rbx), %rax
	xorl %ebp, %ebp
	pushq $0			/* ends stack traces */
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdtr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long tramp_gdt - tramp_start	/* patched: + base */
	.balign 4
tramp_far32:
	.long tramp_code32 - tramp_start	/* patched: + base */
	.word 0x08
	.balign 4
tramp_far64:
	.long tramp_code64 - tramp_start	/* patched: + base */
	.word 0x18
	.balign 8
tramp_cr3_low:	.quad 0		/* patched: PML4 copy below 4 GiB */
tramp_cr3:	.quad 0		/* patched: the core's root table */
tramp_stack:	.quad 0		/* patched per AP */
tramp_pcpu:	.quad 0		/* patched per AP */
tramp_entry:	.quad 0		/* patched: ap_entry */
tramp_end:

	.section .note.GNU-stack,"",@progbits
