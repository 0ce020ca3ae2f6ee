/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest-physical platform every VM sees (docs/guest-platform.md):
 *
 *   0x00000000 - 0x0009ffff  RAM
 *   0x000a0000 - 0x000fffff  legacy hole: unmapped, reads all-ones
 *   0x00100000 - memory      RAM
 *   0xc0000000 - 0xfebfffff  reserved for virtual PCI (later issues)
 *   0xfeb00000 - 0xfeb00fff  test device (VMs with testdev = on)
 *   0xfec00000 - 0xfec00fff  virtual IOAPIC
 *   0xfee00000 - 0xfee00fff  virtual LAPIC (xAPIC page)
 *
 * Guest RAM therefore ends below 0xc0000000.
 */
#ifndef LONGBUS_VMM_PLATFORM_H
#define LONGBUS_VMM_PLATFORM_H

#include "vmm/vm.h"

#define GPA_LEGACY_HOLE 0xa0000ULL
#define GPA_HIGH_RAM 0x100000ULL
#define GPA_RAM_LIMIT 0xc0000000ULL
#define GPA_PCI_WINDOW 0xc0000000ULL
#define GPA_TESTDEV 0xfeb00000ULL
#define GPA_TESTDEV_SIZE 0x1000ULL
#define GPA_IOAPIC 0xfec00000ULL
#define GPA_IOAPIC_SIZE 0x1000ULL
#define GPA_LAPIC 0xfee00000ULL
#define GPA_LAPIC_SIZE 0x1000ULL

/* Registers the platform devices of a VM. Boot CPU, before the VM runs. */
int vplatform_init(struct vm *vm) __must_check;
/* A device model raises or lowers a guest interrupt line (IOAPIC pin). */
void vplatform_set_irq(struct vm *vm, unsigned pin, bool level);
/* A vLAPIC EOI of a level-triggered vector: the vIOAPIC may re-deliver. */
void vplatform_eoi(struct vm *vm, u8 vector);

#endif
