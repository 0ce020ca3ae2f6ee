// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for kernel/lib/format.c (kvsnprintf/ksnprintf).
 *
 * Context: host, cmocka, built with ASan/UBSan:
 *   gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined -I. \
 *       tests/unit/test_format.c kernel/lib/format.c -lcmocka -o test_format
 *
 * libc's snprintf is the oracle: every vector is formatted by both and must
 * agree on the text and the return value, and again at every buffer size
 * from 0 to one past the full length, so truncation and the terminating NUL
 * are checked at each cut. Cases where C leaves the result open (NULL %s,
 * unknown conversions) have their own tests against fixed strings.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/klib.h"

#define BUF 512
#define CANARY 0x5a

/*
 * Format with both printfs at every buffer size 0..len+1 and compare.
 * Bytes past the size given must stay untouched (canary).
 */
static void check_both_v(const char *fmt, va_list ap)
{
	char want[BUF], got[BUF + 8];
	va_list aq;
	int wlen, glen;
	size_t size, i;

	va_copy(aq, ap);
	wlen = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	assert_true(wlen >= 0 && wlen < BUF);

	for (size = 0; size <= (size_t)wlen + 1; size++) {
		memset(got, CANARY, sizeof(got));
		va_copy(aq, ap);
		glen = kvsnprintf(size ? got : NULL, size, fmt, aq);
		va_end(aq);
		assert_int_equal(glen, wlen);
		if (size) {
			size_t n = (size_t)wlen < size - 1 ? (size_t)wlen : size - 1;

			assert_memory_equal(got, want, n);
			assert_int_equal(got[n], '\0');
		}
		for (i = size; i < sizeof(got); i++)
			assert_int_equal((unsigned char)got[i], CANARY);
	}
}

static void __attribute__((format(printf, 1, 2))) check_both(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_both_v(fmt, ap);
	va_end(ap);
}

/* Our output alone, for cases where libc is not the reference. */
static void __attribute__((format(printf, 2, 3))) check_ours(const char *want, const char *fmt, ...)
{
	char got[BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	assert_string_equal(got, want);
	assert_int_equal(n, (int)strlen(want));
}

static void test_format_plain_text_and_percent(void **state)
{
	(void)state;
	check_both("hello, world");
	check_both("100%%");
	check_both("%%%%%%");
	check_both("a%%b%%c");
}

static void test_format_signed_decimal_matches_libc(void **state)
{
	static const int v[] = { 0, 1, -1, 7, -7, 42, 1000000, -1000000, INT_MAX, INT_MIN };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check_both("%d", v[i]);
		check_both("%i", v[i]);
		check_both("[%5d]", v[i]);
		check_both("[%-5d]", v[i]);
		check_both("[%05d]", v[i]);
		check_both("[%+d]", v[i]);
		check_both("[% d]", v[i]);
		check_both("[%+08d]", v[i]);
		check_both("[% 08d]", v[i]);
		check_both("[%-+8d]", v[i]);
		check_both("[%.3d]", v[i]);
		check_both("[%8.3d]", v[i]);
		check_both("[%-8.3d]", v[i]);
		check_both("[%.0d]", v[i]);
		check_both("[%5.0d]", v[i]);
		check_both("[%+.0d]", v[i]);
		check_both("[%.12d]", v[i]);
		check_both("[%20d]", v[i]);
	}
}

static void test_format_unsigned_and_hex_match_libc(void **state)
{
	static const unsigned v[] = { 0, 1, 9, 10, 15, 16, 255, 0xdeadbeef, UINT_MAX };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check_both("%u %x %X", v[i], v[i], v[i]);
		check_both("[%8u] [%-8x] [%08X]", v[i], v[i], v[i]);
		check_both("[%#x] [%#X] [%#10x] [%#-10x] [%#010x]", v[i], v[i], v[i], v[i], v[i]);
		check_both("[%.4x] [%#.4x] [%10.4X] [%.0x] [%#.0x]", v[i], v[i], v[i], v[i], v[i]);
	}
}

