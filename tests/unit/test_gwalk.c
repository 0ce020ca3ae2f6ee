// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for vmm/gwalk.c, the guest page-table walker.
 *
 * Guest RAM is a 4 MiB array at GPA 0; anything else is "MMIO" and the
 * fake's read/write/cmpxchg return -EFAULT there, as the core's must. The
 * fake counts accesses, rejects reads that cross a 4 KiB page (the ops'
 * contract), and can lose compare-exchanges to a simulated racing guest.
 * Paging bits are written here from the SDM (vol. 3, ch. 4), not taken
 * from vmm/gwalk.c, and error codes are checked as exact values.
 *
 * Build: gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -I. tests/unit/test_gwalk.c vmm/gwalk.c -lcmocka
 */
#include "vmm/gwalk.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"

#define RAM_SIZE (4u << 20)

#define CR0_PE (1ULL << 0)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

#define P 0x1ULL
#define RW 0x2ULL
#define US 0x4ULL
#define A 0x20ULL
#define D 0x40ULL
#define PS 0x80ULL
#define NX (1ULL << 63)

static struct gmem {
	u8 ram[RAM_SIZE];
	unsigned reads, writes, cmpxchgs;
	int races; /* the next n compare-exchanges lose to the "guest" */
} gm;

static int fake_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	assert_ptr_equal(ctx, &gm);
	assert_true(len > 0 && (gpa & 0xfff) + len <= 0x1000);
	gm.reads++;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, gm.ram + gpa, len);
	return 0;
}

static int fake_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	assert_ptr_equal(ctx, &gm);
	assert_true(len > 0 && (gpa & 0xfff) + len <= 0x1000);
	gm.writes++;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(gm.ram + gpa, buf, len);
	return 0;
}

static int fake_cmpxchg(void *ctx, u64 gpa, u64 old, u64 new, unsigned size)
{
	u64 cur = 0;

	assert_ptr_equal(ctx, &gm);
	assert_true((size == 4 || size == 8) && gpa % size == 0);
	gm.cmpxchgs++;
	if (gpa >= RAM_SIZE)
		return -EFAULT;
	if (gm.races > 0) { /* the guest got there first: it counts in ignored bits 11:9 */
		gm.races--;
		gm.ram[gpa + 1] = (u8)((gm.ram[gpa + 1] & ~0x0e) | ((gm.ram[gpa + 1] + 2) & 0x0e));
	}
	memcpy(&cur, gm.ram + gpa, size);
	if (cur != old)
		return -EBUSY;
	memcpy(gm.ram + gpa, &new, size);
	return 0;
}

static const struct gwalk_mem mem = { fake_read, fake_write, fake_cmpxchg, &gm };

static void put32(u64 gpa, u32 v) { memcpy(gm.ram + gpa, &v, 4); }
static void put64(u64 gpa, u64 v) { memcpy(gm.ram + gpa, &v, 8); }
static u32 get32(u64 gpa) { u32 v; memcpy(&v, gm.ram + gpa, 4); return v; }
static u64 get64(u64 gpa) { u64 v; memcpy(&v, gm.ram + gpa, 8); return v; }

static int setup(void **state)
{
	(void)state;
	memset(&gm, 0, sizeof(gm));
	return 0;
}

/* Translate and expect success at want. */
static void expect_gpa(const struct gwalk_cpu *c, u64 gva, u32 access, u64 want)
{
	struct gwalk_fault f = { 0 };
	u64 gpa = 0;

	assert_int_equal(gwalk_translate(c, &mem, gva, access, &gpa, &f), 0);
	assert_int_equal(gpa, want);
}

/* Translate and expect #PF with exactly this error code, at gva. */
static void expect_pf(const struct gwalk_cpu *c, u64 gva, u32 access, u32 ec)
{
	struct gwalk_fault f = { 0 };
	u64 gpa = 0;

	assert_int_equal(gwalk_translate(c, &mem, gva, access, &gpa, &f), GWALK_FAULT);
	assert_int_equal(f.vector, 14);
	assert_int_equal(f.error_code, ec);
	assert_int_equal(f.addr, gva);
}

/* ---- paging off ---- */

