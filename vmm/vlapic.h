/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual local APIC, one per vCPU (SDM vol. 3, ch. 11): a state machine
 * the VM-exit code drives. It owns the register page (xAPIC MMIO and x2APIC
 * MSRs), IRR/ISR/TMR, priorities, the timer and ICR decoding; it never
 * touches another vCPU, the VMCS/VMCB or a clock.
 *
 * Time is injected: every call that may need it takes `now` in guest TSC
 * ticks. The virtual APIC bus runs at TSC / cfg.tsc_per_bus, so a timer
 * count of N with divisor D lasts N * D * tsc_per_bus TSC ticks. `now` must
 * not go backwards.
 *
 * Side effects the model cannot perform itself come back in struct
 * vlapic_fx: an IPI to route, a level-triggered EOI to forward to the
 * vIOAPIC, a timer deadline to re-read. After any call that may change
 * IRR, ISR or TPR the caller re-evaluates vlapic_pending() before entry.
 *
 * Pure C. Context: exit path, never blocks. No locking inside: the owner
 * vCPU's CPU, or a lock the caller holds, serializes every call on one
 * vlapic; that includes vlapic_accept() for an IPI or IOAPIC message from
 * another CPU.
 */
#ifndef LONGBUS_VMM_VLAPIC_H
#define LONGBUS_VMM_VLAPIC_H

#include "kernel/compiler.h"

#define VLAPIC_MMIO_SIZE 0x1000ULL
/* Returned by vlapic_timer_next_deadline() when no timer is armed. */
#define VLAPIC_NO_DEADLINE UINT64_MAX
/* cfg.tsc_per_bus bound: keeps count * divisor * tsc_per_bus below 2^59. */
#define VLAPIC_TSC_PER_BUS_MAX (1u << 20)

enum vlapic_mode {
	VLAPIC_DISABLED = 0, /* IA32_APIC_BASE.EN = 0 */
	VLAPIC_XAPIC,	     /* EN = 1, EXTD = 0: MMIO page */
	VLAPIC_X2APIC,	     /* EN = 1, EXTD = 1: MSRs 0x800-0x8ff */
};

struct vlapic_config {
	u32 apic_id;	 /* x2APIC ID; the xAPIC ID is its low 8 bits */
	bool bsp;	 /* IA32_APIC_BASE.BSP */
	bool x2apic;	 /* CPUID advertises x2APIC: EXTD may be set */
	u8 maxphyaddr;	 /* guest physical-address width, 32..52 */
	u32 tsc_per_bus; /* TSC ticks per APIC bus tick, 1..VLAPIC_TSC_PER_BUS_MAX */
};

/* Decoded ICR: what the caller must do across the vCPUs of the guest. */
enum vlapic_ipi_kind {
	VLAPIC_IPI_FIXED = 0, /* vlapic_accept(target, vector, false) */
	VLAPIC_IPI_LOWEST,    /* the same, to one of the matching targets */
	VLAPIC_IPI_NMI,
	VLAPIC_IPI_INIT,      /* vlapic_init_signal() + wait-for-SIPI */
	VLAPIC_IPI_SIPI,      /* vector is the start page: CS = vector << 8 */
};

/* Values match ICR bits 19:18. */
enum vlapic_shorthand {
	VLAPIC_DEST_FIELD = 0, /* dest/logical select targets: vlapic_matches_dest() */
	VLAPIC_DEST_SELF,
	VLAPIC_DEST_ALL,       /* all including self */
	VLAPIC_DEST_OTHERS,    /* all excluding self */
};

struct vlapic_ipi {
	enum vlapic_ipi_kind kind;
	enum vlapic_shorthand shorthand;
	u8 vector;
	bool logical; /* destination mode, with VLAPIC_DEST_FIELD */
	u32 dest;     /* xAPIC: 8 bits (ICR 63:56); x2APIC: 32 bits (ICR 63:32) */
};

#define VLAPIC_FX_IPI BIT(0)	   /* route fx.ipi */
#define VLAPIC_FX_EOI_LEVEL BIT(1) /* EOI of a level-triggered vector: vioapic_eoi(fx.eoi_vector) */
#define VLAPIC_FX_TIMER BIT(2)	   /* re-read vlapic_timer_next_deadline() */
#define VLAPIC_FX_DROPPED BIT(3)   /* the write had no effect (size, read-only, mode): log, ratelimited */

struct vlapic_fx {
	u32 flags; /* VLAPIC_FX_* */
	u8 eoi_vector;
	struct vlapic_ipi ipi;
};

/*
 * The state. Fields are private to vlapic.c; the struct is public only so
 * the vCPU can embed it. Register images are kept in register layout; the
 * fields from tpr to the end are register state, reset as one block.
 */
struct vlapic {
	u64 apic_base; /* IA32_APIC_BASE */
	u32 id;	       /* x2APIC ID */
	bool x2apic_ok;
	u8 maxphyaddr;
	u32 tsc_per_bus;

	u32 tpr, ldr, dfr, svr;
	u32 esr;	 /* what ESR reads: errors latched by the last write */
	u32 esr_pending; /* errors since the last ESR write */
	u32 icr_lo, icr_hi;
	u32 lvt[6];	 /* timer, thermal, perf, LINT0, LINT1, error */
	u32 irr[8], isr[8], tmr[8]; /* 256-bit sets, bit n of irr[i] = vector 32i+n */

