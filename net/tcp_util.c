// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared raw-API TCP helpers (net/tcp_util.h).
 * Context: the service loop only.
 */
#include "net/tcp_util.h"

err_t net_tcp_close(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	tcp_err(pcb, NULL);
	if (tcp_close(pcb) == ERR_OK)
		return ERR_OK;
	tcp_abort(pcb);
	return ERR_ABRT;
}
