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
 * cfg_set_value() (config_types.c, with the value types), which parses it
 * with the row's type and stores it at the row's offset. After the last
 * line come the checks that span sections (required keys, CPUs shared by
 * guests); config_check_machine() is the one against the machine. Every
 * error stops the parse and names a line (0 for the whole file) and a fix.
 * docs/config.md documents the format; keep it in step with cfg_keys[].
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
#define NET_KEY(f)                                                             \
	.section = CFG_SECT_NET, .off = offsetof(struct cfg_net, f),           \
	.size = MEMBER_SIZE(struct cfg_net, f), .line_off = CFG_NO_LINE,       \
	.count_off = CFG_NO_LINE
#define NET_KEY_L(f, l)                                                        \
	.section = CFG_SECT_NET, .off = offsetof(struct cfg_net, f),           \
	.size = MEMBER_SIZE(struct cfg_net, f),                                \
	.line_off = offsetof(struct cfg_net, l), .count_off = CFG_NO_LINE

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
	{ LB_KEY(service_tick), .name = "service_tick", .type = CFG_T_DURATION,
	  .min = 100000, .max = 100000000, .def = 1000000, .example = "1ms" },

	{ GUEST_KEY_L(cpus, cpus_line), .name = "cpus", .type = CFG_T_CPUS,
	  .flags = CFG_KEY_REQUIRED, .example = "1-3" },
	{ GUEST_KEY_L(memory, memory_line), .name = "memory", .type = CFG_T_SIZE,
	  .flags = CFG_KEY_REQUIRED, .min = 2 * SZ_M, .max = UINT64_MAX,
	  .align = 2 * SZ_M, .example = "512M" },
	{ GUEST_KEY_L(image, image_line), .name = "image", .type = CFG_T_STRING,
	  .max = CFG_PATH_MAX - 1, .example = "hello.elf" },
	{ GUEST_KEY_L(cmdline, cmdline_line), .name = "cmdline", .type = CFG_T_STRING,
	  .max = CFG_CMDLINE_MAX - 1, .example = "console=ttyS0" },
	{ GUEST_KEY_L(debug_exit, debug_exit_line), .name = "debug_exit", .type = CFG_T_U32,
	  .flags = CFG_KEY_HEX, .min = 0, .max = 0xfffc, .example = "0xf4" },
	{ GUEST_KEY_L(testdev, testdev_line), .name = "testdev", .type = CFG_T_BOOL,
	  .def = 0, .example = "on" },

	/* nic and ip are a word or a value: kept as text, checked by finish_net(). */
	{ NET_KEY_L(nic_text, nic_line), .name = "nic", .type = CFG_T_STRING,
	  .max = CFG_NET_TEXT_MAX - 1, .example = "auto" },
	{ NET_KEY_L(mac, mac_line), .name = "mac", .type = CFG_T_MAC,
	  .example = "52:54:00:12:34:56" },
	{ NET_KEY_L(ip_text, ip_line), .name = "ip", .type = CFG_T_STRING,
	  .max = CFG_NET_TEXT_MAX - 1, .example = "10.0.0.1/24" },
	{ NET_KEY_L(gateway, gateway_line), .name = "gateway", .type = CFG_T_IPV4,
	  .def = 0, .example = "10.0.0.254" },
	{ NET_KEY(iperf), .name = "iperf", .type = CFG_T_BOOL, .def = 0,
	  .example = "off" },
	{ NET_KEY(echo), .name = "echo", .type = CFG_T_BOOL, .def = 0,
	  .example = "off" },
};

const size_t cfg_nkeys = ARRAY_SIZE(cfg_keys);

/* ---- messages and lexical helpers -------------------------------------- */

