// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for kernel/config.c and kernel/config_types.c: the value
 * types, the schema, the line parser, its error messages and line numbers,
 * and hostile input.
 *
 * Context: host, cmocka, built with ASan/UBSan:
 *   gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined -I. \
 *       tests/unit/test_config.c kernel/config.c kernel/config_types.c \
 *       kernel/lib/format.c -lcmocka -o test_config
 *
 * Every config text goes through parse_exact(), which copies it into a
 * malloc'd buffer of exactly its length with no NUL after it: a read past
 * len is an ASan error, not a silent pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/config.h"
#include "kernel/config_types.h"
#include "kernel/errno.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static struct lb_config cfg;
static struct cfg_error err;

/* ---- helpers ------------------------------------------------------------ */

static int parse_exact(const char *text, size_t len)
{
	char *buf = malloc(len ? len : 1);
	int rc;

	assert_non_null(buf);
	memcpy(buf, text, len);
	rc = config_parse(len ? buf : NULL, len, &cfg, &err);
	free(buf);
	return rc;
}

static int parse(const char *text)
{
	return parse_exact(text, strlen(text));
}

static void expect_ok(const char *text)
{
	int rc = parse(text);

	if (rc)
		fail_msg("unexpected error at line %u: %s", err.line, err.msg);
}

static void expect_error_exact(const char *text, size_t len, unsigned line, const char *substr)
{
	int rc = parse_exact(text, len);

	assert_int_equal(rc, -EINVAL);
	assert_true(err.msg[0] != '\0');
	assert_true(strlen(err.msg) < CFG_MSG_MAX);
	if (err.line != line || !strstr(err.msg, substr))
		fail_msg("want line %u '%s', got line %u '%s'", line, substr, err.line, err.msg);
}

static void expect_error(const char *text, unsigned line, const char *substr)
{
	expect_error_exact(text, strlen(text), line, substr);
}

/* Messages are checked whole where the wording is part of the contract. */
static void expect_message(const char *text, unsigned line, const char *msg)
{
	assert_int_equal(parse(text), -EINVAL);
	assert_int_equal(err.line, line);
	assert_string_equal(err.msg, msg);
}

static unsigned count_lines(const char *text, size_t len)
{
	unsigned n = 1;
	size_t i;

	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

/* Copy a string into an exact-size buffer so type parsers meet no NUL either. */
static char *exact(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

static int try_size(const char *s, u64 *v)
{
	char *p = exact(s);
	int rc = cfg_parse_size(p, strlen(s), v, &err);

	free(p);
	return rc;
}

static int try_duration(const char *s, u64 *v)
{
	char *p = exact(s);
	int rc = cfg_parse_duration(p, strlen(s), v, &err);

	free(p);
	return rc;
}

static int try_u32(const char *s, u32 *v)
{
	char *p = exact(s);
	int rc = cfg_parse_u32(p, strlen(s), v, &err);

	free(p);
	return rc;
}

static int try_cpus(const char *s, struct cpuset *set)
{
	char *p = exact(s);
	int rc = cfg_parse_cpus(p, strlen(s), set, &err);

	free(p);
	return rc;
}

/* ---- value types --------------------------------------------------------- */

struct u64_vec {
	const char *s;
	int rc;
	u64 v;
};

static void test_size_accepts_numbers_and_binary_suffixes(void **state)
{
	static const struct u64_vec vec[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "4096", 0, 4096 },
		{ "0x1000", 0, 4096 },
		{ "0X1000", 0, 4096 },
		{ "1K", 0, 1024 },
		{ "1k", 0, 1024 },
		{ "64M", 0, 64 * MiB },
		{ "64m", 0, 64 * MiB },
		{ "64MiB", 0, 64 * MiB },
		{ "64MB", 0, 64 * MiB },
		{ "64mib", 0, 64 * MiB },
		{ "64mb", 0, 64 * MiB },
		{ "2G", 0, 2 * GiB },
		{ "3T", 0, 3ULL << 40 },
		{ "0x10M", 0, 16 * MiB },
		{ "0x1B", 0, 0x1b }, /* hex digits are read greedily */
		{ "007M", 0, 7 * MiB },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "16777215T", 0, 16777215ULL << 40 },
	};
	size_t i;
	u64 v;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		v = 12345;
		if (try_size(vec[i].s, &v) != 0)
			fail_msg("size '%s' rejected: %s", vec[i].s, err.msg);
		assert_int_equal(v, vec[i].v);
	}
}

static void test_size_rejects_junk_and_overflow(void **state)
{
	static const struct u64_vec vec[] = {
		{ "", -EINVAL, 0 },	   { "M", -EINVAL, 0 },	     { "64Q", -EINVAL, 0 },
		{ "64 M", -EINVAL, 0 },	   { "-1", -EINVAL, 0 },     { "+1", -EINVAL, 0 },
		{ "1.5G", -EINVAL, 0 },	   { "64MM", -EINVAL, 0 },   { "64Mi", -EINVAL, 0 },
		{ "64MiBB", -EINVAL, 0 },  { "64B", -EINVAL, 0 },    { "64iB", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },	   { "0xM", -EINVAL, 0 },    { " 64M", -EINVAL, 0 },
		{ "64M ", -EINVAL, 0 },	   { "64P", -EINVAL, 0 },    { "1e6", -EINVAL, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "99999999999999999999M", -ERANGE, 0 },
		{ "16777216T", -ERANGE, 0 },
		{ "17179869184G", -ERANGE, 0 },
	};
	size_t i;
	u64 v;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		err.msg[0] = '\0';
		if (try_size(vec[i].s, &v) != vec[i].rc)
			fail_msg("size '%s' did not give %d", vec[i].s, vec[i].rc);
		assert_true(err.msg[0] != '\0');
	}
	assert_int_equal(try_size("64Q", &v), -EINVAL);
	assert_string_equal(err.msg, "bad size '64Q' (use a number with K, M, G or T, e.g. 64M)");
}

static void test_duration_requires_unit_and_detects_overflow(void **state)
{
	static const struct u64_vec vec[] = {
		{ "0ns", 0, 0 },
		{ "1ns", 0, 1 },
		{ "10us", 0, 10000 },
		{ "10ms", 0, 10000000 },
		{ "5s", 0, 5000000000ULL },
		{ "18446744073709551615ns", 0, UINT64_MAX },
		{ "18446744073s", 0, 18446744073000000000ULL },
		{ "10", -EINVAL, 0 },
		{ "10m", -EINVAL, 0 },
		{ "10 ms", -EINVAL, 0 },
		{ "ms", -EINVAL, 0 },
		{ "10MS", -EINVAL, 0 },
		{ "0x10ms", -EINVAL, 0 },
		{ "-1s", -EINVAL, 0 },
		{ "1.5s", -EINVAL, 0 },
		{ "10sec", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "18446744074s", -ERANGE, 0 },
		{ "18446744073709551616ns", -ERANGE, 0 },
		{ "99999999999999999999999ms", -ERANGE, 0 },
	};
	size_t i;
	u64 v;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		v = 7;
		if (try_duration(vec[i].s, &v) != vec[i].rc)
			fail_msg("duration '%s' did not give %d (%s)", vec[i].s, vec[i].rc, err.msg);
		if (!vec[i].rc)
			assert_int_equal(v, vec[i].v);
	}
	assert_int_equal(try_duration("10", &v), -EINVAL);
	assert_non_null(strstr(err.msg, "has no unit"));
}

static void test_u32_accepts_decimal_and_hex_within_32_bits(void **state)
{
	static const struct u64_vec vec[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "0x2a", 0, 42 },
		{ "0X2A", 0, 42 },
		{ "4294967295", 0, UINT32_MAX },
		{ "0xffffffff", 0, UINT32_MAX },
		{ "4294967296", -ERANGE, 0 },
		{ "0x100000000", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ "1k", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "12 ", -EINVAL, 0 },
		{ "1_000", -EINVAL, 0 },
		{ "0x1g", -EINVAL, 0 },
	};
	size_t i;
	u32 v;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		v = 7;
		if (try_u32(vec[i].s, &v) != vec[i].rc)
			fail_msg("u32 '%s' did not give %d", vec[i].s, vec[i].rc);
		if (!vec[i].rc)
			assert_int_equal(v, vec[i].v);
	}
}

static void test_bool_accepts_documented_spellings_only(void **state)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	static const char *const bad[] = { "On", "ON", "2", "", "enabled", "of", "yes ", "y" };
	size_t i;
	bool b;

	(void)state;
	for (i = 0; i < 4; i++) {
		b = false;
		assert_int_equal(cfg_parse_bool(yes[i], strlen(yes[i]), &b, &err), 0);
		assert_true(b);
		assert_int_equal(cfg_parse_bool(no[i], strlen(no[i]), &b, &err), 0);
		assert_false(b);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cfg_parse_bool(bad[i], strlen(bad[i]), &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "use on or off"));
}

static void test_enum_matches_exact_names_and_lists_choices(void **state)
{
	static const struct cfg_name colours[] = { { "red", 1 }, { "green", 2 }, { NULL, 0 } };
	u32 v = 0;

	(void)state;
	assert_int_equal(cfg_parse_enum("green", 5, colours, &v, &err), 0);
	assert_int_equal(v, 2);
	/* A prefix of the buffer must not match a longer name. */
	assert_int_equal(cfg_parse_enum("gre", 3, colours, &v, &err), -EINVAL);
	assert_int_equal(cfg_parse_enum("RED", 3, colours, &v, &err), -EINVAL);
	assert_int_equal(cfg_parse_enum("redd", 4, colours, &v, &err), -EINVAL);
	assert_int_equal(cfg_parse_enum("", 0, colours, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "red, green"));
}

static void test_ipv4_parses_dotted_quads_and_rejects_junk(void **state)
{
	static const struct u64_vec vec[] = {
		{ "0.0.0.0", 0, 0 },
		{ "255.255.255.255", 0, 0xffffffff },
		{ "10.0.0.1", 0, 0x0a000001 },
		{ "192.168.1.254", 0, 0xc0a801fe },
		{ "256.0.0.1", -ERANGE, 0 },
		{ "1.2.3.999", -ERANGE, 0 },
		{ "1.2.3", -EINVAL, 0 },
		{ "1.2.3.4.5", -EINVAL, 0 },
		{ "01.2.3.4", -EINVAL, 0 },
		{ "1..2.3", -EINVAL, 0 },
		{ " 1.2.3.4", -EINVAL, 0 },
		{ "1.2.3.4 ", -EINVAL, 0 },
		{ "a.b.c.d", -EINVAL, 0 },
		{ "1.2.3.-4", -EINVAL, 0 },
		{ "1234.1.1.1", -EINVAL, 0 },
		{ "1.2.3.4/24", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "0x7f.0.0.1", -EINVAL, 0 },
	};
	size_t i;
	u32 v;
	char *p;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		p = exact(vec[i].s);
		v = 7;
		if (cfg_parse_ipv4(p, strlen(vec[i].s), &v, &err) != vec[i].rc)
			fail_msg("ipv4 '%s' did not give %d", vec[i].s, vec[i].rc);
		if (!vec[i].rc)
			assert_int_equal(v, vec[i].v);
		free(p);
	}
}

