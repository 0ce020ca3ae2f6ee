// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for kernel/palloc.c, the physical page allocator.
 *
 * Physical memory is a fake: pages are malloc'd on first touch and filled
 * with 0xa5, so unzeroed pages and uncleared bitmaps show. The fake's
 * phys_to_virt counts every call for a page outside MEM_HV_POOL as stray;
 * each test ends with fake_done(), which fails on any stray touch.
 *
 * Build: gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined
 *        -I. tests/unit/test_palloc.c kernel/palloc.c kernel/memmap.c -lcmocka
 */
#include "kernel/palloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"

#define PG 4096ULL
#define FAKE_PFNS (1u << 18) /* 1 GiB of fake physical address space */
#define GARBAGE 0xa5

static struct fake_mem {
	u8 *pages[FAKE_PFNS];
	u8 *scratch;
	const struct mem_region *map;
	size_t nmap;
	u64 scratch_from; /* pfns >= this share the scratch page (0: off) */
	u64 null_pfn;	  /* phys_to_virt fails for this pfn (0: off) */
	unsigned long stray;
} fm;

static u8 *fake_page(u64 pfn)
{
	assert_true(pfn < FAKE_PFNS);
	if (!fm.pages[pfn]) {
		fm.pages[pfn] = malloc(PG);
		assert_non_null(fm.pages[pfn]);
		memset(fm.pages[pfn], GARBAGE, PG);
	}
	return fm.pages[pfn];
}

static void *fake_p2v(void *ctx, paddr_t pa)
{
	u64 pfn = pa / PG;

	assert_ptr_equal(ctx, &fm);
	if (pa % PG || pfn >= FAKE_PFNS ||
	    memmap_class_at(fm.map, fm.nmap, pa) != MEM_HV_POOL) {
		fm.stray++;
		return fm.scratch; /* keep going so the test reports, not crashes */
	}
	if (fm.null_pfn && pfn == fm.null_pfn)
		return NULL;
	if (fm.scratch_from && pfn >= fm.scratch_from)
		return fm.scratch;
	return fake_page(pfn);
}

static const struct palloc_ops fake_ops = { .phys_to_virt = fake_p2v, .ctx = &fm };

static void fake_setup(const struct mem_region *map, size_t n)
{
	fm.map = map;
	fm.nmap = n;
	fm.scratch_from = 0;
	fm.null_pfn = 0;
	fm.stray = 0;
	fm.scratch = malloc(PG);
	assert_non_null(fm.scratch);
}

static void fake_done(void)
{
	assert_int_equal(fm.stray, 0);
	for (size_t i = 0; i < FAKE_PFNS; i++) {
		free(fm.pages[i]);
		fm.pages[i] = NULL;
	}
	free(fm.scratch);
	fm.scratch = NULL;
}

static bool page_is_zero(paddr_t pa)
{
	static const u8 zero[PG];

	return memcmp(fake_page(pa / PG), zero, PG) == 0;
}

static struct mem_region reg(u64 base, u64 size, enum mem_class cls)
{
	static const u32 type_of[MEM_CLASS_COUNT] = {
		[MEM_FREE] = EFI_CONVENTIONAL,	  [MEM_HV_CORE] = LB_MEMTYPE_CORE,
		[MEM_HV_POOL] = LB_MEMTYPE_POOL,  [MEM_GUEST] = LB_MEMTYPE_GUEST,
		[MEM_FILE] = LB_MEMTYPE_FILE,	  [MEM_BOOT] = LB_MEMTYPE_BOOT,
		[MEM_FW_RUNTIME] = EFI_RUNTIME_SERVICES_DATA,
		[MEM_ACPI] = EFI_ACPI_NVS,	  [MEM_MMIO] = EFI_MMIO,
		[MEM_RESERVED] = EFI_RESERVED,
	};

	return (struct mem_region){ .base = base, .size = size, .cls = cls,
				    .efi_type = type_of[cls], .attr = 0xf };
}

static void expect_stats(const struct palloc *pa, u64 total, u64 nfree)
{
	u64 t = 0, f = 0;

	palloc_stats(pa, &t, &f);
	assert_int_equal(t, total);
	assert_int_equal(f, nfree);
}

