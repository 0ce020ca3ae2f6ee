/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * int vmx_enter(u64 *gpr, int launched)
 *
 * Loads the guest's general registers from gpr[] (x86 numbering, RSP
 * skipped: the VMCS holds it), enters with VMLAUNCH or VMRESUME, and on the
 * next VM exit stores them back. Returns 0 after an exit, 1 when the entry
 * instruction itself failed (VMfail; the VM-instruction error field says
 * why). HOST_RSP is written here so the exit lands on this very frame,
 * whose top holds gpr.
 */
	.text
	.globl vmx_enter, vmx_exit_point
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi
	movl $0x6c14, %eax		/* VMCS_HOST_RSP */
	vmwrite %rsp, %rax
	jbe .Lfailed
	testl %esi, %esi		/* flags survive the loads below */
	movq 0*8(%rdi), %rax
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
	jnz 1f
	vmlaunch
	jmp .Lfailed
1:	vmresume
.Lfailed:
	popq %rdi
	movl $1, %eax
	jmp .Lreturn

vmx_exit_point:
	pushq %rdi			/* guest RDI */
	movq 8(%rsp), %rdi		/* gpr[] */
	movq %rax, 0*8(%rdi)
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
	popq %rdi
	xorl %eax, %eax
.Lreturn:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack,"",@progbits
