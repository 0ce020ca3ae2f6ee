/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt and exception entry stubs: one per vector, pushing a dummy
 * error code where the CPU pushes none, so that every frame has the shape
 * of struct trap_frame (kernel/trap.h). The table isr_stubs[] holds their
 * addresses for idt_init().
 */
	.text

/* Vectors for which the CPU pushes an error code (SDM vol. 3, table 6-1). */
.macro stub vec
	.balign 16
isr_stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

.altmacro
.set vec, 0
.rept 256
	stub %vec
	.set vec, vec + 1
.endr

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_entry
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq

.macro stub_addr vec
	.quad isr_stub_\vec
.endm

	.section .rodata
	.balign 8
	.globl isr_stubs
isr_stubs:
.set vec, 0
.rept 256
	stub_addr %vec
	.set vec, vec + 1
.endr

	.section .note.GNU-stack,"",@progbits