static void test_ipv4_prefix_needs_length_up_to_32(void **state)
{
	static const struct u64_vec vec[] = {
		{ "10.0.0.0/24", 0, 0x0a000000ULL << 8 | 24 },
		{ "0.0.0.0/0", 0, 0 },
		{ "10.0.0.2/32", 0, 0x0a000002ULL << 8 | 32 },
		{ "1.2.3.4/8", 0, 0x01020304ULL << 8 | 8 },
		{ "10.0.0.0/33", -ERANGE, 0 },
		{ "10.0.0.0/99999999999999999999", -ERANGE, 0 },
		{ "300.0.0.0/8", -ERANGE, 0 },
		{ "10.0.0.0", -EINVAL, 0 },
		{ "10.0.0.0/", -EINVAL, 0 },
		{ "10.0.0.0/024", -EINVAL, 0 },
		{ "10.0.0.0/-1", -EINVAL, 0 },
		{ "/24", -EINVAL, 0 },
		{ "10.0.0.0/24/1", -EINVAL, 0 },
		{ "10.0.0.0/ 24", -EINVAL, 0 },
		{ "10.0.0.0/0x10", -EINVAL, 0 },
	};
	struct cfg_ipv4_prefix pfx;
	size_t i;
	char *p;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		p = exact(vec[i].s);
		if (cfg_parse_ipv4_prefix(p, strlen(vec[i].s), &pfx, &err) != vec[i].rc)
			fail_msg("prefix '%s' did not give %d", vec[i].s, vec[i].rc);
		if (!vec[i].rc) {
			assert_int_equal(pfx.addr, vec[i].v >> 8);
			assert_int_equal(pfx.len, vec[i].v & 0xff);
		}
		free(p);
	}
}

static void test_mac_takes_six_hex_pairs_any_case(void **state)
{
	static const char *const bad[] = {
		"52:54:00:12:34", "52-54-00-12-34-56", "52:54:00:12:34:5g", "525400123456",
		"52:54:00:12:34:56:", "2:54:00:12:34:56a", "", "52:54:00:12:34:56 ",
		"52:54:00:12:3:456",
	};
	struct cfg_mac mac;
	size_t i;
	char *p;

	(void)state;
	assert_int_equal(cfg_parse_mac("52:54:00:12:34:56", 17, &mac, &err), 0);
	assert_memory_equal(mac.b, "\x52\x54\x00\x12\x34\x56", 6);
	assert_int_equal(cfg_parse_mac("FF:ff:Aa:0b:00:09", 17, &mac, &err), 0);
	assert_memory_equal(mac.b, "\xff\xff\xaa\x0b\x00\x09", 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = exact(bad[i]);
		if (cfg_parse_mac(p, strlen(bad[i]), &mac, &err) != -EINVAL)
			fail_msg("mac '%s' accepted", bad[i]);
		free(p);
	}
}

static void test_bdf_accepts_both_forms_and_checks_dev_fn(void **state)
{
	static const struct {
		const char *s;
		int rc;
		u16 seg;
		u8 bus, dev, fn;
	} vec[] = {
		{ "00:1f.2", 0, 0, 0, 0x1f, 2 },
		{ "0000:00:1f.2", 0, 0, 0, 0x1f, 2 },
		{ "ff:1f.7", 0, 0, 0xff, 0x1f, 7 },
		{ "ffff:ff:1f.7", 0, 0xffff, 0xff, 0x1f, 7 },
		{ "1:2.3", 0, 0, 1, 2, 3 },
		{ "00:20.0", -ERANGE, 0, 0, 0, 0 },
		{ "00:1f.8", -ERANGE, 0, 0, 0, 0 },
		{ "00:1f", -EINVAL, 0, 0, 0, 0 },
		{ "001:00.0", -EINVAL, 0, 0, 0, 0 },
		{ "00000:00:00.0", -EINVAL, 0, 0, 0, 0 },
		{ "00.1f:2", -EINVAL, 0, 0, 0, 0 },
		{ "0:0:0:0.0", -EINVAL, 0, 0, 0, 0 },
		{ "g0:00.0", -EINVAL, 0, 0, 0, 0 },
		{ "00:1f.2 ", -EINVAL, 0, 0, 0, 0 },
		{ "00:1f.10", -EINVAL, 0, 0, 0, 0 },
		{ "", -EINVAL, 0, 0, 0, 0 },
		{ ":.", -EINVAL, 0, 0, 0, 0 },
	};
	struct cfg_bdf bdf;
	size_t i;
	char *p;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		p = exact(vec[i].s);
		if (cfg_parse_bdf(p, strlen(vec[i].s), &bdf, &err) != vec[i].rc)
			fail_msg("bdf '%s' did not give %d", vec[i].s, vec[i].rc);
		free(p);
		if (vec[i].rc)
			continue;
		assert_int_equal(bdf.seg, vec[i].seg);
		assert_int_equal(bdf.bus, vec[i].bus);
		assert_int_equal(bdf.dev, vec[i].dev);
		assert_int_equal(bdf.fn, vec[i].fn);
	}
}

static void test_cpus_parses_lists_and_ranges(void **state)
{
	struct cpuset set;

	(void)state;
	assert_int_equal(try_cpus("1-3,5", &set), 0);
	assert_int_equal(cpuset_count(&set), 4);
	assert_true(cpuset_has(&set, 1) && cpuset_has(&set, 3) && cpuset_has(&set, 5));
	assert_false(cpuset_has(&set, 0) || cpuset_has(&set, 4));
	assert_int_equal(try_cpus("0", &set), 0);
	assert_int_equal(cpuset_last(&set), 0);
	assert_int_equal(try_cpus("255", &set), 0);
	assert_int_equal(cpuset_last(&set), 255);
	assert_int_equal(try_cpus("0-255", &set), 0);
	assert_int_equal(cpuset_count(&set), 256);
	assert_int_equal(try_cpus("1, 3 - 4 ,63-64", &set), 0);
	assert_int_equal(cpuset_count(&set), 5);
	assert_int_equal(try_cpus("7,1", &set), 0);
	assert_int_equal(cpuset_count(&set), 2);
	assert_int_equal(try_cpus("4-4", &set), 0);
	assert_int_equal(cpuset_count(&set), 1);
}

static void test_cpus_rejects_bad_lists_repeats_and_big_cpus(void **state)
{
	static const struct u64_vec vec[] = {
		{ "", -EINVAL, 0 },	 { ",", -EINVAL, 0 },	  { "1,", -EINVAL, 0 },
		{ ",1", -EINVAL, 0 },	 { "1-", -EINVAL, 0 },	  { "-1", -EINVAL, 0 },
		{ "3-1", -EINVAL, 0 },	 { "1,1", -EINVAL, 0 },	  { "1-3,2", -EINVAL, 0 },
		{ "1--3", -EINVAL, 0 },	 { "1 2", -EINVAL, 0 },	  { "a", -EINVAL, 0 },
		{ "0x1", -EINVAL, 0 },	 { "1,,2", -EINVAL, 0 },  { "1;2", -EINVAL, 0 },
		{ "256", -ERANGE, 0 },	 { "0-256", -ERANGE, 0 }, { "99999999999999999999", -ERANGE, 0 },
		{ "1-99999999999999999999", -ERANGE, 0 },
	};
	struct cpuset set;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		if (try_cpus(vec[i].s, &set) != vec[i].rc)
			fail_msg("cpus '%s' did not give %d (%s)", vec[i].s, vec[i].rc, err.msg);
	}
	assert_int_equal(try_cpus("1-3,2", &set), -EINVAL);
	assert_string_equal(err.msg, "cpu 2 is listed twice in '1-3,2'");
	assert_int_equal(try_cpus("5-3", &set), -EINVAL);
	assert_non_null(strstr(err.msg, "write 3-5"));
}

