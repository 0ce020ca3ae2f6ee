/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small pieces every raw-API TCP user in net/ needs.
 * Context: the service loop only (lwIP runs nowhere else).
 */
#ifndef LONGBUS_NET_TCP_UTIL_H
#define LONGBUS_NET_TCP_UTIL_H

#include "lwip/tcp.h"

/*
 * Detaches every callback from pcb, then closes it; if lwIP cannot queue
 * the FIN (out of memory) the pcb is aborted instead. Returns ERR_OK, or
 * ERR_ABRT after an abort, which a recv/sent/poll callback must then
 * return to lwIP. The caller's own state must not point at pcb afterwards.
 */
err_t net_tcp_close(struct tcp_pcb *pcb);

#endif
