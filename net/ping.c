// SPDX-License-Identifier: GPL-2.0-only
/*
 * `ping <ip> [count]` (net/ping.h): ICMP echo requests on a raw pcb, one a
 * second, with RTTs from time_ns().
 * Singleton: the one ping session, owned here; service loop only (the
 * shell starts it, lwIP's timers and input advance it, all in that loop).
 */
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/time.h"
#include "net/ping.h"

#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "lwip/timeouts.h"

/* Identifies our echoes among other ICMP traffic: "LB". */
#define PING_ID 0x4c42
#define PING_DATA 56 /* payload bytes, as Unix ping sends */
#define PING_INTERVAL_MS 1000

struct ping_session {
	struct raw_pcb *pcb;
	ip_addr_t dst;
	char dst_text[16];
	unsigned count, sent, received;
	u16 seq;	  /* of the last request sent */
	u64 sent_ns;	  /* when it went out */
	bool answered;	  /* its reply has arrived */
	u64 min_ns, max_ns, sum_ns;
};

static struct ping_session ping;

static void ping_tick(void *arg);

static void print_ms(const char *what, u64 ns)
{
	console_printf("%s%lu.%03lu", what, (unsigned long)(ns / NSEC_PER_MSEC),
		       (unsigned long)(ns % NSEC_PER_MSEC / NSEC_PER_USEC));
}

static void ping_finish(void)
{
	console_printf("ping %s: %u sent, %u received", ping.dst_text, ping.sent, ping.received);
	if (ping.received) {
		print_ms(", rtt min/avg/max ", ping.min_ns);
		print_ms("/", ping.sum_ns / ping.received);
		print_ms("/", ping.max_ns);
		console_printf(" ms");
	}
	console_printf("\n");
	raw_remove(ping.pcb);
	ping.pcb = NULL;
}

static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct icmp_echo_hdr h;
	struct ip_hdr iph;
	u16 hlen;
	u64 rtt;

	(void)arg, (void)pcb;
	if (pbuf_copy_partial(p, &iph, sizeof(iph), 0) != sizeof(iph))
		return 0;
	hlen = IPH_HL_BYTES(&iph);
	if (pbuf_copy_partial(p, &h, sizeof(h), hlen) != sizeof(h) || h.type != ICMP_ER ||
	    h.id != PP_HTONS(PING_ID) || !ip_addr_cmp(addr, &ping.dst))
		return 0; /* not ours: lwIP's ICMP handles it */
	if (lwip_ntohs(h.seqno) == ping.seq && !ping.answered) {
		rtt = time_ns() - ping.sent_ns;
		ping.answered = true;
		ping.received++;
		ping.sum_ns += rtt;
		if (!ping.min_ns || rtt < ping.min_ns)
			ping.min_ns = rtt;
		if (rtt > ping.max_ns)
			ping.max_ns = rtt;
		console_printf("%u bytes from %s: seq=%u", p->tot_len - hlen, ping.dst_text,
			       ping.seq);
		print_ms(" time=", rtt);
		console_printf(" ms\n");
	}
	pbuf_free(p);
	return 1;
}

static void ping_send(void)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + PING_DATA, PBUF_RAM);
	struct icmp_echo_hdr *h;
	u8 *data;

	ping.seq++;
	ping.sent++;
	ping.answered = false;
	if (!p) {
		console_printf("ping %s: seq=%u: out of memory\n", ping.dst_text, ping.seq);
		return;
	}
	h = p->payload;
	ICMPH_TYPE_SET(h, ICMP_ECHO);
	ICMPH_CODE_SET(h, 0);
	h->chksum = 0;
	h->id = PP_HTONS(PING_ID);
	h->seqno = lwip_htons(ping.seq);
	data = (u8 *)(h + 1);
	for (unsigned i = 0; i < PING_DATA; i++)
		data[i] = (u8)i;
	h->chksum = inet_chksum(h, p->len);
	ping.sent_ns = time_ns();
	if (raw_sendto(ping.pcb, p, &ping.dst) != ERR_OK)
		console_printf("ping %s: seq=%u: send failed\n", ping.dst_text, ping.seq);
	pbuf_free(p);
}

static void ping_tick(void *arg)
{
	(void)arg;
	if (!ping.answered && ping.sent)
		console_printf("ping %s: seq=%u: no reply\n", ping.dst_text, ping.seq);
	if (ping.sent == ping.count) {
		ping_finish();
		return;
	}
	ping_send();
	sys_timeout(PING_INTERVAL_MS, ping_tick, NULL);
}

int ping_start(u32 dst, unsigned count)
{
	if (ping.pcb)
		return -EBUSY;
	if (!count || count > PING_MAX_COUNT)
		return -EINVAL;
	memset(&ping, 0, sizeof(ping));
	ping.pcb = raw_new(IP_PROTO_ICMP);
	if (!ping.pcb)
		return -ENOMEM;
	raw_recv(ping.pcb, ping_recv, NULL);
	ip_addr_set_ip4_u32(&ping.dst, lwip_htonl(dst));
	ksnprintf(ping.dst_text, sizeof(ping.dst_text), "%u.%u.%u.%u", dst >> 24,
		  (dst >> 16) & 0xff, (dst >> 8) & 0xff, dst & 0xff);
	ping.count = count;
	ping_send();
	sys_timeout(PING_INTERVAL_MS, ping_tick, NULL);
	return 0;
}
