// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for kernel/acpi.c, the ACPI table parser.
 *
 * The tables OVMF published on QEMU q35 with two CPUs
 * (tests/unit/data/qemu-q35-smp2, see its README.md) are loaded into a fake
 * physical memory at the addresses they came from; each test then damages
 * them (bad checksums, truncated lengths, zero-length entries, wild
 * pointers) or installs synthetic tables, and checks what acpi_parse()
 * keeps and what it reports. Every region is its own exact-size heap block,
 * so AddressSanitizer catches any read past what map() handed out.
 *
 * Context: hosted, cmocka. Build from the repo root:
 *   gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined -I. \
 *       tests/unit/test_acpi.c kernel/acpi.c -lcmocka -o /tmp/ta && /tmp/ta
 * The data directory is found next to this file (via __FILE__) or in
 * $ACPI_TEST_DATA.
 */
#include "kernel/acpi.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/errno.h"

/* Where each captured table lived (README.md lists the same). */
#define Q35_RSDP 0x1fb7e014ULL
#define Q35_RSDT 0x1fb7d074ULL
#define Q35_XSDT 0x1fb7d0e8ULL
#define Q35_FACP 0x1fb79000ULL
#define Q35_DSDT 0x1fb7a000ULL
#define Q35_FACS 0x1fbdd000ULL
#define Q35_APIC 0x1fb78000ULL
#define Q35_HPET 0x1fb77000ULL
#define Q35_MCFG 0x1fb76000ULL
#define Q35_WAET 0x1fb75000ULL
#define Q35_BGRT 0x1fb74000ULL
#define Q35_DSDT_LEN 8411
#define UNMAPPED 0xdead0000ULL /* no region anywhere near */
#define SPARE 0x30000000ULL    /* free address for extra synthetic tables */

static const struct capture_file {
	const char *name;
	paddr_t pa;
} q35_files[] = {
	{ "rsdp-1fb7e014.bin", Q35_RSDP }, { "rsdt-1fb7d074.bin", Q35_RSDT },
	{ "xsdt-1fb7d0e8.bin", Q35_XSDT }, { "facp-1fb79000.bin", Q35_FACP },
	{ "dsdt-1fb7a000.bin", Q35_DSDT }, { "facs-1fbdd000.bin", Q35_FACS },
	{ "apic-1fb78000.bin", Q35_APIC }, { "hpet-1fb77000.bin", Q35_HPET },
	{ "mcfg-1fb76000.bin", Q35_MCFG }, { "waet-1fb75000.bin", Q35_WAET },
	{ "bgrt-1fb74000.bin", Q35_BGRT },
};
#define N_FILES ARRAY_SIZE(q35_files)

/* Spec offsets the tests poke at (ACPI 6.5). */
#define SDT_LEN_OFF 4
#define SDT_CSUM_OFF 9
#define RSDP_CSUM_OFF 8
#define RSDP_REV_OFF 15
#define RSDP_LEN_OFF 20
#define RSDP_XSDT_OFF 24
#define RSDP_XCSUM_OFF 32
#define FADT_DSDT_OFF 40
#define FADT_PM_TMR_BLK_OFF 76
#define FADT_FLAGS_OFF 112
#define FADT_X_DSDT_OFF 140
#define FADT_X_PM_TMR_OFF 208

/* ---- Fake physical memory ---- */

struct region {
	paddr_t pa;
	u8 *buf;
	size_t len;
};

#define MAX_REGIONS 32

struct fake_mem {
	struct region r[MAX_REGIONS];
	size_t n;
	size_t max_map_len; /* largest length map() was asked for */
};

static const void *fake_map(void *ctx, paddr_t pa, size_t len)
{
	struct fake_mem *fm = ctx;
	size_t i;

	if (len > fm->max_map_len)
		fm->max_map_len = len;
	for (i = 0; i < fm->n; i++) {
		const struct region *r = &fm->r[i];

		if (pa >= r->pa && pa - r->pa <= r->len && len <= r->len - (pa - r->pa))
			return r->buf + (pa - r->pa);
	}
	return NULL;
}

/* The pristine capture, read once for the whole group. */
static struct region pristine[N_FILES];

struct t {
	struct fake_mem fm;
	struct acpi_mem mem;
	struct acpi_info info;
};

static void data_path(char *buf, size_t size, const char *name)
{
	const char *env = getenv("ACPI_TEST_DATA");
	const char *slash = strrchr(__FILE__, '/');
	int dirlen = slash ? (int)(slash - __FILE__ + 1) : 0;

	if (env)
		snprintf(buf, size, "%s/%s", env, name);
	else
		snprintf(buf, size, "%.*sdata/qemu-q35-smp2/%s", dirlen, __FILE__, name);
}

static int group_setup(void **state)
{
	char path[512];
	size_t i;
	FILE *f;
	long n;

	(void)state;
	for (i = 0; i < N_FILES; i++) {
		data_path(path, sizeof(path), q35_files[i].name);
		f = fopen(path, "rb");
		if (!f) {
			fprintf(stderr, "cannot open %s\n", path);
			return -1;
		}
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		pristine[i].pa = q35_files[i].pa;
		pristine[i].len = (size_t)n;
		pristine[i].buf = malloc((size_t)n);
		if (!pristine[i].buf || fread(pristine[i].buf, 1, (size_t)n, f) != (size_t)n) {
			fclose(f);
			return -1;
		}
		fclose(f);
	}
	return 0;
}

static int group_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_FILES; i++)
		free(pristine[i].buf);
	return 0;
}

static void *xmemdup(const void *p, size_t n)
{
	void *q = malloc(n);

	assert_non_null(q);
	memcpy(q, p, n);
	return q;
}

static void regions_free(struct t *t)
{
	size_t i;

	for (i = 0; i < t->fm.n; i++)
		free(t->fm.r[i].buf);
	t->fm.n = 0;
}

