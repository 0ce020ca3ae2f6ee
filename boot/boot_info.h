/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hand-over from the UEFI loader to the core: everything only firmware
 * knows, gathered before ExitBootServices. Versioned: the core checks magic,
 * version and size and refuses to run on a mismatch.
 *
 * All addresses are host-physical. The structure and every array it points
 * to live in loader-owned memory (LB_MEM_LOADER), which the page allocator
 * never hands out.
 */
#ifndef LONGBUS_BOOT_INFO_H
#define LONGBUS_BOOT_INFO_H

#include "kernel/compiler.h"

#define BOOT_INFO_MAGIC 0x4f464e4953554c42ULL /* "BLUSINFO" little-endian */
#define BOOT_INFO_VERSION 1

#define BI_MAX_CPUS 256
#define BI_MAX_FILES 32
#define BI_FILE_NAME_MAX 64

/*
 * UEFI memory types (UEFI 2.10, 7.2.1), plus the OS-defined types the
 * loader allocates with (0x80000000 and up are reserved for OS loaders), so
 * that the final memory map itself records who owns what.
 */
enum efi_memtype {
	EFI_RESERVED = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_RUNTIME_SERVICES_CODE = 5,
	EFI_RUNTIME_SERVICES_DATA = 6,
	EFI_CONVENTIONAL = 7,
	EFI_UNUSABLE = 8,
	EFI_ACPI_RECLAIM = 9,
	EFI_ACPI_NVS = 10,
	EFI_MMIO = 11,
	EFI_MMIO_PORT_SPACE = 12,
	EFI_PAL_CODE = 13,
	EFI_PERSISTENT = 14,
	EFI_UNACCEPTED = 15,
	LB_MEMTYPE_CORE = 0x80000000,  /* the core image, text to bss */
	LB_MEMTYPE_POOL = 0x80000001,  /* the hypervisor's page pool ([longbus] memory) */
	LB_MEMTYPE_GUEST = 0x80000002, /* guest RAM blocks */
	LB_MEMTYPE_FILE = 0x80000003,  /* files loaded from the ESP (images, initrds) */
	LB_MEMTYPE_BOOT = 0x80000004,  /* boot_info, its arrays, bootstrap page tables */
	LB_MEMTYPE_LOWMEM = 0x80000005 /* the SMP trampoline below 1 MiB */
};

/* EFI memory attribute bits we look at (UEFI 2.10, 7.2.3). */
#define BI_MEMORY_UC BIT(0)
#define BI_MEMORY_WB BIT(3)
#define BI_MEMORY_RUNTIME BIT(63)

/* One memory-map entry, copied out of EFI_MEMORY_DESCRIPTOR (whose stride varies). */
struct bi_memdesc {
	u32 type; /* enum efi_memtype */
	u32 reserved;
	u64 base;
	u64 npages; /* 4 KiB pages */
	u64 attr;
};

/* A file the config named, loaded whole from the ESP. */
struct bi_file {
	char name[BI_FILE_NAME_MAX]; /* path as written in longbus.cfg */
	paddr_t phys;
	u64 size;
};

/* A guest RAM block, 2 MiB aligned, in [guest NAME] order. */
struct bi_guest_ram {
	paddr_t phys;
	u64 size;
};

struct boot_info {
	u64 magic;
	u32 version;
	u32 size; /* sizeof(struct boot_info) as the loader built it */

	/* CPUs from EFI_MP_SERVICES_PROTOCOL; cpu 0 is the boot CPU. */
	u32 ncpus;
	u32 ncpus_enabled;
	u32 apic_ids[BI_MAX_CPUS];

	u64 tsc_hz; /* calibrated against BS->Stall */

	paddr_t acpi_rsdp; /* 0: the firmware published no ACPI tables */
	paddr_t efi_system_table;
	paddr_t efi_runtime_services;

	/* Final memory map, as returned by the GetMemoryMap that ExitBootServices accepted. */
	paddr_t mmap;
	u32 mmap_count;
	u32 mmap_capacity;

	/* The raw longbus.cfg bytes; the core parses them again with the same parser. */
	paddr_t config;
	u64 config_len;

	/* Regions the loader set up for the core. */
	paddr_t core_phys;
	u64 core_size; /* bytes, including bss, page-rounded */
	paddr_t pool_phys;
	u64 pool_size;
	paddr_t lowmem_phys; /* SMP trampoline, below 1 MiB */
	u64 lowmem_size;

	u32 nfiles;
	u32 nguest_ram;
	struct bi_file files[BI_MAX_FILES];
	struct bi_guest_ram guest_ram[16];
};

/*
 * The core image is a flat binary that starts with this header (linker.ld
 * puts .head first). The loader checks it before copying the image.
 */
#define CORE_HEADER_MAGIC 0x45524f4353554c42ULL /* "BLUSCORE" */
#define CORE_HEADER_VERSION 1

struct core_header {
	u64 magic;
	u32 version;
	u32 size;	/* sizeof(struct core_header) */
	u64 link_base;	/* virtual address the image is linked at */
	u64 entry;	/* virtual address of the entry point */
	u64 file_size;	/* bytes of the flat image */
	u64 mem_size;	/* bytes to reserve: image + bss */
	u64 boot_stack_top; /* virtual address of the initial stack top */
};

/* Where the core lives in the address space (see docs/architecture.md). */
#define CORE_LINK_BASE 0xffffffff80000000ULL
#define DIRECT_MAP_BASE 0xffff800000000000ULL

#endif
