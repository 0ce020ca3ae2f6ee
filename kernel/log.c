// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor log: per-CPU rings drained by the service CPU.
 * Singleton: the log (level, mode), owned here. The rings themselves live
 * in struct pcpu (kernel/pcpu.h) with their single-producer/single-consumer
 * rules.
 */
#include <stdarg.h>

#include "drivers/uart.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/pcpu.h"
#include "kernel/time.h"
#include "kernel/x86/cpu.h"

static enum log_level log_level = LOG_LEVEL_INFO;
/* false: write synchronously (early boot, panic); true: queue in the rings. */
static bool rings_on;
static bool panic_mode;
/* Set once the GS base points at a struct pcpu; before that there is no ring. */
static bool pcpu_ready;

static const char *const level_tag[] = { "ERROR: ", "WARNING: ", "", "" };

/*
 * The console lock keeps whole lines (and a whole fatal dump) together
 * when several CPUs write synchronously: early boot, panic mode, and the
 * service CPU's own console writes. It records its owner so the holder may
 * nest, and a waiter gives up after a bounded spin, because the holder may
 * be a CPU that just crashed mid-line: a garbled line beats a silent hang.
 */
#define CONSOLE_LOCK_SPINS 20000000u
#define CONSOLE_UNLOCKED 0xffffffffu
static u32 console_owner = CONSOLE_UNLOCKED;
static u32 console_depth;

static u32 console_self(void)
{
	return pcpu_ready ? this_cpu()->id : 0;
}

void console_lock(void)
{
	u32 me = console_self(), free = CONSOLE_UNLOCKED;

	if (__atomic_load_n(&console_owner, __ATOMIC_ACQUIRE) == me) {
		console_depth++;
		return;
	}
	for (u32 i = 0; i < CONSOLE_LOCK_SPINS; i++) {
		free = CONSOLE_UNLOCKED;
		if (__atomic_compare_exchange_n(&console_owner, &free, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			console_depth = 1;
			return;
		}
		cpu_relax();
	}
	/* Stuck holder: take the console over. */
	__atomic_store_n(&console_owner, me, __ATOMIC_RELEASE);
	console_depth = 1;
}

void console_unlock(void)
{
	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) != console_self())
		return;
	if (--console_depth == 0)
		__atomic_store_n(&console_owner, CONSOLE_UNLOCKED, __ATOMIC_RELEASE);
}

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_enable_percpu(void)
{
	pcpu_ready = true;
}

void log_enable_rings(void)
{
	rings_on = true;
}

static int format_line(char *buf, size_t n, u64 ns, unsigned cpu,
		       enum log_level lvl, const char *tag, const char *fmt,
		       va_list ap)
{
	int len = ksnprintf(buf, n, "[%5lu.%06lu] cpu%u %s: %s",
			    (unsigned long)(ns / NSEC_PER_SEC),
			    (unsigned long)(ns % NSEC_PER_SEC / NSEC_PER_USEC), cpu,
			    tag, level_tag[lvl]);
	if (len < 0 || (size_t)len >= n)
		return (int)n - 1;
	len += kvsnprintf(buf + len, n - (size_t)len, fmt, ap);
	if ((size_t)len >= n - 1) {
		/* Mark a truncated line so nobody trusts its tail. */
		len = (int)n - 1;
		buf[len - 1] = '~';
	}
	return len;
}

static void ring_push(struct log_ring *r, u64 tsc, const char *text, int len)
{
	u32 head = r->head;

	if (head - READ_ONCE(r->tail) >= LOG_RING_SLOTS) {
		r->dropped++;
		return;
	}
	struct log_slot *s = &r->slot[head % LOG_RING_SLOTS];
	s->tsc = tsc;
	s->len = (u16)len;
	memcpy(s->text, text, (size_t)len);
	/* The slot is complete before the consumer can see the new head. */
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
}

/* Queue (or, before the rings, write) one finished line. */
static void emit_line(u64 tsc, const char *buf, int len)
{
	if (!rings_on || panic_mode) {
		u64 flags = irq_save();
		console_lock();
		uart_write(buf, (size_t)len);
		uart_write("\n", 1);
		console_unlock();
		irq_restore(flags);
		return;
	}
	/* IRQs off: an interrupt handler on this CPU may log too. */
	u64 flags = irq_save();
	ring_push(&this_cpu()->shared.log, tsc, buf, len);
	irq_restore(flags);
}

void log_raw(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	u64 tsc = rdtsc();
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	emit_line(tsc, buf, len);
}

void log_write(enum log_level lvl, const char *tag, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	unsigned cpu = pcpu_ready ? this_cpu()->id : 0;
	va_list ap;
	int len;

	if (lvl > log_level)
		return;
	u64 tsc = rdtsc();
	va_start(ap, fmt);
	len = format_line(buf, sizeof(buf), time_ns(), cpu, lvl, tag, fmt, ap);
	va_end(ap);
	emit_line(tsc, buf, len);
}

/* The ring whose oldest queued line is the oldest of all, or NULL. */
static struct log_ring *oldest_ring(void)
{
	struct log_ring *best = NULL;
	u64 best_tsc = ~0ULL;

	for (unsigned i = 0; i < pcpu_count(); i++) {
		struct log_ring *r = &pcpu_of(i)->shared.log;
		u32 tail = r->tail;
		if (tail == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
			continue;
		u64 tsc = r->slot[tail % LOG_RING_SLOTS].tsc;
		if (tsc < best_tsc) {
			best_tsc = tsc;
			best = r;
		}
	}
	return best;
}

void log_drain(void)
{
	struct log_ring *r;

	if (!pcpu_ready)
		return;
	/* The lock also keeps two drainers (service CPU, a crashing CPU) off one tail. */
	u64 flags = irq_save();
	console_lock();
	while ((r = oldest_ring()) != NULL) {
		struct log_slot *s = &r->slot[r->tail % LOG_RING_SLOTS];
		uart_write(s->text, s->len);
		uart_write("\n", 1);
		__atomic_store_n(&r->tail, r->tail + 1, __ATOMIC_RELEASE);
	}
	console_unlock();
	irq_restore(flags);
}

void log_enter_panic_mode(void)
{
	/* Whatever the service CPU was doing, the rings are read once more here. */
	log_drain();
	panic_mode = true;
}

u64 log_dropped(void)
{
	u64 n = 0;
	for (unsigned i = 0; pcpu_ready && i < pcpu_count(); i++)
		n += READ_ONCE(pcpu_of(i)->shared.log.dropped);
	return n;
}

void console_write(const char *s, size_t n)
{
	u64 flags = irq_save();
	console_lock();
	log_drain();
	uart_write(s, n);
	console_unlock();
	irq_restore(flags);
}

void console_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	console_write(buf, (size_t)len);
}
