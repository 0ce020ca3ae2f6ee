/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Partitions (struct vm) and their virtual CPUs (struct vcpu).
 *
 * Static partitioning: each guest owns whole physical CPUs ([guest] cpus),
 * one pinned vCPU per CPU, no scheduler. A vCPU is touched only by its own
 * physical CPU, except the fields in `shared`, which other CPUs use to ask
 * it for something (requests + a kick IPI).
 */
#ifndef LONGBUS_VMM_VM_H
#define LONGBUS_VMM_VM_H

#include "kernel/config.h"
#include "vmm/exit.h"
#include "vmm/io.h"
#include "vmm/stage2.h"

#define VM_MAX 16
#define VM_MAX_VCPUS 16
#define VM_NAME_MAX CFG_NAME_MAX

/* x86 general-purpose register numbers, as in ModRM/REX encodings. */
enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_COUNT
};

enum vm_state {
	VM_CREATED = 0,
	VM_RUNNING,
	VM_HALTED,  /* HLT with IF=0 and nothing pending: it can never wake */
	VM_CRASHED, /* triple fault, shutdown, undecodable access, entry failure */
	VM_EXITED,  /* debug_exit port or the exit hypercall: see exit_code */
	VM_FAILED,  /* never started: bad image, missing feature */
};

enum vcpu_state {
	VCPU_WAIT_SIPI = 0, /* an AP before INIT/SIPI */
	VCPU_RUNNING,
	VCPU_SLEEPING,	    /* HLT with IF=1: waits for an interrupt */
	VCPU_STOPPED,	    /* the VM ended; the CPU idles */
};

/* Request bits (vcpu->shared.requests), set by any CPU, consumed by the vCPU's CPU. */
#define VCPU_REQ_STOP BIT(0)	   /* leave the guest for good */
#define VCPU_REQ_FLUSH_TLB BIT(1)  /* stage-2 mappings changed: INVEPT / TLB_CONTROL */
#define VCPU_REQ_EVAL_IRQ BIT(2)   /* an interrupt was posted: re-evaluate */
#define VCPU_REQ_INIT BIT(3)	   /* INIT from another vCPU of this VM */
#define VCPU_REQ_SIPI BIT(4)	   /* SIPI; vector in shared.sipi_vector */

struct vm;
struct vlapic;

struct vcpu {
	struct vm *vm;
	unsigned id;	/* index in the VM; 0 is the boot vCPU */
	unsigned pcpu;	/* the physical CPU it is pinned to */
	u64 gpr[GPR_COUNT]; /* GPR_RSP is not used: the VMCS/VMCB holds RSP */
	void *arch;	/* backend state */
	enum vcpu_state state;
	struct vlapic *lapic;

	u64 boot_rip;	/* where vCPU 0 starts (Multiboot entry) */
	u64 start_ns;	/* first entry, for uptime in the stats hypercall */
	bool halted_forever; /* HLT with IF=0 and nothing pending */

	struct {
		u32 requests;	/* atomic OR by anyone, atomic exchange by the owner */
		u8 sipi_vector; /* written before VCPU_REQ_SIPI is set */
		u32 flush_gen;	/* owner-writes: stage-2 generation this vCPU has flushed */
		/* Interrupts posted by other CPUs (IPIs, IOAPIC): atomic OR, drained by the owner. */
		u64 posted[4];
		u64 posted_level[4]; /* which posted vectors are level-triggered */
		bool posted_nmi;
	} shared;

	u64 exits[VMEXIT_UNKNOWN + 1]; /* owner-writes; read by `stats` */
	u64 exits_total;
};

struct vm {
	char name[VM_NAME_MAX];
	unsigned id;
	const struct cfg_guest *cfg;
	enum vm_state state; /* written with atomics: any vCPU may end the VM */
	int exit_code;

	paddr_t ram_hpa; /* host-physical base of guest RAM (GPA 0) */
	u64 ram_size;
	struct stage2 s2; /* GPA -> HPA: RAM write-back, everything else unmapped */
	u32 stage2_gen;	  /* bumped by vm_unmap(); each vCPU acknowledges by flushing */

	unsigned nvcpus;
	struct vcpu *vcpu[VM_MAX_VCPUS];

	struct io_table pio;
	struct io_table mmio;
	void *arch; /* backend per-VM state: I/O bitmap, MSR bitmap */

	/* Ports that warned already ("logged once per guest and port"). */
	u64 pio_warned[65536 / 64];

	int debug_exit_port; /* -1 when absent */
	struct vuart *uart;
	struct vplatform *plat; /* interrupt routing: vmm/platform.c */
	u64 pio_exits, mmio_exits; /* for `stats` (each vCPU adds its own with atomics) */
};

/* Every VM, in config order. Singleton owned by vmm/vm.c, built before any vCPU runs. */
unsigned vm_count(void);
struct vm *vm_get(unsigned i);

/* The VM a physical CPU belongs to, or NULL. */
struct vcpu *vcpu_of_pcpu(unsigned cpu);

/* Ends a VM (state and code logged once); every vCPU of it stops at its next exit. */
void vm_end(struct vm *vm, enum vm_state state, int code, const char *why);

/*
 * Removes [gpa, gpa+size) from the VM's stage-2 tables and returns only
 * after every CPU running a vCPU of that VM has flushed its TLB for it.
 * Service CPU or boot CPU only, never from a vCPU of the same VM.
 */
int vm_unmap(struct vm *vm, u64 gpa, u64 size) __must_check;

/* Sets request bits and kicks the vCPU's CPU out of the guest (IPI). */
void vcpu_request(struct vcpu *v, u32 req);
/* Any CPU: post an interrupt vector to a vCPU's LAPIC and kick it. */
void vcpu_post_interrupt(struct vcpu *v, u8 vector, bool level);
void vcpu_post_nmi(struct vcpu *v);

const char *vm_state_name(enum vm_state s);

/* Guest memory through the direct map; NULL when [gpa, gpa+len) is not all RAM. */
void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len);
/*
 * The same, but only where stage 2 maps it now, i.e. what the guest itself
 * can reach: not the legacy hole, not pages vm_unmap() took away. Use this
 * for anything a guest hands longbus (hypercall buffers, emulated accesses).
 * [gpa, gpa+len) may span at most two pages.
 */
void *vm_mapped_ram(struct vm *vm, u64 gpa, u64 len);

#endif
