/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libguest: the tiny freestanding library the 32-bit test guests link with.
 * A guest is a Multiboot ELF32 kernel linked at 1 MiB (guest.ld); start.S
 * loads a flat GDT, a 16 KiB stack and an IDT that reports stray
 * exceptions, initialises COM1 and calls
 *
 *     int main(struct multiboot_info *mbi);
 *
 * with interrupts off and paging off. main normally ends with
 * test_exit("name"); if it returns, its value is the exit code.
 *
 * Reporting (docs/guest-api.md): EXPECT_EQ prints "FAIL line N: got 0x..
 * want 0x.." and counts; test_exit prints "RESULT PASS name" or "RESULT FAIL
 * name", writes the code to the debug-exit port (LG_DEBUG_EXIT_PORT, QEMU's
 * isa-debug-exit exits with (code << 1) | 1), then makes the LB_HC_EXIT
 * hypercall when running on longbus, then halts with interrupts off.
 *
 * Context: a single CPU, ring 0, 32-bit protected mode. Nothing here is
 * reentrant or SMP-safe unless it says so.
 */
#ifndef LONGBUS_LIBGUEST_H
#define LONGBUS_LIBGUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest-api/hypercall.h"
#include "guest-api/multiboot.h"

#ifndef LG_DEBUG_EXIT_PORT
#define LG_DEBUG_EXIT_PORT 0xf4
#endif
#define LG_COM1 0x3f8

#define LG_EXIT_PASS 0u
#define LG_EXIT_FAIL 1u

/* Selectors of the GDT start.S loads. */
#define LG_CS 0x08
#define LG_DS 0x10

#define __lg_noreturn __attribute__((noreturn))
#define __lg_printf(a, b) __attribute__((format(printf, a, b)))

/* The guest's entry point, called by start.S. */
int main(struct multiboot_info *mbi);

/* EAX and EBX at entry, saved by start.S. */
extern uint32_t lg_mb_magic;
extern uint32_t lg_mb_info;

/* --- string.c: what the compiler may call -------------------------------- */

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* --- port I/O, MMIO, CPU --------------------------------------------------- */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * MMIO: one access of exactly the width named, with a plain MOV, so the
 * hypervisor's decoder sees the form the test intends. (32-bit mode has no
 * general-register 64-bit MOV; the mmio-decode guest writes its own asm.)
 */
static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t v;

	__asm__ volatile("movb %1, %0" : "=q"(v) : "m"(*(volatile uint8_t *)addr) : "memory");
	return v;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
	uint16_t v;

	__asm__ volatile("movw %1, %0" : "=r"(v) : "m"(*(volatile uint16_t *)addr) : "memory");
	return v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)addr) : "memory");
	return v;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	__asm__ volatile("movb %1, %0" : "=m"(*(volatile uint8_t *)addr) : "q"(v) : "memory");
}

static inline void mmio_write16(uintptr_t addr, uint16_t v)
{
	__asm__ volatile("movw %1, %0" : "=m"(*(volatile uint16_t *)addr) : "r"(v) : "memory");
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("movl %1, %0" : "=m"(*(volatile uint32_t *)addr) : "r"(v) : "memory");
}

struct lg_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct lg_cpuid cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct lg_cpuid r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

/* STI; HLT back to back: an interrupt pending at the STI wakes the HLT (STI shadow). */
static inline void sti_hlt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

