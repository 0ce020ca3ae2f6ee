// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for net/crc32.c: the values zlib.crc32() gives, which the
 * integration tests compare against longbus's `tcpcheck` and echo lines.
 * Context: host, cmocka, ASan/UBSan (Makefile: unit_src_crc32).
 */
#include "net/crc32.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void test_crc32_check_value_and_empty(void **state)
{
	(void)state;
	/* The CRC-32/IEEE check value of "123456789". */
	assert_int_equal(crc32_update(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(crc32_update(0, "", 0), 0);
	assert_int_equal(crc32_update(0, "a", 1), 0xe8b7be43);
}

static void test_crc32_in_pieces_equals_whole(void **state)
{
	static unsigned char buf[4096];
	uint32_t whole, parts = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	whole = crc32_update(0, buf, sizeof(buf));
	for (size_t off = 0, n = 1; off < sizeof(buf); off += n, n = n * 2 + 1) {
		if (off + n > sizeof(buf))
			n = sizeof(buf) - off;
		parts = crc32_update(parts, buf + off, n);
	}
	assert_int_equal(parts, whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_check_value_and_empty),
		cmocka_unit_test(test_crc32_in_pieces_equals_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
