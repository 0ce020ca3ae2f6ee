// SPDX-License-Identifier: GPL-2.0-only
/*
 * longbus's own network: the netif glue between lwIP and struct netdev,
 * the net service work, and `[net]` (net/net.h).
 *
 * Singleton: the one NIC and its lwIP netif, owned here. Written on the
 * boot CPU by net_init() before the service loop starts; afterwards only
 * the service loop touches it (net work, shell commands, queued calls),
 * so nothing here takes a lock. Other CPUs reach lwIP only through
 * net/net_queue.h.
 *
 * Data path: the net work polls the NIC; each frame is copied into a pool
 * pbuf and handed to lwIP (ethernet_input); lwIP's output comes back
 * through linkoutput, which gives the frame to the driver's send(). While
 * frames keep arriving the work kicks the service loop so it polls again
 * without sleeping; when idle the loop sleeps until its 10 ms tick.
 */
#include "drivers/netdev.h"
#include "drivers/nic.h"
#include "kernel/config_types.h"
#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/service.h"
#include "kernel/time.h"
#include "net/echo.h"
#include "net/net.h"
#include "net/net_queue.h"
#include "net/ping.h"
#include "net/tcpcheck.h"

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define LOG_TAG "net"

/* Frames handed to lwIP per pass: bounds one pass's latency for the shell and log. */
#define NET_POLL_BUDGET 64
/* Calls run per queue per pass, for the same reason. */
#define NET_QUEUE_BUDGET 32
/* Link state is a register read; checking it each pass would cost a VM exit under emulation. */
#define NET_LINK_CHECK_NS (100 * NSEC_PER_MSEC)

struct net_state {
	bool up;
	bool dhcp;
	struct netdev *nd;
	struct pci_dev *pdev;
	struct netif netif;
	bool link;
	u64 next_link_check_ns;
	struct net_queue *queues; /* attached rings, drained every pass */
	/* Counters of the glue itself (the driver's are in nd->stats). */
	u64 rx_nobuf;	/* frames dropped: no pool pbuf free */
	u64 rx_toolong; /* frames longer than NETDEV_MAX_FRAME from the driver */
	u64 tx_busy;	/* frames lwIP sent while the TX ring was full */
	u64 tx_toolong; /* frames lwIP built longer than NETDEV_MAX_FRAME */
};

static struct net_state net;
/* linkoutput's copy of a frame lwIP gave as a pbuf chain. */
static u8 tx_bounce[NETDEV_MAX_FRAME];

bool net_is_up(void)
{
	return net.up;
}

/* ---- netif glue ---------------------------------------------------------- */

static err_t net_linkoutput(struct netif *netif, struct pbuf *p)
{
	const void *frame = p->payload;
	int rc;

	(void)netif;
	if (p->tot_len > NETDEV_MAX_FRAME) {
		net.tx_toolong++;
		LINK_STATS_INC(link.lenerr);
		return ERR_IF;
	}
	if (p->next) {
		pbuf_copy_partial(p, tx_bounce, p->tot_len, 0);
		frame = tx_bounce;
	}
	rc = net.nd->ops->send(net.nd, frame, p->tot_len);
	if (rc == -EBUSY) {
		/* TCP keeps the segment and retries on the next ACK or timer. */
		net.tx_busy++;
		LINK_STATS_INC(link.memerr);
		return ERR_MEM;
	}
	if (rc) {
		LINK_STATS_INC(link.err);
		return ERR_IF;
	}
	LINK_STATS_INC(link.xmit);
	return ERR_OK;
}

/* netdev_rx_fn: one received frame, valid only during the call. */
static void net_rx(void *ctx, const void *frame, size_t len)
{
	struct pbuf *p;

	(void)ctx;
	if (len > NETDEV_MAX_FRAME) {
		net.rx_toolong++;
		LINK_STATS_INC(link.lenerr);
		return;
	}
	p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		net.rx_nobuf++;
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		return;
	}
	if (pbuf_take(p, frame, (u16_t)len) != ERR_OK || net.netif.input(p, &net.netif) != ERR_OK)
		pbuf_free(p);
	else
		LINK_STATS_INC(link.recv);
}