static void regions_restore(struct t *t)
{
	size_t i;

	regions_free(t);
	for (i = 0; i < N_FILES; i++) {
		t->fm.r[i] = pristine[i];
		t->fm.r[i].buf = xmemdup(pristine[i].buf, pristine[i].len);
	}
	t->fm.n = N_FILES;
	t->fm.max_map_len = 0;
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->mem.map = fake_map;
	t->mem.ctx = &t->fm;
	regions_restore(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	regions_free(t);
	free(t);
	return 0;
}

static struct region *region_at(struct t *t, paddr_t pa)
{
	size_t i;

	for (i = 0; i < t->fm.n; i++)
		if (t->fm.r[i].pa == pa)
			return &t->fm.r[i];
	fail_msg("no region at %#llx", (unsigned long long)pa);
	return NULL;
}

static u8 *mem_at(struct t *t, paddr_t pa)
{
	return region_at(t, pa)->buf;
}

/* Put buf (malloc'd, ownership passes) at pa, replacing what was there. */
static void region_set(struct t *t, paddr_t pa, u8 *buf, size_t len)
{
	size_t i;

	for (i = 0; i < t->fm.n; i++) {
		if (t->fm.r[i].pa == pa) {
			free(t->fm.r[i].buf);
			t->fm.r[i].buf = buf;
			t->fm.r[i].len = len;
			return;
		}
	}
	assert_true(t->fm.n < MAX_REGIONS);
	t->fm.r[t->fm.n++] = (struct region){ .pa = pa, .buf = buf, .len = len };
}

/* Shrink the region at pa to its first len bytes (a fresh exact-size block). */
static void region_truncate(struct t *t, paddr_t pa, size_t len)
{
	struct region *r = region_at(t, pa);

	assert_true(len <= r->len);
	region_set(t, pa, xmemdup(r->buf, len), len);
}

static void region_remove(struct t *t, paddr_t pa)
{
	struct region *r = region_at(t, pa);

	free(r->buf);
	*r = t->fm.r[--t->fm.n];
}

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

/* memmem is a GNU extension; -std=c11 does not declare it. */
static const u8 *find_bytes(const u8 *hay, size_t n, const void *needle, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* Make bytes [0, n) of a table sum to zero by adjusting the byte at csum_off. */
static void checksum_fix(u8 *p, size_t n, size_t csum_off)
{
	u8 sum = 0;
	size_t i;

	p[csum_off] = 0;
	for (i = 0; i < n; i++)
		sum += p[i];
	p[csum_off] = (u8)-sum;
}

/* Re-checksum the SDT at pa over min(its length field, its buffer). */
static void sdt_fix(struct t *t, paddr_t pa)
{
	struct region *r = region_at(t, pa);
	size_t n = get32(r->buf + SDT_LEN_OFF);

	checksum_fix(r->buf, n < r->len ? n : r->len, SDT_CSUM_OFF);
}

static void rsdp_fix(struct t *t)
{
	struct region *r = region_at(t, Q35_RSDP);

	checksum_fix(r->buf, 20, RSDP_CSUM_OFF);
	if (r->len >= 36)
		checksum_fix(r->buf, 36, RSDP_XCSUM_OFF);
}

/* Install a well-formed SDT with the given body at pa. */
static void install_sdt(struct t *t, paddr_t pa, const char *sig, const void *body, size_t body_len)
{
	size_t len = 36 + body_len;
	u8 *tb = calloc(1, len);

	assert_non_null(tb);
	memcpy(tb, sig, 4);
	put32(tb + SDT_LEN_OFF, (u32)len);
	tb[8] = 1;
	memcpy(tb + 10, "LBTEST", 6);
	if (body_len)
		memcpy(tb + 36, body, body_len);
	checksum_fix(tb, len, SDT_CSUM_OFF);
	region_set(t, pa, tb, len);
}

/* MADT entry builders; each returns the bytes written. */
static size_t e_lapic(u8 *p, u8 uid, u8 id, u32 flags)
{
	p[0] = 0;
	p[1] = 8;
	p[2] = uid;
	p[3] = id;
	put32(p + 4, flags);
	return 8;
}

static size_t e_ioapic(u8 *p, u8 id, u32 addr, u32 gsi)
{
	p[0] = 1;
	p[1] = 12;
	p[2] = id;
	p[3] = 0;
	put32(p + 4, addr);
	put32(p + 8, gsi);
	return 12;
}

static size_t e_iso(u8 *p, u8 src, u32 gsi, u16 flags)
{
	p[0] = 2;
	p[1] = 10;
	p[2] = 0;
	p[3] = src;
	put32(p + 4, gsi);
	put16(p + 8, flags);
	return 10;
}

static size_t e_x2apic(u8 *p, u32 id, u32 uid, u32 flags)
{
	memset(p, 0, 16);
	p[0] = 9;
	p[1] = 16;
	put32(p + 4, id);
	put32(p + 8, flags);
	put32(p + 12, uid);
	return 16;
}

/* Install a MADT at the capture's address: LAPIC base 0xfee00000, PCAT_COMPAT, then entries. */
static void install_madt(struct t *t, const u8 *entries, size_t n)
{
	u8 *body = malloc(8 + n);

	assert_non_null(body);
	put32(body, 0xfee00000);
	put32(body + 4, 1);
	if (n)
		memcpy(body + 8, entries, n);
	install_sdt(t, Q35_APIC, "APIC", body, 8 + n);
	free(body);
}

/* Every count within its cap and every string terminated, whatever the input. */
static void check_invariants(const struct acpi_info *in)
{
	u32 i;

	assert_true(in->madt.n_lapics <= ACPI_MAX_LAPICS);
	assert_true(in->madt.n_ioapics <= ACPI_MAX_IOAPICS);
	assert_true(in->madt.n_isos <= ACPI_MAX_ISOS);
	assert_true(in->madt.n_nmis <= ACPI_MAX_NMIS);
	assert_true(in->n_mcfg <= ACPI_MAX_MCFG);
	assert_true(in->n_tables <= ACPI_MAX_TABLES);
	assert_true(in->n_skipped <= in->n_issues);
	assert_non_null(memchr(in->oem_id, 0, sizeof(in->oem_id)));
	for (i = 0; i < in->n_tables; i++) {
		assert_non_null(memchr(in->tables[i].sig, 0, sizeof(in->tables[i].sig)));
		assert_non_null(memchr(in->tables[i].oem_id, 0, sizeof(in->tables[i].oem_id)));
	}
	for (i = 0; i < in->n_issues && i < ACPI_MAX_ISSUES; i++) {
		assert_non_null(memchr(in->issues[i].sig, 0, sizeof(in->issues[i].sig)));
		assert_non_null(memchr(in->issues[i].reason, 0, sizeof(in->issues[i].reason)));
	}
}

static int parse(struct t *t)
{
	int rc = acpi_parse(Q35_RSDP, &t->mem, &t->info);

	check_invariants(&t->info);
	return rc;
}

/* The stored issue for sig whose reason contains what, or NULL. */
static const struct acpi_issue *find_issue(const struct acpi_info *in, const char *sig, const char *what)
{
	u32 i;

	for (i = 0; i < in->n_issues && i < ACPI_MAX_ISSUES; i++)
		if (!strcmp(in->issues[i].sig, sig) && strstr(in->issues[i].reason, what))
			return &in->issues[i];
	return NULL;
}

/* Exactly one issue, as described. */
static void assert_one_issue(const struct acpi_info *in, const char *sig, const char *what, bool skipped)
{
	const struct acpi_issue *is = find_issue(in, sig, what);

	assert_int_equal(in->n_issues, 1);
	assert_non_null(is);
	assert_int_equal(is->skipped, skipped);
	assert_int_equal(in->n_skipped, skipped ? 1 : 0);
}

static bool table_listed(const struct acpi_info *in, const char *sig)
{
	u32 i;

	for (i = 0; i < in->n_tables; i++)
		if (!strcmp(in->tables[i].sig, sig))
			return true;
	return false;
}

/* The q35 facts that must survive damage to unrelated tables. */
static void assert_q35_madt(const struct acpi_info *in)
{
	assert_true(in->madt.present);
	assert_int_equal(in->madt.n_lapics, 2);
	assert_int_equal(in->madt.lapics[0].apic_id, 0);
	assert_int_equal(in->madt.lapics[1].apic_id, 1);
	assert_int_equal(in->madt.n_ioapics, 1);
	assert_int_equal(in->madt.ioapics[0].address, 0xfec00000);
}

static void assert_q35_rest(const struct acpi_info *in)
{
	assert_int_equal(in->n_mcfg, 1);
	assert_int_equal(in->mcfg[0].base, 0xb0000000);
	assert_true(in->fadt.present);
	assert_int_equal(in->fadt.pm_tmr.address, 0x608);
	assert_true(in->s5.found);
	assert_true(in->hpet.present);
	assert_int_equal(in->hpet.base.address, 0xfed00000);
}

/* ---- The capture as is ---- */

static void test_q35_parses_with_no_issues(void **state)
{
	struct t *t = *state;

	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_issues, 0);
	assert_int_equal(t->info.n_skipped, 0);
	assert_int_equal(t->info.rsdp_revision, 2);
	assert_string_equal(t->info.oem_id, "BOCHS ");
	assert_true(t->info.root_is_xsdt);
	assert_int_equal(t->info.root, Q35_XSDT);
	assert_q35_madt(&t->info);
	assert_q35_rest(&t->info);
}

static void test_q35_tables_listed_in_walk_order(void **state)
{
	static const struct {
		const char *sig;
		paddr_t pa;
		u32 len;
	} want[] = {
		{ "XSDT", Q35_XSDT, 84 }, { "FACP", Q35_FACP, 244 }, { "DSDT", Q35_DSDT, Q35_DSDT_LEN },
		{ "FACS", Q35_FACS, 64 }, { "APIC", Q35_APIC, 128 }, { "HPET", Q35_HPET, 56 },
		{ "MCFG", Q35_MCFG, 60 }, { "WAET", Q35_WAET, 40 },  { "BGRT", Q35_BGRT, 56 },
	};
	struct t *t = *state;
	size_t i;

	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_tables, ARRAY_SIZE(want));
	assert_int_equal(t->info.tables_dropped, 0);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		assert_string_equal(t->info.tables[i].sig, want[i].sig);
		assert_int_equal(t->info.tables[i].addr, want[i].pa);
		assert_int_equal(t->info.tables[i].length, want[i].len);
	}
	assert_string_equal(t->info.tables[0].oem_id, "BOCHS ");
	assert_int_equal(t->info.tables[1].revision, 3);
}

