// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual local APIC (see vlapic.h). Register semantics follow SDM
 * vol. 3 ch. 11; where the SDM leaves a choice open, the comment says
 * which one we made and why (usually: what KVM does, since Linux is tested
 * against it).
 *
 * Pure C: no globals but const tables, no logging, no clock.
 */
#include "vmm/vlapic.h"

#include "kernel/errno.h"
#include "kernel/klib.h"
#include "kernel/x86/apic_regs.h"
#include "kernel/x86/msr.h"

/* Registers kernel/x86/apic_regs.h does not name (yet); SDM table 11-1. */
#ifndef LAPIC_APR
#define LAPIC_APR 0x090
#endif
#ifndef LAPIC_PPR
#define LAPIC_PPR 0x0a0
#endif
#ifndef LAPIC_RRD
#define LAPIC_RRD 0x0c0
#endif
#ifndef LAPIC_LDR
#define LAPIC_LDR 0x0d0
#endif
#ifndef LAPIC_DFR
#define LAPIC_DFR 0x0e0
#endif
#ifndef LAPIC_ISR
#define LAPIC_ISR 0x100
#endif
#ifndef LAPIC_TMR
#define LAPIC_TMR 0x180
#endif
#ifndef LAPIC_IRR
#define LAPIC_IRR 0x200
#endif
#ifndef LAPIC_LVT_THERMAL
#define LAPIC_LVT_THERMAL 0x330
#endif
#ifndef LAPIC_LVT_PERF
#define LAPIC_LVT_PERF 0x340
#endif
#ifndef LAPIC_SELF_IPI
#define LAPIC_SELF_IPI 0x3f0
#endif
#ifndef ICR_DELIVERY_LOWEST
#define ICR_DELIVERY_LOWEST (1ULL << 8)
#endif

/* Version 0x14 (integrated APIC), six LVT entries (max LVT 5), no EOI-broadcast suppression. */
#define VLAPIC_VERSION (0x14u | (5u << 16))

#define SLOT(off) ((off) >> 4)
#define NSLOTS 64

#define LVT_VECTOR GENMASK(7, 0)
#define LVT_DELIVERY GENMASK(10, 8)
#define LVT_STATUS BIT(12)
#define LVT_POLARITY BIT(13)
#define LVT_REMOTE_IRR BIT(14)
#define LVT_TRIGGER BIT(15)
#define LVT_TIMER_MODE GENMASK(18, 17)
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2 /* mode 3 is reserved: it behaves as one-shot */

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_N };

/* Writable bits of each LVT kind; delivery status and remote IRR are read-only. */
#define LVT_WM_TIMER (LVT_VECTOR | LAPIC_LVT_MASKED | LVT_TIMER_MODE)
#define LVT_WM_LOCAL (LVT_VECTOR | LVT_DELIVERY | LAPIC_LVT_MASKED) /* thermal, perf */
#define LVT_WM_LINT (LVT_WM_LOCAL | LVT_POLARITY | LVT_TRIGGER)
#define LVT_WM_ERROR (LVT_VECTOR | LAPIC_LVT_MASKED)

#define SVR_VECTOR GENMASK(7, 0)
#define SVR_FOCUS_OFF BIT(9)
#define SVR_WMASK (SVR_VECTOR | LAPIC_SVR_ENABLE | SVR_FOCUS_OFF)
#define XAPIC_LDR_MASK GENMASK(31, 24)
#define DFR_MODEL GENMASK(31, 28)
#define DFR_RSVD_ONES GENMASK(27, 0)
#define DFR_FLAT 0xfu
#define DFR_CLUSTER 0x0u
#define DCR_WMASK 0xbu

#define ICR_VECTOR GENMASK(7, 0)
#define ICR_DELIVERY GENMASK(10, 8)
#define ICR_LOGICAL BIT(11)
#define ICR_SHORTHAND GENMASK(19, 18)
#define ICR_LO_WMASK (ICR_VECTOR | ICR_DELIVERY | ICR_LOGICAL | ICR_LEVEL_ASSERT | \
		      ICR_TRIGGER_LEVEL | ICR_SHORTHAND)
