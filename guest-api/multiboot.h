/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot v1: the boot protocol of longbus guests, as the specification
 * (Multiboot Specification version 0.6.96) defines it. Shared by the
 * hypervisor's loader (vmm/multiboot.c) and the 32-bit test guests
 * (guest-api/libguest), so both read one layout.
 *
 * Freestanding: only <stdint.h> and <stddef.h>. The structures are packed
 * and their sizes and offsets asserted, so the 32-bit guest build and the
 * 64-bit hypervisor build agree byte for byte. docs/guest-api.md describes
 * what longbus puts in each field.
 */
#ifndef LONGBUS_GUEST_API_MULTIBOOT_H
#define LONGBUS_GUEST_API_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

/* In the image's Multiboot header. */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
/* In EAX when the loader jumps to the entry point. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* The header lies wholly within this many bytes from the start of the image, 4-byte aligned. */
#define MULTIBOOT_SEARCH 8192u
#define MULTIBOOT_HEADER_ALIGN 4u

/*
 * Header flags. Bits 0-15 are requirements: a loader that does not
 * understand a set bit must refuse the image. Bits 16-31 are optional.
 */
#define MULTIBOOT_PAGE_ALIGN 0x00000001u   /* align modules on 4 KiB */
#define MULTIBOOT_MEMORY_INFO 0x00000002u  /* mem_* fields required */
#define MULTIBOOT_VIDEO_MODE 0x00000004u   /* video mode table required */
#define MULTIBOOT_AOUT_KLUDGE 0x00010000u  /* address fields of the header are valid */
#define MULTIBOOT_REQUIRED_MASK 0x0000FFFFu

/* The header: magic, flags, checksum (magic + flags + checksum == 0 mod 2^32). */
struct multiboot_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
	/* Valid when MULTIBOOT_AOUT_KLUDGE is set. Physical addresses. */
	uint32_t header_addr;	/* where this header loads */
	uint32_t load_addr;	/* start of the text segment */
	uint32_t load_end_addr;	/* end of data, 0: to the end of the file */
	uint32_t bss_end_addr;	/* end of bss, 0: no bss */
	uint32_t entry_addr;
	/* Valid when MULTIBOOT_VIDEO_MODE is set. */
	uint32_t mode_type;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
} __attribute__((packed));

/* Bytes of the header the loader must read for the flags given. */
#define MULTIBOOT_HEADER_BASE_SIZE 12u
#define MULTIBOOT_HEADER_AOUT_SIZE 32u
#define MULTIBOOT_HEADER_SIZE 48u

/* Info flags: which fields of struct multiboot_info are valid. */
#define MULTIBOOT_INFO_MEMORY 0x00000001u	     /* mem_lower, mem_upper */
#define MULTIBOOT_INFO_BOOTDEV 0x00000002u	     /* boot_device */
#define MULTIBOOT_INFO_CMDLINE 0x00000004u	     /* cmdline */
#define MULTIBOOT_INFO_MODS 0x00000008u	     /* mods_count, mods_addr */
#define MULTIBOOT_INFO_AOUT_SYMS 0x00000010u
#define MULTIBOOT_INFO_ELF_SHDR 0x00000020u
#define MULTIBOOT_INFO_MEM_MAP 0x00000040u	     /* mmap_length, mmap_addr */
#define MULTIBOOT_INFO_DRIVE_INFO 0x00000080u
#define MULTIBOOT_INFO_CONFIG_TABLE 0x00000100u
#define MULTIBOOT_INFO_BOOT_LOADER_NAME 0x00000200u /* boot_loader_name */
#define MULTIBOOT_INFO_APM_TABLE 0x00000400u
#define MULTIBOOT_INFO_VBE_INFO 0x00000800u
#define MULTIBOOT_INFO_FRAMEBUFFER_INFO 0x00001000u

/* The Multiboot information structure; EBX holds its physical address. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB of RAM from 0, at most 640 */
	uint32_t mem_upper;	/* KiB of RAM from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;	/* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;	/* bytes of the memory map */
	uint32_t mmap_addr;	/* physical address of the first entry */
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name; /* physical address of a NUL-terminated string */
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __attribute__((packed));

/* Memory map entry types. */
#define MULTIBOOT_MEMORY_AVAILABLE 1u
#define MULTIBOOT_MEMORY_RESERVED 2u
#define MULTIBOOT_MEMORY_ACPI_RECLAIMABLE 3u
#define MULTIBOOT_MEMORY_NVS 4u
#define MULTIBOOT_MEMORY_BADRAM 5u

/*
 * One memory map entry. 'size' counts the bytes after itself (20 here);
 * the next entry starts at (entry address + size + 4).
 */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct multiboot_header) == MULTIBOOT_HEADER_SIZE, "multiboot_header");
_Static_assert(offsetof(struct multiboot_header, entry_addr) == 28, "multiboot_header.entry_addr");
_Static_assert(sizeof(struct multiboot_info) == 116, "multiboot_info");
_Static_assert(offsetof(struct multiboot_info, cmdline) == 16, "multiboot_info.cmdline");
_Static_assert(offsetof(struct multiboot_info, mmap_length) == 44, "multiboot_info.mmap_length");
_Static_assert(offsetof(struct multiboot_info, boot_loader_name) == 64,
	       "multiboot_info.boot_loader_name");
_Static_assert(offsetof(struct multiboot_info, framebuffer_addr) == 88,
	       "multiboot_info.framebuffer_addr");
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "multiboot_mmap_entry");

#endif
