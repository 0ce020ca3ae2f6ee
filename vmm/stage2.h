/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The second-stage (guest-physical to host-physical) page-table builder,
 * shared by EPT (vmm/vmx/ept.c) and NPT (vmm/svm/npt.c). Four levels, 4 KiB
 * tables of 512 64-bit entries, 48-bit guest-physical addresses.
 *
 * Pure C. Tables are reached only through struct pt_mem and entries are
 * built and decoded only through struct stage2_format, so the builder knows no
 * bit of either format and runs unchanged in tests/unit against a fake.
 *
 * Levels: 0 = page table (4 KiB leaves), 1 = page directory (2 MiB leaves),
 * 2 = PDPT (1 GiB leaves), 3 = PML4 (never a leaf).
 *
 * Live tables and the TLB. The tables may be in use by running vCPUs while
 * they change, so every change to a reachable entry is one write of a
 * complete new entry, and a split builds the whole new subtree off to the
 * side before linking it with that one write. A vCPU therefore sees, for
 * every address, either the old or the new translation. Changing or
 * removing a present entry sets *flush: the caller must then invalidate
 * (INVEPT on VMX, TLB_CONTROL on SVM) on every CPU running the VM before it
 * relies on the old translation being gone. Filling a non-present entry
 * needs no flush: neither EPT nor NPT caches non-present entries.
 *
 * Tables are never freed while the tree lives, because a CPU may still hold
 * a pointer to one in its paging-structure cache until the flush: unmap
 * leaves empty tables in place and a later map reuses them (with smaller
 * pages below them, see stage2_map). stage2_destroy frees every table.
 *
 * Context: any CPU. No locking inside: the caller serializes all calls on
 * one tree (reads by hardware walkers need no lock, see above).
 */
#ifndef LONGBUS_VMM_STAGE2_H
#define LONGBUS_VMM_STAGE2_H

#include "kernel/compiler.h"

#define STAGE2_LEVELS 4
#define STAGE2_ENTRIES 512
#define STAGE2_GPA_BITS 48 /* what 4 levels translate */
#define STAGE2_HPA_BITS 52 /* the widest address either format holds */

/* Neutral access rights. Every mapping includes STAGE2_READ. */
#define STAGE2_READ BIT(0)
#define STAGE2_WRITE BIT(1)
#define STAGE2_EXEC BIT(2)
#define STAGE2_RWX (STAGE2_READ | STAGE2_WRITE | STAGE2_EXEC)

/* Page sizes a map may use, as a mask of BIT(level). 4 KiB is always allowed. */
#define STAGE2_PAGE_4K BIT(0)
#define STAGE2_PAGE_2M BIT(1)
#define STAGE2_PAGE_1G BIT(2)
#define STAGE2_PAGES_ALL (STAGE2_PAGE_4K | STAGE2_PAGE_2M | STAGE2_PAGE_1G)

enum stage2_memtype {
	STAGE2_MT_WB, /* guest RAM */
	STAGE2_MT_UC, /* device memory */
};

/* Bytes one entry at level covers: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static inline u64 stage2_level_size(unsigned level)
{
	return 1ULL << (12 + 9 * level);
}

/*
 * Memory and allocation for tables. A table is named by its host-physical
 * address; entries by their index 0..511. None of these may block.
 */
struct pt_mem {
	u64 (*read)(void *ctx, paddr_t table, unsigned idx);
	void (*write)(void *ctx, paddr_t table, unsigned idx, u64 val);
	/* One 4 KiB, 4 KiB-aligned, ZEROED table. Returns 0 or -ENOMEM. */
	int (*alloc)(void *ctx, paddr_t *table);
	/* Returns a table from alloc; it is no longer reachable by any walker. */
	void (*free)(void *ctx, paddr_t table);
	void *ctx;
};

/*
 * An entry format, supplied by a backend as a const table (ept_format,
 * npt_format). An all-zero entry must be non-present.
 */
struct stage2_format {
	const char *name;
	/* A leaf at level 0..2 mapping hpa (aligned to the level's size). */
	u64 (*leaf)(paddr_t hpa, unsigned level, u32 perms, enum stage2_memtype mt);
	/* A non-leaf entry at level 1..3 pointing at the table at table. */
	u64 (*table)(paddr_t table, unsigned level);
	bool (*is_present)(u64 e);
	/* For a present e at level: always at 0, the large bit at 1..2, never at 3. */
	bool (*is_leaf)(u64 e, unsigned level);
	/* The page address of a leaf, or the table address of a non-leaf. */
	paddr_t (*addr)(u64 e, unsigned level);
	/* The STAGE2_* rights of a leaf. */
	u32 (*perms)(u64 e);
	enum stage2_memtype (*memtype)(u64 e, unsigned level);
};