/* Fill *err; returns -EINVAL so callers can `return cfg_fail(...)`. */
static __printf(3, 4) int cfg_fail(struct cfg_error *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	kvsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_alnum(char c)
{
	return cfg_is_digit(c) || (cfg_to_lower(c) >= 'a' && cfg_to_lower(c) <= 'z');
}

static void trim(const char **s, size_t *n)
{
	while (*n && cfg_is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && cfg_is_blank((*s)[*n - 1]))
		(*n)--;
}

/* Defaults of a section's optional scalar keys; the rest stays zero. */
static void apply_defaults(enum cfg_section_id sect, void *base)
{
	const struct cfg_key *key;

	for (key = cfg_keys; key < cfg_keys + cfg_nkeys; key++) {
		if (key->section == sect && !(key->flags & (CFG_KEY_REQUIRED | CFG_KEY_REPEAT)))
			cfg_set_default(key, base);
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
		if (c == '#' && (i == 0 || cfg_is_blank(s[i - 1]))) {
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
			best = diag + (cfg_to_lower(a[i - 1]) != cfg_to_lower(b[j - 1]));
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
		if (cfg_to_lower(a[i]) != cfg_to_lower(b[i]))
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
	else if (p->sect == CFG_SECT_NET)
		ksnprintf(buf, size, "[net]");
	else
		ksnprintf(buf, size, "[longbus]");
	return buf;
}

/*
 * [net] nic and ip: a word or a value. The key's line is known to be set
 * when its text is non-empty (the parser rejects empty values).
 */
static int finish_net(struct cfg_parser *p, struct cfg_net *n)
{
	struct cfg_error e = { 0 };
	struct cfg_ipv4_prefix pfx;
	struct cfg_bdf bdf;
	struct cfg_quote q;
	size_t len;
	u32 mask;

	len = strlen(n->nic_text);
	n->nic_auto = !len || cfg_name_eq("auto", n->nic_text, len, false);
	if (!n->nic_auto) {
		if (cfg_parse_bdf(n->nic_text, len, &bdf, &e))
			return cfg_fail(p->err, n->nic_line, "nic: %s (or auto)", e.msg);
		n->nic_seg = bdf.seg;
		n->nic_bus = bdf.bus;
		n->nic_dev = bdf.dev;
		n->nic_fn = bdf.fn;
	}
	if (n->mac_line && (n->mac[0] & 1))
		return cfg_fail(p->err, n->mac_line, "mac: %02x:... is a multicast address (the first byte must be even, e.g. 52:54:00:12:34:56)",
				n->mac[0]);
	if (n->mac_line && !(n->mac[0] | n->mac[1] | n->mac[2] | n->mac[3] | n->mac[4] | n->mac[5]))
		return cfg_fail(p->err, n->mac_line, "mac: 00:00:00:00:00:00 is not a station address (e.g. 52:54:00:12:34:56)");
	len = strlen(n->ip_text);
	n->dhcp = !len || cfg_name_eq("dhcp", n->ip_text, len, false);
	if (n->dhcp) {
		if (n->gateway_line)
			return cfg_fail(p->err, n->gateway_line, "gateway: not used with ip = dhcp (DHCP supplies it; remove the line or set a static ip)");
		return 0;
	}
	if (cfg_parse_ipv4_prefix(n->ip_text, len, &pfx, &e))
		return cfg_fail(p->err, n->ip_line, "ip: %s (or dhcp)", e.msg);
	n->ip = pfx.addr;
	n->ip_len = pfx.len;
	mask = pfx.len ? ~0u << (32 - pfx.len) : 0;
	if (n->gateway && (n->gateway & mask) != (n->ip & mask))
		return cfg_fail(p->err, n->gateway_line, "gateway: %u.%u.%u.%u is outside %s (it must be on the same subnet)",
				n->gateway >> 24, (n->gateway >> 16) & 0xff, (n->gateway >> 8) & 0xff,
				n->gateway & 0xff, cfg_quote(&q, n->ip_text, len));
	return 0;
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
	return p->sect == CFG_SECT_NET ? finish_net(p, p->base) : 0;
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
	struct cfg_quote q;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_alnum(name[i]) && name[i] != '_' && name[i] != '-')
			return cfg_fail(p->err, p->line, "guest name '%s' may only use letters, digits, '_' and '-'",
					cfg_quote(&q, name, n));
	}
	if (n > CFG_NAME_MAX - 1)
		return cfg_fail(p->err, p->line, "guest name '%s' is %zu characters long, the limit is %u",
				cfg_quote(&q, name, n), n, CFG_NAME_MAX - 1);
	for (i = 0; i < cfg->nguests; i++) {
		if (cfg_name_eq(cfg->guests[i].name, name, n, false))
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
	struct cfg_quote q;

	if (n)
		return cfg_fail(p->err, p->line, "[longbus] takes no name (found '%s')",
				cfg_quote(&q, name, n));
	if (p->cfg->have_longbus_section)
		return cfg_fail(p->err, p->line, "[longbus] appears twice (first at line %u; merge them)",
				p->longbus_line);
	p->cfg->have_longbus_section = true;
	p->longbus_line = p->line;
	open_section(p, CFG_SECT_LONGBUS, &p->cfg->lb);
	return 0;
}

static int open_net(struct cfg_parser *p, const char *name, size_t n)
{
	struct cfg_quote q;

	if (n)
		return cfg_fail(p->err, p->line, "[net] takes no name (found '%s')",
				cfg_quote(&q, name, n));
	if (p->cfg->have_net_section)
		return cfg_fail(p->err, p->line, "[net] appears twice (first at line %u; merge them)",
				p->cfg->net.line);
	p->cfg->have_net_section = true;
	p->cfg->net.line = p->line;
	open_section(p, CFG_SECT_NET, &p->cfg->net);
	return 0;
}

/* Section words, and how hints spell each section (same order). */
static const char *const section_words[] = { "longbus", "guest", "net" };
static const char *const section_forms[] = { "[longbus]", "[guest NAME]", "[net]" };

static const char *section_hint(const char *s, size_t n)
{
	const char *w = suggest(section_words, ARRAY_SIZE(section_words), s, n);

	for (size_t i = 0; w && i < ARRAY_SIZE(section_words); i++) {
		if (w == section_words[i])
			return section_forms[i];
	}
	return NULL;
}

/* "[word name]"; the previous section has already been finished. */
static int parse_header(struct cfg_parser *p, const char *s, size_t n)
{
	size_t i, wn;
	struct cfg_quote q;
	const char *hint;

	if (s[n - 1] != ']') {
		for (i = 0; i < n && s[i] != ']'; i++)
			;
		if (i == n)
			return cfg_fail(p->err, p->line, "missing ']' in section header (e.g. [guest web])");
		s += i + 1;
		n -= i + 1;
		trim(&s, &n);
		return cfg_fail(p->err, p->line, "unexpected '%s' after ']'", cfg_quote(&q, s, n));
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
	for (wn = 0; wn < n && !cfg_is_blank(s[wn]); wn++)
		;
	i = wn;
	cfg_skip_blanks(s, n, &i);
	if (cfg_name_eq("longbus", s, wn, false))
		return open_longbus(p, s + i, n - i);
	if (cfg_name_eq("net", s, wn, false))
		return open_net(p, s + i, n - i);
	if (!cfg_name_eq("guest", s, wn, false)) {
		hint = section_hint(s, wn);
		return cfg_fail(p->err, p->line, "unknown section [%s] (%s%s%s)", cfg_quote(&q, s, wn),
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
		if (cfg_name_eq(cfg_keys[i].name, s, n, false))
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
	struct cfg_quote q;
	int idx;

	for (kn = 0; kn < n && s[kn] != '='; kn++)
		;
	if (kn == n)
		return cfg_fail(p->err, p->line, "missing '=' in '%s' (use key = value)", cfg_quote(&q, s, n));
	val = s + kn + 1;
	vn = n - kn - 1;
	trim(&key, &kn);
	trim(&val, &vn);
	if (!kn)
		return cfg_fail(p->err, p->line, "missing key before '=' (use key = value)");
	for (i = 0; i < kn; i++) {
		if (!is_alnum(key[i]) && key[i] != '_')
			return cfg_fail(p->err, p->line, "bad key '%s' (keys use letters, digits and '_')",
					cfg_quote(&q, key, kn));
	}
	if (p->sect < 0)
		return cfg_fail(p->err, p->line, "key '%s' comes before any section (put it under [longbus] or [guest NAME])",
				cfg_quote(&q, key, kn));
	idx = find_key(p, key, kn, &hint);
	if (idx < 0)
		return cfg_fail(p->err, p->line, "unknown key '%s' in %s (%s%s%s)", cfg_quote(&q, key, kn),
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
