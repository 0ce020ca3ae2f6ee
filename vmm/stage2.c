// SPDX-License-Identifier: GPL-2.0-only
/*
 * The second-stage page-table builder (see vmm/stage2.h for the contract).
 *
 * Environment: pure C; tables through struct pt_mem, entries through struct
 * stage2_format. No locks, no logging, no globals. Recursion is bounded by
 * the four levels.
 *
 * How a split stays atomic: unmap and protect first count the tables the
 * range's two ends need (split_need), allocate them all, and only then
 * touch the tree. A partly covered large page is replaced by a subtree
 * built in tables nobody can reach yet, with the operation already applied
 * inside it, and linked with one write. Tables left over (a protect that
 * changes nothing splits nothing) go back at once.
 */
#include "vmm/stage2.h"

#include "kernel/errno.h"

#define TOP_LEVEL (STAGE2_LEVELS - 1)
#define PAGE_4K 4096ULL
#define GPA_LIMIT (1ULL << STAGE2_GPA_BITS)
#define HPA_LIMIT (1ULL << STAGE2_HPA_BITS)
/* Each end of a range can split a 1 GiB page into 2 MiB and one of those into 4 KiB. */
#define SPLIT_TABLES_MAX 4

enum range_op { OP_UNMAP, OP_PROTECT };

/* One unmap or protect call. */
struct range_ctx {
	const struct stage2 *s2;
	enum range_op op;
	u32 perms; /* OP_PROTECT */
	u64 start, end;
	paddr_t pool[SPLIT_TABLES_MAX]; /* preallocated, zeroed, unreachable */
	unsigned npool;
	bool flush;
};

static unsigned index_of(u64 gpa, unsigned level)
{
	return (gpa >> (12 + 9 * level)) & (STAGE2_ENTRIES - 1);
}

static u64 rd(const struct stage2 *s2, paddr_t table, unsigned idx)
{
	return s2->mem->read(s2->mem->ctx, table, idx);
}

static void wr(const struct stage2 *s2, paddr_t table, unsigned idx, u64 val)
{
	s2->mem->write(s2->mem->ctx, table, idx, val);
}

/* A present entry at level that points at a lower table. */
static bool is_table(const struct stage2 *s2, u64 e, unsigned level)
{
	return level > 0 && !s2->fmt->is_leaf(e, level);
}

static bool perms_valid(u32 perms)
{
	return (perms & STAGE2_READ) && !(perms & ~(u32)STAGE2_RWX);
}

static bool gpa_range_valid(u64 gpa, u64 size)
{
	return size && IS_ALIGNED(gpa, PAGE_4K) && IS_ALIGNED(size, PAGE_4K) &&
	       gpa < GPA_LIMIT && size <= GPA_LIMIT - gpa;
}

int stage2_init(struct stage2 *s2, const struct pt_mem *mem,
		const struct stage2_format *fmt)
{
	paddr_t root;
	int ret;

	if (!s2 || !mem || !fmt)
		return -EINVAL;
	ret = mem->alloc(mem->ctx, &root);
	if (ret)
		return ret;
	s2->root = root;
	s2->mem = mem;
	s2->fmt = fmt;
	return 0;
}

static void free_tree(const struct stage2 *s2, paddr_t table, unsigned level)
{
	for (unsigned i = 0; level > 0 && i < STAGE2_ENTRIES; i++) {
		u64 e = rd(s2, table, i);

		if (s2->fmt->is_present(e) && is_table(s2, e, level))
			free_tree(s2, s2->fmt->addr(e, level), level - 1);
	}
	s2->mem->free(s2->mem->ctx, table);
}

void stage2_destroy(struct stage2 *s2)
{
	if (!s2 || !s2->root)
		return;
	free_tree(s2, s2->root, TOP_LEVEL);
	s2->root = 0;
}

/* The largest allowed level that gpa, hpa and the remaining length fit. */
static unsigned pick_level(u64 gpa, paddr_t hpa, u64 left, u32 page_sizes)
{
	for (unsigned level = 2; level > 0; level--) {
		u64 size = stage2_level_size(level);

		if ((page_sizes & BIT(level)) && IS_ALIGNED(gpa | hpa, size) && left >= size)
			return level;
	}
	return 0;
}

/*
 * Maps one page at gpa of level max_level, or smaller where a table is
 * already in the way: the first non-present entry at or below max_level
 * on the path becomes the leaf. Missing tables above it are linked empty
 * (a zeroed table is complete), so each write is a whole, valid entry.
 */
static int map_one(const struct stage2 *s2, u64 gpa, paddr_t hpa, unsigned max_level,
		   u32 perms, enum stage2_memtype mt, u64 *mapped)
{
	const struct stage2_format *f = s2->fmt;
	paddr_t table = s2->root;

	for (unsigned level = TOP_LEVEL;; level--) {
		unsigned i = index_of(gpa, level);
		u64 e = rd(s2, table, i);

		if (f->is_present(e)) {
			if (!is_table(s2, e, level))
				return -EEXIST;
			table = f->addr(e, level);
			continue;
		}
		if (level <= max_level) {
			wr(s2, table, i, f->leaf(hpa, level, perms, mt));
			*mapped = stage2_level_size(level);
			return 0;
		}

		paddr_t next;
		int ret = s2->mem->alloc(s2->mem->ctx, &next);

		if (ret)
			return ret;
		wr(s2, table, i, f->table(next, level));
		table = next;
	}
}