/* Allocates single pages until -ENOMEM; checks each is a usable pool page. */
static u64 drain_single_pages(struct palloc *pa, const struct mem_region *map, size_t n)
{
	u64 count = 0;
	paddr_t p;
	int err;

	while ((err = palloc_alloc(pa, 1, 1, &p)) == 0) {
		assert_int_equal(memmap_class_at(map, n, p), MEM_HV_POOL);
		assert_true(palloc_owns(pa, p));
		count++;
	}
	assert_int_equal(err, -ENOMEM);
	return count;
}

static void test_palloc_init_counts_pool_pages_exactly(void **state)
{
	const struct mem_region map[] = {
		reg(0x0, 0x9f000, MEM_FREE),
		reg(0x100000, 100 * PG, MEM_HV_POOL),
		reg(0x200000, 50 * PG, MEM_HV_POOL),
	};
	struct palloc pa;
	(void)state;

	fake_setup(map, 3);
	assert_int_equal(palloc_init(&pa, map, 3, &fake_ops), 0);
	/* One bitmap page each. */
	expect_stats(&pa, 99 + 49, 99 + 49);
	assert_int_equal(pa.nregions, 2);
	assert_false(palloc_owns(&pa, 0x100000)); /* bitmap page */
	assert_true(palloc_owns(&pa, 0x101000));
	assert_false(palloc_owns(&pa, 0x100000 + 100 * PG));
	fake_done();
}

static void test_palloc_never_returns_acpi_memory(void **state)
{
	const struct mem_region map[] = {
		reg(0x7000, 4 * PG, MEM_ACPI),
		reg(0xb000, 9 * PG, MEM_HV_POOL),
		reg(0x14000, 4 * PG, MEM_ACPI),
	};
	struct palloc pa;
	(void)state;

	fake_setup(map, 3);
	assert_int_equal(palloc_init(&pa, map, 3, &fake_ops), 0);
	assert_int_equal(drain_single_pages(&pa, map, 3), 8);
	expect_stats(&pa, 8, 0);
	fake_done();
}

static void test_palloc_hands_out_only_pool_class(void **state)
{
	(void)state;

	for (int c = 0; c < MEM_CLASS_COUNT; c++) {
		enum mem_class cls = (enum mem_class)c;
		const struct mem_region map[] = {
			reg(0x100000, 16 * PG, cls),
			reg(0x110000, 5 * PG, MEM_HV_POOL),
			reg(0x115000, 16 * PG, cls),
			reg(0x800000, 256 * PG, cls),
		};
		struct palloc pa;

		if (cls == MEM_HV_POOL)
			continue;
		fake_setup(map, 4);
		assert_int_equal(palloc_init(&pa, map, 4, &fake_ops), 0);
		assert_int_equal(drain_single_pages(&pa, map, 4), 4);
		fake_done();
	}
}

static void test_palloc_init_without_pool_fails_enomem(void **state)
{
	const struct mem_region map[] = {
		reg(0x0, 0x9f000, MEM_FREE),
		reg(0x100000, 0x100000, MEM_GUEST),
	};
	struct palloc pa;
	(void)state;

	fake_setup(map, 2);
	assert_int_equal(palloc_init(&pa, map, 2, &fake_ops), -ENOMEM);
	assert_int_equal(palloc_init(&pa, NULL, 0, &fake_ops), -ENOMEM);
	fake_done();
}

static void test_palloc_init_rejects_bad_input(void **state)
{
	const struct mem_region overlap[] = {
		reg(0x100000, 16 * PG, MEM_HV_POOL),
		reg(0x10f000, 2 * PG, MEM_ACPI), /* unnormalized: overlaps the pool */
	};
	const struct mem_region pools[] = {
		reg(0x100000, 16 * PG, MEM_HV_POOL),
		reg(0x108000, 16 * PG, MEM_HV_POOL),
	};
	const struct mem_region wrap[] = {
		reg(0xfffffffffff00000ULL, 0x200000, MEM_HV_POOL),
	};
	const struct palloc_ops no_fn = { .phys_to_virt = NULL };
	struct palloc pa;
	(void)state;

	fake_setup(overlap, 2);
	assert_int_equal(palloc_init(&pa, overlap, 2, &fake_ops), -EINVAL);
	assert_int_equal(palloc_init(&pa, pools, 2, &fake_ops), -EINVAL);
	assert_int_equal(palloc_init(&pa, wrap, 1, &fake_ops), -EINVAL);
	assert_int_equal(palloc_init(&pa, overlap, 2, NULL), -EINVAL);
	assert_int_equal(palloc_init(&pa, overlap, 2, &no_fn), -EINVAL);
	assert_int_equal(palloc_init(&pa, NULL, 2, &fake_ops), -EINVAL);
	assert_int_equal(palloc_init(NULL, overlap, 2, &fake_ops), -EINVAL);
	fake_done();
}

