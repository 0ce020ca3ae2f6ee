/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixed-width types shared by the core, the loader and the host unit tests.
 * Only freestanding headers are used so this compiles in all three.
 */
#ifndef LONGBUS_TYPES_H
#define LONGBUS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* A host-physical address. Kept distinct in name so signatures say which space. */
typedef u64 paddr_t;

#endif