/* The entry op makes of leaf e at level when the range covers all of it. */
static u64 op_leaf(const struct range_ctx *c, u64 e, unsigned level)
{
	const struct stage2_format *f = c->s2->fmt;

	if (c->op == OP_UNMAP)
		return 0;
	return f->leaf(f->addr(e, level), level, c->perms, f->memtype(e, level));
}

static bool covers(const struct range_ctx *c, u64 base, u64 size)
{
	return base >= c->start && base + size <= c->end;
}

static bool overlaps(const struct range_ctx *c, u64 base, u64 size)
{
	return base < c->end && base + size > c->start;
}

/*
 * Builds, in a pool table nobody can reach, the table that replaces large
 * leaf e (at level, mapping GPA base) with the operation applied, recursing
 * for children the range covers in part. On error every table it took is
 * freed again and nothing reachable changed.
 */
static int split(struct range_ctx *c, u64 e, unsigned level, u64 base, paddr_t *out)
{
	const struct stage2 *s2 = c->s2;
	const struct stage2_format *f = s2->fmt;
	unsigned cl = level - 1;
	u64 csize = stage2_level_size(cl);
	paddr_t hpa = f->addr(e, level);
	u32 perms = f->perms(e);
	enum stage2_memtype mt = f->memtype(e, level);
	paddr_t t;

	if (!c->npool)
		return -ENOMEM; /* split_need undercounted: refuse, change nothing */
	t = c->pool[--c->npool];

	for (unsigned i = 0; i < STAGE2_ENTRIES; i++) {
		u64 cbase = base + i * csize;
		u64 child = f->leaf(hpa + i * csize, cl, perms, mt);

		if (covers(c, cbase, csize)) {
			child = op_leaf(c, child, cl);
		} else if (cl > 0 && overlaps(c, cbase, csize)) {
			paddr_t sub;
			int ret = split(c, child, cl, cbase, &sub);

			if (ret) {
				free_tree(s2, t, cl);
				return ret;
			}
			child = f->table(sub, cl);
		}
		if (child) /* the table came zeroed */
			wr(s2, t, i, child);
	}
	*out = t;
	return 0;
}

/* Applies c's operation to the part of [start, end) under table (level, GPA base). */
static int range_table(struct range_ctx *c, paddr_t table, unsigned level, u64 base)
{
	const struct stage2 *s2 = c->s2;
	const struct stage2_format *f = s2->fmt;
	u64 size = stage2_level_size(level);
	u64 lo = max_u64(c->start, base);

	for (unsigned i = index_of(lo, level); i < STAGE2_ENTRIES; i++) {
		u64 ebase = base + i * size;
		u64 e;
		int ret;

		if (ebase >= c->end)
			break;
		e = rd(s2, table, i);
		if (!f->is_present(e))
			continue;
		if (is_table(s2, e, level)) {
			ret = range_table(c, f->addr(e, level), level - 1, ebase);
			if (ret)
				return ret;
			continue;
		}
		if (c->op == OP_PROTECT && f->perms(e) == c->perms)
			continue; /* nothing to change, so nothing to split either */
		if (covers(c, ebase, size)) {
			wr(s2, table, i, op_leaf(c, e, level));
			c->flush = true;
			continue;
		}

		paddr_t sub;

		ret = split(c, e, level, ebase, &sub);
		if (ret)
			return ret;
		wr(s2, table, i, f->table(sub, level));
		c->flush = true;
	}
	return 0;
}

/* A large page to split: its level and GPA. */
struct split_point {
	unsigned level;
	u64 base;
};

/*
 * The splits boundary b forces: the large leaf containing b, then each
 * child containing b, down to the first level b is aligned to. At most 2.
 */
static unsigned split_chain(const struct stage2 *s2, u64 b, struct split_point *out)
{
	const struct stage2_format *f = s2->fmt;
	paddr_t table = s2->root;
	unsigned level, n = 0;

	if (b >= GPA_LIMIT)
		return 0;
	for (level = TOP_LEVEL;; level--) {
		u64 e = rd(s2, table, index_of(b, level));

		if (!f->is_present(e) || level == 0)
			return 0;
		if (!is_table(s2, e, level))
			break;
		table = f->addr(e, level);
	}
	for (; level > 0 && !IS_ALIGNED(b, stage2_level_size(level)); level--)
		out[n++] = (struct split_point){ level, ALIGN_DOWN(b, stage2_level_size(level)) };
	return n;
}

/* Tables [start, end) needs: one per split, a page split for both ends counted once. */
static unsigned split_need(const struct stage2 *s2, u64 start, u64 end)
{
	struct split_point a[2], z[2];
	unsigned na = split_chain(s2, start, a), nz = split_chain(s2, end, z);
	unsigned need = na + nz;

	for (unsigned i = 0; i < na; i++)
		for (unsigned j = 0; j < nz; j++)
			if (a[i].level == z[j].level && a[i].base == z[j].base)
				need--;
	return need;
}