static void test_paging_off_is_identity_and_wraps_at_4g(void **state)
{
	(void)state;
	struct gwalk_cpu c = { .cr0 = CR0_PE, .maxphyaddr = 36 };

	expect_gpa(&c, 0x12345678, 0, 0x12345678);
	expect_gpa(&c, 0x100001234ULL, GWALK_WRITE, 0x1234);
	assert_int_equal(gm.reads + gm.cmpxchgs, 0);
}

/* ---- 32-bit paging: CR3 0x1000, PD -> PT at 0x2000 ---- */

#define GVA32 0x00c03456u /* PDE 3, PTE 3 */

static struct gwalk_cpu cpu32(void)
{
	return (struct gwalk_cpu){ .cr0 = CR0_PG | CR0_PE | CR0_WP, .cr3 = 0x1000,
				   .efer = EFER_NXE, .maxphyaddr = 40 };
}

static void test_32bit_walk_sets_accessed_then_dirty_on_write(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu32();

	put32(0x1000 + 3 * 4, 0x2000 | P | RW | US);
	put32(0x2000 + 3 * 4, 0x5000 | P | RW | US);
	expect_gpa(&c, GVA32 | 0x1000000000ULL, GWALK_PEEK, 0x5456); /* bits 63:32 dropped */
	assert_int_equal(get32(0x100c) & (A | D), 0);
	expect_gpa(&c, GVA32, 0, 0x5456);
	assert_int_equal(get32(0x100c), 0x2000 | P | RW | US | A);
	assert_int_equal(get32(0x200c), 0x5000 | P | RW | US | A);
	expect_gpa(&c, GVA32, GWALK_WRITE | GWALK_USER, 0x5456);
	assert_int_equal(get32(0x100c), 0x2000 | P | RW | US | A); /* D only in the leaf */
	assert_int_equal(get32(0x200c), 0x5000 | P | RW | US | A | D);
}

static void test_32bit_pse_4m_page_takes_pse36_address_bits(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu32();

	c.cr4 = CR4_PSE;
	put32(0x1000 + 3 * 4, 0x00c00000 | (0x12u << 13) | PS | P | RW);
	expect_gpa(&c, GVA32, GWALK_WRITE, 0x1200c03456ULL);
	assert_int_equal(get32(0x100c) & (A | D), A | D); /* the 4M PDE is the leaf */
	c.maxphyaddr = 36; /* 0x12 << 13 has bit 17 set: reserved below 40 bits */
	expect_pf(&c, GVA32, 0, 0x9);
	put32(0x1000 + 3 * 4, 0x00c00000 | (1u << 21) | PS | P); /* bit 21 always reserved */
	c.maxphyaddr = 40;
	expect_pf(&c, GVA32, GWALK_WRITE, 0xb);
}

static void test_32bit_ps_is_ignored_without_cr4_pse(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu32();

	put32(0x1000 + 3 * 4, 0x2000 | PS | P | RW);
	put32(0x2000 + 3 * 4, 0x7000 | P | RW);
	expect_gpa(&c, GVA32, 0, 0x7456);
}

static void test_32bit_fetch_faults_have_no_id_bit_without_smep(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu32(); /* EFER.NXE set, but 32-bit paging has no XD */

	put32(0x1000 + 3 * 4, 0x2000 | P | RW | US);
	expect_pf(&c, GVA32, GWALK_FETCH | GWALK_USER, 0x4);
	put32(0x2000 + 3 * 4, 0x5000 | P | US);
	c.cr4 = CR4_SMEP;
	expect_pf(&c, GVA32, GWALK_FETCH, 0x11);
}

/* ---- PAE: PDPT at CR3 (32-byte aligned), PD 0x2000, PT 0x3000 ---- */

#define GVA_PAE 0x80604567u /* PDPTE 2, PDE 3, PTE 4 */

static struct gwalk_cpu cpu_pae(void)
{
	return (struct gwalk_cpu){ .cr0 = CR0_PG | CR0_PE | CR0_WP, .cr3 = 0x1020,
				   .cr4 = CR4_PAE, .efer = EFER_NXE, .maxphyaddr = 36 };
}

