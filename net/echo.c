// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP echo server (net/echo.h) on lwIP's raw API.
 * Singleton: the listener and the connection slots, owned here; service
 * loop only.
 *
 * Flow control: received data stays queued (conn->pending) until
 * tcp_write() has taken a copy, and only then is the window reopened
 * (tcp_recved), so a client that does not read its echo is slowed down to
 * our send buffer instead of filling memory.
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "net/crc32.h"
#include "net/echo.h"

#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "net/tcp_util.h"

#define LOG_TAG "echo"
/* tcp_poll interval in TCP coarse ticks (500 ms): retries a stalled write. */
#define ECHO_POLL_TICKS 2

struct echo_conn {
	bool used;
	bool closing;	     /* the peer has closed its side */
	struct tcp_pcb *pcb;
	struct pbuf *pending; /* received, not yet written back */
	u64 bytes;	      /* received so far */
	u32 crc;	      /* CRC-32 of those bytes, logged at the end */
	char peer[24];
};

static struct echo_conn conns[ECHO_MAX_CONNS];

static void echo_release(struct echo_conn *c, const char *how)
{
	log_info("%s %s after %lu bytes, crc32 0x%08x", c->peer, how, (unsigned long)c->bytes,
		 c->crc);
	if (c->pending)
		pbuf_free(c->pending);
	memset(c, 0, sizeof(*c));
}

/* Returns ERR_ABRT when the close failed and the pcb was aborted instead. */
static err_t echo_close(struct echo_conn *c)
{
	struct tcp_pcb *pcb = c->pcb;

	echo_release(c, "closed");
	return net_tcp_close(pcb);
}

/*
 * Writes as much of pending as the send buffer takes. Returns what the
 * calling lwIP callback must return: ERR_ABRT when c's pcb was aborted.
 */
static err_t echo_push(struct echo_conn *c)
{
	struct pbuf *q;
	u16_t len;
	err_t err;

	while ((q = c->pending) != NULL) {
		len = LWIP_MIN(q->len, tcp_sndbuf(c->pcb));
		if (!len)
			break;
		err = tcp_write(c->pcb, q->payload, len, TCP_WRITE_FLAG_COPY);
		if (err == ERR_MEM)
			break; /* segment queue full: the next ACK (sent callback) retries */
		if (err != ERR_OK) {
			log_warn("tcp_write failed (%d), closing", err);
			return echo_close(c);
		}
		c->pending = pbuf_free_header(q, len);
		tcp_recved(c->pcb, len);
	}
	tcp_output(c->pcb);
	if (c->closing && !c->pending)
		return echo_close(c);
	return ERR_OK;
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct echo_conn *c = arg;

	(void)pcb;
	if (err != ERR_OK || !c) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (p) {
		c->bytes += p->tot_len;
		for (struct pbuf *q = p; q; q = q->next)
			c->crc = crc32_update(c->crc, q->payload, q->len);
	}
	if (!p)
		c->closing = true;
	else if (c->pending)
		pbuf_cat(c->pending, p);
	else
		c->pending = p;
	return echo_push(c);
}

static err_t echo_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb, (void)len;
	return arg ? echo_push(arg) : ERR_OK;
}

static err_t echo_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)pcb;
	return arg ? echo_push(arg) : ERR_OK;
}

/* The pcb is already gone (reset or abort): only our state remains. */
static void echo_err(void *arg, err_t err)
{
	(void)err;
	if (arg)
		echo_release(arg, "reset");
}

/* "10.0.2.2:41234", for the log line at the end of the connection. */
static void name_peer(struct echo_conn *c, const struct tcp_pcb *pcb)
{
	u32 ip = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)));

	ksnprintf(c->peer, sizeof(c->peer), "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 0xff,
		  (ip >> 8) & 0xff, ip & 0xff, pcb->remote_port);
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct echo_conn *c = NULL;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	for (unsigned i = 0; i < ECHO_MAX_CONNS && !c; i++) {
		if (!conns[i].used)
			c = &conns[i];
	}
	if (!c) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	c->used = true;
	c->pcb = pcb;
	name_peer(c, pcb);
	tcp_arg(pcb, c);
	tcp_recv(pcb, echo_recv);
	tcp_sent(pcb, echo_sent);
	tcp_poll(pcb, echo_poll, ECHO_POLL_TICKS);
	tcp_err(pcb, echo_err);
	return ERR_OK;
}

int echo_start(u16 port)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4), *lpcb;

	if (!pcb)
		return -ENOMEM;
	if (tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		tcp_close(pcb);
		return -EBUSY;
	}
	lpcb = tcp_listen(pcb);
	if (!lpcb) {
		tcp_close(pcb);
		return -ENOMEM;
	}
	tcp_accept(lpcb, echo_accept);
	return 0;
}
