/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The application-processor trampoline of lg_start_ap() (smp.c).
 *
 * lg_ap_tramp .. lg_ap_tramp_end is copied to LG_AP_TRAMPOLINE (below
 * 1 MiB). A SIPI with vector V starts the AP there in real mode with
 * CS = V << 8, IP = 0, so the copy uses only CS-relative data: it loads a
 * GDT whose descriptor holds absolute addresses, sets CR0.PE and far-jumps
 * to lg_ap_pm32, which runs where it was linked (above 1 MiB). There the AP
 * takes the stack, IDT and C function that lg_start_ap() left in the
 * lg_ap_* variables, says it arrived, and calls fn(arg) with interrupts off.
 */
	.text
	.code16
	.globl lg_ap_tramp, lg_ap_tramp_end
lg_ap_tramp:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl ap_gdt_desc - lg_ap_tramp
	movl %cr0, %eax
	orl $1, %eax		/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $lg_ap_pm32

	.balign 4
	.word 0
ap_gdt_desc:
	.word ap_gdt_end - ap_gdt - 1
	.long ap_gdt
lg_ap_tramp_end:

	.code32
lg_ap_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl lg_ap_stack, %esp
	xorl %ebp, %ebp
	pushl $0x2		/* EFLAGS: interrupts off */
	popfl
	lidt lg_ap_idtr
	movl $1, lg_ap_arrived
	pushl lg_ap_arg
	call *lg_ap_entry
	addl $4, %esp
1:	cli
	hlt
	jmp 1b

	.data
	.balign 8
	/* The same selectors as start.S: null, flat code 0x08, flat data 0x10. */
ap_gdt:
	.quad 0
	.quad 0x00CF9B000000FFFF
	.quad 0x00CF93000000FFFF
ap_gdt_end:

	.globl lg_ap_stack, lg_ap_entry, lg_ap_arg, lg_ap_arrived, lg_ap_idtr
	.balign 4
lg_ap_stack:
	.long 0
lg_ap_entry:
	.long 0
lg_ap_arg:
	.long 0
lg_ap_arrived:
	.long 0
	.balign 4
	.word 0
lg_ap_idtr:		/* limit, base: what SIDT stored on the caller */
	.word 0
	.long 0

	.section .note.GNU-stack, "", @progbits
