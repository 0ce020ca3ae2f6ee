// SPDX-License-Identifier: GPL-2.0-only
/*
 * longbus.cfg parser: INI-style text into struct lb_config.
 *
 * Context: any, pure. Linked into the UEFI loader (which rejects a bad
 * config while it can still print to the firmware console), into the core
 * (which parses the same bytes again from boot_info) and into the host
 * unit tests. So: no allocation, no globals but const tables, no libc
 * beyond klib.h, and the text is untrusted bytes that need not end in NUL.
 *
 * Shape: the schema is the cfg_keys[] table below; the line parser finds
 * sections and `key = value` pairs and hands each value to
 * cfg_set_value(), which parses it with the row's type and stores it at
 * the row's offset. Every error stops the parse and names a line (0 for
 * the whole file) and a fix. docs/config.md documents the format; keep it
 * in step with cfg_keys[].
 */
#include "kernel/config.h"
#include "kernel/config_types.h"
#include "kernel/errno.h"
#include "kernel/klib.h"

#define SZ_M (1ULL << 20)
#define SZ_G (1ULL << 30)

#define MEMBER_SIZE(type, f) sizeof(((type *)0)->f)
/* Locate a value in its section struct; _L also records the line it came from. */
#define LB_KEY(f)                                                              \
	.section = CFG_SECT_LONGBUS, .off = offsetof(struct cfg_longbus, f),   \
	.size = MEMBER_SIZE(struct cfg_longbus, f), .line_off = CFG_NO_LINE,   \
	.count_off = CFG_NO_LINE
#define LB_KEY_L(f, l)                                                         \
	.section = CFG_SECT_LONGBUS, .off = offsetof(struct cfg_longbus, f),   \
	.size = MEMBER_SIZE(struct cfg_longbus, f),                            \
	.line_off = offsetof(struct cfg_longbus, l), .count_off = CFG_NO_LINE
#define GUEST_KEY_L(f, l)                                                      \
	.section = CFG_SECT_GUEST, .off = offsetof(struct cfg_guest, f),       \
	.size = MEMBER_SIZE(struct cfg_guest, f),                              \
	.line_off = offsetof(struct cfg_guest, l), .count_off = CFG_NO_LINE

static const struct cfg_name serial_names[] = {
	{ "com1", 0x3f8 }, { "com2", 0x2f8 }, { "com3", 0x3e8 }, { "com4", 0x2e8 },
	{ NULL, 0 },
};

/* The rates that divide the 8250's 115200 base clock exactly. */
static const struct cfg_name baud_names[] = {
	{ "300", 300 },	    { "600", 600 },	{ "1200", 1200 },
	{ "2400", 2400 },   { "4800", 4800 },	{ "9600", 9600 },
	{ "19200", 19200 }, { "38400", 38400 }, { "57600", 57600 },
	{ "115200", 115200 }, { NULL, 0 },
};

static const struct cfg_name log_level_names[] = {
	{ "err", LOG_LEVEL_ERR },   { "warn", LOG_LEVEL_WARN },
	{ "info", LOG_LEVEL_INFO }, { "dbg", LOG_LEVEL_DBG },
	{ NULL, 0 },
};

static const struct cfg_name bool_names[] = {
	{ "on", 1 },   { "off", 0 },   { "yes", 1 }, { "no", 0 },
	{ "true", 1 }, { "false", 0 }, { "1", 1 },   { "0", 0 },
	{ NULL, 0 },
};

const struct cfg_key cfg_keys[] = {
	{ LB_KEY(serial_port), .name = "serial", .type = CFG_T_U32,
	  .flags = CFG_KEY_HEX, .names = serial_names, .min = 0x100,
	  .max = 0xfff8, .def = 0x3f8, .example = "com1" },
	{ LB_KEY(baud), .name = "baud", .type = CFG_T_ENUM,
	  .names = baud_names, .def = 115200, .example = "115200" },
	{ LB_KEY(log_level), .name = "log_level", .type = CFG_T_ENUM,
	  .names = log_level_names, .def = LOG_LEVEL_INFO, .example = "info" },
	{ LB_KEY_L(memory, memory_line), .name = "memory", .type = CFG_T_SIZE,
	  .min = 16 * SZ_M, .max = 64 * SZ_G, .align = 2 * SZ_M,
	  .def = 64 * SZ_M, .example = "64M" },
	{ LB_KEY_L(service_cpu, service_cpu_line), .name = "service_cpu",
	  .type = CFG_T_U32, .min = 0, .max = CFG_MAX_CPUS - 1, .def = 0,
	  .example = "0" },
	{ LB_KEY(debug), .name = "debug", .type = CFG_T_BOOL, .def = 0,
	  .example = "off" },

	{ GUEST_KEY_L(cpus, cpus_line), .name = "cpus", .type = CFG_T_CPUS,
	  .flags = CFG_KEY_REQUIRED, .example = "1-3" },
	{ GUEST_KEY_L(memory, memory_line), .name = "memory", .type = CFG_T_SIZE,
	  .flags = CFG_KEY_REQUIRED, .min = 2 * SZ_M, .max = UINT64_MAX,
	  .align = 2 * SZ_M, .example = "512M" },
};

const size_t cfg_nkeys = ARRAY_SIZE(cfg_keys);

/* ---- messages ---------------------------------------------------------- */