#define XAPIC_ICR_HI_MASK GENMASK(31, 24)
/* x2APIC ICR (one 64-bit MSR): bits the guest may not set. */
#define X2APIC_ICR_RSVD (GENMASK(31, 20) | GENMASK(17, 16) | BIT(13) | BIT(12))

#define ESR_SEND_ILLEGAL_VECTOR BIT(5)
#define ESR_RECV_ILLEGAL_VECTOR BIT(6)
#define ESR_ILLEGAL_REGISTER BIT(7)

#define APIC_BASE_RSVD_LOW (GENMASK(7, 0) | BIT(9))

/*
 * Who may touch which slot. XR/XW: xAPIC read/write; in xAPIC mode a write
 * to a readable slot without XW is dropped, to an absent one sets ESR.
 * R2/W2: x2APIC read/write; anything else is #GP. wmask: the bits a write
 * stores. An x2APIC write with a bit outside wmask | ro is #GP (SDM
 * 11.12.1.3, "RsvdZ"); ro bits (delivery status) are ignored.
 */
enum { XR = BIT(0), XW = BIT(1), R2 = BIT(2), W2 = BIT(3) };

struct reg_access {
	u8 acc;
	u32 wmask, ro;
};

#define RO_BOTH { XR | R2, 0, 0 }
#define RW_BOTH(wm, ro) { XR | XW | R2 | W2, (wm), (ro) }
#define RO8(s) [(s)] = RO_BOTH, [(s) + 1] = RO_BOTH, [(s) + 2] = RO_BOTH, \
	[(s) + 3] = RO_BOTH, [(s) + 4] = RO_BOTH, [(s) + 5] = RO_BOTH, \
	[(s) + 6] = RO_BOTH, [(s) + 7] = RO_BOTH

static const struct reg_access reg_table[NSLOTS] = {
	[SLOT(LAPIC_ID)] = RO_BOTH, /* xAPIC ID writes are dropped: the ID is fixed */
	[SLOT(LAPIC_VERSION)] = RO_BOTH,
	[SLOT(LAPIC_TPR)] = RW_BOTH(GENMASK(7, 0), 0),
	[SLOT(LAPIC_APR)] = { XR, 0, 0 }, /* absent in x2APIC mode */
	[SLOT(LAPIC_PPR)] = RO_BOTH,
	[SLOT(LAPIC_EOI)] = { XR | XW | W2, 0, 0 }, /* xAPIC reads 0; x2APIC write must be 0 */
	[SLOT(LAPIC_RRD)] = { XR, 0, 0 },
	[SLOT(LAPIC_LDR)] = { XR | XW | R2, XAPIC_LDR_MASK, 0 }, /* x2APIC: derived from the ID */
	[SLOT(LAPIC_DFR)] = { XR | XW, DFR_MODEL, 0 },
	[SLOT(LAPIC_SVR)] = RW_BOTH(SVR_WMASK, 0),
	RO8(SLOT(LAPIC_ISR)),
	RO8(SLOT(LAPIC_TMR)),
	RO8(SLOT(LAPIC_IRR)),
	[SLOT(LAPIC_ESR)] = RW_BOTH(0, 0), /* any write latches; x2APIC: must be 0 */
	[SLOT(LAPIC_ICR_LO)] = RW_BOTH(ICR_LO_WMASK, 0), /* x2APIC: 64-bit, checked apart */
	[SLOT(LAPIC_ICR_HI)] = { XR | XW, XAPIC_ICR_HI_MASK, 0 },
	[SLOT(LAPIC_LVT_TIMER)] = RW_BOTH(LVT_WM_TIMER, LVT_STATUS),
	[SLOT(LAPIC_LVT_THERMAL)] = RW_BOTH(LVT_WM_LOCAL, LVT_STATUS),
	[SLOT(LAPIC_LVT_PERF)] = RW_BOTH(LVT_WM_LOCAL, LVT_STATUS),
	[SLOT(LAPIC_LVT_LINT0)] = RW_BOTH(LVT_WM_LINT, LVT_STATUS | LVT_REMOTE_IRR),
	[SLOT(LAPIC_LVT_LINT1)] = RW_BOTH(LVT_WM_LINT, LVT_STATUS | LVT_REMOTE_IRR),
	[SLOT(LAPIC_LVT_ERROR)] = RW_BOTH(LVT_WM_ERROR, LVT_STATUS),
	[SLOT(LAPIC_TIMER_ICR)] = RW_BOTH(~0u, 0),
	[SLOT(LAPIC_TIMER_CCR)] = RO_BOTH,
	[SLOT(LAPIC_TIMER_DCR)] = RW_BOTH(DCR_WMASK, 0),
	[SLOT(LAPIC_SELF_IPI)] = { W2, GENMASK(7, 0), 0 },
};