static void test_format_length_modifiers_match_libc(void **state)
{
	(void)state;
	check_both("%hhd %hhu %hhx", (signed char)-128, (unsigned char)255, (unsigned char)0xab);
	check_both("%hd %hu %hx", (short)-32768, (unsigned short)65535, (unsigned short)0xbeef);
	check_both("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
	check_both("%lld %llu %llX", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	check_both("%lld %lld", LLONG_MAX, -1LL);
	check_both("%zu %zx %zd", SIZE_MAX, (size_t)0x1234, (long)-5);
	check_both("%jd %ju", INTMAX_MIN, UINTMAX_MAX);
	check_both("%td %tx", (ptrdiff_t)-12345, (ptrdiff_t)0x7fff);
	check_both("[%020lld] [%-+20lld] [%.25llu]", LLONG_MIN, LLONG_MAX, ULLONG_MAX);
	check_both("[%#llx] [%#018llx]", 0x123456789abcdefULL, 1ULL);
}

static void test_format_strings_and_chars_match_libc(void **state)
{
	(void)state;
	check_both("%s", "abc");
	check_both("%s|%s", "", "x");
	check_both("[%10s] [%-10s]", "abc", "abc");
	check_both("[%.2s] [%.0s] [%.10s]", "abcdef", "abcdef", "abc");
	check_both("[%8.3s] [%-8.3s]", "abcdef", "abcdef");
	check_both("[%2s]", "longer than width");
	check_both("%c%c%c", 'a', 'b', 'c');
	check_both("[%5c] [%-5c] [%1c]", 'x', 'y', 'z');
	check_both("%c", 0xe9);
	check_both("%s=%d (%s)", "memory", 64, "MiB");
}

static void test_format_star_width_and_precision_match_libc(void **state)
{
	(void)state;
	check_both("[%*d]", 6, 42);
	check_both("[%*d]", -6, 42);
	check_both("[%-*d]", -6, 42);
	check_both("[%.*d]", 4, 42);
	check_both("[%.*d]", -1, 42);
	check_both("[%*.*s]", 8, 3, "abcdef");
	check_both("[%.*s]", 2, "abcdef");
	check_both("[%.*s]", -3, "abcdef");
	check_both("[%*s]", 0, "a");
}

static void test_format_pointers_match_glibc(void **state)
{
	int x;

	(void)state;
	check_both("%p", (void *)&x);
	check_both("%p", (void *)(uintptr_t)0x1000);
	check_both("[%20p] [%-20p]", (void *)&x, (void *)&x);
	check_both("%p", (void *)UINTPTR_MAX);
	check_both("%p", (void *)NULL);
	check_both("[%10p] [%-10p]", (void *)NULL, (void *)NULL);
}

/* Every flag/width/precision combination C defines for the integer conversions. */
static void test_format_integer_flag_matrix_matches_libc(void **state)
{
	static const char *const flags[] = { "", "-", "0", "+", " ", "-0", "+0", "- ", "0 ", "-+" };
	static const char *const widths[] = { "", "1", "3", "12" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".5" };
	static const char convs[] = "diuxX";
	static const int vals[] = { 0, 1, -1, 255, -4096, INT_MAX, INT_MIN };
	char fmt[32];
	size_t f, w, p, c, v, n = 0;

	(void)state;
	for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
		for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
			for (p = 0; p < sizeof(precs) / sizeof(precs[0]); p++)
				for (c = 0; convs[c]; c++)
					for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%c>", flags[f],
							 widths[w], precs[p], convs[c]);
						check_both(fmt, vals[v]);
						n++;
					}
	assert_true(n > 5000);
}

static void test_format_returns_would_be_length_when_truncated(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(ksnprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(ksnprintf(NULL, 0, "%d-%s", 12345, "xyz"), 9);
	memset(buf, 'Q', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 0, "abc"), 3);
	assert_int_equal(buf[0], 'Q');
}