static void test_pae_walk_reads_pdptes_from_cr3_or_takes_loaded_ones(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_pae();

	put64(0x1020 + 2 * 8, 0x2000 | P);
	put64(0x2000 + 3 * 8, 0x3000 | P | RW);
	put64(0x3000 + 4 * 8, 0x6000 | P | RW);
	expect_gpa(&c, GVA_PAE, GWALK_WRITE, 0x6567);
	assert_int_equal(get64(0x1030), 0x2000 | P); /* PDPTEs have no A bit */
	assert_int_equal(get64(0x3020), 0x6000 | P | RW | A | D);

	c.pdptes_valid = true; /* loaded at MOV CR3: memory no longer matters */
	c.pdpte[2] = 0x2000 | P;
	put64(0x1020 + 2 * 8, 0);
	expect_gpa(&c, GVA_PAE, 0, 0x6567);
	c.pdpte[2] = 0;
	put64(0x1020 + 2 * 8, 0x2000 | P);
	expect_pf(&c, GVA_PAE, GWALK_USER, 0x4);
}

static void test_pae_2m_page_and_pdpte_faults(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_pae();

	put64(0x1020 + 2 * 8, 0x2000 | P);
	put64(0x2000 + 3 * 8, 0x800000 | PS | P | RW); /* PS honoured without CR4.PSE */
	expect_gpa(&c, GVA_PAE, 0, 0x804567);
	put64(0x2000 + 3 * 8, 0x800000 | (1ULL << 13) | PS | P); /* 2M: bits 20:13 reserved */
	expect_pf(&c, GVA_PAE, 0, 0x9);
	put64(0x2000 + 3 * 8, 0x800000 | PS | P | RW);
	put64(0x1020 + 2 * 8, 0x2000 | P | RW); /* PDPTE bit 1 is reserved */
	expect_pf(&c, GVA_PAE, GWALK_WRITE, 0xb);
	put64(0x1020 + 2 * 8, 0x2000 | P | (1ULL << 5)); /* and bits 8:5 */
	expect_pf(&c, GVA_PAE, 0, 0x9);
	put64(0x1020 + 2 * 8, 0x2000 | P | (1ULL << 40)); /* above MAXPHYADDR 36 */
	expect_pf(&c, GVA_PAE, 0, 0x9);
	put64(0x1020 + 2 * 8, 0x2000);
	expect_pf(&c, GVA_PAE, GWALK_WRITE | GWALK_USER, 0x6);
}

static void test_pae_nx_bit_is_reserved_without_efer_nxe(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_pae();

	put64(0x1020 + 2 * 8, 0x2000 | P);
	put64(0x2000 + 3 * 8, 0x3000 | P | RW | US);
	put64(0x3000 + 4 * 8, 0x6000 | P | RW | US | NX);
	expect_gpa(&c, GVA_PAE, 0, 0x6567);
	expect_pf(&c, GVA_PAE, GWALK_FETCH, 0x11);
	expect_pf(&c, GVA_PAE, GWALK_FETCH | GWALK_USER, 0x15);
	c.efer = 0;
	expect_pf(&c, GVA_PAE, 0, 0x9);
	expect_pf(&c, GVA_PAE, GWALK_FETCH, 0x9); /* no I/D without NX paging or SMEP */
	put64(0x3000 + 4 * 8, 0x6000 | P | RW | (1ULL << 60)); /* PAE reserves 62:52 */
	c.efer = EFER_NXE;
	expect_pf(&c, GVA_PAE, 0, 0x9);
}

/* ---- 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000 ---- */

#define GVA_LM 0x0000008080604567ULL /* PML4E 1, PDPTE 2, PDE 3, PTE 4 */
#define PAGE_LM 0x300000ULL

static struct gwalk_cpu cpu_long(void)
{
	return (struct gwalk_cpu){ .cr0 = CR0_PG | CR0_PE | CR0_WP, .cr3 = 0x1000,
				   .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA | EFER_NXE,
				   .maxphyaddr = 48 };
}

static void build_long(u64 upper, u64 leaf)
{
	put64(0x1000 + 1 * 8, 0x2000 | upper);
	put64(0x2000 + 2 * 8, 0x3000 | upper);
	put64(0x3000 + 3 * 8, 0x4000 | upper);
	put64(0x4000 + 4 * 8, PAGE_LM | leaf);
}