static void test_string_is_printable_ascii_and_bounded(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(cfg_parse_string("abc", 3, out, sizeof(out), 0, &err), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(cfg_parse_string("a b=c~", 6, out, sizeof(out), 0, &err), 0);
	assert_string_equal(out, "a b=c~");
	assert_int_equal(cfg_parse_string("1234567", 7, out, sizeof(out), 0, &err), 0);
	assert_int_equal(cfg_parse_string("12345678", 8, out, sizeof(out), 0, &err), -ERANGE);
	assert_int_equal(cfg_parse_string("12345", 5, out, sizeof(out), 4, &err), -ERANGE);
	assert_int_equal(cfg_parse_string("1234", 4, out, sizeof(out), 4, &err), 0);
	assert_int_equal(cfg_parse_string("", 0, out, sizeof(out), 0, &err), -EINVAL);
	assert_int_equal(cfg_parse_string("a\x01", 2, out, sizeof(out), 0, &err), -EINVAL);
	assert_int_equal(cfg_parse_string("a\x7f", 2, out, sizeof(out), 0, &err), -EINVAL);
	assert_int_equal(cfg_parse_string("\xc3\xa9", 2, out, sizeof(out), 0, &err), -EINVAL);
	assert_int_equal(cfg_parse_string("a", 1, out, 0, 0, &err), -EINVAL);
}

/* Quoted input is bounded and cannot carry escape sequences to a console. */
static void test_messages_quote_long_and_unprintable_values_safely(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(cfg_parse_size("6\x1b[2J\x80", 6, &v, &err), -EINVAL);
	assert_string_equal(err.msg, "bad size '6?[2J?' (use a number with K, M, G or T, e.g. 64M)");
	expect_message("[longbus]\nmemory = 1234567890123456789012345678901234567890Q\n", 2,
		       "memory: bad size '1234567890123456789012345678901234567...' "
		       "(use a number with K, M, G or T, e.g. 64M)");
	expect_message("[longbus]\nmemory = 123456789012345678901234567890123456789Q\n", 2,
		       "memory: bad size '123456789012345678901234567890123456789Q' "
		       "(use a number with K, M, G or T, e.g. 64M)");
}

/* ---- schema and cfg_set_value ---------------------------------------------- */

/* A section struct with every type and a repeatable key, as later issues will add. */
struct test_sect {
	u64 disk[3];
	unsigned disk_line[3];
	unsigned ndisk;
	char path[16];
	struct cfg_mac mac;
	struct cfg_bdf bdf;
	struct cfg_ipv4_prefix net;
	u32 gw;
	u64 timeout;
	u8 small;
	bool flag;
};

#define TKEY(f) .off = offsetof(struct test_sect, f), \
	.size = sizeof(((struct test_sect *)0)->f), .line_off = CFG_NO_LINE, .count_off = CFG_NO_LINE

static const struct cfg_key test_keys[] = {
	{ .name = "disk", .type = CFG_T_SIZE, .flags = CFG_KEY_REPEAT,
	  .off = offsetof(struct test_sect, disk), .size = sizeof(u64),
	  .line_off = offsetof(struct test_sect, disk_line),
	  .count_off = offsetof(struct test_sect, ndisk), .max_count = 3, .max = UINT64_MAX },
	{ TKEY(path), .name = "path", .type = CFG_T_STRING, .max = 10 },
	{ TKEY(mac), .name = "mac", .type = CFG_T_MAC },
	{ TKEY(bdf), .name = "bdf", .type = CFG_T_BDF },
	{ TKEY(net), .name = "net", .type = CFG_T_IPV4_PREFIX },
	{ TKEY(gw), .name = "gw", .type = CFG_T_IPV4 },
	{ TKEY(timeout), .name = "timeout", .type = CFG_T_DURATION, .min = 1000000, .max = 10000000000ULL },
	{ TKEY(small), .name = "small", .type = CFG_T_U32, .min = 1, .max = 300 },
	{ TKEY(flag), .name = "flag", .type = CFG_T_BOOL },
	{ TKEY(gw), .name = "badsize", .type = CFG_T_BDF },
};

static int set(const struct cfg_key *key, struct test_sect *t, const char *s, unsigned line)
{
	return cfg_set_value(key, t, s, strlen(s), line, &err);
}

static void test_set_value_repeatable_key_fills_array_then_stops(void **state)
{
	struct test_sect t = { 0 };

	(void)state;
	assert_int_equal(set(&test_keys[0], &t, "1M", 4), 0);
	assert_int_equal(set(&test_keys[0], &t, "2M", 7), 0);
	assert_int_equal(set(&test_keys[0], &t, "3M", 9), 0);
	assert_int_equal(t.ndisk, 3);
	assert_int_equal(t.disk[0], 1 * MiB);
	assert_int_equal(t.disk[2], 3 * MiB);
	assert_int_equal(t.disk_line[1], 7);
	assert_int_equal(set(&test_keys[0], &t, "4M", 12), -EINVAL);
	assert_int_equal(err.line, 12);
	assert_string_equal(err.msg, "too many 'disk' keys (at most 3)");
	assert_int_equal(t.ndisk, 3);
}

static void test_set_value_stores_every_type_at_its_offset(void **state)
{
	struct test_sect t = { 0 };

	(void)state;
	assert_int_equal(set(&test_keys[1], &t, "/efi/a.img", 1), 0);
	assert_string_equal(t.path, "/efi/a.img");
	assert_int_equal(set(&test_keys[1], &t, "/efi/ab.img", 2), -EINVAL);
	assert_int_equal(set(&test_keys[2], &t, "02:00:00:00:00:01", 3), 0);
	assert_int_equal(t.mac.b[5], 1);
	assert_int_equal(set(&test_keys[3], &t, "03:00.1", 4), 0);
	assert_int_equal(t.bdf.bus, 3);
	assert_int_equal(t.bdf.fn, 1);
	assert_int_equal(set(&test_keys[4], &t, "10.1.0.0/16", 5), 0);
	assert_int_equal(t.net.len, 16);
	assert_int_equal(set(&test_keys[5], &t, "10.1.0.1", 6), 0);
	assert_int_equal(t.gw, 0x0a010001);
	assert_int_equal(set(&test_keys[6], &t, "5s", 7), 0);
	assert_int_equal(t.timeout, 5000000000ULL);
	assert_int_equal(set(&test_keys[7], &t, "0x20", 8), 0);
	assert_int_equal(t.small, 32);
	assert_int_equal(set(&test_keys[8], &t, "yes", 9), 0);
	assert_true(t.flag);
}

static void test_set_value_enforces_schema_ranges(void **state)
{
	struct test_sect t = { 0 };

	(void)state;
	assert_int_equal(set(&test_keys[6], &t, "999us", 3), -EINVAL);
	assert_string_equal(err.msg, "timeout: '999us' is below the minimum 1ms");
	assert_int_equal(set(&test_keys[6], &t, "11s", 4), -EINVAL);
	assert_string_equal(err.msg, "timeout: '11s' is above the maximum 10s");
	assert_int_equal(set(&test_keys[7], &t, "0", 5), -EINVAL);
	assert_string_equal(err.msg, "small: '0' is out of range (use 1..300)");
	assert_int_equal(set(&test_keys[7], &t, "301", 6), -EINVAL);
	assert_int_equal(err.line, 6);
}

/* The type parsers do not know the key; cfg_set_value() puts it in front. */
static void test_set_value_errors_start_with_the_key(void **state)
{
	struct test_sect t = { 0 };

	(void)state;
	assert_int_equal(set(&test_keys[0], &t, "1Q", 2), -EINVAL);
	assert_string_equal(err.msg, "disk: bad size '1Q' (use a number with K, M, G or T, e.g. 64M)");
	assert_int_equal(set(&test_keys[1], &t, "/efi/ab.img", 3), -EINVAL);
	assert_string_equal(err.msg, "path: '/efi/ab.img' is 11 characters long, the limit is 10");
	assert_int_equal(set(&test_keys[2], &t, "52-54-00-12-34-56", 4), -EINVAL);
	assert_string_equal(err.msg, "mac: bad MAC address '52-54-00-12-34-56' "
				     "(use six hex pairs, e.g. 52:54:00:12:34:56)");
	assert_int_equal(set(&test_keys[3], &t, "00:20.0", 5), -EINVAL);
	assert_string_equal(err.msg, "bdf: PCI address '00:20.0' is out of range "
				     "(device is 00..1f, function 0..7)");
	assert_int_equal(set(&test_keys[4], &t, "10.0.0.0/33", 6), -EINVAL);
	assert_string_equal(err.msg, "net: prefix length in '10.0.0.0/33' is above 32");
	assert_int_equal(set(&test_keys[5], &t, "1.2.3", 7), -EINVAL);
	assert_string_equal(err.msg, "gw: bad IPv4 address '1.2.3' (use four numbers 0..255, e.g. 10.0.0.1)");
	assert_int_equal(set(&test_keys[6], &t, "10m", 8), -EINVAL);
	assert_string_equal(err.msg, "timeout: bad duration '10m' (use a number with ns, us, ms or s, e.g. 10ms)");
	assert_int_equal(set(&test_keys[7], &t, "0x1g", 9), -EINVAL);
	assert_string_equal(err.msg, "small: bad number '0x1g' (use decimal or 0x hex, e.g. 42 or 0x2a)");
	assert_int_equal(set(&test_keys[8], &t, "maybe", 10), -EINVAL);
	assert_string_equal(err.msg, "flag: bad boolean 'maybe' (use on or off)");
	assert_int_equal(err.line, 10);
	/* Nothing was stored on the way. */
	assert_int_equal(t.ndisk, 0);
	assert_int_equal(t.path[0], '\0');
	assert_false(t.flag);
}

/* A schema row whose field is narrower than its range must fail loudly, not truncate. */
static void test_set_value_reports_schema_bugs(void **state)
{
	struct test_sect t = { 0 };

	(void)state;
	assert_int_equal(set(&test_keys[9], &t, "00:00.0", 2), -EINVAL);
	assert_string_equal(err.msg, "badsize: internal: field has the wrong size");
	assert_int_equal(t.gw, 0);
	/* "small" is a u8 whose schema range runs to 300. */
	assert_int_equal(set(&test_keys[7], &t, "255", 2), 0);
	assert_int_equal(t.small, 255);
	assert_int_equal(set(&test_keys[7], &t, "300", 3), -EINVAL);
	assert_string_equal(err.msg, "small: internal: field cannot hold 300");
	assert_int_equal(err.line, 3);
}

/* Every row's example value must parse: the hints quote them. */
static void test_schema_examples_are_valid_values(void **state)
{
	char text[256];
	size_t i;

	(void)state;
	assert_true(cfg_nkeys >= 8);
	for (i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		assert_non_null(k->name);
		assert_non_null(k->example);
		if (k->section == CFG_SECT_LONGBUS)
			snprintf(text, sizeof(text), "[longbus]\n%s = %s\n", k->name, k->example);
		else if (k->section == CFG_SECT_NET)
			/* gateway needs a static ip (with ip = dhcp it is an error). */
			snprintf(text, sizeof(text), "[net]\n%s%s = %s\n",
				 strcmp(k->name, "ip") ? "ip = 10.0.0.1/24\n" : "", k->name, k->example);
		else
			snprintf(text, sizeof(text), "[guest g]\ncpus = 0\nmemory = 2M\n%s = %s\n",
				 k->name, k->example);
		if (k->section == CFG_SECT_GUEST && (!strcmp(k->name, "cpus") || !strcmp(k->name, "memory")))
			snprintf(text, sizeof(text), "[guest g]\ncpus = 0\nmemory = 2M\n");
		expect_ok(text);
	}
}

static u64 read_field(const void *base, const struct cfg_key *k)
{
	u8 b;
	u16 h;
	u32 w;
	u64 q;

	switch (k->size) {
	case 1: memcpy(&b, (const u8 *)base + k->off, 1); return b;
	case 2: memcpy(&h, (const u8 *)base + k->off, 2); return h;
	case 4: memcpy(&w, (const u8 *)base + k->off, 4); return w;
	default: memcpy(&q, (const u8 *)base + k->off, 8); return q;
	}
}

/* Defaults, ranges and enum values must fit the field they are stored in. */
static void test_schema_defaults_and_ranges_fit_fields(void **state)
{
	const struct cfg_name *n;
	u64 field_max;
	size_t i;

	(void)state;
	expect_ok("[guest g]\ncpus = 0\nmemory = 2M\n[net]\n");
	for (i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const void *base = k->section == CFG_SECT_LONGBUS ? (const void *)&cfg.lb
				   : k->section == CFG_SECT_NET   ? (const void *)&cfg.net
								  : (const void *)&cfg.guests[0];

		if (k->type != CFG_T_SIZE && k->type != CFG_T_DURATION && k->type != CFG_T_U32 &&
		    k->type != CFG_T_ENUM && k->type != CFG_T_BOOL)
			continue;
		assert_true(k->size == 1 || k->size == 2 || k->size == 4 || k->size == 8);
		field_max = k->size == 8 ? UINT64_MAX : (1ULL << (8 * k->size)) - 1;
		if (k->type == CFG_T_U32)
			assert_true(k->min <= k->max && k->max <= field_max);
		for (n = k->names; n && n->name; n++)
			assert_true(n->value <= field_max);
		if (k->flags & CFG_KEY_REQUIRED)
			continue;
		if (read_field(base, k) != k->def)
			fail_msg("key '%s' default %llu not stored", k->name, (unsigned long long)k->def);
	}
}

/* ---- defaults, good configs ---------------------------------------------- */

static void assert_longbus_defaults(void)
{
	assert_int_equal(cfg.lb.serial_port, 0x3f8);
	assert_int_equal(cfg.lb.baud, 115200);
	assert_int_equal(cfg.lb.log_level, LOG_LEVEL_INFO);
	assert_int_equal(cfg.lb.memory, 64 * MiB);
	assert_int_equal(cfg.lb.service_cpu, 0);
	assert_false(cfg.lb.debug);
	assert_int_equal(cfg.lb.service_cpu_line, 0);
	assert_int_equal(cfg.lb.memory_line, 0);
	assert_int_equal(cfg.nguests, 0);
}

static void test_config_empty_file_gives_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse_exact("", 0), 0);
	assert_longbus_defaults();
	assert_false(cfg.have_longbus_section);
	assert_int_equal(parse(" \t\n\n  \r\n# only a comment\n"), 0);
	assert_longbus_defaults();
}