	u32 timer_icr, timer_dcr;
	u32 load_count;	  /* count at load_tsc (one-shot/periodic) */
	u64 load_tsc;
	u64 timer_next;	  /* next expiry, VLAPIC_NO_DEADLINE = stopped */
	u64 tsc_deadline; /* IA32_TSC_DEADLINE, 0 = disarmed */
};

/*
 * Power-on reset: xAPIC mode at LAPIC_DEFAULT_BASE, every register in its
 * reset state (SVR 0xff: software-disabled, LVTs masked). -EINVAL for a bad
 * config.
 */
int vlapic_reset(struct vlapic *v, const struct vlapic_config *cfg) __must_check;

/* INIT received: registers to their reset state; ID, base and mode kept. */
void vlapic_init_signal(struct vlapic *v);

enum vlapic_mode vlapic_mode(const struct vlapic *v);
/* GPA of the xAPIC page (meaningful in VLAPIC_XAPIC mode only). */
u64 vlapic_mmio_base(const struct vlapic *v);

/*
 * xAPIC page access, off in [0, VLAPIC_MMIO_SIZE), size 1, 2, 4 or 8
 * (else -EINVAL). Registers sit at 16-byte slots; bytes 4..15 of a slot
 * read 0, and an access is decoded in the slot of its first byte (what
 * would spill into the next slot reads 0). Reads of any size return the
 * bytes they cover; only a 4-byte
 * write at the start of a slot has an effect, others are dropped
 * (VLAPIC_FX_DROPPED), as on hardware where the SDM guarantees nothing
 * else. Reserved slots read 0, drop writes and set ESR "illegal register
 * address". In x2APIC or disabled mode the page is not decoded: reads are
 * all-ones and writes dropped. Never faults the guest.
 */
int vlapic_mmio_read(struct vlapic *v, u32 off, u32 size, u64 now, u64 *val) __must_check;
int vlapic_mmio_write(struct vlapic *v, u32 off, u32 size, u64 val, u64 now,
		      struct vlapic_fx *fx) __must_check;

/*
 * RDMSR/WRMSR of IA32_APIC_BASE (0x1b), IA32_TSC_DEADLINE (0x6e0) and the
 * x2APIC range (0x800-0x8ff). Returns 0, -EINVAL when the guest must get
 * #GP(0), or -ENOENT for any other MSR (not the vLAPIC's).
 *
 * #GP: x2APIC MSRs outside x2APIC mode; absent registers (0x831, DFR, APR,
 * ...); reading EOI or SELF_IPI; writing ID, version, PPR, LDR, ISR, TMR,
 * IRR or TMCCT; setting a reserved bit (the ICR is one 64-bit MSR, the
 * others take 32 bits); an illegal IA32_APIC_BASE value or transition
 * (EN=0 with EXTD=1, x2APIC -> xAPIC, disabled -> x2APIC, EXTD without
 * cfg.x2apic, reserved bits or bits beyond maxphyaddr). Going to disabled
 * mode resets the registers. IA32_TSC_DEADLINE reads 0 and ignores writes
 * outside TSC-deadline mode.
 */
int vlapic_msr_read(struct vlapic *v, u32 msr, u64 now, u64 *val) __must_check;
int vlapic_msr_write(struct vlapic *v, u32 msr, u64 val, u64 now,
		     struct vlapic_fx *fx) __must_check;

/*
 * A fixed or lowest-priority interrupt arrives (IPI, IOAPIC, LVT): sets
 * IRR, and TMR when level-triggered. A vector already in IRR coalesces.
 * Returns 0; -ENODEV when the APIC is hardware- or software-disabled (the
 * message is lost, as on hardware); -EINVAL for vectors 0-15 (ESR
 * "received illegal vector" is recorded).
 */
int vlapic_accept(struct vlapic *v, u8 vector, bool level_triggered);

/*
 * The vector to inject next: the highest in IRR whose priority class
 * (vector >> 4) is above PPR's, or -ENOENT. The caller still checks
 * RFLAGS.IF and the interrupt shadow, and opens an interrupt window if
 * they block.
 */
int vlapic_pending(const struct vlapic *v);

/* The CPU takes `vector` (injection committed): IRR -> ISR. -ENOENT if not in IRR. */
int vlapic_ack(struct vlapic *v, u8 vector) __must_check;

/* TSC value at which the caller must call vlapic_timer_tick(), or VLAPIC_NO_DEADLINE. */
u64 vlapic_timer_next_deadline(const struct vlapic *v);

/*
 * Fires the timer if its deadline is <= now: sets IRR of the LVT timer
 * vector unless masked, rearms a periodic timer at the next period boundary
 * after now (missed periods coalesce into one interrupt), disarms one-shot
 * and TSC-deadline. Harmless to call early or repeatedly.
 */
void vlapic_timer_tick(struct vlapic *v, u64 now);

/*
 * Whether a destination field selects this APIC, interpreted in v's mode:
 * xAPIC physical (8-bit ID, 0xff = broadcast), xAPIC logical through
 * DFR/LDR (flat: LDR & dest; cluster: equal cluster nibble and a common
 * bit; 0xff = broadcast), x2APIC physical (32-bit ID, 0xffffffff =
 * broadcast) and x2APIC logical (cluster dest[31:16], bitmap dest[15:0]).
 * A disabled APIC matches nothing. Shorthands are the caller's business.
 */
bool vlapic_matches_dest(const struct vlapic *v, u32 dest, bool logical);

#endif
