// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU data and descriptors: each CPU gets its own GDT (it holds the
 * TSS descriptor, whose busy bit is per CPU), TSS with IST stacks for #DF,
 * NMI and #MC, and guard-paged stacks. The array of struct pcpu is a
 * documented singleton owned here; each element follows kernel/pcpu.h.
 */
#include "kernel/klib.h"
#include "kernel/mm.h"
#include "kernel/pcpu.h"
#include "kernel/x86/cpu.h"
#include "kernel/x86/msr.h"

#define STACK_PAGES 4 /* 16 KiB main stack */
#define IST_PAGES 2   /* 8 KiB per IST stack: enough to dump registers and a trace */

static struct pcpu cpus[MAX_CPUS];
static unsigned ncpus;

struct pcpu *pcpu_of(unsigned id)
{
	return &cpus[id];
}

unsigned pcpu_count(void)
{
	return ncpus;
}

unsigned pcpu_online(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ncpus; i++)
		n += READ_ONCE(cpus[i].shared.state) == CPU_ONLINE;
	return n;
}

static void gdt_fill(struct pcpu *p)
{
	u64 tss = (u64)(uintptr_t)&p->tss;
	u64 limit = sizeof(p->tss) - 1;

	p->gdt.entry[GDT_NULL] = 0;
	/* 64-bit code: P, DPL0, S, type execute/read, L. */
	p->gdt.entry[GDT_CODE64] = 0x00af9a000000ffffULL;
	/* Data: P, DPL0, S, type read/write. */
	p->gdt.entry[GDT_DATA] = 0x00cf92000000ffffULL;
	/* Available 64-bit TSS (type 9), 16 bytes. */
	p->gdt.entry[GDT_TSS] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
				(0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
				(((tss >> 24) & 0xff) << 56);
	p->gdt.entry[GDT_TSS + 1] = tss >> 32;
}

static void load_descriptors(struct pcpu *p)
{
	struct desc_ptr gdtr = { sizeof(p->gdt) - 1, (u64)(uintptr_t)&p->gdt };

	lgdt(&gdtr);
	/* Reload CS with a far return, then the data segments. */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %1, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 :
			 : "i"(SEL_CODE64), "i"(SEL_DATA)
			 : "rax", "memory");
	ltr(SEL_TSS);
	/* After the GS reload: GS_BASE is what this_cpu() reads. */
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)p);
}

/* Stacks need the page tables of paging_init(); called once they are live. */
static void alloc_stacks(struct pcpu *p)
{
	p->stack_top = stack_alloc(STACK_PAGES);
	p->stack_lo = p->stack_top - STACK_PAGES * PAGE_SIZE;
	p->ist_df_top = stack_alloc(IST_PAGES);
	p->ist_nmi_top = stack_alloc(IST_PAGES);
	p->ist_mc_top = stack_alloc(IST_PAGES);
	p->tss.ist[IST_DF - 1] = p->ist_df_top;
	p->tss.ist[IST_NMI - 1] = p->ist_nmi_top;
	p->tss.ist[IST_MC - 1] = p->ist_mc_top;
	/* No I/O permission bitmap: the base points past the limit. */
	p->tss.iomap_base = sizeof(p->tss);
}

void pcpu_init_boot(unsigned n, const u32 *apic_ids)
{
	ncpus = n > MAX_CPUS ? MAX_CPUS : n;
	for (unsigned i = 0; i < ncpus; i++) {
		cpus[i].self = &cpus[i];
		cpus[i].id = i;
		cpus[i].apic_id = apic_ids[i];
		alloc_stacks(&cpus[i]);
		gdt_fill(&cpus[i]);
	}
}

void pcpu_init_this(struct pcpu *p)
{
	load_descriptors(p);
}
