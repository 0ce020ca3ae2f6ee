// SPDX-License-Identifier: GPL-2.0-only
/*
 * longbus.cfg value types: the parsers behind every key (size, duration,
 * u32, bool, enum, IPv4 address and prefix, MAC, PCI address, CPU list,
 * string) and cfg_set_value(), which parses a value with its schema row's
 * type, checks the row's range and stores it at the row's offset.
 *
 * Context: any, pure, like config.c (the line parser that calls us):
 * linked into the UEFI loader, the core and the host unit tests. No
 * allocation, no globals but const tables, nothing beyond klib.h. Values
 * are untrusted bytes s[0..len) with no NUL after them; every message
 * quotes them through cfg_quote(). The cfg_parse_*() messages do not name
 * a key, so other callers (the shell, later) can use them as they are;
 * cfg_set_value() puts the key in front. docs/config.md documents the
 * syntax of every type.
 */
#include "kernel/config_types.h"
#include "kernel/errno.h"
#include "kernel/klib.h"

static const struct cfg_name bool_names[] = {
	{ "on", 1 },   { "off", 0 },   { "yes", 1 }, { "no", 0 },
	{ "true", 1 }, { "false", 0 }, { "1", 1 },   { "0", 0 },
	{ NULL, 0 },
};

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

const char *cfg_quote(struct cfg_quote *q, const char *s, size_t len)
{
	size_t n = len > CFG_QUOTE_MAX ? CFG_QUOTE_MAX - 3 : len, i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		q->s[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (len > CFG_QUOTE_MAX) {
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

static int hex_val(char c)
{
	if (cfg_is_digit(c))
		return c - '0';
	c = cfg_to_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool cfg_name_eq(const char *name, const char *s, size_t n, bool nocase)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!name[i])
			return false;
		if (nocase ? cfg_to_lower(name[i]) != cfg_to_lower(s[i]) : name[i] != s[i])
			return false;
	}
	return !name[n];
}

static const struct cfg_name *find_name(const struct cfg_name *names,
					const char *s, size_t n)
{
	for (; names && names->name; names++) {
		if (cfg_name_eq(names->name, s, n, false))
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

	if (hex && *i + 1 < len && s[*i] == '0' && cfg_to_lower(s[*i + 1]) == 'x') {
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
	switch (cfg_to_lower(c)) {
	case 'k': return 10;
	case 'm': return 20;
	case 'g': return 30;
	case 't': return 40;
	default: return 0;
	}
}

int cfg_parse_size(const char *s, size_t len, u64 *out, struct cfg_error *err)
{
	struct cfg_quote q;
	unsigned shift = 0;
	size_t i = 0;
	u64 v;
	int rc;

	rc = parse_u64(s, len, &i, true, &v);
	if (rc == -EINVAL)
		goto bad;
	if (i < len) {
		shift = size_shift(s[i++]);
		if (!shift || !(i == len || cfg_name_eq("b", s + i, len - i, true) ||
				cfg_name_eq("ib", s + i, len - i, true)))
			goto bad;
	}
	if (rc == -ERANGE || v > (UINT64_MAX >> shift))
		return set_msg(err, -ERANGE, "size '%s' does not fit in 64 bits",
			       cfg_quote(&q, s, len));
	*out = v << shift;
	return 0;
bad:
	return set_msg(err, -EINVAL, "bad size '%s' (use a number with K, M, G or T, e.g. 64M)",
		       cfg_quote(&q, s, len));
}

int cfg_parse_duration(const char *s, size_t len, u64 *ns, struct cfg_error *err)
{
	static const struct cfg_name units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		{ NULL, 0 },
	};
	const struct cfg_name *unit;
	struct cfg_quote q;
	size_t i = 0;
	u64 v;
	int rc;

	rc = parse_u64(s, len, &i, false, &v);
	if (rc != -EINVAL && i == len)
		return set_msg(err, -EINVAL, "duration '%s' has no unit (add ns, us, ms or s, e.g. 10ms)",
			       cfg_quote(&q, s, len));
	unit = rc == -EINVAL ? NULL : find_name(units, s + i, len - i);
	if (!unit)
		return set_msg(err, -EINVAL, "bad duration '%s' (use a number with ns, us, ms or s, e.g. 10ms)",
			       cfg_quote(&q, s, len));
	if (rc == -ERANGE || v > UINT64_MAX / unit->value)
		return set_msg(err, -ERANGE, "duration '%s' is too long (over 584 years)",
			       cfg_quote(&q, s, len));
	*ns = v * unit->value;
	return 0;
}

int cfg_parse_u32(const char *s, size_t len, u32 *out, struct cfg_error *err)
{
	struct cfg_quote q;
	size_t i = 0;
	u64 v;
	int rc;

	rc = parse_u64(s, len, &i, true, &v);
	if (rc == -EINVAL || i != len)
		return set_msg(err, -EINVAL, "bad number '%s' (use decimal or 0x hex, e.g. 42 or 0x2a)",
			       cfg_quote(&q, s, len));
	if (rc == -ERANGE || v > UINT32_MAX)
		return set_msg(err, -ERANGE, "number '%s' does not fit in 32 bits",
			       cfg_quote(&q, s, len));
	*out = (u32)v;
	return 0;
}

int cfg_parse_bool(const char *s, size_t len, bool *out, struct cfg_error *err)
{
	const struct cfg_name *n = find_name(bool_names, s, len);
	struct cfg_quote q;

	if (!n)
		return set_msg(err, -EINVAL, "bad boolean '%s' (use on or off)",
			       cfg_quote(&q, s, len));
	*out = n->value;
	return 0;
}

int cfg_parse_enum(const char *s, size_t len, const struct cfg_name *names,
		   u32 *out, struct cfg_error *err)
{
	const struct cfg_name *n = find_name(names, s, len);
	struct cfg_quote q;
	char list[128];

	if (!n)
		return set_msg(err, -EINVAL, "bad choice '%s' (use one of %s)",
			       cfg_quote(&q, s, len), name_list(list, sizeof(list), names));
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
		for (ndig = 0, octet = 0; *i < len && cfg_is_digit(s[*i]) && ndig < 4; ndig++)
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
	struct cfg_quote q;
	size_t i = 0;
	int rc = parse_quad(s, len, &i, out);

	if (rc == -ERANGE)
		return set_msg(err, rc, "IPv4 address '%s' has a number above 255",
			       cfg_quote(&q, s, len));
	if (rc || i != len)
		return set_msg(err, -EINVAL, "bad IPv4 address '%s' (use four numbers 0..255, e.g. 10.0.0.1)",
			       cfg_quote(&q, s, len));
	return 0;
}

int cfg_parse_ipv4_prefix(const char *s, size_t len, struct cfg_ipv4_prefix *out,
			  struct cfg_error *err)
{
	struct cfg_quote q;
	size_t i = 0;
	u64 plen;
	u32 addr;
	int rc = parse_quad(s, len, &i, &addr);

	if (rc == -ERANGE)
		return set_msg(err, rc, "IPv4 prefix '%s' has a number above 255",
			       cfg_quote(&q, s, len));
	if (!rc && (i == len || s[i] != '/'))
		rc = -EINVAL;
	if (!rc) {
		i++;
		/* No leading zero ("/024"), for the same reason as in the address. */
		rc = i + 1 < len && s[i] == '0' ? -EINVAL : parse_u64(s, len, &i, false, &plen);
	}
	if (rc == -EINVAL || i != len)
		return set_msg(err, -EINVAL, "bad IPv4 prefix '%s' (use address/length, e.g. 10.0.0.0/24)",
			       cfg_quote(&q, s, len));
	if (rc == -ERANGE || plen > 32)
		return set_msg(err, -ERANGE, "prefix length in '%s' is above 32",
			       cfg_quote(&q, s, len));
	out->addr = addr;
	out->len = (u8)plen;
	return 0;
}

int cfg_parse_mac(const char *s, size_t len, struct cfg_mac *out, struct cfg_error *err)
{
	struct cfg_mac mac;
	struct cfg_quote q;
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
		       cfg_quote(&q, s, len));
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
	struct cfg_quote q;
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
			       cfg_quote(&q, s, len));
	if (dev > 0x1f || fn > 7)
		return set_msg(err, -ERANGE, "PCI address '%s' is out of range (device is 00..1f, function 0..7)",
			       cfg_quote(&q, s, len));
	*out = (struct cfg_bdf){ .seg = (u16)seg, .bus = (u8)bus, .dev = (u8)dev, .fn = (u8)fn };
	return 0;
}

