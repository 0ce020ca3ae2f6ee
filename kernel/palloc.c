// SPDX-License-Identifier: GPL-2.0-only
/*
 * Physical page allocator over the hypervisor's pool: one bitmap per pool
 * region, stored in the region's first pages, next-fit search.
 *
 * Context: pure C, no global state; the caller serializes calls (see
 * palloc.h). Runs in the core and in tests/unit/test_palloc.c.
 *
 * Every bitmap access goes through phys_to_virt for the bitmap page that
 * holds the word, and never assumes two pages are virtually contiguous, so
 * the caller may change how physical memory is mapped (bootstrap tables,
 * then the direct map) without telling the allocator.
 */
#include "kernel/palloc.h"
#include "kernel/errno.h"
#include "kernel/klib.h"

#define BITS_PER_WORD 64ULL
#define WORDS_PER_PAGE (PALLOC_PAGE_SIZE / 8)
#define BITS_PER_PAGE (PALLOC_PAGE_SIZE * 8)

/* The bitmap word w of region r. Init checked that every bitmap page maps. */
static u64 *bm_word(const struct palloc *pa, const struct palloc_region *r, u64 w)
{
	paddr_t page = r->base + (w / WORDS_PER_PAGE) * PALLOC_PAGE_SIZE;
	u64 *p = pa->ops.phys_to_virt(pa->ops.ctx, page);

	return p + (w % WORDS_PER_PAGE);
}

/*
 * The first page index in [from, to) whose bit equals want_used, or to if
 * none. Word at a time, so a full pool is skipped at 64 pages per load.
 */
static u64 bm_find(const struct palloc *pa, const struct palloc_region *r,
		   u64 from, u64 to, bool want_used)
{
	while (from < to) {
		u64 w = from / BITS_PER_WORD;
		u64 word = *bm_word(pa, r, w);

		if (!want_used)
			word = ~word;
		word &= ~0ULL << (from % BITS_PER_WORD);
		if (word) {
			u64 hit = w * BITS_PER_WORD + (u64)__builtin_ctzll(word);

			return hit < to ? hit : to;
		}
		from = (w + 1) * BITS_PER_WORD;
	}
	return to;
}

static void bm_set(const struct palloc *pa, const struct palloc_region *r,
		   u64 first, u64 n, bool used)
{
	while (n) {
		u64 bit = first % BITS_PER_WORD;
		u64 cnt = min_u64(BITS_PER_WORD - bit, n);
		u64 mask = (cnt == BITS_PER_WORD ? ~0ULL : BIT(cnt) - 1) << bit;
		u64 *w = bm_word(pa, r, first / BITS_PER_WORD);

		*w = used ? (*w | mask) : (*w & ~mask);
		first += cnt;
		n -= cnt;
	}
}

/*
 * The first start s in [lo, hi) such that pages s..s+n-1 are free, lie in
 * the region, and the physical frame of s is a multiple of align. Returns
 * false when there is none.
 */
static bool region_search(const struct palloc *pa, const struct palloc_region *r,
			  u64 lo, u64 hi, u64 n, u64 align, u64 *found)
{
	u64 base_pfn = r->base >> PALLOC_PAGE_SHIFT;
	u64 s = lo;

	while (s < hi) {
		u64 used;

		s = bm_find(pa, r, s, hi, false);
		if (s >= hi)
			return false;
		/* Aligning the frame number, not the index: regions start anywhere. */
		s = ALIGN_UP(base_pfn + s, align) - base_pfn;
		/* s only grows, so a run that does not fit now never will. */
		if (s >= hi || n > r->npages - s)
			return false;
		used = bm_find(pa, r, s, s + n, true);
		if (used == s + n) {
			*found = s;
			return true;
		}
		s = used + 1;
	}
	return false;
}

/* Zeroes pages first..first+n-1 of r; -EFAULT if one cannot be reached. */
static int zero_pages(const struct palloc *pa, const struct palloc_region *r,
		      u64 first, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		paddr_t page = r->base + (first + i) * PALLOC_PAGE_SIZE;
		void *v = pa->ops.phys_to_virt(pa->ops.ctx, page);

		if (!v)
			return -EFAULT;
		memset(v, 0, PALLOC_PAGE_SIZE);
	}
	return 0;
}

/* The index of the region whose pages contain addr (bitmap included), or -1. */
static int region_index(const struct palloc *pa, paddr_t addr)
{
	for (u32 i = 0; i < pa->nregions; i++) {
		const struct palloc_region *r = &pa->regions[i];

		if (addr >= r->base && (addr - r->base) >> PALLOC_PAGE_SHIFT < r->npages)
			return (int)i;
	}
	return -1;
}

/* The end of m, saturated: only pool regions must not wrap, and they are checked. */
static u64 region_end(const struct mem_region *m)
{
	return m->base + m->size < m->base ? ~0ULL : m->base + m->size;
}

