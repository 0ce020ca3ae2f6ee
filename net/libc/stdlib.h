/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <stdlib.h> for lwIP's sources: netif.c parses interface names with
 * atoi() (net/lwip_port.c provides it). Nothing else of stdlib is used.
 */
#ifndef LONGBUS_NET_LIBC_STDLIB_H
#define LONGBUS_NET_LIBC_STDLIB_H

int atoi(const char *s);

#endif