/* Access bits of a slot of the page; 0x400 and up is absent. */
static u8 reg_acc(u32 slot)
{
	return slot < NSLOTS ? reg_table[slot].acc : 0;
}

/* --- 256-bit vector sets ------------------------------------------------ */

static bool vec_test(const u32 *set, unsigned vec)
{
	return set[vec / 32] & (1u << (vec % 32));
}

static void vec_set(u32 *set, unsigned vec)
{
	set[vec / 32] |= 1u << (vec % 32);
}

static void vec_clear(u32 *set, unsigned vec)
{
	set[vec / 32] &= ~(1u << (vec % 32));
}

/* Highest vector in the set, or -1. */
static int vec_highest(const u32 *set)
{
	for (int i = 7; i >= 0; i--)
		if (set[i])
			return i * 32 + 31 - __builtin_clz(set[i]);
	return -1;
}

/* --- state helpers ------------------------------------------------------ */

static bool hw_enabled(const struct vlapic *v)
{
	return v->apic_base & APIC_BASE_ENABLE;
}

static bool sw_enabled(const struct vlapic *v)
{
	return v->svr & LAPIC_SVR_ENABLE;
}

static bool is_x2apic(const struct vlapic *v)
{
	return vlapic_mode(v) == VLAPIC_X2APIC;
}

