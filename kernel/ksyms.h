/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Function names for stack traces. The table is generated from the first
 * link of the core (tools/gen-ksyms.sh) and placed after .data by the
 * second link, so no code address moves between the two.
 */
#ifndef LONGBUS_KSYMS_H
#define LONGBUS_KSYMS_H

#include "kernel/types.h"

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(u64 addr, u64 *offset);

#endif