static inline void pause(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline uint32_t read_eflags(void)
{
	uint32_t v;

	__asm__ volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr0(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr2(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr3(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* --- faults that a test expects ---------------------------------------------
 * An instruction wrapped with LG_EXTABLE may fault: the exception handler
 * finds its address in the .lg_extable section, records LG_FAULTED | vector
 * in lg_fault and resumes after it. *_safe() return that value, 0 if no fault.
 */
#define LG_FAULTED 0x100
#define LG_FAULT_UD (LG_FAULTED | 6)
#define LG_FAULT_GP (LG_FAULTED | 13)
#define LG_FAULT_PF (LG_FAULTED | 14)

extern volatile uint32_t lg_fault;

#define LG_EXTABLE(insn, resume)                                                    \
	".pushsection .lg_extable, \"a\"\n\t.balign 4\n\t.long " #insn ", " #resume \
	"\n\t.popsection\n\t"

static inline uint32_t rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	lg_fault = 0;
	__asm__ volatile("1: rdmsr\n2:\n\t" LG_EXTABLE(1b, 2b)
			 : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = (uint64_t)hi << 32 | lo;
	return lg_fault;
}

static inline uint32_t wrmsr_safe(uint32_t msr, uint64_t v)
{
	lg_fault = 0;
	__asm__ volatile("1: wrmsr\n2:\n\t" LG_EXTABLE(1b, 2b)
			 : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
	return lg_fault;
}

/* A 32-bit load that may fault (#PF, #GP); *val is 0 then. */
static inline uint32_t read32_safe(uintptr_t addr, uint32_t *val)
{
	uint32_t v = 0;

	lg_fault = 0;
	__asm__ volatile("1: movl (%1), %0\n2:\n\t" LG_EXTABLE(1b, 2b)
			 : "+r"(v) : "r"(addr) : "memory");
	*val = v;
	return lg_fault;
}

/* --- serial.c, printf.c -------------------------------------------------- */

/* COM1, 115200 8N1, FIFO on, no interrupts. Polled; "\n" goes out as "\r\n". */
void lg_serial_init(void);
void lg_putc(char c);
void lg_puts(const char *s);	/* no newline added */

/*
 * printf-lite: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a width,
 * '.precision' for %s, length modifiers hh h l ll z. Returns the bytes the
 * full output has.
 */
int lg_printf(const char *fmt, ...) __lg_printf(1, 2);
int lg_vprintf(const char *fmt, va_list ap);
int lg_snprintf(char *buf, size_t size, const char *fmt, ...) __lg_printf(3, 4);
int lg_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* --- test.c: expectations and exit ----------------------------------------- */

/* Failed expectations so far. */
extern volatile uint32_t lg_failures;

/*
 * EXPECT_EQ(got, want): compares as uint64_t, evaluates each argument once,
 * prints "FAIL line N: got 0x.. want 0x.." on a mismatch and counts it.
 * Returns true when equal. Cast pointers to uintptr_t first.
 */
#define EXPECT_EQ(got, want) lg_expect_eq(__LINE__, (uint64_t)(got), (uint64_t)(want))
#define EXPECT_TRUE(cond) lg_expect_eq(__LINE__, !!(cond), 1)
bool lg_expect_eq(int line, uint64_t got, uint64_t want);

/* Names the test for messages printed before test_exit (stray exceptions). */
void lg_test_begin(const char *name);

/* Prints RESULT PASS|FAIL name from lg_failures and exits with LG_EXIT_PASS|FAIL. */
__lg_noreturn void test_exit(const char *name);

/* Debug-exit port (low 8 bits of code), then LB_HC_EXIT on longbus, then cli; hlt forever. */
__lg_noreturn void lg_exit(uint32_t code);

/* Prints "RESULT FAIL name" and a reason, then exits: for a test that cannot go on. */
__lg_noreturn void lg_abort(const char *why);

/* --- hypercall.c ----------------------------------------------------------- */

/* CPUID says longbus: hypervisor bit and the leaf 0x40000000 signature. Cached. */
bool lg_on_longbus(void);
/* CPUID vendor is AMD or Hygon: hypercalls use VMMCALL rather than VMCALL. */
bool lg_cpu_is_amd(void);

/*
 * Raw hypercall: EAX = fn, EBX/ECX/EDX = a0/a1/a2; returns EAX and, if
 * ebx_out is not NULL, EBX. Works only under longbus (else #UD): the
 * wrappers below check lg_on_longbus() and return -LB_ENOSYS otherwise.
 */
int32_t lg_hypercall(uint32_t fn, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t *ebx_out);

/* LB_HC_VERSION: the ABI version, with *magic = LB_HC_MAGIC; or -LB_ENOSYS. */
int32_t lg_hc_version(uint32_t *magic);
/* LB_HC_LOG of len bytes at s (identity-mapped). */
int32_t lg_hc_log(const char *s, uint32_t len);
/* LB_HC_EXIT; returns only when not on longbus, with -LB_ENOSYS. */
int32_t lg_hc_exit(uint32_t code);
/* LB_HC_STATS into *st (identity-mapped). */
int32_t lg_hc_stats(struct lb_hc_stats *st);

/* --- idt.c: interrupts and exceptions -------------------------------------- */

/* What the interrupt stubs push; a handler may change it, IRET reloads it. */
struct lg_frame {
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax; /* PUSHA */
	uint32_t vector;
	uint32_t error;		/* CPU error code, 0 for vectors without one */
	uint32_t eip, cs, eflags;	/* pushed by the CPU (same privilege) */
};
_Static_assert(sizeof(struct lg_frame) == 52, "lg_frame");

typedef void (*lg_handler_fn)(struct lg_frame *f);

/*
 * Loads an IDT of 32-bit interrupt gates (IF cleared on entry) for all 256
 * vectors. Called by start.S before main. A vector without a handler:
 * an exception at an LG_EXTABLE instruction resumes after it, anything
 * else prints the frame and ends the test with RESULT FAIL.
 */
void lg_idt_init(void);
/* Installs fn for vector (NULL restores the default). */
void lg_idt_set_handler(uint8_t vector, lg_handler_fn fn);

/* --- paging.c: identity-mapped 4 MiB pages --------------------------------- */

#define LG_PDE_P 0x001u
#define LG_PDE_RW 0x002u
#define LG_PDE_US 0x004u
#define LG_PDE_PWT 0x008u
#define LG_PDE_PCD 0x010u
#define LG_PDE_PS 0x080u	/* 4 MiB page */
#define LG_PAGE_4M 0x400000u

/* The page directory, 4 KiB aligned: 1024 PDEs mapping 4 MiB each. */
extern uint32_t lg_page_dir[1024];

/*
 * Identity-maps all 4 GiB with 4 MiB pages (present, writable, write-back)
 * and turns paging on (CR4.PSE, CR3, CR0.PG|WP). Tests that need guest
 * paging then remap with lg_paging_map_4m.
 */
void lg_paging_enable(void);
void lg_paging_disable(void);
/* Points the 4 MiB page at va to pa with LG_PDE_* flags (PS added) and flushes it. */
void lg_paging_map_4m(uint32_t va, uint32_t pa, uint32_t flags);
/* Makes the 4 MiB page at va not present and flushes it. */
void lg_paging_unmap_4m(uint32_t va);

/* --- lapic.c: the local APIC (xAPIC page), TSC time, 64-bit division ------ */

#define LG_LAPIC_BASE 0xfee00000u
#define LG_LAPIC_ID 0x020
#define LG_LAPIC_VERSION 0x030
#define LG_LAPIC_TPR 0x080
#define LG_LAPIC_PPR 0x0a0
#define LG_LAPIC_EOI 0x0b0
#define LG_LAPIC_LDR 0x0d0
#define LG_LAPIC_DFR 0x0e0
#define LG_LAPIC_SVR 0x0f0
#define LG_LAPIC_ISR 0x100	/* 8 registers, 0x10 apart: vectors 32 * i .. */
#define LG_LAPIC_IRR 0x200
#define LG_LAPIC_ESR 0x280
#define LG_LAPIC_ICR_LO 0x300
#define LG_LAPIC_ICR_HI 0x310
#define LG_LAPIC_LVT_TIMER 0x320
#define LG_LAPIC_TIMER_ICR 0x380
#define LG_LAPIC_TIMER_CCR 0x390
#define LG_LAPIC_TIMER_DCR 0x3e0

#define LG_SVR_ENABLE (1u << 8)
#define LG_LVT_MASKED (1u << 16)
#define LG_LVT_ONESHOT (0u << 17)
#define LG_LVT_PERIODIC (1u << 17)
#define LG_LVT_TSC_DEADLINE (2u << 17)
#define LG_DCR_DIV1 0xbu

/* ICR low word: delivery mode, level, trigger, destination mode and shorthand. */
#define LG_ICR_FIXED 0x000u
#define LG_ICR_NMI 0x400u
#define LG_ICR_INIT 0x500u
#define LG_ICR_STARTUP 0x600u
#define LG_ICR_LOGICAL (1u << 11)
#define LG_ICR_BUSY (1u << 12)	/* delivery status */
#define LG_ICR_ASSERT (1u << 14)
#define LG_ICR_LEVEL (1u << 15)
#define LG_ICR_SELF (1u << 18)
#define LG_ICR_ALL (2u << 18)
#define LG_ICR_OTHERS (3u << 18)

/* MSRs. x2APIC register R is MSR LG_MSR_X2APIC + R / 16. */
#define LG_MSR_APIC_BASE 0x1bu
#define LG_APIC_BASE_BSP (1u << 8)
#define LG_APIC_BASE_X2APIC (1u << 10)
#define LG_APIC_BASE_ENABLE (1u << 11)
#define LG_MSR_TSC_DEADLINE 0x6e0u
#define LG_MSR_X2APIC 0x800u

/* One 32-bit access to the xAPIC page register at offset reg. */
uint32_t lg_lapic_read(uint32_t reg);
void lg_lapic_write(uint32_t reg, uint32_t val);
/* Software-enables the APIC (SVR) with the given spurious vector; TPR 0. */
void lg_lapic_enable(uint8_t spurious_vector);
void lg_lapic_eoi(void);
/* This CPU's xAPIC ID (ID register bits 31:24). */
uint32_t lg_lapic_id(void);
/*
 * Sends an IPI: ICR high = dest << 24, then ICR low = icr_lo (vector |
 * LG_ICR_*), and waits (bounded) for the delivery status to clear.
 */
void lg_lapic_send_ipi(uint32_t dest, uint32_t icr_lo);
/* Whether vector is set in the IRR (ISR). */
bool lg_lapic_irr(uint8_t vector);
bool lg_lapic_isr(uint8_t vector);

/*
 * TSC frequency in kHz, measured once against the LAPIC timer, whose bus
 * clock longbus defines as 100 MHz (docs/guest-platform.md). Where the TSC
 * itself is slower than 100 MHz longbus runs the bus at the TSC rate, and
 * this returns 100000: timeouts built on it then last longer, never
 * shorter. The first call uses the timer (masked) and leaves it stopped;
 * call it before programming the timer. Later calls return the cached value.
 */
uint32_t lg_tsc_khz(void);
/*
 * Runs the timer (masked, divide by 1) until it has counted at least
 * `ticks` bus ticks; returns how many it counted and, in *tsc_elapsed, the
 * TSC ticks that took. Leaves the timer stopped. lg_tsc_khz() uses it.
 */
uint32_t lg_lapic_bus_ticks(uint32_t ticks, uint64_t *tsc_elapsed);
/* The TSC value ms milliseconds from now (lg_tsc_khz()). */
uint64_t lg_tsc_after_ms(uint32_t ms);
/* Busy-waits for us microseconds. */
void lg_delay_us(uint32_t us);
/* n / d for 64-bit n, by shift and subtract: a freestanding i386 link has no __udivdi3. */
uint64_t lg_udiv64(uint64_t n, uint64_t d);

/* --- ap.S, smp.c: starting application processors ---------------------------
 * lg_start_ap() copies a real-mode trampoline to LG_AP_TRAMPOLINE (below
 * 1 MiB, so the SIPI vector can name it), sends INIT, INIT de-assert and
 * two SIPIs to APIC ID apic_id, and waits until the AP runs C: the AP
 * switches to 32-bit protected mode, loads the same flat GDT selectors and
 * the caller's IDT, takes stack_top as its stack, and calls fn(arg) with
 * interrupts off. If fn returns, the AP halts with interrupts off.
 * Returns 0, or -1 if the AP did not reach C within 10 s (TSC time).
 * One AP at a time: the trampoline page and its parameters are shared.
 * Nothing else in libguest is SMP-safe: lg_printf from two CPUs at once
 * interleaves characters.
 */
#define LG_AP_TRAMPOLINE 0x1000u	/* SIPI vector 0x01; must be 4 KiB aligned, < 1 MiB */

typedef void (*lg_ap_fn)(void *arg);
int lg_start_ap(uint32_t apic_id, lg_ap_fn fn, void *arg, void *stack_top);

/* --- input.c: console input ---------------------------------------------------
 * Bytes typed after `console NAME` on the longbus shell arrive in COM1's
 * receive buffer (LSR.DR).
 */
/* The next received byte, or -1 if none is waiting. */
int lg_serial_getc_nowait(void);
/*
 * Waits for a received byte and returns it. Between polls the CPU halts
 * with interrupts on: it software-enables the LAPIC (TPR 0, spurious vector
 * 0xff) and runs its timer periodic on LG_VEC_INPUT_POLL (every 10 ms of
 * bus time) while it waits, then stops the timer. Returns with IF=0.
 */
#define LG_VEC_INPUT_POLL 0xee
char lg_serial_getc_wait(void);

#endif