static void test_palloc_honours_alignment(void **state)
{
	/* The pool starts on an odd frame, so index 0 is never aligned. */
	const struct mem_region map[] = { reg(0x203000, 2000 * PG, MEM_HV_POOL) };
	struct palloc pa;
	(void)state;

	fake_setup(map, 1);
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	for (size_t align = 1; align <= 512; align *= 2) {
		paddr_t p, q;

		assert_int_equal(palloc_alloc(&pa, 1, 1, &p), 0); /* break any lucky alignment */
		assert_int_equal(palloc_alloc(&pa, 3, align, &q), 0);
		assert_int_equal((q / PG) % align, 0);
		assert_int_equal(memmap_class_at(map, 1, q + 3 * PG - 1), MEM_HV_POOL);
	}
	fake_done();
}

static void test_palloc_alignment_beyond_pool_fails_enomem(void **state)
{
	/* 0x201000..0x301000: no 1 MiB-aligned frame with room for 2 pages. */
	const struct mem_region map[] = { reg(0x201000, 256 * PG, MEM_HV_POOL) };
	struct palloc pa;
	paddr_t p;
	(void)state;

	fake_setup(map, 1);
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	assert_int_equal(palloc_alloc(&pa, 2, 256, &p), -ENOMEM);
	assert_int_equal(palloc_alloc(&pa, 1, (size_t)1 << 62, &p), -ENOMEM);
	assert_int_equal(palloc_alloc(&pa, 1, 256, &p), 0);
	assert_int_equal(p, 0x300000);
	expect_stats(&pa, 255, 254);
	fake_done();
}

static void test_palloc_rejects_bad_arguments(void **state)
{
	const struct mem_region map[] = { reg(0x200000, 16 * PG, MEM_HV_POOL) };
	struct palloc pa;
	paddr_t p;
	(void)state;

	fake_setup(map, 1);
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	assert_int_equal(palloc_alloc(&pa, 0, 1, &p), -EINVAL);
	assert_int_equal(palloc_alloc(&pa, 1, 0, &p), -EINVAL);
	assert_int_equal(palloc_alloc(&pa, 1, 3, &p), -EINVAL);
	assert_int_equal(palloc_alloc(&pa, 1, 12, &p), -EINVAL);
	assert_int_equal(palloc_alloc(&pa, 1, 1, NULL), -EINVAL);
	assert_int_equal(palloc_alloc(&pa, (size_t)-1, 1, &p), -ENOMEM);
	expect_stats(&pa, 15, 15);
	fake_done();
}

static void test_palloc_enomem_when_exhausted_then_succeeds_after_free(void **state)
{
	const struct mem_region map[] = { reg(0x200000, 17 * PG, MEM_HV_POOL) };
	struct palloc pa;
	paddr_t a, b, c;
	(void)state;

	fake_setup(map, 1);
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	assert_int_equal(palloc_alloc(&pa, 8, 1, &a), 0);
	assert_int_equal(palloc_alloc(&pa, 8, 1, &b), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 1, &c), -ENOMEM);
	expect_stats(&pa, 16, 0);
	assert_int_equal(palloc_free(&pa, a + 2 * PG, 3), 0);
	assert_int_equal(palloc_alloc(&pa, 4, 1, &c), -ENOMEM); /* 3 free, not 4 */
	assert_int_equal(palloc_alloc(&pa, 3, 1, &c), 0);
	assert_int_equal(c, a + 2 * PG);
	expect_stats(&pa, 16, 0);
	fake_done();
}

static void test_palloc_uses_multiple_pool_regions(void **state)
{
	const struct mem_region map[] = {
		reg(0x100000, 10 * PG, MEM_HV_POOL),
		reg(0x10a000, 6 * PG, MEM_RESERVED),
		reg(0x400000, 20 * PG, MEM_HV_POOL),
	};
	struct palloc pa;
	paddr_t p;
	(void)state;

	fake_setup(map, 3);
	assert_int_equal(palloc_init(&pa, map, 3, &fake_ops), 0);
	expect_stats(&pa, 9 + 19, 9 + 19);
	assert_int_equal(palloc_alloc(&pa, 15, 1, &p), 0); /* only the second fits */
	assert_int_equal(p, 0x401000);
	assert_int_equal(palloc_alloc(&pa, 9, 1, &p), 0);
	assert_int_equal(p, 0x101000);
	assert_int_equal(palloc_alloc(&pa, 4, 1, &p), 0);
	assert_int_equal(p, 0x410000);
	assert_int_equal(palloc_alloc(&pa, 1, 1, &p), -ENOMEM);
	expect_stats(&pa, 28, 0);
	fake_done();
}

