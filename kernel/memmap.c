// SPDX-License-Identifier: GPL-2.0-only
/*
 * Normalizing the UEFI memory map: classification, clipping, overlap
 * resolution and merging, plus read-only queries on the result.
 *
 * Context: pure C, no global state besides const tables; runs in the core
 * at init and in the host unit tests (tests/unit/test_memmap.c).
 *
 * Overlaps are resolved by a sweep over descriptor boundaries that needs no
 * scratch memory: from the current position, one pass over the input finds
 * the descriptors covering it and the next boundary. That is O(n^2), which
 * MEMMAP_MAX_DESC keeps bounded, and it never sorts or edits the caller's
 * copy of the firmware map.
 */
#include "kernel/memmap.h"
#include "kernel/errno.h"

#define NO_BOUNDARY (~0ULL)

/*
 * Overlap ranking, higher wins. Reserved and MMIO first: treating either as
 * RAM can hang the machine. ACPI NVS and runtime memory belong to firmware
 * forever. Core and loader memory hold live or hand-over data. Guest and file
 * memory belong to a guest. Pool and free rank last because they are the
 * ranges longbus would write into.
 */
static const u8 class_rank[MEM_CLASS_COUNT] = {
	[MEM_FREE] = 0,	      [MEM_HV_POOL] = 1, [MEM_GUEST] = 2,
	[MEM_FILE] = 3,	      [MEM_BOOT] = 4,	 [MEM_HV_CORE] = 5,
	[MEM_FW_RUNTIME] = 6, [MEM_ACPI] = 7,	 [MEM_MMIO] = 8,
	[MEM_RESERVED] = 9,
};

static const char *const class_names[MEM_CLASS_COUNT] = {
	[MEM_FREE] = "free",	   [MEM_HV_CORE] = "hv-core",
	[MEM_HV_POOL] = "hv-pool", [MEM_GUEST] = "guest",
	[MEM_FILE] = "file",	   [MEM_BOOT] = "boot",
	[MEM_FW_RUNTIME] = "fw-runtime", [MEM_ACPI] = "acpi",
	[MEM_MMIO] = "mmio",	   [MEM_RESERVED] = "reserved",
};

static bool is_known_type(u32 t)
{
	return t <= EFI_UNACCEPTED || (t >= LB_MEMTYPE_CORE && t <= LB_MEMTYPE_LOWMEM);
}

enum mem_class memmap_classify(u32 efi_type)
{
	switch (efi_type) {
	case EFI_CONVENTIONAL:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		return MEM_FREE;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case LB_MEMTYPE_BOOT:
	case LB_MEMTYPE_LOWMEM:
		return MEM_BOOT;
	case LB_MEMTYPE_CORE:
		return MEM_HV_CORE;
	case LB_MEMTYPE_POOL:
		return MEM_HV_POOL;
	case LB_MEMTYPE_GUEST:
		return MEM_GUEST;
	case LB_MEMTYPE_FILE:
		return MEM_FILE;
	case EFI_RUNTIME_SERVICES_CODE:
	case EFI_RUNTIME_SERVICES_DATA:
		return MEM_FW_RUNTIME;
	case EFI_ACPI_RECLAIM:
	case EFI_ACPI_NVS:
		return MEM_ACPI;
	case EFI_MMIO:
	case EFI_MMIO_PORT_SPACE:
		return MEM_MMIO;
	default:
		/* Reserved, unusable, PAL, persistent, unaccepted and unknown. */
		return MEM_RESERVED;
	}
}

/* Free and pool shrink to whole pages; everything else grows to them. */
static bool shrinks_inward(enum mem_class cls)
{
	return cls == MEM_FREE || cls == MEM_HV_POOL;
}

/*
 * The page-aligned [*start, *end) a descriptor stands for, below
 * MEMMAP_PHYS_LIMIT. Returns false when nothing is left. *clipped tells
 * whether an edge moved.
 */