static void test_q35_madt_two_enabled_lapics_ids_0_and_1(void **state)
{
	struct t *t = *state;
	const struct acpi_madt_info *m = &t->info.madt;
	u32 i;

	assert_int_equal(parse(t), 0);
	assert_int_equal(m->n_lapics, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(m->lapics[i].apic_id, i);
		assert_int_equal(m->lapics[i].uid, i);
		assert_int_equal(m->lapics[i].flags, ACPI_LAPIC_ENABLED);
		assert_false(m->lapics[i].is_x2apic);
	}
	assert_int_equal(m->lapics_dropped, 0);
	assert_int_equal(m->lapics_disabled, 0);
}

static void test_q35_madt_lapic_base_and_pcat_compat(void **state)
{
	struct t *t = *state;

	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.madt.lapic_base, 0xfee00000);
	assert_int_equal(t->info.madt.flags, ACPI_MADT_PCAT_COMPAT);
}

static void test_q35_madt_one_ioapic_at_fec00000_gsi_0(void **state)
{
	struct t *t = *state;
	const struct acpi_madt_info *m = &t->info.madt;

	assert_int_equal(parse(t), 0);
	assert_int_equal(m->n_ioapics, 1);
	assert_int_equal(m->ioapics[0].id, 0);
	assert_int_equal(m->ioapics[0].address, 0xfec00000);
	assert_int_equal(m->ioapics[0].gsi_base, 0);
}

static void test_q35_madt_five_isos_irq0_to_gsi2_and_level_pci_irqs(void **state)
{
	static const struct acpi_iso want[] = {
		{ 0, 0, 2, 0x0 },   { 0, 5, 5, 0xd },	{ 0, 9, 9, 0xd },
		{ 0, 10, 10, 0xd }, { 0, 11, 11, 0xd },
	};
	struct t *t = *state;
	const struct acpi_madt_info *m = &t->info.madt;
	size_t i;

	assert_int_equal(parse(t), 0);
	assert_int_equal(m->n_isos, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(m->isos[i].bus, want[i].bus);
		assert_int_equal(m->isos[i].source, want[i].source);
		assert_int_equal(m->isos[i].gsi, want[i].gsi);
		assert_int_equal(m->isos[i].flags, want[i].flags);
	}
	/* 0xd: active high, level triggered. */
	assert_int_equal(FIELD_GET(ACPI_INTI_POLARITY, m->isos[1].flags), 1);
	assert_int_equal(FIELD_GET(ACPI_INTI_TRIGGER, m->isos[1].flags), 3);
}

static void test_q35_madt_lapic_nmi_on_lint1_of_all_cpus(void **state)
{
	struct t *t = *state;
	const struct acpi_madt_info *m = &t->info.madt;

	assert_int_equal(parse(t), 0);
	assert_int_equal(m->n_nmis, 1);
	assert_int_equal(m->nmis[0].uid, ACPI_NMI_ALL_CPUS);
	assert_int_equal(m->nmis[0].flags, 0);
	assert_int_equal(m->nmis[0].lint, 1);
}

static void test_q35_mcfg_one_window_b0000000_buses_0_to_255(void **state)
{
	struct t *t = *state;

	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_mcfg, 1);
	assert_int_equal(t->info.mcfg_dropped, 0);
	assert_int_equal(t->info.mcfg[0].base, 0xb0000000);
	assert_int_equal(t->info.mcfg[0].segment, 0);
	assert_int_equal(t->info.mcfg[0].start_bus, 0);
	assert_int_equal(t->info.mcfg[0].end_bus, 255);
}

static void test_q35_fadt_pm_timer_port_608_is_24bit(void **state)
{
	struct t *t = *state;
	const struct acpi_fadt_info *f = &t->info.fadt;

	assert_int_equal(parse(t), 0);
	assert_true(f->present);
	assert_int_equal(f->revision, 3);
	assert_int_equal(f->pm_tmr.space_id, ACPI_GAS_IO);
	assert_int_equal(f->pm_tmr.bit_width, 32);
	assert_int_equal(f->pm_tmr.address, 0x608);
	/* QEMU leaves TMR_VAL_EXT clear: the counter wraps at 2^24. */
	assert_int_equal(f->flags, 0x84a5);
	assert_false(f->pm_tmr_32bit);
	assert_false(f->flags & ACPI_FADT_HW_REDUCED);
}

static void test_q35_fadt_pm1_blocks_sci_and_smi(void **state)
{
	struct t *t = *state;
	const struct acpi_fadt_info *f = &t->info.fadt;

	assert_int_equal(parse(t), 0);
	assert_int_equal(f->pm1a_cnt.space_id, ACPI_GAS_IO);
	assert_int_equal(f->pm1a_cnt.address, 0x604);
	assert_int_equal(f->pm1a_cnt.bit_width, 16);
	assert_int_equal(f->pm1b_cnt.address, 0);
	assert_int_equal(f->pm1a_evt.address, 0x600);
	assert_int_equal(f->pm1a_evt.bit_width, 32);
	assert_int_equal(f->pm1b_evt.address, 0);
	assert_int_equal(f->sci_irq, 9);
	assert_int_equal(f->smi_cmd, 0xb2);
	assert_int_equal(f->acpi_enable, 0x02);
	assert_int_equal(f->acpi_disable, 0x03);
	assert_int_equal(f->iapc_boot_arch, 0x0002);
}

static void test_q35_fadt_reset_reg_io_cf9_value_0f(void **state)
{
	struct t *t = *state;
	const struct acpi_fadt_info *f = &t->info.fadt;

	assert_int_equal(parse(t), 0);
	assert_true(f->reset_supported);
	assert_int_equal(f->reset_reg.space_id, ACPI_GAS_IO);
	assert_int_equal(f->reset_reg.bit_width, 8);
	assert_int_equal(f->reset_reg.address, 0xcf9);
	assert_int_equal(f->reset_value, 0x0f);
}

static void test_q35_fadt_dsdt_and_facs_addresses(void **state)
{
	struct t *t = *state;

	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.fadt.dsdt, Q35_DSDT);
	assert_int_equal(t->info.fadt.facs, Q35_FACS);
}

static void test_q35_dsdt_s5_is_zero_zero(void **state)
{
	struct t *t = *state;

	assert_int_equal(parse(t), 0);
	assert_true(t->info.s5.found);
	assert_int_equal(t->info.s5.slp_typa, 0);
	assert_int_equal(t->info.s5.slp_typb, 0);
}

static void test_q35_dsdt_s3_one_one_s4_two_two_no_s1(void **state)
{
	struct t *t = *state;
	const u8 *aml = mem_at(t, Q35_DSDT) + 36;
	struct acpi_sleep_type st;

	assert_int_equal(acpi_aml_find_sleep_type(aml, Q35_DSDT_LEN - 36, 3, &st), 0);
	assert_int_equal(st.slp_typa, 1);
	assert_int_equal(st.slp_typb, 1);
	assert_int_equal(acpi_aml_find_sleep_type(aml, Q35_DSDT_LEN - 36, 4, &st), 0);
	assert_int_equal(st.slp_typa, 2);
	assert_int_equal(st.slp_typb, 2);
	assert_int_equal(acpi_aml_find_sleep_type(aml, Q35_DSDT_LEN - 36, 1, &st), -ENOENT);
	assert_false(st.found);
}