static void test_config_null_text_with_length_is_an_error(void **state)
{
	(void)state;
	assert_int_equal(config_parse(NULL, 5, &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 0);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(config_parse(NULL, 0, &cfg, &err), 0);
}

static void test_config_empty_longbus_section_gives_defaults(void **state)
{
	(void)state;
	expect_ok("[longbus]\n");
	assert_true(cfg.have_longbus_section);
	assert_longbus_defaults();
	expect_ok("[longbus]");
	assert_longbus_defaults();
}

static void test_config_sets_every_longbus_key(void **state)
{
	(void)state;
	expect_ok("[longbus]\n"
		  "serial = com2\n"
		  "baud = 9600\n"
		  "log_level = dbg\n"
		  "memory = 128M\n"
		  "service_cpu = 3\n"
		  "debug = on\n");
	assert_int_equal(cfg.lb.serial_port, 0x2f8);
	assert_int_equal(cfg.lb.baud, 9600);
	assert_int_equal(cfg.lb.log_level, LOG_LEVEL_DBG);
	assert_int_equal(cfg.lb.memory, 128 * MiB);
	assert_int_equal(cfg.lb.memory_line, 5);
	assert_int_equal(cfg.lb.service_cpu, 3);
	assert_int_equal(cfg.lb.service_cpu_line, 6);
	assert_true(cfg.lb.debug);
}

static void test_config_serial_names_and_port_range(void **state)
{
	static const struct {
		const char *v;
		u16 port;
	} ok[] = {
		{ "com1", 0x3f8 }, { "com2", 0x2f8 }, { "com3", 0x3e8 }, { "com4", 0x2e8 },
		{ "0x100", 0x100 }, { "0xfff8", 0xfff8 }, { "1016", 0x3f8 }, { "0xE000", 0xe000 },
	};
	static const char *const bad[] = { "com5", "COM1", "0xff", "0xfff9", "0x10000", "-1", "ttyS0" };
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "[longbus]\nserial = %s\n", ok[i].v);
		expect_ok(text);
		assert_int_equal(cfg.lb.serial_port, ok[i].port);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[longbus]\nserial = %s\n", bad[i]);
		expect_error(text, 2, "com1, com2, com3, com4 or 0x100..0xfff8");
	}
	expect_message("[longbus]\nserial = com5\n", 2,
		       "serial: bad number 'com5' (use com1, com2, com3, com4 or 0x100..0xfff8)");
	expect_message("[longbus]\nserial = 0xff\n", 2,
		       "serial: '0xff' is out of range (use com1, com2, com3, com4 or 0x100..0xfff8)");
}

static void test_config_baud_takes_rates_dividing_115200(void **state)
{
	static const u32 ok[] = { 300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200 };
	static const char *const bad[] = { "0", "110", "9601", "230400", "0x2580", "fast", "115200 baud" };
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "[longbus]\nbaud = %u\n", ok[i]);
		expect_ok(text);
		assert_int_equal(cfg.lb.baud, ok[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[longbus]\nbaud = %s\n", bad[i]);
		expect_error(text, 2, "baud: bad choice");
	}
	expect_message("[longbus]\nbaud = 9601\n", 2,
		       "baud: bad choice '9601' (use one of 300, 600, 1200, 2400, 4800, 9600, "
		       "19200, 38400, 57600, 115200)");
}

static void test_config_log_level_names(void **state)
{
	(void)state;
	expect_ok("[longbus]\nlog_level = err\n");
	assert_int_equal(cfg.lb.log_level, LOG_LEVEL_ERR);
	expect_ok("[longbus]\nlog_level = warn\n");
	assert_int_equal(cfg.lb.log_level, LOG_LEVEL_WARN);
	expect_ok("[longbus]\nlog_level = info\n");
	assert_int_equal(cfg.lb.log_level, LOG_LEVEL_INFO);
	expect_message("[longbus]\nlog_level = debug\n", 2,
		       "log_level: bad choice 'debug' (use one of err, warn, info, dbg)");
	assert_string_equal(log_level_name(LOG_LEVEL_WARN), "warn");
	assert_string_equal(log_level_name(LOG_LEVEL_DBG), "dbg");
	assert_string_equal(log_level_name((enum log_level)9), "?");
}

static void test_config_memory_bounds_and_2m_multiple(void **state)
{
	(void)state;
	expect_ok("[longbus]\nmemory = 16M\n");
	assert_int_equal(cfg.lb.memory, 16 * MiB);
	expect_ok("[longbus]\nmemory = 64G\n");
	assert_int_equal(cfg.lb.memory, 64 * GiB);
	expect_ok("[longbus]\nmemory = 0x1000000\n");
	expect_message("[longbus]\nmemory = 14M\n", 2, "memory: '14M' is below the minimum 16M");
	expect_message("[longbus]\nmemory = 66G\n", 2, "memory: '66G' is above the maximum 64G");
	expect_message("[longbus]\nmemory = 63M\n", 2,
		       "memory: '63M' is not a multiple of 2M (e.g. 62M or 64M)");
	expect_message("[longbus]\nmemory = 64Q\n", 2,
		       "memory: bad size '64Q' (use a number with K, M, G or T, e.g. 64M)");
	expect_message("[longbus]\nmemory = 99999999999999999999M\n", 2,
		       "memory: size '99999999999999999999M' does not fit in 64 bits");
	expect_error("[longbus]\nmemory = 16777217\n", 2, "memory: '16777217' is not a multiple of 2M");
}

static void test_config_service_cpu_and_debug(void **state)
{
	(void)state;
	expect_ok("[longbus]\nservice_cpu = 255\ndebug = yes\n");
	assert_int_equal(cfg.lb.service_cpu, 255);
	assert_true(cfg.lb.debug);
	expect_message("[longbus]\nservice_cpu = 256\n", 2, "service_cpu: '256' is out of range (use 0..255)");
	expect_message("[longbus]\nservice_cpu = -1\n", 2,
		       "service_cpu: bad number '-1' (use decimal or 0x hex, e.g. 42 or 0x2a)");
	expect_message("[longbus]\ndebug = maybe\n", 2, "debug: bad boolean 'maybe' (use on or off)");
}

static const char three_guests[] =
	"# three partitions\n"		/* 1 */
	"[longbus]\n"			/* 2 */
	"memory = 32M\n"		/* 3 */
	"\n"				/* 4 */
	"[guest web]\n"			/* 5 */
	"cpus = 1-3\n"			/* 6 */
	"memory = 1G\n"			/* 7 */
	"[guest db_2]\n"		/* 8 */
	"memory = 0x80000000\n"		/* 9 */
	"cpus = 4,6\n"			/* 10 */
	"[ guest   Z-9 ]\n"		/* 11 */
	"cpus=5\n"			/* 12 */
	"memory=2M\n";			/* 13 */

static void test_config_guests_are_stored_in_order_with_lines(void **state)
{
	(void)state;
	expect_ok(three_guests);
	assert_int_equal(cfg.nguests, 3);
	assert_string_equal(cfg.guests[0].name, "web");
	assert_int_equal(cfg.guests[0].line, 5);
	assert_int_equal(cfg.guests[0].cpus_line, 6);
	assert_int_equal(cfg.guests[0].memory, GiB);
	assert_int_equal(cfg.guests[0].memory_line, 7);
	assert_int_equal(cpuset_count(&cfg.guests[0].cpus), 3);
	assert_string_equal(cfg.guests[1].name, "db_2");
	assert_int_equal(cfg.guests[1].memory, 2 * GiB);
	assert_int_equal(cfg.guests[1].cpus_line, 10);
	assert_int_equal(cpuset_last(&cfg.guests[1].cpus), 6);
	assert_string_equal(cfg.guests[2].name, "Z-9");
	assert_int_equal(cfg.guests[2].line, 11);
	assert_int_equal(cfg.lb.memory, 32 * MiB);
}