/* Fill err->msg; returns rc so callers can `return set_msg(...)`. */
static __printf(3, 4) int set_msg(struct cfg_error *err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

static __printf(3, 4) int cfg_fail(struct cfg_error *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	kvsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Text from the file as shown inside '...': short enough that the hint
 * still fits CFG_MSG_MAX, and unprintable bytes replaced so a hostile
 * file cannot put escape sequences on the console.
 */
#define QUOTE_MAX 40
struct quote {
	char s[QUOTE_MAX + 1];
};

static const char *quote(struct quote *q, const char *s, size_t len)
{
	size_t n = len > QUOTE_MAX ? QUOTE_MAX - 3 : len, i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		q->s[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (len > QUOTE_MAX) {
		memcpy(q->s + n, "...", 3);
		n += 3;
	}
	q->s[n] = '\0';
	return q->s;
}

/* "a, b, c" from a name table, for hints. */
static const char *name_list(char *buf, size_t size, const struct cfg_name *names)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; names->name && n < size; names++)
		n += (size_t)ksnprintf(buf + n, size - n, "%s%s", n ? ", " : "", names->name);
	return buf;
}

/* 2097152 -> "2M": the largest binary suffix that is exact. */
static const char *fmt_size(char *buf, size_t size, u64 v)
{
	static const char units[] = "TGMK";
	unsigned i;

	for (i = 0; i < 4; i++) {
		unsigned shift = 40 - 10 * i;

		if (v && !(v & ((1ULL << shift) - 1))) {
			ksnprintf(buf, size, "%llu%c", (unsigned long long)(v >> shift), units[i]);
			return buf;
		}
	}
	ksnprintf(buf, size, "%llu", (unsigned long long)v);
	return buf;
}

static const char *fmt_duration(char *buf, size_t size, u64 ns)
{
	if (ns && ns % 1000000000 == 0)
		ksnprintf(buf, size, "%llus", (unsigned long long)(ns / 1000000000));
	else if (ns && ns % 1000000 == 0)
		ksnprintf(buf, size, "%llums", (unsigned long long)(ns / 1000000));
	else if (ns && ns % 1000 == 0)
		ksnprintf(buf, size, "%lluus", (unsigned long long)(ns / 1000));
	else
		ksnprintf(buf, size, "%lluns", (unsigned long long)ns);
	return buf;
}

/* ---- lexical helpers --------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_alnum(char c)
{
	return is_digit(c) || (to_lower(c) >= 'a' && to_lower(c) <= 'z');
}

static int hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	c = to_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_blank((*s)[*n - 1]))
		(*n)--;
}

/* Does s[0..n) spell name exactly (or ignoring case)? */
static bool name_eq(const char *name, const char *s, size_t n, bool nocase)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!name[i])
			return false;
		if (nocase ? to_lower(name[i]) != to_lower(s[i]) : name[i] != s[i])
			return false;
	}
	return !name[n];
}

static const struct cfg_name *find_name(const struct cfg_name *names,
					const char *s, size_t n)
{
	for (; names && names->name; names++) {
		if (name_eq(names->name, s, n, false))
			return names;
	}
	return NULL;
}

/*
 * Digits at s[*i..len): decimal, or hex after "0x" when hex is allowed.
 * Digits past an overflow are still consumed, so "99999999999999999999M"
 * is reported as too large rather than as junk. Returns 0, -EINVAL for
 * no digits, -ERANGE for more than 64 bits.
 */
static int parse_u64(const char *s, size_t len, size_t *i, bool hex, u64 *out)
{
	unsigned base = 10;
	size_t start;
	u64 v = 0;
	int rc = 0, d;

	if (hex && *i + 1 < len && s[*i] == '0' && to_lower(s[*i + 1]) == 'x') {
		base = 16;
		*i += 2;
	}
	for (start = *i; *i < len; (*i)++) {
		d = hex_val(s[*i]);
		if (d < 0 || (unsigned)d >= base)
			break;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			rc = -ERANGE;
		else
			v = v * base + (unsigned)d;
	}
	if (*i == start)
		return -EINVAL;
	*out = v;
	return rc;
}

/* ---- value types ------------------------------------------------------- */

/* Shift for a K/M/G/T suffix in either case, 0 for anything else. */
static unsigned size_shift(char c)
{
	switch (to_lower(c)) {
	case 'k': return 10;
	case 'm': return 20;
	case 'g': return 30;
	case 't': return 40;
	default: return 0;
	}
}

int cfg_parse_size(const char *s, size_t len, u64 *out, struct cfg_error *err)
{
	struct quote q;
	unsigned shift = 0;
	size_t i = 0;
	u64 v;
	int rc;

	rc = parse_u64(s, len, &i, true, &v);
	if (rc == -EINVAL)
		goto bad;
	if (i < len) {
		shift = size_shift(s[i++]);
		if (!shift || !(i == len || name_eq("b", s + i, len - i, true) ||
				name_eq("ib", s + i, len - i, true)))
			goto bad;
	}
	if (rc == -ERANGE || v > (UINT64_MAX >> shift))
		return set_msg(err, -ERANGE, "size '%s' does not fit in 64 bits",
			       quote(&q, s, len));
	*out = v << shift;
	return 0;
bad:
	return set_msg(err, -EINVAL, "bad size '%s' (use a number with K, M, G or T, e.g. 64M)",
		       quote(&q, s, len));
}

int cfg_parse_duration(const char *s, size_t len, u64 *ns, struct cfg_error *err)
{
	static const struct cfg_name units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		{ NULL, 0 },
	};
	const struct cfg_name *unit;
	struct quote q;
	size_t i = 0;
	u64 v;
	int rc;

	rc = parse_u64(s, len, &i, false, &v);
	if (rc != -EINVAL && i == len)
		return set_msg(err, -EINVAL, "duration '%s' has no unit (add ns, us, ms or s, e.g. 10ms)",
			       quote(&q, s, len));
	unit = rc == -EINVAL ? NULL : find_name(units, s + i, len - i);
	if (!unit)
		return set_msg(err, -EINVAL, "bad duration '%s' (use a number with ns, us, ms or s, e.g. 10ms)",
			       quote(&q, s, len));
	if (rc == -ERANGE || v > UINT64_MAX / unit->value)
		return set_msg(err, -ERANGE, "duration '%s' is too long (over 584 years)",
			       quote(&q, s, len));
	*ns = v * unit->value;
	return 0;
}

