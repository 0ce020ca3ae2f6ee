// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for vmm/vioapic.c, the virtual 82093AA IOAPIC.
 *
 * The deliver callback is a fake that records every message, so each test
 * states exactly which deliveries a pin/RTE/EOI sequence produces.
 *
 * Build: gcc -std=c11 -g -Wall -Wextra -Werror -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -I. tests/unit/test_vioapic.c vmm/vioapic.c -lcmocka
 */
#include "vmm/vioapic.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"

#define REGSEL 0x00
#define WIN 0x10
#define RTE(pin) (0x10 + 2 * (pin))
#define MASKED (1u << 16)
#define LEVEL (1u << 15)
#define REMOTE_IRR (1u << 14)
#define LOGICAL (1u << 11)

static struct fake {
	unsigned n;
	struct vioapic_msg msg[16];
} fk;

static void fake_deliver(void *ctx, const struct vioapic_msg *msg)
{
	assert_ptr_equal(ctx, &fk);
	assert_true(fk.n < 16);
	fk.msg[fk.n++] = *msg;
}

static struct vioapic *mk(void)
{
	static struct vioapic io;

	memset(&io, 0xa5, sizeof(io)); /* reset must not rely on zeroed memory */
	memset(&fk, 0, sizeof(fk));
	vioapic_reset(&io, 2, fake_deliver, &fk);
	return &io;
}

static u32 rd(struct vioapic *io, u8 reg)
{
	u64 val;

	assert_int_equal(vioapic_mmio_write(io, REGSEL, 4, reg), 0);
	assert_int_equal(vioapic_mmio_read(io, WIN, 4, &val), 0);
	return (u32)val;
}

static void wr(struct vioapic *io, u8 reg, u32 val)
{
	assert_int_equal(vioapic_mmio_write(io, REGSEL, 4, reg), 0);
	assert_int_equal(vioapic_mmio_write(io, WIN, 4, val), 0);
}

/* Programs pin: high half first, as Linux does, so unmasking comes last. */
static void route(struct vioapic *io, unsigned pin, u32 lo, u8 dest)
{
	wr(io, RTE(pin) + 1, (u32)dest << 24);
	wr(io, RTE(pin), lo);
}

static void set(struct vioapic *io, unsigned pin, bool level)
{
	assert_int_equal(vioapic_set_irq(io, pin, level), 0);
}

static void test_vioapic_reset_id_version_arbitration(void **state)
{
	struct vioapic *io = mk();

	(void)state;
	assert_int_equal(rd(io, 0x00), 2u << 24);
	assert_int_equal(rd(io, 0x01), 0x00170011); /* 24 pins, version 0x11 */
	assert_int_equal(rd(io, 0x02), 2u << 24);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		assert_int_equal(rd(io, RTE(pin)), MASKED);
		assert_int_equal(rd(io, RTE(pin) + 1), 0);
	}
	wr(io, 0x00, 0xffffffff);
	assert_int_equal(rd(io, 0x00), 0x0f000000);
	assert_int_equal(rd(io, 0x02), 0x0f000000);
	wr(io, 0x01, 0);
	wr(io, 0x02, 0);
	assert_int_equal(rd(io, 0x01), 0x00170011);
	assert_int_equal(rd(io, 0x03), 0);	 /* unimplemented */
	assert_int_equal(rd(io, RTE(24)), 0); /* past the last pin */
	assert_int_equal(rd(io, 0xff), 0);
	assert_int_equal(fk.n, 0);
}

static void test_vioapic_rte_readonly_bits_stay_clear(void **state)
{
	struct vioapic *io = mk();

	(void)state;
	wr(io, RTE(3), 0xffffffff & ~LEVEL);
	assert_int_equal(rd(io, RTE(3)), 0x0001afff & ~LEVEL);
	wr(io, RTE(3) + 1, 0xffffffff);
	assert_int_equal(rd(io, RTE(3) + 1), 0xff000000);
	assert_int_equal(fk.n, 0);
}