static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* SDM 11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4. */
static u32 ppr(const struct vlapic *v)
{
	int isrv = vec_highest(v->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	return (v->tpr & 0xf0) >= isr_class ? v->tpr : isr_class;
}

/* SDM 11.6.2.4 (arbitration priority), as Bochs computes it. */
static u32 apr(const struct vlapic *v)
{
	int isrv = vec_highest(v->isr), irrv = vec_highest(v->irr);
	u32 tpr = (v->tpr >> 4) & 0xf;
	u32 isr_c = isrv < 0 ? 0 : (u32)isrv >> 4;
	u32 irr_c = irrv < 0 ? 0 : (u32)irrv >> 4;

	if (tpr >= irr_c && tpr > isr_c)
		return v->tpr;
	return ((tpr & isr_c) > irr_c ? (tpr & isr_c) : irr_c) << 4;
}

/* Records an APIC error; an unmasked LVT error raises its vector. */
static void record_error(struct vlapic *v, u32 bit)
{
	u32 lvt = v->lvt[LVT_ERROR];
	u32 vec = FIELD_GET(LVT_VECTOR, lvt);

	v->esr_pending |= bit;
	/* Not through vlapic_accept: an illegal error vector must not recurse. */
	if (!(lvt & LAPIC_LVT_MASKED) && vec >= 16 && hw_enabled(v) && sw_enabled(v)) {
		vec_set(v->irr, vec);
		vec_clear(v->tmr, vec);
	}
}

/* Registers to their power-up / INIT state (SDM 11.4.7.1). ID, base, config kept. */
static void regs_reset(struct vlapic *v)
{
	/* Everything from tpr on is register state (see struct vlapic). */
	memset(&v->tpr, 0, sizeof(*v) - offsetof(struct vlapic, tpr));
	v->ldr = is_x2apic(v) ? x2apic_ldr(v->id) : 0;
	v->dfr = ~0u;
	v->svr = 0xff;
	for (int i = 0; i < LVT_N; i++)
		v->lvt[i] = LAPIC_LVT_MASKED;
	v->timer_next = VLAPIC_NO_DEADLINE;
}

int vlapic_reset(struct vlapic *v, const struct vlapic_config *cfg)
{
	if (cfg->tsc_per_bus == 0 || cfg->tsc_per_bus > VLAPIC_TSC_PER_BUS_MAX ||
	    cfg->maxphyaddr < 32 || cfg->maxphyaddr > 52)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	v->id = cfg->apic_id;
	v->x2apic_ok = cfg->x2apic;
	v->maxphyaddr = cfg->maxphyaddr;
	v->tsc_per_bus = cfg->tsc_per_bus;
	v->apic_base = LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE | (cfg->bsp ? APIC_BASE_BSP : 0);
	regs_reset(v);
	return 0;
}

void vlapic_init_signal(struct vlapic *v)
{
	regs_reset(v);
}

enum vlapic_mode vlapic_mode(const struct vlapic *v)
{
	if (!(v->apic_base & APIC_BASE_ENABLE))
		return VLAPIC_DISABLED;
	return (v->apic_base & APIC_BASE_X2APIC) ? VLAPIC_X2APIC : VLAPIC_XAPIC;
}

u64 vlapic_mmio_base(const struct vlapic *v)
{
	return v->apic_base & APIC_BASE_ADDR_MASK;
}

/* SDM 11.12.5: EN=0/EXTD=1 is invalid; x2APIC -> xAPIC and disabled -> x2APIC are illegal. */
static int set_apic_base(struct vlapic *v, u64 val)
{
	u64 rsvd = APIC_BASE_RSVD_LOW | GENMASK(63, v->maxphyaddr) |
		   (v->x2apic_ok ? 0 : APIC_BASE_X2APIC);
	enum vlapic_mode old = vlapic_mode(v), new;

	if (val & rsvd)
		return -EINVAL;
	if ((val & (APIC_BASE_ENABLE | APIC_BASE_X2APIC)) == APIC_BASE_X2APIC)
		return -EINVAL;
	new = !(val & APIC_BASE_ENABLE) ? VLAPIC_DISABLED :
	      (val & APIC_BASE_X2APIC) ? VLAPIC_X2APIC : VLAPIC_XAPIC;
	if ((old == VLAPIC_X2APIC && new == VLAPIC_XAPIC) ||
	    (old == VLAPIC_DISABLED && new == VLAPIC_X2APIC))
		return -EINVAL;

	/* BSP is set by "hardware" at reset; a guest write does not move it. */
	v->apic_base = (val & ~APIC_BASE_BSP) | (v->apic_base & APIC_BASE_BSP);
	if (new == VLAPIC_DISABLED && old != VLAPIC_DISABLED)
		regs_reset(v); /* SDM 11.4.3: state may be lost; we lose all of it */
	else if (new == VLAPIC_X2APIC && old == VLAPIC_XAPIC)
		v->ldr = x2apic_ldr(v->id); /* SDM 11.12.5.1: logical ID set by hardware */
	return 0;
}

/* --- timer --------------------------------------------------------------- */

static u32 timer_mode(const struct vlapic *v)
{
	return FIELD_GET(LVT_TIMER_MODE, v->lvt[LVT_TIMER]);
}

/* DCR bits 3,1:0 -> 2, 4, 8, 16, 32, 64, 128, 1. */
static u32 timer_divisor(u32 dcr)
{
	u32 code = ((dcr & 8) >> 1) | (dcr & 3);

	return code == 7 ? 1 : 2u << code;
}

/* TSC ticks per count decrement. */
static u64 timer_scale(const struct vlapic *v)
{
	return (u64)v->tsc_per_bus * timer_divisor(v->timer_dcr);
}

static bool timer_counting(const struct vlapic *v)
{
	return timer_mode(v) != TIMER_TSC_DEADLINE && v->timer_next != VLAPIC_NO_DEADLINE;
}

/* TMCCT at `now`. TSC-deadline mode and a stopped timer read 0 (SDM 11.5.4.1). */
static u32 timer_current(const struct vlapic *v, u64 now)
{
	u64 ticks;

	if (!timer_counting(v))
		return 0;
	ticks = now > v->load_tsc ? (now - v->load_tsc) / timer_scale(v) : 0;
	if (ticks < v->load_count)
		return v->load_count - (u32)ticks;
	if (timer_mode(v) != TIMER_PERIODIC || v->timer_icr == 0)
		return 0; /* expired, not yet ticked */
	return v->timer_icr - (u32)((ticks - v->load_count) % v->timer_icr);
}

/* Restarts counting from the current count, e.g. before the divisor or mode changes. */
static void timer_rebase(struct vlapic *v, u64 now)
{
	if (!timer_counting(v))
		return;
	v->load_count = timer_current(v, now);
	v->load_tsc = now;
}

static void timer_rearm(struct vlapic *v)
{
	if (timer_counting(v))
		v->timer_next = v->load_tsc + (u64)v->load_count * timer_scale(v);
}

static void timer_fire(struct vlapic *v)
{
	u32 lvt = v->lvt[LVT_TIMER];

	if (!(lvt & LAPIC_LVT_MASKED))
		(void)vlapic_accept(v, FIELD_GET(LVT_VECTOR, lvt), false);
}

u64 vlapic_timer_next_deadline(const struct vlapic *v)
{
	if (!hw_enabled(v))
		return VLAPIC_NO_DEADLINE;
	if (timer_mode(v) == TIMER_TSC_DEADLINE)
		return v->tsc_deadline ? v->tsc_deadline : VLAPIC_NO_DEADLINE;
	return v->timer_next;
}

void vlapic_timer_tick(struct vlapic *v, u64 now)
{
	u64 first, period;

	if (now < vlapic_timer_next_deadline(v))
		return;
	if (timer_mode(v) == TIMER_TSC_DEADLINE) {
		v->tsc_deadline = 0; /* SDM 11.5.4.1: the timer disarms itself */
		timer_fire(v);
		return;
	}
	if (timer_mode(v) == TIMER_PERIODIC && v->timer_icr) {
		period = (u64)v->timer_icr * timer_scale(v);
		first = v->load_tsc + (u64)v->load_count * timer_scale(v);
		v->timer_next = first + ((now - first) / period + 1) * period;
	} else {
		v->timer_next = VLAPIC_NO_DEADLINE;
	}
	timer_fire(v);
}

static void timer_write_icr(struct vlapic *v, u32 val, u64 now)
{
	if (timer_mode(v) == TIMER_TSC_DEADLINE)
		return; /* SDM 11.5.4.1: ignored in TSC-deadline mode */
	v->timer_icr = val;
	v->load_count = val;
	v->load_tsc = now;
	v->timer_next = val ? now + (u64)val * timer_scale(v) : VLAPIC_NO_DEADLINE;
}

static void timer_write_dcr(struct vlapic *v, u32 val, u64 now)
{
	vlapic_timer_tick(v, now);
	timer_rebase(v, now);
	v->timer_dcr = val;
	timer_rearm(v);
}

static void timer_write_lvt(struct vlapic *v, u32 val, u64 now)
{
	u32 old_mode = timer_mode(v), new_mode = FIELD_GET(LVT_TIMER_MODE, val);
	bool was_tscd = old_mode == TIMER_TSC_DEADLINE;
	bool is_tscd = new_mode == TIMER_TSC_DEADLINE;

	if (old_mode == new_mode) {
		v->lvt[LVT_TIMER] = val; /* vector or mask only: the count runs on */
		return;
	}
	vlapic_timer_tick(v, now);
	timer_rebase(v, now);
	v->lvt[LVT_TIMER] = val;
	if (was_tscd != is_tscd) {
		/* SDM 11.5.4.1: a switch to or from TSC-deadline mode disarms the timer. */
		v->timer_icr = 0;
		v->load_count = 0;
		v->timer_next = VLAPIC_NO_DEADLINE;
		v->tsc_deadline = 0;
		return;
	}
	timer_rearm(v);
}

/* --- interrupt flow ------------------------------------------------------ */

int vlapic_accept(struct vlapic *v, u8 vector, bool level_triggered)
{
	if (!hw_enabled(v) || !sw_enabled(v))
		return -ENODEV;
	if (vector < 16) {
		record_error(v, ESR_RECV_ILLEGAL_VECTOR);
		return -EINVAL;
	}
	vec_set(v->irr, vector);
	if (level_triggered)
		vec_set(v->tmr, vector);
	else
		vec_clear(v->tmr, vector);
	return 0;
}

int vlapic_pending(const struct vlapic *v)
{
	int vec;

	if (!hw_enabled(v))
		return -ENOENT;
	vec = vec_highest(v->irr);
	if (vec < 0 || ((u32)vec & 0xf0) <= (ppr(v) & 0xf0))
		return -ENOENT;
	return vec;
}

int vlapic_ack(struct vlapic *v, u8 vector)
{
	if (!vec_test(v->irr, vector))
		return -ENOENT;
	vec_clear(v->irr, vector);
	vec_set(v->isr, vector);
	return 0;
}

static void do_eoi(struct vlapic *v, struct vlapic_fx *fx)
{
	int vec = vec_highest(v->isr);

	if (vec < 0)
		return;
	vec_clear(v->isr, (unsigned)vec);
	if (vec_test(v->tmr, (unsigned)vec)) {
		fx->flags |= VLAPIC_FX_EOI_LEVEL;
		fx->eoi_vector = (u8)vec;
	}
}

/*
 * Decodes the ICR just written into fx->ipi. Every shorthand accepts every
 * delivery mode and level-triggered IPIs go out edge-triggered, as on
 * current CPUs and KVM (Linux sends NMIs to "all including self" in x2APIC
 * mode, which SDM table 11-3 calls invalid for the Pentium 4). INIT
 * level-deassert, SMI and the reserved modes send nothing.
 */
static void icr_send(struct vlapic *v, struct vlapic_fx *fx)
{
	u32 lo = v->icr_lo;
	struct vlapic_ipi *ipi = &fx->ipi;

	ipi->vector = FIELD_GET(ICR_VECTOR, lo);
	ipi->shorthand = (enum vlapic_shorthand)FIELD_GET(ICR_SHORTHAND, lo);
	ipi->logical = lo & ICR_LOGICAL;
	ipi->dest = is_x2apic(v) ? v->icr_hi : FIELD_GET(XAPIC_ICR_HI_MASK, v->icr_hi);

	switch (lo & ICR_DELIVERY) {
	case ICR_DELIVERY_FIXED:
		ipi->kind = VLAPIC_IPI_FIXED;
		break;
	case ICR_DELIVERY_LOWEST:
		ipi->kind = VLAPIC_IPI_LOWEST;
		break;
	case ICR_DELIVERY_NMI:
		ipi->kind = VLAPIC_IPI_NMI;
		break;
	case ICR_DELIVERY_INIT:
		if ((lo & ICR_TRIGGER_LEVEL) && !(lo & ICR_LEVEL_ASSERT))
			return; /* INIT level de-assert: no-op since the Pentium 4 */
		ipi->kind = VLAPIC_IPI_INIT;
		break;
	case ICR_DELIVERY_STARTUP:
		ipi->kind = VLAPIC_IPI_SIPI;
		break;
	default:
		fx->flags |= VLAPIC_FX_DROPPED; /* SMI, reserved */
		return;
	}
	if ((ipi->kind == VLAPIC_IPI_FIXED || ipi->kind == VLAPIC_IPI_LOWEST) &&
	    ipi->vector < 16) {
		record_error(v, ESR_SEND_ILLEGAL_VECTOR);
		return;
	}
	fx->flags |= VLAPIC_FX_IPI;
}

bool vlapic_matches_dest(const struct vlapic *v, u32 dest, bool logical)
{
	u32 ldr, model;

	switch (vlapic_mode(v)) {
	case VLAPIC_X2APIC:
		if (dest == 0xffffffffu)
			return true;
		if (!logical)
			return dest == v->id;
		return (dest >> 16) == (v->ldr >> 16) && (dest & v->ldr & 0xffff);
	case VLAPIC_XAPIC:
		dest &= 0xff;
		if (dest == 0xff)
			return true;
		if (!logical)
			return dest == (v->id & 0xff);
		ldr = v->ldr >> 24;
		model = FIELD_GET(DFR_MODEL, v->dfr);
		if (model == DFR_FLAT)
			return dest & ldr;
		if (model == DFR_CLUSTER)
			return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
		return false; /* undefined DFR model: nothing matches */
	default:
		return false;
	}
}

/* --- registers ----------------------------------------------------------- */

static u32 reg_read(const struct vlapic *v, u32 slot, u64 now)
{
	u32 off = slot << 4;

	if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80)
		return v->isr[slot - SLOT(LAPIC_ISR)];
	if (off >= LAPIC_TMR && off < LAPIC_TMR + 0x80)
		return v->tmr[slot - SLOT(LAPIC_TMR)];
	if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80)
		return v->irr[slot - SLOT(LAPIC_IRR)];
	if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR)
		return v->lvt[slot - SLOT(LAPIC_LVT_TIMER)];

	switch (off) {
	case LAPIC_ID:
		return is_x2apic(v) ? v->id : (v->id & 0xff) << 24;
	case LAPIC_VERSION:
		return VLAPIC_VERSION;
	case LAPIC_TPR:
		return v->tpr;
	case LAPIC_APR:
		return apr(v);
	case LAPIC_PPR:
		return ppr(v);
	case LAPIC_LDR:
		return v->ldr;
	case LAPIC_DFR:
		return v->dfr;
	case LAPIC_SVR:
		return v->svr;
	case LAPIC_ESR:
		return v->esr;
	case LAPIC_ICR_LO:
		return v->icr_lo; /* delivery status (bit 12) is never stored: idle */
	case LAPIC_ICR_HI:
		return v->icr_hi;
	case LAPIC_TIMER_ICR:
		return v->timer_icr;
	case LAPIC_TIMER_CCR:
		return timer_current(v, now);
	case LAPIC_TIMER_DCR:
		return v->timer_dcr;
	default:
		return 0; /* EOI and RRD read 0 in xAPIC mode */
	}
}

