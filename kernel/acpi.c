// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI table parser: follows RSDP -> XSDT (or RSDT) -> tables and decodes
 * the MADT, MCFG, FADT (plus the DSDT's \_S5_ package and the FACS header)
 * and HPET into struct acpi_info. See acpi.h for the contract.
 *
 * Context: pure code, no globals, no allocation, no logging; built
 * freestanding into the core and hosted into tests/unit/test_acpi.c.
 *
 * Firmware is not trusted. Each read is checked against the length of
 * what was mapped, and every length is checked before it is used to map or
 * to index: lengths against ACPI_MAX_TABLE_LEN, entry walks against the
 * table end, array fills against their caps. Walks always advance by at
 * least one byte, so they end. Offsets below are from ACPI 6.5 unless
 * noted; all fields are little-endian and may be unaligned, so they are
 * assembled byte by byte.
 */
#include "kernel/acpi.h"
#include "kernel/errno.h"
#include "kernel/klib.h"

/* RSDP (5.2.5.3). */
#define RSDP_SIG "RSD PTR "
#define RSDP_SIG_LEN 8
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 4096 /* the structure is 36 bytes; room for growth, no more */

/* System Description Table header (5.2.6). */
#define SDT_HDR_LEN 36
#define SDT_LENGTH 4
#define SDT_REVISION 8
#define SDT_OEM_ID 10

/* MADT (5.2.12) and its entry types. */
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_ENTRIES 44
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_NMI 4
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9
#define MADT_X2APIC_NMI 10
#define XAPIC_ID_BROADCAST 0xff

/* MCFG (PCI Firmware Spec 3.2, 4.1.2). */
#define MCFG_ENTRIES 44
#define MCFG_ENTRY_LEN 16

/* FADT (5.2.9, table 5.9). */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_ACPI_DISABLE 53
#define FADT_PM1A_EVT_BLK 56
#define FADT_PM1B_EVT_BLK 60
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_PM_TMR_BLK 76
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_V1_LEN 116 /* the ACPI 1.0 layout ends after FLAGS */
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT 140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1B_EVT_BLK 160
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM1B_CNT_BLK 184
#define FADT_X_PM_TMR_BLK 208
#define GAS_LEN 12

/* FACS (5.2.10): no checksum, just signature, length and version. */
#define FACS_LENGTH 4
#define FACS_VERSION 32
#define FACS_MIN_LEN 64

/* HPET description table (IA-PC HPET spec 1.0a, 3.2.4). */
#define HPET_BLOCK_ID 36
#define HPET_BASE 40
#define HPET_NUMBER 52
#define HPET_MIN_TICK 53
#define HPET_LEN 56

/* AML encodings used by the \_Sx search (20.2). */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ONES_OP 0xff
#define AML_ROOT_CHAR '\\'
#define AML_PARENT_CHAR '^'
#define AML_PKGLEN_EXTRA GENMASK(7, 6) /* PkgLength: count of following bytes */
#define AML_PKGLEN_SHORT GENMASK(5, 0) /* one-byte form: the length itself */
#define AML_PKGLEN_LOW GENMASK(3, 0)   /* multi-byte form: low nibble */
#define AML_PKGLEN_MBZ GENMASK(5, 4)   /* multi-byte form: must be zero */

struct parser {
	const struct acpi_mem *mem;
	struct acpi_info *out;
	bool seen_mcfg; /* a valid MCFG was used; later ones are ignored */
};

static u16 get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 get64(const u8 *p)
{
	return (u64)get32(p) | (u64)get32(p + 4) << 32;
}

static bool sig_is(const u8 *p, const char *sig)
{
	return memcmp(p, sig, ACPI_SIG_LEN) == 0;
}

static u8 sum8(const u8 *p, size_t len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* Copy n firmware bytes as a NUL-terminated printable string ('?' for the rest). */
static void copy_printable(char *dst, const u8 *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[n] = '\0';
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* The caller's map(), refusing empty and wrapping ranges before it sees them. */
static const u8 *pmap(const struct parser *ps, paddr_t pa, size_t len)
{
	if (len == 0 || pa + len < pa)
		return NULL;
	return ps->mem->map(ps->mem->ctx, pa, len);
}

/*
 * Record a problem with the table at pa. sig is a NUL-terminated 4-char
 * name. skipped: the whole table was dropped, otherwise part of it was used.
 */
static void note(struct parser *ps, const char *sig, paddr_t pa, bool skipped, const char *reason)
{
	struct acpi_info *out = ps->out;
	struct acpi_issue *is;

	if (skipped)
		out->n_skipped++;
	if (out->n_issues++ >= ACPI_MAX_ISSUES)
		return;
	is = &out->issues[out->n_issues - 1];
	copy_str(is->sig, sizeof(is->sig), sig);
	is->addr = pa;
	is->skipped = skipped;
	copy_str(is->reason, sizeof(is->reason), reason);
}

/* Same, naming the table by the signature bytes at the start of a mapped header. */
static void note_tbl(struct parser *ps, const u8 *t, paddr_t pa, bool skipped, const char *reason)
{
	char sig[ACPI_SIG_LEN + 1];

	copy_printable(sig, t, ACPI_SIG_LEN);
	note(ps, sig, pa, skipped, reason);
}

static void table_list(struct parser *ps, const u8 *t, paddr_t pa, u32 len, u8 rev, const u8 *oem)
{
	struct acpi_info *out = ps->out;
	struct acpi_table_ref *ref;

	if (out->n_tables >= ACPI_MAX_TABLES) {
		out->tables_dropped++;
		return;
	}
	ref = &out->tables[out->n_tables++];
	copy_printable(ref->sig, t, ACPI_SIG_LEN);
	if (oem)
		copy_printable(ref->oem_id, oem, 6);
	ref->revision = rev;
	ref->length = len;
	ref->addr = pa;
}

/*
 * Map the SDT at pa and check its length, checksum and, if want is given,
 * its signature; list it in out->tables. Returns the whole table with its
 * length in *lenp, or NULL after recording why it was skipped.
 */
static const u8 *sdt_map(struct parser *ps, paddr_t pa, const char *want, u32 *lenp)
{
	const u8 *t = pmap(ps, pa, SDT_HDR_LEN);
	char sig[ACPI_SIG_LEN + 1];
	u32 len;

	if (!t) {
		note(ps, want ? want : "????", pa, true, "header not mappable");
		return NULL;
	}
	copy_printable(sig, t, ACPI_SIG_LEN);
	if (want && !sig_is(t, want)) {
		note(ps, sig, pa, true, "unexpected signature");
		return NULL;
	}
	len = get32(t + SDT_LENGTH);
	if (len < SDT_HDR_LEN) {
		note(ps, sig, pa, true, "length shorter than header");
		return NULL;
	}
	if (len > ACPI_MAX_TABLE_LEN) {
		note(ps, sig, pa, true, "length implausibly large");
		return NULL;
	}
	t = pmap(ps, pa, len);
	if (!t) {
		note(ps, sig, pa, true, "truncated: length runs past memory");
		return NULL;
	}
	if (sum8(t, len) != 0) {
		note(ps, sig, pa, true, "bad checksum");
		return NULL;
	}
	table_list(ps, t, pa, len, t[SDT_REVISION], t + SDT_OEM_ID);
	*lenp = len;
	return t;
}

/* ---- MADT ---- */

static void lapic_add(struct parser *ps, u32 apic_id, u32 uid, u32 flags, bool x2)
{
	struct acpi_madt_info *m = &ps->out->madt;
	struct acpi_lapic *l;
	u32 i;

	if (!(flags & (ACPI_LAPIC_ENABLED | ACPI_LAPIC_ONLINE_CAPABLE))) {
		m->lapics_disabled++;
		return;
	}
	/*
	 * Some firmware lists a CPU both as a Local APIC and as an x2APIC
	 * entry; the first one wins so each CPU is started once.
	 */
	for (i = 0; i < m->n_lapics; i++)
		if (m->lapics[i].apic_id == apic_id)
			return;
	if (m->n_lapics >= ACPI_MAX_LAPICS) {
		m->lapics_dropped++;
		return;
	}
	l = &m->lapics[m->n_lapics++];
	l->apic_id = apic_id;
	l->uid = uid;
	l->flags = flags;
	l->is_x2apic = x2;
}

static void ioapic_add(struct acpi_madt_info *m, const u8 *e)
{
	struct acpi_ioapic *io;

	if (m->n_ioapics >= ACPI_MAX_IOAPICS) {
		m->ioapics_dropped++;
		return;
	}
	io = &m->ioapics[m->n_ioapics++];
	io->id = e[2];
	io->address = get32(e + 4);
	io->gsi_base = get32(e + 8);
}

static void iso_add(struct acpi_madt_info *m, const u8 *e)
{
	struct acpi_iso *iso;

	if (m->n_isos >= ACPI_MAX_ISOS) {
		m->isos_dropped++;
		return;
	}
	iso = &m->isos[m->n_isos++];
	iso->bus = e[2];
	iso->source = e[3];
	iso->gsi = get32(e + 4);
	iso->flags = get16(e + 8);
}

static void nmi_add(struct acpi_madt_info *m, u32 uid, u16 flags, u8 lint)
{
	struct acpi_lapic_nmi *nmi;

	if (m->n_nmis >= ACPI_MAX_NMIS) {
		m->nmis_dropped++;
		return;
	}
	nmi = &m->nmis[m->n_nmis++];
	nmi->uid = uid;
	nmi->flags = flags;
	nmi->lint = lint;
}

/* Smallest valid length of each MADT entry type we decode (5.2.12.2 onwards); 0 = ignored type. */
static const u8 madt_min_len[] = {
	[MADT_LAPIC] = 8,
	[MADT_IOAPIC] = 12,
	[MADT_ISO] = 10,
	[MADT_LAPIC_NMI] = 6,
	[MADT_LAPIC_OVERRIDE] = 12,
	[MADT_X2APIC] = 16,
	[MADT_X2APIC_NMI] = 12,
};

/* Decode one entry e of elen bytes; elen has been checked against the table end. */
static void madt_entry(struct parser *ps, const u8 *e, u8 elen, const u8 *t, paddr_t pa)
{
	struct acpi_madt_info *m = &ps->out->madt;
	u8 type = e[0];

	if (type >= ARRAY_SIZE(madt_min_len) || madt_min_len[type] == 0)
		return;
	if (elen < madt_min_len[type]) {
		note_tbl(ps, t, pa, false, "short entry ignored");
		return;
	}
	switch (type) {
	case MADT_LAPIC:
		/* 0xff is the xAPIC broadcast ID; such CPUs are described by x2APIC entries. */
		if (e[3] != XAPIC_ID_BROADCAST)
			lapic_add(ps, e[3], e[2], get32(e + 4), false);
		break;
	case MADT_IOAPIC:
		ioapic_add(m, e);
		break;
	case MADT_ISO:
		iso_add(m, e);
		break;
	case MADT_LAPIC_NMI:
		nmi_add(m, e[2] == 0xff ? ACPI_NMI_ALL_CPUS : e[2], get16(e + 3), e[5]);
		break;
	case MADT_LAPIC_OVERRIDE:
		if (get64(e + 4))
			m->lapic_base = get64(e + 4);
		break;
	case MADT_X2APIC:
		lapic_add(ps, get32(e + 4), get32(e + 12), get32(e + 8), true);
		break;
	case MADT_X2APIC_NMI:
		nmi_add(m, get32(e + 4), get16(e + 2), e[8]);
		break;
	}
}

static void madt_parse(struct parser *ps, const u8 *t, u32 len, paddr_t pa)
{
	struct acpi_madt_info *m = &ps->out->madt;
	u32 off = MADT_ENTRIES;
	u8 elen;

	if (len < MADT_ENTRIES) {
		note_tbl(ps, t, pa, true, "shorter than MADT header");
		return;
	}
	m->present = true;
	m->lapic_base = get32(t + MADT_LAPIC_ADDR);
	m->flags = get32(t + MADT_FLAGS);

	/* Each entry is {type, length, ...}; the length is all that moves the walk on. */
	while (len - off >= 2) {
		elen = t[off + 1];
		if (elen < 2) {
			note_tbl(ps, t, pa, false, "entry length < 2, rest ignored");
			return;
		}
		if (elen > len - off) {
			note_tbl(ps, t, pa, false, "entry runs past table end");
			return;
		}
		madt_entry(ps, t + off, elen, t, pa);
		off += elen;
	}
}

/* ---- MCFG ---- */

static void mcfg_parse(struct parser *ps, const u8 *t, u32 len, paddr_t pa)
{
	struct acpi_info *out = ps->out;
	struct acpi_mcfg_alloc *a;
	const u8 *e;
	u32 off;

	if (len < MCFG_ENTRIES) {
		note_tbl(ps, t, pa, true, "shorter than MCFG header");
		return;
	}
	ps->seen_mcfg = true;
	for (off = MCFG_ENTRIES; len - off >= MCFG_ENTRY_LEN; off += MCFG_ENTRY_LEN) {
		e = t + off;
		if (get64(e) == 0 || e[10] > e[11]) {
			note_tbl(ps, t, pa, false, "entry with bad base or bus range");
			continue;
		}
		if (out->n_mcfg >= ACPI_MAX_MCFG) {
			out->mcfg_dropped++;
			continue;
		}
		a = &out->mcfg[out->n_mcfg++];
		a->base = get64(e);
		a->segment = get16(e + 8);
		a->start_bus = e[10];
		a->end_bus = e[11];
	}
}

/* ---- FADT, DSDT, FACS ---- */

static struct acpi_gas gas_get(const u8 *p)
{
	struct acpi_gas g = {
		.space_id = p[0],
		.bit_width = p[1],
		.bit_offset = p[2],
		.access_size = p[3],
		.address = get64(p + 4),
	};
	return g;
}

/*
 * A FADT register block: the X_ GAS if the table is long enough to hold it
 * and it is nonzero (ACPI 2.0+ says it then wins), else the legacy 32-bit
 * port with the legacy block length in bytes.
 */
static struct acpi_gas fadt_block(const u8 *t, u32 len, u32 x_off, u32 port_off, u32 len_off)
{
	struct acpi_gas g = { 0 };

	if (len >= x_off + GAS_LEN) {
		g = gas_get(t + x_off);
		if (g.address)
			return g;
	}
	g = (struct acpi_gas){ 0 };
	g.address = get32(t + port_off);
	if (g.address) {
		g.space_id = ACPI_GAS_IO;
		g.bit_width = (u8)min_u64(t[len_off] * 8u, 0xff);
	}
	return g;
}

static void facs_parse(struct parser *ps, paddr_t pa)
{
	const u8 *f = pmap(ps, pa, FACS_MIN_LEN);
	u32 len;

	if (!f) {
		note(ps, "FACS", pa, true, "not mappable");
		return;
	}
	len = get32(f + FACS_LENGTH);
	if (!sig_is(f, "FACS") || len < FACS_MIN_LEN) {
		note_tbl(ps, f, pa, true, "bad signature or length");
		return;
	}
	table_list(ps, f, pa, len, f[FACS_VERSION], NULL);
}

static void dsdt_parse(struct parser *ps, paddr_t pa)
{
	struct acpi_info *out = ps->out;
	const u8 *t;
	u32 len;

	t = sdt_map(ps, pa, "DSDT", &len);
	if (!t)
		return;
	if (acpi_aml_find_sleep_type(t + SDT_HDR_LEN, len - SDT_HDR_LEN, 5, &out->s5) < 0)
		note(ps, "DSDT", pa, false, "no \\_S5_ package, no soft-off");
}

static void fadt_parse(struct parser *ps, const u8 *t, u32 len, paddr_t pa)
{
	struct acpi_fadt_info *f = &ps->out->fadt;
	paddr_t x;

	/* Everything up to FLAGS exists since ACPI 1.0; shorter is corrupt. */
	if (len < FADT_V1_LEN) {
		note_tbl(ps, t, pa, true, "shorter than ACPI 1.0 FADT");
		return;
	}
	f->present = true;
	f->revision = t[SDT_REVISION];
	f->flags = get32(t + FADT_FLAGS);
	f->sci_irq = get16(t + FADT_SCI_INT);
	f->smi_cmd = get32(t + FADT_SMI_CMD);
	f->acpi_enable = t[FADT_ACPI_ENABLE];
	f->acpi_disable = t[FADT_ACPI_DISABLE];
	/* Reserved in the revision 1 layout. */
	if (f->revision >= 2)
		f->iapc_boot_arch = get16(t + FADT_IAPC_BOOT_ARCH);

	f->pm_tmr = fadt_block(t, len, FADT_X_PM_TMR_BLK, FADT_PM_TMR_BLK, FADT_PM_TMR_LEN);
	f->pm_tmr_32bit = f->flags & ACPI_FADT_TMR_VAL_EXT;
	f->pm1a_evt = fadt_block(t, len, FADT_X_PM1A_EVT_BLK, FADT_PM1A_EVT_BLK, FADT_PM1_EVT_LEN);
	f->pm1b_evt = fadt_block(t, len, FADT_X_PM1B_EVT_BLK, FADT_PM1B_EVT_BLK, FADT_PM1_EVT_LEN);
	f->pm1a_cnt = fadt_block(t, len, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK, FADT_PM1_CNT_LEN);
	f->pm1b_cnt = fadt_block(t, len, FADT_X_PM1B_CNT_BLK, FADT_PM1B_CNT_BLK, FADT_PM1_CNT_LEN);

	if (len > FADT_RESET_VALUE) {
		f->reset_reg = gas_get(t + FADT_RESET_REG);
		f->reset_value = t[FADT_RESET_VALUE];
		f->reset_supported = (f->flags & ACPI_FADT_RESET_REG_SUP) && f->reset_reg.address;
	}

	f->dsdt = get32(t + FADT_DSDT);
	if (len >= FADT_X_DSDT + 8) {
		x = get64(t + FADT_X_DSDT);
		if (x)
			f->dsdt = x;
	}
	f->facs = get32(t + FADT_FIRMWARE_CTRL);
	if (len >= FADT_X_FIRMWARE_CTRL + 8) {
		x = get64(t + FADT_X_FIRMWARE_CTRL);
		if (x)
			f->facs = x;
	}

	if (f->dsdt)
		dsdt_parse(ps, f->dsdt);
	else
		note_tbl(ps, t, pa, false, "no DSDT address");
	if (f->facs)
		facs_parse(ps, f->facs);
}

/* ---- HPET ---- */

static void hpet_parse(struct parser *ps, const u8 *t, u32 len, paddr_t pa)
{
	struct acpi_hpet_info *h = &ps->out->hpet;
	struct acpi_gas base;
	u32 id;

	if (len < HPET_LEN) {
		note_tbl(ps, t, pa, true, "shorter than HPET layout");
		return;
	}
	base = gas_get(t + HPET_BASE);
	if (base.space_id != ACPI_GAS_MEMORY || base.address == 0) {
		note_tbl(ps, t, pa, true, "base not a memory address");
		return;
	}
	id = get32(t + HPET_BLOCK_ID);
	h->present = true;
	h->base = base;
	h->block_id = id;
	h->num_comparators = (u8)FIELD_GET(ACPI_HPET_ID_NUM_CMP, id) + 1;
	h->counter_64bit = id & ACPI_HPET_ID_COUNT_64;
	h->legacy_replacement = id & ACPI_HPET_ID_LEGACY_RT;
	h->hpet_number = t[HPET_NUMBER];
	h->min_tick = get16(t + HPET_MIN_TICK);
}

/* ---- Root tables ---- */

/* Validate one table named by the root and hand it to its decoder. */
static void table_parse(struct parser *ps, paddr_t pa)
{
	struct acpi_info *out = ps->out;
	const u8 *t;
	u32 len;

	t = sdt_map(ps, pa, NULL, &len);
	if (!t)
		return;
	if (sig_is(t, "APIC") && !out->madt.present)
		madt_parse(ps, t, len, pa);
	else if (sig_is(t, "MCFG") && !ps->seen_mcfg)
		mcfg_parse(ps, t, len, pa);
	else if (sig_is(t, "FACP") && !out->fadt.present)
		fadt_parse(ps, t, len, pa);
	else if (sig_is(t, "HPET") && !out->hpet.present)
		hpet_parse(ps, t, len, pa);
}

/* Follow each entry of a validated RSDT (esize 4) or XSDT (esize 8). */
static void root_walk(struct parser *ps, const u8 *root, u32 len, paddr_t pa, u32 esize)
{
	u32 n = (len - SDT_HDR_LEN) / esize;
	u32 i;
	paddr_t entry;

	if (n > ACPI_MAX_ROOT_ENTRIES) {
		note_tbl(ps, root, pa, false, "too many entries, rest ignored");
		n = ACPI_MAX_ROOT_ENTRIES;
	}
	for (i = 0; i < n; i++) {
		const u8 *e = root + SDT_HDR_LEN + i * esize;

		entry = esize == 8 ? get64(e) : get32(e);
		if (!entry) {
			note_tbl(ps, root, pa, false, "null entry ignored");
			continue;
		}
		table_parse(ps, entry);
	}
}

/*
 * Check the RSDP and return the XSDT (0 if none) and RSDT addresses. A v2+
 * RSDP must also pass its extended length and checksum.
 */
static int rsdp_check(struct parser *ps, paddr_t pa, paddr_t *xsdt, paddr_t *rsdt)
{
	struct acpi_info *out = ps->out;
	const u8 *r = pmap(ps, pa, RSDP_V1_LEN);
	u32 len;

	if (!r) {
		note(ps, "RSDP", pa, true, "not mappable");
		return -EFAULT;
	}
	if (memcmp(r, RSDP_SIG, RSDP_SIG_LEN) != 0) {
		note(ps, "RSDP", pa, true, "bad signature");
		return -EINVAL;
	}
	if (sum8(r, RSDP_V1_LEN) != 0) {
		note(ps, "RSDP", pa, true, "bad checksum");
		return -EINVAL;
	}
	out->rsdp_revision = r[RSDP_REVISION];
	copy_printable(out->oem_id, r + RSDP_OEM_ID, 6);
	*rsdt = get32(r + RSDP_RSDT);
	*xsdt = 0;
	if (out->rsdp_revision < 2)
		return 0;

	r = pmap(ps, pa, RSDP_V2_LEN);
	if (!r) {
		note(ps, "RSDP", pa, true, "v2 part not mappable");
		return -EFAULT;
	}
	len = get32(r + RSDP_LENGTH);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		note(ps, "RSDP", pa, true, "bad length");
		return -EINVAL;
	}
	r = pmap(ps, pa, len);
	if (!r) {
		note(ps, "RSDP", pa, true, "length runs past mapped memory");
		return -EFAULT;
	}
	if (sum8(r, len) != 0) {
		note(ps, "RSDP", pa, true, "bad extended checksum");
		return -EINVAL;
	}
	*xsdt = get64(r + RSDP_XSDT);
	return 0;
}

int acpi_parse(paddr_t rsdp, const struct acpi_mem *mem, struct acpi_info *out)
{
	struct parser ps = { .mem = mem, .out = out };
	paddr_t xsdt, rsdt;
	const u8 *root;
	u32 len;
	int err;

	memset(out, 0, sizeof(*out));
	err = rsdp_check(&ps, rsdp, &xsdt, &rsdt);
	if (err)
		return err;

	/* Prefer the XSDT; a bad one is recorded by sdt_map and the RSDT still serves. */
	if (xsdt) {
		root = sdt_map(&ps, xsdt, "XSDT", &len);
		if (root) {
			out->root = xsdt;
			out->root_is_xsdt = true;
			root_walk(&ps, root, len, xsdt, 8);
			return 0;
		}
	}
	if (rsdt) {
		root = sdt_map(&ps, rsdt, "RSDT", &len);
		if (root) {
			out->root = rsdt;
			root_walk(&ps, root, len, rsdt, 4);
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- AML: the \_Sx package ---- */

/* Decode the integer element at aml[*pos], reading nothing at or past end. */
static int aml_integer(const u8 *aml, size_t *pos, size_t end, u64 *val)
{
	size_t p = *pos;
	size_t n, i;

	if (p >= end)
		return -ENOENT;
	switch (aml[p]) {
	case AML_ZERO_OP:
		*val = 0;
		n = 0;
		break;
	case AML_ONE_OP:
		*val = 1;
		n = 0;
		break;
	case AML_ONES_OP:
		*val = ~0ULL;
		n = 0;
		break;
	case AML_BYTE_PREFIX:
		n = 1;
		break;
	case AML_WORD_PREFIX:
		n = 2;
		break;
	case AML_DWORD_PREFIX:
		n = 4;
		break;
	case AML_QWORD_PREFIX:
		n = 8;
		break;
	default:
		/* A name reference or expression: not something we can evaluate. */
		return -ENOENT;
	}
	if (n) {
		if (end - p - 1 < n)
			return -ENOENT;
		*val = 0;
		for (i = 0; i < n; i++)
			*val |= (u64)aml[p + 1 + i] << (8 * i);
	}
	*pos = p + 1 + n;
	return 0;
}

/*
 * Decode the PkgLength at aml[pos] (20.2.4). *pkglen counts from the first
 * PkgLength byte; *enc is how many bytes the encoding itself took.
 */
static int aml_pkg_length(const u8 *aml, size_t pos, size_t end, size_t *pkglen, size_t *enc)
{
	u8 lead;
	size_t extra, i, v;

	if (pos >= end)
		return -ENOENT;
	lead = aml[pos];
	extra = FIELD_GET(AML_PKGLEN_EXTRA, lead);
	if (end - pos - 1 < extra)
		return -ENOENT;
	if (extra == 0) {
		v = FIELD_GET(AML_PKGLEN_SHORT, lead);
	} else {
		if (lead & AML_PKGLEN_MBZ)
			return -ENOENT;
		v = FIELD_GET(AML_PKGLEN_LOW, lead);
		for (i = 0; i < extra; i++)
			v |= (size_t)aml[pos + 1 + i] << (4 + 8 * i);
	}
	*pkglen = v;
	*enc = 1 + extra;
	return 0;
}

/* Decode Package(){a, b, ...} at aml[pos]; every read stays below len and the package end. */
static int aml_sleep_package(const u8 *aml, size_t pos, size_t len, struct acpi_sleep_type *out)
{
	size_t pkglen, enc, end;
	u64 a, b;
	u8 count;

	if (pos >= len || aml[pos] != AML_PACKAGE_OP)
		return -ENOENT;
	pos++;
	if (aml_pkg_length(aml, pos, len, &pkglen, &enc) < 0)
		return -ENOENT;
	/* The package must hold its own length encoding and NumElements, and fit. */
	if (pkglen < enc + 1 || pkglen > len - pos)
		return -ENOENT;
	end = pos + pkglen;
	pos += enc;
	count = aml[pos++];
	if (count == 0 || aml_integer(aml, &pos, end, &a) < 0)
		return -ENOENT;
	/* ACPICA's reading of a one-element package: SLP_TYPa low byte, SLP_TYPb next. */
	if (count == 1)
		b = a >> 8;
	else if (aml_integer(aml, &pos, end, &b) < 0)
		return -ENOENT;
	out->found = true;
	out->slp_typa = (u8)a;
	out->slp_typb = (u8)b;
	return 0;
}

int acpi_aml_find_sleep_type(const u8 *aml, size_t len, unsigned int state,
			     struct acpi_sleep_type *out)
{
	u8 name[ACPI_SIG_LEN] = { '_', 'S', 0, '_' };
	size_t i, p;

	out->found = false;
	out->slp_typa = 0;
	out->slp_typb = 0;
	if (state > 5)
		return -EINVAL;
	name[2] = (u8)('0' + state);

	/*
	 * No AML interpreter: look for the byte pattern NameOp [\ or ^...]
	 * "_Sx_" PackageOp. A match that does not decode (a stray byte
	 * sequence, a package of names) is passed over and the search goes on.
	 */
	for (i = 0; i < len; i++) {
		if (aml[i] != AML_NAME_OP)
			continue;
		p = i + 1;
		if (p < len && aml[p] == AML_ROOT_CHAR)
			p++;
		else
			while (p < len && aml[p] == AML_PARENT_CHAR)
				p++;
		if (len - p < ACPI_SIG_LEN || memcmp(aml + p, name, ACPI_SIG_LEN) != 0)
			continue;
		if (aml_sleep_package(aml, p + ACPI_SIG_LEN, len, out) == 0)
			return 0;
	}
	return -ENOENT;
}
