/* SPDX-License-Identifier: GPL-2.0-only */
/* The core image (build/core.bin), embedded so longbus.efi is one file. */
	.section .data
	.balign 4096
	.globl core_blob_start, core_blob_end
core_blob_start:
	.incbin CORE_BIN
core_blob_end:

	.section .note.GNU-stack,"",@progbits
