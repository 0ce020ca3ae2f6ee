/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The longbus hypercall ABI and CPUID leaves, version 1: what a guest may
 * call and how longbus identifies itself. Constants and layouts only; the
 * guest-side wrappers are in guest-api/libguest, the hypervisor side in vmm/.
 * docs/guest-api.md is the reference (register by register, byte by byte);
 * a change here bumps LB_HC_ABI_VERSION and updates it in the same commit.
 *
 * Freestanding: only <stdint.h> and <stddef.h>, so 32-bit guests, 64-bit
 * guests and the hypervisor include the same file. Layouts are asserted so
 * i386 (4-byte aligned u64) and x86-64 agree.
 *
 * Calling convention, in short:
 *   instruction  VMCALL on Intel, VMMCALL on AMD (CPUID leaf 0 vendor;
 *                "AuthenticAMD" and "HygonGenuine" use VMMCALL), CPL 0 only
 *   EAX          function number in, result out (>= 0, or -LB_E* on failure)
 *   EBX ECX EDX  arguments; preserved unless a function says otherwise
 *   other        all other registers and RFLAGS are preserved
 * In 64-bit mode only the low 32 bits of RBX/RCX/RDX are read, and RAX
 * returns the 32-bit result sign-extended.
 */
#ifndef LONGBUS_GUEST_API_HYPERCALL_H
#define LONGBUS_GUEST_API_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

/* --- CPUID --------------------------------------------------------------- */

/*
 * Leaf 0x40000000: EAX = highest hypervisor leaf (LB_CPUID_MAX_LEAF in this
 * version), EBX ECX EDX = "longbus\0\0\0\0\0" (12 bytes, as the vendor string
 * of leaf 0 is laid out: EBX holds bytes 0-3).
 */
#define LB_CPUID_LEAF_SIGNATURE 0x40000000u
#define LB_CPUID_SIG_EBX 0x676e6f6cu	/* "long" */
#define LB_CPUID_SIG_ECX 0x00737562u	/* "bus\0" */
#define LB_CPUID_SIG_EDX 0x00000000u	/* "\0\0\0\0" */
/* Leaf 0x40000001: EAX = LB_HC_ABI_VERSION; EBX ECX EDX = 0 (reserved). */
#define LB_CPUID_LEAF_ABI 0x40000001u
#define LB_CPUID_MAX_LEAF LB_CPUID_LEAF_ABI

/* --- hypercalls ---------------------------------------------------------- */

#define LB_HC_ABI_VERSION 1u
/* Returned in EBX by LB_HC_VERSION: "LBUS" read as a big-endian number. */
#define LB_HC_MAGIC 0x4c425553u

/*
 * Function numbers (EAX).
 *
 * LB_HC_VERSION  in: -
 *                out: EAX = LB_HC_ABI_VERSION, EBX = LB_HC_MAGIC.
 * LB_HC_LOG      in: EBX = GPA bits 31:0, EDX = GPA bits 63:32, ECX = length
 *                (1..LB_HC_LOG_MAX bytes; no NUL needed)
 *                out: EAX = length, or -LB_EINVAL (length), -LB_EFAULT (not
 *                guest RAM). longbus prints one console line
 *                "guest NAME: log: TEXT" (docs/guest-api.md).
 * LB_HC_EXIT     in: EBX = exit code
 *                out: does not return. longbus logs
 *                "guest NAME exited code N" and stops every vCPU of the guest.
 * LB_HC_STATS    in: EBX = GPA bits 31:0, EDX = GPA bits 63:32, ECX = buffer
 *                bytes (>= LB_HC_STATS_MIN_SIZE)
 *                out: EAX = bytes written (min(ECX, sizeof(struct
 *                lb_hc_stats))), or -LB_EINVAL (size), -LB_EFAULT.
 */
#define LB_HC_VERSION 0u
#define LB_HC_LOG 1u
#define LB_HC_EXIT 2u
#define LB_HC_STATS 3u
#define LB_HC_COUNT 4u	/* first unassigned number */

#define LB_HC_LOG_MAX 512u

/* Errors, returned negated in EAX. Values match Linux errno. */
#define LB_EPERM 1	/* called from CPL > 0 */
#define LB_EFAULT 14	/* a buffer is not wholly in the guest's RAM */
#define LB_EINVAL 22	/* a bad argument */
#define LB_ENOSYS 38	/* unknown function number */

/* --- LB_HC_STATS --------------------------------------------------------- */

#define LB_STATS_MAGIC 0x54415453u	/* "STAT" as bytes in memory */
#define LB_STATS_VERSION 1u

/*
 * Exit counts of the calling vCPU since it started, by reason. All fields
 * little-endian; every u64 is 8-byte aligned, so i386 and x86-64 agree.
 * A guest compares magic and version and reads no further than size.
 */
struct lb_hc_stats {
	uint32_t magic;		/*  0: LB_STATS_MAGIC */
	uint32_t version;	/*  4: LB_STATS_VERSION */
	uint32_t size;		/*  8: bytes written, <= sizeof(struct lb_hc_stats) */
	uint32_t vcpu;		/* 12: index of the calling vCPU in its guest, 0 = boot vCPU */
	uint64_t exits;		/* 16: every exit */
	uint64_t exits_io;	/* 24: port I/O */
	uint64_t exits_mmio;	/* 32: EPT/NPT faults handled as MMIO */
	uint64_t exits_cpuid;	/* 40 */
	uint64_t exits_msr;	/* 48: RDMSR and WRMSR */
	uint64_t exits_hlt;	/* 56 */
	uint64_t exits_extint;	/* 64: host interrupts and NMIs taken while the guest ran */
	uint64_t exits_hypercall; /* 72: including this one */
	uint64_t exits_other;	/* 80: everything else */
	uint64_t uptime_ns;	/* 88: since the vCPU first entered the guest */
};

/* The header a buffer must hold at least. */
#define LB_HC_STATS_MIN_SIZE 16u

_Static_assert(sizeof(struct lb_hc_stats) == 96, "lb_hc_stats size");
_Static_assert(offsetof(struct lb_hc_stats, vcpu) == 12, "lb_hc_stats.vcpu");
_Static_assert(offsetof(struct lb_hc_stats, exits) == 16, "lb_hc_stats.exits");
_Static_assert(offsetof(struct lb_hc_stats, exits_other) == 80, "lb_hc_stats.exits_other");
_Static_assert(offsetof(struct lb_hc_stats, uptime_ns) == 88, "lb_hc_stats.uptime_ns");

#endif