static int range_apply(struct range_ctx *c)
{
	const struct pt_mem *mem = c->s2->mem;
	unsigned need = split_need(c->s2, c->start, c->end);
	int ret = 0;

	for (c->npool = 0; c->npool < need; c->npool++) {
		ret = mem->alloc(mem->ctx, &c->pool[c->npool]);
		if (ret)
			break;
	}
	if (!ret)
		ret = range_table(c, c->s2->root, TOP_LEVEL, 0);
	while (c->npool)
		mem->free(mem->ctx, c->pool[--c->npool]);
	return ret;
}

int stage2_map(struct stage2 *s2, u64 gpa, paddr_t hpa, u64 size, u32 perms,
	       enum stage2_memtype mt, u32 page_sizes, bool *flush)
{
	u64 done = 0;
	int ret = 0;

	if (!s2 || !s2->root || !flush || !gpa_range_valid(gpa, size) ||
	    !IS_ALIGNED(hpa, PAGE_4K) || hpa >= HPA_LIMIT || size > HPA_LIMIT - hpa ||
	    !perms_valid(perms) || (mt != STAGE2_MT_WB && mt != STAGE2_MT_UC) ||
	    (page_sizes & ~(u32)STAGE2_PAGES_ALL))
		return -EINVAL;

	while (done < size) {
		unsigned level = pick_level(gpa + done, hpa + done, size - done, page_sizes);
		u64 step = 0;

		ret = map_one(s2, gpa + done, hpa + done, level, perms, mt, &step);
		if (ret)
			break;
		done += step;
	}
	if (ret && done) {
		/*
		 * Roll back. Every leaf in [gpa, gpa + done) is one this call
		 * placed, aligned to its own size inside the range, so the
		 * unmap splits nothing and cannot fail.
		 */
		struct range_ctx c = { .s2 = s2, .op = OP_UNMAP, .start = gpa, .end = gpa + done };

		(void)range_table(&c, s2->root, TOP_LEVEL, 0);
		*flush |= c.flush;
	}
	return ret;
}

int stage2_unmap(struct stage2 *s2, u64 gpa, u64 size, bool *flush)
{
	struct range_ctx c = { .s2 = s2, .op = OP_UNMAP, .start = gpa, .end = gpa + size };
	int ret;

	if (!s2 || !s2->root || !flush || !gpa_range_valid(gpa, size))
		return -EINVAL;
	ret = range_apply(&c);
	*flush |= c.flush;
	return ret;
}

int stage2_protect(struct stage2 *s2, u64 gpa, u64 size, u32 perms, bool *flush)
{
	struct range_ctx c = { .s2 = s2, .op = OP_PROTECT, .perms = perms,
			       .start = gpa, .end = gpa + size };
	int ret;

	if (!s2 || !s2->root || !flush || !gpa_range_valid(gpa, size) || !perms_valid(perms))
		return -EINVAL;
	ret = range_apply(&c);
	*flush |= c.flush;
	return ret;
}

int stage2_lookup(const struct stage2 *s2, u64 gpa, paddr_t *hpa, u32 *perms,
		  unsigned *level)
{
	const struct stage2_format *f;
	paddr_t table;

	if (!s2 || !s2->root || gpa >= GPA_LIMIT)
		return -ENOENT;
	f = s2->fmt;
	table = s2->root;
	for (unsigned l = TOP_LEVEL;; l--) {
		u64 e = rd(s2, table, index_of(gpa, l));

		if (!f->is_present(e))
			return -ENOENT;
		if (is_table(s2, e, l)) {
			table = f->addr(e, l);
			continue;
		}
		if (hpa)
			*hpa = f->addr(e, l) + (gpa & (stage2_level_size(l) - 1));
		if (perms)
			*perms = f->perms(e);
		if (level)
			*level = l;
		return 0;
	}
}

static int walk_table(const struct stage2 *s2, paddr_t table, unsigned level, u64 base,
		      stage2_walk_fn cb, void *ctx)
{
	const struct stage2_format *f = s2->fmt;
	u64 size = stage2_level_size(level);

	for (unsigned i = 0; i < STAGE2_ENTRIES; i++) {
		u64 e = rd(s2, table, i);
		int ret;

		if (!f->is_present(e))
			continue;
		if (is_table(s2, e, level)) {
			ret = walk_table(s2, f->addr(e, level), level - 1, base + i * size, cb, ctx);
		} else {
			struct stage2_leaf leaf = {
				.gpa = base + i * size,
				.hpa = f->addr(e, level),
				.size = size,
				.level = level,
				.perms = f->perms(e),
				.memtype = f->memtype(e, level),
			};
			ret = cb(ctx, &leaf);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int stage2_walk(const struct stage2 *s2, stage2_walk_fn cb, void *ctx)
{
	if (!s2 || !s2->root || !cb)
		return -EINVAL;
	return walk_table(s2, s2->root, TOP_LEVEL, 0, cb, ctx);
}
