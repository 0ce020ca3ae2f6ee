// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console shell: line input with echo and backspace, and a table of
 * commands. Input arrives by the UART interrupt (with polling as a
 * fallback when no IOAPIC pin serves the port) on the service CPU.
 * Singleton: the shell's line buffer and receive ring, owned here; the
 * ring is filled by the UART interrupt and drained by the shell, both on
 * the service CPU.
 */
#include "drivers/pci.h"
#include "drivers/uart.h"
#include "kernel/config_types.h"
#include "kernel/ioapic.h"
#include "kernel/klib.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pcpu.h"
#include "kernel/platform.h"
#include "kernel/power.h"
#include "kernel/service.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/version.h"
#include "kernel/x86/cpu.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"
#include "vmm/vuart.h"
#include "net/net.h"

#define LOG_TAG "shell"
#define LINE_MAX 128
#define MAX_ARGS 8
#define RX_RING 256

struct shell_cmd {
	const char *name;
	const char *args;
	const char *help;
	bool debug_only;
	void (*fn)(int argc, char **argv);
};

static const struct lb_config *config;
static char line[LINE_MAX];
static size_t line_len;
static bool last_was_cr;
static u8 rx_ring[RX_RING];
static u32 rx_head, rx_tail; /* head: UART interrupt; tail: shell work */
static u64 rx_overruns;

static void cmd_help(int argc, char **argv);

static void cmd_status(int argc, char **argv)
{
	u64 total, free, ns = time_ns();
	size_t n;
	const struct mem_region *r = mm_regions(&n);

	(void)argc, (void)argv;
	page_stats(&total, &free);
	console_printf("longbus %s\n", LONGBUS_VERSION);
	console_printf("cpus online: %u/%u\n", pcpu_online(), pcpu_count());
	console_printf("memory: pool %lu KiB, %lu KiB free; guests %lu MiB; unassigned %lu MiB\n",
		       (unsigned long)(total * PAGE_SIZE >> 10),
		       (unsigned long)(free * PAGE_SIZE >> 10),
		       (unsigned long)(memmap_class_bytes(r, n, MEM_GUEST) >> 20),
		       (unsigned long)(memmap_class_bytes(r, n, MEM_FREE) >> 20));
	console_printf("uptime: %lu.%03lu s\n", (unsigned long)(ns / NSEC_PER_SEC),
		       (unsigned long)(ns % NSEC_PER_SEC / NSEC_PER_MSEC));
	console_printf("service: cpu%u, %u.%u%% busy\n", service_cpu(),
		       service_busy_permille() / 10, service_busy_permille() % 10);
	service_print_stats();
	console_printf("acpi: %s; tsc: %lu kHz from the %s\n",
		       platform_acpi() ? "present" : "absent",
		       (unsigned long)(time_tsc_hz() / 1000), platform_tsc_source());
	console_printf("log: level %s, %lu lines dropped, %lu console input overruns\n",
		       log_level_name(log_get_level()), (unsigned long)log_dropped(),
		       (unsigned long)rx_overruns);
}

static void cmd_cpus(int argc, char **argv)
{
	static const char *const state[] = { "offline", "online", "crashed" };

	(void)argc, (void)argv;
	for (unsigned i = 0; i < pcpu_count(); i++) {
		struct pcpu *p = pcpu_of(i);
		console_printf("cpu%u apic %u %s%s irqs %lu\n", i, p->apic_id,
			       state[READ_ONCE(p->shared.state)],
			       i == service_cpu() ? " service" : "",
			       (unsigned long)READ_ONCE(p->shared.irqs));
	}
	console_printf("cpus online: %u/%u\n", pcpu_online(), pcpu_count());
}

static void cmd_mem(int argc, char **argv)
{
	size_t n;
	const struct mem_region *r = mm_regions(&n);
	u64 total, free;

	page_stats(&total, &free);
	for (int c = 0; c < MEM_CLASS_COUNT; c++) {
		u64 bytes = memmap_class_bytes(r, n, (enum mem_class)c);
		if (bytes)
			console_printf("%-12s %10lu KiB\n", memmap_class_name((enum mem_class)c),
				       (unsigned long)(bytes >> 10));
	}
	console_printf("pool: %lu pages, %lu free\n", (unsigned long)total, (unsigned long)free);
	if (argc < 2 || strcmp(argv[1], "map") != 0)
		return;
	for (size_t i = 0; i < n; i++)
		console_printf("%016lx-%016lx %s\n", (unsigned long)r[i].base,
			       (unsigned long)(r[i].base + r[i].size - 1),
			       memmap_class_name(r[i].cls));
}

static void cmd_pci(int argc, char **argv)
{
	(void)argc, (void)argv;
	pci_shell_list();
}

static void cmd_net(int argc, char **argv)
{
	(void)argc, (void)argv;
	net_shell_show();
}

