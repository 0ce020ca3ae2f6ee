/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The operator's console shell on the hypervisor serial port.
 * Context: service loop only.
 */
#ifndef LONGBUS_SHELL_H
#define LONGBUS_SHELL_H

#include "kernel/config.h"

#define SHELL_PROMPT "longbus> "

/* Registers the shell with the service loop and routes the UART interrupt. */
void shell_init(const struct lb_config *cfg);

#endif
