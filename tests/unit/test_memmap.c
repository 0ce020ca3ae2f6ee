// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for kernel/memmap.c: classification, normalization (sorting,
 * merging, clipping, overlap resolution), and the queries on the result.
 *
 * Build: gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined
 *        -I. tests/unit/test_memmap.c kernel/memmap.c -lcmocka
 */
#include "kernel/memmap.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"

#define PG 4096ULL
#define MIB (1024ULL * 1024)
#define ATTR_WB 0xfULL /* UC|WC|WT|WB, what OVMF reports for RAM */
#define ATTR_RT_UC (BI_MEMORY_RUNTIME | BI_MEMORY_UC)
#define ATTR_RT_WB (BI_MEMORY_RUNTIME | ATTR_WB)

#define MAXR 256

static struct bi_memdesc md(u32 type, u64 base, u64 npages)
{
	return (struct bi_memdesc){ .type = type, .base = base, .npages = npages, .attr = ATTR_WB };
}

static struct bi_memdesc mda(u32 type, u64 base, u64 npages, u64 attr)
{
	return (struct bi_memdesc){ .type = type, .base = base, .npages = npages, .attr = attr };
}

/* Normalizes and insists on success; returns the region count. */
static size_t norm(const struct bi_memdesc *d, size_t n, struct mem_region *out,
		   struct memmap_stats *st)
{
	size_t nout = 12345;

	assert_int_equal(memmap_normalize(d, n, out, MAXR, &nout, st), 0);
	assert_true(nout <= MAXR);
	return nout;
}

static void expect_region(const struct mem_region *r, u64 base, u64 size,
			  enum mem_class cls, u32 type)
{
	assert_int_equal(r->base, base);
	assert_int_equal(r->size, size);
	assert_int_equal(r->cls, cls);
	assert_int_equal(r->efi_type, type);
}

/* Sorted, page aligned, non-empty, non-overlapping, nothing left unmerged. */
static void expect_well_formed(const struct mem_region *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_true(r[i].size > 0);
		assert_true(r[i].base % PG == 0 && r[i].size % PG == 0);
		assert_true(r[i].base + r[i].size <= MEMMAP_PHYS_LIMIT);
		if (i == 0)
			continue;
		assert_true(r[i - 1].base + r[i - 1].size <= r[i].base);
		assert_false(r[i - 1].base + r[i - 1].size == r[i].base &&
			     r[i - 1].cls == r[i].cls && r[i - 1].efi_type == r[i].efi_type &&
			     r[i - 1].attr == r[i].attr);
	}
}

static void test_memmap_classifies_every_uefi_type(void **state)
{
	static const struct {
		u32 type;
		enum mem_class cls;
	} v[] = {
		{ EFI_RESERVED, MEM_RESERVED },
		{ EFI_LOADER_CODE, MEM_BOOT },
		{ EFI_LOADER_DATA, MEM_BOOT },
		{ EFI_BOOT_SERVICES_CODE, MEM_FREE },
		{ EFI_BOOT_SERVICES_DATA, MEM_FREE },
		{ EFI_RUNTIME_SERVICES_CODE, MEM_FW_RUNTIME },
		{ EFI_RUNTIME_SERVICES_DATA, MEM_FW_RUNTIME },
		{ EFI_CONVENTIONAL, MEM_FREE },
		{ EFI_UNUSABLE, MEM_RESERVED },
		{ EFI_ACPI_RECLAIM, MEM_ACPI },
		{ EFI_ACPI_NVS, MEM_ACPI },
		{ EFI_MMIO, MEM_MMIO },
		{ EFI_MMIO_PORT_SPACE, MEM_MMIO },
		{ EFI_PAL_CODE, MEM_RESERVED },
		{ EFI_PERSISTENT, MEM_RESERVED },
		{ EFI_UNACCEPTED, MEM_RESERVED },
		{ LB_MEMTYPE_CORE, MEM_HV_CORE },
		{ LB_MEMTYPE_POOL, MEM_HV_POOL },
		{ LB_MEMTYPE_GUEST, MEM_GUEST },
		{ LB_MEMTYPE_FILE, MEM_FILE },
		{ LB_MEMTYPE_BOOT, MEM_BOOT },
		{ LB_MEMTYPE_LOWMEM, MEM_BOOT },
	};
	(void)state;

	/* The type rides along in the high bits so a failure names it. */
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal((u64)v[i].type << 8 | memmap_classify(v[i].type),
				 (u64)v[i].type << 8 | v[i].cls);
}