int cfg_parse_u32(const char *s, size_t len, u32 *out, struct cfg_error *err)
{
	struct quote q;
	size_t i = 0;
	u64 v;
	int rc;

	rc = parse_u64(s, len, &i, true, &v);
	if (rc == -EINVAL || i != len)
		return set_msg(err, -EINVAL, "bad number '%s' (use decimal or 0x hex, e.g. 42 or 0x2a)",
			       quote(&q, s, len));
	if (rc == -ERANGE || v > UINT32_MAX)
		return set_msg(err, -ERANGE, "number '%s' does not fit in 32 bits",
			       quote(&q, s, len));
	*out = (u32)v;
	return 0;
}

int cfg_parse_bool(const char *s, size_t len, bool *out, struct cfg_error *err)
{
	const struct cfg_name *n = find_name(bool_names, s, len);
	struct quote q;

	if (!n)
		return set_msg(err, -EINVAL, "bad boolean '%s' (use on or off)",
			       quote(&q, s, len));
	*out = n->value;
	return 0;
}

int cfg_parse_enum(const char *s, size_t len, const struct cfg_name *names,
		   u32 *out, struct cfg_error *err)
{
	const struct cfg_name *n = find_name(names, s, len);
	struct quote q;
	char list[128];

	if (!n)
		return set_msg(err, -EINVAL, "bad choice '%s' (use one of %s)",
			       quote(&q, s, len), name_list(list, sizeof(list), names));
	*out = n->value;
	return 0;
}

/* One dotted quad at s[*i..len), no leading zeros (010 is octal to inet_aton). */
static int parse_quad(const char *s, size_t len, size_t *i, u32 *out)
{
	u32 addr = 0;
	unsigned k, ndig, octet;

	for (k = 0; k < 4; k++) {
		if (k && (*i >= len || s[(*i)++] != '.'))
			return -EINVAL;
		for (ndig = 0, octet = 0; *i < len && is_digit(s[*i]) && ndig < 4; ndig++)
			octet = octet * 10 + (unsigned)(s[(*i)++] - '0');
		if (!ndig || ndig > 3 || (ndig > 1 && s[*i - ndig] == '0'))
			return -EINVAL;
		if (octet > 255)
			return -ERANGE;
		addr = addr << 8 | octet;
	}
	*out = addr;
	return 0;
}

int cfg_parse_ipv4(const char *s, size_t len, u32 *out, struct cfg_error *err)
{
	struct quote q;
	size_t i = 0;
	int rc = parse_quad(s, len, &i, out);

	if (rc == -ERANGE)
		return set_msg(err, rc, "IPv4 address '%s' has a number above 255",
			       quote(&q, s, len));
	if (rc || i != len)
		return set_msg(err, -EINVAL, "bad IPv4 address '%s' (use four numbers 0..255, e.g. 10.0.0.1)",
			       quote(&q, s, len));
	return 0;
}

int cfg_parse_ipv4_prefix(const char *s, size_t len, struct cfg_ipv4_prefix *out,
			  struct cfg_error *err)
{
	struct quote q;
	size_t i = 0;
	u64 plen;
	u32 addr;
	int rc = parse_quad(s, len, &i, &addr);

	if (rc == -ERANGE)
		return set_msg(err, rc, "IPv4 prefix '%s' has a number above 255",
			       quote(&q, s, len));
	if (!rc && (i == len || s[i] != '/'))
		rc = -EINVAL;
	if (!rc) {
		i++;
		/* No leading zero ("/024"), for the same reason as in the address. */
		rc = i + 1 < len && s[i] == '0' ? -EINVAL : parse_u64(s, len, &i, false, &plen);
	}
	if (rc == -EINVAL || i != len)
		return set_msg(err, -EINVAL, "bad IPv4 prefix '%s' (use address/length, e.g. 10.0.0.0/24)",
			       quote(&q, s, len));
	if (rc == -ERANGE || plen > 32)
		return set_msg(err, -ERANGE, "prefix length in '%s' is above 32",
			       quote(&q, s, len));
	out->addr = addr;
	out->len = (u8)plen;
	return 0;
}

int cfg_parse_mac(const char *s, size_t len, struct cfg_mac *out, struct cfg_error *err)
{
	struct cfg_mac mac;
	struct quote q;
	int hi, lo;
	size_t k;

	if (len != 17)
		goto bad;
	for (k = 0; k < 6; k++) {
		hi = hex_val(s[3 * k]);
		lo = hex_val(s[3 * k + 1]);
		if (hi < 0 || lo < 0 || (k < 5 && s[3 * k + 2] != ':'))
			goto bad;
		mac.b[k] = (u8)(hi << 4 | lo);
	}
	*out = mac;
	return 0;
bad:
	return set_msg(err, -EINVAL, "bad MAC address '%s' (use six hex pairs, e.g. 52:54:00:12:34:56)",
		       quote(&q, s, len));
}

/* 1..maxdig hex digits at s[*i..len) followed by sep (or the end if sep is 0). */
static bool hex_field(const char *s, size_t len, size_t *i, unsigned maxdig,
		      char sep, unsigned *out)
{
	unsigned v = 0, n = 0;

	for (; *i < len && hex_val(s[*i]) >= 0 && n <= maxdig; n++)
		v = v << 4 | (unsigned)hex_val(s[(*i)++]);
	if (!n || n > maxdig)
		return false;
	*out = v;
	if (!sep)
		return *i == len;
	return *i < len && s[(*i)++] == sep;
}

