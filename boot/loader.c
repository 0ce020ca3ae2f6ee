// SPDX-License-Identifier: GPL-2.0-only
/*
 * longbus.efi: the UEFI loader.
 *
 * Reads longbus.cfg from its own ESP directory and parses it with the
 * core's own parser, gathers what only firmware knows (CPUs, TSC rate, ACPI
 * RSDP, memory map, runtime services), reserves the hypervisor's memory and
 * the guests' RAM, and hands over to the embedded core.
 *
 * Every error — config, missing file, resources — is reported here, before
 * ExitBootServices, as `longbus.cfg:LINE: message` on the UEFI console and
 * on serial; then the loader frees what it took and returns EFI_LOAD_ERROR,
 * so the firmware regains control. It never half-boots.
 * Context: UEFI boot services, boot CPU only.
 */
#include "boot/loader.h"
#include "kernel/klib.h"
#include "kernel/version.h"

#define CONFIG_NAME "longbus.cfg"
#define LOWMEM_SIZE (4 * 4096)
#define LOWMEM_MAX 0x9ffff
#define MAX_IMAGE_SIZE (256ULL << 20)

extern const u8 core_blob_start[], core_blob_end[];

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

/* Shared with config_parse's caller and the messages below. */
static struct lb_config cfg;

static EFI_STATUS fail(EFI_STATUS st)
{
	mem_release_all();
	con_printf("longbus: not started; returning to the firmware\n");
	return st == EFI_SUCCESS ? EFI_LOAD_ERROR : st;
}

static paddr_t find_rsdp(void)
{
	paddr_t v1 = 0;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (!CompareGuid(&t->VendorGuid, &acpi20_guid))
			return (paddr_t)(uintptr_t)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi10_guid))
			v1 = (paddr_t)(uintptr_t)t->VendorTable;
	}
	return v1;
}

static EFI_STATUS read_config(struct boot_info *bi)
{
	struct cfg_error err;
	EFI_STATUS st;

	st = fs_read_file(CONFIG_NAME, LB_MEMTYPE_BOOT, CFG_MAX_SIZE, &bi->config,
			  &bi->config_len);
	if (st == EFI_BAD_BUFFER_SIZE) {
		con_printf(CONFIG_NAME ": file is larger than %u bytes\n", CFG_MAX_SIZE);
		return EFI_LOAD_ERROR;
	}
	if (EFI_ERROR(st)) {
		con_printf(CONFIG_NAME ": cannot read %s%s (EFI status %lu): "
			   "put it next to longbus.efi\n",
			   fs_boot_dir(), CONFIG_NAME, (unsigned long)(st & ~EFI_ERROR_MASK));
		return EFI_LOAD_ERROR;
	}
	if (config_parse((const char *)(uintptr_t)bi->config, bi->config_len, &cfg,
			 &err)) {
		con_printf(CONFIG_NAME ":%u: %s\n", err.line, err.msg);
		return EFI_LOAD_ERROR;
	}
	con_set_serial_port(cfg.lb.serial_port);
	return EFI_SUCCESS;
}

static EFI_STATUS reserve_memory(struct boot_info *bi, const struct core_header *ch)
{
	EFI_STATUS st;

	bi->core_size = ALIGN_UP(ch->mem_size, 4096);
	st = mem_alloc(LB_MEMTYPE_CORE, bi->core_size, 2ULL << 20, &bi->core_phys);
	if (EFI_ERROR(st)) {
		con_printf("longbus: cannot allocate %lu KiB for the core image\n",
			   (unsigned long)(bi->core_size >> 10));
		return st;
	}
	memset((void *)(uintptr_t)bi->core_phys, 0, bi->core_size);
	memcpy((void *)(uintptr_t)bi->core_phys, core_blob_start, ch->file_size);

	bi->pool_size = cfg.lb.memory;
	st = mem_alloc(LB_MEMTYPE_POOL, bi->pool_size, 2ULL << 20, &bi->pool_phys);
	if (EFI_ERROR(st)) {
		con_printf(CONFIG_NAME ":%u: cannot reserve %lu MiB for the hypervisor "
			   "(lower [longbus] memory)\n",
			   cfg.lb.memory_line, (unsigned long)(cfg.lb.memory >> 20));
		return st;
	}

	/* The SMP trampoline must sit below 1 MiB: APs start in real mode. */
	bi->lowmem_size = LOWMEM_SIZE;
	st = mem_alloc_below(LB_MEMTYPE_LOWMEM, LOWMEM_SIZE, LOWMEM_MAX, &bi->lowmem_phys);
	if (EFI_ERROR(st)) {
		con_printf("longbus: no free memory below 1 MiB for the SMP trampoline\n");
		return st;
	}

	/* Guest RAM: contiguous and 2 MiB aligned, so EPT/NPT can use large pages. */
	for (unsigned i = 0; i < cfg.nguests; i++) {
		const struct cfg_guest *g = &cfg.guests[i];
		st = mem_alloc(LB_MEMTYPE_GUEST, g->memory, 2ULL << 20,
			       &bi->guest_ram[i].phys);
		if (EFI_ERROR(st)) {
			con_printf(CONFIG_NAME ":%u: guest '%s': cannot allocate %lu MiB "
				   "of contiguous RAM\n",
				   g->memory_line, g->name, (unsigned long)(g->memory >> 20));
			return st;
		}
		bi->guest_ram[i].size = g->memory;
	}
	bi->nguest_ram = cfg.nguests;
	return EFI_SUCCESS;
}