static void test_memmap_unknown_types_are_reserved(void **state)
{
	static const u32 unknown[] = { 16, 0x1000, 0x6fffffff, 0x70000000, 0x7fffffff,
				       0x80000006, 0x8000ffff, 0xffffffff };
	struct bi_memdesc d[sizeof(unknown) / sizeof(unknown[0])];
	struct mem_region r[MAXR];
	struct memmap_stats st;
	size_t n;
	(void)state;

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_int_equal(memmap_classify(unknown[i]), MEM_RESERVED);
		d[i] = md(unknown[i], 0x100000 + i * 2 * PG, 1);
	}
	n = norm(d, sizeof(d) / sizeof(d[0]), r, &st);
	assert_int_equal(n, sizeof(d) / sizeof(d[0]));
	assert_int_equal(st.unknown, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].cls, MEM_RESERVED);
		assert_int_equal(r[i].efi_type, unknown[i]); /* the raw type is kept */
	}
}

static void test_memmap_sorts_unsorted_input(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_ACPI_NVS, 0x300000, 4),
		md(EFI_CONVENTIONAL, 0x100000, 16),
		md(LB_MEMTYPE_POOL, 0x200000, 8),
		md(EFI_RESERVED, 0x0, 1),
	};
	struct mem_region r[MAXR];
	size_t n;
	(void)state;

	n = norm(d, 4, r, NULL);
	assert_int_equal(n, 4);
	expect_well_formed(r, n);
	expect_region(&r[0], 0x0, PG, MEM_RESERVED, EFI_RESERVED);
	expect_region(&r[1], 0x100000, 16 * PG, MEM_FREE, EFI_CONVENTIONAL);
	expect_region(&r[2], 0x200000, 8 * PG, MEM_HV_POOL, LB_MEMTYPE_POOL);
	expect_region(&r[3], 0x300000, 4 * PG, MEM_ACPI, EFI_ACPI_NVS);
}

static void test_memmap_merges_adjacent_same_type(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, 0x103000, 5),
		md(EFI_CONVENTIONAL, 0x100000, 3),
		md(EFI_CONVENTIONAL, 0x108000, 1),
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 3, r, &st), 1);
	expect_region(&r[0], 0x100000, 9 * PG, MEM_FREE, EFI_CONVENTIONAL);
	assert_int_equal(st.overlaps, 0);
}

static void test_memmap_keeps_adjacent_different_types_apart(void **state)
{
	/* Both MEM_FREE, but the type is part of what `mem` reports. */
	struct bi_memdesc d[] = {
		md(EFI_BOOT_SERVICES_CODE, 0x100000, 2),
		md(EFI_CONVENTIONAL, 0x102000, 2),
	};
	struct mem_region r[MAXR];
	(void)state;

	assert_int_equal(norm(d, 2, r, NULL), 2);
	expect_region(&r[0], 0x100000, 2 * PG, MEM_FREE, EFI_BOOT_SERVICES_CODE);
	expect_region(&r[1], 0x102000, 2 * PG, MEM_FREE, EFI_CONVENTIONAL);
}

static void test_memmap_keeps_adjacent_different_attrs_apart(void **state)
{
	struct bi_memdesc d[] = {
		mda(EFI_MMIO, 0xfe000000, 1, BI_MEMORY_UC),
		mda(EFI_MMIO, 0xfe001000, 1, ATTR_RT_UC),
	};
	struct mem_region r[MAXR];
	(void)state;

	assert_int_equal(norm(d, 2, r, NULL), 2);
	assert_int_equal(r[0].attr, BI_MEMORY_UC);
	assert_int_equal(r[1].attr, ATTR_RT_UC);
}

static void test_memmap_does_not_merge_across_hole(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, 0x0, 0x9f),
		md(EFI_CONVENTIONAL, 0x100000, 0x100),
	};
	struct mem_region r[MAXR];
	(void)state;

	assert_int_equal(norm(d, 2, r, NULL), 2);
	expect_region(&r[0], 0x0, 0x9f000, MEM_FREE, EFI_CONVENTIONAL);
	expect_region(&r[1], 0x100000, 0x100000, MEM_FREE, EFI_CONVENTIONAL);
}

static void test_memmap_drops_zero_size_entries(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_RESERVED, 0x100000, 0),	/* would split the free range if kept */
		md(EFI_CONVENTIONAL, 0x0, 0x200),
		md(EFI_ACPI_NVS, 0x500000, 0),
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 3, r, &st), 1);
	expect_region(&r[0], 0x0, 0x200 * PG, MEM_FREE, EFI_CONVENTIONAL);
	assert_int_equal(st.ndesc, 3);
	assert_int_equal(st.dropped, 2);
}

