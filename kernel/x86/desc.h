/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GDT, TSS and IDT layouts (SDM vol. 3, 3.4.5, 7.2.3, 6.14.1).
 * Architecture-only.
 */
#ifndef LONGBUS_X86_DESC_H
#define LONGBUS_X86_DESC_H

#include "kernel/compiler.h"

#define GDT_NULL 0
#define GDT_CODE64 1
#define GDT_DATA 2
#define GDT_TSS 3 /* 16 bytes: two slots */
#define GDT_ENTRIES 5

#define SEL_CODE64 (GDT_CODE64 * 8)
#define SEL_DATA (GDT_DATA * 8)
#define SEL_TSS (GDT_TSS * 8)

/* IST slots (1-based in the IDT gate). */
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

struct gdt {
	u64 entry[GDT_ENTRIES];
} __aligned(16);

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

BUILD_ASSERT(sizeof(struct tss) == 104, "TSS layout");

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

BUILD_ASSERT(sizeof(struct idt_gate) == 16, "IDT gate layout");

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

static inline void lgdt(const struct desc_ptr *p)
{
	__asm__ volatile("lgdt %0" : : "m"(*p));
}

static inline void lidt(const struct desc_ptr *p)
{
	__asm__ volatile("lidt %0" : : "m"(*p));
}

static inline void ltr(u16 sel)
{
	__asm__ volatile("ltr %0" : : "r"(sel));
}

#endif
