/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor log.
 *
 * Lines look like `[   12.345678] cpu0 net: link up`. Each CPU writes into
 * its own ring (owner-writes, no lock), and the service CPU drains the
 * rings to the UART in timestamp order, so no exit path ever waits on the
 * UART. Before the service loop runs, and once panic mode is on, lines are
 * written synchronously instead.
 *
 * Singleton: the log. Owner: kernel/log.c.
 *
 * Usage: define LOG_TAG before including this header, then
 * log_info("link up %s", ip).
 */
#ifndef LONGBUS_LOG_H
#define LONGBUS_LOG_H

#include "kernel/config.h"

void log_write(enum log_level lvl, const char *tag, const char *fmt, ...) __printf(3, 4);

#define log_err(...) log_write(LOG_LEVEL_ERR, LOG_TAG, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, LOG_TAG, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, LOG_TAG, __VA_ARGS__)
#define log_dbg(...) log_write(LOG_LEVEL_DBG, LOG_TAG, __VA_ARGS__)

/*
 * A line with no timestamp or tag, whatever the level: guest consoles
 * ("[web] login:"). Queued like any other line; any CPU.
 */
void log_raw(const char *fmt, ...) __printf(1, 2);

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);

/* GS now points at struct pcpu: lines carry the CPU number. */
void log_enable_percpu(void);
/* Switch from synchronous writes to the per-CPU rings (service loop is up). */
void log_enable_rings(void);
/* Service CPU: write every queued line to the UART, oldest first. */
void log_drain(void);
/* Panic path: drain what is queued, then write synchronously forever. */
void log_enter_panic_mode(void);
/* Lines lost because a CPU's ring was full. */
u64 log_dropped(void);

/*
 * Raw console output for the shell and panic dumps: no prefix, written
 * synchronously after the queued lines. Service CPU or panic path only.
 */
void console_write(const char *s, size_t n);
/*
 * Hold the console across several writes (a fatal dump) so no other CPU's
 * output lands in the middle. Nests on one CPU; interrupts must be off.
 */
void console_lock(void);
void console_unlock(void);
void console_printf(const char *fmt, ...) __printf(1, 2);

#endif