static void test_palloc_run_never_spans_two_regions(void **state)
{
	/* Adjacent pool regions with different attributes stay separate. */
	struct mem_region map[] = {
		reg(0x100000, 5 * PG, MEM_HV_POOL),
		reg(0x105000, 5 * PG, MEM_HV_POOL),
	};
	struct palloc pa;
	paddr_t p;
	(void)state;

	map[1].attr = 0x1;
	fake_setup(map, 2);
	assert_int_equal(palloc_init(&pa, map, 2, &fake_ops), 0);
	expect_stats(&pa, 8, 8);
	assert_int_equal(palloc_alloc(&pa, 5, 1, &p), -ENOMEM);
	assert_int_equal(palloc_alloc(&pa, 4, 1, &p), 0);
	assert_int_equal(palloc_alloc(&pa, 4, 1, &p), 0);
	expect_stats(&pa, 8, 0);
	fake_done();
}

static void test_palloc_skips_region_too_small_for_its_bitmap(void **state)
{
	const struct mem_region map[] = {
		reg(0x100000, PG, MEM_HV_POOL),	      /* the bitmap would fill it */
		reg(0x102000, 2048, MEM_HV_POOL),     /* not even one page */
		reg(0x104800, PG, MEM_HV_POOL),	      /* one page long, no whole page */
		reg(0x200000, 3 * PG, MEM_HV_POOL),
	};
	struct palloc pa;
	paddr_t p;
	(void)state;

	fake_setup(map, 4);
	assert_int_equal(palloc_init(&pa, map, 4, &fake_ops), 0);
	assert_int_equal(pa.regions_small, 3);
	assert_int_equal(pa.nregions, 1);
	expect_stats(&pa, 2, 2);
	/* The small regions were never touched, not even for a bitmap. */
	assert_null(fm.pages[0x100]);
	assert_null(fm.pages[0x102]);
	assert_null(fm.pages[0x104]);
	assert_int_equal(palloc_free(&pa, 0x100000, 1), -EINVAL);
	assert_int_equal(palloc_alloc(&pa, 2, 1, &p), 0);
	assert_int_equal(p, 0x201000);
	fake_done();
}

static void test_palloc_only_tiny_pool_regions_fail_enomem(void **state)
{
	const struct mem_region map[] = {
		reg(0x100000, PG, MEM_HV_POOL),
		reg(0x200000, PG, MEM_HV_POOL),
	};
	struct palloc pa;
	(void)state;

	fake_setup(map, 2);
	assert_int_equal(palloc_init(&pa, map, 2, &fake_ops), -ENOMEM);
	assert_int_equal(pa.regions_small, 2);
	fake_done();
}

static void test_palloc_ignores_regions_beyond_max(void **state)
{
	struct mem_region map[PALLOC_MAX_REGIONS + 1];
	struct palloc pa;
	(void)state;

	for (size_t i = 0; i <= PALLOC_MAX_REGIONS; i++)
		map[i] = reg(0x100000 + i * 4 * PG, 2 * PG, MEM_HV_POOL);
	fake_setup(map, PALLOC_MAX_REGIONS + 1);
	assert_int_equal(palloc_init(&pa, map, PALLOC_MAX_REGIONS + 1, &fake_ops), 0);
	assert_int_equal(pa.nregions, PALLOC_MAX_REGIONS);
	assert_int_equal(pa.regions_ignored, 1);
	expect_stats(&pa, PALLOC_MAX_REGIONS, PALLOC_MAX_REGIONS);
	assert_false(palloc_owns(&pa, map[PALLOC_MAX_REGIONS].base + PG));
	fake_done();
}

/*
 * 70000 pages need a 3-page bitmap. Data pages share one scratch page so
 * the test does not allocate 270 MiB; the bitmap pages are real.
 */