static void test_q35_hpet_base_fed00000_3_comparators_64bit(void **state)
{
	struct t *t = *state;
	const struct acpi_hpet_info *h = &t->info.hpet;

	assert_int_equal(parse(t), 0);
	assert_true(h->present);
	assert_int_equal(h->base.space_id, ACPI_GAS_MEMORY);
	assert_int_equal(h->base.address, 0xfed00000);
	assert_int_equal(h->block_id, 0x8086a201);
	assert_int_equal(FIELD_GET(ACPI_HPET_ID_VENDOR, h->block_id), 0x8086);
	assert_int_equal(h->num_comparators, 3);
	assert_true(h->counter_64bit);
	assert_true(h->legacy_replacement);
	assert_int_equal(h->hpet_number, 0);
	assert_int_equal(h->min_tick, 0);
}

static void test_q35_largest_map_is_the_dsdt(void **state)
{
	struct t *t = *state;

	assert_int_equal(parse(t), 0);
	assert_int_equal(t->fm.max_map_len, Q35_DSDT_LEN);
}

/* ---- RSDP ---- */

static void test_rsdp_bad_signature_is_einval(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_RSDP)[3] = 'X';
	rsdp_fix(t);
	assert_int_equal(parse(t), -EINVAL);
	assert_one_issue(&t->info, "RSDP", "signature", true);
}

static void test_rsdp_bad_checksum_is_einval(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_RSDP)[RSDP_CSUM_OFF] ^= 1;
	assert_int_equal(parse(t), -EINVAL);
	assert_one_issue(&t->info, "RSDP", "bad checksum", true);
}

static void test_rsdp_bad_extended_checksum_is_einval(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_RSDP)[RSDP_XCSUM_OFF] ^= 1;
	assert_int_equal(parse(t), -EINVAL);
	assert_one_issue(&t->info, "RSDP", "extended checksum", true);
}

static void test_rsdp_v2_length_below_36_is_einval(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_RSDP) + RSDP_LEN_OFF, 20);
	rsdp_fix(t);
	assert_int_equal(parse(t), -EINVAL);
	assert_one_issue(&t->info, "RSDP", "bad length", true);
}

static void test_rsdp_v2_huge_length_is_einval_without_mapping_it(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_RSDP) + RSDP_LEN_OFF, 0xffffffff);
	rsdp_fix(t);
	assert_int_equal(parse(t), -EINVAL);
	assert_true(t->fm.max_map_len <= 36);
}

static void test_rsdp_v2_truncated_in_memory_is_efault(void **state)
{
	struct t *t = *state;

	region_truncate(t, Q35_RSDP, 30);
	assert_int_equal(parse(t), -EFAULT);
}

static void test_rsdp_unmapped_is_efault(void **state)
{
	struct t *t = *state;

	assert_int_equal(acpi_parse(UNMAPPED, &t->mem, &t->info), -EFAULT);
	assert_one_issue(&t->info, "RSDP", "not mappable", true);
}

static void test_rsdp_v1_walks_rsdt_only(void **state)
{
	struct t *t = *state;

	/* A v1 RSDP is 20 bytes; anything read past them would trip ASan. */
	mem_at(t, Q35_RSDP)[RSDP_REV_OFF] = 0;
	region_truncate(t, Q35_RSDP, 20);
	rsdp_fix(t);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.rsdp_revision, 0);
	assert_false(t->info.root_is_xsdt);
	assert_int_equal(t->info.root, Q35_RSDT);
	assert_string_equal(t->info.tables[0].sig, "RSDT");
	assert_false(table_listed(&t->info, "XSDT"));
	assert_int_equal(t->info.n_issues, 0);
	assert_q35_madt(&t->info);
	assert_q35_rest(&t->info);
}

/* ---- RSDT/XSDT ---- */

static void assert_fell_back_to_rsdt(struct t *t, const char *what)
{
	assert_int_equal(parse(t), 0);
	assert_false(t->info.root_is_xsdt);
	assert_int_equal(t->info.root, Q35_RSDT);
	assert_one_issue(&t->info, "XSDT", what, true);
	assert_q35_madt(&t->info);
	assert_q35_rest(&t->info);
}

static void test_xsdt_bad_checksum_falls_back_to_rsdt(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_XSDT)[SDT_CSUM_OFF] ^= 0x55;
	assert_fell_back_to_rsdt(t, "bad checksum");
}

static void test_xsdt_outside_map_falls_back_to_rsdt(void **state)
{
	struct t *t = *state;

	put64(mem_at(t, Q35_RSDP) + RSDP_XSDT_OFF, UNMAPPED);
	rsdp_fix(t);
	assert_fell_back_to_rsdt(t, "not mappable");
}

static void test_xsdt_truncated_length_falls_back_to_rsdt(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_XSDT) + SDT_LEN_OFF, 84 + 8);
	sdt_fix(t, Q35_XSDT);
	assert_fell_back_to_rsdt(t, "truncated");
}

static void test_xsdt_huge_length_falls_back_without_mapping_it(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_XSDT) + SDT_LEN_OFF, 0xfffffff0);
	assert_fell_back_to_rsdt(t, "implausibly large");
	assert_true(t->fm.max_map_len <= ACPI_MAX_TABLE_LEN);
}

static void test_xsdt_wrong_signature_falls_back_to_rsdt(void **state)
{
	struct t *t = *state;

	/* The XSDT pointer aims at the MADT: a valid table, but not an XSDT. */
	put64(mem_at(t, Q35_RSDP) + RSDP_XSDT_OFF, Q35_APIC);
	rsdp_fix(t);
	assert_int_equal(parse(t), 0);
	assert_false(t->info.root_is_xsdt);
	assert_non_null(find_issue(&t->info, "APIC", "unexpected signature"));
	assert_q35_madt(&t->info);
}

static void test_xsdt_zero_address_uses_rsdt_quietly(void **state)
{
	struct t *t = *state;

	put64(mem_at(t, Q35_RSDP) + RSDP_XSDT_OFF, 0);
	rsdp_fix(t);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.root, Q35_RSDT);
	assert_int_equal(t->info.n_issues, 0);
}

static void test_xsdt_and_rsdt_both_bad_is_enoent(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_XSDT)[SDT_CSUM_OFF] ^= 1;
	mem_at(t, Q35_RSDT)[SDT_CSUM_OFF] ^= 1;
	assert_int_equal(parse(t), -ENOENT);
	assert_int_equal(t->info.n_skipped, 2);
	assert_non_null(find_issue(&t->info, "XSDT", "bad checksum"));
	assert_non_null(find_issue(&t->info, "RSDT", "bad checksum"));
	assert_false(t->info.madt.present);
}

static void test_xsdt_entry_outside_map_is_skipped_rest_parsed(void **state)
{
	struct t *t = *state;

	/* Entry 4 is the WAET. */
	put64(mem_at(t, Q35_XSDT) + 36 + 4 * 8, UNMAPPED);
	sdt_fix(t, Q35_XSDT);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "????", "not mappable", true);
	assert_int_equal(t->info.issues[0].addr, UNMAPPED);
	assert_false(table_listed(&t->info, "WAET"));
	assert_q35_madt(&t->info);
	assert_q35_rest(&t->info);
}

static void test_xsdt_null_entry_is_noted_rest_parsed(void **state)
{
	struct t *t = *state;

	put64(mem_at(t, Q35_XSDT) + 36 + 4 * 8, 0);
	sdt_fix(t, Q35_XSDT);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "XSDT", "null entry", false);
	assert_q35_rest(&t->info);
}

static void test_xsdt_too_many_entries_walk_capped(void **state)
{
	struct t *t = *state;
	u8 body[100 * 8];
	size_t i;

	for (i = 0; i < 100; i++)
		put64(body + i * 8, Q35_WAET);
	install_sdt(t, Q35_XSDT, "XSDT", body, sizeof(body));
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "XSDT", "too many entries", false);
	/* The XSDT plus ACPI_MAX_ROOT_ENTRIES WAETs were accepted; the list keeps the first ones. */
	assert_int_equal(t->info.n_tables, ACPI_MAX_TABLES);
	assert_int_equal(t->info.tables_dropped, 1 + ACPI_MAX_ROOT_ENTRIES - ACPI_MAX_TABLES);
}

