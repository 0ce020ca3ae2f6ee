/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The physical memory map: the final UEFI map the loader hands over
 * (boot_info.mmap), turned into sorted, non-overlapping regions that say
 * who owns each byte of RAM.
 *
 * Pure C, no allocation, no global state, no logging: the caller provides
 * the output array and reports the warnings counted in struct memmap_stats.
 * Context: core init, single CPU; the query functions are read-only and may
 * be called from anywhere once the map is built.
 */
#ifndef LONGBUS_MEMMAP_H
#define LONGBUS_MEMMAP_H

#include "boot/boot_info.h"
#include "kernel/compiler.h"

#define MEMMAP_PAGE_SIZE 4096ULL

/* x86-64 physical addresses are at most 52 bits; anything beyond is clipped. */
#define MEMMAP_PHYS_LIMIT (1ULL << 52)

/*
 * Upper bound on descriptors accepted. Real firmware produces a few hundred;
 * normalization is O(n^2) in the count, and 4096 keeps that under 40M steps.
 */
#define MEMMAP_MAX_DESC 4096

/*
 * Who owns a range, from longbus's point of view. The order of the values is
 * not a ranking; memmap.c holds the overlap ranking in its own table.
 */
enum mem_class {
	MEM_FREE,	/* conventional + boot-services code/data: unassigned RAM */
	MEM_HV_CORE,	/* the core image */
	MEM_HV_POOL,	/* the hypervisor's page pool, the only palloc source */
	MEM_GUEST,	/* guest RAM blocks */
	MEM_FILE,	/* files loaded from the ESP */
	MEM_BOOT,	/* loader image, boot_info, bootstrap tables, trampoline */
	MEM_FW_RUNTIME, /* UEFI runtime services code/data */
	MEM_ACPI,	/* ACPI reclaim and NVS */
	MEM_MMIO,	/* MMIO and MMIO port space */
	MEM_RESERVED,	/* reserved, unusable, PAL, persistent, unaccepted, unknown */
	MEM_CLASS_COUNT
};

/* One normalized range. base and size are multiples of MEMMAP_PAGE_SIZE. */
struct mem_region {
	paddr_t base;
	u64 size;	/* bytes, never 0 */
	enum mem_class cls;
	u32 efi_type;	/* enum efi_memtype of the descriptor that won this range */
	u64 attr;	/* EFI_MEMORY_* bits of that descriptor */
};

/*
 * Firmware bugs memmap_normalize() repaired rather than rejected. All zero
 * on a sane map; the caller logs anything else as a warning.
 */
struct memmap_stats {
	u32 ndesc;	/* descriptors read */
	u32 dropped;	/* zero-size, or nothing left after clipping and aligning */
	u32 clipped;	/* end cut at MEMMAP_PHYS_LIMIT, or edges not page aligned */
	u32 unknown;	/* types longbus does not know, treated as reserved */
	u32 overlaps;	/* output pieces described by more than one descriptor */
	u32 conflicts;	/* ... of which the descriptors disagreed on the class */
};

/* The owner class of a UEFI memory type; unknown types are MEM_RESERVED. */
enum mem_class memmap_classify(u32 efi_type);

/*
 * Builds the normalized map from ndesc descriptors: sorted by base, edges
 * page aligned, ends clipped at MEMMAP_PHYS_LIMIT, zero-size entries
 * dropped, adjacent regions with the same class, type and attributes merged.
 *
 * Edges that are not page aligned move outward for every class except
 * MEM_FREE and MEM_HV_POOL, which shrink inward: a partial page is never
 * handed out, and a restricted one is never partly forgotten.
 *
 * Where descriptors overlap (a firmware bug), the overlap takes the most
 * restrictive class among them (ranking, least to most restrictive: free,
 * pool, guest, file, boot, core, runtime, ACPI, MMIO, reserved). When they
 * disagree and the winner would still be MEM_FREE or MEM_HV_POOL (pool
 * against free), the overlap becomes MEM_RESERVED (type EFI_RESERVED,
 * attr 0): a map that contradicts itself about a page must not let anyone
 * write to it. Duplicates that agree on the class keep it.
 *
 * stats may be NULL. On success *nout is the region count. On -ENOSPC, out
 * holds the first cap regions and *nout is the count that would have been
 * needed, so the caller can retry with a larger array.
 *
 * Returns 0, -EINVAL (NULL desc with ndesc > 0, NULL out with cap > 0, NULL
 * nout), -E2BIG (ndesc > MEMMAP_MAX_DESC) or -ENOSPC.
 */
int memmap_normalize(const struct bi_memdesc *desc, size_t ndesc,
		     struct mem_region *out, size_t cap, size_t *nout,
		     struct memmap_stats *stats) __must_check;

/* Total bytes of class cls in a normalized map (for the `mem` command). */
u64 memmap_class_bytes(const struct mem_region *r, size_t n, enum mem_class cls);

/*
 * True for classes backed by RAM: everything except MEM_MMIO and
 * MEM_RESERVED. Reserved ranges are often not RAM at all (the legacy VGA
 * hole, PCIe ECAM, firmware-claimed windows), so longbus neither maps nor
 * counts them as RAM.
 */
bool memmap_class_is_ram(enum mem_class cls);

/*
 * One past the highest byte of RAM (memmap_class_is_ram), 0 if there is
 * none: the size the direct map must cover. Holes below it are not RAM.
 */
paddr_t memmap_ram_top(const struct mem_region *r, size_t n);

/* The region containing pa in a normalized map, or NULL in a hole. */
const struct mem_region *memmap_find(const struct mem_region *r, size_t n, paddr_t pa);

/*
 * The class of pa in a normalized map. Holes (no descriptor) are
 * MEM_RESERVED: nobody described them, so nobody may use them.
 */
enum mem_class memmap_class_at(const struct mem_region *r, size_t n, paddr_t pa);

/* Short lower-case name ("free", "hv-pool", ...); "invalid" out of range. */
const char *memmap_class_name(enum mem_class cls);

#endif