static void test_memmap_empty_input_gives_empty_map(void **state)
{
	size_t nout = 99;
	(void)state;

	assert_int_equal(memmap_normalize(NULL, 0, NULL, 0, &nout, NULL), 0);
	assert_int_equal(nout, 0);
	assert_int_equal(memmap_ram_top(NULL, 0), 0);
	assert_int_equal(memmap_class_at(NULL, 0, 0x1000), MEM_RESERVED);
}

static void test_memmap_overlap_reserved_beats_free(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, 0x100000, 16),
		md(EFI_RESERVED, 0x10c000, 8), /* last 4 pages of the free range and 4 more */
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 2, r, &st), 2);
	expect_region(&r[0], 0x100000, 12 * PG, MEM_FREE, EFI_CONVENTIONAL);
	expect_region(&r[1], 0x10c000, 8 * PG, MEM_RESERVED, EFI_RESERVED);
	assert_int_equal(st.overlaps, 1);
	assert_int_equal(st.conflicts, 1);
}

static void test_memmap_overlap_reserved_inside_free_splits_it(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_RESERVED, 0x104000, 2),
		md(EFI_CONVENTIONAL, 0x100000, 16),
	};
	struct mem_region r[MAXR];
	(void)state;

	assert_int_equal(norm(d, 2, r, NULL), 3);
	expect_region(&r[0], 0x100000, 4 * PG, MEM_FREE, EFI_CONVENTIONAL);
	expect_region(&r[1], 0x104000, 2 * PG, MEM_RESERVED, EFI_RESERVED);
	expect_region(&r[2], 0x106000, 10 * PG, MEM_FREE, EFI_CONVENTIONAL);
}

static void test_memmap_overlap_pool_vs_acpi_goes_to_acpi(void **state)
{
	struct bi_memdesc d[] = {
		md(LB_MEMTYPE_POOL, 0x200000, 16),
		md(EFI_ACPI_RECLAIM, 0x20f000, 4),
		md(EFI_ACPI_NVS, 0x1ff000, 2),
	};
	struct mem_region r[MAXR];
	(void)state;

	assert_int_equal(norm(d, 3, r, NULL), 3);
	expect_region(&r[0], 0x1ff000, 2 * PG, MEM_ACPI, EFI_ACPI_NVS);
	expect_region(&r[1], 0x201000, 14 * PG, MEM_HV_POOL, LB_MEMTYPE_POOL);
	expect_region(&r[2], 0x20f000, 4 * PG, MEM_ACPI, EFI_ACPI_RECLAIM);
	assert_int_equal(memmap_class_bytes(r, 3, MEM_HV_POOL), 14 * PG);
}

static void test_memmap_overlap_pool_vs_free_becomes_reserved(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, 0x100000, 0x100),
		md(LB_MEMTYPE_POOL, 0x1f0000, 0x20),
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 2, r, &st), 3);
	expect_region(&r[0], 0x100000, 0xf0 * PG, MEM_FREE, EFI_CONVENTIONAL);
	/* Neither free nor pool: the map contradicts itself about these pages. */
	expect_region(&r[1], 0x1f0000, 0x10 * PG, MEM_RESERVED, EFI_RESERVED);
	assert_int_equal(r[1].attr, 0);
	expect_region(&r[2], 0x200000, 0x10 * PG, MEM_HV_POOL, LB_MEMTYPE_POOL);
	assert_int_equal(st.conflicts, 1);
}

static void test_memmap_overlap_identical_pool_stays_pool(void **state)
{
	struct bi_memdesc d[] = {
		md(LB_MEMTYPE_POOL, 0x200000, 16),
		md(LB_MEMTYPE_POOL, 0x200000, 16),
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 2, r, &st), 1);
	expect_region(&r[0], 0x200000, 16 * PG, MEM_HV_POOL, LB_MEMTYPE_POOL);
	assert_int_equal(st.overlaps, 1);
	assert_int_equal(st.conflicts, 0);
}

static void test_memmap_overlap_acpi_nvs_beats_reclaim(void **state)
{
	struct bi_memdesc d[] = {
		mda(EFI_ACPI_NVS, 0x7000, 2, BI_MEMORY_UC),
		mda(EFI_ACPI_RECLAIM, 0x6000, 3, ATTR_WB),
	};
	struct mem_region r[MAXR];
	(void)state;

	assert_int_equal(norm(d, 2, r, NULL), 2);
	expect_region(&r[0], 0x6000, PG, MEM_ACPI, EFI_ACPI_RECLAIM);
	expect_region(&r[1], 0x7000, 2 * PG, MEM_ACPI, EFI_ACPI_NVS);
	assert_int_equal(r[1].attr, BI_MEMORY_UC);
}