int cfg_parse_bdf(const char *s, size_t len, struct cfg_bdf *out, struct cfg_error *err)
{
	unsigned seg = 0, bus, dev, fn, colons = 0;
	struct quote q;
	size_t i;

	for (i = 0; i < len; i++)
		colons += s[i] == ':';
	i = 0;
	if ((colons != 1 && colons != 2) ||
	    (colons == 2 && !hex_field(s, len, &i, 4, ':', &seg)) ||
	    !hex_field(s, len, &i, 2, ':', &bus) ||
	    !hex_field(s, len, &i, 2, '.', &dev) ||
	    !hex_field(s, len, &i, 1, 0, &fn))
		return set_msg(err, -EINVAL, "bad PCI address '%s' (use bus:dev.fn in hex, e.g. 00:1f.2 or 0000:00:1f.2)",
			       quote(&q, s, len));
	if (dev > 0x1f || fn > 7)
		return set_msg(err, -ERANGE, "PCI address '%s' is out of range (device is 00..1f, function 0..7)",
			       quote(&q, s, len));
	*out = (struct cfg_bdf){ .seg = (u16)seg, .bus = (u8)bus, .dev = (u8)dev, .fn = (u8)fn };
	return 0;
}

static void skip_blanks(const char *s, size_t len, size_t *i)
{
	while (*i < len && is_blank(s[*i]))
		(*i)++;
}

/* One "N" or "N-M" item at s[*i..len); blanks around '-' are fine. */
static int parse_cpu_range(const char *s, size_t len, size_t *i, u64 *lo, u64 *hi)
{
	int rc, rc2;

	skip_blanks(s, len, i);
	rc = parse_u64(s, len, i, false, lo);
	*hi = *lo;
	skip_blanks(s, len, i);
	if (rc == -EINVAL || *i == len || s[*i] != '-')
		return rc;
	(*i)++;
	skip_blanks(s, len, i);
	rc2 = parse_u64(s, len, i, false, hi);
	skip_blanks(s, len, i);
	return rc2 ? rc2 : rc;
}

int cfg_parse_cpus(const char *s, size_t len, struct cpuset *out, struct cfg_error *err)
{
	struct quote q;
	size_t i = 0;
	u64 lo, hi, c;
	int rc;

	memset(out, 0, sizeof(*out));
	for (;;) {
		rc = parse_cpu_range(s, len, &i, &lo, &hi);
		if (rc == -EINVAL || (i < len && s[i] != ','))
			return set_msg(err, -EINVAL, "bad cpu list '%s' (use numbers and ranges, e.g. 1-3,5)",
				       quote(&q, s, len));
		if (rc == -ERANGE || lo >= CFG_MAX_CPUS || hi >= CFG_MAX_CPUS)
			return set_msg(err, -ERANGE, "cpu list '%s' names a cpu above %u",
				       quote(&q, s, len), CFG_MAX_CPUS - 1);
		if (hi < lo)
			return set_msg(err, -EINVAL, "cpu range %llu-%llu is backwards (write %llu-%llu)",
				       (unsigned long long)lo, (unsigned long long)hi,
				       (unsigned long long)hi, (unsigned long long)lo);
		for (c = lo; c <= hi; c++) {
			if (cpuset_has(out, (unsigned)c))
				return set_msg(err, -EINVAL, "cpu %llu is listed twice in '%s'",
					       (unsigned long long)c, quote(&q, s, len));
			cpuset_add(out, (unsigned)c);
		}
		if (i == len)
			return 0;
		i++; /* the ',' */
	}
}

int cfg_parse_string(const char *s, size_t len, char *out, size_t outsz,
		     size_t maxlen, struct cfg_error *err)
{
	struct quote q;
	size_t i;

	if (!outsz)
		return set_msg(err, -EINVAL, "internal: no room for a string");
	if (!maxlen || maxlen > outsz - 1)
		maxlen = outsz - 1;
	if (!len)
		return set_msg(err, -EINVAL, "empty string");
	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return set_msg(err, -EINVAL, "byte 0x%02x in '%s' is not printable ASCII",
				       (unsigned char)s[i], quote(&q, s, len));
	}
	if (len > maxlen)
		return set_msg(err, -ERANGE, "'%s' is %zu characters long, the limit is %zu",
			       quote(&q, s, len), len, maxlen);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* ---- storing values through the schema --------------------------------- */

/* Store v into a 1/2/4/8-byte field; false (and nothing written) if it does not fit. */
static bool store_uint(void *dst, size_t size, u64 v)
{
	u8 b = (u8)v;
	u16 h = (u16)v;
	u32 w = (u32)v;

	if (size == 1 && v == b)
		memcpy(dst, &b, 1);
	else if (size == 2 && v == h)
		memcpy(dst, &h, 2);
	else if (size == 4 && v == w)
		memcpy(dst, &w, 4);
	else if (size == 8)
		memcpy(dst, &v, 8);
	else
		return false;
	return true;
}

static bool is_number_type(enum cfg_type type)
{
	return type == CFG_T_SIZE || type == CFG_T_DURATION || type == CFG_T_U32 ||
	       type == CFG_T_ENUM || type == CFG_T_IPV4;
}

