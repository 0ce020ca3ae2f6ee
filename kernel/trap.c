// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IDT, interrupt dispatch, and the fatal-exception path.
 * Context: interrupt/exception context on any CPU. The IDT and the handler
 * table are written on the boot CPU before any other CPU starts, then only
 * read.
 */
#include "kernel/klib.h"
#include "kernel/ksyms.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/pcpu.h"
#include "kernel/trap.h"
#include "kernel/x86/cpu.h"

#define LOG_TAG "trap"
#define BACKTRACE_MAX 24

extern const u64 isr_stubs[256];

static struct idt_gate idt[256] __aligned(16);
static irq_fn irq_handlers[256];

static const char *const exc_names[32] = {
	"#DE (divide error)", "#DB (debug)", "NMI", "#BP (breakpoint)",
	"#OF (overflow)", "#BR (bound range)", "#UD (invalid opcode)",
	"#NM (device not available)", "#DF (double fault)", "coprocessor overrun",
	"#TS (invalid TSS)", "#NP (segment not present)", "#SS (stack fault)",
	"#GP (general protection)", "#PF (page fault)", "reserved 15",
	"#MF (x87 error)", "#AC (alignment check)", "#MC (machine check)",
	"#XM (SIMD error)", "#VE (virtualization)", "#CP (control protection)",
};

static void set_gate(unsigned vec, u64 handler, u8 ist)
{
	idt[vec].offset_lo = handler & 0xffff;
	idt[vec].selector = SEL_CODE64;
	idt[vec].ist = ist;
	idt[vec].type_attr = GATE_INTERRUPT;
	idt[vec].offset_mid = (handler >> 16) & 0xffff;
	idt[vec].offset_hi = (u32)(handler >> 32);
	idt[vec].reserved = 0;
}

/* Timer ticks and wake-up IPIs exist to end a HLT; the interrupt itself is the message. */
static void wake_only(struct trap_frame *f)
{
	(void)f;
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_stubs[v], 0);
	/*
	 * #DF, NMI and #MC get known-good stacks: a #DF usually means the
	 * current stack is gone (overflow into the guard page), and NMI/#MC
	 * can arrive anywhere.
	 */
	set_gate(8, isr_stubs[8], IST_DF);
	set_gate(2, isr_stubs[2], IST_NMI);
	set_gate(18, isr_stubs[18], IST_MC);
	irq_handlers[VEC_TIMER] = wake_only;
	irq_handlers[VEC_IPI_WAKE] = wake_only;
}

void idt_load(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (u64)(uintptr_t)idt };
	lidt(&idtr);
}

void irq_register(u8 vector, irq_fn fn)
{
	irq_handlers[vector] = fn;
}

static void print_addr(const char *prefix, u64 addr)
{
	u64 off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		console_printf("%s%016lx <%s+0x%lx>\n", prefix, (unsigned long)addr, name,
			       (unsigned long)off);
	else
		console_printf("%s%016lx\n", prefix, (unsigned long)addr);
}

/* A frame pointer is followed only if it lies on one of this CPU's stacks. */
static bool on_own_stack(const struct pcpu *p, u64 fp)
{
	if (fp & 7)
		return false;
	if (fp >= p->stack_lo && fp + 16 <= p->stack_top)
		return true;
	/* The boot stack in .bss carries kmain until the switch. */
	extern const char boot_stack_top[];
	u64 bt = (u64)(uintptr_t)boot_stack_top;
	return fp >= bt - 16384 && fp + 16 <= bt;
}

