/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Multiboot v1 guest image loader: checks an untrusted image, copies its
 * segments into guest RAM and writes the Multiboot information structure the
 * guest finds through EBX.
 *
 * Pure C: no allocation, no global state, no logging, no asm. It touches
 * only the image bytes and the guest RAM buffer it is given, so it builds
 * unchanged for tests/unit. Context: guest creation, any CPU, may be called
 * concurrently for different guests. Entering the guest (32-bit protected
 * mode, paging off, EAX = MULTIBOOT_BOOTLOADER_MAGIC, EBX = mbi_gpa,
 * EIP = entry) is the caller's job.
 *
 * Supported images:
 * - ELF32 little-endian EM_386 ET_EXEC with a Multiboot header in the first
 *   8 KiB. PT_LOAD segments load at p_paddr; p_memsz - p_filesz is zeroed.
 *   An e_entry inside a segment's virtual range is moved to its physical
 *   address (as GRUB does), so higher-half kernels start at the right byte.
 * - The "a.out kludge" (header flag bit 16): the header's address fields
 *   describe one segment, and they win over any ELF header, as the spec says.
 * Refused: ELF64 (QEMU refuses it too), header flag bit 2 (video mode: there
 * is no display) and any other unknown bit in 0-15, and boot modules (there
 * is no way to configure any).
 *
 * Guest-physical layout (docs/guest-api.md):
 *   [0, MB_AREA_BASE)            RAM, free for the image
 *   [MB_AREA_BASE, MB_AREA_END)  Multiboot info, memory map, loader name,
 *                                command line; no segment may load here
 *   [MB_AREA_END, 0xA0000)       RAM, free for the image
 *   [0xA0000, 0x100000)          legacy hole: reserved, no segment
 *   [0x100000, ram_size)         RAM, minus any extra reserved windows
 */
#ifndef LONGBUS_VMM_MULTIBOOT_H
#define LONGBUS_VMM_MULTIBOOT_H

#include "guest-api/multiboot.h"
#include "kernel/compiler.h"

/* The low area the loader owns. It cannot collide with the image: segments there are refused. */
#define MB_AREA_BASE 0x7000u
#define MB_AREA_END 0xA000u
#define MB_INFO_GPA 0x7000u		/* struct multiboot_info, EBX */
#define MB_MMAP_GPA 0x7100u		/* the memory map, MB_MMAP_MAX entries at most */
#define MB_MMAP_MAX 32u
#define MB_LOADER_NAME_GPA 0x7400u	/* MB_LOADER_NAME, NUL-terminated */
#define MB_CMDLINE_GPA 0x8000u		/* the command line, NUL-terminated */
#define MB_CMDLINE_MAX 4095u		/* bytes kept; a longer command line is cut */
/* 0x7500-0x7fff and 0x9000-0x9fff are zero, kept for later use (modules). */

#define MB_LOADER_NAME "longbus"

#define MB_LEGACY_HOLE_BASE 0xA0000u
#define MB_LEGACY_HOLE_END 0x100000u

/* Smallest guest RAM accepted: everything below the end of the legacy hole. */
#define MB_MIN_RAM 0x100000u

#define MB_MAX_PHDRS 64u	/* e_phnum limit, all types */
#define MB_MAX_SEGMENTS 16u	/* PT_LOAD entries with p_memsz > 0 */
#define MB_MAX_RESERVED 8u	/* extra reserved windows in struct multiboot_target */

/* A reason buffer of this size holds every message multiboot_load() writes. */
#define MB_WHY_SIZE 160u

/* A guest-physical range [base, base + size). */
struct multiboot_range {
	u64 base;
	u64 size;
};

/* Where and how to load: the guest's RAM and what to tell it. */
struct multiboot_target {
	void *ram;		/* host pointer to guest RAM; GPA g is ram[g] */
	u64 ram_size;		/* bytes of RAM from GPA 0, >= MB_MIN_RAM */
	/*
	 * More windows to report as reserved in the memory map (LAPIC, IOAPIC,
	 * ...), at most MB_MAX_RESERVED, in any order. They may lie inside or
	 * beyond RAM, but must not overlap each other, the legacy hole or the
	 * loader's area. No segment may load into them. May be NULL if none.
	 */
	const struct multiboot_range *reserved;
	size_t nr_reserved;
	/* The command line; NULL leaves MULTIBOOT_INFO_CMDLINE clear. */
	const char *cmdline;
};

/* What the caller needs to enter the guest. */
struct multiboot_boot {
	u32 entry;		/* EIP */
	u32 mbi_gpa;		/* EBX; EAX is MULTIBOOT_BOOTLOADER_MAGIC */
	u64 load_base;		/* lowest GPA a segment occupies */
	u64 load_end;		/* end of the highest segment, exclusive */
	u32 nr_segments;	/* segments loaded */
	bool aout_kludge;	/* loaded through the header's address fields */
	bool cmdline_truncated;	/* the command line was longer than MB_CMDLINE_MAX */
};

/*
 * Loads the Multiboot image [image, image + image_size) into t->ram and
 * writes the Multiboot information at MB_INFO_GPA.
 *
 * Nothing is written to guest RAM unless every check passes. On failure,
 * 'why' (if why_size > 0) receives one line without a trailing newline,
 * such as "segment 1 at 0x9f000-0xa1000 overlaps the legacy hole
 * 0xa0000-0xfffff", for the caller to log as "guest NAME: image: <why>";
 * MB_WHY_SIZE bytes always suffice. On success why is "".
 *
 * Returns 0, or:
 *   -EINVAL   malformed image (no header, bad checksum, not ELF, truncated,
 *             overlapping segments, entry outside the segments), or a bad
 *             target (t->ram NULL, reserved windows overlapping);
 *   -ENOTSUP  valid but unsupported (ELF64, video mode, unknown required
 *             header flag, too many segments);
 *   -ERANGE   a segment outside RAM, in a reserved window or in the loader's
 *             area; RAM smaller than MB_MIN_RAM.
 */
int __must_check multiboot_load(const struct multiboot_target *t, const void *image,
				size_t image_size, struct multiboot_boot *out, char *why,
				size_t why_size);

#endif
