/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <string.h> for lwIP's sources, which include it by name. The core has no
 * C library; kernel/klib.h declares the routines kernel/lib/ provides.
 * On the include path of net/ and lwIP only (Makefile, "lwIP" block).
 */
#ifndef LONGBUS_NET_LIBC_STRING_H
#define LONGBUS_NET_LIBC_STRING_H

#include "kernel/klib.h"

#endif