/* A file, once: two guests may share an image. */
static EFI_STATUS load_file(struct boot_info *bi, const char *path, unsigned line,
			    const char *guest)
{
	struct bi_file *f;
	EFI_STATUS st;

	for (u32 i = 0; i < bi->nfiles; i++) {
		if (strcmp(bi->files[i].name, path) == 0)
			return EFI_SUCCESS;
	}
	if (bi->nfiles == BI_MAX_FILES) {
		con_printf(CONFIG_NAME ":%u: more than %u files to load\n", line, BI_MAX_FILES);
		return EFI_OUT_OF_RESOURCES;
	}
	f = &bi->files[bi->nfiles];
	st = fs_read_file(path, LB_MEMTYPE_FILE, MAX_IMAGE_SIZE, &f->phys, &f->size);
	if (st == EFI_BAD_BUFFER_SIZE) {
		con_printf(CONFIG_NAME ":%u: guest '%s': image '%s' is larger than %u MiB\n", line,
			   guest, path, (unsigned)(MAX_IMAGE_SIZE >> 20));
		return st;
	}
	if (EFI_ERROR(st)) {
		con_printf(CONFIG_NAME ":%u: guest '%s': cannot read image '%s%s' (EFI status %lu)\n",
			   line, guest, fs_boot_dir(), path,
			   (unsigned long)(st & ~EFI_ERROR_MASK));
		return st;
	}
	ksnprintf(f->name, sizeof(f->name), "%s", path);
	bi->nfiles++;
	return EFI_SUCCESS;
}

/* Every file the config names, before anything is torn down. */
static EFI_STATUS load_files(struct boot_info *bi)
{
	for (unsigned i = 0; i < cfg.nguests; i++) {
		const struct cfg_guest *g = &cfg.guests[i];
		EFI_STATUS st;

		if (!g->image_line) {
			con_printf(CONFIG_NAME ":%u: guest '%s' has no image (add e.g. image = hello.elf)\n",
				   g->line, g->name);
			return EFI_LOAD_ERROR;
		}
		st = load_file(bi, g->image, g->image_line, g->name);
		if (EFI_ERROR(st))
			return st;
	}
	return EFI_SUCCESS;
}

static const struct core_header *check_core(void)
{
	const struct core_header *ch = (const void *)core_blob_start;
	u64 blob = (u64)(core_blob_end - core_blob_start);

	if (blob < sizeof(*ch) || ch->magic != CORE_HEADER_MAGIC ||
	    ch->version != CORE_HEADER_VERSION || ch->size != sizeof(*ch) ||
	    ch->file_size > blob || ch->mem_size < ch->file_size ||
	    ch->link_base != CORE_LINK_BASE) {
		con_printf("longbus: embedded core image is damaged (rebuild longbus.efi)\n");
		return NULL;
	}
	return ch;
}

/* SysV ABI: GNU-EFI's crt0 converts the firmware's call before calling us. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	const struct core_header *ch;
	struct boot_info *bi;
	struct cfg_error err;
	paddr_t bi_phys, cr3;
	EFI_STATUS st;

	InitializeLib(image, systab);
	/* Stop the firmware watchdog: it would reset the machine under the core. */
	BS->SetWatchdogTimer(0, 0, 0, NULL);
	con_printf("longbus %s loader\n", LONGBUS_VERSION);

	ch = check_core();
	if (!ch)
		return fail(EFI_LOAD_ERROR);
	st = mem_alloc(LB_MEMTYPE_BOOT, sizeof(*bi), 4096, &bi_phys);
	if (EFI_ERROR(st))
		return fail(st);
	bi = (void *)(uintptr_t)bi_phys;
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);

	st = fs_open_boot_dir(image);
	if (EFI_ERROR(st)) {
		con_printf("longbus: cannot open the ESP directory longbus.efi was started from\n");
		return fail(st);
	}
	st = read_config(bi);
	if (EFI_ERROR(st))
		return fail(st);

	st = cpus_collect(bi);
	if (EFI_ERROR(st)) {
		con_printf("longbus: EFI_MP_SERVICES failed to list the CPUs\n");
		return fail(st);
	}
	if (config_check_machine(&cfg, bi->ncpus, &err)) {
		con_printf(CONFIG_NAME ":%u: %s\n", err.line, err.msg);
		return fail(EFI_LOAD_ERROR);
	}
	bi->tsc_hz = tsc_calibrate();
	bi->acpi_rsdp = find_rsdp();
	bi->efi_system_table = (paddr_t)(uintptr_t)systab;
	bi->efi_runtime_services = (paddr_t)(uintptr_t)systab->RuntimeServices;

	st = load_files(bi);
	if (EFI_ERROR(st))
		return fail(st);
	st = reserve_memory(bi, ch);
	if (EFI_ERROR(st))
		return fail(st);
	st = handover_build_tables(bi, bi->core_phys, bi->core_size, &cr3);
	if (EFI_ERROR(st)) {
		con_printf("longbus: cannot build the bootstrap page tables\n");
		return fail(st);
	}

	con_printf("longbus: %u CPUs, TSC %lu kHz, ACPI %s, handing over\n", bi->ncpus,
		   (unsigned long)(bi->tsc_hz / 1000), bi->acpi_rsdp ? "present" : "absent");
	st = handover_exit_and_jump(image, bi, cr3, ch->entry, ch->boot_stack_top);
	/*
	 * Only a firmware that kept changing the map key gets here. Boot
	 * services may already be gone, so print nothing and free nothing.
	 */
	return st;
}
