/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the longbus.cfg parser: the value types, the schema row that
 * declares a key, and the per-type parsers (kernel/config_types.c).
 *
 * Users of the config only need kernel/config.h. This header is for the
 * unit tests, for code that parses a config-style value from elsewhere
 * (the shell, later), and for the issues that add keys: a key is one more
 * row in cfg_keys[] in config.c, using a type from here.
 *
 * Every parser takes the value text as s[0..len) (no NUL needed, never read
 * past len) and returns 0, -EINVAL (malformed) or -ERANGE (well formed but
 * too large / out of range). On failure err->msg says what and how to fix
 * it; err->line is left alone (the caller knows the line).
 */
#ifndef LONGBUS_CONFIG_TYPES_H
#define LONGBUS_CONFIG_TYPES_H

#include "kernel/config.h"

enum cfg_type {
	CFG_T_SIZE,	   /* u64 bytes: 64M, 0x1000, 2GiB */
	CFG_T_DURATION,	   /* u64 nanoseconds: 10ms */
	CFG_T_U32,	   /* u32, decimal or 0x hex, or a name from cfg_key.names */
	CFG_T_BOOL,	   /* bool: on/off, yes/no, true/false, 1/0 */
	CFG_T_ENUM,	   /* u32 value of one of cfg_key.names */
	CFG_T_IPV4,	   /* u32, a.b.c.d with a in the top byte */
	CFG_T_IPV4_PREFIX, /* struct cfg_ipv4_prefix: a.b.c.d/len */
	CFG_T_MAC,	   /* struct cfg_mac: 52:54:00:12:34:56 */
	CFG_T_BDF,	   /* struct cfg_bdf: 00:1f.2 or 0000:00:1f.2 */
	CFG_T_CPUS,	   /* struct cpuset: 1-3,5 */
	CFG_T_STRING,	   /* char[]: printable ASCII, also used for paths */
};

enum cfg_section_id {
	CFG_SECT_LONGBUS, /* [longbus], stored in struct cfg_longbus */
	CFG_SECT_GUEST,	  /* [guest NAME], stored in struct cfg_guest */
	CFG_SECT_NET,	  /* [net], stored in struct cfg_net */
};

/* An enum choice, or an alias a u32 key takes besides numbers (com1). */
struct cfg_name {
	const char *name;
	u32 value;
};

struct cfg_ipv4_prefix {
	u32 addr; /* as written; host bits need not be zero (10.0.0.2/24) */
	u8 len;	  /* 0..32 */
};

struct cfg_mac {
	u8 b[6];
};

struct cfg_bdf {
	u16 seg;
	u8 bus;
	u8 dev; /* < 32 */
	u8 fn;	/* < 8 */
};

#define CFG_KEY_REQUIRED BIT(0) /* absence is an error at the section header */
#define CFG_KEY_REPEAT BIT(1)	/* may appear up to max_count times */
#define CFG_KEY_HEX BIT(2)	/* show range limits in hex in messages */

#define CFG_NO_LINE 0xffff /* line_off/count_off: the section has no such field */

/*
 * One key of one section. off/size locate the value inside the section's
 * struct (cfg_longbus or cfg_guest); line_off locates an `unsigned` that
 * gets the line the key was set on. A repeatable key stores into arrays:
 * element i of the value at off + i * size, its line at line_off + i *
 * sizeof(unsigned), and the element count in the unsigned at count_off.
 */
struct cfg_key {
	u8 section; /* enum cfg_section_id */
	u8 type;    /* enum cfg_type */
	u8 flags;   /* CFG_KEY_* */
	const char *name;
	const char *example; /* a good value, used in hints */
	u16 off;
	u16 size;
	u16 line_off;
	u16 count_off;
	u16 max_count;
	const struct cfg_name *names; /* ENUM: choices; U32: aliases; NULL-ended */
	u64 min;		      /* SIZE, DURATION, U32: inclusive range */
	u64 max;		      /* ...; STRING: longest length */
	u64 align;		      /* SIZE: must be a multiple of this (0: any) */
	u64 def;		      /* value when absent (not for REQUIRED keys) */
};

/* The schema: every key of every section, in documentation order. */
extern const struct cfg_key cfg_keys[];
extern const size_t cfg_nkeys;

int cfg_parse_size(const char *s, size_t len, u64 *out,
		   struct cfg_error *err) __must_check;
int cfg_parse_duration(const char *s, size_t len, u64 *ns,
		       struct cfg_error *err) __must_check;
int cfg_parse_u32(const char *s, size_t len, u32 *out,
		  struct cfg_error *err) __must_check;
int cfg_parse_bool(const char *s, size_t len, bool *out,
		   struct cfg_error *err) __must_check;
int cfg_parse_enum(const char *s, size_t len, const struct cfg_name *names,
		   u32 *out, struct cfg_error *err) __must_check;
int cfg_parse_ipv4(const char *s, size_t len, u32 *out,
		   struct cfg_error *err) __must_check;
int cfg_parse_ipv4_prefix(const char *s, size_t len, struct cfg_ipv4_prefix *out,
			  struct cfg_error *err) __must_check;
int cfg_parse_mac(const char *s, size_t len, struct cfg_mac *out,
		  struct cfg_error *err) __must_check;
int cfg_parse_bdf(const char *s, size_t len, struct cfg_bdf *out,
		  struct cfg_error *err) __must_check;
/* Fills *out from scratch; a CPU listed twice is an error. */
int cfg_parse_cpus(const char *s, size_t len, struct cpuset *out,
		   struct cfg_error *err) __must_check;
/* Copies into out[outsz] with a NUL; longer than maxlen (or outsz - 1) fails. */
int cfg_parse_string(const char *s, size_t len, char *out, size_t outsz,
		     size_t maxlen, struct cfg_error *err) __must_check;

/*
 * Parse s[0..len) as key's type, check it against the row's range, and
 * store it (and line) into sect, the section's struct. The caller has
 * already rejected a duplicate of a non-repeatable key. Returns 0 or
 * -EINVAL with err->line = line and err->msg starting with the key's name
 * ("memory: bad size '64Q' (...)"): the operator sees only
 * longbus.cfg:LINE, and the cfg_parse_*() messages do not know the key.
 */
int cfg_set_value(const struct cfg_key *key, void *sect, const char *s,
		  size_t len, unsigned line, struct cfg_error *err) __must_check;

/* Store key->def into its field in sect if the key is a number, enum or bool. */
void cfg_set_default(const struct cfg_key *key, void *sect);

/* ---- text helpers the line parser (config.c) shares with the types ---- */

/*
 * Text from the file as shown inside '...' in a message: at most
 * CFG_QUOTE_MAX characters so the hint after it still fits CFG_MSG_MAX,
 * and unprintable bytes shown as '?' so a hostile file cannot put escape
 * sequences on the console. Returns q->s.
 */
#define CFG_QUOTE_MAX 40
struct cfg_quote {
	char s[CFG_QUOTE_MAX + 1];
};

const char *cfg_quote(struct cfg_quote *q, const char *s, size_t len);

/* Does s[0..n) spell name exactly (or ignoring ASCII case)? */
bool cfg_name_eq(const char *name, const char *s, size_t n, bool nocase);

static inline bool cfg_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool cfg_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline char cfg_to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Advance *i past spaces and tabs in s[0..len). */
static inline void cfg_skip_blanks(const char *s, size_t len, size_t *i)
{
	while (*i < len && cfg_is_blank(s[*i]))
		(*i)++;
}

#endif