static void test_long_mode_maps_4k_2m_and_1g_pages(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_long();

	build_long(P | RW | US, P | RW | US);
	expect_gpa(&c, GVA_LM, GWALK_WRITE, PAGE_LM + 0x567);
	for (u64 e = 0x1008; e <= 0x3018; e += 0x1008) /* 0x1008, 0x2010, 0x3018 */
		assert_int_equal(get64(e) & (A | D), A);
	assert_int_equal(get64(0x4020) & (A | D), A | D);
	put64(0x3000 + 3 * 8, 0x40000000 | PS | P | RW); /* 2M: GPA need not be RAM */
	expect_gpa(&c, GVA_LM, GWALK_WRITE, 0x40004567);
	assert_int_equal(get64(0x3018) & (A | D), A | D);
	put64(0x2000 + 2 * 8, 0x1c0000000ULL | (1ULL << 12) | PS | P); /* 1G, bit 12 = PAT */
	expect_gpa(&c, GVA_LM, 0, 0x1c0604567ULL);
	build_long(P | RW | US | (1ULL << 60), P | RW | US | (0x7fULL << 52)); /* 62:52 ignored */
	expect_gpa(&c, GVA_LM, 0, PAGE_LM + 0x567);
}

static void test_long_mode_non_canonical_address_is_gp(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_long();
	struct gwalk_fault f = { 0 };
	u64 gpa = 0;

	assert_int_equal(gwalk_translate(&c, &mem, 0x0000800000000000ULL, 0, &gpa, &f), GWALK_FAULT);
	assert_int_equal(f.vector, 13);
	assert_int_equal(f.error_code, 0);
	assert_int_equal(gm.reads, 0);
	put64(0x1000 + 511 * 8, 0x2000 | P | RW); /* the higher half is fine */
	put64(0x2000 + 510 * 8, 0x80000000ULL | PS | P | RW);
	expect_gpa(&c, 0xffffffff80001234ULL, 0, 0x80001234ULL);
}

static void test_long_mode_reserved_bits_fault_with_rsvd(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_long();

	build_long(P | RW | US, P | RW | US | (1ULL << 51));
	expect_pf(&c, GVA_LM, GWALK_USER, 0xd);
	c.maxphyaddr = 52; /* now bit 51 is an address bit */
	expect_gpa(&c, GVA_LM, GWALK_USER, (1ULL << 51) | PAGE_LM | 0x567);
	build_long(P | RW | US, P | RW | US);
	put64(0x1000 + 1 * 8, 0x2000 | PS | P | RW); /* PS in a PML4E */
	expect_pf(&c, GVA_LM, GWALK_WRITE, 0xb);
	build_long(P | RW, P | RW);
	put64(0x3000 + 3 * 8, 0x40000000 | (1ULL << 20) | PS | P);
	expect_pf(&c, GVA_LM, 0, 0x9);
	put64(0x2000 + 2 * 8, 0x40000000 | (1ULL << 29) | PS | P);
	expect_pf(&c, GVA_LM, GWALK_FETCH, 0x19);
	assert_int_equal(get64(0x1008) & A, 0); /* failed walks set nothing */
}

/* ---- rights: table-driven, 4-level, upper = flags of the three upper levels ---- */

