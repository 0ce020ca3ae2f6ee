/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the UEFI loader, shared by the files in boot/.
 * Context: UEFI boot services, single-threaded, before ExitBootServices
 * unless a function says otherwise.
 */
#ifndef LONGBUS_BOOT_LOADER_H
#define LONGBUS_BOOT_LOADER_H

#include <efi.h>
#include <efilib.h>

#include "boot/boot_info.h"
#include "kernel/config.h"

/* Console: every message goes to the UEFI console and to the UART. */
void con_set_serial_port(u16 port);
void con_printf(const char *fmt, ...) __printf(1, 2);

/* Files on the ESP, relative to the directory longbus.efi was started from. */
EFI_STATUS fs_open_boot_dir(EFI_HANDLE image);
/* Reads a whole file into pages of memory type `type`; *size gets its length. */
EFI_STATUS fs_read_file(const char *path, u32 type, u64 max_size, paddr_t *phys,
			u64 *size);
/* The directory as a printable string, for messages. */
const char *fs_boot_dir(void);

/* Pages of a given type; align must be a power of two >= 4096. */
EFI_STATUS mem_alloc(u32 type, u64 size, u64 align, paddr_t *phys);
EFI_STATUS mem_alloc_below(u32 type, u64 size, paddr_t max, paddr_t *phys);
/* Frees every page mem_alloc*() handed out: the failure path. */
void mem_release_all(void);

/* CPUs from EFI_MP_SERVICES (boot CPU first), falling back to one CPU. */
EFI_STATUS cpus_collect(struct boot_info *bi);
/* TSC ticks per second, measured against BS->Stall. */
u64 tsc_calibrate(void);

/* The bootstrap page tables that carry the loader into the core. */
EFI_STATUS handover_build_tables(struct boot_info *bi, paddr_t core_phys,
				 u64 core_mem_size, paddr_t *cr3);
/* ExitBootServices and jump; returns only if ExitBootServices kept failing. */
EFI_STATUS handover_exit_and_jump(EFI_HANDLE image, struct boot_info *bi,
				  paddr_t cr3, u64 entry, u64 stack_top);

/* boot/jump.S: load CR3 and RSP, then jump to entry with RDI = boot_info. */
void __attribute__((noreturn, sysv_abi))
lb_jump_to_core(u64 cr3, u64 entry, u64 stack_top, u64 boot_info_pa);

#endif
