/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI table parser: RSDP -> RSDT/XSDT -> MADT, MCFG, FADT (+DSDT \_S5),
 * HPET, reduced to the plain facts longbus needs (CPUs, IOAPICs, IRQ
 * overrides, ECAM windows, PM timer, PM1 control, reset register, soft-off
 * sleep type, HPET base).
 *
 * Context: pure code. No asm, no globals, no logging, no allocation; it
 * builds unchanged into the core (freestanding) and into tests/unit. Memory
 * is reached only through the struct acpi_mem the caller passes, so the
 * caller decides how physical addresses become pointers.
 *
 * Every byte comes from firmware and is treated as hostile: each length and
 * count is bounded before use, every walk terminates, arrays are capped and
 * overflow is counted. A corrupt RSDP fails the parse; a corrupt optional
 * table is skipped and recorded in acpi_info.issues for the caller to log.
 *
 * Layouts follow the ACPI 6.5 specification; section numbers are cited
 * where fields are decoded in acpi.c.
 */
#ifndef LONGBUS_ACPI_H
#define LONGBUS_ACPI_H

#include "kernel/compiler.h"

#define ACPI_MAX_LAPICS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS 16
#define ACPI_MAX_NMIS 16
#define ACPI_MAX_MCFG 4
#define ACPI_MAX_TABLES 32	 /* recorded in tables[]; the walk itself may see more */
#define ACPI_MAX_ROOT_ENTRIES 64 /* RSDT/XSDT entries followed; the rest are ignored */
#define ACPI_MAX_ISSUES 8
#define ACPI_REASON_MAX 48 /* one reason string, including the NUL */
#define ACPI_SIG_LEN 4

/*
 * Longest table the parser will map. The largest real DSDTs are a few hundred
 * KiB; anything past this is a corrupt length, and refusing it keeps a caller
 * that maps on demand from being asked for gigabytes.
 */
#define ACPI_MAX_TABLE_LEN (16u * 1024 * 1024)

/*
 * How the parser reads physical memory. map() returns a pointer to len
 * readable bytes at physical address pa, or NULL if any part of the range is
 * not readable (outside RAM/ACPI regions, wraps, too large). Pointers handed
 * out must stay valid until acpi_parse() returns; the parser never writes
 * through them. acpi_info holds no pointers into mapped memory.
 */
struct acpi_mem {
	const void *(*map)(void *ctx, paddr_t pa, size_t len);
	void *ctx;
};

/* Generic Address Structure address spaces (ACPI 6.5, 5.2.3.2). */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI_CFG 2

/* A Generic Address Structure, decoded. address == 0 means "absent". */
struct acpi_gas {
	u8 space_id;	/* ACPI_GAS_* */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	u64 address;
};

/* MADT Local APIC / x2APIC flags (ACPI 6.5, 5.2.12.2). */
#define ACPI_LAPIC_ENABLED BIT(0)
#define ACPI_LAPIC_ONLINE_CAPABLE BIT(1)

struct acpi_lapic {
	u32 apic_id;
	u32 uid;	/* ACPI processor UID: u8 in a type 0 entry, u32 in type 9 */
	u32 flags;	/* ACPI_LAPIC_* */
	bool is_x2apic; /* came from a type 9 (Processor Local x2APIC) entry */
};

struct acpi_ioapic {
	u8 id;
	u32 address;
	u32 gsi_base;
};

/* MPS INTI flags in ISO and NMI entries (ACPI 6.5, table 5.26). */
#define ACPI_INTI_POLARITY GENMASK(1, 0) /* 0 bus default, 1 high, 3 low */
#define ACPI_INTI_TRIGGER GENMASK(3, 2)	 /* 0 bus default, 1 edge, 3 level */

/* Interrupt Source Override: ISA IRQ `source` arrives on `gsi`. */
struct acpi_iso {
	u8 bus; /* always 0 (ISA) */
	u8 source;
	u32 gsi;
	u16 flags; /* ACPI_INTI_* */
};

