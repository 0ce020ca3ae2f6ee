// SPDX-License-Identifier: GPL-2.0-only
/*
 * `tcpcheck` (net/tcpcheck.h): send a pattern to an echo server, check
 * the echo byte by byte, report CRC-32s and throughput.
 * Singleton: the one running check, owned here; service loop only.
 *
 * The pattern is a function of the stream offset (splitmix64 of the 8-byte
 * block number), so a send that lwIP refuses (ERR_MEM) is simply retried
 * from the same offset, and the receiver needs no copy of what was sent.
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/time.h"
#include "net/crc32.h"
#include "net/tcpcheck.h"

#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "net/tcp_util.h"

/* Bytes handed to one tcp_write(): large enough to fill segments, small for the stack. */
#define CHUNK 2048
/* tcp_poll interval (500 ms ticks) for the stall watchdog. */
#define POLL_TICKS 2
/* A check that moves no byte for this long is abandoned. */
#define STALL_NS (20 * NSEC_PER_SEC)

struct tcpcheck {
	struct tcp_pcb *pcb;
	char peer[24];
	u64 size, sent, received;
	u32 tx_crc, rx_crc;
	u64 bad_offset;	/* first mismatching offset, valid when mismatches */
	u64 mismatches;
	u64 start_ns, last_progress_ns;
};

static struct tcpcheck chk;

static u64 splitmix64(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static u8 pattern_at(u64 off)
{
	return (u8)(splitmix64(off >> 3) >> ((off & 7) * 8));
}

static void pattern_fill(u8 *buf, u64 off, size_t n)
{
	u64 block = ~0ULL, v = 0;

	for (size_t i = 0; i < n; i++, off++) {
		if ((off >> 3) != block) {
			block = off >> 3;
			v = splitmix64(block);
		}
		buf[i] = (u8)(v >> ((off & 7) * 8));
	}
}

/* Prints the result and closes. Returns ERR_ABRT when the pcb had to be aborted. */
static err_t finish(const char *why)
{
	u64 ms = (time_ns() - chk.start_ns) / NSEC_PER_MSEC;
	struct tcp_pcb *pcb = chk.pcb;

	if (!why && chk.mismatches)
		why = "MISMATCH";
	console_printf("tcpcheck %s: %s: sent %lu bytes crc32 0x%08x, received %lu bytes crc32 0x%08x "
		       "in %lu ms (%lu kbit/s)",
		       chk.peer, why ? why : "ok", (unsigned long)chk.sent, chk.tx_crc,
		       (unsigned long)chk.received, chk.rx_crc, (unsigned long)ms,
		       (unsigned long)(ms ? chk.received * 8 / ms : 0));
	if (chk.mismatches)
		console_printf(", %lu bytes differ, first at offset %lu", (unsigned long)chk.mismatches,
			       (unsigned long)chk.bad_offset);
	console_printf("\n");
	chk.pcb = NULL;
	if (!pcb)
		return ERR_OK;
	return net_tcp_close(pcb);
}

static err_t push(struct tcp_pcb *pcb)
{
	static u8 buf[CHUNK];
	u16_t n;
	err_t err;

	while (chk.sent < chk.size) {
		n = (u16_t)min_u64(min_u64(CHUNK, tcp_sndbuf(pcb)), chk.size - chk.sent);
		if (!n)
			break;
		pattern_fill(buf, chk.sent, n);
		err = tcp_write(pcb, buf, n, TCP_WRITE_FLAG_COPY);
		if (err == ERR_MEM)
			break;
		if (err != ERR_OK)
			return finish("send failed");
		chk.tx_crc = crc32_update(chk.tx_crc, buf, n);
		chk.sent += n;
	}
	tcp_output(pcb);
	return ERR_OK;
}

static void check_bytes(struct pbuf *p)
{
	for (struct pbuf *q = p; q; q = q->next) {
		const u8 *b = q->payload;
		chk.rx_crc = crc32_update(chk.rx_crc, b, q->len);
		for (u16_t i = 0; i < q->len; i++, chk.received++) {
			if (b[i] == pattern_at(chk.received))
				continue;
			if (!chk.mismatches++)
				chk.bad_offset = chk.received;
		}
	}
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	if (!p)
		return finish(chk.received == chk.size ? NULL : "closed early by the peer");
	if (err != ERR_OK) {
		pbuf_free(p);
		return ERR_OK;
	}
	if (chk.received + p->tot_len > chk.size) {
		pbuf_free(p);
		return finish("peer sent more than it was given");
	}
	check_bytes(p);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	chk.last_progress_ns = time_ns();
	if (chk.received == chk.size)
		return finish(NULL);
	return push(pcb);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg, (void)len;
	chk.last_progress_ns = time_ns();
	return push(pcb);
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)arg;
	if (time_ns() - chk.last_progress_ns > STALL_NS)
		return finish("stalled");
	return push(pcb);
}

static void on_err(void *arg, err_t err)
{
	char why[32];

	(void)arg;
	chk.pcb = NULL; /* lwIP has freed it */
	ksnprintf(why, sizeof(why), "connection lost (lwIP error %d)", err);
	(void)finish(why);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK)
		return finish("connect failed");
	chk.start_ns = chk.last_progress_ns = time_ns();
	return push(pcb);
}

int tcpcheck_start(u32 ip, u16 port, u64 size)
{
	ip_addr_t addr;

	if (chk.pcb)
		return -EBUSY;
	if (!size)
		return -EINVAL;
	memset(&chk, 0, sizeof(chk));
	chk.pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!chk.pcb)
		return -ENOMEM;
	chk.size = size;
	chk.start_ns = chk.last_progress_ns = time_ns();
	ksnprintf(chk.peer, sizeof(chk.peer), "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 0xff,
		  (ip >> 8) & 0xff, ip & 0xff, port);
	ip_addr_set_ip4_u32(&addr, lwip_htonl(ip));
	tcp_arg(chk.pcb, NULL);
	tcp_recv(chk.pcb, on_recv);
	tcp_sent(chk.pcb, on_sent);
	tcp_poll(chk.pcb, on_poll, POLL_TICKS);
	tcp_err(chk.pcb, on_err);
	if (tcp_connect(chk.pcb, &addr, port, on_connected) != ERR_OK) {
		tcp_err(chk.pcb, NULL);
		tcp_abort(chk.pcb);
		chk.pcb = NULL;
		return -ENOMEM;
	}
	return 0;
}