/* One tree. Fill with stage2_init; treat the fields as read-only. */
struct stage2 {
	paddr_t root; /* the level-3 table: EPTP / nCR3 is built from this */
	const struct pt_mem *mem;
	const struct stage2_format *fmt;
};

/* One leaf mapping as stage2_walk reports it. */
struct stage2_leaf {
	u64 gpa;     /* first byte, aligned to size */
	paddr_t hpa; /* first byte, aligned to size */
	u64 size;    /* 4 KiB, 2 MiB or 1 GiB */
	unsigned level;
	u32 perms;
	enum stage2_memtype memtype;
};

/* Return nonzero to stop the walk; stage2_walk then returns that value. */
typedef int (*stage2_walk_fn)(void *ctx, const struct stage2_leaf *leaf);

/*
 * Allocates an empty root. mem and fmt are kept by pointer and must outlive
 * the tree. Returns 0, -EINVAL for NULL arguments, -ENOMEM.
 */
int stage2_init(struct stage2 *s2, const struct pt_mem *mem,
		const struct stage2_format *fmt) __must_check;

/*
 * Frees every table, the root included. No CPU may use the tree any more
 * (the caller has flushed it everywhere). s2->root is 0 afterwards; a
 * second call does nothing.
 */
void stage2_destroy(struct stage2 *s2);

/*
 * Maps [gpa, gpa + size) to [hpa, hpa + size) with perms and mt, each page
 * as large as page_sizes, the alignment of gpa and hpa, and the remaining
 * length allow. Where an earlier unmap left a table under a range that a
 * large page would cover, smaller pages are used below that table instead.
 *
 * The range must be unmapped: mapping over any existing leaf is -EEXIST
 * (remapping is an explicit unmap + map, so that the flush it needs is
 * visible to the caller). A map is all or nothing: on any error the part
 * already mapped is unmapped again, which needs no allocation; tables it
 * allocated stay (empty) until destroy. *flush is set if a present entry
 * was removed (only by such a rollback), and left alone otherwise.
 *
 * Returns 0; -EINVAL for gpa, hpa or size not 4 KiB-aligned, size 0, a
 * range past 2^48 (GPA) or 2^52 (HPA), perms without STAGE2_READ or with
 * unknown bits, an unknown mt or NULL flush; -EEXIST; -ENOMEM.
 */
int stage2_map(struct stage2 *s2, u64 gpa, paddr_t hpa, u64 size, u32 perms,
	       enum stage2_memtype mt, u32 page_sizes, bool *flush) __must_check;

/*
 * Removes every mapping in [gpa, gpa + size). Holes are skipped. A large
 * page that the range covers only in part is split: its replacement
 * subtree (up to two levels, at each end of the range) is allocated, filled
 * and linked with one write, so the rest of it stays mapped throughout.
 * All tables a call needs are allocated before anything changes, so on
 * -ENOMEM nothing has changed. *flush is set if any present entry changed.
 *
 * Returns 0; -EINVAL for an unaligned or empty range, one past 2^48, or
 * NULL flush; -ENOMEM.
 */
int stage2_unmap(struct stage2 *s2, u64 gpa, u64 size, bool *flush) __must_check;

/*
 * Sets the rights of every mapping in [gpa, gpa + size) to perms, keeping
 * addresses and memory types; splits like stage2_unmap, with the same
 * all-or-nothing -ENOMEM. Holes are skipped. Entries that already have
 * perms are not written. *flush is set if any present entry changed.
 *
 * Returns 0; -EINVAL as stage2_unmap, or for perms as stage2_map; -ENOMEM.
 */
int stage2_protect(struct stage2 *s2, u64 gpa, u64 size, u32 perms,
		   bool *flush) __must_check;

/*
 * Translates gpa. Each out pointer may be NULL. *hpa is the address gpa
 * maps to (not the page start); *level is the leaf's level (0..2).
 *
 * Returns 0, or -ENOENT when gpa is not mapped (or past 2^48).
 */
int stage2_lookup(const struct stage2 *s2, u64 gpa, paddr_t *hpa, u32 *perms,
		  unsigned *level) __must_check;

/*
 * Calls cb once per leaf, in increasing GPA order, e.g. for the boot audit
 * that no guest mapping points at memory another owner holds. cb must not
 * change the tree. Returns 0 after the last leaf, or cb's first nonzero
 * return.
 */
int stage2_walk(const struct stage2 *s2, stage2_walk_fn cb, void *ctx);

#endif