/* Local APIC NMI: which LINT pin of which processor is wired to NMI. */
#define ACPI_NMI_ALL_CPUS 0xffffffffu
struct acpi_lapic_nmi {
	u32 uid; /* ACPI processor UID, or ACPI_NMI_ALL_CPUS */
	u16 flags; /* ACPI_INTI_* */
	u8 lint;   /* 0 or 1 */
};

/* MADT flags (ACPI 6.5, table 5.20). */
#define ACPI_MADT_PCAT_COMPAT BIT(0) /* dual 8259s present, mask them */

struct acpi_madt_info {
	bool present;
	u32 flags;	  /* ACPI_MADT_* */
	paddr_t lapic_base; /* header value, or the type 5 override if present */
	u32 n_lapics;
	u32 lapics_dropped;  /* usable entries past ACPI_MAX_LAPICS */
	u32 lapics_disabled; /* entries neither enabled nor online-capable, not listed */
	struct acpi_lapic lapics[ACPI_MAX_LAPICS];
	u32 n_ioapics;
	u32 ioapics_dropped;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	u32 n_isos;
	u32 isos_dropped;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	u32 n_nmis;
	u32 nmis_dropped;
	struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];
};

/* One ECAM window: bus b, device d, function f is at base + (b << 20 | d << 15 | f << 12). */
struct acpi_mcfg_alloc {
	u64 base; /* ECAM address of bus 0, even if start_bus > 0 (PCI Firmware Spec 3.2, 4.1.2) */
	u16 segment;
	u8 start_bus;
	u8 end_bus;
};

/* FADT fixed feature flags we act on (ACPI 6.5, table 5.10). */
#define ACPI_FADT_TMR_VAL_EXT BIT(8)	 /* PM timer is 32 bits wide, else 24 */
#define ACPI_FADT_RESET_REG_SUP BIT(10)	 /* RESET_REG/RESET_VALUE are valid */
#define ACPI_FADT_HW_REDUCED BIT(20)	 /* no PM timer, PM1 blocks or SMI_CMD */

struct acpi_fadt_info {
	bool present;
	u8 revision;
	u32 flags;	/* ACPI_FADT_* */
	u16 sci_irq;	/* ISA IRQ (or GSI) of the SCI */
	u32 smi_cmd;	/* port; 0 = ACPI mode cannot be switched (already on or HW-reduced) */
	u8 acpi_enable; /* value to write to smi_cmd to enter ACPI mode */
	u8 acpi_disable;
	u16 iapc_boot_arch; /* legacy-device flags, 0 before FADT revision 2 */
	/*
	 * Register blocks: the X_ GAS when it is present and nonzero, else the
	 * legacy port as an I/O GAS of the legacy block length.
	 */
	struct acpi_gas pm_tmr;
	bool pm_tmr_32bit; /* ACPI_FADT_TMR_VAL_EXT */
	struct acpi_gas pm1a_evt;
	struct acpi_gas pm1b_evt;
	struct acpi_gas pm1a_cnt;
	struct acpi_gas pm1b_cnt;
	/* RESET_REG is read whenever the FADT is long enough; trust it only if reset_supported. */
	struct acpi_gas reset_reg;
	u8 reset_value;
	bool reset_supported; /* ACPI_FADT_RESET_REG_SUP and a nonzero reset_reg address */
	paddr_t dsdt;	      /* X_DSDT if nonzero, else DSDT */
	paddr_t facs;	      /* X_FIRMWARE_CTRL if nonzero, else FIRMWARE_CTRL */
};

/*
 * SLP_TYPa/SLP_TYPb for one sleep state, from the \_Sx package. Written to
 * PM1a_CNT/PM1b_CNT bits 12:10 together with SLP_EN (bit 13). Values are as
 * firmware gave them; only the low 3 bits are meaningful.
 */
struct acpi_sleep_type {
	bool found;
	u8 slp_typa;
	u8 slp_typb;
};

/* HPET Event Timer Block ID fields (IA-PC HPET spec 1.0a, 3.2.4). */
#define ACPI_HPET_ID_REV GENMASK(7, 0)
#define ACPI_HPET_ID_NUM_CMP GENMASK(12, 8) /* comparators - 1 */
#define ACPI_HPET_ID_COUNT_64 BIT(13)
#define ACPI_HPET_ID_LEGACY_RT BIT(15)
#define ACPI_HPET_ID_VENDOR GENMASK(31, 16)