static bool desc_range(const struct bi_memdesc *d, u64 *start, u64 *end, bool *clipped)
{
	bool inward = shrinks_inward(memmap_classify(d->type));
	u64 s = d->base, e;

	*clipped = false;
	if (d->npages == 0 || s >= MEMMAP_PHYS_LIMIT)
		return false;
	/* Divide instead of multiplying: npages * 4096 may overflow. */
	if (d->npages > (MEMMAP_PHYS_LIMIT - s) / MEMMAP_PAGE_SIZE) {
		e = MEMMAP_PHYS_LIMIT;
		*clipped = true;
	} else {
		e = s + d->npages * MEMMAP_PAGE_SIZE;
	}
	if (!IS_ALIGNED(s, MEMMAP_PAGE_SIZE) || !IS_ALIGNED(e, MEMMAP_PAGE_SIZE)) {
		/* e <= MEMMAP_PHYS_LIMIT, which is aligned, so neither moves past it. */
		s = inward ? ALIGN_UP(s, MEMMAP_PAGE_SIZE) : ALIGN_DOWN(s, MEMMAP_PAGE_SIZE);
		e = inward ? ALIGN_DOWN(e, MEMMAP_PAGE_SIZE) : ALIGN_UP(e, MEMMAP_PAGE_SIZE);
		*clipped = true;
	}
	*start = s;
	*end = e;
	return s < e;
}

/* The winner among the descriptors covering one position. */
struct owner {
	enum mem_class cls;
	u32 type;
	u64 attr;
	u32 ncover;
	bool conflict; /* two covering descriptors disagree on the class */
};

/*
 * Within one class the higher type number wins (NVS over reclaim); equal
 * types pool their attributes. Both rules make the result independent of
 * the input order.
 */
static void owner_add(struct owner *o, const struct bi_memdesc *d)
{
	enum mem_class cls = memmap_classify(d->type);

	if (o->ncover++ == 0) {
		o->cls = cls;
		o->type = d->type;
		o->attr = d->attr;
		return;
	}
	if (cls != o->cls)
		o->conflict = true;
	if (class_rank[cls] > class_rank[o->cls] || (cls == o->cls && d->type > o->type)) {
		o->cls = cls;
		o->type = d->type;
		o->attr = d->attr;
	} else if (cls == o->cls && d->type == o->type) {
		o->attr |= d->attr;
	}
}

/*
 * One sweep step: who covers pos, and the next boundary after pos (the end
 * of the piece starting at pos, or the next start if nothing covers pos).
 * Returns NO_BOUNDARY when nothing lies at or after pos.
 */
static u64 sweep_at(const struct bi_memdesc *d, size_t n, u64 pos, struct owner *o)
{
	u64 next = NO_BOUNDARY;

	*o = (struct owner){ 0 };
	for (size_t i = 0; i < n; i++) {
		u64 s, e;
		bool clipped;

		if (!desc_range(&d[i], &s, &e, &clipped))
			continue;
		if (s <= pos && pos < e) {
			owner_add(o, &d[i]);
			next = min_u64(next, e);
		} else if (s > pos) {
			next = min_u64(next, s);
		}
	}
	return next;
}

/* Output with merging; counts past cap so -ENOSPC can say what is needed. */
struct emitter {
	struct mem_region *out;
	size_t cap;
	size_t count; /* regions flushed so far */
	bool have;
	struct mem_region cur; /* the region still growing */
};

static bool can_merge(const struct mem_region *a, const struct mem_region *b)
{
	return a->base + a->size == b->base && a->cls == b->cls &&
	       a->efi_type == b->efi_type && a->attr == b->attr;
}

static void emit_flush(struct emitter *em)
{
	if (!em->have)
		return;
	if (em->count < em->cap)
		em->out[em->count] = em->cur;
	em->count++;
	em->have = false;
}