static void test_memmap_overlap_mmio_beats_runtime(void **state)
{
	struct bi_memdesc d[] = {
		mda(EFI_RUNTIME_SERVICES_DATA, 0xffc00000, 8, ATTR_RT_WB),
		mda(EFI_MMIO, 0xffc00000, 0x400, ATTR_RT_UC),
	};
	struct mem_region r[MAXR];
	(void)state;

	assert_int_equal(norm(d, 2, r, NULL), 1);
	expect_region(&r[0], 0xffc00000, 0x400 * PG, MEM_MMIO, EFI_MMIO);
	assert_int_equal(r[0].attr, ATTR_RT_UC);
}

static void test_memmap_overlap_same_type_combines_attributes(void **state)
{
	struct bi_memdesc d[] = {
		mda(EFI_RUNTIME_SERVICES_CODE, 0x7f000000, 4, BI_MEMORY_RUNTIME),
		mda(EFI_RUNTIME_SERVICES_CODE, 0x7f000000, 4, ATTR_WB),
	};
	struct mem_region r[MAXR];
	(void)state;

	/* Either order: keeping only one descriptor's bits would lose RUNTIME or WB. */
	for (int round = 0; round < 2; round++) {
		struct bi_memdesc t = d[0];

		d[0] = d[1];
		d[1] = t;
		assert_int_equal(norm(d, 2, r, NULL), 1);
		assert_int_equal(r[0].attr, ATTR_RT_WB);
	}
}

/* Deterministic xorshift64*, so a failure reproduces. */
static u64 rng_next(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void test_memmap_overlap_result_is_order_independent(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, 0x0, 64),	  md(EFI_RESERVED, 0x8000, 4),
		md(LB_MEMTYPE_POOL, 0x10000, 32), md(EFI_ACPI_RECLAIM, 0x18000, 4),
		md(EFI_ACPI_NVS, 0x19000, 1),	  mda(EFI_CONVENTIONAL, 0x20000, 4, 0x1),
		md(LB_MEMTYPE_GUEST, 0x28000, 40),
	};
	enum { N = sizeof(d) / sizeof(d[0]) };
	struct mem_region ref[MAXR], r[MAXR];
	size_t nref, n;
	u64 seed = 0x1234;
	(void)state;

	nref = norm(d, N, ref, NULL);
	expect_well_formed(ref, nref);
	for (int round = 0; round < 200; round++) {
		for (size_t i = N - 1; i > 0; i--) { /* Fisher-Yates */
			size_t j = rng_next(&seed) % (i + 1);
			struct bi_memdesc t = d[i];

			d[i] = d[j];
			d[j] = t;
		}
		n = norm(d, N, r, NULL);
		assert_int_equal(n, nref);
		assert_memory_equal(r, ref, n * sizeof(r[0]));
	}
}

/*
 * Property check over random maps in a 64-page space: every page's class
 * agrees with the rules, whatever the overlaps.
 */
static void check_page_rules(const struct bi_memdesc *d, size_t nd,
			     const struct mem_region *r, size_t n, u64 page)
{
	u64 pa = page * PG;
	bool any = false, all_free = true, all_pool = true, any_reserved = false;
	enum mem_class got = memmap_class_at(r, n, pa);

	for (size_t i = 0; i < nd; i++) {
		enum mem_class c = memmap_classify(d[i].type);

		if (pa < d[i].base || pa >= d[i].base + d[i].npages * PG)
			continue;
		any = true;
		all_free &= c == MEM_FREE;
		all_pool &= c == MEM_HV_POOL;
		any_reserved |= c == MEM_RESERVED;
	}
	assert_int_equal(memmap_find(r, n, pa) != NULL, any);
	if (got == MEM_FREE)
		assert_true(all_free);
	if (got == MEM_HV_POOL)
		assert_true(all_pool);
	if (any_reserved)
		assert_int_equal(got, MEM_RESERVED);
}

