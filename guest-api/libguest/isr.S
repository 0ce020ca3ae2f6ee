/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 256 interrupt entry stubs and their common path (see idt.c).
 *
 * Each stub is 16 bytes at lg_isr_stubs + 16 * vector, so idt.c computes
 * gate addresses without a table. A stub pushes a dummy error code for the
 * vectors where the CPU pushes none, then the vector; the common path saves
 * the registers with PUSHA and calls lg_isr_dispatch(struct lg_frame *).
 * Same privilege level only (the guest runs in ring 0), so the CPU pushes
 * EIP, CS, EFLAGS and no stack switch happens.
 */
	.text
	.code32
	.balign 16
	.globl lg_isr_stubs
lg_isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* The CPU pushes an error code for #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp lg_isr_common
	.set vec, vec + 1
	.endr
	.globl lg_isr_stubs_end
lg_isr_stubs_end:

lg_isr_common:
	pushal
	cld
	pushl %esp		/* struct lg_frame * */
	call lg_isr_dispatch
	addl $4, %esp
	popal
	addl $8, %esp		/* vector, error code */
	iretl

	.section .note.GNU-stack, "", @progbits
