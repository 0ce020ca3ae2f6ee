// SPDX-License-Identifier: GPL-2.0-only
/*
 * CRC-32, reflected polynomial 0xedb88320, table-driven: a byte-at-a-time
 * bit loop would cost 8 iterations a byte, too slow for 64 MiB checks
 * under emulation. The table is built on first use.
 * Context: any; the first call must not race another (service loop only,
 * in practice).
 */
#include "net/crc32.h"

static u32 table[256];
static bool table_ready;

static void crc32_init(void)
{
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	table_ready = true;
}

u32 crc32_update(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;

	if (!table_ready)
		crc32_init();
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