static void test_memmap_overlap_never_makes_memory_free_or_pool(void **state)
{
	static const u32 types[] = { EFI_CONVENTIONAL, EFI_BOOT_SERVICES_DATA, LB_MEMTYPE_POOL,
				     EFI_ACPI_NVS, EFI_RESERVED, EFI_MMIO, LB_MEMTYPE_GUEST,
				     EFI_RUNTIME_SERVICES_CODE, 0x12345 };
	u64 seed = 0xfeedface;
	(void)state;

	for (int round = 0; round < 500; round++) {
		struct bi_memdesc d[12];
		struct mem_region r[MAXR];
		size_t nd = 1 + rng_next(&seed) % 12, n;

		for (size_t i = 0; i < nd; i++) {
			u64 start = rng_next(&seed) % 64;

			d[i] = md(types[rng_next(&seed) % 9], start * PG,
				  rng_next(&seed) % (65 - start));
		}
		n = norm(d, nd, r, NULL);
		expect_well_formed(r, n);
		for (u64 page = 0; page < 66; page++)
			check_page_rules(d, nd, r, n, page);
	}
}

static void test_memmap_clips_end_past_52_bits(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, MEMMAP_PHYS_LIMIT - 4 * PG, 16),
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 1, r, &st), 1);
	expect_region(&r[0], MEMMAP_PHYS_LIMIT - 4 * PG, 4 * PG, MEM_FREE, EFI_CONVENTIONAL);
	assert_int_equal(st.clipped, 1);
	assert_int_equal(memmap_ram_top(r, 1), MEMMAP_PHYS_LIMIT);
}

static void test_memmap_drops_base_past_52_bits(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, MEMMAP_PHYS_LIMIT, 16),
		md(EFI_RESERVED, 0xfffffffffffff000ULL, 1),
		md(EFI_CONVENTIONAL, 0x1000, 1),
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 3, r, &st), 1);
	expect_region(&r[0], 0x1000, PG, MEM_FREE, EFI_CONVENTIONAL);
	assert_int_equal(st.dropped, 2);
}

static void test_memmap_huge_npages_does_not_overflow(void **state)
{
	/* npages * 4096 wraps 2^64: must clip at the limit, not wrap to a small end. */
	struct bi_memdesc d[] = {
		md(EFI_RESERVED, 0x100000, 0xffffffffffffffffULL),
		md(EFI_CONVENTIONAL, 0x0, 0x10),
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 2, r, &st), 2);
	expect_region(&r[1], 0x100000, MEMMAP_PHYS_LIMIT - 0x100000, MEM_RESERVED, EFI_RESERVED);
	assert_int_equal(st.clipped, 1);
}

static void test_memmap_unaligned_free_shrinks_and_reserved_grows(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, 0x100800, 4), /* 0x100800..0x104800 */
		md(EFI_RESERVED, 0x200800, 1),	   /* 0x200800..0x201800 */
		md(LB_MEMTYPE_POOL, 0x300010, 1),  /* no whole page inside */
	};
	struct mem_region r[MAXR];
	struct memmap_stats st;
	(void)state;

	assert_int_equal(norm(d, 3, r, &st), 2);
	expect_region(&r[0], 0x101000, 3 * PG, MEM_FREE, EFI_CONVENTIONAL);
	expect_region(&r[1], 0x200000, 2 * PG, MEM_RESERVED, EFI_RESERVED);
	assert_int_equal(st.clipped, 2);
	assert_int_equal(st.dropped, 1);
}

static void test_memmap_enospc_reports_needed_count(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, 0x0, 1), md(EFI_RESERVED, 0x1000, 1),
		md(EFI_CONVENTIONAL, 0x2000, 1), md(EFI_RESERVED, 0x3000, 1),
	};
	struct mem_region r[4];
	size_t nout = 0;
	(void)state;

	assert_int_equal(memmap_normalize(d, 4, r, 3, &nout, NULL), -ENOSPC);
	assert_int_equal(nout, 4);
	expect_region(&r[2], 0x2000, PG, MEM_FREE, EFI_CONVENTIONAL);

	assert_int_equal(memmap_normalize(d, 4, NULL, 0, &nout, NULL), -ENOSPC);
	assert_int_equal(nout, 4);

	assert_int_equal(memmap_normalize(d, 4, r, 4, &nout, NULL), 0);
	assert_int_equal(nout, 4);
}

static void test_memmap_rejects_too_many_descriptors(void **state)
{
	static struct bi_memdesc d[MEMMAP_MAX_DESC + 1];
	static struct mem_region r[MEMMAP_MAX_DESC];
	size_t nout = 0;
	(void)state;

	/* Alternating types so nothing merges: the worst case for the sweep. */
	for (size_t i = 0; i <= MEMMAP_MAX_DESC; i++)
		d[i] = md(i % 2 ? EFI_RESERVED : EFI_CONVENTIONAL, i * PG, 1);
	assert_int_equal(memmap_normalize(d, MEMMAP_MAX_DESC + 1, r, MEMMAP_MAX_DESC,
					  &nout, NULL), -E2BIG);
	assert_int_equal(memmap_normalize(d, MEMMAP_MAX_DESC, r, MEMMAP_MAX_DESC,
					  &nout, NULL), 0);
	assert_int_equal(nout, MEMMAP_MAX_DESC);
	expect_well_formed(r, nout);
}

