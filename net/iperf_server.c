// SPDX-License-Identifier: GPL-2.0-only
/*
 * The iperf 2 TCP server (`[net] iperf = on`, net/net.h): takes what a
 * stock `iperf -c` sends, counts it, and logs one line per session.
 * Singleton: the listener and the session slots, owned here; service loop
 * only (lwIP callbacks and the `net` shell command).
 *
 * Not lwIP's lwiperf server, which a remote peer can make corrupt lwIP's
 * pools (lwIP 2.1.3):
 *  - its err callback tcp_close()s the pcb and frees its state, but lwIP
 *    calls err callbacks of aborted pcbs (tcp_abandon, tcp_slowtmr) after
 *    freeing them, so the pcb is freed twice;
 *  - a client header with the dual-test flag makes it connect back to the
 *    client's address at the port the header names; when that connect is
 *    refused, the RST's err callback tcp_close()s the SYN_SENT pcb (which
 *    frees it) and tcp_input then frees it again: the TCP_PCB pool's free
 *    list loops, and `net` shows its used count wrapping below zero.
 *
 * Protocol: the client opens a TCP connection and sends iperf 2's header
 * (24 bytes: flags, threads, port, buffer length, window, amount; iperf
 * 2.1 extends it), then its pattern until its time is up, then closes its
 * side. For a plain test nothing goes back: the server counts every byte,
 * the header's included, as iperf 2's own server does, and closes when
 * the client has (iperf 2.1 waits up to a few seconds for that FIN before
 * it prints its result). A header asking for a test back (-d, -r) is
 * logged and otherwise ignored: this server never opens connections.
 *
 * Raw API rules followed here: the err callback's pcb is already freed, so
 * it only drops our state; a NULL pbuf in recv is the peer's FIN and the
 * session closes cleanly; every path that calls tcp_abort() returns
 * ERR_ABRT to lwIP; a session's callbacks are cleared before its pcb is
 * closed, so none can run with a slot that was reused.
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/time.h"
#include "net/net.h"

#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "net/tcp_util.h"

#define LOG_TAG "iperf"

/* iperf 2's header: flags, threads, port, buffer length, window, amount. */
#define IPERF_HDR_LEN 24
/* Header flag of iperf 2's -d/-r: "connect back to me at the header's port". */
#define IPERF_FLAG_TEST_BACK 0x80000000u
/* tcp_poll interval in TCP coarse ticks (500 ms): the idle check. */
#define IPERF_POLL_TICKS 2
/* A session that receives nothing for this long is closed (iperf 2.1 sends steadily). */
#define IPERF_IDLE_NS (10 * NSEC_PER_SEC)
/* Refusals log at most one line per this interval; the others are counted. */
#define IPERF_REFUSE_LOG_NS NSEC_PER_SEC

struct iperf_session {
	struct tcp_pcb *pcb; /* NULL: the slot is free */
	char peer[24];	     /* "10.0.2.2:54321" */
	u64 bytes;	     /* received, the header included */
	u64 start_ns;	     /* accepted */
	u64 last_ns;	     /* the last data, or the accept */
	u8 hdr[IPERF_HDR_LEN];
	u8 hdr_len;
};

static struct {
	struct tcp_pcb *listener;
	struct iperf_session s[NET_IPERF_MAX_SESSIONS];
	u64 done, reset, refused; /* sessions since boot, for `net` */
	u64 refuse_log_ns;	  /* when the last refusal was logged */
	u64 refused_quiet;	  /* refusals since then, not logged */
} srv;

/* "10.02 s = 98.6 Mbit/s" parts: centiseconds and tenths of Mbit/s. */
static void rate(u64 bytes, u64 ns, u64 *cs, u64 *mbit10)
{
	u64 us = ns / NSEC_PER_USEC;

	*cs = ns / (10 * NSEC_PER_MSEC);
	*mbit10 = us ? bytes * 80 / us : 0; /* bits per us = Mbit/s */
}

static void session_free(struct iperf_session *s)
{
	memset(s, 0, sizeof(*s));
}

/*
 * Logs the session's line, frees its slot and closes its pcb. Returns what
 * the calling lwIP callback must return: ERR_ABRT when the close failed
 * and the pcb was aborted instead.
 */
static err_t session_close(struct iperf_session *s, bool idle)
{
	struct tcp_pcb *pcb = s->pcb;
	u64 now = time_ns(), cs, mbit10;

	if (idle) {
		log_info("%s idle for %lu s, closed after %lu bytes", s->peer,
			 (unsigned long)(IPERF_IDLE_NS / NSEC_PER_SEC), (unsigned long)s->bytes);
	} else {
		rate(s->bytes, now - s->start_ns, &cs, &mbit10);
		log_info("%s sent %lu bytes in %lu.%02lu s = %lu.%lu Mbit/s", s->peer,
			 (unsigned long)s->bytes, (unsigned long)(cs / 100),
			 (unsigned long)(cs % 100), (unsigned long)(mbit10 / 10),
			 (unsigned long)(mbit10 % 10));
	}
	srv.done++;
	session_free(s);
	return net_tcp_close(pcb);
}

