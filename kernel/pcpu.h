/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU data. GS_BASE points at the running CPU's struct pcpu, so
 * this_cpu() is one load. Owner-only fields are touched by that CPU alone;
 * the fields in `shared` are the only ones other CPUs touch, each with the
 * rule that makes it safe.
 */
#ifndef LONGBUS_PCPU_H
#define LONGBUS_PCPU_H

#include "kernel/compiler.h"
#include "kernel/x86/desc.h"

#define MAX_CPUS 64
#define LOG_RING_SLOTS 128
#define LOG_LINE_MAX 200

enum cpu_state {
	CPU_OFFLINE = 0, /* never started, or failed to start */
	CPU_ONLINE,	 /* running longbus code */
	CPU_CRASHED,	 /* took an unexpected exception and halted */
};

/* Work another CPU asks this one to run, delivered by IPI (smp_call). */
typedef void (*cpu_call_fn)(void *arg);

struct log_slot {
	u64 tsc;
	u16 len;
	char text[LOG_LINE_MAX];
};

/* One CPU's log ring: single producer (the owner, IRQs off), single consumer (service CPU). */
struct log_ring {
	u32 head; /* next slot to fill; written by the owner only */
	u32 tail; /* next slot to drain; written by the service CPU only */
	u64 dropped; /* owner-writes */
	struct log_slot slot[LOG_RING_SLOTS];
};

struct pcpu {
	struct pcpu *self; /* at offset 0: this_cpu() reads %gs:0 */
	u32 id;		   /* logical CPU number; 0 = boot CPU */
	u32 apic_id;

	struct {
		enum cpu_state state;	  /* owner-writes; others read */
		cpu_call_fn call_fn;	  /* set by the caller, cleared by the owner (atomic xchg) */
		void *call_arg;		  /* written before call_fn, read after */
		u64 irqs;		  /* owner-writes; statistics */
		struct log_ring log;	  /* see struct log_ring */
	} shared;

	u64 stack_top;
	u64 ist_df_top, ist_nmi_top, ist_mc_top;
	u64 stack_lo; /* lowest mapped byte of the main stack, for the stack walker */
	struct gdt gdt;
	struct tss tss;
};

static inline struct pcpu *this_cpu(void)
{
	struct pcpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

struct pcpu *pcpu_of(unsigned id);
unsigned pcpu_count(void);     /* CPUs the machine has (boot_info) */
unsigned pcpu_online(void);    /* CPUs in CPU_ONLINE */

/* Sets up this CPU's descriptors, stacks and GS base. */
void pcpu_init_boot(unsigned ncpus, const u32 *apic_ids);
void pcpu_init_this(struct pcpu *p);

#endif