/* Range hint for a u32 key: "com1, ..., com4 or 0x100..0xfff8". */
static const char *u32_range(char *buf, size_t size, const struct cfg_key *key)
{
	char names[96];
	const char *f = key->flags & CFG_KEY_HEX ? "%s%s%#llx..%#llx" : "%s%s%llu..%llu";

	if (key->names)
		name_list(names, sizeof(names), key->names);
	ksnprintf(buf, size, f, key->names ? names : "", key->names ? " or " : "",
		  (unsigned long long)key->min, (unsigned long long)key->max);
	return buf;
}

static int parse_number(const struct cfg_key *key, const char *s, size_t len,
			u64 *v, struct cfg_error *err)
{
	const struct cfg_name *alias;
	char range[128];
	struct quote q;
	u32 w;
	int rc;

	switch (key->type) {
	case CFG_T_SIZE:
		return cfg_parse_size(s, len, v, err);
	case CFG_T_DURATION:
		return cfg_parse_duration(s, len, v, err);
	case CFG_T_ENUM:
		rc = cfg_parse_enum(s, len, key->names, &w, err);
		if (rc)
			return set_msg(err, rc, "bad %s '%s' (use one of %s)", key->name,
				       quote(&q, s, len), name_list(range, sizeof(range), key->names));
		break;
	case CFG_T_IPV4:
		rc = cfg_parse_ipv4(s, len, &w, err);
		break;
	default: /* CFG_T_U32 */
		alias = find_name(key->names, s, len);
		if (alias) {
			*v = alias->value;
			return 0;
		}
		rc = cfg_parse_u32(s, len, &w, err);
		if (rc == -EINVAL && key->names)
			return set_msg(err, rc, "bad %s '%s' (use %s)", key->name,
				       quote(&q, s, len), u32_range(range, sizeof(range), key));
		break;
	}
	*v = w;
	return rc;
}

/* Schema limits for numbers; the message names the key and a good value. */
static int check_number(const struct cfg_key *key, u64 v, const char *s,
			size_t len, struct cfg_error *err)
{
	const char *(*fmt)(char *, size_t, u64) =
		key->type == CFG_T_SIZE ? fmt_size : fmt_duration;
	char a[32], b[32], range[128];
	struct quote q;
	u64 down;

	if (key->type == CFG_T_U32 && (v < key->min || v > key->max))
		return set_msg(err, -ERANGE, "%s '%s' is out of range (use %s)", key->name,
			       quote(&q, s, len), u32_range(range, sizeof(range), key));
	if (key->type != CFG_T_SIZE && key->type != CFG_T_DURATION)
		return 0;
	if (v < key->min)
		return set_msg(err, -ERANGE, "%s '%s' is below the minimum %s", key->name,
			       quote(&q, s, len), fmt(a, sizeof(a), key->min));
	if (v > key->max)
		return set_msg(err, -ERANGE, "%s '%s' is above the maximum %s", key->name,
			       quote(&q, s, len), fmt(a, sizeof(a), key->max));
	if (!key->align || v % key->align == 0)
		return 0;
	down = v - v % key->align;
	return set_msg(err, -EINVAL, "%s '%s' is not a multiple of %s (e.g. %s or %s)",
		       key->name, quote(&q, s, len), fmt(a, sizeof(a), key->align),
		       fmt(b, sizeof(b), down >= key->min ? down : key->min),
		       fmt(range, sizeof(range), down + key->align));
}

/* Parse into a scratch union, then copy exactly the field's size. */
static int set_typed(const struct cfg_key *key, void *dst, const char *s,
		     size_t len, struct cfg_error *err)
{
	union {
		u64 n;
		bool b;
		struct cfg_ipv4_prefix pfx;
		struct cfg_mac mac;
		struct cfg_bdf bdf;
		struct cpuset cpus;
	} v;
	size_t want;
	int rc;

	switch (key->type) {
	case CFG_T_STRING:
		return cfg_parse_string(s, len, dst, key->size, key->max, err);
	case CFG_T_BOOL:
		rc = cfg_parse_bool(s, len, &v.b, err);
		want = sizeof(v.b);
		break;
	case CFG_T_IPV4_PREFIX:
		rc = cfg_parse_ipv4_prefix(s, len, &v.pfx, err);
		want = sizeof(v.pfx);
		break;
	case CFG_T_MAC:
		rc = cfg_parse_mac(s, len, &v.mac, err);
		want = sizeof(v.mac);
		break;
	case CFG_T_BDF:
		rc = cfg_parse_bdf(s, len, &v.bdf, err);
		want = sizeof(v.bdf);
		break;
	case CFG_T_CPUS:
		rc = cfg_parse_cpus(s, len, &v.cpus, err);
		want = sizeof(v.cpus);
		break;
	default:
		rc = parse_number(key, s, len, &v.n, err);
		if (!rc)
			rc = check_number(key, v.n, s, len, err);
		if (!rc && !store_uint(dst, key->size, v.n))
			rc = set_msg(err, -EINVAL, "internal: %s field cannot hold %llu",
				     key->name, (unsigned long long)v.n);
		return rc;
	}
	if (!rc && key->size != want)
		rc = set_msg(err, -EINVAL, "internal: %s field has the wrong size", key->name);
	if (!rc)
		memcpy(dst, &v, want);
	return rc;
}

int cfg_set_value(const struct cfg_key *key, void *sect, const char *s,
		  size_t len, unsigned line, struct cfg_error *err)
{
	bool repeat = key->flags & CFG_KEY_REPEAT;
	u8 *base = sect;
	unsigned idx = 0;

	if (repeat) {
		memcpy(&idx, base + key->count_off, sizeof(idx));
		if (idx >= key->max_count)
			return cfg_fail(err, line, "too many '%s' keys (at most %u)",
					key->name, key->max_count);
	}
	if (set_typed(key, base + key->off + (size_t)idx * key->size, s, len, err)) {
		err->line = line;
		return -EINVAL;
	}
	if (key->line_off != CFG_NO_LINE)
		memcpy(base + key->line_off + idx * sizeof(unsigned), &line, sizeof(line));
	if (repeat) {
		idx++;
		memcpy(base + key->count_off, &idx, sizeof(idx));
	}
	return 0;
}