/* The message carries the RTE's fields. */
static void test_vioapic_message_decodes_rte(void **state)
{
	static const struct {
		u32 lo;
		u8 dest;
		struct vioapic_msg want;
	} t[] = {
		{ 0x00000031, 0x01, { 7, 0x31, VIOAPIC_DM_FIXED, false, false, 0x01 } },
		{ 0x00000941, 0x0f, { 7, 0x41, VIOAPIC_DM_LOWEST, true, false, 0x0f } },
		{ 0x00000400, 0xff, { 7, 0x00, VIOAPIC_DM_NMI, false, false, 0xff } },
		{ 0x0000a0e0, 0x03, { 7, 0xe0, VIOAPIC_DM_FIXED, false, true, 0x03 } }, /* level, low */
		{ 0x00000700, 0x00, { 7, 0x00, VIOAPIC_DM_EXTINT, false, false, 0x00 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vioapic *io = mk();

		route(io, 7, t[i].lo, t[i].dest);
		set(io, 7, true);
		assert_int_equal(fk.n, 1);
		assert_int_equal(fk.msg[0].pin, t[i].want.pin);
		assert_int_equal(fk.msg[0].vector, t[i].want.vector);
		assert_int_equal(fk.msg[0].delivery_mode, t[i].want.delivery_mode);
		assert_int_equal(fk.msg[0].logical, t[i].want.logical);
		assert_int_equal(fk.msg[0].level, t[i].want.level);
		assert_int_equal(fk.msg[0].dest, t[i].want.dest);
	}
}

static void test_vioapic_edge_pin_delivers_once_per_rising_edge(void **state)
{
	struct vioapic *io = mk();

	(void)state;
	route(io, 4, 0x24, 0);
	set(io, 4, true);
	assert_int_equal(fk.n, 1);
	set(io, 4, true); /* still high: no edge */
	assert_int_equal(fk.n, 1);
	set(io, 4, false);
	assert_int_equal(fk.n, 1);
	set(io, 4, true);
	assert_int_equal(fk.n, 2);
	assert_int_equal(rd(io, RTE(4)) & REMOTE_IRR, 0); /* edge pins never set it */
	vioapic_eoi(io, 0x24);
	assert_int_equal(fk.n, 2);
}

static void test_vioapic_level_pin_remote_irr_holds_until_eoi(void **state)
{
	struct vioapic *io = mk();

	(void)state;
	route(io, 10, LEVEL | 0x5a, 1);
	set(io, 10, true);
	assert_int_equal(fk.n, 1);
	assert_int_equal(rd(io, RTE(10)) & REMOTE_IRR, REMOTE_IRR);
	set(io, 10, false);
	set(io, 10, true); /* Remote IRR blocks a second message */
	assert_int_equal(fk.n, 1);
	wr(io, RTE(10), LEVEL | 0x5a); /* rewriting the RTE neither clears nor sends */
	assert_int_equal(fk.n, 1);
	assert_int_equal(rd(io, RTE(10)) & REMOTE_IRR, REMOTE_IRR);

	vioapic_eoi(io, 0x5b); /* another vector */
	assert_int_equal(fk.n, 1);
	vioapic_eoi(io, 0x5a); /* still asserted: delivered again */
	assert_int_equal(fk.n, 2);
	assert_int_equal(rd(io, RTE(10)) & REMOTE_IRR, REMOTE_IRR);

	set(io, 10, false);
	vioapic_eoi(io, 0x5a); /* line low: Remote IRR clears, nothing sent */
	assert_int_equal(fk.n, 2);
	assert_int_equal(rd(io, RTE(10)) & REMOTE_IRR, 0);
	set(io, 10, true);
	assert_int_equal(fk.n, 3);
}

static void test_vioapic_eoi_redelivers_every_asserted_pin_of_vector(void **state)
{
	struct vioapic *io = mk();

	(void)state;
	route(io, 16, LEVEL | 0x70, 0);
	route(io, 17, LEVEL | 0x70, 0);
	set(io, 16, true);
	set(io, 17, true);
	assert_int_equal(fk.n, 2);
	vioapic_eoi(io, 0x70);
	assert_int_equal(fk.n, 4);
	assert_int_equal(fk.msg[2].pin, 16);
	assert_int_equal(fk.msg[3].pin, 17);
}

/* Mask/unmask: what a masked pin does when it is unmasked. */
static void test_vioapic_unmask_redelivers_pending_pins(void **state)
{
	static const struct {
		bool level;	 /* trigger mode */
		bool drop_first; /* line deasserted before the unmask */
		unsigned want;	 /* messages at unmask */
	} t[] = {
		{ true, false, 1 },  /* asserted level pin */
		{ true, true, 0 },
		{ false, false, 1 }, /* latched edge, line still high */
		{ false, true, 0 },  /* the edge is forgotten with the line */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vioapic *io = mk();
		u32 lo = (t[i].level ? LEVEL : 0) | 0x33;

		route(io, 1, MASKED | lo, 0);
		set(io, 1, true);
		assert_int_equal(fk.n, 0);
		if (t[i].drop_first)
			set(io, 1, false);
		wr(io, RTE(1), lo);
		assert_int_equal(fk.n, t[i].want);
		wr(io, RTE(1), lo); /* a second unmask does not repeat it */
		assert_int_equal(fk.n, t[i].want);
	}
}

static void test_vioapic_masked_level_pin_waits_for_eoi_then_unmask(void **state)
{
	struct vioapic *io = mk();

	(void)state;
	route(io, 9, LEVEL | 0x49, 0);
	set(io, 9, true);
	assert_int_equal(fk.n, 1);
	wr(io, RTE(9), MASKED | LEVEL | 0x49);
	vioapic_eoi(io, 0x49); /* Remote IRR clears, but the pin is masked */
	assert_int_equal(fk.n, 1);
	assert_int_equal(rd(io, RTE(9)) & REMOTE_IRR, 0);
	wr(io, RTE(9), LEVEL | 0x49);
	assert_int_equal(fk.n, 2);
}

/* Linux ends a stuck level interrupt on a v0x11 IOAPIC by flipping the pin to edge. */
static void test_vioapic_switch_to_edge_clears_remote_irr(void **state)
{
	struct vioapic *io = mk();

	(void)state;
	route(io, 11, LEVEL | 0x3b, 0);
	set(io, 11, true);
	assert_int_equal(fk.n, 1);
	wr(io, RTE(11), MASKED | 0x3b);
	assert_int_equal(rd(io, RTE(11)) & REMOTE_IRR, 0);
	assert_int_equal(fk.n, 1); /* an asserted line is no edge */
	wr(io, RTE(11), LEVEL | 0x3b);
	assert_int_equal(fk.n, 2); /* back to level, still asserted */
}

static void test_vioapic_mmio_access_sizes(void **state)
{
	struct vioapic *io = mk();
	u64 val;

	(void)state;
	assert_int_equal(vioapic_mmio_write(io, REGSEL, 1, 0x101), 0); /* low 8 bits */
	assert_int_equal(vioapic_mmio_read(io, REGSEL, 4, &val), 0);
	assert_int_equal(val, 0x01);
	assert_int_equal(vioapic_mmio_read(io, WIN + 2, 1, &val), 0);
	assert_int_equal(val, 0x17);
	assert_int_equal(vioapic_mmio_read(io, WIN, 8, &val), 0);
	assert_int_equal(val, 0x00170011);
	assert_int_equal(vioapic_mmio_read(io, WIN + 4, 4, &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(vioapic_mmio_read(io, 0x40, 4, &val), 0);
	assert_int_equal(val, 0);

	/* Only dword writes reach IOWIN. */
	assert_int_equal(vioapic_mmio_write(io, REGSEL, 4, RTE(0)), 0);
	assert_int_equal(vioapic_mmio_write(io, WIN, 2, 0x20), 0);
	assert_int_equal(vioapic_mmio_write(io, WIN, 8, 0x20), 0);
	assert_int_equal(vioapic_mmio_write(io, WIN + 1, 1, 0x20), 0);
	assert_int_equal(rd(io, RTE(0)), MASKED);
	assert_int_equal(vioapic_mmio_write(io, REGSEL + 1, 1, 0x02), 0); /* dropped */
	assert_int_equal(vioapic_mmio_read(io, REGSEL, 1, &val), 0);
	assert_int_equal(val, RTE(0));

	assert_int_equal(vioapic_mmio_read(io, WIN, 3, &val), -EINVAL);
	assert_int_equal(vioapic_mmio_write(io, 0x1000, 4, 0), -EINVAL);
}

static void test_vioapic_set_irq_rejects_bad_pin(void **state)
{
	struct vioapic *io = mk();

	(void)state;
	assert_int_equal(vioapic_set_irq(io, VIOAPIC_PINS, true), -EINVAL);
	assert_int_equal(vioapic_set_irq(io, 1000, true), -EINVAL);
	assert_int_equal(fk.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vioapic_reset_id_version_arbitration),
		cmocka_unit_test(test_vioapic_rte_readonly_bits_stay_clear),
		cmocka_unit_test(test_vioapic_message_decodes_rte),
		cmocka_unit_test(test_vioapic_edge_pin_delivers_once_per_rising_edge),
		cmocka_unit_test(test_vioapic_level_pin_remote_irr_holds_until_eoi),
		cmocka_unit_test(test_vioapic_eoi_redelivers_every_asserted_pin_of_vector),
		cmocka_unit_test(test_vioapic_unmask_redelivers_pending_pins),
		cmocka_unit_test(test_vioapic_masked_level_pin_waits_for_eoi_then_unmask),
		cmocka_unit_test(test_vioapic_switch_to_edge_clears_remote_irr),
		cmocka_unit_test(test_vioapic_mmio_access_sizes),
		cmocka_unit_test(test_vioapic_set_irq_rejects_bad_pin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
