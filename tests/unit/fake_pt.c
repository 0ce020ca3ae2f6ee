// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test double for vmm/stage2.c (see fake_pt.h): fake page-table memory that
 * records every write, a capped allocator, an independent EPT/NPT decoder,
 * and the "watch" that checks every intermediate state of a live table.
 */
#include "tests/unit/fake_pt.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/svm/npt.h"
#include "vmm/vmx/ept.h"

#define POISON 0xdeadbeefdeadbeefULL

struct fake fk;

unsigned slot_of(paddr_t t)
{
	assert_true(t >= TABLE_BASE && t < TABLE_BASE + NTABLES * K4 && t % K4 == 0);
	unsigned i = (unsigned)((t - TABLE_BASE) / K4);
	assert_true(fk.used[i]); /* never touch a table that is not allocated */
	return i;
}

/* ---- the reference decoder: raw bits, from SDM 29.3.2 and APM 5.4 / 15.25 ---- */

static bool ref_present(u64 e)
{
	return fk.kind == K_EPT ? (e & 7) != 0 : (e & 1) != 0;
}

static bool ref_leaf(u64 e, unsigned level)
{
	return level == 0 || (e & 0x80);
}

static u64 leaf_mask(unsigned level)
{
	return 0x000ffffffffff000ULL & ~((1ULL << (12 + 9 * level)) - 1);
}

static void ref_check_entry(u64 e, unsigned level)
{
	if (!ref_leaf(e, level)) {
		assert_int_equal(e >> 52, 0); /* no NX, no #VE suppression */
		assert_int_equal(e & 0xfff, 7); /* EPT: RWX; NPT: P|RW|US */
		slot_of(e & 0x000ffffffffff000ULL);
		return;
	}
	assert_true(level < 3); /* a PML4 entry is never a leaf */
	assert_int_equal(e & 0xfff & ~0xffULL, 0); /* no A/D, MBEC, avail */
	assert_int_equal(e & ~leaf_mask(level) & 0x000ffffffffff000ULL, 0);
	if (fk.kind == K_EPT) {
		assert_int_equal(e >> 52, 0);
		assert_true(e & 1); /* readable: W without R would be a misconfig */
		u64 mt = (e >> 3) & 7;
		assert_true(mt == 0 || mt == 6);
		assert_int_equal(e & 0x40, 0); /* ignore-PAT stays clear */
	} else {
		assert_int_equal(e & 5, 5); /* P and U/S */
		assert_int_equal((e >> 3) & 1, (e >> 4) & 1); /* PWT == PCD */
		assert_int_equal(e & 0x60, 0);
		assert_int_equal(e & (0x7ffULL << 52), 0);
	}
}

struct tr ref_translate(u64 gpa)
{
	struct tr t = { 0 };
	paddr_t table = fk.s2.root;

	for (int level = 3; level >= 0; level--) {
		u64 e = fk.mem[slot_of(table)][(gpa >> (12 + 9 * level)) & 511];

		if (!ref_present(e))
			return t;
		ref_check_entry(e, level);
		if (!ref_leaf(e, level)) {
			table = e & 0x000ffffffffff000ULL;
			continue;
		}
		t.mapped = true;
		t.level = level;
		t.hpa = (e & leaf_mask(level)) + (gpa & ((1ULL << (12 + 9 * level)) - 1));
		if (fk.kind == K_EPT) {
			t.perms = e & 7;
			t.mt = ((e >> 3) & 7) == 6 ? STAGE2_MT_WB : STAGE2_MT_UC;
		} else {
			t.perms = STAGE2_READ | ((e & 2) ? STAGE2_WRITE : 0) |
				  ((e >> 63) ? 0 : STAGE2_EXEC);
			t.mt = (e & 0x18) ? STAGE2_MT_UC : STAGE2_MT_WB;
		}
		return t;
	}
	fail_msg("walked past level 0");
	return t;
}

bool tr_eq(struct tr a, struct tr b) /* the level may change in a split */
{
	return a.mapped == b.mapped &&
	       (!a.mapped || (a.hpa == b.hpa && a.perms == b.perms && a.mt == b.mt));
}

/* Visits every reachable table: checks entries, that no table is reached twice; counts. */
static unsigned ref_audit_table(paddr_t t, unsigned level, bool *seen, paddr_t find, bool *found)
{
	unsigned i = slot_of(t), n = 1;

	assert_false(seen[i]);
	seen[i] = true;
	if (t == find)
		*found = true;
	for (unsigned k = 0; level > 0 && k < 512; k++) {
		u64 e = fk.mem[i][k];

		if (!ref_present(e))
			continue;
		ref_check_entry(e, level);
		if (!ref_leaf(e, level))
			n += ref_audit_table(e & 0x000ffffffffff000ULL, level - 1, seen, find, found);
	}
	return n;
}

unsigned ref_audit(paddr_t find, bool *found)
{
	bool seen[NTABLES] = { false };
	bool dummy = false;

	return ref_audit_table(fk.s2.root, 3, seen, find, found ? found : &dummy);
}

static bool reachable(paddr_t t)
{
	bool found = false;

	ref_audit(t, &found);
	return found;
}

/* ---- the fake pt_mem ---- */

