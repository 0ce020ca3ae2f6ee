// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvsnprintf/ksnprintf: printf into a bounded buffer.
 *
 * Context: any. No allocation, no locks, no global state, so the logger,
 * panic() and the config parser can all use it, in the core, in the UEFI
 * loader and in the host unit tests (which compare it with libc snprintf).
 *
 * Supported: %d %i %u %x %X %p %s %c %%; flags '-', '0', '+', ' ', '#';
 * width and precision, either as digits or '*'; length modifiers hh h l ll
 * z j t. Output matches C99 printf for all of these. Two choices where C
 * leaves it open: %s of NULL prints "(null)" and %p prints like glibc
 * ("0x1f" or "(nil)"). An unknown conversion is copied to the output as
 * written, so a bad format string shows up in the log instead of vanishing.
 * Widths and precisions above FMT_MAX_WIDTH are clamped to it.
 */
#include "kernel/klib.h"

/* The output cursor: len counts every byte, including the ones dropped. */
struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

/* One parsed conversion specification. */
struct fmt_spec {
	bool left;  /* '-' */
	bool zero;  /* '0' */
	bool plus;  /* '+' */
	bool space; /* ' ' */
	bool alt;   /* '#' */
	int width;  /* 0: none */
	int prec;   /* -1: none */
	char len;   /* 'H' = hh, 'h', 'l', 'L' = ll, 'z', 'j', 't', 0 = none */
	char conv;
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_mem(struct fmt_out *o, const char *s, size_t n)
{
	while (n--)
		out_char(o, *s++);
}

/*
 * Widths and precisions are clamped to this, so "%99999999999d" can
 * neither overflow an int nor spin for seconds writing padding nobody can
 * see. The only place longbus output differs from C for valid formats.
 */
#define FMT_MAX_WIDTH 4096

static int clamp_width(int n)
{
	return n > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : n;
}

static int parse_num(const char **p)
{
	int n = 0;

	while (**p >= '0' && **p <= '9') {
		n = clamp_width(n * 10 + (**p - '0'));
		(*p)++;
	}
	return n;
}

static void parse_flags(const char **p, struct fmt_spec *sp)
{
	for (;; (*p)++) {
		switch (**p) {
		case '-': sp->left = true; break;
		case '0': sp->zero = true; break;
		case '+': sp->plus = true; break;
		case ' ': sp->space = true; break;
		case '#': sp->alt = true; break;
		default: return;
		}
	}
}

/*
 * Width, precision and length of the spec starting after '%'. A negative
 * '*' width means left-justify; a negative '*' precision means none (C99
 * 7.19.6.1p5).
 */
static void parse_spec(const char **p, struct fmt_spec *sp, va_list *ap)
{
	*sp = (struct fmt_spec){ .prec = -1 };
	parse_flags(p, sp);
	if (**p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			/* Compare before negating: -INT_MIN overflows. */
			sp->width = sp->width < -FMT_MAX_WIDTH ? FMT_MAX_WIDTH : -sp->width;
		}
		sp->width = clamp_width(sp->width);
		(*p)++;
	} else {
		sp->width = parse_num(p);
	}
	if (**p == '.') {
		(*p)++;
		if (**p == '*') {
			sp->prec = va_arg(*ap, int);
			sp->prec = sp->prec < 0 ? -1 : clamp_width(sp->prec);
			(*p)++;
		} else {
			sp->prec = parse_num(p);
		}
	}
	if ((**p == 'h' || **p == 'l') && (*p)[1] == **p) {
		sp->len = **p == 'h' ? 'H' : 'L';
		*p += 2;
	} else if (**p == 'h' || **p == 'l' || **p == 'z' || **p == 'j' ||
		   **p == 't') {
		sp->len = *(*p)++;
	}
	sp->conv = **p;
}

/* Fetch a signed argument of the spec's length, widened to 64 bits. */
static s64 arg_signed(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (s64)va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, intmax_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static u64 arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, uintmax_t);
	case 't': return (u64)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

/*
 * Emit [padding][sign or 0x][zeros][digits][padding]. The '0' flag pads
 * between prefix and digits, and is ignored with '-' or a precision, as
 * C99 says.
 */
static void out_int(struct fmt_out *o, const struct fmt_spec *sp, u64 mag,
		    const char *prefix)
{
	const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16 : 10;
	char digits[24];
	int ndig = 0, zeros, plen = (int)strlen(prefix), pad;

	while (mag) {
		digits[ndig++] = set[mag % base];
		mag /= base;
	}
	if (sp->prec < 0 && ndig == 0)
		digits[ndig++] = '0';
	zeros = sp->prec > ndig ? sp->prec - ndig : 0;
	pad = sp->width - plen - zeros - ndig;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!sp->left)
		out_repeat(o, ' ', pad);
	out_mem(o, prefix, (size_t)plen);
	out_repeat(o, '0', zeros);
	while (ndig)
		out_char(o, digits[--ndig]);
	if (sp->left)
		out_repeat(o, ' ', pad);
}

/* Emit s (at most prec bytes of it) padded to the width. */
static void out_str(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t n = 0;
	int pad;

	if (!s)
		s = "(null)";
	while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n])
		n++;
	pad = sp->width > (int)n ? sp->width - (int)n : 0;
	if (!sp->left)
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->left)
		out_repeat(o, ' ', pad);
}

static void out_signed(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	s64 v = arg_signed(sp, ap);
	/* Negate in unsigned arithmetic: -INT64_MIN does not fit an s64. */
	u64 mag = v < 0 ? -(u64)v : (u64)v;
	const char *prefix = v < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "";

	out_int(o, sp, mag, prefix);
}

static void out_pointer(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	void *p = va_arg(*ap, void *);
	struct fmt_spec s = *sp;

	if (!p) {
		s.prec = -1;
		out_str(o, &s, "(nil)");
		return;
	}
	out_int(o, &s, (u64)(uintptr_t)p, "0x");
}

/* One conversion; returns false for a conversion we do not know. */
static bool out_conv(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	int pad = sp->width > 1 ? sp->width - 1 : 0;
	u64 u;

	switch (sp->conv) {
	case 'd':
	case 'i':
		out_signed(o, sp, ap);
		return true;
	case 'u':
	case 'x':
	case 'X':
		u = arg_unsigned(sp, ap);
		out_int(o, sp, u, sp->alt && u && sp->conv != 'u' ?
				  (sp->conv == 'X' ? "0X" : "0x") : "");
		return true;
	case 'p':
		out_pointer(o, sp, ap);
		return true;
	case 's':
		out_str(o, sp, va_arg(*ap, const char *));
		return true;
	case 'c':
		if (!sp->left)
			out_repeat(o, ' ', pad);
		out_char(o, (char)va_arg(*ap, int));
		if (sp->left)
			out_repeat(o, ' ', pad);
		return true;
	case '%':
		out_char(o, '%');
		return true;
	default:
		return false;
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size };
	struct fmt_spec sp;
	const char *start;
	va_list aq;

	/* Work on a copy so helpers can take its address portably. */
	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		start = fmt++;
		parse_spec(&fmt, &sp, &aq);
		if (sp.conv && out_conv(&o, &sp, &aq)) {
			fmt++;
			continue;
		}
		/* Unknown or truncated spec: show it as written. */
		if (sp.conv)
			fmt++;
		out_mem(&o, start, (size_t)(fmt - start));
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
