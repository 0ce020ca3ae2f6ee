#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Generates the symbol table the core uses for stack traces.
#   tools/gen-ksyms.sh core.elf > ksyms.S     (table of the given image)
#   tools/gen-ksyms.sh --empty > ksyms0.S      (for the first link)
set -eu
emit() {
	printf '\t.section .ksyms, "a"\n\t.balign 8\n'
	printf '\t.globl ksyms_count, ksyms_table, ksyms_names\n'
}
if [ "$1" = "--empty" ]; then
	emit
	printf 'ksyms_count:\n\t.quad 0\nksyms_table:\nksyms_names:\n\t.byte 0\n'
	printf '\t.section .note.GNU-stack,"",@progbits\n'
	exit 0
fi
nm -n "$1" | awk 'BEGIN { n = 0 }

	$2 ~ /^[tT]$/ { addr[n] = $1; name[n] = $3; n++ }
	END {
		printf "ksyms_count:\n\t.quad %d\nksyms_table:\n", n
		off = 0
		for (i = 0; i < n; i++) {
			printf "\t.quad 0x%s, %d\n", addr[i], off
			off += length(name[i]) + 1
		}
		printf "ksyms_names:\n"
		for (i = 0; i < n; i++)
			printf "\t.asciz \"%s\"\n", name[i]
	}' | { emit; cat; printf '\t.section .note.GNU-stack,"",@progbits\n'; }