/* Defaults of a section's optional scalar keys; the rest stays zero. */
static void apply_defaults(enum cfg_section_id sect, void *base)
{
	const struct cfg_key *key;
	bool b;

	for (key = cfg_keys; key < cfg_keys + cfg_nkeys; key++) {
		if (key->section != sect || (key->flags & (CFG_KEY_REQUIRED | CFG_KEY_REPEAT)))
			continue;
		if (key->type == CFG_T_BOOL) {
			b = key->def;
			memcpy((u8 *)base + key->off, &b, sizeof(b));
		} else if (is_number_type(key->type)) {
			/* A default that does not fit is caught by the schema test. */
			store_uint((u8 *)base + key->off, key->size, key->def);
		}
	}
}

/* ---- the line parser --------------------------------------------------- */

struct cfg_parser {
	const char *text;
	size_t len;
	size_t pos;	   /* start of the next line */
	unsigned line;	   /* 1-based number of the current line */
	struct lb_config *cfg;
	struct cfg_error *err;
	int sect;	   /* enum cfg_section_id; -1 before the first header */
	void *base;	   /* struct of the open section */
	unsigned sect_line;
	unsigned longbus_line; /* of the [longbus] header, 0 before it */
	unsigned seen[ARRAY_SIZE(cfg_keys)]; /* line each key was first set, 0: unset */
};

/*
 * The next line as s[0..n), without its LF or CRLF. A CR not followed by
 * LF stays in the line and is rejected there (old Mac line ends).
 */
static bool next_line(struct cfg_parser *p, const char **s, size_t *n)
{
	size_t start = p->pos, end = p->pos;

	if (start >= p->len)
		return false;
	while (end < p->len && p->text[end] != '\n')
		end++;
	p->pos = end < p->len ? end + 1 : end;
	if (end < p->len && end > start && p->text[end - 1] == '\r')
		end--;
	p->line++;
	*s = p->text + start;
	*n = end - start;
	return true;
}

/*
 * Reject bytes that have no business in a text config, and find where a
 * comment starts: '#' first on the line or after a blank. Comments may hold
 * UTF-8; everything else is ASCII. Columns count bytes from 1.
 */
static int check_bytes(struct cfg_parser *p, const char *s, size_t n, size_t *code)
{
	bool comment = false;
	unsigned char c;
	size_t i;

	*code = n;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!c)
			return cfg_fail(p->err, p->line, "NUL byte at column %zu (is this a text file?)", i + 1);
		if (c == '\r')
			return cfg_fail(p->err, p->line, "carriage return at column %zu (end lines with LF or CRLF)", i + 1);
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return cfg_fail(p->err, p->line, "control character 0x%02x at column %zu", c, i + 1);
		if (comment)
			continue;
		if (c == '#' && (i == 0 || is_blank(s[i - 1]))) {
			comment = true;
			*code = i;
		} else if (c >= 0x80) {
			return cfg_fail(p->err, p->line, "non-ASCII byte 0x%02x at column %zu (only comments may hold UTF-8)",
					c, i + 1);
		}
	}
	return 0;
}

/* Edit distance between short words, ignoring case; 99 when either is long. */
static unsigned edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
	unsigned row[33], i, j, diag, up, best;

	if (na > 32 || nb > 32)
		return 99;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			up = row[j];
			best = diag + (to_lower(a[i - 1]) != to_lower(b[j - 1]));
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

/* Do the first n bytes of a and b agree, ignoring case? */
static bool prefix_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (to_lower(a[i]) != to_lower(b[i]))
			return false;
	}
	return true;
}

/*
 * The known word closest to s[0..n): a typo (distance <= 2, or 1 for short
 * words) or a shared prefix of 3+ letters (baudrate -> baud, mem -> memory).
 */
static const char *suggest(const char *const *words, size_t count, const char *s, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 99, d;
	size_t i, wn, common;

	for (i = 0; i < count; i++) {
		wn = strlen(words[i]);
		common = wn < n ? wn : n;
		d = edit_distance(words[i], wn, s, n);
		if (d > (wn > 4 ? 2u : 1u) && !(common >= 3 && prefix_eq(words[i], s, common)))
			continue;
		if (d < best_d) {
			best = words[i];
			best_d = d;
		}
	}
	return best;
}

static const char *section_label(const struct cfg_parser *p, char *buf, size_t size)
{
	if (p->sect == CFG_SECT_GUEST)
		ksnprintf(buf, size, "[guest %s]", ((struct cfg_guest *)p->base)->name);
	else
		ksnprintf(buf, size, "[longbus]");
	return buf;
}

/* End of a section: every required key must have been set. */
static int finish_section(struct cfg_parser *p)
{
	const struct cfg_key *key;
	char label[CFG_NAME_MAX + 16];
	size_t i;

	for (i = 0; p->sect >= 0 && i < cfg_nkeys; i++) {
		key = &cfg_keys[i];
		if (key->section == p->sect && (key->flags & CFG_KEY_REQUIRED) && !p->seen[i])
			return cfg_fail(p->err, p->sect_line, "%s has no '%s' key (add e.g. %s = %s)",
					section_label(p, label, sizeof(label)), key->name,
					key->name, key->example);
	}
	return 0;
}

