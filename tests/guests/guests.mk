# SPDX-License-Identifier: GPL-2.0-only
#
# Test guests: tests/guests/<name>.c + guest-api/libguest -> build/guests/<name>.elf,
# ELF32 Multiboot kernels linked at 1 MiB (guest-api/libguest/guest.ld). Each also
# boots under plain `qemu-system-i386 -kernel` for cross-checking.
#
# Included by the top Makefile; uses its CC, LD and BUILD when set.
#   make guests              build every guest
#   make guest-api-check     every guest-api header compiles alone, for the guests
#                            (-m32) and for the core (-mcmodel=kernel)
#
# Needs nothing beyond gcc and binutils: -m32 -ffreestanding -nostdlib uses only
# GCC's own freestanding headers (stdint.h, stddef.h, stdarg.h, stdbool.h), no
# libc and no libgcc, so gcc-multilib is not required.

BUILD     ?= build
GUEST_DIR := $(BUILD)/guests
GUEST_LDS := guest-api/libguest/guest.ld

GUEST_CFLAGS := -std=gnu11 -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -nostdlib \
	-fno-stack-protector -mno-sse -mno-mmx -mno-80387 -O2 -g -Wall -Wextra -Werror \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -I. -MMD -MP
GUEST_ASFLAGS := -m32 -g -I. -MMD -MP
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	-T $(GUEST_LDS)

GUEST_NAMES   := $(patsubst tests/guests/%.c,%,$(wildcard tests/guests/*.c))
GUEST_ELFS    := $(patsubst %,$(GUEST_DIR)/%.elf,$(GUEST_NAMES))
LIBGUEST_SRCS := $(wildcard guest-api/libguest/*.c guest-api/libguest/*.S)
LIBGUEST_OBJS := $(patsubst guest-api/libguest/%,$(GUEST_DIR)/libguest/%.o,$(LIBGUEST_SRCS))

.PHONY: guests guest-api-check
guests: $(GUEST_ELFS)

# Keep the objects: they come from chained pattern rules, which make would delete.
.SECONDARY: $(LIBGUEST_OBJS) $(GUEST_ELFS:.elf=.o)

$(GUEST_DIR)/libguest/%.c.o: guest-api/libguest/%.c
	@mkdir -p $(dir $@)
	@echo "  CC [guest] $<"
	@$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_DIR)/libguest/%.S.o: guest-api/libguest/%.S
	@mkdir -p $(dir $@)
	@echo "  AS [guest] $<"
	@$(CC) $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_DIR)/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC [guest] $<"
	@$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_DIR)/%.elf: $(GUEST_DIR)/%.o $(LIBGUEST_OBJS) $(GUEST_LDS)
	@echo "  LD [guest] $@"
	@$(LD) $(GUEST_LDFLAGS) -o $@ $< $(LIBGUEST_OBJS)

# Headers stand alone (STYLE 17), in both worlds that include them.
GUEST_API_HDRS := $(wildcard guest-api/*.h)
guest-api-check:
	@set -e; for h in $(GUEST_API_HDRS) guest-api/libguest/libguest.h; do \
		echo "  HDR [guest] $$h"; \
		echo "#include \"$$h\"" | $(CC) $(filter-out -MMD -MP,$(GUEST_CFLAGS)) \
			-fsyntax-only -x c -; \
	done; \
	for h in $(GUEST_API_HDRS); do \
		echo "  HDR [core]  $$h"; \
		echo "#include \"$$h\"" | $(CC) -std=c11 -ffreestanding -fno-builtin -nostdinc \
			-isystem $$($(CC) -print-file-name=include) -mno-red-zone -mcmodel=kernel \
			-fno-pic -mgeneral-regs-only -Wall -Wextra -Werror -I. -fsyntax-only -x c -; \
	done

-include $(LIBGUEST_OBJS:.o=.d) $(GUEST_ELFS:.elf=.d)
