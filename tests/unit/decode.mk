# SPDX-License-Identifier: GPL-2.0-only
#
# The decoder's unit test. Its vector table is generated: GNU as assembles
# tests/unit/decode_vectors.txt and objdump reads the bytes back, so the
# expected bytes and lengths come from binutils (tools/gen-decode-vectors.py).
#
# Included by the top-level Makefile after the unit_src_* lines, with
# `decode` in UNIT_TESTS; the generic $(BUILD)/unit/test_% rule builds it.

unit_src_decode := vmm/decode.c

DECODE_VECTORS := $(BUILD)/unit/decode_vectors.h

$(DECODE_VECTORS): tools/gen-decode-vectors.py tests/unit/decode_vectors.txt
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@$(PYTHON) tools/gen-decode-vectors.py -o $@ tests/unit/decode_vectors.txt

# Extra prerequisites only; the recipe stays the pattern rule's, whose $< is
# still tests/unit/test_decode.c. The unit rule tracks no headers, hence
# vmm/decode.h here.
$(BUILD)/unit/test_decode: $(DECODE_VECTORS) vmm/decode.h
$(BUILD)/unit/test_decode: HOST_CFLAGS += -I$(BUILD)/unit
