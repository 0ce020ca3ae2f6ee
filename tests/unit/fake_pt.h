/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test double for the stage-2 builder (Hedron's Fake_memory and
 * Fake_page_alloc): tables live in fk.mem and are named by fake HPAs; every
 * write is counted, and counted as live when the table was reachable from
 * the root at that moment (with fk.count_live); the allocator hands out
 * zeroed tables until fk.budget runs out (-1: never) and fails the test on
 * frees of reachable or unallocated tables. The reference decoder reads raw
 * EPT/NPT bits written from the manuals (not from ept_regs.h/npt_regs.h) and
 * asserts every entry it meets is well formed.
 *
 * The watch samples GPAs around an operation; after EVERY write during it,
 * each must translate to its old or its new mapping: what a vCPU running
 * during the update can see.
 */
#ifndef LONGBUS_TESTS_FAKE_PT_H
#define LONGBUS_TESTS_FAKE_PT_H

#include "vmm/stage2.h"

#define K4 0x1000ULL
#define M2 0x200000ULL
#define G1 0x40000000ULL
#define NTABLES 2048
#define TABLE_BASE 0x7000000000ULL /* fake HPAs of the tables */

enum fake_kind { K_EPT, K_NPT };

struct fake {
	enum fake_kind kind;
	u64 mem[NTABLES][512];
	bool used[NTABLES];
	unsigned allocs, frees, outstanding;
	int budget;	     /* allocations still allowed; -1: unlimited */
	unsigned writes, live_writes;
	bool count_live;     /* count live writes (a full walk per write: slow) */
	bool destroying;     /* stage2_destroy frees reachable tables, legitimately */
	void (*check)(void); /* run after every write */
	struct stage2 s2;    /* the tree under test, over ops */
	struct pt_mem ops;
};

extern struct fake fk;

/* A translation as the reference decoder sees it. */
struct tr {
	bool mapped;
	u64 hpa;
	u32 perms;
	int mt;
	unsigned level;
};

/* Resets fk for kind and builds an empty tree; 0. */
int fake_setup(enum fake_kind kind);
/* Destroys the tree and checks the allocator balances (unless a watch was cut short); 0. */
int fake_teardown(void);

/* The fake slot of table t; fails the test unless t is an allocated table. */
unsigned slot_of(paddr_t t);
struct tr ref_translate(u64 gpa);
/* Same mapping, whatever the page size. */
bool tr_eq(struct tr a, struct tr b);
/* Checks every reachable entry, that no table is reached twice; returns the tables reached. */
unsigned ref_audit(paddr_t find, bool *found);

enum wop { W_MAP, W_UNMAP, W_PROTECT };
void watch_begin(enum wop op, u64 gpa, u64 size, u64 hpa, u32 perms, int mt);
void watch_end(void);

#endif