static const struct perm_case {
	const char *what;
	u64 upper, leaf, cr0, cr4, efer;
	u32 access;
	int ec; /* -1: allowed */
} perm_cases[] = {
#define LM (EFER_LME | EFER_LMA | EFER_NXE)
	{ "user read, supervisor page", P | RW | US, P | RW, CR0_WP, 0, LM, GWALK_USER, 0x5 },
	{ "user read, supervisor PDE", P | RW, P | RW | US, CR0_WP, 0, LM, GWALK_USER, 0x5 },
	{ "user read, user page", P | RW | US, P | US, CR0_WP, 0, LM, GWALK_USER, -1 },
	{ "user write, read-only page", P | RW | US, P | US, 0, 0, LM, GWALK_USER | GWALK_WRITE, 0x7 },
	{ "user write, read-only upper", P | US, P | RW | US, 0, 0, LM, GWALK_USER | GWALK_WRITE, 0x7 },
	{ "kernel write, read-only, WP=0", P | RW, P, 0, 0, LM, GWALK_WRITE, -1 },
	{ "kernel write, read-only, WP=1", P | RW, P, CR0_WP, 0, LM, GWALK_WRITE, 0x3 },
	{ "kernel write, RO upper, WP=1", P, P | RW, CR0_WP, 0, LM, GWALK_WRITE, 0x3 },
	{ "kernel write, user page", P | RW | US, P | RW | US, CR0_WP, 0, LM, GWALK_WRITE, -1 },
	{ "kernel fetch, NX page", P | RW, P | NX, CR0_WP, 0, LM, GWALK_FETCH, 0x11 },
	{ "user fetch, NX upper", (P | RW | US) | NX, P | US, 0, 0, LM, GWALK_FETCH | GWALK_USER, 0x15 },
	{ "read, NX page", P | RW, P | NX, 0, 0, LM, 0, -1 },
	{ "kernel fetch, user page", P | US, P | US, 0, 0, LM, GWALK_FETCH, -1 },
	{ "kernel fetch, user page, SMEP", P | US, P | US, 0, CR4_SMEP, LM, GWALK_FETCH, 0x11 },
	{ "kernel fetch, SMEP, PDE kernel", P, P | US, 0, CR4_SMEP, LM, GWALK_FETCH, -1 },
	{ "kernel read, user page, SMAP", P | US, P | US, 0, CR4_SMAP, LM, 0, 0x1 },
	{ "kernel write, user page, SMAP", P | RW | US, P | RW | US, 0, CR4_SMAP, LM, GWALK_WRITE, 0x3 },
	{ "kernel read, SMAP, AC=1", P | US, P | US, 0, CR4_SMAP, LM, GWALK_AC, -1 },
	{ "kernel write, SMAP, AC=1", P | RW | US, P | RW | US, 0, CR4_SMAP, LM,
	  GWALK_WRITE | GWALK_AC, -1 },
	{ "user read, SMAP", P | US, P | US, 0, CR4_SMAP, LM, GWALK_USER, -1 },
	{ "kernel read, not present", P | RW, 0, 0, 0, LM, 0, 0x0 },
	{ "user write, not present", P | RW | US, RW | US, 0, 0, LM, GWALK_USER | GWALK_WRITE, 0x6 },
	{ "user fetch, not present", P | RW | US, 0, 0, 0, LM, GWALK_USER | GWALK_FETCH, 0x14 },
	{ "user fetch, not present, NXE=0", P | RW | US, 0, 0, 0, EFER_LME | EFER_LMA,
	  GWALK_USER | GWALK_FETCH, 0x4 },
	{ "kernel fetch, not present, SMEP, NXE=0", P, 0, 0, CR4_SMEP, EFER_LME | EFER_LMA,
	  GWALK_FETCH, 0x10 },
	{ "kernel write, reserved bit", P | RW, P | RW | (1ULL << 50), 0, 0, LM, GWALK_WRITE, 0xb },
	{ "user read, reserved beats rights", P | RW, P | RW | (1ULL << 50), 0, 0, LM, GWALK_USER, 0xd },
	{ "not present beats upper rights", P | RW, 0, 0, 0, LM, GWALK_USER, 0x4 },
#undef LM
};

static void test_rights_fault_with_exact_error_codes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(perm_cases) / sizeof(perm_cases[0]); i++) {
		const struct perm_case *pc = &perm_cases[i];
		struct gwalk_cpu c = cpu_long();
		struct gwalk_fault f = { 0 };
		u64 gpa = 0;
		int ret;

		memset(gm.ram, 0, 0x5000);
		build_long(pc->upper, pc->leaf);
		c.cr0 |= pc->cr0;
		c.cr0 &= pc->cr0 & CR0_WP ? ~0ULL : ~CR0_WP;
		c.cr4 |= pc->cr4;
		c.efer = pc->efer;
		ret = gwalk_translate(&c, &mem, GVA_LM, pc->access, &gpa, &f);
		if (pc->ec < 0) {
			if (ret != 0)
				fail_msg("%s: got %d (ec 0x%x), want success", pc->what, ret, f.error_code);
			assert_int_equal(gpa, PAGE_LM + 0x567);
		} else if (ret != GWALK_FAULT || f.vector != 14 || (int)f.error_code != pc->ec ||
			   f.addr != GVA_LM) {
			fail_msg("%s: got %d vector %u ec 0x%x, want #PF 0x%x", pc->what, ret,
				 f.vector, f.error_code, pc->ec);
		} else {
			assert_int_equal(get64(0x1008) & A, 0); /* no A on a fault */
		}
	}
}

/* ---- memory, races, copies ---- */