static u64 fake_read(void *ctx, paddr_t table, unsigned idx)
{
	assert_ptr_equal(ctx, &fk);
	assert_true(idx < 512);
	return fk.mem[slot_of(table)][idx];
}

static void fake_write(void *ctx, paddr_t table, unsigned idx, u64 val)
{
	assert_ptr_equal(ctx, &fk);
	assert_true(idx < 512);
	unsigned s = slot_of(table);

	fk.writes++;
	if (fk.count_live && reachable(table))
		fk.live_writes++;
	fk.mem[s][idx] = val;
	if (fk.check)
		fk.check();
}

static int fake_alloc(void *ctx, paddr_t *table)
{
	assert_ptr_equal(ctx, &fk);
	if (fk.budget == 0)
		return -ENOMEM;
	for (unsigned i = 0; i < NTABLES; i++) {
		if (fk.used[i])
			continue;
		fk.used[i] = true;
		memset(fk.mem[i], 0, sizeof(fk.mem[i]));
		if (fk.budget > 0)
			fk.budget--;
		fk.allocs++;
		fk.outstanding++;
		*table = TABLE_BASE + i * K4;
		return 0;
	}
	fail_msg("fake out of tables");
	return -ENOMEM;
}

static void fake_free(void *ctx, paddr_t table)
{
	assert_ptr_equal(ctx, &fk);
	unsigned s = slot_of(table);

	if (!fk.destroying)
		assert_false(reachable(table)); /* a walker could still use it */
	for (unsigned k = 0; k < 512; k++)
		fk.mem[s][k] = POISON;
	fk.used[s] = false;
	fk.frees++;
	fk.outstanding--;
}

int fake_setup(enum fake_kind kind)
{
	memset(&fk, 0, sizeof(fk));
	fk.kind = kind;
	fk.budget = -1;
	fk.ops = (struct pt_mem){ fake_read, fake_write, fake_alloc, fake_free, &fk };
	assert_int_equal(stage2_init(&fk.s2, &fk.ops, kind == K_EPT ? &ept_format : &npt_format), 0);
	return 0;
}

static struct watch *wt;

int fake_teardown(void)
{
	bool aborted = wt != NULL; /* failed mid-operation: pool tables may be out */

	wt = NULL;
	fk.check = NULL;
	fk.destroying = true;
	stage2_destroy(&fk.s2);
	stage2_destroy(&fk.s2); /* a second destroy does nothing */
	assert_int_equal(fk.s2.root, 0);
	if (aborted)
		return 0;
	assert_int_equal(fk.outstanding, 0);
	assert_int_equal(fk.allocs, fk.frees);
	return 0;
}

/* The watch: sampled GPAs must translate to old or new after every single write. */
static struct watch {
	enum wop op;
	u64 gpa, size, hpa;
	u32 perms;
	int mt;
	size_t n;
	u64 gpas[8192];
	struct tr before[8192], after[8192];
} watch_store;

static void watch_add(u64 lo, u64 hi, u64 step)
{
	for (u64 g = lo; g < hi; g += step) {
		assert_true(wt->n < ARRAY_SIZE(wt->gpas));
		wt->gpas[wt->n++] = g;
	}
}

static void watch_check(void)
{
	for (size_t i = 0; i < wt->n; i++) {
		struct tr t = ref_translate(wt->gpas[i]);

		if (!tr_eq(t, wt->before[i]) && !tr_eq(t, wt->after[i]))
			fail_msg("gpa 0x%llx mid-update: neither old nor new mapping after write %u",
				 (unsigned long long)wt->gpas[i], fk.writes);
	}
}

/* Samples around both ends of the op and across the 1 GiB pages it touches. */
void watch_begin(enum wop op, u64 gpa, u64 size, u64 hpa, u32 perms, int mt)
{
	wt = &watch_store;
	*wt = (struct watch){ .op = op, .gpa = gpa, .size = size, .hpa = hpa, .perms = perms, .mt = mt };
	u64 end = gpa + size;
	watch_add(ALIGN_DOWN(gpa, M2), ALIGN_DOWN(gpa, M2) + M2, K4);
	watch_add(ALIGN_DOWN(end - 1, M2), ALIGN_DOWN(end - 1, M2) + M2, K4);
	watch_add(ALIGN_DOWN(gpa, G1), ALIGN_UP(end, G1), M2);
	watch_add(ALIGN_DOWN(gpa, G1) + K4, ALIGN_UP(end, G1), M2);
	for (size_t i = 0; i < wt->n; i++) {
		u64 g = wt->gpas[i];
		struct tr b = ref_translate(g), a = b;

		if (g >= gpa && g < end) {
			if (op == W_UNMAP)
				a = (struct tr){ 0 };
			else if (op == W_PROTECT && b.mapped)
				a.perms = perms;
			else if (op == W_MAP)
				a = (struct tr){ true, hpa + (g - gpa), perms, mt, 0 };
		}
		wt->before[i] = b;
		wt->after[i] = a;
	}
	fk.check = watch_check;
	fk.count_live = true;
	fk.live_writes = 0;
	fk.writes = 0;
}

void watch_end(void)
{
	fk.check = NULL;
	fk.count_live = false;
	for (size_t i = 0; i < wt->n; i++)
		assert_true(tr_eq(ref_translate(wt->gpas[i]), wt->after[i]));
	wt = NULL;
}