static void cmd_log(int argc, char **argv)
{
	static const char *const names[] = { "err", "warn", "info", "dbg" };

	if (argc == 3 && strcmp(argv[1], "level") == 0) {
		for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
			if (strcmp(argv[2], names[i]) == 0) {
				log_set_level((enum log_level)i);
				console_printf("log level %s\n", names[i]);
				return;
			}
		}
	} else if (argc == 1) {
		console_printf("log level %s\n", log_level_name(log_get_level()));
		return;
	}
	console_printf("usage: log level err|warn|info|dbg\n");
}

static void cmd_reboot(int argc, char **argv)
{
	(void)argc, (void)argv;
	power_reboot();
}

static void cmd_poweroff(int argc, char **argv)
{
	(void)argc, (void)argv;
	power_off();
}

/* crashtest: deliberate faults, to prove the exception path on a live system. */
static volatile u64 crash_stop_depth = ~0ULL;

static __attribute__((noinline)) u64 crash_recurse(u64 depth)
{
	volatile u8 pad[256];

	pad[0] = (u8)depth;
	if (depth == crash_stop_depth)
		return 0;
	return crash_recurse(depth + 1) + pad[0];
}

static void crash_pf(void *arg)
{
	(void)arg;
	*(volatile u64 *)0x00000dead0000000ULL = 1;
}

static void crash_gp(void *arg)
{
	(void)arg;
	/* Non-canonical: bits 63:47 are not a sign extension. */
	*(volatile u64 *)0x8000000000000000ULL = 1;
}

static void crash_stack(void *arg)
{
	(void)arg;
	crash_recurse(0);
}

static void cmd_crashtest(int argc, char **argv)
{
	cpu_call_fn fn = NULL;
	unsigned cpu = this_cpu()->id;

	if (argc >= 2 && strcmp(argv[1], "pf") == 0)
		fn = crash_pf;
	else if (argc >= 2 && strcmp(argv[1], "gp") == 0)
		fn = crash_gp;
	else if (argc >= 2 && strcmp(argv[1], "stack") == 0)
		fn = crash_stack;
	if (!fn || argc > 3) {
		console_printf("usage: crashtest pf|gp|stack [cpu]\n");
		return;
	}
	if (argc == 3) {
		cpu = 0;
		for (const char *p = argv[2]; *p; p++) {
			if (*p < '0' || *p > '9' || cpu > 1000) {
				console_printf("crashtest: bad cpu '%s'\n", argv[2]);
				return;
			}
			cpu = cpu * 10 + (unsigned)(*p - '0');
		}
	}
	console_printf("crashtest: %s on cpu%u\n", argv[1], cpu);
	if (cpu == this_cpu()->id) {
		fn(NULL);
		return;
	}
	if (smp_call(cpu, fn, NULL))
		console_printf("crashtest: cpu%u is not online\n", cpu);
}

static void cmd_guests(int argc, char **argv)
{
	(void)argc, (void)argv;
	vmm_shell_guests();
}

static void cmd_stats(int argc, char **argv)
{
	(void)argc, (void)argv;
	vmm_shell_stats();
}

/* revoke NAME GPA: take one page away from a running guest (tests vm_unmap). */
static void cmd_revoke(int argc, char **argv)
{
	u64 gpa = 0;
	int err;

	struct cfg_error perr;

	/* The config's number syntax: decimal or 0x hex. */
	if (argc != 3 || cfg_parse_size(argv[2], strlen(argv[2]), &gpa, &perr)) {
		console_printf("usage: revoke NAME GPA (e.g. revoke web 0x200000)\n");
		return;
	}
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);
		if (strcmp(vm->name, argv[1]) != 0)
			continue;
		err = vm_unmap(vm, gpa & ~0xfffULL, 0x1000);
		if (err)
			console_printf("revoke: error %d\n", err);
		else
			console_printf("revoke: 0x%lx unmapped from %s, every vCPU flushed\n",
				       (unsigned long)(gpa & ~0xfffULL), vm->name);
		return;
	}
	console_printf("revoke: no guest '%s'\n", argv[1]);
}

/* While set, typed bytes go to this guest's virtual UART (Ctrl-] returns). */
static struct vm *console_vm;
#define CONSOLE_ESCAPE 0x1d /* Ctrl-] */

static void cmd_console(int argc, char **argv)
{
	if (argc != 2) {
		console_printf("usage: console NAME\n");
		return;
	}
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);
		if (strcmp(vm->name, argv[1]) != 0)
			continue;
		if (READ_ONCE(vm->state) != VM_RUNNING) {
			console_printf("console: guest %s is %s\n", vm->name,
				       vm_state_name(READ_ONCE(vm->state)));
			return;
		}
		console_vm = vm;
		console_printf("console: typing goes to guest %s; Ctrl-] returns\n", vm->name);
		return;
	}
	console_printf("console: no guest '%s' (try 'guests')\n", argv[1]);
}

static void console_input(char c)
{
	if (c == CONSOLE_ESCAPE) {
		console_vm = NULL;
		console_printf("\nconsole: back to longbus\n" SHELL_PROMPT);
		return;
	}
	/* A full ring drops the byte, as a UART overrun would. */
	if (vuart_input(console_vm->uart, &c, 1))
		vcpu_request(console_vm->vcpu[0], VCPU_REQ_EVAL_IRQ);
}