/* Keeps the first IPERF_HDR_LEN bytes; logs a request iperf 2 makes for a test back. */
static void take_header(struct iperf_session *s, struct pbuf *p)
{
	u16_t want = (u16_t)(IPERF_HDR_LEN - s->hdr_len);
	u32 flags;

	if (!want)
		return;
	s->hdr_len = (u8)(s->hdr_len + pbuf_copy_partial(p, s->hdr + s->hdr_len, want, 0));
	if (s->hdr_len < IPERF_HDR_LEN)
		return;
	flags = (u32)s->hdr[0] << 24 | (u32)s->hdr[1] << 16 | (u32)s->hdr[2] << 8 | s->hdr[3];
	if (flags & IPERF_FLAG_TEST_BACK)
		log_info("%s asks for a test back (iperf -d/-r): not supported, only receiving",
			 s->peer);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct iperf_session *s = arg;

	if (!s || err != ERR_OK) {
		/* Not sent by lwIP 2.1.3 (its err is always ERR_OK); take and drop. */
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p) /* the client's FIN: the test is over */
		return session_close(s, false);
	take_header(s, p);
	s->bytes += p->tot_len;
	s->last_ns = time_ns();
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct iperf_session *s = arg;

	(void)pcb;
	if (s && time_ns() - s->last_ns > IPERF_IDLE_NS)
		return session_close(s, true);
	return ERR_OK;
}

/* The pcb is already freed (reset by the peer, or aborted): only our state remains. */
static void on_err(void *arg, err_t err)
{
	struct iperf_session *s = arg;
	u64 cs;

	if (!s)
		return;
	cs = (time_ns() - s->start_ns) / (10 * NSEC_PER_MSEC);
	if (err == ERR_RST)
		log_info("%s reset by peer after %lu bytes (%lu.%02lu s)", s->peer,
			 (unsigned long)s->bytes, (unsigned long)(cs / 100), (unsigned long)(cs % 100));
	else
		log_info("%s lost (lwIP error %d) after %lu bytes (%lu.%02lu s)", s->peer, err,
			 (unsigned long)s->bytes, (unsigned long)(cs / 100), (unsigned long)(cs % 100));
	srv.reset++;
	session_free(s);
}

static void name_peer(char *buf, size_t n, const struct tcp_pcb *pcb)
{
	u32 ip = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)));

	ksnprintf(buf, n, "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
		  ip & 0xff, pcb->remote_port);
}

/* All slots busy: reset the newcomer; one log line per second at most. */
static err_t refuse(struct tcp_pcb *pcb)
{
	u64 now = time_ns();
	char peer[24];

	srv.refused++;
	if (srv.refuse_log_ns && now - srv.refuse_log_ns < IPERF_REFUSE_LOG_NS) {
		srv.refused_quiet++;
	} else {
		name_peer(peer, sizeof(peer), pcb);
		if (srv.refused_quiet)
			log_info("refused %s: %u sessions already running (and %lu more since the "
				 "last such line)", peer, NET_IPERF_MAX_SESSIONS,
				 (unsigned long)srv.refused_quiet);
		else
			log_info("refused %s: %u sessions already running", peer,
				 NET_IPERF_MAX_SESSIONS);
		srv.refuse_log_ns = now;
		srv.refused_quiet = 0;
	}
	tcp_abort(pcb);
	return ERR_ABRT;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct iperf_session *s = NULL;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL; /* lwIP could not allocate the pcb; nothing to clean up */
	for (unsigned i = 0; i < NET_IPERF_MAX_SESSIONS && !s; i++) {
		if (!srv.s[i].pcb)
			s = &srv.s[i];
	}
	if (!s)
		return refuse(pcb);
	s->pcb = pcb;
	s->start_ns = s->last_ns = time_ns();
	name_peer(s->peer, sizeof(s->peer), pcb);
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_poll(pcb, on_poll, IPERF_POLL_TICKS);
	tcp_err(pcb, on_err);
	return ERR_OK;
}

int iperf_server_start(u16 port)
{
	struct tcp_pcb *pcb, *lpcb;

	if (srv.listener)
		return -EBUSY;
	pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!pcb)
		return -ENOMEM;
	if (tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		tcp_close(pcb);
		return -EBUSY;
	}
	lpcb = tcp_listen(pcb); /* frees pcb when it succeeds */
	if (!lpcb) {
		tcp_close(pcb);
		return -ENOMEM;
	}
	tcp_accept(lpcb, on_accept);
	srv.listener = lpcb;
	return 0;
}

void iperf_server_show(void)
{
	unsigned active = 0;
	u64 now = time_ns(), cs;

	if (!srv.listener)
		return;
	for (unsigned i = 0; i < NET_IPERF_MAX_SESSIONS; i++)
		active += srv.s[i].pcb != NULL;
	console_printf("iperf: port %u, sessions %u/%u, done %lu, reset %lu, refused %lu\n",
		       srv.listener->local_port, active, NET_IPERF_MAX_SESSIONS,
		       (unsigned long)srv.done, (unsigned long)srv.reset,
		       (unsigned long)srv.refused);
	for (unsigned i = 0; i < NET_IPERF_MAX_SESSIONS; i++) {
		const struct iperf_session *s = &srv.s[i];

		if (!s->pcb)
			continue;
		cs = (now - s->start_ns) / (10 * NSEC_PER_MSEC);
		console_printf("  %s: %lu bytes in %lu.%02lu s\n", s->peer, (unsigned long)s->bytes,
			       (unsigned long)(cs / 100), (unsigned long)(cs % 100));
	}
}
