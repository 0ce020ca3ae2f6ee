/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual IOAPIC, an 82093AA with 24 pins (version 0x11: no EOI
 * register; a level pin's Remote IRR clears on a local APIC EOI, or when
 * the guest switches the pin to edge, which is how Linux ends a stuck
 * level interrupt on this version).
 *
 * Devices drive pins with vioapic_set_irq(); the level is the logical
 * state (true = asserted), already past any polarity: the RTE polarity bit
 * is stored for the guest and otherwise ignored, as in KVM. A pin that must
 * interrupt produces a struct vioapic_msg through the caller's deliver
 * callback; the caller routes it to the vLAPICs (vlapic_matches_dest +
 * vlapic_accept for fixed/lowest-priority, its own path for NMI/INIT).
 *
 * Edge pins latch a rising edge: it is delivered at once if the pin is
 * unmasked, else when it is unmasked while still asserted (dropping the
 * line forgets it). The 82093AA would lose it; a spurious interrupt is
 * harmless to a guest, a lost one can hang its driver, so we follow KVM.
 * Level pins deliver while asserted, unmasked and Remote IRR is clear, and
 * set Remote IRR; vioapic_eoi() of the vector clears it and re-delivers a
 * pin still asserted.
 *
 * Pure C. Context: exit path and device back-ends, never blocks. No
 * locking inside: the caller serializes all calls on one vioapic (one per
 * guest, shared by its vCPUs) and the deliver callback runs inside them, so
 * it must not call back into the same vioapic.
 */
#ifndef LONGBUS_VMM_VIOAPIC_H
#define LONGBUS_VMM_VIOAPIC_H

#include "kernel/compiler.h"

#define VIOAPIC_PINS 24
#define VIOAPIC_MMIO_SIZE 0x1000ULL

/* Delivery modes, as in RTE bits 10:8. */
#define VIOAPIC_DM_FIXED 0
#define VIOAPIC_DM_LOWEST 1
#define VIOAPIC_DM_SMI 2
#define VIOAPIC_DM_NMI 4
#define VIOAPIC_DM_INIT 5
#define VIOAPIC_DM_EXTINT 7

/* One interrupt message, decoded from the pin's redirection entry. */
struct vioapic_msg {
	u8 pin;
	u8 vector;
	u8 delivery_mode; /* VIOAPIC_DM_*; the caller drops what it does not route */
	bool logical;	  /* destination mode */
	bool level;	  /* trigger mode: pass to vlapic_accept() */
	u8 dest;	  /* RTE bits 63:56, xAPIC format */
};

typedef void (*vioapic_deliver_fn)(void *ctx, const struct vioapic_msg *msg);

/* The state; fields are private to vioapic.c. */
struct vioapic {
	u32 id;		  /* ID register image, bits 27:24 */
	u8 regsel;	  /* IOREGSEL */
	u32 line;	  /* pin inputs, bit n = pin n asserted */
	u32 edge_latch;	  /* edge pins: rising edge not yet delivered */
	u64 rte[VIOAPIC_PINS];
	vioapic_deliver_fn deliver;
	void *ctx;
};

/* Reset: every pin masked, inputs low. `id` is the 4-bit IOAPIC ID. */
void vioapic_reset(struct vioapic *io, u8 id, vioapic_deliver_fn deliver, void *ctx);

/*
 * The register window, off in [0, VIOAPIC_MMIO_SIZE), size 1, 2, 4 or 8
 * (else -EINVAL). IOREGSEL (0x00) takes a write of any size at its first
 * byte (the low 8 bits select). IOWIN (0x10) takes only a 4-byte write at
 * 0x10; other writes are dropped. Reads of any size return the bytes they
 * cover of the 16-byte slot {register, 0, 0, 0} of their first byte;
 * other slots read 0.
 * Indirect registers: 0x00 ID (bits 27:24 writable), 0x01 version
 * 0x00170011, 0x02 arbitration (= ID), 0x10 + 2n / 0x11 + 2n the low / high
 * half of RTE n; delivery status reads idle, Remote IRR is read-only;
 * unimplemented registers read 0 and ignore writes. Unmasking a pin with a
 * pending edge or an asserted level (Remote IRR clear) delivers it.
 */
int vioapic_mmio_read(struct vioapic *io, u32 off, u32 size, u64 *val) __must_check;
int vioapic_mmio_write(struct vioapic *io, u32 off, u32 size, u64 val) __must_check;

/* A device drives pin `pin`; -EINVAL for pin >= VIOAPIC_PINS. */
int vioapic_set_irq(struct vioapic *io, unsigned pin, bool level) __must_check;

/* A vLAPIC reported a level-triggered EOI of `vector` (VLAPIC_FX_EOI_LEVEL). */
void vioapic_eoi(struct vioapic *io, u8 vector);

#endif