/* One "N" or "N-M" item at s[*i..len); blanks around '-' are fine. */
static int parse_cpu_range(const char *s, size_t len, size_t *i, u64 *lo, u64 *hi)
{
	int rc, rc2;

	cfg_skip_blanks(s, len, i);
	rc = parse_u64(s, len, i, false, lo);
	*hi = *lo;
	cfg_skip_blanks(s, len, i);
	if (rc == -EINVAL || *i == len || s[*i] != '-')
		return rc;
	(*i)++;
	cfg_skip_blanks(s, len, i);
	rc2 = parse_u64(s, len, i, false, hi);
	cfg_skip_blanks(s, len, i);
	return rc2 ? rc2 : rc;
}

int cfg_parse_cpus(const char *s, size_t len, struct cpuset *out, struct cfg_error *err)
{
	struct cfg_quote q;
	size_t i = 0;
	u64 lo, hi, c;
	int rc;

	memset(out, 0, sizeof(*out));
	for (;;) {
		rc = parse_cpu_range(s, len, &i, &lo, &hi);
		if (rc == -EINVAL || (i < len && s[i] != ','))
			return set_msg(err, -EINVAL, "bad cpu list '%s' (use numbers and ranges, e.g. 1-3,5)",
				       cfg_quote(&q, s, len));
		if (rc == -ERANGE || lo >= CFG_MAX_CPUS || hi >= CFG_MAX_CPUS)
			return set_msg(err, -ERANGE, "cpu list '%s' names a cpu above %u",
				       cfg_quote(&q, s, len), CFG_MAX_CPUS - 1);
		if (hi < lo)
			return set_msg(err, -EINVAL, "cpu range %llu-%llu is backwards (write %llu-%llu)",
				       (unsigned long long)lo, (unsigned long long)hi,
				       (unsigned long long)hi, (unsigned long long)lo);
		for (c = lo; c <= hi; c++) {
			if (cpuset_has(out, (unsigned)c))
				return set_msg(err, -EINVAL, "cpu %llu is listed twice in '%s'",
					       (unsigned long long)c, cfg_quote(&q, s, len));
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
	struct cfg_quote q;
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
				       (unsigned char)s[i], cfg_quote(&q, s, len));
	}
	if (len > maxlen)
		return set_msg(err, -ERANGE, "'%s' is %zu characters long, the limit is %zu",
			       cfg_quote(&q, s, len), len, maxlen);
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
	struct cfg_quote q;
	u32 w = 0;
	int rc;

	switch (key->type) {
	case CFG_T_SIZE:
		return cfg_parse_size(s, len, v, err);
	case CFG_T_DURATION:
		return cfg_parse_duration(s, len, v, err);
	case CFG_T_ENUM:
		rc = cfg_parse_enum(s, len, key->names, &w, err);
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
			return set_msg(err, rc, "bad number '%s' (use %s)",
				       cfg_quote(&q, s, len), u32_range(range, sizeof(range), key));
		break;
	}
	*v = w;
	return rc;
}

