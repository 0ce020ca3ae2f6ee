/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running a vCPU on its CPU, and the small helpers exit handlers share.
 * Context: the vCPU's own CPU, interrupts off (exit path: never waits).
 */
#ifndef LONGBUS_VMM_VCPU_H
#define LONGBUS_VMM_VCPU_H

#include "vmm/vm.h"

/* Enables VMX/SVM on this CPU, builds the vCPU and runs it forever. */
__noreturn void vcpu_boot(struct vcpu *v);
__noreturn void vcpu_loop(struct vcpu *v);
/* smp_call() shape of vcpu_boot(). */
void vcpu_start_on_this_cpu(void *arg);

/* Advances RIP past the exiting instruction (and ends any STI/MOV-SS shadow). */
void vcpu_skip(struct vcpu *v, u32 insn_len);
/* Queues an exception for the next entry. */
void vcpu_inject_ud(struct vcpu *v);
void vcpu_inject_gp(struct vcpu *v, u32 error);
void vcpu_inject_pf(struct vcpu *v, u64 addr, u32 error);

struct vlapic_fx;
/* Carries out what a vLAPIC write asked for: IPIs to other vCPUs, EOIs to the vIOAPIC. */
void vcpu_lapic_effects(struct vcpu *v, const struct vlapic_fx *fx);

/* Guest TSC now (the guest sees the host TSC: no offsetting). */
u64 vcpu_now(void);

#endif
