// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest IDT: 256 32-bit interrupt gates into isr.S's stubs, a handler
 * table, and the default policy: an exception at an LG_EXTABLE instruction
 * resumes after it with lg_fault set; anything else unexpected prints the
 * frame and fails the test, rather than escalating to a triple fault.
 */
#include "guest-api/libguest/libguest.h"

#define GATE_INT32 0x8E	/* present, DPL 0, 32-bit interrupt gate */
#define STUB_SIZE 16

struct gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __attribute__((packed));
_Static_assert(sizeof(struct gate) == 8, "gate");

struct extable_entry {
	uint32_t insn;
	uint32_t resume;
};

extern const char lg_isr_stubs[];
extern const struct extable_entry __lg_extable_start[], __lg_extable_end[];

volatile uint32_t lg_fault;

static struct gate idt[256] __attribute__((aligned(8)));
static lg_handler_fn handlers[256];

void lg_isr_dispatch(struct lg_frame *f);

static bool fixup(struct lg_frame *f)
{
	for (const struct extable_entry *e = __lg_extable_start; e < __lg_extable_end; e++) {
		if (e->insn == f->eip) {
			lg_fault = LG_FAULTED | f->vector;
			f->eip = e->resume;
			return true;
		}
	}
	return false;
}

void lg_isr_dispatch(struct lg_frame *f)
{
	lg_handler_fn fn = handlers[f->vector & 0xff];

	if (fn) {
		fn(f);
		return;
	}
	if (f->vector < 32 && fixup(f))
		return;
	lg_printf("libguest: unexpected vector %u error 0x%x at eip 0x%x (eflags 0x%x cr2 0x%x)\n",
		  f->vector, f->error, f->eip, f->eflags, f->vector == 14 ? read_cr2() : 0);
	lg_abort("unexpected interrupt or exception");
}

void lg_idt_set_handler(uint8_t vector, lg_handler_fn fn)
{
	handlers[vector] = fn;
}

void lg_idt_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };

	for (int v = 0; v < 256; v++) {
		uint32_t addr = (uint32_t)(uintptr_t)(lg_isr_stubs + v * STUB_SIZE);

		idt[v] = (struct gate){ (uint16_t)addr, LG_CS, 0, GATE_INT32, (uint16_t)(addr >> 16) };
	}
	__asm__ volatile("lidt %0" : : "m"(desc));
}
