// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual IOAPIC (see vioapic.h), after the 82093AA datasheet:
 * IOREGSEL/IOWIN indirection, 24 redirection entries, edge and level pins
 * with Remote IRR.
 *
 * Pure C: no globals but const data, no logging.
 */
#include "vmm/vioapic.h"

#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/x86/apic_regs.h"

#ifndef IOAPIC_REG_ARB
#define IOAPIC_REG_ARB 0x02
#endif

#define VIOAPIC_VERSION (0x11u | ((VIOAPIC_PINS - 1u) << 16))
#define ID_MASK GENMASK(27, 24)

#define RTE_VECTOR GENMASK(7, 0)
#define RTE_DELIVERY GENMASK(10, 8)
#define RTE_LOGICAL BIT(11)
#define RTE_STATUS BIT(12)
#define RTE_REMOTE_IRR BIT(14)
#define RTE_DEST GENMASK(63, 56)
/* Guest-writable bits; delivery status and Remote IRR are ours. */
#define RTE_LO_WMASK (RTE_VECTOR | RTE_DELIVERY | RTE_LOGICAL | IOAPIC_RTE_ACTIVE_LOW | \
		      IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED)

void vioapic_reset(struct vioapic *io, u8 id, vioapic_deliver_fn deliver, void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->id = FIELD_PREP(ID_MASK, id);
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;
	io->deliver = deliver;
	io->ctx = ctx;
}

/* Delivers pin if its state calls for it (see vioapic.h). */
static void service(struct vioapic *io, unsigned pin)
{
	u64 rte = io->rte[pin];
	u32 bit = 1u << pin;
	struct vioapic_msg msg;

	if (rte & IOAPIC_RTE_MASKED)
		return;
	if (rte & IOAPIC_RTE_LEVEL) {
		if (!(io->line & bit) || (rte & RTE_REMOTE_IRR))
			return;
		io->rte[pin] |= RTE_REMOTE_IRR;
	} else {
		if (!(io->edge_latch & bit))
			return;
		io->edge_latch &= ~bit;
	}
	msg = (struct vioapic_msg){
		.pin = (u8)pin,
		.vector = FIELD_GET(RTE_VECTOR, rte),
		.delivery_mode = FIELD_GET(RTE_DELIVERY, rte),
		.logical = rte & RTE_LOGICAL,
		.level = rte & IOAPIC_RTE_LEVEL,
		.dest = FIELD_GET(RTE_DEST, rte),
	};
	io->deliver(io->ctx, &msg);
}

int vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	u32 bit;

	if (pin >= VIOAPIC_PINS)
		return -EINVAL;
	bit = 1u << pin;
	if (!level) {
		io->line &= ~bit;
		io->edge_latch &= ~bit;
		return 0;
	}
	if (!(io->line & bit) && !(io->rte[pin] & IOAPIC_RTE_LEVEL))
		io->edge_latch |= bit; /* rising edge */
	io->line |= bit;
	service(io, pin);
	return 0;
}

void vioapic_eoi(struct vioapic *io, u8 vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		u64 rte = io->rte[pin];

		if (!(rte & IOAPIC_RTE_LEVEL) || !(rte & RTE_REMOTE_IRR) ||
		    FIELD_GET(RTE_VECTOR, rte) != vector)
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		service(io, pin); /* still asserted: interrupt again */
	}
}

static u32 reg_read(const struct vioapic *io, u8 reg)
{
	unsigned pin = (reg - IOAPIC_REDTBL(0)) / 2;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id;
	case IOAPIC_REG_VER:
		return VIOAPIC_VERSION;
	}
	if (reg < IOAPIC_REDTBL(0) || pin >= VIOAPIC_PINS)
		return 0;
	return reg & 1 ? (u32)(io->rte[pin] >> 32) : (u32)io->rte[pin];
}

static void reg_write(struct vioapic *io, u8 reg, u32 val)
{
	unsigned pin = (reg - IOAPIC_REDTBL(0)) / 2;
	u64 rte;

	if (reg == IOAPIC_REG_ID) {
		io->id = val & ID_MASK;
		return;
	}
	if (reg < IOAPIC_REDTBL(0) || pin >= VIOAPIC_PINS)
		return; /* version, arbitration, unimplemented */
	rte = io->rte[pin];
	if (reg & 1) {
		io->rte[pin] = (rte & ~RTE_DEST) | ((u64)val << 32 & RTE_DEST);
		return;
	}
	rte = (rte & ~(u64)RTE_LO_WMASK) | (val & RTE_LO_WMASK);
	if (rte & IOAPIC_RTE_LEVEL)
		io->edge_latch &= ~(1u << pin); /* level pins follow the line */
	else
		rte &= ~RTE_REMOTE_IRR; /* edge has no Remote IRR: Linux's EOI for v0x11 */
	io->rte[pin] = rte;
	service(io, pin);
}

static bool args_ok(u32 off, u32 size)
{
	return off < VIOAPIC_MMIO_SIZE && (size == 1 || size == 2 || size == 4 || size == 8);
}

int vioapic_mmio_read(struct vioapic *io, u32 off, u32 size, u64 *val)
{
	u32 byte = off & 0xf;
	u64 reg = 0;

	if (!args_ok(off, size))
		return -EINVAL;
	if ((off & ~0xfu) == IOAPIC_REGSEL)
		reg = io->regsel;
	else if ((off & ~0xfu) == IOAPIC_WINDOW)
		reg = reg_read(io, io->regsel);
	reg = byte < 4 ? reg >> (byte * 8) : 0;
	*val = size == 8 ? reg : reg & (BIT(size * 8) - 1);
	return 0;
}

int vioapic_mmio_write(struct vioapic *io, u32 off, u32 size, u64 val)
{
	if (!args_ok(off, size))
		return -EINVAL;
	if (off == IOAPIC_REGSEL)
		io->regsel = (u8)val;
	else if (off == IOAPIC_WINDOW && size == 4)
		reg_write(io, io->regsel, (u32)val);
	return 0;
}
