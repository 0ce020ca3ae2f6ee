// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's entry and init order (docs/architecture.md, "Boot flow").
 * Singleton: the boot configuration, owned here, parsed once on the boot
 * CPU from the bytes the loader already validated, read-only afterwards.
 * Context: boot CPU, interrupts off until the service loop starts.
 */
#include "boot/boot_info.h"
#include "drivers/pci.h"
#include "drivers/uart.h"
#include "kernel/config.h"
#include "kernel/klib.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/pcpu.h"
#include "kernel/platform.h"
#include "kernel/power.h"
#include "kernel/service.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/version.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"
#include "net/net.h"

#define LOG_TAG "main"

static struct lb_config config;

void kmain(paddr_t bi_pa);
void call_on_stack(u64 stack_top, void (*fn)(const struct boot_info *),
		   const struct boot_info *arg) __noreturn;

static void log_drain_work(void *ctx)
{
	(void)ctx;
	log_drain();
}

static void init_pci(void)
{
	const struct acpi_info *acpi = platform_acpi();
	struct pci_ecam_range ecam[ACPI_MAX_MCFG];
	unsigned n = 0;

	for (u32 i = 0; acpi && i < acpi->n_mcfg && i < ACPI_MAX_MCFG; i++) {
		ecam[n].base = acpi->mcfg[i].base;
		ecam[n].seg = acpi->mcfg[i].segment;
		ecam[n].start_bus = acpi->mcfg[i].start_bus;
		ecam[n].end_bus = acpi->mcfg[i].end_bus;
		n++;
	}
	pci_init(ecam, n);
}

static __noreturn void start_cpus(void);

/* Second half of init, on CPU 0's guard-paged stack. */
static __noreturn void kmain_on_stack(const struct boot_info *bi)
{
	const struct acpi_info *acpi;

	WRITE_ONCE(this_cpu()->shared.state, CPU_ONLINE);
	platform_init(bi);
	acpi = platform_acpi();
	lapic_global_init(acpi && acpi->madt.present ? acpi->madt.lapic_base : 0);
	lapic_init_this();
	power_init(bi);

	smp_boot_aps(bi);
	log_info("cpus online: %u/%u", pcpu_online(), pcpu_count());
	service_init(config.lb.service_cpu, config.lb.service_tick);
	init_pci();
	net_init(&config);
	vmm_init(bi, &config);

	if (service_register("log", 0, log_drain_work, NULL))
		panic("service table full");
	shell_init(&config);
	log_enable_rings();
	log_info("longbus ready");
	start_cpus();
}

/*
 * Every CPU gets its job: a vCPU, the service loop, both (a guest may own
 * service_cpu: the vCPU loop then runs service passes between exits), or
 * idling. The boot CPU takes its own job last.
 */
static __noreturn void start_cpus(void)
{
	unsigned svc = config.lb.service_cpu;
	bool vcpu_here = vmm_start();

	if (svc != 0 && !vcpu_of_pcpu(svc) &&
	    smp_call(svc, service_loop_on_this_cpu, NULL)) {
		log_err("service cpu%u is not online; the service loop moves to cpu0", svc);
		service_init(0, config.lb.service_tick);
		svc = 0;
	}
	if (vcpu_here)
		vmm_run_this_cpu();
	if (svc == 0)
		service_loop();
	cpu_idle_loop();
}

static void check_boot_info(const struct boot_info *bi)
{
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->size != sizeof(*bi)) {
		log_err("boot_info mismatch: magic 0x%lx version %u size %u, "
			"want 0x%lx version %u size %zu (loader and core from different builds?)",
			(unsigned long)bi->magic, bi->version, bi->size,
			(unsigned long)BOOT_INFO_MAGIC, BOOT_INFO_VERSION, sizeof(*bi));
		for (;;)
			__asm__ volatile("cli; hlt");
	}
}

void kmain(paddr_t bi_pa)
{
	const struct boot_info *bi = phys_to_virt(bi_pa);
	struct cfg_error err;

	/* COM1 until the config says otherwise: early failures must be visible. */
	uart_init(0x3f8, 115200);
	check_boot_info(bi);
	time_init(bi->tsc_hz);
	if (config_parse(phys_to_virt(bi->config), bi->config_len, &config, &err))
		panic("longbus.cfg:%u: %s (the loader accepted it: mismatched builds?)",
		      err.line, err.msg);
	uart_init(config.lb.serial_port, config.lb.baud);
	log_set_level(config.lb.log_level);
	log_info("longbus %s core: %u CPUs, TSC %lu kHz, ACPI %s", LONGBUS_VERSION,
		 bi->ncpus, (unsigned long)(bi->tsc_hz / 1000),
		 bi->acpi_rsdp ? "present" : "absent");

	mm_init(bi);
	paging_init(bi);
	pcpu_init_boot(bi->ncpus, bi->apic_ids);
	pcpu_init_this(pcpu_of(0));
	idt_init();
	idt_load();
	log_enable_percpu();
	call_on_stack(pcpu_of(0)->stack_top, kmain_on_stack, bi);
}