static void test_tables_outside_ram_are_efault_but_final_gpa_may_be_mmio(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_long();
	struct gwalk_fault f;
	u64 gpa;

	build_long(P | RW, P | RW);
	put64(0x4000 + 4 * 8, 0xfee00000 | P | RW);
	expect_gpa(&c, GVA_LM, GWALK_WRITE, 0xfee00567);
	put64(0x3000 + 3 * 8, 0x80000000ULL | P | RW); /* a page table in a hole */
	assert_int_equal(gwalk_translate(&c, &mem, GVA_LM, 0, &gpa, &f), -EFAULT);
	c.cr3 = 0x7ffff000;
	assert_int_equal(gwalk_translate(&c, &mem, GVA_LM, 0, &gpa, &f), -EFAULT);
	c = cpu_pae();
	c.cr3 = 0x7fffffe0; /* PDPTEs read from a hole */
	assert_int_equal(gwalk_translate(&c, &mem, 0, 0, &gpa, &f), -EFAULT);
}

static void test_accessed_dirty_update_retries_when_the_guest_races(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_long();
	struct gwalk_fault f;
	u64 gpa;

	build_long(P | RW, P | RW);
	gm.races = 2;
	expect_gpa(&c, GVA_LM, GWALK_WRITE, PAGE_LM + 0x567);
	assert_int_equal(get64(0x4020) & (A | D), A | D);
	assert_int_equal(get64(0x1008) & 0xe00, 0x400); /* the guest's own changes survived */
	build_long(P | RW, P | RW);
	gm.races = 100;
	unsigned n = gm.cmpxchgs;

	assert_int_equal(gwalk_translate(&c, &mem, GVA_LM, 0, &gpa, &f), -EBUSY);
	assert_int_equal(gm.cmpxchgs - n, 4); /* a bounded number of retries */
	gm.races = 0;
	n = gm.cmpxchgs;

	expect_gpa(&c, GVA_LM, 0, PAGE_LM + 0x567); /* A set everywhere now */
	expect_gpa(&c, GVA_LM, 0, PAGE_LM + 0x567);
	assert_true(gm.cmpxchgs - n <= 4); /* the second walk writes nothing */
	n = gm.cmpxchgs;
	expect_gpa(&c, GVA_LM, 0, PAGE_LM + 0x567);
	assert_int_equal(gm.cmpxchgs, n);
}

static void test_copies_cross_pages_and_fault_before_writing(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_long();
	struct gwalk_fault f = { 0 };
	u8 buf[8] = { 0 }, src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	build_long(P | RW | US, P | RW | US);
	put64(0x4000 + 5 * 8, 0x100000 | P | US); /* next page: read-only, elsewhere */
	memcpy(gm.ram + PAGE_LM + 0xffc, "abcd", 4);
	memcpy(gm.ram + 0x100000, "efgh", 4);
	u64 end = (GVA_LM & ~0xfffULL) + 0xffc;

	assert_int_equal(gwalk_read(&c, &mem, end, buf, 8, GWALK_USER, &f), 0);
	assert_memory_equal(buf, "abcdefgh", 8);
	assert_int_equal(gwalk_write(&c, &mem, end, src, 8, GWALK_USER, &f), GWALK_FAULT);
	assert_int_equal(f.error_code, 0x7);
	assert_int_equal(f.addr, end + 4);
	assert_memory_equal(gm.ram + PAGE_LM + 0xffc, "abcd", 4); /* nothing written */
	assert_int_equal(gwalk_write(&c, &mem, end - 4, src, 4, GWALK_USER, &f), 0);
	assert_memory_equal(gm.ram + PAGE_LM + 0xff8, src, 4);
	put64(0x4000 + 4 * 8, 0xfee00000 | P | RW | US); /* string operand in MMIO */
	assert_int_equal(gwalk_read(&c, &mem, GVA_LM, buf, 4, 0, &f), -EFAULT);
	assert_int_equal(gwalk_read(&c, &mem, GVA_LM, buf, 0, 0, &f), -EINVAL);
	assert_int_equal(gwalk_read(&c, &mem, GVA_LM, buf, GWALK_COPY_MAX + 1, 0, &f), -EINVAL);
}

