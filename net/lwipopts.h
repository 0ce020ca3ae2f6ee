/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lwIP 2.1.3 build options for longbus (lwIP reads this through
 * lwip/opt.h; the Makefile puts net/ on the include path).
 *
 * Shape: NO_SYS, raw API only, one Ethernet netif, IPv4. lwIP runs only in
 * the service loop on the service CPU (net/net.c), so it needs no locks.
 * Tuned for bulk TCP throughput (iperf, later NBD): a 256 KiB window
 * each way, window scaling, SACK, MSS 1460. Memory for all of it is
 * static (.bss): lwIP's own heap and pools, no malloc.
 *
 * Every value that differs from lwIP's default (src/include/lwip/opt.h)
 * says why. Values restated at their default say so.
 */
#ifndef LONGBUS_NET_LWIPOPTS_H
#define LONGBUS_NET_LWIPOPTS_H

/* ---- system -------------------------------------------------------------- */

/* No threads, no semaphores: lwIP is driven by the service loop. */
#define NO_SYS 1
/* Nothing preempts lwIP: only the service loop calls it, interrupts never do. */
#define SYS_LIGHTWEIGHT_PROT 0
/* sys_check_timeouts() from the service loop; default, stated because we rely on it. */
#define LWIP_TIMERS 1
/* The sequential APIs need threads (NO_SYS=0). */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0

/* ---- memory -------------------------------------------------------------- */

/* Pointers in pbufs and pools are 8 bytes; default 1 would misalign them. */
#define MEM_ALIGNMENT 8
/*
 * lwIP's heap holds PBUF_RAM: every TCP segment we send (tcp_write copies)
 * and replies. Two connections' full send buffers plus headroom; the 1600
 * byte default holds one frame.
 */
#define MEM_SIZE (2 * TCP_SND_BUF + 64 * 1024)
/*
 * Received frames are copied from the NIC into pool pbufs of one full frame
 * each. The pool must hold a whole receive window queued out of order
 * (TCP_WND / TCP_MSS = 180 segments) plus what is in flight elsewhere
 * (ARP queue, ICMP replies, a second connection); the default 16 would
 * shrink the effective window to 23 KiB.
 */
#define PBUF_POOL_SIZE 512
/* One Ethernet frame per pool pbuf: lwIP's default formula with MSS 1460 (1516). */
/* PBUF_POOL_BUFSIZE: default */

/*
 * Segments: every segment in flight on the send side (TCP_SND_QUEUELEN)
 * plus out-of-order received segments held for SACK (up to the pool size).
 */
#define MEMP_NUM_TCP_SEG (TCP_SND_QUEUELEN + PBUF_POOL_SIZE)
/*
 * PBUF_REF/ROM headers: the iperf client sends its constant pattern
 * without copying, one per segment in the send queue (default 16).
 */
#define MEMP_NUM_PBUF TCP_SND_QUEUELEN
/* iperf server + client, the echo server, and a few clients (default 5). */
#define MEMP_NUM_TCP_PCB 16
/* iperf, echo, and room for NBD's listener (default 8). */
#define MEMP_NUM_TCP_PCB_LISTEN 4
/* DHCP (1) and room for later UDP users; default. */
#define MEMP_NUM_UDP_PCB 4
/* `ping` uses one raw ICMP pcb; default. */
#define MEMP_NUM_RAW_PCB 4
/* lwIP's own timers plus one for ping's interval. */
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 2)

/* ---- link and IP ---------------------------------------------------------- */

#define LWIP_ETHERNET 1
#define LWIP_ARP 1
/*
 * Queue packets while ARP resolves instead of dropping the first one (the
 * default, ARP_QUEUEING 0, loses a SYN or the first ping of a session).
 */
#define ARP_QUEUEING 1
#define LWIP_IPV4 1
/* No IPv6 yet: nothing on the hypervisor's network asks for it. */
#define LWIP_IPV6 0
/* Frames go to the NIC as one contiguous buffer, so the driver copies once. */
#define LWIP_NETIF_TX_SINGLE_PBUF 1
/* Log address changes (DHCP bound, static set) and link changes. */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
/* One NIC at a time: skips lwIP's netif-list routing. */
#define LWIP_SINGLE_NETIF 1
/* Identify to DHCP servers (dnsmasq logs it). */
#define LWIP_NETIF_HOSTNAME 1

/* ---- protocols ------------------------------------------------------------ */

#define LWIP_ICMP 1
/* Raw pcbs carry `ping`'s ICMP echo requests and replies. */
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
/* [net] ip = dhcp. */
#define LWIP_DHCP 1
/* Not needed: no names are resolved by the hypervisor. */
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0

/* ---- TCP, tuned for throughput --------------------------------------------- */

/* Full Ethernet segments (1500 - 40); the default 536 is the IPv4 minimum. */
#define TCP_MSS 1460
/* 256 KiB: keeps a fast link busy across the service loop's 10 ms sleep. */
#define TCP_WND (256 * 1024)
#define TCP_SND_BUF (256 * 1024)
/* A 256 KiB window needs RFC 7323 scaling; the header field holds 64 KiB. */
#define LWIP_WND_SCALE 1
/* 256 KiB >> 3 fits the 16-bit field (>> 2 would be 0x10000, one too many). */
#define TCP_RCV_SCALE 3
/*
 * Every segment of the send buffer may be queued at once: lwIP's formula
 * (4 * TCP_SND_BUF / TCP_MSS = 719) is also its sanity minimum; stated so
 * MEMP_NUM_TCP_SEG and MEMP_NUM_PBUF above read clearly.
 */
#define TCP_SND_QUEUELEN ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
/*
 * Only the netconn API reads this (we have none), but init.c's sanity check
 * wants it 4 MSS below 64 KiB; the default (half of TCP_SND_BUF) is not.
 */
#define TCP_SNDLOWAT (32 * 1024)
/* Keep segments that arrive out of order (default, stated: SACK needs it). */
#define TCP_QUEUE_OOSEQ 1
/* Tell the sender which out-of-order data we hold, so one loss costs one resend. */
#define LWIP_TCP_SACK_OUT 1
/* Per-pcb keepalive timing (tcp_keepalive fields); default off. */
#define LWIP_TCP_KEEPALIVE 1
/*
 * Keepalive probes start after 60 s idle, not TCP's 2 hours: a dead NBD
 * peer must be noticed in about a minute. Users still opt in per pcb with
 * SOF_KEEPALIVE.
 */
#define TCP_KEEPIDLE_DEFAULT 60000UL
#define TCP_KEEPINTVL_DEFAULT 10000UL
#define TCP_KEEPCNT_DEFAULT 6U

/* ---- checksums ------------------------------------------------------------ */

/*
 * Computed and checked in software (defaults, stated: the drivers enable no
 * offload, and the drop counters of `net` rely on lwIP checking every
 * IP/TCP/UDP/ICMP checksum).
 */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1

/* ---- statistics ----------------------------------------------------------- */

/*
 * `net` prints lwIP's drop counters (checksum, length, memory): default 1,
 * stated because the console depends on it.
 */
#define LWIP_STATS 1
#define LINK_STATS 1
#define IP_STATS 1
#define ICMP_STATS 1
#define UDP_STATS 1
#define TCP_STATS 1
#define MEM_STATS 1
#define MEMP_STATS 1
/* 32-bit counters: 16-bit ones (the default) wrap within a 100 MB transfer. */
#define LWIP_STATS_LARGE 1
/* The display code printf()s; `net` formats its own lines. */
#define LWIP_STATS_DISPLAY 0

#endif