static void emit(struct emitter *em, const struct mem_region *piece)
{
	if (em->have && can_merge(&em->cur, piece)) {
		em->cur.size += piece->size;
		return;
	}
	emit_flush(em);
	em->cur = *piece;
	em->have = true;
}

/* Counts per-descriptor repairs; the sweep itself only counts overlaps. */
static void count_repairs(const struct bi_memdesc *d, size_t n, struct memmap_stats *st)
{
	for (size_t i = 0; i < n; i++) {
		u64 s, e;
		bool clipped;
		bool kept = desc_range(&d[i], &s, &e, &clipped);

		if (!is_known_type(d[i].type))
			st->unknown++;
		if (!kept)
			st->dropped++;
		else if (clipped)
			st->clipped++;
	}
}

/* Turns the winner of a piece into its region, applying the conflict rule. */
static void owner_to_region(const struct owner *o, u64 start, u64 end,
			    struct mem_region *r)
{
	r->base = start;
	r->size = end - start;
	r->cls = o->cls;
	r->efi_type = o->type;
	r->attr = o->attr;
	if (o->conflict && (o->cls == MEM_FREE || o->cls == MEM_HV_POOL)) {
		r->cls = MEM_RESERVED;
		r->efi_type = EFI_RESERVED;
		r->attr = 0;
	}
}

int memmap_normalize(const struct bi_memdesc *desc, size_t ndesc,
		     struct mem_region *out, size_t cap, size_t *nout,
		     struct memmap_stats *stats)
{
	struct emitter em = { .out = out, .cap = cap };
	struct memmap_stats st = { 0 };
	u64 pos = 0;

	if (!nout || (ndesc && !desc) || (cap && !out))
		return -EINVAL;
	if (ndesc > MEMMAP_MAX_DESC)
		return -E2BIG;

	st.ndesc = (u32)ndesc;
	count_repairs(desc, ndesc, &st);
	for (;;) {
		struct owner o;
		struct mem_region piece;
		u64 next = sweep_at(desc, ndesc, pos, &o);

		if (next == NO_BOUNDARY)
			break;
		if (o.ncover) {
			owner_to_region(&o, pos, next, &piece);
			if (o.ncover > 1)
				st.overlaps++;
			if (o.conflict)
				st.conflicts++;
			emit(&em, &piece);
		}
		pos = next;
	}
	emit_flush(&em);

	if (stats)
		*stats = st;
	*nout = em.count;
	return em.count > cap ? -ENOSPC : 0;
}

u64 memmap_class_bytes(const struct mem_region *r, size_t n, enum mem_class cls)
{
	u64 total = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].cls == cls)
			total += r[i].size;
	return total;
}

bool memmap_class_is_ram(enum mem_class cls)
{
	return (unsigned)cls < MEM_CLASS_COUNT && cls != MEM_MMIO && cls != MEM_RESERVED;
}

paddr_t memmap_ram_top(const struct mem_region *r, size_t n)
{
	paddr_t top = 0;

	for (size_t i = 0; i < n; i++)
		if (memmap_class_is_ram(r[i].cls))
			top = max_u64(top, r[i].base + r[i].size);
	return top;
}

const struct mem_region *memmap_find(const struct mem_region *r, size_t n, paddr_t pa)
{
	size_t lo = 0, hi = n;

	/* Binary search for the last region with base <= pa. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].base <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	if (pa - r[lo - 1].base >= r[lo - 1].size)
		return NULL;
	return &r[lo - 1];
}

enum mem_class memmap_class_at(const struct mem_region *r, size_t n, paddr_t pa)
{
	const struct mem_region *hit = memmap_find(r, n, pa);

	return hit ? hit->cls : MEM_RESERVED;
}

const char *memmap_class_name(enum mem_class cls)
{
	if ((unsigned)cls >= MEM_CLASS_COUNT)
		return "invalid";
	return class_names[cls];
}