struct acpi_hpet_info {
	bool present;
	struct acpi_gas base; /* always ACPI_GAS_MEMORY when present */
	u32 block_id;	      /* raw Event Timer Block ID, ACPI_HPET_ID_* */
	u8 num_comparators;
	bool counter_64bit;
	bool legacy_replacement;
	u8 hpet_number;
	u16 min_tick; /* minimum periodic tick, in counter ticks */
};

/*
 * A table whose header, length and checksum were valid. Its decoder may still
 * have rejected the contents (e.g. a FADT shorter than ACPI 1.0); that shows
 * in issues as well.
 */
struct acpi_table_ref {
	char sig[ACPI_SIG_LEN + 1];  /* NUL-terminated, unprintable bytes as '?' */
	char oem_id[7];		     /* NUL-terminated */
	u8 revision;
	u32 length;
	paddr_t addr;
};

/*
 * Something wrong with one table. skipped: the table was dropped whole;
 * otherwise what came before the fault was kept (e.g. a MADT walk that hit
 * a zero-length entry).
 */
struct acpi_issue {
	char sig[ACPI_SIG_LEN + 1]; /* "????" if the header could not be read */
	paddr_t addr;
	bool skipped;
	char reason[ACPI_REASON_MAX];
};

struct acpi_info {
	/* Root pointers. */
	u8 rsdp_revision; /* 0 = ACPI 1.0 (RSDT only), 2+ = XSDT available */
	char oem_id[7];
	paddr_t root;	   /* the RSDT or XSDT actually walked */
	bool root_is_xsdt; /* false: RSDP v1, no XSDT, or XSDT corrupt (see issues) */

	/* Valid tables in walk order: the root, its entries, the DSDT and FACS right after the FADT. */
	u32 n_tables;
	u32 tables_dropped; /* accepted past ACPI_MAX_TABLES, not listed */
	struct acpi_table_ref tables[ACPI_MAX_TABLES];

	/* Problems found. n_issues counts all; only the first ACPI_MAX_ISSUES are kept. */
	u32 n_issues;
	u32 n_skipped; /* tables dropped whole */
	struct acpi_issue issues[ACPI_MAX_ISSUES];

	/* Only the first valid table of each signature is used. */
	struct acpi_madt_info madt;
	u32 n_mcfg;
	u32 mcfg_dropped; /* valid entries past ACPI_MAX_MCFG */
	struct acpi_mcfg_alloc mcfg[ACPI_MAX_MCFG];
	struct acpi_fadt_info fadt;
	struct acpi_sleep_type s5; /* from the DSDT's \_S5_ package */
	struct acpi_hpet_info hpet;
};

/*
 * Parse the ACPI tables reachable from the RSDP at physical address rsdp
 * into *out (which is cleared first).
 *
 * Returns 0 on success, even if optional tables were corrupt (see
 * out->issues); -EFAULT if the RSDP cannot be mapped; -EINVAL if its
 * signature, checksum, extended checksum or length is bad; -ENOENT if
 * neither the XSDT nor the RSDT is usable. On error *out holds what was
 * learned before the failure, including issues.
 *
 * Context: any; pure, no locks. Runs in O(total table bytes).
 */
int acpi_parse(paddr_t rsdp, const struct acpi_mem *mem, struct acpi_info *out) __must_check;

/*
 * Find the \_Sx sleep package (state 0..5) in an AML byte stream, e.g. a
 * DSDT body after its 36-byte header. Recognises Name(_Sx_, Package(){...})
 * with an optional root or parent prefix on the name and integer elements
 * encoded as ZeroOp, OneOp, OnesOp or Byte/Word/DWord/QWord prefixes. A
 * one-element package is split as ACPICA does (low byte A, next byte B).
 *
 * Returns 0 and fills *out (found = true), -ENOENT if no well-formed package
 * exists, -EINVAL if state > 5. Reads only aml[0..len).
 */
int acpi_aml_find_sleep_type(const u8 *aml, size_t len, unsigned int state,
			     struct acpi_sleep_type *out) __must_check;

#endif