static void test_xsdt_partial_trailing_entry_is_ignored(void **state)
{
	struct t *t = *state;
	u8 body[8 + 4];

	put64(body, Q35_APIC);
	put32(body + 8, (u32)Q35_HPET);
	install_sdt(t, Q35_XSDT, "XSDT", body, sizeof(body));
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_issues, 0);
	assert_q35_madt(&t->info);
	assert_false(t->info.hpet.present);
}

static void test_root_entry_pointing_at_rsdp_is_skipped(void **state)
{
	struct t *t = *state;

	/* 36 bytes map, but "RSD PTR " has no valid SDT length or checksum. */
	put64(mem_at(t, Q35_XSDT) + 36 + 5 * 8, Q35_RSDP);
	sdt_fix(t, Q35_XSDT);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_skipped, 1);
	assert_string_equal(t->info.issues[0].sig, "RSD ");
	assert_q35_madt(&t->info);
}

/* ---- MADT ---- */

static void test_madt_bad_checksum_is_skipped_not_fatal(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_APIC)[40] ^= 0x80;
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "APIC", "bad checksum", true);
	assert_int_equal(t->info.issues[0].addr, Q35_APIC);
	assert_false(t->info.madt.present);
	assert_int_equal(t->info.madt.n_lapics, 0);
	assert_false(table_listed(&t->info, "APIC"));
	assert_q35_rest(&t->info);
}

static void test_madt_truncated_length_is_skipped(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_APIC) + SDT_LEN_OFF, 0x1000);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "APIC", "truncated", true);
	assert_false(t->info.madt.present);
}

static void test_madt_length_below_header_is_skipped(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_APIC) + SDT_LEN_OFF, 20);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "APIC", "shorter than header", true);
}

static void test_madt_length_below_madt_header_is_skipped(void **state)
{
	struct t *t = *state;

	install_madt(t, NULL, 0);
	put32(mem_at(t, Q35_APIC) + SDT_LEN_OFF, 40);
	region_truncate(t, Q35_APIC, 40);
	sdt_fix(t, Q35_APIC);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "APIC", "shorter than MADT header", true);
	assert_false(t->info.madt.present);
}

static void test_madt_zero_length_entry_stops_walk(void **state)
{
	struct t *t = *state;

	/* The second entry (LAPIC 1) at offset 52 claims length 0. */
	mem_at(t, Q35_APIC)[52 + 1] = 0;
	sdt_fix(t, Q35_APIC);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "APIC", "entry length < 2", false);
	assert_true(t->info.madt.present);
	assert_int_equal(t->info.madt.n_lapics, 1);
	assert_int_equal(t->info.madt.n_ioapics, 0);
	assert_int_equal(t->info.madt.n_isos, 0);
}

static void test_madt_entry_length_one_stops_walk(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_APIC)[44 + 1] = 1;
	sdt_fix(t, Q35_APIC);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "APIC", "entry length < 2", false);
	assert_int_equal(t->info.madt.n_lapics, 0);
}

static void test_madt_entry_past_end_stops_walk(void **state)
{
	struct t *t = *state;

	/* The last entry (LAPIC NMI, 6 bytes at 122) claims 255. */
	mem_at(t, Q35_APIC)[122 + 1] = 0xff;
	sdt_fix(t, Q35_APIC);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "APIC", "past table end", false);
	assert_q35_madt(&t->info);
	assert_int_equal(t->info.madt.n_isos, 5);
	assert_int_equal(t->info.madt.n_nmis, 0);
}

static void test_madt_short_entry_is_ignored_walk_continues(void **state)
{
	struct t *t = *state;
	u8 e[64];
	size_t n = 0;

	/* An IOAPIC entry 8 bytes long: too short to hold its GSI base. */
	n += e_ioapic(e + n, 3, 0xfec01000, 24);
	e[1] = 8;
	n = 8;
	n += e_lapic(e + n, 0, 7, ACPI_LAPIC_ENABLED);
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "APIC", "short entry", false);
	assert_int_equal(t->info.madt.n_ioapics, 0);
	assert_int_equal(t->info.madt.n_lapics, 1);
	assert_int_equal(t->info.madt.lapics[0].apic_id, 7);
}

static void test_madt_trailing_single_byte_is_ignored(void **state)
{
	struct t *t = *state;
	u8 e[16];
	size_t n = e_lapic(e, 0, 0, ACPI_LAPIC_ENABLED);

	e[n++] = 0;
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_issues, 0);
	assert_int_equal(t->info.madt.n_lapics, 1);
}

static void test_madt_x2apic_entries_and_flags(void **state)
{
	struct t *t = *state;
	const struct acpi_madt_info *m = &t->info.madt;
	u8 e[64];
	size_t n = 0;

	n += e_x2apic(e + n, 0x100, 5, ACPI_LAPIC_ENABLED);
	n += e_x2apic(e + n, 0x12345, 6, ACPI_LAPIC_ONLINE_CAPABLE);
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(m->n_lapics, 2);
	assert_int_equal(m->lapics[0].apic_id, 0x100);
	assert_int_equal(m->lapics[0].uid, 5);
	assert_true(m->lapics[0].is_x2apic);
	assert_int_equal(m->lapics[1].apic_id, 0x12345);
	assert_int_equal(m->lapics[1].flags, ACPI_LAPIC_ONLINE_CAPABLE);
}

static void test_madt_duplicate_apic_id_listed_once(void **state)
{
	struct t *t = *state;
	u8 e[64];
	size_t n = 0;

	n += e_lapic(e + n, 1, 1, ACPI_LAPIC_ENABLED);
	n += e_x2apic(e + n, 1, 1, ACPI_LAPIC_ENABLED);
	n += e_lapic(e + n, 2, 1, ACPI_LAPIC_ENABLED);
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.madt.n_lapics, 1);
	assert_false(t->info.madt.lapics[0].is_x2apic);
}

static void test_madt_disabled_lapic_counted_not_listed(void **state)
{
	struct t *t = *state;
	u8 e[64];
	size_t n = 0;

	n += e_lapic(e + n, 0, 0, ACPI_LAPIC_ENABLED);
	n += e_lapic(e + n, 1, 1, 0);
	n += e_x2apic(e + n, 2, 2, 0);
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.madt.n_lapics, 1);
	assert_int_equal(t->info.madt.lapics_disabled, 2);
}

static void test_madt_xapic_broadcast_id_ignored(void **state)
{
	struct t *t = *state;
	u8 e[16];
	size_t n = e_lapic(e, 0, 0xff, ACPI_LAPIC_ENABLED);

	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.madt.n_lapics, 0);
}

static void test_madt_lapic_overflow_capped_and_counted(void **state)
{
	struct t *t = *state;
	u8 e[300 * 16];
	size_t n = 0;
	u32 i;

	for (i = 0; i < 300; i++)
		n += e_x2apic(e + n, i, i, ACPI_LAPIC_ENABLED);
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.madt.n_lapics, ACPI_MAX_LAPICS);
	assert_int_equal(t->info.madt.lapics_dropped, 300 - ACPI_MAX_LAPICS);
	assert_int_equal(t->info.madt.lapics[ACPI_MAX_LAPICS - 1].apic_id, ACPI_MAX_LAPICS - 1);
}

static void test_madt_ioapic_and_iso_overflow_capped_and_counted(void **state)
{
	struct t *t = *state;
	u8 e[20 * 12 + 40 * 10];
	size_t n = 0;
	u32 i;

	for (i = 0; i < 20; i++)
		n += e_ioapic(e + n, (u8)i, 0xfec00000 + i * 0x1000, i * 24);
	for (i = 0; i < 40; i++)
		n += e_iso(e + n, (u8)i, i, 0);
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.madt.n_ioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(t->info.madt.ioapics_dropped, 20 - ACPI_MAX_IOAPICS);
	assert_int_equal(t->info.madt.ioapics[7].gsi_base, 7 * 24);
	assert_int_equal(t->info.madt.n_isos, ACPI_MAX_ISOS);
	assert_int_equal(t->info.madt.isos_dropped, 40 - ACPI_MAX_ISOS);
}