static void test_memmap_rejects_null_arguments(void **state)
{
	struct bi_memdesc d[] = { md(EFI_CONVENTIONAL, 0, 1) };
	struct mem_region r[1];
	size_t nout;
	(void)state;

	assert_int_equal(memmap_normalize(NULL, 1, r, 1, &nout, NULL), -EINVAL);
	assert_int_equal(memmap_normalize(d, 1, NULL, 1, &nout, NULL), -EINVAL);
	assert_int_equal(memmap_normalize(d, 1, r, 1, NULL, NULL), -EINVAL);
}

/*
 * The shape of an OVMF q35 map with 4 GiB of RAM (2 GiB below 4 GiB, the
 * rest above), after the longbus loader made its allocations.
 */
static const struct bi_memdesc ovmf_q35[] = {
	{ EFI_BOOT_SERVICES_CODE, 0, 0x0, 0x1, ATTR_WB },
	{ EFI_CONVENTIONAL, 0, 0x1000, 0x7, ATTR_WB },
	{ LB_MEMTYPE_LOWMEM, 0, 0x8000, 0x1, ATTR_WB },
	{ EFI_CONVENTIONAL, 0, 0x9000, 0x96, ATTR_WB },		/* ..0x9f000; EBDA hole follows */
	{ EFI_RESERVED, 0, 0xa0000, 0x60, ATTR_WB },		/* legacy VGA + option ROMs */
	{ EFI_CONVENTIONAL, 0, 0x100000, 0x700, ATTR_WB },
	{ EFI_ACPI_NVS, 0, 0x800000, 0x8, ATTR_WB },
	{ EFI_CONVENTIONAL, 0, 0x808000, 0x3, ATTR_WB },
	{ EFI_ACPI_NVS, 0, 0x80b000, 0x1, ATTR_WB },
	{ EFI_CONVENTIONAL, 0, 0x80c000, 0x5, ATTR_WB },
	{ EFI_ACPI_NVS, 0, 0x811000, 0xef, ATTR_WB },
	{ EFI_BOOT_SERVICES_DATA, 0, 0x900000, 0x700, ATTR_WB },
	{ EFI_CONVENTIONAL, 0, 0x1000000, 0xf000, ATTR_WB },
	{ LB_MEMTYPE_POOL, 0, 0x10000000, 0x4000, ATTR_WB },	/* 64 MiB */
	{ LB_MEMTYPE_CORE, 0, 0x14000000, 0x200, ATTR_WB },
	{ LB_MEMTYPE_FILE, 0, 0x14200000, 0x1000, ATTR_WB },
	{ LB_MEMTYPE_BOOT, 0, 0x15200000, 0x10, ATTR_WB },
	{ EFI_CONVENTIONAL, 0, 0x15210000, 0x2adf0, ATTR_WB },	/* ..0x40000000 */
	{ LB_MEMTYPE_GUEST, 0, 0x40000000, 0x20000, ATTR_WB },	/* 512 MiB */
	{ EFI_CONVENTIONAL, 0, 0x60000000, 0x1e000, ATTR_WB },	/* ..0x7e000000 */
	{ EFI_LOADER_CODE, 0, 0x7e000000, 0x100, ATTR_WB },
	{ EFI_BOOT_SERVICES_DATA, 0, 0x7e100000, 0xf00, ATTR_WB },
	{ EFI_RUNTIME_SERVICES_DATA, 0, 0x7f000000, 0x100, ATTR_RT_WB },
	{ EFI_RUNTIME_SERVICES_CODE, 0, 0x7f100000, 0x100, ATTR_RT_WB },
	{ EFI_ACPI_RECLAIM, 0, 0x7f200000, 0x10, ATTR_WB },
	{ EFI_BOOT_SERVICES_CODE, 0, 0x7f210000, 0x5f0, ATTR_WB },
	{ EFI_RESERVED, 0, 0x7f800000, 0x400, ATTR_WB },
	{ EFI_ACPI_NVS, 0, 0x7fc00000, 0x400, ATTR_WB },	/* ..0x80000000 */
	{ EFI_MMIO, 0, 0xb0000000, 0x10000, ATTR_RT_UC },	/* PCIe ECAM */
	{ EFI_RESERVED, 0, 0xfeffc000, 0x4, ATTR_WB },
	{ EFI_MMIO, 0, 0xffc00000, 0x400, ATTR_RT_UC },		/* flash */
	{ EFI_CONVENTIONAL, 0, 0x100000000, 0x80000, ATTR_WB }, /* 2 GiB above 4 GiB */
};