static void test_palloc_bitmap_spans_several_pages(void **state)
{
	const u64 base = 0x1000000, npages = 70000, meta = 3;
	const struct mem_region map[] = { reg(base, npages * PG, MEM_HV_POOL) };
	u64 usable = npages - meta;
	struct palloc pa;
	paddr_t a, b, c, d;
	u64 *bm;
	(void)state;

	fake_setup(map, 1);
	fm.scratch_from = base / PG + meta;
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	expect_stats(&pa, usable, usable);
	assert_int_equal(palloc_alloc(&pa, 1, 1, &a), 0);
	assert_int_equal(a, base + meta * PG);
	assert_int_equal(palloc_alloc(&pa, 32760, 1, &b), 0);
	/* Pages 32764..32783: bits in the first and second bitmap page. */
	assert_int_equal(palloc_alloc(&pa, 20, 1, &c), 0);
	assert_int_equal(c, base + 32764 * PG);
	assert_int_equal(palloc_free(&pa, base + PG, 1), -EINVAL); /* bitmap page */
	assert_int_equal(palloc_free(&pa, c, 20), 0);
	/* Does not fit after the hint; the wrap-around search finds it. */
	assert_int_equal(palloc_alloc(&pa, npages - 32764, 1, &d), 0);
	assert_int_equal(d, c);
	expect_stats(&pa, usable, 0);
	assert_int_equal(palloc_alloc(&pa, 1, 1, &d), -ENOMEM);

	/* Every bit up to npages set, everything after clear despite the 0xa5 start. */
	for (u64 bit = 0; bit < 3 * 32768; bit++) {
		bm = (u64 *)fake_page(base / PG + bit / 32768);
		assert_int_equal((bm[(bit % 32768) / 64] >> (bit % 64)) & 1, bit < npages);
	}

	assert_int_equal(palloc_free(&pa, a, 1), 0);
	assert_int_equal(palloc_free(&pa, b, 32760), 0);
	assert_int_equal(palloc_free(&pa, c, npages - 32764), 0);
	expect_stats(&pa, usable, usable);
	assert_int_equal(palloc_alloc(&pa, usable, 1, &d), 0);
	assert_int_equal(d, base + meta * PG);
	fake_done();
}

static void test_palloc_next_fit_continues_after_last_allocation(void **state)
{
	const struct mem_region map[] = { reg(0x200000, 8 * PG, MEM_HV_POOL) };
	struct palloc pa;
	paddr_t p1, p2, p3, p4;
	(void)state;

	fake_setup(map, 1);
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 1, &p1), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 1, &p2), 0);
	assert_int_equal(p2, p1 + PG);
	assert_int_equal(palloc_free(&pa, p1, 1), 0);
	/* A just-freed page is not reused at once, so use-after-free shows later. */
	assert_int_equal(palloc_alloc(&pa, 1, 1, &p3), 0);
	assert_int_equal(p3, p2 + PG);
	/* At the end of the region the search wraps to the front. */
	assert_int_equal(palloc_alloc(&pa, 4, 1, &p4), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 1, &p4), 0);
	assert_int_equal(p4, p1);
	expect_stats(&pa, 7, 0);
	fake_done();
}

static void test_palloc_detects_double_free(void **state)
{
	const struct mem_region map[] = { reg(0x200000, 16 * PG, MEM_HV_POOL) };
	struct palloc pa;
	paddr_t p, q;
	(void)state;

	fake_setup(map, 1);
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	assert_int_equal(palloc_alloc(&pa, 4, 1, &p), 0);
	assert_int_equal(palloc_free(&pa, p, 4), 0);
	assert_int_equal(palloc_free(&pa, p, 4), -EINVAL);
	expect_stats(&pa, 15, 15);

	/* Partly free: the whole call fails and the still-used pages stay used. */
	assert_int_equal(palloc_alloc(&pa, 4, 1, &p), 0);
	assert_int_equal(palloc_free(&pa, p + PG, 2), 0);
	assert_int_equal(palloc_free(&pa, p, 4), -EINVAL);
	expect_stats(&pa, 15, 13);
	assert_int_equal(palloc_free(&pa, p, 1), 0);
	assert_int_equal(palloc_free(&pa, p + 3 * PG, 1), 0);
	assert_int_equal(palloc_free(&pa, p + 3 * PG, 1), -EINVAL);
	expect_stats(&pa, 15, 15);
	assert_int_equal(palloc_alloc(&pa, 15, 1, &q), 0);
	fake_done();
}