static void test_copies_wrap_at_4g_outside_long_mode(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu32();
	struct gwalk_fault f = { 0 };
	u8 buf[4];

	put32(0x1000 + 1023 * 4, 0x2000 | P | RW); /* 0xfffff000 -> 0x6000 */
	put32(0x2000 + 1023 * 4, 0x6000 | P | RW);
	put32(0x1000, 0x3000 | P | RW);		  /* 0x00000000 -> 0x7000 */
	put32(0x3000, 0x7000 | P | RW);
	memcpy(gm.ram + 0x6ffe, "wx", 2);
	memcpy(gm.ram + 0x7000, "yz", 2);
	assert_int_equal(gwalk_read(&c, &mem, 0xfffffffe, buf, 4, 0, &f), 0);
	assert_memory_equal(buf, "wxyz", 4);
}

static void test_bad_arguments_and_unsupported_modes(void **state)
{
	(void)state;
	struct gwalk_cpu c = cpu_long();
	struct gwalk_mem nocx = { fake_read, fake_write, NULL, &gm };
	struct gwalk_fault f;
	u64 gpa;

	c.cr4 |= CR4_LA57;
	assert_int_equal(gwalk_translate(&c, &mem, 0, 0, &gpa, &f), -ENOTSUP);
	c = cpu_long();
	c.cr0 &= ~CR0_PG;
	assert_int_equal(gwalk_translate(&c, &mem, 0, 0, &gpa, &f), -EINVAL);
	c = cpu_long();
	c.maxphyaddr = 31;
	assert_int_equal(gwalk_translate(&c, &mem, 0, 0, &gpa, &f), -EINVAL);
	c.maxphyaddr = 53;
	assert_int_equal(gwalk_translate(&c, &mem, 0, 0, &gpa, &f), -EINVAL);
	c.maxphyaddr = 48;
	assert_int_equal(gwalk_translate(&c, &mem, 0, GWALK_WRITE | GWALK_FETCH, &gpa, &f), -EINVAL);
	assert_int_equal(gwalk_translate(&c, &mem, 0, 1u << 7, &gpa, &f), -EINVAL);
	assert_int_equal(gwalk_translate(&c, &nocx, 0, 0, &gpa, &f), -EINVAL);
	assert_int_equal(gwalk_translate(&c, &mem, 0, 0, NULL, &f), -EINVAL);
	assert_int_equal(gwalk_translate(NULL, &mem, 0, 0, &gpa, &f), -EINVAL);
	build_long(P | RW, P | RW);
	expect_gpa(&c, GVA_LM, GWALK_PEEK, PAGE_LM + 0x567);
	assert_int_equal(gwalk_translate(&c, &nocx, GVA_LM, GWALK_PEEK, &gpa, &f), 0);
	assert_int_equal(get64(0x1008) & A, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_paging_off_is_identity_and_wraps_at_4g, setup),
		cmocka_unit_test_setup(test_32bit_walk_sets_accessed_then_dirty_on_write, setup),
		cmocka_unit_test_setup(test_32bit_pse_4m_page_takes_pse36_address_bits, setup),
		cmocka_unit_test_setup(test_32bit_ps_is_ignored_without_cr4_pse, setup),
		cmocka_unit_test_setup(test_32bit_fetch_faults_have_no_id_bit_without_smep, setup),
		cmocka_unit_test_setup(test_pae_walk_reads_pdptes_from_cr3_or_takes_loaded_ones, setup),
		cmocka_unit_test_setup(test_pae_2m_page_and_pdpte_faults, setup),
		cmocka_unit_test_setup(test_pae_nx_bit_is_reserved_without_efer_nxe, setup),
		cmocka_unit_test_setup(test_long_mode_maps_4k_2m_and_1g_pages, setup),
		cmocka_unit_test_setup(test_long_mode_non_canonical_address_is_gp, setup),
		cmocka_unit_test_setup(test_long_mode_reserved_bits_fault_with_rsvd, setup),
		cmocka_unit_test_setup(test_rights_fault_with_exact_error_codes, setup),
		cmocka_unit_test_setup(test_tables_outside_ram_are_efault_but_final_gpa_may_be_mmio, setup),
		cmocka_unit_test_setup(test_accessed_dirty_update_retries_when_the_guest_races, setup),
		cmocka_unit_test_setup(test_copies_cross_pages_and_fault_before_writing, setup),
		cmocka_unit_test_setup(test_copies_wrap_at_4g_outside_long_mode, setup),
		cmocka_unit_test_setup(test_bad_arguments_and_unsupported_modes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