static void lvt_write(struct vlapic *v, unsigned i, u32 val, u64 now, struct vlapic_fx *fx)
{
	if (!sw_enabled(v))
		val |= LAPIC_LVT_MASKED; /* SDM 11.4.7.2: stays masked while disabled */
	if (i == LVT_TIMER) {
		timer_write_lvt(v, val, now);
		fx->flags |= VLAPIC_FX_TIMER;
	} else {
		v->lvt[i] = val;
	}
}

static void svr_write(struct vlapic *v, u32 val)
{
	v->svr = val;
	if (!sw_enabled(v))
		for (int i = 0; i < LVT_N; i++)
			v->lvt[i] |= LAPIC_LVT_MASKED;
}

/*
 * A write the access checks allowed; only wmask bits are kept (status bits
 * stay 0: delivery is instant). The ICR low half sends (xAPIC).
 */
static void reg_write(struct vlapic *v, u32 slot, u32 val, u64 now, struct vlapic_fx *fx)
{
	u32 off = slot << 4;

	val &= reg_table[slot].wmask;

	if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR) {
		lvt_write(v, slot - SLOT(LAPIC_LVT_TIMER), val, now, fx);
		return;
	}
	switch (off) {
	case LAPIC_TPR:
		v->tpr = val;
		break;
	case LAPIC_EOI:
		do_eoi(v, fx);
		break;
	case LAPIC_LDR:
		v->ldr = val;
		break;
	case LAPIC_DFR:
		v->dfr = val | DFR_RSVD_ONES;
		break;
	case LAPIC_SVR:
		svr_write(v, val);
		break;
	case LAPIC_ESR:
		v->esr = v->esr_pending; /* SDM 11.5.3: a write latches, then clears */
		v->esr_pending = 0;
		break;
	case LAPIC_ICR_LO:
		v->icr_lo = val;
		icr_send(v, fx);
		break;
	case LAPIC_ICR_HI:
		v->icr_hi = val;
		break;
	case LAPIC_TIMER_ICR:
		vlapic_timer_tick(v, now);
		timer_write_icr(v, val, now);
		fx->flags |= VLAPIC_FX_TIMER;
		break;
	case LAPIC_TIMER_DCR:
		timer_write_dcr(v, val, now);
		fx->flags |= VLAPIC_FX_TIMER;
		break;
	case LAPIC_SELF_IPI:
		(void)vlapic_accept(v, (u8)val, false);
		break;
	default:
		fx->flags |= VLAPIC_FX_DROPPED;
		break;
	}
}

