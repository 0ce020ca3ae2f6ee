/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exceptions and interrupts taken while longbus itself runs.
 * An exception is a longbus bug: the CPU that took it prints a full
 * register dump and stack trace on serial and halts, with no triple fault;
 * the other CPUs run on. Interrupts go to handlers registered per vector.
 */
#ifndef LONGBUS_TRAP_H
#define LONGBUS_TRAP_H

#include "kernel/compiler.h"

/* Layout pushed by kernel/isr.S; keep in sync. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Interrupt vectors longbus uses (0x00-0x1f are exceptions). */
#define VEC_TIMER 0x20	    /* LAPIC timer: the service tick */
#define VEC_UART 0x21	    /* console UART receive, via the IOAPIC */
#define VEC_IPI_CALL 0xf0   /* smp_call(): run a function on a CPU */
#define VEC_IPI_WAKE 0xf1   /* wake a halted CPU, nothing else */
#define VEC_SPURIOUS 0xff

typedef void (*irq_fn)(struct trap_frame *f);

void idt_init(void);	  /* builds the shared IDT; boot CPU, once */
void idt_load(void);	  /* every CPU */
void irq_register(u8 vector, irq_fn fn);

/*
 * Runs the handler of an interrupt that was acknowledged elsewhere (VMX
 * acknowledge-on-exit hands longbus the vector), then EOIs it.
 */
void trap_dispatch_irq(u8 vector);
/* What an NMI means to longbus: stop this CPU for good. */
__noreturn void trap_nmi_stop(void);

/* Called from isr.S. */
void trap_entry(struct trap_frame *f);

/* Prints a stack trace starting at rbp (bounded, checks every frame). */
void trap_print_backtrace(u64 rip, u64 rbp);

#endif
