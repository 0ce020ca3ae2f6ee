// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iperf <ip> [seconds]` (net/net.h): an iperf 2 TCP client, the sending
 * side of a throughput test against the iperf server (`[net] iperf = on`,
 * net/iperf_server.c) on another longbus, or against `iperf -s`. The
 * result prints when the time is up.
 * Singleton: the one running client, owned here; service loop only.
 *
 * Not lwiperf's own client (lwiperf_start_tcp_client): in lwIP 2.1.3 it
 * always runs 10 s (its settings carry a fixed amount: "TODO: implement
 * passing duration"), and its error callback tcp_close()s the pcb that
 * lwIP is freeing, so a refused connection frees the pcb twice. This
 * speaks the same protocol as that client: iperf 2's 24-byte header
 * (amount negative = duration in 10 ms units), then '0'..'9' repeated,
 * written without copying, until the duration has passed.
 */
#include "kernel/config_types.h"
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/time.h"
#include "net/net.h"

#include "lwip/tcp.h"
#include "net/tcp_util.h"

#define IPERF_DEFAULT_SECONDS 10
#define IPERF_MAX_SECONDS 3600
/* tcp_poll interval (500 ms ticks): the clock check when no ACK comes. */
#define POLL_TICKS 1
/* A run whose data has not been acknowledged for this long is abandoned. */
#define STALL_NS (10 * NSEC_PER_SEC)

struct iperf_client {
	struct tcp_pcb *pcb;
	char peer[24];
	bool connected;
	u64 duration_ns;
	u64 start_ns, last_ack_ns;
	u64 acked; /* bytes acknowledged, the 24-byte header included */
};

static struct iperf_client cli;
/* The payload: '0'..'9' repeated (what iperf 2 sends), referenced by lwIP until acked. */
static u8 pattern[TCP_MSS];

/* Prints the result and closes. Returns ERR_ABRT when the pcb had to be aborted. */
static err_t finish(const char *why)
{
	u64 ms = cli.connected ? (time_ns() - cli.start_ns) / NSEC_PER_MSEC : 0;
	u64 bytes = cli.acked > 24 ? cli.acked - 24 : 0;
	struct tcp_pcb *pcb = cli.pcb;

	console_printf("iperf %s: %s: %lu bytes acked in %lu ms (%lu kbit/s)\n", cli.peer,
		       why ? why : "done", (unsigned long)bytes, (unsigned long)ms,
		       (unsigned long)(ms ? bytes * 8 / ms : 0));
	cli.pcb = NULL;
	if (!pcb)
		return ERR_OK;
	return net_tcp_close(pcb);
}

static err_t push(struct tcp_pcb *pcb)
{
	u64 now = time_ns();
	u16_t n;

	if (now - cli.start_ns >= cli.duration_ns)
		return finish(NULL);
	if (now - cli.last_ack_ns > STALL_NS)
		return finish("stalled");
	for (;;) {
		n = (u16_t)min_u64(TCP_MSS, tcp_sndbuf(pcb));
		if (n < TCP_MSS / 2 || tcp_write(pcb, pattern, n, TCP_WRITE_FLAG_MORE) != ERR_OK)
			break;
	}
	tcp_output(pcb);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	cli.acked += len;
	cli.last_ack_ns = time_ns();
	return push(pcb);
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)arg;
	if (!cli.connected) {
		if (time_ns() - cli.start_ns > STALL_NS)
			return finish("no answer to connect");
		return ERR_OK;
	}
	return push(pcb);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg, (void)err;
	if (!p)
		return finish("closed by the peer");
	/* iperf 2 servers send nothing back on TCP; drop whatever comes. */
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	char why[48];

	(void)arg;
	cli.pcb = NULL; /* lwIP frees it */
	ksnprintf(why, sizeof(why), err == ERR_RST ? "reset by the peer (lwIP error %d)" :
		  "connection lost (lwIP error %d)", err);
	(void)finish(why);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	/* iperf 2's client header: flags, threads, port, buffer, window, amount. */
	u32 hdr[6] = { 0, lwip_htonl(1), lwip_htonl(NET_IPERF_PORT), 0, 0,
		       lwip_htonl((u32)-(s32)(cli.duration_ns / (10 * NSEC_PER_MSEC))) };

	(void)arg;
	if (err != ERR_OK)
		return finish("connect failed");
	cli.connected = true;
	cli.start_ns = cli.last_ack_ns = time_ns();
	if (tcp_write(pcb, hdr, sizeof(hdr), TCP_WRITE_FLAG_COPY | TCP_WRITE_FLAG_MORE) != ERR_OK)
		return finish("cannot queue the header");
	return push(pcb);
}

static int iperf_start(u32 ip, u32 seconds)
{
	ip_addr_t addr;

	if (cli.pcb)
		return -EBUSY;
	if (!pattern[1])
		for (unsigned i = 0; i < sizeof(pattern); i++)
			pattern[i] = (u8)('0' + i % 10);
	memset(&cli, 0, sizeof(cli));
	cli.pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!cli.pcb)
		return -ENOMEM;
	cli.duration_ns = (u64)seconds * NSEC_PER_SEC;
	cli.start_ns = time_ns();
	ksnprintf(cli.peer, sizeof(cli.peer), "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 0xff,
		  (ip >> 8) & 0xff, ip & 0xff, NET_IPERF_PORT);
	ip_addr_set_ip4_u32(&addr, lwip_htonl(ip));
	tcp_recv(cli.pcb, on_recv);
	tcp_sent(cli.pcb, on_sent);
	tcp_poll(cli.pcb, on_poll, POLL_TICKS);
	tcp_err(cli.pcb, on_err);
	if (tcp_connect(cli.pcb, &addr, NET_IPERF_PORT, on_connected) != ERR_OK) {
		tcp_err(cli.pcb, NULL);
		tcp_abort(cli.pcb);
		cli.pcb = NULL;
		return -ENOMEM;
	}
	return 0;
}

void net_shell_iperf(int argc, char **argv)
{
	struct cfg_error err;
	u32 dst, seconds = IPERF_DEFAULT_SECONDS;
	int rc;

	if (argc < 2 || argc > 3) {
		console_printf("usage: iperf <a.b.c.d> [seconds 1..%u, default %u]\n",
			       IPERF_MAX_SECONDS, IPERF_DEFAULT_SECONDS);
		return;
	}
	if (cfg_parse_ipv4(argv[1], strlen(argv[1]), &dst, &err)) {
		console_printf("iperf: %s\n", err.msg);
		return;
	}
	if (argc == 3 && (cfg_parse_u32(argv[2], strlen(argv[2]), &seconds, &err) || !seconds ||
			  seconds > IPERF_MAX_SECONDS)) {
		console_printf("iperf: bad duration '%s' (use 1..%u seconds)\n", argv[2],
			       IPERF_MAX_SECONDS);
		return;
	}
	if (!net_is_up()) {
		console_printf("iperf: no network (see `net`)\n");
		return;
	}
	rc = iperf_start(dst, seconds);
	if (rc == -EBUSY)
		console_printf("iperf: a client is already running\n");
	else if (rc)
		console_printf("iperf: cannot start (%d)\n", rc);
}