/* Schema limits for numbers; the message gives a good value. */
static int check_number(const struct cfg_key *key, u64 v, const char *s,
			size_t len, struct cfg_error *err)
{
	const char *(*fmt)(char *, size_t, u64) =
		key->type == CFG_T_SIZE ? fmt_size : fmt_duration;
	char a[32], b[32], range[128];
	struct cfg_quote q;
	u64 down;

	if (key->type == CFG_T_U32 && (v < key->min || v > key->max))
		return set_msg(err, -ERANGE, "'%s' is out of range (use %s)", cfg_quote(&q, s, len),
			       u32_range(range, sizeof(range), key));
	if (key->type != CFG_T_SIZE && key->type != CFG_T_DURATION)
		return 0;
	if (v < key->min)
		return set_msg(err, -ERANGE, "'%s' is below the minimum %s", cfg_quote(&q, s, len),
			       fmt(a, sizeof(a), key->min));
	if (v > key->max)
		return set_msg(err, -ERANGE, "'%s' is above the maximum %s", cfg_quote(&q, s, len),
			       fmt(a, sizeof(a), key->max));
	if (!key->align || v % key->align == 0)
		return 0;
	down = v - v % key->align;
	return set_msg(err, -EINVAL, "'%s' is not a multiple of %s (e.g. %s or %s)",
		       cfg_quote(&q, s, len), fmt(a, sizeof(a), key->align),
		       fmt(b, sizeof(b), down >= key->min ? down : key->min),
		       fmt(range, sizeof(range), down + key->align));
}

/*
 * Prefix err->msg with "key: ". The type parsers do not know which key
 * they parse (the shell calls them too), and longbus.cfg:LINE alone sends
 * the operator to the file to find out.
 */
static void name_key(struct cfg_error *err, const struct cfg_key *key)
{
	char msg[CFG_MSG_MAX];

	memcpy(msg, err->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	ksnprintf(err->msg, sizeof(err->msg), "%s: %s", key->name, msg);
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
			rc = set_msg(err, -EINVAL, "internal: field cannot hold %llu",
				     (unsigned long long)v.n);
		return rc;
	}
	if (!rc && key->size != want)
		rc = set_msg(err, -EINVAL, "internal: field has the wrong size");
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
		if (idx >= key->max_count) {
			err->line = line;
			return set_msg(err, -EINVAL, "too many '%s' keys (at most %u)",
				       key->name, key->max_count);
		}
	}
	if (set_typed(key, base + key->off + (size_t)idx * key->size, s, len, err)) {
		err->line = line;
		name_key(err, key);
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

void cfg_set_default(const struct cfg_key *key, void *sect)
{
	u8 *dst = (u8 *)sect + key->off;
	bool b;

	if (key->type == CFG_T_BOOL) {
		b = key->def;
		memcpy(dst, &b, sizeof(b));
	} else if (is_number_type(key->type)) {
		/* A default that does not fit is caught by the schema test. */
		store_uint(dst, key->size, key->def);
	}
}