static void test_palloc_rejects_free_of_non_pool_memory(void **state)
{
	const struct mem_region map[] = {
		reg(0x100000, 16 * PG, MEM_ACPI),
		reg(0x200000, 16 * PG, MEM_HV_POOL),
		reg(0x210000, 16 * PG, MEM_FREE),
	};
	struct palloc pa;
	paddr_t p;
	(void)state;

	fake_setup(map, 3);
	assert_int_equal(palloc_init(&pa, map, 3, &fake_ops), 0);
	assert_int_equal(palloc_alloc(&pa, 15, 1, &p), 0);
	assert_int_equal(palloc_free(&pa, 0x100000, 1), -EINVAL);	/* ACPI */
	assert_int_equal(palloc_free(&pa, 0x210000, 1), -EINVAL);	/* free RAM */
	assert_int_equal(palloc_free(&pa, 0x0, 1), -EINVAL);
	assert_int_equal(palloc_free(&pa, ~0ULL & ~(PG - 1), 1), -EINVAL);
	assert_int_equal(palloc_free(&pa, 0x200000, 1), -EINVAL);	/* the bitmap */
	assert_int_equal(palloc_free(&pa, 0x200000, 16), -EINVAL);
	assert_int_equal(palloc_free(&pa, 0x201800, 1), -EINVAL);	/* unaligned */
	assert_int_equal(palloc_free(&pa, 0x20f000, 2), -EINVAL);	/* runs off the end */
	assert_int_equal(palloc_free(&pa, 0x201000, (size_t)-1), -EINVAL);
	assert_int_equal(palloc_free(&pa, 0x201000, 0), -EINVAL);
	expect_stats(&pa, 15, 0);
	assert_int_equal(palloc_free(&pa, p, 15), 0);
	expect_stats(&pa, 15, 15);
	fake_done();
}

static void test_palloc_zeroes_pages_it_hands_out(void **state)
{
	const struct mem_region map[] = { reg(0x200000, 4 * PG, MEM_HV_POOL) };
	struct palloc pa;
	paddr_t p, q;
	(void)state;

	fake_setup(map, 1);
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	assert_int_equal(palloc_alloc(&pa, 3, 1, &p), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(page_is_zero(p + i * PG)); /* it started as 0xa5 */
		memset(fake_page(p / PG + i), 0x5a, PG);
	}
	assert_int_equal(palloc_free(&pa, p, 3), 0);
	assert_int_equal(palloc_alloc(&pa, 3, 1, &q), 0);
	assert_int_equal(q, p);
	for (int i = 0; i < 3; i++)
		assert_true(page_is_zero(q + i * PG));
	fake_done();
}

static void test_palloc_unreachable_page_fails_efault_without_allocating(void **state)
{
	const struct mem_region map[] = { reg(0x200000, 8 * PG, MEM_HV_POOL) };
	struct palloc pa;
	paddr_t p;
	(void)state;

	fake_setup(map, 1);
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), 0);
	fm.null_pfn = 0x203;
	assert_int_equal(palloc_alloc(&pa, 4, 1, &p), -EFAULT);
	expect_stats(&pa, 7, 7);
	fm.null_pfn = 0;
	assert_int_equal(palloc_alloc(&pa, 7, 1, &p), 0);
	assert_int_equal(p, 0x201000);

	fm.null_pfn = 0x200; /* the bitmap page */
	assert_int_equal(palloc_init(&pa, map, 1, &fake_ops), -EFAULT);
	fake_done();
}

/* Bitmap pages of each pool region in the stress map, as the header promises. */
static bool is_bitmap_page(const struct mem_region *map, size_t n, u64 pfn)
{
	for (size_t i = 0; i < n; i++) {
		u64 first = map[i].base / PG, meta = (map[i].size / PG + 32767) / 32768;

		if (map[i].cls == MEM_HV_POOL && pfn >= first && pfn < first + meta)
			return true;
	}
	return false;
}