static err_t net_netif_init(struct netif *n)
{
	n->name[0] = 'e';
	n->name[1] = 'n';
	n->output = etharp_output;
	n->linkoutput = net_linkoutput;
	n->mtu = 1500;
	n->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(n->hwaddr, net.nd->mac, ETH_HWADDR_LEN);
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif_set_hostname(n, "longbus");
	return ERR_OK;
}

static void format_ip(char *buf, size_t n, const ip4_addr_t *a)
{
	u32 v = lwip_ntohl(ip4_addr_get_u32(a));

	ksnprintf(buf, n, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

static unsigned prefix_len(const ip4_addr_t *mask)
{
	u32 m = lwip_ntohl(ip4_addr_get_u32(mask));
	unsigned n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n;
}

/* "10.0.2.15/24 gateway 10.0.2.2", or "none" before DHCP has bound. */
static void format_addr(char *buf, size_t n)
{
	char ip[16], gw[16];

	if (ip4_addr_isany_val(*netif_ip4_addr(&net.netif))) {
		ksnprintf(buf, n, "none");
		return;
	}
	format_ip(ip, sizeof(ip), netif_ip4_addr(&net.netif));
	format_ip(gw, sizeof(gw), netif_ip4_gw(&net.netif));
	ksnprintf(buf, n, "%s/%u gateway %s", ip, prefix_len(netif_ip4_netmask(&net.netif)),
		  ip4_addr_isany_val(*netif_ip4_gw(&net.netif)) ? "none" : gw);
}

static void net_status_changed(struct netif *n)
{
	char addr[64];

	(void)n;
	format_addr(addr, sizeof(addr));
	log_info("address %s (%s)", addr, net.dhcp ? "dhcp" : "static");
}

static void net_link_changed(struct netif *n)
{
	log_info("link %s", netif_is_link_up(n) ? "up" : "down");
}

static void net_check_link(u64 now)
{
	bool link;

	if (now < net.next_link_check_ns)
		return;
	net.next_link_check_ns = now + NET_LINK_CHECK_NS;
	link = net.nd->ops->link_up(net.nd);
	if (link == net.link)
		return;
	net.link = link;
	if (link)
		netif_set_link_up(&net.netif);
	else
		netif_set_link_down(&net.netif);
}

/* ---- the service work ------------------------------------------------------ */

static void net_work(void *ctx)
{
	struct net_queue *q;
	unsigned calls = 0;
	int frames;

	(void)ctx;
	frames = net.nd->ops->poll(net.nd, net_rx, NULL, NET_POLL_BUDGET);
	for (q = net.queues; q; q = q->next)
		calls += net_queue_run(q, NET_QUEUE_BUDGET);
	net_check_link(time_ns());
	sys_check_timeouts();
	/* More may be waiting: poll again without sleeping until the NIC is quiet. */
	if (frames > 0 || calls > 0)
		service_kick();
}

int net_queue_attach(struct net_queue *q)
{
	struct net_queue *it;

	if (!q)
		return -EINVAL;
	if (!net.up)
		return -ENODEV;
	for (it = net.queues; it; it = it->next) {
		if (it == q)
			return -EINVAL;
	}
	q->next = net.queues;
	net.queues = q;
	return 0;
}

int net_queue_call(struct net_queue *q, net_call_fn fn, void *arg)
{
	if (net_queue_push(q, fn, arg))
		return -EBUSY;
	service_kick();
	return 0;
}

/* ---- init ------------------------------------------------------------------ */

static void ip_from_cfg(ip4_addr_t *a, u32 v)
{
	ip4_addr_set_u32(a, lwip_htonl(v));
}

static void start_services(const struct cfg_net *c)
{
	if (c->iperf) {
		if (iperf_server_start(NET_IPERF_PORT) == 0)
			log_info("iperf (iperf 2) server listening on tcp port %u", NET_IPERF_PORT);
		else
			log_err("iperf server could not listen on tcp port %u", NET_IPERF_PORT);
	}
	if (c->echo) {
		if (echo_start(NET_ECHO_PORT) == 0)
			log_info("echo server listening on tcp port %u", NET_ECHO_PORT);
		else
			log_err("echo server could not listen on tcp port %u", NET_ECHO_PORT);
	}
}

static void netif_start(const struct cfg_net *c)
{
	ip4_addr_t ip, mask, gw;

	ip4_addr_set_zero(&ip);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gw);
	if (!c->dhcp) {
		ip_from_cfg(&ip, c->ip);
		ip_from_cfg(&mask, c->ip_len ? ~0u << (32 - c->ip_len) : 0);
		ip_from_cfg(&gw, c->gateway);
	}
	net.dhcp = c->dhcp;
	netif_add(&net.netif, &ip, &mask, &gw, NULL, net_netif_init, ethernet_input);
	netif_set_default(&net.netif);
	netif_set_status_callback(&net.netif, net_status_changed);
	netif_set_link_callback(&net.netif, net_link_changed);
	netif_set_up(&net.netif);
	net.link = net.nd->ops->link_up(net.nd);
	if (net.link)
		netif_set_link_up(&net.netif);
	else
		log_warn("link down; waiting for it");
	if (c->dhcp && dhcp_start(&net.netif) != ERR_OK)
		log_err("dhcp could not start");
}

void net_init(const struct lb_config *cfg)
{
	const struct cfg_net *c = &cfg->net;
	struct nic_want want = { .any = c->nic_auto, .seg = c->nic_seg, .bus = c->nic_bus,
				 .dev = c->nic_dev, .fn = c->nic_fn };

	if (!cfg->have_net_section) {
		log_info("no [net] section: running without network");
		return;
	}
	if (nic_open(&want, c->mac_line ? c->mac : NULL, &net.nd, &net.pdev)) {
		log_warn("running without network (no usable NIC for [net] nic)");
		return;
	}
	log_info("%s %02x:%02x:%02x:%02x:%02x:%02x", net.nd->name, net.nd->mac[0],
		 net.nd->mac[1], net.nd->mac[2], net.nd->mac[3], net.nd->mac[4], net.nd->mac[5]);
	lwip_init();
	netif_start(c);
	start_services(c);
	if (service_register("net", 0, net_work, NULL)) {
		log_err("service table full: running without network");
		netif_set_down(&net.netif);
		return;
	}
	net.up = true;
}

/* ---- shell ------------------------------------------------------------------ */

/*
 * lwIP's pools, as "name used/size (max M, err E)": a pool whose used count
 * passes its size, or that stays above zero when no connection is open,
 * means an element was freed twice or leaked.
 */
static void net_show_pools(void)
{
	static const struct {
		memp_t pool;
		const char *name;
	} pools[] = {
		{ MEMP_TCP_PCB, "tcp pcb" },	{ MEMP_TCP_PCB_LISTEN, "tcp listen" },
		{ MEMP_TCP_SEG, "tcp seg" },	{ MEMP_PBUF, "pbuf ref" },
		{ MEMP_PBUF_POOL, "pbuf pool" }, { MEMP_UDP_PCB, "udp pcb" },
		{ MEMP_RAW_PCB, "raw pcb" },
	};
	const struct stats_mem *h = &lwip_stats.mem;

	console_printf("memp:");
	for (unsigned i = 0; i < ARRAY_SIZE(pools); i++) {
		const struct stats_mem *m = lwip_stats.memp[pools[i].pool];

		console_printf("%s %s %u/%u (max %u, err %u)", i ? "," : "", pools[i].name,
			       (unsigned)m->used, (unsigned)m->avail, (unsigned)m->max,
			       (unsigned)m->err);
	}
	console_printf("\nheap: used %u of %u bytes (max %u, err %u, illegal %u)\n",
		       (unsigned)h->used, (unsigned)h->avail, (unsigned)h->max, (unsigned)h->err,
		       (unsigned)h->illegal);
}

void net_shell_show(void)
{
	const struct netdev_stats *s;
	char addr[64];

	if (!net.up) {
		console_printf("net: down (no [net] section, or no usable NIC: see the boot log)\n");
		return;
	}
	s = &net.nd->stats;
	format_addr(addr, sizeof(addr));
	console_printf("nic: %s at %02x:%02x.%x, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s\n",
		       net.nd->name, net.pdev->bus, net.pdev->dev, net.pdev->fn, net.nd->mac[0],
		       net.nd->mac[1], net.nd->mac[2], net.nd->mac[3], net.nd->mac[4],
		       net.nd->mac[5], net.link ? "up" : "down");
	console_printf("ip: %s (%s%s)\n", addr, net.dhcp ? "dhcp" : "static",
		       net.dhcp && !dhcp_supplied_address(&net.netif) ? ", not bound yet" : "");
	console_printf("rx: packets %lu, bytes %lu, dropped %lu, errors %lu, bad length %lu, "
		       "no buffer %lu\n",
		       (unsigned long)s->rx_packets, (unsigned long)s->rx_bytes,
		       (unsigned long)s->rx_dropped, (unsigned long)s->rx_errors,
		       (unsigned long)s->rx_bad_length, (unsigned long)net.rx_nobuf);
	console_printf("tx: packets %lu, bytes %lu, dropped %lu, errors %lu, ring full %lu, "
		       "timeouts %lu\n",
		       (unsigned long)s->tx_packets, (unsigned long)s->tx_bytes,
		       (unsigned long)s->tx_dropped, (unsigned long)s->tx_errors,
		       (unsigned long)net.tx_busy, (unsigned long)s->timeouts);
	console_printf("drops: ip checksum %u, ip length %u, tcp checksum %u, tcp length %u, "
		       "udp checksum %u, udp length %u\n",
		       lwip_stats.ip.chkerr, lwip_stats.ip.lenerr, lwip_stats.tcp.chkerr,
		       lwip_stats.tcp.lenerr, lwip_stats.udp.chkerr, lwip_stats.udp.lenerr);
	console_printf("lwip: ip rx %u, ip drop %u, tcp rx %u, tcp tx %u, tcp drop %u, udp rx %u, "
		       "udp drop %u, icmp rx %u, icmp drop %u, mem errors %u\n",
		       lwip_stats.ip.recv, lwip_stats.ip.drop, lwip_stats.tcp.recv,
		       lwip_stats.tcp.xmit, lwip_stats.tcp.drop, lwip_stats.udp.recv,
		       lwip_stats.udp.drop, lwip_stats.icmp.recv, lwip_stats.icmp.drop,
		       lwip_stats.tcp.memerr + lwip_stats.ip.memerr + lwip_stats.link.memerr);
	net_show_pools();
	iperf_server_show();
}

void net_shell_ping(int argc, char **argv)
{
	struct cfg_error err;
	unsigned count = 4;
	u32 dst;
	int rc;

	if (argc < 2 || argc > 3) {
		console_printf("usage: ping <a.b.c.d> [count 1..%u]\n", PING_MAX_COUNT);
		return;
	}
	if (cfg_parse_ipv4(argv[1], strlen(argv[1]), &dst, &err)) {
		console_printf("ping: %s\n", err.msg);
		return;
	}
	if (argc == 3) {
		u32 n;
		if (cfg_parse_u32(argv[2], strlen(argv[2]), &n, &err) || !n || n > PING_MAX_COUNT) {
			console_printf("ping: bad count '%s' (use 1..%u)\n", argv[2], PING_MAX_COUNT);
			return;
		}
		count = n;
	}
	if (!net.up) {
		console_printf("ping: no network (see `net`)\n");
		return;
	}
	rc = ping_start(dst, count);
	if (rc == -EBUSY)
		console_printf("ping: a ping is already running\n");
	else if (rc)
		console_printf("ping: cannot start (%d)\n", rc);
}

void net_shell_tcpcheck(int argc, char **argv)
{
	struct cfg_error err;
	u32 dst, port;
	u64 size;
	int rc;

	if (argc != 4) {
		console_printf("usage: tcpcheck <a.b.c.d> <port> <size, e.g. 64M>\n");
		return;
	}
	if (cfg_parse_ipv4(argv[1], strlen(argv[1]), &dst, &err) ||
	    cfg_parse_u32(argv[2], strlen(argv[2]), &port, &err) ||
	    cfg_parse_size(argv[3], strlen(argv[3]), &size, &err)) {
		console_printf("tcpcheck: %s\n", err.msg);
		return;
	}
	if (!port || port > 0xffff || !size) {
		console_printf("tcpcheck: port must be 1..65535 and size above 0\n");
		return;
	}
	if (!net.up) {
		console_printf("tcpcheck: no network (see `net`)\n");
		return;
	}
	rc = tcpcheck_start(dst, (u16)port, size);
	if (rc == -EBUSY)
		console_printf("tcpcheck: a check is already running\n");
	else if (rc)
		console_printf("tcpcheck: cannot start (%d)\n", rc);
}
