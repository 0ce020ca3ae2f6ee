// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for vmm/stage2.c, the second-stage page-table builder, with
 * both entry formats (vmm/vmx/ept.c, vmm/svm/npt.c): most tests run twice.
 *
 * Tables live in tests/unit/fake_pt.c (Hedron's Fake_memory): every write
 * is recorded and counted as "live" when the table written was reachable
 * from the root at that moment. A capped allocator drives the OOM paths;
 * frees of tables still reachable, double frees and touching freed tables
 * fail the test. An independent reference walker decodes raw EPT/NPT bits
 * and can run after EVERY write: the "watch" asserts that each sampled GPA
 * then translates to either its old or its new mapping, which is what a
 * vCPU running during the update sees.
 *
 * Build: gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -I. tests/unit/test_stage2.c vmm/stage2.c
 *        vmm/vmx/ept.c vmm/svm/npt.c tests/unit/fake_pt.c -lcmocka
 */
#include "vmm/stage2.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "tests/unit/fake_pt.h"
#include "vmm/svm/npt.h"
#include "vmm/vmx/ept.h"

static int setup_ept(void **state) { (void)state; return fake_setup(K_EPT); }
static int setup_npt(void **state) { (void)state; return fake_setup(K_NPT); }
static int teardown(void **state) { (void)state; return fake_teardown(); }

/* ---- helpers ---- */

static void map_ok(u64 gpa, u64 hpa, u64 size, u32 perms, int mt, u32 sizes)
{
	bool flush = false;

	assert_int_equal(stage2_map(&fk.s2, gpa, hpa, size, perms, mt, sizes, &flush), 0);
	assert_false(flush); /* filling non-present entries needs no flush */
}

static void expect_map(u64 gpa, u64 hpa, u32 perms, unsigned level)
{
	paddr_t h = 0;
	u32 p = 0;
	unsigned l = 9;

	assert_int_equal(stage2_lookup(&fk.s2, gpa, &h, &p, &l), 0);
	assert_int_equal(h, hpa);
	assert_int_equal(p, perms);
	assert_int_equal(l, level);
	struct tr t = ref_translate(gpa); /* the reference agrees */
	assert_true(t.mapped && t.hpa == hpa && t.perms == perms && t.level == level);
}

static void expect_unmapped(u64 gpa)
{
	assert_int_equal(stage2_lookup(&fk.s2, gpa, NULL, NULL, NULL), -ENOENT);
	assert_false(ref_translate(gpa).mapped);
}

/* Leaves as stage2_walk reports them. */
struct leaves {
	size_t n, stop_at;
	struct stage2_leaf l[2048];
};

static int collect(void *ctx, const struct stage2_leaf *leaf)
{
	struct leaves *ls = ctx;

	assert_true(ls->n < ARRAY_SIZE(ls->l));
	ls->l[ls->n++] = *leaf;
	return ls->stop_at && ls->n == ls->stop_at ? 7 : 0;
}

/* ---- map ---- */

static void test_map_uses_1g_2m_4k_as_alignment_allows(void **state)
{
	(void)state;
	struct leaves ls = { 0 };

	map_ok(0, G1, G1 + M2 + K4, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	assert_int_equal(stage2_walk(&fk.s2, collect, &ls), 0);
	assert_int_equal(ls.n, 3);
	assert_true(ls.l[0].gpa == 0 && ls.l[0].hpa == G1 && ls.l[0].size == G1 && ls.l[0].level == 2);
	assert_true(ls.l[1].gpa == G1 && ls.l[1].hpa == 2 * G1 && ls.l[1].size == M2);
	assert_true(ls.l[2].gpa == G1 + M2 && ls.l[2].hpa == 2 * G1 + M2 && ls.l[2].size == K4);
	expect_map(0x12345678, G1 + 0x12345678, STAGE2_RWX, 2);
	expect_map(G1 + 0x1234, 2 * G1 + 0x1234, STAGE2_RWX, 1);
	expect_map(G1 + M2 + 0x10, 2 * G1 + M2 + 0x10, STAGE2_RWX, 0);
	expect_unmapped(G1 + M2 + K4);
}

static void test_map_hpa_alignment_limits_page_size(void **state)
{
	(void)state;
	map_ok(G1, 3 * M2, G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL); /* HPA only 2M-aligned */
	expect_map(G1, 3 * M2, STAGE2_RWX, 1);
	expect_map(2 * G1 - K4, 3 * M2 + G1 - K4, STAGE2_RWX, 1);
	map_ok(4 * G1, 5 * K4, M2, STAGE2_READ, STAGE2_MT_WB, STAGE2_PAGES_ALL); /* HPA 4K-aligned */
	expect_map(4 * G1 + M2 - K4, 5 * K4 + M2 - K4, STAGE2_READ, 0);
}

static void test_map_uses_only_allowed_page_sizes(void **state)
{
	(void)state;
	map_ok(0, 0, G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGE_4K | STAGE2_PAGE_2M);
	expect_map(G1 - K4, G1 - K4, STAGE2_RWX, 1);
	map_ok(G1, G1, 2 * M2, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGE_4K);
	expect_map(G1 + M2, G1 + M2, STAGE2_RWX, 0);
	map_ok(2 * G1, 2 * G1, M2, STAGE2_RWX, STAGE2_MT_WB, 0); /* 4K is always allowed */
	expect_map(2 * G1, 2 * G1, STAGE2_RWX, 0);
}

static void test_map_rejects_bad_arguments_without_touching_tables(void **state)
{
	(void)state;
	bool flush = false;
	struct stage2 *s = &fk.s2;
	unsigned allocs = fk.allocs;

	fk.writes = 0;
	assert_int_equal(stage2_map(s, 0x800, 0, K4, STAGE2_READ, STAGE2_MT_WB, 0, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0x800, K4, STAGE2_READ, STAGE2_MT_WB, 0, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0, 0x800, STAGE2_READ, STAGE2_MT_WB, 0, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0, 0, STAGE2_READ, STAGE2_MT_WB, 0, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, (1ULL << 48) - K4, 0, 2 * K4, STAGE2_READ, STAGE2_MT_WB, 0,
				    &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 1ULL << 48, 0, K4, STAGE2_READ, STAGE2_MT_WB, 0, &flush),
			 -EINVAL);
	assert_int_equal(stage2_map(s, 0, (1ULL << 52) - K4, 2 * K4, STAGE2_READ, STAGE2_MT_WB, 0,
				    &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0, K4, STAGE2_WRITE, STAGE2_MT_WB, 0, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0, K4, 0, STAGE2_MT_WB, 0, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0, K4, STAGE2_RWX | 8, STAGE2_MT_WB, 0, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0, K4, STAGE2_READ, 7, 0, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0, K4, STAGE2_READ, STAGE2_MT_WB, 8, &flush), -EINVAL);
	assert_int_equal(stage2_map(s, 0, 0, K4, STAGE2_READ, STAGE2_MT_WB, 0, NULL), -EINVAL);
	assert_int_equal(stage2_unmap(s, 0, 0, &flush), -EINVAL);
	assert_int_equal(stage2_unmap(s, 0x10, K4, &flush), -EINVAL);
	assert_int_equal(stage2_unmap(s, 0, K4, NULL), -EINVAL);
	assert_int_equal(stage2_protect(s, 0, K4, STAGE2_EXEC, &flush), -EINVAL);
	assert_int_equal(stage2_walk(s, NULL, NULL), -EINVAL);
	assert_int_equal(stage2_init(s, NULL, &ept_format), -EINVAL);
	assert_int_equal(fk.writes, 0);
	assert_int_equal(fk.allocs, allocs);
	assert_false(flush);
}

static void test_map_over_a_mapping_is_eexist_and_rolls_back(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(M2, 0x80000000, M2, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	assert_int_equal(stage2_map(&fk.s2, 0, 0, 8 * M2, STAGE2_READ, STAGE2_MT_WB,
				    STAGE2_PAGES_ALL, &flush), -EEXIST);
	assert_true(flush); /* [0, 2M) was mapped, live, and removed again */
	expect_unmapped(0);
	expect_unmapped(4 * M2);
	expect_map(M2 + K4, 0x80000000 + K4, STAGE2_RWX, 1);

	flush = false;
	assert_int_equal(stage2_map(&fk.s2, M2 + K4, 0, K4, STAGE2_READ, STAGE2_MT_WB, 0, &flush),
			 -EEXIST);
	assert_false(flush);
	assert_int_equal(stage2_map(&fk.s2, 0, 0, G1, STAGE2_READ, STAGE2_MT_WB, STAGE2_PAGES_ALL,
				    &flush), -EEXIST);
	expect_unmapped(0);
	expect_map(M2, 0x80000000, STAGE2_RWX, 1);
}

static void test_map_oom_rolls_back_and_leaks_nothing(void **state)
{
	(void)state;
	bool flush = false;

	fk.budget = 2; /* a 4K page needs a PDPT, a PD and a PT */
	assert_int_equal(stage2_map(&fk.s2, 0, 0, K4, STAGE2_READ, STAGE2_MT_WB, 0, &flush), -ENOMEM);
	assert_false(flush);
	expect_unmapped(0);

	fk.budget = 1; /* 4 MiB of 4K pages: the second page table fails */
	assert_int_equal(stage2_map(&fk.s2, 0, 0, 2 * M2, STAGE2_READ, STAGE2_MT_WB, 0, &flush),
			 -ENOMEM);
	assert_true(flush);
	for (u64 g = 0; g < 2 * M2; g += K4)
		expect_unmapped(g);
	assert_int_equal(ref_audit(0, NULL), fk.outstanding); /* empty tables stay linked, none lost */

	fk.budget = -1;
	map_ok(0, 0, 2 * M2, STAGE2_READ, STAGE2_MT_WB, STAGE2_PAGES_ALL); /* reuses them */
	expect_map(K4, K4, STAGE2_READ, 0); /* 4K pages under the table left in place */
	expect_map(M2 + K4, M2 + K4, STAGE2_READ, 1);
}

/* ---- unmap and protect: splits ---- */

static void test_unmap_4k_inside_2m_splits_with_one_live_write(void **state)
{
	(void)state;
	bool flush = false;
	unsigned before = fk.outstanding;

	map_ok(M2, 0x40000000, M2, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	watch_begin(W_UNMAP, M2 + 2 * K4, K4, 0, 0, 0);
	assert_int_equal(stage2_unmap(&fk.s2, M2 + 2 * K4, K4, &flush), 0);
	assert_int_equal(fk.live_writes, 1);
	watch_end();
	assert_true(flush);
	assert_int_equal(fk.outstanding, before + 1 + 2); /* the new PT, after PDPT+PD of the map */
	expect_map(M2, 0x40000000, STAGE2_RWX, 0);
	expect_map(M2 + K4, 0x40000000 + K4, STAGE2_RWX, 0);
	expect_unmapped(M2 + 2 * K4);
	expect_map(M2 + 3 * K4, 0x40000000 + 3 * K4, STAGE2_RWX, 0);
	expect_map(2 * M2 - K4, 0x40000000 + M2 - K4, STAGE2_RWX, 0);
}

static void test_unmap_4k_inside_1g_splits_two_levels_with_one_live_write(void **state)
{
	(void)state;
	bool flush = false;
	unsigned before = fk.outstanding;

	map_ok(G1, 4 * G1, G1, STAGE2_RWX, STAGE2_MT_UC, STAGE2_PAGES_ALL);
	watch_begin(W_UNMAP, G1 + M2 + K4, K4, 0, 0, 0);
	assert_int_equal(stage2_unmap(&fk.s2, G1 + M2 + K4, K4, &flush), 0);
	assert_int_equal(fk.live_writes, 1);
	watch_end();
	assert_true(flush);
	assert_int_equal(fk.outstanding, before + 1 + 2);
	expect_map(G1, 4 * G1, STAGE2_RWX, 1);
	expect_map(G1 + M2, 4 * G1 + M2, STAGE2_RWX, 0);
	expect_unmapped(G1 + M2 + K4);
	expect_map(G1 + M2 + 2 * K4, 4 * G1 + M2 + 2 * K4, STAGE2_RWX, 0);
	expect_map(2 * G1 - K4, 5 * G1 - K4, STAGE2_RWX, 1);
	assert_int_equal(ref_translate(2 * G1 - K4).mt, STAGE2_MT_UC); /* memtype kept */
}

static void test_unmap_across_two_1g_pages_splits_both_ends(void **state)
{
	(void)state;
	bool flush = false;
	unsigned before = fk.outstanding;

	map_ok(G1, G1, 2 * G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	watch_begin(W_UNMAP, 2 * G1 - K4, 2 * K4, 0, 0, 0);
	assert_int_equal(stage2_unmap(&fk.s2, 2 * G1 - K4, 2 * K4, &flush), 0);
	assert_int_equal(fk.live_writes, 2); /* one per 1 GiB page */
	watch_end();
	assert_int_equal(fk.outstanding, before + 1 + 4);
	expect_map(2 * G1 - 2 * K4, 2 * G1 - 2 * K4, STAGE2_RWX, 0);
	expect_unmapped(2 * G1 - K4);
	expect_unmapped(2 * G1);
	expect_map(2 * G1 + K4, 2 * G1 + K4, STAGE2_RWX, 0);
	expect_map(2 * G1 + M2, 2 * G1 + M2, STAGE2_RWX, 1);
}

static void test_unmap_with_both_ends_in_one_page_allocates_shared_tables_once(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(0, 0, G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	unsigned before = fk.outstanding, frees = fk.frees;

	assert_int_equal(stage2_unmap(&fk.s2, 5 * K4, K4, &flush), 0);
	assert_int_equal(fk.outstanding, before + 2);
	assert_int_equal(fk.frees, frees); /* the 1G->2M table serves both ends */
	expect_unmapped(5 * K4);
	expect_map(6 * K4, 6 * K4, STAGE2_RWX, 0);
}

static void test_unmap_of_a_whole_large_page_clears_one_entry(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(2 * M2, 2 * M2, 2 * M2, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	unsigned allocs = fk.allocs;

	fk.writes = 0;
	assert_int_equal(stage2_unmap(&fk.s2, 2 * M2, M2, &flush), 0);
	assert_int_equal(fk.writes, 1);
	assert_int_equal(fk.allocs, allocs);
	assert_true(flush);
	expect_unmapped(2 * M2);
	expect_map(3 * M2, 3 * M2, STAGE2_RWX, 1);
}

static void test_unmap_of_a_hole_changes_nothing(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(0, 0, K4, STAGE2_RWX, STAGE2_MT_WB, 0);
	fk.writes = 0;
	assert_int_equal(stage2_unmap(&fk.s2, G1, 3 * G1, &flush), 0);
	assert_int_equal(stage2_unmap(&fk.s2, K4, M2, &flush), 0);
	assert_int_equal(fk.writes, 0);
	assert_false(flush);
	expect_map(0, 0, STAGE2_RWX, 0);
}

static void test_protect_splits_and_changes_only_the_range(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(0, 8 * M2, M2, STAGE2_RWX, STAGE2_MT_UC, STAGE2_PAGES_ALL);
	watch_begin(W_PROTECT, K4, K4, 0, STAGE2_READ, 0);
	assert_int_equal(stage2_protect(&fk.s2, K4, K4, STAGE2_READ, &flush), 0);
	assert_int_equal(fk.live_writes, 1);
	watch_end();
	assert_true(flush);
	expect_map(0, 8 * M2, STAGE2_RWX, 0);
	expect_map(K4, 8 * M2 + K4, STAGE2_READ, 0);
	expect_map(2 * K4, 8 * M2 + 2 * K4, STAGE2_RWX, 0);
	assert_int_equal(ref_translate(K4).mt, STAGE2_MT_UC);

	flush = false; /* a whole leaf: rewritten in place */
	assert_int_equal(stage2_protect(&fk.s2, 0, K4, STAGE2_READ | STAGE2_WRITE, &flush), 0);
	assert_true(flush);
	expect_map(0, 8 * M2, STAGE2_READ | STAGE2_WRITE, 0);
}

static void test_protect_with_the_same_rights_writes_nothing(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(0, 0, G1, STAGE2_READ, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	unsigned out = fk.outstanding;

	fk.writes = 0;
	assert_int_equal(stage2_protect(&fk.s2, K4, M2, STAGE2_READ, &flush), 0);
	assert_int_equal(fk.writes, 0);
	assert_int_equal(fk.outstanding, out); /* no split for nothing */
	assert_false(flush);
	expect_map(K4, K4, STAGE2_READ, 2);
}

static void test_split_oom_leaves_the_old_mapping_intact(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(G1, 2 * G1, G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	unsigned out = fk.outstanding;

	for (int budget = 0; budget < 2; budget++) { /* a two-level split needs two tables */
		fk.budget = budget;
		fk.writes = 0;
		assert_int_equal(stage2_unmap(&fk.s2, G1 + K4, K4, &flush), -ENOMEM);
		fk.budget = budget;
		assert_int_equal(stage2_protect(&fk.s2, G1 + K4, K4, STAGE2_READ, &flush), -ENOMEM);
		assert_int_equal(fk.writes, 0);
		assert_false(flush);
		assert_int_equal(fk.outstanding, out);
		expect_map(G1 + K4, 2 * G1 + K4, STAGE2_RWX, 2);
	}
	fk.budget = 2;
	assert_int_equal(stage2_unmap(&fk.s2, G1 + K4, K4, &flush), 0);
	expect_unmapped(G1 + K4);

	/* Two ends in two 1G pages need four tables: with three, neither end changes. */
	map_ok(2 * G1, 3 * G1, 2 * G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	out = fk.outstanding;
	flush = false;
	fk.budget = 3;
	fk.writes = 0;
	assert_int_equal(stage2_unmap(&fk.s2, 3 * G1 - K4, 2 * K4, &flush), -ENOMEM);
	assert_int_equal(fk.writes, 0);
	assert_false(flush);
	assert_int_equal(fk.outstanding, out);
	expect_map(3 * G1 - K4, 4 * G1 - K4, STAGE2_RWX, 2);
	expect_map(3 * G1, 4 * G1, STAGE2_RWX, 2);
}

static void test_updates_are_atomic_through_a_sequence_of_changes(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(G1, G1, G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	watch_begin(W_PROTECT, G1 + M2 / 2, 4 * M2, 0, STAGE2_READ | STAGE2_EXEC, 0);
	assert_int_equal(stage2_protect(&fk.s2, G1 + M2 / 2, 4 * M2, STAGE2_READ | STAGE2_EXEC,
					&flush), 0);
	watch_end();
	watch_begin(W_UNMAP, G1 + 3 * M2 - K4, 2 * K4, 0, 0, 0);
	assert_int_equal(stage2_unmap(&fk.s2, G1 + 3 * M2 - K4, 2 * K4, &flush), 0);
	watch_end();
	watch_begin(W_MAP, G1 + 3 * M2 - K4, 2 * K4, 0x1234000, STAGE2_READ, STAGE2_MT_UC);
	assert_int_equal(stage2_map(&fk.s2, G1 + 3 * M2 - K4, 0x1234000, 2 * K4, STAGE2_READ,
				    STAGE2_MT_UC, STAGE2_PAGES_ALL, &flush), 0);
	watch_end();
	watch_begin(W_UNMAP, G1, G1, 0, 0, 0);
	assert_int_equal(stage2_unmap(&fk.s2, G1, G1, &flush), 0);
	watch_end();
	assert_true(flush);
	expect_unmapped(G1 + 3 * M2);
}

static void test_map_after_unmap_reuses_the_tables_below(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(0, 0, M2, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	assert_int_equal(stage2_unmap(&fk.s2, 0, K4, &flush), 0);
	assert_int_equal(stage2_unmap(&fk.s2, K4, M2 - K4, &flush), 0);
	expect_unmapped(K4);
	unsigned allocs = fk.allocs;

	map_ok(0, 4 * M2, M2, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	assert_int_equal(fk.allocs, allocs);
	expect_map(M2 - K4, 5 * M2 - K4, STAGE2_RWX, 0); /* 4K pages under the kept table */
}

/* ---- destroy, walk, lookup ---- */

static void test_destroy_frees_every_table(void **state)
{
	(void)state;
	bool flush = false;

	map_ok(0, 0, 3 * G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	map_ok(300 * G1, 0, 8 * M2 + 5 * K4, STAGE2_READ, STAGE2_MT_UC, STAGE2_PAGE_2M);
	assert_int_equal(stage2_unmap(&fk.s2, G1 + 7 * K4, 3 * M2, &flush), 0);
	/* root, PDPT, PD + PT of the second map, 1G->2M + two 2M->4K of the unmap */
	assert_int_equal(fk.outstanding, 7);
	fk.destroying = true;
	stage2_destroy(&fk.s2);
	assert_int_equal(fk.outstanding, 0); /* teardown checks again, and a second destroy */
}

static bool leaf_is(const struct stage2_leaf *l, u64 gpa, u64 hpa, u64 size, unsigned level,
		    u32 perms, int mt)
{
	return l->gpa == gpa && l->hpa == hpa && l->size == size && l->level == level &&
	       l->perms == perms && (int)l->memtype == mt;
}

static void test_walk_reports_every_leaf_in_gpa_order(void **state)
{
	(void)state;
	static struct leaves store;
	struct leaves *ls = &store;

	memset(ls, 0, sizeof(*ls));
	map_ok(511 * G1, 7 * G1, G1, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	map_ok(M2, 0xfee00000, K4, STAGE2_READ | STAGE2_WRITE, STAGE2_MT_UC, 0);
	/* HPA not 1G-aligned: 2M pages even where the GPA is */
	map_ok(G1 - M2, 0x200000, M2 + G1, STAGE2_READ, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	assert_int_equal(stage2_walk(&fk.s2, collect, ls), 0);
	assert_int_equal(ls->n, 1 + 1 + 512 + 1);
	assert_true(leaf_is(&ls->l[0], M2, 0xfee00000, K4, 0, STAGE2_READ | STAGE2_WRITE,
			    STAGE2_MT_UC));
	assert_true(leaf_is(&ls->l[1], G1 - M2, 0x200000, M2, 1, STAGE2_READ, STAGE2_MT_WB));
	assert_true(leaf_is(&ls->l[2], G1, 0x400000, M2, 1, STAGE2_READ, STAGE2_MT_WB));
	assert_true(leaf_is(&ls->l[513], 2 * G1 - M2, 0x200000 + G1, M2, 1, STAGE2_READ,
			    STAGE2_MT_WB));
	assert_true(leaf_is(&ls->l[514], 511 * G1, 7 * G1, G1, 2, STAGE2_RWX, STAGE2_MT_WB));
	for (size_t i = 1; i < ls->n; i++)
		assert_true(ls->l[i].gpa >= ls->l[i - 1].gpa + ls->l[i - 1].size);
	ls->n = 0;
	ls->stop_at = 2;
	assert_int_equal(stage2_walk(&fk.s2, collect, ls), 7);
	assert_int_equal(ls->n, 2);
}

static void test_lookup_gives_the_offset_inside_a_large_page(void **state)
{
	(void)state;
	paddr_t h = 0;

	map_ok(G1, 9 * G1, G1, STAGE2_READ | STAGE2_EXEC, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	expect_map(G1 + 0x12345, 9 * G1 + 0x12345, STAGE2_READ | STAGE2_EXEC, 2);
	assert_int_equal(stage2_lookup(&fk.s2, G1 + 5, &h, NULL, NULL), 0);
	assert_int_equal(h, 9 * G1 + 5);
	assert_int_equal(stage2_lookup(&fk.s2, 1ULL << 48, &h, NULL, NULL), -ENOENT);
	expect_unmapped(G1 - 1);
	expect_unmapped(2 * G1);
}

/* ---- encodings ---- */

static u64 raw(paddr_t table, unsigned idx)
{
	return fk.mem[slot_of(table)][idx];
}

static paddr_t next_table(u64 e)
{
	return e & 0x000ffffffffff000ULL;
}

static void test_ept_entries_have_rwx_tables_and_memtype_in_leaves(void **state)
{
	(void)state;
	paddr_t r = fk.s2.root;

	map_ok(0, 0x40000000, M2, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	map_ok(0xfee00000, 0xfee00000, K4, STAGE2_READ | STAGE2_WRITE, STAGE2_MT_UC, 0);
	map_ok(2 * G1, 6 * G1, G1, STAGE2_READ | STAGE2_EXEC, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	u64 pml4e = raw(r, 0), pdpte0 = raw(next_table(pml4e), 0);

	assert_int_equal(pml4e & 0xfff, 0x7);
	assert_int_equal(pdpte0 & 0xfff, 0x7);
	assert_int_equal(raw(next_table(pdpte0), 0), 0x40000000 | 0x80 | (6 << 3) | 7);
	u64 pdpte3 = raw(next_table(pml4e), 3), pde = raw(next_table(pdpte3), 0x1f7);

	assert_int_equal(raw(next_table(pde), 0), 0xfee00000 | (0 << 3) | 3);
	assert_int_equal(raw(next_table(pml4e), 2), 6 * G1 | 0x80 | (6 << 3) | 5);
	assert_int_equal(ept_pointer(r), r | (3 << 3) | 6);

	const u64 bochs = 0x00000f0106334141ULL; /* measured, PLATFORM-FACTS */
	assert_null(ept_caps_missing(bochs));
	assert_int_equal(ept_page_sizes(bochs), STAGE2_PAGES_ALL);
	assert_string_equal(ept_caps_missing(bochs & ~(1ULL << 6)), "4-level walk");
	assert_string_equal(ept_caps_missing(bochs & ~(1ULL << 14)), "WB paging structures");
	assert_string_equal(ept_caps_missing(bochs & ~(1ULL << 20)), "INVEPT");
	assert_non_null(ept_caps_missing(bochs & ~(3ULL << 25)));
	assert_int_equal(ept_page_sizes(bochs & ~(1ULL << 17)), STAGE2_PAGE_4K | STAGE2_PAGE_2M);
}

static void test_npt_entries_have_us_at_every_level_and_nx_pcd_pwt(void **state)
{
	(void)state;
	paddr_t r = fk.s2.root;

	map_ok(0, 0x40000000, M2, STAGE2_RWX, STAGE2_MT_WB, STAGE2_PAGES_ALL);
	map_ok(0xfee00000, 0xfee00000, K4, STAGE2_READ | STAGE2_WRITE, STAGE2_MT_UC, 0);
	map_ok(0xfee01000, 0x5000, K4, STAGE2_READ, STAGE2_MT_WB, 0);
	u64 pml4e = raw(r, 0), pdpte3 = raw(next_table(pml4e), 3);
	u64 pde = raw(next_table(pdpte3), 0x1f7);

	assert_int_equal(pml4e & 0xfff, 0x7); /* P | RW | U/S on tables too */
	assert_int_equal(pdpte3 & 0xfff, 0x7);
	assert_int_equal(pde, next_table(pde) | 0x7);
	assert_int_equal(raw(next_table(raw(next_table(pml4e), 0)), 0), 0x40000000 | 0x80 | 0x7);
	assert_int_equal(raw(next_table(pde), 0), (1ULL << 63) | 0xfee00000 | 0x18 | 0x7);
	assert_int_equal(raw(next_table(pde), 1), (1ULL << 63) | 0x5000 | 0x5);
	assert_int_equal(npt_ncr3(r), r);
}

/* ---- random operations against a page-granular model ---- */

#define RND_PAGES (4 * G1 / K4)
struct mpage { u64 hpa; u8 perms, mt, mapped; };

static u64 rnd(u64 n)
{
	return (u64)rand() % n;
}

static bool model_range(struct mpage *m, u64 gpa, u64 size, bool *any_mapped)
{
	*any_mapped = false;
	for (u64 p = gpa / K4; p < (gpa + size) / K4; p++)
		*any_mapped |= m[p].mapped;
	return *any_mapped;
}

static struct mpage model[RND_PAGES];

static void test_random_operations_match_a_model(void **state)
{
	(void)state;
	struct mpage *m = model;
	const u32 rights[] = { STAGE2_READ, STAGE2_READ | STAGE2_WRITE, STAGE2_READ | STAGE2_EXEC,
			       STAGE2_RWX };

	memset(model, 0, sizeof(model));
	srand(fk.kind == K_EPT ? 1 : 2);
	for (int step = 0; step < 300; step++) {
		u64 unit = (u64[]){ K4, M2, G1 }[rnd(3)];
		u64 gpa = rnd(4 * G1 / unit) * unit + (rnd(4) ? 0 : rnd(512) * K4);
		u64 size = (1 + rnd(3)) * (u64[]){ K4, M2, M2, G1 }[rnd(4)] + (rnd(3) ? 0 : K4);
		u64 hpa = rnd(64) * G1 + (rnd(2) ? rnd(512) * M2 : rnd(1 << 18) * K4);
		u32 perms = rights[rnd(4)];
		int mt = (int)rnd(2), op = (int)rnd(3), ret;
		bool flush = false, any;

		if (gpa + size > 4 * G1)
			size = 4 * G1 - gpa;
		if (size > 4 * M2) /* large pages possible, so the fake's tables suffice */
			hpa = ALIGN_DOWN(hpa, M2) + (gpa & (M2 - 1));
		fk.budget = rnd(5) ? -1 : (int)rnd(3);
		if (op == 0) {
			/* few 4K-only maps of large ranges: every table costs a walk per check */
			u32 sizes = (u32)rnd(8) | (size > 4 * M2 ? STAGE2_PAGE_2M : 0);

			ret = stage2_map(&fk.s2, gpa, hpa, size, perms, mt, sizes, &flush);
			if (model_range(m, gpa, size, &any)) {
				assert_true(ret == -EEXIST || ret == -ENOMEM);
			} else if (ret == 0) {
				assert_false(flush);
				for (u64 p = 0; p < size / K4; p++)
					m[gpa / K4 + p] = (struct mpage){ hpa + p * K4, (u8)perms, (u8)mt, 1 };
			} else {
				assert_int_equal(ret, -ENOMEM);
			}
		} else {
			if (op == 1)
				ret = stage2_unmap(&fk.s2, gpa, size, &flush);
			else
				ret = stage2_protect(&fk.s2, gpa, size, perms, &flush);
			bool change = false;

			for (u64 p = gpa / K4; p < (gpa + size) / K4; p++)
				change |= m[p].mapped && (op == 1 || m[p].perms != perms);
			if (ret == -ENOMEM) {
				assert_false(flush);
			} else {
				assert_int_equal(ret, 0);
				assert_int_equal(flush, change);
				for (u64 p = gpa / K4; p < (gpa + size) / K4; p++) {
					if (op == 1)
						m[p].mapped = 0;
					else
						m[p].perms = (u8)perms;
				}
			}
		}
		fk.budget = -1;
		assert_int_equal(ref_audit(0, NULL), fk.outstanding);
		for (int k = 0; k < 600; k++) { /* the op's edges, then anywhere */
			u64 g = k < 8 ? gpa + (u64)(k - 4) * K4 + (k >= 4 ? size : 0)
				      : rnd(RND_PAGES) * K4;
			if (g >= 4 * G1)
				continue;
			struct tr t = ref_translate(g);
			const struct mpage *p = &m[g / K4];

			assert_int_equal(t.mapped, p->mapped);
			if (p->mapped)
				assert_true(t.hpa == p->hpa && t.perms == p->perms && t.mt == p->mt);
		}
	}
}

#define BOTH(f)                                         \
	{ #f "_ept", f, setup_ept, teardown, NULL },    \
	{ #f "_npt", f, setup_npt, teardown, NULL }

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_map_uses_1g_2m_4k_as_alignment_allows),
		BOTH(test_map_hpa_alignment_limits_page_size),
		BOTH(test_map_uses_only_allowed_page_sizes),
		BOTH(test_map_rejects_bad_arguments_without_touching_tables),
		BOTH(test_map_over_a_mapping_is_eexist_and_rolls_back),
		BOTH(test_map_oom_rolls_back_and_leaks_nothing),
		BOTH(test_unmap_4k_inside_2m_splits_with_one_live_write),
		BOTH(test_unmap_4k_inside_1g_splits_two_levels_with_one_live_write),
		BOTH(test_unmap_across_two_1g_pages_splits_both_ends),
		BOTH(test_unmap_with_both_ends_in_one_page_allocates_shared_tables_once),
		BOTH(test_unmap_of_a_whole_large_page_clears_one_entry),
		BOTH(test_unmap_of_a_hole_changes_nothing),
		BOTH(test_protect_splits_and_changes_only_the_range),
		BOTH(test_protect_with_the_same_rights_writes_nothing),
		BOTH(test_split_oom_leaves_the_old_mapping_intact),
		BOTH(test_updates_are_atomic_through_a_sequence_of_changes),
		BOTH(test_map_after_unmap_reuses_the_tables_below),
		BOTH(test_destroy_frees_every_table),
		BOTH(test_walk_reports_every_leaf_in_gpa_order),
		BOTH(test_lookup_gives_the_offset_inside_a_large_page),
		BOTH(test_random_operations_match_a_model),
		cmocka_unit_test_setup_teardown(test_ept_entries_have_rwx_tables_and_memtype_in_leaves,
						setup_ept, teardown),
		cmocka_unit_test_setup_teardown(test_npt_entries_have_us_at_every_level_and_nx_pcd_pwt,
						setup_npt, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
