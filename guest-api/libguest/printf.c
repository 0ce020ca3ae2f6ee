// SPDX-License-Identifier: GPL-2.0-only
/*
 * printf-lite for guests: one formatter writing through a sink, used for
 * COM1 (lg_printf) and buffers (lg_snprintf). 64-bit numbers are divided by
 * hand, because a 32-bit freestanding link has no libgcc (__udivdi3).
 */
#include "guest-api/libguest/libguest.h"

struct sink {
	void (*put)(struct sink *s, char c);
	char *buf;
	size_t size;
	size_t len;	/* bytes the full output has */
};

static void put_serial(struct sink *s, char c)
{
	lg_putc(c);
	s->len++;
}

static void put_buf(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

/* v / 10 with the remainder in *rem, by shift and subtract. */
static uint64_t divmod10(uint64_t v, uint32_t *rem)
{
	uint64_t q = 0, r = 0;

	for (int bit = 63; bit >= 0; bit--) {
		r = r << 1 | ((v >> bit) & 1);
		if (r >= 10) {
			r -= 10;
			q |= 1ULL << bit;
		}
	}
	*rem = (uint32_t)r;
	return q;
}

struct spec {
	bool left;	/* '-' */
	bool zero;	/* '0' */
	int width;
	int prec;	/* -1: none */
};

static void pad(struct sink *s, int n, char c)
{
	while (n-- > 0)
		s->put(s, c);
}

static void emit(struct sink *s, const struct spec *sp, const char *str, int len, bool numeric)
{
	int fill = sp->width > len ? sp->width - len : 0;
	int prefix = 0;

	if (sp->left) {
		for (int i = 0; i < len; i++)
			s->put(s, str[i]);
		pad(s, fill, ' ');
		return;
	}
	if (numeric && sp->zero) {
		/* Zero padding goes after a sign or "0x". */
		if (str[0] == '-')
			prefix = 1;
		else if (len > 1 && str[0] == '0' && str[1] == 'x')
			prefix = 2;
		for (int i = 0; i < prefix; i++)
			s->put(s, str[i]);
		pad(s, fill, '0');
	} else {
		pad(s, fill, ' ');
	}
	for (int i = prefix; i < len; i++)
		s->put(s, str[i]);
}

static void emit_num(struct sink *s, const struct spec *sp, uint64_t v, bool neg, unsigned base,
		     bool upper, bool prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = sizeof(tmp);
	uint32_t rem;

	do {
		if (base == 16) {
			tmp[--n] = digits[v & 0xf];
			v >>= 4;
		} else {
			v = divmod10(v, &rem);
			tmp[--n] = digits[rem];
		}
	} while (v);
	if (prefix) {
		tmp[--n] = 'x';
		tmp[--n] = '0';
	}
	if (neg)
		tmp[--n] = '-';
	emit(s, sp, tmp + n, (int)sizeof(tmp) - n, true);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		struct spec sp = { false, false, 0, -1 };
		int lng = 0;	/* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t */
		uint64_t u;
		int64_t d;

		if (*fmt != '%') {
			s->put(s, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			sp.prec = 0;
			while (*++fmt >= '0' && *fmt <= '9')
				sp.prec = sp.prec * 10 + (*fmt - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'h')
				lng = lng > -2 ? lng - 1 : lng;
			else if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z')
				lng = 3;
			else
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng == 2)
				d = va_arg(ap, long long);
			else if (lng == 1)
				d = va_arg(ap, long);
			else if (lng == 3)
				d = (int32_t)va_arg(ap, size_t);
			else
				d = va_arg(ap, int);
			if (lng == -1)
				d = (short)d;
			else if (lng == -2)
				d = (signed char)d;
			emit_num(s, &sp, d < 0 ? 0 - (uint64_t)d : (uint64_t)d, d < 0, 10, false,
				 false);
			break;
		case 'u':
		case 'x':
		case 'X':
			if (lng == 2)
				u = va_arg(ap, unsigned long long);
			else if (lng == 1)
				u = va_arg(ap, unsigned long);
			else if (lng == 3)
				u = va_arg(ap, size_t);
			else
				u = va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng == -2)
				u = (unsigned char)u;
			emit_num(s, &sp, u, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', false);
			break;
		case 'p':
			emit_num(s, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false, true);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			emit(s, &sp, &c, 1, false);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			int len = 0;

			if (!str)
				str = "(null)";
			while (str[len] && (sp.prec < 0 || len < sp.prec))
				len++;
			emit(s, &sp, str, len, false);
			break;
		}
		case '%':
			s->put(s, '%');
			break;
		case '\0':
			return;
		default:
			s->put(s, '%');
			s->put(s, *fmt);
			break;
		}
	}
}

int lg_vprintf(const char *fmt, va_list ap)
{
	struct sink s = { put_serial, NULL, 0, 0 };

	format(&s, fmt, ap);
	return (int)s.len;
}

int lg_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lg_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int lg_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { put_buf, buf, size, 0 };

	format(&s, fmt, ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int lg_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lg_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