static void test_madt_lapic_address_override_wins(void **state)
{
	struct t *t = *state;
	u8 e[32] = { 0 };
	size_t n = 0;

	e[0] = 5;
	e[1] = 12;
	put64(e + 4, 0x1fee00000ULL);
	n = 12;
	n += e_lapic(e + n, 0, 0, ACPI_LAPIC_ENABLED);
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.madt.lapic_base, 0x1fee00000ULL);
}

static void test_madt_x2apic_nmi_and_unknown_types(void **state)
{
	struct t *t = *state;
	u8 e[64] = { 0 };
	size_t n;

	/* Type 0x7f (unknown, 5 bytes), then an x2APIC NMI on LINT0 of UID 3. */
	e[0] = 0x7f;
	e[1] = 5;
	e[5] = 10;
	e[6] = 12;
	put16(e + 7, 0x5);
	put32(e + 9, 3);
	e[13] = 0;
	n = 5 + 12;
	n += e_lapic(e + n, 0, 0, ACPI_LAPIC_ENABLED);
	install_madt(t, e, n);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_issues, 0);
	assert_int_equal(t->info.madt.n_nmis, 1);
	assert_int_equal(t->info.madt.nmis[0].uid, 3);
	assert_int_equal(t->info.madt.nmis[0].flags, 0x5);
	assert_int_equal(t->info.madt.nmis[0].lint, 0);
	assert_int_equal(t->info.madt.n_lapics, 1);
}

static void test_madt_only_first_table_used(void **state)
{
	struct t *t = *state;
	u8 body[16];

	/* A second MADT, with one CPU of APIC ID 9, in place of the BGRT (entry 5). */
	put32(body, 0xfee00000);
	put32(body + 4, 0);
	e_lapic(body + 8, 0, 9, ACPI_LAPIC_ENABLED);
	install_sdt(t, SPARE, "APIC", body, sizeof(body));
	put64(mem_at(t, Q35_XSDT) + 36 + 5 * 8, SPARE);
	sdt_fix(t, Q35_XSDT);
	assert_int_equal(parse(t), 0);
	assert_q35_madt(&t->info);
	assert_true(table_listed(&t->info, "APIC"));
	assert_int_equal(t->info.tables[t->info.n_tables - 1].addr, SPARE);
}

/* ---- MCFG ---- */

static void install_mcfg(struct t *t, u32 n, u8 start_bus, u8 end_bus)
{
	u8 body[8 + 16 * 16] = { 0 };
	u32 i;

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		u8 *e = body + 8 + i * 16;

		put64(e, 0xb0000000ULL + (u64)i * 0x10000000);
		put16(e + 8, (u16)i);
		e[10] = start_bus;
		e[11] = end_bus;
	}
	install_sdt(t, Q35_MCFG, "MCFG", body, 8 + n * 16);
}

static void test_mcfg_entry_count_capped_and_dropped_counted(void **state)
{
	struct t *t = *state;

	install_mcfg(t, 10, 0, 0xff);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_mcfg, ACPI_MAX_MCFG);
	assert_int_equal(t->info.mcfg_dropped, 10 - ACPI_MAX_MCFG);
	assert_int_equal(t->info.mcfg[3].segment, 3);
	assert_int_equal(t->info.mcfg[3].base, 0xe0000000);
}

static void test_mcfg_bad_bus_range_entry_skipped(void **state)
{
	struct t *t = *state;

	install_mcfg(t, 2, 0x80, 0x10);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_mcfg, 0);
	assert_int_equal(t->info.n_issues, 2);
	assert_non_null(find_issue(&t->info, "MCFG", "bus range"));
	assert_int_equal(t->info.n_skipped, 0);
}

static void test_mcfg_partial_trailing_entry_ignored(void **state)
{
	struct t *t = *state;

	/* Length 60 -> 68: eight bytes of a second entry, no room for its buses. */
	region_set(t, Q35_MCFG, realloc(xmemdup(mem_at(t, Q35_MCFG), 60), 68), 68);
	memset(mem_at(t, Q35_MCFG) + 60, 0xaa, 8);
	put32(mem_at(t, Q35_MCFG) + SDT_LEN_OFF, 68);
	sdt_fix(t, Q35_MCFG);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_issues, 0);
	assert_int_equal(t->info.n_mcfg, 1);
}

/* ---- FADT, DSDT, FACS ---- */

static void test_fadt_bad_checksum_loses_fadt_dsdt_and_s5(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_FACP)[FADT_PM_TMR_BLK_OFF] ^= 1;
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "FACP", "bad checksum", true);
	assert_false(t->info.fadt.present);
	assert_false(t->info.s5.found);
	assert_false(table_listed(&t->info, "DSDT"));
	assert_q35_madt(&t->info);
}

static void test_fadt_v1_layout_uses_legacy_ports(void **state)
{
	struct t *t = *state;
	const struct acpi_fadt_info *f = &t->info.fadt;
	u8 *fadt;

	/* Cut to the ACPI 1.0 layout: no X_ fields, no RESET_REG. */
	region_truncate(t, Q35_FACP, 116);
	fadt = mem_at(t, Q35_FACP);
	put32(fadt + SDT_LEN_OFF, 116);
	fadt[8] = 1;
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_issues, 0);
	assert_int_equal(f->revision, 1);
	assert_int_equal(f->pm_tmr.space_id, ACPI_GAS_IO);
	assert_int_equal(f->pm_tmr.bit_width, 32);
	assert_int_equal(f->pm_tmr.address, 0x608);
	assert_int_equal(f->pm1a_cnt.address, 0x604);
	assert_int_equal(f->pm1a_cnt.bit_width, 16);
	assert_false(f->reset_supported);
	assert_int_equal(f->reset_reg.address, 0);
	assert_int_equal(f->iapc_boot_arch, 0);
	assert_int_equal(f->dsdt, Q35_DSDT);
	assert_int_equal(f->facs, Q35_FACS);
	assert_true(t->info.s5.found);
}

static void test_fadt_shorter_than_v1_is_skipped(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_FACP) + SDT_LEN_OFF, 100);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "FACP", "shorter than ACPI 1.0", true);
	assert_false(t->info.fadt.present);
	/* The table itself was well-formed, so the listing still shows it. */
	assert_true(table_listed(&t->info, "FACP"));
}

static void test_fadt_x_pm_timer_preferred_over_legacy_port(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_FACP) + FADT_PM_TMR_BLK_OFF, 0x1234);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.fadt.pm_tmr.address, 0x608);
}

static void test_fadt_zero_x_pm_timer_falls_back_to_legacy_port(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_FACP) + FADT_PM_TMR_BLK_OFF, 0x1234);
	memset(mem_at(t, Q35_FACP) + FADT_X_PM_TMR_OFF, 0, 12);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.fadt.pm_tmr.space_id, ACPI_GAS_IO);
	assert_int_equal(t->info.fadt.pm_tmr.address, 0x1234);
	assert_int_equal(t->info.fadt.pm_tmr.bit_width, 32);
}

static void test_fadt_tmr_val_ext_means_32bit(void **state)
{
	struct t *t = *state;
	u8 *fadt = mem_at(t, Q35_FACP);

	put32(fadt + FADT_FLAGS_OFF, get32(fadt + FADT_FLAGS_OFF) | ACPI_FADT_TMR_VAL_EXT);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_true(t->info.fadt.pm_tmr_32bit);
}