static void test_format_truncation_never_splits_past_size(void **state)
{
	char buf[64];
	size_t size;
	int n;

	(void)state;
	for (size = 1; size < sizeof(buf); size++) {
		memset(buf, CANARY, sizeof(buf));
		n = ksnprintf(buf, size, "%08x:%-6s|%+d", 0xbeefu, "ab", -3);
		assert_int_equal(n, 18);
		assert_memory_equal(buf, "0000beef:ab    |-3", strlen(buf));
		assert_int_equal(strlen(buf), size - 1 < 18 ? size - 1 : 18);
		if (size < sizeof(buf))
			assert_int_equal((unsigned char)buf[size], CANARY);
	}
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif
static void test_format_null_string_prints_null_marker(void **state)
{
	const char *null = NULL;

	(void)state;
	check_ours("(null)", "%s", null);
	check_ours("[  (null)]", "[%8s]", null);
	check_ours("[(null)  ]", "[%-8s]", null);
	check_ours("(nu", "%.3s", null);
}

/* hh and h convert the promoted int back to char/short, as C99 7.19.6.1p7 says. */
static void test_format_hh_and_h_truncate_wide_arguments(void **state)
{
	(void)state;
	check_both("%hhd %hhu %hhx", 300, 300, 0x1ff);
	check_both("%hhd %hhd", -129, 127);
	check_both("%hd %hu %hx", 70000, 70000, 0x1ffff);
	check_both("%hd", -32769);
}

/* Flags C defines as having no effect here; GCC warns, the output is still fixed. */
static void test_format_ignored_flags_match_libc(void **state)
{
	(void)state;
	check_both("");
	check_both("[%08.3d] [%08.0d] [%-05d]", 42, 0, 7);
	check_both("[%+u] [% u] [%+x] [% X]", 5u, 5u, 0xabu, 0xabu);
}

static void test_format_unknown_conversion_is_copied_verbatim(void **state)
{
	(void)state;
	check_ours("a%qb", "a%qb");
	check_ours("%-5y!", "%-5y!");
	check_ours("tail %", "tail %");
	check_ours("tail %-08", "tail %-08");
	check_ours("x%lly", "x%lly");
}
/* A hostile width must not overflow int arithmetic (UBSan watches). */
static void test_format_huge_width_is_clamped_without_overflow(void **state)
{
	char buf[16];
	int n;

	(void)state;
	n = ksnprintf(buf, sizeof(buf), "%99999999999999999999d", 1);
	assert_int_equal(n, 4096);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	n = ksnprintf(buf, sizeof(buf), "%*d|", INT_MIN, 7);
	assert_int_equal(n, 4097);
	assert_int_equal(buf[0], '7');
	n = ksnprintf(buf, sizeof(buf), "%.*d", INT_MAX, 7);
	assert_int_equal(n, 4096);
	n = ksnprintf(buf, sizeof(buf), "%*s", 5000, "");
	assert_int_equal(n, 4096);
}
#pragma GCC diagnostic pop

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_plain_text_and_percent),
		cmocka_unit_test(test_format_signed_decimal_matches_libc),
		cmocka_unit_test(test_format_unsigned_and_hex_match_libc),
		cmocka_unit_test(test_format_length_modifiers_match_libc),
		cmocka_unit_test(test_format_strings_and_chars_match_libc),
		cmocka_unit_test(test_format_star_width_and_precision_match_libc),
		cmocka_unit_test(test_format_pointers_match_glibc),
		cmocka_unit_test(test_format_integer_flag_matrix_matches_libc),
		cmocka_unit_test(test_format_returns_would_be_length_when_truncated),
		cmocka_unit_test(test_format_truncation_never_splits_past_size),
		cmocka_unit_test(test_format_null_string_prints_null_marker),
		cmocka_unit_test(test_format_ignored_flags_match_libc),
		cmocka_unit_test(test_format_hh_and_h_truncate_wide_arguments),
		cmocka_unit_test(test_format_unknown_conversion_is_copied_verbatim),
		cmocka_unit_test(test_format_huge_width_is_clamped_without_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