static bool mmio_args_ok(u32 off, u32 size)
{
	return off < VLAPIC_MMIO_SIZE && (size == 1 || size == 2 || size == 4 || size == 8);
}

int vlapic_mmio_read(struct vlapic *v, u32 off, u32 size, u64 now, u64 *val)
{
	u32 slot = SLOT(off), byte = off & 0xf;
	u64 reg;

	if (!mmio_args_ok(off, size))
		return -EINVAL;
	if (vlapic_mode(v) != VLAPIC_XAPIC) {
		*val = size == 8 ? ~0ULL : BIT(size * 8) - 1;
		return 0;
	}
	if (!(reg_acc(slot) & XR)) {
		record_error(v, ESR_ILLEGAL_REGISTER);
		reg = 0;
	} else {
		reg = reg_read(v, slot, now);
	}
	reg = byte < 4 ? reg >> (byte * 8) : 0;
	*val = size == 8 ? reg : reg & (BIT(size * 8) - 1);
	return 0;
}

int vlapic_mmio_write(struct vlapic *v, u32 off, u32 size, u64 val, u64 now,
		      struct vlapic_fx *fx)
{
	u32 slot = SLOT(off);
	u8 acc = reg_acc(slot);

	fx->flags = 0;
	if (!mmio_args_ok(off, size))
		return -EINVAL;
	if (vlapic_mode(v) != VLAPIC_XAPIC || size != 4 || (off & 0xf)) {
		fx->flags |= VLAPIC_FX_DROPPED;
		return 0;
	}
	if (!(acc & XW)) {
		if (!(acc & XR))
			record_error(v, ESR_ILLEGAL_REGISTER);
		fx->flags |= VLAPIC_FX_DROPPED;
		return 0;
	}
	reg_write(v, slot, (u32)val, now, fx);
	return 0;
}