static void test_fadt_reset_reg_sup_clear_means_unsupported(void **state)
{
	struct t *t = *state;
	u8 *fadt = mem_at(t, Q35_FACP);

	put32(fadt + FADT_FLAGS_OFF, get32(fadt + FADT_FLAGS_OFF) & ~(u32)ACPI_FADT_RESET_REG_SUP);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_false(t->info.fadt.reset_supported);
	/* Still reported, for a caller that wants to try it anyway. */
	assert_int_equal(t->info.fadt.reset_reg.address, 0xcf9);
}

static void test_fadt_x_dsdt_preferred_over_32bit_dsdt(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_FACP) + FADT_DSDT_OFF, (u32)UNMAPPED);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.n_issues, 0);
	assert_int_equal(t->info.fadt.dsdt, Q35_DSDT);
	assert_true(t->info.s5.found);
}

static void test_fadt_zero_x_dsdt_uses_32bit_dsdt(void **state)
{
	struct t *t = *state;

	put64(mem_at(t, Q35_FACP) + FADT_X_DSDT_OFF, 0);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_int_equal(t->info.fadt.dsdt, Q35_DSDT);
	assert_true(t->info.s5.found);
}

static void test_fadt_no_dsdt_address_is_noted(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_FACP) + FADT_DSDT_OFF, 0);
	put64(mem_at(t, Q35_FACP) + FADT_X_DSDT_OFF, 0);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "FACP", "no DSDT", false);
	assert_true(t->info.fadt.present);
	assert_false(t->info.s5.found);
}

static void test_dsdt_missing_s5_is_noted_not_fatal(void **state)
{
	struct t *t = *state;
	u8 *dsdt = mem_at(t, Q35_DSDT);
	u8 *s5 = (u8 *)find_bytes(dsdt, Q35_DSDT_LEN, "_S5_", 4);

	assert_non_null(s5);
	s5[2] = '6';
	sdt_fix(t, Q35_DSDT);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "DSDT", "_S5_", false);
	assert_false(t->info.s5.found);
	assert_true(table_listed(&t->info, "DSDT"));
	assert_q35_madt(&t->info);
}

static void test_dsdt_bad_checksum_is_skipped(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_DSDT)[4000] ^= 0xff;
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "DSDT", "bad checksum", true);
	assert_true(t->info.fadt.present);
	assert_false(t->info.s5.found);
}

static void test_dsdt_outside_map_is_skipped(void **state)
{
	struct t *t = *state;

	region_remove(t, Q35_DSDT);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "DSDT", "not mappable", true);
	assert_int_equal(t->info.issues[0].addr, Q35_DSDT);
}

static void test_dsdt_truncated_in_memory_is_skipped(void **state)
{
	struct t *t = *state;

	region_truncate(t, Q35_DSDT, 4096);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "DSDT", "truncated", true);
}

static void test_dsdt_wrong_signature_is_skipped(void **state)
{
	struct t *t = *state;

	put64(mem_at(t, Q35_FACP) + FADT_X_DSDT_OFF, Q35_WAET);
	sdt_fix(t, Q35_FACP);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "WAET", "unexpected signature", true);
	assert_false(t->info.s5.found);
}

static void test_facs_bad_signature_is_skipped(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_FACS)[0] = 'X';
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "XACS", "bad signature", true);
	assert_false(table_listed(&t->info, "FACS"));
}

/* ---- HPET ---- */

static void test_hpet_truncated_is_skipped(void **state)
{
	struct t *t = *state;

	put32(mem_at(t, Q35_HPET) + SDT_LEN_OFF, 40);
	region_truncate(t, Q35_HPET, 40);
	sdt_fix(t, Q35_HPET);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "HPET", "shorter than HPET", true);
	assert_false(t->info.hpet.present);
}

static void test_hpet_io_space_base_is_rejected(void **state)
{
	struct t *t = *state;

	mem_at(t, Q35_HPET)[40] = ACPI_GAS_IO;
	sdt_fix(t, Q35_HPET);
	assert_int_equal(parse(t), 0);
	assert_one_issue(&t->info, "HPET", "not a memory address", true);
	assert_false(t->info.hpet.present);
}

/* ---- AML \_Sx search ---- */

struct aml_vec {
	const char *name;
	u8 aml[24];
	size_t len;
	unsigned int state;
	int rc;
	u8 a, b;
};

static const struct aml_vec aml_vecs[] = {
	{ "zero ops", { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0 }, 12, 5, 0, 0, 0 },
	{ "byte prefix", { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 7, 0x0a, 5, 0, 0 },
	  14, 5, 0, 7, 5 },
	{ "root prefix", { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 5, 0x01 },
	  12, 5, 0, 5, 1 },
	{ "parent prefixes", { 0x08, '^', '^', '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01 },
	  12, 5, 0, 1, 1 },
	{ "word and dword", { 0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02, 0x0b, 6, 0, 0x0c, 3, 0, 0, 0 },
	  16, 5, 0, 6, 3 },
	{ "qword and ones", { 0x08, '_', 'S', '5', '_', 0x12, 0x0c, 0x02, 0x0e, 4, 0, 0, 0, 0, 0, 0, 0, 0xff },
	  18, 5, 0, 4, 0xff },
	{ "one element split", { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x07, 0x05 },
	  11, 5, 0, 7, 5 },
	{ "two-byte pkglength", { 0x08, '_', 'S', '5', '_', 0x12, 0x47, 0x00, 0x04, 0x0a, 5, 0x0a, 5 },
	  13, 5, 0, 5, 5 },
	{ "zero elements", { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 }, 8, 5, -ENOENT, 0, 0 },
	{ "name reference element", { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 'A', 'B', 'C', 'D' },
	  12, 5, -ENOENT, 0, 0 },
	{ "pkglength past end", { 0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0x00, 0x00 },
	  10, 5, -ENOENT, 0, 0 },
	{ "pkglength too small", { 0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0x00, 0x00 },
	  10, 5, -ENOENT, 0, 0 },
	{ "second element outside package", { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x00, 0x00 },
	  10, 5, -ENOENT, 0, 0 },
	{ "byte prefix cut off", { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x0a }, 10, 5,
	  -ENOENT, 0, 0 },
	{ "multi-byte pkglength reserved bits", { 0x08, '_', 'S', '5', '_', 0x12, 0x74, 0x00, 0x02, 0, 0 },
	  11, 5, -ENOENT, 0, 0 },
	{ "not a package", { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 }, 7, 5, -ENOENT, 0, 0 },
	{ "bad match then good", { 0x08, '_', 'S', '5', '_', 0x12, 0x00, 0x08, '_', 'S', '5', '_', 0x12,
				   0x05, 0x02, 0x0a, 3, 0x00 },
	  18, 5, 0, 3, 0 },
	{ "name at very end", { 0x00, 0x08, '_', 'S', '5' }, 5, 5, -ENOENT, 0, 0 },
	{ "other state", { 0x08, '_', 'S', '3', '_', 0x12, 0x04, 0x02, 0x01, 0x01 }, 10, 5, -ENOENT, 0, 0 },
	{ "state 3", { 0x08, '_', 'S', '3', '_', 0x12, 0x04, 0x02, 0x01, 0x01 }, 10, 3, 0, 1, 1 },
	{ "empty", { 0 }, 0, 5, -ENOENT, 0, 0 },
};

static void test_aml_sleep_type_vectors(void **state)
{
	struct acpi_sleep_type st;
	size_t i;
	u8 *buf;
	int rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(aml_vecs); i++) {
		const struct aml_vec *v = &aml_vecs[i];

		/* Exact-size copy: a read past len is an ASan error. */
		buf = xmemdup(v->aml, v->len ? v->len : 1);
		rc = acpi_aml_find_sleep_type(buf, v->len, v->state, &st);
		free(buf);
		if (rc != v->rc)
			fail_msg("%s: rc %d, want %d", v->name, rc, v->rc);
		assert_int_equal(st.found, rc == 0);
		if (rc == 0 && (st.slp_typa != v->a || st.slp_typb != v->b))
			fail_msg("%s: got %u/%u, want %u/%u", v->name, st.slp_typa, st.slp_typb, v->a, v->b);
	}
}