static void test_memmap_ovmf_q35_map(void **state)
{
	enum { N = sizeof(ovmf_q35) / sizeof(ovmf_q35[0]) };
	struct mem_region r[MAXR];
	struct memmap_stats st;
	u64 all = 0, described = 0;
	size_t n;
	(void)state;

	n = norm(ovmf_q35, N, r, &st);
	assert_int_equal(n, N); /* sorted already and no neighbours alike */
	expect_well_formed(r, n);
	assert_int_equal(st.ndesc, N);
	assert_int_equal(st.dropped + st.clipped + st.unknown + st.overlaps + st.conflicts, 0);

	assert_int_equal(memmap_class_bytes(r, n, MEM_HV_POOL), 64 * MIB);
	assert_int_equal(memmap_class_bytes(r, n, MEM_GUEST), 512 * MIB);
	assert_int_equal(memmap_class_bytes(r, n, MEM_HV_CORE), 2 * MIB);
	assert_int_equal(memmap_class_bytes(r, n, MEM_FILE), 16 * MIB);
	assert_int_equal(memmap_class_bytes(r, n, MEM_BOOT), PG + 0x10 * PG + 1 * MIB);
	assert_int_equal(memmap_class_bytes(r, n, MEM_FW_RUNTIME), 2 * MIB);
	assert_int_equal(memmap_class_bytes(r, n, MEM_ACPI), (0x8 + 0x1 + 0xef + 0x10 + 0x400) * PG);
	assert_int_equal(memmap_class_bytes(r, n, MEM_MMIO), 256 * MIB + 4 * MIB);
	assert_int_equal(memmap_class_bytes(r, n, MEM_RESERVED), 0x60 * PG + 4 * MIB + 4 * PG);
	for (size_t i = 0; i < N; i++)
		all += ovmf_q35[i].npages * PG;
	for (int c = 0; c < MEM_CLASS_COUNT; c++)
		described += memmap_class_bytes(r, n, (enum mem_class)c);
	assert_int_equal(described, all);

	/* The direct map must reach the top of high RAM, not the flash at 4 GiB - 4 MiB. */
	assert_int_equal(memmap_ram_top(r, n), 0x180000000ULL);

	assert_int_equal(memmap_class_at(r, n, 0x0), MEM_FREE);
	assert_int_equal(memmap_class_at(r, n, 0x8000), MEM_BOOT);
	assert_int_equal(memmap_class_at(r, n, 0x9f000), MEM_RESERVED); /* hole */
	assert_null(memmap_find(r, n, 0x9f000));
	assert_int_equal(memmap_class_at(r, n, 0xb8000), MEM_RESERVED);
	assert_int_equal(memmap_class_at(r, n, 0x80b000), MEM_ACPI);
	assert_int_equal(memmap_class_at(r, n, 0x13ffffff), MEM_HV_POOL);
	assert_int_equal(memmap_class_at(r, n, 0x14000000), MEM_HV_CORE);
	assert_int_equal(memmap_class_at(r, n, 0x7f0fffff), MEM_FW_RUNTIME);
	assert_int_equal(memmap_class_at(r, n, 0x80000000), MEM_RESERVED); /* hole */
	assert_int_equal(memmap_class_at(r, n, 0xb0000000), MEM_MMIO);
	assert_int_equal(memmap_find(r, n, 0xffc00000)->attr, ATTR_RT_UC);
	assert_int_equal(memmap_class_at(r, n, 0x17fffffffULL), MEM_FREE);
	assert_int_equal(memmap_class_at(r, n, 0x180000000ULL), MEM_RESERVED);
}

static void test_memmap_ram_top_ignores_mmio_and_reserved(void **state)
{
	struct bi_memdesc d[] = {
		md(EFI_CONVENTIONAL, 0x0, 0x100),
		md(EFI_ACPI_NVS, 0x100000, 0x10),
		md(EFI_RESERVED, 0x200000, 0x10),
		mda(EFI_MMIO, 0xfec00000, 1, BI_MEMORY_UC),
		md(EFI_PERSISTENT, 0x300000, 0x10),
	};
	struct mem_region r[MAXR];
	size_t n;
	(void)state;

	n = norm(d, 5, r, NULL);
	assert_int_equal(memmap_ram_top(r, n), 0x110000);
	for (int c = 0; c < MEM_CLASS_COUNT; c++)
		assert_int_equal(memmap_class_is_ram((enum mem_class)c),
				 c != MEM_MMIO && c != MEM_RESERVED);
	assert_false(memmap_class_is_ram(MEM_CLASS_COUNT));
}