static void test_config_crlf_parses_like_lf(void **state)
{
	char crlf[sizeof(three_guests) * 2];
	size_t i, n = 0;

	(void)state;
	for (i = 0; three_guests[i]; i++) {
		if (three_guests[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = three_guests[i];
	}
	crlf[n] = '\0';
	expect_ok(crlf);
	assert_int_equal(cfg.nguests, 3);
	assert_int_equal(cfg.guests[2].line, 11);
	assert_int_equal(cfg.guests[1].memory, 2 * GiB);
	/* Mixed endings and a CRLF error keep editor line numbers. */
	expect_error("[longbus]\r\n\nbaud = 1\r\n", 3, "baud: bad choice '1'");
}

static void test_config_comments_full_line_and_trailing(void **state)
{
	(void)state;
	expect_ok("# header comment\n"
		  "   # indented comment\n"
		  "[longbus] # trailing after header\n"
		  "baud = 9600 # trailing after value\n"
		  "memory = 32M\t# after a tab\n"
		  "#no space needed at line start\n"
		  "# UTF-8 is fine in comments: caf\xc3\xa9 \xe2\x9c\x93\n");
	assert_int_equal(cfg.lb.baud, 9600);
	assert_int_equal(cfg.lb.memory, 32 * MiB);
	/* '#' glued to a value is part of the value. */
	expect_error("[longbus]\nmemory = 64M#x\n", 2, "memory: bad size '64M#x'");
	expect_error("[longbus]#x\n", 1, "after ']'");
}

static void test_config_no_trailing_newline_is_fine(void **state)
{
	(void)state;
	expect_ok("[longbus]\nbaud = 9600");
	assert_int_equal(cfg.lb.baud, 9600);
	expect_error("[longbus]\nbaud = 9601", 2, "baud: bad choice '9601'");
}

static void test_config_accepts_leading_utf8_bom(void **state)
{
	(void)state;
	expect_ok("\xef\xbb\xbf[longbus]\nbaud = 9600\n");
	assert_int_equal(cfg.lb.baud, 9600);
	expect_error("[longbus]\n\xef\xbb\xbf\n", 2, "non-ASCII byte 0xef at column 1");
}

static void test_config_tabs_and_spaces_are_whitespace(void **state)
{
	(void)state;
	expect_ok("\t[longbus]\t\n\t baud\t=\t9600 \t\n");
	assert_int_equal(cfg.lb.baud, 9600);
}

static void test_config_value_may_contain_equals(void **state)
{
	(void)state;
	/* Only the first '=' splits; the rest belongs to the value (cmdline keys). */
	expect_error("[longbus]\nbaud = 9600=1\n", 2, "baud: bad choice '9600=1'");
}

static void test_config_line_limit_is_inclusive(void **state)
{
	char *text = malloc(CFG_MAX_LINE + 16);
	size_t n;

	(void)state;
	assert_non_null(text);
	text[0] = '#';
	memset(text + 1, 'x', CFG_MAX_LINE - 1);
	n = CFG_MAX_LINE;
	text[n++] = '\n';
	assert_int_equal(parse_exact(text, n), 0);
	text[n - 1] = 'x';
	text[n++] = '\n';
	expect_error_exact(text, n, 1, "line is 1025 bytes long, the limit is 1024");
	free(text);
}

static void test_config_size_limit_is_inclusive(void **state)
{
	char *text = malloc(CFG_MAX_SIZE + 1);

	(void)state;
	assert_non_null(text);
	memset(text, '\n', CFG_MAX_SIZE + 1);
	assert_int_equal(parse_exact(text, CFG_MAX_SIZE), 0);
	expect_error_exact(text, CFG_MAX_SIZE + 1, 0, "the limit is 262144");
	free(text);
}

/* ---- error classes with their lines ---------------------------------------- */

static void test_config_unknown_key_suggests_nearest(void **state)
{
	(void)state;
	expect_message("[longbus]\nbaudrate = 9600\n", 2,
		       "unknown key 'baudrate' in [longbus] (did you mean 'baud'?)");
	expect_message("[longbus]\n\nmemroy = 64M\n", 3,
		       "unknown key 'memroy' in [longbus] (did you mean 'memory'?)");
	expect_message("[guest a]\ncpu = 1\n", 2, "unknown key 'cpu' in [guest a] (did you mean 'cpus'?)");
	expect_message("[longbus]\nzzz = 1\n", 2, "unknown key 'zzz' in [longbus] (see docs/config.md)");
	/* Keys of the other section are unknown here. */
	expect_error("[longbus]\ncpus = 1\n", 2, "unknown key 'cpus' in [longbus]");
}

static void test_config_unknown_section_suggests_nearest(void **state)
{
	(void)state;
	expect_message("\n[guests a]\n", 2, "unknown section [guests] (did you mean [guest NAME]?)");
	expect_message("[longbsu]\n", 1, "unknown section [longbsu] (did you mean [longbus]?)");
	expect_message("[network]\n", 1, "unknown section [network] (did you mean [net]?)");
}

static void test_config_duplicate_key_names_first_line(void **state)
{
	(void)state;
	expect_message("[longbus]\nbaud = 9600\n# x\nbaud = 9600\n", 4,
		       "duplicate key 'baud' (first set at line 2)");
	expect_message("[guest a]\ncpus = 1\nmemory = 2M\ncpus = 2\n", 4,
		       "duplicate key 'cpus' (first set at line 2)");
}

static void test_config_same_key_in_two_guests_is_not_duplicate(void **state)
{
	(void)state;
	expect_ok("[guest a]\ncpus = 1\nmemory = 2M\n[guest b]\ncpus = 2\nmemory = 2M\n");
	assert_int_equal(cfg.nguests, 2);
}

static void test_config_longbus_twice_names_first_line(void **state)
{
	(void)state;
	expect_message("[longbus]\n[guest a]\ncpus=1\nmemory=2M\n[longbus]\n", 5,
		       "[longbus] appears twice (first at line 1; merge them)");
}

static void test_config_section_header_errors(void **state)
{
	(void)state;
	expect_message("[longbus x]\n", 1, "[longbus] takes no name (found 'x')");
	expect_message("[guest]\n", 1, "[guest] needs a name (e.g. [guest web])");
	expect_message("[guest  ]\n", 1, "[guest] needs a name (e.g. [guest web])");
	expect_error("[guest a b]\n", 1, "may only use letters, digits");
	expect_error("[guest a.b]\n", 1, "may only use letters, digits");
	expect_error("[longbus\n", 1, "missing ']'");
	expect_error("[]\n", 1, "empty section header");
	expect_error("[[longbus]]\n", 1, "stray '['");
	expect_error("[longbus]]\n", 1, "stray ']'");
	expect_error("[longbus] x\n", 1, "unexpected 'x' after ']'");
}

static void test_config_guest_name_length_limit(void **state)
{
	char text[96];

	(void)state;
	snprintf(text, sizeof(text), "[guest %.*s]\ncpus=1\nmemory=2M\n", CFG_NAME_MAX - 1,
		 "abcdefghijklmnopqrstuvwxyz0123456789");
	expect_ok(text);
	assert_int_equal(strlen(cfg.guests[0].name), CFG_NAME_MAX - 1);
	snprintf(text, sizeof(text), "[guest %.*s]\ncpus=1\nmemory=2M\n", CFG_NAME_MAX,
		 "abcdefghijklmnopqrstuvwxyz0123456789");
	expect_error(text, 1, "the limit is 31");
}

static void test_config_duplicate_guest_names_earlier_header(void **state)
{
	(void)state;
	expect_message("[guest a]\ncpus = 1\nmemory = 2M\n\n[guest a]\n", 5,
		       "guest 'a' is already declared at line 1 (names must be unique)");
}

static void test_config_guest_missing_required_key_points_at_header(void **state)
{
	(void)state;
	expect_message("[longbus]\n[guest a]\nmemory = 2M\n[guest b]\ncpus=2\nmemory=2M\n", 2,
		       "[guest a] has no 'cpus' key (add e.g. cpus = 1-3)");
	/* The last section is checked at end of file. */
	expect_message("[guest a]\ncpus = 1\nmemory = 2M\n[guest b]\ncpus = 2\n", 4,
		       "[guest b] has no 'memory' key (add e.g. memory = 512M)");
	expect_error("[guest a]\n", 1, "has no 'cpus'");
}

static void test_config_guest_memory_limits(void **state)
{
	(void)state;
	expect_message("[guest a]\ncpus = 1\nmemory = 1M\n", 3, "memory: '1M' is below the minimum 2M");
	expect_message("[guest a]\ncpus = 1\nmemory = 3M\n", 3,
		       "memory: '3M' is not a multiple of 2M (e.g. 2M or 4M)");
	expect_ok("[guest a]\ncpus = 1\nmemory = 2M\n");
	expect_ok("[guest a]\ncpus = 1\nmemory = 1T\n");
}

static void test_config_guest_image_cmdline_debug_exit_testdev(void **state)
{
	(void)state;
	expect_ok("[guest a]\ncpus = 1\nmemory = 16M\nimage = dir/hello.elf\n"
		  "cmdline = console=ttyS0 quiet\ndebug_exit = 0xf4\ntestdev = on\n");
	assert_string_equal(cfg.guests[0].image, "dir/hello.elf");
	assert_int_equal(cfg.guests[0].image_line, 4);
	assert_string_equal(cfg.guests[0].cmdline, "console=ttyS0 quiet");
	assert_int_equal(cfg.guests[0].debug_exit, 0xf4);
	assert_int_equal(cfg.guests[0].debug_exit_line, 6);
	assert_true(cfg.guests[0].testdev);
	/* Absent keys: no image line (the loader reports it), no debug exit, no test device. */
	expect_ok("[guest a]\ncpus = 1\nmemory = 16M\n");
	assert_int_equal(cfg.guests[0].image_line, 0);
	assert_int_equal(cfg.guests[0].debug_exit_line, 0);
	assert_false(cfg.guests[0].testdev);
	assert_string_equal(cfg.guests[0].cmdline, "");
	expect_error("[guest a]\ncpus = 1\nmemory = 16M\ndebug_exit = 0x10000\n", 4,
		     "debug_exit:");
	expect_error("[guest a]\ncpus = 1\nmemory = 16M\ntestdev = maybe\n", 4, "testdev:");
	expect_error("[guest a]\ncpus = 1\nmemory = 16M\nimage = a.elf\nimage = b.elf\n", 5,
		     "image");
}

static void test_config_service_tick(void **state)
{
	(void)state;
	expect_ok("[longbus]\n");
	assert_int_equal(cfg.lb.service_tick, 1000000);
	expect_ok("[longbus]\nservice_tick = 250us\n");
	assert_int_equal(cfg.lb.service_tick, 250000);
	expect_error("[longbus]\nservice_tick = 10us\n", 2, "service_tick:");
	expect_error("[longbus]\nservice_tick = 1s\n", 2, "service_tick:");
	expect_error("[longbus]\nservice_tick = 5\n", 2, "service_tick:");
}

/* longbus.cfg:LINE alone does not say which key: value errors start with it. */
static void test_config_guest_cpus_errors_name_the_key(void **state)
{
	(void)state;
	expect_message("[guest a]\nmemory = 2M\ncpus = 1-\n", 3,
		       "cpus: bad cpu list '1-' (use numbers and ranges, e.g. 1-3,5)");
	expect_message("[guest a]\nmemory = 2M\ncpus = 1-3,2\n", 3,
		       "cpus: cpu 2 is listed twice in '1-3,2'");
	expect_message("[guest a]\nmemory = 2M\ncpus = 5-3\n", 3,
		       "cpus: cpu range 5-3 is backwards (write 3-5)");
	expect_message("[guest a]\nmemory = 2M\ncpus = 300\n", 3,
		       "cpus: cpu list '300' names a cpu above 255");
	expect_message("[guest a]\ncpus = 1\nmemory = 2Q\n", 3,
		       "memory: bad size '2Q' (use a number with K, M, G or T, e.g. 64M)");
}

static void test_config_guest_cpus_overlap_names_earlier_guest(void **state)
{
	(void)state;
	expect_message("[guest a]\n"	/* 1 */
		       "memory = 2M\n"	/* 2 */
		       "cpus = 1-2\n"	/* 3 */
		       "[guest b]\n"	/* 4 */
		       "memory = 2M\n"	/* 5 */
		       "cpus = 2-3\n",	/* 6 */
		       6, "guest 'b' cpus overlap guest 'a' (line 3) on cpu 2");
	/* A third guest clashing with the first, not the second. */
	expect_message("[guest a]\ncpus = 0-1,200\nmemory = 2M\n"
		       "[guest b]\ncpus = 2\nmemory = 2M\n"
		       "[guest c]\nmemory = 2M\ncpus = 3, 200\n",
		       9, "guest 'c' cpus overlap guest 'a' (line 2) on cpu 200");
}

static void test_config_too_many_guests_points_at_extra_header(void **state)
{
	char text[4096];
	size_t n = 0;
	unsigned i;

	(void)state;
	for (i = 0; i <= CFG_MAX_GUESTS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "[guest g%u]\ncpus = %u\nmemory = 2M\n", i, i);
	expect_message(text, 3 * CFG_MAX_GUESTS + 1, "too many guests (at most 16 [guest] sections)");
	/* Exactly the limit is fine. */
	text[n - (size_t)snprintf(NULL, 0, "[guest g%u]\ncpus = %u\nmemory = 2M\n", i - 1, i - 1)] = '\0';
	expect_ok(text);
	assert_int_equal(cfg.nguests, CFG_MAX_GUESTS);
}

static void test_config_line_syntax_errors(void **state)
{
	(void)state;
	expect_message("[longbus]\nbaud\n", 2, "missing '=' in 'baud' (use key = value)");
	expect_message("[longbus]\n= 9600\n", 2, "missing key before '=' (use key = value)");
	expect_message("[longbus]\nbaud =\n", 2, "empty value for 'baud' (e.g. baud = 115200)");
	expect_message("[longbus]\nbaud = \t \n", 2, "empty value for 'baud' (e.g. baud = 115200)");
	expect_message("baud = 9600\n[longbus]\n", 1,
		       "key 'baud' comes before any section (put it under [longbus] or [guest NAME])");
	expect_error("[longbus]\nba ud = 1\n", 2, "bad key 'ba ud'");
}

static void test_config_byte_errors_give_column(void **state)
{
	(void)state;
	expect_error_exact("[longbus]\nbaud\0 = 1\n", 20, 2, "NUL byte at column 5");
	expect_error("[longbus]\nbaud = \x01\n", 2, "control character 0x01 at column 8");
	expect_error("[longbus]\rbaud = 1\n", 1, "carriage return at column 10");
	expect_error("[longbus]\nb\xc3\xa4ud = 1\n", 2, "non-ASCII byte 0xc3 at column 2");
	expect_error("# ok\n# \x1b[31m escape in a comment\n", 2, "control character 0x1b");
}

static void test_check_machine_rejects_missing_cpus(void **state)
{
	(void)state;
	expect_ok("[longbus]\nservice_cpu = 4\n[guest a]\ncpus = 0-2\nmemory = 2M\n"
		  "[guest b]\nmemory = 2M\ncpus = 3,7\n");
	assert_int_equal(config_check_machine(&cfg, 8, &err), 0);
	assert_int_equal(config_check_machine(&cfg, 4, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg, "service_cpu 4 does not exist (this machine has 4 CPUs, 0..3)");
	assert_int_equal(config_check_machine(&cfg, 5, &err), -EINVAL);
	assert_int_equal(err.line, 8);
	assert_string_equal(err.msg, "guest 'b' wants cpu 7 but this machine has 5 CPUs (0..4)");
	/* The highest CPU named must be below ncpus, not equal to it. */
	assert_int_equal(config_check_machine(&cfg, 7, &err), -EINVAL);
	assert_int_equal(err.line, 8);
	assert_int_equal(config_check_machine(&cfg, 0, &err), -EINVAL);
	assert_int_equal(err.line, 0);
}

static void test_check_machine_defaults_fit_one_cpu(void **state)
{
	(void)state;
	expect_ok("");
	assert_int_equal(config_check_machine(&cfg, 1, &err), 0);
	expect_ok("[guest a]\ncpus = 0\nmemory = 2M\n");
	assert_int_equal(config_check_machine(&cfg, 1, &err), 0);
	assert_int_equal(config_check_machine(&cfg, 256, &err), 0);
}

static void test_cpuset_helpers_count_and_find_last(void **state)
{
	struct cpuset s = { { 0 } };

	(void)state;
	assert_int_equal(cpuset_count(&s), 0);
	assert_int_equal(cpuset_last(&s), -1);
	cpuset_add(&s, 0);
	cpuset_add(&s, 64);
	cpuset_add(&s, 191);
	cpuset_add(&s, 999); /* ignored: beyond CFG_MAX_CPUS */
	assert_int_equal(cpuset_count(&s), 3);
	assert_int_equal(cpuset_last(&s), 191);
	assert_false(cpuset_has(&s, 999));
}

/* ---- hostile input ----------------------------------------------------------- */

struct hostile {
	const char *text;
	size_t len;
	unsigned line;
	const char *msg; /* a substring of the expected message */
};

/* Length from the literal, so embedded NULs count. */
#define H(s) s, sizeof(s) - 1

static const struct hostile hostile[] = {
	{ H("[longbus"), 1, "missing ']'" },
	{ H("[longbus]\n[guest a"), 2, "missing ']'" },
	{ H("[[longbus]"), 1, "stray '['" },
	{ H("[[[[[[[[[["), 1, "missing ']'" },
	{ H("]]]]"), 1, "missing '='" },
	{ H("["), 1, "missing ']'" },
	{ H("[]"), 1, "empty section header" },
	{ H("[ ]"), 1, "empty section header" },
	{ H("[longbus]\n="), 2, "missing key" },
	{ H("[longbus]\n=\n=\n"), 2, "missing key" },
	{ H("[longbus]\nbaud"), 2, "missing '='" },
	{ H("[longbus]\nbaud="), 2, "empty value" },
	{ H("[longbus]\nbaud =   "), 2, "empty value" },
	{ H("[longbus]\n==="), 2, "missing key" },
	{ H("[longbus]\nmemory = 99999999999999999999M\n"), 2, "does not fit in 64 bits" },
	{ H("[longbus]\nmemory = 18446744073709551616\n"), 2, "does not fit in 64 bits" },
	{ H("[longbus]\nmemory = 0xfffffffffffffffffff\n"), 2, "does not fit in 64 bits" },
	{ H("[longbus]\nmemory = 17179869184G\n"), 2, "does not fit in 64 bits" },
	{ H("[longbus]\nmemory = -64M\n"), 2, "bad size" },
	{ H("[longbus]\nservice_cpu = -1\n"), 2, "service_cpu: bad number" },
	{ H("[longbus]\nservice_cpu = 4294967296\n"), 2, "does not fit in 32 bits" },
	{ H("[longbus]\nservice_cpu = 99999999999999999999999999\n"), 2, "does not fit in 32 bits" },
	{ H("[longbus]\nbaud = -9600\n"), 2, "baud: bad choice" },
	{ H("[guest a]\ncpus = -1\n"), 2, "cpus: bad cpu list" },
	{ H("[guest a]\ncpus = 1-99999999999999999999\n"), 2, "above 255" },
	{ H("[guest a]\ncpus = 0-4294967296\n"), 2, "above 255" },
	{ H("[guest a]\ncpus = ,\n"), 2, "cpus: bad cpu list" },
	{ H("[l\xc3\xb6ngbus]\n"), 1, "non-ASCII byte 0xc3" },
	{ H("[longbus]\nb\xc3\xa4ud = 1\n"), 2, "non-ASCII" },
	{ H("[longbus]\nbaud = 96\xe2\x82\xac\n"), 2, "non-ASCII byte 0xe2 at column 10" },
	{ H("[guest \xf0\x9f\x98\x80]\n"), 1, "non-ASCII" },
	{ H("[longbus]\nbaud = \x80\n"), 2, "non-ASCII byte 0x80 at column 8" },
	{ H("\xff\xfe[\0l\0o\0n\0g\0b\0u\0s\0]\0"), 1, "non-ASCII byte 0xff" },
	{ H("\xef\xbb\xbf\xef\xbb\xbf[longbus]\n"), 1, "non-ASCII byte 0xef at column 1" },
	{ H("[longbus]\nbaud\0 = 9600\n"), 2, "NUL byte at column 5" },
	{ H("\0"), 1, "NUL byte at column 1" },
	{ H("[longbus]\n# comment with \0 inside\n"), 2, "NUL byte" },
	{ H("[longbus]\nbaud = 9600\0\n"), 2, "NUL byte at column 12" },
	{ H("[longbus]\nbaud = \x7f\n"), 2, "control character 0x7f" },
	{ H("[longbus]\n\x1b[2J\n"), 2, "control character 0x1b" },
	{ H("[longbus]\n\x0c\n"), 2, "control character 0x0c" },
	{ H("[longbus]\n\x0b baud = 1\n"), 2, "control character 0x0b" },
	{ H("[longbus]\rbaud = 9600\r"), 1, "carriage return" },
	{ H("[longbus]\n\r\r\n"), 2, "carriage return at column 1" },
	{ H("[longbus]\nbaud = 9600\r"), 2, "carriage return at column 12" },
	{ H("\n\n\n\n\nbaud = 9600\n"), 6, "before any section" },
	{ H("=\n"), 1, "missing key" },
	{ H("x\n"), 1, "missing '='" },
	{ H("[longbus]\n[longbus]\n"), 2, "appears twice" },
	{ H("[longbus]\n\t\t[guest]\n"), 2, "needs a name" },
	{ H("[guest a]\n[guest a]\n"), 1, "has no 'cpus'" },
	{ H("[guest a]\ncpus=1\nmemory=2M\n[guest a]\n"), 4, "already declared at line 1" },
	{ H("[guest ../../etc]\n"), 1, "may only use letters" },
	{ H("[guest a;rm -rf]\n"), 1, "may only use letters" },
	{ H("[guest a]\ncpus = 1\nmemory = 2M\nkernel = \"x\"\n"), 4, "unknown key 'kernel'" },
	{ H("[longbus]\nbaud = 9600 9600\n"), 2, "baud: bad choice" },
	{ H("[longbus]\nbaud = '9600'\n"), 2, "baud: bad choice" },
	{ H("[longbus]\nbaud = \"9600\"\n"), 2, "baud: bad choice" },
	{ H("[longbus]\n baud = 1 = 2 = 3\n"), 2, "baud: bad choice" },
	{ H("[longbus]\nlog_level = INFO\n"), 2, "log_level: bad choice" },
	{ H("[longbus]\ndebug = 2\n"), 2, "debug: bad boolean" },
	{ H("[longbus]\nserial = com\n"), 2, "serial: bad number" },
	{ H("[longbus]\nserial = 0x3f8 0x2f8\n"), 2, "serial: bad number" },
	{ H("[longbus]\nmemory = 64M 64M\n"), 2, "bad size" },
	{ H("[longbus]\nmemory = 0\n"), 2, "memory: '0' is below the minimum" },
	{ H("[longbus]\nmemory = 16777215T\n"), 2, "above the maximum" },
	{ H("[guest a]\ncpus = 1\nmemory = 0x\n"), 3, "bad size" },
	{ H("[guest a]\ncpus = 1\nmemory = 2M\n[guest b]\ncpus = 1\nmemory = 2M"), 5, "overlap guest 'a' (line 2) on cpu 1" },
	{ H("[longbus]\nBAUD = 9600\n"), 2, "did you mean 'baud'" },
	{ H("[longbus]\nba-ud = 9600\n"), 2, "bad key" },
	{ H("[longbus]\nbaud.x = 9600\n"), 2, "bad key" },
	{ H("[longbus]\n[x]\n"), 2, "unknown section [x]" },
	{ H("[LONGBUS]\n"), 1, "did you mean [longbus]" },
	{ H("[longbus]\n#\n#\n#\n\n\nbaud=1\n"), 7, "baud: bad choice" },
	{ H("# a\n# b\n   \n\t\n[longbus]\nmemory = 64\n"), 6, "below the minimum" },
};

static void test_hostile_inputs_fail_cleanly_with_line(void **state)
{
	size_t i;

	(void)state;
	assert_true(sizeof(hostile) / sizeof(hostile[0]) >= 60);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile *h = &hostile[i];

		if (parse_exact(h->text, h->len) != -EINVAL)
			fail_msg("hostile #%zu parsed", i);
		if (err.line != h->line || !strstr(err.msg, h->msg) || !err.msg[0])
			fail_msg("hostile #%zu: want line %u '%s', got line %u '%s'", i, h->line,
				 h->msg, err.line, err.msg);
		assert_true(err.line <= count_lines(h->text, h->len));
		assert_true(strlen(err.msg) < CFG_MSG_MAX);
	}
}

static void test_hostile_overlong_line_reports_its_line(void **state)
{
	size_t n = 5000;
	char *text = malloc(n + 20);

	(void)state;
	assert_non_null(text);
	memcpy(text, "[longbus]\n\n", 11);
	memset(text + 11, 'a', n);
	expect_error_exact(text, 11 + n, 3, "line is 5000 bytes long");
	/* Overlong with no newline anywhere. */
	memset(text, '[', n);
	expect_error_exact(text, n, 1, "the limit is 1024");
	free(text);
}

static void test_hostile_one_mib_file_is_rejected_as_too_big(void **state)
{
	size_t n = 1 << 20, i;
	char *text = malloc(n);

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	expect_error_exact(text, n, 0, "config is 1048576 bytes, the limit is 262144");
	free(text);
}

static void test_hostile_ten_thousand_guests_stop_at_the_limit(void **state)
{
	size_t cap = 10000 * 48, n = 0;
	char *text = malloc(cap);
	unsigned i;

	(void)state;
	assert_non_null(text);
	/* Ten thousand complete guests do not even fit the size limit. */
	for (i = 0; i < 10000; i++)
		n += (size_t)snprintf(text + n, cap - n, "[guest g%u]\ncpus=%u\nmemory=2M\n", i, i % 256);
	assert_true(n > CFG_MAX_SIZE && n < cap);
	expect_error_exact(text, n, 0, "the limit is 262144");
	/* Sixteen complete guests, then bare headers: the 17th header trips the limit. */
	for (i = 0, n = 0; i < 10000; i++)
		n += (size_t)snprintf(text + n, cap - n, i < CFG_MAX_GUESTS ?
				      "[guest g%u]\ncpus=%u\nmemory=2M\n" : "[guest g%u]\n", i, i);
	assert_true(n <= CFG_MAX_SIZE);
	expect_error_exact(text, n, 3 * CFG_MAX_GUESTS + 1, "too many guests");
	free(text);
}

static void test_hostile_unterminated_section_at_eof(void **state)
{
	(void)state;
	expect_error_exact("[longbus]\nbaud = 9600\n[guest", 28, 3, "missing ']'");
	expect_error_exact("[longbus]\nbaud = 9600\n[", 23, 3, "missing ']'");
	expect_error_exact("[guest a]\ncpus = 1\nmemory = 2M\n[guest b", 39, 4, "missing ']'");
}

/* xorshift64*: a fixed seed keeps failures reproducible. */
static u64 prng(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Whatever parses must satisfy the invariants config.h promises. */
static void check_outcome(int rc, const char *text, size_t len)
{
	unsigned i, j;

	if (rc) {
		assert_int_equal(rc, -EINVAL);
		assert_true(err.msg[0] != '\0');
		assert_true(strlen(err.msg) < CFG_MSG_MAX);
		assert_true(err.line <= count_lines(text, len));
		return;
	}
	assert_true(cfg.nguests <= CFG_MAX_GUESTS);
	assert_true(cfg.lb.memory >= 16 * MiB && cfg.lb.memory <= 64 * GiB);
	assert_true(cfg.lb.service_cpu < CFG_MAX_CPUS);
	for (i = 0; i < cfg.nguests; i++) {
		assert_true(cfg.guests[i].name[0] != '\0');
		assert_true(cpuset_count(&cfg.guests[i].cpus) > 0);
		assert_true(cfg.guests[i].memory >= 2 * MiB);
		for (j = 0; j < i; j++)
			assert_true(strcmp(cfg.guests[i].name, cfg.guests[j].name) != 0);
	}
}

static void test_hostile_random_bytes_never_crash(void **state)
{
	static const char alphabet[] = "[]=#\n\r\t ,-.:/0123456789abcdefgxyzKMGT_\0\x80\xff";
	u64 seed = 0x10b05c0ffee;
	char *text;
	size_t len, i;
	unsigned iter;

	(void)state;
	for (iter = 0; iter < 10000; iter++) {
		len = prng(&seed) % 600;
		text = malloc(len ? len : 1);
		assert_non_null(text);
		for (i = 0; i < len; i++) {
			u64 r = prng(&seed);

			/* Half pure noise, half the characters the grammar cares about. */
			text[i] = iter & 1 ? (char)r : alphabet[r % (sizeof(alphabet) - 1)];
		}
		check_outcome(config_parse(text, len, &cfg, &err), text, len);
		free(text);
	}
}

static void test_hostile_mutated_valid_config_never_crashes(void **state)
{
	static const char base[] =
		"[longbus]\nserial = com2\nbaud = 9600\nlog_level = dbg\nmemory = 128M\n"
		"service_cpu = 3\ndebug = on\n[guest web]\ncpus = 1-2\nmemory = 1G\n"
		"[guest db]\ncpus = 4,6\nmemory = 2M # x\n";
	u64 seed = 42;
	size_t len, i, k;
	unsigned iter, ok = 0;
	char *text;
	int rc;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		len = sizeof(base) - 1 - prng(&seed) % 8;
		text = malloc(len);
		assert_non_null(text);
		memcpy(text, base, len);
		for (k = 0; k < 1 + prng(&seed) % 3; k++) {
			i = prng(&seed) % len;
			text[i] = (char)prng(&seed);
		}
		rc = config_parse(text, len, &cfg, &err);
		ok += rc == 0;
		check_outcome(rc, text, len);
		free(text);
	}
	/* Some mutations land in comments or harmless digits; most must fail. */
	assert_true(ok > 0 && ok < 20000);
}

/* ---- [net] ------------------------------------------------------------------ */

static void test_config_net_absent_means_no_network(void **state)
{
	(void)state;
	expect_ok("[longbus]\n");
	assert_false(cfg.have_net_section);
}

static void test_config_net_empty_section_is_auto_nic_and_dhcp(void **state)
{
	(void)state;
	expect_ok("[net]\n");
	assert_true(cfg.have_net_section);
	assert_int_equal(cfg.net.line, 1);
	assert_true(cfg.net.nic_auto);
	assert_true(cfg.net.dhcp);
	assert_int_equal(cfg.net.mac_line, 0);
	assert_int_equal(cfg.net.gateway, 0);
	assert_false(cfg.net.iperf);
	assert_false(cfg.net.echo);
}

static void test_config_net_all_keys_static(void **state)
{
	(void)state;
	expect_ok("[longbus]\n"
		  "[net]\n"
		  "nic = 0000:00:02.0\n"
		  "mac = 52:54:00:AB:cd:01\n"
		  "ip = 10.0.2.20/24\n"
		  "gateway = 10.0.2.2\n"
		  "iperf = on\n"
		  "echo = yes\n"
		  "[guest g]\ncpus = 1\nmemory = 2M\n");
	assert_true(cfg.have_net_section);
	assert_int_equal(cfg.net.line, 2);
	assert_false(cfg.net.nic_auto);
	assert_int_equal(cfg.net.nic_seg, 0);
	assert_int_equal(cfg.net.nic_bus, 0);
	assert_int_equal(cfg.net.nic_dev, 2);
	assert_int_equal(cfg.net.nic_fn, 0);
	assert_int_equal(cfg.net.nic_line, 3);
	assert_int_equal(cfg.net.mac_line, 4);
	assert_memory_equal(cfg.net.mac, "\x52\x54\x00\xab\xcd\x01", 6);
	assert_false(cfg.net.dhcp);
	assert_int_equal(cfg.net.ip, 0x0a000214);
	assert_int_equal(cfg.net.ip_len, 24);
	assert_int_equal(cfg.net.gateway, 0x0a000202);
	assert_int_equal(cfg.net.gateway_line, 6);
	assert_true(cfg.net.iperf);
	assert_true(cfg.net.echo);
	assert_int_equal(cfg.nguests, 1);
}

static void test_config_net_words_auto_and_dhcp(void **state)
{
	(void)state;
	expect_ok("[net]\nnic = auto\nip = dhcp\n");
	assert_true(cfg.net.nic_auto);
	assert_true(cfg.net.dhcp);
	expect_ok("[net]\nnic = 3:00.1\nip = 192.168.1.7/32\n");
	assert_false(cfg.net.nic_auto);
	assert_int_equal(cfg.net.nic_bus, 3);
	assert_int_equal(cfg.net.nic_fn, 1);
	assert_false(cfg.net.dhcp);
	assert_int_equal(cfg.net.ip_len, 32);
	/* A /0 has every gateway on its subnet. */
	expect_ok("[net]\nip = 10.0.0.1/0\ngateway = 192.168.0.1\n");
	assert_int_equal(cfg.net.ip_len, 0);
}

static void test_config_net_errors_name_key_and_line(void **state)
{
	(void)state;
	expect_message("[net]\nnic = eth0\n", 2,
		       "nic: bad PCI address 'eth0' (use bus:dev.fn in hex, e.g. 00:1f.2 or 0000:00:1f.2) (or auto)");
	expect_error("[net]\nnic = Auto\n", 2, "nic: bad PCI address 'Auto'");
	expect_error("[net]\nnic = 00:20.0\n", 2, "nic: ");
	expect_error("[net]\nnic = 0000:00:02.0.0.0.0.0.0.0.0.0.0\n", 2, "nic: ");
	expect_message("[net]\nip = 10.0.0.1\n", 2,
		       "ip: bad IPv4 prefix '10.0.0.1' (use address/length, e.g. 10.0.0.0/24) (or dhcp)");
	expect_error("[net]\nip = DHCP\n", 2, "ip: bad IPv4 prefix 'DHCP'");
	expect_error("[net]\nip = 10.0.0.300/24\n", 2, "ip: ");
	expect_error("[net]\nip = 10.0.0.1/33\n", 2, "ip: ");
	expect_error("[net]\nmac = 52:54:00:12:34\n", 2, "mac: bad MAC address");
	expect_message("[net]\nmac = 01:00:5e:00:00:01\n", 2,
		       "mac: 01:... is a multicast address (the first byte must be even, e.g. 52:54:00:12:34:56)");
	expect_error("[net]\nmac = 00:00:00:00:00:00\n", 2, "mac: 00:00:00:00:00:00 is not a station address");
	expect_error("[net]\ngateway = 10.0.0.256\n", 2, "gateway: IPv4 address '10.0.0.256' has a number above 255");
	expect_message("[net]\ngateway = 10.0.2.2\n", 2,
		       "gateway: not used with ip = dhcp (DHCP supplies it; remove the line or set a static ip)");
	expect_message("[net]\nip = 10.0.0.1/24\ngateway = 10.0.1.1\n", 3,
		       "gateway: 10.0.1.1 is outside 10.0.0.1/24 (it must be on the same subnet)");
	expect_error("[net]\niperf = maybe\n", 2, "iperf: bad boolean 'maybe'");
	expect_error("[net]\necho = 2\n", 2, "echo: bad boolean");
	expect_error("[net]\nnic =\n", 2, "empty value for 'nic' (e.g. nic = auto)");
	expect_error("[net]\nip = dhcp\nip = dhcp\n", 3, "duplicate key 'ip' (first set at line 2)");
	expect_error("[net]\niperff = on\n", 2, "unknown key 'iperff' in [net] (did you mean 'iperf'?)");
}

static void test_config_net_section_errors(void **state)
{
	(void)state;
	expect_message("[net]\n[net]\n", 2, "[net] appears twice (first at line 1; merge them)");
	expect_message("[net eth0]\n", 1, "[net] takes no name (found 'eth0')");
	expect_message("[nett]\n", 1, "unknown section [nett] (did you mean [net]?)");
	/* Keys stay in their section: [net] keys under [longbus] are unknown. */
	expect_error("[longbus]\nip = dhcp\n", 2, "unknown key 'ip' in [longbus]");
	/* The section's checks run when the next header ends it, too. */
	expect_error("[net]\nip = dhcp\ngateway = 10.0.2.2\n[longbus]\n", 3, "gateway: not used");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_accepts_numbers_and_binary_suffixes),
		cmocka_unit_test(test_size_rejects_junk_and_overflow),
		cmocka_unit_test(test_duration_requires_unit_and_detects_overflow),
		cmocka_unit_test(test_u32_accepts_decimal_and_hex_within_32_bits),
		cmocka_unit_test(test_bool_accepts_documented_spellings_only),
		cmocka_unit_test(test_enum_matches_exact_names_and_lists_choices),
		cmocka_unit_test(test_ipv4_parses_dotted_quads_and_rejects_junk),
		cmocka_unit_test(test_ipv4_prefix_needs_length_up_to_32),
		cmocka_unit_test(test_mac_takes_six_hex_pairs_any_case),
		cmocka_unit_test(test_bdf_accepts_both_forms_and_checks_dev_fn),
		cmocka_unit_test(test_cpus_parses_lists_and_ranges),
		cmocka_unit_test(test_cpus_rejects_bad_lists_repeats_and_big_cpus),
		cmocka_unit_test(test_string_is_printable_ascii_and_bounded),
		cmocka_unit_test(test_messages_quote_long_and_unprintable_values_safely),
		cmocka_unit_test(test_set_value_repeatable_key_fills_array_then_stops),
		cmocka_unit_test(test_set_value_stores_every_type_at_its_offset),
		cmocka_unit_test(test_set_value_enforces_schema_ranges),
		cmocka_unit_test(test_set_value_errors_start_with_the_key),
		cmocka_unit_test(test_set_value_reports_schema_bugs),
		cmocka_unit_test(test_schema_examples_are_valid_values),
		cmocka_unit_test(test_schema_defaults_and_ranges_fit_fields),
		cmocka_unit_test(test_config_empty_file_gives_defaults),
		cmocka_unit_test(test_config_null_text_with_length_is_an_error),
		cmocka_unit_test(test_config_empty_longbus_section_gives_defaults),
		cmocka_unit_test(test_config_sets_every_longbus_key),
		cmocka_unit_test(test_config_serial_names_and_port_range),
		cmocka_unit_test(test_config_baud_takes_rates_dividing_115200),
		cmocka_unit_test(test_config_log_level_names),
		cmocka_unit_test(test_config_memory_bounds_and_2m_multiple),
		cmocka_unit_test(test_config_service_cpu_and_debug),
		cmocka_unit_test(test_config_guests_are_stored_in_order_with_lines),
		cmocka_unit_test(test_config_crlf_parses_like_lf),
		cmocka_unit_test(test_config_comments_full_line_and_trailing),
		cmocka_unit_test(test_config_no_trailing_newline_is_fine),
		cmocka_unit_test(test_config_accepts_leading_utf8_bom),
		cmocka_unit_test(test_config_tabs_and_spaces_are_whitespace),
		cmocka_unit_test(test_config_value_may_contain_equals),
		cmocka_unit_test(test_config_line_limit_is_inclusive),
		cmocka_unit_test(test_config_size_limit_is_inclusive),
		cmocka_unit_test(test_config_unknown_key_suggests_nearest),
		cmocka_unit_test(test_config_unknown_section_suggests_nearest),
		cmocka_unit_test(test_config_net_absent_means_no_network),
		cmocka_unit_test(test_config_net_empty_section_is_auto_nic_and_dhcp),
		cmocka_unit_test(test_config_net_all_keys_static),
		cmocka_unit_test(test_config_net_words_auto_and_dhcp),
		cmocka_unit_test(test_config_net_errors_name_key_and_line),
		cmocka_unit_test(test_config_net_section_errors),
		cmocka_unit_test(test_config_duplicate_key_names_first_line),
		cmocka_unit_test(test_config_same_key_in_two_guests_is_not_duplicate),
		cmocka_unit_test(test_config_longbus_twice_names_first_line),
		cmocka_unit_test(test_config_section_header_errors),
		cmocka_unit_test(test_config_guest_name_length_limit),
		cmocka_unit_test(test_config_duplicate_guest_names_earlier_header),
		cmocka_unit_test(test_config_guest_missing_required_key_points_at_header),
		cmocka_unit_test(test_config_guest_memory_limits),
		cmocka_unit_test(test_config_guest_image_cmdline_debug_exit_testdev),
		cmocka_unit_test(test_config_service_tick),
		cmocka_unit_test(test_config_guest_cpus_errors_name_the_key),
		cmocka_unit_test(test_config_guest_cpus_overlap_names_earlier_guest),
		cmocka_unit_test(test_config_too_many_guests_points_at_extra_header),
		cmocka_unit_test(test_config_line_syntax_errors),
		cmocka_unit_test(test_config_byte_errors_give_column),
		cmocka_unit_test(test_check_machine_rejects_missing_cpus),
		cmocka_unit_test(test_check_machine_defaults_fit_one_cpu),
		cmocka_unit_test(test_cpuset_helpers_count_and_find_last),
		cmocka_unit_test(test_hostile_inputs_fail_cleanly_with_line),
		cmocka_unit_test(test_hostile_overlong_line_reports_its_line),
		cmocka_unit_test(test_hostile_one_mib_file_is_rejected_as_too_big),
		cmocka_unit_test(test_hostile_ten_thousand_guests_stop_at_the_limit),
		cmocka_unit_test(test_hostile_unterminated_section_at_eof),
		cmocka_unit_test(test_hostile_random_bytes_never_crash),
		cmocka_unit_test(test_hostile_mutated_valid_config_never_crashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