static void open_section(struct cfg_parser *p, enum cfg_section_id sect, void *base)
{
	p->sect = sect;
	p->base = base;
	p->sect_line = p->line;
	memset(p->seen, 0, sizeof(p->seen));
	apply_defaults(sect, base);
}

static int open_guest(struct cfg_parser *p, const char *name, size_t n)
{
	struct lb_config *cfg = p->cfg;
	struct cfg_guest *g;
	struct quote q;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_alnum(name[i]) && name[i] != '_' && name[i] != '-')
			return cfg_fail(p->err, p->line, "guest name '%s' may only use letters, digits, '_' and '-'",
					quote(&q, name, n));
	}
	if (n > CFG_NAME_MAX - 1)
		return cfg_fail(p->err, p->line, "guest name '%s' is %zu characters long, the limit is %u",
				quote(&q, name, n), n, CFG_NAME_MAX - 1);
	for (i = 0; i < cfg->nguests; i++) {
		if (name_eq(cfg->guests[i].name, name, n, false))
			return cfg_fail(p->err, p->line, "guest '%s' is already declared at line %u (names must be unique)",
					cfg->guests[i].name, cfg->guests[i].line);
	}
	if (cfg->nguests == CFG_MAX_GUESTS)
		return cfg_fail(p->err, p->line, "too many guests (at most %u [guest] sections)",
				CFG_MAX_GUESTS);
	g = &cfg->guests[cfg->nguests++];
	memcpy(g->name, name, n);
	g->line = p->line;
	open_section(p, CFG_SECT_GUEST, g);
	return 0;
}

static int open_longbus(struct cfg_parser *p, const char *name, size_t n)
{
	struct quote q;

	if (n)
		return cfg_fail(p->err, p->line, "[longbus] takes no name (found '%s')",
				quote(&q, name, n));
	if (p->cfg->have_longbus_section)
		return cfg_fail(p->err, p->line, "[longbus] appears twice (first at line %u; merge them)",
				p->longbus_line);
	p->cfg->have_longbus_section = true;
	p->longbus_line = p->line;
	open_section(p, CFG_SECT_LONGBUS, &p->cfg->lb);
	return 0;
}

/* Section words, and how hints spell each section (same order). */
static const char *const section_words[] = { "longbus", "guest" };
static const char *const section_forms[] = { "[longbus]", "[guest NAME]" };

static const char *section_hint(const char *s, size_t n)
{
	const char *w = suggest(section_words, ARRAY_SIZE(section_words), s, n);

	return w == section_words[0] ? section_forms[0] : w ? section_forms[1] : NULL;
}

/* "[word name]"; the previous section has already been finished. */
static int parse_header(struct cfg_parser *p, const char *s, size_t n)
{
	size_t i, wn;
	struct quote q;
	const char *hint;

	if (s[n - 1] != ']') {
		for (i = 0; i < n && s[i] != ']'; i++)
			;
		if (i == n)
			return cfg_fail(p->err, p->line, "missing ']' in section header (e.g. [guest web])");
		s += i + 1;
		n -= i + 1;
		trim(&s, &n);
		return cfg_fail(p->err, p->line, "unexpected '%s' after ']'", quote(&q, s, n));
	}
	s++;
	n -= 2;
	trim(&s, &n);
	for (i = 0; i < n; i++) {
		if (s[i] == '[' || s[i] == ']')
			return cfg_fail(p->err, p->line, "stray '%c' in section header (use [longbus] or [guest NAME])",
					s[i]);
	}
	if (!n)
		return cfg_fail(p->err, p->line, "empty section header (use [longbus] or [guest NAME])");
	for (wn = 0; wn < n && !is_blank(s[wn]); wn++)
		;
	i = wn;
	skip_blanks(s, n, &i);
	if (name_eq("longbus", s, wn, false))
		return open_longbus(p, s + i, n - i);
	if (!name_eq("guest", s, wn, false)) {
		hint = section_hint(s, wn);
		return cfg_fail(p->err, p->line, "unknown section [%s] (%s%s%s)", quote(&q, s, wn),
				hint ? "did you mean " : "use [longbus] or [guest NAME]",
				hint ? hint : "", hint ? "?" : "");
	}
	if (i == n)
		return cfg_fail(p->err, p->line, "[guest] needs a name (e.g. [guest web])");
	return open_guest(p, s + i, n - i);
}

/* Index of key s[0..n) in the open section, or -1 with a suggestion in *hint. */
static int find_key(const struct cfg_parser *p, const char *s, size_t n, const char **hint)
{
	const char *words[ARRAY_SIZE(cfg_keys)];
	size_t i, count = 0;

	for (i = 0; i < cfg_nkeys; i++) {
		if (cfg_keys[i].section != p->sect)
			continue;
		if (name_eq(cfg_keys[i].name, s, n, false))
			return (int)i;
		words[count++] = cfg_keys[i].name;
	}
	*hint = suggest(words, count, s, n);
	return -1;
}