static void test_memmap_find_checks_region_edges(void **state)
{
	struct bi_memdesc d[100];
	struct mem_region r[MAXR];
	size_t n;
	(void)state;

	/* Two pages every four: regions with holes between them. */
	for (size_t i = 0; i < 100; i++)
		d[i] = md(i % 3 ? EFI_CONVENTIONAL : EFI_ACPI_NVS, 0x1000000 + i * 4 * PG, 2);
	n = norm(d, 100, r, NULL);
	assert_int_equal(n, 100);
	for (size_t i = 0; i < 100; i++) {
		u64 base = 0x1000000 + i * 4 * PG;

		assert_ptr_equal(memmap_find(r, n, base), &r[i]);
		assert_ptr_equal(memmap_find(r, n, base + 2 * PG - 1), &r[i]);
		assert_null(memmap_find(r, n, base + 2 * PG));
		assert_null(memmap_find(r, n, base - 1));
	}
	assert_null(memmap_find(r, n, 0));
	assert_null(memmap_find(r, n, ~0ULL));
}

static void test_memmap_class_names_are_distinct(void **state)
{
	(void)state;

	for (int a = 0; a < MEM_CLASS_COUNT; a++) {
		const char *na = memmap_class_name((enum mem_class)a);

		assert_non_null(na);
		assert_string_not_equal(na, "invalid");
		for (int b = 0; b < a; b++)
			assert_string_not_equal(na, memmap_class_name((enum mem_class)b));
	}
	assert_string_equal(memmap_class_name(MEM_HV_POOL), "hv-pool");
	assert_string_equal(memmap_class_name(MEM_CLASS_COUNT), "invalid");
	assert_string_equal(memmap_class_name((enum mem_class)-1), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memmap_classifies_every_uefi_type),
		cmocka_unit_test(test_memmap_unknown_types_are_reserved),
		cmocka_unit_test(test_memmap_sorts_unsorted_input),
		cmocka_unit_test(test_memmap_merges_adjacent_same_type),
		cmocka_unit_test(test_memmap_keeps_adjacent_different_types_apart),
		cmocka_unit_test(test_memmap_keeps_adjacent_different_attrs_apart),
		cmocka_unit_test(test_memmap_does_not_merge_across_hole),
		cmocka_unit_test(test_memmap_drops_zero_size_entries),
		cmocka_unit_test(test_memmap_empty_input_gives_empty_map),
		cmocka_unit_test(test_memmap_overlap_reserved_beats_free),
		cmocka_unit_test(test_memmap_overlap_reserved_inside_free_splits_it),
		cmocka_unit_test(test_memmap_overlap_pool_vs_acpi_goes_to_acpi),
		cmocka_unit_test(test_memmap_overlap_pool_vs_free_becomes_reserved),
		cmocka_unit_test(test_memmap_overlap_identical_pool_stays_pool),
		cmocka_unit_test(test_memmap_overlap_acpi_nvs_beats_reclaim),
		cmocka_unit_test(test_memmap_overlap_mmio_beats_runtime),
		cmocka_unit_test(test_memmap_overlap_same_type_combines_attributes),
		cmocka_unit_test(test_memmap_overlap_result_is_order_independent),
		cmocka_unit_test(test_memmap_overlap_never_makes_memory_free_or_pool),
		cmocka_unit_test(test_memmap_clips_end_past_52_bits),
		cmocka_unit_test(test_memmap_drops_base_past_52_bits),
		cmocka_unit_test(test_memmap_huge_npages_does_not_overflow),
		cmocka_unit_test(test_memmap_unaligned_free_shrinks_and_reserved_grows),
		cmocka_unit_test(test_memmap_enospc_reports_needed_count),
		cmocka_unit_test(test_memmap_rejects_too_many_descriptors),
		cmocka_unit_test(test_memmap_rejects_null_arguments),
		cmocka_unit_test(test_memmap_ovmf_q35_map),
		cmocka_unit_test(test_memmap_ram_top_ignores_mmio_and_reserved),
		cmocka_unit_test(test_memmap_find_checks_region_edges),
		cmocka_unit_test(test_memmap_class_names_are_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