static const struct shell_cmd commands[] = {
	{ "help", "", "list commands", false, cmd_help },
	{ "status", "", "version, CPUs, memory, uptime, service loop", false, cmd_status },
	{ "cpus", "", "every CPU and its state", false, cmd_cpus },
	{ "mem", "[map]", "memory by owner; 'map' lists the regions", false, cmd_mem },
	{ "pci", "", "PCI devices and their owners", false, cmd_pci },
	{ "net", "", "longbus's own NIC, address, link and counters", false, cmd_net },
	{ "ping", "<ip> [count]", "ICMP echo; prints each RTT", false, net_shell_ping },
	{ "tcpcheck", "<ip> <port> <size>", "send to a TCP echo server, check the echo", false,
	  net_shell_tcpcheck },
	{ "iperf", "<ip> [seconds]", "iperf 2 TCP client to port 5001; prints kbit/s", false,
	  net_shell_iperf },
	{ "guests", "", "each guest's state and CPUs", false, cmd_guests },
	{ "stats", "", "VM exits by reason, per vCPU", false, cmd_stats },
	{ "console", "NAME", "type into a guest's serial console (Ctrl-] returns)", false,
	  cmd_console },
	{ "log", "level <lvl>", "show or set the log level (err|warn|info|dbg)", false, cmd_log },
	{ "reboot", "", "reset the machine", false, cmd_reboot },
	{ "poweroff", "", "switch the machine off", false, cmd_poweroff },
	{ "crashtest", "pf|gp|stack [cpu]", "fault on purpose (debug = on)", true, cmd_crashtest },
	{ "revoke", "NAME 0xGPA", "unmap one guest page now (debug = on)", true, cmd_revoke },
};

static void cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (unsigned i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct shell_cmd *c = &commands[i];
		if (c->debug_only && !config->lb.debug)
			continue;
		console_printf("  %-10s %-18s %s\n", c->name, c->args, c->help);
	}
}

static int split_args(char *s, char **argv)
{
	int argc = 0;

	while (*s && argc < MAX_ARGS) {
		while (*s == ' ' || *s == '\t')
			*s++ = 0;
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return argc;
}

static void execute(char *s)
{
	char *argv[MAX_ARGS];
	int argc = split_args(s, argv);

	if (argc == 0)
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct shell_cmd *c = &commands[i];
		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (c->debug_only && !config->lb.debug) {
			console_printf("%s: needs 'debug = on' in [longbus] of longbus.cfg\n",
				       c->name);
			return;
		}
		c->fn(argc, argv);
		return;
	}
	console_printf("unknown command '%s' (try 'help')\n", argv[0]);
}

static void input_char(char c)
{
	if (console_vm) {
		console_input(c);
		return;
	}
	if (c == '\n' && last_was_cr) {
		last_was_cr = false;
		return;
	}
	last_was_cr = c == '\r';
	if (c == '\r' || c == '\n') {
		console_write("\n", 1);
		line[line_len] = 0;
		execute(line);
		line_len = 0;
		console_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
	} else if (c == 0x7f || c == 0x08) {
		if (line_len) {
			line_len--;
			console_write("\b \b", 3);
		}
	} else if (c == 0x03) { /* Ctrl-C: drop the line */
		line_len = 0;
		console_write("^C\n" SHELL_PROMPT, 3 + sizeof(SHELL_PROMPT) - 1);
	} else if (c >= 0x20 && c < 0x7f && line_len < LINE_MAX - 1) {
		line[line_len++] = c;
		console_write(&c, 1);
	}
}

/* Called with interrupts off on the service CPU (IRQ handler, or the poll below). */
static void uart_pull(void)
{
	int c;

	while ((c = uart_getc()) >= 0) {
		if (rx_head - rx_tail >= RX_RING) {
			rx_overruns++;
			continue;
		}
		rx_ring[rx_head++ % RX_RING] = (u8)c;
	}
}

static void uart_irq(struct trap_frame *f)
{
	(void)f;
	uart_pull();
}

static void shell_work(void *ctx)
{
	static bool prompt_shown;

	(void)ctx;
	if (!prompt_shown) {
		prompt_shown = true;
		console_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
	}
	/* Polling too covers a port with no IOAPIC route; IRQs off against uart_irq. */
	u64 flags = irq_save();
	uart_pull();
	irq_restore(flags);
	while (READ_ONCE(rx_tail) != READ_ONCE(rx_head)) {
		char c = (char)rx_ring[rx_tail % RX_RING];
		rx_tail++;
		input_char(c);
	}
}

void shell_init(const struct lb_config *cfg)
{
	int irq = uart_isa_irq();

	config = cfg;
	irq_register(VEC_UART, uart_irq);
	if (irq < 0 || ioapic_route_isa_irq((unsigned)irq, VEC_UART,
					    pcpu_of(cfg->lb.service_cpu)->apic_id))
		log_warn("console input is polled every %lu ms (no interrupt route)",
			 (unsigned long)(SERVICE_TICK_NS / 1000000));
	else
		uart_enable_rx_irq();
	if (service_register("shell", 0, shell_work, NULL))
		log_err("service table full: no console shell");
}