/* -EINVAL if pool region r[i] wraps or overlaps any other region of r. */
static int check_pool_region(const struct mem_region *r, size_t n, size_t i)
{
	const struct mem_region *p = &r[i];

	if (p->base + p->size < p->base)
		return -EINVAL;
	for (size_t j = 0; j < n; j++) {
		if (j == i || !r[j].size || !p->size)
			continue;
		if (r[j].base < region_end(p) && p->base < region_end(&r[j]))
			return -EINVAL;
	}
	return 0;
}

/* Takes the whole pages of pool region m, bitmap in front. */
static int add_region(struct palloc *pa, const struct mem_region *m)
{
	struct palloc_region *r;
	u64 start, end, npages, meta;

	if (m->base > ~0ULL - PALLOC_PAGE_SIZE) {
		pa->regions_small++;
		return 0;
	}
	start = ALIGN_UP(m->base, PALLOC_PAGE_SIZE);
	end = ALIGN_DOWN(m->base + m->size, PALLOC_PAGE_SIZE);
	npages = end > start ? (end - start) >> PALLOC_PAGE_SHIFT : 0;
	meta = (npages + BITS_PER_PAGE - 1) / BITS_PER_PAGE;
	if (npages <= meta) {
		pa->regions_small++;
		return 0;
	}
	if (pa->nregions == PALLOC_MAX_REGIONS) {
		pa->regions_ignored++;
		return 0;
	}

	r = &pa->regions[pa->nregions];
	*r = (struct palloc_region){
		.base = start,
		.npages = npages,
		.meta_pages = meta,
		.free_pages = npages - meta,
		.hint = meta,
	};
	/* Zeroing also proves that every bitmap page maps, which bm_word relies on. */
	if (zero_pages(pa, r, 0, meta))
		return -EFAULT;
	bm_set(pa, r, 0, meta, true);
	pa->nregions++;
	pa->total_pages += r->free_pages;
	pa->free_pages += r->free_pages;
	return 0;
}

int palloc_init(struct palloc *pa, const struct mem_region *r, size_t n,
		const struct palloc_ops *ops)
{
	if (!pa || !ops || !ops->phys_to_virt || (n && !r))
		return -EINVAL;

	*pa = (struct palloc){ .ops = *ops };
	for (size_t i = 0; i < n; i++) {
		int err;

		if (r[i].cls != MEM_HV_POOL)
			continue;
		err = check_pool_region(r, n, i);
		if (err)
			return err;
		err = add_region(pa, &r[i]);
		if (err)
			return err;
	}
	return pa->total_pages ? 0 : -ENOMEM;
}

/* Marks a found run used and hands it out. */
static int take(struct palloc *pa, struct palloc_region *r, u64 s, u64 n, paddr_t *out)
{
	int err = zero_pages(pa, r, s, n);

	if (err)
		return err;
	bm_set(pa, r, s, n, true);
	r->free_pages -= n;
	pa->free_pages -= n;
	r->hint = s + n < r->npages ? s + n : r->meta_pages;
	*out = r->base + s * PALLOC_PAGE_SIZE;
	return 0;
}

int palloc_alloc(struct palloc *pa, size_t npages, size_t align_pages, paddr_t *out)
{
	if (!pa || !out || npages == 0 || align_pages == 0 ||
	    (align_pages & (align_pages - 1)))
		return -EINVAL;
	if (npages > pa->free_pages)
		return -ENOMEM;

	for (u32 i = 0; i < pa->nregions; i++) {
		struct palloc_region *r = &pa->regions[i];
		u64 s;

		if (r->free_pages < npages)
			continue;
		/* Next fit: from the hint to the end, then the part before it. */
		if (region_search(pa, r, r->hint, r->npages, npages, align_pages, &s) ||
		    region_search(pa, r, r->meta_pages, r->hint, npages, align_pages, &s))
			return take(pa, r, s, npages, out);
	}
	return -ENOMEM;
}

int palloc_free(struct palloc *pa, paddr_t base, size_t npages)
{
	struct palloc_region *r;
	u64 first;
	int i;

	if (!pa || npages == 0 || !IS_ALIGNED(base, PALLOC_PAGE_SIZE))
		return -EINVAL;
	i = region_index(pa, base);
	if (i < 0)
		return -EINVAL;
	r = &pa->regions[i];
	first = (base - r->base) >> PALLOC_PAGE_SHIFT;
	if (first < r->meta_pages || npages > r->npages - first)
		return -EINVAL;
	/* Check the whole range before touching it, so a bad free changes nothing. */
	if (bm_find(pa, r, first, first + npages, false) != first + npages)
		return -EINVAL;

	bm_set(pa, r, first, npages, false);
	r->free_pages += npages;
	pa->free_pages += npages;
	return 0;
}

void palloc_stats(const struct palloc *pa, u64 *total_pages, u64 *free_pages)
{
	if (total_pages)
		*total_pages = pa->total_pages;
	if (free_pages)
		*free_pages = pa->free_pages;
}

bool palloc_owns(const struct palloc *pa, paddr_t addr)
{
	int i = region_index(pa, addr);

	return i >= 0 &&
	       (addr - pa->regions[i].base) >> PALLOC_PAGE_SHIFT >= pa->regions[i].meta_pages;
}