static bool is_x2apic_msr(u32 msr)
{
	return msr >= MSR_X2APIC_BASE && msr < MSR_X2APIC_BASE + 0x100;
}

int vlapic_msr_read(struct vlapic *v, u32 msr, u64 now, u64 *val)
{
	u32 slot = msr - MSR_X2APIC_BASE;

	if (msr == MSR_IA32_APIC_BASE) {
		*val = v->apic_base;
		return 0;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = timer_mode(v) == TIMER_TSC_DEADLINE ? v->tsc_deadline : 0;
		return 0;
	}
	if (!is_x2apic_msr(msr))
		return -ENOENT;
	if (!is_x2apic(v) || !(reg_acc(slot) & R2))
		return -EINVAL;
	*val = reg_read(v, slot, now);
	if (slot == SLOT(LAPIC_ICR_LO))
		*val |= (u64)v->icr_hi << 32;
	return 0;
}

int vlapic_msr_write(struct vlapic *v, u32 msr, u64 val, u64 now, struct vlapic_fx *fx)
{
	u32 slot = msr - MSR_X2APIC_BASE;

	fx->flags = 0;
	if (msr == MSR_IA32_APIC_BASE) {
		int rc = set_apic_base(v, val);

		if (!rc)
			fx->flags |= VLAPIC_FX_TIMER; /* disabling stops the timer */
		return rc;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		if (timer_mode(v) == TIMER_TSC_DEADLINE && hw_enabled(v)) {
			v->tsc_deadline = val; /* in the past: fires at the next tick */
			fx->flags |= VLAPIC_FX_TIMER;
		}
		return 0;
	}
	if (!is_x2apic_msr(msr))
		return -ENOENT;
	if (!is_x2apic(v) || !(reg_acc(slot) & W2))
		return -EINVAL;
	if (slot == SLOT(LAPIC_ICR_LO)) {
		if (val & X2APIC_ICR_RSVD)
			return -EINVAL;
		v->icr_lo = (u32)val;
		v->icr_hi = (u32)(val >> 32);
		icr_send(v, fx);
		return 0;
	}
	if ((val >> 32) || ((u32)val & ~(reg_table[slot].wmask | reg_table[slot].ro)))
		return -EINVAL;
	reg_write(v, slot, (u32)val, now, fx);
	return 0;
}