/* "key = value" inside a section. */
static int parse_assignment(struct cfg_parser *p, const char *s, size_t n)
{
	const char *key = s, *val, *hint = NULL;
	size_t kn, vn, i;
	char label[CFG_NAME_MAX + 16];
	struct quote q;
	int idx;

	for (kn = 0; kn < n && s[kn] != '='; kn++)
		;
	if (kn == n)
		return cfg_fail(p->err, p->line, "missing '=' in '%s' (use key = value)", quote(&q, s, n));
	val = s + kn + 1;
	vn = n - kn - 1;
	trim(&key, &kn);
	trim(&val, &vn);
	if (!kn)
		return cfg_fail(p->err, p->line, "missing key before '=' (use key = value)");
	for (i = 0; i < kn; i++) {
		if (!is_alnum(key[i]) && key[i] != '_')
			return cfg_fail(p->err, p->line, "bad key '%s' (keys use letters, digits and '_')",
					quote(&q, key, kn));
	}
	if (p->sect < 0)
		return cfg_fail(p->err, p->line, "key '%s' comes before any section (put it under [longbus] or [guest NAME])",
				quote(&q, key, kn));
	idx = find_key(p, key, kn, &hint);
	if (idx < 0)
		return cfg_fail(p->err, p->line, "unknown key '%s' in %s (%s%s%s)", quote(&q, key, kn),
				section_label(p, label, sizeof(label)),
				hint ? "did you mean '" : "see docs/config.md", hint ? hint : "",
				hint ? "'?" : "");
	if (!vn)
		return cfg_fail(p->err, p->line, "empty value for '%s' (e.g. %s = %s)",
				cfg_keys[idx].name, cfg_keys[idx].name, cfg_keys[idx].example);
	if (p->seen[idx] && !(cfg_keys[idx].flags & CFG_KEY_REPEAT))
		return cfg_fail(p->err, p->line, "duplicate key '%s' (first set at line %u)",
				cfg_keys[idx].name, p->seen[idx]);
	if (!p->seen[idx])
		p->seen[idx] = p->line;
	return cfg_set_value(&cfg_keys[idx], p->base, val, vn, p->line, p->err);
}

static int parse_line(struct cfg_parser *p, const char *s, size_t n)
{
	int rc;

	if (n > CFG_MAX_LINE)
		return cfg_fail(p->err, p->line, "line is %zu bytes long, the limit is %u", n, CFG_MAX_LINE);
	rc = check_bytes(p, s, n, &n);
	if (rc)
		return rc;
	trim(&s, &n);
	if (!n)
		return 0;
	if (s[0] != '[')
		return parse_assignment(p, s, n);
	rc = finish_section(p);
	return rc ? rc : parse_header(p, s, n);
}

/* Guests own their CPUs: report the first CPU two guests share. */
static int check_overlap(const struct lb_config *cfg, struct cfg_error *err)
{
	const struct cfg_guest *a, *b;
	unsigned i, j, w;
	u64 both;

	for (j = 1; j < cfg->nguests; j++) {
		b = &cfg->guests[j];
		for (i = 0; i < j; i++) {
			a = &cfg->guests[i];
			for (w = 0; w < ARRAY_SIZE(a->cpus.bits); w++) {
				both = a->cpus.bits[w] & b->cpus.bits[w];
				if (both)
					return cfg_fail(err, b->cpus_line, "guest '%s' cpus overlap guest '%s' (line %u) on cpu %u",
							b->name, a->name, a->cpus_line,
							w * 64 + (unsigned)__builtin_ctzll(both));
			}
		}
	}
	return 0;
}

int config_parse(const char *text, size_t len, struct lb_config *out,
		 struct cfg_error *err)
{
	struct cfg_parser p = { .text = text, .len = len, .cfg = out, .err = err, .sect = -1 };
	const char *s;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	apply_defaults(CFG_SECT_LONGBUS, &out->lb);
	if (len > CFG_MAX_SIZE)
		return cfg_fail(err, 0, "config is %zu bytes, the limit is %u", len, CFG_MAX_SIZE);
	if (!text && len)
		return cfg_fail(err, 0, "no config text");
	/* Windows editors may prefix a UTF-8 byte order mark; it is not content. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = 3;
	while (next_line(&p, &s, &n)) {
		rc = parse_line(&p, s, n);
		if (rc)
			return rc;
	}
	rc = finish_section(&p);
	return rc ? rc : check_overlap(out, err);
}

int config_check_machine(const struct lb_config *cfg, unsigned ncpus,
			 struct cfg_error *err)
{
	const struct cfg_guest *g;
	unsigned i;
	int last;

	memset(err, 0, sizeof(*err));
	if (!ncpus)
		return cfg_fail(err, 0, "the machine reports no CPUs");
	if (cfg->lb.service_cpu >= ncpus)
		return cfg_fail(err, cfg->lb.service_cpu_line,
				"service_cpu %u does not exist (this machine has %u CPUs, 0..%u)",
				cfg->lb.service_cpu, ncpus, ncpus - 1);
	for (i = 0; i < cfg->nguests; i++) {
		g = &cfg->guests[i];
		last = cpuset_last(&g->cpus);
		if (last >= 0 && (unsigned)last >= ncpus)
			return cfg_fail(err, g->cpus_line,
					"guest '%s' wants cpu %d but this machine has %u CPUs (0..%u)",
					g->name, last, ncpus, ncpus - 1);
	}
	return 0;
}

const char *log_level_name(enum log_level lvl)
{
	const struct cfg_name *n;

	for (n = log_level_names; n->name; n++) {
		if (n->value == (u32)lvl)
			return n->name;
	}
	return "?";
}

unsigned cpuset_count(const struct cpuset *s)
{
	unsigned i, n = 0;
	u64 w;

	/* Clear-lowest-bit loop: __builtin_popcountll may call libgcc's
	 * __popcountdi2 without -mpopcnt, and the core links no libgcc. */
	for (i = 0; i < ARRAY_SIZE(s->bits); i++) {
		for (w = s->bits[i]; w; w &= w - 1)
			n++;
	}
	return n;
}

int cpuset_last(const struct cpuset *s)
{
	unsigned i;

	for (i = ARRAY_SIZE(s->bits); i-- > 0;) {
		if (s->bits[i])
			return (int)(i * 64 + 63 - (unsigned)__builtin_clzll(s->bits[i]));
	}
	return -1;
}
