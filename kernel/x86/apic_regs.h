/* SPDX-License-Identifier: GPL-2.0-only */
/* Local APIC and IOAPIC registers (SDM vol. 3, ch. 11; 82093AA datasheet). Arch-only. */
#ifndef LONGBUS_X86_APIC_REGS_H
#define LONGBUS_X86_APIC_REGS_H

#include "kernel/compiler.h"

#define LAPIC_DEFAULT_BASE 0xfee00000ULL

/* xAPIC MMIO offsets; the x2APIC MSR is 0x800 + (offset >> 4). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0

#define LAPIC_SVR_ENABLE BIT(8)
#define LAPIC_LVT_MASKED BIT(16)
#define LAPIC_TIMER_PERIODIC BIT(17)
#define LAPIC_TIMER_DIV_16 0x3

#define ICR_DELIVERY_FIXED (0ULL << 8)
#define ICR_DELIVERY_NMI (4ULL << 8)
#define ICR_DELIVERY_INIT (5ULL << 8)
#define ICR_DELIVERY_STARTUP (6ULL << 8)
#define ICR_PENDING BIT(12) /* xAPIC only */
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_TRIGGER_LEVEL BIT(15)

#define IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))
#define IOAPIC_RTE_MASKED BIT(16)
#define IOAPIC_RTE_LEVEL BIT(15)
#define IOAPIC_RTE_ACTIVE_LOW BIT(13)

/* 8259 PICs, masked at boot: longbus routes everything through the IOAPIC. */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

#endif
