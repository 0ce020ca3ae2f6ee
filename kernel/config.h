/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * longbus.cfg: the boot-time configuration.
 *
 * Pure C, no allocation, no global state: the loader parses the file to
 * reject bad configs before ExitBootServices, and the core parses the same
 * bytes again (boot_info carries them) with this same code.
 *
 * The schema (sections, keys, types, defaults) is declared once, as a table,
 * in config.c; docs/config.md describes every key.
 */
#ifndef LONGBUS_CONFIG_H
#define LONGBUS_CONFIG_H

#include "kernel/compiler.h"

#define CFG_MAX_CPUS 256
#define CFG_MAX_GUESTS 16
#define CFG_NAME_MAX 32	  /* guest names, including the NUL */
#define CFG_MSG_MAX 192	  /* one error message, including the NUL */
#define CFG_MAX_LINE 1024 /* longer lines are an error */
#define CFG_MAX_SIZE (256 * 1024)

enum log_level {
	LOG_LEVEL_ERR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DBG = 3,
};

/* A set of logical CPU numbers (0 = the boot CPU, in longbus's order). */
struct cpuset {
	u64 bits[CFG_MAX_CPUS / 64];
};

static inline bool cpuset_has(const struct cpuset *s, unsigned cpu)
{
	return cpu < CFG_MAX_CPUS && (s->bits[cpu / 64] & BIT(cpu % 64));
}

static inline void cpuset_add(struct cpuset *s, unsigned cpu)
{
	if (cpu < CFG_MAX_CPUS)
		s->bits[cpu / 64] |= BIT(cpu % 64);
}

/* Number of CPUs in the set. */
unsigned cpuset_count(const struct cpuset *s);
/* Highest CPU in the set, or -1 when empty. */
int cpuset_last(const struct cpuset *s);

/* [longbus]: the hypervisor itself. Each *_line is 0 when the key was absent. */
struct cfg_longbus {
	u16 serial_port;	  /* I/O port of the console UART; com1 = 0x3f8 */
	u32 baud;		  /* 115200 by default */
	enum log_level log_level; /* info by default */
	u64 memory;		  /* bytes reserved for the hypervisor, 64M default */
	u32 service_cpu;	  /* logical CPU running the service loop, 0 default */
	bool debug;		  /* enables debug-only shell commands (crashtest) */
	u64 service_tick;	  /* ns: longest a guest sharing service_cpu runs between service passes */
	unsigned service_cpu_line;
	unsigned memory_line;
};

#define CFG_PATH_MAX 64     /* file names on the ESP, including the NUL */
#define CFG_CMDLINE_MAX 256 /* a guest command line, including the NUL */

/* [guest NAME]: a partition. */
struct cfg_guest {
	char name[CFG_NAME_MAX];
	unsigned line; /* line of the [guest NAME] header */
	struct cpuset cpus;
	unsigned cpus_line;
	u64 memory;
	unsigned memory_line;
	char image[CFG_PATH_MAX]; /* relative to the directory of longbus.cfg */
	unsigned image_line;
	char cmdline[CFG_CMDLINE_MAX];
	unsigned cmdline_line;
	u32 debug_exit;		  /* port; valid when debug_exit_line != 0 */
	unsigned debug_exit_line;
	bool testdev;		  /* give the guest the test device (vmm/testdev.c) */
	unsigned testdev_line;
};

/*
 * [net]: longbus's own network (net/net.c, docs/config.md). Used only when
 * lb_config.have_net_section. `nic` and `ip` take a word or a value
 * (auto | BDF, dhcp | prefix): the parser keeps their text and fills the
 * typed fields when the section ends. Each *_line is 0 when the key was
 * absent.
 */
#define CFG_NET_TEXT_MAX 24 /* nic/ip value text, including the NUL */
struct cfg_net {
	bool nic_auto;	/* nic = auto (the default): first unowned supported NIC */
	u16 nic_seg;	/* nic = [seg:]bus:dev.fn otherwise */
	u8 nic_bus, nic_dev, nic_fn;
	u8 mac[6];	/* mac = ...: overrides the NIC's own (when mac_line != 0) */
	bool dhcp;	/* ip = dhcp (the default) */
	u32 ip;		/* ip = a.b.c.d/len otherwise; first number in the top byte */
	u8 ip_len;	/* prefix length, 0..32 */
	u32 gateway;	/* 0: none */
	bool iperf;	/* iperf 2 server (net/iperf_server.c) on TCP 5001; off by default */
	bool echo;	/* TCP echo server on port 7, a test aid; off by default */
	char nic_text[CFG_NET_TEXT_MAX];
	char ip_text[CFG_NET_TEXT_MAX];
	unsigned line; /* of the [net] header */
	unsigned nic_line, mac_line, ip_line, gateway_line;
};

struct lb_config {
	bool have_longbus_section;
	struct cfg_longbus lb;
	bool have_net_section;
	struct cfg_net net;
	unsigned nguests;
	struct cfg_guest guests[CFG_MAX_GUESTS];
};

/* Where and why parsing failed. line is 1-based; 0 means "the whole file". */
struct cfg_error {
	unsigned line;
	char msg[CFG_MSG_MAX];
};

/*
 * Parse len bytes of config text into *out (fully overwritten; defaults
 * applied). Returns 0, or -EINVAL with *err filled: the first error only.
 * Never reads past text[len - 1]; text need not be NUL-terminated.
 */
int config_parse(const char *text, size_t len, struct lb_config *out,
		 struct cfg_error *err) __must_check;

/*
 * Check a parsed config against the machine it is about to run on (the
 * loader knows the CPU count before ExitBootServices). Returns 0 or -EINVAL
 * with *err naming the offending line.
 */
int config_check_machine(const struct lb_config *cfg, unsigned ncpus,
			 struct cfg_error *err) __must_check;

const char *log_level_name(enum log_level lvl);

#endif