static u64 rng_next(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

#define STRESS_OPS 20000
#define MAX_LIVE 256

struct live {
	paddr_t base;
	size_t n;
	u32 tag;
};

static u32 owner[FAKE_PFNS]; /* shadow: tag of the allocation holding each page */

static const struct mem_region stress_map[] = {
	{ 0x0, 0x9f000, MEM_FREE, EFI_CONVENTIONAL, 0xf },
	{ 0xa0000, 0x60000, MEM_RESERVED, EFI_RESERVED, 0 },
	{ 0x100000, 0x100000, MEM_FREE, EFI_CONVENTIONAL, 0xf },
	{ 0x200000, 700 * PG, MEM_HV_POOL, LB_MEMTYPE_POOL, 0xf },  /* ..0x4bc000 */
	{ 0x4bc000, 16 * PG, MEM_ACPI, EFI_ACPI_NVS, 0xf },
	{ 0x4cc000, 4 * PG, MEM_RESERVED, EFI_RESERVED, 0 },
	{ 0x4d0000, 123 * PG, MEM_HV_POOL, LB_MEMTYPE_POOL, 0xf },  /* ..0x54b000 */
	{ 0x54b000, 5 * PG, MEM_MMIO, EFI_MMIO, 1 },
	{ 0x550000, 2 * PG, MEM_HV_POOL, LB_MEMTYPE_POOL, 0xf },    /* one usable page */
	{ 0x552000, 0x100 * PG, MEM_GUEST, LB_MEMTYPE_GUEST, 0xf }, /* ..0x652000 */
	{ 0x652000, 0x13 * PG, MEM_HV_POOL, LB_MEMTYPE_POOL, 0xf }, /* only 2-aligned */
	{ 0x665000, 8 * PG, MEM_FW_RUNTIME, EFI_RUNTIME_SERVICES_DATA, 0xf },
};
#define STRESS_N (sizeof(stress_map) / sizeof(stress_map[0]))

/* The shadow's view: could n pages aligned to align be allocated? */
static bool shadow_has_fit(size_t n, size_t align)
{
	for (size_t i = 0; i < STRESS_N; i++) {
		u64 first = stress_map[i].base / PG, end = first + stress_map[i].size / PG;

		if (stress_map[i].cls != MEM_HV_POOL)
			continue;
		for (u64 s = first; s + n <= end; s++) {
			u64 k = 0;

			if (s % align)
				continue;
			while (k < n && !owner[s + k] && !is_bitmap_page(stress_map, STRESS_N, s + k))
				k++;
			if (k == n)
				return true;
		}
	}
	return false;
}

static void stress_alloc(struct palloc *pa, struct live *lv, size_t *nlive, u64 *used,
			 u64 *seed, u32 tag)
{
	size_t n = 1 + rng_next(seed) % (rng_next(seed) % 8 ? 8 : 64);
	size_t align = (size_t)1 << (rng_next(seed) % 5);
	paddr_t p;
	int err = palloc_alloc(pa, n, align, &p);

	if (err) {
		assert_int_equal(err, -ENOMEM);
		assert_false(shadow_has_fit(n, align));
		return;
	}
	assert_int_equal((p / PG) % align, 0);
	for (size_t k = 0; k < n; k++) {
		u64 pfn = p / PG + k;

		assert_int_equal(memmap_class_at(stress_map, STRESS_N, pfn * PG), MEM_HV_POOL);
		assert_false(is_bitmap_page(stress_map, STRESS_N, pfn));
		assert_int_equal(owner[pfn], 0); /* never handed out twice */
		assert_true(page_is_zero(pfn * PG));
		owner[pfn] = tag;
		memset(fake_page(pfn), (int)(tag & 0xff), PG);
	}
	lv[(*nlive)++] = (struct live){ p, n, tag };
	*used += n;
}

static void stress_free(struct palloc *pa, struct live *lv, size_t *nlive, u64 *used,
			u64 *seed)
{
	size_t i = rng_next(seed) % *nlive;
	struct live l = lv[i];

	/* Nobody else wrote into these pages while they were ours. */
	for (size_t k = 0; k < l.n; k++) {
		u8 *pg = fake_page(l.base / PG + k);

		assert_int_equal(owner[l.base / PG + k], l.tag);
		assert_int_equal(pg[0], l.tag & 0xff);
		assert_int_equal(pg[PG - 1], l.tag & 0xff);
		owner[l.base / PG + k] = 0;
	}
	assert_int_equal(palloc_free(pa, l.base, l.n), 0);
	/* Now it is a double free. */
	if (rng_next(seed) % 16 == 0)
		assert_int_equal(palloc_free(pa, l.base, l.n), -EINVAL);
	lv[i] = lv[--*nlive];
	*used -= l.n;
}

static void test_palloc_random_ops_match_shadow_model(void **state)
{
	static struct live lv[MAX_LIVE];
	struct palloc pa;
	size_t nlive = 0;
	u64 seed = 0x5eed1234abcdULL, used = 0, total = 699 + 122 + 1 + 18;
	(void)state;

	memset(owner, 0, sizeof(owner));
	fake_setup(stress_map, STRESS_N);
	assert_int_equal(palloc_init(&pa, stress_map, STRESS_N, &fake_ops), 0);
	expect_stats(&pa, total, total);
	for (u32 op = 1; op <= STRESS_OPS; op++) {
		bool alloc = nlive == 0 || (nlive < MAX_LIVE && rng_next(&seed) % 100 < 55);

		if (alloc)
			stress_alloc(&pa, lv, &nlive, &used, &seed, op);
		else
			stress_free(&pa, lv, &nlive, &used, &seed);
		expect_stats(&pa, total, total - used);
	}
	while (nlive)
		stress_free(&pa, lv, &nlive, &used, &seed);
	expect_stats(&pa, total, total);
	assert_int_equal(drain_single_pages(&pa, stress_map, STRESS_N), total);
	fake_done();
}

/* The whole path: a firmware-shaped map, normalized, then allocated from. */
static void test_palloc_from_normalized_firmware_map(void **state)
{
	const struct bi_memdesc d[] = {
		{ EFI_CONVENTIONAL, 0, 0x0, 0x9f, 0xf },
		{ EFI_RESERVED, 0, 0xa0000, 0x60, 0xf },
		{ EFI_ACPI_NVS, 0, 0x800000, 0x8, 0xf },
		{ LB_MEMTYPE_POOL, 0, 0x808000, 0x40, 0xf },
		{ EFI_ACPI_RECLAIM, 0, 0x830000, 0x4, 0xf }, /* firmware bug: inside the pool */
		{ EFI_CONVENTIONAL, 0, 0x848000, 0xb8, 0xf },  /* ..0x900000 */
		{ LB_MEMTYPE_POOL, 0, 0x900000, 0x20, 0xf },
		{ EFI_CONVENTIONAL, 0, 0x918000, 0x10, 0xf }, /* firmware bug: overlaps pool */
	};
	struct mem_region map[32];
	struct palloc pa;
	size_t n;
	(void)state;

	assert_int_equal(memmap_normalize(d, 8, map, 32, &n, NULL), 0);
	fake_setup(map, n);
	assert_int_equal(palloc_init(&pa, map, n, &fake_ops), 0);
	/* Pool 1 loses 4 pages to ACPI and splits in two; pool 2 loses 8 to the conflict. */
	assert_int_equal(pa.nregions, 3);
	expect_stats(&pa, (0x28 - 1) + (0x14 - 1) + (0x18 - 1), (0x28 - 1) + (0x14 - 1) + (0x18 - 1));
	assert_int_equal(drain_single_pages(&pa, map, n), 0x28 + 0x14 + 0x18 - 3);
	fake_done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_palloc_init_counts_pool_pages_exactly),
		cmocka_unit_test(test_palloc_never_returns_acpi_memory),
		cmocka_unit_test(test_palloc_hands_out_only_pool_class),
		cmocka_unit_test(test_palloc_init_without_pool_fails_enomem),
		cmocka_unit_test(test_palloc_init_rejects_bad_input),
		cmocka_unit_test(test_palloc_honours_alignment),
		cmocka_unit_test(test_palloc_alignment_beyond_pool_fails_enomem),
		cmocka_unit_test(test_palloc_rejects_bad_arguments),
		cmocka_unit_test(test_palloc_enomem_when_exhausted_then_succeeds_after_free),
		cmocka_unit_test(test_palloc_uses_multiple_pool_regions),
		cmocka_unit_test(test_palloc_run_never_spans_two_regions),
		cmocka_unit_test(test_palloc_skips_region_too_small_for_its_bitmap),
		cmocka_unit_test(test_palloc_only_tiny_pool_regions_fail_enomem),
		cmocka_unit_test(test_palloc_ignores_regions_beyond_max),
		cmocka_unit_test(test_palloc_bitmap_spans_several_pages),
		cmocka_unit_test(test_palloc_next_fit_continues_after_last_allocation),
		cmocka_unit_test(test_palloc_detects_double_free),
		cmocka_unit_test(test_palloc_rejects_free_of_non_pool_memory),
		cmocka_unit_test(test_palloc_zeroes_pages_it_hands_out),
		cmocka_unit_test(test_palloc_unreachable_page_fails_efault_without_allocating),
		cmocka_unit_test(test_palloc_random_ops_match_shadow_model),
		cmocka_unit_test(test_palloc_from_normalized_firmware_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