void trap_print_backtrace(u64 rip, u64 rbp)
{
	const struct pcpu *p = this_cpu();
	char prefix[16];

	u64 prev = rip, repeats = 0;
	int i = 1;

	console_printf("stack trace:\n");
	print_addr("  #0  ", rip);
	/* Frame depth is bounded by the stack itself; only printed lines are capped. */
	while (on_own_stack(p, rbp) && i < BACKTRACE_MAX) {
		const u64 *frame = (const u64 *)(uintptr_t)rbp;
		if (frame[1] == 0)
			break;
		if (frame[1] == prev) {
			/* Recursion: say how deep instead of filling the screen. */
			repeats++;
		} else {
			if (repeats)
				console_printf("  ... the frame above %lu more times\n",
					       (unsigned long)repeats);
			repeats = 0;
			ksnprintf(prefix, sizeof(prefix), "  #%-2d ", i++);
			print_addr(prefix, frame[1]);
			prev = frame[1];
		}
		if (frame[0] <= rbp) /* frames grow upward; anything else is corrupt */
			break;
		rbp = frame[0];
	}
	if (repeats)
		console_printf("  ... the frame above %lu more times\n", (unsigned long)repeats);
	if (i == BACKTRACE_MAX && on_own_stack(p, rbp))
		console_printf("  ...\n");
}

static void dump_registers(const struct trap_frame *f)
{
	print_addr("RIP: ", f->rip);
	console_printf("RSP: %016lx  RFLAGS: %016lx  CS: %04lx  SS: %04lx\n",
		       f->rsp, f->rflags, f->cs, f->ss);
	console_printf("RAX: %016lx  RBX: %016lx  RCX: %016lx\n", f->rax, f->rbx, f->rcx);
	console_printf("RDX: %016lx  RSI: %016lx  RDI: %016lx\n", f->rdx, f->rsi, f->rdi);
	console_printf("RBP: %016lx  R8:  %016lx  R9:  %016lx\n", f->rbp, f->r8, f->r9);
	console_printf("R10: %016lx  R11: %016lx  R12: %016lx\n", f->r10, f->r11, f->r12);
	console_printf("R13: %016lx  R14: %016lx  R15: %016lx\n", f->r13, f->r14, f->r15);
	console_printf("CR0: %016lx  CR2: %016lx  CR3: %016lx  CR4: %016lx\n",
		       read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

static __noreturn void halt_forever(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

static __noreturn void fatal_exception(struct trap_frame *f)
{
	struct pcpu *p = this_cpu();
	const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector]
								  : "unknown";

	/* A fault while dumping a fault: stop at once rather than recurse. */
	if (p->shared.state == CPU_CRASHED)
		halt_forever();
	WRITE_ONCE(p->shared.state, CPU_CRASHED);
	log_enter_panic_mode();
	console_lock(); /* the whole dump in one piece */

	console_printf("\nFATAL: cpu%u exception %s error=0x%lx\n", p->id, name, f->error);
	/* The fault that escalated to #DF hit the guard page under the stack. */
	if (f->vector == 8 && read_cr2() >= p->stack_lo - 4096 && read_cr2() < p->stack_lo)
		console_printf("FATAL: cpu%u kernel stack overflow (rsp below the guard page)\n",
			       p->id);
	dump_registers(f);
	trap_print_backtrace(f->rip, f->rbp);
	console_printf("cpu%u halted\n", p->id);
	console_unlock();
	halt_forever();
}

static void nmi(struct trap_frame *f)
{
	(void)f;
	trap_nmi_stop();
}

__noreturn void trap_nmi_stop(void)
{
	/* longbus sends NMIs only to stop CPUs: panic and power-off. */
	halt_forever();
}

void trap_dispatch_irq(u8 vector)
{
	struct trap_frame f = { .vector = vector };

	this_cpu()->shared.irqs++;
	if (irq_handlers[vector])
		irq_handlers[vector](&f);
	else
		log_warn("unexpected interrupt vector 0x%x", vector);
	if (vector != VEC_SPURIOUS)
		lapic_eoi();
}

void trap_entry(struct trap_frame *f)
{
	if (f->vector == 2) {
		nmi(f);
		return;
	}
	if (f->vector < 32)
		fatal_exception(f);

	this_cpu()->shared.irqs++;
	if (irq_handlers[f->vector])
		irq_handlers[f->vector](f);
	else
		log_warn("unexpected interrupt vector 0x%lx", f->vector);
	/* The spurious vector is the one an EOI must not follow. */
	if (f->vector != VEC_SPURIOUS)
		lapic_eoi();
}
