/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * void svm_enter(u64 *gpr, paddr_t vmcb, paddr_t host_save)
 *
 * VMRUN with the guest's general registers from gpr[] (RAX and RSP live in
 * the VMCB). VMRUN does not switch FS, GS, TR, LDTR, KernelGsBase or the
 * SYSCALL MSRs, so the host's are parked with VMSAVE in host_save and the
 * guest's loaded with VMLOAD around it, and back afterwards (the host's GS
 * base is this CPU's struct pcpu). Called with GIF = 0 (CLGI).
 */
	.text
	.globl svm_enter
svm_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi			/* gpr[] */
	pushq %rdx			/* host save area */
	pushq %rsi			/* VMCB */
	movq %rdx, %rax
	vmsave %rax
	movq 1*8(%rdi), %rcx
	movq 2*8(%rdi), %rdx
	movq 3*8(%rdi), %rbx
	movq 5*8(%rdi), %rbp
	movq 6*8(%rdi), %rsi
	movq 8*8(%rdi), %r8
	movq 9*8(%rdi), %r9
	movq 10*8(%rdi), %r10
	movq 11*8(%rdi), %r11
	movq 12*8(%rdi), %r12
	movq 13*8(%rdi), %r13
	movq 14*8(%rdi), %r14
	movq 15*8(%rdi), %r15
	movq 7*8(%rdi), %rdi
	movq (%rsp), %rax		/* VMCB */
	vmload %rax
	vmrun %rax
	vmsave %rax
	pushq %rdi
	movq 3*8(%rsp), %rdi		/* gpr[]: above guest RDI, VMCB and host save */
	movq %rcx, 1*8(%rdi)
	movq %rdx, 2*8(%rdi)
	movq %rbx, 3*8(%rdi)
	movq %rbp, 5*8(%rdi)
	movq %rsi, 6*8(%rdi)
	movq %r8, 8*8(%rdi)
	movq %r9, 9*8(%rdi)
	movq %r10, 10*8(%rdi)
	movq %r11, 11*8(%rdi)
	movq %r12, 12*8(%rdi)
	movq %r13, 13*8(%rdi)
	movq %r14, 14*8(%rdi)
	movq %r15, 15*8(%rdi)
	popq %rax
	movq %rax, 7*8(%rdi)
	popq %rax			/* VMCB */
	popq %rax			/* host save area */
	vmload %rax
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack,"",@progbits
