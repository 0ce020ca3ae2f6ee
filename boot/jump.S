/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lb_jump_to_core(cr3, entry, stack_top, boot_info_pa) — SysV arguments in
 * rdi, rsi, rdx, rcx. Interrupts go off for good: the core installs its own
 * IDT before it enables them. The loader's code stays reachable after the
 * CR3 write because the bootstrap tables identity-map low memory.
 */
	.text
	.globl lb_jump_to_core
lb_jump_to_core:
	cli
	mov %rdi, %cr3
	mov %rdx, %rsp
	xor %ebp, %ebp
	mov %rcx, %rdi
	/* A fake return address of 0 ends the core's stack traces. */
	pushq $0
	jmp *%rsi

	.section .note.GNU-stack,"",@progbits