static void test_aml_state_above_5_is_einval(void **state)
{
	struct acpi_sleep_type st;

	(void)state;
	assert_int_equal(acpi_aml_find_sleep_type((const u8 *)"", 0, 6, &st), -EINVAL);
	assert_false(st.found);
}

static void test_aml_every_prefix_of_q35_s5_stays_in_bounds(void **state)
{
	struct t *t = *state;
	const u8 *dsdt = mem_at(t, Q35_DSDT);
	const u8 *s5 = find_bytes(dsdt, Q35_DSDT_LEN, "\x08_S5_", 5);
	struct acpi_sleep_type st;
	size_t n;
	u8 *buf;

	assert_non_null(s5);
	/* NameOp _S5_ PackageOp len count + 4 ZeroOps is 12 bytes; shorter cuts fail. */
	for (n = 0; n <= 16; n++) {
		buf = xmemdup(s5, n ? n : 1);
		assert_int_equal(acpi_aml_find_sleep_type(buf, n, 5, &st), n >= 12 ? 0 : -ENOENT);
		free(buf);
	}
}

/* ---- Random damage ---- */

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Damage one table at random: flip bytes, rewrite a length, or aim a 4/8
 * byte field at another table or just past one. Most of the time the
 * checksum is fixed afterwards, so the damage reaches the decoders.
 */
static void damage(struct t *t)
{
	struct region *r = &t->fm.r[rng() % t->fm.n];
	struct region *other = &t->fm.r[rng() % t->fm.n];
	size_t off = rng() % r->len;
	int i;

	switch (rng() % 4) {
	case 0:
	case 1:
		for (i = 0; i < 1 + (int)(rng() % 4); i++)
			r->buf[rng() % r->len] ^= (u8)(1u << (rng() % 8));
		break;
	case 2:
		if (r->len >= 8)
			put32(r->buf + 4, (u32)(rng() % 2 ? rng() % (r->len + 64) : rng()));
		break;
	case 3:
		if (r->len - off >= 8)
			put64(r->buf + off, other->pa + rng() % (other->len + 16));
		break;
	}
	if (rng() % 8 == 0)
		return;
	if (r->pa == Q35_RSDP)
		rsdp_fix(t);
	else if (r->len >= 36 && r->pa != Q35_FACS)
		sdt_fix(t, r->pa);
}

static void test_random_damage_never_crashes_or_overreads(void **state)
{
	struct t *t = *state;
	int iter, k, rc;

	for (iter = 0; iter < 4000; iter++) {
		regions_restore(t);
		for (k = 0; k < 1 + (int)(rng() % 3); k++)
			damage(t);
		rc = parse(t);
		assert_true(rc == 0 || rc == -EINVAL || rc == -EFAULT || rc == -ENOENT);
		assert_true(t->fm.max_map_len <= ACPI_MAX_TABLE_LEN);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_q35_parses_with_no_issues),
		T(test_q35_tables_listed_in_walk_order),
		T(test_q35_madt_two_enabled_lapics_ids_0_and_1),
		T(test_q35_madt_lapic_base_and_pcat_compat),
		T(test_q35_madt_one_ioapic_at_fec00000_gsi_0),
		T(test_q35_madt_five_isos_irq0_to_gsi2_and_level_pci_irqs),
		T(test_q35_madt_lapic_nmi_on_lint1_of_all_cpus),
		T(test_q35_mcfg_one_window_b0000000_buses_0_to_255),
		T(test_q35_fadt_pm_timer_port_608_is_24bit),
		T(test_q35_fadt_pm1_blocks_sci_and_smi),
		T(test_q35_fadt_reset_reg_io_cf9_value_0f),
		T(test_q35_fadt_dsdt_and_facs_addresses),
		T(test_q35_dsdt_s5_is_zero_zero),
		T(test_q35_dsdt_s3_one_one_s4_two_two_no_s1),
		T(test_q35_hpet_base_fed00000_3_comparators_64bit),
		T(test_q35_largest_map_is_the_dsdt),
		T(test_rsdp_bad_signature_is_einval),
		T(test_rsdp_bad_checksum_is_einval),
		T(test_rsdp_bad_extended_checksum_is_einval),
		T(test_rsdp_v2_length_below_36_is_einval),
		T(test_rsdp_v2_huge_length_is_einval_without_mapping_it),
		T(test_rsdp_v2_truncated_in_memory_is_efault),
		T(test_rsdp_unmapped_is_efault),
		T(test_rsdp_v1_walks_rsdt_only),
		T(test_xsdt_bad_checksum_falls_back_to_rsdt),
		T(test_xsdt_outside_map_falls_back_to_rsdt),
		T(test_xsdt_truncated_length_falls_back_to_rsdt),
		T(test_xsdt_huge_length_falls_back_without_mapping_it),
		T(test_xsdt_wrong_signature_falls_back_to_rsdt),
		T(test_xsdt_zero_address_uses_rsdt_quietly),
		T(test_xsdt_and_rsdt_both_bad_is_enoent),
		T(test_xsdt_entry_outside_map_is_skipped_rest_parsed),
		T(test_xsdt_null_entry_is_noted_rest_parsed),
		T(test_xsdt_too_many_entries_walk_capped),
		T(test_xsdt_partial_trailing_entry_is_ignored),
		T(test_root_entry_pointing_at_rsdp_is_skipped),
		T(test_madt_bad_checksum_is_skipped_not_fatal),
		T(test_madt_truncated_length_is_skipped),
		T(test_madt_length_below_header_is_skipped),
		T(test_madt_length_below_madt_header_is_skipped),
		T(test_madt_zero_length_entry_stops_walk),
		T(test_madt_entry_length_one_stops_walk),
		T(test_madt_entry_past_end_stops_walk),
		T(test_madt_short_entry_is_ignored_walk_continues),
		T(test_madt_trailing_single_byte_is_ignored),
		T(test_madt_x2apic_entries_and_flags),
		T(test_madt_duplicate_apic_id_listed_once),
		T(test_madt_disabled_lapic_counted_not_listed),
		T(test_madt_xapic_broadcast_id_ignored),
		T(test_madt_lapic_overflow_capped_and_counted),
		T(test_madt_ioapic_and_iso_overflow_capped_and_counted),
		T(test_madt_lapic_address_override_wins),
		T(test_madt_x2apic_nmi_and_unknown_types),
		T(test_madt_only_first_table_used),
		T(test_mcfg_entry_count_capped_and_dropped_counted),
		T(test_mcfg_bad_bus_range_entry_skipped),
		T(test_mcfg_partial_trailing_entry_ignored),
		T(test_fadt_bad_checksum_loses_fadt_dsdt_and_s5),
		T(test_fadt_v1_layout_uses_legacy_ports),
		T(test_fadt_shorter_than_v1_is_skipped),
		T(test_fadt_x_pm_timer_preferred_over_legacy_port),
		T(test_fadt_zero_x_pm_timer_falls_back_to_legacy_port),
		T(test_fadt_tmr_val_ext_means_32bit),
		T(test_fadt_reset_reg_sup_clear_means_unsupported),
		T(test_fadt_x_dsdt_preferred_over_32bit_dsdt),
		T(test_fadt_zero_x_dsdt_uses_32bit_dsdt),
		T(test_fadt_no_dsdt_address_is_noted),
		T(test_dsdt_missing_s5_is_noted_not_fatal),
		T(test_dsdt_bad_checksum_is_skipped),
		T(test_dsdt_outside_map_is_skipped),
		T(test_dsdt_truncated_in_memory_is_skipped),
		T(test_dsdt_wrong_signature_is_skipped),
		T(test_facs_bad_signature_is_skipped),
		T(test_hpet_truncated_is_skipped),
		T(test_hpet_io_space_base_is_rejected),
		cmocka_unit_test(test_aml_sleep_type_vectors),
		cmocka_unit_test(test_aml_state_above_5_is_einval),
		T(test_aml_every_prefix_of_q35_s5_stays_in_bounds),
		T(test_random_damage_never_crashes_or_overreads),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
