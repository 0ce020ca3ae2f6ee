/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * longbus's own network: the NIC `[net]` picks, lwIP on top of it, and the
 * services configured there (DHCP or a static address, the iperf server,
 * echo).
 *
 * Context: lwIP runs only in the service loop on the service CPU; the
 * functions here are for the boot CPU (net_init) and the shell, which runs
 * in that same loop. Other CPUs use net/net_queue.h.
 */
#ifndef LONGBUS_NET_NET_H
#define LONGBUS_NET_NET_H

#include "kernel/config.h"

/* TCP port of the echo server (`[net] echo = on`): the RFC 862 echo port. */
#define NET_ECHO_PORT 7
/* TCP port of the iperf server (`[net] iperf = on`) and of `iperf`'s peer: iperf 2's default. */
#define NET_IPERF_PORT 5001
/* iperf server sessions at once; more are refused (reset). */
#define NET_IPERF_MAX_SESSIONS 4

/*
 * Brings the network up from cfg->net: claims and probes the NIC, starts
 * lwIP, sets the address (or starts DHCP), starts iperf/echo when asked
 * and registers the "net" service work. Without a [net] section, or when
 * the NIC cannot be had, logs one line and leaves longbus without network.
 * Boot CPU, once, after pci_init() and before the service loop starts.
 */
void net_init(const struct lb_config *cfg);

/* Is the network up (a NIC and lwIP running)? */
bool net_is_up(void);

/* The `net` shell command: NIC, MAC, address, link, and counters. */
void net_shell_show(void);

/* The `ping <ip> [count]` shell command; replies print as they arrive. */
void net_shell_ping(int argc, char **argv);

/*
 * The `tcpcheck <ip> <port> <size>` shell command (net/tcpcheck.h): an
 * end-to-end TCP transfer check against an echo server.
 */
void net_shell_tcpcheck(int argc, char **argv);

/*
 * The `iperf <ip> [seconds]` shell command (net/iperf_cmd.c): an iperf 2
 * TCP client to port NET_IPERF_PORT (another longbus's iperf server, or
 * iperf -s); prints bytes, ms and kbit/s when the time is up.
 */
void net_shell_iperf(int argc, char **argv);

/*
 * The iperf 2 TCP server (net/iperf_server.c): listens on port, takes up
 * to NET_IPERF_MAX_SESSIONS clients at once and logs one line per session
 * ("iperf: 10.0.2.2:54321 sent N bytes in S s = R Mbit/s", or "... reset by
 * peer after N bytes"). Returns 0, -EBUSY (already started, or the port is
 * taken) or -ENOMEM (no pcb). Service loop (or net_init) only.
 */
int iperf_server_start(u16 port) __must_check;

/* `net`'s iperf lines: port, session counts, and each running session. */
void iperf_server_show(void);

#endif
